// SPDX-License-Identifier: GPL-2.0
/*
 * The xvcpu tracepoints (Documentation/tracing.rst), through tracefs as a
 * user would use them: events enabled and filtered per VM
 * (events/xvcpu/<event>/{enable,filter}), guests doing an exact number
 * of known exits, the text trace read back and counted field by field.
 * Nothing may be lost: each case checks the ring buffer's
 * entries-in-buffer/entries-written header.
 *
 * Remember that every GUEST_SYNC/GUEST_DONE is an I/O exit to user space
 * itself (port UCALL_PORT), and that host interrupts and the preemption
 * timer add exits of their own that no count here may depend on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <asm/vmx.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/sys.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

#ifndef XVCPU_GET_VM_ID
#error "the uapi header has no XVCPU_GET_VM_ID"
#endif

#define TRACEFS		"/sys/kernel/tracing"

/* The "# " lines reach the log even from a test's child that _exit()s. */
__attribute__((constructor)) static void line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
#define TRACE_BUF_SIZE	(32UL << 20)

/* VMX basic exit reasons (<asm/vmx.h>) as the trace prints them. */
#define EXIT_CPUID	"reason=CPUID "
#define EXIT_IO		"reason=IO_INSTRUCTION "
#define EXIT_EPT	"reason=EPT_VIOLATION "

static const char *const all_events[] = {
	"xvcpu_exit", "xvcpu_entry", "xvcpu_io", "xvcpu_mmio", "xvcpu_msr",
	"xvcpu_cpuid", "xvcpu_cr", "xvcpu_ept_violation", "xvcpu_hypercall",
	"xvcpu_inject", "xvcpu_entry_failed", "xvcpu_regs_diff",
	"xvcpu_vm_create", "xvcpu_vm_destroy", "xvcpu_vcpu_create",
};

/* ---- tracefs ------------------------------------------------------------------ */

static int tr_write(const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/%s", rel);
	return xt_write_file(path, text);
}

static int ev_write(const char *event, const char *file, const char *text)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "events/xvcpu/%s/%s", event, file);
	return tr_write(rel, text);
}

/* Empty the ring buffer (O_TRUNC on the trace file). */
static int tr_clear(void)
{
	int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Every xvcpu event off, no filter, an empty and large buffer. */
static void tr_reset(struct __test_metadata *_metadata)
{
	unsigned int i;

	ASSERT_TRUE(xt_path_exists(TRACEFS "/events/xvcpu"))
		TH_LOG("no xvcpu events in " TRACEFS);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	for (i = 0; i < XT_ARRAY_SIZE(all_events); i++) {
		const char *ev = all_events[i];

		ASSERT_EQ(0, ev_write(ev, "filter", "0"))
			TH_LOG("%s: no filter file", ev);
	}
	ASSERT_EQ(0, tr_write("buffer_size_kb", "4096"));
	ASSERT_EQ(0, tr_write("tracing_on", "1"));
	ASSERT_EQ(0, tr_clear());
}

/* Enable @event, keeping only VM @vm_id (or anything, for -1). */
static void tr_enable(struct __test_metadata *_metadata, const char *event,
		      long vm_id)
{
	char f[64];

	if (vm_id >= 0) {
		snprintf(f, sizeof(f), "vm_id == %ld", vm_id);
		ASSERT_EQ(0, ev_write(event, "filter", f)) TH_LOG("%s", event);
	}
	ASSERT_EQ(0, ev_write(event, "enable", "1")) TH_LOG("%s", event);
}

/*
 * The whole text trace, NUL-terminated (malloc'ed). Fails the test if
 * the buffer dropped anything: "entries-in-buffer/entries-written: X/Y".
 */
static char *tr_read(struct __test_metadata *_metadata)
{
	char *buf = malloc(TRACE_BUF_SIZE), *h;
	unsigned long in = 0, written = 0;
	size_t len = 0;
	ssize_t n;
	int fd;

	ASSERT_NE(NULL, buf);
	fd = open(TRACEFS "/trace", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	while ((n = read(fd, buf + len, TRACE_BUF_SIZE - 1 - len)) > 0)
		len += n;
	close(fd);
	ASSERT_GE(n, 0);
	ASSERT_LT(len, TRACE_BUF_SIZE - 1);
	buf[len] = 0;
	h = strstr(buf, "entries-in-buffer/entries-written:");
	ASSERT_NE(NULL, h);
	ASSERT_EQ(2, sscanf(h, "entries-in-buffer/entries-written: %lu/%lu",
			    &in, &written));
	ASSERT_EQ(in, written) TH_LOG("the trace buffer lost events");
	return buf;
}

/* Iterate over the events of a trace: each line's event name and text. */
struct tr_iter {
	const char *next;
	char event[48];
	char text[1024];	/* after "event: " */
};

static bool tr_next(struct tr_iter *it)
{
	while (it->next && *it->next) {
		const char *line = it->next, *end = strchr(line, '\n');
		const char *p, *q;
		size_t n = end ? (size_t)(end - line) : strlen(line);

		it->next = end ? end + 1 : NULL;
		if (line[0] == '#')
			continue;
		/* "comm-pid [cpu] flags ts: event: text" */
		p = strstr(line, ": xvcpu_");
		if (!p || p >= line + n)
			continue;
		p += 2;
		q = strstr(p, ": ");
		if (!q || q >= line + n || (size_t)(q - p) >= sizeof(it->event))
			continue;
		memcpy(it->event, p, q - p);
		it->event[q - p] = 0;
		q += 2;
		n -= q - line;
		if (n >= sizeof(it->text))
			n = sizeof(it->text) - 1;
		memcpy(it->text, q, n);
		it->text[n] = 0;
		return true;
	}
	return false;
}

/* The value of "key=value" in an event's text, or @dflt. */
static uint64_t field(const char *text, const char *key, uint64_t dflt)
{
	size_t kl = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == ' ') && p[kl] == '=')
			return strtoull(p + kl + 1, NULL, 0);
		p += kl;
	}
	return dflt;
}

/* Events named @event whose text contains every string of @must (NULL-ended). */
static unsigned int tr_count(const char *trace, const char *event,
			     const char *const *must)
{
	struct tr_iter it = { .next = trace };
	unsigned int n = 0, i;

	while (tr_next(&it)) {
		if (strcmp(it.event, event))
			continue;
		for (i = 0; must && must[i]; i++)
			if (!strstr(it.text, must[i]))
				break;
		if (!must || !must[i])
			n++;
	}
	return n;
}

#define MUST(...)	((const char *const []){ __VA_ARGS__, NULL })

