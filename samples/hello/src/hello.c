/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <rvos/user.h>

int main(int argc, char **argv)
{
	printf("Hello from user mode (%s, pid %ld)\n", argv[0], rv_getpid());
	return 0;
}
