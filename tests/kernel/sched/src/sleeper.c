/* SPDX-License-Identifier: Apache-2.0 */
/* sleeper MS | sleeper forever: sleeps, then exits with MS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "forever")) {
		rv_sleep_ns(UINT64_MAX);
		return 100;
	}
	int ms = argc > 1 ? atoi(argv[1]) : 0;

	rv_sleep_ns((uint64_t)ms * 1000000ULL);
	return ms;
}
