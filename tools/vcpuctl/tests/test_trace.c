// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the trace file (tracefile.c) and the duration
 * histograms (hist.c): write/read round trip, the per-CPU index and the
 * time-ordered merge, every kind of corrupt file (and a byte-flipping
 * fuzz of the reader), and percentiles against an exact computation;
 * the [ADDR:]PORT of `metrics --listen`.
 * KTAP on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "hist.h"
#include "metrics_http.h"
#include "tracefile.h"
#include "unit.h"
#include "vcpuctl.h"

/* A trace file in memory (memfd), as `vcpuctl record` would write it. */
static uint8_t *make_file(size_t *len, bool with_end)
{
	static const char info[] = "kernel=6.1.0-test\ncpu_model=Test CPU\nclock=CLOCK_MONOTONIC\n";
	static const char fmt[] = "name: xvcpu_exit\nID: 7\nformat:\n";
	struct xvt_cpu_total tot[2] = { { 3, 5 }, { 2, 0 } };
	struct xvt_writer w;
	uint8_t raw[12] = { 7, 0 };
	uint8_t *buf;
	int fd = memfd_create("trace", 0);
	off_t end;

	if (fd < 0)
		return NULL;
	xvt_writer_init(&w, fd, 0);
	xvt_write_info(&w, info, sizeof(info) - 1);
	xvt_write_format(&w, "xvcpu", fmt, sizeof(fmt) - 1);
	/* Two CPUs, each in time order, interleaved in chunks. */
	raw[8] = 1;
	xvt_write_sample(&w, 100, 0, raw, sizeof(raw));
	raw[8] = 2;
	xvt_write_sample(&w, 300, 0, raw, sizeof(raw));
	xvt_write_lost(&w, 350, 0, 5);
	raw[8] = 3;
	xvt_write_sample(&w, 200, 1, raw, 5);
	raw[8] = 4;
	xvt_write_sample(&w, 400, 1, raw, sizeof(raw));
	raw[8] = 5;
	xvt_write_sample(&w, 500, 0, raw, sizeof(raw));
	if (with_end)
		xvt_write_end(&w, 600, 2, tot);
	if (xvt_writer_finish(&w))
		return NULL;
	end = lseek(fd, 0, SEEK_END);
	buf = malloc(end);
	if (pread(fd, buf, end, 0) != end)
		return NULL;
	close(fd);
	*len = end;
	return buf;
}

UNIT_TEST(trace_file_round_trip)
{
	struct xvt_file f;
	struct xvt_merge m;
	struct xvt_view v;
	uint64_t times[8], bad;
	uint32_t cpus[8];
	const char *why;
	char buf[64];
	size_t len;
	uint8_t *b = make_file(&len, true);
	int n = 0;

	EXPECT(b);
	if (!b)
		return;
	EXPECT_EQ(len % 8, 0);
	EXPECT_EQ(xvt_open_mem(&f, b, len), 0);
	EXPECT_EQ(xvt_scan(&f, &why, &bad), 0);
	EXPECT_EQ(f.nsamples, 5);
	EXPECT_EQ(f.nlost_recs, 1);
	EXPECT_EQ(f.ncpus, 2);
	EXPECT_EQ(f.cpu_lost[0], 5);
	EXPECT(f.has_end);
	EXPECT_EQ(f.end->ncpus, 2);
	EXPECT_EQ(((const struct xvt_cpu_total *)(f.end + 1))[0].lost, 5);
	EXPECT_STREQ(xvt_info(&f, "kernel", buf, sizeof(buf)), "6.1.0-test");
	EXPECT_STREQ(xvt_info(&f, "cpu_model", buf, sizeof(buf)), "Test CPU");
	EXPECT_STREQ(xvt_info(&f, "nosuch", buf, sizeof(buf)), "");
	EXPECT_EQ(xvt_merge_init(&m, &f), 0);
	while (n < 8 && xvt_merge_next(&m, &v)) {
		times[n] = v.time;
		cpus[n] = v.cpu;
		if (v.type == XVT_SAMPLE && v.time == 200)
			EXPECT_EQ(v.raw_size, 5);
		if (v.type == XVT_SAMPLE)
			EXPECT_EQ(v.raw[8], v.time == 200 ? 3 : v.time / 100 == 1 ? 1 :
				  v.time == 300 ? 2 : v.time == 400 ? 4 : 5);
		n++;
	}
	EXPECT_EQ(n, 6);
	EXPECT_EQ(times[0], 100);
	EXPECT_EQ(times[1], 200);
	EXPECT_EQ(cpus[1], 1);
	EXPECT_EQ(times[2], 300);
	EXPECT_EQ(times[3], 350);
	EXPECT_EQ(times[4], 400);
	EXPECT_EQ(times[5], 500);
	xvt_merge_free(&m);
	xvt_close(&f);
	free(b);
}

