/* SPDX-License-Identifier: Apache-2.0 */
/*
 * printf's and scanf's floating-point conversions, exact (lib/src/dtoa.c).
 *
 * picolibc 1.8's printf makes at most 17 significant digits, shortest
 * first and then padded with zeros (%.17g of 1.0/3 prints
 * 0.3333333333333333, %.20f of 0.1 prints 0.10000000000000000000) and
 * rounds some ties away from zero (%.0f of 0.5 is 1); its scanf keeps 19
 * digits of a number and drops the rest. Every program links with
 * -Wl,--wrap=vfprintf,--wrap=__d_vfprintf,--wrap=vfscanf
 * (cmake/user.cmake): all of printf, fprintf, snprintf, asprintf,
 * strfromd... reach picolibc's vfprintf through __wrap_vfprintf below,
 * all of scanf, fscanf, sscanf its vfscanf through __wrap_vfscanf.
 *
 * printf: every format is taken here, one directive at a time: text,
 * the floating-point conversions, the integer ones (d i o u x X), %c and
 * %s (without l), %% and %n, written straight into the buffer of rvOS's
 * stdout or stderr (rvos_stdio_room and rvos_stdio_commit in
 * lib/src/stdio.c), for another stream gathered in a buffer and written
 * in pieces, never a character at a time as picolibc's formatter does;
 * text and %s are scanned and copied a word at a time (scan, copy).
 * %p, %lc, %ls and a null %s are picolibc's,
 * given that one conversion and its argument; a conversion not known
 * here (and the rest of the format after it), or a format with
 * positional arguments (%1$d), is left to picolibc whole.
 *
 * scanf: a format with no %e %f %g %a (or upper case) goes straight to
 * picolibc. Otherwise the format is taken one directive at a time: the
 * floating-point conversions here, every other conversion by picolibc,
 * given that one conversion and its argument with a %n after it, to
 * count what it read.
 *
 * %Lf and its kin print and read long double at double's precision.
 * Plain C and stdio only: tests/unit/dtoa runs this on the host, over
 * glibc's vfprintf and vfscanf.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include "dtoa.h"

int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __real_vfscanf(FILE *f, const char *fmt, va_list ap);
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap___d_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_vfscanf(FILE *f, const char *fmt, va_list ap);

/* Length modifiers. */
enum { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T, LEN_BIG_L };

/* One conversion specification, from after its '%'. */
struct spec {
	unsigned flags;	  /* DTOA_FL_* */
	int width;	  /* -1: none; scanf: the field width */
	int prec;	  /* -1: none */
	bool width_star;  /* printf: '*' */
	bool prec_star;
	bool suppress;	  /* scanf: '*' */
	int len;	  /* LEN_* */
	const char *lenp; /* the length modifier's text, len_n bytes */
	int len_n;
	char conv;	   /* 0: the format ended inside the specification */
	const char *end;   /* after the specification */
	bool positional;   /* a '$': %1$d */
};

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Sets of conversion letters, as bits from 'A': conv_is(c, CONV_INT)
 * instead of a strchr in "diouxX" for each conversion. */
#define CONV_BIT(c) (1ull << ((c) - 'A'))
#define CONV_FLOAT                                                                         \
	(CONV_BIT('e') | CONV_BIT('E') | CONV_BIT('f') | CONV_BIT('F') | CONV_BIT('g') |   \
	 CONV_BIT('G') | CONV_BIT('a') | CONV_BIT('A'))
#define CONV_INT                                                                           \
	(CONV_BIT('d') | CONV_BIT('i') | CONV_BIT('o') | CONV_BIT('u') | CONV_BIT('x') |   \
	 CONV_BIT('X'))
#define CONV_CSP (CONV_BIT('c') | CONV_BIT('s') | CONV_BIT('p'))
#define CONV_LEN                                                                           \
	(CONV_BIT('h') | CONV_BIT('l') | CONV_BIT('j') | CONV_BIT('z') | CONV_BIT('t') |   \
	 CONV_BIT('L'))

static bool conv_is(char c, uint64_t set)
{
	unsigned int i = (unsigned char)c - 'A';

	return i < 64 && (set >> i & 1);
}

static bool is_float_conv(char c)
{
	return conv_is(c, CONV_FLOAT);
}

/* A decimal number, saturating at INT_MAX. */
static int number(const char **p)
{
	long v = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++)
		v = v < INT_MAX ? v * 10 + (**p - '0') : INT_MAX;
	return v > INT_MAX ? INT_MAX : (int)v;
}

