// SPDX-License-Identifier: GPL-2.0
/*
 * xvcpu-event: a guest trace event from a Linux guest's user space.
 *
 *   xvcpu-event ID [WORD...]
 *
 * One XVCPU_HC_TRACE hypercall (xvcpu_traceN() of ../include/xvcpu_guest.h)
 * with the 32-bit ID and up to five data words (decimal or 0x hex): the
 * host sees it as the tracepoint xvcpu:xvcpu_guest_event. At CPL 3 xvcpu
 * takes it only when the VMM enabled XVCPU_CAP_USER_TRACE_EVENTS on the
 * VM (`vcpuctl boot --user-events`); otherwise the call returns -1
 * (EPERM), as KVM answers any VMCALL from user mode. Exit status 0 when
 * the hypercall returned 0, 1 when it returned an error (printed), 2 for
 * bad arguments. Outside a VM, VMCALL raises #UD: SIGILL.
 *
 * A static x86-64 Linux program without libc (no C runtime in a guest
 * initramfs that has only busybox): its own _start and two system calls.
 */
#include <stdint.h>

#include "xvcpu_guest.h"

#define SYS_write	1
#define SYS_exit_group	231

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b), "d"(c)
			     : "rcx", "r11", "memory");
	return ret;
}

static unsigned long slen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys3(SYS_write, 2, (long)s, (long)slen(s));
}

static __attribute__((noreturn)) void quit(int status)
{
	for (;;)
		sys3(SYS_exit_group, status, 0, 0);
}

/* Decimal or 0x hex, the whole string; 0 on success. */
static int parse(const char *s, uint64_t *v)
{
	unsigned int base = 10, d;
	uint64_t x = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (x > (UINT64_MAX - d) / base)
			return -1;
		x = x * base + d;
	}
	*v = x;
	return 0;
}

static void put_dec(char *buf, long v)
{
	char tmp[24];
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	int n = 0, i = 0;

	do {
		tmp[n++] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		buf[i++] = '-';
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
}

__attribute__((used)) void start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	uint64_t id, w[5] = { 0 };
	char num[24];
	long i, ret;

	if (argc < 2 || argc > 7) {
		say("usage: xvcpu-event ID [WORD...] (up to 5 words)\n");
		quit(2);
	}
	if (parse(argv[1], &id) || id > UINT32_MAX) {
		say("xvcpu-event: the id must be a 32-bit number\n");
		quit(2);
	}
	for (i = 2; i < argc; i++) {
		if (parse(argv[i], &w[i - 2])) {
			say("xvcpu-event: not a number: ");
			say(argv[i]);
			say("\n");
			quit(2);
		}
	}
	ret = __xvcpu_trace(id, argc - 2, w[0], w[1], w[2], w[3], w[4]);
	if (!ret)
		quit(0);
	put_dec(num, ret);
	say("xvcpu-event: the hypercall returned ");
	say(num);
	say(ret == -XVCPU_GUEST_EPERM ?
	    " (EPERM: user-mode events are not enabled for this VM)\n" :
	    ret == -XVCPU_GUEST_EINVAL ? " (EINVAL)\n" : "\n");
	quit(1);
}

__asm__(".globl _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start_c\n"
	"	hlt\n");
