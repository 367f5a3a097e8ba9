// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl latency: per-reason log2 histograms of xvcpu_exit's handle_ns
 * kept in the kernel by a BPF program (bpf/latency.bpf.c, loaded from a
 * bpftool-generated skeleton with libbpf), printed live like bcc's and
 * bpftrace's hist(). Before loading, the record layout the program
 * reads (bpf/latency.h) is checked field by field against the tracefs
 * format of xvcpu:xvcpu_exit, read with libtracefs and parsed with
 * libtraceevent: a module with another layout gets a clear error, never
 * wrong numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <traceevent/event-parse.h>
#include <tracefs/tracefs.h>

#include "bpf/latency.h"
#include "latency.skel.h"
#include "report.h"
#include "vcpuctl.h"

static volatile sig_atomic_t lat_stop;

static void on_sig(int sig)
{
	(void)sig;
	lat_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s latency [OPTIONS] [-- COMMAND [ARGS...]]\n"
		"\n"
		"Log2 histograms of VM-exit handling time per exit reason, kept in\n"
		"the kernel by a BPF program on xvcpu:xvcpu_exit; printed every\n"
		"interval (totals since start), and at the end.\n"
		"\n"
		"OPTIONS := {\n"
		"  -i, --interval SECONDS   print every SECONDS (default 1; 0: only at the end)\n"
		"  -d, --duration SECONDS   stop after this long\n"
		"      --vm ID              only this VM\n"
		"  -j, --json               JSON at the end instead of histograms\n"
		"}\n"
		"Stops at Ctrl-C, after --duration, or when COMMAND ends.\n"
		"Exit status: 0 ok, 1 failure (no xvcpu tracepoint, BPF refused, record\n"
		"layout mismatch), 2 bad arguments.\n",
		bin_name);
}

/* Each field the program reads, where bpf/latency.h puts it. */
static const struct {
	const char *name;
	size_t off, size;
} lat_fields[] = {
	{ "vm_id", offsetof(struct lat_exit_rec, vm_id), 4 },
	{ "exit_reason", offsetof(struct lat_exit_rec, exit_reason), 4 },
	{ "handle_ns", offsetof(struct lat_exit_rec, handle_ns), 8 },
};

static int check_layout(void)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_event *ev;
	unsigned int i;
	char *fmt;
	int size = 0, err = 0;

	if (!tep)
		return -ENOMEM;
	fmt = tracefs_event_file_read(NULL, "xvcpu", "xvcpu_exit", "format",
				      &size);
	if (!fmt || size <= 0) {
		p_err("latency: no tracepoint xvcpu:xvcpu_exit in tracefs (is xvcpu.ko loaded?)");
		tep_free(tep);
		free(fmt);
		return -ENOENT;
	}
	ev = NULL;
	if (!tep_parse_event(tep, fmt, size, "xvcpu"))
		ev = tep_find_event_by_name(tep, "xvcpu", "xvcpu_exit");
	if (!ev) {
		p_err("latency: the format of xvcpu:xvcpu_exit does not parse");
		err = -EINVAL;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(lat_fields); i++) {
		struct tep_format_field *f = tep_find_field(ev, lat_fields[i].name);

		if (!f) {
			p_err("latency: xvcpu:xvcpu_exit has no field %s: this vcpuctl does not match the module",
			      lat_fields[i].name);
			err = -EPROTO;
		} else if ((size_t)f->offset != lat_fields[i].off ||
			   (size_t)f->size != lat_fields[i].size) {
			p_err("latency: xvcpu:xvcpu_exit field %s is at offset %d size %d in tracefs, the BPF program reads offset %zu size %zu: this vcpuctl does not match the module",
			      lat_fields[i].name, f->offset, f->size,
			      lat_fields[i].off, lat_fields[i].size);
			err = -EPROTO;
		}
	}
out:
	free(fmt);
	tep_free(tep);
	return err;
}

/* The map's histograms summed over every possible CPU. */
static int read_hists(int map_fd, struct lat_hist *out, int ncpus,
		      struct lat_hist *percpu)
{
	uint32_t k;
	int c, s;

