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

use core::ptr::{
    self,
    NonNull, //
};
use kernel::{
    bindings,
    device::Device,
    ffi::{
        c_int,
        c_void, //
    },
    new_mutex,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        Mutex, //
    },
    sysfs::{
        Attribute,
        AttributeGroup,
        AttributeList,
        AttributeOperations,
        DeviceOwner,
        Groups,
        Input,
        Page, //
    },
    types::Opaque,
};

use crate::{
    chip::{
        Chip,
        Pwm, //
    },
    request, state,
};

/// How long the `capture` attribute waits for a measurement, in ms (one
/// second, as `jiffies_to_msecs(HZ)`).
const CAPTURE_TIMEOUT_MS: kernel::ffi::c_ulong = 1000;

/// An exported channel: its `pwmM` device and the channel it holds.
///
/// # Invariants
///
/// `pwm` is a channel requested for this export, put back only after `dev`
/// was unregistered; `dev`'s release frees the `Export`.
#[pin_data]
struct Export {
    dev: Opaque<bindings::device>,
    pwm: *mut bindings::pwm_device,
    /// Serialises the attributes' read-modify-write of the channel's state;
    /// holds the state saved at suspend.
    #[pin]
    lock: Mutex<bindings::pwm_state>,
}

// SAFETY: The device is changed by the driver core under its own locks, `pwm` only read, and
// the state under `lock`.
unsafe impl Sync for Export {}

impl Export {
    /// The export a `pwmM` device belongs to.
    ///
    /// # Safety
    ///
    /// `dev` is the device of a live `Export`.
    unsafe fn from_dev<'a>(dev: *mut bindings::device) -> &'a Self {
        // SAFETY: `Opaque` is transparent, so `dev` is the address of the `dev` field of an
        // `Export`, which the caller guarantees is alive.
        unsafe { &*kernel::container_of!(dev.cast::<Opaque<bindings::device>>(), Export, dev) }
    }

    fn pwm(&self) -> &Pwm {
        // SAFETY: By the type invariant the channel stays requested, holding its chip, while
        // the export's device is registered, which it is during its attributes' calls.
        unsafe { Pwm::from_raw(self.pwm) }
    }

    /// Applies `change` to the channel's state (`pwm->state`) and the result
    /// to the hardware, serialised against the other attributes.
    fn update(&self, change: impl FnOnce(&mut bindings::pwm_state)) -> Result {
        let _guard = self.lock.lock();
        let mut st = self.pwm().state();
        change(&mut st);
        state::apply_might_sleep(self.pwm(), &st)
    }
}

/// Frees an `Export` when its device's last reference goes.
///
/// # Safety
///
/// `dev` is the device of an `Export` allocated by [`export_child`].
unsafe extern "C" fn export_release(dev: *mut bindings::device) {
    // SAFETY: As the caller guarantees; the `Export` was leaked from a pinned `KBox`.
    let export = unsafe { ptr::from_ref(Export::from_dev(dev)).cast_mut() };
    // SAFETY: The last reference is gone; nobody uses the export any more.
    drop(unsafe { KBox::from_raw(export) });
}

// SAFETY: The pwm class's `dev_groups` (`CHIP_GROUPS`) are the only groups of `Chip`, and
// every device of the class is the device embedded in a chip, which its release frees; while
// the device is registered the chip is alive.
unsafe impl DeviceOwner for Chip {
    unsafe fn from_device<'a>(dev: *mut bindings::device) -> &'a Self {
        // SAFETY: As the caller guarantees, `dev` is the device of a chip from
        // `pwmchip_alloc`, alive for `'a`.
        unsafe { Chip::from_raw(kernel::container_of!(dev, bindings::pwm_chip, dev)) }
    }
}

// SAFETY: Only `Export` devices get `PWM_GROUPS` (in `export_child`), and their release frees
// the export: while the device is registered the export is alive.
unsafe impl DeviceOwner for Export {
    unsafe fn from_device<'a>(dev: *mut bindings::device) -> &'a Self {
        // SAFETY: As the caller guarantees.
        unsafe { Export::from_dev(dev) }
    }
}

