# SPDX-License-Identifier: GPL-2.0
# /dev/pwmchipN: the test program reports its own cases; its 32-bit build
# repeats the basic ones through compat_ioctl (CONFIG_IA32_EMULATION).

. /pwm/lib.sh

# Each program ends with a `completed` case and exits non-zero when a case
# failed or it crashed; both statuses make the script's.
/pwm/bin/pwm-cdev-test cdev
rc64=$?
/pwm/bin/pwm-cdev-test32 cdev32 quick
rc32=$?
[ $rc64 = 0 ] && [ $rc32 = 0 ]
