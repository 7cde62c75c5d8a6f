# SPDX-License-Identifier: GPL-2.0
# The guest booted the kernel under test, with the PWM subsystem in it, and
# with the firmware interface its boot is for (BOOT: test or acpi).

. /pwm/lib.sh

config() {
	zcat /proc/config.gz | grep -qx "$1"
}

check config-pwm config CONFIG_PWM=y
check pwm-class-exists test -d /sys/class/pwm
check configfs-mounted grep -q ' /sys/kernel/config configfs ' /proc/mounts

case $BOOT in
test)
	# Device tree with overlays, for the suites that apply them.
	check firmware.of config CONFIG_OF_OVERLAY=y
	;;
acpi)
	# The common x86 kernel: ACPI tables from the machine, no device tree
	# at all, and the PWM drivers of such machines registered on the core.
	check firmware.acpi test -d /sys/firmware/acpi/tables
	check firmware.no-of sh -c '! zcat /proc/config.gz | grep -q "^CONFIG_OF="'
	check driver.pwm-lpss-pci test -d /sys/bus/pci/drivers/pwm-lpss
	check driver.pwm-lpss-platform test -d /sys/bus/platform/drivers/pwm-lpss
	check driver.pwm-crc test -d /sys/bus/platform/drivers/crystal_cove_pwm
	;;
*)
	fail firmware "BOOT is '$BOOT', not test or acpi"
	;;
esac
