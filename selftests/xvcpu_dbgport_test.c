// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest tells the host about itself, handled in the kernel
 * (Documentation/guest-events.rst): the debug port 0x80 (its log,
 * XVCPU_GET_DEBUG_PORT_LOG, the xvcpu_debug_port tracepoint,
 * XVCPU_CAP_USER_DEBUG_PORT) and guest trace events (XVCPU_HC_TRACE,
 * the xvcpu_guest_event tracepoint, XVCPU_CAP_USER_TRACE_EVENTS). Guest code uses the guest header,
 * include/xvcpu_guest.h, as a guest would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

#include "../include/xvcpu_guest.h"

/* The guest header and the ABI header must say the same. */
_Static_assert(XVCPU_GUEST_DEBUG_PORT == XVCPU_DEBUG_PORT, "port");
_Static_assert(XVCPU_GUEST_HC_TRACE == XVCPU_HC_TRACE, "hypercall");
_Static_assert(XVCPU_GUEST_EPERM == XVCPU_HYPERCALL_EPERM, "EPERM");
_Static_assert(XVCPU_GUEST_EINVAL == XVCPU_HYPERCALL_EINVAL, "EINVAL");

#define TRACEFS		"/sys/kernel/tracing"
#define EV_DEBUG_PORT	"xvcpu_debug_port"
#define EV_GUEST	"xvcpu_guest_event"
#define HC_EINVAL	((uint64_t)-XVCPU_HYPERCALL_EINVAL)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- tracefs ------------------------------------------------------------------ */

static int event_enable(const char *event, bool on)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/events/xvcpu/%s/enable", event);
	return xt_write_file(path, on ? "1" : "0");
}

/* Empty the ring buffer (what `echo > trace` does: O_TRUNC). */
static int trace_clear(void)
{
	int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static char trace_buf[256 << 10];

/*
 * The lines of @event in the trace, each as the text after "@event: ",
 * into @lines (NULL-terminated, pointing into trace_buf). Returns how
 * many there were, or -errno.
 */
static int trace_lines(const char *event, char **lines, int max)
{
	char tag[64], *p, *nl;
	ssize_t len;
	int n = 0;

	len = xt_read_file(TRACEFS "/trace", trace_buf, sizeof(trace_buf));
	if (len < 0)
		return len;
	snprintf(tag, sizeof(tag), " %s: ", event);
	for (p = trace_buf; p && *p; p = nl ? nl + 1 : NULL) {
		char *hit;

		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		hit = strstr(p, tag);
		if (!hit)
			continue;
		if (n < max)
			lines[n] = hit + strlen(tag);
		n++;
	}
	if (n < max)
		lines[n] = NULL;
	return n;
}

/* The number after "@key " in a trace line, or ~0. */
static uint64_t field(const char *line, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "%s ", key);
	p = strstr(line, pat);
	return p ? strtoull(p + strlen(pat), NULL, 0) : ~0ULL;
}

#define ASSERT_TRACEFS()						\
	ASSERT_TRUE(xt_path_exists(TRACEFS "/events/xvcpu/" EV_DEBUG_PORT)) \
		TH_LOG("no " EV_DEBUG_PORT " in " TRACEFS)

/* ---- the debug-port log ----------------------------------------------------------- */

/* One code per component, both ends of each range, and repeats. */
static const uint8_t dp_codes[] = {
	0x00, 0x1f, 0x20, 0x3f, 0x40, 0x5f, 0x60, 0x7f, 0x80, 0xff,
	0x41, 0x41, 0x9c,
};
static const uint8_t dp_components[] = {
	XVCPU_DEBUG_PORT_FIRMWARE, XVCPU_DEBUG_PORT_FIRMWARE,
	XVCPU_DEBUG_PORT_BOOTLOADER, XVCPU_DEBUG_PORT_BOOTLOADER,
	XVCPU_DEBUG_PORT_KERNEL, XVCPU_DEBUG_PORT_KERNEL,
	XVCPU_DEBUG_PORT_USERSPACE, XVCPU_DEBUG_PORT_USERSPACE,
	XVCPU_DEBUG_PORT_CUSTOM, XVCPU_DEBUG_PORT_CUSTOM,
	XVCPU_DEBUG_PORT_KERNEL, XVCPU_DEBUG_PORT_KERNEL,
	XVCPU_DEBUG_PORT_CUSTOM,
};
static const char *const dp_names[] = {
	"firmware", "firmware", "bootloader", "bootloader", "kernel",
	"kernel", "userspace", "userspace", "custom", "custom", "kernel",
	"kernel", "custom",
};
#define K	XT_ARRAY_SIZE(dp_codes)
_Static_assert(XT_ARRAY_SIZE(dp_components) == K, "components");
_Static_assert(XT_ARRAY_SIZE(dp_names) == K, "names");

