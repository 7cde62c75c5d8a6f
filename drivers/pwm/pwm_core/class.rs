// SPDX-License-Identifier: GPL-2.0

//! The `pwm` device class, to which every chip's device belongs, with the
//! sysfs attributes and PM ops of [`crate::sysfs`].
//!
//! This is where the driver core calls the core with a bare `struct device`
//! that is a chip's, so the mapping back to the chip ([`DeviceOwner`] for
//! [`Chip`]) and the C PM callbacks live here, next to the class that makes
//! them true.
//!
//! C header: [`include/linux/device/class.h`](srctree/include/linux/device/class.h)

use kernel::{
    bindings,
    error::to_result,
    prelude::*,
    str::as_char_ptr_in_const_context,
    sysfs::DeviceOwner,
    types::Opaque, //
};

use crate::{
    chip::Chip,
    sysfs, //
};

/// A `struct class` in static memory.
#[repr(transparent)]
struct StaticClass(Opaque<bindings::class>);

// SAFETY: The driver core serialises all access to a registered class; the core only passes
// its address around.
unsafe impl Sync for StaticClass {}

static PWM_CLASS: StaticClass = StaticClass(Opaque::new(bindings::class {
    name: as_char_ptr_in_const_context(c"pwm"),
    dev_groups: sysfs::CHIP_GROUPS.as_raw(),
    #[cfg(CONFIG_PM_SLEEP)]
    pm: PM_OPS.0.get(),
    // SAFETY: All-zero is valid for the other members of a `struct class`: no callbacks.
    ..unsafe { core::mem::zeroed() }
}));

/// The `pwm` class.
pub(crate) fn pwm_class() -> *const bindings::class {
    PWM_CLASS.0.get()
}

/// Registers the `pwm` class; called once, at initialisation.
pub(crate) fn register() -> Result {
    // SAFETY: The class is static and registered once.
    to_result(unsafe { bindings::class_register(pwm_class()) })
}

// SAFETY: The class's `dev_groups` (`sysfs::CHIP_GROUPS`) are the only groups of `Chip`, and
// every device of the class is the device embedded in a chip, which its release frees: while
// the device is registered the chip is alive.
unsafe impl DeviceOwner for Chip {
    unsafe fn from_device<'a>(dev: *mut bindings::device) -> &'a Self {
        // SAFETY: As the caller guarantees, `dev` is the device of a chip from
        // `pwmchip_alloc`, alive for `'a`.
        unsafe { Chip::from_raw(kernel::container_of!(dev, bindings::pwm_chip, dev)) }
    }
}

/// Runs a PM callback of [`crate::sysfs`] on the chip of `dev`.
///
/// # Safety
///
/// `dev` is a device of the class, registered during the call.
#[cfg(CONFIG_PM_SLEEP)]
unsafe fn pm_call(dev: *mut bindings::device, f: fn(&Chip) -> Result) -> kernel::ffi::c_int {
    // SAFETY: As the caller guarantees: every device of the class is a chip's.
    let chip = unsafe { Chip::from_device(dev) };
    match f(chip) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called by the PM core, on a device of the class.
#[cfg(CONFIG_PM_SLEEP)]
unsafe extern "C" fn pwm_class_suspend(dev: *mut bindings::device) -> kernel::ffi::c_int {
    // SAFETY: The class's PM ops are only called for its devices, registered meanwhile.
    unsafe { pm_call(dev, sysfs::suspend) }
}

/// # Safety
///
/// Called by the PM core, on a device of the class.
#[cfg(CONFIG_PM_SLEEP)]
unsafe extern "C" fn pwm_class_resume(dev: *mut bindings::device) -> kernel::ffi::c_int {
    // SAFETY: As in `pwm_class_suspend`.
    unsafe { pm_call(dev, sysfs::resume) }
}

/// The class's PM ops, in static memory.
#[cfg(CONFIG_PM_SLEEP)]
#[repr(transparent)]
struct PmOps(Opaque<bindings::dev_pm_ops>);

#[cfg(CONFIG_PM_SLEEP)]
// SAFETY: Built at compile time and only read.
unsafe impl Sync for PmOps {}

/// As `DEFINE_SIMPLE_DEV_PM_OPS(pwm_class_pm_ops, pwm_class_suspend,
/// pwm_class_resume)`.
#[cfg(CONFIG_PM_SLEEP)]
static PM_OPS: PmOps = PmOps(Opaque::new(bindings::dev_pm_ops {
    suspend: Some(pwm_class_suspend),
    resume: Some(pwm_class_resume),
    freeze: Some(pwm_class_suspend),
    thaw: Some(pwm_class_resume),
    poweroff: Some(pwm_class_suspend),
    restore: Some(pwm_class_resume),
    // SAFETY: All-zero is valid for the other callbacks: none.
    ..unsafe { core::mem::zeroed() }
}));
