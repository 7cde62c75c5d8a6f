// SPDX-License-Identifier: GPL-2.0

//! PWM chips: one allocation per chip, its reference count, its locks.
//!
//! `pwmchip_alloc` makes one block holding, in order, the core's own state of
//! the chip ([`ChipCore`]), the C-visible `struct pwm_chip` with its
//! `pwms[npwm]`, and the driver's private data aligned to `ARCH_DMA_MINALIGN`.
//! The `struct device` embedded in the chip is the reference count; its
//! release (`pwmchip_release`) frees the block.
//!
//! Driver ops are reachable only through [`Ops`] and [`ControlOps`], which
//! exist only while the chip's lock is held and the chip is operational, so
//! no op runs after `pwmchip_remove` revoked the chip.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::{
    alloc::Layout,
    mem::{
        align_of,
        size_of,
        MaybeUninit, //
    },
    ops::Deref,
    ptr::{
        self,
        NonNull, //
    },
    sync::atomic::{
        AtomicBool,
        AtomicPtr,
        AtomicUsize,
        Ordering, //
    },
};
use kernel::{
    alloc::{
        allocator::Kmalloc,
        flags::{
            __GFP_ZERO, //
            GFP_KERNEL,
        },
        Allocator,
        NumaNode, //
    },
    bindings,
    error::to_result,
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    sync::{
        aref::{
            ARef,
            AlwaysRefCounted, //
        },
        new_mutex,
        new_raw_spinlock_irq,
        new_spinlock_irq,
        Mutex,
        MutexGuard,
        RawSpinLockIrq,
        RawSpinLockIrqGuard,
        SpinLockIrq,
        SpinLockIrqGuard, //
    },
    types::Opaque,
};

use crate::{
    class,
    debug,
    trace, //
};

/// Whether a chip may still call into its driver.
pub(crate) struct Presence {
    operational: bool,
}

/// The core's own state of a chip, at the start of the chip's allocation.
#[pin_data]
pub(crate) struct ChipCore {
    /// Serialises request, free, capture and removal; for sleeping chips also
    /// every other driver op.
    #[pin]
    control: Mutex<Presence>,
    /// For atomic chips, serialises the ops that may run in atomic context
    /// (apply, get_state and the waveform ops). A `spinlock_t`, as upstream's,
    /// so that drivers may take `spinlock_t`s (and regmap-mmio locks) in them.
    #[pin]
    atomic: SpinLockIrq<Presence>,
    /// The same for raw atomic chips (`pwmchip_set_raw_atomic()`), whose ops
    /// take only raw spinlocks, so that `pwm_apply_atomic()` works in hard
    /// hrtimers and `IRQF_NO_THREAD` handlers, also on `PREEMPT_RT`.
    #[pin]
    raw: RawSpinLockIrq<Presence>,
    /// `chip->atomic` as it was at registration.
    is_atomic: AtomicBool,
    /// Whether the driver asked for the raw lock, before registration.
    wants_raw: AtomicBool,
    /// Whether the chip is atomic and uses the raw lock, fixed at registration.
    is_raw: AtomicBool,
    /// Whether the driver had the waveform ops at registration.
    has_waveform: AtomicBool,
    /// Whether the chip is registered: set when registration publishes it,
    /// cleared by the first removal, so that a second one does nothing.
    /// Registration and removal hold it throughout, so that a removal racing
    /// another returns only once the chip is removed.
    #[pin]
    registration: Mutex<bool>,
    /// The module that registered the chip.
    owner: AtomicPtr<bindings::module>,
    /// The layout of the whole allocation, to free it.
    layout: Layout,
}

/// Offset of the `struct pwm_chip` from the start of its allocation.
const CHIP_OFFSET: usize = {
    let align = if align_of::<bindings::pwm_chip>() > align_of::<ChipCore>() {
        align_of::<bindings::pwm_chip>()
    } else {
        align_of::<ChipCore>()
    };
    size_of::<ChipCore>().next_multiple_of(align)
};

unsafe extern "C" {
    /// `ARCH_DMA_MINALIGN`, from `exports.c`.
    fn pwm_core_priv_align() -> usize;
}

fn priv_align() -> usize {
    // SAFETY: A plain C function returning a constant.
    unsafe { pwm_core_priv_align() }
}

/// Where the parts of a chip's allocation go.
struct ChipLayout {
    layout: Layout,
    priv_offset: usize,
}

