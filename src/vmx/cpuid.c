// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: answered in the kernel from the vCPU's table (XVCPU_SET_CPUID).
 *
 * A new vCPU's table is built from an allow-list, like KVM's
 * kvm_cpu_caps: only leaves xvcpu knows, and in the feature leaves only
 * bits of features xvcpu implements, that the host CPU has and that the
 * host kernel itself runs with (its boot_cpu_data capability words, so a
 * feature the host disabled -- XSAVE under "noxsave", and with it AVX
 * and AVX-512 -- is hidden too). A bit a future CPU adds stays hidden
 * until it is added here. Also: the hypervisor bit and an
 * "XvcpuXvcpuXv" leaf 0x40000000; the APIC ID is the vCPU id; leaf 0xd
 * lists only the XCR0 components a guest may enable (xcr.c).
 *
 * Dynamic bits are computed at each CPUID, as on hardware: OSXSAVE
 * mirrors the guest's CR4, leaf 0xd's EBX is the XSAVE area size for the
 * guest's XCR0. Leaves absent from the table read as zeros. Vcpu loaded.
 *
 * Lookup: the first entry of each of the first 32 leaves of the four
 * ranges is indexed when the table is set (vcpu->cpuid_first), so a
 * leaf without subleaves or computed bits is one load and a copy; the
 * others are found as a scan of the table in order finds them, starting
 * at their own first entry.
 */
#include "../xvcpu.h"

#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/processor.h>

#include "vmcs.h"
#include "vmx.h"

#define HV_LEAF		0x40000000u

/* The host kernel's view of a CPUID word (enum cpuid_leafs). */
#define HOST(word)	(boot_cpu_data.x86_capability[word])

/*
 * Feature bits xvcpu implements, by leaf and register. Everything else
 * reads as 0. Why some are absent:
 * 1.ECX: DTES64, MONITOR (MWAIT is a NOP), DS-CPL, VMX, SMX, EIST, TM2,
 *        SDBG, xTPR, PDCM, PCID (CR4.PCIDE not offered), DCA, x2APIC,
 *        TSC-deadline (no in-kernel APIC).
 * 1.EDX: MCE, MCA (no machine-check MSRs: Linux would read MCG_STATUS
 *        and panic on its #GP), PSN, DS, ACPI, TM, PBE, HTT (topology is
 *        the VMM's to state).
 * 7.0:   TSC_ADJUST, SGX, HLE/RTM, INVPCID, RDT, MPX, PT, PKU/OSPKE (no
 *        CR4.PKE: PKRU stays the host's), WAITPKG, LA57, RDPID (no
 *        TSC_AUX in hardware), CET, and the speculation-control MSRs
 *        (SPEC_CTRL, PRED_CMD, FLUSH_CMD, ARCH_CAPABILITIES: WRMSR #GP).
 * 0xd.1: XSAVES (no IA32_XSS).
 * 80000001: RDTSCP (no TSC_AUX in hardware).
 */
#define F(bit)		BIT(bit)
#define L1_ECX	(F(0) | F(1) | F(9) | F(12) | F(13) | F(19) | F(20) | \
		 F(22) | F(23) | F(25) | F(26) | F(28) | F(29) | F(30))
#define L1_EDX	(F(0) | F(1) | F(2) | F(3) | F(4) | F(5) | F(6) | \
		 F(8) | F(9) | F(11) | F(12) | F(13) | F(15) | \
		 F(16) | F(17) | F(19) | F(23) | F(24) | F(25) | F(26) | F(27))
#define L7_EBX	(F(0) | F(3) | F(5) | F(6) | F(7) | F(8) | F(9) | F(13) | \
		 F(16) | F(17) | F(18) | F(19) | F(20) | F(21) | F(23) | \
		 F(24) | F(26) | F(27) | F(28) | F(29) | F(30) | F(31))
#define L7_ECX	(F(1) | F(2) | F(6) | F(8) | F(9) | F(10) | F(11) | \
		 F(12) | F(14) | F(27) | F(28))
#define L7_EDX	(F(2) | F(3) | F(4) | F(10) | F(14))
#define LD1_EAX	(F(0) | F(1) | F(2))	/* XSAVEOPT, XSAVEC, XGETBV1 */
#define LX1_ECX	(F(0) | F(5) | F(8))	/* LAHF/SAHF, LZCNT, PREFETCHW */
#define LX1_EDX	(F(11) | F(20) | F(26) | F(29))	/* SYSCALL NX 1G LM */
#define LX7_EDX	F(8)			/* invariant TSC */

#define OSXSAVE		F(27)
#define HYPERVISOR	F(31)

static_assert(XVCPU_CPUID_FIRST == 128);

/* cpuid_first's bit 0: not a plain copy of the entry (cpuid_slow()). */
#define FIRST_SLOW	XVCPU_CPUID_FIRST_SLOW

