// SPDX-License-Identifier: GPL-2.0
/*
 * The guest CPU model: register get/set as the guest sees it, the CPUID
 * table (default, set, get), MSR lists from the host and RDMSR/WRMSR
 * from the guest, #GP on unknown MSRs and MSR exits to user space.
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

/* ---- general registers -------------------------------------------------------- */

volatile uint64_t regs_dump[16];

/*
 * Exit with every GPR as the host set it, then store every GPR (as the
 * host set them again meanwhile) into regs_dump, then HLT. No stack use.
 */
asm(".pushsection .text\n"
	".globl guest_regs, guest_regs_out\n"
	"guest_regs:\n"
	"	outb %al, $0xE5\n"
	"guest_regs_out:\n"
	"	movq %rax, regs_dump + 0\n"
	"	movq %rbx, regs_dump + 8\n"
	"	movq %rcx, regs_dump + 16\n"
	"	movq %rdx, regs_dump + 24\n"
	"	movq %rsi, regs_dump + 32\n"
	"	movq %rdi, regs_dump + 40\n"
	"	movq %rsp, regs_dump + 48\n"
	"	movq %rbp, regs_dump + 56\n"
	"	movq %r8, regs_dump + 64\n"
	"	movq %r9, regs_dump + 72\n"
	"	movq %r10, regs_dump + 80\n"
	"	movq %r11, regs_dump + 88\n"
	"	movq %r12, regs_dump + 96\n"
	"	movq %r13, regs_dump + 104\n"
	"	movq %r14, regs_dump + 112\n"
	"	movq %r15, regs_dump + 120\n"
	"	hlt\n"
	".popsection\n");
extern char guest_regs[], guest_regs_out[];

static void fill_regs(struct xvcpu_regs *r, uint64_t seed)
{
	__u64 *g = &r->rax;
	int i;

	for (i = 0; i < 16; i++)
		g[i] = seed * 0x0101010101010101ULL + i;
}

TEST_F(xvcpu, regs_set_get_guest_view)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_regs);
	struct xvcpu_regs set, got;
	int i;

	xt_vcpu_get_regs(vcpu, &set);
	fill_regs(&set, 0x11);
	set.rflags = X86_RFLAGS_FIXED | (1 << 0) | (1 << 6);	/* CF, ZF */
	xt_vcpu_set_regs(vcpu, &set);
	xt_vcpu_get_regs(vcpu, &got);
	ASSERT_EQ(0, memcmp(&set, &got, sizeof(set)));

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
	ASSERT_EQ(0xE5, vcpu->run->io.port);
	xt_vcpu_get_regs(vcpu, &got);
	for (i = 0; i < 16; i++)
		ASSERT_EQ((&set.rax)[i], (&got.rax)[i]) TH_LOG("GPR %d", i);
	ASSERT_EQ((uintptr_t)guest_regs_out, got.rip);
	ASSERT_EQ(set.rflags, got.rflags);

	/* New values, set at the exit, are what the guest then stores. */
	fill_regs(&set, 0x22);
	set.rip = got.rip;
	set.rflags = X86_RFLAGS_FIXED;
	xt_vcpu_set_regs(vcpu, &set);
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HLT);
	for (i = 0; i < 16; i++)
		ASSERT_EQ((&set.rax)[i], regs_dump[i]) TH_LOG("GPR %d", i);
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, sregs_set_get)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_regs);
	struct xvcpu_sregs s, g;

	xt_vcpu_get_sregs(vcpu, &s);
	ASSERT_EQ(XT_SEL_CODE64, s.cs.selector);
	ASSERT_EQ(1, s.cs.l);
	ASSERT_EQ(0xb, s.cs.type);
	ASSERT_EQ(XT_SYS_GPA + XT_SYS_PML4, s.cr3);
	ASSERT_EQ(X86_CR4_PAE, s.cr4) TH_LOG("cr4 0x%llx", s.cr4);
	ASSERT_EQ(EFER_LME | EFER_LMA, s.efer);
	ASSERT_EQ(XT_SYS_GPA + XT_SYS_GDT, s.gdt.base);
	ASSERT_EQ(XT_GDT_ENTRIES * 8 - 1, s.gdt.limit);
	ASSERT_EQ(XT_SYS_GPA + XT_SYS_IDT, s.idt.base);
	ASSERT_EQ(XT_SEL_TSS, s.tr.selector);
	for (unsigned int i = 0; i < XT_ARRAY_SIZE(s.reserved); i++)
		ASSERT_EQ(0, s.reserved[i]);

	/* Values that do not change how the guest runs come back as set. */
	s.fs.base = 0x7f0000001000ULL;
	s.gs.base = 0xffff888000000000ULL;
	s.ds.selector = 0;
	s.ds.unusable = 1;
	s.ds.present = 0;
	s.cr2 = 0xdead000;
	s.cr8 = 5;
	xt_vcpu_set_sregs(vcpu, &s);
	xt_vcpu_get_sregs(vcpu, &g);
	ASSERT_EQ(s.fs.base, g.fs.base);
	ASSERT_EQ(s.gs.base, g.gs.base);
	ASSERT_EQ(1, g.ds.unusable);
	ASSERT_EQ(s.cr2, g.cr2);
	ASSERT_EQ(s.cr8, g.cr8);
	ASSERT_EQ(s.cr0, g.cr0);
	ASSERT_EQ(s.cr3, g.cr3);
	ASSERT_EQ(s.cr4, g.cr4);
	ASSERT_EQ(s.efer, g.efer);
	ASSERT_EQ(s.cs.base, g.cs.base);
	ASSERT_EQ(s.cs.limit, g.cs.limit);
	ASSERT_EQ(s.tr.base, g.tr.base);
	ASSERT_EQ(s.tr.limit, g.tr.limit);
	ASSERT_EQ(s.idt.limit, g.idt.limit);
	/* The MSR view of the FS/GS bases is the same register. */
	ASSERT_EQ(s.fs.base, xt_vcpu_get_msr(vcpu, MSR_FS_BASE));
	ASSERT_EQ(s.gs.base, xt_vcpu_get_msr(vcpu, MSR_GS_BASE));
	xt_vm_destroy(vm);
}

