// SPDX-License-Identifier: GPL-2.0

//! The driver side: the operations a PWM chip implements, and the C vtable
//! built from them.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use super::{
    Capture,
    Channel,
    Chip,
    State,
    Waveform, //
};
use crate::{
    bindings,
    error::{
        from_result,
        VTABLE_DEFAULT_ERROR, //
    },
    ffi::{
        c_int,
        c_ulong,
        c_void, //
    },
    prelude::*,
    time::{
        delay,
        Delta, //
    },
    types::NotThreadSafe,
};
use core::{
    marker::PhantomData,
    mem::size_of,
    ptr, //
};

mod private {
    pub trait Sealed {}
}

/// The context in which a chip's `apply`, `get_state` and waveform ops run.
///
/// Sealed: it is [`Sleeping`], [`Atomic`] or [`RawAtomic`], chosen by
/// [`Ops::Context`].
pub trait Context: private::Sealed + Sized + 'static {
    /// Whether the chip is atomic (`chip->atomic`).
    const ATOMIC: bool;

    /// Whether the chip's ops run under a raw spinlock
    /// (`pwmchip_set_raw_atomic()`).
    const RAW: bool;

    /// Creates the token.
    ///
    /// # Safety
    ///
    /// The caller runs in the context the token stands for: for [`Atomic`],
    /// with the chip's spinlock held and interrupts disabled; for
    /// [`RawAtomic`], with its raw spinlock held and interrupts disabled; for
    /// [`Sleeping`], with the chip's mutex held in a context that may sleep.
    #[doc(hidden)]
    unsafe fn assume() -> Self;
}

/// Ops of a sleeping chip run in process context under the chip's mutex: they
/// may sleep, for instance to talk to a device on a slow bus.
///
/// Consumers of such a chip cannot use [`Device::apply_atomic`](super::Device::apply_atomic).
pub struct Sleeping(NotThreadSafe);

impl Sleeping {
    /// Sleeps for about `delta` (`fsleep()`), as only sleeping chips may.
    pub fn fsleep(&self, delta: Delta) {
        delay::fsleep(delta);
    }
}

impl private::Sealed for Sleeping {}

impl Context for Sleeping {
    const ATOMIC: bool = false;
    const RAW: bool = false;

    unsafe fn assume() -> Self {
        Self(NotThreadSafe)
    }
}

/// Ops of an atomic chip (`chip->atomic`) run under the chip's spinlock
/// (`spinlock_t`) with interrupts disabled: they must not sleep, but may take
/// [`SpinLock`](crate::sync::SpinLock)s of their own, as C drivers do.
///
/// The token offers busy-waiting only. Consumers may apply states with
/// [`Device::apply_atomic`](super::Device::apply_atomic) from any context in
/// which a `spinlock_t` may be taken: process and softirq context, and
/// interrupt handlers that `PREEMPT_RT` threads, but not hard hrtimers
/// (`HRTIMER_MODE_*_HARD`) or `IRQF_NO_THREAD` handlers: see [`RawAtomic`].
pub struct Atomic(NotThreadSafe);

impl Atomic {
    /// Busy-waits for `delta` (`udelay()`); keep it short, interrupts are off.
    pub fn udelay(&self, delta: Delta) {
        delay::udelay(delta);
    }
}

impl private::Sealed for Atomic {}

impl Context for Atomic {
    const ATOMIC: bool = true;
    const RAW: bool = false;

    unsafe fn assume() -> Self {
        Self(NotThreadSafe)
    }
}

/// Ops of a raw atomic chip run under the chip's raw spinlock with interrupts
/// disabled, possibly in hard-IRQ context: they must not sleep, not even on
/// `PREEMPT_RT`, so they may take only raw spinlocks (no
/// [`SpinLock`](crate::sync::SpinLock), which sleeps there).
///
/// In exchange consumers may apply states with
/// [`Device::apply_atomic`](super::Device::apply_atomic) from every context,
/// hard hrtimers (`HRTIMER_MODE_*_HARD`) included.
pub struct RawAtomic(NotThreadSafe);

impl RawAtomic {
    /// Busy-waits for `delta` (`udelay()`); keep it short, interrupts are off.
    pub fn udelay(&self, delta: Delta) {
        delay::udelay(delta);
    }
}

impl private::Sealed for RawAtomic {}

impl Context for RawAtomic {
    const ATOMIC: bool = true;
    const RAW: bool = true;

    unsafe fn assume() -> Self {
        Self(NotThreadSafe)
    }
}

/// A hardware waveform rounded from a [`Waveform`] by
/// [`Ops::round_waveform_tohw`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct RoundedWfHw<W> {
    /// The driver's representation of the waveform.
    pub wfhw: W,
    /// Whether a value had to be rounded up because the hardware cannot go as
    /// low as requested.
    pub rounded_up: bool,
}

