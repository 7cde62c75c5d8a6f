// SPDX-License-Identifier: GPL-2.0

//! The character device `/dev/pwmchipN` (`<uapi/linux/pwm.h>`): channels
//! requested per open file and released on close, and the waveform ioctls.
//!
//! Upstream gives waveform chips a node only. With `CONFIG_PWM_LEGACY_CDEV`
//! chips with only the legacy ops get one too: `SETROUNDEDWF` applies the
//! state equivalent to the waveform, `GETWF` reads the state back as a
//! waveform, and `ROUNDWF` and `SETEXACTWF`, which such a driver cannot
//! answer without changing its output, fail with `-EOPNOTSUPP`.
//!
//! Unlike the C core, no global lock is held across an ioctl: the waveform
//! ioctls take only the chip's ops lock, under which they also find the
//! channel in the file's table; `REQUEST` and `FREE` serialise on a mutex
//! of the file. A removed chip makes every ioctl fail with `-ENODEV` while
//! `close` still releases everything. Minors cover every chip id, not only
//! the first 256, and 32-bit processes get the same ioctls through
//! `compat_ioctl`.
//!
//! C header: [`include/uapi/linux/pwm.h`](srctree/include/uapi/linux/pwm.h)

use core::{
    mem::{
        size_of,
        MaybeUninit, //
    },
    ptr,
    sync::atomic::{
        AtomicPtr,
        Ordering, //
    },
};
use kernel::{
    bindings,
    chrdev::{
        CdevOwner,
        FileOperations,
        Fops,
        Region, //
    },
    error::to_result,
    ffi::{
        c_int,
        c_uint,
        c_ulong,
        c_void, //
    },
    fs::File,
    new_mutex,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        Mutex,
        SetOnce, //
    },
};

use crate::{
    chip::{
        op_result,
        Chip,
        Ops,
        Pwm, //
    },
    request, state, waveform,
};

/// Minors reserved for chips: all of them, so every chip id gets a node.
const MINORS: c_uint = 1 << bindings::MINORBITS;

/// The device numbers of the chips' nodes, set once at initialisation.
static REGION: SetOnce<Region> = SetOnce::new();

const fn ioc(dir: u32, nr: u32, size: usize) -> c_uint {
    (dir << bindings::_IOC_DIRSHIFT)
        | (0x75 << bindings::_IOC_TYPESHIFT)
        | (nr << bindings::_IOC_NRSHIFT)
        | ((size as u32) << bindings::_IOC_SIZESHIFT)
}

/// `struct pwmchip_waveform` of `<uapi/linux/pwm.h>`; the same layout for
/// 32- and 64-bit processes. Its three lengths are laid out as a
/// `struct pwm_waveform`, so the core's functions take them in place.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct PwmchipWaveform {
    hwpwm: u32,
    __pad: u32,
    wf: bindings::pwm_waveform,
}

const WF_SIZE: usize = size_of::<PwmchipWaveform>();
kernel::static_assert!(WF_SIZE == 32);
const IOCTL_REQUEST: c_uint = ioc(bindings::_IOC_NONE, 1, 0);
const IOCTL_FREE: c_uint = ioc(bindings::_IOC_NONE, 2, 0);
const IOCTL_ROUNDWF: c_uint = ioc(bindings::_IOC_READ | bindings::_IOC_WRITE, 3, WF_SIZE);
const IOCTL_GETWF: c_uint = ioc(bindings::_IOC_READ | bindings::_IOC_WRITE, 4, WF_SIZE);
const IOCTL_SETROUNDEDWF: c_uint = ioc(bindings::_IOC_WRITE, 5, WF_SIZE);
const IOCTL_SETEXACTWF: c_uint = ioc(bindings::_IOC_WRITE, 6, WF_SIZE);

/// Reserves the device numbers; called once, at initialisation.
pub(crate) fn init() -> Result {
    // A second call keeps the first region and gives this one back.
    REGION.populate(Region::alloc(MINORS, c"pwm")?);
    Ok(())
}

/// Whether `chip` gets a character device: waveform chips do, as in C, and
/// with `CONFIG_PWM_LEGACY_CDEV` every other chip too.
fn has_cdev(chip: &Chip) -> bool {
    cfg!(CONFIG_PWM_LEGACY_CDEV) || chip.supports_waveform()
}

