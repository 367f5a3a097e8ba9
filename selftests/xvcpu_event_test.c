// SPDX-License-Identifier: GPL-2.0
/*
 * Events: a signal ends XVCPU_RUN of a spinning guest (-EINTR with
 * XVCPU_EXIT_INTR) and the guest goes on afterwards; immediate_exit;
 * external interrupts injected with XVCPU_INTERRUPT (IF=1, IF=0 then
 * STI) and the interrupt window. Guests loop by iteration count; host
 * waits are bounded by polling counts with a wall-clock cap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/fixture.h"
#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

/* ---- a spinning guest, stopped by signals ------------------------------------------ */

static volatile uint64_t spin_counter, spin_stop;

GUEST_CODE static void guest_spin(void)
{
	while (!READ_ONCE(spin_stop))
		WRITE_ONCE(spin_counter, spin_counter + 1);
	GUEST_DONE();
}

static void sig_nop(int sig)
{
}

static void install_nop_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_nop;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(sig, &sa, NULL), "sigaction: %s",
		    strerror(errno));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* Finish a spinning guest with GUEST_DONE. */
static void stop_spinner(struct xt_vcpu *vcpu)
{
	spin_stop = 1;
	TEST_ASSERT_DONE(vcpu);
}

/*
 * A repeating ITIMER_REAL (SIGALRM) interrupts RUN; RUN again continues.
 * A signal may also arrive before the guest is entered (EINTR, no
 * progress: correct too). On a slow kernel (the debug kernel: KASAN and
 * lockdep make the entry path longer than 20 ms of guest time) the
 * timer can fire before every entry: a round then RUNs again with the
 * interval doubled, at most TIMER_TRIES times. The bound is a count of
 * RUNs, not wall time.
 */
#define TIMER_TRIES	10

TEST_F(xvcpu, signal_timer_interrupts_run)
{
	struct itimerval off = {};
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_spin);
	uint64_t before;
	long us = 20000;
	int i, t, r, err, runs = 0;

	install_nop_handler(SIGALRM);
	spin_counter = spin_stop = 0;
	for (i = 0; i < 3; i++) {
		before = spin_counter;
		for (t = 0; t < TIMER_TRIES && spin_counter == before; t++) {
			struct itimerval on = {
				{ us / 1000000, us % 1000000 },
				{ us / 1000000, us % 1000000 },
			};

			ASSERT_EQ(0, setitimer(ITIMER_REAL, &on, NULL));
			r = __xt_vcpu_run(vcpu);
			err = errno;
			ASSERT_EQ(0, setitimer(ITIMER_REAL, &off, NULL));
			runs++;
			ASSERT_EQ(-1, r) TH_LOG("round %d: RUN returned %d", i, r);
			ASSERT_EQ(EINTR, err);
			ASSERT_EQ(XVCPU_EXIT_INTR, vcpu->run->exit_reason);
			if (spin_counter == before)
				us *= 2;
		}
		ASSERT_GT(spin_counter, before)
			TH_LOG("round %d: no progress in %d RUNs (timer up to %ld us)",
			       i, t, us);
	}
	printf("# guest counted to %llu across %d timer signals (interval %ld us)\n",
	       (unsigned long long)spin_counter, runs, us);
	fflush(stdout);
	stop_spinner(vcpu);
	xt_vm_destroy(vm);
}

struct kicker {
	pthread_t target;
	uint64_t from, steps;
	int sig;
	int sent;		/* 1 sent, -1 gave up */
};

/* Wait until the guest counted @steps more, then signal the vCPU thread. */
static void *kicker_fn(void *arg)
{
	struct kicker *k = arg;
	uint64_t deadline = now_ms() + 60000;

	while (READ_ONCE(spin_counter) < k->from + k->steps) {
		if (now_ms() > deadline) {
			k->sent = -1;
			return NULL;
		}
		sched_yield();
	}
	pthread_kill(k->target, k->sig);
	k->sent = 1;
	return NULL;
}

