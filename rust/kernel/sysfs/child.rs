// SPDX-License-Identifier: GPL-2.0

//! Child devices that carry data and attribute groups: the devices a
//! subsystem adds under one of its own to give an object a sysfs directory
//! (as the PWM core does with each exported channel's `pwmN`).
//!
//! A [`ChildDevice<T>`] embeds its `struct device` and a `T`. The device's
//! reference count is the child's: [`ARef<ChildDevice<T>>`] holds one, and
//! the release drops the `T`. [`ChildDevice::register`] adds the device,
//! with a `'static` [`Groups`] of `ChildDevice<T>` whose attributes get the
//! child (and through [`Deref`] the `T`); [`ChildDevice::unregister`] removes
//! it, once, whoever calls first; [`ChildDevice::find`] looks a child up
//! among its parent's children.
//!
//! The release runs code of the module that names `T`: such a module
//! unregisters its children and drops its references before it goes.
//!
//! # Examples
//!
//! ```
//! use core::sync::atomic::{AtomicU32, Ordering};
//! use kernel::{faux, prelude::*};
//! use kernel::sysfs::{
//!     Attribute, AttributeGroup, AttributeList, AttributeOperations, ChildDevice, Groups, Page,
//! };
//!
//! struct Channel {
//!     index: u32,
//!     hits: AtomicU32,
//! }
//!
//! struct Hits;
//!
//! #[vtable]
//! impl AttributeOperations for Hits {
//!     type Data = ChildDevice<Channel>;
//!
//!     fn show(ch: &ChildDevice<Channel>, page: &mut Page<'_>) -> Result {
//!         page.emit(format_args!("{}\n", ch.hits.fetch_add(1, Ordering::Relaxed)))
//!     }
//! }
//!
//! static HITS: Attribute<ChildDevice<Channel>> = Attribute::new::<Hits>(c"hits");
//! static ATTRS: AttributeList<ChildDevice<Channel>, 1> = AttributeList::new([&HITS]);
//! static GROUP: AttributeGroup<ChildDevice<Channel>> = AttributeGroup::new(&ATTRS);
//! static GROUPS: Groups<ChildDevice<Channel>, 1> = Groups::new([&GROUP]);
//!
//! let parent = faux::Registration::new(c"sysfs-child-doctest", None)?;
//! let parent: &kernel::device::Device = parent.as_ref().as_ref();
//! let ch = ChildDevice::register(
//!     parent,
//!     format_args!("ch{}", 3),
//!     &GROUPS,
//!     Channel { index: 3, hits: AtomicU32::new(0) },
//! )?;
//! let found = ChildDevice::find(parent, &GROUPS, |c| c.index == 3).ok_or(ENOENT)?;
//! assert!(core::ptr::eq(&*found, &*ch));
//! assert!(ChildDevice::unregister(&ch));
//! assert!(!ChildDevice::unregister(&found));
//! assert!(ChildDevice::find(parent, &GROUPS, |_| true).is_none());
//! # Ok::<(), Error>(())
//! ```
//!
//! C header: [`include/linux/device.h`](srctree/include/linux/device.h)

use super::{
    DeviceOwner,
    Groups, //
};
use crate::{
    bindings,
    device::Device,
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque,
};
use core::{
    fmt,
    marker::PhantomData,
    ops::Deref,
    ptr::{
        self,
        NonNull, //
    },
    sync::atomic::{
        AtomicBool,
        Ordering, //
    },
};

/// A device added under a parent, embedding a `T`.
///
/// # Invariants
///
/// `dev` was initialised by [`ChildDevice::register`], with
/// [`release_child::<T>`] as its release, which frees the child; every
/// `&ChildDevice<T>` is backed by a reference to `dev`. `registered` is set
/// from the successful `device_add` to the `device_unregister` of
/// [`ChildDevice::unregister`], and owns the reference `device_initialize`
/// gave, which that unregistration drops.
#[pin_data]
pub struct ChildDevice<T> {
    dev: Opaque<bindings::device>,
    registered: AtomicBool,
    #[pin]
    data: T,
}

// SAFETY: The driver core changes the device under its own locks, `registered` is atomic, and
// the data is shared as `&T`, which `T: Sync` allows; the last reference may drop the `T` on
// any thread, which `T: Send` allows.
unsafe impl<T: Send + Sync> Send for ChildDevice<T> {}
// SAFETY: As above.
unsafe impl<T: Send + Sync> Sync for ChildDevice<T> {}

