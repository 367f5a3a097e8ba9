// SPDX-License-Identifier: GPL-2.0
/*
 * The xvcpu tracepoints (trace.h) are instantiated here, with the text
 * xvcpu_regs_diff records.
 */
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/string.h>

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

static const char unchanged[] = "unchanged";

/* Hex digits of @v without leading zeros, at least one. */
static unsigned int hex_len(u64 v)
{
	return v ? DIV_ROUND_UP(fls64(v), 4) : 1;
}

static char *put_hex(char *p, u64 v)
{
	unsigned int n = hex_len(v), i;

	for (i = n; i-- > 0; v >>= 4)
		p[i] = hex_asc[v & 0xf];
	return p + n;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/*
 * Bytes of xvcpu_regs_diff's text with its NUL: "rax 0x0 -> 0x1f rip
 * 0x... -> 0x..." for the registers in @changed, in encoding order, or
 * "unchanged". Called only while the event is enabled, when it is
 * recorded.
 */
unsigned int xvcpu_trace_regs_diff_len(u32 changed, const u64 *old_regs,
				       const u64 *new_regs)
{
	unsigned int len = 0, i;

	if (!changed)
		return sizeof(unchanged);
	for (i = 0; i < XVCPU_TRACE_NR_REGS; i++) {
		if (!(changed & BIT(i)))
			continue;
		/* "name 0x" old " -> 0x" new, and a space or the NUL */
		len += strlen(reg_names[i]) + 3 + hex_len(old_regs[i]) + 6 +
		       hex_len(new_regs[i]) + 1;
	}
	return len;
}

/* Writes exactly xvcpu_trace_regs_diff_len() bytes into @buf. */
void xvcpu_trace_regs_diff_fmt(char *buf, u32 changed, const u64 *old_regs,
			       const u64 *new_regs)
{
	char *p = buf;
	unsigned int i;

	if (!changed) {
		memcpy(buf, unchanged, sizeof(unchanged));
		return;
	}
	for (i = 0; i < XVCPU_TRACE_NR_REGS; i++) {
		if (!(changed & BIT(i)))
			continue;
		if (p != buf)
			*p++ = ' ';
		p = put_str(p, reg_names[i]);
		p = put_str(p, " 0x");
		p = put_hex(p, old_regs[i]);
		p = put_str(p, " -> 0x");
		p = put_hex(p, new_regs[i]);
	}
	*p = 0;
}
