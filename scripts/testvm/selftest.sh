#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the test-VM harness (no xvcpu code involved).
#
#   selftest.sh [bochs|qemu|all] [testvm.sh options...]
#
# bochs: 2 CPUs, the vmx flag on every CPU, debugfs and tracefs mounted,
#        CPU1 offline/online, and the stock KVM stack (irqbypass, kvm,
#        kvm-intel) loads and unloads.
# qemu:  boots and shows no vmx flag.
# Prints KTAP and exits non-zero if a check failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
what=${1:-all}
[ $# -gt 0 ] && shift

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xvcpu-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/payload"
cat > "$tmp/payload/check.sh" <<'EOF'
#!/bin/sh
# Guest side: one KTAP line per check.
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); fail=1; echo "not ok $n $1"; }
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else nok "$name"; fi; }
expect_vmx=$1
ncpu=$(grep -c '^processor' /proc/cpuinfo)
nvmx=$(grep -c '^flags.*\bvmx\b' /proc/cpuinfo)
echo "KTAP version 1"
echo "# kernel $(uname -r), $ncpu cpus, $nvmx with vmx"
[ "$expect_vmx" = yes ] && echo "1..7" || echo "1..3"
if [ "$expect_vmx" = yes ]; then
	check "vmx_on_every_cpu" [ "$nvmx" = "$ncpu" ]
else
	check "no_vmx" [ "$nvmx" = 0 ]
fi
check "debugfs_mounted" grep -q ' /sys/kernel/debug debugfs ' /proc/mounts
check "tracefs_mounted" grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts
[ "$expect_vmx" = yes ] || exit $fail
check "two_cpus" [ "$ncpu" -ge 2 ]
off_on() {
	echo 0 > /sys/devices/system/cpu/cpu1/online &&
	[ "$(cat /sys/devices/system/cpu/online)" = 0 ] &&
	echo 1 > /sys/devices/system/cpu/cpu1/online &&
	[ "$(cat /sys/devices/system/cpu/online)" = 0-1 ]
}
check "cpu1_offline_online" off_on
kvm_load() {
	insmod /xvcpu/kmod/irqbypass.ko && insmod /xvcpu/kmod/kvm.ko &&
	insmod /xvcpu/kmod/kvm-intel.ko && [ -c /dev/kvm ] &&
	grep -q '^kvm_intel ' /proc/modules
}
check "kvm_intel_loads" kvm_load
check "kvm_intel_unloads" rmmod kvm_intel kvm irqbypass
exit $fail
EOF
chmod +x "$tmp/payload/check.sh"

rc=0
if [ "$what" = all ] || [ "$what" = bochs ]; then
	echo "# bochs, 2 cpus"
	"$HERE/testvm.sh" --engine bochs --cpus 2 --payload "$tmp/payload" \
		--cmd "/xvcpu/check.sh yes" "$@" || rc=1
fi
if [ "$what" = all ] || [ "$what" = qemu ]; then
	echo "# qemu"
	"$HERE/testvm.sh" --engine qemu --payload "$tmp/payload" --kmods "" \
		--cmd "/xvcpu/check.sh no" "$@" || rc=1
fi
exit $rc
