/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader stub of the xvcpu fast-boot kernel (see mkfastkernel.py).
 *
 * It replaces the compressed payload of a bzImage: the stock real-mode
 * setup code runs as usual and jumps here, to code32_start, in 32-bit flat
 * protected mode with paging off, interrupts off and %esi = boot_params.
 * Behind this stub the image carries the vmlinux PT_LOAD contents, already
 * laid out by physical address, as a table of page-granular chunks:
 * "copy len bytes from image offset src to physical dst" or (src == 0)
 * "zero len bytes at dst".  The stub
 *   1. finds its own load address (the loader picks it, 1 MiB normally),
 *   2. does every copy, last chunk first and each one backwards, because
 *      the destination (16 MiB up) overlaps the source (1 MiB up) and lies
 *      above it; then the zero fills (bss, gaps, large zero runs),
 *   3. builds an identity map of the first 4 GiB with 2 MiB pages,
 *   4. enables PAE and long mode, loads a GDT whose 0x10/0x18 selectors
 *      are 64-bit code / flat data (the 64-bit boot protocol's
 *      __BOOT_CS/__BOOT_DS), and
 *   5. jumps to the kernel's startup_64 (physical entry) with %rsi =
 *      boot_params, the same state the kernel's own decompressor leaves.
 * The kernel clears its own .bss and builds its own page tables and GDT
 * right away, so nothing here has to survive past the jump.
 */

#define COM1		0x3f8
#define BP_SCRATCH	0x1e4	/* boot_params.scratch: a 4-byte stack */
#define BP_LOADFLAGS	0x211
#define KASLR_FLAG	0x02
#define MSR_EFER	0xc0000080
#define EFER_LME	0x100
#define CR4_PAE		0x20
#define CR0_PG		0x80000000

/* Layout of the reserved area at the start of the image. */
#define PT_OFF		0x1000	/* 6 pages of page tables (+1 for alignment) */
#define STACK_TOP	0x9000
#define RESERVED	0xa000

	.text
	.code32
	.globl	_start
_start:
	jmp	entry32

	/* Parameters, filled in by mkfastkernel.py at offset 8. */
	.balign	8
params:
p_magic:	.ascii	"XVFB"
p_version:	.long	1
p_entry:	.quad	0	/* physical address of startup_64 */
p_ntab:		.long	0	/* number of chunk records */
p_taboff:	.long	0	/* image offset of the record table */
p_dst_lo:	.long	0	/* lowest physical address written */
p_dst_hi:	.long	0	/* end of the highest one */
p_size:		.long	0	/* size of this protected-mode image */

	.balign	8
gdt:
	.quad	0
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x10: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x18: flat 4 GiB data */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	0			/* base: patched at run time */

msg_hello:	.asciz	"xvcpu-fastboot: loading vmlinux\r\n"
msg_copied:	.asciz	"xvcpu-fastboot: copied, entering startup_64\r\n"
msg_badbase:	.asciz	"xvcpu-fastboot: loaded at an address that overlaps the kernel; halting\r\n"
msg_badmagic:	.asciz	"xvcpu-fastboot: bad parameter block; halting\r\n"

entry32:
	cli
	cld
	/* Where are we?  call/pop with boot_params.scratch as the stack. */
	leal	(BP_SCRATCH + 4)(%esi), %esp
	call	1f
1:	popl	%ebp
	subl	$1b, %ebp		/* %ebp = load address (_start) */
	leal	STACK_TOP(%ebp), %esp
	movl	%esi, saved_bp(%ebp)

	leal	msg_hello(%ebp), %eax
	call	puts

	cmpl	$0x42465658, p_magic(%ebp)	/* "XVFB" */
	jne	bad_magic

	/*
	 * Copy order: the chunks are packed in the image in ascending
	 * destination order and dst - src never shrinks from one chunk to
	 * the next, so if the first chunk moves up, all do; copying from the
	 * last chunk down, each backwards, never overwrites a source not yet
	 * read.  This needs the stub and its page tables below the
	 * destination range, which is what the 1 MiB load address gives.
	 */
	leal	RESERVED(%ebp), %eax
	cmpl	p_dst_lo(%ebp), %eax
	ja	bad_base
	movl	p_taboff(%ebp), %ebx
	addl	%ebp, %ebx		/* %ebx = first record */
	movl	p_ntab(%ebp), %edx	/* %edx = records left */
	/* first copy chunk must have dst >= src */
	pushl	%ebx
	pushl	%edx
