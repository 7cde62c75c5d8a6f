#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Packs the guest's initramfs: static busybox, /init, tools/testing/pwm, its
# character device test program and consumers' ioctl helper built static for
# the guest, pwmctl (tools/pwm/), and the kernel's modules. `initramfs.sh bench`: the guest of
# `make bench` (no modules; its benchmark program), shared by both cores.

source "$(dirname "$0")/lib.sh"

BUSYBOX=${BUSYBOX:-/bin/busybox}
flavour=${1:-test}
root=$INITRAMFS
[ "$flavour" != bench ] || root=$CACHE/initramfs-bench
out=$root.cpio.gz

[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (install busybox-static)"
if readelf -l "$BUSYBOX" | grep -q 'program interpreter'; then
	die "$BUSYBOX is not statically linked (install busybox-static)"
fi

rm -rf "$root"
mkdir -p "$root/bin" "$root/pwm"
cp "$BUSYBOX" "$root/bin/busybox"
cp "$TOP/tools/testing/pwm/init" "$root/init"
chmod 755 "$root/init"
cp -r "$TOP/tools/testing/pwm/." "$root/pwm/"
rm -f "$root/pwm/init"
mkdir -p "$root/sbin"
rm -rf "$root/pwm/cdev-test" "$root/pwm/consumer-io" "$root/pwm/bench" \
	"$root/pwm/stress" "$root/pwm/fuzz" "$root/pwm/uapi"

# guest_rustc SOURCE NAME [TARGET]: a static program of the guest.
guest_rustc() {
	local target=${3:-x86_64}
	rustc --edition 2021 -O --target "$target-unknown-linux-musl" \
		-C target-feature=+crt-static -C strip=debuginfo \
		"$TOP/tools/testing/pwm/$1" -o "$root/pwm/bin/$2" ||
		die "cannot build the guest's $2 (rustup target add $target-unknown-linux-musl)"
}

if [ "$flavour" = bench ]; then
	guest_rustc bench/main.rs pwm-bench
else
	# The kernel's modules (scripts/build.sh installs them); busybox is
	# modprobe.
	cp -a "$MODULES/lib" "$root/lib"
	ln -s ../bin/busybox "$root/sbin/modprobe"
	# The character device test program, for 64- and 32-bit processes, and
	# the ioctls of upstream consumers' interfaces (tests/consumers.sh).
	guest_rustc cdev-test/main.rs pwm-cdev-test
	guest_rustc cdev-test/main.rs pwm-cdev-test32 i686
	guest_rustc consumer-io/main.rs pwm-consumer-io
	# The stress campaign's load (both widths), its model checker, and
	# Debian's trinity with the C library it is linked against.
	guest_rustc stress/main.rs pwm-stress
	guest_rustc stress/main.rs pwm-stress32 i686
	guest_rustc fuzz/main.rs pwm-fuzz
	# pwmctl, the userspace tool of tools/pwm/ (tests/pwmctl.sh, the demo).
	cargo build --quiet --release --locked --offline -j"$JOBS" \
		--manifest-path "$TOP/tools/pwm/Cargo.toml" \
		--target x86_64-unknown-linux-musl --target-dir "$CACHE/tools-target" \
		>"$LOGS/pwmctl-build.log" 2>&1 ||
		die "cannot build pwmctl (see $LOGS/pwmctl-build.log)"
	cp "$CACHE/tools-target/x86_64-unknown-linux-musl/release/pwmctl" "$root/pwm/bin/"
	trinity=$(command -v trinity) || die "trinity not found (install trinity)"
	cp "$trinity" "$root/pwm/bin/trinity"
	for lib in $(ldd "$trinity" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
fi

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet -R 0:0) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
