// SPDX-License-Identifier: GPL-2.0

//! KUnit suites of the PWM core, driving it through the C API of
//! `<linux/pwm.h>` as C drivers and consumers do.
//!
//! Because the cases use only the C API, the same suites check whichever
//! core is built (the Rust core, or `core.c` with `CONFIG_PWM_RUST_CORE=n`,
//! where the lifetime cases show what the C core gets wrong).
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

/// Prefix of the suites' log messages.
const __LOG_PREFIX: &[u8] = b"pwm_kunit\0";

/// Fails the running case when `$cond` is false, by returning an error from
/// it: unlike a KUnit assertion, which ends the case at once, this lets the
/// case's devices and chips be dropped, so one failure does not leak into
/// the next cases.
macro_rules! check {
    ($cond:expr $(,)?) => {
        if !$cond {
            kernel::pr_err!(
                "check failed at {}:{}: {}\n",
                file!(),
                line!(),
                stringify!($cond)
            );
            return Err(kernel::error::code::EBADMSG);
        }
    };
}

/// [`check!`] that two values are equal, printing both when they are not.
macro_rules! check_eq {
    ($a:expr, $b:expr $(,)?) => {{
        let (a, b) = (&$a, &$b);
        if *a != *b {
            kernel::pr_err!(
                "check failed at {}:{}: {} == {}: {:?} != {:?}\n",
                file!(),
                line!(),
                stringify!($a),
                stringify!($b),
                a,
                b
            );
            return Err(kernel::error::code::EBADMSG);
        }
    }};
}

/// `$e?`, printing where and what failed when `$e` is an error.
macro_rules! tri {
    ($e:expr $(,)?) => {
        match $e {
            Ok(v) => v,
            Err(e) => {
                kernel::pr_err!(
                    "failed at {}:{}: {}: {:?}\n",
                    file!(),
                    line!(),
                    stringify!($e),
                    e
                );
                return Err(e);
            }
        }
    };
}

/// [`check!`] that two values differ.
macro_rules! check_ne {
    ($a:expr, $b:expr $(,)?) => {
        check!($a != $b)
    };
}

mod apply;
mod capi;
#[cfg(CONFIG_PWM_DEBUG)]
mod debug;
#[cfg(CONFIG_PWM_PROVIDE_GPIO)]
mod gpio;
mod lifetime;
mod locking;
mod of;
mod rust_api;
#[cfg(all(CONFIG_PWM_SIM, CONFIG_LEDS_PWM, CONFIG_SAMPLE_RUST_PWM_CONSUMER))]
mod sim_dt;
mod swnode;
mod test_chip;
mod waveform;
