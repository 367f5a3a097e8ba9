/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the xvcpu system (Documentation/tracing.rst). The fields
 * are raw numbers, an ABI for scripts and filters; field names follow
 * kvm:kvm_exit where the meaning is the same. Callers prepare anything
 * costly (VMREADs, clocks) only under trace_<event>_enabled(), and never
 * call a tracepoint from the noinstr world switch (run.c).
 *
 * The debug port and guest events have their own header (trace_guest.h)
 * in the same system.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xvcpu

#ifndef XVCPU_TRACE_DEFS_H
#define XVCPU_TRACE_DEFS_H

#include <linux/jump_label.h>
#include <linux/types.h>

#include "stats.h"

struct trace_seq;

/*
 * On while any of xvcpu_entry, xvcpu_exit, xvcpu_regs_diff, xvcpu_cpuid
 * or a detail event of an exit (xvcpu_io, xvcpu_mmio, xvcpu_msr,
 * xvcpu_cr, xvcpu_ept_violation, xvcpu_hypercall) has a user (tracefs,
 * perf, BPF: their regfunc/unregfunc count them): the run loop then runs
 * its traced copy (run.c), which checks each event on its own and
 * applies the sampling policy; otherwise its untraced one, for one
 * static-key NOP.
 */
DECLARE_STATIC_KEY_FALSE(xvcpu_trace_run);
int xvcpu_trace_run_reg(void);
void xvcpu_trace_run_unreg(void);

/*
 * Behind xvcpu_trace_run, the hooks of the traced run loop have a key
 * each: xvcpu_trace_before_entry while xvcpu_entry or xvcpu_regs_diff
 * has a user, xvcpu_trace_after_exit while xvcpu_cpuid or
 * xvcpu_regs_diff has one.
 */
DECLARE_STATIC_KEY_FALSE(xvcpu_trace_before_entry);
DECLARE_STATIC_KEY_FALSE(xvcpu_trace_after_exit);
int xvcpu_trace_entry_reg(void);
void xvcpu_trace_entry_unreg(void);
int xvcpu_trace_cpuid_reg(void);
void xvcpu_trace_cpuid_unreg(void);
int xvcpu_trace_regs_diff_reg(void);
void xvcpu_trace_regs_diff_unreg(void);

/*
 * A detail event of the exit being handled: only if the exit is traced
 * (vcpu->trace_detail, set by the traced run loop for the exits the
 * sampling policy keeps).
 */
#define xvcpu_trace_detail(event, vcpu, ...)				\
	do {								\
		if (trace_xvcpu_##event##_enabled() &&			\
		    (vcpu)->trace_detail)				\
			trace_xvcpu_##event(vcpu, __VA_ARGS__);		\
	} while (0)

/* xvcpu_exit.outcome */
#define XVCPU_TRACE_KERNEL	0	/* handled, the guest resumes */
#define XVCPU_TRACE_USER	1	/* RUN returns, run page filled */
#define XVCPU_TRACE_ERROR	2	/* RUN fails with an errno */

/* xvcpu_exit.exit_reason of a VMfail (no VM exit happened), as KVM's. */
#define XVCPU_TRACE_VMFAIL	0xdead

/* xvcpu_msr.outcome */
#define XVCPU_TRACE_MSR_EMULATED	0
#define XVCPU_TRACE_MSR_GP		1
#define XVCPU_TRACE_MSR_USER		2

/* xvcpu_cr.access: the exit qualification's access type */
#define XVCPU_TRACE_CR_WRITE	0
#define XVCPU_TRACE_CR_READ	1
#define XVCPU_TRACE_CR_CLTS	2
#define XVCPU_TRACE_CR_LMSW	3

/* xvcpu_cr.outcome */
#define XVCPU_TRACE_CR_DONE	0	/* emulated, instruction skipped */
#define XVCPU_TRACE_CR_GP	1	/* #GP injected */
#define XVCPU_TRACE_CR_UD	2	/* #UD injected (no such register) */
#define XVCPU_TRACE_CR_FAIL	3	/* RUN fails (-EINTR) */

/* xvcpu_ept_violation.outcome */
#define XVCPU_TRACE_EPT_MAPPED	0	/* page pinned and mapped (or retry) */
#define XVCPU_TRACE_EPT_MMIO	1	/* no slot or read-only: MMIO */
#define XVCPU_TRACE_EPT_ERROR	2	/* MEMORY internal error */

