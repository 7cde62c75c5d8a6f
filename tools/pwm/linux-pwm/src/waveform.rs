// SPDX-License-Identifier: GPL-2.0

//! Waveforms (period, duty length, duty offset) and the legacy state
//! (period, duty cycle, polarity, enable) of the sysfs interface, with the
//! kernel's mapping between the two.

use crate::error::{Error, Result};
use std::time::Duration;

const NS_PER_S: u128 = 1_000_000_000;

/// One period of a PWM output: high from `offset_ns` for `duty_ns`
/// (wrapping around the period end), low otherwise. A zero period means the
/// output is disabled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Waveform {
    /// Period length in nanoseconds; 0 = disabled.
    pub period_ns: u64,
    /// Length of the active part in nanoseconds.
    pub duty_ns: u64,
    /// Start of the active part from the period start, in nanoseconds.
    pub offset_ns: u64,
}

/// Output polarity of the legacy (sysfs) state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Polarity {
    /// Active high at the start of the period.
    #[default]
    Normal,
    /// Active low at the start of the period.
    Inversed,
}

impl Polarity {
    /// The word sysfs uses: `normal` or `inversed`.
    pub fn as_sysfs(self) -> &'static str {
        match self {
            Polarity::Normal => "normal",
            Polarity::Inversed => "inversed",
        }
    }

    /// Parses the word sysfs uses.
    pub fn from_sysfs(s: &str) -> Option<Polarity> {
        match s.trim() {
            "normal" => Some(Polarity::Normal),
            "inversed" => Some(Polarity::Inversed),
            _ => None,
        }
    }
}

/// The legacy PWM state, as the sysfs files show it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct State {
    /// `enable`.
    pub enabled: bool,
    /// `period` in nanoseconds.
    pub period_ns: u64,
    /// `duty_cycle` in nanoseconds.
    pub duty_ns: u64,
    /// `polarity`.
    pub polarity: Polarity,
}

/// A frequency as an exact fraction `num / den` hertz, so that values like
/// 1.5 kHz convert to a period without floating point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frequency {
    num: u128,
    den: u128,
}

impl Frequency {
    /// A whole number of hertz.
    pub fn from_hz(hz: u64) -> Frequency {
        Frequency {
            num: u128::from(hz),
            den: 1,
        }
    }

    /// `num / den` hertz; `None` if `den` is 0.
    pub fn from_ratio(num: u64, den: u64) -> Option<Frequency> {
        (den != 0).then_some(Frequency {
            num: u128::from(num),
            den: u128::from(den),
        })
    }

    /// The period rounded to the nearest nanosecond. Fails for a zero
    /// frequency or a period that does not fit the kernel's limit.
    pub fn period_ns(&self) -> Result<u64> {
        if self.num == 0 {
            return Err(Error::Invalid("a frequency of 0 has no period"));
        }
        // 1e9 * den fits in u128 for any u64 den; rounding to nearest.
        let scaled = NS_PER_S.saturating_mul(self.den);
        let period = scaled.saturating_add(self.num / 2) / self.num;
        if period == 0 {
            // A zero period would silently mean "disabled".
            return Err(Error::Invalid(
                "frequency above 2 GHz (period rounds to 0 ns)",
            ));
        }
        to_period(period)
    }
}

/// A duty cycle as a fraction of the period, `num / den` with `num <= den`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DutyFraction {
    num: u128,
    den: u128,
}

impl DutyFraction {
    /// `num / den`; fails if `den` is 0 or the fraction exceeds 1.
    pub fn from_ratio(num: u64, den: u64) -> Result<DutyFraction> {
        if den == 0 || num > den {
            return Err(Error::Invalid("a duty fraction must be between 0 and 1"));
        }
        Ok(DutyFraction {
            num: u128::from(num),
            den: u128::from(den),
        })
    }

    /// A whole percentage, 0 to 100.
    pub fn from_percent(percent: u64) -> Result<DutyFraction> {
        DutyFraction::from_ratio(percent, 100)
    }

    /// The duty length for `period_ns`, rounded to the nearest nanosecond.
    pub fn duty_ns(&self, period_ns: u64) -> u64 {
        let exact = u128::from(period_ns).saturating_mul(self.num);
        let rounded = exact.saturating_add(self.den / 2) / self.den;
        // num <= den, so the result never exceeds period_ns.
        u64::try_from(rounded).unwrap_or(period_ns).min(period_ns)
    }
}

