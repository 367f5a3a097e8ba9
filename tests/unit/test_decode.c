// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: MMIO instruction decoder and the register semantics
 * of completed loads and stores.
 *
 * Every byte sequence was produced by GNU as (.code16/.code32/.code64)
 * and checked with objdump, except the few marked "by hand" that the
 * assembler would not emit (redundant or misplaced prefixes, REX.W
 * with 66, unknown forms).
 */
#include "decode.h"
#include "unit.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	LOAD = XVCPU_MMIO_LOAD,
	STORE = XVCPU_MMIO_STORE,
	IMM = XVCPU_MMIO_STORE_IMM,
};

static int decode(const u8 *b, unsigned int n, unsigned int mode,
		  struct xvcpu_mmio_insn *in)
{
	/* Poison, so that a field the decoder forgets to set shows up. */
	memset(in, 0xa5, sizeof(*in));
	return xvcpu_decode_mmio(b, n, mode, in);
}

#define DECODE(mode, ...)						\
	({								\
		static const u8 b_[] = { __VA_ARGS__ };			\
		decode(b_, sizeof(b_), mode, &in);			\
	})

/* Compare every field against an expected value; unnamed fields are 0. */
#define EXPECT_INSN(got, ...)						\
	expect_insn(unit_failed, __LINE__, &(got),			\
		    &(struct xvcpu_mmio_insn){ __VA_ARGS__ })

static void print_insn(int line, const char *what,
		       const struct xvcpu_mmio_insn *in)
{
	printf("# %s:%d: %s len %u op %u size %u reg %u high8 %d", __FILE__,
	       line, what, in->len, in->op, in->size, in->reg, in->high8);
	printf(" dst %u sx %d imm 0x%" PRIx64 "\n", in->dst_size,
	       in->sign_extend, (uint64_t)in->imm);
}

static void expect_insn(int *unit_failed, int line,
			const struct xvcpu_mmio_insn *g,
			const struct xvcpu_mmio_insn *e)
{
	if (g->len == e->len && g->op == e->op && g->size == e->size &&
	    g->reg == e->reg && g->high8 == e->high8 &&
	    g->dst_size == e->dst_size && g->sign_extend == e->sign_extend &&
	    g->imm == e->imm)
		return;
	print_insn(line, "got", g);
	print_insn(line, "want", e);
	*unit_failed = 1;
}

/* ---- 64-bit mode ---- */

UNIT_TEST(mov_store_load_64)
{
	struct xvcpu_mmio_insn in;

	/* mov %eax,(%rdi) */
	EXPECT_EQ(DECODE(64, 0x89, 0x07), 0);
	EXPECT_INSN(in, .len = 2, .op = STORE, .size = 4, .reg = 0);
	/* mov (%rsi),%rax */
	EXPECT_EQ(DECODE(64, 0x48, 0x8b, 0x06), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 8, .reg = 0,
		    .dst_size = 8);
	/* mov %cl,(%rbx) */
	EXPECT_EQ(DECODE(64, 0x88, 0x0b), 0);
	EXPECT_INSN(in, .len = 2, .op = STORE, .size = 1, .reg = 1);
	/* mov %ax,(%rdi) */
	EXPECT_EQ(DECODE(64, 0x66, 0x89, 0x07), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 2, .reg = 0);
}

UNIT_TEST(high_byte_registers)
{
	struct xvcpu_mmio_insn in;

	/* mov %ah,(%rbx) */
	EXPECT_EQ(DECODE(64, 0x88, 0x23), 0);
	EXPECT_INSN(in, .len = 2, .op = STORE, .size = 1, .reg = 0,
		    .high8 = true);
	/* mov (%rbx),%bh */
	EXPECT_EQ(DECODE(64, 0x8a, 0x3b), 0);
	EXPECT_INSN(in, .len = 2, .op = LOAD, .size = 1, .reg = 3,
		    .high8 = true, .dst_size = 1);
	/* .code32: mov %dh,0x4(%eax) */
	EXPECT_EQ(DECODE(32, 0x88, 0x70, 0x04), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 1, .reg = 2,
		    .high8 = true);
	/* .code16: mov %ah,-0x2(%bx) */
	EXPECT_EQ(DECODE(16, 0x88, 0x67, 0xfe), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 1, .reg = 0,
		    .high8 = true);
}

