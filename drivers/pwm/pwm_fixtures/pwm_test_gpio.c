// SPDX-License-Identifier: GPL-2.0
/*
 * Board of the pwm-gpio test: a GPIO chip that never sleeps and records
 * every change of its lines, a "pwm-gpio" platform device whose GPIO is
 * line 0 of it, and a PWM lookup table that gives its channel to the Rust
 * consumer sample, as a board file would describe them. The devices come
 * and go when the test says, so that other tests see no chip of theirs.
 *
 * Upstream's pwm-gpio toggles its line from a hard hrtimer, so its GPIO
 * must not sleep; gpio-mockup and gpio-sim take mutexes in their set
 * callbacks. This chip takes a spinlock_t only.
 *
 * /sys/kernel/debug/pwm-test-gpio/line<N> reads
 *   <value> <rising edges> <falling edges> <ns high> <ns low>
 * counted since the line's last reset; writing anything to it resets the
 * counts, from the line's current value on. Writing 1 to pwm-gpio in the
 * same directory adds the pwm-gpio device (pwm-gpio.0), and 0 deletes it;
 * consumer does the same for the consumer's device (rust_pwm_consumer.7),
 * which runs the channel at 25% of 1 ms while bound.
 */

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/pwm.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#define PWM_TEST_GPIO_LABEL "pwm-test-gpio"
#define PWM_TEST_GPIO_LINES 2

struct pwm_test_gpio_line {
	bool value;
	u64 rising;
	u64 falling;
	/* When the value last changed, or the counts were reset. */
	ktime_t since;
	/* Time spent at each level between the reset and @since. */
	u64 high_ns;
	u64 low_ns;
};

struct pwm_test_gpio {
	struct gpio_chip gc;
	/* Protects @lines; taken from pwm-gpio's hard hrtimer. */
	spinlock_t lock;
	struct pwm_test_gpio_line lines[PWM_TEST_GPIO_LINES];
	struct dentry *dir;
};

static struct pwm_test_gpio pwm_test_gpio;

static void pwm_test_gpio_record(struct pwm_test_gpio_line *line, bool value)
{
	ktime_t now = ktime_get();
	u64 spent = ktime_to_ns(ktime_sub(now, line->since));

	if (line->value == value)
		return;
	if (line->value)
		line->high_ns += spent;
	else
		line->low_ns += spent;
	line->since = now;
	line->value = value;
	if (value)
		line->rising++;
	else
		line->falling++;
}

static int pwm_test_gpio_get(struct gpio_chip *gc, unsigned int offset)
{
	struct pwm_test_gpio *tg = gpiochip_get_data(gc);

	guard(spinlock_irqsave)(&tg->lock);
	return tg->lines[offset].value;
}

static int pwm_test_gpio_set(struct gpio_chip *gc, unsigned int offset,
			     int value)
{
	struct pwm_test_gpio *tg = gpiochip_get_data(gc);

	guard(spinlock_irqsave)(&tg->lock);
	pwm_test_gpio_record(&tg->lines[offset], value);
	return 0;
}

static int pwm_test_gpio_get_direction(struct gpio_chip *gc,
				       unsigned int offset)
{
	return GPIO_LINE_DIRECTION_OUT;
}

static int pwm_test_gpio_direction_output(struct gpio_chip *gc,
					  unsigned int offset, int value)
{
	return pwm_test_gpio_set(gc, offset, value);
}

static int pwm_test_gpio_show(struct seq_file *s, void *unused)
{
	struct pwm_test_gpio_line *line = s->private;
	struct pwm_test_gpio_line now;
	u64 spent;

	scoped_guard(spinlock_irqsave, &pwm_test_gpio.lock) {
		now = *line;
		spent = ktime_to_ns(ktime_sub(ktime_get(), line->since));
	}
	if (now.value)
		now.high_ns += spent;
	else
		now.low_ns += spent;
	seq_printf(s, "%d %llu %llu %llu %llu\n", now.value, now.rising,
		   now.falling, now.high_ns, now.low_ns);
	return 0;
}

static int pwm_test_gpio_open(struct inode *inode, struct file *file)
{
	return single_open(file, pwm_test_gpio_show, inode->i_private);
}

static ssize_t pwm_test_gpio_reset(struct file *file, const char __user *buf,
				   size_t count, loff_t *ppos)
{
	struct seq_file *s = file->private_data;
	struct pwm_test_gpio_line *line = s->private;

	guard(spinlock_irqsave)(&pwm_test_gpio.lock);
	line->rising = 0;
	line->falling = 0;
	line->high_ns = 0;
	line->low_ns = 0;
	line->since = ktime_get();
	return count;
}

