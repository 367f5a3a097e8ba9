// SPDX-License-Identifier: GPL-2.0
/*
 * XCR0: the guest's XSETBV exits here; the guest's XCR0 is in the
 * hardware only between entry and exit (run.c).
 *
 * A guest may enable only what xvcpu offers (x87, SSE, AVX, AVX-512:
 * state the kernel's guest FPU buffer holds and fpu_swap_kvm_fpstate()
 * switches), what the host itself has enabled in its XCR0, and what the
 * guest's CPUID leaf 0xd advertises, with the SDM's consistency rules
 * (vol. 1, 13.3), so the host's own XSETBV of that value can never
 * fault. PKRU is not offered (no CR4.PKE either): a guest can never
 * reach the host thread's protection keys. When the host runs without
 * XSAVE, CR4.OSXSAVE cannot be set (cr.c), XSETBV is #UD, and the host
 * never executes XGETBV/XSETBV for a guest. Vcpu loaded.
 */
#include "../xvcpu.h"

#include <asm/fpu/xcr.h>
#include <asm/fpu/api.h>

#include "vmcs.h"
#include "vmx.h"

#define XCR0_OFFERED	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
			 XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)

u64 xvcpu_xcr0_offered(void)
{
	return xvcpu_host_xcr0() & XCR0_OFFERED;
}

void xvcpu_update_xcr0_switch(struct xvcpu_vcpu *vcpu)
{
	/* Without CR4.OSXSAVE the guest can neither read nor use XCR0. */
	xvcpu_work_set(vcpu, XVCPU_WORK_XCR0,
		       xvcpu_host_xcr0() &&
		       (xvcpu_read_cr4() & X86_CR4_OSXSAVE) &&
		       vcpu->xcr0 != xvcpu_host_xcr0());
}

static bool xcr0_valid(struct xvcpu_vcpu *vcpu, u64 v)
{
	const struct xvcpu_cpuid_entry *d = xvcpu_cpuid_find(vcpu, 0xd, 0);
	u64 allowed = xvcpu_xcr0_offered();

	allowed &= d ? d->eax | (u64)d->edx << 32 : XFEATURE_MASK_FP;
	if (v & ~allowed || !(v & XFEATURE_MASK_FP))
		return false;
	if ((v & XFEATURE_MASK_YMM) && !(v & XFEATURE_MASK_SSE))
		return false;
	/* The three AVX-512 components go together, and need AVX. */
	if ((v & XFEATURE_MASK_AVX512) &&
	    ((v & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
	     !(v & XFEATURE_MASK_YMM)))
		return false;
	return true;
}

int xvcpu_handle_xsetbv(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u64 v = (u32)vcpu->regs.r[XR_RAX] |
		((u64)(u32)vcpu->regs.r[XR_RDX] << 32);

	/* The CPU checks CR4.OSXSAVE before the exit; be sure anyway. */
	if (!(xvcpu_read_cr4() & X86_CR4_OSXSAVE) || !xvcpu_host_xcr0()) {
		xvcpu_inject_ud(vcpu);
		return XVCPU_RESUME;
	}
	if ((u32)vcpu->regs.r[XR_RCX] != 0 || xvcpu_guest_cpl() ||
	    !xcr0_valid(vcpu, v)) {
		xvcpu_inject_gp(vcpu);
		return XVCPU_RESUME;
	}
	vcpu->xcr0 = v;
	xvcpu_update_xcr0_switch(vcpu);
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}
