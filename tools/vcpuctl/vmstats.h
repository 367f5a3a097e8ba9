/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The always-on statistics of every VM on the host, from debugfs
 * (/sys/kernel/debug/xvcpu/vm-<id>-<pid>/stats, the stats-fd layout:
 * Documentation/stats.rst), for `vcpuctl top` and `vcpuctl metrics`:
 * no tracing needed. Names come from the descriptors; the per-reason
 * families are told apart by the documented name prefixes.
 */
#ifndef VCPUCTL_VMSTATS_H
#define VCPUCTL_VMSTATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kstats.h"

struct vm_stats {
	uint32_t vm;
	int pid;
	struct kstats ks;
};

/*
 * Every VM's stats under @dir (default: the debugfs xvcpu directory).
 * 0 (maybe no VMs), -ENOENT when there is no such directory (module not
 * loaded or debugfs not mounted), other -errno.
 */
int vmstats_read_all(const char *dir, struct vm_stats **vms, unsigned int *n);
void vmstats_free(struct vm_stats *vms, unsigned int n);
/* The xvcpu debugfs directory (debugfs found in /proc/mounts). */
const char *vmstats_dir(void);

/*
 * A stat name split: "vcpu3/exits_CPUID" -> vcpu 3, "exits_CPUID";
 * a VM stat has vcpu -1.
 */
const char *vmstats_split(const char *name, int *vcpu);

/* Value of stat @s (element @i) in its unit: ns stats become seconds. */
double vmstats_value(const struct kstat *s, unsigned int i);

/* Prometheus text exposition of @n VMs (metrics.c). */
void metrics_render(FILE *f, const struct vm_stats *vms, unsigned int n);

#endif /* VCPUCTL_VMSTATS_H */