/* SET_CPUID or the default table: where each indexed leaf starts. */
void xvcpu_cpuid_index(struct xvcpu_vcpu *vcpu)
{
	const struct xvcpu_cpuid_entry *e;
	u32 i;
	int slot;

	memset(vcpu->cpuid_first, 0, sizeof(vcpu->cpuid_first));
	for (i = vcpu->cpuid_nent; i-- > 0;) {
		e = &vcpu->cpuid[i];
		slot = xvcpu_cpuid_slot(e->function);
		if (slot < 0)
			continue;
		/* The entries are 8-byte aligned: bit 0 is free. */
		vcpu->cpuid_first[slot] = (unsigned long)e;
		if ((e->flags & XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX) ||
		    e->function == 1 || e->function == 0xd)
			vcpu->cpuid_first[slot] |= FIRST_SLOW;
	}
}

static_assert(__alignof__(struct xvcpu_cpuid_entry) >= 2);

/* From entry @i on: the first for @fn whose index matches or does not matter. */
static const struct xvcpu_cpuid_entry *
cpuid_scan(struct xvcpu_vcpu *vcpu, u32 fn, u32 index, u32 i)
{
	for (; i < vcpu->cpuid_nent; i++) {
		const struct xvcpu_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function == fn &&
		    (!(e->flags & XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX) ||
		     e->index == index))
			return e;
	}
	return NULL;
}

/*
 * What a scan of the table in order finds, but for the leaves in
 * cpuid_first a leaf without subleaves is one lookup, and one with them
 * is scanned from its own first entry.
 */
const struct xvcpu_cpuid_entry *xvcpu_cpuid_find(struct xvcpu_vcpu *vcpu,
						 u32 fn, u32 index)
{
	int slot = xvcpu_cpuid_slot(fn);
	const struct xvcpu_cpuid_entry *e;

	if (slot < 0)
		return cpuid_scan(vcpu, fn, index, 0);
	e = (const void *)(vcpu->cpuid_first[slot] & ~FIRST_SLOW);
	if (!e || !(e->flags & XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX))
		return e;
	return cpuid_scan(vcpu, fn, index, e - vcpu->cpuid);
}

/* Bytes of XSAVE area the components in @xcr0 need (standard format). */
static u32 xsave_size(struct xvcpu_vcpu *vcpu, u64 xcr0)
{
	u32 size = 512 + 64, i;

	for (i = 2; i < 64; i++) {
		const struct xvcpu_cpuid_entry *c;

		if (!(xcr0 & BIT_ULL(i)))
			continue;
		c = xvcpu_cpuid_find(vcpu, 0xd, i);
		if (c)
			size = max(size, c->eax + c->ebx);
	}
	return size;
}

static __always_inline void cpuid_set(struct xvcpu_vcpu *vcpu, u32 a,
				      u32 b, u32 c, u32 d)
{
	unsigned long *r = vcpu->regs.r;

	r[XR_RAX] = a;
	r[XR_RBX] = b;
	r[XR_RCX] = c;
	r[XR_RDX] = d;
}

/*
 * Leaves with subleaves, leaves past cpuid_first's and leaves 1 and 0xd,
 * with bits computed at each CPUID: OSXSAVE mirrors the guest's CR4, as
 * on hardware; 0xd.0's EBX is the XSAVE area size for the guest's XCR0.
 */
static noinline void cpuid_slow(struct xvcpu_vcpu *vcpu, u32 fn, u32 index)
{
	const struct xvcpu_cpuid_entry *ent = xvcpu_cpuid_find(vcpu, fn, index);
	u32 b, c;

	if (!ent) {
		cpuid_set(vcpu, 0, 0, 0, 0);
		return;
	}
	b = ent->ebx;
	c = ent->ecx;
	if (fn == 1) {
		c &= ~OSXSAVE;
		if (xvcpu_read_cr4() & X86_CR4_OSXSAVE)
			c |= OSXSAVE;
	} else if (fn == 0xd && index == 0) {
		b = xsave_size(vcpu, vcpu->xcr0);
	}
	cpuid_set(vcpu, ent->eax, b, c, ent->edx);
}

/*
 * Called by run.c directly, not through the exit table (as KVM's
 * __vmx_handle_exit() calls kvm_emulate_cpuid()). A leaf without
 * subleaves or computed bits is one lookup and a copy. Leaves absent
 * from the table read as zeros.
 */
int xvcpu_handle_cpuid(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u32 fn = vcpu->regs.r[XR_RAX];
	unsigned long first = xvcpu_cpuid_first(vcpu, fn);
	const struct xvcpu_cpuid_entry *ent = (const void *)first;

	if (unlikely(first & FIRST_SLOW))
		cpuid_slow(vcpu, fn, vcpu->regs.r[XR_RCX]);
	else if (likely(ent))
		cpuid_set(vcpu, ent->eax, ent->ebx, ent->ecx, ent->edx);
	else
		cpuid_set(vcpu, 0, 0, 0, 0);
	/* xvcpu_cpuid is emitted by run.c: no tracing on this path. */
	__xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}

