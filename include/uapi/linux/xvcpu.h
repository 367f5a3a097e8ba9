/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xvcpu - the user ABI of the xvcpu VT-x vCPU backend.
 *
 * This header is the whole ABI: every ioctl, every shared structure.
 * Rules: fixed-width types only, pointers carried as __u64, explicit
 * padding, reserved fields that must be zero (non-zero -> -EINVAL).
 * A shipped structure never changes; growth goes through capabilities.
 *
 * File descriptors and ioctl number ranges (one magic, XVCPUIO):
 *   system fd (/dev/xvcpu)   0x00-0x3f
 *   VM fd                    0x40-0x7f (0x44, 0x45: VM and vCPU fds)
 *   vCPU fd                  0x80-0xbf
 */
#ifndef _UAPI_LINUX_XVCPU_H
#define _UAPI_LINUX_XVCPU_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define XVCPU_API_VERSION	1

#define XVCPUIO			0xB8

/*
 * Capabilities for XVCPU_CHECK_CAP: features of this CPU that xvcpu
 * uses or offers to VMs. The ioctl returns 1 when the capability is
 * present, 0 when it is known but absent on this CPU, and fails with
 * EINVAL for a number this module does not know. Numbers are never
 * reused; XVCPU_CAP_NR only grows.
 */
#define XVCPU_CAP_EPT			1	/* EPT, 4-level walk, WB */
#define XVCPU_CAP_VPID			2	/* tagged TLB per vCPU */
#define XVCPU_CAP_UNRESTRICTED_GUEST	3	/* real mode, paging off */
#define XVCPU_CAP_EPT_2M		4	/* 2 MiB EPT mappings */
#define XVCPU_CAP_EPT_1G		5	/* 1 GiB EPT mappings */
#define XVCPU_CAP_EPT_AD		6	/* EPT accessed/dirty bits */
#define XVCPU_CAP_PREEMPTION_TIMER	7	/* VMX preemption timer */
#define XVCPU_CAP_USER_MSR_EXITS	8	/* VM: unknown MSRs exit to user */
#define XVCPU_CAP_USER_DEBUG_PORT	9	/* VM: port 0x80 exits to user */
#define XVCPU_CAP_STATS_FD		10	/* XVCPU_GET_STATS_FD, RESET_STATS */
#define XVCPU_CAP_TRACE_TRIGGERED	11	/* XVCPU_TRACE_TRIGGERED, _TRIGGER */
#define XVCPU_CAP_USER_TRACE_EVENTS	12	/* VM: XVCPU_HC_TRACE at CPL > 0 */
#define XVCPU_CAP_NR			13	/* first unknown number */

/* System ioctls (on /dev/xvcpu). */
/* Returns XVCPU_API_VERSION; takes no argument (pass 0). */
#define XVCPU_GET_API_VERSION	_IO(XVCPUIO, 0x00)
/* Argument: an XVCPU_CAP_* number, by value. */
#define XVCPU_CHECK_CAP		_IO(XVCPUIO, 0x01)
/* Argument: VM type, must be 0. Returns a new VM fd (O_CLOEXEC). */
#define XVCPU_CREATE_VM		_IO(XVCPUIO, 0x02)
/* Returns the size to mmap() from a vCPU fd at offset 0. */
#define XVCPU_GET_VCPU_MMAP_SIZE _IO(XVCPUIO, 0x03)

/* ---- VM fd ---------------------------------------------------------- */

#define XVCPU_MAX_MEMSLOTS	64
#define XVCPU_MAX_VCPUS		64

/* Guest memory slot flags. */
#define XVCPU_MEM_READONLY	(1U << 0)	/* guest writes exit as MMIO */

/*
 * Guest memory: [guest_phys_addr, +memory_size) is backed by user memory
 * at userspace_addr. All three page aligned; slots never overlap in
 * guest physical space; memory_size 0 deletes the slot. Pages are
 * pinned when the guest first touches them and released when the slot
 * is deleted or the VM is destroyed.
 */
