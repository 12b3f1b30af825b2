/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spinner NAME SPIN_MS [SLEEP_MS]: sleeps SLEEP_MS first (if given), then
 * reads the clock in a loop for SPIN_MS of clock time and counts the gaps
 * between two reads longer than 2 ms: times it did not run. Prints
 * "spinner NAME gaps=N" and exits with N (at most 255).
 */
#include <stdlib.h>
#include <rvos/user.h>
#include <stdio.h>

#define GAP_NS (2 * 1000000ULL)

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "?";
	uint64_t spin = (argc > 2 ? strtoull(argv[2], NULL, 10) : 100) * 1000000ULL;
	uint64_t start, prev, now, max_gap = 0;
	int gaps = 0;

	if (argc > 3)
		rv_sleep_ns(strtoull(argv[3], NULL, 10) * 1000000ULL);
	start = prev = rv_clock_ns();
	do {
		now = rv_clock_ns();
		if (now - prev > GAP_NS)
			gaps++;
		if (now - prev > max_gap)
			max_gap = now - prev;
		prev = now;
	} while (now - start < spin);
	printf("spinner %s gaps=%d (longest %lu us)\n", name, gaps, (unsigned long)(max_gap / 1000));
	return gaps > 255 ? 255 : gaps;
}
