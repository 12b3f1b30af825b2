/* SPDX-License-Identifier: Apache-2.0 */
/*
 * printenv [NAME...]: the environment this program was started with (all
 * of it, one NAME=value a line), or the values of the names given, one a
 * line; exit status 1 if one of them is not set. What the shell's export
 * and unset reach (testcase.yaml, user.shell.environment).
 */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv)
{
	int status = 0;

	if (argc == 1) {
		for (char **e = environ; *e; e++)
			puts(*e);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const char *v = getenv(argv[i]);

		if (v)
			puts(v);
		else
			status = 1;
	}
	return status;
}
