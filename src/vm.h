/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM and vCPU objects.
 *
 * Lifetime: a VM lives while its fd or any of its vCPU fds is open (each
 * vCPU holds a reference on the VM). A vCPU lives while its fd is open.
 * All ioctls must come from the process that created the VM (its mm):
 * guest memory is that process's memory.
 *
 * Locking legend for the fields below:
 *   (c) constant after creation
 *   (v) vm->lock
 *   (s) written with vm->slots_lock held for write and vm->mmu_lock;
 *       read with either (Documentation/memory.rst)
 *   (m) vm->mmu_lock (EPT)
 *   (a) atomic
 *   (u) vcpu->mutex (held across every vCPU ioctl, RUN included)
 *   (l) vcpu->mutex, and only while the vCPU is loaded (xvcpu_vcpu_load
 *       to xvcpu_vcpu_put, preemption disabled: the VMCS is current on
 *       this CPU); there are no preemption notifiers, code that sleeps
 *       puts the vCPU first
 *   (x) written by other CPUs too: by the CPU that holds the VMCS (IPI
 *       from vmclear_remote, or its hotplug offline callback) with
 *       release semantics, read with acquire (vmcs.c, cpu.c)
 */
#ifndef XVCPU_VM_H
#define XVCPU_VM_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/ratelimit.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "xvcpu.h"
#include "trace/stats.h"
#include "vmx/decode.h"
#include "vmx/walk.h"

struct xvcpu_vm;
struct xvcpu_vcpu;
struct xvcpu_debug_port_ring;

struct xvcpu_memslot {
	struct xvcpu_vm *vm;	/* (c) */
	u64 gpa;		/* (s) page aligned */
	u64 size;		/* (s) bytes, 0 = unused slot */
	u64 uaddr;		/* (s) page aligned user address */
	u32 flags;		/* (s) XVCPU_MEM_* */
	/*
	 * Watches [uaddr, uaddr + size) of vm->mm while the slot is in use:
	 * inserted before size is set, removed after it is cleared, both
	 * under vm->slots_lock held for write.
	 */
	struct mmu_interval_notifier notifier;
};

/* Table pages for one xvcpu_ept_map(): the levels below the root. */
#define XVCPU_EPT_CACHE		3

struct xvcpu_ept {
	u64 *root;		/* (m) PML4 page, kernel virtual */
	u64 eptp;		/* (c) EPT pointer for the VMCS */
	unsigned long pinned;	/* (m) guest pages pinned now */
	unsigned long tables;	/* (m) EPT table pages in the tree */
	/* (m) zeroed pages allocated without mmu_lock, for xvcpu_ept_map */
	void *cache[XVCPU_EPT_CACHE];
	unsigned int ncache;	/* (m) */
};

