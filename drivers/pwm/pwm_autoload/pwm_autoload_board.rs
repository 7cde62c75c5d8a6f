// SPDX-License-Identifier: GPL-2.0

//! Board half of the module autoload test: what a board file would register
//! at boot, the provider's platform device (its driver is the module
//! `pwm_autoload_provider`) and the PWM lookup table for
//! `pwm-autoload-consumer` (see `pwm_autoload_consumer.rs`), with entries
//! that name the module providing each chip.
//!
//! Built in even when the test modules are modules: `pwm_add_table()` is not
//! exported, as upstream, because lookup tables belong to board code.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::{
    pin::Pin,
    ptr, //
};
use kernel::{
    bindings,
    error::from_err_ptr,
    prelude::*, //
};

const CONSUMER: &CStr = c"pwm-autoload-consumer";
/// The provider's platform device, named as its driver (module) is.
const PROVIDER: &CStr = c"pwm_autoload_provider";

/// A lookup table entry for this module's device.
fn entry(
    con_id: &'static CStr,
    provider: &'static CStr,
    module: &'static CStr,
) -> bindings::pwm_lookup {
    bindings::pwm_lookup {
        list: bindings::list_head {
            next: ptr::null_mut(),
            prev: ptr::null_mut(),
        },
        provider: provider.as_char_ptr(),
        index: 0,
        dev_id: CONSUMER.as_char_ptr(),
        con_id: con_id.as_char_ptr(),
        period: 1_000_000,
        polarity: bindings::pwm_polarity_PWM_POLARITY_NORMAL,
        module: module.as_char_ptr(),
    }
}

/// The lookup table: one entry whose provider module exists, one whose
/// does not.
///
/// # Invariants
///
/// The table is in the core's lookup list until dropped.
struct Table(Pin<KBox<[bindings::pwm_lookup; 2]>>);

impl Table {
    fn add() -> Result<Self> {
        let mut table = KBox::pin(
            [
                entry(c"present", PROVIDER, c"pwm_autoload_provider"),
                entry(c"absent", c"pwm-autoload-nowhere", c"pwm_autoload_nowhere"),
            ],
            GFP_KERNEL,
        )?;
        // SAFETY: The table is pinned and lives until `drop` removes it; its strings are
        // static.
        unsafe { bindings::pwm_add_table(table.as_mut().get_unchecked_mut().as_mut_ptr(), 2) };
        // INVARIANT: Just added.
        Ok(Self(table))
    }
}

// SAFETY: After `add` only the core touches the entries, under its lookup lock; `drop` removes
// them through the core too. Their strings are static and immutable.
unsafe impl Send for Table {}

// SAFETY: `&Table` gives no access to the entries.
unsafe impl Sync for Table {}

impl Drop for Table {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the table is in the lookup list.
        unsafe { bindings::pwm_remove_table(self.0.as_mut().get_unchecked_mut().as_mut_ptr(), 2) };
    }
}

/// The provider's platform device, which waits for its driver's module.
///
/// # Invariants
///
/// `self.0` is registered until dropped.
struct ProviderDevice(*mut bindings::platform_device);

impl ProviderDevice {
    fn register() -> Result<Self> {
        let info = bindings::platform_device_info {
            name: PROVIDER.as_char_ptr(),
            id: bindings::PLATFORM_DEVID_NONE,
            ..Default::default()
        };
        // SAFETY: `info` is valid for the call, which copies what it needs.
        let pdev = from_err_ptr(unsafe { bindings::platform_device_register_full(&info) })?;
        // INVARIANT: Just registered.
        Ok(Self(pdev))
    }
}

impl Drop for ProviderDevice {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the device is registered; only this unregisters it.
        unsafe { bindings::platform_device_unregister(self.0) };
    }
}

// SAFETY: A platform device may be unregistered from any thread.
unsafe impl Send for ProviderDevice {}

// SAFETY: `&ProviderDevice` gives no access to the device.
unsafe impl Sync for ProviderDevice {}

struct AutoloadBoard {
    _provider: ProviderDevice,
    _table: Table,
}

impl kernel::Module for AutoloadBoard {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self {
            _provider: ProviderDevice::register()?,
            _table: Table::add()?,
        })
    }
}

module! {
    type: AutoloadBoard,
    name: "pwm_autoload_board",
    authors: ["pwm-rs"],
    description: "PWM module autoload test: the board's lookup table",
    license: "GPL v2",
}
