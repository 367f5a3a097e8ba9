// SPDX-License-Identifier: GPL-2.0
/*
 * Always-on VM and vCPU statistics: the stats fd (XVCPU_GET_STATS_FD,
 * KVM's binary stats layout), XVCPU_RESET_STATS, and the per-VM debugfs
 * directory. Counting itself is inline in stats.h; this file names and
 * describes the counters and turns them into the file a reader sees.
 * Documentation/stats.rst lists every stat.
 *
 * One walker per object (walk_vm, walk_vcpu) lists its stats in order.
 * At load it runs once against zeroed objects to build the descriptor
 * blocks; at every read it runs against the live object to fill the data
 * block, converting TSC ticks to nanoseconds on the way. Descriptors and
 * data therefore cannot disagree.
 *
 * Process context.
 */
#include "../xvcpu.h"

#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/tsc.h>

#include "../vm.h"
#include "stats.h"

/* KVM's KVM_STATS_NAME_SIZE: room for the id and each name, NUL included. */
#define NAME_SIZE	48
#define DESC_SIZE	(sizeof(struct xvcpu_stats_desc) + NAME_SIZE)
#define HDR_SIZE	sizeof(struct xvcpu_stats_header)
#define DESC_OFFSET	(HDR_SIZE + NAME_SIZE)

#define CUMULATIVE	(XVCPU_STATS_TYPE_CUMULATIVE | XVCPU_STATS_UNIT_NONE)
#define INSTANT		(XVCPU_STATS_TYPE_INSTANT | XVCPU_STATS_UNIT_NONE)
#define PEAK		(XVCPU_STATS_TYPE_PEAK | XVCPU_STATS_UNIT_NONE)
#define INSTANT_BYTES	(XVCPU_STATS_TYPE_INSTANT | XVCPU_STATS_UNIT_BYTES)
#define NS		(XVCPU_STATS_UNIT_SECONDS | XVCPU_STATS_BASE_POW10)
#define NS_SUM		(XVCPU_STATS_TYPE_CUMULATIVE | NS)
#define NS_MAX		(XVCPU_STATS_TYPE_PEAK | NS)
#define NS_HIST		(XVCPU_STATS_TYPE_LOG_HIST | NS)

static_assert(sizeof(struct xvcpu_vcpu_stats) <= 32 * 1024);
static_assert(XVCPU_STATS_REASONS <= XVCPU_TRACE_SLOTS);
static_assert((XVCPU_TRACE_SLOTS & (XVCPU_TRACE_SLOTS - 1)) == 0);

/* Set at load from tsc_khz: ns << XVCPU_STATS_SHIFT per TSC tick. */
u64 xvcpu_stats_mult __read_mostly;
static u32 stats_khz __read_mostly;
/* Highest bit of ns << XVCPU_STATS_SHIFT -> histogram bucket (stats.h). */
u8 xvcpu_stats_bucket_of_bit[64] __read_mostly;

/* Row names: <asm/vmx.h>'s for its reasons, REASON_<n> for its gaps. */
static char row_names[XVCPU_STATS_ROWS][24];

static const char *const kind_names[XVCPU_STATS_KINDS] = {
	XVCPU_EXIT_REASON_NAMES
};

/* A layout: its descriptor block (built at load) and sizes. */
struct stats_layout {
	void *desc;
	u32 ndesc;
	u32 nval;		/* __u64 values in the data block */
};

static struct stats_layout vm_layout, vcpu_layout;

static u64 ticks_to_ns(u64 ticks)
{
	return mul_u64_u32_div(ticks, NSEC_PER_MSEC, stats_khz);
}

/* Where a walker puts what it lists: descriptors, data, or just counts. */
struct sink {
	void *desc;		/* descriptor block, or NULL */
	u64 *data;		/* data block, or NULL */
	const char *prefix;	/* before every name ("vcpu3/" in debugfs) */
	u32 ndesc;
	u32 nval;
};

