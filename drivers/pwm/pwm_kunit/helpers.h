/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers of static-inline KUnit helpers for the Rust suites of the PWM
 * core (drivers/pwm/pwm_kunit/; the suites declare them on their side).
 */
#ifndef __PWM_KUNIT_HELPERS_H
#define __PWM_KUNIT_HELPERS_H

#include <linux/types.h>

struct kunit;

/*
 * Runs func(state) concurrently in task, softirq and hard-IRQ context (a
 * HRTIMER_MODE_REL_HARD timer) for up to max_iterations calls or a second;
 * fails the test if any call returns false or a context never ran.
 */
void pwm_kunit_run_irq_test(struct kunit *test, bool (*func)(void *),
			    int max_iterations, void *state);

/* Whether the caller runs in hard-IRQ context. */
bool pwm_kunit_in_hardirq(void);

/*
 * Takes and releases a spinlock_t with interrupts saved, as C drivers such
 * as pwm-gpio do inside their ops.
 */
void pwm_kunit_driver_spinlock(void);

/*
 * pwm_apply_atomic() with bottom halves disabled and a consumer's own
 * spinlock_t held with interrupts saved; its result.
 */
struct pwm_device;
struct pwm_state;
int pwm_kunit_apply_atomic_locked(struct pwm_device *pwm,
				  const struct pwm_state *state);

/*
 * Applies pwm_kunit_overlay.dtso to the live tree until the test ends;
 * 0 or a negative errno (the test is skipped without CONFIG_OF_OVERLAY).
 */
int pwm_kunit_apply_overlay(struct kunit *test);

/* The same for pwm_kunit_sim_overlay.dtso. */
int pwm_kunit_apply_sim_overlay(struct kunit *test);

/* The reference count of dev's device tree node (0 without one). */
struct device;
unsigned int pwm_kunit_of_node_refcount(struct device *dev);

struct pwm_kunit_log_watch;

/*
 * Starts counting the kernel messages that contain needle (a string that
 * outlives the watch); NULL when tracepoints are not available or on
 * allocation failure.
 */
struct pwm_kunit_log_watch *pwm_kunit_log_watch_start(const char *needle);

/* How many messages contained the needle so far. */
unsigned int pwm_kunit_log_watch_hits(struct pwm_kunit_log_watch *watch);

/* Stops counting; no probe runs on the watch once this returns. */
void pwm_kunit_log_watch_stop(struct pwm_kunit_log_watch *watch);

/*
 * Adds or removes a GPIO lookup table that gives the device
 * "pwm-kunit-gpio-consumer" line 1 of the GPIO chip labelled
 * "pwm-kunit-provider" as its "pwm" GPIO (CONFIG_PWM_PROVIDE_GPIO).
 */
void pwm_kunit_add_gpio_lookup(void);
void pwm_kunit_remove_gpio_lookup(void);

struct device;
struct gpio_desc;

/*
 * The GPIO consumer API, whose header the Rust bindings leave out: the "pwm"
 * line of dev, driven low (ERR_PTR on failure); set it; its direction
 * (GPIO_LINE_DIRECTION_*); put it.
 */
struct gpio_desc *pwm_kunit_gpiod_get(struct device *dev);
int pwm_kunit_gpiod_set(struct gpio_desc *desc, int value);
int pwm_kunit_gpiod_get_direction(struct gpio_desc *desc);
void pwm_kunit_gpiod_put(struct gpio_desc *desc);

struct pwm_chip;

/*
 * Writes @buf to the chip attribute @name (export, unexport) through its
 * store callback, as a write to /sys/class/pwm/pwmchipN/@name does.
 */
ssize_t pwm_kunit_chip_attr_store(struct pwm_chip *chip, const char *name,
				  const char *buf);

/* The class's system sleep callbacks for @chip, as the PM core calls them. */
int pwm_kunit_class_suspend(struct pwm_chip *chip);
int pwm_kunit_class_resume(struct pwm_chip *chip);

#endif /* __PWM_KUNIT_HELPERS_H */
