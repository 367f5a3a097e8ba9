#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by scripts/check.sh and scripts/vmtest.sh, from the top of the
# tree: mkpayload DIR TEST... builds what a selftest VM gets in /xvcpu
# (the stripped module, vm_check.sh, the named selftest binaries and a
# check.sh that runs them all).
# shellcheck source=install-payload.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-payload.sh"
mkpayload() {
	local p=$1 t
	shift
	rm -rf "$p"
	mkdir -p "$p/tests" "$p/bin"
	# Debug info makes the module 15x larger and each load in Bochs slow.
	strip --strip-debug -o "$p/xvcpu.ko" xvcpu.ko
	cp selftests/vm_check.sh "$p/"
	for t in "$@"; do cp "build/selftests/$t" "$p/tests/" || return 1; done
	# The install test gets the installed tree, kmod and udev.
	case " $* " in
	*" xvcpu_install_test "*) mkpayload_install "$p" || return 1 ;;
	esac
	# The vcpuctl record test runs vcpuctl on its test guests.
	case " $* " in *" xvcpu_record_test "*)
		strip -o "$p/bin/vcpuctl" build/vcpuctl/vcpuctl &&
		mkdir -p "$p/guests" &&
		cp build/unit/guests/*.bin "$p/guests/" || return 1 ;;
	esac
	# The reboot test kexecs the stock kernel (the fast-boot image has
	# no 64-bit entry point), with this payload as its initramfs.
	case " $* " in *" xvcpu_reboot_test "*)
		# shellcheck disable=SC1091
		. "${XVCPU_CACHE:-$HOME/.cache/xvcpu}/env.sh" &&
		mkdir -p "$p/kexec" && cp "$VMLINUZ" "$p/kexec/vmlinuz" || return 1 ;;
	esac
	printf '#!/bin/sh\nexec /xvcpu/vm_check.sh\n' >"$p/check.sh"
	chmod +x "$p/check.sh"
}

# mktoolspayload DIR: what the tools VM gets in /xvcpu: the module,
# selftests/tools_test.sh (its command), xvcpu_workload, tools/bpf/*.bt
# and tools-mount.sh; the tools themselves come on the tools CD
# (mktoolsiso.sh, testvm.sh --cdrom) with the modules TOOLS_KMODS.
# vcpuctl and a test guest for `metrics --listen`, whose libmicrohttpd
# is on the CD.
TOOLS_KMODS="ata_piix sr_mod isofs"
mktoolspayload() {
	local p=$1
	rm -rf "$p"
	mkdir -p "$p/bin" "$p/bpf"
	strip --strip-debug -o "$p/xvcpu.ko" xvcpu.ko &&
	cp selftests/tools_test.sh scripts/testvm/tools-mount.sh "$p/" &&
	cp build/selftests/xvcpu_workload "$p/bin/" &&
	cp tools/bpf/*.bt "$p/bpf/" &&
	strip -o "$p/bin/vcpuctl" build/vcpuctl/vcpuctl &&
	mkdir -p "$p/guests" &&
	cp build/unit/guests/cpuid_spin.bin "$p/guests/"
}

# mklinuxpayload DIR: the Linux-boot VM's payload (the module, vcpuctl,
# the guest kernel and initramfs from mklinuxguest.sh, and the test).
mklinuxpayload() {
	local p=$1
	mkpayload "$p" || return 1
	cp build/vcpuctl/vcpuctl "$p/bin/" || return 1
	# The KVM backend, for the same boot on KVM (a cross-check).
	make -s -C tools/vcpuctl "$PWD/build/unit/vcpuctl-kvm" \
		UNIT_OUT="$PWD/build/unit" >/dev/null &&
		cp build/unit/vcpuctl-kvm "$p/bin/"
	scripts/testvm/mklinuxguest.sh --vmlinux "$p/linux" || return 1
	cp selftests/xvcpu_linux_boot_test.sh "$p/tests/xvcpu_linux_boot_test"
}
