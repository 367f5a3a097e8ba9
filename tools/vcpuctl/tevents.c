// SPDX-License-Identifier: GPL-2.0
/* libtraceevent over a trace file's embedded formats (tevents.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tevents.h"

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
