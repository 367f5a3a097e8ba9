// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs and host threads: two vCPUs of one VM running at once on two
 * CPUs and talking through shared memory, a vCPU thread migrated between
 * CPUs while its guest runs, 64 vCPUs in one VM, closing fds in every
 * order, and a process that exits (or is killed) while a thread is
 * inside XVCPU_RUN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

/* ---- two vCPUs, two CPUs, one shared variable ------------------------------------ */

#define PP_ROUNDS	1000
#define PP_SPIN_LIMIT	50000000ULL

static volatile uint64_t pp_turn, pp_count[2];

/* vCPU @id takes turns 2i + id: each waits for the other's write. */
GUEST_CODE static void guest_pingpong(uint64_t id, uint64_t rounds)
{
	uint64_t i, spins;

	for (i = 0; i < rounds; i++) {
		uint64_t want = 2 * i + id;

		for (spins = 0; READ_ONCE(pp_turn) != want; spins++) {
			if (spins > PP_SPIN_LIMIT)
				GUEST_ASSERT_EQ(READ_ONCE(pp_turn), want);
			xt_pause();
		}
		pp_count[id]++;
		WRITE_ONCE(pp_turn, want + 1);
		if (i % 100 == 99)
			GUEST_SYNC_ARGS(i, pp_count[0], pp_count[1]);
	}
	GUEST_DONE();
}

TEST_F_TIMEOUT(xvcpu, two_vcpus_two_cpus, 300)
{
	struct xt_vm *vm;
	struct xt_pinned t[2];
	pthread_t th[2];
	int i;

	if (xt_online_cpus() < 2)
		SKIP(return, "needs 2 CPUs");
	vm = xt_vm_create_x86();
	pp_turn = pp_count[0] = pp_count[1] = 0;
	for (i = 0; i < 2; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].vcpu = xt_vm_add_vcpu(vm, i, guest_pingpong);
		t[i].cpu = i;
		xt_vcpu_args_set(t[i].vcpu, 2, (uint64_t)i, (uint64_t)PP_ROUNDS);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, xt_pinned_run, &t[i]));
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		ASSERT_STREQ("", t[i].err) TH_LOG("vCPU %d", i);
		ASSERT_EQ(0, t[i].wrong_cpu);
		ASSERT_EQ(PP_ROUNDS / 100, t[i].syncs);
	}
	ASSERT_EQ(PP_ROUNDS, pp_count[0]);
	ASSERT_EQ(PP_ROUNDS, pp_count[1]);
	ASSERT_EQ(2 * PP_ROUNDS, pp_turn);
	xt_vm_destroy(vm);
}

/* ---- migrating the vCPU thread while the guest runs ------------------------------- */

#define MIG_WORK	20000
#define MIG_MAX_STEPS	20000
#define MIG_MOVES	50

static volatile uint64_t mig_stop;

static uint64_t mig_hash(uint64_t h, uint64_t i)
{
	uint64_t j;

	for (j = 0; j < MIG_WORK; j++)
		h = h * 6364136223846793005ULL + i + j;
	return h;
}

/* Work, report, until the host says stop (or MIG_MAX_STEPS). */
GUEST_CODE static void guest_migrate(void)
{
	uint64_t i, j, h = 1;

	for (i = 0; i < MIG_MAX_STEPS && !READ_ONCE(mig_stop); i++) {
		/* Long enough to be preempted and moved mid-guest. */
		for (j = 0; j < MIG_WORK; j++)
			h = h * 6364136223846793005ULL + i + j;
		GUEST_SYNC_ARGS(i, h);
	}
	GUEST_DONE();
}

struct migrator {
	pid_t tid;
	volatile int stop;
	volatile int moves;
	int errors;
};

static void *migrator_fn(void *arg)
{
	struct migrator *m = arg;
	cpu_set_t set;
	int cpu = 0;

	while (!m->stop) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(m->tid, sizeof(set), &set))
			m->errors++;
		m->moves++;
		cpu ^= 1;
		usleep(1000);
	}
	return NULL;
}

