#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end checks of `vcpuctl run` on the example and test guests, as
# KTAP. POSIX sh: runs under busybox in the test VM (real xvcpu) and on a
# development host through the KVM test backend.
#
#   VCPUCTL=path/to/vcpuctl   the binary (default: vcpuctl in PATH)
#   BACKEND=xvcpu|kvm         what it drives (default xvcpu); KVM answers
#                             VMCALL itself, counts only user exits and
#                             sends port 0x80 to vcpuctl's latch (xvcpu
#                             logs it in the kernel)
#   EXAMPLES=DIR              hello, hello16.bin (default ./examples)
#   GUESTS=DIR                pm32, spin.bin, triple.bin, sti_hlt.bin
#                             (default ./guests)
#   TIMEOUT=S                 limit per run (default 120: Bochs is slow)
#
# Exit status: 0 when every test passed.

VCPUCTL=${VCPUCTL:-vcpuctl}
BACKEND=${BACKEND:-xvcpu}
EXAMPLES=${EXAMPLES:-./examples}
GUESTS=${GUESTS:-./guests}
TIMEOUT=${TIMEOUT:-120}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vcpuctl-test.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err

n=0
failed=0
bad=
# Where the summary's debug-port timeline comes from.
if [ "$BACKEND" = xvcpu ]; then
	DP_SOURCE="kernel log"
else
	DP_SOURCE="vcpuctl latch"
fi

echo "KTAP version 1"
echo "# Subtest: vcpuctl_run ($BACKEND)"
echo "1..13"

run() {
	bad=
	timeout "$TIMEOUT" "$VCPUCTL" "$@" >"$OUT" 2>"$ERR"
	rc=$?
}

# Show what the guest and vcpuctl said only when something is wrong.
result() {
	n=$((n + 1))
	if [ -z "$bad" ]; then
		echo "ok $n $1"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n $1"
	echo "# $bad"
	tr -d '\r' <"$OUT" | sed 's/^/# stdout: /'
	sed 's/^/# stderr: /' "$ERR"
}