/* General registers and RIP/RFLAGS in xvcpu_regs_diff, in this order. */
#define XVCPU_TRACE_NR_REGS	18
#define XVCPU_TRACE_RIP		16
#define XVCPU_TRACE_RFLAGS	17

/*
 * xvcpu_exit.handle_ns from TSC ticks, as the stats convert them
 * (trace/stats.h): the 128-bit product of MULQ shifted by SHRD, three
 * instructions for any count. In C, the 64-bit product needed a range
 * test and mul_u64_u32_shr() made the event's function realign its
 * stack. A "negative" count (an unstable TSC across a CPU change) is 0.
 */
static __always_inline u64 xvcpu_trace_ns(s64 ticks)
{
	u64 ns, hi;

	if (unlikely(ticks < 0))
		return 0;
	asm("mulq %[mult]\n\t"
	    "shrd %[shift], %%rdx, %%rax"
	    : "=a" (ns), "=d" (hi)
	    : "0" (ticks), [mult] "m" (xvcpu_stats_mult),
	      [shift] "i" (XVCPU_STATS_SHIFT)
	    : "cc");
	return ns;
}

/*
 * An event's vm_id and vcpu_id, next to each other in the record as in
 * the vCPU (vm.h): one 8-byte copy.
 */
#define xvcpu_trace_ids(entry, vcpu)					\
	do {								\
		BUILD_BUG_ON(offsetof(typeof(*(entry)), vcpu_id) !=	\
			     offsetof(typeof(*(entry)), vm_id) + 4);	\
		BUILD_BUG_ON(offsetof(struct xvcpu_vcpu, id) !=		\
			     offsetof(struct xvcpu_vcpu, vm_id) + 4);	\
		put_unaligned(get_unaligned((const u64 *)&(vcpu)->vm_id), \
			      (u64 *)&(entry)->vm_id);			\
	} while (0)

/* xvcpu_regs_diff: registers in slots, the rest in "more" (trace.c). */
#define XVCPU_TRACE_DIFF_SLOTS	14
struct xvcpu_vcpu;
struct trace_event_raw_xvcpu_regs_diff;
unsigned int xvcpu_trace_regs_diff_more(u32 changed);
void xvcpu_trace_regs_diff_fill(const struct xvcpu_vcpu *vcpu, u32 changed,
				const u64 *vmcs,
				struct trace_event_raw_xvcpu_regs_diff *entry,
				u64 *more);

#endif /* XVCPU_TRACE_DEFS_H */

#if !defined(XVCPU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define XVCPU_TRACE_H

#include <linux/math64.h>
#include <linux/ktime.h>
#include <asm/unaligned.h>
#include <linux/tracepoint.h>
#include <asm/vmx.h>

#include "../vm.h"
#include "../vmx/vmx.h"

/*
 * The exit, once its handling is decided: @r is the handler's verdict
 * (XVCPU_RESUME, XVCPU_USER or an errno). Read here, only when the event
 * is recorded: the exit (vcpu->exit), what only its moment knows (CPU,
 * RIP, interruption information: vcpu->trace_exit) and, in the stats,
 * the TSC at the exit and at the decision.
 */
TRACE_EVENT_FN(xvcpu_exit,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, int r),
	TP_ARGS(vcpu, r),

	TP_STRUCT__entry(
		__field(u32, cpu)
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u32, exit_reason)
		__field(u32, reason_flags)
		__field(u32, insn_len)
		__field(u64, guest_rip)
		__field(u64, qual)
		__field(u32, intr_info)
		__field(u8, outcome)
		__field(u64, handle_ns)
	),

	TP_fast_assign(
		__entry->cpu = vcpu->trace_exit.cpu;
		xvcpu_trace_ids(__entry, vcpu);
		__entry->exit_reason = vcpu->exit.reason & 0xffff;
		__entry->reason_flags = vcpu->exit.reason >> 16;
		__entry->insn_len = vcpu->exit.insn_len;
		__entry->guest_rip = vcpu->trace_exit.rip;
		__entry->qual = vcpu->exit.qual;
		__entry->intr_info = vcpu->exit.intr_info;
		/* XVCPU_RESUME 1: kernel 0, XVCPU_USER 0: user 1, < 0: 2 */
		__entry->outcome = (r <= 0) + (r < 0);
		__entry->handle_ns = xvcpu_trace_ns(vcpu->stats.t_dec -
						    vcpu->stats.t_exit);
	),

	TP_printk("vm_id=%u vcpu_id=%u cpu=%u reason=%s flags=0x%x rip=0x%llx qual=0x%llx insn_len=%u intr_info=0x%x outcome=%s handle_ns=%llu",
		  __entry->vm_id, __entry->vcpu_id, __entry->cpu,
		  __print_symbolic(__entry->exit_reason, VMX_EXIT_REASONS,
				   { XVCPU_TRACE_VMFAIL, "VMFAIL" }),
		  __entry->reason_flags, __entry->guest_rip, __entry->qual,
		  __entry->insn_len, __entry->intr_info,
		  __print_symbolic(__entry->outcome,
				   { XVCPU_TRACE_KERNEL, "kernel" },
				   { XVCPU_TRACE_USER, "user" },
				   { XVCPU_TRACE_ERROR, "error" }),
		  __entry->handle_ns),

	xvcpu_trace_run_reg, xvcpu_trace_run_unreg
);

