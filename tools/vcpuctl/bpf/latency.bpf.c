// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl latency: on every xvcpu:xvcpu_exit, one more count in the
 * log2 histogram of handle_ns of its exit reason, in a per-CPU array
 * (no atomics, no lock; the loader sums the CPUs).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "latency.h"

/* Set by the loader before load: only this VM, or -1 for all. */
const volatile __s64 want_vm = -1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LAT_REASONS);
	__type(key, __u32);
	__type(value, struct lat_hist);
} hists SEC(".maps");

/* 0 for 0, n for [2^(n-1), 2^n). */
static __always_inline __u32 slot_of(__u64 v)
{
	__u32 r = 1;

	if (!v)
		return 0;
	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

SEC("tracepoint/xvcpu/xvcpu_exit")
int on_exit(struct lat_exit_rec *ctx)
{
	__u32 reason = ctx->exit_reason;
	__u64 ns = ctx->handle_ns;
	struct lat_hist *h;
	__u32 s;

	if (want_vm >= 0 && ctx->vm_id != (__u64)want_vm)
		return 0;
	if (reason >= LAT_REASONS - 1)
		reason = LAT_REASONS - 1;
	h = bpf_map_lookup_elem(&hists, &reason);
	if (!h)
		return 0;
	s = slot_of(ns);
	if (s >= LAT_SLOTS)
		s = LAT_SLOTS - 1;
	h->slot[s]++;
	h->count++;
	h->sum += ns;
	if (ns > h->max)
		h->max = ns;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
