/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count: a program to run from the shell. "count N [MS [STATUS]]" prints
 * "count: i of N" N times, MS milliseconds apart (default 100), then exits
 * with STATUS (default 0). Long counts make something to put in the
 * background, kill or end with Ctrl-C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <rvos/user.h>

static int number(const char *s, long min, long max, long *v)
{
	char *end;

	*v = strtol(s, &end, 10);
	return *s && !*end && *v >= min && *v <= max;
}

int main(int argc, char **argv)
{
	long n, ms = 100, status = 0;

	if (argc < 2 || argc > 4 || !number(argv[1], 0, 1000000, &n) ||
	    (argc > 2 && !number(argv[2], 0, 3600000, &ms)) ||
	    (argc > 3 && !number(argv[3], 0, 255, &status))) {
		printf("usage: count N [MS [STATUS]]: N lines (0..1000000), MS ms apart "
		       "(default 100), then exit with STATUS (0..255)\n");
		return 2;
	}
	for (long i = 1; i <= n; i++) {
		printf("count: %ld of %ld\n", i, n);
		if (i < n && ms)
			rv_sleep_ns((uint64_t)ms * 1000000u);
	}
	return (int)status;
}
