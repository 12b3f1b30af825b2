// SPDX-License-Identifier: Apache-2.0
/*
 * The minimal format engine (CONFIG_PRINTK_FULL_FORMAT=n): the API of
 * kernel/format.h for the directives the kernel's own messages use, in
 * less code. Taken: %d %i %u %x %p %s %c %%, the length modifiers hh h l ll
 * z, the flags '-', '0' and '#' (0x before %x), a field width (digits or
 * '*'). A precision is skipped (its '*' argument taken). Anything else is
 * copied as written, like the full engine's unknown directives. %p and
 * %s with NULL print as format.c does. The returned count saturates at
 * INT_MAX.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/format.h>


struct sink {
	fmt_out_fn out;
	void *ctx;
	unsigned long count;
};

static void put(struct sink *s, char c)
{
	s->out(s->ctx, c);
	if (s->count < INT_MAX)
		s->count++;
}

static void pad(struct sink *s, char c, long n)
{
	while (n-- > 0)
		put(s, c);
}

/* str (n bytes, prefix pre in front) in a field of width. */
static void field(struct sink *s, const char *pre, const char *str, long n, long width,
		  bool left, bool zero)
{
	long plen = 0;

	while (pre[plen])
		plen++;
	width -= n + plen;
	if (!left && !zero)
		pad(s, ' ', width);
	while (*pre)
		put(s, *pre++);
	if (!left && zero)
		pad(s, '0', width);
	while (n-- > 0)
		put(s, *str++);
	if (left)
		pad(s, ' ', width);
}

static void digits(long *pp, const char **fp, va_list *ap)
{
	const char *f = *fp;
	long v = 0;

	if (*f == '*') {
		v = va_arg(*ap, int);
		f++;
	} else {
		while (*f >= '0' && *f <= '9') {
			if (v < INT_MAX / 10)
				v = v * 10 + (*f - '0');
			f++;
		}
	}
	*fp = f;
	*pp = v;
}

int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct sink s = {.out = out, .ctx = ctx, .count = 0};
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		const char *start = fmt, *str;
		bool left = false, zero = false, alt = false, neg = false;
		long width, prec, n;
		int longs = 0;
		char buf[24];
		uint64_t v;

		if (*fmt != '%') {
			put(&s, *fmt++);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		digits(&width, &fmt, &aq);
		if (width < 0) {
			left = true;
			width = -width;
		}
		if (*fmt == '.') {
			fmt++;
			digits(&prec, &fmt, &aq); /* taken, not applied */
			(void)prec;
		}
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			if (*fmt != 'h')
				longs++;
			fmt++;
		}
		switch (*fmt) {
		case '%':
			put(&s, '%');
			fmt++;
			continue;
		case 'c':
			buf[0] = (char)va_arg(aq, int);
			field(&s, "", buf, 1, width, left, false);
			fmt++;
			continue;
		case 's':
			str = va_arg(aq, const char *);
			if (!str)
				str = "(null)";
			for (n = 0; str[n]; n++)
				;
			field(&s, "", str, n, width, left, false);
			fmt++;
			continue;
		case 'p':
			v = (uintptr_t)va_arg(aq, void *);
			n = 16;
			alt = true;
			zero = false;
			goto hex;
		case 'd':
		case 'i':
			v = longs ? (uint64_t)va_arg(aq, long) : (uint64_t)(long)va_arg(aq, int);
			neg = (int64_t)v < 0;
			if (neg)
				v = -v;
			goto dec;
		case 'u':
			v = longs ? va_arg(aq, unsigned long) : va_arg(aq, unsigned int);
dec:
			n = 0;
			do {
				buf[sizeof(buf) - ++n] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			field(&s, neg ? "-" : "", buf + sizeof(buf) - n, n, width, left, zero && !left);
			fmt++;
			continue;
		case 'x':
			v = longs ? va_arg(aq, unsigned long) : va_arg(aq, unsigned int);
			n = 1;
hex:
			for (long i = 0; i < (long)sizeof(buf); i++) {
				buf[sizeof(buf) - 1 - i] = "0123456789abcdef"[v & 15];
				v >>= 4;
				if (!v && i + 1 >= n) {
					n = i + 1;
					break;
				}
			}
			field(&s, alt ? "0x" : "", buf + sizeof(buf) - n, n, width, left, zero && !left);
			fmt++;
			continue;
		default:
			/* unknown, or a '%' at the end: as written */
			if (*fmt)
				fmt++;
			while (start < fmt)
				put(&s, *start++);
			continue;
		}
	}
	va_end(aq);
	return (int)s.count;
}
