/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a guest reports about itself, handled in the kernel: the debug
 * port and guest trace events (guest.c, Documentation/guest-events.rst).
 */
#ifndef XVCPU_TRACE_GUEST_API_H
#define XVCPU_TRACE_GUEST_API_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct xvcpu_vm;
struct xvcpu_vcpu;

/* VM creation and end: the debug-port log. */
int xvcpu_guest_log_init(struct xvcpu_vm *vm);
void xvcpu_guest_log_free(struct xvcpu_vm *vm);

/* A 1-byte OUT of @code to the debug port. Vcpu loaded. */
void xvcpu_debug_port_write(struct xvcpu_vcpu *vcpu, u8 code);

/* XVCPU_GET_DEBUG_PORT_LOG. Process context. */
long xvcpu_get_debug_port_log(struct xvcpu_vm *vm, void __user *argp);

/*
 * XVCPU_HC_TRACE at CPL 0 (or above, with XVCPU_CAP_USER_TRACE_EVENTS),
 * from the registers in vcpu->regs; @wide: the guest is in 64-bit mode. Returns the value for the guest's RAX.
 */
unsigned long xvcpu_guest_event(struct xvcpu_vcpu *vcpu, bool wide);

#endif /* XVCPU_TRACE_GUEST_API_H */
