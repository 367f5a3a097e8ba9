/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM, vCPU and memory-slot helpers for the xvcpu selftests, after the
 * KVM selftest library. Host side only; runs in the test process.
 *
 * Two variants of every call that can fail:
 *   __name()  returns the raw ioctl result (-1 with errno set), so a test
 *             can check an exact errno;
 *   name()    asserts success and, on failure, ends the test naming the
 *             ioctl and the errno: "XVCPU_GET_REGS failed: Invalid argument".
 *
 * A failed library assertion prints "# " lines to stderr and exits the
 * test process with KSFT_FAIL. The kselftest harness runs every case in
 * its own child process, so this fails exactly one KTAP line.
 */
#ifndef XVCPU_SELFTEST_VM_H
#define XVCPU_SELFTEST_VM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <linux/xvcpu.h>

#define XT_PAGE_SIZE		4096UL
#define XT_ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define XT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

/* ---- assertions --------------------------------------------------------- */

void xt_test_fail(const char *file, int line, const char *expr,
		  const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
void xt_ioctl_fail(const char *file, int line, const char *name, int ret,
		   int err) __attribute__((noreturn));

#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			xt_test_fail(__FILE__, __LINE__, #cond,		\
				     fmt, ##__VA_ARGS__);		\
	} while (0)

#define TEST_FAIL(fmt, ...)						\
	xt_test_fail(__FILE__, __LINE__, NULL, fmt, ##__VA_ARGS__)

#define TEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);	\
		if (__a != __b)						\
			xt_test_fail(__FILE__, __LINE__, #a " == " #b,	\
				     "0x%llx != 0x%llx",		\
				     (unsigned long long)__a,		\
				     (unsigned long long)__b);		\
	} while (0)

/* ---- objects ------------------------------------------------------------ */

struct xt_slot {
	bool used;
	bool owned;		/* hva mmap'ed here, munmap'ed on delete */
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

struct xt_vcpu {
	struct xt_vm *vm;
	uint32_t id;
	int fd;
	struct xvcpu_run *run;
	uint64_t stack_top;	/* guest stack (lib/x86.c), 0 if none */
};

struct xt_vm {
	int sys_fd;
	int fd;
	long run_size;
	struct xt_slot slots[XVCPU_MAX_MEMSLOTS];
	struct xt_vcpu *vcpus[XVCPU_MAX_VCPUS];