/* The first event @event containing @needle, or "" (for the logs). */
static const char *tr_first(const char *trace, const char *event,
			    const char *needle, char *buf, size_t size)
{
	struct tr_iter it = { .next = trace };

	buf[0] = 0;
	while (tr_next(&it)) {
		if (!strcmp(it.event, event) &&
		    (!needle || strstr(it.text, needle))) {
			snprintf(buf, size, "%.40s: %.900s", it.event, it.text);
			break;
		}
	}
	return buf;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static long vm_id(struct xt_vm *vm)
{
	return vm_ioctl(vm, XVCPU_GET_VM_ID, 0);
}

/* ---- the sampling policy (XVCPU_SET_TRACE_POLICY, trace_policy=) ---------------- */

static int set_policy(struct xt_vm *vm, uint32_t reason, uint32_t mode,
		      uint32_t every)
{
	struct xvcpu_trace_policy p = {
		.reason = reason, .mode = mode, .every = every,
	};

	return __vm_ioctl(vm, XVCPU_SET_TRACE_POLICY, &p);
}

/* Every exit of @vm traced, whatever the module parameter's default. */
static void trace_all(struct __test_metadata *_metadata, struct xt_vm *vm)
{
	ASSERT_EQ(0, set_policy(vm, XVCPU_TRACE_REASON_ALL, XVCPU_TRACE_ALL, 0));
}

/* ---- exact counts: CPUID in the kernel, OUT to user space ---------------------- */

#define N_CPUID		1000
#define M_OUT		50
#define K_CPUID		100
#define USER_PORT	0x1234

GUEST_CODE static void guest_counts(void)
{
	uint32_t a, b, c, d;
	unsigned int i;

	GUEST_SYNC(1);
	for (i = 0; i < N_CPUID; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	for (i = 0; i < M_OUT; i++)
		xt_outb(USER_PORT, i);
	GUEST_SYNC(2);
	for (i = 0; i < K_CPUID; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_DONE();
}

TEST_F(xvcpu, exit_counts_and_times)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_counts);
	static const char *const evs[] = {
		"xvcpu_exit", "xvcpu_entry", "xvcpu_cpuid", "xvcpu_io",
	};
	uint64_t *cpuid_ns, *user_ns, ns0, ns1, sum_ns = 0, slack;
	unsigned int i, n_exit = 0, n_entry = 0, n_user = 0, n_cpuid = 0;
	unsigned int zero_handle = 0;
	struct tr_iter it;
	long id = vm_id(vm);
	struct ucall uc;
	char line[1024], want[64], user_line[1100] = "";
	char *trace;

	trace_all(_metadata, vm);
	ASSERT_GE(id, 0);
	tr_reset(_metadata);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	ns0 = xt_vcpu_stat(vcpu, "exit_ns_sum_CPUID");
	for (i = 0; i < XT_ARRAY_SIZE(evs); i++)
		tr_enable(_metadata, evs[i], id);
	for (i = 0; i < M_OUT; i++) {
		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		ASSERT_EQ(USER_PORT, vcpu->run->io.port);
	}
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	ns1 = xt_vcpu_stat(vcpu, "exit_ns_sum_CPUID");
	trace = tr_read(_metadata);

	/* N CPUID exits, each handled in the kernel, each with its event. */
	snprintf(want, sizeof(want), "vm_id=%ld ", id);
	EXPECT_EQ(N_CPUID, tr_count(trace, "xvcpu_exit", MUST(EXIT_CPUID)));
	EXPECT_EQ(N_CPUID, tr_count(trace, "xvcpu_exit",
				    MUST(want, EXIT_CPUID, "outcome=kernel")));
	EXPECT_EQ(N_CPUID, tr_count(trace, "xvcpu_cpuid", NULL));
	EXPECT_EQ(N_CPUID, tr_count(trace, "xvcpu_cpuid",
				    MUST("function=0x0 index=0x0", "found=1")));
	/* M OUTs to the VMM's port and the GUEST_SYNC(2) ucall, all to user. */
	EXPECT_EQ(M_OUT + 1, tr_count(trace, "xvcpu_io", NULL));
	EXPECT_EQ(M_OUT, tr_count(trace, "xvcpu_io",
				  MUST("dir=out port=0x1234 size=1 string=0 rep=0 count=1",
				       "handled=user")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_io", MUST("port=0xe0f0")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_io", MUST("data=0x31 ")));
	EXPECT_EQ(M_OUT + 1, tr_count(trace, "xvcpu_exit", MUST(EXIT_IO)));
	EXPECT_EQ(M_OUT + 1, tr_count(trace, "xvcpu_exit",
				      MUST(EXIT_IO, "insn_len=", "outcome=user")));

	/* Every exit timed; one entry per exit; the VMM's time after each OUT. */
	cpuid_ns = calloc(N_CPUID + 1, sizeof(*cpuid_ns));
	user_ns = calloc(M_OUT + 1, sizeof(*user_ns));
	ASSERT_NE(NULL, cpuid_ns);
	ASSERT_NE(NULL, user_ns);
	it = (struct tr_iter){ .next = trace };
	while (tr_next(&it)) {
		if (!strcmp(it.event, "xvcpu_exit")) {
			n_exit++;
			if (!field(it.text, "handle_ns", 0))
				zero_handle++;
			if (strstr(it.text, EXIT_CPUID) && n_cpuid <= N_CPUID)
				cpuid_ns[n_cpuid++] = field(it.text, "handle_ns", 0);
		} else if (!strcmp(it.event, "xvcpu_entry")) {
			uint64_t u = field(it.text, "user_ns", ~0ULL);

			n_entry++;
			ASSERT_NE(~0ULL, u) TH_LOG("%s", it.text);
			if (u && n_user <= M_OUT)
				user_ns[n_user] = u;
			if (u && !user_line[0])
				snprintf(user_line, sizeof(user_line),
					 "%.40s: %.900s", it.event, it.text);
			if (u)
				n_user++;
		}
	}
	EXPECT_EQ(0, zero_handle) TH_LOG("%u of %u exits with handle_ns=0",
					 zero_handle, n_exit);
	/*
	 * handle_ns is the interval the stats add up: the N CPUID exits'
	 * sum against exit_ns_sum_CPUID's growth, apart from rounding (the
	 * event's ns are truncated one by one, its factor rounded to 2^-16).
	 */
	for (i = 0; i < n_cpuid; i++)
		sum_ns += cpuid_ns[i];
	EXPECT_EQ(N_CPUID, n_cpuid);
	slack = n_cpuid + (ns1 - ns0) / 1000;
	EXPECT_LE(sum_ns, ns1 - ns0 + slack);
	EXPECT_LE(ns1 - ns0, sum_ns + slack)
		TH_LOG("handle_ns sum %llu, exit_ns_sum_CPUID grew %llu",
		       (unsigned long long)sum_ns,
		       (unsigned long long)(ns1 - ns0));
	EXPECT_EQ(n_exit, n_entry);
	/* RUN returned after each of the M OUTs: the next entry says how long. */
	EXPECT_EQ(M_OUT, n_user);
	printf("# %u exits (%u CPUID, %u to user), median handle_ns of a CPUID exit %llu, median user_ns %llu\n",
	       n_exit, n_cpuid, M_OUT + 1,
	       (unsigned long long)median(cpuid_ns, n_cpuid),
	       (unsigned long long)median(user_ns, n_user <= M_OUT ? n_user : M_OUT + 1));
	printf("# %s\n", tr_first(trace, "xvcpu_exit", EXIT_CPUID, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_cpuid", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_io", "port=0x1234", line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_exit", EXIT_IO, line, sizeof(line)));
	printf("# %s\n", user_line);
	free(trace);
	free(cpuid_ns);
	free(user_ns);

	/* The raw field in a filter: exit_reason 10 is CPUID, and only it. */
	ASSERT_EQ(0, tr_clear());
	snprintf(want, sizeof(want), "vm_id == %ld && exit_reason == 10", id);
	ASSERT_EQ(0, ev_write("xvcpu_exit", "filter", want));
	ASSERT_EQ(0, ev_write("xvcpu_exit", "enable", "1"));
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	EXPECT_EQ(K_CPUID, tr_count(trace, "xvcpu_exit", NULL));
	EXPECT_EQ(K_CPUID, tr_count(trace, "xvcpu_exit", MUST(EXIT_CPUID)));
	free(trace);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- xvcpu_cpuid.found on each lookup path ------------------------------------- */

/* One leaf down each lookup path of the kernel's found flag. */
GUEST_CODE static void guest_found(void)
{
	uint32_t a, b, c, d;

	GUEST_SYNC(1);
	xt_cpuid(0, 0, &a, &b, &c, &d);		/* a plain leaf: one load */
	xt_cpuid(0, 7, &a, &b, &c, &d);		/* index ignored: no subleaves */
	xt_cpuid(4, 1, &a, &b, &c, &d);		/* a subleaf: the scan */
	xt_cpuid(4, 5, &a, &b, &c, &d);		/* a subleaf the table lacks */
	xt_cpuid(0x40000001, 0, &a, &b, &c, &d);	/* in range, not in it */
	xt_cpuid(0x12345678, 0, &a, &b, &c, &d);	/* in no range: the scan */
	GUEST_DONE();
}

TEST_F(xvcpu, cpuid_event_found)
{
	static const struct xvcpu_cpuid_entry table[] = {
		{ .function = 0, .eax = 0x1f, .ebx = 0x11, .ecx = 0x12,
		  .edx = 0x13 },
		{ .function = 4, .index = 0,
		  .flags = XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX, .eax = 0x40 },
		{ .function = 4, .index = 1,
		  .flags = XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX, .eax = 0x41,
		  .ebx = 0x42, .ecx = 0x43, .edx = 0x44 },
	};
	static const char *const want[] = {
		"function=0x0 index=0x0 eax=0x1f ebx=0x11 ecx=0x12 edx=0x13 found=1",
		"function=0x0 index=0x7 eax=0x1f ebx=0x11 ecx=0x12 edx=0x13 found=1",
		"function=0x4 index=0x1 eax=0x41 ebx=0x42 ecx=0x43 edx=0x44 found=1",
		"function=0x4 index=0x5 eax=0x0 ebx=0x0 ecx=0x0 edx=0x0 found=0",
		"function=0x40000001 index=0x0 eax=0x0 ebx=0x0 ecx=0x0 edx=0x0 found=0",
		"function=0x12345678 index=0x0 eax=0x0 ebx=0x0 ecx=0x0 edx=0x0 found=0",
	};
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_found);
	struct tr_iter it;
	long id = vm_id(vm);
	struct ucall uc;
	unsigned int n = 0;
	char *trace;

	trace_all(_metadata, vm);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, __xt_vcpu_set_cpuid(vcpu, table, XT_ARRAY_SIZE(table)))
		TH_LOG("SET_CPUID: %s", strerror(errno));
	tr_reset(_metadata);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	tr_enable(_metadata, "xvcpu_cpuid", id);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);

	/* Exactly these, in this order: the found flag and the output. */
	it = (struct tr_iter){ .next = trace };
	while (tr_next(&it)) {
		if (strcmp(it.event, "xvcpu_cpuid"))
			continue;
		if (n < XT_ARRAY_SIZE(want))
			EXPECT_NE(NULL, strstr(it.text, want[n]))
				TH_LOG("event %u: '%s', want '%s'", n, it.text,
				       want[n]);
		n++;
	}
	EXPECT_EQ(XT_ARRAY_SIZE(want), n);
	free(trace);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- intr_info: where the SDM defines it, and 0 elsewhere ---------------------- */

static volatile uint64_t ii_db_count;

GUEST_CODE static void ii_db_handler(struct xt_ex_regs *regs)
{
	ii_db_count++;
}

GUEST_CODE static void guest_intr_info(void)
{
	uint32_t a, b, c, d;

	xt_cpuid(1, 0, &a, &b, &c, &d);
	/* ICEBP (INT1): a #DB trap, which xvcpu intercepts and reflects. */
	asm volatile(".byte 0xf1" : : : "memory");
	GUEST_ASSERT_EQ(ii_db_count, 1);
	xt_cpuid(1, 0, &a, &b, &c, &d);
	GUEST_DONE();
}

/*
 * xvcpu_exit.intr_info of the ICEBP's exit is exactly the SDM's: valid,
 * privileged software exception (type 5), vector 1, no error code; every
 * other exit, whose field is undefined, reports 0.
 */
TEST_F(xvcpu, exit_intr_info)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_intr_info);
	unsigned int n_exc = 0, n_cpuid = 0;
	struct tr_iter it;
	long id = vm_id(vm);
	char *trace;

	ASSERT_GE(id, 0);
	xt_vm_install_handler(vm, X86_VEC_DB, ii_db_handler);
	trace_all(_metadata, vm);
	tr_reset(_metadata);
	tr_enable(_metadata, "xvcpu_exit", id);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);

	it = (struct tr_iter){ .next = trace };
	while (tr_next(&it)) {
		uint64_t info = field(it.text, "intr_info", ~0ULL);

		if (strcmp(it.event, "xvcpu_exit"))
			continue;
		if (strstr(it.text, "reason=EXCEPTION_NMI ")) {
			EXPECT_EQ(0x80000501ULL, info) TH_LOG("%s", it.text);
			n_exc++;
		} else {
			EXPECT_EQ(0ULL, info) TH_LOG("%s", it.text);
			n_cpuid += !!strstr(it.text, "reason=CPUID ");
		}
	}
	EXPECT_EQ(1U, n_exc);
	EXPECT_EQ(2U, n_cpuid);
	free(trace);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- filters: another VM's id keeps nothing of this one ----------------------- */

