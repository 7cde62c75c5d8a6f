// SPDX-License-Identifier: GPL-2.0

//! Lookup through the device tree, with a DT overlay applied for each case:
//! named references, flags, `of_pwm_single_xlate`, `pwm-map` nexus nodes.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_of)]
mod tests {
    use crate::test_chip::{
        DtDevice,
        Kind,
        Lookup,
        TestChip, //
    };
    use core::{
        ptr,
        sync::atomic::Ordering, //
    };
    use kernel::{
        bindings,
        error::{
            from_err_ptr,
            to_result, //
        },
        prelude::*,
    };

    unsafe extern "C" {
        /// `drivers/pwm/pwm_kunit/helpers.c`.
        fn pwm_kunit_apply_overlay(test: *mut bindings::kunit) -> kernel::ffi::c_int;
        /// `drivers/pwm/pwm_kunit/helpers.c`: the reference count of a
        /// device's node; the pointer is a `struct device`, untyped because it
        /// reaches types Rust does not consider FFI-safe.
        fn pwm_kunit_of_node_refcount(dev: *mut kernel::ffi::c_void) -> kernel::ffi::c_uint;
    }

    /// The reference counts of the provider's and the consumer's nodes.
    fn node_refs(tree: &Tree) -> (u32, u32) {
        // SAFETY: Both devices are alive while `tree` is.
        unsafe {
            (
                pwm_kunit_of_node_refcount(tree.provider.dev().cast()),
                pwm_kunit_of_node_refcount(tree.consumer.dev().cast()),
            )
        }
    }

    /// The overlay's devices; the overlay goes when the case ends.
    struct Tree {
        provider: DtDevice,
        single: DtDevice,
        consumer: DtDevice,
    }

    impl Tree {
        fn apply() -> Result<Self> {
            // SAFETY: Called from a KUnit case; the overlay is removed when it ends, after
            // everything the case holds was dropped.
            to_result(unsafe { pwm_kunit_apply_overlay(bindings::kunit_get_current_test()) })?;
            Ok(Self {
                provider: DtDevice::find(c"pwm-kunit-dt-provider")?,
                single: DtDevice::find(c"pwm-kunit-dt-single")?,
                consumer: DtDevice::find(c"pwm-kunit-dt-consumer")?,
            })
        }

        fn get(&self, con_id: &CStr) -> Result<*mut bindings::pwm_device> {
            // SAFETY: The consumer device is alive; `con_id` is static in the tests.
            from_err_ptr(unsafe { bindings::pwm_get(self.consumer.dev(), con_id.as_char_ptr()) })
        }
    }

    fn put(pwm: *mut bindings::pwm_device) -> bindings::pwm_args {
        // SAFETY: Callers pass a channel they requested and do not use afterwards.
        unsafe {
            let args = (*pwm).args;
            bindings::pwm_put(pwm);
            args
        }
    }

    const NORMAL: bindings::pwm_polarity = bindings::pwm_polarity_PWM_POLARITY_NORMAL;
    const INVERSED: bindings::pwm_polarity = bindings::pwm_polarity_PWM_POLARITY_INVERSED;

    #[test]
    fn named_references_give_channel_period_and_flags() -> Result {
        let tree = Tree::apply()?;
        let chip = TestChip::new_on(tree.provider.dev(), 2, Kind::Legacy, false)?;
        let refs = node_refs(&tree);
        let backlight = tree.get(c"backlight")?;
        // SAFETY: `backlight` is requested; its label is set by the lookup.
        let label = unsafe { CStr::from_char_ptr((*backlight).label) }.to_bytes() == b"backlight";
        let is_1 = ptr::eq(backlight, chip.pwm(1));
        let bl = put(backlight);
        let fan = tree.get(c"fan")?;
        let is_0 = ptr::eq(fan, chip.pwm(0));
        let fan = put(fan);
        // Every node reference the lookups took was given back.
        check_eq!(node_refs(&tree), refs);
        check!(is_1 && is_0 && label);
        check_eq!(bl.period, 30000);
        check_eq!(bl.polarity, INVERSED);
        check_eq!(fan.period, 40000);
        check_eq!(fan.polarity, NORMAL);
        Ok(())
    }

