// SPDX-License-Identifier: GPL-2.0

//! Lifetime of chips and channels: removal while consumers hold channels,
//! references, removal during an op, devres unwinding, and the removal of a
//! chip its driver left registered when its parent goes.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_lifetime)]
mod tests {
    use crate::test_chip::{
        applies,
        idle_until_stopped,
        pwm_get,
        state,
        wait_for,
        wf,
        FakeModule,
        Hw,
        Kind,
        LogWatch,
        Lookup,
        Setup,
        TestChip,
        TestDevice,
        Thread, //
    };
    use core::{
        ptr,
        sync::atomic::{
            AtomicBool,
            AtomicI32,
            AtomicPtr,
            Ordering, //
        },
    };
    use kernel::{
        bindings,
        error::{
            from_err_ptr,
            to_result, //
        },
        ffi::{
            c_int,
            c_void, //
        },
        prelude::*,
    };

    #[test]
    fn calls_after_remove_are_enodev() -> Result {
        let mut s = Setup::new(Kind::Legacy, false)?;
        s.chip.remove();
        let calls = s.chip.hw().calls.total();

        check_eq!(s.apply(&state(1000, 500)), Err(ENODEV));
        let mut hw = bindings::pwm_state::default();
        // SAFETY: `s.pwm` is still requested; its chip is alive.
        unsafe {
            check_eq!(
                bindings::pwm_get_state_hw(s.pwm, &mut hw),
                ENODEV.to_errno()
            );
            check_eq!(bindings::pwm_adjust_config(s.pwm), ENODEV.to_errno());
        }
        check_eq!(s.chip.hw().calls.total(), calls);
        Ok(())
    }

    #[test]
    fn waveform_calls_after_remove_are_enodev() -> Result {
        let mut s = Setup::new(Kind::Waveform, false)?;
        s.chip.remove();
        let calls = s.chip.hw().calls.total();

        let mut w = wf(10000, 5000, 0);
        // SAFETY: `s.pwm` is still requested; its chip is alive.
        unsafe {
            check_eq!(
                bindings::pwm_round_waveform_might_sleep(s.pwm, &mut w),
                ENODEV.to_errno()
            );
            check_eq!(
                bindings::pwm_get_waveform_might_sleep(s.pwm, &mut w),
                ENODEV.to_errno()
            );
            check_eq!(
                bindings::pwm_set_waveform_might_sleep(s.pwm, &w, false),
                ENODEV.to_errno()
            );
            check_eq!(
                bindings::pwm_set_waveform_might_sleep(s.pwm, &w, true),
                ENODEV.to_errno()
            );
        }
        check_eq!(s.chip.hw().calls.total(), calls);
        Ok(())
    }

    #[test]
    fn atomic_apply_after_remove_is_enodev() -> Result {
        let mut s = Setup::new(Kind::Legacy, true)?;
        // SAFETY: `s.pwm` is requested and the state is valid.
        let ret = unsafe { bindings::pwm_apply_atomic(s.pwm, &state(1000, 10)) };
        check_eq!(ret, 0);
        s.chip.remove();
        // SAFETY: As above; the chip is alive.
        let ret = unsafe { bindings::pwm_apply_atomic(s.pwm, &state(1000, 20)) };
        check_eq!(ret, ENODEV.to_errno());
        check_eq!(s.channel().duty.load(Ordering::Relaxed), 10);
        Ok(())
    }

    #[test]
    fn remove_frees_a_requested_channel_once() -> Result {
        let mut s = Setup::new(Kind::Legacy, false)?;
        s.chip.remove();
        check_eq!(s.chip.hw().calls.free.load(Ordering::Relaxed), 1);
        s.put();
        check_eq!(s.chip.hw().calls.free.load(Ordering::Relaxed), 1);
        Ok(())
    }

    #[test]
    fn requested_channel_holds_a_chip_reference() -> Result {
        let mut s = Setup::new(Kind::Legacy, false)?;
        let held = s.chip.refs();
        s.put();
        check_eq!(s.chip.refs(), held - 1);
        Ok(())
    }

