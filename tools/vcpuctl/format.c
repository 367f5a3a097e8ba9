// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl format FILE: every event of a trace file as one line, in time
 * order across CPUs, like xentrace_format: CPU, timestamp, +delta to the
 * event before, event name and its fields, printed by libtraceevent from
 * the event's own print format (or its raw fields, --raw). Lost records
 * are lines of their own, where the ring reported them. --csv for
 * spreadsheets and scripts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		"      --csv      cpu,time_ns,delta_ns,event,fields\n"
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

int do_format(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'R' },
		{ "csv", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool raw = false, csv = false;
	struct tep_handle *tep;
	struct xvt_merge m = { 0 };
	struct xvt_file f;
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
	if (open_trace("format", argv[optind], &f, &tep))
		return EXIT_FAIL;
	if (xvt_merge_init(&m, &f)) {
		p_err("format: out of memory");
		goto out;
	}
	trace_seq_init(&s);
	if (csv)
		printf("cpu,time_ns,delta_ns,event,fields\n");
	while (xvt_merge_next(&m, &v)) {
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
	trace_seq_destroy(&s);
	rc = fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
	if (rc)
		p_err("format: writing the output failed");
out:
	xvt_merge_free(&m);
	tep_free(tep);
	xvt_close(&f);
	return rc;
}
