// SPDX-License-Identifier: GPL-2.0

//! PWM: chips for drivers, channels for consumers.
//!
//! Drivers implement [`Ops`] on their driver data, allocate a [`Chip`] with
//! [`Chip::new`] (the data is initialised inside the chip's own allocation)
//! and register it bound to their parent device with
//! [`UnregisteredChip::register`]. Consumers request a channel with
//! [`Device::get`] and apply [`State`]s or [`Waveform`]s to it.
//!
//! The PWM core serialises each chip's ops under the chip's own lock (a mutex,
//! for [`Atomic`] chips a spinlock and for [`RawAtomic`] chips a raw spinlock,
//! both with interrupts disabled), never calls an op after the chip was
//! removed, and makes every consumer call after that fail with `ENODEV`: the
//! types here rely on it. A chip's driver data is dropped when the chip is
//! removed, while its driver is bound; what outlives that is an [`AnyChip`].
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

mod chip;
mod consumer;
mod ops;
mod state;

pub use chip::{
    AnyChip,
    Channel,
    Chip,
    UnregisteredChip, //
};
pub use consumer::Device;
pub use ops::{
    has_op,
    is_atomic,
    is_raw_atomic,
    Atomic,
    Context,
    Op,
    Ops,
    RawAtomic,
    RoundedWfHw,
    Sleeping, //
};
pub use state::{
    Capture,
    Polarity,
    Rounded,
    State,
    Waveform, //
};

/// Declares a module with a single platform driver of PWM chips, importing
/// the `PWM` symbol namespace the core exports in.
///
/// Takes the arguments of [`module_platform_driver!`](crate::module_platform_driver).
#[macro_export]
macro_rules! module_pwm_platform_driver {
    ($($user_args:tt)*) => {
        $crate::module_platform_driver! {
            $($user_args)*
            imports_ns: ["PWM"],
        }
    };
}