struct xvcpu_memory_region {
	__u32 slot;		/* 0 .. XVCPU_MAX_MEMSLOTS-1 */
	__u32 flags;		/* XVCPU_MEM_* */
	__u64 guest_phys_addr;
	__u64 memory_size;	/* bytes, 0 = delete */
	__u64 userspace_addr;
	__u64 reserved[2];	/* must be 0 */
};

/*
 * Enable a VM capability (XVCPU_CAP_USER_MSR_EXITS,
 * XVCPU_CAP_USER_DEBUG_PORT, XVCPU_CAP_USER_TRACE_EVENTS: no
 * arguments). Enabling is for the VM's life; it cannot be undone.
 */
struct xvcpu_enable_cap {
	__u32 cap;
	__u32 flags;		/* must be 0 */
	__u64 args[4];		/* must be 0 unless the capability says */
	__u64 reserved[4];	/* must be 0 */
};

/*
 * The debug port (Documentation/guest-events.rst): a 1-byte OUT to port
 * 0x80 (XVCPU_DEBUG_PORT) is handled in the kernel, unless the VM enabled
 * XVCPU_CAP_USER_DEBUG_PORT. Every other access to the port (IN, 2 or
 * 4 bytes, string I/O) exits to user space as any port I/O. The code's
 * range names the guest component that wrote it, as in cloud-hypervisor.
 */
#define XVCPU_DEBUG_PORT		0x80

#define XVCPU_DEBUG_PORT_FIRMWARE	0	/* codes 0x00-0x1f */
#define XVCPU_DEBUG_PORT_BOOTLOADER	1	/* codes 0x20-0x3f */
#define XVCPU_DEBUG_PORT_KERNEL		2	/* codes 0x40-0x5f */
#define XVCPU_DEBUG_PORT_USERSPACE	3	/* codes 0x60-0x7f */
#define XVCPU_DEBUG_PORT_CUSTOM		4	/* codes 0x80-0xff */

/* Codes 0x80-0xff are all custom: the component of @code, 0..4. */
#define XVCPU_DEBUG_PORT_COMPONENT(code) \
	((code) >= 0x80 ? XVCPU_DEBUG_PORT_CUSTOM : (code) >> 5)

/* Entries each VM keeps: the last this many writes. */
#define XVCPU_DEBUG_PORT_LOG_SIZE	256

struct xvcpu_debug_port_entry {
	__u64 ns;		/* ns from VM creation (CLOCK_MONOTONIC) */
	__u32 vcpu_id;		/* the vCPU that wrote it */
	__u8 code;		/* the byte written */
	__u8 component;		/* XVCPU_DEBUG_PORT_* of code */
	__u16 reserved;		/* 0 */
};

/*
 * XVCPU_GET_DEBUG_PORT_LOG: a copy of the VM's debug-port log, which
 * reading does not clear. In: flags and reserved must be 0 (entries
 * are ignored). Out: total = writes since VM creation, count =
 * min(total, XVCPU_DEBUG_PORT_LOG_SIZE), entries[0, count) the last
 * count writes, oldest first: entries[i] is write number total - count
 * + i (from 0), and ns never decreases along them.
 */
struct xvcpu_debug_port_log {
	__u32 flags;		/* in: must be 0 */
	__u32 count;		/* out */
	__u64 total;		/* out */
	__u64 reserved[4];	/* in: must be 0 */
	struct xvcpu_debug_port_entry entries[XVCPU_DEBUG_PORT_LOG_SIZE];
};

