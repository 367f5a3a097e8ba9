// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation: what a guest can do to the host, to the VMM process and to
 * its own defined behaviour. Every case lets the guest (or a VMM using
 * the ABI) try the bad thing and asserts the defined outcome:
 *
 *  - instructions the module handles end in a defined result;
 *  - CR0/CR4 read as the guest wrote them, through GET/SET_SREGS too;
 *    CR4 bits not offered fault;
 *  - debug state is the guest's inside and the host's after every exit
 *    (perf hardware breakpoints, DEBUGCTL, LDTR);
 *  - ring-3 guest code cannot make hypercalls;
 *  - events whose delivery fails, and any sequence of state changes,
 *    never make VM entry fail with a VM-instruction error;
 *  - state set from user space is consistent; failed entries are logged
 *    without kernel pointers; guest time is accounted as guest time;
 *  - XSAVE/XCR0 follow the host (both branches, one per test VM);
 *  - last: exception loops (#AC, #DB; CVE-2015-5307, CVE-2015-8104)
 *    keep the host responsive.
 *
 * Guests loop by iteration counts; the host bounds waits with timers.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <asm/ldt.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

#define NONE	XT_NO_VECTOR
#define GP	X86_VEC_GP
#define UD	X86_VEC_UD

/* VM-entry failure "invalid guest state": exit reason 33 | bit 31. */
#define VMX_ENTRY_FAIL_GUEST_STATE	0x80000021ULL

#define INTR_INFO_VALID		(1U << 31)
#define INTR_INFO_TYPE(i)	(((i) >> 8) & 7)

/*
 * A probe of the instruction sequence @seq (lib/x86.h XT_ASM_SAFE) that
 * may use and change any of rax-rdi and r8: the vector it raised, or
 * NONE. Inputs go in other registers ("r") or memory.
 */
#define PROBE(seq, inputs...)						\
	({								\
		uint64_t __vec;						\
		asm volatile(XT_ASM_SAFE(seq)				\
			     : XT_ASM_SAFE_OUTPUTS(__vec)		\
			     : inputs					\
			     : XT_ASM_SAFE_CLOBBERS, "rax", "rbx", "rcx", \
			       "rdx", "rsi", "rdi", "r8");		\
		(unsigned int)__vec;					\
	})

/* A probe that ended in an exit to the VMM instead (run_probes()). */
#define EXITED		0x200

static const char *vec_str(uint64_t v)
{
	if (v == NONE)
		return "no exception";
	if (v & EXITED)
		return "exit to VMM";
	return xt_vector_str(v);
}

/* The harness ends test processes with _exit(): flush stdout per line. */
static void __attribute__((constructor)) stdout_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/*
 * Run a guest of probes to GUEST_DONE. A probe the module turned into an
 * exit to user space (an internal error, say) completes with
 * EXITED | exit reason, so one wrong instruction does not hide the rest.
 */
static void run_probes(struct xt_vcpu *vcpu)
{
	struct xvcpu_regs r;
	struct ucall uc;
	char desc[512];
	int i;

	for (i = 0; i < 64; i++) {
		xt_vcpu_run(vcpu);
		if (get_ucall(vcpu, &uc) != UCALL_NONE) {
			TEST_ASSERT(xt_expect_ucall(vcpu, &uc) == UCALL_DONE,
				    "ucall %s before GUEST_DONE",
				    xt_ucall_str(uc.cmd));
			return;
		}
		xt_exit_describe(vcpu, desc, sizeof(desc));
		xt_vcpu_get_regs(vcpu, &r);
		TEST_ASSERT(r.r9 == XT_SAFE_MAGIC,
			    "exit outside a probe at rip 0x%llx: %s",
			    (unsigned long long)r.rip, desc);
		printf("# the probe at rip 0x%llx exited to the VMM: %s\n",
		       (unsigned long long)r.rip, desc);
		r.rip = r.r11;
		r.r9 = EXITED | vcpu->run->exit_reason;
		xt_vcpu_set_regs(vcpu, &r);
	}
	TEST_FAIL("more than 64 exits from probes");
}

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
		       uint32_t *c, uint32_t *d)
{
	__cpuid_count(leaf, sub, *a, *b, *c, *d);
}

/* The host kernel runs with CR4.OSXSAVE (CPUID.1:ECX.OSXSAVE[27]). */
static bool host_osxsave(void)
{
	uint32_t a, b, c, d;

	host_cpuid(1, 0, &a, &b, &c, &d);
	return c & (1U << 27);
}

static uint64_t host_xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo | ((uint64_t)hi << 32);
}

static void sig_nop(int sig)
{
}

