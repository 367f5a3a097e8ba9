// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object and its fd: guest memory slots, vCPU creation, VM
 * capabilities, lifetime. Process context.
 */
#include "xvcpu.h"

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vm.h"
#include "ept/ept.h"

static DEFINE_IDA(vm_ida);

struct xvcpu_memslot *xvcpu_find_slot(struct xvcpu_vm *vm, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < XVCPU_MAX_MEMSLOTS; i++) {
		struct xvcpu_memslot *s = &vm->slots[i];

		if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

static void vm_destroy(struct xvcpu_vm *vm)
{
	xvcpu_ept_destroy(vm);
	mmdrop(vm->mm);
	ida_free(&vm_ida, vm->id);
	kfree(vm);
}

void xvcpu_vm_put(struct xvcpu_vm *vm)
{
	if (refcount_dec_and_test(&vm->refs))
		vm_destroy(vm);
}

static int set_memory_region(struct xvcpu_vm *vm,
			     const struct xvcpu_memory_region *mr)
{
	struct xvcpu_memslot *slot;
	u64 end;
	unsigned int i;
	int r = 0;

	if (mr->reserved[0] || mr->reserved[1] || mr->slot >= XVCPU_MAX_MEMSLOTS ||
	    (mr->flags & ~XVCPU_MEM_READONLY))
		return -EINVAL;
	slot = &vm->slots[mr->slot];

	mutex_lock(&vm->mmu_lock);
	if (!mr->memory_size) {
		if (!slot->size) {
			r = -ENOENT;
		} else {
			xvcpu_ept_unmap_range(vm, slot->gpa, slot->size);
			memset(slot, 0, sizeof(*slot));
		}
		goto out;
	}
	if (!PAGE_ALIGNED(mr->guest_phys_addr) ||
	    !PAGE_ALIGNED(mr->memory_size) || !PAGE_ALIGNED(mr->userspace_addr) ||
	    check_add_overflow(mr->guest_phys_addr, mr->memory_size, &end) ||
	    end > BIT_ULL(XVCPU_EPT_GPA_BITS) ||
	    mr->userspace_addr + mr->memory_size < mr->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)mr->userspace_addr,
		       mr->memory_size)) {
		r = -EINVAL;
		goto out;
	}
	if (slot->size) {
		r = -EBUSY;	/* delete the slot first */
		goto out;
	}
	for (i = 0; i < XVCPU_MAX_MEMSLOTS; i++) {
		struct xvcpu_memslot *o = &vm->slots[i];

		if (o->size && mr->guest_phys_addr < o->gpa + o->size &&
		    o->gpa < end) {
			r = -EEXIST;
			goto out;
		}
	}
	slot->gpa = mr->guest_phys_addr;
	slot->uaddr = mr->userspace_addr;
	slot->flags = mr->flags;
	slot->size = mr->memory_size;
out:
	mutex_unlock(&vm->mmu_lock);
	return r;
}

static int enable_cap(struct xvcpu_vm *vm, const struct xvcpu_enable_cap *c)
{
	if (c->flags || memchr_inv(c->args, 0, sizeof(c->args)) ||
	    memchr_inv(c->reserved, 0, sizeof(c->reserved)))
		return -EINVAL;
	switch (c->cap) {
	case XVCPU_CAP_USER_MSR_EXITS:
		mutex_lock(&vm->lock);
		vm->user_msr_exits = true;
		mutex_unlock(&vm->lock);
		return 0;
	default:
		return -EINVAL;
	}
}

static long vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct xvcpu_vm *vm = file->private_data;
	void __user *argp = (void __user *)arg;

	/* Guest memory is the creator's memory: no other process may drive it. */
	if (current->mm != vm->mm)
		return -EIO;

	switch (cmd) {
	case XVCPU_SET_MEMORY_REGION: {
		struct xvcpu_memory_region mr;

		if (copy_from_user(&mr, argp, sizeof(mr)))
			return -EFAULT;
		return set_memory_region(vm, &mr);
	}
	case XVCPU_CREATE_VCPU:
		return xvcpu_create_vcpu(vm, arg);
	case XVCPU_ENABLE_CAP: {
		struct xvcpu_enable_cap cap;

		if (copy_from_user(&cap, argp, sizeof(cap)))
			return -EFAULT;
		return enable_cap(vm, &cap);
	}
	default:
		return -ENOTTY;
	}
}

static int vm_release(struct inode *inode, struct file *file)
{
	xvcpu_vm_put(file->private_data);
	return 0;
}

static const struct file_operations vm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vm_release,
	.llseek = noop_llseek,
};

long xvcpu_create_vm(unsigned long type)
{
	struct xvcpu_vm *vm;
	int r, fd;

	if (type)
		return -EINVAL;
	if (!current->mm)
		return -EINVAL;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	r = ida_alloc(&vm_ida, GFP_KERNEL);
	if (r < 0) {
		kfree(vm);
		return r;
	}
	vm->id = r;
	refcount_set(&vm->refs, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	ratelimit_state_init(&vm->dump_rs, 5 * HZ, 2);
	vm->created_ns = ktime_get_ns();
	mmgrab(current->mm);
	vm->mm = current->mm;
	r = xvcpu_ept_init(vm);
	if (r)
		goto err;
	fd = anon_inode_getfd("xvcpu-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err;
	}
	return fd;
err:
	vm_destroy(vm);
	return r;
}
