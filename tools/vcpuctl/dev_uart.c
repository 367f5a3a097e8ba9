// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART (COM1): transmit goes to the console FILE at once, so
 * the transmitter is always empty; receive comes from the console input
 * through a buffer (a real 16550A holds 16 bytes; the rest would wait in
 * the sending terminal). Interrupts as the datasheet has them, in
 * priority order: receiver line status (never raised: no errors),
 * received data, transmitter holding register empty, modem status
 * (never raised: the lines never change). The interrupt reaches the PIC
 * only with MCR.OUT2 set, as on a PC. Loopback (MCR bit 4) feeds
 * transmitted bytes back to the receiver. Linux's 8250 driver finds a
 * 16550A: IER keeps bits 0-3, FCR bit 0 sets IIR bits 6-7.
 */
#include <string.h>

#include "platform.h"

#define RBR 0
#define IER 1
#define IIR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IER_MSI		0x08
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_IDLE	0xb0	/* DCD, DSR, CTS */

static void update(struct uart *u)
{
	uint8_t iir = IIR_NO_INT;

	if ((u->ier & IER_RDI) && u->rx_count)
		iir = IIR_RDI;
	else if ((u->ier & IER_THRI) && u->thr_ipending)
		iir = IIR_THRI;
	if (u->fcr & FCR_ENABLE)
		iir |= IIR_FIFO;
	u->iir = iir;
	pic_set_irq(u->pic, u->irq,
		    !(iir & IIR_NO_INT) && (u->mcr & MCR_OUT2));
}

void uart_init(struct uart *u, FILE *out, struct pic *pic, unsigned int irq)
{
	memset(u, 0, sizeof(*u));
	u->out = out;
	u->pic = pic;
	u->irq = irq;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = MSR_IDLE;
	update(u);
}

static bool rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == UART_RX_BUF)
		return false;
	u->rx[(u->rx_head + u->rx_count++) % UART_RX_BUF] = c;
	return true;
}

size_t uart_input(struct uart *u, const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && rx_push(u, buf[i]); i++)
		;
	u->rx_bytes += i;
	update(u);
	return i;
}

static void transmit(struct uart *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		if (!rx_push(u, c))
			u->lsr |= LSR_OE;
	} else {
		fputc(c, u->out);
		if (c == '\n')
			fflush(u->out);
		u->tx_bytes++;
	}
	/* Sent at once: the line drops and rises again, a new edge. */
	u->thr_ipending = false;
	update(u);
	u->thr_ipending = true;
}

static void write_reg(struct uart *u, unsigned int off, uint8_t val)
{
	uint8_t changed;

	if ((u->lcr & LCR_DLAB) && off <= IER) {
		if (off == RBR)
			u->dll = val;
		else
			u->dlm = val;
		return;
	}
	switch (off) {
	case RBR:
		transmit(u, val);
		break;
	case IER:
		changed = (val & 0x0f) ^ u->ier;
		u->ier = val & 0x0f;
		/* Enabling THRI with the holder empty interrupts at once. */
		if ((changed & IER_THRI) && (u->ier & IER_THRI))
			u->thr_ipending = true;
		break;
	case IIR:				/* FCR */
		if (val & FCR_CLEAR_RX) {
			u->rx_count = 0;
			u->lsr &= ~LSR_OE;
		}
		u->fcr = val & 0xc9;
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		u->mcr = val & 0x1f;
		break;
	case SCR:
		u->scr = val;
		break;
	default:			/* LSR, MSR: factory test only */
		break;
	}
	update(u);
}

static uint8_t read_reg(struct uart *u, unsigned int off)
{
	uint8_t r;

	if ((u->lcr & LCR_DLAB) && off <= IER)
		return off == RBR ? u->dll : u->dlm;
	switch (off) {
	case RBR:
		r = 0;
		if (u->rx_count) {
			r = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_RX_BUF;
			u->rx_count--;
		}
		break;
	case IER:
		return u->ier;
	case IIR:
		r = u->iir;
		/* Reading IIR that reports THRE clears it. */
		if ((r & 0x0f) == IIR_THRI)
			u->thr_ipending = false;
		break;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		r = u->lsr | (u->rx_count ? LSR_DR : 0);
		u->lsr &= ~LSR_OE;
		return r;
	case MSR:
		if (u->mcr & MCR_LOOP)	/* DTR, RTS, OUT1, OUT2 looped */
			return ((u->mcr & 0x0c) << 4) |
			       ((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5);
		return u->msr;
	default:
		return u->scr;
	}
	update(u);
	return r;
}

void uart_pio(struct uart *u, unsigned int off, bool out, uint8_t *val)
{
	if (out)
		write_reg(u, off & 7, *val);
	else
		*val = read_reg(u, off & 7);
}
