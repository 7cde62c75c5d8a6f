// SPDX-License-Identifier: GPL-2.0

//! The tracepoints of `<trace/events/pwm.h>`, fired around every driver op.
//!
//! `trace.c` creates them with `CREATE_RUST_TRACE_POINTS`, which adds one
//! `rust_do_trace_<name>()` per event. Each function here tests the
//! tracepoint's static key inline first, as C's `trace_<name>()` does, so a
//! disabled tracepoint costs one patched-out jump and no call.
//!
//! The pointers are untyped: `struct pwm_device` reaches types that Rust does
//! not consider FFI-safe, though only addresses cross.
//!
//! C header: [`include/trace/events/pwm.h`](srctree/include/trace/events/pwm.h)

use kernel::ffi::{
    c_int,
    c_void, //
};

/// Declares, for each event, the C symbols `trace.c` defines and an inline
/// function that fires the event if it is enabled.
macro_rules! tracepoints {
    ($($(#[$attr:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?);)*) => {$(
        $(#[$attr])*
        ///
        /// # Safety
        ///
        /// The pointers are valid for the event to read (and `wfhw` for
        /// `sizeof_wfhw` bytes) for the duration of the call.
        #[inline(always)]
        pub(crate) unsafe fn $name($($arg: $ty),*) {
            #[cfg(CONFIG_TRACEPOINTS)]
            kernel::macros::paste! {
                // `struct tracepoint` reaches types Rust does not consider
                // FFI-safe; only the address of its static key is used.
                #[allow(improper_ctypes)]
                unsafe extern "C" {
                    static [<__tracepoint_ $name>]: kernel::bindings::tracepoint;
                    fn [<rust_do_trace_ $name>]($($arg: $ty),*);
                }
                // SAFETY: `trace.c` defines the tracepoint, whose static key is a real one.
                let enabled = unsafe {
                    kernel::static_branch_unlikely!(
                        [<__tracepoint_ $name>],
                        kernel::bindings::tracepoint,
                        key
                    )
                };
                if enabled {
                    // SAFETY: The caller guarantees that the pointers are valid.
                    unsafe { [<rust_do_trace_ $name>]($($arg),*) };
                }
            }
            #[cfg(not(CONFIG_TRACEPOINTS))]
            {
                $(let _ = $arg;)*
            }
        }
    )*};
}

tracepoints! {
    /// `pwm:pwm_apply`: the driver's `apply` returned `err`.
    fn pwm_apply(pwm: *mut c_void, state: *const c_void, err: c_int);
    /// `pwm:pwm_get`: the driver's `get_state` returned `err`.
    fn pwm_get(pwm: *mut c_void, state: *const c_void, err: c_int);
    /// `pwm:pwm_round_waveform_tohw`.
    fn pwm_round_waveform_tohw(pwm: *mut c_void, wf: *const c_void, wfhw: *mut c_void, err: c_int);
    /// `pwm:pwm_round_waveform_fromhw`.
    fn pwm_round_waveform_fromhw(pwm: *mut c_void, wfhw: *const c_void, wf: *mut c_void, err: c_int);
    /// `pwm:pwm_read_waveform`.
    fn pwm_read_waveform(pwm: *mut c_void, wfhw: *mut c_void, err: c_int);
    /// `pwm:pwm_write_waveform`.
    fn pwm_write_waveform(pwm: *mut c_void, wfhw: *const c_void, err: c_int);
}
