// SPDX-License-Identifier: GPL-2.0
/*
 * TEST ONLY: the vmm.h backend over /dev/kvm instead of /dev/xvcpu, so
 * run.c, the mode setup, the loader, the devices and the example guests
 * can run end to end on a development host that has KVM but cannot load
 * xvcpu. Never part of vcpuctl itself.
 *
 * Translation: xvcpu's run structure is a private copy; each KVM exit is
 * converted into it, and IN / MMIO-read data is copied back before the
 * next KVM_RUN. Known differences from xvcpu, which tests must allow:
 *  - KVM answers VMCALL itself (-KVM_ENOSYS in RAX), no HYPERCALL exit;
 *  - exit_count counts only the exits that reached user space;
 *  - port 0x80 exits to user space (vcpuctl's latch), there is no
 *    kernel debug-port log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "vcpuctl.h"
#include "vmm.h"

#define KVM_TSS_ADDR	0xfffbd000ul

struct kvm_vcpu_priv {
	struct kvm_run *krun;
	size_t krun_size;
	uint32_t last_exit;	/* to copy IN / MMIO read data back */
};

static int kvm_ioctl(int fd, unsigned long req, const char *name,
		     unsigned long arg)
{
	int r = ioctl(fd, req, arg);

	if (r < 0) {
		r = -errno;
		p_err("%s: %s", name, strerror(-r));
	}
	return r;
}

#define K(fd, req, arg) kvm_ioctl(fd, req, #req, (unsigned long)(arg))

int vmm_open(struct vmm_vm *vm)
{
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		r = -errno;
		p_err("cannot open /dev/kvm: %s", strerror(-r));
		return r;
	}
	r = K(vm->sys_fd, KVM_CREATE_VM, 0);
	if (r < 0)
		goto fail;
	vm->vm_fd = r;
	r = K(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR);
	if (r < 0)
		goto fail;
	vm->run_size = XVCPU_RUN_SIZE;
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
	(void)vm;
	(void)cap;
	return 1;
}

int vmm_enable_cap(struct vmm_vm *vm, unsigned int cap)
{
	/* xvcpu's VM capabilities have no KVM counterpart. */
	(void)vm;
	(void)cap;
	return -EOPNOTSUPP;
}

int vmm_get_debug_port_log(struct vmm_vm *vm,
			   struct xvcpu_debug_port_log *log)
{
	(void)vm;
	memset(log, 0, sizeof(*log));
	return -ENOTTY;
}

int vmm_vcpu_stats_fd(struct vmm_vcpu *vcpu)
{
	/* KVM's stats fd has the same layout (it has no per-reason stats). */
	int fd = ioctl(vcpu->fd, KVM_GET_STATS_FD, 0UL);

	return fd >= 0 ? fd : -errno;
}

