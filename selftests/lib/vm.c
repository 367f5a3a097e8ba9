// SPDX-License-Identifier: GPL-2.0
/*
 * VM, vCPU and memory-slot helpers (see vm.h). Host side, test process.
 */
#define _GNU_SOURCE
#include "vm.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <asm/vmx.h>

#include "kselftest.h"
#include "sys.h"
#include "ucall.h"

void xt_test_fail(const char *file, int line, const char *expr,
		  const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "# ==== Test Assertion Failure ====\n");
	fprintf(stderr, "#   %s:%d%s%s\n", file, line, expr ? ": " : "",
		expr ? expr : "");
	fprintf(stderr, "#   %s\n", msg);
	fflush(stderr);
	exit(KSFT_FAIL);
}

void xt_ioctl_fail(const char *file, int line, const char *name, int ret,
		   int err)
{
	xt_test_fail(file, line, NULL, "%s failed: %s (rc %d, errno %d)",
		     name, strerror(err), ret, err);
}

void xt_require_module(void)
{
	int r;

	if (xt_path_exists("/dev/xvcpu"))
		return;
	r = xt_load_xvcpu(NULL);
	TEST_ASSERT(r == 0 || r == -EEXIST, "loading %s: %s",
		    xt_module_path(), strerror(-r));
	TEST_ASSERT(xt_path_exists("/dev/xvcpu"), "no /dev/xvcpu after load");
}

int __xt_open_dev(void)
{
	return open("/dev/xvcpu", O_RDWR | O_CLOEXEC);
}

int xt_open_dev(void)
{
	int fd;

	xt_require_module();
	fd = __xt_open_dev();
	TEST_ASSERT(fd >= 0, "open /dev/xvcpu: %s", strerror(errno));
	return fd;
}

struct xt_vm *xt_vm_create(void)
{
	struct xt_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "out of memory");
	vm->sys_fd = xt_open_dev();
	vm->fd = __sys_ioctl(vm->sys_fd, XVCPU_CREATE_VM, 0UL);
	if (vm->fd < 0)
		xt_ioctl_fail(__FILE__, __LINE__, "XVCPU_CREATE_VM", vm->fd,
			      errno);
	vm->run_size = __sys_ioctl(vm->sys_fd, XVCPU_GET_VCPU_MMAP_SIZE, 0UL);
	if (vm->run_size < 0)
		xt_ioctl_fail(__FILE__, __LINE__, "XVCPU_GET_VCPU_MMAP_SIZE",
			      (int)vm->run_size, errno);
	TEST_ASSERT(vm->run_size >= (long)sizeof(struct xvcpu_run),
		    "XVCPU_GET_VCPU_MMAP_SIZE %ld < sizeof(struct xvcpu_run) %zu",
		    vm->run_size, sizeof(struct xvcpu_run));
	return vm;
}

void xt_vm_destroy(struct xt_vm *vm)
{
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < XVCPU_MAX_VCPUS; i++) {
		struct xt_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		if (vcpu->run)
			TEST_ASSERT(!munmap(vcpu->run, vm->run_size),
				    "munmap run of vCPU %u: %s", i,
				    strerror(errno));
		if (vcpu->fd >= 0)
			TEST_ASSERT(!close(vcpu->fd), "close vCPU %u: %s", i,
				    strerror(errno));
		free(vcpu);
	}
	if (vm->fd >= 0)
		TEST_ASSERT(!close(vm->fd), "close VM fd: %s", strerror(errno));
	if (vm->sys_fd >= 0)
		TEST_ASSERT(!close(vm->sys_fd), "close /dev/xvcpu: %s",
			    strerror(errno));
	/* Only after the VM is gone: the kernel may still hold the pages. */
	for (i = 0; i < XVCPU_MAX_MEMSLOTS; i++) {
		struct xt_slot *s = &vm->slots[i];

		if (s->used && s->owned)
			munmap(s->hva, s->size);
	}
	free(vm);
}

