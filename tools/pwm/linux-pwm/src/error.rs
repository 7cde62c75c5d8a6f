// SPDX-License-Identifier: GPL-2.0

//! The library's error type: one variant per errno the PWM interfaces
//! document, so callers can react to a class of failure without decoding
//! raw errnos.

use std::fmt;
use std::io;
use std::path::Path;

/// The kernel's internal `ENOTSUPP` (524), which some sysfs writes leak to
/// userspace when a driver cannot do what was asked (e.g. change polarity).
const ENOTSUPP: i32 = 524;

/// Everything that can go wrong when talking to a PWM chip.
#[derive(Debug)]
pub enum Error {
    /// `EINVAL`: the waveform is invalid (duty > period, offset >= period,
    /// period > `i64::MAX`), or the channel was not requested. The text says
    /// which, when the library knows.
    Invalid(&'static str),
    /// `EBUSY`: the channel is held by someone else (a kernel consumer,
    /// another open file, or a sysfs export).
    Busy,
    /// `ENODEV`: the chip was removed while it was open.
    ChipGone,
    /// `EDOM`: the waveform cannot be produced exactly.
    NotExact,
    /// `EOPNOTSUPP`: this chip or backend cannot do this operation.
    NotSupported(&'static str),
    /// `ENOENT`, or a selector that matches no chip: the named chip.
    NoSuchChip(String),
    /// The channel index is not below the chip's `npwm`.
    NoSuchChannel {
        /// The channel asked for.
        channel: u32,
        /// The chip's number of channels.
        npwm: u32,
    },
    /// A selector matched more than one chip.
    Ambiguous {
        /// The selector as given.
        selector: String,
        /// The names of the chips it matched.
        candidates: Vec<String>,
    },
    /// `EACCES` or `EPERM` on the named file.
    Permission(String),
    /// Any other errno.
    Os(i32),
    /// An I/O error without an errno (e.g. malformed sysfs content, timeout).
    Io(io::Error),
}

/// Shorthand for results of this library.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Classifies an I/O error; `path` names the file involved, for messages.
    pub fn from_io(err: io::Error, path: &Path) -> Error {
        match err.raw_os_error() {
            Some(errno) => Error::from_errno(errno, path),
            None => Error::Io(err),
        }
    }

    /// Classifies a raw errno; `path` names the file involved, for messages.
    pub fn from_errno(errno: i32, path: &Path) -> Error {
        match errno {
            libc::EINVAL => Error::Invalid("rejected by the kernel"),
            libc::EBUSY => Error::Busy,
            libc::ENODEV => Error::ChipGone,
            libc::EDOM => Error::NotExact,
            libc::EOPNOTSUPP | ENOTSUPP => Error::NotSupported("the chip does not support this"),
            libc::ENOENT => Error::NoSuchChip(path.display().to_string()),
            libc::EACCES | libc::EPERM => Error::Permission(path.display().to_string()),
            other => Error::Os(other),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(why) => write!(f, "invalid argument: {why}"),
            Error::Busy => write!(f, "channel is busy (in use by someone else)"),
            Error::ChipGone => write!(f, "the chip is gone (removed while open)"),
            Error::NotExact => write!(f, "the waveform cannot be produced exactly"),
            Error::NotSupported(what) => write!(f, "not supported: {what}"),
            Error::NoSuchChip(name) => write!(f, "no such chip: {name}"),
            Error::NoSuchChannel { channel, npwm } => {
                write!(f, "no channel {channel} (the chip has {npwm})")
            }
            Error::Ambiguous {
                selector,
                candidates,
            } => write!(
                f,
                "'{selector}' is ambiguous, it matches {}",
                candidates.join(", ")
            ),
            Error::Permission(path) => write!(f, "permission denied: {path}"),
            Error::Os(errno) => write!(f, "{}", io::Error::from_raw_os_error(*errno)),
            Error::Io(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(err) => Some(err),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errnos_map_to_variants() {
        let p = Path::new("/dev/pwmchip0");
        assert!(matches!(
            Error::from_errno(libc::EINVAL, p),
            Error::Invalid(_)
        ));
        assert!(matches!(Error::from_errno(libc::EBUSY, p), Error::Busy));
        assert!(matches!(
            Error::from_errno(libc::ENODEV, p),
            Error::ChipGone
        ));
        assert!(matches!(Error::from_errno(libc::EDOM, p), Error::NotExact));
        assert!(matches!(
            Error::from_errno(libc::EOPNOTSUPP, p),
            Error::NotSupported(_)
        ));
        assert!(matches!(
            Error::from_errno(ENOTSUPP, p),
            Error::NotSupported(_)
        ));
        assert!(matches!(
            Error::from_errno(libc::ENOENT, p),
            Error::NoSuchChip(_)
        ));
        assert!(matches!(
            Error::from_errno(libc::EACCES, p),
            Error::Permission(_)
        ));
        assert!(matches!(
            Error::from_errno(libc::EPERM, p),
            Error::Permission(_)
        ));
        assert!(matches!(
            Error::from_errno(libc::ENOTTY, p),
            Error::Os(libc::ENOTTY)
        ));
        let e = Error::from_io(io::Error::other("x"), p);
        assert!(matches!(e, Error::Io(_)));
    }

    #[test]
    fn messages_name_the_problem() {
        let e = Error::NoSuchChannel {
            channel: 5,
            npwm: 4,
        };
        assert_eq!(e.to_string(), "no channel 5 (the chip has 4)");
        let e = Error::Ambiguous {
            selector: "x".into(),
            candidates: vec!["pwmchip0".into(), "pwmchip1".into()],
        };
        assert_eq!(
            e.to_string(),
            "'x' is ambiguous, it matches pwmchip0, pwmchip1"
        );
    }
}