impl ChipLayout {
    fn new(npwm: u32, sizeof_priv: usize) -> Result<Self> {
        let priv_align = priv_align();
        // All three are powers of two, so is the largest. The block's start is
        // aligned to it, so the offsets below are absolute alignments.
        let align = align_of::<ChipCore>()
            .max(align_of::<bindings::pwm_chip>())
            .max(priv_align);
        let chip_end = size_of::<bindings::pwm_device>()
            .checked_mul(npwm as usize)
            .and_then(|pwms| pwms.checked_add(size_of::<bindings::pwm_chip>()))
            .and_then(|chip| chip.checked_add(CHIP_OFFSET))
            .ok_or(ENOMEM)?;
        let priv_offset = chip_end
            .checked_next_multiple_of(priv_align)
            .ok_or(ENOMEM)?;
        let size = priv_offset.checked_add(sizeof_priv).ok_or(ENOMEM)?;
        let layout = Layout::from_size_align(size, align).map_err(|_| ENOMEM)?;
        Ok(Self {
            layout,
            priv_offset,
        })
    }
}

/// A PWM chip as drivers and consumers share it: the C `struct pwm_chip`.
///
/// # Invariants
///
/// The chip was allocated by [`alloc`], so its [`ChipCore`] precedes it, and
/// it is alive: a reference to `dev` is held for as long as `&Chip` is.
#[repr(transparent)]
pub(crate) struct Chip(Opaque<bindings::pwm_chip>);

// SAFETY: The fields the core changes are changed under the chip's locks or are atomics; the
// fields drivers and consumers read are published before the chip is registered.
unsafe impl Send for Chip {}
// SAFETY: As above.
unsafe impl Sync for Chip {}

// SAFETY: The reference count of a chip is its embedded `struct device`'s; `get_device` and
// `put_device` keep it, and the device's release frees the chip.
unsafe impl AlwaysRefCounted for Chip {
    fn inc_ref(&self) {
        // SAFETY: By the type invariant the device is alive.
        unsafe { bindings::get_device(self.dev()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference to the chip's device.
        unsafe { bindings::put_device(obj.as_ref().dev()) };
    }
}

impl Chip {
    /// Borrows a C chip.
    ///
    /// # Safety
    ///
    /// `ptr` points to a chip from `pwmchip_alloc` on which the caller holds a
    /// reference for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::pwm_chip) -> &'a Self {
        // SAFETY: `Chip` is a transparent wrapper; the caller guarantees the rest.
        unsafe { &*ptr.cast() }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::pwm_chip {
        self.0.get()
    }

    pub(crate) fn dev(&self) -> *mut bindings::device {
        // SAFETY: By the type invariant the chip is alive.
        unsafe { &raw mut (*self.as_raw()).dev }
    }

    /// The chip's own device (`chip->dev`).
    pub(crate) fn device(&self) -> &kernel::device::Device {
        // SAFETY: By the type invariant the device is alive while `self` is borrowed.
        unsafe { kernel::device::Device::from_raw(self.dev()) }
    }

    pub(crate) fn parent(&self) -> *mut bindings::device {
        // SAFETY: By the type invariant the chip is alive; `parent` is set at allocation.
        unsafe { (*self.as_raw()).dev.parent }
    }

    pub(crate) fn npwm(&self) -> u32 {
        // SAFETY: By the type invariant the chip is alive; `npwm` is set at allocation.
        unsafe { (*self.as_raw()).npwm }
    }

    pub(crate) fn id(&self) -> u32 {
        // SAFETY: By the type invariant the chip is alive; `id` is set before registration.
        unsafe { (*self.as_raw()).id }
    }

    pub(crate) fn core(&self) -> &ChipCore {
        // SAFETY: By the type invariant the chip was allocated by `alloc`, which put its
        // `ChipCore` `CHIP_OFFSET` bytes before it, initialised, for the life of the chip.
        unsafe {
            &*self
                .as_raw()
                .cast::<u8>()
                .sub(CHIP_OFFSET)
                .cast::<ChipCore>()
        }
    }

    /// Channel `index`, if the chip has it.
    pub(crate) fn pwm(&self, index: u32) -> Option<&Pwm> {
        if index >= self.npwm() {
            return None;
        }
        // SAFETY: `pwms` has `npwm` elements in the chip's allocation, alive as the chip is.
        Some(unsafe { Pwm::from_raw((*self.as_raw()).pwms.as_mut_ptr().add(index as usize)) })
    }

    pub(crate) fn pwms(&self) -> impl Iterator<Item = &Pwm> {
        (0..self.npwm()).filter_map(|i| self.pwm(i))
    }

    /// Whether the driver has the waveform ops, as at registration; safe to ask
    /// after removal.
    pub(crate) fn supports_waveform(&self) -> bool {
        self.core().has_waveform.load(Ordering::Relaxed)
    }

    pub(crate) fn is_atomic(&self) -> bool {
        self.core().is_atomic.load(Ordering::Relaxed)
    }

    /// Whether the chip's ops run under its raw spinlock.
    pub(crate) fn is_raw(&self) -> bool {
        self.core().is_raw.load(Ordering::Relaxed)
    }

    /// Asks for the raw spinlock around the ops (`pwmchip_set_raw_atomic()`);
    /// takes effect at registration if the chip is atomic then.
    pub(crate) fn set_wants_raw(&self) {
        self.core().wants_raw.store(true, Ordering::Relaxed);
    }

    /// `might_sleep()` ahead of an op that may sleep. A sleeping chip's ops
    /// lock is a mutex, and `mutex_lock()` calls `might_sleep()` first
    /// thing: only atomic chips need it here.
    #[inline]
    #[track_caller]
    pub(crate) fn might_sleep(&self) {
        if self.is_atomic() {
            kernel::task::might_sleep();
        }
    }

    /// `chip->operational`, the C-visible mirror of the flags under the
    /// chip's locks, which [`Control`] writes with them.
    fn operational_flag(&self) -> &AtomicBool {
        // SAFETY: `operational` is a `bool`, alive as the chip is, with the layout and alignment
        // of an `AtomicBool`; the core writes it only through this view after allocation.
        unsafe { AtomicBool::from_ptr(&raw mut (*self.as_raw()).operational) }
    }

    /// Whether the chip is operational, without taking a lock: a hint for
    /// failing early, as the chip may be removed right after. Ops check
    /// again under their lock ([`Chip::with_live_ops`]).
    #[inline]
    pub(crate) fn is_live(&self) -> bool {
        self.operational_flag().load(Ordering::Acquire)
    }

    /// Locks the spinlock of an atomic chip: the raw one if the chip uses it.
    #[inline]
    fn lock_spin(&self) -> OpsGuard<'_> {
        let core = self.core();
        if self.is_raw() {
            OpsGuard::Raw(core.raw.lock())
        } else {
            OpsGuard::Atomic(core.atomic.lock())
        }
    }

    /// Locks whether the chip is registered, for a registration or a
    /// removal, which hold it throughout.
    pub(crate) fn lock_registration(&self) -> MutexGuard<'_, bool> {
        self.core().registration.lock()
    }

