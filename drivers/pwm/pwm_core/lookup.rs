// SPDX-License-Identifier: GPL-2.0

//! Finding a consumer's PWM: its firmware node first (device tree, ACPI,
//! software node), then the board lookup tables.
//!
//! A provider that is not registered yet makes the lookup fail with
//! `-EPROBE_DEFER`; a lookup table entry may name a module to load first.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use kernel::{
    bindings,
    error::to_result,
    ffi::{
        c_char,
        c_void, //
    },
    prelude::*,
    sync::aref::ARef, //
};

use crate::{
    chip::Chip,
    registry,
    request,
    xlate, //
};

fn optional_cstr<'a>(ptr: *const c_char) -> Option<&'a CStr> {
    // SAFETY: Callers pass NULL or a NUL-terminated string that outlives `'a`.
    (!ptr.is_null()).then(|| unsafe { CStr::from_char_ptr(ptr) })
}

/// The registered chip whose parent device is named `name`.
fn chip_by_name(name: *const c_char) -> Option<ARef<Chip>> {
    if name.is_null() {
        return None;
    }
    registry::find(|chip| {
        let parent = chip.parent();
        // SAFETY: A registered chip's parent is a live device; `name` is NUL-terminated.
        !parent.is_null() && unsafe { bindings::device_match_name(parent, name.cast()) } != 0
    })
}

/// Loads `module`, as a lookup entry asks, to bring its provider up.
#[cfg(CONFIG_MODULES)]
fn load_module(module: *const c_char) -> bool {
    // SAFETY: `module` is a NUL-terminated string; the format takes one string.
    unsafe { bindings::__request_module(true, c"%s".as_char_ptr(), module) == 0 }
}

#[cfg(not(CONFIG_MODULES))]
fn load_module(_module: *const c_char) -> bool {
    false
}

/// Looks `dev`'s PWM up in the board lookup tables.
///
/// # Safety
///
/// As for [`get`].
unsafe fn get_from_tables(
    dev: *mut bindings::device,
    dev_id: *const c_char,
    con_id: *const c_char,
) -> Result<*mut bindings::pwm_device> {
    let entry =
        registry::choose_lookup(optional_cstr(dev_id), optional_cstr(con_id)).ok_or(ENODEV)?;
    let chip = match chip_by_name(entry.provider) {
        Some(chip) => chip,
        None if !entry.module.is_null() && load_module(entry.module) => {
            chip_by_name(entry.provider).ok_or(EPROBE_DEFER)?
        }
        None => return Err(EPROBE_DEFER),
    };
    let label = if con_id.is_null() { dev_id } else { con_id };
    let pwm = request::request(&chip, entry.index, label)?;
    // SAFETY: `dev` is NULL or live; `pwm` was just requested for it.
    unsafe { xlate::link_consumer(dev, pwm) }?;
    pwm.set_args(u64::from(entry.period), entry.polarity);
    Ok(pwm.as_raw())
}

/// Looks a consumer's PWM up through `fwnode`, if it describes one;
/// `None` when `fwnode` is not of a kind that does.
///
/// # Safety
///
/// As for [`get`]; `fwnode` is live.
unsafe fn get_from_fwnode(
    dev: *mut bindings::device,
    fwnode: *mut bindings::fwnode_handle,
    con_id: *const c_char,
    label: *const c_char,
) -> Option<Result<*mut bindings::pwm_device>> {
    // Without `CONFIG_OF` no fwnode is an OF node.
    #[cfg(CONFIG_OF)]
    // SAFETY: `fwnode` is live.
    if unsafe { bindings::is_of_node(fwnode) } {
        // SAFETY: An OF fwnode is the `fwnode` member of a `struct device_node`.
        let np = unsafe { kernel::container_of!(fwnode, bindings::device_node, fwnode) };
        // SAFETY: The caller's guarantees carry over.
        return Some(unsafe { xlate::of_get(dev, np, con_id) });
    }
    #[cfg(CONFIG_ACPI)]
    // SAFETY: `fwnode` is live.
    if unsafe { bindings::is_acpi_device_node(fwnode) || bindings::is_acpi_data_node(fwnode) } {
        // SAFETY: `fwnode` is a live ACPI node.
        return Some(unsafe { xlate::acpi_get(fwnode) });
    }
    // SAFETY: `fwnode` is live.
    if unsafe { bindings::is_software_node(fwnode) }
        // SAFETY: As above.
        && unsafe { bindings::fwnode_property_present(fwnode, c"pwms".as_char_ptr()) }
    {
        // SAFETY: The caller's guarantees carry over.
        return Some(unsafe { xlate::swnode_get(dev, fwnode, con_id, label) });
    }
    None
}

