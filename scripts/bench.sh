#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: builds the bench kernel twice from the same base and
# configuration (scripts/configs/pwm-bench.config), with the Rust core and
# with the stock C core, and boots each BOOTS times (default 3) per phase,
# interleaved so that drift on the host hits both alike, with REPS
# repetitions of every workload per boot (default 3):
#
# - cost: QEMU counts instructions as guest time (-icount shift=0, one
#   vCPU thread at a time), so per-operation rows are instructions and
#   repeat exactly from boot to boot;
# - wall: real time with two parallel vCPUs, for the scaling rows (and a
#   few headline rows again, to compare).
#
# Then prints the table of medians and ratios (scripts/bench.py) and writes
# it as JSON and SVG into $CACHE/bench/.

source "$(dirname "$0")/lib.sh"

BOOTS=${BOOTS:-3}
export REPS=${REPS:-3}
start=$(date +%s)
bash "$TOP/scripts/setup.sh"
bash "$TOP/scripts/tree.sh"
bash "$TOP/scripts/build.sh" bench
CORE=c bash "$TOP/scripts/build.sh" bench
bash "$TOP/scripts/initramfs.sh" bench

rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
for i in $(seq 1 "$BOOTS"); do
	for phase in cost wall; do
		icount=0
		[ "$phase" = wall ] || icount=1
		for core in rust c; do
			log=$BENCH_DIR/boot$i-$core-$phase.log
			note "bench: boot $i of $BOOTS, $phase, $core core (log: $log)"
			CORE=$core PHASE=$phase ICOUNT=$icount ACCEL=tcg \
				GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800} \
				bash "$TOP/scripts/boot.sh" bench "$log" >/dev/null
		done
	done
done
note "bench: finished in $(($(date +%s) - start)) s"
exec python3 "$TOP/scripts/bench.py" "$BENCH_DIR" \
	--rust-obj "$CACHE/obj-bench" --c-obj "$CACHE/obj-bench-c" \
	--size "llvm-size$LLVM_SUFFIX"