/* ---- CPUID ------------------------------------------------------------------ */

#define CPUID_VMX	(1U << 5)	/* leaf 1 ECX */
#define CPUID_MCE_MCA	((1U << 7) | (1U << 14))	/* leaf 1 EDX */
#define CPUID_APIC_ID	0xff000000U	/* leaf 1 EBX, per vCPU */
#define CPUID_OSXSAVE	(1U << 27)	/* leaf 1 ECX, follows CR4 */

static struct xvcpu_cpuid_entry *find_entry(struct xvcpu_cpuid_entry *e,
					    uint32_t n, uint32_t fn,
					    uint32_t index)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (e[i].function == fn &&
		    (!(e[i].flags & XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX) ||
		     e[i].index == index))
			return &e[i];
	return NULL;
}

struct cpuid_query {
	uint32_t fn, index;
};

volatile struct cpuid_query cpuid_queries[16];
volatile uint32_t cpuid_nqueries;

GUEST_CODE static void guest_cpuid(void)
{
	uint32_t i, a, b, c, d;

	for (i = 0; i < cpuid_nqueries; i++) {
		xt_cpuid(cpuid_queries[i].fn, cpuid_queries[i].index,
			 &a, &b, &c, &d);
		GUEST_SYNC_ARGS(i, a, b, c, d);
	}
	GUEST_DONE();
}

/* Run guest_cpuid over the queries; compare with the table entries. */
static void check_guest_cpuid(struct __test_metadata *_metadata,
			      struct xt_vcpu *vcpu,
			      struct xvcpu_cpuid_entry *tab, uint32_t n,
			      bool mask_dynamic)
{
	struct ucall uc;
	uint32_t i;

	for (i = 0; i < cpuid_nqueries; i++) {
		struct xvcpu_cpuid_entry *e;
		uint32_t mb = ~0U, mc = ~0U;

		TEST_ASSERT_SYNC(vcpu, i, &uc);
		e = find_entry(tab, n, cpuid_queries[i].fn,
			       cpuid_queries[i].index);
		ASSERT_NE(NULL, e) TH_LOG("leaf 0x%x.%u", cpuid_queries[i].fn,
					  cpuid_queries[i].index);
		if (mask_dynamic && e->function == 1) {
			mb = ~CPUID_APIC_ID;
			mc = ~CPUID_OSXSAVE;
		}
		ASSERT_EQ(e->eax, (uint32_t)uc.args[1]) TH_LOG("leaf 0x%x.%u eax", e->function, e->index);
		ASSERT_EQ(e->ebx & mb, (uint32_t)uc.args[2] & mb) TH_LOG("leaf 0x%x.%u ebx", e->function, e->index);
		ASSERT_EQ(e->ecx & mc, (uint32_t)uc.args[3] & mc) TH_LOG("leaf 0x%x.%u ecx", e->function, e->index);
		ASSERT_EQ(e->edx, (uint32_t)uc.args[4]) TH_LOG("leaf 0x%x.%u edx", e->function, e->index);
	}
	TEST_ASSERT_DONE(vcpu);
}

