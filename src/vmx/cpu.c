// SPDX-License-Identifier: GPL-2.0
/*
 * VMX operation on every CPU: VMXON when a CPU comes online (and for
 * every online CPU at load), VMXOFF when it goes offline, at unload, on
 * reboot and kexec (reboot notifier), on suspend (syscore) and on the
 * emergency paths (crash, panic reboot) through the kernel's emergency
 * virtualization callback, which runs in NMI context.
 *
 * Locking: each CPU's state is touched only on that CPU with interrupts
 * off (hotplug callbacks run on the CPU concerned; on_each_cpu for the
 * reboot path), so the per-CPU fields need no lock.
 */
#include "../xvcpu.h"

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/syscore_ops.h>
#include <asm/msr.h>
#include <asm/reboot.h>
#include <asm/tlbflush.h>
#include <asm/virtext.h>

#include "caps.h"
#include "vmx.h"
#include "vmx_ops.h"

struct xvcpu_pcpu {
	struct page *vmxon_page;	/* (h) allocated on first online */
	bool vmx_on;			/* (c) VMXON done by us */
	u64 vmxon_count;		/* (c) VMXONs since load */
	struct list_head loaded;	/* (c) vCPUs whose VMCS is active here */
	struct xvcpu_vcpu *current_vcpu;/* (c) whose VMCS is current */
};

/*
 * (h) written by this CPU's hotplug callback, freed at unload after the
 *     hotplug state is removed
 * (c) only this CPU, interrupts off
 */
static DEFINE_PER_CPU(struct xvcpu_pcpu, xvcpu_pcpu);

static enum cpuhp_state xvcpu_hp_state;
static bool xvcpu_rebooting;	/* no VMXON after the reboot notifier */

static bool cr_fixed_ok(unsigned long cr, u64 fixed0, u64 fixed1)
{
	return (cr & fixed0) == fixed0 && !(cr & ~fixed1);
}

/* VMXON on this CPU. Interrupts off. */
static int vmx_enable_this_cpu(void)
{
	struct xvcpu_pcpu *p = this_cpu_ptr(&xvcpu_pcpu);
	const struct xvcpu_vmx_msrs *m = &xvcpu_caps.msrs;
	int cpu = smp_processor_id();
	u64 feat, basic;
	int r;

	if (p->vmx_on)
		return 0;
	if (!p->loaded.next)
		INIT_LIST_HEAD(&p->loaded);
	if (READ_ONCE(xvcpu_rebooting))
		return -EBUSY;
	/* Someone else (kvm_intel, VirtualBox, ...) is in VMX operation. */
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("VMX is already in use on CPU %d by another hypervisor (CR4.VMXE is set)\n",
		       cpu);
		return -EBUSY;
	}
	if (rdmsrl_safe(MSR_IA32_VMX_BASIC, &basic) || basic != m->basic) {
		pr_err("CPU %d reports different VMX capabilities (IA32_VMX_BASIC 0x%llx, expected 0x%llx)\n",
		       cpu, basic, m->basic);
		return -EIO;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat))
		return -EIO;
	if (!(feat & FEAT_CTL_LOCKED)) {
		/* Firmware left it open: enable and lock it, as KVM does. */
		feat |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		if (wrmsrl_safe(MSR_IA32_FEAT_CTL, feat))
			return -EIO;
	} else if (!(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled and locked by firmware on CPU %d\n",
		       cpu);
		return -EPERM;
	}
	if (!cr_fixed_ok(read_cr0(), m->cr0_fixed0, m->cr0_fixed1) ||
	    !cr_fixed_ok(__read_cr4() | X86_CR4_VMXE, m->cr4_fixed0,
			 m->cr4_fixed1)) {
		pr_err("CPU %d: CR0/CR4 do not meet the VMX fixed bits\n", cpu);
		return -EIO;
	}

	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	r = xvcpu_vmxon(page_to_phys(p->vmxon_page));
	if (r) {
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		pr_err("VMXON failed on CPU %d (%d)\n", cpu, r);
		return r;
	}
	/*
	 * An earlier VMX owner of this CPU (kvm_intel, or xvcpu before a
	 * reload) may have left guest-physical translations for an EPTP
	 * that one of ours reuses: drop them all (KVM does the same).
	 */
	r = xvcpu_invept(XVCPU_INVEPT_GLOBAL, 0);
	if (r) {
		xvcpu_vmxoff();
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		return r;
	}
	p->vmx_on = true;
	p->vmxon_count++;
	return 0;
}

