// SPDX-License-Identifier: GPL-2.0
/*
 * Running guests: real, protected and long mode, the ucall channel
 * itself, HLT, port I/O of every size and string I/O, VMCALL, a triple
 * fault and VM-entry failures. Guest code is C (or assembly, for real and
 * protected mode) in this file, identity mapped by lib/x86.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

/* ---- real mode -------------------------------------------------------------- */

#define RM_SLOT		0
#define RM_CODE_GPA	0x1000

/*
 * At 0000:1000: write a word through DS=0x200 (linear 0x2010, away from
 * the code), OUT a byte, HLT, and once resumed, HLT again.
 */
asm(".pushsection .rodata\n"
	".globl rm_code, rm_code_end, rm_code_hlt1\n"
	"rm_code:\n"
	".code16\n"
	"	mov $0x200, %ax\n"
	"	mov %ax, %ds\n"
	"	movw $0xbeef, 0x10\n"
	"	mov $0x1234, %bx\n"
	"	mov $0x42, %al\n"
	"	out %al, $0x10\n"
	"	hlt\n"
	"rm_code_hlt1:\n"
	"	inc %bx\n"
	"	hlt\n"
	"rm_code_end:\n"
	".code64\n"
	".popsection\n");
extern const char rm_code[], rm_code_end[], rm_code_hlt1[];

TEST_F(xvcpu, real_mode_hlt)
{
	struct xt_vm *vm = xt_vm_create();
	struct xt_vcpu *vcpu;
	struct xvcpu_sregs s;
	struct xvcpu_regs r;
	uint8_t *mem;

	mem = xt_vm_add_slot(vm, RM_SLOT, 0, 0x10000, 0);
	memcpy(mem + RM_CODE_GPA, rm_code, rm_code_end - rm_code);
	vcpu = xt_vcpu_add(vm, 0);
	xt_vcpu_setup_real_mode(vcpu, 0, RM_CODE_GPA);

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
	ASSERT_EQ(XVCPU_EXIT_IO_OUT, vcpu->run->io.direction);
	ASSERT_EQ(1, vcpu->run->io.size);
	ASSERT_EQ(0x10, vcpu->run->io.port);
	ASSERT_EQ(1, vcpu->run->io.count);
	ASSERT_EQ(0x42, *(uint8_t *)xt_io_data(vcpu));
	/* Segment arithmetic: DS 0x200 : 0x10 is linear 0x2010. */
	ASSERT_EQ(0xbeef, *(uint16_t *)(mem + 0x2010));

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HLT);
	xt_vcpu_get_regs(vcpu, &r);
	ASSERT_EQ(RM_CODE_GPA + (rm_code_hlt1 - rm_code), r.rip);
	ASSERT_EQ(0x1234, r.rbx & 0xffff);
	xt_vcpu_get_sregs(vcpu, &s);
	ASSERT_EQ(0, s.cr0 & X86_CR0_PE);
	ASSERT_EQ(0x2000, s.ds.base);
	ASSERT_EQ(0x200, s.ds.selector);

	/* HLT resumes at the next instruction. */
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HLT);
	xt_vcpu_get_regs(vcpu, &r);
	ASSERT_EQ(RM_CODE_GPA + (rm_code_end - rm_code), r.rip);
	ASSERT_EQ(0x1235, r.rbx & 0xffff);
	xt_vm_destroy(vm);
}

/* ---- long mode and the channel ---------------------------------------------------- */

static volatile uint64_t lm_host_value;

GUEST_CODE static void guest_long_mode(uint64_t a0, uint64_t a1)
{
	uint64_t i, sum = 0;

	GUEST_ASSERT_EQ(a0, 0x1122334455667788ULL);
	GUEST_ASSERT_EQ(a1, 42);
	GUEST_ASSERT(xt_read_cr0() & X86_CR0_PG);
	GUEST_ASSERT(xt_read_cr0() & X86_CR0_PE);
	GUEST_ASSERT(xt_read_cr4() & X86_CR4_PAE);
	/* The host's VMXE must not show through the CR4 read shadow. */
	GUEST_ASSERT_EQ(xt_read_cr4() & X86_CR4_VMXE, 0);
	GUEST_ASSERT_EQ(xt_read_cr3(), XT_SYS_GPA + XT_SYS_PML4);
	GUEST_SYNC(1);
	/* The host wrote this global between the two syncs. */
	GUEST_SYNC_ARGS(2, lm_host_value);
	for (i = 1; i <= 1000; i++)
		sum += i * READ_ONCE(lm_host_value);
	GUEST_SYNC_ARGS(3, sum, 0xa1, 0xa2, 0xa3, 0xa4);
	GUEST_DONE();
}

