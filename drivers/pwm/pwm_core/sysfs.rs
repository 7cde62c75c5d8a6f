// SPDX-License-Identifier: GPL-2.0

//! The sysfs class interface, as in Documentation/ABI/testing/sysfs-class-pwm:
//! `npwm`, `export` and `unexport` of each `pwmchipN`, and the `pwmM`
//! directory of each exported channel with `period`, `duty_cycle`, `enable`,
//! `polarity` and `capture`; exported channels are stopped over system sleep.
//!
//! A channel's `PWMF_EXPORTED` flag changes only under its chip's control
//! mutex, and whoever clears it owns the `pwmM` device. Export checks that
//! the chip is operational under the same hold in which it requests the
//! channel and adds the device, and removal clears the chip's operational
//! flag under that mutex before it unexports every channel: an export that
//! races with removal either completes first (and is unexported) or fails
//! with `-ENODEV`, and never leaves a device behind.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::{
    fmt::{
        self,
        Write, //
    },
    ptr,
};
use kernel::{
    bindings,
    ffi::{
        c_char,
        c_int,
        c_uint,
        c_ulonglong,
        c_void, //
    },
    new_mutex,
    prelude::*,
    str::{
        as_char_ptr_in_const_context,
        CString, //
    },
    sync::Mutex,
    types::Opaque,
};

use crate::{
    chip::{
        op_result,
        Chip,
        Pwm, //
    },
    request, state,
};

/// How long the `capture` attribute waits for a measurement, in ms (one
/// second, as `jiffies_to_msecs(HZ)`).
const CAPTURE_TIMEOUT_MS: kernel::ffi::c_ulong = 1000;

/// An exported channel: its `pwmM` device and the channel it holds.
///
/// # Invariants
///
/// `pwm` is a channel requested for this export, put back only after `dev`
/// was unregistered; `dev`'s release frees the `Export`.
#[pin_data]
struct Export {
    dev: Opaque<bindings::device>,
    pwm: *mut bindings::pwm_device,
    /// Serialises the attributes' read-modify-write of the channel's state;
    /// holds the state saved at suspend.
    #[pin]
    lock: Mutex<bindings::pwm_state>,
}

impl Export {
    /// The export a `pwmM` device belongs to.
    ///
    /// # Safety
    ///
    /// `dev` is the device of a live `Export`.
    unsafe fn from_dev<'a>(dev: *mut bindings::device) -> &'a Self {
        // SAFETY: `Opaque` is transparent, so `dev` is the address of the `dev` field of an
        // `Export`, which the caller guarantees is alive.
        unsafe { &*kernel::container_of!(dev.cast::<Opaque<bindings::device>>(), Export, dev) }
    }

    fn pwm(&self) -> &Pwm {
        // SAFETY: By the type invariant the channel stays requested, holding its chip, while
        // the export's device is registered, which it is during its attributes' calls.
        unsafe { Pwm::from_raw(self.pwm) }
    }

    /// Applies `change` to the channel's state (`pwm->state`) and the result
    /// to the hardware, serialised against the other attributes.
    fn update(&self, change: impl FnOnce(&mut bindings::pwm_state)) -> Result {
        let _guard = self.lock.lock();
        let mut st = self.pwm().state();
        change(&mut st);
        state::apply_might_sleep(self.pwm(), &st)
    }
}

/// Frees an `Export` when its device's last reference goes.
///
/// # Safety
///
/// `dev` is the device of an `Export` allocated by [`export_child`].
unsafe extern "C" fn export_release(dev: *mut bindings::device) {
    // SAFETY: As the caller guarantees; the `Export` was leaked from a pinned `KBox`.
    let export = unsafe { ptr::from_ref(Export::from_dev(dev)).cast_mut() };
    // SAFETY: The last reference is gone; nobody uses the export any more.
    drop(unsafe { KBox::from_raw(export) });
}

/// Formats into a sysfs page.
struct Page {
    buf: *mut u8,
    len: usize,
}

impl Write for Page {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        if end > kernel::page::PAGE_SIZE {
            return Err(fmt::Error);
        }
        // SAFETY: sysfs passes a buffer of `PAGE_SIZE` bytes; `end` is within it.
        unsafe { ptr::copy_nonoverlapping(s.as_ptr(), self.buf.add(self.len), s.len()) };
        self.len = end;
        Ok(())
    }
}

