// SPDX-License-Identifier: GPL-2.0
/*
 * EPT page tables (SDM vol. 3C, 29.3): four levels of 512 entries. A
 * leaf maps one pinned 4 KiB user page, write-back, ignoring the guest
 * PAT; intermediate entries allow everything and leave the decision to
 * the leaf. Tables are allocated as faults need them, from a small cache
 * filled before vm->mmu_lock is taken, and freed with the VM. Process
 * context, vm->mmu_lock held (see ept.h for what that forbids).
 */
#include "../xvcpu.h"

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/smp.h>

#include "ept.h"
#include "../vmx/vmx_ops.h"

#define EPT_R		BIT_ULL(0)
#define EPT_W		BIT_ULL(1)
#define EPT_X		BIT_ULL(2)
#define EPT_RWX		(EPT_R | EPT_W | EPT_X)
#define EPT_MT_WB	(6ULL << 3)
#define EPT_IPAT	BIT_ULL(6)
#define EPT_PFN_MASK	GENMASK_ULL(51, 12)
#define EPT_LEVELS	4

/* EPTP: WB paging structures, 4-level walk (SDM 25.6.11). */
#define EPTP_WB		6ULL
#define EPTP_WALK4	(3ULL << 3)

static inline unsigned int ept_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & 511;
}

static inline u64 *ept_table(u64 entry)
{
	return __va(entry & EPT_PFN_MASK);
}

int xvcpu_ept_init(struct xvcpu_vm *vm)
{
	u64 *root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (!root)
		return -ENOMEM;
	vm->ept.root = root;
	vm->ept.tables = 1;
	vm->ept.eptp = __pa(root) | EPTP_WALK4 | EPTP_WB;
	return 0;
}

/*
 * Allocating under mmu_lock could enter reclaim, and reclaim can call
 * the MMU notifier, which takes mmu_lock: allocate first, then lock.
 */
int xvcpu_ept_lock_topup(struct xvcpu_vm *vm)
{
	void *pages[XVCPU_EPT_CACHE];
	unsigned int n = 0, need;

	for (;;) {
		mutex_lock(&vm->mmu_lock);
		while (n && vm->ept.ncache < XVCPU_EPT_CACHE)
			vm->ept.cache[vm->ept.ncache++] = pages[--n];
		need = XVCPU_EPT_CACHE - vm->ept.ncache;
		if (!need)
			break;
		mutex_unlock(&vm->mmu_lock);
		while (n < need) {
			pages[n] = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!pages[n])
				goto nomem;
			n++;
		}
	}
	/* Another fault filled the cache meanwhile: freeing never reclaims. */
	while (n)
		free_page((unsigned long)pages[--n]);
	return 0;
nomem:
	while (n)
		free_page((unsigned long)pages[--n]);
	return -ENOMEM;
}

int xvcpu_ept_map(struct xvcpu_vm *vm, u64 gpa, struct page *page,
		  bool writable)
{
	u64 *table = vm->ept.root;
	int level;

	lockdep_assert_held(&vm->mmu_lock);
	for (level = EPT_LEVELS; level > 1; level--) {
		u64 *e = &table[ept_index(gpa, level)];

		if (!(*e & EPT_RWX)) {
			u64 *next;

			if (!vm->ept.ncache)
				return -EAGAIN;
			next = vm->ept.cache[--vm->ept.ncache];
			vm->ept.tables++;
			WRITE_ONCE(*e, __pa(next) | EPT_RWX);
		}
		table = ept_table(*e);
	}
	table += ept_index(gpa, 1);
	if (*table & EPT_RWX)
		return -EEXIST;
	/* Not-present -> present needs no flush: no TLB caches a miss. */
	WRITE_ONCE(*table, page_to_phys(page) | EPT_R | EPT_X |
			   (writable ? EPT_W : 0) | EPT_MT_WB | EPT_IPAT);
	vm->ept.pinned++;
	xvcpu_stats_pinned(&vm->stats, vm->ept.pinned);
	return 0;
}

