/* SPDX-License-Identifier: Apache-2.0 */
/* A main program that fails: it says so and exits with status 7. */
#include <stdio.h>

int main(void)
{
	printf("fails: ending with status 7 on purpose\n");
	return 7;
}
