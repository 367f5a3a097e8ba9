// SPDX-License-Identifier: GPL-2.0
/*
 * Control registers: CR0, CR3, CR4, CR8 and EFER (which CR0.PG ties to).
 *
 * CR0 and CR4 are split between the guest and us by the guest/host
 * masks (vmcs.c). The guest owns an allow-list of bits
 * (XVCPU_CR0/CR4_GUEST_OWNED: they change without an exit and live in
 * the VMCS guest fields); every other bit, including any a future CPU
 * adds, is ours: the guest reads it from the read shadow and writing it
 * exits here, where it is checked. Ours are the bits VMX fixes (NE,
 * VMXE), the caching bits (CD/NW never reach the hardware: EPT decides
 * memory types), PG/PE (EFER.LMA and the IA-32e entry control follow
 * PG; PAE paging needs its PDPTEs loaded), the paging-mode bits, and
 * the CR4 bits of features that need the host (OSXSAVE) or that xvcpu
 * does not offer (PKE, CET, PKS, LA57, PCIDE, ...: #GP). The values
 * the guest sees: xvcpu_read_cr0/4(). Vcpu loaded.
 */
#include "../xvcpu.h"

#include <asm/cpufeature.h>
#include <asm/processor-flags.h>

#include "caps.h"
#include "vmcs.h"
#include "vmx.h"
#include "../trace/trace.h"

#define CR0_KNOWN	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define EFER_KNOWN	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/*
 * CR4 bits a guest may set: those of features xvcpu offers, where the
 * host CPU and kernel have the feature (the CPUID the guest gets says
 * the same, cpuid.c), and VMX allows the bit.
 */
unsigned long xvcpu_cr4_offered(void)
{
	static const struct { unsigned long bit; u16 feature; } f[] = {
		{ X86_CR4_VME, X86_FEATURE_VME },
		{ X86_CR4_PVI, X86_FEATURE_VME },
		{ X86_CR4_TSD, X86_FEATURE_TSC },
		{ X86_CR4_DE, X86_FEATURE_DE },
		{ X86_CR4_PSE, X86_FEATURE_PSE },
		{ X86_CR4_PAE, X86_FEATURE_PAE },
		{ X86_CR4_MCE, X86_FEATURE_MCE },
		{ X86_CR4_PGE, X86_FEATURE_PGE },
		{ X86_CR4_PCE, X86_FEATURE_TSC },
		{ X86_CR4_OSFXSR, X86_FEATURE_FXSR },
		{ X86_CR4_OSXMMEXCPT, X86_FEATURE_XMM },
		{ X86_CR4_UMIP, X86_FEATURE_UMIP },
		{ X86_CR4_FSGSBASE, X86_FEATURE_FSGSBASE },
		/* Cleared by the host kernel when it runs without XSAVE. */
		{ X86_CR4_OSXSAVE, X86_FEATURE_XSAVE },
		{ X86_CR4_SMEP, X86_FEATURE_SMEP },
		{ X86_CR4_SMAP, X86_FEATURE_SMAP },
	};
	unsigned long ok = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		if (boot_cpu_has(f[i].feature))
			ok |= f[i].bit;
	return ok & xvcpu_caps.msrs.cr4_fixed1 & ~X86_CR4_VMXE;
}

int xvcpu_load_pdptrs(struct xvcpu_vcpu *vcpu, unsigned long cr3)
{
	u64 pdpte[4];
	unsigned int i;
	int r;

	/* PAE CR3 is 32-byte aligned; the four entries live there. */
	xvcpu_vcpu_put(vcpu);
	r = xvcpu_read_guest(vcpu->vm, cr3 & ~0x1fUL, pdpte, sizeof(pdpte));
	if (xvcpu_vcpu_reload(vcpu))
		return -EINTR;
	if (r)
		memset(pdpte, 0, sizeof(pdpte));
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & (0x1e6ULL | GENMASK_ULL(63, 52))))
			return -EINVAL;
	vmcs_write64(GUEST_PDPTR0, pdpte[0]);
	vmcs_write64(GUEST_PDPTR1, pdpte[1]);
	vmcs_write64(GUEST_PDPTR2, pdpte[2]);
	vmcs_write64(GUEST_PDPTR3, pdpte[3]);
	return 0;
}

