// SPDX-License-Identifier: GPL-2.0

//! The C API of `<linux/pwm.h>`: thin `#[export]` entry points.
//!
//! Each checks its pointers, converts between C conventions (errno returns,
//! `ERR_PTR`) and `Result`, and calls the module that implements it.
//! `#[export]` checks every signature against the C declaration;
//! `exports.c` exports them to modules in the `PWM` namespace.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::ptr;
use kernel::{
    bindings::{
        self,
        device,
        fwnode_handle,
        module,
        of_phandle_args,
        pwm_chip,
        pwm_device,
        pwm_lookup,
        pwm_state,
        pwm_waveform, //
    },
    ffi::{
        c_char,
        c_int,
        c_uint,
        c_void, //
    },
    prelude::*,
};

use crate::{
    chip::{
        self,
        Chip,
        Pwm, //
    },
    lookup, register, registry, request, state, waveform, xlate,
};

/// `ERR_PTR(e)`.
fn err_ptr<T>(e: Error) -> *mut T {
    ptr::without_provenance_mut(e.to_errno() as isize as usize)
}

fn to_ptr<T>(result: Result<*mut T>) -> *mut T {
    result.unwrap_or_else(err_ptr)
}

fn to_errno(result: Result) -> c_int {
    match result {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Borrows the channel behind a consumer's handle.
///
/// # Safety
///
/// `pwm` is NULL or a channel the caller requested.
unsafe fn consumer_pwm<'a>(pwm: *mut pwm_device) -> Result<&'a Pwm> {
    if pwm.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: A requested channel holds a reference to its chip.
    Ok(unsafe { Pwm::from_raw(pwm) })
}

/// Rounds `wf` to what the hardware can do; returns 0, 1 if a value had to
/// be rounded up, or a negative errno.
///
/// # Safety
///
/// `pwm` is a requested channel; `wf` is valid for reads and writes.
#[export]
pub unsafe extern "C" fn pwm_round_waveform_might_sleep(
    pwm: *mut pwm_device,
    wf: *mut pwm_waveform,
) -> c_int {
    // SAFETY: As the caller guarantees.
    let pwm = match unsafe { consumer_pwm(pwm) } {
        Ok(pwm) if !wf.is_null() => pwm,
        Ok(_) => return EINVAL.to_errno(),
        Err(e) => return e.to_errno(),
    };
    // SAFETY: `wf` is valid, per the caller.
    match waveform::round(pwm, unsafe { &mut *wf }) {
        Ok(ret) => ret,
        Err(e) => e.to_errno(),
    }
}

/// Reads the waveform the hardware produces.
///
/// # Safety
///
/// `pwm` is a requested channel; `wf` is valid for writes.
#[export]
pub unsafe extern "C" fn pwm_get_waveform_might_sleep(
    pwm: *mut pwm_device,
    wf: *mut pwm_waveform,
) -> c_int {
    // SAFETY: As the caller guarantees.
    match unsafe { consumer_pwm(pwm) } {
        // SAFETY: `wf` is valid, per the caller.
        Ok(pwm) if !wf.is_null() => waveform::get(pwm, unsafe { &mut *wf }),
        Ok(_) => EINVAL.to_errno(),
        Err(e) => e.to_errno(),
    }
}

/// Sets a waveform; with `exact`, `-EDOM` if the hardware cannot match it.
///
/// # Safety
///
/// `pwm` is a requested channel; `wf` is valid for reads.
#[export]
pub unsafe extern "C" fn pwm_set_waveform_might_sleep(
    pwm: *mut pwm_device,
    wf: *const pwm_waveform,
    exact: bool,
) -> c_int {
    // SAFETY: As the caller guarantees.
    match unsafe { consumer_pwm(pwm) } {
        Ok(pwm) if !wf.is_null() => {
            pwm.chip().might_sleep();
            // SAFETY: `wf` is valid, per the caller.
            waveform::set(pwm, unsafe { &*wf }, exact)
        }
        Ok(_) => EINVAL.to_errno(),
        Err(e) => e.to_errno(),
    }
}

/// Applies a state; may sleep.
///
/// # Safety
///
/// `pwm` is a requested channel; `state` is valid for reads.
#[export]
pub unsafe extern "C" fn pwm_apply_might_sleep(
    pwm: *mut pwm_device,
    state: *const pwm_state,
) -> c_int {
    // SAFETY: As the caller guarantees.
    to_errno(unsafe { consumer_pwm(pwm) }.and_then(|pwm| {
        // SAFETY: `state` is NULL or valid, per the caller.
        let state = unsafe { state.as_ref() }.ok_or(EINVAL)?;
        state::apply_might_sleep(pwm, state)
    }))
}

/// Applies a state without sleeping; for chips registered as atomic.
///
/// # Safety
///
/// `pwm` is a requested channel; `state` is valid for reads.
#[export]
pub unsafe extern "C" fn pwm_apply_atomic(pwm: *mut pwm_device, state: *const pwm_state) -> c_int {
    // SAFETY: As the caller guarantees.
    to_errno(unsafe { consumer_pwm(pwm) }.and_then(|pwm| {
        // SAFETY: `state` is NULL or valid, per the caller.
        let state = unsafe { state.as_ref() }.ok_or(EINVAL)?;
        state::apply_atomic(pwm, state)
    }))
}

/// Reads the state the hardware has.
///
/// # Safety
///
/// `pwm` is a requested channel; `state` is valid for writes.
#[export]
pub unsafe extern "C" fn pwm_get_state_hw(pwm: *mut pwm_device, state: *mut pwm_state) -> c_int {
    // SAFETY: As the caller guarantees.
    match unsafe { consumer_pwm(pwm) } {
        // SAFETY: `state` is valid, per the caller.
        Ok(pwm) if !state.is_null() => state::get_state_hw(pwm, unsafe { &mut *state }),
        Ok(_) => EINVAL.to_errno(),
        Err(e) => e.to_errno(),
    }
}

/// Adjusts the current state to the period and polarity in the channel's arguments.
///
/// # Safety
///
/// `pwm` is a requested channel.
#[export]
pub unsafe extern "C" fn pwm_adjust_config(pwm: *mut pwm_device) -> c_int {
    // SAFETY: As the caller guarantees.
    to_errno(unsafe { consumer_pwm(pwm) }.and_then(state::adjust_config))
}

/// Device tree translation: cells are channel, optional period, optional flags.
///
/// # Safety
///
/// `chip` is a registered chip; `args` is valid for reads.
#[export]
pub unsafe extern "C" fn of_pwm_xlate_with_flags(
    chip: *mut pwm_chip,
    args: *const of_phandle_args,
) -> *mut pwm_device {
    if chip.is_null() || args.is_null() {
        return err_ptr(EINVAL);
    }
    // SAFETY: The caller's chip is registered (from `pwmchip_alloc`) and `args` valid.
    to_ptr(xlate::xlate_with_flags(
        unsafe { Chip::from_raw(chip) },
        unsafe { &*args },
    ))
}

/// Device tree translation for single-channel chips.
///
/// # Safety
///
/// As for [`of_pwm_xlate_with_flags`].
#[export]
pub unsafe extern "C" fn of_pwm_single_xlate(
    chip: *mut pwm_chip,
    args: *const of_phandle_args,
) -> *mut pwm_device {
    if chip.is_null() || args.is_null() {
        return err_ptr(EINVAL);
    }
    // SAFETY: As for `of_pwm_xlate_with_flags`.
    to_ptr(xlate::single_xlate(
        unsafe { Chip::from_raw(chip) },
        unsafe { &*args },
    ))
}

/// Drops the reference `pwmchip_alloc` returned.
///
/// # Safety
///
/// The caller owns a reference to `chip`.
#[export]
pub unsafe extern "C" fn pwmchip_put(chip: *mut pwm_chip) {
    if !chip.is_null() {
        // SAFETY: The caller owns a reference to the chip's device.
        unsafe { bindings::put_device(&raw mut (*chip).dev) };
    }
}

/// The release of a chip's device: frees the chip's allocation.
///
/// # Safety
///
/// Called by the driver core when the last reference to a chip from
/// `pwmchip_alloc` is gone.
#[export]
pub unsafe extern "C" fn pwmchip_release(dev: *mut device) {
    // SAFETY: As the caller guarantees.
    unsafe { chip::release(dev) };
}

/// Allocates a chip with `npwm` channels and `sizeof_priv` bytes of driver data.
///
/// # Safety
///
/// `parent` is NULL or a live device that outlives the chip's registration.
#[export]
pub unsafe extern "C" fn pwmchip_alloc(
    parent: *mut device,
    npwm: c_uint,
    sizeof_priv: usize,
) -> *mut pwm_chip {
    to_ptr(chip::alloc(parent, npwm, sizeof_priv).map(|c| c.as_ptr()))
}

/// Devres action of [`devm_pwmchip_alloc`]: drops the chip's reference.
///
/// # Safety
///
/// `chip` is the chip `devm_pwmchip_alloc` registered the action for; devres
/// calls this once.
unsafe extern "C" fn devm_chip_put(chip: *mut c_void) {
    // SAFETY: Registered by `devm_pwmchip_alloc` with the reference it owns.
    unsafe { pwmchip_put(chip.cast()) };
}

/// [`pwmchip_alloc`], with the reference dropped when `parent` unbinds.
///
/// # Safety
///
/// `parent` is a live, bound device.
#[export]
pub unsafe extern "C" fn devm_pwmchip_alloc(
    parent: *mut device,
    npwm: c_uint,
    sizeof_priv: usize,
) -> *mut pwm_chip {
    if parent.is_null() {
        return err_ptr(EINVAL);
    }
    let chip = match chip::alloc(parent, npwm, sizeof_priv) {
        Ok(chip) => chip.as_ptr(),
        Err(e) => return err_ptr(e),
    };
    // SAFETY: `parent` is live; on failure the action runs at once and drops the reference.
    let ret =
        unsafe { bindings::devm_add_action_or_reset(parent, Some(devm_chip_put), chip.cast()) };
    if ret != 0 {
        return err_ptr(Error::from_errno(ret));
    }
    chip
}

/// Registers a chip for `owner`.
///
/// # Safety
///
/// `chip` is NULL or a chip the caller holds a reference on.
#[export]
pub unsafe extern "C" fn __pwmchip_add(chip: *mut pwm_chip, owner: *mut module) -> c_int {
    // SAFETY: As the caller guarantees.
    to_errno(unsafe { register::add(chip, owner) })
}

/// Marks a chip from `pwmchip_alloc` atomic with ops that take only raw
/// spinlocks: from registration on, its ops run under a raw spinlock, so
/// consumers may call `pwm_apply_atomic()` from hard hrtimers and
/// `IRQF_NO_THREAD` handlers.
///
/// # Safety
///
/// `chip` is NULL or a chip from `pwmchip_alloc`, not registered yet, on
/// which the caller holds a reference.
#[export]
pub unsafe extern "C" fn pwmchip_set_raw_atomic(chip: *mut pwm_chip) {
    // SAFETY: `chip` is NULL or valid, as the caller guarantees.
    if chip.is_null() || !unsafe { (*chip).uses_pwmchip_alloc } {
        return;
    }
    // SAFETY: The chip comes from `pwmchip_alloc` and is not registered yet, so its driver
    // is the only one to write `atomic`.
    unsafe { (*chip).atomic = true };
    // SAFETY: As above; the caller holds a reference.
    unsafe { Chip::from_raw(chip) }.set_wants_raw();
}

/// Removes a registered chip: no driver op is called after this returns.
///
/// # Safety
///
/// `chip` was registered by the caller, who holds a reference on it.
#[export]
pub unsafe extern "C" fn pwmchip_remove(chip: *mut pwm_chip) {
    if chip.is_null() {
        return;
    }
    // SAFETY: A registered chip comes from `pwmchip_alloc`; the caller holds a reference.
    register::remove(unsafe { Chip::from_raw(chip) });
}

/// Devres action of [`__devm_pwmchip_add`]: removes the chip and drops the
/// action's reference.
///
/// # Safety
///
/// `chip` is the chip `__devm_pwmchip_add` registered the action for, with a
/// reference the action owns; devres calls this once.
unsafe extern "C" fn devm_chip_remove(chip: *mut c_void) {
    let chip = chip.cast::<pwm_chip>();
    // SAFETY: Registered by `__devm_pwmchip_add` for a chip it added; the action's
    // reference keeps it alive until the `put_device`, which gives that reference up.
    unsafe {
        pwmchip_remove(chip);
        bindings::put_device(&raw mut (*chip).dev);
    }
}

/// [`__pwmchip_add`], with the chip removed when `dev` unbinds.
///
/// # Safety
///
/// `dev` is a live, bound device; `chip` as for [`__pwmchip_add`], alive
/// until `dev` unbinds.
#[export]
pub unsafe extern "C" fn __devm_pwmchip_add(
    dev: *mut device,
    chip: *mut pwm_chip,
    owner: *mut module,
) -> c_int {
    if dev.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: As the caller guarantees.
    let ret = unsafe { __pwmchip_add(chip, owner) };
    if ret != 0 {
        return ret;
    }
    // The action holds a reference: `dev` need not be the chip's parent, which
    // may go first and take the chip's other references with it.
    // SAFETY: The chip was just registered, so it is alive.
    unsafe { bindings::get_device(&raw mut (*chip).dev) };
    // SAFETY: `dev` is live; on failure the action runs at once, removes the chip and
    // drops the reference.
    unsafe { bindings::devm_add_action_or_reset(dev, Some(devm_chip_remove), chip.cast()) }
}

/// Looks up and requests the PWM of `dev` named `con_id`.
///
/// # Safety
///
/// `dev` is NULL or live; `con_id` is NULL or a string that outlives the request.
#[export]
pub unsafe extern "C" fn pwm_get(dev: *mut device, con_id: *const c_char) -> *mut pwm_device {
    // SAFETY: As the caller guarantees.
    to_ptr(unsafe { lookup::get(dev, con_id) })
}

/// Releases a channel; NULL is ignored.
///
/// # Safety
///
/// `pwm` is NULL or a channel the caller requested and stops using.
#[export]
pub unsafe extern "C" fn pwm_put(pwm: *mut pwm_device) {
    if !pwm.is_null() {
        // SAFETY: As the caller guarantees.
        unsafe { request::put(pwm) };
    }
}

/// [`pwm_get`], with the channel released when `dev` unbinds.
///
/// # Safety
///
/// `dev` is live and bound; `con_id` as for [`pwm_get`].
#[export]
pub unsafe extern "C" fn devm_pwm_get(dev: *mut device, con_id: *const c_char) -> *mut pwm_device {
    if dev.is_null() {
        return err_ptr(EINVAL);
    }
    // SAFETY: As the caller guarantees.
    to_ptr(unsafe { lookup::devm_get(dev, con_id) })
}

/// Looks up a PWM through `fwnode`, released when `dev` unbinds.
///
/// # Safety
///
/// `dev` is live and bound; `fwnode` is NULL or live; `con_id` as for [`pwm_get`].
#[export]
pub unsafe extern "C" fn devm_fwnode_pwm_get(
    dev: *mut device,
    fwnode: *mut fwnode_handle,
    con_id: *const c_char,
) -> *mut pwm_device {
    if dev.is_null() {
        return err_ptr(EINVAL);
    }
    // SAFETY: As the caller guarantees.
    to_ptr(unsafe { lookup::devm_fwnode_get(dev, fwnode, con_id) })
}

/// Adds `num` board lookup entries.
///
/// # Safety
///
/// `table` points to `num` entries that stay valid and in place until
/// [`pwm_remove_table`].
#[export]
pub unsafe extern "C" fn pwm_add_table(table: *mut pwm_lookup, num: usize) {
    if !table.is_null() {
        // SAFETY: As the caller guarantees.
        unsafe { registry::add_lookups(table, num) };
    }
}

/// Removes `num` board lookup entries added by [`pwm_add_table`].
///
/// # Safety
///
/// `table` and `num` are as passed to [`pwm_add_table`].
#[export]
pub unsafe extern "C" fn pwm_remove_table(table: *mut pwm_lookup, num: usize) {
    if !table.is_null() {
        // SAFETY: As the caller guarantees.
        unsafe { registry::remove_lookups(table, num) };
    }
}
