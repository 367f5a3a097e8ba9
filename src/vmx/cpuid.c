// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: answered in the kernel from the vCPU's table (XVCPU_SET_CPUID).
 * A new vCPU's table is the host's, with what the guest cannot use
 * hidden: VMX, SMX, MONITOR/MWAIT (executed as no-ops), PCID, INVPCID,
 * RDTSCP, x2APIC, TSC-deadline, LA57, XSAVES; and the hypervisor bit
 * set with an "XvcpuXvcpuXv" leaf 0x40000000. Leaves absent from the
 * table read as zeros. Vcpu loaded.
 */
#include "../xvcpu.h"

#include <linux/slab.h>
#include <asm/processor.h>

#include "vmcs.h"
#include "vmx.h"

#define HV_LEAF		0x40000000u

static const struct xvcpu_cpuid_entry *find(struct xvcpu_vcpu *vcpu, u32 fn,
					    u32 index)
{
	u32 i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct xvcpu_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function == fn &&
		    (!(e->flags & XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX) ||
		     e->index == index))
			return e;
	}
	return NULL;
}

int xvcpu_handle_cpuid(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	unsigned long *r = vcpu->regs.r;
	u32 fn = r[XR_RAX], index = r[XR_RCX];
	const struct xvcpu_cpuid_entry *ent = find(vcpu, fn, index);
	u32 a = 0, b = 0, c = 0, d = 0;

	if (ent) {
		a = ent->eax;
		b = ent->ebx;
		c = ent->ecx;
		d = ent->edx;
		/* OSXSAVE mirrors the guest's CR4, as on hardware. */
		if (fn == 1) {
			c &= ~BIT(27);
			if (vcpu->cr4_shadow & X86_CR4_OSXSAVE)
				c |= BIT(27);
		}
	}
	r[XR_RAX] = a;
	r[XR_RBX] = b;
	r[XR_RCX] = c;
	r[XR_RDX] = d;
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}

static bool has_subleaves(u32 fn)
{
	return fn == 4 || fn == 7 || fn == 0xb || fn == 0xd || fn == 0xf ||
	       fn == 0x10 || fn == 0x12 || fn == 0x14 || fn == 0x17 ||
	       fn == 0x18 || fn == 0x1d || fn == 0x1e || fn == 0x1f ||
	       fn == 0x20 || fn == 0x8000001d;
}

static void filter(struct xvcpu_vcpu *vcpu, struct xvcpu_cpuid_entry *e)
{
	switch (e->function) {
	case 1:
		/* VMX, SMX, MONITOR, PCID, x2APIC, TSC-deadline. */
		e->ecx &= ~(BIT(5) | BIT(6) | BIT(3) | BIT(17) | BIT(21) |
			    BIT(24));
		e->ecx |= BIT(31);	/* running under a hypervisor */
		e->ebx = (e->ebx & 0x00ffffff) | (vcpu->id << 24);
		break;
	case 5:			/* MONITOR/MWAIT leaf */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case 7:
		if (e->index == 0) {
			e->ebx &= ~BIT(10);	/* INVPCID */
			e->ecx &= ~(BIT(16) | BIT(5));	/* LA57, WAITPKG */
		}
		break;
	case 0xd:
		if (e->index == 1)
			e->eax &= ~BIT(3);	/* XSAVES */
		break;
	case 0x80000001:
		e->edx &= ~BIT(27);	/* RDTSCP */
		break;
	}
}

static int add_leaf(struct xvcpu_cpuid_entry *t, u32 *n, u32 fn, u32 index,
	       bool sig)
{
	struct xvcpu_cpuid_entry *e;

	if (*n >= XVCPU_MAX_CPUID_ENTRIES)
		return -E2BIG;
	e = &t[(*n)++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = index;
	e->flags = sig ? XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX : 0;
	cpuid_count(fn, index, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return 0;
}

static int add_leaves(struct xvcpu_cpuid_entry *t, u32 *n, u32 base, u32 max)
{
	u32 fn, i;
	int r = 0;

	for (fn = base; fn <= max && !r; fn++) {
		if (!has_subleaves(fn)) {
			r = add_leaf(t, n, fn, 0, false);
			continue;
		}
		/* Subleaves until the host reports an empty one (max 64). */
		for (i = 0; i < 64 && !r; i++) {
			u32 a, b, c, d;

			cpuid_count(fn, i, &a, &b, &c, &d);
			if (i > 0 && !a && !b && !c && !d)
				break;
			r = add_leaf(t, n, fn, i, true);
		}
	}
	return r;
}

int xvcpu_cpuid_default(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_cpuid_entry *t, *e;
	u32 n = 0, i, max;
	int r;

	t = kvcalloc(XVCPU_MAX_CPUID_ENTRIES, sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	max = min(cpuid_eax(0), 0x1fu);
	r = add_leaves(t, &n, 0, max);
	if (!r)
		r = add_leaves(t, &n, 0x80000000,
			      min(cpuid_eax(0x80000000), 0x80000008u));
	if (!r && n < XVCPU_MAX_CPUID_ENTRIES) {
		e = &t[n++];
		memset(e, 0, sizeof(*e));
		e->function = HV_LEAF;
		e->eax = HV_LEAF;
		memcpy(&e->ebx, "Xvcp", 4);
		memcpy(&e->ecx, "uXvc", 4);
		memcpy(&e->edx, "puXv", 4);
	}
	if (r) {
		kvfree(t);
		return r;
	}
	for (i = 0; i < n; i++)
		filter(vcpu, &t[i]);
	kvfree(vcpu->cpuid);
	vcpu->cpuid = t;
	vcpu->cpuid_nent = n;
	return 0;
}
