#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl (from Debian's linux-source, extracted by setup.sh) over
# the module's sources and the ABI header: any warning or error fails.
# User-space code (selftests, tools) follows kernel style too, but is not
# held to kernel-only rules (__packed, __noreturn, volatile, ...).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}
# shellcheck disable=SC1091
. "$CACHE/env.sh"
cd "$ROOT"
out=$(perl "$CHECKPATCH" --no-tree --terse --show-types --file \
	src/*.[ch] src/*/*.[ch] src/vmx/*.S include/uapi/linux/xvcpu.h 2>&1 |
	grep -v '^total: 0 errors, 0 warnings' || true)
if [ -n "$out" ]; then
	echo "$out"
	exit 1
fi
echo "checkpatch: src/ and include/ clean"