UNIT_TEST(rex_selects_low_byte_registers)
{
	struct xvcpu_mmio_insn in;

	/* mov %sil,(%rax): a bare REX (40) turns DH's slot into SIL */
	EXPECT_EQ(DECODE(64, 0x40, 0x88, 0x30), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 1, .reg = 6);
	/* mov (%rsp),%spl */
	EXPECT_EQ(DECODE(64, 0x40, 0x8a, 0x24, 0x24), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 1, .reg = 4,
		    .dst_size = 1);
	/* mov %r8b,(%r8) */
	EXPECT_EQ(DECODE(64, 0x45, 0x88, 0x00), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 1, .reg = 8);
}

UNIT_TEST(rex_r_and_b_extended_registers)
{
	struct xvcpu_mmio_insn in;

	/* mov %r9d,(%r12): REX.B base r12 still needs a SIB byte */
	EXPECT_EQ(DECODE(64, 0x45, 0x89, 0x0c, 0x24), 0);
	EXPECT_INSN(in, .len = 4, .op = STORE, .size = 4, .reg = 9);
	/* mov 0x10(%r13),%r15 */
	EXPECT_EQ(DECODE(64, 0x4d, 0x8b, 0x7d, 0x10), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 8, .reg = 15,
		    .dst_size = 8);
	/*
	 * By hand: mov (%r13),%rax as mod=00 rm=101 with REX.B. That is
	 * RIP-relative, not r13: disp32 follows regardless of REX.B.
	 */
	EXPECT_EQ(DECODE(64, 0x49, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00), 0);
	EXPECT_INSN(in, .len = 7, .op = LOAD, .size = 8, .reg = 0,
		    .dst_size = 8);
}

