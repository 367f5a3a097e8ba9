// SPDX-License-Identifier: GPL-2.0
/*
 * Debug registers: every MOV to or from DR0-DR7 exits (MOV-DR exiting)
 * and is emulated here on the guest's copies (vcpu->dr, GUEST_DR7).
 * The hardware DR0-3 hold the guest's values only between entry and
 * exit, and only while its DR7 enables a breakpoint (run.c). Vcpu loaded.
 */
#include "../xvcpu.h"

#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>

#include "vmcs.h"
#include "vmx.h"

/* Bits MOV to DR6/DR7 can change; the rest read as fixed (SDM 18.2). */
#define DR6_VOLATILE	0x0001e80fUL
#define DR6_FIXED_1	0xfffe0ff0UL
#define DR7_VOLATILE	0xffff2bffUL

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
		if (xvcpu_read_cr4() & X86_CR4_DE) {
			xvcpu_inject_ud(vcpu);
			return XVCPU_RESUME;
		}
		dr += 2;
	}
	/* General detect: the access itself is a #DB fault (DR6.BD). */
	if (vmcs_readl(GUEST_DR7) & XVCPU_DR7_GD) {
		vcpu->dr[6] = (vcpu->dr[6] & ~(DR_TRAP_BITS | DR_STEP)) | XVCPU_DR6_BD;
		vmcs_writel(GUEST_DR7, vmcs_readl(GUEST_DR7) & ~XVCPU_DR7_GD);
		xvcpu_inject_exception(vcpu, X86_TRAP_DB, 0);
		return XVCPU_RESUME;
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
		/*
		 * DR7 is loaded by VM entry; run.c puts DR0-3 in the hardware
		 * while DR7 arms any of them (XVCPU_WORK_DR: only MOV DR changes
		 * the enables, and it exits), and the host's back after.
		 */
		if (dr == 7) {
			vmcs_writel(GUEST_DR7, (v & DR7_VOLATILE) | DR7_FIXED_1);
			xvcpu_work_set(vcpu, XVCPU_WORK_DR,
				       v & XVCPU_DR7_ENABLES);
		} else if (dr == 6) {
			vcpu->dr[6] = (v & DR6_VOLATILE) | DR6_FIXED_1;
		} else {
			vcpu->dr[dr] = v;
		}
	}
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}