TEST_F(xvcpu, signal_pthread_kill_interrupts_run)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_spin);
	struct xvcpu_regs regs;
	struct kicker k;
	pthread_t th;
	int i, r, err;

	install_nop_handler(SIGUSR1);
	spin_counter = spin_stop = 0;
	for (i = 0; i < 5; i++) {
		k = (struct kicker){ .target = pthread_self(),
				     .from = spin_counter, .steps = 10000,
				     .sig = SIGUSR1 };
		ASSERT_EQ(0, pthread_create(&th, NULL, kicker_fn, &k));
		r = __xt_vcpu_run(vcpu);
		err = errno;
		pthread_join(th, NULL);
		ASSERT_EQ(1, k.sent) TH_LOG("round %d: the guest made no progress", i);
		ASSERT_EQ(-1, r) TH_LOG("round %d: RUN returned %d, exit %s", i,
					r, xt_exit_reason_str(vcpu->run->exit_reason));
		ASSERT_EQ(EINTR, err);
		ASSERT_EQ(XVCPU_EXIT_INTR, vcpu->run->exit_reason);
		ASSERT_GE(spin_counter, k.from + k.steps);
		/* The guest was stopped inside its loop. */
		xt_vcpu_get_regs(vcpu, &regs);
		ASSERT_GE(regs.rip, (uintptr_t)guest_spin);
		ASSERT_LT(regs.rip, (uintptr_t)guest_spin + 0x100);
	}
	stop_spinner(vcpu);
	xt_vm_destroy(vm);
}

TEST_F(xvcpu, immediate_exit)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = xt_vm_create_with_vcpu(&vcpu, guest_spin);
	struct xvcpu_regs before, after;
	uint64_t count;
	long us;
	int i, r;

	spin_counter = spin_stop = 0;
	xt_vcpu_get_regs(vcpu, &before);
	vcpu->run->immediate_exit = 1;
	for (i = 0; i < 3; i++) {
		vcpu->run->exit_reason = XVCPU_EXIT_UNKNOWN;
		r = __xt_vcpu_run(vcpu);
		ASSERT_EQ(-1, r);
		ASSERT_EQ(EINTR, errno);
		ASSERT_EQ(XVCPU_EXIT_INTR, vcpu->run->exit_reason);
	}
	/* Not entered at all. */
	ASSERT_EQ(0, spin_counter);
	xt_vcpu_get_regs(vcpu, &after);
	ASSERT_EQ(before.rip, after.rip);

	/* Between runs too: stopped somewhere in the loop, then frozen. */
	vcpu->run->immediate_exit = 0;
	install_nop_handler(SIGALRM);
	/* As in signal_timer_interrupts_run: the interval doubles until
	 * the guest was entered at least once. */
	for (i = 0, us = 20000; i < TIMER_TRIES && !spin_counter; i++, us *= 2) {
		struct itimerval on = {
			{ us / 1000000, us % 1000000 },
			{ us / 1000000, us % 1000000 },
		}, off = {};

		ASSERT_EQ(0, setitimer(ITIMER_REAL, &on, NULL));
		r = __xt_vcpu_run(vcpu);
		setitimer(ITIMER_REAL, &off, NULL);
		ASSERT_EQ(-1, r);
		ASSERT_EQ(EINTR, errno);
	}
	count = spin_counter;
	ASSERT_GT(count, 0);
	vcpu->run->immediate_exit = 1;
	ASSERT_EQ(-1, __xt_vcpu_run(vcpu));
	ASSERT_EQ(EINTR, errno);
	ASSERT_EQ(count, spin_counter);

	vcpu->run->immediate_exit = 0;
	stop_spinner(vcpu);
	xt_vm_destroy(vm);
}

/* ---- interrupt injection ------------------------------------------------------------ */

#define IRQ_SPIN	1000000

static volatile uint64_t irq_count, irq_vector, irq_rflags;

GUEST_CODE static void irq_handler(struct xt_ex_regs *regs)
{
	irq_vector = regs->vector;
	irq_rflags = regs->rflags;
	irq_count++;
}

GUEST_CODE static void wait_irq(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < IRQ_SPIN && READ_ONCE(irq_count) < n; i++)
		xt_pause();
}

static struct xt_vm *irq_vm(struct xt_vcpu **vcpu, void *guest,
			    unsigned int vector)
{
	struct xt_vm *vm = xt_vm_create_with_vcpu(vcpu, guest);

	xt_vm_install_handler(vm, vector, irq_handler);
	irq_count = irq_vector = irq_rflags = 0;
	return vm;
}

