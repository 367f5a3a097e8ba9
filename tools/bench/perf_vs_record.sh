#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the bench VM (scripts/bench.sh), with Debian's perf from the tools
# CD: what recording costs per CPUID exit under `perf record` of the
# KVM and xvcpu tracepoints, next to `vcpuctl record` of the same loop,
# and how fast `perf script` reads those events back next to `vcpuctl
# report` and `vcpuctl format`. Prints "bench ..." lines (xvcpu_bench)
# and "bench-perf ..." lines; never fails the bench.
#
#   perf_vs_record.sh kvm N     (kvm.ko loaded)
#   perf_vs_record.sh xvcpu N   (xvcpu.ko loaded)
cd /xvcpu || exit 0
export PATH=$PATH:/usr/bin:/usr/sbin
mode=$1 N=$2
B=./bin/xvcpu_bench
V=./bin/vcpuctl
T=/tmp/perf-bench
mkdir -p $T
if ! sh ./tools-mount.sh 2>$T/mount.err; then
	sed 's/^/bench-perf: /' $T/mount.err
	echo "bench-perf: no tools CD, no perf rows"
	exit 0
fi

# precord LABEL EVENT...: the cpuid loop under perf record (per task, as
# `perf record -e ... -- COMMAND` does it); the samples perf captured
# (counted in perf's pass over the file after the run, which -B would
# skip; -N: no build-id cache) and its lines about lost events.
precord() {
	label=$1
	shift
	args=
	for e in "$@"; do args="$args -e $e"; done
	# shellcheck disable=SC2086
	perf record -N -o $T/$label.data $args -- $B "$label" "$N" cpuid \
		>$T/$label.out 2>$T/$label.err
	grep '^bench ' $T/$label.out
	s=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' $T/$label.err | tail -n1)
	echo "bench-perf $label samples ${s:-?} lost-lines $(grep -c 'lost' $T/$label.err)"
	grep -v '^bench ' $T/$label.out | sed "s/^/bench-perf $label: /"
}

# cpu_time OUTFILE COMMAND...: user+sys seconds of COMMAND (busybox time).
cpu_time() {
	o=$1
	shift
	time "$@" >/dev/null 2>$T/time.txt
	awk '$1 == "user" || $1 == "sys" { sub(/s$/, "", $3); s += $2 * 60 + $3 }
	     END { printf "%.2f\n", s }' $T/time.txt >"$o"
}

case $mode in
kvm)
	precord kvm_perf_exit kvm:kvm_exit
	precord kvm_perf_exit_entry kvm:kvm_exit kvm:kvm_entry
	;;
xvcpu)
	precord xvcpu_perf_exit xvcpu:xvcpu_exit
	precord xvcpu_perf_exit_entry xvcpu:xvcpu_exit xvcpu:xvcpu_entry
	# vcpuctl record of the same events over the same loop.
	$V record -e xvcpu_exit,xvcpu_entry -o $T/vrec.dat -- \
		$B xvcpu_vrec_exit_entry "$N" cpuid >$T/vrec.out 2>$T/vrec.err
	grep '^bench ' $T/vrec.out
	grep "record: " $T/vrec.err | sed 's/^vcpuctl: /bench-perf vrec: /'
	# Reading them back: perf script (text, libtraceevent) next to
	# vcpuctl report (statistics) and format (text, libtraceevent).
	pr=$(perf script -i $T/xvcpu_perf_exit_entry.data 2>/dev/null | wc -l)
	vr=$($V format $T/vrec.dat 2>/dev/null | wc -l)
	cpu_time $T/t.pscript perf script -i $T/xvcpu_perf_exit_entry.data
	cpu_time $T/t.report $V report $T/vrec.dat
	cpu_time $T/t.format $V format $T/vrec.dat
	echo "bench-perf read perf_script $pr $(cat $T/t.pscript)"
	echo "bench-perf read vcpuctl_report $vr $(cat $T/t.report)"
	echo "bench-perf read vcpuctl_format $vr $(cat $T/t.format)"
	;;
esac
rm -rf $T
exit 0
