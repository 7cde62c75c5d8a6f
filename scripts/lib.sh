# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the harness scripts; sourced, not run.
#
# Every path the harness writes lives under $CACHE, outside the checkout, so
# a fresh clone reuses earlier downloads and build trees.

set -eu
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pwm-rs}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# The base kernel: a pristine copy, the laid-out source tree, the build tree.
BASE_DIR=$CACHE/base
PRISTINE=$BASE_DIR/linux
SRC=$CACHE/src
OBJ=$CACHE/obj
OBJ_ACPI=$CACHE/obj-acpi
BENCH_DIR=$CACHE/bench
LOGS=$CACHE/logs
TOOLS=$CACHE/tools
MODULES=$CACHE/modules
INITRAMFS=$CACHE/initramfs

# CORE=c: the same kernels with the stock C core (CONFIG_PWM_RUST_CORE=n,
# scripts/configs/pwm-c-core.config), in build trees of their own.
CORE_SUFFIX=
case ${CORE:-rust} in
rust) ;;
c)
	CORE_SUFFIX=-c
	OBJ=$CACHE/obj-c
	MODULES=$CACHE/modules-c
	INITRAMFS=$CACHE/initramfs-c
	;;
*) echo "error: CORE must be rust or c, not '$CORE'" >&2 && exit 1 ;;
esac

KERNEL_SERIES=7.3
BINDGEN_VERSION=0.71.1
LLVM_SUFFIX=-19
JOBS=${JOBS:-$(nproc)}

export PATH=$TOOLS/bin:$HOME/.cargo/bin:$PATH
mkdir -p "$LOGS"

# One clear line on stderr, then a non-zero exit.
die() {
	echo "error: $*" >&2
	exit 1
}

note() {
	echo ">>> $*"
}

# Run a command with its output in a log; on failure show the log's tail
# and end with one error line naming the log.
logged() {
	local what=$1 log=$2
	shift 2
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "$what failed; full log: $log"
	fi
}

# The kernel's make, on the laid-out tree, building out of tree.
kmake() {
	make -C "$SRC" O="$OBJ" LLVM="$LLVM_SUFFIX" ARCH=x86_64 "$@"
}
