/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test guest (flat, long mode): says it started (a line on COM1, "i"),
 * then writes port 0x70 without end -- I/O exits to vcpuctl (open bus),
 * which the seed trace policy samples 1 in 100 (the debug port's are
 * never sampled out) -- until a signal ends the run
 * (tests/vm_record.sh).
 */
	.code64
	movw	$0x3f8, %dx
	movb	$'i', %al
	outb	%al, %dx
	movb	$'\n', %al
	outb	%al, %dx
	movb	$0x80, %al
1:	outb	%al, $0x70
	jmp	1b
	.section .note.GNU-stack, "", @progbits
