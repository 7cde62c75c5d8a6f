# SPDX-License-Identifier: GPL-2.0
# Upstream C consumers, unchanged, on pwm-sim chips described by device tree
# overlays (CONFIG_PWM_TEST_OVERLAYS, drivers/pwm/pwm_fixtures/): each is
# driven through its own userspace interface, with the simulated hardware
# checked after each step, and the pwm-sim chip is unbound under it at the
# end (the consumer unbinds first, through its device link).

. /pwm/lib.sh

OV=/sys/kernel/debug/pwm-test-overlays

# until_true COMMAND...: runs COMMAND until it succeeds, for up to ten
# seconds (a device probing, a work item applying); its status is the last
# run's.
until_true() {
	local i=0
	while ! "$@"; do
		[ $i -lt 100 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# channel SIM [CH]: enabled, duty and period of channel CH (default 0) of
# the pwm-sim chip SIM.
channel() {
	local c=${2:-0}
	echo "$(hw $1 $c enabled) $(hw $1 $c duty_ns) $(hw $1 $c period_ns)"
}

# channel_is SIM "ENABLED DUTY PERIOD" [CH]: whether the channel is there now.
channel_is() {
	test "$(channel $1 $3)" = "$2"
}

# expect NAME SIM "ENABLED DUTY PERIOD" [CH]: the channel settles there.
expect() {
	until_true channel_is $2 "$3" $4
	check_eq "$1" "$3" "$(channel $2 $4)"
}

# event TYPE CODE VALUE: writes one struct input_event (64-bit: a zero
# timestamp of 16 bytes, TYPE, CODE, VALUE) to file descriptor 3 in one
# write (no value here has a newline byte, which could split it).
event() {
	local v=$3
	printf "\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\$(printf %03o $1)\\0\\$(printf %03o $2)\\0\\$(printf %03o $((v & 255)))\\$(printf %03o $(((v >> 8) & 255)))\\$(printf %03o $(((v >> 16) & 255)))\\0" >&3
}

# has_class_dir CLASS NAME: whether CLASS has a device named NAME now.
has_class_dir() {
	test -n "$(class_dir $1 $2)"
}

# class_dir CLASS NAME: the device of CLASS whose name attribute is NAME.
class_dir() {
	local d
	for d in /sys/class/$1/*; do
		[ "$(cat $d/name 2>/dev/null)" = "$2" ] && echo $d && return
	done
}

# unbind_sim NAME SIM CONSUMER_DIR: unbinds the pwm-sim chip's device; the
# consumer's class device goes first, and the chip's debugfs file with it.
unbind_sim() {
	local drv=$(readlink -f /sys/bus/platform/devices/$2/driver)
	check $1.sim-unbinds sh -c "echo $2 > $drv/unbind"
	check $1.consumer-gone sh -c "! test -e $3"
	check $1.chip-gone sh -c "! test -e $DBG/$2"
}

# pwm_bl: brightness indexes brightness-levels <0 4 8 16 32 64 128 255>;
# duty = level * period / 255, rounded down. Without a power supply or an
# enable GPIO, off (brightness 0, bl_power 4) keeps the PWM on at duty 0.
S=pwm-test-backlight-sim
B=/sys/class/backlight/pwm-test-backlight
check backlight.applied sh -c "echo 1 > $OV/backlight"
check backlight.probed until_true test -d $B
check_eq backlight.max-brightness 7 "$(cat $B/max_brightness)"
expect backlight.default-level $S "1 501960 1000000"
echo 4 >$B/brightness
expect backlight.level-4 $S "1 125490 1000000"
echo 7 >$B/brightness
expect backlight.level-7 $S "1 1000000 1000000"
echo 1 >$B/brightness
expect backlight.level-1 $S "1 15686 1000000"
check_eq backlight.level-8-rejected "Invalid argument" "$(write_err $B/brightness 8)"
check_eq backlight.level-8-unchanged "1 15686 1000000" "$(channel $S)"
echo 4 >$B/bl_power
expect backlight.powered-down $S "1 0 1000000"
echo 0 >$B/bl_power
expect backlight.powered-up $S "1 15686 1000000"
echo 0 >$B/brightness
expect backlight.level-0 $S "1 0 1000000"
unbind_sim backlight $S $B
check backlight.removed sh -c "echo 0 > $OV/backlight"

# pwm-fan: hwmon pwm1 (0-255) gives duty = pwm1 * (period - 1) / 255,
# rounded up; pwm1_enable 1 turns the PWM off at 0, 2 keeps it on at duty 0;
# the cooling device's states index cooling-levels <0 102 170 230 255>.
S=pwm-test-fan-sim
check fan.applied sh -c "echo 1 > $OV/fan"
check fan.probed until_true has_class_dir hwmon pwmfan
H=$(class_dir hwmon pwmfan)
expect fan.starts-at-top-level $S "1 39999 40000"
check_eq fan.enable-mode 1 "$(cat $H/pwm1_enable)"
echo 128 >$H/pwm1
expect fan.pwm-128 $S "1 20078 40000"
check_eq fan.pwm-256-rejected "Invalid argument" "$(write_err $H/pwm1 256)"
check_eq fan.pwm-256-unchanged "1 20078 40000" "$(channel $S)"
# Disabling leaves the registers as they were (pwm-sim keeps them).
echo 0 >$H/pwm1
expect fan.pwm-0-off $S "0 20078 40000"
echo 2 >$H/pwm1_enable
expect fan.mode-2-on-at-0 $S "1 0 40000"
echo 1 >$H/pwm1_enable
expect fan.mode-1-off $S "0 0 40000"
C=
for d in /sys/class/thermal/cooling_device*; do
	[ "$(cat $d/type 2>/dev/null)" = pwm-fan ] && C=$d
done
check fan.cooling-device test -n "$C"
check_eq fan.cooling-max-state 4 "$(cat $C/max_state 2>/dev/null)"
echo 2 >$C/cur_state
expect fan.cooling-state-2 $S "1 26666 40000"
check_eq fan.cooling-state-read 2 "$(cat $C/cur_state)"
check_eq fan.cooling-state-5-rejected "Invalid argument" "$(write_err $C/cur_state 5)"
check_eq fan.cooling-state-5-unchanged "1 26666 40000" "$(channel $S)"
unbind_sim fan $S $H
check fan.removed sh -c "echo 0 > $OV/fan"

# pwm-beeper: an EV_SND event written to its event device sets the period
# to 1 s / Hz at half duty (SND_TONE Hz, or SND_BELL at beeper-hz, 1000 by
# default), and 0 turns it off; a work item applies it.
S=pwm-test-beeper-sim
check beeper.applied sh -c "echo 1 > $OV/beeper"
check beeper.probed until_true has_class_dir input pwm-beeper
I=$(class_dir input pwm-beeper)
E=/dev/input/$(ls $I | grep '^event' | head -n 1)
check beeper.event-device test -c "$E"

# The event device stays open across the events: the beeper stops when its
# last user closes it.
[ -c "$E" ] && exec 3>"$E"

# snd CODE VALUE: an EV_SND event to the beeper.
snd() {
	event 18 $1 $2
}
check beeper.tone-written snd 2 1000
expect beeper.tone-1000 $S "1 500000 1000000"
snd 2 440
expect beeper.tone-440 $S "1 1136364 2272727"
snd 2 0
expect beeper.tone-0-off $S "0 1136364 2272727"
snd 1 1
expect beeper.bell $S "1 500000 1000000"
snd 1 0
expect beeper.bell-off $S "0 500000 1000000"
exec 3>&-
unbind_sim beeper $S $I
check beeper.removed sh -c "echo 0 > $OV/beeper"

# leds-pwm: duty = brightness * period / max-brightness, rounded down, and
# period - that for an active-low LED; the PWM stays on at duty 0.
S=pwm-test-leds-sim
L=/sys/class/leds/pwm-test-led
LL=/sys/class/leds/pwm-test-led-low
check leds.applied sh -c "echo 1 > $OV/leds"
check leds.probed until_true test -d $LL
check_eq leds.default-brightness 64 "$(cat $L/brightness)"
expect leds.default-on $S "1 25098 100000"
expect leds.low-default-off $S "1 100000 100000" 1
echo 255 >$L/brightness
expect leds.full $S "1 100000 100000"
echo 0 >$L/brightness
expect leds.off-on-at-0 $S "1 0 100000"
echo 128 >$L/brightness
expect leds.half $S "1 50196 100000"
# The LED class clamps a brightness above the maximum.
echo 300 >$L/brightness
expect leds.clamped $S "1 100000 100000"
check_eq leds.clamped-read 255 "$(cat $L/brightness)"
check_eq leds.word-rejected "Invalid argument" "$(write_err $L/brightness bright)"
check_eq leds.word-unchanged "1 100000 100000" "$(channel $S)"
echo 25 >$LL/brightness
expect leds.low-25 $S "1 75000 100000" 1
echo 100 >$LL/brightness
expect leds.low-full $S "1 0 100000" 1
unbind_sim leds $S $L
check leds.low-gone sh -c "! test -e $LL"
check leds.removed sh -c "echo 0 > $OV/leds"

# pwm-regulator through regulator-virtual-consumer: continuous mode, 800 to
# 1200 mV over duty 0 to 100% (always on), and a table of 1000, 1100 and
# 1200 mV at 30, 60 and 90%.
S=pwm-test-regulator-sim
PD=/sys/bus/platform/devices
VC=$PD/pwm-test-regulator-continuous-consumer
VT=$PD/pwm-test-regulator-table-consumer
RDRV=/sys/bus/platform/drivers/pwm-regulator
VDRV=/sys/bus/platform/drivers/reg-virt-consumer

# volts CONSUMER UV: asks for exactly UV. The consumer asks the regulator
# for [min, max] whenever one changes and min <= max, so the bound that
# moves away from the other goes first: no range but UV alone is asked for.
volts() {
	if [ "$2" -lt "$(cat $1/min_microvolts)" ]; then
		echo $2 >$1/max_microvolts
		echo $2 >$1/min_microvolts
	else
		echo $2 >$1/min_microvolts
		echo $2 >$1/max_microvolts
	fi
}

# microvolts NAME: what the regulator named NAME reads back, or its error.
microvolts() {
	cat "$(class_dir regulator $1)/microvolts" 2>&1 | sed 's/.*: //'
}

check regulator.applied sh -c "echo 1 > $OV/regulator"
check regulator.probed until_true test -d $VT/driver
# Probing, pwm_adjust_config() programs the period of the device tree
# (the hardware had none) at duty 0; always-on enables it.
expect regulator.continuous-initial $S "1 0 1000000"
check_eq regulator.continuous-reads-min 800000 "$(microvolts pwm-test-vdd)"
volts $VC 1000000
expect regulator.continuous-1000mV $S "1 500000 1000000"
check_eq regulator.continuous-reads-1000mV 1000000 "$(microvolts pwm-test-vdd)"
volts $VC 1200000
expect regulator.continuous-1200mV $S "1 1000000 1000000"
volts $VC 900000
expect regulator.continuous-900mV $S "1 250000 1000000"
volts $VC 1300000
check_eq regulator.continuous-1300mV-unchanged "1 250000 1000000" "$(channel $S)"
check_eq regulator.continuous-1300mV-reads-900mV 900000 "$(microvolts pwm-test-vdd)"

# pwm_adjust_config() at the next probe: the hardware left at another period
# and polarity (set through sysfs while no driver holds the channel) is
# scaled to the device tree's period and its polarity, keeping the relative
# duty; the regulator reads the voltage back from it.
C=/sys/class/pwm/$(ls $PD/$S/pwm)
check regulator.consumer-unbinds sh -c "echo pwm-test-regulator-continuous-consumer > $VDRV/unbind"
check regulator.continuous-unbinds sh -c "echo pwm-test-regulator-continuous > $RDRV/unbind"
check_eq regulator.unbind-keeps-hw "1 250000 1000000" "$(channel $S)"
check regulator.sysfs-export sh -c "echo 0 > $C/export"
check regulator.sysfs-period sh -c "echo 2000000 > $C/pwm0/period && echo 500000 > $C/pwm0/duty_cycle"
check regulator.sysfs-inversed sh -c "echo inversed > $C/pwm0/polarity"
check_eq regulator.sysfs-set "1 500000 2000000 inversed" "$(channel $S) $(hw $S 0 polarity)"
check regulator.sysfs-unexport sh -c "echo 0 > $C/unexport"
# The regulator core drops the old regulator's debugfs directory only at its
# release (which DEBUG_KOBJECT_RELEASE delays): wait, or the new one cannot
# make its own.
until_true sh -c "! test -e /sys/kernel/debug/regulator/pwm-test-vdd"
check regulator.continuous-binds sh -c "echo pwm-test-regulator-continuous > $RDRV/bind"
check_eq regulator.adjusted "1 750000 1000000 normal" "$(channel $S) $(hw $S 0 polarity)"
check_eq regulator.adjusted-reads-1100mV 1100000 "$(microvolts pwm-test-vdd)"
# The consumer's device link (fw_devlink, from default-supply) probes it
# again once its supplier is back.
check regulator.consumer-back until_true test -d $VC/driver
volts $VC 800000
expect regulator.continuous-800mV $S "1 0 1000000"

# Table mode: duty 0 is in no entry, so the voltage cannot be read, and the
# regulator core sets the lowest one at registration (30%), with the PWM
# still off, which a disabled legacy chip does not program.
check_eq regulator.table-initial "0 0 0" "$(channel $S 1)"
check regulator.table-initial-requested sh -c "grep -A1 '^ pwm-1   (pwm-test-regulator-t' /sys/kernel/debug/pwm | grep -qx '  requested configuration: disabled, 150000/500000 ns, normal polarity'"
check_eq regulator.table-initial-reads-min 1000000 "$(microvolts pwm-test-vtable)"
volts $VT 1100000
expect regulator.table-1100mV $S "1 300000 500000" 1
check_eq regulator.table-reads-1100mV 1100000 "$(microvolts pwm-test-vtable)"
volts $VT 1200000
expect regulator.table-1200mV $S "1 450000 500000" 1
volts $VT 1050000
check_eq regulator.table-1050mV-unchanged "1 450000 500000" "$(channel $S 1)"
volts $VT 1000000
expect regulator.table-1000mV $S "1 150000 500000" 1
echo 0 >$VT/min_microvolts
expect regulator.table-disabled $S "0 150000 500000" 1
unbind_sim regulator $S "$(class_dir regulator pwm-test-vdd)"
check regulator.consumers-gone sh -c "! test -e $VC/driver && ! test -e $VT/driver"
check regulator.removed sh -c "echo 0 > $OV/regulator"

# pwm-ir-tx on a raw atomic chip: a LIRC transmission is applied from the
# driver's hard hrtimer with pwm_apply_atomic(), on for each pulse and off
# for each space, at the carrier's period (38 kHz by default) and duty (50%
# by default), and off at the end. The sequence is read from pwm:pwm_apply.
# The C core takes a spinlock_t for atomic chips, which its hard hrtimer
# must not: on the C core these cases do not run.
S=pwm-test-ir-tx-sim
T=/sys/kernel/tracing

# lirc_dev: the LIRC device of the rc device of pwm-test-ir-tx.
lirc_dev() {
	local d
	for d in /sys/class/rc/rc*; do
		case $(readlink -f $d/device) in
		*/pwm-test-ir-tx) echo /dev/$(ls $d | grep '^lirc' | head -n 1) && return ;;
		esac
	done
}

# transmit CARRIER DUTY US...: sends through pwm-consumer-io while
# pwm:pwm_apply is traced; prints the program's error, if any.
transmit() {
	echo >$T/trace
	echo 1 >$T/events/pwm/pwm_apply/enable
	pwm-consumer-io lirc "$(lirc_dev)" "$@" 2>&1 | sed 's/^error: //'
	echo 0 >$T/events/pwm/pwm_apply/enable
}

# applied: "period duty enabled" of each traced apply to the chip, in order.
# CONFIG_PWM_DEBUG applies each enabled state a second time once read back
# (as upstream's core does): repeats in a row are folded.
applied() {
	sed -n "s/.*pwm_apply: $IC\.0: period=\([0-9]*\) duty_cycle=\([0-9]*\) polarity=0 enabled=\([01]\) err=0$/\1 \2 \3/p" $T/trace |
		uniq | tr '\n' ',' | sed 's/,$//'
}

if rust_core; then
	check ir_tx.applied sh -c "echo 1 > $OV/ir_tx"
	check ir_tx.probed until_true test -n "$(lirc_dev)"
	IC=$(ls $PD/$S/pwm)
	# The driver transmits from its hrtimer only when the PWM cannot sleep.
	check ir_tx.atomic-path sh -c "! dmesg | grep -q 'pwm-test-ir-tx: TX will not be accurate'"
	check_eq ir_tx.send "" "$(transmit 0 0 500 300 700)"
	check_eq ir_tx.sequence "26316 13158 1,26316 13158 0,26316 13158 1,26316 13158 0" "$(applied)"
	check_eq ir_tx.off-after "0 13158 26316" "$(channel $S)"
	check_eq ir_tx.send-40kHz-25 "" "$(transmit 40000 25 100 100 100 100 100)"
	check_eq ir_tx.sequence-40kHz-25 "25000 6250 1,25000 6250 0,25000 6250 1,25000 6250 0,25000 6250 1,25000 6250 0" "$(applied)"
	check_eq ir_tx.even-count-rejected "write: errno 22" "$(transmit 0 0 100 100)"
	check_eq ir_tx.duty-100-rejected "LIRC_SET_SEND_DUTY_CYCLE: errno 22" "$(transmit 0 100 100)"
	check_eq ir_tx.rejected-apply-nothing "" "$(applied)"
	check_eq ir_tx.rejected-unchanged "0 6250 25000" "$(channel $S)"
	rc=$(basename "$(readlink -f $PD/pwm-test-ir-tx/rc/rc*)")
	lirc=$(basename "$(lirc_dev)")
	unbind_sim ir_tx $S "$(readlink -f $PD/pwm-test-ir-tx/rc/rc*)"
	check ir_tx.removed sh -c "echo 0 > $OV/ir_tx"
	# Both devices are released (CONFIG_DEBUG_KOBJECT_RELEASE logs the
	# last put); the LIRC device kept them before patches/0014.
	released() {
		dmesg | grep -q "kobject: '$1' ([0-9a-fx]*): kobject_release"
	}
	check ir_tx.rc-device-released until_true released $rc
	check ir_tx.lirc-device-released until_true released $lirc
fi

# pwm-vibra: a rumble effect plays at duty = magnitude * period / 65535
# (the strong one, else the weak one) on its enable channel, with the
# direction channel at direction-duty-cycle-ns; stopping turns both off.
S=pwm-test-vibrator-sim
check vibrator.applied sh -c "echo 1 > $OV/vibrator"
check vibrator.probed until_true has_class_dir input pwm-vibrator
I=$(class_dir input pwm-vibrator)
E=/dev/input/$(ls $I | grep '^event' | head -n 1)
check vibrator.event-device test -c "$E"
expect vibrator.probe-off $S "0 0 0"
expect vibrator.probe-direction-off $S "0 0 0" 1
[ -c "$E" ] && exec 3<>"$E"
id=$(pwm-consumer-io ff-upload 3 32768 0)
check_eq vibrator.uploaded 0 "$id"
event 21 0 1
expect vibrator.strong-half $S "1 500008 1000000"
expect vibrator.direction-on $S "1 400000 1000000" 1
event 21 0 0
expect vibrator.stopped $S "0 500008 1000000"
expect vibrator.direction-stopped $S "0 400000 1000000" 1
check_eq vibrator.second-uploaded 1 "$(pwm-consumer-io ff-upload 3 0 65535)"
event 21 1 1
expect vibrator.weak-full $S "1 1000000 1000000"
# An effect that was never uploaded does not play.
event 21 5 1
event 21 5 0
check_eq vibrator.unknown-effect-ignored "1 1000000 1000000" "$(channel $S)"
# Closing the event device erases its effects, which stops the vibrator.
exec 3>&-
expect vibrator.closed-stops $S "0 1000000 1000000"
unbind_sim vibrator $S $I
check vibrator.removed sh -c "echo 0 > $OV/vibrator"

# Whatever a failed case left applied goes, so that later suites start clean.
for f in $OV/*; do
	[ "$(cat $f)" = 1 ] && echo 0 >$f
done
exit 0