#define XVCPU_SET_MEMORY_REGION	_IOW(XVCPUIO, 0x40, struct xvcpu_memory_region)
/* Argument: vCPU id 0 .. XVCPU_MAX_VCPUS-1. Returns a vCPU fd. */
#define XVCPU_CREATE_VCPU	_IO(XVCPUIO, 0x41)
#define XVCPU_ENABLE_CAP	_IOW(XVCPUIO, 0x42, struct xvcpu_enable_cap)
/*
 * Argument 0. Returns the VM's id (>= 0): the vm_id of its tracepoints
 * (Documentation/tracing.rst), unique among the VMs alive, reused after.
 */
#define XVCPU_GET_VM_ID		_IO(XVCPUIO, 0x43)
#define XVCPU_GET_DEBUG_PORT_LOG _IOWR(XVCPUIO, 0x48, struct xvcpu_debug_port_log)

/*
 * Binary statistics, laid out as KVM's (KVM_GET_STATS_FD; the flag
 * values are KVM's too): a read-only file of
 *
 *   header | id string | descriptors | data
 *
 * read with pread() at the offsets the header gives. The id string and
 * every descriptor's name take header.name_size bytes (NUL-terminated);
 * descriptor i starts at desc_offset + i * (sizeof(struct
 * xvcpu_stats_desc) + name_size). A stat is desc.size __u64 values at
 * data_offset + desc.offset. Descriptors never change for an open fd;
 * the data is read live. Readers must walk the descriptors by name, never
 * assume an order or a count: stats are added over time.
 * Documentation/stats.rst lists every stat.
 */
struct xvcpu_stats_header {
	__u32 flags;		/* 0 */
	__u32 name_size;	/* bytes of the id and of each name */
	__u32 num_desc;
	__u32 id_offset;
	__u32 desc_offset;
	__u32 data_offset;
};

#define XVCPU_STATS_TYPE_SHIFT		0
#define XVCPU_STATS_TYPE_MASK		(0xF << XVCPU_STATS_TYPE_SHIFT)
#define XVCPU_STATS_TYPE_CUMULATIVE	(0x0 << XVCPU_STATS_TYPE_SHIFT)
#define XVCPU_STATS_TYPE_INSTANT	(0x1 << XVCPU_STATS_TYPE_SHIFT)
#define XVCPU_STATS_TYPE_PEAK		(0x2 << XVCPU_STATS_TYPE_SHIFT)
#define XVCPU_STATS_TYPE_LINEAR_HIST	(0x3 << XVCPU_STATS_TYPE_SHIFT)
#define XVCPU_STATS_TYPE_LOG_HIST	(0x4 << XVCPU_STATS_TYPE_SHIFT)
#define XVCPU_STATS_TYPE_MAX		XVCPU_STATS_TYPE_LOG_HIST

#define XVCPU_STATS_UNIT_SHIFT		4
#define XVCPU_STATS_UNIT_MASK		(0xF << XVCPU_STATS_UNIT_SHIFT)
#define XVCPU_STATS_UNIT_NONE		(0x0 << XVCPU_STATS_UNIT_SHIFT)
#define XVCPU_STATS_UNIT_BYTES		(0x1 << XVCPU_STATS_UNIT_SHIFT)
#define XVCPU_STATS_UNIT_SECONDS	(0x2 << XVCPU_STATS_UNIT_SHIFT)
#define XVCPU_STATS_UNIT_CYCLES		(0x3 << XVCPU_STATS_UNIT_SHIFT)
#define XVCPU_STATS_UNIT_BOOLEAN	(0x4 << XVCPU_STATS_UNIT_SHIFT)
#define XVCPU_STATS_UNIT_MAX		XVCPU_STATS_UNIT_BOOLEAN

/* value * base^exponent units: nanoseconds are SECONDS, POW10, -9. */
#define XVCPU_STATS_BASE_SHIFT		8
#define XVCPU_STATS_BASE_MASK		(0xF << XVCPU_STATS_BASE_SHIFT)
#define XVCPU_STATS_BASE_POW10		(0x0 << XVCPU_STATS_BASE_SHIFT)
#define XVCPU_STATS_BASE_POW2		(0x1 << XVCPU_STATS_BASE_SHIFT)
#define XVCPU_STATS_BASE_MAX		XVCPU_STATS_BASE_POW2

