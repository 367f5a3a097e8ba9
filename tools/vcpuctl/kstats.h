/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a binary stats fd (XVCPU_GET_STATS_FD, laid out as KVM's
 * KVM_GET_STATS_FD): pure parsing over a read callback, so host unit
 * tests can feed it a buffer. Names are taken from the descriptors, never
 * from a table of our own.
 */
#ifndef VCPUCTL_KSTATS_H
#define VCPUCTL_KSTATS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct kstat {
	char *name;
	uint32_t flags;		/* XVCPU_STATS_TYPE_*|UNIT_*|BASE_* */
	int16_t exponent;
	uint16_t size;		/* values */
	uint64_t *val;
};

struct kstats {
	char *id;
	unsigned int n;
	struct kstat *s;
};

/* pread-like: bytes read or -1. */
typedef ssize_t (*kstats_read_fn)(void *ctx, void *buf, size_t len,
				  off_t off);

/* 0, or -EINVAL for a malformed file, -ENOMEM, -EIO for a short read. */
int kstats_parse(kstats_read_fn rd, void *ctx, struct kstats *ks);
int kstats_read_fd(int fd, struct kstats *ks);
void kstats_free(struct kstats *ks);
/* The stat called @name, or NULL. */
const struct kstat *kstats_find(const struct kstats *ks, const char *name);
/*
 * Add @from's values into @into stat by stat (same names; stats only in
 * @from are ignored): the sum over several vCPUs.
 */
void kstats_add(struct kstats *into, const struct kstats *from);
/*
 * The VM exits the kernel counted per VMX reason (stats exits_<REASON>),
 * with the average handling time (exit_ns_sum_<REASON>), busiest first.
 * Prints nothing when there are no such stats (e.g. another backend).
 */
void kstats_print_reasons(FILE *f, const struct kstats *ks);

#endif /* VCPUCTL_KSTATS_H */
