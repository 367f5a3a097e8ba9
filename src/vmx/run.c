// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop of one vCPU (XVCPU_RUN). Process context; the vCPU is
 * loaded (preemption off) except where something may sleep.
 *
 * Each iteration: check for a signal (-> -EINTR) or a reschedule (put,
 * yield, load again), commit the event to inject (event.c), switch the
 * state the VMCS does not (XCR0, CR2, debug registers, speculation
 * barriers), enter the guest with interrupts off, give the host back
 * what the exit took, let it take its interrupts, NMIs and machine
 * checks, then dispatch the exit (exit.c). In-kernel exits loop straight back
 * into the guest; the others fill the run page and return to user space.
 * A guest that never exits still leaves at every host interrupt and at
 * every preemption-timer slice, so it can never hold a CPU.
 *
 * The common path is kept short (Documentation/benchmarks.rst counts it
 * instruction by instruction): the work only some entries need -- an
 * event, the guest's XCR0, its DR0-3, the host's DEBUGCTL -- is one
 * word, vcpu->work, tested once (set where that state changes, as KVM's
 * vcpu->requests); CPUID, the exit a guest makes most in a tight loop,
 * goes straight to its handler.
 */
#include "../xvcpu.h"

#include <linux/kvm_host.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/static_key.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>

#include "caps.h"
#include "vmcs.h"
#include "vmx.h"
#include "../trace/policy.h"
#include "../trace/trace.h"

/* L1TF: flush the L1D before every VM entry (set at load). */
static DEFINE_STATIC_KEY_FALSE(xvcpu_l1d_flush);

/*
 * Follow the host kernel's mitigation choices, never override them.
 * MDS/TAA/MMIO stale data: VERW before entry (vmenter.S,
 * X86_FEATURE_CLEAR_CPU_BUF_VM, set by the kernel when it mitigates
 * them for guests); RSB and BHB after exit (vmenter.S); IBPB between
 * VMs (vmcs.c). L1TF is the one KVM decides itself: on an affected CPU
 * with the mitigation on, xvcpu flushes the L1D before every entry
 * (KVM's vmentry_l1d_flush=always), through IA32_FLUSH_CMD.
 */
