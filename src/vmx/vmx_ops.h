/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw VMX instructions, nothing else. Each returns 0 or a negative errno;
 * a failed instruction (CF or ZF set, SDM 30.2) is reported as -EIO, a
 * fault (#UD/#GP, e.g. VMX not on) as -EFAULT, through the asm-goto
 * exception table, so callers have one failure path.
 *
 * Runs in VMX root operation with preemption disabled.
 */
#ifndef XVCPU_VMX_OPS_H
#define XVCPU_VMX_OPS_H

#include <linux/types.h>
#include <asm/asm.h>

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

static __always_inline int xvcpu_vmclear(u64 pa)
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

static __always_inline int xvcpu_vmptrld(u64 pa)
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

static __always_inline int xvcpu_invept(unsigned long type, u64 eptp)
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

static __always_inline int xvcpu_invvpid(unsigned long type, u16 vpid,
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

static __always_inline void xvcpu_invvpid_single(u16 vpid)
{
	xvcpu_invvpid(XVCPU_INVVPID_SINGLE, vpid, 0);
}

#endif /* XVCPU_VMX_OPS_H */