#define F_CPUID		200

GUEST_CODE static void guest_filter(void)
{
	uint32_t a, b, c, d;
	unsigned int i;

	for (i = 0; i < F_CPUID; i++)
		xt_cpuid(1, 0, &a, &b, &c, &d);
	GUEST_DONE();
}

TEST_F(xvcpu, filter_by_vm_id)
{
	struct xt_vcpu *va, *vb;
	struct xt_vm *a = xt_vm_create_with_vcpu(&va, guest_filter);
	struct xt_vm *b = xt_vm_create_with_vcpu(&vb, guest_filter);
	long ida = vm_id(a), idb = vm_id(b);
	char want[32];
	char *trace;

	ASSERT_GE(ida, 0);
	ASSERT_GE(idb, 0);
	ASSERT_NE(ida, idb);
	/* The id is the VM's, whichever fd asks, and stays. */
	ASSERT_EQ(ida, vm_id(a));
	tr_reset(_metadata);
	tr_enable(_metadata, "xvcpu_exit", idb);
	tr_enable(_metadata, "xvcpu_cpuid", idb);

	TEST_ASSERT_DONE(va);
	trace = tr_read(_metadata);
	EXPECT_EQ(0, tr_count(trace, "xvcpu_exit", NULL));
	EXPECT_EQ(0, tr_count(trace, "xvcpu_cpuid", NULL));
	free(trace);

	TEST_ASSERT_DONE(vb);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	snprintf(want, sizeof(want), "vm_id=%ld ", idb);
	EXPECT_EQ(F_CPUID, tr_count(trace, "xvcpu_cpuid", MUST(want, "function=0x1 ")));
	EXPECT_EQ(F_CPUID, tr_count(trace, "xvcpu_exit", MUST(want, EXIT_CPUID)));
	snprintf(want, sizeof(want), "vm_id=%ld ", ida);
	EXPECT_EQ(0, tr_count(trace, "xvcpu_exit", MUST(want)));
	free(trace);
	tr_reset(_metadata);
	xt_vm_destroy(b);
	xt_vm_destroy(a);
}

/* ---- register diff --------------------------------------------------------------- */

static volatile int regs_diff_stop;

/*
 * Exit A (CPUID 0x40000000: EAX = 0x40000000 after it, RSI = 0), then
 * the guest changes exactly RAX and RSI and exits again at B, then C
 * exits right after B with nothing run in between.
 */
GUEST_CODE static void guest_regs_diff(void)
{
	do {
		GUEST_SYNC(1);
		asm volatile("xor %%esi, %%esi\n\t"
			     "xor %%ecx, %%ecx\n\t"
			     "mov $0x40000000, %%eax\n\t"
			     "cpuid\n\t"
			     ".globl regs_diff_a\n"
			     "regs_diff_a:\n\t"
			     "mov $0x1f, %%eax\n\t"
			     "mov $0x1234, %%esi\n\t"
			     ".globl regs_diff_b\n"
			     "regs_diff_b:\n\t"
			     "cpuid\n\t"
			     ".globl regs_diff_c\n"
			     "regs_diff_c:\n\t"
			     "cpuid\n\t"
			     : : : "rax", "rbx", "rcx", "rdx", "rsi", "memory");
		GUEST_SYNC(2);
	} while (!READ_ONCE(regs_diff_stop));
	GUEST_DONE();
}

/*
 * The regs_diff guests: run from their GUEST_SYNC(1) to their
 * GUEST_SYNC(2) with xvcpu_regs_diff and xvcpu_exit on, until exactly
 * @exits exits were traced (a host interrupt in between adds exits: up
 * to 5 tries). Returns the trace, for the caller to free().
 */
static char *regs_diff_run(struct __test_metadata *_metadata,
			   struct xt_vcpu *vcpu, long id, unsigned int exits)
{
	unsigned int attempt, n_exit = 0;
	char *trace = NULL;
	struct ucall uc;

	for (attempt = 0; attempt < 5; attempt++) {
		TEST_ASSERT_SYNC(vcpu, 1, &uc);
		ASSERT_EQ(0, tr_clear());
		tr_enable(_metadata, "xvcpu_regs_diff", id);
		tr_enable(_metadata, "xvcpu_exit", id);
		TEST_ASSERT_SYNC(vcpu, 2, &uc);
		ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
		free(trace);
		trace = tr_read(_metadata);
		n_exit = tr_count(trace, "xvcpu_exit", NULL);
		if (n_exit == exits)
			break;
		printf("# attempt %u: %u exits, not %u: again\n", attempt,
		       n_exit, exits);
	}
	ASSERT_EQ(exits, n_exit);
	return trace;
}

extern char regs_diff_a[], regs_diff_b[], regs_diff_c[];

TEST_F(xvcpu, regs_diff_exact)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_regs_diff);
	char want_b[256], want_c[128], line[1024];
	long id = vm_id(vm);
	struct tr_iter it;
	char *trace = NULL;

	trace_all(_metadata, vm);
	snprintf(want_b, sizeof(want_b),
		 "vm_id=%ld vcpu_id=0 rax 0x40000000 -> 0x1f rsi 0x0 -> 0x1234 rip 0x%lx -> 0x%lx",
		 id, (unsigned long)regs_diff_a, (unsigned long)regs_diff_b);
	snprintf(want_c, sizeof(want_c), "vm_id=%ld vcpu_id=0 unchanged", id);
	tr_reset(_metadata);
	/* A, B, C and the GUEST_SYNC(2). */
	trace = regs_diff_run(_metadata, vcpu, id, 4);
	/* A, B, C, and the GUEST_SYNC(2): one diff per exit. */
	EXPECT_EQ(4, tr_count(trace, "xvcpu_regs_diff", NULL));
	EXPECT_EQ(3, tr_count(trace, "xvcpu_exit", MUST(EXIT_CPUID)));
	it = (struct tr_iter){ .next = trace };
	while (tr_next(&it) && strcmp(it.event, "xvcpu_regs_diff"))
		;
	/* A: whatever the ucall left; B and C exactly. */
	ASSERT_TRUE(tr_next(&it));
	ASSERT_STREQ("xvcpu_exit", it.event);
	ASSERT_TRUE(tr_next(&it));
	ASSERT_STREQ("xvcpu_regs_diff", it.event);
	EXPECT_STREQ(want_b, it.text);
	ASSERT_TRUE(tr_next(&it));
	ASSERT_TRUE(tr_next(&it));
	ASSERT_STREQ("xvcpu_regs_diff", it.event);
	EXPECT_STREQ(want_c, it.text);
	printf("# %s\n", tr_first(trace, "xvcpu_regs_diff", "rax 0x40000000",
				  line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_regs_diff", "unchanged",
				  line, sizeof(line)));
	free(trace);
	regs_diff_stop = 1;
	TEST_ASSERT_DONE(vcpu);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- a failed VM entry ----------------------------------------------------------- */

