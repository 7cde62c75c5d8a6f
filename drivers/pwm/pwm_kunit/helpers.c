// SPDX-License-Identifier: GPL-2.0
/*
 * C side of the PWM core's KUnit suites: wrappers of the static-inline
 * helpers of <kunit/run-in-irq-context.h> and <kunit/of.h>, which the Rust
 * suites cannot call directly.
 */

#include <kunit/of.h>
#include <kunit/run-in-irq-context.h>
#include <kunit/test.h>
#include <linux/preempt.h>

#include "helpers.h"

void pwm_kunit_run_irq_test(struct kunit *test, bool (*func)(void *),
			    int max_iterations, void *state)
{
	kunit_run_irq_test(test, func, max_iterations, state);
}

bool pwm_kunit_in_hardirq(void)
{
	return in_hardirq();
}

OF_OVERLAY_DECLARE(pwm_kunit_overlay);

int pwm_kunit_apply_overlay(struct kunit *test)
{
	return of_overlay_apply_kunit(test, pwm_kunit_overlay);
}

OF_OVERLAY_DECLARE(pwm_kunit_sim_overlay);

int pwm_kunit_apply_sim_overlay(struct kunit *test)
{
	return of_overlay_apply_kunit(test, pwm_kunit_sim_overlay);
}
