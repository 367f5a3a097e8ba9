/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `vcpuctl latency`'s BPF program (latency.bpf.c) and its loader
 * (latency.c) share: the xvcpu_exit record as the program reads it, and
 * the per-reason histogram in the map. The loader checks this layout
 * against the tracefs format of xvcpu:xvcpu_exit before loading.
 */
#ifndef VCPUCTL_LATENCY_H
#define VCPUCTL_LATENCY_H

#include <linux/types.h>

/* Reasons 0..LAT_REASONS-2 have a slot each; the last holds the rest. */
#define LAT_REASONS	128
/* Slot 0: 0 ns; slot n: [2^(n-1), 2^n) ns. */
#define LAT_SLOTS	65

struct lat_hist {
	__u64 count;
	__u64 sum;
	__u64 max;
	__u64 slot[LAT_SLOTS];
};

/* xvcpu:xvcpu_exit's raw record (src/trace/trace.h). */
struct lat_exit_rec {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__u32 cpu;
	__u32 vm_id;
	__u32 vcpu_id;
	__u32 exit_reason;
	__u32 reason_flags;
	__u32 insn_len;
	__u64 guest_rip;
	__u64 qual;
	__u32 intr_info;
	__u8 outcome;
	__u64 handle_ns;
};

#endif /* VCPUCTL_LATENCY_H */
