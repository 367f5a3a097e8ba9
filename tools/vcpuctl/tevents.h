/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recorded events, decoded with libtraceevent from the tracefs
 * format text a trace file carries (never from offsets of our own):
 * the event table of a file, and the xvcpu events and fields report and
 * format look at, resolved once per file.
 */
#ifndef VCPUCTL_TEVENTS_H
#define VCPUCTL_TEVENTS_H

#include <stdint.h>

#include <traceevent/event-parse.h>

#include "tracefile.h"

/*
 * A libtraceevent handle holding every FORMAT record of @f. NULL with a
 * message in @err on failure.
 */
struct tep_handle *xvt_tep_load(const struct xvt_file *f, char *err,
				size_t errlen);

/* A field read back from raw data: NULL field reads as 0. */
static inline uint64_t xvt_field(struct tep_handle *tep,
				 const struct tep_format_field *fld,
				 const uint8_t *raw, uint32_t raw_size)
{
	if (!fld || (uint32_t)(fld->offset + fld->size) > raw_size)
		return 0;
	return tep_read_number(tep, raw + fld->offset, fld->size);
}

/* The event of a raw sample, or NULL when the file has no such format. */
struct tep_event *xvt_event_of(struct tep_handle *tep, const uint8_t *raw,
			       uint32_t raw_size);

#endif /* VCPUCTL_TEVENTS_H */
