# SPDX-License-Identifier: GPL-2.0
# Module autoload from lookup tables: pwm_autoload_consumer's lookup entry
# names the module pwm_autoload_provider, which nothing else loads; the core
# must run modprobe for it (request_module()) when the consumer asks for its
# PWM. Loading the consumer also checks that an entry naming a module that
# does not exist gives -EPROBE_DEFER (drivers/pwm/pwm_autoload/).

. /pwm/lib.sh

P=pwm_autoload_provider
C=pwm_autoload_consumer

loaded() {
	[ -d /sys/module/$1 ]
}

refcnt() {
	cat /sys/module/$1/refcnt 2>/dev/null || echo none
}

check modules-installed test -f /lib/modules/$(uname -r)/modules.dep
check provider-not-loaded-yet sh -c "! [ -d /sys/module/$P ]"

if modprobe $C 2>/tmp/modprobe.err; then
	pass consumer-loads
else
	fail consumer-loads "modprobe $C: $(cat /tmp/modprobe.err); $(dmesg | grep autoload | tail -3)"
fi
check provider-autoloaded loaded $P
# The consumer applied 25% of 1 ms: the provider's hardware, read back by
# /sys/kernel/debug/pwm through its get_state, runs it.
check got-channel sh -c "grep -A3 ' platform/$P, ' /sys/kernel/debug/pwm |
	grep -q 'actual configuration: *enabled, 250000/1000000 ns, normal polarity'"
check chip-in-debugfs grep -q "pwm_autoload_provider" /sys/kernel/debug/pwm
check channel-requested-by-consumer grep -q "(present *): requested" /sys/kernel/debug/pwm

# The requested channel holds a reference to the provider's module.
check_eq provider-pinned 1 "$(refcnt $P)"
check provider-unload-refused sh -c "! rmmod $P 2>/dev/null"
check provider-still-loaded loaded $P

check consumer-unloads rmmod $C
check_eq provider-unpinned 0 "$(refcnt $P)"
check provider-unloads rmmod $P
check provider-gone sh -c "! [ -d /sys/module/$P ]"
check chip-gone sh -c "test -r /sys/kernel/debug/pwm && ! grep -q $P /sys/kernel/debug/pwm"

# The chip's last reference may go after the module did (its kobject release
# is delayed by up to 4 s under CONFIG_DEBUG_KOBJECT_RELEASE): wait for it
# before loading anything at the module's old address. A release that ran
# the module's code would oops here and fail the log check.
sleep 5
check provider-stays-unloaded sh -c "! [ -d /sys/module/$P ]"

# Again, now that modprobe has run once: nothing was left behind.
check consumer-reloads modprobe $C
check provider-reautoloaded loaded $P
rmmod $C && rmmod $P
check both-unloaded sh -c "! [ -d /sys/module/$C ] && ! [ -d /sys/module/$P ]"

# Whatever happened above, leave no module (and no chip) to the next tests.
rmmod $C 2>/dev/null
rmmod $P 2>/dev/null
true
