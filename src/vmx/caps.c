// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the VMX capabilities once at load: CPUID, IA32_FEATURE_CONTROL
 * and every VMX capability MSR (SDM vol. 3D, appendix A), then the
 * control values computed from them (controls.c). Process context.
 */
#include "../xvcpu.h"

#include <asm/msr.h>
#include <asm/vmx.h>
#include <asm/processor.h>

#include "caps.h"

struct xvcpu_caps xvcpu_caps __ro_after_init;

/* The pure table must agree with the kernel's names for the same bits. */
static_assert(BIT(0) == PIN_BASED_EXT_INTR_MASK);
static_assert(BIT(6) == PIN_BASED_VMX_PREEMPTION_TIMER);
static_assert(BIT(7) == CPU_BASED_HLT_EXITING);
static_assert(BIT(XVCPU_PROC_SECONDARY_BIT) ==
	      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
static_assert(BIT(1) == SECONDARY_EXEC_ENABLE_EPT);
static_assert(BIT(7) == SECONDARY_EXEC_UNRESTRICTED_GUEST);
static_assert(BIT(9) == VM_EXIT_HOST_ADDR_SPACE_SIZE);
static_assert(BIT(9) == VM_ENTRY_IA32E_MODE);
static_assert(XVCPU_BASIC_TRUE_CTLS == VMX_BASIC_TRUE_CTLS);

static int read_msr(u32 msr, u64 *val)
{
	if (rdmsrl_safe(msr, val)) {
		pr_err("cannot read VMX capability MSR 0x%x\n", msr);
		return -EIO;
	}
	return 0;
}

static int read_vmx_msrs(struct xvcpu_vmx_msrs *m)
{
	int r = 0;

	r |= read_msr(MSR_IA32_VMX_BASIC, &m->basic);
	r |= read_msr(MSR_IA32_VMX_PINBASED_CTLS, &m->pinbased);
	r |= read_msr(MSR_IA32_VMX_PROCBASED_CTLS, &m->procbased);
	r |= read_msr(MSR_IA32_VMX_EXIT_CTLS, &m->exit);
	r |= read_msr(MSR_IA32_VMX_ENTRY_CTLS, &m->entry);
	r |= read_msr(MSR_IA32_VMX_MISC, &m->misc);
	r |= read_msr(MSR_IA32_VMX_CR0_FIXED0, &m->cr0_fixed0);
	r |= read_msr(MSR_IA32_VMX_CR0_FIXED1, &m->cr0_fixed1);
	r |= read_msr(MSR_IA32_VMX_CR4_FIXED0, &m->cr4_fixed0);
	r |= read_msr(MSR_IA32_VMX_CR4_FIXED1, &m->cr4_fixed1);
	r |= read_msr(MSR_IA32_VMX_VMCS_ENUM, &m->vmcs_enum);
	if (r)
		return -EIO;

	if (m->basic & VMX_BASIC_TRUE_CTLS) {
		r |= read_msr(MSR_IA32_VMX_TRUE_PINBASED_CTLS,
			      &m->true_pinbased);
		r |= read_msr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
			      &m->true_procbased);
		r |= read_msr(MSR_IA32_VMX_TRUE_EXIT_CTLS, &m->true_exit);
		r |= read_msr(MSR_IA32_VMX_TRUE_ENTRY_CTLS, &m->true_entry);
	}
	/* The optional MSRs exist only when their control may be 1. */
	if ((m->procbased >> 32) & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) {
		r |= read_msr(MSR_IA32_VMX_PROCBASED_CTLS2, &m->procbased2);
		if ((m->procbased2 >> 32) & (SECONDARY_EXEC_ENABLE_EPT |
					     SECONDARY_EXEC_ENABLE_VPID))
			r |= read_msr(MSR_IA32_VMX_EPT_VPID_CAP, &m->ept_vpid);
		if ((m->procbased2 >> 32) & SECONDARY_EXEC_ENABLE_VMFUNC)
			r |= read_msr(MSR_IA32_VMX_VMFUNC, &m->vmfunc);
	}
	if ((m->procbased >> 32) & CPU_BASED_ACTIVATE_TERTIARY_CONTROLS)
		r |= read_msr(MSR_IA32_VMX_PROCBASED_CTLS3, &m->procbased3);
	return r ? -EIO : 0;
}