GUEST_CODE static void guest_codes(void)
{
	unsigned int i;

	for (i = 0; i < K; i++)
		xvcpu_debug_port(dp_codes[i]);
	GUEST_DONE();
}

static struct xvcpu_debug_port_log dp_log;

static int __get_log(struct xt_vm *vm, struct xvcpu_debug_port_log *log)
{
	memset(log, 0, sizeof(*log));
	return __vm_ioctl(vm, XVCPU_GET_DEBUG_PORT_LOG, log);
}

static void get_log(struct xt_vm *vm, struct xvcpu_debug_port_log *log)
{
	memset(log, 0, sizeof(*log));
	vm_ioctl(vm, XVCPU_GET_DEBUG_PORT_LOG, log);
}

/* RUN until GUEST_DONE; returns how many RUNs that took. */
static int run_to_done(struct xt_vcpu *vcpu)
{
	struct ucall uc;
	int runs = 0;

	for (;;) {
		runs++;
		if (xt_run_ucall(vcpu, &uc) == UCALL_DONE)
			return runs;
	}
}

/*
 * K codes from vCPU 3: no exit reaches user space but GUEST_DONE, the
 * log holds exactly those codes in order, with their components, vCPU
 * 3, and times that never go back and fit between VM creation and now.
 * Reading the log does not clear it.
 */
TEST_F(xvcpu, debug_port_log_in_kernel)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	uint64_t t0, t1;
	unsigned int i, pass;

	t0 = now_ns();
	vm = xt_vm_create_x86();
	vcpu = xt_vm_add_vcpu(vm, 3, guest_codes);
	ASSERT_EQ(1, run_to_done(vcpu));
	t1 = now_ns();
	/* The writes were VM exits all the same, handled in the kernel. */
	ASSERT_GE(vcpu->run->exit_count, K + 1);

	for (pass = 0; pass < 2; pass++) {
		get_log(vm, &dp_log);
		ASSERT_EQ(K, dp_log.total);
		ASSERT_EQ(K, dp_log.count);
		ASSERT_EQ(0, dp_log.flags);
		for (i = 0; i < K; i++) {
			const struct xvcpu_debug_port_entry *e = &dp_log.entries[i];

			ASSERT_EQ(dp_codes[i], e->code) TH_LOG("entry %u", i);
			ASSERT_EQ(dp_components[i], e->component) TH_LOG("entry %u", i);
			ASSERT_EQ(3, e->vcpu_id) TH_LOG("entry %u", i);
			ASSERT_EQ(0, e->reserved) TH_LOG("entry %u", i);
			if (i)
				ASSERT_LE(dp_log.entries[i - 1].ns, e->ns)
					TH_LOG("entry %u goes back in time", i);
		}
		ASSERT_GT(dp_log.entries[0].ns, 0);
		ASSERT_LE(dp_log.entries[K - 1].ns, t1 - t0);
		/* Nothing past count. */
		for (i = K; i < XVCPU_DEBUG_PORT_LOG_SIZE; i++)
			ASSERT_EQ(0, dp_log.entries[i].code | dp_log.entries[i].ns |
				     dp_log.entries[i].vcpu_id) TH_LOG("entry %u", i);
	}
	printf("# %zu codes from vCPU 3: first at %llu ns, last at %llu ns since VM creation\n",
	       K, (unsigned long long)dp_log.entries[0].ns,
	       (unsigned long long)dp_log.entries[K - 1].ns);
	fflush(stdout);
	xt_vm_destroy(vm);
}

#define MANY	300

GUEST_CODE static void guest_many_codes(void)
{
	unsigned int i;

	for (i = 0; i < MANY; i++)
		xvcpu_debug_port(i * 7);
	GUEST_DONE();
}

/* More writes than the log holds: the last 256, and the total. */
TEST_F(xvcpu, debug_port_log_keeps_last_256)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_many_codes);
	unsigned int i;

	ASSERT_EQ(1, run_to_done(vcpu));
	get_log(vm, &dp_log);
	ASSERT_EQ(MANY, dp_log.total);
	ASSERT_EQ(XVCPU_DEBUG_PORT_LOG_SIZE, dp_log.count);
	for (i = 0; i < XVCPU_DEBUG_PORT_LOG_SIZE; i++) {
		/* entries[i] is write number total - count + i. */
		uint8_t code = (MANY - XVCPU_DEBUG_PORT_LOG_SIZE + i) * 7;

		ASSERT_EQ(code, dp_log.entries[i].code) TH_LOG("entry %u", i);
		if (i)
			ASSERT_LE(dp_log.entries[i - 1].ns, dp_log.entries[i].ns);
	}
	xt_vm_destroy(vm);
}

