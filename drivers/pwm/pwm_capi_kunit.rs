// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the PWM core through the C API, as C drivers and consumers use it.
//!
//! The cases call only the functions and fields of `<linux/pwm.h>` that a C
//! driver or consumer touches, so the same suite checks whichever
//! implementation of the core is built.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_capi)]
mod tests {
    use core::{
        ptr,
        sync::atomic::{
            AtomicU32,
            AtomicU64,
            Ordering, //
        },
    };
    use kernel::{
        bindings,
        error::{
            from_err_ptr,
            to_result, //
        },
        ffi::c_int,
        prelude::*,
        str::CString,
    };

    /// A platform device standing in for a PWM provider's or consumer's device.
    ///
    /// Faux devices will not do: they opt out of power management, and the
    /// driver core refuses them as the supplier of the device link that the
    /// core adds from consumer to provider.
    ///
    /// # Invariants
    ///
    /// `self.0` points to a registered platform device until `drop`.
    struct TestDevice(*mut bindings::platform_device);

    impl TestDevice {
        fn new(name: &CStr) -> Result<Self> {
            // SAFETY: `name` is NUL-terminated; the device copies it.
            let pdev = unsafe {
                bindings::platform_device_alloc(name.as_char_ptr(), bindings::PLATFORM_DEVID_NONE)
            };
            if pdev.is_null() {
                return Err(ENOMEM);
            }
            // SAFETY: `pdev` was just allocated and is not registered yet.
            let ret = unsafe { bindings::platform_device_add(pdev) };
            if let Err(e) = to_result(ret) {
                // SAFETY: `pdev` failed to register; this drops the allocation's reference.
                unsafe { bindings::platform_device_put(pdev) };
                return Err(e);
            }
            // INVARIANT: `pdev` is registered.
            Ok(Self(pdev))
        }

        fn dev(&self) -> *mut bindings::device {
            // SAFETY: By the type invariant `self.0` is live.
            unsafe { &raw mut (*self.0).dev }
        }
    }

    impl Drop for TestDevice {
        fn drop(&mut self) {
            // SAFETY: By the type invariant `self.0` is registered; it is unregistered only here.
            unsafe { bindings::platform_device_unregister(self.0) };
        }
    }

    /// A chip from `pwmchip_alloc`, removed (when added) and put on drop.
    ///
    /// # Invariants
    ///
    /// `self.chip` is a chip returned by `pwmchip_alloc` whose reference this
    /// object owns; `self.added` says whether `__pwmchip_add` succeeded on it.
    struct TestChip {
        chip: *mut bindings::pwm_chip,
        added: bool,
    }

    impl TestChip {
        fn alloc(parent: &TestDevice, npwm: u32, sizeof_priv: usize) -> Result<Self> {
            // SAFETY: `parent.dev()` is a live device that outlives the chip (the
            // test drops the chip first).
            let chip = unsafe { bindings::pwmchip_alloc(parent.dev(), npwm, sizeof_priv) };
            // INVARIANT: a non-error return is a chip with one reference for us.
            Ok(Self {
                chip: from_err_ptr(chip)?,
                added: false,
            })
        }

        fn set_ops(&self, ops: &'static bindings::pwm_ops) {
            // SAFETY: By the type invariant the chip is live; drivers set `ops`
            // before registration, which is when the core reads it.
            unsafe { (*self.chip).ops = ops };
        }

        fn add(&mut self) -> Result {
            // SAFETY: By the type invariant the chip is live. Built-in code has no module.
            to_result(unsafe { bindings::__pwmchip_add(self.chip, ptr::null_mut()) })?;
            self.added = true;
            Ok(())
        }

        fn get(&self) -> &bindings::pwm_chip {
            // SAFETY: By the type invariant the chip is live while `self` is.
            unsafe { &*self.chip }
        }

        fn pwm(&self, index: usize) -> &bindings::pwm_device {
            assert!(index < self.get().npwm as usize);
            // SAFETY: `pwms` has `npwm` elements, checked above.
            unsafe { &*self.get().pwms.as_ptr().add(index) }
        }
    }

    impl Drop for TestChip {
        fn drop(&mut self) {
            if self.added {
                // SAFETY: By the type invariant the chip is live and was added.
                unsafe { bindings::pwmchip_remove(self.chip) };
            }
            // SAFETY: By the type invariant this object owns one reference.
            unsafe { bindings::pwmchip_put(self.chip) };
        }
    }

