// SPDX-License-Identifier: GPL-2.0

//! Allocation, registration and lookup-table basics of the C API.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_capi)]
mod tests {
    use crate::test_chip::{
        pwm_get,
        state,
        Hw,
        Kind,
        Lookup,
        TestChip,
        TestDevice,
        EMPTY_OPS,
        LEGACY_OPS, //
    };
    use core::{
        mem::size_of,
        ptr,
        sync::atomic::Ordering, //
    };
    use kernel::{
        bindings,
        error::to_result,
        prelude::*,
        str::CString, //
    };

    #[test]
    fn alloc_lays_out_channels_and_private_data() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let chip = TestChip::alloc(&parent, 3)?;
        check_eq!(chip.get().npwm, 3);
        for i in 0..3 {
            // SAFETY: `pwm(i)` is a channel of the live chip.
            let pwm = unsafe { &*chip.pwm(i) };
            check_eq!(pwm.hwpwm, i);
            check!(ptr::eq(pwm.chip, chip.chip));
        }

        // SAFETY: `chip.chip` is a live chip from `pwmchip_alloc`.
        let private = unsafe { bindings::pwmchip_get_drvdata(chip.chip) }.cast::<u8>();
        let pwms_end = chip.pwm(2).wrapping_add(1).cast::<u8>();
        check!(private >= pwms_end);
        let size = core::mem::size_of::<crate::test_chip::Hw>();
        for i in 0..size {
            // SAFETY: The private area has `size` bytes; KASAN reports any access past them.
            let byte = unsafe { private.add(i) };
            // SAFETY: As above; the area belongs to the driver, which is this test.
            unsafe {
                check_eq!(*byte, 0);
                *byte = 0xa5;
                *byte = 0;
            }
        }
        Ok(())
    }

    #[test]
    fn add_rejects_chip_without_ops() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let mut chip = TestChip::alloc(&parent, 1)?;
        check_eq!(chip.add(), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn add_rejects_chip_without_apply() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let mut chip = TestChip::alloc(&parent, 1)?;
        chip.set_ops(&EMPTY_OPS);
        check_eq!(chip.add(), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn add_rejects_zero_channels() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        check_eq!(
            TestChip::new(&parent, 0, Kind::Legacy, false).err(),
            Some(EINVAL)
        );
        Ok(())
    }

    /// A chip that is valid in every way but its missing parent.
    #[test]
    fn add_rejects_chip_without_parent() -> Result {
        // SAFETY: A NULL parent is accepted by `pwmchip_alloc`; the private data is a
        // zeroed `Hw`, as the test ops expect.
        let chip = unsafe { bindings::pwmchip_alloc(ptr::null_mut(), 1, size_of::<Hw>()) };
        let chip = kernel::error::from_err_ptr(chip)?;
        // SAFETY: `chip` is a live chip; the ops table is static and complete.
        unsafe { (*chip).ops = &LEGACY_OPS };
        // SAFETY: As above.
        let ret = unsafe { bindings::__pwmchip_add(chip, ptr::null_mut()) };
        if ret == 0 {
            // SAFETY: Registered by mistake just above: undo it.
            unsafe { bindings::pwmchip_remove(chip) };
        }
        // SAFETY: Dropping the allocation's reference.
        unsafe { bindings::pwmchip_put(chip) };
        check_eq!(to_result(ret), Err(EINVAL));
        Ok(())
    }

    /// A chip that is valid in every way but its claim not to come from
    /// `pwmchip_alloc`.
    #[test]
    fn add_rejects_chip_not_from_pwmchip_alloc() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let chip = TestChip::alloc(&parent, 1)?;
        chip.set_ops(&LEGACY_OPS);
        // SAFETY: The chip is live; this pretends it was embedded by a driver.
        unsafe { (*chip.chip).uses_pwmchip_alloc = false };
        // SAFETY: As above.
        let ret = unsafe { bindings::__pwmchip_add(chip.chip, ptr::null_mut()) };
        if ret == 0 {
            // SAFETY: Registered by mistake just above: undo it.
            unsafe { bindings::pwmchip_remove(chip.chip) };
        }
        check_eq!(to_result(ret), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn add_names_chip_after_its_id() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let chip = TestChip::new(&parent, 2, Kind::Legacy, false)?;
        let id = chip.get().id;
        let expected = CString::try_from_fmt(fmt!("pwmchip{id}"))?;
        // SAFETY: An added chip's device keeps its name until it is released.
        let actual = unsafe { CStr::from_char_ptr(chip.get().dev.kobj.name) };
        check_eq!(actual.to_bytes(), expected.to_bytes());
        Ok(())
    }

    #[test]
    fn ids_are_reused_lowest_first() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let first = TestChip::new(&parent, 1, Kind::Legacy, false)?;
        let second = TestChip::new(&parent, 1, Kind::Legacy, false)?;
        let freed = first.get().id;
        check!(second.get().id > freed);
        drop(first);
        let third = TestChip::new(&parent, 1, Kind::Legacy, false)?;
        check_eq!(third.get().id, freed);
        Ok(())
    }

    #[test]
    fn lookup_table_get_apply_put() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let chip = TestChip::new(&parent, 2, Kind::Legacy, false)?;
        let _lookup = Lookup::add(
            c"pwm-kunit-provider",
            1,
            Some(c"pwm-kunit-consumer"),
            Some(c"motor"),
            50000,
        )?;

        let pwm = pwm_get(&consumer, c"motor")?;
        check!(ptr::eq(pwm, chip.pwm(1)));
        // SAFETY: `pwm` is requested by this test until `pwm_put`.
        let (args, label) = unsafe { ((*pwm).args, CStr::from_char_ptr((*pwm).label)) };
        check_eq!(args.period, 50000);
        check_eq!(label.to_bytes(), b"motor");
        check_eq!(chip.hw().calls.request.load(Ordering::Relaxed), 1);

        // SAFETY: `pwm` is requested by this test and the state is valid.
        let ret = unsafe { bindings::pwm_apply_might_sleep(pwm, &state(50000, 12345)) };
        check_eq!(ret, 0);
        check_eq!(chip.hw().channel(1).duty.load(Ordering::Relaxed), 12345);

        // SAFETY: `pwm` was requested by this test and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        check_eq!(chip.hw().calls.free.load(Ordering::Relaxed), 1);
        Ok(())
    }

    #[test]
    fn lookup_without_entry_is_enodev() -> Result {
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        check_eq!(pwm_get(&consumer, c"motor").err(), Some(ENODEV));
        Ok(())
    }

    #[test]
    fn lookup_of_unregistered_provider_defers() -> Result {
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _lookup = Lookup::add(
            c"pwm-kunit-absent",
            0,
            Some(c"pwm-kunit-consumer"),
            Some(c"motor"),
            0,
        )?;
        check_eq!(pwm_get(&consumer, c"motor").err(), Some(EPROBE_DEFER));
        Ok(())
    }

    #[test]
    fn lookup_prefers_dev_and_con_over_dev_over_con() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let chip = TestChip::new(&parent, 3, Kind::Legacy, false)?;
        let _con_only = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"motor"), 0)?;
        let _dev_only = Lookup::add(
            c"pwm-kunit-provider",
            1,
            Some(c"pwm-kunit-consumer"),
            None,
            0,
        )?;
        let _both = Lookup::add(
            c"pwm-kunit-provider",
            2,
            Some(c"pwm-kunit-consumer"),
            Some(c"motor"),
            0,
        )?;

        let best = pwm_get(&consumer, c"motor")?;
        let dev_match = pwm_get(&consumer, c"fan")?;
        check!(ptr::eq(best, chip.pwm(2)));
        check!(ptr::eq(dev_match, chip.pwm(1)));
        // SAFETY: Both were requested above and are not used afterwards.
        unsafe {
            bindings::pwm_put(best);
            bindings::pwm_put(dev_match);
        }
        Ok(())
    }

    /// `(hwpwm of the channel a consumer asking for "motor" gets)` with the
    /// given entries added in order: `(index, dev_id, con_id)`.
    fn chosen(entries: &[(u32, Option<&'static CStr>, Option<&'static CStr>)]) -> Result<u32> {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _chip = TestChip::new(&parent, 3, Kind::Legacy, false)?;
        let mut lookups = KVec::new();
        for &(index, dev_id, con_id) in entries {
            lookups.push(
                Lookup::add(c"pwm-kunit-provider", index, dev_id, con_id, 0)?,
                GFP_KERNEL,
            )?;
        }
        let pwm = pwm_get(&consumer, c"motor")?;
        // SAFETY: Requested just above.
        let hwpwm = unsafe { (*pwm).hwpwm };
        // SAFETY: Requested above and not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        Ok(hwpwm)
    }

    #[test]
    fn lookup_prefers_dev_only_over_con_only_in_any_order() -> Result {
        let dev = Some(c"pwm-kunit-consumer");
        let con = Some(c"motor");
        check_eq!(chosen(&[(0, None, con), (1, dev, None)])?, 1);
        check_eq!(chosen(&[(1, dev, None), (0, None, con)])?, 1);
        Ok(())
    }

    #[test]
    fn lookup_takes_the_first_of_equal_entries() -> Result {
        let dev = Some(c"pwm-kunit-consumer");
        let con = Some(c"motor");
        check_eq!(chosen(&[(2, dev, None), (1, dev, None)])?, 2);
        check_eq!(chosen(&[(1, None, con), (2, None, con)])?, 1);
        check_eq!(chosen(&[(0, dev, con), (2, dev, con)])?, 0);
        Ok(())
    }

    #[test]
    fn lookup_with_index_out_of_range_is_einval() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let _chip = TestChip::new(&parent, 1, Kind::Legacy, false)?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 5, None, Some(c"motor"), 0)?;
        check_eq!(pwm_get(&consumer, c"motor").err(), Some(EINVAL));
        Ok(())
    }

    #[test]
    fn second_request_of_a_channel_is_ebusy() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let chip = TestChip::new(&parent, 1, Kind::Legacy, false)?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"motor"), 0)?;

        let pwm = pwm_get(&consumer, c"motor")?;
        check_eq!(pwm_get(&consumer, c"motor").err(), Some(EBUSY));
        check_eq!(chip.hw().calls.request.load(Ordering::Relaxed), 1);
        // SAFETY: `pwm` was requested by this test and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        Ok(())
    }

    #[test]
    fn failing_driver_request_leaves_channel_free() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let chip = TestChip::new(&parent, 1, Kind::Legacy, false)?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"motor"), 0)?;
        let refs = chip.refs();

        chip.hw().fail_next.store(EIO.to_errno(), Ordering::Relaxed);
        check_eq!(pwm_get(&consumer, c"motor").err(), Some(EIO));
        check_eq!(chip.refs(), refs);

        let pwm = pwm_get(&consumer, c"motor")?;
        // SAFETY: `pwm` was requested by this test and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        Ok(())
    }

    #[test]
    fn put_of_null_is_ignored() {
        // SAFETY: `pwm_put` accepts NULL.
        unsafe { bindings::pwm_put(ptr::null_mut()) };
    }

    /// Upstream passes a positive return of `request` on to the consumer as
    /// if it were a channel (pwm-rcar returns `pm_runtime_get_sync()`'s 1);
    /// this core treats it as success: the channel is requested, with its
    /// references, and released normally.
    #[test]
    fn positive_request_return_is_success() -> Result {
        let parent = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let chip = TestChip::new(&parent, 1, Kind::Legacy, false)?;
        let _lookup = Lookup::add(c"pwm-kunit-provider", 0, None, Some(c"motor"), 0)?;
        let refs = chip.refs();

        chip.hw().fail_next.store(1, Ordering::Relaxed);
        let pwm = pwm_get(&consumer, c"motor")?;
        check!(!pwm.is_null());
        check_eq!(chip.hw().calls.request.load(Ordering::Relaxed), 1);
        check_eq!(chip.refs(), refs + 1);
        check_eq!(pwm_get(&consumer, c"motor").err(), Some(EBUSY));
        // SAFETY: `pwm` was requested by this test and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        check_eq!(chip.refs(), refs);
        Ok(())
    }

    /// A board file adds its table at `arch_initcall` time, before the core's
    /// `subsys_initcall` (`helpers.c`): the table was kept and is used.
    #[test]
    fn table_added_before_the_core_initialised_is_used() -> Result {
        let provider = TestDevice::new(c"pwm-kunit-early-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-early-consumer")?;
        let _chip = TestChip::new(&provider, 2, Kind::Legacy, false)?;
        let pwm = pwm_get(&consumer, c"early")?;
        // SAFETY: `pwm` is requested until the put below.
        let (hwpwm, args) = unsafe { ((*pwm).hwpwm, (*pwm).args) };
        // SAFETY: `pwm` was requested by this test and is not used afterwards.
        unsafe { bindings::pwm_put(pwm) };
        check_eq!(hwpwm, 1);
        check_eq!(args.period, 40_000);
        check_eq!(args.polarity, bindings::pwm_polarity_PWM_POLARITY_INVERSED);
        Ok(())
    }
}
