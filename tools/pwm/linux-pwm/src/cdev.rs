// SPDX-License-Identifier: GPL-2.0

//! The character device backend: `/dev/pwmchipN` and its ioctls
//! (`<linux/pwm.h>`), defined here so no kernel headers are needed.

use crate::channel::{Backend, PwmChannel};
use crate::discover::ChipInfo;
use crate::error::{Error, Result};
use crate::waveform::Waveform;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `struct pwmchip_waveform`: 32 bytes on every architecture.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct RawWaveform {
    hwpwm: u32,
    pad: u32,
    period_length_ns: u64,
    duty_length_ns: u64,
    duty_offset_ns: u64,
}

const _: () = assert!(std::mem::size_of::<RawWaveform>() == 32);

const IOC_NONE: u32 = 0;
const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;
const WF_SIZE: u32 = 32;

/// `_IOC(dir, 'u', nr, size)`.
const fn ioc(dir: u32, nr: u32, size: u32) -> u32 {
    (dir << 30) | (size << 16) | (0x75 << 8) | nr
}

/// `PWM_IOCTL_REQUEST`: the argument is the channel index, by value.
pub const PWM_IOCTL_REQUEST: u32 = ioc(IOC_NONE, 1, 0);
/// `PWM_IOCTL_FREE`: the argument is the channel index, by value.
pub const PWM_IOCTL_FREE: u32 = ioc(IOC_NONE, 2, 0);
/// `PWM_IOCTL_ROUNDWF`.
pub const PWM_IOCTL_ROUNDWF: u32 = ioc(IOC_READ | IOC_WRITE, 3, WF_SIZE);
/// `PWM_IOCTL_GETWF`.
pub const PWM_IOCTL_GETWF: u32 = ioc(IOC_READ | IOC_WRITE, 4, WF_SIZE);
/// `PWM_IOCTL_SETROUNDEDWF`.
pub const PWM_IOCTL_SETROUNDEDWF: u32 = ioc(IOC_WRITE, 5, WF_SIZE);
/// `PWM_IOCTL_SETEXACTWF`.
pub const PWM_IOCTL_SETEXACTWF: u32 = ioc(IOC_WRITE, 6, WF_SIZE);

/// An open `/dev/pwmchipN`. Channels requested through it share the open
/// file, which closes when the chip and all its channels are dropped.
#[derive(Clone, Debug)]
pub struct CdevChip {
    file: Arc<File>,
    path: PathBuf,
    npwm: Option<u32>,
}

impl CdevChip {
    /// Opens a chip's node. `npwm`, when known, lets
    /// [`CdevChip::request`] reject a bad index before any ioctl.
    pub fn open(path: impl AsRef<Path>, npwm: Option<u32>) -> Result<CdevChip> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::from_io(e, &path))?;
        Ok(CdevChip {
            file: Arc::new(file),
            path,
            npwm,
        })
    }

    /// Opens the node of a discovered chip, with its `npwm`.
    pub fn open_info(chip: &ChipInfo) -> Result<CdevChip> {
        let node = chip
            .node
            .as_ref()
            .ok_or(Error::NotSupported("this chip has no character device"))?;
        CdevChip::open(node, Some(chip.npwm))
    }

    /// The node's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Requests `channel` for this open file (`EBUSY` if someone else
    /// holds it). The returned channel frees it on drop.
    pub fn request(&self, channel: u32) -> Result<CdevChannel> {
        if let Some(npwm) = self.npwm {
            if channel >= npwm {
                return Err(Error::NoSuchChannel { channel, npwm });
            }
        }
        self.ioctl_value(PWM_IOCTL_REQUEST, channel)?;
        Ok(CdevChannel {
            chip: self.clone(),
            hwpwm: channel,
            can_get: None,
            freed: false,
        })
    }

    fn ioctl_value(&self, request: u32, value: u32) -> Result<()> {
        // SAFETY: REQUEST and FREE take an integer by value, not a pointer,
        // so the kernel reads no memory of ours; the fd is open because
        // `self.file` is alive.
        let rc = unsafe {
            libc::ioctl(
                self.file.as_raw_fd(),
                request as libc::Ioctl,
                libc::c_ulong::from(value),
            )
        };
        self.check(rc)
    }

    fn ioctl_wf(&self, request: u32, wf: &mut RawWaveform) -> Result<()> {
        // SAFETY: `wf` is a valid, exclusively borrowed `#[repr(C)]` struct
        // of the 32 bytes the ioctl's size field declares, alive for the
        // whole call; the fd is open because `self.file` is alive.
        let rc = unsafe {
            libc::ioctl(
                self.file.as_raw_fd(),
                request as libc::Ioctl,
                wf as *mut RawWaveform,
            )
        };
        self.check(rc)
    }

    fn check(&self, rc: libc::c_int) -> Result<()> {
        if rc < 0 {
            let err = io::Error::last_os_error();
            return Err(match err.raw_os_error() {
                Some(libc::EINVAL) => {
                    Error::Invalid("rejected by the kernel (invalid waveform or channel)")
                }
                _ => Error::from_io(err, &self.path),
            });
        }
        Ok(())
    }
}

/// A channel requested on an open character device; freed on drop.
#[derive(Debug)]
pub struct CdevChannel {
    chip: CdevChip,
    hwpwm: u32,
    /// Whether GETWF works on this chip; learnt on first use.
    can_get: Option<bool>,
    /// Set by [`CdevChannel::free`] so drop does not free twice.
    freed: bool,
}

