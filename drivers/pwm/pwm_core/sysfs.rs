// SPDX-License-Identifier: GPL-2.0

//! The sysfs class interface, as in Documentation/ABI/testing/sysfs-class-pwm:
//! `npwm`, `export` and `unexport` of each `pwmchipN`, and the `pwmM`
//! directory of each exported channel with `period`, `duty_cycle`, `enable`,
//! `polarity` and `capture`; exported channels are stopped over system sleep.
//!
//! A channel's `PWMF_EXPORTED` flag changes only under its chip's control
//! mutex, and whoever clears it owns the `pwmM` device. Export checks that
//! the chip is operational under the same hold in which it requests the
//! channel and adds the device, and removal clears the chip's operational
//! flag under that mutex before it unexports every channel: an export that
//! races with removal either completes first (and is unexported) or fails
//! with `-ENODEV`, and never leaves a device behind.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::{
    bindings, new_mutex,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        Mutex, //
    },
    sysfs::{
        self,
        Attribute,
        AttributeGroup,
        AttributeList,
        AttributeOperations,
        ChildDevice,
        Groups,
        Input,
        Page, //
    },
};

use crate::{
    chip::{
        Chip,
        Pwm,
        PwmRef, //
    },
    request, state,
};

/// How long the `capture` attribute waits for a measurement, in ms (one
/// second, as `jiffies_to_msecs(HZ)`).
const CAPTURE_TIMEOUT_MS: kernel::ffi::c_ulong = 1000;

/// An exported channel, the data of its `pwmM` device.
///
/// # Invariants
///
/// `pwm` is requested for this export while its device is registered.
#[pin_data]
struct Export {
    /// The channel, with a reference to its chip that keeps it alive for as
    /// long as the export.
    pwm: PwmRef,
    /// Serialises the attributes' read-modify-write of the channel's state;
    /// holds the state saved at suspend.
    #[pin]
    lock: Mutex<bindings::pwm_state>,
}

/// The `pwmM` device of an exported channel.
type ExportDevice = ChildDevice<Export>;

impl Export {
    /// Applies `change` to the channel's state (`pwm->state`) and the result
    /// to the hardware, serialised against the other attributes.
    fn update(&self, change: impl FnOnce(&mut bindings::pwm_state)) -> Result {
        let _guard = self.lock.lock();
        let mut st = self.pwm.state();
        change(&mut st);
        state::apply_might_sleep(&self.pwm, &st)
    }
}

/// Sends `KOBJ_CHANGE` with `<key>=pwm<hwpwm>` for the chip's device.
#[inline(never)]
fn uevent(chip: &Chip, key: &str, hwpwm: u32) {
    // As upstream, a uevent that cannot be sent changes nothing else.
    if let Ok(var) = CString::try_from_fmt(fmt!("{key}=pwm{hwpwm}")) {
        let _ = sysfs::change_uevent(chip.device(), &var);
    }
}

/// Exports channel `hwpwm` of `chip`: requests it and adds its `pwmM` device.
fn export(chip: &Chip, hwpwm: u32) -> Result {
    let pwm = chip.pwm(hwpwm).ok_or(ENODEV)?;
    let mut control = chip.lock_control();
    control.live()?;
    request::request_locked(&mut control, pwm, c"sysfs".as_char_ptr())?;
    // INVARIANT: The channel is requested for the export until after its device is
    // unregistered (`unexport_child`).
    let added = ExportDevice::register(
        chip.device(),
        format_args!("pwm{hwpwm}"),
        &PWM_GROUPS,
        pin_init!(Export {
            pwm: pwm.to_ref(),
            lock <- new_mutex!(bindings::pwm_state::default()),
        }),
    );
    if let Err(e) = added {
        drop(control);
        // SAFETY: Requested just above for the export, which failed; used no more.
        unsafe { request::put(pwm.as_raw()) };
        return Err(e);
    }
    pwm.set_exported();
    // Still under the mutex: an unexport's UNEXPORT cannot come first.
    uevent(chip, "EXPORT", hwpwm);
    Ok(())
}

/// The `pwmM` device of channel `hwpwm` of `chip`, if it is registered.
// The few functions marked `#[inline(never)]` here have several callers,
// which share one copy (`make bench`'s text row).
#[inline(never)]
fn find_export(chip: &Chip, hwpwm: u32) -> Option<ARef<ExportDevice>> {
    ExportDevice::find(chip.device(), &PWM_GROUPS, |e| e.pwm.hwpwm() == hwpwm)
}

