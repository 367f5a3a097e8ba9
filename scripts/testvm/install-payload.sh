#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by payload.sh: mkpayload_install DIR adds what the test VM's
# xvcpu_install_test needs under DIR/install/ (Documentation/install.rst):
#   root/   the tree `make install DESTDIR=... INSTALL_MOD_STRIP=1` lays
#           out (stripped: debug info makes each load in Bochs slow)
#   bin/    Debian's kmod and udevadm (also systemd-udevd), the host's own
#           binaries: the test runs the depmod, modprobe and udev a
#           Debian user has, not busybox's look-alikes. They are dynamic;
#           mkinitramfs.sh carries the libraries they need (ldd).
#   hello   the hello guest
# Run from the top of the tree after `make`.
mkpayload_install() {
	local p=$1/install u
	mkdir -p "$p/bin"
	make -s install DESTDIR="$p/root" INSTALL_MOD_STRIP=1 >/dev/null || return 1
	cp "$(command -v kmod)" "$p/bin/kmod" || return 1
	u=$(command -v udevadm || echo /bin/udevadm)
	[ -x "$u" ] || { echo "mkpayload: no udevadm (install udev: make setup)" >&2; return 1; }
	cp "$u" "$p/bin/udevadm" || return 1
	cp build/examples/hello "$p/hello"
}
