/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX backend as the rest of the module sees it.
 */
#ifndef XVCPU_VMX_VMX_H
#define XVCPU_VMX_VMX_H

#include <asm/processor-flags.h>

#include "../vm.h"
#include "vmcs.h"
#include "walk.h"

/* DR7 after reset and after every VM exit (bit 10 reads as 1). */
#ifndef DR7_FIXED_1	/* <linux/kvm_host.h> has it too */
#define DR7_FIXED_1	0x400UL
#endif
#define XVCPU_DR7_ENABLES	0xffUL		/* L0-3, G0-3 */
#define XVCPU_DR7_GD		BIT(13)		/* general detect */
#define XVCPU_DR6_BD		BIT(13)		/* debug-register access */

/* vmenter.S */
int xvcpu_vmx_enter(struct xvcpu_gprs *regs, unsigned long launched);
void xvcpu_vmx_exit(void);
void xvcpu_vmx_do_nmi_irqoff(void);

/* cpu.c: the VMCSs current or active on each CPU. */
void xvcpu_pcpu_vmcs_loaded(struct xvcpu_vcpu *vcpu);
void xvcpu_pcpu_vmcs_cleared(struct xvcpu_vcpu *vcpu);
bool xvcpu_pcpu_vmcs_is_current(struct xvcpu_vcpu *vcpu);
void xvcpu_pcpu_set_current(struct xvcpu_vcpu *vcpu);

/* vmcs.c: VMCS life cycle and host/guest state switching. */
int xvcpu_vmcs_create(struct xvcpu_vcpu *vcpu);
void xvcpu_vmcs_destroy(struct xvcpu_vcpu *vcpu);
/* Make the VMCS current here and switch host state; -EAGAIN: CPU going down. */
int xvcpu_vcpu_load(struct xvcpu_vcpu *vcpu);
/* Load, waiting for a CPU in VMX operation; -EINTR on a signal. */
int xvcpu_vcpu_reload(struct xvcpu_vcpu *vcpu);
void xvcpu_vcpu_put(struct xvcpu_vcpu *vcpu);
/* After a guest EFER change: guest SYSCALL MSRs in or out of the hardware. */
void xvcpu_sync_guest_msrs(struct xvcpu_vcpu *vcpu);
void xvcpu_vmcs_reset_guest(struct xvcpu_vcpu *vcpu);
void xvcpu_vmcs_dump(struct xvcpu_vcpu *vcpu);
void xvcpu_vmcs_dump_ratelimited(struct xvcpu_vcpu *vcpu);

/*
 * CR0 and CR4 bits the guest owns (changes them without an exit): an
 * allow-list, everything else traps (vmcs.c). The values the guest sees
 * are the VMCS's for owned bits and the read shadow's for the others.
 */
#define XVCPU_CR0_GUEST_OWNED	(X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
				 X86_CR0_WP | X86_CR0_AM)
#define XVCPU_CR4_GUEST_OWNED	(X86_CR4_PVI | X86_CR4_DE | X86_CR4_TSD | \
				 X86_CR4_PCE | X86_CR4_OSFXSR | \
				 X86_CR4_OSXMMEXCPT | X86_CR4_PGE | \
				 X86_CR4_FSGSBASE)

static inline unsigned long xvcpu_read_cr0(void)
{
	return (vmcs_readl(GUEST_CR0) & XVCPU_CR0_GUEST_OWNED) |
	       (vmcs_readl(CR0_READ_SHADOW) & ~XVCPU_CR0_GUEST_OWNED);
}

static inline unsigned long xvcpu_read_cr4(void)
{
	return (vmcs_readl(GUEST_CR4) & XVCPU_CR4_GUEST_OWNED) |
	       (vmcs_readl(CR4_READ_SHADOW) & ~XVCPU_CR4_GUEST_OWNED);
}

/* The host's XCR0, 0 when the host runs without XSAVE (vmcs.c). */
u64 xvcpu_host_xcr0(void);
/* Module load: read the host state every vCPU shares (vmcs.c). */
void xvcpu_host_state_init(void);
/* CR4 bits a guest may set (cr.c). */
unsigned long xvcpu_cr4_offered(void);

/* Guest GPRs by encoding number; RSP lives in the VMCS. Vcpu loaded. */
static inline unsigned long xvcpu_get_gpr(struct xvcpu_vcpu *vcpu,
					  unsigned int n)
{
	return n == XR_RSP ? vmcs_readl(GUEST_RSP) : vcpu->regs.r[n];
}

static inline void xvcpu_set_gpr(struct xvcpu_vcpu *vcpu, unsigned int n,
				 unsigned long v)
{
	if (n == XR_RSP)
		vmcs_writel(GUEST_RSP, v);
	else
		vcpu->regs.r[n] = v;
}

/* The guest's current privilege level (SS.DPL). Vcpu loaded. */
static inline u8 xvcpu_guest_cpl(void)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3;
}

/* run.c */
int xvcpu_vcpu_run(struct xvcpu_vcpu *vcpu);

