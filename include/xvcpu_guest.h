/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xvcpu_guest.h - what a guest running on xvcpu uses to tell the host
 * about itself (Documentation/guest-events.rst). Freestanding: no libc,
 * no kernel headers, only <stdint.h>; copy it into a guest tree as is.
 *
 *   xvcpu_debug_port(code)       one byte to the debug port 0x80: kept,
 *                                timestamped, in the VM's debug-port log
 *                                and the xvcpu:xvcpu_debug_port event.
 *                                Codes 0x00-1f firmware, 20-3f
 *                                bootloader, 40-5f kernel, 60-7f user
 *                                space, 80-ff custom.
 *   xvcpu_trace0(id) ..          a guest trace event (Xen's TRACE_0D ..
 *   xvcpu_trace5(id, a..e)       TRACE_5D): the xvcpu:xvcpu_guest_event
 *                                tracepoint with the 32-bit id and 0..5
 *                                data words. Returns 0, or
 *                                -XVCPU_GUEST_EINVAL (bad count),
 *                                -XVCPU_GUEST_EPERM (not at CPL 0).
 *
 * Both are handled in the host kernel without an exit to the VMM. The
 * trace calls use VMCALL, which only means this under xvcpu: check that
 * before calling them elsewhere. In 32-bit code data words are 32 bits
 * and xvcpu_trace4/5 do not exist (there is no R8 or R9).
 */
#ifndef XVCPU_GUEST_H
#define XVCPU_GUEST_H

#include <stdint.h>

/* The numbers of include/uapi/linux/xvcpu.h (the selftests compare). */
#define XVCPU_GUEST_DEBUG_PORT	0x80		/* XVCPU_DEBUG_PORT */
#define XVCPU_GUEST_HC_TRACE	0x78760001UL	/* XVCPU_HC_TRACE */
#define XVCPU_GUEST_EPERM	1		/* XVCPU_HYPERCALL_EPERM */
#define XVCPU_GUEST_EINVAL	22		/* XVCPU_HYPERCALL_EINVAL */

static inline void xvcpu_debug_port(uint8_t code)
{
	__asm__ __volatile__("outb %0, %1"
			     : : "a"(code), "i"(XVCPU_GUEST_DEBUG_PORT)
			     : "memory");
}

/*
 * The hypercall itself: RAX = XVCPU_HC_TRACE, RBX = id, RCX = n, data
 * words in RDX, RSI, RDI (R8, R9). The memory clobber keeps the event
 * where the source puts it among the guest's other work.
 */
#ifdef __x86_64__
static inline long __xvcpu_trace(uint32_t id, unsigned long n,
				 unsigned long a, unsigned long b,
				 unsigned long c, unsigned long d,
				 unsigned long e)
{
	register unsigned long r8 __asm__("r8") = d;
	register unsigned long r9 __asm__("r9") = e;
	unsigned long ret = XVCPU_GUEST_HC_TRACE;

	__asm__ __volatile__("vmcall"
			     : "+a"(ret)
			     : "b"((unsigned long)id), "c"(n), "d"(a), "S"(b),
			       "D"(c), "r"(r8), "r"(r9)
			     : "memory");
	return (long)ret;
}
#else
static inline long __xvcpu_trace(uint32_t id, unsigned long n,
				 unsigned long a, unsigned long b,
				 unsigned long c)
{
	unsigned long ret = XVCPU_GUEST_HC_TRACE;

	__asm__ __volatile__("vmcall"
			     : "+a"(ret)
			     : "b"((unsigned long)id), "c"(n), "d"(a), "S"(b),
			       "D"(c)
			     : "memory");
	return (long)ret;
}
#endif

#ifdef __x86_64__
#define __XVCPU_TRACE(id, n, a, b, c)	__xvcpu_trace(id, n, a, b, c, 0, 0)
#else
#define __XVCPU_TRACE(id, n, a, b, c)	__xvcpu_trace(id, n, a, b, c)
#endif

static inline long xvcpu_trace0(uint32_t id)
{
	return __XVCPU_TRACE(id, 0, 0, 0, 0);
}

static inline long xvcpu_trace1(uint32_t id, unsigned long a)
{
	return __XVCPU_TRACE(id, 1, a, 0, 0);
}

static inline long xvcpu_trace2(uint32_t id, unsigned long a,
				unsigned long b)
{
	return __XVCPU_TRACE(id, 2, a, b, 0);
}

static inline long xvcpu_trace3(uint32_t id, unsigned long a,
				unsigned long b, unsigned long c)
{
	return __XVCPU_TRACE(id, 3, a, b, c);
}

#ifdef __x86_64__
static inline long xvcpu_trace4(uint32_t id, unsigned long a,
				unsigned long b, unsigned long c,
				unsigned long d)
{
	return __xvcpu_trace(id, 4, a, b, c, d, 0);
}

static inline long xvcpu_trace5(uint32_t id, unsigned long a,
				unsigned long b, unsigned long c,
				unsigned long d, unsigned long e)
{
	return __xvcpu_trace(id, 5, a, b, c, d, e);
}
#endif

#endif /* XVCPU_GUEST_H */
