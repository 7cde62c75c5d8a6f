// SPDX-License-Identifier: GPL-2.0

//! Locking: `pwm_apply_atomic` in hard-IRQ and softirq context while other
//! contexts apply to the same chip, and chips that never contend.
//!
//! Lockdep, with its wait-context checks, watches every case: a report
//! fails the run even when the case passes.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_locking)]
mod tests {
    #[cfg(CONFIG_PWM_RUST_CORE)]
    use crate::test_chip::run_in_all_contexts;
    use crate::test_chip::{
        pwm_kunit_apply_atomic_locked,
        should_stop,
        state,
        wait_for,
        Kind,
        Lock,
        Lookup,
        Setup,
        TestChip,
        TestDevice,
        Thread, //
    };
    use core::{
        ptr,
        sync::atomic::{
            AtomicU32,
            Ordering, //
        },
    };
    use kernel::{
        bindings,
        ffi::{
            c_int,
            c_void, //
        },
        prelude::*,
    };

    // The C core takes a `spinlock_t` for atomic chips, which hard-IRQ context must not.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn atomic_apply_from_task_softirq_and_hardirq() -> Result {
        let s = Setup::new(Kind::Legacy, Lock::Raw)?;
        let (calls, in_hardirq) = run_in_all_contexts(s.pwm)?;
        check!(in_hardirq > 0);
        check!(s.chip.hw().calls.apply.load(Ordering::Relaxed) > 0);
        check!(calls > in_hardirq);
        Ok(())
    }

    // The C core takes a `spinlock_t` for atomic chips, which hard-IRQ context must not.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn atomic_apply_on_a_waveform_chip_from_hardirq() -> Result {
        let s = Setup::new(Kind::Waveform, Lock::Raw)?;
        let (_, in_hardirq) = run_in_all_contexts(s.pwm)?;
        check!(in_hardirq > 0);
        check!(s.chip.hw().calls.write.load(Ordering::Relaxed) > 0);
        Ok(())
    }

    /// Applies `n` states with `pwm_apply_atomic()` from atomic context (bottom
    /// halves off, a consumer's `spinlock_t` held with interrupts saved).
    fn apply_atomic_locked(s: &Setup, n: u64) -> Result {
        for i in 0..n {
            let st = state(20000, i * 1000);
            // SAFETY: The channel is requested; the state is valid for the call.
            kernel::error::to_result(unsafe {
                pwm_kunit_apply_atomic_locked(s.pwm.cast(), (&raw const st).cast())
            })?;
        }
        Ok(())
    }

    /// A C-style atomic chip whose ops take a `spinlock_t` of their own (as
    /// pwm-gpio's do): lockdep's wait-context checks must accept every path,
    /// request (through `pwm_get`, reading the state back), apply from atomic
    /// context, read-back and free.
    #[test]
    fn atomic_chip_ops_may_take_a_spinlock() -> Result {
        for kind in [Kind::Legacy, Kind::Waveform] {
            let mut s = Setup::new(kind, Lock::Atomic)?;
            check!(!s.chip.hw().raw.load(Ordering::Relaxed));
            apply_atomic_locked(&s, 10)?;
            let mut hw = bindings::pwm_state::default();
            // SAFETY: The channel is requested; `hw` is valid for writes.
            kernel::error::to_result(unsafe { bindings::pwm_get_state_hw(s.pwm, &mut hw) })?;
            check_eq!(hw.duty_cycle, 9000);
            s.put();
        }
        Ok(())
    }

    /// A raw atomic chip is still atomic to consumers and the C API.
    #[test]
    fn raw_atomic_chip_is_atomic() -> Result {
        let s = Setup::new(Kind::Legacy, Lock::Raw)?;
        check!(s.chip.get().atomic);
        check!(s.chip.hw().raw.load(Ordering::Relaxed));
        apply_atomic_locked(&s, 3)?;
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 2000);
        Ok(())
    }

    /// What a thread that applies to a channel until stopped shares with the test.
    struct Looper {
        pwm: *mut bindings::pwm_device,
        applied: AtomicU32,
    }

    impl Looper {
        fn new(pwm: *mut bindings::pwm_device) -> Result<KBox<Self>> {
            Ok(KBox::new(
                Self {
                    pwm,
                    applied: AtomicU32::new(0),
                },
                GFP_KERNEL,
            )?)
        }

        /// Starts the thread; it stops when the returned `Thread` is dropped.
        fn start(&self) -> Result<Thread> {
            let data = ptr::from_ref(self).cast_mut().cast::<c_void>();
            // SAFETY: Callers declare the `Looper` before the `Thread`, so it outlives the
            // thread; `loop_thread` runs until asked to stop.
            unsafe { Thread::spawn(loop_thread, data, c"pwm-kunit-loop") }
        }
    }

    /// Applies changing states until asked to stop.
    ///
    /// # Safety
    ///
    /// `data` is a `Looper` that outlives the thread.
    unsafe extern "C" fn loop_thread(data: *mut c_void) -> c_int {
        // SAFETY: As the caller guarantees.
        let l = unsafe { &*data.cast::<Looper>() };
        let mut n = 0u64;
        while !should_stop() {
            n += 1;
            // SAFETY: The test keeps the channel requested until the thread is stopped.
            if unsafe { bindings::pwm_apply_might_sleep(l.pwm, &state(20000, n % 20000)) } == 0 {
                l.applied.fetch_add(1, Ordering::Relaxed);
            }
            // SAFETY: A kthread may sleep.
            unsafe { bindings::msleep(1) };
        }
        0
    }

    // The C core takes a `spinlock_t` for atomic chips, which hard-IRQ context must not.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn hardirq_apply_while_a_thread_applies_to_the_same_chip() -> Result {
        let s = Setup::new(Kind::Legacy, Lock::Raw)?;
        let other = TestDevice::new(c"pwm-kunit-other")?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"other"), 0)?;
        let pwm0 = crate::test_chip::pwm_get(&other, c"other")?;
        let looper = Looper::new(pwm0);
        let result = looper.and_then(|looper| {
            let thread = looper.start()?;
            // Running before the contexts start, so that its applies can overlap theirs.
            let started = wait_for(5000, || looper.applied.load(Ordering::Relaxed) > 0);
            let before = looper.applied.load(Ordering::Relaxed);
            let (_, in_hardirq) = run_in_all_contexts(s.pwm)?;
            let after = looper.applied.load(Ordering::Relaxed);
            drop(thread);
            Ok((started, in_hardirq, after.saturating_sub(before)))
        });
        // SAFETY: The thread, if any, was stopped: nobody uses the channel any more.
        unsafe { bindings::pwm_put(pwm0) };
        let (started, in_hardirq, applied_meanwhile) = result?;
        check!(started);
        check!(in_hardirq > 0);
        // The thread applied to the chip while the other contexts did.
        check!(applied_meanwhile > 0);
        Ok(())
    }

    #[test]
    fn two_sleeping_chips_run_their_ops_in_parallel() -> Result {
        let provider_a = TestDevice::new(c"pwm-kunit-provider-a")?;
        let provider_b = TestDevice::new(c"pwm-kunit-provider-b")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let chip_a = TestChip::new(&provider_a, 1, Kind::Legacy, false)?;
        let chip_b = TestChip::new(&provider_b, 1, Kind::Legacy, false)?;
        let _la = Lookup::add(c"pwm-kunit-provider-a", 0, None, Some(c"a"), 0)?;
        let _lb = Lookup::add(c"pwm-kunit-provider-b", 0, None, Some(c"b"), 0)?;
        let (hw_a, hw_b) = (chip_a.hw(), chip_b.hw());

        let pwm_a = crate::test_chip::pwm_get(&consumer, c"a")?;
        let result = crate::test_chip::pwm_get(&consumer, c"b").and_then(|pwm_b| {
            let run = (|| {
                let (la, lb) = (Looper::new(pwm_a)?, Looper::new(pwm_b)?);
                // Each chip's apply waits until an op runs on the other one; if the
                // core serialised the two chips, neither would ever see the other.
                hw_a.partner
                    .store(ptr::from_ref(hw_b).cast_mut(), Ordering::Release);
                hw_b.partner
                    .store(ptr::from_ref(hw_a).cast_mut(), Ordering::Release);
                let threads = la.start().and_then(|ta| Ok((ta, lb.start()?)));
                let both_met = threads.is_ok()
                    && wait_for(10000, || {
                        hw_a.met.load(Ordering::Acquire) && hw_b.met.load(Ordering::Acquire)
                    });
                // Release any op still waiting, then stop both threads.
                hw_a.partner.store(ptr::null_mut(), Ordering::Release);
                hw_b.partner.store(ptr::null_mut(), Ordering::Release);
                drop(threads?);
                Ok(both_met)
            })();
            // SAFETY: The threads were stopped: nobody uses the channel any more.
            unsafe { bindings::pwm_put(pwm_b) };
            run
        });
        // SAFETY: As above.
        unsafe { bindings::pwm_put(pwm_a) };
        check!(result?);
        Ok(())
    }
}