UNIT_TEST(sib_and_displacements_64)
{
	struct xvcpu_mmio_insn in;

	/* mov %edx,0x12345678(%rax,%rbx,4) */
	EXPECT_EQ(DECODE(64, 0x89, 0x94, 0x98, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 7, .op = STORE, .size = 4, .reg = 2);
	/* mov %fs:0x10,%rax: SIB with no base and no index -> disp32 */
	EXPECT_EQ(DECODE(64, 0x64, 0x48, 0x8b, 0x04, 0x25,
			 0x10, 0x00, 0x00, 0x00), 0);
	EXPECT_INSN(in, .len = 9, .op = LOAD, .size = 8, .reg = 0,
		    .dst_size = 8);
	/*
	 * By hand: mov %rax,0x4030201(,%r13,1) (4b 89 04 2d): SIB
	 * base=101 with REX.B and mod=00 is still "no base, disp32".
	 */
	EXPECT_EQ(DECODE(64, 0x4b, 0x89, 0x04, 0x2d, 1, 2, 3, 4), 0);
	EXPECT_INSN(in, .len = 8, .op = STORE, .size = 8, .reg = 0);
	/* movb $0x7f,0x11223344(%rsp) */
	EXPECT_EQ(DECODE(64, 0xc6, 0x84, 0x24, 0x44, 0x33, 0x22, 0x11,
			 0x7f), 0);
	EXPECT_INSN(in, .len = 8, .op = IMM, .size = 1, .imm = 0x7f);
	/* movswl -0x80(%rbp),%r11d */
	EXPECT_EQ(DECODE(64, 0x44, 0x0f, 0xbf, 0x5d, 0x80), 0);
	EXPECT_INSN(in, .len = 5, .op = LOAD, .size = 2, .reg = 11,
		    .dst_size = 4, .sign_extend = true);
}

UNIT_TEST(rip_relative)
{
	struct xvcpu_mmio_insn in;

	/* mov 0x1234(%rip),%ecx */
	EXPECT_EQ(DECODE(64, 0x8b, 0x0d, 0x34, 0x12, 0x00, 0x00), 0);
	EXPECT_INSN(in, .len = 6, .op = LOAD, .size = 4, .reg = 1,
		    .dst_size = 4);
	/* mov 0x100(%eip),%r10b: 67 keeps the disp32 */
	EXPECT_EQ(DECODE(64, 0x67, 0x44, 0x8a, 0x15,
			 0x00, 0x01, 0x00, 0x00), 0);
	EXPECT_INSN(in, .len = 8, .op = LOAD, .size = 1, .reg = 10,
		    .dst_size = 1);
}

UNIT_TEST(operand_size_rex_w_beats_66)
{
	struct xvcpu_mmio_insn in;

	/* By hand: data16 REX.W mov %rax,(%rdi) is a 64-bit store */
	EXPECT_EQ(DECODE(64, 0x66, 0x48, 0x89, 0x07), 0);
	EXPECT_INSN(in, .len = 4, .op = STORE, .size = 8, .reg = 0);
	/* By hand: 66 on a byte operation changes nothing */
	EXPECT_EQ(DECODE(64, 0x66, 0x88, 0x07), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 1, .reg = 0);
}

UNIT_TEST(rex_before_legacy_prefix_is_ignored)
{
	struct xvcpu_mmio_insn in;

	/* By hand: 48 66 89 07: REX.W does not reach the opcode -> 16 bit */
	EXPECT_EQ(DECODE(64, 0x48, 0x66, 0x89, 0x07), 0);
	EXPECT_INSN(in, .len = 4, .op = STORE, .size = 2, .reg = 0);
	/* By hand: 40 2e 88 27: with the REX dropped, reg 4 is AH again */
	EXPECT_EQ(DECODE(64, 0x40, 0x2e, 0x88, 0x27), 0);
	EXPECT_INSN(in, .len = 4, .op = STORE, .size = 1, .reg = 0,
		    .high8 = true);
	/* By hand: 41 4c 8b 07: only the last REX counts (REX.WR) */
	EXPECT_EQ(DECODE(64, 0x41, 0x4c, 0x8b, 0x07), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 8, .reg = 8,
		    .dst_size = 8);
}

UNIT_TEST(mov_imm_forms_64)
{
	struct xvcpu_mmio_insn in;

	/* movb $0x5a,0x8(%rdi) */
	EXPECT_EQ(DECODE(64, 0xc6, 0x47, 0x08, 0x5a), 0);
	EXPECT_INSN(in, .len = 4, .op = IMM, .size = 1, .imm = 0x5a);
	/* movq $-2,(%rax): imm32 sign-extended to 64 bits */
	EXPECT_EQ(DECODE(64, 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff), 0);
	EXPECT_INSN(in, .len = 7, .op = IMM, .size = 8,
		    .imm = 0xfffffffffffffffeULL);
	/* By hand: movq $0x7fffffff,(%rax): positive stays positive */
	EXPECT_EQ(DECODE(64, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f), 0);
	EXPECT_INSN(in, .len = 7, .op = IMM, .size = 8, .imm = 0x7fffffff);
	/* movw $0x1234,(%rax): imm16 */
	EXPECT_EQ(DECODE(64, 0x66, 0xc7, 0x00, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 5, .op = IMM, .size = 2, .imm = 0x1234);
	/* movl $0x80000000,(%rcx): no sign extension for 32-bit stores */
	EXPECT_EQ(DECODE(64, 0xc7, 0x01, 0x00, 0x00, 0x00, 0x80), 0);
	EXPECT_INSN(in, .len = 6, .op = IMM, .size = 4, .imm = 0x80000000);
}

UNIT_TEST(movzx_movsx_movsxd_64)
{
	struct xvcpu_mmio_insn in;

	/* movzbl (%rdi),%eax */
	EXPECT_EQ(DECODE(64, 0x0f, 0xb6, 0x07), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 1, .reg = 0,
		    .dst_size = 4);
	/* movzwq (%rdi),%r8 */
	EXPECT_EQ(DECODE(64, 0x4c, 0x0f, 0xb7, 0x07), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 2, .reg = 8,
		    .dst_size = 8);
	/* movsbw (%rsi),%dx */
	EXPECT_EQ(DECODE(64, 0x66, 0x0f, 0xbe, 0x16), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 1, .reg = 2,
		    .dst_size = 2, .sign_extend = true);
	/* movsbq 0x1(%r14,%r15,8),%r12 */
	EXPECT_EQ(DECODE(64, 0x4f, 0x0f, 0xbe, 0x64, 0xfe, 0x01), 0);
	EXPECT_INSN(in, .len = 6, .op = LOAD, .size = 1, .reg = 12,
		    .dst_size = 8, .sign_extend = true);
	/* movslq (%rdx),%rcx */
	EXPECT_EQ(DECODE(64, 0x48, 0x63, 0x0a), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 4, .reg = 1,
		    .dst_size = 8, .sign_extend = true);
}

UNIT_TEST(movzx_byte_destination_is_never_high8)
{
	struct xvcpu_mmio_insn in;

	/* By hand: movzbl (%rax),%esp: reg 4 is ESP, not AH */
	EXPECT_EQ(DECODE(64, 0x0f, 0xb6, 0x20), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 1, .reg = 4,
		    .dst_size = 4);
}

UNIT_TEST(movsxd_needs_rex_w)
{
	struct xvcpu_mmio_insn in;

	/* By hand: 63 0a without REX.W (32-bit MOVSXD) is left unknown */
	EXPECT_EQ(DECODE(64, 0x63, 0x0a), -1);
	/* .code32: 63 0a is ARPL %cx,(%edx) */
	EXPECT_EQ(DECODE(32, 0x63, 0x0a), -1);
	/* By hand: REX.W dropped by a following 66 -> not MOVSXD */
	EXPECT_EQ(DECODE(64, 0x48, 0x66, 0x63, 0x0a), -1);
}

UNIT_TEST(moffs_64)
{
	struct xvcpu_mmio_insn in;

	/* movabs 0x1122334455667788,%eax: 8-byte offset */
	EXPECT_EQ(DECODE(64, 0xa1, 0x88, 0x77, 0x66, 0x55,
			 0x44, 0x33, 0x22, 0x11), 0);
	EXPECT_INSN(in, .len = 9, .op = LOAD, .size = 4, .reg = 0,
		    .dst_size = 4);
	/* movabs %al,0x1122334455667788 */
	EXPECT_EQ(DECODE(64, 0xa2, 0x88, 0x77, 0x66, 0x55,
			 0x44, 0x33, 0x22, 0x11), 0);
	EXPECT_INSN(in, .len = 9, .op = STORE, .size = 1, .reg = 0);
	/* By hand: movabs %rax,0x1122334455667788 (REX.W a3) */
	EXPECT_EQ(DECODE(64, 0x48, 0xa3, 0x88, 0x77, 0x66, 0x55,
			 0x44, 0x33, 0x22, 0x11), 0);
	EXPECT_INSN(in, .len = 10, .op = STORE, .size = 8, .reg = 0);
	/* addr32 mov 0x12345678,%al: 67 makes the offset 4 bytes */
	EXPECT_EQ(DECODE(64, 0x67, 0xa0, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 6, .op = LOAD, .size = 1, .reg = 0,
		    .dst_size = 1);
}

UNIT_TEST(addr32_prefix_64)
{
	struct xvcpu_mmio_insn in;

	/* mov %eax,(%edi) */
	EXPECT_EQ(DECODE(64, 0x67, 0x89, 0x07), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 4, .reg = 0);
	/* mov %gs:(%rax),%bl */
	EXPECT_EQ(DECODE(64, 0x65, 0x8a, 0x18), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 1, .reg = 3,
		    .dst_size = 1);
}

/* ---- 32-bit mode ---- */

UNIT_TEST(mode32_forms)
{
	struct xvcpu_mmio_insn in;

	/* mov 0x10(%esp),%eax */
	EXPECT_EQ(DECODE(32, 0x8b, 0x44, 0x24, 0x10), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 4, .reg = 0,
		    .dst_size = 4);
	/* mov %ecx,0x12345678: mod=00 rm=101 is absolute here */
	EXPECT_EQ(DECODE(32, 0x89, 0x0d, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 6, .op = STORE, .size = 4, .reg = 1);
	/* mov %eax,0x12345678(,%eax,1) */
	EXPECT_EQ(DECODE(32, 0x89, 0x04, 0x05, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 7, .op = STORE, .size = 4, .reg = 0);
	/* mov 0x5(%esp,%esi,1),%ch */
	EXPECT_EQ(DECODE(32, 0x8a, 0x6c, 0x34, 0x05), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 1, .reg = 1,
		    .high8 = true, .dst_size = 1);
	/* mov %es:(%edi),%cl */
	EXPECT_EQ(DECODE(32, 0x26, 0x8a, 0x0f), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 1, .reg = 1,
		    .dst_size = 1);
	/* movl $0xdeadbeef,0x40(%ebx,%ecx,2) */
	EXPECT_EQ(DECODE(32, 0xc7, 0x44, 0x4b, 0x40,
			 0xef, 0xbe, 0xad, 0xde), 0);
	EXPECT_INSN(in, .len = 8, .op = IMM, .size = 4, .imm = 0xdeadbeef);
	/* movw $0x1234,(%edi) */
	EXPECT_EQ(DECODE(32, 0x66, 0xc7, 0x07, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 5, .op = IMM, .size = 2, .imm = 0x1234);
	/* movzbw (%esi),%ax */
	EXPECT_EQ(DECODE(32, 0x66, 0x0f, 0xb6, 0x06), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 1, .reg = 0,
		    .dst_size = 2);
	/* movsbl 0x7f(%ebp),%edx */
	EXPECT_EQ(DECODE(32, 0x0f, 0xbe, 0x55, 0x7f), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 1, .reg = 2,
		    .dst_size = 4, .sign_extend = true);
}

UNIT_TEST(mode32_addr16_prefix)
{
	struct xvcpu_mmio_insn in;

	/* addr16 mov %eax,(%bx) */
	EXPECT_EQ(DECODE(32, 0x67, 0x89, 0x07), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 4, .reg = 0);
	/* movw $0x1234,%ds:0x100(%bp,%si): all three prefixes, disp16 */
	EXPECT_EQ(DECODE(32, 0x3e, 0x67, 0x66, 0xc7, 0x82,
			 0x00, 0x01, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 9, .op = IMM, .size = 2, .imm = 0x1234);
}

UNIT_TEST(moffs_32)
{
	struct xvcpu_mmio_insn in;

	/* mov %eax,0x12345678 */
	EXPECT_EQ(DECODE(32, 0xa3, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 5, .op = STORE, .size = 4, .reg = 0);
	/* mov %ax,0x12345678 */
	EXPECT_EQ(DECODE(32, 0x66, 0xa3, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 6, .op = STORE, .size = 2, .reg = 0);
	/* addr16 mov 0x1234,%eax: 2-byte offset */
	EXPECT_EQ(DECODE(32, 0x67, 0xa1, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 4, .reg = 0,
		    .dst_size = 4);
}

UNIT_TEST(rex_bytes_are_inc_dec_outside_64bit)
{
	struct xvcpu_mmio_insn in;

	/* 48 89 07 is "dec %eax; mov %eax,(%edi)" in 32-bit mode */
	EXPECT_EQ(DECODE(32, 0x48, 0x89, 0x07), -1);
	EXPECT_EQ(DECODE(16, 0x40, 0x89, 0x07), -1);
	/* The same bytes are one MOV in 64-bit mode */
	EXPECT_EQ(DECODE(64, 0x48, 0x89, 0x07), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 8, .reg = 0);
}

/* ---- 16-bit mode ---- */

UNIT_TEST(mode16_modrm_table)
{
	struct xvcpu_mmio_insn in;

	/* mov %ax,(%bx,%si) */
	EXPECT_EQ(DECODE(16, 0x89, 0x00), 0);
	EXPECT_INSN(in, .len = 2, .op = STORE, .size = 2, .reg = 0);
	/* mov %cx,0x1234: mod=00 rm=110 is disp16, not [bp] */
	EXPECT_EQ(DECODE(16, 0x89, 0x0e, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 4, .op = STORE, .size = 2, .reg = 1);
	/* mov 0x12(%bp),%cx */
	EXPECT_EQ(DECODE(16, 0x8b, 0x4e, 0x12), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 2, .reg = 1,
		    .dst_size = 2);
	/* mov 0x1234(%bp,%di),%dl */
	EXPECT_EQ(DECODE(16, 0x8a, 0x93, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 1, .reg = 2,
		    .dst_size = 1);
	/* mov %cs:(%bx,%di),%si */
	EXPECT_EQ(DECODE(16, 0x2e, 0x8b, 0x31), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 2, .reg = 6,
		    .dst_size = 2);
	/* By hand: mov %si,(%bx) as 89 37 (rm=111, no disp) */
	EXPECT_EQ(DECODE(16, 0x89, 0x37), 0);
	EXPECT_INSN(in, .len = 2, .op = STORE, .size = 2, .reg = 6);
}

UNIT_TEST(mode16_operand_size_and_imm)
{
	struct xvcpu_mmio_insn in;

	/* mov (%si),%eax: 66 selects 32 bits in 16-bit mode */
	EXPECT_EQ(DECODE(16, 0x66, 0x8b, 0x04), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 4, .reg = 0,
		    .dst_size = 4);
	/* movw $0x1234,(%di) */
	EXPECT_EQ(DECODE(16, 0xc7, 0x05, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 4, .op = IMM, .size = 2, .imm = 0x1234);
	/* movl $0x12345678,(%di) */
	EXPECT_EQ(DECODE(16, 0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 7, .op = IMM, .size = 4, .imm = 0x12345678);
	/* movb $0x80,0x1234 */
	EXPECT_EQ(DECODE(16, 0xc6, 0x06, 0x34, 0x12, 0x80), 0);
	EXPECT_INSN(in, .len = 5, .op = IMM, .size = 1, .imm = 0x80);
	/* movzbw (%bx),%ax */
	EXPECT_EQ(DECODE(16, 0x0f, 0xb6, 0x07), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 1, .reg = 0,
		    .dst_size = 2);
	/* movswl %ss:0x0(%bp),%edx */
	EXPECT_EQ(DECODE(16, 0x66, 0x0f, 0xbf, 0x56, 0x00), 0);
	EXPECT_INSN(in, .len = 5, .op = LOAD, .size = 2, .reg = 2,
		    .dst_size = 4, .sign_extend = true);
}

UNIT_TEST(mode16_addr32_prefix)
{
	struct xvcpu_mmio_insn in;

	/* addr32 mov %eax,(%eax,%ebx,4): 32-bit ModRM with SIB */
	EXPECT_EQ(DECODE(16, 0x67, 0x66, 0x89, 0x04, 0x98), 0);
	EXPECT_INSN(in, .len = 5, .op = STORE, .size = 4, .reg = 0);
	/* By hand: addr32 mov %ax,0x12345678 via 89 05 disp32 */
	EXPECT_EQ(DECODE(16, 0x67, 0x89, 0x05, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 7, .op = STORE, .size = 2, .reg = 0);
}

UNIT_TEST(moffs_16)
{
	struct xvcpu_mmio_insn in;

	/* mov 0x1234,%ax */
	EXPECT_EQ(DECODE(16, 0xa1, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 3, .op = LOAD, .size = 2, .reg = 0,
		    .dst_size = 2);
	/* mov 0x1234,%eax */
	EXPECT_EQ(DECODE(16, 0x66, 0xa1, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 4, .op = LOAD, .size = 4, .reg = 0,
		    .dst_size = 4);
	/* addr32 mov 0x12345678,%ax */
	EXPECT_EQ(DECODE(16, 0x67, 0xa1, 0x78, 0x56, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 6, .op = LOAD, .size = 2, .reg = 0,
		    .dst_size = 2);
	/* mov %ax,0x1234 */
	EXPECT_EQ(DECODE(16, 0xa3, 0x34, 0x12), 0);
	EXPECT_INSN(in, .len = 3, .op = STORE, .size = 2, .reg = 0);
}

/* ---- rejection ---- */

UNIT_TEST(register_operands_rejected)
{
	struct xvcpu_mmio_insn in;

	EXPECT_EQ(DECODE(64, 0x89, 0xc0), -1);		/* mov %eax,%eax */
	EXPECT_EQ(DECODE(64, 0x8a, 0xe3), -1);		/* mov %bl,%ah */
	EXPECT_EQ(DECODE(64, 0x0f, 0xb6, 0xc1), -1);	/* movzbl %cl,%eax */
	EXPECT_EQ(DECODE(64, 0xc7, 0xc0, 1, 0, 0, 0), -1); /* mov $1,%eax */
	EXPECT_EQ(DECODE(16, 0x8b, 0xc3), -1);		/* mov %bx,%ax */
}

UNIT_TEST(lock_and_rep_rejected)
{
	struct xvcpu_mmio_insn in;

	EXPECT_EQ(DECODE(64, 0xf0, 0x89, 0x07), -1);
	EXPECT_EQ(DECODE(64, 0xf2, 0x89, 0x07), -1);
	EXPECT_EQ(DECODE(64, 0xf3, 0x89, 0x07), -1);
	EXPECT_EQ(DECODE(32, 0x66, 0xf3, 0x8b, 0x07), -1);
}

UNIT_TEST(unknown_opcodes_rejected)
{
	struct xvcpu_mmio_insn in;

	EXPECT_EQ(DECODE(64, 0x01, 0x07), -1);		/* add %eax,(%rdi) */
	EXPECT_EQ(DECODE(64, 0xff, 0x07), -1);		/* incl (%rdi) */
	EXPECT_EQ(DECODE(64, 0x0f, 0xb8, 0x07), -1);	/* 0f b8: POPCNT only with f3 */
	EXPECT_EQ(DECODE(64, 0x0f, 0x38, 0xf0, 0x07), -1); /* movbe */
	EXPECT_EQ(DECODE(64, 0xc5, 0xf8, 0x11, 0x07), -1); /* vmovups */
	EXPECT_EQ(DECODE(64, 0xa4), -1);		/* movsb */
	/* C6/C7 with reg != 0 are not MOV */
	EXPECT_EQ(DECODE(64, 0xc6, 0x0f, 0x12), -1);
	EXPECT_EQ(DECODE(64, 0xc7, 0x3f, 1, 2, 3, 4), -1);
	/* a bad mode */
	EXPECT_EQ(DECODE(8, 0x89, 0x07), -1);
	EXPECT_EQ(DECODE(0, 0x89, 0x07), -1);
}

UNIT_TEST(truncation_rejected)
{
	static const struct {
		unsigned int mode, len;
		u8 b[XVCPU_INSN_MAX_LEN];
	} v[] = {
		{ 64, 2, { 0x89, 0x07 } },
		{ 64, 9, { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0 } },
		{ 64, 10, { 0x48, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8 } },
		{ 64, 8, { 0xc6, 0x84, 0x24, 0x44, 0x33, 0x22, 0x11, 0x7f } },
		{ 64, 7, { 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff } },
		{ 64, 6, { 0x4f, 0x0f, 0xbe, 0x64, 0xfe, 0x01 } },
		{ 32, 9, { 0x3e, 0x67, 0x66, 0xc7, 0x82, 0, 1, 0x34, 0x12 } },
		{ 16, 7, { 0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12 } },
		{ 16, 6, { 0x67, 0xa1, 0x78, 0x56, 0x34, 0x12 } },
	};
	struct xvcpu_mmio_insn in;
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		EXPECT_EQ(decode(v[i].b, v[i].len, v[i].mode, &in), 0);
		EXPECT_EQ(in.len, v[i].len);
		/* Extra bytes after the instruction are not consumed. */
		EXPECT_EQ(decode(v[i].b, XVCPU_INSN_MAX_LEN, v[i].mode, &in),
			  0);
		EXPECT_EQ(in.len, v[i].len);
		for (n = 0; n < v[i].len; n++)
			EXPECT_EQ(decode(v[i].b, n, v[i].mode, &in), -1);
	}
}

UNIT_TEST(fifteen_byte_limit)
{
	u8 b[20];
	struct xvcpu_mmio_insn in;

	/* 13 redundant 66 prefixes + 89 07 = 15 bytes: still valid */
	memset(b, 0x66, sizeof(b));
	b[13] = 0x89;
	b[14] = 0x07;
	EXPECT_EQ(decode(b, sizeof(b), 64, &in), 0);
	EXPECT_INSN(in, .len = 15, .op = STORE, .size = 2, .reg = 0);
	/* 14 prefixes: 16 bytes, the CPU raises #GP */
	memset(b, 0x66, sizeof(b));
	b[14] = 0x89;
	b[15] = 0x07;
	EXPECT_EQ(decode(b, sizeof(b), 64, &in), -1);
	/* Only prefixes: never reaches an opcode */
	memset(b, 0x2e, sizeof(b));
	EXPECT_EQ(decode(b, sizeof(b), 32, &in), -1);
}

/* ---- register semantics ---- */

#define OLD 0x1122334455667788ULL

UNIT_TEST(load_result_plain_mov)
{
	struct xvcpu_mmio_insn in;

	/* mov (%rbx),%bl keeps bits 63:8 */
	EXPECT_EQ(DECODE(64, 0x8a, 0x1b), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xabcdef, 64),
		  0x11223344556677efULL);
	/* mov (%rbx),%bh writes bits 15:8 only */
	EXPECT_EQ(DECODE(64, 0x8a, 0x3b), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xabcdef, 64),
		  0x112233445566ef88ULL);
	/* 16-bit load keeps bits 63:16 */
	EXPECT_EQ(DECODE(64, 0x66, 0x8b, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xabcdef, 64),
		  0x112233445566cdefULL);
	/* 32-bit load zero-extends in 64-bit mode */
	EXPECT_EQ(DECODE(64, 0x8b, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xfedcba9876543210ULL, 64),
		  0x76543210ULL);
	/* ...and leaves the invisible upper half alone in 32-bit mode */
	EXPECT_EQ(DECODE(32, 0x8b, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xfedcba9876543210ULL, 32),
		  0x1122334476543210ULL);
	/* 64-bit load replaces everything */
	EXPECT_EQ(DECODE(64, 0x48, 0x8b, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xfedcba9876543210ULL, 64),
		  0xfedcba9876543210ULL);
}

UNIT_TEST(load_result_extensions)
{
	struct xvcpu_mmio_insn in;

	/* movzbl: byte zero-extended, upper half cleared */
	EXPECT_EQ(DECODE(64, 0x0f, 0xb6, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xff80, 64), 0x80);
	/* movsbl: sign-extended to 32, then zero-extended to 64 */
	EXPECT_EQ(DECODE(64, 0x0f, 0xbe, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0x80, 64), 0xffffff80ULL);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0x7f, 64), 0x7f);
	/* movsbw (%rsi),%dx: only 16 bits written */
	EXPECT_EQ(DECODE(64, 0x66, 0x0f, 0xbe, 0x16), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xfe, 64),
		  0x112233445566fffeULL);
	/* movsbq: sign-extended to 64 */
	EXPECT_EQ(DECODE(64, 0x4f, 0x0f, 0xbe, 0x64, 0xfe, 0x01), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0x81, 64),
		  0xffffffffffffff81ULL);
	/* movswq via REX.W 0f bf */
	EXPECT_EQ(DECODE(64, 0x48, 0x0f, 0xbf, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0x8000, 64),
		  0xffffffffffff8000ULL);
	/* movzwq: zero-extended to 64 */
	EXPECT_EQ(DECODE(64, 0x4c, 0x0f, 0xb7, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0xffff8000, 64), 0x8000);
	/* movslq */
	EXPECT_EQ(DECODE(64, 0x48, 0x63, 0x0a), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0x80000000, 64),
		  0xffffffff80000000ULL);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0x7fffffff, 64),
		  0x7fffffffULL);
	/* 16-bit mode movswl keeps bits 63:32 */
	EXPECT_EQ(DECODE(16, 0x66, 0x0f, 0xbf, 0x56, 0x00), 0);
	EXPECT_EQ(xvcpu_mmio_load_result(&in, OLD, 0x8001, 16),
		  0x11223344ffff8001ULL);
}

UNIT_TEST(store_value_semantics)
{
	struct xvcpu_mmio_insn in;

	/* mov %ah,(%rbx): bits 15:8 */
	EXPECT_EQ(DECODE(64, 0x88, 0x23), 0);
	EXPECT_EQ(xvcpu_mmio_store_value(&in, OLD), 0x77);
	/* mov %cl,(%rbx) */
	EXPECT_EQ(DECODE(64, 0x88, 0x0b), 0);
	EXPECT_EQ(xvcpu_mmio_store_value(&in, OLD), 0x88);
	/* mov %ax,(%rdi) */
	EXPECT_EQ(DECODE(64, 0x66, 0x89, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_store_value(&in, OLD), 0x7788);
	/* mov %eax,(%rdi) */
	EXPECT_EQ(DECODE(64, 0x89, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_store_value(&in, OLD), 0x55667788);
	/* mov %rax,(%rdi) */
	EXPECT_EQ(DECODE(64, 0x48, 0x89, 0x07), 0);
	EXPECT_EQ(xvcpu_mmio_store_value(&in, OLD), OLD);
	/* movq $-2,(%rax): the immediate, register ignored */
	EXPECT_EQ(DECODE(64, 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff), 0);
	EXPECT_EQ(xvcpu_mmio_store_value(&in, OLD), 0xfffffffffffffffeULL);
	/* movb $0x80,0x1234 (16-bit) */
	EXPECT_EQ(DECODE(16, 0xc6, 0x06, 0x34, 0x12, 0x80), 0);
	EXPECT_EQ(xvcpu_mmio_store_value(&in, OLD), 0x80);
}

int main(void)
{
	return unit_run("vmx_decode");
}
