// SPDX-License-Identifier: GPL-2.0

//! Checks of drivers under `CONFIG_PWM_DEBUG`.
//!
//! With the option set the core reads back what a driver programmed and
//! logs where the driver broke the rules of rounding: values may only be
//! rounded down (unless the driver says it rounded up), a legacy `apply`
//! must pick the best setting it can and be idempotent, and the hardware
//! must run what the rounding ops promised. Findings are logged, never
//! returned: the consumer's call has the result it would have without the
//! option. The messages are upstream's, so driver authors can compare logs.
//!
//! Atomic chips need no `non_block_start()` around their ops as upstream
//! does: the core always runs them under a spinlock (raw for raw atomic
//! chips) with interrupts off, where `CONFIG_DEBUG_ATOMIC_SLEEP` reports any
//! sleep whether or not this option is set.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::{
    bindings::{
        self,
        pwm_state,
        pwm_waveform, //
    },
    device::Device,
    ffi::c_int,
    prelude::*, //
};

use crate::{
    chip::{
        Chip,
        Ops,
        Pwm,
        WfHw, //
    },
    waveform,
};

/// Whether the checks run (`CONFIG_PWM_DEBUG`).
pub(crate) const ENABLED: bool = cfg!(CONFIG_PWM_DEBUG);

/// The chip's parent, where upstream logs findings about `apply`.
fn parent_dev(chip: &Chip) -> &Device {
    // SAFETY: Registered chips have a parent, which their device keeps alive.
    unsafe { Device::from_raw(chip.parent()) }
}

/// Whether `rounded` is a valid result of rounding `req` down: no value grew.
/// With a zero period (disabled) every result is fine.
pub(crate) fn rounded_down(req: &pwm_waveform, rounded: &pwm_waveform) -> bool {
    req.period_length_ns == 0
        || (req.period_length_ns >= rounded.period_length_ns
            && req.duty_length_ns >= rounded.duty_length_ns
            && req.duty_offset_ns >= rounded.duty_offset_ns)
}

/// Logs a rounding that disagrees with what `round_waveform_tohw` returned.
fn wrong_rounding(chip: &Chip, req: &pwm_waveform, result: &pwm_waveform, ret_tohw: c_int) {
    dev_err!(
        chip.device(),
        "Wrong rounding: requested {}/{} [+{}], result {}/{} [+{}], ret: {}\n",
        req.duty_length_ns,
        req.period_length_ns,
        req.duty_offset_ns,
        result.duty_length_ns,
        result.period_length_ns,
        result.duty_offset_ns,
        ret_tohw
    );
}

/// Checks a rounding done for `pwm_round_waveform_might_sleep()`: the
/// drivers' return values and that the result is rounded down exactly when
/// `round_waveform_tohw` returned 0.
pub(crate) fn check_round(
    chip: &Chip,
    req: &pwm_waveform,
    result: &pwm_waveform,
    ret_tohw: c_int,
    ret_fromhw: c_int,
) {
    if ret_tohw > 1 {
        dev_err!(
            chip.device(),
            "Unexpected return value from __pwm_round_waveform_tohw: requested {}/{} [+{}], return value {}\n",
            req.duty_length_ns,
            req.period_length_ns,
            req.duty_offset_ns,
            ret_tohw
        );
    }
    if ret_fromhw > 0 {
        dev_err!(
            chip.device(),
            "Unexpected return value from __pwm_round_waveform_fromhw: requested {}/{} [+{}], return value {}\n",
            req.duty_length_ns,
            req.period_length_ns,
            req.duty_offset_ns,
            ret_fromhw
        );
    }
    check_rounded(chip, req, result, ret_tohw);
}

/// Checks that `result` is rounded down exactly when `round_waveform_tohw`
/// returned 0 (a set waveform).
pub(crate) fn check_rounded(
    chip: &Chip,
    req: &pwm_waveform,
    result: &pwm_waveform,
    ret_tohw: c_int,
) {
    if (ret_tohw == 0) != rounded_down(req, result) {
        wrong_rounding(chip, req, result, ret_tohw);
    }
}

/// Checks the rounding of a legacy state applied through waveform ops: it
/// must go down. Returns the driver's error from `round_waveform_fromhw`.
pub(crate) fn check_state_rounding(
    ops: &Ops<'_>,
    pwm: &Pwm,
    req: &pwm_waveform,
    wfhw: &WfHw,
) -> Result {
    let mut rounded = pwm_waveform::default();
    kernel::error::to_result(ops.round_fromhw(pwm, wfhw, &mut rounded))?;
    if !rounded_down(req, &rounded) {
        dev_err!(
            pwm.chip().device(),
            "Wrong rounding: requested {}/{} [+{}], result {}/{} [+{}]\n",
            req.duty_length_ns,
            req.period_length_ns,
            req.duty_offset_ns,
            rounded.duty_length_ns,
            rounded.period_length_ns,
            rounded.duty_offset_ns
        );
    }
    Ok(())
}

