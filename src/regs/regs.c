// SPDX-License-Identifier: GPL-2.0
/*
 * Guest registers between the ABI structs and the VMCS. General
 * registers live in vcpu->regs except RSP, RIP and RFLAGS (VMCS);
 * segments are converted between the ABI's unpacked form and VMX
 * access rights (SDM vol. 3C, table 25-2). Vcpu loaded.
 */
#include "../xvcpu.h"

#include <asm/processor-flags.h>
#include <asm/vmx.h>

#include "regs.h"
#include "../vmx/vmcs.h"
#include "../vmx/vmx.h"

#define RFLAGS_RESERVED	(GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))

void xvcpu_get_regs(struct xvcpu_vcpu *vcpu, struct xvcpu_regs *o)
{
	const unsigned long *r = vcpu->regs.r;

	o->rax = r[XR_RAX];
	o->rbx = r[XR_RBX];
	o->rcx = r[XR_RCX];
	o->rdx = r[XR_RDX];
	o->rsi = r[XR_RSI];
	o->rdi = r[XR_RDI];
	o->rsp = vmcs_readl(GUEST_RSP);
	o->rbp = r[XR_RBP];
	o->r8 = r[XR_R8];
	o->r9 = r[XR_R9];
	o->r10 = r[XR_R10];
	o->r11 = r[XR_R11];
	o->r12 = r[XR_R12];
	o->r13 = r[XR_R13];
	o->r14 = r[XR_R14];
	o->r15 = r[XR_R15];
	o->rip = vmcs_readl(GUEST_RIP);
	o->rflags = vmcs_readl(GUEST_RFLAGS);
}

int xvcpu_set_regs(struct xvcpu_vcpu *vcpu, const struct xvcpu_regs *i)
{
	unsigned long *r = vcpu->regs.r;

	if (i->rflags & RFLAGS_RESERVED)
		return -EINVAL;
	r[XR_RAX] = i->rax;
	r[XR_RBX] = i->rbx;
	r[XR_RCX] = i->rcx;
	r[XR_RDX] = i->rdx;
	r[XR_RSI] = i->rsi;
	r[XR_RDI] = i->rdi;
	r[XR_RBP] = i->rbp;
	r[XR_R8] = i->r8;
	r[XR_R9] = i->r9;
	r[XR_R10] = i->r10;
	r[XR_R11] = i->r11;
	r[XR_R12] = i->r12;
	r[XR_R13] = i->r13;
	r[XR_R14] = i->r14;
	r[XR_R15] = i->r15;
	vmcs_writel(GUEST_RSP, i->rsp);
	vmcs_writel(GUEST_RIP, i->rip);
	vmcs_writel(GUEST_RFLAGS, i->rflags | X86_EFLAGS_FIXED);
	/* Explicit state wins over a half-finished user-space exit. */
	vcpu->pending = XVCPU_PENDING_NONE;
	return 0;
}

struct seg_fields {
	unsigned long sel, base, limit, ar;
};

#define SEGF(n) { GUEST_##n##_SELECTOR, GUEST_##n##_BASE, \
		  GUEST_##n##_LIMIT, GUEST_##n##_AR_BYTES }

enum { S_CS, S_DS, S_ES, S_FS, S_GS, S_SS, S_TR, S_LDTR, S_NR };

static const struct seg_fields segs[S_NR] = {
	SEGF(CS), SEGF(DS), SEGF(ES), SEGF(FS), SEGF(GS), SEGF(SS),
	SEGF(TR), SEGF(LDTR),
};

static void get_seg(struct xvcpu_segment *s, int n)
{
	u32 ar = __vmcs_read(segs[n].ar);

	memset(s, 0, sizeof(*s));
	s->selector = __vmcs_read(segs[n].sel);
	s->base = __vmcs_read(segs[n].base);
	s->limit = __vmcs_read(segs[n].limit);
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->unusable = (ar >> 16) & 1;
}

static int check_seg(const struct xvcpu_segment *s)
{
	if (s->padding || s->type > 15 || s->s > 1 || s->dpl > 3 ||
	    s->present > 1 || s->avl > 1 || s->l > 1 || s->db > 1 ||
	    s->g > 1 || s->unusable > 1)
		return -EINVAL;
	return 0;
}

static void set_seg(const struct xvcpu_segment *s, int n)
{
	u32 ar;

	if (s->unusable)
		ar = VMX_AR_UNUSABLE_MASK;
	else
		ar = s->type | s->s << 4 | s->dpl << 5 | s->present << 7 |
		     s->avl << 12 | s->l << 13 | s->db << 14 | s->g << 15;
	__vmcs_write(segs[n].sel, s->selector);
	__vmcs_write(segs[n].base, s->base);
	__vmcs_write(segs[n].limit, s->limit);
	__vmcs_write(segs[n].ar, ar);
}

