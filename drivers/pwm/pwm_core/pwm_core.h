/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the Rust PWM core (pwm_core.rs) that only the core's own
 * C files use. The C API itself is declared in <linux/pwm.h>.
 */
#ifndef __PWM_CORE_H
#define __PWM_CORE_H

#include <linux/types.h>

/* Initialises the registries and the pwm class; 0 or a negative errno. */
int pwm_core_init(void);

/* ARCH_DMA_MINALIGN, the alignment of a chip's driver private data. */
size_t pwm_core_priv_align(void);

#endif /* __PWM_CORE_H */
