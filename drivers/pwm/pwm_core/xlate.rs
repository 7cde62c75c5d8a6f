// SPDX-License-Identifier: GPL-2.0

//! Firmware descriptions of PWM consumers: device tree, ACPI and software
//! nodes.
//!
//! A consumer's `pwms` property references a provider node and gives cells:
//! the channel, then optionally the period in ns and flags
//! (`PWM_POLARITY_INVERTED`). In the device tree, `pwm-names` names the
//! entries and `pwm-map` nexus nodes are followed. Software nodes (not in
//! upstream) use the same layout; their provider node carries `#pwm-cells`.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::ptr;
use kernel::{
    bindings,
    error::to_result,
    ffi::c_char,
    prelude::*,
    sync::aref::ARef, //
};

use crate::{
    chip::{
        Chip,
        Pwm, //
    },
    registry, request,
};

/// `PWM_POLARITY_INVERTED` of `<dt-bindings/pwm/pwm.h>`: the flag cell's
/// inverted-polarity bit.
const POLARITY_INVERTED: u32 = 1 << 0;

fn polarity_of(flags: u32) -> bindings::pwm_polarity {
    if flags & POLARITY_INVERTED != 0 {
        bindings::pwm_polarity_PWM_POLARITY_INVERSED
    } else {
        bindings::pwm_polarity_PWM_POLARITY_NORMAL
    }
}

/// `of_node_get()`; without `CONFIG_OF_DYNAMIC` nodes are never freed and
/// it is an inline that does nothing.
///
/// # Safety
///
/// `np` is NULL or a live node.
unsafe fn node_get(np: *mut bindings::device_node) {
    #[cfg(CONFIG_OF_DYNAMIC)]
    // SAFETY: The caller guarantees `np` is NULL or live.
    unsafe {
        bindings::of_node_get(np)
    };
    #[cfg(not(CONFIG_OF_DYNAMIC))]
    let _ = np;
}

/// `of_node_put()`, as [`node_get`].
///
/// # Safety
///
/// `np` is NULL or a node the caller holds a reference to, which it gives up.
unsafe fn node_put(np: *mut bindings::device_node) {
    #[cfg(CONFIG_OF_DYNAMIC)]
    // SAFETY: The caller guarantees `np` is NULL or holds a reference it gives up.
    unsafe {
        bindings::of_node_put(np)
    };
    #[cfg(not(CONFIG_OF_DYNAMIC))]
    let _ = np;
}

/// Gives a registering chip a device tree translation and pins its parent's node.
pub(crate) fn chip_added(chip: &Chip) {
    // SAFETY: The parent is a live device (checked by registration).
    let np = unsafe { (*chip.parent()).of_node };
    if np.is_null() {
        return;
    }
    // SAFETY: The chip is registering and not visible to anyone else yet; `np` is the node
    // of its live parent.
    unsafe {
        let xlate = &raw mut (*chip.as_raw()).of_xlate;
        if (*xlate).is_none() {
            *xlate = Some(bindings::of_pwm_xlate_with_flags);
        }
        node_get(np);
    }
}

/// Drops the node reference of [`chip_added`].
pub(crate) fn chip_removed(chip: &Chip) {
    // SAFETY: The parent is a live device: the chip holds a reference to it while added.
    let np = unsafe { (*chip.parent()).of_node };
    if !np.is_null() {
        // SAFETY: `chip_added` took this reference.
        unsafe { node_put(np) };
    }
}

/// The registered chip whose parent is described by `fwnode`; `EPROBE_DEFER`
/// when none is (yet).
fn chip_for_fwnode(fwnode: *mut bindings::fwnode_handle) -> Result<ARef<Chip>> {
    registry::find(|chip| {
        let parent = chip.parent();
        // SAFETY: A registered chip's parent is a live device.
        !parent.is_null() && unsafe { bindings::device_match_fwnode(parent, fwnode.cast()) } != 0
    })
    .ok_or(EPROBE_DEFER)
}

/// Requests a channel of `chip` through the driver's `of_xlate`, with the
/// driver's module pinned so it cannot unload during the call.
#[cfg(CONFIG_OF)]
fn of_xlate<'a>(chip: &'a Chip, args: &bindings::of_phandle_args) -> Result<&'a Pwm> {
    // SAFETY: The chip is registered; `of_xlate` is set at registration and never changes.
    let xlate = unsafe { (*chip.as_raw()).of_xlate }.ok_or(EINVAL)?;
    let owner = chip.owner();
    // SAFETY: `owner` registered the chip, which the caller holds.
    unsafe { crate::owner::get(owner) }?;
    // SAFETY: The chip is alive (the caller holds a reference) and its module is pinned;
    // `args` is valid for the call.
    let pwm = unsafe { xlate(chip.as_raw(), args) };
    // SAFETY: Dropping the pin taken above.
    unsafe { crate::owner::put(owner) };
    let pwm = kernel::error::from_err_ptr(pwm)?;
    if pwm.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: A successful `of_xlate` returns a channel of `chip` that it requested.
    Ok(unsafe { Pwm::from_raw(pwm) })
}

