// SPDX-License-Identifier: GPL-2.0
/*
 * xvcpu_bench: the same guest loops on KVM and on xvcpu, in one boot of
 * the test VM, measured in host TSC ticks per round trip. In Bochs the
 * TSC advances one tick per instruction (clock: sync=none), so these are
 * repeatable counts of the work each path does, not hardware cycles.
 *
 *   xvcpu_bench kvm|xvcpu|kvm_<label>|xvcpu_<label> [ITERATIONS [cpuid]]
 *
 * xvcpu_<label> (kvm_<label>) is xvcpu (KVM) under some tracing set up
 * by scripts/bench.sh (xvcpu_recorded: under `vcpuctl record`;
 * kvm_perf_*: under `perf record`): the same loops, labelled apart.
 * A third argument "cpuid" runs the cpuid loop only.
 *
 * Loops (a real-mode guest at 0x1000, loop counter in ESI):
 *   cpuid  CPUID, handled in the kernel, back into the guest
 *   io     OUT to port 0x10, exit to user space and back through RUN
 *   null   an ioctl the vCPU fd does not know (ENOTTY): the baseline
 *   cpuid_sampled_out (xvcpu only)  cpuid with xvcpu_exit enabled and
 *          CPUID sampled out by the trace policy
 *   cpuid_ev_exit   cpuid with the exit event enabled (kvm_exit, xvcpu_exit)
 *   cpuid_ev_exit_entry  ... and the entry event (kvm_entry, xvcpu_entry)
 *   cpuid_ev_all    every event a CPUID exit emits (KVM: kvm_exit,
 *          kvm_entry, kvm_cpuid; xvcpu: xvcpu_exit, xvcpu_entry,
 *          xvcpu_cpuid, xvcpu_regs_diff)
 *   cpuid_ev_three (xvcpu only)  the three that match KVM's three:
 *          xvcpu_exit, xvcpu_entry, xvcpu_cpuid
 *   cpuid_ev_regs_diff (xvcpu only)  xvcpu_regs_diff alone
 * The events go into the ftrace ring (overwritten, nobody reading).
 * Prints one "bench <backend> <loop> <iterations> <ticks> <per-iter>"
 * line per loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x86intrin.h>

#include <linux/kvm.h>
#include <linux/xvcpu.h>

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000

/*
 *   mov %ebx, %esi      ; the loop count, from EBX
 * 1: xor %eax, %eax
 *    cpuid               ; or: out %al, $0x10 (padded with nops)
 *    dec %esi
 *    jnz 1b
 *    hlt
 */
static const uint8_t loop_cpuid[] = {
	0x66, 0x89, 0xde,		/* mov %ebx,%esi */
	0x66, 0x31, 0xc0,		/* xor %eax,%eax */
	0x0f, 0xa2,			/* cpuid */
	0x66, 0x4e,			/* dec %esi */
	0x75, 0xf7,			/* jnz -9 */
	0xf4,				/* hlt */
};

static const uint8_t loop_io[] = {
	0x66, 0x89, 0xde,		/* mov %ebx,%esi */
	0x66, 0x31, 0xc0,		/* xor %eax,%eax */
	0xe6, 0x10,			/* out %al,$0x10 */
	0x66, 0x4e,			/* dec %esi */
	0x75, 0xf7,			/* jnz -9 */
	0xf4,				/* hlt */
};