GUEST_CODE static void guest_code_sync_code(uint64_t a, uint64_t b)
{
	xvcpu_debug_port(a);
	GUEST_SYNC(1);
	xvcpu_debug_port(b);
	GUEST_DONE();
}

/* Two vCPUs of one VM share its log; each entry names its writer. */
TEST_F(xvcpu, debug_port_log_names_the_vcpu)
{
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *v0 = xt_vm_add_vcpu(vm, 0, guest_code_sync_code);
	struct xt_vcpu *v5 = xt_vm_add_vcpu(vm, 5, guest_code_sync_code);
	static const struct {
		uint8_t code;
		uint32_t vcpu;
	} want[] = { { 0x01, 0 }, { 0x61, 5 }, { 0x62, 5 }, { 0x02, 0 } };
	unsigned int i;

	xt_vcpu_args_set(v0, 2, 0x01ULL, 0x02ULL);
	xt_vcpu_args_set(v5, 2, 0x61ULL, 0x62ULL);
	TEST_ASSERT_SYNC(v0, 1, NULL);
	TEST_ASSERT_SYNC(v5, 1, NULL);
	TEST_ASSERT_DONE(v5);
	TEST_ASSERT_DONE(v0);
	get_log(vm, &dp_log);
	ASSERT_EQ(4, dp_log.total);
	ASSERT_EQ(4, dp_log.count);
	for (i = 0; i < XT_ARRAY_SIZE(want); i++) {
		ASSERT_EQ(want[i].code, dp_log.entries[i].code) TH_LOG("entry %u", i);
		ASSERT_EQ(want[i].vcpu, dp_log.entries[i].vcpu_id) TH_LOG("entry %u", i);
	}
	xt_vm_destroy(vm);
}

/* ---- the tracepoint ---------------------------------------------------------------- */

/* Exactly K events, in order, with code, component name, vCPU and time. */
TEST_F(xvcpu, debug_port_tracepoint)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	char *lines[K + 8];
	uint64_t t0, t1, prev = 0;
	unsigned int i;
	int n;

	ASSERT_TRACEFS();
	ASSERT_EQ(0, event_enable(EV_DEBUG_PORT, true));
	ASSERT_EQ(0, trace_clear());
	t0 = now_ns();
	vm = xt_vm_create_x86();
	vcpu = xt_vm_add_vcpu(vm, 2, guest_codes);
	ASSERT_EQ(1, run_to_done(vcpu));
	t1 = now_ns();
	n = trace_lines(EV_DEBUG_PORT, lines, XT_ARRAY_SIZE(lines));
	ASSERT_EQ(0, event_enable(EV_DEBUG_PORT, false));
	ASSERT_EQ(K, n);
	get_log(vm, &dp_log);
	for (i = 0; i < K; i++) {
		char want[64];
		uint64_t ns = field(lines[i], "ns");

		snprintf(want, sizeof(want), "vcpu 2 code 0x%02x %s ns ",
			 dp_codes[i], dp_names[i]);
		ASSERT_NE(NULL, strstr(lines[i], want))
			TH_LOG("event %u: '%s', want '%s'", i, lines[i], want);
		/* The same time as the log's entry. */
		ASSERT_EQ(dp_log.entries[i].ns, ns) TH_LOG("event %u", i);
		ASSERT_LE(prev, ns);
		ASSERT_LE(ns, t1 - t0);
		prev = ns;
	}
	printf("# first event: %s\n", lines[0]);
	printf("# last event:  %s\n", lines[K - 1]);
	fflush(stdout);
	xt_vm_destroy(vm);
}

/* ---- the dynamic-debug line ------------------------------------------------------------ */

#define DYNDBG		"/sys/kernel/debug/dynamic_debug/control"
#define DYNDBG_SITE	"module xvcpu func xvcpu_debug_port_write "

/*
 * With dynamic debug on, one line per write as cloud-hypervisor logs
 * it: "Debug I/O port: <Component> code 0x<code> <s>.<us> s", the time
 * the log's entry has.
 */
