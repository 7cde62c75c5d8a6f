// SPDX-License-Identifier: GPL-2.0

//! PWM chips: allocation with the driver data inside, registration bound to
//! the parent's driver, and the channels drivers see in their ops.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use super::{
    ops::Adapter,
    Context,
    Ops,
    State, //
};
use crate::{
    bindings, container_of,
    device::{
        self,
        Bound, //
    },
    devres,
    error::{
        from_err_ptr,
        to_result, //
    },
    module::this_module,
    prelude::*,
    str::CStr,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque,
};
use core::{
    marker::PhantomData,
    mem::{
        align_of,
        size_of, //
    },
    ops::Deref,
    ptr::NonNull,
};

/// A channel of a chip (`struct pwm_device`), as its driver sees it in ops.
///
/// # Invariants
///
/// The `pwm_device` is one of the `pwms` of a live chip.
#[repr(transparent)]
pub struct Channel(Opaque<bindings::pwm_device>);

impl Channel {
    /// # Safety
    ///
    /// `ptr` points to a channel of a chip that stays alive for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::pwm_device) -> &'a Self {
        // SAFETY: `Channel` is a transparent wrapper of `pwm_device`, and the caller
        // guarantees it lives for `'a`.
        // INVARIANT: The caller guarantees the channel is part of a live chip.
        unsafe { &*ptr.cast() }
    }

    fn as_raw(&self) -> *mut bindings::pwm_device {
        self.0.get()
    }

    /// The channel's index within its chip (`pwm->hwpwm`).
    pub fn hwpwm(&self) -> u32 {
        // SAFETY: By the type invariant the channel is live; `hwpwm` never changes.
        unsafe { (*self.as_raw()).hwpwm }
    }

    /// The label of the consumer that requested the channel, if any.
    pub fn label(&self) -> Option<&CStr> {
        // SAFETY: By the type invariant the channel is live; the core sets `label` under the
        // chip's lock, which ops run under.
        let label = unsafe { (*self.as_raw()).label };
        if label.is_null() {
            None
        } else {
            // SAFETY: A non-NULL label is a NUL-terminated string that lives while the
            // channel is requested, as it is during ops.
            Some(unsafe { CStr::from_char_ptr(label) })
        }
    }

    /// The state the core last applied (`pwm->state`), or `EINVAL` if it holds
    /// a polarity that [`Polarity`](super::Polarity) lacks.
    pub fn state(&self) -> Result<State> {
        // SAFETY: By the type invariant the channel is live; ops run under the chip's lock,
        // which the core holds when it writes `state`.
        State::try_from(unsafe { (*self.as_raw()).state })
    }
}

/// A PWM chip (`struct pwm_chip`) whose driver data is a `T`.
///
/// The chip, its channels, the core's state and `T` share one allocation made
/// by `pwmchip_alloc()`; the embedded `struct device` counts references to it
/// and `T` is dropped exactly once, when the last one goes, which may be long
/// after the chip was removed (a consumer or an open file may hold it).
///
/// # Invariants
///
/// The chip was allocated by [`Chip::new`] for `T`: its driver data is an
/// initialised `T` and its release drops that `T`.
#[repr(transparent)]
pub struct Chip<T: Ops>(Opaque<bindings::pwm_chip>, PhantomData<T>);

// SAFETY: The core serialises ops and owns the C fields it changes; `T` is `Send + Sync`.
unsafe impl<T: Ops> Send for Chip<T> {}

// SAFETY: Shared access only reads fields fixed after allocation and hands out `&T`,
// which is `Sync`.
unsafe impl<T: Ops> Sync for Chip<T> {}

