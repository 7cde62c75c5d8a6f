// SPDX-License-Identifier: GPL-2.0

//! Character devices bound to a `struct device` (`cdev_device_add()`): a
//! range of device numbers, and the file operations of the devices built
//! from a [`#[vtable]`](macros::vtable) trait with typed per-file data.
//!
//! The object that embeds the `struct cdev` implements [`CdevOwner`] so that
//! [`FileOperations::open`] gets it instead of the inode; each open file then
//! holds a [`FileOperations::Ptr`] until its release. Operations a type does
//! not implement stay NULL; with `ioctl` and without `compat_ioctl`, 32-bit
//! processes get `compat_ptr_ioctl()`, for ioctls whose layouts are the
//! same for both. The files are not seekable (`nonseekable_open()`).
//!
//! # Examples
//!
//! ```
//! use kernel::chrdev::{CdevOwner, FileOperations, Fops};
//! use kernel::fs::File;
//! use kernel::prelude::*;
//!
//! struct Port {
//!     cdev: kernel::types::Opaque<kernel::bindings::cdev>,
//! }
//!
//! // SAFETY: The core of the cdev serialises what it changes in it.
//! unsafe impl Sync for Port {}
//!
//! // SAFETY: Only the cdevs of `Port`s are initialised with `FOPS`, and a `Port` outlives
//! // the files opened on its cdev.
//! unsafe impl CdevOwner for Port {
//!     unsafe fn from_cdev<'a>(cdev: *mut kernel::bindings::cdev) -> &'a Self {
//!         let cdev = cdev.cast::<kernel::types::Opaque<kernel::bindings::cdev>>();
//!         // SAFETY: As the caller guarantees, `cdev` is the `cdev` field of a live `Port`.
//!         unsafe { &*kernel::container_of!(cdev, Port, cdev) }
//!     }
//! }
//!
//! struct PortFile;
//!
//! #[vtable]
//! impl FileOperations for PortFile {
//!     type Owner = Port;
//!     type Ptr = KBox<Self>;
//!
//!     fn open(_port: &Port, _file: &File) -> Result<KBox<Self>> {
//!         Ok(KBox::new(PortFile, GFP_KERNEL)?)
//!     }
//!
//!     fn ioctl(_me: &PortFile, _file: &File, cmd: u32, _arg: usize) -> Result<isize> {
//!         match cmd {
//!             1 => Ok(0),
//!             _ => Err(ENOTTY),
//!         }
//!     }
//! }
//!
//! static FOPS: Fops<PortFile> = Fops::new();
//! assert!(FOPS.has_ioctl());
//! ```
//!
//! C header: [`include/linux/cdev.h`](srctree/include/linux/cdev.h)

use crate::{
    bindings,
    error::{
        to_result,
        VTABLE_DEFAULT_ERROR, //
    },
    ffi::{
        c_int,
        c_long,
        c_uint,
        c_ulong, //
    },
    fs::File,
    module::this_module,
    prelude::*,
    types::{
        ForeignOwnable,
        Opaque, //
    },
};
use core::marker::PhantomData;

/// A range of character device numbers (`alloc_chrdev_region()`), given
/// back when dropped.
///
/// # Invariants
///
/// `first..first + count` is allocated to this region.
pub struct Region {
    first: bindings::dev_t,
    count: c_uint,
}

impl Region {
    /// Allocates `count` minors under a dynamic major, named `name` in
    /// `/proc/devices`.
    pub fn alloc(count: u32, name: &'static CStr) -> Result<Self> {
        let mut first: bindings::dev_t = 0;
        // SAFETY: `first` is valid for writes; the name outlives the region.
        to_result(unsafe {
            bindings::alloc_chrdev_region(&mut first, 0, count, name.as_char_ptr())
        })?;
        // INVARIANT: Allocated just above.
        Ok(Self { first, count })
    }

    /// The major number.
    pub fn major(&self) -> u32 {
        self.first >> bindings::MINORBITS
    }

    /// How many minors the region has.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The device number of the region's `index`th minor, if it has one.
    pub fn devt(&self, index: u32) -> Option<bindings::dev_t> {
        if index >= self.count {
            return None;
        }
        // The minors `first..first + count` are one range of one major.
        self.first.checked_add(index)
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the range is ours.
        unsafe { bindings::unregister_chrdev_region(self.first, self.count) };
    }
}

/// A type that embeds a `struct cdev`, found back from it when one of its
/// files is opened.
///
/// # Safety
///
/// Every `struct cdev` initialised with the [`Fops`] of a [`FileOperations`]
/// whose `Owner` is `Self` is embedded in a `Self`, which stays alive while
/// the cdev can be opened (`cdev_device_add()` makes the cdev hold its
/// device), and [`CdevOwner::from_cdev`] returns that `Self`.
pub unsafe trait CdevOwner: Sync {
    /// The owner of `cdev`.
    ///
    /// # Safety
    ///
    /// `cdev` is a cdev of `Self` that a file is being opened on.
    unsafe fn from_cdev<'a>(cdev: *mut bindings::cdev) -> &'a Self;
}

