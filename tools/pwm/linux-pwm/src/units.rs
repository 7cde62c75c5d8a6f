// SPDX-License-Identifier: GPL-2.0

//! Parsing of human-written quantities: durations (`50us`), frequencies
//! (`1.5kHz`) and duty percentages (`12.5%`). Decimals are parsed exactly
//! as integers scaled by a power of ten; nothing goes through floating point.

use crate::waveform::{DutyFraction, Frequency};
use std::fmt;

/// Most decimal places accepted; keeps every product within `u128`.
const MAX_DECIMALS: u32 = 9;

/// A quantity that could not be parsed, with the text and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseUnitError {
    /// The text as given.
    pub input: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

impl fmt::Display for ParseUnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}': {}", self.input, self.reason)
    }
}

impl std::error::Error for ParseUnitError {}

fn err(input: &str, reason: &'static str) -> ParseUnitError {
    ParseUnitError {
        input: input.to_string(),
        reason,
    }
}

/// A non-negative decimal number as `mantissa / 10^decimals`.
struct Decimal {
    mantissa: u128,
    decimals: u32,
}

fn parse_decimal(input: &str, number: &str) -> Result<Decimal, ParseUnitError> {
    let (int, frac) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(err(input, "expected a number"));
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(err(input, "expected a non-negative decimal number"));
    }
    let decimals = u32::try_from(frac.len()).unwrap_or(u32::MAX);
    if decimals > MAX_DECIMALS {
        return Err(err(input, "too many decimal places"));
    }
    let mut mantissa: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(u128::from(b - b'0')))
            .filter(|&m| m <= u128::from(u64::MAX) * 10u128.pow(MAX_DECIMALS))
            .ok_or_else(|| err(input, "number too large"))?;
    }
    Ok(Decimal { mantissa, decimals })
}

/// Splits `"1.5kHz"` into `("1.5", "kHz")`.
fn split_unit(s: &str) -> (&str, &str) {
    let at = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    s.split_at(at)
}

/// Parses a duration into nanoseconds: a number with an optional suffix
/// `ns`, `us`, `ms` or `s` (bare number = ns). Decimals are allowed if the
/// result is a whole number of nanoseconds (`1.5us` = 1500).
pub fn parse_duration_ns(input: &str) -> Result<u64, ParseUnitError> {
    let s = input.trim();
    let (number, unit) = split_unit(s);
    let scale: u128 = match unit.trim() {
        "" | "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        _ => return Err(err(input, "unknown unit (use ns, us, ms or s)")),
    };
    let d = parse_decimal(input, number)?;
    let div = 10u128.pow(d.decimals);
    let scaled = d
        .mantissa
        .checked_mul(scale)
        .ok_or_else(|| err(input, "duration too long"))?;
    if scaled % div != 0 {
        return Err(err(input, "not a whole number of nanoseconds"));
    }
    u64::try_from(scaled / div).map_err(|_| err(input, "duration too long"))
}

/// Parses a frequency: a number with an optional suffix `Hz`, `kHz` or
/// `MHz` (bare number = Hz; case-insensitive). Decimals are exact.
pub fn parse_frequency(input: &str) -> Result<Frequency, ParseUnitError> {
    let s = input.trim();
    let (number, unit) = split_unit(s);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "hz" => 1,
        "khz" => 1_000,
        "mhz" => 1_000_000,
        _ => return Err(err(input, "unknown unit (use Hz, kHz or MHz)")),
    };
    let d = parse_decimal(input, number)?;
    let num = d
        .mantissa
        .checked_mul(u128::from(scale))
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| err(input, "frequency too high"))?;
    if num == 0 {
        return Err(err(input, "frequency must be above 0"));
    }
    Frequency::from_ratio(num, 10u64.pow(d.decimals)).ok_or_else(|| err(input, "bad frequency"))
}

