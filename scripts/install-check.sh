#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of installing xvcpu (Documentation/install.rst), KTAP:
#  - `make install DESTDIR=` lays out exactly the expected files, with
#    the expected modes and contents; `make uninstall` removes them all;
#  - the modprobe.d file documents every module parameter, commented out;
#  - vcpuctl(1) renders without a groff warning;
#  - `make deb` builds both packages, lintian finds nothing;
#  - the xvcpu-dkms package's sources build with `dkms build` for the
#    test kernel's headers, in a private DKMS tree, signed with a
#    throw-away machine owner key (nothing is installed on this host).
# Needs what `make` builds (xvcpu.ko, vcpuctl, the man page).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${XVCPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xvcpu}
cd "$ROOT" || exit 1
# shellcheck disable=SC1091
. "$CACHE/env.sh" || { echo "Bail out! no $CACHE/env.sh (make setup)"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/xvcpu-install.XXXXXX")
trap 'rm -rf "$T"' EXIT
PLAN=14
n=0
echo "KTAP version 1"
echo "1..$PLAN"
# ok NAME RC [DETAIL-FILE]
ok() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/# /' "$3" | tail -30
	fi
}
# files DIR: every non-directory under DIR, relative, sorted.
files() { (cd "$1" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort); }

VERSION=$(sed -n 's/^#define VCPUCTL_VERSION[[:space:]]*"\(.*\)"/\1/p' tools/vcpuctl/vcpuctl.h)
MOD_KVER=$(modinfo -F vermagic xvcpu.ko | cut -d' ' -f1)
echo "# version $VERSION, module for $MOD_KVER"

# --- make install DESTDIR= ---
D=$T/root
make -s install DESTDIR="$D" >"$T/install.log" 2>&1
ok install_destdir $? "$T/install.log"

