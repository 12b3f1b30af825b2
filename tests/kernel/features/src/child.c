/* SPDX-License-Identifier: Apache-2.0 */
/* Spawned by `features`: exits with the status its argument names. */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
