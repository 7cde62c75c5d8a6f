#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make lint`: the checks the kernel applies to code like ours.
#
# rustfmt (with the kernel's .rustfmt.toml) on the Rust files written here,
# cargo fmt and cargo clippy on the userspace workspace tools/pwm/,
# a CLIPPY=1 build of rust/, drivers/pwm/ and samples/rust/ in a build tree
# of its own (so the test build stays incremental), and checkpatch on the C
# files and patches written here. Fails on any finding in a file of this
# repository.

source "$(dirname "$0")/lib.sh"

bash "$TOP/scripts/prepare.sh" >/dev/null
cd "$TOP"
fail=0

# Files of the working tree, committed or not (deleted ones excluded).
files() {
	git ls-files --cached --others --exclude-standard -- "$@" |
		while read -r f; do [ -f "$f" ] && echo "$f"; done | sort -u
}

# The kernel's Rust; tools/pwm/ is a cargo workspace with its own checks.
mapfile -t rs < <(files '*.rs' | grep -v '^tools/pwm/')
if [ ${#rs[@]} -gt 0 ]; then
	note "rustfmt --check (${#rs[@]} files)"
	rustfmt --check --edition 2021 --config-path "$SRC/.rustfmt.toml" "${rs[@]}" || fail=1
fi

note "cargo fmt --check and cargo clippy -D warnings (tools/pwm)"
cargo fmt --all --check --manifest-path tools/pwm/Cargo.toml || fail=1
cargo clippy --quiet --locked --offline --all-targets -j"$JOBS" \
	--manifest-path tools/pwm/Cargo.toml --target-dir "$CACHE/tools-target" \
	-- -D warnings || fail=1

note "CLIPPY=1 build of rust/, drivers/pwm/ and samples/rust/"
clippy_obj=$CACHE/obj-clippy
mkdir -p "$clippy_obj"
cp "$OBJ/.config" "$clippy_obj/.config"
make -C "$SRC" O="$clippy_obj" LLVM="$LLVM_SUFFIX" ARCH=x86_64 olddefconfig >/dev/null
make -C "$SRC" O="$clippy_obj" LLVM="$LLVM_SUFFIX" ARCH=x86_64 CLIPPY=1 \
	-j"$JOBS" rust/ drivers/pwm/ samples/rust/ >"$LOGS/clippy.log" 2>&1 ||
	{ tail -n 30 "$LOGS/clippy.log"; die "CLIPPY=1 build failed (log: $LOGS/clippy.log)"; }
# Findings in files of this repository (laid out under the same paths).
ours=$(printf '%s\n' "${rs[@]}" | sed 's|[.]|[.]|g' | paste -sd'|')
if [ -n "$ours" ] && grep -A6 -E '^(warning|error)' "$LOGS/clippy.log" |
	grep -B3 -E -- "--> .*($ours):" >"$LOGS/clippy-ours.log"; then
	cat "$LOGS/clippy-ours.log"
	echo "clippy: findings in this repository's files (log: $LOGS/clippy.log)"
	fail=1
fi

mapfile -t cfiles < <(files '*.c' '*.h')
mapfile -t patches < <(files 'patches/*.patch')
if [ $((${#cfiles[@]} + ${#patches[@]})) -gt 0 ]; then
	note "checkpatch (${#cfiles[@]} C files, ${#patches[@]} patches)"
	for f in "${cfiles[@]}"; do
		ignore=
		# The core's C API is defined in Rust; this file only exports it.
		[ "$f" = drivers/pwm/pwm_core/exports.c ] && ignore=--ignore=EXPORT_SYMBOL
		"$SRC/scripts/checkpatch.pl" --no-tree --quiet --strict $ignore -f "$TOP/$f" || fail=1
	done
	for p in "${patches[@]}"; do
		"$SRC/scripts/checkpatch.pl" --no-tree --quiet --no-signoff "$TOP/$p" || fail=1
	done
fi

[ $fail = 0 ] || die "lint found problems"
note "lint clean"
