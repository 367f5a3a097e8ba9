// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU state a guest starts in: real mode (CS:IP), flat 32-bit
 * protected mode, or 64-bit long mode with identity-mapped 2 MiB pages.
 * Pure: writes tables into the guest RAM buffer and fills the register
 * structures that vmm.c hands to XVCPU_SET_SREGS / XVCPU_SET_REGS.
 */
#include <errno.h>
#include <string.h>

#include "vmm.h"

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define RFLAGS_FIXED	(1ull << 1)

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_PS		(1ull << 7)

/*
 * Descriptor types (SDM 3.4.5.1, 3.5): all with the accessed bit set,
 * which VM entry requires of usable code/data segments.
 */
#define TYPE_DATA_RW	0x3
#define TYPE_CODE_RX	0xb
#define TYPE_TSS_BUSY	0xb
#define TYPE_LDT	0x2

#define TSS_SIZE	0x68

static const char *const mode_names[] = {
	[MODE_REAL] = "real",
	[MODE_PROTECTED] = "protected",
	[MODE_LONG] = "long",
};

const char *mode_name(enum cpu_mode mode)
{
	return mode <= MODE_LONG ? mode_names[mode] : "?";
}

int mode_parse(const char *s, enum cpu_mode *mode)
{
	size_t len = strlen(s);
	int i, found = -1;

	for (i = 0; i <= MODE_LONG; i++) {
		if (len && !strncmp(mode_names[i], s, len)) {
			if (found >= 0)
				return -EINVAL;
			found = i;
		}
	}
	if (found < 0)
		return -EINVAL;
	*mode = found;
	return 0;
}

int layout_init(struct guest_layout *l, enum cpu_mode mode,
		uint64_t mem_size, unsigned int nr_vcpus)
{
	uint64_t need;

	memset(l, 0, sizeof(*l));
	l->mode = mode;
	l->mem_size = mem_size;
	l->nr_vcpus = nr_vcpus;
	if (mode == MODE_REAL) {
		l->reserved_hi = VMM_REAL_STACK_TOP;
		l->reserved_lo = VMM_REAL_STACK_TOP -
				 nr_vcpus * VMM_REAL_STACK_SIZE;
		return mem_size >= VMM_REAL_STACK_TOP ? 0 : -ENOSPC;
	}
	need = VMM_SYS_SIZE + nr_vcpus * VMM_STACK_SIZE;
	if (mem_size < need)
		return -ENOSPC;
	l->sys_base = mem_size - VMM_SYS_SIZE;
	l->reserved_lo = mem_size - need;
	l->reserved_hi = mem_size;
	return 0;
}

uint64_t layout_stack_top(const struct guest_layout *l, unsigned int id)
{
	if (l->mode == MODE_REAL)
		return VMM_REAL_STACK_TOP - id * VMM_REAL_STACK_SIZE;
	return l->sys_base - id * VMM_STACK_SIZE;
}

uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access,
		   uint8_t flags)
{
	return (limit & 0xffffull) |
	       ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

static void put64(void *mem, uint64_t gpa, uint64_t v)
{
	memcpy((char *)mem + gpa, &v, sizeof(v));
}

/*
 * The segment registers below are loaded from these same descriptors,
 * so a guest that reloads a selector gets what it already has.
 */
void mode_build_tables(void *mem, const struct guest_layout *l)
{
	uint64_t sys = l->sys_base, tss = sys + SYS_TSS;
	bool lm = l->mode == MODE_LONG;
	uint16_t iomap = TSS_SIZE;
	int i, j;

	if (l->mode == MODE_REAL)
		return;
	memset((char *)mem + sys, 0, VMM_SYS_SIZE);

	put64(mem, sys + SYS_GDT + 0, 0);
	/* flags: G | L for 64-bit code, G | D/B for 32-bit code and data. */
	put64(mem, sys + SYS_GDT + SEL_CODE,
	      gdt_entry(0, 0xfffff, 0x90 | TYPE_CODE_RX, lm ? 0xa : 0xc));
	put64(mem, sys + SYS_GDT + SEL_DATA,
	      gdt_entry(0, 0xfffff, 0x90 | TYPE_DATA_RW, 0xc));
	/*
	 * Busy, as LTR would have left it: TR is loaded already. In long
	 * mode the descriptor is 16 bytes, the upper half base[63:32] = 0.
	 */
	put64(mem, sys + SYS_GDT + SEL_TSS,
	      gdt_entry(tss, TSS_SIZE - 1, 0x80 | TYPE_TSS_BUSY, 0));
	put64(mem, sys + SYS_GDT + SEL_TSS + 8, 0);

	/* I/O map base past the limit: no I/O permission bitmap. */
	memcpy((char *)mem + tss + 0x66, &iomap, sizeof(iomap));

	if (!lm)
		return;
	/* US set so a guest may drop to ring 3 without new tables. */
	put64(mem, sys + SYS_PML4, (sys + SYS_PDPT) | PTE_P | PTE_RW | PTE_US);
	for (i = 0; i < SYS_NR_PD; i++) {
		uint64_t pd = sys + SYS_PD + i * 0x1000ull;

		put64(mem, sys + SYS_PDPT + i * 8,
		      pd | PTE_P | PTE_RW | PTE_US);
		for (j = 0; j < 512; j++)
			put64(mem, pd + j * 8,
			      (((uint64_t)i << 30) | ((uint64_t)j << 21)) |
			      PTE_P | PTE_RW | PTE_US | PTE_PS);
	}
}

void real_seg_off(uint64_t addr, uint16_t *seg, uint16_t *off)
{
	/* 0x7c00 -> 0000:7c00, 0x12345 -> 1000:2345: CS on a 64 KiB boundary. */
	*seg = (addr >> 4) & 0xf000;
	*off = addr & 0xffff;
}

static void real_seg(struct xvcpu_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = (uint64_t)sel << 4;
	s->limit = 0xffff;
	s->type = type;
	s->s = 1;
	s->present = 1;
}

static void flat_seg(struct xvcpu_segment *s, uint16_t sel, uint8_t type,
		     bool code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->type = type;
	s->s = 1;
	s->present = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

void mode_flat_sregs(struct xvcpu_sregs *sregs, const struct flat_state *f)
{
	memset(sregs->reserved, 0, sizeof(sregs->reserved));
	flat_seg(&sregs->cs, f->cs, TYPE_CODE_RX, f->long_mode);
	flat_seg(&sregs->ds, f->ds, TYPE_DATA_RW, false);
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;

	memset(&sregs->tr, 0, sizeof(sregs->tr));
	sregs->tr.selector = f->tr;
	sregs->tr.base = f->tss;
	sregs->tr.limit = TSS_SIZE - 1;
	sregs->tr.type = TYPE_TSS_BUSY;
	sregs->tr.present = 1;

	memset(&sregs->ldt, 0, sizeof(sregs->ldt));
	sregs->ldt.type = TYPE_LDT;
	sregs->ldt.unusable = 1;

	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	sregs->gdt.base = f->gdt;
	sregs->gdt.limit = f->gdt_limit;
	/*
	 * An empty IDT: the first exception becomes a triple fault, which
	 * vcpuctl reports (SHUTDOWN) instead of jumping through garbage.
	 */
	memset(&sregs->idt, 0, sizeof(sregs->idt));

	/* Caches on (reset has CD|NW): what firmware hands an OS. */
	sregs->cr0 = CR0_PE | CR0_ET | CR0_NE;
	sregs->cr2 = 0;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->cr8 = 0;
	sregs->efer = 0;
	if (f->long_mode) {
		sregs->cr0 |= CR0_PG | f->cr0_extra;
		sregs->cr3 = f->cr3;
		sregs->cr4 = CR4_PAE;
		sregs->efer = EFER_LME | EFER_LMA;
	}
}

void mode_setup_vcpu(const struct guest_layout *l, unsigned int id,
		     const struct entry_point *entry,
		     struct xvcpu_sregs *sregs, struct xvcpu_regs *regs)
{
	bool lm = l->mode == MODE_LONG;

	memset(regs, 0, sizeof(*regs));
	memset(sregs->reserved, 0, sizeof(sregs->reserved));
	regs->rflags = RFLAGS_FIXED;
	regs->rdi = id;
	regs->rsi = l->nr_vcpus;
	regs->rdx = l->mem_size;
	regs->rsp = layout_stack_top(l, id);

	if (l->mode == MODE_REAL) {
		uint16_t seg, off;

		if (entry->seg_off) {
			seg = entry->seg;
			off = entry->off;
		} else {
			real_seg_off(entry->addr, &seg, &off);
		}
		/* CR0, GDTR, IDTR (the IVT at 0), TR, LDTR stay as at reset. */
		real_seg(&sregs->cs, seg, TYPE_CODE_RX);
		real_seg(&sregs->ds, seg, TYPE_DATA_RW);
		real_seg(&sregs->es, seg, TYPE_DATA_RW);
		real_seg(&sregs->fs, seg, TYPE_DATA_RW);
		real_seg(&sregs->gs, seg, TYPE_DATA_RW);
		real_seg(&sregs->ss, 0, TYPE_DATA_RW);
		regs->rip = off;
		return;
	}

	mode_flat_sregs(sregs, &(struct flat_state){
		.long_mode = lm,
		.cs = SEL_CODE,
		.ds = SEL_DATA,
		.tr = SEL_TSS,
		.tss = l->sys_base + SYS_TSS,
		.gdt = l->sys_base + SYS_GDT,
		.gdt_limit = SEL_TSS + (lm ? 16 : 8) - 1,
		.cr3 = l->sys_base + SYS_PML4,
		.cr0_extra = CR0_MP | CR0_WP,
	});
	regs->rip = entry->addr;
}
