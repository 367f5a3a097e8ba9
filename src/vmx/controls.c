// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capability MSRs -> VMCS control values (SDM vol. 3D, A.2-A.5).
 *
 * Each 64-bit control capability MSR holds allowed-0 settings in bits
 * 31:0 (a 1 there means the control must be 1) and allowed-1 settings
 * in bits 63:32 (a 0 there means the control must be 0). When
 * IA32_VMX_BASIC[55] is set, the TRUE_* MSRs report the real allowed-0
 * settings of the pin, primary, exit and entry controls, which lets the
 * "default1" bits be cleared; otherwise the plain MSRs must be used and
 * the default1 bits stay set.
 *
 * Pure logic shared with the host unit tests: see controls.h.
 */
#include "controls.h"

#define CTL(f, b, n, d, s) { XVCPU_CTL_##f, b, XVCPU_##n, d, s }

/*
 * Every control bit this module uses or reports. REQUIRED bits make the
 * load fail with the name below when the CPU does not allow them;
 * dynamic bits are checked here but set per vCPU when needed.
 */
const struct xvcpu_ctl_bit xvcpu_ctl_bits[] = {
	CTL(PIN, 0, REQUIRED, 0, "external-interrupt exiting"),
	CTL(PIN, 3, REQUIRED, 0, "NMI exiting"),
	CTL(PIN, 5, OPTIONAL, 0, "virtual NMIs"),
	CTL(PIN, 6, OPTIONAL, 1, "VMX-preemption timer"),
	CTL(PIN, 7, REPORT, 0, "process posted interrupts"),

	CTL(PROC, 2, REQUIRED, 1, "interrupt-window exiting"),
	CTL(PROC, 3, OPTIONAL, 0, "use TSC offsetting"),
	CTL(PROC, 7, REQUIRED, 0, "HLT exiting"),
	CTL(PROC, 9, REPORT, 0, "INVLPG exiting"),
	CTL(PROC, 10, REQUIRED, 0, "MWAIT exiting"),
	CTL(PROC, 11, OPTIONAL, 0, "RDPMC exiting"),
	CTL(PROC, 12, REPORT, 0, "RDTSC exiting"),
	CTL(PROC, 15, REPORT, 0, "CR3-load exiting"),
	CTL(PROC, 16, REPORT, 0, "CR3-store exiting"),
	CTL(PROC, 17, REPORT, 0, "activate tertiary controls"),
	/* Without a TPR shadow, MOV CR8 would reach the host's TPR. */
	CTL(PROC, 19, REQUIRED, 0, "CR8-load exiting"),
	CTL(PROC, 20, REQUIRED, 0, "CR8-store exiting"),
	CTL(PROC, 21, REPORT, 0, "use TPR shadow"),
	CTL(PROC, 22, OPTIONAL, 1, "NMI-window exiting"),
	/* The guest must never touch the host's debug registers. */
	CTL(PROC, 23, REQUIRED, 0, "MOV-DR exiting"),
	/* Every port and every MSR exits: no bitmaps to keep. */
	CTL(PROC, 24, REQUIRED, 0, "unconditional I/O exiting"),
	CTL(PROC, 25, REPORT, 0, "use I/O bitmaps"),
	CTL(PROC, 27, OPTIONAL, 1, "monitor trap flag"),
	CTL(PROC, 28, REPORT, 0, "use MSR bitmaps"),
	CTL(PROC, 29, REQUIRED, 0, "MONITOR exiting"),
	CTL(PROC, 30, REPORT, 0, "PAUSE exiting"),
	CTL(PROC, 31, REQUIRED, 0, "activate secondary controls"),

	CTL(PROC2, 0, REPORT, 0, "virtualize APIC accesses"),
	CTL(PROC2, 1, REQUIRED, 0, "enable EPT"),
	CTL(PROC2, 2, REPORT, 0, "descriptor-table exiting"),
	CTL(PROC2, 3, REPORT, 0, "enable RDTSCP"),
	CTL(PROC2, 4, REPORT, 0, "virtualize x2APIC mode"),
	CTL(PROC2, 5, REQUIRED, 0, "enable VPID"),
	/* WBINVD flushes every cache of the socket: other tenants' time. */
	CTL(PROC2, 6, REQUIRED, 0, "WBINVD exiting"),
	CTL(PROC2, 7, REQUIRED, 0, "unrestricted guest"),
	CTL(PROC2, 8, REPORT, 0, "APIC-register virtualization"),
	CTL(PROC2, 9, REPORT, 0, "virtual-interrupt delivery"),
	CTL(PROC2, 10, REPORT, 0, "PAUSE-loop exiting"),
	CTL(PROC2, 11, REPORT, 0, "RDRAND exiting"),
	CTL(PROC2, 12, REPORT, 0, "enable INVPCID"),
	CTL(PROC2, 13, REPORT, 0, "enable VM functions"),
	CTL(PROC2, 14, REPORT, 0, "VMCS shadowing"),
	CTL(PROC2, 16, REPORT, 0, "RDSEED exiting"),
	CTL(PROC2, 17, REPORT, 0, "enable PML"),
	CTL(PROC2, 18, REPORT, 0, "EPT-violation #VE"),
	CTL(PROC2, 20, REPORT, 0, "enable XSAVES/XRSTORS"),
	CTL(PROC2, 22, REPORT, 0, "mode-based execute control for EPT"),
	CTL(PROC2, 25, REPORT, 0, "use TSC scaling"),

	CTL(EXIT, 2, REQUIRED, 0, "save debug controls"),
	CTL(EXIT, 9, REQUIRED, 0, "host address-space size"),
	CTL(EXIT, 12, REPORT, 0, "load IA32_PERF_GLOBAL_CTRL"),
	CTL(EXIT, 15, REPORT, 0, "acknowledge interrupt on exit"),
	CTL(EXIT, 18, REQUIRED, 0, "save IA32_PAT"),
	CTL(EXIT, 19, REQUIRED, 0, "load IA32_PAT"),
	CTL(EXIT, 20, REQUIRED, 0, "save IA32_EFER"),
	CTL(EXIT, 21, REQUIRED, 0, "load IA32_EFER"),
	CTL(EXIT, 22, OPTIONAL, 1, "save VMX-preemption timer value"),

	CTL(ENTRY, 2, REQUIRED, 0, "load debug controls"),
	CTL(ENTRY, 9, REQUIRED, 1, "IA-32e mode guest"),
	CTL(ENTRY, 13, REPORT, 0, "load IA32_PERF_GLOBAL_CTRL"),
	CTL(ENTRY, 14, REQUIRED, 0, "load IA32_PAT"),
	CTL(ENTRY, 15, REQUIRED, 0, "load IA32_EFER"),
};
const unsigned int xvcpu_nr_ctl_bits = ARRAY_SIZE(xvcpu_ctl_bits);

