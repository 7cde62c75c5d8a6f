# SPDX-License-Identifier: GPL-2.0
# pwmctl (tools/pwm/), the userspace tool, on pwm-sim chips of every kind
# (legacy or waveform ops, sleeping or atomic) through both of its backends,
# /dev/pwmchipN and sysfs: what the simulated hardware gets, what the tool
# reads back, its errors and exit codes, selection by parent device and
# device tree path, and the seed's sweep of 50,001 duty values.

. /pwm/lib.sh

OV=/sys/kernel/debug/pwm-test-overlays

# pc ARGS...: pwmctl's output and exit status, on one line.
pc() {
	local out
	out=$(pwmctl "$@" 2>&1)
	echo "$? $out" | tr '\n' ' ' | sed 's/ *$//'
}

# rc ARGS...: pwmctl's exit status alone.
rc() {
	pwmctl "$@" >/dev/null 2>&1
	echo $?
}

# regs NAME [CH]: enabled, period, duty, offset and polarity of channel CH
# (default 0) of the simulated hardware.
regs() {
	local f
	for f in enabled period_ns duty_ns offset_ns polarity; do
		printf '%s ' "$(hw $1 ${2:-0} $f)"
	done | sed 's/ $//'
}

for kind in w0 w1 l0 l1; do
	case $kind in
	w*) mode=waveform ;;
	l*) mode=legacy ;;
	esac
	n=ctl$kind
	sim $n npwm=2 mode=$mode atomic=${kind#?} clock_hz=100000000 >/dev/null
	parent=$(cat $CFS/$n/dev_name)
	chip=$(cat $CFS/$n/chip_name)
	for b in cdev sysfs; do
		t=$kind.$b
		check_eq $t.set "0" "$(rc --backend $b set $parent 0 --freq 20kHz --duty 25%)"
		check_eq $t.set-hardware "1 50000 12500 0 normal" "$(regs $n)"
		check_eq $t.get "0 {\"chip\":${chip#pwmchip},\"name\":\"$chip\",\"channel\":0,\"backend\":\"$b\",\"waveform\":{\"enabled\":true,\"period_ns\":50000,\"duty_ns\":12500,\"offset_ns\":0}}" \
			"$(pc --backend $b --json get $chip 0)"
		# Active from 10 us to the end of the 40 us period: a waveform
		# chip takes the offset, a legacy one inverts its polarity.
		check_eq $t.set-offset "0" "$(rc --backend $b set /dev/$chip 0 --period 40us --duty 30us --offset 10us)"
		case $kind in
		w*) want="1 40000 30000 10000 normal" ;;
		l*) want="1 40000 10000 0 inversed" ;;
		esac
		check_eq $t.set-offset-hardware "$want" "$(regs $n)"
		check_eq $t.get-offset "0 $chip channel 0 ($b): period 40000 ns (25 kHz), duty 30000 ns (75%), offset 10000 ns" \
			"$(pc --backend $b get ${chip#pwmchip} 0)"
		check_eq $t.invalid "5" "$(rc --backend $b set $parent 0 --period 1000 --duty 2000)"
		check_eq $t.no-such-channel "3" "$(rc --backend $b get $parent 2)"
		check_eq $t.invalid-unchanged "$want" "$(regs $n)"
		check_eq $t.disable "0" "$(rc --backend $b set $parent 0 --disable)"
		check_eq $t.disabled "0" "$(hw $n 0 enabled)"
		# What only waveform chips' character device can tell.
		case $t in
		w?.cdev)
			check_eq $t.round "0 {\"chip\":${chip#pwmchip},\"name\":\"$chip\",\"channel\":0,\"backend\":\"cdev\",\"requested\":{\"enabled\":true,\"period_ns\":50005,\"duty_ns\":20007,\"offset_ns\":0},\"rounded\":{\"enabled\":true,\"period_ns\":50000,\"duty_ns\":20000,\"offset_ns\":0}}" \
				"$(pc --json round $parent 0 --period 50005 --duty 20007)"
			check_eq $t.exact-refused "6" "$(rc set $parent 0 --period 50005 --duty 20000 --exact)"
			check_eq $t.exact "0" "$(rc set $parent 0 --period 50us --duty 20us --exact)"
			;;
		*)
			check_eq $t.round-not-supported "7" "$(rc --backend $b round $parent 0 --period 50005 --duty 20007)"
			;;
		esac
	done

	# A channel held elsewhere: by pwmctl through the other backend, or
	# exported through sysfs.
	pwmctl --backend cdev set $chip 1 --freq 1kHz --duty 50% --hold >/dev/null 2>&1 &
	holder=$!
	i=0
	while [ "$(hw $n 1 enabled)" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check_eq $kind.busy-sysfs "4" "$(rc --backend sysfs set $chip 1 --disable)"
	kill -TERM $holder
	wait $holder
	check_eq $kind.hold-ends-on-sigterm "0 1" "$? $(hw $n 1 enabled)"
	echo 1 >/sys/class/pwm/$chip/export
	check_eq $kind.busy-cdev "4" "$(rc --backend cdev get $chip 1)"
	echo 1 >/sys/class/pwm/$chip/unexport
	unsim $n
done

# The seed's sweep on a legacy chip, through both backends: 50,001 duty
# values at 50 us. The last one, always active, is the same output either
# way: the kernel maps it to an inversed state that is never inactive, the
# sysfs backend writes a duty as long as the period.
sim sweep mode=legacy >/dev/null
chip=$(cat $CFS/sweep/chip_name)
for b in cdev sysfs; do
	out=$(pwmctl --backend $b --json sweep $chip 0 --period 50000)
	check_eq legacy-sweep.$b.status 0 $?
	check legacy-sweep.$b.count sh -c "echo '$out' | grep -q '\"settings\":50001'"
	case $b in
	cdev) want="1 50000 0 0 inversed" ;;
	sysfs) want="1 50000 50000 0 normal" ;;
	esac
	check_eq legacy-sweep.$b.hardware "$want" "$(regs sweep)"
