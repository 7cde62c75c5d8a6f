#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make series-check`: the series applies to the base and is the tree the
# harness builds, and it builds at sampled steps.
#
# Makes the series (scripts/series.sh), imports the pristine base into a
# throw-away git repository ($BUILD_DIR/series-check/linux: the import is
# kept for the next run while the base is the same; SERIES_CHECK_FRESH=1
# imports anew), applies the series with `git am`, and compares the result
# with the laid-out tree (the base with the project's files, made as
# scripts/tree.sh makes it, into $BUILD_DIR/series-check/laid: hard links
# to the base for the files the project leaves alone). Then it builds the
# kernel at the first, a middle and the last patch, incrementally in
# $BUILD_DIR/obj-series, with the test kernel's configuration ($OBJ/.config,
# or scripts/configs/pwm.config before `make build` ran);
# SERIES_CHECK_BUILD=0 skips the builds.
# Prints the time of each phase.

source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/layout.sh"

base=${KDIR:-$PRISTINE}
[ -f "$base/Makefile" ] || die "no base kernel at $base (run: make setup)"
build=${SERIES_CHECK_BUILD:-1}
case $build in 0 | 1) ;; *) die "SERIES_CHECK_BUILD must be 0 or 1" ;; esac
# The test kernel's configuration: its build tree's, or else made from its
# fragment as scripts/build.sh makes it (olddefconfig completes it per step).
config=$OBJ/.config
if [ "$build" = 1 ] && [ ! -f "$config" ]; then
	config=$CACHE/series-check/fragment.config
	mkdir -p "$(dirname "$config")"
	grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$TOP/scripts/configs/pwm.config" >"$config"
fi
DIR=$CACHE/series-check
WT=$DIR/linux
LAID=$DIR/laid
OBJ_SERIES=$CACHE/obj-series
mkdir -p "$DIR"
log=$DIR/series.log
export GIT_AUTHOR_NAME=pwm-rs GIT_AUTHOR_EMAIL=pwm-rs@localhost
export GIT_COMMITTER_NAME=pwm-rs GIT_COMMITTER_EMAIL=pwm-rs@localhost
export GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
wgit() { nice -n 19 git -C "$WT" "$@"; }

times=()
t0=$(date +%s)
t=$t0
phase() {
	local now
	now=$(date +%s)
	times+=("$(printf '%-44s %5d s' "$1" $((now - t)))")
	note "$1: $((now - t)) s"
	t=$now
}