int __xt_set_memory_region(struct xt_vm *vm, uint32_t slot, uint32_t flags,
			   uint64_t gpa, uint64_t size, void *hva)
{
	struct xvcpu_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return __vm_ioctl(vm, XVCPU_SET_MEMORY_REGION, &r);
}

void xt_set_memory_region(struct xt_vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva)
{
	int r = __xt_set_memory_region(vm, slot, flags, gpa, size, hva);

	if (r < 0)
		xt_test_fail(__FILE__, __LINE__, NULL,
			     "XVCPU_SET_MEMORY_REGION failed: %s (slot %u flags 0x%x gpa 0x%llx size 0x%llx hva %p)",
			     strerror(errno), slot, flags,
			     (unsigned long long)gpa,
			     (unsigned long long)size, hva);
	TEST_ASSERT(slot < XVCPU_MAX_MEMSLOTS, "slot %u accepted", slot);
	if (!size) {
		vm->slots[slot].used = false;
		return;
	}
	vm->slots[slot] = (struct xt_slot){
		.used = true,
		.flags = flags,
		.gpa = gpa,
		.size = size,
		.hva = hva,
	};
}

void *xt_vm_add_slot(struct xt_vm *vm, uint32_t slot, uint64_t gpa,
		     uint64_t size, uint32_t flags)
{
	void *hva;

	TEST_ASSERT(slot < XVCPU_MAX_MEMSLOTS && !vm->slots[slot].used,
		    "slot %u is in use or out of range", slot);
	hva = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(hva != MAP_FAILED, "mmap %llu bytes: %s",
		    (unsigned long long)size, strerror(errno));
	xt_set_memory_region(vm, slot, flags, gpa, size, hva);
	vm->slots[slot].owned = true;
	return hva;
}

void xt_vm_delete_slot(struct xt_vm *vm, uint32_t slot)
{
	struct xt_slot s;

	TEST_ASSERT(slot < XVCPU_MAX_MEMSLOTS && vm->slots[slot].used,
		    "slot %u is not in use", slot);
	s = vm->slots[slot];
	xt_set_memory_region(vm, slot, 0, s.gpa, 0, s.hva);
	if (s.owned)
		munmap(s.hva, s.size);
}

void *__xt_gpa2hva(struct xt_vm *vm, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < XVCPU_MAX_MEMSLOTS; i++) {
		struct xt_slot *s = &vm->slots[i];

		if (!s->used || gpa < s->gpa || gpa - s->gpa >= s->size)
			continue;
		if (len > s->size - (gpa - s->gpa))
			return NULL;
		return (char *)s->hva + (gpa - s->gpa);
	}
	return NULL;
}

void *xt_gpa2hva(struct xt_vm *vm, uint64_t gpa)
{
	void *p = __xt_gpa2hva(vm, gpa, 1);

	TEST_ASSERT(p, "gpa 0x%llx is in no slot", (unsigned long long)gpa);
	return p;
}

int __xt_vcpu_create(struct xt_vm *vm, unsigned long id)
{
	return __vm_ioctl(vm, XVCPU_CREATE_VCPU, id);
}

struct xt_vcpu *xt_vcpu_add(struct xt_vm *vm, uint32_t id)
{
	struct xt_vcpu *vcpu = calloc(1, sizeof(*vcpu));

	TEST_ASSERT(vcpu, "out of memory");
	TEST_ASSERT(id < XVCPU_MAX_VCPUS && !vm->vcpus[id],
		    "vCPU id %u in use or out of range", id);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = __xt_vcpu_create(vm, id);
	if (vcpu->fd < 0)
		xt_test_fail(__FILE__, __LINE__, NULL,
			     "XVCPU_CREATE_VCPU failed: %s (id %u)",
			     strerror(errno), id);
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap vCPU %u run: %s", id,
		    strerror(errno));
	vm->vcpus[id] = vcpu;
	return vcpu;
}

void xt_vcpu_get_regs(struct xt_vcpu *vcpu, struct xvcpu_regs *regs)
{
	vcpu_ioctl(vcpu, XVCPU_GET_REGS, regs);
}

