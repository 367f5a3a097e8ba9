// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: guest page-table walker over a fake guest memory
 * whose paging structures each test builds by hand.
 */
#include <errno.h>

#include "walk.h"
#include "unit.h"

#define PAGE		0x1000ULL
#define PG(n)		((u64)(n) * PAGE)
#define MEM_PAGES	16

#define P		(1ULL << 0)
#define RW		(1ULL << 1)
#define US		(1ULL << 2)
#define PS		(1ULL << 7)
#define XD		(1ULL << 63)
#define ALL		(P | RW | US)

/* Index of @gva in the table of @level (1 PT .. 5 PML5), 9-bit levels. */
#define IDX(gva, level)	(((gva) >> (12 + 9 * ((level) - 1))) & 0x1ff)

/* Guest memory: MEM_PAGES pages at guest-physical 0. */
struct fake_mem {
	u8 bytes[MEM_PAGES * PAGE];
	unsigned int reads;
};

static struct fake_mem mem;

static int fake_read(void *ctx, u64 gpa, unsigned int size, u64 *val)
{
	struct fake_mem *m = ctx;
	u64 v = 0;
	unsigned int i;

	if (size != 4 && size != 8)
		return -EINVAL;
	if (gpa > sizeof(m->bytes) - size)
		return -EFAULT;
	for (i = size; i > 0; i--)
		v = (v << 8) | m->bytes[gpa + i - 1];
	m->reads++;
	*val = v;
	return 0;
}

static void put(u64 gpa, unsigned int size, u64 v)
{
	unsigned int i;

	for (i = 0; i < size; i++, v >>= 8)
		mem.bytes[gpa + i] = (u8)v;
}

static void put32(u64 gpa, u32 v)
{
	put(gpa, 4, v);
}

static void put64(u64 gpa, u64 v)
{
	put(gpa, 8, v);
}

static void reset(void)
{
	memset(&mem, 0, sizeof(mem));
}

static u64 gpa;
static u32 err;

static int walk(const struct xvcpu_walk_regs *r, u64 gva, unsigned int access)
{
	/* Poison the outputs, so a stale value cannot pass for a result. */
	gpa = 0xdeadbeefdeadbeefULL;
	err = 0xdeadbeef;
	mem.reads = 0;
	return xvcpu_walk(r, gva, access, fake_read, &mem, &gpa, &err);
}

#define W	XVCPU_WALK_WRITE
#define U	XVCPU_WALK_USER
#define F	XVCPU_WALK_FETCH
#define AC	XVCPU_WALK_AC
#define PF	XVCPU_WALK_PF

#define CR0_PG_WP	(XVCPU_CR0_PG | XVCPU_CR0_WP | 1)	/* PE too */

/* Register sets for each paging mode. */
static struct xvcpu_walk_regs regs32(void)
{
	struct xvcpu_walk_regs r = {
		.cr0 = CR0_PG_WP, .cr3 = PG(1) | 0x18, .cr4 = XVCPU_CR4_PSE,
	};
	return r;
}

static struct xvcpu_walk_regs regs_pae(void)
{
	/* PDPT at offset 0x20 of page 1: only bits 4:0 of CR3 are flags. */
	struct xvcpu_walk_regs r = {
		.cr0 = CR0_PG_WP, .cr3 = PG(1) + 0x20, .cr4 = XVCPU_CR4_PAE,
		.efer = XVCPU_EFER_NXE,
	};
	return r;
}

static struct xvcpu_walk_regs regs64(void)
{
	/* CR3 low bits as a PCID would fill them: not address bits. */
	struct xvcpu_walk_regs r = {
		.cr0 = CR0_PG_WP, .cr3 = PG(1) | 0x123, .cr4 = XVCPU_CR4_PAE,
		.efer = XVCPU_EFER_LMA | XVCPU_EFER_NXE | (1ULL << 8),
	};
	return r;
}

/*
 * 4-level chain for @gva: PML4 in page 1, PDPT page 2, PD page 3, PT
 * page 4, mapping to @pa with the given flags per level.
 */
