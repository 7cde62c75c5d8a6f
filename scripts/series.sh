#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make series`: the project as a patch series for a Linux 7.3 tree.
#
# Writes `git format-patch` output to $BUILD_DIR/series (printed at the end):
# a cover letter and one patch per step of scripts/series/steps, each adding
# the project's files at their kernel paths and carrying its patches to
# upstream files (nothing of the harness). The patches are made in a sparse
# throw-away repository ($BUILD_DIR/series-git) whose first commit holds only
# the pristine upstream files the series changes: their blobs are those of a
# real tree, so `git am -3` works on one. Dates are fixed (the checkout's
# last commit), so the same checkout gives the same series.
#
# Fails when a file of the laid-out tree belongs to no step or to two, when
# the steps do not add up to the laid-out tree (scripts/tree.sh's logic), or
# when checkpatch --strict reports a kind of finding that
# scripts/series/checkpatch-notes does not justify.

source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/layout.sh"

base=${KDIR:-$PRISTINE}
[ -f "$base/Makefile" ] || die "no base kernel at $base (run: make setup)"
OUT=$CACHE/series
GITREPO=$CACHE/series-git
work=$CACHE/series-work
SERIES=$TOP/scripts/series
MANIFEST=$SERIES/steps
start=$(date +%s)

# The identity of the patches: the checkout's git identity, else the one of
# patches/. Dates: the checkout's last commit, else a fixed one.
name=$(git -C "$TOP" config user.name || true)
email=$(git -C "$TOP" config user.email || true)
[ -n "$name" ] && [ -n "$email" ] || {
	name=pwm-rs
	email=pwm-rs@localhost
}
date=$(git -C "$TOP" log -1 --format=%cI 2>/dev/null || echo 2026-01-01T00:00:00Z)
export GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_AUTHOR_DATE=$date
export GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email GIT_COMMITTER_DATE=$date
git_() { nice -n 19 git -C "$GITREPO" "$@"; }

# --- The manifest ------------------------------------------------------------

n=0
declare -a S_SLUG S_SUBJ S_MSG S_PATCHES S_FILES S_KCONFIG
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	key=${line%% *}
	val=${line#"$key"}
	val=${val# }
	where="scripts/series/steps:$lineno"
	case $key in
	step)
		n=$((n + 1))
		S_SLUG[n]=$val
		;;
	subject | message)
		[ $n -gt 0 ] || die "$where: '$key' before the first step"
		if [ $key = subject ]; then
			[ -z "${S_SUBJ[n]:-}" ] || die "$where: a second subject"
			S_SUBJ[n]=$val
		else
			[ -z "${S_MSG[n]:-}" ] || die "$where: a second message"
			S_MSG[n]=$val
		fi
		;;
	patches | files | kconfig)
		[ $n -gt 0 ] || die "$where: '$key' before the first step"
		case $key in
		patches) S_PATCHES[n]="${S_PATCHES[n]:-} $val" ;;
		files) S_FILES[n]="${S_FILES[n]:-} $val" ;;
		kconfig) S_KCONFIG[n]="${S_KCONFIG[n]:-} $val" ;;
		esac
		;;
	*) die "$where: unknown key '$key'" ;;
	esac
done <"$MANIFEST"
[ $n -gt 0 ] || die "no step in $MANIFEST"

