// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl metrics: every VM's always-on stats in the Prometheus text
 * exposition format (version 0.0.4): counters with _total, the log2
 * handling-time histograms as Prometheus histograms in seconds
 * (_bucket{le=...}, _sum, _count), labels vm, pid, vcpu and reason (or
 * kind, for exits to user space) taken from the stats' own names.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/xvcpu.h>

#include "metrics_http.h"
#include "vcpuctl.h"
#include "vmstats.h"

enum fam_type { F_COUNTER, F_GAUGE, F_HIST };

/* The per-reason families (Documentation/stats.rst), by name prefix. */
static const struct family {
	const char *prefix;
	const char *metric;
	const char *label;
	enum fam_type type;
	const char *sum_prefix;	/* F_HIST: the stat holding the sum */
	const char *help;
} families[] = {
	{ "exits_", "xvcpu_exits_total", "reason", F_COUNTER, NULL,
	  "VM exits by VMX basic exit reason" },
	{ "exit_ns_hist_", "xvcpu_exit_handling_seconds", "reason", F_HIST,
	  "exit_ns_sum_", "Time from a VM exit to its handling decision" },
	{ "exit_ns_max_", "xvcpu_exit_handling_max_seconds", "reason", F_GAUGE,
	  NULL, "Longest exit handling since the last reset" },
	{ "traced_", "xvcpu_exits_traced_total", "reason", F_COUNTER, NULL,
	  "Exits the trace sampling policy traced" },
	{ "sampled_out_", "xvcpu_exits_sampled_out_total", "reason", F_COUNTER,
	  NULL, "Exits the trace sampling policy left out" },
	{ "user_exits_", "xvcpu_user_exits_total", "kind", F_COUNTER, NULL,
	  "RUN calls that returned an exit of this kind to user space" },
	{ "user_ns_hist_", "xvcpu_user_roundtrip_seconds", "kind", F_HIST,
	  "user_ns_sum_", "Round trips through user space, RUN return to next RUN" },
	{ "user_ns_max_", "xvcpu_user_roundtrip_max_seconds", "kind", F_GAUGE,
	  NULL, "Longest round trip through user space since the last reset" },
};

/* Sums are part of their histogram, not metrics of their own. */
static bool is_sum(const char *base)
{
	return !strncmp(base, "exit_ns_sum_", 12) ||
	       !strncmp(base, "user_ns_sum_", 12);
}

static const struct family *family_of(const char *base)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(families); i++)
		if (!strncmp(base, families[i].prefix,
			     strlen(families[i].prefix)) &&
		    base[strlen(families[i].prefix)])
			return &families[i];
	return NULL;
}

static bool is_ns(const struct kstat *s)
{
	return (s->flags & XVCPU_STATS_UNIT_MASK) == XVCPU_STATS_UNIT_SECONDS;
}

/* The metric name of a stat outside the families: xvcpu_{vm,vcpu}_<n>. */
static void generic_name(const struct kstat *s, const char *base, int vcpu,
			 char *buf, size_t size)
{
	size_t len = strlen(base);
	unsigned int type = s->flags & XVCPU_STATS_TYPE_MASK;
	int n;

	n = snprintf(buf, size, "xvcpu_%s_", vcpu >= 0 ? "vcpu" : "vm");
	if (is_ns(s) && len > 3 && !strcmp(base + len - 3, "_ns"))
		snprintf(buf + n, size - n, "%.*s_seconds%s", (int)len - 3, base,
			 type == XVCPU_STATS_TYPE_CUMULATIVE ? "_total" : "");
	else
		snprintf(buf + n, size - n, "%s%s", base,
			 type == XVCPU_STATS_TYPE_CUMULATIVE ? "_total" : "");
	/* Prometheus names: [a-zA-Z0-9_:] only. */
	for (char *p = buf; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == ':'))
			*p = '_';
}

