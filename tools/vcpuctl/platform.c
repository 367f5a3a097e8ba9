// SPDX-License-Identifier: GPL-2.0
/*
 * The PC that `vcpuctl boot` builds around one vCPU: the port map, the
 * clock the timers count from, and what stops the machine. Ports no
 * device claims are an open bus: reads all ones, writes vanish; for the
 * i8042 at 0x60/0x64 that reads as "no controller" to Linux, and only
 * its reset pulse (0xfe to 0x64) is honoured.
 */
#include <string.h>
#include <time.h>

#include "platform.h"

#define I8042_CMD	0x64
#define I8042_RESET	0xfe

const char *platform_port_name(uint16_t port)
{
	switch (port) {
	case 0x20: case 0x21:
		return "PIC master";
	case 0xa0: case 0xa1:
		return "PIC slave";
	case 0x4d0: case 0x4d1:
		return "PIC ELCR";
	case 0x40:
		return "PIT ch 0";
	case 0x41:
		return "PIT ch 1";
	case 0x42:
		return "PIT ch 2";
	case 0x43:
		return "PIT control";
	case 0x61:
		return "port B (PIT ch 2 gate)";
	case 0x70:
		return "RTC index";
	case 0x71:
		return "RTC data";
	case 0x60: case I8042_CMD:
		return "i8042 (absent)";
	case 0xcf8 ... 0xcfb:
		return port == 0xcf9 ? "PCI reset control" : "PCI address";
	case 0xcfc ... 0xcff:
		return "PCI data";
	}
	return devices_port_name(port);
}

uint64_t platform_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int platform_init(struct platform *pl, FILE *console, struct devices *latch)
{
	pthread_condattr_t attr;
	int r;

	memset(pl, 0, sizeof(*pl));
	r = pthread_mutex_init(&pl->lock, NULL);
	if (r)
		return -r;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	r = pthread_cond_init(&pl->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (r) {
		pthread_mutex_destroy(&pl->lock);
		return -r;
	}
	pic_init(&pl->pic);
	pit_init(&pl->pit);
	uart_init(&pl->uart, console, &pl->pic, 4);
	rtc_init(&pl->rtc);
	pl->latch = latch;
	return 0;
}

void platform_destroy(struct platform *pl)
{
	pthread_cond_destroy(&pl->wake);
	pthread_mutex_destroy(&pl->lock);
}

static void reset(struct platform *pl, const char *why)
{
	if (pl->stop == PLATFORM_RUNNING) {
		pl->stop = PLATFORM_RESET;
		pl->stop_why = why;
	}
}

/* One byte-wide access; @port is where it lands. */
static void pio_byte(struct platform *pl, uint16_t port, bool out,
		     uint8_t *val, uint64_t now)
{
	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1: case 0x4d0: case 0x4d1:
		pic_pio(&pl->pic, port, out, val);
		return;
	case 0x40: case 0x41: case 0x42: case 0x43: case 0x61:
		pit_pio(&pl->pit, port, out, val, now);
		return;
	case 0x70: case 0x71:
		rtc_pio(&pl->rtc, port, out, val, time(NULL));
		return;
	case COM1_BASE ... COM1_BASE + 7:
		uart_pio(&pl->uart, port - COM1_BASE, out, val);
		return;
	case I8042_CMD:
		if (out && *val == I8042_RESET)
			reset(pl, "i8042 reset line (0xfe to port 0x64)");
		break;
	}
	if (!out)
		*val = 0xff;
}

void platform_pio(struct platform *pl, unsigned int vcpu, uint16_t port,
		  bool out, unsigned int size, unsigned int count,
		  uint8_t *data)
{
	uint64_t now = platform_now();
	unsigned int i, b;

	if (port == POST_PORT) {
		devices_pio(pl->latch, vcpu, port, out, size, count, data);
		return;
	}
	for (i = 0; i < count; i++, data += size) {
		if (port >= 0xcf8 && port <= 0xcff) {
			pci_pio(&pl->pci, port, out, size, data);
			if (pl->pci.reset)
				reset(pl, "reset control register (port 0xcf9)");
			continue;
		}
		/* Wider accesses reach port, port + 1, ... as on ISA. */
		for (b = 0; b < size; b++)
			pio_byte(pl, port + b, out, data + b, now);
	}
}

uint64_t platform_poll(struct platform *pl)
{
	return pit_poll(&pl->pit, &pl->pic, platform_now());
}
