// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O: every IN/OUT/INS/OUTS exits (unconditional I/O exiting) and
 * goes to user space with its data in the run page. String I/O moves up
 * to XVCPU_RUN_SIZE - XVCPU_RUN_IO_DATA_OFFSET bytes per exit; a REP
 * instruction with more to do is executed again by the guest after RSI/
 * RDI/RCX were updated, which gives the next batch. Vcpu loaded.
 *
 * The one exception is the debug port: a 1-byte OUT to port 0x80 is
 * handled here, in the kernel (trace/guest.c), unless the VM gave the
 * port to user space (XVCPU_CAP_USER_DEBUG_PORT). Any other access to
 * it (IN, 2 or 4 bytes, string I/O) goes to user space as usual.
 */
#include "../xvcpu.h"

#include <linux/uaccess.h>
#include <asm/trapnr.h>

#include "vmcs.h"
#include "vmx.h"
#include "../trace/guest.h"
#include "../trace/trace.h"

#define IO_MAX_BYTES	(XVCPU_RUN_SIZE - XVCPU_RUN_IO_DATA_OFFSET)

/* Exit qualification of I/O instructions (SDM vol. 3C, table 28-5). */
#define IOQ_SIZE(q)	(((q) & 7) + 1)
#define IOQ_IN		BIT(3)
#define IOQ_STRING	BIT(4)
#define IOQ_REP		BIT(5)
#define IOQ_PORT(q)	((q) >> 16)

static u8 *io_data(struct xvcpu_vcpu *vcpu)
{
	return (u8 *)vcpu->run + XVCPU_RUN_IO_DATA_OFFSET;
}

static u64 addr_mask(unsigned int asz)
{
	return asz == 8 ? ~0ULL : (1ULL << (asz * 8)) - 1;
}

/* Segment base for OUTS from VM-exit instruction information [17:15]. */
static unsigned long seg_base(unsigned int seg)
{
	static const unsigned long bases[] = {
		GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
		GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE,
	};

	return __vmcs_read(bases[seg < ARRAY_SIZE(bases) ? seg : 3]);
}

static int inject_pf(struct xvcpu_vcpu *vcpu, u64 la, u32 error)
{
	vcpu->cr2 = la;
	xvcpu_inject_exception(vcpu, X86_TRAP_PF, error);
	return XVCPU_RESUME;
}

/*
 * Copy @count elements between the guest and the run page, element by
 * element when DF=1 (the addresses go down). Vcpu not loaded.
 */
static int copy_elements(struct xvcpu_vcpu *vcpu,
			 const struct xvcpu_guest_mode *m, u64 la, bool write,
			 u32 *pf, u64 *fault_la)
{
	u8 *data = io_data(vcpu);
	u32 size = vcpu->io.size, n = vcpu->io.count, i;
	int r;

	if (!vcpu->io.df)
		return xvcpu_copy_linear(vcpu, m, la, data, n * size, write,
					 pf, fault_la);
	for (i = 0; i < n; i++) {
		r = xvcpu_copy_linear(vcpu, m, la - (u64)i * size,
				      data + i * size, size, write, pf,
				      fault_la);
		if (r)
			return r;
	}
	return 0;
}

/* string_io(): the data is ready (OUTS) or has a place (INS): exit. */
#define IO_TO_USER	2

static int string_io(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e, bool in)
{
	u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
	unsigned int asz = 2 << ((info >> 7) & 7);	/* 2, 4 or 8 bytes */
	u64 mask = addr_mask(asz), count, la, fault_la;
	unsigned long *r = vcpu->regs.r;
	struct xvcpu_guest_mode m;
	u32 pf;
	int ret;

	count = vcpu->io.rep ? r[XR_RCX] & mask : 1;
	if (!count) {
		xvcpu_skip_insn(vcpu, e->insn_len);
		return XVCPU_RESUME;
	}
	vcpu->io.df = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	vcpu->io.asz = asz;
	vcpu->io.count = min_t(u64, count, IO_MAX_BYTES / vcpu->io.size);
	vcpu->io.insn_len = e->insn_len;
	xvcpu_snapshot_mode(vcpu, &m);
	vcpu->io.mode = m;
	if (in) {
		vcpu->io.la = vmcs_readl(GUEST_ES_BASE) + (r[XR_RDI] & mask);
		return IO_TO_USER;
	}
	la = seg_base((info >> 15) & 7) + (r[XR_RSI] & mask);

	xvcpu_vcpu_put(vcpu);
	ret = copy_elements(vcpu, &m, la, false, &pf, &fault_la);
	if (xvcpu_vcpu_reload(vcpu)) {
		vcpu->run->exit_reason = XVCPU_EXIT_INTR;
		return -EINTR;
	}
	if (ret == XVCPU_WALK_PF)
		return inject_pf(vcpu, fault_la, pf);
	if (ret == XVCPU_WALK_GP) {
		xvcpu_inject_gp(vcpu);
		return XVCPU_RESUME;
	}
	if (ret) {
		u64 data[2] = { la, (u64)(s64)ret };

		return xvcpu_internal_error(vcpu, XVCPU_INTERNAL_MEMORY, data, 2);
	}
	return IO_TO_USER;
}

