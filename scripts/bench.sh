#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the same guest loops on KVM (Debian's kvm.ko/kvm-intel.ko of
# the test kernel, loaded first, then unloaded) and on xvcpu, in one boot
# of the Bochs test VM. Reports host TSC ticks per round trip -- in Bochs,
# host instructions -- over ITERATIONS exits each, and the ratio
# xvcpu/KVM. Then (tools/bench/perf_vs_record.sh, perf from the tools CD)
# the CPUID loop under perf record on both and under vcpuctl record, and
# perf script next to vcpuctl report/format reading those events back.
# Then a Linux boot to poweroff on each (vcpuctl boot and its KVM
# backend), in host TSC ticks. Not part of pass/fail.
# Usage: scripts/bench.sh [--quick] [ITERATIONS]
# --quick: xvcpu's loops only (no KVM, no vcpuctl record runs), for
# iterating on the exit path; the published figures come from a full run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
if [ "${1:-}" = --quick ]; then
	QUICK=1
	shift
fi
N=${1:-100000}
OUT=$ROOT/build/bench-run
cd "$ROOT"

scripts/testvm/setup.sh >/dev/null
make -s module >/dev/null
make -s -C tools/bench OUT="$ROOT/build/bench" >/dev/null
make -s -C tools/vcpuctl OUT="$ROOT/build/vcpuctl" >/dev/null
# The Linux boot row: vcpuctl's KVM backend and the guest (boot.rst).
make -s -C tools/vcpuctl "$ROOT/build/unit/vcpuctl-kvm" UNIT_OUT="$ROOT/build/unit" >/dev/null

rm -rf "$OUT"
mkdir -p "$OUT/payload/bin"
strip --strip-debug -o "$OUT/payload/xvcpu.ko" xvcpu.ko
cp build/bench/xvcpu_bench "$OUT/payload/bin/"
strip -o "$OUT/payload/bin/vcpuctl" build/vcpuctl/vcpuctl
if [ "$QUICK" = 1 ]; then
	cat >"$OUT/payload/check.sh" <<IN_VM
#!/bin/sh
cd /xvcpu
insmod xvcpu.ko
./bin/xvcpu_bench xvcpu $N
rmmod xvcpu
IN_VM
	chmod +x "$OUT/payload/check.sh"
	scripts/testvm/testvm.sh --engine bochs --payload "$OUT/payload" \
		--out "$OUT/vm" --timeout 1800 --append "tsc_early_khz=50000" |
		tee "$OUT/raw.txt" | grep '^bench' | tee "$OUT/bench.txt" || true
	exit 0
fi
# perf record next to vcpuctl record (tools/bench/perf_vs_record.sh):
# Debian's perf from the tools CD, mounted in the VM.
TOOLS_ISO=$(scripts/testvm/mktoolsiso.sh)
cp tools/bench/perf_vs_record.sh scripts/testvm/tools-mount.sh "$OUT/payload/"
strip -o "$OUT/payload/bin/vcpuctl-kvm" build/unit/vcpuctl-kvm
scripts/testvm/mklinuxguest.sh "$OUT/payload/linux" >/dev/null
cat >"$OUT/payload/check.sh" <<IN_VM
#!/bin/sh
cd /xvcpu
# linux_boot BACKEND VCPUCTL: Linux to poweroff (rdinit=/quick, 128M),
# its "boot:" line (host TSC ticks: host instructions in Bochs).
linux_boot() {
	\$2 boot --kernel linux/bzImage --initrd linux/guest.cpio --mem 128M \
		--timeout 120 --append "tsc_early_khz=50000 cryptomgr.notests rodata=off mitigations=off audit=0 lsm=none rdinit=/quick" \
		</dev/null >/tmp/lb.con 2>/tmp/lb.sum
	echo "bench-linux: \$1 status \$? \$(grep '^boot: ' /tmp/lb.sum)"
	grep -m1 'vcpuctl: error' /tmp/lb.sum | sed "s/^/bench-linux: \$1 /"
}
insmod kmod/irqbypass.ko && insmod kmod/kvm.ko && insmod kmod/kvm-intel.ko
./bin/xvcpu_bench kvm $N
sh ./perf_vs_record.sh kvm $N
linux_boot kvm ./bin/vcpuctl-kvm
rmmod kvm_intel; rmmod kvm; rmmod irqbypass
insmod xvcpu.ko
./bin/xvcpu_bench xvcpu $N
linux_boot xvcpu ./bin/vcpuctl
# The same loops while vcpuctl record writes every xvcpu_exit and
# xvcpu_entry to a file (CPUID is traced whole by the seed policy).
./bin/vcpuctl record -e exit -o /tmp/rec.dat -- ./bin/xvcpu_bench xvcpu_recorded $N 2>&1 |
	sed 's/^vcpuctl: /bench-record: /'
