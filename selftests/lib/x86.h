/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 guest set-up for the selftests: real mode, 32-bit protected mode and
 * 64-bit long mode, with guest code taken from the test binary itself.
 *
 * Guest memory layout of an x86 VM (xt_vm_create_x86()):
 *   slot 0  the test binary's own loaded image, guest physical ==
 *           guest virtual == host virtual (the binaries are static,
 *           non-PIE, linked at 0x400000), so guest code and globals are
 *           the very same pages the host sees: a global written by the
 *           guest is read by the host directly, and vice versa.
 *   slot 1  the system area at XT_SYS_GPA: page tables identity-mapping
 *           the low 4 GiB with 2 MiB pages, GDT, IDT (256 stubs into one
 *           C dispatcher), TSS, the exception handler table, the stacks
 *           of ring-3 guest code (xt_vm_enable_user()), per-vCPU stacks
 *           and a bump allocator.
 *   slots 2..  free for tests; XT_TEST_GPA and up, XT_MMIO_GPA has no slot.
 *   Below 0x400000 is free too (real-mode tests put code there).
 *
 * Guest code is ordinary C in the test file. The guest-running binaries
 * are built with -mgeneral-regs-only -mno-red-zone -fno-stack-protector,
 * so that code is safe to run at CPL0 without FPU state, with interrupts,
 * and without a TLS canary; it must not call libc.
 */
#ifndef XVCPU_SELFTEST_X86_H
#define XVCPU_SELFTEST_X86_H

#include <stdint.h>

#include "ucall.h"
#include "vm.h"

#define XT_IMAGE_SLOT		0
#define XT_SYS_SLOT		1
#define XT_FIRST_TEST_SLOT	2

#define XT_SYS_GPA		0x10000000ULL
#define XT_SYS_SIZE		(8ULL << 20)
#define XT_SYS_PML4		0x0000
#define XT_SYS_PDPT		0x1000
#define XT_SYS_PD		0x2000	/* 4 pages: 4 GiB of 2 MiB pages */
#define XT_SYS_GDT		0x6000
#define XT_SYS_IDT		0x7000
#define XT_SYS_TSS		0x8000
#define XT_SYS_HANDLERS		0x9000	/* 256 handler pointers */
#define XT_SYS_USER		0xa000	/* ring-3 switch state (1 page) */
#define XT_SYS_USER_STACK	0xc000	/* top of the ring-3 stack */
#define XT_SYS_RING0_STACK	0x10000	/* top of TSS.RSP0's stack */
#define XT_SYS_HEAP		0x10000
#define XT_IDMAP_SIZE		(4ULL << 30)
#define XT_STACK_SIZE		(32UL << 10)

#define XT_TEST_GPA		0x20000000ULL	/* test slots from here */
#define XT_MMIO_GPA		0xC0000000ULL	/* never backed by a slot */

#define XT_SEL_CODE32		0x08
#define XT_SEL_DATA		0x10
#define XT_SEL_CODE64		0x18
#define XT_SEL_TSS		0x20	/* 16 bytes in long mode */
#define XT_SEL_UDATA		0x33	/* flat data, DPL 3 (RPL 3) */
#define XT_SEL_UCODE64		0x3b	/* 64-bit code, DPL 3 (RPL 3) */
#define XT_GDT_ENTRIES		8

#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_MP		(1ULL << 1)
#define X86_CR0_EM		(1ULL << 2)
#define X86_CR0_TS		(1ULL << 3)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_NE		(1ULL << 5)
#define X86_CR0_WP		(1ULL << 16)
#define X86_CR0_AM		(1ULL << 18)
#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_DE		(1ULL << 3)
#define X86_CR4_PAE		(1ULL << 5)
#define X86_CR4_LA57		(1ULL << 12)
#define X86_CR4_VMXE		(1ULL << 13)
#define X86_CR4_SMXE		(1ULL << 14)
#define X86_CR4_OSXSAVE		(1ULL << 18)
#define X86_CR4_PKE		(1ULL << 22)
#define X86_CR4_CET		(1ULL << 23)
#define X86_CR4_PKS		(1ULL << 24)
#define X86_RFLAGS_FIXED	(1ULL << 1)
#define X86_RFLAGS_TF		(1ULL << 8)
#define X86_RFLAGS_IF		(1ULL << 9)
#define X86_RFLAGS_IOPL3	(3ULL << 12)
#define X86_RFLAGS_AC		(1ULL << 18)
#define X86_DR6_BS		(1ULL << 14)
#define X86_DR7_FIXED		0x400ULL
#define MSR_IA32_DEBUGCTL	0x000001d9
#define EFER_SCE		(1ULL << 0)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)
#define EFER_NXE		(1ULL << 11)

