#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: the main job, end to end. Boots the Bochs test VM (VT-x),
# loads xvcpu.ko, shows the VMX capabilities it read, runs the example
# guests with `vcpuctl run` (their console output and exit summary), boots
# Linux with `vcpuctl boot` (its console, the commands typed into its
# shell, its debug-port timeline and exit profile, recorded with `vcpuctl
# record` and shown by `vcpuctl report`), records the hello
# guest with `vcpuctl record` and shows `vcpuctl report` of it, and
# prints what the module logged. Does its own set-up on a fresh machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}
OUT=$ROOT/build/run
cd "$ROOT"

# Nothing may be assumed built: a fresh clone has no build/.
mkdir -p "$ROOT/build"
echo "run: set-up (the first time: apt packages and the test kernel, minutes)" >&2
# setup.sh says each phase on "setup:" lines; apt's own lines stay in
# the log but each package unpacked is shown, so a long install shows progress.
if ! scripts/testvm/setup.sh 2>&1 | tee "$ROOT/build/setup-run.log" |
	sed -un -e 's/^setup: /run:   /p' -e 's/^Unpacking \([^ ]*\).*/run:   unpacking \1/p' >&2; then
	tail -20 "$ROOT/build/setup-run.log" >&2
	exit 1
fi
echo "run: building the module and user space" >&2
make -s module userspace >"$ROOT/build/make-run.log" 2>&1 ||
	{ tail -30 "$ROOT/build/make-run.log" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/payload/bin"
strip --strip-debug -o "$OUT/payload/xvcpu.ko" xvcpu.ko
cp build/vcpuctl/vcpuctl "$OUT/payload/bin/"
cp -r build/examples "$OUT/payload/examples"
scripts/testvm/mklinuxguest.sh "$OUT/payload/linux"
cat >"$OUT/payload/check.sh" <<'IN_VM'
#!/bin/sh
# Runs inside the test VM.
cd /xvcpu
echo "== insmod xvcpu.ko"
insmod /xvcpu/xvcpu.ko || exit 1
echo "== per-CPU VMX state (/sys/kernel/debug/xvcpu/cpus)"
cat /sys/kernel/debug/xvcpu/cpus
echo "== VMX capabilities read by xvcpu (/sys/kernel/debug/xvcpu/caps)"
cat /sys/kernel/debug/xvcpu/caps
echo "== vcpuctl run examples/hello (long mode)"
./bin/vcpuctl run examples/hello
echo "== vcpuctl run --mode real examples/hello16.bin"
./bin/vcpuctl run --mode real examples/hello16.bin
echo "== vcpuctl boot: Linux (the kernel this VM runs) on xvcpu, typing into its shell"
# Commands go in through the guest's UART once its prompt is there.
KHZ=$(sed -n 's/.*tsc_early_khz=\([0-9]*\).*/\1/p' /proc/cmdline)
rm -f /tmp/in /tmp/con
mkfifo /tmp/in
( i=0
  while [ $i -lt 600 ] && ! grep -q 'xvcpu-guest# ' /tmp/con 2>/dev/null; do
	sleep 1; i=$((i + 1))
  done
  echo 'uname -a; head -5 /proc/cpuinfo; cat /proc/interrupts'
  sleep 5
  echo poweroff ) >/tmp/in &
# Under the recorder, every exit traced (trace_policy *:all), so that the
# report's exits by reason are the boot's; --user-events lets the guest's
# init emit its two guest trace events.
echo '*:all' >/sys/module/xvcpu/parameters/trace_policy
echo 1 >/sys/kernel/tracing/events/xvcpu/xvcpu_guest_event/enable
{ ./bin/vcpuctl record -o /tmp/boot.dat -e exit,debug,guest,vm -m 4M -- \
	./bin/vcpuctl boot --user-events --kernel linux/bzImage --initrd linux/guest.cpio \
	--append "tsc_early_khz=${KHZ:-50000} cryptomgr.notests rodata=off mitigations=off audit=0 lsm=none" \
	--timeout 900 </tmp/in 2>&1; echo $? >/tmp/rc; } | tee /tmp/con
echo default >/sys/module/xvcpu/parameters/trace_policy
echo "== vcpuctl record exit status $(cat /tmp/rc)"
echo "== vcpuctl report of the boot (the recorder's view; compare the stats above)"
./bin/vcpuctl report /tmp/boot.dat | sed -n '1,/^$/p;/^REASON/,/^$/p;/^EVENT/,/^$/p'
echo "== the guest's init's two trace events (tracefs)"
echo 0 >/sys/kernel/tracing/events/xvcpu/xvcpu_guest_event/enable
grep 'xvcpu_guest_event:' /sys/kernel/tracing/trace
echo "== vcpuctl record -o hello.dat -- vcpuctl run -q examples/hello; vcpuctl report hello.dat"
./bin/vcpuctl record -q -o /tmp/hello.dat -- ./bin/vcpuctl run -q examples/hello >/dev/null &&
	./bin/vcpuctl report /tmp/hello.dat
echo "== rmmod xvcpu; kernel log"
rmmod xvcpu
dmesg | grep -i xvcpu
IN_VM
chmod +x "$OUT/payload/check.sh"

echo "run: booting the Bochs test VM (about two minutes)" >&2
scripts/testvm/testvm.sh --engine bochs --payload "$OUT/payload" \
	--out "$OUT/vm" --timeout 900 --append "tsc_early_khz=50000"