fn to_period(ns: u128) -> Result<u64> {
    u64::try_from(ns)
        .ok()
        .filter(|&p| p <= i64::MAX as u64)
        .ok_or(Error::Invalid("period longer than the kernel's limit"))
}

fn duration_ns(d: Duration) -> Result<u64> {
    u64::try_from(d.as_nanos())
        .map_err(|_| Error::Invalid("duration longer than the kernel's limit"))
}

impl Waveform {
    /// A waveform from nanoseconds (not validated; see [`Waveform::validate`]).
    pub const fn new(period_ns: u64, duty_ns: u64, offset_ns: u64) -> Waveform {
        Waveform {
            period_ns,
            duty_ns,
            offset_ns,
        }
    }

    /// The disabled output: everything 0.
    pub const fn disabled() -> Waveform {
        Waveform::new(0, 0, 0)
    }

    /// A waveform from durations; fails if one exceeds `u64` nanoseconds.
    pub fn from_durations(period: Duration, duty: Duration, offset: Duration) -> Result<Waveform> {
        Ok(Waveform::new(
            duration_ns(period)?,
            duration_ns(duty)?,
            duration_ns(offset)?,
        ))
    }

    /// A waveform from a frequency and a duty fraction, offset 0. The period
    /// is rounded to the nearest nanosecond, then the duty from that period.
    pub fn from_frequency(freq: Frequency, duty: DutyFraction) -> Result<Waveform> {
        let period_ns = freq.period_ns()?;
        Ok(Waveform::new(period_ns, duty.duty_ns(period_ns), 0))
    }

    /// Whether this is the disabled waveform (period 0).
    pub const fn is_disabled(&self) -> bool {
        self.period_ns == 0
    }

    /// Checks the kernel's rules: duty <= period, offset < period unless 0,
    /// period <= `i64::MAX`.
    pub fn validate(&self) -> Result<()> {
        if self.period_ns > i64::MAX as u64 {
            return Err(Error::Invalid("period longer than the kernel's limit"));
        }
        if self.duty_ns > self.period_ns {
            return Err(Error::Invalid("duty longer than the period"));
        }
        if self.offset_ns != 0 && self.offset_ns >= self.period_ns {
            return Err(Error::Invalid("offset not shorter than the period"));
        }
        Ok(())
    }

    /// The duty as a fraction of the period in parts per million (0 when
    /// disabled), for display.
    pub fn duty_ppm(&self) -> u64 {
        if self.period_ns == 0 {
            return 0;
        }
        let ppm = u128::from(self.duty_ns).saturating_mul(1_000_000) / u128::from(self.period_ns);
        u64::try_from(ppm).unwrap_or(u64::MAX)
    }

    /// The frequency in millihertz (0 when disabled), for display.
    pub fn frequency_mhz(&self) -> u64 {
        if self.period_ns == 0 {
            return 0;
        }
        let mhz = (NS_PER_S * 1000) / u128::from(self.period_ns);
        u64::try_from(mhz).unwrap_or(u64::MAX)
    }

    /// The legacy state the kernel maps this waveform to. Disabled if the
    /// period is 0. An offset of 0 gives normal polarity; a nonzero offset
    /// with `duty + offset >= period` gives inversed polarity with duty
    /// cycle `period - duty` (exact when `offset == period - duty`, else the
    /// offset is rounded to that); any other offset is dropped (rounded to
    /// 0, normal polarity).
    pub fn to_state(&self) -> State {
        if self.period_ns == 0 {
            return State::default();
        }
        let end = u128::from(self.duty_ns) + u128::from(self.offset_ns);
        if self.offset_ns != 0 && end >= u128::from(self.period_ns) {
            State {
                enabled: true,
                period_ns: self.period_ns,
                duty_ns: self.period_ns.saturating_sub(self.duty_ns),
                polarity: Polarity::Inversed,
            }
        } else {
            State {
                enabled: true,
                period_ns: self.period_ns,
                duty_ns: self.duty_ns,
                polarity: Polarity::Normal,
            }
        }
    }