/* The default table exists, hides VMX, and is what the guest sees. */
TEST_F(xvcpu, cpuid_default_hides_vmx)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_cpuid);
	struct xvcpu_cpuid_entry *tab, *leaf1, *leaf0;
	uint32_t n = 0;
	int r;

	r = __xt_vcpu_get_cpuid(vcpu, NULL, &n);
	ASSERT_EQ(-1, r);
	ASSERT_EQ(E2BIG, errno);
	ASSERT_GT(n, 1);
	ASSERT_LE(n, XVCPU_MAX_CPUID_ENTRIES);
	tab = calloc(n, sizeof(*tab));
	ASSERT_EQ(0, __xt_vcpu_get_cpuid(vcpu, tab, &n));
	leaf0 = find_entry(tab, n, 0, 0);
	leaf1 = find_entry(tab, n, 1, 0);
	ASSERT_NE(NULL, leaf0);
	ASSERT_NE(NULL, leaf1);
	ASSERT_EQ(0, leaf1->ecx & CPUID_VMX);
	/* No machine-check MSRs: MCE and MCA are hidden (Linux panics). */
	ASSERT_EQ(0, leaf1->edx & CPUID_MCE_MCA);
	printf("# default CPUID table: %u entries, max basic leaf 0x%x\n", n,
	       leaf0->eax);

	cpuid_queries[0] = (struct cpuid_query){ 0, 0 };
	cpuid_queries[1] = (struct cpuid_query){ 1, 0 };
	cpuid_nqueries = 2;
	check_guest_cpuid(_metadata, vcpu, tab, n, true);
	free(tab);
	xt_vm_destroy(vm);
}

static const struct xvcpu_cpuid_entry test_table[] = {
	/* Vendor "XvcpuTestCpu", max basic leaf 4. */
	{ .function = 0, .eax = 4, .ebx = 0x70637658, .edx = 0x73655475,
	  .ecx = 0x75704374 },
	{ .function = 4, .index = 0, .flags = XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 0x121, .ebx = 0x1c0003f, .ecx = 0x3f, .edx = 0 },
	{ .function = 4, .index = 1, .flags = XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 0x122, .ebx = 0x1c0003f, .ecx = 0x3f, .edx = 1 },
	{ .function = 4, .index = 2, .flags = XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 0x143, .ebx = 0x3c0003f, .ecx = 0x3ff, .edx = 2 },
	{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x11111111,
	  .ecx = 0x22222222, .edx = 0x33333333 },
	{ .function = 0x40000001, .eax = 0xdeadbeef, .ebx = 0xcafef00d,
	  .ecx = 0x01234567, .edx = 0x89abcdef },
	{ .function = 0x80000000, .eax = 0x80000008, .ebx = 0, .ecx = 0,
	  .edx = 0 },
};

TEST_F(xvcpu, cpuid_set_guest_sees_values)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_cpuid);
	struct xvcpu_cpuid_entry tab[XT_ARRAY_SIZE(test_table)];
	uint32_t i;

	memcpy(tab, test_table, sizeof(tab));
	ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, tab, XT_ARRAY_SIZE(tab)))
		TH_LOG("XVCPU_SET_CPUID: %s", strerror(errno));
	for (i = 0; i < XT_ARRAY_SIZE(tab); i++)
		cpuid_queries[i] = (struct cpuid_query){ tab[i].function,
							 tab[i].index };
	cpuid_nqueries = XT_ARRAY_SIZE(tab);
	check_guest_cpuid(_metadata, vcpu, tab, XT_ARRAY_SIZE(tab), false);
	xt_vm_destroy(vm);
}

