/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear histograms of nanosecond durations for `vcpuctl report`:
 * exact below 128, then 128 buckets per power of two, so a percentile
 * read back is within 1/256 (0.4%) of the exact nearest-rank value, in
 * fixed memory, at one add per sample.
 */
#ifndef VCPUCTL_HIST_H
#define VCPUCTL_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS	7
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_BUCKETS	(HIST_SUB + (64 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min, max;
	uint64_t *b;		/* HIST_BUCKETS, allocated on the first add */
};

unsigned int hist_bucket(uint64_t v);
/* Lowest value of bucket @i and the value it stands for (its middle). */
uint64_t hist_bucket_low(unsigned int i);
uint64_t hist_bucket_mid(unsigned int i);

/* 0 or -ENOMEM. */
int hist_add(struct hist *h, uint64_t v);
/* Nearest-rank percentile @p in (0, 100], clamped to [min, max]; 0 if empty. */
uint64_t hist_pct(const struct hist *h, double p);
void hist_free(struct hist *h);

#endif /* VCPUCTL_HIST_H */
