// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: MMIO exits for every access size and MOV form, read-only
 * slots, deleting and re-adding slots, reads where no slot is (never host
 * data), many slots, a slot whose user memory is missing, VM
 * create/destroy cycles without leaks, and the guarantees of
 * Documentation/memory.rst: pinned pages count against RLIMIT_MEMLOCK,
 * and slot memory that user space unmaps, remaps or discards never stays
 * in the guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

/* ---- MMIO: every size and MOV form ------------------------------------------------ */

enum mmio_form {
	R_MOV8, R_MOV16, R_MOV32, R_MOV64, R_MOVZX8, R_MOVZX16,
	R_MOVSX8, R_MOVSX16, R_MOVSX32, R_AH, R_BH, R_R13, R_R8D, R_SIB,
	W_MOV8, W_MOV16, W_MOV32, W_MOV64, W_IMM8, W_IMM16, W_IMM32,
	W_IMM64, W_AH, W_BH, W_R14, W_R9W,
};

struct mmio_case {
	enum mmio_form form;
	uint8_t is_write, len;
	uint64_t data;		/* read: the host fills all 8 bytes with it */
	uint64_t expect;	/* read: the guest register afterwards */
};

#define PRESET	0x1111111111111111ULL
#define WVAL	0x8877665544332211ULL

static const struct mmio_case mmio_cases[] = {
	{ R_MOV8, 0, 1, 0xf0e0d0c0b0a09081ULL, 0x1111111111111181ULL },
	{ R_MOV16, 0, 2, 0xf0e0d0c0b0a09082ULL, 0x1111111111119082ULL },
	{ R_MOV32, 0, 4, 0xf0e0d0c0b0a09083ULL, 0x00000000b0a09083ULL },
	{ R_MOV64, 0, 8, 0xf0e0d0c0b0a09084ULL, 0xf0e0d0c0b0a09084ULL },
	{ R_MOVZX8, 0, 1, 0xf0e0d0c0b0a090f5ULL, 0x00000000000000f5ULL },
	{ R_MOVZX16, 0, 2, 0xf0e0d0c0b0a0f086ULL, 0x000000000000f086ULL },
	{ R_MOVSX8, 0, 1, 0xf0e0d0c0b0a09087ULL, 0xffffffffffffff87ULL },
	{ R_MOVSX16, 0, 2, 0xf0e0d0c0b0a08088ULL, 0xffffffffffff8088ULL },
	{ R_MOVSX32, 0, 4, 0xf0e0d0c080a09089ULL, 0xffffffff80a09089ULL },
	{ R_AH, 0, 1, 0xf0e0d0c0b0a0908aULL, 0x1111111111118a11ULL },
	{ R_BH, 0, 1, 0xf0e0d0c0b0a0908bULL, 0x1111111111118b11ULL },
	{ R_R13, 0, 8, 0x0102030405060708ULL, 0x0102030405060708ULL },
	{ R_R8D, 0, 4, 0xf0e0d0c0b0a0908cULL, 0x00000000b0a0908cULL },
	{ R_SIB, 0, 4, 0xf0e0d0c0b0a0908dULL, 0x00000000b0a0908dULL },
	{ W_MOV8, 1, 1, 0x11, 0 },
	{ W_MOV16, 1, 2, 0x2211, 0 },
	{ W_MOV32, 1, 4, 0x44332211, 0 },
	{ W_MOV64, 1, 8, WVAL, 0 },
	{ W_IMM8, 1, 1, 0x5a, 0 },
	{ W_IMM16, 1, 2, 0x1234, 0 },
	{ W_IMM32, 1, 4, 0x89abcdef, 0 },
	{ W_IMM64, 1, 8, 0xfffffffffffffffeULL, 0 },	/* imm32 sign-extended */
	{ W_AH, 1, 1, 0x22, 0 },
	{ W_BH, 1, 1, 0x22, 0 },
	{ W_R14, 1, 8, WVAL, 0 },
	{ W_R9W, 1, 2, 0x2211, 0 },
};

#define NR_MMIO_CASES	XT_ARRAY_SIZE(mmio_cases)

/* Each case has its own 8-byte slot of the MMIO range. */
static inline uint64_t mmio_addr(unsigned int i)
{
	return XT_MMIO_GPA + 0x100 + 8 * i;
}

