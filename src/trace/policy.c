// SPDX-License-Identifier: GPL-2.0
/*
 * The trace sampling policy (policy.h): the trace_policy module
 * parameter, the default a new VM starts with, and
 * XVCPU_SET_TRACE_POLICY, which changes one VM's. The run loop's traced
 * copy applies it (vmx/run.c).
 */
#include "../xvcpu.h"

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <asm/vmx.h>

#include "../vm.h"
#include "policy.h"

static_assert(XVCPU_TRACE_REASONS == XVCPU_STATS_REASONS);

/* The seed default: the frequent I/O and MSR exits 1 in 100, the rest all. */
#define DEFAULT_POLICY \
	"IO_INSTRUCTION:every100,MSR_READ:every100,MSR_WRITE:every100"
#define POLICY_MAX	1024

static const struct {
	u32 nr;
	const char *name;
} reason_names[] = { VMX_EXIT_REASONS };

/* The module parameter's text and its table, under policy_lock. */
static DEFINE_MUTEX(policy_lock);
static char policy_text[POLICY_MAX] = "default";
static u32 policy_every[XVCPU_STATS_ROWS];
static bool policy_parsed;	/* policy_every holds policy_text's table */

static void set_all(u32 *every, u32 n)
{
	unsigned int i;

	for (i = 0; i < XVCPU_STATS_ROWS; i++)
		every[i] = n;
}

/* "all", "off", "every<N>" (N >= 1): the N, 0 for off. */
static int parse_mode(const char *s, u32 *n)
{
	if (!strcmp(s, "all")) {
		*n = 1;
		return 0;
	}
	if (!strcmp(s, "off")) {
		*n = 0;
		return 0;
	}
	if (strncmp(s, "every", 5) || kstrtou32(s + 5, 10, n) || !*n)
		return -EINVAL;
	return 0;
}

/* A reason's name as <asm/vmx.h> spells it, or its number: its row. */
static int parse_reason(const char *s)
{
	unsigned int i;
	u32 nr;

	if (!kstrtou32(s, 10, &nr))
		return nr < XVCPU_STATS_REASONS ? nr + 1 : -EINVAL;
	for (i = 0; i < ARRAY_SIZE(reason_names); i++)
		if (!strcmp(s, reason_names[i].name))
			return reason_names[i].nr + 1;
	return -EINVAL;
}

static int parse_policy(const char *text, u32 *every);

/* "default", "*:<mode>" or "<reason>:<mode>", applied to @every. */
static int apply_item(char *item, u32 *every)
{
	char *colon = strchr(item, ':');
	int row, r;
	u32 n;

	if (!strcmp(item, "default"))
		return parse_policy(DEFAULT_POLICY, every);
	if (!colon)
		return -EINVAL;
	*colon = 0;
	r = parse_mode(colon + 1, &n);
	if (r)
		return r;
	if (!strcmp(item, "*")) {
		set_all(every, n);
		return 0;
	}
	row = parse_reason(item);
	if (row < 0)
		return row;
	every[row] = n;
	return 0;
}

/*
 * A comma-separated list of items, applied left to right to a table of
 * all reasons "all"; empty items and blanks around items are skipped.
 */
static int parse_policy(const char *text, u32 *every)
{
	char *buf, *p, *item;
	int r = 0;

	buf = kstrdup(text, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	set_all(every, 1);
	p = buf;
	while (!r && (item = strsep(&p, ",")) != NULL) {
		item = strim(item);
		if (*item)
			r = apply_item(item, every);
	}
	kfree(buf);
	return r;
}

static int policy_set(const char *val, const struct kernel_param *kp)
{
	u32 *every;
	size_t len;
	int r;

	len = strlen(val);
	if (len && val[len - 1] == '\n')
		len--;
	if (len >= POLICY_MAX)
		return -EINVAL;
	every = kmalloc_array(XVCPU_STATS_ROWS, sizeof(*every), GFP_KERNEL);
	if (!every)
		return -ENOMEM;
	r = parse_policy(val, every);
	if (!r) {
		mutex_lock(&policy_lock);
		memcpy(policy_every, every, sizeof(policy_every));
		memcpy(policy_text, val, len);
		policy_text[len] = 0;
		policy_parsed = true;
		mutex_unlock(&policy_lock);
	}
	kfree(every);
	return r;
}

static int policy_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&policy_lock);
	n = sysfs_emit(buf, "%s\n", policy_text);
	mutex_unlock(&policy_lock);
	return n;
}

static const struct kernel_param_ops policy_ops = {
	.set = policy_set,
	.get = policy_get,
};

module_param_cb(trace_policy, &policy_ops, NULL, 0644);
MODULE_PARM_DESC(trace_policy,
		 "trace sampling a new VM starts with: \"default\" and/or <REASON>|<nr>|*:all|off|every<N>, comma-separated (Documentation/tracing.rst)");

void xvcpu_trace_policy_vm_init(struct xvcpu_vm *vm)
{
	mutex_lock(&policy_lock);
	/* Before the first change of the parameter: the seed default. */
	if (!policy_parsed) {
		if (parse_policy(policy_text, policy_every))
			set_all(policy_every, 1);	/* no memory */
		else
			policy_parsed = true;
	}
	memcpy(vm->trace_every, policy_every, sizeof(vm->trace_every));
	mutex_unlock(&policy_lock);
}

long xvcpu_trace_policy_ioctl(struct xvcpu_vm *vm, void __user *argp)
{
	struct xvcpu_trace_policy p;
	unsigned int i;
	u32 n;

	if (copy_from_user(&p, argp, sizeof(p)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(p.reserved); i++)
		if (p.reserved[i])
			return -EINVAL;
	switch (p.mode) {
	case XVCPU_TRACE_ALL:
		n = 1;
		break;
	case XVCPU_TRACE_OFF:
		n = 0;
		break;
	case XVCPU_TRACE_EVERY:
		n = p.every;
		break;
	default:
		return -EINVAL;
	}
	if (!n && p.mode == XVCPU_TRACE_EVERY)
		return -EINVAL;
	if (p.every && p.mode != XVCPU_TRACE_EVERY)
		return -EINVAL;
	if (p.reason == XVCPU_TRACE_REASON_ALL) {
		for (i = 0; i < XVCPU_STATS_ROWS; i++)
			WRITE_ONCE(vm->trace_every[i], n);
		return 0;
	}
	if (p.reason >= XVCPU_TRACE_REASONS)
		return -EINVAL;
	WRITE_ONCE(vm->trace_every[p.reason + 1], n);
	return 0;
}