/// Removes the `pwmM` device of `pwm` and puts the channel back. The caller
/// cleared the channel's exported flag, so it owns the device.
fn unexport_child(chip: &Chip, pwm: &Pwm) {
    let Some(export) = find_export(chip, pwm.hwpwm()) else {
        return;
    };
    uevent(chip, "UNEXPORT", pwm.hwpwm());
    if ExportDevice::unregister(&export) {
        // SAFETY: The export's request (by the invariant of `Export`), now that its device,
        // and with it every attribute call, is gone; only this caller unregistered it.
        unsafe { request::put(pwm.as_raw()) };
    }
}

/// Unexports every exported channel of a chip that was just revoked.
pub(crate) fn unexport_all(chip: &Chip) {
    for pwm in chip.pwms() {
        let owned = {
            let _control = chip.lock_control();
            pwm.take_exported()
        };
        if owned {
            unexport_child(chip, pwm);
        }
    }
}

// The attributes' small operations are `#[inline]`: inlined into their sysfs
// callbacks, their only callers, rather than also kept as functions of their
// own that nothing calls.

/// `export`: requests a channel for sysfs and adds its `pwmM` directory.
struct ExportAttr;

#[vtable]
impl AttributeOperations for ExportAttr {
    type Data = Chip;

    fn store(chip: &Chip, input: &Input<'_>) -> Result {
        let hwpwm = input.parse_u32()?;
        if hwpwm >= chip.npwm() {
            return Err(ENODEV);
        }
        export(chip, hwpwm)
    }
}

/// `unexport`: removes a channel's `pwmM` directory and frees the channel.
struct UnexportAttr;

#[vtable]
impl AttributeOperations for UnexportAttr {
    type Data = Chip;

    #[inline]
    fn store(chip: &Chip, input: &Input<'_>) -> Result {
        let pwm = chip.pwm(input.parse_u32()?).ok_or(ENODEV)?;
        let owned = {
            let _control = chip.lock_control();
            pwm.take_exported()
        };
        if !owned {
            return Err(ENODEV);
        }
        unexport_child(chip, pwm);
        Ok(())
    }
}

/// `npwm`: the number of channels.
struct NpwmAttr;

#[vtable]
impl AttributeOperations for NpwmAttr {
    type Data = Chip;

    #[inline]
    fn show(chip: &Chip, page: &mut Page<'_>) -> Result {
        page.emit(format_args!("{}\n", chip.npwm()))
    }
}

/// `period` (`DUTY == false`) and `duty_cycle` (`DUTY == true`), in ns.
struct LengthAttr<const DUTY: bool>;

impl<const DUTY: bool> LengthAttr<DUTY> {
    fn field(st: &mut bindings::pwm_state) -> &mut u64 {
        if DUTY {
            &mut st.duty_cycle
        } else {
            &mut st.period
        }
    }
}

#[vtable]
impl<const DUTY: bool> AttributeOperations for LengthAttr<DUTY> {
    type Data = ExportDevice;

    fn show(export: &ExportDevice, page: &mut Page<'_>) -> Result {
        let mut st = export.pwm.state();
        page.emit(format_args!("{}\n", *Self::field(&mut st)))
    }

    fn store(export: &ExportDevice, input: &Input<'_>) -> Result {
        let val = input.parse_u64()?;
        export.update(|st| *Self::field(st) = val)
    }
}

/// `enable`: `0` or `1`.
struct EnableAttr;

#[vtable]
impl AttributeOperations for EnableAttr {
    type Data = ExportDevice;

    #[inline]
    fn show(export: &ExportDevice, page: &mut Page<'_>) -> Result {
        page.emit(format_args!("{}\n", u8::from(export.pwm.state().enabled)))
    }

    #[inline]
    fn store(export: &ExportDevice, input: &Input<'_>) -> Result {
        let enabled = match input.parse_i32()? {
            0 => false,
            1 => true,
            _ => return Err(EINVAL),
        };
        export.update(|st| st.enabled = enabled)
    }
}

/// `polarity`: `normal` or `inversed`.
struct PolarityAttr;

#[vtable]
impl AttributeOperations for PolarityAttr {
    type Data = ExportDevice;

    #[inline]
    fn show(export: &ExportDevice, page: &mut Page<'_>) -> Result {
        let name = match export.pwm.state().polarity {
            bindings::pwm_polarity_PWM_POLARITY_NORMAL => "normal",
            bindings::pwm_polarity_PWM_POLARITY_INVERSED => "inversed",
            _ => "unknown",
        };
        page.emit(format_args!("{name}\n"))
    }

    #[inline]
    fn store(export: &ExportDevice, input: &Input<'_>) -> Result {
        let polarity = if input.is(c"normal") {
            bindings::pwm_polarity_PWM_POLARITY_NORMAL
        } else if input.is(c"inversed") {
            bindings::pwm_polarity_PWM_POLARITY_INVERSED
        } else {
            return Err(EINVAL);
        };
        export.update(|st| st.polarity = polarity)
    }
}

/// `capture`: a measured period and duty cycle, in ns.
struct CaptureAttr;

