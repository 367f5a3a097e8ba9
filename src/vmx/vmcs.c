// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS of a vCPU: allocation, the constant controls and host state,
 * the x86 reset state of the guest, and moving the VMCS between CPUs.
 *
 * Loading a vCPU (xvcpu_vcpu_load) disables preemption until the
 * matching xvcpu_vcpu_put: in between, the VMCS is current on this CPU
 * and the guest's STAR/LSTAR/CSTAR/SFMASK/KERNEL_GS_BASE are in the
 * hardware MSRs. Code that sleeps puts the vCPU first.
 */
#include "../xvcpu.h"

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "caps.h"
#include "vmcs.h"
#include "vmx.h"
#include "vmx_ops.h"

/* Host state that is the same for every CPU and every vCPU, read at load. */
static struct {
	unsigned long cr0;
	unsigned long idt_base;
	u64 pat, efer;
	u32 sysenter_cs;
	u64 xcr0;
	bool has_debugctl;	/* Bochs, for one, has no IA32_DEBUGCTL */
} host_const;

/* Host state saved by load, restored by put (this thread, this CPU). */
struct host_save {
	u16 ds, es, fs, gs, ldt;
	u64 fsbase;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	unsigned long dr7;
};
static DEFINE_PER_CPU(struct host_save, host_save);

/* The VM whose vCPU this CPU ran last (id and creation time: never reused). */
struct last_vm {
	u32 id;
	u64 created_ns;
};
static DEFINE_PER_CPU(struct last_vm, last_vm);

/* Preemption-timer slice: the guest exits at least this often (timer units). */
#define XVCPU_PREEMPT_SLICE	0x100000

/*
 * The one failure path of every VMX instruction but VMXON/VMXOFF (which
 * report their own refusal at load) and VM entry (run.c): none of these
 * can fail unless xvcpu has a bug, so the first failure WARNs with a
 * backtrace, as KVM's vmx_insn_failed() does, and the rest are counted
 * in rate-limited lines. @err is -EIO (VMfail) or -EFAULT (a fault:
 * VMX already off, e.g. on the reboot path).
 *
 * Except when VMX was switched off on this CPU under a running vCPU:
 * the reboot notifier's IPI (or the emergency callback) does VMCLEAR and
 * VMXOFF wherever the vCPU thread enables interrupts, e.g. right after a
 * VM exit, before the exit's fields are read. Then every VMX instruction
 * faults until the next VM entry fails and RUN returns -EIO: expected,
 * not a bug (KVM ignores such faults while kvm_rebooting is set). Found
 * by xvcpu_reboot_test: a WARN for VMREAD(EXIT_QUALIFICATION) on reboot.
 */
void xvcpu_vmx_insn_failed(const char *insn, u64 a, u64 b, int err)
{
	if (xvcpu_vmx_rebooting())
		return;
	if (WARN_ONCE(1, "xvcpu: %s(0x%llx, 0x%llx) failed: %d\n", insn, a,
		      b, err))
		return;
	pr_err_ratelimited("%s(0x%llx, 0x%llx) failed: %d\n", insn, a, b, err);
}

void xvcpu_vmread_error(unsigned long field)
{
	xvcpu_vmx_insn_failed("VMREAD", field, 0, -EIO);
}

void xvcpu_vmwrite_error(unsigned long field, unsigned long value)
{
	xvcpu_vmx_insn_failed("VMWRITE", field, value, -EIO);
}

/* Called from vmenter.S with the stack pointer the VM exit must restore. */
void xvcpu_vmx_update_host_rsp(struct xvcpu_gprs *regs, unsigned long rsp);
noinstr void xvcpu_vmx_update_host_rsp(struct xvcpu_gprs *regs,
				       unsigned long rsp)
{
	struct xvcpu_vcpu *vcpu = container_of(regs, struct xvcpu_vcpu, regs);

	if (unlikely(vcpu->host_rsp != rsp)) {
		vmcs_writel(HOST_RSP, rsp);
		vcpu->host_rsp = rsp;
	}
}

u64 xvcpu_host_xcr0(void)
{
	return host_const.xcr0;
}

