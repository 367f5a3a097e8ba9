#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tools CD of the test VM: Debian's perf, bpftrace and trace-cmd, as
# installed on this host, with every shared library they load and the
# dynamic loader, laid out under root/ at their host paths (plus
# libtraceevent's plugins, and libmicrohttpd with its libraries for
# `vcpuctl metrics --listen`, which loads it with dlopen()). Too big for the initramfs (~225 MB, mostly
# LLVM for bpftrace), so the VM gets it as a second CD-ROM
# (testvm.sh --cdrom) and links it into its root (tools-mount.sh).
#
#   mktoolsiso.sh [--print]
#
# Prints the ISO's path. Cached in $CACHE/tools/, keyed by the versions
# of the packages it copies from and by this script: a second call only
# checks the key. --print prints the path the key gives without building.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}

die() { echo "mktoolsiso: error: $*" >&2; exit 1; }

TOOLS=(/usr/bin/perf /usr/bin/bpftrace /usr/bin/trace-cmd)
# Libraries are found with ldd, each one's package with dpkg -S; the
# key is every such package's version.
PKGS=(linux-perf bpftrace trace-cmd libtraceevent1 libtracefs1 libbpf1
      libllvm14 libclang1-14 libbpfcc libc6 libmicrohttpd12 libgnutls30)
# Libraries loaded with dlopen() (no ldd line names them), with their own.
DLOPEN_LIBS=(/usr/lib/x86_64-linux-gnu/libmicrohttpd.so.12)

key=$( { for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Package}=${Version}\n' "$p" 2>/dev/null ||
			echo "$p=none"
	 done; cat "$0"; } | sha256sum | cut -c1-16)
ISO=$CACHE/tools/tools-$key.iso
if [ "${1:-}" = --print ]; then echo "$ISO"; exit 0; fi
if [ -f "$ISO" ]; then echo "$ISO"; exit 0; fi

for t in "${TOOLS[@]}"; do
	[ -x "$t" ] || die "no $t: run scripts/testvm/setup.sh (installs linux-perf bpftrace trace-cmd)"
done
for l in "${DLOPEN_LIBS[@]}"; do
	[ -e "$l" ] || die "no $l: run scripts/testvm/setup.sh (installs libmicrohttpd-dev)"
done
mkdir -p "$CACHE/tools"
tmp=$(mktemp -d "$CACHE/tools/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/iso/root
mkdir -p "$root"

# copy PATH: the file's content (symlinks followed) at its own path.
copy() {
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}
declare -A libs=()
add_libs() { # ELF file
	local l
	while read -r l; do
		[ -n "$l" ] && libs[$l]=1
	done < <(ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
}
for t in "${TOOLS[@]}"; do
	copy "$t"
	add_libs "$t"
done
# libtraceevent's plugins (trace-cmd and perf load them if present).
plugdir=/usr/lib/x86_64-linux-gnu/traceevent/plugins
if [ -d "$plugdir" ]; then
	for f in "$plugdir"/*.so; do
		copy "$f"
		add_libs "$f"
	done
fi
for l in "${DLOPEN_LIBS[@]}"; do
	copy "$l"
	add_libs "$l"
done
for l in "${!libs[@]}"; do copy "$l"; done
# The loader at the path the ELF files name (PT_INTERP).
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || copy /lib64/ld-linux-x86-64.so.2

{
	echo "xvcpu tools CD $key"
	for t in "${TOOLS[@]}"; do
		echo "$t $(dpkg-query -W -f='${Package} ${Version}' "$(dpkg -S "$t" | grep -v '^diversion' | sed -n '1s/:.*//p')")"
	done
} > "$tmp/iso/xvcpu-tools"
xorriso -as mkisofs -quiet -R -V XVCPU_TOOLS -o "$tmp/tools.iso" "$tmp/iso" \
	2>"$tmp/xorriso.log" || { cat "$tmp/xorriso.log" >&2; die "xorriso failed"; }
# Older keys are stale: one ISO at a time.
rm -f "$CACHE"/tools/tools-*.iso
mv "$tmp/tools.iso" "$ISO"
echo "mktoolsiso: $(du -m "$ISO" | cut -f1) MB, $(find "$root" -type f | wc -l) files" >&2
echo "$ISO"
