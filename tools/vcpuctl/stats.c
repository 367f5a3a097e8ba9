// SPDX-License-Identifier: GPL-2.0
/*
 * Exit counting and the end-of-run summary. Each vCPU thread owns its
 * struct exit_stats; the main thread sums them after the threads ended,
 * so no counter is ever shared.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "stats.h"

void key_count(struct key_counts *t, uint64_t key, uint64_t n)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++) {
		if (t->slot[i].key == key) {
			t->slot[i].count += n;
			return;
		}
	}
	if (t->nr == KEY_SLOTS) {
		t->other += n;
		return;
	}
	t->slot[t->nr].key = key;
	t->slot[t->nr].count = n;
	t->nr++;
}

void stats_exit(struct exit_stats *s, uint32_t reason)
{
	if (reason < NR_EXIT_REASONS)
		s->reason[reason]++;
	else
		s->unknown_reason++;
}

static void keys_add(struct key_counts *dst, const struct key_counts *src)
{
	unsigned int i;

	for (i = 0; i < src->nr; i++)
		key_count(dst, src->slot[i].key, src->slot[i].count);
	dst->other += src->other;
}

void stats_add(struct exit_stats *dst, const struct exit_stats *src)
{
	unsigned int i;

	for (i = 0; i < NR_EXIT_REASONS; i++)
		dst->reason[i] += src->reason[i];
	dst->unknown_reason += src->unknown_reason;
	keys_add(&dst->io_in, &src->io_in);
	keys_add(&dst->io_out, &src->io_out);
	keys_add(&dst->mmio_read, &src->mmio_read);
	keys_add(&dst->mmio_write, &src->mmio_write);
	keys_add(&dst->hypercall, &src->hypercall);
	dst->exit_count += src->exit_count;
}

uint64_t stats_user_exits(const struct exit_stats *s)
{
	uint64_t n = s->unknown_reason;
	unsigned int i;

	for (i = 0; i < NR_EXIT_REASONS; i++)
		n += s->reason[i];
	return n;
}

static int by_count(const void *a, const void *b)
{
	const struct key_slot *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

enum key_style { KEY_PORT_IN, KEY_PORT_OUT, KEY_ADDR_R, KEY_ADDR_W, KEY_NR };

/* The busiest keys first: what a reader of the summary looks for. */
static void print_keys(FILE *f, const char *(*port_name)(uint16_t),
		       const struct key_counts *t,
		       enum key_style style)
{
	struct key_counts sorted = *t;
	unsigned int i;
	char label[48];

	qsort(sorted.slot, sorted.nr, sizeof(sorted.slot[0]), by_count);
	for (i = 0; i < sorted.nr; i++) {
		uint64_t k = sorted.slot[i].key;

		switch (style) {
		case KEY_PORT_IN:
		case KEY_PORT_OUT:
			snprintf(label, sizeof(label), "%s 0x%04" PRIx64 " %s",
				 style == KEY_PORT_IN ? "in " : "out", k,
				 port_name(k));
			break;
		case KEY_ADDR_R:
		case KEY_ADDR_W:
			snprintf(label, sizeof(label), "%s 0x%" PRIx64,
				 style == KEY_ADDR_R ? "read " : "write", k);
			break;
		case KEY_NR:
			snprintf(label, sizeof(label), "nr 0x%" PRIx64, k);
			break;
		}
		fprintf(f, "    %-30s %12" PRIu64 "\n", label,
			sorted.slot[i].count);
	}
	if (t->other)
		fprintf(f, "    %-30s %12" PRIu64 "\n", "(others)", t->other);
}

