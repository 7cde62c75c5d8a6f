#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make tree-out DEST=/path`: the laid-out source tree, ready to build.
#
# Writes the base kernel with the project's patches and files (the tree the
# harness builds, made by the same logic as scripts/tree.sh, but from the
# base and the checkout, not from $BUILD_DIR/src) into DEST, with a
# PWM-RS.txt at its top that says what it is and how to configure and build
# it. DEST must not exist or be empty, and must be outside the repository.
#
# usage: tree-out.sh DEST

source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/layout.sh"

dest=${1:-${DEST:-}}
[ -n "$dest" ] || die "no destination: make tree-out DEST=/path/to/new/tree"
base=${KDIR:-$PRISTINE}
[ -f "$base/Makefile" ] || die "no base kernel at $base (run: make setup)"

dest=$(realpath -m "$dest")
case $dest/ in
"$(realpath "$TOP")"/*) die "$dest is inside the repository" ;;
"$(realpath "$base")"/*) die "$dest is inside the base tree" ;;
esac
if [ -e "$dest" ]; then
	[ -d "$dest" ] || die "$dest exists and is not a directory"
	[ -z "$(ls -A "$dest")" ] || die "$dest exists and is not empty"
fi
mkdir -p "$dest"

start=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/pwm-rs-tree-out.XXXXXX")
trap 'rm -rf "$work"' EXIT

note "copying the base ($base) to $dest"
rsync -a --exclude='/.pwm-rs-*' "$base/" "$dest/"
note "laying the project's patches and files over it"
layout_stage "$base" "$work/stage" "$work/patch.log"
rsync -a "$work/stage/" "$dest/"
count=$(layout_files "$work/stage" | wc -l)

release=$(base_release "$base")
debian=$(cat "$base/.pwm-rs-base" 2>/dev/null || true)
[ -z "$debian" ] || debian=" (Debian's linux-source-7.3 $debian)"
rev=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)
min() { bash "$dest/scripts/min-tool-version.sh" "$1" 2>/dev/null || echo '?'; }

title="pwm-rs: Linux $release with the PWM core written in Rust"
cat >"$dest/PWM-RS.txt" <<EOF
$title
$(printf '%s\n' "$title" | sed 's/./=/g')

This is a Linux $release source tree$debian
with the pwm-rs project laid over it (project revision $rev):
a PWM core written in Rust that replaces drivers/pwm/core.c, kernel::pwm
(the Rust API for PWM drivers and consumers), pwm-sim (simulated PWM
chips), Rust samples, KUnit suites, in-guest tests and their
documentation, and small patches to upstream files ($count files added
or changed in all). The same changes, as a patch series to apply to
your own 7.3 tree, come from the project's \`make series\`.

Documentation: Documentation/driver-api/pwm.rst (the core, its lifetime
and locking rules, kernel::pwm, and its differences from the C core),
Documentation/driver-api/pwm-sim.rst, Documentation/ABI/testing/
sysfs-class-pwm and dev-pwmchip.

Toolchain
---------

The core is Rust, so the kernel must be built with Rust support:
rustc $(min rustc) or newer with the rust-src component, bindgen $(min bindgen)
or newer, and Clang/LLVM $(min llvm) or newer (LLVM=1, or LLVM=-19 for
versioned binaries). Check with

    make LLVM=1 rustavailable

Configuration
-------------

Start from your own configuration, then turn on (make LLVM=1 menuconfig,
under Device Drivers -> Pulse-Width Modulation (PWM) Support):

  CONFIG_RUST=y            Rust support (General setup)
  CONFIG_PWM=y             the PWM subsystem
  CONFIG_PWM_RUST_CORE=y   the Rust core (default y when RUST is on);
                           n builds the stock C core from core.c
  CONFIG_PWM_LEGACY_CDEV   /dev/pwmchipN for chips without waveform ops
                           too (default y; an extension of the ABI)
  CONFIG_PWM_SIM           pwm-sim, simulated chips (needs CONFIGFS_FS)
  CONFIG_SAMPLE_RUST_DRIVER_PWM, CONFIG_SAMPLE_RUST_PWM_CONSUMER
                           the kernel::pwm samples (Kernel hacking ->
                           Sample kernel code -> Rust samples)

For testing:

  CONFIG_PWM_KUNIT_TEST    the KUnit suites of the core (needs KUNIT)
  CONFIG_PWM_AUTOLOAD_TEST test modules of provider module autoload
  CONFIG_PWM_TEST_GPIO     a recording GPIO chip with pwm-gpio on it
  CONFIG_PWM_TEST_OVERLAYS device tree overlays of upstream consumers
                           on pwm-sim chips (needs OF_OVERLAY)
  CONFIG_PWM_BENCH         the benchmark of the core (needs DEBUG_FS)

Upstream C PWM drivers and consumers need no change. Build as usual, for
example:

    make LLVM=1 olddefconfig
    make LLVM=1 -j\$(nproc)

The in-guest tests are in tools/testing/pwm/ and the userspace library
and tool (linux-pwm, pwmctl) in tools/pwm/ (a cargo workspace).
EOF

note "tree written in $(($(date +%s) - start)) s: $dest (see $dest/PWM-RS.txt)"
