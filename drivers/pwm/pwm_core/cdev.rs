// SPDX-License-Identifier: GPL-2.0

//! The character device `/dev/pwmchipN` of waveform chips
//! (`<uapi/linux/pwm.h>`): channels requested per open file and released on
//! close, and the waveform ioctls.
//!
//! Unlike the C core, no global lock is held across an ioctl: each open file
//! has its own mutex, the chip's lock is taken only around its driver ops,
//! and a removed chip makes every ioctl fail with `-ENODEV` while `close`
//! still releases everything. Minors cover every chip id, not only the first
//! 256, and 32-bit processes get the same ioctls through `compat_ioctl`.
//!
//! C header: [`include/uapi/linux/pwm.h`](srctree/include/uapi/linux/pwm.h)

use core::{
    mem::size_of,
    ptr, //
};
use kernel::{
    bindings,
    error::to_result,
    ffi::{
        c_int,
        c_uint,
        c_ulong,
        c_void, //
    },
    new_mutex,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        Mutex, //
    },
    types::Opaque,
};

use crate::{
    chip::{
        Chip,
        Pwm, //
    },
    request, waveform,
};

/// Minors reserved for chips: all of them, so every chip id gets a node.
const MINORS: c_uint = 1 << bindings::MINORBITS;

/// The first device number of the region, set once at initialisation.
static mut DEVT: bindings::dev_t = 0;

const fn ioc(dir: u32, nr: u32, size: usize) -> c_uint {
    (dir << bindings::_IOC_DIRSHIFT)
        | (0x75 << bindings::_IOC_TYPESHIFT)
        | (nr << bindings::_IOC_NRSHIFT)
        | ((size as u32) << bindings::_IOC_SIZESHIFT)
}

/// `struct pwmchip_waveform` of `<uapi/linux/pwm.h>`; the same layout for
/// 32- and 64-bit processes.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct PwmchipWaveform {
    hwpwm: u32,
    __pad: u32,
    period_length_ns: u64,
    duty_length_ns: u64,
    duty_offset_ns: u64,
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
    let mut devt: bindings::dev_t = 0;
    // SAFETY: `devt` is valid for writes; the name is static.
    to_result(unsafe {
        bindings::alloc_chrdev_region(&mut devt, 0, MINORS, c"pwm".as_char_ptr())
    })?;
    // SAFETY: Written once, before any chip registers; read-only afterwards.
    unsafe { DEVT = devt };
    Ok(())
}

/// Whether `chip` gets a character device: waveform chips do, as in C.
fn has_cdev(chip: &Chip) -> bool {
    chip.supports_waveform()
}

