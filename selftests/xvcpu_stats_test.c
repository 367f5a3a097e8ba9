// SPDX-License-Identifier: GPL-2.0
/*
 * Always-on statistics (Documentation/stats.rst): the stats fd of a vCPU
 * and of a VM (XVCPU_GET_STATS_FD, KVM's binary layout), read by a parser
 * that knows nothing but the header and finds every stat by name; exact
 * counts for a guest that does a known number of CPUIDs, OUTs, HLTs,
 * first touches, a VMCALL and an MMIO write; handling times and their
 * histograms; XVCPU_RESET_STATS; the per-VM debugfs directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/sys.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

/* ---- a reader that knows only the header ------------------------------------------ */

struct stats {
	int fd;
	struct xvcpu_stats_header h;
	char *id;
	char *desc;		/* the descriptor block */
	size_t desc_size;	/* of one descriptor */
	uint64_t *data;
	size_t data_size;
};

static void read_exact(int fd, void *buf, size_t size, off_t off)
{
	ssize_t r = pread(fd, buf, size, off);

	TEST_ASSERT(r == (ssize_t)size, "pread %zu at %lld: %zd (%s)", size,
		    (long long)off, r, strerror(errno));
}

static struct xvcpu_stats_desc *stats_desc(struct stats *s, uint32_t i)
{
	return (struct xvcpu_stats_desc *)(s->desc + i * s->desc_size);
}

static void stats_refresh(struct stats *s)
{
	read_exact(s->fd, s->data, s->data_size, s->h.data_offset);
}

/* Parse the file behind @fd: header, id, descriptors, data. */
static void stats_open(struct stats *s, int fd)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	read_exact(fd, &s->h, sizeof(s->h), 0);
	TEST_ASSERT(s->h.name_size > 0 && s->h.name_size < 4096,
		    "name_size %u", s->h.name_size);
	s->id = calloc(1, s->h.name_size + 1);
	read_exact(fd, s->id, s->h.name_size, s->h.id_offset);
	s->desc_size = sizeof(struct xvcpu_stats_desc) + s->h.name_size;
	s->desc = calloc(s->h.num_desc, s->desc_size);
	read_exact(fd, s->desc, s->h.num_desc * s->desc_size,
		   s->h.desc_offset);
	for (i = 0; i < s->h.num_desc; i++) {
		struct xvcpu_stats_desc *d = stats_desc(s, i);
		size_t end = d->offset + d->size * sizeof(uint64_t);

		if (end > s->data_size)
			s->data_size = end;
	}
	s->data = calloc(1, s->data_size);
	stats_refresh(s);
}

static void stats_close(struct stats *s)
{
	free(s->id);
	free(s->desc);
	free(s->data);
}

static struct xvcpu_stats_desc *stats_find(struct stats *s, const char *name)
{
	uint32_t i;

	for (i = 0; i < s->h.num_desc; i++)
		if (!strcmp(stats_desc(s, i)->name, name))
			return stats_desc(s, i);
	return NULL;
}

static const uint64_t *stat_values(struct stats *s, const char *name,
				   uint16_t *size)
{
	struct xvcpu_stats_desc *d = stats_find(s, name);

	TEST_ASSERT(d, "no stat named %s", name);
	*size = d->size;
	return s->data + d->offset / sizeof(uint64_t);
}

static uint64_t get_stat(struct stats *s, const char *name)
{
	uint16_t size;
	const uint64_t *v = stat_values(s, name, &size);

	TEST_ASSERT(size == 1, "%s has %u values", name, size);
	return *v;
}

static uint64_t get_statf(struct stats *s, const char *fmt, const char *arg)
{
	char name[128];

	snprintf(name, sizeof(name), fmt, arg);
	return get_stat(s, name);
}

static uint64_t hist_sum(struct stats *s, const char *name)
{
	uint16_t size, i;
	const uint64_t *v = stat_values(s, name, &size);
	uint64_t n = 0;

	for (i = 0; i < size; i++)
		n += v[i];
	return n;
}

static bool stat_is_zeroable(const struct xvcpu_stats_desc *d)
{
	return (d->flags & XVCPU_STATS_TYPE_MASK) != XVCPU_STATS_TYPE_INSTANT;
}

