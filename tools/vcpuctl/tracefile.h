/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vcpuctl trace file (Documentation/trace-file.rst): what `vcpuctl
 * record` writes and report/format read. A fixed header, then a stream
 * of 8-byte aligned records, each starting with its type and total size:
 * INFO text, the tracefs format of each recorded event, samples (raw
 * tracepoint data as perf delivered it), lost-record counts at their
 * place in time, and an END record with the per-CPU totals.
 *
 * Pure code (no tracefs, no libtraceevent): the host unit test links it.
 */
#ifndef VCPUCTL_TRACEFILE_H
#define VCPUCTL_TRACEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XVT_MAGIC	"XVCPUTRC"
#define XVT_VERSION	1

/* File header, at offset 0; little-endian like every number in the file. */
struct xvt_header {
	char magic[8];		/* XVT_MAGIC, no NUL */
	uint32_t version;	/* XVT_VERSION */
	uint32_t header_size;	/* sizeof(struct xvt_header): 64 */
	uint64_t flags;		/* XVT_F_* */
	uint64_t reserved[5];	/* zero */
};

#define XVT_F_FLIGHT	(1ull << 0)	/* a flight-recorder dump */

/* Every record: type and total size (header included, multiple of 8). */
struct xvt_rec {
	uint32_t type;
	uint32_t size;
};

enum xvt_type {
	XVT_INFO = 1,	/* "key=value\n" lines */
	XVT_FORMAT = 2,	/* "system\n" + a tracefs event format file */
	XVT_SAMPLE = 3,	/* struct xvt_sample + raw data */
	XVT_LOST = 4,	/* struct xvt_lost */
	XVT_END = 5,	/* struct xvt_end + ncpus struct xvt_cpu_total */
	XVT_STATS = 6,	/* struct xvt_stats + "name value\n" lines */
};

struct xvt_sample {
	struct xvt_rec h;
	uint64_t time;		/* ns, the clock named in INFO */
	uint32_t cpu;
	uint32_t raw_size;	/* bytes of raw data that follow */
	/* uint8_t raw[raw_size], zero padded to 8 */
};

struct xvt_lost {
	struct xvt_rec h;
	uint64_t time;		/* of the ring's report of the loss */
	uint32_t cpu;
	uint32_t pad;		/* zero */
	uint64_t lost;		/* records the ring dropped */
};

struct xvt_cpu_total {
	uint64_t samples;	/* samples written for this CPU */
	uint64_t lost;		/* records the CPU's ring dropped */
};

struct xvt_end {
	struct xvt_rec h;
	uint64_t time;		/* when recording stopped */
	uint32_t ncpus;		/* totals that follow, index = CPU number */
	uint32_t pad;		/* zero */
	/* struct xvt_cpu_total cpu[ncpus] */
};

/*
 * A VM's always-on stats (debugfs) when recording started or stopped,
 * summed over its vCPUs: the true exit counts next to what the trace
 * kept (sampling, lost records).
 */
struct xvt_stats {
	struct xvt_rec h;
	uint64_t time;
	uint32_t vm_id;
	int32_t pid;
	uint32_t when;		/* XVT_STATS_START or XVT_STATS_END */
	uint32_t pad;		/* zero */
	/* "name value\n" text, NUL padded */
};

#define XVT_STATS_START	0
#define XVT_STATS_END	1

/* Records larger than this are corrupt (a raw sample is < 64 KiB). */
#define XVT_REC_MAX	(1u << 20)
/* CPU numbers in a file are below this. */
#define XVT_MAX_CPUS	4096

/* ---- writing: buffered, to a file descriptor ------------------------- */

struct xvt_writer {
	int fd;
	int err;		/* first write error (negative errno), sticky */
	uint8_t *buf;
	size_t len, cap;
	uint64_t bytes;		/* written so far, header included */
};

int xvt_writer_init(struct xvt_writer *w, int fd, uint64_t flags);
int xvt_write_info(struct xvt_writer *w, const char *text, size_t len);
int xvt_write_format(struct xvt_writer *w, const char *system,
		     const char *text, size_t len);
int xvt_write_sample(struct xvt_writer *w, uint64_t time, uint32_t cpu,
		     const void *raw, uint32_t raw_size);
int xvt_write_lost(struct xvt_writer *w, uint64_t time, uint32_t cpu,
		   uint64_t lost);
int xvt_write_end(struct xvt_writer *w, uint64_t time, uint32_t ncpus,
		  const struct xvt_cpu_total *tot);
int xvt_write_stats(struct xvt_writer *w, uint64_t time, uint32_t vm_id,
		    int32_t pid, uint32_t when, const char *text, size_t len);
/* Flushes; returns the first error of the whole writer's life, or 0. */
int xvt_writer_finish(struct xvt_writer *w);

/* ---- reading: a whole file in memory ---------------------------------- */

/* One record, checked: pointers into the file. */
struct xvt_view {
	uint32_t type;
	uint64_t offset;	/* in the file */
	const uint8_t *data;	/* the record, header included */
	uint32_t size;
	/* XVT_SAMPLE and XVT_LOST */
	uint64_t time;
	uint32_t cpu;
	const uint8_t *raw;	/* SAMPLE */
	uint32_t raw_size;
	uint64_t lost;		/* LOST */
};

struct xvt_file {
	const uint8_t *base;
	size_t len;
	bool mapped;		/* munmap on close */
	const struct xvt_header *hdr;
	/* Filled by xvt_scan(): */
	uint64_t nsamples, nlost_recs;
	uint32_t ncpus;		/* highest CPU number seen + 1 */
	bool has_end;
	const struct xvt_end *end;
	/* Per CPU, file offsets of its samples and LOST records, in order. */
	uint64_t **cpu_recs;
	uint64_t *cpu_nrecs;
	uint64_t *cpu_lost;	/* sum of LOST records */
};

/* Errors: -EBADMSG corrupt, -EPROTO wrong magic, -EPROTONOSUPPORT version. */
int xvt_open_mem(struct xvt_file *f, const void *buf, size_t len);
int xvt_open(struct xvt_file *f, const char *path);
void xvt_close(struct xvt_file *f);

/* The record at @off (>= header size); 0, or -EBADMSG with *why set. */
int xvt_read_at(const struct xvt_file *f, uint64_t off,
		struct xvt_view *v, const char **why);

/*
 * One pass over every record: checks each, counts, and indexes the
 * samples and LOST records per CPU. -EBADMSG with *why and *bad_off on
 * a corrupt record. A file cut short after a whole record (no END) is
 * not an error: has_end tells.
 */
int xvt_scan(struct xvt_file *f, const char **why, uint64_t *bad_off);

/*
 * Samples and LOST records of every CPU in time order (a merge of the
 * per-CPU sequences, each already in time order). Call after xvt_scan.
 */
struct xvt_merge {
	const struct xvt_file *f;
	uint64_t *pos;		/* next index per CPU */
};

int xvt_merge_init(struct xvt_merge *m, const struct xvt_file *f);
/* 1 and *v filled, 0 at the end. */
int xvt_merge_next(struct xvt_merge *m, struct xvt_view *v);
void xvt_merge_free(struct xvt_merge *m);

/* Value of @key in the INFO records ("" when absent), into @buf. */
const char *xvt_info(const struct xvt_file *f, const char *key,
		     char *buf, size_t size);

const char *xvt_strerror(int err);

#endif /* VCPUCTL_TRACEFILE_H */
