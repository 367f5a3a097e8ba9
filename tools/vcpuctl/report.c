// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl report FILE: the exit statistics of a trace file.
 *
 * Every record is decoded with libtraceevent from the formats the file
 * carries. Per VMX exit reason: count, share of exits, handling time
 * (total, share, min, mean, p50/p90/p99/p99.9, max from xvcpu_exit's
 * handle_ns), the split kernel / user space / error and, for the exits
 * user space handled, the round trip through user space (the next
 * xvcpu_entry's user_ns on that vCPU). Then per vCPU, per physical CPU,
 * every event's count and the lost records.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hist.h"
#include "names.h"
#include "report.h"
#include "tevents.h"
#include "tracefile.h"
#include "vcpuctl.h"

#define VMFAIL_REASON	0xdead	/* xvcpu_exit.exit_reason of a VMfail */
#define NR_SLOTS	(MAX_BASIC_REASON + 2)
#define VMFAIL_SLOT	(MAX_BASIC_REASON + 1)

enum sort_key { SORT_COUNT, SORT_TIME, SORT_P99, SORT_MAX };

struct reason_stat {
	uint32_t nr;
	uint64_t kern, user, err;
	struct hist all;	/* handle_ns of every exit */
	struct hist rt;		/* user-space round trip, user exits */
};

struct vcpu_stat {
	uint32_t vm, vcpu;
	uint64_t exits, user, handle_sum, handle_max, rt_sum, rt_n;
	int32_t pending;	/* slot of a user exit awaiting its entry */
};

struct cpu_stat {
	uint64_t events, lost, exits, handle_sum;
};

/* --boot and --events: one debug-port write or guest event. */
struct guest_rec {
	uint32_t vm, vcpu, id, n;	/* id: the code for a debug-port write */
	uint64_t ns;			/* since the VM's creation */
	uint64_t data[8];
};

/* Exits in the file per VM and reason (next to the stats). */
struct vm_reason {
	uint32_t vm;
	int slot;
	uint64_t n;
};

/* A VM's STATS records at the start and the end of the recording. */
struct stats_pair {
	uint32_t vm;
	int32_t pid;
	const char *text[2];
	size_t len[2];
};

struct ev_count {
	const char *name;
	uint64_t n;
};

struct report {
	struct tep_handle *tep;
	/* Filters. */
	long vm, vcpu;
	bool reason_on[NR_SLOTS];
	bool reason_filter;
	/* xvcpu_exit / xvcpu_entry and their fields. */
	int exit_id, entry_id;
	const struct tep_format_field *x_cpu, *x_vm, *x_vcpu, *x_reason,
		*x_outcome, *x_handle, *e_vm, *e_vcpu, *e_user;
	/* xvcpu_debug_port / xvcpu_guest_event (--boot, --events). */
	bool want_boot, want_events;
	int dbg_id, gev_id;
	const struct tep_format_field *d_vm, *d_vcpu, *d_code, *d_ns,
		*g_vm, *g_vcpu, *g_id, *g_n, *g_data, *g_ns;
	struct guest_rec *boot, *gevs;
	uint64_t nboot, ngevs;
	/* Results. */
	struct reason_stat slots[NR_SLOTS];
	struct vcpu_stat *vcpus;
	unsigned int nvcpus;
	struct cpu_stat *cpus;
	uint32_t ncpus;
	struct ev_count *evs;
	unsigned int nevs;
	struct vm_reason *vrs;
	unsigned int nvrs;
	struct stats_pair *sps;
	unsigned int nsps;
	uint64_t events, exits, kern, user, err, lost, lost_recs;
	uint64_t first_t, last_t;
	bool any_t;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s report [OPTIONS] FILE\n"
		"\n"
		"Exit statistics of a trace file written by '%s record'.\n"
		"\n"
		"OPTIONS := {\n"
		"  -s, --sort KEY        count | time | p99 | max (default count)\n"
		"      --vm ID           only this VM\n"
		"      --vcpu ID         only this vCPU id\n"
		"  -r, --reason R[,R...] only these exit reasons (name or number)\n"
		"  -b, --boot            the debug-port timeline of each VM instead\n"
		"  -E, --events          the guest trace events instead\n"
		"  -j, --json            one JSON object on stdout\n"
		"}\n"
		"Times are nanoseconds. Exit status: 0 ok, 1 bad or unreadable file,\n"
		"2 bad arguments.\n",
		bin_name, bin_name);
}

int reason_slot(uint32_t reason)
{
	if (reason == VMFAIL_REASON)
		return VMFAIL_SLOT;
	return reason <= MAX_BASIC_REASON ? (int)reason : -1;
}

const char *reason_name(uint32_t reason, char *buf, size_t size)
{
	const char *n = reason == VMFAIL_REASON ? "VMFAIL" :
			vmx_exit_reason_name(reason);

	if (n)
		return n;
	snprintf(buf, size, "REASON_%u", reason);
	return buf;
}

