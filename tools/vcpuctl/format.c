// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl format FILE: every event of a trace file as one line, in time
 * order across CPUs, like xentrace_format: CPU, timestamp, +delta to the
 * event before, event name and its fields, printed by libtraceevent from
 * the event's own print format (or its raw fields, --raw). Lost records
 * are lines of their own, where the ring reported them. --csv for
 * spreadsheets and scripts; --chrome-trace for Perfetto and
 * chrome://tracing (Trace Event JSON: a process per VM, a thread per
 * vCPU, exit handling and user-space round trips as spans).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <traceevent/trace-seq.h>

#include "report.h"
#include "tevents.h"
#include "tracefile.h"
#include "vcpuctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s format [OPTIONS] FILE\n"
		"\n"
		"Every event of a trace file, one line each, in time order:\n"
		"  CPU  SECONDS  +DELTA_ns  EVENT  FIELDS\n"
		"\n"
		"OPTIONS := {\n"
		"      --raw      the raw fields (name=value) instead of the\n"
		"                 event's print format\n"
		"      --formats FILE\n"
		"                 per-event templates (EVENT TEXT, %%(field)d, %%(field)x)\n"
		"                 for the events FILE names; the rest as usual\n"
		"      --csv      cpu,time_ns,delta_ns,event,fields\n"
		"      --chrome-trace\n"
		"                 Trace Event JSON (Perfetto, chrome://tracing): a\n"
		"                 track per vCPU with exit-handling and user-space spans\n"
		"}\n"
		"Exit status: 0 ok, 1 bad or unreadable file, 2 bad arguments.\n",
		bin_name);
}

static void csv_field(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s == '\n' ? ' ' : *s);
	}
	putchar('"');
}

/* ---- --formats FILE ------------------------------------------------------ */

/*
 * A formats file, like xentrace_format's: one line per event,
 * "EVENT TEMPLATE", the template text with %(field)d (decimal),
 * %(field)x (hex, 0x...) and %% . Checked against the trace's own event
 * formats when loaded, so a field typo is an error with its line, not
 * an empty column; lines for events the trace lacks are skipped.
 */
struct fmt_line {
	int event_id;
	char *tmpl;
};

static struct fmt_line *fmts;
static unsigned int nfmts;

static int load_formats(struct tep_handle *tep, const char *path)
{
	char line[4096];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		p_err("format: %s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *name, *tmpl, *p, *save;
		struct tep_event *ev;
		struct fmt_line *nf;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		name = strtok_r(line, " \t", &save);
		if (!name || name[0] == '#')
			continue;
		tmpl = save + strspn(save, " \t");
		/* An event this trace did not record: nothing to format. */
		ev = tep_find_event_by_name(tep, "xvcpu", name);
		if (!ev)
			continue;
		for (p = strchr(tmpl, '%'); p; p = strchr(p, '%')) {
			char field[64], conv;

			if (p[1] == '%') {
				p += 2;
				continue;
			}
			if (sscanf(p, "%%(%63[^)])%c", field, &conv) != 2 ||
			    (conv != 'd' && conv != 'x')) {
				p_err("format: %s:%u: bad conversion at '%.12s' (use %%(field)d or %%(field)x)",
				      path, lineno, p);
				fclose(f);
				return -EINVAL;
			}
			if (!tep_find_field(ev, field)) {
				p_err("format: %s:%u: event %s has no field '%s'",
				      path, lineno, name, field);
				fclose(f);
				return -EINVAL;
			}
			p++;
		}
		nf = realloc(fmts, (nfmts + 1) * sizeof(*nf));
		if (!nf) {
			p_err("format: out of memory");
			fclose(f);
			return -ENOMEM;
		}
		fmts = nf;
		fmts[nfmts].event_id = ev->id;
		fmts[nfmts].tmpl = strdup(tmpl);
		if (!fmts[nfmts].tmpl) {
			p_err("format: out of memory");
			fclose(f);
			return -ENOMEM;
		}
		nfmts++;
	}
	fclose(f);
	return 0;
}

static const char *template_of(int id)
{
	unsigned int i;

	/* The last line for an event wins, as a later setting does. */
	for (i = nfmts; i-- > 0;)
		if (fmts[i].event_id == id)
			return fmts[i].tmpl;
	return NULL;
}

static void apply_template(struct tep_handle *tep, struct tep_event *ev,
			   const char *t, const struct xvt_view *v,
			   struct trace_seq *s)
{
	for (; *t; t++) {
		char field[64], conv;
		const char *close;

		if (*t != '%') {
			trace_seq_putc(s, *t);
			continue;
		}
		if (t[1] == '%') {
			trace_seq_putc(s, '%');
			t++;
			continue;
		}
		/* Checked at load: %(name)d or %(name)x. */
		close = strchr(t, ')');
		if (!close || sscanf(t, "%%(%63[^)])%c", field, &conv) != 2)
			break;
		{
			uint64_t val = xvt_field(tep, tep_find_field(ev, field),
						 v->raw, v->raw_size);

			if (conv == 'x')
				trace_seq_printf(s, "0x%llx", (unsigned long long)val);
			else
				trace_seq_printf(s, "%llu", (unsigned long long)val);
		}
		t = close + 1;
	}
}