/// Links the consumer's device to the provider's, so that PM orders them;
/// drops the channel when that fails.
///
/// # Safety
///
/// `dev` is NULL or a live device; `pwm` was just requested for it.
pub(crate) unsafe fn link_consumer(dev: *mut bindings::device, pwm: &Pwm) -> Result {
    let parent = pwm.chip().parent();
    if dev.is_null() {
        // SAFETY: A registered chip's parent is a live device.
        let parent: &kernel::device::Device = unsafe { kernel::device::Device::from_raw(parent) };
        dev_warn!(parent, "No consumer device specified to create a link to\n");
        return Ok(());
    }
    // `DL_FLAG_AUTOREMOVE_CONSUMER` (`BIT(1)`, which bindgen cannot evaluate).
    const DL_FLAG_AUTOREMOVE_CONSUMER: u32 = 1 << 1;
    // SAFETY: Both devices are alive.
    let link = unsafe { bindings::device_link_add(dev, parent, DL_FLAG_AUTOREMOVE_CONSUMER) };
    if link.is_null() {
        // SAFETY: `dev` is a live device; `parent` as above.
        let (consumer, parent): (&kernel::device::Device, &kernel::device::Device) = unsafe {
            (
                kernel::device::Device::from_raw(dev),
                kernel::device::Device::from_raw(parent),
            )
        };
        dev_err!(
            consumer,
            "failed to create device link to {}\n",
            parent.name()
        );
        // SAFETY: The channel was requested for this consumer, which gives it up.
        unsafe { request::put(pwm.as_raw()) };
        return Err(EINVAL);
    }
    Ok(())
}

/// Looks up a consumer's channel in the device tree.
///
/// # Safety
///
/// `dev` is NULL or a live device, `np` a live node, `con_id` NULL or a
/// NUL-terminated string that outlives the request.
#[cfg(CONFIG_OF)]
pub(crate) unsafe fn of_get(
    dev: *mut bindings::device,
    np: *mut bindings::device_node,
    con_id: *const c_char,
) -> Result<*mut bindings::pwm_device> {
    let mut index = 0;
    if !con_id.is_null() {
        // SAFETY: `np` and `con_id` are valid.
        index =
            unsafe { bindings::of_property_match_string(np, c"pwm-names".as_char_ptr(), con_id) };
        if index < 0 {
            return Err(Error::from_errno(index));
        }
    }

    let mut args = bindings::of_phandle_args::default();
    // SAFETY: `np` is valid and `args` is valid for writes.
    let err = unsafe {
        bindings::of_parse_phandle_with_args_map(
            np,
            c"pwms".as_char_ptr(),
            c"pwm".as_char_ptr(),
            index,
            &mut args,
        )
    };
    if err != 0 {
        crate::log::err!("of_pwm_get(): can't parse \"pwms\" property\n");
        return Err(Error::from_errno(err));
    }

    let result = (|| {
        // SAFETY: `args.np` is a node reference taken by the parse above.
        let fwnode = unsafe { &raw mut (*args.np).fwnode };
        let chip = chip_for_fwnode(fwnode).inspect_err(|e| {
            if *e != EPROBE_DEFER {
                crate::log::err!("of_pwm_get(): PWM chip not found\n");
            }
        })?;
        let pwm = of_xlate(&chip, &args)?;
        // SAFETY: `dev` is NULL or live; `pwm` was just requested.
        unsafe { link_consumer(dev, pwm) }?;

        let mut label = con_id;
        if label.is_null() {
            // SAFETY: `np` is valid; `label` is valid for writes.
            let found = unsafe {
                bindings::of_property_read_string_helper(
                    np,
                    c"pwm-names".as_char_ptr(),
                    &mut label,
                    1,
                    index,
                )
            };
            if found < 0 {
                // SAFETY: `np` is valid; its name lives as long as the node.
                label = unsafe { (*np).name };
            }
        }
        // Under the control mutex, as every label change: debugfs reads it there.
        let control = pwm.chip().lock_control();
        pwm.set_label(label);
        drop(control);
        Ok(pwm.as_raw())
    })();
    // SAFETY: Dropping the reference the parse took.
    unsafe { node_put(args.np) };
    result
}

