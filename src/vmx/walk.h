/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest page-table walker: guest linear -> guest-physical address.
 *
 * Used to fetch the bytes of a faulting instruction and to reach the
 * buffers of string I/O. It follows the guest's own paging mode (off,
 * 32-bit, PAE, 4-level, 5-level) and access rights as the CPU would,
 * so that a failed walk can be reflected to the guest as the #PF it
 * would have taken.
 *
 * The walker only reads: it never sets accessed or dirty bits. For the
 * faulting instruction that is what the CPU already did on its own
 * walk; but an access the module completes for the guest (string I/O
 * into guest memory) leaves the guest's A/D bits as they were, which
 * the caller must accept or handle itself.
 *
 * Pure logic: no hardware access, no allocation. Built into the module
 * and, unchanged, into the host unit tests (tests/unit/). Guest memory
 * is reached only through the read callback.
 */
#ifndef XVCPU_VMX_WALK_H
#define XVCPU_VMX_WALK_H

#include "pure.h"

/* The guest control registers the walk depends on. */
struct xvcpu_walk_regs {
	u64 cr0, cr3, cr4, efer;
	/*
	 * PAE paging only: the CPU loads the four PDPTEs when CR3 is
	 * written and uses those copies, not memory. With EPT they are in
	 * the VMCS (GUEST_PDPTE0-3); pass them with pdptes_valid set. When
	 * clear, they are read from guest memory at CR3 instead.
	 */
	u64 pdpte[4];
	bool pdptes_valid;
	/* CPUID.80000008H:EAX[7:0] of the guest, 32..52; 0 means 52. */
	u8 maxphyaddr;
};

/* Control-register bits used by the walk. */
#define XVCPU_CR0_WP		(1ULL << 16)
#define XVCPU_CR0_PG		(1ULL << 31)
#define XVCPU_CR4_PSE		(1ULL << 4)
#define XVCPU_CR4_PAE		(1ULL << 5)
#define XVCPU_CR4_LA57		(1ULL << 12)
#define XVCPU_CR4_SMEP		(1ULL << 20)
#define XVCPU_CR4_SMAP		(1ULL << 21)
#define XVCPU_EFER_LMA		(1ULL << 10)
#define XVCPU_EFER_NXE		(1ULL << 11)

/*
 * Read @size (4 or 8) bytes of guest-physical memory at @gpa, little
 * endian, into *val. Returns 0, or a negative errno when the address
 * is not backed by memory.
 */
typedef int (*xvcpu_read_gpa_fn)(void *ctx, u64 gpa, unsigned int size,
				 u64 *val);

/* @access: what the guest is doing. No flag: a supervisor data read. */
#define XVCPU_WALK_WRITE	0x1	/* data write */
#define XVCPU_WALK_USER		0x2	/* at CPL 3 */
#define XVCPU_WALK_FETCH	0x4	/* instruction fetch */
/*
 * Supervisor data access with EFLAGS.AC=1: CR4.SMAP then allows user
 * pages. Ignored for user-mode accesses and fetches.
 */
#define XVCPU_WALK_AC		0x8

/* Positive results of xvcpu_walk(). */
#define XVCPU_WALK_PF		1	/* guest #PF, *pf_error is its code */
/*
 * Non-canonical address in 4- or 5-level paging: the CPU raises #GP(0)
 * (#SS(0) for stack accesses) before any walk. *pf_error is 0.
 */
#define XVCPU_WALK_GP		2

/* Page-fault error code bits (SDM vol. 3A, 4.7). */
#define XVCPU_PF_P		0x01	/* protection violation, else not present */
#define XVCPU_PF_W		0x02	/* the access was a write */
#define XVCPU_PF_U		0x04	/* the access was at CPL 3 */
#define XVCPU_PF_RSVD		0x08	/* reserved bit set in an entry */
#define XVCPU_PF_I		0x10	/* instruction fetch (see walk.c) */

/*
 * Translate @gva for @access under @r, reading paging structures with
 * @read(@ctx, ...). Returns 0 with *gpa set; XVCPU_WALK_PF with
 * *pf_error set; XVCPU_WALK_GP for a non-canonical address; or a
 * negative errno: the error of @read when a paging structure is not
 * backed by memory, -EINVAL for a register state the CPU forbids
 * (EFER.LMA without CR0.PG and CR4.PAE), a MAXPHYADDR out of range,
 * or an @access with unknown flags or both WRITE and FETCH.
 *
 * Outside IA-32e mode linear addresses are 32 bits, so @gva is
 * truncated to 32 bits there, as the CPU wraps them.
 *
 * Not modelled: protection keys (CR4.PKE/PKS), shadow-stack pages,
 * HLAT, and the A/D bit updates (see walk.h). 1 GiB pages are assumed
 * to be supported, as are PSE-36 and NX when enabled.
 */
int xvcpu_walk(const struct xvcpu_walk_regs *r, u64 gva, unsigned int access,
	       xvcpu_read_gpa_fn read, void *ctx, u64 *gpa, u32 *pf_error);

#endif /* XVCPU_VMX_WALK_H */
