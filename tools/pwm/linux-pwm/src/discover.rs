// SPDX-License-Identifier: GPL-2.0

//! Discovery of PWM chips from `/sys/class/pwm`, under configurable roots so
//! tests can use a fake tree.

use crate::error::{Error, Result};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Where sysfs and the device nodes live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roots {
    /// The sysfs mount point, normally `/sys`.
    pub sysfs: PathBuf,
    /// The device node directory, normally `/dev`.
    pub dev: PathBuf,
}

impl Default for Roots {
    fn default() -> Roots {
        Roots {
            sysfs: PathBuf::from("/sys"),
            dev: PathBuf::from("/dev"),
        }
    }
}

impl Roots {
    /// `<sysfs>/class/pwm`.
    pub fn class_dir(&self) -> PathBuf {
        self.sysfs.join("class/pwm")
    }

    /// `<sysfs>/class/pwm/pwmchipN`.
    pub fn chip_dir(&self, chip: u32) -> PathBuf {
        self.class_dir().join(format!("pwmchip{chip}"))
    }

    /// `<dev>/pwmchipN`.
    pub fn node_path(&self, chip: u32) -> PathBuf {
        self.dev.join(format!("pwmchip{chip}"))
    }
}

/// The firmware description of a chip's parent device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirmwareNode {
    /// A devicetree node, by its path (`/` for the root).
    Dt(String),
    /// An ACPI device, by its name (`PRP0001:00`) and its path
    /// (`\_SB_.PWM0`) when sysfs shows one.
    Acpi {
        /// The ACPI device name.
        name: String,
        /// The ACPI namespace path, if known.
        path: Option<String>,
    },
    /// No firmware node (e.g. a simulated or platform-data device).
    None,
}

/// What sysfs says about one PWM chip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChipInfo {
    /// N in `pwmchipN`.
    pub number: u32,
    /// Number of channels.
    pub npwm: u32,
    /// `<dev>/pwmchipN` if the chip has a character device.
    pub node: Option<PathBuf>,
    /// The `MAJ:MIN` of the character device, if any.
    pub devnum: Option<(u32, u32)>,
    /// The parent device's name (e.g. `pwm-sim.0`), if sysfs shows one.
    pub parent: Option<String>,
    /// The parent's driver name, if bound.
    pub driver: Option<String>,
    /// The parent's firmware node.
    pub firmware: FirmwareNode,
}

impl ChipInfo {
    /// `pwmchipN`.
    pub fn name(&self) -> String {
        format!("pwmchip{}", self.number)
    }

    /// Whether the chip has a character device.
    pub fn has_cdev(&self) -> bool {
        self.node.is_some()
    }
}

/// Parses `pwmchipN` into N.
pub fn parse_chip_name(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("pwmchip")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn link_basename(path: &Path) -> Option<String> {
    let target = fs::read_link(path).ok()?;
    Some(target.file_name()?.to_string_lossy().into_owned())
}

fn read_trimmed(path: &Path) -> io::Result<String> {
    Ok(fs::read_to_string(path)?.trim().to_string())
}

fn dt_path(roots: &Roots, of_node: &Path) -> Option<String> {
    // Resolve both sides so relative links and a symlinked temp dir agree.
    let base = fs::canonicalize(roots.sysfs.join("firmware/devicetree/base")).ok();
    if let (Ok(node), Some(base)) = (fs::canonicalize(of_node), base) {
        if let Ok(rest) = node.strip_prefix(&base) {
            return Some(format!("/{}", rest.display()));
        }
    }
    // Fall back to the link text, which ends in .../devicetree/base/<path>.
    let target = fs::read_link(of_node).ok()?;
    let text = target.to_string_lossy().into_owned();
    let (_, rest) = text.split_once("devicetree/base")?;
    let rest = rest.trim_start_matches('/');
    Some(format!("/{rest}"))
}

fn firmware_node(roots: &Roots, device: &Path) -> FirmwareNode {
    let of_node = device.join("of_node");
    if fs::symlink_metadata(&of_node).is_ok() {
        if let Some(path) = dt_path(roots, &of_node) {
            return FirmwareNode::Dt(path);
        }
    }
    let fw = device.join("firmware_node");
    if let Some(name) = link_basename(&fw) {
        let path = read_trimmed(&fw.join("path"))
            .ok()
            .filter(|p| !p.is_empty());
        return FirmwareNode::Acpi { name, path };
    }
    FirmwareNode::None
}

fn parse_devnum(s: &str) -> Option<(u32, u32)> {
    let (maj, min) = s.trim().split_once(':')?;
    Some((maj.parse().ok()?, min.parse().ok()?))
}

/// Reads what sysfs says about `pwmchip<number>`.
pub fn chip_info(roots: &Roots, number: u32) -> Result<ChipInfo> {
    let dir = roots.chip_dir(number);
    if !dir.is_dir() {
        return Err(Error::NoSuchChip(format!("pwmchip{number}")));
    }
    let npwm_path = dir.join("npwm");
    let npwm = read_trimmed(&npwm_path)
        .map_err(|e| Error::from_io(e, &npwm_path))?
        .parse()
        .map_err(|_| {
            Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: not a number", npwm_path.display()),
            ))
        })?;
    let dev = read_trimmed(&dir.join("dev")).ok();
    let device = dir.join("device");
    Ok(ChipInfo {
        number,
        npwm,
        node: dev.as_ref().map(|_| roots.node_path(number)),
        devnum: dev.as_deref().and_then(parse_devnum),
        parent: link_basename(&device),
        driver: link_basename(&device.join("driver")),
        firmware: firmware_node(roots, &device),
    })
}