static u64 *put(struct sink *k, const char *name, const char *suffix,
		u32 flags, u16 size)
{
	u64 *v = k->data ? k->data + k->nval : NULL;

	if (k->desc) {
		struct xvcpu_stats_desc *d = k->desc + k->ndesc * DESC_SIZE;

		d->flags = flags;
		d->exponent = (flags & XVCPU_STATS_UNIT_MASK) ==
			      XVCPU_STATS_UNIT_SECONDS ? -9 : 0;
		d->size = size;
		d->offset = k->nval * sizeof(u64);
		d->bucket_size = 0;
		snprintf(d->name, NAME_SIZE, "%s%s%s", k->prefix, name, suffix);
	}
	k->ndesc++;
	k->nval += size;
	return v;
}

static void put1(struct sink *k, const char *name, const char *suffix,
		 u32 flags, u64 val)
{
	u64 *v = put(k, name, suffix, flags, 1);

	if (v)
		*v = val;
}

static void put_hist(struct sink *k, const char *name, const char *suffix,
		     const u64 *hist)
{
	u64 *v = put(k, name, suffix, NS_HIST, XVCPU_STATS_BUCKETS);
	unsigned int i;

	for (i = 0; v && i < XVCPU_STATS_BUCKETS; i++)
		v[i] = READ_ONCE(hist[i]);
}

#define RD(x)		READ_ONCE(x)
#define ROW(reason)	((reason) + 1)

/* A reason's exits: the sum of its histogram. */
static u64 row_exits(const struct xvcpu_vcpu_counters *c, unsigned int row)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < XVCPU_STATS_BUCKETS; i++)
		n += RD(c->exit_hist[row][i]);
	return n;
}

/*
 * Guest time: the RUN segments' time less the exits' handling time
 * (stats.h). Read while the vCPU runs, the two sides may disagree by the
 * exit being counted: the result can be off by that exit's handling time.
 */
static u64 guest_ticks(struct xvcpu_vcpu_stats *s)
{
	u64 span, busy = 0;
	unsigned int seq, i;

	do {
		seq = read_seqcount_begin(&s->seq);
		span = RD(s->span) + RD(s->t_dec) - RD(s->t_seg);
	} while (read_seqcount_retry(&s->seq, seq));
	for (i = 0; i < XVCPU_STATS_ROWS; i++)
		busy += RD(s->c.exit_ticks[i]);
	return span > busy ? span - busy : 0;
}

