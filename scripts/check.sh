#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project, on a fresh Debian 12 machine.
#   1. set-up (apt packages, kernel image and headers, kselftest headers)
#   2. build: module with W=1 (a warning fails), sparse, checkpatch,
#      selftests, tools, examples
#   3. host unit tests (pure logic); make install, .deb, dkms build
#   4. the Bochs test VM (VT-x): module and guest selftests
#   5. the QEMU test VM (no VMX): the clean refusal
#   6. the debug kernel (KASAN, lockdep, kmemleak, UBSAN; built once per
#      machine) in Bochs: the module built against it with W=1, the
#      selftests, one KTAP line per bug detector from the serial log
# Every step reports KTAP into build/check/; the last line is
# "N passed, N failed" and the exit status is non-zero on any failure or
# harness error.
#
# Environment: XVCPU_CHECK_ONLY="unit build bochs qemu debug" limits the
# steps; XVCPU_DEBUG_TESTS="xvcpu_run_test ..." (or "all") the debug VMs'
# selftests (default: every guest selftest and the fuzzer, in two VMs).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/check
CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}
ONLY=${XVCPU_CHECK_ONLY:-setup build unit bochs qemu debug}
T0=$(date +%s)

log() { echo "check: $*" >&2; }
want() { [[ " $ONLY " == *" $1 "* ]]; }

cd "$ROOT" || exit 1
# Start from nothing built: what is tested is what this run built.
if want build; then
	make clean >/dev/null 2>&1
fi
rm -rf "$OUT"
mkdir -p "$OUT" || exit 1

