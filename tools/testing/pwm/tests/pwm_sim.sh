# SPDX-License-Identifier: GPL-2.0
# pwm-sim through configfs: defaults, rejected writes (errno and no change),
# live/unlive/recreate, every mode, injected faults, and allocation failures
# at every step of making a chip live. The simulated hardware is read from
# /sys/kernel/debug/pwm-sim/<name>.

. /pwm/lib.sh

# sim_new NAME [ATTR=VALUE...]: a new, configured, not live directory.
sim_new() {
	local dir=$CFS/$1 kv
	shift
	mkdir "$dir" || return 1
	for kv in "$@"; do
		echo "${kv#*=}" >"$dir/${kv%%=*}" || return 1
	done
}

# rejects NAME FILE VALUE ERROR: the write fails with ERROR and the
# attribute keeps its value.
rejects() {
	local before after err
	before=$(cat "$2")
	err=$(write_err "$2" "$3")
	after=$(cat "$2")
	if [ "$err" != "$4" ]; then
		fail "$1" "writing '$3' to $2: expected '$4', got '${err:-success}'"
	elif [ "$before" != "$after" ]; then
		fail "$1" "$2 changed from '$before' to '$after'"
	else
		pass "$1"
	fi
}

# platform devices of pwm-sim and PWM chips, to see that nothing is left.
count() {
	ls -d $1 2>/dev/null | wc -l
}

EINVAL="Invalid argument"
EBUSY="Device or resource busy"

# Defaults of a new directory.
sim_new a
d=$CFS/a
check_eq defaults.npwm 1 "$(cat $d/npwm)"
check_eq defaults.atomic 0 "$(cat $d/atomic)"
check_eq defaults.mode waveform "$(cat $d/mode)"
check_eq defaults.clock_hz 1000000000 "$(cat $d/clock_hz)"
check_eq defaults.apply_delay_us 0 "$(cat $d/apply_delay_us)"
check_eq defaults.fail_next "0 5" "$(cat $d/fail_next)"
check_eq defaults.live 0 "$(cat $d/live)"
check_eq root.max_npwm 64 "$(cat $CFS/max_npwm)"
check not-live.no-dev_name sh -c "! cat $d/dev_name 2>/dev/null"
check not-live.no-chip_name sh -c "! cat $d/chip_name 2>/dev/null"

# Bad writes: -EINVAL, nothing changes.
rejects bad.npwm-zero $d/npwm 0 "$EINVAL"
rejects bad.npwm-above-limit $d/npwm 65 "$EINVAL"
rejects bad.npwm-garbage $d/npwm abc "$EINVAL"
rejects bad.npwm-negative $d/npwm -1 "$EINVAL"
rejects bad.npwm-overflow $d/npwm 99999999999999999999 "$EINVAL"
rejects bad.npwm-trailing $d/npwm "2x" "$EINVAL"
rejects bad.npwm-empty $d/npwm "" "$EINVAL"
rejects bad.atomic $d/atomic 2 "$EINVAL"
rejects bad.mode $d/mode sideways "$EINVAL"
rejects bad.clock-zero $d/clock_hz 0 "$EINVAL"
rejects bad.clock-above-1ghz $d/clock_hz 1000000001 "$EINVAL"
rejects bad.apply-delay $d/apply_delay_us 1000001 "$EINVAL"
rejects bad.fail-errno-zero $d/fail_next "1 0" "$EINVAL"
rejects bad.fail-errno-range $d/fail_next "1 4096" "$EINVAL"
rejects bad.fail-garbage $d/fail_next "x" "$EINVAL"
rejects bad.fail-when $d/fail_next "1 5 sometimes" "$EINVAL"
rejects bad.fail-extra-word $d/fail_next "1 5 enable now" "$EINVAL"
rejects bad.live $d/live 2 "$EINVAL"
check_eq bad.still-not-live 0 "$(cat $d/live)"

# Live: a platform device bound to pwm-sim, a chip, hardware all off.
for kv in npwm=3 mode=legacy clock_hz=100000000; do echo "${kv#*=}" >$d/${kv%%=*}; done
check live.on sh -c "echo 1 > $d/live"
chip=$(cat $d/chip_name)
dev=$(cat $d/dev_name)
check live.chip-registered test -d /sys/class/pwm/$chip
check live.device-bound test -e /sys/bus/platform/devices/$dev/driver
check live.device-name expr "$dev" : 'pwm-sim\.[0-9]*\.auto$'
check_eq live.debugfs-channels 3 "$(wc -l <$DBG/a)"
check_eq live.hardware-off "0 0 0" "$(hw a 0 enabled) $(hw a 1 enabled) $(hw a 2 enabled)"
check_eq live.no-ops-yet "0 0 0" "$(hw a 0 apply) $(hw a 1 request) $(hw a 2 get_state)"
check live.rewrite-1-is-a-no-op sh -c "echo 1 > $d/live"
check_eq live.same-chip "$chip" "$(cat $d/chip_name)"

