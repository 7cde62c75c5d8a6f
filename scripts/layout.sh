# SPDX-License-Identifier: GPL-2.0
# The laid-out tree's files: the pristine base's files that patches/ change,
# with the patches applied, and the files written in this repository at
# their kernel paths. Sourced (after scripts/lib.sh) by tree.sh, which lays
# them onto $SRC, and by series.sh, series-check.sh and tree-out.sh, which
# stage them in directories of their own.

# Directories of the repository that mirror kernel paths.
LAYOUT_OVERLAY_DIRS="rust drivers include Documentation samples tools"
# The project's own Kconfig, sourced into the PWM menu by a patch.
LAYOUT_KCONFIG_DEST=drivers/pwm/project.Kconfig

# The files a patch changes (its '+++ b/' lines).
patch_files() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"
}

# layout_patches BASE DIR LOG: pristine copies of the files patches/ touch,
# with every patch applied in order, into DIR.
layout_patches() {
	local base=$1 dir=$2 log=$3 p f
	for p in "$TOP"/patches/*.patch; do
		[ -e "$p" ] || continue
		for f in $(patch_files "$p"); do
			if [ ! -e "$dir/$f" ] && [ -e "$base/$f" ]; then
				mkdir -p "$dir/$(dirname "$f")"
				cp "$base/$f" "$dir/$f"
			fi
		done
		patch -p1 -d "$dir" --batch --forward --quiet --no-backup-if-mismatch \
			-r - <"$p" >"$log" 2>&1 ||
			die "patches/$(basename "$p") does not apply to the base tree (see $log)"
	done
}

# layout_overlay DIR: the files written in this repository, at their kernel
# paths (cargo's output in tools/pwm/target, if built in place, left out),
# and the Kconfig.
layout_overlay() {
	local dir=$1 d
	for d in $LAYOUT_OVERLAY_DIRS; do
		[ -d "$TOP/$d" ] || continue
		mkdir -p "$dir/$d"
		rsync -a --exclude='*~' --exclude='.*.swp' --exclude='/pwm/target/' \
			"$TOP/$d/" "$dir/$d/"
	done
	mkdir -p "$dir/$(dirname "$LAYOUT_KCONFIG_DEST")"
	cp "$TOP/Kconfig" "$dir/$LAYOUT_KCONFIG_DEST"
}

# layout_stage BASE DIR LOG: every file the laid-out tree changes or adds.
layout_stage() {
	layout_patches "$1" "$2" "$3"
	layout_overlay "$2"
}

# layout_files DIR: the files under DIR, one per line, sorted.
layout_files() {
	(cd "$1" && find . \( -type f -o -type l \) -printf '%P\n' | LC_ALL=C sort)
}

# The upstream release a base tree is: v7.3.4 from its Makefile.
base_release() {
	local mk=$1/Makefile v p s e
	v=$(sed -n 's/^VERSION = //p' "$mk")
	p=$(sed -n 's/^PATCHLEVEL = //p' "$mk")
	s=$(sed -n 's/^SUBLEVEL = //p' "$mk")
	e=$(sed -n 's/^EXTRAVERSION = *//p' "$mk")
	if [ "${s:-0}" = 0 ]; then
		echo "v$v.$p$e"
	else
		echo "v$v.$p.$s$e"
	fi
}
