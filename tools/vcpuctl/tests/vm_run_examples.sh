#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the test VM (busybox, payload in /xvcpu): load xvcpu.ko, run
# run_examples.sh against the real module, show the kernel log if
# anything failed, unload. Assembled and started by vm-check.sh.

cd /xvcpu || exit 1
echo "# vcpuctl: host CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)," \
	"clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
if ! insmod ./xvcpu.ko; then
	echo "# vcpuctl: insmod xvcpu.ko failed"
	dmesg | tail -n 30 | sed 's/^/# dmesg: /'
	exit 1
fi
VCPUCTL=./vcpuctl BACKEND=xvcpu EXAMPLES=./examples GUESTS=./guests \
	sh ./run_examples.sh
rc=$?
if [ $rc != 0 ]; then
	dmesg | grep -i xvcpu | tail -n 40 | sed 's/^/# dmesg: /'
fi
# The summary and output of one plain run, for the record.
echo "# ---- vcpuctl run examples/hello ----"
./vcpuctl run examples/hello 2>&1 | sed 's/^/# /'
echo "# ---- time vcpuctl run -q examples/hello ----"
{ time ./vcpuctl run -q examples/hello >/dev/null; } 2>&1 | sed 's/^/# /'
rmmod xvcpu || rc=1
exit $rc
