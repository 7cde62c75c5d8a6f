// SPDX-License-Identifier: GPL-2.0

//! `CONFIG_PWM_DEBUG`: the core reads back what drivers programmed and
//! reports, with upstream's messages, the ones that break the rounding
//! rules, without changing what consumers get.
//!
//! The test chip's quirks (`QUIRK_*`) make it such a driver; a [`LogWatch`]
//! counts the messages.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_debug)]
mod tests {
    use crate::test_chip::{
        pwm_get,
        state,
        wf,
        Kind,
        LogWatch,
        Lookup,
        Setup,
        TestChip,
        TestDevice,
        QUIRK_DUTY_DRIFTS,
        QUIRK_DUTY_UP,
        QUIRK_PERIOD_UP,
        QUIRK_TOHW_RETURNS_2,
        QUIRK_TOHW_ROUNDS_UP,
        QUIRK_WRITE_DIFFERS, //
    };
    #[cfg(CONFIG_PWM_RUST_CORE)]
    use crate::test_chip::{
        run_in_all_contexts,
        Lock, //
    };
    use core::sync::atomic::Ordering;
    use kernel::{
        bindings,
        ffi::c_int,
        prelude::*, //
    };

    fn quirk(s: &Setup, quirks: u32) {
        s.chip.hw().quirks.store(quirks, Ordering::Relaxed);
    }

    fn calls(s: &Setup) -> (u32, u32) {
        let c = &s.chip.hw().calls;
        (
            c.apply.load(Ordering::Relaxed),
            c.get_state.load(Ordering::Relaxed),
        )
    }

    fn last(s: &Setup) -> bindings::pwm_state {
        // SAFETY: `s.pwm` is requested until `s` is dropped.
        unsafe { (*s.pwm).last }
    }

    fn same(a: &bindings::pwm_state, b: &bindings::pwm_state) -> bool {
        a.period == b.period
            && a.duty_cycle == b.duty_cycle
            && a.polarity == b.polarity
            && a.enabled == b.enabled
    }

    fn round(s: &Setup, w: &mut bindings::pwm_waveform) -> c_int {
        // SAFETY: `s.pwm` is requested and `w` is valid.
        unsafe { bindings::pwm_round_waveform_might_sleep(s.pwm, w) }
    }

    fn set(s: &Setup, w: &bindings::pwm_waveform, exact: bool) -> c_int {
        // SAFETY: `s.pwm` is requested and `w` is valid.
        unsafe { bindings::pwm_set_waveform_might_sleep(s.pwm, w, exact) }
    }

