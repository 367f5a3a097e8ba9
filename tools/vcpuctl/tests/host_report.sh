#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of `vcpuctl report` and `format` on generated trace files
# (tests/gen_trace.c), as KTAP: exact counts, percentiles within 1% of
# the exact ones, lost records, filters, sort keys, the JSON parsed back
# by a JSON parser, format's lines and CSV, bad files, and the report
# throughput on 1M records.
#
#   VCPUCTL=path GEN=path/to/gen_trace [TMPDIR=dir] host_report.sh

VCPUCTL=${VCPUCTL:?} GEN=${GEN:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/host-report.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
n=0
failed=0

echo "KTAP version 1"
echo "# Subtest: vcpuctl_report"
echo "1..8"
result() { # NAME RC
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n $1"; else echo "not ok $n $1"; failed=1; fi
}

"$GEN" "$T/g.dat" 200000 7 >"$T/expect" && "$VCPUCTL" report --json "$T/g.dat" >"$T/g.json" 2>"$T/err"
rc=$?
[ $rc = 0 ] && python3 - "$T/expect" "$T/g.json" <<'PY'
import json, sys
exp = {}
lost = None
for line in open(sys.argv[1]):
    w = line.split()
    if w[0] == "reason":
        exp[w[1]] = {w[i]: int(w[i + 1]) for i in range(2, len(w), 2)}
    elif w[0] == "lost":
        lost = int(w[1])
    elif w[0] == "stats":
        st = {w[i]: int(w[i + 1]) for i in range(2, len(w), 2)}
rep = json.load(open(sys.argv[2]))
bad = []
got = {r["reason"]: r for r in rep["reasons"]}
if set(got) != set(exp):
    bad.append("reasons %s != %s" % (sorted(got), sorted(exp)))
for name, e in exp.items():
    g = got.get(name)
    if not g:
        continue
    for k in ("count", "kernel", "user"):
        if g[k] != e[k]:
            bad.append("%s %s %d != %d" % (name, k, g[k], e[k]))
    if g["total_ns"] != e["total"] or g["min_ns"] != e["min"] or g["max_ns"] != e["max"]:
        bad.append("%s total/min/max" % name)
    if g["user_rt"]["count"] != e["rt_count"]:
        bad.append("%s rt count %d != %d" % (name, g["user_rt"]["count"], e["rt_count"]))
    for k, ek in (("p50_ns", "p50"), ("p90_ns", "p90"), ("p99_ns", "p99"), ("p999_ns", "p999")):
        if abs(g[k] - e[ek]) > 0.01 * e[ek]:
            bad.append("%s %s %d not within 1%% of %d" % (name, k, g[k], e[ek]))
# The VM's stats next to the file: only reasons that moved (HLT did not).
want = [{"vm": 1, "pid": 77, "reason": "CPUID", "exits": st["exits"],
         "traced": st["traced"], "sampled_out": 50, "in_file": st["in_file"]}]
if rep["stats"] != want:
    bad.append("stats %s != %s" % (rep["stats"], want))
if rep["lost"] != lost:
    bad.append("lost %d != %d" % (rep["lost"], lost))
total = sum(e["count"] for e in exp.values())
if rep["exits"]["total"] != total:
    bad.append("exits %d != %d" % (rep["exits"]["total"], total))
if sum(c["exits"] for c in rep["cpus"]) != total or len(rep["vcpus"]) != 2:
    bad.append("per-CPU or per-vCPU tables")
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
result report_exact_counts_and_percentiles $?

# Filters and sort keys.
rc=0
"$VCPUCTL" report --json --vcpu 1 --reason HLT,io_instruction "$T/g.dat" >"$T/f.json" 2>>"$T/err" || rc=1
python3 - "$T/f.json" "$T/g.json" <<'PY' || rc=1
import json, sys
f = json.load(open(sys.argv[1]))
g = json.load(open(sys.argv[2]))
names = sorted(r["reason"] for r in f["reasons"])
ok = names == ["HLT", "IO_INSTRUCTION"] and [v["vcpu"] for v in f["vcpus"]] == [1]
ok = ok and 0 < f["exits"]["total"] < g["exits"]["total"]
if not ok:
    print("# filtered report:", names, f["vcpus"], f["exits"])
sys.exit(0 if ok else 1)
PY
for key in count time p99 max; do
	"$VCPUCTL" report --sort $key "$T/g.dat" >"$T/s.txt" 2>>"$T/err" || rc=1
done
"$VCPUCTL" report --sort count "$T/g.dat" | sed -n '6p' | grep -q '^CPUID ' || rc=1
"$VCPUCTL" report --sort max "$T/g.dat" | sed -n '6p' | grep -q '^HLT ' || rc=1
"$VCPUCTL" report --sort max "$T/g.dat" >/dev/null 2>&1 || rc=1
result report_filters_and_sort $rc

# format: every record a line, time order, LOST lines, CSV.
rc=0
"$GEN" "$T/small.dat" 1000 3 >/dev/null
"$VCPUCTL" format "$T/small.dat" >"$T/f.txt" 2>>"$T/err" || rc=1
[ "$(grep -c ' xvcpu_exit ' "$T/f.txt")" = 1000 ] || rc=1
grep -q 'reason=CPUID' "$T/f.txt" || rc=1
"$VCPUCTL" format --csv "$T/small.dat" >"$T/f.csv" 2>>"$T/err" || rc=1
python3 - "$T/f.csv" <<'PY' || rc=1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ts = [int(r["time_ns"]) for r in rows]
ok = ts == sorted(ts) and sum(r["event"] == "xvcpu_exit" for r in rows) == 1000
ok = ok and all("handle_ns=" in r["fields"] for r in rows if r["event"] == "xvcpu_exit")
sys.exit(0 if ok else 1)
PY
"$VCPUCTL" format --raw "$T/small.dat" | grep -q 'exit_reason=' || rc=1
# The formats file: the shipped default, a template, errors with the line.
"$VCPUCTL" format --formats "$(dirname "$0")/../vcpuctl.formats" "$T/small.dat" >"$T/ff.txt" 2>>"$T/err" || rc=1
[ "$(grep -cE ' xvcpu_exit +vm 1 vcpu [01] exit [0-9]+ rip 0x0 qual 0x0 outcome [01] in [0-9]+ ns$' "$T/ff.txt")" = 1000 ] || rc=1
printf '# mine\nxvcpu_exit took %%(handle_ns)d ns (%%%%)\n' >"$T/my.formats"
"$VCPUCTL" format --formats "$T/my.formats" "$T/small.dat" | grep -qE ' xvcpu_exit +took [0-9]+ ns \(%\)$' || rc=1
printf 'xvcpu_exit a\nxvcpu_exit %%(nosuch)x\n' >"$T/bad.formats"
"$VCPUCTL" format --formats "$T/bad.formats" "$T/small.dat" >/dev/null 2>"$T/e"
[ $? = 1 ] && grep -q "bad.formats:2: event xvcpu_exit has no field 'nosuch'" "$T/e" || rc=1
printf 'xvcpu_exit %%(handle_ns)s\n' >"$T/bad.formats"
"$VCPUCTL" format --formats "$T/bad.formats" "$T/small.dat" >/dev/null 2>"$T/e"
[ $? = 1 ] && grep -q "bad.formats:1: bad conversion" "$T/e" || rc=1
result format_lines_csv_raw_formats $rc

# --chrome-trace: Trace Event JSON a JSON parser reads back, a track
# per vCPU, one span per exit (ending at the event, handle_ns long) and
# one per user-space round trip.
rc=0
"$GEN" "$T/small.dat" 1000 3 >"$T/small.expect"
"$VCPUCTL" format --chrome-trace "$T/small.dat" >"$T/c.json" 2>>"$T/err" || rc=1
python3 - "$T/c.json" "$T/small.expect" <<'PY' || rc=1
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
exits = [e for e in ev if e["ph"] == "X" and e["cat"] == "exit"]
user = [e for e in ev if e["ph"] == "X" and e["cat"] == "user"]
names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev
         if e["ph"] == "M" and e["name"] == "thread_name"}