/// After a waveform was written, reads the hardware back and checks that it
/// runs `expected`, the rounding `round_waveform_fromhw` promised for `req`.
///
/// Returns the driver's error from reading back, as upstream does.
pub(crate) fn check_written(
    ops: &Ops<'_>,
    pwm: &Pwm,
    req: &pwm_waveform,
    expected: &pwm_waveform,
) -> Result {
    let mut wfhw = WfHw::new();
    kernel::error::to_result(ops.read_waveform(pwm, &mut wfhw))?;
    let mut set = pwm_waveform::default();
    kernel::error::to_result(ops.round_fromhw(pwm, &wfhw, &mut set))?;
    if waveform::compare(&set, expected).is_ne() {
        dev_err!(
            pwm.chip().device(),
            "Unexpected setting: requested {}/{} [+{}], expected {}/{} [+{}], set {}/{} [+{}]\n",
            req.duty_length_ns,
            req.period_length_ns,
            req.duty_offset_ns,
            expected.duty_length_ns,
            expected.period_length_ns,
            expected.duty_offset_ns,
            set.duty_length_ns,
            set.period_length_ns,
            set.duty_offset_ns
        );
    }
    Ok(())
}

fn inversed(polarity: bindings::pwm_polarity) -> u8 {
    u8::from(polarity == bindings::pwm_polarity_PWM_POLARITY_INVERSED)
}

/// Checks a legacy `apply` that just programmed `state` (enabled): reads
/// the hardware back, compares it with the request and with the best
/// setting seen before (`pwm->last`), reapplies what the hardware reported
/// and checks that this changes nothing. `pwm->last` then holds what the
/// hardware runs, for the next check.
///
/// Needs `get_state`; the ops lock is held.
pub(crate) fn check_apply(ops: &Ops<'_>, pwm: &Pwm, state: &pwm_state) {
    if !ops.has_get_state() || !state.enabled {
        return;
    }
    let chip = pwm.chip();
    let parent = parent_dev(chip);
    let last = pwm.last();

    let mut s1 = pwm_state::default();
    if ops.get_state(pwm, &mut s1) != 0 || !s1.enabled {
        // Nothing sensible to check.
        return;
    }

    // A driver that inverted the polarity on its own, fixing the duty cycle
    // up, did its best: undo that before comparing.
    let s2 = if s1.polarity != state.polarity {
        pwm_state {
            polarity: state.polarity,
            duty_cycle: s1.period.wrapping_sub(s1.duty_cycle),
            period: s1.period,
            enabled: true,
            usage_power: false,
        }
    } else {
        s1
    };

    if s2.polarity != state.polarity && s2.duty_cycle < s2.period {
        dev_warn!(parent, ".apply ignored .polarity\n");
    }
    if last.polarity == state.polarity && last.period > s2.period && last.period <= state.period {
        dev_warn!(
            parent,
            ".apply didn't pick the best available period (requested: {}, applied: {}, possible: {})\n",
            state.period,
            s2.period,
            last.period
        );
    }
    // A period may grow only for a flat line, which has no period to speak of.
    if state.period < s2.period && s2.duty_cycle != 0 {
        dev_warn!(
            parent,
            ".apply is supposed to round down period (requested: {}, applied: {})\n",
            state.period,
            s2.period
        );
    }
    if last.polarity == state.polarity
        && last.period == s2.period
        && last.duty_cycle > s2.duty_cycle
        && last.duty_cycle <= state.duty_cycle
    {
        dev_warn!(
            parent,
            ".apply didn't pick the best available duty cycle (requested: {}/{}, applied: {}/{}, possible: {}/{})\n",
            state.duty_cycle,
            state.period,
            s2.duty_cycle,
            s2.period,
            last.duty_cycle,
            last.period
        );
    }
    if state.duty_cycle < s2.duty_cycle {
        dev_warn!(
            parent,
            ".apply is supposed to round down duty_cycle (requested: {}/{}, applied: {}/{})\n",
            state.duty_cycle,
            state.period,
            s2.duty_cycle,
            s2.period
        );
    }

    // Reapplying what the hardware runs must change nothing.
    if ops.apply(pwm, &s1) != 0 {
        pwm.set_last(&s1);
        dev_err!(parent, "failed to reapply current setting\n");
        return;
    }
    let mut now = pwm_state::default();
    let err = ops.get_state(pwm, &mut now);
    pwm.set_last(&now);
    if err != 0 {
        return;
    }
    if s1.enabled != now.enabled
        || s1.polarity != now.polarity
        || (s1.enabled && (s1.period != now.period || s1.duty_cycle != now.duty_cycle))
    {
        dev_err!(
            parent,
            ".apply is not idempotent (ena={} pol={} {}/{}) -> (ena={} pol={} {}/{})\n",
            u8::from(s1.enabled),
            inversed(s1.polarity),
            s1.duty_cycle,
            s1.period,
            u8::from(now.enabled),
            inversed(now.polarity),
            now.duty_cycle,
            now.period
        );
    }
}

/// Warns at registration about a legacy driver that cannot read its state:
/// none of the checks above can run for it.
pub(crate) fn check_registration(chip: &Chip, legacy_without_get_state: bool) {
    if legacy_without_get_state {
        dev_warn!(
            parent_dev(chip),
            "Please implement the .get_state() callback\n"
        );
    }
}
