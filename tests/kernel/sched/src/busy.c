/* SPDX-License-Identifier: Apache-2.0 */
/* Spins 50 ms of clock time; exits with the clock (us) at its end. */
#include <rvos/user.h>
#include <stdio.h>

int main(void)
{
	uint64_t start = rv_clock_ns(), t;

	while ((t = rv_clock_ns()) - start < 50 * 1000000ULL)
		;
	printf("busy done\n");
	return (int)(t / 1000);
}
