/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal header-only harness for host unit tests.
 *
 * Checks never abort: every failure is printed with file:line and counted, so
 * one run shows all broken expectations. A test binary calls its test
 * functions through RUN() (which names the function in failure messages) and
 * ends with "return ut_summary("name");", which prints
 * "unit name: N checks, M failed" and yields the exit status (0 = all passed).
 *
 * Only one translation unit per test binary may include this header, because
 * the counters are file-scope statics.
 */
#ifndef RVOS_UNITTEST_H
#define RVOS_UNITTEST_H

#include <stdio.h>
#include <string.h>

static unsigned long ut_checks __attribute__((unused));
static unsigned long ut_failed __attribute__((unused));
static const char *ut_current __attribute__((unused)) = "?";

static inline int ut_fail_head(const char *file, int line)
{
	ut_failed++;
	fprintf(stderr, "%s:%d: [%s] FAILED: ", file, line, ut_current);
	return 0;
}

static inline int ut_check(int ok, const char *expr, const char *file, int line)
{
	ut_checks++;
	if (!ok) {
		ut_fail_head(file, line);
		fprintf(stderr, "%s\n", expr);
	}
	return ok;
}

static inline int ut_check_int(long long a, long long b, const char *ea, const char *eb,
			       const char *file, int line)
{
	ut_checks++;
	if (a != b) {
		ut_fail_head(file, line);
		fprintf(stderr, "%s == %s (%lld vs %lld)\n", ea, eb, a, b);
		return 0;
	}
	return 1;
}

static inline int ut_check_uint(unsigned long long a, unsigned long long b, const char *ea,
				const char *eb, const char *file, int line)
{
	ut_checks++;
	if (a != b) {
		ut_fail_head(file, line);
		fprintf(stderr, "%s == %s (0x%llx vs 0x%llx)\n", ea, eb, a, b);
		return 0;
	}
	return 1;
}

static inline int ut_check_str(const char *a, const char *b, const char *ea, const char *eb,
			       const char *file, int line)
{
	int ok = (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;

	ut_checks++;
	if (!ok) {
		ut_fail_head(file, line);
		fprintf(stderr, "%s == %s (\"%s\" vs \"%s\")\n", ea, eb, a ? a : "(NULL)",
			b ? b : "(NULL)");
	}
	return ok;
}

/* Each evaluates its arguments once and returns non-zero if the check passed. */
#define CHECK(cond) ut_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ_INT(a, b) ut_check_int((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_UINT(a, b)                                                                      \
	ut_check_uint((unsigned long long)(a), (unsigned long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_STR(a, b) ut_check_str((a), (b), #a, #b, __FILE__, __LINE__)

/* Run one test function, naming it in any failure it reports. */
#define RUN(fn)                  \
	do {                     \
		ut_current = #fn; \
		fn();            \
		ut_current = "?"; \
	} while (0)

static inline int ut_summary(const char *name)
{
	printf("unit %s: %lu checks, %lu failed\n", name, ut_checks, ut_failed);
	return ut_failed ? 1 : 0;
}

#endif /* RVOS_UNITTEST_H */
