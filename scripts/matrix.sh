#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make matrix`: builds the Rust PWM core in the configurations core.c builds
# in, and prints a table (configuration, result, seconds).
#
# Each configuration is allnoconfig plus the fragment below: a small kernel
# with Rust, the PWM core, pwm-sim, the kernel::pwm samples and the C PWM
# drivers the configuration allows, so that one build proves the core
# compiles and links (vmlinux, and modpost for the modules) there. The
# trees live in $CACHE/matrix/<name>, so a re-run is incremental. Options:
# MATRIX="name ..." builds only those; the table is also written to
# $CACHE/matrix/table.md and table.json.

source "$(dirname "$0")/lib.sh"

bash "$TOP/scripts/setup.sh"
bash "$TOP/scripts/tree.sh"

MATRIX_DIR=$CACHE/matrix
mkdir -p "$MATRIX_DIR"

# What every configuration has: Rust, the PWM core and what uses it.
common="CONFIG_64BIT=y
CONFIG_RUST=y
CONFIG_PWM=y
CONFIG_PWM_RUST_CORE=y
CONFIG_CONFIGFS_FS=y
CONFIG_PWM_SIM=y
CONFIG_SAMPLES=y
CONFIG_SAMPLES_RUST=y
CONFIG_SAMPLE_RUST_DRIVER_PWM=y
CONFIG_SAMPLE_RUST_PWM_CONSUMER=y
CONFIG_COMPILE_TEST=y"

# The options the configurations turn on, unless one turns it off.
full="CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_OF=y
CONFIG_OF_OVERLAY=y
CONFIG_ACPI=y
CONFIG_DEBUG_FS=y
CONFIG_PM=y
CONFIG_PM_SLEEP=y
CONFIG_SUSPEND=y
CONFIG_GPIOLIB=y
CONFIG_FTRACE=y
CONFIG_ENABLE_DEFAULT_TRACERS=y
CONFIG_DEBUG_KERNEL=y
CONFIG_PWM_DEBUG=y
CONFIG_PWM_PROVIDE_GPIO=y
CONFIG_PRINTK=y"

# name|arch|options off (as in `full`, by symbol)|options on beyond `full`
configs="full|x86_64||
of-static|x86_64|OF_OVERLAY|
no-of|x86_64|OF OF_OVERLAY|
no-of-no-acpi|x86_64|OF OF_OVERLAY ACPI|
no-modules|x86_64|MODULES MODULE_UNLOAD|
no-debugfs|x86_64|DEBUG_FS|
no-pm|x86_64|PM PM_SLEEP SUSPEND|
no-gpiolib|x86_64|GPIOLIB PWM_PROVIDE_GPIO|
no-tracing|x86_64|FTRACE ENABLE_DEFAULT_TRACERS|
no-pwm-debug|x86_64|PWM_DEBUG|
no-provide-gpio|x86_64|PWM_PROVIDE_GPIO|
minimal|x86_64|MODULES MODULE_UNLOAD OF OF_OVERLAY ACPI DEBUG_FS PM PM_SLEEP SUSPEND GPIOLIB FTRACE ENABLE_DEFAULT_TRACERS PWM_DEBUG PWM_PROVIDE_GPIO PRINTK|EXPERT
arm64|arm64|ACPI|"

# fragment "OFF..." "ON...": `common` and `full` without the symbols OFF,
# which are set to n, and with the symbols ON (PRINTK can be turned off only
# with EXPERT).
fragment() {
	local line sym off=" $1 "
	printf '%s\n' "$common"
	for sym in $2; do echo "CONFIG_$sym=y"; done
	printf '%s\n' "$full" | while read -r line; do
		sym=${line#CONFIG_}
		sym=${sym%%=*}
		case $off in
		*" $sym "*) echo "# CONFIG_$sym is not set" ;;
		*) echo "$line" ;;
		esac
	done
}

# The kernel's make for one configuration.
mmake() {
	local arch=$1 obj=$2
	shift 2
	make -C "$SRC" O="$obj" LLVM="$LLVM_SUFFIX" ARCH="$arch" "$@"
}

# build NAME ARCH OFF ON: configures and builds one tree; prints
# "RESULT SECONDS" where RESULT is "built", "no-rust: why" or "failed".
build() {
	local name=$1 arch=$2 off=$3 on=$4 obj=$MATRIX_DIR/$1 line bad=
	mkdir -p "$obj"
	fragment "$off" "$on" >"$obj/fragment"
	# Configured anew each time (a second or two): the tree's Kconfig may
	# have changed, and only objects whose options changed are rebuilt.
	mmake "$arch" "$obj" KCONFIG_ALLCONFIG="$obj/fragment" allnoconfig \
		>"$obj/config.log" 2>&1 </dev/null || { echo "failed(config) 0"; return; }
	# A wanted option that did not hold: Rust is impossible there, or a
	# dependency is missing; either way the table says which.
	while read -r line; do
		case $line in
		CONFIG_*=y) grep -qxF "$line" "$obj/.config" || bad="$bad ${line%=y}" ;;
		"# CONFIG_"*)
			line=${line#\# }
			line=${line%% *}
			! grep -qE "^$line=[ym]" "$obj/.config" || bad="$bad $line"
			;;
		esac
	done <"$obj/fragment"
	if ! grep -qx CONFIG_RUST=y "$obj/.config"; then
		echo "no-rust:$(echo "$bad" | tr ' ' ',') 0"
		return
	fi
	local start targets=vmlinux
	grep -qx CONFIG_MODULES=y "$obj/.config" && targets="vmlinux modules"
	start=$(date +%s)
	if mmake "$arch" "$obj" -j"$JOBS" $targets >"$obj/build.log" 2>&1 </dev/null; then
		if [ -n "$bad" ]; then
			echo "built(unmet:$(echo $bad | tr ' ' ',')) $(($(date +%s) - start))"
		else
			echo "built $(($(date +%s) - start))"
		fi
	else
		echo "failed $(($(date +%s) - start))"
	fi
}

want=${MATRIX:-}
rows=()
total_start=$(date +%s)
while IFS='|' read -r name arch off on; do
	[ -n "$name" ] || continue
	if [ -n "$want" ] && [[ " $want " != *" $name "* ]]; then
		continue
	fi
	note "matrix: $name ($arch${off:+, off: $off})"
	read -r result secs < <(build "$name" "$arch" "$off" "$on")
	note "matrix: $name: $result in $secs s (log: $MATRIX_DIR/$name/build.log)"
	rows+=("$name|$arch|${off:-none}|$result|$secs")
done <<<"$configs"

{
	echo "| configuration | arch | turned off | result | seconds |"
	echo "| --- | --- | --- | --- | --- |"
	for r in "${rows[@]}"; do
		IFS='|' read -r name arch off result secs <<<"$r"
		echo "| $name | $arch | $off | $result | $secs |"
	done
} | tee "$MATRIX_DIR/table.md"
python3 - "$MATRIX_DIR/table.json" "${rows[@]}" <<'EOF'
import json, sys
out, rows = sys.argv[1], sys.argv[2:]
keys = ("configuration", "arch", "turned_off", "result", "seconds")
table = [dict(zip(keys, r.split("|"))) for r in rows]
for row in table:
    row["seconds"] = int(row["seconds"])
with open(out, "w") as f:
    json.dump(table, f, indent=1)
EOF
echo "matrix: $(($(date +%s) - total_start)) s in all"
# A configuration without Rust is a fact to report, not a failure.
for r in "${rows[@]}"; do
	case $r in
	*"|failed"*) die "a configuration failed to build (see $MATRIX_DIR/<name>/build.log)" ;;
	esac
done
