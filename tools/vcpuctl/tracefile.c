// SPDX-License-Identifier: GPL-2.0
/*
 * The vcpuctl trace file: writer, checked reader, per-CPU index and the
 * time-ordered merge. Layout in tracefile.h and
 * Documentation/trace-file.rst. x86 only, so the file's little-endian
 * numbers are the host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefile.h"
#include "vcpuctl.h"

_Static_assert(sizeof(struct xvt_header) == 64, "header is 64 bytes");
_Static_assert(sizeof(struct xvt_sample) == 24, "sample header");
_Static_assert(sizeof(struct xvt_lost) == 32, "lost record");
_Static_assert(sizeof(struct xvt_end) == 24, "end record");

#define WBUF_SIZE	(1u << 20)

static inline uint32_t pad8(uint32_t n)
{
	return (n + 7) & ~7u;
}

static int w_flush(struct xvt_writer *w)
{
	size_t done = 0;

	while (!w->err && done < w->len) {
		ssize_t r = write(w->fd, w->buf + done, w->len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			w->err = r < 0 ? -errno : -EIO;
		else
			done += r;
	}
	w->len = 0;
	return w->err;
}

/* Room for @n bytes in the buffer, zeroed; NULL on error. */
static uint8_t *w_reserve(struct xvt_writer *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (n > w->cap) {
		w->err = -EINVAL;
		return NULL;
	}
	if (w->len + n > w->cap && w_flush(w))
		return NULL;
	p = w->buf + w->len;
	memset(p, 0, n);
	w->len += n;
	w->bytes += n;
	return p;
}

int xvt_writer_init(struct xvt_writer *w, int fd, uint64_t flags)
{
	struct xvt_header *h;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->cap = WBUF_SIZE;
	w->buf = malloc(w->cap);
	if (!w->buf)
		return -ENOMEM;
	h = (struct xvt_header *)w_reserve(w, sizeof(*h));
	memcpy(h->magic, XVT_MAGIC, sizeof(h->magic));
	h->version = XVT_VERSION;
	h->header_size = sizeof(*h);
	h->flags = flags;
	return 0;
}

static int write_text(struct xvt_writer *w, uint32_t type, const char *a,
		      size_t alen, const char *b, size_t blen)
{
	size_t size = sizeof(struct xvt_rec) + alen + blen;
	struct xvt_rec *r;
	uint8_t *p;

	if (size > XVT_REC_MAX)
		return w->err = -E2BIG;
	p = w_reserve(w, pad8(size));
	if (!p)
		return w->err;
	r = (struct xvt_rec *)p;
	r->type = type;
	r->size = pad8(size);
	memcpy(p + sizeof(*r), a, alen);
	memcpy(p + sizeof(*r) + alen, b, blen);
	return 0;
}

int xvt_write_info(struct xvt_writer *w, const char *text, size_t len)
{
	return write_text(w, XVT_INFO, text, len, "", 0);
}

int xvt_write_format(struct xvt_writer *w, const char *system,
		     const char *text, size_t len)
{
	char sys[64];
	int n = snprintf(sys, sizeof(sys), "%s\n", system);

	if (n <= 1 || n >= (int)sizeof(sys) || strchr(system, '\n'))
		return w->err = -EINVAL;
	return write_text(w, XVT_FORMAT, sys, n, text, len);
}

int xvt_write_sample(struct xvt_writer *w, uint64_t time, uint32_t cpu,
		     const void *raw, uint32_t raw_size)
{
	uint32_t size = sizeof(struct xvt_sample) + raw_size;
	struct xvt_sample *s;

	if (raw_size > XVT_REC_MAX - sizeof(*s) || cpu >= XVT_MAX_CPUS)
		return w->err = -EINVAL;
	s = (struct xvt_sample *)w_reserve(w, pad8(size));
	if (!s)
		return w->err;
	s->h.type = XVT_SAMPLE;
	s->h.size = pad8(size);
	s->time = time;
	s->cpu = cpu;
	s->raw_size = raw_size;
	memcpy(s + 1, raw, raw_size);
	return 0;
}

