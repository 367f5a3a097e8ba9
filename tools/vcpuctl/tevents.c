// SPDX-License-Identifier: GPL-2.0
/* libtraceevent over a trace file's embedded formats (tevents.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tevents.h"
#include "vcpuctl.h"

struct tep_handle *xvt_tep_load(const struct xvt_file *f, char *err,
				size_t errlen)
{
	uint64_t off = f->hdr->header_size;
	struct tep_handle *tep = tep_alloc();
	unsigned int n = 0;
	struct xvt_view v;
	const char *why;

	if (!tep) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_long_size(tep, 8);
	tep_set_page_size(tep, getpagesize());
	while (off < f->len && !xvt_read_at(f, off, &v, &why)) {
		if (v.type == XVT_FORMAT) {
			const char *p = (const char *)v.data + sizeof(struct xvt_rec);
			const char *end = (const char *)v.data + v.size;
			const char *nl = memchr(p, '\n', end - p);
			char sys[64];
			size_t len;
			enum tep_errno e;

			if (!nl || nl == p || (size_t)(nl - p) >= sizeof(sys)) {
				snprintf(err, errlen,
					 "format record at offset %llu has no system name",
					 (unsigned long long)v.offset);
				goto fail;
			}
			memcpy(sys, p, nl - p);
			sys[nl - p] = 0;
			len = strnlen(nl + 1, end - nl - 1);
			e = tep_parse_event(tep, nl + 1, len, sys);
			if (e) {
				char msg[128];

				tep_strerror(tep, e, msg, sizeof(msg));
				snprintf(err, errlen,
					 "format record at offset %llu: %s",
					 (unsigned long long)v.offset, msg);
				goto fail;
			}
			n++;
		}
		if (v.type == XVT_SAMPLE)
			break;	/* formats come first */
		off += v.size;
	}
	if (!n) {
		snprintf(err, errlen, "no event formats in the file");
		goto fail;
	}
	return tep;
fail:
	tep_free(tep);
	return NULL;
}

struct tep_event *xvt_event_of(struct tep_handle *tep, const uint8_t *raw,
			       uint32_t raw_size)
{
	struct tep_record rec = {
		.data = (void *)raw,
		.size = raw_size,
	};

	if (raw_size < 8)
		return NULL;
	return tep_find_event(tep, tep_data_type(tep, &rec));
}

int xvt_reader_open(struct xvt_reader *rd, const char *cmd, const char *path)
{
	char err[256];
	const char *why;
	uint64_t bad;
	int e;

	memset(rd, 0, sizeof(*rd));
	rd->cmd = cmd;
	rd->path = path;
	e = xvt_open(&rd->f, path);
	if (e) {
		p_err("%s: %s: %s", cmd, path, e == -ENODATA ?
		      "empty file" : xvt_strerror(e));
		return EXIT_FAIL;
	}
	e = xvt_scan(&rd->f, &why, &bad);
	if (e) {
		if (why)
			p_err("%s: %s: corrupt trace file at offset %llu: %s",
			      cmd, path, (unsigned long long)bad, why);
		else
			p_err("%s: %s: %s", cmd, path, strerror(-e));
		goto fail;
	}
	rd->tep = xvt_tep_load(&rd->f, err, sizeof(err));
	if (!rd->tep) {
		p_err("%s: %s: %s", cmd, path, err);
		goto fail;
	}
	if (xvt_merge_init(&rd->m, &rd->f)) {
		p_err("%s: out of memory", cmd);
		goto fail;
	}
	if (!rd->f.has_end)
		p_warn("%s: %s: no end record (recording cut short); reading what is there",
		       cmd, path);
	rd->progress = isatty(STDERR_FILENO) && rd->f.len > (64u << 20);
	return 0;
fail:
	xvt_reader_close(rd);
	return EXIT_FAIL;
}

int xvt_reader_next(struct xvt_reader *rd, struct xvt_view *v)
{
	if (!xvt_merge_next(&rd->m, v)) {
		if (rd->progress && rd->done >= 0x100000)
			fprintf(stderr, "\r%*s\r", (int)strlen(rd->cmd) + 8, "");
		return 0;
	}
	if (rd->progress && !(++rd->done & 0xfffff))
		fprintf(stderr, "\r%s: %3.0f%%", rd->cmd, 100.0 * rd->done /
			(rd->f.nsamples + rd->f.nlost_recs));
	return 1;
}

void xvt_reader_close(struct xvt_reader *rd)
{
	xvt_merge_free(&rd->m);
	if (rd->tep)
		tep_free(rd->tep);
	rd->tep = NULL;
	xvt_close(&rd->f);	/* frees what a failed open left, if anything */
}
