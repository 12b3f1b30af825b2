/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count-lines: how many lines its standard input has, like `wc -l` (a last
 * line without a newline counts too). For pipelines and redirection in the
 * shell: `cat /tmp/a | count-lines`, `count-lines < /tmp/a`. Exit status 0,
 * or 1 when reading fails.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[4096];
	unsigned long lines = 0;
	bool partial = false;
	ssize_t n;

	if (argc > 1) {
		fprintf(stderr, "usage: count-lines (counts the lines of its input)\n");
		return 2;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				lines++;
		partial = buf[n - 1] != '\n';
	}
	if (n < 0) {
		fprintf(stderr, "count-lines: reading: %s\n", strerror(errno));
		return 1;
	}
	printf("%lu\n", lines + (partial ? 1 : 0));
	return 0;
}
