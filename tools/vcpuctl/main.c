// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl: the xvcpu command-line tool. main() handles the global
 * options and picks a command from the table; each command lives in its
 * own file (run.c, ...) and parses its own arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <linux/xvcpu.h>

#include "vcpuctl.h"

static int do_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "run", do_run, "run a guest and summarise its exits" },
	{ "boot", do_boot, "boot a Linux kernel (bzImage) on a minimal PC" },
	{ "record", do_record, "record the xvcpu tracepoints into a trace file" },
	{ "report", do_report, "exit statistics of a trace file" },
	{ "format", do_format, "a trace file as text, one line per event" },
	{ "top", do_top, "live exit rates and handling times of every VM" },
	{ "metrics", do_metrics, "every VM's stats in Prometheus text format" },
	{ "latency", do_latency, "live exit-handling histograms from a BPF program" },
	{ "help", do_help, "show this help, or a command's" },
	{ NULL, NULL, NULL }
};

static void usage(FILE *f)
{
	int i;

	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS]\n"
		"       %s help [COMMAND]\n"
		"       %s COMMAND --help\n"
		"\n"
		"COMMAND := { run | boot | record | report | format | top |\n"
		"             metrics | latency | help }\n"
		"OPTIONS := { -h|--help | -V|--version }\n"
		"\n",
		bin_name, bin_name, bin_name);
	for (i = 0; cmds[i].name; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f,
		"\n"
		"Commands may be abbreviated to a unique prefix.\n"
		"Exit status: 0 success, 1 failure, 2 bad arguments.\n");
}

static int select_cmd(int argc, char **argv)
{
	const struct cmd *c;
	bool ambiguous;

	c = cmd_find(cmds, argv[0], &ambiguous);
	if (!c) {
		p_err("%s command '%s' (try '%s help')",
		      ambiguous ? "ambiguous" : "unknown", argv[0], bin_name);
		return EXIT_USAGE;
	}
	return c->func(argc, argv);
}

static int do_help(int argc, char **argv)
{
	char *help_argv[] = { argv[argc > 1], "--help", NULL };

	if (argc > 2) {
		p_err("help takes one COMMAND at most");
		return EXIT_USAGE;
	}
	if (argc == 1 || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	return select_cmd(2, help_argv);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	opterr = 0;
	/* "+": stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("%s %s (xvcpu API %d)\n", bin_name,
			       VCPUCTL_VERSION, XVCPU_API_VERSION);
			return EXIT_OK;
		default:
			p_err("unknown option '%s' (try '%s --help')",
			      argv[optind - 1], bin_name);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return select_cmd(argc - optind, argv + optind);
}
