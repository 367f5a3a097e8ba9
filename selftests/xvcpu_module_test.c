// SPDX-License-Identifier: GPL-2.0
/*
 * xvcpu module life cycle, inside the test VM: load/unload without
 * leaks, VMXON on every CPU, CPU hotplug, one VMX owner at a time (both
 * orders with kvm_intel), /dev/xvcpu permissions and the system ioctls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/xvcpu.h>

#include "kselftest_harness.h"
#include "lib/sys.h"

#define CPUS_VIEW "/sys/kernel/debug/xvcpu/cpus"
/*
 * Loading Debian's kvm.ko and creating a KVM VM take billions of emulated
 * instructions in Bochs: guest seconds, not the harness's default 30.
 */
#define KVM_TIMEOUT 600
#define CAPS_VIEW "/sys/kernel/debug/xvcpu/caps"

/* Every test starts and ends with neither xvcpu nor KVM loaded. */
FIXTURE(mod) {
	struct xt_kmsg kmsg;
};

FIXTURE_SETUP(mod)
{
	int cpu;

	for (cpu = 1; cpu < 64; cpu++) {
		char path[96];

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (!xt_path_exists(path))
			break;
		xt_set_cpu_online(cpu, true);
	}
	xt_unload_kvm();
	ASSERT_EQ(0, xt_unload_xvcpu());
	ASSERT_EQ(0, xt_kmsg_mark(&self->kmsg));
}

FIXTURE_TEARDOWN(mod)
{
	xt_kmsg_close(&self->kmsg);
	xt_unload_xvcpu();
	xt_unload_kvm();
}

/* What a failed or undone load must leave: nothing at all. */
static void assert_nothing_left(struct __test_metadata *_metadata)
{
	ASSERT_FALSE(xt_module_present("xvcpu"));
	ASSERT_FALSE(xt_path_exists("/dev/xvcpu"));
	ASSERT_FALSE(xt_path_exists("/sys/kernel/debug/xvcpu"));
}

/* KVM creating a VM proves CR4.VMXE is clear on every CPU. */
static int kvm_create_vm(void)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return -errno;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	vm = vm < 0 ? -errno : vm;
	close(kvm);
	return vm;
}

static int open_dev(void)
{
	return open("/dev/xvcpu", O_RDWR | O_CLOEXEC);
}

/* Count "vmx=on" lines for online CPUs in the per-CPU view. */
static int cpus_with_vmx(int *online_seen)
{
	char buf[8192], *line;
	int on = 0, online = 0;

	if (xt_read_file(CPUS_VIEW, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, "online=1"))
			continue;
		online++;
		if (strstr(line, "vmx=on"))
			on++;
	}
	*online_seen = online;
	return on;
}

/* The state line of one CPU, e.g. "cpu1 online=1 vmx=on vmxon=2". */
static int cpu_line(int cpu, char *out, size_t size)
{
	char buf[8192], want[32], *line;

	if (xt_read_file(CPUS_VIEW, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(want, sizeof(want), "cpu%d ", cpu);
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, want, strlen(want))) {
			snprintf(out, size, "%s", line);
			return 0;
		}
	}
	return -1;
}

/*
 * Let RCU-freed objects go, caches shrink and every slab cache hand its
 * per-CPU slabs back (/sys/kernel/slab/<cache>/shrink): SLUB counts the
 * objects of a per-CPU slab as all in use, which made the reading move
 * by tens of kB with no leak at all.
 */
static void settle(void)
{
	usleep(200 * 1000);
	xt_write_file("/proc/sys/vm/drop_caches", "3");
	xt_shrink_slabs();
}

struct mem_reading {
	long obj, slab, vmalloc, free;
};

static void read_mem(struct mem_reading *r)
{
	settle();
	r->obj = xt_slab_active_kb();
	r->slab = xt_meminfo_kb("Slab");
	r->vmalloc = xt_meminfo_kb("VmallocUsed");
	r->free = xt_free_pages();
}

