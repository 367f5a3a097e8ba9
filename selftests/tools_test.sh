#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM: Debian's perf, bpftrace and trace-cmd, from the
# tools CD (scripts/testvm/mktoolsiso.sh), count what xvcpu_workload's
# guests did, and every count must be exact. KTAP on stdout.
#
# xvcpu_workload --vms 2 N M K E: VM 0 does N CPUIDs, M OUTs to port
# 0x1234 (to user space), K debug-port writes, E guest events; VM 1
# twice as many of each; both with every exit traced. Besides those the
# guests have EPT violations (first touches), the final ucall (one more
# OUT, port 0xe0f0) and nothing else.
#
# Then `vcpuctl metrics --listen`, with libmicrohttpd from the tools CD:
# the served numbers are the stats', other paths 404, SIGTERM ends it
# cleanly; the served text is printed between "# metrics-http" markers
# for the host (tools/vcpuctl/tests/vm_promtool.sh runs promtool on it).
#
# usage: tools_test.sh   (in /xvcpu: bin/xvcpu_workload, bin/vcpuctl,
#                         guests/cpuid_spin.bin, bpf/*.bt,
#                         tools-mount.sh, xvcpu.ko)
cd /xvcpu || exit 1
export PATH=$PATH:/usr/sbin:/usr/bin
N=300 M=20 K=15 E=6
W=/xvcpu/bin/xvcpu_workload
BPF=/xvcpu/bpf
T=/tmp/tools
mkdir -p $T

