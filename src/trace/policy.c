// SPDX-License-Identifier: GPL-2.0
/*
 * The trace sampling policy (policy.h): the trace_policy module
 * parameter, the default a new VM starts with, and
 * XVCPU_SET_TRACE_POLICY, which changes one VM's. The run loop's traced
 * copy applies it (vmx/run.c).
 */
#include "../xvcpu.h"

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "../vm.h"
#include "../vmx/vmcs.h"
#include "../vmx/vmx.h"
#include "policy.h"

static_assert(XVCPU_TRACE_REASONS == XVCPU_STATS_REASONS);

/*
 * The seed default: the frequent I/O and MSR exits 1 in 100, EPT
 * violations and APIC accesses triggered, the rest all.
 */
#define DEFAULT_POLICY \
	"IO_INSTRUCTION:every100,MSR_READ:every100,MSR_WRITE:every100," \
	"EPT_VIOLATION:triggered,APIC_ACCESS:triggered"
#define POLICY_MAX	1024
/* "triggered" alone: on above 10,000 exits/s, for 100 ms. */
#define TRIG_RATE	10000
#define TRIG_WINDOW_MS	100

static const struct {
	u32 nr;
	const char *name;
} reason_names[] = { VMX_EXIT_REASONS };

/* One reason's policy: N of 1 in N (1 all, 0 off or triggered). */
struct policy_row {
	u32 every;
	u32 rate;	/* triggered: exits/s, 0 for explicit only */
	u32 window_ms;	/* triggered: > 0; 0: not triggered */
};

/* The module parameter's text and its table, under policy_lock. */
static DEFINE_MUTEX(policy_lock);
static char policy_text[POLICY_MAX] = "default";
static struct policy_row policy_rows[XVCPU_STATS_ROWS];
static bool policy_parsed;	/* policy_rows holds policy_text's table */

static void set_all(struct policy_row *rows, const struct policy_row *to)
{
	unsigned int i;

	for (i = 0; i < XVCPU_STATS_ROWS; i++)
		rows[i] = *to;
}

/*
 * "all", "off", "every<N>" (N >= 1), "triggered", "triggered<RATE>" or
 * "triggered<RATE>/<MS>" (RATE exits/s, 0: explicit trigger only; MS
 * 1 .. XVCPU_TRACE_WINDOW_MAX_MS).
 */
static int parse_mode(char *s, struct policy_row *row)
{
	char *slash;

	memset(row, 0, sizeof(*row));
	if (!strcmp(s, "all")) {
		row->every = 1;
		return 0;
	}
	if (!strcmp(s, "off"))
		return 0;
	if (!strncmp(s, "every", 5))
		return kstrtou32(s + 5, 10, &row->every) || !row->every ?
		       -EINVAL : 0;
	if (strncmp(s, "triggered", 9))
		return -EINVAL;
	s += 9;
	row->rate = TRIG_RATE;
	row->window_ms = TRIG_WINDOW_MS;
	if (!*s)
		return 0;
	slash = strchr(s, '/');
	if (slash) {
		*slash = 0;
		if (kstrtou32(slash + 1, 10, &row->window_ms) ||
		    !row->window_ms ||
		    row->window_ms > XVCPU_TRACE_WINDOW_MAX_MS)
			return -EINVAL;
	}
	return kstrtou32(s, 10, &row->rate) ? -EINVAL : 0;
}

/* A reason's name as <asm/vmx.h> spells it, or its number: its row. */
static int parse_reason(const char *s)
{
	unsigned int i;
	u32 nr;

	if (!kstrtou32(s, 10, &nr))
		return nr < XVCPU_STATS_REASONS ? nr + 1 : -EINVAL;
	for (i = 0; i < ARRAY_SIZE(reason_names); i++)
		if (!strcmp(s, reason_names[i].name))
			return reason_names[i].nr + 1;
	return -EINVAL;
}

static int parse_policy(const char *text, struct policy_row *rows);

/* "default", "*:<mode>" or "<reason>:<mode>", applied to @rows. */
static int apply_item(char *item, struct policy_row *rows)
{
	char *colon = strchr(item, ':');
	struct policy_row to;
	int row, r;

	if (!strcmp(item, "default"))
		return parse_policy(DEFAULT_POLICY, rows);
	if (!colon)
		return -EINVAL;
	*colon = 0;
	r = parse_mode(colon + 1, &to);
	if (r)
		return r;
	if (!strcmp(item, "*")) {
		set_all(rows, &to);
		return 0;
	}
	row = parse_reason(item);
	if (row < 0)
		return row;
	rows[row] = to;
	return 0;
}

/*
 * A comma-separated list of items, applied left to right to a table of
 * all reasons "all"; empty items and blanks around items are skipped.
 */