/// The operations of the files of a character device, and their per-file
/// data.
#[vtable]
pub trait FileOperations: Sized {
    /// What embeds the cdev.
    type Owner: CdevOwner;

    /// How the per-file data is held while the file is open.
    type Ptr: ForeignOwnable + Send + Sync;

    /// Opens a file on `owner`'s device; the result is the file's data.
    fn open(owner: &Self::Owner, file: &File) -> Result<Self::Ptr>;

    /// Releases a file: the last close. By default drops the data.
    fn release(data: Self::Ptr, _file: &File) {
        drop(data);
    }

    /// An ioctl; `arg` as the process passed it.
    fn ioctl(
        _data: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _file: &File,
        _cmd: u32,
        _arg: usize,
    ) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// An ioctl of a 32-bit process on a 64-bit kernel, for ioctls whose
    /// layouts differ; without it, [`FileOperations::ioctl`] gets the
    /// converted pointer.
    #[cfg(CONFIG_COMPAT)]
    fn compat_ioctl(
        _data: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _file: &File,
        _cmd: u32,
        _arg: usize,
    ) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The `struct file_operations` of `T`, in static memory.
#[repr(transparent)]
pub struct Fops<T>(Opaque<bindings::file_operations>, PhantomData<T>);

// SAFETY: Built at compile time and only read; the callbacks take the per-file data, which is
// `Send + Sync`.
unsafe impl<T> Sync for Fops<T> {}

impl<T: FileOperations> Fops<T> {
    /// The operations of `T`, owned by the module that implements them.
    pub const fn new() -> Self {
        Self(
            Opaque::new(bindings::file_operations {
                owner: this_module::<T::OwnerModule>().as_ptr(),
                open: Some(open_callback::<T>),
                release: Some(release_callback::<T>),
                unlocked_ioctl: if T::HAS_IOCTL {
                    Some(ioctl_callback::<T>)
                } else {
                    None
                },
                #[cfg(CONFIG_COMPAT)]
                compat_ioctl: if T::HAS_COMPAT_IOCTL {
                    Some(compat_ioctl_callback::<T>)
                } else if T::HAS_IOCTL {
                    bindings::compat_ptr_ioctl
                } else {
                    None
                },
                ..pin_init::zeroed()
            }),
            PhantomData,
        )
    }

    /// The C structure, for `cdev_init()`.
    pub const fn as_raw(&'static self) -> *const bindings::file_operations {
        self.0.get().cast_const()
    }

