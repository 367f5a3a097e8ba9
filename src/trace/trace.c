// SPDX-License-Identifier: GPL-2.0
/*
 * The xvcpu tracepoints (trace.h) are instantiated here, with the text
 * xvcpu_regs_diff records.
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

noinline u64 xvcpu_trace_ticks_ns(u64 ticks)
{
	return mul_u64_u32_shr(ticks, (u32)xvcpu_stats_mult,
			       XVCPU_STATS_SHIFT);
}

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

/*
 * Register names padded to 8 bytes, copied whole (the text that follows
 * a name is always longer than the padding, so the copy never passes
 * the end) and advanced by their length: no strlen, no call per piece.
 */
static const struct {
	char s[8];
	u8 len;
} reg_names[XVCPU_TRACE_NR_REGS] = {
	{ "rax", 3 }, { "rcx", 3 }, { "rdx", 3 }, { "rbx", 3 },
	{ "rsp", 3 }, { "rbp", 3 }, { "rsi", 3 }, { "rdi", 3 },
	{ "r8", 2 }, { "r9", 2 }, { "r10", 3 }, { "r11", 3 },
	{ "r12", 3 }, { "r13", 3 }, { "r14", 3 }, { "r15", 3 },
	{ "rip", 3 }, { "rflags", 6 },
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

/*
 * Bytes of xvcpu_regs_diff's text with its NUL: "rax 0x0 -> 0x1f rip
 * 0x... -> 0x..." for the registers in @changed, in encoding order, or
 * "unchanged". Called only while the event is enabled, when it is
 * recorded.
 */
unsigned int xvcpu_trace_regs_diff_len(const struct xvcpu_vcpu *vcpu,
				       u32 changed, const u64 *vmcs)
{
	const u64 *old = vcpu->trace_regs;
	unsigned int len = 0, i;

	if (!changed)
		return sizeof(unchanged);
	for (; changed; changed &= changed - 1) {
		i = __ffs(changed);
		/* "name 0x" old " -> 0x" new, and a space or the NUL */
		len += reg_names[i].len + 3 + hex_len(old[i]) + 6 +
		       hex_len(reg_now(vcpu, i, vmcs)) + 1;
	}
	return len;
}

/*
 * The (old, new) pairs of the registers in @changed into @values, and
 * exactly xvcpu_trace_regs_diff_len() bytes of text into @buf.
 */
void xvcpu_trace_regs_diff_fill(const struct xvcpu_vcpu *vcpu, u32 changed,
				const u64 *vmcs, u64 *values, char *buf)
{
	const u64 *old = vcpu->trace_regs;
	char *p = buf;
	unsigned int i;
	u64 now;

	if (!changed) {
		memcpy(buf, unchanged, sizeof(unchanged));
		return;
	}
	for (; changed; changed &= changed - 1) {
		i = __ffs(changed);
		now = reg_now(vcpu, i, vmcs);
		*values++ = old[i];
		*values++ = now;
		if (p != buf)
			*p++ = ' ';
		memcpy(p, reg_names[i].s, sizeof(reg_names[i].s));
		p += reg_names[i].len;
		memcpy(p, " 0x", 3);
		p = put_hex(p + 3, old[i]);
		memcpy(p, " -> 0x", 6);
		p = put_hex(p + 6, now);
	}
	*p = 0;
}
