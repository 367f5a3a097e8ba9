// SPDX-License-Identifier: GPL-2.0
/*
 * The i8259A pair of a PC: master at 0x20, slave at 0xa0 cascaded on
 * the master's IRQ 2, as the 8259A datasheet and KVM's and QEMU's models
 * have it: ICW1-4 initialisation, IMR, specific and non-specific EOI,
 * rotation, auto-EOI, poll mode, special mask, IRR/ISR reads (OCW3) and
 * the ELCR (0x4d0/0x4d1). Edge-triggered lines latch into IRR on a rising
 * edge; lines set level-triggered in the ELCR stay requested while high.
 */
#include <string.h>

#include "platform.h"

static void chip_reset(struct pic_chip *c)
{
	uint8_t elcr = c->elcr, mask = c->elcr_mask;
	bool master = c->master;

	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->elcr_mask = mask;
	c->master = master;
}

void pic_init(struct pic *p)
{
	memset(p, 0, sizeof(*p));
	p->chip[0].master = true;
	/* IRQ 0, 1, 2 (master) and 8, 13 (slave) are edge only. */
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
	chip_reset(&p->chip[0]);
	chip_reset(&p->chip[1]);
}

/* The priority (0 highest) of the best bit in @mask, 8 if none. */
static int priority(const struct pic_chip *c, uint8_t mask)
{
	int pr = 0;

	if (!mask)
		return 8;
	while (!(mask & (1 << ((pr + c->priority_add) & 7))))
		pr++;
	return pr;
}

/* The IRQ (0-7) this chip would raise now, or -1. */
static int chip_irq(const struct pic_chip *c)
{
	uint8_t mask;
	int pr, cur;

	pr = priority(c, c->irr & ~c->imr);
	if (pr == 8)
		return -1;
	mask = c->isr;
	if (c->special_mask)
		mask &= ~c->imr;
	/* Fully nested: the slave may interrupt its own service. */
	if (c->sfnm && c->master)
		mask &= ~(1 << 2);
	cur = priority(c, mask);
	return pr < cur ? (pr + c->priority_add) & 7 : -1;
}

static void chip_set(struct pic_chip *c, unsigned int irq, bool level)
{
	uint8_t bit = 1 << irq;

	if (c->elcr & bit) {
		if (level) {
			c->irr |= bit;
			c->last_irr |= bit;
		} else {
			c->irr &= ~bit;
			c->last_irr &= ~bit;
		}
		return;
	}
	if (level) {
		if (!(c->last_irr & bit))
			c->irr |= bit;
		c->last_irr |= bit;
	} else {
		c->last_irr &= ~bit;
	}
}

/* The slave's output is the master's IRQ 2 line. */
static void update(struct pic *p)
{
	chip_set(&p->chip[0], 2, chip_irq(&p->chip[1]) >= 0);
}

void pic_set_irq(struct pic *p, unsigned int irq, bool level)
{
	if (irq > 15)
		return;
	chip_set(&p->chip[irq >> 3], irq & 7, level);
	update(p);
}

bool pic_intr(struct pic *p)
{
	return chip_irq(&p->chip[0]) >= 0;
}

static void intack(struct pic_chip *c, int irq)
{
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (irq + 1) & 7;
	} else {
		c->isr |= 1 << irq;
	}
	/* An edge request is consumed; a level one stays while high. */
	if (!(c->elcr & (1 << irq)))
		c->irr &= ~(1 << irq);
}

uint8_t pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_irq(m), irq2;
	uint8_t vector;

	if (irq < 0) {
		/* The request went away before INTA: spurious IRQ 7. */
		vector = m->irq_base + 7;
	} else {
		intack(m, irq);
		if (irq == 2) {
			irq2 = chip_irq(s);
			if (irq2 >= 0)
				intack(s, irq2);
			else
				irq2 = 7;	/* spurious IRQ 15 */
			vector = s->irq_base + irq2;
		} else {
			vector = m->irq_base + irq;
		}
	}
	update(p);
	return vector;
}

static void eoi(struct pic_chip *c, int irq, bool rotate)
{
	c->isr &= ~(1 << irq);
	if (rotate)
		c->priority_add = (irq + 1) & 7;
}

static void chip_write(struct pic_chip *c, unsigned int a0, uint8_t val)
{
	int pr;

	if (!a0) {
		if (val & 0x10) {		/* ICW1 */
			chip_reset(c);
			c->init_state = 1;
			c->init4 = val & 1;
			c->single = val & 2;
		} else if (val & 0x08) {	/* OCW3 */
			if (val & 0x04)
				c->poll = true;
			if (val & 0x02)
				c->read_isr = val & 1;
			if (val & 0x40)
				c->special_mask = (val >> 5) & 1;
		} else {			/* OCW2 */
			switch (val >> 5) {
			case 0:			/* rotate in auto-EOI off */
			case 4:			/* ... on */
				c->rotate_on_auto_eoi = val >> 7;
				break;
			case 1:			/* non-specific EOI */
			case 5:			/* ... and rotate */
				pr = priority(c, c->isr);
				if (pr != 8)
					eoi(c, (pr + c->priority_add) & 7,
					    val >> 7);
				break;
			case 3:			/* specific EOI */
				eoi(c, val & 7, false);
				break;
			case 6:			/* set priority */
				c->priority_add = (val + 1) & 7;
				break;
			case 7:			/* specific EOI and rotate */
				eoi(c, val & 7, true);
				break;
			default:		/* 2: no operation */
				break;
			}
		}
		return;
	}
	switch (c->init_state) {
	case 0:					/* OCW1 */
		c->imr = val;
		break;
	case 1:					/* ICW2 */
		c->irq_base = val & 0xf8;
		c->init_state = c->single ? (c->init4 ? 3 : 0) : 2;
		break;
	case 2:					/* ICW3 */
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3:					/* ICW4 */
		c->sfnm = (val >> 4) & 1;
		c->auto_eoi = (val >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

static uint8_t chip_read(struct pic_chip *c, unsigned int a0)
{
	int irq;

	if (c->poll) {
		c->poll = false;
		irq = chip_irq(c);
		if (irq < 0)
			return 0;
		intack(c, irq);
		return 0x80 | irq;
	}
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void pic_pio(struct pic *p, uint16_t port, bool out, uint8_t *val)
{
	struct pic_chip *c;

	if (port == 0x4d0 || port == 0x4d1) {
		c = &p->chip[port & 1];
		if (out)
			c->elcr = *val & c->elcr_mask;
		else
			*val = c->elcr;
		update(p);
		return;
	}
	c = &p->chip[port >= 0xa0];
	if (out)
		chip_write(c, port & 1, *val);
	else
		*val = chip_read(c, port & 1);
	update(p);
}
