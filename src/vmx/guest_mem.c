// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the kernel side of xvcpu reads and writes it: copies by
 * guest-physical address through the slots, copies by linear address
 * through the guest's page tables (walk.c), and pinning a slot page into
 * the EPT on a fault. Everything here sleeps: callers put the vCPU first
 * (xvcpu_vcpu_put) and load it again after (xvcpu_vcpu_reload), except
 * xvcpu_snapshot_mode, which reads the VMCS and needs the vCPU loaded.
 *
 * Slots are used under vm->slots_lock (read). vm->mmu_lock is never held
 * across a user-memory access or a pin: those can fault, reclaim or break
 * copy-on-write, and so call the MMU notifier, which takes it.
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

	down_read(&vm->slots_lock);
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
	up_read(&vm->slots_lock);
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

/*
 * Pin the slot page behind @gpa and map it: 0 mapped (or the guest
 * should just retry the access), 1 no slot or a write to a read-only one
 * (MMIO), or a negative errno for a MEMORY internal-error exit: -ENOMEM
 * over RLIMIT_MEMLOCK (or out of memory), -EFAULT no user memory there.
 *
 * The MMU notifier may unmap the page between the pin and the map: the
 * pin is taken inside an mmu_interval_read_begin()/read_retry() section
 * and mapped only if no invalidation of the slot ran meanwhile, as KVM
 * does with mmu_invalidate_seq; otherwise the page goes back and the
 * guest faults again, onto whatever user space maps there by then.
 */
int xvcpu_fault_in(struct xvcpu_vm *vm, u64 gpa, bool write)
{
	struct xvcpu_memslot *slot;
	unsigned long uaddr, seq;
	struct page *page;
	bool ro;
	int r;

	down_read(&vm->slots_lock);
	slot = xvcpu_find_slot(vm, gpa);
	ro = slot && (slot->flags & XVCPU_MEM_READONLY);
	if (!slot || (write && ro)) {
		r = 1;
		goto out;
	}
	uaddr = slot->uaddr + ((gpa & PAGE_MASK) - slot->gpa);
	r = xvcpu_vm_charge(vm, 1);
	if (r)
		goto out;
	seq = mmu_interval_read_begin(&slot->notifier);
	r = pin_user_pages_fast(uaddr, 1, FOLL_LONGTERM | (ro ? 0 : FOLL_WRITE),
				&page);
	if (r != 1) {
		xvcpu_vm_uncharge(vm, 1);
		r = r < 0 ? r : -EFAULT;
		goto out;
	}
	r = xvcpu_ept_lock_topup(vm);
	if (r) {
		unpin_user_page(page);
		xvcpu_vm_uncharge(vm, 1);
		goto out;
	}
	if (mmu_interval_read_retry(&slot->notifier, seq))
		r = -EAGAIN;
	else
		r = xvcpu_ept_map(vm, gpa & PAGE_MASK, page, !ro);
	mutex_unlock(&vm->mmu_lock);
	if (r) {
		/*
		 * -EAGAIN: invalidated meanwhile (or the table cache ran
		 * short); -EEXIST: another vCPU mapped it first. Either way
		 * the guest's access runs again.
		 */
		unpin_user_page(page);
		xvcpu_vm_uncharge(vm, 1);
		if (r == -EAGAIN || r == -EEXIST)
			r = 0;
	}
out:
	/* Pages unpinned since (by us or a notifier) leave VmLck now. */
	if (atomic_long_read(&vm->locked_stale))
		xvcpu_vm_charge(vm, 0);
	up_read(&vm->slots_lock);
	return r;
}
