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
    bindings,
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
        size_of,
        ManuallyDrop, //
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

/// A PWM chip of any driver (`struct pwm_chip`), without its driver data.
///
/// This is what outlives a chip's registration: an [`ARef<AnyChip>`] keeps
/// the chip's memory, its id and its device, but never gives access to the
/// driver data, which is dropped when the chip is removed.
///
/// # Invariants
///
/// The chip was allocated by `pwmchip_alloc()` and a reference to its device
/// is held for as long as `&AnyChip` is.
#[repr(transparent)]
pub struct AnyChip(Opaque<bindings::pwm_chip>);

// SAFETY: Shared access only reads fields fixed before registration; the core serialises
// everything else.
unsafe impl Send for AnyChip {}

// SAFETY: As for `Send`.
unsafe impl Sync for AnyChip {}

impl AnyChip {
    /// The C chip.
    pub fn as_raw(&self) -> *mut bindings::pwm_chip {
        self.0.get()
    }

    /// Number of channels (`chip->npwm`).
    pub fn npwm(&self) -> u32 {
        // SAFETY: By the type invariant the chip is alive; `npwm` is fixed at allocation.
        unsafe { (*self.as_raw()).npwm }
    }

    /// Whether the chip is atomic (`chip->atomic`).
    pub fn is_atomic(&self) -> bool {
        // SAFETY: By the type invariant the chip is alive; `atomic` is fixed before
        // registration.
        unsafe { (*self.as_raw()).atomic }
    }

    /// The chip's id (`pwmchipN`), valid once registered.
    pub fn id(&self) -> u32 {
        // SAFETY: By the type invariant the chip is alive; `id` is set by registration,
        // before anyone else sees the chip.
        unsafe { (*self.as_raw()).id }
    }

    /// The chip's own `struct device` (class `pwm`).
    pub fn device(&self) -> &device::Device {
        // SAFETY: The device is embedded in the chip and lives as long as it.
        unsafe { device::Device::from_raw(&raw mut (*self.as_raw()).dev) }
    }

    /// The module that owns the chip (`chip->owner`), NULL for built-in code.
    pub fn owner(&self) -> *mut bindings::module {
        // SAFETY: By the type invariant the chip is alive; `owner` is set at registration,
        // before anyone else sees the chip.
        unsafe { (*self.as_raw()).owner }
    }
}

// SAFETY: The embedded device's reference count keeps the chip alive; its release (the
// core's `pwmchip_release`, built into the kernel) frees it.
unsafe impl AlwaysRefCounted for AnyChip {
    fn inc_ref(&self) {
        // SAFETY: `self` proves a reference is held.
        unsafe { bindings::get_device(&raw mut (*self.as_raw()).dev) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference it holds.
        unsafe { bindings::put_device(&raw mut (*obj.as_ref().as_raw()).dev) };
    }
}

/// A PWM chip (`struct pwm_chip`) whose driver data is a `T`, as its driver
/// sees it: while building it ([`UnregisteredChip`]) and inside its ops.
///
/// The chip, its channels, the core's state and `T` share one allocation made
/// by `pwmchip_alloc()`. `T` lives from [`Chip::new`] until the chip is
/// removed (or, if it never was registered, until the [`UnregisteredChip`] is
/// dropped): both happen while the driver is bound, so the drop of `T` is
/// driver code that runs while its module is loaded. The chip's memory lives
/// on as long as anyone holds a reference, released by the core's own code,
/// never by the driver's module. That is why a `Chip<T>` is only ever
/// borrowed: a reference that outlives the driver is an [`ARef<AnyChip>`].
///
/// # Invariants
///
/// The chip was allocated by [`Chip::new`] for `T`, and its driver data is an
/// initialised `T` for as long as `&Chip<T>` lives.
#[repr(transparent)]
pub struct Chip<T: Ops>(AnyChip, PhantomData<T>);

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
    /// [`Atomic`](super::Atomic) or [`RawAtomic`](super::RawAtomic). It is not
    /// registered yet: see [`UnregisteredChip::register`].
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
        // SAFETY: `raw` is non-NULL (from `from_err_ptr`) and we own its one reference; the
        // release is the core's, which does not look at the driver data.
        let chip: ARef<AnyChip> = unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast())) };
        // SAFETY: `raw` is a chip just allocated by `pwmchip_alloc`.
        let priv_ = unsafe { bindings::pwmchip_get_drvdata(raw) }.cast::<T>();
        if priv_.align_offset(align_of::<T>()) != 0 {
            // The core aligns driver data as for DMA; no driver data needs more.
            return Err(EINVAL);
        }
        // SAFETY: `priv_` is `size_of::<T>()` bytes of suitably aligned, uninitialised memory
        // inside the chip's allocation, which never moves. On failure dropping `chip` frees it.
        unsafe { pin_init::raw_try_init(priv_, data) }?;
        // SAFETY: The chip is not shared yet; these fields are the driver's to set before
        // registration.
        unsafe {
            (*raw).ops = Adapter::<T>::vtable();
            (*raw).atomic = super::is_atomic::<T>();
        }
        #[cfg(CONFIG_PWM_RUST_CORE)]
        if super::is_raw_atomic::<T>() {
            // SAFETY: The chip is from `pwmchip_alloc` and not registered yet; `T`'s ops take
            // no lock that may sleep on `PREEMPT_RT` (`RawAtomic`'s contract).
            unsafe { bindings::pwmchip_set_raw_atomic(raw) };
        }
        // INVARIANT: The driver data is an initialised `T`, owned by the `UnregisteredChip`
        // until it is registered or dropped.
        Ok(UnregisteredChip {
            chip,
            parent,
            _data: PhantomData,
        })
    }

    /// # Safety
    ///
    /// `ptr` points to a chip allocated by [`Chip::new`] for `T` whose driver
    /// data is alive for `'a` (during an op of the registered chip).
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::pwm_chip) -> &'a Self {
        // SAFETY: `Chip` is a transparent wrapper of `pwm_chip`; the caller guarantees the
        // type invariant and the lifetime.
        unsafe { &*ptr.cast() }
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
        // SAFETY: By the type invariant the driver data is an initialised `T` for as long as
        // `self` is borrowed.
        unsafe { &*bindings::pwmchip_get_drvdata(self.as_raw()).cast::<T>() }
    }

    /// Drops the driver data of `chip`.
    ///
    /// # Safety
    ///
    /// `chip` was allocated by [`Chip::new`] for `T`, its driver data is
    /// initialised, and no op of the chip runs or will run and no `&Chip<T>`
    /// lives: it was never registered, or `pwmchip_remove()` returned.
    unsafe fn drop_data(chip: &AnyChip) {
        // SAFETY: By the safety requirements the driver data is a `T` nobody uses any more;
        // it is dropped exactly once.
        unsafe {
            core::ptr::drop_in_place(bindings::pwmchip_get_drvdata(chip.as_raw()).cast::<T>())
        };
    }
}

