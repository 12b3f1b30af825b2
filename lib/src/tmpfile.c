/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfile in /tmp, where POSIX puts temporary files (picolibc's own makes
 * one in the working directory, which may be read-only or the root). Its
 * name is removed at once: the file lives while the stream is open (the
 * file server keeps an unlinked file for its open connections). No
 * writable /tmp: NULL with open's errno (ENOENT, EACCES, EROFS).
 *
 * An object linked before libc.a (lib/CMakeLists.txt), so this one wins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

FILE *tmpfile(void)
{
	char name[] = "/tmp/tmpfile.XXXXXX";
	int fd = mkstemp(name);
	FILE *f;

	if (fd < 0)
		return NULL;
	unlink(name);
	f = fdopen(fd, "w+");
	if (!f)
		close(fd);
	return f;
}
