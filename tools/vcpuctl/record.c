// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl record: the xvcpu tracepoints through perf rings into a trace
 * file (tracefile.h).
 *
 * Every selected event is one perf_event_open() per selected CPU (raw
 * sample, time, CPU; CLOCK_MONOTONIC), and all events of one CPU share
 * that CPU's ring (PERF_EVENT_IOC_SET_OUTPUT), as perf record does. The
 * rings are drained without locks by this one thread: data_head is read
 * with acquire order (the kernel's records are visible before the head
 * that covers them), data_tail written back with release order (we are
 * done reading before the kernel may reuse the space). VM and vCPU
 * filters are tracefs filters set on each event in the kernel
 * (PERF_EVENT_IOC_SET_FILTER): filtered-out exits never reach a ring.
 * A ring that overflows reports PERF_RECORD_LOST; each is written to the
 * file where it happened and counted per CPU.
 *
 * --flight SIZE: the rings are overwrite (write_backward, mapped read
 * only): the kernel keeps the newest SIZE bytes per CPU and nothing is
 * read until a trigger - a triple fault or an internal error seen by a
 * second, filtered event (its own small ring per CPU), a failed VM
 * entry, or SIGUSR1 - when each ring is paused, read newest to oldest
 * and written out.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <tracefs/tracefs.h>

#include "tracefile.h"
#include "vcpuctl.h"
#include "vmstats.h"

#define SYSTEM		"xvcpu"
#define MAX_EVENTS	32
/* VMX basic exit reason 2: triple fault (SHUTDOWN). */
#define EXIT_TRIPLE_FAULT	2
/* xvcpu_exit.outcome 2: RUN failed (internal error). */
#define OUTCOME_ERROR		2

/* Event classes (-e): each names some of the xvcpu tracepoints. */
static const struct ev_class {
	const char *name;
	const char *events;	/* space separated, without "xvcpu_" */
	bool dflt;		/* in the default set */
} classes[] = {
	{ "exit", "exit entry", true },
	{ "io", "io", true },
	{ "mmio", "mmio", true },
	{ "msr", "msr", true },
	{ "cpuid", "cpuid", true },
	{ "cr", "cr", true },
	{ "ept", "ept_violation", true },
	{ "hypercall", "hypercall", true },
	{ "inject", "inject", true },
	{ "fail", "entry_failed", true },
	{ "vm", "vm_create vm_destroy vcpu_create", true },
	{ "debug", "debug_port", true },
	{ "guest", "guest_event", true },
	{ "regs", "regs_diff", false },
};

struct ring {
	int cpu;
	int fd;			/* the CPU's first event: owns the ring */
	struct perf_event_mmap_page *pc;
	uint8_t *data;
	uint64_t mask;
	size_t map_len;
	uint64_t samples, lost, throttled;
	/* --flight: records copied out of the ring, newest first. */
	uint8_t *snap;
	size_t snap_len;
};

struct rec_opts {
	char events[MAX_EVENTS][48];
	unsigned int nevents;
	int cpus[XVT_MAX_CPUS];
	unsigned int ncpus;
	char cpu_list[256];
	long vms[64];
	unsigned int nvms;
	long vcpu;
	double duration;
	uint64_t ring_bytes;
	uint64_t flight_bytes;
	const char *out;
	char **cmd;
	bool quiet;
};

struct recorder {
	struct rec_opts *o;
	struct tep_handle *tep;
	char *formats[MAX_EVENTS];
	size_t format_len[MAX_EVENTS];
	int ids[MAX_EVENTS];
	char filters[MAX_EVENTS][256];
	struct ring *rings;
	unsigned int nrings;
	int *fds;		/* every event fd, for enable/disable */
	unsigned int nfds;
	struct ring *trig;	/* --flight: trigger rings, one per CPU */
	struct xvt_writer w;
	uint8_t *tmp;		/* a record that wraps the ring end */
	unsigned int dumps;	/* --flight files written */
	char info[4096];
	size_t info_len;
};

static volatile sig_atomic_t stop_sig, dump_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

static void on_usr1(int sig)
{
	(void)sig;
	dump_sig = 1;
}

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"Usage: %s record [OPTIONS] [-- COMMAND [ARGS...]]\n"
		"\n"
		"Record the xvcpu tracepoints of every CPU (or -c CPUS) into a\n"
		"trace file, until Ctrl-C, -T SECONDS or the end of COMMAND.\n"
		"\n"
		"OPTIONS := {\n"
		"  -e, --events CLASS[,CLASS...]  event classes or names (default: all but regs)\n"
		"  -c, --cpus LIST                CPUs, e.g. 0-1,3 (default: every online CPU)\n"
		"      --vm ID[,ID...]            only these VMs (filtered in the kernel)\n"
		"      --vcpu ID                  only this vCPU id (filtered in the kernel)\n"
		"  -T, --duration SECONDS         stop after this long\n"
		"  -m, --ring SIZE                ring per CPU, power of two, >= 4K (default 512K)\n"
		"  -o, --output FILE              the trace file (default xvcpu.dat)\n"
		"      --flight SIZE              flight recorder: keep the last SIZE per CPU,\n"
		"                                 write it on a triple fault, a failed entry,\n"
		"                                 an internal error or SIGUSR1\n"
		"  -q, --quiet                    no summary on stderr\n"
		"}\n"
		"\n"
		"CLASS := { all",
		bin_name);
	for (i = 0; i < ARRAY_SIZE(classes); i++)
		fprintf(f, " | %s", classes[i].name);
	fprintf(f,
		" }\n"
		"Exit status: 0 recorded, 1 failure, 2 bad arguments.\n");
}

/* ---- options ----------------------------------------------------------- */

