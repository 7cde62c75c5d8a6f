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

# channel SIM: enabled, duty and period of channel 0 of the pwm-sim chip SIM.
channel() {
	echo "$(hw $1 0 enabled) $(hw $1 0 duty_ns) $(hw $1 0 period_ns)"
}

# channel_is SIM "ENABLED DUTY PERIOD": whether the channel is there now.
channel_is() {
	test "$(channel $1)" = "$2"
}

# expect NAME SIM "ENABLED DUTY PERIOD": the channel settles there.
expect() {
	until_true channel_is $2 "$3"
	check_eq "$1" "$3" "$(channel $2)"
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

# snd CODE VALUE: writes one struct input_event (64-bit: a zero timestamp of
# 16 bytes, type EV_SND, CODE, VALUE) to the beeper in one write (no value
# here has a newline byte, which could split it).
snd() {
	local v=$2
	printf "\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\022\\0\\$(printf %03o $1)\\0\\$(printf %03o $((v & 255)))\\$(printf %03o $(((v >> 8) & 255)))\\$(printf %03o $(((v >> 16) & 255)))\\0" >&3
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

# Whatever a failed case left applied goes, so that later suites start clean.
for f in $OV/*; do
	[ "$(cat $f)" = 1 ] && echo 0 >$f
done
exit 0