# Fixed while live: -EBUSY. Runtime knobs still change.
rejects busy.npwm $d/npwm 2 "$EBUSY"
rejects busy.atomic $d/atomic 1 "$EBUSY"
rejects busy.mode $d/mode waveform "$EBUSY"
rejects busy.clock_hz $d/clock_hz 1000 "$EBUSY"
check busy.apply-delay-allowed sh -c "echo 10 > $d/apply_delay_us"
check_eq busy.apply-delay-value 10 "$(cat $d/apply_delay_us)"
check busy.fail-next-allowed sh -c "echo '2 110' > $d/fail_next"
check_eq busy.fail-next-value "2 110" "$(cat $d/fail_next)"
check busy.fail-next-enabling-allowed sh -c "echo '3 22 enable' > $d/fail_next"
check_eq busy.fail-next-enabling-value "3 22 enable" "$(cat $d/fail_next)"
echo 0 >$d/fail_next

# Unlive: the chip and its debugfs file go; recreate gives a fresh chip.
check unlive.off sh -c "echo 0 > $d/live"
check unlive.chip-gone test ! -e /sys/class/pwm/$chip
check unlive.device-gone test ! -e /sys/bus/platform/devices/$dev
check unlive.debugfs-gone test ! -e $DBG/a
check unlive.rewrite-0-is-a-no-op sh -c "echo 0 > $d/live"
check recreate.on sh -c "echo 1 > $d/live"
check recreate.chip-registered test -d /sys/class/pwm/$(cat $d/chip_name)
check_eq recreate.fresh-hardware "0 0" "$(hw a 0 enabled) $(hw a 0 apply)"
check_eq recreate.config-kept "3 legacy 10" "$(cat $d/npwm) $(cat $d/mode) $(cat $d/apply_delay_us)"

# rmdir while live removes the chip.
chip=$(cat $d/chip_name)
check rmdir-live.removes-dir rmdir $d
check rmdir-live.chip-gone test ! -e /sys/class/pwm/$chip
check rmdir-live.debugfs-gone test ! -e $DBG/a

# Every mode, sleeping and atomic, goes live; two chips coexist.
for mode in legacy waveform; do
	for atomic in 0 1; do
		n=m-$mode-$atomic
		if sim_new $n mode=$mode atomic=$atomic npwm=2 && echo 1 >$CFS/$n/live &&
			test -d /sys/class/pwm/$(cat $CFS/$n/chip_name); then
			pass modes.$mode-atomic$atomic
		else
			fail modes.$mode-atomic$atomic "could not make it live"
		fi
	done
done
check_eq modes.four-chips 4 "$(count '/sys/class/pwm/pwmchip*')"
for n in $CFS/m-*; do echo 0 >$n/live; rmdir $n; done
check_eq modes.all-gone 0 "$(count '/sys/class/pwm/pwmchip*')"

# Presets: registers as a bootloader leaves them, which the core reads when
# a channel is requested. A duty longer than the period reaches sysfs as
# upstream's core gives it: unchanged from a legacy chip; from a waveform
# chip inversed, its duty wrapped (1000 - 1500 in 64 bits), and no panic.
sim_new p npwm=2 mode=legacy
p=$CFS/p
check_eq preset.none-by-default "" "$(cat $p/preset)"
rejects bad.preset-channel $p/preset "64 1000 500 0 normal 1" "$EINVAL"
rejects bad.preset-polarity $p/preset "0 1000 500 0 upside 1" "$EINVAL"
rejects bad.preset-enabled $p/preset "0 1000 500 0 normal 2" "$EINVAL"
rejects bad.preset-short $p/preset "0 1000 500 0 normal" "$EINVAL"
rejects bad.preset-extra-word $p/preset "0 1000 500 0 normal 1 x" "$EINVAL"
rejects bad.preset-negative $p/preset "0 1000 -5 0 normal 1" "$EINVAL"
check preset.set sh -c "echo '0 1000 1500 0 normal 1' > $p/preset &&
	echo '1 2000 100 0 inversed 0' > $p/preset"
check_eq preset.reads-back "0 1000 1500 0 normal 1,1 2000 100 0 inversed 0," \
	"$(tr '\n' , <$p/preset)"
check preset.legacy.live sh -c "echo 1 > $p/live"
check_eq preset.legacy.hardware "1 1000 1500" \
	"$(hw p 0 enabled) $(hw p 0 period_ns) $(hw p 0 duty_ns)"
rejects preset.busy-while-live $p/preset clear "$EBUSY"
c=/sys/class/pwm/$(cat $p/chip_name)
check preset.legacy.export sh -c "echo 0 > $c/export && echo 1 > $c/export"
state_of() {
	echo $(cat $c/pwm$1/period $c/pwm$1/duty_cycle $c/pwm$1/polarity $c/pwm$1/enable)
}
check_eq preset.legacy.state "1000 1500 normal 1" "$(state_of 0)"
check_eq preset.legacy.disabled-channel "2000 100 inversed 0" "$(state_of 1)"
check preset.legacy.reprogram sh -c "echo 500 > $c/pwm0/duty_cycle"
check_eq preset.legacy.reprogrammed "1 1000 500" \
	"$(hw p 0 enabled) $(hw p 0 period_ns) $(hw p 0 duty_ns)"
