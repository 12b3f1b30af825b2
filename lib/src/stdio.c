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
 * keeps its order. printf writes into these buffers itself
 * (rvos_stdio_room), and a console drain sends a buffer in place, its
 * request's header in the room kept in front of it. Input is read as it
 * comes (a line at a time from the console's cooked mode) and handed out
 * byte by byte. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <rvos/user.h>
#include "fd_internal.h"

struct out {
	/* Scratch for a console request's header right before buf: a drain
	 * sends the bytes where they are (fd_drain_room). */
	char room[FD_WRITE_ROOM];
	char buf[CONFIG_USER_STDOUT_BUFFER];
	size_t len;
	int fd; /* where buf goes */
} __attribute__((aligned(8))); /* so is the request: the kernel copies it by words */

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
		fd_drain_room(o->fd, o->buf, o->len, true);
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
	if (fd_drain_room(o->fd, o->buf, o->len, o->len == sizeof(o->buf) || line_buffered))
		o->len = 0;
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

/* rvos_stdio_room but for stdout with room: stderr's buffer, or a full
 * one drained first. */
static __attribute__((noinline)) char *room_slow(FILE *f, size_t *room)
{
	struct out *o;

	if (f == &rvos_stdout)
		o = &outs[0];
	else if (f == &rvos_stderr)
		o = stderr_out();
	else
		return NULL;
	if (o->len == sizeof(o->buf))
		out_drain(o);
	*room = sizeof(o->buf) - o->len;
	return o->buf + o->len;
}

/* printf's formatter (lib/src/stdio_float.c) writes into stdout's or
 * stderr's buffer itself: the free room at its end, *room bytes (at least
 * 1), or NULL when f is neither. */
char *rvos_stdio_room(FILE *f, size_t *room)
{
	struct out *o = &outs[0];

	if (f == &rvos_stdout && o->len != sizeof(o->buf)) { /* (printf's case: no call) */
		*room = sizeof(o->buf) - o->len;
		return o->buf + o->len;
	}
	return room_slow(f, room);
}

/* ... and then says it wrote n bytes there: drained as n calls of put
 * would (a full buffer, a newline), but once for the lines of one call. */
void rvos_stdio_commit(FILE *f, size_t n)
{
	struct out *o = f == &rvos_stdout ? &outs[0] : stderr_out();
	const char *p = o->buf + o->len;

	o->len += n;
	/* From the end: a line's newline is most often its last byte. */
	while (n && p[n - 1] != '\n')
		n--;
	if ((o->len == sizeof(o->buf) || n) &&
	    fd_drain_room(o->fd, o->buf, o->len, o->len == sizeof(o->buf) || f == &rvos_stderr))
		o->len = 0; /* (out_put_end's work) */
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