/// `sysfs_emit()`: `args` and a newline into the page `buf`.
fn emit(buf: *mut c_char, args: fmt::Arguments<'_>) -> isize {
    let mut page = Page {
        buf: buf.cast(),
        len: 0,
    };
    match page.write_fmt(args).and_then(|()| page.write_str("\n")) {
        Ok(()) => page.len as isize,
        Err(_) => EINVAL.to_errno() as isize,
    }
}

/// The return value of a store: `size` on success.
fn stored(result: Result, size: usize) -> isize {
    match result {
        Ok(()) => size as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// The chip a `pwmchipN` device belongs to.
///
/// # Safety
///
/// `dev` is the device of a chip from `pwmchip_alloc`, alive during the call.
unsafe fn chip_of<'a>(dev: *mut bindings::device) -> &'a Chip {
    // SAFETY: As the caller guarantees; the device is embedded in the chip.
    unsafe { Chip::from_raw(kernel::container_of!(dev, bindings::pwm_chip, dev)) }
}

/// `kstrtouint(buf, 0, ..)`.
fn parse_uint(buf: *const c_char) -> Result<u32> {
    let mut v: c_uint = 0;
    // SAFETY: sysfs passes a NUL-terminated buffer.
    op_result(unsafe { bindings::kstrtouint(buf, 0, &mut v) })?;
    Ok(v)
}

/// Sends `KOBJ_CHANGE` with `<key>=pwm<hwpwm>` for the chip's device.
fn uevent(chip: &Chip, key: &str, hwpwm: u32) {
    let Ok(var) = CString::try_from_fmt(fmt!("{key}=pwm{hwpwm}")) else {
        return;
    };
    let mut envp = [var.as_char_ptr().cast_mut(), ptr::null_mut()];
    // SAFETY: The chip's device is registered; `envp` is NULL-terminated and outlives the
    // call, which copies it.
    unsafe {
        bindings::kobject_uevent_env(
            &raw mut (*chip.dev()).kobj,
            bindings::kobject_action_KOBJ_CHANGE,
            envp.as_mut_ptr(),
        )
    };
}

/// Exports channel `hwpwm` of `chip`: requests it and adds its `pwmM` device.
fn export(chip: &Chip, hwpwm: u32) -> Result {
    let pwm = chip.pwm(hwpwm).ok_or(ENODEV)?;
    {
        let mut control = chip.lock_control();
        control.live()?;
        request::request_locked(&mut control, pwm, c"sysfs".as_char_ptr())?;
        if let Err(e) = export_child(chip, pwm) {
            drop(control);
            // SAFETY: Requested just above, and used no more.
            unsafe { request::put(pwm.as_raw()) };
            return Err(e);
        }
        pwm.set_exported();
        // Still under the mutex: an unexport's UNEXPORT cannot come first.
        uevent(chip, "EXPORT", hwpwm);
    }
    Ok(())
}

/// Adds the `pwmM` device of a channel the caller requested for it.
fn export_child(chip: &Chip, pwm: &Pwm) -> Result {
    let export = KBox::pin_init(
        try_pin_init!(Export {
            dev: Opaque::zeroed(),
            pwm: pwm.as_raw(),
            lock <- new_mutex!(bindings::pwm_state::default()),
        }),
        GFP_KERNEL,
    )?;
    // SAFETY: The device is handed to the driver core, whose release frees the export; the
    // export is never moved.
    let export = unsafe { KBox::into_raw(Pin::into_inner_unchecked(export)) };
    // SAFETY: `export` is valid; its zeroed device is initialised here, once.
    let dev = unsafe { (*export).dev.get() };
    // SAFETY: `dev` is a zeroed `struct device`; from `device_initialize` on, its release
    // frees the export, so every error path below ends with `put_device`.
    unsafe {
        bindings::device_initialize(dev);
        (*dev).release = Some(export_release);
        (*dev).parent = chip.dev();
        (*dev).groups = PWM_GROUPS.as_ptr();
    }
    // SAFETY: The device is initialised; the format takes one `unsigned int`.
    let mut ret = unsafe { bindings::dev_set_name(dev, c"pwm%u".as_char_ptr(), pwm.hwpwm()) };
    if ret == 0 {
        // SAFETY: The device is initialised and named.
        ret = unsafe { bindings::device_add(dev) };
    }
    if ret != 0 {
        // SAFETY: The reference from `device_initialize`; the release frees the export.
        unsafe { bindings::put_device(dev) };
        return Err(Error::from_errno(ret));
    }
    Ok(())
}

/// Matches the `pwmM` device of the channel `data`.
///
/// # Safety
///
/// Called by `device_find_child` with a live child device.
unsafe extern "C" fn is_export_of(dev: *mut bindings::device, data: *const c_void) -> c_int {
    // SAFETY: The driver core passes a live child device.
    if unsafe { (*dev).groups } != PWM_GROUPS.as_ptr() {
        return 0;
    }
    // SAFETY: Only `Export` devices have the channel attributes.
    let export = unsafe { Export::from_dev(dev) };
    c_int::from(export.pwm.cast_const().cast::<c_void>() == data)
}

/// Removes the `pwmM` device of `pwm` and puts the channel back. The caller
/// cleared the channel's exported flag, so it owns the device.
fn unexport_child(chip: &Chip, pwm: &Pwm) {
    // SAFETY: The chip's device is alive; `is_export_of` only compares pointers.
    let dev = unsafe {
        bindings::device_find_child(
            chip.dev(),
            pwm.as_raw().cast_const().cast(),
            Some(is_export_of),
        )
    };
    if dev.is_null() {
        return;
    }
    uevent(chip, "UNEXPORT", pwm.hwpwm());
    // SAFETY: `dev` is the registered `pwmM` device, which the caller owns; the reference
    // from `device_find_child` is dropped after the unregistration.
    unsafe {
        bindings::device_unregister(dev);
        bindings::put_device(dev);
    }
    // SAFETY: The export's request, now that its device (and every attribute call) is gone.
    unsafe { request::put(pwm.as_raw()) };
}

/// Unexports every exported channel of a chip that was just revoked.
pub(crate) fn unexport_all(chip: &Chip) {
    for pwm in chip.pwms() {
        let owned = {
            let _control = chip.lock_control();
            pwm.take_exported()
        };
        if owned {
            unexport_child(chip, pwm);
        }
    }
}

/// `export`
///
/// # Safety
///
/// Called by sysfs on a device that carries this attribute, alive during the call.
unsafe extern "C" fn export_store(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *const c_char,
    size: usize,
) -> isize {
    // SAFETY: The class's attributes are only on chip devices, alive during the call.
    let chip = unsafe { chip_of(dev) };
    let result = parse_uint(buf).and_then(|hwpwm| {
        if hwpwm >= chip.npwm() {
            return Err(ENODEV);
        }
        export(chip, hwpwm)
    });
    stored(result, size)
}

/// `unexport`
///
/// # Safety
///
/// Called by sysfs on a device that carries this attribute, alive during the call.
unsafe extern "C" fn unexport_store(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *const c_char,
    size: usize,
) -> isize {
    // SAFETY: The class's attributes are only on chip devices, alive during the call.
    let chip = unsafe { chip_of(dev) };
    let result = parse_uint(buf).and_then(|hwpwm| {
        let pwm = chip.pwm(hwpwm).ok_or(ENODEV)?;
        let owned = {
            let _control = chip.lock_control();
            pwm.take_exported()
        };
        if !owned {
            return Err(ENODEV);
        }
        unexport_child(chip, pwm);
        Ok(())
    });
    stored(result, size)
}

/// `npwm`
///
/// # Safety
///
/// Called by sysfs on a device that carries this attribute, alive during the call.
unsafe extern "C" fn npwm_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: The class's attributes are only on chip devices, alive during the call.
    let chip = unsafe { chip_of(dev) };
    emit(buf, format_args!("{}", chip.npwm()))
}

/// The export of a `pwmM` attribute call.
///
/// # Safety
///
/// `dev` is a `pwmM` device during one of its attributes' calls.
unsafe fn export_of<'a>(dev: *mut bindings::device) -> &'a Export {
    // SAFETY: As the caller guarantees: only `Export` devices carry these attributes.
    unsafe { Export::from_dev(dev) }
}

macro_rules! u64_attr {
    ($show:ident, $store:ident, $field:ident) => {
        /// # Safety
        ///
        /// Called by sysfs on a `pwmM` device, alive during the call.
        unsafe extern "C" fn $show(
            dev: *mut bindings::device,
            _attr: *mut bindings::device_attribute,
            buf: *mut c_char,
        ) -> isize {
            // SAFETY: Called by sysfs on a `pwmM` device.
            let export = unsafe { export_of(dev) };
            emit(buf, format_args!("{}", export.pwm().state().$field))
        }

        /// # Safety
        ///
        /// Called by sysfs on a `pwmM` device, alive during the call.
        unsafe extern "C" fn $store(
            dev: *mut bindings::device,
            _attr: *mut bindings::device_attribute,
            buf: *const c_char,
            size: usize,
        ) -> isize {
            // SAFETY: Called by sysfs on a `pwmM` device.
            let export = unsafe { export_of(dev) };
            let mut val: c_ulonglong = 0;
            // SAFETY: sysfs passes a NUL-terminated buffer.
            let parsed = op_result(unsafe { bindings::kstrtoull(buf, 0, &mut val) });
            stored(
                parsed.and_then(|()| export.update(|st| st.$field = val)),
                size,
            )
        }
    };
}

u64_attr!(period_show, period_store, period);
u64_attr!(duty_cycle_show, duty_cycle_store, duty_cycle);

/// `enable`
///
/// # Safety
///
/// Called by sysfs on a device that carries this attribute, alive during the call.
unsafe extern "C" fn enable_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: Called by sysfs on a `pwmM` device.
    let export = unsafe { export_of(dev) };
    emit(
        buf,
        format_args!("{}", u8::from(export.pwm().state().enabled)),
    )
}

