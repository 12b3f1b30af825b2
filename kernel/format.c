// SPDX-License-Identifier: Apache-2.0
/*
 * printf-style format engine. See kernel/format.h for the supported subset.
 *
 * Everything here is freestanding: no libc, no allocation, bounded stack use,
 * so it is safe to call from early boot and from trap handlers.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/format.h>


enum fmt_flags {
	FL_LEFT = 1 << 0,  /* '-' */
	FL_ZERO = 1 << 1,  /* '0' */
	FL_PLUS = 1 << 2,  /* '+' */
	FL_SPACE = 1 << 3, /* ' ' */
	FL_ALT = 1 << 4,   /* '#' */
};

enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z };

/*
 * The sink plus a saturating count: counting in a wider unsigned type and
 * clamping at the end keeps a huge '*' width from overflowing a signed int.
 */
struct fmt_sink {
	fmt_out_fn out;
	void *ctx;
	unsigned long count;
};

struct fmt_spec {
	unsigned int flags;
	int width;     /* 0 when absent */
	int precision; /* -1 when absent */
	enum fmt_len len;
};

static void put(struct fmt_sink *s, char c)
{
	s->out(s->ctx, c);
	if (s->count < INT_MAX)
		s->count++;
}

static void put_repeat(struct fmt_sink *s, char c, long n)
{
	while (n-- > 0)
		put(s, c);
}

/* Saturating decimal parse, so "%99999999999d" cannot overflow an int. */
static int parse_num(const char **pp)
{
	const char *p = *pp;
	int v = 0;

	while (*p >= '0' && *p <= '9') {
		int d = *p - '0';

		if (v > (INT_MAX - d) / 10)
			v = INT_MAX;
		else
			v = v * 10 + d;
		p++;
	}
	*pp = p;
	return v;
}

/* Emit a string of known length padded to the spec's width. */
static void put_padded(struct fmt_sink *s, const struct fmt_spec *sp, const char *str, long n)
{
	long pad = sp->width > n ? sp->width - n : 0;
	long i;

	if (!(sp->flags & FL_LEFT))
		put_repeat(s, ' ', pad);
	for (i = 0; i < n; i++)
		put(s, str[i]);
	if (sp->flags & FL_LEFT)
		put_repeat(s, ' ', pad);
}

/*
 * Emit one integer. mag is the magnitude, neg its sign (only for %d/%i), base
 * 8, 10 or 16. Layout: [spaces][sign][0x][zeros][digits][spaces].
 */
static void put_int(struct fmt_sink *s, const struct fmt_spec *sp, uint64_t mag, bool neg,
		    bool is_signed, unsigned int base, bool upper)
{
	const char *digs = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24]; /* 22 octal digits is the most a 64-bit value needs */
	int nd = 0;
	char sign = 0;
	const char *prefix = "";
	long prefix_len = 0;
	long zeros, body, pad;
	bool nonzero = mag != 0;

	while (mag != 0) {
		buf[nd++] = digs[mag % base];
		mag /= base;
	}
	/* C99: a zero value with precision 0 produces no digits at all. */
	if (nd == 0 && sp->precision != 0)
		buf[nd++] = '0';

	if (is_signed) {
		if (neg)
			sign = '-';
		else if (sp->flags & FL_PLUS)
			sign = '+';
		else if (sp->flags & FL_SPACE)
			sign = ' ';
	}

	zeros = sp->precision > nd ? sp->precision - nd : 0;
	if (sp->flags & FL_ALT) {
		if (base == 16 && nonzero) {
			prefix = upper ? "0X" : "0x";
			prefix_len = 2;
		} else if (base == 8 && zeros == 0 && (nd == 0 || buf[nd - 1] != '0')) {
			/* '#' with %o: make sure the first digit is a 0. */
			zeros = 1;
		}
	}

	body = (sign ? 1 : 0) + prefix_len + zeros + nd;
	pad = sp->width > body ? sp->width - body : 0;
	/* '0' pads between prefix and digits, but a precision or '-' disables it. */
	if ((sp->flags & FL_ZERO) && !(sp->flags & FL_LEFT) && sp->precision < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & FL_LEFT))
		put_repeat(s, ' ', pad);
	if (sign)
		put(s, sign);
	while (*prefix)
		put(s, *prefix++);
	put_repeat(s, '0', zeros);
	while (nd > 0)
		put(s, buf[--nd]);
	if (sp->flags & FL_LEFT)
		put_repeat(s, ' ', pad);
}

