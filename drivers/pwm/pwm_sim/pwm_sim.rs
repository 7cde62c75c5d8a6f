// SPDX-License-Identifier: GPL-2.0

//! pwm-sim: simulated PWM chips for tests, demos and userspace development.
//!
//! A chip is created by making a directory in `/sys/kernel/config/pwm-sim/`,
//! configuring it and writing 1 to its `live` attribute, or by a device tree
//! node compatible with `"pwm-simulator"`. Its hardware (per channel: period,
//! duty, offset, polarity, enable, in whole cycles of its clock) and the
//! number of calls of each op are in `/sys/kernel/debug/pwm-sim/<name>`.
//! See `Documentation/driver-api/pwm-sim.rst`.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use configfs_dir::{
    Root,
    SimDir, //
};
use kernel::{
    configfs::{
        self,
        configfs_attrs, //
    },
    driver,
    platform,
    prelude::*, //
};

mod configfs_dir;
mod hw;
mod ops;
mod registry;
mod sim_driver;

module! {
    type: PwmSim,
    name: "pwm_sim",
    authors: ["pwm-rs"],
    description: "Simulated PWM chips, configured through configfs",
    license: "GPL",
    imports_ns: ["PWM"],
}

#[pin_data(PinnedDrop)]
struct PwmSim {
    #[pin]
    driver: driver::Registration<platform::Adapter<sim_driver::SimDriver>>,
    #[pin]
    config: configfs::Subsystem<Root>,
}

impl kernel::InPlaceModule for PwmSim {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // SAFETY: Module init runs once per load, before anything else uses the registry.
        unsafe { registry::init() };
        let item_type = configfs_attrs! {
            container: configfs::Subsystem<Root>,
            data: Root,
            child: SimDir,
            attributes: [
                max_npwm: 0,
            ],
        };
        try_pin_init!(Self {
            driver <- driver::Registration::new(c"pwm-sim", module),
            config <- configfs::Subsystem::new(c"pwm-sim", item_type, Root::new()),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for PwmSim {
    fn drop(self: Pin<&mut Self>) {
        registry::exit();
    }
}
