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
