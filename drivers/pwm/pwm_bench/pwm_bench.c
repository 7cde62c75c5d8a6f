// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel half of `make bench`: no-op waveform chips written against
 * the C API of <linux/pwm.h> only, so that what is timed is the core (the
 * Rust one or core.c, whichever is built), and timed loops over the core's
 * consumer and provider calls.
 *
 * /sys/kernel/debug/pwm-bench/run: writing "<workload> <iterations>" runs a
 * workload, reading gives "<nanoseconds per call>\n" for the last one (or
 * the write failed with its error). "hold <npwm> <count>" registers count
 * chips of npwm channels and keeps them, so that userspace can measure the
 * slab memory they take; "release" removes them.
 *
 * Workloads: apply (pwm_apply_might_sleep), apply_atomic (pwm_apply_atomic
 * from a task), apply_hrtimer (pwm_apply_atomic from a hard hrtimer),
 * set_waveform (pwm_set_waveform_might_sleep), get_state_hw
 * (pwm_get_state_hw), get_put (pwm_get and pwm_put through a lookup table),
 * register (pwmchip_alloc, pwmchip_add, pwmchip_remove, pwmchip_put).
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/pwm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define PWM_BENCH_NPWM		4
#define PWM_BENCH_PERIOD_NS	50000
/* Applies per hard hrtimer callback: keeps each callback short. */
#define PWM_BENCH_HRTIMER_BATCH	256
#define PWM_BENCH_MAX_HELD	1024

/*
 * The no-op hardware's registers: within PWM_WFHWSIZE (20 bytes), so duty
 * and offset are 32-bit nanoseconds, rounded down to U32_MAX.
 */
struct pwm_bench_wfhw {
	u64 period;
	u32 duty;
	u32 offset;
};

/* The no-op hardware: what each channel was last given. */
struct pwm_bench_hw {
	struct pwm_bench_wfhw ch[];
};

static int pwm_bench_round_tohw(struct pwm_chip *chip, struct pwm_device *pwm,
				const struct pwm_waveform *wf, void *_wfhw)
{
	struct pwm_bench_wfhw *wfhw = _wfhw;

	wfhw->period = wf->period_length_ns;
	wfhw->duty = min_t(u64, wf->duty_length_ns, U32_MAX);
	wfhw->offset = min_t(u64, wf->duty_offset_ns, U32_MAX);
	return 0;
}

static int pwm_bench_round_fromhw(struct pwm_chip *chip,
				  struct pwm_device *pwm, const void *_wfhw,
				  struct pwm_waveform *wf)
{
	const struct pwm_bench_wfhw *wfhw = _wfhw;

	wf->period_length_ns = wfhw->period;
	wf->duty_length_ns = wfhw->duty;
	wf->duty_offset_ns = wfhw->offset;
	return 0;
}

static int pwm_bench_read_waveform(struct pwm_chip *chip,
				   struct pwm_device *pwm, void *_wfhw)
{
	struct pwm_bench_hw *hw = pwmchip_get_drvdata(chip);

	memcpy(_wfhw, &hw->ch[pwm->hwpwm], sizeof(hw->ch[0]));
	return 0;
}

static int pwm_bench_write_waveform(struct pwm_chip *chip,
				    struct pwm_device *pwm, const void *_wfhw)
{
	struct pwm_bench_hw *hw = pwmchip_get_drvdata(chip);

	memcpy(&hw->ch[pwm->hwpwm], _wfhw, sizeof(hw->ch[0]));
	return 0;
}

static const struct pwm_ops pwm_bench_ops = {
	.sizeof_wfhw = sizeof(struct pwm_bench_wfhw),
	.round_waveform_tohw = pwm_bench_round_tohw,
	.round_waveform_fromhw = pwm_bench_round_fromhw,
	.read_waveform = pwm_bench_read_waveform,
	.write_waveform = pwm_bench_write_waveform,
};

