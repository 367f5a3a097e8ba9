// SPDX-License-Identifier: GPL-2.0
/*
 * ucall (see ucall.h). The first half runs in the guest: ordinary C
 * without libc, built like every guest-running test binary
 * (-mgeneral-regs-only -mno-red-zone -fno-stack-protector). The second
 * half runs on the host.
 */
#define _GNU_SOURCE
#include "ucall.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "sys.h"
#include "vm.h"
#include "x86.h"

/* ---- guest ------------------------------------------------------------------ */

GUEST_CODE void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2,
		      uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct ucall uc;

	uc.cmd = cmd;
	uc.args[0] = a0;
	uc.args[1] = a1;
	uc.args[2] = a2;
	uc.args[3] = a3;
	uc.args[4] = a4;
	uc.args[5] = a5;
	/* The memory clobber orders the stores above before the exit. */
	asm volatile("outl %%eax, %%dx"
		     : : "a"((uint32_t)(uintptr_t)&uc), "d"((uint16_t)UCALL_PORT)
		     : "memory");
}

GUEST_CODE void xt_guest_abort(const char *file, uint64_t line,
			       const char *expr, uint64_t a, uint64_t b,
			       uint64_t has_values)
{
	for (;;) {
		ucall(UCALL_ABORT, (uint64_t)(uintptr_t)file, line,
		      (uint64_t)(uintptr_t)expr, a, b, has_values);
		asm volatile("hlt");
	}
}

/* ---- host ------------------------------------------------------------------- */

uint64_t get_ucall(struct xt_vcpu *vcpu, struct ucall *uc)
{
	struct xvcpu_run *run = vcpu->run;
	uint32_t gpa;
	void *hva;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != XVCPU_EXIT_IO || run->io.port != UCALL_PORT)
		return UCALL_NONE;
	TEST_ASSERT(run->io.direction == XVCPU_EXIT_IO_OUT &&
		    run->io.size == 4 && run->io.count == 1,
		    "ucall port exit is not one 32-bit OUT: dir %u size %u count %u",
		    run->io.direction, run->io.size, run->io.count);
	memcpy(&gpa, xt_io_data(vcpu), sizeof(gpa));
	hva = __xt_gpa2hva(vcpu->vm, gpa, sizeof(*uc));
	TEST_ASSERT(hva, "ucall structure at gpa 0x%x is outside guest memory",
		    gpa);
	memcpy(uc, hva, sizeof(*uc));
	TEST_ASSERT(uc->cmd != UCALL_NONE && uc->cmd <= UCALL_UNHANDLED,
		    "ucall with unknown command %llu",
		    (unsigned long long)uc->cmd);
	return uc->cmd;
}

const char *xt_ucall_str(uint64_t cmd)
{
	static const char *const names[] = {
		[UCALL_NONE] = "NONE", [UCALL_SYNC] = "SYNC",
		[UCALL_ABORT] = "ABORT", [UCALL_DONE] = "DONE",
		[UCALL_UNHANDLED] = "UNHANDLED",
	};

	return cmd < XT_ARRAY_SIZE(names) ? names[cmd] : "?";
}

void xt_read_guest_string(struct xt_vm *vm, uint64_t gva, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size; i++) {
		const char *p = __xt_gpa2hva(vm, gva + i, 1);

		if (!p) {
			snprintf(buf, size, "?");
			return;
		}
		buf[i] = *p;
		if (!*p)
			return;
	}
	buf[i] = '\0';
}