impl<T: Ops> Deref for Chip<T> {
    type Target = AnyChip;

    fn deref(&self) -> &AnyChip {
        &self.0
    }
}

/// A chip allocated by [`Chip::new`] and not registered yet; dropping it
/// drops the driver data and the chip.
///
/// # Invariants
///
/// `chip` was allocated by [`Chip::new`] for `T`, is not registered, and its
/// driver data is an initialised `T` that this value owns.
pub struct UnregisteredChip<'a, T: Ops> {
    chip: ARef<AnyChip>,
    parent: &'a device::Device<Bound>,
    _data: PhantomData<T>,
}

impl<T: Ops> UnregisteredChip<'_, T> {
    /// Registers the chip (`__pwmchip_add`) and removes it (`pwmchip_remove`)
    /// when the parent's driver unbinds; the driver data is dropped right
    /// after the removal, still while the driver is bound.
    ///
    /// The chip's owner is the module that implements `T`'s [`Ops`]
    /// (`T::OwnerModule`, set by `#[vtable]`): the core pins it while a
    /// consumer holds a channel, so it cannot unload under a consumer.
    /// Returns a reference to the chip, which outlives the registration but
    /// gives no access to the driver data.
    pub fn register(self) -> Result<ARef<AnyChip>> {
        let owner = this_module::<T::OwnerModule>();
        // SAFETY: By the type invariant the chip comes from `pwmchip_alloc` with its ops set,
        // and is not registered. On failure `self` drops the driver data and the chip.
        to_result(unsafe { bindings::__pwmchip_add(self.chip.as_raw(), owner.as_ptr()) })?;
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the reference and the ownership of
        // the driver data move into the `Registration`.
        let chip = unsafe { core::ptr::read(&this.chip) };
        // INVARIANT: The chip is registered; only the `Registration` removes it and drops `T`.
        let registration = Registration::<T> {
            chip: chip.clone(),
            _data: PhantomData,
        };
        // On failure `register` drops the `Registration`, which removes the chip again.
        devres::register(this.parent, registration, GFP_KERNEL)?;
        Ok(chip)
    }
}

impl<T: Ops> Deref for UnregisteredChip<'_, T> {
    type Target = Chip<T>;

    fn deref(&self) -> &Chip<T> {
        // SAFETY: By the type invariant the chip is one of `T` with initialised driver data,
        // which lives until `self` is dropped.
        unsafe { Chip::from_raw(self.chip.as_raw()) }
    }
}

impl<T: Ops> Drop for UnregisteredChip<'_, T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the chip was never registered, so no op ran or will
        // run, and the `&Chip<T>` handed out by `deref` cannot outlive `self`.
        unsafe { Chip::<T>::drop_data(&self.chip) };
    }
}

/// Removes a registered chip when the parent's driver unbinds, then drops
/// its driver data.
///
/// # Invariants
///
/// `chip` was allocated by [`Chip::new`] for `T` and is registered; only this
/// removes it, and it owns the driver data.
struct Registration<T: Ops> {
    chip: ARef<AnyChip>,
    _data: PhantomData<T>,
}

impl<T: Ops> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the chip is registered and this is its only removal.
        // After this no op of the chip runs again.
        unsafe { bindings::pwmchip_remove(self.chip.as_raw()) };
        // SAFETY: The chip was removed, so no op runs any more and no `&Chip<T>` (handed to
        // ops only) lives; the driver is still bound, so this is its module's code running
        // while the module is loaded.
        unsafe { Chip::<T>::drop_data(&self.chip) };
    }
}