/// Adds the chip's device, with its character device if [`has_cdev`]
/// (`cdev_device_add`).
///
/// # Safety
///
/// The chip is being registered by its bound driver, named and not added yet.
pub(crate) unsafe fn add(chip: &Chip, owner: *mut bindings::module) -> Result {
    let raw = chip.as_raw();
    if has_cdev(chip) {
        let region = REGION.as_ref().ok_or(ENODEV)?;
        match region.devt(chip.id()) {
            // SAFETY: The chip is not registered yet; these fields are the core's to set, and
            // the cdev is the chip's (as `CdevOwner for Chip` requires).
            Some(devt) => unsafe {
                (*raw).dev.devt = devt;
                bindings::cdev_init(&raw mut (*raw).cdev, FOPS.as_raw());
                (*raw).cdev.owner = owner;
            },
            None => dev_warn!(chip.device(), "chip id too high to create a chardev\n"),
        }
    }
    // SAFETY: The device is initialised and named; the cdev is initialised if `devt` is set.
    to_result(unsafe { bindings::cdev_device_add(&raw mut (*raw).cdev, chip.dev()) })
}

/// Deletes what [`add`] added (`cdev_device_del`). Open files stay valid.
pub(crate) fn del(chip: &Chip) {
    let raw = chip.as_raw();
    // SAFETY: `add` added both.
    unsafe { bindings::cdev_device_del(&raw mut (*raw).cdev, chip.dev()) };
}

/// An open `/dev/pwmchipN`.
///
/// # Invariants
///
/// Every non-NULL entry of `held` is a channel of `chip` requested for this
/// file, under the label of the same index in `labels`; it is put back
/// once, by `FREE` or when the file is released. Until the release, when
/// no ioctl runs any more, entries are set and cleared with `labels` locked,
/// and cleared with the chip's ops lock held too, so a channel found under
/// the ops lock stays held until it is released.
#[pin_data]
struct OpenFile {
    chip: ARef<Chip>,
    /// The channels this file holds, by index; NULL for those it does not.
    held: KVec<AtomicPtr<bindings::pwm_device>>,
    /// The labels the held channels were requested under; serialises
    /// `REQUEST` and `FREE`.
    #[pin]
    labels: Mutex<KVec<Option<CString>>>,
}

impl OpenFile {
    fn request(&self, hwpwm: u32) -> Result {
        let mut labels = self.labels.lock();
        let slot = self.held.get(hwpwm as usize).ok_or(EINVAL)?;
        let label_slot = labels.get_mut(hwpwm as usize).ok_or(EINVAL)?;
        if !slot.load(Ordering::Relaxed).is_null() {
            return Ok(());
        }
        let pid = kernel::current!().pid();
        let label = CString::try_from_fmt(fmt!("pwm-cdev (pid={pid})"))?;
        let pwm = request::request(&self.chip, hwpwm, label.as_char_ptr())?;
        // INVARIANT: Requested for this file under `label`, with `labels` locked.
        slot.store(pwm.as_raw(), Ordering::Relaxed);
        *label_slot = Some(label);
        Ok(())
    }

    fn free(&self, hwpwm: u32) -> Result {
        let mut labels = self.labels.lock();
        let slot = self.held.get(hwpwm as usize).ok_or(EINVAL)?;
        // INVARIANT: Cleared under the ops lock: no op of this file is in progress on it.
        let pwm = self
            .chip
            .with_ops_lock(|_| slot.swap(ptr::null_mut(), Ordering::Relaxed));
        if !pwm.is_null() {
            // SAFETY: By the type invariant requested for this file; no longer in `held`.
            unsafe { request::put(pwm) };
            // After the put, which clears the channel's pointer to it.
            if let Some(label) = labels.get_mut(hwpwm as usize) {
                *label = None;
            }
        }
        Ok(())
    }

    /// Puts back every channel the file still holds, when it is released and
    /// no ioctl runs on it any more.
    fn release_held(&self) {
        for slot in self.held.iter() {
            let pwm = slot.swap(ptr::null_mut(), Ordering::Relaxed);
            if !pwm.is_null() {
                // SAFETY: By the type invariant requested for this file and not yet put
                // back; the labels are dropped after this, with the file.
                unsafe { request::put(pwm) };
            }
        }
    }

