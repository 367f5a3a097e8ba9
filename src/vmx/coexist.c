// SPDX-License-Identifier: GPL-2.0
/*
 * One VMX owner at a time.
 *
 * A hypervisor that is in VMX operation has CR4.VMXE set; cpu.c refuses
 * VMXON on such a CPU. kvm_intel is subtler: it loads without entering
 * VMX operation (it does so when its first VM is created), but at load
 * it registers the kernel's single emergency-virtualization callback,
 * which xvcpu needs too. So:
 *  - kvm_intel already loaded  -> xvcpu refuses to load (-EBUSY);
 *  - xvcpu loaded              -> kvm_intel's load is refused (-EBUSY)
 *    from the module notifier, before its init code runs.
 * The notifier is registered before the check, so a kvm_intel load
 * racing with ours is caught by one side or the other.
 */
#include "../xvcpu.h"

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/string.h>

static const char *const vmx_owners[] = { "kvm_intel" };

static bool is_vmx_owner(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmx_owners); i++)
		if (!strcmp(name, vmx_owners[i]))
			return true;
	return false;
}

static int xvcpu_module_notify(struct notifier_block *nb,
			       unsigned long action, void *data)
{
	struct module *mod = data;

	if (action != MODULE_STATE_COMING || !is_vmx_owner(mod->name))
		return NOTIFY_DONE;
	pr_err_ratelimited("refusing to load %s: xvcpu owns VMX on every CPU (unload xvcpu first)\n",
			   mod->name);
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block xvcpu_module_nb = {
	.notifier_call = xvcpu_module_notify,
};

/* Loaded modules are kobjects of the kset our own module belongs to. */
static bool module_loaded(const char *name)
{
	struct kset *modules = THIS_MODULE->mkobj.kobj.kset;
	struct kobject *kobj;

	if (!modules)
		return false;
	kobj = kset_find_obj(modules, name);
	if (!kobj)
		return false;
	kobject_put(kobj);
	return true;
}

int __init xvcpu_coexist_init(void)
{
	unsigned int i;
	int r;

	r = register_module_notifier(&xvcpu_module_nb);
	if (r)
		return r;
	for (i = 0; i < ARRAY_SIZE(vmx_owners); i++) {
		if (module_loaded(vmx_owners[i])) {
			pr_err("not loading: %s is loaded and owns VMX (unload it first: rmmod %s)\n",
			       vmx_owners[i], vmx_owners[i]);
			unregister_module_notifier(&xvcpu_module_nb);
			return -EBUSY;
		}
	}
	return 0;
}

void xvcpu_coexist_exit(void)
{
	unregister_module_notifier(&xvcpu_module_nb);
}