/* xvcpu_io for the access in vcpu->io, handled in the kernel or not. */
static noinline void trace_io(struct xvcpu_vcpu *vcpu, bool user)
{
	u64 data = 0;

	/* The value of a plain OUT (string data stays in the run page). */
	if (!vcpu->io.string && !vcpu->io.in)
		memcpy(&data, io_data(vcpu), vcpu->io.size);
	trace_xvcpu_io(vcpu, vcpu->io.port, vcpu->io.size, vcpu->io.in,
		       vcpu->io.string, vcpu->io.rep, vcpu->io.count, data,
		       user);
}

/* The in-kernel debug port's OUT imm8/DX, AL: no IN, no string, size 1. */
bool xvcpu_debug_port_exit(struct xvcpu_vcpu *vcpu, u64 qual)
{
	return (qual & (IOQ_IN | IOQ_STRING | 7)) == 0 &&
	       IOQ_PORT(qual) == XVCPU_DEBUG_PORT &&
	       !READ_ONCE(vcpu->vm->user_debug_port);
}

int xvcpu_handle_io(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	struct xvcpu_run *run = vcpu->run;
	bool in = e->qual & IOQ_IN;
	int r;

	if (xvcpu_debug_port_exit(vcpu, e->qual)) {
		/* Never sampled out (run.c): no vcpu->trace_detail check. */
		if (trace_xvcpu_io_enabled())
			trace_xvcpu_io(vcpu, XVCPU_DEBUG_PORT, 1, false, false,
				       false, 1, (u8)vcpu->regs.r[XR_RAX],
				       false);
		xvcpu_debug_port_write(vcpu, vcpu->regs.r[XR_RAX]);
		xvcpu_skip_insn(vcpu, e->insn_len);
		return XVCPU_RESUME;
	}

	vcpu->io.size = IOQ_SIZE(e->qual);
	vcpu->io.port = IOQ_PORT(e->qual);
	vcpu->io.in = in;
	vcpu->io.string = e->qual & IOQ_STRING;
	vcpu->io.rep = e->qual & IOQ_REP;
	vcpu->io.count = 1;

	if (vcpu->io.string) {
		r = string_io(vcpu, e, in);
		if (r != IO_TO_USER) {
			/*
			 * REP count 0 or a fault injected (done in here), or an
			 * internal error already in the run page.
			 */
			if (r == XVCPU_RESUME && vcpu->trace_detail &&
			    trace_xvcpu_io_enabled())
				trace_io(vcpu, false);
			return r;
		}
	} else {
		if (!in)
			memcpy(io_data(vcpu), &vcpu->regs.r[XR_RAX],
			       vcpu->io.size);
		xvcpu_skip_insn(vcpu, e->insn_len);
	}
	if (vcpu->trace_detail && trace_xvcpu_io_enabled())
		trace_io(vcpu, true);
	run->exit_reason = XVCPU_EXIT_IO;
	run->io.direction = in ? XVCPU_EXIT_IO_IN : XVCPU_EXIT_IO_OUT;
	run->io.size = vcpu->io.size;
	run->io.port = vcpu->io.port;
	run->io.count = vcpu->io.count;
	run->io.data_offset = XVCPU_RUN_IO_DATA_OFFSET;
	vcpu->pending = in ? XVCPU_PENDING_IO_IN : XVCPU_PENDING_IO_OUT;
	return XVCPU_USER;
}

/* After user space handled the exit: results into the guest. Loaded. */
int xvcpu_complete_io(struct xvcpu_vcpu *vcpu)
{
	unsigned long *r = vcpu->regs.r;
	u64 mask, step, fault_la;
	u32 pf;
	int ret;

	if (!vcpu->io.string) {
		if (vcpu->io.in) {
			u64 v = 0;

			memcpy(&v, io_data(vcpu), vcpu->io.size);
			if (vcpu->io.size == 4)
				r[XR_RAX] = v;	/* IN EAX zero-extends */
			else if (vcpu->io.size == 2)
				r[XR_RAX] = (r[XR_RAX] & ~0xffffUL) | v;
			else
				r[XR_RAX] = (r[XR_RAX] & ~0xffUL) | v;
		}
		return 0;
	}

	if (vcpu->io.in) {
		xvcpu_vcpu_put(vcpu);
		ret = copy_elements(vcpu, &vcpu->io.mode, vcpu->io.la, true,
				    &pf, &fault_la);
		if (xvcpu_vcpu_reload(vcpu))
			return -EINTR;
		if (ret == XVCPU_WALK_PF) {
			inject_pf(vcpu, fault_la, pf);
			return 0;
		}
		if (ret) {
			xvcpu_inject_gp(vcpu);
			return 0;
		}
	}
	mask = addr_mask(vcpu->io.asz);
	step = (u64)vcpu->io.count * vcpu->io.size;
	if (vcpu->io.df)
		step = -step;
	if (vcpu->io.in)
		r[XR_RDI] = (r[XR_RDI] & ~mask) | ((r[XR_RDI] + step) & mask);
	else
		r[XR_RSI] = (r[XR_RSI] & ~mask) | ((r[XR_RSI] + step) & mask);
	if (vcpu->io.rep) {
		r[XR_RCX] = (r[XR_RCX] & ~mask) |
			    ((r[XR_RCX] - vcpu->io.count) & mask);
		if (r[XR_RCX] & mask)
			return 0;	/* the guest re-executes for more */
	}
	xvcpu_skip_insn(vcpu, vcpu->io.insn_len);
	return 0;
}