impl<T: Send + Sync> ChildDevice<T> {
    /// Adds a device named `name` under `parent` with the attribute groups
    /// `groups`, embedding the `T` that `data` initialises, and returns a
    /// reference to it. The device stays registered until
    /// [`ChildDevice::unregister`].
    ///
    /// On failure the `T`, if it was initialised, is dropped before this
    /// returns.
    pub fn register<E, const N: usize>(
        parent: &Device,
        name: fmt::Arguments<'_>,
        groups: &'static Groups<Self, N>,
        data: impl PinInit<T, E>,
    ) -> Result<ARef<Self>>
    where
        Error: From<E>,
    {
        let child = KBox::pin_init::<Error>(
            try_pin_init!(Self {
                dev: Opaque::zeroed(),
                registered: AtomicBool::new(false),
                data <- data,
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: The child is handed to its device, whose release frees it as the `KBox` it
        // was, and never moves it.
        let child = unsafe { KBox::into_raw(Pin::into_inner_unchecked(child)) };
        // SAFETY: `child` is valid and not shared yet.
        let dev = unsafe { (*child).dev.get() };
        // SAFETY: `dev` is a zeroed `struct device`, initialised here once. From here its
        // release frees the child, so every error path below ends in `put_device`. `parent`
        // is a live device, which `device_add` takes a reference to; `groups` is static.
        unsafe {
            bindings::device_initialize(dev);
            (*dev).release = Some(release_child::<T>);
            (*dev).parent = parent.as_raw();
            (*dev).groups = groups.as_raw();
        }
        // SAFETY: The device is initialised; `%pA` formats the `fmt::Arguments` it is given,
        // which outlive the call (the name is copied).
        let mut ret = unsafe {
            bindings::dev_set_name(
                dev,
                c"%pA".as_char_ptr(),
                ptr::from_ref(&name).cast::<c_void>(),
            )
        };
        if ret == 0 {
            // SAFETY: The device is initialised and named.
            ret = unsafe { bindings::device_add(dev) };
        }
        if ret != 0 {
            // SAFETY: The reference from `device_initialize`, the only one: the release frees
            // the child and drops the `T`.
            unsafe { bindings::put_device(dev) };
            return Err(Error::from_errno(ret));
        }
        // SAFETY: `child` is registered and alive: its initial reference is still held.
        let child = unsafe { &*child };
        // INVARIANT: The device was added; the initial reference is now the registration's.
        child.registered.store(true, Ordering::Release);
        Ok(ARef::from(child))
    }

    /// Unregisters the child's device if it is still registered, and returns
    /// whether this call did. Its attributes' callbacks have returned when
    /// it does; the `T` is dropped with the last reference.
    ///
    /// Called from one of the child's own attribute callbacks, this waits
    /// for that callback, forever.
    pub fn unregister(this: &ARef<Self>) -> bool {
        if !this.registered.swap(false, Ordering::AcqRel) {
            return false;
        }
        // SAFETY: The device is registered, and only the caller that cleared `registered`
        // gets here; `device_unregister` drops the registration's reference, and `this` holds
        // another, so the child outlives the call.
        unsafe { bindings::device_unregister(this.dev.get()) };
        true
    }

    /// The first registered child of `parent` with the groups `groups` whose
    /// data `matches`, with a reference.
    pub fn find<const N: usize>(
        parent: &Device,
        groups: &'static Groups<Self, N>,
        matches: impl Fn(&T) -> bool,
    ) -> Option<ARef<Self>> {
        find_with(parent, groups, &matches)
    }
}

fn find_with<T: Send + Sync, F: Fn(&T) -> bool, const N: usize>(
    parent: &Device,
    groups: &'static Groups<ChildDevice<T>, N>,
    matches: &F,
) -> Option<ARef<ChildDevice<T>>> {
    let query: Query<'_, T, F> = Query {
        groups: groups.as_raw(),
        matches,
        _data: PhantomData,
    };
    // SAFETY: `parent` is a live device; `query` outlives the call, which passes it only to
    // `match_child`, the matcher of its type.
    let dev = unsafe {
        bindings::device_find_child(
            parent.as_raw(),
            ptr::from_ref(&query).cast::<c_void>(),
            Some(match_child::<T, F>),
        )
    };
    let dev = NonNull::new(dev)?;
    // SAFETY: `match_child` accepts only devices with `groups`, which only
    // `ChildDevice::<T>::register` gives, to the device of a `ChildDevice<T>`.
    let child = unsafe { ChildDevice::<T>::from_device(dev.as_ptr()) };
    // SAFETY: `device_find_child` returned the device with a reference, which becomes the
    // `ARef`'s.
    Some(unsafe { ARef::from_raw(NonNull::from(child)) })
}

/// What [`match_child`] looks for.
struct Query<'a, T, F> {
    groups: *mut *const bindings::attribute_group,
    matches: &'a F,
    _data: PhantomData<T>,
}

/// Whether `dev` is a registered child with the query's groups and data it
/// matches.
///
/// # Safety
///
/// Called by `device_find_child` with a live child device and the address
/// of a `Query<T, F>`.
unsafe extern "C" fn match_child<T: Send + Sync, F: Fn(&T) -> bool>(
    dev: *mut bindings::device,
    data: *const c_void,
) -> c_int {
    // SAFETY: As the caller guarantees.
    let query = unsafe { &*data.cast::<Query<'_, T, F>>() };
    // SAFETY: A live device, whose groups are set before it is added and never changed.
    if unsafe { (*dev).groups } != query.groups {
        return 0;
    }
    // SAFETY: Only `ChildDevice::<T>::register` gives the groups of a `Groups<ChildDevice<T>>`,
    // to a device of a `ChildDevice<T>`, alive as the driver core holds its device.
    let child = unsafe { ChildDevice::<T>::from_device(dev) };
    c_int::from(child.registered.load(Ordering::Acquire) && (query.matches)(&child.data))
}

impl<T> ChildDevice<T> {
    /// The child's device.
    pub fn device(&self) -> &Device {
        // SAFETY: By the type invariant the device is initialised and referenced for as long
        // as `self` is borrowed.
        unsafe { Device::from_raw(self.dev.get()) }
    }

    /// Whether the child's device is registered.
    pub fn is_registered(&self) -> bool {
        self.registered.load(Ordering::Acquire)
    }
}

impl<T> Deref for ChildDevice<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

// SAFETY: The devices that carry groups of `ChildDevice<T>` are the devices of
// `ChildDevice<T>`s, given them by `register`, and each is freed only by its release, after
// its last reference: while sysfs calls an attribute, the registered device is referenced.
unsafe impl<T: Send + Sync> DeviceOwner for ChildDevice<T> {
    unsafe fn from_device<'a>(dev: *mut bindings::device) -> &'a Self {
        let dev = dev.cast::<Opaque<bindings::device>>();
        // SAFETY: As the caller guarantees, `dev` is the `dev` field of a live
        // `ChildDevice<T>` (`Opaque` is transparent).
        unsafe { &*crate::container_of!(dev, Self, dev) }
    }
}

// SAFETY: The child's lifetime is its device's reference count: `get_device` and `put_device`
// keep it, and the release frees the child after the last.
unsafe impl<T: Send + Sync> AlwaysRefCounted for ChildDevice<T> {
    fn inc_ref(&self) {
        // SAFETY: By the type invariant the device is initialised and referenced.
        unsafe { bindings::get_device(self.dev.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference to the device of a live child.
        unsafe { bindings::put_device(obj.as_ref().dev.get()) };
    }
}

/// Frees a child when its device's last reference goes.
///
/// # Safety
///
/// `dev` is the device of a `ChildDevice<T>` leaked from a pinned `KBox` by
/// [`ChildDevice::register`], and its last reference is gone.
unsafe extern "C" fn release_child<T: Send + Sync>(dev: *mut bindings::device) {
    // SAFETY: As the caller guarantees, the child is alive until this frees it.
    let child = unsafe { ptr::from_ref(ChildDevice::<T>::from_device(dev)).cast_mut() };
    // SAFETY: The child came from `KBox::into_raw`; nobody uses it any more.
    drop(unsafe { KBox::from_raw(child) });
}

// With the PWM core's suites: the core is this abstraction's first user.
#[cfg(CONFIG_PWM_KUNIT_TEST)]
#[kunit_tests(rust_kernel_sysfs_child)]
mod tests {
    use super::*;
    use crate::{
        faux,
        str::CStr,
        time::{
            delay::fsleep,
            Delta, //
        },
    };
    use core::sync::atomic::AtomicUsize;

    /// Children of the tests, which count their drops in `drops`.
    struct Probe {
        index: u32,
        drops: &'static AtomicUsize,
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::Release);
        }
    }

    static LIST: crate::sysfs::AttributeList<ChildDevice<Probe>, 0> =
        crate::sysfs::AttributeList::new([]);
    static GROUP: crate::sysfs::AttributeGroup<ChildDevice<Probe>> =
        crate::sysfs::AttributeGroup::new(&LIST);
    static GROUPS: Groups<ChildDevice<Probe>, 1> = Groups::new([&GROUP]);
    static OTHER_GROUPS: Groups<ChildDevice<Probe>, 1> = Groups::new([&GROUP]);

    /// Whether `drops` reaches `n`, and no more, within 30 s: with
    /// `CONFIG_DEBUG_KOBJECT_RELEASE` a device's release runs 1 to 4 s after
    /// its last reference went.
    fn released(drops: &AtomicUsize, n: usize) -> bool {
        for _ in 0..300 {
            if drops.load(Ordering::Acquire) >= n {
                break;
            }
            fsleep(Delta::from_millis(100));
        }
        drops.load(Ordering::Acquire) == n
    }

    fn probe(index: u32, drops: &'static AtomicUsize) -> Probe {
        Probe { index, drops }
    }

    fn name_of(dev: &Device) -> &CStr {
        // SAFETY: A registered device has a name, alive as the device is.
        unsafe { CStr::from_char_ptr(bindings::dev_name(dev.as_raw())) }
    }

    #[test]
    fn registers_under_the_parent_with_name_and_groups() -> Result {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let parent = faux::Registration::new(c"sysfs-child-kunit-a", None)?;
        let dev: &Device = parent.as_ref().as_ref();
        let child =
            ChildDevice::register(dev, format_args!("probe{}", 7), &GROUPS, probe(7, &DROPS))?;
        assert!(child.is_registered());
        assert_eq!(name_of(child.device()).to_bytes(), b"probe7");
        // SAFETY: A registered device, whose parent and groups are set before it is added.
        let (dev_parent, dev_groups) =
            unsafe { ((*child.dev.get()).parent, (*child.dev.get()).groups) };
        assert_eq!(dev_parent, dev.as_raw());
        assert_eq!(dev_groups, GROUPS.as_raw());
        assert_eq!(child.index, 7);
        assert!(ChildDevice::unregister(&child));
        assert_eq!(DROPS.load(Ordering::Relaxed), 0);
        drop(child);
        assert!(released(&DROPS, 1));
        Ok(())
    }

    #[test]
    fn unregisters_once_and_drops_with_the_last_reference() -> Result {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let parent = faux::Registration::new(c"sysfs-child-kunit-b", None)?;
        let dev: &Device = parent.as_ref().as_ref();
        let child = ChildDevice::register(dev, format_args!("p"), &GROUPS, probe(0, &DROPS))?;
        let other = child.clone();
        assert!(ChildDevice::unregister(&other));
        assert!(!child.is_registered());
        assert!(!ChildDevice::unregister(&child));
        drop(other);
        assert_eq!(DROPS.load(Ordering::Relaxed), 0);
        drop(child);
        assert!(released(&DROPS, 1));
        Ok(())
    }

    #[test]
    fn find_matches_groups_data_and_registration() -> Result {
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        let parent = faux::Registration::new(c"sysfs-child-kunit-c", None)?;
        let dev: &Device = parent.as_ref().as_ref();
        let a = ChildDevice::register(dev, format_args!("a"), &GROUPS, probe(1, &DROPS))?;
        let b = ChildDevice::register(dev, format_args!("b"), &GROUPS, probe(2, &DROPS))?;
        let c = ChildDevice::register(dev, format_args!("c"), &OTHER_GROUPS, probe(3, &DROPS))?;
        let found = ChildDevice::find(dev, &GROUPS, |p| p.index == 2).ok_or(ENOENT)?;
        assert!(ptr::eq(&*found, &*b));
        // `c` has other groups, and a predicate sees only the children of `GROUPS`.
        assert!(ChildDevice::find(dev, &GROUPS, |p| p.index == 3).is_none());
        let found_c = ChildDevice::find(dev, &OTHER_GROUPS, |_| true).ok_or(ENOENT)?;
        assert!(ptr::eq(&*found_c, &*c));
        assert!(ChildDevice::unregister(&a));
        assert!(ChildDevice::find(dev, &GROUPS, |p| p.index == 1).is_none());
        assert!(ChildDevice::unregister(&b) && ChildDevice::unregister(&c));
        assert!(ChildDevice::find(dev, &GROUPS, |_| true).is_none());
        drop((a, b, c, found, found_c));
        assert!(released(&DROPS, 3));
        Ok(())
    }

    #[test]
    fn failed_initialisation_registers_nothing() -> Result {
        let parent = faux::Registration::new(c"sysfs-child-kunit-d", None)?;
        let dev: &Device = parent.as_ref().as_ref();
        let failing = Err::<Probe, Error>(ENOSPC);
        let ret = ChildDevice::register(dev, format_args!("x"), &GROUPS, failing);
        assert!(matches!(ret, Err(e) if e == ENOSPC));
        assert!(ChildDevice::find(dev, &GROUPS, |_| true).is_none());
        Ok(())
    }
}
