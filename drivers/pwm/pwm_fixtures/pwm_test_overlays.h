/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device tree overlays of the PWM tests (pwm_test_overlays.c).
 */
#ifndef __PWM_TEST_OVERLAYS_H
#define __PWM_TEST_OVERLAYS_H

#include <linux/types.h>

/* The built-in overlays: the blobs of the pwm_test_*.dtbo.o objects. */
extern u8 __dtbo_pwm_test_backlight_begin[], __dtbo_pwm_test_backlight_end[];
extern u8 __dtbo_pwm_test_fan_begin[], __dtbo_pwm_test_fan_end[];
extern u8 __dtbo_pwm_test_beeper_begin[], __dtbo_pwm_test_beeper_end[];
extern u8 __dtbo_pwm_test_leds_begin[], __dtbo_pwm_test_leds_end[];
extern u8 __dtbo_pwm_test_regulator_begin[], __dtbo_pwm_test_regulator_end[];
extern u8 __dtbo_pwm_test_ir_tx_begin[], __dtbo_pwm_test_ir_tx_end[];
extern u8 __dtbo_pwm_test_vibrator_begin[], __dtbo_pwm_test_vibrator_end[];

/*
 * Destroys the devices made from the nodes of applied overlays and waits
 * (up to ten seconds) until nothing else holds those nodes, so that the
 * overlays can go without an of_node_get()/of_node_put() imbalance report.
 */
void pwm_test_settle_overlays(void);

#endif