static struct pwm_chip *pwm_bench_chip_new(struct device *parent,
					   unsigned int npwm, bool atomic)
{
	struct pwm_chip *chip;
	int ret;

	chip = pwmchip_alloc(parent, npwm, struct_size_t(struct pwm_bench_hw,
							 ch, npwm));
	if (IS_ERR(chip))
		return chip;
	chip->ops = &pwm_bench_ops;
	/* The ops take no lock: raw atomic, for the hard hrtimer workload. */
	if (atomic)
		pwmchip_set_raw_atomic(chip);
	ret = pwmchip_add(chip);
	if (ret) {
		pwmchip_put(chip);
		return ERR_PTR(ret);
	}
	return chip;
}

static void pwm_bench_chip_free(struct pwm_chip *chip)
{
	pwmchip_remove(chip);
	pwmchip_put(chip);
}

/*
 * The chips, each on a platform device of its own, and a consumer device (not
 * a chip's parent: the core links consumers to their provider) with a
 * handle on channel 0 of each.
 */
static struct platform_device *pwm_bench_fdev[2];
static struct pwm_chip *pwm_bench_chip[2];
static struct platform_device *pwm_bench_consumer;
static struct pwm_device *pwm_bench_pwm[2];
static const char * const pwm_bench_con_id[] = { "sleeping", "atomic" };

static struct pwm_lookup pwm_bench_lookup[] = {
	PWM_LOOKUP("pwm-bench-sleeping", 0, "pwm-bench-consumer", "sleeping",
		   PWM_BENCH_PERIOD_NS, PWM_POLARITY_NORMAL),
	PWM_LOOKUP("pwm-bench-atomic", 0, "pwm-bench-consumer", "atomic",
		   PWM_BENCH_PERIOD_NS, PWM_POLARITY_NORMAL),
};

/* Serialises workloads; protects the result and the held chips. */
static DEFINE_MUTEX(pwm_bench_lock);
static u64 pwm_bench_result_ns;
static struct pwm_chip *pwm_bench_held[PWM_BENCH_MAX_HELD];
static unsigned int pwm_bench_nheld;

/* Two states the loops alternate between, so that no apply is a no-op. */
static void pwm_bench_state(struct pwm_state *state, unsigned int i)
{
	*state = (struct pwm_state) {
		.period = PWM_BENCH_PERIOD_NS,
		.duty_cycle = i & 1 ? PWM_BENCH_PERIOD_NS / 4 :
				      PWM_BENCH_PERIOD_NS / 2,
		.polarity = PWM_POLARITY_NORMAL,
		.enabled = true,
	};
}

struct pwm_bench_timer {
	struct hrtimer timer;
	struct completion done;
	unsigned int left;
	unsigned int i;
	u64 ns;
	int err;
};

static enum hrtimer_restart pwm_bench_timer_fn(struct hrtimer *timer)
{
	struct pwm_bench_timer *t = container_of(timer, struct pwm_bench_timer,
						 timer);
	unsigned int n = min(t->left, PWM_BENCH_HRTIMER_BATCH);
	struct pwm_state state;
	u64 start = ktime_get_ns();
	int err = 0;

