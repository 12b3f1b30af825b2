/* SPDX-License-Identifier: Apache-2.0 */
/* Sleeps for argv[1] milliseconds (default: 1000 seconds), then exits 0. */
#include <stdlib.h>
#include <rvos/user.h>

int main(int argc, char **argv)
{
	uint64_t ms = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;

	rv_sleep_ns(ms * 1000000ULL);
	return 0;
}