static void walk_vcpu(struct sink *k, struct xvcpu_vcpu_stats *s)
{
	const struct xvcpu_vcpu_counters *c = &s->c;
	u64 exits = 0;
	unsigned int i;

	for (i = 0; i < XVCPU_STATS_ROWS; i++)
		exits += row_exits(c, i);
	put1(k, "exits", "", CUMULATIVE, exits);
	put1(k, "runs", "", CUMULATIVE, RD(c->runs));
	put1(k, "guest_ns", "", NS_SUM, ticks_to_ns(guest_ticks(s)));
	/* KVM's names, KVM's meaning. */
	put1(k, "io_exits", "", CUMULATIVE,
	     row_exits(c, ROW(EXIT_REASON_IO_INSTRUCTION)));
	put1(k, "mmio_exits", "", CUMULATIVE,
	     RD(c->user_exits[XVCPU_EXIT_MMIO]));
	put1(k, "halt_exits", "", CUMULATIVE,
	     row_exits(c, ROW(EXIT_REASON_HLT)));
	put1(k, "hypercalls", "", CUMULATIVE,
	     row_exits(c, ROW(EXIT_REASON_VMCALL)));
	put1(k, "signal_exits", "", CUMULATIVE,
	     RD(c->user_exits[XVCPU_EXIT_INTR]));
	put1(k, "irq_window_exits", "", CUMULATIVE,
	     row_exits(c, ROW(EXIT_REASON_INTERRUPT_WINDOW)));
	put1(k, "irq_injections", "", CUMULATIVE,
	     RD(c->injections[XVCPU_INJ_IRQ]));
	put1(k, "exception_injections", "", CUMULATIVE,
	     RD(c->injections[XVCPU_INJ_EXCEPTION]));
	put1(k, "reinjections", "", CUMULATIVE,
	     RD(c->injections[XVCPU_INJ_REINJECT]));
	put1(k, "ept_violations_slot", "", CUMULATIVE, RD(c->ept_slot));
	put1(k, "ept_violations_mmio", "", CUMULATIVE, RD(c->ept_mmio));

	for (i = 0; i < XVCPU_STATS_KINDS; i++) {
		const char *n = kind_names[i];

		put1(k, "user_exits_", n, CUMULATIVE, RD(c->user_exits[i]));
		put1(k, "user_ns_sum_", n, NS_SUM,
		     ticks_to_ns(RD(c->user_ticks[i])));
		put1(k, "user_ns_max_", n, NS_MAX,
		     ticks_to_ns(RD(c->user_ticks_max[i])));
		put_hist(k, "user_ns_hist_", n, c->user_hist[i]);
	}

	for (i = 0; i < XVCPU_STATS_ROWS; i++) {
		const char *n = row_names[i];

		put1(k, "exits_", n, CUMULATIVE, row_exits(c, i));
		put1(k, "exit_ns_sum_", n, NS_SUM,
		     ticks_to_ns(RD(c->exit_ticks[i])));
		put1(k, "exit_ns_max_", n, NS_MAX,
		     ticks_to_ns(RD(c->exit_ticks_max[i])));
		put_hist(k, "exit_ns_hist_", n, c->exit_hist[i]);
		put1(k, "traced_", n, CUMULATIVE, RD(c->traced[i]));
		put1(k, "sampled_out_", n, CUMULATIVE, RD(c->sampled_out[i]));
	}
}

static void walk_vm(struct sink *k, const struct xvcpu_vm *vm)
{
	unsigned int i, slots = 0;

	for (i = 0; i < XVCPU_MAX_MEMSLOTS; i++)
		slots += !!RD(vm->slots[i].size);
	put1(k, "vcpus", "", INSTANT, RD(vm->nr_vcpus));
	put1(k, "memslots", "", INSTANT, slots);
	put1(k, "pages_pinned", "", INSTANT, RD(vm->ept.pinned));
	put1(k, "pages_pinned_peak", "", PEAK, RD(vm->stats.pinned_peak));
	put1(k, "pins", "", CUMULATIVE, RD(vm->stats.pins));
	put1(k, "ept_table_pages", "", INSTANT, RD(vm->ept.tables));
	put1(k, "memlock_bytes", "", INSTANT_BYTES,
	     (u64)atomic_long_read(&vm->locked) << PAGE_SHIFT);
}

/* ---- the file: header | id | descriptors | data ----------------------- */

struct stats_file {
	struct xvcpu_stats_header hdr;
	char id[NAME_SIZE];
	const void *desc;
	size_t size;		/* of the whole file */
	/* The object whose data is read, for a live file. */
	struct xvcpu_vm *vm;
	struct xvcpu_vcpu *vcpu;	/* its memory, kept by vcpu->stats.refs */
};

static void file_init(struct stats_file *f, const struct stats_layout *l)
{
	f->hdr.flags = 0;
	f->hdr.name_size = NAME_SIZE;
	f->hdr.num_desc = l->ndesc;
	f->hdr.id_offset = HDR_SIZE;
	f->hdr.desc_offset = DESC_OFFSET;
	f->hdr.data_offset = DESC_OFFSET + l->ndesc * DESC_SIZE;
	f->desc = l->desc;
	f->size = f->hdr.data_offset + l->nval * sizeof(u64);
}

/* Copy what of [*pos, *pos + *len) falls in @src, @size bytes at @base. */
static int copy_part(char __user **buf, loff_t *pos, size_t *len,
		     const void *src, loff_t base, size_t size)
{
	size_t n;

	if (!*len || *pos < base || *pos >= base + size)
		return 0;
	n = min_t(size_t, *len, base + size - *pos);
	if (copy_to_user(*buf, src + (*pos - base), n))
		return -EFAULT;
	*buf += n;
	*pos += n;
	*len -= n;
	return 0;
}