static void free_formats(void)
{
	unsigned int i;

	for (i = 0; i < nfmts; i++)
		free(fmts[i].tmpl);
	free(fmts);
	fmts = NULL;
	nfmts = 0;
}

/* ---- --chrome-trace ----------------------------------------------------- */

struct track {
	uint32_t vm, vcpu;
	bool named;
	bool in_user;		/* a user exit awaits its entry */
	uint64_t user_t;	/* when it exited */
	uint32_t user_reason;
};

static struct track *tracks;
static unsigned int ntracks;
static bool first_ev;

static struct track *track_of(uint32_t vm, uint32_t vcpu)
{
	struct track *t;
	unsigned int i;

	for (i = 0; i < ntracks; i++)
		if (tracks[i].vm == vm && tracks[i].vcpu == vcpu)
			return &tracks[i];
	t = realloc(tracks, (ntracks + 1) * sizeof(*t));
	if (!t)
		return NULL;
	tracks = t;
	t += ntracks++;
	memset(t, 0, sizeof(*t));
	t->vm = vm;
	t->vcpu = vcpu;
	return t;
}

static void ct_sep(void)
{
	printf("%s\n", first_ev ? "" : ",");
	first_ev = false;
}

/* Microseconds, as the format wants, with ns kept as decimals. */
static void ct_us(const char *key, uint64_t ns)
{
	printf(",\"%s\":%llu.%03llu", key, (unsigned long long)(ns / 1000),
	       (unsigned long long)(ns % 1000));
}

static void ct_name_track(struct track *t)
{
	if (t->named)
		return;
	t->named = true;
	ct_sep();
	printf("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"tid\":%u,"
	       "\"args\":{\"name\":\"VM %u\"}}", t->vm, t->vcpu, t->vm);
	ct_sep();
	printf("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%u,"
	       "\"args\":{\"name\":\"vCPU %u\"}}", t->vm, t->vcpu, t->vcpu);
}

static uint64_t fval(struct tep_handle *tep, struct tep_event *ev,
		     const char *name, const struct xvt_view *v, bool *has)
{
	struct tep_format_field *f = tep_find_field(ev, name);

	if (has)
		*has = f;
	return xvt_field(tep, f, v->raw, v->raw_size);
}

static int chrome_event(struct tep_handle *tep, const struct xvt_view *v,
			struct trace_seq *s)
{
	struct tep_event *ev;
	struct track *t;
	bool has_vcpu;
	uint32_t vm, vcpu;
	char buf[32];

	if (v->type == XVT_LOST) {
		ct_sep();
		printf("{\"ph\":\"i\",\"s\":\"g\",\"name\":\"LOST %llu on CPU %u\",\"pid\":0,\"tid\":0",
		       (unsigned long long)v->lost, v->cpu);
		ct_us("ts", v->time);
		printf("}");
		return 0;
	}
	ev = xvt_event_of(tep, v->raw, v->raw_size);
	if (!ev)
		return 0;
	vm = fval(tep, ev, "vm_id", v, NULL);
	vcpu = fval(tep, ev, "vcpu_id", v, &has_vcpu);
	t = track_of(vm, has_vcpu ? vcpu : UINT32_MAX);
	if (!t)
		return -ENOMEM;
	if (!has_vcpu) {
		/* VM life cycle: an instant on the VM's process. */
		ct_sep();
		printf("{\"ph\":\"i\",\"s\":\"p\",\"name\":\"%s\",\"pid\":%u,\"tid\":0",
		       ev->name, vm);
		ct_us("ts", v->time);
		printf("}");
		return 0;
	}
	ct_name_track(t);
	if (!strcmp(ev->name, "xvcpu_exit")) {
		uint64_t ns = fval(tep, ev, "handle_ns", v, NULL);
		uint32_t reason = fval(tep, ev, "exit_reason", v, NULL);
		uint32_t outcome = fval(tep, ev, "outcome", v, NULL);
		const char *rn = reason_name(reason, buf, sizeof(buf));

		/* The event is emitted when handling is decided: it ends then. */
		ct_sep();
		printf("{\"ph\":\"X\",\"cat\":\"exit\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u",
		       rn, vm, vcpu);
		ct_us("ts", v->time > ns ? v->time - ns : 0);
		ct_us("dur", ns);
		printf(",\"args\":{\"outcome\":\"%s\"}}",
		       outcome == 0 ? "kernel" : outcome == 1 ? "user" : "error");
		if (outcome == 1) {
			t->in_user = true;
			t->user_t = v->time;
			t->user_reason = reason;
		}
		return 0;
	}
	if (!strcmp(ev->name, "xvcpu_entry")) {
		if (t->in_user) {
			ct_sep();
			printf("{\"ph\":\"X\",\"cat\":\"user\",\"name\":\"user space: %s\",\"pid\":%u,\"tid\":%u",
			       reason_name(t->user_reason, buf, sizeof(buf)), vm, vcpu);
			ct_us("ts", t->user_t);
			ct_us("dur", v->time - t->user_t);
			printf("}");
			t->in_user = false;
		}
		return 0;
	}
	/* Anything else: an instant on the vCPU's track, with its text. */
	{
		struct tep_record rec = {
			.ts = v->time, .cpu = v->cpu, .size = v->raw_size,
			.data = (void *)v->raw,
		};

		trace_seq_reset(s);
		tep_print_event(tep, s, &rec, "%s", TEP_PRINT_INFO);
		trace_seq_terminate(s);
		ct_sep();
		printf("{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u",
		       ev->name, vm, vcpu);
		ct_us("ts", v->time);
		printf(",\"args\":{\"fields\":");
		json_string(s->buffer);
		printf("}}");
	}
	return 0;
}