for i in $(seq 1 $n); do
	[ -n "${S_SUBJ[i]:-}" ] || die "step ${S_SLUG[i]} has no subject"
	[ -n "${S_MSG[i]:-}" ] || die "step ${S_SLUG[i]} has no message"
	case ${S_MSG[i]} in
	patch:*) ;;
	*) [ -f "$SERIES/${S_MSG[i]}" ] || die "step ${S_SLUG[i]}: no scripts/series/${S_MSG[i]}" ;;
	esac
	[ ${#S_SUBJ[i]} -le 75 ] || die "step ${S_SLUG[i]}: subject longer than 75 characters"
	S_PATCHES[i]=${S_PATCHES[i]:-}
	S_FILES[i]=${S_FILES[i]:-}
	S_KCONFIG[i]=${S_KCONFIG[i]:-}
done

# --- What each step adds ------------------------------------------------------

note "laying out the tree's files in $work"
rm -rf "$work"
mkdir -p "$work/stage" "$work/overlay" "$work/kconfig" "$work/msg"
layout_stage "$base" "$work/stage" "$work/patch.log"
layout_overlay "$work/overlay"
rm "$work/overlay/$LAYOUT_KCONFIG_DEST"
layout_files "$work/overlay" >"$work/overlay.list"
problems=()

# Patches: each in one step.
declare -A PATCH_OF PATCH_STEP
for p in "$TOP"/patches/*.patch; do
	[ -e "$p" ] || continue
	num=$(basename "$p")
	num=${num%%-*}
	PATCH_OF[$num]=$p
done
for i in $(seq 1 $n); do
	for num in ${S_PATCHES[i]}; do
		[ -n "${PATCH_OF[$num]:-}" ] || problems+=("step ${S_SLUG[i]}: no patches/$num-*.patch")
		[ -z "${PATCH_STEP[$num]:-}" ] ||
			problems+=("patches/$num-*.patch: in steps ${S_SLUG[${PATCH_STEP[$num]}]} and ${S_SLUG[i]}")
		PATCH_STEP[$num]=$i
	done
done
for num in "${!PATCH_OF[@]}"; do
	[ -n "${PATCH_STEP[$num]:-}" ] || problems+=("$(basename "${PATCH_OF[$num]}"): in no step")
done
# The upstream files the patches change; the overlay must not also have them.
for p in "${PATCH_OF[@]}"; do patch_files "$p"; done | LC_ALL=C sort -u >"$work/patched.list"
while read -r f; do
	problems+=("$f: both changed by a patch and in the overlay")
done < <(LC_ALL=C comm -12 "$work/patched.list" "$work/overlay.list")

# Overlay files: each matched by the globs of one step; every glob used.
declare -A FILE_STEP GLOB_USED
: >"$work/assigned"
while read -r f; do
	steps=
	for i in $(seq 1 $n); do
		read -ra globs <<<"${S_FILES[i]}"
		for g in "${globs[@]}"; do
			# shellcheck disable=SC2053 # $g is a glob
			if [[ $f == $g ]]; then
				GLOB_USED["$i $g"]=1
				steps="$steps $i"
				break
			fi
		done
	done
	set -- $steps
	case $# in
	0) problems+=("$f: in no step (add it to a 'files' line of scripts/series/steps)") ;;
	1) FILE_STEP[$f]=$1 ;;
	*) problems+=("$f: in steps$(for i in "$@"; do printf ' %s' "${S_SLUG[i]}"; done)") ;;
	esac
done <"$work/overlay.list"
for i in $(seq 1 $n); do
	read -ra globs <<<"${S_FILES[i]}"
	for g in "${globs[@]}"; do
		[ -n "${GLOB_USED["$i $g"]:-}" ] || problems+=("step ${S_SLUG[i]}: '$g' matches no file")
	done
done

# The Kconfig: a header, then `config` blocks, each up to the next one.
if grep -qE '^(menu|endmenu|if|endif|choice|endchoice|source|comment)\b' "$TOP/Kconfig"; then
	problems+=("Kconfig: series.sh splits only config blocks; it has menus, ifs, choices, sources or comments")
fi
awk -v dir="$work/kconfig" '
	/^(menu)?config [A-Za-z0-9_]+/ { out = dir "/" $2; print $2 >(dir "/order") }
	{ print >(out ? out : dir "/.header") }
' "$TOP/Kconfig"
declare -A SYM_STEP
for i in $(seq 1 $n); do
	for s in ${S_KCONFIG[i]}; do
		[ -f "$work/kconfig/$s" ] || problems+=("step ${S_SLUG[i]}: no 'config $s' in Kconfig")
		[ -z "${SYM_STEP[$s]:-}" ] ||
			problems+=("config $s: in steps ${S_SLUG[${SYM_STEP[$s]}]} and ${S_SLUG[i]}")
		SYM_STEP[$s]=$i
	done
done
while read -r s; do
	[ -n "${SYM_STEP[$s]:-}" ] || problems+=("config $s (Kconfig): in no step (add it to a 'kconfig' line)")
done <"$work/kconfig/order"

if [ ${#problems[@]} -gt 0 ]; then
	printf '  %s\n' "${problems[@]}" >&2
	die "scripts/series/steps does not account for the laid-out tree exactly (${#problems[@]} problem(s) above)"
fi

# drivers/pwm/project.Kconfig as of step $1: the header and the blocks of
# the steps so far, in the file's order; the whole file once all are in.
kconfig_at() {
	local upto=$1 s all=1
	{
		cat "$work/kconfig/.header"
		while read -r s; do
			if [ "${SYM_STEP[$s]}" -le "$upto" ]; then cat "$work/kconfig/$s"; else all=0; fi
		done <"$work/kconfig/order"
	} >"$work/kconfig.tmp"
	if [ $all = 1 ]; then
		cp "$TOP/Kconfig" "$work/kconfig.tmp"
	else
		# No blank lines at the end of an intermediate version.
		sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$work/kconfig.tmp"
	fi
}

# The message of step $1, with its subject and sign-off.
message() {
	local i=$1 m=${S_MSG[$1]}
	echo "${S_SUBJ[i]}"
	echo
	case $m in
	patch:*)
		# The patch's message: between its headers and '---'.
		awk 'body && /^---$/ { exit } body { print } /^$/ { body = 1 }' "${PATCH_OF[${m#patch:}]}" |
			sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
		;;
	*) cat "$SERIES/$m" ;;
	esac
	echo
	echo "Signed-off-by: $name <$email>"
}

# --- The commits --------------------------------------------------------------

release=$(base_release "$base")
note "making the series in $GITREPO ($n steps on $release)"
rm -rf "$GITREPO"
mkdir -p "$GITREPO"
nice -n 19 git init -q "$GITREPO"
git_ config core.autocrlf false
git_ config core.fileMode true
# The pristine versions of the upstream files the series changes.
layout_files "$work/stage" | while read -r f; do
	if [ -e "$base/$f" ] || [ -L "$base/$f" ]; then
		mkdir -p "$GITREPO/$(dirname "$f")"
		cp -a "$base/$f" "$GITREPO/$f"
	fi
done
git_ add -A -f .
git_ commit -q --allow-empty -m "base: the upstream files of $release that the series changes"
git_ tag base

for i in $(seq 1 $n); do
	for num in ${S_PATCHES[i]}; do
		p=${PATCH_OF[$num]}
		patch -p1 -d "$GITREPO" --batch --forward --quiet --no-backup-if-mismatch \
			-r - <"$p" >"$work/patch.log" 2>&1 ||
			die "step ${S_SLUG[i]}: $(basename "$p") does not apply after the steps before it (see $work/patch.log)"
	done
	while read -r f; do
		[ "${FILE_STEP[$f]}" = "$i" ] || continue
		mkdir -p "$GITREPO/$(dirname "$f")"
		rm -f "$GITREPO/$f"
		cp -a "$work/overlay/$f" "$GITREPO/$f"
	done <"$work/overlay.list"
	if [ -n "${S_KCONFIG[i]}" ]; then
		kconfig_at "$i"
		mkdir -p "$GITREPO/$(dirname "$LAYOUT_KCONFIG_DEST")"
		cp "$work/kconfig.tmp" "$GITREPO/$LAYOUT_KCONFIG_DEST"
	fi
	git_ add -A -f .
	! git_ diff --cached --quiet || die "step ${S_SLUG[i]} changes nothing"
	message "$i" >"$work/msg/$i"
	git_ commit -q --cleanup=verbatim -F "$work/msg/$i"
done

# The steps must add up to the laid-out tree: the same files, contents and
# executable bits.
(cd "$GITREPO" && find . -path ./.git -prune -o \( -type f -o -type l \) -printf '%P\n' |
	LC_ALL=C sort) >"$work/series.list"
layout_files "$work/stage" >"$work/stage.list"
if ! cmp -s "$work/series.list" "$work/stage.list"; then
	diff "$work/stage.list" "$work/series.list" | sed -n 's/^[<>]/  &/p' >&2
	die "the series' files are not the laid-out tree's (<: laid out only, >: series only)"
fi
bad=0
while read -r f; do
	if ! cmp -s "$work/stage/$f" "$GITREPO/$f"; then
		echo "  differs: $f" >&2
		bad=1
	fi
	xs=0 xg=0
	[ ! -x "$work/stage/$f" ] || xs=1
	[ ! -x "$GITREPO/$f" ] || xg=1
	if [ $xs != $xg ]; then
		echo "  executable bit differs: $f" >&2
		bad=1
	fi
done <"$work/stage.list"
[ $bad = 0 ] || die "the series' last step is not the laid-out tree"

# --- The patches, checkpatch and the cover letter ------------------------------

rm -rf "$OUT"
mkdir -p "$OUT"
git_ format-patch -q --numbered --cover-letter --no-signature -o "$OUT" base..HEAD
mapfile -t patches < <(find "$OUT" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' | LC_ALL=C sort)
cover=$(find "$OUT" -name '0000-cover-letter.patch')
[ ${#patches[@]} = "$n" ] && [ -n "$cover" ] || die "git format-patch did not write $n patches and a cover letter"

note "checkpatch --strict on ${#patches[@]} patches"
checkpatch=$base/scripts/checkpatch.pl
[ -x "$checkpatch" ] || die "no $checkpatch"
: >"$OUT/checkpatch.log"
: >"$work/findings"
for p in "${patches[@]}"; do
	{
		echo "=== $(basename "$p")"
		nice -n 19 "$checkpatch" --strict --no-tree --show-types "$p" || true
		echo
	} >>"$OUT/checkpatch.log" 2>&1
done
# One line per finding: patch number, level, type.
awk '
	/^=== / { p = substr($2, 1, 4) }
	/^(ERROR|WARNING|CHECK):[A-Z_0-9]+:/ { split($0, a, ":"); print p, a[1], a[2] }
' "$OUT/checkpatch.log" >"$work/findings"

python3 "$SERIES/cover.py" --top "$TOP" --base "$base" --release "$release" \
	--findings "$work/findings" --notes "$SERIES/checkpatch-notes" \
	--template "$SERIES/cover-letter" --bench "$BENCH_DIR/bench.json" \
	--subjects "$work/msg" --steps "$n" >"$work/blurb" ||
	die "the cover letter could not be made (checkpatch findings without a note?)"

# The blurb's first line is the cover letter's subject, the rest its body;
# the base-commit line ends it, as `git format-patch --base` would.
subject=$(head -n 1 "$work/blurb")
tail -n +3 "$work/blurb" >"$work/blurb.body"
awk -v subject="$subject" -v body="$work/blurb.body" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ { while ((getline l < body) > 0) print l; next }
	{ print }
' "$cover" >"$work/cover"
sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$work/cover"
printf '\nbase-commit: %s\n' "$release" >>"$work/cover"
mv "$work/cover" "$cover"

note "checkpatch: $(awk '{ c[$2]++ } END { printf "%d errors, %d warnings, %d checks", c["ERROR"], c["WARNING"], c["CHECK"] }' "$work/findings") (each kind justified in the cover letter; log: $OUT/checkpatch.log)"
awk '{ k = $2 ":" $3; c[k]++; if (!(k SUBSEP $1 in seen)) { seen[k SUBSEP $1]; p[k] = p[k] " " $1 } }
	END { for (k in c) printf "    %-40s %3d  in%s\n", k, c[k], p[k] }' "$work/findings" | LC_ALL=C sort
for p in "$cover" "${patches[@]}"; do
	echo "  $(basename "$p")"
done
note "series of $n patches on $release in $(($(date +%s) - start)) s: $OUT"
