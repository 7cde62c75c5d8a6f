// SPDX-License-Identifier: GPL-2.0

//! Consumer half of the module autoload test: a faux device named
//! `pwm-autoload-consumer` whose PWM comes from a lookup table entry that
//! names the module providing it (`pwm_autoload_board.rs`).
//!
//! Loading this module checks, in order:
//!
//! - an entry whose module does not exist gives `-EPROBE_DEFER` (the core
//!   asked for the module, nothing registered the chip);
//! - an entry naming `pwm_autoload_provider` makes the core load that module
//!   (`request_module()`, which runs modprobe), find its chip and hand out
//!   the channel, which this module then drives.
//!
//! Any other outcome fails the load with a message, so `modprobe` reports
//! it. The channel is held until the module is removed: while it is, the
//! provider module cannot be unloaded.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::{
    device::{
        Bound,
        Device, //
    },
    faux,
    prelude::*,
    pwm, //
};

const CONSUMER: &CStr = c"pwm-autoload-consumer";

struct AutoloadConsumer {
    // Dropped in this order: the channel, then the device.
    _pwm: pwm::Device,
    _faux: faux::Registration,
}

impl kernel::Module for AutoloadConsumer {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let faux = faux::Registration::new(CONSUMER, None)?;
        let dev: &Device<Bound> = faux.as_ref().as_ref();

        match pwm::Device::get(dev, Some(c"absent")) {
            Err(e) if e == EPROBE_DEFER => {}
            Err(e) => {
                dev_err!(dev, "missing provider module: {:?}, not -EPROBE_DEFER\n", e);
                return Err(EINVAL);
            }
            Ok(_) => {
                dev_err!(dev, "missing provider module: got a channel\n");
                return Err(EINVAL);
            }
        }

        let pwm = pwm::Device::get(dev, Some(c"present")).inspect_err(|e| {
            dev_err!(
                dev,
                "provider module not loaded or without its chip: {:?}\n",
                e
            );
        })?;
        pwm.apply(&pwm::State {
            period_ns: 1_000_000,
            duty_cycle_ns: 250_000,
            enabled: true,
            ..Default::default()
        })?;
        dev_info!(
            dev,
            "got channel {} of the autoloaded provider\n",
            pwm.hwpwm()
        );
        Ok(Self {
            _pwm: pwm,
            _faux: faux,
        })
    }
}

module! {
    type: AutoloadConsumer,
    name: "pwm_autoload_consumer",
    authors: ["pwm-rs"],
    description: "PWM module autoload test: the consumer",
    license: "GPL v2",
    imports_ns: ["PWM"],
}
