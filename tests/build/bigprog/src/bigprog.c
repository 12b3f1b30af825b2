/* SPDX-License-Identifier: Apache-2.0 */
/* 2 MiB of zeroed data: one loadable segment of over 2 MiB. */
#include <stdio.h>

/* volatile: otherwise gcc forwards the store to the load and drops the
 * array, and the program has no big segment at all. */
static volatile char big[2 << 20];

int main(void)
{
	big[sizeof(big) - 1] = 1;
	printf("bigprog: %d\n", big[sizeof(big) - 1]);
	return 0;
}
