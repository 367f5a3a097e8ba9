#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkfastkernel.sh VMLINUZ OUT
#
# Build the fast-boot kernel for Bochs from a stock Debian bzImage: the
# loader stub (fastboot_stub.S) is assembled here with binutils, then
# mkfastkernel.py extracts vmlinux and lays out the new image.  Generated
# at setup time into the cache, never committed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# = 2 ] || { echo "usage: $0 VMLINUZ OUT" >&2; exit 1; }
VMLINUZ=$1 OUT=$2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xvcpu-fastkernel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A flat binary linked at 0: the stub finds its load address at run time.
gcc -c -o "$tmp/stub.o" "$HERE/fastboot_stub.S"
ld -m elf_x86_64 -Ttext=0 -e _start --oformat binary -o "$tmp/stub.bin" "$tmp/stub.o"
mkdir -p "$(dirname "$OUT")"
python3 "$HERE/mkfastkernel.py" --stub "$tmp/stub.bin" "$VMLINUZ" "$OUT"
