/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strtod and strtof, correctly rounded at any length (lib/src/dtoa.c).
 * picolibc 1.8's keep 19 digits and drop the rest without a trace, so
 * "9007199254740993.000000000000000000001" read as 2^53, and they stop
 * short on "0x" and "infin". Linked as an object before picolibc's
 * libc.a (lib/CMakeLists.txt), so theirs never is; atof, strtod_l and
 * strtof_l call these. ERANGE: overflow to infinity, or a result below
 * the smallest normal number that is inexact (glibc's rule).
 */
#include <errno.h>
#include <stdlib.h>
#include "dtoa.h"

double strtod(const char *restrict str, char **restrict end)
{
	bool range;
	double d = dtoa_strtod(str, end, &range);

	if (range)
		errno = ERANGE;
	return d;
}

float strtof(const char *restrict str, char **restrict end)
{
	bool range;
	float f = dtoa_strtof(str, end, &range);

	if (range)
		errno = ERANGE;
	return f;
}
