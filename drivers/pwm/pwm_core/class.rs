// SPDX-License-Identifier: GPL-2.0

//! The `pwm` device class, to which every chip's device belongs, with the
//! sysfs attributes and PM ops of [`crate::sysfs`].
//!
//! C header: [`include/linux/device/class.h`](srctree/include/linux/device/class.h)

use kernel::{
    bindings,
    error::to_result,
    prelude::*,
    str::as_char_ptr_in_const_context,
    types::Opaque, //
};

use crate::sysfs;

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
    pm: sysfs::PM_OPS.as_ptr(),
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
