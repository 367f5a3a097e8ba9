/* SPDX-License-Identifier: GPL-2.0 */
/* Test guest (flat, long mode): #UD with an empty IDT is a triple fault,
 * which vcpuctl must report as SHUTDOWN and exit 1. */
	.code64
	movb	$0x01, %al
	outb	%al, $0x80
	ud2
	.section .note.GNU-stack, "", @progbits