void stats_print(FILE *f, const struct exit_stats *s,
		 const struct run_summary *sum)
{
	const char *(*pn)(uint16_t) = sum->port_name ? sum->port_name :
				       devices_port_name;
	uint32_t r;
	unsigned int i;

	fprintf(f, "vcpuctl: summary: %s mode, %u vCPU%s, %" PRIu64
		" KiB RAM, %.3f s wall time\n", sum->mode, sum->nr_vcpus,
		sum->nr_vcpus == 1 ? "" : "s", sum->mem_size >> 10,
		sum->wall_seconds);
	fprintf(f, "  %-32s %12s\n", "exits to vcpuctl", "count");
	for (r = 0; r < NR_EXIT_REASONS; r++) {
		if (!s->reason[r])
			continue;
		fprintf(f, "  %-32s %12" PRIu64 "\n", exit_reason_name(r),
			s->reason[r]);
		switch (r) {
		case XVCPU_EXIT_IO:
			print_keys(f, pn, &s->io_out, KEY_PORT_OUT);
			print_keys(f, pn, &s->io_in, KEY_PORT_IN);
			break;
		case XVCPU_EXIT_MMIO:
			print_keys(f, pn, &s->mmio_read, KEY_ADDR_R);
			print_keys(f, pn, &s->mmio_write, KEY_ADDR_W);
			break;
		case XVCPU_EXIT_HYPERCALL:
			print_keys(f, pn, &s->hypercall, KEY_NR);
			break;
		}
	}
	if (s->unknown_reason)
		fprintf(f, "  %-32s %12" PRIu64 "\n", "(unknown reasons)",
			s->unknown_reason);
	fprintf(f, "  %-32s %12" PRIu64 "\n", "total", stats_user_exits(s));

	fprintf(f, "  VM exits (run->exit_count): %" PRIu64, s->exit_count);
	if (sum->nr_vcpus > 1) {
		for (i = 0; i < sum->nr_vcpus; i++)
			fprintf(f, "%svCPU%u %" PRIu64, i ? ", " : " (", i,
				sum->vcpu_exit_count[i]);
		fputc(')', f);
	}
	fprintf(f, ", including those the kernel handled itself\n");
	fprintf(f, "  serial output: %" PRIu64 " bytes\n", sum->serial_bytes);
	if (sum->debug_port)
		debug_port_print(f, sum->debug_port, sum->debug_port_source);
}

void debug_port_print(FILE *f, const struct xvcpu_debug_port_log *log,
		      const char *source)
{
	uint32_t i, n = log->count;

	if (n > XVCPU_DEBUG_PORT_LOG_SIZE)
		n = XVCPU_DEBUG_PORT_LOG_SIZE;
	fprintf(f, "  debug port 0x%02x (%s): %" PRIu64 " code%s", POST_PORT,
		source, (uint64_t)log->total, log->total == 1 ? "" : "s");
	if (log->total > n)
		fprintf(f, ", the last %u kept", n);
	fprintf(f, "%s\n", n ? ", ms since VM creation" : "");
	for (i = 0; i < n; i++) {
		const struct xvcpu_debug_port_entry *e = &log->entries[i];

		fprintf(f, "    %8" PRIu64 ".%03u ms  vCPU%-3u 0x%02x  %s\n",
			(uint64_t)e->ns / 1000000,
			(unsigned int)(e->ns / 1000 % 1000), e->vcpu_id,
			e->code, debug_port_component_name(e->code));
	}
}

static void print_ms(FILE *f, uint64_t ns)
{
	fprintf(f, "%9" PRIu64 ".%03u", ns / 1000000,
		(unsigned int)(ns / 1000 % 1000));
}

void debug_port_print_timeline(FILE *f, const struct xvcpu_debug_port_log *log,
			       const char *source)
{
	uint32_t i, n = log->count;
	uint64_t prev = 0;

	if (n > XVCPU_DEBUG_PORT_LOG_SIZE)
		n = XVCPU_DEBUG_PORT_LOG_SIZE;
	fprintf(f, "  boot timeline (debug port 0x%02x, %s): %" PRIu64 " code%s",
		POST_PORT, source, (uint64_t)log->total,
		log->total == 1 ? "" : "s");
	if (log->total > n)
		fprintf(f, ", the last %u kept", n);
	fputc('\n', f);
	if (!n)
		return;
	fprintf(f, "    %-10s  %4s  %13s  %13s\n", "component", "code",
		"ms since VM", "delta ms");
	for (i = 0; i < n; i++) {
		const struct xvcpu_debug_port_entry *e = &log->entries[i];

		fprintf(f, "    %-10s  0x%02x  ",
			debug_port_component_name(e->code), e->code);
		print_ms(f, e->ns);
		fputs("  ", f);
		print_ms(f, e->ns >= prev ? e->ns - prev : 0);
		fputc('\n', f);
		prev = e->ns;
	}
}
