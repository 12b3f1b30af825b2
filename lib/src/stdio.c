/* SPDX-License-Identifier: Apache-2.0 */
/* picolibc's stdin/stdout/stderr on rvOS: through the console service when
 * there is one (rvos/console.h), else the kernel's debug console. Output is
 * line-buffered; input is read a line at a time (the console's cooked
 * mode) and handed out byte by byte. */
#include <stdio.h>
#include <rvos/console.h>
#include <rvos/user.h>

static char out_buf[CONFIG_USER_STDOUT_BUFFER];
static size_t out_len;
static char in_buf[CONFIG_USER_STDOUT_BUFFER];
static size_t in_len, in_pos;

static void debug_write_all(const char *p, size_t len)
{
	/* In pieces the kernel accepts (CONFIG_DEBUG_WRITE_MAX may be small). */
	for (size_t off = 0; off < len; off += CONFIG_DEBUG_WRITE_MAX) {
		size_t n = len - off;
		rv_debug_write(p + off, n < CONFIG_DEBUG_WRITE_MAX ? n : CONFIG_DEBUG_WRITE_MAX);
	}
}

static int out_flush(FILE *f)
{
	rv_handle_t con = console_handle();
	long ret = -RV_EBADF;

	(void)f;
	if (!out_len)
		return 0;
	if (con != RV_HANDLE_INVALID) {
		ret = console_write(con, out_buf, out_len);
		if (ret == -RV_EPEERCLOSED && (con = console_reconnect()) != RV_HANDLE_INVALID)
			ret = console_write(con, out_buf, out_len);
	}
	if (ret < 0 || (size_t)ret < out_len)
		debug_write_all(out_buf + (ret > 0 ? ret : 0), out_len - (ret > 0 ? (size_t)ret : 0));
	out_len = 0;
	return 0;
}

static int out_put(char c, FILE *f)
{
	out_buf[out_len++] = c;
	if (c == '\n' || out_len == sizeof(out_buf))
		out_flush(f);
	return (unsigned char)c;
}

/* Refill in_buf: > 0 bytes, 0 at end of input, < 0 on an error. */
static long in_fill(void)
{
	rv_handle_t con = console_handle();
	long n;

	if (con == RV_HANDLE_INVALID) {
		/* The kernel's input buffer: poll it (this is the fallback). */
		while ((n = rv_debug_read(in_buf, sizeof(in_buf))) == 0)
			rv_sleep_ns(10 * 1000 * 1000);
		return n;
	}
	n = console_read(con, in_buf, sizeof(in_buf));
	if (n == -RV_EPEERCLOSED && (con = console_reconnect()) != RV_HANDLE_INVALID)
		n = console_read(con, in_buf, sizeof(in_buf));
	return n;
}

static int in_get(FILE *f)
{
	(void)f;
	if (in_pos == in_len) {
		long n;

		out_flush(stdout); /* a prompt without a newline shows first */
		n = in_fill();
		if (n <= 0)
			return n == 0 ? _FDEV_EOF : _FDEV_ERR;
		in_len = (size_t)n;
		in_pos = 0;
	}
	return (unsigned char)in_buf[in_pos++];
}

static FILE rvos_stdio = FDEV_SETUP_STREAM(out_put, in_get, out_flush, _FDEV_SETUP_RW);

FILE *const stdin = &rvos_stdio;
FILE *const stdout = &rvos_stdio;
FILE *const stderr = &rvos_stdio;

/* exit() flushes stdio through this hook (picolibc tinystdio). */
static void __attribute__((destructor)) flush_at_exit(void)
{
	out_flush(stdout);
}
