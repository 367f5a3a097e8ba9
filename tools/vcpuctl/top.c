// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl top: live exit rates and handling times of every VM on the
 * host, from the always-on stats in debugfs (no tracing), refreshing
 * like kvm_stat. Each interval is the difference of two snapshots:
 * exits per second by VMX reason, the mean handling time (difference of
 * exit_ns_sum_<R> over difference of exits_<R>) and the bound of the
 * longest one (the highest log2 bucket that grew: "<= 2^n - 1 ns").
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vcpuctl.h"
#include "vmstats.h"

enum top_sort { TS_RATE, TS_TIME, TS_MEAN, TS_MAX };

struct top_row {
	uint32_t vm;
	int pid, vcpu;		/* vcpu -1: all of the VM's vCPUs */
	char reason[48];
	uint64_t exits, ns;	/* over the interval */
	uint64_t max_le;	/* longest: <= this (ns) */
};

struct top_opts {
	double interval;
	long count;		/* refreshes, 0 = until Ctrl-C */
	bool once, json;
	long vm;		/* drill-down: this VM's vCPUs */
	enum top_sort sort;
	const char *dir;
};

static volatile sig_atomic_t top_stop;

static void on_sig(int sig)
{
	(void)sig;
	top_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s top [OPTIONS]\n"
		"\n"
		"Live VM exit rates and handling times of every VM, from the stats\n"
		"in debugfs (no tracing). q or Ctrl-C quits.\n"
		"\n"
		"OPTIONS := {\n"
		"  -i, --interval SECONDS   refresh interval (default 1)\n"
		"  -1, --once               one interval, print, exit (for scripts)\n"
		"  -n, --count N            N refreshes, then exit\n"
		"      --vm ID              one VM, per vCPU\n"
		"  -s, --sort KEY           rate | time | mean | max (default rate)\n"
		"  -j, --json               JSON, one object per refresh\n"
		"      --dir DIR            the xvcpu debugfs directory\n"
		"}\n"
		"Exit status: 0 ok, 1 no xvcpu debugfs (module not loaded?), 2 bad\n"
		"arguments.\n",
		bin_name);
}

static const struct vm_stats *find_vm(const struct vm_stats *v, unsigned int n,
				      uint32_t vm, int pid)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i].vm == vm && v[i].pid == pid)
			return &v[i];
	return NULL;
}

static uint64_t old_val(const struct vm_stats *old, const char *name,
			unsigned int i)
{
	const struct kstat *s = old ? kstats_find(&old->ks, name) : NULL;

	return s && i < s->size ? s->val[i] : 0;
}

static struct top_row *row_of(struct top_row **rows, unsigned int *n,
			      const struct vm_stats *v, int vcpu,
			      const char *reason)
{
	struct top_row *r;
	unsigned int i;

	for (i = 0; i < *n; i++)
		if ((*rows)[i].vm == v->vm && (*rows)[i].pid == v->pid &&
		    (*rows)[i].vcpu == vcpu && !strcmp((*rows)[i].reason, reason))
			return &(*rows)[i];
	r = realloc(*rows, (*n + 1) * sizeof(*r));
	if (!r)
		return NULL;
	*rows = r;
	r += (*n)++;
	memset(r, 0, sizeof(*r));
	r->vm = v->vm;
	r->pid = v->pid;
	r->vcpu = vcpu;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	return r;
}

/* The interval's rows: per VM and reason (or per vCPU with --vm). */
static int diff(const struct top_opts *o, const struct vm_stats *a,
		unsigned int na, const struct vm_stats *b, unsigned int nb,
		struct top_row **rows, unsigned int *nrows)
{
	unsigned int i, k, j;

