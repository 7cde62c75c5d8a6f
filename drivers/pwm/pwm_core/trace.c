// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints of <trace/events/pwm.h> for the Rust PWM core, with the
 * rust_do_trace_*() entry points that trace.rs calls once it has found the
 * tracepoint enabled.
 */

#define CREATE_TRACE_POINTS
#define CREATE_RUST_TRACE_POINTS
#include <trace/events/pwm.h>
