#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One Bochs test VM running the named selftests, for development: builds
# the module and the selftests, boots, prints the KTAP. make check runs
# the same binaries the same way (scripts/check.sh).
#
# usage: scripts/vmtest.sh [--append "ARGS"] [--out DIR] TEST...
#        scripts/vmtest.sh [--out DIR] --tools
#        scripts/vmtest.sh [--out DIR] --linux
#   e.g. scripts/vmtest.sh xvcpu_isolation_test
#        scripts/vmtest.sh --append clearcpuid=xsaves,xsavec xvcpu_isolation_test
#   --tools: the tools VM (selftests/tools_test.sh: perf, bpftrace and
#   trace-cmd from the tools CD), as make check boots it
#   --linux: the Linux-boot VM (selftests/xvcpu_linux_boot_test.sh,
#   vcpuctl boot of the test VM's own kernel), as make check boots it
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APPEND="" OUT="" TOOLS=0 LINUX=0
while [ $# -gt 0 ]; do
	case $1 in
	--append) APPEND=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--tools) TOOLS=1; shift ;;
	--linux) LINUX=1; shift ;;
	-*) echo "vmtest: unknown option $1" >&2; exit 1 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || [ $TOOLS = 1 ] || [ $LINUX = 1 ] || { sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }
cd "$ROOT"
OUT=${OUT:-$ROOT/build/vmtest}
mkdir -p build
make -s module userspace >build/vmtest-make.log 2>&1 ||
	{ tail -30 build/vmtest-make.log >&2; exit 1; }
p=$OUT/payload
# shellcheck source=testvm/payload.sh
. scripts/testvm/payload.sh
if [ $TOOLS = 1 ]; then
	iso=$(scripts/testvm/mktoolsiso.sh)
	mktoolspayload "$p"
	rc=0
	scripts/testvm/testvm.sh --engine bochs --payload "$p" --out "$OUT/vm" \
		--cmd /xvcpu/tools_test.sh --kmods "$TOOLS_KMODS" --cdrom "$iso" \
		--timeout "${XVCPU_BOCHS_TIMEOUT:-1800}" \
		--append "tsc_early_khz=50000${APPEND:+ $APPEND}" | tee "$OUT/tools.ktap" ||
		rc=$?
	# What vcpuctl metrics --listen served in the VM, through promtool.
	tools/vcpuctl/tests/vm_promtool.sh "$OUT/tools.ktap" || rc=1
	exit $rc
fi
if [ $LINUX = 1 ]; then
	mklinuxpayload "$p"
else
	mkpayload "$p" "$@"
fi
exec scripts/testvm/testvm.sh --engine bochs --payload "$p" --out "$OUT/vm" \
	--timeout "${XVCPU_BOCHS_TIMEOUT:-1800}" \
	--append "tsc_early_khz=50000${APPEND:+ $APPEND}"
