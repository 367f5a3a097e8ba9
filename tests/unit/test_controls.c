// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: VMX capability MSR values -> VMCS control values,
 * including the TRUE_* rules and missing-feature errors.
 */
#include "controls.h"
#include "unit.h"

#define MSR(a0, a1) (((uint64_t)(a1) << 32) | (uint32_t)(a0))

/* Default1 settings from SDM A.2-A.5 and their TRUE_* clearings. */
#define PIN_DEFAULT1	0x00000016u
#define PROC_DEFAULT1	0x0401e172u
#define PROC_TRUE0	0x04006172u	/* CR3-load/store exiting may be 0 */
#define EXIT_DEFAULT1	0x00036dffu
#define EXIT_TRUE0	0x00036dfbu	/* save debug controls may be 0 */
#define ENTRY_DEFAULT1	0x000011ffu
#define ENTRY_TRUE0	0x000011fbu	/* load debug controls may be 0 */

#define EPT_ALL		((1ull << 6) | (1ull << 14) | (1ull << 16) | \
			 (1ull << 17) | (1ull << 20) | (1ull << 21) | \
			 (1ull << 25) | (1ull << 26) | (1ull << 32) | \
			 (1ull << 41) | (1ull << 42))

/* A CPU that allows everything, with TRUE MSRs, like Skylake. */
static struct xvcpu_vmx_msrs full_cpu(void)
{
	struct xvcpu_vmx_msrs m = {
		.basic = 0x12ull | (4096ull << 32) | (6ull << 50) |
			 (1ull << 54) | (1ull << 55),
		.pinbased = MSR(PIN_DEFAULT1, 0xffffffff),
		.procbased = MSR(PROC_DEFAULT1, 0xffffffff),
		.exit = MSR(EXIT_DEFAULT1, 0xffffffff),
		.entry = MSR(ENTRY_DEFAULT1, 0xffffffff),
		.true_pinbased = MSR(PIN_DEFAULT1, 0xffffffff),
		.true_procbased = MSR(PROC_TRUE0, 0xffffffff),
		.true_exit = MSR(EXIT_TRUE0, 0xffffffff),
		.true_entry = MSR(ENTRY_TRUE0, 0xffffffff),
		.procbased2 = MSR(0, 0xffffffff),
		.ept_vpid = EPT_ALL,
	};
	return m;
}

static int compute(const struct xvcpu_vmx_msrs *m,
		   struct xvcpu_vmcs_config *cfg, const char **missing)
{
	memset(cfg, 0xa5, sizeof(*cfg));
	return xvcpu_compute_vmcs_config(m, cfg, missing);
}

UNIT_TEST(full_cpu_gets_required_controls)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	EXPECT_EQ(compute(&m, &cfg, &missing), 0);
	EXPECT(missing == NULL);
	EXPECT(cfg.true_msrs);
	EXPECT_EQ(cfg.revision_id, 0x12);
	EXPECT_EQ(cfg.vmcs_size, 4096);
	/* ext-int + NMI exiting, virtual NMIs, default1 bits. */
	EXPECT_EQ(cfg.ctl[XVCPU_CTL_PIN], PIN_DEFAULT1 | 0x1 | 0x8 | 0x20);
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 7));	/* HLT */
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 19));	/* CR8 load */
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 20));	/* CR8 store */
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 23));	/* MOV DR */
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 24));	/* all I/O */
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 25));	/* I/O bitmaps */
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 28));	/* MSR bitmaps */
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 31));	/* secondary */
	/* EPT, VPID, WBINVD exiting, unrestricted guest. */
	EXPECT_EQ(cfg.ctl[XVCPU_CTL_PROC2], 0x2 | 0x20 | 0x40 | 0x80);
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_EXIT, 9));
	EXPECT_EQ(cfg.ctl[XVCPU_CTL_EXIT] & 0x3c0000, 0x3c0000); /* PAT/EFER */
	EXPECT_EQ(cfg.ctl[XVCPU_CTL_ENTRY] & 0xc000, 0xc000);
}

UNIT_TEST(true_msrs_clear_default1_bits)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	EXPECT_EQ(compute(&m, &cfg, &missing), 0);
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 15));	/* CR3 load */
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 16));	/* CR3 store */
	EXPECT_EQ(cfg.allowed0[XVCPU_CTL_PROC], PROC_TRUE0);
	EXPECT_EQ(cfg.allowed0[XVCPU_CTL_EXIT], EXIT_TRUE0);
}

UNIT_TEST(without_true_msrs_default1_bits_stay_set)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.basic &= ~(1ull << 55);
	/* TRUE values present but must be ignored. */
	m.true_procbased = MSR(0, 0);
	EXPECT_EQ(compute(&m, &cfg, &missing), 0);
	EXPECT(!cfg.true_msrs);
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 15));
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 16));
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_EXIT, 2));
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_ENTRY, 2));
	EXPECT_EQ(cfg.allowed0[XVCPU_CTL_PROC], PROC_DEFAULT1);
}

UNIT_TEST(true_msr_allowed1_restricts)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	/* Plain MSR allows HLT exiting, TRUE does not: TRUE wins. */
	m.true_procbased = MSR(PROC_TRUE0, 0xffffffffu & ~(1u << 7));
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "HLT exiting");
}