/*
 * The leaf index (vcpu->cpuid_first, src/vmx/cpuid.c) finds what a scan
 * of the table in order finds: a leaf twice (the first wins), subleaves
 * apart from each other, an index-significant first entry followed by a
 * plain one, the last leaf each range indexes and the first past it
 * (scanned), and absent leaves and subleaves (zeros).
 */
static const struct xvcpu_cpuid_entry lookup_table[] = {
	{ .function = 0, .eax = 0x1f, .ebx = 0x70637658, .edx = 0x73655475,
	  .ecx = 0x75704374 },
	{ .function = 2, .eax = 0x2a, .ebx = 0x2b, .ecx = 0x2c, .edx = 0x2d },
	{ .function = 7, .index = 0, .flags = XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 1, .ebx = 0x70, .ecx = 0x71, .edx = 0x72 },
	{ .function = 2, .eax = 0xbad, .ebx = 0xbad, .ecx = 0xbad, .edx = 0xbad },
	{ .function = 0xb, .index = 0, .flags = XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 0xb0, .ebx = 0xb1, .ecx = 0xb2, .edx = 0xb3 },
	{ .function = 7, .index = 1, .flags = XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 0x7a, .ebx = 0x7b, .ecx = 0x7c, .edx = 0x7d },
	{ .function = 0xb, .eax = 0xba, .ebx = 0xbb, .ecx = 0xbc, .edx = 0xbd },
	{ .function = 0x1f, .eax = 0x1f0, .ebx = 0x1f1, .ecx = 0x1f2, .edx = 0x1f3 },
	{ .function = 0x20, .eax = 0x200, .ebx = 0x201, .ecx = 0x202, .edx = 0x203 },
	{ .function = 0x4000001f, .eax = 0x4f, .ebx = 0x4e, .ecx = 0x4d, .edx = 0x4c },
	{ .function = 0x80000021, .eax = 0x821, .ebx = 0x822, .ecx = 0x823,
	  .edx = 0x824 },
	{ .function = 0xc0000001, .eax = 0xc1, .ebx = 0xc2, .ecx = 0xc3, .edx = 0xc4 },
};

