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

# Tests that take a budget (the fuzzer) take the small one here: every
# kernel path runs several times slower under KASAN and lockdep.
export XVCPU_FUZZ_BUDGET=${XVCPU_FUZZ_BUDGET:-small}

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
if [ -w $KMEMLEAK ]; then
	# What the boot left is not ours: scan once, then forget it.
	echo scan >$KMEMLEAK && echo clear >$KMEMLEAK
fi
echo "# debug-kernel: detectors set up in $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"

/xvcpu/vm_check.sh "$@"
rc=$?

# kmemleak reports an object only when no pointer has referred to it
# for 5 s and two scans agree; the module is unloaded by now.
if [ -w $KMEMLEAK ]; then
	t0=$(cut -d. -f1 /proc/uptime)
	sleep 6
	echo scan >$KMEMLEAK && echo scan >$KMEMLEAK &&
		echo "# debug-kernel: kmemleak scanned in $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
	sed 's/^/# kmemleak: /' $KMEMLEAK
fi
exit $rc