/* Every cumulative, peak and histogram value is 0: what a reset leaves. */
static void assert_all_zero(struct stats *s)
{
	uint32_t i, j;

	for (i = 0; i < s->h.num_desc; i++) {
		struct xvcpu_stats_desc *d = stats_desc(s, i);

		if (!stat_is_zeroable(d))
			continue;
		for (j = 0; j < d->size; j++)
			TEST_ASSERT(!s->data[d->offset / 8 + j],
				    "%s[%u] = %llu after reset", d->name, j,
				    (unsigned long long)s->data[d->offset / 8 + j]);
	}
}

static int vcpu_stats_fd(struct xt_vcpu *vcpu)
{
	return vcpu_ioctl(vcpu, XVCPU_GET_STATS_FD, 0);
}

static int vm_stats_fd(struct xt_vm *vm)
{
	return vm_ioctl(vm, XVCPU_GET_STATS_FD, 0);
}

/* ---- the guest ------------------------------------------------------------------- */

#define USER_PORT	0x10
#define N_CPUID		37
#define M_OUT		23
#define K_HLT		5
#define TOUCH_PAGES	8
#define TEST_SLOT	XT_FIRST_TEST_SLOT
#define HC_NR		0x5157

GUEST_CODE static void guest_pass(uint64_t n, uint64_t m, uint64_t k,
				  uint64_t touch)
{
	uint32_t a, b, c, d;
	uint64_t i;

	for (i = 0; i < n; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	for (i = 0; i < m; i++)
		xt_outb(USER_PORT, i);
	for (i = 0; i < k; i++)
		xt_hlt();
	for (i = 0; i < TOUCH_PAGES; i++)
		WRITE_ONCE(*(volatile uint64_t *)(touch + i * XT_PAGE_SIZE), i);
	xt_vmcall(HC_NR, 1, 2, 3, 4, 5);
	WRITE_ONCE(*(volatile uint32_t *)XT_MMIO_GPA, 0xabcd);
}

/*
 * Once with one of everything, so that every code and stack page the
 * counted pass runs on is mapped already; then the counted pass, whose
 * first touches are of fresh pages only. Aligned so that it cannot
 * straddle a page: its second half runs only in the counted pass.
 */
GUEST_CODE __attribute__((aligned(256))) static void guest_counts(void)
{
	guest_pass(1, 1, 1, XT_TEST_GPA);
	GUEST_SYNC(1);
	guest_pass(N_CPUID, M_OUT, K_HLT,
		   XT_TEST_GPA + TOUCH_PAGES * XT_PAGE_SIZE);
	GUEST_DONE();
}

/* Run to the next ucall, serving the guest's own exits; counts them. */
static uint64_t run_to_ucall(struct xt_vcpu *vcpu, struct ucall *uc,
			     unsigned int *io, unsigned int *hlt,
			     unsigned int *hc, unsigned int *mmio)
{
	struct xvcpu_run *run = vcpu->run;

	for (;;) {
		xt_vcpu_run(vcpu);
		switch (run->exit_reason) {
		case XVCPU_EXIT_IO:
			if (run->io.port != USER_PORT)
				return xt_expect_ucall(vcpu, uc);
			(*io)++;
			break;
		case XVCPU_EXIT_HLT:
			(*hlt)++;
			break;
		case XVCPU_EXIT_HYPERCALL:
			TEST_ASSERT_EQ(run->hypercall.nr, HC_NR);
			run->hypercall.ret = 0;
			(*hc)++;
			break;
		case XVCPU_EXIT_MMIO:
			TEST_ASSERT_EQ(run->mmio.phys_addr, XT_MMIO_GPA);
			TEST_ASSERT_EQ(run->mmio.is_write, 1);
			(*mmio)++;
			break;
		default:
			TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IO);
		}
	}
}

static struct xt_vm *counts_vm(struct xt_vcpu **vcpu)
{
	struct xt_vm *vm = xt_vm_create_with_vcpu(vcpu, guest_counts);

	xt_vm_add_slot(vm, TEST_SLOT, XT_TEST_GPA, 2 * TOUCH_PAGES * XT_PAGE_SIZE,
		       0);
	return vm;
}