TEST_F(xvcpu, long_mode_ucall)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_long_mode);
	uint64_t count0, count1;
	struct ucall uc;

	xt_vcpu_args_set(vcpu, 2, 0x1122334455667788ULL, 42ULL);
	lm_host_value = 0;
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	count0 = vcpu->run->exit_count;
	ASSERT_GT(count0, 0);
	lm_host_value = 0xfeed;
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(0xfeed, uc.args[1]);
	TEST_ASSERT_SYNC(vcpu, 3, &uc);
	ASSERT_EQ(500500ULL * 0xfeed, uc.args[1]);
	ASSERT_EQ(0xa1, uc.args[2]);
	ASSERT_EQ(0xa4, uc.args[5]);
	TEST_ASSERT_DONE(vcpu);
	count1 = vcpu->run->exit_count;
	ASSERT_GE(count1, count0 + 2);
	xt_vm_destroy(vm);
}

static volatile uint64_t abort_line;

GUEST_CODE static void guest_assert_fails(void)
{
	volatile uint64_t x = 2;

	abort_line = __LINE__ + 1;
	GUEST_ASSERT_EQ(x + 1, 4);
	GUEST_DONE();
}

/* The channel reports a failed guest assertion with file, line and values. */
TEST_F(xvcpu, ucall_guest_assert_reports)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_assert_fails);
	char file[256], msg[1024];
	struct ucall uc;

	xt_vcpu_run(vcpu);
	ASSERT_EQ(UCALL_ABORT, get_ucall(vcpu, &uc));
	xt_read_guest_string(vm, uc.args[0], file, sizeof(file));
	ASSERT_NE(NULL, strstr(file, "xvcpu_run_test.c")) TH_LOG("file %s", file);
	ASSERT_EQ(abort_line, uc.args[1]);
	ASSERT_EQ(3, uc.args[3]);
	ASSERT_EQ(4, uc.args[4]);
	xt_ucall_message(vm, &uc, msg, sizeof(msg));
	ASSERT_NE(NULL, strstr(msg, "x + 1 == 4 (0x3 vs 0x4)")) TH_LOG("%s", msg);
	xt_vm_destroy(vm);
}

extern char ud2_insn[], pf_insn[];

GUEST_CODE static void guest_ud2(void)
{
	asm volatile("ud2_insn: ud2");
}

GUEST_CODE static void guest_page_fault(void)
{
	/* Above the 4 GiB identity map: not present. */
	asm volatile("pf_insn: movq 0x200000010, %%rax" : : : "rax", "memory");
}

/* An exception without a handler is reported with vector, rip and cr2. */
TEST_F(xvcpu, unhandled_exception_reported)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_ud2);
	struct ucall uc;

	xt_vcpu_run(vcpu);
	ASSERT_EQ(UCALL_UNHANDLED, get_ucall(vcpu, &uc));
	ASSERT_EQ(X86_VEC_UD, uc.args[0]);
	ASSERT_EQ((uintptr_t)ud2_insn, uc.args[2]);
	xt_vm_destroy(vm);

	vm = xt_vm_create_with_vcpu(&vcpu, guest_page_fault);
	xt_vcpu_run(vcpu);
	ASSERT_EQ(UCALL_UNHANDLED, get_ucall(vcpu, &uc));
	ASSERT_EQ(X86_VEC_PF, uc.args[0]);
	ASSERT_EQ(0, uc.args[1]);	/* read of a not-present page, CPL0 */
	ASSERT_EQ((uintptr_t)pf_insn, uc.args[2]);
	ASSERT_EQ(0x200000010ULL, uc.args[3]);
	xt_vm_destroy(vm);
}

/* ---- protected mode ------------------------------------------------------------ */

struct ucall pm32_ucall = { .cmd = UCALL_SYNC, .args = { 32 } };
volatile uint32_t pm32_cr0, pm32_push_size, pm32_marker;

