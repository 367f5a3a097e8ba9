/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCS field accessors. The width of every field is encoded in bits
 * 14:13 of its encoding (SDM vol. 3D, app. B); the accessors check at
 * compile time that a constant field is read or written with its own
 * width. A failed VMREAD/VMWRITE (no current VMCS, bad field) or a fault
 * (VMX switched off under us on reboot) goes through one error path.
 *
 * Runs with the vCPU's VMCS current on this CPU (vcpu loaded).
 */
#ifndef XVCPU_VMX_VMCS_H
#define XVCPU_VMX_VMCS_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <asm/asm.h>
#include <asm/vmx.h>

void xvcpu_vmread_error(unsigned long field);
void xvcpu_vmwrite_error(unsigned long field, unsigned long value);

#define VMCS_WIDTH(f)	(((f) >> 13) & 3)
#define VMCS_W16	0
#define VMCS_W64	1
#define VMCS_W32	2
#define VMCS_WNAT	3

#define VMCS_CHECK(f, w)						\
	BUILD_BUG_ON_MSG(__builtin_constant_p(f) &&			\
			 (VMCS_WIDTH(f) != (w) && !((w) == VMCS_W64 &&	\
			  VMCS_WIDTH(f) == VMCS_WNAT)),			\
			 "VMCS field accessed with the wrong width")

static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	unsigned long value;

	asm_goto_output("1: vmread %[field], %[value]\n\t"
			  "jna %l[fail]\n\t"
			  _ASM_EXTABLE(1b, (%l[fail]))
			  : [value] "=r"(value)
			  : [field] "r"(field)
			  : "cc" : fail);
	return value;
fail:
	xvcpu_vmread_error(field);
	return 0;
}

static __always_inline void __vmcs_write(unsigned long field,
					 unsigned long value)
{
	asm volatile goto("1: vmwrite %[value], %[field]\n\t"
			  "jna %l[fail]\n\t"
			  _ASM_EXTABLE(1b, (%l[fail]))
			  : : [field] "r"(field), [value] "rm"(value)
			  : "cc" : fail);
	return;
fail:
	xvcpu_vmwrite_error(field, value);
}

static __always_inline u16 vmcs_read16(unsigned long f)
{
	VMCS_CHECK(f, VMCS_W16);
	return __vmcs_read(f);
}

static __always_inline u32 vmcs_read32(unsigned long f)
{
	VMCS_CHECK(f, VMCS_W32);
	return __vmcs_read(f);
}

static __always_inline u64 vmcs_read64(unsigned long f)
{
	VMCS_CHECK(f, VMCS_W64);
	return __vmcs_read(f);
}

static __always_inline unsigned long vmcs_readl(unsigned long f)
{
	VMCS_CHECK(f, VMCS_WNAT);
	return __vmcs_read(f);
}

static __always_inline void vmcs_write16(unsigned long f, u16 v)
{
	VMCS_CHECK(f, VMCS_W16);
	__vmcs_write(f, v);
}

static __always_inline void vmcs_write32(unsigned long f, u32 v)
{
	VMCS_CHECK(f, VMCS_W32);
	__vmcs_write(f, v);
}

static __always_inline void vmcs_write64(unsigned long f, u64 v)
{
	VMCS_CHECK(f, VMCS_W64);
	__vmcs_write(f, v);
}

static __always_inline void vmcs_writel(unsigned long f, unsigned long v)
{
	VMCS_CHECK(f, VMCS_WNAT);
	__vmcs_write(f, v);
}

static __always_inline void vmcs_set_bits32(unsigned long f, u32 mask)
{
	vmcs_write32(f, vmcs_read32(f) | mask);
}

static __always_inline void vmcs_clear_bits32(unsigned long f, u32 mask)
{
	vmcs_write32(f, vmcs_read32(f) & ~mask);
}

#endif /* XVCPU_VMX_VMCS_H */