rt = sum(int(l.split()[l.split().index("rt_count") + 1])
         for l in open(sys.argv[2]) if l.startswith("reason"))
ok = len(exits) == 1000 and len(user) == rt and rt > 0
ok = ok and names == {(1, 0): "vCPU 0", (1, 1): "vCPU 1"}
ok = ok and all(e["dur"] >= 0 and e["ts"] > 0 for e in exits + user)
if not ok:
    print("# chrome trace: %d exit spans, %d user spans (want %d), tracks %s"
          % (len(exits), len(user), rt, names))
sys.exit(0 if ok else 1)
PY
result format_chrome_trace $rc

# Bad files: one line, status 1, never a crash.
rc=0
check_bad() { # FILE MESSAGE
	"$VCPUCTL" report "$1" >/dev/null 2>"$T/e"
	s=$?
	if [ $s != 1 ] || [ "$(wc -l <"$T/e")" != 1 ] || ! grep -qF -- "$2" "$T/e"; then
		echo "# $1: status $s: $(cat "$T/e")"
		rc=1
	fi
}
: >"$T/empty.dat"
check_bad "$T/empty.dat" "empty file"
printf 'NOTATRACEFILE...' >"$T/magic.dat"
check_bad "$T/magic.dat" "not a vcpuctl trace file"
head -c 1000 "$T/small.dat" >"$T/cut.dat"
check_bad "$T/cut.dat" "corrupt trace file at offset"
cp "$T/small.dat" "$T/v2.dat"
printf '\002' | dd of="$T/v2.dat" bs=1 seek=8 conv=notrunc 2>/dev/null
check_bad "$T/v2.dat" "unsupported trace file version"
check_bad "$T" "Is a directory"
check_bad "$T/nosuch.dat" "No such file or directory"
"$VCPUCTL" report --sort nosuch "$T/small.dat" 2>/dev/null; [ $? = 2 ] || rc=1
"$VCPUCTL" report "$T/small.dat" "$T/small.dat" 2>/dev/null; [ $? = 2 ] || rc=1
result bad_files_one_line_errors $rc

