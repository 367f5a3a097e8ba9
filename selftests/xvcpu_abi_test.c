// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to every ioctl gets a distinct errno and changes nothing:
 * EEXIST for overlapping slots and duplicate vCPU ids, EINVAL for
 * alignment, overflow, unknown flags, non-zero reserved or padding
 * fields and out-of-range numbers, E2BIG for oversized lists, EFAULT for
 * unmapped argument memory, ENOTTY for an ioctl on the wrong kind of fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

/* The call must fail with @err and nothing else. */
#define ASSERT_ERRNO(err, call)						\
	do {								\
		long __r;						\
		int __e;						\
		errno = 0;						\
		__r = (call);						\
		__e = errno;						\
		ASSERT_EQ(-1, __r) TH_LOG("%s returned %ld", #call, __r); \
		ASSERT_EQ(err, __e) TH_LOG("%s: %s, expected %s", #call, \
					   strerror(__e), strerror(err)); \
	} while (0)

/* Two pages: read/write, then PROT_NONE. Returns the first. */
static char *guarded_page(void)
{
	char *p = mmap(NULL, 2 * XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
	TEST_ASSERT(!mprotect(p + XT_PAGE_SIZE, XT_PAGE_SIZE, PROT_NONE),
		    "mprotect: %s", strerror(errno));
	return p;
}

GUEST_CODE static void guest_hlt(void)
{
	for (;;)
		xt_hlt();
}

/* ---- system fd ------------------------------------------------------------------- */

TEST_F(xvcpu, create_vm_bad_type)
{
	int sys = xt_open_dev(), vm, flags;

	ASSERT_ERRNO(EINVAL, ioctl(sys, XVCPU_CREATE_VM, 1UL));
	ASSERT_ERRNO(EINVAL, ioctl(sys, XVCPU_CREATE_VM, 1UL << 32));
	ASSERT_ERRNO(EINVAL, ioctl(sys, XVCPU_CREATE_VM, ~0UL));
	vm = ioctl(sys, XVCPU_CREATE_VM, 0UL);
	ASSERT_GE(vm, 0);
	flags = fcntl(vm, F_GETFD);
	ASSERT_TRUE(flags & FD_CLOEXEC) TH_LOG("VM fd without O_CLOEXEC");
	ASSERT_EQ(XVCPU_RUN_SIZE, ioctl(sys, XVCPU_GET_VCPU_MMAP_SIZE, 0UL));
	close(vm);
	close(sys);
}

/* ---- XVCPU_SET_MEMORY_REGION ---------------------------------------------------------- */

#define BASE_GPA	0x100000ULL
#define BASE_SIZE	0x10000ULL

struct region_env {
	struct xt_vm *vm;
	char *mem;		/* 4 * BASE_SIZE of anonymous memory */
};

static void region_env(struct region_env *e)
{
	e->vm = xt_vm_create();
	e->mem = mmap(NULL, 4 * BASE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(e->mem != MAP_FAILED, "mmap");
	xt_set_memory_region(e->vm, 2, 0, BASE_GPA, BASE_SIZE, e->mem);
}

static void region_env_done(struct region_env *e)
{
	xt_vm_destroy(e->vm);
	munmap(e->mem, 4 * BASE_SIZE);
}

TEST_F(xvcpu, memory_region_overlap_eexist)
{
	struct region_env e;
	char *m;
	int r;

	region_env(&e);
	m = e.mem + BASE_SIZE;
	ASSERT_ERRNO(EEXIST, __xt_set_memory_region(e.vm, 3, 0, BASE_GPA, BASE_SIZE, m));
	ASSERT_ERRNO(EEXIST, __xt_set_memory_region(e.vm, 3, 0, BASE_GPA - 0x1000, 0x2000, m));
	ASSERT_ERRNO(EEXIST, __xt_set_memory_region(e.vm, 3, 0, BASE_GPA + BASE_SIZE - 0x1000, 0x2000, m));
	ASSERT_ERRNO(EEXIST, __xt_set_memory_region(e.vm, 3, 0, BASE_GPA + 0x1000, 0x1000, m));
	ASSERT_ERRNO(EEXIST, __xt_set_memory_region(e.vm, 3, 0, BASE_GPA - 0x1000, BASE_SIZE + 0x2000, m));
	/* Read-only does not change what overlaps. */
	ASSERT_ERRNO(EEXIST, __xt_set_memory_region(e.vm, 3, XVCPU_MEM_READONLY, BASE_GPA, 0x1000, m));
	/* Touching ranges are fine, below and above. */
	ASSERT_EQ(0, __xt_set_memory_region(e.vm, 3, 0, BASE_GPA - 0x1000, 0x1000, m));
	ASSERT_EQ(0, __xt_set_memory_region(e.vm, 4, 0, BASE_GPA + BASE_SIZE, 0x1000, m + 0x1000));
	/* After a delete, the range is free again. */
	ASSERT_EQ(0, __xt_set_memory_region(e.vm, 2, 0, BASE_GPA, 0, e.mem));
	ASSERT_EQ(0, __xt_set_memory_region(e.vm, 5, 0, BASE_GPA, BASE_SIZE, m));
	/* Only report what re-setting a live slot with another range does. */
	r = __xt_set_memory_region(e.vm, 5, 0, BASE_GPA + 0x200000, BASE_SIZE, m);
	printf("# SET_MEMORY_REGION on live slot 5 with a new range: %s\n",
	       r ? strerror(errno) : "accepted");
	region_env_done(&e);
}

TEST_F(xvcpu, memory_region_unaligned_einval)
{
	struct region_env e;
	char *m;

	region_env(&e);
	m = e.mem + BASE_SIZE;
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200800, 0x1000, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200001, 0x1000, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200000, 0x1800, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200000, 0x10, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200000, 0x1000, m + 0x10));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200000, 0x1000, m + 0x800));
	/* Nothing was added: the aligned request succeeds. */
	ASSERT_EQ(0, __xt_set_memory_region(e.vm, 3, 0, 0x200000, 0x1000, m));
	region_env_done(&e);
}

