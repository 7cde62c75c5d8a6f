// SPDX-License-Identifier: GPL-2.0

//! The registry of PWM chips and the board lookup tables.
//!
//! Two global mutexes: one for the chip ids and the registered chips, one for
//! the lookup tables (static, in `exports.c`). Both cover only these lists
//! and are never held across a driver op, a sleep on behalf of a driver, or a
//! copy to or from userspace.
//! A chip found here is returned with a reference of its own, so it stays
//! valid (if not necessarily operational) after the lock is dropped.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::ptr;
use kernel::{
    bindings,
    prelude::*,
    sync::{
        aref::ARef,
        global_lock, //
    },
};

use crate::chip::Chip;

/// One chip id.
enum Slot {
    /// Free for the next registration.
    Free,
    /// Taken by a registration in progress.
    Reserved,
    /// A registered chip, with the reference the registry holds.
    Live(ARef<Chip>),
}

/// Chip ids, each free, reserved or held by a registered chip.
pub(crate) struct Chips {
    slots: KVec<Slot>,
}

impl Chips {
    const fn new() -> Self {
        Self { slots: KVec::new() }
    }
}

global_lock! {
    // SAFETY: `init` initialises it, at subsys_initcall time, before any other use.
    unsafe(uninit) static CHIPS: Mutex<Chips> = Chips::new();
}

unsafe extern "C" {
    /// `exports.c`: locks the board lookup tables and returns their list head.
    fn pwm_core_lookup_lock() -> *mut bindings::list_head;
    /// `exports.c`: unlocks them.
    fn pwm_core_lookup_unlock();
}

/// The board lookup tables, locked: a list of the `struct pwm_lookup`s that
/// `pwm_add_table` links in, through their own `list` members.
///
/// The list and its mutex are initialised statically in `exports.c`, so
/// board files may add tables before [`init`] runs (from `arch_initcall`).
///
/// # Invariants
///
/// The lookup mutex is held for the lifetime of the value; `head` is the
/// list's head, in static memory.
struct Lookups {
    head: *mut bindings::list_head,
}

impl Lookups {
    fn lock() -> Self {
        // SAFETY: A plain C function; the list and its mutex are static.
        let head = unsafe { pwm_core_lookup_lock() };
        // INVARIANT: The mutex is held until `drop`.
        Self { head }
    }
}

impl Drop for Lookups {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the mutex is held, by this value.
        unsafe { pwm_core_lookup_unlock() };
    }
}

/// Initialises the chip registry.
///
/// # Safety
///
/// Called once, before any other function of this module but the lookup
/// table ones, which work from the first initcall.
pub(crate) unsafe fn init() {
    // SAFETY: The caller guarantees this is the first use.
    unsafe { CHIPS.init() };
}

/// Reserves the lowest free chip id.
pub(crate) fn reserve_id() -> Result<u32> {
    let mut chips = CHIPS.lock();
    let id = match chips.slots.iter().position(|s| matches!(s, Slot::Free)) {
        Some(id) => {
            chips.slots[id] = Slot::Reserved;
            id
        }
        None => {
            if chips.slots.len() > i32::MAX as usize {
                return Err(ENOSPC);
            }
            chips.slots.push(Slot::Reserved, GFP_KERNEL)?;
            chips.slots.len() - 1
        }
    };
    u32::try_from(id).map_err(|_| ENOSPC)
}

/// Frees an id reserved by [`reserve_id`] whose registration failed.
pub(crate) fn release_id(id: u32) {
    let mut chips = CHIPS.lock();
    if let Some(slot) = chips.slots.get_mut(id as usize) {
        if matches!(slot, Slot::Reserved) {
            *slot = Slot::Free;
        }
    }
}

/// Publishes a registered chip under its reserved id, so lookups find it.
pub(crate) fn publish(chip: ARef<Chip>) {
    let mut chips = CHIPS.lock();
    if let Some(slot) = chips.slots.get_mut(chip.id() as usize) {
        *slot = Slot::Live(chip);
    }
}

/// Withdraws a chip; lookups no longer find it. Returns the registry's
/// reference, to be dropped without the lock held.
pub(crate) fn withdraw(chip: &Chip) -> Option<ARef<Chip>> {
    let mut chips = CHIPS.lock();
    let slot = chips.slots.get_mut(chip.id() as usize)?;
    // The id stays reserved until the chip's device is gone (`release_id`),
    // so no new chip takes its name or device number before.
    match core::mem::replace(slot, Slot::Reserved) {
        Slot::Live(held) if ptr::eq(&*held, chip) => Some(held),
        other => {
            *slot = other;
            None
        }
    }
}