int do_format(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'R' },
		{ "csv", no_argument, NULL, 'C' },
		{ "chrome-trace", no_argument, NULL, 'T' },
		{ "formats", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool raw = false, csv = false, chrome = false;
	const char *formats = NULL;
	struct tep_handle *tep;
	struct xvt_reader rd;
	struct xvt_view v;
	struct trace_seq s;
	uint64_t prev = 0;
	bool first = true;
	int c, rc = EXIT_FAIL;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			raw = true;
			break;
		case 'C':
			csv = true;
			break;
		case 'T':
			chrome = true;
			break;
		case 'F':
			formats = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			p_err("format: unknown option '%s' (try '%s format --help')",
			      argv[optind - 1], bin_name);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		p_err("format: needs exactly one FILE (try '%s format --help')",
		      bin_name);
		return EXIT_USAGE;
	}
	if (xvt_reader_open(&rd, "format", argv[optind]))
		return EXIT_FAIL;
	tep = rd.tep;
	/* Progress would tear the lines of a terminal's output. */
	rd.progress = rd.progress && !isatty(STDOUT_FILENO);
	if (formats && load_formats(tep, formats))
		goto out;
	trace_seq_init(&s);
	if (chrome) {
		first_ev = true;
		printf("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
		while (xvt_reader_next(&rd, &v) && !ferror(stdout))
			if (chrome_event(tep, &v, &s)) {
				p_err("format: out of memory");
				break;
			}
		printf("\n]}\n");
		free(tracks);
		tracks = NULL;
		ntracks = 0;
		goto done;
	}
	if (csv)
		printf("cpu,time_ns,delta_ns,event,fields\n");
	while (xvt_reader_next(&rd, &v)) {
		uint64_t delta = first ? 0 : v.time - prev;
		const char *name;

		first = false;
		prev = v.time;
		trace_seq_reset(&s);
		if (v.type == XVT_LOST) {
			name = "LOST";
			trace_seq_printf(&s, "%llu events lost on this CPU",
					 (unsigned long long)v.lost);
		} else {
			struct tep_event *ev = xvt_event_of(tep, v.raw, v.raw_size);
			struct tep_record rec = {
				.ts = v.time,
				.cpu = v.cpu,
				.size = v.raw_size,
				.data = (void *)v.raw,
			};

			if (!ev) {
				name = "unknown";
				trace_seq_printf(&s, "event type %d has no format",
						 tep_data_type(tep, &rec));
			} else if (!raw && template_of(ev->id)) {
				name = ev->name;
				apply_template(tep, ev, template_of(ev->id), &v, &s);
			} else if (raw) {
				name = ev->name;
				tep_record_print_fields(&s, &rec, ev);
			} else {
				name = ev->name;
				tep_print_event(tep, &s, &rec, "%s", TEP_PRINT_INFO);
			}
		}
		trace_seq_terminate(&s);
		if (csv) {
			printf("%u,%llu,%llu,%s,", v.cpu,
			       (unsigned long long)v.time,
			       (unsigned long long)delta, name);
			csv_field(s.buffer[0] == ' ' ? s.buffer + 1 : s.buffer);
			putchar('\n');
		} else {
			printf("CPU%-3u %llu.%09llu +%-10llu %-20s %s\n", v.cpu,
			       (unsigned long long)(v.time / 1000000000ull),
			       (unsigned long long)(v.time % 1000000000ull),
			       (unsigned long long)delta, name,
			       s.buffer[0] == ' ' ? s.buffer + 1 : s.buffer);
		}
		if (ferror(stdout))
			break;
	}
done:
	trace_seq_destroy(&s);
	rc = fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
	if (rc)
		p_err("format: writing the output failed");
out:
	free_formats();
	xvt_reader_close(&rd);
	return rc;
}
