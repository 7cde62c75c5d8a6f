// SPDX-License-Identifier: GPL-2.0

//! Human-readable and JSON renderings of chips and waveforms.

use crate::json::Json;
use linux_pwm::{ChipInfo, FirmwareNode, Waveform};

/// `value / div` rounded to `decimals` places, trailing zeros dropped.
fn decimal(value: u128, div: u128, decimals: u32) -> String {
    let scale = 10u128.pow(decimals);
    let scaled = value.saturating_mul(scale).saturating_add(div / 2) / div.max(1);
    let (whole, frac) = (scaled / scale, scaled % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let width = usize::try_from(decimals).unwrap_or(0);
    let frac = format!("{frac:0width$}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// A frequency such as `20 kHz` or `1.5 kHz` for a period.
pub fn frequency(period_ns: u64) -> String {
    if period_ns == 0 {
        return "0 Hz".to_string();
    }
    // Frequency in millihertz, as an exact fraction 1e12 / period.
    let mhz_num: u128 = 1_000_000_000_000;
    let period = u128::from(period_ns);
    let (div, unit) = if period <= 1_000 {
        (1_000_000_000u128, "MHz")
    } else if period <= 1_000_000 {
        (1_000_000, "kHz")
    } else {
        (1_000, "Hz")
    };
    // value = 1e12 / period / div, computed as 1e12 / (period * div).
    format!("{} {unit}", decimal(mhz_num, period * div, 3))
}

/// The duty as a percentage such as `25%` or `33.33%`.
pub fn percent(wf: &Waveform) -> String {
    if wf.period_ns == 0 {
        return "0%".to_string();
    }
    let pct = decimal(u128::from(wf.duty_ns) * 100, u128::from(wf.period_ns), 2);
    format!("{pct}%")
}

/// `period 50000 ns (20 kHz), duty 12500 ns (25%), offset 0 ns`, or
/// `disabled`.
pub fn waveform(wf: &Waveform) -> String {
    if wf.is_disabled() {
        return "disabled".to_string();
    }
    format!(
        "period {} ns ({}), duty {} ns ({}), offset {} ns",
        wf.period_ns,
        frequency(wf.period_ns),
        wf.duty_ns,
        percent(wf),
        wf.offset_ns
    )
}

/// The waveform as a JSON object.
pub fn waveform_json(wf: &Waveform) -> Json {
    Json::Obj(vec![
        ("enabled", Json::Bool(!wf.is_disabled())),
        ("period_ns", Json::Num(wf.period_ns)),
        ("duty_ns", Json::Num(wf.duty_ns)),
        ("offset_ns", Json::Num(wf.offset_ns)),
    ])
}

/// `fw none`, `fw dt /soc/pwm@1000`, `fw acpi PRP0001:00 \_SB_.PWM0`.
pub fn firmware(fw: &FirmwareNode) -> String {
    match fw {
        FirmwareNode::None => "fw none".to_string(),
        FirmwareNode::Dt(path) => format!("fw dt {path}"),
        FirmwareNode::Acpi { name, path: None } => format!("fw acpi {name}"),
        FirmwareNode::Acpi {
            name,
            path: Some(path),
        } => format!("fw acpi {name} {path}"),
    }
}

/// `pwmchip0: 4 channels, /dev/pwmchip0, parent pwm-sim.0 (driver
/// pwm-sim), fw none`.
pub fn chip_line(chip: &ChipInfo) -> String {
    let channels = if chip.npwm == 1 {
        "channel"
    } else {
        "channels"
    };
    let node = chip
        .node
        .as_ref()
        .map_or("no character device".to_string(), |n| {
            n.display().to_string()
        });
    let parent = chip.parent.as_deref().unwrap_or("none");
    let driver = chip
        .driver
        .as_ref()
        .map_or(String::new(), |d| format!(" (driver {d})"));
    format!(
        "{}: {} {channels}, {node}, parent {parent}{driver}, {}",
        chip.name(),
        chip.npwm,
        firmware(&chip.firmware)
    )
}

/// The chip as a JSON object.
pub fn chip_json(chip: &ChipInfo) -> Json {
    let fw = match &chip.firmware {
        FirmwareNode::None => Json::Obj(vec![("type", Json::str("none"))]),
        FirmwareNode::Dt(path) => {
            Json::Obj(vec![("type", Json::str("dt")), ("path", Json::str(path))])
        }
        FirmwareNode::Acpi { name, path } => Json::Obj(vec![
            ("type", Json::str("acpi")),
            ("name", Json::str(name)),
            ("path", Json::opt_str(path.clone())),
        ]),
    };
    Json::Obj(vec![
        ("chip", Json::Num(u64::from(chip.number))),
        ("name", Json::str(chip.name())),
        ("npwm", Json::Num(u64::from(chip.npwm))),
        ("cdev", Json::Bool(chip.has_cdev())),
        (
            "device",
            Json::opt_str(chip.node.as_ref().map(|n| n.display().to_string())),
        ),
        (
            "devnum",
            Json::opt_str(chip.devnum.map(|(maj, min)| format!("{maj}:{min}"))),
        ),
        ("parent", Json::opt_str(chip.parent.clone())),
        ("driver", Json::opt_str(chip.driver.clone())),
        ("firmware", fw),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn frequencies_and_percentages() {
        assert_eq!(frequency(50_000), "20 kHz");
        assert_eq!(frequency(666_667), "1.5 kHz");
        assert_eq!(frequency(1_000), "1 MHz");
        assert_eq!(frequency(3), "333.333 MHz");
        assert_eq!(frequency(20_000_000), "50 Hz");
        assert_eq!(frequency(3_000_000_000), "0.333 Hz");
        assert_eq!(frequency(i64::MAX as u64), "0 Hz");
        assert_eq!(percent(&Waveform::new(50_000, 12_500, 0)), "25%");
        assert_eq!(percent(&Waveform::new(3, 1, 0)), "33.33%");
        assert_eq!(percent(&Waveform::new(u64::MAX, u64::MAX, 0)), "100%");
    }

    #[test]
    fn waveform_lines() {
        assert_eq!(waveform(&Waveform::disabled()), "disabled");
        assert_eq!(
            waveform(&Waveform::new(50_000, 12_500, 0)),
            "period 50000 ns (20 kHz), duty 12500 ns (25%), offset 0 ns"
        );
        assert_eq!(
            waveform_json(&Waveform::new(100, 30, 70)).to_string(),
            r#"{"enabled":true,"period_ns":100,"duty_ns":30,"offset_ns":70}"#
        );
    }

    #[test]
    fn chip_lines() {
        let chip = ChipInfo {
            number: 0,
            npwm: 4,
            node: Some(PathBuf::from("/dev/pwmchip0")),
            devnum: Some((254, 0)),
            parent: Some("pwm-sim.0".into()),
            driver: Some("pwm-sim".into()),
            firmware: FirmwareNode::None,
        };
        assert_eq!(
            chip_line(&chip),
            "pwmchip0: 4 channels, /dev/pwmchip0, parent pwm-sim.0 (driver pwm-sim), fw none"
        );
        let acpi = ChipInfo {
            npwm: 1,
            node: None,
            driver: None,
            firmware: FirmwareNode::Acpi {
                name: "PRP0001:00".into(),
                path: Some("\\_SB_.PWM0".into()),
            },
            ..chip.clone()
        };
        assert_eq!(
            chip_line(&acpi),
            "pwmchip0: 1 channel, no character device, parent pwm-sim.0, fw acpi PRP0001:00 \\_SB_.PWM0"
        );
        assert_eq!(
            chip_json(&chip).to_string(),
            r#"{"chip":0,"name":"pwmchip0","npwm":4,"cdev":true,"device":"/dev/pwmchip0","devnum":"254:0","parent":"pwm-sim.0","driver":"pwm-sim","firmware":{"type":"none"}}"#
        );
    }
}
