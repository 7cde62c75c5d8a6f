// SPDX-License-Identifier: GPL-2.0

//! `kernel::pwm`: chips built with [`pwm::Chip`] by a Rust platform driver,
//! consumers holding a [`pwm::Device`], and the two samples working together.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_rust_api)]
mod tests {
    use crate::test_chip::{
        is_bound,
        Channel,
        ChildChip,
        Lookup,
        TestDevice, //
    };
    #[cfg(CONFIG_PWM_RUST_CORE)]
    use crate::test_chip::{
        pwm_kunit_in_hardirq,
        pwm_kunit_run_irq_test, //
    };
    use core::{
        ptr,
        sync::atomic::{
            AtomicPtr,
            AtomicU32,
            Ordering, //
        },
    };
    use kernel::{
        bindings,
        device::{
            self,
            Core, //
        },
        driver,
        platform,
        prelude::*,
        pwm,
        types::Opaque,
        ModuleMetadata,
        ThisModule, //
    };

    /// Nanoseconds per tick of the waveform chip.
    const TICK_NS: u64 = 1000;

    /// Which chip the next probe of the test driver builds.
    static MODE: AtomicU32 = AtomicU32::new(0);
    const MODE_ATOMIC_LEGACY: u32 = 0;
    const MODE_SLEEPING_WAVEFORM: u32 = 1;
    /// The probe builds an atomic legacy chip and drops it unregistered.
    const MODE_UNREGISTERED: u32 = 2;
    /// The chip the last probe registered; valid while a test holds it.
    static CHIP: AtomicPtr<bindings::pwm_chip> = AtomicPtr::new(ptr::null_mut());
    /// How often driver data was dropped.
    ///
    /// Counted per chip generation (the case that made it), since a chip of
    /// an earlier case may be released late (`CONFIG_DEBUG_KOBJECT_RELEASE`).
    static DROPS: [AtomicU32; 16] = [const { AtomicU32::new(0) }; 16];
    /// The generation of the chips the probe makes now.
    static GENERATION: AtomicU32 = AtomicU32::new(0);

    /// Drops of the current generation's chips.
    fn drops() -> u32 {
        DROPS[GENERATION.load(Ordering::Relaxed) as usize % 16].load(Ordering::Relaxed)
    }

    /// A `struct module` standing in for the driver's module.
    struct StaticModule(Opaque<bindings::module>);
    // SAFETY: Only `try_module_get`/`module_put` touch it, atomically, once set up.
    unsafe impl Sync for StaticModule {}
    static OWNER_MODULE: StaticModule = StaticModule(Opaque::zeroed());

    /// The module the test chips' ops belong to (`#[vtable]` makes it their
    /// owner): the stand-in.
    struct StandIn;

    impl ModuleMetadata for StandIn {
        const NAME: &'static CStr = c"pwm_kunit_stand_in";
        // SAFETY: Only the test chips name it as their owner.
        const THIS_MODULE: ThisModule = unsafe { ThisModule::from_ptr(OWNER_MODULE.0.get()) };
    }
    // SAFETY: Built-in code has no module: `THIS_MODULE` is NULL.
    static BUILT_IN: ThisModule = unsafe { ThisModule::from_ptr(ptr::null_mut()) };

    fn owner_users() -> i32 {
        // SAFETY: The module is static; `module_refcount` only reads.
        unsafe { bindings::module_refcount(OWNER_MODULE.0.get()) }
    }

    /// Marks the stand-in module live without users.
    fn owner_reset() {
        // SAFETY: No chip holds the stand-in module between tests; `MODULE_REF_BASE` is 1.
        unsafe {
            (*OWNER_MODULE.0.get()).state = bindings::module_state_MODULE_STATE_LIVE;
            (*OWNER_MODULE.0.get()).refcnt.counter = 1;
        }
    }

    /// Simulated registers, shared by both test chips.
    struct Regs {
        channels: [Channel; 2],
        requests: AtomicU32,
        writes: AtomicU32,
        generation: u32,
    }

    impl Default for Regs {
        fn default() -> Self {
            Self {
                channels: Default::default(),
                requests: AtomicU32::new(0),
                writes: AtomicU32::new(0),
                generation: GENERATION.load(Ordering::Relaxed),
            }
        }
    }

    impl Regs {
        fn channel(&self, pwm: &pwm::Channel) -> Result<&Channel> {
            self.channels.get(pwm.hwpwm() as usize).ok_or(EINVAL)
        }
    }

