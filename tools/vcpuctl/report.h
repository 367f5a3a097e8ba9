/* SPDX-License-Identifier: GPL-2.0 */
/* What report and format share: exit-reason names and opening a file. */
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

/*
 * Open, check and index a trace file and load its formats; prints the
 * one error line and returns EXIT_FAIL, or 0.
 */
int open_trace(const char *cmd, const char *path, struct xvt_file *f,
	       struct tep_handle **tep);

#endif /* VCPUCTL_REPORT_H */
