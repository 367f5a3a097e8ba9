// SPDX-License-Identifier: GPL-2.0
/*
 * Events delivered to the guest: exceptions that exit handlers queue,
 * events whose delivery a VM exit interrupted, external interrupts from
 * user space, and the exceptions xvcpu intercepts (#DB, #AC, #MC).
 *
 * Nothing here writes VM_ENTRY_INTR_INFO except xvcpu_commit_event(),
 * right before each VM entry with interrupts off: the event is kept in
 * struct xvcpu_event until then and made valid for the guest's mode at
 * that moment (SDM vol. 3C, 26.2.1.3), so a VM entry never fails on an
 * event xvcpu queued, whatever user space did in between.
 *
 * Two exceptions in a row merge as the SDM says (vol. 3A, table 6-5):
 * contributory + contributory or #PF + (#PF or contributory) is #DF,
 * #DF + either is a triple fault (shutdown), anything else delivers the
 * second and lets re-execution raise the first again, as KVM does.
 *
 * Vcpu loaded.
 */
#include "../xvcpu.h"

#include <linux/percpu.h>
#include <asm/cpu.h>
#include <asm/debugreg.h>
#include <asm/mce.h>
#include <asm/trapnr.h>

#include "caps.h"
#include "vmcs.h"
#include "vmx.h"
#include "../trace/trace.h"

enum { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PF, EXC_DF };

static int exception_class(u8 vector)
{
	switch (vector) {
	case X86_TRAP_DE:
	case X86_TRAP_TS:
	case X86_TRAP_NP:
	case X86_TRAP_SS:
	case X86_TRAP_GP:
		return EXC_CONTRIBUTORY;
	case X86_TRAP_PF:
		return EXC_PF;
	case X86_TRAP_DF:
		return EXC_DF;
	default:
		return EXC_BENIGN;
	}
}

/* Vectors that push an error code in protected mode. */
static bool vector_has_error(u8 vector)
{
	switch (vector) {
	case X86_TRAP_DF:
	case X86_TRAP_TS:
	case X86_TRAP_NP:
	case X86_TRAP_SS:
	case X86_TRAP_GP:
	case X86_TRAP_PF:
	case X86_TRAP_AC:
		return true;
	default:
		return false;
	}
}

static bool is_hw_exception(const struct xvcpu_event *ev)
{
	return ev->valid && ev->type == INTR_TYPE_HARD_EXCEPTION >> 8;
}

/*
 * Queue a hardware exception, merged with one whose delivery the last
 * exit interrupted. Returns false when the two make a triple fault: the
 * caller reports a shutdown.
 */
bool xvcpu_queue_exception(struct xvcpu_vcpu *vcpu, u8 vector, u32 error)
{
	struct xvcpu_event *prev = is_hw_exception(&vcpu->reinject) ?
				   &vcpu->reinject : &vcpu->exception;
	struct xvcpu_event *ev = &vcpu->exception;

	if (is_hw_exception(prev)) {
		int pc = exception_class(prev->vector);
		int nc = exception_class(vector);

		prev->valid = false;
		if (pc == EXC_DF && (nc == EXC_CONTRIBUTORY || nc == EXC_PF))
			return false;
		if ((pc == EXC_CONTRIBUTORY && nc == EXC_CONTRIBUTORY) ||
		    (pc == EXC_PF && (nc == EXC_CONTRIBUTORY || nc == EXC_PF))) {
			vector = X86_TRAP_DF;
			error = 0;
		}
	}
	*ev = (struct xvcpu_event) {
		.valid = true,
		.vector = vector,
		.type = INTR_TYPE_HARD_EXCEPTION >> 8,
		.has_error = vector_has_error(vector),
		.error = error,
	};
	xvcpu_event_work(vcpu);
	return true;
}

/*
 * From instruction exits: the entry before delivered whatever was
 * queued, so no exception can be waiting to merge with (an interrupt
 * being redelivered is not one), and no triple fault can result. The
 * return value is ignored deliberately: no WARN a guest could reach.
 */
void xvcpu_inject_exception(struct xvcpu_vcpu *vcpu, u8 vector, u32 error)
{
	xvcpu_queue_exception(vcpu, vector, error);
}

void xvcpu_inject_gp(struct xvcpu_vcpu *vcpu)
{
	xvcpu_inject_exception(vcpu, X86_TRAP_GP, 0);
}

void xvcpu_inject_ud(struct xvcpu_vcpu *vcpu)
{
	xvcpu_inject_exception(vcpu, X86_TRAP_UD, 0);
}

