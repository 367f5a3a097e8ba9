// SPDX-License-Identifier: GPL-2.0
/*
 * x86 guest set-up (see x86.h). The IDT stubs and the exception
 * dispatcher run in the guest (64-bit, CPL0, identity mapped); the rest
 * runs on the host.
 */
#define _GNU_SOURCE
#include "x86.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* From the linker: the first and one past the last byte of the image. */
extern char __executable_start[], _end[];

/* ---- guest ------------------------------------------------------------------ */

/*
 * 256 IDT entry stubs, 16 bytes apart: push a dummy error code where the
 * CPU pushes none, push the vector, go to the common entry, which saves
 * the GPRs (struct xt_ex_regs) and calls xt_guest_exception(). The CPU
 * aligns RSP to 16 before its frame, so after 7 + 15 pushes the call is
 * made with RSP 16-byte aligned, as the ABI wants.
 */
asm(
"	.pushsection .text\n"
"	.balign 16\n"
"	.globl xt_idt_stubs\n"
"xt_idt_stubs:\n"
"	.set xt_vec, 0\n"
"	.rept 256\n"
"	.balign 16\n"
"	.if (xt_vec == 8) || (xt_vec == 10) || (xt_vec == 11) || (xt_vec == 12) || (xt_vec == 13) || (xt_vec == 14) || (xt_vec == 17) || (xt_vec == 21) || (xt_vec == 29) || (xt_vec == 30)\n"
"	.else\n"
"	pushq $0\n"
"	.endif\n"
"	pushq $xt_vec\n"
"	jmp xt_idt_common\n"
"	.set xt_vec, xt_vec + 1\n"
"	.endr\n"
"	.balign 16\n"
"xt_idt_common:\n"
"	pushq %rax\n"
"	pushq %rbx\n"
"	pushq %rcx\n"
"	pushq %rdx\n"
"	pushq %rsi\n"
"	pushq %rdi\n"
"	pushq %rbp\n"
"	pushq %r8\n"
"	pushq %r9\n"
"	pushq %r10\n"
"	pushq %r11\n"
"	pushq %r12\n"
"	pushq %r13\n"
"	pushq %r14\n"
"	pushq %r15\n"
"	movq %rsp, %rdi\n"
"	cld\n"
"	call xt_guest_exception\n"
"	popq %r15\n"
"	popq %r14\n"
"	popq %r13\n"
"	popq %r12\n"
"	popq %r11\n"
"	popq %r10\n"
"	popq %r9\n"
"	popq %r8\n"
"	popq %rbp\n"
"	popq %rdi\n"
"	popq %rsi\n"
"	popq %rdx\n"
"	popq %rcx\n"
"	popq %rbx\n"
"	popq %rax\n"
"	addq $16, %rsp\n"
"	iretq\n"
"	.popsection\n");

extern char xt_idt_stubs[];

void xt_guest_exception(struct xt_ex_regs *regs);

/* No handler, or not one the handler expected: report, forever. */
GUEST_CODE static void __attribute__((noreturn))
xt_guest_unhandled(struct xt_ex_regs *regs)
{
	for (;;) {
		ucall(UCALL_UNHANDLED, regs->vector, regs->error_code,
		      regs->rip, xt_read_cr2(), 0, 0);
		xt_hlt();
	}
}

GUEST_CODE void xt_guest_exception(struct xt_ex_regs *regs)
{
	uint64_t addr = XT_SYS_GPA + XT_SYS_HANDLERS;
	xt_guest_handler_t *table, fn;

	/* Hide the constant address from the compiler's bounds checks. */
	asm("" : "=r"(table) : "0"(addr));
	fn = table[regs->vector & 0xff];
	if (fn) {
		fn(regs);
		return;
	}
	xt_guest_unhandled(regs);
}

GUEST_CODE void xt_guest_safe_handler(struct xt_ex_regs *regs)
{
	if (regs->r9 == XT_SAFE_MAGIC && regs->rip >= regs->r10 &&
	    regs->rip < regs->r11) {
		regs->rip = regs->r11;
		regs->r9 = regs->vector;
		return;
	}
	xt_guest_unhandled(regs);
}