    pub(crate) fn owner(&self) -> *mut bindings::module {
        self.core().owner.load(Ordering::Relaxed)
    }

    /// Runs `f` with the chip's ops lock held (the control mutex of a
    /// sleeping chip, the spinlock of an atomic one, the raw spinlock of a
    /// raw atomic one), operational or not; `f` gets whether it is.
    ///
    /// `f` has one call site, so that it is not inlined once per kind of
    /// lock.
    #[inline]
    pub(crate) fn with_ops_lock<R>(&self, f: impl FnOnce(bool) -> R) -> R {
        self.with_ops_lock_as(self.is_atomic(), f)
    }

    /// [`Chip::with_ops_lock`] for a caller that has read
    /// [`Chip::is_atomic`], which is fixed before the chip is published.
    #[inline]
    fn with_ops_lock_as<R>(&self, atomic: bool, f: impl FnOnce(bool) -> R) -> R {
        // Sleeping chips first: they are the most common.
        let guard = if !atomic {
            OpsGuard::Sleeping(self.core().control.lock())
        } else {
            self.lock_spin()
        };
        let operational = match &guard {
            OpsGuard::Sleeping(g) => g.operational,
            OpsGuard::Atomic(g) => g.operational,
            OpsGuard::Raw(g) => g.operational,
        };
        let ret = f(operational);
        drop(guard);
        ret
    }

