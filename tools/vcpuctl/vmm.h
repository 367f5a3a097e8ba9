/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small VMM library over /dev/xvcpu: VM, vCPUs and guest RAM (vmm.c,
 * the only file that issues xvcpu ioctls) and the CPU mode a guest starts
 * in (mode.c, pure: it writes tables into a buffer and fills register
 * structures, so host unit tests can check it without the module).
 */
#ifndef VCPUCTL_VMM_H
#define VCPUCTL_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/xvcpu.h>

#define VMM_DEVICE	"/dev/xvcpu"

struct vmm_vm {
	int sys_fd;		/* /dev/xvcpu */
	int vm_fd;
	size_t run_size;	/* XVCPU_GET_VCPU_MMAP_SIZE */
	void *mem;		/* guest RAM, mapped at GPA 0 */
	uint64_t mem_size;
	void *priv;		/* backend private (the host KVM test shim) */
};

struct vmm_vcpu {
	struct vmm_vm *vm;
	unsigned int id;
	int fd;
	struct xvcpu_run *run;	/* shared with the kernel */
	void *priv;		/* backend private */
};

/*
 * Every function returns 0 (or a count) or -errno, and has already said
 * what failed, naming the ioctl, through p_err().
 */
int vmm_open(struct vmm_vm *vm);
void vmm_close(struct vmm_vm *vm);
/* 1 present, 0 absent, -errno. Says nothing: absence is not an error. */
int vmm_check_cap(struct vmm_vm *vm, unsigned int cap);
/*
 * XVCPU_ENABLE_CAP of a VM capability without arguments. -EOPNOTSUPP,
 * silently, from a backend that has no such thing (KVM's).
 */
int vmm_enable_cap(struct vmm_vm *vm, unsigned int cap);
/*
 * XVCPU_GET_DEBUG_PORT_LOG into @log. -ENOTTY, silently, from a backend
 * or module without the log.
 */
int vmm_get_debug_port_log(struct vmm_vm *vm,
			   struct xvcpu_debug_port_log *log);
/* Anonymous RAM for [0, size) in slot 0. */
int vmm_alloc_ram(struct vmm_vm *vm, uint64_t size);
int vmm_set_memory(struct vmm_vm *vm, uint32_t slot, uint32_t flags,
		   uint64_t gpa, uint64_t size, void *host);

int vmm_vcpu_create(struct vmm_vm *vm, unsigned int id,
		    struct vmm_vcpu *vcpu);
void vmm_vcpu_destroy(struct vmm_vcpu *vcpu);
int vmm_get_regs(struct vmm_vcpu *vcpu, struct xvcpu_regs *regs);
int vmm_set_regs(struct vmm_vcpu *vcpu, const struct xvcpu_regs *regs);
int vmm_get_sregs(struct vmm_vcpu *vcpu, struct xvcpu_sregs *sregs);
int vmm_set_sregs(struct vmm_vcpu *vcpu, const struct xvcpu_sregs *sregs);
/*
 * XVCPU_RUN: 0 with run->exit_reason set, or -errno (-EINTR on a signal
 * or immediate_exit). Silent: EINTR is the normal way to stop.
 */
int vmm_run(struct vmm_vcpu *vcpu);
/*
 * Make the next or current RUN of @vcpu return -EINTR: sets
 * immediate_exit; the caller then signals the vCPU thread, which ends
 * a RUN already inside the guest. Safe from any thread.
 */
void vmm_kick(struct vmm_vcpu *vcpu);
/*
 * Queue external interrupt @vector (XVCPU_INTERRUPT): delivered at the
 * next entry the guest can take it. -EBUSY while one is still queued.
 */
int vmm_interrupt(struct vmm_vcpu *vcpu, unsigned int vector);
/*
 * The vCPU's CPUID table (XVCPU_GET_CPUID into @c, room for @max
 * entries) and its replacement (XVCPU_SET_CPUID).
 */
int vmm_get_cpuid(struct vmm_vcpu *vcpu, struct xvcpu_cpuid *c,
		  unsigned int max);
int vmm_set_cpuid(struct vmm_vcpu *vcpu, const struct xvcpu_cpuid *c);
/*
 * The vCPU's binary stats fd (XVCPU_GET_STATS_FD; KVM_GET_STATS_FD for
 * the KVM test backend): an fd, or -errno (-ENOTTY silently).
 */
int vmm_vcpu_stats_fd(struct vmm_vcpu *vcpu);

/* ---- CPU mode at entry (mode.c) ----------------------------------- */

