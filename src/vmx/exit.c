// SPDX-License-Identifier: GPL-2.0
/*
 * The exit-handler table: one place that says what happens to every
 * basic exit reason. Contract (vmx.h): XVCPU_RESUME re-enters the guest,
 * XVCPU_USER returns to user space with the run page filled, a negative
 * errno fails RUN. A handler skips the instruction only when it has
 * emulated it. Reasons without a handler become an internal-error exit
 * carrying the raw reason and qualification, with a rate-limited VMCS
 * dump in the kernel log: never silent, never a guess.
 *
 * An exit that interrupted the delivery of an event (IDT-vectoring
 * information valid) has that event queued again before its handler runs
 * (event.c); only the exits listed in exit_during_delivery_ok() may do so.
 *
 * Vcpu loaded (VMCS current, preemption off), interrupts on.
 */
#include "../xvcpu.h"

#include <linux/nospec.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#ifndef EXIT_REASON_GETSEC
#define EXIT_REASON_GETSEC	11
#endif

#include "vmcs.h"
#include "vmx.h"
#include "../trace/guest.h"
#include "../trace/trace.h"

void xvcpu_skip_insn(struct xvcpu_vcpu *vcpu, u32 len)
{
	__xvcpu_skip_insn(vcpu, len);
}

int xvcpu_internal_error(struct xvcpu_vcpu *vcpu, u32 suberror,
			 const u64 *data, u32 ndata)
{
	struct xvcpu_run *run = vcpu->run;

	ndata = min_t(u32, ndata, ARRAY_SIZE(run->internal.data));
	run->exit_reason = XVCPU_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	memset(run->internal.data, 0, sizeof(run->internal.data));
	memcpy(run->internal.data, data, ndata * sizeof(u64));
	return XVCPU_USER;
}

int xvcpu_unknown_exit(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u64 data[4] = { e->reason, e->qual, vmcs_readl(GUEST_RIP),
			e->intr_info };

	pr_warn_ratelimited("vm %u vcpu %u: unhandled VM exit, reason %u qualification 0x%lx\n",
			    vcpu->vm->id, vcpu->id, e->reason, e->qual);
	xvcpu_vmcs_dump_ratelimited(vcpu);
	return xvcpu_internal_error(vcpu, XVCPU_INTERNAL_UNHANDLED_EXIT, data,
				    ARRAY_SIZE(data));
}

static int resume(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	return XVCPU_RESUME;
}

static int skip_and_resume(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_RESUME;
}

static int inject_ud(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	xvcpu_inject_ud(vcpu);
	return XVCPU_RESUME;
}

static int inject_gp(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	xvcpu_inject_gp(vcpu);
	return XVCPU_RESUME;
}

static int handle_triple_fault(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	vcpu->run->exit_reason = XVCPU_EXIT_SHUTDOWN;
	return XVCPU_USER;
}

static int handle_irq_window(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	/* Pending interrupt: run.c injects it on the way back in. */
	if (vcpu->pending_irq >= 0)
		return XVCPU_RESUME;
	if (vcpu->run->request_interrupt_window) {
		vmcs_clear_bits32(CPU_BASED_VM_EXEC_CONTROL,
				  CPU_BASED_INTR_WINDOW_EXITING);
		vcpu->irq_window = false;
		vcpu->run->exit_reason = XVCPU_EXIT_IRQ_WINDOW_OPEN;
		return XVCPU_USER;
	}
	return XVCPU_RESUME;
}

static int handle_hlt(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	xvcpu_skip_insn(vcpu, e->insn_len);
	/* An interrupt waiting for this HLT is taken right away. */
	if (vcpu->pending_irq >= 0 &&
	    (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF))
		return XVCPU_RESUME;
	vcpu->run->exit_reason = XVCPU_EXIT_HLT;
	return XVCPU_USER;
}

/*
 * The hypercall number in RAX, 32 bits of it outside 64-bit mode (as
 * KVM); *@wide says which.
 */
