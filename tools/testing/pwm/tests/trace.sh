# SPDX-License-Identifier: GPL-2.0
# Tracepoints pwm:* and /sys/kernel/debug/pwm, against a legacy and a
# waveform pwm-sim chip driven through sysfs.

. /pwm/lib.sh

T=/sys/kernel/tracing

# traced PATTERN: a line of the trace matches PATTERN.
traced() {
	grep -q "$1" $T/trace
}

lc=$(basename "$(sim tl mode=legacy npwm=1)")
wc=$(basename "$(sim tw mode=waveform npwm=2)")

# debugfs: both chips, their channels, requested and actual configuration.
echo 0 >/sys/class/pwm/$lc/export
echo 0 >/sys/class/pwm/$wc/export
for c in $lc $wc; do
	p=/sys/class/pwm/$c/pwm0
	echo 50000 >$p/period; echo 12500 >$p/duty_cycle; echo 1 >$p/enable
done
D=/sys/kernel/debug/pwm
check_eq debugfs.chips 2 "$(grep -c '^[0-9]*: platform/pwm-sim\.[0-9]*\.auto, npwm: ' $D)"
check debugfs.legacy-header grep -q "^${lc#pwmchip}: platform/.*, npwm: 1\$" $D
check debugfs.requested-label grep -q '^ pwm-0   (sysfs               ): requested$' $D
check debugfs.unrequested grep -q '^ pwm-1   ((null)              ):$' $D
check debugfs.requested-config grep -q '^  requested configuration:  enabled, 12500/50000 ns, normal polarity$' $D
check debugfs.legacy-actual grep -q '^  actual configuration:     enabled, 12500/50000 ns, normal polarity$' $D
check debugfs.waveform-actual grep -q '^  actual configuration: 12500/50000 \[+0\]$' $D
check debugfs.disabled grep -q '^  requested configuration: disabled, 0/0 ns, normal polarity$' $D

if [ -d $T/events/pwm ]; then
	echo >$T/trace
	echo 1 >$T/events/pwm/enable
	echo 20000 >/sys/class/pwm/$lc/pwm0/duty_cycle
	echo 20000 >/sys/class/pwm/$wc/pwm0/duty_cycle
	cat $D >/dev/null
	echo 0 >$T/events/pwm/enable
	check trace.pwm_apply traced "pwm_apply: $lc\.0: period=50000 duty_cycle=20000 polarity=0 enabled=1 err=0"
	check trace.pwm_get traced "pwm_get: $lc\.0: period=50000 duty_cycle=20000 polarity=0 enabled=1 err=0"
	check trace.pwm_round_waveform_tohw traced "pwm_round_waveform_tohw: $wc\.0: 20000/50000 \[+0\] > [0-9a-fx]* err=0"
	check trace.pwm_round_waveform_fromhw traced "pwm_round_waveform_fromhw: $wc\.0: [0-9a-fx]* > 20000/50000 \[+0\] err=0"
	check trace.pwm_write_waveform traced "pwm_write_waveform: $wc\.0: [0-9a-fx]* err=0"
	check trace.pwm_read_waveform traced "pwm_read_waveform: $wc\.0: [0-9a-fx]* err=0"
	# A failing op is traced with its error.
	echo 1 >$CFS/tw/fail_next
	echo >$T/trace
	echo 1 >$T/events/pwm/enable
	echo 30000 >/sys/class/pwm/$wc/pwm0/duty_cycle 2>/dev/null
	echo 0 >$T/events/pwm/enable
	check trace.error traced "pwm_round_waveform_tohw: $wc\.0: 30000/50000 \[+0\] > [0-9a-fx]* err=-5"
else
	fail trace.events "no $T/events/pwm (CONFIG_ENABLE_DEFAULT_TRACERS, tracefs)"
fi

echo 0 >$CFS/tl/live; rmdir $CFS/tl
echo 0 >$CFS/tw/live; rmdir $CFS/tw
check debugfs.empty-after-removal sh -c "test -r $D && [ -z \"\$(cat $D)\" ]"