#[vtable]
impl AttributeOperations for CaptureAttr {
    type Data = ExportDevice;

    fn show(export: &ExportDevice, page: &mut Page<'_>) -> Result {
        let mut result = bindings::pwm_capture::default();
        state::capture(&export.pwm, &mut result, CAPTURE_TIMEOUT_MS)?;
        page.emit(format_args!("{} {}\n", result.period, result.duty_cycle))
    }
}

static EXPORT_ATTR: Attribute<Chip> = Attribute::new::<ExportAttr>(c"export");
static UNEXPORT_ATTR: Attribute<Chip> = Attribute::new::<UnexportAttr>(c"unexport");
static NPWM_ATTR: Attribute<Chip> = Attribute::new::<NpwmAttr>(c"npwm");
static CHIP_ATTRS: AttributeList<Chip, 3> =
    AttributeList::new([&EXPORT_ATTR, &UNEXPORT_ATTR, &NPWM_ATTR]);
static CHIP_GROUP: AttributeGroup<Chip> = AttributeGroup::new(&CHIP_ATTRS);
/// The attribute groups of every chip's device (the class's `dev_groups`).
pub(crate) static CHIP_GROUPS: Groups<Chip, 1> = Groups::new([&CHIP_GROUP]);

static PERIOD_ATTR: Attribute<ExportDevice> = Attribute::new::<LengthAttr<false>>(c"period");
static DUTY_CYCLE_ATTR: Attribute<ExportDevice> = Attribute::new::<LengthAttr<true>>(c"duty_cycle");
static ENABLE_ATTR: Attribute<ExportDevice> = Attribute::new::<EnableAttr>(c"enable");
static POLARITY_ATTR: Attribute<ExportDevice> = Attribute::new::<PolarityAttr>(c"polarity");
static CAPTURE_ATTR: Attribute<ExportDevice> = Attribute::new::<CaptureAttr>(c"capture");
static PWM_ATTRS: AttributeList<ExportDevice, 5> = AttributeList::new([
    &PERIOD_ATTR,
    &DUTY_CYCLE_ATTR,
    &ENABLE_ATTR,
    &POLARITY_ATTR,
    &CAPTURE_ATTR,
]);
static PWM_GROUP: AttributeGroup<ExportDevice> = AttributeGroup::new(&PWM_ATTRS);
static PWM_GROUPS: Groups<ExportDevice, 1> = Groups::new([&PWM_GROUP]);

#[cfg(CONFIG_PM_SLEEP)]
/// The `pwmM` device of `pwm` if the channel is exported, looked up under
/// the control mutex.
#[inline(never)]
fn export_of(chip: &Chip, pwm: &Pwm) -> Option<ARef<ExportDevice>> {
    let _control = chip.lock_control();
    if !pwm.is_exported() {
        return None;
    }
    find_export(chip, pwm.hwpwm())
}

#[cfg(CONFIG_PM_SLEEP)]
/// Stops every exported channel of `chip` that runs, remembering its state
/// (the class's `suspend`, `freeze` and `poweroff`). On failure the channels
/// it stopped run again.
pub(crate) fn suspend(chip: &Chip) -> Result {
    for pwm in chip.pwms() {
        let Some(export) = export_of(chip, pwm) else {
            continue;
        };
        if let Err(e) = stop(&export) {
            // Roll back the channels this suspend stopped.
            let _ = resume_below(chip, pwm.hwpwm());
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(CONFIG_PM_SLEEP)]
/// Saves an export's state and stops its channel if it runs.
fn stop(export: &ExportDevice) -> Result {
    let pwm = &export.pwm;
    let mut saved = export.lock.lock();
    let mut st = pwm.state();
    *saved = st;
    if !st.enabled {
        return Ok(());
    }
    st.enabled = false;
    state::apply_might_sleep(pwm, &st)
}

#[cfg(CONFIG_PM_SLEEP)]
/// Restarts the exported channels of `chip` that ran before suspend (the
/// class's `resume`, `thaw` and `restore`).
pub(crate) fn resume(chip: &Chip) -> Result {
    resume_below(chip, chip.npwm())
}

#[cfg(CONFIG_PM_SLEEP)]
/// Restarts the exported channels below `end` that ran at suspend; tries
/// every one and returns the first error.
fn resume_below(chip: &Chip, end: u32) -> Result {
    let mut ret = Ok(());
    for pwm in chip.pwms().take_while(|pwm| pwm.hwpwm() < end) {
        let Some(export) = export_of(chip, pwm) else {
            continue;
        };
        let saved = export.lock.lock();
        if !saved.enabled {
            continue;
        }
        let mut st = export.pwm.state();
        st.enabled = true;
        if let Err(e) = state::apply_might_sleep(&export.pwm, &st) {
            ret = ret.and(Err(e));
        }
    }
    ret
}