/*
 * One stat. LOG_HIST: size buckets, bucket 0 counts the value 0, bucket
 * n (1 <= n < size - 1) counts [2^(n-1), 2^n), the last one everything
 * from 2^(size-2) up. LINEAR_HIST: bucket n counts [n * bucket_size,
 * (n + 1) * bucket_size), the last one everything above.
 */
struct xvcpu_stats_desc {
	__u32 flags;		/* XVCPU_STATS_TYPE_*|UNIT_*|BASE_* */
	__s16 exponent;
	__u16 size;		/* number of __u64 values */
	__u32 offset;		/* bytes from data_offset */
	__u32 bucket_size;	/* LINEAR_HIST only, else 0 */
	char name[];		/* header.name_size bytes */
};

/*
 * On a VM fd or a vCPU fd; no argument (pass 0). Returns a new read-only
 * stats fd (O_RDONLY | O_CLOEXEC) for that VM or vCPU; it keeps the
 * stats alive after the VM or vCPU fd is closed.
 */
#define XVCPU_GET_STATS_FD	_IO(XVCPUIO, 0x44)
/*
 * On a VM fd or a vCPU fd; no argument (pass 0). Zeroes the cumulative,
 * peak and histogram stats of that VM (peaks restart from the current
 * value) or vCPU; instant values are state and stay.
 */
#define XVCPU_RESET_STATS	_IO(XVCPUIO, 0x45)

/*
 * Trace sampling (Documentation/tracing.rst, "Sampling"), on a VM fd:
 * which exits of a VMX basic exit reason (0 .. 75, EXIT_REASON_NOTIFY)
 * emit xvcpu_exit and that reason's detail event (xvcpu_io, xvcpu_msr,
 * ...). XVCPU_TRACE_REASON_ALL sets every reason (and those past the
 * table). EINVAL: unknown mode, reason out of range, every 0 with
 * XVCPU_TRACE_EVERY, @every, @rate or @window_ms set for a mode that
 * does not take it, @window_ms 0 or above XVCPU_TRACE_WINDOW_MAX_MS with
 * XVCPU_TRACE_TRIGGERED, a non-zero reserved field.
 *
 * XVCPU_TRACE_TRIGGERED: off until a vCPU sees @rate or more exits of
 * the reason within one second (0: never by rate), or XVCPU_TRACE_TRIGGER
 * arrives; then every exit of the reason, on every vCPU of the VM, is
 * traced for @window_ms, then off again.
 *
 * @rate and @window_ms took the place of reserved[0] and reserved[1]
 * (which had to be 0): the layout and the old modes' meaning are as
 * before.
 */
#define XVCPU_TRACE_ALL		0	/* every exit traced */
#define XVCPU_TRACE_EVERY	1	/* 1 exit in @every traced */
#define XVCPU_TRACE_OFF		2	/* none traced */
#define XVCPU_TRACE_TRIGGERED	3	/* off; all for a window when hot */

#define XVCPU_TRACE_REASON_ALL	0xffffffffu
#define XVCPU_TRACE_REASONS	76	/* basic reasons 0 .. 75 */
#define XVCPU_TRACE_WINDOW_MAX_MS 3600000u	/* one hour */

struct xvcpu_trace_policy {
	__u32 reason;		/* VMX basic exit reason or _REASON_ALL */
	__u32 mode;		/* XVCPU_TRACE_ALL/EVERY/OFF/TRIGGERED */
	__u32 every;		/* N >= 1 for EVERY, else 0 */
	__u32 rate;		/* TRIGGERED: exits/s that turn it on, else 0 */
	__u32 window_ms;	/* TRIGGERED: how long it stays on, else 0 */
	__u32 reserved[3];	/* must be 0 */
};