	for (k = 0; k < LAT_REASONS; k++) {
		memset(&out[k], 0, sizeof(out[k]));
		if (bpf_map_lookup_elem(map_fd, &k, percpu))
			return -errno;
		for (c = 0; c < ncpus; c++) {
			const struct lat_hist *h = &percpu[c];

			out[k].count += h->count;
			out[k].sum += h->sum;
			if (h->max > out[k].max)
				out[k].max = h->max;
			for (s = 0; s < LAT_SLOTS; s++)
				out[k].slot[s] += h->slot[s];
		}
	}
	return 0;
}

/* "512", "16K", "2M": bpftrace's bucket labels. */
static void bound(char *buf, size_t size, uint64_t v)
{
	static const char sfx[] = "KMGTPE";
	int i = -1;

	while (v >= 1024 && !(v & 1023) && i < 5) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, size, "%llu", (unsigned long long)v);
	else
		snprintf(buf, size, "%llu%c", (unsigned long long)v, sfx[i]);
}

static const char *slot_reason(uint32_t k, char *buf, size_t size)
{
	if (k == LAT_REASONS - 1) {
		snprintf(buf, size, "OTHER");
		return buf;
	}
	return reason_name(k, buf, size);
}

static void print_hists(const struct lat_hist *h)
{
	uint32_t k;
	int s;

	for (k = 0; k < LAT_REASONS; k++) {
		uint64_t top = 0;
		int lo = -1, hi = -1;
		char name[32];

		if (!h[k].count)
			continue;
		for (s = 0; s < LAT_SLOTS; s++) {
			if (!h[k].slot[s])
				continue;
			if (lo < 0)
				lo = s;
			hi = s;
			if (h[k].slot[s] > top)
				top = h[k].slot[s];
		}
		printf("@handle_ns[%s]: %llu exits, mean %llu ns, max %llu ns\n",
		       slot_reason(k, name, sizeof(name)),
		       (unsigned long long)h[k].count,
		       (unsigned long long)(h[k].sum / h[k].count),
		       (unsigned long long)h[k].max);
		for (s = lo; s <= hi; s++) {
			char a[24], b[24], range[56];
			int bar = top ? (int)(h[k].slot[s] * 52 / top) : 0;

			if (s == 0) {
				snprintf(range, sizeof(range), "0");
			} else {
				bound(a, sizeof(a), 1ull << (s - 1));
				if (s < 64)
					bound(b, sizeof(b), 1ull << s);
				else
					snprintf(b, sizeof(b), "...");
				snprintf(range, sizeof(range), "[%s, %s)", a, b);
			}
			printf("%-16s %8llu |%-52.*s|\n", range,
			       (unsigned long long)h[k].slot[s], bar,
			       "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
		}
		putchar('\n');
	}
	fflush(stdout);
}

static void print_json(const struct lat_hist *h)
{
	bool first = true;
	uint32_t k;
	int s;

	printf("{\"reasons\":[");
	for (k = 0; k < LAT_REASONS; k++) {
		char name[32];
		bool f2 = true;

		if (!h[k].count)
			continue;
		printf("%s{\"reason\":\"%s\",\"count\":%llu,\"sum_ns\":%llu,\"max_ns\":%llu,\"slots\":{",
		       first ? "" : ",", slot_reason(k, name, sizeof(name)),
		       (unsigned long long)h[k].count,
		       (unsigned long long)h[k].sum,
		       (unsigned long long)h[k].max);
		for (s = 0; s < LAT_SLOTS; s++) {
			if (!h[k].slot[s])
				continue;
			/* Keyed by the slot's lowest value in ns. */
			printf("%s\"%llu\":%llu", f2 ? "" : ",",
			       s ? 1ull << (s - 1) : 0ull,
			       (unsigned long long)h[k].slot[s]);
			f2 = false;
		}
		printf("}}");
		first = false;
	}
	printf("]}\n");
	fflush(stdout);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int do_latency(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "vm", required_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	double interval = 1, duration = 0;
	struct lat_hist *sum = NULL, *percpu = NULL;
	struct latency_bpf *skel = NULL;
	struct sigaction sa = { 0 };
	uint64_t start, next, deadline = 0;
	bool json = false;
	long vm = -1;
	int c, ncpus, go[2] = { -1, -1 }, rc = EXIT_FAIL, status = 0;
	pid_t child = 0;
	unsigned int u;
	char *end;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 'd':
			errno = 0;
			*(c == 'i' ? &interval : &duration) = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    (c == 'i' ? !(interval == 0 || interval >= 0.01) :
					!(duration > 0)) ||
			    strtod(optarg, NULL) > 1e7) {
				p_err("latency: bad %s '%s' (seconds)",
				      c == 'i' ? "interval" : "duration", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'V':
			if (parse_uint(optarg, 0, UINT32_MAX >> 1, &u)) {
				p_err("latency: bad VM id '%s'", optarg);
				return EXIT_USAGE;
			}
			vm = u;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			p_err("latency: unknown or incomplete option '%s' (try '%s latency --help')",
			      argv[optind - 1], bin_name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc && strcmp(argv[optind - 1], "--")) {
		p_err("latency: unexpected argument '%s' (a command goes after --)",
		      argv[optind]);
		return EXIT_USAGE;
	}
	sa.sa_handler = on_sig;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (check_layout())
		return EXIT_FAIL;

	libbpf_set_print(libbpf_quiet);
	ncpus = libbpf_num_possible_cpus();
	sum = calloc(LAT_REASONS, sizeof(*sum));
	percpu = calloc(ncpus > 0 ? ncpus : 1, sizeof(*percpu));
	if (ncpus <= 0 || !sum || !percpu) {
		p_err("latency: cannot size the per-CPU map");
		goto out;
	}
	skel = latency_bpf__open();
	if (!skel) {
		p_err("latency: opening the BPF program: %s", strerror(errno));
		goto out;
	}
	skel->rodata->want_vm = vm;
	if (latency_bpf__load(skel)) {
		p_err("latency: loading the BPF program: %s%s", strerror(errno),
		      errno == EPERM ? " (needs root or CAP_BPF+CAP_PERFMON)" : "");
		goto out;
	}
	if (latency_bpf__attach(skel)) {
		p_err("latency: attaching to xvcpu:xvcpu_exit: %s", strerror(errno));
		goto out;
	}
	if (optind < argc) {
		char b;

		if (!pipe2(go, O_CLOEXEC))
			child = fork();
		if (go[0] < 0 || child < 0) {
			p_err("latency: cannot start '%s': %s", argv[optind],
			      strerror(errno));
			goto out;
		}
		if (!child) {
			close(go[1]);
			signal(SIGINT, SIG_DFL);
			if (read(go[0], &b, 1) != 1)
				_exit(127);
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "%s: error: latency: cannot run '%s': %s\n",
				bin_name, argv[optind], strerror(errno));
			_exit(127);
		}
		close(go[0]);
		go[0] = -1;
		if (write(go[1], "g", 1) != 1)
			p_warn("latency: cannot start the command");
		close(go[1]);
		go[1] = -1;
	}
	start = mono_ns();
	if (duration > 0)
		deadline = start + (uint64_t)(duration * 1e9);
	next = interval > 0 ? start + (uint64_t)(interval * 1e9) : 0;
	while (!lat_stop) {
		uint64_t now = mono_ns();
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (deadline && now >= deadline)
			break;
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child = 0;
			break;
		}
		if (next && now >= next && !json) {
			if (read_hists(bpf_map__fd(skel->maps.hists), sum, ncpus,
				       percpu)) {
				p_err("latency: reading the map: %s", strerror(errno));
				goto out;
			}
			printf("%.3f s:\n", (now - start) / 1e9);
			print_hists(sum);
			next += (uint64_t)(interval * 1e9);
		}
		nanosleep(&ts, NULL);
	}
	latency_bpf__detach(skel);
	if (read_hists(bpf_map__fd(skel->maps.hists), sum, ncpus, percpu)) {
		p_err("latency: reading the map: %s", strerror(errno));
		goto out;
	}
	if (json) {
		print_json(sum);
	} else {
		printf("total, %.3f s:\n", (mono_ns() - start) / 1e9);
		print_hists(sum);
	}
	rc = EXIT_OK;
out:
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	if (go[1] >= 0)
		close(go[1]);
	latency_bpf__destroy(skel);
	free(sum);
	free(percpu);
	return rc;
}