/* Exit handling contract (exit.c): a handler returns
 *   XVCPU_RESUME  - handled in the kernel, enter the guest again;
 *   XVCPU_USER    - run->exit_reason and its data are filled, return 0
 *                   from RUN (the guest continues on the next RUN);
 *   < 0           - an errno for RUN (nothing was filled).
 */
#define XVCPU_RESUME	1
#define XVCPU_USER	0

/* struct xvcpu_exit, the exit being handled: vm.h (vcpu->exit). */

int xvcpu_handle_exit(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);

/* Past the emulated instruction at RIP, @len bytes long. */
static __always_inline void __xvcpu_skip_insn(struct xvcpu_vcpu *vcpu,
					      u32 len)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + len);
	/* An emulated instruction ends STI/MOV SS blocking, as a real one. */
	if (unlikely(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
}

/* The same, out of line. */
void xvcpu_skip_insn(struct xvcpu_vcpu *vcpu, u32 len);
int xvcpu_internal_error(struct xvcpu_vcpu *vcpu, u32 suberror,
			 const u64 *data, u32 ndata);
/* An exit xvcpu cannot handle: internal error with the raw reason. */
int xvcpu_unknown_exit(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
/* An exit during event delivery that cannot complete it (gpa: EPT, or 0). */
int xvcpu_event_delivery_error(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e,
			       u64 gpa);

/*
 * vcpu->work: what the next VM entry (and its exit) must do beyond the
 * common case, tested with trace_recheck as one word per entry
 * (vcpu->work_word, run.c). A bit may be set when there turns out to be
 * nothing to do (the slow path clears it); it is never clear while
 * there is something to do. The vCPU's own thread writes it.
 */
#define XVCPU_WORK_EVENT	BIT(0)	/* xvcpu_commit_event(): see event.c */
#define XVCPU_WORK_XCR0		BIT(1)	/* guest XCR0 loaded around the entry */
#define XVCPU_WORK_DR		BIT(2)	/* guest DR7 arms a breakpoint: DR0-3 */
#define XVCPU_WORK_DEBUGCTL	BIT(3)	/* host IA32_DEBUGCTL to restore */
/* In work_word: vcpu->trace_recheck, other threads' (trace/policy.c) */
#define XVCPU_WORK_RECHECK	BIT(24)
/* The bits the exit side looks at (the event's has its own test). */
#define XVCPU_WORK_EXIT		(XVCPU_WORK_XCR0 | XVCPU_WORK_DR | \
				 XVCPU_WORK_DEBUGCTL)

static inline void xvcpu_work_set(struct xvcpu_vcpu *vcpu, u8 bit, bool on)
{
	if (on)
		vcpu->work |= bit;
	else
		vcpu->work &= ~bit;
}

/* An event, or VMCS event state, for xvcpu_commit_event() to settle. */
static inline void xvcpu_event_work(struct xvcpu_vcpu *vcpu)
{
	vcpu->work |= XVCPU_WORK_EVENT;
}

/* event.c */
/* Whether an event waits for delivery (user space must not add one). */
static inline bool xvcpu_event_pending(struct xvcpu_vcpu *vcpu)
{
	return vcpu->pending_irq >= 0 || vcpu->exception.valid ||
	       vcpu->reinject.valid;
}

bool xvcpu_queue_exception(struct xvcpu_vcpu *vcpu, u8 vector, u32 error);
void xvcpu_inject_exception(struct xvcpu_vcpu *vcpu, u8 vector, u32 error);
void xvcpu_inject_gp(struct xvcpu_vcpu *vcpu);
void xvcpu_inject_ud(struct xvcpu_vcpu *vcpu);
void xvcpu_capture_vectoring(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
void xvcpu_commit_event(struct xvcpu_vcpu *vcpu);
void xvcpu_event_delivered(struct xvcpu_vcpu *vcpu);
void xvcpu_events_reset(struct xvcpu_vcpu *vcpu);
bool xvcpu_guest_interruptible(void);
void xvcpu_machine_check(void);
int xvcpu_handle_exception_nmi(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);

/* msr.c */
int xvcpu_handle_rdmsr(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
int xvcpu_handle_wrmsr(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
/* Host-initiated access (GET/SET_MSRS): 0 or -EINVAL/-ENOENT. */
int xvcpu_get_msr(struct xvcpu_vcpu *vcpu, u32 index, u64 *data);
int xvcpu_set_msr(struct xvcpu_vcpu *vcpu, u32 index, u64 data, bool host);
void xvcpu_msr_reset(struct xvcpu_vcpu *vcpu);

/* cpuid.c */
int xvcpu_handle_cpuid(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
int xvcpu_cpuid_default(struct xvcpu_vcpu *vcpu);
/* The vCPU's CPUID entry for @fn/@index, or NULL (leaf absent). */
const struct xvcpu_cpuid_entry *xvcpu_cpuid_find(struct xvcpu_vcpu *vcpu,
						 u32 fn, u32 index);
/* After a new table: the index xvcpu_cpuid_find() starts from. */
void xvcpu_cpuid_index(struct xvcpu_vcpu *vcpu);
/* vcpu->cpuid_first[]: bit 0 of a leaf that needs cpuid.c's slow path. */
#define XVCPU_CPUID_FIRST_SLOW	1UL

/*
 * The slot of leaf @fn in vcpu->cpuid_first[]: its range (bits 31:30:
 * basic, 0x4..., 0x8..., 0xc...) and its number in it, or -1 for a leaf
 * past the first 32 of its range. In bounds by construction: at most
 * 127, whatever @fn, even past a mispredicted branch.
 */
static __always_inline int xvcpu_cpuid_slot(u32 fn)
{
	if (fn & ~0xc000001fu)
		return -1;
	return (fn >> 25) | (fn & 0x1f);
}

/*
 * The handler's one-load lookup of leaf @fn: its cpuid_first[] word (the
 * entry, NULL for none, or XVCPU_CPUID_FIRST_SLOW set), or
 * XVCPU_CPUID_FIRST_SLOW for a leaf without a slot.
 */
static __always_inline unsigned long xvcpu_cpuid_first(struct xvcpu_vcpu *vcpu,
						       u32 fn)
{
	int slot = xvcpu_cpuid_slot(fn);

	/* Unsigned: the index needs no sign extension (a CPUID exit's). */
	if (likely(slot >= 0))
		return vcpu->cpuid_first[(unsigned int)slot];
	return XVCPU_CPUID_FIRST_SLOW;
}

/*
 * Whether the table has leaf @fn.@index (xvcpu_cpuid.found): the
 * handler's own lookup first, xvcpu_cpuid_find() for the rest.
 */
static inline bool xvcpu_cpuid_found(struct xvcpu_vcpu *vcpu, u32 fn,
				     u32 index)
{
	unsigned long first = xvcpu_cpuid_first(vcpu, fn);

	if (likely(!(first & XVCPU_CPUID_FIRST_SLOW)))
		return first;
	return xvcpu_cpuid_find(vcpu, fn, index);
}

/* cr.c */
int xvcpu_handle_cr(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
/* Validate and apply guest CR0/CR4/EFER (from SET_SREGS or an exit). */
int xvcpu_set_cr0(struct xvcpu_vcpu *vcpu, unsigned long cr0);
int xvcpu_set_cr4(struct xvcpu_vcpu *vcpu, unsigned long cr4);
int xvcpu_set_efer(struct xvcpu_vcpu *vcpu, u64 efer);
int xvcpu_load_pdptrs(struct xvcpu_vcpu *vcpu, unsigned long cr3);
/* Validity checks, shared by the exit paths and SET_SREGS. */
int xvcpu_check_cr0(unsigned long cr0);
int xvcpu_check_cr4(unsigned long cr4);
int xvcpu_check_efer(u64 efer);
/* SET_SREGS: CR0, CR4 and EFER together, without mode transitions. */
int xvcpu_set_cr0_cr4_efer(struct xvcpu_vcpu *vcpu, unsigned long cr0,
			   unsigned long cr4, u64 efer);

/* dr.c */
int xvcpu_handle_dr(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);

/* xcr.c */
int xvcpu_handle_xsetbv(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
/* XCR0 features a guest may enable: offered, the host's, in its CPUID. */
u64 xvcpu_xcr0_offered(void);
/* After a change of guest CR4.OSXSAVE or XCR0. */
void xvcpu_update_xcr0_switch(struct xvcpu_vcpu *vcpu);

/* io.c */
int xvcpu_handle_io(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
bool xvcpu_debug_port_exit(struct xvcpu_vcpu *vcpu, u64 qual);
int xvcpu_complete_io(struct xvcpu_vcpu *vcpu);

/* mmio.c: EPT violations */
int xvcpu_handle_ept_violation(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e);
int xvcpu_complete_mmio(struct xvcpu_vcpu *vcpu);

/* guest_mem.c: guest memory access */
/* Pin and map the page of @gpa: 0 mapped, 1 MMIO (no slot), or -errno. */
int xvcpu_fault_in(struct xvcpu_vm *vm, u64 gpa, bool write);

/* Vcpu loaded: capture the paging mode. */
void xvcpu_snapshot_mode(struct xvcpu_vcpu *vcpu, struct xvcpu_guest_mode *m);
/*
 * Vcpu not loaded (these sleep). Guest-physical copies go through the
 * slots (-ENOENT: no slot, i.e. MMIO; -EFAULT: the slot's user memory
 * is gone). Linear copies walk the guest page tables first and return
 * XVCPU_WALK_PF with *pf_error and *fault_la set on a guest page fault.
 */
int xvcpu_read_guest(struct xvcpu_vm *vm, u64 gpa, void *buf, size_t len);
int xvcpu_write_guest(struct xvcpu_vm *vm, u64 gpa, const void *buf,
		      size_t len);
int xvcpu_copy_linear(struct xvcpu_vcpu *vcpu,
		      const struct xvcpu_guest_mode *m, u64 la, void *buf,
		      size_t len, bool write, u32 *pf_error, u64 *fault_la);


#endif /* XVCPU_VMX_VMX_H */
