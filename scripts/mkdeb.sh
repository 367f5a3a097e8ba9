#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The two Debian packages, built with dpkg-deb (no debhelper needed):
#   xvcpu-dkms_<v>-1_all.deb   the module's sources under /usr/src for
#                              DKMS (built and installed for every kernel
#                              by dkms, like any *-dkms package), the udev
#                              rule (group xvcpu, 0660), /etc/modprobe.d/xvcpu.conf
#   vcpuctl_<v>-1_amd64.deb    vcpuctl, vcpuctl(1), the bpftrace scripts
# into build/deb/. Install with: apt install ./build/deb/*.deb
# Run from `make deb` after `make` (vcpuctl and the man page are built).
#
# usage: scripts/mkdeb.sh VERSION
# Environment: MAINTAINER="Name <mail>" (default: the last commit's author)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ $# = 1 ] || { sed -n '13p' "$0" | sed 's/^# //' >&2; exit 1; }
VER=$1 REV=1
OUT=$ROOT/build/deb
die() { echo "mkdeb: $*" >&2; exit 1; }
for f in build/vcpuctl/vcpuctl build/man/vcpuctl.1; do
	[ -f "$f" ] || die "no $f: run make first"
done
MAINTAINER=${MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || true)}
[ -n "$MAINTAINER" ] || die "set MAINTAINER=\"Name <mail>\""
# The changelog's date is the commit's: the same tree gives the same .deb.
DATE=$(git log -1 --format=%aD 2>/dev/null || date -R)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date -d "$DATE" +%s)}
DATE_YEAR=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)

rm -rf "$OUT"
mkdir -p "$OUT"

# doc PKG: /usr/share/doc/PKG/{copyright,changelog.Debian.gz} (Debian policy 12.5, 12.7).
doc() {
	local d=$OUT/$1/usr/share/doc/$1
	mkdir -p "$d"
	cat >"$d/copyright" <<-C
	Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
	Upstream-Name: xvcpu

	Files: *
	Copyright: ${DATE_YEAR} The xvcpu authors
	License: GPL-2
	 This program is free software; you can redistribute it and/or modify
	 it under the terms of the GNU General Public License version 2 as
	 published by the Free Software Foundation.
	 .
	 On Debian systems, the complete text of the GNU General Public License
	 version 2 can be found in /usr/share/common-licenses/GPL-2.
	C
	cat <<-L | gzip -9n >"$d/changelog.Debian.gz"
	xvcpu ($VER-$REV) unstable; urgency=medium

	  * Package built from the xvcpu tree with scripts/mkdeb.sh.

	 -- $MAINTAINER  $DATE
	L
	# Built here, not uploaded to Debian: there is no ITP bug to close.
	mkdir -p "$OUT/$1/usr/share/lintian/overrides"
	cat >"$OUT/$1/usr/share/lintian/overrides/$1" <<-O
	# Not uploaded to the Debian archive: no ITP bug to close.
	$1: initial-upload-closes-no-bugs
	O
}

# shlibdeps ELF: the Depends its shared libraries need (dpkg-shlibdeps
# wants a debian/control to run in).
shlibdeps() {
	local t
	t=$(mktemp -d)
	mkdir -p "$t/debian"
	printf 'Source: xvcpu\n\nPackage: vcpuctl\nArchitecture: any\n' >"$t/debian/control"
	(cd "$t" && dpkg-shlibdeps -O "$1") | sed -n 's/^shlibs:Depends=//p'
	rm -rf "$t"
}

# finish PKG: md5sums, ownership root, build the .deb.
finish() {
	local p=$OUT/$1
	(cd "$p" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
		LC_ALL=C sort -z | xargs -0r md5sum) >"$p/DEBIAN/md5sums"
	chmod 0644 "$p/DEBIAN/md5sums"
	find "$p" -type d -exec chmod 0755 {} +
	dpkg-deb --root-owner-group -Zxz --build "$p" "$OUT" >/dev/null
}

