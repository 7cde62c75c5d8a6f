// SPDX-License-Identifier: GPL-2.0

//! pwm-sim instantiated from the device tree, driven by a C consumer
//! (leds-pwm) and a Rust one (the consumer sample): the simulated hardware
//! holds what they asked for, and removing the chip under them unbinds them.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::prelude::*;

#[kunit_tests(pwm_sim_dt)]
mod tests {
    use crate::test_chip::{
        is_bound,
        wait_for,
        ChildChip,
        DtDevice, //
    };
    use kernel::{bindings, error::to_result, prelude::*};

    unsafe extern "C" {
        /// `drivers/pwm/pwm_kunit/helpers.c`.
        fn pwm_kunit_apply_sim_overlay(test: *mut bindings::kunit) -> kernel::ffi::c_int;
    }

    const NORMAL: bindings::pwm_polarity = bindings::pwm_polarity_PWM_POLARITY_NORMAL;
    const INVERSED: bindings::pwm_polarity = bindings::pwm_polarity_PWM_POLARITY_INVERSED;

    /// The overlay's devices, all bound; the overlay goes when the case ends.
    struct Tree {
        sim: DtDevice,
        leds: DtDevice,
        sample: DtDevice,
    }

    impl Tree {
        fn apply() -> Result<Self> {
            // SAFETY: Called from a KUnit case; the overlay is removed when it ends, after
            // everything the case holds was dropped.
            to_result(unsafe { pwm_kunit_apply_sim_overlay(bindings::kunit_get_current_test()) })?;
            let tree = Self {
                sim: DtDevice::find(c"pwm-kunit-sim")?,
                leds: DtDevice::find(c"pwm-kunit-leds")?,
                sample: DtDevice::find(c"pwm-kunit-sample-consumer")?,
            };
            // Consumers that probed before the chip are retried from a workqueue.
            let all_bound = || {
                is_bound(tree.sim.dev()) && is_bound(tree.leds.dev()) && is_bound(tree.sample.dev())
            };
            check!(wait_for(5000, all_bound));
            Ok(tree)
        }
    }

    fn summary(s: &bindings::pwm_state) -> (u64, u64, bool, bool) {
        (s.period, s.duty_cycle, s.polarity == INVERSED, s.enabled)
    }

    #[test]
    fn consumers_program_the_simulated_hardware() -> Result {
        let tree = Tree::apply()?;
        let chip = ChildChip::find(tree.sim.dev()).ok_or(ENODEV)?;
        // leds-pwm, default-state "on": full duty.
        check_eq!(summary(&chip.state_hw(0)?), (50_000, 50_000, false, true));
        // leds-pwm, default-state "off", inverted by the reference's flags.
        check_eq!(summary(&chip.state_hw(1)?), (40_000, 0, true, true));
        // The Rust sample: 25% of 1 ms.
        check_eq!(
            summary(&chip.state_hw(2)?),
            (1_000_000, 250_000, false, true)
        );
        check!(chip.requested(0) && chip.requested(1) && chip.requested(2));
        check_eq!(chip.state_hw(0)?.polarity, NORMAL);
        Ok(())
    }

    #[test]
    fn removing_the_chip_unbinds_its_consumers_first() -> Result {
        let tree = Tree::apply()?;
        let chip = ChildChip::find(tree.sim.dev()).ok_or(ENODEV)?;
        // SAFETY: The device is alive and bound; this unbinds it like a sysfs `unbind`.
        unsafe { bindings::device_release_driver(tree.sim.dev()) };
        // Device links unbound both consumers before the chip went; they put back their
        // channels (the sample stopped its output first).
        check!(!is_bound(tree.leds.dev()) && !is_bound(tree.sample.dev()));
        check!(!chip.requested(0) && !chip.requested(1) && !chip.requested(2));
        // The stale chip refuses to reach the (gone) driver.
        check_eq!(chip.state_hw(2).err(), Some(ENODEV));
        check!(ChildChip::find(tree.sim.dev()).is_none());
        drop(chip);

        // Bound again, with the consumers kept from binding (their device links
        // would retry them, racing what follows): a new chip on new hardware,
        // every channel off and free, where channel 0 ran before.
        for dev in [tree.leds.dev(), tree.sample.dev()] {
            // SAFETY: The device is alive; the override is copied.
            to_result(unsafe {
                bindings::__device_set_driver_override(dev, c"none".as_char_ptr(), 4)
            })?;
        }
        // SAFETY: The device is alive and unbound.
        check_eq!(unsafe { bindings::device_attach(tree.sim.dev()) }, 1);
        let chip = ChildChip::find(tree.sim.dev()).ok_or(ENODEV)?;
        check!(!is_bound(tree.leds.dev()) && !is_bound(tree.sample.dev()));
        for i in 0..3 {
            check!(!chip.requested(i));
            check!(!chip.state_hw(i)?.enabled);
        }
        Ok(())
    }
}
