// SPDX-License-Identifier: GPL-2.0

//! Registering and removing chips.
//!
//! Registration validates the chip, reserves an id, adds the chip's device
//! (and its GPIO chip, with `CONFIG_PWM_PROVIDE_GPIO`) and only then
//! publishes the chip, unwinding every step on failure. Removal takes the
//! GPIO chip out, withdraws the chip from lookups, revokes it under its
//! control mutex (after which no driver op is called), frees channels
//! consumers still hold, unexports its sysfs channels and deletes the
//! device; consumers keep their references until `pwm_put`.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::{
    bindings,
    prelude::*,
    sync::aref::ARef, //
};

use crate::{
    cdev,
    chip::{
        self,
        Chip, //
    },
    registry, sysfs, xlate,
};

#[cfg(CONFIG_PWM_PROVIDE_GPIO)]
use crate::gpio;

/// Registers `chip` for `owner`.
///
/// # Safety
///
/// `chip` is NULL or points to a `struct pwm_chip` the caller holds a
/// reference on (if it claims `uses_pwmchip_alloc`, one from `pwmchip_alloc`).
pub(crate) unsafe fn add(chip: *mut bindings::pwm_chip, owner: *mut bindings::module) -> Result {
    if chip.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: `chip` is valid per the caller; these fields are plain reads.
    let (parent, ops, npwm, from_alloc) = unsafe {
        (
            (*chip).dev.parent,
            (*chip).ops,
            (*chip).npwm,
            (*chip).uses_pwmchip_alloc,
        )
    };
    if parent.is_null() || ops.is_null() || npwm == 0 {
        return Err(EINVAL);
    }
    // A chip not from `pwmchip_alloc` has no `ChipCore` and may be freed under
    // its users: refuse it before treating it as one of ours.
    if !from_alloc {
        return Err(EINVAL);
    }
    // SAFETY: The chip comes from `pwmchip_alloc` and the caller holds a reference.
    let chip = unsafe { Chip::from_raw(chip) };
    if !chip::ops_valid(chip) {
        return Err(EINVAL);
    }
    chip::prepare_registration(chip, owner);

    let id = registry::reserve_id()?;
    // SAFETY: The chip is not visible to anyone else yet.
    unsafe { (*chip.as_raw()).id = id };
    // SAFETY: The device is initialised; the format takes one `unsigned int`.
    let ret = unsafe { bindings::dev_set_name(chip.dev(), c"pwmchip%u".as_char_ptr(), id) };
    if ret != 0 {
        registry::release_id(id);
        return Err(Error::from_errno(ret));
    }
    xlate::chip_added(chip);
    chip.lock_control().enable();

    // SAFETY: The chip is being registered by its bound driver, named and not added yet.
    if let Err(e) = unsafe { cdev::add(chip, owner) } {
        // `device_add` may fail after the class attributes appeared, so an export may
        // have slipped in: undo as `remove` does, exports included.
        unwind(chip, id, false);
        return Err(e);
    }
    #[cfg(CONFIG_PWM_PROVIDE_GPIO)]
    if let Err(e) = gpio::add(chip) {
        unwind(chip, id, true);
        return Err(e);
    }
    registry::publish(ARef::from(chip));
    Ok(())
}

/// Undoes a registration that failed after the chip's device may have been
/// visible: revokes the chip (no export can start after that), removes the
/// exports that slipped in, deletes the device if `added`, and only then
/// frees the id, so no new chip takes its name or device number before.
fn unwind(chip: &Chip, id: u32, added: bool) {
    chip.lock_control().revoke();
    sysfs::unexport_all(chip);
    xlate::chip_removed(chip);
    if added {
        cdev::del(chip);
    }
    registry::release_id(id);
}

/// Removes a registered chip.
pub(crate) fn remove(chip: &Chip) {
    // GPIO consumers first: the GPIO chip's ops use the whole PWM API.
    #[cfg(CONFIG_PWM_PROVIDE_GPIO)]
    gpio::remove(chip);
    // Lookups stop finding the chip first; the reference is dropped last.
    let held = registry::withdraw(chip);
    chip.lock_control().revoke();
    // No export can start once the chip is revoked: remove the ones there are.
    sysfs::unexport_all(chip);
    xlate::chip_removed(chip);
    // Open files of the character device keep working, with `-ENODEV`.
    cdev::del(chip);
    if held.is_some() {
        registry::release_id(chip.id());
    }
    drop(held);
}
