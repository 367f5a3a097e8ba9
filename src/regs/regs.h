/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest register file as user space sees it (struct xvcpu_regs,
 * struct xvcpu_sregs). Vcpu loaded.
 */
#ifndef XVCPU_REGS_H
#define XVCPU_REGS_H

#include "../vm.h"

void xvcpu_get_regs(struct xvcpu_vcpu *vcpu, struct xvcpu_regs *regs);
int xvcpu_set_regs(struct xvcpu_vcpu *vcpu, const struct xvcpu_regs *regs);
void xvcpu_get_sregs(struct xvcpu_vcpu *vcpu, struct xvcpu_sregs *sregs);
int xvcpu_check_sregs(const struct xvcpu_sregs *sregs);
int xvcpu_set_sregs(struct xvcpu_vcpu *vcpu, const struct xvcpu_sregs *sregs);

#endif /* XVCPU_REGS_H */