/* Basic leaves offered; their subleaf rules. */
static bool leaf_offered(u32 fn, bool xsave)
{
	switch (fn) {
	case 0: case 1: case 2: case 4: case 5: case 7: case 0xb:
	case 0x15: case 0x16: case 0x1f:
		return true;
	case 0xd:
		return xsave;
	default:
		return false;
	}
}

static bool has_subleaves(u32 fn)
{
	return fn == 4 || fn == 0xb || fn == 0xd || fn == 0x1f;
}

/* Make one host entry what the guest may see. */
static void filter(struct xvcpu_vcpu *vcpu, struct xvcpu_cpuid_entry *e,
		   u32 max_basic)
{
	u64 xcr0 = xvcpu_xcr0_offered();

	switch (e->function) {
	case 0:
		e->eax = max_basic;
		break;
	case 1:
		e->ecx &= L1_ECX & HOST(CPUID_1_ECX);
		e->ecx |= HYPERVISOR;
		e->edx &= L1_EDX & HOST(CPUID_1_EDX);
		e->ebx = (e->ebx & 0x00ffffff) | (vcpu->id << 24);
		break;
	case 5:			/* MONITOR/MWAIT leaf: not offered */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case 7:			/* subleaf 0 only */
		e->eax = 0;
		e->ebx &= L7_EBX & HOST(CPUID_7_0_EBX);
		e->ecx &= L7_ECX & HOST(CPUID_7_ECX);
		e->edx &= L7_EDX & HOST(CPUID_7_EDX);
		break;
	case 0xd:
		if (e->index == 0) {
			e->eax = (u32)xcr0;
			e->edx = xcr0 >> 32;
			e->ecx = xsave_size(vcpu, xcr0);
			e->ebx = xsave_size(vcpu, XFEATURE_MASK_FP);
		} else if (e->index == 1) {
			e->eax &= LD1_EAX & HOST(CPUID_D_1_EAX);
			e->ebx = e->ecx = e->edx = 0;
		} else if (!(xcr0 & BIT_ULL(e->index))) {
			e->eax = e->ebx = e->ecx = e->edx = 0;
		}
		break;
	case 0x80000000:
		e->eax = min(e->eax, 0x80000008u);
		break;
	case 0x80000001:
		e->ecx &= LX1_ECX & HOST(CPUID_8000_0001_ECX);
		e->edx &= LX1_EDX & HOST(CPUID_8000_0001_EDX);
		break;
	case 0x80000007:
		e->eax = e->ebx = e->ecx = 0;
		e->edx &= LX7_EDX;
		break;
	case 0x80000008:
		/* Address sizes only: EBX holds AMD speculation bits. */
		e->eax &= 0xffff;
		e->ebx = e->ecx = e->edx = 0;
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

static int add_leaves(struct xvcpu_cpuid_entry *t, u32 *n, u32 base, u32 max,
		      bool xsave)
{
	u32 fn, i;
	int r = 0;

	for (fn = base; fn <= max && !r; fn++) {
		if (base == 0 && !leaf_offered(fn, xsave))
			continue;
		if (!has_subleaves(fn)) {
			r = add_leaf(t, n, fn, 0, fn == 7);
			continue;
		}
		/* Subleaves until the host reports an empty one (max 64). */
		for (i = 0; i < 64 && !r; i++) {
			u32 a, b, c, d;

			cpuid_count(fn, i, &a, &b, &c, &d);
			/* Leaf 0xd: components are sparse (i = 2..). */
			if (fn == 0xd && i > 1 && !a && !b && !c && !d)
				continue;
			/* The first subleaf of type "null" ends the list. */
			if ((fn == 4 && !(a & 0x1f)) ||
			    ((fn == 0xb || fn == 0x1f) && i && !(c & 0xff00)))
				break;
			r = add_leaf(t, n, fn, i, true);
		}
	}
	return r;
}

int xvcpu_cpuid_default(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_cpuid_entry *t, *e;
	bool xsave = xvcpu_xcr0_offered() != 0;
	u32 n = 0, i, max;
	int r;

	t = kvcalloc(XVCPU_MAX_CPUID_ENTRIES, sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	max = min(cpuid_eax(0), 0x1fu);
	while (max && !leaf_offered(max, xsave))
		max--;
	r = add_leaves(t, &n, 0, max, xsave);
	if (!r)
		r = add_leaves(t, &n, 0x80000000,
			       min(cpuid_eax(0x80000000), 0x80000008u), xsave);
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
	/* Leaf 0xd sizes come from its subleaves: filter those first. */
	kvfree(vcpu->cpuid);
	vcpu->cpuid = t;
	vcpu->cpuid_nent = n;
	xvcpu_cpuid_index(vcpu);
	for (i = n; i-- > 0;)
		filter(vcpu, &t[i], max);
	return 0;
}