static int parse_policy(const char *text, struct policy_row *rows)
{
	static const struct policy_row all = { .every = 1 };
	char *buf, *p, *item;
	int r = 0;

	buf = kstrdup(text, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	set_all(rows, &all);
	p = buf;
	while (!r && (item = strsep(&p, ",")) != NULL) {
		item = strim(item);
		if (*item)
			r = apply_item(item, rows);
	}
	kfree(buf);
	return r;
}

static int policy_set(const char *val, const struct kernel_param *kp)
{
	struct policy_row *rows;
	size_t len;
	int r;

	len = strlen(val);
	if (len && val[len - 1] == '\n')
		len--;
	if (len >= POLICY_MAX)
		return -EINVAL;
	rows = kmalloc_array(XVCPU_STATS_ROWS, sizeof(*rows), GFP_KERNEL);
	if (!rows)
		return -ENOMEM;
	r = parse_policy(val, rows);
	if (!r) {
		mutex_lock(&policy_lock);
		memcpy(policy_rows, rows, sizeof(policy_rows));
		memcpy(policy_text, val, len);
		policy_text[len] = 0;
		policy_parsed = true;
		mutex_unlock(&policy_lock);
	}
	kfree(rows);
	return r;
}

static int policy_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&policy_lock);
	n = sysfs_emit(buf, "%s\n", policy_text);
	mutex_unlock(&policy_lock);
	return n;
}

static const struct kernel_param_ops policy_ops = {
	.set = policy_set,
	.get = policy_get,
};

module_param_cb(trace_policy, &policy_ops, NULL, 0644);
MODULE_PARM_DESC(trace_policy,
		 "trace sampling a new VM starts with: \"default\" and/or <REASON>|<nr>|*:all|off|every<N>|triggered[<RATE>[/<MS>]], comma-separated (Documentation/tracing.rst)");

/*
 * One row of a VM. A reader racing with a change sees the old or the
 * new mode, or for one exit a mix of them: a sampling decision, never a
 * fault. Window first, so a row leaving triggered mode stops at once.
 */
static void set_row(struct xvcpu_vm *vm, unsigned int i,
		    const struct policy_row *to)
{
	WRITE_ONCE(vm->trace_trig_window[i], (u64)to->window_ms * tsc_khz);
	WRITE_ONCE(vm->trace_trig_rate[i], to->rate);
	WRITE_ONCE(vm->trace_trig_until[i], 0);
	WRITE_ONCE(vm->trace_every[i], to->every);
}

void xvcpu_trace_policy_vm_init(struct xvcpu_vm *vm)
{
	static const struct policy_row all = { .every = 1 };
	unsigned int i;

	mutex_lock(&policy_lock);
	/* Before the first change of the parameter: the seed default. */
	if (!policy_parsed) {
		if (parse_policy(policy_text, policy_rows))
			set_all(policy_rows, &all);	/* no memory */
		else
			policy_parsed = true;
	}
	for (i = 0; i < XVCPU_STATS_ROWS; i++)
		set_row(vm, i, &policy_rows[i]);
	mutex_unlock(&policy_lock);
}

/*
 * Every vCPU of @vm sees the VM's rows as they are now at its next entry
 * (xvcpu_trace_recheck()): a policy change (a new generation: every
 * count starts afresh) or a window opened (triggered rows decide
 * afresh). The flag is the top byte of the vCPU's entry work word, so
 * that the entry tests it with the rest; a vCPU opening a window sets
 * the others' from its run loop (interrupts off, no lock): RCU keeps a
 * vCPU released meanwhile in memory (xvcpu_stats_vcpu_put()). A vCPU
 * published after this missed nothing: its rows start fresh.
 */
static void recheck_all(struct xvcpu_vm *vm)
{
	struct xvcpu_vcpu *vcpu;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < XVCPU_MAX_VCPUS; i++) {
		vcpu = rcu_dereference(vm->vcpus[i]);
		if (vcpu)
			WRITE_ONCE(vcpu->trace_recheck, 1);
	}
	rcu_read_unlock();
}

/*
 * A row's countdown (xvcpu_trace_sample()): the run loop's, trace_cd[]
 * by the reason's low byte (flag bits aside, a reason with them counts
 * as its basic reason), but for I/O, whose countdown there stays at 1 so
 * that each I/O exit comes here, and row 0 (reasons past the table),
 * whose slots there stay at 1 too.
 */
static u32 *row_cd(struct xvcpu_vcpu *vcpu, unsigned long row)
{
	if (row == EXIT_REASON_IO_INSTRUCTION + 1)
		return &vcpu->trace_io_cd;
	if (!row)
		return &vcpu->trace_row0_cd;
	return &vcpu->trace_cd[row - 1];
}

