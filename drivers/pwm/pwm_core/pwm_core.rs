// SPDX-License-Identifier: GPL-2.0

//! The PWM core, in Rust: chips, their lifetime and locking, lookup, and the
//! apply paths of `<linux/pwm.h>`.
//!
//! This crate replaces `drivers/pwm/core.c`; it links into `core.o` with
//! `exports.c`, which exports the C API to modules in the `PWM`
//! namespace and runs [`pwm_core_init`] at `subsys_initcall` time.
//!
//! - Lifetime: a chip is one allocation whose embedded `struct device` is
//!   the reference count ([`chip`]). Drivers, the registry and every
//!   requested channel hold references. `pwmchip_remove` revokes the chip:
//!   afterwards no driver op of it is ever called, and every call through a
//!   handle taken earlier fails with `-ENODEV` until the last `pwm_put`.
//! - Locking: each chip has a control mutex (request, free, capture,
//!   removal, and every op of a sleeping chip) and, for atomic chips, a raw
//!   spinlock taken with interrupts saved (apply, get_state, waveform ops),
//!   so `pwm_apply_atomic` works in hard-IRQ context. Global mutexes cover
//!   only the registry and the lookup tables ([`registry`]) and are never
//!   held across a driver op.
//!
//! Layers, each using only those below it (and the leaves `log`,
//! `trace`, `owner`, which use none):
//!
//! 1. `chip`: the chip and its channels, their locks and the driver
//!    ops; it names `class`'s static class and calls `debug`'s checks,
//!    which take its types, and nothing else of the crate.
//! 2. `waveform`, `state`, `request`, `debug`: what is done with a
//!    chip: conversions, applying, requesting.
//! 3. `registry`, `xlate`, `lookup`: finding chips and channels.
//! 4. The userspace and GPIO interfaces, `sysfs` (with `class`, where
//!    the driver core's callbacks with a bare device come in), `cdev`,
//!    `debugfs`, `gpio`: on layers 1 to 3, never on `register` or
//!    `capi`; `sysfs.rs` and `cdev.rs` stand on `kernel::sysfs` (each
//!    exported channel's `pwmN` is a `kernel::sysfs::ChildDevice`) and
//!    `kernel::chrdev`.
//! 5. `register`: adding and removing chips, which sets up and tears down
//!    the interfaces.
//! 6. `capi`: the C entry points. No module uses it; the lower layers
//!    name its exported functions through `bindings` where C needs their
//!    addresses (a chip's `release`, the default `of_xlate`).
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::{
    ffi::c_int,
    prelude::*,
    ModuleMetadata,
    ThisModule, //
};

pub mod capi;
mod cdev;
mod chip;
mod class;
mod debug;
#[cfg(CONFIG_DEBUG_FS)]
mod debugfs;
#[cfg(CONFIG_PWM_PROVIDE_GPIO)]
mod gpio;
mod log;
mod lookup;
mod owner;
mod register;
mod registry;
mod request;
mod state;
mod sysfs;
mod trace;
mod waveform;
mod xlate;

/// The module of this crate's `#[vtable]` implementations: none, as the
/// core is built in.
struct LocalModule;

impl ModuleMetadata for LocalModule {
    const NAME: &'static CStr = c"pwm_core";

    const THIS_MODULE: ThisModule = {
        // SAFETY: Built-in code has no module; NULL is what `THIS_MODULE` is there.
        unsafe { ThisModule::from_ptr(core::ptr::null_mut()) }
    };
}

/// Initialises the core: the registries, the character devices' numbers
/// and the `pwm` class.
///
/// Called once by `exports.c` at `subsys_initcall` time, before any
/// PWM driver or consumer runs.
#[no_mangle]
pub extern "C" fn pwm_core_init() -> c_int {
    // SAFETY: Called once, before any other use of the registries.
    unsafe { registry::init() };
    if let Err(e) = cdev::init() {
        log::err!("Failed to initialize chrdev region for PWM usage\n");
        return e.to_errno();
    }
    #[cfg(CONFIG_DEBUG_FS)]
    debugfs::init();
    match class::register() {
        Ok(()) => 0,
        Err(e) => {
            log::err!("Failed to initialize PWM class (-{:?})\n", e);
            e.to_errno()
        }
    }
}