/// Sends `KOBJ_CHANGE` with `<key>=pwm<hwpwm>` for the chip's device.
fn uevent(chip: &Chip, key: &str, hwpwm: u32) {
    let Ok(var) = CString::try_from_fmt(fmt!("{key}=pwm{hwpwm}")) else {
        return;
    };
    let mut envp = [var.as_char_ptr().cast_mut(), ptr::null_mut()];
    // SAFETY: The chip's device is registered; `envp` is NULL-terminated and outlives the
    // call, which copies it.
    unsafe {
        bindings::kobject_uevent_env(
            &raw mut (*chip.dev()).kobj,
            bindings::kobject_action_KOBJ_CHANGE,
            envp.as_mut_ptr(),
        )
    };
}

/// Exports channel `hwpwm` of `chip`: requests it and adds its `pwmM` device.
fn export(chip: &Chip, hwpwm: u32) -> Result {
    let pwm = chip.pwm(hwpwm).ok_or(ENODEV)?;
    {
        let mut control = chip.lock_control();
        control.live()?;
        request::request_locked(&mut control, pwm, c"sysfs".as_char_ptr())?;
        if let Err(e) = export_child(chip, pwm) {
            drop(control);
            // SAFETY: Requested just above, and used no more.
            unsafe { request::put(pwm.as_raw()) };
            return Err(e);
        }
        pwm.set_exported();
        // Still under the mutex: an unexport's UNEXPORT cannot come first.
        uevent(chip, "EXPORT", hwpwm);
    }
    Ok(())
}

/// Adds the `pwmM` device of a channel the caller requested for it.
fn export_child(chip: &Chip, pwm: &Pwm) -> Result {
    let export = KBox::pin_init(
        try_pin_init!(Export {
            dev: Opaque::zeroed(),
            pwm: pwm.as_raw(),
            lock <- new_mutex!(bindings::pwm_state::default()),
        }),
        GFP_KERNEL,
    )?;
    // SAFETY: The device is handed to the driver core, whose release frees the export; the
    // export is never moved.
    let export = unsafe { KBox::into_raw(Pin::into_inner_unchecked(export)) };
    // SAFETY: `export` is valid; its zeroed device is initialised here, once.
    let dev = unsafe { (*export).dev.get() };
    // SAFETY: `dev` is a zeroed `struct device`; from `device_initialize` on, its release
    // frees the export, so every error path below ends with `put_device`.
    unsafe {
        bindings::device_initialize(dev);
        (*dev).release = Some(export_release);
        (*dev).parent = chip.dev();
        (*dev).groups = PWM_GROUPS.as_raw();
    }
    // SAFETY: The device is initialised; the format takes one `unsigned int`.
    let mut ret = unsafe { bindings::dev_set_name(dev, c"pwm%u".as_char_ptr(), pwm.hwpwm()) };
    if ret == 0 {
        // SAFETY: The device is initialised and named.
        ret = unsafe { bindings::device_add(dev) };
    }
    if ret != 0 {
        // SAFETY: The reference from `device_initialize`; the release frees the export.
        unsafe { bindings::put_device(dev) };
        return Err(Error::from_errno(ret));
    }
    Ok(())
}

/// Matches the `pwmM` device of the channel `data`.
///
/// # Safety
///
/// Called by `device_find_child` with a live child device.
unsafe extern "C" fn is_export_of(dev: *mut bindings::device, data: *const c_void) -> c_int {
    // SAFETY: The driver core passes a live child device.
    if unsafe { (*dev).groups } != PWM_GROUPS.as_raw() {
        return 0;
    }
    // SAFETY: Only `Export` devices have the channel attributes.
    let export = unsafe { Export::from_dev(dev) };
    c_int::from(export.pwm.cast_const().cast::<c_void>() == data)
}

/// The C device of `dev` (`Device` wraps it transparently).
fn raw(dev: &Device) -> *mut bindings::device {
    ptr::from_ref(dev).cast_mut().cast()
}

