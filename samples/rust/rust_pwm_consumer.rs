// SPDX-License-Identifier: GPL-2.0

//! Rust PWM consumer sample: requests its device's `"sample"` PWM at probe,
//! runs it at 25% of a 1 ms period and puts it back when it unbinds.
//!
//! It binds to platform devices named `rust_pwm_consumer` and to device tree
//! nodes compatible with `test,rust-pwm-consumer`; the PWM comes from `pwms`
//! and `pwm-names`, a software node, or a lookup table.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::{
    device::Core,
    devres::Devres,
    of,
    platform,
    prelude::*,
    pwm, //
};

/// The period the sample runs, in nanoseconds.
const PERIOD_NS: u64 = 1_000_000;

struct SampleConsumer {
    pwm: Devres<pwm::Device>,
}

kernel::of_device_table!(
    OF_TABLE,
    <SampleConsumer as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"test,rust-pwm-consumer"), ())]
);

impl platform::Driver for SampleConsumer {
    type IdInfo = ();
    type Data<'bound> = Self;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        let dev = pdev.as_ref();
        // Put back at unbind even if the driver data lived on.
        let pwm = pwm::Device::get_devm(dev, Some(c"sample"))?;
        {
            let pwm = pwm.access(dev)?;
            pwm.apply(&pwm::State::new(PERIOD_NS, PERIOD_NS / 4))?;
            let hw = pwm.state_hw()?;
            dev_info!(
                dev,
                "pwm {}: period {} ns, duty {} ns, {}\n",
                pwm.hwpwm(),
                hw.period_ns,
                hw.duty_cycle_ns,
                if hw.enabled { "enabled" } else { "disabled" }
            );
        }
        Ok(Self { pwm })
    }

    fn unbind<'bound>(pdev: &'bound platform::Device<Core<'_>>, this: Pin<&Self>) {
        // Stop the output before the channel goes back.
        if let Ok(pwm) = this.pwm.access(pdev.as_ref()) {
            let _ = pwm.apply(&pwm::State::default());
        }
    }
}

kernel::module_pwm_platform_driver! {
    type: SampleConsumer,
    name: "rust_pwm_consumer",
    authors: ["Rust for Linux Contributors"],
    description: "Rust PWM consumer sample",
    license: "GPL v2",
}