#define XVCPU_SET_TRACE_POLICY	_IOW(XVCPUIO, 0x46, struct xvcpu_trace_policy)

/*
 * On a VM fd: turn tracing on now for a reason in XVCPU_TRACE_TRIGGERED
 * mode (or, with XVCPU_TRACE_REASON_ALL, for every such reason), for
 * @window_ms (0: each reason's own window), as if its rate had crossed
 * the threshold. EINVAL: reason out of range, @window_ms above
 * XVCPU_TRACE_WINDOW_MAX_MS, a non-zero reserved field; ENOENT: the
 * reason (or, with _REASON_ALL, every reason) is not in TRIGGERED mode.
 */
struct xvcpu_trace_trigger {
	__u32 reason;		/* VMX basic exit reason or _REASON_ALL */
	__u32 window_ms;	/* 0: the policy's window */
	__u32 reserved[2];	/* must be 0 */
};

#define XVCPU_TRACE_TRIGGER	_IOW(XVCPUIO, 0x47, struct xvcpu_trace_trigger)

/* ---- vCPU fd -------------------------------------------------------- */

struct xvcpu_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

struct xvcpu_segment {
	__u64 base;
	__u32 limit;		/* in bytes (expanded when g=1) */
	__u16 selector;
	__u8 type;
	__u8 present, dpl, db, s, l, g, avl;
	__u8 unusable;
	__u8 padding;		/* must be 0 */
};

struct xvcpu_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];	/* must be 0 */
};

struct xvcpu_sregs {
	struct xvcpu_segment cs, ds, es, fs, gs, ss;
	struct xvcpu_segment tr, ldt;
	struct xvcpu_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[8];	/* must be 0 on SET, 0 on GET */
};

struct xvcpu_msr_entry {
	__u32 index;
	__u32 reserved;		/* must be 0 */
	__u64 data;
};

#define XVCPU_MAX_MSR_ENTRIES	256

/*
 * GET/SET_MSRS process entries in order and return how many succeeded;
 * the first entry that fails (unknown MSR, bad value) stops the call.
 */
struct xvcpu_msrs {
	__u32 nmsrs;		/* 1 .. XVCPU_MAX_MSR_ENTRIES */
	__u32 pad;		/* must be 0 */
	struct xvcpu_msr_entry entries[];
};

#define XVCPU_CPUID_FLAG_SIGNIFICANT_INDEX	(1U << 0)

struct xvcpu_cpuid_entry {
	__u32 function;
	__u32 index;		/* subleaf, if SIGNIFICANT_INDEX */
	__u32 flags;		/* XVCPU_CPUID_FLAG_* */
	__u32 eax, ebx, ecx, edx;
	__u32 reserved[3];	/* must be 0 */
};

#define XVCPU_MAX_CPUID_ENTRIES	256

/*
 * SET_CPUID replaces the vCPU's table (nent 0 clears it). GET_CPUID
 * fills up to nent entries and sets nent to the table size (E2BIG when
 * the buffer was too small).
 */
struct xvcpu_cpuid {
	__u32 nent;
	__u32 pad;		/* must be 0 */
	struct xvcpu_cpuid_entry entries[];
};

/* Queue an external interrupt; delivered when the guest can take it. */
struct xvcpu_interrupt {
	__u32 vector;		/* 32 .. 255 */
	__u32 reserved;		/* must be 0 */
};