    /// Runs `f` with the chip's ops lock held if the chip is operational;
    /// `ENODEV` once it was removed, without calling `f`.
    #[inline]
    pub(crate) fn with_live_ops<R>(&self, f: impl FnOnce(&Ops<'_>) -> R) -> Result<R> {
        self.with_live_ops_as(self.is_atomic(), f)
    }

    /// [`Chip::with_live_ops`] for a caller that has read [`Chip::is_atomic`].
    #[inline]
    pub(crate) fn with_live_ops_as<R>(
        &self,
        atomic: bool,
        f: impl FnOnce(&Ops<'_>) -> R,
    ) -> Result<R> {
        self.with_ops_lock_as(atomic, |operational| {
            if !operational {
                return Err(ENODEV);
            }
            // SAFETY: The chip is operational, checked under its ops lock, which is held
            // until `f` returns.
            Ok(f(&unsafe { Ops::new(self) }))
        })
    }

    /// Locks the chip's control mutex.
    pub(crate) fn lock_control(&self) -> Control<'_> {
        Control {
            chip: self,
            guard: self.core().control.lock(),
        }
    }

    /// The driver's ops.
    ///
    /// # Safety
    ///
    /// The chip is registered and operational, so its driver is bound and
    /// `ops` points to its (static) op table.
    unsafe fn ops(&self) -> &bindings::pwm_ops {
        // SAFETY: The caller guarantees that `ops` is valid.
        unsafe { &*(*self.as_raw()).ops }
    }
}

/// Allocates a chip with `npwm` channels and `sizeof_priv` bytes of private data.
///
/// Returns the chip with one reference, owned by the caller.
pub(crate) fn alloc(
    parent: *mut bindings::device,
    npwm: u32,
    sizeof_priv: usize,
) -> Result<NonNull<bindings::pwm_chip>> {
    let plan = ChipLayout::new(npwm, sizeof_priv)?;
    let block = Kmalloc::alloc(plan.layout, GFP_KERNEL | __GFP_ZERO, NumaNode::NO_NODE)?;
    let base = block.cast::<u8>().as_ptr();

    let init = pin_init!(ChipCore {
        control <- new_mutex!(Presence { operational: false }, "pwm_chip_control"),
        atomic <- new_spinlock_irq!(Presence { operational: false }, "pwm_chip_atomic"),
        raw <- new_raw_spinlock_irq!(Presence { operational: false }, "pwm_chip_raw"),
        is_atomic: AtomicBool::new(false),
        wants_raw: AtomicBool::new(false),
        is_raw: AtomicBool::new(false),
        has_waveform: AtomicBool::new(false),
        registration <- new_mutex!(false, "pwm_chip_registration"),
        owner: AtomicPtr::new(ptr::null_mut()),
        layout: plan.layout,
    });
    // SAFETY: `base` is a fresh allocation aligned for `ChipCore` and large enough for it; it is
    // never moved, and it is dropped in place only by `release`.
    match unsafe { init.__init(base.cast::<ChipCore>()) } {
        Ok(()) => {}
        Err(e) => match e {},
    }

    // SAFETY: The chip lies `CHIP_OFFSET` bytes into the allocation, which holds it, its `npwm`
    // channels and the private data; the memory is zeroed, a valid `pwm_chip`.
    let chip = unsafe { base.add(CHIP_OFFSET) }.cast::<bindings::pwm_chip>();
    // SAFETY: `chip` is valid for writes and not shared yet.
    unsafe {
        (*chip).npwm = npwm;
        (*chip).uses_pwmchip_alloc = true;
        (*chip).operational = false;
        let dev = &raw mut (*chip).dev;
        bindings::device_initialize(dev);
        (*dev).class = class::pwm_class();
        (*dev).parent = parent;
        (*dev).release = Some(bindings::pwmchip_release);
        bindings::dev_set_drvdata(dev, base.add(plan.priv_offset).cast::<c_void>());
        for i in 0..npwm as usize {
            let pwm = (*chip).pwms.as_mut_ptr().add(i);
            (*pwm).chip = chip;
            (*pwm).hwpwm = i as u32;
        }
    }
    // SAFETY: `chip` is inside a successful allocation.
    Ok(unsafe { NonNull::new_unchecked(chip) })
}

/// Frees a chip whose last reference is gone.
///
/// # Safety
///
/// `dev` is the device of a chip from [`alloc`] whose reference count dropped to zero.
pub(crate) unsafe fn release(dev: *mut bindings::device) {
    // SAFETY: The caller guarantees that `dev` belongs to a chip from `alloc`.
    let chip = unsafe { kernel::container_of!(dev, bindings::pwm_chip, dev) };
    // SAFETY: `alloc` put the chip `CHIP_OFFSET` bytes into the allocation.
    let base = unsafe { chip.cast::<u8>().sub(CHIP_OFFSET) };
    let core = base.cast::<ChipCore>();
    // SAFETY: `alloc` initialised the `ChipCore`; nobody uses it any more.
    let layout = unsafe { (*core).layout };
    // SAFETY: As above; it is dropped exactly once, here.
    unsafe { ptr::drop_in_place(core) };
    // SAFETY: `base` was allocated by `Kmalloc` with `layout`.
    unsafe { Kmalloc::free(NonNull::new_unchecked(base), layout) };
}

/// Records what registration decides about a chip before it is published.
pub(crate) fn prepare_registration(chip: &Chip, owner: *mut bindings::module) {
    let core = chip.core();
    core.owner.store(owner, Ordering::Relaxed);
    // SAFETY: The chip is alive and not published yet; `owner` is its C-visible mirror, and
    // drivers set `atomic` before registering.
    let atomic = unsafe {
        (*chip.as_raw()).owner = owner;
        (*chip.as_raw()).atomic
    };
    core.is_atomic.store(atomic, Ordering::Relaxed);
    core.is_raw.store(
        atomic && core.wants_raw.load(Ordering::Relaxed),
        Ordering::Relaxed,
    );
    // SAFETY: The driver registering the chip is bound; its ops are valid.
    let waveform = unsafe { chip.ops() }.write_waveform.is_some();
    core.has_waveform.store(waveform, Ordering::Relaxed);
}

/// A PWM channel: the C `struct pwm_device`.
///
/// # Invariants
///
/// The channel belongs to a chip from [`alloc`] that is alive for as long as
/// `&Pwm` is.
#[repr(transparent)]
pub(crate) struct Pwm(Opaque<bindings::pwm_device>);

impl Pwm {
    /// Borrows a C channel.
    ///
    /// # Safety
    ///
    /// `ptr` is a channel of a chip from `pwmchip_alloc`, and the caller holds a
    /// reference to that chip (for instance by having requested the channel) for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::pwm_device) -> &'a Self {
        // SAFETY: `Pwm` is a transparent wrapper; the caller guarantees the rest.
        unsafe { &*ptr.cast() }
    }

