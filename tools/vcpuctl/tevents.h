/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recorded events, decoded with libtraceevent from the tracefs
 * format text a trace file carries (never from offsets of our own):
 * the event table of a file, and the xvcpu events and fields report and
 * format look at, resolved once per file.
 */
#ifndef VCPUCTL_TEVENTS_H
#define VCPUCTL_TEVENTS_H

#include <stdbool.h>
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

/*
 * A trace file opened for reading, as report and format read one: checked
 * and indexed (xvt_scan), its formats loaded into @tep, its samples and
 * LOST records handed out in time order across CPUs. A progress line on
 * a terminal's stderr for files worth waiting for (@progress, which the
 * caller may clear after opening).
 */
struct xvt_reader {
	const char *cmd;	/* "report", "format": the error prefix */
	const char *path;
	struct xvt_file f;
	struct tep_handle *tep;
	struct xvt_merge m;
	bool progress;
	uint64_t done;
};

/*
 * Open @path: 0, or EXIT_FAIL after the one error line (a corrupt or
 * foreign file, no formats, out of memory). A file without an END record
 * (recording cut short) opens with a warning.
 */
int xvt_reader_open(struct xvt_reader *rd, const char *cmd, const char *path);
/* The next sample or LOST record in time order: 1 and *v filled, 0 at the end. */
int xvt_reader_next(struct xvt_reader *rd, struct xvt_view *v);
/* Frees everything; safe on a reader whose open failed. */
void xvt_reader_close(struct xvt_reader *rd);

#endif /* VCPUCTL_TEVENTS_H */
