// SPDX-License-Identifier: GPL-2.0

//! Choosing a chip by a string, so scripts can name a chip by something that
//! survives renumbering (its parent device or firmware node) as well as by
//! its number.

use crate::discover::{list_chips, parse_chip_name, ChipInfo, FirmwareNode, Roots};
use crate::error::{Error, Result};
use std::path::Path;

/// Finds the one chip `selector` names among `chips`. Accepted forms:
/// a number (`3`), `pwmchip3`, a device node path (`/dev/pwmchip3`, or
/// under `dev_root`), a parent device name (`pwm-sim.0`), a devicetree path
/// (`/soc/pwm@1000`), an ACPI name (`PRP0001:00`) or an ACPI path
/// (`\_SB_.PWM0`). No match gives [`Error::NoSuchChip`], several give
/// [`Error::Ambiguous`].
pub fn select<'a>(chips: &'a [ChipInfo], selector: &str, dev_root: &Path) -> Result<&'a ChipInfo> {
    let sel = selector.trim();
    if let Some(n) = chip_number(sel, dev_root) {
        return chips
            .iter()
            .find(|c| c.number == n)
            .ok_or_else(|| Error::NoSuchChip(selector.to_string()));
    }
    let matches: Vec<&ChipInfo> = chips.iter().filter(|c| names_chip(c, sel)).collect();
    match matches.as_slice() {
        [] => Err(Error::NoSuchChip(selector.to_string())),
        [one] => Ok(one),
        many => Err(Error::Ambiguous {
            selector: selector.to_string(),
            candidates: many.iter().map(|c| c.name()).collect(),
        }),
    }
}

/// Lists the chips under `roots` and selects one; see [`select`].
pub fn select_chip(roots: &Roots, selector: &str) -> Result<ChipInfo> {
    let chips = list_chips(roots)?;
    select(&chips, selector, &roots.dev).cloned()
}

/// The chip number a selector spells directly, if it is of that form.
fn chip_number(sel: &str, dev_root: &Path) -> Option<u32> {
    if !sel.is_empty() && sel.bytes().all(|b| b.is_ascii_digit()) {
        return sel.parse().ok();
    }
    if let Some(n) = parse_chip_name(sel) {
        return Some(n);
    }
    let path = Path::new(sel);
    let parent = path.parent()?;
    if parent == Path::new("/dev") || parent == dev_root {
        return parse_chip_name(&path.file_name()?.to_string_lossy());
    }
    None
}

fn names_chip(chip: &ChipInfo, sel: &str) -> bool {
    if chip.parent.as_deref() == Some(sel) {
        return true;
    }
    match &chip.firmware {
        FirmwareNode::Dt(path) => {
            // Tolerate a trailing slash on a DT path.
            let trimmed = if sel.len() > 1 {
                sel.trim_end_matches('/')
            } else {
                sel
            };
            path == trimmed
        }
        FirmwareNode::Acpi { name, path } => name == sel || path.as_deref() == Some(sel),
        FirmwareNode::None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as StdError;
    use std::path::PathBuf;

    type TestResult = std::result::Result<(), Box<dyn StdError>>;

    fn chip(number: u32, parent: &str, firmware: FirmwareNode) -> ChipInfo {
        ChipInfo {
            number,
            npwm: 2,
            node: Some(PathBuf::from(format!("/dev/pwmchip{number}"))),
            devnum: None,
            parent: Some(parent.to_string()),
            driver: None,
            firmware,
        }
    }

    fn chips() -> Vec<ChipInfo> {
        vec![
            chip(0, "pwm-sim.0", FirmwareNode::None),
            chip(1, "1000.pwm", FirmwareNode::Dt("/soc/pwm@1000".into())),
            chip(
                3,
                "0000:00:1f.0",
                FirmwareNode::Acpi {
                    name: "PRP0001:00".into(),
                    path: Some("\\_SB_.PWM0".into()),
                },
            ),
            // One parent device with two chips.
            chip(4, "multi.0", FirmwareNode::None),
            chip(5, "multi.0", FirmwareNode::None),
        ]
    }

    fn pick(sel: &str) -> Result<u32> {
        let chips = chips();
        select(&chips, sel, Path::new("/tmp/fakedev")).map(|c| c.number)
    }

    #[test]
    fn selects_by_every_form() -> TestResult {
        assert_eq!(pick("3")?, 3);
        assert_eq!(pick("pwmchip1")?, 1);
        assert_eq!(pick("/dev/pwmchip0")?, 0);
        assert_eq!(pick("/tmp/fakedev/pwmchip3")?, 3);
        assert_eq!(pick("pwm-sim.0")?, 0);
        assert_eq!(pick("/soc/pwm@1000")?, 1);
        assert_eq!(pick("/soc/pwm@1000/")?, 1);
        assert_eq!(pick("PRP0001:00")?, 3);
        assert_eq!(pick("\\_SB_.PWM0")?, 3);
        assert_eq!(pick(" 1 ")?, 1);
        Ok(())
    }

    #[test]
    fn missing_and_ambiguous() -> TestResult {
        assert!(matches!(pick("2"), Err(Error::NoSuchChip(_))));
        assert!(matches!(pick("pwmchip9"), Err(Error::NoSuchChip(_))));
        assert!(matches!(pick("/dev/pwmchip9"), Err(Error::NoSuchChip(_))));
        assert!(matches!(pick("nothing"), Err(Error::NoSuchChip(_))));
        assert!(matches!(pick(""), Err(Error::NoSuchChip(_))));
        assert!(matches!(pick("/soc"), Err(Error::NoSuchChip(_))));
        assert!(matches!(pick("99999999999"), Err(Error::NoSuchChip(_))));
        match pick("multi.0") {
            Err(Error::Ambiguous { candidates, .. }) => {
                assert_eq!(candidates, ["pwmchip4", "pwmchip5"]);
            }
            other => return Err(format!("expected ambiguity, got {other:?}").into()),
        }
        Ok(())
    }

    #[test]
    fn selects_in_a_fake_tree() -> TestResult {
        use crate::fake::{FakeChip, FakeTree};
        let tree = FakeTree::new("select")?;
        tree.add_chip(&FakeChip::new(7, 2).parent("pwm-sim.0"))?;
        tree.add_chip(&FakeChip::new(8, 2).firmware(FirmwareNode::Dt("/pwm@1000".into())))?;
        let roots = tree.roots();
        assert_eq!(select_chip(&roots, "pwm-sim.0")?.number, 7);
        assert_eq!(select_chip(&roots, "/pwm@1000")?.number, 8);
        let node = roots.node_path(8);
        assert_eq!(select_chip(&roots, &node.to_string_lossy())?.number, 8);
        assert!(matches!(
            select_chip(&roots, "0"),
            Err(Error::NoSuchChip(_))
        ));
        Ok(())
    }
}