int xvt_write_lost(struct xvt_writer *w, uint64_t time, uint32_t cpu,
		   uint64_t lost)
{
	struct xvt_lost *l;

	if (cpu >= XVT_MAX_CPUS)
		return w->err = -EINVAL;
	l = (struct xvt_lost *)w_reserve(w, sizeof(*l));
	if (!l)
		return w->err;
	l->h.type = XVT_LOST;
	l->h.size = sizeof(*l);
	l->time = time;
	l->cpu = cpu;
	l->lost = lost;
	return 0;
}

int xvt_write_end(struct xvt_writer *w, uint64_t time, uint32_t ncpus,
		  const struct xvt_cpu_total *tot)
{
	size_t size = sizeof(struct xvt_end) + ncpus * sizeof(*tot);
	struct xvt_end *e;

	if (ncpus > XVT_MAX_CPUS)
		return w->err = -EINVAL;
	e = (struct xvt_end *)w_reserve(w, size);
	if (!e)
		return w->err;
	e->h.type = XVT_END;
	e->h.size = size;
	e->time = time;
	e->ncpus = ncpus;
	memcpy(e + 1, tot, ncpus * sizeof(*tot));
	return 0;
}

int xvt_write_stats(struct xvt_writer *w, uint64_t time, uint32_t vm_id,
		    int32_t pid, uint32_t when, const char *text, size_t len)
{
	size_t size = sizeof(struct xvt_stats) + len;
	struct xvt_stats *st;

	if (size > XVT_REC_MAX || when > XVT_STATS_END)
		return w->err = -EINVAL;
	st = (struct xvt_stats *)w_reserve(w, pad8(size));
	if (!st)
		return w->err;
	st->h.type = XVT_STATS;
	st->h.size = pad8(size);
	st->time = time;
	st->vm_id = vm_id;
	st->pid = pid;
	st->when = when;
	memcpy(st + 1, text, len);
	return 0;
}

int xvt_writer_finish(struct xvt_writer *w)
{
	int err = w_flush(w);

	free(w->buf);
	w->buf = NULL;
	return err;
}

/* ---- reading ---------------------------------------------------------- */

const char *xvt_strerror(int err)
{
	switch (err) {
	case -EPROTO:
		return "not a vcpuctl trace file (bad magic)";
	case -EPROTONOSUPPORT:
		return "unsupported trace file version";
	case -EBADMSG:
		return "corrupt trace file";
	default:
		return strerror(-err);
	}
}

int xvt_open_mem(struct xvt_file *f, const void *buf, size_t len)
{
	const struct xvt_header *h = buf;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	if (len < 8 || memcmp(h->magic, XVT_MAGIC, 8))
		return -EPROTO;
	if (len < sizeof(*h))
		return -EBADMSG;
	if (h->version != XVT_VERSION)
		return -EPROTONOSUPPORT;
	if (h->header_size != sizeof(*h))
		return -EBADMSG;
	for (i = 0; i < ARRAY_SIZE(h->reserved); i++)
		if (h->reserved[i])
			return -EBADMSG;
	f->base = buf;
	f->len = len;
	f->hdr = h;
	return 0;
}

int xvt_open(struct xvt_file *f, const char *path)
{
	struct stat st;
	void *p;
	int fd, err;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (st.st_size < 8) {
		close(fd);
		return st.st_size == 0 ? -ENODATA : -EPROTO;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = p == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err)
		return err;
	madvise(p, st.st_size, MADV_SEQUENTIAL);
	err = xvt_open_mem(f, p, st.st_size);
	if (err) {
		munmap(p, st.st_size);
		return err;
	}
	f->mapped = true;
	return 0;
}

void xvt_close(struct xvt_file *f)
{
	uint32_t c;

	if (f->cpu_recs)
		for (c = 0; c < f->ncpus; c++)
			free(f->cpu_recs[c]);
	free(f->cpu_recs);
	free(f->cpu_nrecs);
	free(f->cpu_lost);
	if (f->mapped)
		munmap((void *)f->base, f->len);
	memset(f, 0, sizeof(*f));
}