/* Run the guest: pass 1, reset, the counted pass to GUEST_DONE. */
static void run_counted(struct xt_vcpu *vcpu)
{
	unsigned int io = 0, hlt = 0, hc = 0, mmio = 0;
	struct ucall uc;

	TEST_ASSERT_EQ(run_to_ucall(vcpu, &uc, &io, &hlt, &hc, &mmio),
		       UCALL_SYNC);
	TEST_ASSERT_EQ(io + hlt + hc + mmio, 4);
	vcpu_ioctl(vcpu, XVCPU_RESET_STATS, 0);
	io = hlt = hc = mmio = 0;
	TEST_ASSERT_EQ(run_to_ucall(vcpu, &uc, &io, &hlt, &hc, &mmio),
		       UCALL_DONE);
	TEST_ASSERT_EQ(io, M_OUT);
	TEST_ASSERT_EQ(hlt, K_HLT);
	TEST_ASSERT_EQ(hc, 1);
	TEST_ASSERT_EQ(mmio, 1);
}

/* ---- the file itself --------------------------------------------------------------- */

TEST_F(xvcpu, stats_fd_layout)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_counts);
	char id[64], buf[64];
	struct stats s;
	uint16_t size;
	uint32_t i, j;
	int fd;

	ASSERT_EQ(1, ioctl(vm->sys_fd, XVCPU_CHECK_CAP,
			   (unsigned long)XVCPU_CAP_STATS_FD));
	/* No argument; the VM-fd number range, valid on both fds. */
	ASSERT_EQ(-1, __vcpu_ioctl(vcpu, XVCPU_GET_STATS_FD, 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, __vcpu_ioctl(vcpu, XVCPU_RESET_STATS, 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, __vm_ioctl(vm, XVCPU_RESET_STATS, 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(vm->sys_fd, XVCPU_GET_STATS_FD, 0));
	ASSERT_EQ(ENOTTY, errno);

	fd = vcpu_stats_fd(vcpu);
	stats_open(&s, fd);
	ASSERT_EQ(0, s.h.flags);
	snprintf(id, sizeof(id), "xvcpu-%d-vm", getpid());
	ASSERT_EQ(0, strncmp(s.id, id, strlen(id))) TH_LOG("id %s", s.id);
	ASSERT_NE(NULL, strstr(s.id, "-vcpu0")) TH_LOG("id %s", s.id);
	ASSERT_GE(s.h.desc_offset, s.h.id_offset + s.h.name_size);
	ASSERT_GE(s.h.data_offset, s.h.desc_offset +
				   s.h.num_desc * s.desc_size);
	for (i = 0; i < s.h.num_desc; i++) {
		struct xvcpu_stats_desc *d = stats_desc(&s, i);
		uint32_t unit = d->flags & XVCPU_STATS_UNIT_MASK;

		ASSERT_NE(NULL, memchr(d->name, 0, s.h.name_size));
		ASSERT_NE(0, d->name[0]);
		ASSERT_LE(d->flags & XVCPU_STATS_TYPE_MASK,
			  XVCPU_STATS_TYPE_MAX) TH_LOG("%s", d->name);
		ASSERT_LE(unit, XVCPU_STATS_UNIT_MAX);
		ASSERT_LE(d->flags & XVCPU_STATS_BASE_MASK,
			  XVCPU_STATS_BASE_MAX);
		ASSERT_EQ(0, d->flags & ~(XVCPU_STATS_TYPE_MASK |
					  XVCPU_STATS_UNIT_MASK |
					  XVCPU_STATS_BASE_MASK));
		/* Times are nanoseconds: seconds times 10^-9. */
		ASSERT_EQ(unit == XVCPU_STATS_UNIT_SECONDS ? -9 : 0,
			  d->exponent) TH_LOG("%s", d->name);
		ASSERT_EQ(0, d->offset % 8);
		ASSERT_GE(d->size, 1);
		for (j = 0; j < i; j++)
			ASSERT_NE(0, strcmp(stats_desc(&s, j)->name, d->name))
				TH_LOG("%s twice", d->name);
	}
	/* A few by name, with KVM's names where KVM has the stat. */
	stat_values(&s, "exit_ns_hist_CPUID", &size);
	ASSERT_EQ(32, size);
	ASSERT_EQ(XVCPU_STATS_TYPE_LOG_HIST | XVCPU_STATS_UNIT_SECONDS,
		  stats_find(&s, "exit_ns_hist_CPUID")->flags);
	ASSERT_EQ(XVCPU_STATS_TYPE_PEAK | XVCPU_STATS_UNIT_SECONDS,
		  stats_find(&s, "exit_ns_max_EPT_VIOLATION")->flags);
	ASSERT_EQ(XVCPU_STATS_TYPE_CUMULATIVE,
		  stats_find(&s, "exits_HLT")->flags);
	for (i = 0; i < 9; i++) {
		static const char *const kvm[] = {
			"exits", "io_exits", "mmio_exits", "halt_exits",
			"hypercalls", "signal_exits", "irq_window_exits",
			"guest_ns", "user_ns_hist_IO",
		};
		ASSERT_NE(NULL, stats_find(&s, kvm[i])) TH_LOG("%s", kvm[i]);
	}
	/* A new vCPU has counted nothing. */
	assert_all_zero(&s);

	/* Read-only, close-on-exec; nothing past the end. */
	ASSERT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(-1, write(fd, "x", 1));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(-1, pwrite(fd, "x", 1, 0));
	ASSERT_EQ(0, pread(fd, buf, sizeof(buf), s.h.data_offset + s.data_size));
	ASSERT_EQ(0, pread(fd, buf, sizeof(buf), 1 << 30));
	/* The tail of the data block is readable up to its last byte. */
	ASSERT_EQ(8, pread(fd, buf, sizeof(buf),
			   s.h.data_offset + s.data_size - 8));
	/* read() walks the same file from the start. */
	ASSERT_EQ((ssize_t)sizeof(s.h), read(fd, buf, sizeof(s.h)));
	ASSERT_EQ(0, memcmp(buf, &s.h, sizeof(s.h)));
	stats_close(&s);
	close(fd);

	/* The VM's own, id without the vCPU. */
	fd = vm_stats_fd(vm);
	stats_open(&s, fd);
	ASSERT_EQ(0, strncmp(s.id, id, strlen(id))) TH_LOG("id %s", s.id);
	ASSERT_EQ(NULL, strstr(s.id, "-vcpu"));
	ASSERT_EQ(1, get_stat(&s, "vcpus"));
	ASSERT_EQ(2, get_stat(&s, "memslots"));
	ASSERT_EQ(-1, write(fd, "x", 1));
	stats_close(&s);
	close(fd);
	xt_vm_destroy(vm);
}

/* ---- exact counts ------------------------------------------------------------------- */

TEST_F(xvcpu, stats_exact_counts)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = counts_vm(&vcpu);
	uint64_t cpuid_ns, ept_ns, max, sum, exits = 0;
	uint32_t i;
	struct stats s;

	stats_open(&s, vcpu_stats_fd(vcpu));
	run_counted(vcpu);
	stats_refresh(&s);

	/* In the kernel, by basic reason. */
	ASSERT_EQ(N_CPUID, get_stat(&s, "exits_CPUID"));
	/* The OUTs and GUEST_DONE's one (GUEST_SYNC(1) was before the reset). */
	ASSERT_EQ(M_OUT + 1, get_stat(&s, "exits_IO_INSTRUCTION"));
	ASSERT_EQ(M_OUT + 1, get_stat(&s, "io_exits"));
	ASSERT_EQ(K_HLT, get_stat(&s, "exits_HLT"));
	ASSERT_EQ(K_HLT, get_stat(&s, "halt_exits"));
	ASSERT_EQ(1, get_stat(&s, "exits_VMCALL"));
	ASSERT_EQ(1, get_stat(&s, "hypercalls"));
	/* Fresh pages, and the MMIO write, which no slot backs. */
	ASSERT_EQ(TOUCH_PAGES, get_stat(&s, "ept_violations_slot"));
	ASSERT_EQ(1, get_stat(&s, "ept_violations_mmio"));
	ASSERT_EQ(TOUCH_PAGES + 1, get_stat(&s, "exits_EPT_VIOLATION"));
	ASSERT_EQ(0, get_stat(&s, "exits_OTHER"));
	ASSERT_EQ(0, get_stat(&s, "exits_TRIPLE_FAULT"));
	ASSERT_EQ(0, get_stat(&s, "irq_window_exits"));
	ASSERT_EQ(0, get_stat(&s, "signal_exits"));

	/* To user space, by kind: one RUN for each. */
	ASSERT_EQ(M_OUT + 1, get_stat(&s, "user_exits_IO"));
	ASSERT_EQ(K_HLT, get_stat(&s, "user_exits_HLT"));
	ASSERT_EQ(1, get_stat(&s, "user_exits_HYPERCALL"));
	ASSERT_EQ(1, get_stat(&s, "user_exits_MMIO"));
	ASSERT_EQ(1, get_stat(&s, "mmio_exits"));
	ASSERT_EQ(M_OUT + K_HLT + 3, get_stat(&s, "runs"));
	/*
	 * Round trips are counted when the next RUN comes: GUEST_SYNC(1)'s
	 * (its exit before the reset) and the OUTs' are in, GUEST_DONE's
	 * is still out in user space.
	 */
	ASSERT_EQ(M_OUT + 1, hist_sum(&s, "user_ns_hist_IO"));
	ASSERT_EQ(K_HLT, hist_sum(&s, "user_ns_hist_HLT"));
	ASSERT_EQ(1, hist_sum(&s, "user_ns_hist_HYPERCALL"));
	ASSERT_EQ(1, hist_sum(&s, "user_ns_hist_MMIO"));
	ASSERT_EQ(0, hist_sum(&s, "user_ns_hist_SHUTDOWN"));
	ASSERT_GT(get_stat(&s, "user_ns_sum_IO"), 0);
	ASSERT_GE(get_stat(&s, "user_ns_sum_IO"), get_stat(&s, "user_ns_max_IO"));

	/* Every reason: histogram sum = count, and the totals agree. */
	for (i = 0; i < s.h.num_desc; i++) {
		const char *n = stats_desc(&s, i)->name;
		char h[128];

		if (strncmp(n, "exits_", 6))
			continue;
		snprintf(h, sizeof(h), "exit_ns_hist_%s", n + 6);
		ASSERT_EQ(get_stat(&s, n), hist_sum(&s, h)) TH_LOG("%s", n);
		exits += get_stat(&s, n);
		/* Sampling decisions: counted only while tracing is on. */
		ASSERT_EQ(0, get_statf(&s, "traced_%s", n + 6));
		ASSERT_EQ(0, get_statf(&s, "sampled_out_%s", n + 6));
		if (get_stat(&s, n))
			ASSERT_GT(get_statf(&s, "exit_ns_sum_%s", n + 6), 0)
				TH_LOG("%s", n);
	}
	ASSERT_EQ(exits, get_stat(&s, "exits"));
	ASSERT_GE(exits, N_CPUID + M_OUT + 1 + K_HLT + 1 + TOUCH_PAGES + 1);
	ASSERT_GT(get_stat(&s, "guest_ns"), 0);

	/* Handling times: max within [average, sum]. */
	sum = get_stat(&s, "exit_ns_sum_CPUID");
	max = get_stat(&s, "exit_ns_max_CPUID");
	ASSERT_GT(sum, 0);
	ASSERT_GE(max, sum / N_CPUID);
	ASSERT_LE(max, sum);
	/* Pinning a page costs more than answering a CPUID. */
	cpuid_ns = sum / N_CPUID;
	ept_ns = get_stat(&s, "exit_ns_sum_EPT_VIOLATION") / (TOUCH_PAGES + 1);
	TH_LOG("average ns: CPUID %llu, EPT violation %llu, guest %llu",
	       (unsigned long long)cpuid_ns, (unsigned long long)ept_ns,
	       (unsigned long long)get_stat(&s, "guest_ns"));
	ASSERT_GT(ept_ns, cpuid_ns);

	/* Reset: all gone, and counting starts again from 0. */
	vcpu_ioctl(vcpu, XVCPU_RESET_STATS, 0);
	stats_refresh(&s);
	assert_all_zero(&s);
	stats_close(&s);
	close(s.fd);
	xt_vm_destroy(vm);
}

/* ---- injected events ------------------------------------------------------------------ */

#define MSR_UNKNOWN	0x12345678

static volatile uint64_t irq_count, gp_count;

GUEST_CODE static void irq_handler(struct xt_ex_regs *regs)
{
	irq_count++;
}

/* xvcpu injects #GP for an MSR it does not know: skip the RDMSR. */
GUEST_CODE static void gp_handler(struct xt_ex_regs *regs)
{
	gp_count++;
	regs->rip += 2;
}

/*
 * Two rounds of an interrupt from user space and a #GP from the kernel.
 * The first maps every page delivery touches (the IDT, the stack, the
 * handlers): an EPT violation during delivery has the event carried
 * again, a reinjection. The second is counted.
 */
GUEST_CODE static void guest_events(void)
{
	uint64_t round, i;

	xt_sti();
	for (round = 1; round <= 2; round++) {
		GUEST_SYNC(round);
		for (i = 0; i < 1000000 && READ_ONCE(irq_count) < round; i++)
			xt_pause();
		GUEST_ASSERT_EQ(irq_count, round);
		xt_rdmsr(MSR_UNKNOWN);
		GUEST_ASSERT_EQ(gp_count, round);
	}
	GUEST_DONE();
}

TEST_F(xvcpu, stats_injections)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_events);
	struct stats s;

	xt_vm_install_handler(vm, 0x40, irq_handler);
	xt_vm_install_handler(vm, X86_VEC_GP, gp_handler);
	irq_count = gp_count = 0;
	stats_open(&s, vcpu_stats_fd(vcpu));
	TEST_ASSERT_SYNC(vcpu, 1, NULL);
	xt_vcpu_interrupt(vcpu, 0x40);
	TEST_ASSERT_SYNC(vcpu, 2, NULL);
	stats_refresh(&s);
	ASSERT_EQ(1, get_stat(&s, "irq_injections"));
	ASSERT_EQ(1, get_stat(&s, "exception_injections"));
	TH_LOG("first round: %llu reinjections",
	       (unsigned long long)get_stat(&s, "reinjections"));

	vcpu_ioctl(vcpu, XVCPU_RESET_STATS, 0);
	xt_vcpu_interrupt(vcpu, 0x40);
	TEST_ASSERT_DONE(vcpu);
	stats_refresh(&s);
	ASSERT_EQ(1, get_stat(&s, "irq_injections"));
	ASSERT_EQ(1, get_stat(&s, "exception_injections"));
	ASSERT_EQ(0, get_stat(&s, "reinjections"));
	ASSERT_EQ(1, get_stat(&s, "exits_MSR_READ"));
	ASSERT_EQ(1, get_stat(&s, "user_exits_IO"));
	ASSERT_EQ(1, get_stat(&s, "runs"));
	stats_close(&s);
	close(s.fd);
	xt_vm_destroy(vm);
}

