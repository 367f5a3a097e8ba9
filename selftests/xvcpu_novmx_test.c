// SPDX-License-Identifier: GPL-2.0
/*
 * On a CPU without VMX (QEMU TCG, -cpu qemu64) xvcpu must refuse to
 * load with -ENODEV, one clear log line, and leave nothing behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lib/sys.h"

TEST(cpu_has_no_vmx)
{
	char buf[65536];

	ASSERT_GT(xt_read_file("/proc/cpuinfo", buf, sizeof(buf)), 0);
	ASSERT_NE(NULL, strstr(buf, "flags"));
	ASSERT_EQ(NULL, strstr(buf, " vmx")) TH_LOG("this boot must have no VMX");
}

TEST(load_refused_enodev)
{
	struct xt_kmsg k;
	char msgs[2048];
	int i;

	ASSERT_EQ(0, xt_kmsg_mark(&k));
	/* Repeated: a refusal must not leave anything that changes the next. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(-ENODEV, xt_load_xvcpu(NULL));
	ASSERT_EQ(3, xt_kmsg_grep(&k, "xvcpu:", msgs, sizeof(msgs)))
		TH_LOG("log: %s", msgs);
	ASSERT_NE(NULL, strstr(msgs, "xvcpu: not loading: this CPU has no VMX"));
	ASSERT_FALSE(xt_module_present("xvcpu"));
	ASSERT_FALSE(xt_path_exists("/dev/xvcpu"));
	ASSERT_FALSE(xt_path_exists("/sys/kernel/debug/xvcpu"));
	xt_kmsg_close(&k);
}

TEST_HARNESS_MAIN
