/* SPDX-License-Identifier: GPL-2.0 */
/* Test guest (flat, long mode): HLT with interrupts enabled. vcpuctl has
 * no interrupt source, so this vCPU stays halted: a clean end, noted. */
	.code64
	sti
	hlt
	.section .note.GNU-stack, "", @progbits