static int add_event(struct rec_opts *o, const char *name)
{
	unsigned int i;

	for (i = 0; i < o->nevents; i++)
		if (!strcmp(o->events[i], name))
			return 0;
	if (o->nevents == MAX_EVENTS)
		return -E2BIG;
	snprintf(o->events[o->nevents++], sizeof(o->events[0]), "%s", name);
	return 0;
}

static int add_class(struct rec_opts *o, const struct ev_class *c)
{
	char buf[128], *save, *t;

	snprintf(buf, sizeof(buf), "%s", c->events);
	for (t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char name[48];

		snprintf(name, sizeof(name), SYSTEM "_%s", t);
		if (add_event(o, name))
			return -E2BIG;
	}
	return 0;
}

/* -e: class names, "all", or event names (with or without "xvcpu_"). */
static int parse_events(struct rec_opts *o, const char *arg)
{
	char *buf = strdup(arg), *save, *t;
	unsigned int i;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (t = strtok_r(buf, ",", &save); t && !err;
	     t = strtok_r(NULL, ",", &save)) {
		bool found = false;

		for (i = 0; i < ARRAY_SIZE(classes); i++) {
			if (!strcmp(t, "all") || !strcmp(t, classes[i].name)) {
				err = add_class(o, &classes[i]);
				found = true;
			}
		}
		if (!found) {
			const char *n = strncmp(t, SYSTEM "_", 6) ? t : t + 6;

			for (i = 0; i < ARRAY_SIZE(classes) && !found; i++) {
				char evs[128], *s2, *e;

				snprintf(evs, sizeof(evs), "%s", classes[i].events);
				for (e = strtok_r(evs, " ", &s2); e;
				     e = strtok_r(NULL, " ", &s2)) {
					char name[48];

					if (strcmp(e, n))
						continue;
					snprintf(name, sizeof(name), SYSTEM "_%s", e);
					err = add_event(o, name);
					found = true;
					break;
				}
			}
		}
		if (!found) {
			p_err("record: unknown event class or event '%s' (see '%s record --help')",
			      t, bin_name);
			err = -EINVAL;
		}
	}
	free(buf);
	return err;
}

/* The CPUs that exist: "0-N" from /sys, else sysconf. */
static int nr_possible_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 && n <= XVT_MAX_CPUS ? (int)n : 1;
}

static bool cpu_online(int cpu)
{
	char path[64], c = '1';
	FILE *f;

	if (cpu == 0)
		return true;
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = fopen(path, "r");
	if (!f)
		return cpu < nr_possible_cpus();
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

/* "0-1,3": each CPU once, in order; errors name the bad part. */
static int parse_cpus(struct rec_opts *o, const char *arg)
{
	int max = nr_possible_cpus();
	bool want[XVT_MAX_CPUS] = { false };
	char *buf = strdup(arg), *save, *t;
	int i, err = 0;

	if (!buf)
		return -ENOMEM;
	for (t = strtok_r(buf, ",", &save); t && !err;
	     t = strtok_r(NULL, ",", &save)) {
		unsigned int lo, hi;
		char *dash = strchr(t, '-');

		if (dash)
			*dash = 0;
		if (parse_uint(t, 0, XVT_MAX_CPUS - 1, &lo) ||
		    (dash && parse_uint(dash + 1, 0, XVT_MAX_CPUS - 1, &hi)) ||
		    (dash && hi < lo)) {
			p_err("record: bad CPU list '%s'", arg);
			err = -EINVAL;
			break;
		}
		if (!dash)
			hi = lo;
		if ((int)hi >= max) {
			p_err("record: CPU %u out of range: this machine has CPUs 0-%d",
			      hi, max - 1);
			err = -ERANGE;
			break;
		}
		for (i = lo; i <= (int)hi; i++)
			want[i] = true;
	}
	free(buf);
	if (err)
		return err;
	o->ncpus = 0;
	for (i = 0; i < max; i++) {
		if (!want[i])
			continue;
		if (!cpu_online(i)) {
			p_err("record: CPU %d is offline", i);
			return -ERANGE;
		}
		o->cpus[o->ncpus++] = i;
	}
	snprintf(o->cpu_list, sizeof(o->cpu_list), "%s", arg);
	return o->ncpus ? 0 : -EINVAL;
}

static int parse_vms(struct rec_opts *o, const char *arg)
{
	char *buf = strdup(arg), *save, *t;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned int v;

		if (parse_uint(t, 0, UINT32_MAX >> 1, &v) ||
		    o->nvms == ARRAY_SIZE(o->vms)) {
			p_err("record: bad VM id '%s'", t);
			err = -EINVAL;
			break;
		}
		o->vms[o->nvms++] = v;
	}
	free(buf);
	return err;
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int parse_ring(const char *what, const char *arg, uint64_t *out)
{
	long page = sysconf(_SC_PAGESIZE);

	if (parse_size(arg, out) || !pow2(*out) || *out < (uint64_t)page ||
	    *out > (1ull << 30)) {
		p_err("record: %s '%s' must be a power of two from %ldK to 1G",
		      what, arg, page / 1024);
		return -EINVAL;
	}
	return 0;
}

static int parse_opts(struct rec_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "vm", required_argument, NULL, 'V' },
		{ "vcpu", required_argument, NULL, 'v' },
		{ "duration", required_argument, NULL, 'T' },
		{ "ring", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "flight", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int u;
	char *end;
	int c;

	o->vcpu = -1;
	o->ring_bytes = 512 * 1024;
	o->out = "xvcpu.dat";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+e:c:T:m:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (parse_events(o, optarg))
				return EXIT_USAGE;
			break;
		case 'c':
			if (parse_cpus(o, optarg))
				return EXIT_USAGE;
			break;
		case 'V':
			if (parse_vms(o, optarg))
				return EXIT_USAGE;
			break;
		case 'v':
			if (parse_uint(optarg, 0, UINT32_MAX >> 1, &u)) {
				p_err("record: bad vCPU id '%s'", optarg);
				return EXIT_USAGE;
			}
			o->vcpu = u;
			break;
		case 'T':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->duration > 0) ||
			    o->duration > 1e7) {
				p_err("record: bad duration '%s' (seconds, > 0)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'm':
			if (parse_ring("ring size", optarg, &o->ring_bytes))
				return EXIT_USAGE;
			break;
		case 'F':
			if (parse_ring("flight size", optarg, &o->flight_bytes))
				return EXIT_USAGE;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			p_err("record: unknown or incomplete option '%s' (try '%s record --help')",
			      argv[optind - 1], bin_name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--")) {
			p_err("record: unexpected argument '%s' (a command goes after --)",
			      argv[optind]);
			return EXIT_USAGE;
		}
		o->cmd = argv + optind;
	}
	if (!o->nevents) {
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(classes); i++)
			if (classes[i].dflt && add_class(o, &classes[i]))
				return EXIT_USAGE;
	}
	if (!o->ncpus) {
		int i, max = nr_possible_cpus();

		for (i = 0; i < max; i++)
			if (cpu_online(i))
				o->cpus[o->ncpus++] = i;
		snprintf(o->cpu_list, sizeof(o->cpu_list), "all (%u)", o->ncpus);
	}
	return 0;
}