{
	echo "etc/modprobe.d/xvcpu.conf"
	echo "etc/udev/rules.d/70-xvcpu.rules"
	echo "lib/modules/$MOD_KVER/updates/xvcpu.ko"
	echo "usr/local/bin/vcpuctl"
	echo "usr/local/share/man/man1/vcpuctl.1"
	for f in tools/bpf/*.bt; do
		[ -e "$f" ] && echo "usr/local/share/xvcpu/bpf/$(basename "$f")"
	done
} | LC_ALL=C sort >"$T/want"
files "$D" >"$T/got"
diff -u "$T/want" "$T/got" >"$T/diff"
ok install_layout_exact $? "$T/diff"

# Modes and contents: the installed files are the built ones.
r=0
{
	m() { [ "$(stat -c %a "$D/$1")" = "$2" ] || { echo "$1: mode $(stat -c %a "$D/$1"), want $2"; r=1; }; }
	m "lib/modules/$MOD_KVER/updates/xvcpu.ko" 644
	m usr/local/bin/vcpuctl 755
	m usr/local/share/man/man1/vcpuctl.1 644
	m etc/udev/rules.d/70-xvcpu.rules 644
	m etc/modprobe.d/xvcpu.conf 644
	cmp xvcpu.ko "$D/lib/modules/$MOD_KVER/updates/xvcpu.ko" || r=1
	cmp build/vcpuctl/vcpuctl "$D/usr/local/bin/vcpuctl" || r=1
	for f in tools/bpf/*.bt; do
		[ -e "$f" ] && { cmp "$f" "$D/usr/local/share/xvcpu/bpf/$(basename "$f")" || r=1; }
	done
} >"$T/modes" 2>&1
ok install_modes_and_contents $r "$T/modes"

# The udev rule: group xvcpu by default, XVCPU_GROUP= chooses another.
r=0
rule='KERNEL=="xvcpu", SUBSYSTEM=="misc", GROUP="xvcpu", MODE="0660"'
grep -v '^#' "$D/etc/udev/rules.d/70-xvcpu.rules" >"$T/rule"
[ "$(cat "$T/rule")" = "$rule" ] || r=1
make -s install-udev DESTDIR="$T/g" XVCPU_GROUP=vmusers >/dev/null 2>&1 || r=1
grep -v '^#' "$T/g/etc/udev/rules.d/70-xvcpu.rules" >>"$T/rule"
[ "$(tail -1 "$T/rule")" = "${rule/GROUP=\"xvcpu\"/GROUP=\"vmusers\"}" ] || r=1
ok udev_rule_group_and_mode $r "$T/rule"

# Every parameter modinfo lists is there, commented out; nothing active
# (no option, and no blacklist of kvm_intel, is ever set silently).
r=0
conf=$D/etc/modprobe.d/xvcpu.conf
{
	params=$(modinfo -F parm xvcpu.ko | cut -d: -f1)
	[ -n "$params" ] || { echo "modinfo lists no parameters"; r=1; }
	for p in $params; do
		grep -q "^#options xvcpu $p=" "$conf" || { echo "$p: no '#options xvcpu $p=' line"; r=1; }
	done
	grep -q "^#blacklist kvm_intel$" "$conf" || { echo "no commented blacklist kvm_intel note"; r=1; }
	if grep -vE '^[[:space:]]*(#|$)' "$conf"; then echo "active lines above"; r=1; fi
	echo "parameters: $params"
} >"$T/conf" 2>&1
ok modprobe_conf_documents_every_parameter $r "$T/conf"

# The man page: a NAME line and no groff warning (continuous rendering,
# as man-db does; UTF-8 through preconv).
r=0
groff -k -t -man -Tutf8 -ww -rcR=1 -z "$D/usr/local/share/man/man1/vcpuctl.1" >"$T/groff" 2>&1 || r=1
[ -s "$T/groff" ] && r=1
grep -q '^vcpuctl \\- run guests on xvcpu' "$D/usr/local/share/man/man1/vcpuctl.1" || r=1
ok man_page_renders $r "$T/groff"

# --- make uninstall DESTDIR= ---
make -s uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1
r=$?
files "$D" >>"$T/uninstall.log"
[ -z "$(files "$D")" ] || r=1
ok uninstall_removes_every_file $r "$T/uninstall.log"

# --- the .debs ---
make -s deb >"$T/deb.log" 2>&1
ok deb_build $? "$T/deb.log"
DKMS_DEB=build/deb/xvcpu-dkms_${VERSION}-1_all.deb
CTL_DEB=build/deb/vcpuctl_${VERSION}-1_amd64.deb
lintian --fail-on error,warning,info --display-info "$DKMS_DEB" "$CTL_DEB" >"$T/lintian" 2>&1
r=$?
grep -q "^[EWI]: " "$T/lintian" && r=1
ok lintian_clean $r "$T/lintian"

r=0
{
	dpkg-deb -c "$DKMS_DEB" | awk '{print $1, $6}' >"$T/dkms-deb"
	dpkg-deb -c "$CTL_DEB" | awk '{print $1, $6}' >"$T/ctl-deb"
	for want in "-rw-r--r-- ./usr/src/xvcpu-$VERSION/dkms.conf" \
		    "-rw-r--r-- ./usr/src/xvcpu-$VERSION/Kbuild" \
		    "-rw-r--r-- ./lib/udev/rules.d/70-xvcpu.rules" \
		    "-rw-r--r-- ./etc/modprobe.d/xvcpu.conf"; do
		grep -qxF -- "$want" "$T/dkms-deb" || { echo "xvcpu-dkms lacks $want"; r=1; }
	done
	for want in "-rwxr-xr-x ./usr/bin/vcpuctl" \
		    "-rw-r--r-- ./usr/share/man/man1/vcpuctl.1.gz"; do
		grep -qxF -- "$want" "$T/ctl-deb" || { echo "vcpuctl lacks $want"; r=1; }
	done
	[ "$(dpkg-deb --ctrl-tarfile "$DKMS_DEB" | tar -xO ./conffiles)" = /etc/modprobe.d/xvcpu.conf ] ||
		{ echo "conffiles is not /etc/modprobe.d/xvcpu.conf"; r=1; }
	# The package's vcpuctl is a dynamic binary with the matching Depends.
	dpkg-deb --fsys-tarfile "$CTL_DEB" | tar -xO ./usr/bin/vcpuctl >"$T/vcpuctl"
	file -b "$T/vcpuctl" 2>/dev/null | grep -q "dynamically linked" ||
		readelf -l "$T/vcpuctl" | grep -q INTERP || { echo "vcpuctl is not dynamic"; r=1; }
	# One of its Depends (libbpf1, libtraceevent1... sort before it).
	dpkg-deb -f "$CTL_DEB" Depends | tr ',' '\n' | grep -q '^ *libc6 (>= ' ||
		{ echo "vcpuctl: no libc6 Depends"; r=1; }
} >"$T/debc" 2>&1
ok deb_contents $r "$T/debc"

# --- DKMS, from the package's own /usr/src tree, in a private tree ---
dpkg-deb -x "$DKMS_DEB" "$T/debroot"
S=$T/debroot/usr/src
DT=$T/dkms
mkdir -p "$DT"
# A throw-away machine owner key: dkms signs with it as it would with
# /var/lib/dkms/mok.key (Documentation/install.rst, Secure Boot).
openssl req -new -x509 -nodes -days 1 -subj "/CN=xvcpu install-check MOK" \
	-newkey rsa:2048 -keyout "$T/mok.key" -outform DER -out "$T/mok.der" \
	>"$T/openssl.log" 2>&1 || cat "$T/openssl.log"
export mok_signing_key=$T/mok.key mok_certificate=$T/mok.der
dkms add -m xvcpu -v "$VERSION" --sourcetree "$S" --dkmstree "$DT" >"$T/dkms.log" 2>&1
ok dkms_add $? "$T/dkms.log"

t0=$(date +%s)
dkms build -m xvcpu -v "$VERSION" -k "$KVER" --kernelsourcedir "$KDIR" \
	--sourcetree "$S" --dkmstree "$DT" >"$T/dkms.log" 2>&1
r=$?
echo "# dkms build took $(( $(date +%s) - t0 )) s"
st=$(dkms status -m xvcpu -v "$VERSION" -k "$KVER" --sourcetree "$S" --dkmstree "$DT" 2>&1)
echo "# dkms status: $st"
[ "$st" = "xvcpu/$VERSION, $KVER, x86_64: built" ] || r=1
[ $r = 0 ] || { echo "status: $st" >>"$T/dkms.log"; cat "$DT/xvcpu/$VERSION/build/make.log" >>"$T/dkms.log" 2>/dev/null; }
ok dkms_build $r "$T/dkms.log"

r=0
ko=$DT/xvcpu/$VERSION/$KVER/x86_64/module/xvcpu.ko
{
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$KVER" ] || { echo "vermagic: $(modinfo -F vermagic "$ko")"; r=1; }
	[ "$(modinfo -F signer "$ko")" = "xvcpu install-check MOK" ] || { echo "signer: '$(modinfo -F signer "$ko")'"; r=1; }
	[ "$(modinfo -F parm "$ko")" = "$(modinfo -F parm xvcpu.ko)" ] || { echo "parameters differ from xvcpu.ko"; r=1; }
} >"$T/dkms-ko" 2>&1
ok dkms_module_for_kernel_and_signed $r "$T/dkms-ko"

dkms remove -m xvcpu -v "$VERSION" --all --sourcetree "$S" --dkmstree "$DT" >"$T/dkms.log" 2>&1
r=$?
[ -z "$(dkms status --sourcetree "$S" --dkmstree "$DT" 2>&1)" ] || r=1
ok dkms_remove $r "$T/dkms.log"
[ $n = $PLAN ] || echo "not ok $((n + 1)) plan_matches_cases # $n cases, plan $PLAN"
