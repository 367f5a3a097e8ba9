/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test guest: a static ELF32 that vcpuctl must start in flat 32-bit
 * protected mode (its default for ELF32). Checks the state it was given
 * and reports on COM1: "pm32: ok ..." or "pm32: FAIL <what>". Also reads
 * an unclaimed port, which must float to 0xff.
 */
	.code32
	.section .text
	.globl _start
_start:
	movl	%cr0, %eax
	testl	$1, %eax		/* PE */
	jz	bad_pe
	testl	$0x80000000, %eax	/* PG must be off */
	jnz	bad_pg
	movw	%cs, %ax
	cmpw	$0x08, %ax
	jne	bad_cs
	movw	%ss, %ax
	cmpw	$0x10, %ax
	jne	bad_ss
	inb	$0x71, %al		/* nothing there: open bus */
	cmpb	$0xff, %al
	jne	bad_in
	pushl	$0x5a5a5a5a		/* the stack vcpuctl gave works */
	popl	%eax
	cmpl	$0x5a5a5a5a, %eax
	jne	bad_stack
	movl	$ok, %esi
	jmp	out
bad_pe:	movl	$m_pe, %esi
	jmp	out
bad_pg:	movl	$m_pg, %esi
	jmp	out
bad_cs:	movl	$m_cs, %esi
	jmp	out
bad_ss:	movl	$m_ss, %esi
	jmp	out
bad_in:	movl	$m_in, %esi
	jmp	out
bad_stack:
	movl	$m_stack, %esi
out:	movw	$0x3f8, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	cli
	hlt
	jmp	2b

	.section .rodata
ok:	.asciz	"pm32: ok, CR0.PE=1 PG=0 CS=08 SS=10, port 0x71 reads ff\n"
m_pe:	.asciz	"pm32: FAIL CR0.PE clear\n"
m_pg:	.asciz	"pm32: FAIL CR0.PG set\n"
m_cs:	.asciz	"pm32: FAIL CS is not 0x08\n"
m_ss:	.asciz	"pm32: FAIL SS is not 0x10\n"
m_in:	.asciz	"pm32: FAIL port 0x71 did not read 0xff\n"
m_stack: .asciz	"pm32: FAIL stack\n"
	.section .note.GNU-stack, "", @progbits