/*
 * 32-bit flat protected mode, no paging: store CR0, measure the push
 * width (4 with a 32-bit stack), write a marker above 1 MiB, report
 * through the channel, HLT.
 */
asm(".pushsection .text\n"
	".globl guest_pm32, guest_pm32_end\n"
	".code32\n"
	"guest_pm32:\n"
	"	mov %cr0, %eax\n"
	"	mov %eax, pm32_cr0\n"
	"	mov %esp, %ebx\n"
	"	push $0x12345678\n"
	"	sub %esp, %ebx\n"
	"	pop %ecx\n"
	"	mov %ebx, pm32_push_size\n"
	"	movl $0x32323232, pm32_marker\n"
	"	mov $pm32_ucall, %eax\n"
	"	mov $0xE0F0, %dx\n"
	"	out %eax, %dx\n"
	"	hlt\n"
	"guest_pm32_end:\n"
	".code64\n"
	".popsection\n");
extern char guest_pm32[], guest_pm32_end[];

TEST_F(xvcpu, protected_mode_32bit)
{
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu = xt_vcpu_add(vm, 0);
	struct xvcpu_sregs s;
	struct xvcpu_regs r;

	ASSERT_EQ(UCALL_PORT, 0xE0F0);
	pm32_cr0 = pm32_push_size = pm32_marker = 0;
	xt_vcpu_setup_prot32(vcpu, (uintptr_t)guest_pm32, 0);
	TEST_ASSERT_SYNC(vcpu, 32, NULL);
	ASSERT_EQ(X86_CR0_PE, pm32_cr0 & (X86_CR0_PE | X86_CR0_PG));
	ASSERT_EQ(4, pm32_push_size);
	ASSERT_EQ(0x32323232, pm32_marker);
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HLT);
	xt_vcpu_get_regs(vcpu, &r);
	ASSERT_EQ((uintptr_t)guest_pm32_end, r.rip);
	xt_vcpu_get_sregs(vcpu, &s);
	ASSERT_EQ(1, s.cs.db);
	ASSERT_EQ(0, s.cs.l);
	ASSERT_EQ(0, s.efer & EFER_LMA);
	xt_vm_destroy(vm);
}

/* ---- HLT in long mode --------------------------------------------------------- */

static volatile uint64_t hlt_progress;

GUEST_CODE static void guest_hlt_loop(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		xt_hlt();
		hlt_progress = i + 1;
	}
	GUEST_DONE();
}

TEST_F(xvcpu, long_mode_hlt_resume)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt_loop);
	int i;

	hlt_progress = 0;
	for (i = 0; i < 3; i++) {
		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HLT);
		ASSERT_EQ(i, hlt_progress);
	}
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(3, hlt_progress);
	xt_vm_destroy(vm);
}

/* ---- VMCALL ----------------------------------------------------------------- */

struct hc_case {
	uint64_t nr, args[5], ret;
};

static const struct hc_case hc_cases[] = {
	{ 0x1000, { 1, 2, 3, 4, 5 }, 0xabcdef },
	{ 0xdead0000beefULL,
	  { ~0ULL, 0x8000000000000000ULL, 0, 0x7fffffffffffffffULL,
	    0x5555aaaa5555aaaaULL }, 0 },
	{ 7, { 0, 0, 0, 0, 0 }, ~0ULL },
};

GUEST_CODE static void guest_hypercall(void)
{
	unsigned int i;

	for (i = 0; i < XT_ARRAY_SIZE(hc_cases); i++) {
		const struct hc_case *c = &hc_cases[i];
		uint64_t a = c->nr, b = c->args[0], cx = c->args[1];
		uint64_t d = c->args[2], si = c->args[3], di = c->args[4];
		uint64_t r8 = 0x8888, r15 = 0xf15f15;

		asm volatile("vmcall"
			     : "+a"(a), "+b"(b), "+c"(cx), "+d"(d), "+S"(si),
			       "+D"(di)
			     : "r"(r8), "r"(r15)
			     : "memory");
		GUEST_ASSERT_EQ(a, c->ret);
		/* Only RAX changes. */
		GUEST_ASSERT_EQ(b, c->args[0]);
		GUEST_ASSERT_EQ(cx, c->args[1]);
		GUEST_ASSERT_EQ(d, c->args[2]);
		GUEST_ASSERT_EQ(si, c->args[3]);
		GUEST_ASSERT_EQ(di, c->args[4]);
	}
	GUEST_DONE();
}