/* ---- the VM's stats ------------------------------------------------------------------- */

TEST_F(xvcpu, stats_vm)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = counts_vm(&vcpu);
	uint64_t pinned;
	struct stats s;

	stats_open(&s, vm_stats_fd(vm));
	ASSERT_EQ(1, get_stat(&s, "vcpus"));
	ASSERT_EQ(3, get_stat(&s, "memslots"));
	run_counted(vcpu);
	stats_refresh(&s);
	pinned = get_stat(&s, "pages_pinned");
	/* Nothing was unpinned: every pin is still there, the peak is now. */
	ASSERT_GE(pinned, 2 * TOUCH_PAGES);
	ASSERT_EQ(pinned, get_stat(&s, "pins"));
	ASSERT_EQ(pinned, get_stat(&s, "pages_pinned_peak"));
	ASSERT_GT(get_stat(&s, "ept_table_pages"), 0);
	ASSERT_EQ(0, get_stat(&s, "memlock_bytes") % XT_PAGE_SIZE);
	ASSERT_GT(get_stat(&s, "memlock_bytes"), 0);
	ASSERT_EQ(XVCPU_STATS_TYPE_INSTANT | XVCPU_STATS_UNIT_BYTES,
		  stats_find(&s, "memlock_bytes")->flags);

	/* Deleting the slot unpins its pages; the peak stays. */
	xt_vm_delete_slot(vm, TEST_SLOT);
	stats_refresh(&s);
	ASSERT_EQ(pinned - 2 * TOUCH_PAGES, get_stat(&s, "pages_pinned"));
	ASSERT_EQ(pinned, get_stat(&s, "pins"));
	ASSERT_EQ(pinned, get_stat(&s, "pages_pinned_peak"));
	ASSERT_EQ(2, get_stat(&s, "memslots"));

	/* Reset: pins from 0, the peak from what is pinned now. */
	vm_ioctl(vm, XVCPU_RESET_STATS, 0);
	stats_refresh(&s);
	ASSERT_EQ(0, get_stat(&s, "pins"));
	ASSERT_EQ(pinned - 2 * TOUCH_PAGES, get_stat(&s, "pages_pinned_peak"));
	ASSERT_EQ(pinned - 2 * TOUCH_PAGES, get_stat(&s, "pages_pinned"));
	stats_close(&s);
	close(s.fd);
	xt_vm_destroy(vm);
}

