/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xvcpu internal interfaces shared between the module's parts.
 * Every file includes this first so that log lines carry one prefix.
 */
#ifndef XVCPU_H
#define XVCPU_H

#ifndef pr_fmt
#define pr_fmt(fmt) "xvcpu: " fmt
#endif

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <uapi/linux/xvcpu.h>

/* vmx/run.c: host state and speculation barriers for every vCPU. */
void xvcpu_vmx_host_init(void);

/* vmx/cpu.c: VMX operation on every online CPU. */
int xvcpu_vmx_cpus_init(void);
void xvcpu_vmx_cpus_exit(void);
/* Whether this module has VMXON done on @cpu (for the state view). */
bool xvcpu_vmx_cpu_on(unsigned int cpu);
/* Whether this CPU is in VMX operation (ours). Preemption disabled. */
bool xvcpu_this_cpu_vmx_on(void);
/* How many times VMXON was executed on @cpu since load. */
u64 xvcpu_vmx_cpu_vmxon_count(unsigned int cpu);

/* vmx/coexist.c: one VMX owner at a time (kvm_intel and others). */
int xvcpu_coexist_init(void);
void xvcpu_coexist_exit(void);

/* debugfs.c: the read-only text views. */
void xvcpu_debugfs_init(void);
void xvcpu_debugfs_exit(void);
struct dentry *xvcpu_debugfs_root(void);

/* dev.c: the /dev/xvcpu misc device. */
int xvcpu_dev_init(void);
void xvcpu_dev_exit(void);

#endif /* XVCPU_H */
