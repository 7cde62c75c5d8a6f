#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Lays out the source tree: pristine base + patches/ + the overlay.
#
# Every run builds the wanted content of each touched file in a staging
# directory, then copies into $SRC only files whose content changed, so an
# unchanged file keeps its timestamp and the next build is incremental.
# Files this project stopped providing are put back to their pristine state.

source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/layout.sh"

base=${KDIR:-$PRISTINE}
[ -f "$base/Makefile" ] || die "no base kernel at $base (run: make setup)"
base_id="$base $(stat -c %Y "$base/Makefile")"

if [ ! -f "$SRC/.pwm-rs-base" ] || [ "$(cat "$SRC/.pwm-rs-base")" != "$base_id" ]; then
	note "copying the base tree to $SRC"
	rm -rf "$SRC" "$OBJ"
	cp -a "$base" "$SRC.tmp"
	rm -f "$SRC.tmp/.pwm-rs-manifest"
	mv "$SRC.tmp" "$SRC"
	echo "$base_id" >"$SRC/.pwm-rs-base"
fi

stage=$CACHE/stage
rm -rf "$stage"
mkdir -p "$stage"

# Patches, in order, on pristine copies of the files they touch, and the
# overlay: files written in this repository.
layout_stage "$base" "$stage" "$LOGS/patch.log"

(cd "$stage" && find . -type f -printf '%P\n' | sort) >"$CACHE/manifest.new"
touch "$SRC/.pwm-rs-manifest"

# Files laid out last time but no longer provided: back to the base version,
# with a new timestamp so that make notices.
comm -23 "$SRC/.pwm-rs-manifest" "$CACHE/manifest.new" | while read -r f; do
	rm -f "$SRC/$f"
	[ -e "$base/$f" ] && cp "$base/$f" "$SRC/$f"
	echo "restored $f"
done

rsync -r -c --out-format='updated %n' "$stage/" "$SRC/" | grep -v '/$' || true
mv "$CACHE/manifest.new" "$SRC/.pwm-rs-manifest"