int __init xvcpu_caps_init(void)
{
	const char *missing;
	u64 feat;
	int r;

	if (!(cpuid_ecx(1) & BIT(5))) {
		pr_err("not loading: this CPU has no VMX (CPUID.1:ECX.VMX=0)\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat)) {
		pr_err("not loading: cannot read IA32_FEATURE_CONTROL\n");
		return -ENODEV;
	}
	if ((feat & FEAT_CTL_LOCKED) &&
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("not loading: VMX is disabled and locked by firmware (IA32_FEATURE_CONTROL=0x%llx); enable VT-x in the firmware setup\n",
		       feat);
		return -EPERM;
	}

	r = read_vmx_msrs(&xvcpu_caps.msrs);
	if (r) {
		pr_err("not loading: VMX capability MSRs are unreadable\n");
		return r;
	}
	if (xvcpu_compute_vmcs_config(&xvcpu_caps.msrs, &xvcpu_caps.cfg,
				      &missing)) {
		pr_err("not loading: this CPU lacks a required VMX feature: %s\n",
		       missing);
		return -EOPNOTSUPP;
	}
	return 0;
}

int xvcpu_caps_check(unsigned long cap)
{
	const struct xvcpu_vmcs_config *cfg = &xvcpu_caps.cfg;

	switch (cap) {
	case XVCPU_CAP_EPT:
	case XVCPU_CAP_VPID:
	case XVCPU_CAP_UNRESTRICTED_GUEST:
	case XVCPU_CAP_USER_MSR_EXITS:
	case XVCPU_CAP_USER_DEBUG_PORT:
	case XVCPU_CAP_STATS_FD:
	case XVCPU_CAP_TRACE_TRIGGERED:
	case XVCPU_CAP_USER_TRACE_EVENTS:
		return 1;	/* required at load, or pure software */
	case XVCPU_CAP_EPT_2M:
		return xvcpu_ept_cap(16);
	case XVCPU_CAP_EPT_1G:
		return xvcpu_ept_cap(17);
	case XVCPU_CAP_EPT_AD:
		return xvcpu_ept_cap(21);
	case XVCPU_CAP_PREEMPTION_TIMER:
		return xvcpu_ctl_allowed(cfg, XVCPU_CTL_PIN, 6) &&
		       xvcpu_ctl_allowed(cfg, XVCPU_CTL_EXIT, 22);
	default:
		return -EINVAL;
	}
}

static const char *const need_names[] = {
	[XVCPU_OPTIONAL] = "optional",
	[XVCPU_REQUIRED] = "required",
	[XVCPU_REPORT] = "unused",
};

/*
 * One line per known bit: "[x]" set in the base controls, "[d]" allowed
 * and set per vCPU when needed, "[a]" allowed but unused, "[ ]" absent.
 */
static void show_field(struct seq_file *m, enum xvcpu_ctl_field f)
{
	const struct xvcpu_vmcs_config *cfg = &xvcpu_caps.cfg;
	unsigned int i;

	seq_printf(m, "%s controls: value 0x%08x allowed0 0x%08x allowed1 0x%08x\n",
		   xvcpu_ctl_field_names[f], cfg->ctl[f], cfg->allowed0[f],
		   cfg->allowed1[f]);
	for (i = 0; i < xvcpu_nr_ctl_bits; i++) {
		const struct xvcpu_ctl_bit *b = &xvcpu_ctl_bits[i];
		const char *mark = "[ ]";

		if (b->field != f)
			continue;
		if (xvcpu_ctl_has(cfg, f, b->bit))
			mark = "[x]";
		else if (xvcpu_ctl_allowed(cfg, f, b->bit))
			mark = b->dynamic && b->need != XVCPU_REPORT ?
			       "[d]" : "[a]";
		seq_printf(m, "  %s %2u %s (%s)\n", mark, b->bit, b->name,
			   need_names[b->need]);
	}
}

void xvcpu_caps_show(struct seq_file *m)
{
	const struct xvcpu_vmx_msrs *msr = &xvcpu_caps.msrs;
	const struct xvcpu_vmcs_config *cfg = &xvcpu_caps.cfg;
	unsigned int i;
	int f;

	seq_printf(m, "vmcs revision: 0x%08x\n", cfg->revision_id);
	seq_printf(m, "vmcs size: %u\n", cfg->vmcs_size);
	seq_printf(m, "true controls: %s\n", cfg->true_msrs ? "yes" : "no");
	seq_printf(m, "ins/outs exit info: %s\n",
		   msr->basic & XVCPU_BASIC_INOUT ? "yes" : "no");
	seq_printf(m, "preemption timer rate: tsc >> %llu\n",
		   msr->misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
	seq_printf(m, "cr3 targets: %llu\n", (msr->misc >> 16) & 0x1ff);
	seq_printf(m, "max vmcs field index: %llu\n",
		   (msr->vmcs_enum >> 1) & 0x1ff);
	seq_printf(m, "cr0 fixed0: 0x%016llx fixed1: 0x%016llx\n",
		   msr->cr0_fixed0, msr->cr0_fixed1);
	seq_printf(m, "cr4 fixed0: 0x%016llx fixed1: 0x%016llx\n",
		   msr->cr4_fixed0, msr->cr4_fixed1);
	for (f = 0; f < XVCPU_CTL_NR; f++)
		show_field(m, f);
	seq_printf(m, "tertiary controls allowed1: 0x%016llx\n",
		   msr->procbased3);
	seq_printf(m, "vm functions: 0x%016llx\n", msr->vmfunc);
	seq_printf(m, "ept/vpid: 0x%016llx\n", msr->ept_vpid);
	for (i = 0; i < xvcpu_nr_ept_bits; i++) {
		const struct xvcpu_ept_bit *b = &xvcpu_ept_bits[i];

		seq_printf(m, "  %s %2u %s (%s)\n",
			   xvcpu_ept_cap(b->bit) ? "[x]" : "[ ]", b->bit,
			   b->name, need_names[b->need]);
	}
	seq_puts(m, "raw msrs:\n");
	seq_printf(m, "  basic 0x%016llx pinbased 0x%016llx procbased 0x%016llx\n",
		   msr->basic, msr->pinbased, msr->procbased);
	seq_printf(m, "  exit 0x%016llx entry 0x%016llx misc 0x%016llx\n",
		   msr->exit, msr->entry, msr->misc);
	seq_printf(m, "  true_pinbased 0x%016llx true_procbased 0x%016llx\n",
		   msr->true_pinbased, msr->true_procbased);
	seq_printf(m, "  true_exit 0x%016llx true_entry 0x%016llx\n",
		   msr->true_exit, msr->true_entry);
	seq_printf(m, "  procbased2 0x%016llx vmcs_enum 0x%016llx\n",
		   msr->procbased2, msr->vmcs_enum);
}
