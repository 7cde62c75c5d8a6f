// SPDX-License-Identifier: GPL-2.0

//! A GPIO chip for each waveform PWM chip (`CONFIG_PWM_PROVIDE_GPIO`).
//!
//! A PWM that can run 0% and 100% duty cycles is an output-only GPIO line:
//! requesting a line requests its channel (labelled "pwm-gpio"), setting
//! the line runs the shortest period the hardware has, fully on or fully
//! off, as an exact waveform. Only chips with waveform ops get one, since
//! only they can tell whether a flat line is implemented exactly.
//!
//! The GPIO chip goes first at removal: once `gpiochip_remove` returns,
//! gpiolib calls none of its ops again, and the core releases the channels
//! that GPIO consumers still hold (gpiolib will not call `free` for them),
//! so their references to the chip and its module do not leak.
//!
//! C header: [`include/linux/gpio/driver.h`](srctree/include/linux/gpio/driver.h)

use kernel::{
    bindings,
    error::to_result,
    ffi::{
        c_char,
        c_int,
        c_uint, //
    },
    prelude::*, //
};

use crate::{
    chip::Chip,
    request,
    waveform, //
};

/// The label of channels requested as GPIO lines; compared by address to
/// find them at removal.
static LABEL: &CStr = c"pwm-gpio";

fn label() -> *const c_char {
    LABEL.as_char_ptr()
}

/// The PWM chip of a GPIO chip the core added.
///
/// # Safety
///
/// `gc` is the `gpio` field of a registered PWM chip, called by gpiolib
/// before `gpiochip_remove` returned.
unsafe fn chip_of<'a>(gc: *mut bindings::gpio_chip) -> &'a Chip {
    // SAFETY: The core added `gc` with its PWM chip as data; gpiolib calls ops only while the
    // GPIO chip is registered, during which the PWM chip's driver holds a reference.
    unsafe { Chip::from_raw(bindings::gpiochip_get_data(gc).cast()) }
}

/// `request` of the GPIO chip: requests the channel.
///
/// # Safety
///
/// Called by gpiolib with a GPIO chip added by [`add`] and a line below `ngpio`.
unsafe extern "C" fn gpio_request(gc: *mut bindings::gpio_chip, offset: c_uint) -> c_int {
    // SAFETY: Called by gpiolib on a registered GPIO chip of ours.
    let chip = unsafe { chip_of(gc) };
    match request::request(chip, offset, label()) {
        Ok(_) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `free` of the GPIO chip: releases the channel.
///
/// # Safety
///
/// Called by gpiolib with a GPIO chip added by [`add`] and a line it requested.
unsafe extern "C" fn gpio_free(gc: *mut bindings::gpio_chip, offset: c_uint) {
    // SAFETY: Called by gpiolib on a registered GPIO chip of ours.
    let chip = unsafe { chip_of(gc) };
    if let Some(pwm) = chip.pwm(offset) {
        // SAFETY: gpiolib calls `free` once per successful `request`, which requested it.
        unsafe { request::put(pwm.as_raw()) };
    }
}

/// `get_direction` of the GPIO chip: PWM lines only drive.
///
/// # Safety
///
/// Called by gpiolib with a GPIO chip added by [`add`]; nothing is dereferenced.
unsafe extern "C" fn gpio_get_direction(_gc: *mut bindings::gpio_chip, _offset: c_uint) -> c_int {
    bindings::GPIO_LINE_DIRECTION_OUT as c_int
}

/// `set` of the GPIO chip: the shortest period, fully on or fully off.
///
/// # Safety
///
/// Called by gpiolib with a GPIO chip added by [`add`] and a line it requested.
unsafe extern "C" fn gpio_set(gc: *mut bindings::gpio_chip, offset: c_uint, value: c_int) -> c_int {
    // SAFETY: Called by gpiolib on a registered GPIO chip of ours.
    let chip = unsafe { chip_of(gc) };
    let Some(pwm) = chip.pwm(offset) else {
        return EINVAL.to_errno();
    };
    let mut wf = bindings::pwm_waveform {
        period_length_ns: 1,
        ..Default::default()
    };
    if let Err(e) = waveform::round(pwm, &mut wf) {
        return e.to_errno();
    }
    wf.duty_length_ns = if value != 0 { wf.period_length_ns } else { 0 };
    waveform::set(pwm, &wf, true)
}

/// Adds the GPIO chip of `chip` if it has waveform ops. Called last in
/// registration, so the lines work as soon as gpiolib publishes them.
pub(crate) fn add(chip: &Chip) -> Result {
    if !chip.supports_waveform() {
        return Ok(());
    }
    let parent = chip.parent();
    let ngpio = u16::try_from(chip.npwm()).map_err(|_| EINVAL)?;
    // SAFETY: The chip is being registered; nobody else touches its `gpio` field.
    let gc = unsafe { &mut (*chip.as_raw()).gpio };
    *gc = bindings::gpio_chip {
        // SAFETY: A registered chip has a parent, named before it was added.
        label: unsafe { bindings::dev_name(parent) },
        parent,
        request: Some(gpio_request),
        free: Some(gpio_free),
        get_direction: Some(gpio_get_direction),
        set: Some(gpio_set),
        base: -1,
        ngpio,
        can_sleep: true,
        ..Default::default()
    };
    // SAFETY: `gc` is filled in and lives as long as the chip, which its driver keeps
    // registered until `remove` took the GPIO chip out again.
    to_result(unsafe {
        bindings::gpiochip_add_data_with_key(
            gc,
            chip.as_raw().cast(),
            kernel::static_lock_class!().as_ptr(),
            kernel::static_lock_class!().as_ptr(),
        )
    })
}

/// Removes the GPIO chip [`add`] added, then releases the channels GPIO
/// consumers still hold.
pub(crate) fn remove(chip: &Chip) {
    if !chip.supports_waveform() {
        return;
    }
    // SAFETY: `add` added the GPIO chip: the chip was registered and has waveform ops.
    unsafe { bindings::gpiochip_remove(&mut (*chip.as_raw()).gpio) };
    for pwm in chip.pwms() {
        if pwm.is_requested() && pwm.label() == label() {
            // SAFETY: gpiolib requested the channel and, its chip removed, never frees it:
            // this is that free.
            unsafe { request::put(pwm.as_raw()) };
        }
    }
}
