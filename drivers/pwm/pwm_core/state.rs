// SPDX-License-Identifier: GPL-2.0

//! Applying and reading legacy states (`struct pwm_state`).
//!
//! On a chip with waveform ops a state is converted to a waveform and
//! written through them; otherwise the driver's `apply` gets it. An unchanged
//! state is not applied again.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::sync::atomic::{
    AtomicBool,
    Ordering, //
};
use kernel::{
    bindings::{
        self,
        pwm_state, //
    },
    ffi::c_int,
    prelude::*, //
};

use crate::{
    chip::{
        op_result,
        Ops,
        Pwm,
        WfHw, //
    },
    debug, waveform,
};

/// A disabled state is always valid (its other fields mean nothing); an
/// enabled one needs a period and a duty cycle within it.
fn valid(state: &pwm_state) -> bool {
    !state.enabled || (state.period != 0 && state.duty_cycle <= state.period)
}

fn same(a: &pwm_state, b: &pwm_state) -> bool {
    a.period == b.period
        && a.duty_cycle == b.duty_cycle
        && a.polarity == b.polarity
        && a.enabled == b.enabled
        && a.usage_power == b.usage_power
}

/// Applies `state` to `pwm`; the ops lock is held. Inlined into its two
/// callers: it is the path of sysfs and of every consumer.
#[inline(always)]
fn apply_locked(ops: &Ops<'_>, pwm: &Pwm, state: &pwm_state) -> Result {
    if !valid(state) {
        // One invalid state may follow another: this lets sysfs users change
        // one attribute at a time, starting from hardware defaults such as a
        // zero period.
        if !valid(&pwm.state()) {
            pwm.set_state(state);
            return Ok(());
        }
        return Err(EINVAL);
    }
    if same(state, &pwm.state()) {
        return Ok(());
    }

    if ops.has_waveform() {
        let wf = waveform::from_state(state);
        let mut wfhw = WfHw::new();
        let err = ops.round_tohw(pwm, &wf, &mut wfhw);
        if err > 0 {
            // The hardware cannot go as low as asked (period or offset).
            return Err(EINVAL);
        }
        op_result(err)?;
        if debug::ENABLED {
            debug::check_state_rounding(ops, pwm, &wf, &wfhw)?;
        }
        op_result(ops.write_waveform(pwm, &wfhw))?;
        pwm.set_state(state);
    } else {
        op_result(ops.apply(pwm, state))?;
        pwm.set_state(state);
        // After `state` is recorded: some drivers' `get_state` rely on it.
        if debug::ENABLED {
            debug::check_apply(ops, pwm, state);
        }
    }
    Ok(())
}

/// Applies `state` to `pwm` with the ops lock held, for callers outside
/// the hot paths (the character device of legacy chips).
#[inline(never)]
pub(crate) fn apply_ops_locked(ops: &Ops<'_>, pwm: &Pwm, state: &pwm_state) -> Result {
    apply_locked(ops, pwm, state)
}

/// `pwm_apply_might_sleep()`.
pub(crate) fn apply_might_sleep(pwm: &Pwm, state: &pwm_state) -> Result {
    let chip = pwm.chip();
    chip.might_sleep();
    chip.with_live_ops(|ops| apply_locked(ops, pwm, state))?
}

/// Measures the signal at a channel's input (the driver's `capture`), for
/// the sysfs `capture` attribute. Sleeps.
pub(crate) fn capture(
    pwm: &Pwm,
    result: &mut bindings::pwm_capture,
    timeout_ms: kernel::ffi::c_ulong,
) -> Result {
    let mut control = pwm.chip().lock_control();
    control.live()?.capture(pwm, result, timeout_ms)
}

/// `pwm_apply_atomic()`: legal in atomic context, including hard-IRQ
/// context, for chips that registered as atomic.
pub(crate) fn apply_atomic(pwm: &Pwm, state: &pwm_state) -> Result {
    static WARNED: AtomicBool = AtomicBool::new(false);
    let chip = pwm.chip();
    let atomic = chip.is_atomic();
    if !atomic && !WARNED.swap(true, Ordering::Relaxed) {
        crate::log::warning!("sleeping PWM driver used in atomic context\n");
        kernel::warn_on!(true);
    }
    chip.with_live_ops_as(atomic, |ops| apply_locked(ops, pwm, state))?
}

/// Reads the state the hardware has; the ops lock is held.
///
/// Returns the driver's result; `-EOPNOTSUPP` if it cannot read its state.
pub(crate) fn state_hw_locked(ops: &Ops<'_>, pwm: &Pwm, state: &mut pwm_state) -> c_int {
    if ops.has_waveform() && ops.has_read_waveform() {
        let mut wf = bindings::pwm_waveform::default();
        let ret = waveform::read_locked(ops, pwm, &mut wf);
        if ret != 0 {
            return ret;
        }
        *state = waveform::to_state(&wf);
        0
    } else if ops.has_get_state() {
        ops.get_state(pwm, state)
    } else {
        EOPNOTSUPP.to_errno()
    }
}

/// `pwm_get_state_hw()`.
pub(crate) fn get_state_hw(pwm: &Pwm, state: &mut pwm_state) -> c_int {
    let chip = pwm.chip();
    chip.might_sleep();
    chip.with_live_ops(|ops| state_hw_locked(ops, pwm, state))
        .unwrap_or_else(|e| e.to_errno())
}

/// `pwm_adjust_config()`: brings the channel's state in line with the
/// period and polarity its consumer was given (from DT, ACPI or a lookup
/// table), keeping the relative duty cycle.
pub(crate) fn adjust_config(pwm: &Pwm) -> Result {
    let args = pwm.args();
    let mut state = pwm.state();

    // A zero period: the driver cannot read the hardware or nobody set it up.
    if state.period == 0 {
        state.duty_cycle = 0;
        state.period = args.period;
        state.polarity = args.polarity;
        return apply_might_sleep(pwm, &state);
    }
    if args.period != state.period {
        state.duty_cycle = state.duty_cycle.wrapping_mul(args.period) / state.period;
        state.period = args.period;
    }
    if args.polarity != state.polarity {
        state.polarity = args.polarity;
        state.duty_cycle = state.period.wrapping_sub(state.duty_cycle);
    }
    apply_might_sleep(pwm, &state)
}