TEST_F(xvcpu, hypercall_args_and_return)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hypercall);
	struct xvcpu_run *run = vcpu->run;
	unsigned int i, j;

	for (i = 0; i < XT_ARRAY_SIZE(hc_cases); i++) {
		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HYPERCALL);
		ASSERT_EQ(hc_cases[i].nr, run->hypercall.nr);
		for (j = 0; j < 5; j++)
			ASSERT_EQ(hc_cases[i].args[j], run->hypercall.args[j])
				TH_LOG("case %u arg %u", i, j);
		run->hypercall.ret = hc_cases[i].ret;
	}
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ---- triple fault, failed entries ------------------------------------------------- */

GUEST_CODE static void guest_triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	/* #UD with an empty IDT: #GP, #DF, shutdown. */
	asm volatile("lidt %0; ud2" : : "m"(idtr) : "memory");
	GUEST_FAIL("survived a triple fault");
}

TEST_F(xvcpu, triple_fault_shutdown)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_triple_fault);

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_SHUTDOWN);
	xt_vm_destroy(vm);
}

GUEST_CODE static void guest_done(void)
{
	GUEST_DONE();
}

/* VM-entry failure "invalid guest state": exit reason 33 | bit 31. */
#define VMX_ENTRY_FAIL_GUEST_STATE	0x80000021ULL

static void assert_fail_entry(struct __test_metadata *_metadata,
			      struct xt_vcpu *vcpu)
{
	struct xvcpu_run *run = vcpu->run;

	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_FAIL_ENTRY);
	ASSERT_EQ(VMX_ENTRY_FAIL_GUEST_STATE,
		  run->fail_entry.hardware_entry_failure_reason);
	/* The entry instruction itself succeeded: no VM-instruction error. */
	ASSERT_EQ(0, run->fail_entry.vm_instruction_error);
	ASSERT_LT(run->fail_entry.cpu, (uint32_t)xt_online_cpus());
	/* 0: no PDPTE/NMI/link-pointer detail for a plain state check. */
	ASSERT_EQ(0, run->fail_entry.exit_qualification);
}

/* States VM entry refuses even with unrestricted guest (SDM 26.3.1.2). */
static const char *const bad_state_names[] = {
	"CS.L and CS.D both set in IA-32e mode",
	"CS not present",
	"TR an available (not busy) TSS",
};

static void set_bad_state(struct xt_vcpu *vcpu, unsigned int i)
{
	struct xvcpu_sregs s;

	xt_vcpu_get_sregs(vcpu, &s);
	if (i == 0)
		s.cs.db = 1;
	else if (i == 1)
		s.cs.present = 0;
	else
		s.tr.type = 0x9;
	/* Each passes SET_SREGS's own field checks. */
	xt_vcpu_set_sregs(vcpu, &s);
}

/* Each bad state, on a fresh vCPU: RUN reports the failed entry. */
TEST_F(xvcpu, invalid_guest_state_fail_entry)
{
	unsigned int i;

	for (i = 0; i < XT_ARRAY_SIZE(bad_state_names); i++) {
		struct xt_vcpu *vcpu;
		struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_done);

		set_bad_state(vcpu, i);
		xt_vcpu_run(vcpu);
		TH_LOG("%s: exit %s", bad_state_names[i],
		       xt_exit_reason_str(vcpu->run->exit_reason));
		assert_fail_entry(_metadata, vcpu);
		xt_vm_destroy(vm);
	}
}

/*
 * After a failed entry the vCPU is not wedged: a second RUN fails the
 * same way (not with a VM-instruction error), and a valid state runs.
 * Checked without stopping at the first difference, to show all of it.
 */
