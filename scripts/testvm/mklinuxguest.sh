#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest `vcpuctl boot` runs in the test VM: a kernel and a
# small initramfs, into DIR.
#
#   mklinuxguest.sh [--vmlinux] DIR
#
# DIR/bzImage    the kernel the test VM itself boots (the fast-boot image
#                of the cached Debian kernel, else the stock one), copied
#                from ~/.cache/xvcpu, never from the repository
# DIR/vmlinux    (--vmlinux) the same kernel uncompressed, the ELF file
#                the stock bzImage carries, for the PVH entry
# DIR/guest.cpio a raw newc initramfs: busybox-static, an /init that
#                writes a debug-port code at each stage (0x60 init, 0x61
#                file systems, 0x62 shell; 0x7e shutdown) through
#                /dev/port, prints "xvcpu-guest: init reached", and hands
#                over to busybox init, which runs a login shell on ttyS0
#                (prompt "xvcpu-guest# ") and powers off on `poweroff`;
#                /quick (rdinit=/quick) prints MemTotal and powers off.
#                Init also emits two guest trace events with
#                /bin/xvcpu-event (examples/xvcpu-event.c, built here):
#                id 0x60 (words: uptime in 1/100 s) once /proc is up,
#                id 0x61 (uptime, MemTotal in KiB) once all file systems
#                are; they need `vcpuctl boot --user-events`.
set -euo pipefail

CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}
die() { echo "mklinuxguest: error: $*" >&2; exit 1; }
VMLINUX=0
[ "${1:-}" = --vmlinux ] && { VMLINUX=1; shift; }
[ $# = 1 ] || { sed -n '4,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }
DIR=$1
[ -f "$CACHE/env.sh" ] || die "no $CACHE/env.sh: run scripts/testvm/setup.sh"
# shellcheck disable=SC1091
. "$CACHE/env.sh"
KERNEL=${FAST_VMLINUZ:-$VMLINUZ}
[ -f "$KERNEL" ] || die "no kernel image $KERNEL"
BUSYBOX=/bin/busybox
case $(ldd "$BUSYBOX" 2>&1 || true) in
*"not a dynamic"*) ;;
*) die "$BUSYBOX is not static (install busybox-static)" ;;
esac

mkdir -p "$DIR"
cp "$KERNEL" "$DIR/bzImage"
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ $VMLINUX = 1 ]; then
	[ -f "$VMLINUZ" ] || die "no stock kernel image $VMLINUZ"
	python3 "$SRC/scripts/testvm/mkfastkernel.py" --extract-vmlinux \
		"$VMLINUZ" "$DIR/vmlinux" >&2 || die "cannot extract vmlinux from $VMLINUZ"
fi
EVBUILD=$(mktemp -d "${TMPDIR:-/tmp}/xvcpu-event.XXXXXX")
make -s -C "$SRC/examples" OUT="$EVBUILD" "$EVBUILD/xvcpu-event" >&2 ||
	die "cannot build examples/xvcpu-event.c"

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/xvcpu-guest.XXXXXX")
trap 'rm -rf "$ROOT" "$EVBUILD"' EXIT
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc}
cp "$BUSYBOX" "$ROOT/bin/busybox"
cp "$EVBUILD/xvcpu-event" "$ROOT/bin/xvcpu-event"
for a in $("$BUSYBOX" --list-full); do
	[ -e "$ROOT/$a" ] || ln -s /bin/busybox "$ROOT/$a"
done
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$ROOT/dev/console" c 5 1
	mknod -m 666 "$ROOT/dev/null" c 1 3
fi

# code BYTE: one debug-port write (port 0x80 is offset 128 of /dev/port).
cat > "$ROOT/bin/dbgport" <<'SH'
#!/bin/sh
printf "\\$(printf %o "$1")" | dd of=/dev/port bs=1 seek=128 count=1 2>/dev/null
SH
cat > "$ROOT/init" <<'SH'
#!/bin/sh
mount -t devtmpfs dev /dev
dbgport 0x60
mount -t proc proc /proc
# Uptime in 1/100 s: /proc/uptime has two decimals.
cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }
xvcpu-event 0x60 "$(cs)" && ev=1 || ev=0
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp
dbgport 0x61
kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
xvcpu-event 0x61 "$(cs)" "$kb" && ev=$((ev + 1))
echo "xvcpu-guest: init reached at $(cut -d' ' -f1 /proc/uptime) s, $ev of 2 trace events sent"
exec /bin/busybox init
SH
# rdinit=/quick: report the memory the guest sees, power off at once.
cat > "$ROOT/quick" <<'SH'
#!/bin/sh
mount -t proc proc /proc
echo "xvcpu-guest: $(grep MemTotal /proc/meminfo)"
poweroff -f
SH
cat > "$ROOT/etc/inittab" <<'SH'
ttyS0::respawn:-/bin/sh
::shutdown:/bin/dbgport 0x7e
SH
cat > "$ROOT/etc/profile" <<'SH'
export PS1='xvcpu-guest# '
/bin/dbgport 0x62
SH
chmod 755 "$ROOT/init" "$ROOT/quick" "$ROOT/bin/dbgport"
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet -o -0 -H newc --owner=0:0) > "$DIR/guest.cpio"
