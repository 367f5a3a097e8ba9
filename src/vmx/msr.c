// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs: every RDMSR/WRMSR exits (no MSR bitmap). The set below is
 * emulated in the kernel, most of it as storage; the guest's SYSCALL
 * MSRs and KERNEL_GS_BASE are also in the hardware while the vCPU is
 * loaded (vmcs.c), because SYSCALL and SWAPGS use them without exiting.
 * An MSR outside the set injects #GP, or exits to user space when the
 * VM enabled XVCPU_CAP_USER_MSR_EXITS. Vcpu loaded.
 */
#include "../xvcpu.h"

#include <linux/nospec.h>
#include <asm/msr.h>
#include <asm/msr-index.h>

#include "caps.h"
#include "vmcs.h"
#include "vmx.h"
#include "../trace/trace.h"

#define MTRRCAP_VALUE	0x508ULL	/* 8 variable, fixed, WC */
#define MISC_ENABLE_DEF	(MSR_IA32_MISC_ENABLE_FAST_STRING |		\
			 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |		\
			 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)
#define APIC_BASE_DEF	(0xfee00000ULL | MSR_IA32_APICBASE_ENABLE)
/* Microcode revision 1, as KVM reports (vcpu->arch.microcode_version). */
#define UCODE_REV_DEF	0x100000000ULL

static const u32 mtrr_fixed_msrs[11] = {
	MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000, MSR_MTRRfix16K_A0000,
	MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000,
	MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000, MSR_MTRRfix4K_E8000,
	MSR_MTRRfix4K_F0000, MSR_MTRRfix4K_F8000,
};

void xvcpu_msr_reset(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_msr_state *m = &vcpu->msr;

	memset(m, 0, sizeof(*m));
	m->misc_enable = MISC_ENABLE_DEF;
	m->ucode_rev = UCODE_REV_DEF;
	m->apic_base = APIC_BASE_DEF | (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	if (vcpu->msrs_switched) {
		wrmsrl(MSR_STAR, 0);
		wrmsrl(MSR_LSTAR, 0);
		wrmsrl(MSR_CSTAR, 0);
		wrmsrl(MSR_SYSCALL_MASK, 0);
		wrmsrl(MSR_KERNEL_GS_BASE, 0);
	}
	if (xvcpu_ctl_has(&xvcpu_caps.cfg, XVCPU_CTL_PROC, 3))
		vmcs_write64(TSC_OFFSET, 0);
}

static int mtrr_fixed_index(u32 index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mtrr_fixed_msrs); i++)
		if (mtrr_fixed_msrs[i] == index)
			return i;
	return -1;
}

static bool pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

