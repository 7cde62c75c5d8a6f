// SPDX-License-Identifier: GPL-2.0
/*
 * C side of the PWM core's KUnit suites: wrappers of the static-inline
 * helpers of <kunit/run-in-irq-context.h> and <kunit/of.h>, and a watch on
 * kernel messages through the printk:console tracepoint, none of which the
 * Rust suites can reach directly.
 */

#include <kunit/of.h>
#include <kunit/run-in-irq-context.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/gpio/consumer.h>
#include <linux/gpio/machine.h>
#include <linux/init.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/preempt.h>
#include <linux/pwm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/printk.h>

#include "helpers.h"
#include "../pwm_fixtures/pwm_test_overlays.h"

void pwm_kunit_run_irq_test(struct kunit *test, bool (*func)(void *),
			    int max_iterations, void *state)
{
	kunit_run_irq_test(test, func, max_iterations, state);
}

bool pwm_kunit_in_hardirq(void)
{
	return in_hardirq();
}

/*
 * A board file's lookup table, added at arch_initcall time, before the PWM
 * core's own subsys_initcall, as arch/arm/mach-s3c/mach-crag6410.c does
 * (pwm_capi.table_added_before_the_core_initialised_is_used).
 */
static struct pwm_lookup pwm_kunit_early_lookup[] = {
	PWM_LOOKUP("pwm-kunit-early-provider", 1, "pwm-kunit-early-consumer",
		   "early", 40000, PWM_POLARITY_INVERSED),
};

static int __init pwm_kunit_add_early_table(void)
{
	pwm_add_table(pwm_kunit_early_lookup,
		      ARRAY_SIZE(pwm_kunit_early_lookup));
	return 0;
}
arch_initcall(pwm_kunit_add_early_table);

static DEFINE_SPINLOCK(pwm_kunit_driver_lock);

void pwm_kunit_driver_spinlock(void)
{
	unsigned long flags;

	spin_lock_irqsave(&pwm_kunit_driver_lock, flags);
	spin_unlock_irqrestore(&pwm_kunit_driver_lock, flags);
}

static DEFINE_SPINLOCK(pwm_kunit_consumer_lock);

int pwm_kunit_apply_atomic_locked(struct pwm_device *pwm,
				  const struct pwm_state *state)
{
	unsigned long flags;
	int ret;

	local_bh_disable();
	spin_lock_irqsave(&pwm_kunit_consumer_lock, flags);
	ret = pwm_apply_atomic(pwm, state);
	spin_unlock_irqrestore(&pwm_kunit_consumer_lock, flags);
	local_bh_enable();
	return ret;
}

/* Before an overlay goes, its devices must be gone and its nodes let go. */
static void pwm_kunit_settle_overlay(void *unused)
{
	if (IS_ENABLED(CONFIG_PWM_TEST_OVERLAYS))
		pwm_test_settle_overlays();
}

/*
 * Applies an overlay until the test ends (skipping the test without
 * CONFIG_OF_OVERLAY), and settles it before it goes.
 */
static int pwm_kunit_apply(struct kunit *test, int ret)
{
	if (ret)
		return ret;
	/* Cleanups run last to first: this one before the overlay's removal. */
	return kunit_add_action_or_reset(test, pwm_kunit_settle_overlay, NULL);
}

OF_OVERLAY_DECLARE(pwm_kunit_overlay);

int pwm_kunit_apply_overlay(struct kunit *test)
{
	return pwm_kunit_apply(test,
			       of_overlay_apply_kunit(test, pwm_kunit_overlay));
}

OF_OVERLAY_DECLARE(pwm_kunit_sim_overlay);

int pwm_kunit_apply_sim_overlay(struct kunit *test)
{
	return pwm_kunit_apply(test,
			       of_overlay_apply_kunit(test,
						      pwm_kunit_sim_overlay));
}

unsigned int pwm_kunit_of_node_refcount(struct device *dev)
{
	return dev->of_node ? kref_read(&dev->of_node->kobj.kref) : 0;
}

struct pwm_kunit_log_watch {
	const char *needle;
	atomic_t hits;
};

/* Runs for every kernel message, in the context of its printk. */
static void pwm_kunit_log_probe(void *data, const char *text, size_t len)
{
	struct pwm_kunit_log_watch *watch = data;

	if (strnstr(text, watch->needle, len))
		atomic_inc(&watch->hits);
}

struct pwm_kunit_log_watch *pwm_kunit_log_watch_start(const char *needle)
{
	struct pwm_kunit_log_watch *watch;

	watch = kzalloc_obj(*watch);
	if (!watch)
		return NULL;

	watch->needle = needle;
	if (register_trace_console(pwm_kunit_log_probe, watch)) {
		kfree(watch);
		return NULL;
	}

	return watch;
}

unsigned int pwm_kunit_log_watch_hits(struct pwm_kunit_log_watch *watch)
{
	return atomic_read(&watch->hits);
}

void pwm_kunit_log_watch_stop(struct pwm_kunit_log_watch *watch)
{
	unregister_trace_console(pwm_kunit_log_probe, watch);
	tracepoint_synchronize_unregister();
	kfree(watch);
}

#ifdef CONFIG_PWM_PROVIDE_GPIO
/* Line 1 of the GPIO chip of the test chip on "pwm-kunit-provider". */
static struct gpiod_lookup_table pwm_kunit_gpio_lookup = {
	.dev_id = "pwm-kunit-gpio-consumer",
	.table = {
		GPIO_LOOKUP("pwm-kunit-provider", 1, "pwm", GPIO_ACTIVE_HIGH),
		{ }
	},
};

void pwm_kunit_add_gpio_lookup(void)
{
	gpiod_add_lookup_table(&pwm_kunit_gpio_lookup);
}

void pwm_kunit_remove_gpio_lookup(void)
{
	gpiod_remove_lookup_table(&pwm_kunit_gpio_lookup);
}

struct gpio_desc *pwm_kunit_gpiod_get(struct device *dev)
{
	return gpiod_get(dev, "pwm", GPIOD_OUT_LOW);
}

int pwm_kunit_gpiod_set(struct gpio_desc *desc, int value)
{
	return gpiod_set_value_cansleep(desc, value);
}

int pwm_kunit_gpiod_get_direction(struct gpio_desc *desc)
{
	return gpiod_get_direction(desc);
}

void pwm_kunit_gpiod_put(struct gpio_desc *desc)
{
	gpiod_put(desc);
}
#endif

ssize_t pwm_kunit_chip_attr_store(struct pwm_chip *chip, const char *name,
				  const char *buf)
{
	const struct attribute_group *const *groups = chip->dev.class->dev_groups;
	struct device_attribute *da;
	struct attribute **attr;

	for (; groups && *groups; groups++) {
		for (attr = (*groups)->attrs; attr && *attr; attr++) {
			if (strcmp((*attr)->name, name))
				continue;
			da = container_of(*attr, struct device_attribute, attr);
			return da->store(&chip->dev, da, buf, strlen(buf));
		}
	}
	return -ENOENT;
}

int pwm_kunit_class_suspend(struct pwm_chip *chip)
{
	return chip->dev.class->pm->suspend(&chip->dev);
}

int pwm_kunit_class_resume(struct pwm_chip *chip)
{
	return chip->dev.class->pm->resume(&chip->dev);
}
