// SPDX-License-Identifier: GPL-2.0

//! The waveform API: rounding, reading, exact and inexact writes, validity.
//!
//! The test chip's waveform hardware counts in 1000 ns ticks.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_waveform)]
mod tests {
    use crate::test_chip::{
        pwm_get,
        wf,
        Kind,
        Lookup,
        Setup,
        TestChip,
        TestDevice, //
    };
    use core::sync::atomic::{
        AtomicU32,
        Ordering, //
    };
    use kernel::{
        bindings,
        ffi::c_int,
        prelude::*, //
    };

    fn round(s: &Setup, w: &mut bindings::pwm_waveform) -> c_int {
        // SAFETY: `s.pwm` is requested and `w` is valid.
        unsafe { bindings::pwm_round_waveform_might_sleep(s.pwm, w) }
    }

    fn set(s: &Setup, w: &bindings::pwm_waveform, exact: bool) -> c_int {
        // SAFETY: `s.pwm` is requested and `w` is valid.
        unsafe { bindings::pwm_set_waveform_might_sleep(s.pwm, w, exact) }
    }

    fn get(s: &Setup) -> Result<bindings::pwm_waveform> {
        let mut w = bindings::pwm_waveform::default();
        // SAFETY: `s.pwm` is requested and `w` is valid for writes.
        kernel::error::to_result(unsafe { bindings::pwm_get_waveform_might_sleep(s.pwm, &mut w) })?;
        Ok(w)
    }

    fn same(a: &bindings::pwm_waveform, b: &bindings::pwm_waveform) -> bool {
        a.period_length_ns == b.period_length_ns
            && a.duty_length_ns == b.duty_length_ns
            && a.duty_offset_ns == b.duty_offset_ns
    }

    #[test]
    fn round_goes_down_to_whole_ticks() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        let mut w = wf(2500, 1700, 900);
        check_eq!(round(&s, &mut w), 0);
        check!(same(&w, &wf(2000, 1000, 0)));
        check_eq!(s.chip.hw().calls.write.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn round_that_must_go_up_returns_one() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        let mut w = wf(500, 0, 0);
        check_eq!(round(&s, &mut w), 1);
        check_eq!(w.period_length_ns, 1000);
        Ok(())
    }