static void labels(FILE *f, const struct vm_stats *v, int vcpu,
		   const char *lname, const char *lval, const char *le)
{
	fprintf(f, "{vm=\"%u\",pid=\"%d\"", v->vm, v->pid);
	if (vcpu >= 0)
		fprintf(f, ",vcpu=\"%d\"", vcpu);
	if (lname)
		fprintf(f, ",%s=\"%s\"", lname, lval);
	if (le)
		fprintf(f, ",le=\"%s\"", le);
	fputc('}', f);
}

static void print_value(FILE *f, const struct kstat *s, unsigned int i)
{
	if (is_ns(s) || s->exponent)
		fprintf(f, " %.9g\n", vmstats_value(s, i));
	else
		fprintf(f, " %llu\n", (unsigned long long)s->val[i]);
}

static const struct kstat *find_sum(const struct kstats *ks, int vcpu,
				    const char *sum_prefix, const char *suffix)
{
	char name[256];

	if (vcpu >= 0)
		snprintf(name, sizeof(name), "vcpu%d/%s%s", vcpu, sum_prefix, suffix);
	else
		snprintf(name, sizeof(name), "%s%s", sum_prefix, suffix);
	return kstats_find(ks, name);
}

static void print_hist(FILE *f, const char *metric, const struct vm_stats *v,
		       int vcpu, const char *lname, const char *lval,
		       const struct kstat *h, const struct kstat *sum)
{
	uint64_t cum = 0;
	unsigned int i;
	char le[64];

	for (i = 0; i < h->size; i++) {
		cum += h->val[i];
		if (i + 1 == h->size)
			snprintf(le, sizeof(le), "+Inf");
		else if (i == 0)
			snprintf(le, sizeof(le), "0");
		else	/* bucket i: [2^(i-1), 2^i) ns, integers: <= 2^i - 1 */
			snprintf(le, sizeof(le), "%.9g",
				 (double)((1ull << i) - 1) *
				 (is_ns(h) ? 1e-9 : 1.0));
		fprintf(f, "%s_bucket", metric);
		labels(f, v, vcpu, lname, lval, le);
		fprintf(f, " %llu\n", (unsigned long long)cum);
	}
	fprintf(f, "%s_sum", metric);
	labels(f, v, vcpu, lname, lval, NULL);
	if (sum)
		print_value(f, sum, 0);
	else
		fprintf(f, " 0\n");
	fprintf(f, "%s_count", metric);
	labels(f, v, vcpu, lname, lval, NULL);
	fprintf(f, " %llu\n", (unsigned long long)cum);
}