/* Keep what the exit interrupted (IDT-vectoring information) to redeliver. */
void xvcpu_capture_vectoring(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u32 info = e->idt_vectoring;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	vcpu->reinject = (struct xvcpu_event) {
		.valid = true,
		.vector = info & VECTORING_INFO_VECTOR_MASK,
		.type = (info & VECTORING_INFO_TYPE_MASK) >> 8,
		.has_error = info & VECTORING_INFO_DELIVER_CODE_MASK,
		.insn_len = e->insn_len,
	};
	if (vcpu->reinject.has_error)
		vcpu->reinject.error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	xvcpu_event_work(vcpu);
}

bool xvcpu_guest_interruptible(void)
{
	return (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/*
 * The VM-entry interruption information for @ev in the guest's current
 * mode, or 0 when it cannot be delivered now as it stands: an interrupt
 * to a guest that blocks interrupts waits; a software event without a
 * usable length, or a type xvcpu never injects, is dropped (re-executing
 * the instruction at RIP raises it again).
 */
static u32 entry_info(const struct xvcpu_event *ev, bool *drop)
{
	u32 type = (u32)ev->type << 8;
	u32 info = ev->vector | type | INTR_INFO_VALID_MASK;
	bool pe = vmcs_readl(GUEST_CR0) & X86_CR0_PE;

	*drop = false;
	switch (type) {
	case INTR_TYPE_EXT_INTR:
		if (!xvcpu_guest_interruptible())
			return 0;
		return info;
	case INTR_TYPE_HARD_EXCEPTION:
		if (ev->vector > 31 || ev->vector == X86_TRAP_NMI)
			break;
		/* Error codes exist in protected mode only (26.2.1.3). */
		if (pe && vector_has_error(ev->vector)) {
			info |= INTR_INFO_DELIVER_CODE_MASK;
			vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
				     ev->error & 0xffff);
		}
		return info;
	case INTR_TYPE_SOFT_INTR:
	case INTR_TYPE_SOFT_EXCEPTION:
	case INTR_TYPE_PRIV_SW_EXCEPTION:
		if (ev->insn_len < 1 || ev->insn_len > 15)
			break;
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, ev->insn_len);
		return info;
	case INTR_TYPE_NMI_INTR:
		/* xvcpu injects no NMIs; a redelivered one keeps vector 2. */
		if (ev->vector != X86_TRAP_NMI)
			break;
		return info;
	}
	*drop = true;
	return 0;
}

static void set_irq_window(struct xvcpu_vcpu *vcpu, bool on)
{
	if (vcpu->irq_window == on)
		return;
	if (on)
		vmcs_set_bits32(CPU_BASED_VM_EXEC_CONTROL,
				CPU_BASED_INTR_WINDOW_EXITING);
	else
		vmcs_clear_bits32(CPU_BASED_VM_EXEC_CONTROL,
				  CPU_BASED_INTR_WINDOW_EXITING);
	vcpu->irq_window = on;
}

/*
 * After xvcpu_commit_event(): whether the next entry needs it again.
 * XVCPU_WORK_EVENT is set by everything that queues an event (the
 * INTERRUPT ioctl, xvcpu_queue_exception(), xvcpu_capture_vectoring(),
 * a reset, RUN with request_interrupt_window) and cleared only here,
 * once no event waits, the VMCS field is invalid and no interrupt
 * window is open or wanted.
 */
static void settle_event_work(struct xvcpu_vcpu *vcpu)
{
	if (!vcpu->intr_info_valid && !vcpu->irq_window &&
	    !xvcpu_event_pending(vcpu) &&
	    !READ_ONCE(vcpu->run->request_interrupt_window))
		vcpu->work &= ~XVCPU_WORK_EVENT;
}

/*
 * Interrupts off, right before VM entry: the one event this entry
 * delivers. run.c calls it while XVCPU_WORK_EVENT is set: something is
 * pending, a window is open or wanted, or the VMCS field may be valid.
 * A queued exception first, then the event an exit interrupted, then an
 * interrupt from user space; interrupt-window exiting whenever an
 * interrupt waits for the guest to take it.
 */