GUEST_CODE static uint64_t mmio_access(unsigned int i)
{
	volatile void *p = (volatile void *)(uintptr_t)mmio_addr(i);
	uint64_t a = PRESET, b = PRESET, idx = 1;

	switch (mmio_cases[i].form) {
	case R_MOV8:
		asm volatile("movb (%1), %%al" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_MOV16:
		asm volatile("movw (%1), %%ax" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_MOV32:
		asm volatile("movl (%1), %%eax" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_MOV64:
		asm volatile("movq (%1), %%rax" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_MOVZX8:
		asm volatile("movzbq (%1), %%rax" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_MOVZX16:
		asm volatile("movzwl (%1), %%eax" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_MOVSX8:
		asm volatile("movsbq (%1), %%rax" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_MOVSX16:
		asm volatile("movswq (%1), %%rax" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_MOVSX32:
		asm volatile("movslq (%1), %%rax" : "+a"(a) : "r"(p) : "memory");
		return a;
	case R_AH:
		/* AH/BH cannot be encoded with REX: keep the pointer in RSI. */
		asm volatile("movb (%1), %%ah" : "+a"(a) : "S"(p) : "memory");
		return a;
	case R_BH:
		asm volatile("movb (%1), %%bh" : "+b"(b) : "S"(p) : "memory");
		return b;
	case R_R13:
		asm volatile("movq %1, %%r13; movq (%2), %%r13; movq %%r13, %0"
			     : "=r"(a) : "r"(a), "r"(p) : "r13", "memory");
		return a;
	case R_R8D:
		asm volatile("movq %1, %%r8; movl (%2), %%r8d; movq %%r8, %0"
			     : "=r"(a) : "r"(a), "r"(p) : "r8", "memory");
		return a;
	case R_SIB:
		asm volatile("movl -8(%1,%2,8), %%eax"
			     : "+a"(a) : "r"(p), "r"(idx) : "memory");
		return a;
	case W_MOV8:
		asm volatile("movb %%al, (%1)" : : "a"(WVAL), "r"(p) : "memory");
		return 0;
	case W_MOV16:
		asm volatile("movw %%ax, (%1)" : : "a"(WVAL), "r"(p) : "memory");
		return 0;
	case W_MOV32:
		asm volatile("movl %%eax, (%1)" : : "a"(WVAL), "r"(p) : "memory");
		return 0;
	case W_MOV64:
		asm volatile("movq %%rax, (%1)" : : "a"(WVAL), "r"(p) : "memory");
		return 0;
	case W_IMM8:
		asm volatile("movb $0x5a, (%0)" : : "r"(p) : "memory");
		return 0;
	case W_IMM16:
		asm volatile("movw $0x1234, (%0)" : : "r"(p) : "memory");
		return 0;
	case W_IMM32:
		asm volatile("movl $0x89abcdef, (%0)" : : "r"(p) : "memory");
		return 0;
	case W_IMM64:
		asm volatile("movq $-2, (%0)" : : "r"(p) : "memory");
		return 0;
	case W_AH:
		asm volatile("movb %%ah, (%1)" : : "a"(WVAL), "S"(p) : "memory");
		return 0;
	case W_BH:
		asm volatile("movb %%bh, (%1)" : : "b"(WVAL), "S"(p) : "memory");
		return 0;
	case W_R14:
		asm volatile("movq %0, %%r14; movq %%r14, (%1)"
			     : : "r"(WVAL), "r"(p) : "r14", "memory");
		return 0;
	case W_R9W:
		asm volatile("movq %0, %%r9; movw %%r9w, (%1)"
			     : : "r"(WVAL), "r"(p) : "r9", "memory");
		return 0;
	}
	return 0;
}

GUEST_CODE static void guest_mmio(void)
{
	unsigned int i;

	for (i = 0; i < NR_MMIO_CASES; i++) {
		uint64_t v = mmio_access(i);

		if (!mmio_cases[i].is_write)
			GUEST_ASSERT_EQ(v, mmio_cases[i].expect);
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}

TEST_F(xvcpu, mmio_sizes_and_forms)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_mmio);
	struct xvcpu_run *run = vcpu->run;
	unsigned int i;

	for (i = 0; i < NR_MMIO_CASES; i++) {
		const struct mmio_case *c = &mmio_cases[i];
		uint64_t data = 0;

		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_MMIO);
		ASSERT_EQ(mmio_addr(i), run->mmio.phys_addr) TH_LOG("case %u", i);
		ASSERT_EQ(c->is_write, run->mmio.is_write) TH_LOG("case %u", i);
		ASSERT_EQ(c->len, run->mmio.len) TH_LOG("case %u", i);
		if (c->is_write) {
			memcpy(&data, run->mmio.data, c->len);
			ASSERT_EQ(c->data, data) TH_LOG("case %u", i);
		} else {
			/* All 8 bytes: only len of them may reach the guest. */
			memcpy(run->mmio.data, &c->data, 8);
		}
		/* The guest checks the read value, then syncs. */
		TEST_ASSERT_SYNC(vcpu, i, NULL);
	}
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ---- read-only slot -------------------------------------------------------------- */

#define RO_SLOT		XT_FIRST_TEST_SLOT
#define RO_GPA		XT_TEST_GPA
#define RO_SIZE		(2 * XT_PAGE_SIZE)

GUEST_CODE static void guest_readonly(void)
{
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)RO_GPA;
	uint64_t sum = 0, i;

	for (i = 0; i < RO_SIZE / 4; i++)
		sum += p[i];
	GUEST_SYNC_ARGS(1, sum);
	p[4] = 0xdeadbeef;
	GUEST_ASSERT_EQ(p[4], 0x04040404);
	GUEST_SYNC_ARGS(2, p[RO_SIZE / 4 - 1]);
	GUEST_DONE();
}

TEST_F(xvcpu, readonly_slot_write_is_mmio)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_readonly);
	struct xvcpu_run *run = vcpu->run;
	uint64_t sum = 0, i;
	uint32_t *mem, data;
	struct ucall uc;

	mem = xt_vm_add_slot(vm, RO_SLOT, RO_GPA, RO_SIZE, XVCPU_MEM_READONLY);
	for (i = 0; i < RO_SIZE / 4; i++) {
		mem[i] = 0x01010101 * (uint32_t)(i & 0xff);
		sum += mem[i];
	}
	/* Every read of both pages, without an exit in between. */
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	ASSERT_EQ(sum, uc.args[1]);

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_MMIO);
	ASSERT_EQ(1, run->mmio.is_write);
	ASSERT_EQ(4, run->mmio.len);
	ASSERT_EQ(RO_GPA + 16, run->mmio.phys_addr);
	memcpy(&data, run->mmio.data, 4);
	ASSERT_EQ(0xdeadbeef, data);

	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(mem[RO_SIZE / 4 - 1], uc.args[1]);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0x04040404, mem[4]);
	xt_vm_destroy(vm);
}

/* ---- deleting and re-adding a slot; never host data where no slot is -------------- */

#define DYN_SLOT	XT_FIRST_TEST_SLOT
#define DYN_GPA		(XT_TEST_GPA + 0x100000)
#define DYN_SIZE	(4 * XT_PAGE_SIZE)

GUEST_CODE static void guest_read_dyn(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)DYN_GPA;
	uint64_t step;

	for (step = 0;; step++)
		GUEST_SYNC_ARGS(step, p[0], p[1], p[DYN_SIZE / 8 - 1]);
}

/* Run to the next sync; MMIO reads on the way get @fill. */
static struct ucall sync_filling_mmio(struct xt_vcpu *vcpu, uint64_t step,
				      uint64_t fill, int *mmio_reads)
{
	struct xvcpu_run *run = vcpu->run;
	struct ucall uc;

	*mmio_reads = 0;
	for (;;) {
		xt_vcpu_run(vcpu);
		if (run->exit_reason != XVCPU_EXIT_MMIO)
			break;
		TEST_ASSERT(!run->mmio.is_write && run->mmio.len == 8 &&
			    run->mmio.phys_addr >= DYN_GPA &&
			    run->mmio.phys_addr < DYN_GPA + DYN_SIZE,
			    "unexpected MMIO %s gpa 0x%llx len %u",
			    run->mmio.is_write ? "write" : "read",
			    (unsigned long long)run->mmio.phys_addr,
			    run->mmio.len);
		memcpy(run->mmio.data, &fill, 8);
		(*mmio_reads)++;
	}
	TEST_ASSERT(xt_expect_ucall(vcpu, &uc) == UCALL_SYNC &&
		    uc.args[0] == step, "expected GUEST_SYNC(%llu)",
		    (unsigned long long)step);
	return uc;
}

TEST_F(xvcpu, slot_delete_readd)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_read_dyn);
	uint64_t *a, *b;
	struct ucall uc;
	int reads;

	a = xt_vm_add_slot(vm, DYN_SLOT, DYN_GPA, DYN_SIZE, 0);
	a[0] = 0xaaaa0000;
	a[1] = 0xaaaa0001;
	a[DYN_SIZE / 8 - 1] = 0xaaaa0fff;
	uc = sync_filling_mmio(vcpu, 0, 0, &reads);
	ASSERT_EQ(0, reads);
	ASSERT_EQ(0xaaaa0000, uc.args[1]);
	ASSERT_EQ(0xaaaa0001, uc.args[2]);
	ASSERT_EQ(0xaaaa0fff, uc.args[3]);

	/* Deleted: the same reads are MMIO now, the guest sees our data. */
	xt_vm_delete_slot(vm, DYN_SLOT);
	uc = sync_filling_mmio(vcpu, 1, 0x5a5a5a5a5a5a5a5aULL, &reads);
	ASSERT_EQ(3, reads);
	ASSERT_EQ(0x5a5a5a5a5a5a5a5aULL, uc.args[1]);
	ASSERT_EQ(0x5a5a5a5a5a5a5a5aULL, uc.args[2]);
	ASSERT_EQ(0x5a5a5a5a5a5a5a5aULL, uc.args[3]);

	/* Re-added with other memory: the guest sees that memory. */
	b = xt_vm_add_slot(vm, DYN_SLOT, DYN_GPA, DYN_SIZE, 0);
	b[0] = 0xbbbb0000;
	b[1] = 0xbbbb0001;
	b[DYN_SIZE / 8 - 1] = 0xbbbb0fff;
	uc = sync_filling_mmio(vcpu, 2, 0, &reads);
	ASSERT_EQ(0, reads);
	ASSERT_EQ(0xbbbb0000, uc.args[1]);
	ASSERT_EQ(0xbbbb0001, uc.args[2]);
	ASSERT_EQ(0xbbbb0fff, uc.args[3]);

	/* Another slot number for the same range works the same. */
	xt_vm_delete_slot(vm, DYN_SLOT);
	a = xt_vm_add_slot(vm, DYN_SLOT + 5, DYN_GPA, DYN_SIZE, 0);
	a[1] = 0xcccc0001;
	uc = sync_filling_mmio(vcpu, 3, 0, &reads);
	ASSERT_EQ(0, reads);
	ASSERT_EQ(0, uc.args[1]);
	ASSERT_EQ(0xcccc0001, uc.args[2]);
	xt_vm_destroy(vm);
}

