// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest reports about itself, handled in the kernel without an
 * exit to user space (Documentation/guest-events.rst):
 *
 *  - the debug port: each byte OUT to port 0x80 is timestamped from the
 *    VM's creation, kept in the VM's log of its last
 *    XVCPU_DEBUG_PORT_LOG_SIZE writes (XVCPU_GET_DEBUG_PORT_LOG, which
 *    works with tracing off), emitted as xvcpu:xvcpu_debug_port and,
 *    when dynamic debug enables it, logged the way cloud-hypervisor
 *    does ("Debug I/O port: Kernel code 0x41 0.402744 s");
 *  - guest trace events: XVCPU_HC_TRACE, Xen's TRACE_0D..TRACE_5D from
 *    inside the guest, becomes xvcpu:xvcpu_guest_event.
 *
 * Neither is ever sampled: every write and every event is emitted.
 * The write paths run in exit handlers (vCPU loaded, preemption off,
 * any vCPU of the VM concurrently); the log ioctl in process context.
 */
#include "../xvcpu.h"

#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "../vm.h"
#include "guest.h"
#include "trace_guest.h"

struct xvcpu_debug_port_ring {
	/* Raw: taken with preemption off on the exit path (also on RT). */
	raw_spinlock_t lock;
	u64 total;		/* writes so far; the next goes to total % size */
	struct xvcpu_debug_port_entry e[XVCPU_DEBUG_PORT_LOG_SIZE];
};

/* The ABI's layout, pinned (include/uapi/linux/xvcpu.h). */
static_assert(sizeof(struct xvcpu_debug_port_entry) == 16);
static_assert(offsetof(struct xvcpu_debug_port_log, entries) == 48);
static_assert(sizeof(struct xvcpu_debug_port_log) ==
	      48 + 16 * XVCPU_DEBUG_PORT_LOG_SIZE);
static_assert(XVCPU_DEBUG_PORT_COMPONENT(0x1f) == XVCPU_DEBUG_PORT_FIRMWARE &&
	      XVCPU_DEBUG_PORT_COMPONENT(0x20) == XVCPU_DEBUG_PORT_BOOTLOADER &&
	      XVCPU_DEBUG_PORT_COMPONENT(0x5f) == XVCPU_DEBUG_PORT_KERNEL &&
	      XVCPU_DEBUG_PORT_COMPONENT(0x7f) == XVCPU_DEBUG_PORT_USERSPACE &&
	      XVCPU_DEBUG_PORT_COMPONENT(0x80) == XVCPU_DEBUG_PORT_CUSTOM);

/* cloud-hypervisor's log strings, by XVCPU_DEBUG_PORT_* component. */
static const char *const component_names[] = {
	"Firmware", "Bootloader", "Kernel", "Userspace", "Custom",
};

int xvcpu_guest_log_init(struct xvcpu_vm *vm)
{
	struct xvcpu_debug_port_ring *ring;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring)
		return -ENOMEM;
	raw_spin_lock_init(&ring->lock);
	vm->debug_port = ring;
	return 0;
}

void xvcpu_guest_log_free(struct xvcpu_vm *vm)
{
	kfree(vm->debug_port);
	vm->debug_port = NULL;
}

static u64 vm_ns(const struct xvcpu_vm *vm)
{
	return ktime_get_ns() - vm->created_ns;
}

void xvcpu_debug_port_write(struct xvcpu_vcpu *vcpu, u8 code)
{
	struct xvcpu_vm *vm = vcpu->vm;
	struct xvcpu_debug_port_ring *ring = vm->debug_port;
	u8 component = XVCPU_DEBUG_PORT_COMPONENT(code);
	struct xvcpu_debug_port_entry *e;
	u64 ns;

	raw_spin_lock(&ring->lock);
	/* Read under the lock: along the log, time never goes back. */
	ns = vm_ns(vm);
	e = &ring->e[ring->total % XVCPU_DEBUG_PORT_LOG_SIZE];
	e->ns = ns;
	e->vcpu_id = vcpu->id;
	e->code = code;
	e->component = component;
	e->reserved = 0;
	ring->total++;
	raw_spin_unlock(&ring->lock);

	trace_xvcpu_debug_port(vm->id, vcpu->id, code, component, ns);
	/* x86-64 only: plain 64-bit division, and only when enabled. */
	pr_debug_ratelimited("vm %u vcpu %u: Debug I/O port: %s code 0x%x %llu.%06llu s\n",
			     vm->id, vcpu->id, component_names[component],
			     code, ns / NSEC_PER_SEC,
			     ns % NSEC_PER_SEC / NSEC_PER_USEC);
}

long xvcpu_get_debug_port_log(struct xvcpu_vm *vm, void __user *argp)
{
	struct xvcpu_debug_port_ring *ring = vm->debug_port;
	struct xvcpu_debug_port_log *log;
	u64 first;
	u32 i;
	long r = 0;

	/* Zeroed: entries past count read as 0, never as stale data. */
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	if (copy_from_user(log, argp,
			   offsetof(struct xvcpu_debug_port_log, entries))) {
		r = -EFAULT;
		goto out;
	}
	if (log->flags || memchr_inv(log->reserved, 0, sizeof(log->reserved))) {
		r = -EINVAL;
		goto out;
	}
	raw_spin_lock(&ring->lock);
	log->total = ring->total;
	log->count = min_t(u64, ring->total, XVCPU_DEBUG_PORT_LOG_SIZE);
	first = ring->total - log->count;
	for (i = 0; i < log->count; i++)
		log->entries[i] = ring->e[(first + i) % XVCPU_DEBUG_PORT_LOG_SIZE];
	raw_spin_unlock(&ring->lock);
	if (copy_to_user(argp, log, sizeof(*log)))
		r = -EFAULT;
out:
	kfree(log);
	return r;
}

unsigned long xvcpu_guest_event(struct xvcpu_vcpu *vcpu, bool wide)
{
	static const u8 data_regs[XVCPU_HC_TRACE_MAX_DATA] = {
		XR_RDX, XR_RSI, XR_RDI, XR_R8, XR_R9,
	};
	const unsigned long *r = vcpu->regs.r;
	u64 mask = wide ? U64_MAX : U32_MAX;
	u64 id = r[XR_RBX] & mask, n = r[XR_RCX] & mask;
	u64 data[XVCPU_HC_TRACE_MAX_DATA] = {};
	unsigned int i;

	/* Outside 64-bit mode there is no R8 or R9 to read. */
	if (n > (wide ? XVCPU_HC_TRACE_MAX_DATA : 3) || id > U32_MAX)
		return -XVCPU_HYPERCALL_EINVAL;
	/* Guest-controlled: no speculative read past data_regs[]. */
	n = array_index_nospec(n, XVCPU_HC_TRACE_MAX_DATA + 1);
	if (!trace_xvcpu_guest_event_enabled())
		return 0;
	for (i = 0; i < n; i++)
		data[i] = r[data_regs[i]] & mask;
	trace_xvcpu_guest_event(vcpu->vm->id, vcpu->id, id, n, data,
				vm_ns(vcpu->vm));
	return 0;
}