static void install_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;	/* no SA_RESTART: RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(sig, &sa, NULL), "sigaction: %s",
		    strerror(errno));
}

/* RUN, ended by a one-shot SIGALRM after @ms if it has not returned. */
static int run_with_timer(struct xt_vcpu *vcpu, unsigned int ms, int *err)
{
	struct itimerval on = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
	struct itimerval off = {};
	int r;

	install_handler(SIGALRM, sig_nop);
	TEST_ASSERT(!setitimer(ITIMER_REAL, &on, NULL), "setitimer: %s",
		    strerror(errno));
	r = __xt_vcpu_run(vcpu);
	*err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	return r;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/*
 * XVCPU_SKIP=name,name: skip these cases (for development runs: the
 * loop cases can take the whole test VM down before the fix).
 */
static bool skip_requested(const char *name)
{
	const char *list = getenv("XVCPU_SKIP"), *p;
	size_t n = strlen(name);

	for (p = list; p && (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

/* Guest RAM of the test's own at XT_TEST_GPA (slot 2). */
#define RAM_GPA		XT_TEST_GPA
#define RAM_SIZE	0x10000UL

/* ==== 1. instructions handled for the guest end in a defined result ==== */

struct insn_case {
	const char *name;
	unsigned int expect;
};

static const struct insn_case insn_cases[] = {
	{ "CPUID", NONE },
	{ "RDMSR 0xdeadbeef", GP },
	{ "WRMSR 0xdeadbeef", GP },
	{ "RDPMC 0", GP },
	{ "INVD", NONE },
	{ "WBINVD", NONE },
	{ "MONITOR", NONE },
	{ "MWAIT", NONE },
	{ "VMXON", UD },
	{ "VMXOFF", UD },
	{ "VMCLEAR", UD },
	{ "VMPTRLD", UD },
	{ "VMPTRST", UD },
	{ "VMREAD", UD },
	{ "VMWRITE", UD },
	{ "VMLAUNCH", UD },
	{ "VMRESUME", UD },
	{ "INVEPT", UD },
	{ "INVVPID", UD },
	{ "VMFUNC", UD },
	{ "GETSEC", UD },
	{ "MOV DR0-DR3, DR6, DR7 (write, read)", NONE },
	{ "MOV DR4 (CR4.DE=0: DR6)", NONE },
	{ "MOV DR5 (CR4.DE=0: DR7)", NONE },
	{ "MOV to DR7, bit 32 set", GP },
	{ "MOV to DR4 (CR4.DE=1)", UD },
	{ "MOV from DR4 (CR4.DE=1)", UD },
	{ "MOV to DR5 (CR4.DE=1)", UD },
	{ "MOV from DR5 (CR4.DE=1)", UD },
};
#define NR_INSN_CASES	XT_ARRAY_SIZE(insn_cases)

static volatile unsigned int insn_vec[NR_INSN_CASES];
/* DR0-7 as read back after writing dr_written[]; [4], [5]: via DR4/DR5. */
static volatile uint64_t dr_read[8], dr4_alias, dr5_alias;
static const uint64_t dr_written[8] = {
	0x1000, 0x2000, 0x7fff0000, 0xffffffff80000000ULL, 0, 0,
	0xffff0ff1, 0x700,
};
static uint64_t probe_mem[4] __attribute__((aligned(64)));

GUEST_CODE static void guest_insns(void)
{
	uint64_t *m = probe_mem, cr4, bad = 1ULL << 32 | 0x400;
	volatile unsigned int *v = insn_vec;
	unsigned int i = 0;

	v[i++] = PROBE("xor %%eax, %%eax; xor %%ecx, %%ecx; cpuid");
	v[i++] = PROBE("mov $0xdeadbeef, %%ecx; rdmsr");
	v[i++] = PROBE("mov $0xdeadbeef, %%ecx; xor %%eax, %%eax; xor %%edx, %%edx; wrmsr");
	v[i++] = PROBE("xor %%ecx, %%ecx; rdpmc");
	v[i++] = PROBE("invd");
	v[i++] = PROBE("wbinvd");
	v[i++] = PROBE("mov %[m], %%rax; xor %%ecx, %%ecx; xor %%edx, %%edx; monitor",
		       [m] "r"(m));
	v[i++] = PROBE("xor %%eax, %%eax; xor %%ecx, %%ecx; mwait");
	v[i++] = PROBE("vmxon (%[m])", [m] "r"(m));
	v[i++] = PROBE("vmxoff");
	v[i++] = PROBE("vmclear (%[m])", [m] "r"(m));
	v[i++] = PROBE("vmptrld (%[m])", [m] "r"(m));
	v[i++] = PROBE("vmptrst (%[m])", [m] "r"(m));
	v[i++] = PROBE("xor %%eax, %%eax; vmread %%rax, %%rbx");
	v[i++] = PROBE("xor %%eax, %%eax; vmwrite %%rax, %%rbx");
	v[i++] = PROBE("vmlaunch");
	v[i++] = PROBE("vmresume");
	v[i++] = PROBE("mov $1, %%eax; invept (%[m]), %%rax", [m] "r"(m));
	v[i++] = PROBE("mov $1, %%eax; invvpid (%[m]), %%rax", [m] "r"(m));
	v[i++] = PROBE("xor %%eax, %%eax; xor %%ecx, %%ecx; vmfunc");
	v[i++] = PROBE("xor %%eax, %%eax; getsec");

	/* Debug registers at CPL0, CR4.DE=0 (the setup's CR4). */
	cr4 = xt_read_cr4();
	GUEST_ASSERT(!(cr4 & X86_CR4_DE));
	v[i++] = PROBE("mov 0(%[w]), %%rax; mov %%rax, %%db0;"
		       "mov 8(%[w]), %%rax; mov %%rax, %%db1;"
		       "mov 16(%[w]), %%rax; mov %%rax, %%db2;"
		       "mov 24(%[w]), %%rax; mov %%rax, %%db3;"
		       "mov 48(%[w]), %%rax; mov %%rax, %%db6;"
		       "mov 56(%[w]), %%rax; mov %%rax, %%db7;"
		       "mov %%db0, %%rax; mov %%rax, 0(%[o]);"
		       "mov %%db1, %%rax; mov %%rax, 8(%[o]);"
		       "mov %%db2, %%rax; mov %%rax, 16(%[o]);"
		       "mov %%db3, %%rax; mov %%rax, 24(%[o]);"
		       "mov %%db6, %%rax; mov %%rax, 48(%[o]);"
		       "mov %%db7, %%rax; mov %%rax, 56(%[o])",
		       [w] "r"(dr_written), [o] "r"(dr_read));
	/* DR4 aliases DR6, DR5 aliases DR7: write 0xffff0ff2 / 0x400. */
	v[i++] = PROBE("mov $0xffff0ff2, %%eax; mov %%rax, %%db4;"
		       "mov %%db4, %%rax; mov %%rax, (%[o])",
		       [o] "r"(&dr4_alias));
	dr_read[4] = xt_read_dr(6);
	v[i++] = PROBE("mov $0x400, %%eax; mov %%rax, %%db5;"
		       "mov %%db5, %%rax; mov %%rax, (%[o])",
		       [o] "r"(&dr5_alias));
	dr_read[5] = xt_read_dr(7);
	v[i++] = PROBE("mov %[b], %%db7", [b] "r"(bad));

	xt_write_cr4(cr4 | X86_CR4_DE);
	v[i++] = PROBE("xor %%eax, %%eax; mov %%rax, %%db4");
	v[i++] = PROBE("mov %%db4, %%rax");
	v[i++] = PROBE("mov $0x400, %%eax; mov %%rax, %%db5");
	v[i++] = PROBE("mov %%db5, %%rax");
	xt_write_cr4(cr4);
	GUEST_ASSERT_EQ(i, NR_INSN_CASES);
	GUEST_DONE();
}

TEST_F(xvcpu, handled_instructions_defined_results)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_insns);
	unsigned int i, bad = 0;

	xt_vm_install_safe_handlers(vm);
	for (i = 0; i < NR_INSN_CASES; i++)
		insn_vec[i] = 0xdead;
	run_probes(vcpu);
	for (i = 0; i < NR_INSN_CASES; i++) {
		bool ok = insn_vec[i] == insn_cases[i].expect;

		printf("# %-40s %-13s %s\n", insn_cases[i].name,
		       vec_str(insn_vec[i]), ok ? "ok" : "WRONG");
		EXPECT_EQ(insn_cases[i].expect, insn_vec[i])
			TH_LOG("%s: %s, expected %s", insn_cases[i].name,
			       vec_str(insn_vec[i]),
			       vec_str(insn_cases[i].expect));
		bad += !ok;
	}
	for (i = 0; i < 4; i++)
		EXPECT_EQ(dr_written[i], dr_read[i]) TH_LOG("DR%u", i);
	/* DR6: bits 3:0 as written, the reserved bits read as 1. */
	EXPECT_EQ(0xffff0ff1ULL, dr_read[6] & 0xffffffffULL);
	EXPECT_EQ(0x700ULL, dr_read[7]);
	EXPECT_EQ(0xffff0ff2ULL, dr4_alias & 0xffffffffULL);
	EXPECT_EQ(dr4_alias, dr_read[4]) TH_LOG("DR4 is not DR6");
	EXPECT_EQ(0x400ULL, dr5_alias);
	EXPECT_EQ(dr5_alias, dr_read[5]) TH_LOG("DR5 is not DR7");
	printf("# %u of %zu instructions with a wrong result\n", bad,
	       NR_INSN_CASES);
	xt_vm_destroy(vm);
}

/* ==== 3. CR0/CR4 as the guest sees them ==== */

#define CR0_GUEST_BITS	(X86_CR0_MP | X86_CR0_TS | X86_CR0_AM)

GUEST_CODE static void guest_cr0_bits(void)
{
	uint64_t cr0 = xt_read_cr0();

	/* A plain MOV; general-registers-only code runs with TS set. */
	xt_write_cr0(cr0 | CR0_GUEST_BITS);
	GUEST_SYNC_ARGS(1, xt_read_cr0());
	/* The host did GET_SREGS -> SET_SREGS meanwhile. */
	GUEST_SYNC_ARGS(2, xt_read_cr0());
	xt_write_cr0(cr0 & ~CR0_GUEST_BITS);
	GUEST_SYNC_ARGS(3, xt_read_cr0());
	GUEST_DONE();
}

TEST_F(xvcpu, cr0_guest_bits_survive_sregs_roundtrip)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_cr0_bits);
	struct xvcpu_sregs s;
	struct ucall uc;

	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	ASSERT_EQ(CR0_GUEST_BITS, uc.args[1] & CR0_GUEST_BITS)
		TH_LOG("guest CR0 0x%llx after setting MP|TS|AM",
		       (unsigned long long)uc.args[1]);
	xt_vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(CR0_GUEST_BITS, s.cr0 & CR0_GUEST_BITS)
		TH_LOG("GET_SREGS cr0 0x%llx, guest reads 0x%llx",
		       (unsigned long long)s.cr0,
		       (unsigned long long)uc.args[1]);
	/* What a VMM does to save and restore (or migrate) a vCPU. */
	xt_vcpu_set_sregs(vcpu, &s);
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	EXPECT_EQ(CR0_GUEST_BITS, uc.args[1] & CR0_GUEST_BITS)
		TH_LOG("guest CR0 0x%llx after GET_SREGS/SET_SREGS",
		       (unsigned long long)uc.args[1]);
	TEST_ASSERT_SYNC(vcpu, 3, &uc);
	ASSERT_EQ(0, uc.args[1] & CR0_GUEST_BITS);
	xt_vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(0, s.cr0 & CR0_GUEST_BITS)
		TH_LOG("GET_SREGS cr0 0x%llx after the guest cleared MP|TS|AM",
		       (unsigned long long)s.cr0);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

static const struct {
	const char *name;
	uint64_t bit;
} cr4_bad[] = {
	{ "PKE", X86_CR4_PKE }, { "CET", X86_CR4_CET },
	{ "PKS", X86_CR4_PKS }, { "LA57", X86_CR4_LA57 },
	{ "VMXE", X86_CR4_VMXE }, { "SMXE", X86_CR4_SMXE },
};
#define NR_CR4_BAD	XT_ARRAY_SIZE(cr4_bad)

static volatile uint64_t cr4_vec[NR_CR4_BAD], cr4_before[NR_CR4_BAD],
	cr4_after[NR_CR4_BAD];

GUEST_CODE static void guest_cr4_bits(void)
{
	unsigned int i;

	for (i = 0; i < NR_CR4_BAD; i++) {
		uint64_t v = xt_read_cr4();

		cr4_before[i] = v;
		v |= cr4_bad[i].bit;
		cr4_vec[i] = PROBE("mov %[v], %%cr4", [v] "r"(v));
		cr4_after[i] = xt_read_cr4();
	}
	GUEST_DONE();
}

TEST_F(xvcpu, cr4_bits_not_offered_gp)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_cr4_bits);
	struct xvcpu_sregs s;
	unsigned int i;

	xt_vm_install_safe_handlers(vm);
	run_probes(vcpu);
	xt_vcpu_get_sregs(vcpu, &s);
	for (i = 0; i < NR_CR4_BAD; i++) {
		printf("# CR4.%-5s %s, CR4 0x%llx -> 0x%llx\n", cr4_bad[i].name,
		       vec_str(cr4_vec[i]), (unsigned long long)cr4_before[i],
		       (unsigned long long)cr4_after[i]);
		EXPECT_EQ(GP, cr4_vec[i]) TH_LOG("CR4.%s: %s", cr4_bad[i].name,
						 vec_str(cr4_vec[i]));
		EXPECT_EQ(cr4_before[i], cr4_after[i])
			TH_LOG("CR4.%s changed CR4", cr4_bad[i].name);
		EXPECT_EQ(0, s.cr4 & cr4_bad[i].bit)
			TH_LOG("GET_SREGS shows CR4.%s", cr4_bad[i].name);
	}
	xt_vm_destroy(vm);
}

/* ==== 5. debug state is the host's after every exit ==== */

/* (b) IA32_DEBUGCTL: only 0 is accepted. */
static volatile unsigned int debugctl_vec[3];
static volatile uint64_t debugctl_val;

GUEST_CODE static void guest_debugctl(void)
{
	debugctl_vec[0] = PROBE("mov $0x1d9, %%ecx; mov $1, %%eax; xor %%edx, %%edx; wrmsr");
	debugctl_vec[1] = PROBE("mov $0x1d9, %%ecx; xor %%eax, %%eax; xor %%edx, %%edx; wrmsr");
	debugctl_vec[2] = PROBE("mov $0x1d9, %%ecx; rdmsr; mov %%eax, (%[o]); mov %%edx, 4(%[o])",
				[o] "r"(&debugctl_val));
	GUEST_DONE();
}

TEST_F(xvcpu, debugctl_nonzero_gp)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_debugctl);

	xt_vm_install_safe_handlers(vm);
	debugctl_val = 0xdead;
	run_probes(vcpu);
	EXPECT_EQ(GP, debugctl_vec[0]) TH_LOG("WRMSR DEBUGCTL 1: %s",
					      vec_str(debugctl_vec[0]));
	EXPECT_EQ(NONE, debugctl_vec[1]) TH_LOG("WRMSR DEBUGCTL 0: %s",
						vec_str(debugctl_vec[1]));
	EXPECT_EQ(NONE, debugctl_vec[2]) TH_LOG("RDMSR DEBUGCTL: %s",
						vec_str(debugctl_vec[2]));
	EXPECT_EQ(0, debugctl_val);
	xt_vm_destroy(vm);
}

/* (c) The VMM's LDT works after RUN (a VM exit leaves LDTR null). */
static sigjmp_buf segv_env;

static void segv_jump(int sig)
{
	siglongjmp(segv_env, 1);
}

static uint32_t ldt_data[4] = { 0x11111111, 0x1d7da7a0, 0x33333333 };

/* Load %gs from LDT entry 0 (RPL 3) and read 4 bytes at offset 4. */
static int read_through_ldt(uint32_t *out)
{
	uint16_t sel = (0 << 3) | 4 | 3, null = 0;
	uint32_t v;

	install_handler(SIGSEGV, segv_jump);
	if (sigsetjmp(segv_env, 1)) {
		signal(SIGSEGV, SIG_DFL);
		return -1;
	}
	asm volatile("mov %1, %%gs\n\t"
		     "movl %%gs:4, %0\n\t"
		     "mov %2, %%gs"
		     : "=r"(v) : "r"(sel), "r"(null) : "memory");
	signal(SIGSEGV, SIG_DFL);
	*out = v;
	return 0;
}

GUEST_CODE static void guest_sync_loop(void)
{
	uint64_t i;

	for (i = 0;; i++)
		GUEST_SYNC(i);
}

TEST_F(xvcpu, ldt_usable_after_run)
{
	struct user_desc d = {
		.entry_number = 0,
		.base_addr = (uint32_t)(uintptr_t)ldt_data,
		.limit = sizeof(ldt_data) - 1,
		.seg_32bit = 1,
		.contents = 0,		/* data, expand-up */
		.read_exec_only = 0,
		.limit_in_pages = 0,
		.seg_not_present = 0,
		.useable = 1,
	};
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	uint32_t v = 0;
	long r;
	int i;

	r = syscall(SYS_modify_ldt, 1, &d, sizeof(d));
	/* The debug kernel (scripts/testvm/debug.config) has no LDT. */
	if (r && errno == ENOSYS)
		SKIP(return, "modify_ldt: ENOSYS: this kernel is built without CONFIG_MODIFY_LDT_SYSCALL, no LDT to check");
	ASSERT_EQ(0, r) TH_LOG("modify_ldt: %s", strerror(errno));
	/* The mechanism itself works before any RUN. */
	ASSERT_EQ(0, read_through_ldt(&v));
	ASSERT_EQ(ldt_data[1], v);

	vm = xt_vm_create_with_vcpu(&vcpu, guest_sync_loop);
	for (i = 0; i < 5; i++) {
		TEST_ASSERT_SYNC(vcpu, i, NULL);
		v = 0;
		ASSERT_EQ(0, read_through_ldt(&v))
			TH_LOG("round %d: SIGSEGV loading an LDT selector after RUN: the VMM's LDTR was not restored",
			       i);
		ASSERT_EQ(ldt_data[1], v);
	}
	xt_vm_destroy(vm);
}