./bin/vcpuctl report -r CPUID /tmp/rec.dat | sed -n '1,6s/^/bench-record: /p'
rm -f /tmp/rec.dat
# 1M CPUID exits sampled 1 in 10 by the trace policy, xvcpu_exit recorded
# at the default ring size: what is kept and lost.
echo 'default,CPUID:every10' >/sys/module/xvcpu/parameters/trace_policy
./bin/vcpuctl record -e xvcpu_exit -o /tmp/s10.dat -- ./bin/xvcpu_bench xvcpu_every10 1000000 2>&1 |
	sed 's/^vcpuctl: /bench-record-every10: /'
./bin/vcpuctl report -r CPUID /tmp/s10.dat | sed -n '1,6s/^/bench-record-every10: /p'
echo default >/sys/module/xvcpu/parameters/trace_policy
sh ./perf_vs_record.sh xvcpu $N
rmmod xvcpu
IN_VM
chmod +x "$OUT/payload/check.sh"

# shellcheck source=testvm/payload.sh
. scripts/testvm/payload.sh	# TOOLS_KMODS: the CD-ROM's modules
scripts/testvm/testvm.sh --engine bochs --payload "$OUT/payload" \
	--kmods "irqbypass kvm kvm-intel $TOOLS_KMODS" --cdrom "$TOOLS_ISO" \
	--out "$OUT/vm" --timeout 3600 --append "tsc_early_khz=50000" | tee "$OUT/raw.txt" | grep '^bench' >"$OUT/bench.txt" || true

awk '
$1 == "bench" { v[$2 " " $3] = $6; if ($2 == "kvm") n = $4 }
END {
	if (!(("kvm cpuid") in v) || !(("xvcpu cpuid") in v)) {
		print "bench: incomplete results (see build/bench-run/raw.txt)"; exit 1
	}
	printf "host instructions (TSC ticks in Bochs) per round trip, %d iterations\n", n
	printf "%-28s %10s %10s %8s %8s\n", "loop", "KVM", "xvcpu", "ratio", "target"
	split("cpuid io null", L, " ")
	split("in-kernel_CPUID_exit I/O_exit_to_user_and_back null_vCPU_ioctl", D, " ")
	split("0.333 0.5 -", T, " ")
	for (i = 1; i <= 3; i++) {
		k = v["kvm " L[i]]; x = v["xvcpu " L[i]]; d = D[i]; gsub("_", " ", d)
		printf "%-28s %10.1f %10.1f %8.3f %8s\n", d, k, x, x / k, T[i] == "-" ? "-" : "<= " T[i]
	}
}' "$OUT/bench.txt" | tee "$OUT/table.txt"
# The trace policy's sampled-out CPUID exit, over the "cpuid" loop.
awk '$1 == "bench" && $2 == "xvcpu" { v[$3] = $6 }
END { if ("cpuid_sampled_out" in v)
	printf "xvcpu CPUID exit sampled out by the trace policy: %.1f (+%.1f over tracing off)\n", v["cpuid_sampled_out"], v["cpuid_sampled_out"] - v["cpuid"] }' "$OUT/bench.txt" | tee -a "$OUT/table.txt"
