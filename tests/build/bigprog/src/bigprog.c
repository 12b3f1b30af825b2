/* SPDX-License-Identifier: Apache-2.0 */
/* 2 MiB of zeroed data: one loadable segment of over 2 MiB. */
#include <stdio.h>

static char big[2 << 20];

int main(void)
{
	big[sizeof(big) - 1] = 1;
	printf("bigprog: %d\n", big[sizeof(big) - 1]);
	return 0;
}