    static APPLY_CALLS: AtomicU32 = AtomicU32::new(0);
    static APPLIED_DUTY: AtomicU64 = AtomicU64::new(0);

    /// `apply` of the legacy test op set: records what it was asked to do.
    ///
    /// # Safety
    ///
    /// `state` points to a valid state, as the core guarantees for `apply`.
    unsafe extern "C" fn test_apply(
        _chip: *mut bindings::pwm_chip,
        _pwm: *mut bindings::pwm_device,
        state: *const bindings::pwm_state,
    ) -> c_int {
        // SAFETY: The caller passes a valid state for the duration of the call.
        let state = unsafe { &*state };
        APPLY_CALLS.fetch_add(1, Ordering::Relaxed);
        APPLIED_DUTY.store(state.duty_cycle, Ordering::Relaxed);
        0
    }

    const NO_OPS: bindings::pwm_ops = bindings::pwm_ops {
        request: None,
        free: None,
        capture: None,
        sizeof_wfhw: 0,
        round_waveform_tohw: None,
        round_waveform_fromhw: None,
        read_waveform: None,
        write_waveform: None,
        apply: None,
        get_state: None,
    };

    static LEGACY_OPS: bindings::pwm_ops = bindings::pwm_ops {
        apply: Some(test_apply),
        ..NO_OPS
    };

    static EMPTY_OPS: bindings::pwm_ops = NO_OPS;

    #[test]
    fn alloc_lays_out_channels_and_private_data() -> Result {
        let parent = TestDevice::new(c"pwm-capi-parent")?;
        let chip = TestChip::alloc(&parent, 3, 40)?;
        assert_eq!(chip.get().npwm, 3);
        for i in 0..3 {
            assert_eq!(chip.pwm(i).hwpwm, i as u32);
            assert!(ptr::eq(chip.pwm(i).chip, chip.chip));
        }

        // SAFETY: `chip.chip` is a live chip from `pwmchip_alloc`.
        let private = unsafe { bindings::pwmchip_get_drvdata(chip.chip) }.cast::<u8>();
        let pwms_end = chip.get().pwms.as_ptr().wrapping_add(3).cast::<u8>();
        assert!(private.cast_const() >= pwms_end);
        for i in 0..40 {
            // SAFETY: the private area has 40 bytes; KASAN reports any access past them.
            let byte = unsafe { private.add(i) };
            // SAFETY: as above; the area belongs to the driver, which is this test.
            unsafe {
                assert_eq!(*byte, 0);
                *byte = 0xa5;
            }
        }
        Ok(())
    }

