/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Always-on statistics of VMs and vCPUs (Documentation/stats.rst), read
 * through a stats fd laid out as KVM's binary stats (XVCPU_GET_STATS_FD)
 * and through debugfs.
 *
 * Writers: a vCPU's counters are written by the thread running its
 * ioctls only (vcpu->mutex held: RUN, RESET_STATS), with plain stores
 * into u64 fields, so counting takes no lock and no atomic instruction.
 * Readers (stats fds, debugfs) read them with READ_ONCE() while the vCPU
 * runs: every u64 is read whole, but a read may see an exit in one field
 * and not yet in the next (its handling time summed, its bucket not yet
 * counted, say). That is accepted; a vCPU between RUNs reads exact.
 *
 * Cost, the budget being 25 instructions per exit: two RDTSCs, one at
 * the VM exit and one when its handling is decided, and the counting in
 * between -- 3 + 21 instructions in the compiled run loop (3 + 12 for
 * the CPUID exit, whose row is a constant), +16.4 per CPUID exit
 * measured by make bench (Documentation/stats.rst). Times are
 * TSC ticks and become nanoseconds when read (tsc_khz); only the
 * histograms bin nanoseconds as they count, through a fixed-point
 * multiply. An exit's count is its histogram's sum, and guest time is
 * derived when read (struct xvcpu_vcpu_stats), so neither costs an
 * instruction per exit.
 */
#ifndef XVCPU_TRACE_STATS_H
#define XVCPU_TRACE_STATS_H

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/lockdep.h>
#include <linux/nospec.h>
#include <linux/refcount.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <asm/msr.h>
#include <asm/vmx.h>
#include <uapi/linux/xvcpu.h>

struct dentry;
struct xvcpu_vm;
struct xvcpu_vcpu;

/* Basic exit reasons <asm/vmx.h> names: 0 .. EXIT_REASON_NOTIFY. */
#define XVCPU_STATS_REASONS	(EXIT_REASON_NOTIFY + 1)
/* Row 0 counts reasons past that table; row r + 1 counts reason r. */
#define XVCPU_STATS_ROWS	(XVCPU_STATS_REASONS + 1)
/*
 * The run loop's sampling arrays (run.c, trace_sampled_out()) have a
 * slot for each value of the exit reason's low byte: the guest-caused
 * index is clamped by one MOVZBL, which the compiler cannot drop as it
 * may a C cast once it knows the bound (array_index_nospec() is three
 * instructions). Slots past XVCPU_STATS_REASONS take only speculative
 * accesses.
 */
#define XVCPU_TRACE_SLOTS	256
#define xvcpu_trace_slot(reason) ({				\
	unsigned long __i;					\
	asm("movzbl %b1, %k0" : "=r" (__i) : "r" ((u32)(reason))); \
	__i; })
/* Log2 histograms of nanoseconds: [0], [1,2), ... [2^30 (1.07 s), inf). */
#define XVCPU_STATS_BUCKETS	32
/* Exits to user space, by struct xvcpu_run.exit_reason. */
#define XVCPU_STATS_KINDS	(XVCPU_EXIT_IRQ_WINDOW_OPEN + 1)
/* Histogram binning: ns = ticks * xvcpu_stats_mult >> XVCPU_STATS_SHIFT. */
#define XVCPU_STATS_SHIFT	16

/*
 * Written by the vCPU's own thread only; zeroed by XVCPU_RESET_STATS.
 * The exits of a basic reason are not counted apart: every exit adds to
 * exactly one bucket of its reason's histogram, whose sum is the count.
 * Arrays indexed by row, not a struct per row: one index, scaled by the
 * addressing mode, reaches all three without arithmetic.
 */
struct xvcpu_vcpu_counters {
	u64 exit_ticks[XVCPU_STATS_ROWS];	/* handling time */
	u64 exit_ticks_max[XVCPU_STATS_ROWS];
	u64 exit_hist[XVCPU_STATS_ROWS][XVCPU_STATS_BUCKETS]; /* log2 ns */
	/*
	 * The sampling policy's decisions, traced run loop only (run.c).
	 * By row; rows past XVCPU_STATS_ROWS (xvcpu_trace_slot()) stay 0.
	 */
	u64 traced[XVCPU_TRACE_SLOTS + 1];
	u64 sampled_out[XVCPU_TRACE_SLOTS + 1];
	u64 user_exits[XVCPU_STATS_KINDS];
	u64 user_ticks[XVCPU_STATS_KINDS];	/* RUN return -> next RUN */
	u64 user_ticks_max[XVCPU_STATS_KINDS];
	u64 user_hist[XVCPU_STATS_KINDS][XVCPU_STATS_BUCKETS];
	u64 runs;
	u64 ept_slot;			/* EPT violations a slot page served */
	u64 ept_mmio;			/* ... that were MMIO */
	u64 injections[4];		/* by XVCPU_INJ_* (vm.h) */
};

