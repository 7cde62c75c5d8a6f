// SPDX-License-Identifier: GPL-2.0

//! embedded-hal 1.0's `SetDutyCycle` for a channel run at a fixed period,
//! so drivers written against embedded-hal work on Linux PWM channels.

use crate::channel::PwmChannel;
use crate::error::{Error, Result};
use crate::waveform::Waveform;
use embedded_hal::pwm::{ErrorKind, ErrorType, SetDutyCycle};

impl embedded_hal::pwm::Error for Error {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

/// A channel at a fixed period whose duty cycle is set in 1/65535ths.
#[derive(Debug)]
pub struct FixedPeriod<C: PwmChannel> {
    channel: C,
    period_ns: u64,
}

impl<C: PwmChannel> FixedPeriod<C> {
    /// Wraps `channel`; the period must be nonzero and within the kernel's
    /// limit. Nothing is written until a duty cycle is set.
    pub fn new(channel: C, period_ns: u64) -> Result<FixedPeriod<C>> {
        if period_ns == 0 {
            return Err(Error::Invalid("a fixed period must not be 0"));
        }
        Waveform::new(period_ns, 0, 0).validate()?;
        Ok(FixedPeriod { channel, period_ns })
    }

    /// The period in nanoseconds.
    pub fn period_ns(&self) -> u64 {
        self.period_ns
    }

    /// The duty length for a duty of `duty / u16::MAX`, rounded down.
    pub fn duty_ns(&self, duty: u16) -> u64 {
        let ns = u128::from(self.period_ns) * u128::from(duty) / u128::from(u16::MAX);
        // duty <= u16::MAX, so ns <= period_ns and always fits.
        u64::try_from(ns).unwrap_or(self.period_ns)
    }

    /// The wrapped channel.
    pub fn channel(&self) -> &C {
        &self.channel
    }

    /// Gives the channel back.
    pub fn into_inner(self) -> C {
        self.channel
    }
}

impl<C: PwmChannel> ErrorType for FixedPeriod<C> {
    type Error = Error;
}

impl<C: PwmChannel> SetDutyCycle for FixedPeriod<C> {
    fn max_duty_cycle(&self) -> u16 {
        u16::MAX
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<()> {
        let wf = Waveform::new(self.period_ns, self.duty_ns(duty), 0);
        self.channel.write(&wf, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Backend;
    use std::error::Error as StdError;

    type TestResult = std::result::Result<(), Box<dyn StdError>>;

    /// Records what was set.
    #[derive(Default)]
    struct Recorder {
        set: Vec<Waveform>,
    }

    impl PwmChannel for Recorder {
        fn channel(&self) -> u32 {
            0
        }
        fn backend(&self) -> Backend {
            Backend::Sysfs
        }
        fn round(&self, wf: &Waveform) -> Result<Waveform> {
            Ok(*wf)
        }
        fn get(&self) -> Result<Waveform> {
            Ok(self.set.last().copied().unwrap_or_default())
        }
        fn set(&mut self, wf: &Waveform) -> Result<Waveform> {
            self.set.push(*wf);
            Ok(*wf)
        }
        fn set_exact(&mut self, wf: &Waveform) -> Result<Waveform> {
            self.set(wf)
        }
        fn write(&mut self, wf: &Waveform, _exact: bool) -> Result<()> {
            self.set(wf).map(|_| ())
        }
    }

    #[test]
    fn duty_cycles_scale_to_the_period() -> TestResult {
        let mut pwm = FixedPeriod::new(Recorder::default(), 50_000)?;
        assert_eq!(pwm.max_duty_cycle(), u16::MAX);
        pwm.set_duty_cycle_fully_off()?;
        pwm.set_duty_cycle_fully_on()?;
        pwm.set_duty_cycle_percent(25)?;
        pwm.set_duty_cycle_fraction(1, 3)?;
        let duties: Vec<u64> = pwm.channel().set.iter().map(|w| w.duty_ns).collect();
        assert_eq!(duties, [0, 50_000, 12_499, 16_666]);
        assert!(pwm
            .channel()
            .set
            .iter()
            .all(|w| w.period_ns == 50_000 && w.offset_ns == 0));
        Ok(())
    }

    #[test]
    fn huge_periods_do_not_overflow() -> TestResult {
        let max = i64::MAX as u64;
        let pwm = FixedPeriod::new(Recorder::default(), max)?;
        assert_eq!(pwm.duty_ns(u16::MAX), max);
        assert_eq!(pwm.duty_ns(1), max / 65_535);
        assert!(FixedPeriod::new(Recorder::default(), 0).is_err());
        assert!(FixedPeriod::new(Recorder::default(), max + 1).is_err());
        Ok(())
    }
}