UNIT_TEST(trace_file_rejects_bad_headers)
{
	struct xvt_file f;
	size_t len;
	uint8_t *b = make_file(&len, true);
	struct xvt_header *h = (void *)b;

	if (!b)
		return;
	EXPECT_EQ(xvt_open_mem(&f, b, 4), -EPROTO);
	EXPECT_EQ(xvt_open_mem(&f, b, 40), -EBADMSG);
	h->magic[0] = 'Y';
	EXPECT_EQ(xvt_open_mem(&f, b, len), -EPROTO);
	h->magic[0] = 'X';
	h->version = 2;
	EXPECT_EQ(xvt_open_mem(&f, b, len), -EPROTONOSUPPORT);
	h->version = XVT_VERSION;
	h->header_size = 72;
	EXPECT_EQ(xvt_open_mem(&f, b, len), -EBADMSG);
	h->header_size = sizeof(*h);
	h->reserved[2] = 1;
	EXPECT_EQ(xvt_open_mem(&f, b, len), -EBADMSG);
	h->reserved[2] = 0;
	EXPECT_EQ(xvt_open_mem(&f, b, len), 0);
	free(b);
}

/* Scan @len bytes of @b: the error, or 0. */
static int scan(const uint8_t *b, size_t len, const char **why, bool *end)
{
	struct xvt_file f;
	uint64_t bad;
	int err = xvt_open_mem(&f, b, len);

	if (!err)
		err = xvt_scan(&f, why, &bad);
	*end = f.has_end;
	xvt_close(&f);
	return err;
}

UNIT_TEST(trace_file_truncated_anywhere)
{
	size_t len, cut, whole = 0;
	uint8_t *b = make_file(&len, true);
	const char *why;
	bool end;

	if (!b)
		return;
	for (cut = 64; cut < len; cut++) {
		int err = scan(b, cut, &why, &end);

		/* Cut between records: readable, but no END. */
		if (!err) {
			EXPECT(!end);
			whole++;
		} else {
			EXPECT_EQ(err, -EBADMSG);
			EXPECT(why != NULL);
		}
	}
	/* A clean cut at the header end and after each of the 8 records before END. */
	EXPECT_EQ(whole, 9);
	EXPECT_EQ(scan(b, len, &why, &end), 0);
	EXPECT(end);
	free(b);
}

UNIT_TEST(trace_file_corrupt_records)
{
	size_t len;
	uint8_t *b = make_file(&len, true);
	struct xvt_rec *info = (void *)(b + 64);
	struct xvt_sample *s;
	const char *why;
	bool end;
	uint32_t size;

	if (!b)
		return;
	size = info->size;
	info->size = 12;
	EXPECT_EQ(scan(b, len, &why, &end), -EBADMSG);
	EXPECT_STREQ(why, "bad record size");
	info->size = 0x7fffff8;
	EXPECT_EQ(scan(b, len, &why, &end), -EBADMSG);
	info->size = size;
	info->type = 99;
	EXPECT_EQ(scan(b, len, &why, &end), -EBADMSG);
	EXPECT_STREQ(why, "unknown record type");
	info->type = XVT_INFO;
	/* The first sample: after INFO and FORMAT. */
	s = (void *)(b + 64 + info->size + ((struct xvt_rec *)(b + 64 + info->size))->size);
	EXPECT_EQ(s->h.type, XVT_SAMPLE);
	s->raw_size = 100;
	EXPECT_EQ(scan(b, len, &why, &end), -EBADMSG);
	EXPECT_STREQ(why, "bad sample size");
	s->raw_size = 12;
	s->cpu = XVT_MAX_CPUS;
	EXPECT_EQ(scan(b, len, &why, &end), -EBADMSG);
	EXPECT_STREQ(why, "bad sample CPU");
	s->cpu = 0;
	s->time = 1000;	/* after the CPU's next record */
	EXPECT_EQ(scan(b, len, &why, &end), -EBADMSG);
	EXPECT_STREQ(why, "a CPU's records out of time order");
	s->time = 100;
	EXPECT_EQ(scan(b, len, &why, &end), 0);
	free(b);
}