	for (; n && !err; n--, t->left--, t->i++) {
		pwm_bench_state(&state, t->i);
		err = pwm_apply_atomic(pwm_bench_pwm[1], &state);
	}
	t->ns += ktime_get_ns() - start;
	if (err || !t->left) {
		t->err = err;
		complete(&t->done);
		return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(timer, ns_to_ktime(1000));
	return HRTIMER_RESTART;
}

static int pwm_bench_hrtimer(unsigned int iterations, u64 *ns)
{
	struct pwm_bench_timer t = { .left = iterations };

	init_completion(&t.done);
	hrtimer_setup_on_stack(&t.timer, pwm_bench_timer_fn, CLOCK_MONOTONIC,
			       HRTIMER_MODE_REL_HARD);
	hrtimer_start(&t.timer, 0, HRTIMER_MODE_REL_HARD);
	wait_for_completion(&t.done);
	hrtimer_cancel(&t.timer);
	destroy_hrtimer_on_stack(&t.timer);
	*ns = t.ns;
	return t.err;
}

/* Runs a loop workload; its time in *ns. */
static int pwm_bench_loop(const char *name, unsigned int iterations, u64 *ns)
{
	struct device *dev = &pwm_bench_consumer->dev;
	struct pwm_waveform wf;
	struct pwm_state state;
	struct pwm_device *pwm;
	struct pwm_chip *chip;
	unsigned int i;
	int err = 0;
	u64 start;

	if (!strcmp(name, "apply_hrtimer"))
		return pwm_bench_hrtimer(iterations, ns);

	start = ktime_get_ns();
	if (!strcmp(name, "apply")) {
		for (i = 0; i < iterations && !err; i++) {
			pwm_bench_state(&state, i);
			err = pwm_apply_might_sleep(pwm_bench_pwm[0], &state);
		}
	} else if (!strcmp(name, "apply_atomic")) {
		for (i = 0; i < iterations && !err; i++) {
			pwm_bench_state(&state, i);
			err = pwm_apply_atomic(pwm_bench_pwm[1], &state);
		}
	} else if (!strcmp(name, "set_waveform")) {
		for (i = 0; i < iterations && !err; i++) {
			wf = (struct pwm_waveform) {
				.period_length_ns = PWM_BENCH_PERIOD_NS,
				.duty_length_ns = i & 1 ? 12500 : 25000,
			};
			err = pwm_set_waveform_might_sleep(pwm_bench_pwm[0],
							   &wf, false);
		}
	} else if (!strcmp(name, "get_state_hw")) {
		for (i = 0; i < iterations && !err; i++)
			err = pwm_get_state_hw(pwm_bench_pwm[0], &state);
	} else if (!strcmp(name, "get_put")) {
		/* Channel 0 is held by the benchmark's own handle. */
		pwm_put(pwm_bench_pwm[0]);
		for (i = 0; i < iterations && !err; i++) {
			pwm = pwm_get(dev, "sleeping");
			err = PTR_ERR_OR_ZERO(pwm);
			if (!err)
				pwm_put(pwm);
		}
		pwm_bench_pwm[0] = pwm_get(dev, "sleeping");
		if (IS_ERR(pwm_bench_pwm[0])) {
			err = PTR_ERR(pwm_bench_pwm[0]);
			pwm_bench_pwm[0] = NULL;
		}
	} else if (!strcmp(name, "register")) {
		for (i = 0; i < iterations && !err; i++) {
			chip = pwm_bench_chip_new(&pwm_bench_fdev[0]->dev, 1,
						  false);
			err = PTR_ERR_OR_ZERO(chip);
			if (!err)
				pwm_bench_chip_free(chip);
		}
	} else {
		return -EINVAL;
	}
	*ns = ktime_get_ns() - start;
	return err;
}

static void pwm_bench_release(void)
{
	while (pwm_bench_nheld)
		pwm_bench_chip_free(pwm_bench_held[--pwm_bench_nheld]);
}

static int pwm_bench_hold(unsigned int npwm, unsigned int count)
{
	struct pwm_chip *chip;

	if (pwm_bench_nheld || count > PWM_BENCH_MAX_HELD || !npwm)
		return -EINVAL;
	while (pwm_bench_nheld < count) {
		chip = pwm_bench_chip_new(&pwm_bench_fdev[0]->dev, npwm, false);
		if (IS_ERR(chip)) {
			pwm_bench_release();
			return PTR_ERR(chip);
		}
		pwm_bench_held[pwm_bench_nheld++] = chip;
	}
	return 0;
}

static ssize_t pwm_bench_run_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	unsigned int a, b = 0;
	char buf[48], name[24];
	u64 ns;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%23s %u %u", name, &a, &b) < 1)
		return -EINVAL;

