# SPDX-License-Identifier: GPL-2.0
# The reliability campaign: chips of every kind created and removed, bound
# and unbound, their modules loaded and unloaded, while processes and kernel
# consumers drive whatever chips exist; then model-checked random calls,
# trinity, and an account of what is left. Nothing may crash, leak or hang:
# the host fails the run on any kernel report in the log (WARNING, KASAN,
# lockdep, hung task, ...), and the cases below check the rest.
#
# STRESS_SECONDS (default 30) is how long the load runs. `make test` runs
# this short variant; `make stress` boots with STRESS_FULL=1 and its own
# duration (default 1200 s), and then asks for at least 1,000 removal
# cycles, 100,000 model-checked calls and 100,000 trinity syscalls.
# The last line is a summary the host prints: `stress: summary k=v ...`.

. /pwm/lib.sh

# Removal under load is what the C core cannot survive (see "Differences
# from the C core" in Documentation/driver-api/pwm.rst).
rust_core || exit 0

LOAD=${STRESS_SECONDS:-30}
if [ "${STRESS_FULL:-0}" = 1 ]; then
	MIN_CYCLES=1000 FUZZ_CALLS=100000 TRINITY_CALLS=100000 MAX_NTH=1000
else
	MIN_CYCLES=10 FUZZ_CALLS=2000 TRINITY_CALLS=2000 MAX_NTH=8
fi
S=/tmp/stress
STOP=$S/stop
# The chips the load leaves alone (see alone()).
SKIP=$S/skip
export PWM_STRESS_SKIP=$SKIP
OV=/sys/kernel/debug/pwm-test-overlays
T=/sys/kernel/debug/pwm-test-gpio
P=pwm_autoload_provider
# The Rust consumer sample's device, bound (pwm_test_gpio.c adds it).
RC=/sys/bus/platform/drivers/rust_pwm_consumer/rust_pwm_consumer.7
rm -rf $S
mkdir -p $S
# pwm-gpio, a software PWM, runs an hrtimer every edge: random periods of a
# few ns from pwm-stress (its chip has a node with CONFIG_PWM_LEGACY_CDEV)
# kept a CPU in its interrupt under TCG until RCU reported a stall. The Rust
# consumer sample drives it with sane periods.
echo pwm-gpio.0 >$SKIP

count() {
	ls -d $1 2>/dev/null | wc -l
}

# chip_id NAME: the id of the pwm-sim chip NAME (N of its pwmchipN).
chip_id() {
	sed 's/^pwmchip//' $CFS/$1/chip_name
}

# new_sim NAME ATTR=VALUE...: a live pwm-sim chip, or nothing (status 1).
new_sim() {
	local dir=$CFS/$1 kv
	shift
	mkdir "$dir" 2>/dev/null || return 1
	for kv in "$@"; do
		echo "${kv#*=}" 2>/dev/null >"$dir/${kv%%=*}"
	done
	echo 1 2>/dev/null >"$dir/live"
}

# del_sim NAME: removes the chip, whatever state it is in.
del_sim() {
	echo 0 2>/dev/null >$CFS/$1/live
	rmdir $CFS/$1 2>/dev/null
}

# The baseline: the chips and devices other suites left, the id a new chip
# gets, the modules loaded, and no leak suspects from before.
base_chips=$(ls /sys/class/pwm | tr '\n' ' ')
base_devs=$(ls /dev | grep -c '^pwmchip')
new_sim probe
base_id=$(chip_id probe)
del_sim probe
base_mods=$(lsmod | sed -n 's/^\(pwm[a-z_]*\) .*/\1/p' | sort | tr '\n' ' ')
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK
HUNG=/proc/sys/kernel/hung_task_timeout_secs
hung=$(cat $HUNG 2>/dev/null)
echo 30 2>/dev/null >$HUNG

# worker NAME COMMAND...: runs COMMAND over and over until $STOP exists;
# $S/NAME counts the rounds.
worker() {
	local name=$1 n=0
	shift
	while [ ! -e $STOP ]; do
		"$@" >/dev/null 2>&1
		n=$((n + 1))
		echo $n >$S/$name
	done
}

