#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare a Debian 12 machine for xvcpu's test VMs (idempotent).
#
# Installs the host packages, fetches (never installs) the Debian kernel
# image that matches linux-headers-amd64, the kselftest headers and
# checkpatch.pl from linux-source, builds the fast-boot kernel, and writes
# $CACHE/env.sh with the resolved paths.  A second run only re-checks.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}

log() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }

PKGS=(linux-headers-amd64 bochs bochsbios vgabios busybox-static xorriso
      isolinux syslinux-common cpio qemu-system-x86 kmod xz-utils
      gcc make libc6-dev binutils python3 coreutils findutils sparse perl
      python3-docutils dkms lintian udev fakeroot
      linux-perf bpftrace trace-cmd
      libtraceevent-dev libtracefs-dev pkg-config prometheus
      clang bpftool libbpf-dev libelf-dev zlib1g-dev
      # vcpuctl metrics --listen: libmicrohttpd (header; the library is
      # loaded at run time, libmicrohttpd12 comes with the -dev package).
      libmicrohttpd-dev
      # The debug kernel (mkdebugkernel.sh): kconfig's parser, timeconst,
      # objtool, the LZ4-compressed bzImage.
      bison flex bc libelf-dev lz4)

# apt-get update is slow and needs the network: only when something is missing.
missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	log "installing ${#missing[@]} packages with apt: ${missing[*]}"
	log "apt-get update"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# The kernel version comes from the headers meta package, never hard-coded.
hdrpkg=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 |
	 tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-amd64\).*/\1/p' | head -n1)