///
/// # Safety
///
/// Called by sysfs on a device that carries this attribute, alive during the call.
unsafe extern "C" fn enable_store(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *const c_char,
    size: usize,
) -> isize {
    // SAFETY: Called by sysfs on a `pwmM` device.
    let export = unsafe { export_of(dev) };
    let mut val: c_int = 0;
    // SAFETY: sysfs passes a NUL-terminated buffer.
    let result = op_result(unsafe { bindings::kstrtoint(buf, 0, &mut val) }).and_then(|()| {
        let enabled = match val {
            0 => false,
            1 => true,
            _ => return Err(EINVAL),
        };
        export.update(|st| st.enabled = enabled)
    });
    stored(result, size)
}

/// `polarity`
///
/// # Safety
///
/// Called by sysfs on a device that carries this attribute, alive during the call.
unsafe extern "C" fn polarity_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: Called by sysfs on a `pwmM` device.
    let export = unsafe { export_of(dev) };
    let name = match export.pwm().state().polarity {
        bindings::pwm_polarity_PWM_POLARITY_NORMAL => "normal",
        bindings::pwm_polarity_PWM_POLARITY_INVERSED => "inversed",
        _ => "unknown",
    };
    emit(buf, format_args!("{name}"))
}

///
/// # Safety
///
/// Called by sysfs on a device that carries this attribute, alive during the call.
unsafe extern "C" fn polarity_store(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *const c_char,
    size: usize,
) -> isize {
    // SAFETY: Called by sysfs on a `pwmM` device.
    let export = unsafe { export_of(dev) };
    // SAFETY: sysfs passes a NUL-terminated buffer; the names are C strings.
    let is = |name: &CStr| unsafe { bindings::sysfs_streq(buf, name.as_char_ptr()) };
    let polarity = if is(c"normal") {
        bindings::pwm_polarity_PWM_POLARITY_NORMAL
    } else if is(c"inversed") {
        bindings::pwm_polarity_PWM_POLARITY_INVERSED
    } else {
        return EINVAL.to_errno() as isize;
    };
    stored(export.update(|st| st.polarity = polarity), size)
}