/* (a) Guest breakpoints fire in the guest; the VMM's stay armed. */
static volatile uint64_t vmm_watched;
static volatile uint64_t db_count, db_dr6, db_rip, db_vector;

GUEST_CODE static void db_count_handler(struct xt_ex_regs *regs)
{
	db_count++;
	db_vector = regs->vector;
	db_dr6 = xt_read_dr(6);
	xt_write_dr(6, 0xffff0ff0);
	db_rip = regs->rip;
	regs->rflags &= ~X86_RFLAGS_TF;
}

#define DR7_L0_W8	(X86_DR7_FIXED | 1 | (1ULL << 16) | (3ULL << 18))

extern char bp_store_done[];

GUEST_CODE static void guest_dr_breakpoint(uint64_t addr)
{
	xt_write_dr(0, addr);
	xt_write_dr(1, addr + 0x100);
	xt_write_dr(2, addr + 0x200);
	xt_write_dr(3, addr + 0x300);
	xt_write_dr(7, DR7_L0_W8);
	GUEST_SYNC_ARGS(1, xt_read_dr(0), xt_read_dr(1), xt_read_dr(2),
			xt_read_dr(3), xt_read_dr(7));
	/* A data write breakpoint: #DB after the store. */
	asm volatile("movq $0x1234, (%0)\n\t"
		     "bp_store_done:" : : "r"(addr) : "memory");
	GUEST_SYNC_ARGS(2, db_count, db_dr6, db_rip, db_vector);
	xt_write_dr(7, X86_DR7_FIXED);
	*(volatile uint64_t *)addr = 0x5678;
	GUEST_SYNC_ARGS(3, db_count);
	GUEST_DONE();
}

static int perf_bp_open(volatile void *addr)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_BREAKPOINT;
	a.size = sizeof(a);
	a.bp_type = HW_BREAKPOINT_W;
	a.bp_addr = (uintptr_t)addr;
	a.bp_len = HW_BREAKPOINT_LEN_8;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t perf_count(int fd)
{
	uint64_t v = ~0ULL;

	TEST_ASSERT(read(fd, &v, sizeof(v)) == sizeof(v), "perf read: %s",
		    strerror(errno));
	return v;
}

TEST_F(xvcpu, debug_registers_guest_and_host)
{
	uint64_t bp = RAM_GPA + 0x40, c;
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	struct ucall uc;
	int fd;

	fd = perf_bp_open(&vmm_watched);
	if (fd < 0)
		SKIP(return, "perf_event_open(PERF_TYPE_BREAKPOINT): %s",
		     strerror(errno));
	c = perf_count(fd);
	vmm_watched++;
	if (perf_count(fd) != c + 1) {
		close(fd);
		SKIP(return, "hardware breakpoints do not count in this VM");
	}
	c++;

	vm = xt_vm_create_with_vcpu(&vcpu, guest_dr_breakpoint);
	xt_vm_add_slot(vm, XT_FIRST_TEST_SLOT, RAM_GPA, RAM_SIZE, 0);
	xt_vm_install_handler(vm, X86_VEC_DB, db_count_handler);
	xt_vcpu_args_set(vcpu, 1, bp);
	db_count = db_dr6 = db_rip = 0;

	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	EXPECT_EQ(bp, uc.args[1]);
	EXPECT_EQ(bp + 0x100, uc.args[2]);
	EXPECT_EQ(bp + 0x200, uc.args[3]);
	EXPECT_EQ(bp + 0x300, uc.args[4]);
	EXPECT_EQ(DR7_L0_W8, uc.args[5]);
	/* The guest's debug registers did not count the VMM's writes... */
	EXPECT_EQ(c, perf_count(fd));
	/* ...and after an exit with the guest's DR7 armed, ours still counts. */
	vmm_watched++;
	EXPECT_EQ(c + 1, perf_count(fd))
		TH_LOG("the VMM's hardware breakpoint is gone after RUN");
	c = perf_count(fd);

	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	printf("# guest #DB count %llu, DR6 0x%llx, rip 0x%llx\n",
	       (unsigned long long)uc.args[1], (unsigned long long)uc.args[2],
	       (unsigned long long)uc.args[3]);
	EXPECT_EQ(1, uc.args[1])
		TH_LOG("the guest's data breakpoint fired %llu times",
		       (unsigned long long)uc.args[1]);
	if (uc.args[1]) {
		EXPECT_EQ(X86_VEC_DB, uc.args[4]);
		EXPECT_EQ(1, uc.args[2] & 1) TH_LOG("DR6.B0 clear");
		EXPECT_EQ((uintptr_t)bp_store_done, uc.args[3]);
	}
	vmm_watched++;
	EXPECT_EQ(c + 1, perf_count(fd))
		TH_LOG("the VMM's hardware breakpoint is gone after the guest's #DB");
	c = perf_count(fd);

	TEST_ASSERT_SYNC(vcpu, 3, &uc);
	EXPECT_EQ(db_count, uc.args[1]);
	EXPECT_LE(uc.args[1], 1) TH_LOG("#DB with DR7 disarmed");
	TEST_ASSERT_DONE(vcpu);
	vmm_watched++;
	EXPECT_EQ(c + 1, perf_count(fd));
	close(fd);
	xt_vm_destroy(vm);
}

/* ==== 6. other tenants: hypercalls from ring 3, WBINVD ==== */

GUEST_CODE static uint64_t user_vmcall(uint64_t nr)
{
	return xt_vmcall(nr, 1, 2, 3, 4, 5);
}

GUEST_CODE static uint64_t user_wbinvd(uint64_t unused)
{
	return PROBE("wbinvd");
}

GUEST_CODE static void guest_vmcall_cpl(void)
{
	GUEST_SYNC_ARGS(1, xt_guest_run_user(user_vmcall, 0x1234));
	GUEST_SYNC_ARGS(2, xt_vmcall(0x4321, 11, 12, 13, 14, 15));
	GUEST_SYNC_ARGS(3, PROBE("wbinvd"));
	GUEST_SYNC_ARGS(4, xt_guest_run_user(user_wbinvd, 0));
	GUEST_DONE();
}

TEST_F(xvcpu, vmcall_from_ring3_eperm)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_vmcall_cpl);
	struct xvcpu_run *run = vcpu->run;
	struct ucall uc;

	xt_vm_enable_user(vm);
	xt_vm_install_safe_handlers(vm);
	xt_vcpu_run(vcpu);
	ASSERT_NE(XVCPU_EXIT_HYPERCALL, run->exit_reason)
		TH_LOG("VMCALL at CPL3 exited to the VMM (nr 0x%llx)",
		       (unsigned long long)run->hypercall.nr);
	ASSERT_EQ(UCALL_SYNC, xt_expect_ucall(vcpu, &uc));
	ASSERT_EQ(1, uc.args[0]);
	ASSERT_EQ((uint64_t)-XVCPU_HYPERCALL_EPERM, uc.args[1]);

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HYPERCALL);
	ASSERT_EQ(0x4321, run->hypercall.nr);
	ASSERT_EQ(11, run->hypercall.args[0]);
	ASSERT_EQ(15, run->hypercall.args[4]);
	run->hypercall.ret = 0x77;
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(0x77, uc.args[1]);
	TEST_ASSERT_SYNC(vcpu, 3, &uc);
	EXPECT_EQ(NONE, uc.args[1]) TH_LOG("WBINVD at CPL0: %s",
					   vec_str(uc.args[1]));
	TEST_ASSERT_SYNC(vcpu, 4, &uc);
	EXPECT_EQ(GP, uc.args[1]) TH_LOG("WBINVD at CPL3: %s",
					 vec_str(uc.args[1]));
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ==== 7. events ==== */

/* (a) An external interrupt whose delivery pushes onto MMIO. */
#define IRQ_VEC		0x40
#define MMIO_RSP	(XT_MMIO_GPA + 0x1000)
#define IRQ_MARKER	0x600d600dULL

static volatile uint64_t irq_count, irq_saved_rsp, irq_marker;

GUEST_CODE static void irq_count_handler(struct xt_ex_regs *regs)
{
	irq_count++;
}

/*
 * irq_mmio_stack(rsp): IF=1 with RSP at @rsp (no slot there), exit with
 * an OUT to port 0xE7, then store the marker, restore the stack, return.
 */
asm(".pushsection .text\n"
	".globl irq_mmio_stack, irq_marker_insn\n"
	"irq_mmio_stack:\n"
	"	cli\n"
	"	movq %rsp, irq_saved_rsp(%rip)\n"
	"	movq %rdi, %rsp\n"
	"	sti\n"
	"	nop\n"
	"	outb %al, $0xe7\n"
	"irq_marker_insn:\n"
	"	movq $0x600d600d, irq_marker(%rip)\n"
	"	cli\n"
	"	movq irq_saved_rsp(%rip), %rsp\n"
	"	ret\n"
	".popsection\n");
extern char irq_marker_insn[];
void irq_mmio_stack(uint64_t rsp);

GUEST_CODE static void guest_irq_mmio_stack(void)
{
	irq_mmio_stack(MMIO_RSP);
	GUEST_SYNC_ARGS(2, irq_count, irq_marker);
	GUEST_DONE();
}

