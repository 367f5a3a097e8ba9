// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only text views under /sys/kernel/debug/xvcpu/:
 *   caps  - the VMX capabilities and computed controls (vmx/caps.c)
 *   cpus  - per-CPU VMX state: "cpu<N> vmx=on|off vmxon=<count>"
 * Debugfs is optional: failures here never fail the load.
 */
#include "xvcpu.h"

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vmx/caps.h"

static struct dentry *xvcpu_debugfs_dir;

static int caps_show(struct seq_file *m, void *unused)
{
	xvcpu_caps_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(caps);

static int cpus_show(struct seq_file *m, void *unused)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		seq_printf(m, "cpu%u online=%d vmx=%s vmxon=%llu\n", cpu,
			   cpu_online(cpu), xvcpu_vmx_cpu_on(cpu) ? "on" : "off",
			   xvcpu_vmx_cpu_vmxon_count(cpu));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpus);

/* The xvcpu/ directory, for the per-VM ones (trace/stats.c); may be NULL. */
struct dentry *xvcpu_debugfs_root(void)
{
	return xvcpu_debugfs_dir;
}

void __init xvcpu_debugfs_init(void)
{
	xvcpu_debugfs_dir = debugfs_create_dir("xvcpu", NULL);
	debugfs_create_file("caps", 0400, xvcpu_debugfs_dir, NULL,
			    &caps_fops);
	debugfs_create_file("cpus", 0400, xvcpu_debugfs_dir, NULL,
			    &cpus_fops);
}

void xvcpu_debugfs_exit(void)
{
	debugfs_remove_recursive(xvcpu_debugfs_dir);
}