static const char *parse_length(const char *p, struct spec *s)
{
	s->lenp = p;
	switch (*p) {
	case 'h':
		s->len = p[1] == 'h' ? LEN_HH : LEN_H;
		break;
	case 'l':
		s->len = p[1] == 'l' ? LEN_LL : LEN_L;
		break;
	case 'j':
		s->len = LEN_J;
		break;
	case 'z':
		s->len = LEN_Z;
		break;
	case 't':
		s->len = LEN_T;
		break;
	case 'L':
		s->len = LEN_BIG_L;
		break;
	default:
		s->len = LEN_NONE;
	}
	s->len_n = s->len == LEN_HH || s->len == LEN_LL ? 2 : s->len != LEN_NONE;
	return p + s->len_n;
}

#define FLAG_BIT(c) (1u << ((c) - ' '))
#define FLAG_SET (FLAG_BIT('-') | FLAG_BIT('+') | FLAG_BIT(' ') | FLAG_BIT('#') | FLAG_BIT('0') | \
		  FLAG_BIT('\''))

/* printf: flags, width, precision, length, conversion. */
static void parse_printf(const char *p, struct spec *s)
{
	static const char flag_chars[] = "-+ #0'"; /* ' (grouping): none in the C locale */
	static const unsigned flag_bits[] = { DTOA_FL_MINUS, DTOA_FL_PLUS, DTOA_FL_SPACE,
					      DTOA_FL_HASH,  DTOA_FL_ZERO, 0 };
	const char *flag;

	*s = (struct spec){ .width = -1, .prec = -1 }; /* not memset: picolibc's is slow */
	/* (the flags are among ' ' to '0': a bit each, from ' ') */
	while ((unsigned char)(*p - ' ') <= '0' - ' ' &&
	       (FLAG_SET >> (*p - ' ') & 1) && (flag = strchr(flag_chars, *p))) {
		s->flags |= flag_bits[flag - flag_chars];
		p++;
	}
	if (*p == '*') {
		s->width_star = true;
		p++;
	} else if (*p >= '0' && *p <= '9') {
		s->width = number(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			s->prec_star = true;
			p++;
		} else {
			s->prec = number(&p);
		}
	}
	if (conv_is(*p, CONV_LEN)) /* (most conversions have no length) */
		p = parse_length(p, s);
	s->positional = *p == '$';
	s->conv = *p;
	s->end = *p ? p + 1 : p;
}

/* scanf: '*', width, length, conversion (a scanset's ']' included). */
static void parse_scanf(const char *p, struct spec *s)
{
	*s = (struct spec){ .width = -1, .prec = -1 };
	if (*p == '*') {
		s->suppress = true;
		p++;
	}
	if (*p >= '0' && *p <= '9')
		s->width = number(&p);
	p = parse_length(p, s);
	s->positional = *p == '$';
	s->conv = *p;
	if (*p == '[') { /* ']' first (after '^') is one of the set */
		p += p[1] == '^' ? 2 : 1;
		if (*p == ']')
			p++;
		while (*p && *p != ']')
			p++;
		if (!*p)
			s->conv = 0;
	}
	s->end = *p ? p + 1 : p;
}

/* Whether the format has a floating-point conversion and none with a
 * position: then this file takes it. */
static bool wants_floats(const char *p, void (*parse)(const char *, struct spec *))
{
	bool floats = false;
	struct spec s;

	while ((p = strchr(p, '%'))) {
		if (p[1] == '%') {
			p += 2;
			continue;
		}
		parse(p + 1, &s);
		if (s.positional)
			return false;
		floats |= is_float_conv(s.conv);
		p = s.end;
	}
	return floats;
}

/* ---- printf ---- */

/* printf's output goes straight into the stream's buffer when the stream
 * is rvOS's stdout or stderr (lib/src/stdio.c lends its free room), else
 * it is gathered in buf and written in pieces of OUT_BUF bytes. */
#define OUT_BUF 256

struct out {
	FILE *f;
	long count; /* characters written */
	bool error;
	bool lent;	     /* [start, end) is the stream's room, not buf */
	char *start, *p, *end; /* the room; p: where the next byte goes */
	char buf[OUT_BUF];
};

/* rvOS's stdout and stderr lend their buffers (lib/src/stdio.c); weak,
 * so that the host's unit test, which has no such streams, links. */
