# SPDX-License-Identifier: GPL-2.0
#
# xvcpu top level. `make` builds the module (kbuild, out of tree) and the
# user-space parts; `make check` runs every test; `make run` shows it
# working in the test VM. See README.md.

# The reference target is Debian's kernel: take the version from the
# linux-headers-amd64 package, never from a hard-coded string.
KVER ?= $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	sed -n 's/.*linux-headers-\([^ ,]*\).*/\1/p')
KDIR ?= /lib/modules/$(KVER)/build
CACHE ?= $(or $(XVCPU_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/xvcpu)
KSFT_INC ?= $(shell . $(CACHE)/env.sh 2>/dev/null && echo $$KSFT_INC)

BUILD := build
CC ?= gcc
HOST_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11

.PHONY: all module userspace selftests tools examples clean check run bench \
	fuzz unit setup help man install uninstall dkms-source dkms-install \
	install-module install-tools install-udev install-modprobe \
	dkms-uninstall deb

all: module userspace

help:
	@echo "make            module + user space (needs: make setup once)"
	@echo "make setup      install packages, fetch the test kernel (apt)"
	@echo "make check      every test: build, lint, unit, Bochs VM, QEMU VM"
	@echo "make run        boot the test VM, run the hello guest, show it"
	@echo "make bench      xvcpu vs KVM exit costs in one test-VM boot"
	@echo "make fuzz       long fuzz/chaos/race campaign in one test-VM boot"
	@echo "make unit       host unit tests only"
	@echo "make install    (root) module, vcpuctl, man page, udev rule, modprobe.d file"
	@echo "make uninstall  (root) remove what make install put there"
	@echo "make dkms-install / dkms-uninstall   (root) the module under DKMS"
	@echo "make deb        xvcpu-dkms and vcpuctl .deb packages in build/deb"
	@echo "                (Documentation/install.rst)"

setup:
	scripts/testvm/setup.sh

module:
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "no kernel headers: run 'make setup' or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The selftests need the kselftest headers that 'make setup' extracts;
# without them `make` builds the rest and says so (make check sets up).
userspace: tools examples
ifneq ($(KSFT_INC),)
userspace: selftests
else
userspace:
	@echo "selftests not built: no kselftest headers (run 'make setup')" >&2
endif

selftests:
	@test -n "$(KSFT_INC)" || { echo "no kselftest headers: run 'make setup'" >&2; exit 1; }
	$(MAKE) -C selftests KSFT_INC=$(KSFT_INC) OUT=$(CURDIR)/$(BUILD)/selftests

tools: man
	$(MAKE) -C tools/vcpuctl OUT=$(CURDIR)/$(BUILD)/vcpuctl

examples:
	$(MAKE) -C examples OUT=$(CURDIR)/$(BUILD)/examples

# Host unit tests of the pure logic (no VM, milliseconds), KTAP each.
UNIT_TESTS := controls decode walk
UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS))

$(BUILD)/unit/test_%: tests/unit/test_%.c src/vmx/%.c src/vmx/%.h tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isrc/vmx -Itests/unit -o $@ tests/unit/test_$*.c src/vmx/$*.c

# tools/bpf's exit-reason names against <asm/vmx.h> (reads the scripts).
$(BUILD)/unit/test_bpf_names: tests/unit/test_bpf_names.c tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/unit -o $@ $<

unit: $(UNIT_BINS) $(BUILD)/unit/test_bpf_names
	@rc=0; for t in $(UNIT_BINS) $(BUILD)/unit/test_bpf_names; do $$t || rc=1; done; \
	$(MAKE) -s -C tools/vcpuctl unit UNIT_OUT=$(CURDIR)/$(BUILD)/unit || rc=1; \
	exit $$rc

check:
	scripts/check.sh

