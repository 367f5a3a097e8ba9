#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of `vcpuctl metrics` and `vcpuctl top` on a fake debugfs
# directory holding stats files in the documented stats-fd layout
# (Documentation/stats.rst), written by tests/mkstats.py: Prometheus
# text checked by promtool (Debian's prometheus package) and parsed back,
# top's interval differences, top under a pseudo-terminal, `metrics
# --listen` over HTTP (libmicrohttpd). KTAP.
#
#   VCPUCTL=path host_stats.sh

VCPUCTL=${VCPUCTL:?}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/host-stats.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
n=0
failed=0

echo "KTAP version 1"
echo "# Subtest: vcpuctl_stats"
echo "1..5"
result() { # NAME RC [SKIP]
	n=$((n + 1))
	if [ -n "${3:-}" ]; then echo "ok $n $1 # SKIP $3"
	elif [ "$2" = 0 ]; then echo "ok $n $1"
	else echo "not ok $n $1"; failed=1; fi
}

D=$T/xvcpu
mkdir -p "$D/vm-3-4242" "$D/vm-7-4343"
python3 "$HERE/mkstats.py" "$D/vm-3-4242/stats" 3 1000 >/dev/null
python3 "$HERE/mkstats.py" "$D/vm-7-4343/stats" 7 5 >/dev/null

# 1: the exposition, checked by promtool and read back.
rc=0
"$VCPUCTL" metrics --dir "$D" >"$T/m.txt" 2>"$T/err" || rc=1
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$T/m.txt" >"$T/promtool.out" 2>&1 || {
		rc=1; sed 's/^/# promtool: /' "$T/promtool.out"; }
	result metrics_promtool_check $rc
else
	result metrics_promtool_check 0 "no promtool (apt install prometheus)"
fi

# 2: the numbers are the stats' numbers.
python3 - "$T/m.txt" <<'PY'
import re, sys
vals = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    name, v = line.rsplit(" ", 1)
    vals[name] = float(v)
want = {
    'xvcpu_exits_total{vm="3",pid="4242",vcpu="0",reason="CPUID"}': 1000,
    'xvcpu_exits_total{vm="7",pid="4343",vcpu="1",reason="CPUID"}': 5,
    'xvcpu_exit_handling_seconds_count{vm="3",pid="4242",vcpu="0",reason="CPUID"}': 1000,
    'xvcpu_exit_handling_seconds_sum{vm="3",pid="4242",vcpu="0",reason="CPUID"}': 1000 * 300e-9,
    'xvcpu_exit_handling_seconds_bucket{vm="3",pid="4242",vcpu="0",reason="CPUID",le="2.55e-07"}': 0,
    'xvcpu_exit_handling_seconds_bucket{vm="3",pid="4242",vcpu="0",reason="CPUID",le="5.11e-07"}': 1000,
    'xvcpu_exit_handling_seconds_bucket{vm="3",pid="4242",vcpu="0",reason="CPUID",le="+Inf"}': 1000,
    'xvcpu_exit_handling_max_seconds{vm="3",pid="4242",vcpu="0",reason="CPUID"}': 400e-9,
    'xvcpu_user_exits_total{vm="3",pid="4242",vcpu="0",kind="IO"}': 3,
    'xvcpu_user_roundtrip_seconds_count{vm="3",pid="4242",vcpu="0",kind="IO"}': 3,
    'xvcpu_vcpu_exits_total{vm="3",pid="4242",vcpu="0"}': 1003,
    'xvcpu_vcpu_guest_seconds_total{vm="3",pid="4242",vcpu="0"}': 0.5,
    'xvcpu_vm_vcpus{vm="3",pid="4242"}': 2,
    'xvcpu_vm_memlock_bytes{vm="7",pid="4343"}': 65536,
}
bad = [k for k, v in want.items() if k not in vals or abs(vals[k] - v) > 1e-12 * max(1, v)]
for k in bad:
    print("# %s = %s, want %s" % (k, vals.get(k), want[k]))
# Every family's samples together, one TYPE line each.
types = [l.split()[2] for l in open(sys.argv[1]) if l.startswith("# TYPE")]
if len(types) != len(set(types)):
    bad.append("duplicate TYPE")
    print("# duplicate TYPE lines")
sys.exit(1 if bad else 0)
PY
result metrics_values $?

# 3: top: the difference of two snapshots, per second.
rc=0
( sleep 0.4; python3 "$HERE/mkstats.py" "$D/vm-3-4242/stats.new" 3 3000 >/dev/null &&
  mv "$D/vm-3-4242/stats.new" "$D/vm-3-4242/stats" ) &
"$VCPUCTL" top --once -i 1 --json --dir "$D" >"$T/top.json" 2>"$T/err" || rc=1
wait
python3 - "$T/top.json" <<'PY' || rc=1
import json, sys
t = json.load(open(sys.argv[1]))
rows = {(r["vm"], r["reason"]): r for r in t["rows"]}
r = rows.get((3, "CPUID"))
ok = t["vms"] == 2 and r is not None and r["exits"] == 3000 - 1000
ok = ok and r["mean_ns"] == 300 and r["max_ns_le"] == 511
ok = ok and abs(r["per_s"] - 2000 / t["interval_s"]) < 20 and (7, "CPUID") not in rows
if not ok:
    print("# top: %s" % t)
sys.exit(0 if ok else 1)
PY
"$VCPUCTL" top --once -i 0.1 --vm 3 --dir "$D" >"$T/top.txt" 2>>"$T/err" || rc=1
grep -q "VCPU" "$T/top.txt" || rc=1
"$VCPUCTL" top --once --vm 99 --dir "$D" 2>"$T/e"; [ $? = 1 ] && grep -q "no VM 99" "$T/e" || rc=1
"$VCPUCTL" top -i 0 --dir "$D" 2>/dev/null; [ $? = 2 ] || rc=1
result top_interval_difference $rc