char *rvos_stdio_room(FILE *f, size_t *room) __attribute__((weak));
void rvos_stdio_commit(FILE *f, size_t n) __attribute__((weak));

typedef uint64_t __attribute__((may_alias)) word_t;
#define ONES 0x0101010101010101ull

/* 0x80 in each byte of w that is 0, and maybe in bytes above such a one. */
static uint64_t zero_bytes(uint64_t w)
{
	return (w - ONES) & ~w & (ONES << 7);
}

/* The bytes of s before its first NUL or c, max (> 0) at most. A word at a
 * time: aligned loads never cross a page, so reading the whole word
 * around a byte of s touches nothing s does not own (and the host's
 * sanitizer is told so). */
__attribute__((no_sanitize_address)) static size_t scan(const char *s, char c, size_t max)
{
	const word_t *w = (const word_t *)((uintptr_t)s & ~(uintptr_t)7);
	uint64_t pat = ONES * (unsigned char)c, v, m;
	size_t n;

	/* the bytes before s made 0xff: neither NUL nor c (c is not 0xff),
	 * and no borrow out of them */
	v = *w | ((1ull << ((uintptr_t)s & 7) * 8) - 1);
	while (!(m = zero_bytes(v) | zero_bytes(v ^ pat))) {
		if ((size_t)((const char *)(w + 1) - s) >= max)
			return max;
		v = *++w;
	}
	/* The lowest 0x80 is the first match (a false one only ever comes
	 * above a true one): its byte's index, by a multiply that sums the
	 * constant's bytes from that one up. */
	n = (size_t)((const char *)w - s) + (((m & -m) >> 7) * 0x0001020304050607ull >> 56);
	return n < max ? n : max;
}

/* memcpy, words at a time (picolibc's goes byte by byte): the head that
 * aligns d, then whole words, each built from the two aligned source
 * words it straddles when s is not aligned like d. */
__attribute__((no_sanitize_address)) static void copy(char *d, const char *s, size_t n)
{
	if (n >= 16) {
		unsigned int off, rs, ls;

		for (; (uintptr_t)d & 7; n--)
			*d++ = *s++;
		off = (uintptr_t)s & 7;
		if (!off) {
			for (; n >= 8; n -= 8, d += 8, s += 8)
				*(word_t *)d = *(const word_t *)s;
		} else {
			const word_t *sw = (const word_t *)(s - off);
			uint64_t lo = *sw, hi;

			rs = off * 8;
			ls = 64 - rs;
			for (; n >= 8; n -= 8, d += 8, s += 8, lo = hi) {
				hi = *++sw; /* holds s[7]: within s */
				*(word_t *)d = (lo >> rs) | (hi << ls);
			}
		}
	}
	while (n--)
		*d++ = *s++;
}

static void out_write(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fputc((unsigned char)s[i], o->f) == EOF)
			o->error = true;
}

/* What is in the room to the stream: before anything else writes to it.
 * The next byte takes a new room. */
static void out_flush(struct out *o)
{
	if (o->lent)
		rvos_stdio_commit(o->f, (size_t)(o->p - o->start));
	else
		out_write(o, o->start, (size_t)(o->p - o->start));
	o->start = o->p = o->end = o->buf;
	o->lent = false;
}

/* Room for at least a byte. */
static void out_room(struct out *o)
{
	size_t room;
	char *r;

	out_flush(o);
	if (rvos_stdio_room && (r = rvos_stdio_room(o->f, &room))) {
		o->start = o->p = r;
		o->end = r + room;
		o->lent = true;
	} else {
		o->end = o->buf + OUT_BUF;
	}
}

/* out_put when the room is short: fill it, take another. */
static __attribute__((noinline)) void out_put_more(struct out *o, const char *s, size_t n)
{
	for (;;) {
		size_t k = (size_t)(o->end - o->p);

		if (n <= k) {
			copy(o->p, s, n);
			o->p += n;
			return;
		}
		copy(o->p, s, k);
		o->p += k;
		s += k;
		n -= k;
		out_room(o);
	}
}

static void out_put(void *ctx, const char *s, size_t n)
{
	struct out *o = ctx;
	char *d = o->p;

	o->count += (long)n;
	if (__builtin_expect(n > (size_t)(o->end - d), 0)) {
		out_put_more(o, s, n);
		return;
	}
	o->p = d + n;
	if (n == 1) /* a pad, a digit, a newline: not worth a call */
		*d = *s;
	else
		copy(d, s, n);
}