static bool mtrr_type_valid(u8 t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

int xvcpu_get_msr(struct xvcpu_vcpu *vcpu, u32 index, u64 *data)
{
	struct xvcpu_msr_state *m = &vcpu->msr;
	int i;

	switch (index) {
	case MSR_EFER:
		*data = vmcs_read64(GUEST_IA32_EFER);
		return 0;
	case MSR_STAR:
		*data = m->star;
		return 0;
	case MSR_LSTAR:
		*data = m->lstar;
		return 0;
	case MSR_CSTAR:
		*data = m->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*data = m->sfmask;
		return 0;
	case MSR_FS_BASE:
		*data = vmcs_readl(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*data = vmcs_readl(GUEST_GS_BASE);
		return 0;
	case MSR_KERNEL_GS_BASE:
		/* SWAPGS in the guest changes the live register. */
		if (vcpu->msrs_switched)
			rdmsrl(MSR_KERNEL_GS_BASE, m->kernel_gs_base);
		*data = m->kernel_gs_base;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read32(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_readl(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_readl(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read64(GUEST_IA32_PAT);
		return 0;
	case MSR_IA32_TSC:
		*data = rdtsc() + m->tsc_offset;
		return 0;
	case MSR_TSC_AUX:
		*data = m->tsc_aux;
		return 0;
	case MSR_IA32_APICBASE:
		*data = m->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = m->misc_enable;
		return 0;
	case MSR_IA32_FEAT_CTL:
		*data = FEAT_CTL_LOCKED;	/* VMX is not offered */
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = m->ucode_rev;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = vmcs_read64(GUEST_IA32_DEBUGCTL);
		return 0;
	case MSR_MTRRcap:
		*data = MTRRCAP_VALUE;
		return 0;
	case MSR_MTRRdefType:
		*data = m->mtrr_def_type;
		return 0;
	case 0x200 ... 0x20f:
		*data = m->mtrr_var[array_index_nospec(index - 0x200, 16)];
		return 0;
	}
	i = mtrr_fixed_index(index);
	if (i >= 0) {
		*data = m->mtrr_fixed[array_index_nospec(i, 11)];
		return 0;
	}
	return -ENOENT;
}

/* Canonical for 48-bit linear addresses. */
static bool canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

int xvcpu_set_msr(struct xvcpu_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct xvcpu_msr_state *m = &vcpu->msr;
	int i;

	switch (index) {
	case MSR_EFER:
		return xvcpu_set_efer(vcpu, host ? data :
				      (data & ~EFER_LMA) |
				      (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA));
	case MSR_STAR:
		m->star = data;
		if (vcpu->msrs_switched)
			wrmsrl(MSR_STAR, data);
		return 0;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
		if (!canonical(data))
			return -EINVAL;
		if (index == MSR_LSTAR)
			m->lstar = data;
		else if (index == MSR_CSTAR)
			m->cstar = data;
		else
			m->kernel_gs_base = data;
		if (vcpu->msrs_switched)
			wrmsrl(index, data);
		return 0;
	case MSR_SYSCALL_MASK:
		if (data >> 32)
			return -EINVAL;
		m->sfmask = data;
		if (vcpu->msrs_switched)
			wrmsrl(MSR_SYSCALL_MASK, data);
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!canonical(data))
			return -EINVAL;
		vmcs_writel(index == MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE,
			    data);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, data);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!canonical(data))
			return -EINVAL;
		vmcs_writel(index == MSR_IA32_SYSENTER_ESP ? GUEST_SYSENTER_ESP :
			    GUEST_SYSENTER_EIP, data);
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(data))
			return -EINVAL;
		vmcs_write64(GUEST_IA32_PAT, data);
		return 0;
	case MSR_IA32_TSC:
		m->tsc_offset = data - rdtsc();
		if (xvcpu_ctl_has(&xvcpu_caps.cfg, XVCPU_CTL_PROC, 3))
			vmcs_write64(TSC_OFFSET, m->tsc_offset);
		return 0;
	case MSR_TSC_AUX:
		if (data >> 32)
			return -EINVAL;
		m->tsc_aux = data;
		return 0;
	case MSR_IA32_APICBASE:
		/* Bits 7:0, 9 and those above 51 are reserved. */
		if (data & (0xffULL | BIT_ULL(9) | GENMASK_ULL(63, 52)))
			return -EINVAL;
		m->apic_base = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		m->misc_enable = data;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* No LBR/BTF for guests: only 0 is accepted. */
		if (data)
			return -EINVAL;
		vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
		return 0;
	case MSR_MTRRdefType:
		if ((data & ~0xcffULL) || !mtrr_type_valid(data & 0xff))
			return -EINVAL;
		m->mtrr_def_type = data;
		return 0;
	case 0x200 ... 0x20f:
		/* Bases carry a type in 7:0; masks have bits 10:0 reserved but V. */
		if (!(index & 1) && !mtrr_type_valid(data & 0xff))
			return -EINVAL;
		m->mtrr_var[array_index_nospec(index - 0x200, 16)] = data;
		return 0;
	case MSR_IA32_UCODE_REV:
		/*
		 * The guest writes 0 before CPUID to have the revision
		 * loaded (SDM vol. 3A, 10.11.7.1); there is nothing to
		 * load: the write is accepted and ignored, as KVM does.
		 */
		if (host)
			m->ucode_rev = data;
		return 0;
	case MSR_IA32_FEAT_CTL:
	case MSR_MTRRcap:
		return host ? 0 : -EINVAL;	/* read-only to the guest */
	}
	i = mtrr_fixed_index(index);
	if (i >= 0) {
		unsigned int b;

		for (b = 0; b < 8; b++)
			if (!mtrr_type_valid(data >> (8 * b)))
				return -EINVAL;
		m->mtrr_fixed[array_index_nospec(i, 11)] = data;
		return 0;
	}
	return -ENOENT;
}

static int user_msr_exit(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e,
			 u32 index, bool write, u64 data)
{
	struct xvcpu_run *run = vcpu->run;

	run->exit_reason = XVCPU_EXIT_MSR;
	run->msr.index = index;
	run->msr.is_write = write;
	run->msr.error = 0;
	memset(run->msr.pad, 0, sizeof(run->msr.pad));
	run->msr.data = data;
	vcpu->pending = write ? XVCPU_PENDING_MSR_WRITE : XVCPU_PENDING_MSR_READ;
	vcpu->pending_len = e->insn_len;
	return XVCPU_USER;
}

int xvcpu_handle_rdmsr(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u32 index = vcpu->regs.r[XR_RCX];
	u64 data;
	int r;

	r = xvcpu_get_msr(vcpu, index, &data);
	if (r == -ENOENT && vcpu->vm->user_msr_exits) {
		xvcpu_trace_detail(msr, vcpu, index, 0, false, XVCPU_TRACE_MSR_USER);
		return user_msr_exit(vcpu, e, index, false, 0);
	}
	if (r) {
		xvcpu_trace_detail(msr, vcpu, index, 0, false, XVCPU_TRACE_MSR_GP);
		xvcpu_inject_gp(vcpu);
		return XVCPU_RESUME;
	}
	xvcpu_trace_detail(msr, vcpu, index, data, false, XVCPU_TRACE_MSR_EMULATED);
	vcpu->regs.r[XR_RAX] = (u32)data;
	vcpu->regs.r[XR_RDX] = data >> 32;
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}

int xvcpu_handle_wrmsr(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u32 index = vcpu->regs.r[XR_RCX];
	u64 data = (u32)vcpu->regs.r[XR_RAX] |
		   ((u64)(u32)vcpu->regs.r[XR_RDX] << 32);
	int r;

	r = xvcpu_set_msr(vcpu, index, data, false);
	if (r == -ENOENT && vcpu->vm->user_msr_exits) {
		xvcpu_trace_detail(msr, vcpu, index, data, true, XVCPU_TRACE_MSR_USER);
		return user_msr_exit(vcpu, e, index, true, data);
	}
	if (r) {
		xvcpu_trace_detail(msr, vcpu, index, data, true, XVCPU_TRACE_MSR_GP);
		xvcpu_inject_gp(vcpu);
		return XVCPU_RESUME;
	}
	xvcpu_trace_detail(msr, vcpu, index, data, true, XVCPU_TRACE_MSR_EMULATED);
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}