    impl Drop for Regs {
        fn drop(&mut self) {
            DROPS[self.generation as usize % 16].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A raw atomic chip with the legacy ops `request`, `apply`, `get_state`.
    #[derive(Default)]
    #[repr(transparent)]
    struct AtomicLegacy(Regs);

    #[vtable]
    impl pwm::Ops for AtomicLegacy {
        type OwnerModule = StandIn;
        type Context = pwm::RawAtomic;
        type WfHw = ();

        fn request(chip: &pwm::Chip<Self>, _pwm: &pwm::Channel) -> Result {
            chip.drvdata().0.requests.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }

        fn apply(
            chip: &pwm::Chip<Self>,
            pwm: &pwm::Channel,
            state: &pwm::State,
            _ctx: &pwm::RawAtomic,
        ) -> Result {
            let regs = &chip.drvdata().0;
            let ch = regs.channel(pwm)?;
            ch.period.store(state.period_ns, Ordering::Relaxed);
            ch.duty.store(state.duty_cycle_ns, Ordering::Relaxed);
            ch.inversed
                .store(state.polarity == pwm::Polarity::Inversed, Ordering::Relaxed);
            ch.enabled.store(state.enabled, Ordering::Relaxed);
            regs.writes.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }

        fn get_state(
            chip: &pwm::Chip<Self>,
            pwm: &pwm::Channel,
            _ctx: &pwm::RawAtomic,
        ) -> Result<pwm::State> {
            let ch = chip.drvdata().0.channel(pwm)?;
            Ok(pwm::State {
                period_ns: ch.period.load(Ordering::Relaxed),
                duty_cycle_ns: ch.duty.load(Ordering::Relaxed),
                polarity: if ch.inversed.load(Ordering::Relaxed) {
                    pwm::Polarity::Inversed
                } else {
                    pwm::Polarity::Normal
                },
                enabled: ch.enabled.load(Ordering::Relaxed),
                usage_power: false,
            })
        }
    }

    /// A sleeping waveform chip counting in ticks of [`TICK_NS`].
    #[derive(Default)]
    #[repr(transparent)]
    struct SleepingWaveform(Regs);

    /// Period, duty and offset in ticks.
    type Ticks = [u32; 3];

    fn to_ticks(ns: u64) -> u32 {
        u32::try_from(ns / TICK_NS).unwrap_or(u32::MAX)
    }

    #[vtable]
    impl pwm::Ops for SleepingWaveform {
        type OwnerModule = StandIn;
        type Context = pwm::Sleeping;
        type WfHw = Ticks;

        fn round_waveform_tohw(
            _chip: &pwm::Chip<Self>,
            _pwm: &pwm::Channel,
            wf: &pwm::Waveform,
            _ctx: &pwm::Sleeping,
        ) -> Result<pwm::RoundedWfHw<Ticks>> {
            if wf.period_length_ns == 0 {
                return Ok(pwm::RoundedWfHw::default());
            }
            let up = wf.period_length_ns < TICK_NS;
            let period = to_ticks(wf.period_length_ns).max(1);
            let duty = to_ticks(wf.duty_length_ns).min(period);
            let offset = to_ticks(wf.duty_offset_ns).min(period - 1);
            Ok(pwm::RoundedWfHw {
                wfhw: [period, duty, offset],
                rounded_up: up,
            })
        }

        fn round_waveform_fromhw(
            _chip: &pwm::Chip<Self>,
            _pwm: &pwm::Channel,
            wfhw: &Ticks,
            _ctx: &pwm::Sleeping,
        ) -> Result<pwm::Waveform> {
            Ok(pwm::Waveform {
                period_length_ns: u64::from(wfhw[0]) * TICK_NS,
                duty_length_ns: u64::from(wfhw[1]) * TICK_NS,
                duty_offset_ns: u64::from(wfhw[2]) * TICK_NS,
            })
        }

        fn read_waveform(
            chip: &pwm::Chip<Self>,
            pwm: &pwm::Channel,
            ctx: &pwm::Sleeping,
        ) -> Result<Ticks> {
            // A slow bus: sleeping is what this context allows.
            ctx.fsleep(kernel::time::Delta::from_micros(10));
            let ch = chip.drvdata().0.channel(pwm)?;
            Ok([
                to_ticks(ch.period.load(Ordering::Relaxed)),
                to_ticks(ch.duty.load(Ordering::Relaxed)),
                to_ticks(ch.offset.load(Ordering::Relaxed)),
            ])
        }

        fn write_waveform(
            chip: &pwm::Chip<Self>,
            pwm: &pwm::Channel,
            wfhw: &Ticks,
            _ctx: &pwm::Sleeping,
        ) -> Result {
            let regs = &chip.drvdata().0;
            let ch = regs.channel(pwm)?;
            ch.period
                .store(u64::from(wfhw[0]) * TICK_NS, Ordering::Relaxed);
            ch.duty
                .store(u64::from(wfhw[1]) * TICK_NS, Ordering::Relaxed);
            ch.offset
                .store(u64::from(wfhw[2]) * TICK_NS, Ordering::Relaxed);
            ch.enabled.store(wfhw[0] != 0, Ordering::Relaxed);
            regs.writes.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
    }

    /// A Rust platform driver registering a two-channel chip per device.
    struct ApiDriver;

    impl platform::Driver for ApiDriver {
        type IdInfo = ();
        type Data<'bound> = Self;

        fn probe<'bound>(
            pdev: &'bound platform::Device<Core<'_>>,
            _info: Option<&'bound ()>,
        ) -> impl PinInit<Self, Error> + 'bound {
            let dev = pdev.as_ref();
            let mode = MODE.load(Ordering::Relaxed);
            let raw = if mode == MODE_UNREGISTERED {
                let chip = pwm::Chip::new(dev, 2, Ok::<_, Error>(AtomicLegacy::default()))?;
                // Before registration the driver data is reachable, and dropping the
                // unregistered chip drops it.
                chip.drvdata().0.requests.store(7, Ordering::Relaxed);
                drop(chip);
                ptr::null_mut()
            } else if mode == MODE_ATOMIC_LEGACY {
                let chip = pwm::Chip::new(dev, 2, Ok::<_, Error>(AtomicLegacy::default()))?;
                chip.register()?.as_raw()
            } else {
                let chip = pwm::Chip::new(dev, 2, Ok::<_, Error>(SleepingWaveform::default()))?;
                chip.register()?.as_raw()
            };
            // The registration keeps the chip alive until the device unbinds.
            CHIP.store(raw, Ordering::Relaxed);
            Ok(Self)
        }
    }

