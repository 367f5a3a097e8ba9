// SPDX-License-Identifier: GPL-2.0
/*
 * Reboot with guests running (Documentation/hardening.rst): the machine
 * must go down and come up again cleanly while vCPUs are in XVCPU_RUN on
 * every CPU, through the orderly path (reboot(RB_AUTOBOOT), what "reboot
 * -f" does: xvcpu's reboot notifier turns VMX off on every CPU, then
 * machine_restart()) and the emergency one (sysrq b: no notifiers, the
 * kernel's emergency-virtualization callback on every CPU, by NMI on the
 * others).
 *
 * This binary runs in three boots of the same test VM: vm_check.sh runs
 * it last, and alone in the later boots.
 *  - boot 1: a VM with one vCPU per online CPU, each pinned and in a RUN
 *    loop; once every guest has counted, the kernel log since the tests
 *    began must be clean; then the CMOS mark (byte 0x7e of the RTC's
 *    NVRAM, which Bochs keeps across a reset: 0x58 + the next boot's
 *    number) is written, the console gets every message level,
 *    "@@XVCPU-REBOOT@@" goes to the kernel log and reboot(RB_AUTOBOOT)
 *    resets the machine with the guests still running.
 *  - boot 2 (/init found the mark, cleared it and set XVCPU_BOOT=2): the
 *    module loaded again, VMX is on on every online CPU with a single
 *    VMXON each, a guest runs on every CPU, the kernel log is clean; then
 *    the same reset through sysrq b.
 *  - boot 3: the same checks.
 * testvm.sh checks the console between the boots (the reset paths) for
 * warnings, bugs and oopses.
 *
 * Bochs' BIOS does not come back from a reset (Documentation/testvm.rst),
 * so where the payload carries a kernel (/xvcpu/kexec/vmlinuz, as make
 * check's does) boot 1 leaves by kexec instead: kexec_file_load() of
 * that kernel with this boot's root file system as its initramfs and
 * "xvcpu_boot=2" on its command line, then reboot(LINUX_REBOOT_CMD_KEXEC)
 * with the guests still running -- the orderly path again (the reboot
 * notifier), and a next kernel that must be able to start the other
 * CPUs (INIT is blocked in VMX operation) and turn VMX on everywhere.
 * Boot 1's kexec also reserves room for a crash kernel (crashkernel=),
 * which boot 2 loads (KEXEC_FILE_ON_CRASH) before it panics through
 * sysrq c with guests running: the emergency path, which calls no
 * notifier, and boot 3 checks the same way.
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
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
/* 0x58 + the number of the boot that follows: 0x5a, 0x5b. */
#define CMOS_MARK_BASE	0x58

#define CPUS_VIEW	"/sys/kernel/debug/xvcpu/cpus"
/* syslog(2) actions (include/linux/syslog.h; glibc has no names). */
#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_CONSOLE_LEVEL	8
#define MAX_CPUS	8
/* The kernel boot 1 kexecs, when the payload carries it (payload.sh). */
#define KEXEC_KERNEL	"/xvcpu/kexec/vmlinuz"
#define KEXEC_INITRD	"/tmp/kexec-initrd.cpio"
/* Reserved in boot 2 for the crash kernel (boot 3) of 512 MiB. */
#define CRASHKERNEL	"192M"
/* include/linux/panic.h: TAINT_WARN */
#define TAINT_WARN_BIT	9
#define SYNCS		20

