/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yielder measure N: yields 20 times to warm up (the partner starts), then N
 * times, counting instructions; exits with the count per switch (each of
 * its yields is two switches: to the partner and back).
 * yielder partner N: yields N times.
 */
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;
	uint64_t t0;

	if (argc < 3 || n <= 0)
		return -1;
	if (!strcmp(argv[1], "partner")) {
		for (int i = 0; i < n; i++)
			rv_yield();
		return 0;
	}
	for (int i = 0; i < 20; i++)
		rv_yield();
	t0 = rv_instret();
	for (int i = 0; i < n; i++)
		rv_yield();
	return (int)((rv_instret() - t0) / (2 * (uint64_t)n));
}
