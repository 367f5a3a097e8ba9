// SPDX-License-Identifier: GPL-2.0
/*
 * gen_trace FILE N [SEED] [--no-expect]: a synthetic trace file of N
 * xvcpu_exit records (plus the xvcpu_entry after each exit to user
 * space and a LOST record every 100000 exits) on two CPUs, in the
 * layout `vcpuctl record` writes, with tracefs-style format text of the
 * two events (the layout the module's events have; the test data is
 * ours, the decoding in report is libtraceevent's).
 *
 * Prints what report must find, exactly (nearest-rank percentiles from
 * a sort of every value):
 *   reason NAME count C kernel K user U total T min M p50 A p90 B p99 C
 *          p999 D max X rt_count R
 *   lost L
 */
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracefile.h"

#define EXIT_ID		17
#define ENTRY_ID	18

static const char exit_fmt[] =
	"name: xvcpu_exit\n"
	"ID: 17\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:u32 cpu;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 vm_id;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 vcpu_id;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 exit_reason;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 reason_flags;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 insn_len;\toffset:28;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 guest_rip;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 qual;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\tfield:u32 intr_info;\toffset:48;\tsize:4;\tsigned:0;\n"
	"\tfield:u8 outcome;\toffset:52;\tsize:1;\tsigned:0;\n"
	"\tfield:u64 handle_ns;\toffset:56;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"vm_id=%u vcpu_id=%u cpu=%u reason=%s rip=0x%llx outcome=%s handle_ns=%llu\", "
	"REC->vm_id, REC->vcpu_id, REC->cpu, __print_symbolic(REC->exit_reason, "
	"{ 10, \"CPUID\" }, { 12, \"HLT\" }, { 30, \"IO_INSTRUCTION\" }, "
	"{ 48, \"EPT_VIOLATION\" }), REC->guest_rip, __print_symbolic(REC->outcome, "
	"{ 0, \"kernel\" }, { 1, \"user\" }, { 2, \"error\" }), REC->handle_ns\n";

static const char entry_fmt[] =
	"name: xvcpu_entry\n"
	"ID: 18\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:u32 vm_id;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 vcpu_id;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 guest_rip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u32 inj_info;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 user_ns;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"vm_id=%u vcpu_id=%u rip=0x%llx inj_info=0x%x user_ns=%llu\", "
	"REC->vm_id, REC->vcpu_id, REC->guest_rip, REC->inj_info, REC->user_ns\n";

static const struct {
	const char *name;
	uint32_t nr;
	unsigned int pct;	/* share of exits */
	unsigned int user_pct;	/* share of them that go to user space */
} reasons[] = {
	{ "CPUID", 10, 60, 0 },
	{ "IO_INSTRUCTION", 30, 25, 40 },
	{ "EPT_VIOLATION", 48, 10, 0 },
	{ "HLT", 12, 5, 100 },
};
#define NR	(sizeof(reasons) / sizeof(reasons[0]))

struct vals {
	uint64_t *v, n, cap, kern, user, sum, rt;
};

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const struct vals *v, double p)
{
	uint64_t rank = (uint64_t)ceil(p * v->n / 100.0 - 1e-9);

	return v->v[(rank ? rank : 1) - 1];
}