/* Random byte changes: the reader says "corrupt" or reads it, never crashes. */
UNIT_TEST(trace_file_fuzz)
{
	size_t len, i;
	uint8_t *b = make_file(&len, true), *c;
	unsigned int seed = 12345, ok = 0, bad = 0;
	const char *why;
	bool end;

	if (!b)
		return;
	c = malloc(len);
	for (i = 0; i < 20000; i++) {
		int k, flips = 1 + rand_r(&seed) % 4, err;

		memcpy(c, b, len);
		for (k = 0; k < flips; k++)
			c[rand_r(&seed) % len] = rand_r(&seed);
		err = scan(c, len - (rand_r(&seed) % 4 ? 0 : rand_r(&seed) % len),
			   &why, &end);
		if (err)
			bad++;
		else
			ok++;
		EXPECT(err == 0 || err == -EBADMSG || err == -EPROTO ||
		       err == -EPROTONOSUPPORT);
	}
	printf("# fuzz: 20000 mutated files, %u read, %u rejected\n", ok, bad);
	EXPECT(ok > 0 && bad > 0);
	free(c);
	free(b);
}

UNIT_TEST(trace_writer_reports_errors)
{
	struct xvt_writer w;
	int fd = open("/dev/full", O_WRONLY);
	uint8_t raw[8] = { 0 };

	EXPECT(fd >= 0);
	EXPECT_EQ(xvt_writer_init(&w, fd, 0), 0);
	EXPECT_EQ(xvt_write_sample(&w, 1, XVT_MAX_CPUS, raw, 8), -EINVAL);
	/* Sticky: the first error is what finish returns. */
	EXPECT_EQ(xvt_writer_finish(&w), -EINVAL);
	EXPECT_EQ(xvt_writer_init(&w, fd, 0), 0);
	EXPECT_EQ(xvt_write_sample(&w, 1, 0, raw, 8), 0);
	EXPECT_EQ(xvt_writer_finish(&w), -ENOSPC);
	close(fd);
}

/* ---- histograms --------------------------------------------------------- */