GUEST_CODE static void guest_irq_if1(void)
{
	xt_sti();
	GUEST_SYNC(1);
	wait_irq(1);
	GUEST_ASSERT_EQ(irq_count, 1);
	GUEST_ASSERT_EQ(irq_vector, 0x40);
	/* The handler interrupted code running with IF=1. */
	GUEST_ASSERT(irq_rflags & X86_RFLAGS_IF);
	GUEST_SYNC(2);
	wait_irq(2);
	GUEST_ASSERT_EQ(irq_count, 2);
	GUEST_ASSERT_EQ(irq_vector, 0xff);
	GUEST_DONE();
}

TEST_F(xvcpu, interrupt_injected_if1)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = irq_vm(&vcpu, guest_irq_if1, 0x40);

	xt_vm_install_handler(vm, 0xff, irq_handler);
	TEST_ASSERT_SYNC(vcpu, 1, NULL);
	ASSERT_EQ(1, vcpu->run->if_flag);
	ASSERT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	xt_vcpu_interrupt(vcpu, 0x40);
	TEST_ASSERT_SYNC(vcpu, 2, NULL);
	xt_vcpu_interrupt(vcpu, 0xff);
	TEST_ASSERT_DONE(vcpu);
	xt_vm_destroy(vm);
}

GUEST_CODE static void guest_irq_sti(void)
{
	uint64_t i;

	xt_cli();
	GUEST_SYNC(1);
	/* Queued, but IF=0: not delivered. */
	for (i = 0; i < 10000; i++)
		xt_pause();
	GUEST_ASSERT_EQ(irq_count, 0);
	GUEST_SYNC(2);
	/* Delivered after the STI shadow, before the next GUEST_ASSERT. */
	asm volatile("sti; nop" : : : "memory");
	GUEST_ASSERT_EQ(irq_count, 1);
	GUEST_ASSERT_EQ(irq_vector, 0x41);
	GUEST_DONE();
}

TEST_F(xvcpu, interrupt_delivered_after_sti)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = irq_vm(&vcpu, guest_irq_sti, 0x41);

	TEST_ASSERT_SYNC(vcpu, 1, NULL);
	ASSERT_EQ(0, vcpu->run->if_flag);
	ASSERT_EQ(0, vcpu->run->ready_for_interrupt_injection);
	xt_vcpu_interrupt(vcpu, 0x41);
	TEST_ASSERT_SYNC(vcpu, 2, NULL);
	ASSERT_EQ(0, vcpu->run->if_flag);
	ASSERT_EQ(0, irq_count);
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(1, irq_count);
	xt_vm_destroy(vm);
}

static volatile uint64_t window_progress;

GUEST_CODE static void guest_irq_window(void)
{
	uint64_t i;

	xt_cli();
	GUEST_SYNC(1);
	/* The host asked for the window: it must not open while IF=0. */
	for (i = 0; i < 1000; i++)
		WRITE_ONCE(window_progress, i + 1);
	asm volatile("sti; nop" : : : "memory");
	wait_irq(1);
	GUEST_ASSERT_EQ(irq_count, 1);
	GUEST_ASSERT_EQ(irq_vector, 0x42);
	WRITE_ONCE(window_progress, 2000);
	GUEST_SYNC(2);
	WRITE_ONCE(window_progress, 3000);
	GUEST_DONE();
}

TEST_F(xvcpu, interrupt_window_open)
{
	struct xt_vcpu *vcpu;
	struct xt_vm *vm = irq_vm(&vcpu, guest_irq_window, 0x42);
	struct xvcpu_run *run = vcpu->run;

	window_progress = 0;
	TEST_ASSERT_SYNC(vcpu, 1, NULL);
	ASSERT_EQ(0, run->if_flag);
	run->request_interrupt_window = 1;
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IRQ_WINDOW_OPEN);
	ASSERT_EQ(1000, window_progress);
	ASSERT_EQ(1, run->if_flag);
	ASSERT_EQ(1, run->ready_for_interrupt_injection);
	run->request_interrupt_window = 0;
	xt_vcpu_interrupt(vcpu, 0x42);
	TEST_ASSERT_SYNC(vcpu, 2, NULL);

	/* IF=1 already: the window is open at once. */
	ASSERT_EQ(1, run->if_flag);
	run->request_interrupt_window = 1;
	xt_vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, XVCPU_EXIT_IRQ_WINDOW_OPEN);
	ASSERT_EQ(2000, window_progress);
	run->request_interrupt_window = 0;
	TEST_ASSERT_DONE(vcpu);
	ASSERT_EQ(3000, window_progress);
	xt_vm_destroy(vm);
}

TEST_HARNESS_MAIN