    /// Channel `hwpwm` if this file holds it (`-EINVAL` if not). Called
    /// under the chip's ops lock, which `_ops` stands for: the channel stays
    /// held while it is.
    fn held<'a>(&'a self, _ops: &'a Ops<'_>, hwpwm: u32) -> Result<&'a Pwm> {
        let pwm = self
            .held
            .get(hwpwm as usize)
            .ok_or(EINVAL)?
            .load(Ordering::Relaxed);
        if pwm.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant a channel of `chip`, requested for this file and put
        // back only after its entry is cleared under the ops lock, held for `'a`.
        Ok(unsafe { Pwm::from_raw(pwm) })
    }
}

// The user copies are C, not `kernel::uaccess`: one user-access section with
// a load or store per field, which Rust cannot write, costs 20 instructions
// where `copy_{from,to}_user()`'s string copy costs 54, a sixth of a
// `SETROUNDEDWF` (README, `make bench`).
unsafe extern "C" {
    /// Copies a `struct pwmchip_waveform` from userspace (`exports.c`).
    fn pwm_core_get_user_wf(wf: *mut PwmchipWaveform, uwf: *const c_void) -> c_int;
    /// Copies a `struct pwmchip_waveform` to userspace (`exports.c`).
    fn pwm_core_put_user_wf(uwf: *mut c_void, wf: *const PwmchipWaveform) -> c_int;
}

/// Copies a `struct pwmchip_waveform` from userspace into `buf`.
fn read_wf(arg: c_ulong, buf: &mut MaybeUninit<PwmchipWaveform>) -> Result<&mut PwmchipWaveform> {
    // SAFETY: `buf` is valid for writes; the user pointer is checked by the copy.
    op_result(unsafe { pwm_core_get_user_wf(buf.as_mut_ptr(), arg as *const c_void) })?;
    // SAFETY: The copy succeeded, so it wrote every field.
    let cwf = unsafe { buf.assume_init_mut() };
    if cwf.__pad != 0 {
        return Err(EINVAL);
    }
    Ok(cwf)
}

/// Copies a `struct pwmchip_waveform` to userspace.
fn write_wf(arg: c_ulong, cwf: &PwmchipWaveform) -> Result {
    // SAFETY: `cwf` is valid for reads; the user pointer is checked by the copy.
    op_result(unsafe { pwm_core_put_user_wf(arg as *mut c_void, cwf) })
}

/// `GETWF` and `ROUNDWF` on a chip with only the legacy ops; the ops lock
/// is held. `GETWF` reads the driver's state as a waveform; `ROUNDWF` would
/// need the driver to apply a state to learn how it rounds it.
#[cold]
fn legacy_read(ops: &Ops<'_>, pwm: &Pwm, cmd: c_uint, wf: &mut bindings::pwm_waveform) -> Result {
    if cmd != IOCTL_GETWF {
        // The checks of waveform chips come first, as for every ioctl.
        return Err(if waveform::valid(wf) {
            EOPNOTSUPP
        } else {
            EINVAL
        });
    }
    let mut st = bindings::pwm_state::default();
    op_result(state::state_hw_locked(ops, pwm, &mut st))?;
    *wf = waveform::from_state(&st);
    Ok(())
}

/// `SETROUNDEDWF` and `SETEXACTWF` on a chip with only the legacy ops; the
/// ops lock is held. The waveform is applied as the state that produces it
/// (an offset that is not an inversion is rounded down to 0); whether the
/// driver rounds that state is not known, so an exact request cannot be
/// honoured.
#[cold]
fn legacy_set(ops: &Ops<'_>, pwm: &Pwm, cmd: c_uint, wf: &bindings::pwm_waveform) -> Result {
    if !waveform::valid(wf) {
        return Err(EINVAL);
    }
    if cmd != IOCTL_SETROUNDEDWF {
        return Err(EOPNOTSUPP);
    }
    // As for waveform chips, only an exact request that cannot be met
    // returns -EDOM.
    match state::apply_ops_locked(ops, pwm, &waveform::to_state(wf)) {
        Err(e) if e == EDOM => Err(EINVAL),
        r => r,
    }
}

