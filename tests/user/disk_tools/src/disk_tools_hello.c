/* SPDX-License-Identifier: Apache-2.0 */
/* Prints and exits 0: the scenario is about the disk the runner attached. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("disk_tools: %s booted\n", argv[0]);
	return 0;
}
