/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace sampling policy (Documentation/tracing.rst, "Sampling"): per VM
 * and VMX basic exit reason, which exits emit xvcpu_exit and the
 * reason's detail event. Indexed by stats row (trace/stats.h): row 0
 * for reasons past the table, row r + 1 for reason r. A value is the
 * N of "1 exit in N traced": 1 all, 0 off or triggered (struct
 * xvcpu_vm's trace_trig_*).
 */
#ifndef XVCPU_TRACE_POLICY_H
#define XVCPU_TRACE_POLICY_H

#include <linux/types.h>

struct xvcpu_vm;
struct xvcpu_vcpu;

/* vm.c: a new VM starts with the trace_policy module parameter's. */
void xvcpu_trace_policy_vm_init(struct xvcpu_vm *vm);
/* vm.c: XVCPU_SET_TRACE_POLICY. */
long xvcpu_trace_policy_ioctl(struct xvcpu_vm *vm, void __user *argp);
/* vm.c: XVCPU_TRACE_TRIGGER. */
long xvcpu_trace_trigger_ioctl(struct xvcpu_vm *vm, void __user *argp);
/* vcpu.c: a new vCPU's sampling state (its first exits decide afresh). */
void xvcpu_trace_vcpu_init(struct xvcpu_vcpu *vcpu);
/*
 * vmx/run.c, right after an exit the run loop does not sample out by
 * itself (the reason is vcpu->exit.reason): true if it is sampled out.
 */
bool xvcpu_trace_sample(struct xvcpu_vcpu *vcpu);
/*
 * vmx/run.c, interrupts off before an entry, XVCPU_WORK_RECHECK set: the
 * sampling policy changed, or a window opened; the countdowns start over.
 */
void xvcpu_trace_recheck(struct xvcpu_vcpu *vcpu);

#endif /* XVCPU_TRACE_POLICY_H */
