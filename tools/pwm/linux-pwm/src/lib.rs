// SPDX-License-Identifier: GPL-2.0

//! Userspace access to Linux PWM chips.
//!
//! - [`discover`]: list chips from `/sys/class/pwm` with their number,
//!   device node, channel count, parent device, driver and firmware node.
//! - [`mod@select`]: pick a chip by number, `pwmchipN`, `/dev/pwmchipN`, parent
//!   device name, devicetree path or ACPI name/path.
//! - [`cdev`]: the `/dev/pwmchipN` character device (waveform ioctls).
//! - [`sysfs`]: the sysfs interface, for chips without a character device.
//! - [`channel`]: the [`PwmChannel`] trait both backends implement, and
//!   [`open_channel`] to get one with the right backend.
//! - [`waveform`]: [`Waveform`] (period, duty, offset) and the legacy
//!   [`State`], with the kernel's mapping between them.
//! - [`units`]: parsing `50us`, `1.5kHz`, `25%`.
//! - [`hal`]: embedded-hal 1.0 `SetDutyCycle` at a fixed period.
//! - [`fake`]: a fake sysfs tree for tests.
//!
//! Errors are an [`Error`] with one variant per documented errno.
//!
//! # Example
//!
//! ```no_run
//! use linux_pwm::{open_channel, select_chip, Backend, DutyFraction, Frequency, Roots, Waveform};
//!
//! # fn main() -> Result<(), linux_pwm::Error> {
//! let roots = Roots::default();
//! // Name the chip by its parent device so renumbering does not matter.
//! let chip = select_chip(&roots, "pwm-sim.0")?;
//! let mut channel = open_channel(&roots, &chip, 0, Backend::Auto)?;
//! let wf = Waveform::from_frequency(Frequency::from_hz(20_000), DutyFraction::from_percent(25)?)?;
//! let applied = channel.set(&wf)?;
//! println!("period {} ns, duty {} ns", applied.period_ns, applied.duty_ns);
//! // Dropping the channel releases it; the output keeps running.
//! # Ok(())
//! # }
//! ```

#![forbid(clippy::unwrap_used, clippy::expect_used)]
#![deny(missing_docs)]

pub mod cdev;
pub mod channel;
pub mod discover;
pub mod error;
pub mod fake;
pub mod hal;
pub mod select;
pub mod sysfs;
pub mod units;
pub mod waveform;

pub use cdev::{CdevChannel, CdevChip};
pub use channel::{open_channel, Backend, PwmChannel};
pub use discover::{chip_info, list_chips, ChipInfo, FirmwareNode, Roots};
pub use error::{Error, Result};
pub use hal::FixedPeriod;
pub use select::{select, select_chip};
pub use sysfs::SysfsChannel;
pub use waveform::{DutyFraction, Frequency, Polarity, State, Waveform};