/*
 * The vCPU thread is moved between CPU0 and CPU1 while its guest computes
 * and reports: every report is in order and every hash is right. Bounded
 * by moves (MIG_MOVES) and steps (MIG_MAX_STEPS), not by time.
 */
TEST_F_TIMEOUT(xvcpu, affinity_change_while_running, 600)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	struct migrator m = {};
	uint64_t h = 1, i = 0, cmd;
	int cpus_seen = 0, last = -1, changes = 0;
	pthread_t th;
	struct ucall uc;

	if (xt_online_cpus() < 2)
		SKIP(return, "needs 2 CPUs");
	mig_stop = 0;
	vm = xt_vm_create_with_vcpu(&vcpu, guest_migrate);
	m.tid = gettid();
	ASSERT_EQ(0, pthread_create(&th, NULL, migrator_fn, &m));
	for (;;) {
		int cpu;

		cmd = xt_run_ucall(vcpu, &uc);
		if (cmd == UCALL_DONE)
			break;
		h = mig_hash(h, i);
		ASSERT_EQ(i, uc.args[0]);
		ASSERT_EQ(h, uc.args[1]) TH_LOG("step %llu", (unsigned long long)i);
		i++;
		cpu = sched_getcpu();
		if (cpu != last) {
			changes++;
			cpus_seen |= 1 << cpu;
		}
		last = cpu;
		if (m.moves >= MIG_MOVES && cpus_seen == 3)
			mig_stop = 1;
	}
	m.stop = 1;
	pthread_join(th, NULL);
	printf("# %llu steps, %d affinity changes, %d CPU changes seen between exits\n",
	       (unsigned long long)i, m.moves, changes);
	ASSERT_EQ(0, m.errors);
	ASSERT_TRUE(mig_stop) TH_LOG("%d moves in %d steps", m.moves, MIG_MAX_STEPS);
	ASSERT_EQ(3, cpus_seen);
	xt_vm_destroy(vm);
}

/* ---- 64 vCPUs ------------------------------------------------------------------- */

GUEST_CODE static void guest_report_id(uint64_t id)
{
	GUEST_SYNC_ARGS(id, xt_read_cr3());
	GUEST_DONE();
}

TEST_F_TIMEOUT(xvcpu, max_vcpus, 300)
{
	struct xt_vm *vm = xt_vm_create_x86();
	struct xt_vcpu *vcpu[XVCPU_MAX_VCPUS];
	struct ucall uc;
	int i;

	for (i = 0; i < XVCPU_MAX_VCPUS; i++) {
		vcpu[i] = xt_vm_add_vcpu(vm, i, guest_report_id);
		xt_vcpu_args_set(vcpu[i], 1, (uint64_t)i);
	}
	ASSERT_EQ(-1, __xt_vcpu_create(vm, XVCPU_MAX_VCPUS));
	ASSERT_EQ(EINVAL, errno);
	/* Backwards, so that ids and creation order differ. */
	for (i = XVCPU_MAX_VCPUS - 1; i >= 0; i--) {
		TEST_ASSERT_SYNC(vcpu[i], i, &uc);
		ASSERT_EQ(XT_SYS_GPA, uc.args[1]);
	}
	for (i = 0; i < XVCPU_MAX_VCPUS; i++)
		TEST_ASSERT_DONE(vcpu[i]);
	xt_vm_destroy(vm);
}

/* ---- closing fds in any order ----------------------------------------------------- */

/* Real mode at 0:0x1000: HLT in a loop. */
static const uint8_t hlt_loop[] = { 0xf4, 0xeb, 0xfd };

struct handles {
	int sys, vm, vcpu;
	void *run, *mem;
	long run_size;
};

