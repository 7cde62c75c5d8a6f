# SPDX-License-Identifier: GPL-2.0
# The project's driver (not the kernel's Makefile): every target sets up
# what it needs on a fresh machine, then does its job.
#
#   make run     build, boot QEMU, demonstrate the PWM subsystem
#   make test    build, run the KUnit suites and in-guest tests
#                (CORE=c: the same suites on the stock C core)
#   make shell   boot the same guest with an interactive shell
#   make lint    rustfmt, CLIPPY=1 and checkpatch on the code written here
#   make matrix  build the core in every configuration core.c builds in
#   make bench   the Rust core against the stock C core, in the same run
#   make stress  the reliability campaign: removal under load, fuzzing,
#                fault injection and leak checks (STRESS_SECONDS=1200)
#   make series        the project as a patch series, in $BUILD_DIR/series
#   make series-check  the series applies with git am, is the laid-out
#                      tree, and builds at its first, middle and last patch
#   make tree-out DEST=/path  the laid-out tree, to build with your own
#                      configuration and toolchain
#
# Options: KDIR=/path/to/linux-7.3, BUILD_DIR=/cache/dir, ACCEL=tcg|kvm|auto,
# JOBS=N, GUEST_TIMEOUT=seconds; for bench BOOTS=N and REPS=N.

.PHONY: all run test shell lint matrix bench stress series series-check tree-out \
	setup tree build clean help

all: help

help:
	@sed -n 's/^#   //p' Makefile

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

shell:
	@bash scripts/prepare.sh
	@bash scripts/boot.sh shell

lint:
	@bash scripts/lint.sh

matrix:
	@bash scripts/matrix.sh

bench:
	@bash scripts/bench.sh

stress:
	@bash scripts/stress.sh

series: setup
	@bash scripts/series.sh

series-check: setup
	@bash scripts/series-check.sh

tree-out: setup
	@bash scripts/tree-out.sh "$(DEST)"

setup:
	@bash scripts/setup.sh

tree: setup
	@bash scripts/tree.sh

build:
	@bash scripts/prepare.sh

# Removes the laid-out tree and build tree; keeps the downloaded base.
clean:
	@bash -c 'source scripts/lib.sh && rm -rf "$$SRC" "$$OBJ" "$$OBJ_ACPI" "$$CACHE/obj-c" "$$CACHE/stage" "$$CACHE/initramfs"*'
