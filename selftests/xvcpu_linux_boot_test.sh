#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM as /xvcpu/tests/xvcpu_linux_boot_test (KTAP): a
# real Linux kernel on xvcpu through `vcpuctl boot` -- the kernel the
# test VM itself runs, with a busybox initramfs (mklinuxguest.sh). It
# waits for the guest's shell prompt, types a command over the UART and
# checks its output, types poweroff and checks vcpuctl's status 0, then
# checks the guest's console for warnings and the debug-port timeline
# for every stage in order. The boot runs under `vcpuctl record`: init's
# two guest trace events must be in the trace file, and its exits by
# reason must equal the stats fd's. Bad images and too little memory
# must fail at once with a clear error. Every run is bounded (--timeout).
V=/xvcpu/bin/vcpuctl
K=/xvcpu/linux/bzImage
VMLINUX=/xvcpu/linux/vmlinux
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
# The rest only saves emulated time, as on the test VM's own command
# line: no crypto self-tests, no W+X scan of the kernel page tables
# (rodata=off), no speculation mitigations, no audit or LSMs.
APPEND="tsc_early_khz=${KHZ:-50000} cryptomgr.notests rodata=off mitigations=off audit=0 lsm=none"

echo "KTAP version 1"
echo "1..32"

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
bad_image truncated_image_refused $T/short.img 'truncated: the header says'
bad_image small_mem_refused $K 'the kernel needs \[0x[0-9a-f]*, 0x[0-9a-f]*) (init_size [0-9]* MiB) and guest RAM ends at 0x2000000' --mem 32M
# The vmlinux (PVH): cut short, too little RAM, a note that lies.
head -c 30000000 $VMLINUX >$T/short.elf
bad_image truncated_vmlinux_refused $T/short.elf 'truncated: segment [0-9] needs file bytes'
bad_image small_mem_vmlinux_refused $VMLINUX 'the kernel needs \[0x1000000, 0x[0-9a-f]*) (.. MiB) and guest RAM ends at 0x4000000' --mem 64M
head -c 64 $VMLINUX >$T/hdr.elf
bad_image elf_header_only_refused $T/hdr.elf 'truncated or corrupt ELF: [0-9]* program headers'
# Bad --mem values are usage errors (status 2), said before any work.
bad_usage() { # NAME MESSAGE ARGS
	name=$1 msg=$2
	shift 2
	$V boot --kernel $K --timeout 30 "$@" </dev/null >$T/bad.out 2>$T/bad.err
	rc=$?
	if [ $rc = 2 ] && grep -q -- "$msg" $T/bad.err; then
		result "$name" 0
	else
		sed 's/^/# /' $T/bad.err
		result "$name" 1 "status $rc"
	fi
}
bad_usage large_mem_refused '--mem: 4G is outside 2M..3G' --mem 4G
bad_usage tiny_mem_refused '--mem: 1M is outside 2M..3G' --mem 1M
bad_usage odd_mem_refused '--mem: 100001 is not a multiple of 4K' --mem 100001
bad_usage bad_mem_refused "--mem: 'lots' is not a size" --mem lots
$V boot --kernel $T/missing.img --timeout 30 </dev/null >$T/bad.out 2>$T/bad.err
rc=$?
[ $rc = 1 ] && grep -q 'missing.img' $T/bad.err
result missing_kernel_refused $? "status $rc"

# --timeout bounds a run (status 1); SIGINT stops one cleanly, with
# the summary (status 128 + 2).
$V boot --kernel $K --initrd $I --append "$APPEND" --timeout 3 \
	</dev/null >$T/to.out 2>$T/to.err
rc=$?
[ $rc = 1 ] && grep -q 'timeout' $T/to.err
result timeout_bounds_run $? "status $rc"
$V boot --kernel $K --initrd $I --append "$APPEND" --timeout 60 \
	</dev/null >$T/int.out 2>$T/int.err &
ipid=$!
sleep 3
kill -INT $ipid
wait $ipid
rc=$?
[ $rc = 130 ] && grep -q 'stopped by SIGINT' $T/int.err &&
	grep -q 'exits to vcpuctl' $T/int.err
result sigint_stops_cleanly $? "status $rc"

