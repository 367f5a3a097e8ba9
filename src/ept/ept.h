/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EPT: the guest-physical address space of a VM, built on demand.
 * Guest pages are pinned when first touched and released when their
 * slot is deleted or the VM is destroyed; every unmap is followed by
 * INVEPT on every CPU before the pages are released.
 *
 * All functions take vm->mmu_lock (held by the caller) and may sleep.
 */
#ifndef XVCPU_EPT_H
#define XVCPU_EPT_H

#include "../vm.h"

/* 4-level EPT maps guest-physical addresses below 2^48. */
#define XVCPU_EPT_GPA_BITS	48

int xvcpu_ept_init(struct xvcpu_vm *vm);
void xvcpu_ept_destroy(struct xvcpu_vm *vm);
/* Map one 4 KiB guest page; -EEXIST when it is mapped already. */
int xvcpu_ept_map(struct xvcpu_vm *vm, u64 gpa, struct page *page,
		  bool writable);
/* Unmap [gpa, gpa + size), flush every CPU, release the pages. */
void xvcpu_ept_unmap_range(struct xvcpu_vm *vm, u64 gpa, u64 size);

#endif /* XVCPU_EPT_H */