TEST_F(xvcpu, debug_port_dynamic_debug_line)
{
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *v0 = xt_vm_add_vcpu(vm, 0, guest_code_sync_code);
	static const char *const comp[] = { "Firmware", "Userspace" };
	char buf[2048], *line, *save;
	struct xt_kmsg k;
	unsigned int i = 0;
	int n;

	ASSERT_TRUE(xt_path_exists(DYNDBG));
	ASSERT_EQ(0, xt_write_file(DYNDBG, DYNDBG_SITE "+p"));
	ASSERT_EQ(0, xt_kmsg_mark(&k));
	xt_vcpu_args_set(v0, 2, 0x07ULL, 0x7eULL);
	TEST_ASSERT_SYNC(v0, 1, NULL);
	TEST_ASSERT_DONE(v0);
	ASSERT_EQ(0, xt_write_file(DYNDBG, DYNDBG_SITE "-p"));
	n = xt_kmsg_grep(&k, "Debug I/O port", buf, sizeof(buf));
	xt_kmsg_close(&k);
	ASSERT_EQ(2, n) TH_LOG("%s", buf);
	get_log(vm, &dp_log);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		const struct xvcpu_debug_port_entry *e = &dp_log.entries[i];
		char want[128];

		snprintf(want, sizeof(want),
			 "vcpu 0: Debug I/O port: %s code 0x%x %llu.%06llu s",
			 comp[i], e->code,
			 (unsigned long long)(e->ns / 1000000000),
			 (unsigned long long)(e->ns % 1000000000 / 1000));
		ASSERT_NE(NULL, strstr(line, want))
			TH_LOG("line %u: '%s', want '%s'", i, line, want);
		printf("# %s\n", line);
	}
	fflush(stdout);
	xt_vm_destroy(vm);
}

/* ---- XVCPU_CAP_USER_DEBUG_PORT, and what the kernel leaves to user space ------------ */

/* With the capability each write is an ordinary IO exit, and no more. */
TEST_F(xvcpu, user_debug_port_cap_exits)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_codes);
	struct xvcpu_enable_cap cap = { .cap = XVCPU_CAP_USER_DEBUG_PORT };
	struct xvcpu_run *run = vcpu->run;
	char *lines[4];
	unsigned int i;

	ASSERT_TRACEFS();
	ASSERT_EQ(1, ioctl(vm->sys_fd, XVCPU_CHECK_CAP,
			   (unsigned long)XVCPU_CAP_USER_DEBUG_PORT));
	vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap);
	ASSERT_EQ(0, event_enable(EV_DEBUG_PORT, true));
	ASSERT_EQ(0, trace_clear());
	for (i = 0; i < K; i++) {
		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		ASSERT_EQ(XVCPU_EXIT_IO_OUT, run->io.direction) TH_LOG("write %u", i);
		ASSERT_EQ(XVCPU_DEBUG_PORT, run->io.port) TH_LOG("write %u", i);
		ASSERT_EQ(1, run->io.size) TH_LOG("write %u", i);
		ASSERT_EQ(1, run->io.count) TH_LOG("write %u", i);
		ASSERT_EQ(dp_codes[i], *(uint8_t *)xt_io_data(vcpu)) TH_LOG("write %u", i);
	}
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(0, trace_lines(EV_DEBUG_PORT, lines, XT_ARRAY_SIZE(lines)));
	ASSERT_EQ(0, event_enable(EV_DEBUG_PORT, false));
	get_log(vm, &dp_log);
	ASSERT_EQ(0, dp_log.total);
	ASSERT_EQ(0, dp_log.count);
	/* Enabling it again is harmless. */
	vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap);
	xt_vm_destroy(vm);
}

uint8_t outs_pair[2] = { 0x11, 0x22 };

GUEST_CODE static void guest_other_accesses(void)
{
	void *si = outs_pair;
	uint64_t cx = 2;
	uint8_t v;

	xt_outw(0x80, 0x4142);
	xt_outl(0x80, 0x43444546);
	asm volatile("inb $0x80, %0" : "=a"(v));
	GUEST_ASSERT_EQ(v, 0x5a);
	asm volatile("cld; rep outsb"
		     : "+S"(si), "+c"(cx) : "d"(0x80) : "memory");
	xt_outb(0x81, 0x47);
	xvcpu_debug_port(0x48);		/* the one the kernel takes */
	GUEST_DONE();
}

/*
 * Only a 1-byte OUT to port 0x80 is the debug port: IN, 2 and 4 bytes,
 * string OUT and the port next to it exit to user space as before.
 */