UNIT_TEST(hist_buckets_cover_every_value)
{
	uint64_t v;
	unsigned int i, prev = 0;

	for (i = 0; i < HIST_BUCKETS; i++)
		EXPECT_EQ(hist_bucket(hist_bucket_low(i)), i);
	EXPECT_EQ(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
	for (v = 1; v < (1ull << 40); v = v * 3 / 2 + 1) {
		unsigned int b = hist_bucket(v);

		EXPECT(b >= prev);
		EXPECT(hist_bucket_low(b) <= v);
		/* The middle stands for every value within 1/256. */
		EXPECT((double)llabs((int64_t)(hist_bucket_mid(b) - v)) <=
		       v / 128.0);
		prev = b;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Exact nearest-rank percentile of sorted @v. */
static uint64_t exact_pct(const uint64_t *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p * n / 100.0 - 1e-9);

	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

UNIT_TEST(hist_percentiles_within_one_percent)
{
	static const double ps[] = { 1, 50, 90, 99, 99.9, 100 };
	static const size_t sizes[] = { 1, 7, 1000, 200000 };
	unsigned int seed = 99, k, j;

	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		size_t n = sizes[k], i;
		uint64_t *v = malloc(n * sizeof(*v)), sum = 0;
		struct hist h = { 0 };

		for (i = 0; i < n; i++) {
			/* A long tail: mostly ~300 ns, some µs, a few ms. */
			uint64_t r = rand_r(&seed);

			v[i] = 200 + r % 200;
			if (r % 10 == 0)
				v[i] = 2000 + r % 50000;
			if (r % 997 == 0)
				v[i] = 1000000 + r % 9000000;
			sum += v[i];
			hist_add(&h, v[i]);
		}
		qsort(v, n, sizeof(*v), cmp_u64);
		EXPECT_EQ(h.count, n);
		EXPECT_EQ(h.sum, sum);
		EXPECT_EQ(h.min, v[0]);
		EXPECT_EQ(h.max, v[n - 1]);
		for (j = 0; j < ARRAY_SIZE(ps); j++) {
			uint64_t e = exact_pct(v, n, ps[j]);
			uint64_t got = hist_pct(&h, ps[j]);
			double err = fabs((double)got - (double)e) / (double)e;

			if (err > 0.01)
				printf("# n %zu p%g: %llu, exact %llu\n", n, ps[j],
				       (unsigned long long)got,
				       (unsigned long long)e);
			EXPECT(err <= 0.01);
		}
		hist_free(&h);
		free(v);
	}
}

UNIT_TEST(hist_empty_and_small_values_exact)
{
	struct hist h = { 0 };
	uint64_t i;

	EXPECT_EQ(hist_pct(&h, 50), 0);
	for (i = 0; i < 100; i++)
		hist_add(&h, i);
	EXPECT_EQ(hist_pct(&h, 50), 49);
	EXPECT_EQ(hist_pct(&h, 99), 98);
	EXPECT_EQ(hist_pct(&h, 100), 99);
	EXPECT_EQ(hist_pct(&h, 0.001), 0);
	hist_free(&h);
}

UNIT_TEST(metrics_listen_addresses)
{
	static const struct {
		const char *s;
		int err, family;
		const char *addr;
		unsigned int port;
	} t[] = {
		{ "9464", 0, AF_INET, "127.0.0.1", 9464 },
		{ ":9464", 0, AF_INET, "127.0.0.1", 9464 },
		{ "0", 0, AF_INET, "127.0.0.1", 0 },
		{ "0.0.0.0:80", 0, AF_INET, "0.0.0.0", 80 },
		{ "10.1.2.3:65535", 0, AF_INET, "10.1.2.3", 65535 },
		{ "[::1]:9464", 0, AF_INET6, "::1", 9464 },
		{ "[fe80::1:2]:1", 0, AF_INET6, "fe80::1:2", 1 },
		{ "65536", -ERANGE, 0, NULL, 0 },
		{ "127.0.0.1:", -ERANGE, 0, NULL, 0 },
		{ "127.0.0.1:-1", -ERANGE, 0, NULL, 0 },
		{ "127.0.0.1:80x", -ERANGE, 0, NULL, 0 },
		{ "", -ERANGE, 0, NULL, 0 },
		{ "localhost:80", -EINVAL, 0, NULL, 0 },
		{ "1.2.3:80", -EINVAL, 0, NULL, 0 },
		{ "::1:80", -EINVAL, 0, NULL, 0 },	/* IPv6 only in brackets */
		{ "[::1]", -EINVAL, 0, NULL, 0 },
		{ "[::1]80", -EINVAL, 0, NULL, 0 },
		{ "[1.2.3.4]:80", -EINVAL, 0, NULL, 0 },
		{ "[::zz]:80", -EINVAL, 0, NULL, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct sockaddr_storage ss;
		char a[INET6_ADDRSTRLEN] = "";
		unsigned int port = 0;
		socklen_t len = 0;
		int err = metrics_parse_listen(t[i].s, &ss, &len);

		if (err != t[i].err)
			printf("# '%s': %d, want %d\n", t[i].s, err, t[i].err);
		EXPECT_EQ(err, t[i].err);
		if (err)
			continue;
		EXPECT_EQ(ss.ss_family, t[i].family);
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
			port = ntohs(in->sin_port);
			EXPECT_EQ(len, sizeof(*in));
		} else {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
			port = ntohs(in6->sin6_port);
			EXPECT_EQ(len, sizeof(*in6));
		}
		EXPECT_STREQ(a, t[i].addr);
		EXPECT_EQ(port, t[i].port);
	}
}

int main(void)
{
	return unit_run("vcpuctl_trace");
}
