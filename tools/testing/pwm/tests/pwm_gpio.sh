# SPDX-License-Identifier: GPL-2.0
# Upstream's pwm-gpio, unchanged, on the recording GPIO chip of
# CONFIG_PWM_TEST_GPIO (drivers/pwm/pwm_fixtures/pwm_test_gpio.c): driven
# through sysfs and through a kernel consumer (the Rust consumer sample),
# with the line's edges and time at each level checked; then unbound while
# running and while held, bound again, and deleted.
#
# Levels are compared over many periods (the time high against the time
# low), never against a time limit: pwm-gpio's hrtimer keeps its period on
# average however late each toggle runs.

. /pwm/lib.sh

T=/sys/kernel/debug/pwm-test-gpio
L=$T/line0
DRV=/sys/bus/platform/drivers/pwm-gpio
DEV=/sys/bus/platform/devices/pwm-gpio.0

# chip: the pwm-gpio device's chip in the class, if it has one.
chip() {
	ls -d $DEV/pwm/pwmchip* 2>/dev/null | head -n 1
}

# measure SECONDS: resets the line's counts, waits, and sets R (rising
# edges), F (falling edges), H and LO (ns high and low) and V (the value).
measure() {
	echo 0 >$L
	sleep "$1"
	set -- $(cat $L)
	V=$1 R=$2 F=$3 H=$4 LO=$5
}

# settle VALUE: waits until the line holds VALUE (a change of the duty takes
# effect at the end of the running period).
settle() {
	local i=0
	while [ "$(cut -d' ' -f1 $L)" != "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# running NAME: the line toggled during the last measure.
running() {
	if [ "$R" -gt 0 ] && [ "$F" -gt 0 ]; then
		pass "$1"
	else
		fail "$1" "rising $R, falling $F"
	fi
}

# steady NAME VALUE: the line held VALUE without an edge during the last
# measure.
steady() {
	check_eq "$1" "$2 0 0" "$V $R $F"
}

# mostly NAME high|low: the line spent more time at that level.
mostly() {
	if { [ "$2" = high ] && [ "$H" -gt "$LO" ]; } ||
		{ [ "$2" = low ] && [ "$LO" -gt "$H" ]; }; then
		pass "$1"
	else
		fail "$1" "expected mostly $2: $H ns high, $LO ns low"
	fi
}

check added sh -c "echo 1 > $T/pwm-gpio"
C=$(chip)
check probed test -n "$C"
check_eq npwm 1 "$(cat $C/npwm 2>/dev/null)"
check export sh -c "echo 0 > $C/export"
P=$C/pwm0

# Through sysfs: 20 ms periods, measured over two seconds.
echo 20000000 >$P/period
echo 5000000 >$P/duty_cycle
echo 1 >$P/enable
measure 2
running sysfs.quarter.toggles
mostly sysfs.quarter.mostly-low low
echo 15000000 >$P/duty_cycle
sleep 0.1
measure 2
running sysfs.three-quarters.toggles
mostly sysfs.three-quarters.mostly-high high
echo 0 >$P/duty_cycle
settle 0
measure 0.3
steady sysfs.duty-0.low 0
echo 20000000 >$P/duty_cycle
settle 1
measure 0.3
steady sysfs.duty-full.high 1
echo 0 >$P/enable
measure 0.3
steady sysfs.disabled.low 0
echo inversed >$P/polarity
echo 5000000 >$P/duty_cycle
echo 1 >$P/enable
measure 2
running sysfs.inversed.toggles
mostly sysfs.inversed.mostly-high high
echo 0 >$P/enable
measure 0.3
steady sysfs.inversed-disabled.high 1
echo normal >$P/polarity
measure 0.1
steady sysfs.normal-disabled.low 0
check unexport sh -c "echo 0 > $C/unexport"

# Through a kernel consumer: the Rust sample runs 25% of 1 ms while bound
# and stops the output when it unbinds.
check consumer.binds sh -c "echo 1 > $T/consumer"
check consumer.requested sh -c "grep -A2 ' platform/pwm-gpio.0, ' /sys/kernel/debug/pwm |
	grep -A1 'pwm-0 *(sample *): requested' |
	grep -q 'requested configuration:  enabled, 250000/1000000 ns, normal polarity'"
measure 0.5
running consumer.toggles
check_eq consumer.export-busy "Device or resource busy" "$(write_err $C/export 0)"
check consumer.unbinds sh -c "echo 0 > $T/consumer"
settle 0
measure 0.3
steady consumer.stopped 0

# Unbound while running: pwm-gpio never removes its chip, so the core does
# at unbind (and says so); the export goes with it and the line stops.
id=${C##*pwmchip}
echo 0 >$C/export
echo 20000000 >$P/period
echo 5000000 >$P/duty_cycle
echo 1 >$P/enable
dmesg -c >/dev/null
check unbind.running sh -c "echo pwm-gpio.0 > $DRV/unbind"
check unbind.chip-gone sh -c "test -n '$id' && ! test -e /sys/class/pwm/pwmchip$id"
check unbind.logged sh -c "dmesg | grep -q 'pwmchip$id removed at unbind: its driver did not'"
check unbind.not-in-debugfs sh -c "! grep -q ' platform/pwm-gpio.0, ' /sys/kernel/debug/pwm"
measure 0.3
check_eq unbind.line-stopped "0 0" "$R $F"

# Bound again: a new chip that works as the first did.
check rebind sh -c "echo pwm-gpio.0 > $DRV/bind"
C=$(chip)
check rebind.new-chip test -n "$C"
P=$C/pwm0
echo 0 >$C/export
echo 20000000 >$P/period
echo 5000000 >$P/duty_cycle
echo 1 >$P/enable
measure 1
running rebind.toggles
echo 0 >$P/enable
echo 0 >$C/unexport

# Unbound while the kernel consumer holds the channel: the consumer's calls
# fail with ENODEV from then on, and its own unbind is clean.
echo 1 >$T/consumer
check unbind-held.unbind sh -c "echo pwm-gpio.0 > $DRV/unbind"
check unbind-held.consumer-unbinds sh -c "echo 0 > $T/consumer"
measure 0.3
check_eq unbind-held.line-stopped "0 0" "$R $F"
check unbind-held.rebind sh -c "echo pwm-gpio.0 > $DRV/bind && test -n \"\$(ls -d $DEV/pwm/pwmchip* 2>/dev/null)\""

# The device deleted with the chip registered: the core removes it as at
# unbind, and nothing of it stays.
C=$(chip)
id=${C##*pwmchip}
check deleted sh -c "echo 0 > $T/pwm-gpio"
check deleted.chip-gone sh -c "test -n '$id' && ! test -e /sys/class/pwm/pwmchip$id"
