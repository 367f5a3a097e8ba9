// SPDX-License-Identifier: GPL-2.0
/*
 * xvcpu: an Intel VT-x vCPU backend for user space.
 *
 * Load order: capabilities (may refuse), the one-owner guard, VMXON on
 * every CPU, the text views, and last the device, so that nothing can
 * reach the module before VMX is on everywhere. A failed load undoes
 * every step it did; unload undoes them in reverse.
 */
#include "xvcpu.h"

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "trace/stats.h"
#include "vmx/caps.h"

/* xvcpu.h: which pr_* print. The kernel's numbers: 3 err ... 7 debug. */
int xvcpu_loglevel = LOGLEVEL_INFO;

static int loglevel_set(const char *val, const struct kernel_param *kp)
{
	int n, r;

	r = kstrtoint(val, 10, &n);
	if (r || n < LOGLEVEL_EMERG || n > LOGLEVEL_DEBUG)
		return -EINVAL;
	WRITE_ONCE(xvcpu_loglevel, n);
	return 0;
}

static const struct kernel_param_ops loglevel_ops = {
	.set = loglevel_set,
	.get = param_get_int,
};

module_param_cb(loglevel, &loglevel_ops, &xvcpu_loglevel, 0644);
MODULE_PARM_DESC(loglevel,
		 "print messages of this level and more urgent: 0-7 (3 errors, 4 +warnings, 6 +info, the default, 7 +debug points); writable at run time");

static int __init xvcpu_init(void)
{
	int r;

	r = xvcpu_caps_init();
	if (r)
		return r;
	r = xvcpu_coexist_init();
	if (r)
		return r;
	xvcpu_vmx_host_init();
	r = xvcpu_vmx_cpus_init();
	if (r)
		goto err_coexist;
	r = xvcpu_stats_init();
	if (r)
		goto err_cpus;
	xvcpu_debugfs_init();
	r = xvcpu_dev_init();
	if (r)
		goto err_debugfs;
	pr_info("VMX on %u CPUs, VMCS revision 0x%x, API %d\n",
		num_online_cpus(), xvcpu_caps.cfg.revision_id,
		XVCPU_API_VERSION);
	return 0;

err_debugfs:
	xvcpu_debugfs_exit();
	xvcpu_stats_exit_module();
err_cpus:
	xvcpu_vmx_cpus_exit();
err_coexist:
	xvcpu_coexist_exit();
	return r;
}

static void __exit xvcpu_exit(void)
{
	xvcpu_dev_exit();
	xvcpu_debugfs_exit();
	xvcpu_stats_exit_module();
	xvcpu_vmx_cpus_exit();
	xvcpu_coexist_exit();
}

module_init(xvcpu_init);
module_exit(xvcpu_exit);

MODULE_DESCRIPTION("xvcpu: Intel VT-x vCPU backend with built-in observability");
MODULE_LICENSE("GPL");