# Tracing: the CPUID exit with events into the ftrace ring, both sides.
awk '$1 == "bench" { v[$2 " " $3] = $6 }
END {
	if (!(("kvm cpuid_ev_exit") in v) || !(("xvcpu cpuid_ev_exit") in v)) exit
	printf "\nCPUID exit with tracing (events into the ftrace ring), instructions per exit\n"
	printf "%-36s %9s %9s %9s %9s %7s\n", "events", "KVM", "+KVM", "xvcpu", "+xvcpu", "ratio"
	kb = v["kvm cpuid"]; xb = v["xvcpu cpuid"]
	printf "%-36s %9.1f %9s %9.1f %9s %7s\n", "none (stats on)", kb, "", xb, "", ""
	split("cpuid_ev_exit cpuid_ev_exit_entry cpuid_ev_all", L, " ")
	D[1] = "exit event"; D[2] = "exit + entry"; D[3] = "all a CPUID exit emits"
	for (i = 1; i <= 3; i++) {
		k = v["kvm " L[i]]; x = v["xvcpu " L[i]]
		printf "%-36s %9.1f %+9.1f %9.1f %+9.1f %7.3f\n", D[i], k, k - kb, x, x - xb, (x - xb) / (k - kb)
	}
	if (("xvcpu cpuid_ev_three") in v)
		printf "%-36s %9.1f %+9.1f %9.1f %+9.1f %7.3f\n", "exit + entry + cpuid (KVM: all)", v["kvm cpuid_ev_all"], v["kvm cpuid_ev_all"] - kb, v["xvcpu cpuid_ev_three"], v["xvcpu cpuid_ev_three"] - xb, (v["xvcpu cpuid_ev_three"] - xb) / (v["kvm cpuid_ev_all"] - kb)
	if (("xvcpu cpuid_ev_regs_diff") in v)
		printf "%-36s %9s %9s %9.1f %+9.1f\n", "xvcpu_regs_diff alone", "-", "", v["xvcpu cpuid_ev_regs_diff"], v["xvcpu cpuid_ev_regs_diff"] - xb
	printf "target: one xvcpu_exit (a whole exit) <= 0.5 x KVM exit+entry: %.1f vs %.1f\n", v["xvcpu cpuid_ev_exit"] - xb, 0.5 * (v["kvm cpuid_ev_exit_entry"] - kb)
	printf "target: every xvcpu event of a CPUID exit < KVM'"'"'s three: %.1f vs %.1f", v["xvcpu cpuid_ev_all"] - xb, v["kvm cpuid_ev_all"] - kb
	if (("xvcpu cpuid_ev_three") in v)
		printf " (without xvcpu_regs_diff: %.1f)", v["xvcpu cpuid_ev_three"] - xb
	printf "\n"
}' "$OUT/bench.txt" | tee -a "$OUT/table.txt"
# vcpuctl record writing every exit and entry (tools/vcpuctl record.c).
awk '$1 == "bench" && $2 == "xvcpu" { v[$3] = $6 } $1 == "bench" && $2 == "xvcpu_recorded" { r[$3] = $6 }
END { if ("cpuid" in r)
	printf "xvcpu CPUID exit under vcpuctl record -e exit: %.1f (+%.1f over tracing off)\n", r["cpuid"], r["cpuid"] - v["cpuid"] }' "$OUT/bench.txt" | tee -a "$OUT/table.txt"
awk '$1 == "bench" && $2 == "xvcpu" { v[$3] = $6 } $1 == "bench" && $2 == "xvcpu_every10" { r[$3] = $6; n = $4 }
END { if ("cpuid" in r)
	printf "xvcpu CPUID exit sampled 1 in 10, vcpuctl record -e xvcpu_exit, %d exits: %.1f (+%.1f over tracing off)\n", n, r["cpuid"], r["cpuid"] - v["cpuid"] }' "$OUT/bench.txt" | tee -a "$OUT/table.txt"