int parse_reason(const char *s, uint32_t *out)
{
	unsigned int v;
	uint32_t r;
	char buf[32];

	if (!parse_uint(s, 0, 0xffff, &v) && reason_slot(v) >= 0) {
		*out = v;
		return 0;
	}
	for (r = 0; r <= MAX_BASIC_REASON; r++) {
		const char *n = vmx_exit_reason_name(r);

		if (n && !strcasecmp(n, s)) {
			*out = r;
			return 0;
		}
	}
	if (!strcasecmp(s, reason_name(VMFAIL_REASON, buf, sizeof(buf)))) {
		*out = VMFAIL_REASON;
		return 0;
	}
	return -EINVAL;
}

static struct vcpu_stat *vcpu_of(struct report *r, uint32_t vm, uint32_t vcpu)
{
	struct vcpu_stat *v;
	unsigned int i;

	for (i = 0; i < r->nvcpus; i++)
		if (r->vcpus[i].vm == vm && r->vcpus[i].vcpu == vcpu)
			return &r->vcpus[i];
	v = realloc(r->vcpus, (r->nvcpus + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->vcpus = v;
	v = &r->vcpus[r->nvcpus++];
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->vcpu = vcpu;
	v->pending = -1;
	return v;
}

static struct cpu_stat *cpu_of(struct report *r, uint32_t cpu)
{
	if (cpu >= XVT_MAX_CPUS)
		return NULL;
	if (cpu >= r->ncpus) {
		struct cpu_stat *c = realloc(r->cpus, (cpu + 1) * sizeof(*c));

		if (!c)
			return NULL;
		memset(c + r->ncpus, 0, (cpu + 1 - r->ncpus) * sizeof(*c));
		r->cpus = c;
		r->ncpus = cpu + 1;
	}
	return &r->cpus[cpu];
}

static void count_event(struct report *r, struct tep_event *ev)
{
	unsigned int i;
	struct ev_count *e;

	for (i = 0; i < r->nevs; i++)
		if (r->evs[i].name == ev->name) {
			r->evs[i].n++;
			return;
		}
	e = realloc(r->evs, (r->nevs + 1) * sizeof(*e));
	if (!e)
		return;
	r->evs = e;
	r->evs[r->nevs].name = ev->name;
	r->evs[r->nevs++].n = 1;
}

#define FIELD(tep_ev, name) tep_find_field(tep_ev, name)

static int resolve(struct report *r, char *err, size_t errlen)
{
	struct tep_event *x = tep_find_event_by_name(r->tep, "xvcpu", "xvcpu_exit");
	struct tep_event *e = tep_find_event_by_name(r->tep, "xvcpu", "xvcpu_entry");

	r->exit_id = r->entry_id = -1;
	if (x) {
		r->exit_id = x->id;
		r->x_cpu = FIELD(x, "cpu");
		r->x_vm = FIELD(x, "vm_id");
		r->x_vcpu = FIELD(x, "vcpu_id");
		r->x_reason = FIELD(x, "exit_reason");
		r->x_outcome = FIELD(x, "outcome");
		r->x_handle = FIELD(x, "handle_ns");
		if (!r->x_vm || !r->x_vcpu || !r->x_reason || !r->x_outcome ||
		    !r->x_handle) {
			snprintf(err, errlen,
				 "xvcpu_exit in the file lacks a field report needs");
			return -EINVAL;
		}
	}
	r->dbg_id = r->gev_id = -1;
	x = tep_find_event_by_name(r->tep, "xvcpu", "xvcpu_debug_port");
	if (x) {
		r->dbg_id = x->id;
		r->d_vm = FIELD(x, "vm_id");
		r->d_vcpu = FIELD(x, "vcpu_id");
		r->d_code = FIELD(x, "code");
		r->d_ns = FIELD(x, "ns");
	}
	x = tep_find_event_by_name(r->tep, "xvcpu", "xvcpu_guest_event");
	if (x) {
		r->gev_id = x->id;
		r->g_vm = FIELD(x, "vm_id");
		r->g_vcpu = FIELD(x, "vcpu_id");
		r->g_id = FIELD(x, "id");
		r->g_n = FIELD(x, "n");
		r->g_data = FIELD(x, "data");
		r->g_ns = FIELD(x, "ns");
	}
	if (e) {
		r->entry_id = e->id;
		r->e_vm = FIELD(e, "vm_id");
		r->e_vcpu = FIELD(e, "vcpu_id");
		r->e_user = FIELD(e, "user_ns");
		if (!r->e_vm || !r->e_vcpu || !r->e_user) {
			snprintf(err, errlen,
				 "xvcpu_entry in the file lacks a field report needs");
			return -EINVAL;
		}
	}
	return 0;
}

static int count_vm_reason(struct report *r, uint32_t vm, int slot)
{
	struct vm_reason *v;
	unsigned int i;

	for (i = 0; i < r->nvrs; i++)
		if (r->vrs[i].vm == vm && r->vrs[i].slot == slot) {
			r->vrs[i].n++;
			return 0;
		}
	v = realloc(r->vrs, (r->nvrs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->vrs = v;
	r->vrs[r->nvrs++] = (struct vm_reason){ vm, slot, 1 };
	return 0;
}

static uint64_t in_file(const struct report *r, uint32_t vm, int slot)
{
	unsigned int i;

	for (i = 0; i < r->nvrs; i++)
		if (r->vrs[i].vm == vm && r->vrs[i].slot == slot)
			return r->vrs[i].n;
	return 0;
}

/* The STATS records of the file, paired per VM. */
static int collect_stats(struct report *r, const struct xvt_file *f)
{
	uint64_t off = f->hdr->header_size;
	struct xvt_view v;
	const char *why;

	while (off < f->len && !xvt_read_at(f, off, &v, &why)) {
		if (v.type == XVT_STATS) {
			const struct xvt_stats *st = (const void *)v.data;
			struct stats_pair *p = NULL;
			unsigned int i;

			for (i = 0; i < r->nsps; i++)
				if (r->sps[i].vm == st->vm_id && r->sps[i].pid == st->pid)
					p = &r->sps[i];
			if (!p) {
				p = realloc(r->sps, (r->nsps + 1) * sizeof(*p));
				if (!p)
					return -ENOMEM;
				r->sps = p;
				p += r->nsps++;
				memset(p, 0, sizeof(*p));
				p->vm = st->vm_id;
				p->pid = st->pid;
			}
			p->text[st->when] = (const char *)(st + 1);
			p->len[st->when] = strnlen(p->text[st->when],
						   v.size - sizeof(*st));
		}
		off += v.size;
	}
	return 0;
}

/* Value of "name value" in a STATS text; 0 if absent. */
static uint64_t stat_of(const char *text, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *p = text, *end = text + len;

	while (p && p < end) {
		const char *eol = memchr(p, '\n', end - p);

		if ((size_t)(end - p) > nl && !memcmp(p, name, nl) && p[nl] == ' ')
			return strtoull(p + nl + 1, NULL, 10);
		p = eol ? eol + 1 : NULL;
	}
	return 0;
}

/*
 * For VMs alive from start to end: per reason, the exits the stats
 * counted while recording, how many the sampling policy traced or left
 * out, and how many are in the file.
 */
static void print_stats(const struct report *r, bool json, bool *first)
{
	unsigned int i;

	for (i = 0; i < r->nsps; i++) {
		const struct stats_pair *p = &r->sps[i];
		const char *q, *end;

		if (!p->text[0] || !p->text[1] || (r->vm >= 0 && p->vm != r->vm))
			continue;
		end = p->text[1] + p->len[1];
		for (q = p->text[1]; q && q < end;) {
			const char *eol = memchr(q, '\n', end - q);
			char name[96], tn[112];
			uint64_t ex, tr, so;
			uint32_t reason;
			size_t nlen = strcspn(q, " \n");

			if (nlen >= sizeof(name) || strncmp(q, "exits_", 6))
				goto next;
			memcpy(name, q, nlen);
			name[nlen] = 0;
			if (parse_reason(name + 6, &reason) ||
			    (r->reason_filter && !r->reason_on[reason_slot(reason)]))
				goto next;
			ex = stat_of(p->text[1], p->len[1], name) -
			     stat_of(p->text[0], p->len[0], name);
			snprintf(tn, sizeof(tn), "traced_%s", name + 6);
			tr = stat_of(p->text[1], p->len[1], tn) -
			     stat_of(p->text[0], p->len[0], tn);
			snprintf(tn, sizeof(tn), "sampled_out_%s", name + 6);
			so = stat_of(p->text[1], p->len[1], tn) -
			     stat_of(p->text[0], p->len[0], tn);
			if (!ex)
				goto next;
			if (json) {
				printf("%s{\"vm\":%u,\"pid\":%d,\"reason\":\"%s\",\"exits\":%llu,\"traced\":%llu,\"sampled_out\":%llu,\"in_file\":%llu}",
				       *first ? "" : ",", p->vm, p->pid, name + 6,
				       (unsigned long long)ex, (unsigned long long)tr,
				       (unsigned long long)so,
				       (unsigned long long)in_file(r, p->vm, reason_slot(reason)));
			} else {
				if (*first)
					printf("\nWhile recording, by the VMs' own stats (VMs alive throughout):\n"
					       "%-6s %-7s %-20s %12s %12s %12s %12s\n", "VM",
					       "PID", "REASON", "EXITS", "TRACED",
					       "SAMPLED_OUT", "IN_FILE");
				printf("%-6u %-7d %-20s %12llu %12llu %12llu %12llu\n",
				       p->vm, p->pid, name + 6, (unsigned long long)ex,
				       (unsigned long long)tr, (unsigned long long)so,
				       (unsigned long long)in_file(r, p->vm, reason_slot(reason)));
			}
			*first = false;
next:
			q = eol ? eol + 1 : NULL;
		}
	}
}

/* One sample; -ENOMEM is the only error. */
static int account(struct report *r, const struct xvt_view *v)
{
	struct tep_event *ev = xvt_event_of(r->tep, v->raw, v->raw_size);
	const uint8_t *raw = v->raw;
	uint32_t n = v->raw_size;
	struct tep_format_field *fvm, *fvcpu;
	struct cpu_stat *cs;

	if (!ev)
		return 0;	/* an event without a format: not ours */
	if (r->vm >= 0 || r->vcpu >= 0) {
		fvm = tep_find_field(ev, "vm_id");
		fvcpu = tep_find_field(ev, "vcpu_id");
		if (r->vm >= 0 && (!fvm || xvt_field(r->tep, fvm, raw, n) != (uint64_t)r->vm))
			return 0;
		if (r->vcpu >= 0 &&
		    (!fvcpu || xvt_field(r->tep, fvcpu, raw, n) != (uint64_t)r->vcpu))
			return 0;
	}
	if (ev->id == r->exit_id) {
		uint32_t reason = xvt_field(r->tep, r->x_reason, raw, n);
		uint32_t outcome = xvt_field(r->tep, r->x_outcome, raw, n);
		uint64_t ns = xvt_field(r->tep, r->x_handle, raw, n);
		int slot = reason_slot(reason);
		struct reason_stat *rs;
		struct vcpu_stat *vs;

		if (slot < 0 || (r->reason_filter && !r->reason_on[slot]))
			return 0;
		rs = &r->slots[slot];
		rs->nr = reason;
		if (count_vm_reason(r, xvt_field(r->tep, r->x_vm, raw, n), slot))
			return -ENOMEM;
		if (hist_add(&rs->all, ns))
			return -ENOMEM;
		r->exits++;
		vs = vcpu_of(r, xvt_field(r->tep, r->x_vm, raw, n),
			     xvt_field(r->tep, r->x_vcpu, raw, n));
		if (!vs)
			return -ENOMEM;
		vs->exits++;
		vs->handle_sum += ns;
		if (ns > vs->handle_max)
			vs->handle_max = ns;
		vs->pending = -1;
		switch (outcome) {
		case 0:
			rs->kern++;
			r->kern++;
			break;
		case 1:
			rs->user++;
			r->user++;
			vs->user++;
			vs->pending = slot;
			break;
		default:
			rs->err++;
			r->err++;
			break;
		}
		/* The physical CPU of the exit (the sample's CPU else). */
		cs = cpu_of(r, r->x_cpu ? xvt_field(r->tep, r->x_cpu, raw, n) : v->cpu);
		if (!cs)
			return -ENOMEM;
		cs->exits++;
		cs->handle_sum += ns;
	} else if (ev->id == r->entry_id) {
		struct vcpu_stat *vs = vcpu_of(r, xvt_field(r->tep, r->e_vm, raw, n),
					       xvt_field(r->tep, r->e_vcpu, raw, n));
		uint64_t rt = xvt_field(r->tep, r->e_user, raw, n);

		if (!vs)
			return -ENOMEM;
		if (vs->pending >= 0 && rt) {
			if (hist_add(&r->slots[vs->pending].rt, rt))
				return -ENOMEM;
			vs->rt_sum += rt;
			vs->rt_n++;
		}
		vs->pending = -1;
	} else if (r->reason_filter) {
		return 0;	/* --reason: exits only */
	} else if (ev->id == r->dbg_id && r->want_boot) {
		struct guest_rec *g = realloc(r->boot, (r->nboot + 1) * sizeof(*g));

		if (!g)
			return -ENOMEM;
		r->boot = g;
		g += r->nboot++;
		memset(g, 0, sizeof(*g));
		g->vm = xvt_field(r->tep, r->d_vm, raw, n);
		g->vcpu = xvt_field(r->tep, r->d_vcpu, raw, n);
		g->id = xvt_field(r->tep, r->d_code, raw, n);
		g->ns = xvt_field(r->tep, r->d_ns, raw, n);
	} else if (ev->id == r->gev_id && r->want_events) {
		struct guest_rec *g = realloc(r->gevs, (r->ngevs + 1) * sizeof(*g));
		unsigned int k, words;

		if (!g)
			return -ENOMEM;
		r->gevs = g;
		g += r->ngevs++;
		memset(g, 0, sizeof(*g));
		g->vm = xvt_field(r->tep, r->g_vm, raw, n);
		g->vcpu = xvt_field(r->tep, r->g_vcpu, raw, n);
		g->id = xvt_field(r->tep, r->g_id, raw, n);
		g->n = xvt_field(r->tep, r->g_n, raw, n);
		g->ns = xvt_field(r->tep, r->g_ns, raw, n);
		/* data[]: an array of u64 in the format; its size says how many. */
		words = r->g_data && r->g_data->elementsize == 8 ?
			r->g_data->arraylen : 0;
		if (g->n > words)
			g->n = words;
		for (k = 0; k < g->n && k < ARRAY_SIZE(g->data); k++)
			if ((uint32_t)(r->g_data->offset + 8 * (k + 1)) <= n)
				g->data[k] = tep_read_number(r->tep, raw +
						r->g_data->offset + 8 * k, 8);
	}
	count_event(r, ev);
	cs = cpu_of(r, v->cpu);
	if (!cs)
		return -ENOMEM;
	cs->events++;
	r->events++;
	return 0;
}

/* ---- output -------------------------------------------------------------- */

static enum sort_key sort_by;
static const struct reason_stat *sort_base;

static uint64_t sort_value(const struct reason_stat *s)
{
	switch (sort_by) {
	case SORT_TIME:
		return s->all.sum;
	case SORT_P99:
		return hist_pct(&s->all, 99);
	case SORT_MAX:
		return s->all.max;
	default:
		return s->all.count;
	}
}

static int cmp_slots(const void *a, const void *b)
{
	const struct reason_stat *x = &sort_base[*(const int *)a];
	const struct reason_stat *y = &sort_base[*(const int *)b];
	uint64_t vx = sort_value(x), vy = sort_value(y);

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * a / b : 0;
}

static void print_text(struct report *r, const struct xvt_file *f,
		       const char *path, const int *order, int nslots)
{
	uint64_t total_ns = 0;
	char kern[128], model[256], buf[32];
	int i;
	unsigned int k;

	for (i = 0; i < nslots; i++)
		total_ns += r->slots[order[i]].all.sum;
	xvt_info(f, "kernel", kern, sizeof(kern));
	xvt_info(f, "cpu_model", model, sizeof(model));
	printf("%s: %llu events, %.6f s, kernel %s, %s%s\n", path,
	       (unsigned long long)r->events,
	       r->any_t ? (r->last_t - r->first_t) / 1e9 : 0.0,
	       kern[0] ? kern : "?", model[0] ? model : "unknown CPU",
	       (f->hdr->flags & XVT_F_FLIGHT) ? ", flight-recorder dump" : "");
	printf("lost: %llu events in %llu ring overflows%s\n",
	       (unsigned long long)r->lost, (unsigned long long)r->lost_recs,
	       f->has_end ? "" : " (file has no end record: recording cut short)");
	printf("VM exits: %llu (kernel %llu, user %llu, error %llu), handling %llu ns\n\n",
	       (unsigned long long)r->exits, (unsigned long long)r->kern,
	       (unsigned long long)r->user, (unsigned long long)r->err,
	       (unsigned long long)total_ns);

	printf("%-20s %9s %7s %12s %7s %8s %8s %8s %8s %8s %8s %8s %9s %9s %9s %9s\n",
	       "REASON", "COUNT", "%EXITS", "TOTAL_ns", "%TIME", "MIN",
	       "MEAN", "P50", "P90", "P99", "P99.9", "MAX", "KERNEL", "USER",
	       "USER_RT", "RT_P99");
	for (i = 0; i < nslots; i++) {
		const struct reason_stat *s = &r->slots[order[i]];
		const struct hist *h = &s->all;

		printf("%-20s %9llu %7.2f %12llu %7.2f %8llu %8llu %8llu %8llu %8llu %8llu %8llu %9llu %9llu %9llu %9llu\n",
		       reason_name(s->nr, buf, sizeof(buf)),
		       (unsigned long long)h->count, pct(h->count, r->exits),
		       (unsigned long long)h->sum, pct(h->sum, total_ns),
		       (unsigned long long)h->min,
		       (unsigned long long)(h->sum / h->count),
		       (unsigned long long)hist_pct(h, 50),
		       (unsigned long long)hist_pct(h, 90),
		       (unsigned long long)hist_pct(h, 99),
		       (unsigned long long)hist_pct(h, 99.9),
		       (unsigned long long)h->max,
		       (unsigned long long)s->kern, (unsigned long long)s->user,
		       (unsigned long long)(s->rt.count ? s->rt.sum / s->rt.count : 0),
		       (unsigned long long)hist_pct(&s->rt, 99));
	}

	printf("\n%-6s %-6s %9s %9s %14s %10s %10s %14s\n", "VM", "VCPU",
	       "EXITS", "USER", "HANDLE_ns", "MEAN", "MAX", "USER_RT_ns");
	for (k = 0; k < r->nvcpus; k++) {
		const struct vcpu_stat *v = &r->vcpus[k];

		if (!v->exits && !v->rt_n)
			continue;
		printf("%-6u %-6u %9llu %9llu %14llu %10llu %10llu %14llu\n",
		       v->vm, v->vcpu, (unsigned long long)v->exits,
		       (unsigned long long)v->user,
		       (unsigned long long)v->handle_sum,
		       (unsigned long long)(v->exits ? v->handle_sum / v->exits : 0),
		       (unsigned long long)v->handle_max,
		       (unsigned long long)v->rt_sum);
	}

	printf("\n%-5s %10s %10s %10s %14s\n", "CPU", "EVENTS", "LOST",
	       "EXITS", "HANDLE_ns");
	for (k = 0; k < r->ncpus; k++) {
		const struct cpu_stat *c = &r->cpus[k];

		if (!c->events && !c->lost && !c->exits)
			continue;
		printf("%-5u %10llu %10llu %10llu %14llu\n", k,
		       (unsigned long long)c->events, (unsigned long long)c->lost,
		       (unsigned long long)c->exits,
		       (unsigned long long)c->handle_sum);
	}

	printf("\n%-24s %10s\n", "EVENT", "COUNT");
	for (k = 0; k < r->nevs; k++)
		printf("%-24s %10llu\n", r->evs[k].name,
		       (unsigned long long)r->evs[k].n);
	{
		bool first = true;

		print_stats(r, false, &first);
	}
}

static void print_json(struct report *r, const struct xvt_file *f,
		       const char *path, const int *order, int nslots)
{
	char kern[128], model[256], buf[32];
	unsigned int k;
	int i;

	xvt_info(f, "kernel", kern, sizeof(kern));
	xvt_info(f, "cpu_model", model, sizeof(model));
	printf("{\"file\":");
	json_string(path);
	printf(",\"kernel\":");
	json_string(kern);
	printf(",\"cpu_model\":");
	json_string(model);
	printf(",\"flight\":%s,\"complete\":%s,\"events\":%llu,\"duration_ns\":%llu,"
	       "\"lost\":%llu,\"lost_records\":%llu,"
	       "\"exits\":{\"total\":%llu,\"kernel\":%llu,\"user\":%llu,\"error\":%llu},"
	       "\"reasons\":[",
	       (f->hdr->flags & XVT_F_FLIGHT) ? "true" : "false",
	       f->has_end ? "true" : "false",
	       (unsigned long long)r->events,
	       (unsigned long long)(r->any_t ? r->last_t - r->first_t : 0),
	       (unsigned long long)r->lost, (unsigned long long)r->lost_recs,
	       (unsigned long long)r->exits, (unsigned long long)r->kern,
	       (unsigned long long)r->user, (unsigned long long)r->err);
	for (i = 0; i < nslots; i++) {
		const struct reason_stat *s = &r->slots[order[i]];
		const struct hist *h = &s->all;

		printf("%s{\"reason\":", i ? "," : "");
		json_string(reason_name(s->nr, buf, sizeof(buf)));
		printf(",\"nr\":%u,\"count\":%llu,\"kernel\":%llu,\"user\":%llu,"
		       "\"error\":%llu,\"total_ns\":%llu,\"min_ns\":%llu,"
		       "\"mean_ns\":%llu,\"p50_ns\":%llu,\"p90_ns\":%llu,"
		       "\"p99_ns\":%llu,\"p999_ns\":%llu,\"max_ns\":%llu,"
		       "\"user_rt\":{\"count\":%llu,\"total_ns\":%llu,"
		       "\"mean_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu}}",
		       s->nr, (unsigned long long)h->count,
		       (unsigned long long)s->kern, (unsigned long long)s->user,
		       (unsigned long long)s->err, (unsigned long long)h->sum,
		       (unsigned long long)h->min,
		       (unsigned long long)(h->sum / h->count),
		       (unsigned long long)hist_pct(h, 50),
		       (unsigned long long)hist_pct(h, 90),
		       (unsigned long long)hist_pct(h, 99),
		       (unsigned long long)hist_pct(h, 99.9),
		       (unsigned long long)h->max,
		       (unsigned long long)s->rt.count,
		       (unsigned long long)s->rt.sum,
		       (unsigned long long)(s->rt.count ? s->rt.sum / s->rt.count : 0),
		       (unsigned long long)hist_pct(&s->rt, 99),
		       (unsigned long long)s->rt.max);
	}
	printf("],\"vcpus\":[");
	for (k = 0, i = 0; k < r->nvcpus; k++) {
		const struct vcpu_stat *v = &r->vcpus[k];

		if (!v->exits && !v->rt_n)
			continue;
		printf("%s{\"vm\":%u,\"vcpu\":%u,\"exits\":%llu,\"user\":%llu,"
		       "\"handle_ns\":%llu,\"max_ns\":%llu,\"user_rt_ns\":%llu}",
		       i++ ? "," : "", v->vm, v->vcpu,
		       (unsigned long long)v->exits, (unsigned long long)v->user,
		       (unsigned long long)v->handle_sum,
		       (unsigned long long)v->handle_max,
		       (unsigned long long)v->rt_sum);
	}
	printf("],\"cpus\":[");
	for (k = 0, i = 0; k < r->ncpus; k++) {
		const struct cpu_stat *c = &r->cpus[k];

		if (!c->events && !c->lost && !c->exits)
			continue;
		printf("%s{\"cpu\":%u,\"events\":%llu,\"lost\":%llu,\"exits\":%llu,"
		       "\"handle_ns\":%llu}", i++ ? "," : "", k,
		       (unsigned long long)c->events, (unsigned long long)c->lost,
		       (unsigned long long)c->exits,
		       (unsigned long long)c->handle_sum);
	}
	printf("],\"event_counts\":{");
	for (k = 0; k < r->nevs; k++) {
		printf("%s", k ? "," : "");
		json_string(r->evs[k].name);
		printf(":%llu", (unsigned long long)r->evs[k].n);
	}
	printf("},\"stats\":[");
	{
		bool first = true;

		print_stats(r, true, &first);
	}
	printf("]}\n");
}

static int cmp_guest(const void *a, const void *b)
{
	const struct guest_rec *x = a, *y = b;

	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	return x->ns < y->ns ? -1 : x->ns > y->ns;
}

/* --boot / --events, text or JSON. */
static void print_guest(struct report *r, bool json)
{
	uint64_t i, prev_ns = 0;
	uint32_t prev_vm = UINT32_MAX;
	unsigned int k;

	/* Per VM, in the VM's time (qsort is not stable: ns decides). */
	if (r->nboot)
		qsort(r->boot, r->nboot, sizeof(*r->boot), cmp_guest);
	if (json) {
		printf("{\"boot\":[");
		for (i = 0; i < r->nboot; i++)
			printf("%s{\"vm\":%u,\"vcpu\":%u,\"code\":%u,\"component\":\"%s\",\"ns\":%llu}",
			       i ? "," : "", r->boot[i].vm, r->boot[i].vcpu,
			       r->boot[i].id,
			       debug_port_component_name(r->boot[i].id),
			       (unsigned long long)r->boot[i].ns);
		printf("],\"guest_events\":[");
		for (i = 0; i < r->ngevs; i++) {
			printf("%s{\"vm\":%u,\"vcpu\":%u,\"id\":%u,\"ns\":%llu,\"data\":[",
			       i ? "," : "", r->gevs[i].vm, r->gevs[i].vcpu,
			       r->gevs[i].id, (unsigned long long)r->gevs[i].ns);
			for (k = 0; k < r->gevs[i].n; k++)
				printf("%s%llu", k ? "," : "",
				       (unsigned long long)r->gevs[i].data[k]);
			printf("]}");
		}
		printf("]}\n");
		return;
	}
	if (r->want_boot) {
		printf("%-6s %-6s %-6s %-11s %14s %14s\n", "VM", "VCPU", "CODE",
		       "COMPONENT", "MS_SINCE_START", "DELTA_ms");
		for (i = 0; i < r->nboot; i++) {
			const struct guest_rec *g = &r->boot[i];

			if (g->vm != prev_vm)
				prev_ns = 0;
			printf("%-6u %-6u 0x%02x   %-11s %14.3f %14.3f\n", g->vm,
			       g->vcpu, g->id, debug_port_component_name(g->id),
			       g->ns / 1e6, (g->ns - prev_ns) / 1e6);
			prev_ns = g->ns;
			prev_vm = g->vm;
		}
		if (!r->nboot)
			printf("(no debug-port writes in the file)\n");
	}
	if (r->want_events) {
		if (r->want_boot)
			putchar('\n');
		printf("%-6s %-6s %-10s %14s  %s\n", "VM", "VCPU", "ID",
		       "MS_SINCE_START", "DATA");
		for (i = 0; i < r->ngevs; i++) {
			const struct guest_rec *g = &r->gevs[i];

			printf("%-6u %-6u 0x%08x %14.3f ", g->vm, g->vcpu, g->id,
			       g->ns / 1e6);
			for (k = 0; k < g->n; k++)
				printf(" 0x%llx", (unsigned long long)g->data[k]);
			putchar('\n');
		}
		if (!r->ngevs)
			printf("(no guest events in the file)\n");
	}
}

int do_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "vm", required_argument, NULL, 'V' },
		{ "vcpu", required_argument, NULL, 'v' },
		{ "reason", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "boot", no_argument, NULL, 'b' },
		{ "events", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct report *r = calloc(1, sizeof(*r));
	struct xvt_reader rd;
	struct xvt_file *f = &rd.f;
	struct xvt_view v;
	bool json = false;
	int order[NR_SLOTS], nslots = 0;
	int c, rc = EXIT_FAIL, i;
	unsigned int u;

	if (!r) {
		p_err("report: out of memory");
		return EXIT_FAIL;
	}
	r->vm = r->vcpu = -1;
	sort_by = SORT_COUNT;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:r:jbEh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!strcmp(optarg, "count"))
				sort_by = SORT_COUNT;
			else if (!strcmp(optarg, "time"))
				sort_by = SORT_TIME;
			else if (!strcmp(optarg, "p99"))
				sort_by = SORT_P99;
			else if (!strcmp(optarg, "max"))
				sort_by = SORT_MAX;
			else {
				p_err("report: unknown sort key '%s' (count, time, p99, max)",
				      optarg);
				goto usage_err;
			}
			break;
		case 'V':
		case 'v':
			if (parse_uint(optarg, 0, UINT32_MAX >> 1, &u)) {
				p_err("report: bad %s id '%s'",
				      c == 'V' ? "VM" : "vCPU", optarg);
				goto usage_err;
			}
			if (c == 'V')
				r->vm = u;
			else
				r->vcpu = u;
			break;
		case 'r': {
			char *buf = strdup(optarg), *save, *t;
			uint32_t reason;
			bool bad = !buf;

			for (t = buf ? strtok_r(buf, ",", &save) : NULL; t && !bad;
			     t = strtok_r(NULL, ",", &save)) {
				if (parse_reason(t, &reason)) {
					p_err("report: unknown exit reason '%s'", t);
					bad = true;
				} else {
					r->reason_on[reason_slot(reason)] = true;
				}
			}
			free(buf);
			if (bad)
				goto usage_err;
			r->reason_filter = true;
			break;
		}
		case 'j':
			json = true;
			break;
		case 'b':
			r->want_boot = true;
			break;
		case 'E':
			r->want_events = true;
			break;
		case 'h':
			usage(stdout);
			free(r);
			return EXIT_OK;
		default:
			p_err("report: unknown or incomplete option '%s' (try '%s report --help')",
			      argv[optind - 1], bin_name);
			goto usage_err;
		}
	}
	if (optind != argc - 1) {
		p_err("report: needs exactly one FILE (try '%s report --help')",
		      bin_name);
		goto usage_err;
	}
	if (xvt_reader_open(&rd, "report", argv[optind])) {
		free(r);
		return EXIT_FAIL;
	}
	r->tep = rd.tep;
	{
		char err[128];

		if (resolve(r, err, sizeof(err))) {
			p_err("report: %s: %s", argv[optind], err);
			goto out;
		}
	}
	if (collect_stats(r, f)) {
		p_err("report: out of memory");
		goto out;
	}
	while (xvt_reader_next(&rd, &v)) {
		if (!r->any_t || v.time < r->first_t)
			r->first_t = v.time;
		if (v.time > r->last_t)
			r->last_t = v.time;
		r->any_t = true;
		if (v.type == XVT_LOST) {
			struct cpu_stat *cs = cpu_of(r, v.cpu);

			r->lost += v.lost;
			r->lost_recs++;
			if (cs)
				cs->lost += v.lost;
			continue;
		}
		if (account(r, &v)) {
			p_err("report: out of memory");
			goto out;
		}
	}
	/* The END totals are the ring's own count; they win if larger. */
	if (f->has_end) {
		const struct xvt_cpu_total *t = (const void *)(f->end + 1);
		uint64_t lost = 0;
		uint32_t k;

		for (k = 0; k < f->end->ncpus; k++) {
			lost += t[k].lost;
			if (t[k].lost) {
				struct cpu_stat *cs = cpu_of(r, k);

				if (cs && cs->lost < t[k].lost)
					cs->lost = t[k].lost;
			}
		}
		if (lost > r->lost)
			r->lost = lost;
	}
	for (i = 0; i < NR_SLOTS; i++)
		if (r->slots[i].all.count)
			order[nslots++] = i;
	sort_base = r->slots;
	qsort(order, nslots, sizeof(order[0]), cmp_slots);
	if (r->want_boot || r->want_events)
		print_guest(r, json);
	else if (json)
		print_json(r, f, argv[optind], order, nslots);
	else
		print_text(r, f, argv[optind], order, nslots);
	rc = fflush(stdout) ? EXIT_FAIL : EXIT_OK;
out:
	for (i = 0; i < NR_SLOTS; i++) {
		hist_free(&r->slots[i].all);
		hist_free(&r->slots[i].rt);
	}
	free(r->boot);
	free(r->gevs);
	free(r->vrs);
	free(r->sps);
	free(r->vcpus);
	free(r->cpus);
	free(r->evs);
	xvt_reader_close(&rd);
	free(r);
	return rc;
usage_err:
	free(r);
	return EXIT_USAGE;
}
