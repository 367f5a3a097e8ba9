/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcpuctl: what every command shares - the command table type, the one
 * error path, exit statuses and the argument parsers.
 */
#ifndef VCPUCTL_H
#define VCPUCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VCPUCTL_VERSION	"0.1"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

/* Exit statuses of every command (signals add 128 + signo, like a shell). */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

extern const char *bin_name;

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *summary;
};

/*
 * Find @name in @cmds: an exact match wins, otherwise a prefix that
 * matches exactly one command. Returns NULL and sets *ambiguous when
 * several commands share the prefix, so the caller can say so.
 */
const struct cmd *cmd_find(const struct cmd *cmds, const char *name,
			   bool *ambiguous);

/* All diagnostics go through these, to stderr, prefixed "vcpuctl: ". */
__printf(1, 2) void p_err(const char *fmt, ...);
__printf(1, 2) void p_warn(const char *fmt, ...);
__printf(1, 2) void p_info(const char *fmt, ...);
/*
 * A bad command line of command @cmd: the message and "(try 'vcpuctl
 * CMD --help')" through p_err(). Returns EXIT_USAGE.
 */
__printf(2, 3) int usage_err(const char *cmd, const char *fmt, ...);

/*
 * Numbers: decimal or 0x hex, with an optional K, M or G suffix
 * (binary multiples, either case). 0 or -EINVAL / -ERANGE.
 */
int parse_size(const char *s, uint64_t *out);
/* An unsigned decimal in [min, max]. */
int parse_uint(const char *s, unsigned int min, unsigned int max,
	       unsigned int *out);
/*
 * Real-mode SEG:OFF, both hex with or without 0x ("0:7c00",
 * "0x0000:0x7c00"). -EINVAL when @s has no colon or a part is bad.
 */
int parse_seg_off(const char *s, uint16_t *seg, uint16_t *off);

/*
 * A whole regular file of at most 1 GiB into a malloc()ed buffer (run.c);
 * 0 or -errno, said through p_err().
 */
int read_file(const char *path, void **bufp, size_t *lenp);

/* @s as a JSON string to stdout: quoted, '"', '\\' and controls escaped. */
void json_string(const char *s);

/* do_<command>(argc, argv): argv[0] is the command name. */
int do_run(int argc, char **argv);
int do_boot(int argc, char **argv);
int do_record(int argc, char **argv);
int do_report(int argc, char **argv);
int do_format(int argc, char **argv);
int do_top(int argc, char **argv);
int do_metrics(int argc, char **argv);
int do_latency(int argc, char **argv);

#endif /* VCPUCTL_H */
