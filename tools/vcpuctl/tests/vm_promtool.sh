#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# On the host, after the tools VM (selftests/tools_test.sh): the text
# `vcpuctl metrics --listen` served in the VM, printed between the
# "# metrics-http begin/end" markers of its KTAP, through `promtool check
# metrics` (Debian's prometheus). One KTAP line.
#
#   vm_promtool.sh KTAP-FILE

K=${1:?usage: vm_promtool.sh KTAP-FILE}
T=$(mktemp -d "${TMPDIR:-/tmp}/vm-promtool.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
echo "KTAP version 1"
echo "1..1"
sed -n '/^# metrics-http begin$/,/^# metrics-http end$/s/^# metrics-http: //p' "$K" >"$T/m.txt"
if ! command -v promtool >/dev/null 2>&1; then
	echo "ok 1 vm_metrics_listen_promtool # SKIP no promtool (apt install prometheus)"
	exit 0
fi
if ! grep -q '^xvcpu_exits_total{' "$T/m.txt"; then
	echo "# no served metrics in $K"
	echo "not ok 1 vm_metrics_listen_promtool"
	exit 1
fi
if promtool check metrics <"$T/m.txt" >"$T/out" 2>&1; then
	echo "# promtool: $(wc -l <"$T/m.txt") lines of the VM's /metrics pass"
	echo "ok 1 vm_metrics_listen_promtool"
else
	sed 's/^/# promtool: /' "$T/out"
	echo "not ok 1 vm_metrics_listen_promtool"
	exit 1
fi
