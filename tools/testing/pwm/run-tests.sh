# SPDX-License-Identifier: GPL-2.0
# Runs every in-guest test script; a script that ends with a non-zero
# status is reported as a failed case of its own.

. /pwm/lib.sh

for t in /pwm/tests/*.sh; do
	suite=$(basename "$t" .sh)
	report "suite $suite"
	SUITE=$suite sh "$t"
	rc=$?
	[ $rc -eq 0 ] || report "not ok $suite.exit-status # script exited with $rc"
done
report done