GUEST_CODE static void guest_done(void)
{
	GUEST_DONE();
}

TEST_F(xvcpu, entry_failed_invalid_state)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_done);
	long id = vm_id(vm);
	struct xvcpu_sregs s;
	struct tr_iter it;
	char line[1024];
	char *trace;

	tr_reset(_metadata);
	/* CS.L and CS.D both set in IA-32e mode (xvcpu_run_test). */
	xt_vcpu_get_sregs(vcpu, &s);
	s.cs.db = 1;
	xt_vcpu_set_sregs(vcpu, &s);
	tr_enable(_metadata, "xvcpu_entry_failed", id);
	tr_enable(_metadata, "xvcpu_exit", id);
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_FAIL_ENTRY);
	ASSERT_EQ(0x80000021ULL,
		  vcpu->run->fail_entry.hardware_entry_failure_reason);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	EXPECT_EQ(1, tr_count(trace, "xvcpu_entry_failed", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_entry_failed",
			      MUST("hardware_reason=0x80000021 insn_error=0 qual=0x0 ")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_exit", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_exit",
			      MUST("reason=INVALID_STATE flags=0x8000 ",
				   "outcome=user")));
	it = (struct tr_iter){ .next = trace };
	while (tr_next(&it) && strcmp(it.event, "xvcpu_entry_failed"))
		;
	ASSERT_STREQ("xvcpu_entry_failed", it.event);
	/* The fields that explain it: CS.L (13) and CS.D (14), EFER.LMA, RIP. */
	EXPECT_EQ(0x6000, field(it.text, "cs_ar", 0) & 0x6000);
	EXPECT_EQ(EFER_LMA, field(it.text, "efer", 0) & EFER_LMA);
	EXPECT_EQ((uint64_t)guest_done, field(it.text, "rip", 0));
	EXPECT_EQ(0, field(it.text, "activity", ~0ULL));
	printf("# %s\n", tr_first(trace, "xvcpu_entry_failed", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_exit", NULL, line, sizeof(line)));
	free(trace);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- first touch of a page vs. CPUID: handle_ns -------------------------------- */

#define TOUCH_SLOT	XT_FIRST_TEST_SLOT
#define TOUCH_GPA	XT_TEST_GPA
#define TOUCH_PAGES	32

GUEST_CODE static void guest_touch(void)
{
	uint32_t a, b, c, d;
	unsigned int i;

	GUEST_SYNC(1);
	for (i = 0; i < TOUCH_PAGES; i++) {
		*(volatile uint8_t *)(TOUCH_GPA + i * XT_PAGE_SIZE) = i;
		xt_cpuid(0, 0, &a, &b, &c, &d);
	}
	GUEST_DONE();
}

TEST_F(xvcpu, ept_first_touch_slower_than_cpuid)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_touch);
	uint64_t ept_ns[TOUCH_PAGES], cpuid_ns[TOUCH_PAGES], gpa, m_ept, m_cpuid;
	unsigned int n_ept = 0, n_cpuid = 0, touched = 0;
	bool pending = false;
	long id = vm_id(vm);
	struct tr_iter it;
	struct ucall uc;
	char line[1024];
	char *trace;

	trace_all(_metadata, vm);
	xt_vm_add_slot(vm, TOUCH_SLOT, TOUCH_GPA, TOUCH_PAGES * XT_PAGE_SIZE, 0);
	tr_reset(_metadata);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	tr_enable(_metadata, "xvcpu_ept_violation", id);
	tr_enable(_metadata, "xvcpu_exit", id);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);

	/* Each page of the slot faulted in exactly once, and mapped. */
	it = (struct tr_iter){ .next = trace };
	while (tr_next(&it)) {
		if (!strcmp(it.event, "xvcpu_ept_violation")) {
			gpa = field(it.text, "gpa", 0);
			pending = gpa >= TOUCH_GPA &&
				  gpa < TOUCH_GPA + TOUCH_PAGES * XT_PAGE_SIZE;
			if (pending) {
				touched++;
				EXPECT_NE(NULL, strstr(it.text, "outcome=mapped"));
			}
		} else if (!strcmp(it.event, "xvcpu_exit")) {
			/* The exit event follows the handler's own event. */
			if (pending && strstr(it.text, EXIT_EPT) &&
			    n_ept < TOUCH_PAGES)
				ept_ns[n_ept++] = field(it.text, "handle_ns", 0);
			else if (strstr(it.text, EXIT_CPUID) &&
				 n_cpuid < TOUCH_PAGES)
				cpuid_ns[n_cpuid++] = field(it.text, "handle_ns", 0);
			pending = false;
		}
	}
	EXPECT_EQ(TOUCH_PAGES, touched);
	ASSERT_EQ(TOUCH_PAGES, n_ept);
	ASSERT_EQ(TOUCH_PAGES, n_cpuid);
	m_ept = median(ept_ns, n_ept);
	m_cpuid = median(cpuid_ns, n_cpuid);
	printf("# median handle_ns: first-touch EPT violation %llu, CPUID %llu\n",
	       (unsigned long long)m_ept, (unsigned long long)m_cpuid);
	printf("# %s\n", tr_first(trace, "xvcpu_ept_violation", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_exit", EXIT_EPT, line, sizeof(line)));
	EXPECT_GT(m_ept, m_cpuid);
	free(trace);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- the other detail events, field by field ------------------------------------ */

#define D_MSR_UNKNOWN	0x12345678
#define D_HC_NR		0x77
#define D_MMIO_VALUE	0xcafef00dU

static volatile uint64_t d_gp_count;

GUEST_CODE static void d_gp_handler(struct xt_ex_regs *regs)
{
	d_gp_count++;
	regs->rip += 2;		/* the RDMSR */
}

GUEST_CODE static void guest_details(void)
{
	uint32_t lo = 0, hi = 0;
	uint64_t cr8;

	/* The first #GP: its delivery touches the IDT and GDT pages first. */
	asm volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(D_MSR_UNKNOWN) : "memory");
	GUEST_ASSERT_EQ(d_gp_count, 1);
	GUEST_SYNC(1);
	xt_wrmsr(MSR_TSC_AUX, 0x2a);
	GUEST_ASSERT_EQ(xt_rdmsr(MSR_TSC_AUX), 0x2a);
	asm volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(D_MSR_UNKNOWN) : "memory");
	GUEST_ASSERT_EQ(d_gp_count, 2);
	GUEST_ASSERT_EQ(xt_vmcall(D_HC_NR, 1, 2, 3, 4, 5), 0x99);
	*(volatile uint32_t *)XT_MMIO_GPA = D_MMIO_VALUE;
	asm volatile("mov %0, %%cr8" : : "r"(5ULL) : "memory");
	asm volatile("mov %%cr8, %0" : "=r"(cr8) : : "memory");
	GUEST_ASSERT_EQ(cr8, 5);
	asm volatile("mov %0, %%cr8" : : "r"(0ULL) : "memory");
	/* The debug port: handled in the kernel (Documentation/guest-events.rst). */
	xt_outb(0x80, 0x42);
	GUEST_DONE();
}

