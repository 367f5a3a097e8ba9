// SPDX-License-Identifier: GPL-2.0
/*
 * The xvcpu tracepoints (trace.h) are instantiated here, with the
 * helpers their TP_fast_assign calls.
 */
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/string.h>

#define CREATE_TRACE_POINTS
#include "trace.h"

DEFINE_STATIC_KEY_FALSE(xvcpu_trace_run);

static_assert(XVCPU_TRACE_KERNEL == 0 && XVCPU_TRACE_USER == 1 &&
	      XVCPU_TRACE_ERROR == 2 && XVCPU_RESUME == 1 && XVCPU_USER == 0);

/* Under the tracepoint's registration mutex, which may sleep. */
int xvcpu_trace_run_reg(void)
{
	static_branch_inc(&xvcpu_trace_run);
	return 0;
}

void xvcpu_trace_run_unreg(void)
{
	static_branch_dec(&xvcpu_trace_run);
}

DEFINE_STATIC_KEY_FALSE(xvcpu_trace_before_entry);
DEFINE_STATIC_KEY_FALSE(xvcpu_trace_after_exit);

int xvcpu_trace_entry_reg(void)
{
	static_branch_inc(&xvcpu_trace_before_entry);
	return xvcpu_trace_run_reg();
}

void xvcpu_trace_entry_unreg(void)
{
	xvcpu_trace_run_unreg();
	static_branch_dec(&xvcpu_trace_before_entry);
}

int xvcpu_trace_cpuid_reg(void)
{
	static_branch_inc(&xvcpu_trace_after_exit);
	return xvcpu_trace_run_reg();
}

void xvcpu_trace_cpuid_unreg(void)
{
	xvcpu_trace_run_unreg();
	static_branch_dec(&xvcpu_trace_after_exit);
}

int xvcpu_trace_regs_diff_reg(void)
{
	static_branch_inc(&xvcpu_trace_before_entry);
	static_branch_inc(&xvcpu_trace_after_exit);
	return xvcpu_trace_run_reg();
}

void xvcpu_trace_regs_diff_unreg(void)
{
	xvcpu_trace_run_unreg();
	static_branch_dec(&xvcpu_trace_after_exit);
	static_branch_dec(&xvcpu_trace_before_entry);
}

/* Register @i at the exit (xvcpu_regs_diff's TP_PROTO). */
static u64 reg_now(const struct xvcpu_vcpu *vcpu, unsigned int i,
		   const u64 *vmcs)
{
	if (i == XR_RSP)
		return vmcs[0];
	if (i >= XVCPU_TRACE_RIP)
		return vmcs[i - XVCPU_TRACE_RIP + 1];
	return vcpu->regs.r[i];
}

/* Bytes of xvcpu_regs_diff's "more": the pairs past the slots. */
unsigned int xvcpu_trace_regs_diff_more(u32 changed)
{
	unsigned int n = hweight32(changed);

	return n > XVCPU_TRACE_DIFF_SLOTS ?
	       (n - XVCPU_TRACE_DIFF_SLOTS) * 2 * sizeof(u64) : 0;
}

/*
 * The registers in @changed, in encoding order: the first ones in the
 * slots (their number, old and new value; unused slots 0xff, 0, 0), the
 * rest in more_regs and, as (old, new) pairs, in @more.
 */
void xvcpu_trace_regs_diff_fill(const struct xvcpu_vcpu *vcpu, u32 changed,
				const u64 *vmcs,
				struct trace_event_raw_xvcpu_regs_diff *entry,
				u64 *more)
{
	const u64 *old = vcpu->trace_regs;
	unsigned int i, k = 0;

	entry->more_regs = 0;
	for (; changed; changed &= changed - 1) {
		i = __ffs(changed);
		if (k == XVCPU_TRACE_DIFF_SLOTS) {
			entry->more_regs |= BIT(i);
			*more++ = old[i];
			*more++ = reg_now(vcpu, i, vmcs);
			continue;
		}
		entry->reg[k] = i;
		entry->old[k] = old[i];
		entry->new[k] = reg_now(vcpu, i, vmcs);
		k++;
	}
	entry->n = k + hweight32(entry->more_regs);
	for (; k < XVCPU_TRACE_DIFF_SLOTS; k++) {
		entry->reg[k] = 0xff;
		entry->old[k] = 0;
		entry->new[k] = 0;
	}
}
