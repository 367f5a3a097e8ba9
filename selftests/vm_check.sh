#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (/xvcpu/vm_check.sh): every selftest binary,
# KTAP on the console, then a last case that fails if the kernel logged
# a bug, warning or oops while the tests ran. A test binary or an rmmod
# that does not finish in time gets the kernel's view of the stuck tasks
# (sysrq w, l) on the console and is reported as a failure.
#
# usage: vm_check.sh [TEST ...]   (default: every test in /xvcpu/tests)
cd /xvcpu || exit 1
export XVCPU_KO=/xvcpu/xvcpu.ko XVCPU_KMOD=/xvcpu/kmod
LIMIT=${XVCPU_TEST_LIMIT:-900}

# Only what the tests make the kernel say counts, not the boot.
dmesg -c >/dev/null

# run_limited SECONDS NAME CMD...: CMD with a watchdog.
run_limited() {
	limit=$1 name=$2
	shift 2
	"$@" &
	pid=$!
	# The watchdog writes to the console itself: holding our stdout
	# (a pipe to tee) open would keep the pipeline from ending.
	( sleep "$limit"; kill -0 $pid 2>/dev/null || exit 0
	  echo "# xvcpu: $name still running after ${limit}s: stuck tasks follow"
	  echo w >/proc/sysrq-trigger; echo l >/proc/sysrq-trigger
	  sleep 2; dmesg | tail -100 | sed 's/^/# /'
	  kill -9 $pid ) </dev/null >/dev/console 2>&1 &
	dog=$!
	wait $pid
	rc=$?
	kill $dog 2>/dev/null
	wait $dog 2>/dev/null
	return $rc
}

tests=$*
[ -n "$tests" ] || tests=$(ls tests 2>/dev/null)
# One line, space-separated (ls gives one name per line), for the
# " name " matches below.
tests=$(echo $tests)
n=0
# result NAME OK?: one KTAP line of this script's own.
result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; fi
}
[ -n "$tests" ] || result "selftests_present" 1
# xvcpu_reboot_test reboots the VM (the rest of this boot would not
# run): it goes last. In a later boot (/init found its CMOS mark and
# set XVCPU_BOOT=2 or 3) only it runs again: the machine came back.
case " $tests " in
*" xvcpu_reboot_test "*)
	tests="$(echo $tests | tr ' ' '\n' | grep -vx xvcpu_reboot_test) xvcpu_reboot_test"
	if [ "${XVCPU_BOOT:-1}" != 1 ]; then
		echo "# xvcpu: boot $XVCPU_BOOT, after xvcpu_reboot_test rebooted the VM"
		tests=xvcpu_reboot_test
	fi ;;
*)
	if [ "${XVCPU_BOOT:-1}" != 1 ]; then
		echo "# xvcpu: boot $XVCPU_BOOT, but no test here reboots the VM"
		result "no_unexpected_reboot" 1
		tests=
	fi ;;
esac

for t in $tests; do
	t_start=$(cut -d' ' -f1 /proc/uptime)
	echo "# xvcpu: running $t (uptime $t_start s)"
	loaded=0
	case $t in
	xvcpu_module_test|xvcpu_novmx_test|xvcpu_install_test) ;;	# they load xvcpu themselves
	*) insmod /xvcpu/xvcpu.ko && loaded=1 ;;
	esac
	# Streamed to the console as it runs, kept for the checks below.
	{ run_limited "$LIMIT" "$t" ./tests/$t 2>&1; echo $? >/tmp/rc; } | tee /tmp/out
	rc=$(cat /tmp/rc)
	# Every case the binary planned must have reported, and it must have
	# ended on its own (0 all passed, 1 some failed; not killed/crashed).
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' /tmp/out | head -1)
	seen=$(grep -cE "^(not )?ok [0-9]+" /tmp/out)
	[ -n "$plan" ] && [ "$plan" = "$seen" ] && [ $rc -le 1 ]
	result "${t}_completed" $?
	if [ $loaded = 1 ]; then
		run_limited 60 "rmmod after $t" rmmod xvcpu
		result "unload_after_$t" $?
	fi
	echo "# xvcpu: $t exit $rc after $(awk -v t0="$t_start" '{ printf "%.1f", $1 - t0 }' /proc/uptime) s"
done

# Our own error lines too: a VMfail (VM-instruction error) or a failed
# VMREAD/VMWRITE is a bug of ours whatever the guest did. A VM entry
# that failed on guest state user space set is logged too, but is the
# VMM's doing (tests provoke it on purpose).
if dmesg | grep -E "BUG:|WARNING:|Oops|general protection|Call Trace|UBSAN|KASAN|detected stall|blocked for more than|xvcpu: .*(VM entry failed, VM-instruction error|VMREAD|VMWRITE|unhandled|misconfiguration)" >/tmp/bad; then
	result kernel_log_clean 1
	sed 's/^/# /' /tmp/bad | head -60
else
	result kernel_log_clean 0
fi