TEST_F(xvcpu, detail_events)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_details);
	struct xvcpu_run *run = vcpu->run;
	unsigned int reinject = 0, after_ept = 0;
	bool ept_mapped = false;
	long id = vm_id(vm);
	struct tr_iter it;
	struct ucall uc;
	char line[1024];
	char *trace;

	trace_all(_metadata, vm);
	xt_vm_install_handler(vm, X86_VEC_GP, d_gp_handler);
	tr_reset(_metadata);
	/*
	 * The first #GP: an EPT violation during its delivery (a page of the
	 * IDT or GDT not mapped yet) has it delivered again, as a reinjection.
	 */
	tr_enable(_metadata, "xvcpu_inject", id);
	tr_enable(_metadata, "xvcpu_ept_violation", id);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	EXPECT_EQ(1, tr_count(trace, "xvcpu_inject", MUST("source=exception")));
	it = (struct tr_iter){ .next = trace };
	while (tr_next(&it)) {
		if (!strcmp(it.event, "xvcpu_inject") &&
		    strstr(it.text, "source=reinject")) {
			reinject++;
			after_ept += ept_mapped;
			EXPECT_NE(NULL, strstr(it.text, "vector=13 type=hard_exception has_error=1 error_code=0x0"));
		}
		ept_mapped = !strcmp(it.event, "xvcpu_ept_violation") &&
			     strstr(it.text, "outcome=mapped");
	}
	EXPECT_GE(reinject, 1);
	EXPECT_EQ(reinject, after_ept);
	printf("# first #GP: %u redeliveries, each after an EPT violation\n",
	       reinject);
	printf("# %s\n", tr_first(trace, "xvcpu_inject", "source=reinject",
				  line, sizeof(line)));
	free(trace);

	ASSERT_EQ(0, tr_clear());
	tr_enable(_metadata, "xvcpu_msr", id);
	tr_enable(_metadata, "xvcpu_inject", id);
	tr_enable(_metadata, "xvcpu_entry", id);
	tr_enable(_metadata, "xvcpu_hypercall", id);
	tr_enable(_metadata, "xvcpu_mmio", id);
	tr_enable(_metadata, "xvcpu_ept_violation", id);
	tr_enable(_metadata, "xvcpu_cr", id);
	tr_enable(_metadata, "xvcpu_io", id);
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HYPERCALL);
	run->hypercall.ret = 0x99;
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_MMIO);
	ASSERT_EQ(XT_MMIO_GPA, run->mmio.phys_addr);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);

	EXPECT_EQ(3, tr_count(trace, "xvcpu_msr", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_msr",
			      MUST("wrmsr index=0xc0000103 data=0x2a outcome=emulated")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_msr",
			      MUST("rdmsr index=0xc0000103 data=0x2a outcome=emulated")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_msr",
			      MUST("rdmsr index=0x12345678 data=0x0 outcome=gp")));
	/* The #GP: new (not redelivered), with its error code, once. */
	EXPECT_EQ(1, tr_count(trace, "xvcpu_inject", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_inject",
			      MUST("vector=13 type=hard_exception has_error=1 error_code=0x0 source=exception")));
	/* ... and the entry that carried it: valid, error code, type 3, 13. */
	EXPECT_EQ(1, tr_count(trace, "xvcpu_entry", MUST("inj_info=0x80000b0d ")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_hypercall", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_hypercall",
			      MUST("nr=0x77 args=0x1,0x2,0x3,0x4,0x5 cpl=0")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_mmio", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_mmio",
			      MUST("write gpa=0xc0000000 len=4 data=0xcafef00d")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_ept_violation",
			      MUST("gpa=0xc0000000 ", "outcome=mmio")));
	EXPECT_EQ(3, tr_count(trace, "xvcpu_cr", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_cr",
			      MUST("cr=8 access=write value=0x5 outcome=done")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_cr",
			      MUST("cr=8 access=read value=0x5 outcome=done")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_cr",
			      MUST("cr=8 access=write value=0x0 outcome=done")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_io", MUST("port=0x80 ")));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_io",
			      MUST("dir=out port=0x80 size=1 string=0 rep=0 count=1 data=0x42 handled=kernel")));
	printf("# %s\n", tr_first(trace, "xvcpu_msr", "outcome=gp", line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_inject", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_hypercall", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_mmio", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_cr", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_io", "port=0x80 ", line, sizeof(line)));
	free(trace);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- VM and vCPU life cycle --------------------------------------------------------- */

TEST_F(xvcpu, vm_lifecycle_events)
{
	struct xt_vm *vm;
	char want[64], line[1024];
	char *trace;
	long id;

	tr_reset(_metadata);
	tr_enable(_metadata, "xvcpu_vm_create", -1);
	tr_enable(_metadata, "xvcpu_vm_destroy", -1);
	tr_enable(_metadata, "xvcpu_vcpu_create", -1);
	vm = xt_vm_create();
	id = vm_id(vm);
	ASSERT_GE(id, 0);
	xt_vcpu_add(vm, 0);
	xt_vcpu_add(vm, 3);
	/* A vCPU id taken already creates nothing. */
	ASSERT_EQ(-1, __xt_vcpu_create(vm, 3));
	ASSERT_EQ(EEXIST, errno);
	xt_vm_destroy(vm);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);

	snprintf(want, sizeof(want), "vm_id=%ld pid=%d", id, getpid());
	EXPECT_EQ(1, tr_count(trace, "xvcpu_vm_create", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_vm_create", MUST(want)));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_vm_destroy", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_vm_destroy", MUST(want)));
	EXPECT_EQ(2, tr_count(trace, "xvcpu_vcpu_create", NULL));
	snprintf(want, sizeof(want), "vm_id=%ld vcpu_id=0", id);
	EXPECT_EQ(1, tr_count(trace, "xvcpu_vcpu_create", MUST(want)));
	snprintf(want, sizeof(want), "vm_id=%ld vcpu_id=3", id);
	EXPECT_EQ(1, tr_count(trace, "xvcpu_vcpu_create", MUST(want)));
	printf("# %s\n", tr_first(trace, "xvcpu_vm_create", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_vcpu_create", NULL, line, sizeof(line)));
	printf("# %s\n", tr_first(trace, "xvcpu_vm_destroy", NULL, line, sizeof(line)));
	free(trace);
	tr_reset(_metadata);
}

/* The id ioctl takes no argument. */
TEST_F(xvcpu, get_vm_id_argument)
{
	struct xt_vm *vm = xt_vm_create();

	ASSERT_GE(__vm_ioctl(vm, XVCPU_GET_VM_ID, 0), 0);
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_GET_VM_ID, 1));
	ASSERT_EQ(EINVAL, errno);
	xt_vm_destroy(vm);
}

/* ---- sampling: 1 in N, off, all, the module parameter's default ------------------ */

#define S_OUT		1000
#define S_EVERY		100
#define S_CPUID		100
#define S_FEW_OUT	5

GUEST_CODE static void guest_sample(void)
{
	uint32_t a, b, c, d;
	unsigned int i;

	GUEST_SYNC(1);
	for (i = 0; i < S_OUT; i++)
		xt_outb(USER_PORT, i);
	GUEST_SYNC(2);
	for (i = 0; i < S_CPUID; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	for (i = 0; i < S_FEW_OUT; i++)
		xt_outb(USER_PORT, i);
	GUEST_SYNC(3);
	for (i = 0; i < S_CPUID; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_DONE();
}

/* The OUTs to USER_PORT up to the next ucall, each a return to user space. */
static void run_outs(struct __test_metadata *_metadata, struct xt_vcpu *vcpu,
		     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		ASSERT_EQ(USER_PORT, vcpu->run->io.port);
	}
}

/*
 * I/O at 1 in 100: of the S_OUT OUTs and the GUEST_SYNC(2) ucall (both
 * I/O exits), the 100th, 200th, ... are traced, xvcpu_exit with its
 * xvcpu_io; the stats count every exit, traced + sampled out = exits.
 * Then CPUID off: no CPUID event while the OUTs still trace; and all
 * again: every CPUID exit with its xvcpu_cpuid.
 */
TEST_F(xvcpu, sampling_every_off_all)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_sample);
	static const char *const evs[] = {
		"xvcpu_exit", "xvcpu_io", "xvcpu_cpuid",
	};
	uint64_t e0, t0, s0, e1, t1, s1, c0, cs0;
	long id = vm_id(vm);
	unsigned int i, n_exit, n_io;
	struct ucall uc;
	char *trace;

	ASSERT_GE(id, 0);
	trace_all(_metadata, vm);
	ASSERT_EQ(0, set_policy(vm, EXIT_REASON_IO_INSTRUCTION,
				XVCPU_TRACE_EVERY, S_EVERY));
	tr_reset(_metadata);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	e0 = xt_vcpu_stat(vcpu, "exits_IO_INSTRUCTION");
	t0 = xt_vcpu_stat(vcpu, "traced_IO_INSTRUCTION");
	s0 = xt_vcpu_stat(vcpu, "sampled_out_IO_INSTRUCTION");
	for (i = 0; i < XT_ARRAY_SIZE(evs); i++)
		tr_enable(_metadata, evs[i], id);
	run_outs(_metadata, vcpu, S_OUT);
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	e1 = xt_vcpu_stat(vcpu, "exits_IO_INSTRUCTION") - e0;
	t1 = xt_vcpu_stat(vcpu, "traced_IO_INSTRUCTION") - t0;
	s1 = xt_vcpu_stat(vcpu, "sampled_out_IO_INSTRUCTION") - s0;
	n_exit = tr_count(trace, "xvcpu_exit", MUST(EXIT_IO));
	n_io = tr_count(trace, "xvcpu_io", NULL);
	printf("# I/O every %u: %llu I/O exits, %u xvcpu_exit IO, %u xvcpu_io, stats traced %llu sampled_out %llu\n",
	       S_EVERY, (unsigned long long)e1, n_exit, n_io,
	       (unsigned long long)t1, (unsigned long long)s1);
	/* All S_OUT + 1 counted; exactly the 100th, 200th, ... traced. */
	EXPECT_EQ(S_OUT + 1, e1);
	EXPECT_EQ((S_OUT + 1) / S_EVERY, n_exit);
	EXPECT_EQ(n_exit, n_io);
	EXPECT_EQ(n_exit, tr_count(trace, "xvcpu_exit", NULL));
	EXPECT_EQ(n_exit, t1);
	EXPECT_EQ(e1, t1 + s1);
	free(trace);

	/* CPUID off: nothing of its exits; the OUTs are traced (all). */
	ASSERT_EQ(0, set_policy(vm, EXIT_REASON_IO_INSTRUCTION,
				XVCPU_TRACE_ALL, 0));
	ASSERT_EQ(0, set_policy(vm, EXIT_REASON_CPUID, XVCPU_TRACE_OFF, 0));
	ASSERT_EQ(0, tr_clear());
	c0 = xt_vcpu_stat(vcpu, "exits_CPUID");
	cs0 = xt_vcpu_stat(vcpu, "sampled_out_CPUID");
	for (i = 0; i < XT_ARRAY_SIZE(evs); i++)
		tr_enable(_metadata, evs[i], id);
	run_outs(_metadata, vcpu, S_FEW_OUT);
	TEST_ASSERT_SYNC(vcpu, 3, &uc);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	EXPECT_EQ(0, tr_count(trace, "xvcpu_exit", MUST(EXIT_CPUID)));
	EXPECT_EQ(0, tr_count(trace, "xvcpu_cpuid", NULL));
	EXPECT_EQ(S_FEW_OUT + 1, tr_count(trace, "xvcpu_exit", MUST(EXIT_IO)));
	EXPECT_EQ(S_FEW_OUT + 1, tr_count(trace, "xvcpu_io", NULL));
	EXPECT_EQ(S_CPUID, xt_vcpu_stat(vcpu, "exits_CPUID") - c0);
	EXPECT_EQ(S_CPUID, xt_vcpu_stat(vcpu, "sampled_out_CPUID") - cs0);
	free(trace);

	/* All again. */
	ASSERT_EQ(0, set_policy(vm, EXIT_REASON_CPUID, XVCPU_TRACE_ALL, 0));
	ASSERT_EQ(0, tr_clear());
	for (i = 0; i < XT_ARRAY_SIZE(evs); i++)
		tr_enable(_metadata, evs[i], id);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	EXPECT_EQ(S_CPUID, tr_count(trace, "xvcpu_exit", MUST(EXIT_CPUID)));
	EXPECT_EQ(S_CPUID, tr_count(trace, "xvcpu_cpuid", NULL));
	EXPECT_EQ(1, tr_count(trace, "xvcpu_exit", MUST(EXIT_IO)));
	free(trace);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- triggered sampling (XVCPU_TRACE_TRIGGERED, XVCPU_TRACE_TRIGGER) ---------- */

#define T_BELOW		200	/* CPUIDs, one under the rate */
#define T_ON		150	/* CPUIDs inside an explicit trigger's window */
#define T_AFTER		100	/* CPUIDs after a 1 ms window */
#define T_RATE		50	/* the 50th CPUID in a second turns it on */
#define T_HOT		300	/* CPUIDs of the hot phase */

GUEST_CODE static void guest_triggered(void)
{
	uint32_t a, b, c, d;
	unsigned int i;

	GUEST_SYNC(1);
	for (i = 0; i < T_BELOW; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_SYNC(2);
	for (i = 0; i < T_ON; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_SYNC(3);
	for (i = 0; i < T_AFTER; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_SYNC(4);
	for (i = 0; i < T_HOT; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_DONE();
}

static int set_triggered(struct xt_vm *vm, uint32_t reason, uint32_t rate,
			 uint32_t window_ms)
{
	struct xvcpu_trace_policy p = {
		.reason = reason, .mode = XVCPU_TRACE_TRIGGERED,
		.rate = rate, .window_ms = window_ms,
	};

	return __vm_ioctl(vm, XVCPU_SET_TRACE_POLICY, &p);
}

static int trigger(struct xt_vm *vm, uint32_t reason, uint32_t window_ms)
{
	struct xvcpu_trace_trigger t = {
		.reason = reason, .window_ms = window_ms,
	};

	return __vm_ioctl(vm, XVCPU_TRACE_TRIGGER, &t);
}

/* Run to the next ucall and count the CPUID exits traced on the way. */
static unsigned int cpuid_traced_until_sync(struct __test_metadata *_metadata,
					    struct xt_vcpu *vcpu, long id,
					    uint64_t sync, uint64_t *traced,
					    uint64_t *sampled_out)
{
	uint64_t t0 = xt_vcpu_stat(vcpu, "traced_CPUID");
	uint64_t s0 = xt_vcpu_stat(vcpu, "sampled_out_CPUID");
	struct ucall uc;
	unsigned int n;
	char *trace;

	EXPECT_EQ(0, tr_clear());
	tr_enable(_metadata, "xvcpu_exit", id);
	tr_enable(_metadata, "xvcpu_cpuid", id);
	TEST_ASSERT_SYNC(vcpu, sync, &uc);
	EXPECT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	n = tr_count(trace, "xvcpu_exit", MUST(EXIT_CPUID));
	/* The detail event comes with its exit, always. */
	EXPECT_EQ(n, tr_count(trace, "xvcpu_cpuid", NULL));
	free(trace);
	*traced = xt_vcpu_stat(vcpu, "traced_CPUID") - t0;
	*sampled_out = xt_vcpu_stat(vcpu, "sampled_out_CPUID") - s0;
	return n;
}

/*
 * CPUID triggered: below its rate (200 exits, rate 201/s) silent; on for
 * an explicit trigger's window (all 150 traced); off again after a 1 ms
 * window; and by rate (50/s): the 50th CPUID opens the window, so of 300
 * exactly 251 are traced and 49 sampled out. Stats agree with tracefs.
 */
TEST_F(xvcpu, sampling_triggered)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_triggered);
	uint64_t t, so;
	long id = vm_id(vm);
	struct ucall uc;
	unsigned int n;
	char *trace;

	ASSERT_GE(id, 0);
	ASSERT_EQ(1, ioctl(vm->sys_fd, XVCPU_CHECK_CAP,
			    (unsigned long)XVCPU_CAP_TRACE_TRIGGERED));
	trace_all(_metadata, vm);
	tr_reset(_metadata);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);

	/* Not triggered yet: TRIGGER has nothing to turn on. */
	ASSERT_EQ(-1, trigger(vm, EXIT_REASON_CPUID, 0));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, trigger(vm, XVCPU_TRACE_REASON_ALL, 0));
	ASSERT_EQ(ENOENT, errno);

	/* Below the rate: silent, every exit counted as sampled out. */
	ASSERT_EQ(0, set_triggered(vm, EXIT_REASON_CPUID, T_BELOW + 1, 60000));
	n = cpuid_traced_until_sync(_metadata, vcpu, id, 2, &t, &so);
	printf("# below the rate: %u of %u traced (stats traced %llu, sampled out %llu)\n",
	       n, T_BELOW, (unsigned long long)t, (unsigned long long)so);
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, t);
	EXPECT_EQ(T_BELOW, so);

	/* An explicit trigger: every exit of its window traced. */
	ASSERT_EQ(0, trigger(vm, EXIT_REASON_CPUID, 60000));
	n = cpuid_traced_until_sync(_metadata, vcpu, id, 3, &t, &so);
	printf("# explicit trigger, 60 s window: %u of %u traced\n", n, T_ON);
	EXPECT_EQ(T_ON, n);
	EXPECT_EQ(T_ON, t);
	EXPECT_EQ(0, so);

	/* A 1 ms window, long past when the guest runs again: off. */
	ASSERT_EQ(0, set_triggered(vm, EXIT_REASON_CPUID, 0, 1000));
	ASSERT_EQ(0, trigger(vm, XVCPU_TRACE_REASON_ALL, 1));
	usleep(100 * 1000);
	n = cpuid_traced_until_sync(_metadata, vcpu, id, 4, &t, &so);
	printf("# after a 1 ms window: %u of %u traced\n", n, T_AFTER);
	EXPECT_EQ(0, n);
	EXPECT_EQ(T_AFTER, so);

	/* By rate: the T_RATE-th exit within a second opens the window. */
	ASSERT_EQ(0, set_triggered(vm, EXIT_REASON_CPUID, T_RATE, 60000));
	EXPECT_EQ(0, tr_clear());
	tr_enable(_metadata, "xvcpu_exit", id);
	t = xt_vcpu_stat(vcpu, "traced_CPUID");
	so = xt_vcpu_stat(vcpu, "sampled_out_CPUID");
	TEST_ASSERT_DONE(vcpu);
	EXPECT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	n = tr_count(trace, "xvcpu_exit", MUST(EXIT_CPUID));
	free(trace);
	t = xt_vcpu_stat(vcpu, "traced_CPUID") - t;
	so = xt_vcpu_stat(vcpu, "sampled_out_CPUID") - so;
	printf("# rate %u/s: %u of %u traced (stats traced %llu, sampled out %llu)\n",
	       T_RATE, n, T_HOT, (unsigned long long)t, (unsigned long long)so);
	EXPECT_EQ(T_HOT - (T_RATE - 1), n);
	EXPECT_EQ(n, t);
	EXPECT_EQ(T_RATE - 1, so);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* Bad triggered policies and triggers: EINVAL, and nothing changes. */
TEST_F(xvcpu, sampling_triggered_einval)
{
	struct xt_vm *vm = xt_vm_create();
	struct xvcpu_trace_policy p;
	struct xvcpu_trace_trigger t;
	unsigned int i;

	ASSERT_EQ(0, set_triggered(vm, EXIT_REASON_CPUID, 0, 1));
	ASSERT_EQ(0, set_triggered(vm, EXIT_REASON_CPUID, 0xffffffff,
				   XVCPU_TRACE_WINDOW_MAX_MS));
	ASSERT_EQ(0, set_triggered(vm, XVCPU_TRACE_REASON_ALL, 10, 10));
	/* Window 0 or too long; rate or window with another mode. */
	ASSERT_EQ(-1, set_triggered(vm, EXIT_REASON_CPUID, 10, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, set_triggered(vm, EXIT_REASON_CPUID, 10,
				    XVCPU_TRACE_WINDOW_MAX_MS + 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, set_triggered(vm, XVCPU_TRACE_REASONS, 10, 10));
	ASSERT_EQ(EINVAL, errno);
	memset(&p, 0, sizeof(p));
	p.reason = EXIT_REASON_CPUID;
	p.mode = XVCPU_TRACE_ALL;
	p.rate = 1;
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_SET_TRACE_POLICY, &p));
	ASSERT_EQ(EINVAL, errno);
	p.rate = 0;
	p.mode = XVCPU_TRACE_EVERY;
	p.every = 2;
	p.window_ms = 5;
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_SET_TRACE_POLICY, &p));
	ASSERT_EQ(EINVAL, errno);
	p.mode = XVCPU_TRACE_TRIGGERED;
	p.every = 2;
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_SET_TRACE_POLICY, &p));
	ASSERT_EQ(EINVAL, errno);

	/* Triggers: range, window, reserved; a reason not triggered. */
	ASSERT_EQ(0, trigger(vm, EXIT_REASON_CPUID, 0));
	ASSERT_EQ(0, trigger(vm, XVCPU_TRACE_REASON_ALL, 5));
	ASSERT_EQ(-1, trigger(vm, XVCPU_TRACE_REASONS, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, trigger(vm, EXIT_REASON_CPUID, XVCPU_TRACE_WINDOW_MAX_MS + 1));
	ASSERT_EQ(EINVAL, errno);
	for (i = 0; i < XT_ARRAY_SIZE(t.reserved); i++) {
		memset(&t, 0, sizeof(t));
		t.reason = EXIT_REASON_CPUID;
		t.reserved[i] = 1;
		ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_TRACE_TRIGGER, &t));
		ASSERT_EQ(EINVAL, errno) TH_LOG("reserved[%u]", i);
	}
	ASSERT_EQ(0, set_policy(vm, EXIT_REASON_CPUID, XVCPU_TRACE_ALL, 0));
	ASSERT_EQ(-1, trigger(vm, EXIT_REASON_CPUID, 0));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(16, sizeof(t));
	xt_vm_destroy(vm);
}

