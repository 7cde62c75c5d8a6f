// SPDX-License-Identifier: GPL-2.0
/*
 * Device tree overlays that describe upstream PWM consumers on pwm-sim
 * chips, applied and removed by in-guest tests: writing 1 to
 * /sys/kernel/debug/pwm-test-overlays/<name> applies the overlay <name>,
 * writing 0 removes it (after settling its devices), reading tells whether
 * it is applied. One is applied at a time (-EBUSY otherwise), as settling
 * takes every overlay's devices. The overlays are built in, as the KUnit
 * suites' are.
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>

#include "pwm_test_overlays.h"

#define PWM_TEST_OVERLAY(name) {					\
	.file = #name,							\
	.begin = __dtbo_pwm_test_##name##_begin,			\
	.end = __dtbo_pwm_test_##name##_end,				\
}

struct pwm_test_overlay {
	const char *file;
	u8 *begin;
	u8 *end;
	/* The applied overlay's changeset, 0 when not applied. */
	int ovcs_id;
};

static struct pwm_test_overlay pwm_test_overlays[] = {
	PWM_TEST_OVERLAY(backlight),
	PWM_TEST_OVERLAY(fan),
	PWM_TEST_OVERLAY(beeper),
	PWM_TEST_OVERLAY(leds),
	PWM_TEST_OVERLAY(regulator),
	PWM_TEST_OVERLAY(ir_tx),
	PWM_TEST_OVERLAY(vibrator),
};

/* Serialises applying and removing the overlays; protects the next one. */
static DEFINE_MUTEX(pwm_test_overlays_lock);
static struct pwm_test_overlay *pwm_test_overlay_applied;

/*
 * Each device made from an overlay's node holds the node until its release,
 * which CONFIG_DEBUG_KOBJECT_RELEASE delays by seconds, and the overlay's
 * removal reports any node still held as an of_node_get()/of_node_put()
 * imbalance ("OF: ERROR: memory leak"). So destroy the devices first, and
 * wait for their last references.
 */
void pwm_test_settle_overlays(void)
{
	struct platform_device *pdev;
	struct device_node *np;
	bool held;
	int i;

	for (np = of_find_all_nodes(NULL); np; np = of_find_all_nodes(np)) {
		if (!of_node_check_flag(np, OF_OVERLAY) ||
		    !of_node_check_flag(np, OF_POPULATED))
			continue;
		pdev = of_find_device_by_node(np);
		if (!pdev)
			continue;
		of_platform_device_destroy(&pdev->dev, NULL);
		put_device(&pdev->dev);
	}

	/* An attached overlay node holds one reference; the loop holds one. */
	for (i = 0; i < 500; i++) {
		held = false;
		for (np = of_find_all_nodes(NULL); np; np = of_find_all_nodes(np))
			if (of_node_check_flag(np, OF_OVERLAY) &&
			    kref_read(&np->kobj.kref) > 2)
				held = true;
		if (!held)
			return;
		msleep(20);
	}
}
EXPORT_SYMBOL_GPL(pwm_test_settle_overlays);

/* Removes an overlay; on failure it stays applied, to be removed again. */
static int pwm_test_overlay_remove(struct pwm_test_overlay *ov)
{
	int ret;

	pwm_test_settle_overlays();
	ret = of_overlay_remove(&ov->ovcs_id);
	if (!ret)
		pwm_test_overlay_applied = NULL;
	return ret;
}

static int pwm_test_overlay_apply(struct pwm_test_overlay *ov)
{
	int ret;

	if (pwm_test_overlay_applied)
		return -EBUSY;
	ret = of_overlay_fdt_apply(ov->begin, ov->end - ov->begin,
				   &ov->ovcs_id, NULL);
	if (ov->ovcs_id)
		pwm_test_overlay_applied = ov;
	/* A failed apply may leave a changeset to remove. */
	if (ret && ov->ovcs_id)
		pwm_test_overlay_remove(ov);
	return ret;
}

static ssize_t pwm_test_overlay_write(struct file *file,
				      const char __user *buf, size_t count,
				      loff_t *ppos)
{
	struct pwm_test_overlay *ov = file->private_data;
	bool apply;
	int ret;

	ret = kstrtobool_from_user(buf, count, &apply);
	if (ret)
		return ret;

	guard(mutex)(&pwm_test_overlays_lock);
	if (apply == !!ov->ovcs_id)
		return -EBUSY;
	ret = apply ? pwm_test_overlay_apply(ov) : pwm_test_overlay_remove(ov);
	return ret ? ret : count;
}

static ssize_t pwm_test_overlay_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct pwm_test_overlay *ov = file->private_data;
	char state[3];

	scoped_guard(mutex, &pwm_test_overlays_lock)
		snprintf(state, sizeof(state), "%d\n", !!ov->ovcs_id);
	return simple_read_from_buffer(buf, count, ppos, state, 2);
}

static const struct file_operations pwm_test_overlay_fops = {
	.open = simple_open,
	.read = pwm_test_overlay_read,
	.write = pwm_test_overlay_write,
};

static int __init pwm_test_overlays_init(void)
{
	struct dentry *dir;
	int i;

	dir = debugfs_create_dir("pwm-test-overlays", NULL);
	for (i = 0; i < ARRAY_SIZE(pwm_test_overlays); i++)
		debugfs_create_file(pwm_test_overlays[i].file, 0600, dir,
				    &pwm_test_overlays[i],
				    &pwm_test_overlay_fops);
	return 0;
}
late_initcall(pwm_test_overlays_init);