static ssize_t stats_read(struct file *file, char __user *buf, size_t len,
			  loff_t *ppos)
{
	struct stats_file *f = file->private_data;
	loff_t pos = *ppos;
	size_t left, data_size = f->size - f->hdr.data_offset;
	u64 *data = NULL;
	int r;

	if (pos < 0)
		return -EINVAL;
	if (pos >= f->size)
		return 0;
	len = min_t(size_t, len, f->size - pos);
	left = len;
	r = copy_part(&buf, &pos, &left, &f->hdr, 0, HDR_SIZE);
	if (!r)
		r = copy_part(&buf, &pos, &left, f->id, HDR_SIZE, NAME_SIZE);
	if (!r)
		r = copy_part(&buf, &pos, &left, f->desc, DESC_OFFSET,
			      f->hdr.data_offset - DESC_OFFSET);
	if (!r && left) {
		struct sink k = {};

		data = kvzalloc(data_size, GFP_KERNEL_ACCOUNT);
		if (!data)
			return -ENOMEM;
		k.data = data;
		if (f->vm)
			walk_vm(&k, f->vm);
		else
			walk_vcpu(&k, &f->vcpu->stats);
		r = copy_part(&buf, &pos, &left, data, f->hdr.data_offset,
			      data_size);
		kvfree(data);
	}
	if (r)
		return r;
	*ppos = pos;
	return len;
}

static int stats_release(struct inode *inode, struct file *file)
{
	struct stats_file *f = file->private_data;

	if (f->vm)
		xvcpu_vm_put(f->vm);
	else
		xvcpu_stats_vcpu_put(f->vcpu);
	kfree(f);
	return 0;
}

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.read = stats_read,
	.release = stats_release,
	.llseek = noop_llseek,
};

/* A new stats fd for @f, which it owns from here on (with its ref). */
static int stats_fd(struct stats_file *f, const char *name)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile(name, &stats_fops, f, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	/* Read with pread() at the header's offsets, like KVM's. */
	file->f_mode |= FMODE_PREAD;
	fd_install(fd, file);
	return fd;
}

/* ---- VMs ------------------------------------------------------------------ */

static long vm_stats_fd(struct xvcpu_vm *vm)
{
	struct stats_file *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	int fd;

	if (!f)
		return -ENOMEM;
	file_init(f, &vm_layout);
	snprintf(f->id, NAME_SIZE, "xvcpu-%d-vm%u", vm->stats.pid, vm->id);
	f->vm = vm;
	refcount_inc(&vm->refs);
	fd = stats_fd(f, "xvcpu-vm-stats");
	if (fd < 0) {
		xvcpu_vm_put(vm);
		kfree(f);
	}
	return fd;
}

long xvcpu_stats_vm_ioctl(struct xvcpu_vm *vm, unsigned int cmd,
			  unsigned long arg)
{
	if (arg)
		return -EINVAL;
	switch (cmd) {
	case XVCPU_GET_STATS_FD:
		return vm_stats_fd(vm);
	case XVCPU_RESET_STATS:
		/* The pin counters are written under mmu_lock (ept.c). */
		mutex_lock(&vm->mmu_lock);
		WRITE_ONCE(vm->stats.pins, 0);
		WRITE_ONCE(vm->stats.pinned_peak, vm->ept.pinned);
		mutex_unlock(&vm->mmu_lock);
		return 0;
	default:
		return -ENOTTY;
	}
}

/* ---- vCPUs ------------------------------------------------------------------ */

void xvcpu_stats_vcpu_init(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_vcpu_stats *s = &vcpu->stats;

	refcount_set(&s->refs, 1);
	seqcount_init(&s->seq);
	s->vm_id = vcpu->vm->id;
	s->vcpu_id = vcpu->id;
	s->pid = vcpu->vm->stats.pid;
}