/// `pwm_get()`.
///
/// # Safety
///
/// `dev` is NULL or a live device; `con_id` is NULL or a NUL-terminated
/// string that lives as long as the channel is requested.
pub(crate) unsafe fn get(
    dev: *mut bindings::device,
    con_id: *const c_char,
) -> Result<*mut bindings::pwm_device> {
    let (fwnode, dev_id) = if dev.is_null() {
        (core::ptr::null_mut(), core::ptr::null())
    } else {
        // SAFETY: `dev` is live.
        unsafe { (bindings::__dev_fwnode(dev), bindings::dev_name(dev)) }
    };
    if !fwnode.is_null() {
        let label = if con_id.is_null() { dev_id } else { con_id };
        // SAFETY: The caller's guarantees carry over; `fwnode` is `dev`'s.
        match unsafe { get_from_fwnode(dev, fwnode, con_id, label) } {
            // Device tree consumers are described there or nowhere.
            // SAFETY: `fwnode` is live.
            Some(result) if unsafe { bindings::is_of_node(fwnode) } => return result,
            // ACPI and software nodes without `pwms` fall back to the tables.
            Some(Err(e)) if e == ENOENT => {}
            Some(result) => return result,
            None => {}
        }
    }
    // SAFETY: The caller's guarantees carry over.
    unsafe { get_from_tables(dev, dev_id, con_id) }
}

/// Devres action of [`devm_get`] and [`devm_fwnode_get`]: releases the channel.
///
/// # Safety
///
/// `pwm` is the channel the action was registered for; devres calls this once.
unsafe extern "C" fn devm_put(pwm: *mut c_void) {
    // SAFETY: Registered by `devm_get` or `devm_fwnode_get` with a channel the device
    // requested; devres runs this once, when the device unbinds.
    unsafe { request::put(pwm.cast()) };
}

/// Releases `pwm` when `dev` unbinds.
///
/// # Safety
///
/// `dev` is a live device that requested `pwm`.
unsafe fn put_on_unbind(
    dev: *mut bindings::device,
    pwm: *mut bindings::pwm_device,
) -> Result<*mut bindings::pwm_device> {
    // SAFETY: `dev` is live; on failure the action runs at once and releases `pwm`.
    to_result(unsafe { bindings::devm_add_action_or_reset(dev, Some(devm_put), pwm.cast()) })?;
    Ok(pwm)
}

/// `devm_pwm_get()`.
///
/// # Safety
///
/// As for [`get`], with `dev` not NULL.
pub(crate) unsafe fn devm_get(
    dev: *mut bindings::device,
    con_id: *const c_char,
) -> Result<*mut bindings::pwm_device> {
    // SAFETY: The caller's guarantees carry over.
    let pwm = unsafe { get(dev, con_id) }?;
    // SAFETY: `dev` requested `pwm`.
    unsafe { put_on_unbind(dev, pwm) }
}

/// `devm_fwnode_pwm_get()`.
///
/// # Safety
///
/// As for [`get`], with `dev` not NULL and `fwnode` NULL or live.
pub(crate) unsafe fn devm_fwnode_get(
    dev: *mut bindings::device,
    fwnode: *mut bindings::fwnode_handle,
    con_id: *const c_char,
) -> Result<*mut bindings::pwm_device> {
    if fwnode.is_null() {
        return Err(ENODEV);
    }
    // SAFETY: The caller's guarantees carry over.
    let pwm = unsafe { get_from_fwnode(dev, fwnode, con_id, con_id) }.ok_or(ENODEV)??;
    // SAFETY: `dev` requested `pwm`.
    unsafe { put_on_unbind(dev, pwm) }
}
