#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Packs the guest's initramfs: static busybox, /init, tools/testing/pwm, its
# character device test program built static for the guest, and the
# kernel's modules.

source "$(dirname "$0")/lib.sh"

BUSYBOX=${BUSYBOX:-/bin/busybox}
root=$CACHE/initramfs
out=$CACHE/initramfs.cpio.gz

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
# The kernel's modules (scripts/build.sh installs them); busybox is modprobe.
cp -a "$MODULES/lib" "$root/lib"
mkdir -p "$root/sbin"
ln -s ../bin/busybox "$root/sbin/modprobe"
rm -rf "$root/pwm/cdev-test"

# The character device test program, static, for 64- and 32-bit processes.
for t in x86_64:pwm-cdev-test i686:pwm-cdev-test32; do
	rustc --edition 2021 -O --target "${t%%:*}-unknown-linux-musl" \
		-C target-feature=+crt-static -C strip=debuginfo \
		"$TOP/tools/testing/pwm/cdev-test/main.rs" -o "$root/pwm/bin/${t#*:}" ||
		die "cannot build the guest's ${t#*:} (rustup target add ${t%%:*}-unknown-linux-musl)"
done

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet -R 0:0) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
