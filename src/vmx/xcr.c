// SPDX-License-Identifier: GPL-2.0
/*
 * XCR0: the guest's XSETBV exits here. Vcpu loaded.
 */
#include "../xvcpu.h"

#include <asm/fpu/xcr.h>

#include "vmcs.h"
#include "vmx.h"

int xvcpu_handle_xsetbv(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u64 v = (u32)vcpu->regs.r[XR_RAX] |
		((u64)(u32)vcpu->regs.r[XR_RDX] << 32);
	u64 host = xgetbv(XCR_XFEATURE_ENABLED_MASK);

	if (!(vcpu->cr4_shadow & X86_CR4_OSXSAVE)) {
		xvcpu_inject_ud(vcpu);
		return XVCPU_RESUME;
	}
	/* XCR0 only, x87 always on, AVX needs SSE, nothing the host lacks. */
	if ((u32)vcpu->regs.r[XR_RCX] != 0 || xvcpu_guest_cpl() ||
	    !(v & XFEATURE_MASK_FP) || (v & ~host) ||
	    ((v & XFEATURE_MASK_YMM) && !(v & XFEATURE_MASK_SSE))) {
		xvcpu_inject_gp(vcpu);
		return XVCPU_RESUME;
	}
	vcpu->xcr0 = v;
	vcpu->xcr0_switch = v != host;
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}
