// SPDX-License-Identifier: GPL-2.0

//! Device attributes in sysfs: static, const-built `struct
//! device_attribute`s and attribute groups whose `show` and `store` are safe
//! functions on the type that owns the device.
//!
//! An attribute is declared once, with its name and a type implementing
//! [`AttributeOperations`]; its mode follows from the operations it has (as
//! `DEVICE_ATTR_RO`, `_WO` and `_RW`: `0444`, `0200`, `0644`). Attributes are
//! collected in an [`AttributeList`], which an [`AttributeGroup`] names, and
//! groups in a NULL-terminated [`Groups`] array for `struct device`'s
//! `groups` or `struct class`'s `dev_groups`. The only `unsafe` a user
//! writes is the [`DeviceOwner`] implementation that maps a device back to
//! its owner, and none for a [`ChildDevice`], which owns its device and
//! implements it itself. [`change_uevent`] tells userspace that something
//! under a device changed.
//!
//! # Examples
//!
//! ```
//! use core::sync::atomic::{AtomicU32, Ordering};
//! use kernel::sysfs::{
//!     Attribute, AttributeGroup, AttributeList, AttributeOperations, DeviceOwner, Groups, Input,
//!     Page,
//! };
//! use kernel::prelude::*;
//!
//! struct Counter {
//!     dev: kernel::types::Opaque<kernel::bindings::device>,
//!     value: AtomicU32,
//! }
//!
//! // SAFETY: The driver core serialises what it changes in the device; `value` is atomic.
//! unsafe impl Sync for Counter {}
//!
//! // SAFETY: Only the devices embedded in a `Counter` get `GROUPS`, and sysfs calls their
//! // attributes while the device, and so the `Counter`, is alive.
//! unsafe impl DeviceOwner for Counter {
//!     unsafe fn from_device<'a>(dev: *mut kernel::bindings::device) -> &'a Self {
//!         let dev = dev.cast::<kernel::types::Opaque<kernel::bindings::device>>();
//!         // SAFETY: As the caller guarantees, `dev` is the `dev` field of a live `Counter`.
//!         unsafe { &*kernel::container_of!(dev, Counter, dev) }
//!     }
//! }
//!
//! struct Value;
//!
//! #[vtable]
//! impl AttributeOperations for Value {
//!     type Data = Counter;
//!
//!     fn show(c: &Counter, page: &mut Page<'_>) -> Result {
//!         page.emit(format_args!("{}\n", c.value.load(Ordering::Relaxed)))
//!     }
//!
//!     fn store(c: &Counter, input: &Input<'_>) -> Result {
//!         c.value.store(input.parse_u32()?, Ordering::Relaxed);
//!         Ok(())
//!     }
//! }
//!
//! static VALUE: Attribute<Counter> = Attribute::new::<Value>(c"value");
//! static ATTRS: AttributeList<Counter, 1> = AttributeList::new([&VALUE]);
//! static GROUP: AttributeGroup<Counter> = AttributeGroup::new(&ATTRS);
//! static GROUPS: Groups<Counter, 1> = Groups::new([&GROUP]);
//!
//! assert_eq!(VALUE.mode(), 0o644);
//! assert!(!GROUPS.as_raw().is_null());
//! ```
//!
//! C header: [`include/linux/device.h`](srctree/include/linux/device.h)

use crate::{
    bindings,
    error::{
        to_result,
        VTABLE_DEFAULT_ERROR, //
    },
    ffi::{
        c_char,
        c_int,
        c_uint,
        c_ulonglong, //
    },
    page::PAGE_SIZE,
    prelude::*,
    str::as_char_ptr_in_const_context,
    types::Opaque,
};
use core::{
    fmt,
    marker::PhantomData,
    ptr, //
};

mod child;
pub use child::ChildDevice;

/// Sends a `KOBJ_CHANGE` uevent for `dev` with the environment variable
/// `var` (`KEY=value`) added to the usual ones.
pub fn change_uevent(dev: &crate::device::Device, var: &CStr) -> Result {
    let mut envp = [var.as_char_ptr().cast_mut(), ptr::null_mut()];
    // SAFETY: `dev` is a live device; `envp` is NULL-terminated and outlives the call, which
    // copies the variables it sends and writes none.
    to_result(unsafe {
        bindings::kobject_uevent_env(
            &raw mut (*dev.as_raw()).kobj,
            bindings::kobject_action_KOBJ_CHANGE,
            envp.as_mut_ptr(),
        )
    })
}