impl<T: Ops> Chip<T> {
    /// Allocates a chip with `npwm` channels whose driver data `data`
    /// initialises in place.
    ///
    /// The chip gets `T`'s ops and is atomic if `T::Context` is
    /// [`Atomic`](super::Atomic). It is not registered yet: see
    /// [`UnregisteredChip::register`].
    #[expect(clippy::new_ret_no_self)]
    pub fn new<'a>(
        parent: &'a device::Device<Bound>,
        npwm: u32,
        data: impl PinInit<T, Error>,
    ) -> Result<UnregisteredChip<'a, T>> {
        // SAFETY: `parent` is a live device; the call has no other requirements.
        let raw = from_err_ptr(unsafe {
            bindings::pwmchip_alloc(parent.as_raw(), npwm, size_of::<T>())
        })?;
        // SAFETY: `raw` is a chip just allocated by `pwmchip_alloc`.
        let priv_ = unsafe { bindings::pwmchip_get_drvdata(raw) }.cast::<T>();
        let init = if priv_.align_offset(align_of::<T>()) != 0 {
            // The core aligns driver data as for DMA; no driver data needs more.
            Err(EINVAL)
        } else {
            // SAFETY: `priv_` is `size_of::<T>()` bytes of suitably aligned, uninitialised
            // memory inside the chip's allocation, which never moves.
            unsafe { pin_init::raw_try_init(priv_, data) }
        };
        if let Err(e) = init {
            // SAFETY: The reference from `pwmchip_alloc`; the release is still the core's,
            // which does not look at the driver data.
            unsafe { bindings::pwmchip_put(raw) };
            return Err(e);
        }
        // SAFETY: The chip is not shared yet; these fields are the driver's to set before
        // registration.
        unsafe {
            (*raw).dev.release = Some(Self::release);
            (*raw).ops = Adapter::<T>::vtable();
            (*raw).atomic = super::is_atomic::<T>();
        }
        // INVARIANT: The driver data is an initialised `T` and the release drops it. The
        // allocation's reference moves into the `ARef`.
        // SAFETY: `raw` is non-NULL (from `from_err_ptr`) and we own its one reference.
        let chip = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast::<Self>())) };
        Ok(UnregisteredChip { chip, parent })
    }

    /// # Safety
    ///
    /// `dev` is the device of a chip allocated by [`Chip::new`] for `T`, and
    /// its last reference is gone.
    unsafe extern "C" fn release(dev: *mut bindings::device) {
        // SAFETY: `dev` is embedded in a `pwm_chip`.
        let raw = unsafe { container_of!(dev, bindings::pwm_chip, dev) };
        // SAFETY: By the type invariant the driver data is a `T`; this is the last reference,
        // so nothing uses it any more and it is dropped exactly once.
        unsafe { core::ptr::drop_in_place(bindings::pwmchip_get_drvdata(raw).cast::<T>()) };
        // SAFETY: The core's release frees the chip; `dev` is not used after.
        unsafe { bindings::pwmchip_release(dev) };
    }

    /// # Safety
    ///
    /// `ptr` points to a chip allocated by [`Chip::new`] for `T` that stays
    /// alive for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::pwm_chip) -> &'a Self {
        // SAFETY: `Chip` is a transparent wrapper of `pwm_chip`; the caller guarantees the
        // type invariant and the lifetime.
        unsafe { &*ptr.cast() }
    }

    /// The C chip.
    pub fn as_raw(&self) -> *mut bindings::pwm_chip {
        self.0.get()
    }

    /// Number of channels (`chip->npwm`).
    pub fn npwm(&self) -> u32 {
        // SAFETY: `npwm` is fixed at allocation.
        unsafe { (*self.as_raw()).npwm }
    }

    /// Whether the chip is atomic (`chip->atomic`).
    pub fn is_atomic(&self) -> bool {
        // SAFETY: `atomic` is fixed before registration.
        unsafe { (*self.as_raw()).atomic }
    }

    /// The chip's id (`pwmchipN`), valid once registered.
    pub fn id(&self) -> u32 {
        // SAFETY: `id` is set by registration, before anyone else sees the chip.
        unsafe { (*self.as_raw()).id }
    }

    /// The chip's own `struct device` (class `pwm`).
    pub fn device(&self) -> &device::Device {
        // SAFETY: The device is embedded in the chip and lives as long as it.
        unsafe { device::Device::from_raw(&raw mut (*self.as_raw()).dev) }
    }

    /// The parent device, bound to the chip's driver, for use during an op
    /// (for instance to reach devres-managed I/O memory).
    ///
    /// The context token proves the caller is inside an op: ops run only while
    /// the chip is registered, and a chip built here is registered through
    /// devres, so it is removed before its parent's driver is unbound.
    pub fn bound_parent<'a, C: Context>(&'a self, _ctx: &'a C) -> &'a device::Device<Bound> {
        // SAFETY: `pwmchip_alloc` set a parent, which the chip's device holds a reference to.
        let parent: &device::Device =
            unsafe { device::Device::from_raw(bindings::pwmchip_parent(self.as_raw())) };
        // SAFETY: A context token exists only during an op, while the parent is bound (see
        // above); the returned reference does not outlive the token.
        unsafe { parent.as_bound() }
    }

    /// The driver data.
    pub fn drvdata(&self) -> &T {
        // SAFETY: By the type invariant the driver data is an initialised `T`, dropped only
        // when the last reference (of which `self` borrows one) goes.
        unsafe { &*bindings::pwmchip_get_drvdata(self.as_raw()).cast::<T>() }
    }

    /// The module that owns the chip (`chip->owner`), NULL for built-in code.
    pub fn owner(&self) -> *mut bindings::module {
        // SAFETY: `owner` is set at registration, before anyone else sees the chip.
        unsafe { (*self.as_raw()).owner }
    }
}