want_rc() { [ "$rc" = "$1" ] || bad="$bad exit status $rc, want $1;"; }
want_out() {
	tr -d '\r' <"$OUT" | grep -qF -- "$1" || bad="$bad stdout lacks '$1';"
}
want_err() { grep -qF -- "$1" "$ERR" || bad="$bad stderr lacks '$1';"; }
want_no_err() { [ ! -s "$ERR" ] || bad="$bad stderr not empty;"; }
count_out() { tr -d '\r' <"$OUT" | grep -cF -- "$1"; }
# The debug-port timeline lines of the summary hold these, in this order.
want_timeline() {
	grep -E '^ +[0-9]+\.[0-9]{3} ms  vCPU' "$ERR" >"$TMP/timeline"
	i=0
	for want in "$@"; do
		i=$((i + 1))
		sed -n "${i}p" "$TMP/timeline" | grep -qF -- "$want" ||
			bad="$bad timeline line $i lacks '$want';"
	done
	[ "$(wc -l <"$TMP/timeline")" = $# ] ||
		bad="$bad $(wc -l <"$TMP/timeline") timeline lines, want $#;"
}
# A number after $1 (a sed regex) in vcpuctl's summary.
summary_value() { sed -n "s/$1 *\([0-9][0-9]*\).*/\1/p" "$ERR" | head -n1; }

# 1: the long-mode example, every kind of exit.
run run "$EXAMPLES/hello"
want_rc 0
want_out "Hello from an xvcpu guest"
want_out "vCPU 0 of 1, 16384 KiB of RAM, 64-bit mode"
want_out "cpuid: 1000 x leaf 0, vendor \""
want_out ", all equal"
want_out "VMX hidden"
want_out "rdmsr: 1000 x IA32_TSC, "
want_out " ticks, increasing"
want_out "rdmsr: IA32_APIC_BASE = 0x"
want_out "mmio: read 0xd0000000 -> 0xffffffff (open bus)"
want_out "vCPU 0: done, halting"
want_err "  debug port 0x80 ($DP_SOURCE): 7 codes, ms since VM creation"
# The timeline, in order: ms, vCPU, code, component.
want_timeline "vCPU0   0x40  kernel" "vCPU0   0x41  kernel" \
	"vCPU0   0x42  kernel" "vCPU0   0x43  kernel" "vCPU0   0x44  kernel" \
	"vCPU0   0x45  kernel" "vCPU0   0x4f  kernel"
want_err "out 0x03f8 COM1 data"
want_err "in  0x03fd COM1 LSR"
want_err "read  0xd0000000"
want_err "write 0xd0000000"
want_err "HLT "
total=$(summary_value "^  total")
exits=$(summary_value "^  VM exits (run->exit_count):")
if [ "$BACKEND" = xvcpu ]; then
	want_out "vmcall: hypercall 0x10 returned 0x0"
	want_out "trace: guest events 0x100, 0x101 returned 0"
	want_err "nr 0x10"
	# In the kernel: no port 0x80 exit reaches vcpuctl.
	if grep -q "out 0x0080" "$ERR"; then
		bad="$bad port 0x80 exited to vcpuctl;"
	fi
	# CPUID always exits and the kernel answers it: 1000+ more exits.
	[ -n "$exits" ] && [ -n "$total" ] &&
		[ "$exits" -ge $((total + 1000)) ] ||
		bad="$bad exit_count $exits not >= user exits $total + 1000;"
else
	want_out "vmcall: hypercall 0x10 skipped: KVM underneath"
	want_err "vcpuctl: vCPU0: boot progress 0x40"
	[ -n "$exits" ] && [ "$exits" = "$total" ] ||
		bad="$bad exit_count $exits != user exits $total;"
fi
result "hello_long_mode"
echo "# hello: $total exits to vcpuctl, run->exit_count $exits"

# 2: --quiet leaves stdout to the guest and stderr empty.
run run --quiet "$EXAMPLES/hello"
want_rc 0
want_out "Hello from an xvcpu guest"
want_no_err
result "hello_quiet"

# 3: several vCPUs, one thread each, all halt.
run run -q --vcpus 3 "$EXAMPLES/hello"
want_rc 0
want_out "vCPU 0 of 3"
want_out "vCPU 1: hello, halting"
want_out "vCPU 2: hello, halting"
want_out "vCPU 0: done, halting"
result "hello_three_vcpus"

# 4: real mode, flat binary at 0000:7c00.
run run --mode real "$EXAMPLES/hello16.bin"
want_rc 0
want_out "Hello from an xvcpu guest in real mode, vCPU 0"
want_err "real mode"
want_err "  debug port 0x80 ($DP_SOURCE): 3 codes, ms since VM creation"
want_timeline "vCPU0   0x10  firmware" "vCPU0   0x11  firmware" \
	"vCPU0   0x1f  firmware"
result "hello16_real_mode"

# 5: real mode, two vCPUs with their own stacks.
run run -q --mode real --vcpus 2 "$EXAMPLES/hello16.bin"
want_rc 0
want_out "real mode, vCPU 0"
want_out "real mode, vCPU 1"
result "hello16_real_mode_two_vcpus"

# 6: a static ELF32 starts in flat protected mode.
run run "$GUESTS/pm32"
want_rc 0
want_out "pm32: ok"
want_err "ELF32, protected mode, entry 0x200000"
want_err "in  0x0071 open bus"
result "elf32_protected_mode"

# 7: a triple fault is a failure, with the registers.
run run "$GUESTS/triple.bin"
want_rc 1
want_err "vCPU0: triple fault (SHUTDOWN)"
want_err "rip 0000000000001004"
want_err "SHUTDOWN "
result "triple_fault_fails"

# 8: HLT with interrupts on still ends the run cleanly, with a note.
run run "$GUESTS/sti_hlt.bin"
want_rc 0
want_err "halted with interrupts enabled"
result "hlt_with_interrupts_enabled"

# 9: SIGINT stops every vCPU thread; summary, status 130.
bad=
"$VCPUCTL" run --vcpus 2 "$GUESTS/spin.bin" >"$OUT" 2>"$ERR" &
pid=$!
# Both vCPUs inside the guest (each printed "spin" on COM1), or vcpuctl
# gone already, or out of time.
deadline=$(($(date +%s) + TIMEOUT))
while kill -0 $pid 2>/dev/null &&
	[ "$(tr -cd '\n' <"$OUT" | wc -c)" -lt 2 ] &&
	[ "$(date +%s)" -lt $deadline ]; do
	sleep 1
done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
want_rc 130
want_err "stopped by SIGINT"
want_err "vCPU0 stopped at rip 0x"
want_err "vCPU1 stopped at rip 0x"
want_err "INTR "
want_err "summary: long mode, 2 vCPUs"
want_err "  debug port 0x80 ($DP_SOURCE): 2 codes"
result "sigint_stops_all_vcpus"

# 10: a bad command line is status 2 and names the problem.
run run --mem 12Q "$EXAMPLES/hello"
want_rc 2
want_err "--mem: '12Q' is not a size"
result "bad_size_is_usage_error"

# 11: unknown and ambiguous commands, and --help.
run frobnicate
want_rc 2
want_err "unknown command 'frobnicate'"
run run --help
want_rc 0
want_out "Usage: vcpuctl run [OPTIONS] GUEST"
result "command_table_and_help"

# 12: too little RAM for the tables and stack is a usage error.
run run --mem 64K "$EXAMPLES/hello"
want_rc 2
want_err "is too small"
result "mem_too_small"

# 13: an image that does not fit fails to load.
run run --mem 1M "$EXAMPLES/hello"
want_rc 1
want_err "does not fit"
result "image_beyond_ram"

echo "# vcpuctl_run: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
