// SPDX-License-Identifier: GPL-2.0
/*
 * COM1 (just enough 16550 for polled output), the port-0x80 latch and
 * the open bus. No interrupts: vcpuctl injects none, so a guest must
 * poll the line status register, which always says "transmitter empty".
 */
#include <string.h>
#include <time.h>

#include "devices.h"

/* 16550 register offsets from COM1_BASE. */
#define UART_THR	0	/* DLAB=0 write: transmit; read: receive */
#define UART_IER	1	/* DLAB=1: divisor latch high */
#define UART_IIR	2	/* read; write: FIFO control */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define LCR_DLAB	0x80
#define LSR_THRE	0x20	/* transmit holding register empty */
#define LSR_TEMT	0x40	/* transmitter empty */
#define IIR_NO_INT	0x01

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void devices_init(struct devices *d, FILE *serial, FILE *log, bool quiet)
{
	memset(d, 0, sizeof(*d));
	d->t0_ns = now_ns();
	pthread_mutex_init(&d->lock, NULL);
	d->serial = serial;
	d->log = log;
	d->quiet = quiet;
	d->lcr = 0x03;	/* 8N1, as firmware leaves it */
}

void devices_destroy(struct devices *d)
{
	fflush(d->serial);
	pthread_mutex_destroy(&d->lock);
}

static void com1_out(struct devices *d, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_THR:
		if (d->lcr & LCR_DLAB) {
			d->dll = v;
			break;
		}
		fputc(v, d->serial);
		/*
		 * Line by line: the guest's text and vcpuctl's own messages
		 * on stderr then interleave in the order they happened.
		 */
		if (v == '\n')
			fflush(d->serial);
		d->serial_bytes++;
		break;
	case UART_IER:
		if (d->lcr & LCR_DLAB)
			d->dlm = v;
		break;
	case UART_LCR:
		/* Kept: DLAB decides whether THR writes are text or divisor. */
		d->lcr = v;
		break;
	default:
		break;
	}
}

static uint8_t com1_in(struct devices *d, unsigned int reg)
{
	switch (reg) {
	case UART_THR:
		return d->lcr & LCR_DLAB ? d->dll : 0;
	case UART_IER:
		return d->lcr & LCR_DLAB ? d->dlm : 0;
	case UART_IIR:
		/* 0 would claim a pending modem-status interrupt. */
		return IIR_NO_INT;
	case UART_LCR:
		return d->lcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT;
	default:
		return 0;
	}
}

static void pio_out(struct devices *d, unsigned int vcpu, uint16_t port,
		    uint8_t v)
{
	if (port >= COM1_BASE && port < COM1_BASE + 8) {
		com1_out(d, port - COM1_BASE, v);
	} else if (port == POST_PORT) {
		struct xvcpu_debug_port_entry *e;

		e = &d->post_ring[d->post_count % XVCPU_DEBUG_PORT_LOG_SIZE];
		memset(e, 0, sizeof(*e));
		e->ns = now_ns() - d->t0_ns;
		e->vcpu_id = vcpu;
		e->code = v;
		e->component = XVCPU_DEBUG_PORT_COMPONENT(v);
		d->post_count++;
		if (!d->quiet) {
			fflush(d->serial);
			fprintf(d->log, "vcpuctl: vCPU%u: boot progress 0x%02x\n",
				vcpu, v);
			fflush(d->log);
		}
	}
	/* Every other port: nothing there, the write vanishes. */
}

static uint8_t pio_in(struct devices *d, uint16_t port)
{
	if (port >= COM1_BASE && port < COM1_BASE + 8)
		return com1_in(d, port - COM1_BASE);
	/* An undriven ISA bus floats high. */
	return 0xff;
}

void devices_pio(struct devices *d, unsigned int vcpu, uint16_t port,
		 bool out, unsigned int size, unsigned int count,
		 uint8_t *data)
{
	unsigned int i, b;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < count; i++) {
		for (b = 0; b < size; b++) {
			uint8_t *p = data + i * size + b;

			if (out)
				pio_out(d, vcpu, port + b, *p);
			else
				*p = pio_in(d, port + b);
		}
	}
	pthread_mutex_unlock(&d->lock);
}

void devices_mmio(struct devices *d, uint64_t gpa, bool write,
		  unsigned int len, uint8_t *data)
{
	(void)d;
	(void)gpa;
	if (!write)
		memset(data, 0xff, len > 8 ? 8 : len);
}

void devices_debug_port_log(struct devices *d,
			    struct xvcpu_debug_port_log *log)
{
	uint64_t first;
	uint32_t i;

	memset(log, 0, sizeof(*log));
	pthread_mutex_lock(&d->lock);
	log->total = d->post_count;
	log->count = d->post_count < XVCPU_DEBUG_PORT_LOG_SIZE ?
		     d->post_count : XVCPU_DEBUG_PORT_LOG_SIZE;
	first = log->total - log->count;
	for (i = 0; i < log->count; i++)
		log->entries[i] =
			d->post_ring[(first + i) % XVCPU_DEBUG_PORT_LOG_SIZE];
	pthread_mutex_unlock(&d->lock);
}

const char *devices_port_name(uint16_t port)
{
	static const char *const com1[8] = {
		"COM1 data", "COM1 IER", "COM1 IIR/FCR", "COM1 LCR",
		"COM1 MCR", "COM1 LSR", "COM1 MSR", "COM1 SCR",
	};

	if (port >= COM1_BASE && port < COM1_BASE + 8)
		return com1[port - COM1_BASE];
	if (port == POST_PORT)
		return "boot progress";
	return "open bus";
}
