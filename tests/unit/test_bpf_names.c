// SPDX-License-Identifier: GPL-2.0
/*
 * The exit-reason names of the tools/bpf scripts are the kernel's: every
 * "@reason[N] = "NAME";" line of each script that has them matches
 * <asm/vmx.h>'s VMX_EXIT_REASONS (the table xvcpu_exit's own text
 * uses), every reason of that table is there, and nothing else but
 * 0xdead, VMFAIL. Run from the top of the tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm/vmx.h>

#include "unit.h"

struct reason {
	unsigned int nr;
	const char *name;
};

static const struct reason vmx[] = { VMX_EXIT_REASONS };

#define NR_VMX	(sizeof(vmx) / sizeof(vmx[0]))

static const char *vmx_name(unsigned int nr)
{
	size_t i;

	for (i = 0; i < NR_VMX; i++)
		if (vmx[i].nr == nr)
			return vmx[i].name;
	return nr == 0xdead ? "VMFAIL" : NULL;
}

/* 0 if @path's table is the kernel's; prints what differs. */
static int check_script(const char *path)
{
	char line[256], name[64];
	unsigned char seen[NR_VMX] = { 0 };
	unsigned int nr, found = 0, i;
	FILE *f = fopen(path, "r");
	int bad = 0;

	if (!f) {
		printf("# cannot open %s\n", path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *want;

		if (sscanf(line, " @reason[%i] = \"%63[^\"]\";", &nr, name) != 2)
			continue;
		found++;
		want = vmx_name(nr);
		if (!want || strcmp(want, name)) {
			printf("# %s: reason %u is \"%s\", the kernel's is \"%s\"\n",
			       path, nr, name, want ? want : "(none)");
			bad = 1;
		}
		for (i = 0; i < NR_VMX; i++)
			if (vmx[i].nr == nr)
				seen[i] = 1;
	}
	fclose(f);
	for (i = 0; i < NR_VMX; i++) {
		if (!seen[i]) {
			printf("# %s: no name for reason %u (%s)\n", path,
			       vmx[i].nr, vmx[i].name);
			bad = 1;
		}
	}
	if (found != NR_VMX + 1) {
		printf("# %s: %u names, want %zu\n", path, found, NR_VMX + 1);
		bad = 1;
	}
	return bad;
}

UNIT_TEST(exits_bt_names_are_the_kernels)
{
	EXPECT(!check_script("tools/bpf/xvcpu_exits.bt"));
}

UNIT_TEST(exit_times_bt_names_are_the_kernels)
{
	EXPECT(!check_script("tools/bpf/xvcpu_exit_times.bt"));
}

int main(void)
{
	return unit_run("bpf_names");
}