/*
 * Nothing but what user space supplies ever reaches the guest: MMIO
 * reads return exactly mmio.data, a fresh slot over a range that held a
 * deleted one reads as its own (zeroed anonymous) memory, a slot's
 * untouched pages read as the host memory's content.
 */
TEST_F(xvcpu, unmapped_reads_never_host_data)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_read_dyn);
	uint64_t *a;
	struct ucall uc;
	int reads;

	/* Never mapped. */
	uc = sync_filling_mmio(vcpu, 0, 0x0123456789abcdefULL, &reads);
	ASSERT_EQ(3, reads);
	ASSERT_EQ(0x0123456789abcdefULL, uc.args[1]);
	ASSERT_EQ(0x0123456789abcdefULL, uc.args[3]);
	uc = sync_filling_mmio(vcpu, 1, 0, &reads);
	ASSERT_EQ(3, reads);
	ASSERT_EQ(0, uc.args[1]);

	/* Mapped with secrets, touched by the guest, deleted. */
	a = xt_vm_add_slot(vm, DYN_SLOT, DYN_GPA, DYN_SIZE, 0);
	memset(a, 0x5e, DYN_SIZE);
	uc = sync_filling_mmio(vcpu, 2, 0, &reads);
	ASSERT_EQ(0, reads);
	ASSERT_EQ(0x5e5e5e5e5e5e5e5eULL, uc.args[1]);
	xt_vm_delete_slot(vm, DYN_SLOT);
	uc = sync_filling_mmio(vcpu, 3, 0x7777777777777777ULL, &reads);
	ASSERT_EQ(3, reads);
	ASSERT_EQ(0x7777777777777777ULL, uc.args[1]);
	ASSERT_EQ(0x7777777777777777ULL, uc.args[3]);

	/* A fresh slot there: zero, never the deleted slot's bytes. */
	xt_vm_add_slot(vm, DYN_SLOT, DYN_GPA, DYN_SIZE, 0);
	uc = sync_filling_mmio(vcpu, 4, 0, &reads);
	ASSERT_EQ(0, reads);
	ASSERT_EQ(0, uc.args[1]);
	ASSERT_EQ(0, uc.args[2]);
	ASSERT_EQ(0, uc.args[3]);
	xt_vm_destroy(vm);
}

