// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction decoder (SDM vol. 2A, chapter 2: instruction format).
 *
 * Layout of what is accepted:
 *
 *   [legacy prefixes] [REX] opcode [ModRM [SIB] [disp]] [moffs | imm]
 *
 * Only the lengths of the addressing bytes matter here: the address
 * itself is known from the EPT violation. The length rules are those of
 * the effective address size, which 67 toggles (16 <-> 32 outside
 * 64-bit mode, 64 -> 32 in 64-bit mode).
 *
 * Pure logic shared with the host unit tests: see decode.h.
 */
#include "decode.h"

/* A read position that never goes past @avail or the 15-byte limit. */
struct insn_cursor {
	const u8 *bytes;
	unsigned int end;
	unsigned int pos;
};

/* Fetch @n (1..8) little-endian bytes; false when they are not there. */
static bool fetch(struct insn_cursor *c, unsigned int n, u64 *val)
{
	u64 v = 0;
	unsigned int i;

	if (n > c->end - c->pos)
		return false;
	for (i = n; i > 0; i--)
		v = (v << 8) | c->bytes[c->pos + i - 1];
	c->pos += n;
	*val = v;
	return true;
}

static bool fetch8(struct insn_cursor *c, u8 *val)
{
	u64 v;

	if (!fetch(c, 1, &v))
		return false;
	*val = (u8)v;
	return true;
}

/*
 * Step over ModRM, SIB and displacement. Returns the ModRM reg field
 * (0..7, without REX.R), or -1 for a register operand (mod=11, not a
 * memory access) or missing bytes. @addr_size is in bytes.
 */
static int skip_modrm(struct insn_cursor *c, unsigned int addr_size)
{
	unsigned int mod, rm, disp;
	u8 modrm, sib;
	u64 ignored;

	if (!fetch8(c, &modrm))
		return -1;
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -1;

	if (addr_size == 2) {
		/* 16-bit forms: [bp] needs mod=01, mod=00 rm=110 is disp16. */
		if (mod == 0)
			disp = rm == 6 ? 2 : 0;
		else
			disp = mod == 1 ? 1 : 2;
	} else {
		/*
		 * 32/64-bit forms. REX.B does not change these rules: rm=100
		 * is always a SIB and mod=00 rm=101 (RIP- or EIP-relative in
		 * 64-bit mode, absolute otherwise) always takes a disp32.
		 */
		if (mod == 0)
			disp = rm == 5 ? 4 : 0;
		else
			disp = mod == 1 ? 1 : 4;
		if (rm == 4) {
			if (!fetch8(c, &sib))
				return -1;
			/* No base register: a disp32 takes its place. */
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		}
	}
	if (disp && !fetch(c, disp, &ignored))
		return -1;
	return (modrm >> 3) & 7;
}

int xvcpu_decode_mmio(const u8 *bytes, unsigned int avail, unsigned int mode,
		      struct xvcpu_mmio_insn *out)
{
	struct insn_cursor c = {
		.bytes = bytes,
		.end = avail < XVCPU_INSN_MAX_LEN ? avail : XVCPU_INSN_MAX_LEN,
	};
	bool opsize_prefix = false, addrsize_prefix = false;
	unsigned int op_size, addr_size;
	u8 b, rex = 0;
	int reg;
	u64 v;

	if (mode != 16 && mode != 32 && mode != 64)
		return -1;

	for (;;) {
		if (!fetch8(&c, &b))
			return -1;
		switch (b) {
		case 0x66:
			opsize_prefix = true;
			break;
		case 0x67:
			addrsize_prefix = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			/* The EPT violation already gives the address. */
			break;
		case 0xf0: case 0xf2: case 0xf3:
			/* LOCK MOV is #UD; REP forms are not plain moves. */
			return -1;
		default:
			if (mode == 64 && (b & 0xf0) == 0x40) {
				/* Only the last REX counts, see below. */
				rex = b;
				continue;
			}
			goto opcode;
		}
		/*
		 * A REX followed by a legacy prefix does not immediately
		 * precede the opcode, and the CPU then ignores it (SDM vol. 2A,
		 * 2.2.1).
		 */
		rex = 0;
	}

opcode:
	if (mode == 64) {
		op_size = (rex & 0x8) ? 8 : opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 4 : 8;
	} else if (mode == 32) {
		op_size = opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 2 : 4;
	} else {
		op_size = opsize_prefix ? 4 : 2;
		addr_size = addrsize_prefix ? 4 : 2;
	}

	out->high8 = false;
	out->dst_size = 0;
	out->sign_extend = false;
	out->imm = 0;
	out->reg = 0;

