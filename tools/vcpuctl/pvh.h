/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PVH boot of an uncompressed ELF kernel (vmlinux), as Xen's PVH
 * mode, cloud-hypervisor, Firecracker and QEMU's -kernel do it
 * (Xen's docs/misc/pvh.pandoc): the kernel's PT_LOAD segments go to
 * their physical addresses, and the vCPU enters the address of the ELF
 * note XEN_ELFNOTE_PHYS32_ENTRY in flat 32-bit protected mode with
 * paging off, EBX = the physical address of a struct hvm_start_info
 * (command line, memory map, the initrd as module 0). Pure, as
 * bzimage.h: everything is written into the buffer backing guest RAM.
 */
#ifndef VCPUCTL_PVH_H
#define VCPUCTL_PVH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bzimage.h"

/* Xen's public ELF note (xen/include/public/elfnote.h). */
#define XEN_ELFNOTE_PHYS32_ENTRY	18

/*
 * The start-of-day structures of xen/include/public/arch-x86/hvm/
 * start_info.h, version 1: an ABI between the loader and the kernel,
 * defined here as every VMM that boots PVH defines it (there is no
 * header for it outside Xen's own development package).
 */
#define HVM_START_MAGIC		0x336ec578
#define HVM_MEMMAP_TYPE_RAM	1
#define HVM_MEMMAP_TYPE_RESERVED 2

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;	/* version 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* Where they go: the zero page's place of the bzImage boot. */
#define PVH_START_INFO	BZ_ZERO_PAGE
#define PVH_MODLIST	(BZ_ZERO_PAGE + 0x100)
#define PVH_MEMMAP	(BZ_ZERO_PAGE + 0x200)
/* Linux's COMMAND_LINE_SIZE on x86, with the NUL. */
#define PVH_CMDLINE_MAX	2047

/* Whether @buf starts like an ELF file (then it is for pvh_load()). */
bool pvh_is_elf(const void *buf, size_t len);

/*
 * Check the ELF kernel @kbuf and load it, the optional initrd (module 0,
 * as high as RAM allows) and @cmdline into @mem (@mem_size bytes of
 * guest RAM), write hvm_start_info and its tables, and the firmware stub
 * (bz_firmware()) that jumps to the PVH entry. -EINVAL with the reason
 * in @err for a file that is not a loadable x86-64 ELF kernel with a
 * PVH entry note, -ENOSPC when something does not fit in RAM.
 */
int pvh_load(const void *kbuf, size_t klen, const void *initrd,
	     size_t initrd_len, const char *cmdline, void *mem,
	     uint64_t mem_size, struct bz_boot *b, char *err, size_t errlen);

#endif /* VCPUCTL_PVH_H */