[ -n "$hdrpkg" ] || die "cannot resolve the headers package of linux-headers-amd64"
KVER=${hdrpkg#linux-headers-}
HVER=$(dpkg-query -W -f='${Version}' "$hdrpkg")
[ "$(dpkg-query -W -f='${db:Status-Status}' "$hdrpkg" 2>/dev/null)" = installed ] ||
	die "$hdrpkg is not installed"
KDIR=/usr/src/linux-headers-$KVER
[ -f "$KDIR/Makefile" ] || die "no kernel build tree at $KDIR"
log "kernel $KVER (headers $HVER)"

mkdir -p "$CACHE/debs"
apt_updated=0
# apt-get download writes into the current directory; fetch a pinned version.
fetch_deb() { # name version -> prints deb path
	local name=$1 ver=$2 f
	f=$(ls "$CACHE/debs/${name}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		if ! apt-cache show "$name=$ver" >/dev/null 2>&1 && [ $apt_updated = 0 ]; then
			apt-get update >&2; apt_updated=1
		fi
		log "downloading $name $ver"
		# Sandbox user root: _apt cannot write into a cache under /root.
		(cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download "$name=$ver" >&2) || return 1
		f=$(ls "$CACHE/debs/${name}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1)
	fi
	[ -n "$f" ] && echo "$f"
}

# --- kernel image, unpacked with dpkg -x (never installed) ---
KROOT=$CACHE/kernel/$KVER
VMLINUZ=$KROOT/boot/vmlinuz-$KVER
MODDIR=$KROOT/lib/modules/$KVER
if [ ! -f "$KROOT/.done" ]; then
	deb=$(fetch_deb "linux-image-$KVER" "$HVER" 2>/dev/null) ||
	deb=$(fetch_deb "linux-image-$KVER-unsigned" "$HVER") ||
		die "no linux-image-$KVER(-unsigned) at version $HVER"
	log "unpacking $(basename "$deb")"
	rm -rf "$KROOT"; mkdir -p "$KROOT"
	dpkg -x "$deb" "$KROOT"
	[ -f "$VMLINUZ" ] || die "no $VMLINUZ in $deb"
	touch "$KROOT/.done"
	rm -f "$deb"	# unpacked is all we need
fi

# --- kselftest headers and checkpatch from linux-source (only a few files) ---
SRCPKG=linux-source-${KVER%%.*}.$(echo "$KVER" | cut -d. -f2)
SRCVER=$(apt-cache policy "$SRCPKG" 2>/dev/null | sed -n 's/^ *Candidate: //p')
# Prefer the source matching the headers, else the candidate.
if apt-cache show "$SRCPKG=$HVER" >/dev/null 2>&1; then SRCVER=$HVER; fi
SROOT=$CACHE/src/$SRCPKG
if [ ! -f "$SROOT/.done" ]; then
	[ -n "$SRCVER" ] && [ "$SRCVER" != "(none)" ] || { apt-get update >&2; apt_updated=1
		SRCVER=$(apt-cache policy "$SRCPKG" | sed -n 's/^ *Candidate: //p'); }
	deb=$(fetch_deb "$SRCPKG" "$SRCVER") || die "cannot download $SRCPKG=$SRCVER"
	log "extracting kselftest headers and checkpatch from $(basename "$deb")"
	tmp=$(mktemp -d "$CACHE/src.XXXXXX")
	# The .deb holds the tree as a .tar.xz: stream it, keep only what we need.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards '*/linux-source-*.tar.xz'
	tarball=$(find "$tmp" -name 'linux-source-*.tar.xz' | head -n1)
	mkdir -p "$tmp/x"
	tar -xJf "$tarball" -C "$tmp/x" --wildcards \
		'*/tools/testing/selftests/kselftest*.h' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	top=$(find "$tmp/x" -mindepth 1 -maxdepth 1 -type d | head -n1)
	rm -rf "$SROOT"; mkdir -p "$SROOT"
	mv "$top/tools" "$top/scripts" "$SROOT/"
	rm -rf "$tmp"
	echo "$SRCVER" > "$SROOT/version"
	touch "$SROOT/.done"
	rm -f "$deb"	# 139 MB; the few files we need are extracted
fi
KSFT_INC=$SROOT/tools/testing/selftests
CHECKPATCH=$SROOT/scripts/checkpatch.pl
[ -f "$KSFT_INC/kselftest_harness.h" ] || die "kselftest headers missing in $KSFT_INC"

# --- fast-boot kernel (uncompressed payload + loader stub) ---
FASTDIR=$CACHE/fast/$KVER
FAST_VMLINUZ=$FASTDIR/bzImage.fast
if [ -x "$HERE/mkfastkernel.sh" ]; then
	if [ ! -f "$FAST_VMLINUZ" ] || [ "$FAST_VMLINUZ" -ot "$VMLINUZ" ] ||
	   [ "$FAST_VMLINUZ" -ot "$HERE/mkfastkernel.py" ] ||
	   [ "$FAST_VMLINUZ" -ot "$HERE/fastboot_stub.S" ] ||
	   [ "$FAST_VMLINUZ" -ot "$HERE/mkfastkernel.sh" ]; then
		log "building fast-boot kernel"
		if ! "$HERE/mkfastkernel.sh" "$VMLINUZ" "$FAST_VMLINUZ"; then
			log "warning: fast-boot kernel build failed; testvm will use the stock one"
			rm -f "$FAST_VMLINUZ"
		fi
	fi
fi
[ -f "$FAST_VMLINUZ" ] || FAST_VMLINUZ=

# --- the tools CD of the tools VM (perf, bpftrace, trace-cmd), cached ---
log "tools CD: $("$HERE/mktoolsiso.sh")"

cat > "$CACHE/env.sh.tmp" <<EOT
# Generated by scripts/testvm/setup.sh; shell-sourceable.
XVCPU_CACHE=$CACHE
KVER=$KVER
KDIR=$KDIR
VMLINUZ=$VMLINUZ
FAST_VMLINUZ=$FAST_VMLINUZ
MODDIR=$MODDIR
KSFT_INC=$KSFT_INC
CHECKPATCH=$CHECKPATCH
EOT
mv "$CACHE/env.sh.tmp" "$CACHE/env.sh"
cat "$CACHE/env.sh"