TEST_F(xvcpu, debug_port_other_accesses_exit)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_other_accesses);
	struct xvcpu_run *run = vcpu->run;
	static const struct {
		uint8_t dir, size;
		uint16_t port;
		uint32_t count, data;
	} want[] = {
		{ XVCPU_EXIT_IO_OUT, 2, 0x80, 1, 0x4142 },
		{ XVCPU_EXIT_IO_OUT, 4, 0x80, 1, 0x43444546 },
		{ XVCPU_EXIT_IO_IN, 1, 0x80, 1, 0 },
		{ XVCPU_EXIT_IO_OUT, 1, 0x80, 2, 0x2211 },
		{ XVCPU_EXIT_IO_OUT, 1, 0x81, 1, 0x47 },
	};
	unsigned int i;

	for (i = 0; i < XT_ARRAY_SIZE(want); i++) {
		uint32_t v = 0;

		xt_vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		ASSERT_EQ(want[i].dir, run->io.direction) TH_LOG("access %u", i);
		ASSERT_EQ(want[i].size, run->io.size) TH_LOG("access %u", i);
		ASSERT_EQ(want[i].port, run->io.port) TH_LOG("access %u", i);
		ASSERT_EQ(want[i].count, run->io.count) TH_LOG("access %u", i);
		if (want[i].dir == XVCPU_EXIT_IO_IN) {
			*(uint8_t *)xt_io_data(vcpu) = 0x5a;
			continue;
		}
		memcpy(&v, xt_io_data(vcpu), want[i].size * want[i].count);
		ASSERT_EQ(want[i].data, v) TH_LOG("access %u", i);
	}
	TEST_ASSERT_DONE(vcpu);
	get_log(vm, &dp_log);
	ASSERT_EQ(1, dp_log.total);
	ASSERT_EQ(0x48, dp_log.entries[0].code);
	xt_vm_destroy(vm);
}

/* ---- guest trace events -------------------------------------------------------------- */

#define EV0_ID		0x1234
#define EV5_ID		0xabcd0005
static const uint64_t ev5_data[5] = {
	1, 2, 0xffffffffffffffffULL, 0x8000000000000000ULL, 0x55,
};

/* XVCPU_HC_TRACE with every register given: RAX after, the others kept. */
GUEST_CODE static uint64_t raw_trace(uint64_t nr, uint64_t id, uint64_t n,
				     const uint64_t *d)
{
	register uint64_t r8 asm("r8") = d[3];
	register uint64_t r9 asm("r9") = d[4];
	uint64_t a = nr, b = id, c = n, dx = d[0], si = d[1], di = d[2];

	asm volatile("vmcall"
		     : "+a"(a), "+b"(b), "+c"(c), "+d"(dx), "+S"(si),
		       "+D"(di), "+r"(r8), "+r"(r9)
		     : : "memory");
	GUEST_ASSERT_EQ(b, id);
	GUEST_ASSERT_EQ(c, n);
	GUEST_ASSERT_EQ(dx, d[0]);
	GUEST_ASSERT_EQ(si, d[1]);
	GUEST_ASSERT_EQ(di, d[2]);
	GUEST_ASSERT_EQ(r8, d[3]);
	GUEST_ASSERT_EQ(r9, d[4]);
	return a;
}

GUEST_CODE static void guest_events(void)
{
	uint64_t r0, r5, r6, rid, ret;

	r0 = xvcpu_trace0(EV0_ID);
	r5 = raw_trace(XVCPU_HC_TRACE, EV5_ID, 5, ev5_data);
	/* Refused, no event: 6 words, -1 words, an id above 32 bits. */
	r6 = raw_trace(XVCPU_HC_TRACE, 0x66, 6, ev5_data);
	rid = raw_trace(XVCPU_HC_TRACE, 1ULL << 32, 0, ev5_data);
	GUEST_SYNC_ARGS(1, r0, r5, r6, rid,
			raw_trace(XVCPU_HC_TRACE, 0x67, ~0ULL, ev5_data));
	/* Any other number, even next to it, is the VMM's. */
	ret = xt_vmcall(XVCPU_HC_TRACE + 1, 1, 2, 3, 4, 5);
	GUEST_ASSERT_EQ(ret, 0x77);
	ret = xt_vmcall(0x1000, 6, 7, 8, 9, 10);
	GUEST_ASSERT_EQ(ret, 0x78);
	/* With the event off, still 0. */
	GUEST_SYNC_ARGS(2, xvcpu_trace1(0x99, 42));
	GUEST_DONE();
}

