#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: boots the guest and runs the demo of the PWM subsystem.
# Fails when the guest does not reach the end of its demo script.

source "$(dirname "$0")/lib.sh"

bash "$TOP/scripts/prepare.sh"
log=$LOGS/run-guest.log
bash "$TOP/scripts/boot.sh" run "$log"
status=$(sed -n 's/^pwm-rs: demo finished with status \([0-9]*\)$/\1/p' "$log")
[ -n "$status" ] || die "the guest did not finish the demo (log: $log)"
[ "$status" = 0 ] || die "the demo failed with status $status (log: $log)"
note "demo finished; guest log: $log"