static int64_t fetch_signed(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		/* The signed type with the size of size_t. */
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t fetch_unsigned(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/*
 * Parse and perform the directive starting just after a '%'. Returns the
 * position after it. An unknown or unterminated directive is echoed verbatim
 * from its '%' so mistakes are visible in the output rather than fatal.
 */
static const char *do_directive(struct fmt_sink *s, const char *pct, va_list *ap)
{
	struct fmt_spec sp = { .flags = 0, .width = 0, .precision = -1, .len = LEN_NONE };
	const char *p = pct + 1;
	bool more = true;
	uint64_t mag;
	int64_t sv;
	char c;

	while (more) {
		switch (*p) {
		case '-': sp.flags |= FL_LEFT; p++; break;
		case '0': sp.flags |= FL_ZERO; p++; break;
		case '+': sp.flags |= FL_PLUS; p++; break;
		case ' ': sp.flags |= FL_SPACE; p++; break;
		case '#': sp.flags |= FL_ALT; p++; break;
		default: more = false; break;
		}
	}

	if (*p == '*') {
		int w = va_arg(*ap, int);

		p++;
		/* A negative '*' width means '-' plus its magnitude (C99 7.19.6.1). */
		if (w < 0) {
			sp.flags |= FL_LEFT;
			w = (w == -INT_MAX - 1) ? INT_MAX : -w;
		}
		sp.width = w;
	} else {
		sp.width = parse_num(&p);
	}

	if (*p == '.') {
		p++;
		if (*p == '*') {
			int pr = va_arg(*ap, int);

			p++;
			/* A negative '*' precision counts as no precision at all. */
			sp.precision = pr < 0 ? -1 : pr;
		} else {
			sp.precision = parse_num(&p);
		}
	}

	switch (*p) {
	case 'h':
		p++;
		sp.len = LEN_H;
		if (*p == 'h') {
			p++;
			sp.len = LEN_HH;
		}
		break;
	case 'l':
		p++;
		sp.len = LEN_L;
		if (*p == 'l') {
			p++;
			sp.len = LEN_LL;
		}
		break;
	case 'z':
		p++;
		sp.len = LEN_Z;
		break;
	default:
		break;
	}

	c = *p;
	switch (c) {
	case 'd':
	case 'i':
		sv = fetch_signed(sp.len, ap);
		/* Negate in unsigned arithmetic so INT64_MIN has a magnitude too. */
		mag = sv < 0 ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv;
		put_int(s, &sp, mag, sv < 0, true, 10, false);
		break;
	case 'u':
		put_int(s, &sp, fetch_unsigned(sp.len, ap), false, false, 10, false);
		break;
	case 'x':
	case 'X':
		put_int(s, &sp, fetch_unsigned(sp.len, ap), false, false, 16, c == 'X');
		break;
	case 'o':
		put_int(s, &sp, fetch_unsigned(sp.len, ap), false, false, 8, false);
		break;
	case 'p': {
		/* Fixed width so pointers line up in logs; NULL prints as zeros too. */
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);
		char pbuf[2 + 2 * sizeof(void *)];
		size_t i, nd = 2 * sizeof(void *);

		pbuf[0] = '0';
		pbuf[1] = 'x';
		for (i = 0; i < nd; i++)
			pbuf[2 + nd - 1 - i] = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
		put_padded(s, &sp, pbuf, (long)sizeof(pbuf));
		break;
	}
	case 's': {
		const char *str = va_arg(*ap, const char *);
		long n = 0;

		if (!str)
			str = "(null)";
		/* Stop at the precision: the string need not be NUL-terminated. */
		while ((sp.precision < 0 || n < sp.precision) && str[n] != '\0')
			n++;
		put_padded(s, &sp, str, n);
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);

		put_padded(s, &sp, &ch, 1);
		break;
	}
	case '%':
		put(s, '%');
		break;
	default:
		/* Unknown, or the format ended mid-directive: echo it verbatim. */
		while (pct < p)
			put(s, *pct++);
		if (c == '\0')
			return p;
		put(s, c);
		break;
	}
	return p + 1;
}

int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_sink s = { .out = out, .ctx = ctx, .count = 0 };
	va_list aq;

	/* A copy we may pass by pointer: va_list can be an array type. */
	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&s, *fmt++);
			continue;
		}
		fmt = do_directive(&s, fmt, &aq);
	}
	va_end(aq);
	return (int)s.count;
}
