/* SPDX-License-Identifier: Apache-2.0 */
/* picolibc's stdin/stdout/stderr on rvOS: fds 0, 1 and 2 (lib/src/fd.c),
 * which are the console unless the start-up environment made them files
 * or pipes. The console is the console service when there is one
 * (rvos/console.h), else the kernel's debug console.
 *
 * Output is buffered and written one message per flush, never a message
 * per character: line-buffered to the console and to pipes (a reader at
 * the other end sees whole lines as they come), fully buffered to files;
 * flushed at exit and before stdin waits for input. While stdout and
 * stderr both go to the console they share one buffer, so their output
 * keeps its order. Input is read as it comes (a line at a time from the
 * console's cooked mode) and handed out byte by byte. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <rvos/user.h>
#include "fd_internal.h"

struct out {
	char buf[CONFIG_USER_STDOUT_BUFFER];
	size_t len;
	int fd; /* where buf goes */
};

static struct out outs[2] = { { .fd = 1 }, { .fd = 2 } };
static char in_buf[CONFIG_USER_STDOUT_BUFFER];
static size_t in_len, in_pos;

static uint32_t fd_kind(int fd)
{
	struct ofd *o = fd_ofd(fd);

	return o ? o->kind : UINT32_MAX; /* closed */
}

static void out_drain(struct out *o)
{
	if (o->len)
		fd_write(o->fd, o->buf, o->len); /* an error has nobody to tell */
	o->len = 0;
}

/* stderr's buffer: stdout's while both go to the console (their output
 * keeps its order), else its own. */
static struct out *stderr_out(void)
{
	if (fd_kind(1) == RV_FD_CONSOLE && fd_kind(2) == RV_FD_CONSOLE)
		return &outs[0];
	return &outs[1];
}

static int stdout_flush(FILE *f)
{
	(void)f;
	out_drain(&outs[0]);
	return 0;
}

static int stderr_flush(FILE *f)
{
	(void)f;
	out_drain(stderr_out());
	return 0;
}

/* A full buffer, or a newline: drain unless a file wants more first. */
static __attribute__((noinline)) void out_put_end(struct out *o, int line_buffered)
{
	if (o->len == sizeof(o->buf) || line_buffered || fd_kind(o->fd) != RV_FD_FILE)
		out_drain(o);
}

/* The per-character path, kept short: printf calls it for every byte. */
static int stdout_put(char c, FILE *f)
{
	struct out *o = &outs[0];

	(void)f;
	o->buf[o->len++] = c;
	if (o->len == sizeof(o->buf) || c == '\n')
		out_put_end(o, 0);
	return (unsigned char)c;
}

static int stderr_put(char c, FILE *f)
{
	struct out *o = stderr_out();

	(void)f;
	o->buf[o->len++] = c;
	if (o->len == sizeof(o->buf) || c == '\n')
		out_put_end(o, 1); /* stderr: whole lines, even to a file */
	return (unsigned char)c;
}

static int in_get(FILE *f)
{
	(void)f;
	if (in_pos == in_len) {
		long n;

		/* A prompt without a newline shows first. */
		out_drain(&outs[0]);
		out_drain(&outs[1]);
		n = fd_read(0, in_buf, sizeof(in_buf));
		if (n <= 0)
			return n == 0 ? _FDEV_EOF : _FDEV_ERR;
		in_len = (size_t)n;
		in_pos = 0;
	}
	return (unsigned char)in_buf[in_pos++];
}

static FILE rvos_stdin = FDEV_SETUP_STREAM(NULL, in_get, NULL, _FDEV_SETUP_READ);
static FILE rvos_stdout = FDEV_SETUP_STREAM(stdout_put, NULL, stdout_flush, _FDEV_SETUP_WRITE);
static FILE rvos_stderr = FDEV_SETUP_STREAM(stderr_put, NULL, stderr_flush, _FDEV_SETUP_WRITE);

FILE *const stdin = &rvos_stdin;
FILE *const stdout = &rvos_stdout;
FILE *const stderr = &rvos_stderr;

/* n bytes at once into stdout's or stderr's buffer, as n calls of their
 * put would (a drain at a newline, before a file's buffer overflows), but
 * one drain for the lines of one call: printf's formatter
 * (lib/src/stdio_float.c) writes its output so. 0, or -1 when f is
 * neither (the caller then puts byte by byte). */
int rvos_stdio_write(FILE *f, const char *s, size_t n)
{
	struct out *o;
	int line_buffered;

	if (f == &rvos_stdout) {
		o = &outs[0];
		line_buffered = 0;
	} else if (f == &rvos_stderr) {
		o = stderr_out();
		line_buffered = 1;
	} else {
		return -1;
	}
	while (n) {
		size_t k = sizeof(o->buf) - o->len < n ? sizeof(o->buf) - o->len : n;
		bool newline = memchr(s, '\n', k) != NULL;

		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof(o->buf) || newline)
			out_put_end(o, line_buffered);
	}
	return 0;
}

/* exit() flushes stdio through this hook (picolibc tinystdio). */
static void __attribute__((destructor)) flush_at_exit(void)
{
	out_drain(&outs[0]);
	out_drain(&outs[1]);
}

/* POSIX's stream locks: one thread per process, nobody to wait for. */
void flockfile(FILE *stream)
{
	(void)stream;
}

int ftrylockfile(FILE *stream)
{
	(void)stream;
	return 0;
}

void funlockfile(FILE *stream)
{
	(void)stream;
}

/* ... so the unlocked calls are the locked ones. */
int getc_unlocked(FILE *stream)
{
	return getc(stream);
}

int getchar_unlocked(void)
{
	return getchar();
}

int putc_unlocked(int c, FILE *stream)
{
	return putc(c, stream);
}

int putchar_unlocked(int c)
{
	return putchar(c);
}