    #[test]
    fn request_seeds_last_from_hardware() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let chip = TestChip::new(&provider, 2, Kind::Legacy, false)?;
        let ch = chip.hw().channel(0);
        ch.period.store(40000, Ordering::Relaxed);
        ch.duty.store(10000, Ordering::Relaxed);
        ch.enabled.store(true, Ordering::Relaxed);
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"debug"), 0)?;
        let pwm = pwm_get(&consumer, c"debug")?;
        // SAFETY: Requested just now, until `pwm_put` below.
        let (st, last) = unsafe { ((*pwm).state, (*pwm).last) };
        // SAFETY: Requested above, not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        check!(same(&st, &state(40000, 10000)));
        check!(same(&last, &st));
        Ok(())
    }

    #[test]
    fn good_apply_is_read_back_and_reapplied() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        let watch = LogWatch::new(c".apply")?;
        let before = calls(&s);
        tri!(s.apply(&state(20000, 5000)));
        // The apply, then get_state, reapply of what it read, get_state.
        check_eq!(calls(&s), (before.0 + 2, before.1 + 2));
        check!(same(&last(&s), &state(20000, 5000)));
        check_eq!(watch.hits(), 0);
        Ok(())
    }

    #[test]
    fn disabled_state_is_not_checked() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        tri!(s.apply(&state(20000, 5000)));
        let before = calls(&s);
        let mut off = state(20000, 5000);
        off.enabled = false;
        tri!(s.apply(&off));
        check_eq!(calls(&s), (before.0 + 1, before.1));
        Ok(())
    }

    #[test]
    fn driver_without_get_state_is_not_checked() -> Result {
        let watch = LogWatch::new(c"Please implement the .get_state() callback")?;
        let s = Setup::new(Kind::LegacyWithoutGetState, false)?;
        check_eq!(watch.hits(), 1);
        tri!(s.apply(&state(20000, 5000)));
        check_eq!(calls(&s), (1, 0));
        Ok(())
    }

    #[test]
    fn period_rounded_up_is_reported() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        quirk(&s, QUIRK_PERIOD_UP);
        let watch = LogWatch::new(
            c".apply is supposed to round down period (requested: 20000, applied: 21000)",
        )?;
        // The consumer's call succeeds all the same.
        tri!(s.apply(&state(20000, 5000)));
        check_eq!(watch.hits(), 1);
        check!(same(&s.state(), &state(20000, 5000)));
        Ok(())
    }

    #[test]
    fn duty_rounded_up_is_reported() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        quirk(&s, QUIRK_DUTY_UP);
        let watch = LogWatch::new(
            c".apply is supposed to round down duty_cycle (requested: 5000/20000, applied: 6000/20000)",
        )?;
        tri!(s.apply(&state(20000, 5000)));
        check_eq!(watch.hits(), 1);
        Ok(())
    }

    #[test]
    fn worse_than_possible_duty_is_reported() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        tri!(s.apply(&state(20000, 5000)));
        // `last` now says 5000 ns can be done: a driver that makes 5500 ns into
        // 4500 ns did not pick the best duty cycle.
        quirk(&s, QUIRK_DUTY_DRIFTS);
        let watch = LogWatch::new(
            c".apply didn't pick the best available duty cycle (requested: 5500/20000, applied: 4500/20000, possible: 5000/20000)",
        )?;
        tri!(s.apply(&state(20000, 5500)));
        check_eq!(watch.hits(), 1);
        Ok(())
    }

    #[test]
    fn non_idempotent_apply_is_reported() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        quirk(&s, QUIRK_DUTY_DRIFTS);
        let watch = LogWatch::new(
            c".apply is not idempotent (ena=1 pol=0 4000/20000) -> (ena=1 pol=0 3000/20000)",
        )?;
        tri!(s.apply(&state(20000, 5000)));
        check_eq!(watch.hits(), 1);
        // `last` holds what the hardware runs after the reapply.
        check!(same(&last(&s), &state(20000, 3000)));
        Ok(())
    }

    #[test]
    fn waveform_round_return_values_are_checked() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        quirk(&s, QUIRK_TOHW_RETURNS_2);
        let watch = LogWatch::new(
            c"Unexpected return value from __pwm_round_waveform_tohw: requested 1000/4000 [+0], return value 2",
        )?;
        let mut w = wf(4000, 1000, 0);
        // Passed on as upstream does.
        check_eq!(round(&s, &mut w), 2);
        check_eq!(watch.hits(), 1);
        Ok(())
    }

    #[test]
    fn wrong_waveform_rounding_is_reported() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        quirk(&s, QUIRK_TOHW_ROUNDS_UP);
        let watch = LogWatch::new(
            c"Wrong rounding: requested 1000/4000 [+0], result 1000/5000 [+0], ret: 0",
        )?;
        let mut w = wf(4000, 1000, 0);
        check_eq!(round(&s, &mut w), 0);
        check_eq!(watch.hits(), 1);
        check_eq!(set(&s, &wf(4000, 1000, 0), false), 0);
        check_eq!(watch.hits(), 2);
        Ok(())
    }

    #[test]
    fn legacy_state_on_waveform_chip_rounding_is_checked() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        quirk(&s, QUIRK_TOHW_ROUNDS_UP);
        let watch =
            LogWatch::new(c"Wrong rounding: requested 1000/4000 [+0], result 1000/5000 [+0]")?;
        tri!(s.apply(&state(4000, 1000)));
        check_eq!(watch.hits(), 1);
        Ok(())
    }

    #[test]
    fn written_waveform_is_read_back() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        let watch = LogWatch::new(c"Unexpected setting")?;
        let reads = s.chip.hw().calls.read.load(Ordering::Relaxed);
        check_eq!(set(&s, &wf(4000, 1000, 0), false), 0);
        check_eq!(s.chip.hw().calls.read.load(Ordering::Relaxed), reads + 1);
        check_eq!(watch.hits(), 0);

        quirk(&s, QUIRK_WRITE_DIFFERS);
        let watch = LogWatch::new(
            c"Unexpected setting: requested 2000/4000 [+0], expected 2000/4000 [+0], set 1000/4000 [+0]",
        )?;
        check_eq!(set(&s, &wf(4000, 2000, 0), false), 0);
        check_eq!(watch.hits(), 1);
        Ok(())
    }

    /// Applies to a raw atomic chip from task, softirq and hard-IRQ context at
    /// once: every apply is checked (applied, read back, reapplied, read back
    /// again), in hard-IRQ context too.
    // The C core takes a `spinlock_t` for atomic chips, which hard-IRQ context must not.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn atomic_chip_apply_is_checked_in_irq_context() -> Result {
        let s = Setup::new(Kind::Legacy, Lock::Raw)?;
        let before = calls(&s);
        let (applies, in_hardirq) = run_in_all_contexts(s.pwm)?;
        check!(in_hardirq > 0);
        check_eq!(calls(&s), (before.0 + 2 * applies, before.1 + 2 * applies));
        Ok(())
    }
}
