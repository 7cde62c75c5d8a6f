#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configures and builds the guest kernel from the laid-out tree.
#
# The configuration is scripts/configs/pwm.config completed by olddefconfig;
# a line of the fragment that does not survive (a missing dependency, a
# misspelt symbol) stops the build with its name.

source "$(dirname "$0")/lib.sh"

FRAGMENT=$TOP/scripts/configs/pwm.config

mkdir -p "$OBJ"
logged "make rustavailable" "$LOGS/rustavailable.log" kmake rustavailable

# Regenerate only when the fragment changed, so .config keeps its timestamp
# (the contents only: a clone elsewhere has the same configuration).
sum=$(cat "$FRAGMENT" "$SRC/$(sed -n 's/^KCONFIG_DEST=//p' "$TOP/scripts/tree.sh")" |
	sha256sum | cut -d' ' -f1)
if [ ! -f "$OBJ/.config" ] || [ "$(cat "$OBJ/.pwm-rs-config" 2>/dev/null)" != "$sum" ]; then
	note "configuring the kernel"
	grep -v '^#' "$FRAGMENT" | grep . >"$OBJ/.config"
	logged "make olddefconfig" "$LOGS/config.log" kmake olddefconfig
	echo "$sum" >"$OBJ/.pwm-rs-config"
fi

bad=0
while read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$OBJ/.config" || {
		echo "error: $line did not hold in the kernel configuration" \
			"(got: $(grep "^${line%%=*}=" "$OBJ/.config" || echo 'not set'))" >&2
		bad=1
	} ;;
	esac
done <"$FRAGMENT"
if [ $bad != 0 ]; then
	rm -f "$OBJ/.pwm-rs-config"
	die "kernel configuration does not match $FRAGMENT"
fi

note "building the kernel (-j$JOBS, LLVM=$LLVM_SUFFIX)"
start=$(date +%s)
logged "kernel build" "$LOGS/build.log" kmake -j"$JOBS" bzImage modules
note "kernel built in $(($(date +%s) - start)) s: $OBJ/arch/x86/boot/bzImage"

# The modules, stripped, as the guest's /lib/modules (with modules.dep for
# its modprobe, which the kernel runs for request_module()).
rm -rf "$MODULES.tmp"
logged "make modules_install" "$LOGS/modules.log" \
	kmake INSTALL_MOD_PATH="$MODULES.tmp" INSTALL_MOD_STRIP=1 modules_install
rm -rf "$MODULES"
mv "$MODULES.tmp" "$MODULES"