/// `capture`
///
/// # Safety
///
/// Called by sysfs on a device that carries this attribute, alive during the call.
unsafe extern "C" fn capture_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: Called by sysfs on a `pwmM` device.
    let export = unsafe { export_of(dev) };
    let mut result = bindings::pwm_capture::default();
    match state::capture(export.pwm(), &mut result, CAPTURE_TIMEOUT_MS) {
        Ok(()) => emit(buf, format_args!("{} {}", result.period, result.duty_cycle)),
        Err(e) => e.to_errno() as isize,
    }
}

type Show = unsafe extern "C" fn(
    *mut bindings::device,
    *mut bindings::device_attribute,
    *mut c_char,
) -> isize;
type Store = unsafe extern "C" fn(
    *mut bindings::device,
    *mut bindings::device_attribute,
    *const c_char,
    usize,
) -> isize;

/// A `struct device_attribute` in static memory.
#[repr(transparent)]
struct Attr(Opaque<bindings::device_attribute>);

// SAFETY: sysfs only reads the attribute after it is built at compile time.
unsafe impl Sync for Attr {}

impl Attr {
    const fn new(name: &'static CStr, mode: u16, show: Option<Show>, store: Option<Store>) -> Self {
        Self(Opaque::new(bindings::device_attribute {
            attr: bindings::attribute {
                name: as_char_ptr_in_const_context(name),
                mode,
                // SAFETY: All-zero is valid for the remaining (lockdep) fields of a static
                // attribute.
                ..unsafe { core::mem::zeroed() }
            },
            __bindgen_anon_1: bindings::device_attribute__bindgen_ty_1 { show },
            __bindgen_anon_2: bindings::device_attribute__bindgen_ty_2 { store },
        }))
    }