static void expect_hypercall(struct __test_metadata *_metadata,
			     struct xt_vcpu *vcpu, uint64_t nr,
			     uint64_t a0, uint64_t ret)
{
	struct xvcpu_run *run = vcpu->run;
	unsigned int i;

	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HYPERCALL);
	ASSERT_EQ(nr, run->hypercall.nr);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(a0 + i, run->hypercall.args[i]);
	run->hypercall.ret = ret;
}

/*
 * 0 and 5 words: exactly these two events, RAX 0, only RAX changed.
 * Bad counts and ids: -XVCPU_HYPERCALL_EINVAL and no event. Other
 * numbers: XVCPU_EXIT_HYPERCALL as ever.
 */
TEST_F(xvcpu, guest_events_tracepoint)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	struct ucall uc;
	char *lines[8];
	uint64_t t0, t1, ns0, ns5;
	int n;

	ASSERT_TRACEFS();
	ASSERT_EQ(0, event_enable(EV_GUEST, true));
	ASSERT_EQ(0, trace_clear());
	t0 = now_ns();
	vm = xt_vm_create_x86();
	vcpu = xt_vm_add_vcpu(vm, 1, guest_events);
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	t1 = now_ns();
	n = trace_lines(EV_GUEST, lines, XT_ARRAY_SIZE(lines));
	ASSERT_EQ(0, event_enable(EV_GUEST, false));
	ASSERT_EQ(0, uc.args[1]);
	ASSERT_EQ(0, uc.args[2]);
	ASSERT_EQ(HC_EINVAL, uc.args[3]);
	ASSERT_EQ(HC_EINVAL, uc.args[4]);
	ASSERT_EQ(HC_EINVAL, uc.args[5]);
	ASSERT_EQ(2, n);
	ASSERT_NE(NULL, strstr(lines[0], "vcpu 1 id 0x1234 n 0 data {} ns "))
		TH_LOG("%s", lines[0]);
	ASSERT_NE(NULL, strstr(lines[1], "vcpu 1 id 0xabcd0005 n 5 data {0x1,0x2,0xffffffffffffffff,0x8000000000000000,0x55} ns "))
		TH_LOG("%s", lines[1]);
	ns0 = field(lines[0], "ns");
	ns5 = field(lines[1], "ns");
	ASSERT_LE(ns0, ns5);
	ASSERT_LE(ns5, t1 - t0);
	printf("# %s\n# %s\n", lines[0], lines[1]);
	fflush(stdout);

	expect_hypercall(_metadata, vcpu, XVCPU_HC_TRACE + 1, 1, 0x77);
	expect_hypercall(_metadata, vcpu, 0x1000, 6, 0x78);
	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	ASSERT_EQ(0, uc.args[1]);
	TEST_ASSERT_DONE(vcpu);
	/* Events are not debug-port codes. */
	get_log(vm, &dp_log);
	ASSERT_EQ(0, dp_log.total);
	xt_vm_destroy(vm);
}

GUEST_CODE static void guest_done_stub(void)
{
	GUEST_DONE();
}

/*
 * 32-bit protected mode: registers are 32 bits and there is no R8/R9,
 * so 3 words at most; a 4th is refused. Then a debug-port code.
 */
volatile uint32_t pm32_r3, pm32_r4;

asm(".pushsection .text\n"
	".globl guest_pm32_events\n"
	".code32\n"
	"guest_pm32_events:\n"
	"	mov $0x78760001, %eax\n"
	"	mov $0x32, %ebx\n"
	"	mov $3, %ecx\n"
	"	mov $0xa, %edx\n"
	"	mov $0xb, %esi\n"
	"	mov $0xffffffff, %edi\n"
	"	vmcall\n"
	"	mov %eax, pm32_r3\n"
	"	mov $0x78760001, %eax\n"
	"	mov $0x33, %ebx\n"
	"	mov $4, %ecx\n"
	"	vmcall\n"
	"	mov %eax, pm32_r4\n"
	"	mov $0x21, %al\n"
	"	out %al, $0x80\n"
	"	hlt\n"
	".code64\n"
	".popsection\n");
extern char guest_pm32_events[];