# --- installing (Documentation/install.rst) ---
# One version for the module (dkms.conf, checked), vcpuctl and the .debs.
VERSION := $(shell sed -n 's/^\#define VCPUCTL_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	tools/vcpuctl/vcpuctl.h)
PREFIX ?= /usr/local
XVCPU_GROUP ?= xvcpu
UDEVRULESDIR ?= /etc/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d
# The module goes to the kernel it was built for (its vermagic), which
# need not be the one running.
MOD_KVER = $(shell modinfo -F vermagic xvcpu.ko 2>/dev/null | cut -d' ' -f1)
BPF_SCRIPTS := $(wildcard tools/bpf/*.bt)
# What the module's DKMS source tree holds (no user space, no tests).
DKMS_SRC := Kbuild dkms.conf $(shell find src include -name '*.[chS]' | LC_ALL=C sort)
DKMS_DIR = $(DESTDIR)/usr/src/xvcpu-$(VERSION)

man: $(BUILD)/man/vcpuctl.1

$(BUILD)/man/vcpuctl.1: Documentation/vcpuctl.rst scripts/mkman.sh tools/vcpuctl/vcpuctl.h
	scripts/mkman.sh $(VERSION) $< $@

# Installs what `make` built (run `make` first, as yourself); with
# DESTDIR set, only files: no depmod, no group, no udev reload.
# INSTALL_MOD_STRIP=1 drops the module's debug info (as for the kernel's
# modules_install): 5.8 MB -> ~0.4 MB.
install: install-module install-tools install-udev install-modprobe
ifeq ($(DESTDIR),)
	depmod -a $(MOD_KVER)
	getent group $(XVCPU_GROUP) >/dev/null || groupadd --system $(XVCPU_GROUP)
	-udevadm control --reload 2>/dev/null
	@echo "installed for kernel $(MOD_KVER): modprobe xvcpu; users in group $(XVCPU_GROUP) may open /dev/xvcpu"
	@! test -e /sys/module/kvm_intel || echo "note: kvm_intel is loaded; xvcpu will not load until it is unloaded (Documentation/install.rst)"
endif

install-module:
	@test -f xvcpu.ko || { echo "make install: no xvcpu.ko: run make first" >&2; exit 1; }
	@test -n "$(MOD_KVER)" || { echo "make install: cannot read xvcpu.ko's vermagic" >&2; exit 1; }
	install -D -m 0644 xvcpu.ko $(DESTDIR)/lib/modules/$(MOD_KVER)/updates/xvcpu.ko
	$(if $(INSTALL_MOD_STRIP),strip --strip-debug $(DESTDIR)/lib/modules/$(MOD_KVER)/updates/xvcpu.ko)

install-tools:
	@test -f $(BUILD)/vcpuctl/vcpuctl -a -f $(BUILD)/man/vcpuctl.1 || \
		{ echo "make install: no vcpuctl or man page: run make first" >&2; exit 1; }
	install -D -m 0755 $(BUILD)/vcpuctl/vcpuctl $(DESTDIR)$(PREFIX)/bin/vcpuctl
	install -D -m 0644 $(BUILD)/man/vcpuctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/vcpuctl.1
	$(if $(BPF_SCRIPTS),install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/xvcpu/bpf $(BPF_SCRIPTS))

install-udev:
	@mkdir -p $(DESTDIR)$(UDEVRULESDIR)
	sed 's/@GROUP@/$(XVCPU_GROUP)/g' packaging/70-xvcpu.rules.in \
		>$(DESTDIR)$(UDEVRULESDIR)/70-xvcpu.rules
	chmod 0644 $(DESTDIR)$(UDEVRULESDIR)/70-xvcpu.rules

install-modprobe:
	install -D -m 0644 packaging/xvcpu.conf $(DESTDIR)$(MODPROBEDIR)/xvcpu.conf

uninstall:
	@test -n "$(MOD_KVER)" || { echo "make uninstall: no xvcpu.ko to read the kernel version from (pass MOD_KVER=)" >&2; exit 1; }
	rm -f $(DESTDIR)/lib/modules/$(MOD_KVER)/updates/xvcpu.ko
	-rmdir $(DESTDIR)/lib/modules/$(MOD_KVER)/updates 2>/dev/null
	rm -f $(DESTDIR)$(PREFIX)/bin/vcpuctl $(DESTDIR)$(PREFIX)/share/man/man1/vcpuctl.1
	rm -rf $(DESTDIR)$(PREFIX)/share/xvcpu
	rm -f $(DESTDIR)$(UDEVRULESDIR)/70-xvcpu.rules $(DESTDIR)$(MODPROBEDIR)/xvcpu.conf
ifeq ($(DESTDIR),)
	depmod -a $(MOD_KVER)
	-udevadm control --reload 2>/dev/null
	@! test -e /sys/module/xvcpu || echo "note: xvcpu is still loaded: modprobe -r xvcpu"
	@echo "group $(XVCPU_GROUP) kept (its members may matter elsewhere): groupdel $(XVCPU_GROUP) removes it"
endif

# The module's sources as DKMS wants them: /usr/src/xvcpu-<version>/.
dkms-source:
	@test "$$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)" = "$(VERSION)" || \
		{ echo "dkms.conf PACKAGE_VERSION is not $(VERSION)" >&2; exit 1; }
	rm -rf $(DKMS_DIR)
	for f in $(DKMS_SRC); do install -D -m 0644 $$f $(DKMS_DIR)/$$f || exit 1; done

# DKMS builds and installs the module for the running kernel now and
# for every kernel installed later.
# Again after a change: the old registration goes first.
dkms-install:
	@if [ -n "$$(dkms status -m xvcpu -v $(VERSION) 2>/dev/null)" ]; then \
		echo "dkms remove xvcpu/$(VERSION) --all"; dkms remove xvcpu/$(VERSION) --all; fi
	$(MAKE) --no-print-directory dkms-source
	dkms add xvcpu/$(VERSION)
	dkms build xvcpu/$(VERSION)
	dkms install xvcpu/$(VERSION)
	getent group $(XVCPU_GROUP) >/dev/null || groupadd --system $(XVCPU_GROUP)

dkms-uninstall:
	-dkms remove xvcpu/$(VERSION) --all
	rm -rf $(DKMS_DIR)

deb:
	scripts/mkdeb.sh $(VERSION)

run:
	scripts/run.sh

bench:
	scripts/bench.sh

# The long hardening campaign (Documentation/hardening.rst).
fuzz:
	scripts/fuzz.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1
	rm -rf $(BUILD)