#define LEAK_BATCHES	3
#define LEAK_CYCLES	10	/* load/unload cycles per batch */

TEST_F_TIMEOUT(mod, load_unload_30_cycles_no_leak, 600)
{
	struct mem_reading r[LEAK_BATCHES + 1];
	int i, b, grew_obj = 0, grew_vm = 0, lost_free = 0;

	/*
	 * Warm up caches that the first loads fill once. Measured (one boot,
	 * five builds in a row): the build tested first in a fresh VM grew
	 * +12..15 kB of slab objects over 20 cycles, every later build
	 * -2..+2 kB -- first-use growth, not a leak. Ten rounds cover it.
	 */
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, xt_load_xvcpu(NULL));
		ASSERT_EQ(0, xt_unload_xvcpu());
	}
	read_mem(&r[0]);
	ASSERT_GT(r[0].slab, 0);
	ASSERT_GT(r[0].obj, 0);
	ASSERT_GT(r[0].free, 0);

	for (b = 1; b <= LEAK_BATCHES; b++) {
		for (i = 0; i < LEAK_CYCLES; i++) {
			ASSERT_EQ(0, xt_load_xvcpu(NULL)) TH_LOG("cycle %d", i);
			ASSERT_TRUE(xt_path_exists("/dev/xvcpu"));
			ASSERT_EQ(0, xt_unload_xvcpu()) TH_LOG("cycle %d", i);
			assert_nothing_left(_metadata);
		}
		read_mem(&r[b]);
		printf("# leak check after %d cycles: slab objects %+ld kB (Slab pages %+ld kB), VmallocUsed %+ld kB, free pages %+ld\n",
		       b * LEAK_CYCLES, r[b].obj - r[0].obj,
		       r[b].slab - r[0].slab, r[b].vmalloc - r[0].vmalloc,
		       r[b].free - r[0].free);
		grew_obj += r[b].obj > r[b - 1].obj;
		grew_vm += r[b].vmalloc > r[b - 1].vmalloc;
		lost_free += r[b].free < r[b - 1].free;
	}
	fflush(stdout);
	/*
	 * A leak repeats every cycle, so it shows in every batch and adds
	 * up: 2 kB a cycle is 60 kB over 30 cycles; one VMXON page per CPU
	 * per cycle would be 60 pages. The kernel's own noise (a new
	 * kworker's 16 kB vmalloc'ed stack, an object cache growing once)
	 * shows in one batch, not in all three. Slab objects, not Slab
	 * pages: each load creates and removes some hundred tracefs files
	 * for the xvcpu events, and the partly used slab pages that leaves
	 * behind are the allocator's, not a leak.
	 */
	EXPECT_FALSE(grew_obj == LEAK_BATCHES &&
		     r[LEAK_BATCHES].obj - r[0].obj >= 48)
		TH_LOG("slab objects grew in every batch: a leak");
	EXPECT_FALSE(grew_vm == LEAK_BATCHES &&
		     r[LEAK_BATCHES].vmalloc - r[0].vmalloc >= 48)
		TH_LOG("vmalloc grew in every batch: a leak");
	EXPECT_FALSE(lost_free == LEAK_BATCHES &&
		     r[0].free - r[LEAK_BATCHES].free >= 24)
		TH_LOG("free pages fell in every batch: a page leak");
	/* Far beyond any noise, whatever its shape. */
	EXPECT_LT(r[LEAK_BATCHES].obj - r[0].obj, 256);
	EXPECT_LT(r[LEAK_BATCHES].vmalloc - r[0].vmalloc, 256);
	EXPECT_LT(r[0].free - r[LEAK_BATCHES].free, 96);
}

TEST_F(mod, vmxon_on_every_cpu)
{
	int online = 0, on;

	ASSERT_GE(xt_online_cpus(), 2) TH_LOG("the test VM must have 2 CPUs");
	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	on = cpus_with_vmx(&online);
	ASSERT_EQ(xt_online_cpus(), online);
	ASSERT_EQ(online, on);
	ASSERT_EQ(1, xt_kmsg_grep(&self->kmsg, "xvcpu: VMX on", NULL, 0));
}

