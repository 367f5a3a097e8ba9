/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracepoints of what a guest reports about itself: debug-port
 * codes and guest trace events (Documentation/guest-events.rst). The
 * other xvcpu events are in trace.h; both are TRACE_SYSTEM xvcpu.
 * Neither of these two is ever sampled out: each write or hypercall is
 * one event. Fields are raw numbers and ABI for scripts: add fields,
 * never reorder or retype them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xvcpu

#if !defined(XVCPU_TRACE_GUEST_H) || defined(TRACE_HEADER_MULTI_READ)
#define XVCPU_TRACE_GUEST_H

#include <linux/tracepoint.h>
#include <uapi/linux/xvcpu.h>

/* A byte the guest wrote to port 0x80; ns from the VM's creation. */
TRACE_EVENT(xvcpu_debug_port,
	TP_PROTO(u32 vm_id, u32 vcpu_id, u8 code, u8 component, u64 ns),
	TP_ARGS(vm_id, vcpu_id, code, component, ns),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u8, code)
		__field(u8, component)
		__field(u64, ns)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->vcpu_id = vcpu_id;
		__entry->code = code;
		__entry->component = component;
		__entry->ns = ns;
	),

	TP_printk("vm %u vcpu %u code 0x%02x %s ns %llu",
		  __entry->vm_id, __entry->vcpu_id, __entry->code,
		  __print_symbolic(__entry->component,
				   { XVCPU_DEBUG_PORT_FIRMWARE, "firmware" },
				   { XVCPU_DEBUG_PORT_BOOTLOADER, "bootloader" },
				   { XVCPU_DEBUG_PORT_KERNEL, "kernel" },
				   { XVCPU_DEBUG_PORT_USERSPACE, "userspace" },
				   { XVCPU_DEBUG_PORT_CUSTOM, "custom" }),
		  __entry->ns)
);

/*
 * XVCPU_HC_TRACE: event @id with @n data words (the rest of data[] is
 * 0); ns from the VM's creation.
 */
TRACE_EVENT(xvcpu_guest_event,
	TP_PROTO(u32 vm_id, u32 vcpu_id, u32 id, u8 n, const u64 *data,
		 u64 ns),
	TP_ARGS(vm_id, vcpu_id, id, n, data, ns),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, vcpu_id)
		__field(u32, id)
		__field(u8, n)
		__array(u64, data, XVCPU_HC_TRACE_MAX_DATA)
		__field(u64, ns)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->vcpu_id = vcpu_id;
		__entry->id = id;
		__entry->n = n;
		memcpy(__entry->data, data, sizeof(__entry->data));
		__entry->ns = ns;
	),

	TP_printk("vm %u vcpu %u id 0x%x n %u data %s ns %llu",
		  __entry->vm_id, __entry->vcpu_id, __entry->id, __entry->n,
		  __print_array(__entry->data, __entry->n, 8),
		  __entry->ns)
);

#endif /* XVCPU_TRACE_GUEST_H */

/* Found as trace/trace_guest.h through the module's -I$(src)/src. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH trace
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace_guest
#include <trace/define_trace.h>
