/* SPDX-License-Identifier: GPL-2.0 */
/* What report and format share: exit-reason names (the reader: tevents.h). */
#ifndef VCPUCTL_REPORT_H
#define VCPUCTL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <traceevent/event-parse.h>

#include "tracefile.h"

/* VMX basic exit reasons are below this (SDM: 0..75 today). */
#define MAX_BASIC_REASON	127

/* Table slot of a reason (VMFAIL 0xdead included), -1 if none. */
int reason_slot(uint32_t reason);
/* The <asm/vmx.h> name, "VMFAIL", or "REASON_<n>" in @buf. */
const char *reason_name(uint32_t reason, char *buf, size_t size);
/* A name (any case) or number to a reason; -EINVAL if unknown. */
int parse_reason(const char *s, uint32_t *out);

#endif /* VCPUCTL_REPORT_H */