/// Lists every PWM chip, sorted by number. No PWM class (no chips, or PWM
/// not built) gives an empty list.
pub fn list_chips(roots: &Roots) -> Result<Vec<ChipInfo>> {
    let class = roots.class_dir();
    let entries = match fs::read_dir(&class) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::from_io(e, &class)),
    };
    let mut numbers = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::from_io(e, &class))?;
        if let Some(n) = parse_chip_name(&entry.file_name().to_string_lossy()) {
            numbers.push(n);
        }
    }
    numbers.sort_unstable();
    let mut chips = Vec::with_capacity(numbers.len());
    for n in numbers {
        match chip_info(roots, n) {
            Ok(info) => chips.push(info),
            // Removed while listing: skip it.
            Err(Error::NoSuchChip(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(chips)
}

/// The channels of a chip currently exported through sysfs.
pub fn exported_channels(roots: &Roots, chip: &ChipInfo) -> Vec<u32> {
    (0..chip.npwm)
        .filter(|ch| {
            roots
                .chip_dir(chip.number)
                .join(format!("pwm{ch}"))
                .is_dir()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeChip, FakeTree};
    use std::error::Error as StdError;

    type TestResult = std::result::Result<(), Box<dyn StdError>>;

    #[test]
    fn chip_names() {
        assert_eq!(parse_chip_name("pwmchip12"), Some(12));
        assert_eq!(parse_chip_name("pwmchip"), None);
        assert_eq!(parse_chip_name("pwmchip1a"), None);
        assert_eq!(parse_chip_name("pwmchip+1"), None);
        assert_eq!(parse_chip_name("gpiochip0"), None);
    }

    #[test]
    fn lists_a_fake_tree() -> TestResult {
        let tree = FakeTree::new("discover")?;
        tree.add_chip(&FakeChip::new(2, 4).parent("pwm-sim.0").driver("pwm-sim"))?;
        tree.add_chip(
            &FakeChip::new(0, 1)
                .parent("1f000000.pwm")
                .driver("rp1-pwm")
                .firmware(FirmwareNode::Dt("/soc/pwm@1f000000".into())),
        )?;
        tree.add_chip(
            &FakeChip::new(10, 2)
                .parent("0000:00:1f.0")
                .firmware(FirmwareNode::Acpi {
                    name: "PRP0001:00".into(),
                    path: Some("\\_SB_.PWM0".into()),
                })
                .no_cdev(),
        )?;
        tree.add_chip(
            &FakeChip::new(3, 1)
                .parent("root-pwm")
                .firmware(FirmwareNode::Dt("/".into())),
        )?;
        let chips = list_chips(&tree.roots())?;
        let numbers: Vec<u32> = chips.iter().map(|c| c.number).collect();
        assert_eq!(numbers, [0, 2, 3, 10]);
        let c0 = &chips[0];
        assert_eq!(c0.npwm, 1);
        assert_eq!(c0.parent.as_deref(), Some("1f000000.pwm"));
        assert_eq!(c0.driver.as_deref(), Some("rp1-pwm"));
        assert_eq!(c0.firmware, FirmwareNode::Dt("/soc/pwm@1f000000".into()));
        assert_eq!(c0.node, Some(tree.roots().dev.join("pwmchip0")));
        assert_eq!(c0.devnum, Some((254, 0)));
        let c2 = &chips[1];
        assert_eq!(c2.firmware, FirmwareNode::None);
        assert_eq!(c2.npwm, 4);
        assert_eq!(chips[2].firmware, FirmwareNode::Dt("/".into()));
        let c10 = &chips[3];
        assert!(!c10.has_cdev());
        assert_eq!(c10.driver, None);
        assert_eq!(
            c10.firmware,
            FirmwareNode::Acpi {
                name: "PRP0001:00".into(),
                path: Some("\\_SB_.PWM0".into())
            }
        );
        Ok(())
    }

    #[test]
    fn missing_class_is_empty_and_missing_chip_is_an_error() -> TestResult {
        let tree = FakeTree::new("discover-empty")?;
        assert!(list_chips(&tree.roots())?.is_empty());
        assert!(matches!(
            chip_info(&tree.roots(), 0),
            Err(Error::NoSuchChip(_))
        ));
        Ok(())
    }

    /// A class entry whose device directory is gone (a dangling link, as the
    /// C core leaves for a chip never removed once its parent is deleted)
    /// and entries that are not chips are skipped; the others are listed.
    #[test]
    fn skips_dangling_and_foreign_entries() -> TestResult {
        let tree = FakeTree::new("discover-dangling")?;
        tree.add_chip(&FakeChip::new(1, 2))?;
        let class = tree.roots().class_dir();
        std::os::unix::fs::symlink("../../devices/gone/pwm/pwmchip0", class.join("pwmchip0"))?;
        std::os::unix::fs::symlink("../../devices/gone", class.join("pwmchipx"))?;
        fs::create_dir(class.join("other"))?;
        let numbers: Vec<u32> = list_chips(&tree.roots())?
            .iter()
            .map(|c| c.number)
            .collect();
        assert_eq!(numbers, [1]);
        assert!(matches!(
            chip_info(&tree.roots(), 0),
            Err(Error::NoSuchChip(_))
        ));
        Ok(())
    }

    #[test]
    fn lists_exported_channels() -> TestResult {
        let tree = FakeTree::new("discover-exported")?;
        tree.add_chip(&FakeChip::new(0, 3))?;
        tree.create_channel(0, 1)?;
        let chip = chip_info(&tree.roots(), 0)?;
        assert_eq!(exported_channels(&tree.roots(), &chip), [1]);
        Ok(())
    }
}
