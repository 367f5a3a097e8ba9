/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test guest (flat, long mode): says it started (a line on COM1, "l"),
 * then CPUID forever, until a signal ends the run: a steady exit rate
 * for `vcpuctl top` (tests/vm_record.sh).
 */
	.code64
	movw	$0x3f8, %dx
	movb	$'l', %al
	outb	%al, %dx
	movb	$'\n', %al
	outb	%al, %dx
1:	xorl	%eax, %eax
	cpuid
	jmp	1b
	.section .note.GNU-stack, "", @progbits
