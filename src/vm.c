// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object and its fd: guest memory slots (with the MMU notifiers
 * that keep them coherent with user space, and the RLIMIT_MEMLOCK
 * charge of their pinned pages; Documentation/memory.rst), vCPU
 * creation, VM capabilities, lifetime. Process context.
 */
#include "xvcpu.h"

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/nospec.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vm.h"
#include "ept/ept.h"
#include "trace/guest.h"
#include "trace/policy.h"
#include "trace/trace.h"

static DEFINE_IDA(vm_ida);

/* vm->slots_lock or vm->mmu_lock held. */
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

/*
 * Charge @pages newly pinned pages to the creator's mm->locked_vm against
 * RLIMIT_MEMLOCK (account_locked_vm(), as vfio does), settling the pages
 * unpinned since the last call in the same step; @pages 0 only settles.
 * Takes mmap_lock: process context, from a thread of vm->mm (which the
 * ioctl check guarantees), vm->mmu_lock not held. -ENOMEM over the limit,
 * and then nothing changed.
 */
int xvcpu_vm_charge(struct xvcpu_vm *vm, unsigned long pages)
{
	long stale = atomic_long_xchg(&vm->locked_stale, 0);
	long delta = (long)pages - stale;
	int r = 0;

	if (delta > 0)
		r = account_locked_vm(vm->mm, delta, true);
	else if (delta < 0)
		account_locked_vm(vm->mm, -delta, false);
	if (r)
		atomic_long_add(stale, &vm->locked_stale);
	else
		atomic_long_add(delta, &vm->locked);
	return r;
}

/*
 * The VM's end: nothing is pinned any more, give the whole charge back.
 * The last fd may close in another process, or after the creator's mm is
 * gone (exit_mmap ran the notifiers' release first): uncharge only an mm
 * that still has users, the count dies with the others.
 */
static void vm_uncharge_all(struct xvcpu_vm *vm)
{
	long n = atomic_long_xchg(&vm->locked, 0);

	WARN_ON(atomic_long_xchg(&vm->locked_stale, 0) != n);
	if (n && mmget_not_zero(vm->mm)) {
		account_locked_vm(vm->mm, n, false);
		mmput(vm->mm);
	}
}

/*
 * The notifier of one slot: user space is about to change the pages
 * behind [range->start, range->end) of vm->mm. Unmap what of it the
 * guest has mapped, flush, unpin, before the core mm goes on; the guest's
 * next access faults and pins whatever is there then. mmu_lock orders
 * this against xvcpu_fault_in(), which re-checks the sequence under it.
 */
static bool slot_invalidate(struct mmu_interval_notifier *mn,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct xvcpu_memslot *slot = container_of(mn, struct xvcpu_memslot,
						  notifier);
	struct xvcpu_vm *vm = slot->vm;
	u64 start, end;

	/* The OOM reaper may not sleep: it tries again later. */
	if (mmu_notifier_range_blockable(range))
		mutex_lock(&vm->mmu_lock);
	else if (!mutex_trylock(&vm->mmu_lock))
		return false;
	mmu_interval_set_seq(mn, cur_seq);
	if (slot->size) {
		start = max_t(u64, range->start, slot->uaddr);
		end = min_t(u64, range->end, slot->uaddr + slot->size);
		if (start < end)
			xvcpu_ept_unmap_range(vm, slot->gpa + start - slot->uaddr,
					      end - start);
	}
	mutex_unlock(&vm->mmu_lock);
	return true;
}

static const struct mmu_interval_notifier_ops slot_notifier_ops = {
	.invalidate = slot_invalidate,
};

/*
 * Unmap and release the slot's pages, then stop watching its memory;
 * slots_lock held for write. The notifier is removed only after the
 * unmap, so every page released is still mapped by user space (ept.h).
 */
static void slot_release(struct xvcpu_vm *vm, struct xvcpu_memslot *slot)
{
	lockdep_assert_held_write(&vm->slots_lock);
	mutex_lock(&vm->mmu_lock);
	xvcpu_ept_unmap_range(vm, slot->gpa, slot->size);
	slot->size = 0;
	mutex_unlock(&vm->mmu_lock);
	mmu_interval_notifier_remove(&slot->notifier);
	slot->gpa = 0;
	slot->uaddr = 0;
	slot->flags = 0;
}

