// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the kernel side of xvcpu reads and writes it: copies by
 * guest-physical address through the slots, copies by linear address
 * through the guest's page tables (walk.c), and pinning a slot page into
 * the EPT on a fault. Everything here sleeps: callers put the vCPU first
 * (xvcpu_vcpu_put) and load it again after (xvcpu_vcpu_reload), except
 * xvcpu_snapshot_mode, which reads the VMCS and needs the vCPU loaded.
 */
#include "../xvcpu.h"

#include <linux/mm.h>
#include <linux/uaccess.h>

#include "../ept/ept.h"
#include "vmcs.h"
#include "vmx.h"

static int copy_guest(struct xvcpu_vm *vm, u64 gpa, void *buf, size_t len,
		      bool write)
{
	int r = 0;

	mutex_lock(&vm->mmu_lock);
	while (len) {
		struct xvcpu_memslot *slot = xvcpu_find_slot(vm, gpa);
		size_t n = min_t(u64, len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		void __user *u;

		if (!slot || (write && (slot->flags & XVCPU_MEM_READONLY))) {
			r = -ENOENT;
			break;
		}
		u = (void __user *)(unsigned long)(slot->uaddr + gpa -
						   slot->gpa);
		if (write ? copy_to_user(u, buf, n) : copy_from_user(buf, u, n)) {
			r = -EFAULT;
			break;
		}
		gpa += n;
		buf += n;
		len -= n;
	}
	mutex_unlock(&vm->mmu_lock);
	return r;
}

int xvcpu_read_guest(struct xvcpu_vm *vm, u64 gpa, void *buf, size_t len)
{
	return copy_guest(vm, gpa, buf, len, false);
}

int xvcpu_write_guest(struct xvcpu_vm *vm, u64 gpa, const void *buf,
		      size_t len)
{
	return copy_guest(vm, gpa, (void *)buf, len, true);
}

void xvcpu_snapshot_mode(struct xvcpu_vcpu *vcpu, struct xvcpu_guest_mode *m)
{
	u32 cs_ar = vmcs_read32(GUEST_CS_AR_BYTES);
	struct xvcpu_walk_regs *w = &m->walk;

	memset(m, 0, sizeof(*m));
	w->cr0 = vmcs_readl(GUEST_CR0);
	w->cr3 = vmcs_readl(GUEST_CR3);
	w->cr4 = xvcpu_read_cr4();
	w->efer = vmcs_read64(GUEST_IA32_EFER);
	if ((w->cr0 & X86_CR0_PG) && (w->cr4 & X86_CR4_PAE) &&
	    !(w->efer & EFER_LMA)) {
		w->pdpte[0] = vmcs_read64(GUEST_PDPTR0);
		w->pdpte[1] = vmcs_read64(GUEST_PDPTR1);
		w->pdpte[2] = vmcs_read64(GUEST_PDPTR2);
		w->pdpte[3] = vmcs_read64(GUEST_PDPTR3);
		w->pdptes_valid = true;
	}
	if ((w->efer & EFER_LMA) && (cs_ar & VMX_AR_L_MASK))
		m->mode = 64;
	else if ((w->cr0 & X86_CR0_PE) && (cs_ar & VMX_AR_DB_MASK))
		m->mode = 32;
	else
		m->mode = 16;
	m->cpl = (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3;
}

static int walk_read(void *ctx, u64 gpa, unsigned int size, u64 *val)
{
	*val = 0;
	return xvcpu_read_guest(ctx, gpa, val, size);
}

int xvcpu_copy_linear(struct xvcpu_vcpu *vcpu,
		      const struct xvcpu_guest_mode *m, u64 la, void *buf,
		      size_t len, bool write, u32 *pf_error, u64 *fault_la)
{
	unsigned int access = (write ? XVCPU_WALK_WRITE : 0) |
			      (m->cpl == 3 ? XVCPU_WALK_USER : 0);

	if (m->mode != 64)
		la = (u32)la;
	while (len) {
		size_t n = min_t(u64, len, PAGE_SIZE - (la & ~PAGE_MASK));
		u64 gpa;
		int r;

		r = xvcpu_walk(&m->walk, la, access, walk_read, vcpu->vm, &gpa,
			       pf_error);
		if (r) {
			*fault_la = la;
			return r;
		}
		r = copy_guest(vcpu->vm, gpa, buf, n, write);
		if (r)
			return r;
		la += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int xvcpu_fault_in(struct xvcpu_vm *vm, u64 gpa, bool write)
{
	struct xvcpu_memslot *slot;
	struct page *page;
	unsigned long uaddr;
	bool ro;
	int r;

	mutex_lock(&vm->mmu_lock);
	slot = xvcpu_find_slot(vm, gpa);
	ro = slot && (slot->flags & XVCPU_MEM_READONLY);
	if (!slot || (write && ro)) {
		mutex_unlock(&vm->mmu_lock);
		return 1;
	}
	uaddr = slot->uaddr + ((gpa & PAGE_MASK) - slot->gpa);
	r = pin_user_pages_fast(uaddr, 1, FOLL_LONGTERM | (ro ? 0 : FOLL_WRITE),
				&page);
	if (r != 1) {
		mutex_unlock(&vm->mmu_lock);
		return r < 0 ? r : -EFAULT;
	}
	r = xvcpu_ept_map(vm, gpa & PAGE_MASK, page, !ro);
	if (r) {
		/* -EEXIST: another vCPU mapped it first. */
		unpin_user_page(page);
		r = r == -EEXIST ? 0 : r;
	}
	mutex_unlock(&vm->mmu_lock);
	return r;
}
