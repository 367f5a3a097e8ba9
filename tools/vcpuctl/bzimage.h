/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux x86 boot protocol (Documentation/x86/boot.rst of the
 * kernel) for `vcpuctl boot`: a bzImage's setup header checked, its
 * protected-mode kernel copied to guest RAM, the zero page
 * (struct boot_params from <asm/bootparam.h>) with the e820 map, the
 * command line and the initrd placed, and the CPU state of the 64-bit
 * entry (startup_64, load address + 0x200, long mode with an identity
 * map) or, for a kernel without XLF_KERNEL_64, of the 32-bit entry
 * (code32_start, flat protected mode, paging off). Pure: everything is
 * written into the buffer that backs guest RAM at GPA 0.
 */
#ifndef VCPUCTL_BZIMAGE_H
#define VCPUCTL_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/xvcpu.h>

/* Guest physical layout below 1 MiB (as kvmtool and Firecracker use). */
#define BZ_GDT		0x500ull	/* null, null, 0x10 code, 0x18 data */
#define BZ_TSS		0x580ull	/* an idle TSS for TR (VMX needs one) */
#define BZ_ZERO_PAGE	0x7000ull	/* struct boot_params */
#define BZ_FIRMWARE	0x8000ull	/* the stub the vCPU starts in */
#define BZ_STACK_TOP	0x8ff0ull
#define BZ_PML4		0x9000ull	/* + PDPT + 4 PDs: 4 GiB identity map */
#define BZ_CMDLINE	0x20000ull
#define BZ_EBDA		0x9fc00ull	/* RAM ends here below 1 MiB */
#define BZ_BIOS		0xf0000ull	/* reserved up to 1 MiB */
#define BZ_HIGH		0x100000ull	/* 1 MiB: where RAM resumes */

#define BZ_BOOT_CS	0x10		/* __BOOT_CS of the boot protocol */
#define BZ_BOOT_DS	0x18		/* __BOOT_DS */

struct bz_kernel {
	uint16_t version;	/* boot protocol, e.g. 0x20f */
	unsigned int setup_sects;
	uint64_t pm_offset;	/* file offset of the protected-mode kernel */
	uint64_t pm_size;
	bool entry64;		/* XLF_KERNEL_64: startup_64 at +0x200 */
	bool relocatable;
	uint64_t load_addr;	/* where the protected-mode kernel goes */
	uint64_t init_size;	/* memory it needs from there */
	uint64_t initrd_max;	/* highest address an initrd byte may have */
	uint32_t cmdline_max;	/* bytes, without the NUL */
};

/*
 * Debug-port codes (firmware range, 0x00-0x1f) of vcpuctl's stub: the
 * vCPU starts at BZ_FIRMWARE, writes BZ_CODE_START to port 0x80, then
 * BZ_CODE_KERNEL, and jumps to the kernel's entry.
 */
#define BZ_CODE_START	0x01	/* first guest instruction */
#define BZ_CODE_KERNEL	0x1f	/* jumping to the kernel */

struct bz_boot {
	struct bz_kernel k;
	uint64_t mem_size;
	uint64_t entry;		/* the kernel's entry, physical */
	uint64_t initrd_addr, initrd_size;
	unsigned int nr_e820;
	bool pvh;		/* PVH entry (pvh.h): RBX = start_info */
	uint64_t start_info;	/* struct hvm_start_info, physical */
};

/*
 * Check @buf as a bzImage and describe it. -EINVAL with the reason in
 * @err: too short, no "HdrS" signature, protocol older than 2.06, not
 * loaded high, a size field that runs past the file.
 */
int bz_parse(const void *buf, size_t len, struct bz_kernel *k, char *err,
	     size_t errlen);

/*
 * Load the kernel @kbuf (already checked by bz_parse into @b->k), the
 * optional initrd and @cmdline into @mem (guest RAM of @mem_size bytes,
 * at most 3 GiB), and build the zero page, the GDT, the TSS and (64-bit
 * entry) the page tables. The initrd goes as high as the kernel allows,
 * page aligned. -ENOSPC with the reason in @err when something does not
 * fit, -EINVAL for a command line longer than the kernel takes.
 */
int bz_load(const void *kbuf, size_t klen, const void *initrd,
	    size_t initrd_len, const char *cmdline, void *mem,
	    uint64_t mem_size, struct bz_boot *b, char *err, size_t errlen);

/*
 * The GDT, the TSS, the page tables (64-bit entry only) and the firmware
 * stub that jumps to @b->entry: what every entry shares (pvh.c too).
 */
void bz_firmware(void *mem, const struct bz_boot *b);

/*
 * The entry state: @sregs from the vCPU's reset state, @regs filled: RSI
 * = the zero page, or for PVH (@b->pvh) RBX = @b->start_info.
 */
void bz_setup_vcpu(const struct bz_boot *b, struct xvcpu_sregs *sregs,
		   struct xvcpu_regs *regs);

#endif /* VCPUCTL_BZIMAGE_H */