/* ---- guest: ring 3 ------------------------------------------------------------ */

/* Addresses for the assembly below, which cannot use the C constants. */
#define USER_STATE	"0x1000a000"	/* XT_SYS_GPA + XT_SYS_USER */
#define USER_STACK	"0x1000c000"	/* XT_SYS_GPA + XT_SYS_USER_STACK */
_Static_assert(XT_SYS_GPA + XT_SYS_USER == 0x1000a000, "USER_STATE");
_Static_assert(XT_SYS_GPA + XT_SYS_USER_STACK == 0x1000c000, "USER_STACK");
_Static_assert(XT_SEL_UDATA == 0x33 && XT_SEL_UCODE64 == 0x3b, "selectors");
_Static_assert(XT_VEC_USER_EXIT == 0xfe, "XT_VEC_USER_EXIT");

/*
 * xt_guest_run_user(fn, arg): save the callee-saved registers and RFLAGS
 * on the ring-0 stack, remember that stack, and IRETQ to fn(arg) at CPL3
 * with a return address that raises XT_VEC_USER_EXIT. Its handler
 * (user_exit_handler) IRETQs to xt_user_resume at CPL0 on the saved
 * stack, RAX (fn's result) untouched.
 */
asm(
"	.pushsection .text\n"
"	.globl xt_guest_run_user\n"
"	.type xt_guest_run_user, @function\n"
"xt_guest_run_user:\n"
"	pushq %rbx\n"
"	pushq %rbp\n"
"	pushq %r12\n"
"	pushq %r13\n"
"	pushq %r14\n"
"	pushq %r15\n"
"	pushfq\n"
"	movabsq $" USER_STATE ", %rax\n"
"	movq %rsp, (%rax)\n"
"	movabsq $" USER_STACK " - 8, %rax\n"
"	leaq xt_user_ret_stub(%rip), %rcx\n"
"	movq %rcx, (%rax)\n"
"	pushq $0x33\n"			/* SS */
"	pushq %rax\n"			/* RSP */
"	pushq $0x3002\n"		/* RFLAGS: IOPL 3, IF 0 */
"	pushq $0x3b\n"			/* CS */
"	pushq %rdi\n"			/* RIP */
"	movq %rsi, %rdi\n"
"	iretq\n"
"xt_user_ret_stub:\n"
"	int $0xfe\n"
"	ud2\n"
"	.globl xt_user_resume\n"
"xt_user_resume:\n"
"	popfq\n"
"	popq %r15\n"
"	popq %r14\n"
"	popq %r13\n"
"	popq %r12\n"
"	popq %rbp\n"
"	popq %rbx\n"
"	ret\n"
"	.popsection\n");

extern char xt_user_resume[];

GUEST_CODE static void user_exit_handler(struct xt_ex_regs *regs)
{
	uint64_t addr = XT_SYS_GPA + XT_SYS_USER, *state;

	asm("" : "=r"(state) : "0"(addr));
	if ((regs->cs & 3) != 3)
		xt_guest_unhandled(regs);
	regs->rip = (uintptr_t)xt_user_resume;
	regs->cs = XT_SEL_CODE64;
	regs->ss = XT_SEL_DATA;
	regs->rsp = state[0];
	regs->rflags = X86_RFLAGS_FIXED;
}

/* The return address on every initial guest stack. */
GUEST_CODE static void xt_guest_code_returned(void)
{
	GUEST_FAIL("the guest function returned without GUEST_DONE()");
}

/* ---- host: the image slot ------------------------------------------------------ */

void xt_image_range(uint64_t *start, uint64_t *size)
{
	uint64_t s = (uintptr_t)__executable_start & ~(XT_PAGE_SIZE - 1);
	uint64_t e = XT_ALIGN_UP((uintptr_t)_end, XT_PAGE_SIZE);

	TEST_ASSERT(s >= 0x400000 && e <= XT_SYS_GPA,
		    "test image at 0x%llx-0x%llx: build with -static -no-pie -Wl,-Ttext-segment=0x400000",
		    (unsigned long long)s, (unsigned long long)e);
	*start = s;
	*size = e - s;
}