/* Bad policies: EINVAL, and the policy stays as it was. */
TEST_F(xvcpu, sampling_policy_einval)
{
	struct xt_vm *vm = xt_vm_create();
	struct xvcpu_trace_policy p;
	unsigned int i;

	ASSERT_EQ(0, set_policy(vm, XVCPU_TRACE_REASON_ALL, XVCPU_TRACE_ALL, 0));
	ASSERT_EQ(0, set_policy(vm, XVCPU_TRACE_REASON_ALL, XVCPU_TRACE_EVERY, 1));
	ASSERT_EQ(0, set_policy(vm, XVCPU_TRACE_REASONS - 1, XVCPU_TRACE_OFF, 0));
	ASSERT_EQ(0, set_policy(vm, 0, XVCPU_TRACE_EVERY, 0xffffffff));
	/* Unknown mode, reason out of range, N = 0, N without EVERY. */
	ASSERT_EQ(-1, set_policy(vm, EXIT_REASON_CPUID, 4, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, set_policy(vm, XVCPU_TRACE_REASONS, XVCPU_TRACE_ALL, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, set_policy(vm, 0xfffffffe, XVCPU_TRACE_ALL, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, set_policy(vm, EXIT_REASON_CPUID, XVCPU_TRACE_EVERY, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, set_policy(vm, EXIT_REASON_CPUID, XVCPU_TRACE_OFF, 2));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, set_policy(vm, EXIT_REASON_CPUID, XVCPU_TRACE_ALL, 1));
	ASSERT_EQ(EINVAL, errno);
	for (i = 0; i < XT_ARRAY_SIZE(p.reserved); i++) {
		memset(&p, 0, sizeof(p));
		p.reason = EXIT_REASON_CPUID;
		p.mode = XVCPU_TRACE_OFF;
		p.reserved[i] = 1;
		ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_SET_TRACE_POLICY, &p));
		ASSERT_EQ(EINVAL, errno) TH_LOG("reserved[%u]", i);
	}
	ASSERT_EQ(32, sizeof(p));
	xt_vm_destroy(vm);
}

#define PARAM	"/sys/module/xvcpu/parameters/trace_policy"
#define P_EVERY	7

/*
 * trace_policy= is the policy a VM starts with: a VM created after a
 * write has it (CPUID off, I/O 1 in 7), one created before keeps its own.
 * Bad values: EINVAL, the parameter unchanged. Restored at the end.
 */
TEST_F(xvcpu, sampling_module_parameter)
{
	static const char *const bad[] = {
		"CPUID:every0", "NO_SUCH_REASON:all", "CPUID", "CPUID:sometimes",
		"76:all", "CPUID:every", "CPUID:every-1", "*:", "defaults",
		"CPUID:triggered/0", "CPUID:triggered5/3600001",
		"CPUID:triggeredx", "CPUID:triggered5/", "CPUID:trigger",
	};
	char saved[1100], now[1100];
	struct xt_vcpu *vcpu, *ovcpu;
	struct xt_vm *old, *vm;
	unsigned int i;
	struct ucall uc;
	char *trace;
	long id;

	ASSERT_GT(xt_read_file(PARAM, saved, sizeof(saved)), 0);
	printf("# trace_policy was: %s", saved);
	old = xt_vm_create_with_vcpu(&ovcpu, guest_sample);
	ASSERT_EQ(0, xt_write_file(PARAM, "EPT_VIOLATION:triggered,CPUID:triggered0/3600000,*:triggered500/20"));
	ASSERT_EQ(0, xt_write_file(PARAM, "default, CPUID:off,IO_INSTRUCTION:every7"));
	ASSERT_GT(xt_read_file(PARAM, now, sizeof(now)), 0);
	EXPECT_STREQ("default, CPUID:off,IO_INSTRUCTION:every7\n", now);
	for (i = 0; i < XT_ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, xt_write_file(PARAM, bad[i])) TH_LOG("%s", bad[i]);
		ASSERT_GT(xt_read_file(PARAM, now, sizeof(now)), 0);
		EXPECT_STREQ("default, CPUID:off,IO_INSTRUCTION:every7\n", now);
	}

	vm = xt_vm_create_with_vcpu(&vcpu, guest_sample);
	id = vm_id(vm);
	ASSERT_GE(id, 0);
	tr_reset(_metadata);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	tr_enable(_metadata, "xvcpu_exit", id);
	tr_enable(_metadata, "xvcpu_cpuid", id);
	run_outs(_metadata, vcpu, S_OUT);
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	run_outs(_metadata, vcpu, S_FEW_OUT);
	TEST_ASSERT_SYNC(vcpu, 3, &uc);
	ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	trace = tr_read(_metadata);
	/* S_OUT + S_FEW_OUT OUTs and two ucalls, 1 in 7 traced. */
	EXPECT_EQ((S_OUT + S_FEW_OUT + 2) / P_EVERY,
		  tr_count(trace, "xvcpu_exit", MUST(EXIT_IO)));
	EXPECT_EQ(0, tr_count(trace, "xvcpu_exit", MUST(EXIT_CPUID)));
	EXPECT_EQ(0, tr_count(trace, "xvcpu_cpuid", NULL));
	free(trace);
	xt_vm_destroy(vm);

	/* The VM created before the write kept the seed default: CPUID all. */
	if (!strcmp(saved, "default\n")) {
		id = vm_id(old);
		ASSERT_EQ(0, tr_clear());
		TEST_ASSERT_SYNC(ovcpu, 1, &uc);
		run_outs(_metadata, ovcpu, S_OUT);
		TEST_ASSERT_SYNC(ovcpu, 2, &uc);
		tr_enable(_metadata, "xvcpu_exit", id);
		tr_enable(_metadata, "xvcpu_cpuid", id);
		run_outs(_metadata, ovcpu, S_FEW_OUT);
		TEST_ASSERT_SYNC(ovcpu, 3, &uc);
		ASSERT_EQ(0, tr_write("events/xvcpu/enable", "0"));
		trace = tr_read(_metadata);
		EXPECT_EQ(S_CPUID, tr_count(trace, "xvcpu_exit",
					    MUST(EXIT_CPUID)));
		EXPECT_EQ(S_CPUID, tr_count(trace, "xvcpu_cpuid", NULL));
		/* S_FEW_OUT + 1 traced-loop I/O exits at 1 in 100: none traced. */
		EXPECT_EQ(0, tr_count(trace, "xvcpu_exit", MUST(EXIT_IO)));
		free(trace);
	}
	xt_vm_destroy(old);

	ASSERT_EQ(0, xt_write_file(PARAM, saved));
	ASSERT_GT(xt_read_file(PARAM, now, sizeof(now)), 0);
	EXPECT_STREQ(saved, now);
	tr_reset(_metadata);
}