/* A VM that has run (so the kernel has everything set up), by hand. */
static void make_vm(struct handles *h)
{
	struct xvcpu_memory_region r = {};
	struct xt_vm tmp = {};
	struct xt_vcpu v = {};

	h->sys = xt_open_dev();
	h->vm = ioctl(h->sys, XVCPU_CREATE_VM, 0UL);
	TEST_ASSERT(h->vm >= 0, "XVCPU_CREATE_VM: %s", strerror(errno));
	h->run_size = ioctl(h->sys, XVCPU_GET_VCPU_MMAP_SIZE, 0UL);
	TEST_ASSERT(h->run_size > 0, "XVCPU_GET_VCPU_MMAP_SIZE: %s",
		    strerror(errno));
	h->mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(h->mem != MAP_FAILED, "mmap");
	memcpy((char *)h->mem + 0x1000, hlt_loop, sizeof(hlt_loop));
	r.slot = 0;
	r.memory_size = 0x10000;
	r.userspace_addr = (uintptr_t)h->mem;
	TEST_ASSERT(!ioctl(h->vm, XVCPU_SET_MEMORY_REGION, &r),
		    "XVCPU_SET_MEMORY_REGION: %s", strerror(errno));
	h->vcpu = ioctl(h->vm, XVCPU_CREATE_VCPU, 0UL);
	TEST_ASSERT(h->vcpu >= 0, "XVCPU_CREATE_VCPU: %s", strerror(errno));
	h->run = mmap(NULL, h->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      h->vcpu, 0);
	TEST_ASSERT(h->run != MAP_FAILED, "mmap run: %s", strerror(errno));
	/* Borrow the library's mode set-up on a stack-built vCPU. */
	tmp.fd = h->vm;
	tmp.run_size = h->run_size;
	v.vm = &tmp;
	v.fd = h->vcpu;
	v.run = h->run;
	xt_vcpu_setup_real_mode(&v, 0, 0x1000);
	xt_vcpu_run(&v);
	TEST_ASSERT_EXIT_REASON(&v, XVCPU_EXIT_HLT);
}

static void release(struct handles *h, int what)
{
	switch (what) {
	case 0:
		TEST_ASSERT(!close(h->sys), "close sys");
		break;
	case 1:
		TEST_ASSERT(!close(h->vm), "close vm");
		break;
	case 2:
		TEST_ASSERT(!close(h->vcpu), "close vcpu");
		break;
	case 3:
		TEST_ASSERT(!munmap(h->run, h->run_size), "munmap run");
		break;
	case 4:
		TEST_ASSERT(!munmap(h->mem, 0x10000), "munmap memory");
		break;
	}
}

static bool next_perm(int *a, int n)
{
	int i = n - 2, j = n - 1, t;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	while (a[j] <= a[i])
		j--;
	t = a[i], a[i] = a[j], a[j] = t;
	for (i++, j = n - 1; i < j; i++, j--)
		t = a[i], a[i] = a[j], a[j] = t;
	return true;
}

/* All 120 orders of: system fd, VM fd, vCPU fd, run mapping, guest memory. */
TEST_F_TIMEOUT(xvcpu, close_fds_any_order, 300)
{
	int order[5] = { 0, 1, 2, 3, 4 }, fds0, n = 0, i;
	struct handles h;

	fds0 = xt_count_fds();
	do {
		make_vm(&h);
		for (i = 0; i < 5; i++)
			release(&h, order[i]);
		n++;
	} while (next_perm(order, 5));
	ASSERT_EQ(120, n);
	ASSERT_EQ(fds0, xt_count_fds());

	/* A vCPU outlives its VM fd and system fd, and still runs. */
	make_vm(&h);
	release(&h, 1);
	release(&h, 0);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ioctl(h.vcpu, XVCPU_RUN, 0UL));
		ASSERT_EQ(XVCPU_EXIT_HLT,
			  ((struct xvcpu_run *)h.run)->exit_reason);
	}
	release(&h, 2);
	release(&h, 3);
	release(&h, 4);
}

/* ---- the process goes while a thread is inside XVCPU_RUN --------------------------- */

