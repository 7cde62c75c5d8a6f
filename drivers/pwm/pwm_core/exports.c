// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of the Rust PWM core (pwm_core.rs): exports the C API of
 * <linux/pwm.h>, implemented in Rust, to modules in the PWM namespace, and
 * runs the core's initialisation before drivers and consumers probe.
 */

#define DEFAULT_SYMBOL_NAMESPACE "PWM"

#include <linux/cache.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pwm.h>

#include "pwm_core.h"

EXPORT_SYMBOL_GPL(pwm_round_waveform_might_sleep);
EXPORT_SYMBOL_GPL(pwm_get_waveform_might_sleep);
EXPORT_SYMBOL_GPL(pwm_set_waveform_might_sleep);
EXPORT_SYMBOL_GPL(pwm_apply_might_sleep);
EXPORT_SYMBOL_GPL(pwm_apply_atomic);
EXPORT_SYMBOL_GPL(pwm_get_state_hw);
EXPORT_SYMBOL_GPL(pwm_adjust_config);
EXPORT_SYMBOL_GPL(of_pwm_xlate_with_flags);
EXPORT_SYMBOL_GPL(of_pwm_single_xlate);
EXPORT_SYMBOL_GPL(pwmchip_put);
EXPORT_SYMBOL_GPL(pwmchip_release);
EXPORT_SYMBOL_GPL(pwmchip_alloc);
EXPORT_SYMBOL_GPL(devm_pwmchip_alloc);
EXPORT_SYMBOL_GPL(pwm_get);
EXPORT_SYMBOL_GPL(pwm_put);
EXPORT_SYMBOL_GPL(devm_pwm_get);
EXPORT_SYMBOL_GPL(devm_fwnode_pwm_get);
EXPORT_SYMBOL_GPL(__pwmchip_add);
EXPORT_SYMBOL_GPL(pwmchip_remove);
EXPORT_SYMBOL_GPL(pwmchip_set_raw_atomic);
EXPORT_SYMBOL_GPL(__devm_pwmchip_add);

/*
 * The board lookup tables and their lock are initialised statically, as
 * upstream's are: board files add tables from their first initcalls
 * (arch_initcall), before pwm_core_init() runs. Rust has no static
 * initialiser for a kernel mutex.
 */
static DEFINE_MUTEX(pwm_lookup_lock);
static LIST_HEAD(pwm_lookup_list);

struct list_head *pwm_core_lookup_lock(void)
{
	mutex_lock(&pwm_lookup_lock);
	return &pwm_lookup_list;
}

void pwm_core_lookup_unlock(void)
{
	mutex_unlock(&pwm_lookup_lock);
}

size_t pwm_core_priv_align(void)
{
	return ARCH_DMA_MINALIGN;
}

static int __init pwm_init(void)
{
	return pwm_core_init();
}
subsys_initcall(pwm_init);
