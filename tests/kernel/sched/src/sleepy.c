/* SPDX-License-Identifier: Apache-2.0 */
/* Sleeps 10 ms; exits with the clock (us) when it runs again. */
#include <rvos/user.h>
#include <stdio.h>

int main(void)
{
	uint64_t t;

	rv_sleep_ns(10 * 1000000ULL);
	t = rv_clock_ns();
	printf("sleepy woke\n");
	return (int)(t / 1000);
}