/* ---- events and filters ------------------------------------------------- */

static int load_events(struct recorder *r)
{
	struct rec_opts *o = r->o;
	unsigned int i;

	r->tep = tep_alloc();
	if (!r->tep)
		return -ENOMEM;
	if (!tracefs_tracing_dir()) {
		p_err("record: no tracefs (mount -t tracefs nodev /sys/kernel/tracing)");
		return -ENOENT;
	}
	for (i = 0; i < o->nevents; i++) {
		const char *name = o->events[i];
		struct tep_event *ev;
		enum tep_errno e;
		int size = 0;

		if (!tracefs_event_file_exists(NULL, SYSTEM, name, "format")) {
			p_err("record: no tracepoint %s:%s in tracefs (is xvcpu.ko loaded?)",
			      SYSTEM, name);
			return -ENOENT;
		}
		r->formats[i] = tracefs_event_file_read(NULL, SYSTEM, name,
							"format", &size);
		if (!r->formats[i] || size <= 0) {
			p_err("record: cannot read the format of %s:%s", SYSTEM, name);
			return -EIO;
		}
		r->format_len[i] = size;
		e = tep_parse_event(r->tep, r->formats[i], size, SYSTEM);
		ev = tep_find_event_by_name(r->tep, SYSTEM, name);
		if (e || !ev) {
			p_err("record: the format of %s:%s does not parse", SYSTEM, name);
			return -EINVAL;
		}
		r->ids[i] = ev->id;
	}
	return 0;
}

/* The kernel-side filter of event @i: "" when none applies. */
static int build_filter(struct recorder *r, unsigned int i, char *buf,
			size_t size)
{
	struct tep_event *ev = tep_find_event(r->tep, r->ids[i]);
	struct rec_opts *o = r->o;
	size_t n = 0;
	unsigned int k;

	buf[0] = 0;
	if (o->nvms) {
		if (!tep_find_field(ev, "vm_id"))
			return -EINVAL;
		n += snprintf(buf + n, size - n, "(");
		for (k = 0; k < o->nvms && n < size; k++)
			n += snprintf(buf + n, size - n, "%svm_id == %ld",
				      k ? " || " : "", o->vms[k]);
		if (n < size)
			n += snprintf(buf + n, size - n, ")");
	}
	/* The VM life-cycle events have no vCPU: kept whole. */
	if (o->vcpu >= 0 && tep_find_field(ev, "vcpu_id") && n < size)
		n += snprintf(buf + n, size - n, "%svcpu_id == %ld",
			      n ? " && " : "", o->vcpu);
	return n < size ? 0 : -E2BIG;
}

