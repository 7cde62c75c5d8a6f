#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make test`: boots the test guest; the kernel runs the KUnit suites before
# init, then init runs the in-guest tests. A second, short boot runs the
# doctests of kernel::pwm, ::sysfs and ::chrdev (scripts/boot.sh says why
# apart), and a third boots the ACPI kernel (no device tree) for a smoke
# subset of the in-guest tests. The host tests of tools/pwm/ (`cargo test`)
# run first. Prints each suite's result and ends with `N passed, N failed`.
#
# CORE=c runs the test and doctests boots on the same kernel built with the
# stock C core (scripts/lib.sh), judged against the expected differences in
# tools/testing/pwm/c-core-differences; the ACPI boot, whose suites the test
# boot runs too, is left out there.

source "$(dirname "$0")/lib.sh"

start=$(date +%s)
bash "$TOP/scripts/prepare.sh"
tag=
[ "${CORE:-rust}" = rust ] || tag=-c
log=$LOGS/test$tag-guest.log
doclog=$LOGS/test$tag-doctests.log
if [ -n "$tag" ]; then
	note "running KUnit and in-guest tests on the C core (guest log: $log)"
	bash "$TOP/scripts/boot.sh" test "$log" >/dev/null
	note "running the doctests of kernel::pwm, ::sysfs and ::chrdev on the C core (guest log: $doclog)"
	bash "$TOP/scripts/boot.sh" doctests "$doclog" >/dev/null
	note "finished in $(($(date +%s) - start)) s"
	exec python3 "$TOP/scripts/results.py" "$log" --results "$log.results" \
		--doctests-log "$doclog" --core c \
		--differences "$TOP/tools/testing/pwm/c-core-differences" \
		--kunit-py "$SRC/tools/testing/kunit/kunit.py" --top "$TOP"
fi
bash "$TOP/scripts/build.sh" acpi
hostlog=$LOGS/test-host.log
note "running the host tests of tools/pwm (log: $hostlog)"
cargo test --locked --offline -j"$JOBS" --manifest-path "$TOP/tools/pwm/Cargo.toml" \
	--target-dir "$CACHE/tools-target" >"$hostlog" 2>&1 || true
note "running KUnit and in-guest tests (guest log: $log)"
bash "$TOP/scripts/boot.sh" test "$log" >/dev/null
note "running the doctests of kernel::pwm, ::sysfs and ::chrdev (guest log: $doclog)"
bash "$TOP/scripts/boot.sh" doctests "$doclog" >/dev/null
acpilog=$LOGS/test-acpi.log
note "running the smoke subset on the ACPI kernel (guest log: $acpilog)"
bash "$TOP/scripts/boot.sh" acpi "$acpilog" >/dev/null
note "finished in $(($(date +%s) - start)) s"
exec python3 "$TOP/scripts/results.py" "$log" --results "$log.results" \
	--doctests-log "$doclog" --acpi-log "$acpilog" --host-log "$hostlog" \
	--kunit-py "$SRC/tools/testing/kunit/kunit.py" --top "$TOP"