static bool pae_paging(void)
{
	return (xvcpu_read_cr0() & X86_CR0_PG) &&
	       (xvcpu_read_cr4() & X86_CR4_PAE) &&
	       !(vmcs_read64(GUEST_IA32_EFER) & EFER_LMA);
}

int xvcpu_check_cr0(unsigned long cr0)
{
	if (cr0 & ~CR0_KNOWN)
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return -EINVAL;
	return 0;
}

int xvcpu_check_cr4(unsigned long cr4)
{
	return cr4 & ~xvcpu_cr4_offered() ? -EINVAL : 0;
}

int xvcpu_check_efer(u64 efer)
{
	return efer & ~EFER_KNOWN ? -EINVAL : 0;
}

/* The hardware value of CR0 for a guest-visible one (unrestricted guest). */
static void guest_write_cr0(unsigned long cr0)
{
	const struct xvcpu_vmx_msrs *m = &xvcpu_caps.msrs;
	unsigned long real;

	/* PE and PG are the guest's own to clear; CD/NW never reach it. */
	real = (cr0 & ~(X86_CR0_CD | X86_CR0_NW)) |
	       (m->cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG));
	real &= m->cr0_fixed1 | X86_CR0_PE | X86_CR0_PG;
	vmcs_writel(GUEST_CR0, real);
	vmcs_writel(CR0_READ_SHADOW, cr0);
}

static void guest_write_cr4(struct xvcpu_vcpu *vcpu, unsigned long cr4)
{
	vmcs_writel(GUEST_CR4, cr4 | xvcpu_caps.msrs.cr4_fixed0);
	vmcs_writel(CR4_READ_SHADOW, cr4);
	xvcpu_update_xcr0_switch(vcpu);
}

static void guest_write_efer(struct xvcpu_vcpu *vcpu, u64 efer)
{
	vmcs_write64(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmcs_set_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	else
		vmcs_clear_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	if (vcpu->loaded)
		xvcpu_sync_guest_msrs(vcpu);
}

/* CR0.PG with EFER.LME: long mode (IA32_EFER.LMA, the IA-32e control). */
static void set_long_mode(struct xvcpu_vcpu *vcpu, bool on)
{
	u64 efer = vmcs_read64(GUEST_IA32_EFER);

	guest_write_efer(vcpu, on ? efer | EFER_LMA : efer & ~EFER_LMA);
}

int xvcpu_set_cr0(struct xvcpu_vcpu *vcpu, unsigned long cr0)
{
	unsigned long old = xvcpu_read_cr0();
	u64 efer = vmcs_read64(GUEST_IA32_EFER);

	cr0 |= X86_CR0_ET;	/* hardwired on every CPU since the 486 */
	if (xvcpu_check_cr0(cr0))
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(xvcpu_read_cr4() & X86_CR4_PAE))
			return -EINVAL;
		set_long_mode(vcpu, true);
	} else if (!(cr0 & X86_CR0_PG) && (efer & EFER_LMA)) {
		set_long_mode(vcpu, false);
	}
	guest_write_cr0(cr0);
	if ((cr0 ^ old) & X86_CR0_PG && pae_paging())
		return xvcpu_load_pdptrs(vcpu, vmcs_readl(GUEST_CR3));
	return 0;
}

int xvcpu_set_cr4(struct xvcpu_vcpu *vcpu, unsigned long cr4)
{
	unsigned long old = xvcpu_read_cr4();

	if (xvcpu_check_cr4(cr4))
		return -EINVAL;
	if ((vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && !(cr4 & X86_CR4_PAE))
		return -EINVAL;
	guest_write_cr4(vcpu, cr4);
	if ((cr4 ^ old) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE) &&
	    pae_paging())
		return xvcpu_load_pdptrs(vcpu, vmcs_readl(GUEST_CR3));
	return 0;
}

/*
 * EFER from WRMSR or SET_MSRS. Both follow the same rules: LME may not
 * change while paging is on, and LMA must be what LME and CR0.PG make
 * it (the guest's WRMSR cannot change LMA: msr.c passes the current
 * one), so GET_MSRS followed by SET_MSRS always succeeds and nothing
 * gets a state that GET_SREGS/SET_SREGS would refuse.
 */