/// Adds the chip's device, with its character device for waveform chips
/// (`cdev_device_add`).
///
/// # Safety
///
/// The chip is being registered by its bound driver, named and not added yet.
pub(crate) unsafe fn add(chip: &Chip, owner: *mut bindings::module) -> Result {
    let raw = chip.as_raw();
    if has_cdev(chip) && chip.id() >= MINORS {
        // SAFETY: The chip's device is initialised.
        let dev: &kernel::device::Device = unsafe { kernel::device::Device::from_raw(chip.dev()) };
        dev_warn!(dev, "chip id too high to create a chardev\n");
    } else if has_cdev(chip) {
        // SAFETY: Set once, at initialisation.
        let major = unsafe { DEVT } >> bindings::MINORBITS;
        // SAFETY: The chip is not registered yet; these fields are the core's to set.
        unsafe {
            (*raw).dev.devt = (major << bindings::MINORBITS) | chip.id();
            bindings::cdev_init(&raw mut (*raw).cdev, FOPS.0.get());
            (*raw).cdev.owner = owner;
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

/// A channel an open file requested, with the label it was requested under.
struct Held {
    pwm: *mut bindings::pwm_device,
    _label: CString,
}

/// An open `/dev/pwmchipN`.
///
/// # Invariants
///
/// Every `Held` channel was requested for this file and is put back once,
/// by `FREE` or when the file is released.
#[pin_data(PinnedDrop)]
struct OpenFile {
    chip: ARef<Chip>,
    /// The channels this file holds, by index; serialises its ioctls.
    #[pin]
    held: Mutex<KVec<Option<Held>>>,
}

// SAFETY: The raw channel pointers are only used under `held`'s mutex, and the core accepts
// calls on them from any thread.
unsafe impl Send for OpenFile {}
// SAFETY: As for `Send`.
unsafe impl Sync for OpenFile {}

impl OpenFile {
    fn request(&self, hwpwm: u32) -> Result {
        let mut held = self.held.lock();
        let slot = held.get_mut(hwpwm as usize).ok_or(EINVAL)?;
        if slot.is_some() {
            return Ok(());
        }
        let pid = kernel::current!().pid();
        let label = CString::try_from_fmt(fmt!("pwm-cdev (pid={pid})"))?;
        let pwm = request::request(&self.chip, hwpwm, label.as_char_ptr())?;
        *slot = Some(Held {
            pwm: pwm.as_raw(),
            _label: label,
        });
        Ok(())
    }

    fn free(&self, hwpwm: u32) -> Result {
        let mut held = self.held.lock();
        let slot = held.get_mut(hwpwm as usize).ok_or(EINVAL)?;
        if let Some(h) = slot.take() {
            // SAFETY: By the type invariant requested for this file, and put back only here.
            unsafe { request::put(h.pwm) };
        }
        Ok(())
    }

    /// Runs `f` on channel `hwpwm` if this file holds it (`-EINVAL` if not).
    fn with_pwm<R>(&self, hwpwm: u32, f: impl FnOnce(&Pwm) -> Result<R>) -> Result<R> {
        let held = self.held.lock();
        let h = held
            .get(hwpwm as usize)
            .and_then(Option::as_ref)
            .ok_or(EINVAL)?;
        // SAFETY: By the type invariant the channel is requested, so its chip is alive.
        f(unsafe { Pwm::from_raw(h.pwm) })
    }
}

#[pinned_drop]
impl PinnedDrop for OpenFile {
    fn drop(self: Pin<&mut Self>) {
        for h in self.held.lock().iter_mut().filter_map(Option::take) {
            // SAFETY: By the type invariant requested for this file and not yet put back.
            unsafe { request::put(h.pwm) };
        }
    }
}

/// Copies a `struct pwmchip_waveform` from userspace.
fn read_wf(arg: c_ulong) -> Result<PwmchipWaveform> {
    let mut cwf = PwmchipWaveform::default();
    // SAFETY: `cwf` is valid for `WF_SIZE` bytes; the user pointer is checked by the copy.
    let left = unsafe {
        bindings::copy_from_user(
            ptr::from_mut(&mut cwf).cast(),
            arg as *const c_void,
            WF_SIZE as c_ulong,
        )
    };
    if left != 0 {
        return Err(EFAULT);
    }
    if cwf.__pad != 0 {
        return Err(EINVAL);
    }
    Ok(cwf)
}

/// Copies a waveform of channel `hwpwm` to userspace.
fn write_wf(arg: c_ulong, hwpwm: u32, wf: &bindings::pwm_waveform) -> Result {
    let cwf = PwmchipWaveform {
        hwpwm,
        __pad: 0,
        period_length_ns: wf.period_length_ns,
        duty_length_ns: wf.duty_length_ns,
        duty_offset_ns: wf.duty_offset_ns,
    };
    // SAFETY: `cwf` is valid for `WF_SIZE` bytes; the user pointer is checked by the copy.
    let left = unsafe {
        bindings::copy_to_user(
            arg as *mut c_void,
            ptr::from_ref(&cwf).cast(),
            WF_SIZE as c_ulong,
        )
    };
    if left != 0 {
        return Err(EFAULT);
    }
    Ok(())
}

fn to_wf(cwf: &PwmchipWaveform) -> bindings::pwm_waveform {
    bindings::pwm_waveform {
        period_length_ns: cwf.period_length_ns,
        duty_length_ns: cwf.duty_length_ns,
        duty_offset_ns: cwf.duty_offset_ns,
    }
}

fn ioctl(file: &OpenFile, cmd: c_uint, arg: c_ulong) -> Result {
    if !file.chip.lock_control().is_operational() {
        return Err(ENODEV);
    }
    match cmd {
        // The channel index is the argument itself, truncated as C does.
        IOCTL_REQUEST => file.request(arg as u32),
        IOCTL_FREE => file.free(arg as u32),
        IOCTL_ROUNDWF => {
            let cwf = read_wf(arg)?;
            let mut wf = to_wf(&cwf);
            file.with_pwm(cwf.hwpwm, |pwm| waveform::round(pwm, &mut wf).map(|_| ()))?;
            write_wf(arg, cwf.hwpwm, &wf)
        }
        IOCTL_GETWF => {
            let cwf = read_wf(arg)?;
            let mut wf = bindings::pwm_waveform::default();
            file.with_pwm(cwf.hwpwm, |pwm| to_result(waveform::get(pwm, &mut wf)))?;
            write_wf(arg, cwf.hwpwm, &wf)
        }
        IOCTL_SETROUNDEDWF | IOCTL_SETEXACTWF => {
            let cwf = read_wf(arg)?;
            let wf = to_wf(&cwf);
            if !waveform::valid(&wf) {
                return Err(EINVAL);
            }
            // Rounding up is not reported, as for ROUNDWF.
            file.with_pwm(cwf.hwpwm, |pwm| {
                to_result(waveform::set(pwm, &wf, cmd == IOCTL_SETEXACTWF))
            })
        }
        _ => Err(ENOTTY),
    }
}

/// # Safety
///
/// Called by the VFS for an inode of a chip's character device.
unsafe extern "C" fn open(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: The inode's cdev is embedded in a chip; opening holds a reference to the cdev,
    // whose parent is the chip's device, so the chip is alive.
    let chip = unsafe {
        Chip::from_raw(kernel::container_of!(
            (*inode).__bindgen_anon_5.i_cdev,
            bindings::pwm_chip,
            cdev
        ))
    };
    let result = (|| -> Result {
        if !chip.lock_control().is_operational() {
            return Err(ENXIO);
        }
        let mut held = KVec::with_capacity(chip.npwm() as usize, GFP_KERNEL)?;
        for _ in 0..chip.npwm() {
            held.push(None, GFP_KERNEL)?;
        }
        let data = KBox::pin_init(
            try_pin_init!(OpenFile {
                chip: ARef::from(chip),
                held <- new_mutex!(held),
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: `file` is being opened; its private data is ours until release, which
        // turns the pointer back into the box. The box is never moved.
        unsafe {
            (*file).private_data = KBox::into_raw(Pin::into_inner_unchecked(data)).cast();
        }
        Ok(())
    })();
    match result {
        // SAFETY: `inode` and `file` are the VFS's, being opened.
        Ok(()) => unsafe { bindings::nonseekable_open(inode, file) },
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called by the VFS once per file [`open`] succeeded on.
unsafe extern "C" fn release(_inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: `open` stored a leaked `KBox<OpenFile>`; this is the last use.
    drop(unsafe { KBox::from_raw((*file).private_data.cast::<OpenFile>()) });
    0
}

/// # Safety
///
/// Called by the VFS on a file [`open`] succeeded on, before its release.
unsafe extern "C" fn unlocked_ioctl(
    file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> kernel::ffi::c_long {
    // SAFETY: `open` stored an `OpenFile`, alive until release.
    let data = unsafe { &*(*file).private_data.cast::<OpenFile>() };
    match ioctl(data, cmd, arg) {
        Ok(()) => 0,
        Err(e) => e.to_errno() as kernel::ffi::c_long,
    }
}

/// `struct file_operations` in static memory.
#[repr(transparent)]
struct Fops(Opaque<bindings::file_operations>);

// SAFETY: Built at compile time and only read.
unsafe impl Sync for Fops {}

static FOPS: Fops = Fops(Opaque::new(bindings::file_operations {
    open: Some(open),
    release: Some(release),
    unlocked_ioctl: Some(unlocked_ioctl),
    // The ioctls' layouts are the same for 32-bit processes; only the
    // pointer needs converting.
    #[cfg(CONFIG_COMPAT)]
    compat_ioctl: bindings::compat_ptr_ioctl,
    // SAFETY: All-zero is valid for the other members: no owner (the core is built in), no
    // other operations.
    ..unsafe { core::mem::zeroed() }
}));