void xvcpu_get_sregs(struct xvcpu_vcpu *vcpu, struct xvcpu_sregs *o)
{
	memset(o, 0, sizeof(*o));
	get_seg(&o->cs, S_CS);
	get_seg(&o->ds, S_DS);
	get_seg(&o->es, S_ES);
	get_seg(&o->fs, S_FS);
	get_seg(&o->gs, S_GS);
	get_seg(&o->ss, S_SS);
	get_seg(&o->tr, S_TR);
	get_seg(&o->ldt, S_LDTR);
	o->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	o->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	o->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	o->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	o->cr0 = xvcpu_read_cr0();
	o->cr2 = vcpu->cr2;
	o->cr3 = vmcs_readl(GUEST_CR3);
	o->cr4 = xvcpu_read_cr4();
	o->cr8 = vcpu->cr8;
	o->efer = vmcs_read64(GUEST_IA32_EFER);
	o->apic_base = vcpu->msr.apic_base;
}

/* Checks that need no vCPU: done before loading it. */
int xvcpu_check_sregs(const struct xvcpu_sregs *i)
{
	const struct xvcpu_segment *all[] = {
		&i->cs, &i->ds, &i->es, &i->fs, &i->gs, &i->ss, &i->tr,
		&i->ldt,
	};
	unsigned int n;

	if (memchr_inv(i->reserved, 0, sizeof(i->reserved)) ||
	    memchr_inv(i->gdt.padding, 0, sizeof(i->gdt.padding)) ||
	    memchr_inv(i->idt.padding, 0, sizeof(i->idt.padding)))
		return -EINVAL;
	for (n = 0; n < ARRAY_SIZE(all); n++)
		if (check_seg(all[n]))
			return -EINVAL;
	if (i->cr8 > 15 || i->cr3 >> 52)
		return -EINVAL;
	/* Everything that could fail is checked before anything is applied. */
	if (xvcpu_check_cr0(i->cr0 | X86_CR0_ET) || xvcpu_check_cr4(i->cr4) ||
	    xvcpu_check_efer(i->efer))
		return -EINVAL;
	if (i->apic_base & (0xffULL | BIT_ULL(9) | GENMASK_ULL(63, 52)))
		return -EINVAL;
	/* Long mode needs PAE paging (SDM 9.8.5). */
	if ((i->efer & EFER_LME) && (i->cr0 & X86_CR0_PG) &&
	    !(i->cr4 & X86_CR4_PAE))
		return -EINVAL;
	/* EFER.LMA must agree with LME and CR0.PG. */
	if ((i->efer & EFER_LMA) &&
	    !((i->efer & EFER_LME) && (i->cr0 & X86_CR0_PG) &&
	      (i->cr4 & X86_CR4_PAE)))
		return -EINVAL;
	return 0;
}

int xvcpu_set_sregs(struct xvcpu_vcpu *vcpu, const struct xvcpu_sregs *i)
{
	u64 efer = i->efer;
	int r;

	if ((efer & EFER_LME) && (i->cr0 & X86_CR0_PG))
		efer |= EFER_LMA;
	/* PAE paging: bad PDPTEs refuse the call before anything changes. */
	if ((i->cr0 & X86_CR0_PG) && (i->cr4 & X86_CR4_PAE) &&
	    !(efer & EFER_LMA)) {
		r = xvcpu_load_pdptrs(vcpu, i->cr3);
		if (r)
			return r == -EINTR ? r : -EINVAL;
	}
	r = xvcpu_set_msr(vcpu, MSR_IA32_APICBASE, i->apic_base, true);
	if (r)
		return -EINVAL;

	/* No mode transition: state is set as a whole, as given. */
	r = xvcpu_set_cr0_cr4_efer(vcpu, i->cr0, i->cr4, efer);
	if (r)
		return r;

	set_seg(&i->cs, S_CS);
	set_seg(&i->ds, S_DS);
	set_seg(&i->es, S_ES);
	set_seg(&i->fs, S_FS);
	set_seg(&i->gs, S_GS);
	set_seg(&i->ss, S_SS);
	set_seg(&i->tr, S_TR);
	set_seg(&i->ldt, S_LDTR);
	vmcs_writel(GUEST_GDTR_BASE, i->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, i->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, i->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, i->idt.limit);
	vmcs_writel(GUEST_CR3, i->cr3);
	vcpu->cr2 = i->cr2;
	vcpu->cr8 = i->cr8;
	vcpu->pending = XVCPU_PENDING_NONE;
	return 0;
}