TEST_F(xvcpu, cpuid_lookup_matches_table_scan)
{
	static const struct cpuid_query q[] = {
		{ 0, 0 }, { 2, 0 }, { 2, 5 }, { 7, 0 }, { 7, 1 }, { 7, 2 },
		{ 0xb, 0 }, { 0xb, 3 }, { 0x1f, 9 }, { 0x20, 0 }, { 3, 0 },
		{ 0x4000001f, 0 }, { 0x40000020, 0 }, { 0x80000021, 0 },
		{ 0xc0000001, 0 }, { 0xc0000002, 0 },
	};
	struct xvcpu_cpuid_entry tab[XT_ARRAY_SIZE(lookup_table)];
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_cpuid);
	struct ucall uc;
	uint32_t i;

	_Static_assert(XT_ARRAY_SIZE(q) <= XT_ARRAY_SIZE(cpuid_queries),
		       "too many queries");
	memcpy(tab, lookup_table, sizeof(tab));
	ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, tab, XT_ARRAY_SIZE(tab)))
		TH_LOG("XVCPU_SET_CPUID: %s", strerror(errno));
	for (i = 0; i < XT_ARRAY_SIZE(q); i++)
		cpuid_queries[i] = q[i];
	cpuid_nqueries = XT_ARRAY_SIZE(q);
	for (i = 0; i < XT_ARRAY_SIZE(q); i++) {
		const struct xvcpu_cpuid_entry *e =
			find_entry(tab, XT_ARRAY_SIZE(tab), q[i].fn, q[i].index);
		const struct xvcpu_cpuid_entry none = { 0 };

		if (!e)
			e = &none;
		TEST_ASSERT_SYNC(vcpu, i, &uc);
		ASSERT_EQ(e->eax, (uint32_t)uc.args[1]) TH_LOG("leaf 0x%x.%u eax", q[i].fn, q[i].index);
		ASSERT_EQ(e->ebx, (uint32_t)uc.args[2]) TH_LOG("leaf 0x%x.%u ebx", q[i].fn, q[i].index);
		ASSERT_EQ(e->ecx, (uint32_t)uc.args[3]) TH_LOG("leaf 0x%x.%u ecx", q[i].fn, q[i].index);
		ASSERT_EQ(e->edx, (uint32_t)uc.args[4]) TH_LOG("leaf 0x%x.%u edx", q[i].fn, q[i].index);
	}
	/* The reference scan itself: the first leaf 2, leaf 0xb's plain entry. */
	ASSERT_EQ(0x2a, find_entry(tab, XT_ARRAY_SIZE(tab), 2, 5)->eax);
	ASSERT_EQ(0xba, find_entry(tab, XT_ARRAY_SIZE(tab), 0xb, 3)->eax);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, cpuid_get_roundtrip_e2big)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_cpuid);
	const uint32_t n = XT_ARRAY_SIZE(test_table);
	struct xvcpu_cpuid_entry got[XT_ARRAY_SIZE(test_table) + 4];
	static struct xvcpu_cpuid_entry big[XVCPU_MAX_CPUID_ENTRIES + 1];
	uint32_t i, room;

	ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, test_table, n));

	/* Exactly the table, in any order. */
	room = n;
	memset(got, 0xcc, sizeof(got));
	ASSERT_EQ(0, __xt_vcpu_get_cpuid(vcpu, got, &room))
		TH_LOG("XVCPU_GET_CPUID: %s", strerror(errno));
	ASSERT_EQ(n, room);
	for (i = 0; i < n; i++) {
		struct xvcpu_cpuid_entry *e = find_entry(got, n,
			test_table[i].function, test_table[i].index);

		ASSERT_NE(NULL, e) TH_LOG("entry %u missing", i);
		ASSERT_EQ(0, memcmp(e, &test_table[i], sizeof(*e)))
			TH_LOG("entry %u differs", i);
	}

	/* More room is fine; nent becomes the table size. */
	room = n + 4;
	ASSERT_EQ(0, __xt_vcpu_get_cpuid(vcpu, got, &room));
	ASSERT_EQ(n, room);

	/* Too little room: E2BIG, and nent says how much is needed. */
	room = n - 1;
	ASSERT_EQ(-1, __xt_vcpu_get_cpuid(vcpu, got, &room));
	ASSERT_EQ(E2BIG, errno);
	ASSERT_EQ(n, room);

	/* Too many entries to set: E2BIG, and the table is unchanged. */
	for (i = 0; i < XT_ARRAY_SIZE(big); i++)
		big[i] = (struct xvcpu_cpuid_entry){ .function = 0x40000100 + i };
	ASSERT_EQ(-1, __xt_vcpu_set_cpuid(vcpu, big, XT_ARRAY_SIZE(big)));
	ASSERT_EQ(E2BIG, errno);
	room = n;
	ASSERT_EQ(0, __xt_vcpu_get_cpuid(vcpu, got, &room));
	ASSERT_EQ(n, room);

	/* The maximum is accepted. */
	ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, big, XVCPU_MAX_CPUID_ENTRIES))
		TH_LOG("%d entries: %s", XVCPU_MAX_CPUID_ENTRIES, strerror(errno));
	room = 0;
	ASSERT_EQ(-1, __xt_vcpu_get_cpuid(vcpu, NULL, &room));
	ASSERT_EQ(E2BIG, errno);
	ASSERT_EQ(XVCPU_MAX_CPUID_ENTRIES, room);

	/* nent 0 clears the table. */
	ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, NULL, 0));
	room = n;
	ASSERT_EQ(0, __xt_vcpu_get_cpuid(vcpu, got, &room));
	ASSERT_EQ(0, room);
	xt_vm_destroy(vm);
}

/* ---- MSRs -------------------------------------------------------------------- */

struct msr_case {
	uint32_t index;
	uint64_t v1, v2;	/* set by the host / written by the guest */
	bool guest_writes;
};