/*
 * Right before an entry (interrupts off, the vCPU loaded): RIP and the
 * event injected from the VMCS, and for the first entry since RUN
 * returned (vcpu.c set trace_ret_ns) the VMM's time.
 */
TRACE_EVENT_FN(xvcpu_entry,
	TP_PROTO(const struct xvcpu_vcpu *vcpu),
	TP_ARGS(vcpu),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u64, guest_rip)
		__field(u32, inj_info)
		__field(u64, user_ns)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->guest_rip = vmcs_readl(GUEST_RIP);
		__entry->inj_info = vcpu->intr_info_valid ?
				    vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) : 0;
		__entry->user_ns = vcpu->trace_ret_ns &&
				   vcpu->trace_ret_exits == vcpu->exit_count ?
				   ktime_get_ns() - vcpu->trace_ret_ns : 0;
	),

	TP_printk("vm_id=%u vcpu_id=%u rip=0x%llx inj_info=0x%x user_ns=%llu",
		  __entry->vm_id, __entry->vcpu_id, __entry->guest_rip,
		  __entry->inj_info, __entry->user_ns),

	xvcpu_trace_entry_reg, xvcpu_trace_entry_unreg
);

TRACE_EVENT_FN(xvcpu_io,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u16 port, u8 size, bool in,
		 bool string, bool rep, u32 count, u64 data, bool user),
	TP_ARGS(vcpu, port, size, in, string, rep, count, data, user),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u16, port)
		__field(u8, size)
		__field(u8, in)
		__field(u8, string)
		__field(u8, rep)
		__field(u8, user)
		__field(u32, count)
		__field(u64, data)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->port = port;
		__entry->size = size;
		__entry->in = in;
		__entry->string = string;
		__entry->rep = rep;
		__entry->user = user;
		__entry->count = count;
		__entry->data = data;
	),

	TP_printk("vm_id=%u vcpu_id=%u dir=%s port=0x%x size=%u string=%u rep=%u count=%u data=0x%llx handled=%s",
		  __entry->vm_id, __entry->vcpu_id,
		  __entry->in ? "in" : "out", __entry->port, __entry->size,
		  __entry->string, __entry->rep, __entry->count,
		  __entry->data, __entry->user ? "user" : "kernel"),

	xvcpu_trace_run_reg, xvcpu_trace_run_unreg
);

TRACE_EVENT_FN(xvcpu_mmio,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u64 gpa, u32 len, bool write,
		 u64 data),
	TP_ARGS(vcpu, gpa, len, write, data),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u64, gpa)
		__field(u32, len)
		__field(u8, is_write)
		__field(u64, data)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->gpa = gpa;
		__entry->len = len;
		__entry->is_write = write;
		__entry->data = data;
	),

	TP_printk("vm_id=%u vcpu_id=%u %s gpa=0x%llx len=%u data=0x%llx",
		  __entry->vm_id, __entry->vcpu_id,
		  __entry->is_write ? "write" : "read", __entry->gpa,
		  __entry->len, __entry->data),

	xvcpu_trace_run_reg, xvcpu_trace_run_unreg
);