void xt_vcpu_set_regs(struct xt_vcpu *vcpu, const struct xvcpu_regs *regs)
{
	vcpu_ioctl(vcpu, XVCPU_SET_REGS, regs);
}

void xt_vcpu_get_sregs(struct xt_vcpu *vcpu, struct xvcpu_sregs *sregs)
{
	vcpu_ioctl(vcpu, XVCPU_GET_SREGS, sregs);
}

void xt_vcpu_set_sregs(struct xt_vcpu *vcpu, const struct xvcpu_sregs *sregs)
{
	vcpu_ioctl(vcpu, XVCPU_SET_SREGS, sregs);
}

int __xt_vcpu_msrs(struct xt_vcpu *vcpu, unsigned long cmd,
		   struct xvcpu_msr_entry *e, uint32_t n)
{
	struct xvcpu_msrs *m;
	int r, err;

	m = calloc(1, sizeof(*m) + n * sizeof(*e));
	TEST_ASSERT(m, "out of memory");
	m->nmsrs = n;
	memcpy(m->entries, e, n * sizeof(*e));
	r = __vcpu_ioctl(vcpu, cmd, m);
	err = errno;
	if (r >= 0)
		memcpy(e, m->entries, n * sizeof(*e));
	free(m);
	errno = err;
	return r;
}

uint64_t xt_vcpu_get_msr(struct xt_vcpu *vcpu, uint32_t index)
{
	struct xvcpu_msr_entry e = { .index = index };
	int r = __xt_vcpu_msrs(vcpu, XVCPU_GET_MSRS, &e, 1);

	TEST_ASSERT(r == 1, "XVCPU_GET_MSRS of MSR 0x%x: rc %d (%s)", index, r,
		    r < 0 ? strerror(errno) : "entry refused");
	return e.data;
}

void xt_vcpu_set_msr(struct xt_vcpu *vcpu, uint32_t index, uint64_t value)
{
	struct xvcpu_msr_entry e = { .index = index, .data = value };
	int r = __xt_vcpu_msrs(vcpu, XVCPU_SET_MSRS, &e, 1);

	TEST_ASSERT(r == 1, "XVCPU_SET_MSRS of MSR 0x%x = 0x%llx: rc %d (%s)",
		    index, (unsigned long long)value, r,
		    r < 0 ? strerror(errno) : "entry refused");
}

int __xt_vcpu_set_cpuid(struct xt_vcpu *vcpu,
			const struct xvcpu_cpuid_entry *e, uint32_t n)
{
	struct xvcpu_cpuid *c;
	int r, err;

	c = calloc(1, sizeof(*c) + n * sizeof(*e));
	TEST_ASSERT(c, "out of memory");
	c->nent = n;
	if (n)
		memcpy(c->entries, e, n * sizeof(*e));
	r = __vcpu_ioctl(vcpu, XVCPU_SET_CPUID, c);
	err = errno;
	free(c);
	errno = err;
	return r;
}

int __xt_vcpu_get_cpuid(struct xt_vcpu *vcpu, struct xvcpu_cpuid_entry *e,
			uint32_t *n)
{
	struct xvcpu_cpuid *c;
	uint32_t room = *n;
	int r, err;

	c = calloc(1, sizeof(*c) + room * sizeof(*e));
	TEST_ASSERT(c, "out of memory");
	c->nent = room;
	r = __vcpu_ioctl(vcpu, XVCPU_GET_CPUID, c);
	err = errno;
	*n = c->nent;
	if (r >= 0 && room)
		memcpy(e, c->entries,
		       (c->nent < room ? c->nent : room) * sizeof(*e));
	free(c);
	errno = err;
	return r;
}

int __xt_vcpu_interrupt(struct xt_vcpu *vcpu, uint32_t vector)
{
	struct xvcpu_interrupt irq = { .vector = vector };

	return __vcpu_ioctl(vcpu, XVCPU_INTERRUPT, &irq);
}

