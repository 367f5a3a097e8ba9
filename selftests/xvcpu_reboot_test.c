// SPDX-License-Identifier: GPL-2.0
/*
 * Reboot with guests running (Documentation/hardening.rst): the VMX
 * reboot path (xvcpu's reboot notifier turns VMX off on every CPU, then
 * the kernel's machine_restart stops the CPUs) must bring the machine
 * down and up again cleanly while vCPUs are in XVCPU_RUN on both CPUs.
 *
 * This binary runs twice, in two boots of the same test VM
 * (Documentation/testvm.rst, "A test that reboots"):
 *  - boot 1: a VM with one vCPU per online CPU, each pinned and in a RUN
 *    loop; once every guest has counted, the kernel log since the tests
 *    began must be clean; then the CMOS mark (byte 0x7e of the RTC's
 *    NVRAM, which Bochs keeps across a reset) says "rebooted by this
 *    test", the console gets every message level, "@@XVCPU-REBOOT@@"
 *    goes to the kernel log and reboot(RB_AUTOBOOT) (what "reboot -f"
 *    does) resets the machine with the guests still running.
 *  - boot 2: /init found the mark, cleared it and set XVCPU_BOOT=2; the
 *    module loaded again (vm_check.sh), VMX is on on every online CPU
 *    with a single VMXON each, a guest runs on every CPU, and the kernel
 *    log of this boot is clean.
 * testvm.sh checks the console lines between the two boots (the reboot
 * path itself) for warnings, bugs and oopses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/klog.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/sys.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

/* The mark /init looks for (scripts/testvm/mkinitramfs.sh). */
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define CMOS_MARK_BYTE	0x7e
#define CMOS_MARK	0x5a

#define CPUS_VIEW	"/sys/kernel/debug/xvcpu/cpus"
/* syslog(2) actions (include/linux/syslog.h; glibc has no names). */
#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_CONSOLE_LEVEL	8
#define MAX_CPUS	8
#define SYNCS		20

static int cmos_write(uint8_t index, uint8_t value)
{
	if (ioperm(CMOS_INDEX, 2, 1))
		return -errno;
	outb(index, CMOS_INDEX);
	outb(value, CMOS_DATA);
	return 0;
}

static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static volatile uint64_t counters[MAX_CPUS];

/* Count forever, syncing now and then: the host decides when to stop. */
GUEST_CODE static void guest_count(uint64_t id, uint64_t syncs)
{
	uint64_t i;

	for (i = 0;; i++) {
		WRITE_ONCE(counters[id], counters[id] + 1);
		if (i % 1000 == 999)
			GUEST_SYNC_ARGS(id, counters[id], 0);
		if (syncs && i / 1000 >= syncs)
			break;
	}
	GUEST_DONE();
}

struct runner {
	struct xt_vcpu *vcpu;
	int cpu;
	int syncs;
	int wrong_cpu;
	bool done;
	char err[512];
};

static void *runner_fn(void *arg)
{
	struct runner *t = arg;
	struct ucall uc;
	uint64_t cmd;

	if (pin_self(t->cpu)) {
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

/* One vCPU per online CPU, each in RUN on its CPU; @syncs 0: forever. */
static struct xt_vm *start_guests(struct runner *t, pthread_t *th, int n,
				  uint64_t syncs)
{
	struct xt_vm *vm = xt_vm_create_x86();
	int i;

	for (i = 0; i < n; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		counters[i] = 0;
		t[i].vcpu = xt_vm_add_vcpu(vm, i, guest_count);
		t[i].cpu = i;
		xt_vcpu_args_set(t[i].vcpu, 2, (uint64_t)i, syncs);
	}
	for (i = 0; i < n; i++)
		TEST_ASSERT(!pthread_create(&th[i], NULL, runner_fn, &t[i]),
			    "pthread_create");
	return vm;
}

/* The kernel log since vm_check.sh cleared it: the lines it would flag. */
static int kernel_log_bad_lines(char *out, size_t size)
{
	static const char *const bad[] = {
		"BUG:", "WARNING:", "Oops", "general protection", "Call Trace",
		"UBSAN", "KASAN", "detected stall", "blocked for more than",
		"VM-instruction error", "unhandled", "misconfiguration", NULL,
	};
	static char buf[1 << 20];
	char *line, *save;
	int len, n = 0, i;
	size_t used = 0;

	len = klogctl(SYSLOG_ACTION_READ_ALL, buf, sizeof(buf) - 1);
	if (len < 0)
		return -errno;
	buf[len] = 0;
	out[0] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; bad[i]; i++)
			if (strstr(line, bad[i]))
				break;
		if (!bad[i])
			continue;
		n++;
		if (used + strlen(line) + 2 < size)
			used += snprintf(out + used, size - used, "%s\n", line);
	}
	return n;
}