TRACE_EVENT_FN(xvcpu_msr,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u32 index, u64 data,
		 bool write, u8 outcome),
	TP_ARGS(vcpu, index, data, write, outcome),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u32, index)
		__field(u8, write)
		__field(u8, outcome)
		__field(u64, data)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->index = index;
		__entry->write = write;
		__entry->outcome = outcome;
		__entry->data = data;
	),

	TP_printk("vm_id=%u vcpu_id=%u %s index=0x%x data=0x%llx outcome=%s",
		  __entry->vm_id, __entry->vcpu_id,
		  __entry->write ? "wrmsr" : "rdmsr", __entry->index,
		  __entry->data,
		  __print_symbolic(__entry->outcome,
				   { XVCPU_TRACE_MSR_EMULATED, "emulated" },
				   { XVCPU_TRACE_MSR_GP, "gp" },
				   { XVCPU_TRACE_MSR_USER, "user" })),

	xvcpu_trace_run_reg, xvcpu_trace_run_unreg
);

/*
 * Emitted by the run loop (run.c), not by the CPUID handler: the input
 * saved at the exit (vcpu->trace_exit), the output the handler left in
 * the registers.
 */
TRACE_EVENT_FN(xvcpu_cpuid,
	TP_PROTO(struct xvcpu_vcpu *vcpu),
	TP_ARGS(vcpu),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u32, function)
		__field(u32, index)
		__field(u32, eax)
		__field(u32, ebx)
		__field(u32, ecx)
		__field(u32, edx)
		__field(u8, found)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->function = vcpu->trace_exit.cpuid_fn;
		__entry->index = vcpu->trace_exit.cpuid_index;
		__entry->eax = vcpu->regs.r[XR_RAX];
		__entry->ebx = vcpu->regs.r[XR_RBX];
		__entry->ecx = vcpu->regs.r[XR_RCX];
		__entry->edx = vcpu->regs.r[XR_RDX];
		__entry->found = xvcpu_cpuid_found(vcpu,
						   vcpu->trace_exit.cpuid_fn,
						   vcpu->trace_exit.cpuid_index);
	),

	TP_printk("vm_id=%u vcpu_id=%u function=0x%x index=0x%x eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x found=%u",
		  __entry->vm_id, __entry->vcpu_id, __entry->function,
		  __entry->index, __entry->eax, __entry->ebx, __entry->ecx,
		  __entry->edx, __entry->found),

	xvcpu_trace_cpuid_reg, xvcpu_trace_cpuid_unreg
);

TRACE_EVENT_FN(xvcpu_cr,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u8 cr, u8 access, u64 value,
		 u8 outcome),
	TP_ARGS(vcpu, cr, access, value, outcome),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u8, cr)
		__field(u8, access)
		__field(u8, outcome)
		__field(u64, value)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->cr = cr;
		__entry->access = access;
		__entry->outcome = outcome;
		__entry->value = value;
	),

	TP_printk("vm_id=%u vcpu_id=%u cr=%u access=%s value=0x%llx outcome=%s",
		  __entry->vm_id, __entry->vcpu_id, __entry->cr,
		  __print_symbolic(__entry->access,
				   { XVCPU_TRACE_CR_WRITE, "write" },
				   { XVCPU_TRACE_CR_READ, "read" },
				   { XVCPU_TRACE_CR_CLTS, "clts" },
				   { XVCPU_TRACE_CR_LMSW, "lmsw" }),
		  __entry->value,
		  __print_symbolic(__entry->outcome,
				   { XVCPU_TRACE_CR_DONE, "done" },
				   { XVCPU_TRACE_CR_GP, "gp" },
				   { XVCPU_TRACE_CR_UD, "ud" },
				   { XVCPU_TRACE_CR_FAIL, "error" })),

	xvcpu_trace_run_reg, xvcpu_trace_run_unreg
);

TRACE_EVENT_FN(xvcpu_ept_violation,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u64 gpa, u64 qual, u8 outcome),
	TP_ARGS(vcpu, gpa, qual, outcome),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u64, gpa)
		__field(u64, qual)
		__field(u8, outcome)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->gpa = gpa;
		__entry->qual = qual;
		__entry->outcome = outcome;
	),

	TP_printk("vm_id=%u vcpu_id=%u gpa=0x%llx qual=0x%llx outcome=%s",
		  __entry->vm_id, __entry->vcpu_id, __entry->gpa,
		  __entry->qual,
		  __print_symbolic(__entry->outcome,
				   { XVCPU_TRACE_EPT_MAPPED, "mapped" },
				   { XVCPU_TRACE_EPT_MMIO, "mmio" },
				   { XVCPU_TRACE_EPT_ERROR, "error" })),

	xvcpu_trace_run_reg, xvcpu_trace_run_unreg
);

