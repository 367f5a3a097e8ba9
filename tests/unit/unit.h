/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal host unit-test harness that prints KTAP, so that make check
 * counts host tests and VM tests the same way.
 *
 *   UNIT_TEST(name) { ...; EXPECT(cond); EXPECT_EQ(a, b); }
 *   int main(void) { return unit_run(); }
 */
#ifndef XVCPU_UNIT_H
#define XVCPU_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(int *failed);
};

#define UNIT_MAX 128
static struct unit_case unit_cases[UNIT_MAX];
static int unit_nr;

#define UNIT_TEST(n)							\
	static void unit_##n(int *unit_failed);				\
	__attribute__((constructor)) static void unit_reg_##n(void)	\
	{								\
		if (unit_nr < UNIT_MAX)					\
			unit_cases[unit_nr++] =				\
				(struct unit_case){ #n, unit_##n };	\
	}								\
	static void unit_##n(int *unit_failed)

#define EXPECT(c)							\
	do {								\
		if (!(c)) {						\
			printf("# %s:%d: expected %s\n", __FILE__,	\
			       __LINE__, #c);				\
			*unit_failed = 1;				\
		}							\
	} while (0)

#define EXPECT_EQ(a, b)							\
	do {								\
		uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);	\
		if (_a != _b) {						\
			printf("# %s:%d: %s == 0x%" PRIx64		\
			       ", expected 0x%" PRIx64 "\n",		\
			       __FILE__, __LINE__, #a, _a, _b);		\
			*unit_failed = 1;				\
		}							\
	} while (0)

#define EXPECT_STREQ(a, b)						\
	do {								\
		const char *_a = (a), *_b = (b);			\
		if (!_a || !_b || strcmp(_a, _b)) {			\
			printf("# %s:%d: %s == \"%s\", expected \"%s\"\n", \
			       __FILE__, __LINE__, #a, _a ? _a : "(null)", \
			       _b ? _b : "(null)");			\
			*unit_failed = 1;				\
		}							\
	} while (0)

static inline int unit_run(const char *suite)
{
	int i, bad = 0;

	printf("KTAP version 1\n# Subtest: %s\n1..%d\n", suite, unit_nr);
	for (i = 0; i < unit_nr; i++) {
		int failed = 0;

		unit_cases[i].fn(&failed);
		printf("%sok %d %s\n", failed ? "not " : "", i + 1,
		       unit_cases[i].name);
		bad += failed;
	}
	printf("# %s: %d passed, %d failed\n", suite, unit_nr - bad, bad);
	return bad ? 1 : 0;
}

#endif /* XVCPU_UNIT_H */