/*
 * The guest gets the binary's own pages. Make them writable, and make
 * each one a private anonymous page now (an atomic add of 0 is a write
 * that cannot lose a concurrent update), so whatever way the kernel pins
 * them, host and guest share the same page afterwards. A fork() makes
 * them copy-on-write again: tests fork before they create VMs.
 */
static void image_prepare(uint64_t start, uint64_t size)
{
	static bool writable;
	uint64_t off;

	if (!writable) {
		TEST_ASSERT(!mprotect((void *)(uintptr_t)start, size,
				      PROT_READ | PROT_WRITE | PROT_EXEC),
			    "mprotect the test image RWX: %s", strerror(errno));
		writable = true;
	}
	for (off = 0; off < size; off += XT_PAGE_SIZE)
		__atomic_fetch_add((uint8_t *)(uintptr_t)(start + off), 0,
				   __ATOMIC_RELAXED);
}

/* ---- host: the system area -------------------------------------------------------- */

static void *sys_ptr(struct xt_vm *vm, uint64_t off)
{
	return (char *)vm->sys_hva + off;
}

static void build_page_tables(struct xt_vm *vm)
{
	uint64_t *pml4 = sys_ptr(vm, XT_SYS_PML4);
	uint64_t *pdpt = sys_ptr(vm, XT_SYS_PDPT);
	uint64_t i, j;

	/* Present | writable; PS for the 2 MiB leaves; PAT index 0 (WB). */
	pml4[0] = (XT_SYS_GPA + XT_SYS_PDPT) | 0x3;
	for (i = 0; i < XT_IDMAP_SIZE >> 30; i++) {
		uint64_t *pd = sys_ptr(vm, XT_SYS_PD + i * XT_PAGE_SIZE);

		pdpt[i] = (XT_SYS_GPA + XT_SYS_PD + i * XT_PAGE_SIZE) | 0x3;
		for (j = 0; j < 512; j++)
			pd[j] = (i << 30) | (j << 21) | 0x83;
	}
}