done
unsim sweep

# Selection by parent device survives renumbering: chips made and removed
# in another order keep being found by their parent's name.
for s in a b c; do sim sel$s >/dev/null; done
unsim sela
unsim selb
sim seld >/dev/null
sim sela >/dev/null
for s in a c d; do
	check_eq select.by-parent-$s "$(cat $CFS/sel$s/chip_name)" \
		"$(pwmctl --json info "$(cat $CFS/sel$s/dev_name)" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')"
done
for s in a c d; do unsim sel$s; done
check_eq select.no-such-chip "3" "$(rc info pwm-sim.no-such)"

# list --json: every chip, with its parent and firmware node; a chip from
# the device tree (an overlay's) by its path, and its channel, which
# pwm-backlight holds, busy.
echo 1 >$OV/backlight
bl=/sys/bus/platform/devices/pwm-test-backlight-sim/pwm
i=0
while ! [ -d $bl ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
list=$(pwmctl --json list)
# Every entry of the class that leads to a chip. A link whose device is gone
# is no chip: the C core leaves one behind for each chip its driver never
# removed once the parent device is deleted (see pwm_gpio.sh's "deleted").
live=$(for c in /sys/class/pwm/*; do [ -d "$c" ] && echo "$c"; done | wc -l)
check_eq list.every-chip "$live" "$(echo "$list" | grep -o '"chip":' | wc -l)"
check list.dt-chip sh -c "echo '$list' | grep -q '\"parent\":\"pwm-test-backlight-sim\",\"driver\":\"pwm-sim\",\"firmware\":{\"type\":\"dt\",\"path\":\"/pwm-test-backlight-sim\"}'"
check_eq select.by-dt-path "$(ls $bl)" \
	"$(pwmctl --json info /pwm-test-backlight-sim | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')"
check_eq busy.kernel-consumer "4" "$(rc get /pwm-test-backlight-sim 0)"
echo 0 >$OV/backlight

# The chip removed while pwmctl uses it: a slow sweep (1 ms per apply)
# fails with ENODEV (exit 8) through either backend.
for b in cdev sysfs; do
	sim gone apply_delay_us=1000 >/dev/null
	chip=$(cat $CFS/gone/chip_name)
	pwmctl --backend $b sweep $chip 0 --period 50000 >/dev/null 2>&1 &
	sweeper=$!
	i=0
	while [ "$(hw gone 0 enabled)" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	unsim gone
	wait $sweeper
	check_eq chip-removed.$b 8 $?
done