TEST_F(xvcpu, guest_events_32bit)
{
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu = xt_vm_add_vcpu(vm, 0, guest_done_stub);
	struct xvcpu_regs r;
	char *lines[4];
	int n;

	ASSERT_TRACEFS();
	xt_vcpu_setup_prot32(vcpu, (uintptr_t)guest_pm32_events, 0);
	/* Upper halves the 32-bit guest cannot see must not matter. */
	xt_vcpu_get_regs(vcpu, &r);
	r.r8 = 0x8888;
	r.r9 = 0x9999;
	xt_vcpu_set_regs(vcpu, &r);
	pm32_r3 = pm32_r4 = 0x5a5a5a5a;
	ASSERT_EQ(0, event_enable(EV_GUEST, true));
	ASSERT_EQ(0, trace_clear());
	xt_vcpu_run(vcpu);
	n = trace_lines(EV_GUEST, lines, XT_ARRAY_SIZE(lines));
	ASSERT_EQ(0, event_enable(EV_GUEST, false));
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_HLT);
	ASSERT_EQ(0, pm32_r3);
	ASSERT_EQ((uint32_t)-XVCPU_HYPERCALL_EINVAL, pm32_r4);
	ASSERT_EQ(1, n);
	ASSERT_NE(NULL, strstr(lines[0], "vcpu 0 id 0x32 n 3 data {0xa,0xb,0xffffffff} ns "))
		TH_LOG("%s", lines[0]);
	get_log(vm, &dp_log);
	ASSERT_EQ(1, dp_log.total);
	ASSERT_EQ(0x21, dp_log.entries[0].code);
	ASSERT_EQ(XVCPU_DEBUG_PORT_BOOTLOADER, dp_log.entries[0].component);
	xt_vm_destroy(vm);
}

/* ---- guest trace events from guest user mode -------------------------------------- */

#define HC_EPERM	((uint64_t)-XVCPU_HYPERCALL_EPERM)

GUEST_CODE static uint64_t user_trace2(uint64_t id)
{
	return xvcpu_trace2(id, 7, 8);
}

GUEST_CODE static uint64_t user_trace_bad(uint64_t id)
{
	return __xvcpu_trace(id, 6, 0, 0, 0, 0, 0);	/* n = 6 */
}

GUEST_CODE static uint64_t user_vmm_call(uint64_t nr)
{
	return xt_vmcall(nr, 1, 2, 3, 4, 5);
}

GUEST_CODE static void guest_user_events(void)
{
	/* Before the VMM allows it. */
	GUEST_SYNC_ARGS(1, xt_guest_run_user(user_trace2, 0x300));
	/* After: events yes, the VMM's hypercalls still no. */
	GUEST_SYNC_ARGS(2, xt_guest_run_user(user_trace2, 0x301),
			xt_guest_run_user(user_trace_bad, 0x302),
			xt_guest_run_user(user_vmm_call, 0x1000),
			xt_guest_run_user(user_vmm_call, XVCPU_HC_TRACE + 1),
			xvcpu_trace0(0x303));
	GUEST_DONE();
}

/*
 * XVCPU_CAP_USER_TRACE_EVENTS: without it XVCPU_HC_TRACE at CPL 3 gets
 * -XVCPU_HYPERCALL_EPERM and emits nothing; with it the event is
 * emitted (and checked as at CPL 0), while every other VMCALL at CPL 3
 * still fails in the guest without an exit.
 */
TEST_F(xvcpu, user_trace_events_cap)
{
	struct xvcpu_enable_cap cap = { .cap = XVCPU_CAP_USER_TRACE_EVENTS };
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	struct ucall uc;
	char *lines[8];
	int n, i;

	ASSERT_TRACEFS();
	vm = xt_vm_create_with_vcpu(&vcpu, guest_user_events);
	ASSERT_EQ(1, ioctl(vm->sys_fd, XVCPU_CHECK_CAP,
			   (unsigned long)XVCPU_CAP_USER_TRACE_EVENTS));
	xt_vm_enable_user(vm);
	xt_vm_install_safe_handlers(vm);
	ASSERT_EQ(0, event_enable(EV_GUEST, true));
	ASSERT_EQ(0, trace_clear());
	TEST_ASSERT_SYNC(vcpu, 1, &uc);
	n = trace_lines(EV_GUEST, lines, XT_ARRAY_SIZE(lines));
	ASSERT_EQ(HC_EPERM, uc.args[1]);
	ASSERT_EQ(0, n) TH_LOG("%s", lines[0]);

	/* Arguments are refused as for the other VM capabilities. */
	cap.flags = 1;
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap));
	ASSERT_EQ(EINVAL, errno);
	cap.flags = 0;
	cap.args[3] = 1;
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap));
	ASSERT_EQ(EINVAL, errno);
	cap.args[3] = 0;
	cap.reserved[0] = 1;
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap));
	ASSERT_EQ(EINVAL, errno);
	cap.reserved[0] = 0;
	vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap);
	/* Again: harmless. */
	vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap);

	TEST_ASSERT_SYNC(vcpu, 2, &uc);
	n = trace_lines(EV_GUEST, lines, XT_ARRAY_SIZE(lines));
	ASSERT_EQ(0, event_enable(EV_GUEST, false));
	ASSERT_EQ(0, uc.args[1]);
	ASSERT_EQ(HC_EINVAL, uc.args[2]);
	ASSERT_EQ(HC_EPERM, uc.args[3]);
	ASSERT_EQ(HC_EPERM, uc.args[4]);
	ASSERT_EQ(0, uc.args[5]);
	ASSERT_EQ(2, n);
	/*
	 * Either order: tracefs merges the per-CPU buffers by the local
	 * clock, which need not agree between CPUs the vCPU moved across.
	 */
	i = strstr(lines[0], " id 0x301 ") ? 0 : 1;
	ASSERT_NE(NULL, strstr(lines[i], "vcpu 0 id 0x301 n 2 data {0x7,0x8} ns "))
		TH_LOG("%s / %s", lines[0], lines[1]);
	ASSERT_NE(NULL, strstr(lines[!i], "vcpu 0 id 0x303 n 0 data {} ns "))
		TH_LOG("%s / %s", lines[0], lines[1]);
	printf("# CPL 3: %s\n", lines[i]);
	fflush(stdout);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

