#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make stress`: boots the test kernel (KASAN, lockdep with raw lock
# nesting, kmemleak, debug objects, hung-task detection, delayed kobject
# releases) to run the reliability campaign of
# tools/testing/pwm/tests/stress.sh alone, its load for STRESS_SECONDS
# (default 1200; STRESS_FULL=0 runs the short variant of `make test`
# instead, with its lower counts), and judges it: every case passed, the guest finished, and
# its log holds no kernel report. Prints the campaign's figures and ends
# with `N passed, N failed`.

source "$(dirname "$0")/lib.sh"

STRESS_SECONDS=${STRESS_SECONDS:-1200}
case $STRESS_SECONDS in
'' | *[!0-9]*) die "STRESS_SECONDS must be a number of seconds, not '$STRESS_SECONDS'" ;;
esac
start=$(date +%s)
bash "$TOP/scripts/prepare.sh"
log=$LOGS/stress-guest.log
note "running the stress campaign for $STRESS_SECONDS s of load (guest log: $log)"
# The load, then the fault injection's end, 100,000 model-checked calls,
# 100,000 trinity syscalls and the account, under KASAN and TCG.
STRESS_SECONDS=$STRESS_SECONDS GUEST_TIMEOUT=$((STRESS_SECONDS + 3600)) \
	bash "$TOP/scripts/boot.sh" stress "$log" >/dev/null
note "finished in $(($(date +%s) - start)) s"
exec python3 "$TOP/scripts/stress_report.py" "$log" --results "$log.results" \
	--top "$TOP"
