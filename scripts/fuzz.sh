#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz: the long hardening campaign (Documentation/hardening.rst) in
# one boot of the Bochs test VM: xvcpu_fuzz_test with the "long" budget
# (1,000,000 fuzzed calls, 10,000 chaos guests, more race rounds), then
# rmmod, the leak check and the kernel-log check. Prints the KTAP; exit
# status non-zero on any failure.
#
# Environment: XVCPU_FUZZ_BUDGET (default long), XVCPU_FUZZ_SEED (replay
# a seed the test printed), XVCPU_FUZZ_CALLS, XVCPU_FUZZ_GUESTS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/fuzz
cd "$ROOT"

scripts/testvm/setup.sh >/dev/null
# shellcheck disable=SC1091
. "${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}/env.sh"
export KSFT_INC
make -s module userspace >"$ROOT/build/fuzz-make.log" 2>&1 ||
	{ tail -30 "$ROOT/build/fuzz-make.log" >&2; exit 1; }
# shellcheck source=testvm/payload.sh
. scripts/testvm/payload.sh
mkpayload "$OUT/payload" xvcpu_fuzz_test
{
	echo '#!/bin/sh'
	echo "export XVCPU_FUZZ_BUDGET=${XVCPU_FUZZ_BUDGET:-long}"
	for v in XVCPU_FUZZ_SEED XVCPU_FUZZ_CALLS XVCPU_FUZZ_GUESTS; do
		[ -n "${!v:-}" ] && echo "export $v=${!v}"
	done
	# The long campaign takes hours of Bochs time: no per-binary limit.
	echo 'export XVCPU_TEST_LIMIT=86400'
	echo 'exec /xvcpu/vm_check.sh'
} >"$OUT/payload/check.sh"
chmod +x "$OUT/payload/check.sh"
rc=0
scripts/testvm/testvm.sh --engine bochs --payload "$OUT/payload" \
	--out "$OUT/vm" --timeout "${XVCPU_FUZZ_TIMEOUT:-86400}" \
	--append "tsc_early_khz=50000" | tee "$OUT/fuzz.ktap" || rc=$?
read -r P F S <<<"$(scripts/ktap-count.sh "$OUT/fuzz.ktap")"
echo "fuzz: $P passed, $F failed, $S skipped (KTAP in $OUT/fuzz.ktap)" >&2
[ "$rc" = 0 ] && [ "$F" = 0 ] && [ "$P" -gt 0 ]