# A file cut at a record boundary (recording killed): read, with a warning.
rc=0
size=$(wc -c <"$T/small.dat")
# The END record of 2 CPUs is 24 + 2 * 16 bytes.
head -c $((size - 56)) "$T/small.dat" >"$T/noend.dat"
"$VCPUCTL" report --json "$T/noend.dat" >"$T/n.json" 2>"$T/e" || rc=1
grep -q "no end record" "$T/e" || rc=1
grep -q '"complete":false' "$T/n.json" || rc=1
result report_file_without_end $rc

# A file recorded in the test VM (tests/data/guest.dat: `record -e
# debug,guest,vm` around record.S, see vm_record.sh) read here, on
# another kernel, from the formats it carries.
rc=0
G=$(dirname "$0")/data/guest.dat
"$VCPUCTL" report --json "$G" >"$T/vm.json" 2>"$T/err" || rc=1
grep -q '"kernel":"6.1.0-' "$T/vm.json" || rc=1
grep -q '"event_counts":{"xvcpu_vm_create":1,"xvcpu_vcpu_create":1,"xvcpu_debug_port":5,"xvcpu_guest_event":4,"xvcpu_vm_destroy":1}' "$T/vm.json" || rc=1
"$VCPUCTL" report --boot "$G" >"$T/vm.txt" 2>>"$T/err" || rc=1
[ "$(grep -cE '^0 +0 +0x6[0-4] +userspace ' "$T/vm.txt")" = 5 ] || rc=1
"$VCPUCTL" report --events "$G" >"$T/ev.txt" 2>>"$T/err" || rc=1
for i in 0 1 2 3; do
	grep -qE "^0 +0 +0x0000020$i +[0-9.]+ +0x40$((i * 2))\$" "$T/ev.txt" || rc=1
done
"$VCPUCTL" format "$G" >"$T/vm.fmt" 2>>"$T/err" || rc=1
grep -q 'xvcpu_debug_port .*code 0x64 userspace' "$T/vm.fmt" || rc=1
grep -q 'xvcpu_guest_event .*id 0x203 n 1 data 1030 ns ' "$T/vm.fmt" || rc=1
[ $rc = 0 ] || { cat "$T/vm.txt" "$T/ev.txt" "$T/vm.fmt" "$T/err" | sed 's/^/# /'; }
result vm_recorded_file_reported_on_host $rc

# Throughput: 1M exits (and their entries), CPU time of one core (the
# wall time on a shared machine is the scheduler's). Issue target: >= 5M
# records/s.
"$GEN" "$T/m.dat" 1000000 11 --no-expect
python3 - "$VCPUCTL" "$T/m.dat" <<'PY'
import os, resource, subprocess, sys, time
t0 = time.monotonic()
r = subprocess.run([sys.argv[1], "report", "--json", sys.argv[2]],
                   stdout=subprocess.PIPE)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
import json
rep = json.loads(r.stdout)
recs = rep["events"] + rep["lost_records"]
print("# report: %d records (%.0f MB) in %.3f s CPU (%.3f s wall): %.1f M records/s"
      % (recs, os.path.getsize(sys.argv[2]) / 1e6, cpu, wall, recs / cpu / 1e6))
sys.exit(0 if r.returncode == 0 and recs / cpu >= 5e6 else 1)
PY
result report_throughput_5m_records_per_s $?

exit $failed
