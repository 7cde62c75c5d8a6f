// SPDX-License-Identifier: GPL-2.0

//! The consumer side: a PWM channel requested by a device, released on drop.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use super::{
    Rounded,
    State,
    Waveform, //
};
use crate::{
    bindings,
    device::{
        self,
        Bound, //
    },
    devres::Devres,
    error::{
        from_err_ptr,
        to_result, //
    },
    prelude::*,
    str::CStr,
    sync::aref::ARef,
};
use core::ptr::{
    self,
    NonNull, //
};

/// A PWM channel a consumer requested (`pwm_get()`), put back on drop.
///
/// Every method fails with `ENODEV` once the chip was removed; the handle
/// stays safe to use and to drop. Methods other than
/// [`Device::apply_atomic`] and [`Device::state`] may sleep.
///
/// # Invariants
///
/// `pwm` was returned by `pwm_get()` for `consumer` and is put back only by
/// `drop`. The channel's label (the `con_id`, which is `'static`, or a name
/// of `consumer` or of its firmware node) lives as long as `consumer`.
///
/// # Examples
///
/// ```
/// use kernel::{device, prelude::*, pwm};
///
/// /// Runs a fan at `percent` of full speed at 25 kHz.
/// fn set_fan(dev: &device::Device, percent: u64) -> Result {
///     let fan = pwm::Device::get(dev, Some(c"fan"))?;
///     let period_ns = 40_000;
///     fan.apply(&pwm::State::new(period_ns, period_ns * percent.min(100) / 100))?;
///     // Dropping `fan` puts the channel back; the output keeps running.
///     Ok(())
/// }
/// # let _ = set_fan;
/// ```
pub struct Device {
    pwm: NonNull<bindings::pwm_device>,
    /// Keeps the device alive whose name (or firmware node's name) the core
    /// may have stored as the channel's label.
    _consumer: ARef<device::Device>,
}

// SAFETY: The core serialises every operation on a channel under its chip's lock, accepts
// calls from any thread, and turns calls after the chip is gone into `-ENODEV`.
unsafe impl Send for Device {}

// SAFETY: As for `Send`; `&self` methods only call into the core.
unsafe impl Sync for Device {}

impl Device {
    /// Requests the channel that `dev` names `con_id` (`pwm_get()`): device
    /// tree `pwms`/`pwm-names`, ACPI, software nodes, then lookup tables.
    ///
    /// Fails with `EPROBE_DEFER` while the provider is not registered yet and
    /// `EBUSY` if someone else holds the channel.
    ///
    /// The core keeps `con_id` (or, without one, a name of `dev`) as the
    /// channel's label without copying it, hence `'static`; the handle holds a
    /// reference to `dev`.
    pub fn get(dev: &device::Device, con_id: Option<&'static CStr>) -> Result<Self> {
        let con_id = con_id.map_or(ptr::null(), CStr::as_char_ptr);
        // SAFETY: `dev` is a live device and `con_id` NULL or a NUL-terminated string that
        // lives forever.
        let pwm = from_err_ptr(unsafe { bindings::pwm_get(dev.as_raw(), con_id) })?;
        let pwm = NonNull::new(pwm).ok_or(ENODEV)?;
        // INVARIANT: `pwm` comes from `pwm_get()` and is owned by the new handle, which keeps
        // `dev`, and so any label taken from it, alive.
        Ok(Self {
            pwm,
            _consumer: dev.into(),
        })
    }

    /// Like [`Device::get`], but the channel is also put back when `dev`'s
    /// driver unbinds, the devres way: after that the returned handle gives
    /// access to nothing.
    pub fn get_devm(
        dev: &device::Device<Bound>,
        con_id: Option<&'static CStr>,
    ) -> Result<Devres<Self>> {
        Devres::new(dev, Self::get(dev, con_id)?)
    }

    fn as_raw(&self) -> *mut bindings::pwm_device {
        self.pwm.as_ptr()
    }

    /// The channel's index within its chip.
    pub fn hwpwm(&self) -> u32 {
        // SAFETY: By the type invariant the channel is held; `hwpwm` never changes.
        unsafe { (*self.as_raw()).hwpwm }
    }

