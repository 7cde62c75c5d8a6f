// SPDX-License-Identifier: GPL-2.0

//! The waveform API and the bridge between waveforms and legacy states.
//!
//! A waveform is a period, a duty length and a duty offset in nanoseconds;
//! drivers with waveform ops round it to their hardware and back. Rounding
//! goes down wherever the hardware allows; a driver signals by returning 1
//! from `round_waveform_tohw` that it had to round up.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::cmp::Ordering;
use kernel::{
    bindings::{
        self,
        pwm_state,
        pwm_waveform, //
    },
    ffi::c_int,
    prelude::*, //
};

use crate::{
    chip::{
        Ops,
        Pwm,
        WfHw, //
    },
    debug,
};

/// Whether the core accepts `wf`: a period up to `S64_MAX` (room for future
/// extensions), a duty no longer than the period, and an offset below the
/// period (or zero with a zero period).
pub(crate) fn valid(wf: &pwm_waveform) -> bool {
    wf.period_length_ns <= i64::MAX as u64
        && wf.duty_length_ns <= wf.period_length_ns
        && (wf.duty_offset_ns == 0 || wf.duty_offset_ns < wf.period_length_ns)
}

/// The legacy state that produces `wf`.
///
/// A waveform whose active part wraps past the end of the period is the
/// inverse of a normal one. `wf` may come from a driver's read-back and break
/// the rules of [`valid`] (a duty longer than the period, as a bootloader may
/// leave the hardware): the arithmetic wraps, as upstream's does, and the
/// result is upstream's.
pub(crate) fn to_state(wf: &pwm_waveform) -> pwm_state {
    if wf.period_length_ns == 0 {
        return pwm_state::default();
    }
    let inversed = wf.duty_length_ns.wrapping_add(wf.duty_offset_ns) >= wf.period_length_ns;
    pwm_state {
        enabled: true,
        period: wf.period_length_ns,
        polarity: if inversed {
            bindings::pwm_polarity_PWM_POLARITY_INVERSED
        } else {
            bindings::pwm_polarity_PWM_POLARITY_NORMAL
        },
        duty_cycle: if inversed {
            wf.period_length_ns.wrapping_sub(wf.duty_length_ns)
        } else {
            wf.duty_length_ns
        },
        usage_power: false,
    }
}

/// The waveform a legacy state produces; a disabled state is the zero waveform.
pub(crate) fn from_state(state: &pwm_state) -> pwm_waveform {
    if !state.enabled {
        return pwm_waveform::default();
    }
    if state.polarity == bindings::pwm_polarity_PWM_POLARITY_NORMAL {
        pwm_waveform {
            period_length_ns: state.period,
            duty_length_ns: state.duty_cycle,
            duty_offset_ns: 0,
        }
    } else {
        pwm_waveform {
            period_length_ns: state.period,
            duty_length_ns: state.period.wrapping_sub(state.duty_cycle),
            duty_offset_ns: state.duty_cycle,
        }
    }
}

/// Orders waveforms by period, then duty length, then offset.
pub(crate) fn compare(a: &pwm_waveform, b: &pwm_waveform) -> Ordering {
    (a.period_length_ns, a.duty_length_ns, a.duty_offset_ns).cmp(&(
        b.period_length_ns,
        b.duty_length_ns,
        b.duty_offset_ns,
    ))
}

/// Rounds `wf` as the hardware would implement it.
///
/// Returns 0, or 1 if a value had to be rounded up; the ops lock is held.
pub(crate) fn round_locked(ops: &Ops<'_>, pwm: &Pwm, wf: &mut pwm_waveform) -> Result<c_int> {
    if !ops.has_waveform() {
        return Err(EOPNOTSUPP);
    }
    if !valid(wf) {
        return Err(EINVAL);
    }
    let req = *wf;
    let mut wfhw = WfHw::new();
    let ret_tohw = ops.round_tohw(pwm, wf, &mut wfhw);
    if ret_tohw < 0 {
        return Err(Error::from_errno(ret_tohw));
    }
    let ret_fromhw = ops.round_fromhw(pwm, &wfhw, wf);
    if ret_fromhw < 0 {
        return Err(Error::from_errno(ret_fromhw));
    }
    if debug::ENABLED {
        debug::check_round(pwm.chip(), &req, wf, ret_tohw, ret_fromhw);
    }
    Ok(ret_tohw)
}

