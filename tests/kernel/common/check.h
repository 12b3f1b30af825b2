/* SPDX-License-Identifier: Apache-2.0 */
/* Tiny check helpers for in-QEMU tests: one line per failed check, a count. */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <stdio.h>
#include <rvos/user.h>

/* Failures past this many are counted, not printed (a broken loop would
 * flood the console). */
#define CHECK_MAX_PRINTED 60

static unsigned int checks_run, checks_failed;

static inline const char *err_name(long v)
{
	return v < 0 ? rv_strerror((int)v) : "";
}

static inline int check_eq_at(int line, const char *what, long got, long want)
{
	checks_run++;
	if (got == want)
		return 1;
	if (++checks_failed > CHECK_MAX_PRINTED)
		return 0;
	printf("FAIL line %d: %s: got %ld %s, want %ld %s\n", line, what, got, err_name(got),
	       want, err_name(want));
	return 0;
}

static inline int check_true_at(int line, const char *what, int ok)
{
	checks_run++;
	if (ok)
		return 1;
	if (++checks_failed > CHECK_MAX_PRINTED)
		return 0;
	printf("FAIL line %d: %s\n", line, what);
	return 0;
}

/* CHECK_EQ(description, value, expected): compared as long. */
#define CHECK_EQ(what, got, want) check_eq_at(__LINE__, (what), (long)(got), (long)(want))
#define CHECK(what, cond) check_true_at(__LINE__, (what), !!(cond))

/* The last line of a test: "<name>: N checks, M failed"; the exit status. */
static inline int check_report(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, checks_run, checks_failed);
	return checks_failed ? 1 : 0;
}

#endif /* TEST_CHECK_H */
