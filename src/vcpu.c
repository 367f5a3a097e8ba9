// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU object and its fd: creation, the run page mmap, and the vCPU
 * ioctls (copy-in and validation here, the work in vmx/ and regs/).
 * Process context; every ioctl holds vcpu->mutex, and loads the vCPU
 * (VMCS current, preemption off) only between copy-in and copy-out.
 */
#include "xvcpu.h"

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>

#include "vm.h"
#include "regs/regs.h"
#include "vmx/vmx.h"
#include "trace/policy.h"
#include "trace/trace.h"

static DEFINE_IDA(vpid_ida);

/* Sizes are ABI: a change here is a change of the shipped structs. */
static_assert(sizeof(struct xvcpu_run) == 320);
static_assert(offsetof(struct xvcpu_run, io) == 64);
static_assert(sizeof(struct xvcpu_regs) == 144);
static_assert(sizeof(struct xvcpu_segment) == 24);
static_assert(sizeof(struct xvcpu_dtable) == 16);
static_assert(sizeof(struct xvcpu_sregs) == 344);
static_assert(sizeof(struct xvcpu_memory_region) == 48);
static_assert(sizeof(struct xvcpu_msr_entry) == 16);
static_assert(sizeof(struct xvcpu_msrs) == 8);
static_assert(sizeof(struct xvcpu_cpuid_entry) == 40);
static_assert(sizeof(struct xvcpu_cpuid) == 8);
static_assert(sizeof(struct xvcpu_interrupt) == 8);
static_assert(sizeof(struct xvcpu_enable_cap) == 72);
static_assert(sizeof(struct xvcpu_run) <= XVCPU_RUN_IO_DATA_OFFSET);
static_assert(XVCPU_RUN_SIZE == PAGE_SIZE);
static_assert(sizeof(struct xvcpu_stats_header) == 24);
static_assert(sizeof(struct xvcpu_stats_desc) == 16);
static_assert(offsetof(struct xvcpu_stats_desc, name) == 16);
/* The entry's one test covers the recheck flag (vmx.h, little-endian). */
static_assert(offsetof(struct xvcpu_vcpu, trace_recheck) ==
	      offsetof(struct xvcpu_vcpu, work_word) + 3);
static_assert(offsetof(struct xvcpu_vcpu, work) ==
	      offsetof(struct xvcpu_vcpu, work_word));
static_assert(XVCPU_WORK_RECHECK == 1U << 24);
/* kvzalloc() takes 8 pages for it, not 16 (the kmalloc of order 3). */
static_assert(sizeof(struct xvcpu_vcpu) <= 8 * PAGE_SIZE);

static void vcpu_free(struct xvcpu_vcpu *vcpu)
{
	xvcpu_vmcs_destroy(vcpu);
	if (vcpu->fpu.fpstate)
		fpu_free_guest_fpstate(&vcpu->fpu);
	if (vcpu->vpid)
		ida_free(&vpid_ida, vcpu->vpid);
	if (vcpu->run_page)
		__free_page(vcpu->run_page);
	kvfree(vcpu->cpuid);
	xvcpu_stats_vcpu_put(vcpu);
}

static int vcpu_release(struct inode *inode, struct file *file)
{
	struct xvcpu_vcpu *vcpu = file->private_data;
	struct xvcpu_vm *vm = vcpu->vm;

	mutex_lock(&vm->lock);
	/* Readers under RCU may still write its trace_recheck: see vm.h. */
	RCU_INIT_POINTER(vm->vcpus[vcpu->id], NULL);
	vm->nr_vcpus--;
	mutex_unlock(&vm->lock);
	vcpu_free(vcpu);
	xvcpu_vm_put(vm);
	return 0;
}

static int vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xvcpu_vcpu *vcpu = file->private_data;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > XVCPU_RUN_SIZE)
		return -EINVAL;
	/* A private copy would never see the kernel's exits. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return vm_insert_page(vma, vma->vm_start, vcpu->run_page);
}

/* Load the vCPU for VMCS access from an ioctl. */
static int load(struct xvcpu_vcpu *vcpu)
{
	return xvcpu_vcpu_reload(vcpu);
}