/// Parses a percentage such as `25%` or `12.5%` (0 to 100).
pub fn parse_percent(input: &str) -> Result<DutyFraction, ParseUnitError> {
    let s = input.trim();
    let number = s
        .strip_suffix('%')
        .ok_or_else(|| err(input, "expected a percentage like 25%"))?;
    let d = parse_decimal(input, number.trim())?;
    let den = 100 * 10u64.pow(d.decimals);
    let num = u64::try_from(d.mantissa).map_err(|_| err(input, "percentage above 100"))?;
    DutyFraction::from_ratio(num, den).map_err(|_| err(input, "percentage above 100"))
}

/// Whether `input` is written as a percentage (ends in `%`).
pub fn is_percent(input: &str) -> bool {
    input.trim().ends_with('%')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    type TestResult = Result<(), Box<dyn Error>>;

    #[test]
    fn durations() -> TestResult {
        assert_eq!(parse_duration_ns("50000")?, 50_000);
        assert_eq!(parse_duration_ns("50000ns")?, 50_000);
        assert_eq!(parse_duration_ns("50us")?, 50_000);
        assert_eq!(parse_duration_ns("1.5us")?, 1_500);
        assert_eq!(parse_duration_ns("2ms")?, 2_000_000);
        assert_eq!(parse_duration_ns("10s")?, 10_000_000_000);
        assert_eq!(parse_duration_ns(".5s")?, 500_000_000);
        assert_eq!(parse_duration_ns("0")?, 0);
        assert_eq!(parse_duration_ns(" 7 ns ")?, 7);
        assert_eq!(parse_duration_ns("18446744073709551615")?, u64::MAX);
        Ok(())
    }

    #[test]
    fn bad_durations() {
        for bad in [
            "",
            "ns",
            "-5",
            "1.5ns",
            "0.0000000001s",
            "5 minutes",
            "1e3",
            "1..2us",
            "18446744073709551616",
            "18446744074s",
            "99999999999999999999999999999999999s",
        ] {
            assert!(parse_duration_ns(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn frequencies() -> TestResult {
        assert_eq!(parse_frequency("20kHz")?.period_ns()?, 50_000);
        assert_eq!(parse_frequency("20khz")?.period_ns()?, 50_000);
        assert_eq!(parse_frequency("1.5kHz")?.period_ns()?, 666_667);
        assert_eq!(parse_frequency("1MHz")?.period_ns()?, 1_000);
        assert_eq!(parse_frequency("50")?.period_ns()?, 20_000_000);
        assert_eq!(parse_frequency("0.5Hz")?.period_ns()?, 2_000_000_000);
        assert_eq!(parse_frequency("3Hz")?.period_ns()?, 333_333_333);
        Ok(())
    }

    #[test]
    fn bad_frequencies() {
        for bad in [
            "",
            "0Hz",
            "0.0kHz",
            "kHz",
            "5GHz",
            "-1Hz",
            "1.2.3Hz",
            "99999999999999999999MHz",
        ] {
            assert!(parse_frequency(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn percentages() -> TestResult {
        assert_eq!(parse_percent("25%")?.duty_ns(50_000), 12_500);
        assert_eq!(parse_percent("12.5%")?.duty_ns(1_000), 125);
        assert_eq!(parse_percent("100%")?.duty_ns(7), 7);
        assert_eq!(parse_percent("0%")?.duty_ns(7), 0);
        assert_eq!(
            parse_percent("33.333333333%")?.duty_ns(3_000_000_000),
            1_000_000_000
        );
        for bad in ["25", "101%", "-1%", "%", "100.0000000001%"] {
            assert!(parse_percent(bad).is_err(), "{bad}");
        }
        assert!(is_percent("5%"));
        assert!(!is_percent("5us"));
        Ok(())
    }

    #[test]
    fn errors_say_what_was_wrong() {
        let e = parse_duration_ns("5min").err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("'5min': unknown unit (use ns, us, ms or s)".to_string())
        );
    }
}
