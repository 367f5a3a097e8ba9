/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoder for the few x86 instructions a guest uses to touch MMIO.
 *
 * On an EPT violation for a guest-physical address that has no memory
 * behind it, the module reads the faulting instruction and turns it
 * into an MMIO exit: it only needs to know the access (load, store of
 * a register, store of an immediate), its size, the register involved
 * and the instruction length to skip. The guest-physical address comes
 * from the exit itself, so the addressing form is parsed for its length
 * only. Anything else is reported as unknown rather than guessed.
 *
 * Pure logic: no hardware access, no allocation. Built into the module
 * and, unchanged, into the host unit tests (tests/unit/).
 */
#ifndef XVCPU_VMX_DECODE_H
#define XVCPU_VMX_DECODE_H

#include "pure.h"

/* Architectural limit: longer instructions raise #GP on the CPU. */
#define XVCPU_INSN_MAX_LEN	15

enum xvcpu_mmio_op {
	XVCPU_MMIO_LOAD,	/* memory -> register */
	XVCPU_MMIO_STORE,	/* register -> memory */
	XVCPU_MMIO_STORE_IMM,	/* immediate -> memory */
};

struct xvcpu_mmio_insn {
	u8 len;		/* total length in bytes, prefixes included */
	u8 op;		/* enum xvcpu_mmio_op */
	u8 size;	/* memory access size: 1, 2, 4 or 8 */
	/*
	 * GPR number in encoding order (0 rax, 1 rcx, 2 rdx, 3 rbx, 4 rsp,
	 * 5 rbp, 6 rsi, 7 rdi, 8..15 r8..r15). With high8 set it names the
	 * register holding the byte: 0..3 for AH, CH, DH, BH. Unused (0)
	 * for XVCPU_MMIO_STORE_IMM.
	 */
	u8 reg;
	bool high8;	/* byte register is AH/CH/DH/BH (bits 15:8 of reg) */
	/*
	 * LOAD only (0 otherwise): width written to reg, 1, 2, 4 or 8.
	 * Differs from size for MOVZX/MOVSX/MOVSXD.
	 */
	u8 dst_size;
	bool sign_extend;	/* LOAD: MOVSX/MOVSXD; else zero-extend */
	/*
	 * STORE_IMM only: the value to store, truncated to size bytes; for
	 * size 8 it is the imm32 sign-extended as the CPU does.
	 */
	u64 imm;
};

/*
 * Decode the instruction at @bytes, of which @avail bytes are valid.
 * @mode is the default operand and address size of the code segment in
 * bits: 64 (CS.L=1 in IA-32e mode), 32 (CS.D=1) or 16.
 *
 * Handles MOV 88/89/8A/8B/C6 /0/C7 /0/A0-A3, MOVZX 0F B6/B7, MOVSX
 * 0F BE/BF and MOVSXD (REX.W 63), with 66/67, segment-override and (in
 * 64-bit mode) REX prefixes. Returns 0 with *out filled, or -1 when the
 * instruction is something else, has a register-only operand, carries
 * a LOCK/REP prefix, is longer than 15 bytes or is cut short by @avail
 * (*out is then unspecified). The caller should still check that op
 * agrees with the read/write bit of the EPT violation.
 */
int xvcpu_decode_mmio(const u8 *bytes, unsigned int avail, unsigned int mode,
		      struct xvcpu_mmio_insn *out);

/*
 * The full 64-bit value of register in->reg after a completed load of
 * @data (the bytes read, little endian, in the low in->size bytes),
 * given its value @old_reg before the instruction. Byte and word
 * destinations keep the other bits (AH..BH write bits 15:8); a 32-bit
 * destination zeroes bits 63:32 in 64-bit @mode and keeps them in 16-
 * and 32-bit mode, where they are architecturally invisible.
 */
u64 xvcpu_mmio_load_result(const struct xvcpu_mmio_insn *in, u64 old_reg,
			   u64 data, unsigned int mode);

/*
 * The value to write for a store, in the low in->size bytes: from
 * @reg_value (the full value of in->reg) for XVCPU_MMIO_STORE, from
 * in->imm for XVCPU_MMIO_STORE_IMM (@reg_value is then ignored).
 */
u64 xvcpu_mmio_store_value(const struct xvcpu_mmio_insn *in, u64 reg_value);

#endif /* XVCPU_VMX_DECODE_H */
