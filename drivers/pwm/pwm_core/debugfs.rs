// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/debug/pwm`: every chip with, per channel, its consumer, the
//! configuration requested and the one its hardware has, in the C core's
//! format.
//!
//! The registry's lock is held only to take references to the chips; the
//! hardware is read with each chip's own lock, so a slow chip delays only
//! this file. What is printed of a chip's parent and of a channel's label is
//! read under the chip's control mutex, which removal and `pwm_put()` take
//! before the parent or the label may go: a chip removed in the meantime is
//! left out.
//!
//! C header: [`include/linux/debugfs.h`](srctree/include/linux/debugfs.h)

use kernel::{
    bindings,
    ffi::{
        c_int,
        c_void, //
    },
    prelude::*,
    types::Opaque,
};

use crate::{
    chip::{
        Chip,
        Pwm, //
    },
    registry, state, waveform,
};

/// Room for the part of a label that `%-20.20s` prints, and its NUL.
const LABEL_LEN: usize = 21;

/// A copy of a channel's label (as much as is printed) and whether it is
/// requested, taken under the chip's control mutex, which serialises them
/// with request and release; `None` for no label.
fn label_of(chip: &Chip, pwm: &Pwm) -> (Option<[u8; LABEL_LEN]>, bool) {
    let _control = chip.lock_control();
    let label = pwm.label();
    if label.is_null() {
        return (None, pwm.is_requested());
    }
    let mut copy = [0u8; LABEL_LEN];
    // SAFETY: A label is a NUL-terminated string that stays valid while the channel is
    // requested, which the control mutex, held, keeps it; `strscpy` reads up to its NUL and
    // writes at most `LABEL_LEN` bytes, NUL-terminated (a longer label is cut).
    unsafe { bindings::sized_strscpy(copy.as_mut_ptr().cast(), label, LABEL_LEN) };
    (Some(copy), pwm.is_requested())
}

/// Prints the chip's channels.
fn show_chip(s: *mut bindings::seq_file, chip: &Chip) {
    let waveform_chip = chip.supports_waveform();
    for pwm in chip.pwms() {
        let st = pwm.state();
        let (label, requested) = label_of(chip, pwm);
        let label = label.as_ref().map_or(core::ptr::null(), |l| {
            l.as_ptr().cast::<kernel::ffi::c_char>()
        });
        // SAFETY: `s` is the seq_file being shown; the format's arguments match it: an
        // `int`, a string or NULL (printed "(null)"), two strings, two `u64`s, a string.
        unsafe {
            bindings::seq_printf(
                s,
                c" pwm-%-3d (%-20.20s):%s\n".as_char_ptr(),
                pwm.hwpwm() as c_int,
                label,
                if requested {
                    c" requested".as_char_ptr()
                } else {
                    c"".as_char_ptr()
                },
            );
            bindings::seq_printf(
                s,
                c"  requested configuration: %3sabled, %llu/%llu ns, %s polarity%s\n".as_char_ptr(),
                if st.enabled { c"en" } else { c"dis" }.as_char_ptr(),
                st.duty_cycle,
                st.period,
                polarity(st.polarity),
                if st.usage_power {
                    c", usage_power".as_char_ptr()
                } else {
                    c"".as_char_ptr()
                },
            );
        }
        if waveform_chip {
            let mut wf = bindings::pwm_waveform::default();
            let err = waveform::get(pwm, &mut wf);
            // SAFETY: As above; `%pe` takes an `ERR_PTR()`.
            unsafe {
                if err == 0 {
                    bindings::seq_printf(
                        s,
                        c"  actual configuration: %lld/%lld [+%lld]".as_char_ptr(),
                        wf.duty_length_ns,
                        wf.period_length_ns,
                        wf.duty_offset_ns,
                    );
                } else {
                    bindings::seq_printf(
                        s,
                        c"  actual configuration: read out error: %pe\n".as_char_ptr(),
                        err as isize as *const c_void,
                    );
                }
            }
        } else {
            let mut hw = bindings::pwm_state::default();
            // SAFETY: As above.
            unsafe {
                match state::get_state_hw(pwm, &mut hw) {
                    0 => bindings::seq_printf(
                        s,
                        c"  actual configuration:    %3sabled, %llu/%llu ns, %s polarity"
                            .as_char_ptr(),
                        if hw.enabled { c"en" } else { c"dis" }.as_char_ptr(),
                        hw.duty_cycle,
                        hw.period,
                        polarity(hw.polarity),
                    ),
                    err => bindings::seq_printf(
                        s,
                        c"  actual configuration: read out error: %pe".as_char_ptr(),
                        err as isize as *const c_void,
                    ),
                }
            };
        }
        // SAFETY: `s` is the seq_file being shown.
        unsafe { bindings::seq_putc(s, b'\n' as kernel::ffi::c_char) };
    }
}

fn polarity(p: bindings::pwm_polarity) -> *const kernel::ffi::c_char {
    if p != 0 { c"inverse" } else { c"normal" }.as_char_ptr()
}

/// # Safety
///
/// Called by `seq_read` with a seq_file opened by [`open`].
unsafe extern "C" fn show(s: *mut bindings::seq_file, _data: *mut c_void) -> c_int {
    let Ok(chips) = registry::snapshot() else {
        return ENOMEM.to_errno();
    };
    let mut first = true;
    for chip in chips.iter() {
        {
            let control = chip.lock_control();
            // A removed chip may have lost its parent: only an operational one, checked
            // under the mutex that removal revokes it under, still holds it.
            if !control.is_operational() {
                continue;
            }
            let parent = chip.parent();
            // SAFETY: The chip is operational and its control mutex held, so its device is
            // not deleted yet and holds a reference to the parent, with the parent's bus
            // and name; a parent without a bus prints "no-bus".
            unsafe {
                let bus = (*parent).bus;
                bindings::seq_printf(
                    s,
                    c"%s%u: %s/%s, npwm: %u\n".as_char_ptr(),
                    if first { c"" } else { c"\n" }.as_char_ptr(),
                    chip.id(),
                    if bus.is_null() {
                        c"no-bus".as_char_ptr()
                    } else {
                        (*bus).name
                    },
                    bindings::dev_name(parent),
                    chip.npwm(),
                );
            }
        }
        first = false;
        show_chip(s, chip);
    }
    0
}

/// # Safety
///
/// Called by the VFS to open the debugfs file.
unsafe extern "C" fn open(inode: *mut bindings::inode, file: *mut bindings::file) -> c_int {
    // SAFETY: `show` works on any seq_file opened here.
    unsafe { bindings::single_open(file, Some(show), (*inode).i_private) }
}

/// `struct file_operations` in static memory.
#[repr(transparent)]
struct Fops(Opaque<bindings::file_operations>);

// SAFETY: Built at compile time and only read.
unsafe impl Sync for Fops {}

static FOPS: Fops = Fops(Opaque::new(bindings::file_operations {
    open: Some(open),
    read: Some(bindings::seq_read),
    llseek: Some(bindings::seq_lseek),
    release: Some(bindings::single_release),
    // SAFETY: All-zero is valid for the other members.
    ..unsafe { core::mem::zeroed() }
}));

/// Creates `/sys/kernel/debug/pwm`; without debugfs, nothing.
pub(crate) fn init() {
    // SAFETY: The name and the operations are static; a failure is not an error.
    unsafe {
        bindings::debugfs_create_file_full(
            c"pwm".as_char_ptr(),
            0o444,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            core::ptr::null(),
            FOPS.0.get(),
        )
    };
}