    /// Whether the legacy state can express this waveform exactly.
    pub fn is_state_exact(&self) -> bool {
        self.to_state().to_waveform() == *self
    }
}

impl State {
    /// The waveform this state produces: normal = `{period, duty, 0}`,
    /// inversed = `{period, period - duty, duty}`, disabled = all 0.
    pub fn to_waveform(&self) -> Waveform {
        if !self.enabled || self.period_ns == 0 {
            return Waveform::disabled();
        }
        match self.polarity {
            Polarity::Normal => Waveform::new(self.period_ns, self.duty_ns, 0),
            Polarity::Inversed => Waveform::new(
                self.period_ns,
                self.period_ns.saturating_sub(self.duty_ns),
                self.duty_ns,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as StdError;

    type TestResult = std::result::Result<(), Box<dyn StdError>>;

    #[test]
    fn frequency_to_period_rounds_to_nearest() -> TestResult {
        assert_eq!(Frequency::from_hz(20_000).period_ns()?, 50_000);
        // 1/3 Hz... 3 Hz = 333333333.33 ns -> 333333333
        assert_eq!(Frequency::from_hz(3).period_ns()?, 333_333_333);
        // 6 Hz = 166666666.67 ns -> 166666667
        assert_eq!(Frequency::from_hz(6).period_ns()?, 166_666_667);
        // 1.5 kHz = 666666.67 ns -> 666667
        let f = Frequency::from_ratio(15_000, 10).ok_or("ratio")?;
        assert_eq!(f.period_ns()?, 666_667);
        assert_eq!(Frequency::from_hz(1_000_000_000).period_ns()?, 1);
        assert_eq!(Frequency::from_hz(1_999_999_999).period_ns()?, 1);
        // Above 2 GHz the period would round to 0 ns, which means disabled.
        assert!(Frequency::from_hz(3_000_000_000).period_ns().is_err());
        Ok(())
    }

    #[test]
    fn frequency_limits() -> TestResult {
        assert!(Frequency::from_hz(0).period_ns().is_err());
        assert!(Frequency::from_ratio(1, 0).is_none());
        // 1e-10 Hz: 1e19 ns does not fit i64.
        let tiny = Frequency::from_ratio(1, 10_000_000_000).ok_or("ratio")?;
        assert!(matches!(tiny.period_ns(), Err(Error::Invalid(_))));
        // Extreme ratio: no overflow, just an error.
        let f = Frequency::from_ratio(1, u64::MAX).ok_or("ratio")?;
        assert!(f.period_ns().is_err());
        Ok(())
    }

    #[test]
    fn duty_fraction_rounds_and_never_exceeds_period() -> TestResult {
        let quarter = DutyFraction::from_percent(25)?;
        assert_eq!(quarter.duty_ns(50_000), 12_500);
        let third = DutyFraction::from_ratio(1, 3)?;
        assert_eq!(third.duty_ns(100), 33);
        assert_eq!(DutyFraction::from_ratio(2, 3)?.duty_ns(100), 67);
        let full = DutyFraction::from_percent(100)?;
        assert_eq!(full.duty_ns(u64::MAX), u64::MAX);
        assert_eq!(
            DutyFraction::from_ratio(u64::MAX - 1, u64::MAX)?.duty_ns(u64::MAX),
            u64::MAX - 1
        );
        assert!(DutyFraction::from_percent(101).is_err());
        assert!(DutyFraction::from_ratio(0, 0).is_err());
        Ok(())
    }

    #[test]
    fn waveform_constructors() -> TestResult {
        let wf =
            Waveform::from_frequency(Frequency::from_hz(20_000), DutyFraction::from_percent(25)?)?;
        assert_eq!(wf, Waveform::new(50_000, 12_500, 0));
        let wf = Waveform::from_durations(
            Duration::from_micros(50),
            Duration::from_micros(10),
            Duration::from_micros(5),
        )?;
        assert_eq!(wf, Waveform::new(50_000, 10_000, 5_000));
        assert!(Waveform::from_durations(Duration::MAX, Duration::ZERO, Duration::ZERO).is_err());
        assert!(Waveform::disabled().is_disabled());
        Ok(())
    }

    #[test]
    fn validation_follows_the_kernel() {
        assert!(Waveform::new(100, 50, 0).validate().is_ok());
        assert!(Waveform::new(100, 100, 99).validate().is_ok());
        assert!(Waveform::disabled().validate().is_ok());
        assert!(Waveform::new(100, 101, 0).validate().is_err());
        assert!(Waveform::new(100, 0, 100).validate().is_err());
        assert!(Waveform::new(0, 1, 0).validate().is_err());
        assert!(Waveform::new(0, 0, 1).validate().is_err());
        assert!(Waveform::new(i64::MAX as u64, 0, 0).validate().is_ok());
        assert!(Waveform::new(i64::MAX as u64 + 1, 0, 0).validate().is_err());
    }

    #[test]
    fn waveform_to_state_mapping() {
        let s = Waveform::new(100, 30, 0).to_state();
        assert_eq!(
            (s.enabled, s.period_ns, s.duty_ns, s.polarity),
            (true, 100, 30, Polarity::Normal)
        );
        // The exact inverse: high from 70 to 100.
        let s = Waveform::new(100, 30, 70).to_state();
        assert_eq!(
            (s.period_ns, s.duty_ns, s.polarity),
            (100, 70, Polarity::Inversed)
        );
        // Wrapping past the period end: the kernel maps to inversed, which
        // moves the offset to period - duty.
        let s = Waveform::new(100, 30, 80).to_state();
        assert_eq!((s.duty_ns, s.polarity), (70, Polarity::Inversed));
        assert_eq!(s.to_waveform(), Waveform::new(100, 30, 70));
        // An offset inside the period is dropped.
        let s = Waveform::new(100, 30, 10).to_state();
        assert_eq!((s.duty_ns, s.polarity), (30, Polarity::Normal));
        // 100 % with offset 0 stays normal.
        let s = Waveform::new(100, 100, 0).to_state();
        assert_eq!((s.duty_ns, s.polarity), (100, Polarity::Normal));
        assert!(!Waveform::disabled().to_state().enabled);
        // Huge values do not overflow.
        let s = Waveform::new(u64::MAX, u64::MAX, u64::MAX - 1).to_state();
        assert_eq!((s.duty_ns, s.polarity), (0, Polarity::Inversed));
    }

    #[test]
    fn state_to_waveform_mapping() {
        let normal = State {
            enabled: true,
            period_ns: 100,
            duty_ns: 30,
            polarity: Polarity::Normal,
        };
        assert_eq!(normal.to_waveform(), Waveform::new(100, 30, 0));
        let inversed = State {
            polarity: Polarity::Inversed,
            ..normal
        };
        assert_eq!(inversed.to_waveform(), Waveform::new(100, 70, 30));
        let off = State {
            enabled: false,
            ..normal
        };
        assert_eq!(off.to_waveform(), Waveform::disabled());
        // Invalid state (duty > period) saturates instead of wrapping.
        let bad = State {
            duty_ns: 200,
            ..inversed
        };
        assert_eq!(bad.to_waveform(), Waveform::new(100, 0, 200));
    }

    #[test]
    fn round_trips_and_exactness() {
        for wf in [
            Waveform::new(100, 30, 0),
            Waveform::new(100, 30, 70),
            Waveform::new(100, 100, 0),
            Waveform::new(100, 0, 0),
            Waveform::disabled(),
        ] {
            assert!(wf.is_state_exact(), "{wf:?}");
        }
        assert!(!Waveform::new(100, 30, 10).is_state_exact());
        assert!(!Waveform::new(100, 30, 80).is_state_exact());
    }

    #[test]
    fn display_helpers() {
        let wf = Waveform::new(50_000, 12_500, 0);
        assert_eq!(wf.duty_ppm(), 250_000);
        assert_eq!(wf.frequency_mhz(), 20_000_000);
        assert_eq!(Waveform::disabled().duty_ppm(), 0);
        assert_eq!(Waveform::new(1, 1, 0).frequency_mhz(), 1_000_000_000_000);
    }

    #[test]
    fn polarity_words() {
        assert_eq!(Polarity::from_sysfs("inversed\n"), Some(Polarity::Inversed));
        assert_eq!(Polarity::from_sysfs("normal"), Some(Polarity::Normal));
        assert_eq!(Polarity::from_sysfs("x"), None);
        assert_eq!(Polarity::Inversed.as_sysfs(), "inversed");
    }
}