UNIT_TEST(dynamic_bits_checked_not_set)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	EXPECT_EQ(compute(&m, &cfg, &missing), 0);
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 2));	/* intr window */
	EXPECT(xvcpu_ctl_allowed(&cfg, XVCPU_CTL_PROC, 2));
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_ENTRY, 9));	/* IA-32e */
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PIN, 6));	/* preempt timer */
	EXPECT(xvcpu_ctl_allowed(&cfg, XVCPU_CTL_PIN, 6));

	m.true_entry = MSR(ENTRY_TRUE0, 0xffffffffu & ~(1u << 9));
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "IA-32e mode guest");
}

UNIT_TEST(optional_bit_absent_is_fine)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.true_pinbased = MSR(PIN_DEFAULT1, 0xffffffffu & ~(0x60u));
	EXPECT_EQ(compute(&m, &cfg, &missing), 0);
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PIN, 5));
	EXPECT(!xvcpu_ctl_allowed(&cfg, XVCPU_CTL_PIN, 6));
}

UNIT_TEST(report_only_bits_never_set)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	EXPECT_EQ(compute(&m, &cfg, &missing), 0);
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 25));	/* I/O bitmaps */
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC2, 17));	/* PML */
	EXPECT(!xvcpu_ctl_has(&cfg, XVCPU_CTL_EXIT, 15));	/* ack intr */
}

UNIT_TEST(must_be_one_bits_are_kept)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	/* A CPU that forces RDTSC exiting: the value must carry it. */
	m.true_procbased = MSR(PROC_TRUE0 | (1u << 12), 0xffffffff);
	EXPECT_EQ(compute(&m, &cfg, &missing), 0);
	EXPECT(xvcpu_ctl_has(&cfg, XVCPU_CTL_PROC, 12));
}

UNIT_TEST(no_secondary_controls)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.true_procbased = MSR(PROC_TRUE0, 0x7fffffff);
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "activate secondary controls");
	EXPECT_EQ(cfg.allowed1[XVCPU_CTL_PROC2], 0);
}

UNIT_TEST(missing_ept_named)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.procbased2 = MSR(0, 0xffffffffu & ~0x2u);
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "enable EPT");
}

UNIT_TEST(missing_vpid_named)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.procbased2 = MSR(0, 0xffffffffu & ~0x20u);
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "enable VPID");
}

UNIT_TEST(missing_unrestricted_guest_named)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.procbased2 = MSR(0, 0xffffffffu & ~0x80u);
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "unrestricted guest");
}

UNIT_TEST(missing_wbinvd_exiting_named)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.procbased2 = MSR(0, 0xffffffffu & ~0x40u);
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "WBINVD exiting");
}

UNIT_TEST(missing_ept_capabilities_named)
{
	static const struct { int bit; const char *name; } cases[] = {
		{ 6, "EPT 4-level page walk" },
		{ 14, "EPT write-back type" },
		{ 20, "INVEPT" },
		{ 25, "INVEPT single-context" },
		{ 26, "INVEPT all-context" },
		{ 32, "INVVPID" },
		{ 41, "INVVPID single-context" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xvcpu_vmx_msrs m = full_cpu();
		struct xvcpu_vmcs_config cfg;
		const char *missing;

		m.ept_vpid &= ~(1ull << cases[i].bit);
		EXPECT_EQ(compute(&m, &cfg, &missing), -1);
		EXPECT_STREQ(missing, cases[i].name);
	}
}

UNIT_TEST(optional_ept_capabilities_absent_is_fine)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.ept_vpid &= ~((1ull << 16) | (1ull << 17) | (1ull << 21));
	EXPECT_EQ(compute(&m, &cfg, &missing), 0);
}

UNIT_TEST(bad_vmcs_region_rejected)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	m.basic = (m.basic & ~(0x1fffull << 32)) | (8192ull << 32);
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "VMCS region of at most 4 KiB");

	m = full_cpu();
	m.basic = (m.basic & ~(0xfull << 50));	/* uncacheable */
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "write-back VMCS memory type");

	m = full_cpu();
	m.basic |= 1ull << 48;
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "VMX structures above 4 GiB");
}

UNIT_TEST(inconsistent_msr_rejected)
{
	struct xvcpu_vmx_msrs m = full_cpu();
	struct xvcpu_vmcs_config cfg;
	const char *missing;

	/* Bit 1 must be 1 yet may not be 1. */
	m.true_pinbased = MSR(PIN_DEFAULT1, 0xfffffffdu);
	EXPECT_EQ(compute(&m, &cfg, &missing), -1);
	EXPECT_STREQ(missing, "consistent VMX control capability MSRs");
}

UNIT_TEST(every_required_bit_is_enforced)
{
	unsigned int i;

	/* Clearing each REQUIRED bit alone must fail, naming that bit. */
	for (i = 0; i < xvcpu_nr_ctl_bits; i++) {
		const struct xvcpu_ctl_bit *b = &xvcpu_ctl_bits[i];
		struct xvcpu_vmx_msrs m = full_cpu();
		struct xvcpu_vmcs_config cfg;
		const char *missing;
		uint64_t *msr;

		if (b->need != XVCPU_REQUIRED)
			continue;
		switch (b->field) {
		case XVCPU_CTL_PIN: msr = &m.true_pinbased; break;
		case XVCPU_CTL_PROC: msr = &m.true_procbased; break;
		case XVCPU_CTL_PROC2: msr = &m.procbased2; break;
		case XVCPU_CTL_EXIT: msr = &m.true_exit; break;
		default: msr = &m.true_entry; break;
		}
		*msr &= ~(1ull << (32 + b->bit));
		*msr &= ~(1ull << b->bit);
		EXPECT_EQ(compute(&m, &cfg, &missing), -1);
		EXPECT_STREQ(missing, b->name);
	}
}

int main(void)
{
	return unit_run("vmx_controls");
}
