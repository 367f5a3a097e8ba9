#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the vcpuctl end-to-end tests inside the Bochs test VM, on the real
# xvcpu module. Builds nothing: give it the module and the built tree.
#
#   vm-check.sh [--ko PATH] [testvm.sh options...]
#
# --ko   the xvcpu.ko to test (default: <repo>/xvcpu.ko)
# The payload: build/vcpuctl/vcpuctl, build/examples/{hello,hello16.bin},
# build/unit/guests/*, run_examples.sh and vm_run_examples.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
KO=$TOP/xvcpu.ko
if [ "${1:-}" = --ko ]; then
	KO=$2
	shift 2
fi

for f in "$KO" "$TOP/build/vcpuctl/vcpuctl" "$TOP/build/examples/hello" \
	 "$TOP/build/examples/hello16.bin" "$TOP/build/unit/guests/pm32"; do
	[ -f "$f" ] || { echo "vm-check: missing $f (build it first)" >&2; exit 1; }
done

PAYLOAD=$(mktemp -d "${TMPDIR:-/tmp}/vcpuctl-payload.XXXXXX")
trap 'rm -rf "$PAYLOAD"' EXIT
mkdir -p "$PAYLOAD/examples" "$PAYLOAD/guests"
cp "$KO" "$PAYLOAD/xvcpu.ko"
cp "$TOP/build/vcpuctl/vcpuctl" "$PAYLOAD/"
cp "$TOP/build/examples/hello" "$TOP/build/examples/hello16.bin" \
   "$PAYLOAD/examples/"
cp "$TOP/build/unit/guests/pm32" "$TOP/build/unit/guests/"*.bin \
   "$PAYLOAD/guests/"
cp "$HERE/run_examples.sh" "$HERE/vm_run_examples.sh" "$PAYLOAD/"

# xvcpu and kvm_intel cannot both own VMX: no KVM modules in this guest.
# tsc_early_khz matches Bochs' 50 M instructions/s, as scripts/run.sh
# does, so the guest's clock follows emulated time.
rc=0
"$TOP/scripts/testvm/testvm.sh" --payload "$PAYLOAD" \
	--cmd "sh /xvcpu/vm_run_examples.sh" --kmods "" \
	--append "tsc_early_khz=50000" "$@" || rc=$?
exit $rc