static long perf_open(struct perf_event_attr *a, int cpu)
{
	return syscall(SYS_perf_event_open, a, -1, cpu, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

static void init_attr(struct perf_event_attr *a, int id, bool backward,
		      uint64_t ring)
{
	memset(a, 0, sizeof(*a));
	a->type = PERF_TYPE_TRACEPOINT;
	a->size = sizeof(*a);
	a->config = id;
	a->sample_period = 1;
	a->sample_type = PERF_SAMPLE_RAW | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
	a->disabled = 1;
	a->sample_id_all = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->write_backward = backward;
	/* Wake the reader when a quarter of the ring is used. */
	a->watermark = 1;
	a->wakeup_watermark = ring / 4;
}

static int map_ring(struct ring *rg, uint64_t bytes, bool overwrite)
{
	long page = sysconf(_SC_PAGESIZE);

	rg->map_len = bytes + page;
	/* Read-only mapping: the kernel overwrites (flight recorder). */
	rg->pc = mmap(NULL, rg->map_len,
		      PROT_READ | (overwrite ? 0 : PROT_WRITE), MAP_SHARED,
		      rg->fd, 0);
	if (rg->pc == MAP_FAILED) {
		rg->pc = NULL;
		return -errno;
	}
	rg->data = (uint8_t *)rg->pc + page;
	rg->mask = bytes - 1;
	return 0;
}

static const char *perf_err_hint(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return " (needs root or CAP_PERFMON)";
	case ENOMEM:
		return " (ring too large for perf_event_mlock_kb?)";
	default:
		return "";
	}
}

static int add_fd(struct recorder *r, int fd)
{
	int *p = realloc(r->fds, (r->nfds + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	r->fds = p;
	r->fds[r->nfds++] = fd;
	return 0;
}

static int open_rings(struct recorder *r)
{
	struct rec_opts *o = r->o;
	bool flight = o->flight_bytes;
	uint64_t bytes = flight ? o->flight_bytes : o->ring_bytes;
	struct perf_event_attr a;
	unsigned int c, i;
	int err;

	r->rings = calloc(o->ncpus, sizeof(*r->rings));
	r->trig = calloc(o->ncpus, sizeof(*r->trig));
	if (!r->rings || !r->trig)
		return -ENOMEM;
	r->nrings = o->ncpus;
	for (i = 0; i < o->nevents; i++) {
		if (build_filter(r, i, r->filters[i], sizeof(r->filters[i]))) {
			p_err("record: %s has no vm_id field to filter on, or the filter is too long",
			      o->events[i]);
			return -EINVAL;
		}
	}
	for (c = 0; c < o->ncpus; c++) {
		struct ring *rg = &r->rings[c];

		rg->cpu = o->cpus[c];
		rg->fd = -1;
		for (i = 0; i < o->nevents; i++) {
			int fd;

			init_attr(&a, r->ids[i], flight, bytes);
			fd = perf_open(&a, rg->cpu);
			if (fd < 0) {
				err = errno;
				p_err("record: perf_event_open %s on CPU %d: %s%s",
				      o->events[i], rg->cpu, strerror(err),
				      perf_err_hint(err));
				return -err;
			}
			if (add_fd(r, fd))
				return -ENOMEM;
			if (r->filters[i][0] &&
			    ioctl(fd, PERF_EVENT_IOC_SET_FILTER, r->filters[i])) {
				err = errno;
				p_err("record: filter '%s' on %s: %s", r->filters[i],
				      o->events[i], strerror(err));
				return -err;
			}
			if (rg->fd < 0) {
				rg->fd = fd;
				err = map_ring(rg, bytes, flight);
				if (err) {
					p_err("record: mmap of a %llu KiB ring on CPU %d: %s%s",
					      (unsigned long long)bytes / 1024, rg->cpu,
					      strerror(-err), perf_err_hint(-err));
					return err;
				}
			} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, rg->fd)) {
				err = errno;
				p_err("record: PERF_EVENT_IOC_SET_OUTPUT on CPU %d: %s",
				      rg->cpu, strerror(err));
				return -err;
			}
		}
	}
	if (!flight)
		return 0;

	/*
	 * Triggers: a second xvcpu_exit filtered in the kernel to triple
	 * faults and internal errors, and every failed entry, into a small
	 * ring per CPU that wakes us at once.
	 */
	for (c = 0; c < o->ncpus; c++) {
		static const char *const trig_ev[] = { "xvcpu_exit",
						       "xvcpu_entry_failed" };
		struct ring *tg = &r->trig[c];
		unsigned int t;

		tg->cpu = o->cpus[c];
		tg->fd = -1;
		for (t = 0; t < ARRAY_SIZE(trig_ev); t++) {
			struct tep_event *ev;
			char filt[512], vmf[300] = "";
			int fd;

			ev = tep_find_event_by_name(r->tep, SYSTEM, trig_ev[t]);
			if (!ev) {
				char *fmt;
				int size = 0;

				fmt = tracefs_event_file_read(NULL, SYSTEM, trig_ev[t],
							      "format", &size);
				if (fmt && size > 0)
					tep_parse_event(r->tep, fmt, size, SYSTEM);
				free(fmt);
				ev = tep_find_event_by_name(r->tep, SYSTEM, trig_ev[t]);
				if (!ev) {
					p_err("record: --flight needs %s:%s", SYSTEM,
					      trig_ev[t]);
					return -ENOENT;
				}
			}
			init_attr(&a, ev->id, false, 2 * sysconf(_SC_PAGESIZE));
			a.watermark = 0;
			a.wakeup_events = 1;
			fd = perf_open(&a, tg->cpu);
			if (fd < 0) {
				err = errno;
				p_err("record: perf_event_open trigger %s on CPU %d: %s%s",
				      trig_ev[t], tg->cpu, strerror(err),
				      perf_err_hint(err));
				return -err;
			}
			if (add_fd(r, fd))
				return -ENOMEM;
			if (o->nvms) {
				size_t n = 0;
				unsigned int k;

				n += snprintf(vmf + n, sizeof(vmf) - n, " && (");
				for (k = 0; k < o->nvms; k++)
					n += snprintf(vmf + n, sizeof(vmf) - n,
						      "%svm_id == %ld",
						      k ? " || " : "", o->vms[k]);
				snprintf(vmf + n, sizeof(vmf) - n, ")");
			}
			if (t == 0)
				snprintf(filt, sizeof(filt),
					 "(exit_reason == %d || outcome == %d)%s",
					 EXIT_TRIPLE_FAULT, OUTCOME_ERROR, vmf);
			else
				snprintf(filt, sizeof(filt), "%s",
					 o->nvms ? vmf + 4 : "");
			if (filt[0] && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filt)) {
				err = errno;
				p_err("record: trigger filter '%s': %s", filt,
				      strerror(err));
				return -err;
			}
			if (tg->fd < 0) {
				tg->fd = fd;
				err = map_ring(tg, sysconf(_SC_PAGESIZE), false);
				if (err) {
					p_err("record: mmap of a trigger ring: %s",
					      strerror(-err));
					return err;
				}
			} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, tg->fd)) {
				err = errno;
				p_err("record: PERF_EVENT_IOC_SET_OUTPUT: %s",
				      strerror(err));
				return -err;
			}
		}
	}
	return 0;
}

