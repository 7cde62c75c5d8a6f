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
 * Applies pwm_kunit_overlay.dtso to the live tree until the test ends;
 * 0 or a negative errno (the test is skipped without CONFIG_OF_OVERLAY).
 */
int pwm_kunit_apply_overlay(struct kunit *test);

/* The same for pwm_kunit_sim_overlay.dtso. */
int pwm_kunit_apply_sim_overlay(struct kunit *test);

#endif /* __PWM_KUNIT_HELPERS_H */