echo 0 >$p/live
echo waveform >$p/mode
check preset.waveform.live sh -c "echo 1 > $p/live"
c=/sys/class/pwm/$(cat $p/chip_name)
check preset.waveform.export sh -c "echo 0 > $c/export"
check_eq preset.waveform.state "1000 18446744073709551116 inversed 1" "$(state_of 0)"
check_eq preset.waveform.hardware-untouched "1 1000 1500 0" \
	"$(hw p 0 enabled) $(hw p 0 period_ns) $(hw p 0 duty_ns) $(hw p 0 write)"
echo 0 >$p/live
echo 1 >$p/npwm
check_eq preset.beyond-npwm-fails "$EINVAL" "$(write_err $p/live 1)"
check_eq preset.beyond-npwm-left-nothing "0 0 0" \
	"$(cat $p/live) $(count '/sys/bus/platform/devices/pwm-sim.*') $(count '/sys/class/pwm/pwmchip*')"
check preset.clear sh -c "echo clear > $p/preset"
check_eq preset.cleared "" "$(cat $p/preset)"
check preset.cleared-live sh -c "echo 1 > $p/live"
check_eq preset.cleared-hardware-off "0 0" "$(hw p 0 enabled) $(hw p 0 period_ns)"
echo 0 >$p/live
rmdir $p

# Allocation failures at each step of making a chip live (configfs, device,
# probe, chip allocation and registration, debugfs): each fails the write
# cleanly and leaves nothing behind, until there are no more steps to fail.
# Not on the C core, whose failing registration deletes the chip's devices
# under the lock an export racing it takes (lockdep; the guest deadlocked).
fi_dir=/sys/kernel/debug/failslab
if ! rust_core; then
	:
elif [ -d $fi_dir ]; then
	# fail-nth overrides probability and times, which stay 0: no other task
	# sees a failure.
	echo N >$fi_dir/ignore-gfp-wait
	echo 0 >$fi_dir/verbose
	sim_new f npwm=2
	# /proc/self/fail-nth makes the Nth allocation of the task fail; what is
	# left of N afterwards says whether the write got that far. A write that
	# succeeded with a failure injected (an allocation with a fallback) is
	# undone and the next N tried; one that left N unused ends the loop.
	# Meanwhile another task exports channel 0 of whatever chip appears, so
	# that exports race the registrations that fail after the chip's
	# attributes became visible; its own allocations never fail.
	: >/tmp/exporting
	(while [ -e /tmp/exporting ]; do
		for e in /sys/class/pwm/pwmchip*/export; do
			echo 0 >$e && echo x >>/tmp/exported
		done 2>/dev/null
	done) &
	exporter=$!
	: >/tmp/exported
	nth=1 failures=0 leaks="" done=0
	while [ $nth -lt 1000 ]; do
		set -- $(sh -c "echo $nth > /proc/self/fail-nth && echo 1 > $CFS/f/live
			rc=\$?; read left < /proc/self/fail-nth; echo \$rc \${left:-0}" 2>/dev/null)
		rc=${1:-1} left=${2:-0}
		if [ "$rc" = 0 ] && [ "$left" != 0 ]; then
			done=1
			break
		fi
		if [ "$rc" != 0 ]; then
			failures=$((failures + 1))
			# A failed write must have left nothing, before any teardown.
			live=$(cat $CFS/f/live)
			devs=$(count '/sys/bus/platform/devices/pwm-sim.*')
			chips=$(count '/sys/class/pwm/pwmchip*')
			[ "$live $devs $chips" = "0 0 0" ] || leaks="$leaks $nth:$live/$devs/$chips"
		fi
		echo 0 >$CFS/f/live
		live=$(cat $CFS/f/live)
		devs=$(count '/sys/bus/platform/devices/pwm-sim.*')
		chips=$(count '/sys/class/pwm/pwmchip*')
		[ "$live $devs $chips" = "0 0 0" ] || leaks="$leaks $nth:$live/$devs/$chips(after)"
		nth=$((nth + 1))
	done
	# The chip is live now: the exporter, still running, must get to it.
	i=0
	while [ ! -s /tmp/exported ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	rm /tmp/exporting
	wait $exporter
	check alloc-fail.exporter-exported test -s /tmp/exported
	check_eq alloc-fail.each-step-leaves-nothing "" "$leaks"
	check alloc-fail.steps-were-failed test $failures -ge 10
	check_eq alloc-fail.ran-out-of-steps 1 $done
	check_eq alloc-fail.finally-live 1 "$(cat $CFS/f/live)"
	check alloc-fail.chip-works test -d /sys/class/pwm/$(cat $CFS/f/chip_name)
	echo 0 >$CFS/f/live
	rmdir $CFS/f
	report "# alloc-fail: $failures of $nth allocation failures made the write fail"
else
	fail alloc-fail.failslab "no $fi_dir (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)"
fi