    const fn attr(&self) -> *mut bindings::attribute {
        // `attr` is the first member of `struct device_attribute`.
        self.0.get().cast()
    }
}

/// A NULL-terminated array of pointers in static memory.
#[repr(transparent)]
pub(crate) struct Table<T, const N: usize>([*mut T; N]);

// SAFETY: The arrays are built at compile time and only read.
unsafe impl<T, const N: usize> Sync for Table<T, N> {}

/// A `struct attribute_group` in static memory.
#[repr(transparent)]
struct Group(Opaque<bindings::attribute_group>);

// SAFETY: Built at compile time and only read.
unsafe impl Sync for Group {}

impl Group {
    const fn new<const N: usize>(attrs: &'static Table<bindings::attribute, N>) -> Self {
        Self(Opaque::new(bindings::attribute_group {
            __bindgen_anon_2: bindings::attribute_group__bindgen_ty_2 {
                attrs: attrs.0.as_ptr().cast_mut(),
            },
            // SAFETY: All-zero is valid for the other members: no name, no callbacks.
            ..unsafe { core::mem::zeroed() }
        }))
    }
}

const RO: u16 = 0o444;
const WO: u16 = 0o200;
const RW: u16 = 0o644;

static EXPORT_ATTR: Attr = Attr::new(c"export", WO, None, Some(export_store));
static UNEXPORT_ATTR: Attr = Attr::new(c"unexport", WO, None, Some(unexport_store));
static NPWM_ATTR: Attr = Attr::new(c"npwm", RO, Some(npwm_show), None);
static CHIP_ATTRS: Table<bindings::attribute, 4> = Table([
    EXPORT_ATTR.attr(),
    UNEXPORT_ATTR.attr(),
    NPWM_ATTR.attr(),
    ptr::null_mut(),
]);
static CHIP_GROUP: Group = Group::new(&CHIP_ATTRS);
/// The attribute groups of every chip's device (the class's `dev_groups`).
pub(crate) static CHIP_GROUPS: Table<bindings::attribute_group, 2> =
    Table([CHIP_GROUP.0.get(), ptr::null_mut()]);

static PERIOD_ATTR: Attr = Attr::new(c"period", RW, Some(period_show), Some(period_store));
static DUTY_CYCLE_ATTR: Attr = Attr::new(
    c"duty_cycle",
    RW,
    Some(duty_cycle_show),
    Some(duty_cycle_store),
);
static ENABLE_ATTR: Attr = Attr::new(c"enable", RW, Some(enable_show), Some(enable_store));
static POLARITY_ATTR: Attr = Attr::new(c"polarity", RW, Some(polarity_show), Some(polarity_store));
static CAPTURE_ATTR: Attr = Attr::new(c"capture", RO, Some(capture_show), None);
static PWM_ATTRS: Table<bindings::attribute, 6> = Table([
    PERIOD_ATTR.attr(),
    DUTY_CYCLE_ATTR.attr(),
    ENABLE_ATTR.attr(),
    POLARITY_ATTR.attr(),
    CAPTURE_ATTR.attr(),
    ptr::null_mut(),
]);
static PWM_GROUP: Group = Group::new(&PWM_ATTRS);
static PWM_GROUPS: Table<bindings::attribute_group, 2> =
    Table([PWM_GROUP.0.get(), ptr::null_mut()]);

impl<T, const N: usize> Table<T, N> {
    /// The array, as the `const struct X **` C wants.
    pub(crate) const fn as_ptr(&self) -> *mut *const T {
        self.0.as_ptr().cast_mut().cast()
    }
}

