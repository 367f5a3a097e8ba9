/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the guest-running selftests: every case starts with
 * xvcpu loaded (the runner loads it; otherwise the fixture does) and ends
 * with a check that the kernel logged no WARNING, BUG or oops meanwhile.
 * With XVCPU_CASE_TIMES set, the teardown prints each case's time
 * ("# case NAME: N ms"; the debug kernel's runs report where time goes).
 *
 * Include once per test file, after kselftest_harness.h. The teardown
 * uses EXPECT_*, never ASSERT_*: an ASSERT in a 6.1 harness teardown
 * jumps back into the teardown.
 */
#ifndef XVCPU_SELFTEST_FIXTURE_H
#define XVCPU_SELFTEST_FIXTURE_H

#include "sys.h"
#include "vm.h"

FIXTURE(xvcpu) {
	struct xt_kmsg kmsg;
	uint64_t t0_ms;
};

FIXTURE_SETUP(xvcpu)
{
	self->t0_ms = xt_now_ms();
	xt_require_module();
	ASSERT_EQ(0, xt_kmsg_mark(&self->kmsg));
}

FIXTURE_TEARDOWN(xvcpu)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "general protection fault",
		"Call Trace", "RCU stall", "soft lockup", "detected stall",
		"blocked for more than", NULL,
	};
	char log[4096];

	EXPECT_EQ(0, xt_kmsg_grep_any(&self->kmsg, bad, log, sizeof(log)))
		TH_LOG("kernel log:\n%s", log);
	xt_kmsg_close(&self->kmsg);
	if (getenv("XVCPU_CASE_TIMES"))
		printf("# case %s: %llu ms\n", _metadata->name,
		       (unsigned long long)(xt_now_ms() - self->t0_ms));
	/* The harness ends each case's process with _exit(): a case's own
	 * printf() lines would be lost in a pipe's buffer. */
	fflush(stdout);
}

#endif /* XVCPU_SELFTEST_FIXTURE_H */