TEST_F(xvcpu, memory_region_huge_or_overflow_einval)
{
	struct region_env e;
	char *m;

	region_env(&e);
	m = e.mem + BASE_SIZE;
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200000, 1ULL << 63, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200000, ~0xfffULL, m));
	/* gpa + size wraps. */
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, ~0xfffULL, 0x2000, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 1ULL << 63, 1ULL << 63, m));
	/* Beyond what 4-level EPT maps (48 bits). */
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 1ULL << 48, 0x1000, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, (1ULL << 48) - 0x1000, 0x2000, m));
	/* userspace_addr + size wraps or leaves user space. */
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200000, 0x2000, (void *)~0xfffUL));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 0, 0x200000, 0x1000, (void *)0xffff800000000000UL));
	region_env_done(&e);
}

TEST_F(xvcpu, memory_region_flags_reserved_slot_einval)
{
	struct xvcpu_memory_region r;
	struct region_env e;
	char *m;
	int i;

	region_env(&e);
	m = e.mem + BASE_SIZE;
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 1U << 1, 0x200000, 0x1000, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 3, 1U << 31, 0x200000, 0x1000, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, XVCPU_MAX_MEMSLOTS, 0, 0x200000, 0x1000, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 0xffffffff, 0, 0x200000, 0x1000, m));
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, 0x80000002, 0, 0x200000, 0x1000, m));
	/* The slot range check holds for deletes too. */
	ASSERT_ERRNO(EINVAL, __xt_set_memory_region(e.vm, XVCPU_MAX_MEMSLOTS, 0, 0, 0, NULL));
	for (i = 0; i < 2; i++) {
		r = (struct xvcpu_memory_region){
			.slot = 3, .guest_phys_addr = 0x200000,
			.memory_size = 0x1000, .userspace_addr = (uintptr_t)m,
		};
		r.reserved[i] = i ? 1ULL << 63 : 1;
		ASSERT_ERRNO(EINVAL, ioctl(e.vm->fd, XVCPU_SET_MEMORY_REGION, &r));
	}
	ASSERT_EQ(0, __xt_set_memory_region(e.vm, 3, XVCPU_MEM_READONLY, 0x200000, 0x1000, m));
	region_env_done(&e);
}

