# SPDX-License-Identifier: GPL-2.0
# The demo `make run` shows: a simulated PWM chip made with pwm-sim, one of
# its channels driven through the sysfs class, the other with pwmctl through
# /dev/pwmchipN, a legacy chip's node, and what the hardware got.

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
parent=$(cat $CFS/demo/dev_name)
echo "== pwmctl (tools/pwm/): the chips, and channel 1 through /dev/$(basename $chip)"
show "pwmctl list"
show "pwmctl round $parent 1 --period 33333 --duty 11111 --offset 5555"
show "pwmctl set $parent 1 --period 33333 --duty 11111 --offset 5555 --exact"
show "pwmctl set $parent 1 --freq 30kHz --duty 33%"
show "pwmctl --json get $(basename $chip) 1"
show "cut -d' ' -f1-5 $DBG/demo"
echo "== a chip with only the legacy ops has /dev/pwmchipN too (CONFIG_PWM_LEGACY_CDEV)"
show "mkdir $CFS/legacy; echo legacy > $CFS/legacy/mode; echo 1 > $CFS/legacy/live"
legacy=$(cat $CFS/legacy/chip_name)
show "pwmctl info $legacy"
show "pwmctl set $legacy 0 --period 40us --duty 30us --offset 10us"
show "cut -d' ' -f1-5 $DBG/legacy"
show "pwmctl sweep $legacy 0 --period 50000"
show "echo 0 > $CFS/legacy/live; rmdir $CFS/legacy"
echo "== /sys/kernel/debug/pwm"
show "cat /sys/kernel/debug/pwm"
echo "== removing the chip while the channel is exported"
show "echo 0 > $CFS/demo/live; ls /sys/class/pwm/"
show "rmdir $CFS/demo"
