/* SPDX-License-Identifier: Apache-2.0 */
/* Says that it ran; exits with the clock (us) at its start. */
#include <rvos/user.h>
#include <stdio.h>

int main(void)
{
	uint64_t t = rv_clock_ns();

	printf("low ran\n");
	return (int)(t / 1000);
}