/// The `pwmM` device of `pwm`, with a reference, if the channel has one.
fn find_export(chip: &Chip, pwm: &Pwm) -> Option<ARef<Device>> {
    // SAFETY: The chip's device is alive; `is_export_of` only compares pointers.
    let dev = unsafe {
        bindings::device_find_child(
            chip.dev(),
            pwm.as_raw().cast_const().cast(),
            Some(is_export_of),
        )
    };
    // SAFETY: `device_find_child` returns a device with a reference, which becomes the
    // `ARef`'s; `Device` is a transparent wrapper of `struct device`.
    NonNull::new(dev).map(|dev| unsafe { ARef::from_raw(dev.cast()) })
}

/// Removes the `pwmM` device of `pwm` and puts the channel back. The caller
/// cleared the channel's exported flag, so it owns the device.
fn unexport_child(chip: &Chip, pwm: &Pwm) {
    let Some(dev) = find_export(chip, pwm) else {
        return;
    };
    uevent(chip, "UNEXPORT", pwm.hwpwm());
    // SAFETY: `dev` is the registered `pwmM` device, which the caller owns; the reference
    // in `dev` is dropped after the unregistration.
    unsafe { bindings::device_unregister(raw(&dev)) };
    drop(dev);
    // SAFETY: The export's request, now that its device (and every attribute call) is gone.
    unsafe { request::put(pwm.as_raw()) };
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
    type Data = Export;

    fn show(export: &Export, page: &mut Page<'_>) -> Result {
        let mut st = export.pwm().state();
        page.emit(format_args!("{}\n", *Self::field(&mut st)))
    }

    fn store(export: &Export, input: &Input<'_>) -> Result {
        let val = input.parse_u64()?;
        export.update(|st| *Self::field(st) = val)
    }
}

/// `enable`: `0` or `1`.
struct EnableAttr;

#[vtable]
impl AttributeOperations for EnableAttr {
    type Data = Export;

    fn show(export: &Export, page: &mut Page<'_>) -> Result {
        page.emit(format_args!("{}\n", u8::from(export.pwm().state().enabled)))
    }