void xvcpu_stats_vcpu_put(struct xvcpu_vcpu *vcpu)
{
	/* After a grace period: recheck_all() (trace/policy.c), vm.h */
	if (refcount_dec_and_test(&vcpu->stats.refs))
		kvfree_rcu(vcpu, rcu);
}

static long vcpu_stats_fd(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_vcpu_stats *s = &vcpu->stats;
	struct stats_file *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	int fd;

	if (!f)
		return -ENOMEM;
	file_init(f, &vcpu_layout);
	snprintf(f->id, NAME_SIZE, "xvcpu-%d-vm%u-vcpu%u", s->pid, s->vm_id,
		 s->vcpu_id);
	f->vcpu = vcpu;
	refcount_inc(&s->refs);
	fd = stats_fd(f, "xvcpu-vcpu-stats");
	if (fd < 0) {
		xvcpu_stats_vcpu_put(vcpu);
		kfree(f);
	}
	return fd;
}

/* vcpu->mutex held: no RUN in progress, this is the writer's context. */
static void vcpu_stats_reset(struct xvcpu_vcpu_stats *s)
{
	u64 *p = (u64 *)&s->c;
	size_t i;

	/* Word by word: a concurrent reader sees old or 0, never torn. */
	for (i = 0; i < sizeof(s->c) / sizeof(u64); i++)
		WRITE_ONCE(p[i], 0);
	preempt_disable();
	write_seqcount_begin(&s->seq);
	WRITE_ONCE(s->span, 0);
	WRITE_ONCE(s->t_seg, s->t_dec);
	write_seqcount_end(&s->seq);
	preempt_enable();
}

long xvcpu_stats_vcpu_ioctl(struct xvcpu_vcpu *vcpu, unsigned int cmd,
			    unsigned long arg)
{
	if (arg)
		return -EINVAL;
	switch (cmd) {
	case XVCPU_GET_STATS_FD:
		return vcpu_stats_fd(vcpu);
	case XVCPU_RESET_STATS:
		vcpu_stats_reset(&vcpu->stats);
		return 0;
	default:
		return -ENOTTY;
	}
}

/* ---- debugfs: xvcpu/vm-<id>-<pid>/{stats,stats_text} ------------------------- */

/*
 * The VM and every vCPU it has, in one file of the stats fd's layout:
 * the VM's stats, then each vCPU's with "vcpu<n>/" before its names.
 * Taken whole when the file is opened (vm->lock keeps the vCPUs).
 */
static struct stats_file *vm_snapshot(struct xvcpu_vm *vm, void **bufp)
{
	struct stats_file *f;
	struct sink k = {};
	char prefix[16];
	u32 n = 0, ndesc, nval;
	unsigned int i;
	void *buf;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return NULL;
	mutex_lock(&vm->lock);
	for (i = 0; i < XVCPU_MAX_VCPUS; i++)
		n += !!rcu_access_pointer(vm->vcpus[i]);
	ndesc = vm_layout.ndesc + n * vcpu_layout.ndesc;
	nval = vm_layout.nval + n * vcpu_layout.nval;
	f->size = DESC_OFFSET + ndesc * DESC_SIZE + nval * sizeof(u64);
	buf = kvzalloc(f->size, GFP_KERNEL_ACCOUNT);
	if (!buf) {
		mutex_unlock(&vm->lock);
		kfree(f);
		return NULL;
	}
	k.desc = buf + DESC_OFFSET;
	k.data = buf + DESC_OFFSET + ndesc * DESC_SIZE;
	k.prefix = "";
	walk_vm(&k, vm);
	for (i = 0; i < XVCPU_MAX_VCPUS; i++) {
		struct xvcpu_vcpu *vcpu;

		vcpu = rcu_dereference_protected(vm->vcpus[i],
						 lockdep_is_held(&vm->lock));
		if (!vcpu)
			continue;
		snprintf(prefix, sizeof(prefix), "vcpu%u/", i);
		k.prefix = prefix;
		walk_vcpu(&k, &vcpu->stats);
	}
	mutex_unlock(&vm->lock);