void xvcpu_commit_event(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_event irq = {
		.valid = vcpu->pending_irq >= 0,
		.vector = vcpu->pending_irq,
		.type = INTR_TYPE_EXT_INTR >> 8,
	};
	struct xvcpu_event *evs[] = {
		[XVCPU_INJ_EXCEPTION] = &vcpu->exception,
		[XVCPU_INJ_REINJECT] = &vcpu->reinject,
		[XVCPU_INJ_IRQ] = &irq,
	};
	bool wait = false, drop;
	u32 info = 0;
	int i;

	vcpu->injected = XVCPU_INJ_NONE;
	/* Nothing to deliver (an interrupt window to close, say). */
	if (!xvcpu_event_pending(vcpu)) {
		if (vcpu->intr_info_valid) {
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
			vcpu->intr_info_valid = false;
		}
		set_irq_window(vcpu, READ_ONCE(vcpu->run->request_interrupt_window));
		settle_event_work(vcpu);
		return;
	}
	for (i = XVCPU_INJ_EXCEPTION; i <= XVCPU_INJ_IRQ && !info; i++) {
		if (!evs[i]->valid)
			continue;
		info = entry_info(evs[i], &drop);
		if (info) {
			vcpu->injected = i;
			trace_xvcpu_inject(vcpu, info, evs[i]->error & 0xffff, i);
		} else if (drop && i != XVCPU_INJ_IRQ)
			evs[i]->valid = false;
		else
			wait = true;	/* an interrupt the guest blocks */
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	vcpu->intr_info_valid = info;
	set_irq_window(vcpu, wait || (vcpu->pending_irq >= 0 &&
				      vcpu->injected != XVCPU_INJ_IRQ) ||
			     READ_ONCE(vcpu->run->request_interrupt_window));
	settle_event_work(vcpu);
}

/*
 * After a VM exit (not a failed entry): the injected event was consumed,
 * and the exit cleared the valid bit of VM_ENTRY_INTR_INFO (SDM 27.2.5).
 */
void xvcpu_event_delivered(struct xvcpu_vcpu *vcpu)
{
	vcpu->intr_info_valid = false;
	xvcpu_stats_injected(&vcpu->stats, vcpu->injected);
	switch (vcpu->injected) {
	case XVCPU_INJ_EXCEPTION:
		vcpu->exception.valid = false;
		break;
	case XVCPU_INJ_REINJECT:
		vcpu->reinject.valid = false;
		break;
	case XVCPU_INJ_IRQ:
		vcpu->pending_irq = -1;
		break;
	}
	vcpu->injected = XVCPU_INJ_NONE;
}

/* Forget every event: a new architectural state (reset). */
void xvcpu_events_reset(struct xvcpu_vcpu *vcpu)
{
	memset(&vcpu->exception, 0, sizeof(vcpu->exception));
	memset(&vcpu->reinject, 0, sizeof(vcpu->reinject));
	vcpu->pending_irq = -1;
	vcpu->injected = XVCPU_INJ_NONE;
	vcpu->intr_info_valid = true;	/* unknown: written at next entry */
	xvcpu_event_work(vcpu);
}

/*
 * A machine check in guest mode belongs to the host: hand it to the
 * kernel's handler as KVM does (interrupts off, right after the exit).
 */
void xvcpu_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

	do_machine_check(&regs);
#endif
}

/*
 * An intercepted exception (EXCEPTION_BITMAP: #DB, #AC, #MC) or an NMI.
 * #DB and #AC go back to the guest, through one VM exit each: a guest
 * whose #DB or #AC delivery raises the same exception again
 * (CVE-2015-8104, CVE-2015-5307) loops through here, where signals,
 * host interrupts and need_resched still reach the run loop, instead of
 * inside the CPU where nothing can.
 */
int xvcpu_handle_exception_nmi(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u32 info = e->intr_info, type = info & INTR_INFO_INTR_TYPE_MASK;
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	if (type == INTR_TYPE_NMI_INTR || vector == X86_TRAP_MC)
		return XVCPU_RESUME;	/* the host handled it (run.c) */

	switch (vector) {
	case X86_TRAP_DB:
		/* The exit qualification holds what DR6 would have got. */
		vcpu->dr[6] = (vcpu->dr[6] & ~(DR_TRAP_BITS | DR_STEP | XVCPU_DR6_BD)) |
			      DR6_RESERVED |
			      (e->qual & (DR_TRAP_BITS | DR_STEP | XVCPU_DR6_BD));
		if (type == INTR_TYPE_PRIV_SW_EXCEPTION) {
			/* ICEBP (INT1): a trap, deliver it past the opcode. */
			xvcpu_skip_insn(vcpu, e->insn_len);
		}
		break;
	case X86_TRAP_AC:
		/*
		 * Alignment checking is the guest's (CR0.AM, EFLAGS.AC,
		 * CPL 3); otherwise it is the host's split-lock detection.
		 */
		if ((vmcs_readl(GUEST_CR0) & X86_CR0_AM) &&
		    (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_AC) &&
		    xvcpu_guest_cpl() == 3)
			break;
		if (handle_guest_split_lock(vmcs_readl(GUEST_RIP)))
			return XVCPU_RESUME;
		return xvcpu_unknown_exit(vcpu, e);
	default:
		return xvcpu_unknown_exit(vcpu, e);
	}
	if (!xvcpu_queue_exception(vcpu, vector,
				   info & INTR_INFO_DELIVER_CODE_MASK ?
				   vmcs_read32(VM_EXIT_INTR_ERROR_CODE) : 0)) {
		vcpu->run->exit_reason = XVCPU_EXIT_SHUTDOWN;
		return XVCPU_USER;
	}
	return XVCPU_RESUME;
}