sysfs_round() {
	local c ch
	for c in /sys/class/pwm/pwmchip*; do
		# Only the campaign's chips (the fault injection's use channel 7).
		case $(readlink $c/device) in
		*/pwm-sim.*) ;;
		*) continue ;;
		esac
		grep -qw "${c##*/}" $SKIP 2>/dev/null && continue
		ch=$((RANDOM % 4))
		echo $ch >$c/export || continue
		echo 100000 >$c/pwm$ch/period
		echo 25000 >$c/pwm$ch/duty_cycle
		echo inversed >$c/pwm$ch/polarity
		echo 1 >$c/pwm$ch/enable
		cat $c/pwm$ch/period $c/pwm$ch/duty_cycle $c/pwm$ch/enable
		echo 200000 >$c/pwm$ch/duty_cycle
		echo 0 >$c/pwm$ch/enable
		echo $ch >$c/unexport
	done
}

debugfs_round() {
	cat /sys/kernel/debug/pwm $DBG/*
	sleep 0.05
}

# An upstream C consumer (leds-pwm) on a pwm-sim chip of a device tree
# overlay: applied, driven, and removed with its chip.
leds_round() {
	local l=/sys/class/leds/pwm-test-led
	echo 1 >$OV/leds || return
	for v in 0 64 255 1; do
		echo $v >$l/brightness
	done
	echo 0 >$OV/leds
}

# The Rust consumer sample on upstream's pwm-gpio, whose hard hrtimer
# toggles a line; the chip is deleted while the consumer holds it, or after.
rust_consumer_round() {
	echo 1 >$T/pwm-gpio || return
	echo 1 >$T/consumer
	sleep 0.1
	if [ $((RANDOM % 2)) = 0 ]; then
		echo 0 >$T/consumer
		echo 0 >$T/pwm-gpio
	else
		echo 0 >$T/pwm-gpio
		echo 0 >$T/consumer
	fi
}

# pwm-ir-tx (from an overlay, on a raw atomic pwm-sim chip) applies with
# pwm_apply_atomic() from its hard hrtimer while it transmits; then its chip
# goes with the overlay. Its rc and LIRC devices leaked at every removal
# before patches/0014 (upstream's lirc_unregister() kept a reference).
ir_tx_round() {
	local d i=0
	echo 1 >$OV/ir_tx || return
	while [ -z "$d" ] && [ $i -lt 100 ]; do
		d=$(ls /sys/bus/platform/devices/pwm-test-ir-tx/rc/rc*/ 2>/dev/null |
			grep '^lirc' | head -n 1)
		[ -n "$d" ] || sleep 0.05
		i=$((i + 1))
	done
	[ -z "$d" ] || pwm-consumer-io lirc /dev/$d 38000 33 500 300 700 300 500
	echo 0 >$OV/ir_tx
}

modprobe $P
worker sysfs sysfs_round &
worker debugfs debugfs_round &
worker leds leds_round &
worker ir_tx ir_tx_round &
/pwm/bin/pwm-stress cdev $STOP 1 >$S/cdev64.out 2>&1 &
/pwm/bin/pwm-stress32 cdev $STOP 2 >$S/cdev32.out 2>&1 &
/pwm/bin/pwm-stress gpio $STOP 3 >$S/gpio.out 2>&1 &

# Allocation failures at every allocation of the paths that set up what
# userspace and consumers use, each path driven by a task of its own with
# /proc/self/fail-nth (failslab and fail_page_alloc both count), while the
# load runs: the first, second, ... allocation fails, until the path needs
# no more. Every failure must leave the chip or channel usable afterwards.
for fi in failslab fail_page_alloc; do
	d=/sys/kernel/debug/$fi
	[ -d $d ] || continue
	echo N >$d/ignore-gfp-wait
	echo 0 >$d/verbose
	[ -e $d/min-order ] && echo 0 >$d/min-order
done