    fn store(export: &Export, input: &Input<'_>) -> Result {
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
    type Data = Export;

    fn show(export: &Export, page: &mut Page<'_>) -> Result {
        let name = match export.pwm().state().polarity {
            bindings::pwm_polarity_PWM_POLARITY_NORMAL => "normal",
            bindings::pwm_polarity_PWM_POLARITY_INVERSED => "inversed",
            _ => "unknown",
        };
        page.emit(format_args!("{name}\n"))
    }

    fn store(export: &Export, input: &Input<'_>) -> Result {
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
    type Data = Export;

    fn show(export: &Export, page: &mut Page<'_>) -> Result {
        let mut result = bindings::pwm_capture::default();
        state::capture(export.pwm(), &mut result, CAPTURE_TIMEOUT_MS)?;
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

static PERIOD_ATTR: Attribute<Export> = Attribute::new::<LengthAttr<false>>(c"period");
static DUTY_CYCLE_ATTR: Attribute<Export> = Attribute::new::<LengthAttr<true>>(c"duty_cycle");
static ENABLE_ATTR: Attribute<Export> = Attribute::new::<EnableAttr>(c"enable");
static POLARITY_ATTR: Attribute<Export> = Attribute::new::<PolarityAttr>(c"polarity");
static CAPTURE_ATTR: Attribute<Export> = Attribute::new::<CaptureAttr>(c"capture");
static PWM_ATTRS: AttributeList<Export, 5> = AttributeList::new([
    &PERIOD_ATTR,
    &DUTY_CYCLE_ATTR,
    &ENABLE_ATTR,
    &POLARITY_ATTR,
    &CAPTURE_ATTR,
]);
static PWM_GROUP: AttributeGroup<Export> = AttributeGroup::new(&PWM_ATTRS);
static PWM_GROUPS: Groups<Export, 1> = Groups::new([&PWM_GROUP]);

#[cfg(CONFIG_PM_SLEEP)]
/// The exported channels of a chip, each with a reference to its `pwmM`
/// device, collected under the control mutex.
fn exports_of(chip: &Chip) -> Result<KVec<(ARef<Device>, &Export)>> {
    let mut out = KVec::new();
    let _control = chip.lock_control();
    for pwm in chip.pwms().filter(|p| p.is_exported()) {
        let Some(dev) = find_export(chip, pwm) else {
            continue;
        };
        // SAFETY: A `pwmM` device, which the reference in `dev` keeps registered while the
        // control mutex is held, and alive afterwards (its release frees the export).
        let export = unsafe { Export::from_dev(raw(&dev)) };
        out.push((dev, export), GFP_KERNEL)?;
    }
    Ok(out)
}

#[cfg(CONFIG_PM_SLEEP)]
/// Restarts the given exports that ran at suspend; tries every one and
/// returns the first error.
fn resume_exports(exports: &[(ARef<Device>, &Export)]) -> Result {
    let mut ret = Ok(());
    for (_, export) in exports {
        let saved = export.lock.lock();
        if !saved.enabled {
            continue;
        }
        let mut st = export.pwm().state();
        st.enabled = true;
        if let Err(e) = state::apply_might_sleep(export.pwm(), &st) {
            ret = ret.and(Err(e));
        }
    }
    ret
}

#[cfg(CONFIG_PM_SLEEP)]
/// Stops every exported channel that runs, remembering its state.
///
/// # Safety
///
/// Called by the PM core with a chip's device.
unsafe extern "C" fn pwm_class_suspend(dev: *mut bindings::device) -> c_int {
    // SAFETY: The class's PM ops are only called for its devices, which are chips' and
    // registered during the call.
    let chip = unsafe { Chip::from_device(dev) };
    // Without the whole list, suspend fails rather than skip a channel.
    let exports = match exports_of(chip) {
        Ok(exports) => exports,
        Err(e) => return e.to_errno(),
    };
    let mut ret = Ok(());
    for (i, (_, export)) in exports.iter().enumerate() {
        let mut saved = export.lock.lock();
        let mut st = export.pwm().state();
        *saved = st;
        if !st.enabled {
            continue;
        }
        st.enabled = false;
        if let Err(e) = state::apply_might_sleep(export.pwm(), &st) {
            drop(saved);
            // Roll back the channels this suspend stopped.
            let _ = resume_exports(&exports[..i]);
            ret = Err(e);
            break;
        }
    }
    drop(exports);
    match ret {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

#[cfg(CONFIG_PM_SLEEP)]
/// Restarts the exported channels that ran before suspend.
///
/// # Safety
///
/// Called by the PM core with a chip's device.
unsafe extern "C" fn pwm_class_resume(dev: *mut bindings::device) -> c_int {
    // SAFETY: The class's PM ops are only called for its devices, which are chips' and
    // registered during the call.
    let chip = unsafe { Chip::from_device(dev) };
    let exports = match exports_of(chip) {
        Ok(exports) => exports,
        Err(e) => return e.to_errno(),
    };
    let ret = resume_exports(&exports);
    drop(exports);
    match ret {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

#[cfg(CONFIG_PM_SLEEP)]
/// The class's PM ops (`DEFINE_SIMPLE_DEV_PM_OPS`).
#[repr(transparent)]
pub(crate) struct PmOps(Opaque<bindings::dev_pm_ops>);

#[cfg(CONFIG_PM_SLEEP)]
// SAFETY: Built at compile time and only read.
unsafe impl Sync for PmOps {}

#[cfg(CONFIG_PM_SLEEP)]
impl PmOps {
    pub(crate) const fn as_ptr(&self) -> *const bindings::dev_pm_ops {
        self.0.get()
    }
}

#[cfg(CONFIG_PM_SLEEP)]
pub(crate) static PM_OPS: PmOps = PmOps(Opaque::new(bindings::dev_pm_ops {
    suspend: Some(pwm_class_suspend),
    resume: Some(pwm_class_resume),
    freeze: Some(pwm_class_suspend),
    thaw: Some(pwm_class_resume),
    poweroff: Some(pwm_class_suspend),
    restore: Some(pwm_class_resume),
    // SAFETY: All-zero is valid for the other callbacks: none.
    ..unsafe { core::mem::zeroed() }
}));
