// SPDX-License-Identifier: GPL-2.0
/*
 * xvcpu_workload: guests that do exactly what they are told, for the
 * tools test (tools_test.sh), which counts them with perf, bpftrace and
 * trace-cmd, unchanged, and compares with what this program asked for.
 *
 *   xvcpu_workload [--vms V] [--default-policy] N M K [E]
 *
 * VM v (0 <= v < V; all created first, so each has its own id; run
 * one after the other, each with one vCPU) runs a
 * guest that does (v + 1) * N CPUIDs (leaf 0, handled in the kernel),
 * (v + 1) * M OUTs to port 0x1234 (each a return to user space, which
 * resumes it), (v + 1) * K writes to the debug port 0x80 (handled in the
 * kernel; codes cycle through the five components, see debug_code())
 * and (v + 1) * E guest trace events (XVCPU_HC_TRACE; even ones with no
 * data word, odd ones with five), then GUEST_DONE (one OUT to the ucall
 * port 0xe0f0). Every reason is traced (XVCPU_SET_TRACE_POLICY all)
 * unless --default-policy keeps the module's default (I/O every 100).
 *
 * For each VM it prints one line, read by the test:
 *   vm V id ID cpuid N out M debug_port K events E exits_CPUID C exits_IO_INSTRUCTION I traced_IO_INSTRUCTION T
 * the last three from the vCPU's stats fd after the run.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ucall.h"
#include "lib/vm.h"
#include "lib/x86.h"

#include "../include/xvcpu_guest.h"

#define USER_PORT	0x1234
#define EV0_ID		0x500	/* guest events with no data */
#define EV5_ID		0x505	/* guest events with five words */
#define MAX_VMS		8

/* What the guest does; set by the host before each run (same pages). */
static unsigned long g_cpuid, g_out, g_dbg, g_ev;

/*
 * Code i: components in turn (0x00 firmware, 0x20 bootloader, 0x40
 * kernel, 0x60 user space, 0x80 custom), each counting up from 1.
 */
GUEST_CODE static uint8_t debug_code(unsigned long i)
{
	return (uint8_t)((i % 5) * 0x20 + 1 + (i / 5) % 0x1f);
}

GUEST_CODE static void guest_main(void)
{
	unsigned long n_cpuid = READ_ONCE(g_cpuid), n_out = READ_ONCE(g_out);
	unsigned long n_dbg = READ_ONCE(g_dbg), n_ev = READ_ONCE(g_ev);
	uint32_t a, b, c, d;
	unsigned long i;

	for (i = 0; i < n_cpuid; i++)
		xt_cpuid(0, 0, &a, &b, &c, &d);
	for (i = 0; i < n_out; i++)
		xt_outb(USER_PORT, (uint8_t)i);
	for (i = 0; i < n_dbg; i++)
		xvcpu_debug_port(debug_code(i));
	for (i = 0; i < n_ev; i++) {
		if (i & 1)
			xvcpu_trace5(EV5_ID, i, 2, 3, 4, 5);
		else
			xvcpu_trace0(EV0_ID);
	}
	GUEST_DONE();
}

static unsigned long arg_num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v > 10000000) {
		fprintf(stderr, "xvcpu_workload: bad count '%s' (0..10000000)\n", s);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: xvcpu_workload [--vms V] [--default-policy] N M K [E]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n, m, k, e = 0, vms = 1, v, i;
	struct xt_vcpu *vcpu[MAX_VMS];
	struct xt_vm *vm[MAX_VMS];
	bool default_policy = false;
	int a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--vms") && a + 1 < argc) {
			vms = arg_num(argv[++a]);
			if (!vms || vms > MAX_VMS)
				usage();
		} else if (!strcmp(argv[a], "--default-policy")) {
			default_policy = true;
		} else {
			usage();
		}
	}
	if (argc - a < 3 || argc - a > 4)
		usage();
	n = arg_num(argv[a]);
	m = arg_num(argv[a + 1]);
	k = arg_num(argv[a + 2]);
	if (argc - a == 4)
		e = arg_num(argv[a + 3]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* All VMs exist together, so each has its own id. */
	for (v = 0; v < vms; v++) {
		struct xvcpu_trace_policy all = {
			.reason = XVCPU_TRACE_REASON_ALL, .mode = XVCPU_TRACE_ALL,
		};

		vm[v] = xt_vm_create_with_vcpu(&vcpu[v], guest_main);
		if (!default_policy)
			vm_ioctl(vm[v], XVCPU_SET_TRACE_POLICY, &all);
	}
	for (v = 0; v < vms; v++) {
		g_cpuid = (v + 1) * n;
		g_out = (v + 1) * m;
		g_dbg = (v + 1) * k;
		g_ev = (v + 1) * e;
		for (i = 0; i < g_out; i++) {
			xt_vcpu_run(vcpu[v]);
			TEST_ASSERT_EXIT_REASON(vcpu[v], XVCPU_EXIT_IO);
			TEST_ASSERT(vcpu[v]->run->io.port == USER_PORT,
				    "OUT to port 0x%x", vcpu[v]->run->io.port);
		}
		TEST_ASSERT_DONE(vcpu[v]);
		printf("vm %lu id %d cpuid %lu out %lu debug_port %lu events %lu exits_CPUID %llu exits_IO_INSTRUCTION %llu traced_IO_INSTRUCTION %llu\n",
		       v, vm_ioctl(vm[v], XVCPU_GET_VM_ID, 0), g_cpuid, g_out,
		       g_dbg, g_ev,
		       (unsigned long long)xt_vcpu_stat(vcpu[v], "exits_CPUID"),
		       (unsigned long long)xt_vcpu_stat(vcpu[v], "exits_IO_INSTRUCTION"),
		       (unsigned long long)xt_vcpu_stat(vcpu[v], "traced_IO_INSTRUCTION"));
	}
	for (v = 0; v < vms; v++)
		xt_vm_destroy(vm[v]);
	return 0;
}