static int cmos_write(uint8_t index, uint8_t value)
{
	if (ioperm(CMOS_INDEX, 2, 1))
		return -errno;
	outb(index, CMOS_INDEX);
	outb(value, CMOS_DATA);
	return 0;
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

/* One vCPU per online CPU, each in RUN on its CPU; @syncs 0: forever. */
static struct xt_vm *start_guests(struct xt_pinned *t, pthread_t *th, int n,
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
		TEST_ASSERT(!pthread_create(&th[i], NULL, xt_pinned_run, &t[i]),
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

/* /proc/uptime's first field (this file has no floating point). */
static const char *uptime_s(void)
{
	static char buf[64];

	if (xt_read_file("/proc/uptime", buf, sizeof(buf)) <= 0)
		return "?";
	buf[strcspn(buf, " ")] = 0;
	return buf;
}

/* kexec instead of a reset: the payload has a kernel for it. */
static bool use_kexec(void)
{
	const char *how = getenv("xvcpu_reboot");

	if (how && !strcmp(how, "reset"))
		return false;
	/* A boot that a kexec started (/init found xvcpu_boot=N). */
	if (getenv("xvcpu_boot"))
		return true;
	return access(KEXEC_KERNEL, R_OK) == 0;
}

/*
 * Load KEXEC_KERNEL with this boot's root file system (packed again, as
 * /init found it plus what the tests wrote) as its initramfs and this
 * boot's command line with xvcpu_boot=@next. @crash: as the crash
 * kernel (KEXEC_FILE_ON_CRASH, into the crashkernel= area the kexec
 * before this boot reserved), started by a panic; otherwise the next
 * boot reserves that area and gets the kernel again for it. 0 or a
 * message in @err.
 */
static int kexec_prepare(int next, bool crash, char *err, size_t size)
{
	char cmdline[4096], line[4096], pack[256], *tok, *save;
	int kfd, ifd, rc, len = 0;
	bool xsave_set = false;

	/*
	 * The mounts (proc, sys, dev, tmp, run, debugfs) stay out (-xdev),
	 * and so does the kernel itself where the next boot needs it no
	 * more (after a crash kexec nothing follows).
	 */
	printf("# packing / for kexec at uptime %s s\n", uptime_s());
	snprintf(pack, sizeof(pack),
		 "cd / && find . -xdev %s-print | cpio -o -H newc >%s 2>/dev/null",
		 crash ? "-path ./xvcpu/kexec -prune -o " : "", KEXEC_INITRD);
	rc = system(pack);
	if (rc) {
		snprintf(err, size, "packing / into " KEXEC_INITRD ": status %d", rc);
		return -1;
	}
	printf("# packed at uptime %s s\n", uptime_s());
	if (xt_read_file("/proc/cmdline", line, sizeof(line)) <= 0) {
		snprintf(err, size, "/proc/cmdline: %s", strerror(errno));
		return -1;
	}
	cmdline[0] = 0;
	for (tok = strtok_r(line, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		/*
		 * Every message of the next kernel's boot on the console,
		 * where testvm.sh checks it (a warning, KERN_WARNING, is
		 * not printed at the test VM's loglevel=4).
		 */
		if (!strcmp(tok, "quiet") || !strncmp(tok, "loglevel=", 9) ||
		    !strncmp(tok, "xvcpu_boot=", 11) ||
		    !strncmp(tok, "crashkernel=", 12) ||
		    !strncmp(tok, "elfcorehdr=", 11) ||
		    !strncmp(tok, "BOOT_IMAGE=", 11) ||
		    !strncmp(tok, "initrd=", 7))
			continue;
		if (!strncmp(tok, "clearcpuid=", 11) || !strcmp(tok, "noxsave"))
			xsave_set = true;
		len += snprintf(cmdline + len, sizeof(cmdline) - len, "%s ", tok);
	}
	/*
	 * Bochs' XSAVE trips a WARN in the kernel's boot ("XSAVE
	 * consistency problem", Documentation/testvm.rst), after which the
	 * kernel runs without XSAVE: noxsave gives the next boot that state
	 * without the WARN, which the checks there would count.
	 */
	if (!xsave_set)
		len += snprintf(cmdline + len, sizeof(cmdline) - len, "noxsave ");
	/* Room for the crash kernel, its initramfs and its own boot. */
	if (!crash)
		len += snprintf(cmdline + len, sizeof(cmdline) - len,
				"crashkernel=" CRASHKERNEL " ");
	snprintf(cmdline + len, sizeof(cmdline) - len,
		 "loglevel=7 xvcpu_boot=%d", next);
	kfd = open(KEXEC_KERNEL, O_RDONLY);
	if (kfd < 0) {
		snprintf(err, size, KEXEC_KERNEL ": %s", strerror(errno));
		return -1;
	}
	ifd = open(KEXEC_INITRD, O_RDONLY);
	if (ifd < 0) {
		snprintf(err, size, KEXEC_INITRD ": %s", strerror(errno));
		close(kfd);
		return -1;
	}
	rc = syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		     cmdline, crash ? (unsigned long)KEXEC_FILE_ON_CRASH : 0UL);
	printf("# loaded at uptime %s s\n", uptime_s());
	if (rc)
		snprintf(err, size, "kexec_file_load(%s, %s): %s", KEXEC_KERNEL,
			 KEXEC_INITRD, strerror(errno));
	else
		printf("# kexec loaded: %s, command line '%s'\n", KEXEC_KERNEL,
		       cmdline);
	close(kfd);
	close(ifd);
	return rc;
}

static int boot_number(void)
{
	const char *b = getenv("XVCPU_BOOT");

	return b ? atoi(b) : 1;
}

/* The machine came back: xvcpu loaded, VMX on everywhere, guests run. */
static void check_came_back(struct __test_metadata *_metadata)
{
	struct xt_pinned t[MAX_CPUS];
	pthread_t th[MAX_CPUS];
	char log[8192], buf[4096], want[64], *line, *save;
	int n = xt_online_cpus(), i, bad;
	struct xt_vm *vm;

	ASSERT_GE(n, 2) TH_LOG("the test VM must have 2 CPUs");
	ASSERT_LE(n, MAX_CPUS);
	/* The module is loaded (vm_check.sh), VMX on everywhere, once. */
	ASSERT_TRUE(xt_module_present("xvcpu"));
	ASSERT_GT(xt_read_file(CPUS_VIEW, buf, sizeof(buf)), 0);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "cpu%d online=1 vmx=on vmxon=1\n", i);
		EXPECT_NE(NULL, strstr(buf, want))
			TH_LOG("no '%.*s' in %s", (int)strlen(want) - 1, want,
			       CPUS_VIEW);
	}
	/* Then the view, line by line (strtok_r() cuts @buf up). */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# boot %d: %s\n", boot_number(), line);
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
	EXPECT_EQ(0, bad) TH_LOG("boot %d's kernel log:\n%s", boot_number(), log);
	/*
	 * No WARN since this kernel started, before the log was cleared
	 * too (TAINT_WARN; xvcpu itself taints O and E, out of tree and
	 * unsigned).
	 */
	ASSERT_GT(xt_read_file("/proc/sys/kernel/tainted", buf, sizeof(buf)), 0);
	printf("# boot %d: tainted %s", boot_number(), buf);
	EXPECT_EQ(0, strtoul(buf, NULL, 10) & (1UL << TAINT_WARN_BIT))
		TH_LOG("boot %d: a WARN since this kernel started (tainted %lu)",
		       boot_number(), strtoul(buf, NULL, 10));
	printf("# boot %d: xvcpu loaded, VMX on %d CPUs, a guest ran %d syncs on each\n",
	       boot_number(), n, SYNCS);
}

/*
 * Guests in RUN on every CPU, then the machine resets: @sysrq 0 through
 * reboot(RB_AUTOBOOT), 1 through sysrq b (emergency_restart()). Returns
 * only on failure.
 */
static void reboot_with_guests(struct __test_metadata *_metadata, bool sysrq)
{
	struct xt_pinned t[MAX_CPUS];
	pthread_t th[MAX_CPUS];
	int n = xt_online_cpus(), next = boot_number() + 1, i, bad;
	bool kexec = use_kexec();
	const char *how = sysrq ?
		(kexec ? "sysrq c (a panic: crash kexec, the emergency path)" :
			 "sysrq b (emergency_restart())") :
		(kexec ? "kexec (reboot(LINUX_REBOOT_CMD_KEXEC))" :
			 "reboot(RB_AUTOBOOT), as reboot -f");
	char log[8192], err[512];
	uint64_t deadline;

	ASSERT_GE(n, 2) TH_LOG("the test VM must have 2 CPUs");
	ASSERT_LE(n, MAX_CPUS);
	/* No port I/O from user space (the debug kernel): no mark, no test. */
	if (!kexec && ioperm(CMOS_INDEX, 2, 1) && errno == ENOSYS)
		SKIP(return, "ioperm: ENOSYS: this kernel has no CONFIG_X86_IOPL_IOPERM, the CMOS mark cannot be written");
	if (kexec)
		ASSERT_EQ(0, kexec_prepare(next, sysrq, err, sizeof(err)))
			TH_LOG("%s", err);
	/* Nothing bad logged in this boot before the reboot. */
	bad = kernel_log_bad_lines(log, sizeof(log));
	ASSERT_EQ(0, bad) TH_LOG("kernel log before the reboot:\n%s", log);

	start_guests(t, th, n, 0);
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
	if (!kexec)
		ASSERT_EQ(0, cmos_write(CMOS_MARK_BYTE, CMOS_MARK_BASE + next))
			TH_LOG("ioperm: cannot write the CMOS mark");
	for (i = 0; i < n; i++)
		printf("# vCPU %d on CPU%d: %d syncs, counter %llu\n", i,
		       t[i].cpu, READ_ONCE(t[i].syncs),
		       (unsigned long long)READ_ONCE(counters[i]));
	/*
	 * Every level to the console: what the reboot path logs reaches the
	 * serial log even though this boot ends.
	 */
	klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, 8);
	printf("# boot %d: resetting through %s with %d guests in RUN\n",
	       boot_number(), how, n);
	/*
	 * The marker testvm.sh counts reboots by, on stdout: the same line
	 * written to /dev/kmsg never reached the console in Bochs (measured,
	 * before a kexec, twice).
	 */
	printf("# xvcpu_reboot_test: @@XVCPU-REBOOT@@ boot %d\n", boot_number());
	fflush(stdout);
	sync();
	/*
	 * Let the console catch up: what tee still has of this test's
	 * output would be cut off by a kexec (measured: the lines above
	 * were lost without this).
	 */
	usleep(500000);
	/*
	 * The crash kernel starts on the CPU that panics: CPU 0, the boot
	 * CPU, so that it can start the others (the boot CPU would be left
	 * out otherwise).
	 */
	if (sysrq && kexec)
		ASSERT_EQ(0, xt_pin_self(0));
	if (sysrq)
		xt_write_file("/proc/sysrq-trigger", kexec ? "c" : "b");
	else if (kexec)
		reboot(LINUX_REBOOT_CMD_KEXEC);
	else
		reboot(RB_AUTOBOOT);
	/* Not reached unless the reset failed. */
	if (!kexec)
		cmos_write(CMOS_MARK_BYTE, 0);
	TH_LOG("%s: %s", how, strerror(errno));
	ASSERT_TRUE(false);
}