    pub(crate) fn as_raw(&self) -> *mut bindings::pwm_device {
        self.0.get()
    }

    /// The channel with a reference to its chip, which keeps it alive.
    pub(crate) fn to_ref(&self) -> PwmRef {
        // INVARIANT: `self` is a channel of `self.chip()`.
        PwmRef {
            _chip: ARef::from(self.chip()),
            pwm: NonNull::from(self),
        }
    }

    pub(crate) fn chip(&self) -> &Chip {
        // SAFETY: By the type invariant the chip is alive; `chip` never changes after
        // allocation and the chip is from `alloc`.
        unsafe { Chip::from_raw((*self.as_raw()).chip) }
    }

    pub(crate) fn hwpwm(&self) -> u32 {
        // SAFETY: By the type invariant the channel is alive; `hwpwm` is set at allocation.
        unsafe { (*self.as_raw()).hwpwm }
    }

    fn flags(&self) -> &AtomicUsize {
        // SAFETY: `flags` is an aligned `unsigned long`, alive as the channel is; C changes it
        // only with atomic bit operations.
        unsafe { AtomicUsize::from_ptr((&raw mut (*self.as_raw()).flags).cast::<usize>()) }
    }

    pub(crate) fn is_requested(&self) -> bool {
        self.flags().load(Ordering::Relaxed) & REQUESTED != 0
    }

    pub(crate) fn set_requested(&self) {
        self.flags().fetch_or(REQUESTED, Ordering::AcqRel);
    }

    /// Clears the requested flag; returns whether it was set.
    pub(crate) fn take_requested(&self) -> bool {
        self.flags().fetch_and(!REQUESTED, Ordering::AcqRel) & REQUESTED != 0
    }

    /// Whether the channel is exported through sysfs (it has a `pwmN` child).
    pub(crate) fn is_exported(&self) -> bool {
        self.flags().load(Ordering::Relaxed) & EXPORTED != 0
    }

    /// Marks the channel exported. Callers hold the control mutex.
    pub(crate) fn set_exported(&self) {
        self.flags().fetch_or(EXPORTED, Ordering::AcqRel);
    }

    /// Clears the exported flag; returns whether it was set. Callers hold the
    /// control mutex: whoever clears the flag owns the `pwmN` child.
    pub(crate) fn take_exported(&self) -> bool {
        self.flags().fetch_and(!EXPORTED, Ordering::AcqRel) & EXPORTED != 0
    }

    /// The state the core last applied.
    pub(crate) fn state(&self) -> bindings::pwm_state {
        // SAFETY: By the type invariant the channel is alive.
        unsafe { (*self.as_raw()).state }
    }

    /// Records the state the hardware now has.
    ///
    /// Callers hold the chip's ops lock, which serialises every writer.
    pub(crate) fn set_state(&self, state: &bindings::pwm_state) {
        // SAFETY: By the type invariant the channel is alive.
        unsafe { (*self.as_raw()).state = *state };
    }

    /// The state the hardware ran after the last checked apply
    /// (`CONFIG_PWM_DEBUG`).
    pub(crate) fn last(&self) -> bindings::pwm_state {
        // SAFETY: By the type invariant the channel is alive.
        unsafe { (*self.as_raw()).last }
    }

    /// Records what the hardware runs, for the next check of an apply.
    ///
    /// Callers hold the chip's ops lock, which serialises every writer.
    pub(crate) fn set_last(&self, state: &bindings::pwm_state) {
        // SAFETY: By the type invariant the channel is alive.
        unsafe { (*self.as_raw()).last = *state };
    }

    pub(crate) fn args(&self) -> bindings::pwm_args {
        // SAFETY: By the type invariant the channel is alive.
        unsafe { (*self.as_raw()).args }
    }

    /// Sets the consumer's arguments (period and polarity) of a channel it requested.
    pub(crate) fn set_args(&self, period: u64, polarity: bindings::pwm_polarity) {
        // SAFETY: By the type invariant the channel is alive; only its requester writes `args`.
        unsafe {
            (*self.as_raw()).args.period = period;
            (*self.as_raw()).args.polarity = polarity;
        }
    }