/* Long-mode-consistent values; v2 differs from v1 where the guest writes. */
static const struct msr_case msr_cases[] = {
	{ MSR_EFER, EFER_LME | EFER_LMA | EFER_SCE,
	  EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE, true },
	{ MSR_STAR, 0x0023001000000000ULL, 0x001b000800000000ULL, true },
	{ MSR_LSTAR, 0xffffffff81a00000ULL, 0xffffffff81b00040ULL, true },
	{ MSR_CSTAR, 0xffffffff81a00080ULL, 0xffffffff81c00080ULL, true },
	{ MSR_SYSCALL_MASK, 0x47700, 0x257fd5, true },
	{ MSR_FS_BASE, 0x7f0000001000ULL, 0x7f1234567000ULL, true },
	{ MSR_GS_BASE, 0xffff888000000000ULL, 0xffff888012345000ULL, true },
	{ MSR_KERNEL_GS_BASE, 0x7f0000002000ULL, 0x7f0000003000ULL, true },
	{ MSR_IA32_SYSENTER_CS, 0x10, 0x60, true },
	{ MSR_IA32_SYSENTER_ESP, 0xfffffe0000001000ULL, 0xfffffe0000002000ULL, true },
	{ MSR_IA32_SYSENTER_EIP, 0xffffffff81800000ULL, 0xffffffff81900000ULL, true },
	/* PAT entry 0 stays WB: the guest page tables use it. */
	{ MSR_IA32_CR_PAT, 0x0007010600070106ULL, 0x0007040600070406ULL, true },
	{ MSR_TSC_AUX, 1, 0x42, true },
	{ MSR_IA32_MISC_ENABLE, 0x1, 0x1, false },
	{ MSR_MTRRdefType, 0xc06, 0x806, true },
	{ MSR_MTRRfix64K_00000, 0x0606060606060606ULL,
	  0x0505050506060606ULL, true },
};

#define NR_MSR_CASES	XT_ARRAY_SIZE(msr_cases)

static void msr_entries(struct xvcpu_msr_entry *e, bool second)
{
	unsigned int i;

	for (i = 0; i < NR_MSR_CASES; i++) {
		e[i] = (struct xvcpu_msr_entry){
			.index = msr_cases[i].index,
			.data = second ? msr_cases[i].v2 : msr_cases[i].v1,
		};
	}
}

TEST_F(xvcpu, msrs_set_get_roundtrip)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_regs);
	struct xvcpu_msr_entry e[NR_MSR_CASES];
	unsigned int i;
	int r;

	msr_entries(e, false);
	r = __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, e, NR_MSR_CASES);
	ASSERT_EQ(NR_MSR_CASES, r) TH_LOG("stopped at MSR 0x%x (%s)",
		r >= 0 && r < (int)NR_MSR_CASES ? e[r].index : 0,
		r < 0 ? strerror(errno) : "refused");
	for (i = 0; i < NR_MSR_CASES; i++)
		e[i].data = 0x5a5a5a5a5a5a5a5aULL;
	r = __xt_vcpu_msrs(vcpu, XVCPU_GET_MSRS, e, NR_MSR_CASES);
	ASSERT_EQ(NR_MSR_CASES, r);
	for (i = 0; i < NR_MSR_CASES; i++)
		ASSERT_EQ(msr_cases[i].v1, e[i].data)
			TH_LOG("MSR 0x%x", msr_cases[i].index);

	/* Bases and EFER are the same state as in the special registers. */
	{
		struct xvcpu_sregs s;

		xt_vcpu_get_sregs(vcpu, &s);
		ASSERT_EQ(msr_cases[0].v1, s.efer);
		ASSERT_EQ(0x7f0000001000ULL, s.fs.base);
		ASSERT_EQ(0xffff888000000000ULL, s.gs.base);
	}
	xt_vm_destroy(vm);
}

/* Processing stops at the first entry that fails; the count says where. */
TEST_F(xvcpu, msrs_stop_at_first_failure)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_regs);
	struct xvcpu_msr_entry e[3] = {
		{ .index = MSR_STAR, .data = 0x0023001000000000ULL },
		{ .index = 0x12345678, .data = 1 },
		{ .index = MSR_LSTAR, .data = 0xffffffff81000000ULL },
	};

	xt_vcpu_set_msr(vcpu, MSR_LSTAR, 0xffffffff82000000ULL);
	ASSERT_EQ(1, __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, e, 3));
	ASSERT_EQ(0x0023001000000000ULL, xt_vcpu_get_msr(vcpu, MSR_STAR));
	ASSERT_EQ(0xffffffff82000000ULL, xt_vcpu_get_msr(vcpu, MSR_LSTAR));
	ASSERT_EQ(1, __xt_vcpu_msrs(vcpu, XVCPU_GET_MSRS, e, 3));
	/* A bad value for a known MSR fails that entry too. */
	e[0] = (struct xvcpu_msr_entry){ .index = MSR_LSTAR,
					 .data = 0x0000800000000000ULL };
	ASSERT_EQ(0, __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, e, 1))
		TH_LOG("non-canonical LSTAR accepted");
	e[0] = (struct xvcpu_msr_entry){ .index = MSR_IA32_CR_PAT,
					 .data = 0x0007040600070402ULL };
	ASSERT_EQ(0, __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, e, 1))
		TH_LOG("PAT with reserved memory type 2 accepted");
	ASSERT_EQ(0xffffffff82000000ULL, xt_vcpu_get_msr(vcpu, MSR_LSTAR));
	xt_vm_destroy(vm);
}

