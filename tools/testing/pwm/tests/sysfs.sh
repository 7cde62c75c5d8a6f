# SPDX-License-Identifier: GPL-2.0
# The sysfs class (Documentation/ABI/testing/sysfs-class-pwm) against pwm-sim
# chips: every attribute, every documented error with the hardware left
# unchanged, uevents, capture, a duty sweep, suspend/resume, and removal
# while exported, while an attribute is open and while exports race it.

. /pwm/lib.sh

# rejects NAME FILE VALUE ERROR SIM: fails with ERROR; the attribute, the
# exported channels next to it (export and unexport read empty) and the
# hardware of SIM (its debugfs file) do not change.
rejects() {
	local before after hw_before hw_after err
	before="$(cat "$2" 2>/dev/null) $(ls -d "${2%/*}"/pwm[0-9]* 2>/dev/null)"
	hw_before=$(cat "$DBG/$5")
	err=$(write_err "$2" "$3")
	after="$(cat "$2" 2>/dev/null) $(ls -d "${2%/*}"/pwm[0-9]* 2>/dev/null)"
	hw_after=$(cat "$DBG/$5")
	if [ "$err" != "$4" ]; then
		fail "$1" "writing '$3' to $2: expected '$4', got '${err:-success}'"
	elif [ "$before" != "$after" ]; then
		fail "$1" "$2 (or the exported channels) changed from '$before' to '$after'"
	elif [ "$hw_before" != "$hw_after" ]; then
		fail "$1" "the hardware changed"
	else
		pass "$1"
	fi
}

# uevent_after SEQNUM PATTERN: the uevent helper logged a line matching
# PATTERN for an event later than SEQNUM (/sys/kernel/uevent_seqnum before
# the action), so that an earlier event cannot stand in for it.
uevent_after() {
	local i=0
	while [ $i -lt 50 ]; do
		grep "$2" /tmp/uevents 2>/dev/null | sed -n 's/.* SEQNUM=//p' |
			while read -r n; do [ "$n" -gt "$1" ] && echo later; done |
			grep -q later && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# uevent_seen PATTERN: the uevent helper logged a line matching PATTERN.
uevent_seen() {
	local i=0
	while [ $i -lt 50 ]; do
		grep -q "$1" /tmp/uevents 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

EINVAL="Invalid argument"
EBUSY="Device or resource busy"
ENODEV="No such device"
ERANGE="Numerical result out of range"

: >/tmp/uevents
echo /pwm/bin/uevent-log >/sys/kernel/uevent_helper

c=$(sim s npwm=2 mode=legacy)
chip=$(basename $c)

# The chip's attributes.
check_eq chip.npwm 2 "$(cat $c/npwm)"
check_eq chip.modes "200 200 444" "$(stat -c %a $c/export) $(stat -c %a $c/unexport) $(stat -c %a $c/npwm)"
rejects chip.export-out-of-range $c/export 2 "$ENODEV" s
rejects chip.export-garbage $c/export abc "$EINVAL" s
rejects chip.export-negative $c/export -1 "$EINVAL" s
rejects chip.unexport-not-exported $c/unexport 1 "$ENODEV" s
rejects chip.unexport-out-of-range $c/unexport 7 "$ENODEV" s
rejects chip.unexport-garbage $c/unexport x "$EINVAL" s

# Export: the channel is requested as "sysfs" and gets a pwm0 directory.
check export.ok sh -c "echo 0 > $c/export"
check export.directory test -d $c/pwm0
for a in period duty_cycle enable polarity capture; do
	check export.has-$a test -e $c/pwm0/$a
done
check_eq export.requested-once 1 "$(hw s 0 request)"
check export.uevent uevent_seen "^change .*/$chip EXPORT=pwm0 "
rejects export.again-is-busy $c/export 0 "$EBUSY" s
check export.hex-number sh -c "echo 0x1 > $c/export && test -d $c/pwm1"
check unexport.hex-number sh -c "echo 0x1 > $c/unexport && test ! -e $c/pwm1"

p=$c/pwm0
# A fresh channel reports what the hardware has: nothing.
check_eq attr.initial "0 0 0 normal" "$(cat $p/period) $(cat $p/duty_cycle) $(cat $p/enable) $(cat $p/polarity)"
rejects attr.enable-without-period $p/enable 1 "$EINVAL" s
# A disabled state may be anything (one attribute changes at a time).
check attr.disabled-duty-above-period sh -c "echo 70000 > $p/duty_cycle"
check attr.period sh -c "echo 50000 > $p/period"
check_eq attr.period-reads-back 50000 "$(cat $p/period)"
check_eq attr.disabled-hw-off 0 "$(hw s 0 enabled)"
rejects attr.enable-with-duty-above-period $p/enable 1 "$EINVAL" s
check attr.duty sh -c "echo 25000 > $p/duty_cycle"
check attr.enable sh -c "echo 1 > $p/enable"
rejects attr.duty-above-period $p/duty_cycle 60000 "$EINVAL" s
check_eq attr.hw-running "1 50000 25000 normal" \
	"$(hw s 0 enabled) $(hw s 0 period_ns) $(hw s 0 duty_ns) $(hw s 0 polarity)"
rejects attr.enable-2 $p/enable 2 "$EINVAL" s
rejects attr.enable-garbage $p/enable yes "$EINVAL" s
rejects attr.period-garbage $p/period 12ab "$EINVAL" s
rejects attr.period-negative $p/period -5 "$EINVAL" s
rejects attr.period-overflow $p/period 18446744073709551616 "$ERANGE" s
rejects attr.period-below-duty $p/period 20000 "$EINVAL" s
rejects attr.duty-garbage $p/duty_cycle "" "$EINVAL" s
rejects attr.polarity-garbage $p/polarity sideways "$EINVAL" s
check attr.polarity-inversed sh -c "echo inversed > $p/polarity"
check_eq attr.hw-inversed "inversed inversed" "$(cat $p/polarity) $(hw s 0 polarity)"
check attr.polarity-normal sh -c "echo normal > $p/polarity"
applies=$(hw s 0 apply)
check attr.same-state-is-no-op sh -c "echo 25000 > $p/duty_cycle"
check_eq attr.no-op-reaches-no-driver "$applies" "$(hw s 0 apply)"

# capture: pwm-sim loops a channel's output back to its input.
check_eq capture.running "50000 25000" "$(cat $p/capture)"
echo 0 >$p/enable
check_eq capture.stopped "Connection timed out" "$(cat $p/capture 2>&1 | sed 's/.*: //')"
echo 1 >$p/enable

# The workload of the original tool: sweep the duty over a 50 us period.
d=0
while [ $d -le 50000 ]; do
	echo $d >$p/duty_cycle || break
	d=$((d + 1000))
done
check_eq sweep.completed 51000 $d
check_eq sweep.hw-final "1 50000 50000" "$(hw s 0 enabled) $(hw s 0 period_ns) $(hw s 0 duty_ns)"

# Unexport puts the channel back (the driver's free runs) and leaves the
# output as it is.
check unexport.ok sh -c "echo 0 > $c/unexport"
check unexport.directory-gone test ! -e $p
check_eq unexport.freed 1 "$(hw s 0 free)"
check_eq unexport.output-kept 1 "$(hw s 0 enabled)"
check unexport.uevent uevent_seen "^change .*/$chip EXPORT= UNEXPORT=pwm0"

# Suspend and resume (s2idle, stopped at the devices stage): a running
# exported channel is stopped and restarted, a stopped one is left alone.
if [ -e /sys/power/pm_test ]; then
	echo 0 >$c/export
	echo 1 >$c/export
	echo 10000 >$p/duty_cycle; echo 40000 >$p/period; echo 1 >$p/enable
	echo 30000 >$c/pwm1/period
	a0=$(hw s 0 apply) a1=$(hw s 1 apply)
	echo devices >/sys/power/pm_test
	echo 0 >/sys/module/suspend/parameters/pm_test_delay
	check pm.suspend-resume sh -c "echo freeze > /sys/power/state"
	echo none >/sys/power/pm_test
	check_eq pm.running-restored "1 40000 10000" "$(hw s 0 enabled) $(hw s 0 period_ns) $(hw s 0 duty_ns)"
	# With CONFIG_PWM_DEBUG the core reapplies what it read back after the
	# restart (an enabled state), as a check of the driver.
	reapply=0
	zcat /proc/config.gz | grep -qx CONFIG_PWM_DEBUG=y && reapply=1
	check_eq pm.running-stopped-and-restarted $((a0 + 2 + reapply)) "$(hw s 0 apply)"
	check_eq pm.stopped-untouched "$a1 0" "$(hw s 1 apply) $(hw s 1 enabled)"
	check_eq pm.state-kept "1 40000" "$(cat $p/enable) $(cat $p/period)"

	# A channel that fails to start again at resume does not keep the
	# others off: both run, the first enabling apply fails (EIO), and the
	# second channel still restarts.
	echo 1 >$c/pwm1/enable
	echo "1 5 enable" >$CFS/s/fail_next
	echo devices >/sys/power/pm_test
	check pm.failed-resume-completes sh -c "echo freeze > /sys/power/state"
	echo none >/sys/power/pm_test
	check_eq pm.failure-taken "0 5 enable" "$(cat $CFS/s/fail_next)"
	check_eq pm.failed-channel-stays-off 0 "$(hw s 0 enabled)"
	check_eq pm.later-channel-restarted 1 "$(hw s 1 enabled)"
	echo 0 >$CFS/s/fail_next
	echo 0 >$c/unexport
	echo 1 >$c/unexport
else
	fail pm.pm_test "no /sys/power/pm_test (CONFIG_PM_DEBUG)"
fi

# Removal while exported, with an attribute file open.
: >/tmp/uevents
echo 0 >$c/export
echo 50000 >$p/period
exec 3<$p/period
seq=$(cat /sys/kernel/uevent_seqnum)
check remove.exported-chip sh -c "echo 0 > $CFS/s/live"
check remove.chip-gone test ! -e $c
check_eq remove.open-attribute-fails "$ENODEV" "$(cat <&3 2>&1 | sed 's/.*: //')"
exec 3<&-
check remove.uevent uevent_after $seq "^change .*/$chip EXPORT= UNEXPORT=pwm0 "
check remove.nothing-left sh -c "! ls -d /sys/class/pwm/pwmchip* 2>/dev/null"
rmdir $CFS/s

# Exports racing removal: nothing is left behind, whichever wins. In each
# round a task holds export and unexport open and exports and unexports
# without pause from before the removal starts until a write fails: the
# writes overlap the removal, and the first that comes after it fails with
# ENODEV.
mkdir $CFS/r
echo 2 >$CFS/r/npwm
i=0 overlaps=0
while [ $i -lt 20 ]; do
	echo 1 >$CFS/r/live
	c=/sys/class/pwm/$(cat $CFS/r/chip_name)
	rm -f /tmp/race.ready
	(exec 4>$c/export 5>$c/unexport
	n=0
	while [ $n -lt 100000 ] && echo 0 >&4; do
		echo ok
		[ $n = 0 ] && : >/tmp/race.ready
		echo 0 >&5 || break
		n=$((n + 1))
	done) >/tmp/race.out 2>&1 &
	j=0
	while [ ! -e /tmp/race.ready ] && [ $j -lt 100 ]; do sleep 0.05; j=$((j + 1)); done
	echo 0 >$CFS/r/live
	wait
	grep -q '^ok$' /tmp/race.out && grep -q "$ENODEV" /tmp/race.out &&
		overlaps=$((overlaps + 1))
	i=$((i + 1))
done
check_eq race.every-round-overlapped 20 $overlaps
check_eq race.no-chips-left 0 "$(ls -d /sys/class/pwm/pwmchip* 2>/dev/null | wc -l)"
check_eq race.no-devices-left 0 "$(ls -d /sys/bus/platform/devices/pwm-sim.* 2>/dev/null | wc -l)"
rmdir $CFS/r

# Every kind of chip through sysfs: a 100 MHz clock rounds 50005 ns down.
for mode in legacy waveform; do
	for atomic in 0 1; do
		n=k$atomic$mode
		c=$(sim $n mode=$mode atomic=$atomic clock_hz=100000000)
		echo 0 >$c/export
		echo 50005 >$c/pwm0/period
		echo 20007 >$c/pwm0/duty_cycle
		echo 1 >$c/pwm0/enable
		check_eq kinds.$mode-atomic$atomic "50005 1 50000 20000" \
			"$(cat $c/pwm0/period) $(hw $n 0 enabled) $(hw $n 0 period_ns) $(hw $n 0 duty_ns)"
		echo 0 >$c/unexport
		unsim $n
	done
done

echo >/sys/kernel/uevent_helper