/// The first registered chip for which `matches` holds, with a reference.
pub(crate) fn find(mut matches: impl FnMut(&Chip) -> bool) -> Option<ARef<Chip>> {
    let chips = CHIPS.lock();
    chips.slots.iter().find_map(|slot| match slot {
        Slot::Live(chip) if matches(chip) => Some(chip.clone()),
        _ => None,
    })
}

/// Every registered chip, in id order, each with a reference: for readers
/// that must not hold the registry's lock while they use the chips.
#[cfg(CONFIG_DEBUG_FS)]
pub(crate) fn snapshot() -> Result<KVec<ARef<Chip>>> {
    let chips = CHIPS.lock();
    let mut out = KVec::new();
    for slot in chips.slots.iter() {
        if let Slot::Live(chip) = slot {
            out.push(chip.clone(), GFP_KERNEL)?;
        }
    }
    Ok(out)
}

/// Links `num` lookup entries into the list.
///
/// # Safety
///
/// `table` points to `num` entries that stay valid, and are not moved, until
/// [`remove_lookups`] unlinks them.
pub(crate) unsafe fn add_lookups(table: *mut bindings::pwm_lookup, num: usize) {
    let lookups = Lookups::lock();
    let head = lookups.head;
    for i in 0..num {
        // SAFETY: The caller guarantees `table[i]` is valid; the list is consistent under the
        // lock, so linking at the tail keeps it so.
        unsafe {
            let entry = &raw mut (*table.add(i)).list;
            let last = (*head).prev;
            (*entry).next = head;
            (*entry).prev = last;
            (*last).next = entry;
            (*head).prev = entry;
        }
    }
}

/// Unlinks `num` lookup entries from the list.
///
/// # Safety
///
/// `table` points to `num` entries linked by [`add_lookups`].
pub(crate) unsafe fn remove_lookups(table: *mut bindings::pwm_lookup, num: usize) {
    let _lookups = Lookups::lock();
    for i in 0..num {
        // SAFETY: The caller guarantees `table[i]` is linked; its neighbours are valid under
        // the lock.
        unsafe {
            let entry = &raw mut (*table.add(i)).list;
            let (prev, next) = ((*entry).prev, (*entry).next);
            if prev.is_null() || next.is_null() {
                continue;
            }
            (*prev).next = next;
            (*next).prev = prev;
            (*entry).next = ptr::null_mut();
            (*entry).prev = ptr::null_mut();
        }
    }
}

/// The fields of a chosen lookup entry, copied out under the lock.
#[derive(Clone, Copy)]
pub(crate) struct LookupEntry {
    pub(crate) provider: *const kernel::ffi::c_char,
    pub(crate) index: u32,
    pub(crate) period: u32,
    pub(crate) polarity: bindings::pwm_polarity,
    pub(crate) module: *const kernel::ffi::c_char,
}

/// Chooses the most specific lookup entry for a consumer, as upstream does:
/// an entry's `dev_id` and `con_id` must match when set; dev+con beats dev
/// only, which beats con only; the first of equals wins.
pub(crate) fn choose_lookup(dev_id: Option<&CStr>, con_id: Option<&CStr>) -> Option<LookupEntry> {
    let lookups = Lookups::lock();
    let head = lookups.head;
    let mut best = 0;
    let mut chosen = None;
    // SAFETY: The list is consistent under the lock and its entries are valid (callers of
    // `add_lookups` guarantee it).
    let mut pos = unsafe { (*head).next };
    while pos != head {
        // SAFETY: `pos` is the `list` member of a valid `struct pwm_lookup`.
        let entry = unsafe { &*kernel::container_of!(pos, bindings::pwm_lookup, list) };
        // SAFETY: As above.
        pos = unsafe { (*pos).next };

        let mut score = 0;
        if !entry.dev_id.is_null() {
            // SAFETY: Lookup strings are NUL-terminated and live as long as the entry.
            let want = unsafe { CStr::from_char_ptr(entry.dev_id) };
            if dev_id != Some(want) {
                continue;
            }
            score += 2;
        }
        if !entry.con_id.is_null() {
            // SAFETY: As above.
            let want = unsafe { CStr::from_char_ptr(entry.con_id) };
            if con_id != Some(want) {
                continue;
            }
            score += 1;
        }
        if score > best {
            chosen = Some(LookupEntry {
                provider: entry.provider,
                index: entry.index,
                period: entry.period,
                polarity: entry.polarity,
                module: entry.module,
            });
            if score == 3 {
                break;
            }
            best = score;
        }
    }
    chosen
}