GUEST_CODE static void guest_msrs(void)
{
	unsigned int i;

	for (i = 0; i < NR_MSR_CASES; i++)
		GUEST_ASSERT_EQ(xt_rdmsr(msr_cases[i].index), msr_cases[i].v1);
	GUEST_SYNC(1);
	for (i = 0; i < NR_MSR_CASES; i++) {
		if (!msr_cases[i].guest_writes)
			continue;
		xt_wrmsr(msr_cases[i].index, msr_cases[i].v2);
		GUEST_ASSERT_EQ(xt_rdmsr(msr_cases[i].index), msr_cases[i].v2);
	}
	GUEST_DONE();
}

TEST_F(xvcpu, msrs_guest_rdmsr_wrmsr)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_msrs);
	struct xvcpu_msr_entry e[NR_MSR_CASES];
	unsigned int i;

	msr_entries(e, false);
	ASSERT_EQ(NR_MSR_CASES,
		  __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, e, NR_MSR_CASES));
	TEST_ASSERT_SYNC(vcpu, 1, NULL);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(NR_MSR_CASES,
		  __xt_vcpu_msrs(vcpu, XVCPU_GET_MSRS, e, NR_MSR_CASES));
	for (i = 0; i < NR_MSR_CASES; i++)
		ASSERT_EQ(msr_cases[i].guest_writes ? msr_cases[i].v2 :
			  msr_cases[i].v1, e[i].data)
			TH_LOG("MSR 0x%x", msr_cases[i].index);
	xt_vm_destroy(vm);
}

/* ---- #GP on MSRs the guest may not use ----------------------------------------------- */

#define MSR_UNKNOWN	0x12345678

/* The #GP handler reports through the channel and skips the 2-byte insn. */
GUEST_CODE static void gp_handler(struct xt_ex_regs *regs)
{
	GUEST_SYNC_ARGS(0x6b, regs->vector, regs->error_code, regs->rip);
	regs->rip += 2;
}

extern char gp_rdmsr_insn[], gp_wrmsr_insn[], gp_wrmsr_bad_insn[];

GUEST_CODE static void guest_msr_gp(void)
{
	uint32_t lo = 0x1111, hi = 0x2222;

	asm volatile("gp_rdmsr_insn: rdmsr"
		     : "+a"(lo), "+d"(hi) : "c"(MSR_UNKNOWN) : "memory");
	/* Not executed: EDX:EAX keep their values. */
	GUEST_ASSERT_EQ(lo, 0x1111);
	GUEST_ASSERT_EQ(hi, 0x2222);
	asm volatile("gp_wrmsr_insn: wrmsr"
		     : : "c"(MSR_UNKNOWN), "a"(1), "d"(0) : "memory");
	/* A known MSR with a non-canonical value. */
	asm volatile("gp_wrmsr_bad_insn: wrmsr"
		     : : "c"(MSR_LSTAR), "a"(0), "d"(0x8000) : "memory");
	GUEST_DONE();
}

static void expect_gp_sync(struct __test_metadata *_metadata,
			   struct xt_vcpu *vcpu, void *insn)
{
	struct ucall uc;

	TEST_ASSERT_SYNC(vcpu, 0x6b, &uc);
	ASSERT_EQ(X86_VEC_GP, uc.args[1]);
	ASSERT_EQ(0, uc.args[2]);
	ASSERT_EQ((uintptr_t)insn, uc.args[3]);
}

/*
 * IA32_BIOS_SIGN_ID (0x8b): Linux writes 0 and reads the microcode
 * revision at boot with the unchecked rdmsr/wrmsr; both must work. The
 * guest's write changes nothing; the host may set the revision.
 */