#define MSR_IA32_MTRRCAP	0x000000fe
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MSR_MTRRfix64K_00000	0x00000250
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_MTRRdefType		0x000002ff
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103

#define X86_VEC_DE		0
#define X86_VEC_DB		1
#define X86_VEC_UD		6
#define X86_VEC_DF		8
#define X86_VEC_GP		13
#define X86_VEC_PF		14
#define X86_VEC_AC		17

/* The vector ring-3 code returns to ring 0 through (xt_guest_run_user). */
#define XT_VEC_USER_EXIT	0xfe

/* The interrupt frame the IDT stubs build (lowest address first). */
struct xt_ex_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* Runs in the guest; may change @regs (e.g. rip to skip an instruction). */
typedef void (*xt_guest_handler_t)(struct xt_ex_regs *regs);

/* ---- host side ------------------------------------------------------------- */

/* [start, start + size) of the test binary's image (page aligned). */
void xt_image_range(uint64_t *start, uint64_t *size);

/* VM with slot 0 (the image) and slot 1 (the system area), no vCPU. */
struct xt_vm *xt_vm_create_x86(void);
/* vCPU @id in long mode with its own stack, RIP at @guest_code. */
struct xt_vcpu *xt_vm_add_vcpu(struct xt_vm *vm, uint32_t id,
			       void *guest_code);
/* Both of the above, vCPU 0. */
struct xt_vm *xt_vm_create_with_vcpu(struct xt_vcpu **vcpu, void *guest_code);

/* @size bytes of the system area (zeroed): the gpa; *@hva if non-NULL. */
uint64_t xt_vm_alloc(struct xt_vm *vm, uint64_t size, uint64_t align,
		     void **hva);
/* Guest exception/interrupt handler for @vector (NULL: report it). */
void xt_vm_install_handler(struct xt_vm *vm, unsigned int vector,
			   xt_guest_handler_t fn);

/*
 * Put the vCPU into a mode (segments, control registers, EFER, GPRs all
 * set; RFLAGS = 0x2 with IF clear). Long mode and protected mode need an
 * x86 VM; real mode needs nothing but code at cs:ip.
 */
void xt_vcpu_setup_long_mode(struct xt_vcpu *vcpu, void *rip);
void xt_vcpu_setup_prot32(struct xt_vcpu *vcpu, uint32_t eip, uint32_t esp);
void xt_vcpu_setup_real_mode(struct xt_vcpu *vcpu, uint16_t cs, uint16_t ip);
/* The first @n integer arguments of the guest function (rdi, rsi, ...). */
void xt_vcpu_args_set(struct xt_vcpu *vcpu, unsigned int n, ...);

/* "#GP" and friends. */
const char *xt_vector_str(uint64_t vector);

/*
 * Ring 3 for long-mode guests: sets the U bit in the identity map, gives
 * TSS.RSP0 a stack, and installs the XT_VEC_USER_EXIT gate (DPL 3) that
 * xt_guest_run_user() returns through. One vCPU at a time may use it.
 */
void xt_vm_enable_user(struct xt_vm *vm);
/* xt_guest_safe_handler() for every exception vector (0-31). */
void xt_vm_install_safe_handlers(struct xt_vm *vm);

/* ---- guest side: ring 3 and exception probes ------------------------------------ */

/*
 * Runs @fn(@arg) at CPL3 (64-bit, IOPL 3 so that ucalls work, IF=0) on
 * the ring-3 stack and returns its return value at CPL0. Needs
 * xt_vm_enable_user() on the host.
 */
uint64_t xt_guest_run_user(uint64_t (*fn)(uint64_t), uint64_t arg);

