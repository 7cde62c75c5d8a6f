#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Writes patches/NNNN-NAME.patch from edited copies of upstream files.
#
# usage: mkpatch.sh NNNN-NAME "subject" EDIT_DIR FILE...
#   EDIT_DIR holds the edited FILEs at their kernel paths; each is diffed
#   against the pristine base. The commit message body is read from stdin.

source "$(dirname "$0")/lib.sh"

name=$1 subject=$2 edit=$3
shift 3
base=${KDIR:-$PRISTINE}
out=$TOP/patches/$name.patch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for f in "$@"; do
	mkdir -p "$work/a/$(dirname "$f")" "$work/b/$(dirname "$f")"
	cp "$base/$f" "$work/a/$f"
	cp "$edit/$f" "$work/b/$f"
done
{
	echo "From: pwm-rs <pwm-rs@localhost>"
	echo "Subject: [PATCH ${name%%-*}] $subject"
	echo
	cat
	echo
	echo "---"
	for f in "$@"; do
		(cd "$work" && git diff --no-index --no-prefix "a/$f" "b/$f") || true
	done
} >"$out"
"$SRC/scripts/checkpatch.pl" --no-tree --no-signoff -q "$out" || true
echo "wrote $out"