static volatile uint64_t exit_spin;

GUEST_CODE static void guest_spin_forever(void)
{
	for (;;)
		WRITE_ONCE(exit_spin, exit_spin + 1);
}

static void *run_forever(void *arg)
{
	struct xt_vcpu *vcpu = arg;

	for (;;)
		__xt_vcpu_run(vcpu);
	return NULL;
}

enum { END_EXIT, END_CLOSE_THEN_EXIT, END_SIGKILL };

/* Child: a VM, a thread in RUN, then the end chosen by @how. */
static void child(int how, int ready_fd)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_spin_forever);
	uint64_t deadline = xt_now_ms() + 60000;
	pthread_t th;
	char c = 'r';

	exit_spin = 0;
	if (pthread_create(&th, NULL, run_forever, vcpu))
		_exit(3);
	while (READ_ONCE(exit_spin) < 100000) {
		if (xt_now_ms() > deadline)
			_exit(4);
		sched_yield();
	}
	if (how == END_CLOSE_THEN_EXIT) {
		/* The running thread holds its own reference. */
		close(vcpu->fd);
		close(vm->fd);
		close(vm->sys_fd);
	}
	if (write(ready_fd, &c, 1) != 1)
		_exit(5);
	if (how == END_SIGKILL)
		for (;;)
			pause();
	_exit(0);
}

static int module_refcnt(void)
{
	char buf[32];

	if (xt_read_file("/sys/module/xvcpu/refcnt", buf, sizeof(buf)) < 0)
		return -1;
	return atoi(buf);
}

/* Wait for @pid up to @ms; the status, or -1 on timeout. */
static int wait_child(pid_t pid, uint64_t ms)
{
	uint64_t deadline = xt_now_ms() + ms;
	int status;

	while (xt_now_ms() < deadline) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		usleep(10000);
	}
	return -1;
}

static void exit_while_running(struct __test_metadata *_metadata, int how)
{
	int pipefd[2], status, ref0;
	struct xt_vcpu *vcpu;
	struct xt_vm *vm;
	pid_t pid;
	char c;

	ref0 = module_refcnt();
	ASSERT_GE(ref0, 0);
	ASSERT_EQ(0, pipe(pipefd));
	/* Fork before this process maps the image into any VM. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(pipefd[0]);
		child(how, pipefd[1]);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1)) TH_LOG("child failed before RUN");
	close(pipefd[0]);
	if (how == END_SIGKILL)
		kill(pid, SIGKILL);
	status = wait_child(pid, 60000);
	if (status == -1) {
		kill(pid, SIGKILL);
		status = wait_child(pid, 30000);
		ASSERT_NE(-1, status) TH_LOG("child stuck even after SIGKILL (in RUN?)");
		ASSERT_TRUE(false) TH_LOG("child did not exit within 60 s while a thread was in RUN");
	}
	if (how == END_SIGKILL) {
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("status 0x%x", status);
	} else {
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("status 0x%x", status);
	}
	/* All of the child's references are gone... */
	for (int i = 0; i < 100 && module_refcnt() != ref0; i++)
		usleep(10000);
	ASSERT_EQ(ref0, module_refcnt());
	/* ...and the module still works. */
	vm = xt_vm_create_with_vcpu(&vcpu, guest_report_id);
	xt_vcpu_args_set(vcpu, 1, 7ULL);
	TEST_ASSERT_SYNC(vcpu, 7, NULL);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

TEST_F_TIMEOUT(xvcpu, process_exit_while_in_run, 300)
{
	exit_while_running(_metadata, END_EXIT);
}

TEST_F_TIMEOUT(xvcpu, process_exit_after_close_while_in_run, 300)
{
	exit_while_running(_metadata, END_CLOSE_THEN_EXIT);
}

TEST_F_TIMEOUT(xvcpu, sigkill_while_in_run, 300)
{
	exit_while_running(_metadata, END_SIGKILL);
}

TEST_HARNESS_MAIN
