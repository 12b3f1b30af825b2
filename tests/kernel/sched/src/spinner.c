/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spinner NAME SPIN_MS [SLEEP_MS [SKIP_MS]]: sleeps SLEEP_MS first (if
 * given), then spins on the clock for SPIN_MS, counting gaps and switches
 * (see spin.h) after the first SKIP_MS. Prints
 * "spinner NAME gaps=N switches=M (longest L us)" and exits with the times
 * it was preempted (0: never; at most 255).
 */
#include <stdlib.h>
#include <rvos/user.h>
#include <stdio.h>
#include "spin.h"

#define MS 1000000ULL

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "?";
	uint64_t spin = (argc > 2 ? strtoull(argv[2], NULL, 10) : 100) * MS;
	uint64_t skip = (argc > 4 ? strtoull(argv[4], NULL, 10) : 0) * MS;
	struct spin_result r;

	if (argc > 3 && strtoull(argv[3], NULL, 10))
		rv_sleep_ns(strtoull(argv[3], NULL, 10) * MS);
	r = spin_for(spin, skip);
	printf("spinner %s gaps=%d switches=%d (longest %lu us)\n", name, r.gaps, r.switches,
	       (unsigned long)(r.longest_gap_ns / 1000));
	return spin_preempted(&r);
}