#define XVCPU_RUN		_IO(XVCPUIO, 0x80)
#define XVCPU_GET_REGS		_IOR(XVCPUIO, 0x81, struct xvcpu_regs)
#define XVCPU_SET_REGS		_IOW(XVCPUIO, 0x82, struct xvcpu_regs)
#define XVCPU_GET_SREGS		_IOR(XVCPUIO, 0x83, struct xvcpu_sregs)
#define XVCPU_SET_SREGS		_IOW(XVCPUIO, 0x84, struct xvcpu_sregs)
#define XVCPU_GET_MSRS		_IOWR(XVCPUIO, 0x85, struct xvcpu_msrs)
#define XVCPU_SET_MSRS		_IOW(XVCPUIO, 0x86, struct xvcpu_msrs)
#define XVCPU_SET_CPUID		_IOW(XVCPUIO, 0x87, struct xvcpu_cpuid)
#define XVCPU_GET_CPUID		_IOWR(XVCPUIO, 0x88, struct xvcpu_cpuid)
#define XVCPU_INTERRUPT		_IOW(XVCPUIO, 0x89, struct xvcpu_interrupt)

/* ---- the run structure (mmap of a vCPU fd, offset 0) ----------------- */

/* Exit reasons (struct xvcpu_run.exit_reason). */
#define XVCPU_EXIT_UNKNOWN		0
#define XVCPU_EXIT_IO			1
#define XVCPU_EXIT_MMIO			2
#define XVCPU_EXIT_HLT			3
#define XVCPU_EXIT_HYPERCALL		4
#define XVCPU_EXIT_SHUTDOWN		5	/* triple fault */
#define XVCPU_EXIT_FAIL_ENTRY		6
#define XVCPU_EXIT_INTERNAL_ERROR	7
#define XVCPU_EXIT_INTR			8	/* signal: RUN gave -EINTR */
#define XVCPU_EXIT_MSR			9	/* XVCPU_CAP_USER_MSR_EXITS */
#define XVCPU_EXIT_IRQ_WINDOW_OPEN	10

/*
 * The exit reasons' names, for tables indexed by reason (one list for
 * every tool, as <asm/vmx.h>'s VMX_EXIT_REASONS is for VMX reasons):
 *   static const char *const names[] = { XVCPU_EXIT_REASON_NAMES };
 */
#define XVCPU_EXIT_REASON_NAMES					\
	[XVCPU_EXIT_UNKNOWN]		= "UNKNOWN",		\
	[XVCPU_EXIT_IO]			= "IO",			\
	[XVCPU_EXIT_MMIO]		= "MMIO",		\
	[XVCPU_EXIT_HLT]		= "HLT",		\
	[XVCPU_EXIT_HYPERCALL]		= "HYPERCALL",		\
	[XVCPU_EXIT_SHUTDOWN]		= "SHUTDOWN",		\
	[XVCPU_EXIT_FAIL_ENTRY]		= "FAIL_ENTRY",		\
	[XVCPU_EXIT_INTERNAL_ERROR]	= "INTERNAL_ERROR",	\
	[XVCPU_EXIT_INTR]		= "INTR",		\
	[XVCPU_EXIT_MSR]		= "MSR",		\
	[XVCPU_EXIT_IRQ_WINDOW_OPEN]	= "IRQ_WINDOW_OPEN"

/*
 * Hypercall results the kernel puts into the guest's RAX, negated (as
 * KVM's -KVM_EPERM, -KVM_EINVAL): a VMCALL from guest user mode gets
 * -XVCPU_HYPERCALL_EPERM, a malformed XVCPU_HC_TRACE
 * -XVCPU_HYPERCALL_EINVAL.
 */
#define XVCPU_HYPERCALL_EPERM		1
#define XVCPU_HYPERCALL_EINVAL		22