TRACE_EVENT_FN(xvcpu_hypercall,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u8 cpl),
	TP_ARGS(vcpu, cpl),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u64, nr)
		__array(u64, args, 5)
		__field(u8, cpl)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->nr = vcpu->regs.r[XR_RAX];
		__entry->args[0] = vcpu->regs.r[XR_RBX];
		__entry->args[1] = vcpu->regs.r[XR_RCX];
		__entry->args[2] = vcpu->regs.r[XR_RDX];
		__entry->args[3] = vcpu->regs.r[XR_RSI];
		__entry->args[4] = vcpu->regs.r[XR_RDI];
		__entry->cpl = cpl;
	),

	TP_printk("vm_id=%u vcpu_id=%u nr=0x%llx args=0x%llx,0x%llx,0x%llx,0x%llx,0x%llx cpl=%u",
		  __entry->vm_id, __entry->vcpu_id, __entry->nr,
		  __entry->args[0], __entry->args[1], __entry->args[2],
		  __entry->args[3], __entry->args[4], __entry->cpl),

	xvcpu_trace_run_reg, xvcpu_trace_run_unreg
);

/* Where the injected event came from (vm.h's XVCPU_INJ_*). */
TRACE_DEFINE_ENUM(XVCPU_INJ_EXCEPTION);
TRACE_DEFINE_ENUM(XVCPU_INJ_REINJECT);
TRACE_DEFINE_ENUM(XVCPU_INJ_IRQ);

TRACE_EVENT(xvcpu_inject,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u32 info, u32 error,
		 u8 source),
	TP_ARGS(vcpu, info, error, source),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u8, vector)
		__field(u8, type)
		__field(u8, has_error)
		__field(u8, source)
		__field(u32, error_code)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->vector = info & INTR_INFO_VECTOR_MASK;
		__entry->type = (info & INTR_INFO_INTR_TYPE_MASK) >> 8;
		__entry->has_error = !!(info & INTR_INFO_DELIVER_CODE_MASK);
		__entry->source = source;
		__entry->error_code = __entry->has_error ? error : 0;
	),

	TP_printk("vm_id=%u vcpu_id=%u vector=%u type=%s has_error=%u error_code=0x%x source=%s",
		  __entry->vm_id, __entry->vcpu_id, __entry->vector,
		  __print_symbolic(__entry->type,
				   { 0, "ext_intr" }, { 2, "nmi" },
				   { 3, "hard_exception" }, { 4, "soft_intr" },
				   { 5, "priv_sw_exception" },
				   { 6, "soft_exception" }),
		  __entry->has_error, __entry->error_code,
		  __print_symbolic(__entry->source,
				   { XVCPU_INJ_EXCEPTION, "exception" },
				   { XVCPU_INJ_REINJECT, "reinject" },
				   { XVCPU_INJ_IRQ, "irq" }))
);

TRACE_EVENT(xvcpu_entry_failed,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u32 reason, u32 insn_error,
		 u64 qual),
	TP_ARGS(vcpu, reason, insn_error, qual),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u32, hardware_reason)
		__field(u32, insn_error)
		__field(u64, qual)
		__field(u64, cr0)
		__field(u64, cr4)
		__field(u64, efer)
		__field(u64, rflags)
		__field(u64, rip)
		__field(u32, cs_ar)
		__field(u32, ss_ar)
		__field(u32, tr_ar)
		__field(u32, activity)
		__field(u32, interruptibility)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->hardware_reason = reason;
		__entry->insn_error = insn_error;
		__entry->qual = qual;
		__entry->cr0 = vmcs_readl(GUEST_CR0);
		__entry->cr4 = vmcs_readl(GUEST_CR4);
		__entry->efer = vmcs_read64(GUEST_IA32_EFER);
		__entry->rflags = vmcs_readl(GUEST_RFLAGS);
		__entry->rip = vmcs_readl(GUEST_RIP);
		__entry->cs_ar = vmcs_read32(GUEST_CS_AR_BYTES);
		__entry->ss_ar = vmcs_read32(GUEST_SS_AR_BYTES);
		__entry->tr_ar = vmcs_read32(GUEST_TR_AR_BYTES);
		__entry->activity = vmcs_read32(GUEST_ACTIVITY_STATE);
		__entry->interruptibility =
			vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	),

	TP_printk("vm_id=%u vcpu_id=%u hardware_reason=0x%x insn_error=%u qual=0x%llx cr0=0x%llx cr4=0x%llx efer=0x%llx rflags=0x%llx rip=0x%llx cs_ar=0x%x ss_ar=0x%x tr_ar=0x%x activity=%u interruptibility=0x%x",
		  __entry->vm_id, __entry->vcpu_id, __entry->hardware_reason,
		  __entry->insn_error, __entry->qual, __entry->cr0,
		  __entry->cr4, __entry->efer, __entry->rflags, __entry->rip,
		  __entry->cs_ar, __entry->ss_ar, __entry->tr_ar,
		  __entry->activity, __entry->interruptibility)
);