fn ioctl(file: &OpenFile, cmd: c_uint, arg: c_ulong) -> Result {
    // Without a lock: each op checks again under the chip's lock.
    if !file.chip.is_live() {
        return Err(ENODEV);
    }
    match cmd {
        // The channel index is the argument itself, truncated as C does.
        IOCTL_REQUEST => file.request(arg as u32),
        IOCTL_FREE => file.free(arg as u32),
        // The reads share a call site of the chip's ops lock, which is
        // inlined for each kind of lock; the writes, the hot path, have
        // their own.
        IOCTL_ROUNDWF | IOCTL_GETWF => {
            let mut buf = MaybeUninit::uninit();
            let cwf = read_wf(arg, &mut buf)?;
            if cmd == IOCTL_GETWF {
                cwf.wf = bindings::pwm_waveform::default();
            }
            file.chip.with_live_ops(|ops| {
                let pwm = file.held(ops, cwf.hwpwm)?;
                if !ops.has_waveform() {
                    return legacy_read(ops, pwm, cmd, &mut cwf.wf);
                }
                if cmd == IOCTL_GETWF {
                    op_result(waveform::read_locked(ops, pwm, &mut cwf.wf))
                } else {
                    // Rounding up is not reported, as for SETROUNDEDWF.
                    waveform::round_locked(ops, pwm, &mut cwf.wf).map(|_| ())
                }
            })??;
            write_wf(arg, cwf)
        }
        IOCTL_SETROUNDEDWF | IOCTL_SETEXACTWF => {
            let mut buf = MaybeUninit::uninit();
            let cwf = read_wf(arg, &mut buf)?;
            file.chip.with_live_ops(|ops| {
                let pwm = file.held(ops, cwf.hwpwm)?;
                if !ops.has_waveform() {
                    return legacy_set(ops, pwm, cmd, &cwf.wf);
                }
                op_result(waveform::set_locked(
                    ops,
                    pwm,
                    &cwf.wf,
                    cmd == IOCTL_SETEXACTWF,
                ))
            })?
        }
        _ => Err(ENOTTY),
    }
}

// SAFETY: `add` initialises the cdev embedded in a chip, and only those, with `FOPS`; the
// cdev holds the chip's device while it can be opened, and the device's release frees the chip.
unsafe impl CdevOwner for Chip {
    unsafe fn from_cdev<'a>(cdev: *mut bindings::cdev) -> &'a Self {
        // SAFETY: As the caller guarantees, `cdev` is the cdev of a live chip.
        unsafe { Chip::from_raw(kernel::container_of!(cdev, bindings::pwm_chip, cdev)) }
    }
}

#[vtable]
impl FileOperations for OpenFile {
    type Owner = Chip;
    type Ptr = Pin<KBox<OpenFile>>;

    fn open(chip: &Chip, _file: &File) -> Result<Self::Ptr> {
        if !chip.lock_control().is_operational() {
            return Err(ENXIO);
        }
        let npwm = chip.npwm() as usize;
        let mut held = KVec::with_capacity(npwm, GFP_KERNEL)?;
        let mut labels = KVec::with_capacity(npwm, GFP_KERNEL)?;
        // Within the capacity just allocated: cannot fail.
        for _ in 0..npwm {
            held.push_within_capacity(AtomicPtr::new(ptr::null_mut()))
                .map_err(|_| ENOMEM)?;
            labels.push_within_capacity(None).map_err(|_| ENOMEM)?;
        }
        KBox::pin_init(
            try_pin_init!(OpenFile {
                chip: ARef::from(chip),
                held,
                labels <- new_mutex!(labels),
            }),
            GFP_KERNEL,
        )
    }

    fn release(file: Self::Ptr, _: &File) {
        file.release_held();
    }

    // Inlined into the C callback: the hot path, with one call layer less.
    #[inline(always)]
    fn ioctl(file: Pin<&OpenFile>, _: &File, cmd: u32, arg: usize) -> Result<isize> {
        ioctl(&file, cmd, arg as c_ulong).map(|()| 0)
    }
}

static FOPS: Fops<OpenFile> = Fops::new();
