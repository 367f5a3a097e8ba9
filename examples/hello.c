// SPDX-License-Identifier: GPL-2.0
/*
 * hello: a freestanding long-mode guest for `vcpuctl run`. It exercises
 * each way a guest reaches its VMM: port I/O (COM1 text), instructions
 * the kernel handles itself (CPUID and RDMSR loops, debug-port codes and
 * guest trace events from include/xvcpu_guest.h), a hypercall (VMCALL)
 * and MMIO to an address with no RAM behind it; then it halts with
 * interrupts off, which ends the run.
 *
 *   vcpuctl run build/examples/hello
 *   vcpuctl run --vcpus 4 build/examples/hello
 *
 * Runs on vCPU 0; other vCPUs say hello and halt. Relies on what vcpuctl
 * sets up: 64-bit mode, [0, 4 GiB) identity mapped, a stack per vCPU,
 * RDI/RSI/RDX = vCPU id, vCPU count, RAM size.
 */
#include <stddef.h>
#include <stdint.h>

#include "xvcpu_guest.h"

#define COM1		0x3f8
#define LSR_THRE	0x20

/*
 * Boot progress codes for the debug port (0x80), in the order vCPU 0
 * reaches them: 0x40-0x5f is the "kernel" range, 0x60-0x7f "user space".
 */
enum {
	POST_MAIN = 0x40,	/* hello_main entered */
	POST_SERIAL = 0x41,	/* COM1 programmed */
	POST_CPUID = 0x42,	/* CPUID loop done */
	POST_RDMSR = 0x43,	/* RDMSR loop done */
	POST_VMCALL = 0x44,	/* hypercall returned */
	POST_MMIO = 0x45,	/* open-bus MMIO done */
	POST_HALT = 0x4f,	/* about to halt */
	POST_SECONDARY = 0x60,	/* a secondary vCPU is up */
};

#define LOOPS		1000
#define MSR_TSC		0x10
#define MSR_APIC_BASE	0x1b
#define HC_HELLO	0x10		/* unknown to vcpuctl: returns 0 */
#define OPEN_BUS	0xd0000000ul	/* above any RAM vcpuctl gives */

/* Guest trace event ids (xvcpu_traceN), Xen's TRACE_nD from inside. */
#define EV_CPUID	0x100		/* data: loops, max leaf */
#define EV_RDMSR	0x101		/* data: loops, TSC ticks, increasing */

/* Freestanding code still gets these calls from the compiler. */
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t vmcall(uint64_t nr, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t ret;

	asm volatile("vmcall"
		     : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4)
		     : "memory");
	return ret;
}

/* One plain MOV each way, so the VMM sees exactly one 4-byte access. */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static inline void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/* Whole lines from several vCPUs must not interleave on COM1. */
static int console_lock;
static int serial_ready;

static void lock(void)
{
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		asm volatile("pause");
}

static void unlock(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

/* Program COM1 as a driver would: 115200 8N1, FIFOs on. Under the lock. */
static void serial_init(void)
{
	if (serial_ready)
		return;
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB: the next two are the divisor */
	outb(COM1 + 0, 0x01);	/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1, DLAB off */
	outb(COM1 + 2, 0xc7);	/* FIFO on and cleared */
	outb(COM1 + 4, 0x0b);	/* DTR, RTS, OUT2 */
	serial_ready = 1;
}

static void putc_serial(char c)
{
	while (!(inb(COM1 + 5) & LSR_THRE))
		asm volatile("pause");
	outb(COM1, c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void put_hex(uint64_t v)
{
	char buf[19];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	puts_serial(&buf[i]);
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts_serial(&buf[i]);
}

static void put_regs_str(const uint32_t *regs, int n)
{
	const char *p = (const char *)regs;
	int i;

	for (i = 0; i < 4 * n; i++)
		if (p[i])
			putc_serial(p[i]);
}

/* Returns the maximum basic leaf. */
static uint32_t cpuid_demo(void)
{
	uint32_t first[4], r[4], vendor[3], brand[12];
	int i, same = 1;

	cpuid(0, 0, first);
	for (i = 0; i < LOOPS; i++) {
		cpuid(0, 0, r);
		same &= r[0] == first[0] && r[1] == first[1] &&
			r[2] == first[2] && r[3] == first[3];
	}
	vendor[0] = first[1];	/* EBX, EDX, ECX spell the vendor */
	vendor[1] = first[3];
	vendor[2] = first[2];
	puts_serial("cpuid: ");
	put_dec(LOOPS);
	puts_serial(" x leaf 0, vendor \"");
	put_regs_str(vendor, 3);
	puts_serial("\", max leaf ");
	put_hex(first[0]);
	puts_serial(same ? ", all equal\n" : ", RESULTS DIFFER\n");

	cpuid(1, 0, r);
	puts_serial("cpuid: family ");
	put_dec(((r[0] >> 8) & 0xf) + ((r[0] >> 20) & 0xff));
	puts_serial(" model ");
	put_dec(((r[0] >> 4) & 0xf) | ((r[0] >> 12) & 0xf0));
	puts_serial(" stepping ");
	put_dec(r[0] & 0xf);
	puts_serial(r[2] & (1u << 5) ? ", VMX visible" : ", VMX hidden");
	puts_serial(r[2] & (1u << 31) ? ", hypervisor bit set\n" :
		    ", hypervisor bit clear\n");

	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000004) {
		for (i = 0; i < 3; i++)
			cpuid(0x80000002 + i, 0, &brand[4 * i]);
		if (brand[0]) {
			puts_serial("cpuid: brand \"");
			put_regs_str(brand, 12);
			puts_serial("\"\n");
		}
	}
	return first[0];
}

/*
 * VMCALL means whatever the hypervisor underneath defines. Under KVM
 * (vcpuctl's host test backend) it is a KVM hypercall, so leave it out
 * there; xvcpu hands it to vcpuctl as a HYPERCALL exit.
 */
static int under_kvm(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 31)))
		return 0;
	cpuid(0x40000000, 0, r);
	return r[1] == 0x4b4d564b && r[2] == 0x564b4d56 && r[3] == 0x4d;
}

