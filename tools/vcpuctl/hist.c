// SPDX-License-Identifier: GPL-2.0
/* Log-linear duration histograms (hist.h). Pure code, unit tested. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "hist.h"

unsigned int hist_bucket(uint64_t v)
{
	unsigned int e;

	if (v < HIST_SUB)
		return v;
	e = 63 - __builtin_clzll(v);
	return HIST_SUB + (e - HIST_SUB_BITS) * HIST_SUB +
	       (unsigned int)((v >> (e - HIST_SUB_BITS)) - HIST_SUB);
}

uint64_t hist_bucket_low(unsigned int i)
{
	unsigned int e;

	if (i < HIST_SUB)
		return i;
	e = (i - HIST_SUB) / HIST_SUB + HIST_SUB_BITS;
	return (uint64_t)((i - HIST_SUB) % HIST_SUB + HIST_SUB)
	       << (e - HIST_SUB_BITS);
}

uint64_t hist_bucket_mid(unsigned int i)
{
	uint64_t width;

	if (i < HIST_SUB)
		return i;
	width = 1ull << ((i - HIST_SUB) / HIST_SUB);
	return hist_bucket_low(i) + (width - 1) / 2;
}

int hist_add(struct hist *h, uint64_t v)
{
	if (!h->b) {
		h->b = calloc(HIST_BUCKETS, sizeof(*h->b));
		if (!h->b)
			return -ENOMEM;
	}
	h->b[hist_bucket(v)]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	return 0;
}

uint64_t hist_pct(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	/* Nearest rank; the epsilon keeps 99.9% of 1000 at 999. */
	rank = (uint64_t)ceil(p * (double)h->count / 100.0 - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	v = hist_bucket_mid(i < HIST_BUCKETS ? i : HIST_BUCKETS - 1);
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

void hist_free(struct hist *h)
{
	free(h->b);
	h->b = NULL;
}
