/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exit() flushes every open stream (C11 7.22.4.4), not only stdout:
 * picolibc's tinystdio keeps no list of the streams fopen and fdopen make,
 * so a program that wrote a file and returned from main without fclose
 * would lose what was still in the stream's buffer. Every program is
 * linked with --wrap=fdopen --wrap=fclose (cmake/user.cmake): fopen and
 * tmpfile make their streams with fdopen, so the streams are noted here
 * when made and forgotten when closed, and flushed at exit.
 */
#include <stdio.h>

FILE *__real_fdopen(int fd, const char *mode);
int __real_fclose(FILE *f);
FILE *__wrap_fdopen(int fd, const char *mode);
int __wrap_fclose(FILE *f);

/* A stream has an fd of its own: at most as many as there are fds. */
static FILE *open_streams[CONFIG_USER_MAX_FDS];

FILE *__wrap_fdopen(int fd, const char *mode)
{
	FILE *f = __real_fdopen(fd, mode);

	for (unsigned int i = 0; f && i < CONFIG_USER_MAX_FDS; i++) {
		if (!open_streams[i]) {
			open_streams[i] = f;
			break;
		}
	}
	return f;
}

int __wrap_fclose(FILE *f)
{
	for (unsigned int i = 0; i < CONFIG_USER_MAX_FDS; i++)
		if (open_streams[i] == f)
			open_streams[i] = NULL;
	return __real_fclose(f);
}

static void __attribute__((destructor)) flush_streams_at_exit(void)
{
	for (unsigned int i = 0; i < CONFIG_USER_MAX_FDS; i++)
		if (open_streams[i])
			fflush(open_streams[i]);
}
