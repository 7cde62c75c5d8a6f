// SPDX-License-Identifier: GPL-2.0
/*
 * C side of the PWM core's KUnit suites: <kunit/run-in-irq-context.h> is
 * static inline, so the Rust suites reach it through these wrappers.
 */

#include <kunit/run-in-irq-context.h>
#include <kunit/test.h>
#include <linux/preempt.h>

#include "irq_context.h"

void pwm_kunit_run_irq_test(struct kunit *test, bool (*func)(void *),
			    int max_iterations, void *state)
{
	kunit_run_irq_test(test, func, max_iterations, state);
}

bool pwm_kunit_in_hardirq(void)
{
	return in_hardirq();
}