// SAFETY: The embedded device's reference count keeps the chip alive; its release (set by
// `Chip::new`) frees it.
unsafe impl<T: Ops> AlwaysRefCounted for Chip<T> {
    fn inc_ref(&self) {
        // SAFETY: `self` proves a reference is held.
        unsafe { bindings::get_device(&raw mut (*self.as_raw()).dev) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference it holds.
        unsafe { bindings::put_device(&raw mut (*obj.as_ref().as_raw()).dev) };
    }
}

/// A chip allocated by [`Chip::new`] and not registered yet.
pub struct UnregisteredChip<'a, T: Ops> {
    chip: ARef<Chip<T>>,
    parent: &'a device::Device<Bound>,
}

impl<T: Ops> UnregisteredChip<'_, T> {
    /// Registers the chip (`__pwmchip_add`) and removes it (`pwmchip_remove`)
    /// when the parent's driver unbinds.
    ///
    /// The chip's owner is the module that implements `T`'s [`Ops`]
    /// (`T::OwnerModule`, set by `#[vtable]`): the core pins it while a
    /// consumer holds a channel, even after removal, so it cannot unload
    /// under a consumer, nor before the chip's release has dropped `T`.
    /// Returns a reference to the chip, which outlives the registration.
    pub fn register(self) -> Result<ARef<Chip<T>>> {
        let owner = this_module::<T::OwnerModule>();
        // SAFETY: The chip was allocated by `pwmchip_alloc` with its ops set, and is not
        // registered.
        to_result(unsafe { bindings::__pwmchip_add(self.chip.as_raw(), owner.as_ptr()) })?;
        // On failure `register` drops the `Registration`, which removes the chip again.
        devres::register(
            self.parent,
            Registration {
                chip: self.chip.clone(),
            },
            GFP_KERNEL,
        )?;
        Ok(self.chip)
    }
}

impl<T: Ops> Deref for UnregisteredChip<'_, T> {
    type Target = Chip<T>;

    fn deref(&self) -> &Chip<T> {
        &self.chip
    }
}

/// Removes a registered chip when the parent's driver unbinds.
///
/// # Invariants
///
/// `chip` is registered, and only this removes it.
struct Registration<T: Ops> {
    chip: ARef<Chip<T>>,
}

impl<T: Ops> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the chip is registered and this is its only removal.
        // After this no op of the chip runs again.
        unsafe { bindings::pwmchip_remove(self.chip.as_raw()) };
    }
}
