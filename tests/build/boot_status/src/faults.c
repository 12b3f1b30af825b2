/* SPDX-License-Identifier: Apache-2.0 */
/* A main program that faults: a store to an address nothing maps. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	printf("faults: storing to address 0x10 on purpose\n");
	fflush(stdout);
	*(volatile uint32_t *)(uintptr_t)0x10 = 1;
	printf("faults: the store did not fault\n");
	return 0;
}
