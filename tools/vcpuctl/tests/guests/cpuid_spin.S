/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test guest (flat, long mode): exactly 1000 CPUIDs, then debug-port
 * code 0x70 and a line on COM1 ("c"), then spins with PAUSE until a
 * signal ends the run: a live VM whose CPUID count stays 1000, for
 * `vcpuctl metrics` and `top` (tests/vm_record.sh).
 */
	.code64
	movl	$1000, %esi
1:	xorl	%eax, %eax
	cpuid
	decl	%esi
	jnz	1b
	movb	$0x70, %al
	outb	%al, $0x80
	movw	$0x3f8, %dx
	movb	$'c', %al
	outb	%al, %dx
	movb	$'\n', %al
	outb	%al, %dx
2:	pause
	jmp	2b
	.section .note.GNU-stack, "", @progbits
