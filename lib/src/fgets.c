/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fgets as C11 (7.21.7.2) says: characters read before the end of file
 * are a line, even without a newline. picolibc's tinystdio fgets returns
 * NULL when the end of file comes after some characters, so the last line
 * of a file without a final newline was lost.
 *
 * An object linked before libc.a (lib/CMakeLists.txt), so this one wins.
 */
#include <stdio.h>

char *fgets(char *s, int size, FILE *f)
{
	char *p = s;
	int c;

	if (size <= 0)
		return NULL;
	while (--size > 0) {
		c = getc(f);
		if (c == EOF) {
			/* Nothing read, or a read error: NULL. */
			if (p == s || ferror(f))
				return NULL;
			break;
		}
		*p++ = (char)c;
		if (c == '\n')
			break;
	}
	*p = '\0';
	return s;
}