	f->hdr.name_size = NAME_SIZE;
	f->hdr.num_desc = ndesc;
	f->hdr.id_offset = HDR_SIZE;
	f->hdr.desc_offset = DESC_OFFSET;
	f->hdr.data_offset = DESC_OFFSET + ndesc * DESC_SIZE;
	snprintf(f->id, NAME_SIZE, "xvcpu-%d-vm%u", vm->stats.pid, vm->id);
	memcpy(buf, &f->hdr, HDR_SIZE);
	memcpy(buf + HDR_SIZE, f->id, NAME_SIZE);
	*bufp = buf;
	return f;
}

struct dbg_buf {
	void *buf;
	size_t size;
};

static int dbg_stats_open(struct inode *inode, struct file *file)
{
	struct dbg_buf *b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	struct stats_file *f;

	if (!b)
		return -ENOMEM;
	f = vm_snapshot(inode->i_private, &b->buf);
	if (!f) {
		kfree(b);
		return -ENOMEM;
	}
	b->size = f->size;
	kfree(f);
	file->private_data = b;
	return 0;
}

/*
 * The same snapshot as text, one stat a line: "name value", histograms
 * "name b0 b1 ...". Cumulative, peak and histogram stats that are all
 * zero are left out (a reason never seen); instant values always shown.
 */
static int dbg_text_open(struct inode *inode, struct file *file)
{
	struct dbg_buf *b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	const struct xvcpu_stats_desc *d;
	struct stats_file *f;
	const u64 *data;
	size_t cap, len = 0;
	void *bin;
	u32 i, j;

	if (!b)
		return -ENOMEM;
	f = vm_snapshot(inode->i_private, &bin);
	if (!f) {
		kfree(b);
		return -ENOMEM;
	}
	data = bin + f->hdr.data_offset;
	/* A name, then each value as " %llu" (at most 21 bytes), "\n". */
	cap = f->hdr.num_desc * (NAME_SIZE + 1) +
	      (f->size - f->hdr.data_offset) / sizeof(u64) * 21 + 1;
	b->buf = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
	if (!b->buf) {
		kvfree(bin);
		kfree(f);
		kfree(b);
		return -ENOMEM;
	}
	for (i = 0; i < f->hdr.num_desc; i++) {
		const u64 *v;
		bool show;

		d = bin + DESC_OFFSET + i * DESC_SIZE;
		v = data + d->offset / sizeof(u64);
		show = (d->flags & XVCPU_STATS_TYPE_MASK) ==
		       XVCPU_STATS_TYPE_INSTANT;
		for (j = 0; j < d->size && !show; j++)
			show = v[j];
		if (!show)
			continue;
		len += scnprintf(b->buf + len, cap - len, "%s", d->name);
		for (j = 0; j < d->size; j++)
			len += scnprintf(b->buf + len, cap - len, " %llu", v[j]);
		len += scnprintf(b->buf + len, cap - len, "\n");
	}
	b->size = len;
	kvfree(bin);
	kfree(f);
	file->private_data = b;
	return 0;
}

static ssize_t dbg_read(struct file *file, char __user *buf, size_t len,
			loff_t *ppos)
{
	struct dbg_buf *b = file->private_data;

	return simple_read_from_buffer(buf, len, ppos, b->buf, b->size);
}

static int dbg_release(struct inode *inode, struct file *file)
{
	struct dbg_buf *b = file->private_data;

	kvfree(b->buf);
	kfree(b);
	return 0;
}

static const struct file_operations dbg_stats_fops = {
	.owner = THIS_MODULE,
	.open = dbg_stats_open,
	.read = dbg_read,
	.release = dbg_release,
	.llseek = default_llseek,
};

static const struct file_operations dbg_text_fops = {
	.owner = THIS_MODULE,
	.open = dbg_text_open,
	.read = dbg_read,
	.release = dbg_release,
	.llseek = default_llseek,
};