    #[test]
    fn consumer_keeps_removed_chip_alive_until_put() -> Result {
        let mut s = Setup::new(Kind::Legacy, false)?;
        s.chip.remove();
        // The registry's and the driver core's references are gone; the
        // driver's and the consumer's remain, and the consumer's goes with put.
        let removed = s.chip.refs();
        check!(removed >= 2);
        check!(!s.chip.get().operational);
        s.put();
        check_eq!(s.chip.refs(), removed - 1);
        Ok(())
    }

    #[test]
    fn lookup_after_remove_defers() -> Result {
        let mut s = Setup::new(Kind::Legacy, false)?;
        s.put();
        s.chip.remove();
        check_eq!(pwm_get(&s.consumer, c"motor").err(), Some(EPROBE_DEFER));
        Ok(())
    }

    #[test]
    fn second_put_is_refused() -> Result {
        let s = Setup::new(Kind::Legacy, false)?;
        // SAFETY: `s.pwm` is requested; take an extra device reference so that the refused
        // second put below is observable and the chip cannot go away.
        unsafe { bindings::get_device(&raw mut (*s.chip.chip).dev) };
        let pwm = s.pwm;
        let mut s = s;
        s.put();
        let refs = s.chip.refs();
        let message = LogWatch::new(c"PWM device already freed")?;
        // Upstream's message has no prefix: tools and tests match it as it is.
        let prefixed = LogWatch::new(c": PWM device already freed")?;
        // SAFETY: Deliberately a second put of the same channel, which the core refuses.
        unsafe { bindings::pwm_put(pwm) };
        check_eq!(message.hits(), 1);
        check_eq!(prefixed.hits(), 0);
        check_eq!(s.chip.refs(), refs);
        check_eq!(s.chip.hw().calls.free.load(Ordering::Relaxed), 1);
        // SAFETY: The reference taken above.
        unsafe { bindings::put_device(&raw mut (*s.chip.chip).dev) };
        Ok(())
    }

    /// What the apply thread shares with the test.
    struct ApplyJob {
        pwm: *mut bindings::pwm_device,
        result: AtomicI32,
        done: AtomicBool,
    }

    /// Applies a state from a thread of its own and records the result.
    ///
    /// # Safety
    ///
    /// `data` is an `ApplyJob` that outlives the thread.
    unsafe extern "C" fn apply_thread(data: *mut c_void) -> c_int {
        // SAFETY: `data` is the test's `ApplyJob`, which outlives the thread.
        let job = unsafe { &*data.cast::<ApplyJob>() };
        let st = state(10000, 7000);
        // SAFETY: The test keeps `job.pwm` requested until the thread is stopped.
        let ret = unsafe { bindings::pwm_apply_might_sleep(job.pwm, &st) };
        job.result.store(ret, Ordering::Relaxed);
        job.done.store(true, Ordering::Release);
        idle_until_stopped()
    }

    /// What the removal thread shares with the test.
    struct RemoveJob {
        chip: *mut bindings::pwm_chip,
        done: AtomicBool,
    }

    /// Removes a chip from a thread of its own and records when it is done.
    ///
    /// # Safety
    ///
    /// `data` is a `RemoveJob` that outlives the thread, whose chip is
    /// registered and removed by nobody else.
    unsafe extern "C" fn remove_thread(data: *mut c_void) -> c_int {
        // SAFETY: `data` is the test's `RemoveJob`, which outlives the thread.
        let job = unsafe { &*data.cast::<RemoveJob>() };
        // SAFETY: The chip is registered and only this thread removes it.
        unsafe { bindings::pwmchip_remove(job.chip) };
        job.done.store(true, Ordering::Release);
        idle_until_stopped()
    }

    /// A removal of a chip running in a thread of its own.
    struct Removal {
        // Declared first, so dropped (the thread stopped) before the job.
        _thread: Thread,
        job: KBox<RemoveJob>,
    }

    impl Removal {
        /// Starts removing `chip`, which from now on is removed by this.
        fn start(chip: &mut TestChip) -> Result<Self> {
            let job = KBox::new(
                RemoveJob {
                    chip: chip.chip,
                    done: AtomicBool::new(false),
                },
                GFP_KERNEL,
            )?;
            let data = (&raw const *job).cast_mut().cast::<c_void>();
            // SAFETY: `job` is on the heap and outlives the thread (see the field order); the
            // chip is registered and, as `removed_elsewhere` records, removed by nobody else.
            let thread = unsafe { Thread::spawn(remove_thread, data, c"pwm-kunit-remove") }?;
            chip.removed_elsewhere();
            Ok(Self {
                _thread: thread,
                job,
            })
        }