struct xvcpu_vm {
	refcount_t refs;		/* VM fd + one per vCPU */
	u32 id;				/* (c) for traces and logs */
	pid_t pid;			/* (c) creator's tgid, for traces */
	struct mm_struct *mm;		/* (c) creator's mm (mmgrab'ed) */
	struct mutex lock;		/* vCPU creation, capabilities */
	/*
	 * Lock order: slots_lock, then mmap_lock, then mmu_lock. mmu_lock
	 * is taken inside MMU notifiers (under mmap_lock, page locks,
	 * reclaim): nothing that sleeps on those or allocates memory runs
	 * under it.
	 */
	struct rw_semaphore slots_lock;	/* slot changes vs. their users */
	struct mutex mmu_lock;		/* EPT, slots for the notifier */
	struct xvcpu_memslot slots[XVCPU_MAX_MEMSLOTS];	/* (s) */
	struct xvcpu_ept ept;		/* (m) */
	/*
	 * Pages charged to mm->locked_vm (RLIMIT_MEMLOCK) for pins, and
	 * those of them unpinned since where mmap_lock cannot be taken
	 * (notifiers): the next charge or slot deletion, or the VM's end,
	 * uncharges them.
	 */
	atomic_long_t locked;		/* (a) */
	atomic_long_t locked_stale;	/* (a) */
	/*
	 * (v) to change; RCU to read without it: a vCPU's memory outlives
	 * its release by a grace period (kvfree_rcu()), so that another
	 * vCPU's run loop can set its trace_recheck (trace/policy.c).
	 */
	struct xvcpu_vcpu __rcu *vcpus[XVCPU_MAX_VCPUS];
	unsigned int nr_vcpus;		/* (v) */
	bool user_msr_exits;		/* (v) XVCPU_CAP_USER_MSR_EXITS */
	/* (v) XVCPU_CAP_USER_DEBUG_PORT; read without it (READ_ONCE) */
	bool user_debug_port;
	/* (v) XVCPU_CAP_USER_TRACE_EVENTS; read without it (READ_ONCE) */
	bool user_trace_events;
	/* (c) the debug-port log; its own lock (trace/guest.c) */
	struct xvcpu_debug_port_ring *debug_port;
	struct ratelimit_state dump_rs;	/* VMCS dumps of this VM */
	u64 created_ns;			/* (c) ktime_get_ns() at creation */
	struct xvcpu_vm_stats stats;	/* trace/stats.h */
	/*
	 * Trace sampling by stats row (trace/policy.h): 1 exit in N traced,
	 * 1 all, 0 off. Written by XVCPU_SET_TRACE_POLICY, read by the
	 * vCPUs' traced run loops (READ_ONCE).
	 */
	u32 trace_every[XVCPU_TRACE_SLOTS + 1];	/* rows past ROWS: 0 */
	/*
	 * Triggered sampling (trace_every 0): each row's window in TSC ticks
	 * (0: the row is not in triggered mode), its rate threshold in exits
	 * per second (0: only XVCPU_TRACE_TRIGGER), and the TSC until which
	 * it is on, for all vCPUs. READ_ONCE/WRITE_ONCE.
	 */
	u64 trace_trig_window[XVCPU_STATS_ROWS];
	u32 trace_trig_rate[XVCPU_STATS_ROWS];
	u64 trace_trig_until[XVCPU_STATS_ROWS];
	/* Bumped by each policy change: the vCPUs restart their counts. */
	u32 trace_trig_gen;
};

/* What a linear-address access needs to know of the guest (mmio.c). */
struct xvcpu_guest_mode {
	struct xvcpu_walk_regs walk;
	unsigned int mode;	/* 16, 32 or 64: code size */
	u8 cpl;
};

/* Guest general registers, in x86 encoding order; [4] (RSP) is in the VMCS. */
enum {
	XR_RAX, XR_RCX, XR_RDX, XR_RBX, XR_RSP, XR_RBP, XR_RSI, XR_RDI,
	XR_R8, XR_R9, XR_R10, XR_R11, XR_R12, XR_R13, XR_R14, XR_R15,
	XR_NR,
};

struct xvcpu_gprs {
	unsigned long r[XR_NR];
};

/* What a user-space exit left for the next RUN to complete. */
enum xvcpu_pending {
	XVCPU_PENDING_NONE,
	XVCPU_PENDING_IO_IN,	/* copy run data into RAX (or memory) */
	XVCPU_PENDING_IO_OUT,	/* just advance (string: continue) */
	XVCPU_PENDING_MMIO,	/* load: write data into a register */
	XVCPU_PENDING_HYPERCALL,/* ret into RAX */
	XVCPU_PENDING_MSR_READ,
	XVCPU_PENDING_MSR_WRITE,
};

/*
 * An event for the next VM entry, kept here, not in the VMCS, until the
 * entry that carries it: run.c writes VM_ENTRY_INTR_INFO from it right
 * before each entry, checked against the guest's mode at that moment,
 * so that no later ioctl (SET_SREGS into real mode, say) can make the
 * entry fail on its control fields.
 */
struct xvcpu_event {
	bool valid;
	bool has_error;		/* the vector pushes an error code */
	u8 vector;
	u8 type;		/* INTR_TYPE_* >> 8 */
	u32 error;
	u32 insn_len;		/* software interrupts and exceptions */
};

/* Which event the entry in progress carries (xvcpu_vcpu.injected). */
enum {
	XVCPU_INJ_NONE,
	XVCPU_INJ_EXCEPTION,
	XVCPU_INJ_REINJECT,
	XVCPU_INJ_IRQ,
};

/* The exit being handled (vcpu->exit), as its handler sees it. */
struct xvcpu_exit {
	u32 reason;		/* full exit reason field */
	u32 basic;		/* reason & 0xffff */
	unsigned long qual;	/* exit qualification */
	u32 insn_len;
	/*
	 * VM-exit interruption information, read where the SDM defines it
	 * (27.2.2): exception or NMI exits; 0 for the others (no exit
	 * acknowledges an external interrupt: the host takes it).
	 */
	u32 intr_info;
	u32 idt_vectoring;	/* IDT-vectoring information */
};