/* At module load: host state every vCPU shares. */
void xvcpu_host_state_init(void)
{
	struct desc_ptr dt;
	u64 v;

	store_idt(&dt);
	host_const.idt_base = dt.address;
	rdmsrl(MSR_IA32_CR_PAT, host_const.pat);
	rdmsrl(MSR_EFER, host_const.efer);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	host_const.sysenter_cs = v;
	/* Only a host that runs with XSAVE has an XCR0 to read. */
	if (boot_cpu_has(X86_FEATURE_XSAVE) &&
	    (cr4_read_shadow() & X86_CR4_OSXSAVE))
		host_const.xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	host_const.cr0 = read_cr0();
	host_const.has_debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &v);
}

/* Host fields that depend on the CPU. */
static void set_host_per_cpu(int cpu)
{
	u64 v;

	vmcs_writel(HOST_TR_BASE,
		    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	vmcs_writel(HOST_GS_BASE, cpu_kernelmode_gs_base(cpu));
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, v);
}

static void set_host_const(void)
{
	vmcs_writel(HOST_CR0, host_const.cr0);
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_writel(HOST_IDTR_BASE, host_const.idt_base);
	vmcs_writel(HOST_RIP, (unsigned long)xvcpu_vmx_exit);
	vmcs_write32(HOST_IA32_SYSENTER_CS, host_const.sysenter_cs);
	vmcs_write64(HOST_IA32_PAT, host_const.pat);
	vmcs_write64(HOST_IA32_EFER, host_const.efer);
}

/*
 * CR0/CR4 bits that are ours: all but the allow-list of guest-owned bits
 * (vmx.h), so that any bit a future CPU adds traps too. A guest-owned
 * CR4 bit must also be one the guest is offered (cr.c).
 */
static unsigned long cr0_host_mask(void)
{
	return ~XVCPU_CR0_GUEST_OWNED;
}

static unsigned long cr4_host_mask(void)
{
	return ~(XVCPU_CR4_GUEST_OWNED & xvcpu_cr4_offered());
}

static void set_controls(struct xvcpu_vcpu *vcpu)
{
	const struct xvcpu_vmcs_config *cfg = &xvcpu_caps.cfg;
	u32 pin = cfg->ctl[XVCPU_CTL_PIN];

	if (xvcpu_ctl_allowed(cfg, XVCPU_CTL_PIN, 6)) {
		pin |= PIN_BASED_VMX_PREEMPTION_TIMER;
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, XVCPU_PREEMPT_SLICE);
	}
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, cfg->ctl[XVCPU_CTL_PROC]);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, cfg->ctl[XVCPU_CTL_PROC2]);
	vmcs_write32(VM_EXIT_CONTROLS, cfg->ctl[XVCPU_CTL_EXIT]);
	vmcs_write32(VM_ENTRY_CONTROLS, cfg->ctl[XVCPU_CTL_ENTRY]);
	/*
	 * #DB and #AC can be made to recur inside their own delivery, a
	 * loop no interrupt can break (CVE-2015-8104, CVE-2015-5307); a
	 * machine check is the host's. All three exit (event.c).
	 */
	vmcs_write32(EXCEPTION_BITMAP, BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) |
		     BIT(X86_TRAP_MC));
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write16(VIRTUAL_PROCESSOR_ID, vcpu->vpid);
	vmcs_write64(EPT_POINTER, vcpu->vm->ept.eptp);
	vmcs_write64(VMCS_LINK_POINTER, -1ull);
	vmcs_writel(CR0_GUEST_HOST_MASK, cr0_host_mask());
	vmcs_writel(CR4_GUEST_HOST_MASK, cr4_host_mask());
}

static void set_seg(unsigned long sel, unsigned long base, unsigned long limit,
		    unsigned long ar, u16 s, unsigned long b, u32 l, u32 a)
{
	vmcs_write16(sel, s);
	vmcs_writel(base, b);
	vmcs_write32(limit, l);
	vmcs_write32(ar, a);
}

