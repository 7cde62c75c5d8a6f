# SPDX-License-Identifier: GPL-2.0
# Upstream's pwm-pca9685 (a waveform driver on I2C, with runtime PM),
# unchanged, on the kernel's SMBus simulator i2c-stub: its registers are
# read back with i2cget after each step. The PCA9685 counts 4096 ticks of a
# 25 MHz clock divided by prescale + 1 (0xFE); channel N's ON and OFF counts
# are in 0x06 + 4N to 0x09 + 4N, bit 4 of an _H register being "full on"
# or "full off"; MODE1 (0x00) has SLEEP (bit 4) and auto-increment (bit 5).

. /pwm/lib.sh

ADDR=0x40

# reg REG: the simulated chip's register REG, as i2cget prints it.
reg() {
	i2cget -f -y $BUS $ADDR $1 2>&1
}

# regs REG...: several registers, space separated.
regs() {
	local r out=
	for r in "$@"; do out="$out $(reg $r)"; done
	echo ${out# }
}

# until_reg REG VALUE: waits up to ten seconds for a register (runtime PM
# suspends the chip from a work item).
until_reg() {
	local i=0
	while [ "$(reg $1)" != "$2" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

check stub.loads modprobe i2c-stub chip_addr=$ADDR
BUS=
for b in /sys/bus/i2c/devices/i2c-*; do
	[ "$(cat $b/name 2>/dev/null)" = "SMBus stub driver" ] && BUS=${b##*/i2c-}
done
check stub.adapter test -n "$BUS"
D=/sys/bus/i2c/devices/$BUS-00${ADDR#0x}
check probe.new-device sh -c "echo pca9685 $ADDR > /sys/bus/i2c/devices/i2c-$BUS/new_device"
check probe.bound test -e $D/driver
C=/sys/class/pwm/$(ls $D/pwm 2>/dev/null)
check_eq probe.npwm 17 "$(cat $C/npwm 2>/dev/null)"
check_eq probe.cdev-node 1 "$(ls /dev/$(basename $C) 2>/dev/null | wc -l)"
# Probing: MODE2 push-pull (0x04), MODE1 auto-increment, then asleep until
# a channel is requested; every channel full off (ALL_LED_OFF_H).
check_eq probe.mode "0x30 0x04" "$(regs 0x00 0x01)"
check_eq probe.all-off "0x00 0x10 0x00 0x10" "$(regs 0xfa 0xfb 0xfc 0xfd)"

# Requesting a channel resumes the chip (runtime PM).
check export.0 sh -c "echo 0 > $C/export"
check_eq export.awake 0x20 "$(reg 0x00)"
# 5 ms: prescale 5000000 / (4096 * 40) - 1 = 29, so ticks of 1200 ns and a
# period of 4915200 ns; 1250000 ns of duty are 1041 (0x411) ticks.
P=$C/pwm0
echo 5000000 >$P/period
echo 1250000 >$P/duty_cycle
echo 1 >$P/enable
check_eq apply.prescale 0x1d "$(reg 0xfe)"
check_eq apply.on-off "0x00 0x00 0x11 0x04" "$(regs 0x06 0x07 0x08 0x09)"
check debugfs.actual grep -q '^  actual configuration: 1249200/4915200 \[+0\]$' /sys/kernel/debug/pwm
check_eq apply.awake-after-prescale 0x20 "$(reg 0x00)"
# Full duty sets "full on" in LED0_ON_H.
echo 5000000 >$P/duty_cycle
check_eq apply.full-on "0x00 0x10 0x00 0x00" "$(regs 0x06 0x07 0x08 0x09)"
check_eq apply.too-long-rejected "Invalid argument" "$(write_err $P/duty_cycle 5000001)"
check_eq apply.too-long-unchanged "0x00 0x10 0x00 0x00" "$(regs 0x06 0x07 0x08 0x09)"
echo 0 >$P/enable
check_eq apply.disabled-full-off "0x00 0x00 0x00 0x10" "$(regs 0x06 0x07 0x08 0x09)"

# A second channel, requested while the chip is active: the driver's request
# returns pm_runtime_get_sync()'s 1, which counts as success.
check export.1 sh -c "echo 1 > $C/export"
check export.1-requested grep -q '^ pwm-1   (sysfs               ): requested$' /sys/kernel/debug/pwm
# Two channels requested: the prescaler stays, a period of 10 ms runs at
# 4915200 ns; half of it is 2048 (0x800) ticks.
P1=$C/pwm1
echo 10000000 >$P1/period
echo 2457600 >$P1/duty_cycle
echo 1 >$P1/enable
check_eq apply.second-prescale-kept 0x1d "$(reg 0xfe)"
check_eq apply.second-on-off "0x00 0x00 0x00 0x08" "$(regs 0x0a 0x0b 0x0c 0x0d)"
# sysfs shows the period asked for; debugfs what the hardware runs.
check_eq apply.second-asked 10000000 "$(cat $P1/period)"
check apply.second-actual grep -q '^  actual configuration: 2457600/4915200 \[+0\]$' /sys/kernel/debug/pwm

# Freeing both channels lets runtime PM put the chip to sleep again.
echo 0 >$C/unexport
echo 1 >$C/unexport
until_reg 0x00 0x30
check_eq unexport.asleep 0x30 "$(reg 0x00)"

# Unbind and bind the driver; then delete the device while a channel is
# exported and /dev/pwmchipN is open: the chip goes, the open file fails
# with ENODEV and closes cleanly.
check rebind.unbind sh -c "echo $BUS-00${ADDR#0x} > /sys/bus/i2c/drivers/pca9685-pwm/unbind"
check rebind.chip-gone sh -c "! test -e $C"
check rebind.bind sh -c "echo $BUS-00${ADDR#0x} > /sys/bus/i2c/drivers/pca9685-pwm/bind"
C=/sys/class/pwm/$(ls $D/pwm 2>/dev/null)
check rebind.chip-back test -e $C/export
echo 3 >$C/export
echo 5000000 >$C/pwm3/period
echo 2457600 >$C/pwm3/duty_cycle
echo 1 >$C/pwm3/enable
check_eq rebind.applies "0x00 0x00 0x00 0x08" "$(regs 0x12 0x13 0x14 0x15)"
N=/dev/$(basename $C)
[ -c $N ] && exec 4<>$N
check delete.device sh -c "echo $ADDR > /sys/bus/i2c/devices/i2c-$BUS/delete_device"
check delete.chip-gone sh -c "! test -e $C"
check_eq delete.cdev-enodev "errno 19" "$(pwm-cdev-test request 4 0)"
exec 4>&-
check delete.stub-unloads rmmod i2c-stub
exit 0
