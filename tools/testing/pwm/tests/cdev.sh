# SPDX-License-Identifier: GPL-2.0
# /dev/pwmchipN: the test program reports its own cases; its 32-bit build
# repeats the basic ones through compat_ioctl (CONFIG_IA32_EMULATION).

. /pwm/lib.sh

/pwm/bin/pwm-cdev-test cdev
/pwm/bin/pwm-cdev-test32 cdev32 quick || true