    #[test]
    fn round_rejects_duty_above_period() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        let mut w = wf(1000, 1001, 0);
        check_eq!(round(&s, &mut w), EINVAL.to_errno());
        Ok(())
    }

    #[test]
    fn round_rejects_offset_not_below_period() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        let mut w = wf(1000, 0, 1000);
        check_eq!(round(&s, &mut w), EINVAL.to_errno());
        // A zero offset with a zero period is fine.
        let mut off = wf(0, 0, 0);
        check_eq!(round(&s, &mut off), 0);
        Ok(())
    }

    #[test]
    fn round_rejects_period_above_s64_max() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        let mut w = wf(i64::MAX as u64 + 1, 0, 0);
        check_eq!(round(&s, &mut w), EINVAL.to_errno());
        let mut max = wf(i64::MAX as u64, 0, 0);
        check!(round(&s, &mut max) >= 0);
        Ok(())
    }

    #[test]
    fn waveform_calls_on_a_legacy_driver_are_eopnotsupp() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        let mut w = wf(10000, 5000, 0);
        check_eq!(round(&s, &mut w), EOPNOTSUPP.to_errno());
        check_eq!(set(&s, &w, false), EOPNOTSUPP.to_errno());
        check_eq!(get(&s).err(), Some(EOPNOTSUPP));
        Ok(())
    }

    #[test]
    fn exact_set_that_cannot_be_met_is_edom_and_writes_nothing() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(2500, 1000, 0), true), EDOM.to_errno());
        check_eq!(s.chip.hw().calls.write.load(Ordering::Relaxed), 0);
        check!(!s.channel().enabled.load(Ordering::Relaxed));
        Ok(())
    }

    #[test]
    fn exact_set_that_can_be_met_is_written() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(50000, 20000, 3000), true), 0);
        check_eq!(s.channel().period.load(Ordering::Relaxed), 50000);
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 20000);
        check_eq!(s.channel().offset.load(Ordering::Relaxed), 3000);
        Ok(())
    }

    #[test]
    fn inexact_set_writes_the_rounded_waveform() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(2500, 1700, 0), false), 0);
        check_eq!(s.channel().period.load(Ordering::Relaxed), 2000);
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 1000);
        Ok(())
    }

    #[test]
    fn inexact_set_that_rounds_up_succeeds() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(500, 0, 0), false), 0);
        check_eq!(s.channel().period.load(Ordering::Relaxed), 1000);
        Ok(())
    }

    #[test]
    fn set_records_the_matching_legacy_state() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(10000, 4000, 0), false), 0);
        let st = s.state();
        check!(st.enabled);
        check_eq!(st.polarity, bindings::pwm_polarity_PWM_POLARITY_NORMAL);
        check_eq!(st.duty_cycle, 4000);

        // Active until the end of the period: the inverse of a 4000 ns low phase.
        check_eq!(set(&s, &wf(10000, 6000, 4000), false), 0);
        let st = s.state();
        check_eq!(st.polarity, bindings::pwm_polarity_PWM_POLARITY_INVERSED);
        check_eq!(st.duty_cycle, 4000);
        Ok(())
    }

    #[test]
    fn zero_period_disables() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(10000, 4000, 0), false), 0);
        check_eq!(set(&s, &wf(0, 0, 0), true), 0);
        check!(!s.channel().enabled.load(Ordering::Relaxed));
        check!(!s.state().enabled);
        Ok(())
    }

    #[test]
    fn set_rejects_invalid_waveforms_and_writes_nothing() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(1000, 2000, 0), false), EINVAL.to_errno());
        check_eq!(set(&s, &wf(1000, 0, 1000), true), EINVAL.to_errno());
        check_eq!(s.chip.hw().calls.write.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn get_reads_what_the_hardware_has() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(30000, 12000, 6000), true), 0);
        check!(same(&get(&s)?, &wf(30000, 12000, 6000)));
        // Changed behind the core's back (as a bootloader or another agent
        // might): what is read is the hardware, not what the core last wrote.
        let ch = s.channel();
        ch.period.store(50000, Ordering::Relaxed);
        ch.duty.store(5000, Ordering::Relaxed);
        ch.offset.store(2000, Ordering::Relaxed);
        check!(same(&get(&s)?, &wf(50000, 5000, 2000)));
        Ok(())
    }

    /// The hardware and the state the core keeps, to see that nothing changed.
    fn snapshot(s: &Setup) -> (u64, u64, u64, bool, (u64, u64, u32, bool)) {
        let ch = s.channel();
        let st = s.state();
        (
            ch.period.load(Ordering::Relaxed),
            ch.duty.load(Ordering::Relaxed),
            ch.offset.load(Ordering::Relaxed),
            ch.enabled.load(Ordering::Relaxed),
            (st.period, st.duty_cycle, st.polarity, st.enabled),
        )
    }

    /// An error of each waveform op reaches the caller, and leaves the
    /// hardware and the core's state as they were.
    #[test]
    fn errors_of_each_op_propagate_and_change_nothing() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        check_eq!(set(&s, &wf(30000, 12000, 0), true), 0);
        let before = snapshot(&s);
        let calls = &s.chip.hw().calls;
        let fails = |op: &AtomicU32, err: Error, call: &dyn Fn() -> c_int| -> bool {
            s.chip.hw().fail_op(op, err);
            let ret = call();
            // The failure was taken by the op it was meant for, and returned.
            let taken = s.chip.hw().fail_next.load(Ordering::Relaxed) == 0;
            s.chip.hw().clear_failure();
            taken && ret == err.to_errno()
        };
        let set_exact = || set(&s, &wf(40000, 10000, 0), true);
        let set_inexact = || set(&s, &wf(40000, 10000, 0), false);
        let get_ret = || get(&s).err().map_or(0, |e| e.to_errno());
        let round_ret = || round(&s, &mut wf(40000, 10000, 0));
        check!(fails(&calls.tohw, EIO, &set_inexact));
        check!(fails(&calls.fromhw, ETIMEDOUT, &set_exact));
        check!(fails(&calls.write, EREMOTEIO, &set_inexact));
        check!(fails(&calls.read, EIO, &get_ret));
        check!(fails(&calls.fromhw, ENXIO, &get_ret));
        check!(fails(&calls.tohw, EIO, &round_ret));
        check!(fails(&calls.fromhw, EIO, &round_ret));
        check_eq!(snapshot(&s), before);
        check_eq!(calls.write.load(Ordering::Relaxed), 2);
        // And the channel still works.
        check_eq!(set(&s, &wf(40000, 10000, 0), true), 0);
        check!(same(&get(&s)?, &wf(40000, 10000, 0)));
        Ok(())
    }

    #[test]
    fn driver_errors_propagate() -> Result {
        let s = Setup::new(Kind::Waveform, false)?;
        s.chip
            .hw()
            .fail_next
            .store(EIO.to_errno(), Ordering::Relaxed);
        check_eq!(set(&s, &wf(30000, 12000, 0), false), EIO.to_errno());
        s.chip
            .hw()
            .fail_next
            .store(ETIMEDOUT.to_errno(), Ordering::Relaxed);
        let mut w = wf(30000, 12000, 0);
        check_eq!(round(&s, &mut w), ETIMEDOUT.to_errno());
        check_eq!(s.chip.hw().calls.write.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn atomic_waveform_chip_sets_waveforms() -> Result {
        let s = Setup::new(Kind::Waveform, true)?;
        check_eq!(set(&s, &wf(8000, 2000, 1000), true), 0);
        check!(same(&get(&s)?, &wf(8000, 2000, 1000)));
        Ok(())
    }

    /// A driver that reads back a duty longer than the period (registers left
    /// so by a bootloader) hands out the channel with upstream's state: the
    /// arithmetic wraps, nothing panics.
    #[test]
    fn read_back_duty_longer_than_period_gives_upstreams_state() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let mut chip = TestChip::new(&provider, 2, Kind::Waveform, false)?;
        chip.hw().tick_ns.store(100, Ordering::Relaxed);
        let ch = chip.hw().channel(1);
        ch.period.store(1000, Ordering::Relaxed);
        ch.duty.store(1500, Ordering::Relaxed);
        ch.enabled.store(true, Ordering::Relaxed);
        let _lookup = Lookup::add(
            c"pwm-kunit-provider",
            1,
            Some(c"pwm-kunit-consumer"),
            Some(c"motor"),
            0,
        )?;
        let pwm = pwm_get(&consumer, c"motor")?;
        // SAFETY: `pwm` is requested until the put below.
        let st = unsafe { (*pwm).state };
        let mut hw = bindings::pwm_state::default();
        // SAFETY: As above; `hw` is valid for writes.
        let err = unsafe { bindings::pwm_get_state_hw(pwm, &mut hw) };
        // SAFETY: Requested above and not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        chip.remove();
        check_eq!(err, 0);
        for s in [st, hw] {
            check!(s.enabled);
            check_eq!(s.period, 1000);
            check_eq!(s.polarity, bindings::pwm_polarity_PWM_POLARITY_INVERSED);
            check_eq!(s.duty_cycle, 1000u64.wrapping_sub(1500));
        }
        Ok(())
    }
}