bool xvcpu_this_cpu_vmx_on(void)
{
	return this_cpu_read(xvcpu_pcpu.vmx_on);
}

/* The VMCS of @vcpu was VMPTRLD'ed here. Interrupts off. */
void xvcpu_pcpu_vmcs_loaded(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_pcpu *p = this_cpu_ptr(&xvcpu_pcpu);

	list_add(&vcpu->loaded_link, &p->loaded);
	p->current_vcpu = vcpu;
}

/* The VMCS of @vcpu was VMCLEAR'ed here. Interrupts off. */
void xvcpu_pcpu_vmcs_cleared(struct xvcpu_vcpu *vcpu)
{
	struct xvcpu_pcpu *p = this_cpu_ptr(&xvcpu_pcpu);

	list_del_init(&vcpu->loaded_link);
	if (p->current_vcpu == vcpu)
		p->current_vcpu = NULL;
}

bool xvcpu_pcpu_vmcs_is_current(struct xvcpu_vcpu *vcpu)
{
	return this_cpu_read(xvcpu_pcpu.current_vcpu) == vcpu;
}

void xvcpu_pcpu_set_current(struct xvcpu_vcpu *vcpu)
{
	this_cpu_write(xvcpu_pcpu.current_vcpu, vcpu);
}

/* Write every active VMCS back to memory before VMX goes off here. */
static void vmclear_all_this_cpu(void)
{
	struct xvcpu_pcpu *p = this_cpu_ptr(&xvcpu_pcpu);
	struct xvcpu_vcpu *vcpu, *tmp;

	if (!p->loaded.next)	/* list never initialised: nothing loaded */
		return;
	list_for_each_entry_safe(vcpu, tmp, &p->loaded, loaded_link) {
		xvcpu_vmclear(vcpu->vmcs_pa);
		list_del_init(&vcpu->loaded_link);
		vcpu->launched = false;
		/*
		 * launched before cpu: a load racing on another CPU that
		 * sees cpu == -1 must also see launched == false, or it
		 * would VMRESUME a cleared VMCS (pairs with the acquire in
		 * xvcpu_vcpu_load).
		 */
		smp_store_release(&vcpu->cpu, -1);
	}
	p->current_vcpu = NULL;
}

/* VMXOFF on this CPU; never leaves CR4.VMXE set. Interrupts off. */
static void vmx_disable_this_cpu(void)
{
	struct xvcpu_pcpu *p = this_cpu_ptr(&xvcpu_pcpu);

	if (!p->vmx_on)
		return;
	vmclear_all_this_cpu();
	if (xvcpu_vmxoff())
		pr_warn("VMXOFF failed on CPU %d\n", smp_processor_id());
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	p->vmx_on = false;
}

static int xvcpu_cpu_online(unsigned int cpu)
{
	struct xvcpu_pcpu *p = per_cpu_ptr(&xvcpu_pcpu, cpu);
	unsigned long flags;
	int r;

	if (!p->vmxon_page) {
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			return -ENOMEM;
		/* The VMXON region starts with the VMCS revision identifier. */
		*(u32 *)page_address(page) = xvcpu_caps.cfg.revision_id;
		p->vmxon_page = page;
	}
	local_irq_save(flags);
	r = vmx_enable_this_cpu();
	local_irq_restore(flags);
	return r;
}

