# SPDX-License-Identifier: GPL-2.0
# Runs every in-guest test script; a script that ends with a non-zero
# status is reported as a failed case of its own.

for t in /pwm/tests/*.sh; do
	suite=$(basename "$t" .sh)
	echo "guest-test: suite $suite"
	SUITE=$suite sh "$t"
	rc=$?
	[ $rc -eq 0 ] || echo "guest-test: not ok $suite.exit-status # script exited with $rc"
done
echo "guest-test: done"
