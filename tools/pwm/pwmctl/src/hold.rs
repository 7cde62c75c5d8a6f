// SPDX-License-Identifier: GPL-2.0

//! Holding a channel until a timeout or SIGINT/SIGTERM. The signals are
//! blocked first and then taken synchronously with `sigtimedwait`, so no
//! handler runs and the channel is released by ordinary drops.

use std::io;
use std::mem::MaybeUninit;
use std::ptr;
use std::time::{Duration, Instant};

/// A blocked set of SIGINT and SIGTERM.
pub struct Signals {
    set: libc::sigset_t,
}

impl Signals {
    /// Blocks SIGINT and SIGTERM for this (single-threaded) process, so
    /// they stay pending until [`Signals::wait`] takes them.
    pub fn block() -> io::Result<Signals> {
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigemptyset initialises the set that `set` points to; it
        // is valid writable memory of the right type.
        if unsafe { libc::sigemptyset(set.as_mut_ptr()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: sigemptyset succeeded, so the set is initialised.
        let mut set = unsafe { set.assume_init() };
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: `set` is an initialised sigset_t and `sig` a valid signal.
            if unsafe { libc::sigaddset(&mut set, sig) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        // SAFETY: `set` is initialised and outlives the call; a null old-set
        // pointer is allowed.
        if unsafe { libc::sigprocmask(libc::SIG_BLOCK, &set, ptr::null_mut()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Signals { set })
    }

    /// Waits for SIGINT/SIGTERM, at most `timeout` if given. Returns the
    /// signal taken, or `None` when the time ran out.
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<Option<i32>> {
        let deadline = timeout.map(|t| Instant::now().checked_add(t));
        loop {
            let ts = match deadline {
                None => None,
                // Too far to represent: wait forever.
                Some(None) => None,
                Some(Some(deadline)) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    Some(libc::timespec {
                        // Clamped to 68 years (fits any time_t); the loop waits again.
                        tv_sec: i32::try_from(left.as_secs()).unwrap_or(i32::MAX).into(),
                        // Below 1e9, so it fits a 32-bit long too.
                        tv_nsec: left.subsec_nanos() as libc::c_long,
                    })
                }
            };
            let ts_ptr = ts
                .as_ref()
                .map_or(ptr::null(), |t| t as *const libc::timespec);
            // SAFETY: `self.set` is an initialised sigset_t; `ts_ptr` is null
            // or points to `ts`, alive for the call; a null siginfo pointer
            // is allowed.
            let rc = unsafe { libc::sigtimedwait(&self.set, ptr::null_mut(), ts_ptr) };
            if rc > 0 {
                return Ok(Some(rc));
            }
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EAGAIN) => return Ok(None),
                Some(libc::EINTR) => continue,
                _ => return Err(err),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_out_without_a_signal() -> Result<(), Box<dyn std::error::Error>> {
        let signals = Signals::block()?;
        let start = Instant::now();
        assert_eq!(signals.wait(Some(Duration::from_millis(20)))?, None);
        assert!(start.elapsed() >= Duration::from_millis(20));
        Ok(())
    }
}
