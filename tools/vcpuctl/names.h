/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for the numbers xvcpu reports: its own exit reasons, VMX basic
 * exit reasons (from <asm/vmx.h>, so they never drift from the kernel's),
 * VM-instruction errors and internal-error sub-reasons. One table each;
 * the summary, the failure reports and later commands all use these.
 */
#ifndef VCPUCTL_NAMES_H
#define VCPUCTL_NAMES_H

#include <stdint.h>

#include <linux/xvcpu.h>

/* Exit reasons vcpuctl knows; table slots are 0 .. NR_EXIT_REASONS-1. */
#define NR_EXIT_REASONS	(XVCPU_EXIT_IRQ_WINDOW_OPEN + 1)

/* NULL when unknown. */
const char *exit_reason_name(uint32_t reason);
const char *vmx_exit_reason_name(uint32_t basic);
const char *vm_instruction_error_name(uint32_t err);
const char *internal_suberror_name(uint32_t sub);
/* The component of a debug-port code: "firmware" .. "custom". */
const char *debug_port_component_name(uint8_t code);

#endif /* VCPUCTL_NAMES_H */