    #[test]
    fn single_xlate_for_a_one_channel_chip() -> Result {
        let tree = Tree::apply()?;
        let mut chip = TestChip::alloc_on(tree.single.dev(), 1)?;
        // SAFETY: Not registered yet: drivers set `ops` and `of_xlate` before registering.
        unsafe {
            (*chip.chip).of_xlate = Some(bindings::of_pwm_single_xlate);
        }
        chip.set_ops(&crate::test_chip::LEGACY_OPS);
        chip.add()?;
        let single = tree.get(c"single")?;
        let is_0 = ptr::eq(single, chip.pwm(0));
        let args = put(single);
        check!(is_0);
        check_eq!(args.period, 25000);
        check_eq!(args.polarity, INVERSED);
        Ok(())
    }

    #[test]
    fn nexus_map_leads_to_the_provider() -> Result {
        let tree = Tree::apply()?;
        let chip = TestChip::new_on(tree.provider.dev(), 2, Kind::Legacy, false)?;
        let nexus = tree.get(c"nexus")?;
        let is_1 = ptr::eq(nexus, chip.pwm(1));
        let args = put(nexus);
        check!(is_1);
        check_eq!(args.period, 60000);
        check_eq!(args.polarity, NORMAL);
        Ok(())
    }

    #[test]
    fn unregistered_provider_defers() -> Result {
        let tree = Tree::apply()?;
        check_eq!(tree.get(c"fan").err(), Some(EPROBE_DEFER));
        Ok(())
    }

    #[test]
    fn unknown_name_fails_without_trying_lookup_tables() -> Result {
        let tree = Tree::apply()?;
        let chip = TestChip::new_on(tree.provider.dev(), 2, Kind::Legacy, false)?;
        let _lookup = Lookup::add(c"pwm-kunit-dt-provider", 0, None, Some(c"heater"), 0)?;
        check!(tree.get(c"heater").is_err());
        check_eq!(chip.hw().calls.request.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn devm_fwnode_get_through_the_consumer_node() -> Result {
        let tree = Tree::apply()?;
        let chip = TestChip::new_on(tree.provider.dev(), 2, Kind::Legacy, false)?;
        let dev = tree.consumer.dev();
        // SAFETY: `dev` is alive; the group is released below.
        let group =
            unsafe { bindings::devres_open_group(dev, ptr::null_mut(), bindings::GFP_KERNEL) };
        check!(!group.is_null());
        // SAFETY: `dev` and its node are alive; the name is static.
        let pwm = from_err_ptr(unsafe {
            bindings::devm_fwnode_pwm_get(dev, tree.consumer.fwnode(), c"fan".as_char_ptr())
        });
        // SAFETY: Releasing the group puts the channel.
        unsafe { bindings::devres_release_group(dev, group) };
        check!(ptr::eq(pwm?, chip.pwm(0)));
        check_eq!(chip.hw().calls.free.load(Ordering::Relaxed), 1);
        Ok(())
    }

    #[test]
    fn xlate_without_cells_is_einval() -> Result {
        let tree = Tree::apply()?;
        let chip = TestChip::new_on(tree.provider.dev(), 2, Kind::Legacy, false)?;
        let args = bindings::of_phandle_args::default();
        // SAFETY: The chip is registered and `args` is valid.
        let pwm = unsafe { bindings::of_pwm_xlate_with_flags(chip.chip, &args) };
        check_eq!(from_err_ptr(pwm).err(), Some(EINVAL));
        check_eq!(chip.hw().calls.request.load(Ordering::Relaxed), 0);
        Ok(())
    }
}
