#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make test`: boots the test guest once; the kernel runs every KUnit suite
# before init, then init runs the in-guest tests. Prints each suite's result
# and ends with `N passed, N failed`.

source "$(dirname "$0")/lib.sh"

start=$(date +%s)
bash "$TOP/scripts/prepare.sh"
log=$LOGS/test-guest.log
note "running KUnit and in-guest tests (guest log: $log)"
bash "$TOP/scripts/boot.sh" test "$log" >/dev/null
note "finished in $(($(date +%s) - start)) s"
exec python3 "$TOP/scripts/results.py" "$log" --results "$log.results" \
	--kunit-py "$SRC/tools/testing/kunit/kunit.py"