static void enable_all(struct recorder *r, bool on)
{
	unsigned int i;

	for (i = 0; i < r->nfds; i++)
		ioctl(r->fds[i], on ? PERF_EVENT_IOC_ENABLE :
				      PERF_EVENT_IOC_DISABLE, 0);
}

/* ---- the file's head: INFO and FORMAT ----------------------------------- */

__printf(3, 4)
static void info_add(struct recorder *r, const char *key, const char *fmt, ...);

static void info_add(struct recorder *r, const char *key, const char *fmt, ...)
{
	size_t room = sizeof(r->info) - r->info_len;
	va_list ap;
	int n;

	n = snprintf(r->info + r->info_len, room, "%s=", key);
	if (n < 0 || (size_t)n >= room)
		return;
	va_start(ap, fmt);
	n += vsnprintf(r->info + r->info_len + n, room - n, fmt, ap);
	va_end(ap);
	if ((size_t)n + 1 >= room)
		return;
	/* One line per key: no newline inside a value. */
	for (char *p = r->info + r->info_len; p < r->info + r->info_len + n; p++)
		if (*p == '\n')
			*p = ' ';
	r->info[r->info_len + n] = '\n';
	r->info_len += n + 1;
	r->info[r->info_len] = 0;
}

static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, size, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* "model name" and whether the TSC is constant/nonstop, from cpuinfo. */
static void cpu_facts(char *model, size_t msize, char *tscfl, size_t tsize,
		      char *mhz, size_t hsize)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");

	model[0] = tscfl[0] = mhz[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v += 1 + (v[1] == ' ');
		v[strcspn(v, "\n")] = 0;
		if (!model[0] && !strncmp(line, "model name", 10))
			snprintf(model, msize, "%s", v);
		else if (!mhz[0] && !strncmp(line, "cpu MHz", 7))
			snprintf(mhz, hsize, "%s", v);
		else if (!tscfl[0] && !strncmp(line, "flags", 5))
			snprintf(tscfl, tsize, "%s%s%s",
				 strstr(v, " tsc ") ? "tsc" : "",
				 strstr(v, "constant_tsc") ? " constant_tsc" : "",
				 strstr(v, "nonstop_tsc") ? " nonstop_tsc" : "");
		if (model[0] && mhz[0] && tscfl[0])
			break;
	}
	fclose(f);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void build_info(struct recorder *r, bool flight)
{
	struct rec_opts *o = r->o;
	char model[256], tsc[128], mhz[64], buf[512];
	struct utsname u;
	unsigned int i;
	size_t n = 0;

	uname(&u);
	cpu_facts(model, sizeof(model), tsc, sizeof(tsc), mhz, sizeof(mhz));
	r->info_len = 0;
	info_add(r, "tool", "vcpuctl %s", VCPUCTL_VERSION);
	info_add(r, "kernel", "%s", u.release);
	info_add(r, "kernel_version", "%s", u.version);
	info_add(r, "machine", "%s", u.machine);
	info_add(r, "hostname", "%s", u.nodename);
	info_add(r, "cpu_model", "%s", model);
	info_add(r, "cpu_mhz", "%s", mhz);
	info_add(r, "tsc_flags", "%s", tsc);
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  buf, sizeof(buf));
	info_add(r, "clocksource", "%s", buf);
	info_add(r, "clock", "CLOCK_MONOTONIC");
	info_add(r, "start_monotonic_ns", "%llu",
		 (unsigned long long)now_ns(CLOCK_MONOTONIC));
	info_add(r, "start_realtime_ns", "%llu",
		 (unsigned long long)now_ns(CLOCK_REALTIME));
	info_add(r, "cpus_online", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	info_add(r, "cpus", "%s", o->cpu_list);
	info_add(r, "mode", "%s", flight ? "flight" : "stream");
	info_add(r, "ring_bytes", "%llu", (unsigned long long)
		 (flight ? o->flight_bytes : o->ring_bytes));
	buf[0] = 0;
	for (i = 0; i < o->nevents && n < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "",
			      o->events[i]);
	info_add(r, "events", "%s", buf);
	for (i = 0; i < o->nevents; i++)
		if (r->filters[i][0]) {
			info_add(r, "filter", "%s", r->filters[i]);
			break;
		}
	if (o->cmd) {
		buf[0] = 0;
		n = 0;
		for (i = 0; o->cmd[i] && n < sizeof(buf); i++)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? " " : "", o->cmd[i]);
		info_add(r, "command", "%s", buf);
	}
}

static int open_output(struct recorder *r, const char *path, bool flight)
{
	unsigned int i;
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		p_err("record: cannot create '%s': %s", path, strerror(errno));
		return err;
	}
	err = xvt_writer_init(&r->w, fd, flight ? XVT_F_FLIGHT : 0);
	if (!err)
		err = xvt_write_info(&r->w, r->info, r->info_len);
	for (i = 0; !err && i < r->o->nevents; i++)
		err = xvt_write_format(&r->w, SYSTEM, r->formats[i],
				       r->format_len[i]);
	if (err) {
		p_err("record: writing '%s': %s", path, strerror(-err));
		close(fd);
	}
	return err;
}

/*
 * The recorded VMs' exit counts from their always-on stats (debugfs),
 * summed over vCPUs: exits_<R>, traced_<R>, sampled_out_<R>, at the
 * start and the end, so a report can set what the file kept next to
 * the true counts of a VM alive throughout. A debugfs stats file is a
 * snapshot taken when it is opened: the files are listed beforehand and
 * only opened at the very edges (right before the events are enabled,
 * right after they are disabled), and read afterwards. No debugfs:
 * nothing written.
 */
struct stats_src {
	char path[512];
	uint32_t vm;
	int pid;
	int fd[2];
};

static struct stats_src *stats_srcs;
static unsigned int nstats_srcs;