static void map64(u64 gva, u64 pa, u64 f4, u64 f3, u64 f2, u64 f1)
{
	put64(PG(1) + IDX(gva, 4) * 8, PG(2) | f4);
	put64(PG(2) + IDX(gva, 3) * 8, PG(3) | f3);
	put64(PG(3) + IDX(gva, 2) * 8, PG(4) | f2);
	put64(PG(4) + IDX(gva, 1) * 8, pa | f1);
}

/* ---- no paging ---- */

UNIT_TEST(paging_off_is_identity)
{
	struct xvcpu_walk_regs r = { .cr0 = 1 };

	reset();
	EXPECT_EQ(walk(&r, 0x12345678, W), 0);
	EXPECT_EQ(gpa, 0x12345678);
	EXPECT_EQ(mem.reads, 0);
	/* Linear addresses are 32 bits outside IA-32e mode. */
	EXPECT_EQ(walk(&r, 0x100001234ULL, F | U), 0);
	EXPECT_EQ(gpa, 0x1234);
}

/* ---- 32-bit paging ---- */

UNIT_TEST(paging32_4k)
{
	struct xvcpu_walk_regs r = regs32();

	reset();
	/* gva 0x00403abc: directory 1, table 3 */
	put32(PG(1) + 1 * 4, PG(2) | ALL);
	put32(PG(2) + 3 * 4, 0xcafe5000 | ALL);
	EXPECT_EQ(walk(&r, 0x00403abc, U | W), 0);
	EXPECT_EQ(gpa, 0xcafe5abc);
	EXPECT_EQ(mem.reads, 2);
	/* Bits above 31 of the linear address are dropped. */
	EXPECT_EQ(walk(&r, 0xf00403abcULL, 0), 0);
	EXPECT_EQ(gpa, 0xcafe5abc);
}