TEST_F(xvcpu, interrupt_delivery_to_mmio_stack)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_irq_mmio_stack);
	struct xvcpu_run *run = vcpu->run;
	struct xvcpu_regs regs;
	struct ucall uc;
	uint64_t stack;
	char desc[512];

	xt_vm_install_handler(vm, IRQ_VEC, irq_count_handler);
	stack = xt_vm_alloc(vm, 4 * XT_PAGE_SIZE, XT_PAGE_SIZE, NULL) +
		4 * XT_PAGE_SIZE;
	irq_count = irq_marker = 0;
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
	ASSERT_EQ(0xe7, run->io.port);
	ASSERT_EQ(1, run->if_flag);
	xt_vcpu_get_regs(vcpu, &regs);
	ASSERT_EQ((uintptr_t)irq_marker_insn, regs.rip);
	ASSERT_EQ(MMIO_RSP, regs.rsp);

	xt_vcpu_interrupt(vcpu, IRQ_VEC);
	xt_vcpu_run(vcpu);
	xt_exit_describe(vcpu, desc, sizeof(desc));
	printf("# interrupt pushed onto MMIO: %s\n", desc);
	EXPECT_NE(XVCPU_EXIT_MMIO, run->exit_reason)
		TH_LOG("the interrupt frame push was reported as an MMIO %s of 0x%llx at 0x%llx",
		       run->mmio.is_write ? "write" : "read",
		       (unsigned long long)*(uint64_t *)run->mmio.data,
		       (unsigned long long)run->mmio.phys_addr);
	xt_vcpu_get_regs(vcpu, &regs);
	EXPECT_EQ((uintptr_t)irq_marker_insn, regs.rip)
		TH_LOG("RIP moved from the marker store to 0x%llx",
		       (unsigned long long)regs.rip);
	ASSERT_EQ(XVCPU_EXIT_INTERNAL_ERROR, run->exit_reason) TH_LOG("%s", desc);
	ASSERT_EQ(XVCPU_INTERNAL_EVENT_DELIVERY, run->internal.suberror);
	ASSERT_GE(run->internal.ndata, 3);
	EXPECT_EQ(INTR_INFO_VALID, run->internal.data[2] & INTR_INFO_VALID);
	EXPECT_EQ(IRQ_VEC, run->internal.data[2] & 0xff);
	EXPECT_EQ(0, INTR_INFO_TYPE(run->internal.data[2]));	/* external */
	if (run->internal.ndata >= 4) {
		EXPECT_GE(run->internal.data[3], MMIO_RSP - 64);
		EXPECT_LT(run->internal.data[3], MMIO_RSP);
	}
	EXPECT_EQ(0, irq_count);
	EXPECT_EQ(0, irq_marker);

	/* The VMM gives the guest a stack in RAM: delivery goes on. */
	regs.rip = (uintptr_t)irq_marker_insn;
	regs.rsp = stack;
	xt_vcpu_set_regs(vcpu, &regs);
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("handler ran %llu times",
					(unsigned long long)uc.args[1]);
	EXPECT_EQ(IRQ_MARKER, uc.args[2]) TH_LOG("the marker store was skipped");
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* (b) A #GP whose delivery fails, then the VMM switches to real mode. */
asm(".pushsection .text\n"
	".globl guest_pm32_rdmsr\n"
	".code32\n"
	"guest_pm32_rdmsr:\n"
	"	mov $0xdeadbeef, %ecx\n"
	"	rdmsr\n"
	"	hlt\n"
	".code64\n"
	".popsection\n");
extern char guest_pm32_rdmsr[];

#define LOW_SLOT	(XT_FIRST_TEST_SLOT + 1)
#define LOW_SIZE	0x10000UL
#define RM_CODE		0x1000	/* hlt */
#define RM_VECTOR_CODE	0x2000	/* hlt: every real-mode vector lands here */

/* 64 KiB at 0: an IVT sending every vector to RM_VECTOR_CODE, two HLTs. */
static void add_low_memory(struct xt_vm *vm)
{
	uint8_t *low = xt_vm_add_slot(vm, LOW_SLOT, 0, LOW_SIZE, 0);
	uint32_t *ivt = (uint32_t *)low;
	unsigned int i;

	for (i = 0; i < 256; i++)
		ivt[i] = RM_VECTOR_CODE;	/* 0000:2000 */
	low[RM_CODE] = 0xf4;
	low[RM_VECTOR_CODE] = 0xf4;
}

TEST_F(xvcpu, queued_exception_never_vm_instruction_error)
{
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu = xt_vcpu_add(vm, 0);
	struct xvcpu_run *run = vcpu->run;
	struct xvcpu_sregs s;
	struct xvcpu_regs regs;
	char desc[512];

	add_low_memory(vm);
	xt_vcpu_setup_prot32(vcpu, (uintptr_t)guest_pm32_rdmsr, 0);
	xt_vcpu_get_sregs(vcpu, &s);
	s.idt.base = XT_MMIO_GPA;	/* no slot: #GP delivery cannot read it */
	s.idt.limit = 256 * 8 - 1;
	xt_vcpu_set_sregs(vcpu, &s);
	xt_vcpu_run(vcpu);
	xt_exit_describe(vcpu, desc, sizeof(desc));
	printf("# #GP through an IDT in MMIO: %s\n", desc);
	EXPECT_EQ(XVCPU_EXIT_INTERNAL_ERROR, run->exit_reason);
	EXPECT_EQ(XVCPU_INTERNAL_EVENT_DELIVERY, run->internal.suberror);

	/* The VMM resets the vCPU to real mode (unrestricted guest). */
	xt_vcpu_setup_real_mode(vcpu, 0, RM_CODE);
	xt_vcpu_run(vcpu);
	xt_exit_describe(vcpu, desc, sizeof(desc));
	xt_vcpu_get_regs(vcpu, &regs);
	printf("# then real mode: %s, rip 0x%llx\n", desc,
	       (unsigned long long)regs.rip);
	ASSERT_FALSE(run->exit_reason == XVCPU_EXIT_FAIL_ENTRY &&
		     run->fail_entry.vm_instruction_error)
		TH_LOG("VM entry failed with VM-instruction error %u: %s",
		       run->fail_entry.vm_instruction_error, desc);
	xt_vm_destroy(vm);
}

/* ==== 8. state set from user space is consistent ==== */

asm(".pushsection .text\n"
	".globl guest_pm32_hlt\n"
	".code32\n"
	"guest_pm32_hlt:\n"
	"	hlt\n"
	"	jmp guest_pm32_hlt\n"
	".code64\n"
	".popsection\n");
extern char guest_pm32_hlt[];

GUEST_CODE static void guest_done_loop(void)
{
	for (;;)
		GUEST_DONE();
}

enum { MODE_REAL, MODE_PROT32, MODE_LONG, NR_MODES };
static const char *const mode_names[] = { "real", "prot32", "long" };

static void setup_mode(struct xt_vcpu *vcpu, int mode)
{
	if (mode == MODE_REAL)
		xt_vcpu_setup_real_mode(vcpu, 0, RM_CODE);
	else if (mode == MODE_PROT32)
		xt_vcpu_setup_prot32(vcpu, (uintptr_t)guest_pm32_hlt, 0);
	else
		xt_vcpu_setup_long_mode(vcpu, guest_done_loop);
}

/* RUN and check the mode's own good exit. */
static void expect_mode_runs(struct __test_metadata *_metadata,
			     struct xt_vcpu *vcpu, int mode, const char *what)
{
	struct ucall uc;
	char desc[512];

	xt_vcpu_run(vcpu);
	xt_exit_describe(vcpu, desc, sizeof(desc));
	if (mode == MODE_LONG) {
		EXPECT_EQ(UCALL_DONE, get_ucall(vcpu, &uc))
			TH_LOG("%s mode, %s: %s", mode_names[mode], what, desc);
	} else {
		EXPECT_EQ(XVCPU_EXIT_HLT, vcpu->run->exit_reason)
			TH_LOG("%s mode, %s: %s", mode_names[mode], what, desc);
	}
}

TEST_F(xvcpu, efer_lma_without_lme_refused)
{
	static const uint64_t bad[] = { EFER_LMA, EFER_LMA | EFER_SCE };
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu = xt_vcpu_add(vm, 0);
	struct xvcpu_msr_entry e;
	struct xvcpu_sregs s;
	int mode, r;
	unsigned int i;

	add_low_memory(vm);
	for (mode = MODE_REAL; mode <= MODE_PROT32; mode++) {
		for (i = 0; i < XT_ARRAY_SIZE(bad); i++) {
			uint64_t before;

			setup_mode(vcpu, mode);
			before = xt_vcpu_get_msr(vcpu, MSR_EFER);
			e = (struct xvcpu_msr_entry){ .index = MSR_EFER,
						      .data = bad[i] };
			r = __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, &e, 1);
			EXPECT_EQ(0, r)
				TH_LOG("%s mode (CR0.PG=0): SET_MSRS EFER 0x%llx processed %d entries",
				       mode_names[mode],
				       (unsigned long long)bad[i], r);
			EXPECT_EQ(before, xt_vcpu_get_msr(vcpu, MSR_EFER));
			xt_vcpu_get_sregs(vcpu, &s);
			EXPECT_EQ(before, s.efer);
			expect_mode_runs(_metadata, vcpu, mode,
					 "after SET_MSRS of EFER.LMA");
		}
		/* LME|LMA without paging: refused, or at least it runs. */
		setup_mode(vcpu, mode);
		e = (struct xvcpu_msr_entry){ .index = MSR_EFER,
					      .data = EFER_LME | EFER_LMA };
		r = __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, &e, 1);
		printf("# %s mode: SET_MSRS EFER LME|LMA with CR0.PG=0: %d entries\n",
		       mode_names[mode], r);
		expect_mode_runs(_metadata, vcpu, mode,
				 "after SET_MSRS of EFER.LME|LMA");
	}
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, state_roundtrip_every_mode_runs)
{
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu = xt_vcpu_add(vm, 0);
	struct xvcpu_msr_entry e;
	struct xvcpu_sregs s;
	struct xvcpu_regs regs;
	int mode;

	add_low_memory(vm);
	for (mode = 0; mode < NR_MODES; mode++) {
		setup_mode(vcpu, mode);
		xt_vcpu_get_sregs(vcpu, &s);
		EXPECT_EQ(0, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s))
			TH_LOG("%s mode: SET_SREGS of GET_SREGS: %s",
			       mode_names[mode], strerror(errno));
		e = (struct xvcpu_msr_entry){ .index = MSR_EFER };
		EXPECT_EQ(1, __xt_vcpu_msrs(vcpu, XVCPU_GET_MSRS, &e, 1));
		EXPECT_EQ(s.efer, e.data);
		EXPECT_EQ(1, __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, &e, 1))
			TH_LOG("%s mode: SET_MSRS of EFER 0x%llx refused",
			       mode_names[mode], (unsigned long long)e.data);
		xt_vcpu_get_regs(vcpu, &regs);
		xt_vcpu_set_regs(vcpu, &regs);
		expect_mode_runs(_metadata, vcpu, mode, "after the round trip");
		/* And again after running. */
		xt_vcpu_get_sregs(vcpu, &s);
		EXPECT_EQ(0, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s));
		EXPECT_EQ(1, __xt_vcpu_msrs(vcpu, XVCPU_GET_MSRS, &e, 1));
		EXPECT_EQ(1, __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, &e, 1));
		expect_mode_runs(_metadata, vcpu, mode,
				 "after a second round trip");
	}
	xt_vm_destroy(vm);
}

/* ==== 9. failed entries are logged, without kernel pointers ==== */

#define KPTR_RESTRICT	"/proc/sys/kernel/kptr_restrict"

GUEST_CODE static void guest_done(void)
{
	GUEST_DONE();
}

/* The token after @key on @line as a number, or -1 if it is none. */
static int64_t number_after(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	char *end;
	uint64_t v;

	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == ':' || *p == '=')
		p++;
	v = strtoull(p, &end, 0);
	if (end == p)
		return -1;
	return (int64_t)(v & 0x7fffffffffffffffULL);
}