/// Looks up a consumer's channel in its ACPI `pwms` property; `ENOENT` when it has none.
///
/// # Safety
///
/// `fwnode` is a live ACPI node.
#[cfg(CONFIG_ACPI)]
pub(crate) unsafe fn acpi_get(
    fwnode: *const bindings::fwnode_handle,
) -> Result<*mut bindings::pwm_device> {
    let mut args = bindings::fwnode_reference_args::default();
    // SAFETY: `fwnode` is valid and `args` is valid for writes.
    let ret = unsafe {
        bindings::__acpi_node_get_property_reference(fwnode, c"pwms".as_char_ptr(), 0, 3, &mut args)
    };
    to_result(ret)?;
    if args.nargs < 2 {
        return Err(EPROTO);
    }
    let chip = chip_for_fwnode(args.fwnode)?;
    let pwm = request::request(&chip, args.args[0] as u32, ptr::null())?;
    pwm.set_args(
        args.args[1],
        polarity_of(if args.nargs > 2 {
            args.args[2] as u32
        } else {
            0
        }),
    );
    Ok(pwm.as_raw())
}

/// Looks up a consumer's channel in its software node's `pwms` references;
/// `ENOENT` when it has none.
///
/// # Safety
///
/// As for [`of_get`], with `fwnode` a live software node.
pub(crate) unsafe fn swnode_get(
    dev: *mut bindings::device,
    fwnode: *const bindings::fwnode_handle,
    con_id: *const c_char,
    label: *const c_char,
) -> Result<*mut bindings::pwm_device> {
    let mut index = 0;
    if !con_id.is_null() {
        // SAFETY: `fwnode` and `con_id` are valid.
        index = unsafe {
            bindings::fwnode_property_match_string(fwnode, c"pwm-names".as_char_ptr(), con_id)
        };
        if index < 0 {
            return Err(Error::from_errno(index));
        }
    }
    let mut args = bindings::fwnode_reference_args::default();
    // SAFETY: `fwnode` is valid and `args` is valid for writes.
    let ret = unsafe {
        bindings::fwnode_property_get_reference_args(
            fwnode,
            c"pwms".as_char_ptr(),
            c"#pwm-cells".as_char_ptr(),
            0,
            index as u32,
            &mut args,
        )
    };
    to_result(ret)?;

    let result = (|| {
        if args.nargs < 1 {
            return Err(EINVAL);
        }
        let chip = chip_for_fwnode(args.fwnode)?;
        let pwm = request::request(&chip, args.args[0] as u32, label)?;
        let period = if args.nargs > 1 { args.args[1] } else { 0 };
        let flags = if args.nargs > 2 {
            args.args[2] as u32
        } else {
            0
        };
        pwm.set_args(period, polarity_of(flags));
        // SAFETY: `dev` is NULL or live; `pwm` was just requested.
        unsafe { link_consumer(dev, pwm) }?;
        Ok(pwm.as_raw())
    })();
    // SAFETY: Dropping the reference the lookup took.
    unsafe { bindings::fwnode_handle_put(args.fwnode) };
    result
}

/// `of_pwm_xlate_with_flags()`: cells are channel, optional period, optional flags.
pub(crate) fn xlate_with_flags(
    chip: &Chip,
    args: &bindings::of_phandle_args,
) -> Result<*mut bindings::pwm_device> {
    if args.args_count < 1 {
        return Err(EINVAL);
    }
    let pwm = request::request(chip, args.args[0], ptr::null())?;
    let period = if args.args_count > 1 {
        u64::from(args.args[1])
    } else {
        pwm.args().period
    };
    let flags = if args.args_count > 2 { args.args[2] } else { 0 };
    pwm.set_args(period, polarity_of(flags));
    Ok(pwm.as_raw())
}

/// `of_pwm_single_xlate()`: for chips with one channel; cells are optional
/// period and optional flags (three cells are read as with flags).
pub(crate) fn single_xlate(
    chip: &Chip,
    args: &bindings::of_phandle_args,
) -> Result<*mut bindings::pwm_device> {
    if args.args_count >= 3 {
        return xlate_with_flags(chip, args);
    }
    let pwm = request::request(chip, 0, ptr::null())?;
    let period = if args.args_count > 0 {
        u64::from(args.args[0])
    } else {
        pwm.args().period
    };
    let flags = if args.args_count > 1 { args.args[1] } else { 0 };
    pwm.set_args(period, polarity_of(flags));
    Ok(pwm.as_raw())
}