/* ---- register diff past the print format's slots -------------------------------- */
static volatile int regs_diff_many_stop;

/*
 * Fifteen registers changed between two CPUID exits, E and F: RAX, RCX,
 * RDX, RBX (from E's CPUID output to 0x11, 0x22, 0x33, 0x44), RSI, RDI,
 * R8-R15 (from 0 to 9, 10, 1-8) and RIP. The first fourteen fill the
 * slots of the print format, RIP comes after them by name ("+rip").
 */
GUEST_CODE static void guest_regs_diff_many(void)
{
	do {
		GUEST_SYNC(1);
		asm volatile("xor %%esi, %%esi\n\t"
			     "xor %%edi, %%edi\n\t"
			     "xor %%r8d, %%r8d\n\t"
			     "xor %%r9d, %%r9d\n\t"
			     "xor %%r10d, %%r10d\n\t"
			     "xor %%r11d, %%r11d\n\t"
			     "xor %%r12d, %%r12d\n\t"
			     "xor %%r13d, %%r13d\n\t"
			     "xor %%r14d, %%r14d\n\t"
			     "xor %%r15d, %%r15d\n\t"
			     "xor %%ecx, %%ecx\n\t"
			     "mov $0x40000000, %%eax\n\t"
			     "cpuid\n\t"
			     ".globl regs_diff_e\n"
			     "regs_diff_e:\n\t"
			     "mov $0x11, %%eax\n\t"
			     "mov $0x22, %%ecx\n\t"
			     "mov $0x33, %%edx\n\t"
			     "mov $0x44, %%ebx\n\t"
			     "mov $9, %%esi\n\t"
			     "mov $10, %%edi\n\t"
			     "mov $1, %%r8d\n\t"
			     "mov $2, %%r9d\n\t"
			     "mov $3, %%r10d\n\t"
			     "mov $4, %%r11d\n\t"
			     "mov $5, %%r12d\n\t"
			     "mov $6, %%r13d\n\t"
			     "mov $7, %%r14d\n\t"
			     "mov $8, %%r15d\n\t"
			     ".globl regs_diff_f\n"
			     "regs_diff_f:\n\t"
			     "cpuid\n\t"
			     : : : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8",
			       "r9", "r10", "r11", "r12", "r13", "r14", "r15",
			       "memory");
		GUEST_SYNC(2);
	} while (!READ_ONCE(regs_diff_many_stop));
	GUEST_DONE();
}

