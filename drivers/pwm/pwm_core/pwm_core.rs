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
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::ffi::c_int;

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