#define EPT(b, n, s) { b, XVCPU_##n, s }

const struct xvcpu_ept_bit xvcpu_ept_bits[] = {
	EPT(0, REPORT, "EPT execute-only"),
	EPT(6, REQUIRED, "EPT 4-level page walk"),
	EPT(8, REPORT, "EPT uncacheable type"),
	EPT(14, REQUIRED, "EPT write-back type"),
	EPT(16, OPTIONAL, "EPT 2 MiB pages"),
	EPT(17, OPTIONAL, "EPT 1 GiB pages"),
	EPT(20, REQUIRED, "INVEPT"),
	EPT(21, OPTIONAL, "EPT accessed/dirty flags"),
	EPT(22, REPORT, "EPT advanced violation info"),
	EPT(25, REQUIRED, "INVEPT single-context"),
	/* Stale translations of an earlier VMX owner go at VMXON. */
	EPT(26, REQUIRED, "INVEPT all-context"),
	EPT(32, REQUIRED, "INVVPID"),
	EPT(40, REPORT, "INVVPID individual-address"),
	EPT(41, REQUIRED, "INVVPID single-context"),
	EPT(42, REPORT, "INVVPID all-context"),
	EPT(43, REPORT, "INVVPID single-context-retaining-globals"),
};
const unsigned int xvcpu_nr_ept_bits = ARRAY_SIZE(xvcpu_ept_bits);