extern char regs_diff_e[], regs_diff_f[];

TEST_F(xvcpu, regs_diff_past_the_slots)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_regs_diff_many);
	unsigned int a, b, c;
	char want[512], head[128], line[1024];
	int end = -1;
	long id = vm_id(vm);
	char *trace;
	const char *p;

	trace_all(_metadata, vm);
	snprintf(want, sizeof(want),
		 " -> 0x11 rcx 0x%%x -> 0x22 rdx 0x%%x -> 0x33 rbx 0x%%x -> 0x44 rsi 0x0 -> 0x9 rdi 0x0 -> 0xa r8 0x0 -> 0x1 r9 0x0 -> 0x2 r10 0x0 -> 0x3 r11 0x0 -> 0x4 r12 0x0 -> 0x5 r13 0x0 -> 0x6 r14 0x0 -> 0x7 r15 0x0 -> 0x8 +rip%%n");
	tr_reset(_metadata);
	/* E, F and the GUEST_SYNC(2). */
	trace = regs_diff_run(_metadata, vcpu, id, 3);
	tr_first(trace, "xvcpu_regs_diff", "r14 0x0 -> 0x7", line, sizeof(line));
	printf("# %s\n", line);
	ASSERT_NE(0, line[0]);
	snprintf(head, sizeof(head), "xvcpu_regs_diff: vm_id=%ld vcpu_id=0 rax 0x",
		 id);
	EXPECT_EQ(0, strncmp(line, head, strlen(head)));
	/* The old values of RAX..RBX are E's CPUID output: any. */
	p = strstr(line, " -> 0x11 rcx 0x");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(3, sscanf(p, want, &a, &b, &c, &end)) TH_LOG("%s", p);
	EXPECT_EQ(strlen(p), (size_t)end) TH_LOG("%s", p);
	free(trace);
	regs_diff_many_stop = 1;
	TEST_ASSERT_DONE(vcpu);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

/* ---- recheck flags while vCPUs come and go ------------------------------------ */

#define R_CPUID		50000

GUEST_CODE static void guest_recheck(void)
{
	uint32_t a, b, c, d;
	unsigned int i;

	for (i = 0; i < R_CPUID; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	GUEST_DONE();
}

struct recheck_churn {
	struct xt_vm *vm;
	volatile int stop;
	unsigned int cycles, policies, errors;
};

/*
 * Other vCPUs created and released, and policy changes (each sets every
 * vCPU's recheck flag), while vCPU 0 runs.
 */
static void *recheck_churn_fn(void *arg)
{
	struct recheck_churn *c = arg;
	int fd;

	while (!READ_ONCE(c->stop)) {
		fd = __xt_vcpu_create(c->vm, 1 + c->cycles % 8);
		if (fd < 0)
			c->errors++;
		else
			close(fd);
		if (c->cycles & 1 ?
		    set_policy(c->vm, EXIT_REASON_HLT, XVCPU_TRACE_ALL, 0) :
		    set_policy(c->vm, EXIT_REASON_HLT, XVCPU_TRACE_EVERY, 2))
			c->errors++;
		else
			c->policies++;
		c->cycles++;
	}
	return NULL;
}

/*
 * A vCPU opening triggered windows (CPUID at rate 1/s, 1 ms windows)
 * sets every vCPU's recheck flag from its run loop, through RCU, while
 * another thread creates and releases vCPUs and changes the policy:
 * nothing is lost (each CPUID exit decided exactly once: traced +
 * sampled out = exits) and nothing breaks (the kernel log stays clean;
 * KASAN in the debug VM, XVCPU_DEBUG_TESTS).
 */
TEST_F(xvcpu, recheck_while_vcpus_come_and_go)
{
	struct recheck_churn churn = { 0 };
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_recheck);
	uint64_t t0, s0, t, so;
	long id = vm_id(vm);
	pthread_t th;

	ASSERT_GE(id, 0);
	trace_all(_metadata, vm);
	ASSERT_EQ(0, set_triggered(vm, EXIT_REASON_CPUID, 1, 1));
	tr_reset(_metadata);
	tr_enable(_metadata, "xvcpu_exit", id);
	t0 = xt_vcpu_stat(vcpu, "traced_CPUID");
	s0 = xt_vcpu_stat(vcpu, "sampled_out_CPUID");
	churn.vm = vm;
	ASSERT_EQ(0, pthread_create(&th, NULL, recheck_churn_fn, &churn));
	TEST_ASSERT_DONE(vcpu);
	WRITE_ONCE(churn.stop, 1);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, tr_write("events/xvcpu/enable", "0"));
	t = xt_vcpu_stat(vcpu, "traced_CPUID") - t0;
	so = xt_vcpu_stat(vcpu, "sampled_out_CPUID") - s0;
	printf("# %u vCPU create/release cycles, %u policy changes during %u CPUID exits: traced %llu, sampled out %llu\n",
	       churn.cycles, churn.policies, R_CPUID, (unsigned long long)t,
	       (unsigned long long)so);
	EXPECT_EQ(0U, churn.errors);
	EXPECT_GT(churn.cycles, 0U);
	EXPECT_EQ((uint64_t)R_CPUID, t + so);
	EXPECT_GT(t, 0ULL);
	tr_reset(_metadata);
	xt_vm_destroy(vm);
}

TEST_HARNESS_MAIN