static void stats_list(struct recorder *r)
{
	const char *dir = vmstats_dir();
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stats_src *ns;
		unsigned int id, j;
		bool want = !r->o->nvms;
		int pid;

		if (sscanf(de->d_name, "vm-%u-%d", &id, &pid) != 2)
			continue;
		for (j = 0; j < r->o->nvms; j++)
			want |= r->o->vms[j] == id;
		if (!want)
			continue;
		ns = realloc(stats_srcs, (nstats_srcs + 1) * sizeof(*ns));
		if (!ns)
			break;
		stats_srcs = ns;
		ns += nstats_srcs++;
		snprintf(ns->path, sizeof(ns->path), "%s/%s/stats", dir, de->d_name);
		ns->vm = id;
		ns->pid = pid;
		ns->fd[0] = ns->fd[1] = -1;
	}
	closedir(d);
}

/* The snapshot: as close to enabling or disabling as it gets. */
static void stats_open(uint32_t when)
{
	unsigned int i;

	for (i = 0; i < nstats_srcs; i++)
		stats_srcs[i].fd[when] = open(stats_srcs[i].path,
					      O_RDONLY | O_CLOEXEC);
}

static void stats_write(struct recorder *r, uint32_t when)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	unsigned int i, k, j;

	for (i = 0; i < nstats_srcs; i++) {
		struct stats_src *src = &stats_srcs[i];
		struct kstats ks;
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		if (src->fd[when] < 0)
			continue;
		if (kstats_read_fd(src->fd[when], &ks)) {
			close(src->fd[when]);
			src->fd[when] = -1;
			continue;
		}
		close(src->fd[when]);
		src->fd[when] = -1;
		f = open_memstream(&text, &len);
		if (!f) {
			kstats_free(&ks);
			break;
		}
		for (k = 0; k < ks.n; k++) {
			const char *base;
			uint64_t sum = 0;
			int vcpu;

			base = vmstats_split(ks.s[k].name, &vcpu);
			/* Once per name, at vCPU 0's, summing them all. */
			if (vcpu != 0 || ks.s[k].size != 1 ||
			    (strncmp(base, "exits_", 6) &&
			     strncmp(base, "traced_", 7) &&
			     strncmp(base, "sampled_out_", 12)))
				continue;
			for (j = 0; j < ks.n; j++) {
				int v2;
				const char *b2 = vmstats_split(ks.s[j].name, &v2);

				if (v2 >= 0 && ks.s[j].size == 1 && !strcmp(b2, base))
					sum += ks.s[j].val[0];
			}
			if (sum)
				fprintf(f, "%s %llu\n", base, (unsigned long long)sum);
		}
		fclose(f);
		xvt_write_stats(&r->w, now, src->vm, src->pid, when, text, len);
		free(text);
		kstats_free(&ks);
	}
}

static void stats_free(void)
{
	unsigned int i;

	for (i = 0; i < nstats_srcs; i++) {
		if (stats_srcs[i].fd[0] >= 0)
			close(stats_srcs[i].fd[0]);
		if (stats_srcs[i].fd[1] >= 0)
			close(stats_srcs[i].fd[1]);
	}
	free(stats_srcs);
	stats_srcs = NULL;
	nstats_srcs = 0;
}

static int close_output(struct recorder *r, const char *path)
{
	struct xvt_cpu_total *tot;
	uint32_t ncpus = 0;
	unsigned int c;
	int err, fd = r->w.fd;

	for (c = 0; c < r->nrings; c++)
		if ((uint32_t)r->rings[c].cpu + 1 > ncpus)
			ncpus = r->rings[c].cpu + 1;
	tot = calloc(ncpus ? ncpus : 1, sizeof(*tot));
	if (tot) {
		for (c = 0; c < r->nrings; c++) {
			tot[r->rings[c].cpu].samples = r->rings[c].samples;
			tot[r->rings[c].cpu].lost = r->rings[c].lost;
		}
		xvt_write_end(&r->w, now_ns(CLOCK_MONOTONIC), ncpus, tot);
		free(tot);
	}
	err = xvt_writer_finish(&r->w);
	if (!tot && !err)
		err = -ENOMEM;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		p_err("record: writing '%s': %s", path, strerror(-err));
	return err;
}

/* ---- draining ------------------------------------------------------------ */

struct sample_id {
	uint64_t time;
	uint32_t cpu, res;
};

/* One perf record of @rg's CPU (contiguous copy in @p). */
static void handle_record(struct recorder *r, struct ring *rg,
			  const struct perf_event_header *h)
{
	const uint8_t *p = (const uint8_t *)(h + 1);
	const uint8_t *end = (const uint8_t *)h + h->size;

	switch (h->type) {
	case PERF_RECORD_SAMPLE: {
		uint64_t time;
		uint32_t cpu, size;

		if (p + 16 + 4 > end)
			return;
		memcpy(&time, p, 8);
		memcpy(&cpu, p + 8, 4);
		memcpy(&size, p + 16, 4);
		if (p + 20 + size > end)
			return;
		xvt_write_sample(&r->w, time, cpu, p + 20, size);
		rg->samples++;
		break;
	}
	case PERF_RECORD_LOST: {
		struct sample_id sid;
		uint64_t lost;

		if (p + 16 + sizeof(sid) > end)
			return;
		memcpy(&lost, p + 8, 8);
		memcpy(&sid, end - sizeof(sid), sizeof(sid));
		xvt_write_lost(&r->w, sid.time, rg->cpu, lost);
		rg->lost += lost;
		break;
	}
	case PERF_RECORD_THROTTLE:
		rg->throttled++;
		break;
	default:
		break;
	}
}