struct unmap_ctx {
	struct xvcpu_vm *vm;
	struct page **pages;	/* released after the flush */
	bool *dirty;
	unsigned long nr, max;
};

static void invept_one(void *eptp)
{
	/* A CPU on its way offline (or rebooting) has VMX off: no TLB left. */
	if (xvcpu_this_cpu_vmx_on())
		xvcpu_invept(XVCPU_INVEPT_SINGLE, *(u64 *)eptp);
}

/* Every CPU may hold translations for this EPTP: flush them all. */
static void flush_all_cpus(struct xvcpu_vm *vm)
{
	on_each_cpu(invept_one, &vm->ept.eptp, 1);
}

/*
 * No page lock here (a notifier may run with it held, e.g. reclaim's
 * try_to_unmap): set_page_dirty() is safe without it because the page is
 * still mapped by user space, which keeps truncation from removing it
 * (see ept.h). RDMA's on-demand paging does the same from its notifier;
 * KVM only sets PG_dirty there.
 */
static void release_batch(struct unmap_ctx *c)
{
	unsigned long i;

	if (!c->nr)
		return;
	flush_all_cpus(c->vm);
	for (i = 0; i < c->nr; i++) {
		if (c->dirty[i])
			set_page_dirty(c->pages[i]);
		unpin_user_page(c->pages[i]);
	}
	c->vm->ept.pinned -= c->nr;
	xvcpu_vm_uncharge(c->vm, c->nr);
	c->nr = 0;
}

/* Clear the leaves in [start, end) under @table at @level. */
static void unmap_level(struct unmap_ctx *c, u64 *table, int level,
			u64 base, u64 start, u64 end)
{
	u64 span = 1ULL << (12 + 9 * (level - 1));
	unsigned int i;

	for (i = 0; i < 512; i++) {
		u64 lo = base + i * span, hi = lo + span;
		u64 e = table[i];

		if (hi <= start || lo >= end || !(e & EPT_RWX))
			continue;
		if (level > 1) {
			unmap_level(c, ept_table(e), level - 1, lo, start, end);
			continue;
		}
		WRITE_ONCE(table[i], 0);
		if (c->nr == c->max)
			release_batch(c);
		c->pages[c->nr] = pfn_to_page((e & EPT_PFN_MASK) >> PAGE_SHIFT);
		c->dirty[c->nr] = e & EPT_W;
		c->nr++;
	}
}

void xvcpu_ept_unmap_range(struct xvcpu_vm *vm, u64 gpa, u64 size)
{
	struct page *pages[64];
	bool dirty[64];
	struct unmap_ctx c = {
		.vm = vm, .pages = pages, .dirty = dirty, .max = 64,
	};

	lockdep_assert_held(&vm->mmu_lock);
	if (!vm->ept.root || !size)
		return;
	unmap_level(&c, vm->ept.root, EPT_LEVELS, 0, gpa, gpa + size);
	release_batch(&c);
}

static void free_level(u64 *table, int level, unsigned long *count)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < 512; i++)
			if (table[i] & EPT_RWX)
				free_level(ept_table(table[i]), level - 1,
					   count);
	}
	free_page((unsigned long)table);
	(*count)--;
}

void xvcpu_ept_destroy(struct xvcpu_vm *vm)
{
	if (!vm->ept.root)
		return;
	mutex_lock(&vm->mmu_lock);
	xvcpu_ept_unmap_range(vm, 0, 1ULL << XVCPU_EPT_GPA_BITS);
	/*
	 * Paging-structure caches may hold the tables themselves even when
	 * no leaf was ever mapped: flush before the pages are reused.
	 */
	flush_all_cpus(vm);
	free_level(vm->ept.root, EPT_LEVELS, &vm->ept.tables);
	WARN_ON(vm->ept.tables || vm->ept.pinned);
	vm->ept.root = NULL;
	while (vm->ept.ncache)
		free_page((unsigned long)vm->ept.cache[--vm->ept.ncache]);
	mutex_unlock(&vm->mmu_lock);
}
