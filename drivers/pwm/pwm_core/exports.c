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
#include <linux/uaccess.h>
#include <uapi/linux/pwm.h>

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

/*
 * The character device's ioctls copy one struct pwmchip_waveform each way.
 * copy_from_user() and copy_to_user() move it as a string (rep movsb, or
 * rep_movs_alternative on CPUs without fast short strings), which costs
 * more than the rest of an ioctl; one access per field in a user-access
 * section does not. Rust has no binding for user-access sections.
 */
int pwm_core_get_user_wf(struct pwmchip_waveform *wf,
			 const struct pwmchip_waveform __user *uwf)
{
	if (!user_read_access_begin(uwf, sizeof(*uwf)))
		return -EFAULT;
	unsafe_get_user(wf->hwpwm, &uwf->hwpwm, efault);
	unsafe_get_user(wf->__pad, &uwf->__pad, efault);
	unsafe_get_user(wf->period_length_ns, &uwf->period_length_ns, efault);
	unsafe_get_user(wf->duty_length_ns, &uwf->duty_length_ns, efault);
	unsafe_get_user(wf->duty_offset_ns, &uwf->duty_offset_ns, efault);
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

int pwm_core_put_user_wf(struct pwmchip_waveform __user *uwf,
			 const struct pwmchip_waveform *wf)
{
	if (!user_write_access_begin(uwf, sizeof(*uwf)))
		return -EFAULT;
	unsafe_put_user(wf->hwpwm, &uwf->hwpwm, efault);
	unsafe_put_user(wf->__pad, &uwf->__pad, efault);
	unsafe_put_user(wf->period_length_ns, &uwf->period_length_ns, efault);
	unsafe_put_user(wf->duty_length_ns, &uwf->duty_length_ns, efault);
	unsafe_put_user(wf->duty_offset_ns, &uwf->duty_offset_ns, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static int __init pwm_init(void)
{
	return pwm_core_init();
}
subsys_initcall(pwm_init);