void xt_vcpu_interrupt(struct xt_vcpu *vcpu, uint32_t vector)
{
	if (__xt_vcpu_interrupt(vcpu, vector) < 0)
		xt_test_fail(__FILE__, __LINE__, NULL,
			     "XVCPU_INTERRUPT failed: %s (vector %u)",
			     strerror(errno), vector);
}

int __xt_vcpu_run(struct xt_vcpu *vcpu)
{
	return __vcpu_ioctl(vcpu, XVCPU_RUN, 0UL);
}

void __xt_vcpu_run_assert(const char *file, int line, struct xt_vcpu *vcpu)
{
	int r = __xt_vcpu_run(vcpu);
	int err = errno;
	char desc[512];

	if (r == 0)
		return;
	xt_exit_describe(vcpu, desc, sizeof(desc));
	xt_test_fail(file, line, NULL,
		     "XVCPU_RUN failed: %s (rc %d, errno %d) on vCPU %u; exit: %s",
		     strerror(err), r, err, vcpu->id, desc);
}

static const char *const exit_names[] = { XVCPU_EXIT_REASON_NAMES };

const char *xt_exit_reason_str(uint32_t reason)
{
	if (reason < XT_ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	return "?";
}

static const char *const internal_names[] = {
	[XVCPU_INTERNAL_UNHANDLED_EXIT] = "UNHANDLED_EXIT",
	[XVCPU_INTERNAL_EMULATION] = "EMULATION",
	[XVCPU_INTERNAL_EVENT_DELIVERY] = "EVENT_DELIVERY",
	[XVCPU_INTERNAL_MEMORY] = "MEMORY",
};

void *xt_io_data(struct xt_vcpu *vcpu)
{
	struct xvcpu_run *run = vcpu->run;
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;

	TEST_ASSERT(run->io.data_offset >= sizeof(*run) &&
		    run->io.data_offset <= (uint64_t)vcpu->vm->run_size &&
		    bytes <= vcpu->vm->run_size - run->io.data_offset,
		    "IO exit data out of the run page: offset %llu, %llu bytes, page %ld",
		    (unsigned long long)run->io.data_offset,
		    (unsigned long long)bytes, vcpu->vm->run_size);
	return (char *)run + run->io.data_offset;
}

/* VMX basic exit reason names, from the kernel's own <asm/vmx.h>. */
static const struct {
	uint32_t nr;
	const char *name;
} vmx_exits[] = { VMX_EXIT_REASONS };

const char *xt_vmx_exit_reason_str(uint32_t basic)
{
	size_t i;

	for (i = 0; i < XT_ARRAY_SIZE(vmx_exits); i++)
		if (vmx_exits[i].nr == basic)
			return vmx_exits[i].name;
	return "?";
}

void xt_exit_describe(struct xt_vcpu *vcpu, char *buf, size_t size)
{
	struct xvcpu_run *run = vcpu->run;
	uint32_t reason = run->exit_reason;
	int n, i;

	n = snprintf(buf, size, "%s (%u)", xt_exit_reason_str(reason), reason);
	if (n < 0 || (size_t)n >= size)
		return;
	buf += n;
	size -= n;
	switch (reason) {
	case XVCPU_EXIT_IO: {
		struct ucall uc;
		uint64_t cmd = get_ucall(vcpu, &uc);

		if (cmd == UCALL_ABORT || cmd == UCALL_UNHANDLED) {
			char msg[1024];

			xt_ucall_message(vcpu->vm, &uc, msg, sizeof(msg));
			snprintf(buf, size, ": ucall: %s", msg);
			return;
		}
		if (cmd != UCALL_NONE) {
			snprintf(buf, size, ": ucall %s arg0 0x%llx",
				 xt_ucall_str(cmd),
				 (unsigned long long)uc.args[0]);
			return;
		}
		snprintf(buf, size,
			 ": %s port 0x%x size %u count %u data_offset %llu",
			 run->io.direction == XVCPU_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count,
			 (unsigned long long)run->io.data_offset);
		return;
	}
	case XVCPU_EXIT_MMIO: {
		uint64_t data = 0;

		memcpy(&data, run->mmio.data, sizeof(data));
		snprintf(buf, size, ": %s gpa 0x%llx len %u data 0x%llx",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.len, (unsigned long long)data);
		return;
	}
	case XVCPU_EXIT_HYPERCALL:
		snprintf(buf, size, ": nr 0x%llx args 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx",
			 (unsigned long long)run->hypercall.nr,
			 (unsigned long long)run->hypercall.args[0],
			 (unsigned long long)run->hypercall.args[1],
			 (unsigned long long)run->hypercall.args[2],
			 (unsigned long long)run->hypercall.args[3],
			 (unsigned long long)run->hypercall.args[4]);
		return;
	case XVCPU_EXIT_FAIL_ENTRY:
		snprintf(buf, size,
			 ": hardware reason 0x%llx (%s) vm-instruction error %u cpu %u qualification 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 xt_vmx_exit_reason_str(run->fail_entry.hardware_entry_failure_reason & 0xffff),
			 run->fail_entry.vm_instruction_error,
			 run->fail_entry.cpu,
			 (unsigned long long)run->fail_entry.exit_qualification);
		return;
	case XVCPU_EXIT_INTERNAL_ERROR: {
		uint32_t sub = run->internal.suberror;

		n = snprintf(buf, size, ": suberror %s (%u) ndata %u",
			     sub < XT_ARRAY_SIZE(internal_names) &&
			     internal_names[sub] ? internal_names[sub] : "?",
			     sub, run->internal.ndata);
		for (i = 0; i < (int)run->internal.ndata && i < 16; i++) {
			if (n < 0 || (size_t)n >= size)
				return;
			n += snprintf(buf + n, size - n, " 0x%llx",
				      (unsigned long long)run->internal.data[i]);
		}
		return;
	}
	case XVCPU_EXIT_MSR:
		snprintf(buf, size, ": %s index 0x%x data 0x%llx",
			 run->msr.is_write ? "wrmsr" : "rdmsr", run->msr.index,
			 (unsigned long long)run->msr.data);
		return;
	default:
		return;
	}
}

void __xt_assert_exit_reason(const char *file, int line,
			     struct xt_vcpu *vcpu, uint32_t expected)
{
	char desc[1200];

	if (vcpu->run->exit_reason == expected)
		return;
	xt_exit_describe(vcpu, desc, sizeof(desc));
	xt_test_fail(file, line, NULL,
		     "vCPU %u: expected exit %s (%u), got %s", vcpu->id,
		     xt_exit_reason_str(expected), expected, desc);
}

int xt_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	TEST_ASSERT(d, "opendir /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

/* One u64 stat of the vCPU's stats fd (Documentation/stats.rst), by name. */
uint64_t xt_vcpu_stat(struct xt_vcpu *vcpu, const char *name)
{
	int fd = vcpu_ioctl(vcpu, XVCPU_GET_STATS_FD, 0);
	struct xvcpu_stats_header h;
	uint64_t v = ~0ULL;
	size_t dsize;
	char *desc;
	uint32_t i;

	TEST_ASSERT(pread(fd, &h, sizeof(h), 0) == sizeof(h), "stats header");
	dsize = sizeof(struct xvcpu_stats_desc) + h.name_size;
	desc = calloc(h.num_desc, dsize);
	TEST_ASSERT(desc, "calloc");
	TEST_ASSERT(pread(fd, desc, h.num_desc * dsize, h.desc_offset) ==
		    (ssize_t)(h.num_desc * dsize), "stats descriptors");
	for (i = 0; i < h.num_desc; i++) {
		struct xvcpu_stats_desc *d = (void *)(desc + i * dsize);

		if (strcmp(d->name, name))
			continue;
		TEST_ASSERT(d->size == 1, "%s has %u values", name, d->size);
		TEST_ASSERT(pread(fd, &v, 8, h.data_offset + d->offset) == 8,
			    "stat %s", name);
		break;
	}
	TEST_ASSERT(i < h.num_desc, "no stat named %s", name);
	free(desc);
	close(fd);
	return v;
}
