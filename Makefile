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

BUILD := build
CC ?= gcc
HOST_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11

.PHONY: all module clean check run unit setup help

all: module

module:
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "no kernel headers: run 'make setup' or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Host unit tests of the pure logic (no VM, milliseconds).
$(BUILD)/unit/test_controls: tests/unit/test_controls.c src/vmx/controls.c src/vmx/controls.h tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isrc/vmx -Itests/unit -o $@ tests/unit/test_controls.c src/vmx/controls.c

unit: $(BUILD)/unit/test_controls
	$(BUILD)/unit/test_controls

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf $(BUILD)