	/* The x86 system area of lib/x86.c, when the VM has one. */
	void *sys_hva;
	uint64_t sys_gpa;
	uint64_t sys_size;
	uint64_t sys_next;	/* bump allocator, offset into the area */
};

/* ---- system fd and VM ----------------------------------------------------- */

/* Load xvcpu.ko if it is not loaded (the runner normally did it). */
void xt_require_module(void);
/* open("/dev/xvcpu"): fd or -1 with errno; the asserting variant. */
int __xt_open_dev(void);
int xt_open_dev(void);

#define __sys_ioctl(fd, cmd, arg)	ioctl((fd), (cmd), (arg))

/* A bare VM: no slot, no vCPU. */
struct xt_vm *xt_vm_create(void);
/* Close every fd (vCPUs first), munmap run pages and owned slots. */
void xt_vm_destroy(struct xt_vm *vm);

#define __vm_ioctl(vm, cmd, arg)	ioctl((vm)->fd, (cmd), (arg))
#define vm_ioctl(vm, cmd, arg)						\
	({								\
		int __r = __vm_ioctl(vm, cmd, arg);			\
		if (__r < 0)						\
			xt_ioctl_fail(__FILE__, __LINE__, #cmd, __r, errno); \
		__r;							\
	})

/* ---- memory slots ---------------------------------------------------------- */

/* Raw XVCPU_SET_MEMORY_REGION (reserved fields zero); no bookkeeping. */
int __xt_set_memory_region(struct xt_vm *vm, uint32_t slot, uint32_t flags,
			   uint64_t gpa, uint64_t size, void *hva);
/* Asserting variant; records the slot (size 0 forgets it). */
void xt_set_memory_region(struct xt_vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva);
/* New zeroed anonymous memory as slot @slot; returns its host address. */
void *xt_vm_add_slot(struct xt_vm *vm, uint32_t slot, uint64_t gpa,
		     uint64_t size, uint32_t flags);
/* Delete the slot, then munmap its memory if the library mapped it. */
void xt_vm_delete_slot(struct xt_vm *vm, uint32_t slot);
/* Host address of [gpa, gpa + len) when one slot holds it all, or NULL. */
void *__xt_gpa2hva(struct xt_vm *vm, uint64_t gpa, uint64_t len);
void *xt_gpa2hva(struct xt_vm *vm, uint64_t gpa);

/* ---- vCPUs ------------------------------------------------------------------ */

/* Raw XVCPU_CREATE_VCPU: the fd or -1 with errno. */
int __xt_vcpu_create(struct xt_vm *vm, unsigned long id);
/* Create vCPU @id and mmap its run structure. */
struct xt_vcpu *xt_vcpu_add(struct xt_vm *vm, uint32_t id);

#define __vcpu_ioctl(vcpu, cmd, arg)	ioctl((vcpu)->fd, (cmd), (arg))
#define vcpu_ioctl(vcpu, cmd, arg)					\
	({								\
		int __r = __vcpu_ioctl(vcpu, cmd, arg);			\
		if (__r < 0)						\
			xt_ioctl_fail(__FILE__, __LINE__, #cmd, __r, errno); \
		__r;							\
	})

void xt_vcpu_get_regs(struct xt_vcpu *vcpu, struct xvcpu_regs *regs);
void xt_vcpu_set_regs(struct xt_vcpu *vcpu, const struct xvcpu_regs *regs);
void xt_vcpu_get_sregs(struct xt_vcpu *vcpu, struct xvcpu_sregs *sregs);
void xt_vcpu_set_sregs(struct xt_vcpu *vcpu, const struct xvcpu_sregs *sregs);

/*
 * GET_MSRS/SET_MSRS on @n entries (index and data in @e, copied back for
 * GET): the ioctl result, i.e. how many entries were processed, or -1.
 */
int __xt_vcpu_msrs(struct xt_vcpu *vcpu, unsigned long cmd,
		   struct xvcpu_msr_entry *e, uint32_t n);
uint64_t xt_vcpu_get_msr(struct xt_vcpu *vcpu, uint32_t index);
void xt_vcpu_set_msr(struct xt_vcpu *vcpu, uint32_t index, uint64_t value);

/* SET_CPUID/GET_CPUID with @n entries; raw results. */
int __xt_vcpu_set_cpuid(struct xt_vcpu *vcpu,
			const struct xvcpu_cpuid_entry *e, uint32_t n);
/* GET_CPUID into @e (room for *@n); *@n is updated from the kernel. */
int __xt_vcpu_get_cpuid(struct xt_vcpu *vcpu, struct xvcpu_cpuid_entry *e,
			uint32_t *n);

int __xt_vcpu_interrupt(struct xt_vcpu *vcpu, uint32_t vector);
void xt_vcpu_interrupt(struct xt_vcpu *vcpu, uint32_t vector);

/* ---- running -------------------------------------------------------------- */

/* XVCPU_RUN: 0, or -1 with errno. */
int __xt_vcpu_run(struct xt_vcpu *vcpu);
/* XVCPU_RUN, asserting it returned 0 (the exit is in vcpu->run). */
#define xt_vcpu_run(vcpu)	__xt_vcpu_run_assert(__FILE__, __LINE__, (vcpu))
void __xt_vcpu_run_assert(const char *file, int line, struct xt_vcpu *vcpu);

/* "IO", "MMIO", ... or "?" for a number the table does not know. */
const char *xt_exit_reason_str(uint32_t reason);
/* A VMX basic exit reason's name (<asm/vmx.h>), or "?". */
const char *xt_vmx_exit_reason_str(uint32_t basic);
/* One line describing the current exit, with its fields. */
void xt_exit_describe(struct xt_vcpu *vcpu, char *buf, size_t size);

#define TEST_ASSERT_EXIT_REASON(vcpu, expected)				\
	__xt_assert_exit_reason(__FILE__, __LINE__, (vcpu), (expected))
void __xt_assert_exit_reason(const char *file, int line,
			     struct xt_vcpu *vcpu, uint32_t expected);

/* The I/O data of the current IO exit (asserts the offset is sane). */
void *xt_io_data(struct xt_vcpu *vcpu);

/* ---- process state, for leak checks ----------------------------------------- */

/* Number of open file descriptors of this process. */
int xt_count_fds(void);

/* One u64 stat of the vCPU's stats fd (Documentation/stats.rst), by name. */
uint64_t xt_vcpu_stat(struct xt_vcpu *vcpu, const char *name);

#endif /* XVCPU_SELFTEST_VM_H */