static u64 hypercall_nr(struct xvcpu_vcpu *vcpu, bool *wide)
{
	*wide = (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
		(vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
	return *wide ? vcpu->regs.r[XR_RAX] : (u32)vcpu->regs.r[XR_RAX];
}

static int handle_vmcall(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	struct xvcpu_run *run = vcpu->run;
	unsigned long *r = vcpu->regs.r;
	u8 cpl = xvcpu_guest_cpl();
	bool wide;
	u64 nr = hypercall_nr(vcpu, &wide);

	xvcpu_trace_detail(hypercall, vcpu, cpl);
	/*
	 * Guest user mode must not reach the VMM through its kernel: the
	 * call fails in the guest, as KVM's -KVM_EPERM. The one exception
	 * is a trace event, when the VMM allowed it (a guest's own init
	 * marking its progress): it never leaves this kernel and only
	 * adds a record the VMM asked to see.
	 */
	if (cpl && !(nr == XVCPU_HC_TRACE &&
		     READ_ONCE(vcpu->vm->user_trace_events))) {
		r[XR_RAX] = -XVCPU_HYPERCALL_EPERM;
		xvcpu_skip_insn(vcpu, e->insn_len);
		return XVCPU_RESUME;
	}
	/* The kernel's own hypercall: a guest trace event, no exit. */
	if (nr == XVCPU_HC_TRACE) {
		r[XR_RAX] = xvcpu_guest_event(vcpu, wide);
		xvcpu_skip_insn(vcpu, e->insn_len);
		return XVCPU_RESUME;
	}
	run->exit_reason = XVCPU_EXIT_HYPERCALL;
	run->hypercall.nr = r[XR_RAX];
	run->hypercall.args[0] = r[XR_RBX];
	run->hypercall.args[1] = r[XR_RCX];
	run->hypercall.args[2] = r[XR_RDX];
	run->hypercall.args[3] = r[XR_RSI];
	run->hypercall.args[4] = r[XR_RDI];
	run->hypercall.ret = 0;
	vcpu->pending = XVCPU_PENDING_HYPERCALL;
	xvcpu_skip_insn(vcpu, e->insn_len);
	return XVCPU_USER;
}

static int handle_ept_misconfig(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u64 data[2] = { vmcs_read64(GUEST_PHYSICAL_ADDRESS),
			vmcs_readl(GUEST_RIP) };

	/* Our EPT is never misconfigured unless we have a bug: say so. */
	pr_err_ratelimited("vm %u vcpu %u: EPT misconfiguration at GPA 0x%llx\n",
			   vcpu->vm->id, vcpu->id, data[0]);
	return xvcpu_internal_error(vcpu, XVCPU_INTERNAL_UNHANDLED_EXIT, data,
				    ARRAY_SIZE(data));
}

typedef int (*exit_handler_t)(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);

static const exit_handler_t exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI]		= xvcpu_handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= resume,
	[EXIT_REASON_TRIPLE_FAULT]		= handle_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW]		= handle_irq_window,
	[EXIT_REASON_CPUID]			= xvcpu_handle_cpuid,
	[EXIT_REASON_HLT]			= handle_hlt,
	[EXIT_REASON_INVD]			= skip_and_resume,
	/* Caches are the host's: no-ops, as KVM without assigned devices. */
	[EXIT_REASON_WBINVD]			= skip_and_resume,
	[EXIT_REASON_RDPMC]			= inject_gp,
	[EXIT_REASON_VMCALL]			= handle_vmcall,
	[EXIT_REASON_VMCLEAR]			= inject_ud,
	[EXIT_REASON_VMLAUNCH]			= inject_ud,
	[EXIT_REASON_VMPTRLD]			= inject_ud,
	[EXIT_REASON_VMPTRST]			= inject_ud,
	[EXIT_REASON_VMREAD]			= inject_ud,
	[EXIT_REASON_VMRESUME]			= inject_ud,
	[EXIT_REASON_VMWRITE]			= inject_ud,
	[EXIT_REASON_VMOFF]			= inject_ud,
	[EXIT_REASON_VMON]			= inject_ud,
	[EXIT_REASON_CR_ACCESS]			= xvcpu_handle_cr,
	[EXIT_REASON_DR_ACCESS]			= xvcpu_handle_dr,
	[EXIT_REASON_IO_INSTRUCTION]		= xvcpu_handle_io,
	[EXIT_REASON_MSR_READ]			= xvcpu_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]			= xvcpu_handle_wrmsr,
	[EXIT_REASON_MWAIT_INSTRUCTION]		= skip_and_resume,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= skip_and_resume,
	[EXIT_REASON_EPT_VIOLATION]		= xvcpu_handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]		= handle_ept_misconfig,
	[EXIT_REASON_INVEPT]			= inject_ud,
	[EXIT_REASON_INVVPID]			= inject_ud,
	[EXIT_REASON_PREEMPTION_TIMER]		= resume,
	[EXIT_REASON_XSETBV]			= xvcpu_handle_xsetbv,
	[EXIT_REASON_GETSEC]			= inject_ud,
	[EXIT_REASON_VMFUNC]			= inject_ud,
};

/*
 * Exits that may interrupt the delivery of an event and are handled
 * without emulating the instruction at RIP: the event is redelivered
 * (event.c). Any other exit during delivery would be a CPU or xvcpu bug;
 * it reaches user space as XVCPU_INTERNAL_EVENT_DELIVERY, as in KVM.
 */
static bool exit_during_delivery_ok(u32 basic)
{
	switch (basic) {
	case EXIT_REASON_EXCEPTION_NMI:
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_TRIPLE_FAULT:
	case EXIT_REASON_EPT_VIOLATION:
	case EXIT_REASON_PREEMPTION_TIMER:
		return true;
	default:
		return false;
	}
}

int xvcpu_event_delivery_error(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e,
			       u64 gpa)
{
	u64 data[4] = { e->reason, e->qual, e->idt_vectoring, gpa };

	return xvcpu_internal_error(vcpu, XVCPU_INTERNAL_EVENT_DELIVERY, data,
				    ARRAY_SIZE(data));
}

int xvcpu_handle_exit(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	exit_handler_t h = NULL;
	u32 basic = e->basic;

	if ((e->idt_vectoring & VECTORING_INFO_VALID_MASK) &&
	    !exit_during_delivery_ok(basic))
		return xvcpu_event_delivery_error(vcpu, e, 0);

	if (basic < ARRAY_SIZE(exit_handlers)) {
		basic = array_index_nospec(basic, ARRAY_SIZE(exit_handlers));
		h = exit_handlers[basic];
	}
	return h ? h(vcpu, e) : xvcpu_unknown_exit(vcpu, e);
}
