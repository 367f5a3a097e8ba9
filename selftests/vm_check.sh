#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (/xvcpu/vm_check.sh): every selftest binary,
# KTAP on the console, then a last case that fails if the kernel logged
# a bug, warning or oops while the tests ran.
#
# usage: vm_check.sh [TEST ...]   (default: every test in /xvcpu/tests)
cd /xvcpu || exit 1
export XVCPU_KO=/xvcpu/xvcpu.ko XVCPU_KMOD=/xvcpu/kmod

tests=$*
[ -n "$tests" ] || tests=$(ls tests)

for t in $tests; do
	echo "# xvcpu: running $t"
	case $t in
	xvcpu_module_test|xvcpu_novmx_test)
		# These load and unload the module themselves.
		./tests/$t 2>&1 ;;
	*)
		insmod /xvcpu/xvcpu.ko 2>/dev/null
		./tests/$t 2>&1
		rmmod xvcpu 2>/dev/null ;;
	esac
	echo "# xvcpu: $t exit $?"
done

# The kernel must not have complained while all this ran.
if dmesg | grep -E "BUG:|WARNING:|Oops|general protection|Call Trace|UBSAN|KASAN" >/tmp/bad; then
	echo "not ok 1 kernel_log_clean"
	sed 's/^/# /' /tmp/bad | head -40
else
	echo "ok 1 kernel_log_clean"
fi