int vmm_set_memory(struct vmm_vm *vm, uint32_t slot, uint32_t flags,
		   uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags & XVCPU_MEM_READONLY ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return K(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

int vmm_alloc_ram(struct vmm_vm *vm, uint64_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (mem == MAP_FAILED) {
		p_err("mmap guest RAM: %s", strerror(errno));
		return -errno;
	}
	vm->mem = mem;
	vm->mem_size = size;
	return vmm_set_memory(vm, 0, 0, 0, size, mem);
}

/* KVM refuses EFER.LME unless the guest CPUID says long mode. */
static int set_supported_cpuid(struct vmm_vm *vm, int fd)
{
	struct kvm_cpuid2 *c;
	int r, n = 256;

	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = n;
	r = K(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c);
	if (r >= 0)
		r = K(fd, KVM_SET_CPUID2, c);
	free(c);
	return r < 0 ? r : 0;
}

int vmm_vcpu_create(struct vmm_vm *vm, unsigned int id,
		    struct vmm_vcpu *vcpu)
{
	struct kvm_vcpu_priv *p;
	int r, size;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = -1;
	p = calloc(1, sizeof(*p));
	vcpu->run = calloc(1, XVCPU_RUN_SIZE);
	vcpu->priv = p;
	if (!p || !vcpu->run)
		return -ENOMEM;
	r = K(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (r < 0)
		return r;
	vcpu->fd = r;
	size = K(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return size;
	p->krun = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vcpu->fd, 0);
	if (p->krun == MAP_FAILED) {
		p->krun = NULL;
		return -errno;
	}
	p->krun_size = size;
	return set_supported_cpuid(vm, vcpu->fd);
}

void vmm_vcpu_destroy(struct vmm_vcpu *vcpu)
{
	struct kvm_vcpu_priv *p = vcpu->priv;

	if (p && p->krun)
		munmap(p->krun, p->krun_size);
	free(p);
	free(vcpu->run);
	vcpu->priv = NULL;
	vcpu->run = NULL;
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->fd = -1;
}

/* The structures match field for field; copy by name, never by layout. */
int vmm_get_regs(struct vmm_vcpu *vcpu, struct xvcpu_regs *regs)
{
	struct kvm_regs k;
	int r = K(vcpu->fd, KVM_GET_REGS, &k);

	if (r < 0)
		return r;
	*regs = (struct xvcpu_regs){
		.rax = k.rax, .rbx = k.rbx, .rcx = k.rcx, .rdx = k.rdx,
		.rsi = k.rsi, .rdi = k.rdi, .rsp = k.rsp, .rbp = k.rbp,
		.r8 = k.r8, .r9 = k.r9, .r10 = k.r10, .r11 = k.r11,
		.r12 = k.r12, .r13 = k.r13, .r14 = k.r14, .r15 = k.r15,
		.rip = k.rip, .rflags = k.rflags,
	};
	return 0;
}

int vmm_set_regs(struct vmm_vcpu *vcpu, const struct xvcpu_regs *regs)
{
	struct kvm_regs k = {
		.rax = regs->rax, .rbx = regs->rbx, .rcx = regs->rcx,
		.rdx = regs->rdx, .rsi = regs->rsi, .rdi = regs->rdi,
		.rsp = regs->rsp, .rbp = regs->rbp, .r8 = regs->r8,
		.r9 = regs->r9, .r10 = regs->r10, .r11 = regs->r11,
		.r12 = regs->r12, .r13 = regs->r13, .r14 = regs->r14,
		.r15 = regs->r15, .rip = regs->rip, .rflags = regs->rflags,
	};

	return K(vcpu->fd, KVM_SET_REGS, &k) < 0 ? -errno : 0;
}

static void seg_from_kvm(struct xvcpu_segment *d, const struct kvm_segment *s)
{
	*d = (struct xvcpu_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = s->type, .present = s->present, .dpl = s->dpl,
		.db = s->db, .s = s->s, .l = s->l, .g = s->g, .avl = s->avl,
		.unusable = s->unusable,
	};
}

static void seg_to_kvm(struct kvm_segment *d, const struct xvcpu_segment *s)
{
	*d = (struct kvm_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = s->type, .present = s->present, .dpl = s->dpl,
		.db = s->db, .s = s->s, .l = s->l, .g = s->g, .avl = s->avl,
		.unusable = s->unusable,
	};
}

int vmm_get_sregs(struct vmm_vcpu *vcpu, struct xvcpu_sregs *sregs)
{
	struct kvm_sregs k;
	int r = K(vcpu->fd, KVM_GET_SREGS, &k);

	if (r < 0)
		return r;
	memset(sregs, 0, sizeof(*sregs));
	seg_from_kvm(&sregs->cs, &k.cs);
	seg_from_kvm(&sregs->ds, &k.ds);
	seg_from_kvm(&sregs->es, &k.es);
	seg_from_kvm(&sregs->fs, &k.fs);
	seg_from_kvm(&sregs->gs, &k.gs);
	seg_from_kvm(&sregs->ss, &k.ss);
	seg_from_kvm(&sregs->tr, &k.tr);
	seg_from_kvm(&sregs->ldt, &k.ldt);
	sregs->gdt.base = k.gdt.base;
	sregs->gdt.limit = k.gdt.limit;
	sregs->idt.base = k.idt.base;
	sregs->idt.limit = k.idt.limit;
	sregs->cr0 = k.cr0;
	sregs->cr2 = k.cr2;
	sregs->cr3 = k.cr3;
	sregs->cr4 = k.cr4;
	sregs->cr8 = k.cr8;
	sregs->efer = k.efer;
	sregs->apic_base = k.apic_base;
	return 0;
}

int vmm_set_sregs(struct vmm_vcpu *vcpu, const struct xvcpu_sregs *sregs)
{
	struct kvm_sregs k;

	memset(&k, 0, sizeof(k));
	seg_to_kvm(&k.cs, &sregs->cs);
	seg_to_kvm(&k.ds, &sregs->ds);
	seg_to_kvm(&k.es, &sregs->es);
	seg_to_kvm(&k.fs, &sregs->fs);
	seg_to_kvm(&k.gs, &sregs->gs);
	seg_to_kvm(&k.ss, &sregs->ss);
	seg_to_kvm(&k.tr, &sregs->tr);
	seg_to_kvm(&k.ldt, &sregs->ldt);
	k.gdt.base = sregs->gdt.base;
	k.gdt.limit = sregs->gdt.limit;
	k.idt.base = sregs->idt.base;
	k.idt.limit = sregs->idt.limit;
	k.cr0 = sregs->cr0;
	k.cr2 = sregs->cr2;
	k.cr3 = sregs->cr3;
	k.cr4 = sregs->cr4;
	k.cr8 = sregs->cr8;
	k.efer = sregs->efer;
	k.apic_base = sregs->apic_base;
	return K(vcpu->fd, KVM_SET_SREGS, &k) < 0 ? -errno : 0;
}

static void copy_back(struct kvm_vcpu_priv *p, struct xvcpu_run *x)
{
	struct kvm_run *k = p->krun;

	if (p->last_exit == KVM_EXIT_IO &&
	    k->io.direction == KVM_EXIT_IO_IN)
		memcpy((char *)k + k->io.data_offset,
		       (char *)x + x->io.data_offset,
		       k->io.size * k->io.count);
	if (p->last_exit == KVM_EXIT_MMIO && !k->mmio.is_write)
		memcpy(k->mmio.data, x->mmio.data, sizeof(k->mmio.data));
	p->last_exit = 0;
}

int vmm_run(struct vmm_vcpu *vcpu)
{
	struct kvm_vcpu_priv *p = vcpu->priv;
	struct xvcpu_run *x = vcpu->run;
	struct kvm_run *k = p->krun;
	size_t bytes;

	copy_back(p, x);
	k->request_interrupt_window = x->request_interrupt_window;
	if (__atomic_load_n(&x->immediate_exit, __ATOMIC_SEQ_CST))
		k->immediate_exit = 1;
	if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
		int r = -errno;

		if (r == -EINTR) {
			k->immediate_exit = 0;
			x->exit_reason = XVCPU_EXIT_INTR;
		}
		return r;
	}
	x->exit_count++;
	x->if_flag = k->if_flag;
	x->ready_for_interrupt_injection = k->ready_for_interrupt_injection;
	p->last_exit = k->exit_reason;
	switch (k->exit_reason) {
	case KVM_EXIT_IO:
		bytes = (size_t)k->io.size * k->io.count;
		if (bytes > XVCPU_RUN_SIZE - XVCPU_RUN_IO_DATA_OFFSET) {
			p_err("kvm shim: string I/O of %zu bytes", bytes);
			return -E2BIG;
		}
		x->exit_reason = XVCPU_EXIT_IO;
		x->io.direction = k->io.direction;
		x->io.size = k->io.size;
		x->io.port = k->io.port;
		x->io.count = k->io.count;
		x->io.data_offset = XVCPU_RUN_IO_DATA_OFFSET;
		memcpy((char *)x + XVCPU_RUN_IO_DATA_OFFSET,
		       (char *)k + k->io.data_offset, bytes);
		break;
	case KVM_EXIT_MMIO:
		x->exit_reason = XVCPU_EXIT_MMIO;
		x->mmio.phys_addr = k->mmio.phys_addr;
		x->mmio.len = k->mmio.len;
		x->mmio.is_write = k->mmio.is_write;
		memcpy(x->mmio.data, k->mmio.data, sizeof(x->mmio.data));
		break;
	case KVM_EXIT_HLT:
		x->exit_reason = XVCPU_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		x->exit_reason = XVCPU_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		x->exit_reason = XVCPU_EXIT_FAIL_ENTRY;
		x->fail_entry.hardware_entry_failure_reason =
			k->fail_entry.hardware_entry_failure_reason;
		x->fail_entry.cpu = k->fail_entry.cpu;
		x->fail_entry.vm_instruction_error = 0;
		x->fail_entry.exit_qualification = 0;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		x->exit_reason = XVCPU_EXIT_INTERNAL_ERROR;
		x->internal.suberror = 1000 + k->internal.suberror;
		x->internal.ndata = k->internal.ndata > 16 ? 16 :
				    k->internal.ndata;
		memcpy(x->internal.data, k->internal.data,
		       x->internal.ndata * sizeof(x->internal.data[0]));
		break;
	case KVM_EXIT_INTR:
		x->exit_reason = XVCPU_EXIT_INTR;
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		x->exit_reason = XVCPU_EXIT_IRQ_WINDOW_OPEN;
		break;
	default:
		/* Shows as an exit reason vcpuctl does not know. */
		x->exit_reason = 1000 + k->exit_reason;
		break;
	}
	return 0;
}

void vmm_kick(struct vmm_vcpu *vcpu)
{
	struct kvm_vcpu_priv *p = vcpu->priv;

	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (p && p->krun)
		__atomic_store_n(&p->krun->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
}

int vmm_interrupt(struct vmm_vcpu *vcpu, unsigned int vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	return K(vcpu->fd, KVM_INTERRUPT, &irq);
}

/* The entries field for field: the layouts differ (padding). */
int vmm_get_cpuid(struct vmm_vcpu *vcpu, struct xvcpu_cpuid *c,
		  unsigned int max)
{
	struct kvm_cpuid2 *k;
	unsigned int i;
	int r;

	k = calloc(1, sizeof(*k) + max * sizeof(k->entries[0]));
	if (!k)
		return -ENOMEM;
	k->nent = max;
	r = K(vcpu->fd, KVM_GET_CPUID2, k);
	if (r >= 0) {
		c->nent = k->nent;
		for (i = 0; i < k->nent; i++)
			c->entries[i] = (struct xvcpu_cpuid_entry){
				.function = k->entries[i].function,
				.index = k->entries[i].index,
				.flags = k->entries[i].flags &
					 KVM_CPUID_FLAG_SIGNIFCANT_INDEX ?
					 XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX : 0,
				.eax = k->entries[i].eax,
				.ebx = k->entries[i].ebx,
				.ecx = k->entries[i].ecx,
				.edx = k->entries[i].edx,
			};
	}
	free(k);
	return r < 0 ? r : 0;
}

int vmm_set_cpuid(struct vmm_vcpu *vcpu, const struct xvcpu_cpuid *c)
{
	struct kvm_cpuid2 *k;
	unsigned int i;
	int r;

	k = calloc(1, sizeof(*k) + c->nent * sizeof(k->entries[0]));
	if (!k)
		return -ENOMEM;
	k->nent = c->nent;
	for (i = 0; i < c->nent; i++)
		k->entries[i] = (struct kvm_cpuid_entry2){
			.function = c->entries[i].function,
			.index = c->entries[i].index,
			.flags = c->entries[i].flags &
				 XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX ?
				 KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
			.eax = c->entries[i].eax,
			.ebx = c->entries[i].ebx,
			.ecx = c->entries[i].ecx,
			.edx = c->entries[i].edx,
		};
	r = K(vcpu->fd, KVM_SET_CPUID2, k);
	free(k);
	return r < 0 ? r : 0;
}
