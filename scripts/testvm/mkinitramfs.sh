#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a raw (uncompressed) newc cpio initramfs for an xvcpu test VM.
#
#   mkinitramfs.sh --out FILE [--payload DIR] [--cmd CMD]
#                  [--kmods "irqbypass kvm kvm-intel"] [--kver V --moddir DIR]
#
# The image holds busybox-static (+ applet links), the payload under
# /xvcpu/, the shared libraries the payload's dynamic ELF files need, and
# stock modules from the unpacked Debian kernel (default: the KVM stack) in
# /lib/modules/<kver>/ (with modules.dep, so modprobe works), linked from
# /xvcpu/kmod/.  /init mounts proc, sysfs, devtmpfs,
# debugfs, tracefs and a tmpfs on /tmp, prints @@XVCPU-BEGIN@@, runs CMD in
# /xvcpu with output on the console, prints @@XVCPU-END rc=<rc>@@ and
# powers off.  Raw cpio: Bochs unpacks it faster than a gzip'd one.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }
usage() { sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1; }

OUT= PAYLOAD= CMD=/xvcpu/check.sh KMODS="irqbypass kvm kvm-intel"
KVER= MODDIR=
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--payload) PAYLOAD=$2; shift 2 ;;
	--cmd) CMD=$2; shift 2 ;;
	--kmods) KMODS=$2; shift 2 ;;
	--kver) KVER=$2; shift 2 ;;
	--moddir) MODDIR=$2; shift 2 ;;
	-h|--help) usage ;;
	*) die "unknown option $1" ;;
	esac
done
[ -n "$OUT" ] || usage
if [ -z "$KVER" ] || [ -z "$MODDIR" ]; then
	[ -f "$CACHE/env.sh" ] || die "no $CACHE/env.sh: run scripts/testvm/setup.sh"
	# shellcheck disable=SC1091
	. "$CACHE/env.sh"
fi
[ -z "$PAYLOAD" ] || [ -d "$PAYLOAD" ] || die "payload $PAYLOAD is not a directory"
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "no $BUSYBOX (install busybox-static)"
# A dynamic busybox would need libc in the image: insist on busybox-static.
case $(ldd "$BUSYBOX" 2>&1 || true) in
*"not a dynamic"*) ;;
*) die "$BUSYBOX is not static (install busybox-static)" ;;
esac

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/xvcpu-initramfs.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT

mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,root,mnt,xvcpu/kmod}
mkdir -p "$ROOT/lib/modules/$KVER"
cp "$BUSYBOX" "$ROOT/bin/busybox"
# Applet links: one symlink per applet at busybox's own idea of its path.
for a in $("$BUSYBOX" --list-full); do
	[ -e "$ROOT/$a" ] || ln -s /bin/busybox "$ROOT/$a"
done
# The kernel opens /dev/console before /init runs; devtmpfs covers the rest.
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$ROOT/dev/console" c 5 1
	mknod -m 666 "$ROOT/dev/null" c 1 3
fi

# --- payload ---
if [ -n "$PAYLOAD" ]; then
	cp -a "$PAYLOAD/." "$ROOT/xvcpu/"
fi

# --- stock modules (and their dependencies) from the unpacked image ---
declare -A seen=()
add_kmod() { # module name (dashes or underscores)
	local name=${1//-/_} f deps d
	[ -z "${seen[$name]:-}" ] || return 0
	seen[$name]=1
	f=$(find "$MODDIR/kernel" -name "${name}.ko*" -o -name "${name//_/-}.ko*" | head -n1)
	[ -n "$f" ] || die "module $1 not found under $MODDIR"
	deps=$(modinfo -F depends "$f" | tr ',' ' ')
	for d in $deps; do add_kmod "$d"; done
	local rel=${f#"$MODDIR"/} dst
	dst=$ROOT/lib/modules/$KVER/${rel%.ko*}.ko
	mkdir -p "$(dirname "$dst")"
	# Debian may ship modules compressed; the guest's busybox insmod wants plain .ko.
	case $f in
	*.ko) cp "$f" "$dst" ;;
	*.ko.xz) xz -dc "$f" > "$dst" ;;
	*.ko.zst) zstd -qdc "$f" > "$dst" ;;
	*.ko.gz) gzip -dc "$f" > "$dst" ;;
	*) die "unknown module format $f" ;;
	esac
	# A link, not a copy: the modules are big and Bochs reads the image slowly.
	ln -sf "/lib/modules/$KVER/${rel%.ko*}.ko" "$ROOT/xvcpu/kmod/$(basename "$dst")"
}
for m in $KMODS; do add_kmod "$m"; done
if [ -n "$KMODS" ]; then
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$MODDIR/$f" ] && cp "$MODDIR/$f" "$ROOT/lib/modules/$KVER/"
	done
	depmod -b "$ROOT" "$KVER" 2>/dev/null || echo "mkinitramfs: warning: depmod failed" >&2
