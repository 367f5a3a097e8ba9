// SPDX-License-Identifier: GPL-2.0
/*
 * The xvcpu backend of the VMM library: the only file that issues xvcpu
 * ioctls. Each failure is reported once, here, naming the ioctl, so
 * callers only pass the -errno up.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vcpuctl.h"
#include "vmm.h"

static int __vmm_ioctl(int fd, unsigned long req, const char *name,
		       unsigned long arg)
{
	int r = ioctl(fd, req, arg);

	if (r < 0) {
		r = -errno;
		p_err("%s: %s", name, strerror(-r));
	}
	return r;
}

#define vmm_ioctl(fd, req, arg) \
	__vmm_ioctl(fd, req, #req, (unsigned long)(arg))

int vmm_open(struct vmm_vm *vm)
{
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->sys_fd = open(VMM_DEVICE, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		r = -errno;
		p_err("cannot open %s: %s%s", VMM_DEVICE, strerror(-r),
		      r == -ENOENT ? " (is xvcpu.ko loaded?)" : "");
		return r;
	}
	r = vmm_ioctl(vm->sys_fd, XVCPU_GET_API_VERSION, 0);
	if (r < 0)
		goto fail;
	if (r != XVCPU_API_VERSION) {
		p_err("%s speaks API version %d, vcpuctl was built for %d",
		      VMM_DEVICE, r, XVCPU_API_VERSION);
		r = -EPROTO;
		goto fail;
	}
	r = vmm_ioctl(vm->sys_fd, XVCPU_GET_VCPU_MMAP_SIZE, 0);
	if (r < 0)
		goto fail;
	if ((size_t)r < sizeof(struct xvcpu_run)) {
		p_err("XVCPU_GET_VCPU_MMAP_SIZE: %d bytes, smaller than struct xvcpu_run",
		      r);
		r = -EPROTO;
		goto fail;
	}
	vm->run_size = r;
	r = vmm_ioctl(vm->sys_fd, XVCPU_CREATE_VM, 0);
	if (r < 0)
		goto fail;
	vm->vm_fd = r;
	return 0;
fail:
	vmm_close(vm);
	return r;
}

void vmm_close(struct vmm_vm *vm)
{
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vm->vm_fd = -1;
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->sys_fd = -1;
}

int vmm_check_cap(struct vmm_vm *vm, unsigned int cap)
{
	int r = ioctl(vm->sys_fd, XVCPU_CHECK_CAP, (unsigned long)cap);

	return r < 0 ? -errno : r;
}

int vmm_enable_cap(struct vmm_vm *vm, unsigned int cap)
{
	struct xvcpu_enable_cap c = { .cap = cap };
	int r;

	if (ioctl(vm->vm_fd, XVCPU_ENABLE_CAP, &c) == 0)
		return 0;
	r = -errno;
	p_err("XVCPU_ENABLE_CAP %u: %s", cap, strerror(-r));
	return r;
}

int vmm_get_debug_port_log(struct vmm_vm *vm,
			   struct xvcpu_debug_port_log *log)
{
	int r;

	memset(log, 0, sizeof(*log));
	if (ioctl(vm->vm_fd, XVCPU_GET_DEBUG_PORT_LOG, log) == 0)
		return 0;
	r = -errno;
	if (r != -ENOTTY)
		p_err("XVCPU_GET_DEBUG_PORT_LOG: %s", strerror(-r));
	return r;
}

int vmm_vcpu_stats_fd(struct vmm_vcpu *vcpu)
{
	int fd = ioctl(vcpu->fd, XVCPU_GET_STATS_FD, 0UL);

	if (fd >= 0)
		return fd;
	fd = -errno;
	if (fd != -ENOTTY)
		p_err("XVCPU_GET_STATS_FD: %s", strerror(-fd));
	return fd;
}

int vmm_set_memory(struct vmm_vm *vm, uint32_t slot, uint32_t flags,
		   uint64_t gpa, uint64_t size, void *host)
{
	struct xvcpu_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return vmm_ioctl(vm->vm_fd, XVCPU_SET_MEMORY_REGION, &region);
}

int vmm_alloc_ram(struct vmm_vm *vm, uint64_t size)
{
	void *mem;
	int r;

	/*
	 * NORESERVE: the kernel pins pages only as the guest touches them,
	 * so a large --mem costs what the guest uses.
	 */
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		r = -errno;
		p_err("cannot allocate %llu bytes of guest RAM: %s",
		      (unsigned long long)size, strerror(-r));
		return r;
	}
	vm->mem = mem;
	vm->mem_size = size;
	return vmm_set_memory(vm, 0, 0, 0, size, mem);
}

int vmm_vcpu_create(struct vmm_vm *vm, unsigned int id,
		    struct vmm_vcpu *vcpu)
{
	void *run;
	int r;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = -1;
	r = vmm_ioctl(vm->vm_fd, XVCPU_CREATE_VCPU, id);
	if (r < 0)
		return r;
	vcpu->fd = r;
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED) {
		r = -errno;
		p_err("mmap of vCPU %u run structure: %s", id, strerror(-r));
		close(vcpu->fd);
		vcpu->fd = -1;
		return r;
	}
	vcpu->run = run;
	return 0;
}

void vmm_vcpu_destroy(struct vmm_vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	vcpu->run = NULL;
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->fd = -1;
}

int vmm_get_regs(struct vmm_vcpu *vcpu, struct xvcpu_regs *regs)
{
	return vmm_ioctl(vcpu->fd, XVCPU_GET_REGS, regs);
}

int vmm_set_regs(struct vmm_vcpu *vcpu, const struct xvcpu_regs *regs)
{
	return vmm_ioctl(vcpu->fd, XVCPU_SET_REGS, regs);
}

int vmm_get_sregs(struct vmm_vcpu *vcpu, struct xvcpu_sregs *sregs)
{
	return vmm_ioctl(vcpu->fd, XVCPU_GET_SREGS, sregs);
}

int vmm_set_sregs(struct vmm_vcpu *vcpu, const struct xvcpu_sregs *sregs)
{
	return vmm_ioctl(vcpu->fd, XVCPU_SET_SREGS, sregs);
}

int vmm_run(struct vmm_vcpu *vcpu)
{
	return ioctl(vcpu->fd, XVCPU_RUN, 0) < 0 ? -errno : 0;
}

void vmm_kick(struct vmm_vcpu *vcpu)
{
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

int vmm_interrupt(struct vmm_vcpu *vcpu, unsigned int vector)
{
	struct xvcpu_interrupt irq = { .vector = vector };

	return vmm_ioctl(vcpu->fd, XVCPU_INTERRUPT, &irq);
}

int vmm_get_cpuid(struct vmm_vcpu *vcpu, struct xvcpu_cpuid *c,
		  unsigned int max)
{
	c->nent = max;
	c->pad = 0;
	return vmm_ioctl(vcpu->fd, XVCPU_GET_CPUID, c);
}

int vmm_set_cpuid(struct vmm_vcpu *vcpu, const struct xvcpu_cpuid *c)
{
	return vmm_ioctl(vcpu->fd, XVCPU_SET_CPUID, c);
}