TEST_F(mod, caps_view)
{
	char buf[16384];

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	ASSERT_GT(xt_read_file(CAPS_VIEW, buf, sizeof(buf)), 0);
	ASSERT_NE(NULL, strstr(buf, "vmcs revision: 0x"));
	ASSERT_NE(NULL, strstr(buf, "cr0 fixed0: 0x"));
	ASSERT_NE(NULL, strstr(buf, "cr4 fixed0: 0x"));
	ASSERT_NE(NULL, strstr(buf, "[x]  1 enable EPT (required)"));
	ASSERT_NE(NULL, strstr(buf, "[x]  5 enable VPID (required)"));
	ASSERT_NE(NULL, strstr(buf, "[x]  7 unrestricted guest (required)"));
	ASSERT_NE(NULL, strstr(buf, "[x]  6 EPT 4-level page walk (required)"));
	ASSERT_NE(NULL, strstr(buf, "[x]  7 HLT exiting (required)"));
	ASSERT_NE(NULL, strstr(buf, "[d]  9 IA-32e mode guest (required)"));
}

TEST_F(mod, cpu_offline_online_while_loaded)
{
	char line[128];

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	ASSERT_EQ(0, cpu_line(1, line, sizeof(line)));
	ASSERT_STREQ("cpu1 online=1 vmx=on vmxon=1", line);

	ASSERT_EQ(0, xt_set_cpu_online(1, false));
	ASSERT_EQ(0, cpu_line(1, line, sizeof(line)));
	ASSERT_STREQ("cpu1 online=0 vmx=off vmxon=1", line);

	ASSERT_EQ(0, xt_set_cpu_online(1, true));
	ASSERT_EQ(0, cpu_line(1, line, sizeof(line)));
	ASSERT_STREQ("cpu1 online=1 vmx=on vmxon=2", line);
	ASSERT_EQ(0, cpu_line(0, line, sizeof(line)));
	ASSERT_STREQ("cpu0 online=1 vmx=on vmxon=1", line);
}

TEST_F_TIMEOUT(mod, cpu_offline_at_load_then_online, KVM_TIMEOUT)
{
	char line[128];
	int fd;

	ASSERT_EQ(0, xt_set_cpu_online(1, false));
	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	ASSERT_EQ(0, cpu_line(1, line, sizeof(line)));
	ASSERT_STREQ("cpu1 online=0 vmx=off vmxon=0", line);
	ASSERT_EQ(0, xt_set_cpu_online(1, true));
	ASSERT_EQ(0, cpu_line(1, line, sizeof(line)));
	ASSERT_STREQ("cpu1 online=1 vmx=on vmxon=1", line);
	fd = open_dev();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(XVCPU_API_VERSION, ioctl(fd, XVCPU_GET_API_VERSION, 0));
	close(fd);
	/* Unload with a CPU offline, then prove no CPU kept CR4.VMXE. */
	ASSERT_EQ(0, xt_set_cpu_online(1, false));
	ASSERT_EQ(0, xt_unload_xvcpu());
	ASSERT_EQ(0, xt_set_cpu_online(1, true));
	ASSERT_EQ(0, xt_load_kvm());
	fd = kvm_create_vm();
	ASSERT_GE(fd, 0) TH_LOG("KVM_CREATE_VM: %s", strerror(-fd));
	close(fd);
}

TEST_F_TIMEOUT(mod, unload_leaves_vmx_off_for_kvm, KVM_TIMEOUT)
{
	int vm;

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	ASSERT_EQ(0, xt_unload_xvcpu());
	ASSERT_EQ(0, xt_load_kvm());
	vm = kvm_create_vm();
	ASSERT_GE(vm, 0) TH_LOG("KVM_CREATE_VM: %s", strerror(-vm));
	close(vm);
}