/*
 * In struct xvcpu_vcpu, whose memory lives on while a stats fd of the
 * vCPU is open (refs).
 *
 * Guest time is not added up per exit but derived when read: a segment
 * of a RUN starts at t_seg (RUN start, after a reschedule) and every exit
 * moves t_dec to the moment its handling was decided, so the segment so
 * far took t_dec - t_seg, of which the exits' handling times are not the
 * guest's. span adds up the finished segments; seq lets a reader take
 * span, t_seg and t_dec together.
 */
struct xvcpu_vcpu_stats {
	struct xvcpu_vcpu_counters c;
	union {
		u64 t_exit;	/* TSC at the last VM exit */
		u32 t_exit_half[2];
	};
	u64 t_dec;		/* TSC when its handling was decided */
	u64 t_seg;		/* TSC at the start of this segment */
	u64 span;		/* ticks of the finished segments */
	u64 t_return;		/* TSC at the last RUN return, 0 none */
	u32 last_kind;		/* its exit kind */
	seqcount_t seq;		/* span, t_seg */
	refcount_t refs;	/* the vCPU + one per stats fd */
	u32 vm_id;		/* (c) */
	u32 vcpu_id;		/* (c) */
	pid_t pid;		/* (c) the VM creator's tgid */
};

/* Per VM, in struct xvcpu_vm. */
struct xvcpu_vm_stats {
	u64 pins;		/* (m) pages pinned since creation/reset */
	u64 pinned_peak;	/* (m) most pages pinned at once */
	pid_t pid;		/* (c) creator's tgid */
	struct dentry *dir;	/* (c) debugfs xvcpu/vm-<id>-<pid>/ */
};

extern u64 xvcpu_stats_mult;
extern u8 xvcpu_stats_bucket_of_bit[64];

/*
 * run.c, right after the VM exit (interrupts off): its timestamp, stored
 * as RDTSC leaves it, the two halves of the little-endian u64.
 */
static __always_inline void xvcpu_stats_exit(struct xvcpu_vcpu_stats *s)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	/* Two stores, not merged into one that needs the halves joined. */
	WRITE_ONCE(s->t_exit_half[0], lo);
	WRITE_ONCE(s->t_exit_half[1], hi);
}

/*
 * The log2 bucket of @ticks in nanoseconds, fls64(ns) up to the last:
 * the highest bit of ns << XVCPU_STATS_SHIFT, through a table that maps
 * bits below the point (under 1 ns) to bucket 0 and clamps at the last.
 * BSR with source and destination in one register leaves a zero input
 * zero (as fls64() relies on), so the table index stays in bounds.
 */
static __always_inline unsigned long xvcpu_stats_bucket(u64 ticks)
{
	u64 x = ticks * xvcpu_stats_mult;

	asm("bsr %0, %0" : "+r" (x));
	return xvcpu_stats_bucket_of_bit[x];
}

/*
 * run.c, once the exit's handler has decided (resume, exit to user space
 * or fail): count it by basic reason with its handling time. The row is
 * bounded without a branch (array_index_nospec); reasons past the table
 * land in row 0. @row: stats row, in bounds.
 */
static __always_inline void __xvcpu_stats_exit_done(struct xvcpu_vcpu_stats *s,
						    unsigned long row)
{
	struct xvcpu_vcpu_counters *c = &s->c;
	u64 now = rdtsc();
	u64 d;

	s->t_dec = now;
	d = now - s->t_exit;
	c->exit_ticks[row] += d;
	if (d > c->exit_ticks_max[row])
		c->exit_ticks_max[row] = d;
	c->exit_hist[row][xvcpu_stats_bucket(d)]++;
}

static __always_inline void xvcpu_stats_exit_done(struct xvcpu_vcpu_stats *s,
						  u32 basic)
{
	__xvcpu_stats_exit_done(s, array_index_nospec(basic + 1UL,
						      XVCPU_STATS_ROWS));
}