impl CdevChannel {
    fn raw(&self, wf: &Waveform) -> RawWaveform {
        RawWaveform {
            hwpwm: self.hwpwm,
            pad: 0,
            period_length_ns: wf.period_ns,
            duty_length_ns: wf.duty_ns,
            duty_offset_ns: wf.offset_ns,
        }
    }

    fn wf_ioctl(&self, request: u32, wf: &Waveform) -> Result<Waveform> {
        let mut raw = self.raw(wf);
        self.chip.ioctl_wf(request, &mut raw)?;
        Ok(Waveform::new(
            raw.period_length_ns,
            raw.duty_length_ns,
            raw.duty_offset_ns,
        ))
    }

    /// Probes GETWF once: some drivers cannot read their hardware.
    fn can_get(&mut self) -> Result<bool> {
        if let Some(known) = self.can_get {
            return Ok(known);
        }
        let known = match self.get() {
            Ok(_) => true,
            Err(Error::NotSupported(_)) => false,
            Err(e) => return Err(e),
        };
        self.can_get = Some(known);
        Ok(known)
    }

    /// Frees the channel now and reports any error (dropping also frees,
    /// silently).
    pub fn free(mut self) -> Result<()> {
        self.freed = true;
        self.chip.ioctl_value(PWM_IOCTL_FREE, self.hwpwm)
    }
}

impl PwmChannel for CdevChannel {
    fn channel(&self) -> u32 {
        self.hwpwm
    }

    fn backend(&self) -> Backend {
        Backend::Cdev
    }

    fn round(&self, wf: &Waveform) -> Result<Waveform> {
        self.wf_ioctl(PWM_IOCTL_ROUNDWF, wf)
    }

    fn get(&self) -> Result<Waveform> {
        self.wf_ioctl(PWM_IOCTL_GETWF, &Waveform::disabled())
    }

    /// SETROUNDEDWF. Reports GETWF's answer after setting when the chip can
    /// read its hardware; otherwise ROUNDWF's answer obtained before
    /// setting; if the chip supports neither, the requested waveform.
    fn set(&mut self, wf: &Waveform) -> Result<Waveform> {
        let can_get = self.can_get()?;
        let predicted = if can_get {
            None
        } else {
            match self.round(wf) {
                Ok(r) => Some(r),
                Err(Error::NotSupported(_)) => None,
                Err(e) => return Err(e),
            }
        };
        self.wf_ioctl(PWM_IOCTL_SETROUNDEDWF, wf)?;
        if can_get {
            self.get()
        } else {
            Ok(predicted.unwrap_or(*wf))
        }
    }

    /// SETEXACTWF. Reports GETWF's answer when the chip can read its
    /// hardware, else the requested waveform (which was met exactly).
    fn set_exact(&mut self, wf: &Waveform) -> Result<Waveform> {
        self.wf_ioctl(PWM_IOCTL_SETEXACTWF, wf)?;
        if self.can_get()? {
            self.get()
        } else {
            Ok(*wf)
        }
    }

    /// One SETEXACTWF or SETROUNDEDWF, nothing else.
    fn write(&mut self, wf: &Waveform, exact: bool) -> Result<()> {
        let request = if exact {
            PWM_IOCTL_SETEXACTWF
        } else {
            PWM_IOCTL_SETROUNDEDWF
        };
        self.wf_ioctl(request, wf).map(|_| ())
    }
}

impl Drop for CdevChannel {
    fn drop(&mut self) {
        if !self.freed {
            // Nothing to do about a failure here; closing the file frees too.
            let _ = self.chip.ioctl_value(PWM_IOCTL_FREE, self.hwpwm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as StdError;

    type TestResult = std::result::Result<(), Box<dyn StdError>>;

    #[test]
    fn ioctl_numbers_match_the_uapi() {
        assert_eq!(PWM_IOCTL_REQUEST, 0x7501);
        assert_eq!(PWM_IOCTL_FREE, 0x7502);
        assert_eq!(PWM_IOCTL_ROUNDWF, 0xc020_7503);
        assert_eq!(PWM_IOCTL_GETWF, 0xc020_7504);
        assert_eq!(PWM_IOCTL_SETROUNDEDWF, 0x4020_7505);
        assert_eq!(PWM_IOCTL_SETEXACTWF, 0x4020_7506);
    }

    #[test]
    fn missing_node_is_no_such_chip() {
        let path = std::env::temp_dir().join("linux-pwm-no-such-node-pwmchip99");
        assert!(matches!(
            CdevChip::open(&path, None),
            Err(Error::NoSuchChip(_))
        ));
    }

    #[test]
    fn channel_checked_against_npwm_before_the_ioctl() -> TestResult {
        let tree = crate::fake::FakeTree::new("cdev")?;
        let node = tree.roots().node_path(0);
        std::fs::write(&node, "")?;
        let chip = CdevChip::open(&node, Some(2))?;
        assert!(matches!(
            chip.request(2),
            Err(Error::NoSuchChannel {
                channel: 2,
                npwm: 2
            })
        ));
        // A plain file is no PWM chip: the ioctl itself fails ENOTTY.
        assert!(matches!(chip.request(1), Err(Error::Os(libc::ENOTTY))));
        Ok(())
    }
}
