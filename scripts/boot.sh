#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots the built kernel and initramfs in QEMU x86_64.
#
# usage: boot.sh MODE [LOG]
#   MODE run|test|doctests|acpi|bench: non-interactive, output to stdout and LOG,
#   ends at the guest's reboot or after GUEST_TIMEOUT seconds; shell:
#   interactive. acpi boots the second kernel (scripts/build.sh acpi).
#   The guest's second serial port (ttyS1), where in-guest tests report,
#   goes to LOG.results.
# ACCEL=tcg|kvm|auto (default auto: KVM only when a short probe boot
# through it succeeds on this machine, TCG otherwise).

source "$(dirname "$0")/lib.sh"

mode=$1
log=${2:-/dev/null}
kernel=$OBJ/arch/x86/boot/bzImage
initrd=$INITRAMFS.cpio.gz
[ "$mode" != acpi ] || kernel=$OBJ_ACPI/arch/x86/boot/bzImage
if [ "$mode" = bench ]; then
	kernel=$CACHE/obj-bench$CORE_SUFFIX/arch/x86/boot/bzImage
	initrd=$CACHE/initramfs-bench.cpio.gz
fi
[ -f "$kernel" ] || die "no kernel at $kernel (run: make build)"
[ -f "$initrd" ] || die "no initramfs at $initrd"

command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found (install qemu-system-x86)"

qemu_base() {
	local accel=$1
	# ICOUNT=1 counts one vCPU's instructions: with two, the guest's clock
	# would also count what the other one runs meanwhile.
	local smp=2
	[ "${ICOUNT:-0}" != 1 ] || smp=1
	local args=(qemu-system-x86_64 -machine pc -smp "$smp" -m 2048
		-kernel "$kernel" -initrd "$initrd" -no-reboot)
	if [ "$accel" = kvm ]; then
		args+=(-accel kvm -cpu host)
	else
		# 4-level paging: with LA57 under TCG, KASAN has reported wild
		# accesses in early-boot interrupts, before any test code ran.
		args+=(-cpu max,la57=off)
		# ICOUNT=1: guest time counts instructions (1 ns each), on one
		# vCPU; what `make bench` measures costs with.
		if [ "${ICOUNT:-0}" = 1 ]; then
			args+=(-accel tcg,thread=single -icount shift=0,sleep=off)
		else
			args+=(-accel tcg,thread=multi)
		fi
	fi
	printf '%s\n' "${args[@]}"
}

# One short boot through KVM; the answer is kept until the machine reboots.
kvm_works() {
	local stamp=$CACHE/kvm-probe boot_id
	boot_id=$(cat /proc/sys/kernel/random/boot_id)
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	if [ "$(head -n 1 "$stamp" 2>/dev/null)" != "$boot_id" ]; then
		local out=no
		mapfile -t q < <(qemu_base kvm)
		if timeout -k 5 30 "${q[@]}" -display none -serial stdio -monitor none \
			-append "console=ttyS0 quiet panic=-1 kunit.enable=0 pwmrs.mode=probe" \
			</dev/null 2>&1 | grep -q 'pwm-rs: probe ok'; then
			out=yes
		fi
		printf '%s\n%s\n' "$boot_id" "$out" >"$stamp"
	fi
	[ "$(sed -n 2p "$stamp")" = yes ]
}

case ${ACCEL:-auto} in
tcg) accel=tcg ;;
kvm) accel=kvm ;;
auto) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
*) die "ACCEL must be tcg, kvm or auto, not '$ACCEL'" ;;
esac
mapfile -t q < <(qemu_base "$accel")

cmdline="console=ttyS0 panic=-1 pwmrs.mode=$mode"
# Upstream's doctests of the kernel crate include some that trip the debug
# options (a gendisk doctest leaves a timer on freed memory, hrtimer doctests
# put timers on the stack), so the doctests boot runs ours alone and the
# test boot runs every suite but rust_doctests_kernel: the only one whose
# name ends in "l", as KUnit takes one glob and no glob can exclude a name.
# A suite of ours whose name ended in "l" would not run here, and the
# inventory of scripts/results.py (every suite with as many cases as its
# source declares) fails the run then, rather than let it vanish.
# DOCTEST_GLOB, one glob for the doctests of kernel/pwm*, kernel/chrdev.rs,
# kernel/sysfs.rs and kernel/sysfs/ (pwm_*, chrdev_*, sysfs_*): of the
# names upstream's doctests have, it matches none. A doctest of ours it
# missed would be short in the inventory.
DOCTEST_GLOB='rust_doctest_kernel_[pcs][why][mrs][_df][!_]*'
case $mode in
run) cmdline="$cmdline loglevel=5 kunit.enable=0" ;;
test) cmdline="$cmdline kunit.enable=1 kunit.filter_glob=*[!l]" ;;
doctests)
	cmdline="$cmdline kunit.enable=1"
	cmdline="$cmdline kunit.filter_glob=rust_doctests_kernel.$DOCTEST_GLOB"
	;;
# The ACPI kernel has no KUnit: /init runs the smoke subset of the tests.
acpi) ;;
# The bench kernels (CORE=c for the C core's) run tools/testing/pwm/bench.sh.
bench) cmdline="$cmdline loglevel=5 pwmrs.reps=${REPS:-3} pwmrs.phase=${PHASE:-cost}" ;;
# The test kernel, running the stress campaign alone for STRESS_SECONDS.
stress)
	cmdline="$cmdline loglevel=5 kunit.enable=0"
	cmdline="$cmdline pwmrs.stress_seconds=${STRESS_SECONDS:-1200} pwmrs.stress_full=${STRESS_FULL:-1}"
	;;
shell) cmdline="$cmdline loglevel=5 kunit.enable=0" ;;
*) die "unknown boot mode '$mode'" ;;
esac

# The test boot runs every suite under KASAN, lockdep and kmemleak (about
# 16 minutes on 2 cores under TCG): it gets twice that before it counts
# as hung; the others, 20 minutes.
limit=1200
[ "$mode" != test ] || limit=2400
GUEST_TIMEOUT=${GUEST_TIMEOUT:-$limit}

note "booting QEMU ($accel): $cmdline"
if [ "$mode" = shell ]; then
	exec "${q[@]}" -nographic -append "$cmdline"
fi
rm -f "$log.results"
# A guest that hangs is ended by timeout; the caller judges what it left.
set +e
timeout -k 10 "$GUEST_TIMEOUT" "${q[@]}" -display none -serial stdio \
	-serial "file:$log.results" -monitor none -append "$cmdline" </dev/null 2>&1 |
	tr -d '\r' | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "error: the guest did not finish within $GUEST_TIMEOUT s" | tee -a "$log" >&2
fi
exit 0