/* Everything the kernel has published in @rg, then give the space back. */
static void drain(struct recorder *r, struct ring *rg)
{
	uint64_t head, tail = rg->pc->data_tail;
	uint64_t size = rg->mask + 1;

	/* Pairs with the kernel's smp_wmb() before it moves data_head. */
	head = __atomic_load_n(&rg->pc->data_head, __ATOMIC_ACQUIRE);
	while (tail < head) {
		uint64_t off = tail & rg->mask;
		struct perf_event_header *h = (void *)(rg->data + off);
		struct perf_event_header hdr;

		if (off + sizeof(hdr) > size) {
			/* The header itself wraps. */
			memcpy(&hdr, rg->data + off, size - off);
			memcpy((uint8_t *)&hdr + (size - off), rg->data,
			       sizeof(hdr) - (size - off));
		} else {
			hdr = *h;
		}
		if (!hdr.size || hdr.size > head - tail)
			break;
		if (off + hdr.size > size) {
			memcpy(r->tmp, rg->data + off, size - off);
			memcpy(r->tmp + (size - off), rg->data,
			       hdr.size - (size - off));
			h = (void *)r->tmp;
		}
		handle_record(r, rg, h);
		tail += hdr.size;
	}
	/* Our reads are done before the kernel may overwrite the space. */
	__atomic_store_n(&rg->pc->data_tail, tail, __ATOMIC_RELEASE);
}

/* Trigger rings: true when one holds a record; empties it. */
static bool triggered(struct recorder *r)
{
	bool hit = false;
	unsigned int c;

	for (c = 0; c < r->nrings; c++) {
		struct ring *tg = &r->trig[c];
		uint64_t head = __atomic_load_n(&tg->pc->data_head,
						__ATOMIC_ACQUIRE);
		uint64_t tail = tg->pc->data_tail;

		while (tail < head) {
			struct perf_event_header *h =
				(void *)(tg->data + (tail & tg->mask));

			if (!h->size)
				break;
			if (h->type == PERF_RECORD_SAMPLE ||
			    h->type == PERF_RECORD_LOST)
				hit = true;
			tail += h->size;
		}
		__atomic_store_n(&tg->pc->data_tail, head, __ATOMIC_RELEASE);
	}
	return hit;
}

/*
 * --flight: copy each paused backward ring out, newest record first.
 * The ring holds [head, head + size) at most; it stops earlier at a
 * zero header (never written) or at position 0 (the first record).
 */
static int snapshot(struct ring *rg)
{
	uint64_t size = rg->mask + 1, head, pos;

	ioctl(rg->fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 1);
	head = __atomic_load_n(&rg->pc->data_head, __ATOMIC_ACQUIRE);
	free(rg->snap);
	rg->snap = malloc(size);
	rg->snap_len = 0;
	if (!rg->snap) {
		ioctl(rg->fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 0);
		return -ENOMEM;
	}
	for (pos = head; pos != 0 && pos - head < size;) {
		uint64_t off = pos & rg->mask;
		struct perf_event_header hdr;

		if (off + sizeof(hdr) > size)
			break;	/* records are 8-aligned: cannot happen */
		memcpy(&hdr, rg->data + off, sizeof(hdr));
		if (!hdr.size || (hdr.size & 7) || pos - head + hdr.size > size)
			break;
		if (off + hdr.size > size) {
			memcpy(rg->snap + rg->snap_len, rg->data + off, size - off);
			memcpy(rg->snap + rg->snap_len + (size - off), rg->data,
			       hdr.size - (size - off));
		} else {
			memcpy(rg->snap + rg->snap_len, rg->data + off, hdr.size);
		}
		rg->snap_len += hdr.size;
		pos += hdr.size;
	}
	ioctl(rg->fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 0);
	return 0;
}

static int flight_dump(struct recorder *r, const char *why)
{
	char path[4096];
	unsigned int c;
	uint64_t total = 0;
	int err;

	if (r->dumps)
		snprintf(path, sizeof(path), "%s.%u", r->o->out, r->dumps);
	else
		snprintf(path, sizeof(path), "%s", r->o->out);
	for (c = 0; c < r->nrings; c++) {
		err = snapshot(&r->rings[c]);
		if (err)
			return err;
	}
	err = open_output(r, path, true);
	if (err)
		return err;
	for (c = 0; c < r->nrings; c++) {
		struct ring *rg = &r->rings[c];
		size_t n = 0, i, cnt = 0, *offs;

		/* Oldest first in the file: walk, then write backwards. */
		for (n = 0; n < rg->snap_len; cnt++)
			n += ((struct perf_event_header *)(rg->snap + n))->size;
		offs = malloc((cnt ? cnt : 1) * sizeof(*offs));
		if (!offs)
			return -ENOMEM;
		for (n = 0, i = 0; i < cnt; i++) {
			offs[i] = n;
			n += ((struct perf_event_header *)(rg->snap + n))->size;
		}
		rg->samples = rg->lost = 0;
		for (i = cnt; i-- > 0;)
			handle_record(r, rg, (void *)(rg->snap + offs[i]));
		free(offs);
		total += rg->samples;
	}
	err = close_output(r, path);
	if (!err)
		p_info("record: flight recorder (%s): %llu events written to %s",
		       why, (unsigned long long)total, path);
	r->dumps++;
	return err;
}

/* ---- the command ---------------------------------------------------------- */

