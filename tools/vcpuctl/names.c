// SPDX-License-Identifier: GPL-2.0
/*
 * Number-to-name tables. The VMX exit reasons come from the UAPI
 * <asm/vmx.h> list the kernel's own tracepoints use.
 */
#include <stddef.h>

#include <asm/vmx.h>
#include <linux/xvcpu.h>

#include "names.h"
#include "vcpuctl.h"

static const char *const exit_names[NR_EXIT_REASONS] = {
	XVCPU_EXIT_REASON_NAMES
};

const char *exit_reason_name(uint32_t reason)
{
	return reason < ARRAY_SIZE(exit_names) ? exit_names[reason] : NULL;
}

static const struct {
	uint32_t nr;
	const char *name;
} vmx_exits[] = { VMX_EXIT_REASONS };

const char *vmx_exit_reason_name(uint32_t basic)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vmx_exits); i++)
		if (vmx_exits[i].nr == basic)
			return vmx_exits[i].name;
	return NULL;
}

/* SDM Vol. 3C, 31.4 "VM Instruction Error Numbers". */
static const char *const vm_insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vm_instruction_error_name(uint32_t err)
{
	return err < ARRAY_SIZE(vm_insn_errors) ? vm_insn_errors[err] : NULL;
}

static const char *const suberrors[] = {
	[XVCPU_INTERNAL_UNHANDLED_EXIT] = "unhandled VM exit",
	[XVCPU_INTERNAL_EMULATION] = "instruction emulation failed",
	[XVCPU_INTERNAL_EVENT_DELIVERY] = "exit during event delivery",
	[XVCPU_INTERNAL_MEMORY] = "guest memory access failed",
};

const char *internal_suberror_name(uint32_t sub)
{
	return sub < ARRAY_SIZE(suberrors) ? suberrors[sub] : NULL;
}

/* cloud-hypervisor's ranges, as the kernel's xvcpu_debug_port event. */
const char *debug_port_component_name(uint8_t code)
{
	static const char *const names[] = {
		[XVCPU_DEBUG_PORT_FIRMWARE] = "firmware",
		[XVCPU_DEBUG_PORT_BOOTLOADER] = "bootloader",
		[XVCPU_DEBUG_PORT_KERNEL] = "kernel",
		[XVCPU_DEBUG_PORT_USERSPACE] = "userspace",
		[XVCPU_DEBUG_PORT_CUSTOM] = "custom",
	};

	return names[XVCPU_DEBUG_PORT_COMPONENT(code)];
}
