/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello16: a real-mode flat binary for `vcpuctl run --mode real`. Also a
 * valid boot sector (512 bytes, 0xaa55), so the same image boots under a
 * PC BIOS, e.g. qemu-system-x86_64 -drive format=raw,file=hello16.bin
 * -serial stdio.
 *
 *   vcpuctl run --mode real build/examples/hello16.bin
 *   vcpuctl run --mode real --vcpus 2 build/examples/hello16.bin
 *
 * vcpuctl loads it at 0x7c00 and enters at 0000:7c00 with SS:SP set per
 * vCPU and DI = vCPU id. Prints through COM1 by polling the line status
 * register, writes progress codes 0x10 (start), 0x11 (printed) and 0x1f
 * (halting) to port 0x80, and halts with interrupts off.
 */
#define COM1		0x3f8
#define COM1_LSR	0x3fd
#define LSR_THRE	0x20

	.code16
	.section .text
	.globl _start
_start:
	cli
	/* Some BIOSes enter at 07c0:0000: make CS 0 so labels are offsets. */
	ljmp	$0, $1f
1:	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movb	$0x10, %al
	outb	%al, $0x80

	/* One line per vCPU, whole: a byte spinlock taken with XCHG. */
2:	movb	$1, %al
	xchgb	%al, lock
	testb	%al, %al
	jz	3f
	pause
	jmp	2b
3:	movw	$msg, %si
	call	puts
	/* DI < 64: AAM splits it into decimal digits (AH tens, AL ones). */
	movw	%di, %ax
	aam
	addw	$0x3030, %ax
	movb	%al, %cl
	cmpb	$0x30, %ah
	je	4f
	movb	%ah, %al
	call	putc
4:	movb	%cl, %al
	call	putc
	movw	$nl, %si
	call	puts
	movb	$0, lock

	movb	$0x11, %al
	outb	%al, $0x80
	movb	$0x1f, %al
	outb	%al, $0x80
halt:
	cli
	hlt
	jmp	halt

/* putc: AL to COM1 once the transmitter is empty. Clobbers DX, BL. */
putc:
	movb	%al, %bl
	movw	$COM1_LSR, %dx
5:	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	5b
	movw	$COM1, %dx
	movb	%bl, %al
	outb	%al, %dx
	ret

/* puts: the NUL-terminated string at DS:SI. */
puts:
	lodsb
	testb	%al, %al
	jz	6f
	call	putc
	jmp	puts
6:	ret

msg:	.asciz	"Hello from an xvcpu guest in real mode, vCPU "
nl:	.asciz	"\r\n"
lock:	.byte	0

	.org	510
	.word	0xaa55