enum cpu_mode {
	MODE_REAL,
	MODE_PROTECTED,
	MODE_LONG,
};

const char *mode_name(enum cpu_mode mode);
/* "real", "protected", "long" or a unique prefix of one. */
int mode_parse(const char *s, enum cpu_mode *mode);

/*
 * The guest physical layout vcpuctl imposes, all inside guest RAM at
 * GPA 0. Protected and long mode: the top VMM_SYS_SIZE bytes hold the
 * GDT, a TSS and the page tables; below them each vCPU gets a
 * VMM_STACK_SIZE stack (vCPU 0 highest). Real mode: SS:SP = 0:7c00
 * for vCPU 0, VMM_REAL_STACK_SIZE lower for each next vCPU, as a BIOS
 * leaves a boot sector. [reserved_lo, reserved_hi) is what a guest
 * image must not overlap.
 */
#define VMM_SYS_SIZE		0x8000ull
#define VMM_STACK_SIZE		0x10000ull
#define VMM_REAL_STACK_TOP	0x7c00ull
#define VMM_REAL_STACK_SIZE	0x100ull
#define VMM_MEM_MIN		0x10000ull		/* 64 KiB */
#define VMM_MEM_MAX		0xc0000000ull		/* 3 GiB */
#define VMM_REAL_LIMIT		0x100000ull		/* 1 MiB */

/* Offsets inside the system area. */
#define SYS_GDT		0x0000
#define SYS_TSS		0x0100
#define SYS_PML4	0x1000
#define SYS_PDPT	0x2000
#define SYS_PD		0x3000		/* 4 page directories: 4 GiB */
#define SYS_NR_PD	4

/* GDT selectors (the same in protected and long mode). */
#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18

struct guest_layout {
	enum cpu_mode mode;
	uint64_t mem_size;
	unsigned int nr_vcpus;
	uint64_t sys_base;	/* protected/long: the tables */
	uint64_t reserved_lo;	/* VMM-owned: tables and stacks */
	uint64_t reserved_hi;
};

/* -ENOSPC when @mem_size cannot hold the tables and stacks. */
int layout_init(struct guest_layout *l, enum cpu_mode mode,
		uint64_t mem_size, unsigned int nr_vcpus);
/* The top of vCPU @id's stack (SP in real mode, a linear address). */
uint64_t layout_stack_top(const struct guest_layout *l, unsigned int id);

/* An 8-byte GDT descriptor; @limit is the raw 20-bit field. */
uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access,
		   uint8_t flags);

/*
 * Write the GDT, TSS and (long mode) identity page tables into @mem.
 * The page tables map [0, 4 GiB) with 2 MiB pages, so RAM and the open
 * bus above it look the same as in protected mode.
 */
void mode_build_tables(void *mem, const struct guest_layout *l);

struct entry_point {
	uint64_t addr;		/* linear */
	bool seg_off;		/* real mode: use seg:off as given */
	uint16_t seg, off;
};

/*
 * Turn the reset state in @sregs into the mode's entry state and fill
 * @regs for vCPU @id: RIP at @entry, RSP at its stack, RFLAGS with IF
 * clear, RDI = vCPU id, RSI = number of vCPUs, RDX = RAM size in bytes.
 */
void mode_setup_vcpu(const struct guest_layout *l, unsigned int id,
		     const struct entry_point *entry,
		     struct xvcpu_sregs *sregs, struct xvcpu_regs *regs);

/*
 * Flat 32-bit protected mode, or long mode with paging: what `vcpuctl
 * run` and `vcpuctl boot` (bzimage.c, pvh.c) both start a vCPU in. Flat
 * 4 GiB code (@cs) and data (@ds, also ES, FS, GS, SS) segments, a busy
 * TSS of 0x68 bytes at @tss in TR, LDTR unusable, the GDT at @gdt, an
 * empty IDT, CR0 = PE|ET|NE; in long mode also PG and @cr0_extra, CR3
 * = @cr3, CR4 = PAE, EFER = LME|LMA.
 */
struct flat_state {
	bool long_mode;
	uint16_t cs, ds, tr;
	uint64_t tss;
	uint64_t gdt;
	uint16_t gdt_limit;
	uint64_t cr3;
	uint64_t cr0_extra;
};

void mode_flat_sregs(struct xvcpu_sregs *sregs, const struct flat_state *f);

/* Real mode: split a linear address the way vcpuctl enters it. */
void real_seg_off(uint64_t addr, uint16_t *seg, uint16_t *off);

#endif /* VCPUCTL_VMM_H */