static int xvcpu_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	vmx_disable_this_cpu();
	local_irq_restore(flags);
	return 0;
}

static void vmx_disable_ipi(void *unused)
{
	vmx_disable_this_cpu();
}

static int xvcpu_reboot(struct notifier_block *nb, unsigned long code,
			void *unused)
{
	/* Orderly reboot, halt, power off and kexec: INIT must work after. */
	WRITE_ONCE(xvcpu_rebooting, true);
	on_each_cpu(vmx_disable_ipi, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block xvcpu_reboot_nb = {
	.notifier_call = xvcpu_reboot,
};

/* Crash and emergency reboot, NMI context: no locks, no printk. */
static void xvcpu_emergency_disable(void)
{
	struct xvcpu_pcpu *p = this_cpu_ptr(&xvcpu_pcpu);
	struct xvcpu_vcpu *vcpu;

	/* Flush guest state to memory so that a crash dump holds it. */
	if (p->vmx_on && p->loaded.next)
		list_for_each_entry(vcpu, &p->loaded, loaded_link)
			__xvcpu_vmclear(vcpu->vmcs_pa);
	this_cpu_write(xvcpu_pcpu.vmx_on, false);
	WRITE_ONCE(xvcpu_rebooting, true);
	__cpu_emergency_vmxoff();
}

static int xvcpu_suspend(void)
{
	vmx_disable_this_cpu();
	return 0;
}

static void xvcpu_resume(void)
{
	/* Only the boot CPU is up here; the others come back via hotplug. */
	if (vmx_enable_this_cpu())
		pr_err("VMXON failed on resume on CPU %d\n",
		       smp_processor_id());
}

static struct syscore_ops xvcpu_syscore_ops = {
	.suspend = xvcpu_suspend,
	.resume = xvcpu_resume,
};

/*
 * VMX is being switched off for a reboot, kexec or emergency restart: a
 * VMX instruction of a vCPU caught in the middle faults, expectedly.
 */
bool xvcpu_vmx_rebooting(void)
{
	return READ_ONCE(xvcpu_rebooting);
}

bool xvcpu_vmx_cpu_on(unsigned int cpu)
{
	return READ_ONCE(per_cpu(xvcpu_pcpu, cpu).vmx_on);
}

u64 xvcpu_vmx_cpu_vmxon_count(unsigned int cpu)
{
	return READ_ONCE(per_cpu(xvcpu_pcpu, cpu).vmxon_count);
}

static void free_vmxon_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xvcpu_pcpu *p = per_cpu_ptr(&xvcpu_pcpu, cpu);

		if (p->vmxon_page)
			__free_page(p->vmxon_page);
		p->vmxon_page = NULL;
		p->vmxon_count = 0;
	}
}

int __init xvcpu_vmx_cpus_init(void)
{
	int r;

	xvcpu_rebooting = false;
	cpu_emergency_register_virt_callback(xvcpu_emergency_disable);
	/* Failure on any CPU rolls back the CPUs already done. */
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "xvcpu/vmx:online",
			      xvcpu_cpu_online, xvcpu_cpu_offline);
	if (r < 0) {
		cpu_emergency_unregister_virt_callback(xvcpu_emergency_disable);
		free_vmxon_pages();
		return r;
	}
	xvcpu_hp_state = r;
	register_reboot_notifier(&xvcpu_reboot_nb);
	register_syscore_ops(&xvcpu_syscore_ops);
	return 0;
}

void xvcpu_vmx_cpus_exit(void)
{
	unregister_syscore_ops(&xvcpu_syscore_ops);
	unregister_reboot_notifier(&xvcpu_reboot_nb);
	cpuhp_remove_state(xvcpu_hp_state);
	cpu_emergency_unregister_virt_callback(xvcpu_emergency_disable);
	free_vmxon_pages();
}