#[cfg(CONFIG_PM_SLEEP)]
/// The exported channels of a chip, each with a reference to its `pwmM`
/// device, collected under the control mutex.
fn exports_of(chip: &Chip) -> Result<KVec<(*mut bindings::device, &Export)>> {
    let mut out = KVec::new();
    let mut ret = Ok(());
    let _control = chip.lock_control();
    for pwm in chip.pwms().filter(|p| p.is_exported()) {
        // SAFETY: The chip's device is alive; `is_export_of` only compares pointers.
        let dev = unsafe {
            bindings::device_find_child(
                chip.dev(),
                pwm.as_raw().cast_const().cast(),
                Some(is_export_of),
            )
        };
        if dev.is_null() {
            continue;
        }
        // SAFETY: A `pwmM` device, which the reference just taken keeps alive.
        let export = unsafe { Export::from_dev(dev) };
        if out.push((dev, export), GFP_KERNEL).is_err() {
            // SAFETY: The reference just taken.
            unsafe { bindings::put_device(dev) };
            ret = Err(ENOMEM);
        }
    }
    match ret {
        Ok(()) => Ok(out),
        Err(e) => {
            put_all(out);
            Err(e)
        }
    }
}

#[cfg(CONFIG_PM_SLEEP)]
fn put_all(exports: KVec<(*mut bindings::device, &Export)>) {
    for (dev, _) in exports {
        // SAFETY: The reference `exports_of` took.
        unsafe { bindings::put_device(dev) };
    }
}

#[cfg(CONFIG_PM_SLEEP)]
/// Restarts the given exports that ran at suspend; tries every one and
/// returns the first error.
fn resume_exports(exports: &[(*mut bindings::device, &Export)]) -> Result {
    let mut ret = Ok(());
    for (_, export) in exports {
        let saved = export.lock.lock();
        if !saved.enabled {
            continue;
        }
        let mut st = export.pwm().state();
        st.enabled = true;
        if let Err(e) = state::apply_might_sleep(export.pwm(), &st) {
            ret = ret.and(Err(e));
        }
    }
    ret
}

#[cfg(CONFIG_PM_SLEEP)]
/// Stops every exported channel that runs, remembering its state.
///
/// # Safety
///
/// Called by the PM core with a chip's device.
unsafe extern "C" fn pwm_class_suspend(dev: *mut bindings::device) -> c_int {
    // SAFETY: The class's PM ops are only called for chip devices.
    let chip = unsafe { chip_of(dev) };
    // Without the whole list, suspend fails rather than skip a channel.
    let exports = match exports_of(chip) {
        Ok(exports) => exports,
        Err(e) => return e.to_errno(),
    };
    let mut ret = Ok(());
    for (i, (_, export)) in exports.iter().enumerate() {
        let mut saved = export.lock.lock();
        let mut st = export.pwm().state();
        *saved = st;
        if !st.enabled {
            continue;
        }
        st.enabled = false;
        if let Err(e) = state::apply_might_sleep(export.pwm(), &st) {
            drop(saved);
            // Roll back the channels this suspend stopped.
            let _ = resume_exports(&exports[..i]);
            ret = Err(e);
            break;
        }
    }
    put_all(exports);
    match ret {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

#[cfg(CONFIG_PM_SLEEP)]
/// Restarts the exported channels that ran before suspend.
///
/// # Safety
///
/// Called by the PM core with a chip's device.
unsafe extern "C" fn pwm_class_resume(dev: *mut bindings::device) -> c_int {
    // SAFETY: The class's PM ops are only called for chip devices.
    let chip = unsafe { chip_of(dev) };
    let exports = match exports_of(chip) {
        Ok(exports) => exports,
        Err(e) => return e.to_errno(),
    };
    let ret = resume_exports(&exports);
    put_all(exports);
    match ret {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

#[cfg(CONFIG_PM_SLEEP)]
/// The class's PM ops (`DEFINE_SIMPLE_DEV_PM_OPS`).
#[repr(transparent)]
pub(crate) struct PmOps(Opaque<bindings::dev_pm_ops>);

#[cfg(CONFIG_PM_SLEEP)]
// SAFETY: Built at compile time and only read.
unsafe impl Sync for PmOps {}

#[cfg(CONFIG_PM_SLEEP)]
impl PmOps {
    pub(crate) const fn as_ptr(&self) -> *const bindings::dev_pm_ops {
        self.0.get()
    }
}

#[cfg(CONFIG_PM_SLEEP)]
pub(crate) static PM_OPS: PmOps = PmOps(Opaque::new(bindings::dev_pm_ops {
    suspend: Some(pwm_class_suspend),
    resume: Some(pwm_class_resume),
    freeze: Some(pwm_class_suspend),
    thaw: Some(pwm_class_resume),
    poweroff: Some(pwm_class_suspend),
    restore: Some(pwm_class_resume),
    // SAFETY: All-zero is valid for the other callbacks: none.
    ..unsafe { core::mem::zeroed() }
}));