    /// A driver for consumer devices, which does nothing: consumers are bound
    /// devices, so the driver core unbinds them (and drops their device links)
    /// before their provider.
    struct ConsumerDriver;

    impl platform::Driver for ConsumerDriver {
        type IdInfo = ();
        type Data<'bound> = Self;

        fn probe<'bound>(
            _pdev: &'bound platform::Device<Core<'_>>,
            _info: Option<&'bound ()>,
        ) -> impl PinInit<Self, Error> + 'bound {
            Ok(Self)
        }
    }

    /// The test drivers, registered while a case runs, and their devices.
    ///
    /// Every case names its driver differently: a driver's sysfs directory
    /// goes only when its last reference does, which
    /// `CONFIG_DEBUG_KOBJECT_RELEASE` delays by seconds.
    struct Bench {
        // Dropped in this order: provider (unbinds), consumer, driver.
        provider: Option<TestDevice>,
        consumer: TestDevice,
        _lookup: Lookup,
        _consumer_driver: Pin<KBox<driver::Registration<platform::Adapter<ConsumerDriver>>>>,
        _driver: Pin<KBox<driver::Registration<platform::Adapter<ApiDriver>>>>,
    }

    impl Bench {
        fn new(name: &'static CStr, consumer: &'static CStr, mode: u32) -> Result<Self> {
            owner_reset();
            let generation = GENERATION.fetch_add(1, Ordering::Relaxed) + 1;
            DROPS[generation as usize % 16].store(0, Ordering::Relaxed);
            CHIP.store(ptr::null_mut(), Ordering::Relaxed);
            MODE.store(mode, Ordering::Relaxed);
            let driver = KBox::pin_init(
                driver::Registration::<platform::Adapter<ApiDriver>>::new(name, &BUILT_IN),
                GFP_KERNEL,
            )?;
            let consumer_driver = KBox::pin_init(
                driver::Registration::<platform::Adapter<ConsumerDriver>>::new(consumer, &BUILT_IN),
                GFP_KERNEL,
            )?;
            let lookup = Lookup::add(name, 1, Some(consumer), Some(c"api"), 0)?;
            let consumer = TestDevice::new(consumer)?;
            let provider = TestDevice::new(name)?;
            Ok(Self {
                provider: Some(provider),
                consumer,
                _lookup: lookup,
                _consumer_driver: consumer_driver,
                _driver: driver,
            })
        }

        fn consumer(&self) -> &device::Device {
            // SAFETY: The consumer device is registered while `self` lives.
            unsafe { device::Device::from_raw(self.consumer.dev()) }
        }

        fn chip(&self) -> &bindings::pwm_chip {
            // SAFETY: The probe stored a registered chip, alive while the provider is bound;
            // cases call this only then.
            unsafe { &*CHIP.load(Ordering::Relaxed) }
        }

        /// The driver's registers, through the chip's private data.
        fn regs(&self) -> &Regs {
            // SAFETY: Both chip types are transparent over `Regs` at offset 0 of the private
            // data, and the chip is alive as for `chip`.
            unsafe { &*bindings::pwmchip_get_drvdata(ptr::from_ref(self.chip()).cast_mut()).cast() }
        }

        /// Unbinds the driver from the provider: the chip is removed.
        fn unbind(&mut self) {
            self.provider = None;
        }

        /// Ends a case: unbinds the provider and checks that nothing still
        /// holds the stand-in module, which `owner_reset` at the next case's
        /// start would otherwise hide.
        fn finish(mut self) -> Result {
            self.unbind();
            drop(self);
            check_eq!(owner_users(), 0);
            Ok(())
        }
    }

    #[test]
    fn registration_sets_ops_owner_and_atomic() -> Result {
        let b = Bench::new(
            c"pwm-kunit-rust-1",
            c"pwm-kunit-rust-1-consumer",
            MODE_ATOMIC_LEGACY,
        )?;
        check!(!CHIP.load(Ordering::Relaxed).is_null());
        let chip = b.chip();
        check_eq!(chip.npwm, 2);
        check!(chip.atomic);
        check!(pwm::is_raw_atomic::<AtomicLegacy>());
        check_eq!(chip.owner, OWNER_MODULE.0.get());
        // The chip's release is the core's, built in: no code of the driver's module
        // runs when the last reference goes, which may be after the module is gone.
        check_eq!(
            chip.dev.release.map(|f| f as *const () as usize),
            Some(bindings::pwmchip_release as *const () as usize)
        );
        // SAFETY: `ops` of a registered chip is set.
        let ops = unsafe { &*chip.ops };
        // Absent ops stay NULL rather than returning an errno.
        check!(ops.request.is_some());
        check!(ops.free.is_none());
        check!(ops.capture.is_none());
        check!(ops.apply.is_some());
        check!(ops.get_state.is_some());
        check!(ops.write_waveform.is_none());
        check_eq!(ops.sizeof_wfhw, 0);
        check!(pwm::has_op::<AtomicLegacy>(pwm::Op::Request));
        check!(!pwm::has_op::<AtomicLegacy>(pwm::Op::Free));
        b.finish()
    }

    #[test]
    fn waveform_chip_has_only_waveform_ops() -> Result {
        let b = Bench::new(
            c"pwm-kunit-rust-2",
            c"pwm-kunit-rust-2-consumer",
            MODE_SLEEPING_WAVEFORM,
        )?;
        let chip = b.chip();
        check!(!chip.atomic);
        // SAFETY: `ops` of a registered chip is set.
        let ops = unsafe { &*chip.ops };
        check!(ops.apply.is_none() && ops.get_state.is_none());
        check!(ops.request.is_none() && ops.free.is_none() && ops.capture.is_none());
        check!(ops.round_waveform_tohw.is_some() && ops.round_waveform_fromhw.is_some());
        check!(ops.read_waveform.is_some() && ops.write_waveform.is_some());
        check_eq!(ops.sizeof_wfhw, core::mem::size_of::<Ticks>());
        check!(!pwm::is_atomic::<SleepingWaveform>());
        b.finish()
    }

    #[test]
    fn consumer_get_apply_and_drop() -> Result {
        let b = Bench::new(
            c"pwm-kunit-rust-3",
            c"pwm-kunit-rust-3-consumer",
            MODE_ATOMIC_LEGACY,
        )?;
        check_eq!(
            pwm::Device::get(b.consumer(), Some(c"nothing")).err(),
            Some(ENODEV)
        );
        let pwm = pwm::Device::get(b.consumer(), Some(c"api"))?;
        check_eq!(pwm.hwpwm(), 1);
        check!(pwm.is_atomic());
        check_eq!(b.regs().requests.load(Ordering::Relaxed), 1);
        // Held: the module is pinned and a second request is refused.
        check_eq!(owner_users(), 1);
        check_eq!(
            pwm::Device::get(b.consumer(), Some(c"api")).err(),
            Some(EBUSY)
        );

        let mut st = pwm::State::new(50_000, 20_000);
        st.polarity = pwm::Polarity::Inversed;
        pwm.apply(&st)?;
        check_eq!(b.regs().channels[1].duty.load(Ordering::Relaxed), 20_000);
        check!(b.regs().channels[1].inversed.load(Ordering::Relaxed));
        check_eq!(pwm.state()?, st);
        check_eq!(pwm.state_hw()?, st);
        // The core's no-op on an unchanged state reaches the driver not at all.
        let writes = b.regs().writes.load(Ordering::Relaxed);
        pwm.apply(&st)?;
        check_eq!(b.regs().writes.load(Ordering::Relaxed), writes);
        // Invalid states are refused by the core, and the hardware keeps its state.
        check_eq!(pwm.apply(&pwm::State::new(0, 0)).err(), Some(EINVAL));
        check_eq!(pwm.apply(&pwm::State::new(1000, 2000)).err(), Some(EINVAL));
        check_eq!(b.regs().channels[1].period.load(Ordering::Relaxed), 50_000);

        drop(pwm);
        check_eq!(owner_users(), 0);
        // Put back: it can be requested again.
        let again = pwm::Device::get(b.consumer(), Some(c"api"))?;
        check_eq!(b.regs().requests.load(Ordering::Relaxed), 2);
        drop(again);
        b.finish()
    }

    #[test]
    fn consumer_waveforms_on_a_sleeping_chip() -> Result {
        let b = Bench::new(
            c"pwm-kunit-rust-4",
            c"pwm-kunit-rust-4-consumer",
            MODE_SLEEPING_WAVEFORM,
        )?;
        let pwm = tri!(pwm::Device::get(b.consumer(), Some(c"api")));
        check!(!pwm.is_atomic());
        // The atomic variant refuses a sleeping chip without calling its driver.
        check_eq!(
            pwm.apply_atomic(&pwm::State::new(10_000, 0)).err(),
            Some(EOPNOTSUPP)
        );
        check_eq!(b.regs().writes.load(Ordering::Relaxed), 0);

        let wf = pwm::Waveform {
            period_length_ns: 50_500,
            duty_length_ns: 20_700,
            duty_offset_ns: 1_900,
        };
        let r = tri!(pwm.round_waveform(&wf));
        check_eq!(r.waveform.period_length_ns, 50_000);
        check_eq!(r.waveform.duty_length_ns, 20_000);
        check_eq!(r.waveform.duty_offset_ns, 1_000);
        check!(!r.rounded_up);
        // Below one tick: rounded up to one, and said so.
        let tiny = pwm::Waveform {
            period_length_ns: 500,
            ..Default::default()
        };
        check!(tri!(pwm.round_waveform(&tiny)).rounded_up);

        check_eq!(pwm.set_waveform(&wf, true).err(), Some(EDOM));
        check_eq!(b.regs().writes.load(Ordering::Relaxed), 0);
        tri!(pwm.set_waveform(&wf, false));
        check_eq!(tri!(pwm.waveform()), r.waveform);
        check_eq!(b.regs().channels[1].offset.load(Ordering::Relaxed), 1_000);

        // The legacy API works on waveform chips too.
        tri!(pwm.apply(&pwm::State::new(40_000, 10_000)));
        let hw = tri!(pwm.state_hw());
        check_eq!(
            (hw.period_ns, hw.duty_cycle_ns, hw.enabled),
            (40_000, 10_000, true)
        );
        drop(pwm);
        b.finish()
    }

    #[test]
    fn driver_data_dropped_at_removal_while_a_consumer_holds_the_chip() -> Result {
        let mut b = Bench::new(
            c"pwm-kunit-rust-5",
            c"pwm-kunit-rust-5-consumer",
            MODE_ATOMIC_LEGACY,
        )?;
        let pwm = pwm::Device::get(b.consumer(), Some(c"api"))?;
        pwm.apply(&pwm::State::new(10_000, 5_000))?;
        check_eq!(drops(), 0);
        b.unbind();
        // Removed while the driver was bound: the driver data is gone at once, though
        // the consumer still holds the chip.
        check_eq!(drops(), 1);
        check_eq!(
            pwm.apply(&pwm::State::new(10_000, 1_000)).err(),
            Some(ENODEV)
        );
        check_eq!(pwm.state_hw().err(), Some(ENODEV));
        check_eq!(pwm.state()?.duty_cycle_ns, 5_000);
        // The module stays pinned until the consumer lets go.
        check_eq!(owner_users(), 1);
        drop(pwm);
        check_eq!(owner_users(), 0);
        // Dropped once: the chip's last reference (released late under
        // CONFIG_DEBUG_KOBJECT_RELEASE) runs no driver code.
        check_eq!(drops(), 1);
        b.finish()
    }

    #[test]
    fn driver_data_dropped_on_unbind_without_users() -> Result {
        let mut b = Bench::new(
            c"pwm-kunit-rust-6",
            c"pwm-kunit-rust-6-consumer",
            MODE_SLEEPING_WAVEFORM,
        )?;
        check_eq!(drops(), 0);
        b.unbind();
        check_eq!(drops(), 1);
        // The lookup now finds no provider: the consumer is told to wait.
        check_eq!(
            pwm::Device::get(b.consumer(), Some(c"api")).err(),
            Some(EPROBE_DEFER)
        );
        b.finish()
    }

    #[test]
    fn unregistered_chip_drops_its_driver_data() -> Result {
        let b = Bench::new(
            c"pwm-kunit-rust-8",
            c"pwm-kunit-rust-8-consumer",
            MODE_UNREGISTERED,
        )?;
        // The probe ran: it dropped its chip before registering it.
        check_eq!(drops(), 1);
        check!(CHIP.load(Ordering::Relaxed).is_null());
        b.finish()
    }

    /// What the contexts share.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    struct IrqShared {
        pwm: pwm::Device,
        calls: AtomicU32,
        in_hardirq: AtomicU32,
    }

    /// # Safety
    ///
    /// `data` is a live `IrqShared`.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    unsafe extern "C" fn apply_atomic(data: *mut kernel::ffi::c_void) -> bool {
        // SAFETY: As the caller guarantees.
        let shared = unsafe { &*data.cast::<IrqShared>() };
        let n = shared.calls.fetch_add(1, Ordering::Relaxed);
        // SAFETY: A plain C predicate.
        if unsafe { pwm_kunit_in_hardirq() } {
            shared.in_hardirq.fetch_add(1, Ordering::Relaxed);
        }
        let st = pwm::State::new(10_000, u64::from(n % 10_000));
        shared.pwm.apply_atomic(&st).is_ok()
    }

    // The C core takes a `spinlock_t` for atomic chips, which hard-IRQ context must not.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    #[test]
    fn atomic_apply_from_hardirq() -> Result {
        let b = Bench::new(
            c"pwm-kunit-rust-7",
            c"pwm-kunit-rust-7-consumer",
            MODE_ATOMIC_LEGACY,
        )?;
        let shared = KBox::new(
            IrqShared {
                pwm: pwm::Device::get(b.consumer(), Some(c"api"))?,
                calls: AtomicU32::new(0),
                in_hardirq: AtomicU32::new(0),
            },
            GFP_KERNEL,
        )?;
        // SAFETY: Only called from a KUnit case.
        let test = unsafe { bindings::kunit_get_current_test() };
        // SAFETY: `shared` outlives the call, which stops every context before returning.
        unsafe {
            pwm_kunit_run_irq_test(
                test,
                Some(apply_atomic),
                10_000,
                (&raw const *shared).cast_mut().cast(),
            )
        };
        check!(shared.in_hardirq.load(Ordering::Relaxed) > 0);
        check!(b.regs().writes.load(Ordering::Relaxed) > 0);
        drop(shared);
        b.finish()
    }

    #[test]
    fn samples_drive_each_other() -> Result {
        let _lookup = Lookup::add(
            c"rust_driver_pwm",
            1,
            Some(c"rust_pwm_consumer"),
            Some(c"sample"),
            0,
        )?;
        let provider = TestDevice::new(c"rust_driver_pwm")?;
        let chip = ChildChip::find(provider.dev()).ok_or(ENODEV)?;
        let consumer = TestDevice::new(c"rust_pwm_consumer")?;
        check!(is_bound(consumer.dev()));
        check!(chip.requested(1));
        let hw = chip.state_hw(1)?;
        check_eq!(
            (hw.period, hw.duty_cycle, hw.enabled),
            (1_000_000, 250_000, true)
        );
        drop(consumer);
        // The consumer's unbind stopped the output, and devres put the channel back.
        check!(!chip.state_hw(1)?.enabled);
        check!(!chip.requested(1));
        Ok(())
    }
}
