// SPDX-License-Identifier: GPL-2.0

//! Applying and reading legacy states, on legacy and waveform drivers.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_apply)]
mod tests {
    use crate::test_chip::{
        applies,
        state,
        Kind,
        Setup, //
    };
    use core::sync::atomic::Ordering;
    use kernel::{
        bindings,
        error::to_result,
        prelude::*, //
    };

    const INVERSED: bindings::pwm_polarity = bindings::pwm_polarity_PWM_POLARITY_INVERSED;

    fn get_state_hw(s: &Setup) -> Result<bindings::pwm_state> {
        let mut st = bindings::pwm_state::default();
        // SAFETY: `s.pwm` is requested and `st` is valid for writes.
        to_result(unsafe { bindings::pwm_get_state_hw(s.pwm, &mut st) })?;
        Ok(st)
    }

    #[test]
    fn apply_reaches_the_hardware_and_the_state() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        s.apply(&state(20000, 5000))?;
        let ch = s.channel();
        check_eq!(ch.period.load(Ordering::Relaxed), 20000);
        check_eq!(ch.duty.load(Ordering::Relaxed), 5000);
        check!(ch.enabled.load(Ordering::Relaxed));
        check_eq!(s.state().duty_cycle, 5000);
        check_eq!(s.state().period, 20000);
        Ok(())
    }

    #[test]
    fn unchanged_state_is_not_applied_again() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        s.apply(&state(20000, 5000))?;
        s.apply(&state(20000, 5000))?;
        check_eq!(s.chip.hw().calls.apply.load(Ordering::Relaxed), applies(1));
        let mut power = state(20000, 5000);
        power.usage_power = true;
        s.apply(&power)?;
        check_eq!(s.chip.hw().calls.apply.load(Ordering::Relaxed), applies(2));
        Ok(())
    }

    #[test]
    fn duty_above_period_is_einval_and_changes_nothing() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        s.apply(&state(20000, 5000))?;
        check_eq!(s.apply(&state(20000, 20001)), Err(EINVAL));
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 5000);
        check_eq!(s.state().duty_cycle, 5000);
        Ok(())
    }

    #[test]
    fn enabled_zero_period_is_einval() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        s.apply(&state(20000, 5000))?;
        check_eq!(s.apply(&state(0, 0)), Err(EINVAL));
        check_eq!(s.chip.hw().calls.apply.load(Ordering::Relaxed), applies(1));
        Ok(())
    }

    #[test]
    fn disabled_state_ignores_its_other_fields() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        // Running first, so that the disabled state must stop it.
        s.apply(&state(20000, 5000))?;
        check!(s.channel().enabled.load(Ordering::Relaxed));
        // A duty above the period would be refused in an enabled state.
        let mut off = state(100, 5000);
        off.enabled = false;
        s.apply(&off)?;
        check!(!s.channel().enabled.load(Ordering::Relaxed));
        check!(!s.state().enabled);
        Ok(())
    }

    #[test]
    fn invalid_state_may_follow_an_invalid_one() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        // Hardware that reports an enabled zero period, as some do at power-on.
        let ch = s.chip.hw().channel(0);
        ch.enabled.store(true, Ordering::Relaxed);
        let consumer = crate::test_chip::TestDevice::new(c"pwm-kunit-other")?;
        let _lookup =
            crate::test_chip::Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"other"), 0)?;
        let pwm = crate::test_chip::pwm_get(&consumer, c"other")?;
        let mut inverse = state(0, 0);
        inverse.polarity = INVERSED;
        // SAFETY: `pwm` is requested; the state is valid to read.
        let ret = unsafe { bindings::pwm_apply_might_sleep(pwm, &inverse) };
        // SAFETY: As above.
        let recorded = unsafe { (*pwm).state.polarity };
        // SAFETY: `pwm` was requested above and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        check_eq!(ret, 0);
        check_eq!(recorded, INVERSED);
        check_eq!(s.chip.hw().calls.apply.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn driver_error_propagates_and_state_is_kept() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        s.apply(&state(20000, 5000))?;
        s.chip
            .hw()
            .fail_next
            .store(EIO.to_errno(), Ordering::Relaxed);
        check_eq!(s.apply(&state(20000, 6000)), Err(EIO));
        check_eq!(s.state().duty_cycle, 5000);
        Ok(())
    }

    // core.c dereferences a NULL handle; only the Rust core checks it.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn null_state_or_channel_is_einval() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        // SAFETY: NULL arguments are rejected before use.
        unsafe {
            check_eq!(
                bindings::pwm_apply_might_sleep(s.pwm, core::ptr::null()),
                EINVAL.to_errno()
            );
            check_eq!(
                bindings::pwm_apply_might_sleep(core::ptr::null_mut(), &state(10, 5)),
                EINVAL.to_errno()
            );
        }
        Ok(())
    }

    #[test]
    fn request_seeds_state_from_hardware() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        let ch = s.chip.hw().channel(0);
        ch.period.store(40000, Ordering::Relaxed);
        ch.duty.store(10000, Ordering::Relaxed);
        ch.enabled.store(true, Ordering::Relaxed);
        let consumer = crate::test_chip::TestDevice::new(c"pwm-kunit-other")?;
        let _lookup =
            crate::test_chip::Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"other"), 0)?;
        let pwm = crate::test_chip::pwm_get(&consumer, c"other")?;
        // SAFETY: `pwm` is requested.
        let seeded = unsafe { (*pwm).state };
        // SAFETY: `pwm` was requested above and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        check!(seeded.enabled);
        check_eq!(seeded.period, 40000);
        check_eq!(seeded.duty_cycle, 10000);
        Ok(())
    }

    #[test]
    fn request_without_get_state_leaves_state_zero() -> Result {
        let s = Setup::new(Kind::LegacyWithoutGetState, false)?;
        check_eq!(s.state().period, 0);
        check!(!s.state().enabled);
        check_eq!(get_state_hw(&s).err(), Some(EOPNOTSUPP));
        Ok(())
    }

    #[test]
    fn get_state_hw_reads_the_driver() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        s.apply(&state(30000, 3000))?;
        s.channel().duty.store(4000, Ordering::Relaxed);
        let st = get_state_hw(&s)?;
        check_eq!(st.duty_cycle, 4000);
        // The core's own record is what it applied.
        check_eq!(s.state().duty_cycle, 3000);
        Ok(())
    }

    #[test]
    fn adjust_config_scales_duty_to_the_lookup_period() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        s.apply(&state(100000, 25000))?;
        // SAFETY: `s.pwm` is requested.
        to_result(unsafe { bindings::pwm_adjust_config(s.pwm) })?;
        check_eq!(s.channel().period.load(Ordering::Relaxed), 50000);
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 12500);
        Ok(())
    }

    #[test]
    fn adjust_config_from_zero_period_takes_the_arguments() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        // SAFETY: `s.pwm` is requested.
        to_result(unsafe { bindings::pwm_adjust_config(s.pwm) })?;
        check_eq!(s.state().period, 50000);
        check_eq!(s.state().duty_cycle, 0);
        check!(!s.state().enabled);
        Ok(())
    }

    #[test]
    fn adjust_config_flips_duty_with_polarity() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        let mut inv = state(50000, 10000);
        inv.polarity = INVERSED;
        s.apply(&inv)?;
        // SAFETY: `s.pwm` is requested.
        to_result(unsafe { bindings::pwm_adjust_config(s.pwm) })?;
        check!(!s.channel().inversed.load(Ordering::Relaxed));
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 40000);
        Ok(())
    }

    #[test]
    fn atomic_apply_on_an_atomic_chip() -> Result {
        let s = Setup::new(Kind::Legacy, true)?;
        // SAFETY: `s.pwm` is requested and the state is valid.
        to_result(unsafe { bindings::pwm_apply_atomic(s.pwm, &state(1000, 250)) })?;
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 250);
        Ok(())
    }

    #[test]
    fn state_on_a_waveform_driver_uses_the_waveform_ops() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        s.apply(&state(20000, 5000))?;
        let hw = s.chip.hw();
        check_eq!(hw.calls.apply.load(Ordering::Relaxed), 0);
        check_eq!(hw.calls.write.load(Ordering::Relaxed), 1);
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 5000);
        check_eq!(s.channel().offset.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn inversed_state_on_a_waveform_driver_becomes_an_offset() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        let mut inv = state(20000, 5000);
        inv.polarity = INVERSED;
        s.apply(&inv)?;
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 15000);
        check_eq!(s.channel().offset.load(Ordering::Relaxed), 5000);
        Ok(())
    }

    #[test]
    fn state_a_waveform_driver_must_round_up_is_einval() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(s.apply(&state(500, 100)), Err(EINVAL));
        check_eq!(s.chip.hw().calls.write.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn get_state_hw_on_a_waveform_driver_converts() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        let mut inv = state(20000, 5000);
        inv.polarity = INVERSED;
        s.apply(&inv)?;
        let st = get_state_hw(&s)?;
        check!(st.enabled);
        check_eq!(st.polarity, INVERSED);
        check_eq!(st.period, 20000);
        check_eq!(st.duty_cycle, 5000);
        Ok(())
    }
}