/* n copies of c (padding), n > 0. */
static __attribute__((noinline)) void out_pad_run(struct out *o, char c, long n)
{
	static const char spaces[] = "                                ";
	static const char zeros[] = "00000000000000000000000000000000";
	const char *run = c == '0' ? zeros : spaces;

	for (; n > 0 && o->count <= INT_MAX; n -= sizeof(spaces) - 1)
		out_put(o, run, n < (long)sizeof(spaces) - 1 ? (size_t)n : sizeof(spaces) - 1);
}

static inline void out_pad(struct out *o, char c, long n)
{
	if (n > 0)
		out_pad_run(o, c, n);
}

/* The same for a number's leading blanks: one (%2d of a digit) without a
 * call. */
static inline void out_pad_blanks(struct out *o, long n)
{
	if (n == 1 && o->p != o->end && o->count <= INT_MAX) {
		*o->p++ = ' ';
		o->count++;
	} else if (n > 0) {
		out_pad_run(o, ' ', n);
	}
}

/* picolibc's vfprintf or vfscanf (fn) with the arguments given here. */
static int call_real(int (*fn)(FILE *, const char *, va_list), FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fn(f, fmt, ap);
	va_end(ap);
	return r;
}

/* n >= 0 in decimal at buf; returns the digits written. */
static int put_decimal(char *buf, int n)
{
	char tmp[12];
	int k = 0, len = 0;

	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		buf[len++] = tmp[--k];
	return len;
}

/* The specification again, '*'s made numbers (a negative width is '-'
 * and its size, a negative precision none). */
static void respell(const struct spec *s, char *buf)
{
	static const char flag_chars[] = "-+ #0";
	int n = 0;

	buf[n++] = '%';
	for (int i = 0; i < 5; i++)
		if (s->flags & (1u << i))
			buf[n++] = flag_chars[i];
	if (s->width >= 0)
		n += put_decimal(buf + n, s->width);
	if (s->prec >= 0) {
		buf[n++] = '.';
		n += put_decimal(buf + n, s->prec);
	}
	for (int i = 0; i < s->len_n; i++)
		buf[n++] = s->lenp[i];
	buf[n++] = s->conv;
	buf[n] = 0;
}

/* The argument of an integer conversion, widened: its magnitude, and
 * whether it is negative (d and i only). */