long xvcpu_trace_policy_ioctl(struct xvcpu_vm *vm, void __user *argp)
{
	struct xvcpu_trace_policy p;
	struct policy_row to = {};
	unsigned int i;

	if (copy_from_user(&p, argp, sizeof(p)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(p.reserved); i++)
		if (p.reserved[i])
			return -EINVAL;
	switch (p.mode) {
	case XVCPU_TRACE_ALL:
		to.every = 1;
		break;
	case XVCPU_TRACE_OFF:
		break;
	case XVCPU_TRACE_EVERY:
		if (!p.every)
			return -EINVAL;
		to.every = p.every;
		break;
	case XVCPU_TRACE_TRIGGERED:
		if (!p.window_ms || p.window_ms > XVCPU_TRACE_WINDOW_MAX_MS)
			return -EINVAL;
		to.rate = p.rate;
		to.window_ms = p.window_ms;
		break;
	default:
		return -EINVAL;
	}
	if (p.every && p.mode != XVCPU_TRACE_EVERY)
		return -EINVAL;
	if ((p.rate || p.window_ms) && p.mode != XVCPU_TRACE_TRIGGERED)
		return -EINVAL;
	if (p.reason != XVCPU_TRACE_REASON_ALL &&
	    p.reason >= XVCPU_TRACE_REASONS)
		return -EINVAL;
	/* One change at a time, so each bumps the generation once. */
	mutex_lock(&vm->lock);
	if (p.reason == XVCPU_TRACE_REASON_ALL) {
		for (i = 0; i < XVCPU_STATS_ROWS; i++)
			set_row(vm, i, &to);
	} else {
		/* User-controlled: no speculative store past the rows. */
		set_row(vm, array_index_nospec(p.reason + 1, XVCPU_STATS_ROWS),
			&to);
	}
	/* Release: a vCPU that sees the new generation sees the new rows. */
	smp_store_release(&vm->trace_trig_gen, vm->trace_trig_gen + 1);
	mutex_unlock(&vm->lock);
	recheck_all(vm);
	return 0;
}

/* Open one triggered row's window now; false if it is not triggered. */
static bool trigger_row(struct xvcpu_vm *vm, unsigned int i, u64 now,
			u64 window)
{
	u64 own = READ_ONCE(vm->trace_trig_window[i]);

	if (!own)
		return false;
	WRITE_ONCE(vm->trace_trig_until[i], now + (window ? window : own));
	return true;
}

long xvcpu_trace_trigger_ioctl(struct xvcpu_vm *vm, void __user *argp)
{
	struct xvcpu_trace_trigger t;
	unsigned int i, n = 0;
	u64 now, window;

	if (copy_from_user(&t, argp, sizeof(t)))
		return -EFAULT;
	if (t.reserved[0] || t.reserved[1] ||
	    t.window_ms > XVCPU_TRACE_WINDOW_MAX_MS)
		return -EINVAL;
	if (t.reason != XVCPU_TRACE_REASON_ALL &&
	    t.reason >= XVCPU_TRACE_REASONS)
		return -EINVAL;
	now = rdtsc();
	window = (u64)t.window_ms * tsc_khz;
	if (t.reason != XVCPU_TRACE_REASON_ALL)
		n = trigger_row(vm, array_index_nospec(t.reason + 1,
						       XVCPU_STATS_ROWS),
				now, window);
	else
		for (i = 0; i < XVCPU_STATS_ROWS; i++)
			n += trigger_row(vm, i, now, window);
	if (n)
		recheck_all(vm);
	return n ? 0 : -ENOENT;
}

/* Decide @row afresh at its next exit (the countdown stops there). */
static void row_afresh(struct xvcpu_vcpu *vcpu, unsigned long row)
{
	*row_cd(vcpu, row) = 1;
	if (row)
		vcpu->trace_period[row - 1] = 0;
	__set_bit(row, vcpu->trace_fresh);
}

/* What a vCPU's recheck flag asks for (recheck_all()). */
void xvcpu_trace_recheck(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_vm *vm = vcpu->vm;
	unsigned long row;
	u32 gen;

	/* Taken before the rows are read (a full barrier): none is missed. */
	xchg(&vcpu->trace_recheck, 0);
	/* Pairs with the release in the policy ioctl: new gen, new rows. */
	gen = smp_load_acquire(&vm->trace_trig_gen);

	for (row = 0; row < XVCPU_STATS_ROWS; row++)
		if (vcpu->trig_gen != gen ||
		    READ_ONCE(vm->trace_trig_window[row]))
			row_afresh(vcpu, row);
	vcpu->trig_gen = gen;
}

void xvcpu_trace_vcpu_init(struct xvcpu_vcpu *vcpu)
{
	unsigned long row;

	/* I/O's stays 1 (row_cd()), as do the slots past the reasons. */
	for (row = 0; row < XVCPU_TRACE_SLOTS; row++)
		vcpu->trace_cd[row] = 1;
	for (row = 0; row < XVCPU_STATS_ROWS; row++)
		row_afresh(vcpu, row);
	/* The policy of the moment: whatever came before this vCPU. */
	vcpu->trig_gen = smp_load_acquire(&vcpu->vm->trace_trig_gen);
}

/*
 * A triggered row at the end of its countdown: true if this exit is
 * traced. On while the VM's window lasts; else this vCPU counts the
 * row's exits in blocks of "rate", the countdown doing the counting
 * (@fresh: this exit is the first of a block), and opens the window for
 * the whole VM when a block took less than a second (from the TSC the
 * stats read at its first exit to the one at its last).
 */
static bool triggered(struct xvcpu_vcpu *vcpu, unsigned long row, u32 *cd,
		      bool fresh)
{
	struct xvcpu_vm *vm = vcpu->vm;
	u64 now = vcpu->stats.t_exit;
	u32 rate;

	if (now < READ_ONCE(vm->trace_trig_until[row]))
		goto on;
	rate = READ_ONCE(vm->trace_trig_rate[row]);
	if (!rate) {
		*cd = U32_MAX;	/* until XVCPU_TRACE_TRIGGER rechecks */
		return false;
	}
	if (!fresh &&
	    now - vcpu->trig_start[row] < (u64)tsc_khz * MSEC_PER_SEC)
		goto open;
	/* A new block, this exit its first. */
	vcpu->trig_start[row] = now;
	if (rate > 1) {
		*cd = rate - 1;
		return false;
	}
open:
	WRITE_ONCE(vm->trace_trig_until[row],
		   now + READ_ONCE(vm->trace_trig_window[row]));
	recheck_all(vm);
on:
	/* Every exit decides while the window lasts. */
	row_afresh(vcpu, row);
	return true;
}

/*
 * The sampling decision for the exits the run loop does not sample out
 * by itself (run.c, trace_sampled_out()): true if this exit is sampled
 * out. Interrupts off, right after the exit.
 *
 * A row's countdown (row_cd()) is > 1 while the next exits are sampled
 * out, one less each time (the run loop's case, done here too for the
 * exits it sends here), and 1 when the next exit of the row decides:
 * the N-th of "every N" is traced, "all" is "every 1", "off" counts
 * down from U32_MAX, "triggered" counts blocks of its rate; a row in
 * trace_fresh starts over (a new vCPU, a new policy, a window).
 */
bool xvcpu_trace_sample(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_vcpu_counters *c = &vcpu->stats.c;
	struct xvcpu_vm *vm = vcpu->vm;
	u32 reason = vcpu->exit.reason;
	unsigned long row;
	u32 every, *cd;
	bool fresh;

	/*
	 * Undo the run loop's step: it counts only what it decides. Its
	 * slot is the reason's low byte, whatever the reason (run.c): the
	 * slots it never counts down (failed entries', past the table's,
	 * I/O's) stay at 1.
	 */
	vcpu->trace_cd[xvcpu_trace_slot(reason)]++;
	row = array_index_nospec((reason & 0xffff) + 1UL, XVCPU_STATS_ROWS);
	/*
	 * A failed entry is always traced, whatever its row's policy, and
	 * counted there as the run loop counts one its row has at "all".
	 */
	if (unlikely(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		goto traced;
	/* The debug port's OUT is never sampled out. */
	if (row == EXIT_REASON_IO_INSTRUCTION + 1 &&
	    xvcpu_debug_port_exit(vcpu, vmcs_readl(EXIT_QUALIFICATION)))
		goto traced;
	cd = row_cd(vcpu, row);
	if (*cd > 1) {
		(*cd)--;
		goto out;
	}
	fresh = __test_and_clear_bit(row, vcpu->trace_fresh);
	every = READ_ONCE(vm->trace_every[row]);
	if (every) {
		/* The N-th of a count is traced; afresh, this is the first. */
		/* The run loop counts on (not I/O: the debug port). */
		if (row && row != EXIT_REASON_IO_INSTRUCTION + 1)
			vcpu->trace_period[row - 1] = every;
		if (every == 1 || !fresh) {
			*cd = every;
			goto traced;
		}
		*cd = every - 1;
		goto out;
	}
	if (READ_ONCE(vm->trace_trig_window[row])) {
		if (triggered(vcpu, row, cd, fresh))
			goto traced;
		goto out;
	}
	*cd = U32_MAX;		/* off: until a recheck */
out:
	c->sampled_out[row]++;
	return true;
traced:
	c->traced[row]++;
	return false;
}