	guard(mutex)(&pwm_bench_lock);
	if (!pwm_bench_pwm[0])
		return -ENODEV;
	if (!strcmp(name, "release")) {
		pwm_bench_release();
		return count;
	}
	if (!strcmp(name, "hold"))
		return pwm_bench_hold(a, b) ?: count;
	if (sscanf(buf, "%23s %u", name, &a) != 2 || !a)
		return -EINVAL;
	ret = pwm_bench_loop(name, a, &ns);
	if (ret)
		return ret;
	pwm_bench_result_ns = div_u64(ns, a);
	return count;
}

static ssize_t pwm_bench_run_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[24];
	int len;

	scoped_guard(mutex, &pwm_bench_lock)
		len = scnprintf(buf, sizeof(buf), "%llu\n",
				pwm_bench_result_ns);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations pwm_bench_run_fops = {
	.open = simple_open,
	.read = pwm_bench_run_read,
	.write = pwm_bench_run_write,
};

static struct dentry *pwm_bench_dir;

static struct platform_device *pwm_bench_device(const char *name)
{
	return platform_device_register_simple(name, PLATFORM_DEVID_NONE,
					       NULL, 0);
}

static void pwm_bench_teardown(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(pwm_bench_fdev); i++) {
		if (!IS_ERR_OR_NULL(pwm_bench_pwm[i]))
			pwm_put(pwm_bench_pwm[i]);
		if (!IS_ERR_OR_NULL(pwm_bench_chip[i]))
			pwm_bench_chip_free(pwm_bench_chip[i]);
		if (pwm_bench_fdev[i])
			platform_device_unregister(pwm_bench_fdev[i]);
	}
	if (pwm_bench_consumer)
		platform_device_unregister(pwm_bench_consumer);
}

static int __init pwm_bench_init(void)
{
	static const char * const names[] = {
		"pwm-bench-sleeping", "pwm-bench-atomic",
	};
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		pwm_bench_fdev[i] = pwm_bench_device(names[i]);
		if (IS_ERR(pwm_bench_fdev[i])) {
			ret = PTR_ERR(pwm_bench_fdev[i]);
			pwm_bench_fdev[i] = NULL;
			goto err;
		}
		pwm_bench_chip[i] = pwm_bench_chip_new(&pwm_bench_fdev[i]->dev,
						       PWM_BENCH_NPWM, i == 1);
		if (IS_ERR(pwm_bench_chip[i])) {
			ret = PTR_ERR(pwm_bench_chip[i]);
			goto err;
		}
	}
	pwm_bench_consumer = pwm_bench_device("pwm-bench-consumer");
	if (IS_ERR(pwm_bench_consumer)) {
		ret = PTR_ERR(pwm_bench_consumer);
		pwm_bench_consumer = NULL;
		goto err;
	}
	pwm_add_table(pwm_bench_lookup, ARRAY_SIZE(pwm_bench_lookup));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		pwm_bench_pwm[i] = pwm_get(&pwm_bench_consumer->dev,
					   pwm_bench_con_id[i]);
		if (IS_ERR(pwm_bench_pwm[i])) {
			ret = PTR_ERR(pwm_bench_pwm[i]);
			pwm_remove_table(pwm_bench_lookup,
					 ARRAY_SIZE(pwm_bench_lookup));
			goto err;
		}
	}
	pwm_bench_dir = debugfs_create_dir("pwm-bench", NULL);
	debugfs_create_file("run", 0600, pwm_bench_dir, NULL,
			    &pwm_bench_run_fops);
	return 0;

err:
	pwm_bench_teardown();
	return ret;
}
module_init(pwm_bench_init);

static void __exit pwm_bench_exit(void)
{
	debugfs_remove_recursive(pwm_bench_dir);
	scoped_guard(mutex, &pwm_bench_lock)
		pwm_bench_release();
	pwm_remove_table(pwm_bench_lookup, ARRAY_SIZE(pwm_bench_lookup));
	pwm_bench_teardown();
}
module_exit(pwm_bench_exit);

MODULE_DESCRIPTION("Benchmark of the PWM core through its C API");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("PWM");