TEST_F(xvcpu, fail_entry_repeat_then_recover)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_done);
	struct xvcpu_run *run = vcpu->run;
	struct ucall uc;
	char desc[512];

	set_bad_state(vcpu, 0);
	xt_vcpu_run(vcpu);
	assert_fail_entry(_metadata, vcpu);

	xt_vcpu_run(vcpu);
	xt_exit_describe(vcpu, desc, sizeof(desc));
	EXPECT_EQ(XVCPU_EXIT_FAIL_ENTRY, run->exit_reason);
	EXPECT_EQ(VMX_ENTRY_FAIL_GUEST_STATE,
		  run->fail_entry.hardware_entry_failure_reason)
		TH_LOG("second RUN after a failed entry: %s", desc);
	EXPECT_EQ(0, run->fail_entry.vm_instruction_error)
		TH_LOG("second RUN after a failed entry: %s", desc);

	xt_vcpu_setup_long_mode(vcpu, guest_done);
	xt_vcpu_run(vcpu);
	xt_exit_describe(vcpu, desc, sizeof(desc));
	EXPECT_EQ(UCALL_DONE, get_ucall(vcpu, &uc))
		TH_LOG("RUN with a valid state after a failed entry: %s", desc);
	xt_vm_destroy(vm);
}

/*
 * CR0.PG=1 with CR0.PE=0. The ABI does not say whether SET_SREGS checks
 * this; accept EINVAL there, otherwise the entry must fail cleanly.
 */
TEST_F(xvcpu, invalid_guest_state_pg_without_pe)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_done);
	struct xvcpu_sregs s0, s;
	int r;

	xt_vcpu_get_sregs(vcpu, &s0);
	s = s0;
	s.cr0 &= ~X86_CR0_PE;
	r = __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s);
	if (r < 0) {
		ASSERT_EQ(EINVAL, errno);
		printf("# CR0.PG without PE: SET_SREGS refuses it (EINVAL)\n");
		/* Refused means not applied, not even in part. */
		xt_vcpu_get_sregs(vcpu, &s);
		ASSERT_EQ(s0.cr0, s.cr0);
		ASSERT_EQ(s0.cr4, s.cr4);
		ASSERT_EQ(s0.efer, s.efer);
		ASSERT_EQ(0, memcmp(&s0, &s, sizeof(s)));
		TEST_ASSERT_DONE(vcpu);
		xt_vm_destroy(vm);
		return;
	}
	xt_vcpu_run(vcpu);
	assert_fail_entry(_metadata, vcpu);
	printf("# CR0.PG without PE: VM entry fails, reason 0x%llx\n",
	       (unsigned long long)vcpu->run->fail_entry.hardware_entry_failure_reason);
	xt_vcpu_setup_long_mode(vcpu, guest_done);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ---- port I/O ------------------------------------------------------------------- */

struct io_case {
	uint16_t port;
	uint8_t size;
	uint32_t value;
};

/* Immediate-port and DX forms; never port 0x80 (the kernel's debug port). */
static const struct io_case io_out_cases[] = {
	{ 0x10, 1, 0x12 },
	{ 0x1234, 1, 0xab },
	{ 0x11, 2, 0x5678 },
	{ 0x1234, 2, 0xbeef },
	{ 0x12, 4, 0x9abcdef0 },
	{ 0xfffe, 4, 0xdeadbeef },
};

GUEST_CODE static void guest_io_out(void)
{
	xt_outb(0x10, 0x12);
	xt_outb(0x1234, 0xab);
	xt_outw(0x11, 0x5678);
	xt_outw(0x1234, 0xbeef);
	xt_outl(0x12, 0x9abcdef0);
	xt_outl(0xfffe, 0xdeadbeef);
	GUEST_DONE();
}

TEST_F(xvcpu, io_out_sizes)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_io_out);
	struct xvcpu_run *run = vcpu->run;
	unsigned int i;

	for (i = 0; i < XT_ARRAY_SIZE(io_out_cases); i++) {
		const struct io_case *c = &io_out_cases[i];
		uint32_t v = 0;

		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		ASSERT_EQ(XVCPU_EXIT_IO_OUT, run->io.direction) TH_LOG("case %u", i);
		ASSERT_EQ(c->port, run->io.port) TH_LOG("case %u", i);
		ASSERT_EQ(c->size, run->io.size) TH_LOG("case %u", i);
		ASSERT_EQ(1, run->io.count) TH_LOG("case %u", i);
		memcpy(&v, xt_io_data(vcpu), c->size);
		ASSERT_EQ(c->value, v) TH_LOG("case %u", i);
	}
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

#define IN_PRESET	0x1111111111111111ULL

