#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# detectors.sh SERIAL_LOG
#
# Reads the serial log of a debug-kernel boot (scripts/testvm/testvm.sh
# --out DIR: DIR/serial.txt) and prints KTAP: one line per bug detector
# of the debug kernel, "not ok" with the first matching lines when the
# kernel reported anything, or when the detector was not running (its
# "active" line from debug_check.sh is missing).  The console runs at
# loglevel=5, so warnings reach the log even if the guest hangs before
# it can dump anything.  Reports from before the tests started (the
# boot) are listed but not counted.  Documentation/testvm.rst, "The debug kernel",
# lists the lines and what each means.
#
# exit: 0 all clean, 3 a detector fired or was inactive, 1 usage error.
set -uo pipefail

[ $# = 1 ] && [ -f "$1" ] || { sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }
LOG=$(mktemp "${TMPDIR:-/tmp}/xvcpu-detectors.XXXXXX")
BOOT=$(mktemp "${TMPDIR:-/tmp}/xvcpu-detectors.XXXXXX")
trap 'rm -f "$LOG" "$BOOT"' EXIT
# What the kernel said before /init started the tests is the platform's
# (Bochs' CPU model trips a UBSAN shift report and an XSAVE WARN in the
# kernel's own boot code): listed, not counted.  Everything from
# @@XVCPU-BEGIN@@ on counts; without the marker (a boot that never got
# there) all of it counts.
tr -d '\r' <"$1" | awk -v boot="$BOOT" '
	!on && /@@XVCPU-BEGIN@@/ { on = 1 }
	on { print; next }
	{ print >boot }' >"$LOG"
if ! [ -s "$LOG" ]; then
	cp "$BOOT" "$LOG"
	: >"$BOOT"
fi

n=0 failed=0
# matches FILE: the report lines of the current detector in FILE.
matches() {
	grep -vE "^# debug-kernel: " "$1" | grep -E -- "$report" |
		{ if [ -n "$exclude" ]; then grep -vE -- "$exclude"; else cat; fi; }
}
# detector NAME ACTIVE-REGEX REPORT-REGEX [EXCLUDE-REGEX]
detector() {
	local name=$1 active=$2 report=$3 exclude=${4:-} hits
	n=$((n + 1))
	hits=$(matches "$LOG")
	boot_hits=$(matches "$BOOT")
	if [ -n "$boot_hits" ]; then
		echo "# $name: $(echo "$boot_hits" | wc -l) line(s) at boot, before the tests (not counted):"
		echo "$boot_hits" | head -n 4 | sed 's/^/#   /'
	fi
	if [ -n "$active" ] && ! grep -qE -- "$active" "$LOG"; then
		echo "not ok $n $name"
		echo "# $name: the detector was not active (no line matching '$active')"
		failed=1
	elif [ -n "$hits" ]; then
		echo "not ok $n $name"
		echo "# $name: $(echo "$hits" | wc -l) report line(s), the first ones:"
		echo "$hits" | head -n 20 | sed 's/^/#   /'
		failed=1
	else
		echo "ok $n $name"
	fi
}

echo "KTAP version 1"
echo "1..8"
# Generic KASAN: out-of-bounds, use-after-free, double/invalid free, ...
detector kasan "debug-kernel: active kasan" \
	"BUG: KASAN:|KASAN: (null-ptr-deref|wild-memory-access|maybe wild)"
# Lockdep (PROVE_LOCKING, PROVE_RCU): any lock-order or lock-state
# report, and lockdep switching itself off (after which it sees nothing).
detector lockdep "debug-kernel: active lockdep" \
	"possible circular locking dependency|possible recursive locking|inconsistent lock state|possible irq lock inversion|bad unlock balance|held lock freed|lock held when returning to user space|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|WARNING: .*lock|turning off the locking correctness validator|BUG: MAX_LOCKDEP|BUG: MAX_STACK_TRACE"
# UBSAN: array-index-out-of-bounds, shift-out-of-bounds.
detector ubsan "" "UBSAN:"
# kmemleak: objects no pointer refers to after the tests and rmmod
# (debug_check.sh scans explicitly and prints what it found).
detector kmemleak "debug-kernel: kmemleak scanned" \
	"unreferenced object|kmemleak: .*(disabled|Memory pool empty|Cannot allocate)"
# SLUB debugging (slub_debug=FZPU) and DEBUG_LIST corruption reports.
detector slub_list_corruption "debug-kernel: active slub_debug" \
	"BUG [a-z0-9_:.()-]+ \((Not tainted|Tainted: [^)]*)\): |list_(add|del) corruption|Redzone overwritten|Poison overwritten|Object padding overwritten|Freepointer corrupt"
# WARN(), BUG(), oops, panics (the specific BUG: kinds have their lines).
detector warn_bug_oops "" \
	"WARNING: CPU: |cut here \]|kernel BUG at|BUG: |Oops|general protection fault|invalid opcode:|Kernel panic" \
	"BUG: KASAN|BUG: sleeping function|BUG: scheduling while atomic|BUG: using (smp_processor_id|__this_cpu_)|BUG: soft lockup|BUG: workqueue lockup|BUG: MAX_"
# Soft lockups, hung tasks, RCU stalls, workqueue lockups.
detector lockup_hung_stall "debug-kernel: active lockup" \
	"soft lockup|hard LOCKUP|blocked for more than [0-9]+ seconds|detected stalls|self-detected stall|rcu_.* kthread starved|BUG: workqueue lockup"
# DEBUG_ATOMIC_SLEEP: sleeping in atomic context; DEBUG_PREEMPT: per-CPU
# data used where the task can move to another CPU.
detector atomic_sleep_preempt "" \
	"sleeping function called from invalid context|scheduling while atomic|in preemptible \[|BUG: using (smp_processor_id|__this_cpu_)"
[ $failed = 0 ] || exit 3
exit 0
