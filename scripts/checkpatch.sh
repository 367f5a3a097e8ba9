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
run_checkpatch() { perl "$CHECKPATCH" --no-tree --terse --show-types --file "$@" 2>&1 |
	grep -v '^total: 0 errors, 0 warnings' || true; }
# src/xvcpu.h defines the module's pr_*() (gated by its loglevel
# parameter) on printk() itself, as <linux/printk.h> does: the two rules
# that say "use pr_*() rather than printk()" cannot apply there.
out=$(run_checkpatch $(ls src/*.[ch] src/*/*.[ch] src/vmx/*.S | grep -v '^src/xvcpu.h$') \
	include/uapi/linux/xvcpu.h
      run_checkpatch --ignore PREFER_PR_LEVEL,PRINTK_WITHOUT_KERN_LEVEL src/xvcpu.h)
if [ -n "$out" ]; then
	echo "$out"
	exit 1
fi
echo "checkpatch: src/ and include/ clean"