/*
 * The orderly path: xvcpu's reboot notifier turns VMX off on every CPU
 * (the vCPUs leave their guests), then machine_restart() -- or, with a
 * kernel in the payload, machine_kexec(). Boot 1 resets or kexecs, boot
 * 2 checks.
 */
TEST_F_TIMEOUT(xvcpu, reboot_with_guests_running, 600)
{
	switch (boot_number()) {
	case 1:
		reboot_with_guests(_metadata, false);
		break;
	case 2:
		check_came_back(_metadata);
		break;
	default:
		SKIP(return, "checked in boot 2");
	}
}

/*
 * The emergency path: no notifiers; the kernel calls xvcpu's emergency
 * callback (VMCLEAR and VMXOFF) on this CPU and by NMI on the others.
 * With kexec (make check): sysrq c, a panic that starts the crash
 * kernel boot 2 loaded (machine_crash_shutdown()); with a reset: sysrq
 * b (emergency_restart(), a panic reboot). Boot 2 goes down, boot 3
 * checks.
 */
TEST_F_TIMEOUT(xvcpu, emergency_restart_with_guests_running, 600)
{
	switch (boot_number()) {
	case 1:
		SKIP(return, "runs in boot 2, after reboot_with_guests_running's reboot");
	case 2:
		reboot_with_guests(_metadata, true);
		break;
	default:
		check_came_back(_metadata);
	}
}

TEST_HARNESS_MAIN