/* ---- debugfs ---------------------------------------------------------------------------- */

/* Every stat of @want is in @got under @prefix, with the same values. */
static void assert_same(struct stats *got, const char *prefix,
			struct stats *want)
{
	uint32_t i;

	for (i = 0; i < want->h.num_desc; i++) {
		struct xvcpu_stats_desc *w = stats_desc(want, i), *g;
		char name[128];

		snprintf(name, sizeof(name), "%s%s", prefix, w->name);
		g = stats_find(got, name);
		TEST_ASSERT(g, "debugfs has no %s", name);
		TEST_ASSERT_EQ(g->flags, w->flags);
		TEST_ASSERT_EQ(g->exponent, w->exponent);
		TEST_ASSERT_EQ(g->size, w->size);
		TEST_ASSERT(!memcmp(got->data + g->offset / 8,
				    want->data + w->offset / 8, w->size * 8),
			    "%s differs", name);
	}
}

TEST_F(xvcpu, stats_debugfs)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = counts_vm(&vcpu);
	struct stats svm, svcpu, sdbg;
	char dir[128], path[160], line[64];
	static char text[1 << 20];
	unsigned int id;
	int fd;

	ASSERT_TRUE(xt_path_exists("/sys/kernel/debug/xvcpu"));
	xt_vm_add_vcpu(vm, 1, guest_counts);
	stats_open(&svm, vm_stats_fd(vm));
	stats_open(&svcpu, vcpu_stats_fd(vcpu));
	ASSERT_NE(NULL, strstr(svm.id, "-vm"));
	ASSERT_EQ(1, sscanf(strstr(svm.id, "-vm"), "-vm%u", &id))
		TH_LOG("id %s", svm.id);
	snprintf(dir, sizeof(dir), "/sys/kernel/debug/xvcpu/vm-%u-%d", id,
		 getpid());
	ASSERT_TRUE(xt_path_exists(dir)) TH_LOG("%s", dir);

	run_counted(vcpu);
	stats_refresh(&svm);
	stats_refresh(&svcpu);

	/* The same layout: the VM's stats, then vcpu0/..., vcpu1/... */
	snprintf(path, sizeof(path), "%s/stats", dir);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0) TH_LOG("%s: %s", path, strerror(errno));
	stats_open(&sdbg, fd);
	ASSERT_EQ(0, strcmp(sdbg.id, svm.id));
	assert_same(&sdbg, "", &svm);
	assert_same(&sdbg, "vcpu0/", &svcpu);
	ASSERT_EQ(N_CPUID, get_stat(&sdbg, "vcpu0/exits_CPUID"));
	ASSERT_EQ(0, get_stat(&sdbg, "vcpu1/exits"));
	ASSERT_EQ(2, get_stat(&sdbg, "vcpus"));
	ASSERT_EQ(sdbg.h.num_desc, svm.h.num_desc + 2 * svcpu.h.num_desc);
	stats_close(&sdbg);
	close(fd);

	/* The text view: the same numbers. */
	snprintf(path, sizeof(path), "%s/stats_text", dir);
	ASSERT_GT(xt_read_file(path, text, sizeof(text)), 0);
	snprintf(line, sizeof(line), "\nvcpu0/exits_CPUID %u\n", N_CPUID);
	ASSERT_NE(NULL, strstr(text, line)) TH_LOG("%s", text);
	snprintf(line, sizeof(line), "\nvcpu0/halt_exits %u\n", K_HLT);
	ASSERT_NE(NULL, strstr(text, line));
	ASSERT_EQ(0, strncmp(text, "vcpus 2\n", 8));
	/* Reasons never seen are left out. */
	ASSERT_EQ(NULL, strstr(text, "vcpu0/exits_TRIPLE_FAULT "));

	/*
	 * A stats fd keeps its VM (and the directory) alive; the vCPU's
	 * stays readable after the vCPU is gone, with the last numbers.
	 */
	xt_vm_destroy(vm);
	ASSERT_TRUE(xt_path_exists(dir));
	stats_refresh(&svcpu);
	ASSERT_EQ(N_CPUID, get_stat(&svcpu, "exits_CPUID"));
	stats_refresh(&svm);
	ASSERT_EQ(0, get_stat(&svm, "vcpus"));
	close(svcpu.fd);
	close(svm.fd);
	ASSERT_FALSE(xt_path_exists(dir));
	stats_close(&svcpu);
	stats_close(&svm);
}

TEST_HARNESS_MAIN