/* ---- bad input ------------------------------------------------------------------------ */

TEST_F(xvcpu, debug_port_log_bad_input)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_codes);
	struct xvcpu_enable_cap cap;
	unsigned int i;

	ASSERT_EQ(1, run_to_done(vcpu));
	memset(&dp_log, 0, sizeof(dp_log));
	dp_log.flags = 1;
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_GET_DEBUG_PORT_LOG, &dp_log));
	ASSERT_EQ(EINVAL, errno);
	for (i = 0; i < XT_ARRAY_SIZE(dp_log.reserved); i++) {
		memset(&dp_log, 0, sizeof(dp_log));
		dp_log.reserved[i] = 1ULL << 63;
		ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_GET_DEBUG_PORT_LOG, &dp_log))
			TH_LOG("reserved[%u]", i);
		ASSERT_EQ(EINVAL, errno);
		/* Refused means untouched. */
		ASSERT_EQ(0, dp_log.total);
	}
	/* The out fields and entries are ignored on the way in. */
	memset(&dp_log, 0xff, sizeof(dp_log));
	dp_log.flags = 0;
	memset(dp_log.reserved, 0, sizeof(dp_log.reserved));
	ASSERT_EQ(0, __vm_ioctl(vm, XVCPU_GET_DEBUG_PORT_LOG, &dp_log));
	ASSERT_EQ(K, dp_log.total);
	ASSERT_EQ(K, dp_log.count);
	ASSERT_EQ(0, dp_log.entries[K].code);
	ASSERT_EQ(0, __get_log(vm, &dp_log));

	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_GET_DEBUG_PORT_LOG, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(vcpu->fd, XVCPU_GET_DEBUG_PORT_LOG, &dp_log));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(vm->sys_fd, XVCPU_GET_DEBUG_PORT_LOG, &dp_log));
	ASSERT_EQ(ENOTTY, errno);

	/* XVCPU_CAP_USER_DEBUG_PORT takes no arguments. */
	cap = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_USER_DEBUG_PORT,
					 .flags = 1 };
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap));
	ASSERT_EQ(EINVAL, errno);
	for (i = 0; i < XT_ARRAY_SIZE(cap.args); i++) {
		cap = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_USER_DEBUG_PORT };
		cap.args[i] = 1;
		ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap));
		ASSERT_EQ(EINVAL, errno);
		cap = (struct xvcpu_enable_cap){ .cap = XVCPU_CAP_USER_DEBUG_PORT };
		cap.reserved[i] = 1;
		ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_ENABLE_CAP, &cap));
		ASSERT_EQ(EINVAL, errno);
	}
	/* The next number is not a capability yet. */
	ASSERT_EQ(-1, ioctl(vm->sys_fd, XVCPU_CHECK_CAP,
			    (unsigned long)XVCPU_CAP_NR));
	ASSERT_EQ(EINVAL, errno);
	/* ... and every number below it is one CHECK_CAP knows. */
	ASSERT_LT(XVCPU_CAP_USER_DEBUG_PORT, XVCPU_CAP_NR);
	ASSERT_EQ(1, ioctl(vm->sys_fd, XVCPU_CHECK_CAP,
			   (unsigned long)XVCPU_CAP_USER_DEBUG_PORT));
	xt_vm_destroy(vm);
}

TEST_HARNESS_MAIN