/// Reads the waveform the hardware currently produces; the ops lock is held.
///
/// Returns what the driver's `round_waveform_fromhw` returned.
pub(crate) fn read_locked(ops: &Ops<'_>, pwm: &Pwm, wf: &mut pwm_waveform) -> c_int {
    if !ops.has_waveform() || !ops.has_read_waveform() {
        return EOPNOTSUPP.to_errno();
    }
    let mut wfhw = WfHw::new();
    let err = ops.read_waveform(pwm, &mut wfhw);
    if err != 0 {
        return err;
    }
    ops.round_fromhw(pwm, &wfhw, wf)
}

/// Writes `wf` to the hardware; the ops lock is held.
///
/// Returns 0, 1 if `exact` was asked and the hardware cannot match `wf`
/// exactly (nothing is written then), 1 from the driver's rounding otherwise,
/// or a negative errno.
#[inline(always)]
fn write_locked(ops: &Ops<'_>, pwm: &Pwm, wf: &pwm_waveform, exact: bool) -> c_int {
    if !ops.has_waveform() {
        return EOPNOTSUPP.to_errno();
    }
    if !valid(wf) {
        return EINVAL.to_errno();
    }
    let mut wfhw = WfHw::new();
    let ret_tohw = ops.round_tohw(pwm, wf, &mut wfhw);
    if ret_tohw < 0 {
        return ret_tohw;
    }
    // What the hardware will run: needed to refuse an inexact request, and
    // to check the driver's rounding. Filled in only then, so that the
    // common path does not clear it.
    let rounded = if (exact || debug::ENABLED) && wf.period_length_ns != 0 {
        let mut rounded = pwm_waveform::default();
        let err = ops.round_fromhw(pwm, &wfhw, &mut rounded);
        if err != 0 {
            return err;
        }
        if debug::ENABLED {
            debug::check_rounded(pwm.chip(), wf, &rounded, ret_tohw);
        }
        if exact && compare(wf, &rounded) != Ordering::Equal {
            return 1;
        }
        rounded
    } else {
        pwm_waveform::default()
    };
    let err = ops.write_waveform(pwm, &wfhw);
    if err != 0 {
        return err;
    }
    pwm.set_state(&to_state(wf));
    if debug::ENABLED && ops.has_read_waveform() && wf.period_length_ns != 0 {
        if let Err(e) = debug::check_written(ops, pwm, wf, &rounded) {
            return e.to_errno();
        }
    }
    ret_tohw
}

/// `pwm_round_waveform_might_sleep()`.
pub(crate) fn round(pwm: &Pwm, wf: &mut pwm_waveform) -> Result<c_int> {
    pwm.chip().with_live_ops(|ops| round_locked(ops, pwm, wf))?
}

/// `pwm_get_waveform_might_sleep()`.
pub(crate) fn get(pwm: &Pwm, wf: &mut pwm_waveform) -> c_int {
    pwm.chip()
        .with_live_ops(|ops| read_locked(ops, pwm, wf))
        .unwrap_or_else(|e| e.to_errno())
}

/// Writes `wf` as `pwm_set_waveform_might_sleep()` does; the ops lock is held.
///
/// Returns 0, `-EDOM` when `exact` cannot be met, or another negative errno.
/// Inlined into its two callers: `PWM_IOCTL_SETROUNDEDWF`'s path and
/// `pwm_set_waveform_might_sleep()`.
#[inline(always)]
pub(crate) fn set_locked(ops: &Ops<'_>, pwm: &Pwm, wf: &pwm_waveform, exact: bool) -> c_int {
    let err = write_locked(ops, pwm, wf, exact);
    // Only an exact request that cannot be met returns -EDOM.
    if err == 0 {
        0
    } else if err == EDOM.to_errno() {
        EINVAL.to_errno()
    } else if err == 1 {
        if exact {
            EDOM.to_errno()
        } else {
            0
        }
    } else {
        err
    }
}

/// `pwm_set_waveform_might_sleep()`: 0, `-EDOM` when `exact` cannot be met,
/// or another negative errno.
pub(crate) fn set(pwm: &Pwm, wf: &pwm_waveform, exact: bool) -> c_int {
    pwm.chip()
        .with_live_ops(|ops| set_locked(ops, pwm, wf, exact))
        .unwrap_or_else(|e| e.to_errno())
}
