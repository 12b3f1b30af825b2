/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX's getdelim and getline, which picolibc's tinystdio leaves out: a
 * line (up to and with the delimiter) into a buffer that grows with
 * realloc. Returns its length, or -1 at the end of file with nothing
 * read, on a read error, or with errno EINVAL (bad arguments), ENOMEM, or
 * EOVERFLOW (a line longer than ssize_t holds).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LINE_FIRST_BYTES 128 /* a first buffer; it doubles as needed */
/* ssize_t's largest (picolibc has no SSIZE_MAX): the length returned. */
#define LINE_MAX_BYTES ((size_t)PTRDIFF_MAX)

ssize_t getdelim(char **line, size_t *size, int delim, FILE *f)
{
	size_t len = 0;
	int c;

	if (!line || !size || !f) {
		errno = EINVAL;
		return -1;
	}
	if (!*line)
		*size = 0;
	for (;;) {
		c = getc(f);
		if (c == EOF && (len == 0 || ferror(f)))
			return -1;
		/* room for this character and the NUL */
		if (len + 2 > *size) {
			size_t want = *size ? *size * 2 : LINE_FIRST_BYTES;
			char *p;

			if (len + 2 > LINE_MAX_BYTES) {
				errno = EOVERFLOW;
				return -1;
			}
			p = realloc(*line, want);
			if (!p)
				return -1; /* ENOMEM, set by realloc */
			*line = p;
			*size = want;
		}
		if (c == EOF)
			break;
		(*line)[len++] = (char)c;
		if (c == delim)
			break;
	}
	(*line)[len] = '\0';
	return (ssize_t)len;
}

ssize_t getline(char **line, size_t *size, FILE *f)
{
	return getdelim(line, size, '\n', f);
}
