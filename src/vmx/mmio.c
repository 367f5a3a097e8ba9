// SPDX-License-Identifier: GPL-2.0
/*
 * EPT violations: a guest-physical address inside a slot gets its page
 * pinned and mapped; anything else (no slot, or a write to a read-only
 * slot) is MMIO: the faulting instruction is fetched through the guest's
 * page tables, decoded (decode.c), and handed to user space. An
 * instruction the decoder does not know becomes an internal-error exit
 * carrying its bytes, never a guess.
 *
 * Vcpu loaded on entry; put while the page is pinned or the instruction
 * fetched (both sleep), loaded again before returning.
 */
#include "../xvcpu.h"

#include "decode.h"
#include "vmcs.h"
#include "vmx.h"
#include "../trace/trace.h"

#define EPT_VIOL_WRITE	BIT(1)
#define EPT_VIOL_FETCH	BIT(2)

static int emulation_failed(struct xvcpu_vcpu *vcpu, u64 gpa, u64 rip,
			    const u8 *bytes, unsigned int len)
{
	u64 data[5] = { gpa, rip, len, 0, 0 };

	memcpy(&data[3], bytes, min(len, 16U));
	return xvcpu_internal_error(vcpu, XVCPU_INTERNAL_EMULATION, data,
				    ARRAY_SIZE(data));
}

static int memory_error(struct xvcpu_vcpu *vcpu, u64 gpa, int err)
{
	u64 data[2] = { gpa, (u64)(s64)err };

	return xvcpu_internal_error(vcpu, XVCPU_INTERNAL_MEMORY, data, 2);
}

int xvcpu_handle_ept_violation(struct xvcpu_vcpu *vcpu, struct xvcpu_exit *e)
{
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	bool write = e->qual & EPT_VIOL_WRITE;
	bool delivering = e->idt_vectoring & VECTORING_INFO_VALID_MASK;
	struct xvcpu_guest_mode m;
	struct xvcpu_mmio_insn insn;
	struct xvcpu_run *run;
	u8 bytes[XVCPU_INSN_MAX_LEN];
	unsigned int got = 0;
	u64 rip, la, fault_la;
	u32 pf;
	int r;

	rip = vmcs_readl(GUEST_RIP);
	la = vmcs_readl(GUEST_CS_BASE) + rip;
	xvcpu_snapshot_mode(vcpu, &m);

	xvcpu_vcpu_put(vcpu);
	r = xvcpu_fault_in(vcpu->vm, gpa, write);
	xvcpu_stats_ept(&vcpu->stats, r == 1);
	/* During event delivery RIP is not the instruction that faulted. */
	if (r == 1 && !(e->qual & EPT_VIOL_FETCH) && !delivering) {
		/* Fetch what can be fetched; the decoder says if it is enough. */
		while (got < sizeof(bytes) &&
		       !xvcpu_copy_linear(vcpu, &m, la + got, &bytes[got], 1,
					  false, &pf, &fault_la))
			got++;
	}
	if (xvcpu_vcpu_reload(vcpu)) {
		vcpu->run->exit_reason = XVCPU_EXIT_INTR;
		return -EINTR;
	}
	xvcpu_trace_detail(ept_violation, vcpu, gpa, e->qual,
				  r == 0 ? XVCPU_TRACE_EPT_MAPPED :
				  r == 1 ? XVCPU_TRACE_EPT_MMIO :
				  XVCPU_TRACE_EPT_ERROR);
	if (r == 0)
		return XVCPU_RESUME;	/* an interrupted event is redelivered */
	if (r < 0)
		return memory_error(vcpu, gpa, r);
	/*
	 * The CPU was pushing a frame or reading a descriptor into MMIO:
	 * nothing to emulate. The event stays queued, so a VMM that fixes
	 * the state (a stack in RAM, say) has it delivered on the next RUN.
	 */
	if (delivering)
		return xvcpu_event_delivery_error(vcpu, e, gpa);
	if (e->qual & EPT_VIOL_FETCH)
		return emulation_failed(vcpu, gpa, rip, bytes, 0);
	/* The decoded access must be the one the CPU reported. */
	if (xvcpu_decode_mmio(bytes, got, m.mode, &insn) ||
	    write != (insn.op != XVCPU_MMIO_LOAD))
		return emulation_failed(vcpu, gpa, rip, bytes, got);

	run = vcpu->run;
	run->exit_reason = XVCPU_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.size;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memset(run->mmio.pad, 0, sizeof(run->mmio.pad));
	if (insn.op == XVCPU_MMIO_LOAD) {
		run->mmio.is_write = 0;
		vcpu->mmio = insn;
		vcpu->mmio_mode = m.mode;
		vcpu->pending = XVCPU_PENDING_MMIO;
	} else {
		u64 v = insn.op == XVCPU_MMIO_STORE_IMM ? insn.imm :
			xvcpu_mmio_store_value(&insn, xvcpu_get_gpr(vcpu, insn.reg));

		run->mmio.is_write = 1;
		memcpy(run->mmio.data, &v, insn.size);
	}
	if (vcpu->trace_detail && trace_xvcpu_mmio_enabled()) {
		u64 data = 0;

		memcpy(&data, run->mmio.data, min_t(u32, insn.size, 8));
		trace_xvcpu_mmio(vcpu, gpa, insn.size, run->mmio.is_write, data);
	}
	xvcpu_skip_insn(vcpu, insn.len);
	return XVCPU_USER;
}

int xvcpu_complete_mmio(struct xvcpu_vcpu *vcpu)
{
	const struct xvcpu_mmio_insn *in = &vcpu->mmio;
	u64 data = 0;

	memcpy(&data, vcpu->run->mmio.data, in->size);
	xvcpu_set_gpr(vcpu, in->reg,
		xvcpu_mmio_load_result(in, xvcpu_get_gpr(vcpu, in->reg), data,
				       vcpu->mmio_mode));
	return 0;
}
