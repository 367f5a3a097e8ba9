// SPDX-License-Identifier: GPL-2.0
/*
 * Debug registers: every MOV to or from DR0-DR7 exits (MOV-DR exiting).
 * Vcpu loaded.
 */
#include "../xvcpu.h"

#include "vmcs.h"
#include "vmx.h"

int xvcpu_handle_dr(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	unsigned int dr = e->qual & 7, reg = (e->qual >> 8) & 15;
	bool from = e->qual & BIT(4);
	unsigned long v;

	if (xvcpu_guest_cpl()) {
		xvcpu_inject_gp(vcpu);
		return XVCPU_RESUME;
	}
	if (dr == 4 || dr == 5) {
		if (vcpu->cr4_shadow & X86_CR4_DE) {
			xvcpu_inject_ud(vcpu);
			return XVCPU_RESUME;
		}
		dr += 2;
	}
	if (from) {
		v = dr == 7 ? vmcs_readl(GUEST_DR7) : vcpu->dr[dr];
		xvcpu_set_gpr(vcpu, reg, v);
	} else {
		v = xvcpu_get_gpr(vcpu, reg);
		if ((dr == 6 || dr == 7) && (v >> 32)) {
			xvcpu_inject_gp(vcpu);
			return XVCPU_RESUME;
		}
		/* Kept as values only: the guest gets no hardware breakpoints. */
		if (dr == 7)
			vmcs_writel(GUEST_DR7, v | DR7_FIXED_1);
		else
			vcpu->dr[dr] = v;
	}
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}
