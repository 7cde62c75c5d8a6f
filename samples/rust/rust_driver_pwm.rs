// SPDX-License-Identifier: GPL-2.0

//! Rust PWM driver sample: a two-channel chip whose "hardware" is a pair of
//! registers per channel, kept in the driver data.
//!
//! It binds to platform devices named `rust_driver_pwm` and to device tree
//! nodes compatible with `test,rust-pwm`.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::sync::atomic::{
    AtomicBool,
    AtomicU64,
    Ordering, //
};
use kernel::{
    device::Core,
    of,
    platform,
    prelude::*,
    pwm,
    sync::aref::ARef, //
};

const NPWM: usize = 2;

/// The registers of one channel.
#[derive(Default)]
struct Channel {
    period_ns: AtomicU64,
    duty_ns: AtomicU64,
    enabled: AtomicBool,
}

/// The driver data, which lives inside the chip.
struct SampleChip {
    channels: [Channel; NPWM],
}

#[vtable]
impl pwm::Ops for SampleChip {
    // Register writes never sleep: consumers may apply from any context.
    type Context = pwm::Atomic;
    type WfHw = ();

    fn apply(
        chip: &pwm::Chip<Self>,
        pwm: &pwm::Channel,
        state: &pwm::State,
        _ctx: &pwm::Atomic,
    ) -> Result {
        // The hardware has no inversion bit.
        if state.polarity != pwm::Polarity::Normal {
            return Err(EINVAL);
        }
        let regs = chip
            .drvdata()
            .channels
            .get(pwm.hwpwm() as usize)
            .ok_or(EINVAL)?;
        regs.period_ns.store(state.period_ns, Ordering::Relaxed);
        regs.duty_ns.store(state.duty_cycle_ns, Ordering::Relaxed);
        regs.enabled.store(state.enabled, Ordering::Relaxed);
        Ok(())
    }

    fn get_state(
        chip: &pwm::Chip<Self>,
        pwm: &pwm::Channel,
        _ctx: &pwm::Atomic,
    ) -> Result<pwm::State> {
        let regs = chip
            .drvdata()
            .channels
            .get(pwm.hwpwm() as usize)
            .ok_or(EINVAL)?;
        Ok(pwm::State {
            period_ns: regs.period_ns.load(Ordering::Relaxed),
            duty_cycle_ns: regs.duty_ns.load(Ordering::Relaxed),
            enabled: regs.enabled.load(Ordering::Relaxed),
            ..Default::default()
        })
    }
}

struct SampleDriver {
    chip: ARef<pwm::AnyChip>,
}

kernel::of_device_table!(
    OF_TABLE,
    <SampleDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"test,rust-pwm"), ())]
);

impl platform::Driver for SampleDriver {
    type IdInfo = ();
    type Data<'bound> = Self;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        let dev = pdev.as_ref();
        let chip = pwm::Chip::new(
            dev,
            NPWM as u32,
            Ok::<_, Error>(SampleChip {
                channels: Default::default(),
            }),
        )?;
        // The chip is removed, and the `SampleChip` dropped, when this device
        // unbinds; the chip is freed when its last user lets go.
        let chip = chip.register()?;
        dev_info!(dev, "registered pwmchip{}\n", chip.id());
        Ok(Self { chip })
    }
}

impl Drop for SampleDriver {
    fn drop(&mut self) {
        pr_info!("pwmchip{} unbound\n", self.chip.id());
    }
}

kernel::module_pwm_platform_driver! {
    type: SampleDriver,
    name: "rust_driver_pwm",
    authors: ["Rust for Linux Contributors"],
    description: "Rust PWM driver sample",
    license: "GPL v2",
}