TEST_F_TIMEOUT(mod, refused_when_kvm_intel_loaded, KVM_TIMEOUT)
{
	char msgs[1024];

	ASSERT_EQ(0, xt_load_kvm());
	ASSERT_EQ(-EBUSY, xt_load_xvcpu(NULL));
	assert_nothing_left(_metadata);
	ASSERT_EQ(1, xt_kmsg_grep(&self->kmsg, "xvcpu:", msgs, sizeof(msgs)))
		TH_LOG("log: %s", msgs);
	ASSERT_NE(NULL, strstr(msgs, "kvm_intel is loaded"));
}

TEST_F_TIMEOUT(mod, refused_when_kvm_vm_holds_vmx, KVM_TIMEOUT)
{
	int vm, status;
	pid_t pid;
	int pipefd[2];
	char c;

	ASSERT_EQ(0, xt_load_kvm());
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Hold a KVM VM, so CR4.VMXE is set on every CPU. */
		vm = kvm_create_vm();
		c = vm >= 0 ? 'y' : 'n';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	ASSERT_EQ('y', c);
	ASSERT_EQ(-EBUSY, xt_load_xvcpu(NULL));
	assert_nothing_left(_metadata);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F_TIMEOUT(mod, kvm_intel_refused_while_loaded, KVM_TIMEOUT)
{
	char msgs[1024];
	int fd;

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	ASSERT_EQ(-EBUSY, xt_load_kvm());
	ASSERT_FALSE(xt_module_present("kvm_intel"));
	ASSERT_EQ(1, xt_kmsg_grep(&self->kmsg, "refusing to load kvm_intel",
				  msgs, sizeof(msgs)));
	ASSERT_EQ(0, xt_kmsg_grep(&self->kmsg, "WARNING", NULL, 0));
	/* xvcpu is unharmed. */
	fd = open_dev();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(XVCPU_API_VERSION, ioctl(fd, XVCPU_GET_API_VERSION, 0));
	close(fd);
	/* And after xvcpu goes, kvm_intel loads and runs. */
	ASSERT_EQ(0, xt_unload_xvcpu());
	ASSERT_EQ(0, xt_load_kvm());
	fd = kvm_create_vm();
	ASSERT_GE(fd, 0);
	close(fd);
}

static int child_open(uid_t uid, gid_t gid, int *api)
{
	int pipefd[2], status, res[2] = { 0, 0 };
	pid_t pid;

	if (pipe(pipefd))
		return -errno;
	pid = fork();
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
			_exit(3);
		fd = open("/dev/xvcpu", O_RDWR);
		res[0] = fd < 0 ? -errno : 0;
		res[1] = fd < 0 ? 0 : ioctl(fd, XVCPU_GET_API_VERSION, 0);
		if (write(pipefd[1], res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], res, sizeof(res)) != sizeof(res))
		res[0] = -EPIPE;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	*api = res[1];
	return res[0];
}