	*rows = NULL;
	*nrows = 0;
	for (i = 0; i < nb; i++) {
		const struct vm_stats *v = &b[i];
		const struct vm_stats *old = find_vm(a, na, v->vm, v->pid);

		if (o->vm >= 0 && v->vm != (uint32_t)o->vm)
			continue;
		for (k = 0; k < v->ks.n; k++) {
			const struct kstat *s = &v->ks.s[k];
			const char *base;
			struct top_row *r;
			int vcpu;

			base = vmstats_split(s->name, &vcpu);
			if (vcpu < 0 || strncmp(base, "exit_ns_hist_", 13) ||
			    !base[13])
				continue;
			r = row_of(rows, nrows, v, o->vm >= 0 ? vcpu : -1,
				   base + 13);
			if (!r)
				return -ENOMEM;
			for (j = 0; j < s->size; j++) {
				uint64_t now = s->val[j];
				uint64_t then = old_val(old, s->name, j);
				uint64_t d = now >= then ? now - then : now;

				r->exits += d;
				if (d) {
					uint64_t le = j ? (1ull << j) - 1 : 0;

					if (j + 1 == s->size)
						le = UINT64_MAX;
					if (le > r->max_le)
						r->max_le = le;
				}
			}
			{
				char sum[256];
				const struct kstat *ss;
				uint64_t then;

				snprintf(sum, sizeof(sum), "vcpu%d/exit_ns_sum_%s",
					 vcpu, base + 13);
				ss = kstats_find(&v->ks, sum);
				then = old_val(old, sum, 0);
				if (ss)
					r->ns += ss->val[0] >= then ?
						 ss->val[0] - then : ss->val[0];
			}
		}
	}
	/* Reasons that did not move are not shown. */
	for (i = 0, j = 0; i < *nrows; i++)
		if ((*rows)[i].exits)
			(*rows)[j++] = (*rows)[i];
	*nrows = j;
	return 0;
}

static enum top_sort sort_key;

static uint64_t key_of(const struct top_row *r)
{
	switch (sort_key) {
	case TS_TIME:
		return r->ns;
	case TS_MEAN:
		return r->exits ? r->ns / r->exits : 0;
	case TS_MAX:
		return r->max_le;
	default:
		return r->exits;
	}
}

