// SPDX-License-Identifier: GPL-2.0
/*
 * The xvcpu tracepoints (trace.h) are instantiated here, with the one
 * output helper their TP_printk formats need.
 */
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/trace_seq.h>

#define CREATE_TRACE_POINTS
#include "trace.h"

DEFINE_STATIC_KEY_FALSE(xvcpu_trace_run);

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

static const char *const reg_names[XVCPU_TRACE_NR_REGS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "rflags",
};

/*
 * xvcpu_regs_diff's text: "rax 0x0 -> 0x1f rip 0x... -> 0x..." for the
 * registers in @changed, in encoding order, or "unchanged".
 */
const char *xvcpu_trace_regs_diff(struct trace_seq *p, u32 changed,
				  const u64 *old_regs, const u64 *new_regs)
{
	const char *ret = trace_seq_buffer_ptr(p);
	const char *sep = "";
	unsigned int i;

	if (!changed)
		trace_seq_puts(p, "unchanged");
	for (i = 0; i < XVCPU_TRACE_NR_REGS; i++) {
		if (!(changed & BIT(i)))
			continue;
		trace_seq_printf(p, "%s%s 0x%llx -> 0x%llx", sep, reg_names[i],
				 old_regs[i], new_regs[i]);
		sep = " ";
	}
	trace_seq_putc(p, 0);
	return ret;
}
