/* SPDX-License-Identifier: GPL-2.0 */
/* Test guest (flat, long mode): says it started (debug-port code 0x01
 * and a line on COM1), then spins forever, so only a signal can end the
 * run. */
	.code64
	movb	$0x01, %al
	outb	%al, $0x80
	movw	$0x3f8, %dx
	movb	$'s', %al
	outb	%al, %dx
	movb	$'\n', %al
	outb	%al, %dx
1:	pause
	jmp	1b
	.section .note.GNU-stack, "", @progbits
