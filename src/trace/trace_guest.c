// SPDX-License-Identifier: GPL-2.0
/* The instances of the guest-reported tracepoints (trace_guest.h). */
#define CREATE_TRACE_POINTS
#include "trace_guest.h"