TEST_F(xvcpu, memory_region_efault)
{
	struct xvcpu_memory_region *r;
	struct region_env e;
	char *g = guarded_page();

	region_env(&e);
	ASSERT_ERRNO(EFAULT, ioctl(e.vm->fd, XVCPU_SET_MEMORY_REGION, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(e.vm->fd, XVCPU_SET_MEMORY_REGION, g + XT_PAGE_SIZE));
	/* The structure runs into the PROT_NONE page. */
	r = (void *)(g + XT_PAGE_SIZE - 16);
	memset(r, 0, 16);
	r->slot = 3;
	ASSERT_ERRNO(EFAULT, ioctl(e.vm->fd, XVCPU_SET_MEMORY_REGION, r));
	region_env_done(&e);
	munmap(g, 2 * XT_PAGE_SIZE);
}

/* ---- XVCPU_CREATE_VCPU, XVCPU_ENABLE_CAP -------------------------------------------- */

TEST_F(xvcpu, create_vcpu_bad_ids)
{
	struct xt_vm *vm = xt_vm_create();
	int fd;

	ASSERT_ERRNO(EINVAL, __xt_vcpu_create(vm, XVCPU_MAX_VCPUS));
	ASSERT_ERRNO(EINVAL, __xt_vcpu_create(vm, 1000));
	ASSERT_ERRNO(EINVAL, __xt_vcpu_create(vm, 1UL << 32));
	ASSERT_ERRNO(EINVAL, __xt_vcpu_create(vm, ~0UL));
	fd = __xt_vcpu_create(vm, 0);
	ASSERT_GE(fd, 0);
	ASSERT_ERRNO(EEXIST, __xt_vcpu_create(vm, 0));
	/* Still out of range, not "vCPU 0 exists": upper bits count. */
	ASSERT_ERRNO(EINVAL, __xt_vcpu_create(vm, 1UL << 32));
	fd = __xt_vcpu_create(vm, XVCPU_MAX_VCPUS - 1);
	ASSERT_GE(fd, 0);
	ASSERT_ERRNO(EEXIST, __xt_vcpu_create(vm, XVCPU_MAX_VCPUS - 1));
	close(fd);
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, enable_cap_bad_input)
{
	struct xt_vm *vm = xt_vm_create();
	struct xvcpu_enable_cap c;
	char *g = guarded_page();
	int i;

	c = (struct xvcpu_enable_cap){ .cap = 0 };
	ASSERT_ERRNO(EINVAL, ioctl(vm->fd, XVCPU_ENABLE_CAP, &c));
	c = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_NR };
	ASSERT_ERRNO(EINVAL, ioctl(vm->fd, XVCPU_ENABLE_CAP, &c));
	c = (struct xvcpu_enable_cap){ .cap = 0xffffffff };
	ASSERT_ERRNO(EINVAL, ioctl(vm->fd, XVCPU_ENABLE_CAP, &c));
	/* A CPU feature, not something a VM enables. */
	c = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_EPT };
	ASSERT_ERRNO(EINVAL, ioctl(vm->fd, XVCPU_ENABLE_CAP, &c));

	c = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_USER_MSR_EXITS, .flags = 1 };
	ASSERT_ERRNO(EINVAL, ioctl(vm->fd, XVCPU_ENABLE_CAP, &c));
	for (i = 0; i < 4; i++) {
		c = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_USER_MSR_EXITS };
		c.args[i] = 1;
		ASSERT_ERRNO(EINVAL, ioctl(vm->fd, XVCPU_ENABLE_CAP, &c));
		c = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_USER_MSR_EXITS };
		c.reserved[i] = 1;
		ASSERT_ERRNO(EINVAL, ioctl(vm->fd, XVCPU_ENABLE_CAP, &c));
	}
	ASSERT_ERRNO(EFAULT, ioctl(vm->fd, XVCPU_ENABLE_CAP, NULL));
	ASSERT_ERRNO(EFAULT, ioctl(vm->fd, XVCPU_ENABLE_CAP, g + XT_PAGE_SIZE - 8));

	c = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_USER_MSR_EXITS };
	if (ioctl(vm->sys_fd, XVCPU_CHECK_CAP, (unsigned long)XVCPU_CAP_USER_MSR_EXITS) == 1)
		ASSERT_EQ(0, ioctl(vm->fd, XVCPU_ENABLE_CAP, &c))
			TH_LOG("%s", strerror(errno));
	munmap(g, 2 * XT_PAGE_SIZE);
	xt_vm_destroy(vm);
}