TEST_F(xvcpu, failed_entry_logged_no_kernel_pointers)
{
	static char log[32768];
	char old[32] = "", *line, *next;
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_done);
	struct xvcpu_run *run = vcpu->run;
	struct xvcpu_sregs s;
	struct xt_kmsg k;
	int r, failed_lines = 0, dump_after = 0, eptp_lines = 0;
	int64_t eptp = -1;
	bool have_sysctl, in_dump = false;

	have_sysctl = xt_read_file(KPTR_RESTRICT, old, sizeof(old)) > 0;
	ASSERT_EQ(0, xt_kmsg_mark(&k));
	if (have_sysctl)
		xt_write_file(KPTR_RESTRICT, "2");
	xt_vcpu_get_sregs(vcpu, &s);
	s.cs.present = 0;	/* passes SET_SREGS, fails VM entry */
	xt_vcpu_set_sregs(vcpu, &s);
	r = __xt_vcpu_run(vcpu);
	xt_kmsg_grep(&k, "", log, sizeof(log));
	xt_kmsg_close(&k);
	if (have_sysctl)
		xt_write_file(KPTR_RESTRICT, old);

	ASSERT_EQ(0, r);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_FAIL_ENTRY);
	ASSERT_EQ(VMX_ENTRY_FAIL_GUEST_STATE,
		  run->fail_entry.hardware_entry_failure_reason);
	ASSERT_EQ(0, run->fail_entry.vm_instruction_error);

	for (line = log; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strstr(line, "VM entry failed")) {
			failed_lines++;
			in_dump = true;
			printf("# log: %s\n", line);
			continue;
		}
		if (!in_dump)
			continue;
		if (strstr(line, "VMCS dump"))
			dump_after++;
		if (strstr(line, "EPTP")) {
			eptp_lines++;
			eptp = number_after(line, "EPTP");
			printf("# log: %s\n", line);
		}
	}
	EXPECT_EQ(1, failed_lines)
		TH_LOG("%d \"VM entry failed\" lines for one failed entry",
		       failed_lines);
	EXPECT_EQ(1, dump_after) TH_LOG("no VMCS dump after the failure line");
	EXPECT_EQ(1, eptp_lines);
	/* A raw EPTP is the host physical address of the EPT root. */
	if (have_sysctl)
		EXPECT_EQ(0, eptp > 0 ? eptp >> 12 : 0)
			TH_LOG("kptr_restrict=2, yet the dump shows EPTP 0x%llx",
			       (unsigned long long)eptp);

	/* Still usable. */
	xt_vcpu_setup_long_mode(vcpu, guest_done);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ==== 10. guest time is guest time ==== */

#define BUSY_ITERATIONS	(34ULL * 1000 * 1000)	/* ~100M instructions */

GUEST_CODE static void guest_busy(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		asm volatile("" : "+r"(i));
	GUEST_DONE();
}

