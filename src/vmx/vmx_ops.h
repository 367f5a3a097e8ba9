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
		 _ASM_EXTABLE(1b, %l[fault])
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
		 _ASM_EXTABLE(1b, %l[fault])
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
		 _ASM_EXTABLE(1b, %l[fault])
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
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "m"(pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

#endif /* XVCPU_VMX_OPS_H */
