// SPDX-License-Identifier: GPL-2.0

//! Provider half of the module autoload test: the driver of the platform
//! device `pwm_autoload_provider` that the board registers
//! (`pwm_autoload_board.rs`), with a one-channel PWM chip. The device binds
//! as soon as the module loads.
//!
//! Nothing depends on this module by symbol, and no hotplug helper loads it
//! in the test guest: only the PWM core's `request_module()` for the lookup
//! table entry that names it, so a consumer that gets a channel of this
//! chip (`pwm_autoload_consumer.rs`) shows that autoload works end to end.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::sync::atomic::{
    AtomicBool,
    AtomicU64,
    Ordering, //
};
use kernel::{
    device::Core,
    platform,
    prelude::*,
    pwm,
    sync::aref::ARef, //
};

/// The single channel's registers.
#[derive(Default)]
struct ProviderChip {
    period_ns: AtomicU64,
    duty_ns: AtomicU64,
    enabled: AtomicBool,
}

#[vtable]
impl pwm::Ops for ProviderChip {
    type Context = pwm::Sleeping;
    type WfHw = ();

    fn apply(
        chip: &pwm::Chip<Self>,
        _pwm: &pwm::Channel,
        state: &pwm::State,
        _ctx: &pwm::Sleeping,
    ) -> Result {
        if state.polarity != pwm::Polarity::Normal {
            return Err(EINVAL);
        }
        let regs = chip.drvdata();
        regs.period_ns.store(state.period_ns, Ordering::Relaxed);
        regs.duty_ns.store(state.duty_cycle_ns, Ordering::Relaxed);
        regs.enabled.store(state.enabled, Ordering::Relaxed);
        Ok(())
    }

    fn get_state(
        chip: &pwm::Chip<Self>,
        _pwm: &pwm::Channel,
        _ctx: &pwm::Sleeping,
    ) -> Result<pwm::State> {
        let regs = chip.drvdata();
        Ok(pwm::State {
            period_ns: regs.period_ns.load(Ordering::Relaxed),
            duty_cycle_ns: regs.duty_ns.load(Ordering::Relaxed),
            enabled: regs.enabled.load(Ordering::Relaxed),
            ..Default::default()
        })
    }
}

struct AutoloadProvider {
    chip: ARef<pwm::AnyChip>,
}

impl platform::Driver for AutoloadProvider {
    type IdInfo = ();
    type Data<'bound> = Self;

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        let dev = pdev.as_ref();
        // Removed when the device unbinds, as the module goes.
        let chip = pwm::Chip::new(dev, 1, Ok::<_, Error>(ProviderChip::default()))?.register()?;
        dev_info!(dev, "registered pwmchip{}\n", chip.id());
        Ok(Self { chip })
    }
}

impl Drop for AutoloadProvider {
    fn drop(&mut self) {
        pr_info!("pwmchip{} unbound\n", self.chip.id());
    }
}

kernel::module_pwm_platform_driver! {
    type: AutoloadProvider,
    name: "pwm_autoload_provider",
    authors: ["pwm-rs"],
    description: "PWM module autoload test: the provider",
    license: "GPL v2",
}