/* ---- registers ----------------------------------------------------------------------- */

TEST_F(xvcpu, regs_sregs_bad_input)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt);
	struct xvcpu_sregs s0, s, g2;
	struct xvcpu_regs r0, r;
	char *g = guarded_page();
	unsigned int i;

	xt_vcpu_get_regs(vcpu, &r0);
	xt_vcpu_get_sregs(vcpu, &s0);

	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_GET_REGS, NULL));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_GET_REGS, g + XT_PAGE_SIZE - 8));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_SET_REGS, NULL));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_SET_REGS, g + XT_PAGE_SIZE - 8));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_GET_SREGS, NULL));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, NULL));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, g + XT_PAGE_SIZE - 64));
	/* GET into read-only memory. */
	ASSERT_EQ(0, mprotect(g, XT_PAGE_SIZE, PROT_READ));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_GET_REGS, g));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_GET_SREGS, g));

	for (i = 0; i < XT_ARRAY_SIZE(s.reserved); i++) {
		s = s0;
		s.reserved[i] = 1;
		ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s));
	}
	s = s0;
	s.cs.padding = 1;
	ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s));
	s = s0;
	s.ldt.padding = 0x80;
	ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s));
	s = s0;
	s.tr.padding = 1;
	ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s));
	for (i = 0; i < 3; i++) {
		s = s0;
		s.gdt.padding[i] = 1;
		ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s));
		s = s0;
		s.idt.padding[i] = 1;
		ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s));
	}
	/* None of that changed the vCPU. */
	xt_vcpu_get_regs(vcpu, &r);
	ASSERT_EQ(0, memcmp(&r, &r0, sizeof(r)));
	xt_vcpu_get_sregs(vcpu, &g2);
	ASSERT_EQ(0, memcmp(&g2, &s0, sizeof(g2)));
	munmap(g, 2 * XT_PAGE_SIZE);
	xt_vm_destroy(vm);
}

GUEST_CODE static void guest_done(void)
{
	GUEST_DONE();
}

/*
 * Special registers the kernel may refuse. Whatever it refuses, it must
 * refuse whole: GET_SREGS afterwards is unchanged and the vCPU runs.
 * (Accepting some of these is the kernel's choice; it is reported.)
 */