static void die(const char *what)
{
	fprintf(stderr, "xvcpu_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct backend {
	const char *name;
	int sys, vm, vcpu;
	void *run;
	uint8_t *mem;
	/* Run until the exit the loop ends with; count user exits. */
	int (*run_once)(struct backend *b);
	int (*exit_is_io)(struct backend *b);
	int (*exit_is_hlt)(struct backend *b);
	void (*set_regs)(struct backend *b, uint32_t count);
	unsigned long null_cmd;
};

/* ---- KVM ---- */

static int kvm_run_once(struct backend *b)
{
	return ioctl(b->vcpu, KVM_RUN, 0);
}

static int kvm_is_io(struct backend *b)
{
	return ((struct kvm_run *)b->run)->exit_reason == KVM_EXIT_IO;
}

static int kvm_is_hlt(struct backend *b)
{
	return ((struct kvm_run *)b->run)->exit_reason == KVM_EXIT_HLT;
}

static void kvm_set_regs(struct backend *b, uint32_t count)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(b->vcpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(b->vcpu, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
	memset(&r, 0, sizeof(r));
	r.rip = CODE_GPA;
	r.rflags = 2;
	r.rbx = count;
	if (ioctl(b->vcpu, KVM_SET_REGS, &r))
		die("KVM_SET_REGS");
}

static void kvm_open(struct backend *b)
{
	struct kvm_userspace_memory_region mr = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)b->mem,
	};
	int size;

	b->sys = open("/dev/kvm", O_RDWR);
	if (b->sys < 0)
		die("open /dev/kvm");
	b->vm = ioctl(b->sys, KVM_CREATE_VM, 0);
	if (b->vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(b->vm, KVM_SET_USER_MEMORY_REGION, &mr))
		die("KVM_SET_USER_MEMORY_REGION");
	b->vcpu = ioctl(b->vm, KVM_CREATE_VCPU, 0);
	if (b->vcpu < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(b->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	b->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->vcpu, 0);
	if (b->run == MAP_FAILED)
		die("mmap kvm_run");
	b->run_once = kvm_run_once;
	b->exit_is_io = kvm_is_io;
	b->exit_is_hlt = kvm_is_hlt;
	b->set_regs = kvm_set_regs;
	b->null_cmd = _IO(KVMIO, 0xff);
}

/* ---- xvcpu ---- */

static int xv_run_once(struct backend *b)
{
	return ioctl(b->vcpu, XVCPU_RUN, 0);
}

static int xv_is_io(struct backend *b)
{
	return ((struct xvcpu_run *)b->run)->exit_reason == XVCPU_EXIT_IO;
}

static int xv_is_hlt(struct backend *b)
{
	return ((struct xvcpu_run *)b->run)->exit_reason == XVCPU_EXIT_HLT;
}

static void xv_set_regs(struct backend *b, uint32_t count)
{
	struct xvcpu_sregs s;
	struct xvcpu_regs r;

	if (ioctl(b->vcpu, XVCPU_GET_SREGS, &s))
		die("XVCPU_GET_SREGS");
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(b->vcpu, XVCPU_SET_SREGS, &s))
		die("XVCPU_SET_SREGS");
	memset(&r, 0, sizeof(r));
	r.rip = CODE_GPA;
	r.rflags = 2;
	r.rbx = count;
	if (ioctl(b->vcpu, XVCPU_SET_REGS, &r))
		die("XVCPU_SET_REGS");
}

static void xv_open(struct backend *b)
{
	struct xvcpu_memory_region mr = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)b->mem,
	};
	int size;

	b->sys = open("/dev/xvcpu", O_RDWR);
	if (b->sys < 0)
		die("open /dev/xvcpu");
	b->vm = ioctl(b->sys, XVCPU_CREATE_VM, 0);
	if (b->vm < 0)
		die("XVCPU_CREATE_VM");
	if (ioctl(b->vm, XVCPU_SET_MEMORY_REGION, &mr))
		die("XVCPU_SET_MEMORY_REGION");
	b->vcpu = ioctl(b->vm, XVCPU_CREATE_VCPU, 0);
	if (b->vcpu < 0)
		die("XVCPU_CREATE_VCPU");
	size = ioctl(b->sys, XVCPU_GET_VCPU_MMAP_SIZE, 0);
	b->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->vcpu, 0);
	if (b->run == MAP_FAILED)
		die("mmap xvcpu_run");
	b->run_once = xv_run_once;
	b->exit_is_io = xv_is_io;
	b->exit_is_hlt = xv_is_hlt;
	b->set_regs = xv_set_regs;
	b->null_cmd = _IO(XVCPUIO, 0xbf);
}

