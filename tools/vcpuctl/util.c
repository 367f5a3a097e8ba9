// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl: the one error path, command lookup and argument parsers.
 * Pure functions except the p_*() printers; the host unit test links
 * this file as is.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcpuctl.h"

const char *bin_name = "vcpuctl";

static void p_vprint(const char *kind, const char *fmt, va_list ap)
{
	/*
	 * stdout carries the guest's serial output; flush it first so a
	 * message lands after the guest text that preceded it.
	 */
	fflush(stdout);
	fprintf(stderr, "%s: %s", bin_name, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_vprint("error: ", fmt, ap);
	va_end(ap);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_vprint("warning: ", fmt, ap);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p_vprint("", fmt, ap);
	va_end(ap);
}

int usage_err(const char *cmd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p_err("%s (try '%s %s --help')", msg, bin_name, cmd);
	return EXIT_USAGE;
}

const struct cmd *cmd_find(const struct cmd *cmds, const char *name,
			   bool *ambiguous)
{
	const struct cmd *found = NULL;
	size_t len = strlen(name);
	int i;

	*ambiguous = false;
	if (!len)
		return NULL;
	for (i = 0; cmds[i].name; i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
		if (strncmp(cmds[i].name, name, len))
			continue;
		/*
		 * Unlike bpftool, which takes the first prefix match, refuse
		 * to guess: "r" must not silently mean "run" once "record"
		 * and "report" exist.
		 */
		if (found)
			*ambiguous = true;
		found = &cmds[i];
	}
	return *ambiguous ? NULL : found;
}

/* strtoull() alone takes "-1", " 1" and "" - all of them mistakes here. */
static int parse_u64_prefix(const char *s, uint64_t *out, char **end)
{
	int base = 10;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
	}
	errno = 0;
	*out = strtoull(s, end, base);
	if (errno == ERANGE)
		return -ERANGE;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;
	char *end;
	int r;

	r = parse_u64_prefix(s, &v, &end);
	if (r)
		return r;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (shift && end[1])
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int parse_uint(const char *s, unsigned int min, unsigned int max,
	       unsigned int *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_hex16(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (!len || len > 4)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' :
			      (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	*out = v;
	return 0;
}

int parse_seg_off(const char *s, uint16_t *seg, uint16_t *off)
{
	const char *colon = strchr(s, ':');

	if (!colon)
		return -EINVAL;
	if (parse_hex16(s, colon - s, seg) ||
	    parse_hex16(colon + 1, strlen(colon + 1), off))
		return -EINVAL;
	return 0;
}

void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}