static void vm_destroy(struct xvcpu_vm *vm)
{
	unsigned int i;

	trace_xvcpu_vm_destroy(vm);
	pr_debug("vm %u (pid %d) destroyed\n", vm->id, vm->pid);
	xvcpu_stats_vm_destroy(vm);
	down_write(&vm->slots_lock);
	for (i = 0; i < XVCPU_MAX_MEMSLOTS; i++)
		if (vm->slots[i].size)
			slot_release(vm, &vm->slots[i]);
	up_write(&vm->slots_lock);
	xvcpu_ept_destroy(vm);
	xvcpu_guest_log_free(vm);
	vm_uncharge_all(vm);
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
	slot = &vm->slots[array_index_nospec(mr->slot, XVCPU_MAX_MEMSLOTS)];

	down_write(&vm->slots_lock);
	if (!mr->memory_size) {
		if (!slot->size) {
			r = -ENOENT;
		} else {
			pr_debug("vm %u: slot %u deleted (GPA 0x%llx, 0x%llx bytes)\n",
				 vm->id, mr->slot, slot->gpa, slot->size);
			slot_release(vm, slot);
			/* The ioctl's thread is of vm->mm: uncharge now. */
			xvcpu_vm_charge(vm, 0);
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
	/* From here on, user space changing the range unmaps it. */
	r = mmu_interval_notifier_insert(&slot->notifier, vm->mm,
					 mr->userspace_addr, mr->memory_size,
					 &slot_notifier_ops);
	if (r)
		goto out;
	mutex_lock(&vm->mmu_lock);
	slot->gpa = mr->guest_phys_addr;
	slot->uaddr = mr->userspace_addr;
	slot->flags = mr->flags;
	slot->size = mr->memory_size;
	mutex_unlock(&vm->mmu_lock);
	pr_debug("vm %u: slot %u GPA 0x%llx, 0x%llx bytes%s\n", vm->id,
		 mr->slot, mr->guest_phys_addr, mr->memory_size,
		 mr->flags & XVCPU_MEM_READONLY ? ", read-only" : "");
out:
	up_write(&vm->slots_lock);
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
	case XVCPU_CAP_USER_DEBUG_PORT:
		mutex_lock(&vm->lock);
		WRITE_ONCE(vm->user_debug_port, true);
		mutex_unlock(&vm->lock);
		return 0;
	case XVCPU_CAP_USER_TRACE_EVENTS:
		mutex_lock(&vm->lock);
		WRITE_ONCE(vm->user_trace_events, true);
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
	case XVCPU_GET_VM_ID:
		return arg ? -EINVAL : vm->id;
	case XVCPU_ENABLE_CAP: {
		struct xvcpu_enable_cap cap;

		if (copy_from_user(&cap, argp, sizeof(cap)))
			return -EFAULT;
		return enable_cap(vm, &cap);
	}
	case XVCPU_GET_DEBUG_PORT_LOG:
		return xvcpu_get_debug_port_log(vm, argp);
	case XVCPU_GET_STATS_FD:
	case XVCPU_RESET_STATS:
		return xvcpu_stats_vm_ioctl(vm, cmd, arg);
	case XVCPU_SET_TRACE_POLICY:
		return xvcpu_trace_policy_ioctl(vm, argp);
	case XVCPU_TRACE_TRIGGER:
		return xvcpu_trace_trigger_ioctl(vm, argp);
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
	vm->pid = current->tgid;
	trace_xvcpu_vm_create(vm);
	refcount_set(&vm->refs, 1);
	mutex_init(&vm->lock);
	init_rwsem(&vm->slots_lock);
	mutex_init(&vm->mmu_lock);
	for (r = 0; r < XVCPU_MAX_MEMSLOTS; r++)
		vm->slots[r].vm = vm;
	ratelimit_state_init(&vm->dump_rs, 5 * HZ, 2);
	vm->created_ns = ktime_get_ns();
	xvcpu_trace_policy_vm_init(vm);
	mmgrab(current->mm);
	vm->mm = current->mm;
	r = xvcpu_guest_log_init(vm);
	if (r)
		goto err;
	r = xvcpu_ept_init(vm);
	if (r)
		goto err;
	xvcpu_stats_vm_init(vm);
	fd = anon_inode_getfd("xvcpu-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err;
	}
	pr_debug("vm %u created by pid %d\n", vm->id, vm->pid);
	return fd;
err:
	vm_destroy(vm);
	return r;
}