# guest_failure STATUS SUMMARY CONSOLE: prints why a boot that should
# have powered off cleanly did not, and returns 1; returns 0 otherwise.
# A WARN() prints "WARNING: CPU: n PID: ..."; other "WARNING:" text is
# an ordinary message.
GUEST_BAD='unchecked MSR access|WARNING: CPU|BUG:|Oops|Call Trace|cut here'
guest_failure() {
	if [ "$1" != 0 ]; then
		echo "status $1: $(grep -m1 'vcpuctl: error' "$2")"
		return 1
	fi
	if ! grep -q 'guest powered off' "$2"; then
		echo "status 0 but no 'guest powered off': $(tail -1 "$2")"
		return 1
	fi
	if grep -qE "$GUEST_BAD" "$3"; then
		echo "guest console: $(grep -m1 -E "$GUEST_BAD" "$3")"
		grep -E -A12 "$GUEST_BAD" "$3" | head -40 | sed 's/^/# /' >&2
		return 1
	fi
	return 0
}

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
# The boot runs under the recorder (exit, debug-port, guest and VM
# events) with every exit traced (trace_policy *:all: none sampled out),
# so that the trace file's exits by reason can equal the stats'.
POLICY=/sys/module/xvcpu/parameters/trace_policy
saved_policy=$(cat $POLICY)
echo '*:all' >$POLICY
TRACEFS=/sys/kernel/tracing
: >$TRACEFS/trace
echo 1 >$TRACEFS/events/xvcpu/xvcpu_guest_event/enable
start=$(cut -d' ' -f1 /proc/uptime)
$V record -o $T/boot.dat -e exit,debug,guest,vm -m 4M -- \
	$V boot --user-events --kernel $K --initrd $I --append "$APPEND" \
	--timeout "$LIMIT" <$T/in >$T/console 2>$T/summary &
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
echo "$saved_policy" >$POLICY
done_=$(cut -d' ' -f1 /proc/uptime)
# record's status is its own; the boot's is in its last line.
brc=$(sed -n 's/.*record: command exited with status \([0-9]*\).*/\1/p' $T/summary)
echo "# vcpuctl ended after $(echo "$start $done_" | awk '{print $2 - $1}') s, status ${brc:-?} (record $rc)"
[ $rc = 0 ] && [ "$brc" = 0 ] && grep -q 'guest powered off' $T/summary
result poweroff_status_0 $?
# Init's two guest trace events (xvcpu-event at CPL 3, --user-events).
grep -q '2 of 2 trace events sent' $T/console
result guest_events_sent $?
# In the trace file (the report's event counts; `vcpuctl format` of
# the whole file would take minutes of Bochs) and, with their ids and
# words, in the tracefs ring the boot also wrote them to.
$V report $T/boot.dat >$T/report 2>$T/report.err
echo 0 >$TRACEFS/events/xvcpu/xvcpu_guest_event/enable
grep 'xvcpu_guest_event:' $TRACEFS/trace | sed 's/^ */# /'
grep -qE '^xvcpu_guest_event +2$' $T/report &&
	[ "$(grep -c 'xvcpu_guest_event:' $TRACEFS/trace)" = 2 ] &&
	grep 'xvcpu_guest_event:' $TRACEFS/trace | head -1 | grep -q 'id 0x60 n 1 data {0x[0-9a-f]*} ' &&
	grep 'xvcpu_guest_event:' $TRACEFS/trace | tail -1 | grep -q 'id 0x61 n 2 data {0x[0-9a-f]*,0x[0-9a-f]*} '
result guest_events_recorded $?
# The recorder's exits by reason equal the stats fd's, exactly, and
# nothing was lost.
awk '/VM exits by reason \(stats fd\)/ { on = 1; next }
     on && NF == 3 && $2 ~ /^[0-9]+$/ { print $1, $2; next }
     { on = 0 }' $T/summary | sort >$T/reasons.stats
awk '$1 == "REASON" && $2 == "COUNT" { on = 1; next }
     on && NF > 2 && $2 ~ /^[0-9]+$/ { print $1, $2; next }
     { on = 0 }' $T/report | sort >$T/reasons.report
echo "# exits by reason, stats fd vs trace file:"
awk 'NR == FNR { s[$1] = $2; next } { r[$1] = $2; s[$1] = s[$1] }
     END { for (k in s) printf "#   %-24s %10s %10s\n", k, s[k] == "" ? "-" : s[k],
	   k in r ? r[k] : "-" }' $T/reasons.stats $T/reasons.report | sort
[ -s $T/reasons.stats ] && cmp -s $T/reasons.stats $T/reasons.report &&
	grep -q '^lost: 0 events' $T/report
result record_counts_equal_stats $?
w=$(grep -m1 -E "$GUEST_BAD" $T/console)
[ -z "$w" ]
result no_guest_warnings $? "${w:+guest console: $w}"
# The timeline: firmware 0x01, 0x1f, then init's 0x60, 0x61, 0x62 and
# the shutdown's 0x7e, in that order, at times that never go down.
# Timeline lines: component, code, ms since VM creation, delta ms.
awk '/boot timeline/ { on = 1; next }
     on && $2 ~ /^0x[0-9a-f][0-9a-f]$/ && NF == 4 { print $3, $2 }
     on && $1 == "platform:" { on = 0 }' $T/summary >$T/timeline
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
# Another RAM size, straight to a power off (rdinit=/quick): the
# guest's own view of its memory must be what --mem gave.
$V boot --kernel $K --initrd $I --mem 128M --timeout "$LIMIT" \
	--append "$APPEND rdinit=/quick" </dev/null >$T/console2 2>$T/summary2