# One KTAP line for a step that is itself a test (build, lint, boots).
n_step=0
step_result() { # name rc [detail-file]
	n_step=$((n_step + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n_step $1" >>"$OUT/steps.ktap"
	else
		echo "not ok $n_step $1" >>"$OUT/steps.ktap"
		[ -n "${3:-}" ] && [ -f "$3" ] && tail -40 "$3" | sed 's/^/# /' >>"$OUT/steps.ktap"
		log "FAILED: $1"
	fi
}

if want setup; then
	log "set-up (packages, kernel, headers)"
	# Each phase's "setup:" line and each apt package unpacked is shown:
	# the first run takes minutes.
	scripts/testvm/setup.sh 2>&1 | tee "$OUT/setup.log" |
		sed -un -e 's/^setup: /check:   /p' \
			-e 's/^Unpacking \([^ ]*\).*/check:   unpacking \1/p' >&2
	rc=${PIPESTATUS[0]}
	step_result setup $rc "$OUT/setup.log"
	if [ $rc != 0 ]; then
		cat "$OUT/setup.log" >&2
	fi
fi
# shellcheck disable=SC1091
[ -f "$CACHE/env.sh" ] && . "$CACHE/env.sh"

if want build; then
	log "build (W=1, sparse, checkpatch, user space)"
	make module W=1 C=1 >"$OUT/build.log" 2>&1
	rc=$?
	# A W=1 or sparse warning is a failure, like an error.
	if [ $rc = 0 ] && grep -E "warning:|error:" "$OUT/build.log" | grep -v "Skipping BTF" >/dev/null; then
		rc=1
	fi
	step_result build_module_w1_sparse $rc "$OUT/build.log"
	make userspace >"$OUT/build-user.log" 2>&1
	step_result build_userspace $? "$OUT/build-user.log"
	if [ -n "${CHECKPATCH:-}" ] && [ -f "$CHECKPATCH" ]; then
		scripts/checkpatch.sh >"$OUT/checkpatch.log" 2>&1
		step_result checkpatch $? "$OUT/checkpatch.log"
	fi
fi

if want unit; then
	log "host unit tests"
	make unit >"$OUT/unit.ktap" 2>&1
	rc=$?
	[ $rc = 0 ] || log "unit tests failed"
	# make install/uninstall DESTDIR=, the .debs and lintian, dkms build
	# in a private tree (Documentation/install.rst).
	log "host install tests (make install, .deb, lintian, dkms build)"
	scripts/install-check.sh >"$OUT/install.ktap" 2>&1 || log "install tests failed"
fi

# shellcheck source=testvm/payload.sh
. scripts/testvm/payload.sh

# One Bochs boot running some selftests; $1 names it, $2 is extra kernel
# command line. In the background.
bochs_vm() {
	local name=$1 append=$2
	shift 2
	mkpayload "$OUT/payload-$name" "$@" || return 2
	scripts/testvm/testvm.sh --engine bochs --payload "$OUT/payload-$name" \
		--out "$OUT/$name" --timeout "${XVCPU_BOCHS_TIMEOUT:-1800}" \
		--append "tsc_early_khz=50000${append:+ $append}" \
		>"$OUT/$name.ktap" 2>"$OUT/$name.err"
}

# The tools VM: perf, bpftrace and trace-cmd from the tools CD count
# xvcpu_workload's guests (selftests/tools_test.sh). In the background.
bochs_tools_vm() {
	local iso
	iso=$(scripts/testvm/mktoolsiso.sh 2>"$OUT/bochs-tools.err") || return 2
	mktoolspayload "$OUT/payload-bochs-tools" || return 2
	scripts/testvm/testvm.sh --engine bochs --payload "$OUT/payload-bochs-tools" \
		--out "$OUT/bochs-tools" --timeout "${XVCPU_BOCHS_TIMEOUT:-1800}" \
		--cmd /xvcpu/tools_test.sh --kmods "$TOOLS_KMODS" --cdrom "$iso" \
		--append "tsc_early_khz=50000" \
		>"$OUT/bochs-tools.ktap" 2>>"$OUT/bochs-tools.err"
	local rc=$?
	# What vcpuctl metrics --listen served in the VM, through promtool.
	tools/vcpuctl/tests/vm_promtool.sh "$OUT/bochs-tools.ktap" \
		>"$OUT/bochs-tools-promtool.ktap" 2>&1
	return $rc
}

# The Linux boot on xvcpu (vcpuctl boot, Documentation/boot.rst): its
# own VM, the payload carries the guest kernel and initramfs.
bochs_linux_vm() {
	mklinuxpayload "$OUT/payload-bochs-linux" || return 2
	scripts/testvm/testvm.sh --engine bochs \
		--payload "$OUT/payload-bochs-linux" --out "$OUT/bochs-linux" \
		--timeout "${XVCPU_BOCHS_TIMEOUT:-1800}" \
		--append "tsc_early_khz=50000" \
		>"$OUT/bochs-linux.ktap" 2>"$OUT/bochs-linux.err"
}

if want bochs; then
	# Bochs emulates one CPU per host thread: the module life-cycle tests
	# (KVM loads, 20 load/unload cycles) and the guest tests run in two
	# VMs side by side.
	# The host XSAVE state changes what a guest may do (XCR0, CR4,
	# CPUID): the guest tests that depend on it run again on a host
	# booted with XSAVE kept on (Debian's kernel turns it off under
	# Bochs' Skylake-X model otherwise, see Documentation/testvm.rst).
	log "Bochs test VMs (VT-x): selftests, a Linux boot, the tools, the fuzzer and the reboots, seven VMs, two at a time"
	{ bochs_vm bochs-module "" xvcpu_module_test xvcpu_install_test
	  echo $? >"$OUT/bochs-module.rc"
	  # vcpuctl's record/top/metrics/latency test (about 5 min of Bochs)
	  # rides here, where the other side's Linux boot leaves time.
	  bochs_vm bochs-xsave "clearcpuid=xsaves,xsavec" \
		xvcpu_isolation_test xvcpu_cpu_test xvcpu_record_test
	  echo $? >"$OUT/bochs-xsave.rc"
	  bochs_tools_vm
	  echo $? >"$OUT/bochs-tools.rc"; } &
	pid_a=$!
	{ bochs_vm bochs-guests "" $(cd build/selftests && ls xvcpu_*_test |
		grep -vE "xvcpu_(module|novmx|install|record|fuzz|reboot)_test")
	  echo $? >"$OUT/bochs-guests.rc"
	  bochs_linux_vm
	  echo $? >"$OUT/bochs-linux.rc"
	  # The fuzzer (Documentation/hardening.rst), in a VM of its own
	  # (its kernel log is judged on its own).
	  bochs_vm bochs-fuzz "" xvcpu_fuzz_test
	  echo $? >"$OUT/bochs-fuzz.rc"
	  # The reboots with guests running, in a VM of their own: two
	  # kexecs (orderly, then a crash kexec: the emergency path), each
	  # next boot checked (Bochs' BIOS does not come back from a reset:
	  # Documentation/testvm.rst, "A test that reboots").
	  bochs_vm bochs-reboot "" xvcpu_reboot_test
	  echo $? >"$OUT/bochs-reboot.rc"; } &
	pid_b=$!
	wait "$pid_a" "$pid_b"
	for name in bochs-module bochs-guests bochs-xsave bochs-linux bochs-tools bochs-fuzz bochs-reboot; do
		rc=$(cat "$OUT/$name.rc" 2>/dev/null || echo 2)
		cat "$OUT/$name.err" >&2
		# rc 3 (tests failed) is counted from the KTAP; 2 is a harness error.
		[ "$rc" = 2 ] || [ "$rc" = 1 ] && rc=1 || rc=0
		step_result "${name}_vm_boot" $rc "$OUT/$name.err"
	done
fi

if want qemu; then
	log "QEMU test VM (no VMX): clean refusal"
	p=$OUT/payload-novmx
	rm -rf "$p" && mkdir -p "$p/tests"
	strip --strip-debug -o "$p/xvcpu.ko" xvcpu.ko
	cp selftests/vm_check.sh "$p/"
	cp build/selftests/xvcpu_novmx_test "$p/tests/"
	printf '#!/bin/sh\nexec /xvcpu/vm_check.sh xvcpu_novmx_test\n' >"$p/check.sh"
	chmod +x "$p/check.sh"
	scripts/testvm/testvm.sh --engine qemu --payload "$p" \
		--out "$OUT/qemu" --timeout 300 --kmods "" \
		>"$OUT/qemu.ktap" 2>"$OUT/qemu.err"
	rc=$?
	cat "$OUT/qemu.err" >&2
	[ $rc = 2 ] || [ $rc = 1 ] && rc=1 || rc=0
	step_result qemu_vm_boot $rc "$OUT/qemu.err"
fi

# The debug kernel's selftests, in two VMs side by side (measured
# times: Documentation/testvm.rst, "The debug kernel").
# The default sets keep make check near 30 min warm: about 78 s of
# guest time each (abi+cpu+dbgport+event, isolation+run+stats). The
# mem, smp and trace tests and the fuzzer's debug budget passed there
# too but double the step: XVCPU_DEBUG_TESTS=all runs them. Not here:
# xvcpu_module_test (tens of module loads and unloads, KVM's too), the
# shell tests, and xvcpu_reboot_test (its kexecs not tried with this
# kernel).
DEBUG_TESTS_A="xvcpu_abi_test xvcpu_cpu_test xvcpu_dbgport_test xvcpu_event_test"
DEBUG_TESTS_B="xvcpu_isolation_test xvcpu_run_test xvcpu_stats_test"

# One debug-kernel Bochs boot running some selftests under
# debug_check.sh; $1 names it. In the background.
debug_vm() {
	local name=$1 p=$OUT/payload-$1
	shift
	mkpayload "$p" "$@" &&
	cp "$OUT/xvcpu-debug.ko" "$p/xvcpu.ko" &&
	cp scripts/testvm/debug_check.sh "$p/check.sh" || return 2
	# 1 GiB: KASAN's shadow, lockdep's and kmemleak's tables.
	# XSAVE kept on (as in bochs-xsave): with it off, 6.1's FPU
	# code writes 8 bytes past every guest FPU state it allocates
	# (KASAN, Documentation/testvm.rst).
	scripts/testvm/testvm.sh --engine bochs --payload "$p" \
		--kernel "$DEBUG_VMLINUZ" --moddir "$DEBUG_MODDIR" \
		--mem "${XVCPU_DEBUG_MEM:-1024}" --out "$OUT/$name" \
		--timeout "${XVCPU_DEBUG_TIMEOUT:-3600}" \
		--append "tsc_early_khz=50000 loglevel=5 slub_debug=FZPU clearcpuid=xsaves,xsavec" \
		>"$OUT/$name.ktap" 2>"$OUT/$name.err"
}

if want debug; then
	log "debug kernel (KASAN, lockdep, kmemleak, UBSAN) in Bochs"
	t=$(date +%s)
	# Built once per machine (the first time: tens of minutes, shown).
	scripts/testvm/mkdebugkernel.sh 2>&1 | tee "$OUT/debug-kernel.log" |
		sed -un 's/^mkdebugkernel: /check:   /p' >&2
	rc=${PIPESTATUS[0]}
	step_result debug_kernel_build $rc "$OUT/debug-kernel.log"
	if [ $rc = 0 ]; then
		# shellcheck disable=SC1091
		. "$CACHE/debug/env.sh"
		log "  debug kernel $DEBUG_KVER ready after $(( $(date +%s) - t )) s" \
		    "(its build took ${DEBUG_BUILD_SECONDS} s)"
		# The module against it, W=1, from a copy of the sources: the
		# stock build in the tree stays as it is. With debug info (the
		# kernel has none) for faddr2line on a report's offsets.
		d=$OUT/debug-module
		rm -rf "$d" && mkdir -p "$d" && cp -r Kbuild src include "$d/"
		make -C "$DEBUG_KDIR" M="$d" W=1 KCFLAGS=-g modules \
			>"$OUT/debug-build.log" 2>&1
		rc=$?
		if [ $rc = 0 ] && grep -E "warning:|error:" "$OUT/debug-build.log" |
		   grep -v "Skipping BTF" >/dev/null; then
			rc=1
		fi
		step_result build_module_debug_kernel_w1 $rc "$OUT/debug-build.log"
	fi
	if [ $rc = 0 ]; then
		# Every kernel path is tens of times slower here: two VMs side
		# by side (nothing else runs at this point, one per host core),
		# the selftests with their iteration counts scaled down
		# (XVCPU_TEST_SCALE, debug_check.sh) and the fuzzer with its
		# "debug" budget; Documentation/testvm.rst has the measured
		# times. XVCPU_DEBUG_TESTS="xvcpu_run_test ..." (or "all")
		# chooses others, shared out between the two VMs.
		tests_a="$DEBUG_TESTS_A" tests_b="$DEBUG_TESTS_B"
		if [ -n "${XVCPU_DEBUG_TESTS:-}" ]; then
			tests=$XVCPU_DEBUG_TESTS
			if [ "$tests" = all ]; then
				tests=$(cd build/selftests && ls xvcpu_*_test |
					grep -vE "xvcpu_(novmx|install|reboot)_test")
			fi
			tests_a= tests_b= i=0
			for x in $tests; do
				if [ $((i % 2)) = 0 ]; then tests_a+=" $x"; else tests_b+=" $x"; fi
				i=$((i + 1))
			done
		fi
		strip --strip-debug -o "$OUT/xvcpu-debug.ko" "$d/xvcpu.ko"
		rc=$?
	fi
	if [ $rc = 0 ]; then
		# shellcheck disable=SC2086
		{ [ -z "$tests_a" ] || debug_vm bochs-debug $tests_a
		  echo $? >"$OUT/bochs-debug.rc"; } &
		pid_a=$!
		# shellcheck disable=SC2086
		{ [ -z "$tests_b" ] || debug_vm bochs-debug2 $tests_b
		  echo $? >"$OUT/bochs-debug2.rc"; } &
		pid_b=$!
		wait "$pid_a" "$pid_b"
		for name in bochs-debug bochs-debug2; do
			[ -f "$OUT/payload-$name/check.sh" ] || continue
			rc=$(cat "$OUT/$name.rc" 2>/dev/null || echo 2)
			cat "$OUT/$name.err" >&2
			[ "$rc" = 2 ] || [ "$rc" = 1 ] && rc=1 || rc=0
			step_result "${name}_vm_boot" $rc "$OUT/$name.err"
			# Even after a hang or panic: what the log shows counts.
			if [ -f "$OUT/$name/serial.txt" ]; then
				scripts/testvm/detectors.sh "$OUT/$name/serial.txt" \
					>"$OUT/$name-detectors.ktap"
			fi
		done
	fi
	log "  debug kernel step took $(( $(date +%s) - t )) s"
fi

for f in "$OUT"/*.ktap; do
	[ -f "$f" ] || continue
	read -r p f_ s <<<"$(scripts/ktap-count.sh "$f")"
	printf 'check: %-12s %3d passed, %d failed, %d skipped\n' \
		"$(basename "$f" .ktap)" "$p" "$f_" "$s" >&2
	# Each failure with the diagnostics its test printed (up to 12
	# lines since its "RUN" line), so a CI log alone tells why.
	awk '/^[[:space:]]*#[[:space:]]+RUN/ { n = 0; next }
	     /^[[:space:]]*not ok/ && !/# *SKIP/ {
		for (i = (n > 12 ? n - 12 : 0); i < n; i++)
			print "check:     " buf[i]
		print "check:   " $0; n = 0; next }
	     /^[[:space:]]*ok / { n = 0; next }
	     /^[[:space:]]*#/ { buf[n++] = $0 }' "$f" >&2
done
read -r P F S <<<"$(cat "$OUT"/*.ktap | scripts/ktap-count.sh)"
log "took $(( $(date +%s) - T0 )) s"
echo "$P passed, $F failed, $S skipped"
# A step that could not even report is a failure too.
[ "$F" = 0 ] && [ "$P" -gt 0 ] && ! grep -q "^not ok" "$OUT/steps.ktap"
