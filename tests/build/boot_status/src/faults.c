/* SPDX-License-Identifier: Apache-2.0 */
/* A main program that faults: a store to an address nothing maps. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	/* volatile: gcc may not reason about the address (-Warray-bounds). */
	volatile uint32_t *volatile where = (volatile uint32_t *)(uintptr_t)0x10;

	printf("faults: storing to address 0x10 on purpose\n");
	fflush(stdout);
	*where = 1;
	printf("faults: the store did not fault\n");
	return 0;
}
