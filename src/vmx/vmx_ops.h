/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw VMX instructions, nothing else. Each returns 0 or a negative errno;
 * a failed instruction (CF or ZF set, SDM 30.2) is reported as -EIO, a
 * fault (#UD/#GP, e.g. VMX not on) as -EFAULT, through the asm-goto
 * exception table. VMCLEAR, VMPTRLD, INVEPT and INVVPID failures, which
 * only a bug of ours can cause, also go through xvcpu_vmx_insn_failed()
 * (one WARN_ONCE, then rate-limited lines), as VMREAD/VMWRITE do
 * (vmcs.h); __xvcpu_vmclear() is the silent variant for NMI context.
 *
 * Runs in VMX root operation with preemption disabled.
 */
#ifndef XVCPU_VMX_OPS_H
#define XVCPU_VMX_OPS_H

#include <linux/types.h>
#include <asm/asm.h>

void xvcpu_vmx_insn_failed(const char *insn, u64 a, u64 b, int err);

static __always_inline int xvcpu_vmxon(u64 pa)
{
	asm goto("1: vmxon %0\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : : "m"(pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

static __always_inline int xvcpu_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : : : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

static __always_inline int __xvcpu_vmclear(u64 pa)
{
	asm goto("1: vmclear %0\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : : "m"(pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

static __always_inline int __xvcpu_vmptrld(u64 pa)
{
	asm goto("1: vmptrld %0\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : : "m"(pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

/* INVEPT/INVVPID types (SDM vol. 3C, 30.3). */
#define XVCPU_INVEPT_SINGLE	1
#define XVCPU_INVEPT_GLOBAL	2
#define XVCPU_INVVPID_SINGLE	1

static __always_inline int __xvcpu_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } operand = { eptp, 0 };

	asm goto("1: invept %0, %1\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, (%l[fail]))
		 : : "m"(operand), "r"(type) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

static __always_inline int __xvcpu_invvpid(unsigned long type, u16 vpid,
					   u64 gva)
{
	struct { u64 vpid : 16, reserved : 48; u64 gva; } operand = {
		vpid, 0, gva };

	asm goto("1: invvpid %0, %1\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, (%l[fail]))
		 : : "m"(operand), "r"(type) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

#define XVCPU_CHECKED(insn, call, a, b)					\
	({								\
		int __r = (call);					\
		if (unlikely(__r))					\
			xvcpu_vmx_insn_failed(insn, (a), (b), __r);	\
		__r;							\
	})

static __always_inline int xvcpu_vmclear(u64 pa)
{
	return XVCPU_CHECKED("VMCLEAR", __xvcpu_vmclear(pa), pa, 0);
}

static __always_inline int xvcpu_vmptrld(u64 pa)
{
	return XVCPU_CHECKED("VMPTRLD", __xvcpu_vmptrld(pa), pa, 0);
}

static __always_inline int xvcpu_invept(unsigned long type, u64 eptp)
{
	return XVCPU_CHECKED("INVEPT", __xvcpu_invept(type, eptp), type, eptp);
}

static __always_inline int xvcpu_invvpid_single(u16 vpid)
{
	return XVCPU_CHECKED("INVVPID",
			     __xvcpu_invvpid(XVCPU_INVVPID_SINGLE, vpid, 0),
			     XVCPU_INVVPID_SINGLE, vpid);
}

#endif /* XVCPU_VMX_OPS_H */
