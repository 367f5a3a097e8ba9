/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the long-mode hello guest. vcpuctl enters here in 64-bit mode
 * with identity-mapped paging, interrupts off, RSP at this vCPU's stack,
 * RDI = vCPU id, RSI = number of vCPUs, RDX = RAM size: already the SysV
 * arguments of hello_main(). Nothing to set up but the ABI's stack
 * alignment.
 */
	.section .text.entry, "ax"
	.code64
	.globl _start
	.type _start, @function
_start:
	andq	$-16, %rsp
	call	hello_main
	/* Not reached: hello_main halts. Halt again should it return. */
1:	cli
	hlt
	jmp	1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