/// The operations of a PWM chip, implemented by the chip's driver data.
///
/// Every op is optional; the ones a driver does not implement stay NULL in the
/// C vtable, so the core treats them as absent (as it does for C drivers).
/// A chip implements either the legacy set (`apply`, optionally `get_state`)
/// or the waveform set (`round_waveform_tohw`, `round_waveform_fromhw`,
/// `write_waveform`, optionally `read_waveform`); anything else fails to
/// build.
///
/// The core serialises every op of a chip, and calls none after the chip was
/// removed. `request`, `free` and `capture` always run in process context and
/// may sleep; the others get a [`Context`] token saying whether they may.
///
/// # Examples
///
/// A legacy chip whose hardware is a set of registers in memory:
///
/// ```
/// use core::sync::atomic::{AtomicU64, Ordering};
/// use kernel::prelude::*;
/// use kernel::pwm;
///
/// struct Regs {
///     period: AtomicU64,
///     duty: AtomicU64,
/// }
///
/// #[vtable]
/// impl pwm::Ops for Regs {
///     type Context = pwm::Atomic;
///     type WfHw = ();
///
///     fn apply(
///         chip: &pwm::Chip<Self>,
///         _pwm: &pwm::Channel,
///         state: &pwm::State,
///         _ctx: &pwm::Atomic,
///     ) -> Result {
///         if state.polarity != pwm::Polarity::Normal {
///             return Err(EINVAL);
///         }
///         let duty = if state.enabled { state.duty_cycle_ns } else { 0 };
///         chip.drvdata().period.store(state.period_ns, Ordering::Relaxed);
///         chip.drvdata().duty.store(duty, Ordering::Relaxed);
///         Ok(())
///     }
/// }
///
/// assert!(pwm::is_atomic::<Regs>());
/// assert!(pwm::has_op::<Regs>(pwm::Op::Apply));
/// assert!(!pwm::has_op::<Regs>(pwm::Op::GetState));
/// ```
#[vtable]
pub trait Ops: Send + Sync + Sized + 'static {
    /// [`Sleeping`], [`Atomic`] or [`RawAtomic`].
    type Context: Context;

    /// The hardware representation of a waveform (`()` for legacy chips);
    /// at most `PWM_WFHWSIZE` bytes, checked when the chip is built.
    type WfHw: Copy + Default + Send + Sync;

    /// Prepares a channel for a consumer (`request`).
    fn request(_chip: &Chip<Self>, _pwm: &Channel) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Releases a channel a consumer put back (`free`).
    fn free(_chip: &Chip<Self>, _pwm: &Channel) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Measures the input signal of a channel, waiting at most `timeout_ms`.
    fn capture(_chip: &Chip<Self>, _pwm: &Channel, _timeout_ms: u64) -> Result<Capture> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Programs a legacy state (`apply`).
    fn apply(_chip: &Chip<Self>, _pwm: &Channel, _state: &State, _ctx: &Self::Context) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reads the legacy state the hardware runs (`get_state`).
    fn get_state(_chip: &Chip<Self>, _pwm: &Channel, _ctx: &Self::Context) -> Result<State> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Rounds `wf` to what the hardware can do, with the core's rounding rules:
    /// period and duty down, offset down, each to the nearest value possible.
    fn round_waveform_tohw(
        _chip: &Chip<Self>,
        _pwm: &Channel,
        _wf: &Waveform,
        _ctx: &Self::Context,
    ) -> Result<RoundedWfHw<Self::WfHw>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Converts a hardware waveform back to nanoseconds.
    fn round_waveform_fromhw(
        _chip: &Chip<Self>,
        _pwm: &Channel,
        _wfhw: &Self::WfHw,
        _ctx: &Self::Context,
    ) -> Result<Waveform> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reads the hardware waveform a channel runs.
    fn read_waveform(
        _chip: &Chip<Self>,
        _pwm: &Channel,
        _ctx: &Self::Context,
    ) -> Result<Self::WfHw> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Programs a hardware waveform.
    fn write_waveform(
        _chip: &Chip<Self>,
        _pwm: &Channel,
        _wfhw: &Self::WfHw,
        _ctx: &Self::Context,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The ops of `struct pwm_ops`, to ask which ones a driver implements.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `request`
    Request,
    /// `free`
    Free,
    /// `capture`
    Capture,
    /// `apply`
    Apply,
    /// `get_state`
    GetState,
    /// The waveform set (`write_waveform` and the two rounding ops).
    Waveform,
    /// `read_waveform`
    ReadWaveform,
}

/// Whether chips with driver data `T` are atomic.
pub const fn is_atomic<T: Ops>() -> bool {
    T::Context::ATOMIC
}