/*
 * xvcpu_regs_diff's print format, built only of what libtraceevent (perf,
 * trace-cmd) evaluates, so that every reader prints the same text without
 * any text in the record. Slot k (of XVCPU_TRACE_DIFF_SLOTS) prints
 * " <reg> 0x<old> -> 0x<new>" for the k-th changed register, nothing past
 * n: the name and each value through __print_symbolic(), whose table
 * holds only { 0, "0x0" }, so that any other value prints as "0x%lx" --
 * in the kernel and in libtraceevent alike. (A precision of 0, "%.*llx",
 * would hide an unused value in libtraceevent but not in the kernel,
 * which prints "0"; __print_array() prints "{0x1,0x2}" in the kernel,
 * "1 2" in libtraceevent.) Four arguments a slot: 14 slots fit the
 * kernel's 63; registers past the 14th are printed by name only, their
 * (old, new) pairs are in the field "more".
 */
#define xvcpu_trace_reg_name(r)						\
	__print_symbolic(r,						\
		{ 0, " rax " }, { 1, " rcx " }, { 2, " rdx " },		\
		{ 3, " rbx " }, { 4, " rsp " }, { 5, " rbp " },		\
		{ 6, " rsi " }, { 7, " rdi " }, { 8, " r8 " },		\
		{ 9, " r9 " }, { 10, " r10 " }, { 11, " r11 " },	\
		{ 12, " r12 " }, { 13, " r13 " }, { 14, " r14 " },	\
		{ 15, " r15 " }, { 16, " rip " }, { 17, " rflags " })

#define xvcpu_trace_reg_flags(m)					\
	__print_flags(m, " ",						\
		{ 0x1, "rax" }, { 0x2, "rcx" }, { 0x4, "rdx" },	\
		{ 0x8, "rbx" }, { 0x10, "rsp" }, { 0x20, "rbp" },	\
		{ 0x40, "rsi" }, { 0x80, "rdi" }, { 0x100, "r8" },	\
		{ 0x200, "r9" }, { 0x400, "r10" }, { 0x800, "r11" },	\
		{ 0x1000, "r12" }, { 0x2000, "r13" }, { 0x4000, "r14" },	\
		{ 0x8000, "r15" }, { 0x10000, "rip" },		\
		{ 0x20000, "rflags" })

#define XVCPU_TRACE_DIFF_SLOT_FMT	"%s%s%s%s"
#ifndef __CHECKER__
#define XVCPU_TRACE_DIFF_SLOT(k)					\
	__entry->n > (k) ? xvcpu_trace_reg_name(__entry->reg[k]) : "",	\
	__entry->n > (k) ?						\
		__print_symbolic(__entry->old[k], { 0, "0x0" }) : "",	\
	__entry->n > (k) ? " -> " : "",					\
	__entry->n > (k) ?						\
		__print_symbolic(__entry->new[k], { 0, "0x0" }) : ""
#else
/*
 * sparse stringifies TP_printk()'s arguments (the print format tracefs
 * shows) into a buffer that 14 full slots overflow ("too long token
 * expansion"): it checks a short stand-in; the compiler builds the above.
 */
#define XVCPU_TRACE_DIFF_SLOT(k)	"", "", "", ""
#endif

/*
 * @vcpu->trace_regs (the registers at the entry) against those at the
 * exit: the GPRs in @vcpu->regs but RSP, and @vmcs (RSP, RIP, RFLAGS).
 */