TEST_F(mod, device_permissions)
{
	struct stat st;
	int api = 0;

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	ASSERT_EQ(0, stat("/dev/xvcpu", &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(10, major(st.st_rdev));	/* misc */
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, st.st_uid);
	ASSERT_EQ(0, st.st_gid);
	ASSERT_EQ(-EACCES, child_open(65534, 65534, &api));
	ASSERT_EQ(-EACCES, child_open(65534, 4242, &api));

	ASSERT_EQ(0, xt_unload_xvcpu());
	ASSERT_EQ(0, xt_load_xvcpu("group=4242"));
	ASSERT_EQ(0, stat("/dev/xvcpu", &st));
	ASSERT_EQ(0660, st.st_mode & 07777);
	ASSERT_EQ(4242, st.st_gid);
	ASSERT_EQ(0, child_open(65534, 4242, &api));
	ASSERT_EQ(XVCPU_API_VERSION, api);
	ASSERT_EQ(-EACCES, child_open(65534, 65534, &api));

	/* A group outside the valid range is refused, leaving nothing. */
	ASSERT_EQ(0, xt_unload_xvcpu());
	ASSERT_EQ(-EINVAL, xt_load_xvcpu("group=-5"));
	assert_nothing_left(_metadata);
}

#define LOGLEVEL	"/sys/module/xvcpu/parameters/loglevel"

/* Create a VM through a fresh system fd and close both: its id. */
static int create_and_close_vm(void)
{
	int sys = open("/dev/xvcpu", O_RDWR), vm, id;

	if (sys < 0)
		return -errno;
	vm = ioctl(sys, XVCPU_CREATE_VM, 0UL);
	if (vm < 0) {
		close(sys);
		return -errno;
	}
	id = ioctl(vm, XVCPU_GET_VM_ID, 0UL);
	close(vm);
	close(sys);
	return id;
}

/*
 * loglevel: at 3 the load's info line is not printed; bad values are
 * refused and the value stays; at 7 the VM life-cycle debug points
 * print, at 6 they do not (dynamic debug is off for the module here).
 */
TEST_F(mod, loglevel)
{
	static const char *const bad[] = { "8", "-1", "x", "\n", "3x", "99999999999" };
	char buf[64], msgs[1024], want[64], want2[64];
	const char *const both[] = { want, want2, NULL };
	char *line;
	unsigned int i;
	int id;

	ASSERT_EQ(0, xt_load_xvcpu("loglevel=3"));
	EXPECT_EQ(0, xt_kmsg_grep(&self->kmsg, "xvcpu: VMX on", NULL, 0));
	ASSERT_GT(xt_read_file(LOGLEVEL, buf, sizeof(buf)), 0);
	EXPECT_STREQ("3\n", buf);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, xt_write_file(LOGLEVEL, bad[i]))
			TH_LOG("loglevel '%s'", bad[i]);
		ASSERT_GT(xt_read_file(LOGLEVEL, buf, sizeof(buf)), 0);
		EXPECT_STREQ("3\n", buf);
	}

	ASSERT_EQ(0, xt_write_file(LOGLEVEL, "7"));
	id = create_and_close_vm();
	ASSERT_GE(id, 0);
	snprintf(want, sizeof(want), "xvcpu: vm %d created by pid %d", id,
		 getpid());
	snprintf(want2, sizeof(want2), "xvcpu: vm %d (pid %d) destroyed", id,
		 getpid());
	EXPECT_EQ(2, xt_kmsg_grep_any(&self->kmsg, both, msgs, sizeof(msgs)));
	for (line = strtok(msgs, "\n"); line; line = strtok(NULL, "\n"))
		printf("# loglevel 7: %s\n", line);
	fflush(stdout);

	ASSERT_EQ(0, xt_write_file(LOGLEVEL, "6"));
	id = create_and_close_vm();
	ASSERT_GE(id, 0);
	EXPECT_EQ(0, xt_kmsg_grep(&self->kmsg, "xvcpu: vm ", NULL, 0));

	ASSERT_EQ(0, xt_unload_xvcpu());
	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	ASSERT_GT(xt_read_file(LOGLEVEL, buf, sizeof(buf)), 0);
	EXPECT_STREQ("6\n", buf);
	EXPECT_EQ(1, xt_kmsg_grep(&self->kmsg, "xvcpu: VMX on", NULL, 0));
}

