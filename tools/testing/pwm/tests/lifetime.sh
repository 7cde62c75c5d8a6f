# SPDX-License-Identifier: GPL-2.0
# Chips removed, and a Rust driver's module unloaded, while someone still
# holds them: a reader of /sys/kernel/debug/pwm, an open attribute file of
# a sysfs export, a character device's label. Sixteen sleeping pwm-sim chips,
# each kept busy by a writer whose applies take half a second, make one
# read of the file last seconds; chips after them go away during the read.
# Each round is repeated so that CONFIG_DEBUG_KOBJECT_RELEASE's random
# delays cannot hide a use after free: the log check catches any report.

. /pwm/lib.sh

P=pwm_autoload_provider
C=pwm_autoload_consumer
SLOW=16

# Slow chips first, so that they take the lowest ids and come first in the
# file; each has a channel exported and a writer looping on it.
i=0
while [ $i -lt $SLOW ]; do
	c=$(sim slow$i apply_delay_us=500000)
	echo 0 >$c/export
	echo 100000 >$c/pwm0/period
	(while echo 1000 >$c/pwm0/duty_cycle && echo 2000 >$c/pwm0/duty_cycle
	do :; done) 2>/dev/null &
	i=$((i + 1))
done
# Let every writer start its first apply.
sleep 1

# slow_read NAME: starts a read of /sys/kernel/debug/pwm into /tmp/NAME,
# in the background; its pid is in READER.
slow_read() {
	cat /sys/kernel/debug/pwm >/tmp/$1 2>/tmp/$1.err &
	READER=$!
	sleep 1
}

# A pwm-sim chip after the slow ones, removed during the read.
r=0
while [ $r -lt 3 ]; do
	sim late >/dev/null
	parent=$(cat $CFS/late/dev_name)
	slow_read late.$r
	check_eq debugfs-removal.$r.read-in-progress 0 "$(kill -0 $READER 2>/dev/null; echo $?)"
	check debugfs-removal.$r.removed sh -c "echo 0 > $CFS/late/live"
	wait $READER
	check_eq debugfs-removal.$r.read-completes 0 $?
	check debugfs-removal.$r.slow-chips-shown test "$(grep -c ': platform/pwm-sim\.' /tmp/late.$r)" -ge $SLOW
	check debugfs-removal.$r.removed-chip-left-out sh -c "! grep -q ' platform/$parent,' /tmp/late.$r"
	rmdir $CFS/late
	r=$((r + 1))
done

# Labels that come and go (a character device's REQUEST and FREE) while
# /sys/kernel/debug/pwm prints them.
c=$(sim churn mode=waveform)
/pwm/bin/pwm-cdev-test churn /dev/$(basename $c) 20000 >/tmp/churn.out &
churner=$!
reads=0
while kill -0 $churner 2>/dev/null; do
	cat /sys/kernel/debug/pwm >/dev/null || break
	reads=$((reads + 1))
done
wait $churner
check_eq label-churn.requests-and-frees 0 $?
check label-churn.read-while-churning test $reads -gt 0
unsim churn

# A chip of a Rust driver in a module (the autoload provider), unbound and
# its module unloaded while the reader holds the chip: the chip's last
# reference goes after the module did, and must run no code of it.
r=0
while [ $r -lt 2 ]; do
	modprobe $C && rmmod $C
	check module.$r.provider-loaded test -d /sys/module/$P
	slow_read module.$r
	check_eq module.$r.read-in-progress 0 "$(kill -0 $READER 2>/dev/null; echo $?)"
	check module.$r.unloaded-during-read rmmod $P
	wait $READER
	check_eq module.$r.read-completes 0 $?
	# The delayed release of the chip's kobject (up to 4 s) runs now.
	sleep 5
	check module.$r.provider-gone sh -c "! [ -d /sys/module/$P ]"
	r=$((r + 1))
done

# A sysfs export of the Rust driver's chip, with an attribute file open: the
# export pins the module; unbinding the provider unexports it, after which
# the module unloads while the file is still open, and reading it fails
# with ENODEV without running code of the gone module.
PDEV=/sys/bus/platform/devices/$P
r=0
while [ $r -lt 2 ]; do
	modprobe $C && rmmod $C
	c=$(ls -d $PDEV/pwm/pwmchip* 2>/dev/null | head -n 1)
	check export.$r.provider-chip test -n "$c"
	echo 0 >$c/export
	exec 3<$c/pwm0/period
	check export.$r.module-pinned sh -c "! rmmod $P 2>/dev/null"
	check export.$r.unbound sh -c "echo $P > /sys/bus/platform/drivers/$P/unbind"
	check export.$r.module-unloads rmmod $P
	check_eq export.$r.open-attribute-fails "No such device" "$(cat <&3 2>&1 | sed 's/.*: //')"
	exec 3<&-
	sleep 5
	check export.$r.provider-gone sh -c "! [ -d /sys/module/$P ]"
	r=$((r + 1))
done

# The writers stop when their channel goes.
i=0
while [ $i -lt $SLOW ]; do
	unsim slow$i
	i=$((i + 1))
done
wait
check_eq cleanup.no-chips-left 0 "$(ls -d /sys/class/pwm/pwmchip* 2>/dev/null | wc -l)"
rmmod $C 2>/dev/null
rmmod $P 2>/dev/null
true