TRACE_EVENT_FN(xvcpu_regs_diff,
	TP_PROTO(const struct xvcpu_vcpu *vcpu, u32 changed, const u64 *vmcs),
	TP_ARGS(vcpu, changed, vmcs),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u32, changed)
		__field(u32, more_regs)
		__field(u8, n)
		__array(u8, reg, XVCPU_TRACE_DIFF_SLOTS)
		__array(u64, old, XVCPU_TRACE_DIFF_SLOTS)
		__array(u64, new, XVCPU_TRACE_DIFF_SLOTS)
		__dynamic_array(u64, more,
				xvcpu_trace_regs_diff_more(changed))
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
		__entry->changed = changed;
		xvcpu_trace_regs_diff_fill(vcpu, changed, vmcs, __entry,
					   __get_dynamic_array(more));
	),

	TP_printk("vm_id=%u vcpu_id=%u%s"
		  XVCPU_TRACE_DIFF_SLOT_FMT XVCPU_TRACE_DIFF_SLOT_FMT
		  XVCPU_TRACE_DIFF_SLOT_FMT XVCPU_TRACE_DIFF_SLOT_FMT
		  XVCPU_TRACE_DIFF_SLOT_FMT XVCPU_TRACE_DIFF_SLOT_FMT
		  XVCPU_TRACE_DIFF_SLOT_FMT XVCPU_TRACE_DIFF_SLOT_FMT
		  XVCPU_TRACE_DIFF_SLOT_FMT XVCPU_TRACE_DIFF_SLOT_FMT
		  XVCPU_TRACE_DIFF_SLOT_FMT XVCPU_TRACE_DIFF_SLOT_FMT
		  XVCPU_TRACE_DIFF_SLOT_FMT XVCPU_TRACE_DIFF_SLOT_FMT "%s%s",
		  __entry->vm_id, __entry->vcpu_id,
		  __entry->n ? "" : " unchanged",
		  XVCPU_TRACE_DIFF_SLOT(0), XVCPU_TRACE_DIFF_SLOT(1),
		  XVCPU_TRACE_DIFF_SLOT(2), XVCPU_TRACE_DIFF_SLOT(3),
		  XVCPU_TRACE_DIFF_SLOT(4), XVCPU_TRACE_DIFF_SLOT(5),
		  XVCPU_TRACE_DIFF_SLOT(6), XVCPU_TRACE_DIFF_SLOT(7),
		  XVCPU_TRACE_DIFF_SLOT(8), XVCPU_TRACE_DIFF_SLOT(9),
		  XVCPU_TRACE_DIFF_SLOT(10), XVCPU_TRACE_DIFF_SLOT(11),
		  XVCPU_TRACE_DIFF_SLOT(12), XVCPU_TRACE_DIFF_SLOT(13),
		  __entry->more_regs ? " +" : "",
		  xvcpu_trace_reg_flags(__entry->more_regs)),

	xvcpu_trace_regs_diff_reg, xvcpu_trace_regs_diff_unreg
);

DECLARE_EVENT_CLASS(xvcpu_vm_class,
	TP_PROTO(const struct xvcpu_vm *vm),
	TP_ARGS(vm),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(s32, pid)
	),

	TP_fast_assign(
		__entry->vm_id = vm->id;
		__entry->pid = vm->pid;
	),

	TP_printk("vm_id=%u pid=%d", __entry->vm_id, __entry->pid)
);

DEFINE_EVENT(xvcpu_vm_class, xvcpu_vm_create,
	TP_PROTO(const struct xvcpu_vm *vm),
	TP_ARGS(vm)
);

DEFINE_EVENT(xvcpu_vm_class, xvcpu_vm_destroy,
	TP_PROTO(const struct xvcpu_vm *vm),
	TP_ARGS(vm)
);

TRACE_EVENT(xvcpu_vcpu_create,
	TP_PROTO(const struct xvcpu_vcpu *vcpu),
	TP_ARGS(vcpu),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
	),

	TP_fast_assign(
		xvcpu_trace_ids(__entry, vcpu);
	),

	TP_printk("vm_id=%u vcpu_id=%u", __entry->vm_id, __entry->vcpu_id)
);

#endif /* XVCPU_TRACE_H */

/* Out of tree: this header's own directory is on the include path (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
