#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench_report.sh [N]: `vcpuctl report` throughput on a generated trace
# of N exits (default 10M; tests/gen_trace.c), CPU time of one core and
# wall time. The file (about 100 bytes a record) is removed after.
#
#   VCPUCTL=path GEN=path/to/gen_trace [TMPDIR=dir] bench_report.sh [N]

VCPUCTL=${VCPUCTL:?} GEN=${GEN:?}
N=${1:-10000000}
F=$(mktemp "${TMPDIR:-/tmp}/bench-report.XXXXXX") || exit 1
trap 'rm -f "$F"' EXIT
"$GEN" "$F" "$N" 5 --no-expect || exit 1
python3 - "$VCPUCTL" "$F" <<'PY'
import json, os, resource, subprocess, sys, time
for run in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run([sys.argv[1], "report", "--json", sys.argv[2]],
                       stdout=subprocess.PIPE, check=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rep = json.loads(r.stdout)
    recs = rep["events"] + rep["lost_records"]
    print("report: %d records, %.0f MB: %.2f s CPU, %.2f s wall: %.1f M records/s (CPU), %.1f M/s (wall)"
          % (recs, os.path.getsize(sys.argv[2]) / 1e6, cpu, wall,
             recs / cpu / 1e6, recs / wall / 1e6))
PY
