#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Packs the guest's initramfs: static busybox, /init and tools/testing/pwm.

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

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet -R 0:0) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
