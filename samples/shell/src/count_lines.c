/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count-lines [FILE...]: how many lines its standard input (or each file)
 * has, like `wc -l` (a last line without a newline counts too). For
 * pipelines and redirection in the shell: `cat /tmp/a | count-lines`,
 * `count-lines < /tmp/a`; with files, their paths are the program's own,
 * relative to the working directory the shell gave it
 * (`cd /docs; count-lines three.txt`). Portable C: POSIX read/open only.
 * Exit status 0, or 1 when a file cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The lines of fd; -1 (errno set) when reading fails. */
static long count(int fd)
{
	static char buf[4096];
	unsigned long lines = 0;
	bool partial = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				lines++;
		partial = buf[n - 1] != '\n';
	}
	return n < 0 ? -1 : (long)(lines + (partial ? 1 : 0));
}

int main(int argc, char **argv)
{
	int status = 0;
	long n;

	if (argc == 1) {
		if ((n = count(0)) < 0) {
			fprintf(stderr, "count-lines: reading: %s\n", strerror(errno));
			return 1;
		}
		printf("%ld\n", n);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0 || (n = count(fd)) < 0) {
			fprintf(stderr, "count-lines: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		} else {
			printf("%ld %s\n", n, argv[i]);
		}
		if (fd >= 0)
			close(fd);
	}
	return status;
}
