# SPDX-License-Identifier: GPL-2.0
# The guest's side of `make bench`: runs every workload REPS times (default
# 5) and reports each run as `bench: <row> <value>` on the console and on
# /dev/ttyS1, where scripts/bench.py reads them. Rows ending in _ns are
# nanoseconds per operation, _ms milliseconds in all, _bytes bytes; the
# in-kernel rows come from /sys/kernel/debug/pwm-bench/run (pwm_bench.c),
# the others from pwm-bench (tools/testing/pwm/bench/).
#
# PHASE=cost (the default) runs the per-operation and memory rows, in a
# guest whose clock counts instructions (QEMU -icount), so that they are
# the same from one boot to the next; PHASE=wall runs the scaling rows and
# a few headline rows again, in a guest with real time and parallel vCPUs.

REPS=${REPS:-5}
PHASE=${PHASE:-cost}
N=${N:-20000}
RUN=/sys/kernel/debug/pwm-bench/run
CFS=/sys/kernel/config/pwm-sim

say() {
	echo "bench: $*"
	echo "bench: $*" >/dev/ttyS1
}

# row NAME COMMAND...: runs COMMAND, which prints the value, as row NAME.
row() {
	local name=$1 v
	shift
	if v=$("$@"); then
		say "$name $v"
	else
		say "error $name"
	fi
}

# kernel WORKLOAD N: an in-kernel loop; nanoseconds per call.
kernel() {
	echo "$1 $2" >$RUN && cat $RUN
}

# chip_of DEVICE: the pwmchipN of the benchmark chip on that platform device.
chip_of() {
	ls /sys/bus/platform/devices/$1/pwm
}

# sim NAME [NPWM]: a live waveform pwm-sim chip with NPWM channels (default
# 4); its pwmchipN.
sim() {
	mkdir $CFS/$1
	echo "${2:-4}" >$CFS/$1/npwm
	echo 1 >$CFS/$1/live
	cat $CFS/$1/chip_name
}

BC=$(chip_of pwm-bench-sleeping)
S1=$(sim bench1)
S2=$(sim bench2)
S3=$(sim bench3)
S4=$(sim bench4)
S64=$(sim bench64 64)

# kmem_now: bytes of kmalloc and slab memory in use (pwm-bench kmem), once
# RCU freed what the last removals queued.
kmem_now() {
	sync
	sleep 1
	pwm-bench kmem
}

# kmem_delta COMMAND...: kmalloc and slab bytes COMMAND leaves allocated.
kmem_delta() {
	local before after
	before=$(kmem_now)
	"$@" >/dev/null
	after=$(kmem_now)
	echo $((after - before))
}

# hold_chips NPWM COUNT: bytes per chip of NPWM channels, over COUNT.
hold_chips() {
	local d
	d=$(kmem_delta sh -c "echo hold $1 $2 > $RUN")
	echo release >$RUN
	echo $((d / $2))
}

# exports CHIP NPWM: bytes per exported channel, over all NPWM of CHIP.
exports() {
	local d
	d=$(kmem_delta sh -c "c=0; while [ \$c -lt $2 ]; do echo \$c > /sys/class/pwm/$1/export; c=\$((c + 1)); done")
	c=0
	while [ $c -lt "$2" ]; do
		echo $c >/sys/class/pwm/$1/unexport
		c=$((c + 1))
	done
	echo $((d / $2))
}

# cost_rows: one repetition of the per-operation and memory rows.
cost_rows() {
	# The floor, and the character device on the no-op chip (channel 1:
	# the module holds channel 0) and on pwm-sim.
	row floor_ns pwm-bench floor $N
	for op in setroundedwf roundwf getwf; do
		row cdev_${op}_ns pwm-bench cdev /dev/$BC 1 $op $N
		row sim_cdev_${op}_ns pwm-bench cdev /dev/$S1 0 $op $N
	done
	row cdev_sweep_ms pwm-bench cdev-sweep /dev/$BC 1
	row open_close_ns pwm-bench open-close /dev/$BC $N
	# sysfs: duty_cycle writes, the sweep, export and unexport.
	echo 2 >/sys/class/pwm/$BC/export
	row sysfs_duty_ns pwm-bench sysfs /sys/class/pwm/$BC/pwm2 $N
	row sysfs_sweep_ms pwm-bench sysfs-sweep /sys/class/pwm/$BC/pwm2
	echo 2 >/sys/class/pwm/$BC/unexport
	echo 0 >/sys/class/pwm/$S1/export
	row sim_sysfs_duty_ns pwm-bench sysfs /sys/class/pwm/$S1/pwm0 $N
	echo 0 >/sys/class/pwm/$S1/unexport
	row export_unexport_ns pwm-bench export /sys/class/pwm/$S2 $((N / 20))
	# In-kernel consumers and providers.
	for w in apply apply_atomic apply_hrtimer set_waveform get_state_hw; do
		row k_${w}_ns kernel $w $((N * 5))
	done
	row k_get_put_ns kernel get_put $N
	row k_register_ns kernel register $((N / 20))
	# Memory.
	for npwm in 1 16 64; do
		row chip${npwm}_bytes hold_chips $npwm 200
	done
	row open_file_bytes pwm-bench open-files /dev/$S3 500
	row export_bytes exports $S64 64
}

# wall_rows: one repetition of the scaling rows (1, 2 and 4 pwm-sim chips,
# one process each, at once and one after another) and, for comparison
# with the cost rows, the floor and three headline rows in real time.
wall_rows() {
	row floor_ns pwm-bench floor $N
	row cdev_setroundedwf_ns pwm-bench cdev /dev/$BC 1 setroundedwf $N
	echo 2 >/sys/class/pwm/$BC/export
	row sysfs_duty_ns pwm-bench sysfs /sys/class/pwm/$BC/pwm2 $N
	echo 2 >/sys/class/pwm/$BC/unexport
	row k_apply_ns kernel apply $((N * 5))
	# Long enough loops (about 0.1 s each) that a host hiccup weighs little.
	row scale1_ns pwm-bench scale $((N * 5)) /dev/$S1
	row scale2_ns pwm-bench scale $((N * 5)) /dev/$S1 /dev/$S2
	row scale2_seq_ns pwm-bench scale-seq $((N * 5)) /dev/$S1 /dev/$S2
	row scale4_ns pwm-bench scale $((N * 5)) /dev/$S1 /dev/$S2 /dev/$S3 /dev/$S4
	row scale4_seq_ns pwm-bench scale-seq $((N * 5)) /dev/$S1 /dev/$S2 /dev/$S3 /dev/$S4
}

say "phase $PHASE"
rep=1
while [ $rep -le $REPS ]; do
	say "rep $rep"
	case $PHASE in
	wall) wall_rows ;;
	*) cost_rows ;;
	esac
	rep=$((rep + 1))
done
say done
