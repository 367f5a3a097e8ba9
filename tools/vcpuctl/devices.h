/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few devices vcpuctl gives a guest: a minimal 16550 as COM1 whose
 * output goes to stdout, a port-0x80 boot-progress latch, and an open
 * bus for every other port and every MMIO address. Shared by all vCPU
 * threads; pure apart from writing to the FILEs it was given and
 * reading CLOCK_MONOTONIC.
 *
 * xvcpu handles port 0x80 in the kernel and keeps the log itself
 * (XVCPU_GET_DEBUG_PORT_LOG): the latch sees writes only when the port
 * exits to user space (another backend, or XVCPU_CAP_USER_DEBUG_PORT),
 * and then keeps a log of the same shape.
 */
#ifndef VCPUCTL_DEVICES_H
#define VCPUCTL_DEVICES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define COM1_BASE	0x3f8
#include <linux/xvcpu.h>

#define POST_PORT	XVCPU_DEBUG_PORT

struct devices {
	pthread_mutex_t lock;	/* one COM1 and one latch for all vCPUs */
	FILE *serial;		/* guest console: stdout */
	FILE *log;		/* progress codes unless quiet: stderr */
	bool quiet;

	uint8_t lcr;		/* line control; bit 7 = DLAB */
	uint8_t dll, dlm;	/* divisor latch, read back, never used */
	uint64_t serial_bytes;

	/*
	 * Port 0x80 writes: post_count in all, the last
	 * XVCPU_DEBUG_PORT_LOG_SIZE in a ring at post_count % size, ns
	 * counted from devices_init() (CLOCK_MONOTONIC).
	 */
	uint64_t t0_ns;
	uint64_t post_count;
	struct xvcpu_debug_port_entry post_ring[XVCPU_DEBUG_PORT_LOG_SIZE];
};

/* Call right after creating the VM: latch times count from here. */
void devices_init(struct devices *d, FILE *serial, FILE *log, bool quiet);
void devices_destroy(struct devices *d);

/*
 * One port I/O exit: @data holds @size * @count bytes. Each access is
 * split into bytes at port, port + 1, ... as on an 8-bit ISA device.
 * For IN, @data is filled.
 */
void devices_pio(struct devices *d, unsigned int vcpu, uint16_t port,
		 bool out, unsigned int size, unsigned int count,
		 uint8_t *data);
/* One MMIO exit: open bus, reads all ones, writes vanish. */
void devices_mmio(struct devices *d, uint64_t gpa, bool write,
		  unsigned int len, uint8_t *data);

/* The latch's log, shaped as XVCPU_GET_DEBUG_PORT_LOG fills it. */
void devices_debug_port_log(struct devices *d,
			    struct xvcpu_debug_port_log *log);

/* What sits at @port, for the summary ("COM1 data", "boot progress"). */
const char *devices_port_name(uint16_t port);

#endif /* VCPUCTL_DEVICES_H */