/* ---- many slots ------------------------------------------------------------------- */

#define MANY_GPA(i)	(XT_TEST_GPA + 0x1000000ULL + (uint64_t)(i) * 0x200000)

GUEST_CODE static void guest_many_slots(uint64_t first, uint64_t last)
{
	uint64_t i;

	for (i = first; i <= last; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)MANY_GPA(i);

		GUEST_ASSERT_EQ(p[0], 0x510700000000ULL + i);
		GUEST_ASSERT_EQ(p[XT_PAGE_SIZE / 8 - 1], ~i);
		p[1] = i * 3;
	}
	GUEST_DONE();
}

TEST_F(xvcpu, all_64_slots)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_many_slots);
	uint64_t *mem[XVCPU_MAX_MEMSLOTS];
	void *spare;
	uint32_t i;

	for (i = XT_FIRST_TEST_SLOT; i < XVCPU_MAX_MEMSLOTS; i++) {
		mem[i] = xt_vm_add_slot(vm, i, MANY_GPA(i), XT_PAGE_SIZE, 0);
		mem[i][0] = 0x510700000000ULL + i;
		mem[i][XT_PAGE_SIZE / 8 - 1] = ~(uint64_t)i;
	}
	/* Slot ids end at XVCPU_MAX_MEMSLOTS - 1. */
	spare = mmap(NULL, XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, spare);
	ASSERT_EQ(-1, __xt_set_memory_region(vm, XVCPU_MAX_MEMSLOTS, 0,
					     MANY_GPA(XVCPU_MAX_MEMSLOTS),
					     XT_PAGE_SIZE, spare));
	ASSERT_EQ(EINVAL, errno);

	xt_vcpu_args_set(vcpu, 2, (uint64_t)XT_FIRST_TEST_SLOT,
			 (uint64_t)XVCPU_MAX_MEMSLOTS - 1);
	TEST_ASSERT_DONE(vcpu);
	for (i = XT_FIRST_TEST_SLOT; i < XVCPU_MAX_MEMSLOTS; i++)
		ASSERT_EQ(i * 3, mem[i][1]) TH_LOG("slot %u", i);
	munmap(spare, XT_PAGE_SIZE);
	xt_vm_destroy(vm);
}

/* ---- a slot whose user memory is not there ----------------------------------------- */

#define HOLE_SLOT	XT_FIRST_TEST_SLOT
#define HOLE_GPA	(XT_TEST_GPA + 0x400000)

GUEST_CODE static void guest_touch_hole(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(HOLE_GPA + 0x1008);

	GUEST_SYNC_ARGS(1, *p);
	GUEST_DONE();
}

/*
 * The slot is accepted (pages are pinned on first touch); the touch
 * gives an internal-error exit with XVCPU_INTERNAL_MEMORY and the gpa.
 */
TEST_F(xvcpu, slot_userspace_addr_unmapped)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_touch_hole);
	struct xvcpu_run *run = vcpu->run;
	uint64_t gpa, err;
	void *hole;

	hole = mmap(NULL, 4 * XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, 4 * XT_PAGE_SIZE));
	ASSERT_EQ(0, __xt_set_memory_region(vm, HOLE_SLOT, 0, HOLE_GPA,
					    4 * XT_PAGE_SIZE, hole))
		TH_LOG("slot over unmapped user memory refused: %s",
		       strerror(errno));

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_INTERNAL_ERROR);
	ASSERT_EQ(XVCPU_INTERNAL_MEMORY, run->internal.suberror);
	ASSERT_GE(run->internal.ndata, 2);
	gpa = run->internal.data[0];
	err = run->internal.data[1];
	ASSERT_EQ(HOLE_GPA + 0x1000, gpa & ~(XT_PAGE_SIZE - 1))
		TH_LOG("gpa 0x%llx", (unsigned long long)gpa);
	ASSERT_TRUE(err == EFAULT || err == (uint64_t)-EFAULT)
		TH_LOG("errno %lld", (long long)err);
	printf("# unmapped userspace_addr: INTERNAL_ERROR MEMORY gpa 0x%llx errno %lld\n",
	       (unsigned long long)gpa, (long long)err);

	/*
	 * Whether the vCPU can go on once the memory exists is not part of
	 * the ABI: only report it.
	 */
	hole = mmap(hole, 4 * XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (hole != MAP_FAILED) {
		char desc[512];
		struct ucall uc;

		((uint64_t *)hole)[0x1008 / 8] = 0x600d;
		if (__xt_vcpu_run(vcpu) == 0 &&
		    get_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[1] == 0x600d) {
			printf("# after mapping the memory the guest resumes\n");
		} else {
			xt_exit_describe(vcpu, desc, sizeof(desc));
			printf("# after mapping the memory: exit %s\n", desc);
		}
		munmap(hole, 4 * XT_PAGE_SIZE);
	}
	xt_vm_destroy(vm);
}

/* ---- user space changes slot memory under a running VM (memory.rst) --------------- */