void xvcpu_stats_vm_init(struct xvcpu_vm *vm)
{
	struct dentry *root = xvcpu_debugfs_root();
	char name[32];

	vm->stats.pid = task_tgid_nr(current);
	if (IS_ERR_OR_NULL(root))
		return;
	snprintf(name, sizeof(name), "vm-%u-%d", vm->id, vm->stats.pid);
	vm->stats.dir = debugfs_create_dir(name, root);
	/* Debugfs is optional: a failure here leaves the VM without it. */
	debugfs_create_file("stats", 0400, vm->stats.dir, vm, &dbg_stats_fops);
	debugfs_create_file("stats_text", 0400, vm->stats.dir, vm,
			    &dbg_text_fops);
}

/* Waits for readers of the debugfs files (debugfs_remove). */
void xvcpu_stats_vm_destroy(struct xvcpu_vm *vm)
{
	debugfs_remove_recursive(vm->stats.dir);
	vm->stats.dir = NULL;
}

/* ---- load ------------------------------------------------------------------- */

static const struct {
	u32 nr;
	const char *name;
} vmx_reasons[] = { VMX_EXIT_REASONS };

static int layout_build(struct stats_layout *l, const struct xvcpu_vm *vm,
			struct xvcpu_vcpu_stats *c)
{
	struct sink k = { .prefix = "" };

	/* Count, then fill. */
	if (vm)
		walk_vm(&k, vm);
	else
		walk_vcpu(&k, c);
	l->ndesc = k.ndesc;
	l->nval = k.nval;
	l->desc = kvzalloc(l->ndesc * DESC_SIZE, GFP_KERNEL);
	if (!l->desc)
		return -ENOMEM;
	k = (struct sink){ .prefix = "", .desc = l->desc };
	if (vm)
		walk_vm(&k, vm);
	else
		walk_vcpu(&k, c);
	return 0;
}

int xvcpu_stats_init(void)
{
	struct xvcpu_vcpu_stats *c;
	struct xvcpu_vm *vm;
	unsigned int i;
	int r;

	stats_khz = tsc_khz;
	if (!stats_khz) {
		pr_warn("stats: TSC frequency unknown, times assume 1 GHz\n");
		stats_khz = USEC_PER_SEC;
	} else if (!boot_cpu_has(X86_FEATURE_CONSTANT_TSC)) {
		pr_warn("stats: TSC rate not constant, times are approximate\n");
	}
	xvcpu_stats_mult = div_u64((u64)NSEC_PER_MSEC << XVCPU_STATS_SHIFT,
				   stats_khz);
	for (i = XVCPU_STATS_SHIFT - 1; i < 64; i++)
		xvcpu_stats_bucket_of_bit[i] =
			min_t(unsigned int, i - (XVCPU_STATS_SHIFT - 1),
			      XVCPU_STATS_BUCKETS - 1);

	strscpy(row_names[0], "OTHER", sizeof(row_names[0]));
	for (i = 1; i < XVCPU_STATS_ROWS; i++)
		snprintf(row_names[i], sizeof(row_names[i]), "REASON_%u", i - 1);
	for (i = 0; i < ARRAY_SIZE(vmx_reasons); i++) {
		if (WARN_ON(vmx_reasons[i].nr >= XVCPU_STATS_REASONS))
			continue;
		strscpy(row_names[ROW(vmx_reasons[i].nr)], vmx_reasons[i].name,
			sizeof(row_names[0]));
	}

	c = kvzalloc(sizeof(*c), GFP_KERNEL);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	r = -ENOMEM;
	if (c && vm) {
		seqcount_init(&c->seq);
		r = layout_build(&vcpu_layout, NULL, c);
		if (!r)
			r = layout_build(&vm_layout, vm, NULL);
	}
	kfree(vm);
	kvfree(c);
	if (r)
		xvcpu_stats_exit_module();
	return r;
}

void xvcpu_stats_exit_module(void)
{
	kvfree(vcpu_layout.desc);
	kvfree(vm_layout.desc);
	vcpu_layout.desc = NULL;
	vm_layout.desc = NULL;
}
