/* SPDX-License-Identifier: GPL-2.0 */
/* Test guest (flat, any mode): says it started, then spins forever, so
 * only a signal can end the run. */
	.code64
	movb	$0x01, %al
	outb	%al, $0x80
1:	pause
	jmp	1b
	.section .note.GNU-stack, "", @progbits