#define BAD(msg) do { *why = (msg); return -EBADMSG; } while (0)

int xvt_read_at(const struct xvt_file *f, uint64_t off, struct xvt_view *v,
		const char **why)
{
	const struct xvt_rec *r;
	const uint8_t *p;

	memset(v, 0, sizeof(*v));
	if (off & 7)
		BAD("misaligned record");
	if (off + sizeof(*r) > f->len)
		BAD("truncated record header");
	p = f->base + off;
	r = (const struct xvt_rec *)p;
	if (r->size < sizeof(*r) || r->size > XVT_REC_MAX || (r->size & 7))
		BAD("bad record size");
	if (r->size > f->len - off)
		BAD("truncated record");
	v->type = r->type;
	v->offset = off;
	v->data = p;
	v->size = r->size;
	switch (r->type) {
	case XVT_INFO:
	case XVT_FORMAT:
		break;
	case XVT_SAMPLE: {
		const struct xvt_sample *s = (const void *)p;

		if (r->size < sizeof(*s) ||
		    s->raw_size > r->size - sizeof(*s) ||
		    pad8(sizeof(*s) + s->raw_size) != r->size)
			BAD("bad sample size");
		if (s->cpu >= XVT_MAX_CPUS)
			BAD("bad sample CPU");
		v->time = s->time;
		v->cpu = s->cpu;
		v->raw = p + sizeof(*s);
		v->raw_size = s->raw_size;
		break;
	}
	case XVT_LOST: {
		const struct xvt_lost *l = (const void *)p;

		if (r->size != sizeof(*l))
			BAD("bad lost-record size");
		if (l->cpu >= XVT_MAX_CPUS)
			BAD("bad lost-record CPU");
		v->time = l->time;
		v->cpu = l->cpu;
		v->lost = l->lost;
		break;
	}
	case XVT_STATS: {
		const struct xvt_stats *st = (const void *)p;

		if (r->size < sizeof(*st) || st->when > XVT_STATS_END)
			BAD("bad stats record");
		v->time = st->time;
		break;
	}
	case XVT_END: {
		const struct xvt_end *e = (const void *)p;

		if (r->size < sizeof(*e) || e->ncpus > XVT_MAX_CPUS ||
		    r->size != sizeof(*e) +
				e->ncpus * sizeof(struct xvt_cpu_total))
			BAD("bad end record");
		v->time = e->time;
		break;
	}
	default:
		BAD("unknown record type");
	}
	return 0;
}

static int grow_cpus(struct xvt_file *f, uint32_t ncpus, uint64_t **cap)
{
	uint64_t **recs, *n, *lost, *c;
	uint32_t old = f->ncpus;

	recs = realloc(f->cpu_recs, ncpus * sizeof(*recs));
	if (recs)
		f->cpu_recs = recs;
	n = realloc(f->cpu_nrecs, ncpus * sizeof(*n));
	if (n)
		f->cpu_nrecs = n;
	lost = realloc(f->cpu_lost, ncpus * sizeof(*lost));
	if (lost)
		f->cpu_lost = lost;
	c = realloc(*cap, ncpus * sizeof(*c));
	if (c)
		*cap = c;
	if (!recs || !n || !lost || !c)
		return -ENOMEM;
	memset(recs + old, 0, (ncpus - old) * sizeof(*recs));
	memset(n + old, 0, (ncpus - old) * sizeof(*n));
	memset(lost + old, 0, (ncpus - old) * sizeof(*lost));
	memset(c + old, 0, (ncpus - old) * sizeof(*c));
	f->ncpus = ncpus;
	return 0;
}

static inline uint64_t rec_time(const struct xvt_file *f, uint64_t off)
{
	/* SAMPLE and LOST both have the time right after the header. */
	return *(const uint64_t *)(f->base + off + sizeof(struct xvt_rec));
}