#define SEG(name, s, b, l, a)						\
	set_seg(GUEST_##name##_SELECTOR, GUEST_##name##_BASE,		\
		GUEST_##name##_LIMIT, GUEST_##name##_AR_BYTES, s, b, l, a)

/* The architectural reset state (SDM vol. 3A, 9.1.1), like a power-on. */
void xvcpu_vmcs_reset_guest(struct xvcpu_vcpu *vcpu)
{
	SEG(CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
	SEG(DS, 0, 0, 0xffff, 0x93);
	SEG(ES, 0, 0, 0xffff, 0x93);
	SEG(FS, 0, 0, 0xffff, 0x93);
	SEG(GS, 0, 0, 0xffff, 0x93);
	SEG(SS, 0, 0, 0xffff, 0x93);
	SEG(TR, 0, 0, 0xffff, 0x8b);
	SEG(LDTR, 0, 0, 0xffff, 0x82);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_writel(GUEST_CR3, 0);
	vmcs_writel(GUEST_DR7, DR7_FIXED_1);
	xvcpu_work_set(vcpu, XVCPU_WORK_DR, false);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ull);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_writel(GUEST_FS_BASE, 0);
	vmcs_writel(GUEST_GS_BASE, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write64(GUEST_PDPTR0, 0);
	vmcs_write64(GUEST_PDPTR1, 0);
	vmcs_write64(GUEST_PDPTR2, 0);
	vmcs_write64(GUEST_PDPTR3, 0);
	memset(&vcpu->regs, 0, sizeof(vcpu->regs));
	/* EDX at reset holds the processor signature; we give family 6. */
	vcpu->regs.r[XR_RDX] = 0x600;
	vcpu->cr2 = 0;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr[6] = DR6_RESERVED;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	xvcpu_events_reset(vcpu);
	vcpu->pending = XVCPU_PENDING_NONE;
	xvcpu_set_efer(vcpu, 0);
	xvcpu_set_cr4(vcpu, 0);
	xvcpu_set_cr0(vcpu, X86_CR0_CD | X86_CR0_NW | X86_CR0_ET);
	xvcpu_msr_reset(vcpu);
}

static void vmclear_local(void *arg)
{
	struct xvcpu_vcpu *vcpu = arg;

	/* The CPU may have cleared it already on its way offline. */
	if (READ_ONCE(vcpu->cpu) != smp_processor_id())
		return;
	xvcpu_vmclear(vcpu->vmcs_pa);
	xvcpu_pcpu_vmcs_cleared(vcpu);
	vcpu->launched = false;
	/* launched before cpu: see vmclear_all_this_cpu() in cpu.c. */
	smp_store_release(&vcpu->cpu, -1);
}

/* VMCLEAR wherever the VMCS is active. Preemption disabled or not. */
static void vmclear_remote(struct xvcpu_vcpu *vcpu)
{
	int cpu = READ_ONCE(vcpu->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmclear_local, vcpu, 1);
}

/* Host SYSCALL MSRs and KERNEL_GS_BASE back in the hardware. */
static void guest_msrs_out(struct xvcpu_vcpu *vcpu, struct host_save *hs)
{
	/* The guest may have run SWAPGS. */
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->msr.kernel_gs_base);
	wrmsrl(MSR_STAR, hs->star);
	wrmsrl(MSR_LSTAR, hs->lstar);
	wrmsrl(MSR_CSTAR, hs->cstar);
	wrmsrl(MSR_SYSCALL_MASK, hs->sfmask);
	wrmsrl(MSR_KERNEL_GS_BASE, hs->kernel_gs_base);
	vcpu->msrs_switched = false;
}

/*
 * SYSCALL uses STAR/LSTAR/CSTAR/SFMASK and SWAPGS uses KERNEL_GS_BASE
 * without exiting, so the hardware must hold the guest's values while a
 * guest that can execute them runs: one with EFER.SCE, or in long mode.
 * Other guests (real mode, most protected-mode code) leave the host's
 * in place and save ten MSR accesses per RUN. Vcpu loaded.
 */
void xvcpu_sync_guest_msrs(struct xvcpu_vcpu *vcpu)
{
	struct host_save *hs = this_cpu_ptr(&host_save);
	bool need = vmcs_read64(GUEST_IA32_EFER) & (EFER_SCE | EFER_LMA);

	if (need == vcpu->msrs_switched)
		return;
	if (!need) {
		guest_msrs_out(vcpu, hs);
		return;
	}
	rdmsrl(MSR_STAR, hs->star);
	rdmsrl(MSR_LSTAR, hs->lstar);
	rdmsrl(MSR_CSTAR, hs->cstar);
	rdmsrl(MSR_SYSCALL_MASK, hs->sfmask);
	rdmsrl(MSR_KERNEL_GS_BASE, hs->kernel_gs_base);
	wrmsrl(MSR_STAR, vcpu->msr.star);
	wrmsrl(MSR_LSTAR, vcpu->msr.lstar);
	wrmsrl(MSR_CSTAR, vcpu->msr.cstar);
	wrmsrl(MSR_SYSCALL_MASK, vcpu->msr.sfmask);
	wrmsrl(MSR_KERNEL_GS_BASE, vcpu->msr.kernel_gs_base);
	vcpu->msrs_switched = true;
}

/*
 * Another VM's vCPU on this CPU: branch predictions trained by the last
 * guest must not steer this one (IBPB, when the host kernel uses it:
 * spectre_v2_user). KVM does it on every VMCS switch.
 */
static void switch_vm_barrier(struct xvcpu_vm *vm)
{
	struct last_vm *last = this_cpu_ptr(&last_vm);

	if (last->id == vm->id && last->created_ns == vm->created_ns)
		return;
	indirect_branch_prediction_barrier();
	last->id = vm->id;
	last->created_ns = vm->created_ns;
}

int xvcpu_vcpu_load(struct xvcpu_vcpu *vcpu)
{
	struct host_save *hs;
	unsigned long cr;
	int cpu;

	preempt_disable();
	cpu = smp_processor_id();
	if (!xvcpu_this_cpu_vmx_on()) {
		/* This CPU is going offline (or rebooting): run elsewhere. */
		preempt_enable();
		return -EAGAIN;
	}
	/* Pairs with the release where a VMCS is cleared: launched is fresh. */
	if (smp_load_acquire(&vcpu->cpu) != cpu) {
		unsigned long flags;

		vmclear_remote(vcpu);
		local_irq_save(flags);
		/*
		 * Not active anywhere now. A new VMCS has never been
		 * cleared, and its launch state is undefined until it is
		 * (SDM 25.11.3): VMCLEAR before every first VMPTRLD here.
		 */
		if (xvcpu_vmclear(vcpu->vmcs_pa) ||
		    xvcpu_vmptrld(vcpu->vmcs_pa)) {
			local_irq_restore(flags);
			preempt_enable();
			return -EIO;
		}
		xvcpu_pcpu_vmcs_loaded(vcpu);
		WRITE_ONCE(vcpu->cpu, cpu);
		local_irq_restore(flags);
		set_host_per_cpu(cpu);
		/* TLB entries tagged with our VPID here may be stale. */
		xvcpu_invvpid_single(vcpu->vpid);
		switch_vm_barrier(vcpu->vm);
	} else if (!xvcpu_pcpu_vmcs_is_current(vcpu)) {
		if (xvcpu_vmptrld(vcpu->vmcs_pa)) {
			preempt_enable();
			return -EIO;
		}
		xvcpu_pcpu_set_current(vcpu);
		switch_vm_barrier(vcpu->vm);
	}
	/* Per-process and per-CPU host state, written only when it changes. */
	cr = __read_cr3();
	if (cr != vcpu->host_cr3) {
		vmcs_writel(HOST_CR3, cr);
		vcpu->host_cr3 = cr;
	}
	cr = cr4_read_shadow();
	if (cr != vcpu->host_cr4) {
		vmcs_writel(HOST_CR4, cr);
		vcpu->host_cr4 = cr;
	}
	hs = this_cpu_ptr(&host_save);
	/* FSGSBASE lets user space change it behind thread.fsbase. */
	rdmsrl(MSR_FS_BASE, hs->fsbase);
	if (hs->fsbase != vcpu->host_fs_base) {
		vmcs_writel(HOST_FS_BASE, hs->fsbase);
		vcpu->host_fs_base = hs->fsbase;
	}
	savesegment(ds, hs->ds);
	savesegment(es, hs->es);
	savesegment(fs, hs->fs);
	savesegment(gs, hs->gs);
	store_ldt(hs->ldt);
	get_debugreg(hs->dr7, 7);
	/* Every VM exit clears IA32_DEBUGCTL (LBR, BTF): run.c restores it. */
	vcpu->host_debugctl = 0;
	if (host_const.has_debugctl)
		rdmsrl(MSR_IA32_DEBUGCTLMSR, vcpu->host_debugctl);
	xvcpu_work_set(vcpu, XVCPU_WORK_DEBUGCTL, vcpu->host_debugctl);
	vcpu->loaded = true;
	xvcpu_sync_guest_msrs(vcpu);
	vcpu->loaded = true;
	return 0;
}

/* Load, or wait until we run on a CPU that is in VMX operation. */
int xvcpu_vcpu_reload(struct xvcpu_vcpu *vcpu)
{
	int r;

	for (;;) {
		r = xvcpu_vcpu_load(vcpu);
		if (r != -EAGAIN)
			return r;
		if (signal_pending(current))
			return -EINTR;
		/* This CPU is going offline; the scheduler will move us. */
		cond_resched();
	}
}

void xvcpu_vcpu_put(struct xvcpu_vcpu *vcpu)
{
	struct host_save *hs = this_cpu_ptr(&host_save);
	unsigned long flags;
	u64 gsbase;

	if (!vcpu->loaded)
		return;
	if (vcpu->msrs_switched)
		guest_msrs_out(vcpu, hs);

	/* A VM exit left null selectors, a 0xffff GDT limit and TR limit. */
	/* Null DS/ES (what 64-bit processes have) are what the exit left. */
	if (hs->ds)
		loadsegment(ds, hs->ds);
	if (hs->es)
		loadsegment(es, hs->es);
	if (hs->fs) {
		loadsegment(fs, hs->fs);
		wrmsrl(MSR_FS_BASE, hs->fsbase);
	}
	if (hs->gs) {
		/* load_gs_index changes the user GS base: put it back. */
		local_irq_save(flags);
		rdmsrl(MSR_KERNEL_GS_BASE, gsbase);
		load_gs_index(hs->gs);
		wrmsrl(MSR_KERNEL_GS_BASE, gsbase);
		local_irq_restore(flags);
	}
	load_fixmap_gdt(smp_processor_id());
	/* The exit left LDTR null; a process with an LDT needs its own. */
	if (hs->ldt)
		asm volatile("lldt %w0" : : "r"(hs->ldt));
	invalidate_tss_limit();
	if (hs->dr7 != DR7_FIXED_1)
		set_debugreg(hs->dr7, 7);
	vcpu->loaded = false;
	preempt_enable();
}

int xvcpu_vmcs_create(struct xvcpu_vcpu *vcpu)
{
	struct page *page;
	int r;

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	vcpu->vmcs = page_address(page);
	vcpu->vmcs_pa = page_to_phys(page);
	*(u32 *)vcpu->vmcs = xvcpu_caps.cfg.revision_id;
	vcpu->cpu = -1;
	INIT_LIST_HEAD(&vcpu->loaded_link);

	r = xvcpu_vcpu_load(vcpu);
	if (r) {
		__free_page(page);
		vcpu->vmcs = NULL;
		return r;
	}
	set_controls(vcpu);
	set_host_const();
	xvcpu_vmcs_reset_guest(vcpu);
	xvcpu_vcpu_put(vcpu);
	return 0;
}

void xvcpu_vmcs_destroy(struct xvcpu_vcpu *vcpu)
{
	if (!vcpu->vmcs)
		return;
	/* Hotplug must not move the VMCS while we clear it. */
	cpus_read_lock();
	vmclear_remote(vcpu);
	cpus_read_unlock();
	free_page((unsigned long)vcpu->vmcs);
	vcpu->vmcs = NULL;
}

/*
 * A VMCS dump for failures: at most 2 per VM and 10 in all every 5 s.
 * The per-VM limit alone let any user flood the log (a few hundred
 * lines a second on a serial console) by creating VMs with guest state
 * that fails VM entry, one dump each (found by xvcpu_fuzz_test's chaos
 * guests). KVM dumps only with dump_invalid_vmcs=1.
 */
void xvcpu_vmcs_dump_ratelimited(struct xvcpu_vcpu *vcpu)
{
	static DEFINE_RATELIMIT_STATE(all_rs, 5 * HZ, 10);

	if (__ratelimit(&vcpu->vm->dump_rs) && __ratelimit(&all_rs))
		xvcpu_vmcs_dump(vcpu);
}

/* A VMCS dump for failures; xvcpu_vmcs_dump_ratelimited() limits it. */
void xvcpu_vmcs_dump(struct xvcpu_vcpu *vcpu)
{
	pr_err("vm %u vcpu %u VMCS dump:\n", vcpu->vm->id, vcpu->id);
	pr_err("  RIP 0x%lx RSP 0x%lx RFLAGS 0x%lx\n", vmcs_readl(GUEST_RIP),
	       vmcs_readl(GUEST_RSP), vmcs_readl(GUEST_RFLAGS));
	pr_err("  CR0 0x%lx (shadow 0x%lx) CR3 0x%lx CR4 0x%lx (shadow 0x%lx)\n",
	       vmcs_readl(GUEST_CR0), vmcs_readl(CR0_READ_SHADOW),
	       vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_CR4),
	       vmcs_readl(CR4_READ_SHADOW));
	pr_err("  EFER 0x%llx PAT 0x%llx\n", vmcs_read64(GUEST_IA32_EFER),
	       vmcs_read64(GUEST_IA32_PAT));
	pr_err("  CS sel 0x%x base 0x%lx limit 0x%x ar 0x%x\n",
	       vmcs_read16(GUEST_CS_SELECTOR), vmcs_readl(GUEST_CS_BASE),
	       vmcs_read32(GUEST_CS_LIMIT), vmcs_read32(GUEST_CS_AR_BYTES));
	pr_err("  SS sel 0x%x base 0x%lx limit 0x%x ar 0x%x\n",
	       vmcs_read16(GUEST_SS_SELECTOR), vmcs_readl(GUEST_SS_BASE),
	       vmcs_read32(GUEST_SS_LIMIT), vmcs_read32(GUEST_SS_AR_BYTES));
	pr_err("  TR sel 0x%x base 0x%lx limit 0x%x ar 0x%x\n",
	       vmcs_read16(GUEST_TR_SELECTOR), vmcs_readl(GUEST_TR_BASE),
	       vmcs_read32(GUEST_TR_LIMIT), vmcs_read32(GUEST_TR_AR_BYTES));
	pr_err("  GDTR 0x%lx/0x%x IDTR 0x%lx/0x%x\n", vmcs_readl(GUEST_GDTR_BASE),
	       vmcs_read32(GUEST_GDTR_LIMIT), vmcs_readl(GUEST_IDTR_BASE),
	       vmcs_read32(GUEST_IDTR_LIMIT));
	pr_err("  interruptibility 0x%x activity 0x%x entry intr 0x%x\n",
	       vmcs_read32(GUEST_INTERRUPTIBILITY_INFO),
	       vmcs_read32(GUEST_ACTIVITY_STATE),
	       vmcs_read32(VM_ENTRY_INTR_INFO_FIELD));
	pr_err("  controls pin 0x%x proc 0x%x proc2 0x%x entry 0x%x exit 0x%x\n",
	       vmcs_read32(PIN_BASED_VM_EXEC_CONTROL),
	       vmcs_read32(CPU_BASED_VM_EXEC_CONTROL),
	       vmcs_read32(SECONDARY_VM_EXEC_CONTROL),
	       vmcs_read32(VM_ENTRY_CONTROLS), vmcs_read32(VM_EXIT_CONTROLS));
	/* EPTP is a host physical address: shown as kptr_restrict allows. */
	pr_err("  exit reason 0x%x qualification 0x%lx EPTP %pK VPID %u\n",
	       vmcs_read32(VM_EXIT_REASON), vmcs_readl(EXIT_QUALIFICATION),
	       (void *)(unsigned long)vmcs_read64(EPT_POINTER),
	       vmcs_read16(VIRTUAL_PROCESSOR_ID));
	pr_err("  IDT-vectoring 0x%x exit interruption 0x%x exception bitmap 0x%x\n",
	       vmcs_read32(IDT_VECTORING_INFO_FIELD),
	       vmcs_read32(VM_EXIT_INTR_INFO), vmcs_read32(EXCEPTION_BITMAP));
}