UNIT_TEST(paging32_4m_pse36)
{
	struct xvcpu_walk_regs r = regs32();

	reset();
	/* gva 0x80123456: directory 0x200, 4 MiB page at 0x12_8000_0000 */
	put32(PG(1) + 0x200 * 4, 0x80000000 | (0x12 << 13) | PS | ALL);
	EXPECT_EQ(walk(&r, 0x80123456, 0), 0);
	EXPECT_EQ(gpa, 0x1280123456ULL);
	EXPECT_EQ(mem.reads, 1);
	/* MAXPHYADDR 36: only 4 high bits fit, 0x12 hits reserved bit 17 */
	r.maxphyaddr = 36;
	EXPECT_EQ(walk(&r, 0x80123456, W), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD | XVCPU_PF_W);
	/* Bit 21 is reserved even at MAXPHYADDR 40 */
	r.maxphyaddr = 0;
	put32(PG(1) + 0x200 * 4, 0x80000000 | (1 << 21) | PS | ALL);
	EXPECT_EQ(walk(&r, 0x80123456, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
}

UNIT_TEST(paging32_ps_ignored_without_pse)
{
	struct xvcpu_walk_regs r = regs32();

	reset();
	/* PDE 0 with PS pointing at page 2, which also holds a PTE. */
	put32(PG(1), PG(2) | PS | ALL);
	put32(PG(2) + 5 * 4, 0x77777000 | ALL);
	EXPECT_EQ(walk(&r, 0x5123, 0), 0);
	/* CR4.PSE: a 4 MiB page, whose PDE bit 13 is PA bit 32 */
	EXPECT_EQ(gpa, 0x100005123ULL);
	r.cr4 = 0;
	EXPECT_EQ(walk(&r, 0x5123, 0), 0);
	EXPECT_EQ(gpa, 0x77777123);	/* PS ignored: a page table */
}

UNIT_TEST(paging32_not_present)
{
	struct xvcpu_walk_regs r = regs32();

	reset();
	/* PDE not present: user write */
	EXPECT_EQ(walk(&r, 0x00403abc, U | W), PF);
	EXPECT_EQ(err, XVCPU_PF_W | XVCPU_PF_U);
	EXPECT_EQ(mem.reads, 1);
	/* PTE not present, with junk in its other bits: no RSVD */
	put32(PG(1) + 1 * 4, PG(2) | ALL);
	put32(PG(2) + 3 * 4, 0xfffffffe);
	EXPECT_EQ(walk(&r, 0x00403abc, 0), PF);
	EXPECT_EQ(err, 0);
	/* A fetch sets I/D only with SMEP in 32-bit paging */
	r.efer = XVCPU_EFER_NXE;
	EXPECT_EQ(walk(&r, 0x00403abc, F), PF);
	EXPECT_EQ(err, 0);
	r.cr4 |= XVCPU_CR4_SMEP;
	EXPECT_EQ(walk(&r, 0x00403abc, F), PF);
	EXPECT_EQ(err, XVCPU_PF_I);
}

/* ---- PAE paging ---- */

UNIT_TEST(pae_4k_and_2m)
{
	struct xvcpu_walk_regs r = regs_pae();

	reset();
	/* gva 0xc0201abc: PDPTE 3, PDE 1, PTE 1 */
	put64(PG(1) + 0x20 + 3 * 8, PG(3) | P);
	put64(PG(3) + 1 * 8, PG(4) | ALL);
	put64(PG(4) + 1 * 8, 0x1234567000ULL | ALL);
	EXPECT_EQ(walk(&r, 0xc0201abc, W | U), 0);
	EXPECT_EQ(gpa, 0x1234567abcULL);
	EXPECT_EQ(mem.reads, 3);
	/* gva 0xc0412345: PDE 2 is a 2 MiB page (no CR4.PSE needed) */
	put64(PG(3) + 2 * 8, 0x200600000ULL | PS | P | RW);
	EXPECT_EQ(walk(&r, 0xc0412345, W), 0);
	EXPECT_EQ(gpa, 0x200612345ULL);
	/* A 2 MiB PDE with bit 13 set: reserved */
	put64(PG(3) + 2 * 8, 0x200600000ULL | (1 << 13) | PS | P | RW);
	EXPECT_EQ(walk(&r, 0xc0412345, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
}

UNIT_TEST(pae_pdptes)
{
	struct xvcpu_walk_regs r = regs_pae();

	reset();
	put64(PG(3) + 1 * 8, PG(4) | ALL);
	put64(PG(4) + 1 * 8, 0x5000 | ALL);
	/* PDPTE 3 not present in memory */
	EXPECT_EQ(walk(&r, 0xc0201abc, 0), PF);
	EXPECT_EQ(err, 0);
	/* ...but the copy the CPU loaded at CR3 time is used instead */
	r.pdptes_valid = true;
	r.pdpte[3] = PG(3) | P;
	EXPECT_EQ(walk(&r, 0xc0201abc, 0), 0);
	EXPECT_EQ(gpa, 0x5abc);
	EXPECT_EQ(mem.reads, 2);
	/* R/W is reserved in a PAE PDPTE */
	r.pdpte[3] = PG(3) | RW | P;
	EXPECT_EQ(walk(&r, 0xc0201abc, W), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD | XVCPU_PF_W);
	/* So is XD, even with EFER.NXE */
	r.pdpte[3] = PG(3) | XD | P;
	EXPECT_EQ(walk(&r, 0xc0201abc, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
}

UNIT_TEST(pae_nx_and_reserved_high_bits)
{
	struct xvcpu_walk_regs r = regs_pae();

	reset();
	put64(PG(1) + 0x20, PG(3) | P);
	/* gva 0x00200000: PDE 1, a 2 MiB page with XD */
	put64(PG(3) + 1 * 8, 0x400000ULL | XD | PS | ALL);
	EXPECT_EQ(walk(&r, 0x00200010, 0), 0);
	EXPECT_EQ(gpa, 0x400010);
	EXPECT_EQ(walk(&r, 0x00200010, F), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_I);
	EXPECT_EQ(walk(&r, 0x00200010, F | U), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_I | XVCPU_PF_U);
	/* Without EFER.NXE, bit 63 is a reserved bit */
	r.efer = 0;
	EXPECT_EQ(walk(&r, 0x00200010, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
	/* ...and a fetch fault no longer reports I/D */
	EXPECT_EQ(walk(&r, 0x00200010, F), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
	/* PAE reserves bits 62:52 too (IA-32e ignores them) */
	r.efer = XVCPU_EFER_NXE;
	put64(PG(3) + 1 * 8, 0x400000ULL | (1ULL << 60) | PS | ALL);
	EXPECT_EQ(walk(&r, 0x00200010, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
}

/* ---- 4-level and 5-level paging ---- */

UNIT_TEST(ia32e_4k)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x00007f1234567abcULL;

	reset();
	map64(va, 0x000fedcba9876000ULL, ALL, ALL, ALL, ALL);
	EXPECT_EQ(walk(&r, va, W | U), 0);
	EXPECT_EQ(gpa, 0x000fedcba9876abcULL);
	EXPECT_EQ(mem.reads, 4);
	/* Upper half, kernel address */
	va = 0xffff800012345678ULL;
	reset();
	map64(va, 0x5000, P | RW, P | RW, P | RW, P | RW | XD);
	EXPECT_EQ(walk(&r, va, W), 0);
	EXPECT_EQ(gpa, 0x5678);
}

UNIT_TEST(ia32e_large_pages)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x0000004512345678ULL;

	reset();
	/* 1 GiB page at PDPT level */
	put64(PG(1) + IDX(va, 4) * 8, PG(2) | ALL);
	put64(PG(2) + IDX(va, 3) * 8, 0x3c0000000ULL | PS | ALL);
	EXPECT_EQ(walk(&r, va, 0), 0);
	EXPECT_EQ(gpa, 0x3c0000000ULL | (va & 0x3fffffff));
	EXPECT_EQ(mem.reads, 2);
	/* PAT (bit 12) is fine, bit 13 of a 1 GiB page is reserved */
	put64(PG(2) + IDX(va, 3) * 8, 0x3c0000000ULL | (1 << 12) | PS | ALL);
	EXPECT_EQ(walk(&r, va, 0), 0);
	EXPECT_EQ(gpa, 0x3c0000000ULL | (va & 0x3fffffff));
	put64(PG(2) + IDX(va, 3) * 8, 0x3c0000000ULL | (1 << 29) | PS | ALL);
	EXPECT_EQ(walk(&r, va, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
	/* 2 MiB page at PD level */
	put64(PG(2) + IDX(va, 3) * 8, PG(3) | ALL);
	put64(PG(3) + IDX(va, 2) * 8, 0x7fe00000ULL | (1 << 12) | PS | ALL);
	EXPECT_EQ(walk(&r, va, U), 0);
	EXPECT_EQ(gpa, 0x7fe00000ULL | (va & 0x1fffff));
	EXPECT_EQ(mem.reads, 3);
	put64(PG(3) + IDX(va, 2) * 8, 0x7fe00000ULL | (1 << 20) | PS | ALL);
	EXPECT_EQ(walk(&r, va, U), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD | XVCPU_PF_U);
}

UNIT_TEST(ia32e_non_canonical)
{
	struct xvcpu_walk_regs r = regs64();

	reset();
	EXPECT_EQ(walk(&r, 0x0000800000000000ULL, 0), XVCPU_WALK_GP);
	EXPECT_EQ(err, 0);
	EXPECT_EQ(mem.reads, 0);
	EXPECT_EQ(walk(&r, 0xfffe7fffffffffffULL, U), XVCPU_WALK_GP);
	/* Both ends of the canonical halves reach the walk */
	EXPECT_EQ(walk(&r, 0x00007fffffffffffULL, 0), PF);
	EXPECT_EQ(walk(&r, 0xffff800000000000ULL, 0), PF);
}

UNIT_TEST(ia32e_reserved_bits)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x1000;

	reset();
	/* PS in a PML4E is reserved */
	map64(va, 0x5000, ALL | PS, ALL, ALL, ALL);
	EXPECT_EQ(walk(&r, va, W), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD | XVCPU_PF_W);
	/* Bit 7 of a PTE is PAT, bits 62:52 are ignored */
	map64(va, 0x5000, ALL, ALL, ALL, ALL | PS | (0x7ffULL << 52));
	EXPECT_EQ(walk(&r, va, 0), 0);
	EXPECT_EQ(gpa, 0x5000);
	/* Bit 51: an address bit at MAXPHYADDR 52, reserved at 46 */
	map64(va, 0x5000 | (1ULL << 51), ALL, ALL, ALL, ALL);
	EXPECT_EQ(walk(&r, va, 0), 0);
	EXPECT_EQ(gpa, 0x5000 | (1ULL << 51));
	r.maxphyaddr = 46;
	EXPECT_EQ(walk(&r, va, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
	/* A reserved bit wins over a deeper not-present entry */
	r.maxphyaddr = 0;
	r.efer &= ~XVCPU_EFER_NXE;
	map64(va, 0, ALL, ALL | XD, ALL, 0);
	EXPECT_EQ(walk(&r, va, U), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD | XVCPU_PF_U);
	EXPECT_EQ(mem.reads, 2);
}

UNIT_TEST(ia32e_not_present_levels)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x00007f1234567abcULL;
	unsigned int lvl;

	/* Clear the present bit at each level in turn: P=0 in the code. */
	for (lvl = 1; lvl <= 4; lvl++) {
		reset();
		map64(va, 0x9000, lvl == 4 ? RW | US : ALL,
		      lvl == 3 ? RW | US : ALL, lvl == 2 ? RW | US : ALL,
		      lvl == 1 ? RW | US : ALL);
		EXPECT_EQ(walk(&r, va, U | W), PF);
		EXPECT_EQ(err, XVCPU_PF_U | XVCPU_PF_W);
		EXPECT_EQ(mem.reads, 5 - lvl);
	}
	/* Not present deeper wins over a rights violation higher up */
	reset();
	map64(va, 0x9000, P, ALL, ALL, RW | US);
	EXPECT_EQ(walk(&r, va, U | W), PF);
	EXPECT_EQ(err, XVCPU_PF_U | XVCPU_PF_W);
}

UNIT_TEST(write_protect)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x00007f1234567abcULL;

	reset();
	map64(va, 0x9000, ALL, ALL, ALL, P | US);
	EXPECT_EQ(walk(&r, va, 0), 0);
	EXPECT_EQ(walk(&r, va, U), 0);
	/* Supervisor write to a read-only page: CR0.WP decides */
	EXPECT_EQ(walk(&r, va, W), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_W);
	r.cr0 &= ~XVCPU_CR0_WP;
	EXPECT_EQ(walk(&r, va, W), 0);
	EXPECT_EQ(gpa, 0x9abc);
	/* A user write never gets through, whatever CR0.WP */
	EXPECT_EQ(walk(&r, va, U | W), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_W | XVCPU_PF_U);
	/* R/W clear at the top level only is enough */
	r.cr0 |= XVCPU_CR0_WP;
	map64(va, 0x9000, P | US, ALL, ALL, ALL);
	EXPECT_EQ(walk(&r, va, W), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_W);
	/* Same rules in 32-bit paging */
	r = regs32();
	reset();
	put32(PG(1), PG(2) | P | US);
	put32(PG(2), 0x9000 | ALL);
	EXPECT_EQ(walk(&r, 0x123, U | W), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_W | XVCPU_PF_U);
}

UNIT_TEST(user_supervisor)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x00007f1234567abcULL;

	reset();
	/* U/S clear in the PDPTE only: a supervisor page */
	map64(va, 0x9000, ALL, P | RW, ALL, ALL);
	EXPECT_EQ(walk(&r, va, W), 0);
	EXPECT_EQ(walk(&r, va, U), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_U);
	EXPECT_EQ(walk(&r, va, U | F), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_U | XVCPU_PF_I);
	/* PAE: the PDPTE has no U/S bit and does not restrict */
	r = regs_pae();
	reset();
	put64(PG(1) + 0x20, PG(3) | P);
	put64(PG(3), 0x200000ULL | PS | ALL);
	EXPECT_EQ(walk(&r, 0x1234, U | W), 0);
	EXPECT_EQ(gpa, 0x201234);
}

UNIT_TEST(nx_ia32e)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x00007f1234567abcULL;

	reset();
	/* XD in the PML4E covers everything below it */
	map64(va, 0x9000, ALL | XD, ALL, ALL, ALL);
	EXPECT_EQ(walk(&r, va, U | W), 0);
	EXPECT_EQ(walk(&r, va, F), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_I);
	EXPECT_EQ(walk(&r, va, F | U), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_I | XVCPU_PF_U);
	/* Executable without XD anywhere */
	map64(va, 0x9000, ALL, ALL, ALL, ALL);
	EXPECT_EQ(walk(&r, va, F | U), 0);
	EXPECT_EQ(gpa, 0x9abc);
}

UNIT_TEST(smep_and_smap)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x00007f1234567abcULL;

	reset();
	map64(va, 0x9000, ALL, ALL, ALL, P | US);
	/* Without SMEP/SMAP the supervisor may use user pages */
	EXPECT_EQ(walk(&r, va, F), 0);
	EXPECT_EQ(walk(&r, va, 0), 0);
	r.cr4 |= XVCPU_CR4_SMEP | XVCPU_CR4_SMAP;
	EXPECT_EQ(walk(&r, va, F), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_I);
	EXPECT_EQ(walk(&r, va, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P);
	/* EFLAGS.AC=1 opens user pages to explicit supervisor accesses */
	EXPECT_EQ(walk(&r, va, AC), 0);
	EXPECT_EQ(gpa, 0x9abc);
	/* ...but not write protection, nor fetches */
	EXPECT_EQ(walk(&r, va, AC | W), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_W);
	EXPECT_EQ(walk(&r, va, AC | F), PF);
	/* User accesses are not affected */
	EXPECT_EQ(walk(&r, va, U | F), 0);
	EXPECT_EQ(walk(&r, va, U), 0);
}

UNIT_TEST(five_level)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x00f0001234567abcULL;	/* canonical only with LA57 */

	reset();
	r.cr4 |= XVCPU_CR4_LA57;
	put64(PG(5) + IDX(va, 5) * 8, PG(1) | ALL);
	map64(va, 0xabc000, ALL, ALL, ALL, ALL);
	r.cr3 = PG(5);
	EXPECT_EQ(walk(&r, va, U), 0);
	EXPECT_EQ(gpa, 0xabcabc);
	EXPECT_EQ(mem.reads, 5);
	/* PS is reserved in a PML5E */
	put64(PG(5) + IDX(va, 5) * 8, PG(1) | PS | ALL);
	EXPECT_EQ(walk(&r, va, 0), PF);
	EXPECT_EQ(err, XVCPU_PF_P | XVCPU_PF_RSVD);
	/* Non-canonical for 57 bits */
	EXPECT_EQ(walk(&r, 0x0100000000000000ULL, 0), XVCPU_WALK_GP);
	/* The same address is non-canonical with 4 levels */
	r.cr4 &= ~XVCPU_CR4_LA57;
	EXPECT_EQ(walk(&r, va, 0), XVCPU_WALK_GP);
}

UNIT_TEST(read_failure_propagates)
{
	struct xvcpu_walk_regs r = regs64();
	u64 va = 0x1000;

	reset();
	/* PDPT outside guest memory */
	put64(PG(1) + IDX(va, 4) * 8, PG(MEM_PAGES + 100) | ALL);
	EXPECT_EQ(walk(&r, va, 0), -EFAULT);
	/* CR3 outside guest memory, in each mode */
	r.cr3 = 0x10000000;
	EXPECT_EQ(walk(&r, va, 0), -EFAULT);
	r = regs32();
	r.cr3 = 0x10000000;
	EXPECT_EQ(walk(&r, va, 0), -EFAULT);
	r = regs_pae();
	r.cr3 = 0x10000000;
	EXPECT_EQ(walk(&r, va, 0), -EFAULT);
}

static int bad_read(void *ctx, u64 gpa_, unsigned int size, u64 *val)
{
	(void)ctx;
	(void)gpa_;
	(void)size;
	*val = ~0ULL;
	return 1;
}

UNIT_TEST(invalid_arguments)
{
	struct xvcpu_walk_regs r = regs64();
	u64 g;
	u32 e;

	reset();
	/* A read callback returning a positive value is a failure */
	EXPECT(xvcpu_walk(&r, 0x1000, 0, bad_read, NULL, &g, &e) < 0);
	/* IA-32e mode without PAE cannot exist */
	r.cr4 = 0;
	EXPECT_EQ(walk(&r, 0x1000, 0), -EINVAL);
	r = regs64();
	EXPECT_EQ(walk(&r, 0x1000, W | F), -EINVAL);
	EXPECT_EQ(walk(&r, 0x1000, 0x100), -EINVAL);
	r.maxphyaddr = 60;
	EXPECT_EQ(walk(&r, 0x1000, 0), -EINVAL);
}

int main(void)
{
	return unit_run("vmx_walk");
}