2:	testl	%edx, %edx
	jz	3f
	movl	4(%ebx), %eax
	testl	%eax, %eax
	jnz	4f
	addl	$12, %ebx
	decl	%edx
	jmp	2b
4:	addl	%ebp, %eax		/* src */
	cmpl	(%ebx), %eax		/* src > dst: would need a forward copy */
	ja	bad_base
3:	popl	%edx
	popl	%ebx

	/* Copies, last record first, each backwards (rep movsl with DF=1). */
	leal	(%edx,%edx,2), %eax
	leal	-12(%ebx,%eax,4), %ebx	/* %ebx = last record */
copy_loop:
	testl	%edx, %edx
	jz	copy_done
	movl	4(%ebx), %esi
	testl	%esi, %esi
	jz	copy_next		/* zero fill: later */
	addl	%ebp, %esi
	movl	(%ebx), %edi
	movl	8(%ebx), %ecx
	leal	-4(%esi,%ecx), %esi
	leal	-4(%edi,%ecx), %edi
	shrl	$2, %ecx
	std
	rep	movsl
	cld
copy_next:
	subl	$12, %ebx
	decl	%edx
	jmp	copy_loop
copy_done:

	/* Zero fills, now that every source has been consumed. */
	movl	p_taboff(%ebp), %ebx
	addl	%ebp, %ebx
	movl	p_ntab(%ebp), %edx
zero_loop:
	testl	%edx, %edx
	jz	zero_done
	cmpl	$0, 4(%ebx)
	jne	zero_next
	movl	(%ebx), %edi
	movl	8(%ebx), %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep	stosl
zero_next:
	addl	$12, %ebx
	decl	%edx
	jmp	zero_loop
zero_done:
	leal	msg_copied(%ebp), %eax
	call	puts

	/* Page tables: PML4, PDPT, 4 PDs of 2 MiB pages = 0..4 GiB identity. */
	leal	(PT_OFF + 0xfff)(%ebp), %ebx
	andl	$~0xfff, %ebx		/* %ebx = PML4 */
	movl	%ebx, %edi
	movl	$(6 * 4096 / 4), %ecx
	xorl	%eax, %eax
	rep	stosl
	leal	0x1003(%ebx), %eax	/* PML4[0] -> PDPT, present|rw */
	movl	%eax, (%ebx)
	leal	0x1000(%ebx), %edi	/* PDPT[0..3] -> PD0..PD3 */
	leal	0x2003(%ebx), %eax
	movl	$4, %ecx
5:	movl	%eax, (%edi)
	addl	$0x1000, %eax
	addl	$8, %edi
	loop	5b
	leal	0x2000(%ebx), %edi	/* 2048 large pages */
	movl	$0x00000083, %eax	/* present|rw|PS */
	movl	$2048, %ecx
6:	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	6b

	/* %esi went to the copies; the kernel must not think it was randomised. */
	movl	saved_bp(%ebp), %esi
	andb	$~KASLR_FLAG, BP_LOADFLAGS(%esi)

	/* GDT with our 64-bit code segment. */
	leal	gdt(%ebp), %eax
	movl	%eax, (gdt_desc + 2)(%ebp)
	lgdt	gdt_desc(%ebp)
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/* PAE, CR3, EFER.LME, then paging: compatibility mode. */
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	%ebx, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0

	/* Far return into the 64-bit code segment. */
	pushl	$0x10
	leal	entry64(%ebp), %eax
	pushl	%eax
	lret

bad_magic:
	leal	msg_badmagic(%ebp), %eax
	jmp	die
bad_base:
	leal	msg_badbase(%ebp), %eax
die:	call	puts
8:	hlt
	jmp	8b

/* puts(%eax = string) on COM1; polls the transmitter. Clobbers %eax,%ecx,%edx. */
puts:
	pushl	%esi
	movl	%eax, %esi
9:	movb	(%esi), %cl
	testb	%cl, %cl
	jz	11f
	movw	$(COM1 + 5), %dx
10:	inb	%dx, %al
	testb	$0x20, %al
	jz	10b
	movw	$COM1, %dx
	movb	%cl, %al
	outb	%al, %dx
	incl	%esi
	jmp	9b
11:	popl	%esi
	ret

	.balign	4
saved_bp:	.long	0

	.code64
entry64:
	/* Upper halves are undefined after the mode switch: zero-extend. */
	movl	%esi, %esi
	leaq	(_start + STACK_TOP)(%rip), %rsp
	movq	p_entry(%rip), %rax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*%rax
