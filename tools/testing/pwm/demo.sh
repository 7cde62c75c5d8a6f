# SPDX-License-Identifier: GPL-2.0
# The demo `make run` shows: a simulated PWM chip made with pwm-sim, one of
# its channels driven through the sysfs class, and what its hardware got.

CFS=/sys/kernel/config/pwm-sim
DBG=/sys/kernel/debug/pwm-sim

show() {
	echo "\$ $*"
	sh -c "$*"
}

echo "== kernel"
uname -a
echo "== a pwm-sim chip: 2 channels, 100 MHz clock, waveform ops"
show "mkdir $CFS/demo"
show "echo 2 > $CFS/demo/npwm; echo 100000000 > $CFS/demo/clock_hz"
show "echo 1 > $CFS/demo/live"
chip=/sys/class/pwm/$(cat $CFS/demo/chip_name)
show "cat $CFS/demo/chip_name $CFS/demo/dev_name $chip/npwm"
echo "== channel 0 through sysfs: 20 kHz, 25% duty"
show "echo 0 > $chip/export"
show "echo 50000 > $chip/pwm0/period"
show "echo 12500 > $chip/pwm0/duty_cycle"
show "echo 1 > $chip/pwm0/enable"
show "grep . $chip/pwm0/period $chip/pwm0/duty_cycle $chip/pwm0/enable $chip/pwm0/polarity"
echo "== read back: what the simulated hardware runs, and its loopback capture"
show "cat $DBG/demo"
show "cat $chip/pwm0/capture"
echo "== an odd period rounds down to whole clock cycles"
show "echo 33333 > $chip/pwm0/period"
show "cut -d' ' -f1-5 $DBG/demo"
echo "== channel 1 through /dev/$(basename $chip): rounding, exact and rounded writes"
show "pwm-cdev-test demo /dev/$(basename $chip) 1"
show "cut -d' ' -f1-5 $DBG/demo"
echo "== /sys/kernel/debug/pwm"
show "cat /sys/kernel/debug/pwm"
echo "== removing the chip while the channel is exported"
show "echo 0 > $CFS/demo/live; ls /sys/class/pwm/"
show "rmdir $CFS/demo"