# 4: top in a terminal: a pseudo-terminal, screen refreshes, q quits.
python3 - "$VCPUCTL" "$D" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "top", "-i", "0.2", "--dir", sys.argv[2]])
out = b""
end = time.monotonic() + 10
while time.monotonic() < end and out.count(b"xvcpu top:") < 2:
    if select.select([fd], [], [], 0.5)[0]:
        try:
            out += os.read(fd, 4096)
        except OSError:
            break
os.write(fd, b"q")
status = None
end = time.monotonic() + 10
while time.monotonic() < end:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = st
        break
    if select.select([fd], [], [], 0.2)[0]:
        try:
            out += os.read(fd, 4096)
        except OSError:
            pass
if status is None:
    os.kill(pid, 9)
ok = status == 0 and b"\x1b[H\x1b[2J" in out and out.count(b"xvcpu top:") >= 2
ok = ok and b"q or Ctrl-C quits" in out
if not ok:
    print("# pty: status %s, output %r" % (status, out[-300:]))
sys.exit(0 if ok else 1)
PY
result top_in_a_terminal $?

# 5: metrics --listen: /metrics over HTTP (libmicrohttpd) is the one-shot
#    text byte for byte and passes promtool, other paths 404, other
#    methods 405, the stats are read afresh per scrape, SIGTERM ends it
#    with status 0; bad addresses and a port in use are clear errors.
rc=0
python3 "$HERE/mkstats.py" "$T/next.stats" 7 77 >/dev/null
"$VCPUCTL" metrics --dir "$D" --listen 127.0.0.1:0 2>"$T/http.err" &
srv=$!
python3 - "$VCPUCTL" "$D" "$T" <<'PY' >"$T/port" || rc=1
import os, re, subprocess, sys, time, urllib.error, urllib.request
vcpuctl, d, t = sys.argv[1:4]
port = None
end = time.monotonic() + 10
while port is None and time.monotonic() < end:
    m = re.search(r"serving http://127\.0\.0\.1:(\d+)/metrics", open(t + "/http.err").read())
    if m:
        port = int(m.group(1))
    else:
        time.sleep(0.05)
if port is None:
    print("# no 'serving' line: %r" % open(t + "/http.err").read())
    sys.exit(1)
print(port)
base = "http://127.0.0.1:%d" % port
bad = []
def get(path, method="GET"):
    try:
        r = urllib.request.urlopen(urllib.request.Request(base + path, method=method), timeout=10)
        return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()
st, ct, body = get("/metrics")
open(t + "/http.txt", "wb").write(body)
want = subprocess.run([vcpuctl, "metrics", "--dir", d], capture_output=True).stdout
if st != 200 or body != want or not body:
    bad.append("GET /metrics: %s, %d bytes, same as one-shot: %s" % (st, len(body), body == want))
if ct != "text/plain; version=0.0.4; charset=utf-8":
    bad.append("Content-Type %r" % ct)
st, _, body = get("/nosuch")
if st != 404 or b"/metrics" not in body:
    bad.append("GET /nosuch: %s %r" % (st, body))
st, _, _ = get("/metrics", "POST")
if st != 405:
    bad.append("POST /metrics: %s" % st)
# The next scrape shows a new snapshot.
os.rename(t + "/next.stats", d + "/vm-7-4343/stats")
st, _, body = get("/metrics")
if not re.search(rb'^xvcpu_exits_total\{vm="7",pid="4343",vcpu="0",reason="CPUID"\} 77$', body, re.M):
    bad.append("the second scrape does not show the new stats")
for b in bad:
    print("# " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
if command -v promtool >/dev/null 2>&1 && [ -s "$T/http.txt" ]; then
	promtool check metrics <"$T/http.txt" >"$T/promtool.out" 2>&1 || {
		rc=1; sed 's/^/# promtool: /' "$T/promtool.out"; }
fi
port=$(head -n1 "$T/port")
# The port is taken: a second server says so.
"$VCPUCTL" metrics --dir "$D" --listen "127.0.0.1:${port:-1}" 2>"$T/e"
[ $? = 1 ] && grep -q "cannot bind 127.0.0.1:$port: Address already in use" "$T/e" ||
	{ rc=1; sed 's/^/# in use: /' "$T/e"; }
kill -TERM $srv
wait $srv
st=$?
[ $st = 0 ] && grep -q "stopped on SIGTERM after 4 requests (2 scrapes, 0 failed)" "$T/http.err" ||
	{ rc=1; echo "# status $st"; sed 's/^/# server: /' "$T/http.err"; }
"$VCPUCTL" metrics --listen 1.2.3:9100 2>"$T/e"
[ $? = 2 ] && grep -q "bad address" "$T/e" || { rc=1; cat "$T/e"; }
"$VCPUCTL" metrics --listen 127.0.0.1:65536 2>"$T/e"
[ $? = 2 ] && grep -q "bad port" "$T/e" || { rc=1; cat "$T/e"; }
# Without libmicrohttpd (the library directory hidden in a private
# mount namespace, where one can be made): one clear line, status 1.
mkdir -p "$T/empty"
if unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount --bind '$T/empty' /usr/lib/x86_64-linux-gnu &&
		'$VCPUCTL' metrics --dir '$D' --listen 0" 2>"$T/e"
	[ $? = 1 ] && grep -q "needs libmicrohttpd (Debian's libmicrohttpd12): libmicrohttpd.so.12: cannot open" "$T/e" ||
		{ rc=1; sed 's/^/# no library: /' "$T/e"; }
else
	echo "# no private mount namespace here: the missing-library case not run"
fi
result metrics_listen_http $rc

exit $failed
