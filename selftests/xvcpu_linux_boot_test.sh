#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM as /xvcpu/tests/xvcpu_linux_boot_test (KTAP): a
# real Linux kernel on xvcpu through `vcpuctl boot` -- the kernel the
# test VM itself runs, with a busybox initramfs (mklinuxguest.sh). It
# waits for the guest's shell prompt, types a command over the UART and
# checks its output, types poweroff and checks vcpuctl's status 0, then
# checks the guest's console for warnings and the debug-port timeline
# for every stage in order. Bad images and too little memory must fail
# at once with a clear error. Every run is bounded (--timeout).
V=/xvcpu/bin/vcpuctl
K=/xvcpu/linux/bzImage
I=/xvcpu/linux/guest.cpio
LIMIT=${XVCPU_LINUX_LIMIT:-900}
T=/tmp/linux
mkdir -p $T

n=0 failed=0
result() { # NAME RC [why]
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1${3:+ # $3}"
		failed=1
	fi
}

# The guest's TSC is the host's: tell it the frequency the host was told.
KHZ=$(sed -n 's/.*tsc_early_khz=\([0-9]*\).*/\1/p' /proc/cmdline)
APPEND="tsc_early_khz=${KHZ:-50000}"

echo "KTAP version 1"
echo "1..12"

# bad_image NAME FILE MESSAGE [ARGS]: fails fast with MESSAGE, status 1.
bad_image() {
	name=$1 file=$2 msg=$3
	shift 3
	$V boot --kernel "$file" --timeout 30 "$@" </dev/null >$T/bad.out 2>$T/bad.err
	rc=$?
	if [ $rc = 1 ] && grep -q "$msg" $T/bad.err; then
		result "$name" 0
	else
		sed 's/^/# /' $T/bad.err
		result "$name" 1 "status $rc"
	fi
}
head -c 65536 /dev/zero >$T/zero.img
bad_image corrupt_image_refused $T/zero.img 'not a bzImage'
head -c 100000 $K >$T/short.img
bad_image truncated_image_refused $T/short.img 'truncated'
bad_image small_mem_refused $K 'the kernel needs' --mem 32M

# wait_for PATTERN FILE SECONDS: 0 once PATTERN is in FILE.
wait_for() {
	i=0
	while [ $i -lt "$3" ]; do
		grep -q "$1" "$2" 2>/dev/null && return 0
		kill -0 $vpid 2>/dev/null || { grep -q "$1" "$2"; return; }
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# Typing into a guest that is gone must not kill this script.
trap '' PIPE
rm -f $T/in
mkfifo $T/in
start=$(cut -d' ' -f1 /proc/uptime)
$V boot --kernel $K --initrd $I --append "$APPEND" --timeout "$LIMIT" \
	<$T/in >$T/console 2>$T/summary &
vpid=$!
exec 3>$T/in
wait_for 'xvcpu-guest# ' $T/console "$LIMIT"
prompt=$?
booted=$(cut -d' ' -f1 /proc/uptime)
echo "# guest shell prompt after $(echo "$start $booted" | awk '{print $2 - $1}') s"
grep -q 'Linux version' $T/console
result linux_banner $?
grep -q 'xvcpu-guest: init reached' $T/console
result init_reached $?
result shell_prompt $prompt
echo 'echo answer-$((6 * 7)); uname -r' >&3
wait_for 'answer-42' $T/console 120
result uart_command_output $?
echo 'poweroff' >&3
wait $vpid
rc=$?
exec 3>&-
done_=$(cut -d' ' -f1 /proc/uptime)
echo "# vcpuctl ended after $(echo "$start $done_" | awk '{print $2 - $1}') s, status $rc"
[ $rc = 0 ] && grep -q 'guest powered off' $T/summary
result poweroff_status_0 $?
! grep -qE 'unchecked MSR access|WARNING:|BUG:|Oops|Call Trace' $T/console
result no_guest_warnings $?
# The timeline: firmware 0x01, 0x1f, then init's 0x60, 0x61, 0x62 and
# the shutdown's 0x7e, in that order, at times that never go down.
awk '/ms  vCPU0   0x/ { print $1, $4 }' $T/summary >$T/timeline
codes=$(awk '{ printf "%s ", $2 }' $T/timeline)
echo "# timeline: $codes"
case $codes in
*"0x01 0x1f "*"0x60 0x61 "*"0x62 "*"0x7e "*) ok=0 ;;
*) ok=1 ;;
esac
result timeline_stages_in_order $ok
awk 'BEGIN { ok = 0 } { if (NR > 1 && $1 + 0 < last) ok = 1; last = $1 + 0 }
     END { exit ok }' $T/timeline
result timeline_monotonic $?
grep -q 'exits to vcpuctl' $T/summary
result exit_summary_printed $?
echo "# ---- guest console ----"
sed 's/^/# /' $T/console
echo "# ---- vcpuctl summary ----"
sed 's/^/# /' $T/summary
exit $failed
