/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The syscalls test's child: argv[1] says what to do.
 *   exit N      exit with status N
 *   argc        exit with argc (argv[0] included)
 *   len         exit with strlen(argv[2])
 *   sleep       sleep (very long)
 *   kill PID    exit with -rv_kill(PID)
 *   orphan      spawn `helper sleep` and exit with its pid
 *   yield       yield a few times, exit 0
 *   env NAME    exit with strlen(getenv(NAME)), 200 if it is not set
 *   envc        exit with the number of environment strings; 201 if envp
 *               is not right after argv's NULL or is not environ
 *   exitwide    exit(2^32 + 5), which must be refused (EINVAL): then exit 7
 */
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "env") && argc > 2)
		return getenv(argv[2]) ? (int)strlen(getenv(argv[2])) : 200;
	if (!strcmp(mode, "envc")) {
		int n = 0;

		if (envp != argv + argc + 1 || envp != environ)
			return 201;
		while (envp[n])
			n++;
		return n;
	}

	if (!strcmp(mode, "exit") && argc > 2)
		return atoi(argv[2]);
	if (!strcmp(mode, "argc"))
		return argc;
	if (!strcmp(mode, "len") && argc > 2)
		return (int)strlen(argv[2]);
	if (!strcmp(mode, "sleep")) {
		rv_sleep_ns(1000ULL * 1000000000ULL);
		return 0;
	}
	if (!strcmp(mode, "kill") && argc > 2)
		return (int)-rv_kill(atoi(argv[2]));
	if (!strcmp(mode, "orphan")) {
		static const char *const args[] = {"sleep", NULL};
		return (int)rv_spawn("helper", args, 9);
	}
	if (!strcmp(mode, "exitwide"))
		return rv_syscall(RV_SYS_EXIT, (long)((1ull << 32) + 5), 0, 0, 0, 0, 0) == -RV_EINVAL ? 7
												   : 8;
	if (!strcmp(mode, "yield")) {
		for (int i = 0; i < 3; i++)
			rv_yield();
		return 0;
	}
	return 100;
}