/* What xvcpu_exit needs from the moment of the exit (run.c, trace.h). */
struct xvcpu_exit_trace {
	bool cpuid;		/* a CPUID exit, xvcpu_cpuid on: its input */
	u32 cpu;
	unsigned long rip;
	u32 cpuid_fn;
	u32 cpuid_index;
};

/* The emulated MSRs kept as storage (the rest live in the VMCS). */
struct xvcpu_msr_state {
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 tsc_aux, misc_enable, apic_base;
	u64 mtrr_def_type;
	u64 mtrr_fixed[11];
	u64 mtrr_var[16];	/* base/mask pairs 0x200..0x20f */
	u64 tsc_offset;		/* guest TSC = host TSC + offset */
	u64 ucode_rev;		/* IA32_BIOS_SIGN_ID: revision in 63:32 */
};

/* Leaves cpuid.c finds without a scan: 32 in each of four ranges. */
#define XVCPU_CPUID_FIRST	128

struct xvcpu_vcpu {
	struct xvcpu_vm *vm;		/* (c) */
	/* (c) vm->id and the vCPU's id, in this order as in the events */
	u32 vm_id;
	u32 id;
	/* xvcpu_stats_vcpu_put(): in the first 4 KiB, for kvfree_rcu() */
	struct rcu_head rcu;
	struct mutex mutex;		/* one ioctl at a time */
	struct xvcpu_run *run;		/* (c) shared page */
	struct page *run_page;		/* (c) */

	/* VMX state */
	void *vmcs;			/* (c) VMCS region */
	u64 vmcs_pa;			/* (c) */
	int cpu;			/* (x) CPU holding the VMCS, -1 none */
	bool launched;			/* (x) VMLAUNCH done since VMCLEAR */
	struct list_head loaded_link;	/* (x) on that CPU's loaded list */
	unsigned long host_rsp;		/* (l) last HOST_RSP written */
	u16 vpid;			/* (c) */
	bool loaded;			/* (u) between load and put */

	/* guest state not in the VMCS */
	struct xvcpu_gprs regs;		/* (u) */
	unsigned long cr2;		/* (u) */
	/* CR0/CR4 live in the VMCS: xvcpu_read_cr0/4() (vmx.h). */
	unsigned long cr8;		/* (u) TPR as the guest sees it */
	u64 xcr0;			/* (u) guest XCR0 */
	unsigned long dr[8];		/* (u) guest DR0-3, DR6 (DR7 in VMCS) */
	u64 host_debugctl;		/* (l) IA32_DEBUGCTL to put back */
	/*
	 * What the entry and exit path must do beyond the common case: one
	 * word, read once per entry (run.c), as KVM's vcpu->requests. Its
	 * low byte, work, is the vCPU's own, XVCPU_WORK_* (vmx.h), set where
	 * the state changes; its top byte, trace_recheck, other threads set
	 * (trace/policy.c: a new sampling policy, a window opened) and the
	 * vCPU takes at its next entry (XVCPU_WORK_RECHECK in the word).
	 * Each side stores only its own byte: neither undoes the other.
	 */
	union {
		u32 work_word;		/* READ_ONCE */
		struct {
			u8 work;	/* (u) */
			u8 work_unused[2];
			u8 trace_recheck;	/* (a) WRITE_ONCE, xchg */
		};
	};
	struct xvcpu_msr_state msr;	/* (u) */
	struct fpu_guest fpu;		/* (c) guest FPU state */
	bool msrs_switched;		/* (l) guest STAR.. in the hardware */
	unsigned long host_cr3;		/* (l) last HOST_CR3 written */
	unsigned long host_cr4;		/* (l) last HOST_CR4 written */
	unsigned long host_fs_base;	/* (l) last HOST_FS_BASE written */

	/* CPUID table */
	struct xvcpu_cpuid_entry *cpuid;	/* (u) */
	u32 cpuid_nent;			/* (u) */
	/*
	 * (u) The first entry of each leaf 0-0x1f, 0x40000000-0x4000001f,
	 * 0x80000000-0x8000001f and 0xc0000000-0xc000001f, NULL when the
	 * table has none; bit 0 set when that leaf has subleaves or bits
	 * computed at each CPUID (cpuid.c).
	 */
	unsigned long cpuid_first[XVCPU_CPUID_FIRST];