/* Returns the TSC ticks of the loop; *@increasing_out: each read grew. */
static uint64_t rdmsr_demo(int *increasing_out)
{
	uint64_t first, prev, v;
	int i, increasing = 1;

	first = prev = rdmsr(MSR_TSC);
	for (i = 0; i < LOOPS; i++) {
		v = rdmsr(MSR_TSC);
		increasing &= v > prev;
		prev = v;
	}
	puts_serial("rdmsr: ");
	put_dec(LOOPS);
	puts_serial(" x IA32_TSC, ");
	put_dec(prev - first);
	puts_serial(increasing ? " ticks, increasing\n" :
		    " ticks, NOT INCREASING\n");
	puts_serial("rdmsr: IA32_APIC_BASE = ");
	put_hex(rdmsr(MSR_APIC_BASE));
	puts_serial("\n");
	*increasing_out = increasing;
	return prev - first;
}

void hello_main(uint64_t id, uint64_t nr_vcpus, uint64_t ram)
{
	uint64_t ticks;
	long ev[2];
	uint32_t v, max_leaf;
	int increasing, kvm;

	if (id) {
		xvcpu_debug_port(POST_SECONDARY);
		lock();
		serial_init();
		puts_serial("vCPU ");
		put_dec(id);
		puts_serial(": hello, halting\n");
		unlock();
		halt_forever();
	}

	xvcpu_debug_port(POST_MAIN);
	lock();
	serial_init();
	xvcpu_debug_port(POST_SERIAL);
	puts_serial("Hello from an xvcpu guest\n");
	puts_serial("vCPU 0 of ");
	put_dec(nr_vcpus);
	puts_serial(", ");
	put_dec(ram >> 10);
	puts_serial(" KiB of RAM, 64-bit mode\n");

	max_leaf = cpuid_demo();
	xvcpu_debug_port(POST_CPUID);
	ticks = rdmsr_demo(&increasing);
	xvcpu_debug_port(POST_RDMSR);

	/* Guest trace events are xvcpu hypercalls: not under KVM. */
	kvm = under_kvm();
	if (!kvm) {
		ev[0] = xvcpu_trace2(EV_CPUID, LOOPS, max_leaf);
		ev[1] = xvcpu_trace3(EV_RDMSR, LOOPS, ticks, increasing);
		puts_serial("trace: guest events ");
		put_hex(EV_CPUID);
		puts_serial(", ");
		put_hex(EV_RDMSR);
		puts_serial(ev[0] || ev[1] ? " FAILED\n" : " returned 0\n");
	}

	puts_serial("vmcall: hypercall ");
	put_hex(HC_HELLO);
	if (kvm) {
		puts_serial(" skipped: KVM underneath\n");
	} else {
		puts_serial(" returned ");
		put_hex(vmcall(HC_HELLO, 1, 2, 3, 4, 5));
		puts_serial("\n");
	}
	xvcpu_debug_port(POST_VMCALL);

	v = mmio_read32(OPEN_BUS);
	mmio_write32(OPEN_BUS, 0x12345678);
	puts_serial("mmio: read ");
	put_hex(OPEN_BUS);
	puts_serial(" -> ");
	put_hex(v);
	puts_serial(v == 0xffffffff ? " (open bus)\n" : "\n");
	xvcpu_debug_port(POST_MMIO);

	puts_serial("vCPU 0: done, halting\n");
	unlock();
	xvcpu_debug_port(POST_HALT);
	halt_forever();
}