    /// Whether the files have an `unlocked_ioctl`.
    pub fn has_ioctl(&self) -> bool {
        // SAFETY: Built in `new` and never written.
        unsafe { (*self.0.get()).unlocked_ioctl.is_some() }
    }
}

impl<T: FileOperations> Default for Fops<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// # Safety
///
/// Called by the VFS for a file being opened on an inode of a cdev
/// initialised with `Fops<T>`.
unsafe extern "C" fn open_callback<T: FileOperations>(
    inode: *mut bindings::inode,
    raw_file: *mut bindings::file,
) -> c_int {
    // SAFETY: `chrdev_open()` set the inode's cdev, one of `T::Owner` by the caller's
    // guarantee, and holds a reference to it, and with it to its device, during the open.
    let owner = unsafe { T::Owner::from_cdev((*inode).__bindgen_anon_5.i_cdev) };
    // SAFETY: The file is valid during the call, and no `fdget_pos` region is active on it.
    let file = unsafe { File::from_raw_file(raw_file) };
    let data = match T::open(owner, file) {
        Ok(data) => data,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: The inode and file are the VFS's, being opened.
    let ret = unsafe { bindings::nonseekable_open(inode, raw_file) };
    if ret != 0 {
        T::release(data, file);
        return ret;
    }
    // SAFETY: Until its release, the private data of a file being opened is ours; the
    // release turns it back.
    unsafe { (*raw_file).private_data = data.into_foreign() };
    0
}

/// # Safety
///
/// Called by the VFS once for each file [`open_callback`] succeeded on.
unsafe extern "C" fn release_callback<T: FileOperations>(
    _inode: *mut bindings::inode,
    raw_file: *mut bindings::file,
) -> c_int {
    // SAFETY: `open_callback` stored the data; this is its last use.
    let data = unsafe { T::Ptr::from_foreign((*raw_file).private_data) };
    // SAFETY: The file is valid during the call, and no `fdget_pos` region is active on it.
    T::release(data, unsafe { File::from_raw_file(raw_file) });
    0
}

/// An ioctl handler's result as the VFS takes it.
fn ioctl_return(result: Result<isize>) -> c_long {
    match result {
        Ok(ret) => ret as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}

/// # Safety
///
/// Called by the VFS on a file [`open_callback`] succeeded on, before its
/// release.
unsafe extern "C" fn ioctl_callback<T: FileOperations>(
    raw_file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> c_long {
    // SAFETY: `open_callback` stored the data, which only the release takes back.
    let data = unsafe { T::Ptr::borrow((*raw_file).private_data) };
    // SAFETY: The file is valid during the call, and no `fdget_pos` region is active on it.
    let file = unsafe { File::from_raw_file(raw_file) };
    ioctl_return(T::ioctl(data, file, cmd, arg))
}

/// # Safety
///
/// Called by the VFS on a file [`open_callback`] succeeded on, before its
/// release.
#[cfg(CONFIG_COMPAT)]
unsafe extern "C" fn compat_ioctl_callback<T: FileOperations>(
    raw_file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> c_long {
    // SAFETY: `open_callback` stored the data, which only the release takes back.
    let data = unsafe { T::Ptr::borrow((*raw_file).private_data) };
    // SAFETY: The file is valid during the call, and no `fdget_pos` region is active on it.
    let file = unsafe { File::from_raw_file(raw_file) };
    ioctl_return(T::compat_ioctl(data, file, cmd, arg))
}

// With the PWM core's suites: the core is this abstraction's first user.
#[cfg(CONFIG_PWM_KUNIT_TEST)]
#[kunit_tests(rust_kernel_chrdev)]
mod tests {
    use super::*;

    #[test]
    fn region_hands_out_its_minors() -> Result {
        let region = Region::alloc(4, c"rust-chrdev-test")?;
        let first = region.devt(0).ok_or(EINVAL)?;
        assert!(region.major() != 0);
        assert_eq!(first >> bindings::MINORBITS, region.major());
        assert_eq!(region.count(), 4);
        assert_eq!(region.devt(3), first.checked_add(3));
        assert_eq!(region.devt(4), None);
        assert_eq!(region.devt(u32::MAX), None);
        Ok(())
    }

    #[test]
    fn region_is_given_back_when_dropped() -> Result {
        let region = Region::alloc(2, c"rust-chrdev-test")?;
        let first = region.devt(0).ok_or(EINVAL)?;
        let name = c"rust-chrdev-again".as_char_ptr();
        // SAFETY: The name is static.
        let busy = unsafe { bindings::register_chrdev_region(first, 2, name) };
        assert_eq!(busy, EBUSY.to_errno());
        drop(region);
        // SAFETY: The name is static.
        to_result(unsafe { bindings::register_chrdev_region(first, 2, name) })?;
        // SAFETY: Registered just above.
        unsafe { bindings::unregister_chrdev_region(first, 2) };
        Ok(())
    }

    struct Owner(Opaque<bindings::cdev>);

    // SAFETY: The tests never touch the cdev.
    unsafe impl Sync for Owner {}

    // SAFETY: No cdev of these tests is ever added, so no file is opened on one.
    unsafe impl CdevOwner for Owner {
        unsafe fn from_cdev<'a>(cdev: *mut bindings::cdev) -> &'a Self {
            // SAFETY: As the caller guarantees, `cdev` is the field of a live `Owner`.
            unsafe { &*crate::container_of!(cdev.cast::<Opaque<bindings::cdev>>(), Owner, 0) }
        }
    }

    struct WithIoctl;

    #[vtable]
    impl FileOperations for WithIoctl {
        type Owner = Owner;
        type Ptr = KBox<Self>;

        fn open(_: &Owner, _: &File) -> Result<KBox<Self>> {
            Err(ENXIO)
        }

        fn ioctl(_: &Self, _: &File, _: u32, _: usize) -> Result<isize> {
            Ok(0)
        }
    }

    struct WithoutIoctl;

    #[vtable]
    impl FileOperations for WithoutIoctl {
        type Owner = Owner;
        type Ptr = KBox<Self>;

        fn open(_: &Owner, _: &File) -> Result<KBox<Self>> {
            Err(ENXIO)
        }
    }

    static WITH: Fops<WithIoctl> = Fops::new();
    static WITHOUT: Fops<WithoutIoctl> = Fops::new();

    #[test]
    fn unimplemented_ops_stay_null() {
        // SAFETY: Built at compile time and never written.
        let (with, without) = unsafe { (&*WITH.as_raw(), &*WITHOUT.as_raw()) };
        assert!(with.open.is_some() && with.release.is_some());
        assert!(with.unlocked_ioctl.is_some() && WITH.has_ioctl());
        assert!(without.unlocked_ioctl.is_none() && !WITHOUT.has_ioctl());
        assert!(with.read.is_none() && with.write.is_none() && with.mmap.is_none());
        assert!(with.llseek.is_none() && with.owner.is_null());
        #[cfg(CONFIG_COMPAT)]
        {
            assert_eq!(
                with.compat_ioctl.map(|f| f as usize),
                bindings::compat_ptr_ioctl.map(|f| f as usize)
            );
            assert!(without.compat_ioctl.is_none());
        }
    }
}
