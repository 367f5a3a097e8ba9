// SPDX-License-Identifier: GPL-2.0
/*
 * The i8254 PIT: three 16-bit counters at 1.193182 MHz, counted from
 * the host's CLOCK_MONOTONIC, never from a host tick, so a guest that
 * reads them sees real time pass at the right rate. Channel 0 drives
 * IRQ 0 (modes 0 and 4 once at terminal count, modes 2 and 3 every
 * period); channel 2's gate and output are bits 0 and 5 of port 0x61,
 * which Linux uses to calibrate the TSC. Modes, latch, read-back and
 * the LSB/MSB access states follow the 8254 datasheet (and QEMU's
 * model); BCD counting is not implemented (Linux never asks for it).
 */
#include <string.h>

#include "platform.h"

enum { RW_LATCH, RW_LSB, RW_MSB, RW_WORD0, RW_WORD1 };

void pit_init(struct pit *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 3; i++) {
		p->ch[i].count = 0x10000;
		p->ch[i].gate = i != 2;
		p->ch[i].rw_mode = RW_WORD0;
		p->ch[i].read_state = RW_WORD0;
		p->ch[i].write_state = RW_WORD0;
	}
}

static uint64_t ticks_since(const struct pit_channel *c, uint64_t now)
{
	if (now <= c->load_ns)
		return 0;
	return (uint64_t)((unsigned __int128)(now - c->load_ns) * PIT_HZ /
			  1000000000u);
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)((unsigned __int128)ticks * 1000000000u / PIT_HZ);
}

static uint16_t get_count(const struct pit_channel *c, uint64_t now)
{
	uint64_t d = ticks_since(c, now);

	if (!c->loaded)
		return 0;
	switch (c->mode) {
	case 0: case 1: case 4: case 5:
		return (c->count - d) & 0xffff;
	case 3:
		/* Counts down by two, twice per period. */
		return c->count - ((2 * d) % c->count);
	default:
		return c->count - (d % c->count);
	}
}

static bool get_out(const struct pit_channel *c, uint64_t now)
{
	uint64_t d = ticks_since(c, now);

	if (!c->loaded)
		return false;
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 1:
		return d < c->count;
	case 2:
		return d % c->count != 0 || d == 0;
	case 3:
		return d % c->count < (c->count + 1) / 2;
	default:
		return d != c->count;
	}
}

static void schedule(struct pit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t period = ticks_to_ns(c->count);

	p->period_ns = 0;
	p->next_irq_ns = 0;
	switch (c->mode) {
	case 0: case 4:
		p->next_irq_ns = now + period;
		break;
	case 2: case 3:
		p->period_ns = period ? period : 1;
		p->next_irq_ns = now + p->period_ns;
		break;
	default:		/* 1 and 5 start on a gate edge: never on 0 */
		break;
	}
}

static void load(struct pit *p, unsigned int ch, uint32_t val, uint64_t now)
{
	struct pit_channel *c = &p->ch[ch];

	c->count = val ? val : 0x10000;
	c->load_ns = now;
	c->loaded = true;
	if (ch == 0)
		schedule(p, now);
}

static void latch_count(struct pit_channel *c, uint64_t now)
{
	if (c->count_latched)
		return;
	c->latched_count = get_count(c, now);
	c->count_latched = c->rw_mode;
}

static void control(struct pit *p, uint8_t val, uint64_t now)
{
	unsigned int ch = val >> 6, access = (val >> 4) & 3, i;
	struct pit_channel *c;

	if (ch == 3) {				/* read-back */
		for (i = 0; i < 3; i++) {
			c = &p->ch[i];
			if (!(val & (2 << i)))
				continue;
			if (!(val & 0x20))
				latch_count(c, now);
			if (!(val & 0x10) && !c->status_latched) {
				c->status = (get_out(c, now) << 7) |
					    (c->rw_mode << 4) | (c->mode << 1);
				c->status_latched = true;
			}
		}
		return;
	}
	c = &p->ch[ch];
	if (!access) {
		latch_count(c, now);
		return;
	}
	c->rw_mode = access;
	c->read_state = access;
	c->write_state = access;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;		/* 6, 7 are 2, 3 */
	c->count_latched = 0;
	c->loaded = false;
	if (ch == 0) {
		p->next_irq_ns = 0;
		p->period_ns = 0;
	}
}

static uint8_t read_counter(struct pit_channel *c, uint64_t now)
{
	uint16_t count;
	uint8_t r;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		switch (c->count_latched) {
		case RW_LSB:
			c->count_latched = 0;
			return c->latched_count & 0xff;
		case RW_MSB:
			c->count_latched = 0;
			return c->latched_count >> 8;
		case RW_WORD0:
			c->count_latched = RW_MSB;
			return c->latched_count & 0xff;
		}
	}
	count = get_count(c, now);
	switch (c->read_state) {
	case RW_LSB:
		r = count & 0xff;
		break;
	case RW_MSB:
		r = count >> 8;
		break;
	case RW_WORD0:
		r = count & 0xff;
		c->read_state = RW_WORD1;
		break;
	default:
		r = count >> 8;
		c->read_state = RW_WORD0;
		break;
	}
	return r;
}

static void write_counter(struct pit *p, unsigned int ch, uint8_t val,
			  uint64_t now)
{
	struct pit_channel *c = &p->ch[ch];

	switch (c->write_state) {
	case RW_LSB:
		load(p, ch, val, now);
		break;
	case RW_MSB:
		load(p, ch, val << 8, now);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		break;
	default:
		load(p, ch, c->write_latch | (val << 8), now);
		c->write_state = RW_WORD0;
		break;
	}
}

void pit_pio(struct pit *p, uint16_t port, bool out, uint8_t *val,
	     uint64_t now)
{
	struct pit_channel *c2 = &p->ch[2];

	if (port == 0x61) {
		if (!out) {
			/* Bit 4 toggles with the DRAM refresh, every 15 us. */
			*val = (p->port_b & 3) | (get_out(c2, now) << 5) |
			       (((now / 15085) & 1) << 4);
			return;
		}
		/* A rising gate restarts modes 1, 2, 3 and 5. */
		if ((*val & 1) && !c2->gate && c2->loaded && c2->mode != 0 &&
		    c2->mode != 4)
			c2->load_ns = now;
		c2->gate = *val & 1;
		p->port_b = *val & 3;
		return;
	}
	if (port == 0x43) {
		if (out)
			control(p, *val, now);
		else
			*val = 0xff;	/* write-only */
		return;
	}
	if (out)
		write_counter(p, port - 0x40, *val, now);
	else
		*val = read_counter(&p->ch[port - 0x40], now);
}

uint64_t pit_poll(struct pit *p, struct pic *pic, uint64_t now)
{
	uint64_t late;

	if (!p->next_irq_ns || now < p->next_irq_ns)
		return p->next_irq_ns;
	pic_set_irq(pic, 0, true);
	pic_set_irq(pic, 0, false);
	p->irqs++;
	if (!p->period_ns) {
		p->next_irq_ns = 0;
		return 0;
	}
	/* Ticks that passed unseen are lost, as on a busy real PIC. */
	late = (now - p->next_irq_ns) / p->period_ns;
	p->missed += late;
	p->next_irq_ns += (late + 1) * p->period_ns;
	return p->next_irq_ns;
}
