#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count KTAP/TAP results in the files given (or stdin): top-level and
# nested "ok N" / "not ok N" lines; "# SKIP" marks a skip. Prints
# "P F S" (passed, failed, skipped).
set -euo pipefail
awk '
/^[ \t]*not ok [0-9]+/ { if ($0 ~ /# *SKIP/) s++; else f++; next }
/^[ \t]*ok [0-9]+/     { if ($0 ~ /# *SKIP/) s++; else p++; next }
END { printf "%d %d %d\n", p, f, s }
' "$@"
