// SPDX-License-Identifier: GPL-2.0

//! `CONFIG_PWM_PROVIDE_GPIO`: each waveform chip is also a GPIO chip whose
//! lines, output only, request their channel and run it fully on or off.
//!
//! Consumers get line 1 of the chip on "pwm-kunit-provider" through a GPIO
//! lookup table (`helpers.c`). The test chip counts in 1000 ns ticks, so a
//! line runs a 1000 ns period.
//!
//! C header: [`include/linux/gpio/driver.h`](srctree/include/linux/gpio/driver.h)

use kernel::prelude::*;

#[kunit_tests(pwm_gpio)]
mod tests {
    use crate::test_chip::{
        Kind,
        TestChip,
        TestDevice, //
    };
    use core::sync::atomic::Ordering;
    use kernel::{
        error::from_err_ptr,
        ffi::{
            c_int,
            c_void, //
        },
        prelude::*, //
    };

    unsafe extern "C" {
        fn pwm_kunit_add_gpio_lookup();
        fn pwm_kunit_remove_gpio_lookup();
        fn pwm_kunit_gpiod_get(dev: *mut c_void) -> *mut c_void;
        fn pwm_kunit_gpiod_set(desc: *mut c_void, value: c_int) -> c_int;
        fn pwm_kunit_gpiod_get_direction(desc: *mut c_void) -> c_int;
        fn pwm_kunit_gpiod_put(desc: *mut c_void);
    }

    /// The GPIO lookup of `helpers.c`, added until dropped.
    struct GpioLookup;

    impl GpioLookup {
        fn add() -> Self {
            // SAFETY: Adds a static table; `drop` removes it.
            unsafe { pwm_kunit_add_gpio_lookup() };
            Self
        }
    }

    impl Drop for GpioLookup {
        fn drop(&mut self) {
            // SAFETY: Added by `add`.
            unsafe { pwm_kunit_remove_gpio_lookup() };
        }
    }

    /// A GPIO line a consumer got, put on drop.
    ///
    /// # Invariants
    ///
    /// `self.0` comes from `gpiod_get()` and is owned.
    struct Line(*mut c_void);

    impl Line {
        fn get(consumer: &TestDevice) -> Result<Self> {
            // SAFETY: `consumer.dev()` is live.
            let desc = unsafe { pwm_kunit_gpiod_get(consumer.dev().cast()) };
            // INVARIANT: A non-error return is a line the caller owns.
            Ok(Self(from_err_ptr(desc)?))
        }

        fn set(&self, value: i32) -> Result {
            // SAFETY: By the type invariant the line is ours.
            kernel::error::to_result(unsafe { pwm_kunit_gpiod_set(self.0, value) })
        }
    }

    impl Drop for Line {
        fn drop(&mut self) {
            // SAFETY: By the type invariant the line is ours; not used afterwards.
            unsafe { pwm_kunit_gpiod_put(self.0) };
        }
    }

    struct Fixture {
        // Dropped in this order: the lookup, the consumer, the chip, its parent.
        _lookup: GpioLookup,
        consumer: TestDevice,
        chip: TestChip,
        _provider: TestDevice,
    }

    fn fixture(kind: Kind) -> Result<Fixture> {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let chip = TestChip::new(&provider, 2, kind, false)?;
        Ok(Fixture {
            _lookup: GpioLookup::add(),
            consumer: TestDevice::new(c"pwm-kunit-gpio-consumer")?,
            chip,
            _provider: provider,
        })
    }

    fn requested(chip: &TestChip, index: u32) -> bool {
        // SAFETY: The channel belongs to the live chip.
        unsafe { (*chip.pwm(index)).flags & 1 != 0 }
    }

    fn label(chip: &TestChip, index: u32) -> Option<&'static CStr> {
        // SAFETY: The channel belongs to the live chip; a requested channel's label is the
        // core's static "pwm-gpio".
        let label = unsafe { (*chip.pwm(index)).label };
        // SAFETY: Non-NULL labels are NUL-terminated and, for GPIO requests, static.
        (!label.is_null()).then(|| unsafe { CStr::from_char_ptr(label) })
    }

    #[test]
    fn waveform_chip_has_a_gpio_chip() -> Result {
        let f = fixture(Kind::Waveform)?;
        let gc = &f.chip.get().gpio;
        check!(!gc.gpiodev.is_null());
        check_eq!(gc.ngpio, 2);
        check!(gc.can_sleep);
        // SAFETY: gpiolib set the label from the parent's name, which outlives the chip.
        check!(unsafe { CStr::from_char_ptr(gc.label) } == c"pwm-kunit-provider");
        Ok(())
    }

    #[test]
    fn legacy_chip_has_none() -> Result {
        let f = fixture(Kind::Legacy)?;
        check!(f.chip.get().gpio.gpiodev.is_null());
        // No GPIO chip of that label: gpiolib defers.
        check_eq!(Line::get(&f.consumer).err(), Some(EPROBE_DEFER));
        Ok(())
    }

    #[test]
    fn line_requests_and_frees_its_channel() -> Result {
        let f = fixture(Kind::Waveform)?;
        let refs = f.chip.refs();
        let line = tri!(Line::get(&f.consumer));
        check!(requested(&f.chip, 1));
        check!(!requested(&f.chip, 0));
        check!(label(&f.chip, 1) == Some(c"pwm-gpio"));
        check_eq!(f.chip.refs(), refs + 1);
        // SAFETY: The line is live.
        check_eq!(unsafe { pwm_kunit_gpiod_get_direction(line.0) }, 0);
        drop(line);
        check!(!requested(&f.chip, 1));
        check_eq!(f.chip.refs(), refs);
        Ok(())
    }

    #[test]
    fn line_runs_channel_fully_on_or_off() -> Result {
        let f = fixture(Kind::Waveform)?;
        let line = tri!(Line::get(&f.consumer));
        let ch = f.chip.hw().channel(1);
        tri!(line.set(1));
        check_eq!(ch.period.load(Ordering::Relaxed), 1000);
        check_eq!(ch.duty.load(Ordering::Relaxed), 1000);
        check!(ch.enabled.load(Ordering::Relaxed));
        tri!(line.set(0));
        check_eq!(ch.period.load(Ordering::Relaxed), 1000);
        check_eq!(ch.duty.load(Ordering::Relaxed), 0);
        Ok(())
    }

    #[test]
    fn driver_error_reaches_the_gpio_consumer() -> Result {
        let f = fixture(Kind::Waveform)?;
        let line = tri!(Line::get(&f.consumer));
        f.chip
            .hw()
            .fail_next
            .store(EIO.to_errno(), Ordering::Relaxed);
        check_eq!(line.set(1), Err(EIO));
        Ok(())
    }

    #[test]
    fn line_held_across_removal_is_released() -> Result {
        // What a removed chip keeps of references with no line held...
        let unused = {
            let mut f = fixture(Kind::Waveform)?;
            f.chip.remove();
            f.chip.refs()
        };
        let mut f = fixture(Kind::Waveform)?;
        let line = tri!(Line::get(&f.consumer));
        f.chip.remove();
        // ...is what it keeps once the core released the channel gpiolib will
        // never free.
        check!(!requested(&f.chip, 1));
        check_eq!(f.chip.refs(), unused);
        let writes = f.chip.hw().calls.write.load(Ordering::Relaxed);
        // The line is dead: gpiolib calls nothing of the removed chip.
        check!(line.set(1).is_err());
        check_eq!(f.chip.hw().calls.write.load(Ordering::Relaxed), writes);
        drop(line);
        Ok(())
    }
}