/// A type that embeds a `struct device` and is found back from it, so that
/// attribute callbacks get the owner instead of the device.
///
/// # Safety
///
/// Every device that carries an [`AttributeGroup`] of `Self` (through the
/// `groups` of the device or the `dev_groups` of its class) is embedded in a
/// `Self` that stays alive while the device is registered, and
/// [`DeviceOwner::from_device`] returns that `Self`.
pub unsafe trait DeviceOwner: Sync {
    /// The owner of `dev`.
    ///
    /// # Safety
    ///
    /// `dev` is a registered device that carries an attribute group of
    /// `Self`, and stays registered for `'a`.
    unsafe fn from_device<'a>(dev: *mut bindings::device) -> &'a Self;
}

/// The page a `show` writes into, as `sysfs_emit()` does: at most
/// `PAGE_SIZE - 1` bytes (sysfs warns about a full page).
pub struct Page<'a> {
    buf: &'a mut [u8; PAGE_SIZE],
    len: usize,
}

impl<'a> Page<'a> {
    /// A page to write into from its start.
    pub fn new(buf: &'a mut [u8; PAGE_SIZE]) -> Self {
        Self { buf, len: 0 }
    }

    /// Appends `args`; fails with `EINVAL`, counting nothing of it, when the
    /// page has no room for all of it.
    pub fn emit(&mut self, args: fmt::Arguments<'_>) -> Result {
        let start = self.len;
        fmt::Write::write_fmt(self, args).map_err(|_| {
            self.len = start;
            EINVAL
        })
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// How many bytes were written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Write for Page<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        if end >= PAGE_SIZE {
            return Err(fmt::Error);
        }
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// What a `store` was given: the bytes written to the attribute, which
/// sysfs terminates with a NUL.
///
/// # Invariants
///
/// `text` points to a NUL-terminated string, valid for `'a`.
pub struct Input<'a> {
    text: *const c_char,
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    /// The input `bytes`, whose text is `text` (the bytes up to the first
    /// NUL, as C functions see them).
    #[inline]
    pub fn new(text: &'a CStr, bytes: &'a [u8]) -> Self {
        // INVARIANT: A `CStr` is NUL-terminated, and borrowed for `'a`.
        Self {
            text: text.as_char_ptr(),
            bytes,
        }
    }

    /// Every byte written, NULs included.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
    }

    /// The text up to the first NUL.
    pub fn as_c_str(&self) -> &CStr {
        // SAFETY: By the type invariant `text` is NUL-terminated and valid for `'a`.
        unsafe { CStr::from_char_ptr(self.text) }
    }

    /// `kstrtouint(buf, 0, ..)`: decimal, `0x` hex or `0` octal, an
    /// optional `+` and one trailing newline; `EINVAL` or `ERANGE`.
    #[inline]
    pub fn parse_u32(&self) -> Result<u32> {
        let mut v: c_uint = 0;
        // SAFETY: By the type invariant `text` is NUL-terminated; `v` is valid for writes.
        kstrto_result(unsafe { bindings::kstrtouint(self.text, 0, &mut v) })?;
        Ok(v)
    }

    /// `kstrtoull(buf, 0, ..)`, as [`Input::parse_u32`] for 64 bits.
    #[inline]
    pub fn parse_u64(&self) -> Result<u64> {
        let mut v: c_ulonglong = 0;
        // SAFETY: By the type invariant `text` is NUL-terminated; `v` is valid for writes.
        kstrto_result(unsafe { bindings::kstrtoull(self.text, 0, &mut v) })?;
        Ok(v)
    }

    /// `kstrtoint(buf, 0, ..)`: as [`Input::parse_u32`], with a sign.
    #[inline]
    pub fn parse_i32(&self) -> Result<i32> {
        let mut v: c_int = 0;
        // SAFETY: By the type invariant `text` is NUL-terminated; `v` is valid for writes.
        kstrto_result(unsafe { bindings::kstrtoint(self.text, 0, &mut v) })?;
        Ok(v)
    }

    /// `sysfs_streq()`: whether the text is `word`, allowing one trailing
    /// newline.
    #[inline]
    pub fn is(&self, word: &CStr) -> bool {
        // SAFETY: Both strings are NUL-terminated (`text` by the type invariant).
        unsafe { bindings::sysfs_streq(self.text, word.as_char_ptr()) }
    }
}