static int boot_number(void)
{
	const char *b = getenv("XVCPU_BOOT");

	return b ? atoi(b) : 1;
}

/*
 * Boot 1: reboot with guests running. Boot 2: the machine came back and
 * xvcpu works on every CPU.
 */
TEST_F_TIMEOUT(xvcpu, reboot_with_guests_running, 600)
{
	struct runner t[MAX_CPUS];
	pthread_t th[MAX_CPUS];
	char log[8192], buf[4096], want[64];
	int n = xt_online_cpus(), i, bad, kmsg;
	struct xt_vm *vm;
	uint64_t deadline;

	ASSERT_GE(n, 2) TH_LOG("the test VM must have 2 CPUs");
	ASSERT_LE(n, MAX_CPUS);

	if (boot_number() == 2) {
		/* The module is loaded (vm_check.sh), VMX on everywhere, once. */
		ASSERT_TRUE(xt_module_present("xvcpu"));
		ASSERT_GT(xt_read_file(CPUS_VIEW, buf, sizeof(buf)), 0);
		printf("# boot 2: %s", buf);
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof(want),
				 "cpu%d online=1 vmx=on vmxon=1\n", i);
			EXPECT_NE(NULL, strstr(buf, want))
				TH_LOG("no '%.*s' in %s", (int)strlen(want) - 1,
				       want, CPUS_VIEW);
		}
		/* A guest runs to its end on every CPU. */
		vm = start_guests(t, th, n, SYNCS);
		for (i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		for (i = 0; i < n; i++) {
			EXPECT_STREQ("", t[i].err) TH_LOG("vCPU %d", i);
			EXPECT_TRUE(t[i].done);
			EXPECT_EQ(0, t[i].wrong_cpu);
			EXPECT_EQ(SYNCS, t[i].syncs);
		}
		xt_vm_destroy(vm);
		bad = kernel_log_bad_lines(log, sizeof(log));
		EXPECT_EQ(0, bad) TH_LOG("boot 2's kernel log:\n%s", log);
		printf("# boot 2: xvcpu loaded, VMX on %d CPUs, a guest ran %d syncs on each\n",
		       n, SYNCS);
		return;
	}

	ASSERT_EQ(1, boot_number());
	/* No port I/O from user space (the debug kernel): no mark, no test. */
	if (ioperm(CMOS_INDEX, 2, 1) && errno == ENOSYS)
		SKIP(return, "ioperm: ENOSYS: this kernel has no CONFIG_X86_IOPL_IOPERM, the CMOS mark cannot be written");
	/* Nothing bad logged in this boot before the reboot. */
	bad = kernel_log_bad_lines(log, sizeof(log));
	ASSERT_EQ(0, bad) TH_LOG("kernel log before the reboot:\n%s", log);

	vm = start_guests(t, th, n, 0);
	/* Every guest counts, on its CPU, before the reboot. */
	deadline = xt_now_ms() + 120000;
	for (i = 0; i < n; i++) {
		while (READ_ONCE(t[i].syncs) < 3 && !t[i].err[0] &&
		       xt_now_ms() < deadline)
			usleep(10000);
		ASSERT_STREQ("", t[i].err) TH_LOG("vCPU %d", i);
		ASSERT_GE(READ_ONCE(t[i].syncs), 3)
			TH_LOG("vCPU %d made no progress in 120 s", i);
	}
	ASSERT_EQ(0, cmos_write(CMOS_MARK_BYTE, CMOS_MARK))
		TH_LOG("ioperm: cannot write the CMOS mark");
	for (i = 0; i < n; i++)
		printf("# vCPU %d on CPU%d: %d syncs, counter %llu\n", i,
		       t[i].cpu, t[i].syncs,
		       (unsigned long long)READ_ONCE(counters[i]));
	printf("# rebooting (reboot(RB_AUTOBOOT), as reboot -f) with %d guests in RUN\n",
	       n);
	fflush(stdout);
	/*
	 * Every level to the console: what the reboot path logs reaches the
	 * serial log even though this boot ends. The marker goes through
	 * printk, synchronous, not through the tee that carries stdout.
	 */
	klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, 8);
	kmsg = open("/dev/kmsg", O_WRONLY);
	if (kmsg >= 0) {
		dprintf(kmsg, "xvcpu_reboot_test: @@XVCPU-REBOOT@@ %d guests in RUN\n",
			n);
		close(kmsg);
	}
	sync();
	reboot(RB_AUTOBOOT);
	/* Not reached unless reboot() failed. */
	cmos_write(CMOS_MARK_BYTE, 0);
	TH_LOG("reboot(RB_AUTOBOOT): %s", strerror(errno));
	ASSERT_TRUE(false);
}

TEST_HARNESS_MAIN
