/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC platform `vcpuctl boot` gives a Linux guest, in user space, one
 * file per device:
 *
 *   dev_pic.c   i8259 PIC pair (ports 0x20-0x21, 0xa0-0xa1, ELCR 0x4d0)
 *   dev_pit.c   i8254 PIT (0x40-0x43) and port B (0x61: channel 2 gate)
 *   dev_uart.c  16550A UART as COM1 (0x3f8-0x3ff, IRQ 4)
 *   dev_rtc.c   MC146818 CMOS RTC (0x70-0x71) reading the host's time
 *   dev_pci.c   PCI configuration mechanism #1 (0xcf8, 0xcfc-0xcff) with
 *               no devices, and the reset control register (0xcf9)
 *   platform.c  the port map, the interrupt line to the vCPU, the clock
 *
 * No device is thread safe on its own: the platform's lock covers them
 * all (the vCPU thread and the console input thread both take it).
 * Times are CLOCK_MONOTONIC nanoseconds.
 */
#ifndef VCPUCTL_PLATFORM_H
#define VCPUCTL_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devices.h"

/* ---- i8259 (dev_pic.c) --------------------------------------------- */

struct pic_chip {
	uint8_t irr, imr, isr;
	uint8_t last_irr;	/* line levels, for edge detection */
	uint8_t elcr, elcr_mask;
	uint8_t priority_add;	/* lowest-priority rotation */
	uint8_t irq_base;	/* ICW2 */
	uint8_t init_state;	/* 0 ready, 1-3 waiting for ICW2-4 */
	bool read_isr;		/* OCW3: port 0 reads ISR, else IRR */
	bool poll, special_mask, auto_eoi, rotate_on_auto_eoi;
	bool sfnm, init4, single;
	bool master;
};

struct pic {
	struct pic_chip chip[2];	/* master, slave (on IRQ 2) */
};

void pic_init(struct pic *p);
/* An ISA line (0-15) went to @level; edges latch into IRR. */
void pic_set_irq(struct pic *p, unsigned int irq, bool level);
/* The INTR output: an unmasked request above what is in service. */
bool pic_intr(struct pic *p);
/* The INTA cycle: the vector to deliver (spurious 7/15 if none). */
uint8_t pic_ack(struct pic *p);
void pic_pio(struct pic *p, uint16_t port, bool out, uint8_t *val);

/* ---- i8254 (dev_pit.c) --------------------------------------------- */

#define PIT_HZ		1193182ull

struct pit_channel {
	uint32_t count;		/* reload value, 1 .. 0x10000 */
	uint64_t load_ns;	/* when counting started */
	uint8_t mode, rw_mode, read_state, write_state, write_latch;
	uint16_t latched_count;
	uint8_t count_latched;	/* rw_mode of the pending latch, or 0 */
	uint8_t status;
	bool status_latched;
	bool gate;
	bool loaded;
};

struct pit {
	struct pit_channel ch[3];
	uint8_t port_b;		/* port 0x61 bits 0 (gate 2), 1 (speaker) */
	uint64_t next_irq_ns;	/* channel 0's next IRQ 0 edge, 0 = none */
	uint64_t period_ns;	/* modes 2 and 3, else 0 */
	uint64_t irqs;		/* IRQ 0 edges raised */
	uint64_t missed;	/* periods that passed without an edge */
};

void pit_init(struct pit *p);
void pit_pio(struct pit *p, uint16_t port, bool out, uint8_t *val,
	     uint64_t now);
/*
 * Raise IRQ 0 on @pic if channel 0 reached its deadline by @now.
 * Returns the next deadline (0 = none) for the host timer.
 */
uint64_t pit_poll(struct pit *p, struct pic *pic, uint64_t now);

/* ---- 16550A (dev_uart.c) ------------------------------------------- */

#define UART_RX_BUF	4096

struct uart {
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, fcr, dll, dlm;
	bool thr_ipending;	/* THR empty interrupt not yet read */
	uint8_t rx[UART_RX_BUF];
	size_t rx_head, rx_count;
	FILE *out;
	uint64_t tx_bytes, rx_bytes;
	struct pic *pic;
	unsigned int irq;
};

void uart_init(struct uart *u, FILE *out, struct pic *pic, unsigned int irq);
/* @off: 0-7 from the base port. */
void uart_pio(struct uart *u, unsigned int off, bool out, uint8_t *val);
/* Console input: bytes the guest can read. Returns how many fit. */
size_t uart_input(struct uart *u, const uint8_t *buf, size_t n);

/* ---- MC146818 (dev_rtc.c) ------------------------------------------ */

struct rtc {
	uint8_t index;
	uint8_t cmos[128];
	int64_t offset;		/* guest time - host time, seconds */
};

void rtc_init(struct rtc *r);
/* @host_time: the host's wall clock in seconds (time()). */
void rtc_pio(struct rtc *r, uint16_t port, bool out, uint8_t *val,
	     int64_t host_time);

/* ---- PCI configuration ports (dev_pci.c) --------------------------- */

struct pci {
	uint32_t address;	/* CONFIG_ADDRESS (0xcf8) */
	uint8_t reset_ctl;	/* 0xcf9 */
	bool reset;		/* the guest asked for a reset */
};

/* A port I/O of @size bytes at @port in 0xcf8-0xcff. */
void pci_pio(struct pci *p, uint16_t port, bool out, unsigned int size,
	     uint8_t *data);

/* ---- the machine (platform.c) -------------------------------------- */

enum platform_stop {
	PLATFORM_RUNNING,
	PLATFORM_RESET,		/* 0xcf9 or the i8042 reset line */
};

struct platform {
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* input arrived: a halted vCPU looks again */
	struct pic pic;
	struct pit pit;
	struct uart uart;
	struct rtc rtc;
	struct pci pci;
	struct devices *latch;	/* port 0x80, when it reaches user space */
	enum platform_stop stop;
	const char *stop_why;
};

/* What sits at @port on this platform ("PIC master", "PIT ch 0"...). */
const char *platform_port_name(uint16_t port);
/* Host-side clock of every device. */
uint64_t platform_now(void);
int platform_init(struct platform *pl, FILE *console, struct devices *latch);
void platform_destroy(struct platform *pl);
/* One port I/O exit (@count repetitions of @size bytes), lock held. */
void platform_pio(struct platform *pl, unsigned int vcpu, uint16_t port,
		  bool out, unsigned int size, unsigned int count,
		  uint8_t *data);
/*
 * Advance the timers to now, lock held. Returns the next deadline (ns,
 * 0 = none).
 */
uint64_t platform_poll(struct platform *pl);

#endif /* VCPUCTL_PLATFORM_H */
