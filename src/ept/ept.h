/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EPT: the guest-physical address space of a VM, built on demand.
 * Guest pages are pinned when first touched and released when their
 * slot is deleted, when user space changes the memory behind them (MMU
 * notifier, see Documentation/memory.rst) or when the VM is destroyed;
 * every unmap is followed by INVEPT on every CPU before the pages are
 * released.
 *
 * vm->mmu_lock is taken inside MMU notifiers, which run under mmap_lock,
 * page locks and in reclaim. So under it nothing allocates memory
 * (xvcpu_ept_lock_topup() fills a page cache before), locks a page or
 * sleeps: xvcpu_ept_map() and xvcpu_ept_unmap_range() only wait for the
 * INVEPT IPIs.
 */
#ifndef XVCPU_EPT_H
#define XVCPU_EPT_H

#include "../vm.h"

/* 4-level EPT maps guest-physical addresses below 2^48. */
#define XVCPU_EPT_GPA_BITS	48

int xvcpu_ept_init(struct xvcpu_vm *vm);
void xvcpu_ept_destroy(struct xvcpu_vm *vm);
/*
 * Take vm->mmu_lock with enough table pages cached for one
 * xvcpu_ept_map(). 0 with the lock held, or -ENOMEM without it.
 */
int xvcpu_ept_lock_topup(struct xvcpu_vm *vm);
/*
 * Map one 4 KiB pinned guest page; mmu_lock held. -EEXIST when it is
 * mapped already, -EAGAIN when the table cache ran short.
 */
int xvcpu_ept_map(struct xvcpu_vm *vm, u64 gpa, struct page *page,
		  bool writable);
/*
 * Unmap [gpa, gpa + size), flush every CPU, unpin the pages (dirty if
 * they were writable) and leave them to be uncharged; mmu_lock held.
 * Every mapped page is still mapped by user space when this runs (the
 * notifier unmaps it first), which is what makes marking it dirty
 * without the page lock safe.
 */
void xvcpu_ept_unmap_range(struct xvcpu_vm *vm, u64 gpa, u64 size);

#endif /* XVCPU_EPT_H */