# --- xvcpu-dkms ---
P=$OUT/xvcpu-dkms
make -s dkms-source DESTDIR="$P"
make -s install-udev install-modprobe DESTDIR="$P" UDEVRULESDIR=/lib/udev/rules.d
doc xvcpu-dkms
mkdir -p "$P/DEBIAN"
cat >"$P/DEBIAN/control" <<EOF2
Package: xvcpu-dkms
Source: xvcpu
Version: $VER-$REV
Architecture: all
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$P" | cut -f1)
Depends: dkms (>= 3), adduser
Recommends: vcpuctl
Section: kernel
Priority: optional
Description: Intel VT-x vCPU backend for user space (DKMS module)
 xvcpu is a loadable Linux kernel module that turns an Intel VT-x CPU
 into a vCPU backend for user space, with tracepoints and statistics
 built in: /dev/xvcpu gives KVM-style VM and vCPU file descriptors.
 .
 This package builds the module with DKMS for every installed kernel,
 installs a udev rule that lets the group xvcpu open /dev/xvcpu, and
 a modprobe.d file with the module's options commented out. It cannot
 be loaded while kvm_intel is loaded.
EOF2
echo /etc/modprobe.d/xvcpu.conf >"$P/DEBIAN/conffiles"
# What dh_dkms generates, with the group added.
cat >"$P/DEBIAN/postinst" <<EOF2
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
	getent group xvcpu >/dev/null || addgroup --system xvcpu
	/usr/lib/dkms/common.postinst xvcpu $VER "" "" "\$2"
	if command -v udevadm >/dev/null && [ -d /run/udev ]; then
		udevadm control --reload-rules || true
	fi
fi
EOF2
cat >"$P/DEBIAN/prerm" <<EOF2
#!/bin/sh
set -e
case "\$1" in
remove|upgrade|deconfigure)
	if [ "\$(dkms status -m xvcpu -v $VER)" ]; then
		dkms remove -m xvcpu -v $VER --all
	fi
	;;
esac
EOF2
chmod 0755 "$P/DEBIAN/postinst" "$P/DEBIAN/prerm"
finish xvcpu-dkms

# --- vcpuctl ---
P=$OUT/vcpuctl
# The tree's vcpuctl is static (the test VM has no libc); Debian's is
# linked against libc like any other package's binary. libmicrohttpd is
# loaded with dlopen() for `metrics --listen` only: Recommends, not a
# shlibs dependency.
# With the hardening flags Debian builds its packages with (dpkg-buildflags).
make -s -C tools/vcpuctl OUT="$OUT/vcpuctl-build" \
	CC="${CC:-gcc} $(dpkg-buildflags --get CPPFLAGS) -fstack-protector-strong" \
	LDFLAGS="-pthread $(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS)"
install -D -m 0755 "$OUT/vcpuctl-build/vcpuctl" "$P/usr/bin/vcpuctl"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$P/usr/bin/vcpuctl"
mkdir -p "$P/usr/share/man/man1"
gzip -9n <build/man/vcpuctl.1 >"$P/usr/share/man/man1/vcpuctl.1.gz"
chmod 0644 "$P/usr/share/man/man1/vcpuctl.1.gz"
bt=(tools/bpf/*.bt)
bt_line=
if [ -e "${bt[0]}" ]; then
	install -D -m 0755 -t "$P/usr/share/xvcpu/bpf" "${bt[@]}"
	bt_line=$'\n'" The bpftrace scripts for xvcpu's tracepoints are in /usr/share/xvcpu/bpf."
fi
doc vcpuctl
# The .bt scripts run as they are (#!/usr/bin/env bpftrace), as the
# bpftrace package's own tools do; lintian does not know that interpreter.
if [ -e "${bt[0]}" ]; then
	for f in "${bt[@]}"; do
		echo "vcpuctl: unusual-interpreter bpftrace [usr/share/xvcpu/bpf/$(basename "$f")]"
	done >>"$P/usr/share/lintian/overrides/vcpuctl"
fi
mkdir -p "$P/DEBIAN"
cat >"$P/DEBIAN/control" <<EOF2
Package: vcpuctl
Source: xvcpu
Version: $VER-$REV
Architecture: amd64
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$P" | cut -f1)
Recommends: xvcpu-dkms, libmicrohttpd12${bt_line:+, bpftrace}
Depends: $(shlibdeps "$P/usr/bin/vcpuctl")
Section: utils
Priority: optional
Description: run guests on xvcpu, a VT-x vCPU backend for user space
 vcpuctl is the command-line tool of xvcpu: a small VMM that loads an
 ELF or flat guest, runs it on one or more vCPUs through /dev/xvcpu,
 serves its port I/O and MMIO, and prints a summary of its exits with
 the kernel's per-reason statistics.${bt_line}
EOF2
finish vcpuctl
ls "$OUT"/*.deb