    /// The consumer's label (NULL when not requested or without one); only
    /// debugfs and the GPIO chip read it back.
    #[cfg(any(CONFIG_DEBUG_FS, CONFIG_PWM_PROVIDE_GPIO))]
    pub(crate) fn label(&self) -> *const kernel::ffi::c_char {
        // SAFETY: By the type invariant the channel is alive.
        unsafe { (*self.as_raw()).label }
    }

    /// Sets the consumer's label. Callers hold the chip's control mutex, under
    /// which debugfs reads it.
    pub(crate) fn set_label(&self, label: *const kernel::ffi::c_char) {
        // SAFETY: By the type invariant the channel is alive.
        unsafe { (*self.as_raw()).label = label };
    }
}

/// `PWMF_REQUESTED` as a mask.
const REQUESTED: usize = 1 << bindings::PWMF_REQUESTED;
/// `PWMF_EXPORTED` as a mask.
const EXPORTED: usize = 1 << bindings::PWMF_EXPORTED;

/// A channel with a reference to its chip, which keeps the channel alive:
/// for holders that outlive any request, such as a sysfs export's device.
///
/// # Invariants
///
/// `pwm` is a channel of `_chip`.
pub(crate) struct PwmRef {
    /// Held, never read: the reference is what keeps `pwm` alive.
    _chip: ARef<Chip>,
    pwm: NonNull<Pwm>,
}

// SAFETY: As for `Chip`: the channel's fields that change are changed under the chip's locks
// or atomically.
unsafe impl Send for PwmRef {}
// SAFETY: As above.
unsafe impl Sync for PwmRef {}

impl Deref for PwmRef {
    type Target = Pwm;

    fn deref(&self) -> &Pwm {
        // SAFETY: By the type invariant a channel of `_chip`, in its allocation, which the
        // reference in `_chip` keeps alive.
        unsafe { self.pwm.as_ref() }
    }
}

/// The guard of a chip's ops lock, whichever kind it is.
enum OpsGuard<'a> {
    Sleeping(MutexGuard<'a, Presence>),
    Atomic(SpinLockIrqGuard<'a, Presence>),
    Raw(RawSpinLockIrqGuard<'a, Presence>),
}

/// A chip's control mutex, held.
pub(crate) struct Control<'a> {
    chip: &'a Chip,
    guard: MutexGuard<'a, Presence>,
}

impl Control<'_> {
    pub(crate) fn is_operational(&self) -> bool {
        self.guard.operational
    }

    /// The driver's ops that may sleep even on atomic chips, if the chip is
    /// still operational; `ENODEV` once it was removed.
    pub(crate) fn live(&mut self) -> Result<ControlOps<'_>> {
        if !self.guard.operational {
            return Err(ENODEV);
        }
        Ok(ControlOps { chip: self.chip })
    }

    /// Sets the core's flag (every copy) and its C-visible mirror
    /// `chip->operational`.
    fn set_operational(&mut self, operational: bool) {
        self.guard.operational = operational;
        // Both spinlocks' copies, whichever the chip uses: the flag is checked
        // under the ops lock, so an op in progress finishes before this returns.
        self.chip.core().atomic.lock().operational = operational;
        self.chip.core().raw.lock().operational = operational;
        // The control mutex, held, serialises the writers.
        self.chip
            .operational_flag()
            .store(operational, Ordering::Release);
    }

    /// Marks the chip operational: its ops may be called from now on.
    pub(crate) fn enable(&mut self) {
        self.set_operational(true);
    }

    /// Revokes the chip: no driver op is called after this returns, except
    /// `free` for each channel still requested, which it calls itself.
    pub(crate) fn revoke(&mut self) {
        if !self.guard.operational {
            return;
        }
        // SAFETY: The chip is still operational: its driver is bound.
        let free = unsafe { self.chip.ops() }.free;
        self.set_operational(false);
        for pwm in self.chip.pwms() {
            if !pwm.take_requested() {
                continue;
            }
            // A sysfs export is the core's own user, unexported right after.
            if !pwm.is_exported() {
                dev_warn!(
                    self.chip.device(),
                    "Freeing requested PWM #{}\n",
                    pwm.hwpwm()
                );
            }
            if let Some(free) = free {
                // SAFETY: The driver is still bound (its remove path is running) and the
                // channel was requested.
                unsafe { free(self.chip.as_raw(), pwm.as_raw()) };
            }
        }
    }
}

/// The driver's ops of an operational chip with its control mutex held:
/// those that may sleep on any chip (request, free, capture).
pub(crate) struct ControlOps<'a> {
    chip: &'a Chip,
}