static unsigned long long int_arg(const struct spec *s, va_list *ap, bool *neg)
{
	long long v;

	*neg = false;
	if (s->conv == 'd' || s->conv == 'i') {
		switch (s->len) {
		case LEN_HH:
			v = (signed char)va_arg(*ap, int);
			break;
		case LEN_H:
			v = (short)va_arg(*ap, int);
			break;
		case LEN_L:
		case LEN_J:
		case LEN_Z:
		case LEN_T:
			v = va_arg(*ap, long);
			break;
		case LEN_LL:
		case LEN_BIG_L:
			v = va_arg(*ap, long long);
			break;
		default:
			v = va_arg(*ap, int);
		}
		*neg = v < 0;
		return *neg ? -(unsigned long long)v : (unsigned long long)v;
	}
	switch (s->len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
	case LEN_J:
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
	case LEN_BIG_L:
		return va_arg(*ap, unsigned long long);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* d i o u x X, as C says: the precision is the fewest digits (a zero
 * with precision 0 prints none), '#' makes o's first digit 0 and puts
 * 0x / 0X before a nonzero x / X, '0' pads after the sign and prefix
 * unless there is a precision, '-' pads on the right. */
static void print_int(struct out *o, const struct spec *s, va_list *ap)
{
	const char *digit = s->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = s->conv == 'o' ? 8 : s->conv == 'x' || s->conv == 'X' ? 16 : 10;
	char digits[24], prefix[2], *d = digits + sizeof(digits);
	int nd, np = 0;
	long zeros, pad;
	bool neg;
	unsigned long long u = int_arg(s, ap, &neg);

	if (neg)
		prefix[np++] = '-';
	else if ((s->conv == 'd' || s->conv == 'i') && (s->flags & (DTOA_FL_PLUS | DTOA_FL_SPACE)))
		prefix[np++] = s->flags & DTOA_FL_PLUS ? '+' : ' ';
	else if (base == 16 && u && (s->flags & DTOA_FL_HASH)) {
		prefix[np++] = '0';
		prefix[np++] = s->conv;
	}
	for (; u; u /= base)
		*--d = digit[u % base];
	nd = (int)(digits + sizeof(digits) - d);
	zeros = (s->prec < 0 ? 1 : s->prec) - nd;
	if (zeros < 0)
		zeros = 0;
	if (base == 8 && (s->flags & DTOA_FL_HASH) && !zeros && (!nd || *d != '0'))
		zeros = 1;
	pad = (long)s->width - np - zeros - nd;
	if (pad > 0 && (s->flags & DTOA_FL_ZERO) && !(s->flags & DTOA_FL_MINUS) && s->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(s->flags & DTOA_FL_MINUS))
		out_pad_blanks(o, pad);
	if (np)
		out_put(o, prefix, (size_t)np);
	out_pad(o, '0', zeros);
	out_put(o, d, (size_t)nd);
	if (s->flags & DTOA_FL_MINUS)
		out_pad(o, ' ', pad);
}

/* c and s without a length modifier (and s of a string that is there):
 * at most the precision's bytes of a string, padded to the width. */
static void print_text(struct out *o, const struct spec *s, const char *text, size_t n)
{
	long pad = (long)s->width - (long)n;

	if (!(s->flags & DTOA_FL_MINUS))
		out_pad(o, ' ', pad);
	out_put(o, text, n);
	if (s->flags & DTOA_FL_MINUS)
		out_pad(o, ' ', pad);
}

/* One integer, character, string or pointer conversion, by picolibc. */
static int print_other(FILE *f, const struct spec *s, va_list *ap)
{
	bool is_signed = s->conv == 'd' || s->conv == 'i';
	char buf[48];

	respell(s, buf);
	if (strchr("sp", s->conv))
		return call_real(__real_vfprintf, f, buf, va_arg(*ap, void *));
	if (s->conv == 'c')
		return call_real(__real_vfprintf, f, buf, va_arg(*ap, int));
	switch (s->len) {
	case LEN_L:
	case LEN_J:
	case LEN_Z:
	case LEN_T:
		/* intmax_t, size_t and ptrdiff_t are long on RISC-V's LP64
		 * (and on the host's) */
		_Static_assert(sizeof(intmax_t) == sizeof(long) && sizeof(size_t) == sizeof(long) &&
				       sizeof(ptrdiff_t) == sizeof(long),
			       "j, z and t arguments are read as long");
		return is_signed ? call_real(__real_vfprintf, f, buf, va_arg(*ap, long)) :
				   call_real(__real_vfprintf, f, buf, va_arg(*ap, unsigned long));
	case LEN_LL:
	case LEN_BIG_L: /* picolibc's alias of ll */
		return is_signed ? call_real(__real_vfprintf, f, buf, va_arg(*ap, long long)) :
				   call_real(__real_vfprintf, f, buf, va_arg(*ap, unsigned long long));
	default:
		return is_signed ? call_real(__real_vfprintf, f, buf, va_arg(*ap, int)) :
				   call_real(__real_vfprintf, f, buf, va_arg(*ap, unsigned int));
	}
}

/* %n: the count so far, into the argument's type. */
static void store_count(const struct spec *s, void *p, long count)
{
	switch (s->len) {
	case LEN_HH:
		*(signed char *)p = (signed char)count;
		break;
	case LEN_H:
		*(short *)p = (short)count;
		break;
	case LEN_L:
	case LEN_J:
	case LEN_Z:
	case LEN_T:
		*(long *)p = count;
		break;
	case LEN_LL:
	case LEN_BIG_L: /* picolibc's alias of ll */
		*(long long *)p = count;
		break;
	default:
		*(int *)p = (int)count;
	}
}

static void print_float(struct out *o, const struct spec *s, va_list *ap)
{
	struct dtoa_spec ds = { .flags = s->flags, .width = s->width, .prec = s->prec,
				.conv = s->conv };
	struct dtoa_out out = { out_put, o };
	double v = s->len == LEN_BIG_L ? (double)va_arg(*ap, long double) : va_arg(*ap, double);

	if (ds.width < 0)
		ds.width = 0;
	if (dtoa_format(&ds, v, &out) < 0)
		o->count = (long)INT_MAX + 1; /* too long: EOVERFLOW below */
}

static int print_all(FILE *f, const char *fmt, va_list args)
{
	struct out o; /* not an initializer: that would clear buf */
	size_t room;
	const char *p = fmt, *pct;
	struct spec s;
	va_list ap; /* a copy, whose address can be passed on (va_list may be an array) */
	int r;

	o.f = f;
	o.count = 0;
	o.error = false;
	o.lent = false;
	o.start = o.p = o.buf;
	o.end = o.buf + OUT_BUF;
	if (rvos_stdio_room && (o.p = rvos_stdio_room(f, &room))) {
		o.start = o.p;
		o.end = o.p + room;
		o.lent = true;
	} else {
		o.p = o.buf;
	}
	va_copy(ap, args);
	while (*p && o.count <= INT_MAX) {
		/* (text of one byte, "\n" or a blank between conversions: no scan) */
		size_t lit = *p == '%' ? 0 : p[1] == '%' || !p[1] ? 1 : scan(p, '%', SIZE_MAX);

		out_put(&o, p, lit);
		pct = p + lit;
		if (!*pct)
			break;
		parse_printf(pct + 1, &s);
		p = s.end;
		if (s.width_star) {
			s.width = va_arg(ap, int);
			if (s.width < 0) {
				s.flags |= DTOA_FL_MINUS;
				s.width = s.width == INT_MIN ? INT_MAX : -s.width;
			}
		}
		if (s.prec_star) {
			s.prec = va_arg(ap, int);
			s.prec = s.prec < 0 ? -1 : s.prec;
		}
		if (s.positional) {
			/* %1$d: positions count from the first argument and
			 * every conversion has one (POSIX), so this is the
			 * first: picolibc takes the rest of the format */
			s.conv = 0;
		}
		if (is_float_conv(s.conv)) {
			print_float(&o, &s, &ap);
		} else if (conv_is(s.conv, CONV_INT)) {
			print_int(&o, &s, &ap);
		} else if (s.conv == 'c' && s.len == LEN_NONE) {
			char c = (char)va_arg(ap, int);

			print_text(&o, &s, &c, 1);
		} else if (s.conv == 's' && s.len == LEN_NONE) {
			const char *text = va_arg(ap, const char *);

			if (text) {
				/* (%.0s: text need not point at a byte) */
				size_t n = !s.prec ? 0 :
					   scan(text, 0, s.prec < 0 ? SIZE_MAX : (size_t)s.prec);

				if ((long)s.width <= (long)n) /* no pad (most often no width) */
					out_put(&o, text, n);
				else
					print_text(&o, &s, text, n);
			} else { /* picolibc's spelling of a null string */
				char spec[48];

				out_flush(&o);
				respell(&s, spec);
				r = call_real(__real_vfprintf, f, spec, text);
				if (r < 0)
					o.error = true;
				else
					o.count += r;
			}
		} else if (s.conv == '%') {
			out_put(&o, "%", 1);
		} else if (s.conv == 'n') {
			store_count(&s, va_arg(ap, void *), o.count);
		} else if (conv_is(s.conv, CONV_CSP)) {
			/* %p, %lc, %ls: picolibc's spelling */
			out_flush(&o);
			r = print_other(f, &s, &ap);
			if (r < 0)
				o.error = true;
			else
				o.count += r;
		} else { /* not known here: picolibc has the rest */
			out_flush(&o);
			r = __real_vfprintf(f, pct, ap);
			if (r < 0)
				o.error = true;
			else
				o.count += r;
			break;
		}
	}
	/* out_flush's work, o not used again */
	if (o.lent)
		rvos_stdio_commit(f, (size_t)(o.p - o.start));
	else
		out_write(&o, o.start, (size_t)(o.p - o.start));
	va_end(ap);
	if (o.count > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return o.error ? EOF : (int)o.count;
}

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	return print_all(f, fmt, ap);
}

/* gcvt, strfromd... call picolibc's double printf by this name. */
int __wrap___d_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	return __wrap_vfprintf(f, fmt, ap);
}

/* ---- scanf ---- */

struct in {
	FILE *f;
	long count; /* characters read */
};

static int in_get(struct in *in)
{
	int c = getc(in->f);

	in->count += c != EOF;
	return c;
}

static void in_unget(struct in *in, int c)
{
	if (c != EOF) {
		ungetc(c, in->f);
		in->count--;
	}
}

/* Blanks; returns the first other character (read), or EOF. */
static int skip_blanks(struct in *in)
{
	int c;

	while (is_space(c = in_get(in)))
		;
	return c;
}

enum { SCAN_OK, SCAN_MATCH_FAIL, SCAN_INPUT_FAIL };

/* %e %f %g %a: the longest prefix of a number (at most width
 * characters), converted as far as it is valid. */
static int scan_float(struct in *in, const struct spec *s, va_list *ap)
{
	struct dtoa_scan sc;
	long taken = 0, width = s->width > 0 ? s->width : LONG_MAX;
	int c = skip_blanks(in);
	bool range;

	if (c == EOF)
		return SCAN_INPUT_FAIL;
	dtoa_scan_init(&sc);
	sc.bare_nan = true;
	for (;;) {
		if (taken >= width || c == EOF || !dtoa_scan_char(&sc, c)) {
			in_unget(in, c);
			break;
		}
		taken++;
		c = in_get(in);
	}
	if (!dtoa_scan_scanf_ok(&sc))
		return SCAN_MATCH_FAIL;
	if (s->suppress)
		return SCAN_OK;
	if (s->len == LEN_L)
		*va_arg(*ap, double *) = dtoa_scan_double(&sc, &range);
	else if (s->len == LEN_BIG_L)
		*va_arg(*ap, long double *) = dtoa_scan_double(&sc, &range);
	else
		*va_arg(*ap, float *) = dtoa_scan_float(&sc, &range);
	return SCAN_OK;
}

/* Another conversion, by picolibc, with a %n after it for what it read. */
static int scan_other(struct in *in, const struct spec *s, const char *pct, va_list *ap)
{
	char buf[256];
	size_t n = (size_t)(s->end - pct);
	int got = -1, r;

	if (n + 3 > sizeof(buf))
		return -1; /* a scanset this long: picolibc takes the rest */
	memcpy(buf, pct, n);
	memcpy(buf + n, "%n", 3);
	r = s->suppress ? call_real(__real_vfscanf, in->f, buf, &got) :
			  call_real(__real_vfscanf, in->f, buf, va_arg(*ap, void *), &got);
	if (r == EOF)
		return SCAN_INPUT_FAIL;
	if (got < 0)
		return SCAN_MATCH_FAIL;
	in->count += got;
	return SCAN_OK;
}

/* One literal character of the format ('%' for %%, after blanks). */
static int scan_literal(struct in *in, char want)
{
	int c = want == '%' ? skip_blanks(in) : in_get(in);

	if (c == EOF)
		return SCAN_INPUT_FAIL;
	if (c != want) {
		in_unget(in, c);
		return SCAN_MATCH_FAIL;
	}
	return SCAN_OK;
}

static int scan_all(FILE *f, const char *fmt, va_list args)
{
	struct in in = { f, 0 };
	int assigned = 0, st = SCAN_OK, r;
	bool converted = false; /* a conversion completed (assigned or not) */
	const char *p = fmt;
	struct spec s;
	va_list ap; /* a copy, whose address can be passed on */

	va_copy(ap, args);
	while (*p && st == SCAN_OK) {
		if (is_space((unsigned char)*p)) {
			while (is_space((unsigned char)*p))
				p++;
			in_unget(&in, skip_blanks(&in));
			continue;
		}
		if (*p != '%' || p[1] == '%') {
			st = scan_literal(&in, *p);
			p += *p == '%' ? 2 : 1;
			continue;
		}
		parse_scanf(p + 1, &s);
		if (is_float_conv(s.conv)) {
			st = scan_float(&in, &s, &ap);
		} else if (s.conv == 'n') {
			if (!s.suppress)
				store_count(&s, va_arg(ap, void *), in.count);
			p = s.end;
			continue;
		} else if (s.conv && strchr("diouxXcsp[", s.conv)) {
			st = scan_other(&in, &s, p, &ap);
		} else {
			st = -1;
		}
		if (st < 0) { /* not known here: picolibc has the rest */
			r = __real_vfscanf(f, p, ap);
			va_end(ap);
			if (r == EOF)
				return converted ? assigned : EOF;
			return assigned + r;
		}
		if (st == SCAN_OK) {
			converted = true;
			assigned += !s.suppress;
		}
		p = s.end;
	}
	va_end(ap);
	if (st == SCAN_INPUT_FAIL && !converted)
		return EOF;
	return assigned;
}

int __wrap_vfscanf(FILE *f, const char *fmt, va_list ap)
{
	if (!wants_floats(fmt, parse_scanf))
		return __real_vfscanf(f, fmt, ap);
	return scan_all(f, fmt, ap);
}