GUEST_CODE static void guest_io_in(void)
{
	uint64_t a;

	a = IN_PRESET;
	asm volatile("inb $0x10, %%al" : "+a"(a));
	GUEST_ASSERT_EQ(a, 0x11111111111111a5ULL);
	a = IN_PRESET;
	asm volatile("inb %%dx, %%al" : "+a"(a) : "d"(0x1234));
	GUEST_ASSERT_EQ(a, 0x111111111111115aULL);
	a = IN_PRESET;
	asm volatile("inw $0x11, %%ax" : "+a"(a));
	GUEST_ASSERT_EQ(a, 0x111111111111b00bULL);
	a = IN_PRESET;
	asm volatile("inw %%dx, %%ax" : "+a"(a) : "d"(0x1234));
	GUEST_ASSERT_EQ(a, 0x111111111111f00dULL);
	/* A 32-bit destination zero-extends into RAX. */
	a = IN_PRESET;
	asm volatile("inl $0x12, %%eax" : "+a"(a));
	GUEST_ASSERT_EQ(a, 0x00000000cafef00dULL);
	a = IN_PRESET;
	asm volatile("inl %%dx, %%eax" : "+a"(a) : "d"(0xfffe));
	GUEST_ASSERT_EQ(a, 0x0000000087654321ULL);
	GUEST_DONE();
}

static const struct io_case io_in_cases[] = {
	{ 0x10, 1, 0xa5 },
	{ 0x1234, 1, 0x5a },
	{ 0x11, 2, 0xb00b },
	{ 0x1234, 2, 0xf00d },
	{ 0x12, 4, 0xcafef00d },
	{ 0xfffe, 4, 0x87654321 },
};

TEST_F(xvcpu, io_in_sizes)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_io_in);
	struct xvcpu_run *run = vcpu->run;
	unsigned int i;

	for (i = 0; i < XT_ARRAY_SIZE(io_in_cases); i++) {
		const struct io_case *c = &io_in_cases[i];
		uint8_t *data;

		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		ASSERT_EQ(XVCPU_EXIT_IO_IN, run->io.direction) TH_LOG("case %u", i);
		ASSERT_EQ(c->port, run->io.port) TH_LOG("case %u", i);
		ASSERT_EQ(c->size, run->io.size) TH_LOG("case %u", i);
		ASSERT_EQ(1, run->io.count) TH_LOG("case %u", i);
		data = xt_io_data(vcpu);
		/* Bytes past the access size must not reach the guest. */
		memset(data, 0xee, 8);
		memcpy(data, &c->value, c->size);
	}
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ---- string I/O ------------------------------------------------------------------ */

#define STR_BYTES	5000
#define STR_WORDS	1001

uint8_t outs_buf[STR_BYTES];
uint8_t ins_buf[STR_BYTES + 16];

static uint8_t pattern(unsigned int i)
{
	return (uint8_t)(i * 7 + 3) ^ (uint8_t)(i >> 8);
}

GUEST_CODE static void guest_rep_outs(void)
{
	void *si = outs_buf;
	uint64_t cx = STR_BYTES;

	asm volatile("cld; rep outsb"
		     : "+S"(si), "+c"(cx) : "d"(0xE2) : "memory");
	GUEST_ASSERT_EQ(cx, 0);
	GUEST_ASSERT_EQ(si, outs_buf + STR_BYTES);
	si = outs_buf;
	cx = STR_WORDS;
	asm volatile("rep outsw"
		     : "+S"(si), "+c"(cx) : "d"(0xE3) : "memory");
	GUEST_ASSERT_EQ(cx, 0);
	GUEST_ASSERT_EQ(si, outs_buf + 2 * STR_WORDS);
	GUEST_DONE();
}

/* Gather @count units of @size from OUT exits on @port; returns the exits. */
static int collect_outs(struct xt_vcpu *vcpu, uint16_t port, uint8_t size,
			uint32_t count, uint8_t *out)
{
	struct xvcpu_run *run = vcpu->run;
	uint32_t done = 0;
	int exits = 0;

	while (done < count) {
		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		TEST_ASSERT(run->io.direction == XVCPU_EXIT_IO_OUT &&
			    run->io.port == port && run->io.size == size,
			    "exit %d: dir %u port 0x%x size %u", exits,
			    run->io.direction, run->io.port, run->io.size);
		TEST_ASSERT(run->io.count >= 1 && run->io.count <= count - done,
			    "exit %d: count %u with %u of %u done", exits,
			    run->io.count, done, count);
		memcpy(out + done * size, xt_io_data(vcpu),
		       run->io.count * size);
		done += run->io.count;
		exits++;
	}
	return exits;
}

