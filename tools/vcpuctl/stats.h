/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit statistics: what each vCPU thread saw come out of XVCPU_RUN,
 * counted without locks per vCPU and summed at the end, and the summary
 * vcpuctl prints.
 */
#ifndef VCPUCTL_STATS_H
#define VCPUCTL_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "names.h"

#define KEY_SLOTS	32

struct key_slot {
	uint64_t key;
	uint64_t count;
};

/* Counts per key (port, address, hypercall nr); the rest as "other". */
struct key_counts {
	unsigned int nr;
	struct key_slot slot[KEY_SLOTS];
	uint64_t other;
};

struct exit_stats {
	uint64_t reason[NR_EXIT_REASONS];
	uint64_t unknown_reason;	/* beyond what vcpuctl knows */
	struct key_counts io_in, io_out;	/* by port */
	struct key_counts mmio_read, mmio_write;	/* by address */
	struct key_counts hypercall;	/* by nr */
	uint64_t exit_count;		/* run->exit_count, all VM exits */
};

void key_count(struct key_counts *t, uint64_t key, uint64_t n);
/* Count @reason; the caller adds the per-key detail. */
void stats_exit(struct exit_stats *s, uint32_t reason);
void stats_add(struct exit_stats *dst, const struct exit_stats *src);
/* Exits that reached vcpuctl (everything but INTR, which is a signal). */
uint64_t stats_user_exits(const struct exit_stats *s);

struct run_summary {
	const char *mode;
	uint64_t mem_size;
	unsigned int nr_vcpus;
	double wall_seconds;
	const uint64_t *vcpu_exit_count;	/* [nr_vcpus] */
	/* The debug-port timeline, NULL if none; where it came from. */
	const struct xvcpu_debug_port_log *debug_port;
	const char *debug_port_source;	/* "kernel log", "vcpuctl latch" */
	uint64_t serial_bytes;
	/* What sits at a port; NULL: devices_port_name() (vcpuctl run). */
	const char *(*port_name)(uint16_t port);
};

void stats_print(FILE *f, const struct exit_stats *s,
		 const struct run_summary *sum);

/*
 * The debug-port timeline: a header with the total, then one line per
 * entry, oldest first: ms since VM creation, vCPU, code, component.
 */
void debug_port_print(FILE *f, const struct xvcpu_debug_port_log *log,
		      const char *source);

/*
 * The same log as a boot timeline (vcpuctl boot): one line per stage,
 * oldest first: component, code, ms since VM creation and ms since the
 * stage before (the first: since VM creation).
 */
void debug_port_print_timeline(FILE *f, const struct xvcpu_debug_port_log *log,
			       const char *source);

#endif /* VCPUCTL_STATS_H */
