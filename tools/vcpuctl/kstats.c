// SPDX-License-Identifier: GPL-2.0
/*
 * Binary stats fd reader (kstats.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/xvcpu.h>

#include "kstats.h"

int kstats_parse(kstats_read_fn rd, void *ctx, struct kstats *ks)
{
	struct xvcpu_stats_header h;
	size_t dsz;
	char *d = NULL;
	unsigned int i;
	int r = -EIO;

	memset(ks, 0, sizeof(*ks));
	if (rd(ctx, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return -EIO;
	if (!h.name_size || h.name_size > 4096 || h.num_desc > 65536)
		return -EINVAL;
	dsz = sizeof(struct xvcpu_stats_desc) + h.name_size;
	ks->id = calloc(1, h.name_size + 1);
	ks->s = calloc(h.num_desc ? h.num_desc : 1, sizeof(*ks->s));
	d = malloc(dsz * (h.num_desc ? h.num_desc : 1));
	if (!ks->id || !ks->s || !d) {
		r = -ENOMEM;
		goto fail;
	}
	if (rd(ctx, ks->id, h.name_size, h.id_offset) != (ssize_t)h.name_size ||
	    rd(ctx, d, dsz * h.num_desc, h.desc_offset) !=
	    (ssize_t)(dsz * h.num_desc))
		goto fail;
	for (i = 0; i < h.num_desc; i++) {
		const struct xvcpu_stats_desc *sd = (void *)(d + i * dsz);
		struct kstat *s = &ks->s[i];
		size_t len = (size_t)sd->size * sizeof(uint64_t);

		s->name = strndup(sd->name, h.name_size);
		s->flags = sd->flags;
		s->exponent = sd->exponent;
		s->size = sd->size;
		s->val = calloc(sd->size ? sd->size : 1, sizeof(uint64_t));
		ks->n = i + 1;
		if (!s->name || !s->val) {
			r = -ENOMEM;
			goto fail;
		}
		if (rd(ctx, s->val, len, (off_t)h.data_offset + sd->offset) !=
		    (ssize_t)len)
			goto fail;
	}
	free(d);
	return 0;
fail:
	free(d);
	kstats_free(ks);
	return r;
}

static ssize_t fd_read(void *ctx, void *buf, size_t len, off_t off)
{
	return pread(*(int *)ctx, buf, len, off);
}

int kstats_read_fd(int fd, struct kstats *ks)
{
	return kstats_parse(fd_read, &fd, ks);
}

void kstats_free(struct kstats *ks)
{
	unsigned int i;

	for (i = 0; ks->s && i < ks->n; i++) {
		free(ks->s[i].name);
		free(ks->s[i].val);
	}
	free(ks->s);
	free(ks->id);
	memset(ks, 0, sizeof(*ks));
}

const struct kstat *kstats_find(const struct kstats *ks, const char *name)
{
	unsigned int i;

	for (i = 0; i < ks->n; i++)
		if (!strcmp(ks->s[i].name, name))
			return &ks->s[i];
	return NULL;
}

void kstats_add(struct kstats *into, const struct kstats *from)
{
	unsigned int i, j;

	for (i = 0; i < into->n; i++) {
		const struct kstat *f = kstats_find(from, into->s[i].name);

		if (!f || f->size != into->s[i].size)
			continue;
		for (j = 0; j < f->size; j++)
			into->s[i].val[j] += f->val[j];
	}
}

static int by_count(const void *a, const void *b)
{
	const struct kstat *x = *(const struct kstat *const *)a;
	const struct kstat *y = *(const struct kstat *const *)b;

	if (x->val[0] != y->val[0])
		return x->val[0] < y->val[0] ? 1 : -1;
	return strcmp(x->name, y->name);
}

void kstats_print_reasons(FILE *f, const struct kstats *ks)
{
	const struct kstat **rows;
	unsigned int i, n = 0;

	rows = calloc(ks->n ? ks->n : 1, sizeof(*rows));
	if (!rows)
		return;
	for (i = 0; i < ks->n; i++)
		if (!strncmp(ks->s[i].name, "exits_", 6) &&
		    ks->s[i].size == 1 && ks->s[i].val[0])
			rows[n++] = &ks->s[i];
	if (n) {
		qsort(rows, n, sizeof(*rows), by_count);
		fprintf(f, "  %-32s %12s %12s\n",
			"VM exits by reason (stats fd)", "count", "avg ns");
	}
	for (i = 0; i < n; i++) {
		char sum_name[160];
		const struct kstat *sum;

		snprintf(sum_name, sizeof(sum_name), "exit_ns_sum_%s",
			 rows[i]->name + 6);
		sum = kstats_find(ks, sum_name);
		fprintf(f, "    %-30s %12llu", rows[i]->name + 6,
			(unsigned long long)rows[i]->val[0]);
		if (sum)
			fprintf(f, " %12llu",
				(unsigned long long)(sum->val[0] / rows[i]->val[0]));
		fputc('\n', f);
	}
	free(rows);
}