void metrics_render(FILE *f, const struct vm_stats *vms, unsigned int n)
{
	char **done = NULL, name[256];
	unsigned int ndone = 0, fi, i, k, j;

	/* The families, each with every VM's and vCPU's samples. */
	for (fi = 0; fi < ARRAY_SIZE(families); fi++) {
		const struct family *fam = &families[fi];
		bool head = false;

		for (i = 0; i < n; i++) {
			const struct kstats *ks = &vms[i].ks;

			for (k = 0; k < ks->n; k++) {
				const struct kstat *s = &ks->s[k];
				const char *base, *suffix;
				int vcpu;

				base = vmstats_split(s->name, &vcpu);
				if (family_of(base) != fam)
					continue;
				suffix = base + strlen(fam->prefix);
				if (!head) {
					fprintf(f, "# HELP %s %s\n# TYPE %s %s\n",
						fam->metric, fam->help, fam->metric,
						fam->type == F_COUNTER ? "counter" :
						fam->type == F_GAUGE ? "gauge" :
						"histogram");
					head = true;
				}
				if (fam->type == F_HIST) {
					print_hist(f, fam->metric, &vms[i], vcpu,
						   fam->label, suffix, s,
						   find_sum(ks, vcpu, fam->sum_prefix,
							    suffix));
					continue;
				}
				fprintf(f, "%s", fam->metric);
				labels(f, &vms[i], vcpu, fam->label, suffix, NULL);
				print_value(f, s, 0);
			}
		}
	}

	/* Everything else, one metric per stat name, in order of first sight. */
	for (i = 0; i < n; i++) {
		for (k = 0; k < vms[i].ks.n; k++) {
			const struct kstat *s = &vms[i].ks.s[k];
			unsigned int type = s->flags & XVCPU_STATS_TYPE_MASK;
			const char *base;
			bool seen = false;
			int vcpu;
			char **nd;

			base = vmstats_split(s->name, &vcpu);
			if (family_of(base) || is_sum(base) || s->size != 1)
				continue;
			generic_name(s, base, vcpu, name, sizeof(name));
			for (j = 0; j < ndone && !seen; j++)
				seen = !strcmp(done[j], name);
			if (seen)
				continue;
			nd = realloc(done, (ndone + 1) * sizeof(*nd));
			if (!nd)
				break;
			done = nd;
			done[ndone] = strdup(name);
			if (!done[ndone])
				break;
			ndone++;
			fprintf(f, "# HELP %s xvcpu stat %s\n# TYPE %s %s\n", name,
				base, name,
				type == XVCPU_STATS_TYPE_CUMULATIVE ? "counter" :
				"gauge");
			/* Its samples in every VM and vCPU. */
			for (unsigned int i2 = i; i2 < n; i2++) {
				for (unsigned int k2 = 0; k2 < vms[i2].ks.n; k2++) {
					const struct kstat *s2 = &vms[i2].ks.s[k2];
					char name2[256];
					int vcpu2;
					const char *b2 = vmstats_split(s2->name, &vcpu2);

					if (s2->size != 1 || strcmp(b2, base) ||
					    (vcpu2 >= 0) != (vcpu >= 0))
						continue;
					generic_name(s2, b2, vcpu2, name2, sizeof(name2));
					if (strcmp(name2, name))
						continue;
					fprintf(f, "%s", name);
					labels(f, &vms[i2], vcpu2, NULL, NULL, NULL);
					print_value(f, s2, 0);
				}
			}
		}
	}
	for (j = 0; j < ndone; j++)
		free(done[j]);
	free(done);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s metrics [--dir DIR] [--listen [ADDR:]PORT]\n"
		"\n"
		"Every VM's stats (debugfs, no tracing) in the Prometheus text\n"
		"exposition format on stdout, or served over HTTP at /metrics.\n"
		"\n"
		"OPTIONS := {\n"
		"      --dir DIR   the xvcpu debugfs directory (default: found in\n"
		"                  /proc/mounts, /sys/kernel/debug/xvcpu)\n"
		"  -l, --listen [ADDR:]PORT\n"
		"                  serve http://ADDR:PORT/metrics (libmicrohttpd),\n"
		"                  the stats read afresh for each scrape, until\n"
		"                  SIGINT or SIGTERM; ADDR a numeric IPv4 address or\n"
		"                  [IPv6], 127.0.0.1 by default; PORT 0 takes a free\n"
		"                  port (printed)\n"
		"}\n"
		"Exit status: 0 ok, 1 no xvcpu debugfs (module not loaded?), no\n"
		"libmicrohttpd, address in use; 2 bad arguments.\n",
		bin_name);
}

int do_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *listen = NULL;
	struct vm_stats *vms;
	unsigned int n;
	int c, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+hl:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			p_err("metrics: unknown or incomplete option '%s' (try '%s metrics --help')",
			      argv[optind - 1], bin_name);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		p_err("metrics: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (listen)
		return metrics_serve(dir, listen);
	err = vmstats_read_all(dir, &vms, &n);
	if (err) {
		p_err("metrics: %s: %s%s", dir ? dir : vmstats_dir(),
		      strerror(-err),
		      err == -ENOENT ? " (is xvcpu.ko loaded and debugfs mounted?)" : "");
		return EXIT_FAIL;
	}
	metrics_render(stdout, vms, n);
	vmstats_free(vms, n);
	if (fflush(stdout)) {
		p_err("metrics: writing the output failed");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
