// SPDX-License-Identifier: GPL-2.0

//! Kernel log messages without a prefix, as upstream's `pr_err()` and
//! `pr_warn()` print them: `core.c` defines no `pr_fmt`, and tools and
//! tests match its messages as they are.
//!
//! C header: [`include/linux/printk.h`](srctree/include/linux/printk.h)

use core::fmt;

/// A `KERN_*` level with the format that prints one `fmt::Arguments`.
#[cfg_attr(not(CONFIG_PRINTK), allow(dead_code))]
pub(crate) struct Level(&'static [u8; 6]);

/// `KERN_ERR`.
pub(crate) const ERR: Level = Level(b"\x013%pA\0");
/// `KERN_WARNING`.
pub(crate) const WARNING: Level = Level(b"\x014%pA\0");

/// Prints `args` at `level`, with no prefix.
#[cfg_attr(not(CONFIG_PRINTK), allow(unused_variables))]
pub(crate) fn print(level: Level, args: fmt::Arguments<'_>) {
    #[cfg(CONFIG_PRINTK)]
    // SAFETY: The format is a `KERN_*` level followed by `%pA`, which takes a pointer to a
    // `fmt::Arguments` that lives for the call.
    unsafe {
        kernel::bindings::_printk(
            level.0.as_ptr(),
            core::ptr::from_ref(&args).cast::<kernel::ffi::c_void>(),
        );
    }
}

/// `pr_err()` without a prefix.
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::log::print($crate::log::ERR, ::core::format_args!($($arg)*))
    };
}

/// `pr_warn()` without a prefix.
macro_rules! warning {
    ($($arg:tt)*) => {
        $crate::log::print($crate::log::WARNING, ::core::format_args!($($arg)*))
    };
}

pub(crate) use err;
pub(crate) use warning;
