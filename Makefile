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
	unit setup help

all: module userspace

help:
	@echo "make            module + user space (needs: make setup once)"
	@echo "make setup      install packages, fetch the test kernel (apt)"
	@echo "make check      every test: build, lint, unit, Bochs VM, QEMU VM"
	@echo "make run        boot the test VM, run the hello guest, show it"
	@echo "make bench      xvcpu vs KVM exit costs in one test-VM boot"
	@echo "make unit       host unit tests only"

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

tools:
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

run:
	scripts/run.sh

bench:
	scripts/bench.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1
	rm -rf $(BUILD)