/*
 * Exception probes, after the KVM selftests' asm_safe: XT_ASM_SAFE(seq)
 * runs the instructions @seq and leaves in operand %0 (the first output,
 * XT_ASM_SAFE_OUTPUTS(), so @seq refers to others by name) the vector
 * of the exception one of them raised, or XT_NO_VECTOR; the handler
 * (xt_guest_safe_handler, installed for the vector) resumes after @seq.
 * Only a fault inside @seq is caught (not a trap after it); anything
 * else is reported like an unhandled exception. Works at CPL3 too.
 * Clobbers r9-r11.
 *
 *	asm volatile(XT_ASM_SAFE("rdmsr")
 *		     : XT_ASM_SAFE_OUTPUTS(vec), "=a"(lo), "=d"(hi)
 *		     : "c"(index) : XT_ASM_SAFE_CLOBBERS);
 */
#define XT_SAFE_MAGIC		0x5afe5afe5afe5afeULL
#define XT_NO_VECTOR		0x100
#define __XT_STR(x)		#x
#define XT_STR(x)		__XT_STR(x)

#define XT_ASM_SAFE(insn)						\
	"movabsq $" XT_STR(XT_SAFE_MAGIC) ", %%r9\n\t"			\
	"leaq 1f(%%rip), %%r10\n\t"					\
	"leaq 2f(%%rip), %%r11\n\t"					\
	"1: " insn "\n\t"						\
	"movl $" XT_STR(XT_NO_VECTOR) ", %%r9d\n\t"			\
	"2:\n\t"							\
	"movq %%r9, %0\n\t"
#define XT_ASM_SAFE_OUTPUTS(v)	"=rm"(v)
#define XT_ASM_SAFE_CLOBBERS	"r9", "r10", "r11", "cc", "memory"

/* The handler behind XT_ASM_SAFE (x86.c). */
void xt_guest_safe_handler(struct xt_ex_regs *regs);

/* An instruction without operands of its own: its vector or XT_NO_VECTOR. */
#define xt_asm_safe(insn, inputs...)					\
	({								\
		uint64_t __vec;						\
		asm volatile(XT_ASM_SAFE(insn)				\
			     : XT_ASM_SAFE_OUTPUTS(__vec)		\
			     : inputs					\
			     : XT_ASM_SAFE_CLOBBERS);			\
		(unsigned int)__vec;					\
	})

/* ---- guest side: instructions -------------------------------------------------- */

static inline void xt_outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void xt_outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void xt_outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void xt_cpuid(uint32_t leaf, uint32_t index, uint32_t *a,
			    uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(index)
		     : "memory");
}

static inline uint64_t xt_rdmsr(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void xt_wrmsr(uint32_t index, uint64_t v)
{
	asm volatile("wrmsr"
		     : : "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

static inline uint64_t xt_vmcall(uint64_t nr, uint64_t a0, uint64_t a1,
				 uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t ret;

	asm volatile("vmcall"
		     : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4)
		     : "memory");
	return ret;
}

static inline void xt_cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void xt_sti(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void xt_hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

static inline void xt_pause(void)
{
	asm volatile("pause" : : : "memory");
}

static inline uint64_t xt_read_rflags(void)
{
	uint64_t f;

	asm volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

#define XT_READ_CR(n)							\
	static inline uint64_t xt_read_cr##n(void)			\
	{								\
		uint64_t v;						\
		asm volatile("mov %%cr" #n ", %0" : "=r"(v) : : "memory"); \
		return v;						\
	}
XT_READ_CR(0)
XT_READ_CR(2)
XT_READ_CR(3)
XT_READ_CR(4)

static inline void xt_write_cr0(uint64_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void xt_write_cr4(uint64_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* MOV from/to DR@n (n a constant 0-7). */
#define xt_read_dr(n)							\
	({								\
		uint64_t __v;						\
		asm volatile("mov %%db" XT_STR(n) ", %0"		\
			     : "=r"(__v) : : "memory");			\
		__v;							\
	})
#define xt_write_dr(n, v)						\
	({								\
		asm volatile("mov %0, %%db" XT_STR(n)			\
			     : : "r"((uint64_t)(v)) : "memory");	\
	})

static inline uint64_t xt_xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void xt_xsetbv(uint32_t index, uint64_t v)
{
	asm volatile("xsetbv"
		     : : "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

#endif /* XVCPU_SELFTEST_X86_H */
