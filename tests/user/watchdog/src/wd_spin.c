/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A program that never blocks and never pets its watchdog (init armed it:
 * watchdog=300): the watchdog fires while it runs, from the timer
 * interrupt; the graph has no deadlock (it runs), and it is ended there.
 */
#include <stdio.h>

int main(void)
{
	printf("wd_spin: spinning\n");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
