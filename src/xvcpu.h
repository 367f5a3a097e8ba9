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
#include <linux/ratelimit.h>
#include <linux/dynamic_debug.h>
#include <uapi/linux/xvcpu.h>

/*
 * The loglevel module parameter (main.c; 0-7, default 6, writable at run
 * time like ACRN's): a message is printed only if its level number is
 * at most loglevel. The pr_* below are the kernel's, gated by it, so
 * every file writes plain pr_err() etc. At 7 the pr_debug points print
 * too; below it they are dynamic debug's (dyndbg).
 */
extern int xvcpu_loglevel;
#define xvcpu_log_on(lvl)	((lvl) <= READ_ONCE(xvcpu_loglevel))

#define xvcpu_printk(lvl, kern, fmt, ...)				\
do {									\
	if (xvcpu_log_on(lvl))						\
		printk(kern pr_fmt(fmt), ##__VA_ARGS__);		\
} while (0)
#define xvcpu_printk_rl(lvl, kern, fmt, ...)				\
do {									\
	if (xvcpu_log_on(lvl))						\
		printk_ratelimited(kern pr_fmt(fmt), ##__VA_ARGS__);	\
} while (0)

#undef pr_err
#undef pr_warn
#undef pr_notice
#undef pr_info
#undef pr_debug
#undef pr_err_ratelimited
#undef pr_warn_ratelimited
#undef pr_info_ratelimited
#undef pr_debug_ratelimited
#define pr_err(fmt, ...)	xvcpu_printk(LOGLEVEL_ERR, KERN_ERR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	xvcpu_printk(LOGLEVEL_WARNING, KERN_WARNING, fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...)	xvcpu_printk(LOGLEVEL_NOTICE, KERN_NOTICE, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	xvcpu_printk(LOGLEVEL_INFO, KERN_INFO, fmt, ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...) \
	xvcpu_printk_rl(LOGLEVEL_ERR, KERN_ERR, fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...) \
	xvcpu_printk_rl(LOGLEVEL_WARNING, KERN_WARNING, fmt, ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...) \
	xvcpu_printk_rl(LOGLEVEL_INFO, KERN_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)						\
do {									\
	if (xvcpu_log_on(LOGLEVEL_DEBUG))				\
		printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__);		\
	else								\
		xvcpu_dyndbg(fmt, ##__VA_ARGS__);			\
} while (0)
#define pr_debug_ratelimited(fmt, ...)					\
do {									\
	if (xvcpu_log_on(LOGLEVEL_DEBUG))				\
		printk_ratelimited(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__); \
	else								\
		xvcpu_dyndbg_rl(fmt, ##__VA_ARGS__);			\
} while (0)
#if defined(CONFIG_DYNAMIC_DEBUG) || \
	(defined(CONFIG_DYNAMIC_DEBUG_CORE) && defined(DYNAMIC_DEBUG_MODULE))
#define xvcpu_dyndbg(fmt, ...)	dynamic_pr_debug(fmt, ##__VA_ARGS__)
#define xvcpu_dyndbg_rl(fmt, ...)					\
do {									\
	static DEFINE_RATELIMIT_STATE(_rs, DEFAULT_RATELIMIT_INTERVAL,	\
				      DEFAULT_RATELIMIT_BURST);		\
	DEFINE_DYNAMIC_DEBUG_METADATA(descriptor, pr_fmt(fmt));		\
	if (DYNAMIC_DEBUG_BRANCH(descriptor) && __ratelimit(&_rs))	\
		__dynamic_pr_debug(&descriptor, pr_fmt(fmt), ##__VA_ARGS__); \
} while (0)
#else
#define xvcpu_dyndbg(fmt, ...)	no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define xvcpu_dyndbg_rl(fmt, ...) no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#endif

/* vmx/run.c: host state and speculation barriers for every vCPU. */
void xvcpu_vmx_host_init(void);

/* vmx/cpu.c: VMX operation on every online CPU. */
int xvcpu_vmx_cpus_init(void);
void xvcpu_vmx_cpus_exit(void);
/* Whether this module has VMXON done on @cpu (for the state view). */
bool xvcpu_vmx_cpu_on(unsigned int cpu);
bool xvcpu_vmx_rebooting(void);
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