/*
 * Hypercalls the kernel handles itself (no exit to user space); every
 * other number is an XVCPU_EXIT_HYPERCALL. Numbers 0x78760000-0x7876ffff
 * ("xv") are kept for these: a VMM should not give them a meaning.
 *
 * XVCPU_HC_TRACE, a guest trace event (Xen's TRACE_0D..TRACE_5D from
 * inside the guest; Documentation/guest-events.rst): RAX = XVCPU_HC_TRACE,
 * RBX = event id (32 bits), RCX = number of data words n (0..5), RDX,
 * RSI, RDI, R8, R9 = data words 0..4 (the first n are used). Outside
 * 64-bit mode registers are taken as 32 bits, and n must be at most 3
 * (R8 and R9 do not exist there). Emitted as the tracepoint
 * xvcpu:xvcpu_guest_event. RAX = 0 on success; -XVCPU_HYPERCALL_EINVAL
 * (and no event) for a bad n or an id above 32 bits; CPL > 0:
 * -XVCPU_HYPERCALL_EPERM, unless the VM enabled
 * XVCPU_CAP_USER_TRACE_EVENTS (then guest user mode may emit events
 * too; every other VMCALL at CPL > 0 still fails). Only RAX changes.
 */
#define XVCPU_HC_TRACE			0x78760001
#define XVCPU_HC_TRACE_MAX_DATA		5

#define XVCPU_EXIT_IO_IN		0
#define XVCPU_EXIT_IO_OUT		1

/* Internal error sub-reasons. */
#define XVCPU_INTERNAL_UNHANDLED_EXIT	1 /* data: reason, qual, rip, info */
#define XVCPU_INTERNAL_EMULATION	2 /* data: gpa, rip, len, bytes[16] */
/* data: reason, qual, vectoring, gpa (EPT exits, else 0) */
#define XVCPU_INTERNAL_EVENT_DELIVERY	3
#define XVCPU_INTERNAL_MEMORY		4 /* data: gpa, errno */

/* I/O data lives in the run page, from this offset (io.data_offset). */
#define XVCPU_RUN_IO_DATA_OFFSET	1024
#define XVCPU_RUN_SIZE			4096

struct xvcpu_run {
	/* in */
	__u8 request_interrupt_window;
	__u8 immediate_exit;	/* RUN returns -EINTR before entering */
	__u8 padding1[6];	/* must be 0 */

	/* out */
	__u32 exit_reason;
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u16 padding2;
	__u64 exit_count;	/* VM exits of this vCPU so far */
	__u64 reserved[5];

	union {
		/* XVCPU_EXIT_IO: data at (char *)run + data_offset. */
		struct {
			__u8 direction;	/* XVCPU_EXIT_IO_IN/OUT */
			__u8 size;	/* 1, 2, 4 */
			__u16 port;
			__u32 count;	/* repetitions (string I/O) */
			__u64 data_offset;
		} io;
		/* XVCPU_EXIT_MMIO: fill data for reads before the next RUN. */
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;	/* 1, 2, 4, 8 */
			__u8 is_write;
			__u8 pad[3];
		} mmio;
		/*
		 * XVCPU_EXIT_HYPERCALL: VMCALL at CPL 0, rax=nr,
		 * rbx/rcx/rdx/rsi/rdi. A VMCALL at CPL > 0 does not exit:
		 * the guest gets rax = -XVCPU_HYPERCALL_EPERM. Nor does
		 * XVCPU_HC_TRACE (handled in the kernel).
		 */
		struct {
			__u64 nr;
			__u64 args[5];
			__u64 ret;	/* written to guest rax on next RUN */
		} hypercall;
		/* XVCPU_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 vm_instruction_error; /* VMLAUNCH/VMRESUME failed */
			__u32 cpu;
			__u64 exit_qualification;
		} fail_entry;
		/* XVCPU_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;	/* XVCPU_INTERNAL_* */
			__u32 ndata;
			__u64 data[16];
		} internal;
		/* XVCPU_EXIT_MSR: set error=1 to inject #GP instead. */
		struct {
			__u32 index;
			__u8 is_write;
			__u8 error;
			__u8 pad[2];
			__u64 data;	/* written value, or value to return */
		} msr;
		/* XVCPU_EXIT_HLT, SHUTDOWN, INTR, IRQ_WINDOW_OPEN: no data. */
		__u8 padding[256];
	};
};

#endif /* _UAPI_LINUX_XVCPU_H */