/// Whether chips with driver data `T` run their ops under a raw spinlock.
pub const fn is_raw_atomic<T: Ops>() -> bool {
    T::Context::RAW
}

/// Whether `T` implements `op`, that is, whether its C vtable has it non-NULL.
pub fn has_op<T: Ops>(op: Op) -> bool {
    let ops = Adapter::<T>::vtable();
    match op {
        Op::Request => ops.request.is_some(),
        Op::Free => ops.free.is_some(),
        Op::Capture => ops.capture.is_some(),
        Op::Apply => ops.apply.is_some(),
        Op::GetState => ops.get_state.is_some(),
        Op::Waveform => ops.write_waveform.is_some(),
        Op::ReadWaveform => ops.read_waveform.is_some(),
    }
}

/// Builds the C vtable of `T` and its callbacks.
pub(super) struct Adapter<T: Ops>(PhantomData<T>);

impl<T: Ops> Adapter<T> {
    /// The waveform set; `read_waveform` is optional in it, as in C.
    const HAS_WAVEFORM: bool =
        T::HAS_ROUND_WAVEFORM_TOHW && T::HAS_ROUND_WAVEFORM_FROMHW && T::HAS_WRITE_WAVEFORM;

    const VTABLE: bindings::pwm_ops = {
        let any_waveform = T::HAS_ROUND_WAVEFORM_TOHW
            || T::HAS_ROUND_WAVEFORM_FROMHW
            || T::HAS_READ_WAVEFORM
            || T::HAS_WRITE_WAVEFORM;
        assert!(
            any_waveform == Self::HAS_WAVEFORM,
            "a waveform chip implements round_waveform_tohw, round_waveform_fromhw and \
             write_waveform"
        );
        assert!(
            T::HAS_APPLY != Self::HAS_WAVEFORM,
            "a chip implements either apply or the waveform ops"
        );
        assert!(
            !T::HAS_GET_STATE || T::HAS_APPLY,
            "get_state belongs to the legacy op set"
        );
        assert!(
            size_of::<T::WfHw>() <= bindings::PWM_WFHWSIZE as usize,
            "WfHw is larger than PWM_WFHWSIZE"
        );

        bindings::pwm_ops {
            request: if T::HAS_REQUEST {
                Some(Self::request)
            } else {
                None
            },
            free: if T::HAS_FREE { Some(Self::free) } else { None },
            capture: if T::HAS_CAPTURE {
                Some(Self::capture)
            } else {
                None
            },
            sizeof_wfhw: if Self::HAS_WAVEFORM {
                size_of::<T::WfHw>()
            } else {
                0
            },
            round_waveform_tohw: if Self::HAS_WAVEFORM {
                Some(Self::round_waveform_tohw)
            } else {
                None
            },
            round_waveform_fromhw: if Self::HAS_WAVEFORM {
                Some(Self::round_waveform_fromhw)
            } else {
                None
            },
            read_waveform: if Self::HAS_WAVEFORM && T::HAS_READ_WAVEFORM {
                Some(Self::read_waveform)
            } else {
                None
            },
            write_waveform: if Self::HAS_WAVEFORM {
                Some(Self::write_waveform)
            } else {
                None
            },
            apply: if T::HAS_APPLY {
                Some(Self::apply)
            } else {
                None
            },
            get_state: if T::HAS_GET_STATE {
                Some(Self::get_state)
            } else {
                None
            },
        }
    };

