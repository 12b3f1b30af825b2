/* SPDX-License-Identifier: Apache-2.0 */
/* picolibc's <stdio.h>, and the POSIX calls it leaves out: stream locks
 * and unlocked character I/O (lib/src/stdio.c), getline and getdelim
 * (lib/src/getline.c), popen and pclose (lib/src/popen.c). */
#ifndef RVOS_STDIO_H
#define RVOS_STDIO_H

#include_next <stdio.h>
#include <sys/types.h> /* ssize_t */

#if __POSIX_VISIBLE
/* A process has one thread: the locks are never contended (they do
 * nothing, ftrylockfile always succeeds) and the unlocked calls are the
 * plain ones. */
void flockfile(FILE *stream);
int ftrylockfile(FILE *stream);
void funlockfile(FILE *stream);
int getc_unlocked(FILE *stream);
int getchar_unlocked(void);
int putc_unlocked(int c, FILE *stream);
int putchar_unlocked(int c);

/* A line into *line, realloc'd to fit (lib/src/getline.c). */
ssize_t getdelim(char **line, size_t *size, int delim, FILE *stream);
ssize_t getline(char **line, size_t *size, FILE *stream);

/* The command's program, started through init's loader with the stream
 * on its stdout ("r") or stdin ("w"); no shell: see lib/src/popen.c. */
FILE *popen(const char *command, const char *mode);
int pclose(FILE *stream);
#endif /* __POSIX_VISIBLE */

#endif /* RVOS_STDIO_H */