static pid_t start_command(char **cmd, int *go_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char c;

		close(p[1]);
		signal(SIGINT, SIG_DFL);
		/* Start only once the events are on (or never). */
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		execvp(cmd[0], cmd);
		fprintf(stderr, "%s: error: record: cannot run '%s': %s\n",
			bin_name, cmd[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

static void print_summary(struct recorder *r, uint64_t elapsed_ns)
{
	uint64_t samples = 0, lost = 0, thr = 0;
	unsigned int c;

	for (c = 0; c < r->nrings; c++) {
		samples += r->rings[c].samples;
		lost += r->rings[c].lost;
		thr += r->rings[c].throttled;
	}
	p_info("record: %llu events from %u CPUs in %.3f s, %.1f KiB written to %s",
	       (unsigned long long)samples, r->nrings, elapsed_ns / 1e9,
	       r->w.bytes / 1024.0, r->o->out);
	if (lost) {
		char buf[1024];
		size_t n = 0;

		for (c = 0; c < r->nrings && n < sizeof(buf); c++)
			n += snprintf(buf + n, sizeof(buf) - n, "%sCPU%d %llu",
				      c ? ", " : "", r->rings[c].cpu,
				      (unsigned long long)r->rings[c].lost);
		p_warn("record: LOST %llu events (rings full: %s); try a larger --ring",
		       (unsigned long long)lost, buf);
	} else {
		p_info("record: lost 0 events");
	}
	if (thr)
		p_warn("record: the kernel throttled sampling %llu times",
		       (unsigned long long)thr);
}

int do_record(int argc, char **argv)
{
	struct rec_opts o = { 0 };
	struct recorder r = { .o = &o };
	struct sigaction sa = { 0 };
	struct pollfd *pfd = NULL;
	uint64_t t0, deadline = 0;
	int go_fd = -1, status = 0, rc = EXIT_FAIL, err;
	bool flight, child_done = false;
	pid_t child = 0;
	unsigned int c, i;

	err = parse_opts(&o, argc, argv);
	if (err)
		return err < 0 ? EXIT_OK : err;
	flight = o.flight_bytes;
	/* First: a signal during set-up must not kill us half-way. */
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (load_events(&r) || open_rings(&r))
		goto out;
	r.tmp = malloc(1 << 16);
	pfd = calloc(o.ncpus, sizeof(*pfd));
	if (!r.tmp || !pfd)
		goto out;
	build_info(&r, flight);
	if (!flight && open_output(&r, o.out, false))
		goto out;

	if (o.cmd) {
		child = start_command(o.cmd, &go_fd);
		if (child < 0) {
			p_err("record: fork: %s", strerror(errno));
			goto out;
		}
	}
	/* The stats right at the edges of the recorded time. */
	if (!flight) {
		stats_list(&r);
		stats_open(XVT_STATS_START);
	}
	enable_all(&r, true);
	if (!flight)
		stats_write(&r, XVT_STATS_START);
	t0 = now_ns(CLOCK_MONOTONIC);
	if (o.duration > 0)
		deadline = t0 + (uint64_t)(o.duration * 1e9);
	if (!o.quiet)
		p_info("record: %u events on %u CPUs%s%s", o.nevents, o.ncpus,
		       flight ? ", flight recorder" : "",
		       o.cmd ? "" : "; Ctrl-C to stop");
	if (go_fd >= 0) {
		if (write(go_fd, "g", 1) != 1)
			p_warn("record: cannot start the command");
		close(go_fd);
	}
	for (c = 0; c < o.ncpus; c++) {
		pfd[c].fd = flight ? r.trig[c].fd : r.rings[c].fd;
		pfd[c].events = POLLIN;
	}

	while (!stop_sig) {
		int timeout = 100;

		if (deadline) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);

			if (now >= deadline)
				break;
			if ((deadline - now) / 1000000 < (uint64_t)timeout)
				timeout = (deadline - now) / 1000000 + 1;
		}
		poll(pfd, o.ncpus, timeout);
		if (flight) {
			if (triggered(&r) && flight_dump(&r, "guest failure"))
				goto out;
			if (dump_sig) {
				dump_sig = 0;
				if (flight_dump(&r, "SIGUSR1"))
					goto out;
			}
		} else {
			for (c = 0; c < o.ncpus; c++)
				drain(&r, &r.rings[c]);
		}
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child_done = true;
			break;
		}
	}
	enable_all(&r, false);
	if (!flight) {
		stats_open(XVT_STATS_END);
		stats_write(&r, XVT_STATS_END);
	}
	if (flight) {
		/* A failure in the last moments still counts. */
		if (triggered(&r) && flight_dump(&r, "guest failure"))
			goto out;
		if (!r.dumps && !o.quiet)
			p_info("record: flight recorder: no trigger, nothing written");
	} else {
		for (c = 0; c < o.ncpus; c++)
			drain(&r, &r.rings[c]);
		if (close_output(&r, o.out))
			goto out;
		if (!o.quiet)
			print_summary(&r, now_ns(CLOCK_MONOTONIC) - t0);
	}
	if (child && !child_done) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	if (child && !o.quiet) {
		if (WIFEXITED(status))
			p_info("record: command exited with status %d",
			       WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			p_info("record: command killed by signal %d",
			       WTERMSIG(status));
	}
	rc = EXIT_OK;
out:
	if (go_fd >= 0 && rc != EXIT_OK)
		close(go_fd);
	if (child > 0 && rc != EXIT_OK) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	for (c = 0; r.rings && c < r.nrings; c++) {
		if (r.rings[c].pc)
			munmap(r.rings[c].pc, r.rings[c].map_len);
		free(r.rings[c].snap);
		if (r.trig[c].pc)
			munmap(r.trig[c].pc, r.trig[c].map_len);
	}
	for (i = 0; i < r.nfds; i++)
		close(r.fds[i]);
	for (i = 0; i < o.nevents; i++)
		free(r.formats[i]);
	stats_free();
	free(r.fds);
	free(r.rings);
	free(r.trig);
	free(r.tmp);
	free(pfd);
	if (r.tep)
		tep_free(r.tep);
	return rc;
}