# inject NAME SETUP OP UNDO VERIFY: for N = 1, 2, ...: runs SETUP, then OP
# with fail-nth N in one shell, then UNDO, then VERIFY, which must succeed
# (what failed left things usable); stops once OP left N unused (it made
# fewer than N allocations). $S/fault.NAME gets "faults steps done broken".
inject() {
	local name=$1 setup=$2 op=$3 undo=$4 verify=$5 nth=1 faults=0 done=0
	local broken=0 left
	while [ $nth -le $MAX_NTH ] && [ ! -e $STOP ]; do
		eval "$setup" >/dev/null 2>&1
		left=$(sh -c "echo $nth > /proc/self/fail-nth && { $op; } >/dev/null 2>&1
			read left < /proc/self/fail-nth; echo \${left:-0}" 2>/dev/null)
		eval "$undo" >/dev/null 2>&1
		eval "$verify" >/dev/null 2>&1 || broken=$((broken + 1))
		if [ "${left:-0}" != 0 ]; then
			done=1
			break
		fi
		faults=$((faults + 1))
		nth=$((nth + 1))
	done
	echo "$faults $nth $done $broken" >$S/fault.$name
	echo "stress: $faults failures injected on the $name path"
}

faults() {
	local c d
	inject register "del_sim fi; mkdir $CFS/fi && echo 2 > $CFS/fi/npwm" \
		"echo 1 > $CFS/fi/live" "del_sim fi" \
		"new_sim fv; r=\$?; del_sim fv; test \$r = 0"
	# Channel 7, which the load leaves alone.
	new_sim fi npwm=8
	c=/sys/class/pwm/$(cat $CFS/fi/chip_name)
	d=/dev/$(basename $c)
	inject export "echo 7 > $c/unexport" "echo 7 > $c/export" \
		"echo 7 > $c/unexport" "echo 7 > $c/export && echo 7 > $c/unexport"
	inject open ":" "exec 3<>$d" ":" "exec 4<>$d && exec 4<&-"
	# A REQUEST's task is the program's: it steps fail-nth itself.
	/pwm/bin/pwm-stress inject-request $d 7 $MAX_NTH >$S/fault.request 2>/dev/null
	del_sim fi
	# Lookup: binding the Rust consumer sample to its device makes it
	# pwm_get() its channel, of pwm-gpio's chip, from a lookup table.
	echo 1 >$T/pwm-gpio
	inject lookup "echo 0 > $T/consumer" "echo 1 > $T/consumer" \
		"echo 0 > $T/consumer" \
		"echo 1 > $T/consumer && test -e $RC; r=\$?; echo 0 > $T/consumer; test \$r = 0"
	echo 0 >$T/pwm-gpio
	touch $S/faults.done
	# Then the same consumer as load, until the end.
	worker rust_consumer rust_consumer_round
}

# alone NAME: leaves the pwm-sim chip NAME (live) to its user: the load
# skips it from now on, and a second lets rounds that began on it end.
alone() {
	echo "$(cat $CFS/$1/chip_name) $(cat $CFS/$1/dev_name)" >>$SKIP
	sleep 2
}

# Model-checked random calls on a chip of each kind at once, after the
# load (under it, the calls would be too slow to make enough of them).
fuzz_one() {
	local k=$1 mode=$2 atomic=$3 out
	new_sim fz$k mode=$mode atomic=$atomic npwm=3 clock_hz=$((1000000000 / (k + 1)))
	out=$(/pwm/bin/pwm-fuzz fz$k $((FUZZ_CALLS / 4)) $((k + 1)) 2>&1)
	echo "$out" | tail -n 25
	echo "$out" | grep '^pwm-fuzz: calls=' >$S/fuzz.$k
	del_sim fz$k
}

fuzz_all() {
	local k n m calls=0 bad=0
	fuzz_one 0 waveform 0 &
	fuzz_one 1 waveform 1 &
	fuzz_one 2 legacy 0 &
	fuzz_one 3 legacy 1 &
	wait
	for k in 0 1 2 3; do
		n=$(sed -n 's/.*calls=\([0-9]*\).*/\1/p' $S/fuzz.$k)
		m=$(sed -n 's/.*mismatches=\([0-9]*\).*/\1/p' $S/fuzz.$k)
		calls=$((calls + ${n:-0}))
		bad=$((bad + ${m:-1}))
	done
	echo "$calls $bad" >$S/fuzz
}

# trinity, as root, with the PWM files as its only victims: a waveform
# chip's character device, export and unexport files and exported channel,
# and the debugfs files (trinity follows the links of its victim path).
trinity_run() {
	local c f
	new_sim tr npwm=2
	alone tr
	c=$(cat $CFS/tr/chip_name)
	echo 0 >/sys/class/pwm/$c/export
	mkdir -p $S/victims
	for f in /dev/$c /sys/class/pwm/$c/export /sys/class/pwm/$c/unexport \
		/sys/class/pwm/$c/npwm "$(readlink -f /sys/class/pwm/$c/pwm0)" \
		/sys/kernel/debug/pwm $DBG/tr; do
		ln -s $f $S/victims/$(echo $f | tr / _)
	done
	mkdir -p $S/trinity
	(cd $S/trinity && trinity --dangerous -q -l off -N $TRINITY_CALLS -C 2 -s 1 \
		-V $S/victims \
		--disable-fds=sockets,pipes,perf,epoll,eventfd,pseudo,timerfd,memfd,drm \
		-c ioctl -c read -c write -c pread64 -c pwrite64 -c lseek -c poll \
		-c mmap -c fcntl -c close -c dup >$S/trinity.out 2>&1
	echo $? >$S/trinity.rc)
	tail -n 3 $S/trinity.out
	echo 0 2>/dev/null >/sys/class/pwm/$c/unexport
	del_sim tr
}

faults &
trinity_run &

# The removals: three loops at once (removal waits on RCU and delayed
# work more than it computes), each replacing its three pwm-sim chips of
# the four kinds in rotation, some unbound and bound again before they go;
# every seventh cycle of the first loop the Rust driver's module is
# unloaded (its chip with it) and loaded again. $S/cycles.ID counts.
remover() {
	local id=$1 n=0 i slot dev drv=/sys/bus/platform/drivers/pwm-sim
	while [ ! -e $STOP ]; do
		slot=r${id}s$((n % 3))
		del_sim $slot
		case $(((n + id) % 4)) in
		0) new_sim $slot npwm=4 mode=waveform atomic=0 ;;
		1) new_sim $slot npwm=4 mode=waveform atomic=1 ;;
		2) new_sim $slot npwm=4 mode=legacy atomic=0 ;;
		3) new_sim $slot npwm=4 mode=legacy atomic=1 ;;
		esac
		if [ $((n % 5)) = 4 ]; then
			dev=$(cat $CFS/$slot/dev_name 2>/dev/null)
			echo $dev 2>/dev/null >$drv/unbind
			echo $dev 2>/dev/null >$drv/bind
		fi
		if [ $id = 0 ] && [ $((n % 7)) = 6 ]; then
			echo $P 2>/dev/null >/sys/bus/platform/drivers/$P/unbind
			rmmod $P 2>/dev/null
			# The driver's directory goes with its kobject's last
			# reference, which DEBUG_KOBJECT_RELEASE delays by up to
			# 4 s when a reader holds one at the unload: loading the
			# module again before that fails with a duplicate name.
			i=0
			while [ -e /sys/bus/platform/drivers/$P ] && [ $i -lt 100 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			modprobe $P
		fi
		n=$((n + 1))
		echo $n >$S/cycles.$id
	done
	for slot in r${id}s0 r${id}s1 r${id}s2; do
		del_sim $slot
	done
}
remover 0 &
remover 1 &
remover 2 &

