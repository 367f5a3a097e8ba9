// SPDX-License-Identifier: GPL-2.0
/*
 * EPT violations: a guest-physical address inside a slot gets its page
 * pinned and mapped; anything else (no slot, or a write to a read-only
 * slot) is MMIO: the faulting instruction is fetched through the guest's
 * page tables, decoded (decode.c), and handed to user space. An
 * instruction the decoder does not know becomes an internal-error exit
 * carrying its bytes, never a guess.
 *
 * Also the guest-memory copy helpers the emulation paths share. They
 * sleep, so callers put the vCPU first (xvcpu_vcpu_put) and load it
 * again after (xvcpu_vcpu_reload).
 */
#include "../xvcpu.h"

#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "../ept/ept.h"
#include "decode.h"
#include "vmcs.h"
#include "vmx.h"

#define EPT_VIOL_WRITE	BIT(1)
#define EPT_VIOL_FETCH	BIT(2)

/* Load, or wait until we run on a CPU that is in VMX operation. */
int xvcpu_vcpu_reload(struct xvcpu_vcpu *vcpu)
{
	int r;

	for (;;) {
		r = xvcpu_vcpu_load(vcpu);
		if (r != -EAGAIN)
			return r;
		if (signal_pending(current))
			return -EINTR;
		/* This CPU is going offline; the scheduler will move us. */
		cond_resched();
	}
}

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
	w->cr4 = vcpu->cr4_shadow;
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

/* Pin and map the page of @gpa: 0 mapped, 1 MMIO, or -errno. */
static int fault_in(struct xvcpu_vm *vm, u64 gpa, bool write)
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

static int emulation_failed(struct xvcpu_vcpu *vcpu, u64 gpa, u64 rip,
			    const u8 *bytes, unsigned int len)
{
	u64 data[5] = { gpa, rip, len, 0, 0 };

	memcpy(&data[3], bytes, min(len, 16U));
	return xvcpu_internal_error(vcpu, XVCPU_INTERNAL_EMULATION, data,
				    ARRAY_SIZE(data));
}

static int memory_error(struct xvcpu_vcpu *vcpu, u64 gpa, int err)
{
	u64 data[2] = { gpa, (u64)(s64)err };

	return xvcpu_internal_error(vcpu, XVCPU_INTERNAL_MEMORY, data, 2);
}

int xvcpu_handle_ept_violation(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	bool write = e->qual & EPT_VIOL_WRITE;
	struct xvcpu_guest_mode m;
	struct xvcpu_mmio_insn insn;
	struct xvcpu_run *run;
	u8 bytes[XVCPU_INSN_MAX_LEN];
	unsigned int got = 0;
	u64 rip, la, fault_la;
	u32 pf;
	int r;

	rip = vmcs_readl(GUEST_RIP);
	la = vmcs_readl(GUEST_CS_BASE) + rip;
	xvcpu_snapshot_mode(vcpu, &m);

	xvcpu_vcpu_put(vcpu);
	r = fault_in(vcpu->vm, gpa, write);
	if (r == 1 && !(e->qual & EPT_VIOL_FETCH)) {
		/* Fetch what can be fetched; the decoder says if it is enough. */
		while (got < sizeof(bytes) &&
		       !xvcpu_copy_linear(vcpu, &m, la + got, &bytes[got], 1,
					  false, &pf, &fault_la))
			got++;
	}
	if (xvcpu_vcpu_reload(vcpu)) {
		vcpu->run->exit_reason = XVCPU_EXIT_INTR;
		return -EINTR;
	}
	if (r == 0)
		return XVCPU_RESUME;
	if (r < 0)
		return memory_error(vcpu, gpa, r);
	if (e->qual & EPT_VIOL_FETCH)
		return emulation_failed(vcpu, gpa, rip, bytes, 0);
	/* The decoded access must be the one the CPU reported. */
	if (xvcpu_decode_mmio(bytes, got, m.mode, &insn) ||
	    write != (insn.op != XVCPU_MMIO_LOAD))
		return emulation_failed(vcpu, gpa, rip, bytes, got);

	run = vcpu->run;
	run->exit_reason = XVCPU_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.size;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memset(run->mmio.pad, 0, sizeof(run->mmio.pad));
	if (insn.op == XVCPU_MMIO_LOAD) {
		run->mmio.is_write = 0;
		vcpu->mmio = insn;
		vcpu->mmio_mode = m.mode;
		vcpu->pending = XVCPU_PENDING_MMIO;
	} else {
		u64 v = insn.op == XVCPU_MMIO_STORE_IMM ? insn.imm :
			xvcpu_mmio_store_value(&insn, xvcpu_get_gpr(vcpu, insn.reg));

		run->mmio.is_write = 1;
		memcpy(run->mmio.data, &v, insn.size);
	}
	xvcpu_skip_insn(vcpu, insn.len);
	return XVCPU_USER;
}

int xvcpu_complete_mmio(struct xvcpu_vcpu *vcpu)
{
	const struct xvcpu_mmio_insn *in = &vcpu->mmio;
	u64 data = 0;

	memcpy(&data, vcpu->run->mmio.data, in->size);
	xvcpu_set_gpr(vcpu, in->reg,
		xvcpu_mmio_load_result(in, xvcpu_get_gpr(vcpu, in->reg), data,
				       vcpu->mmio_mode));
	return 0;
}
