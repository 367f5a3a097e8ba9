#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel test VM as /xvcpu/check.sh (check.sh puts
# it there): says which bug detectors are running, lets kmemleak forget
# what the boot left, runs the selftests (vm_check.sh), then scans for
# leaks and prints what kmemleak found.  scripts/testvm/detectors.sh
# reads the serial log afterwards, one KTAP line per detector.
#
# usage: debug_check.sh [TEST ...]   (default: every test in /xvcpu/tests)
KMEMLEAK=/sys/kernel/debug/kmemleak

# Every kernel path runs several times slower under KASAN and lockdep:
# the fuzzer takes its "debug" budget, the selftests' iteration counts
# are scaled to a fifth (lib/sys.h, xt_scaled()).
export XVCPU_FUZZ_BUDGET=${XVCPU_FUZZ_BUDGET:-debug}
export XVCPU_TEST_SCALE=${XVCPU_TEST_SCALE:-20}
# Each case's time ("# case NAME: N ms", lib/fixture.h): where the time goes.
export XVCPU_CASE_TIMES=1

t0=$(cut -d. -f1 /proc/uptime)
# The test VM boots with nowatchdog (no lockup detector) for speed: turn
# the soft-lockup detector back on for this run (both switches).
k=/proc/sys/kernel
echo 1 >$k/watchdog
echo 1 >$k/soft_watchdog
w="$(cat $k/watchdog $k/soft_watchdog 2>&1 | tr '\n' ' ')"
h=$(cat $k/hung_task_timeout_secs 2>&1)
if [ "$w" = "1 1 " ] && [ "$h" -gt 0 ] 2>/dev/null; then
	echo "# debug-kernel: active lockup (soft lockup after $(( $(cat $k/watchdog_thresh) * 2 )) s, hung task after $h s)"
else
	echo "# debug-kernel: lockup detectors off: watchdog, soft_watchdog: $w; hung_task_timeout_secs: $h"
fi
dmesg | grep -q "KernelAddressSanitizer initialized" &&
	echo "# debug-kernel: active kasan"
grep -qE "debug_locks: +1" /proc/lockdep_stats 2>/dev/null &&
	echo "# debug-kernel: active lockdep"
s=/sys/kernel/slab/kmalloc-64
[ "$(cat $s/sanity_checks $s/red_zone $s/poison $s/store_user 2>/dev/null)" = "1
1
1
1" ] && echo "# debug-kernel: active slub_debug (FZPU)"
echo "# debug-kernel: detectors set up in $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
# Objects older than the tests are the boot's, not ours (a kmemleak
# scan takes minutes here: one scan after the tests, none before).
tests_start=$(cut -d. -f1 /proc/uptime)

/xvcpu/vm_check.sh "$@"
rc=$?

# kmemleak reports an object that no pointer has referred to for 5 s
# (the module is unloaded by now).  A suspect must be unreferenced in a
# second scan too (a pointer in flight during the first is not a leak),
# and allocated after the tests started: "(age N.NNNs)" of each report.
kmemleak_report() {
	awk -v max_age=$(( $(cut -d. -f1 /proc/uptime) - tests_start )) '
	function flush() {
		if (obj == "") return
		if (age < max_age) { printf "%s", obj; n++ } else boot++
		obj = ""
	}
	/^unreferenced object/ { flush(); age = 0 }
	/ \(age [0-9.]+s\)/ {
		a = $0; sub(/.*\(age /, "", a); sub(/s\).*/, "", a); age = a + 0
	}
	{ obj = obj "# kmemleak: " $0 "\n" }
	END {
		flush()
		printf "# debug-kernel: kmemleak: %d suspect(s) from the tests, %d from the boot (not counted)\n", n, boot
	}' $KMEMLEAK
}
if [ -w $KMEMLEAK ]; then
	t0=$(cut -d. -f1 /proc/uptime)
	sleep 6
	echo scan >$KMEMLEAK && [ -s $KMEMLEAK ] && echo scan >$KMEMLEAK
	echo "# debug-kernel: kmemleak scanned in $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
	kmemleak_report
fi
exit $rc
