// SPDX-License-Identifier: GPL-2.0

//! A kernel raw spinlock taken with interrupts saved and disabled.
//!
//! Unlike `spinlock_t`, a `raw_spinlock_t` never sleeps, not even on
//! `PREEMPT_RT`, so lockdep's wait-context checks accept it in hard-IRQ
//! context and in hard hrtimer callbacks (`HRTIMER_MODE_*_HARD`). Keep the
//! sections it protects short and free of anything that may sleep.
//!
//! C header: [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h)

use super::*;
use crate::prelude::*;

// On SMP or with `DEBUG_SPINLOCK`, `raw_spin_lock_irqsave()` and `raw_spin_unlock_irqrestore()`
// are macros around out-of-line functions, unless the architecture inlines those: call them
// directly and spare a call to the C helpers, which Rust cannot inline without
// `RUST_INLINE_HELPERS`.
#[cfg(all(
    any(CONFIG_SMP, CONFIG_DEBUG_SPINLOCK),
    not(CONFIG_INLINE_SPIN_LOCK_IRQSAVE),
    not(CONFIG_INLINE_SPIN_UNLOCK_IRQRESTORE)
))]
use bindings::{
    _raw_spin_lock_irqsave as lock_irqsave, _raw_spin_unlock_irqrestore as unlock_irqrestore,
};
#[cfg(not(all(
    any(CONFIG_SMP, CONFIG_DEBUG_SPINLOCK),
    not(CONFIG_INLINE_SPIN_LOCK_IRQSAVE),
    not(CONFIG_INLINE_SPIN_UNLOCK_IRQRESTORE)
)))]
use bindings::{
    raw_spin_lock_irqsave as lock_irqsave, raw_spin_unlock_irqrestore as unlock_irqrestore,
};

/// Creates a [`RawSpinLockIrq`] initialiser with the given name and a newly-created lock class.
///
/// It uses the name if one is given, otherwise it generates one based on the file name and line
/// number.
#[macro_export]
macro_rules! new_raw_spinlock_irq {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::sync::RawSpinLockIrq::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}
pub use new_raw_spinlock_irq;

/// A raw spinlock that saves and disables local interrupts while it is held.
///
/// Exposes the kernel's `raw_spinlock_t` with `raw_spin_lock_irqsave()`. The guard restores the
/// interrupt state it saved when it is dropped, so the lock may be taken with interrupts
/// enabled or disabled, from process, softirq or hard-IRQ context.
///
/// # Examples
///
/// ```
/// use kernel::sync::{new_raw_spinlock_irq, RawSpinLockIrq};
///
/// struct Counter {
///     hits: u32,
/// }
///
/// let counter = KBox::pin_init(new_raw_spinlock_irq!(Counter { hits: 0 }), GFP_KERNEL)?;
/// {
///     let mut guard = counter.lock();
///     guard.hits += 1;
/// }
/// assert_eq!(counter.lock().hits, 1);
/// # Ok::<(), Error>(())
/// ```
pub type RawSpinLockIrq<T> = super::Lock<T, RawSpinLockIrqBackend>;

/// A kernel `raw_spinlock_t` lock backend, taken with interrupts saved.
pub struct RawSpinLockIrqBackend;

/// A [`Guard`] acquired from locking a [`RawSpinLockIrq`].
pub type RawSpinLockIrqGuard<'a, T> = Guard<'a, T, RawSpinLockIrqBackend>;

// SAFETY: The underlying kernel `raw_spinlock_t` object ensures mutual exclusion, and the guard
// state holds the interrupt flags saved by `lock`, which `unlock` restores. `relock` uses the
// default implementation, which saves the flags anew.
unsafe impl super::Backend for RawSpinLockIrqBackend {
    type State = bindings::raw_spinlock_t;
    type GuardState = crate::ffi::c_ulong;

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: The safety requirements ensure that `ptr` is valid for writes, and `name` and
        // `key` are valid for read indefinitely.
        unsafe { bindings::raw_spin_lock_init_key(ptr, name, key) }
    }

    #[inline]
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The safety requirements of this function ensure that `ptr` points to valid
        // memory, and that it has been initialised before.
        unsafe { lock_irqsave(ptr) }
    }

    #[inline]
    unsafe fn unlock(ptr: *mut Self::State, guard_state: &Self::GuardState) {
        // SAFETY: The safety requirements of this function ensure that `ptr` is valid and that the
        // caller is the owner of the lock; `guard_state` holds the flags saved when it was taken.
        unsafe { unlock_irqrestore(ptr, *guard_state) }
    }

    #[inline]
    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        let mut flags = 0;
        // SAFETY: The `ptr` pointer is guaranteed to be valid and initialised before use, and
        // `flags` is valid for writes.
        let result = unsafe { bindings::raw_spin_trylock_irqsave(ptr, &mut flags) };
        if result != 0 {
            Some(flags)
        } else {
            None
        }
    }

    #[inline]
    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // SAFETY: The `ptr` pointer is guaranteed to be valid and initialised before use.
        unsafe { bindings::raw_spin_assert_is_held(ptr) }
    }
}

#[kunit_tests(rust_raw_spinlock_irq)]
mod tests {
    use super::*;

    fn irqs_disabled() -> bool {
        // SAFETY: Reading the local interrupt state is always safe.
        unsafe { bindings::irqs_disabled() }
    }

    #[test]
    fn guard_disables_and_restores_interrupts() -> Result {
        let lock = KBox::pin_init(new_raw_spinlock_irq!(0u32), GFP_KERNEL)?;
        let before = irqs_disabled();
        {
            let mut guard = lock.lock();
            *guard += 1;
            assert!(irqs_disabled());
        }
        assert_eq!(irqs_disabled(), before);
        assert_eq!(*lock.lock(), 1);
        Ok(())
    }

    #[test]
    fn try_lock_fails_while_held() -> Result {
        let lock = KBox::pin_init(new_raw_spinlock_irq!(()), GFP_KERNEL)?;
        let guard = lock.lock();
        assert!(lock.try_lock().is_none());
        drop(guard);
        assert!(lock.try_lock().is_some());
        assert!(!irqs_disabled());
        Ok(())
    }
}