/* Run the loop to its HLT; returns the exits to user space seen. */
static uint64_t run_loop(struct backend *b, const uint8_t *code, size_t len,
			 uint32_t n)
{
	uint64_t user_exits = 0;

	memcpy(b->mem + CODE_GPA, code, len);
	b->set_regs(b, n);
	for (;;) {
		if (b->run_once(b))
			die("RUN");
		if (b->exit_is_hlt(b))
			return user_exits;
		if (!b->exit_is_io(b)) {
			fprintf(stderr, "xvcpu_bench: unexpected exit\n");
			exit(1);
		}
		user_exits++;
	}
}

static void report(const char *be, const char *loop, uint32_t n, uint64_t t)
{
	printf("bench %s %s %u %llu %.1f\n", be, loop, n,
	       (unsigned long long)t, (double)t / n);
	fflush(stdout);
}

static int write_str(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(text), r;

	if (fd < 0)
		return -1;
	r = write(fd, text, len);
	close(fd);
	return r == len ? 0 : -1;
}

#define EXIT_ENABLE "/sys/kernel/tracing/events/xvcpu/xvcpu_exit/enable"

/*
 * xvcpu only: the CPUID loop with xvcpu_exit enabled (the traced run
 * loop) and CPUID sampled out by the VM's policy (Documentation/
 * tracing.rst, "Sampling"): what a sampled-out exit costs over "cpuid".
 */
static void bench_sampled_out(struct backend *b, uint32_t n)
{
	struct xvcpu_trace_policy p = {
		.reason = 10, .mode = XVCPU_TRACE_OFF,	/* CPUID */
	};
	uint64_t t0, t1;

	if (ioctl(b->vm, XVCPU_SET_TRACE_POLICY, &p))
		die("XVCPU_SET_TRACE_POLICY");
	if (write_str(EXIT_ENABLE, "1")) {
		fprintf(stderr, "xvcpu_bench: no tracefs, no sampled-out loop\n");
		return;
	}
	run_loop(b, loop_cpuid, sizeof(loop_cpuid), 100);
	t0 = __rdtsc();
	run_loop(b, loop_cpuid, sizeof(loop_cpuid), n);
	t1 = __rdtsc();
	write_str(EXIT_ENABLE, "0");
	report(b->name, "cpuid_sampled_out", n, t1 - t0);
}

#define EVENTS "/sys/kernel/tracing/events/"

/* Enable (or disable) each of the NULL-terminated "system/event"s. */
static int set_events(const char *const *ev, const char *on)
{
	char path[256];

	for (; *ev; ev++) {
		snprintf(path, sizeof(path), EVENTS "%s/enable", *ev);
		if (write_str(path, on))
			return -1;
	}
	return 0;
}

/* The CPUID loop with @ev enabled: the cost of those events per exit. */
static void bench_events(struct backend *b, uint32_t n, const char *loop,
			 const char *const *ev)
{
	uint64_t t0, t1;

	write_str("/sys/kernel/tracing/trace", "");
	if (set_events(ev, "1")) {
		fprintf(stderr, "xvcpu_bench: cannot enable %s (tracefs?)\n",
			ev[0]);
		set_events(ev, "0");
		return;
	}
	run_loop(b, loop_cpuid, sizeof(loop_cpuid), 100);
	t0 = __rdtsc();
	run_loop(b, loop_cpuid, sizeof(loop_cpuid), n);
	t1 = __rdtsc();
	set_events(ev, "0");
	report(b->name, loop, n, t1 - t0);
}