static int get_msrs(struct xvcpu_vcpu *vcpu, void __user *argp, bool set)
{
	struct xvcpu_msrs hdr;
	struct xvcpu_msr_entry *e;
	size_t len;
	u32 i;
	int r;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.pad || !hdr.nmsrs)
		return -EINVAL;
	if (hdr.nmsrs > XVCPU_MAX_MSR_ENTRIES)
		return -E2BIG;
	len = hdr.nmsrs * sizeof(*e);
	e = memdup_user(argp + sizeof(hdr), len);
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < hdr.nmsrs; i++) {
		if (e[i].reserved) {
			r = -EINVAL;
			goto out;
		}
	}
	r = load(vcpu);
	if (r)
		goto out;
	for (i = 0; i < hdr.nmsrs; i++) {
		if (set ? xvcpu_set_msr(vcpu, e[i].index, e[i].data, true) :
			  xvcpu_get_msr(vcpu, e[i].index, &e[i].data))
			break;
	}
	xvcpu_vcpu_put(vcpu);
	r = i;
	if (!set && copy_to_user(argp + sizeof(hdr), e, len))
		r = -EFAULT;
out:
	kfree(e);
	return r;
}

static int set_cpuid(struct xvcpu_vcpu *vcpu, void __user *argp)
{
	struct xvcpu_cpuid hdr;
	struct xvcpu_cpuid_entry *e = NULL;
	u32 i;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.pad)
		return -EINVAL;
	if (hdr.nent > XVCPU_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		e = vmemdup_user(argp + sizeof(hdr), hdr.nent * sizeof(*e));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	for (i = 0; i < hdr.nent; i++) {
		if ((e[i].flags & ~XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX) ||
		    memchr_inv(e[i].reserved, 0, sizeof(e[i].reserved))) {
			kvfree(e);
			return -EINVAL;
		}
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	xvcpu_cpuid_index(vcpu);
	return 0;
}

static int get_cpuid(struct xvcpu_vcpu *vcpu, void __user *argp)
{
	struct xvcpu_cpuid hdr;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.pad)
		return -EINVAL;
	if (hdr.nent < vcpu->cpuid_nent) {
		hdr.nent = vcpu->cpuid_nent;
		if (copy_to_user(argp, &hdr, sizeof(hdr)))
			return -EFAULT;
		return -E2BIG;
	}
	hdr.nent = vcpu->cpuid_nent;
	if (copy_to_user(argp, &hdr, sizeof(hdr)) ||
	    copy_to_user(argp + sizeof(hdr), vcpu->cpuid,
			 hdr.nent * sizeof(*vcpu->cpuid)))
		return -EFAULT;
	return 0;
}

static long vcpu_ioctl_locked(struct xvcpu_vcpu *vcpu, unsigned int cmd,
			      void __user *argp, unsigned long arg)
{
	int r;

	switch (cmd) {
	case XVCPU_RUN:
		if (arg)
			return -EINVAL;
		xvcpu_stats_run_begin(&vcpu->stats);
		r = xvcpu_vcpu_run(vcpu);
		xvcpu_stats_run_end(&vcpu->stats, r, vcpu->run);
		/* xvcpu_entry.user_ns: the VMM's time starts now. */
		if (trace_xvcpu_entry_enabled()) {
			vcpu->trace_ret_ns = ktime_get_ns();
			vcpu->trace_ret_exits = vcpu->exit_count;
		}
		return r;
	case XVCPU_GET_REGS: {
		struct xvcpu_regs regs;

		r = load(vcpu);
		if (r)
			return r;
		xvcpu_get_regs(vcpu, &regs);
		xvcpu_vcpu_put(vcpu);
		return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
	}
	case XVCPU_SET_REGS: {
		struct xvcpu_regs regs;

		if (copy_from_user(&regs, argp, sizeof(regs)))
			return -EFAULT;
		r = load(vcpu);
		if (r)
			return r;
		r = xvcpu_set_regs(vcpu, &regs);
		xvcpu_vcpu_put(vcpu);
		return r;
	}
	case XVCPU_GET_SREGS: {
		struct xvcpu_sregs sregs;

		r = load(vcpu);
		if (r)
			return r;
		xvcpu_get_sregs(vcpu, &sregs);
		xvcpu_vcpu_put(vcpu);
		return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
	}
	case XVCPU_SET_SREGS: {
		struct xvcpu_sregs sregs;

		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			return -EFAULT;
		r = xvcpu_check_sregs(&sregs);
		if (r)
			return r;
		r = load(vcpu);
		if (r)
			return r;
		r = xvcpu_set_sregs(vcpu, &sregs);
		xvcpu_vcpu_put(vcpu);
		return r;
	}
	case XVCPU_GET_MSRS:
		return get_msrs(vcpu, argp, false);
	case XVCPU_SET_MSRS:
		return get_msrs(vcpu, argp, true);
	case XVCPU_SET_CPUID:
		return set_cpuid(vcpu, argp);
	case XVCPU_GET_CPUID:
		return get_cpuid(vcpu, argp);
	case XVCPU_INTERRUPT: {
		struct xvcpu_interrupt irq;

		if (copy_from_user(&irq, argp, sizeof(irq)))
			return -EFAULT;
		if (irq.reserved || irq.vector < 32 || irq.vector > 255)
			return -EINVAL;
		if (vcpu->pending_irq >= 0)
			return -EBUSY;
		vcpu->pending_irq = irq.vector;
		xvcpu_event_work(vcpu);
		return 0;
	}
	case XVCPU_GET_STATS_FD:
	case XVCPU_RESET_STATS:
		return xvcpu_stats_vcpu_ioctl(vcpu, cmd, arg);
	default:
		return -ENOTTY;
	}
}