TEST_F(xvcpu, sregs_refused_leave_state_unchanged)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_done);
	struct xvcpu_sregs s0, s, g2;
	int i, r, refused = 0;

	xt_vcpu_get_sregs(vcpu, &s0);
	for (i = 0; i < 9; i++) {
		const char *what;
		uint64_t *pdpte;

		s = s0;
		switch (i) {
		case 0:
			what = "EFER bit 20 (reserved)";
			s.efer |= 1ULL << 20;
			break;
		case 1:
			what = "CR0.PG without CR0.PE";
			s.cr0 &= ~X86_CR0_PE;
			break;
		case 2:
			what = "CR0 bit 6 (reserved)";
			s.cr0 |= 1ULL << 6;
			break;
		case 3:
			what = "CR4.VMXE";
			s.cr4 |= X86_CR4_VMXE;
			break;
		case 4:
			what = "CR8 16";
			s.cr8 = 16;
			break;
		case 5:
			what = "EFER.LMA without EFER.LME";
			s.efer &= ~EFER_LME;
			break;
		case 6:
			what = "CR4 without PAE in long mode";
			s.cr4 &= ~X86_CR4_PAE;
			break;
		case 7:
			/* LMA left for the kernel to derive from LME and PG. */
			what = "EFER.LME and CR0.PG without CR4.PAE";
			s.efer = EFER_LME;
			s.cr4 &= ~X86_CR4_PAE;
			break;
		default:
			/* 32-bit PAE paging: PDPTEs with reserved bits. */
			what = "PAE PDPTEs with reserved bits";
			s.cr3 = xt_vm_alloc(vm, XT_PAGE_SIZE, XT_PAGE_SIZE,
					    (void **)&pdpte);
			pdpte[0] = 0x1 | 0x6;
			s.efer = 0;
			s.cs.l = 0;
			s.cs.db = 1;
			s.cs.selector = XT_SEL_CODE32;
			break;
		}
		r = __vcpu_ioctl(vcpu, XVCPU_SET_SREGS, &s);
		if (r == 0) {
			printf("# SET_SREGS accepts %s\n", what);
			xt_vcpu_set_sregs(vcpu, &s0);
			continue;
		}
		refused++;
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", what);
		/* Every case is checked; the state is put back in between. */
		xt_vcpu_get_sregs(vcpu, &g2);
		EXPECT_EQ(s0.cr0, g2.cr0) TH_LOG("after refusing %s", what);
		EXPECT_EQ(s0.cr4, g2.cr4) TH_LOG("after refusing %s", what);
		EXPECT_EQ(s0.efer, g2.efer) TH_LOG("after refusing %s", what);
		EXPECT_EQ(0, memcmp(&s0, &g2, sizeof(g2)))
			TH_LOG("after refusing %s", what);
		xt_vcpu_set_sregs(vcpu, &s0);
	}
	ASSERT_GE(refused, 6);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ---- XVCPU_GET_MSRS / XVCPU_SET_MSRS ------------------------------------------------------- */

static struct xvcpu_msrs *msrs_alloc(uint32_t room)
{
	struct xvcpu_msrs *m = calloc(1, sizeof(*m) +
				      room * sizeof(struct xvcpu_msr_entry));
	uint32_t i;

	TEST_ASSERT(m, "out of memory");
	for (i = 0; i < room; i++)
		m->entries[i].index = MSR_STAR;
	return m;
}

TEST_F(xvcpu, msrs_bad_input)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt);
	struct xvcpu_msrs *m = msrs_alloc(XVCPU_MAX_MSR_ENTRIES + 1);
	unsigned long cmds[2] = { XVCPU_GET_MSRS, XVCPU_SET_MSRS };
	char *g = guarded_page();
	struct xvcpu_msrs *edge;
	int i;

	for (i = 0; i < 2; i++) {
		m->nmsrs = XVCPU_MAX_MSR_ENTRIES + 1;
		ASSERT_ERRNO(E2BIG, __vcpu_ioctl(vcpu, cmds[i], m));
		m->nmsrs = 0x80000000;
		ASSERT_ERRNO(E2BIG, __vcpu_ioctl(vcpu, cmds[i], m));
		m->nmsrs = ~0U;
		ASSERT_ERRNO(E2BIG, __vcpu_ioctl(vcpu, cmds[i], m));
		m->nmsrs = 0;
		ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, cmds[i], m));
		m->nmsrs = 1;
		m->pad = 1;
		ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, cmds[i], m));
		m->pad = 0;
		m->entries[0].reserved = 1;
		ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, cmds[i], m));
		m->entries[0].reserved = 0;
		ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, cmds[i], NULL));
		ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, cmds[i], g + XT_PAGE_SIZE));
		/* The header fits, the entries run into the PROT_NONE page. */
		edge = (void *)(g + XT_PAGE_SIZE - sizeof(*edge) -
				sizeof(struct xvcpu_msr_entry));
		memset(edge, 0, sizeof(*edge) + sizeof(struct xvcpu_msr_entry));
		edge->nmsrs = 2;
		edge->entries[0].index = MSR_STAR;
		ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, cmds[i], edge));
		/* The maximum is accepted. */
		m->nmsrs = XVCPU_MAX_MSR_ENTRIES;
		ASSERT_EQ(XVCPU_MAX_MSR_ENTRIES, __vcpu_ioctl(vcpu, cmds[i], m))
			TH_LOG("%s", strerror(errno));
	}
	free(m);
	munmap(g, 2 * XT_PAGE_SIZE);
	xt_vm_destroy(vm);
}

