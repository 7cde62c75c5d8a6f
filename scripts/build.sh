#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configures and builds a guest kernel from the laid-out tree.
#
# usage: [CORE=c] build.sh [test|acpi|bench]
#   test (the default): the guest of `make run` and `make test`, from
#   scripts/configs/pwm.config, in $OBJ, with its modules installed for the
#   initramfs; acpi: the second guest of `make test` (ACPI, no device tree,
#   no modules), from scripts/configs/pwm-acpi.config, in $OBJ_ACPI.
#   bench: the kernel of `make bench` (no debug options, no modules), from
#   scripts/configs/pwm-bench.config, in $CACHE/obj-bench.
#   CORE=c: the test or bench kernel with the stock C core, in its own trees.
#
# The configuration is the fragment completed by olddefconfig; a line of the
# fragment that does not survive (a missing dependency, a misspelt symbol)
# stops the build with its name.

source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/layout.sh"

case ${1:-test} in
test) FRAGMENT=$TOP/scripts/configs/pwm.config ;;
acpi)
	FRAGMENT=$TOP/scripts/configs/pwm-acpi.config
	OBJ=$OBJ_ACPI
	;;
bench)
	FRAGMENT=$TOP/scripts/configs/pwm-bench.config
	OBJ=$CACHE/obj-bench$CORE_SUFFIX
	;;
*) die "unknown kernel '$1' (test, acpi or bench)" ;;
esac
flavour=${1:-test}
label=$flavour
logtag=$flavour

mkdir -p "$OBJ"

# CORE=c (scripts/lib.sh): the test kernel's fragment with the lines of
# pwm-c-core.config in place of those that set the same symbols.
if [ "${CORE:-rust}" = c ]; then
	[ "$flavour" != acpi ] || die "CORE=c builds the test and bench kernels"
	override=$TOP/scripts/configs/pwm-c-core.config
	syms=$(grep -oE 'CONFIG_[A-Za-z0-9_]+' "$override" | sort -u)
	grep -vwF "$syms" "$FRAGMENT" >"$OBJ/fragment.config"
	cat "$override" >>"$OBJ/fragment.config"
	FRAGMENT=$OBJ/fragment.config
	label="$flavour (C core)"
	logtag=$flavour-c
fi
logged "make rustavailable" "$LOGS/rustavailable.log" kmake rustavailable

# Regenerate only when the fragment changed, so .config keeps its timestamp
# (the contents only: a clone elsewhere has the same configuration).
sum=$(cat "$FRAGMENT" "$SRC/$LAYOUT_KCONFIG_DEST" |
	sha256sum | cut -d' ' -f1)
if [ ! -f "$OBJ/.config" ] || [ "$(cat "$OBJ/.pwm-rs-config" 2>/dev/null)" != "$sum" ]; then
	note "configuring the $label kernel"
	grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$FRAGMENT" >"$OBJ/.config"
	logged "make olddefconfig" "$LOGS/config-$logtag.log" kmake olddefconfig
	echo "$sum" >"$OBJ/.pwm-rs-config"
fi

bad=0
while read -r line; do
	case $line in
	CONFIG_*=*)
		sym=${line%%=*}
		grep -qxF "$line" "$OBJ/.config"
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -qE "^$sym=" "$OBJ/.config"
		;;
	*) continue ;;
	esac || {
		echo "error: '$line' did not hold in the kernel configuration" \
			"(got: $(grep "^$sym=" "$OBJ/.config" || echo 'not set'))" >&2
		bad=1
	}
done <"$FRAGMENT"
if [ $bad != 0 ]; then
	rm -f "$OBJ/.pwm-rs-config"
	die "kernel configuration does not match $FRAGMENT"
fi

note "building the $label kernel (-j$JOBS, LLVM=$LLVM_SUFFIX)"
start=$(date +%s)
if [ "$flavour" != test ]; then
	logged "kernel build" "$LOGS/build-$logtag.log" kmake -j"$JOBS" bzImage
	note "kernel built in $(($(date +%s) - start)) s: $OBJ/arch/x86/boot/bzImage"
	exit 0
fi
logged "kernel build" "$LOGS/build-$logtag.log" kmake -j"$JOBS" bzImage modules
note "kernel built in $(($(date +%s) - start)) s: $OBJ/arch/x86/boot/bzImage"

# The modules, stripped, as the guest's /lib/modules (with modules.dep for
# its modprobe, which the kernel runs for request_module()).
rm -rf "$MODULES.tmp"
logged "make modules_install" "$LOGS/modules-$logtag.log" \
	kmake INSTALL_MOD_PATH="$MODULES.tmp" INSTALL_MOD_STRIP=1 modules_install
rm -rf "$MODULES"
mv "$MODULES.tmp" "$MODULES"