static void bench_tracing(struct backend *b, uint32_t n)
{
	static const char *const kvm_exit[] = { "kvm/kvm_exit", NULL };
	static const char *const kvm_ee[] = {
		"kvm/kvm_exit", "kvm/kvm_entry", NULL,
	};
	static const char *const kvm_all[] = {
		"kvm/kvm_exit", "kvm/kvm_entry", "kvm/kvm_cpuid", NULL,
	};
	static const char *const xv_exit[] = { "xvcpu/xvcpu_exit", NULL };
	static const char *const xv_ee[] = {
		"xvcpu/xvcpu_exit", "xvcpu/xvcpu_entry", NULL,
	};
	static const char *const xv_all[] = {
		"xvcpu/xvcpu_exit", "xvcpu/xvcpu_entry", "xvcpu/xvcpu_cpuid",
		"xvcpu/xvcpu_regs_diff", NULL,
	};
	static const char *const xv_three[] = {
		"xvcpu/xvcpu_exit", "xvcpu/xvcpu_entry", "xvcpu/xvcpu_cpuid",
		NULL,
	};
	static const char *const xv_diff[] = { "xvcpu/xvcpu_regs_diff", NULL };
	bool kvm = !strcmp(b->name, "kvm");

	bench_events(b, n, "cpuid_ev_exit", kvm ? kvm_exit : xv_exit);
	bench_events(b, n, "cpuid_ev_exit_entry", kvm ? kvm_ee : xv_ee);
	bench_events(b, n, "cpuid_ev_all", kvm ? kvm_all : xv_all);
	if (!kvm) {
		bench_events(b, n, "cpuid_ev_three", xv_three);
		bench_events(b, n, "cpuid_ev_regs_diff", xv_diff);
	}
}

int main(int argc, char **argv)
{
	struct backend b = { 0 };
	uint32_t n = 100000, i;
	uint64_t t0, t1, exits;

	if (argc < 2 || argc > 4 ||
	    (strcmp(argv[1], "kvm") && strcmp(argv[1], "xvcpu") &&
	     strncmp(argv[1], "kvm_", 4) && strncmp(argv[1], "xvcpu_", 6)) ||
	    (argc > 3 && strcmp(argv[3], "cpuid"))) {
		fprintf(stderr, "usage: xvcpu_bench kvm|xvcpu|kvm_<label>|xvcpu_<label> [ITERATIONS [cpuid]]\n");
		return 2;
	}
	if (argc > 2)
		n = strtoul(argv[2], NULL, 0);
	b.name = argv[1];
	b.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b.mem == MAP_FAILED)
		die("mmap guest memory");
	if (!strncmp(b.name, "kvm", 3))
		kvm_open(&b);
	else
		xv_open(&b);

	/* Warm up: fault in the guest page and the code paths. */
	run_loop(&b, loop_cpuid, sizeof(loop_cpuid), 100);
	run_loop(&b, loop_io, sizeof(loop_io), 100);

	t0 = __rdtsc();
	exits = run_loop(&b, loop_cpuid, sizeof(loop_cpuid), n);
	t1 = __rdtsc();
	if (exits)
		fprintf(stderr, "xvcpu_bench: %llu unexpected user exits\n",
			(unsigned long long)exits);
	report(b.name, "cpuid", n, t1 - t0);
	if (argc > 3)	/* the cpuid loop only */
		return 0;

	t0 = __rdtsc();
	exits = run_loop(&b, loop_io, sizeof(loop_io), n);
	t1 = __rdtsc();
	if (exits != n) {
		fprintf(stderr, "xvcpu_bench: %llu I/O exits, expected %u\n",
			(unsigned long long)exits, n);
		return 1;
	}
	report(b.name, "io", n, t1 - t0);

	t0 = __rdtsc();
	for (i = 0; i < n; i++)
		ioctl(b.vcpu, b.null_cmd, 0);
	t1 = __rdtsc();
	report(b.name, "null", n, t1 - t0);
	/* The ftrace-ring rows once per backend, not under vcpuctl record. */
	if (!strcmp(b.name, "kvm") || !strcmp(b.name, "xvcpu"))
		bench_tracing(&b, n);
	if (!strcmp(b.name, "xvcpu"))
		bench_sampled_out(&b, n);
	return 0;
}
