# SPDX-License-Identifier: GPL-2.0
# Runs the in-guest test scripts named as arguments (tests/NAME.sh), or all
# of them; a script that ends with a non-zero status is reported as a
# failed case of its own. BOOT (test or acpi) says which kernel this is.

. /pwm/lib.sh

if [ $# -eq 0 ]; then
	set -- $(for t in /pwm/tests/*.sh; do basename "$t" .sh; done)
fi
for suite in "$@"; do
	report "suite $suite"
	SUITE=$suite sh "/pwm/tests/$suite.sh"
	rc=$?
	[ $rc -eq 0 ] || report "not ok $suite.exit-status # script exited with $rc"
done
report done
