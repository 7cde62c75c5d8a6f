# SPDX-License-Identifier: GPL-2.0
# The guest booted the kernel under test, with the PWM subsystem in it.

. /pwm/lib.sh

check config-pwm sh -c 'zcat /proc/config.gz | grep -qx CONFIG_PWM=y'
check pwm-class-exists test -d /sys/class/pwm
check configfs-mounted grep -q ' /sys/kernel/config configfs ' /proc/mounts