const char *const xvcpu_ctl_field_names[XVCPU_CTL_NR] = {
	[XVCPU_CTL_PIN] = "pin-based",
	[XVCPU_CTL_PROC] = "primary processor-based",
	[XVCPU_CTL_PROC2] = "secondary processor-based",
	[XVCPU_CTL_EXIT] = "VM-exit",
	[XVCPU_CTL_ENTRY] = "VM-entry",
};

/* Pick the MSR that reports a field's allowed settings. */
static u64 ctl_msr(const struct xvcpu_vmx_msrs *m, bool use_true,
		   enum xvcpu_ctl_field f)
{
	switch (f) {
	case XVCPU_CTL_PIN:
		return use_true ? m->true_pinbased : m->pinbased;
	case XVCPU_CTL_PROC:
		return use_true ? m->true_procbased : m->procbased;
	case XVCPU_CTL_PROC2:
		return m->procbased2;
	case XVCPU_CTL_EXIT:
		return use_true ? m->true_exit : m->exit;
	case XVCPU_CTL_ENTRY:
		return use_true ? m->true_entry : m->entry;
	default:
		return 0;
	}
}

int xvcpu_compute_vmcs_config(const struct xvcpu_vmx_msrs *m,
			      struct xvcpu_vmcs_config *cfg,
			      const char **missing)
{
	bool use_true = m->basic & XVCPU_BASIC_TRUE_CTLS;
	unsigned int i;
	int f;

	*missing = NULL;
	cfg->true_msrs = use_true;
	cfg->revision_id = m->basic & XVCPU_BASIC_REVISION_MASK;
	cfg->vmcs_size = (m->basic >> XVCPU_BASIC_SIZE_SHIFT) &
			 XVCPU_BASIC_SIZE_MASK;
	cfg->ept_vpid = m->ept_vpid;

	if (cfg->vmcs_size == 0 || cfg->vmcs_size > 4096) {
		*missing = "VMCS region of at most 4 KiB";
		return -1;
	}
	if (m->basic & XVCPU_BASIC_32BIT_PA) {
		*missing = "VMX structures above 4 GiB";
		return -1;
	}
	if (((m->basic >> XVCPU_BASIC_MEMTYPE_SHIFT) & 0xf) !=
	    XVCPU_BASIC_MEMTYPE_WB) {
		*missing = "write-back VMCS memory type";
		return -1;
	}

	for (f = 0; f < XVCPU_CTL_NR; f++) {
		u64 msr = ctl_msr(m, use_true, f);

		cfg->allowed0[f] = (u32)msr;
		cfg->allowed1[f] = (u32)(msr >> 32);
		/* The CPU's own must-be-1 bits; a contradicting MSR is broken. */
		if (cfg->allowed0[f] & ~cfg->allowed1[f]) {
			*missing = "consistent VMX control capability MSRs";
			return -1;
		}
		cfg->ctl[f] = cfg->allowed0[f];
	}
	/* Secondary controls exist only if the primary control may be 1. */
	if (!(cfg->allowed1[XVCPU_CTL_PROC] & (1U << XVCPU_PROC_SECONDARY_BIT))) {
		cfg->allowed0[XVCPU_CTL_PROC2] = 0;
		cfg->allowed1[XVCPU_CTL_PROC2] = 0;
		cfg->ctl[XVCPU_CTL_PROC2] = 0;
	}

	for (i = 0; i < xvcpu_nr_ctl_bits; i++) {
		const struct xvcpu_ctl_bit *b = &xvcpu_ctl_bits[i];
		u32 mask = 1U << b->bit;

		if (b->need == XVCPU_REPORT)
			continue;
		if (!(cfg->allowed1[b->field] & mask)) {
			if (b->need == XVCPU_REQUIRED) {
				*missing = b->name;
				return -1;
			}
			continue;
		}
		if (!b->dynamic)
			cfg->ctl[b->field] |= mask;
	}

	for (i = 0; i < xvcpu_nr_ept_bits; i++) {
		const struct xvcpu_ept_bit *b = &xvcpu_ept_bits[i];

		if (b->need == XVCPU_REQUIRED &&
		    !(m->ept_vpid & (1ULL << b->bit))) {
			*missing = b->name;
			return -1;
		}
	}
	return 0;
}