void xvcpu_vmx_host_init(void)
{
	xvcpu_host_state_init();
	if (!boot_cpu_has_bug(X86_BUG_L1TF) ||
	    l1tf_mitigation == L1TF_MITIGATION_OFF)
		return;
	if (boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		static_branch_enable(&xvcpu_l1d_flush);
	else
		pr_warn("L1TF: this CPU has no L1D flush command (microcode): guests may read host data from the L1D\n");
}

/*
 * A VM entry that failed: VMLAUNCH/VMRESUME refused the VMCS (VMfail,
 * @insn_error != 0: a control field xvcpu got wrong, never the guest's
 * doing) or the guest state failed its checks (@reason has bit 31 set:
 * state user space gave). One rate-limited line and a VMCS dump for
 * either; user space gets FAIL_ENTRY and the vCPU stays usable.
 */
static int failed_entry(struct xvcpu_vcpu *vcpu, u64 reason, u32 insn_error,
			u64 qual)
{
	struct xvcpu_run *run = vcpu->run;

	trace_xvcpu_entry_failed(vcpu, reason, insn_error, qual);
	if (insn_error)
		pr_err_ratelimited("vm %u vcpu %u: VM entry failed, VM-instruction error %u\n",
				   vcpu->vm->id, vcpu->id, insn_error);
	else
		pr_err_ratelimited("vm %u vcpu %u: VM entry failed, exit reason 0x%llx qualification 0x%llx\n",
				   vcpu->vm->id, vcpu->id, reason, qual);
	xvcpu_vmcs_dump_ratelimited(vcpu);
	run->exit_reason = XVCPU_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.vm_instruction_error = insn_error;
	run->fail_entry.cpu = smp_processor_id();
	run->fail_entry.exit_qualification = qual;
	return XVCPU_USER;
}

/*
 * The world switch proper, interrupts off: tell lockdep and context
 * tracking that this CPU is in a guest, and enter. Nothing between
 * here and guest_state_exit_irqoff() may be instrumented (KVM's
 * vmx_vcpu_enter_exit()).
 *
 * RCU: with context tracking on (nohz_full CPUs) the guest is an
 * extended quiescent state, as user mode is. Otherwise the CPU reports
 * a quiescent state itself, as guest_state_enter_irqoff() does -- but
 * only after an exit for a host interrupt or the preemption timer
 * (@note_qs), not on every entry: RCU looks for it at the tick, and a
 * tick that comes while the guest runs is such an exit (one that comes
 * between RUNs finds the CPU in user mode or preemptible, a quiescent
 * state already). Grace periods advance just as fast, and every other
 * entry saves the ~65 instructions of rcu_note_context_switch().
 */
static noinstr int vcpu_enter_exit(struct xvcpu_vcpu *vcpu, bool note_qs)
{
	int r;

	instrumentation_begin();
	trace_hardirqs_on_prepare();
	lockdep_hardirqs_on_prepare();
	instrumentation_end();
	if (!context_tracking_guest_enter() && note_qs) {
		instrumentation_begin();
		rcu_virt_note_context_switch(smp_processor_id());
		instrumentation_end();
	}
	lockdep_hardirqs_on(CALLER_ADDR0);

	r = xvcpu_vmx_enter(&vcpu->regs, vcpu->launched);

	guest_state_exit_irqoff();
	return r;
}

/*
 * Interrupts off, before the entry: what vcpu->work_word (@work,
 * XVCPU_WORK_*) asks for. A sampling policy that changed (its countdowns
 * start afresh: the exit of this entry decides by the new policy); the
 * event; then the guest's XCR0, and its DR0-3 while its DR7 arms any of
 * them. Everything else on this path is the same for every entry; a
 * vCPU with nothing of this pays one test.
 */
static noinline void entry_work(struct xvcpu_vcpu *vcpu, u32 work)
{
	if (work & XVCPU_WORK_RECHECK)
		xvcpu_trace_recheck(vcpu);
	if (work & XVCPU_WORK_EVENT)
		xvcpu_commit_event(vcpu);
	if (work & XVCPU_WORK_XCR0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	if (work & XVCPU_WORK_DR) {
		set_debugreg(vcpu->dr[0], 0);
		set_debugreg(vcpu->dr[1], 1);
		set_debugreg(vcpu->dr[2], 2);
		set_debugreg(vcpu->dr[3], 3);
	}
}

/*
 * What a VM exit took from the host, given back before anything else
 * runs: the exit left DR7 at 0x400 and IA32_DEBUGCTL at 0 (SDM 27.5.1),
 * DR0-3 may hold the guest's values and XCR0 the guest's. The host's
 * breakpoints are checked at every exit (one may have been installed
 * by an IPI while the vCPU ran, as KVM checks); the rest only when
 * @work, the entry's, has an XVCPU_WORK_EXIT bit.
 */
static noinline void exit_work(struct xvcpu_vcpu *vcpu, u32 work)
{
	if ((work & XVCPU_WORK_DR) && !hw_breakpoint_active())
		set_debugreg(DR6_RESERVED, 6);
	if (work & XVCPU_WORK_DEBUGCTL)
		update_debugctlmsr(vcpu->host_debugctl);
	if (work & XVCPU_WORK_XCR0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, xvcpu_host_xcr0());
}

/* The speculation barriers the host's own mitigation state asks for. */
static __always_inline void mitigate_entry(void)
{
	/* L1TF: the guest must not find host data in the L1D (KVM: always). */
	if (static_branch_unlikely(&xvcpu_l1d_flush))
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
}

/*
 * Tracing around the world switch (trace.h). enter_guest() exists twice:
 * the run loop picks the traced copy while xvcpu_trace_run is on (one of
 * xvcpu_entry, xvcpu_exit, xvcpu_regs_diff, xvcpu_cpuid has a user), the
 * untraced one otherwise, so a vCPU with tracing off pays one static-key
 * NOP per entry. The hooks below check each event again. They read the
 * VMCS: the vCPU is loaded, never after a handler that may have put it.
 */

/* trace.h's register order: the GPRs by encoding, then RIP and RFLAGS. */
static_assert(XVCPU_TRACE_RIP == XR_NR);

static void read_regs(struct xvcpu_vcpu *vcpu, u64 *regs)
{
	unsigned int i;

	for (i = 0; i < XR_NR; i++)
		regs[i] = vcpu->regs.r[i];
	regs[XR_RSP] = vmcs_readl(GUEST_RSP);
	regs[XVCPU_TRACE_RIP] = vmcs_readl(GUEST_RIP);
	regs[XVCPU_TRACE_RFLAGS] = vmcs_readl(GUEST_RFLAGS);
}

/* Interrupts off, right before the entry. */
static notrace noinline void trace_before_entry(struct xvcpu_vcpu *vcpu)
{
	/* xvcpu_entry reads the VMCS and the VMM's time itself. */
	if (trace_xvcpu_entry_enabled()) {
		trace_xvcpu_entry(vcpu);
		vcpu->trace_ret_ns = 0;
	}
	/* The registers the guest starts with, for the exit to compare. */
	if (trace_xvcpu_regs_diff_enabled()) {
		read_regs(vcpu, vcpu->trace_regs);
		vcpu->trace_regs_exit = vcpu->exit_count + 1;
	}
}

/*
 * The sampling policy (trace/policy.h) for a VM exit: true if this exit
 * emits neither xvcpu_exit nor its detail events. Decided once per exit,
 * right after it. The common case is one countdown per vCPU and stats
 * row: while it is above 1 the exit is sampled out here, counted in the
 * stats' sampled_out_<R>, and nothing else happens; at 0, a row the VM
 * has at "all" is traced (the VM's policy as it is now: no count), and
 * a count of "every N" restarts here too and the exit is traced;
 * everything else -- a count that starts, triggered windows, the debug
 * port's OUT (never sampled out) -- is policy.c's xvcpu_trace_sample().
 * A new policy reaches the countdowns at the entry (XVCPU_WORK_RECHECK),
 * not here. The countdowns are by the reason's low byte: a reason with
 * flag bits counts as its basic reason. The I/O row keeps a countdown
 * of 1 here, so each I/O exit not traced by "all" goes there, as do
 * failed entries (their reasons come only with the failed-entry bit)
 * and reasons past the table: their countdowns stay at 1 too.
 */
static __always_inline bool trace_sampled_out(struct xvcpu_vcpu *vcpu)
{
	unsigned long i;

	/*
	 * The sampled-out exit, in the four instructions it needs, the
	 * reason's low byte read from memory (vcpu->exit.reason, stored
	 * right before): in C the compiler made nine of them (make bench:
	 * register copies, a split decrement). The guest picks its exit
	 * reasons (hardening.rst: Spectre v1): the slot is the reason's low
	 * byte (MOVZBL), in bounds of the XVCPU_TRACE_SLOTS arrays by
	 * construction.
	 */
	asm goto("movzbl %[reason], %%r11d\n\t"
		 "subl $1, %c[cd](%[vcpu], %%r11, 4)\n\t"
		 "jz %l[decide]\n\t"
		 "addq $1, %c[out](%[vcpu], %%r11, 8)"
		 : /* no outputs */
		 : [reason] "m" (vcpu->exit.reason), [vcpu] "r" (vcpu),
		   [cd] "i" (offsetof(struct xvcpu_vcpu, trace_cd)),
		   [out] "i" (offsetof(struct xvcpu_vcpu,
				       stats.c.sampled_out[1]))
		 : "r11", "cc", "memory"
		 : decide);
	return true;
decide:
	i = xvcpu_trace_slot(vcpu->exit.reason);
	/* "all", the VM's policy of the moment: a racy read is enough */
	if (likely(data_race(vcpu->vm->trace_every[i + 1]) == 1)) {
		vcpu->trace_cd[i] = 1;
		vcpu->stats.c.traced[i + 1]++;
		return false;
	}
	/* The N-th of "every N" (by reason: the vCPU stays in 32 KiB) */
	if (likely(i < XVCPU_STATS_REASONS)) {
		unsigned long r = array_index_nospec(i, XVCPU_STATS_REASONS);

		if (likely(vcpu->trace_period[r])) {
			vcpu->trace_cd[i] = vcpu->trace_period[r];
			vcpu->stats.c.traced[i + 1]++;
			return false;
		}
	}
	return xvcpu_trace_sample(vcpu);
}

/*
 * What only the moment of the exit knows, for xvcpu_exit at the end of
 * the handling, whether or not it is enabled now: it may be by then.
 */
static __always_inline void trace_at_exit(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_exit_trace *t = &vcpu->trace_exit;

	t->cpu = raw_smp_processor_id();
	t->rip = vmcs_readl(GUEST_RIP);
}

/* What the guest changed, against the registers of this entry. */
static noinline void trace_regs_diff(struct xvcpu_vcpu *vcpu)
{
	const u64 *old = vcpu->trace_regs;
	unsigned int i;
	u32 changed = 0;
	u64 vmcs[3];

	vmcs[0] = vmcs_readl(GUEST_RSP);
	vmcs[1] = vmcs_readl(GUEST_RIP);
	vmcs[2] = vmcs_readl(GUEST_RFLAGS);
	for (i = 0; i < XR_NR; i++)
		if (vcpu->regs.r[i] != old[i])
			changed |= BIT(i);
	/* RSP is in the VMCS, not in regs.r[] (its slot is stale). */
	changed &= ~BIT(XR_RSP);
	if (vmcs[0] != old[XR_RSP])
		changed |= BIT(XR_RSP);
	if (vmcs[1] != old[XVCPU_TRACE_RIP])
		changed |= BIT(XVCPU_TRACE_RIP);
	if (vmcs[2] != old[XVCPU_TRACE_RFLAGS])
		changed |= BIT(XVCPU_TRACE_RFLAGS);
	trace_xvcpu_regs_diff(vcpu, changed, vmcs);
}

/*
 * An exit that ran guest code, before its handler. Its own function,
 * without the register diff's stack array, and notrace like the other
 * hooks: each costs every traced exit (make bench).
 */
static notrace noinline void trace_after_exit(struct xvcpu_vcpu *vcpu,
					      const struct xvcpu_exit *e)
{
	struct xvcpu_exit_trace *t = &vcpu->trace_exit;

	/*
	 * CPUID's input, which its handler overwrites with the output. The
	 * flag is set at every exit this hook sees and taken by
	 * trace_cpuid(); an exit that skips the hook (a failed entry) ends
	 * in XVCPU_USER, for which trace_cpuid() emits nothing.
	 */
	t->cpuid = e->basic == EXIT_REASON_CPUID &&
		   trace_xvcpu_cpuid_enabled();
	if (t->cpuid) {
		t->cpuid_fn = vcpu->regs.r[XR_RAX];
		t->cpuid_index = vcpu->regs.r[XR_RCX];
	}
	if (trace_xvcpu_regs_diff_enabled() &&
	    vcpu->trace_regs_exit == vcpu->exit_count)
		trace_regs_diff(vcpu);
}

/* xvcpu_cpuid, once the handler has put its output in the registers. */
static notrace noinline void trace_cpuid(struct xvcpu_vcpu *vcpu, int r)
{
	vcpu->trace_exit.cpuid = false;
	if (r == XVCPU_RESUME)
		trace_xvcpu_cpuid(vcpu);
}

/*
 * Every exit but a plain CPUID, after its VMREADs: the exit table.
 * Inlined: it is the path of every other exit, and a call of its own
 * costs each of them about ten instructions.
 */
static __always_inline int handle_exit(struct xvcpu_vcpu *vcpu,
				       struct xvcpu_exit *e)
{
	e->qual = vmcs_readl(EXIT_QUALIFICATION);
	/* The host's tick came this way: report a quiescent state next. */
	if (e->basic == EXIT_REASON_EXTERNAL_INTERRUPT ||
	    e->basic == EXIT_REASON_PREEMPTION_TIMER)
		vcpu->rcu_qs_due = true;
	if (unlikely(e->idt_vectoring & VECTORING_INFO_VALID_MASK))
		xvcpu_capture_vectoring(vcpu, e);
	return xvcpu_handle_exit(vcpu, e);
}

/*
 * What follows an exit, from giving the host back what the exit took to
 * the handler's verdict (@r: vcpu_enter_exit()'s; @work: the entry's
 * vcpu->work). Inlined three times: in the untraced copy of
 * enter_guest() and, in the traced copy, for an exit the policy traced
 * (@traced) and for one it sampled out, which runs exactly what the
 * untraced copy runs. @have_reason: e->reason was read already.
 */
static __always_inline int finish_exit(struct xvcpu_vcpu *vcpu,
				       struct xvcpu_exit *e, int r, u32 work,
				       const bool traced,
				       const bool have_reason)
{
	struct xvcpu_exit_trace *t = &vcpu->trace_exit;

	vcpu->rcu_qs_due = false;

	if (unlikely(hw_breakpoint_active()))
		hw_breakpoint_restore();
	if (unlikely(work & XVCPU_WORK_EXIT))
		exit_work(vcpu, work);
	vcpu->cr2 = native_read_cr2();

	/* VMLAUNCH/VMRESUME failed or faulted, or the entry failed: below. */
	if (unlikely(r))
		goto failed;
	if (!have_reason)
		e->reason = vmcs_read32(VM_EXIT_REASON);
	if (unlikely(e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		goto failed;
	e->basic = e->reason & 0xffff;
	vcpu->launched = true;
	if (unlikely(vcpu->injected || vcpu->intr_info_valid))
		xvcpu_event_delivered(vcpu);
	/* An NMI or a machine check: the host's, with interrupts still off. */
	if (unlikely(e->basic == EXIT_REASON_EXCEPTION_NMI)) {
		e->intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
		if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) ==
		    INTR_TYPE_NMI_INTR)
			xvcpu_vmx_do_nmi_irqoff();
		else if ((e->intr_info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC)
			xvcpu_machine_check();
	}
	/*
	 * Take the host interrupt that caused the exit, or came with it,
	 * then stop counting guest time: the tick that came in the guest is
	 * the guest's. After any exit, as KVM: a tick can be pending at a
	 * preemption-timer exit as well (measured: a busy guest's ticks all
	 * went to system time when only external-interrupt exits did this).
	 */
	local_irq_enable();
	/* STI blocks interrupts for one instruction: give them one. */
	asm volatile("nop" ::: "memory");
	local_irq_disable();
	guest_timing_exit_irqoff();
	local_irq_enable();

	vcpu->exit_count++;
	if (traced && static_branch_unlikely(&xvcpu_trace_after_exit))
		trace_after_exit(vcpu, e);
	e->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	e->idt_vectoring = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	/*
	 * CPUID straight to its handler, as KVM's __vmx_handle_exit() does:
	 * no indirect call, and no VMREAD of the exit qualification, which
	 * a CPUID exit leaves cleared (SDM 28.2.1; e->qual is 0). An exit
	 * during event delivery takes the general path, whatever it is.
	 * Laid out as the fall-through (likely): the other exits pay one
	 * taken branch for it. The stats row is a constant here.
	 */
	if (likely(e->basic == EXIT_REASON_CPUID &&
		   !(e->idt_vectoring & VECTORING_INFO_VALID_MASK))) {
		r = xvcpu_handle_cpuid(vcpu, e);
		xvcpu_stats_exit_done_const(&vcpu->stats, EXIT_REASON_CPUID);
	} else {
		r = handle_exit(vcpu, e);
		xvcpu_stats_exit_done(&vcpu->stats, e->basic);
	}
	goto out;

failed:
	/* A machine check during VM entry belongs to the host. */
	if (r == 0) {
		e->basic = e->reason & 0xffff;
		if (e->basic == EXIT_REASON_MCE_DURING_VMENTRY)
			xvcpu_machine_check();
	}
	guest_timing_exit_irqoff();
	local_irq_enable();
	/* Decided here (the stats' t_dec: xvcpu_exit's handle_ns). */
	vcpu->stats.t_dec = rdtsc();
	if (r == 2)
		return -EIO;	/* VMX switched off: the host reboots */
	if (r == 1) {
		r = failed_entry(vcpu, 0, vmcs_read32(VM_INSTRUCTION_ERROR), 0);
		e->reason = XVCPU_TRACE_VMFAIL;
		goto out;
	}
	/* Guest-state checks failed: an exit, though nothing launched. */
	vcpu->exit_count++;
	e->qual = vmcs_readl(EXIT_QUALIFICATION);
	r = failed_entry(vcpu, e->reason, 0, e->qual);
out:
	if (traced) {
		if (static_branch_unlikely(&xvcpu_trace_after_exit) &&
		    unlikely(t->cpuid))
			trace_cpuid(vcpu, r);
		/* Its handling time ended at the stats' t_dec. */
		trace_xvcpu_exit(vcpu, r);
	}
	return r;
}

/*
 * One guest entry and the exit that ends it. Returns like an exit handler.
 * @traced: the copy with the tracing hooks (xvcpu_vcpu_run).
 */
static __always_inline int enter_guest(struct xvcpu_vcpu *vcpu,
				       struct xvcpu_exit *e, const bool traced)
{
	u32 work;
	int r;

	local_irq_disable();
	/* One test of the thread flags, then the real checks if any is set. */
	if (unlikely(read_thread_flags() & (_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL |
					    _TIF_NEED_RESCHED)) &&
	    (signal_pending(current) || need_resched())) {
		local_irq_enable();
		return -EAGAIN;
	}
	/*
	 * Most entries deliver no event (no VMCS write, event.c), switch
	 * no XCR0 and load no debug registers: one test for all of it.
	 */
	work = READ_ONCE(vcpu->work_word);
	if (unlikely(work & ~XVCPU_WORK_DEBUGCTL)) {
		entry_work(vcpu, work);
		/* The event's bit may have gone; the others stay as they were. */
		work = vcpu->work;
	}

	if (vcpu->cr2 != native_read_cr2())
		native_write_cr2(vcpu->cr2);
	if (traced && static_branch_unlikely(&xvcpu_trace_before_entry))
		trace_before_entry(vcpu);
	mitigate_entry();
	guest_timing_enter_irqoff();

	r = vcpu_enter_exit(vcpu, vcpu->rcu_qs_due);
	xvcpu_stats_exit(&vcpu->stats);
	if (!traced)
		return finish_exit(vcpu, e, r, work, false, false);
	/*
	 * The policy decides here, once; the traced copy reads the exit
	 * reason for it, and only here. A sampled-out exit goes on exactly
	 * as with tracing off.
	 */
	if (likely(r == 0)) {
		e->reason = vmcs_read32(VM_EXIT_REASON);
		/*
		 * From here on the reason is read from memory: kept in a
		 * register across the decision's asm, it was copied twice.
		 */
		if (trace_sampled_out(vcpu))
			return finish_exit(vcpu, e, 0, work, false, true);
		trace_at_exit(vcpu);
		/*
		 * The handlers' detail events (xvcpu_trace_detail()). A copy
		 * of its own for r 0: the failure tests fold away.
		 */
		vcpu->trace_detail = true;
		r = finish_exit(vcpu, e, 0, work, true, true);
		vcpu->trace_detail = false;
		return r;
	}
	if (r == 1)
		trace_at_exit(vcpu);	/* VMfail: r 2, VMX off, has no VMCS */
	return finish_exit(vcpu, e, r, work, true, true);
}

/*
 * The traced copy, inlined into the loop too: a call of its own cost a
 * sampled-out exit 25 instructions (make bench), and the untraced copy
 * measured the same either way (345.1 / 345.7 per CPUID exit).
 */
static __always_inline int enter_guest_traced(struct xvcpu_vcpu *vcpu,
					      struct xvcpu_exit *e)
{
	return enter_guest(vcpu, e, true);
}

/* Finish what the last user-space exit started. Vcpu loaded. */
static int complete_pending(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_run *run = vcpu->run;
	enum xvcpu_pending p = vcpu->pending;

	vcpu->pending = XVCPU_PENDING_NONE;
	switch (p) {
	case XVCPU_PENDING_IO_IN:
	case XVCPU_PENDING_IO_OUT:
		return xvcpu_complete_io(vcpu);
	case XVCPU_PENDING_MMIO:
		return xvcpu_complete_mmio(vcpu);
	case XVCPU_PENDING_HYPERCALL:
		vcpu->regs.r[XR_RAX] = run->hypercall.ret;
		return 0;
	case XVCPU_PENDING_MSR_READ:
		if (run->msr.error) {
			xvcpu_inject_gp(vcpu);
			return 0;
		}
		vcpu->regs.r[XR_RAX] = (u32)run->msr.data;
		vcpu->regs.r[XR_RDX] = run->msr.data >> 32;
		xvcpu_skip_insn(vcpu, vcpu->pending_len);
		return 0;
	case XVCPU_PENDING_MSR_WRITE:
		if (run->msr.error)
			xvcpu_inject_gp(vcpu);
		else
			xvcpu_skip_insn(vcpu, vcpu->pending_len);
		return 0;
	default:
		return 0;
	}
}

static void report_readiness(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_run *run = vcpu->run;
	bool iff = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;

	run->if_flag = iff;
	run->ready_for_interrupt_injection = !xvcpu_event_pending(vcpu) &&
					     xvcpu_guest_interruptible();
	run->exit_count = vcpu->exit_count;
}

int xvcpu_vcpu_run(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_run *run = vcpu->run;
	struct xvcpu_exit *e = &vcpu->exit;
	int r;

	if (run->padding1[0] | run->padding1[1] | run->padding1[2] |
	    run->padding1[3] | run->padding1[4] | run->padding1[5])
		return -EINVAL;
	if (run->immediate_exit || signal_pending(current)) {
		run->exit_reason = XVCPU_EXIT_INTR;
		return -EINTR;
	}

	fpu_swap_kvm_fpstate(&vcpu->fpu, true);
	r = xvcpu_vcpu_reload(vcpu);
	if (r)
		goto out_fpu;
	r = complete_pending(vcpu);
	if (r < 0)
		goto out_put;
	/* Read once per RUN: the interrupt window is settled at entry. */
	if (READ_ONCE(run->request_interrupt_window))
		xvcpu_event_work(vcpu);

	xvcpu_stats_resume(&vcpu->stats);
	for (;;) {
		memset(e, 0, sizeof(*e));
		if (static_branch_unlikely(&xvcpu_trace_run))
			r = enter_guest_traced(vcpu, e);
		else
			r = enter_guest(vcpu, e, false);
		if (r == XVCPU_RESUME)
			continue;
		if (r != -EAGAIN)
			break;
		if (signal_pending(current)) {
			run->exit_reason = XVCPU_EXIT_INTR;
			r = -EINTR;
			break;
		}
		/* need_resched: give the CPU away, maybe to come back elsewhere. */
		xvcpu_vcpu_put(vcpu);
		cond_resched();
		r = xvcpu_vcpu_reload(vcpu);
		if (r) {
			if (r == -EINTR)
				run->exit_reason = XVCPU_EXIT_INTR;
			goto out_fpu;
		}
		xvcpu_stats_resume(&vcpu->stats);
	}
out_put:
	/* A handler that had to sleep may have failed to load us again. */
	if (vcpu->loaded) {
		report_readiness(vcpu);
		xvcpu_vcpu_put(vcpu);
	}
out_fpu:
	fpu_swap_kvm_fpstate(&vcpu->fpu, false);
	return r < 0 ? r : 0;
}
