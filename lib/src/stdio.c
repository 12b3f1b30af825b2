/* SPDX-License-Identifier: Apache-2.0 */
/* picolibc's stdin/stdout/stderr on rvOS. Output is line-buffered and goes
 * to the kernel's debug console; the console server replaces this when
 * user space has one. Input is not available yet: reads return EOF. */
#include <stdio.h>
#include <rvos/user.h>

static char out_buf[CONFIG_USER_STDOUT_BUFFER];
static size_t out_len;

static int out_flush(FILE *f)
{
	(void)f;
	/* In pieces the kernel accepts (CONFIG_DEBUG_WRITE_MAX may be small). */
	for (size_t off = 0; off < out_len; off += CONFIG_DEBUG_WRITE_MAX) {
		size_t n = out_len - off;
		rv_debug_write(out_buf + off, n < CONFIG_DEBUG_WRITE_MAX ? n : CONFIG_DEBUG_WRITE_MAX);
	}
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

static int in_get(FILE *f)
{
	(void)f;
	return _FDEV_EOF;
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
