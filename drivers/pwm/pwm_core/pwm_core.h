/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the Rust PWM core (pwm_core.rs) that only the core's own
 * C files use. The C API itself is declared in <linux/pwm.h>.
 */
#ifndef __PWM_CORE_H
#define __PWM_CORE_H

#include <linux/types.h>

struct pwm_device;
struct pwm_state;
struct pwm_waveform;

/*
 * Initialises the registries, the character devices' numbers and the pwm
 * class; 0 or a negative errno.
 */
int pwm_core_init(void);

struct list_head;

/*
 * Locks the board lookup tables (statically initialised, usable from the
 * first initcall) and returns their list; pwm_core_lookup_unlock() unlocks.
 */
struct list_head *pwm_core_lookup_lock(void);
void pwm_core_lookup_unlock(void);

/* ARCH_DMA_MINALIGN, the alignment of a chip's driver private data. */
size_t pwm_core_priv_align(void);

/* Tracepoints of <trace/events/pwm.h>, for the Rust side (trace.c). */
void pwm_core_trace_apply(struct pwm_device *pwm, const struct pwm_state *state,
			  int err);
void pwm_core_trace_get(struct pwm_device *pwm, const struct pwm_state *state,
			int err);
void pwm_core_trace_round_tohw(struct pwm_device *pwm,
			       const struct pwm_waveform *wf, void *wfhw,
			       int err);
void pwm_core_trace_round_fromhw(struct pwm_device *pwm, const void *wfhw,
				 struct pwm_waveform *wf, int err);
void pwm_core_trace_read_waveform(struct pwm_device *pwm, void *wfhw, int err);
void pwm_core_trace_write_waveform(struct pwm_device *pwm, const void *wfhw,
				   int err);

#endif /* __PWM_CORE_H */
