/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX capabilities of this machine: read once at load, read-only
 * afterwards (no lock needed), shared by every CPU.
 */
#ifndef XVCPU_VMX_CAPS_H
#define XVCPU_VMX_CAPS_H

#include <linux/seq_file.h>
#include "controls.h"

struct xvcpu_caps {
	struct xvcpu_vmx_msrs msrs;	/* raw MSR values (CPU that loaded) */
	struct xvcpu_vmcs_config cfg;	/* computed control values */
};

extern struct xvcpu_caps xvcpu_caps __ro_after_init;

/* Check CPUID/FEATURE_CONTROL and fill xvcpu_caps; logs one line on error. */
int xvcpu_caps_init(void);
/* Answer XVCPU_CHECK_CAP: 1 present, 0 absent, -EINVAL unknown. */
int xvcpu_caps_check(unsigned long cap);
/* The text view (debugfs "caps"). */
void xvcpu_caps_show(struct seq_file *m);

static inline bool xvcpu_ept_cap(unsigned int bit)
{
	return xvcpu_caps.msrs.ept_vpid & BIT_ULL(bit);
}

#endif /* XVCPU_VMX_CAPS_H */