grep -E '^bench-record(-every10)?: ' "$OUT/raw.txt" | tee -a "$OUT/table.txt" || true
# perf record of the KVM and xvcpu tracepoints and vcpuctl record, the
# same CPUID loop (tools/bench/perf_vs_record.sh): instructions per exit
# over the untraced loop of the same backend.
awk '$1 == "bench" && $3 == "cpuid" { v[$2] = $6 }
$1 == "bench-perf" && $3 == "samples" { s[$2] = $4 }
END {
	if (!("kvm_perf_exit_entry" in v) || !("xvcpu_perf_exit" in v)) exit
	printf "\nRecording every CPUID exit to a file, instructions per exit (perf record: per task; vcpuctl record: per CPU)\n"
	printf "%-50s %9s %9s %9s\n", "recorder", "per exit", "+cost", "samples"
	kb = v["kvm"]; xb = v["xvcpu"]
	split("kvm_perf_exit kvm_perf_exit_entry xvcpu_perf_exit xvcpu_perf_exit_entry xvcpu_vrec_exit_entry", L, " ")
	D[1] = "KVM, perf record -e kvm:kvm_exit"
	D[2] = "KVM, perf record -e kvm:kvm_exit -e kvm:kvm_entry"
	D[3] = "xvcpu, perf record -e xvcpu:xvcpu_exit"
	D[4] = "xvcpu, perf record -e xvcpu_exit -e xvcpu_entry"
	D[5] = "xvcpu, vcpuctl record -e xvcpu_exit,xvcpu_entry"
	for (i = 1; i <= 5; i++) {
		if (!(L[i] in v)) continue
		b = L[i] ~ /^kvm/ ? kb : xb
		printf "%-50s %9.1f %+9.1f %9s\n", D[i], v[L[i]], v[L[i]] - b, (L[i] in s) ? s[L[i]] : "-"
	}
	if (("xvcpu_recorded") in v)
		printf "%-50s %9.1f %+9.1f %9s\n", "xvcpu, vcpuctl record -e exit (bench-record)", v["xvcpu_recorded"], v["xvcpu_recorded"] - xb, "-"
	printf "target: vcpuctl record of every exit <= perf record -e kvm:kvm_exit -e kvm:kvm_entry on KVM: %+.1f vs %+.1f\n",
		v["xvcpu_vrec_exit_entry"] - xb, v["kvm_perf_exit_entry"] - kb
}' "$OUT/raw.txt" | tee -a "$OUT/table.txt"
# Reading the exit+entry events back, one core of the VM (user+sys).
awk '$1 == "bench-perf" && $2 == "read" { n[$3] = $4; t[$3] = $5 }
END {
	if (!("perf_script" in n)) exit
	printf "\nReading the same exits back (exit+entry events), CPU seconds in the VM\n"
	printf "%-16s %9s %8s %12s\n", "reader", "records", "seconds", "records/s"
	split("perf_script vcpuctl_report vcpuctl_format", L, " ")
	for (i = 1; i <= 3; i++)
		if (L[i] in n)
			printf "%-16s %9d %8.2f %12.0f\n", L[i], n[L[i]], t[L[i]], (t[L[i]] > 0 ? n[L[i]] / t[L[i]] : 0)
}' "$OUT/raw.txt" | tee -a "$OUT/table.txt"
grep -E '^bench-perf (vrec|kvm|xvcpu)' "$OUT/raw.txt" | grep -v ' samples ' | tee -a "$OUT/table.txt" || true
# The Linux boot to poweroff on each (vcpuctl boot, Documentation/boot.rst).
awk '$1 == "bench-linux:" && $3 == "status" && $5 == "boot:" {
	st[$2] = $4; s[$2] = $6; t[$2] = $8; x[$2] = $12 }
END {
	if (!("xvcpu" in t)) exit
	printf "\nLinux boot to poweroff (the test kernel, 128M, rdinit=/quick), one run each\n"
	# exit_count of the run page: every VM exit on xvcpu, only those
	# that reached vcpuctl on KVM.
	printf "%-8s %8s %16s %10s %8s\n", "backend", "status", "host_TSC_ticks", "exits*", "seconds"
	for (b in t)
		printf "%-8s %8s %16s %10s %8s\n", b, st[b], t[b], x[b], s[b]
	print "* xvcpu: every VM exit; KVM: the exits that reached vcpuctl"
	if (("kvm" in t) && st["kvm"] == 0 && st["xvcpu"] == 0)
		printf "xvcpu/KVM host instructions: %.3f\n", t["xvcpu"] / t["kvm"]
	else
		print "xvcpu/KVM: no ratio (a boot did not power off; see build/bench-run/raw.txt)"
}' "$OUT/raw.txt" | tee -a "$OUT/table.txt"
grep -E '^bench-linux: [a-z]+ vcpuctl: error' "$OUT/raw.txt" | tee -a "$OUT/table.txt" || true
