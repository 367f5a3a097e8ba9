/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test guest (flat, long mode): an exit storm of 20000 CPUIDs, then
 * HLT. Recorded into a tiny ring it makes the ring drop records
 * (tests/vm_record.sh).
 */
	.code64
	movl	$20000, %esi
1:	xorl	%eax, %eax
	cpuid
	decl	%esi
	jnz	1b
	hlt
	.section .note.GNU-stack, "", @progbits