impl ControlOps<'_> {
    fn ops(&self) -> &bindings::pwm_ops {
        // SAFETY: `ControlOps` exists only while the chip is operational, checked under the
        // control mutex that is held for its lifetime.
        unsafe { self.chip.ops() }
    }

    /// Calls the driver's `request`, if it has one.
    pub(crate) fn request(&self, pwm: &Pwm) -> Result {
        match self.ops().request {
            // SAFETY: The chip is operational and `pwm` is one of its channels.
            Some(request) => to_result(unsafe { request(self.chip.as_raw(), pwm.as_raw()) }),
            None => Ok(()),
        }
    }

    /// Calls the driver's `capture`; `-ENOSYS` if it has none.
    pub(crate) fn capture(
        &self,
        pwm: &Pwm,
        result: &mut bindings::pwm_capture,
        timeout_ms: kernel::ffi::c_ulong,
    ) -> Result {
        let capture = self.ops().capture.ok_or(ENOSYS)?;
        // SAFETY: The chip is operational, `pwm` is one of its channels and `result` is
        // valid for writes.
        to_result(unsafe { capture(self.chip.as_raw(), pwm.as_raw(), result, timeout_ms) })
    }

    /// Calls the driver's `free`, if it has one.
    pub(crate) fn free(&self, pwm: &Pwm) {
        if let Some(free) = self.ops().free {
            // SAFETY: The chip is operational and `pwm` is one of its requested channels.
            unsafe { free(self.chip.as_raw(), pwm.as_raw()) };
        }
    }

    /// Runs `f` with the chip's ops lock held: for a sleeping chip that is the
    /// control mutex already held, for an atomic chip its (raw) spinlock.
    pub(crate) fn with_ops<R>(&self, f: impl FnOnce(&Ops<'_>) -> R) -> R {
        // One call site for `f`, as in `Chip::with_ops_lock`.
        let _guard = self.chip.is_atomic().then(|| self.chip.lock_spin());
        // SAFETY: The chip is operational: `revoke` clears every flag under every lock, and
        // the control mutex is held. For a sleeping chip that mutex is the ops lock; for an
        // atomic one its (raw) spinlock is held until `f` returns.
        f(&unsafe { Ops::new(self.chip) })
    }
}

/// What a C function's `int` return means (a driver op's, or the kernel's):
/// 0 or more is success, less is a negative errno. `kernel::error::to_result`,
/// but inlined, as it is on the path of every op and attribute write.
#[inline]
pub(crate) fn op_result(err: c_int) -> Result {
    if err < 0 {
        Err(Error::from_errno(err))
    } else {
        Ok(())
    }
}

/// A hardware waveform buffer, as drivers' waveform ops fill and read it.
///
/// Left uninitialised, as C's is: only drivers (and the tracepoints, after
/// the driver filled it) read its bytes, never the core.
#[repr(C, align(8))]
pub(crate) struct WfHw(MaybeUninit<[u8; bindings::PWM_WFHWSIZE as usize]>);

impl WfHw {
    pub(crate) fn new() -> Self {
        Self(MaybeUninit::uninit())
    }

    fn as_mut_ptr(&mut self) -> *mut c_void {
        self.0.as_mut_ptr().cast()
    }

    fn as_ptr(&self) -> *const c_void {
        self.0.as_ptr().cast()
    }
}

/// The driver's ops of an operational chip with its ops lock held.
///
/// # Invariants
///
/// The chip's ops lock is held and the chip is operational for the lifetime of the value.
pub(crate) struct Ops<'a> {
    chip: &'a Chip,
    /// The driver's op table, read once.
    ops: &'a bindings::pwm_ops,
}