GUEST_CODE static void guest_ucode_rev(void)
{
	uint32_t lo, hi;

	asm volatile("wrmsr" : : "c"(0x8b), "a"(0), "d"(0) : "memory");
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x8b));
	GUEST_SYNC_ARGS(1, ((uint64_t)hi << 32) | lo, 0, 0);
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x8b));
	GUEST_SYNC_ARGS(2, ((uint64_t)hi << 32) | lo, 0, 0);
	GUEST_DONE();
}

TEST_F(xvcpu, msr_ucode_rev)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_ucode_rev);
	struct xvcpu_msr_entry e = { .index = 0x8b };
	struct ucall uc;

	ASSERT_EQ(1, __xt_vcpu_msrs(vcpu, XVCPU_GET_MSRS, &e, 1));
	ASSERT_EQ(0x100000000ULL, e.data);	/* revision 1, as KVM */
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	ASSERT_EQ(0x100000000ULL, uc.args[1]);
	e.data = 0x4200000000ULL;
	ASSERT_EQ(1, __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, &e, 1));
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(0x4200000000ULL, uc.args[1]);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, msr_unknown_injects_gp)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_msr_gp);
	uint64_t lstar;

	xt_vm_install_handler(vm, X86_VEC_GP, gp_handler);
	lstar = xt_vcpu_get_msr(vcpu, MSR_LSTAR);
	expect_gp_sync(_metadata, vcpu, gp_rdmsr_insn);
	expect_gp_sync(_metadata, vcpu, gp_wrmsr_insn);
	expect_gp_sync(_metadata, vcpu, gp_wrmsr_bad_insn);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(lstar, xt_vcpu_get_msr(vcpu, MSR_LSTAR));
	xt_vm_destroy(vm);
}

/* ---- MSR exits to user space (XVCPU_CAP_USER_MSR_EXITS) ---------------------------- */

GUEST_CODE static void guest_msr_user(void)
{
	GUEST_ASSERT_EQ(xt_rdmsr(MSR_UNKNOWN), 0x1122334455667788ULL);
	xt_wrmsr(MSR_UNKNOWN + 1, 0xa5a5a5a5deadbeefULL);
	/* A known MSR stays in the kernel. */
	xt_wrmsr(MSR_STAR, 0x0023001000000000ULL);
	GUEST_ASSERT_EQ(xt_rdmsr(MSR_STAR), 0x0023001000000000ULL);
	/* User space refuses this one: #GP. */
	asm volatile("gp_rdmsr_user_insn: rdmsr"
		     : : "c"(MSR_UNKNOWN + 2) : "rax", "rdx", "memory");
	GUEST_DONE();
}

extern char gp_rdmsr_user_insn[];

TEST_F(xvcpu, msr_user_exits)
{
	struct xvcpu_enable_cap cap = { .cap = XVCPU_CAP_USER_MSR_EXITS };
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu;
	struct xvcpu_run *run;
	int have;

	have = __sys_ioctl(vm->sys_fd, XVCPU_CHECK_CAP,
			   (unsigned long)XVCPU_CAP_USER_MSR_EXITS);
	ASSERT_GE(have, 0);
	if (!have) {
		xt_vm_destroy(vm);
		SKIP(return, "XVCPU_CAP_USER_MSR_EXITS not offered");
	}
	vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap);
	vcpu = xt_vm_add_vcpu(vm, 0, guest_msr_user);
	run = vcpu->run;
	xt_vm_install_handler(vm, X86_VEC_GP, gp_handler);

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_MSR);
	ASSERT_EQ(MSR_UNKNOWN, run->msr.index);
	ASSERT_EQ(0, run->msr.is_write);
	run->msr.data = 0x1122334455667788ULL;
	run->msr.error = 0;

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_MSR);
	ASSERT_EQ(MSR_UNKNOWN + 1, run->msr.index);
	ASSERT_EQ(1, run->msr.is_write);
	ASSERT_EQ(0xa5a5a5a5deadbeefULL, run->msr.data);
	run->msr.error = 0;

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_MSR);
	ASSERT_EQ(MSR_UNKNOWN + 2, run->msr.index);
	ASSERT_EQ(0, run->msr.is_write);
	run->msr.error = 1;
	expect_gp_sync(_metadata, vcpu, gp_rdmsr_user_insn);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0x0023001000000000ULL, xt_vcpu_get_msr(vcpu, MSR_STAR));
	xt_vm_destroy(vm);
}

TEST_HARNESS_MAIN
