// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux x86 boot protocol: what a boot loader does for a bzImage
 * entered at its 32-bit or 64-bit entry point, as kvmtool, Firecracker
 * and cloud-hypervisor do it. Every field comes from an untrusted file:
 * each size is checked against the file and guest RAM before use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <asm/bootparam.h>

#include "bzimage.h"
#include "vcpuctl.h"
#include "vmm.h"

#define HDR_MAGIC	0x53726448	/* "HdrS" */
#define MIN_VERSION	0x206		/* cmdline_size, ext. fields */
#define LOADER_TYPE	0xff		/* "undefined" boot loader */
#define E820_RAM	1
#define E820_RESERVED	2

/* Page table and descriptor bits (SDM vol. 3A). */
#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)
#define TYPE_DATA_RW	0x3
#define TYPE_CODE_RX	0xb

static __printf(4, 5) int bz_err(int r, char *err, size_t errlen,
				 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put64(void *mem, uint64_t gpa, uint64_t v)
{
	memcpy((char *)mem + gpa, &v, sizeof(v));
}

int bz_parse(const void *buf, size_t len, struct bz_kernel *k, char *err,
	     size_t errlen)
{
	const struct boot_params *bp = buf;
	const struct setup_header *h = &bp->hdr;
	uint64_t setup_len;

	memset(k, 0, sizeof(*k));
	if (len < sizeof(struct boot_params))
		return bz_err(-EINVAL, err, errlen,
			      "%zu bytes: too short for a bzImage (no setup header)",
			      len);
	if (get32((const uint8_t *)&h->header) != HDR_MAGIC)
		return bz_err(-EINVAL, err, errlen,
			      "not a bzImage: no \"HdrS\" boot protocol signature at offset 0x202");
	k->version = h->version;
	if (k->version < MIN_VERSION)
		return bz_err(-EINVAL, err, errlen,
			      "boot protocol %u.%02u is older than 2.06",
			      k->version >> 8, k->version & 0xff);
	if (!(h->loadflags & LOADED_HIGH))
		return bz_err(-EINVAL, err, errlen,
			      "a zImage (not loaded high): only bzImages are supported");
	k->setup_sects = h->setup_sects ? h->setup_sects : 4;
	setup_len = (k->setup_sects + 1ull) * 512;
	if (setup_len >= len)
		return bz_err(-EINVAL, err, errlen,
			      "setup code (%llu bytes) runs past the end of the file (%zu bytes)",
			      (unsigned long long)setup_len, len);
	k->pm_offset = setup_len;
	k->pm_size = len - setup_len;
	/* syssize counts 16-byte paragraphs of the protected-mode part. */
	if ((uint64_t)h->syssize * 16 > k->pm_size)
		return bz_err(-EINVAL, err, errlen,
			      "truncated: the header says %llu bytes of kernel, the file has %llu",
			      (unsigned long long)h->syssize * 16,
			      (unsigned long long)k->pm_size);
	k->entry64 = k->version >= 0x20c && (h->xloadflags & XLF_KERNEL_64);
	k->relocatable = k->version >= 0x205 && h->relocatable_kernel;
	k->load_addr = k->relocatable && k->version >= 0x20a &&
		       h->pref_address >= BZ_HIGH ? h->pref_address : BZ_HIGH;
	if (k->relocatable && h->kernel_alignment &&
	    !(h->kernel_alignment & (h->kernel_alignment - 1)))
		k->load_addr = (k->load_addr + h->kernel_alignment - 1) &
			       ~(uint64_t)(h->kernel_alignment - 1);
	k->init_size = k->version >= 0x20a && h->init_size ? h->init_size :
		       k->pm_size;
	if (k->init_size < k->pm_size)
		k->init_size = k->pm_size;
	k->initrd_max = h->initrd_addr_max ? h->initrd_addr_max : 0x37ffffff;
	k->cmdline_max = h->cmdline_size ? h->cmdline_size : 255;
	return 0;
}

static void e820_add(struct boot_params *bp, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	struct boot_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

static void build_tables(void *mem, bool entry64)
{
	unsigned int i, j;

	memset((char *)mem + BZ_GDT, 0, 0x100);
	put64(mem, BZ_GDT + BZ_BOOT_CS,
	      gdt_entry(0, 0xfffff, 0x90 | TYPE_CODE_RX, entry64 ? 0xa : 0xc));
	put64(mem, BZ_GDT + BZ_BOOT_DS,
	      gdt_entry(0, 0xfffff, 0x90 | TYPE_DATA_RW, 0xc));
	if (!entry64)
		return;
	/* PML4 -> PDPT -> 4 PDs of 2 MiB pages: [0, 4 GiB) identity. */
	memset((char *)mem + BZ_PML4, 0, 6 * 0x1000);
	put64(mem, BZ_PML4, (BZ_PML4 + 0x1000) | PTE_P | PTE_RW);
	for (i = 0; i < 4; i++) {
		uint64_t pd = BZ_PML4 + 0x2000 + i * 0x1000ull;

		put64(mem, BZ_PML4 + 0x1000 + i * 8, pd | PTE_P | PTE_RW);
		for (j = 0; j < 512; j++)
			put64(mem, pd + j * 8,
			      ((uint64_t)i << 30 | (uint64_t)j << 21) |
			      PTE_P | PTE_RW | PTE_PS);
	}
}

/*
 * The firmware stub: two debug-port codes, then a jump to the entry with
 * every register the protocol sets (RSI) untouched:
 *   mov al, START; out 0x80, al; mov al, KERNEL; out 0x80, al
 *   mov (r/e)ax, entry; jmp (r/e)ax
 */
static void write_stub(void *mem, const struct bz_boot *b)
{
	uint8_t *p = (uint8_t *)mem + BZ_FIRMWARE;
	unsigned int n = 0;

	p[n++] = 0xb0;
	p[n++] = BZ_CODE_START;
	p[n++] = 0xe6;
	p[n++] = 0x80;
	p[n++] = 0xb0;
	p[n++] = BZ_CODE_KERNEL;
	p[n++] = 0xe6;
	p[n++] = 0x80;
	if (b->k.entry64) {
		p[n++] = 0x48;		/* movabs rax, imm64 */
		p[n++] = 0xb8;
		memcpy(p + n, &b->entry, 8);
		n += 8;
	} else {
		uint32_t e = b->entry;

		p[n++] = 0xb8;		/* mov eax, imm32 */
		memcpy(p + n, &e, 4);
		n += 4;
	}
	p[n++] = 0xff;			/* jmp rax / eax */
	p[n++] = 0xe0;
}

int bz_load(const void *kbuf, size_t klen, const void *initrd,
	    size_t initrd_len, const char *cmdline, void *mem,
	    uint64_t mem_size, struct bz_boot *b, char *err, size_t errlen)
{
	const struct boot_params *src = kbuf;
	struct bz_kernel *k = &b->k;
	struct boot_params *bp;
	uint64_t kend, top, hdr_end;
	size_t cl = strlen(cmdline);

	b->mem_size = mem_size;
	b->pvh = false;
	b->start_info = 0;
	if (mem_size <= BZ_HIGH || mem_size > 0xc0000000ull)
		return bz_err(-ENOSPC, err, errlen,
			      "guest RAM of %llu KiB: need more than 1 MiB and at most 3 GiB",
			      (unsigned long long)(mem_size >> 10));
	if (klen < k->pm_offset + k->pm_size)
		return bz_err(-EINVAL, err, errlen, "kernel image changed size");
	kend = k->load_addr + k->init_size;
	if (kend > mem_size)
		return bz_err(-ENOSPC, err, errlen,
			      "the kernel needs [0x%llx, 0x%llx) (init_size %llu MiB) and guest RAM ends at 0x%llx",
			      (unsigned long long)k->load_addr,
			      (unsigned long long)kend,
			      (unsigned long long)(k->init_size >> 20),
			      (unsigned long long)mem_size);
	if (cl > k->cmdline_max)
		return bz_err(-EINVAL, err, errlen,
			      "command line of %zu bytes; this kernel takes at most %u",
			      cl, k->cmdline_max);

	memcpy((char *)mem + k->load_addr, (const char *)kbuf + k->pm_offset,
	       k->pm_size);
	memcpy((char *)mem + BZ_CMDLINE, cmdline, cl + 1);

	b->initrd_addr = b->initrd_size = 0;
	if (initrd) {
		top = k->initrd_max + 1 < mem_size ? k->initrd_max + 1 : mem_size;
		if (initrd_len > top || ((top - initrd_len) & ~0xfffull) < kend)
			return bz_err(-ENOSPC, err, errlen,
				      "initrd of %zu KiB does not fit between the kernel's end 0x%llx and 0x%llx",
				      initrd_len >> 10, (unsigned long long)kend,
				      (unsigned long long)top);
		b->initrd_addr = (top - initrd_len) & ~0xfffull;
		b->initrd_size = initrd_len;
		memcpy((char *)mem + b->initrd_addr, initrd, initrd_len);
	}

	/* The zero page: the setup header as the file has it, then ours. */
	bp = (struct boot_params *)((char *)mem + BZ_ZERO_PAGE);
	memset(bp, 0, sizeof(*bp));
	hdr_end = 0x202 + ((const uint8_t *)kbuf)[0x201];
	if (hdr_end > offsetof(struct boot_params, hdr) + sizeof(bp->hdr))
		hdr_end = offsetof(struct boot_params, hdr) + sizeof(bp->hdr);
	memcpy(&bp->hdr, &src->hdr, hdr_end - offsetof(struct boot_params, hdr));
	bp->hdr.type_of_loader = LOADER_TYPE;
	bp->hdr.loadflags &= ~(KEEP_SEGMENTS | CAN_USE_HEAP);
	bp->hdr.code32_start = k->load_addr;
	bp->hdr.cmd_line_ptr = BZ_CMDLINE;
	bp->hdr.ramdisk_image = b->initrd_addr;
	bp->hdr.ramdisk_size = b->initrd_size;
	bp->hdr.vid_mode = 0xffff;	/* "normal": no video mode set */

	e820_add(bp, 0, BZ_EBDA, E820_RAM);
	e820_add(bp, BZ_EBDA, 0xa0000 - BZ_EBDA, E820_RESERVED);
	e820_add(bp, BZ_BIOS, BZ_HIGH - BZ_BIOS, E820_RESERVED);
	e820_add(bp, BZ_HIGH, mem_size - BZ_HIGH, E820_RAM);
	b->nr_e820 = bp->e820_entries;

	b->entry = k->entry64 ? k->load_addr + 0x200 : k->load_addr;
	bz_firmware(mem, b);
	return 0;
}

void bz_firmware(void *mem, const struct bz_boot *b)
{
	build_tables(mem, b->k.entry64);
	write_stub(mem, b);
}

void bz_setup_vcpu(const struct bz_boot *b, struct xvcpu_sregs *sregs,
		   struct xvcpu_regs *regs)
{
	bool lm = b->k.entry64;

	memset(regs, 0, sizeof(*regs));
	regs->rflags = 2;		/* IF clear, as the protocol wants */
	regs->rip = BZ_FIRMWARE;
	regs->rsp = BZ_STACK_TOP;
	/* The zero page (boot protocol) or hvm_start_info (PVH). */
	if (b->pvh)
		regs->rbx = b->start_info;
	else
		regs->rsi = BZ_ZERO_PAGE;

	mode_flat_sregs(sregs, &(struct flat_state){
		.long_mode = lm,
		.cs = BZ_BOOT_CS,
		.ds = BZ_BOOT_DS,
		.tss = BZ_TSS,
		.gdt = BZ_GDT,
		.gdt_limit = BZ_BOOT_DS + 8 - 1,
		.cr3 = BZ_PML4,
	});
}
