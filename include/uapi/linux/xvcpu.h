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
 *   VM fd                    0x40-0x7f
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
#define XVCPU_CAP_NR			8	/* first unknown number */

/* System ioctls (on /dev/xvcpu). */
/* Returns XVCPU_API_VERSION; takes no argument (pass 0). */
#define XVCPU_GET_API_VERSION	_IO(XVCPUIO, 0x00)
/* Argument: an XVCPU_CAP_* number, by value. */
#define XVCPU_CHECK_CAP		_IO(XVCPUIO, 0x01)

#endif /* _UAPI_LINUX_XVCPU_H */
