// SPDX-License-Identifier: GPL-2.0

//! Values exchanged with PWM channels: legacy states, waveforms, captures.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use crate::{
    bindings,
    prelude::*, //
};

/// Polarity of a PWM signal (`enum pwm_polarity`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Polarity {
    /// The signal is high for the duty cycle, low for the rest of the period.
    #[default]
    Normal,
    /// The signal is low for the duty cycle, high for the rest of the period.
    Inversed,
}

impl From<Polarity> for bindings::pwm_polarity {
    fn from(polarity: Polarity) -> Self {
        match polarity {
            Polarity::Normal => bindings::pwm_polarity_PWM_POLARITY_NORMAL,
            Polarity::Inversed => bindings::pwm_polarity_PWM_POLARITY_INVERSED,
        }
    }
}

impl TryFrom<bindings::pwm_polarity> for Polarity {
    type Error = Error;

    fn try_from(polarity: bindings::pwm_polarity) -> Result<Self> {
        match polarity {
            bindings::pwm_polarity_PWM_POLARITY_NORMAL => Ok(Self::Normal),
            bindings::pwm_polarity_PWM_POLARITY_INVERSED => Ok(Self::Inversed),
            _ => Err(EINVAL),
        }
    }
}

/// A legacy PWM state (`struct pwm_state`): period, duty cycle, polarity.
///
/// # Examples
///
/// ```
/// use kernel::pwm::{Polarity, State};
///
/// // 25% duty at 20 kHz, enabled.
/// let state = State::new(50_000, 12_500);
/// assert_eq!(state.polarity, Polarity::Normal);
/// assert!(state.enabled);
///
/// // The C representation keeps every field.
/// let raw = kernel::bindings::pwm_state::from(state);
/// assert_eq!(State::try_from(raw), Ok(state));
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// Length of one period in nanoseconds.
    pub period_ns: u64,
    /// Active time within a period in nanoseconds.
    pub duty_cycle_ns: u64,
    /// Polarity of the signal.
    pub polarity: Polarity,
    /// Whether the output runs.
    pub enabled: bool,
    /// Whether only the power delivered matters, so that the driver may shift
    /// the active time within the period.
    pub usage_power: bool,
}

impl State {
    /// An enabled state with normal polarity.
    pub const fn new(period_ns: u64, duty_cycle_ns: u64) -> Self {
        Self {
            period_ns,
            duty_cycle_ns,
            polarity: Polarity::Normal,
            enabled: true,
            usage_power: false,
        }
    }
}

impl From<State> for bindings::pwm_state {
    fn from(state: State) -> Self {
        Self {
            period: state.period_ns,
            duty_cycle: state.duty_cycle_ns,
            polarity: state.polarity.into(),
            enabled: state.enabled,
            usage_power: state.usage_power,
        }
    }
}

impl TryFrom<bindings::pwm_state> for State {
    type Error = Error;

    /// Fails with `EINVAL` on a polarity that `enum pwm_polarity` does not have.
    fn try_from(state: bindings::pwm_state) -> Result<Self> {
        Ok(Self {
            period_ns: state.period,
            duty_cycle_ns: state.duty_cycle,
            polarity: state.polarity.try_into()?,
            enabled: state.enabled,
            usage_power: state.usage_power,
        })
    }
}

/// A waveform (`struct pwm_waveform`): the signal is active from
/// `duty_offset_ns` for `duty_length_ns` in every period, wrapping around.
///
/// A `period_length_ns` of zero means the output is disabled.
///
/// # Examples
///
/// ```
/// use kernel::pwm::Waveform;
///
/// let wf = Waveform { period_length_ns: 50_000, duty_length_ns: 10_000, duty_offset_ns: 5_000 };
/// assert!(wf.is_enabled());
/// assert!(!Waveform::default().is_enabled());
/// assert_eq!(Waveform::from(kernel::bindings::pwm_waveform::from(wf)), wf);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Waveform {
    /// Length of one period in nanoseconds; 0 disables the output.
    pub period_length_ns: u64,
    /// Active time within a period in nanoseconds.
    pub duty_length_ns: u64,
    /// Start of the active time, from the start of the period, in nanoseconds.
    pub duty_offset_ns: u64,
}

impl Waveform {
    /// Whether the waveform describes a running output.
    pub const fn is_enabled(&self) -> bool {
        self.period_length_ns != 0
    }
}

impl From<Waveform> for bindings::pwm_waveform {
    fn from(wf: Waveform) -> Self {
        Self {
            period_length_ns: wf.period_length_ns,
            duty_length_ns: wf.duty_length_ns,
            duty_offset_ns: wf.duty_offset_ns,
        }
    }
}

impl From<bindings::pwm_waveform> for Waveform {
    fn from(wf: bindings::pwm_waveform) -> Self {
        Self {
            period_length_ns: wf.period_length_ns,
            duty_length_ns: wf.duty_length_ns,
            duty_offset_ns: wf.duty_offset_ns,
        }
    }
}

/// A waveform after rounding to what the hardware can do.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Rounded {
    /// The waveform the hardware would produce.
    pub waveform: Waveform,
    /// Whether a value had to be rounded up (the request was below what the
    /// hardware can do), which the C API reports as 1.
    pub rounded_up: bool,
}

/// A measured signal (`struct pwm_capture`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Capture {
    /// Measured period in nanoseconds.
    pub period_ns: u32,
    /// Measured active time in nanoseconds.
    pub duty_cycle_ns: u32,
}

impl From<Capture> for bindings::pwm_capture {
    fn from(capture: Capture) -> Self {
        Self {
            period: capture.period_ns,
            duty_cycle: capture.duty_cycle_ns,
        }
    }
}