    /// The C vtable of `T`, evaluated (and checked) at build time.
    pub(super) fn vtable() -> &'static bindings::pwm_ops {
        &Self::VTABLE
    }

    /// # Safety
    ///
    /// The core calls every op with a registered chip built by [`Chip::new`]
    /// for `T`, one of its channels, and valid arguments, serialised by the
    /// chip's lock in the context that `T::Context` stands for.
    unsafe fn args<'a>(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
    ) -> (&'a Chip<T>, &'a Channel) {
        // SAFETY: By this function's safety requirements both are valid for the op.
        unsafe { (Chip::from_raw(chip), Channel::from_raw(pwm)) }
    }

    /// # Safety
    ///
    /// See [`Self::args`].
    unsafe extern "C" fn request(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
    ) -> c_int {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        from_result(|| T::request(chip, pwm).map(|()| 0))
    }

    /// # Safety
    ///
    /// See [`Self::args`].
    unsafe extern "C" fn free(chip: *mut bindings::pwm_chip, pwm: *mut bindings::pwm_device) {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        T::free(chip, pwm);
    }

    /// # Safety
    ///
    /// See [`Self::args`]; `result` is valid for writes.
    unsafe extern "C" fn capture(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
        result: *mut bindings::pwm_capture,
        timeout: c_ulong,
    ) -> c_int {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        from_result(|| {
            let capture = T::capture(chip, pwm, timeout as u64)?;
            // SAFETY: The core passes a `result` valid for writes.
            unsafe { result.write(capture.into()) };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// See [`Self::args`]; `state` is valid for reads.
    unsafe extern "C" fn apply(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
        state: *const bindings::pwm_state,
    ) -> c_int {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        // SAFETY: The core calls the op in the context `T::Context` stands for.
        let ctx = unsafe { T::Context::assume() };
        from_result(|| {
            // SAFETY: The core passes a `state` valid for reads.
            let state = State::try_from(unsafe { state.read() })?;
            T::apply(chip, pwm, &state, &ctx).map(|()| 0)
        })
    }

    /// # Safety
    ///
    /// See [`Self::args`]; `state` is valid for writes.
    unsafe extern "C" fn get_state(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
        state: *mut bindings::pwm_state,
    ) -> c_int {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        // SAFETY: The core calls the op in the context `T::Context` stands for.
        let ctx = unsafe { T::Context::assume() };
        from_result(|| {
            let hw = T::get_state(chip, pwm, &ctx)?;
            // SAFETY: The core passes a `state` valid for writes.
            unsafe { state.write(hw.into()) };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// See [`Self::args`]; `wf` is valid for reads and `wfhw` for writes of
    /// `sizeof_wfhw` bytes, with any alignment.
    unsafe extern "C" fn round_waveform_tohw(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
        wf: *const bindings::pwm_waveform,
        wfhw: *mut c_void,
    ) -> c_int {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        // SAFETY: The core calls the op in the context `T::Context` stands for.
        let ctx = unsafe { T::Context::assume() };
        from_result(|| {
            // SAFETY: The core passes a `wf` valid for reads.
            let wf = Waveform::from(unsafe { wf.read() });
            let rounded = T::round_waveform_tohw(chip, pwm, &wf, &ctx)?;
            // SAFETY: `wfhw` holds `sizeof_wfhw == size_of::<T::WfHw>()` writable bytes.
            unsafe { ptr::write_unaligned(wfhw.cast::<T::WfHw>(), rounded.wfhw) };
            Ok(c_int::from(rounded.rounded_up))
        })
    }

    /// # Safety
    ///
    /// See [`Self::args`]; `wfhw` is valid for reads of `sizeof_wfhw` bytes
    /// written by `round_waveform_tohw` or `read_waveform`, `wf` for writes.
    unsafe extern "C" fn round_waveform_fromhw(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
        wfhw: *const c_void,
        wf: *mut bindings::pwm_waveform,
    ) -> c_int {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        // SAFETY: The core calls the op in the context `T::Context` stands for.
        let ctx = unsafe { T::Context::assume() };
        from_result(|| {
            // SAFETY: The core only hands back a buffer one of our ops filled with a `T::WfHw`.
            let hw = unsafe { ptr::read_unaligned(wfhw.cast::<T::WfHw>()) };
            let out = T::round_waveform_fromhw(chip, pwm, &hw, &ctx)?;
            // SAFETY: The core passes a `wf` valid for writes.
            unsafe { wf.write(out.into()) };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// See [`Self::args`]; `wfhw` is valid for writes of `sizeof_wfhw` bytes.
    unsafe extern "C" fn read_waveform(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
        wfhw: *mut c_void,
    ) -> c_int {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        // SAFETY: The core calls the op in the context `T::Context` stands for.
        let ctx = unsafe { T::Context::assume() };
        from_result(|| {
            let hw = T::read_waveform(chip, pwm, &ctx)?;
            // SAFETY: `wfhw` holds `sizeof_wfhw == size_of::<T::WfHw>()` writable bytes.
            unsafe { ptr::write_unaligned(wfhw.cast::<T::WfHw>(), hw) };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// See [`Self::args`]; `wfhw` is valid for reads of `sizeof_wfhw` bytes
    /// written by `round_waveform_tohw`.
    unsafe extern "C" fn write_waveform(
        chip: *mut bindings::pwm_chip,
        pwm: *mut bindings::pwm_device,
        wfhw: *const c_void,
    ) -> c_int {
        // SAFETY: The core calls ops as `args` requires.
        let (chip, pwm) = unsafe { Self::args(chip, pwm) };
        // SAFETY: The core calls the op in the context `T::Context` stands for.
        let ctx = unsafe { T::Context::assume() };
        from_result(|| {
            // SAFETY: The core only hands back a buffer one of our ops filled with a `T::WfHw`.
            let hw = unsafe { ptr::read_unaligned(wfhw.cast::<T::WfHw>()) };
            T::write_waveform(chip, pwm, &hw, &ctx).map(|()| 0)
        })
    }
}