static void build_gdt_tss(struct xt_vm *vm)
{
	uint64_t *gdt = sys_ptr(vm, XT_SYS_GDT);
	uint64_t base = XT_SYS_GPA + XT_SYS_TSS, limit = 0x67;
	uint8_t *tss = sys_ptr(vm, XT_SYS_TSS);

	gdt[0] = 0;
	gdt[XT_SEL_CODE32 >> 3] = 0x00cf9b000000ffffULL;	/* 32-bit code */
	gdt[XT_SEL_DATA >> 3] = 0x00cf93000000ffffULL;		/* flat data */
	gdt[XT_SEL_CODE64 >> 3] = 0x00af9b000000ffffULL;	/* 64-bit code */
	gdt[XT_SEL_UDATA >> 3] = 0x00cff3000000ffffULL;		/* data, DPL 3 */
	gdt[XT_SEL_UCODE64 >> 3] = 0x00affb000000ffffULL;	/* code, DPL 3 */
	/* Busy TSS (type 0xb), as TR holds it; 16 bytes in long mode. */
	gdt[XT_SEL_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			       (0x8bULL << 40) | (((limit >> 16) & 0xf) << 48) |
			       (((base >> 24) & 0xff) << 56);
	gdt[(XT_SEL_TSS >> 3) + 1] = base >> 32;
	/* I/O map base past the limit: no I/O bitmap. */
	tss[0x66] = 0x68;
}

static void build_idt(struct xt_vm *vm)
{
	uint64_t *idt = sys_ptr(vm, XT_SYS_IDT);
	unsigned int v;

	for (v = 0; v < 256; v++) {
		uint64_t a = (uintptr_t)xt_idt_stubs + 16 * v;

		/* 64-bit interrupt gate, present, DPL 0, no IST. */
		idt[2 * v] = (a & 0xffff) | ((uint64_t)XT_SEL_CODE64 << 16) |
			     (0x8eULL << 40) | (((a >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = a >> 32;
	}
}

struct xt_vm *xt_vm_create_x86(void)
{
	struct xt_vm *vm = xt_vm_create();
	uint64_t start, size;

	xt_image_range(&start, &size);
	image_prepare(start, size);
	xt_set_memory_region(vm, XT_IMAGE_SLOT, 0, start, size,
			     (void *)(uintptr_t)start);
	vm->sys_hva = xt_vm_add_slot(vm, XT_SYS_SLOT, XT_SYS_GPA, XT_SYS_SIZE,
				     0);
	vm->sys_gpa = XT_SYS_GPA;
	vm->sys_size = XT_SYS_SIZE;
	vm->sys_next = XT_SYS_HEAP;
	build_page_tables(vm);
	build_gdt_tss(vm);
	build_idt(vm);
	return vm;
}

uint64_t xt_vm_alloc(struct xt_vm *vm, uint64_t size, uint64_t align,
		     void **hva)
{
	uint64_t off;

	TEST_ASSERT(vm->sys_hva, "not an x86 VM (xt_vm_create_x86)");
	off = XT_ALIGN_UP(vm->sys_next, align ? align : 16);
	TEST_ASSERT(off + size <= vm->sys_size,
		    "system area full: %llu + %llu > %llu",
		    (unsigned long long)off, (unsigned long long)size,
		    (unsigned long long)vm->sys_size);
	vm->sys_next = off + size;
	memset(sys_ptr(vm, off), 0, size);
	if (hva)
		*hva = sys_ptr(vm, off);
	return vm->sys_gpa + off;
}

void xt_vm_install_handler(struct xt_vm *vm, unsigned int vector,
			   xt_guest_handler_t fn)
{
	uint64_t *table;

	TEST_ASSERT(vm->sys_hva && vector < 256, "vector %u", vector);
	table = sys_ptr(vm, XT_SYS_HANDLERS);
	table[vector] = (uintptr_t)fn;
}

void xt_vm_install_safe_handlers(struct xt_vm *vm)
{
	unsigned int v;

	for (v = 0; v < 32; v++)
		xt_vm_install_handler(vm, v, xt_guest_safe_handler);
}

void xt_vm_enable_user(struct xt_vm *vm)
{
	uint64_t *pml4 = sys_ptr(vm, XT_SYS_PML4);
	uint64_t *pdpt = sys_ptr(vm, XT_SYS_PDPT);
	uint64_t *pd = sys_ptr(vm, XT_SYS_PD);
	uint64_t *idt = sys_ptr(vm, XT_SYS_IDT);
	uint8_t *tss = sys_ptr(vm, XT_SYS_TSS);
	uint64_t rsp0 = XT_SYS_GPA + XT_SYS_RING0_STACK;
	uint64_t i;

	TEST_ASSERT(vm->sys_hva, "ring 3 needs an x86 VM (xt_vm_create_x86)");
	/* U/S in every level of the identity map. */
	pml4[0] |= 0x4;
	for (i = 0; i < XT_IDMAP_SIZE >> 30; i++)
		pdpt[i] |= 0x4;
	for (i = 0; i < (XT_IDMAP_SIZE >> 21); i++)
		pd[i] |= 0x4;
	/* RSP0 at offset 4 of the 64-bit TSS. */
	memcpy(tss + 4, &rsp0, sizeof(rsp0));
	/* The way back: an interrupt gate ring 3 may use (DPL 3). */
	idt[2 * XT_VEC_USER_EXIT] |= 3ULL << 45;
	xt_vm_install_handler(vm, XT_VEC_USER_EXIT, user_exit_handler);
}

/* ---- host: vCPU modes ------------------------------------------------------------- */

static void seg_set(struct xvcpu_segment *s, uint64_t base, uint32_t limit,
		    uint16_t sel, uint8_t type, uint8_t db, uint8_t l,
		    uint8_t g)
{
	memset(s, 0, sizeof(*s));
	s->base = base;
	s->limit = limit;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = g;
}

static void sregs_clean(struct xvcpu_sregs *s)
{
	/* Whatever GET_SREGS returned, SET_SREGS wants zero here. */
	memset(s->reserved, 0, sizeof(s->reserved));
	memset(s->gdt.padding, 0, sizeof(s->gdt.padding));
	memset(s->idt.padding, 0, sizeof(s->idt.padding));
	s->cr2 = 0;
	s->cr8 = 0;
}

static void tr_set(struct xvcpu_segment *tr, uint64_t base, uint32_t limit,
		   uint16_t sel)
{
	memset(tr, 0, sizeof(*tr));
	tr->base = base;
	tr->limit = limit;
	tr->selector = sel;
	tr->type = 0xb;		/* busy TSS (32-bit, or 64-bit in long mode) */
	tr->present = 1;
}

static void ldt_unusable(struct xvcpu_segment *ldt)
{
	memset(ldt, 0, sizeof(*ldt));
	ldt->type = 2;
	ldt->unusable = 1;
}

static void vcpu_stack(struct xt_vcpu *vcpu)
{
	uint64_t gpa;

	if (vcpu->stack_top)
		return;
	gpa = xt_vm_alloc(vcpu->vm, XT_STACK_SIZE, XT_PAGE_SIZE, NULL);
	vcpu->stack_top = gpa + XT_STACK_SIZE;
}

void xt_vcpu_setup_long_mode(struct xt_vcpu *vcpu, void *rip)
{
	struct xt_vm *vm = vcpu->vm;
	struct xvcpu_sregs s;
	struct xvcpu_regs r;
	uint64_t *ret;

	TEST_ASSERT(vm->sys_hva, "long mode needs an x86 VM (xt_vm_create_x86)");
	vcpu_stack(vcpu);
	xt_vcpu_get_sregs(vcpu, &s);
	sregs_clean(&s);
	seg_set(&s.cs, 0, 0xffffffff, XT_SEL_CODE64, 0xb, 0, 1, 1);
	seg_set(&s.ds, 0, 0xffffffff, XT_SEL_DATA, 0x3, 1, 0, 1);
	s.es = s.ds;
	s.fs = s.ds;
	s.gs = s.ds;
	s.ss = s.ds;
	tr_set(&s.tr, XT_SYS_GPA + XT_SYS_TSS, 0x67, XT_SEL_TSS);
	ldt_unusable(&s.ldt);
	s.gdt.base = XT_SYS_GPA + XT_SYS_GDT;
	s.gdt.limit = XT_GDT_ENTRIES * 8 - 1;
	s.idt.base = XT_SYS_GPA + XT_SYS_IDT;
	s.idt.limit = 256 * 16 - 1;
	s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		X86_CR0_WP | X86_CR0_PG;
	s.cr3 = XT_SYS_GPA + XT_SYS_PML4;
	s.cr4 = X86_CR4_PAE;
	s.efer = EFER_LME | EFER_LMA;
	xt_vcpu_set_sregs(vcpu, &s);

	/* A return from the guest function lands in xt_guest_code_returned. */
	ret = xt_gpa2hva(vm, vcpu->stack_top - 8);
	*ret = (uintptr_t)xt_guest_code_returned;
	memset(&r, 0, sizeof(r));
	r.rip = (uintptr_t)rip;
	r.rsp = vcpu->stack_top - 8;
	r.rflags = X86_RFLAGS_FIXED;
	xt_vcpu_set_regs(vcpu, &r);
}

void xt_vcpu_setup_prot32(struct xt_vcpu *vcpu, uint32_t eip, uint32_t esp)
{
	struct xt_vm *vm = vcpu->vm;
	struct xvcpu_sregs s;
	struct xvcpu_regs r;

	TEST_ASSERT(vm->sys_hva, "protected mode needs an x86 VM");
	if (!esp) {
		vcpu_stack(vcpu);
		esp = vcpu->stack_top;
	}
	xt_vcpu_get_sregs(vcpu, &s);
	sregs_clean(&s);
	seg_set(&s.cs, 0, 0xffffffff, XT_SEL_CODE32, 0xb, 1, 0, 1);
	seg_set(&s.ds, 0, 0xffffffff, XT_SEL_DATA, 0x3, 1, 0, 1);
	s.es = s.ds;
	s.fs = s.ds;
	s.gs = s.ds;
	s.ss = s.ds;
	tr_set(&s.tr, XT_SYS_GPA + XT_SYS_TSS, 0x67, XT_SEL_TSS);
	ldt_unusable(&s.ldt);
	s.gdt.base = XT_SYS_GPA + XT_SYS_GDT;
	s.gdt.limit = XT_GDT_ENTRIES * 8 - 1;
	/* No 32-bit gates: any exception is a triple fault. */
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	xt_vcpu_set_sregs(vcpu, &s);

	memset(&r, 0, sizeof(r));
	r.rip = eip;
	r.rsp = esp;
	r.rflags = X86_RFLAGS_FIXED;
	xt_vcpu_set_regs(vcpu, &r);
}

void xt_vcpu_setup_real_mode(struct xt_vcpu *vcpu, uint16_t cs, uint16_t ip)
{
	struct xvcpu_sregs s;
	struct xvcpu_regs r;

	xt_vcpu_get_sregs(vcpu, &s);
	sregs_clean(&s);
	/* Real-mode segments as VMX wants them with unrestricted guest. */
	seg_set(&s.cs, (uint64_t)cs << 4, 0xffff, cs, 0xb, 0, 0, 0);
	seg_set(&s.ds, 0, 0xffff, 0, 0x3, 0, 0, 0);
	s.es = s.ds;
	s.fs = s.ds;
	s.gs = s.ds;
	s.ss = s.ds;
	tr_set(&s.tr, 0, 0xffff, 0);
	memset(&s.ldt, 0, sizeof(s.ldt));
	s.ldt.limit = 0xffff;
	s.ldt.type = 2;
	s.ldt.present = 1;
	s.gdt.base = 0;
	s.gdt.limit = 0xffff;
	s.idt.base = 0;
	s.idt.limit = 0x3ff;
	s.cr0 = X86_CR0_ET | X86_CR0_NE;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	xt_vcpu_set_sregs(vcpu, &s);

	memset(&r, 0, sizeof(r));
	r.rip = ip;
	r.rflags = X86_RFLAGS_FIXED;
	xt_vcpu_set_regs(vcpu, &r);
}

void xt_vcpu_args_set(struct xt_vcpu *vcpu, unsigned int n, ...)
{
	struct xvcpu_regs r;
	__u64 *slots[] = { &r.rdi, &r.rsi, &r.rdx, &r.rcx, &r.r8, &r.r9 };
	unsigned int i;
	va_list ap;

	TEST_ASSERT(n <= XT_ARRAY_SIZE(slots), "%u arguments", n);
	xt_vcpu_get_regs(vcpu, &r);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		*slots[i] = va_arg(ap, uint64_t);
	va_end(ap);
	xt_vcpu_set_regs(vcpu, &r);
}

struct xt_vcpu *xt_vm_add_vcpu(struct xt_vm *vm, uint32_t id,
			       void *guest_code)
{
	struct xt_vcpu *vcpu = xt_vcpu_add(vm, id);

	xt_vcpu_setup_long_mode(vcpu, guest_code);
	return vcpu;
}

struct xt_vm *xt_vm_create_with_vcpu(struct xt_vcpu **vcpu, void *guest_code)
{
	struct xt_vm *vm = xt_vm_create_x86();

	*vcpu = xt_vm_add_vcpu(vm, 0, guest_code);
	return vm;
}

const char *xt_vector_str(uint64_t vector)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", "#MF9", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};

	if (vector < XT_ARRAY_SIZE(names))
		return names[vector];
	return vector < 32 ? "reserved" : "interrupt";
}