    /// Whether the channel's chip is atomic, so [`Device::apply_atomic`] works.
    pub fn is_atomic(&self) -> bool {
        // SAFETY: The held channel pins its chip's allocation; `atomic` is fixed before
        // registration.
        unsafe { (*(*self.as_raw()).chip).atomic }
    }

    /// The state last applied through this handle, or the one read from the
    /// hardware when the channel was requested (`pwm_get_state()`).
    ///
    /// Never sleeps and works after the chip is gone (it then returns the
    /// last state).
    pub fn state(&self) -> Result<State> {
        // SAFETY: By the type invariant the channel is held; `state` is written only by
        // applies through this handle, and read here as the C helper does, once.
        let state = unsafe { ptr::read_volatile(&raw const (*self.as_raw()).state) };
        State::try_from(state)
    }

    /// Reads the state the hardware runs (`pwm_get_state_hw()`).
    pub fn state_hw(&self) -> Result<State> {
        let mut state = bindings::pwm_state::default();
        // SAFETY: By the type invariant the channel is held; `state` is valid for writes.
        to_result(unsafe { bindings::pwm_get_state_hw(self.as_raw(), &mut state) })?;
        State::try_from(state)
    }

    /// Applies `state` and waits until the hardware runs it, if the driver can
    /// (`pwm_apply_might_sleep()`). Sleeps.
    pub fn apply(&self, state: &State) -> Result {
        let state = bindings::pwm_state::from(*state);
        // SAFETY: By the type invariant the channel is held; `state` is valid for reads.
        to_result(unsafe { bindings::pwm_apply_might_sleep(self.as_raw(), &state) })
    }

    /// Applies `state` without sleeping (`pwm_apply_atomic()`): legal in
    /// atomic context, in interrupt handlers and softirqs, and, for chips
    /// whose ops run under a raw spinlock ([`RawAtomic`](super::RawAtomic),
    /// `pwmchip_set_raw_atomic()`), in hard hrtimers too.
    ///
    /// Fails with `EOPNOTSUPP` if the chip is not atomic (its driver sleeps).
    pub fn apply_atomic(&self, state: &State) -> Result {
        if !self.is_atomic() {
            return Err(EOPNOTSUPP);
        }
        let state = bindings::pwm_state::from(*state);
        // SAFETY: By the type invariant the channel is held, and its chip is atomic; `state`
        // is valid for reads.
        to_result(unsafe { bindings::pwm_apply_atomic(self.as_raw(), &state) })
    }

    /// Rounds `wf` to what the hardware would produce, without applying it
    /// (`pwm_round_waveform_might_sleep()`).
    pub fn round_waveform(&self, wf: &Waveform) -> Result<Rounded> {
        let mut raw = bindings::pwm_waveform::from(*wf);
        // SAFETY: By the type invariant the channel is held; `raw` is valid for both.
        let ret = unsafe { bindings::pwm_round_waveform_might_sleep(self.as_raw(), &mut raw) };
        to_result(ret)?;
        Ok(Rounded {
            waveform: raw.into(),
            rounded_up: ret == 1,
        })
    }

    /// Programs `wf`, rounded as [`Device::round_waveform`] would
    /// (`pwm_set_waveform_might_sleep()`); with `exact`, fails with `EDOM`
    /// unless the hardware can do `wf` exactly.
    pub fn set_waveform(&self, wf: &Waveform, exact: bool) -> Result {
        let raw = bindings::pwm_waveform::from(*wf);
        // SAFETY: By the type invariant the channel is held; `raw` is valid for reads.
        let ret = unsafe { bindings::pwm_set_waveform_might_sleep(self.as_raw(), &raw, exact) };
        // A positive return only reports rounding up, which `set` accepts.
        to_result(ret.min(0))
    }

    /// Reads the waveform the hardware runs (`pwm_get_waveform_might_sleep()`).
    pub fn waveform(&self) -> Result<Waveform> {
        let mut raw = bindings::pwm_waveform::default();
        // SAFETY: By the type invariant the channel is held; `raw` is valid for writes.
        to_result(unsafe { bindings::pwm_get_waveform_might_sleep(self.as_raw(), &mut raw) })?;
        Ok(raw.into())
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this is the one put of a channel from `pwm_get()`.
        unsafe { bindings::pwm_put(self.as_raw()) };
    }
}
