// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xvcpu, the system fd: argument copy-in and validation, then the
 * call into the part that does the work. Process context.
 *
 * The file operations name THIS_MODULE as owner, so every open fd holds
 * a module reference and the module cannot be unloaded under it.
 */
#include "xvcpu.h"

#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/uidgid.h>

#include "vm.h"
#include "vmx/caps.h"

static int group = -1;
module_param(group, int, 0444);
MODULE_PARM_DESC(group,
		 "gid that may open /dev/xvcpu (mode 0660); default: root only (0600)");

static long xvcpu_sys_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	switch (cmd) {
	case XVCPU_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return XVCPU_API_VERSION;
	case XVCPU_CHECK_CAP:
		return xvcpu_caps_check(arg);
	case XVCPU_CREATE_VM:
		return xvcpu_create_vm(arg);
	case XVCPU_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return XVCPU_RUN_SIZE;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations xvcpu_sys_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = xvcpu_sys_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice xvcpu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xvcpu",
	.fops = &xvcpu_sys_fops,
	.mode = 0600,
};

/*
 * The misc core creates the devtmpfs node root:root; give it the
 * requested group. udev, where it runs, may apply its own rules later.
 */
static int set_node_group(kgid_t gid)
{
	struct iattr attr = {
		.ia_valid = ATTR_GID,
		.ia_gid = gid,
	};
	struct path path;
	struct inode *inode;
	int r;

	r = kern_path("/dev/xvcpu", LOOKUP_FOLLOW, &path);
	if (r)
		return r;
	inode = d_inode(path.dentry);
	inode_lock(inode);
	r = notify_change(mnt_user_ns(path.mnt), path.dentry, &attr, NULL);
	inode_unlock(inode);
	path_put(&path);
	return r;
}

int __init xvcpu_dev_init(void)
{
	kgid_t gid = INVALID_GID;
	int r;

	if (group != -1) {
		gid = make_kgid(&init_user_ns, group);
		if (group < 0 || !gid_valid(gid)) {
			pr_err("not loading: invalid group=%d\n", group);
			return -EINVAL;
		}
		xvcpu_misc.mode = 0660;
	}
	r = misc_register(&xvcpu_misc);
	if (r) {
		pr_err("not loading: cannot register /dev/xvcpu (%d)\n", r);
		return r;
	}
	if (gid_valid(gid)) {
		r = set_node_group(gid);
		if (r)
			pr_warn("cannot set the group of /dev/xvcpu to %d (%d); set it with udev\n",
				group, r);
	}
	return 0;
}

void xvcpu_dev_exit(void)
{
	misc_deregister(&xvcpu_misc);
}