rc=$?
sed -n 's/^/# /p' $T/console2 | grep -E 'BIOS-e820|MemTotal|Memory:'
[ $rc = 0 ] && grep -q 'BIOS-e820: \[mem 0x0000000000100000-0x0000000007ffffff\] usable' $T/console2
result mem_128M_e820 $?
# "Memory: free/totalK available": total is the RAM the e820 map gave
# it less the holes below 1 MiB: 130680K of 131072K here.
m=$(sed -n 's/.*Memory: [0-9]*K\/\([0-9]*\)K available.*/\1/p' $T/console2)
[ -n "$m" ] && [ "$m" -gt 126976 ] && [ "$m" -le 131072 ]
result mem_128M_guest_memory $? "total ${m:-?}K"
# The same kernel uncompressed, through its PVH entry, to the same
# shell: a command typed in, its answer, poweroff with status 0.
start=$(cut -d' ' -f1 /proc/uptime)
rm -f $T/in
mkfifo $T/in
$V boot --kernel $VMLINUX --initrd $I --mem 192M --append "$APPEND" \
	--timeout "$LIMIT" <$T/in >$T/console4 2>$T/summary4 &
vpid=$!
exec 3>$T/in
wait_for 'xvcpu-guest# ' $T/console4 "$LIMIT"
prompt=$?
booted=$(cut -d' ' -f1 /proc/uptime)
echo "# PVH: guest shell prompt after $(echo "$start $booted" | awk '{print $2 - $1}') s"
grep -q 'PVH entry at 0x' $T/summary4 && grep -q 'Linux version' $T/console4
result pvh_banner $?
result pvh_shell_prompt $prompt
echo 'echo pvh-answer-$((6 * 7))' >&3
wait_for 'pvh-answer-42' $T/console4 120
result pvh_uart_command_output $?
echo 'poweroff' >&3
wait $vpid
rc=$?
exec 3>&-
# Each way to fail says which, with the line that shows it, on the
# result line itself (make check repeats only that line).
why=$(guest_failure $rc $T/summary4 $T/console4)
result pvh_poweroff_status_0 $? "$why"
# The same short boot on KVM in this VM, through vcpuctl's KVM backend
# (tools/vcpuctl/tests/vmm_kvm.c): the cross-check and the ratio.
wall() { sed -n 's/.*RAM, \([0-9.]*\) s wall time.*/\1/p' "$1"; }
if [ ! -x /xvcpu/bin/vcpuctl-kvm ]; then
	n=$((n + 1)); echo "ok $n kvm_same_boot # SKIP no vcpuctl-kvm"
elif ! rmmod xvcpu || ! modprobe kvm_intel; then
	n=$((n + 1)); echo "ok $n kvm_same_boot # SKIP kvm_intel does not load"
	insmod /xvcpu/xvcpu.ko 2>/dev/null
else
	# 15.6 s on a good run: a bound 8 times that, not $LIMIT, so that
	# a KVM guest that hangs cannot take the VM's own time.
	/xvcpu/bin/vcpuctl-kvm boot --kernel $K --initrd $I --mem 128M \
		--timeout 120 --append "$APPEND rdinit=/quick" \
		</dev/null >$T/console3 2>$T/summary3
	rc=$?
	n=$((n + 1))
	# A cross-check of the platform, not a test of xvcpu: KVM under
	# Bochs' VT-x ended this boot in 2 runs out of 4 with its own VM
	# entry failing (hardware reason 0x80000021, invalid guest state,
	# with RFLAGS.IF clear, while the guest probed its serial ports):
	# KVM's VMCS on Bochs' VMX, which says nothing about xvcpu. That is
	# a skip, with KVM's error and console shown.
	if [ $rc = 0 ] && grep -q MemTotal $T/console3; then
		echo "ok $n kvm_same_boot"
	else
		why=$(grep -m1 'vcpuctl: error' $T/summary3)
		echo "ok $n kvm_same_boot # SKIP KVM's boot ended with status $rc: ${why:-?}"
		sed -n '/vcpuctl: error/,/last 16 exits/p' $T/summary3 | sed 's/^/# kvm: /'
		tail -5 $T/console3 | sed 's/^/# kvm console: /'
	fi
	echo "# boot to poweroff, 128M, rdinit=/quick: xvcpu $(wall $T/summary2) s, KVM $(wall $T/summary3) s"
	sed 's/^/# kvm: /' $T/summary3 | grep -E 'summary|total|  IO  |  HLT  |  INTR  '
	rmmod kvm_intel kvm
	insmod /xvcpu/xvcpu.ko
fi
echo "# ---- second boot (128M) summary ----"
sed 's/^/# /' $T/summary2
echo "# ---- guest console ----"
sed 's/^/# /' $T/console
echo "# ---- PVH boot: console tail and summary ----"
tail -15 $T/console4 | sed 's/^/# /'
sed 's/^/# /' $T/summary4
echo "# ---- vcpuctl summary ----"
sed 's/^/# /' $T/summary
echo "# ---- vcpuctl report of the recorded boot ----"
sed 's/^/# /' $T/report $T/report.err
exit $failed
