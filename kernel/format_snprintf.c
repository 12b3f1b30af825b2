// SPDX-License-Identifier: Apache-2.0
/*
 * fmt_snprintf and fmt_vsnprintf (kernel/format.h) on top of whichever
 * format engine the kernel has: kernel/format.c, or kernel/format_min.c
 * with CONFIG_PRINTK_FULL_FORMAT=n. Both give fmt_vformat.
 */
#include <stdarg.h>
#include <stddef.h>

#include <kernel/format.h>

struct snbuf {
	char *buf;
	size_t size;
	size_t pos;
};

static void sn_out(void *ctx, char c)
{
	struct snbuf *b = ctx;

	/* Keep the last byte for the NUL; further output is only counted. */
	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct snbuf b = { .buf = buf, .size = size, .pos = 0 };
	int n = fmt_vformat(sn_out, &b, fmt, ap);

	if (size > 0)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
