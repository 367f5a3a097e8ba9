// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walker (SDM vol. 3A, chapter 4).
 *
 * Paging modes, chosen as the CPU does:
 *   CR0.PG=0                      no paging, linear = physical
 *   CR4.PAE=0                     32-bit paging: 4-byte entries, 2 levels
 *                                 (4 MiB pages with CR4.PSE)
 *   CR4.PAE=1, EFER.LMA=0         PAE paging: 4 PDPTEs, then 2 levels of
 *                                 8-byte entries (2 MiB pages)
 *   EFER.LMA=1                    4-level, or 5-level with CR4.LA57
 *                                 (1 GiB and 2 MiB pages)
 *
 * The walk stops at the first entry that is not present (#PF with P=0)
 * or has a reserved bit set (#PF with P=1, RSVD=1). Access rights are
 * the combination of every level (SDM 4.6) and are checked once the
 * walk reaches the page, so a not-present entry deeper in the walk
 * wins over a rights violation higher up, as on the CPU.
 *
 * Pure logic shared with the host unit tests: see walk.h.
 */
#include "walk.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_XD		(1ULL << 63)

#define WALK_ACCESS_MASK	(XVCPU_WALK_WRITE | XVCPU_WALK_USER | \
				 XVCPU_WALK_FETCH | XVCPU_WALK_AC)

struct walker {
	const struct xvcpu_walk_regs *r;
	xvcpu_read_gpa_fn read;
	void *ctx;
	unsigned int access;
	unsigned int maxphyaddr;
	u32 *pf_error;
	/* Rights granted by every level so far. */
	bool writable;
	bool user;
	bool nx;
};

/* Bits @hi..@lo set; none when @hi < @lo (e.g. no bits above M=52). */
static u64 bit_range(unsigned int hi, unsigned int lo)
{
	if (hi < lo)
		return 0;
	return (~0ULL >> (63 - hi)) & ~((1ULL << lo) - 1);
}

static int read_entry(struct walker *w, u64 gpa, unsigned int size, u64 *e)
{
	int ret = w->read(w->ctx, gpa, size, e);

	/* A callback that breaks its contract must not look like success. */
	if (ret)
		return ret < 0 ? ret : -EIO;
	if (size == 4)
		*e &= 0xffffffffULL;
	return 0;
}

/*
 * Complete the error code from the access. I/D is reported only where
 * the CPU can refuse a fetch for a reason of its own: with SMEP, or with
 * NX under PAE or 4/5-level paging (SDM 4.7).
 */
static int page_fault(struct walker *w, u32 code)
{
	const struct xvcpu_walk_regs *r = w->r;

	if (w->access & XVCPU_WALK_WRITE)
		code |= XVCPU_PF_W;
	if (w->access & XVCPU_WALK_USER)
		code |= XVCPU_PF_U;
	if ((w->access & XVCPU_WALK_FETCH) &&
	    ((r->cr4 & XVCPU_CR4_SMEP) ||
	     ((r->cr4 & XVCPU_CR4_PAE) && (r->efer & XVCPU_EFER_NXE))))
		code |= XVCPU_PF_I;
	*w->pf_error = code;
	return XVCPU_WALK_PF;
}

static void take_rights(struct walker *w, u64 e, bool has_xd)
{
	w->writable = w->writable && (e & PTE_RW);
	w->user = w->user && (e & PTE_US);
	if (has_xd)
		w->nx = w->nx || (e & PTE_XD);
}

/* SDM 4.6: may this access use a page with the combined rights? */
static int check_rights(struct walker *w)
{
	const struct xvcpu_walk_regs *r = w->r;
	bool write = w->access & XVCPU_WALK_WRITE;
	bool fetch = w->access & XVCPU_WALK_FETCH;

	if (w->access & XVCPU_WALK_USER) {
		if (!w->user || (write && !w->writable) || (fetch && w->nx))
			return page_fault(w, XVCPU_PF_P);
		return 0;
	}
	if (fetch) {
		if (w->nx || (w->user && (r->cr4 & XVCPU_CR4_SMEP)))
			return page_fault(w, XVCPU_PF_P);
		return 0;
	}
	/* Supervisor data access. */
	if (w->user && (r->cr4 & XVCPU_CR4_SMAP) &&
	    !(w->access & XVCPU_WALK_AC))
		return page_fault(w, XVCPU_PF_P);
	/* CR0.WP=0 lets the supervisor write read-only pages. */
	if (write && !w->writable && (r->cr0 & XVCPU_CR0_WP))
		return page_fault(w, XVCPU_PF_P);
	return 0;
}

static int walk_32bit(struct walker *w, u32 gva, u64 *gpa)
{
	const struct xvcpu_walk_regs *r = w->r;
	u64 pde, pte, pa;
	int ret;

	ret = read_entry(w, (r->cr3 & 0xfffff000ULL) | ((gva >> 22) << 2), 4,
			 &pde);
	if (ret)
		return ret;
	if (!(pde & PTE_P))
		return page_fault(w, 0);

	if ((pde & PTE_PS) && (r->cr4 & XVCPU_CR4_PSE)) {
		/*
		 * 4 MiB page. PSE-36: bits 20:13 carry physical address bits
		 * 39:32, as many as MAXPHYADDR (at most 40 here) allows; the
		 * rest of 21:13 is reserved.
		 */
		unsigned int m = w->maxphyaddr < 40 ? w->maxphyaddr : 40;
		u64 high = (pde >> 13) & ((1ULL << (m - 32)) - 1);

		if (pde & bit_range(21, 13 + m - 32))
			return page_fault(w, XVCPU_PF_P | XVCPU_PF_RSVD);
		take_rights(w, pde, false);
		pa = (high << 32) | (pde & 0xffc00000ULL) | (gva & 0x3fffff);
	} else {
		take_rights(w, pde, false);
		ret = read_entry(w, (pde & 0xfffff000ULL) |
				 (((gva >> 12) & 0x3ff) << 2), 4, &pte);
		if (ret)
			return ret;
		if (!(pte & PTE_P))
			return page_fault(w, 0);
		take_rights(w, pte, false);
		pa = (pte & 0xfffff000ULL) | (gva & 0xfff);
	}

	ret = check_rights(w);
	if (!ret)
		*gpa = pa;
	return ret;
}

/*
 * Walk 8-byte entries from @level (5 PML5 .. 1 PT) down, starting with
 * the table at @table. @pae selects the PAE reserved-bit rules (bits
 * 62:MAXPHYADDR reserved) over the IA-32e ones (51:MAXPHYADDR, with
 * 62:52 ignored).
 */
static int walk_levels(struct walker *w, u64 gva, u64 table,
		       unsigned int level, bool pae, u64 *gpa)
{
	const struct xvcpu_walk_regs *r = w->r;
	u64 addr_mask = bit_range(w->maxphyaddr - 1, 12);
	u64 rsvd_high = bit_range(pae ? 62 : 51, w->maxphyaddr);
	bool nxe = r->efer & XVCPU_EFER_NXE;
	u64 e, pa;
	int ret;

	if (!nxe)
		rsvd_high |= PTE_XD;

	for (;; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 rsvd = rsvd_high;

		ret = read_entry(w, table + (((gva >> shift) & 0x1ff) << 3), 8,
				 &e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			return page_fault(w, 0);
		/*
		 * PML5E/PML4E have no page size bit. A 1 GiB or 2 MiB page
		 * keeps bit 12 for PAT; the address bits below the page size
		 * are reserved. In a PTE, bit 7 is PAT.
		 */
		if (level >= 4)
			rsvd |= PTE_PS;
		else if (level > 1 && (e & PTE_PS))
			rsvd |= bit_range(shift - 1, 13);
		if (e & rsvd)
			return page_fault(w, XVCPU_PF_P | XVCPU_PF_RSVD);
		take_rights(w, e, nxe);

		if (level == 1 || (e & PTE_PS)) {
			u64 offset = (1ULL << shift) - 1;

			pa = (e & addr_mask & ~offset) | (gva & offset);
			break;
		}
		table = e & addr_mask;
	}

	ret = check_rights(w);
	if (!ret)
		*gpa = pa;
	return ret;
}

static int walk_pae(struct walker *w, u32 gva, u64 *gpa)
{
	const struct xvcpu_walk_regs *r = w->r;
	unsigned int i = gva >> 30;
	u64 pdpte;
	int ret;

	if (r->pdptes_valid) {
		pdpte = r->pdpte[i];
	} else {
		/* PAE CR3 holds a 32-byte aligned, 32-bit address. */
		ret = read_entry(w, (r->cr3 & 0xffffffe0ULL) + i * 8, 8,
				 &pdpte);
		if (ret)
			return ret;
	}
	if (!(pdpte & PTE_P))
		return page_fault(w, 0);
	/*
	 * PDPTEs carry no rights: R/W, U/S and XD are reserved, as are
	 * PS and bits above MAXPHYADDR. The CPU checks them when it loads
	 * CR3 (#GP there); one found bad here is reported as a reserved-bit
	 * #PF, the nearest thing a walk can report.
	 */
	if (pdpte & (bit_range(63, w->maxphyaddr) | bit_range(8, 5) |
		     bit_range(2, 1)))
		return page_fault(w, XVCPU_PF_P | XVCPU_PF_RSVD);

	return walk_levels(w, gva, pdpte & bit_range(w->maxphyaddr - 1, 12),
			   2, true, gpa);
}

static int walk_ia32e(struct walker *w, u64 gva, u64 *gpa)
{
	const struct xvcpu_walk_regs *r = w->r;
	bool la57 = r->cr4 & XVCPU_CR4_LA57;
	/* Bits 63:47 (63:56 with LA57) must all equal the top used bit. */
	u64 top = gva >> (la57 ? 56 : 47);

	if (top != 0 && top != (la57 ? 0xffULL : 0x1ffffULL)) {
		*w->pf_error = 0;
		return XVCPU_WALK_GP;
	}
	/* CR3 bits 11:0 are PCD/PWT or a PCID, not address bits. */
	return walk_levels(w, gva, r->cr3 & bit_range(w->maxphyaddr - 1, 12),
			   la57 ? 5 : 4, false, gpa);
}

int xvcpu_walk(const struct xvcpu_walk_regs *r, u64 gva, unsigned int access,
	       xvcpu_read_gpa_fn read, void *ctx, u64 *gpa, u32 *pf_error)
{
	struct walker w = {
		.r = r,
		.read = read,
		.ctx = ctx,
		.access = access,
		.maxphyaddr = r->maxphyaddr ? r->maxphyaddr : 52,
		.pf_error = pf_error,
		.writable = true,
		.user = true,
		.nx = false,
	};

	if ((access & ~WALK_ACCESS_MASK) ||
	    ((access & XVCPU_WALK_WRITE) && (access & XVCPU_WALK_FETCH)))
		return -EINVAL;
	/* Keep the PSE-36 and mask arithmetic within sane bounds. */
	if (w.maxphyaddr < 32 || w.maxphyaddr > 52)
		return -EINVAL;

	if (r->efer & XVCPU_EFER_LMA) {
		if (!(r->cr0 & XVCPU_CR0_PG) || !(r->cr4 & XVCPU_CR4_PAE))
			return -EINVAL;
		return walk_ia32e(&w, gva, gpa);
	}
	/* Outside IA-32e mode linear addresses wrap at 4 GiB. */
	if (!(r->cr0 & XVCPU_CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}
	if (!(r->cr4 & XVCPU_CR4_PAE))
		return walk_32bit(&w, (u32)gva, gpa);
	return walk_pae(&w, (u32)gva, gpa);
}
