/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test guest (flat, long mode) for `vcpuctl record`: exactly 1000
 * CPUIDs, 5 debug-port writes (codes 0x60-0x64), 4 guest trace events
 * (ids 0x200-0x203, one data word: twice the id), 3 COM1 writes
 * ("ok\n"), then HLT. The
 * counts are in tests/vm_record.sh.
 */
	.code64
	movl	$1000, %esi
1:	xorl	%eax, %eax
	cpuid
	decl	%esi
	jnz	1b

	movb	$0x60, %al
2:	outb	%al, $0x80
	incb	%al
	cmpb	$0x65, %al
	jne	2b

	movl	$0x200, %ebx
3:	movl	$0x78760001, %eax	/* XVCPU_HC_TRACE */
	movl	$1, %ecx		/* one data word, in RDX */
	leal	(%ebx, %ebx), %edx
	vmcall
	incl	%ebx
	cmpl	$0x204, %ebx
	jne	3b

	movw	$0x3f8, %dx
	movb	$'o', %al
	outb	%al, %dx
	movb	$'k', %al
	outb	%al, %dx
	movb	$'\n', %al
	outb	%al, %dx
	hlt
	.section .note.GNU-stack, "", @progbits
