/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The smallest child: exits with the number of its arguments.
 *   tiny orphan        spawns `tiny` at its own priority (7) and exits before
 *                      it runs, leaving an orphan the kernel must free by itself
 *   tiny orphan_sleep  the same with `sleeper 1`: the orphan is asleep when
 *                      its parent ends
 */
#include <string.h>
#include <rvos/user.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "orphan"))
		return rv_spawn("tiny", NULL, 7) > 0 ? 0 : 1;
	if (argc > 1 && !strcmp(argv[1], "orphan_sleep"))
		return rv_spawn("sleeper", (const char *const[]){"1", NULL}, 6) > 0 ? 0 : 1;
	return argc - 1;
}
