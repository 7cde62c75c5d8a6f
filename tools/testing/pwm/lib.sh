# SPDX-License-Identifier: GPL-2.0
# Helpers for the in-guest tests; sourced by each tests/*.sh.
#
# Each case reports one line the host counts:
#   guest-test: ok <suite>.<case>
#   guest-test: not ok <suite>.<case> # <reason>
# on the console for people and on /dev/ttyS1, a serial port the kernel
# never writes to, so that no kernel message can break a result line.

SUITE=${SUITE:-$(basename "$0" .sh)}

report() {
	echo "guest-test: $*"
	echo "guest-test: $*" >/dev/ttyS1
}

pass() {
	report "ok $SUITE.$1"
}

fail() {
	report "not ok $SUITE.$1 # $2"
}

# check NAME COMMAND...: the case passes when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then
		pass "$name"
	else
		fail "$name" "failed: $*"
	fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', got '$3'"
	fi
}

# pwm-sim: its configfs and debugfs directories.
CFS=/sys/kernel/config/pwm-sim
DBG=/sys/kernel/debug/pwm-sim

# sim NAME ATTR=VALUE...: a live pwm-sim chip; prints its sysfs directory.
sim() {
	local dir=$CFS/$1 kv
	shift
	mkdir "$dir"
	for kv in "$@"; do echo "${kv#*=}" >"$dir/${kv%%=*}"; done
	echo 1 >"$dir/live"
	echo /sys/class/pwm/$(cat "$dir/chip_name")
}

# unsim NAME: removes the chip and its directory.
unsim() {
	echo 0 >$CFS/$1/live
	rmdir $CFS/$1
}

# hw NAME CHANNEL FIELD: a field of the channel's simulated hardware.
hw() {
	sed -n "s/^pwm$2: //p" "$DBG/$1" | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# rust_core: whether the kernel runs the Rust core. `make test CORE=c` runs
# these scripts on the stock C core too, which skips the cases listed as
# absent there in tools/testing/pwm/c-core-differences.
rust_core() {
	zcat /proc/config.gz | grep -qx CONFIG_PWM_RUST_CORE=y
}

# write_err FILE VALUE: the error message of the write, empty on success.
write_err() {
	sh -c "echo '$2' > '$1'" 2>&1 | sed 's/.*: //'
}