int main(int argc, char **argv)
{
	unsigned long long seed, n, i;
	uint64_t t[2] = { 1000000000ull, 1000000500ull }, lost = 0, ncpuid = 0;
	struct xvt_cpu_total tot[2] = { { 0, 0 }, { 0, 0 } };
	static const char info[] =
		"tool=gen_trace\nkernel=synthetic\ncpu_model=generated\n"
		"clock=CLOCK_MONOTONIC\n";
	struct vals st[NR] = { { 0 } };
	bool expect = true;
	struct xvt_writer w;
	int fd, cpu = 0, chunk = 0;
	unsigned int r;

	if (argc < 3) {
		fprintf(stderr, "usage: gen_trace FILE N [SEED] [--no-expect]\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 0);
	seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 88172645463325252ull;
	if (!seed)
		seed = 1;
	expect = !(argc > 4 && !strcmp(argv[4], "--no-expect"));
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || xvt_writer_init(&w, fd, 0)) {
		perror(argv[1]);
		return 1;
	}
	xvt_write_info(&w, info, sizeof(info) - 1);
	xvt_write_format(&w, "xvcpu", exit_fmt, sizeof(exit_fmt) - 1);
	xvt_write_format(&w, "xvcpu", entry_fmt, sizeof(entry_fmt) - 1);
	/* VM 1's stats at the start: 5 CPUID exits before recording. */
	{
		static const char st0[] = "exits_CPUID 5\nexits_HLT 2\n";

		xvt_write_stats(&w, t[0] - 1, 1, 77, XVT_STATS_START, st0,
				sizeof(st0) - 1);
	}
	for (i = 0; i < n; i++) {
		uint8_t raw[68] = { 0 }, ent[44] = { 0 };
		unsigned long long x = rnd(&seed);
		unsigned int roll = x % 100, acc = 0;
		uint64_t ns;
		uint32_t u32;
		uint16_t id = EXIT_ID;
		bool user;

		/* The recorder drains a CPU's ring in chunks. */
		if (++chunk == 64) {
			chunk = 0;
			cpu ^= 1;
		}
		for (r = 0; r < NR - 1; r++) {
			acc += reasons[r].pct;
			if (roll < acc)
				break;
		}
		user = (x >> 8) % 100 < reasons[r].user_pct;
		/* ~300 ns, 1 in 10 up to 50 µs, 1 in 1000 up to 10 ms. */
		ns = 200 + (x >> 16) % 200;
		if ((x >> 24) % 10 == 0)
			ns = 2000 + (x >> 28) % 50000;
		if ((x >> 32) % 1000 == 0)
			ns = 1000000 + (x >> 40) % 9000000;
		memcpy(raw, &id, 2);
		u32 = cpu;
		memcpy(raw + 8, &u32, 4);		/* cpu */
		u32 = 1;
		memcpy(raw + 12, &u32, 4);		/* vm_id */
		u32 = cpu;
		memcpy(raw + 16, &u32, 4);		/* vcpu_id */
		memcpy(raw + 20, &reasons[r].nr, 4);	/* exit_reason */
		raw[52] = user;				/* outcome */
		memcpy(raw + 56, &ns, 8);		/* handle_ns */
		t[cpu] += 100 + x % 900;
		xvt_write_sample(&w, t[cpu], cpu, raw, sizeof(raw));
		if (reasons[r].nr == 10)
			ncpuid++;
		tot[cpu].samples++;
		if (expect) {
			struct vals *v = &st[r];

			if (v->n == v->cap) {
				v->cap = v->cap ? v->cap * 2 : 1024;
				v->v = realloc(v->v, v->cap * sizeof(*v->v));
			}
			v->v[v->n++] = ns;
			v->sum += ns;
			if (user)
				v->user++;
			else
				v->kern++;
		}
		if (user && reasons[r].nr != 12) {	/* a halted vCPU stops */
			uint64_t rt = 1000 + x % 5000;

			id = ENTRY_ID;
			memcpy(ent, &id, 2);
			u32 = 1;
			memcpy(ent + 8, &u32, 4);
			u32 = cpu;
			memcpy(ent + 12, &u32, 4);
			memcpy(ent + 32, &rt, 8);
			t[cpu] += rt;
			xvt_write_sample(&w, t[cpu], cpu, ent, sizeof(ent));
			tot[cpu].samples++;
			st[r].rt++;
		}
		if (i % 100000 == 99999) {
			xvt_write_lost(&w, ++t[cpu], cpu, 7);
			tot[cpu].lost += 7;
			lost += 7;
		}
	}
	/*
	 * And at the end: the CPUIDs in the file plus 50 the sampling
	 * policy left out (traced_ and sampled_out_ say which).
	 */
	{
		char st1[256];
		int len = snprintf(st1, sizeof(st1),
				   "exits_CPUID %llu\ntraced_CPUID %llu\nsampled_out_CPUID 50\nexits_HLT 2\n",
				   (unsigned long long)(5 + ncpuid + 50),
				   (unsigned long long)ncpuid);

		xvt_write_stats(&w, t[0] > t[1] ? t[0] : t[1], 1, 77,
				XVT_STATS_END, st1, len);
	}
	xvt_write_end(&w, t[0] > t[1] ? t[0] : t[1], 2, tot);
	if (xvt_writer_finish(&w) || close(fd)) {
		perror(argv[1]);
		return 1;
	}
	if (!expect)
		return 0;
	for (r = 0; r < NR; r++) {
		struct vals *v = &st[r];

		if (!v->n)
			continue;
		qsort(v->v, v->n, sizeof(*v->v), cmp);
		printf("reason %s count %llu kernel %llu user %llu total %llu min %llu p50 %llu p90 %llu p99 %llu p999 %llu max %llu rt_count %llu\n",
		       reasons[r].name, (unsigned long long)v->n,
		       (unsigned long long)v->kern, (unsigned long long)v->user,
		       (unsigned long long)v->sum, (unsigned long long)v->v[0],
		       (unsigned long long)pct(v, 50), (unsigned long long)pct(v, 90),
		       (unsigned long long)pct(v, 99), (unsigned long long)pct(v, 99.9),
		       (unsigned long long)v->v[v->n - 1], (unsigned long long)v->rt);
		free(v->v);
	}
	printf("lost %llu\n", (unsigned long long)lost);
	printf("stats CPUID exits %llu traced %llu sampled_out 50 in_file %llu\n",
	       (unsigned long long)(ncpuid + 50), (unsigned long long)ncpuid,
	       (unsigned long long)ncpuid);
	return 0;
}