/* ---- XVCPU_SET_CPUID / XVCPU_GET_CPUID ------------------------------------------------------ */

TEST_F(xvcpu, cpuid_bad_input)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt);
	struct xvcpu_cpuid *c;
	struct xvcpu_cpuid_entry e = { .function = 0x40000000, .eax = 1 };
	char *g = guarded_page();
	struct xvcpu_cpuid *edge;
	uint32_t n;
	int i;

	c = calloc(1, sizeof(*c) + (XVCPU_MAX_CPUID_ENTRIES + 1) * sizeof(e));
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, &e, 1));

	c->nent = XVCPU_MAX_CPUID_ENTRIES + 1;
	ASSERT_ERRNO(E2BIG, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, c));
	c->nent = 0x80000000;
	ASSERT_ERRNO(E2BIG, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, c));
	c->nent = 1;
	c->entries[0] = e;
	c->pad = 1;
	ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, c));
	ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_GET_CPUID, c));
	c->pad = 0;
	for (i = 0; i < 3; i++) {
		c->entries[0] = e;
		c->entries[0].reserved[i] = 1;
		ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, c));
	}
	c->entries[0] = e;
	c->entries[0].flags = 1U << 1;
	ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, c));
	c->entries[0].flags = 1U << 31;
	ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, c));

	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, NULL));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_GET_CPUID, NULL));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, g + XT_PAGE_SIZE));
	edge = (void *)(g + XT_PAGE_SIZE - sizeof(*edge) - sizeof(e));
	memset(edge, 0, sizeof(*edge) + sizeof(e));
	edge->nent = 2;
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, edge));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_GET_CPUID, g + XT_PAGE_SIZE));
	/* A two-entry table into room for one before the PROT_NONE page. */
	{
		struct xvcpu_cpuid_entry two[2] = { e, e };

		two[1].function = 0x40000001;
		ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, two, 2));
		memset(edge, 0, sizeof(*edge) + sizeof(e));
		edge->nent = 2;
		ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_GET_CPUID, edge));
		ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, &e, 1));
	}

	/* The table is the one good entry. */
	n = 2;
	ASSERT_EQ(0, __xt_vcpu_get_cpuid(vcpu, c->entries, &n));
	ASSERT_EQ(1, n);
	ASSERT_EQ(0, memcmp(&c->entries[0], &e, sizeof(e)));
	free(c);
	munmap(g, 2 * XT_PAGE_SIZE);
	xt_vm_destroy(vm);
}

/* ---- XVCPU_INTERRUPT, XVCPU_RUN ----------------------------------------------------------- */

TEST_F(xvcpu, interrupt_bad_input)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt);
	struct xvcpu_interrupt irq = { .vector = 0x40, .reserved = 1 };
	static const uint32_t bad[] = { 0, 2, 8, 14, 31, 256, 0x10040,
					0xffffffff };
	unsigned int i;

	for (i = 0; i < XT_ARRAY_SIZE(bad); i++)
		ASSERT_ERRNO(EINVAL, __xt_vcpu_interrupt(vcpu, bad[i]));
	ASSERT_ERRNO(EINVAL, __vcpu_ioctl(vcpu, XVCPU_INTERRUPT, &irq));
	ASSERT_ERRNO(EFAULT, __vcpu_ioctl(vcpu, XVCPU_INTERRUPT, NULL));
	ASSERT_EQ(0, __xt_vcpu_interrupt(vcpu, 32));
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, run_padding_einval)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt);
	int i;

	for (i = 0; i < 6; i++) {
		vcpu->run->padding1[i] = 0x10;
		ASSERT_ERRNO(EINVAL, __xt_vcpu_run(vcpu));
		vcpu->run->padding1[i] = 0;
	}
	xt_vm_destroy(vm);
}