fi

# --- shared libraries for dynamically linked payload files (host is Debian 12 too) ---
declare -A libs=()
while IFS= read -r -d '' f; do
	case $(head -c 4 "$f" | od -An -c | tr -d ' ') in
	177ELF) ;;
	*) continue ;;
	esac
	out=$(ldd "$f" 2>/dev/null) || continue
	while read -r l; do
		p=$(echo "$l" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^\(\/[^ ]*\) (.*/\1/p')
		[ -n "$p" ] && libs[$p]=1
	done <<< "$out"
done < <(find "$ROOT/xvcpu" -type f -perm -u+x -print0)
for l in "${!libs[@]}"; do
	mkdir -p "$ROOT$(dirname "$l")"
	cp -L "$l" "$ROOT$l"
done
[ -d "$ROOT/lib64" ] || ln -s lib "$ROOT/lib64" 2>/dev/null || true

# --- /init ---
printf '%s\n' "$CMD" > "$ROOT/etc/xvcpu-cmd"
cat > "$ROOT/init" <<'EOF'
#!/bin/sh
# xvcpu test VM init: mount, run the test command, report, power off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# A test may reboot the VM (selftests/xvcpu_reboot_test.c): it leaves
# 0x58 + the next boot's number in byte 0x7e of the RTC's CMOS NVRAM
# (index port 0x70 = /dev/port offset 112, data 0x71), which Bochs keeps
# across a reset. On such a mark: clear it, tell the command
# (XVCPU_BOOT=N) and testvm.sh ("xvcpu: rebooted by a test").
export XVCPU_BOOT=1
if [ -c /dev/port ]; then
	printf '\176' | dd of=/dev/port bs=1 seek=112 conv=notrunc 2>/dev/null
	mark=$(dd if=/dev/port bs=1 skip=113 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	if [ "${mark:-0}" -ge 90 ] && [ "$mark" -le 95 ]; then
		printf '\176' | dd of=/dev/port bs=1 seek=112 conv=notrunc 2>/dev/null
		dd if=/dev/zero of=/dev/port bs=1 seek=113 count=1 conv=notrunc 2>/dev/null
		XVCPU_BOOT=$((mark - 88))
		echo "xvcpu: rebooted by a test (CMOS mark found and cleared): boot $XVCPU_BOOT"
	fi
fi
# Or the test kexec'ed this kernel again with xvcpu_boot=N appended to
# the command line (no BIOS, no CMOS: the mark is the command line).
for arg in $(cat /proc/cmdline); do
	case $arg in
	xvcpu_boot=[2-5])
		XVCPU_BOOT=${arg#xvcpu_boot=}
		echo "xvcpu: rebooted by a test (kexec, $arg on the command line): boot $XVCPU_BOOT" ;;
	esac
done
echo "xvcpu: init at uptime $(cut -d' ' -f1 /proc/uptime) s"
cd /xvcpu
echo "@@XVCPU-BEGIN@@"
sh /etc/xvcpu-cmd
rc=$?
echo "@@XVCPU-END rc=$rc@@"
sync
# Let the serial port drain: poweroff -f can cut the last lines short.
sleep 1
poweroff -f
EOF
chmod 755 "$ROOT/init"

mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc --owner=0:0) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