# 1. The series.
logged "make series" "$log" bash "$TOP/scripts/series.sh"
grep '^>>> series of' "$log"
mapfile -t patches < <(find "$CACHE/series" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' | LC_ALL=C sort)
[ ${#patches[@]} -gt 0 ] || die "no patches in $CACHE/series"
phase "make series (${#patches[@]} patches)"

# 2. The base, imported once per base tree.
base_id="$base $(stat -c %Y "$base/Makefile")"
if [ "${SERIES_CHECK_FRESH:-0}" = 1 ] || [ ! -d "$WT/.git" ] ||
	[ "$(cat "$DIR/base-id" 2>/dev/null)" != "$base_id" ] ||
	! wgit rev-parse -q --verify refs/tags/base >/dev/null; then
	note "importing the base ($base) into $WT"
	rm -rf "$WT" "$DIR/base-id"
	mkdir -p "$WT"
	# The harness's marker files stay out of the import.
	rsync -a --exclude='/.pwm-rs-*' "$base/" "$WT/"
	wgit init -q
	wgit config core.autocrlf false
	wgit config gc.auto 0
	wgit config am.threeWay false
	# -f: the kernel's .gitignore files ignore some of its own sources.
	logged "git add of the base" "$DIR/import.log" wgit -c core.looseCompression=1 add -A -f .
	logged "git commit of the base" "$DIR/import.log" wgit commit -q -m "base: $(base_release "$base")"
	wgit tag base
	echo "$base_id" >"$DIR/base-id"
	phase "import of the base (git add, commit)"
else
	note "reusing the imported base in $WT (SERIES_CHECK_FRESH=1 imports anew)"
	wgit am --abort >/dev/null 2>&1 || true
	wgit checkout -q -f --detach base
	wgit clean -q -f -d -x
	phase "reset to the imported base"
fi

# 3. git am.
wgit checkout -q -B series base
logged "git am of the series" "$DIR/am.log" wgit am "${patches[@]}"
n=$(wgit rev-list --count base..series)
[ "$n" = ${#patches[@]} ] || die "git am made $n commits of ${#patches[@]} patches"
[ -z "$(wgit status --porcelain)" ] || die "the work tree is not clean after git am"
phase "git am (${#patches[@]} patches)"

# 4. The laid-out tree, and the comparison.
note "laying out the tree in $LAID"
rm -rf "$LAID" "$DIR/stage"
mkdir -p "$DIR/stage"
layout_stage "$base" "$DIR/stage" "$DIR/patch.log"
cp -al "$base" "$LAID"
rm -f "$LAID"/.pwm-rs-*
# Replace, never write through, a hard link to the base.
layout_files "$DIR/stage" | while read -r f; do
	rm -f "$LAID/$f"
	mkdir -p "$LAID/$(dirname "$f")"
	cp -a "$DIR/stage/$f" "$LAID/$f"
done
if ! nice -n 19 diff -r --no-dereference --exclude=.git "$WT" "$LAID" >"$DIR/diff.log" 2>&1; then
	head -n 40 "$DIR/diff.log" >&2
	die "the series applied to the base is not the laid-out tree (diff: $DIR/diff.log)"
fi
# Executable bits, which diff does not compare, of the project's files.
layout_files "$DIR/stage" | while read -r f; do
	[ -L "$LAID/$f" ] && continue
	a=0 b=0
	[ ! -x "$WT/$f" ] || a=1
	[ ! -x "$LAID/$f" ] || b=1
	[ $a = $b ] || die "$f: executable bit differs between the series and the laid-out tree"
done
phase "comparison with the laid-out tree (diff -r)"

# 5. Builds at the first, a middle and the last patch.
if [ "$build" = 1 ]; then
	mapfile -t commits < <(wgit rev-list --reverse base..series)
	last=$((${#commits[@]} - 1))
	mid=$((last / 2))
	mkdir -p "$OBJ_SERIES"
	for k in 0 "$mid" "$last"; do
		c=${commits[k]}
		subj=$(wgit log -1 --format=%s "$c")
		num=$(printf '%04d' $((k + 1)))
		note "building at patch $num: $subj"
		wgit checkout -q --detach "$c"
		# The test kernel's configuration, completed for this step (options
		# of later steps are dropped by olddefconfig).
		cp "$config" "$OBJ_SERIES/.config"
		logged "make olddefconfig at patch $num" "$LOGS/series-config-$num.log" \
			make -C "$WT" O="$OBJ_SERIES" LLVM="$LLVM_SUFFIX" ARCH=x86_64 olddefconfig
		# A toolchain without Rust would drop CONFIG_RUST and build no Rust.
		grep -qx 'CONFIG_RUST=y' "$OBJ_SERIES/.config" ||
			die "CONFIG_RUST did not hold at patch $num (check: make LLVM=$LLVM_SUFFIX rustavailable)"
		if grep -q '^config PWM_RUST_CORE' "$WT/$LAYOUT_KCONFIG_DEST" 2>/dev/null; then
			grep -qx 'CONFIG_PWM_RUST_CORE=y' "$OBJ_SERIES/.config" ||
				die "CONFIG_PWM_RUST_CORE did not hold at patch $num"
		fi
		logged "kernel build at patch $num" "$LOGS/series-build-$num.log" \
			nice -n 10 make -C "$WT" O="$OBJ_SERIES" LLVM="$LLVM_SUFFIX" ARCH=x86_64 -j"$JOBS"
		phase "build at patch $num"
	done
	wgit checkout -q series
else
	note "builds skipped (SERIES_CHECK_BUILD=0)"
fi

echo
echo "series-check: ${#patches[@]} patches applied with git am, identical to the laid-out tree"
printf '  %s\n' "${times[@]}"
printf '  %-44s %5d s\n' total $(($(date +%s) - t0))
