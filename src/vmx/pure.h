/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few types the pure-logic files (controls.c, decode.c, walk.c) use,
 * from the kernel when built into the module and from libc when built
 * into the host unit tests (tests/unit/).
 */
#ifndef XVCPU_VMX_PURE_H
#define XVCPU_VMX_PURE_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif

#endif /* XVCPU_VMX_PURE_H */
