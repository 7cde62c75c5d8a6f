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
//! A chip still registered when its parent's driver unbinds (or its parent
//! is deleted) is removed then, by a devres action registration adds: an
//! unbound driver's ops must not be called, and its module may be unloaded
//! next. Upstream's pwm-gpio, for one, registers with plain `pwmchip_add()`
//! and never removes its chip.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::ptr::{
    self,
    NonNull, //
};
use kernel::{
    bindings,
    ffi::c_void,
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
    // Held until the chip is published: a removal racing the registration (its
    // parent going) waits for it, and then finds the chip registered.
    let mut registered = chip.lock_registration();
    if *registered {
        return Err(EBUSY);
    }
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
    if let Err(e) = add_unbind_guard(chip) {
        #[cfg(CONFIG_PWM_PROVIDE_GPIO)]
        gpio::remove(chip);
        unwind(chip, id, true);
        return Err(e);
    }
    *registered = true;
    registry::publish(ARef::from(chip));
    Ok(())
}

/// Devres action on a registered chip's parent: removes the chip if it is
/// still registered when the parent's resources are released (its driver
/// unbinds, or it is deleted), then drops the action's chip reference.
///
/// # Safety
///
/// `chip` is the reference [`add_unbind_guard`] gave the action; devres calls
/// this once.
unsafe extern "C" fn remove_at_unbind(chip: *mut c_void) {
    let Some(chip) = NonNull::new(chip.cast::<Chip>()) else {
        return;
    };
    // SAFETY: The action owns this reference, as the caller guarantees.
    let chip = unsafe { ARef::from_raw(chip) };
    let parent = chip.parent();
    if remove_registered(&chip) {
        // SAFETY: Devres runs the action while `parent` is alive.
        let parent: &kernel::device::Device = unsafe { kernel::device::Device::from_raw(parent) };
        dev_warn!(
            parent,
            "pwmchip{} removed at unbind: its driver did not\n",
            chip.id()
        );
    }
}

/// Adds [`remove_at_unbind`] to the chip's parent, with a chip reference.
fn add_unbind_guard(chip: &Chip) -> Result {
    let data = ARef::into_raw(ARef::from(chip));
    // SAFETY: The parent is alive while its child chip is being registered; on
    // failure the action is not added and the reference comes back below.
    let ret = unsafe {
        bindings::__devm_add_action(
            chip.parent(),
            Some(remove_at_unbind),
            data.as_ptr().cast(),
            c"pwm_remove_at_unbind".as_char_ptr(),
        )
    };
    if ret != 0 {
        // SAFETY: The action was not added: the reference is still ours.
        drop(unsafe { ARef::from_raw(data) });
        return Err(Error::from_errno(ret));
    }
    Ok(())
}

/// Takes [`remove_at_unbind`] off the chip's parent before the chip's device
/// goes (the parent is alive until then), dropping its reference. Inside the
/// parent's devres release the action is already off the list and runs
/// later, finding the chip removed.
fn drop_unbind_guard(chip: &Chip) {
    let data: *mut Chip = ptr::from_ref(chip).cast_mut();
    // SAFETY: The parent is alive while the chip's device is added.
    let ret = unsafe {
        bindings::devm_remove_action_nowarn(chip.parent(), Some(remove_at_unbind), data.cast())
    };
    if ret == 0 {
        // SAFETY: The action was taken off: its reference is ours now. `data` is not
        // null: it comes from a reference.
        drop(unsafe { ARef::from_raw(NonNull::new_unchecked(data)) });
    }
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

/// Removes a registered chip; does nothing for a chip removed already (at
/// its parent's unbind, say) or never registered.
pub(crate) fn remove(chip: &Chip) {
    remove_registered(chip);
}

/// Removes the chip if it is registered; whether it was. A removal racing
/// this one returns once the chip is removed.
fn remove_registered(chip: &Chip) -> bool {
    let mut registered = chip.lock_registration();
    if !core::mem::replace(&mut *registered, false) {
        return false;
    }
    // GPIO consumers first: the GPIO chip's ops use the whole PWM API.
    #[cfg(CONFIG_PWM_PROVIDE_GPIO)]
    gpio::remove(chip);
    // Lookups stop finding the chip first; the reference is dropped last.
    let held = registry::withdraw(chip);
    chip.lock_control().revoke();
    // No export can start once the chip is revoked: remove the ones there are.
    sysfs::unexport_all(chip);
    xlate::chip_removed(chip);
    drop_unbind_guard(chip);
    // Open files of the character device keep working, with `-ENODEV`.
    cdev::del(chip);
    if held.is_some() {
        registry::release_id(chip.id());
    }
    drop(registered);
    // Not the last reference: the caller holds one.
    drop(held);
    true
}