/* Fields 14, 15 and 43 of /proc/self/stat: utime, stime, guest_time. */
static int read_times(uint64_t *utime, uint64_t *stime, uint64_t *gtime)
{
	char buf[2048], *p;
	int field;

	if (xt_read_file("/proc/self/stat", buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* p + 2 is field 3. */
	p += 2;
	for (field = 3; field <= 43 && p; field++) {
		if (field == 14)
			*utime = strtoull(p, NULL, 10);
		else if (field == 15)
			*stime = strtoull(p, NULL, 10);
		else if (field == 43)
			*gtime = strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return field == 44 ? 0 : -1;
}

TEST_F_TIMEOUT(xvcpu, guest_time_accounted, 300)
{
	uint64_t u0 = 0, s0 = 0, g0 = 0, u1 = 0, s1 = 0, g1 = 0, t, ticks;
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_busy);

	xt_vcpu_args_set(vcpu, 1, BUSY_ITERATIONS);
	ASSERT_EQ(0, read_times(&u0, &s0, &g0));
	t = now_us();
	TEST_ASSERT_DONE(vcpu);
	t = now_us() - t;
	ASSERT_EQ(0, read_times(&u1, &s1, &g1));
	printf("# %llu loop iterations in %llu ms, %llu exits: utime +%llu stime +%llu guest_time +%llu ticks\n",
	       (unsigned long long)BUSY_ITERATIONS,
	       (unsigned long long)t / 1000,
	       (unsigned long long)vcpu->run->exit_count,
	       (unsigned long long)(u1 - u0), (unsigned long long)(s1 - s0),
	       (unsigned long long)(g1 - g0));
	/* Clock ticks of the RUN's wall time; the guest was busy all along. */
	ticks = t * sysconf(_SC_CLK_TCK) / 1000000;
	printf("# guest_time covers %llu%% of the RUN's %llu clock ticks\n",
	       (unsigned long long)((g1 - g0) * 100 / (ticks ? ticks : 1)),
	       (unsigned long long)ticks);
	EXPECT_GT(g1, g0) TH_LOG("no guest time for a busy guest");
	xt_vm_destroy(vm);
}

/* ==== 4(c). #DB single step: vector 1, DR6.BS ==== */

asm(".pushsection .text\n"
	".globl guest_tf_step, tf_after_nop\n"
	"guest_tf_step:\n"
	"	pushfq\n"
	"	orq $0x100, (%rsp)\n"
	"	popfq\n"
	"	nop\n"
	"tf_after_nop:\n"
	"	nop\n"
	"	ret\n"
	".popsection\n");
extern char tf_after_nop[];
void guest_tf_step(void);

GUEST_CODE static void guest_single_step(void)
{
	guest_tf_step();
	GUEST_SYNC_ARGS(1, db_count, db_vector, db_dr6, db_rip,
			xt_read_rflags() & X86_RFLAGS_TF);
	GUEST_DONE();
}

TEST_F(xvcpu, single_step_db_dr6_bs)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_single_step);
	struct ucall uc;

	xt_vm_install_handler(vm, X86_VEC_DB, db_count_handler);
	db_count = db_vector = db_dr6 = db_rip = 0;
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	printf("# #DB count %llu vector %llu DR6 0x%llx rip 0x%llx\n",
	       (unsigned long long)uc.args[1], (unsigned long long)uc.args[2],
	       (unsigned long long)uc.args[3], (unsigned long long)uc.args[4]);
	ASSERT_EQ(1, uc.args[1]);
	EXPECT_EQ(X86_VEC_DB, uc.args[2]);
	EXPECT_EQ(X86_DR6_BS, uc.args[3] & X86_DR6_BS)
		TH_LOG("DR6 0x%llx read in the #DB handler has no BS",
		       (unsigned long long)uc.args[3]);
	EXPECT_EQ((uintptr_t)tf_after_nop, uc.args[4]);
	EXPECT_EQ(0, uc.args[5]);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ==== 7(c). random state and events never fail VM entry's own checks ==== */

#define FUZZ_ITERATIONS	3000
#define FUZZ_SEED	0x15017a7e5eedULL
#define FUZZ_RUN_MS	3
#define FUZZ_RAM_SIZE	0x40000UL
#define RFLAGS_RESERVED	(~0x3f7fd7ULL)	/* 63:22, 15, 5, 3 */
#define X86_RFLAGS_VM	(1ULL << 17)

static uint64_t rng_state;
/* XVCPU_FUZZ_TRACE=1: every step to the kernel log (survives a crash). */
static int trace_fd = -1;

static void __attribute__((format(printf, 1, 2))) trace(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (trace_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "<3>fuzz: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (write(trace_fd, buf, n) < 0)
		trace_fd = -1;
}

static void trace_seg(const char *name, const struct xvcpu_segment *g)
{
	trace("  %s sel 0x%x base 0x%llx limit 0x%x type %u s %u dpl %u p %u db %u l %u g %u u %u\n",
	      name, g->selector, (unsigned long long)g->base, g->limit,
	      g->type, g->s, g->dpl, g->present, g->db, g->l, g->g,
	      g->unusable);
}

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* An address guests may execute: RAM with random bytes, sometimes anywhere. */
static uint64_t rnd_code_addr(void)
{
	switch (rnd_below(4)) {
	case 0:
		return rnd_below(LOW_SIZE);
	case 1:
		return rnd();
	default:
		return RAM_GPA + rnd_below(FUZZ_RAM_SIZE);
	}
}

static void rnd_seg(struct xvcpu_segment *sg)
{
	switch (rnd_below(8)) {
	case 0:
		sg->dpl = rnd_below(4);
		break;
	case 1:
		sg->type = rnd_below(16);
		break;
	case 2:
		sg->present ^= 1;
		break;
	case 3:
		sg->db ^= 1;
		break;
	case 4:
		sg->l ^= 1;
		break;
	case 5:
		sg->unusable ^= 1;
		break;
	case 6:
		sg->selector = rnd();
		break;
	default:
		sg->g ^= 1;
		break;
	}
}

/*
 * CR0/CR4 bits to flip. Not CR4.OSXSAVE: that crashes hosts without
 * XSAVE today and has its own case (xsave_off_sregs_osxsave_refused).
 */
static const uint64_t cr0_flip[] = {
	X86_CR0_PE, X86_CR0_MP, X86_CR0_EM, X86_CR0_TS, X86_CR0_NE,
	X86_CR0_WP, X86_CR0_AM, 1ULL << 29, 1ULL << 30, X86_CR0_PG,
};
static const uint64_t cr4_flip[] = {
	1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 7, 1 << 8,
	1 << 9, 1 << 10, 1 << 11, 1 << 16, 1 << 20, 1 << 21,
};
static const uint64_t efer_values[] = {
	0, EFER_SCE, EFER_LME, EFER_LMA, EFER_LME | EFER_LMA, EFER_NXE,
	EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE,
};

struct fuzz_stats {
	unsigned int runs, exits[16], run_errors, sregs_refused, set_ok;
	unsigned int irq_busy, insn_errors, guest_state, other_fail;
	unsigned int internal[8];
};

static void fuzz_sregs(struct xt_vcpu *vcpu, struct fuzz_stats *st)
{
	struct xvcpu_sregs s;
	unsigned int n, i;

	/* A mode from the library, then a few random changes. */
	n = rnd_below(3);
	trace("setup %s mode\n", mode_names[n]);
	switch (n) {
	case 0:
		xt_vcpu_setup_real_mode(vcpu, rnd_below(0x100) << 4,
					rnd_below(0x10000));
		break;
	case 1:
		xt_vcpu_setup_prot32(vcpu, rnd_code_addr(), rnd());
		break;
	default:
		xt_vcpu_setup_long_mode(vcpu, (void *)(uintptr_t)rnd_code_addr());
		break;
	}
	xt_vcpu_get_sregs(vcpu, &s);
	/* Mostly valid states, so that guests run and take exceptions. */
	n = rnd_below(3) ? 0 : 1 + rnd_below(3);
	for (i = 0; i < n; i++) {
		switch (rnd_below(12)) {
		case 0:
			rnd_seg(&s.cs);
			break;
		case 1:
			rnd_seg(&s.ss);
			break;
		case 2:
			rnd_seg(&s.ds);
			break;
		case 3:
			rnd_seg(&s.tr);
			break;
		case 4:
			rnd_seg(&s.ldt);
			break;
		case 5:
			s.cr0 ^= cr0_flip[rnd_below(XT_ARRAY_SIZE(cr0_flip))];
			break;
		case 6:
			s.cr4 ^= cr4_flip[rnd_below(XT_ARRAY_SIZE(cr4_flip))];
			break;
		case 7:
			s.efer = efer_values[rnd_below(XT_ARRAY_SIZE(efer_values))];
			break;
		case 8:
			/* Often where delivery cannot read it: no slot. */
			s.idt.limit = rnd_below(2) ? 0xfff : rnd();
			s.idt.base = rnd_below(2) ? XT_MMIO_GPA + rnd_below(0x10000) :
				     rnd();
			break;
		case 9:
			s.gdt.limit = rnd();
			break;
		case 10:
			s.cr3 = rnd() & ((1ULL << 40) - 1) & ~0xfffULL;
			break;
		default:
			s.cr8 = rnd_below(16);
			break;
		}
	}
	trace("SET_SREGS cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx idt 0x%llx/0x%x gdt 0x%llx/0x%x\n",
	      (unsigned long long)s.cr0, (unsigned long long)s.cr3,
	      (unsigned long long)s.cr4, (unsigned long long)s.efer,
	      (unsigned long long)s.idt.base, s.idt.limit,
	      (unsigned long long)s.gdt.base, s.gdt.limit);
	trace_seg("cs", &s.cs);
	trace_seg("ss", &s.ss);
	trace_seg("ds", &s.ds);
	trace_seg("tr", &s.tr);
	trace_seg("ldt", &s.ldt);
	if (__vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s)) {
		st->sregs_refused++;
		trace("  refused: %s\n", strerror(errno));
	} else {
		st->set_ok++;
	}
}

static void fuzz_regs(struct xt_vcpu *vcpu)
{
	struct xvcpu_regs r;
	__u64 *g = &r.rax;
	unsigned int i;

	xt_vcpu_get_regs(vcpu, &r);
	for (i = 0; i < 16; i++)
		if (rnd_below(2))
			g[i] = rnd();
	/* A stack in RAM, where delivery cannot push (no slot), or anywhere. */
	switch (rnd_below(4)) {
	case 0:
		r.rsp = RAM_GPA + rnd_below(FUZZ_RAM_SIZE);
		break;
	case 1:
		r.rsp = XT_MMIO_GPA + rnd_below(0x10000);
		break;
	case 2:
		r.rsp = rnd();
		break;
	}
	r.rip = rnd_code_addr();
	r.rflags = (rnd() & ~RFLAGS_RESERVED) | X86_RFLAGS_FIXED;
	/* Virtual-8086 mode now and then, not every other time. */
	if (rnd_below(8))
		r.rflags &= ~X86_RFLAGS_VM;
	trace("SET_REGS rip 0x%llx rsp 0x%llx rflags 0x%llx\n",
	      (unsigned long long)r.rip, (unsigned long long)r.rsp,
	      (unsigned long long)r.rflags);
	TEST_ASSERT(!__vcpu_ioctl(vcpu, XVCPU_SET_REGS, &r),
		    "SET_REGS rflags 0x%llx: %s",
		    (unsigned long long)r.rflags, strerror(errno));
}

TEST_F_TIMEOUT(xvcpu, random_state_never_vm_instruction_error, 900)
{
	struct fuzz_stats st = {};
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu;
	struct xvcpu_run *run;
	const char *env = getenv("XVCPU_FUZZ_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : FUZZ_SEED, t;
	unsigned int iterations = FUZZ_ITERATIONS;
	bool need_state = false;
	uint64_t img, img_size;
	uint8_t *ram, *low;
	unsigned int it, i;
	char desc[512];

	if (skip_requested("random_state_never_vm_instruction_error"))
		SKIP(return, "XVCPU_SKIP names it");
	env = getenv("XVCPU_FUZZ_ITERATIONS");
	if (env)
		iterations = strtoul(env, NULL, 0);
	rng_state = seed;
	if (getenv("XVCPU_FUZZ_TRACE"))
		trace_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	printf("# seed 0x%llx (XVCPU_FUZZ_SEED), %u iterations (XVCPU_FUZZ_ITERATIONS)\n",
	       (unsigned long long)seed, iterations);
	/*
	 * The guest must not change this process's own image: read-only
	 * (writes are MMIO exits), so that the IDT stubs still deliver
	 * exceptions to the library's dispatcher.
	 */
	xt_image_range(&img, &img_size);
	xt_vm_delete_slot(vm, XT_IMAGE_SLOT);
	xt_set_memory_region(vm, XT_IMAGE_SLOT, XVCPU_MEM_READONLY, img,
			     img_size, (void *)(uintptr_t)img);
	ram = xt_vm_add_slot(vm, XT_FIRST_TEST_SLOT, RAM_GPA, FUZZ_RAM_SIZE, 0);
	low = xt_vm_add_slot(vm, LOW_SLOT, 0, LOW_SIZE, 0);
	for (i = 0; i < FUZZ_RAM_SIZE; i++)
		ram[i] = rnd();
	for (i = 0; i < LOW_SIZE; i++)
		low[i] = rnd();
	vcpu = xt_vcpu_add(vm, 0);
	run = vcpu->run;
	install_handler(SIGALRM, sig_nop);

	t = now_us();
	for (it = 0; it < iterations; it++) {
		unsigned int op = rnd_below(10);
		int r, err;

		/* A state VM entry refused: usually set a new one first. */
		if (need_state && rnd_below(4))
			op = 0;
		need_state = false;
		switch (op) {
		case 0:
		case 1:
			fuzz_sregs(vcpu, &st);
			break;
		case 2:
		case 3:
			fuzz_regs(vcpu);
			break;
		case 4: {
			struct xvcpu_msr_entry e = {
				.index = MSR_EFER,
				.data = efer_values[rnd_below(XT_ARRAY_SIZE(efer_values))],
			};

			trace("SET_MSRS EFER 0x%llx: %d\n",
			      (unsigned long long)e.data,
			      __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, &e, 1));
			break;
		}
		case 5: {
			unsigned int vec = 32 + rnd_below(224);

			r = __xt_vcpu_interrupt(vcpu, vec);
			trace("INTERRUPT 0x%x: %d\n", vec, r);
			if (r)
				st.irq_busy++;
			break;
		}
		default:
			run->request_interrupt_window = rnd_below(4) == 0;
			run->immediate_exit = rnd_below(16) == 0;
			trace("RUN %u (window %u immediate %u)\n", it,
			      run->request_interrupt_window,
			      run->immediate_exit);
			r = run_with_timer(vcpu, FUZZ_RUN_MS, &err);
			run->immediate_exit = 0;
			st.runs++;
			if (r) {
				if (err != EINTR) {
					st.run_errors++;
					TH_LOG("iteration %u: RUN failed: %s", it,
					       strerror(err));
				}
				break;
			}
			xt_exit_describe(vcpu, desc, sizeof(desc));
			trace("  exit %s\n", desc);
			st.exits[run->exit_reason & 15]++;
			if (run->exit_reason == XVCPU_EXIT_INTERNAL_ERROR)
				st.internal[run->internal.suberror & 7]++;
			if (run->exit_reason != XVCPU_EXIT_FAIL_ENTRY)
				break;
			need_state = true;
			if (run->fail_entry.vm_instruction_error) {
				st.insn_errors++;
				xt_exit_describe(vcpu, desc, sizeof(desc));
				TH_LOG("iteration %u: %s", it, desc);
			} else if (run->fail_entry.hardware_entry_failure_reason ==
				   VMX_ENTRY_FAIL_GUEST_STATE) {
				st.guest_state++;
			} else {
				st.other_fail++;
				xt_exit_describe(vcpu, desc, sizeof(desc));
				TH_LOG("iteration %u: %s", it, desc);
			}
			break;
		}
	}
	t = now_us() - t;
	run->request_interrupt_window = 0;
	if (trace_fd >= 0)
		close(trace_fd);
	printf("# %u iterations in %llu ms: %u RUNs (%u failed other than EINTR), SET_SREGS %u ok %u refused, INTERRUPT busy %u\n",
	       iterations, (unsigned long long)t / 1000, st.runs,
	       st.run_errors, st.set_ok, st.sregs_refused, st.irq_busy);
	for (i = 0; i < 16; i++)
		if (st.exits[i])
			printf("#   exit %-18s %u\n", xt_exit_reason_str(i),
			       st.exits[i]);
	for (i = 0; i < 8; i++)
		if (st.internal[i])
			printf("#   internal error suberror %u: %u\n", i,
			       st.internal[i]);
	printf("# FAIL_ENTRY: %u guest state (0x80000021, allowed), %u VM-instruction errors, %u other\n",
	       st.guest_state, st.insn_errors, st.other_fail);
	TH_LOG("%u guest-state entry failures (allowed)", st.guest_state);
	EXPECT_EQ(0, st.insn_errors);
	EXPECT_EQ(0, st.run_errors);
	xt_vm_destroy(vm);
}

/* ==== features the test VM's CPU model lacks: skip with the reason ==== */

static volatile uint64_t pku_res[4];

GUEST_CODE static void guest_pku(void)
{
	uint32_t a, b, c, d;

	xt_cpuid(7, 0, &a, &b, &c, &d);
	pku_res[0] = c;
	pku_res[1] = PROBE("mov %%cr4, %%rax; or $0x400000, %%rax; mov %%rax, %%cr4");
	if (pku_res[1] == NONE)
		pku_res[2] = PROBE("mov $0x55555554, %%eax; xor %%ecx, %%ecx; xor %%edx, %%edx; wrpkru;"
				   "xor %%ecx, %%ecx; rdpkru; mov %%rax, (%[o])",
				   [o] "r"(&pku_res[3]));
	GUEST_DONE();
}

static uint32_t host_rdpkru(void)
{
	uint32_t v, d;

	asm volatile("rdpkru" : "=a"(v), "=d"(d) : "c"(0));
	return v;
}

TEST_F(xvcpu, pku_guest_pkru_not_host)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	uint32_t a, b, c, d, pkru;

	host_cpuid(7, 0, &a, &b, &c, &d);
	if (!(c & (1U << 4)))
		SKIP(return, "no PKU with OSPKE on this host (Bochs's Skylake-X model has no PKU): cannot show");
	pkru = host_rdpkru();
	vm = xt_vm_create_with_vcpu(&vcpu, guest_pku);
	xt_vm_install_safe_handlers(vm);
	run_probes(vcpu);
	printf("# guest CPUID.7:ECX 0x%llx, CR4.PKE %s, WRPKRU %s, PKRU 0x%llx\n",
	       (unsigned long long)pku_res[0], vec_str(pku_res[1]),
	       vec_str(pku_res[2]), (unsigned long long)pku_res[3]);
	if (pku_res[0] & (1U << 3)) {
		EXPECT_EQ(NONE, pku_res[1]);
		EXPECT_EQ(NONE, pku_res[2]);
		EXPECT_EQ(0x55555554, pku_res[3]);
	} else {
		EXPECT_EQ(GP, pku_res[1]);
	}
	EXPECT_EQ(pkru, host_rdpkru()) TH_LOG("the guest's PKRU leaked into the VMM");
	xt_vm_destroy(vm);
}

static volatile uint64_t spec_res[5];

GUEST_CODE static void guest_spec_ctrl(void)
{
	uint32_t a, b, c, d;

	xt_cpuid(7, 0, &a, &b, &c, &d);
	spec_res[0] = d;
	spec_res[1] = PROBE("mov $0x48, %%ecx; mov $1, %%eax; xor %%edx, %%edx; wrmsr");
	spec_res[2] = PROBE("mov $0x48, %%ecx; rdmsr; mov %%eax, (%[o]); mov %%edx, 4(%[o])",
			    [o] "r"(&spec_res[4]));
	spec_res[3] = PROBE("mov $0x49, %%ecx; mov $1, %%eax; xor %%edx, %%edx; wrmsr");
	/* Leave IBRS off again. */
	(void)PROBE("mov $0x48, %%ecx; xor %%eax, %%eax; xor %%edx, %%edx; wrmsr");
	GUEST_DONE();
}