impl<'a> Ops<'a> {
    /// # Safety
    ///
    /// The chip's ops lock is held and the chip is operational for `'a`.
    unsafe fn new(chip: &'a Chip) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            chip,
            // SAFETY: The chip is operational, so its driver is bound and its op table valid.
            ops: unsafe { chip.ops() },
        }
    }

    fn ops(&self) -> &bindings::pwm_ops {
        self.ops
    }

    /// Whether the driver implements the waveform ops (`write_waveform` and its rounding).
    pub(crate) fn has_waveform(&self) -> bool {
        self.ops().write_waveform.is_some()
    }

    pub(crate) fn has_read_waveform(&self) -> bool {
        self.ops().read_waveform.is_some()
    }

    pub(crate) fn has_get_state(&self) -> bool {
        self.ops().get_state.is_some()
    }

    /// Calls the driver's `apply`.
    pub(crate) fn apply(&self, pwm: &Pwm, state: &bindings::pwm_state) -> c_int {
        match self.ops().apply {
            Some(apply) => {
                // SAFETY: By the type invariant the ops lock is held and the chip operational;
                // `pwm` is its channel and `state` is valid.
                let err = unsafe { apply(self.chip.as_raw(), pwm.as_raw(), state) };
                // SAFETY: The arguments are valid for reads for the duration of the call.
                unsafe { trace::pwm_apply(pwm.as_raw().cast(), ptr::from_ref(state).cast(), err) };
                err
            }
            None => EOPNOTSUPP.to_errno(),
        }
    }

    /// Calls the driver's `get_state`.
    pub(crate) fn get_state(&self, pwm: &Pwm, state: &mut bindings::pwm_state) -> c_int {
        match self.ops().get_state {
            Some(get_state) => {
                // SAFETY: As for `apply`; `state` is valid for writes.
                let err = unsafe { get_state(self.chip.as_raw(), pwm.as_raw(), state) };
                // SAFETY: The arguments are valid for reads for the duration of the call.
                unsafe {
                    trace::pwm_get(
                        pwm.as_raw().cast(),
                        ptr::from_mut(state).cast_const().cast(),
                        err,
                    )
                };
                err
            }
            None => EOPNOTSUPP.to_errno(),
        }
    }

    /// Calls the driver's `round_waveform_tohw`.
    pub(crate) fn round_tohw(
        &self,
        pwm: &Pwm,
        wf: &bindings::pwm_waveform,
        wfhw: &mut WfHw,
    ) -> c_int {
        match self.ops().round_waveform_tohw {
            Some(op) => {
                // SAFETY: As for `apply`; `wfhw` has `PWM_WFHWSIZE >= sizeof_wfhw` bytes, checked
                // at registration.
                let err = unsafe { op(self.chip.as_raw(), pwm.as_raw(), wf, wfhw.as_mut_ptr()) };
                // SAFETY: The arguments are valid for reads for the duration of the call.
                unsafe {
                    trace::pwm_round_waveform_tohw(
                        pwm.as_raw().cast(),
                        ptr::from_ref(wf).cast(),
                        wfhw.as_mut_ptr(),
                        err,
                    )
                };
                err
            }
            None => EOPNOTSUPP.to_errno(),
        }
    }

    /// Calls the driver's `round_waveform_fromhw`.
    pub(crate) fn round_fromhw(
        &self,
        pwm: &Pwm,
        wfhw: &WfHw,
        wf: &mut bindings::pwm_waveform,
    ) -> c_int {
        match self.ops().round_waveform_fromhw {
            Some(op) => {
                // SAFETY: As for `round_tohw`.
                let err = unsafe { op(self.chip.as_raw(), pwm.as_raw(), wfhw.as_ptr(), wf) };
                // SAFETY: The arguments are valid for reads for the duration of the call.
                unsafe {
                    trace::pwm_round_waveform_fromhw(
                        pwm.as_raw().cast(),
                        wfhw.as_ptr(),
                        ptr::from_mut(wf).cast(),
                        err,
                    )
                };
                err
            }
            None => EOPNOTSUPP.to_errno(),
        }
    }

    /// Calls the driver's `read_waveform`.
    pub(crate) fn read_waveform(&self, pwm: &Pwm, wfhw: &mut WfHw) -> c_int {
        match self.ops().read_waveform {
            Some(op) => {
                // SAFETY: As for `round_tohw`.
                let err = unsafe { op(self.chip.as_raw(), pwm.as_raw(), wfhw.as_mut_ptr()) };
                // SAFETY: The arguments are valid for reads for the duration of the call.
                unsafe { trace::pwm_read_waveform(pwm.as_raw().cast(), wfhw.as_mut_ptr(), err) };
                err
            }
            None => EOPNOTSUPP.to_errno(),
        }
    }

    /// Calls the driver's `write_waveform`.
    pub(crate) fn write_waveform(&self, pwm: &Pwm, wfhw: &WfHw) -> c_int {
        match self.ops().write_waveform {
            Some(op) => {
                // SAFETY: As for `round_tohw`.
                let err = unsafe { op(self.chip.as_raw(), pwm.as_raw(), wfhw.as_ptr()) };
                // SAFETY: The arguments are valid for reads for the duration of the call.
                unsafe { trace::pwm_write_waveform(pwm.as_raw().cast(), wfhw.as_ptr(), err) };
                err
            }
            None => EOPNOTSUPP.to_errno(),
        }
    }
}

/// Checks a chip's op set: a complete waveform set, or at least `apply`.
pub(crate) fn ops_valid(chip: &Chip) -> bool {
    // SAFETY: The caller checked that `ops` is set; the driver is registering the chip.
    let ops = unsafe { chip.ops() };
    if ops.write_waveform.is_some() {
        if ops.round_waveform_tohw.is_none() || ops.round_waveform_fromhw.is_none() {
            return false;
        }
        if ops.sizeof_wfhw > bindings::PWM_WFHWSIZE as usize {
            // SAFETY: The parent is a live device (checked by the caller).
            let parent: &kernel::device::Device =
                unsafe { kernel::device::Device::from_raw(chip.parent()) };
            dev_warn!(parent, "PWM_WFHWSIZE < {}\n", ops.sizeof_wfhw);
            return false;
        }
        true
    } else {
        if ops.apply.is_none() {
            return false;
        }
        if debug::ENABLED {
            debug::check_registration(chip, ops.get_state.is_none());
        }
        true
    }
}