	switch (b) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x89:	/* MOV r/m, r */
	case 0x8a:	/* MOV r8, r/m8 */
	case 0x8b:	/* MOV r, r/m */
		reg = skip_modrm(&c, addr_size);
		if (reg < 0)
			return -1;
		out->op = (b & 2) ? XVCPU_MMIO_LOAD : XVCPU_MMIO_STORE;
		out->size = (b & 1) ? op_size : 1;
		out->reg = reg | ((rex & 0x4) << 1);
		/* Without any REX, byte registers 4..7 are AH, CH, DH, BH. */
		if (out->size == 1 && !rex && reg >= 4) {
			out->high8 = true;
			out->reg = reg - 4;
		}
		if (out->op == XVCPU_MMIO_LOAD)
			out->dst_size = out->size;
		break;

	case 0xc6:	/* MOV r/m8, imm8 */
	case 0xc7:	/* MOV r/m, imm16/imm32 */
		/* Other reg values are other instructions (XABORT, XBEGIN). */
		if (skip_modrm(&c, addr_size) != 0)
			return -1;
		out->op = XVCPU_MMIO_STORE_IMM;
		out->size = (b & 1) ? op_size : 1;
		/* A 64-bit store still takes an imm32, sign-extended. */
		if (!fetch(&c, out->size == 8 ? 4 : out->size, &v))
			return -1;
		if (out->size == 8 && (v & 0x80000000))
			v |= 0xffffffff00000000ULL;
		out->imm = v;
		break;

	case 0x63:	/* MOVSXD r64, r/m32 */
		/*
		 * ARPL outside 64-bit mode. Without REX.W the forms are plain
		 * 16/32-bit moves that compilers never emit and vendors
		 * document differently: leave them unknown.
		 */
		if (mode != 64 || !(rex & 0x8))
			return -1;
		reg = skip_modrm(&c, addr_size);
		if (reg < 0)
			return -1;
		out->op = XVCPU_MMIO_LOAD;
		out->size = 4;
		out->reg = reg | ((rex & 0x4) << 1);
		out->dst_size = 8;
		out->sign_extend = true;
		break;

	case 0x0f:
		if (!fetch8(&c, &b))
			return -1;
		switch (b) {
		case 0xb6:	/* MOVZX r, r/m8 */
		case 0xb7:	/* MOVZX r, r/m16 */
		case 0xbe:	/* MOVSX r, r/m8 */
		case 0xbf:	/* MOVSX r, r/m16 */
			break;
		default:
			return -1;
		}
		reg = skip_modrm(&c, addr_size);
		if (reg < 0)
			return -1;
		out->op = XVCPU_MMIO_LOAD;
		out->size = (b & 1) ? 2 : 1;
		/* The destination is a full register: never AH..BH. */
		out->reg = reg | ((rex & 0x4) << 1);
		out->dst_size = op_size;
		out->sign_extend = b & 8;
		break;

	case 0xa0:	/* MOV AL, moffs8 */
	case 0xa1:	/* MOV eAX, moffs */
	case 0xa2:	/* MOV moffs8, AL */
	case 0xa3:	/* MOV moffs, eAX */
		/* The offset is as wide as the address size, up to 8 bytes. */
		if (!fetch(&c, addr_size, &v))
			return -1;
		out->op = (b & 2) ? XVCPU_MMIO_STORE : XVCPU_MMIO_LOAD;
		out->size = (b & 1) ? op_size : 1;
		if (out->op == XVCPU_MMIO_LOAD)
			out->dst_size = out->size;
		break;

	default:
		return -1;
	}

	out->len = c.pos;
	return 0;
}

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

u64 xvcpu_mmio_load_result(const struct xvcpu_mmio_insn *in, u64 old_reg,
			   u64 data, unsigned int mode)
{
	u64 v = data & size_mask(in->size);

	if (in->sign_extend && in->size < 8) {
		u64 sign = 1ULL << (in->size * 8 - 1);

		/* Flip then subtract the sign bit: extends without shifts. */
		v = (v ^ sign) - sign;
	}

	switch (in->dst_size) {
	case 1:
		if (in->high8)
			return (old_reg & ~0xff00ULL) | ((v & 0xff) << 8);
		return (old_reg & ~0xffULL) | (v & 0xff);
	case 2:
		return (old_reg & ~0xffffULL) | (v & 0xffff);
	case 4:
		/*
		 * 64-bit mode zero-extends 32-bit results. Elsewhere bits 63:32
		 * cannot be seen by the guest, so leave them as they were
		 * rather than make them change behind its back.
		 */
		if (mode == 64)
			return v & 0xffffffffULL;
		return (old_reg & ~0xffffffffULL) | (v & 0xffffffffULL);
	case 8:
		return v;
	default:
		/* Not a load: the register does not change. */
		return old_reg;
	}
}

u64 xvcpu_mmio_store_value(const struct xvcpu_mmio_insn *in, u64 reg_value)
{
	if (in->op == XVCPU_MMIO_STORE_IMM)
		return in->imm & size_mask(in->size);
	if (in->high8)
		reg_value >>= 8;
	return reg_value & size_mask(in->size);
}