# all_cycles: the removal cycles of the three loops so far.
all_cycles() {
	local t=0 i v
	for i in 0 1 2; do
		v=$(cat $S/cycles.$i 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo $t
}

# The load runs for LOAD seconds, and until the fault injection and
# trinity are done.
end=$(($(date +%s) + LOAD))
ticks=0
while [ $(date +%s) -lt $end ] || [ ! -e $S/faults.done ] ||
	[ ! -e $S/trinity.rc ]; do
	sleep 1
	ticks=$((ticks + 1))
	[ $((ticks % 60)) != 0 ] || echo "stress: $(all_cycles) removal cycles"
done
echo "stress: load done after $(all_cycles) removal cycles"
touch $STOP
wait
cycles=$(all_cycles)
echo 0 2>/dev/null >$OV/leds
echo 0 2>/dev/null >$T/consumer
echo 0 2>/dev/null >$T/pwm-gpio

check removal-cycles test $cycles -ge $MIN_CYCLES
rounds() {
	cat $S/$1 2>/dev/null || echo 0
}
calls() {
	sed -n 's/^calls=\([0-9]*\) .*/\1/p' $S/$1.out
}
for w in sysfs debugfs leds rust_consumer ir_tx; do
	check worker.$w test "$(rounds $w)" -gt 0
done
for w in cdev64 cdev32 gpio; do
	check worker.$w test "$(calls $w)" -gt 0
done
faults_total=0
for f in register export open request lookup; do
	set -- $(cat $S/fault.$f 2>/dev/null || echo 0 0 0 1)
	faults_total=$((faults_total + $1))
	# Failures were injected, each left things usable, and the path ran to
	# its end at last (the short variant may run out of steps first).
	check faults.$f test "$1" -gt 0 -a "$4" = 0 \
		-a \( "$3" = 1 -o "${STRESS_FULL:-0}" = 0 \)
done

echo "stress: model-checked calls"
fuzz_all
set -- $(cat $S/fuzz 2>/dev/null || echo 0 1)
fuzz_calls=$1 mismatches=$2
check fuzz.calls test $fuzz_calls -ge $FUZZ_CALLS
check_eq fuzz.mismatches 0 $mismatches
trinity_calls=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' $S/trinity.out | tail -n 1)
check trinity.ran test "${trinity_calls:-0}" -ge $TRINITY_CALLS -a "$(cat $S/trinity.rc)" = 0

# The account: no leak, nothing of the campaign left, ids and modules back.
rmmod pwm_autoload_consumer 2>/dev/null
echo $P 2>/dev/null >/sys/bus/platform/drivers/$P/unbind
rmmod $P 2>/dev/null
# Let DEBUG_KOBJECT_RELEASE's delayed releases (up to 4 s) and RCU run.
sleep 6
leaks=0 other_leaks=0
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	sleep 1
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >$S/kmemleak
	grep -v '^    [0-9a-f][0-9a-f] ' $S/kmemleak | grep -v 'hex dump' | head -n 150
	# Every leak counts. Those of the PWM subsystem (a frame of the core,
	# of kernel::pwm, of pwm-sim or of the core's C API in the backtrace)
	# are told apart from those of other subsystems the campaign drives
	# (it found two: rc core and gpiolib, fixed by patches 0014 and 0015).
	set -- $(awk '
		/^unreferenced object/ { if (n) { if (pwm) p++; else o++ } n = 1; pwm = 0; next }
		/pwm_core|pwm_sim|6kernel3pwm|pwmchip_|of_pwm_|devm_pwm|fwnode_pwm|[^_]pwm_(get|put|apply|request)/ { pwm = 1 }
		END { if (n) { if (pwm) p++; else o++ } print p + 0, o + 0 }' $S/kmemleak)
	leaks=$1 other_leaks=$2
fi
check_eq kmemleak.leaks "0 0" "$leaks $other_leaks"
check_eq baseline.chips "$base_chips" "$(ls /sys/class/pwm | tr '\n' ' ')"
check_eq baseline.device-nodes $base_devs "$(ls /dev | grep -c '^pwmchip')"
new_sim probe
check_eq baseline.first-free-id "$base_id" "$(chip_id probe)"
del_sim probe
check_eq baseline.modules "$base_mods" \
	"$(lsmod | sed -n 's/^\(pwm[a-z_]*\) .*/\1/p' | sort | tr '\n' ' ')"

[ -z "$hung" ] || echo $hung >$HUNG
echo "stress: summary seconds=$LOAD cycles=$cycles" \
	"cdev64=$(calls cdev64) cdev32=$(calls cdev32) gpio=$(calls gpio)" \
	"sysfs=$(rounds sysfs) debugfs=$(rounds debugfs) leds=$(rounds leds)" \
	"rust_consumer=$(rounds rust_consumer) ir_tx=$(rounds ir_tx)" \
	"faults=$faults_total fuzz=$fuzz_calls mismatches=$mismatches" \
	"trinity=${trinity_calls:-0} leaks=$leaks other_leaks=$other_leaks"
