#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `vcpuctl record`, `report` and `format` on the real module, in the
# test VM (busybox sh, xvcpu.ko loaded by vm_check.sh), as KTAP. The
# guests do known numbers of exits (tests/guests/record.S, storm.S,
# triple.S) and the counts must come back exactly.
#
#   VCPUCTL=path   vcpuctl (default /xvcpu/bin/vcpuctl)
#   GUESTS=dir     record.bin, storm.bin, triple.bin, spin.bin
#                  (default /xvcpu/guests)

VCPUCTL=${VCPUCTL:-/xvcpu/bin/vcpuctl}
GUESTS=${GUESTS:-/xvcpu/guests}
POLICY=/sys/module/xvcpu/parameters/trace_policy
T=$(mktemp -d "${TMPDIR:-/tmp}/vm-record.XXXXXX") || exit 1
n=0
bad=

echo "KTAP version 1"
echo "1..14"

result() {
	n=$((n + 1))
	if [ -z "$bad" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		echo "# $bad"
		for f in "$T/out" "$T/err"; do
			[ -s "$f" ] && head -c 3000 "$f" | sed "s|^|# $(basename "$f"): |"
		done
	fi
	bad=
}
want() { grep -qF -- "$2" "$1" || bad="$bad $(basename "$1") lacks '$2';"; }
lacks() { ! grep -qF -- "$2" "$1" || bad="$bad $(basename "$1") has '$2';"; }
want_rc() { [ "$1" = "$2" ] || bad="$bad exit status $1, want $2;"; }
# A number after "KEY": in a JSON report.
jnum() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1" | head -n1; }
# The JSON object of one exit reason, on a line of its own.
reason_json() {
	tr '{' '\n' <"$1" | grep -F "\"reason\":\"$2\"" | head -n1
}
want_reason() { # FILE REASON FIELD VALUE
	reason_json "$1" "$2" | grep -qF "\"$3\":$4," ||
		bad="$bad $2 $3 is not $4 ($(reason_json "$1" "$2" | cut -c1-200));"
}

# Every exit traced (the seed policy samples I/O and MSR 1 in 100).
old_policy=$(cat $POLICY 2>/dev/null)
echo '*:all' >$POLICY || echo "# cannot set $POLICY"

# 1: exactly 1000 CPUIDs, 8 port writes (5 debug port, 3 COM1), 4 guest
#    events, 1 HLT: exactly these counts in the file and the report.
"$VCPUCTL" record -o "$T/a.dat" -- "$VCPUCTL" run -q "$GUESTS/record.bin" \
	>"$T/out" 2>"$T/err"
want_rc $? 0
want "$T/out" "ok"
want "$T/err" "record: lost 0 events"
want "$T/err" "record: command exited with status 0"
"$VCPUCTL" report --json "$T/a.dat" >"$T/a.json" 2>>"$T/err"
want_rc $? 0
want_reason "$T/a.json" CPUID count 1000
want_reason "$T/a.json" CPUID kernel 1000
want_reason "$T/a.json" IO_INSTRUCTION count 8
want_reason "$T/a.json" IO_INSTRUCTION kernel 5
want_reason "$T/a.json" IO_INSTRUCTION user 3
want_reason "$T/a.json" VMCALL count 4
want_reason "$T/a.json" HLT user 1
want "$T/a.json" '"xvcpu_cpuid":1000'
want "$T/a.json" '"xvcpu_io":8'
want "$T/a.json" '"xvcpu_debug_port":5'
want "$T/a.json" '"xvcpu_guest_event":4'
want "$T/a.json" '"lost":0,'
want "$T/a.json" '"complete":true'
# The three COM1 exits went through user space and back.
reason_json "$T/a.json" IO_INSTRUCTION | grep -qF '"user_rt":' ||
	bad="$bad no user_rt;"
[ "$(tr '{' '\n' <"$T/a.json" | grep -A1 -F '"reason":"IO_INSTRUCTION"' |
	sed -n 's/^"count":\([0-9]*\).*/\1/p')" = 3 ] ||
	bad="$bad IO user round trips are not 3;"
cp "$T/a.json" "$T/out"
result record_exact_counts

# 2: the text report says the same, with percentiles.
"$VCPUCTL" report --sort time "$T/a.dat" >"$T/out" 2>"$T/err"
want_rc $? 0
grep -qE '^CPUID +1000 ' "$T/out" || bad="$bad no CPUID 1000 line;"
grep -qE '^IO_INSTRUCTION +8 ' "$T/out" || bad="$bad no IO 8 line;"
want "$T/out" "lost: 0 events"
want "$T/out" "P99.9"
"$VCPUCTL" report --reason cpuid,hlt --json "$T/a.dat" >"$T/r.json" 2>>"$T/err"
want "$T/r.json" '"total":1001,'
lacks "$T/r.json" '"IO_INSTRUCTION"'
# The debug-port timeline and the guest events with their data.
"$VCPUCTL" report --boot "$T/a.dat" >"$T/b.txt" 2>>"$T/err"
[ "$(grep -c ' userspace ' "$T/b.txt")" = 5 ] || bad="$bad boot table lacks 5 userspace codes;"
want "$T/b.txt" "0x64   userspace"
"$VCPUCTL" report --events "$T/a.dat" >"$T/e.txt" 2>>"$T/err"
want "$T/e.txt" "0x00000203"
want "$T/e.txt" " 0x406"
cat "$T/b.txt" "$T/e.txt" >>"$T/out"
result report_text_and_reason_filter

# 3: format: one line per event, in time order, fields by name.
"$VCPUCTL" format "$T/a.dat" >"$T/out" 2>"$T/err"
want_rc $? 0
[ "$(grep -c ' xvcpu_cpuid ' "$T/out")" = 1000 ] || bad="$bad not 1000 cpuid lines;"
[ "$(grep -c ' xvcpu_debug_port ' "$T/out")" = 5 ] || bad="$bad not 5 debug-port lines;"
want "$T/out" "reason=CPUID"
want "$T/out" "code 0x64"
"$VCPUCTL" format --csv "$T/a.dat" >"$T/c.csv" 2>>"$T/err"
want "$T/c.csv" "cpu,time_ns,delta_ns,event,fields"
[ "$(grep -c ',xvcpu_guest_event,' "$T/c.csv")" = 4 ] || bad="$bad not 4 guest-event rows;"
# Timestamps never go back.
awk -F, 'NR > 1 && $2 < t { exit 1 } NR > 1 { t = $2 }' "$T/c.csv" ||
	bad="$bad csv timestamps out of order;"
result format_lines_and_csv

# 4: the event-class and event-name selection.
"$VCPUCTL" record -e cpuid,xvcpu_debug_port -o "$T/b.dat" -q -- \
	"$VCPUCTL" run -q "$GUESTS/record.bin" >"$T/out" 2>"$T/err"
want_rc $? 0
"$VCPUCTL" report --json "$T/b.dat" >"$T/b.json" 2>>"$T/err"
want "$T/b.json" '"event_counts":{"xvcpu_cpuid":1000,"xvcpu_debug_port":5}'
want "$T/b.json" '"total":0,'
# The guest's own reports only: a small file, printed in base64 for the
# host test's fixture (tests/data/guest.dat: reported on the host).
"$VCPUCTL" record -e debug,guest,vm -o "$T/g.dat" -q -- \
	"$VCPUCTL" run -q "$GUESTS/record.bin" >>"$T/out" 2>>"$T/err"
"$VCPUCTL" report --json "$T/g.dat" >"$T/g.json" 2>>"$T/err"
want "$T/g.json" '"xvcpu_debug_port":5'
want "$T/g.json" '"xvcpu_guest_event":4'
if [ -n "${RECORD_DUMP:-}" ] || grep -q record_dump /proc/cmdline; then
	echo "# guest.dat base64 begin"
	base64 "$T/g.dat" | sed 's/^/# b64 /'
	echo "# guest.dat base64 end"
fi
result record_event_selection

# 5: VM filter in the kernel: a spinning VM (id 0) is recorded while
#    record.bin runs as VM 1; --vm 1 keeps only VM 1's events, --vm 0
#    none of them.
"$VCPUCTL" run "$GUESTS/spin.bin" >"$T/spin" 2>&1 &
spin=$!
i=0
while [ $i -lt 120 ] && ! grep -q s "$T/spin"; do sleep 1; i=$((i + 1)); done
"$VCPUCTL" record --vm 1 -o "$T/v1.dat" -q -- \
	"$VCPUCTL" run -q "$GUESTS/record.bin" >"$T/out" 2>"$T/err"
want_rc $? 0
"$VCPUCTL" record --vm 0 -o "$T/v0.dat" -q -- \
	"$VCPUCTL" run -q "$GUESTS/record.bin" >>"$T/out" 2>>"$T/err"
kill -INT $spin
wait $spin
"$VCPUCTL" report --json "$T/v1.dat" >"$T/v1.json" 2>>"$T/err"
"$VCPUCTL" report --json "$T/v0.dat" >"$T/v0.json" 2>>"$T/err"
want_reason "$T/v1.json" CPUID count 1000
want "$T/v1.json" '"vcpus":[{"vm":1,"vcpu":0,'
lacks "$T/v1.json" '"vm":0,'
lacks "$T/v0.json" '"reason":"CPUID"'
lacks "$T/v0.json" '"vm":1,'
cat "$T/v1.json" "$T/v0.json" >>"$T/out"
result record_vm_filter_in_kernel

# 6: CPU selection: the guest pinned to CPU 1, recorded on CPU 0 only,
#    then on CPU 1 only.
if command -v taskset >/dev/null 2>&1; then
	"$VCPUCTL" record -c 0 -o "$T/c0.dat" -q -- taskset 2 \
		"$VCPUCTL" run -q "$GUESTS/record.bin" >"$T/out" 2>"$T/err"
	"$VCPUCTL" record -c 1 -o "$T/c1.dat" -q -- taskset 2 \
		"$VCPUCTL" run -q "$GUESTS/record.bin" >>"$T/out" 2>>"$T/err"
	"$VCPUCTL" report --json "$T/c0.dat" >"$T/c0.json" 2>>"$T/err"
	"$VCPUCTL" report --json "$T/c1.dat" >"$T/c1.json" 2>>"$T/err"
	lacks "$T/c0.json" '"reason":"CPUID"'
	want_reason "$T/c1.json" CPUID count 1000
	want "$T/c1.json" '"cpus":[{"cpu":1,'
	result record_cpu_selection
else
	n=$((n + 1))
	echo "ok $n record_cpu_selection # SKIP no taskset"
fi

# 7: an exit storm into a one-page ring, reader and guest on one CPU:
#    records are lost, said so, and kept + lost = every exit the VM made.
pin=
command -v taskset >/dev/null 2>&1 && pin="taskset 1"
$pin "$VCPUCTL" record -e xvcpu_exit --ring 4K -o "$T/s.dat" -- \
	"$VCPUCTL" run "$GUESTS/storm.bin" >"$T/out" 2>"$T/err"
want_rc $? 0
want "$T/err" "record: LOST "
"$VCPUCTL" report --json "$T/s.dat" >"$T/s.json" 2>>"$T/err"
exits=$(sed -n 's/.*VM exits (run->exit_count): *\([0-9]*\).*/\1/p' "$T/err" | head -n1)
kept=$(jnum "$T/s.json" total)
lost=$(jnum "$T/s.json" lost)
echo "# storm: $exits exits, $kept kept, $lost lost"
grep "record: " "$T/err" | sed 's/^/# /'
[ -n "$exits" ] && [ -n "$kept" ] && [ -n "$lost" ] && [ "$lost" -gt 0 ] &&
	[ $((kept + lost)) = "$exits" ] ||
	bad="$bad kept $kept + lost $lost != exits $exits;"
"$VCPUCTL" report "$T/s.dat" >"$T/s.txt" 2>>"$T/err"
grep -qE "^lost: $lost events in [1-9]" "$T/s.txt" || bad="$bad text report lacks lost $lost;"
"$VCPUCTL" format "$T/s.dat" >"$T/s.fmt" 2>>"$T/err"
grep -q ' LOST ' "$T/s.fmt" || bad="$bad format shows no LOST line;"
result record_lost_counted

# 8: the flight recorder writes the moments before a triple fault.
"$VCPUCTL" record --flight 64K -o "$T/f.dat" -- \
	"$VCPUCTL" run "$GUESTS/triple.bin" >"$T/out" 2>"$T/err"
want_rc $? 0
want "$T/err" "flight recorder (guest failure)"
grep "flight recorder" "$T/err" | sed 's/^/# /'
"$VCPUCTL" report --json "$T/f.dat" >"$T/f.json" 2>>"$T/err"
want "$T/f.json" '"flight":true'
want_reason "$T/f.json" TRIPLE_FAULT count 1
want "$T/f.json" '"xvcpu_debug_port":1'
"$VCPUCTL" format "$T/f.dat" | tail -n 3 >>"$T/err"
result flight_recorder_triple_fault

# 9: --flight on SIGUSR1, and -T ends a recording on its own.
"$VCPUCTL" run "$GUESTS/spin.bin" >"$T/spin" 2>&1 &
spin=$!
i=0
while [ $i -lt 120 ] && ! grep -q s "$T/spin"; do sleep 1; i=$((i + 1)); done
"$VCPUCTL" record --flight 64K -T 3 -o "$T/u.dat" >"$T/out" 2>"$T/err" &
rec=$!
# Once it says it records (the events are on).
i=0
while [ $i -lt 60 ] && ! grep -q "record: .* events on" "$T/err"; do
	sleep 1; i=$((i + 1))
done
kill -USR1 $rec
wait $rec
want_rc $? 0
kill -INT $spin
wait $spin
want "$T/err" "flight recorder (SIGUSR1)"
"$VCPUCTL" report --json "$T/u.dat" >"$T/u.json" 2>>"$T/err"
want "$T/u.json" '"flight":true'
want "$T/u.json" '"complete":true'
result flight_recorder_sigusr1_and_duration

# 10: bad input: one line, distinct status, no crash.
"$VCPUCTL" record -e nosuch -o "$T/x.dat" >"$T/out" 2>"$T/err"
want_rc $? 2
want "$T/err" "unknown event class or event 'nosuch'"
"$VCPUCTL" record -c 64 -o "$T/x.dat" >>"$T/out" 2>>"$T/err"
want_rc $? 2
want "$T/err" "CPU 64 out of range"
head -c 100 "$T/a.dat" >"$T/trunc.dat"
"$VCPUCTL" report "$T/trunc.dat" >>"$T/out" 2>>"$T/err"
want_rc $? 1
want "$T/err" "corrupt trace file at offset 64: truncated record"
"$VCPUCTL" report "$GUESTS/record.bin" >>"$T/out" 2>>"$T/err"
want_rc $? 1
want "$T/err" "not a vcpuctl trace file (bad magic)"
"$VCPUCTL" report --reason NOSUCH "$T/a.dat" >>"$T/out" 2>>"$T/err"
want_rc $? 2
want "$T/err" "unknown exit reason 'NOSUCH'"
result bad_input_errors

# 11: metrics: a live VM that did exactly 1000 CPUIDs; the exposition
#     says what the stats say (debugfs stats_text), as a histogram too.
"$VCPUCTL" run "$GUESTS/cpuid_spin.bin" >"$T/spin" 2>&1 &
spin=$!
i=0
while [ $i -lt 120 ] && ! grep -q c "$T/spin"; do sleep 1; i=$((i + 1)); done
"$VCPUCTL" metrics >"$T/out" 2>"$T/err"
want_rc $? 0
txt=$(ls -d /sys/kernel/debug/xvcpu/vm-*/ | head -n1)stats_text
grep -q "^vcpu0/exits_CPUID 1000$" "$txt" || bad="$bad stats_text lacks exits_CPUID 1000;"
want "$T/out" 'xvcpu_exits_total{vm="0",pid="'
grep -qE '^xvcpu_exits_total\{vm="0",pid="[0-9]+",vcpu="0",reason="CPUID"\} 1000$' "$T/out" ||
	bad="$bad no CPUID 1000 counter;"
grep -qE '^xvcpu_exit_handling_seconds_count\{vm="0",pid="[0-9]+",vcpu="0",reason="CPUID"\} 1000$' "$T/out" ||
	bad="$bad no CPUID histogram count 1000;"
grep -qE '^xvcpu_exit_handling_seconds_bucket\{.*reason="CPUID",le="\+Inf"\} 1000$' "$T/out" ||
	bad="$bad no +Inf bucket 1000;"
want "$T/out" "# TYPE xvcpu_exit_handling_seconds histogram"
grep "reason=\"CPUID\"" "$T/out" | grep -v _bucket | sed 's/^/# /'
result metrics_show_the_stats

# 12: top --once while a guest does CPUIDs without end: its rate, mean
#     and bound, next to the idle VM 0.
"$VCPUCTL" run "$GUESTS/cpuid_loop.bin" >"$T/loop" 2>&1 &
loop=$!
i=0
while [ $i -lt 120 ] && ! grep -q l "$T/loop"; do sleep 1; i=$((i + 1)); done
"$VCPUCTL" top --once -i 1 >"$T/out" 2>"$T/err"
want_rc $? 0
"$VCPUCTL" top --once -i 1 --json >"$T/top.json" 2>>"$T/err"
want_rc $? 0
kill -INT $loop
wait $loop
kill -INT $spin
wait $spin
want "$T/out" "xvcpu top: 2 VMs"
grep -qE '^1 +[0-9]+ +all +CPUID +[0-9.]+ ' "$T/out" || bad="$bad no CPUID row for VM 1;"
grep -qE '"vm":1,"pid":[0-9]+,"reason":"CPUID","exits":[1-9]' "$T/top.json" ||
	bad="$bad no CPUID row in JSON;"
sed 's/^/# /' "$T/out"
result top_once_live_rates

# 13: latency: the BPF histograms count every exit of record.bin.
"$VCPUCTL" latency -i 0 --json -- "$VCPUCTL" run -q "$GUESTS/record.bin" \
	>"$T/lat.json" 2>"$T/err"
want_rc $? 0
tr '{' '\n' <"$T/lat.json" | grep -qF '"reason":"CPUID","count":1000,' ||
	bad="$bad CPUID count is not 1000;"
tr '{' '\n' <"$T/lat.json" | grep -qF '"reason":"IO_INSTRUCTION","count":8,' ||
	bad="$bad IO count is not 8;"
tr '{' '\n' <"$T/lat.json" | grep -qF '"reason":"VMCALL","count":4,' ||
	bad="$bad VMCALL count is not 4;"
"$VCPUCTL" latency -i 0 -- "$VCPUCTL" run -q "$GUESTS/record.bin" >"$T/out" 2>>"$T/err"
want_rc $? 0
want "$T/out" "@handle_ns[CPUID]: 1000 exits"
cp "$T/lat.json" "$T/out.json"
sed -n '/CPUID/,/^$/p' "$T/out" | sed 's/^/# /'
result latency_bpf_histograms

# 14: sampling next to the truth: the seed policy traces I/O exits 1 in
#     100; the report sets the file's count beside the VM's own stats
#     (exits, traced, sampled out) over the recorded time.
echo default >$POLICY
"$VCPUCTL" run "$GUESTS/io_loop.bin" >"$T/io" 2>&1 &
io=$!
i=0
while [ $i -lt 120 ] && ! grep -q i "$T/io"; do sleep 1; i=$((i + 1)); done
"$VCPUCTL" record -e xvcpu_exit -T 2 -o "$T/st.dat" >"$T/out" 2>"$T/err"
want_rc $? 0
kill -INT $io
wait $io
"$VCPUCTL" report --json "$T/st.dat" >"$T/st.json" 2>>"$T/err"
"$VCPUCTL" report "$T/st.dat" >"$T/st.txt" 2>>"$T/err"
row=$(tr '{' '\n' <"$T/st.json" | grep -F '"pid":' | grep -F '"reason":"IO_INSTRUCTION","exits":' | head -n1)
ex=$(echo "$row" | sed -n 's/.*"exits":\([0-9]*\).*/\1/p')
tr_=$(echo "$row" | sed -n 's/.*"traced":\([0-9]*\).*/\1/p')
so=$(echo "$row" | sed -n 's/.*"sampled_out":\([0-9]*\).*/\1/p')
inf=$(echo "$row" | sed -n 's/.*"in_file":\([0-9]*\).*/\1/p')
echo "# I/O exits while recording: $ex by the stats, $tr_ traced, $so sampled out, $inf in the file, $(jnum "$T/st.json" lost) lost"
if [ -z "$ex" ] || [ -z "$inf" ] || [ "$ex" -lt 1000 ]; then
	bad="$bad no stats row with 1000+ I/O exits ($row);"
else
	# 1 in 100 of what the traced loop saw (a sampling phase of 1 either way).
	# The stats are read without stopping the vCPU: the last snapshot
	# may fall between an exit's sampling decision (right after it) and
	# its count in exits_<R> (after its handling), one exit apart.
	seen=$((tr_ + so))
	[ "$seen" -le $((ex + 1)) ] && [ $((seen * 2)) -ge "$ex" ] ||
		bad="$bad traced $tr_ + sampled out $so vs exits $ex;"
	[ $((tr_ * 100)) -ge $((seen - 100)) ] && [ $((tr_ * 100)) -le $((seen + 100)) ] ||
		bad="$bad traced $tr_ is not 1 in 100 of $seen;"
	# What the rings dropped is counted: in the file + lost = traced,
	# but for the exits between a snapshot and the enable or disable
	# of the events on every CPU (2% here).
	lost=$(jnum "$T/st.json" lost)
	[ "$inf" -ge 1 ] && [ $((inf + lost)) -le "$tr_" ] &&
		[ $((tr_ - inf - lost)) -le $((tr_ / 50 + 3)) ] ||
		bad="$bad in file $inf + lost $lost vs traced $tr_;"
fi
sed -n '/While recording/,$p' "$T/st.txt" | sed 's/^/# /'
cp "$T/st.json" "$T/out"
result sampling_next_to_the_stats

echo "${old_policy:-default}" >$POLICY 2>/dev/null
# What a user sees, for the record.
echo "# ---- vcpuctl report (record.bin) ----"
"$VCPUCTL" report "$T/a.dat" 2>&1 | sed 's/^/# /'
echo "# ---- vcpuctl format (first lines) ----"
"$VCPUCTL" format "$T/a.dat" 2>&1 | head -n 8 | sed 's/^/# /'
rm -rf "$T"