/* ---- the run page mapping, other processes -------------------------------------------- */

/* Only [0, XVCPU_RUN_SIZE) of a vCPU fd can be mapped. */
TEST_F(xvcpu, vcpu_mmap_outside_run_page_einval)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt);
	void *p;

	p = mmap(NULL, XVCPU_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 vcpu->fd, XVCPU_RUN_SIZE);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * XVCPU_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 vcpu->fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	/* A private copy would never see the kernel's exits. */
	p = mmap(NULL, XVCPU_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 vcpu->fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	/* A second mapping of the page shows the same run structure. */
	p = mmap(NULL, XVCPU_RUN_SIZE, PROT_READ, MAP_SHARED, vcpu->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	vcpu->run->immediate_exit = 1;
	ASSERT_EQ(1, ((struct xvcpu_run *)p)->immediate_exit);
	vcpu->run->immediate_exit = 0;
	munmap(p, XVCPU_RUN_SIZE);
	xt_vm_destroy(vm);
}

/*
 * Guest memory is the creating process's memory: a child that inherited
 * the fds must not drive the VM (the header does not name the errno; it
 * is reported), and the creator's VM is unaffected.
 */
TEST_F(xvcpu, fds_in_another_process_refused)
{
	static const uint8_t hlt_loop[] = { 0xf4, 0xeb, 0xfd };
	struct xt_vm *vm = xt_vm_create();
	struct xt_vcpu *vcpu;
	int pipefd[2], status, res[4];
	uint8_t *mem;
	pid_t pid;

	mem = xt_vm_add_slot(vm, 0, 0, 0x10000, 0);
	memcpy(mem + 0x1000, hlt_loop, sizeof(hlt_loop));
	vcpu = xt_vcpu_add(vm, 0);
	xt_vcpu_setup_real_mode(vcpu, 0, 0x1000);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct xvcpu_regs r;
		char *m = mmap(NULL, XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		res[0] = __xt_set_memory_region(vm, 5, 0, 0x100000,
						XT_PAGE_SIZE, m) ? errno : 0;
		res[1] = __xt_vcpu_create(vm, 1) < 0 ? errno : 0;
		res[2] = __xt_vcpu_run(vcpu) ? errno : 0;
		res[3] = __vcpu_ioctl(vcpu, XVCPU_GET_REGS, &r) ? errno : 0;
		if (write(pipefd[1], res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(sizeof(res), read(pipefd[0], res, sizeof(res)));
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	printf("# from another process: SET_MEMORY_REGION %s, CREATE_VCPU %s, RUN %s, GET_REGS %s\n",
	       strerror(res[0]), strerror(res[1]), strerror(res[2]),
	       strerror(res[3]));
	ASSERT_NE(0, res[0]);
	ASSERT_NE(0, res[1]);
	ASSERT_NE(0, res[2]);
	ASSERT_NE(0, res[3]);
	/* The creator still runs its guest; no slot, no vCPU 1 appeared. */
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HLT);
	xt_vm_add_slot(vm, 5, 0x100000, XT_PAGE_SIZE, 0);
	xt_vcpu_add(vm, 1);
	xt_vm_destroy(vm);
}

/* ---- the wrong kind of fd, unknown numbers ------------------------------------------------- */

struct cmd {
	unsigned long nr;
	const char *name;
};

#define CMD(x)	{ x, #x }

static const struct cmd sys_cmds[] = {
	CMD(XVCPU_GET_API_VERSION), CMD(XVCPU_CHECK_CAP),
	CMD(XVCPU_CREATE_VM), CMD(XVCPU_GET_VCPU_MMAP_SIZE),
};
static const struct cmd vm_cmds[] = {
	CMD(XVCPU_SET_MEMORY_REGION), CMD(XVCPU_CREATE_VCPU),
	CMD(XVCPU_ENABLE_CAP), CMD(XVCPU_GET_VM_ID),
};
static const struct cmd vcpu_cmds[] = {
	CMD(XVCPU_RUN), CMD(XVCPU_GET_REGS), CMD(XVCPU_SET_REGS),
	CMD(XVCPU_GET_SREGS), CMD(XVCPU_SET_SREGS), CMD(XVCPU_GET_MSRS),
	CMD(XVCPU_SET_MSRS), CMD(XVCPU_SET_CPUID), CMD(XVCPU_GET_CPUID),
	CMD(XVCPU_INTERRUPT),
};

/* Every ioctl of one fd type on @fd: ENOTTY, with a valid buffer. */
static void expect_enotty(struct __test_metadata *_metadata, int fd,
			  const char *fd_name, const struct cmd *cmds,
			  unsigned int n)
{
	static uint64_t buf[1024];
	unsigned int i;

	for (i = 0; i < n; i++) {
		long r;

		memset(buf, 0, sizeof(buf));
		buf[0] = 1;	/* nmsrs/nent 1, slot 1, ... */
		errno = 0;
		r = ioctl(fd, cmds[i].nr, _IOC_SIZE(cmds[i].nr) ? (unsigned long)buf : 0UL);
		ASSERT_EQ(-1, r) TH_LOG("%s on the %s fd returned %ld",
					cmds[i].name, fd_name, r);
		ASSERT_EQ(ENOTTY, errno) TH_LOG("%s on the %s fd: %s",
						cmds[i].name, fd_name,
						strerror(errno));
	}
}

TEST_F(xvcpu, wrong_fd_type_enotty)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt);

	expect_enotty(_metadata, vm->sys_fd, "system", vm_cmds, XT_ARRAY_SIZE(vm_cmds));
	expect_enotty(_metadata, vm->sys_fd, "system", vcpu_cmds, XT_ARRAY_SIZE(vcpu_cmds));
	expect_enotty(_metadata, vm->fd, "VM", sys_cmds, XT_ARRAY_SIZE(sys_cmds));
	expect_enotty(_metadata, vm->fd, "VM", vcpu_cmds, XT_ARRAY_SIZE(vcpu_cmds));
	expect_enotty(_metadata, vcpu->fd, "vCPU", sys_cmds, XT_ARRAY_SIZE(sys_cmds));
	expect_enotty(_metadata, vcpu->fd, "vCPU", vm_cmds, XT_ARRAY_SIZE(vm_cmds));
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, unknown_ioctl_enotty)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_hlt);
	static const struct cmd vm_bad[] = {
		CMD(_IO(XVCPUIO, 0x47)), CMD(_IO(XVCPUIO, 0x7f)),
		CMD(_IOR(XVCPUIO, 0x40, struct xvcpu_memory_region)),
		CMD(_IOW(XVCPUIO, 0x40, struct xvcpu_enable_cap)),
		CMD(_IOW(XVCPUIO, 0x41, int)),
		CMD(_IO(0xAE, 0x46)),	/* KVM_SET_USER_MEMORY_REGION's number */
	};
	static const struct cmd vcpu_bad[] = {
		CMD(_IO(XVCPUIO, 0x8a)), CMD(_IO(XVCPUIO, 0xbf)),
		CMD(_IOR(XVCPUIO, 0x81, struct xvcpu_sregs)),
		CMD(_IOW(XVCPUIO, 0x81, struct xvcpu_regs)),
		CMD(_IOR(XVCPUIO, 0x80, int)),
		CMD(_IO(0xAE, 0x80)),	/* KVM_RUN */
	};

	expect_enotty(_metadata, vm->fd, "VM", vm_bad, XT_ARRAY_SIZE(vm_bad));
	expect_enotty(_metadata, vcpu->fd, "vCPU", vcpu_bad, XT_ARRAY_SIZE(vcpu_bad));
	xt_vm_destroy(vm);
}

TEST_HARNESS_MAIN