static long vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct xvcpu_vcpu *vcpu = file->private_data;
	long r;

	if (current->mm != vcpu->vm->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	r = vcpu_ioctl_locked(vcpu, cmd, (void __user *)arg, arg);
	mutex_unlock(&vcpu->mutex);
	return r;
}

static const struct file_operations vcpu_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vcpu_mmap,
	.release = vcpu_release,
	.llseek = noop_llseek,
};

int xvcpu_create_vcpu(struct xvcpu_vm *vm, unsigned long id)
{
	struct xvcpu_vcpu *vcpu;
	int r, fd;

	if (id >= XVCPU_MAX_VCPUS)
		return -EINVAL;
	id = array_index_nospec(id, XVCPU_MAX_VCPUS);
	/* ~32 KiB with its stats; freed by xvcpu_stats_vcpu_put(). */
	vcpu = kvzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->vm_id = vm->id;
	xvcpu_trace_vcpu_init(vcpu);
	xvcpu_stats_vcpu_init(vcpu);
	vcpu->cpu = -1;
	INIT_LIST_HEAD(&vcpu->loaded_link);
	mutex_init(&vcpu->mutex);

	mutex_lock(&vm->lock);
	if (rcu_access_pointer(vm->vcpus[id])) {
		r = -EEXIST;
		goto err_unlock;
	}
	r = -ENOMEM;
	vcpu->run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->run_page)
		goto err_unlock;
	vcpu->run = page_address(vcpu->run_page);
	r = ida_alloc_range(&vpid_ida, 1, 0xffff, GFP_KERNEL);
	if (r < 0)
		goto err_unlock;
	vcpu->vpid = r;
	r = -ENOMEM;
	if (!fpu_alloc_guest_fpstate(&vcpu->fpu))
		goto err_unlock;
	r = xvcpu_cpuid_default(vcpu);
	if (r)
		goto err_unlock;
	r = xvcpu_vmcs_create(vcpu);
	if (r)
		goto err_unlock;

	refcount_inc(&vm->refs);
	rcu_assign_pointer(vm->vcpus[id], vcpu);
	vm->nr_vcpus++;
	fd = anon_inode_getfd("xvcpu-vcpu", &vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		RCU_INIT_POINTER(vm->vcpus[id], NULL);
		vm->nr_vcpus--;
		refcount_dec(&vm->refs);
		r = fd;
		goto err_unlock;
	}
	/* Before the unlock: a close from another thread waits for it. */
	trace_xvcpu_vcpu_create(vcpu);
	pr_debug("vm %u: vcpu %u created, VPID %u\n", vm->id, vcpu->id,
		 vcpu->vpid);
	mutex_unlock(&vm->lock);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
	vcpu_free(vcpu);
	return r;
}
