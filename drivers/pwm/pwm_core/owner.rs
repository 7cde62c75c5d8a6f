// SPDX-License-Identifier: GPL-2.0

//! References to the module that registered a chip (`chip->owner`).
//!
//! Without `CONFIG_MODULES` all code is built in: `try_module_get()` and
//! `module_put()` are then static inlines that bindgen cannot see, which
//! always succeed and do nothing, and so do these.
//!
//! C header: [`include/linux/module.h`](srctree/include/linux/module.h)

use kernel::{
    bindings,
    prelude::*, //
};

/// Takes a reference on `owner` (NULL for built-in code); `ENODEV` if the
/// module is going away.
///
/// # Safety
///
/// `owner` is NULL or a module that stays loaded (possibly going) for the
/// call: one that registered a chip the caller holds a reference on.
pub(crate) unsafe fn get(owner: *mut bindings::module) -> Result {
    #[cfg(CONFIG_MODULES)]
    // SAFETY: As the caller guarantees.
    let live = unsafe { bindings::try_module_get(owner) };
    #[cfg(not(CONFIG_MODULES))]
    let live = {
        let _ = owner;
        true
    };
    if live {
        Ok(())
    } else {
        Err(ENODEV)
    }
}

/// Drops a reference taken by [`get`].
///
/// # Safety
///
/// The caller owns a reference on `owner` taken by [`get`], and gives it up.
pub(crate) unsafe fn put(owner: *mut bindings::module) {
    #[cfg(CONFIG_MODULES)]
    // SAFETY: As the caller guarantees.
    unsafe {
        bindings::module_put(owner);
    }
    #[cfg(not(CONFIG_MODULES))]
    let _ = owner;
}
