// SPDX-License-Identifier: GPL-2.0

//! The backend-independent channel API: a trait both backends implement,
//! and a way to open a channel with the backend a chip supports.

use crate::cdev::CdevChip;
use crate::discover::{ChipInfo, Roots};
use crate::error::{Error, Result};
use crate::sysfs::SysfsChannel;
use crate::waveform::Waveform;
use std::fmt;
use std::str::FromStr;

/// Which kernel interface to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    /// The character device if the chip has one, else sysfs.
    #[default]
    Auto,
    /// `/dev/pwmchipN` ioctls.
    Cdev,
    /// `/sys/class/pwm/pwmchipN/pwmM/` files.
    Sysfs,
}

impl Backend {
    /// `auto`, `cdev` or `sysfs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::Cdev => "cdev",
            Backend::Sysfs => "sysfs",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Backend {
    type Err = Error;

    fn from_str(s: &str) -> Result<Backend> {
        match s {
            "auto" => Ok(Backend::Auto),
            "cdev" => Ok(Backend::Cdev),
            "sysfs" => Ok(Backend::Sysfs),
            _ => Err(Error::Invalid("backend must be auto, cdev or sysfs")),
        }
    }
}

/// One PWM channel held for exclusive use, whatever the backend. Dropping
/// it releases the channel; the hardware keeps its last waveform.
pub trait PwmChannel {
    /// The channel's index on its chip.
    fn channel(&self) -> u32;

    /// The backend in use ([`Backend::Cdev`] or [`Backend::Sysfs`]).
    fn backend(&self) -> Backend;

    /// What the hardware would produce for `wf`, without changing anything.
    fn round(&self, wf: &Waveform) -> Result<Waveform>;

    /// What the hardware produces now (period 0 = disabled).
    fn get(&self) -> Result<Waveform>;

    /// Applies `wf`, rounded to what the hardware can do, and returns the
    /// waveform applied as far as the backend can tell (see the backends).
    fn set(&mut self, wf: &Waveform) -> Result<Waveform>;

    /// Applies `wf` only if the hardware can produce it exactly; else fails
    /// with [`Error::NotExact`].
    fn set_exact(&mut self, wf: &Waveform) -> Result<Waveform>;

    /// Applies `wf` as [`PwmChannel::set`] does (or [`PwmChannel::set_exact`]
    /// with `exact`) without reading back what was applied: the fast path
    /// for many settings in a row, such as a sweep.
    fn write(&mut self, wf: &Waveform, exact: bool) -> Result<()>;
}

impl<C: PwmChannel + ?Sized> PwmChannel for Box<C> {
    fn channel(&self) -> u32 {
        (**self).channel()
    }
    fn backend(&self) -> Backend {
        (**self).backend()
    }
    fn round(&self, wf: &Waveform) -> Result<Waveform> {
        (**self).round(wf)
    }
    fn get(&self) -> Result<Waveform> {
        (**self).get()
    }
    fn set(&mut self, wf: &Waveform) -> Result<Waveform> {
        (**self).set(wf)
    }
    fn set_exact(&mut self, wf: &Waveform) -> Result<Waveform> {
        (**self).set_exact(wf)
    }
    fn write(&mut self, wf: &Waveform, exact: bool) -> Result<()> {
        (**self).write(wf, exact)
    }
}

/// Opens `channel` of `chip` with `backend` ([`Backend::Auto`] picks the
/// character device when the chip has one). Asking for the character device
/// of a chip without one fails with [`Error::NotSupported`].
pub fn open_channel(
    roots: &Roots,
    chip: &ChipInfo,
    channel: u32,
    backend: Backend,
) -> Result<Box<dyn PwmChannel>> {
    let use_cdev = match backend {
        Backend::Auto => chip.has_cdev(),
        Backend::Cdev => true,
        Backend::Sysfs => false,
    };
    if use_cdev {
        if !chip.has_cdev() {
            return Err(Error::NotSupported("this chip has no character device"));
        }
        let cdev = CdevChip::open_info(chip)?;
        Ok(Box::new(cdev.request(channel)?))
    } else {
        Ok(Box::new(SysfsChannel::open(roots, chip, channel)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::chip_info;
    use crate::fake::{FakeChip, FakeTree, KernelOptions};
    use std::error::Error as StdError;

    type TestResult = std::result::Result<(), Box<dyn StdError>>;

    #[test]
    fn backend_names() -> TestResult {
        for b in [Backend::Auto, Backend::Cdev, Backend::Sysfs] {
            assert_eq!(b.as_str().parse::<Backend>()?, b);
        }
        assert!("x".parse::<Backend>().is_err());
        Ok(())
    }

    #[test]
    fn auto_picks_the_backend_the_chip_has() -> TestResult {
        let mut tree = FakeTree::new("channel-auto")?;
        tree.add_chip(&FakeChip::new(0, 2))?;
        tree.add_chip(&FakeChip::new(1, 2).no_cdev())?;
        tree.start_kernel(KernelOptions::default());
        let roots = tree.roots();
        let with_node = chip_info(&roots, 0)?;
        // The fake node is a plain file: the request ioctl fails ENOTTY,
        // which shows the character device was chosen.
        assert!(matches!(
            open_channel(&roots, &with_node, 0, Backend::Auto),
            Err(Error::Os(libc::ENOTTY))
        ));
        let without = chip_info(&roots, 1)?;
        let ch = open_channel(&roots, &without, 1, Backend::Auto)?;
        assert_eq!(ch.backend(), Backend::Sysfs);
        assert_eq!(ch.channel(), 1);
        assert!(matches!(
            open_channel(&roots, &without, 0, Backend::Cdev),
            Err(Error::NotSupported(_))
        ));
        let forced = open_channel(&roots, &with_node, 1, Backend::Sysfs)?;
        assert_eq!(forced.backend(), Backend::Sysfs);
        Ok(())
    }
}
