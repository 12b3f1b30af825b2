/* SPDX-License-Identifier: Apache-2.0 */
/* The valid program the malformed ones are made from: exits with 42. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("%s ran\n", argv[0]);
	return 42;
}