        /// Whether `pwmchip_remove()` returned.
        fn done(&self) -> bool {
            self.job.done.load(Ordering::Acquire)
        }
    }

    /// Opens a test chip's gate when dropped.
    struct OpenGate<'a>(&'a Hw);

    impl Drop for OpenGate<'_> {
        fn drop(&mut self) {
            self.0.gate.store(false, Ordering::Release);
        }
    }

    /// An apply blocked inside the driver (at the test chip's gate) holds up
    /// the removal, which is under way (lookups no longer find the chip)
    /// but completes only after the test opened the gate and the driver's
    /// write finished.
    #[test]
    fn remove_waits_for_an_op_in_progress() -> Result {
        let mut s = Setup::new(Kind::Legacy, false)?;
        // A lookup of a channel the chip lacks: `EINVAL` while the chip is
        // registered, `EPROBE_DEFER` once removal withdrew it, and never waiting
        // for the chip's lock, which the gated apply holds.
        let other = TestDevice::new(c"pwm-kunit-other")?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 5, None, Some(c"other"), 0)?;
        check_eq!(pwm_get(&other, c"other").err(), Some(EINVAL));
        s.chip.hw().gate.store(true, Ordering::Release);
        let job = KBox::new(
            ApplyJob {
                pwm: s.pwm,
                result: AtomicI32::new(1),
                done: AtomicBool::new(false),
            },
            GFP_KERNEL,
        )?;
        let data = (&raw const *job).cast_mut().cast::<c_void>();
        // SAFETY: `job` is declared before the thread and outlives it; `apply_thread` runs
        // until asked to stop.
        let applier = unsafe { Thread::spawn(apply_thread, data, c"pwm-kunit-apply") };
        let applier = applier.inspect_err(|_| s.chip.hw().gate.store(false, Ordering::Release))?;
        let result = (|| -> Result {
            check!(wait_for(5000, || s
                .chip
                .hw()
                .sleeping
                .load(Ordering::Acquire)));
            let removal = Removal::start(&mut s.chip)?;
            // Declared after `removal`, so dropped first on every way out: the
            // removal can only finish, and its thread be stopped, with the gate open.
            let _open = OpenGate(s.chip.hw());
            // The removal is under way: the chip is gone from lookups.
            check!(wait_for(5000, || pwm_get(&other, c"other").err()
                == Some(EPROBE_DEFER)));
            // It cannot finish while the driver's apply is held inside the driver.
            check!(!wait_for(1000, || removal.done()));
            check_eq!(s.chip.hw().calls.apply.load(Ordering::Relaxed), 1);
            check!(s.chip.hw().sleeping.load(Ordering::Acquire));
            s.chip.hw().gate.store(false, Ordering::Release);
            check!(wait_for(5000, || removal.done()));
            drop(removal);
            // Removal waited for the driver's apply: its write is complete.
            check_eq!(s.channel().duty.load(Ordering::Relaxed), 7000);
            check!(wait_for(5000, || job.done.load(Ordering::Acquire)));
            check_eq!(job.result.load(Ordering::Relaxed), 0);
            check_eq!(s.chip.hw().calls.apply.load(Ordering::Relaxed), applies(1));
            Ok(())
        })();
        s.chip.hw().gate.store(false, Ordering::Release);
        drop(applier);
        result?;
        check_eq!(s.apply(&state(10000, 1000)), Err(ENODEV));
        Ok(())
    }

    // `struct pwm_chip *` as `void *`: bindgen's `pwm_chip` is not FFI-safe.
    // Used by a case built for the Rust core only.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    extern "C" {
        fn pwm_kunit_chip_attr_store(
            chip: *mut c_void,
            name: *const kernel::ffi::c_char,
            buf: *const kernel::ffi::c_char,
        ) -> isize;
        fn pwm_kunit_class_suspend(chip: *mut c_void) -> c_int;
        fn pwm_kunit_class_resume(chip: *mut c_void) -> c_int;
    }

    /// What the lookup thread shares with the test.
    struct GetJob {
        consumer: *mut bindings::device,
        pwm: AtomicPtr<bindings::pwm_device>,
        result: AtomicI32,
        done: AtomicBool,
    }

    /// Looks up the consumer's `held` channel from a thread of its own and
    /// records what it got.
    ///
    /// # Safety
    ///
    /// `data` is a `GetJob` that outlives the thread, whose consumer is alive.
    unsafe extern "C" fn get_thread(data: *mut c_void) -> c_int {
        // SAFETY: `data` is the test's `GetJob`, which outlives the thread.
        let job = unsafe { &*data.cast::<GetJob>() };
        // SAFETY: The consumer device is alive while the thread runs.
        match from_err_ptr(unsafe { bindings::pwm_get(job.consumer, c"held".as_char_ptr()) }) {
            Ok(pwm) => job.pwm.store(pwm, Ordering::Release),
            Err(e) => job.result.store(e.to_errno(), Ordering::Relaxed),
        }
        job.done.store(true, Ordering::Release);
        idle_until_stopped()
    }

    /// A lookup held inside the driver's `request` (at the test chip's gate)
    /// holds up the removal of the chip. The consumer gets its channel, which
    /// the removal, finishing afterwards, frees; the channel then refuses
    /// applies, and putting it releases the driver's module.
    #[test]
    fn remove_waits_for_a_lookup_in_progress() -> Result {
        let module = FakeModule::new()?;
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let mut chip =
            TestChip::new_owned(provider.dev(), 1, Kind::Legacy, false, module.as_ptr())?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"held"), 0)?;
        let refs = chip.refs();
        chip.hw().gate.store(true, Ordering::Release);
        let job = KBox::new(
            GetJob {
                consumer: consumer.dev(),
                pwm: AtomicPtr::new(ptr::null_mut()),
                result: AtomicI32::new(0),
                done: AtomicBool::new(false),
            },
            GFP_KERNEL,
        )?;
        let data = (&raw const *job).cast_mut().cast::<c_void>();
        // SAFETY: `job` and the consumer are declared before the thread and outlive it;
        // `get_thread` runs until asked to stop.
        let getter = unsafe { Thread::spawn(get_thread, data, c"pwm-kunit-get") };
        let getter = getter.inspect_err(|_| chip.hw().gate.store(false, Ordering::Release))?;
        let result = (|| -> Result {
            check!(wait_for(5000, || chip
                .hw()
                .sleeping
                .load(Ordering::Acquire)));
            // Inside `request`, the lookup holds the chip and pins the module.
            check!(chip.refs() > refs);
            check_eq!(module.users(), 1);
            let removal = Removal::start(&mut chip)?;
            // Dropped first on every way out, as in `remove_waits_for_an_op_in_progress`.
            let _open = OpenGate(chip.hw());
            check!(!wait_for(1000, || removal.done()));
            check!(!job.done.load(Ordering::Acquire));
            chip.hw().gate.store(false, Ordering::Release);
            check!(wait_for(5000, || removal.done()));
            drop(removal);
            check!(wait_for(5000, || job.done.load(Ordering::Acquire)));
            check_eq!(job.result.load(Ordering::Relaxed), 0);
            let pwm = job.pwm.load(Ordering::Acquire);
            if pwm.is_null() {
                return Err(EINVAL);
            }
            // The removal found the channel requested and freed it.
            check_eq!(chip.hw().calls.free.load(Ordering::Relaxed), 1);
            // SAFETY: `pwm` is the consumer's, until the put below.
            let applied = unsafe { bindings::pwm_apply_might_sleep(pwm, &state(10000, 1000)) };
            check_eq!(applied, ENODEV.to_errno());
            check_eq!(chip.hw().calls.apply.load(Ordering::Relaxed), 0);
            check_eq!(module.users(), 1);
            // Delayed kobject releases may drop other references meanwhile,
            // never add one.
            let held = chip.refs();
            // SAFETY: The consumer's channel, not used afterwards.
            unsafe { bindings::pwm_put(pwm) };
            check_eq!(module.users(), 0);
            check!(chip.refs() < held);
            Ok(())
        })();
        chip.hw().gate.store(false, Ordering::Release);
        drop(getter);
        result
    }

    /// What the suspend thread shares with the test.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    struct SuspendJob {
        chip: *mut bindings::pwm_chip,
        result: AtomicI32,
        done: AtomicBool,
    }

    /// Runs the class's suspend callback for a chip from a thread of its
    /// own, as the PM core does, and records the result.
    ///
    /// # Safety
    ///
    /// `data` is a `SuspendJob` that outlives the thread, whose chip's device
    /// the test holds a reference to, as the PM core does during a suspend.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    unsafe extern "C" fn suspend_thread(data: *mut c_void) -> c_int {
        // SAFETY: `data` is the test's `SuspendJob`, which outlives the thread.
        let job = unsafe { &*data.cast::<SuspendJob>() };
        // SAFETY: The chip's device is alive: the test holds a reference.
        let ret = unsafe { pwm_kunit_class_suspend(job.chip.cast()) };
        job.result.store(ret, Ordering::Relaxed);
        job.done.store(true, Ordering::Release);
        idle_until_stopped()
    }

    /// A system suspend held inside the driver (the class's callback stopping
    /// an exported, running channel, at the test chip's gate) holds up the
    /// removal of the chip; the suspend completes, the removal then
    /// unexports the channel and releases the driver's module, and resuming
    /// the removed chip, whose device the PM core still holds, does nothing.
    // Rust core only: the C core frees what its suspend still uses (KASAN).
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn remove_waits_for_a_suspend_in_progress() -> Result {
        let module = FakeModule::new()?;
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let mut chip =
            TestChip::new_owned(provider.dev(), 1, Kind::Legacy, false, module.as_ptr())?;
        // SAFETY: The chip is registered; the strings are NUL-terminated.
        let written = unsafe {
            pwm_kunit_chip_attr_store(
                chip.chip.cast(),
                c"export".as_char_ptr(),
                c"0".as_char_ptr(),
            )
        };
        check_eq!(written, 1);
        if written != 1 {
            return Err(EINVAL);
        }
        check_eq!(module.users(), 1);
        // SAFETY: The export keeps channel 0 requested until the removal.
        to_result(unsafe { bindings::pwm_apply_might_sleep(chip.pwm(0), &state(10000, 3000)) })?;
        check!(chip.hw().channel(0).enabled.load(Ordering::Relaxed));
        chip.hw().gate.store(true, Ordering::Release);
        let job = KBox::new(
            SuspendJob {
                chip: chip.chip,
                result: AtomicI32::new(1),
                done: AtomicBool::new(false),
            },
            GFP_KERNEL,
        )?;
        let data = (&raw const *job).cast_mut().cast::<c_void>();
        // SAFETY: `job` is declared before the thread and outlives it; `chip` keeps its
        // reference to the chip's device until after the thread stopped.
        let suspender = unsafe { Thread::spawn(suspend_thread, data, c"pwm-kunit-suspend") };
        let suspender =
            suspender.inspect_err(|_| chip.hw().gate.store(false, Ordering::Release))?;
        let result = (|| -> Result {
            check!(wait_for(5000, || chip
                .hw()
                .sleeping
                .load(Ordering::Acquire)));
            let removal = Removal::start(&mut chip)?;
            // Dropped first on every way out, as in `remove_waits_for_an_op_in_progress`.
            let _open = OpenGate(chip.hw());
            check!(!wait_for(1000, || removal.done()));
            check!(!job.done.load(Ordering::Acquire));
            check_eq!(module.users(), 1);
            chip.hw().gate.store(false, Ordering::Release);
            check!(wait_for(5000, || removal.done()));
            drop(removal);
            check!(wait_for(5000, || job.done.load(Ordering::Acquire)));
            check_eq!(job.result.load(Ordering::Relaxed), 0);
            // The suspend stopped the output; the removal then unexported the
            // channel, freeing it and the module.
            check!(!chip.hw().channel(0).enabled.load(Ordering::Relaxed));
            check_eq!(chip.hw().calls.free.load(Ordering::Relaxed), 1);
            check_eq!(module.users(), 0);
            let applied = chip.hw().calls.apply.load(Ordering::Relaxed);
            // SAFETY: `chip` still holds its reference to the chip's device.
            check_eq!(unsafe { pwm_kunit_class_resume(chip.chip.cast()) }, 0);
            check_eq!(chip.hw().calls.apply.load(Ordering::Relaxed), applied);
            check!(!chip.hw().channel(0).enabled.load(Ordering::Relaxed));
            Ok(())
        })();
        chip.hw().gate.store(false, Ordering::Release);
        drop(suspender);
        result
    }

    #[test]
    fn devres_unwinds_chip_and_consumer() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"devm"), 0)?;
        // SAFETY: Both devices are live; groups are released below.
        let (pgroup, cgroup) = unsafe {
            (
                bindings::devres_open_group(provider.dev(), ptr::null_mut(), bindings::GFP_KERNEL),
                bindings::devres_open_group(consumer.dev(), ptr::null_mut(), bindings::GFP_KERNEL),
            )
        };
        check!(!pgroup.is_null() && !cgroup.is_null());

        // SAFETY: `provider` is live; the chip lives until its group is released.
        let chip = from_err_ptr(unsafe {
            bindings::devm_pwmchip_alloc(
                provider.dev(),
                1,
                core::mem::size_of::<crate::test_chip::Hw>(),
            )
        })?;
        // SAFETY: `chip` is a live chip; its ops are static.
        unsafe { (*chip).ops = &crate::test_chip::LEGACY_OPS };
        // SAFETY: As above.
        to_result(unsafe { bindings::__devm_pwmchip_add(provider.dev(), chip, ptr::null_mut()) })?;
        // SAFETY: `consumer` is live.
        let pwm =
            from_err_ptr(unsafe { bindings::devm_pwm_get(consumer.dev(), c"devm".as_char_ptr()) })?;
        // SAFETY: `pwm` is requested (by the devres group).
        check_ne!(unsafe { (*pwm).flags } & 1, 0);

        // SAFETY: Keep the chip's memory for the checks below.
        unsafe { bindings::get_device(&raw mut (*chip).dev) };
        // SAFETY: Releasing the consumer's group puts the channel.
        unsafe { bindings::devres_release_group(consumer.dev(), cgroup) };
        // SAFETY: The extra reference keeps the chip alive.
        check_eq!(unsafe { (*pwm).flags } & 1, 0);
        // SAFETY: Releasing the provider's group removes the chip and drops its reference.
        unsafe { bindings::devres_release_group(provider.dev(), pgroup) };
        // SAFETY: The extra reference keeps the chip alive.
        unsafe {
            check!(!(*chip).operational);
            check_eq!(
                bindings::pwm_apply_might_sleep(pwm, &state(10, 5)),
                ENODEV.to_errno()
            );
            bindings::put_device(&raw mut (*chip).dev);
        }
        Ok(())
    }

    // Rust core only: the C core leaves the chip registered with its parent
    // gone, and later cases would find it.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn parent_going_removes_a_chip_left_registered() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let mut chip = TestChip::new(&provider, 1, Kind::Legacy, false)?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"left"), 0)?;
        let pwm = pwm_get(&consumer, c"left")?;
        let calls = chip.hw().calls.total();
        let refs = chip.refs();
        let id = chip.get().id;
        let watch = LogWatch::new(c"removed at unbind: its driver did not")?;
        // The driver never removes the chip (as upstream's pwm-gpio does not):
        // its parent's devres, released as the device goes, removes it.
        drop(provider);
        chip.removed_elsewhere();
        check_eq!(watch.hits(), 1);
        check!(!chip.get().operational);
        // SAFETY: `pwm` is requested; the consumer's reference keeps its chip alive.
        let ret = unsafe { bindings::pwm_apply_might_sleep(pwm, &state(10, 5)) };
        check_eq!(ret, ENODEV.to_errno());
        // The channel the consumer held was freed once, at the removal.
        check_eq!(chip.hw().calls.free.load(Ordering::Relaxed), 1);
        check_eq!(chip.hw().calls.total(), calls + 1);
        // The registry's, the device's and the removal action's references went.
        check!(chip.refs() < refs);
        // The chip's id is free again, for the next chip to take.
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let next = TestChip::new(&provider, 1, Kind::Legacy, false)?;
        check_eq!(next.get().id, id);
        // SAFETY: `pwm` was requested above and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        Ok(())
    }

    // Rust core only: the C core removes the chip again and crashes.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn removing_twice_does_nothing_the_second_time() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let mut chip = TestChip::new(&provider, 1, Kind::Legacy, false)?;
        let refs = chip.refs();
        let watch = LogWatch::new(c"removed at unbind")?;
        chip.remove();
        let removed = chip.refs();
        // SAFETY: The chip is alive (the test holds its reference); it was removed above.
        unsafe { bindings::pwmchip_remove(ptr::from_ref(chip.get()).cast_mut()) };
        check_eq!(chip.refs(), removed);
        check!(removed < refs);
        // Removed by its driver: the parent's going has nothing left to do.
        drop(provider);
        check_eq!(chip.refs(), removed);
        check_eq!(watch.hits(), 0);
        Ok(())
    }

    // Rust core only: the C core adds the chip's device a second time.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn adding_a_registered_chip_again_is_busy() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let chip = TestChip::new(&provider, 1, Kind::Legacy, false)?;
        let id = chip.get().id;
        let raw = ptr::from_ref(chip.get()).cast_mut();
        // SAFETY: The chip is alive and registered; the test holds its reference.
        let ret = unsafe { bindings::__pwmchip_add(raw, ptr::null_mut()) };
        check_eq!(ret, EBUSY.to_errno());
        check_eq!(chip.get().id, id);
        check!(chip.get().operational);
        Ok(())
    }

    // Rust core only: the C core frees the chip under the devres action.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn devm_add_on_another_device_outlives_the_parent() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let other = TestDevice::new(c"pwm-kunit-consumer")?;
        // SAFETY: `parent` is live; the chip's last reference goes with `other` below.
        let chip = from_err_ptr(unsafe {
            bindings::pwmchip_alloc(parent.dev(), 1, core::mem::size_of::<Hw>())
        })?;
        // SAFETY: `chip` is a live chip, not registered yet; its ops are static.
        unsafe { (*chip).ops = &crate::test_chip::LEGACY_OPS };
        // SAFETY: `other` is live and bound to nothing, as devres allows; the chip is alive.
        to_result(unsafe { bindings::__devm_pwmchip_add(other.dev(), chip, ptr::null_mut()) })?;
        // The driver drops its reference, then its parent goes first: the chip is
        // removed there, and the devres action on `other` still holds it.
        // SAFETY: The allocation's reference, given up here.
        unsafe { bindings::put_device(&raw mut (*chip).dev) };
        drop(parent);
        // SAFETY: The devres action's reference keeps the chip alive.
        check!(!unsafe { (*chip).operational });
        // The action removes nothing more and drops the last reference; KASAN
        // reports a use after free if it did not hold one.
        drop(other);
        Ok(())
    }

    #[test]
    fn requested_channel_pins_the_driver_module() -> Result {
        let module = FakeModule::new()?;
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let mut chip =
            TestChip::new_owned(provider.dev(), 1, Kind::Legacy, false, module.as_ptr())?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"m"), 0)?;
        let before = module.users();
        let pwm = pwm_get(&consumer, c"m")?;
        let held = module.users();
        chip.remove();
        let after_remove = module.users();
        // SAFETY: `pwm` was requested above and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        check_eq!(before, 0);
        check_eq!(held, 1);
        check_eq!(after_remove, 1);
        check_eq!(module.users(), 0);
        Ok(())
    }

    #[test]
    fn request_fails_while_the_driver_module_goes_away() -> Result {
        let module = FakeModule::new()?;
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let chip = TestChip::new_owned(provider.dev(), 1, Kind::Legacy, false, module.as_ptr())?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"m"), 0)?;
        let refs = chip.refs();
        module.set_going();
        check_eq!(pwm_get(&consumer, c"m").err(), Some(ENODEV));
        check_eq!(chip.hw().calls.request.load(Ordering::Relaxed), 0);
        check_eq!(chip.refs(), refs);
        check_eq!(module.users(), 0);
        Ok(())
    }
}