static const struct file_operations pwm_test_gpio_fops = {
	.open = pwm_test_gpio_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = pwm_test_gpio_reset,
	.release = single_release,
};

/* pwm-gpio's GPIO (no connection name) is line 0. */
static struct gpiod_lookup_table pwm_test_gpio_lookup = {
	.dev_id = "pwm-gpio.0",
	.table = {
		GPIO_LOOKUP(PWM_TEST_GPIO_LABEL, 0, NULL, GPIO_ACTIVE_HIGH),
		{ }
	},
};

#define PWM_TEST_GPIO_CONSUMER "rust_pwm_consumer"

/* The consumer sample's "sample" PWM is pwm-gpio's channel. */
static struct pwm_lookup pwm_test_gpio_pwm_lookup[] = {
	PWM_LOOKUP("pwm-gpio.0", 0, PWM_TEST_GPIO_CONSUMER ".7", "sample",
		   1000000, PWM_POLARITY_NORMAL),
};

/* A platform device that the test adds and deletes through debugfs. */
struct pwm_test_gpio_dev {
	const char *name;
	int id;
	struct platform_device *pdev;
};

static struct pwm_test_gpio_dev pwm_test_gpio_devs[] = {
	{ .name = "pwm-gpio", .id = 0 },
	{ .name = PWM_TEST_GPIO_CONSUMER, .id = 7 },
};

/* Serialises adding and deleting the devices. */
static DEFINE_MUTEX(pwm_test_gpio_devs_lock);

static ssize_t pwm_test_gpio_dev_write(struct file *file,
				       const char __user *buf, size_t count,
				       loff_t *ppos)
{
	struct pwm_test_gpio_dev *d = file->private_data;
	struct platform_device *pdev;
	bool add;
	int ret;

	ret = kstrtobool_from_user(buf, count, &add);
	if (ret)
		return ret;

	guard(mutex)(&pwm_test_gpio_devs_lock);
	if (add == !!d->pdev)
		return -EBUSY;
	if (!add) {
		platform_device_unregister(d->pdev);
		d->pdev = NULL;
		return count;
	}
	pdev = platform_device_register_simple(d->name, d->id, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	d->pdev = pdev;
	return count;
}

static const struct file_operations pwm_test_gpio_dev_fops = {
	.open = simple_open,
	.write = pwm_test_gpio_dev_write,
};

static int __init pwm_test_gpio_init(void)
{
	struct pwm_test_gpio *tg = &pwm_test_gpio;
	char name[16];
	int i, ret;

	spin_lock_init(&tg->lock);
	tg->gc.label = PWM_TEST_GPIO_LABEL;
	tg->gc.base = -1;
	tg->gc.ngpio = PWM_TEST_GPIO_LINES;
	tg->gc.can_sleep = false;
	tg->gc.get = pwm_test_gpio_get;
	tg->gc.set = pwm_test_gpio_set;
	tg->gc.get_direction = pwm_test_gpio_get_direction;
	tg->gc.direction_output = pwm_test_gpio_direction_output;
	for (i = 0; i < PWM_TEST_GPIO_LINES; i++)
		tg->lines[i].since = ktime_get();

	ret = gpiochip_add_data(&tg->gc, tg);
	if (ret)
		return ret;

	tg->dir = debugfs_create_dir(PWM_TEST_GPIO_LABEL, NULL);
	for (i = 0; i < PWM_TEST_GPIO_LINES; i++) {
		snprintf(name, sizeof(name), "line%d", i);
		debugfs_create_file(name, 0600, tg->dir, &tg->lines[i],
				    &pwm_test_gpio_fops);
	}
	debugfs_create_file("pwm-gpio", 0200, tg->dir, &pwm_test_gpio_devs[0],
			    &pwm_test_gpio_dev_fops);
	debugfs_create_file("consumer", 0200, tg->dir, &pwm_test_gpio_devs[1],
			    &pwm_test_gpio_dev_fops);

	gpiod_add_lookup_table(&pwm_test_gpio_lookup);
	pwm_add_table(pwm_test_gpio_pwm_lookup,
		      ARRAY_SIZE(pwm_test_gpio_pwm_lookup));
	return 0;
}
late_initcall(pwm_test_gpio_init);