TEST_F(mod, get_api_version)
{
	int fd;

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	fd = open_dev();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, XVCPU_API_VERSION);
	ASSERT_EQ(XVCPU_API_VERSION, ioctl(fd, XVCPU_GET_API_VERSION, 0));
	errno = 0;
	ASSERT_EQ(-1, ioctl(fd, XVCPU_GET_API_VERSION, 1));
	ASSERT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(mod, check_cap_known)
{
	static const struct { int cap; const char *view; } hw[] = {
		{ XVCPU_CAP_EPT_2M, "[x] 16 EPT 2 MiB pages" },
		{ XVCPU_CAP_EPT_1G, "[x] 17 EPT 1 GiB pages" },
		{ XVCPU_CAP_EPT_AD, "[x] 21 EPT accessed/dirty flags" },
	};
	char buf[16384];
	unsigned int i;
	int fd, r;

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	fd = open_dev();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, ioctl(fd, XVCPU_CHECK_CAP, XVCPU_CAP_EPT));
	ASSERT_EQ(1, ioctl(fd, XVCPU_CHECK_CAP, XVCPU_CAP_VPID));
	ASSERT_EQ(1, ioctl(fd, XVCPU_CHECK_CAP, XVCPU_CAP_UNRESTRICTED_GUEST));
	/* Hardware-dependent caps must agree with the capability view. */
	ASSERT_GT(xt_read_file(CAPS_VIEW, buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(hw) / sizeof(hw[0]); i++) {
		r = ioctl(fd, XVCPU_CHECK_CAP, hw[i].cap);
		ASSERT_TRUE(r == 0 || r == 1);
		ASSERT_EQ(r, strstr(buf, hw[i].view) != NULL)
			TH_LOG("cap %d vs '%s'", hw[i].cap, hw[i].view);
	}
	r = ioctl(fd, XVCPU_CHECK_CAP, XVCPU_CAP_PREEMPTION_TIMER);
	ASSERT_EQ(r, strstr(buf, "[d]  6 VMX-preemption timer") != NULL);
	/* The test VM's CPU model (Skylake-X in Bochs) has all of them. */
	ASSERT_EQ(1, r);
	close(fd);
}

TEST_F(mod, check_cap_unknown)
{
	static const unsigned long bad[] = { 0, XVCPU_CAP_NR, 0x7fffffff,
					     0xffffffffUL, ~0UL };
	unsigned int i;
	int fd;

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	fd = open_dev();
	ASSERT_GE(fd, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ASSERT_EQ(-1, ioctl(fd, XVCPU_CHECK_CAP, bad[i]));
		ASSERT_EQ(EINVAL, errno) TH_LOG("cap 0x%lx", bad[i]);
	}
	close(fd);
}

TEST_F(mod, unknown_ioctl_is_enotty)
{
	static const unsigned long cmds[] = {
		_IO(XVCPUIO, 0x3f),		/* unused system number */
		_IO(XVCPUIO, 0x40),		/* VM range on the system fd */
		_IO(XVCPUIO, 0x80),		/* vCPU range on the system fd */
		_IOR(XVCPUIO, 0x00, int),	/* right number, wrong shape */
		_IO(0xAE, 0x00),		/* KVM_GET_API_VERSION */
		0,
		0xffffffffUL,
	};
	unsigned int i;
	int fd;

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	fd = open_dev();
	ASSERT_GE(fd, 0);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		ASSERT_EQ(-1, ioctl(fd, cmds[i], 0));
		ASSERT_EQ(ENOTTY, errno) TH_LOG("cmd 0x%lx", cmds[i]);
	}
	close(fd);
}

TEST_F(mod, unload_refused_while_fd_open)
{
	int fd, fd2;

	ASSERT_EQ(0, xt_load_xvcpu(NULL));
	fd = open_dev();
	ASSERT_GE(fd, 0);
	fd2 = dup(fd);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(-EWOULDBLOCK, xt_unload("xvcpu"));
	ASSERT_TRUE(xt_module_present("xvcpu"));
	ASSERT_EQ(XVCPU_API_VERSION, ioctl(fd, XVCPU_GET_API_VERSION, 0));
	close(fd);
	/* The dup still holds the file. */
	ASSERT_EQ(-EWOULDBLOCK, xt_unload("xvcpu"));
	ASSERT_EQ(XVCPU_API_VERSION, ioctl(fd2, XVCPU_GET_API_VERSION, 0));
	close(fd2);
	ASSERT_EQ(0, xt_unload("xvcpu"));
	assert_nothing_left(_metadata);
}

TEST_HARNESS_MAIN
