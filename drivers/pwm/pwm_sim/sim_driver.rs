// SPDX-License-Identifier: GPL-2.0

//! The platform driver: builds a chip on the simulated hardware of a device
//! made by configfs or described by a device tree node.

use crate::{
    hw::{
        Config,
        Hw,
        Mode,
        MAX_CLOCK_HZ, //
    },
    ops::{
        LegacySim,
        WaveformSim, //
    },
    registry,
};
use core::{
    ptr,
    sync::atomic::Ordering, //
};
use kernel::{
    bindings,
    debugfs,
    device::{
        self,
        Bound,
        Core, //
    },
    of,
    platform,
    prelude::*,
    pwm,
    str::CString,
    sync::Arc, //
};

/// Driver data: the hardware and its debugfs file.
pub(crate) struct SimDriver {
    _file: Pin<KBox<debugfs::File<Arc<Hw>>>>,
}

kernel::of_device_table!(
    OF_TABLE,
    <SimDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"pwm-simulator"), ())]
);

impl platform::Driver for SimDriver {
    type IdInfo = ();
    type Data<'bound> = Self;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self, Error> + 'bound {
        let dev = pdev.as_ref();
        let hw = hardware(dev)?;
        let file = register(dev, &hw)
            .and_then(|id| {
                hw.chip_id.store(id as i32, Ordering::Relaxed);
                registry::debugfs_file(&hw)
            })
            .inspect_err(|e| hw.probe_error.store(e.to_errno(), Ordering::Relaxed))?;
        Ok(Self { _file: file })
    }
}

/// The hardware of `dev`: configfs's (whose id is the platform data), or a
/// new one from device properties.
fn hardware(dev: &device::Device) -> Result<Arc<Hw>> {
    // `Device` is a transparent wrapper of `struct device`.
    let raw = ptr::from_ref(dev).cast::<bindings::device>();
    // SAFETY: `dev` is a live platform device; its platform data is NULL or the `u32` copy
    // that configfs registered it with (only configfs makes "pwm-sim" devices in code).
    let pdata = unsafe { (*raw).platform_data };
    if !pdata.is_null() {
        // SAFETY: As above; `kmemdup()` aligned the copy for any type.
        let id = unsafe { pdata.cast::<u32>().read() };
        return registry::find(id).ok_or(ENODEV);
    }
    let fwnode = dev.fwnode().ok_or(ENODEV)?;
    let mode = match fwnode.property_read::<CString>(c"mode").optional() {
        Some(mode) => Mode::parse(mode.to_bytes())?,
        None => Mode::Waveform,
    };
    let raw = fwnode.property_read_bool(c"raw-atomic");
    let config = Config {
        npwm: fwnode.property_read(c"npwm").or(1),
        atomic: raw || fwnode.property_read_bool(c"atomic"),
        raw,
        mode,
        clock_hz: fwnode.property_read(c"clock-frequency").or(MAX_CLOCK_HZ),
        apply_delay_us: fwnode.property_read(c"apply-delay-us").or(0),
    };
    Hw::new(
        CString::try_from_fmt(fmt!("{}", fwnode.display_name()))?,
        config,
    )
}

/// Registers the chip type `hw`'s configuration asks for; its id.
fn register(dev: &device::Device<Bound>, hw: &Arc<Hw>) -> Result<u32> {
    let Config {
        npwm,
        atomic,
        raw,
        mode,
        ..
    } = hw.config;
    let hw = hw.clone();
    let chip_id = match (mode, atomic, raw) {
        (Mode::Legacy, false, _) => {
            let data = Ok::<_, Error>(LegacySim::<pwm::Sleeping>::new(hw));
            pwm::Chip::new(dev, npwm, data)?.register()?.id()
        }
        (Mode::Legacy, true, false) => {
            let data = Ok::<_, Error>(LegacySim::<pwm::Atomic>::new(hw));
            pwm::Chip::new(dev, npwm, data)?.register()?.id()
        }
        (Mode::Legacy, true, true) => {
            let data = Ok::<_, Error>(LegacySim::<pwm::RawAtomic>::new(hw));
            pwm::Chip::new(dev, npwm, data)?.register()?.id()
        }
        (Mode::Waveform, false, _) => {
            let data = Ok::<_, Error>(WaveformSim::<pwm::Sleeping>::new(hw));
            pwm::Chip::new(dev, npwm, data)?.register()?.id()
        }
        (Mode::Waveform, true, false) => {
            let data = Ok::<_, Error>(WaveformSim::<pwm::Atomic>::new(hw));
            pwm::Chip::new(dev, npwm, data)?.register()?.id()
        }
        (Mode::Waveform, true, true) => {
            let data = Ok::<_, Error>(WaveformSim::<pwm::RawAtomic>::new(hw));
            pwm::Chip::new(dev, npwm, data)?.register()?.id()
        }
    };
    Ok(chip_id)
}
