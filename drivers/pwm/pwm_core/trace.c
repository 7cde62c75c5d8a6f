// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints of <trace/events/pwm.h> for the Rust PWM core: created
 * here, and called from Rust (chip.rs, around every driver op) through
 * these wrappers of the static-inline trace_*() functions.
 */

#define CREATE_TRACE_POINTS
#include <trace/events/pwm.h>

#include "pwm_core.h"

void pwm_core_trace_apply(struct pwm_device *pwm, const struct pwm_state *state,
			  int err)
{
	trace_pwm_apply(pwm, state, err);
}

void pwm_core_trace_get(struct pwm_device *pwm, const struct pwm_state *state,
			int err)
{
	trace_pwm_get(pwm, state, err);
}

void pwm_core_trace_round_tohw(struct pwm_device *pwm,
			       const struct pwm_waveform *wf, void *wfhw,
			       int err)
{
	trace_pwm_round_waveform_tohw(pwm, wf, wfhw, err);
}

void pwm_core_trace_round_fromhw(struct pwm_device *pwm, const void *wfhw,
				 struct pwm_waveform *wf, int err)
{
	trace_pwm_round_waveform_fromhw(pwm, wfhw, wf, err);
}

void pwm_core_trace_read_waveform(struct pwm_device *pwm, void *wfhw, int err)
{
	trace_pwm_read_waveform(pwm, wfhw, err);
}

void pwm_core_trace_write_waveform(struct pwm_device *pwm, const void *wfhw,
				   int err)
{
	trace_pwm_write_waveform(pwm, wfhw, err);
}