n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); fail=1; echo "not ok $n $1"; }
# check NAME WANT GOT: one KTAP line, both numbers in the log.
check() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		echo "# $1: want $2, got $3"
		nok "$1"
	fi
}
log() { sed 's/^/# /' "$@"; }
# wl FILE VM KEY: the value after KEY on the workload's line for VM.
wl() {
	awk -v v="$2" -v k="$3" '$1 == "vm" && $2 == v {
		for (i = 3; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"
}
secs() { cut -d' ' -f1 /proc/uptime; }

echo "KTAP version 1"
echo "1..27"
dmesg -c >/dev/null

# 1: the module and the tools
if ! grep -q '^xvcpu ' /proc/modules; then
	insmod /xvcpu/xvcpu.ko || echo "# insmod failed"
fi
t0=$(secs)
if sh /xvcpu/tools-mount.sh; then
	ok "tools_cd_mounted"
	log /tools/xvcpu-tools
else
	nok "tools_cd_mounted"
fi
echo "# tools CD mounted in $(echo "$(secs) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"

# 2: the workload alone; its ids are the ones the filters below use
# (ida: lowest free ids, the same on every run while no other VM exists).
$W --vms 2 $N $M $K $E >$T/base.txt 2>&1
log $T/base.txt
ID0=$(wl $T/base.txt 0 id) ID1=$(wl $T/base.txt 1 id)
ok=1
[ -n "$ID0" ] && [ -n "$ID1" ] && [ "$ID0" != "$ID1" ] || ok=0
[ "$(wl $T/base.txt 0 exits_CPUID)" = $N ] || ok=0
[ "$(wl $T/base.txt 1 exits_CPUID)" = $((2 * N)) ] || ok=0
[ "$(wl $T/base.txt 0 exits_IO_INSTRUCTION)" = $((M + K + 1)) ] || ok=0
[ "$(wl $T/base.txt 1 exits_IO_INSTRUCTION)" = $((2 * M + 2 * K + 1)) ] || ok=0
[ $ok = 1 ] && ok "workload_stats_exact" || nok "workload_stats_exact"
# Same ids on a later run, else the vm_id filters below test nothing.
same_ids() { # output file
	[ "$(wl "$1" 0 id)" = "$ID0" ] && [ "$(wl "$1" 1 id)" = "$ID1" ]
}

# 3-8: perf stat, kernel-side filters on the raw fields
perf stat -x, -o $T/stat.csv \
	-e xvcpu:xvcpu_exit --filter 'exit_reason == 10' \
	-e xvcpu:xvcpu_exit --filter "exit_reason == 10 && vm_id == $ID0" \
	-e xvcpu:xvcpu_exit --filter "exit_reason == 10 && vm_id == $ID1" \
	-e xvcpu:xvcpu_io --filter 'port == 0x1234' \
	-e xvcpu:xvcpu_debug_port \
	-e xvcpu:xvcpu_guest_event \
	-- $W --vms 2 $N $M $K $E >$T/stat.out 2>&1
log $T/stat.csv
same_ids $T/stat.out || echo "# VM ids changed: $(cat $T/stat.out)"
stat() { grep -v '^#' $T/stat.csv | grep . | sed -n "${1}p" | cut -d, -f1; }
check "perf_stat_cpuid_exits" $((3 * N)) "$(stat 1)"
check "perf_stat_vm_filter" "$N $((2 * N))" "$(stat 2) $(stat 3)"
check "perf_stat_io_port" $((3 * M)) "$(stat 4)"
check "perf_stat_debug_port" $((3 * K)) "$(stat 5)"
check "perf_stat_guest_events" $((3 * E)) "$(stat 6)"
# The module's default policy: I/O exits traced 1 in 100, all counted.
S=300
perf stat -x, -o $T/every.csv -e xvcpu:xvcpu_exit --filter 'exit_reason == 30' \
	-- $W --default-policy 0 $S 0 >$T/every.out 2>&1
log $T/every.out $T/every.csv
traced=$(grep -v '^#' $T/every.csv | grep . | head -1 | cut -d, -f1)
ex=$(wl $T/every.out 0 exits_IO_INSTRUCTION)
st=$(wl $T/every.out 0 traced_IO_INSTRUCTION)
# S OUTs and the ucall: S + 1 exits, 1 in 100 of them traced.
if [ "$ex" = $((S + 1)) ] && [ "$traced" = "$st" ] &&
   [ $((traced - (S + 1) / 100)) -ge -1 ] && [ $((traced - (S + 1) / 100)) -le 1 ]; then
	ok "perf_stat_every_100"
else
	echo "# every 100: $ex I/O exits, perf counted $traced, stats traced $st"
	nok "perf_stat_every_100"
fi

# 9: perf record / perf script print every event through libtraceevent,
# xvcpu_regs_diff's text included.
t0=$(secs)
(cd $T && perf record -q -N -o $T/perf.data -e xvcpu:xvcpu_exit \
	-e xvcpu:xvcpu_regs_diff -- $W 20 2 2 >$T/rec.out 2>&1)
perf script -i $T/perf.data >$T/script.txt 2>&1
echo "# perf record + script: $(echo "$(secs) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"
grep -m3 'xvcpu_regs_diff:.*rax' $T/script.txt | log
grep -m1 'reason=CPUID' $T/script.txt | log
n_exit=$(grep -c 'xvcpu:xvcpu_exit:' $T/script.txt)
n_diff=$(grep -c 'xvcpu:xvcpu_regs_diff:' $T/script.txt)
# Each diff is "unchanged" or "reg 0xOLD -> 0xNEW" pairs (past the 14th
# changed register "+reg ...", names only), nothing else.
bad=$(grep 'xvcpu:xvcpu_regs_diff:' $T/script.txt |
	sed 's/.*xvcpu_regs_diff: vm_id=[0-9]* vcpu_id=[0-9]* //' |
	grep -cvE '^(unchanged|[a-z0-9]+ 0x[0-9a-f]+ -> 0x[0-9a-f]+( [a-z0-9]+ 0x[0-9a-f]+ -> 0x[0-9a-f]+)*( \+[a-z0-9]+( [a-z0-9]+)*)?)$')
if [ "$(grep -c 'reason=CPUID' $T/script.txt)" = 20 ] && [ "$n_exit" = "$n_diff" ] &&
   [ "$n_exit" -gt 20 ] && [ "$bad" = 0 ] &&
   ! grep -q 'FAILED TO PARSE' $T/script.txt; then
	ok "perf_script_parses_every_event"
else
	echo "# perf script: $n_exit exits, $n_diff diffs, $bad malformed"
	grep -m5 -E 'FAILED|xvcpu_regs_diff' $T/script.txt | log
	nok "perf_script_parses_every_event"
fi

# 10-15: bpftrace, the scripts of tools/bpf as they are
bt() { # output-file script [args]
	out=$1
	shift
	t0=$(secs)
	bpftrace "$@" -c "$W --vms 2 $N $M $K $E" >"$out" 2>&1
	echo "# bpftrace $(basename "$1"): $(echo "$(secs) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"
}
# Exits of VM 1 only, by reason with names.
bt $T/exits.txt $BPF/xvcpu_exits.bt "$ID1"
log $T/exits.txt
same_ids $T/exits.txt || echo "# VM ids changed"
check "bpftrace_exits_cpuid" $((2 * N)) \
	"$(sed -n "s/^@exits\[$ID1, 10, CPUID\]: //p" $T/exits.txt)"
check "bpftrace_exits_io_vmcall" "$((2 * M + 2 * K + 1)) $((2 * E))" \
	"$(sed -n "s/^@exits\[$ID1, 30, IO_INSTRUCTION\]: //p" $T/exits.txt) $(sed -n "s/^@exits\[$ID1, 18, VMCALL\]: //p" $T/exits.txt)"
check "bpftrace_exits_vm_filter" 0 "$(grep -c "^@exits\[$ID0," $T/exits.txt)"

# Handling times of both VMs: counts exact, never 0 ns, a first-touch
# EPT violation (pins a page) slower on average than a CPUID.
bt $T/times.txt $BPF/xvcpu_exit_times.bt
log $T/times.txt
# The bucket counts of @ns[10, CPUID]'s histogram, added up.
hsum=$(awk '/^@ns\[10, CPUID\]:/ { on = 1; next } on && /^$/ && s { exit }
	on && /^\[/ { sub(/\|.*/, ""); s += $NF } END { print s + 0 }' $T/times.txt)
cst=$(sed -n 's/^@ns_stats\[10, CPUID\]: count \([0-9]*\), average \([0-9]*\).*/\1 \2/p' $T/times.txt)
est=$(sed -n 's/^@ns_stats\[48, EPT_VIOLATION\]: count \([0-9]*\), average \([0-9]*\).*/\1 \2/p' $T/times.txt)
check "bpftrace_exit_times_counts" "$((3 * N)) $((3 * N))" "$hsum ${cst% *}"
zero=$(grep -c '^\[0\]' $T/times.txt)
if [ "$zero" = 0 ] && [ -n "$est" ] && [ "${cst#* }" -gt 0 ] &&
   [ "${est#* }" -gt "${cst#* }" ]; then
	ok "bpftrace_exit_times_order"
else
	echo "# CPUID: $cst, EPT_VIOLATION: $est (count average), [0] buckets: $zero"
	nok "bpftrace_exit_times_order"
fi

# The debug-port timeline: every byte, in order, with its component and
# a time that never goes back within a VM.
bt $T/dbg.txt $BPF/xvcpu_debug_port.bt
log $T/dbg.txt
grep -E '^ *[0-9]+\.[0-9]{9} ' $T/dbg.txt >$T/dbg.lines
check "bpftrace_debug_port_count" "$K $((2 * K))" \
	"$(awk -v v=$ID0 '$2 == v' $T/dbg.lines | wc -l) $(awk -v v=$ID1 '$2 == v' $T/dbg.lines | wc -l)"
comps="firmware bootloader kernel userspace custom"
bad=$(awk -v c="$comps" 'BEGIN { split(c, name, " ") }
	{ i = seen[$2]++; code = (i % 5) * 32 + 1 + int(i / 5) % 31
	  if ($4 != sprintf("0x%02x", code) || $5 != name[i % 5 + 1]) bad++
	  if ($1 + 0 < last[$2]) bad++
	  last[$2] = $1 + 0 }
	END { print bad + 0 }' $T/dbg.lines)
check "bpftrace_debug_port_codes_components_times" 0 "$bad"

# Guest events: E per VM 0 and 2E for VM 1, half with 0 words, half with 5.
bt $T/ev.txt $BPF/xvcpu_guest_events.bt
log $T/ev.txt
got=$(for v in $ID0 $ID1; do
	printf '%s %s ' \
		"$(grep -cE "^ *[0-9.]+  $v +[0-9]+ +0x500 +0 +0x0 0x0 0x0 0x0 0x0$" $T/ev.txt)" \
		"$(grep -cE "^ *[0-9.]+  $v +[0-9]+ +0x505 +5 +0x[0-9a-f]+ 0x2 0x3 0x4 0x5$" $T/ev.txt)"
done)
check "bpftrace_guest_events_0_and_5_words" "$((E / 2)) $((E / 2)) $E $E " "$got"

# 16-21: trace-cmd record / report
t0=$(secs)
(cd $T && trace-cmd record -q -o $T/trace.dat \
	-e xvcpu:xvcpu_exit -f 'exit_reason == 10' \
	-e xvcpu:xvcpu_io -f 'port == 0x1234' \
	-e xvcpu:xvcpu_debug_port -e xvcpu:xvcpu_guest_event \
	$W --vms 2 $N $M $K $E >$T/tc.out 2>&1)
trace-cmd report -i $T/trace.dat >$T/report.txt 2>&1
echo "# trace-cmd record + report: $(echo "$(secs) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"
grep -m1 'xvcpu_exit:' $T/report.txt | log
grep -m1 'xvcpu_debug_port:' $T/report.txt | log
grep -m1 'xvcpu_guest_event:' $T/report.txt | log
check "trace_cmd_cpuid_exits" $((3 * N)) "$(grep -c 'xvcpu_exit: .*reason=CPUID ' $T/report.txt)"
check "trace_cmd_io_port" $((3 * M)) "$(grep -c 'xvcpu_io: .*port=0x1234 ' $T/report.txt)"
check "trace_cmd_debug_port" $((3 * K)) "$(grep -c 'xvcpu_debug_port: ' $T/report.txt)"
check "trace_cmd_guest_events" $((3 * E)) "$(grep -c 'xvcpu_guest_event: ' $T/report.txt)"
# A filter on the VM id, and xvcpu_regs_diff's text through libtraceevent.
(cd $T && trace-cmd record -q -o $T/vm.dat \
	-e xvcpu:xvcpu_exit -f "vm_id == $ID1" \
	-e xvcpu:xvcpu_regs_diff -f "vm_id == $ID1" \
	$W --vms 2 $N $M $K $E >$T/tcvm.out 2>&1)
trace-cmd report -i $T/vm.dat >$T/vm.txt 2>&1
same_ids $T/tcvm.out || echo "# VM ids changed"
check "trace_cmd_vm_filter" "$((2 * N)) 0" \
	"$(grep -c "xvcpu_exit: .*vm_id=$ID1 .*reason=CPUID " $T/vm.txt) $(grep -E 'xvcpu_(exit|regs_diff): ' $T/vm.txt | grep -vc "vm_id=$ID1 ")"
grep -m2 'xvcpu_regs_diff: .*rax' $T/vm.txt | log
bad=$(grep 'xvcpu_regs_diff: ' $T/vm.txt |
	sed 's/.*xvcpu_regs_diff: *vm_id=[0-9]* vcpu_id=[0-9]* //' |
	grep -cvE '^(unchanged|[a-z0-9]+ 0x[0-9a-f]+ -> 0x[0-9a-f]+( [a-z0-9]+ 0x[0-9a-f]+ -> 0x[0-9a-f]+)*( \+[a-z0-9]+( [a-z0-9]+)*)?)$')
n_exit=$(grep -c 'xvcpu_exit: ' $T/vm.txt)
n_diff=$(grep -c 'xvcpu_regs_diff: ' $T/vm.txt)
if [ "$bad" = 0 ] && [ "$n_exit" = "$n_diff" ] && ! grep -q 'FAILED TO PARSE' $T/vm.txt; then
	ok "trace_cmd_regs_diff_text"
else
	echo "# trace-cmd: $n_exit exits, $n_diff diffs, $bad malformed"
	nok "trace_cmd_regs_diff_text"
fi

# 24-26: vcpuctl metrics --listen while a guest that did exactly 1000
# CPUIDs spins: libmicrohttpd (dlopen()ed from the tools CD) serves the
# stats' numbers at /metrics, 404 elsewhere, a second server on the same
# port fails clearly, SIGTERM ends it with status 0.
V=/xvcpu/bin/vcpuctl
PORT=9464
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null
$V run /xvcpu/guests/cpuid_spin.bin >$T/spin 2>&1 &
spin=$!
i=0
while [ $i -lt 120 ] && ! grep -q c $T/spin; do sleep 1; i=$((i + 1)); done
$V metrics --listen 127.0.0.1:$PORT 2>$T/http.err &
srv=$!
i=0
while [ $i -lt 60 ] && ! grep -q "serving http://127.0.0.1:$PORT/metrics" $T/http.err; do
	sleep 1; i=$((i + 1))
done
log $T/http.err
t0=$(secs)
wget -q -O $T/http.txt http://127.0.0.1:$PORT/metrics 2>$T/wget.err
wrc=$?
echo "# GET /metrics: $(wc -c <$T/http.txt) bytes in $(echo "$(secs) $t0" | awk '{ printf "%.2f", $1 - $2 }') s"
txt=$(ls -d /sys/kernel/debug/xvcpu/vm-*/ 2>/dev/null | head -n1)stats_text
want=$(sed -n 's|^vcpu0/exits_CPUID ||p' "$txt" 2>/dev/null)
got=$(sed -n 's/^xvcpu_exits_total{vm="[0-9]*",pid="[0-9]*",vcpu="0",reason="CPUID"} //p' $T/http.txt)
hcount=$(sed -n 's/^xvcpu_exit_handling_seconds_count{vm="[0-9]*",pid="[0-9]*",vcpu="0",reason="CPUID"} //p' $T/http.txt)
grep "reason=\"CPUID\"" $T/http.txt | grep -v _bucket | log
[ $wrc = 0 ] || log $T/wget.err
check "metrics_listen_serves_the_stats" "0 1000 1000 1000" "$wrc $want $got $hcount"
wget -q -O $T/404.txt http://127.0.0.1:$PORT/nosuch 2>$T/wget.err
wrc=$?
$V metrics --listen 127.0.0.1:$PORT 2>$T/inuse.err
irc=$?
log $T/wget.err $T/inuse.err
if [ $wrc != 0 ] && grep -q "404" $T/wget.err && [ $irc = 1 ] &&
   grep -q "cannot bind 127.0.0.1:$PORT: Address already in use" $T/inuse.err; then
	ok "metrics_listen_404_and_port_in_use"
else
	echo "# wget /nosuch: status $wrc; second server: status $irc"
	nok "metrics_listen_404_and_port_in_use"
fi
kill -TERM $srv
wait $srv
src=$?
log $T/http.err
if [ $src = 0 ] && grep -q "stopped on SIGTERM after 2 requests (1 scrapes, 0 failed)" $T/http.err; then
	ok "metrics_listen_sigterm_clean"
else
	echo "# server exit status $src"
	nok "metrics_listen_sigterm_clean"
fi
kill -INT $spin
wait $spin
# The served text, for promtool on the host.
echo "# metrics-http begin"
sed 's/^/# metrics-http: /' $T/http.txt
echo "# metrics-http end"

if dmesg | grep -E "BUG:|WARNING:|Oops|Call Trace|unsafe dereference|Too many args" >$T/bad; then
	log $T/bad
	nok "kernel_log_clean"
else
	ok "kernel_log_clean"
fi
exit $fail