#define UM_SLOT		XT_FIRST_TEST_SLOT
#define UM_GPA		(XT_TEST_GPA + 0x800000)
#define UM_PAGES	3
#define UM_SIZE		(UM_PAGES * XT_PAGE_SIZE)
#define QWORDS		(XT_PAGE_SIZE / 8)

/* Each step: the first qword of every page, then a write of @step + 0xd0. */
GUEST_CODE static void guest_read_pages(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)UM_GPA;
	uint64_t step;

	for (step = 0;; step++) {
		uint64_t a = p[0], b = p[QWORDS], c = p[2 * QWORDS];

		p[QWORDS + 1] = 0xd0 + step;
		GUEST_SYNC_ARGS(step, a, b, c);
	}
}

static uint64_t *page_of(void *base, unsigned int i)
{
	return (uint64_t *)((char *)base + i * XT_PAGE_SIZE);
}

/*
 * MADV_DONTNEED on anonymous slot memory the guest has touched: the
 * guest's next read sees zeros, and what the VMM writes afterwards (into
 * the new page) reaches the guest, and the guest's writes reach the VMM.
 */
TEST_F(xvcpu, madv_dontneed_reaches_guest)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_read_pages);
	struct ucall uc;
	uint64_t *m;

	m = xt_vm_add_slot(vm, UM_SLOT, UM_GPA, UM_SIZE, 0);
	*page_of(m, 0) = 0xa0;
	*page_of(m, 1) = 0xa1;
	*page_of(m, 2) = 0xa2;
	TEST_ASSERT_SYNC(vcpu, 0, &uc);
	ASSERT_EQ(0xa0, uc.args[1]);
	ASSERT_EQ(0xa1, uc.args[2]);
	ASSERT_EQ(0xa2, uc.args[3]);
	ASSERT_EQ(0xd0, page_of(m, 1)[1]);

	/* Pages 0 and 1 discarded; page 2 stays. */
	ASSERT_EQ(0, madvise(m, 2 * XT_PAGE_SIZE, MADV_DONTNEED));
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	ASSERT_EQ(0, uc.args[1]);
	ASSERT_EQ(0, uc.args[2]);
	ASSERT_EQ(0xa2, uc.args[3]);
	/* The guest wrote into the new page 1: the VMM's page. */
	ASSERT_EQ(0xd1, page_of(m, 1)[1]);

	/* The VMM's writes after the discard reach the guest. */
	*page_of(m, 0) = 0xb0;
	*page_of(m, 1) = 0xb1;
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(0xb0, uc.args[1]);
	ASSERT_EQ(0xb1, uc.args[2]);
	ASSERT_EQ(0xd2, page_of(m, 1)[1]);
	xt_vm_destroy(vm);
}

/*
 * A read-only slot over anonymous memory nobody wrote: the guest reads
 * the zero page; a later VMM write replaces that page (copy on write) and
 * the guest sees the write.
 */
TEST_F(xvcpu, readonly_slot_sees_host_write_after_cow)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_read_dyn);
	uint64_t *m;
	struct ucall uc;
	int reads;

	m = xt_vm_add_slot(vm, DYN_SLOT, DYN_GPA, DYN_SIZE,
			   XVCPU_MEM_READONLY);
	uc = sync_filling_mmio(vcpu, 0, 0, &reads);
	ASSERT_EQ(0, reads);
	ASSERT_EQ(0, uc.args[1]);
	ASSERT_EQ(0, uc.args[3]);

	m[0] = 0x77;
	m[DYN_SIZE / 8 - 1] = 0x78;
	uc = sync_filling_mmio(vcpu, 1, 0, &reads);
	ASSERT_EQ(0, reads);
	ASSERT_EQ(0x77, uc.args[1]);
	ASSERT_EQ(0x78, uc.args[3]);
	xt_vm_destroy(vm);
}

/*
 * New memory over slot memory the guest has touched: munmap + mmap
 * (MAP_FIXED) of anonymous memory, MAP_FIXED of a shared memfd, and
 * mremap of another buffer onto the slot. The guest sees the new pages;
 * the memfd page is shared both ways with the file.
 */
TEST_F(xvcpu, remap_reaches_guest)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_read_pages);
	uint64_t v, *m, *src;
	struct ucall uc;
	void *p;
	int fd;

	m = xt_vm_add_slot(vm, UM_SLOT, UM_GPA, UM_SIZE, 0);
	*page_of(m, 0) = 0xa0;
	*page_of(m, 1) = 0xa1;
	*page_of(m, 2) = 0xa2;
	TEST_ASSERT_SYNC(vcpu, 0, &uc);
	ASSERT_EQ(0xa0, uc.args[1]);
	ASSERT_EQ(0xa1, uc.args[2]);
	ASSERT_EQ(0xa2, uc.args[3]);

	/* Page 0: munmap, then fresh anonymous memory at the same address. */
	ASSERT_EQ(0, munmap(page_of(m, 0), XT_PAGE_SIZE));
	p = mmap(page_of(m, 0), XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ((void *)page_of(m, 0), p);
	*page_of(m, 0) = 0xb0;

	/* Page 1: a shared memfd page mapped over it. */
	fd = memfd_create("xvcpu_mem_test", MFD_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, XT_PAGE_SIZE));
	v = 0xb1;
	ASSERT_EQ(8, pwrite(fd, &v, 8, 0));
	p = mmap(page_of(m, 1), XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	ASSERT_EQ((void *)page_of(m, 1), p);

	/* Page 2: another buffer moved onto it. */
	src = mmap(NULL, XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, src);
	src[0] = 0xb2;
	p = mremap(src, XT_PAGE_SIZE, XT_PAGE_SIZE,
		   MREMAP_MAYMOVE | MREMAP_FIXED, page_of(m, 2));
	ASSERT_EQ((void *)page_of(m, 2), p);

	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	ASSERT_EQ(0xb0, uc.args[1]);
	ASSERT_EQ(0xb1, uc.args[2]);
	ASSERT_EQ(0xb2, uc.args[3]);
	/* The guest's write went to the file. */
	ASSERT_EQ(8, pread(fd, &v, 8, 8));
	ASSERT_EQ(0xd1, v);

	/* A write through the file (no page-table change) reaches the guest. */
	v = 0xc1;
	ASSERT_EQ(8, pwrite(fd, &v, 8, 0));
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(0xb0, uc.args[1]);
	ASSERT_EQ(0xc1, uc.args[2]);
	ASSERT_EQ(0xb2, uc.args[3]);
	xt_vm_destroy(vm);
	close(fd);
}