TEST_F(xvcpu, spec_ctrl_follows_guest_cpuid)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	uint32_t a, b, c, d;

	/*
	 * Whatever the host has, the guest's CPUID decides: xvcpu offers no
	 * speculation-control MSRs, so on any host they must be #GP.
	 */
	host_cpuid(7, 0, &a, &b, &c, &d);
	printf("# host CPUID.7:EDX 0x%x\n", d);
	vm = xt_vm_create_with_vcpu(&vcpu, guest_spec_ctrl);
	xt_vm_install_safe_handlers(vm);
	run_probes(vcpu);
	printf("# guest CPUID.7:EDX 0x%llx: WRMSR SPEC_CTRL %s, RDMSR %s (0x%llx), WRMSR PRED_CMD %s\n",
	       (unsigned long long)spec_res[0], vec_str(spec_res[1]),
	       vec_str(spec_res[2]), (unsigned long long)spec_res[4],
	       vec_str(spec_res[3]));
	if (spec_res[0] & (1U << 26)) {
		EXPECT_EQ(NONE, spec_res[1]);
		EXPECT_EQ(NONE, spec_res[2]);
		EXPECT_EQ(1, spec_res[4] & 1);
		EXPECT_EQ(NONE, spec_res[3]);
	} else {
		EXPECT_EQ(GP, spec_res[1]);
		EXPECT_EQ(GP, spec_res[2]);
		EXPECT_EQ(GP, spec_res[3]);
	}
	xt_vm_destroy(vm);
}

/* ==== 2. XSAVE follows the host ==== */

#define XCR0_X87	1ULL
#define XCR0_SSE	2ULL
#define XCR0_YMM	4ULL

static volatile uint64_t xcr0_read;

GUEST_CODE static uint32_t guest_cpuid1_ecx(void)
{
	uint32_t a, b, c, d;

	xt_cpuid(1, 0, &a, &b, &c, &d);
	return c;
}

GUEST_CODE static unsigned int probe_xgetbv(uint32_t index)
{
	return PROBE("mov %[i], %%ecx; xgetbv; mov %%eax, (%[o]); mov %%edx, 4(%[o])",
		     [i] "r"(index), [o] "r"(&xcr0_read));
}

GUEST_CODE static unsigned int probe_xsetbv(uint32_t index, uint64_t v)
{
	return PROBE("mov %[i], %%ecx; mov %[lo], %%eax; mov %[hi], %%edx; xsetbv",
		     [i] "r"(index), [lo] "r"((uint32_t)v),
		     [hi] "r"((uint32_t)(v >> 32)));
}

GUEST_CODE static uint64_t user_xsetbv(uint64_t v)
{
	return probe_xsetbv(0, v);
}

/* Host without XSAVE: CR4.OSXSAVE, XSETBV and XGETBV all fault. */
GUEST_CODE static void guest_xsave_off(void)
{
	uint64_t cr4 = xt_read_cr4();
	unsigned int v;

	v = PROBE("mov %[v], %%cr4", [v] "r"(cr4 | X86_CR4_OSXSAVE));
	GUEST_SYNC_ARGS(1, v, cr4, xt_read_cr4(), guest_cpuid1_ecx());
	GUEST_SYNC_ARGS(2, probe_xsetbv(0, XCR0_X87), probe_xgetbv(0));
	GUEST_DONE();
}

/* Host with XSAVE: the guest gets its own XCR0, checked as hardware does. */
GUEST_CODE static void guest_xsave_on(void)
{
	uint32_t a, b, c, d, bit;
	uint64_t cr4 = xt_read_cr4();
	unsigned int v, w;

	GUEST_SYNC_ARGS(1, guest_cpuid1_ecx(), cr4);
	v = PROBE("mov %[v], %%cr4", [v] "r"(cr4 | X86_CR4_OSXSAVE));
	GUEST_SYNC_ARGS(2, v, xt_read_cr4(), guest_cpuid1_ecx());
	xcr0_read = 0xdead;
	v = probe_xgetbv(0);
	GUEST_SYNC_ARGS(3, v, xcr0_read);
	v = probe_xsetbv(0, XCR0_X87 | XCR0_SSE);
	xcr0_read = 0xdead;
	w = probe_xgetbv(0);
	GUEST_SYNC_ARGS(4, v, w, xcr0_read);
	/* A bit CPUID.(0xd,0):EAX does not list: 9 (PKRU) if absent. */
	xt_cpuid(0xd, 0, &a, &b, &c, &d);
	bit = 9;
	while (bit < 32 && (a & (1U << bit)))
		bit++;
	GUEST_SYNC_ARGS(5, probe_xsetbv(0, 0), probe_xsetbv(0, XCR0_X87 | XCR0_YMM),
			bit < 32 ? probe_xsetbv(0, XCR0_X87 | XCR0_SSE | (1ULL << bit)) : NONE,
			bit, probe_xsetbv(1, XCR0_X87 | XCR0_SSE));
	v = xt_guest_run_user(user_xsetbv, XCR0_X87 | XCR0_SSE);
	xcr0_read = 0xdead;
	w = probe_xgetbv(0);
	GUEST_SYNC_ARGS(6, v, w, xcr0_read);
	GUEST_DONE();
}

static void xsave_off_branch(struct __test_metadata *_metadata,
			     struct xt_vcpu *vcpu)
{
	struct xvcpu_sregs s;
	struct ucall uc;

	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	printf("# CR4.OSXSAVE: %s, CR4 0x%llx -> 0x%llx, guest CPUID.1:ECX 0x%llx\n",
	       vec_str(uc.args[1]), (unsigned long long)uc.args[2],
	       (unsigned long long)uc.args[3], (unsigned long long)uc.args[4]);
	EXPECT_EQ(0, uc.args[4] & (1U << 26))
		TH_LOG("the guest's CPUID offers XSAVE, the host has none");
	EXPECT_EQ(GP, uc.args[1]) TH_LOG("MOV to CR4.OSXSAVE: %s",
					 vec_str(uc.args[1]));
	EXPECT_EQ(uc.args[2], uc.args[3]) TH_LOG("CR4 changed");
	xt_vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(0, s.cr4 & X86_CR4_OSXSAVE);
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	printf("# XSETBV %s, XGETBV %s\n", vec_str(uc.args[1]),
	       vec_str(uc.args[2]));
	EXPECT_EQ(UD, uc.args[1]) TH_LOG("XSETBV: %s", vec_str(uc.args[1]));
	EXPECT_EQ(UD, uc.args[2]) TH_LOG("XGETBV: %s", vec_str(uc.args[2]));
	TEST_ASSERT_DONE(vcpu);
}

static void xsave_on_branch(struct __test_metadata *_metadata,
			    struct xt_vcpu *vcpu)
{
	uint64_t host_xcr0 = host_xgetbv0();
	struct xvcpu_sregs s;
	struct ucall uc;

	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	printf("# host XCR0 0x%llx; guest CPUID.1:ECX 0x%llx, CR4 0x%llx\n",
	       (unsigned long long)host_xcr0, (unsigned long long)uc.args[1],
	       (unsigned long long)uc.args[2]);
	EXPECT_EQ(1U << 26, uc.args[1] & (1U << 26))
		TH_LOG("the host has XSAVE, the guest's CPUID does not offer it");
	EXPECT_EQ(0, uc.args[1] & (1U << 27));

	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	printf("# MOV CR4.OSXSAVE: %s, CR4 0x%llx, CPUID.1:ECX 0x%llx\n",
	       vec_str(uc.args[1]), (unsigned long long)uc.args[2],
	       (unsigned long long)uc.args[3]);
	EXPECT_EQ(NONE, uc.args[1]);
	EXPECT_EQ(X86_CR4_OSXSAVE, uc.args[2] & X86_CR4_OSXSAVE);
	EXPECT_EQ(1U << 27, uc.args[3] & (1U << 27))
		TH_LOG("CPUID.1:ECX.OSXSAVE does not follow the guest's CR4");
	xt_vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(X86_CR4_OSXSAVE, s.cr4 & X86_CR4_OSXSAVE)
		TH_LOG("GET_SREGS cr4 0x%llx", (unsigned long long)s.cr4);

	TEST_ASSERT_SYNC(vcpu, 3, &uc);
	printf("# XGETBV(0) after reset: %s, 0x%llx\n", vec_str(uc.args[1]),
	       (unsigned long long)uc.args[2]);
	EXPECT_EQ(NONE, uc.args[1]);
	EXPECT_EQ(XCR0_X87, uc.args[2])
		TH_LOG("the guest reads XCR0 0x%llx (host's 0x%llx)",
		       (unsigned long long)uc.args[2],
		       (unsigned long long)host_xcr0);
	EXPECT_EQ(host_xcr0, host_xgetbv0());

	TEST_ASSERT_SYNC(vcpu, 4, &uc);
	printf("# XSETBV(0, 3): %s; XGETBV %s, 0x%llx\n", vec_str(uc.args[1]),
	       vec_str(uc.args[2]), (unsigned long long)uc.args[3]);
	EXPECT_EQ(NONE, uc.args[1]);
	EXPECT_EQ(NONE, uc.args[2]);
	EXPECT_EQ(XCR0_X87 | XCR0_SSE, uc.args[3]);
	EXPECT_EQ(host_xcr0, host_xgetbv0())
		TH_LOG("the guest's XCR0 is the VMM's now");

	TEST_ASSERT_SYNC(vcpu, 5, &uc);
	printf("# XSETBV 0: %s, YMM without SSE: %s, bit %llu: %s, ECX=1: %s\n",
	       vec_str(uc.args[1]), vec_str(uc.args[2]),
	       (unsigned long long)uc.args[4], vec_str(uc.args[3]),
	       vec_str(uc.args[5]));
	EXPECT_EQ(GP, uc.args[1]) TH_LOG("XCR0 = 0");
	EXPECT_EQ(GP, uc.args[2]) TH_LOG("XCR0 = x87|YMM");
	EXPECT_LT(uc.args[4], 32);
	EXPECT_EQ(GP, uc.args[3]) TH_LOG("XCR0 bit %llu not in CPUID",
					 (unsigned long long)uc.args[4]);
	EXPECT_EQ(GP, uc.args[5]) TH_LOG("XSETBV with ECX=1");

	TEST_ASSERT_SYNC(vcpu, 6, &uc);
	printf("# XSETBV at CPL3: %s; XGETBV %s, 0x%llx\n",
	       vec_str(uc.args[1]), vec_str(uc.args[2]),
	       (unsigned long long)uc.args[3]);
	EXPECT_EQ(GP, uc.args[1]) TH_LOG("XSETBV at CPL3");
	EXPECT_EQ(XCR0_X87 | XCR0_SSE, uc.args[3]);
	TEST_ASSERT_DONE(vcpu);
	EXPECT_EQ(host_xcr0, host_xgetbv0());
}

