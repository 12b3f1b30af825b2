/* SPDX-License-Identifier: Apache-2.0 */
/* crash: stores through a NULL pointer. The shell reports the fault. */
#include <stdio.h>

int main(int argc, char **argv)
{
	volatile int *p = NULL;

	printf("crash: writing to address 0\n");
	*p = 1;
	return 0;
}