/*
 * munmap of slot memory the guest has touched, with nothing mapped in its
 * place: the guest's next access to it ends RUN with the MEMORY internal
 * error (-EFAULT), like a slot over memory that was never mapped; the
 * other pages stay. Mapping memory there again lets the vCPU go on: the
 * access is retried.
 */
TEST_F(xvcpu, munmap_gives_memory_error)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_read_pages);
	struct xvcpu_run *run = vcpu->run;
	struct ucall uc;
	uint64_t *m;
	void *p;

	m = xt_vm_add_slot(vm, UM_SLOT, UM_GPA, UM_SIZE, 0);
	*page_of(m, 0) = 0xa0;
	*page_of(m, 1) = 0xa1;
	*page_of(m, 2) = 0xa2;
	TEST_ASSERT_SYNC(vcpu, 0, &uc);
	ASSERT_EQ(0xa1, uc.args[2]);

	ASSERT_EQ(0, munmap(page_of(m, 1), XT_PAGE_SIZE));
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_INTERNAL_ERROR);
	ASSERT_EQ(XVCPU_INTERNAL_MEMORY, run->internal.suberror);
	ASSERT_GE(run->internal.ndata, 2);
	ASSERT_EQ(UM_GPA + XT_PAGE_SIZE,
		  run->internal.data[0] & ~(XT_PAGE_SIZE - 1));
	ASSERT_EQ((uint64_t)-EFAULT, run->internal.data[1]);

	/* Again: the same exit, nothing changed in between. */
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_INTERNAL_ERROR);
	ASSERT_EQ((uint64_t)-EFAULT, run->internal.data[1]);

	p = mmap(page_of(m, 1), XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ((void *)page_of(m, 1), p);
	*page_of(m, 1) = 0xe1;
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	ASSERT_EQ(0xa0, uc.args[1]);
	ASSERT_EQ(0xe1, uc.args[2]);
	ASSERT_EQ(0xa2, uc.args[3]);
	ASSERT_EQ(0xd1, page_of(m, 1)[1]);
	xt_vm_destroy(vm);
}

/* ---- RLIMIT_MEMLOCK ------------------------------------------------------------------ */

#define LIM_SLOT	XT_FIRST_TEST_SLOT
#define LIM_GPA		(XT_TEST_GPA + 0x1000000)
#define LIM_ALLOW	16	/* pages over the baseline the limit allows */
#define LIM_PAGES	64

static volatile uint64_t lim_touch;	/* pages the guest writes next step */

GUEST_CODE static void guest_touch_pages(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)LIM_GPA;
	uint64_t step, i;

	for (step = 0;; step++) {
		for (i = 0; i < lim_touch; i++)
			p[i * QWORDS] = i + 1;
		GUEST_SYNC(step);
	}
}

/* VmLck of this process in pages (mm->locked_vm), or -1. */
static long vmlck_pages(void)
{
	char buf[8192], *p;

	if (xt_read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nVmLck:");
	return p ? strtol(p + 7, NULL, 10) / (XT_PAGE_SIZE / 1024) : -1;
}

/* Without CAP_IPC_LOCK, account_locked_vm() enforces RLIMIT_MEMLOCK. */
static int drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	unsigned int i = CAP_TO_INDEX(CAP_IPC_LOCK);

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[i].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	d[i].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	d[i].inheritable &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d);
}

static int set_memlock_pages(long pages)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_MEMLOCK, &r))
		return -1;
	r.rlim_cur = pages * XT_PAGE_SIZE;
	if (r.rlim_max != RLIM_INFINITY && r.rlim_cur > r.rlim_max)
		r.rlim_max = r.rlim_cur;
	return setrlimit(RLIMIT_MEMLOCK, &r);
}

/*
 * Pinned guest pages count in VmLck, against RLIMIT_MEMLOCK: within the
 * limit the guest runs, past it the first page over the limit gives the
 * MEMORY internal error with -ENOMEM and changes nothing; with a higher
 * limit the same vCPU goes on; the VM's end gives every page back.
 */
