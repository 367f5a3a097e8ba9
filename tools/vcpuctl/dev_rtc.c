// SPDX-License-Identifier: GPL-2.0
/*
 * The MC146818 CMOS RTC at 0x70 (index; bit 7 masks NMI on a PC) and
 * 0x71 (data). The clock registers read the host's wall clock (UTC)
 * plus an offset the guest sets by writing them while register B's SET
 * bit is on, in BCD or binary and 12- or 24-hour format as register B
 * says. The update cycle is instantaneous (UIP reads 0), register D
 * reports valid RAM and time. Not implemented: the periodic, alarm and
 * update-ended interrupts (IRQ 8 never fires; Linux's rtc-cmos and its
 * clock reads do not need it). The other bytes are plain CMOS memory.
 */
#include <string.h>
#include <time.h>

#include "platform.h"

#define SEC	0x00
#define MIN	0x02
#define HOUR	0x04
#define WDAY	0x06
#define MDAY	0x07
#define MON	0x08
#define YEAR	0x09
#define REG_A	0x0a
#define REG_B	0x0b
#define REG_C	0x0c
#define REG_D	0x0d
#define CENTURY	0x32

#define B_SET	0x80
#define B_DM	0x04	/* binary, else BCD */
#define B_24H	0x02

void rtc_init(struct rtc *r)
{
	memset(r, 0, sizeof(*r));
	r->cmos[REG_A] = 0x26;		/* 32.768 kHz, 1024 Hz rate */
	r->cmos[REG_B] = B_24H;		/* BCD, 24-hour */
	r->cmos[REG_D] = 0x80;		/* valid RAM and time */
}

static bool is_clock(uint8_t i)
{
	return i <= YEAR || i == CENTURY;
}

static uint8_t to_reg(const struct rtc *r, unsigned int v)
{
	return r->cmos[REG_B] & B_DM ? v : ((v / 10) << 4) | (v % 10);
}

static unsigned int from_reg(const struct rtc *r, uint8_t v)
{
	return r->cmos[REG_B] & B_DM ? v : (v >> 4) * 10 + (v & 0xf);
}

static uint8_t hour_reg(const struct rtc *r, unsigned int h)
{
	bool pm = h >= 12;

	if (r->cmos[REG_B] & B_24H)
		return to_reg(r, h);
	h %= 12;
	return to_reg(r, h ? h : 12) | (pm ? 0x80 : 0);
}

static unsigned int hour_of(const struct rtc *r, uint8_t v)
{
	unsigned int h;

	if (r->cmos[REG_B] & B_24H)
		return from_reg(r, v);
	h = from_reg(r, v & 0x7f) % 12;
	return (v & 0x80) ? h + 12 : h;
}

/* The clock registers from the guest's time. */
static void latch_time(struct rtc *r, int64_t host_time)
{
	time_t t = host_time + r->offset;
	struct tm tm;

	gmtime_r(&t, &tm);
	r->cmos[SEC] = to_reg(r, tm.tm_sec);
	r->cmos[MIN] = to_reg(r, tm.tm_min);
	r->cmos[HOUR] = hour_reg(r, tm.tm_hour);
	r->cmos[WDAY] = to_reg(r, tm.tm_wday + 1);
	r->cmos[MDAY] = to_reg(r, tm.tm_mday);
	r->cmos[MON] = to_reg(r, tm.tm_mon + 1);
	r->cmos[YEAR] = to_reg(r, tm.tm_year % 100);
	r->cmos[CENTURY] = to_reg(r, (tm.tm_year + 1900) / 100);
}

/* SET cleared: the time the guest wrote becomes the offset. */
static void set_time(struct rtc *r, int64_t host_time)
{
	struct tm tm = {
		.tm_sec = from_reg(r, r->cmos[SEC]),
		.tm_min = from_reg(r, r->cmos[MIN]),
		.tm_hour = hour_of(r, r->cmos[HOUR]),
		.tm_mday = from_reg(r, r->cmos[MDAY]),
		.tm_mon = from_reg(r, r->cmos[MON]) - 1,
		.tm_year = from_reg(r, r->cmos[CENTURY]) * 100 +
			   from_reg(r, r->cmos[YEAR]) - 1900,
	};

	r->offset = (int64_t)timegm(&tm) - host_time;
}

void rtc_pio(struct rtc *r, uint16_t port, bool out, uint8_t *val,
	     int64_t host_time)
{
	uint8_t i = r->index;

	if (port == 0x70) {
		if (out)
			r->index = *val & 0x7f;
		else
			*val = 0xff;	/* write-only on a PC */
		return;
	}
	if (!out) {
		if (is_clock(i) && !(r->cmos[REG_B] & B_SET))
			latch_time(r, host_time);
		*val = r->cmos[i];
		if (i == REG_C)
			r->cmos[REG_C] = 0;
		return;
	}
	switch (i) {
	case REG_A:
		r->cmos[i] = *val & 0x7f;	/* UIP is read-only */
		break;
	case REG_B:
		if (!(r->cmos[REG_B] & B_SET) && (*val & B_SET))
			latch_time(r, host_time);
		if ((r->cmos[REG_B] & B_SET) && !(*val & B_SET)) {
			r->cmos[REG_B] = *val;
			set_time(r, host_time);
		}
		r->cmos[REG_B] = *val;
		break;
	case REG_C:
	case REG_D:
		break;			/* read-only */
	default:
		r->cmos[i] = *val;
		break;
	}
}