    #[test]
    fn add_rejects_chip_without_ops() -> Result {
        let parent = TestDevice::new(c"pwm-capi-parent")?;
        let mut chip = TestChip::alloc(&parent, 1, 0)?;
        assert_eq!(chip.add(), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn add_rejects_chip_without_apply() -> Result {
        let parent = TestDevice::new(c"pwm-capi-parent")?;
        let mut chip = TestChip::alloc(&parent, 1, 0)?;
        chip.set_ops(&EMPTY_OPS);
        assert_eq!(chip.add(), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn add_rejects_zero_channels() -> Result {
        let parent = TestDevice::new(c"pwm-capi-parent")?;
        let mut chip = TestChip::alloc(&parent, 0, 0)?;
        chip.set_ops(&LEGACY_OPS);
        assert_eq!(chip.add(), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn add_names_chip_after_its_id() -> Result {
        let parent = TestDevice::new(c"pwm-capi-parent")?;
        let mut chip = TestChip::alloc(&parent, 2, 0)?;
        chip.set_ops(&LEGACY_OPS);
        chip.add()?;
        let id = chip.get().id;

        let expected = CString::try_from_fmt(fmt!("pwmchip{id}"))?;
        // SAFETY: an added chip's device keeps its name until it is released.
        let actual = unsafe { CStr::from_char_ptr(chip.get().dev.kobj.name) };
        assert_eq!(actual.to_bytes(), expected.to_bytes());
        Ok(())
    }

    /// A one-entry lookup table, added on creation and removed on drop.
    ///
    /// # Invariants
    ///
    /// `self.0` is in the core's lookup list until `drop`.
    struct Lookup(Pin<KBox<[bindings::pwm_lookup; 1]>>);

    impl Lookup {
        fn add(
            provider: &'static CStr,
            index: u32,
            dev_id: &'static CStr,
            con_id: &'static CStr,
        ) -> Result<Self> {
            let entry = bindings::pwm_lookup {
                list: bindings::list_head {
                    next: ptr::null_mut(),
                    prev: ptr::null_mut(),
                },
                provider: provider.as_char_ptr(),
                index,
                dev_id: dev_id.as_char_ptr(),
                con_id: con_id.as_char_ptr(),
                period: 50000,
                polarity: bindings::pwm_polarity_PWM_POLARITY_NORMAL,
                module: ptr::null(),
            };
            let mut table = KBox::pin([entry], GFP_KERNEL)?;
            // SAFETY: the table is pinned, lives until `drop` removes it, and its
            // strings are static.
            unsafe { bindings::pwm_add_table(table.as_mut().get_unchecked_mut().as_mut_ptr(), 1) };
            // INVARIANT: just added.
            Ok(Self(table))
        }
    }

    impl Drop for Lookup {
        fn drop(&mut self) {
            // SAFETY: By the type invariant the table is in the lookup list.
            unsafe {
                bindings::pwm_remove_table(self.0.as_mut().get_unchecked_mut().as_mut_ptr(), 1)
            };
        }
    }

    fn pwm_get(consumer: &TestDevice, con_id: &CStr) -> Result<*mut bindings::pwm_device> {
        // SAFETY: `consumer.dev()` is live and `con_id` is NUL-terminated.
        from_err_ptr(unsafe { bindings::pwm_get(consumer.dev(), con_id.as_char_ptr()) })
    }

    #[test]
    fn lookup_table_get_apply_put() -> Result {
        let parent = TestDevice::new(c"pwm-capi-parent")?;
        let consumer = TestDevice::new(c"pwm-capi-consumer")?;
        let mut chip = TestChip::alloc(&parent, 2, 0)?;
        chip.set_ops(&LEGACY_OPS);
        chip.add()?;
        let _lookup = Lookup::add(c"pwm-capi-parent", 1, c"pwm-capi-consumer", c"motor")?;

        let pwm = pwm_get(&consumer, c"motor")?;
        assert!(ptr::eq(pwm, chip.pwm(1)));
        // SAFETY: `pwm` is requested by this test until `pwm_put`.
        let args = unsafe { (*pwm).args };
        assert_eq!(args.period, 50000);

        let calls = APPLY_CALLS.load(Ordering::Relaxed);
        let state = bindings::pwm_state {
            period: 50000,
            duty_cycle: 12345,
            polarity: bindings::pwm_polarity_PWM_POLARITY_NORMAL,
            enabled: true,
            usage_power: false,
        };
        // SAFETY: `pwm` is requested by this test and `state` is valid.
        let ret = unsafe { bindings::pwm_apply_might_sleep(pwm, &state) };
        assert_eq!(ret, 0);
        assert_eq!(APPLY_CALLS.load(Ordering::Relaxed), calls + 1);
        assert_eq!(APPLIED_DUTY.load(Ordering::Relaxed), 12345);
        // SAFETY: as above; the core keeps the last applied state.
        assert_eq!(unsafe { (*pwm).state.duty_cycle }, 12345);

        // SAFETY: `pwm` was requested by this test and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        Ok(())
    }

    #[test]
    fn lookup_without_entry_is_enodev() -> Result {
        let consumer = TestDevice::new(c"pwm-capi-consumer")?;
        assert_eq!(pwm_get(&consumer, c"motor").err(), Some(ENODEV));
        Ok(())
    }

    #[test]
    fn lookup_of_unregistered_provider_defers() -> Result {
        let consumer = TestDevice::new(c"pwm-capi-consumer")?;
        let _lookup = Lookup::add(c"pwm-capi-absent", 0, c"pwm-capi-consumer", c"motor")?;
        assert_eq!(pwm_get(&consumer, c"motor").err(), Some(EPROBE_DEFER));
        Ok(())
    }

    #[test]
    fn second_request_of_a_channel_is_ebusy() -> Result {
        let parent = TestDevice::new(c"pwm-capi-parent")?;
        let consumer = TestDevice::new(c"pwm-capi-consumer")?;
        let mut chip = TestChip::alloc(&parent, 1, 0)?;
        chip.set_ops(&LEGACY_OPS);
        chip.add()?;
        let _lookup = Lookup::add(c"pwm-capi-parent", 0, c"pwm-capi-consumer", c"motor")?;

        let pwm = pwm_get(&consumer, c"motor")?;
        assert_eq!(pwm_get(&consumer, c"motor").err(), Some(EBUSY));
        // SAFETY: `pwm` was requested by this test and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        Ok(())
    }
}