TEST_F(xvcpu, rlimit_memlock_honoured)
{
	struct xvcpu_run *run;
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	long before, base, now;

	ASSERT_EQ(0, drop_cap_ipc_lock()) TH_LOG("capset: %s", strerror(errno));
	before = vmlck_pages();
	ASSERT_LE(0, before);
	vm = xt_vm_create_with_vcpu(&vcpu, guest_touch_pages);
	run = vcpu->run;
	xt_vm_add_slot(vm, LIM_SLOT, LIM_GPA, LIM_PAGES * XT_PAGE_SIZE, 0);

	/* Two empty steps: every page the loop itself needs is pinned. */
	lim_touch = 0;
	TEST_ASSERT_SYNC(vcpu, 0, NULL);
	TEST_ASSERT_SYNC(vcpu, 1, NULL);
	base = vmlck_pages();
	ASSERT_LT(before, base) TH_LOG("pinned pages are not in VmLck");
	printf("# VmLck before the VM %ld pages, after two steps %ld\n",
	       before, base);
	fflush(stdout);

	ASSERT_EQ(0, set_memlock_pages(base + LIM_ALLOW));
	lim_touch = LIM_ALLOW;
	TEST_ASSERT_SYNC(vcpu, 2, NULL);
	ASSERT_EQ(base + LIM_ALLOW, vmlck_pages());

	lim_touch = LIM_ALLOW + 8;
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_INTERNAL_ERROR);
	ASSERT_EQ(XVCPU_INTERNAL_MEMORY, run->internal.suberror);
	ASSERT_GE(run->internal.ndata, 2);
	ASSERT_EQ(LIM_GPA + LIM_ALLOW * XT_PAGE_SIZE,
		  run->internal.data[0] & ~(XT_PAGE_SIZE - 1));
	ASSERT_EQ((uint64_t)-ENOMEM, run->internal.data[1]);
	ASSERT_EQ(base + LIM_ALLOW, vmlck_pages());

	/* Room for the rest: the store is retried and the guest goes on. */
	ASSERT_EQ(0, set_memlock_pages(base + LIM_ALLOW + 8));
	TEST_ASSERT_SYNC(vcpu, 3, NULL);
	now = vmlck_pages();
	ASSERT_EQ(base + LIM_ALLOW + 8, now);

	xt_vm_destroy(vm);
	ASSERT_EQ(before, vmlck_pages());
}

/*
 * Discarded pages are uncharged: after MADV_DONTNEED of touched pages and
 * one more guest fault, VmLck counts only what is pinned; a limit that
 * only the uncharge makes room for is honoured.
 */
TEST_F(xvcpu, rlimit_memlock_discard_uncharges)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	long before, base;
	void *m;

	ASSERT_EQ(0, drop_cap_ipc_lock()) TH_LOG("capset: %s", strerror(errno));
	before = vmlck_pages();
	vm = xt_vm_create_with_vcpu(&vcpu, guest_touch_pages);
	m = xt_vm_add_slot(vm, LIM_SLOT, LIM_GPA, LIM_PAGES * XT_PAGE_SIZE, 0);
	lim_touch = 0;
	TEST_ASSERT_SYNC(vcpu, 0, NULL);
	TEST_ASSERT_SYNC(vcpu, 1, NULL);
	base = vmlck_pages();
	ASSERT_EQ(0, set_memlock_pages(base + LIM_ALLOW));

	/* Touch LIM_ALLOW pages, discard them, touch them again: twice. */
	lim_touch = LIM_ALLOW;
	TEST_ASSERT_SYNC(vcpu, 2, NULL);
	ASSERT_EQ(0, madvise(m, LIM_PAGES * XT_PAGE_SIZE, MADV_DONTNEED));
	TEST_ASSERT_SYNC(vcpu, 3, NULL);
	ASSERT_EQ(base + LIM_ALLOW, vmlck_pages());
	ASSERT_EQ(0, madvise(m, LIM_PAGES * XT_PAGE_SIZE, MADV_DONTNEED));
	TEST_ASSERT_SYNC(vcpu, 4, NULL);
	ASSERT_EQ(base + LIM_ALLOW, vmlck_pages());

	/* Deleting the slot gives its pages back at once. */
	xt_vm_delete_slot(vm, LIM_SLOT);
	ASSERT_EQ(base, vmlck_pages());
	xt_vm_destroy(vm);
	ASSERT_EQ(before, vmlck_pages());
}

/*
 * Invalidations racing with faults: one thread discards and replaces a
 * slot page as fast as it can while the guest reads and writes it; once
 * the thread stops, the guest sees the page's final contents, and the
 * VM's end leaves VmLck as it was (the fixture checks for warnings).
 */
#define ST_SLOT		XT_FIRST_TEST_SLOT
#define ST_GPA		(XT_TEST_GPA + 0x1800000)
#define ST_ROUNDS	400

GUEST_CODE static void guest_stress(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)ST_GPA;
	uint64_t n, v, last = 0;

	for (n = 1;; n++) {
		v = p[0];
		/* Each new page gets a larger number: never an older one. */
		if (v) {
			GUEST_ASSERT(v >= last);
			last = v;
		}
		p[1] = n;
		if (!(n & 63))
			GUEST_SYNC_ARGS(0, v, n);
	}
}

struct mutator {
	uint64_t *page;
	volatile int stop;
	int err;
	unsigned int rounds;
};

static void *mutate_fn(void *arg)
{
	struct mutator *mu = arg;
	unsigned int k;

	for (k = 1; k <= ST_ROUNDS && !mu->stop; k++) {
		if (k & 1) {
			if (madvise(mu->page, XT_PAGE_SIZE, MADV_DONTNEED))
				mu->err = errno;
		} else if (mmap(mu->page, XT_PAGE_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				0) != mu->page) {
			mu->err = errno;
		}
		WRITE_ONCE(mu->page[0], k);
		mu->rounds = k;
	}
	return NULL;
}

