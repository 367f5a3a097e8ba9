/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ucall: the guest -> host message channel of the selftests.
 *
 * The guest builds a struct ucall (on its stack) and writes its guest
 * physical address with one 32-bit OUT to UCALL_PORT. The host sees an
 * XVCPU_EXIT_IO there, reads the address from the I/O data and copies the
 * structure out of guest memory. Guest code is identity mapped (lib/x86.h),
 * so the address is both the guest virtual and the guest physical one,
 * and below 4 GiB.
 *
 * Guest side: GUEST_SYNC(n), GUEST_SYNC_ARGS(n, ...), GUEST_ASSERT(cond),
 * GUEST_ASSERT_EQ(a, b), GUEST_ASSERT_NE(a, b), GUEST_FAIL(msg),
 * GUEST_DONE(). They run in the guest: no libc.
 * Host side: get_ucall(), xt_run_ucall(), TEST_ASSERT_SYNC(), ...
 */
#ifndef XVCPU_SELFTEST_UCALL_H
#define XVCPU_SELFTEST_UCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xt_vm;
struct xt_vcpu;

/* Not 0x80: xvcpu handles the POST debug port in the kernel. */
#define UCALL_PORT	0xE0F0

enum {
	UCALL_NONE,		/* the exit is not a ucall */
	UCALL_SYNC,		/* args[0] = the test's step, args[1..5] free */
	UCALL_ABORT,		/* file, line, expression, a, b, has values */
	UCALL_DONE,
	UCALL_UNHANDLED,	/* vector, error code, rip, cr2 */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[6];
};

/* args[5] of UCALL_ABORT: whether args[3] and args[4] hold values. */
#define UCALL_ABORT_VALUES	1

/* Marks a function that runs in the guest (documentation; no IPA clones). */
#define GUEST_CODE	__attribute__((noinline, noclone))

/* ---- guest side ------------------------------------------------------------ */

void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
	   uint64_t a4, uint64_t a5);
void xt_guest_abort(const char *file, uint64_t line, const char *expr,
		    uint64_t a, uint64_t b, uint64_t has_values)
	__attribute__((noreturn));

#define GUEST_SYNC(n)	ucall(UCALL_SYNC, (uint64_t)(n), 0, 0, 0, 0, 0)
#define __GUEST_SYNC_ARGS(a0, a1, a2, a3, a4, a5, ...)			\
	ucall(UCALL_SYNC, (uint64_t)(a0), (uint64_t)(a1), (uint64_t)(a2), \
	      (uint64_t)(a3), (uint64_t)(a4), (uint64_t)(a5))
/* Step number, then up to five values. */
#define GUEST_SYNC_ARGS(...)	__GUEST_SYNC_ARGS(__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define GUEST_DONE()	ucall(UCALL_DONE, 0, 0, 0, 0, 0, 0)

#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			xt_guest_abort(__FILE__, __LINE__, #cond, 0, 0, 0); \
	} while (0)

#define __GUEST_ASSERT_CMP(a, b, op)					\
	do {								\
		uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);	\
		if (!(__ga op __gb))					\
			xt_guest_abort(__FILE__, __LINE__, #a " " #op " " #b, \
				       __ga, __gb, UCALL_ABORT_VALUES);	\
	} while (0)

#define GUEST_ASSERT_EQ(a, b)	__GUEST_ASSERT_CMP(a, b, ==)
#define GUEST_ASSERT_NE(a, b)	__GUEST_ASSERT_CMP(a, b, !=)
#define GUEST_FAIL(msg)		xt_guest_abort(__FILE__, __LINE__, msg, 0, 0, 0)

/* ---- host side --------------------------------------------------------------- */

/* The ucall of the current exit into @uc, or UCALL_NONE if it is none. */
uint64_t get_ucall(struct xt_vcpu *vcpu, struct ucall *uc);
const char *xt_ucall_str(uint64_t cmd);
/* The guest's message for UCALL_ABORT / UCALL_UNHANDLED. */
void xt_ucall_message(struct xt_vm *vm, const struct ucall *uc, char *buf,
		      size_t size);
/* A NUL-terminated copy of a guest string (identity mapped), or "?". */
void xt_read_guest_string(struct xt_vm *vm, uint64_t gva, char *buf, size_t size);

/*
 * A vCPU in RUN on its own thread pinned to one CPU (pthread_create()
 * with xt_pinned_run): RUN again after each GUEST_SYNC until GUEST_DONE,
 * or until anything else, which @err then describes.
 */
struct xt_pinned {
	struct xt_vcpu *vcpu;
	int cpu;
	int syncs;		/* GUEST_SYNCs seen (READ_ONCE from others) */
	int wrong_cpu;		/* RUN returned on another CPU */
	bool done;		/* the guest reached GUEST_DONE */
	char err[512];		/* why it stopped otherwise, or "" */
};
void *xt_pinned_run(void *arg);

#define REPORT_GUEST_ASSERT(vcpu, uc)					\
	__xt_report_guest_assert(__FILE__, __LINE__, (vcpu), (uc))
void __xt_report_guest_assert(const char *file, int line,
			      struct xt_vcpu *vcpu, const struct ucall *uc)
	__attribute__((noreturn));

/*
 * Run, assert the exit is a ucall, fail the test with the guest's message
 * on UCALL_ABORT / UCALL_UNHANDLED; returns UCALL_SYNC or UCALL_DONE.
 */
#define xt_run_ucall(vcpu, uc)	__xt_run_ucall(__FILE__, __LINE__, (vcpu), (uc))
uint64_t __xt_run_ucall(const char *file, int line, struct xt_vcpu *vcpu,
			struct ucall *uc);
/* The current exit (already run) as a ucall, same checks. */
#define xt_expect_ucall(vcpu, uc) __xt_expect_ucall(__FILE__, __LINE__, (vcpu), (uc))
uint64_t __xt_expect_ucall(const char *file, int line, struct xt_vcpu *vcpu,
			   struct ucall *uc);

/* Run and expect GUEST_SYNC(n) / GUEST_DONE(). */
#define TEST_ASSERT_SYNC(vcpu, n, uc)					\
	__xt_run_expect(__FILE__, __LINE__, (vcpu), UCALL_SYNC, (n), (uc))
#define TEST_ASSERT_DONE(vcpu)						\
	__xt_run_expect(__FILE__, __LINE__, (vcpu), UCALL_DONE, 0, NULL)
void __xt_run_expect(const char *file, int line, struct xt_vcpu *vcpu,
		     uint64_t cmd, uint64_t step, struct ucall *uc);

#endif /* XVCPU_SELFTEST_UCALL_H */