	/* events (event.c) */
	int pending_irq;		/* (u) vector, -1 none */
	bool irq_window;		/* (u) interrupt-window exiting is on */
	struct xvcpu_event exception;	/* (u) queued by an exit handler */
	struct xvcpu_event reinject;	/* (u) the exit interrupted it */
	u8 injected;			/* (u) XVCPU_INJ_*: in this entry */
	bool intr_info_valid;		/* (u) VM_ENTRY_INTR_INFO may be valid */

	/* completion of the last user-space exit */
	enum xvcpu_pending pending;	/* (u) */
	u8 pending_len;			/* (u) MSR exit: instruction length */
	struct {
		bool string, rep, in, df;
		u8 size;		/* 1, 2, 4 */
		u8 asz;			/* address size in bytes */
		u16 port;
		u32 count;		/* this exit's repetitions */
		u32 insn_len;
		u64 la;			/* INS: linear destination */
		struct xvcpu_guest_mode mode;
	} io;				/* (u) */
	struct xvcpu_mmio_insn mmio;	/* (u) MMIO load to complete */
	u8 mmio_mode;			/* (u) its code size */

	u64 exit_count;			/* (u) */
	/*
	 * Tracing (src/trace/trace.h), written only while the event is on:
	 * RUN's last return (ktime_get_ns) and exit_count then, for
	 * xvcpu_entry.user_ns; the registers at the last entry and the
	 * exit_count they belong to, for xvcpu_regs_diff; the moment of the
	 * exit being handled, for xvcpu_exit.
	 */
	u64 trace_ret_ns;		/* (u) */
	u64 trace_ret_exits;		/* (u) */
	u64 trace_regs_exit;		/* (u) */
	u64 trace_regs[XR_NR + 2];	/* (u) GPRs, RIP, RFLAGS */
	/*
	 * (u) The exit the run loop handles (run.c), in the vCPU so that
	 * xvcpu_exit reads it from the one pointer it is given.
	 */
	struct xvcpu_exit exit;
	struct xvcpu_exit_trace trace_exit;	/* (u) */
	/*
	 * Trace sampling (trace/policy.c, xvcpu_trace_sample()), traced copy
	 * of the run loop only: per stats row, the countdown of exits still
	 * sampled out (> 1: this one, and one less; 1: the next one decides)
	 * -- the run loop's (trace_cd) and policy.c's own for I/O and row 0
	 * --; the N the run loop restarts a count with and traces the exit
	 * (0: policy.c decides);
	 * the rows that decide afresh; for triggered rows the TSC at the
	 * first exit of the current block of "rate" exits; whether the exit
	 * being handled is traced (its detail events emitted: set by the
	 * traced run loop only, for the exits it traces).
	 */
	u32 trace_cd[XVCPU_TRACE_SLOTS];	/* (u) by reason's low byte */
	u32 trace_period[XVCPU_STATS_REASONS];	/* (u) "every N": N, or 0 */
	u32 trace_io_cd;			/* (u) */
	u32 trace_row0_cd;			/* (u) */
	DECLARE_BITMAP(trace_fresh, XVCPU_STATS_ROWS);	/* (u) */
	u64 trig_start[XVCPU_STATS_ROWS];	/* (u) */
	u32 trig_gen;			/* (u) the VM's trace_trig_gen seen */
	bool trace_detail;		/* (u) */
	bool rcu_qs_due;		/* (u) next entry reports an RCU QS */
	/* (u) written; a stats fd keeps this memory (trace/stats.h) */
	struct xvcpu_vcpu_stats stats;
};

/* vm.c */
long xvcpu_create_vm(unsigned long type);
void xvcpu_vm_put(struct xvcpu_vm *vm);
struct xvcpu_memslot *xvcpu_find_slot(struct xvcpu_vm *vm, u64 gpa);
int xvcpu_vm_charge(struct xvcpu_vm *vm, unsigned long pages);

/* @pages pinned pages were unpinned: uncharged at the next settling. */
static inline void xvcpu_vm_uncharge(struct xvcpu_vm *vm, unsigned long pages)
{
	atomic_long_add(pages, &vm->locked_stale);
}

/* vcpu.c */
int xvcpu_create_vcpu(struct xvcpu_vm *vm, unsigned long id);

#endif /* XVCPU_VM_H */