TEST_F(xvcpu, xsave_follows_host_off)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;

	if (skip_requested("xsave_follows_host_off"))
		SKIP(return, "XVCPU_SKIP names it");
	if (host_osxsave())
		SKIP(return, "the host runs with XSAVE: the XSAVE-off branch needs a host without it (the default test VM)");
	vm = xt_vm_create_with_vcpu(&vcpu, guest_xsave_off);
	xt_vm_install_safe_handlers(vm);
	xsave_off_branch(_metadata, vcpu);
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, xsave_follows_host_on)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;

	if (skip_requested("xsave_follows_host_on"))
		SKIP(return, "XVCPU_SKIP names it");
	if (!host_osxsave())
		SKIP(return, "the host runs without XSAVE: the XSAVE-on branch needs clearcpuid=xsaves,xsavec");
	vm = xt_vm_create_with_vcpu(&vcpu, guest_xsave_on);
	xt_vm_install_safe_handlers(vm);
	xt_vm_enable_user(vm);
	xsave_on_branch(_metadata, vcpu);
	xt_vm_destroy(vm);
}

GUEST_CODE static void guest_xsetbv_after_sregs(void)
{
	GUEST_SYNC_ARGS(1, xt_read_cr4(), probe_xsetbv(0, XCR0_X87),
			probe_xgetbv(0));
	GUEST_DONE();
}

/*
 * Host without XSAVE, CR4.OSXSAVE from SET_SREGS instead of MOV: refused,
 * and the guest's XSETBV/XGETBV still fault (the host must not execute
 * XGETBV without CR4.OSXSAVE itself).
 */
TEST_F(xvcpu, xsave_off_sregs_osxsave_refused)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	struct xvcpu_sregs s;
	struct ucall uc;
	int r;

	if (skip_requested("xsave_off_sregs_osxsave_refused"))
		SKIP(return, "XVCPU_SKIP names it");
	if (host_osxsave())
		SKIP(return, "the host runs with XSAVE (case for hosts without it)");
	vm = xt_vm_create_with_vcpu(&vcpu, guest_xsetbv_after_sregs);
	xt_vm_install_safe_handlers(vm);
	xt_vcpu_get_sregs(vcpu, &s);
	s.cr4 |= X86_CR4_OSXSAVE;
	r = __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s);
	printf("# SET_SREGS with CR4.OSXSAVE: %s\n", r ? strerror(errno) : "accepted");
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINVAL, errno);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	printf("# guest CR4 0x%llx, XSETBV %s, XGETBV %s\n",
	       (unsigned long long)uc.args[1], vec_str(uc.args[2]),
	       vec_str(uc.args[3]));
	EXPECT_EQ(0, uc.args[1] & X86_CR4_OSXSAVE);
	EXPECT_EQ(UD, uc.args[2]);
	EXPECT_EQ(UD, uc.args[3]);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/*
 * ==== 4(a)(b). exception loops: the host stays in control (last) ====
 *
 * Last, #AC last of all: without the fix the #AC loop hangs a real CPU,
 * and in Bochs it recurses in the emulator until Bochs itself dies
 * (exception -> protected_mode_int -> stack_write_dword -> #AC ...).
 */

#define LOOP_RUN_MS		200
#define LOOP_MIN_EXITS		100

/*
 * RUN a guest that is in an exception loop, twice, each ended by a timer
 * signal: -1/EINTR, XVCPU_EXIT_INTR, and many exits meanwhile.
 */
static void expect_loop_interrupted(struct __test_metadata *_metadata,
				    struct xt_vcpu *vcpu, const char *what)
{
	struct xvcpu_run *run = vcpu->run;
	struct xvcpu_regs regs;
	uint64_t before, t;
	char desc[512];
	int round, r, err;

	for (round = 0; round < 2; round++) {
		before = run->exit_count;
		run->exit_reason = XVCPU_EXIT_UNKNOWN;
		t = now_us();
		r = run_with_timer(vcpu, LOOP_RUN_MS, &err);
		t = now_us() - t;
		xt_exit_describe(vcpu, desc, sizeof(desc));
		xt_vcpu_get_regs(vcpu, &regs);
		printf("# %s, round %d: RUN %d (%s) after %llu ms, %llu exits, rip 0x%llx: %s\n",
		       what, round, r, r ? strerror(err) : "ok",
		       (unsigned long long)t / 1000,
		       (unsigned long long)(run->exit_count - before),
		       (unsigned long long)regs.rip, desc);
		ASSERT_EQ(-1, r) TH_LOG("%s: RUN returned, exit %s", what, desc);
		ASSERT_EQ(EINTR, err);
		ASSERT_EQ(XVCPU_EXIT_INTR, run->exit_reason);
		ASSERT_GE(run->exit_count - before, LOOP_MIN_EXITS)
			TH_LOG("%s: only %llu exits in %u ms", what,
			       (unsigned long long)(run->exit_count - before),
			       LOOP_RUN_MS);
	}
}

/*
 * (b) CVE-2015-8104: #DB through an IST stack with a data breakpoint on
 * that stack's top slot: delivering #DB writes there and raises #DB
 * again, forever. A handler that runs means there was no loop.
 */
GUEST_CODE static void guest_db_loop(uint64_t bp)
{
	xt_write_dr(0, bp);
	xt_write_dr(7, DR7_L0_W8);
	GUEST_SYNC(1);
	*(volatile uint64_t *)bp = 0;
	GUEST_SYNC_ARGS(2, db_count);
	GUEST_DONE();
}

TEST_F(xvcpu, db_loop_host_responsive)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_db_loop);
	uint64_t *idt, ist;
	uint8_t *tss;

	if (skip_requested("db_loop_host_responsive"))
		SKIP(return, "XVCPU_SKIP names it");
	ist = xt_vm_alloc(vm, XT_PAGE_SIZE, XT_PAGE_SIZE, NULL) + XT_PAGE_SIZE;
	idt = xt_gpa2hva(vm, XT_SYS_GPA + XT_SYS_IDT);
	tss = xt_gpa2hva(vm, XT_SYS_GPA + XT_SYS_TSS);
	idt[2 * X86_VEC_DB] |= 1ULL << 32;	/* IST1 */
	memcpy(tss + 0x24, &ist, sizeof(ist));	/* TSS.IST1 */
	xt_vm_install_handler(vm, X86_VEC_DB, db_count_handler);
	db_count = 0;
	/* The SS slot of the frame the CPU pushes at the IST top. */
	xt_vcpu_args_set(vcpu, 1, ist - 8);
	TEST_ASSERT_SYNC(vcpu, 1, NULL);
	expect_loop_interrupted(_metadata, vcpu, "#DB loop");
	xt_vm_destroy(vm);
}

/*
 * (a) CVE-2015-5307: 32-bit protected mode at CPL3 with CR0.AM and
 * EFLAGS.AC, a misaligned stack, and an #AC gate into CPL3 code: the
 * push that delivers #AC faults with #AC again, forever. Every handler
 * reports itself with an OUT (IOPL 3): a handler that runs means no loop.
 */
asm(".pushsection .text\n"
	".globl ac_guest32, ac_handler32, unexpected32\n"
	".code32\n"
	"ac_guest32:\n"
	"	push %eax\n"
	"	mov $0xe6, %dx\n"
	"	out %al, %dx\n"
	"	hlt\n"
	"ac_handler32:\n"
	"	mov $0xe7, %dx\n"
	"	out %al, %dx\n"
	"	hlt\n"
	"unexpected32:\n"
	"	mov $0xe8, %dx\n"
	"	out %al, %dx\n"
	"	hlt\n"
	".code64\n"
	".popsection\n");
extern char ac_guest32[], ac_handler32[], unexpected32[];

#define PM_SEL_CODE3	0x1b
#define PM_SEL_DATA3	0x23
#define PM_SEL_TSS	0x28

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access,
			 uint8_t flags)
{
	return (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

static void seg3(struct xvcpu_segment *sg, uint16_t sel, uint8_t type)
{
	memset(sg, 0, sizeof(*sg));
	sg->limit = 0xffffffff;
	sg->selector = sel;
	sg->type = type;
	sg->present = 1;
	sg->dpl = 3;
	sg->db = 1;
	sg->s = 1;
	sg->g = 1;
}

TEST_F(xvcpu, ac_loop_host_responsive)
{
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu = xt_vcpu_add(vm, 0);
	uint64_t *gdt, *idt, gdt_gpa, idt_gpa, tss_gpa, stack;
	struct xvcpu_sregs s;
	struct xvcpu_regs regs;
	unsigned int v;

	if (skip_requested("ac_loop_host_responsive"))
		SKIP(return, "XVCPU_SKIP names it");
	gdt_gpa = xt_vm_alloc(vm, 8 * 8, 8, (void **)&gdt);
	idt_gpa = xt_vm_alloc(vm, 256 * 8, 8, (void **)&idt);
	tss_gpa = xt_vm_alloc(vm, 0x68, 16, NULL);
	stack = xt_vm_alloc(vm, XT_PAGE_SIZE, XT_PAGE_SIZE, NULL) + XT_PAGE_SIZE;
	gdt[1] = seg_desc(0, 0xfffff, 0x9b, 0xc);	/* code, DPL 0 */
	gdt[2] = seg_desc(0, 0xfffff, 0x93, 0xc);	/* data, DPL 0 */
	gdt[3] = seg_desc(0, 0xfffff, 0xfb, 0xc);	/* code, DPL 3 */
	gdt[4] = seg_desc(0, 0xfffff, 0xf3, 0xc);	/* data, DPL 3 */
	gdt[5] = seg_desc(tss_gpa, 0x67, 0x8b, 0);	/* busy 32-bit TSS */
	for (v = 0; v < 256; v++) {
		uint32_t off = (uintptr_t)(v == X86_VEC_AC ? ac_handler32 :
					   unexpected32);

		/* 32-bit interrupt gate to CPL3 code: no stack switch. */
		idt[v] = (off & 0xffff) | ((uint64_t)PM_SEL_CODE3 << 16) |
			 (0x8eULL << 40) | ((uint64_t)(off >> 16) << 48);
	}

	xt_vcpu_get_sregs(vcpu, &s);
	memset(&s.cs, 0, 8 * sizeof(s.cs));
	seg3(&s.cs, PM_SEL_CODE3, 0xb);
	seg3(&s.ss, PM_SEL_DATA3, 0x3);
	s.ds = s.es = s.fs = s.gs = s.ss;
	s.tr.base = tss_gpa;
	s.tr.limit = 0x67;
	s.tr.selector = PM_SEL_TSS;
	s.tr.type = 0xb;
	s.tr.present = 1;
	s.ldt.type = 2;
	s.ldt.unusable = 1;
	s.gdt.base = gdt_gpa;
	s.gdt.limit = 6 * 8 - 1;
	s.idt.base = idt_gpa;
	s.idt.limit = 256 * 8 - 1;
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_AM;
	s.cr2 = s.cr3 = s.cr4 = s.cr8 = s.efer = 0;
	xt_vcpu_set_sregs(vcpu, &s);
	memset(&regs, 0, sizeof(regs));
	regs.rip = (uintptr_t)ac_guest32;
	regs.rsp = stack - 2;		/* misaligned */
	regs.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_AC | X86_RFLAGS_IOPL3;
	xt_vcpu_set_regs(vcpu, &regs);

	expect_loop_interrupted(_metadata, vcpu, "#AC loop");
	xt_vm_destroy(vm);
}

TEST_HARNESS_MAIN