void xt_ucall_message(struct xt_vm *vm, const struct ucall *uc, char *buf,
		      size_t size)
{
	char file[256], expr[256];

	switch (uc->cmd) {
	case UCALL_ABORT:
		xt_read_guest_string(vm, uc->args[0], file, sizeof(file));
		xt_read_guest_string(vm, uc->args[2], expr, sizeof(expr));
		if (uc->args[5] & UCALL_ABORT_VALUES)
			snprintf(buf, size,
				 "guest assertion failed at %s:%llu: %s (0x%llx vs 0x%llx)",
				 file, (unsigned long long)uc->args[1], expr,
				 (unsigned long long)uc->args[3],
				 (unsigned long long)uc->args[4]);
		else
			snprintf(buf, size,
				 "guest assertion failed at %s:%llu: %s", file,
				 (unsigned long long)uc->args[1], expr);
		return;
	case UCALL_UNHANDLED:
		snprintf(buf, size,
			 "guest took an unexpected exception %s (vector %llu) at rip 0x%llx, error code 0x%llx, cr2 0x%llx",
			 xt_vector_str(uc->args[0]),
			 (unsigned long long)uc->args[0],
			 (unsigned long long)uc->args[2],
			 (unsigned long long)uc->args[1],
			 (unsigned long long)uc->args[3]);
		return;
	default:
		snprintf(buf, size, "ucall %s (%llu) arg0 0x%llx",
			 xt_ucall_str(uc->cmd), (unsigned long long)uc->cmd,
			 (unsigned long long)uc->args[0]);
	}
}

void __xt_report_guest_assert(const char *file, int line,
			      struct xt_vcpu *vcpu, const struct ucall *uc)
{
	char msg[1024];

	xt_ucall_message(vcpu->vm, uc, msg, sizeof(msg));
	xt_test_fail(file, line, NULL, "vCPU %u: %s", vcpu->id, msg);
}

uint64_t __xt_expect_ucall(const char *file, int line, struct xt_vcpu *vcpu,
			   struct ucall *uc)
{
	struct ucall local;
	uint64_t cmd;
	char desc[1200];

	if (!uc)
		uc = &local;
	cmd = get_ucall(vcpu, uc);
	if (cmd == UCALL_ABORT || cmd == UCALL_UNHANDLED)
		__xt_report_guest_assert(file, line, vcpu, uc);
	if (cmd == UCALL_NONE) {
		xt_exit_describe(vcpu, desc, sizeof(desc));
		xt_test_fail(file, line, NULL,
			     "vCPU %u: expected a ucall, got exit %s", vcpu->id,
			     desc);
	}
	return cmd;
}

uint64_t __xt_run_ucall(const char *file, int line, struct xt_vcpu *vcpu,
			struct ucall *uc)
{
	__xt_vcpu_run_assert(file, line, vcpu);
	return __xt_expect_ucall(file, line, vcpu, uc);
}

void __xt_run_expect(const char *file, int line, struct xt_vcpu *vcpu,
		     uint64_t cmd, uint64_t step, struct ucall *uc)
{
	struct ucall local;
	uint64_t got;

	if (!uc)
		uc = &local;
	got = __xt_run_ucall(file, line, vcpu, uc);
	if (got != cmd)
		xt_test_fail(file, line, NULL,
			     "vCPU %u: expected ucall %s, got %s (arg0 0x%llx)",
			     vcpu->id, xt_ucall_str(cmd), xt_ucall_str(got),
			     (unsigned long long)uc->args[0]);
	if (cmd == UCALL_SYNC && uc->args[0] != step)
		xt_test_fail(file, line, NULL,
			     "vCPU %u: expected GUEST_SYNC(%llu), got GUEST_SYNC(%llu)",
			     vcpu->id, (unsigned long long)step,
			     (unsigned long long)uc->args[0]);
}

void *xt_pinned_run(void *arg)
{
	struct xt_pinned *t = arg;
	struct ucall uc;
	uint64_t cmd;

	if (xt_pin_self(t->cpu)) {
		snprintf(t->err, sizeof(t->err), "cannot pin to CPU%d", t->cpu);
		return NULL;
	}
	for (;;) {
		if (__xt_vcpu_run(t->vcpu)) {
			snprintf(t->err, sizeof(t->err), "RUN on CPU%d: %s",
				 t->cpu, strerror(errno));
			return NULL;
		}
		if (sched_getcpu() != t->cpu)
			t->wrong_cpu++;
		cmd = get_ucall(t->vcpu, &uc);
		if (cmd == UCALL_DONE) {
			t->done = true;
			return NULL;
		}
		if (cmd != UCALL_SYNC) {
			if (cmd == UCALL_NONE)
				xt_exit_describe(t->vcpu, t->err, sizeof(t->err));
			else
				xt_ucall_message(t->vcpu->vm, &uc, t->err,
						 sizeof(t->err));
			return NULL;
		}
		WRITE_ONCE(t->syncs, t->syncs + 1);
	}
}
