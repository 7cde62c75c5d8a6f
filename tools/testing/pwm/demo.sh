# SPDX-License-Identifier: GPL-2.0
# The demo `make run` shows: what the PWM subsystem offers in this guest.

echo "== kernel"
uname -a
echo "== /sys/class/pwm"
ls -l /sys/class/pwm/
for chip in /sys/class/pwm/pwmchip*; do
	[ -e "$chip" ] || continue
	echo "$(basename "$chip"): npwm=$(cat "$chip/npwm")"
done
[ -e /sys/class/pwm/pwmchip0 ] || echo "(no PWM chip registered yet)"
echo "== /sys/kernel/debug/pwm"
if [ -e /sys/kernel/debug/pwm ]; then cat /sys/kernel/debug/pwm; else echo "(not provided yet)"; fi
test -d /sys/class/pwm