static int cmp_rows(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	uint64_t kx = key_of(x), ky = key_of(y);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	if (x->vcpu != y->vcpu)
		return x->vcpu < y->vcpu ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

static void print_rows(const struct top_opts *o, const struct top_row *rows,
		       unsigned int n, unsigned int nvms, double secs, bool tty)
{
	uint64_t total = 0;
	unsigned int i;
	char maxb[32];

	for (i = 0; i < n; i++)
		total += rows[i].exits;
	if (o->json) {
		printf("{\"interval_s\":%.3f,\"vms\":%u,\"exits\":%llu,\"rows\":[",
		       secs, nvms, (unsigned long long)total);
		for (i = 0; i < n; i++) {
			const struct top_row *r = &rows[i];

			printf("%s{\"vm\":%u,\"pid\":%d,", i ? "," : "", r->vm, r->pid);
			if (r->vcpu >= 0)
				printf("\"vcpu\":%d,", r->vcpu);
			printf("\"reason\":\"%s\",\"exits\":%llu,\"per_s\":%.1f,"
			       "\"mean_ns\":%llu,\"max_ns_le\":",
			       r->reason, (unsigned long long)r->exits,
			       r->exits / secs,
			       (unsigned long long)(r->ns / r->exits));
			if (r->max_le == UINT64_MAX)
				printf("null}");
			else
				printf("%llu}", (unsigned long long)r->max_le);
		}
		printf("]}\n");
		fflush(stdout);
		return;
	}
	if (tty)
		printf("\033[H\033[2J");
	printf("xvcpu top: %u VM%s, %llu exits in %.2f s (%.0f/s)%s\n\n", nvms,
	       nvms == 1 ? "" : "s", (unsigned long long)total, secs,
	       total / secs, tty ? ", q or Ctrl-C quits" : "");
	printf("%-5s %-7s %-5s %-22s %12s %7s %10s %12s\n", "VM", "PID",
	       "VCPU", "REASON", "EXITS/s", "%", "MEAN_ns", "MAX<=ns");
	for (i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];
		char vcpu[16];

		snprintf(vcpu, sizeof(vcpu), r->vcpu >= 0 ? "%d" : "all", r->vcpu);
		if (r->max_le == UINT64_MAX)
			snprintf(maxb, sizeof(maxb), ">1s");
		else
			snprintf(maxb, sizeof(maxb), "%llu",
				 (unsigned long long)r->max_le);
		printf("%-5u %-7d %-5s %-22s %12.1f %7.2f %10llu %12s\n", r->vm,
		       r->pid, vcpu, r->reason, r->exits / secs,
		       100.0 * r->exits / total,
		       (unsigned long long)(r->ns / r->exits), maxb);
	}
	if (!n)
		printf("(no exits in this interval)\n");
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Sleep @secs; on a terminal a 'q' ends it (and top) early. */
static void wait_interval(double secs, bool tty)
{
	struct timespec ts = { (time_t)secs,
			       (long)((secs - floor(secs)) * 1e9) };

	if (!tty) {
		while (nanosleep(&ts, &ts) && !top_stop)
			;
		return;
	}
	{
		fd_set rd;
		struct timeval tv = { ts.tv_sec, ts.tv_nsec / 1000 };
		char c;

		FD_ZERO(&rd);
		FD_SET(STDIN_FILENO, &rd);
		if (select(1, &rd, NULL, NULL, &tv) > 0 &&
		    read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
			top_stop = 1;
	}
}

int do_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "count", required_argument, NULL, 'n' },
		{ "vm", required_argument, NULL, 'V' },
		{ "sort", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct top_opts o = { .interval = 1, .vm = -1 };
	struct vm_stats *a = NULL, *b = NULL;
	unsigned int na = 0, nb = 0, u;
	struct sigaction sa = { 0 };
	bool tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	struct termios saved;
	bool restore = false;
	long shown = 0;
	char *end;
	int c, err, rc = EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:1n:s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			errno = 0;
			o.interval = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o.interval >= 0.01) ||
			    o.interval > 86400) {
				p_err("top: bad interval '%s' (seconds, 0.01 to 86400)",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case '1':
			o.once = true;
			break;
		case 'n':
			if (parse_uint(optarg, 1, 1000000000, &u)) {
				p_err("top: bad count '%s'", optarg);
				return EXIT_USAGE;
			}
			o.count = u;
			break;
		case 'V':
			if (parse_uint(optarg, 0, UINT32_MAX >> 1, &u)) {
				p_err("top: bad VM id '%s'", optarg);
				return EXIT_USAGE;
			}
			o.vm = u;
			break;
		case 's':
			if (!strcmp(optarg, "rate"))
				o.sort = TS_RATE;
			else if (!strcmp(optarg, "time"))
				o.sort = TS_TIME;
			else if (!strcmp(optarg, "mean"))
				o.sort = TS_MEAN;
			else if (!strcmp(optarg, "max"))
				o.sort = TS_MAX;
			else {
				p_err("top: unknown sort key '%s' (rate, time, mean, max)",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			o.json = true;
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			p_err("top: unknown or incomplete option '%s' (try '%s top --help')",
			      argv[optind - 1], bin_name);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		p_err("top: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (o.once)
		o.count = 1;
	if (o.json)
		tty = false;
	sort_key = o.sort;
	sa.sa_handler = on_sig;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = vmstats_read_all(o.dir, &a, &na);
	if (err) {
		p_err("top: %s: %s%s", o.dir ? o.dir : vmstats_dir(),
		      strerror(-err),
		      err == -ENOENT ? " (is xvcpu.ko loaded and debugfs mounted?)" : "");
		return EXIT_FAIL;
	}
	if (o.vm >= 0) {
		unsigned int i;
		bool found = false;

		for (i = 0; i < na; i++)
			found |= a[i].vm == (uint32_t)o.vm;
		if (!found) {
			p_err("top: no VM %ld", o.vm);
			vmstats_free(a, na);
			return EXIT_FAIL;
		}
	}
	/* A key press, not a line: q quits at once. Restored at the end. */
	if (tty && !tcgetattr(STDIN_FILENO, &saved)) {
		struct termios raw = saved;

		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		restore = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	while (!top_stop) {
		uint64_t t0 = mono_ns();
		struct top_row *rows;
		unsigned int nrows;

		wait_interval(o.interval, tty);
		if (top_stop && !o.once)
			break;
		err = vmstats_read_all(o.dir, &b, &nb);
		if (err) {
			p_err("top: %s", strerror(-err));
			rc = EXIT_FAIL;
			break;
		}
		if (diff(&o, a, na, b, nb, &rows, &nrows)) {
			p_err("top: out of memory");
			rc = EXIT_FAIL;
			break;
		}
		qsort(rows, nrows, sizeof(*rows), cmp_rows);
		print_rows(&o, rows, nrows, nb, (mono_ns() - t0) / 1e9, tty);
		free(rows);
		vmstats_free(a, na);
		a = b;
		na = nb;
		b = NULL;
		nb = 0;
		if (o.count && ++shown >= o.count)
			break;
	}
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	vmstats_free(a, na);
	vmstats_free(b, nb);
	return rc;
}
