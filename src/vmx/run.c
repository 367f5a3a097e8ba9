// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop of one vCPU (XVCPU_RUN). Process context; the vCPU is
 * loaded (preemption off) except where something may sleep.
 *
 * Each iteration: check for a signal (-> -EINTR) or a reschedule (put,
 * yield, load again), inject what is pending, enter the guest with
 * interrupts off, read the exit, let the host take interrupts and NMIs,
 * then dispatch the exit (exit.c). In-kernel exits loop straight back
 * into the guest; the others fill the run page and return to user space.
 * A guest that never exits still leaves at every host interrupt and at
 * every preemption-timer slice, so it can never hold a CPU.
 */
#include "../xvcpu.h"

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/special_insns.h>

#include "caps.h"
#include "vmcs.h"
#include "vmx.h"

static bool guest_interruptible(void)
{
	return (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
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

/* Interrupts off. Queue an external interrupt, or ask to be told when. */
static void inject_events(struct xvcpu_vcpu *vcpu)
{
	bool want = vcpu->pending_irq >= 0 ||
		    READ_ONCE(vcpu->run->request_interrupt_window);

	if (!want) {
		set_irq_window(vcpu, false);
		return;
	}
	/* An event being re-delivered goes first. */
	if (vcpu->pending_irq >= 0 && !vcpu->entry_event &&
	    guest_interruptible()) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     vcpu->pending_irq | INTR_TYPE_EXT_INTR |
			     INTR_INFO_VALID_MASK);
		vcpu->entry_event = true;
		vcpu->pending_irq = -1;
		want = READ_ONCE(vcpu->run->request_interrupt_window);
	}
	set_irq_window(vcpu, want);
}

/* An event whose delivery the exit interrupted must be delivered again. */
static void requeue_vectoring(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u32 info = e->idt_vectoring;
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
		     info & (VECTORING_INFO_VECTOR_MASK | VECTORING_INFO_TYPE_MASK |
			     VECTORING_INFO_DELIVER_CODE_MASK | VECTORING_INFO_VALID_MASK));
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, e->insn_len);
	vcpu->entry_event = true;
}

static int fail_entry(struct xvcpu_vcpu *vcpu, u64 reason, u32 insn_error,
		      u64 qual)
{
	struct xvcpu_run *run = vcpu->run;

	run->exit_reason = XVCPU_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.vm_instruction_error = insn_error;
	run->fail_entry.cpu = smp_processor_id();
	run->fail_entry.exit_qualification = qual;
	return XVCPU_USER;
}

/* One guest entry and the exit that ends it. Returns like an exit handler. */
static int enter_guest(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u64 host_xcr0 = 0;
	int r;

	local_irq_disable();
	if (signal_pending(current) || need_resched()) {
		local_irq_enable();
		return -EAGAIN;
	}
	inject_events(vcpu);

	if (vcpu->cr2 != native_read_cr2())
		native_write_cr2(vcpu->cr2);
	if (vcpu->xcr0_switch) {
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	}

	r = xvcpu_vmx_enter(&vcpu->regs, vcpu->launched);

	if (vcpu->xcr0_switch)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	vcpu->cr2 = native_read_cr2();

	if (r == 0) {
		e->reason = vmcs_read32(VM_EXIT_REASON);
		/* A VM entry that failed its guest-state checks launched nothing. */
		if (!(e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
			vcpu->launched = true;
			vcpu->entry_event = false;
		}
		e->basic = e->reason & 0xffff;
		if (e->basic == EXIT_REASON_EXCEPTION_NMI) {
			e->intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
			if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) ==
			    INTR_TYPE_NMI_INTR)
				xvcpu_vmx_do_nmi_irqoff();
		}
	}
	local_irq_enable();

	if (r == 2)
		return -EIO;	/* VMX switched off: the host reboots */
	if (r == 1) {
		u32 err = vmcs_read32(VM_INSTRUCTION_ERROR);

		pr_err_ratelimited("vm %u vcpu %u: VM entry failed, VM-instruction error %u\n",
				   vcpu->vm->id, vcpu->id, err);
		if (__ratelimit(&vcpu->vm->dump_rs))
			xvcpu_vmcs_dump(vcpu);
		return fail_entry(vcpu, 0, err, 0);
	}

	vcpu->exit_count++;
	e->qual = vmcs_readl(EXIT_QUALIFICATION);
	if (e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return fail_entry(vcpu, e->reason, 0, e->qual);
	e->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	e->idt_vectoring = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	requeue_vectoring(vcpu, e);
	return xvcpu_handle_exit(vcpu, e);
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
	run->ready_for_interrupt_injection = vcpu->pending_irq < 0 &&
					     !vcpu->entry_event &&
					     guest_interruptible();
	run->exit_count = vcpu->exit_count;
}

int xvcpu_vcpu_run(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_run *run = vcpu->run;
	struct xvcpu_exit e;
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

	for (;;) {
		memset(&e, 0, sizeof(e));
		r = enter_guest(vcpu, &e);
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