int xvt_scan(struct xvt_file *f, const char **why, uint64_t *bad_off)
{
	uint64_t off = f->hdr->header_size, *cap = NULL;
	struct xvt_view v;
	int err = 0;

	*why = NULL;
	while (off < f->len) {
		*bad_off = off;
		err = xvt_read_at(f, off, &v, why);
		if (err)
			break;
		if (f->has_end) {
			*why = "record after the end record";
			err = -EBADMSG;
			break;
		}
		if (v.type == XVT_END) {
			f->has_end = true;
			f->end = (const struct xvt_end *)v.data;
		}
		if (v.type == XVT_SAMPLE || v.type == XVT_LOST) {
			uint32_t c = v.cpu;

			if (c >= f->ncpus) {
				err = grow_cpus(f, c + 1, &cap);
				if (err)
					break;
			}
			if (f->cpu_nrecs[c] == cap[c]) {
				uint64_t ncap = cap[c] ? cap[c] * 2 : 4096;
				uint64_t *p = realloc(f->cpu_recs[c],
						      ncap * sizeof(*p));

				if (!p) {
					err = -ENOMEM;
					break;
				}
				f->cpu_recs[c] = p;
				cap[c] = ncap;
			}
			/* Each CPU's records are in time order. */
			if (f->cpu_nrecs[c] &&
			    v.time < rec_time(f, f->cpu_recs[c][f->cpu_nrecs[c] - 1])) {
				*why = "a CPU's records out of time order";
				err = -EBADMSG;
				break;
			}
			f->cpu_recs[c][f->cpu_nrecs[c]++] = off;
			if (v.type == XVT_SAMPLE) {
				f->nsamples++;
			} else {
				f->nlost_recs++;
				f->cpu_lost[c] += v.lost;
			}
		}
		off += v.size;
	}
	free(cap);
	return err;
}

int xvt_merge_init(struct xvt_merge *m, const struct xvt_file *f)
{
	m->f = f;
	m->pos = calloc(f->ncpus ? f->ncpus : 1, sizeof(*m->pos));
	return m->pos ? 0 : -ENOMEM;
}

int xvt_merge_next(struct xvt_merge *m, struct xvt_view *v)
{
	const struct xvt_file *f = m->f;
	uint64_t best_t = UINT64_MAX;
	int64_t best = -1;
	const char *why;
	uint32_t c;

	/* A linear minimum: a trace has few CPUs. */
	for (c = 0; c < f->ncpus; c++) {
		uint64_t t;

		if (m->pos[c] >= f->cpu_nrecs[c])
			continue;
		t = rec_time(f, f->cpu_recs[c][m->pos[c]]);
		if (best < 0 || t < best_t) {
			best = c;
			best_t = t;
		}
	}
	if (best < 0)
		return 0;
	/* Checked by xvt_scan() already. */
	xvt_read_at(f, f->cpu_recs[best][m->pos[best]++], v, &why);
	return 1;
}

void xvt_merge_free(struct xvt_merge *m)
{
	free(m->pos);
	m->pos = NULL;
}

const char *xvt_info(const struct xvt_file *f, const char *key, char *buf,
		     size_t size)
{
	uint64_t off = f->hdr->header_size;
	size_t klen = strlen(key);
	struct xvt_view v;
	const char *why;

	buf[0] = 0;
	while (off < f->len && !xvt_read_at(f, off, &v, &why)) {
		if (v.type == XVT_INFO) {
			const char *p = (const char *)v.data + sizeof(struct xvt_rec);
			const char *end = (const char *)v.data + v.size;

			while (p < end && *p) {
				const char *nl = memchr(p, '\n', end - p);
				size_t n;

				if (!nl)
					nl = end;
				if ((size_t)(nl - p) > klen && p[klen] == '=' &&
				    !memcmp(p, key, klen)) {
					n = nl - p - klen - 1;
					if (n >= size)
						n = size - 1;
					memcpy(buf, p + klen + 1, n);
					buf[n] = 0;
					return buf;
				}
				p = nl + 1;
			}
		}
		if (v.type == XVT_SAMPLE)
			break;	/* INFO comes first */
		off += v.size;
	}
	return buf;
}