/* The same for an exit whose reason the caller knows at compile time. */
#define xvcpu_stats_exit_done_const(s, basic)				\
	do {								\
		BUILD_BUG_ON((basic) + 1 >= XVCPU_STATS_ROWS);		\
		__xvcpu_stats_exit_done(s, (basic) + 1);		\
	} while (0)

/*
 * run.c, vCPU loaded (preemption off): a RUN segment starts, at the
 * start of RUN and after a reschedule; the last one is added to span.
 */
static __always_inline void xvcpu_stats_resume(struct xvcpu_vcpu_stats *s)
{
	u64 now = rdtsc();

	lockdep_assert_preemption_disabled();
	write_seqcount_begin(&s->seq);
	WRITE_ONCE(s->span, s->span + s->t_dec - s->t_seg);
	WRITE_ONCE(s->t_seg, now);
	WRITE_ONCE(s->t_dec, now);
	write_seqcount_end(&s->seq);
}

/* mmio.c: an EPT violation, served from a slot or MMIO. */
static inline void xvcpu_stats_ept(struct xvcpu_vcpu_stats *s, bool mmio)
{
	if (mmio)
		s->c.ept_mmio++;
	else
		s->c.ept_slot++;
}

/*
 * event.c, after an exit: the entry carried an event (XVCPU_INJ_*). One
 * whose delivery the exit interrupted is carried again: a reinjection.
 */
static inline void xvcpu_stats_injected(struct xvcpu_vcpu_stats *s, u8 inj)
{
	s->c.injections[inj & 3]++;
}

/* ept.c, mmu_lock held: a page was pinned, @pinned are now. */
static inline void xvcpu_stats_pinned(struct xvcpu_vm_stats *s,
				      unsigned long pinned)
{
	s->pins++;
	if (pinned > s->pinned_peak)
		s->pinned_peak = pinned;
}

/* vcpu.c, when RUN starts: the VMM's round trip since the last return. */
static __always_inline void xvcpu_stats_run_begin(struct xvcpu_vcpu_stats *s)
{
	struct xvcpu_vcpu_counters *c = &s->c;
	u64 now = rdtsc();
	u32 k = s->last_kind;
	u64 d;

	c->runs++;
	if (!s->t_return)
		return;
	d = now - s->t_return;
	s->t_return = 0;
	c->user_ticks[k] += d;
	if (d > c->user_ticks_max[k])
		c->user_ticks_max[k] = d;
	c->user_hist[k][xvcpu_stats_bucket(d)]++;
}

/*
 * vcpu.c, when RUN returns @r: an exit to user space, by the kind in the
 * run page (a signal: INTR), or an error, which is no exit.
 */
static __always_inline void xvcpu_stats_run_end(struct xvcpu_vcpu_stats *s,
						int r,
						const struct xvcpu_run *run)
{
	u32 k;

	if (r == 0)
		k = READ_ONCE(run->exit_reason);
	else if (r == -EINTR)
		k = XVCPU_EXIT_INTR;
	else
		return;
	/* The run page is user memory: a number past the table is UNKNOWN. */
	k = array_index_nospec(k, XVCPU_STATS_KINDS);
	s->c.user_exits[k]++;
	s->last_kind = k;
	s->t_return = rdtsc() | 1;
}

/* Module load and unload: descriptors, the clock. */
int xvcpu_stats_init(void);
void xvcpu_stats_exit_module(void);

/* vm.c: VM creation (after its id is set) and destruction; ioctls. */
void xvcpu_stats_vm_init(struct xvcpu_vm *vm);
void xvcpu_stats_vm_destroy(struct xvcpu_vm *vm);
long xvcpu_stats_vm_ioctl(struct xvcpu_vm *vm, unsigned int cmd,
			  unsigned long arg);

/*
 * vcpu.c: a new vCPU (its memory from kvzalloc); dropping the vCPU's
 * reference frees that memory once no stats fd holds it either.
 */
void xvcpu_stats_vcpu_init(struct xvcpu_vcpu *vcpu);
void xvcpu_stats_vcpu_put(struct xvcpu_vcpu *vcpu);
long xvcpu_stats_vcpu_ioctl(struct xvcpu_vcpu *vcpu, unsigned int cmd,
			    unsigned long arg);

#endif /* XVCPU_TRACE_STATS_H */