TEST_F(xvcpu, rep_outsb_outsw)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_rep_outs);
	static uint8_t got[STR_BYTES];
	unsigned int i;
	int exits;

	for (i = 0; i < STR_BYTES; i++)
		outs_buf[i] = pattern(i);
	memset(got, 0, sizeof(got));
	exits = collect_outs(vcpu, 0xE2, 1, STR_BYTES, got);
	for (i = 0; i < STR_BYTES; i++)
		ASSERT_EQ(pattern(i), got[i]) TH_LOG("byte %u", i);
	printf("# rep outsb: %d bytes in %d exits\n", STR_BYTES, exits);

	memset(got, 0, sizeof(got));
	exits = collect_outs(vcpu, 0xE3, 2, STR_WORDS, got);
	for (i = 0; i < 2 * STR_WORDS; i++)
		ASSERT_EQ(pattern(i), got[i]) TH_LOG("byte %u", i);
	printf("# rep outsw: %d words in %d exits\n", STR_WORDS, exits);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* OUTS from a GPA without a slot (identity mapped, so also the LA). */
#define NO_SLOT_LA	0xc0000000UL

GUEST_CODE static void guest_outs_from_mmio(void)
{
	const void *si = (const void *)NO_SLOT_LA;
	uint64_t cx = 4;

	asm volatile("cld; rep outsb"
		     : "+S"(si), "+c"(cx) : "d"(0xE2) : "memory");
	GUEST_DONE();
}

/* The MEMORY error is what RUN reports, not an I/O exit over it. */
TEST_F(xvcpu, string_io_from_no_slot_memory_error)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_outs_from_mmio);

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_INTERNAL_ERROR);
	ASSERT_EQ(XVCPU_INTERNAL_MEMORY, vcpu->run->internal.suberror);
	ASSERT_EQ(2, vcpu->run->internal.ndata);
	ASSERT_EQ(NO_SLOT_LA, vcpu->run->internal.data[0]);
	ASSERT_EQ((uint64_t)-ENOENT, vcpu->run->internal.data[1]);
	xt_vm_destroy(vm);
}

GUEST_CODE static void guest_rep_insb(void)
{
	void *di = ins_buf;
	uint64_t cx = STR_BYTES;

	asm volatile("cld; rep insb"
		     : "+D"(di), "+c"(cx) : "d"(0xE4) : "memory");
	GUEST_ASSERT_EQ(cx, 0);
	GUEST_ASSERT_EQ(di, ins_buf + STR_BYTES);
	GUEST_DONE();
}

TEST_F(xvcpu, rep_insb)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_rep_insb);
	struct xvcpu_run *run = vcpu->run;
	uint32_t done = 0, i;
	int exits = 0;

	memset(ins_buf, 0, sizeof(ins_buf));
	while (done < STR_BYTES) {
		uint8_t *data;

		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		ASSERT_EQ(XVCPU_EXIT_IO_IN, run->io.direction);
		ASSERT_EQ(0xE4, run->io.port);
		ASSERT_EQ(1, run->io.size);
		ASSERT_GE(run->io.count, 1);
		ASSERT_LE(run->io.count, STR_BYTES - done);
		data = xt_io_data(vcpu);
		for (i = 0; i < run->io.count; i++)
			data[i] = pattern(done + i);
		done += run->io.count;
		exits++;
	}
	TEST_ASSERT_DONE(vcpu);
	for (i = 0; i < STR_BYTES; i++)
		ASSERT_EQ(pattern(i), ins_buf[i]) TH_LOG("byte %u", i);
	for (i = STR_BYTES; i < sizeof(ins_buf); i++)
		ASSERT_EQ(0, ins_buf[i]) TH_LOG("byte %u written past the end", i);
	printf("# rep insb: %d bytes in %d exits\n", STR_BYTES, exits);
	xt_vm_destroy(vm);
}

TEST_HARNESS_MAIN