TEST_F(xvcpu, invalidate_races_fault)
{
	struct mutator mu = { 0 };
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	unsigned int syncs = 0;
	long before;
	struct ucall uc;
	pthread_t th;

	before = vmlck_pages();
	vm = xt_vm_create_with_vcpu(&vcpu, guest_stress);
	mu.page = xt_vm_add_slot(vm, ST_SLOT, ST_GPA, XT_PAGE_SIZE, 0);
	TEST_ASSERT_SYNC(vcpu, 0, &uc);
	ASSERT_EQ(0, pthread_create(&th, NULL, mutate_fn, &mu));
	while (READ_ONCE(mu.rounds) < ST_ROUNDS && syncs < 1000000) {
		TEST_ASSERT_SYNC(vcpu, 0, &uc);
		syncs++;
	}
	mu.stop = 1;
	pthread_join(th, NULL);
	ASSERT_EQ(0, mu.err) TH_LOG("%s", strerror(mu.err));
	printf("# %u rounds of discard/replace during %u guest syncs\n",
	       mu.rounds, syncs);
	fflush(stdout);

	/* Quiet now: the next read sees the last page's contents. */
	mu.page[0] = 0xf1f1f1f1ULL;
	TEST_ASSERT_SYNC(vcpu, 0, &uc);
	ASSERT_EQ(0xf1f1f1f1ULL, uc.args[1]);
	ASSERT_EQ(uc.args[2], mu.page[1]);
	xt_vm_destroy(vm);
	ASSERT_EQ(before, vmlck_pages());
}

/* ---- create/destroy cycles ---------------------------------------------------------- */

/* Real mode at 0:0x1000: OUT, then HLT. */
static const uint8_t cycle_code[] = {
	0xb0, 0x77,		/* mov $0x77, %al */
	0xe6, 0x10,		/* out %al, $0x10 */
	0xf4,			/* hlt */
};

static void one_cycle(void)
{
	struct xt_vm *vm = xt_vm_create();
	struct xt_vcpu *vcpu;
	uint8_t *mem;

	mem = xt_vm_add_slot(vm, 0, 0, 0x10000, 0);
	memcpy(mem + 0x1000, cycle_code, sizeof(cycle_code));
	vcpu = xt_vcpu_add(vm, 0);
	xt_vcpu_setup_real_mode(vcpu, 0, 0x1000);
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HLT);
	xt_vm_destroy(vm);
}

#define CYCLES		1000
#define MAX_CACHES	512

struct slab_cache {
	char name[64];
	long active, objsize;
};

/* Active objects per cache from /proc/slabinfo; the number of caches. */
static int slab_snapshot(struct slab_cache *c, int max)
{
	static char buf[1 << 17];
	char *line, *save;
	int n = 0;

	if (xt_read_file("/proc/slabinfo", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		long num;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %ld %ld %ld", c[n].name, &c[n].active,
			   &num, &c[n].objsize) == 4)
			n++;
	}
	return n;
}

/*
 * RCU-freed objects go, caches shrink, then every slab cache is shrunk
 * (per-CPU slabs back; under KASAN this also empties the cache's part of
 * the quarantine, where freed objects otherwise stay counted as active):
 * then read.
 */
static void settle(void)
{
	usleep(500 * 1000);
	xt_write_file("/proc/sys/vm/drop_caches", "3");
	usleep(500 * 1000);
	xt_shrink_slabs();
}

/*
 * 1,000 VM life cycles (create, slot, vCPU, run to HLT, destroy) leave
 * nothing behind: no fd, and no slab cache holding about one more object
 * per cycle. Slab and MemFree deltas are printed; they carry noise from
 * per-CPU caches, so the per-cache object count is what decides. On a
 * slow kernel XVCPU_TEST_SCALE cuts the cycles (and the thresholds with
 * them).
 */
TEST_F_TIMEOUT(xvcpu, vm_create_destroy_1000_no_leak, 900)
{
	static struct slab_cache c0[MAX_CACHES], c1[MAX_CACHES];
	long slab0, free0, vm0, slab1, free1, vm1;
	int cycles = xt_scaled(CYCLES);
	int fds0, fds1, n0, n1, i, j, grown = 0;

	for (i = 0; i < 20; i++)	/* warm up caches filled once */
		one_cycle();
	settle();
	slab0 = xt_meminfo_kb("Slab");
	free0 = xt_meminfo_kb("MemFree");
	vm0 = xt_meminfo_kb("VmallocUsed");
	fds0 = xt_count_fds();
	n0 = slab_snapshot(c0, MAX_CACHES);
	ASSERT_GT(slab0, 0);

	for (i = 0; i < cycles; i++)
		one_cycle();

	settle();
	slab1 = xt_meminfo_kb("Slab");
	free1 = xt_meminfo_kb("MemFree");
	vm1 = xt_meminfo_kb("VmallocUsed");
	fds1 = xt_count_fds();
	n1 = slab_snapshot(c1, MAX_CACHES);
	printf("# %d VM cycles: Slab %+ld kB, MemFree %+ld kB, VmallocUsed %+ld kB, fds %+d\n",
	       cycles, slab1 - slab0, free1 - free0, vm1 - vm0, fds1 - fds0);
	ASSERT_EQ(fds0, fds1);
	ASSERT_GT(n0, 0) TH_LOG("no /proc/slabinfo");
	for (i = 0; i < n1; i++) {
		long before = 0, d;

		for (j = 0; j < n0; j++)
			if (!strcmp(c0[j].name, c1[i].name))
				before = c0[j].active;
		d = c1[i].active - before;
		if (d >= 64)
			printf("# slab %s: %+ld objects of %ld bytes\n",
			       c1[i].name, d, c1[i].objsize);
		/* One object every other cycle is a leak, not noise. */
		if (d >= cycles / 2)
			grown++;
	}
	EXPECT_EQ(0, grown);
	/*
	 * A leaked page per cycle would be 4000 kB at 1,000 cycles; fewer
	 * cycles keep the same share plus a floor for the noise.
	 */
	EXPECT_LT(free0 - free1, cycles < CYCLES ? 2048 * cycles / CYCLES + 256 : 2048);
	EXPECT_LT(vm1 - vm0, cycles < CYCLES ? 1024 * cycles / CYCLES + 128 : 1024);
}

TEST_HARNESS_MAIN
