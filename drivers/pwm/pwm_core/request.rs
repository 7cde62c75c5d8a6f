// SPDX-License-Identifier: GPL-2.0

//! Requesting and releasing channels.
//!
//! A requested channel holds a reference to its chip's device and to the
//! module that registered the chip, so neither goes away under a consumer.
//! Request and release run under the chip's control mutex, never under a
//! global lock.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::{
    bindings,
    ffi::c_char,
    prelude::*, //
};

use crate::{
    chip::{
        Chip,
        Control,
        Pwm, //
    },
    debug, owner, state,
};

/// Requests channel `index` of `chip` for a consumer named `label`.
///
/// On success the channel is marked requested, holds references to the chip
/// and its module, and its `state` is read back from the hardware when the
/// driver can.
pub(crate) fn request(chip: &Chip, index: u32, label: *const c_char) -> Result<&Pwm> {
    let pwm = chip.pwm(index).ok_or(EINVAL)?;
    request_locked(&mut chip.lock_control(), pwm, label)?;
    Ok(pwm)
}

/// [`request`] with the chip's control mutex already held, for callers that
/// must do more under the same hold (sysfs export).
pub(crate) fn request_locked(control: &mut Control<'_>, pwm: &Pwm, label: *const c_char) -> Result {
    let chip = pwm.chip();
    if pwm.is_requested() {
        return Err(EBUSY);
    }
    let ops = control.live()?;

    let owner = chip.owner();
    // SAFETY: `owner` is the module that registered the chip (or NULL for built-in code).
    unsafe { owner::get(owner) }?;
    // SAFETY: The chip's device is alive.
    unsafe { bindings::get_device(chip.dev()) };

    if let Err(e) = ops.request(pwm) {
        // SAFETY: Dropping the references just taken.
        unsafe {
            bindings::put_device(chip.dev());
            owner::put(owner);
        }
        return Err(e);
    }

    ops.with_ops(|ops| {
        if ops.has_read_waveform() || ops.has_get_state() {
            // Drivers unaware of `usage_power` leave it zero.
            let mut hw = bindings::pwm_state::default();
            if state::state_hw_locked(ops, pwm, &mut hw) == 0 {
                pwm.set_state(&hw);
            }
            if debug::ENABLED {
                pwm.set_last(&pwm.state());
            }
        }
    });

    pwm.set_requested();
    pwm.set_label(label);
    Ok(())
}

/// Releases a channel requested by [`request`].
///
/// After the chip was removed, only the references are dropped: the driver's
/// `free` already ran during removal.
///
/// # Safety
///
/// `pwm` is a channel the caller requested with [`request`] and does not use
/// afterwards.
pub(crate) unsafe fn put(pwm: *mut bindings::pwm_device) {
    // The references go last, outside this scope: the chip may be freed with them.
    let (dev, owner) = {
        // SAFETY: The caller's request holds a reference to the chip.
        let pwm = unsafe { Pwm::from_raw(pwm) };
        let chip = pwm.chip();
        let mut control = chip.lock_control();
        if control.is_operational() {
            if !pwm.take_requested() {
                crate::log::warning!("PWM device already freed\n");
                return;
            }
            if let Ok(ops) = control.live() {
                ops.free(pwm);
            }
        }
        pwm.set_label(core::ptr::null());
        (chip.dev(), chip.owner())
    };
    // SAFETY: The consumer's references, taken by `request`.
    unsafe {
        bindings::put_device(dev);
        owner::put(owner);
    }
}