int xvcpu_set_efer(struct xvcpu_vcpu *vcpu, u64 efer)
{
	u64 old = vmcs_read64(GUEST_IA32_EFER);
	bool pg = xvcpu_read_cr0() & X86_CR0_PG;

	if (xvcpu_check_efer(efer))
		return -EINVAL;
	if (pg && ((efer ^ old) & EFER_LME))
		return -EINVAL;
	if (!!(efer & EFER_LMA) != (pg && (efer & EFER_LME)))
		return -EINVAL;
	guest_write_efer(vcpu, efer);
	return 0;
}

/*
 * SET_SREGS: the whole state at once, already checked for consistency
 * (regs.c; PDPTEs loaded by the caller), so no mode transition runs.
 */
int xvcpu_set_cr0_cr4_efer(struct xvcpu_vcpu *vcpu, unsigned long cr0,
			   unsigned long cr4, u64 efer)
{
	cr0 |= X86_CR0_ET;
	if (xvcpu_check_cr0(cr0) || xvcpu_check_cr4(cr4) ||
	    xvcpu_check_efer(efer))
		return -EINVAL;
	guest_write_efer(vcpu, efer);
	guest_write_cr4(vcpu, cr4);
	guest_write_cr0(cr0);
	return 0;
}

/* @outcome: for xvcpu_cr. */
static int set_cr_or_gp(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e, int r,
			u8 *outcome)
{
	if (r == -EINTR) {
		vcpu->run->exit_reason = XVCPU_EXIT_INTR;
		*outcome = XVCPU_TRACE_CR_FAIL;
		return r;
	}
	if (r) {
		xvcpu_inject_gp(vcpu);
		*outcome = XVCPU_TRACE_CR_GP;
	} else {
		xvcpu_skip_insn(vcpu, e->insn_len);
	}
	return XVCPU_RESUME;
}

/* *@v: the value written or read; *@outcome as set_cr_or_gp(). */
static int cr_access(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e,
		     unsigned int cr, unsigned int type, unsigned long *v,
		     u8 *outcome)
{
	unsigned int reg = (e->qual >> 8) & 15;
	unsigned long lmsw;

	switch (type) {
	case XVCPU_TRACE_CR_WRITE:	/* MOV to CR */
		*v = xvcpu_get_gpr(vcpu, reg);
		switch (cr) {
		case 0:
			return set_cr_or_gp(vcpu, e, xvcpu_set_cr0(vcpu, *v),
					    outcome);
		case 3:
			vmcs_writel(GUEST_CR3, *v);
			return set_cr_or_gp(vcpu, e, pae_paging() ?
					    xvcpu_load_pdptrs(vcpu, *v) : 0,
					    outcome);
		case 4:
			return set_cr_or_gp(vcpu, e, xvcpu_set_cr4(vcpu, *v),
					    outcome);
		case 8:
			return set_cr_or_gp(vcpu, e, *v & ~15UL ? -EINVAL :
					    (vcpu->cr8 = *v, 0), outcome);
		}
		break;
	case XVCPU_TRACE_CR_READ:	/* MOV from CR */
		if (cr == 3)
			*v = vmcs_readl(GUEST_CR3);
		else if (cr == 8)
			*v = vcpu->cr8;
		else
			break;
		xvcpu_set_gpr(vcpu, reg, *v);
		xvcpu_skip_insn(vcpu, e->insn_len);
		return XVCPU_RESUME;
	case XVCPU_TRACE_CR_CLTS:
		*v = xvcpu_read_cr0() & ~X86_CR0_TS;
		return set_cr_or_gp(vcpu, e, xvcpu_set_cr0(vcpu, *v), outcome);
	case XVCPU_TRACE_CR_LMSW:	/* low four bits, PE cannot be cleared */
		lmsw = (e->qual >> 16) & 0xf;
		lmsw |= xvcpu_read_cr0() & X86_CR0_PE;
		*v = (xvcpu_read_cr0() & ~0xfUL) | lmsw;
		return set_cr_or_gp(vcpu, e, xvcpu_set_cr0(vcpu, *v), outcome);
	}
	xvcpu_inject_ud(vcpu);
	*outcome = XVCPU_TRACE_CR_UD;
	return XVCPU_RESUME;
}

int xvcpu_handle_cr(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	unsigned int cr = e->qual & 15, type = (e->qual >> 4) & 3;
	u8 outcome = XVCPU_TRACE_CR_DONE;
	unsigned long v = 0;
	int r;

	r = cr_access(vcpu, e, cr, type, &v, &outcome);
	xvcpu_trace_detail(cr, vcpu, cr, type, v, outcome);
	return r;
}
