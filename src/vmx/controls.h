/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX capability MSRs -> VMCS control values.
 *
 * Pure logic: no hardware access, no allocation. Built into the module
 * and, unchanged, into the host unit tests (tests/unit/), so it only
 * uses fixed-width types and the few helpers below.
 */
#ifndef XVCPU_VMX_CONTROLS_H
#define XVCPU_VMX_CONTROLS_H

#include "pure.h"

/* Raw capability MSR values, read once at load (SDM vol. 3D, app. A). */
struct xvcpu_vmx_msrs {
	u64 basic;		/* IA32_VMX_BASIC */
	u64 pinbased;		/* IA32_VMX_PINBASED_CTLS */
	u64 procbased;		/* IA32_VMX_PROCBASED_CTLS */
	u64 exit;		/* IA32_VMX_EXIT_CTLS */
	u64 entry;		/* IA32_VMX_ENTRY_CTLS */
	u64 misc;		/* IA32_VMX_MISC */
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
	u64 vmcs_enum;		/* IA32_VMX_VMCS_ENUM */
	u64 procbased2;		/* 0 when secondary controls are absent */
	u64 ept_vpid;		/* 0 when EPT and VPID are both absent */
	u64 true_pinbased;	/* TRUE_* are 0 unless BASIC[55] */
	u64 true_procbased;
	u64 true_exit;
	u64 true_entry;
	u64 vmfunc;		/* 0 unless secondary VMFUNC is allowed */
	u64 procbased3;		/* 0 unless primary bit 17 is allowed */
};

/* The five 32-bit control fields, in table order. */
enum xvcpu_ctl_field {
	XVCPU_CTL_PIN,
	XVCPU_CTL_PROC,
	XVCPU_CTL_PROC2,
	XVCPU_CTL_EXIT,
	XVCPU_CTL_ENTRY,
	XVCPU_CTL_NR,
};

enum xvcpu_ctl_need {
	XVCPU_OPTIONAL,		/* used when allowed */
	XVCPU_REQUIRED,		/* load fails without it */
	XVCPU_REPORT,		/* shown in the capability view, never used */
};

/* One control bit the module knows by name. */
struct xvcpu_ctl_bit {
	u8 field;		/* enum xvcpu_ctl_field */
	u8 bit;
	u8 need;		/* enum xvcpu_ctl_need */
	u8 dynamic;		/* set per vCPU at run time, not in ctl[] */
	const char *name;
};

/* One EPT/VPID capability bit (IA32_VMX_EPT_VPID_CAP). */
struct xvcpu_ept_bit {
	u8 bit;
	u8 need;
	const char *name;
};

/* The computed configuration: what every VMCS of this module starts with. */
struct xvcpu_vmcs_config {
	u32 ctl[XVCPU_CTL_NR];	/* value to write, fixed bits applied */
	u32 allowed0[XVCPU_CTL_NR];	/* bits the CPU forces to 1 */
	u32 allowed1[XVCPU_CTL_NR];	/* bits the CPU lets be 1 */
	bool true_msrs;		/* BASIC[55]: TRUE_* MSRs were used */
	u32 revision_id;	/* BASIC[30:0] */
	u32 vmcs_size;		/* BASIC[44:32] */
	u64 ept_vpid;
};

extern const struct xvcpu_ctl_bit xvcpu_ctl_bits[];
extern const unsigned int xvcpu_nr_ctl_bits;
extern const struct xvcpu_ept_bit xvcpu_ept_bits[];
extern const unsigned int xvcpu_nr_ept_bits;
extern const char *const xvcpu_ctl_field_names[XVCPU_CTL_NR];

/* Bits of interest, named once here and used by the table and the code. */
#define XVCPU_BASIC_REVISION_MASK	0x7fffffffULL
#define XVCPU_BASIC_SIZE_SHIFT		32
#define XVCPU_BASIC_SIZE_MASK		0x1fffULL
#define XVCPU_BASIC_32BIT_PA		(1ULL << 48)
#define XVCPU_BASIC_MEMTYPE_SHIFT	50
#define XVCPU_BASIC_MEMTYPE_WB		6ULL
#define XVCPU_BASIC_INOUT		(1ULL << 54)
#define XVCPU_BASIC_TRUE_CTLS		(1ULL << 55)

#define XVCPU_PROC_SECONDARY_BIT	31

/*
 * Compute cfg from msrs. Returns 0, or -1 with *missing naming the first
 * required feature the CPU lacks (a string from the tables, never NULL
 * on failure). Does not touch cfg->ctl on failure beyond partial values.
 */
int xvcpu_compute_vmcs_config(const struct xvcpu_vmx_msrs *msrs,
			      struct xvcpu_vmcs_config *cfg,
			      const char **missing);

/* True when bit @bit of control field @field is set in the config. */
static inline bool xvcpu_ctl_has(const struct xvcpu_vmcs_config *cfg,
				 enum xvcpu_ctl_field field, unsigned int bit)
{
	return cfg->ctl[field] & (1U << bit);
}

/* True when the CPU would allow bit @bit of @field to be 1. */
static inline bool xvcpu_ctl_allowed(const struct xvcpu_vmcs_config *cfg,
				     enum xvcpu_ctl_field field,
				     unsigned int bit)
{
	return cfg->allowed1[field] & (1U << bit);
}

#endif /* XVCPU_VMX_CONTROLS_H */
