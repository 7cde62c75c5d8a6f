// SPDX-License-Identifier: GPL-2.0

//! The simulated chips configfs made live, by id, so that the driver's probe
//! finds the hardware its configfs directory built; and the debugfs root.

use crate::hw::Hw;
use core::fmt;
use kernel::{
    debugfs,
    prelude::*,
    sync::{
        global_lock,
        Arc, //
    },
};

pub(crate) struct Sims {
    next_id: u32,
    live: KVec<(u32, Arc<Hw>)>,
    root: Option<debugfs::Dir>,
}

impl Sims {
    const fn new() -> Self {
        Self {
            next_id: 0,
            live: KVec::new(),
            root: None,
        }
    }
}

global_lock! {
    // SAFETY: `init` initialises it at module load, before any other use.
    unsafe(uninit) static SIMS: Mutex<Sims> = Sims::new();
}

/// Sets up the registry and creates `/sys/kernel/debug/pwm-sim`.
///
/// # Safety
///
/// Called once per module load, before any other function of this module.
pub(crate) unsafe fn init() {
    // SAFETY: The caller guarantees this is the first use.
    unsafe { SIMS.init() };
    SIMS.lock().root = Some(debugfs::Dir::new(c"pwm-sim"));
}

/// Removes the debugfs root (once its files are gone) at module unload.
pub(crate) fn exit() {
    SIMS.lock().root = None;
}

/// Adds `hw`; returns its id.
pub(crate) fn insert(hw: Arc<Hw>) -> Result<u32> {
    let mut sims = SIMS.lock();
    let id = sims.next_id;
    sims.live.push((id, hw), GFP_KERNEL)?;
    sims.next_id = id.wrapping_add(1);
    Ok(id)
}

/// Removes the entry `id`.
pub(crate) fn remove(id: u32) {
    let mut sims = SIMS.lock();
    if let Some(i) = sims.live.iter().position(|(x, _)| *x == id) {
        let _ = sims.live.remove(i);
    }
}

/// The hardware with id `id`.
pub(crate) fn find(id: u32) -> Option<Arc<Hw>> {
    let sims = SIMS.lock();
    sims.live
        .iter()
        .find(|(x, _)| *x == id)
        .map(|(_, hw)| hw.clone())
}

fn render(hw: &Arc<Hw>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    hw.render(f)
}

/// `/sys/kernel/debug/pwm-sim/<name>`: the hardware state of every channel.
pub(crate) fn debugfs_file(hw: &Arc<Hw>) -> Result<Pin<KBox<debugfs::File<Arc<Hw>>>>> {
    let root = SIMS.lock().root.clone().ok_or(ENODEV)?;
    KBox::pin_init(
        root.read_callback_file(&hw.name, hw.clone(), &render),
        GFP_KERNEL,
    )
}