/// A `kstrto*()` result as a [`Result`], inline: `to_result()` is a call, and
/// a `store` is a hot path.
#[inline]
fn kstrto_result(ret: c_int) -> Result {
    if ret != 0 {
        return Err(Error::from_errno(ret));
    }
    Ok(())
}

/// The operations of one attribute of the devices owned by `Data`.
///
/// Implement `show`, `store` or both; the attribute's mode follows.
#[vtable]
pub trait AttributeOperations {
    /// The owner of the devices that carry the attribute.
    type Data: DeviceOwner;

    /// Writes the attribute's value into `page`.
    fn show(_data: &Self::Data, _page: &mut Page<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Takes a value written to the attribute.
    fn store(_data: &Self::Data, _input: &Input<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A `struct device_attribute` in static memory, for the devices of `T`.
#[repr(transparent)]
pub struct Attribute<T>(Opaque<bindings::device_attribute>, PhantomData<T>);

// SAFETY: The attribute holds no `T` and is only read once built at compile time; its callbacks
// take `&T`, which `new` requires to be a `DeviceOwner`, so `Sync`.
unsafe impl<T> Sync for Attribute<T> {}

impl<T: DeviceOwner> Attribute<T> {
    /// The attribute `name` with the operations of `O`: readable by all if
    /// `O` has `show`, writable by the owner if it has `store`.
    pub const fn new<O: AttributeOperations<Data = T>>(name: &'static CStr) -> Self {
        assert!(
            O::HAS_SHOW || O::HAS_STORE,
            "an attribute needs show or store"
        );
        let mut mode = 0;
        if O::HAS_SHOW {
            mode |= 0o444;
        }
        if O::HAS_STORE {
            mode |= 0o200;
        }
        Self(
            Opaque::new(bindings::device_attribute {
                attr: bindings::attribute {
                    name: as_char_ptr_in_const_context(name),
                    mode,
                    // SAFETY: All-zero is valid for the other (lockdep) members of a static
                    // attribute.
                    ..unsafe { core::mem::zeroed() }
                },
                __bindgen_anon_1: bindings::device_attribute__bindgen_ty_1 {
                    show: if O::HAS_SHOW {
                        Some(show_callback::<O>)
                    } else {
                        None
                    },
                },
                __bindgen_anon_2: bindings::device_attribute__bindgen_ty_2 {
                    store: if O::HAS_STORE {
                        Some(store_callback::<O>)
                    } else {
                        None
                    },
                },
            }),
            PhantomData,
        )
    }

    /// The mode of the attribute's file.
    pub fn mode(&self) -> u16 {
        // SAFETY: Built in `new` and never written.
        unsafe { (*self.0.get()).attr.mode }
    }

    const fn as_attribute(&'static self) -> *mut bindings::attribute {
        // `attr` is the first member of `struct device_attribute`.
        self.0.get().cast()
    }
}

/// # Safety
///
/// Called by sysfs on a registered device that carries the attribute.
unsafe extern "C" fn show_callback<O: AttributeOperations>(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: By the contract of `DeviceOwner`, a device with an attribute of `O::Data` is
    // embedded in one; sysfs holds the attribute active, so the device stays registered.
    let data = unsafe { O::Data::from_device(dev) };
    // SAFETY: `sysfs_kf_seq_show()` passes a zeroed (so initialised) buffer of at least
    // `PAGE_SIZE` bytes, used only by this call.
    let mut page = Page::new(unsafe { &mut *buf.cast::<[u8; PAGE_SIZE]>() });
    match O::show(data, &mut page) {
        // Less than `PAGE_SIZE`, which fits.
        Ok(()) => page.len() as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// # Safety
///
/// Called by sysfs on a registered device that carries the attribute.
unsafe extern "C" fn store_callback<O: AttributeOperations>(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *const c_char,
    size: usize,
) -> isize {
    // SAFETY: As in `show_callback`.
    let data = unsafe { O::Data::from_device(dev) };
    // INVARIANT: sysfs passes `size` bytes followed by a NUL, alive during the call; the
    // text is not measured unless asked for.
    let input = Input {
        text: buf,
        // SAFETY: As above.
        bytes: unsafe { core::slice::from_raw_parts(buf.cast(), size) },
    };
    match O::store(data, &input) {
        // sysfs caps a write at `PAGE_SIZE - 1` bytes.
        Ok(()) => size as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// The attributes of a group: `N` pointers and the NULL that ends them, in
/// static memory.
#[repr(C)]
pub struct AttributeList<T, const N: usize> {
    attrs: [*mut bindings::attribute; N],
    end: *mut bindings::attribute,
    _owner: PhantomData<T>,
}

// SAFETY: Built at compile time and only read; the attributes are `Sync`.
unsafe impl<T, const N: usize> Sync for AttributeList<T, N> {}

impl<T: DeviceOwner, const N: usize> AttributeList<T, N> {
    /// The list of `attrs`.
    pub const fn new(attrs: [&'static Attribute<T>; N]) -> Self {
        let mut out = [ptr::null_mut(); N];
        let mut i = 0;
        while i < N {
            out[i] = attrs[i].as_attribute();
            i += 1;
        }
        Self {
            attrs: out,
            end: ptr::null_mut(),
            _owner: PhantomData,
        }
    }
}

/// A `struct attribute_group` without a name (its files are in the
/// device's directory), in static memory.
#[repr(transparent)]
pub struct AttributeGroup<T>(Opaque<bindings::attribute_group>, PhantomData<T>);

// SAFETY: Built at compile time and only read.
unsafe impl<T> Sync for AttributeGroup<T> {}

impl<T: DeviceOwner> AttributeGroup<T> {
    /// The group of the attributes of `list`.
    pub const fn new<const N: usize>(list: &'static AttributeList<T, N>) -> Self {
        Self(
            Opaque::new(bindings::attribute_group {
                __bindgen_anon_2: bindings::attribute_group__bindgen_ty_2 {
                    // `end` follows `attrs` at the start of the `#[repr(C)]` list: a
                    // NULL-terminated array.
                    attrs: ptr::from_ref(list).cast_mut().cast(),
                },
                // SAFETY: All-zero is valid for the other members: no name, no callbacks.
                ..unsafe { core::mem::zeroed() }
            }),
            PhantomData,
        )
    }
}

/// `N` attribute groups and the NULL that ends them, in static memory, as
/// `struct device`'s `groups` and `struct class`'s `dev_groups` take them.
#[repr(C)]
pub struct Groups<T, const N: usize> {
    groups: [*const bindings::attribute_group; N],
    end: *const bindings::attribute_group,
    _owner: PhantomData<T>,
}

// SAFETY: Built at compile time and only read.
unsafe impl<T, const N: usize> Sync for Groups<T, N> {}

impl<T: DeviceOwner, const N: usize> Groups<T, N> {
    /// The array of `groups`.
    pub const fn new(groups: [&'static AttributeGroup<T>; N]) -> Self {
        let mut out = [ptr::null(); N];
        let mut i = 0;
        while i < N {
            out[i] = groups[i].0.get().cast_const();
            i += 1;
        }
        Self {
            groups: out,
            end: ptr::null(),
            _owner: PhantomData,
        }
    }

    /// The NULL-terminated array, for the C structures that take it. Only
    /// the devices [`DeviceOwner`] maps to a `T` may be given it.
    pub const fn as_raw(&'static self) -> *mut *const bindings::attribute_group {
        // `end` follows `groups` at the start of the `#[repr(C)]` struct.
        ptr::from_ref(self).cast_mut().cast()
    }
}

// With the PWM core's suites: the core is this abstraction's first user.
#[cfg(CONFIG_PWM_KUNIT_TEST)]
#[kunit_tests(rust_kernel_sysfs)]
mod tests {
    use super::*;

    #[test]
    fn page_takes_what_fits() -> Result {
        let mut buf = KBox::<[u8; PAGE_SIZE]>::zeroed(GFP_KERNEL)?;
        let mut page = Page::new(&mut buf);
        assert!(page.is_empty());
        page.emit(format_args!("{} {}\n", 17u32, "ab"))?;
        assert_eq!(page.as_bytes(), b"17 ab\n");
        Ok(())
    }

    #[test]
    fn page_overflow_is_einval_and_writes_nothing() -> Result {
        let mut buf = KBox::<[u8; PAGE_SIZE]>::zeroed(GFP_KERNEL)?;
        let mut page = Page::new(&mut buf);
        page.emit(format_args!("x"))?;
        assert_eq!(page.emit(format_args!("{:1$}", "", PAGE_SIZE)), Err(EINVAL));
        assert_eq!(page.as_bytes(), b"x");
        // A whole page is too much: sysfs_emit() leaves room for a NUL.
        assert_eq!(
            page.emit(format_args!("{:1$}", "", PAGE_SIZE - 1)),
            Err(EINVAL)
        );
        page.emit(format_args!("{:1$}", "", PAGE_SIZE - 2))?;
        assert_eq!(page.len(), PAGE_SIZE - 1);
        Ok(())
    }

    #[test]
    fn input_parses_as_kstrto() {
        let input = |s: &'static CStr| Input::new(s, s.to_bytes());
        assert_eq!(input(c"42\n").parse_u32(), Ok(42));
        assert_eq!(input(c"0x10").parse_u32(), Ok(16));
        assert_eq!(input(c"010").parse_u32(), Ok(8));
        assert_eq!(input(c"+7").parse_u32(), Ok(7));
        assert_eq!(input(c"-1").parse_u32(), Err(EINVAL));
        assert_eq!(input(c"4294967296").parse_u32(), Err(ERANGE));
        assert_eq!(input(c"12a").parse_u32(), Err(EINVAL));
        assert_eq!(input(c"").parse_u32(), Err(EINVAL));
        assert_eq!(input(c"18446744073709551615").parse_u64(), Ok(u64::MAX));
        assert_eq!(input(c"18446744073709551616").parse_u64(), Err(ERANGE));
        assert_eq!(input(c"-5\n").parse_i32(), Ok(-5));
        assert_eq!(input(c"2147483648").parse_i32(), Err(ERANGE));
    }

    #[test]
    fn input_stops_at_nul_and_keeps_bytes() {
        let input = Input::new(c"1", b"1\0junk");
        assert_eq!(input.parse_u32(), Ok(1));
        assert_eq!(input.as_bytes().len(), 6);
        assert_eq!(input.as_c_str().to_bytes(), b"1");
    }

    #[test]
    fn input_matches_words() {
        let input = |s: &'static CStr| Input::new(s, s.to_bytes());
        assert!(input(c"normal\n").is(c"normal"));
        assert!(input(c"normal").is(c"normal"));
        assert!(!input(c"normal\n\n").is(c"normal"));
        assert!(!input(c"norma").is(c"normal"));
        assert!(!input(c"Normal").is(c"normal"));
    }

    struct Owner {
        dev: Opaque<bindings::device>,
    }

    // SAFETY: The tests never touch the device.
    unsafe impl Sync for Owner {}

    // SAFETY: No device of these tests is registered; the callbacks are only called by the
    // tests, with the device of a live `Owner`.
    unsafe impl DeviceOwner for Owner {
        unsafe fn from_device<'a>(dev: *mut bindings::device) -> &'a Self {
            // SAFETY: As the caller guarantees, `dev` is the `dev` field of a live `Owner`.
            unsafe { &*crate::container_of!(dev.cast::<Opaque<bindings::device>>(), Owner, dev) }
        }
    }

    struct Ro;
    #[vtable]
    impl AttributeOperations for Ro {
        type Data = Owner;
        fn show(_: &Owner, page: &mut Page<'_>) -> Result {
            page.emit(format_args!("ro\n"))
        }
    }

    struct Wo;
    #[vtable]
    impl AttributeOperations for Wo {
        type Data = Owner;
        fn store(_: &Owner, input: &Input<'_>) -> Result {
            input.parse_u32().map(|_| ())
        }
    }

    struct Rw;
    #[vtable]
    impl AttributeOperations for Rw {
        type Data = Owner;
        fn show(_: &Owner, _: &mut Page<'_>) -> Result {
            Err(EIO)
        }
        fn store(_: &Owner, _: &Input<'_>) -> Result {
            Ok(())
        }
    }

    static RO: Attribute<Owner> = Attribute::new::<Ro>(c"ro");
    static WO: Attribute<Owner> = Attribute::new::<Wo>(c"wo");
    static RW: Attribute<Owner> = Attribute::new::<Rw>(c"rw");
    static LIST: AttributeList<Owner, 3> = AttributeList::new([&RO, &WO, &RW]);
    static GROUP: AttributeGroup<Owner> = AttributeGroup::new(&LIST);
    static GROUPS: Groups<Owner, 1> = Groups::new([&GROUP]);

    #[test]
    fn modes_follow_the_operations() {
        assert_eq!(RO.mode(), 0o444);
        assert_eq!(WO.mode(), 0o200);
        assert_eq!(RW.mode(), 0o644);
    }

    #[test]
    fn tables_are_null_terminated() {
        // SAFETY: The statics are built at compile time; these reads follow their layout.
        let (group, after, attrs) = unsafe {
            let group = *GROUPS.as_raw();
            let attrs = (*group).__bindgen_anon_2.attrs;
            let attrs = [*attrs, *attrs.add(1), *attrs.add(2), *attrs.add(3)];
            (group, *GROUPS.as_raw().add(1), attrs)
        };
        assert_eq!(group, GROUP.0.get().cast_const());
        assert!(after.is_null());
        assert_eq!(attrs[0], RO.as_attribute());
        assert_eq!(attrs[2], RW.as_attribute());
        assert!(attrs[3].is_null());
        // SAFETY: A static attribute, whose name is a static C string.
        let name = unsafe { CStr::from_char_ptr((*attrs[1]).name) };
        assert_eq!(name.to_bytes(), b"wo");
    }

    #[test]
    fn callbacks_run_the_operations() -> Result {
        let owner = Owner {
            dev: Opaque::uninit(),
        };
        let dev = owner.dev.get();
        let mut buf = KBox::<[u8; PAGE_SIZE]>::zeroed(GFP_KERNEL)?;
        let page = buf.as_mut_ptr().cast::<c_char>();
        let (ro, wo, rw) = (RO.0.get(), WO.0.get(), RW.0.get());
        // SAFETY: Built at compile time and never written.
        let (ro_show, ro_store, wo_show, wo_store, rw_show) = unsafe {
            (
                (*ro).__bindgen_anon_1.show,
                (*ro).__bindgen_anon_2.store,
                (*wo).__bindgen_anon_1.show,
                (*wo).__bindgen_anon_2.store,
                (*rw).__bindgen_anon_1.show,
            )
        };
        assert!(ro_store.is_none() && wo_show.is_none());
        let (ro_show, wo_store, rw_show) = (
            ro_show.ok_or(EINVAL)?,
            wo_store.ok_or(EINVAL)?,
            rw_show.ok_or(EINVAL)?,
        );
        // SAFETY: `dev` belongs to a live `Owner`; `page` is `PAGE_SIZE` bytes; each input is
        // NUL-terminated after its length.
        let (shown, failed, stored, refused) = unsafe {
            (
                ro_show(dev, ro, page),
                rw_show(dev, rw, page),
                wo_store(dev, wo, c"12\n".as_char_ptr(), 3),
                wo_store(dev, wo, c"x".as_char_ptr(), 1),
            )
        };
        assert_eq!(shown, 3);
        assert_eq!(failed, EIO.to_errno() as isize);
        assert_eq!(stored, 3);
        assert_eq!(refused, EINVAL.to_errno() as isize);
        assert_eq!(buf.get(..3), Some(&b"ro\n"[..]));
        Ok(())
    }
}
