/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the Rust PWM core (pwm_core.rs) that only the core's own
 * C files use. The C API itself is declared in <linux/pwm.h>.
 */
#ifndef __PWM_CORE_H
#define __PWM_CORE_H

#include <linux/types.h>

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

struct pwmchip_waveform;

/*
 * Copy a struct pwmchip_waveform from and to userspace in one user-access
 * section each; 0 or -EFAULT.
 */
int pwm_core_get_user_wf(struct pwmchip_waveform *wf,
			 const struct pwmchip_waveform __user *uwf);
int pwm_core_put_user_wf(struct pwmchip_waveform __user *uwf,
			 const struct pwmchip_waveform *wf);

#endif /* __PWM_CORE_H */
