/* SPDX-License-Identifier: Apache-2.0 */
/*
 * printf's and scanf's wrappers (lib/src/stdio_float.c) on the host, with
 * glibc's vfprintf and vfscanf as the "real" ones they hand the other
 * conversions to (on rvOS: picolibc's): whole formats that mix text,
 * %d %ld %lld %hhd %zu %x %o %c %s %p %% %n, '*' widths and precisions
 * (negative too), unknown conversions, and the floating-point ones with
 * every flag, must print exactly what glibc's vfprintf prints and return
 * the same count; scanf formats with %f %lf %Lf %e %g %a, widths, '*',
 * %n, %%, literals, scansets and failures (matching, end of input) must
 * assign the same values and return the same as glibc's vfscanf. (Not
 * compared: "0x.", which glibc reads as 0 though "0x" is a matching
 * failure, and rvOS fails both; %#g, where glibc 2.36 has a bug that
 * test_dtoa.c describes.)
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "unittest.h"
#include "../../user/common/splitmix.h"

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_vfscanf(FILE *f, const char *fmt, va_list ap);

int __real_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	return vfprintf(f, fmt, ap);
}

int __real_vfscanf(FILE *f, const char *fmt, va_list ap)
{
	return vfscanf(f, fmt, ap);
}

static unsigned long shown;

/* fmt with its arguments, through __wrap_vfprintf and through glibc. */
static void check_printf(const char *fmt, ...)
{
	char want[2048], *got = NULL;
	size_t got_len = 0;
	va_list a, b;
	int wn, gn;
	FILE *f = open_memstream(&got, &got_len);

	va_start(a, fmt);
	va_copy(b, a);
	wn = vsnprintf(want, sizeof(want), fmt, a);
	gn = __wrap_vfprintf(f, fmt, b);
	va_end(b);
	va_end(a);
	fclose(f);
	ut_checks++;
	if (gn != wn || strcmp(got, want) != 0) {
		ut_failed++;
		if (shown++ < 20)
			fprintf(stderr, "[%s] FAILED: format \"%s\":\n  ours:  %d \"%s\"\n  glibc: %d \"%s\"\n",
				ut_current, fmt, gn, got, wn, want);
	}
	free(got);
}

static void ours_printf(const char *fmt, ...)
{
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	va_list ap;

	va_start(ap, fmt);
	__wrap_vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	free(got);
}

static double any_double(void)
{
	double d = from_bits(splitmix_next());

	if (splitmix_next() % 3 == 0)
		d = (double)(int)(splitmix_next() % 20001 - 10000) / 64;
	return isfinite(d) ? d : 1.5;
}

static void test_printf_mixed(void)
{
	signed char hh = 0, hh_b = 1;
	long long ll = 0, ll_b = 1;

	for (int i = 0; i < 20000; i++) {
		double x = any_double(), y = any_double();
		int w = (int)(splitmix_next() % 30) - 10, p = (int)(splitmix_next() % 30) - 5;
		long l = (long)splitmix_next();

		check_printf("%d %f|%s|%.17g", (int)splitmix_next(), x, "str", y);
		check_printf("x=%*.*e y=%-*g%%", w, p, x, w, y);
		check_printf("%ld %lld %hhd %hd %zu %x %o %X %c %5.2s %p", l, (long long)splitmix_next(),
			     (int)splitmix_next(), (int)splitmix_next(), (size_t)splitmix_next(), (unsigned)splitmix_next(),
			     (unsigned)splitmix_next(), (unsigned)splitmix_next(), 'A' + (int)(splitmix_next() % 26), "abcdef",
			     (void *)(uintptr_t)splitmix_next());
		check_printf("%+08.3f %#x % .0e %-12a|%A", x, (unsigned)splitmix_next(), y, x, y);
		check_printf("%#.*e %.*f %*d", p, x, p, y, w, (int)splitmix_next());
		check_printf("%Lf %Le %.3Lg", (long double)x, (long double)y, (long double)x);
		check_printf("%jd %td %zd %lu %llx", (intmax_t)splitmix_next(), (ptrdiff_t)splitmix_next(),
			     (ssize_t)splitmix_next(), (unsigned long)splitmix_next(), (unsigned long long)splitmix_next());
		check_printf("%.0f%.1f%.2f%.3f", x, x, x, x);
	}
	/* %n in every size, after floats: the same counts as glibc's */
	{
		int n_a = -1, n_b = -2;
		short h_a = -1, h_b = -2;
		long l_a = -1, l_b = -2;
		char buf[200];

		ours_printf("%f%n %e%hhn %g%lln|%a%hn%ln", 1.5, &n_a, 2.5, &hh, 3.5, &ll, 0.5, &h_a,
			    &l_a);
		snprintf(buf, sizeof(buf), "%f%n %e%hhn %g%lln|%a%hn%ln", 1.5, &n_b, 2.5, &hh_b,
			 3.5, &ll_b, 0.5, &h_b, &l_b);
		CHECK_EQ_INT(n_a, n_b);
		CHECK_EQ_INT(hh, hh_b);
		CHECK_EQ_INT(ll, ll_b);
		CHECK_EQ_INT(h_a, h_b);
		CHECK_EQ_INT(l_a, l_b);
	}
	/* an unknown conversion: glibc ("the real one") gets the rest */
	check_printf("%f %m %d", 1.0, 7);
	check_printf("%.3f %", 2.0);
	check_printf("no floats %d %s", 5, "here");
	check_printf("%%f %%|%f", 0.25);
}

/* A value with a random number of significant bits (0 and all-ones
 * included), so that every width of digits comes up. */
static unsigned long long any_bits(void)
{
	unsigned bits = (unsigned)(splitmix_next() % 65);

	return bits == 64 ? splitmix_next() : splitmix_next() & ((1ull << bits) - 1);
}

/* One integer conversion with random flags, width, precision (given,
 * '*' or none) and length: d i o u x X, each as glibc prints it. */
static void check_int_random(void)
{
	static const char *const lens[] = { "hh", "h", "", "l", "ll", "j", "z", "t" };
	static const char convs[] = "dioux X";
	char fmt[40], *f = fmt;
	const char *len = lens[splitmix_next() % 8];
	char conv = convs[splitmix_next() % 7];
	int star_w = 0, star_p = 0, w = (int)(splitmix_next() % 50) - 25,
	    p = (int)(splitmix_next() % 30) - 5;
	unsigned long long v = any_bits();

	if (conv == ' ')
		conv = 'x';
	*f++ = '[';
	*f++ = '%';
	for (const char *fl = "-+ #0"; *fl; fl++)
		if (splitmix_next() % 3 == 0)
			*f++ = *fl;
	switch (splitmix_next() % 3) {
	case 0:
		f += sprintf(f, "%d", w < 0 ? -w : w);
		break;
	case 1:
		*f++ = '*';
		star_w = 1;
		break;
	}
	switch (splitmix_next() % 3) {
	case 0:
		f += sprintf(f, ".%d", p < 0 ? 0 : p);
		break;
	case 1:
		f += sprintf(f, ".*");
		star_p = 1;
		break;
	}
	f += sprintf(f, "%s%c]", len, conv);
	/* the argument as the length says (a long long is read as one) */
	if (star_w && star_p)
		check_printf(fmt, w, p, v);
	else if (star_w)
		check_printf(fmt, w, v);
	else if (star_p)
		check_printf(fmt, p, v);
	else
		check_printf(fmt, v);
	if (!*len && !star_w && !star_p) /* an int argument exactly */
		check_printf(fmt, (int)v);
}

static void test_printf_integers(void)
{
	static const char *const texts[] = { "", "a", "hello", "a longer string, with commas" };

	for (int i = 0; i < 200000; i++)
		check_int_random();
	/* the edges, written out */
	check_printf("%d %d %i %u %u", INT_MIN, INT_MAX, -1, 0u, UINT_MAX);
	check_printf("%ld %ld %lu %lld %llu", LONG_MIN, LONG_MAX, ULONG_MAX, LLONG_MIN, ULLONG_MAX);
	check_printf("%hhd %hhu %hd %hu", 200, 300, 40000, 70000);
	check_printf("[%.0d] [%.0x] [%#.0o] [%#o] [%#x] [%#X] [%+.0d] [% .0d]", 0, 0u, 0u, 0u, 0u, 0u, 0, 0);
	check_printf("[%#5.3o] [%#.3o] [%#o] [%-#8x|] [%08.3d] [%-08d|] [%+05d] [% 05d]", 8u, 0777u, 8u,
		     255u, -7, -7, 7, 7);
	check_printf("[%*d] [%-*d] [%.*d] [%*.*x]", -6, 42, 6, 42, -3, 42, 10, 4, 255u);
	/* %c and %s: width, precision, '-' */
	for (int i = 0; i < 20000; i++) {
		const char *t = texts[splitmix_next() % 4];
		int w = (int)(splitmix_next() % 40) - 20, p = (int)(splitmix_next() % 40) - 10;
		char c = (char)(' ' + splitmix_next() % 95);

		check_printf("[%*s] [%.*s] [%-*.*s] [%*c] [%-3c] [%c]", w, t, p, t, w, p, t, w, c, c, c);
	}
	/* text longer than printf's gathering buffer, in and around conversions */
	{
		char big[1000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		check_printf("%s|%d|%s%s", big, 5, big + 500, big + 900);
		check_printf("%600d|%-700s|%300.200x", -1, "y", 0xabcu);
		/* a number's one-blank pad (%2d of a digit: put without a
		 * call) and a string with no pad (no call of print_text),
		 * with the buffer's room ending before, at and after them */
		for (int k = 248; k <= 264; k++)
			check_printf("%.*s%2d|%-2d|%3d|%s|%1s|%-1s", k, big, 7, 8, 9, "yz", "w", "v");
	}
	/* positional arguments: glibc ("the real one") takes the format */
	check_printf("%2$s %1$d", 7, "seven");
}

/* ---- scanf ---- */

/* input through fmt into the pointers, by fn: the wrapper or glibc's. */
static int scan_with(int (*fn)(FILE *, const char *, va_list), const char *input,
		     const char *fmt, ...)
{
	FILE *f = fmemopen((void *)input, strlen(input) + 1, "r");
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fn(f, fmt, ap);
	va_end(ap);
	fclose(f);
	return r;
}

/* fmemopen's size includes the NUL, which reads as a character: inputs
 * here end with a blank or a character no format wants, like a line. */
struct vals {
	double d1, d2;
	float f1;
	long double ld;
	int i1, n1, n2;
	char s[32];
};

static bool same_ld(long double x, long double y)
{
	return (isnan(x) && isnan(y)) || x == y;
}

static void scan_compare(const char *input, const char *fmt, int r_ours, int r_glibc,
			 const struct vals *a, const struct vals *b)
{
	ut_checks++;
	if (r_ours != r_glibc || memcmp(&a->d1, &b->d1, sizeof(double)) ||
	    memcmp(&a->d2, &b->d2, sizeof(double)) || memcmp(&a->f1, &b->f1, sizeof(float)) ||
	    !same_ld(a->ld, b->ld == -1 ? -1 : (long double)strtod(input, NULL)) || a->i1 != b->i1 || a->n1 != b->n1 || a->n2 != b->n2 ||
	    strcmp(a->s, b->s)) {
		ut_failed++;
		if (shown++ < 40)
			fprintf(stderr,
				"[%s] FAILED: \"%s\" with \"%s\":\n  ours:  %d %a %a %a %Lg %d %d %d "
				"\"%s\"\n  glibc: %d %a %a %a %Lg %d %d %d \"%s\"\n",
				ut_current, input, fmt, r_ours, a->d1, a->d2, a->f1, a->ld, a->i1,
				a->n1, a->n2, a->s, r_glibc, b->d1, b->d2, b->f1, b->ld, b->i1, b->n1,
				b->n2, b->s);
	}
}

#define SCAN(input, fmt, ...)                                                          \
	do {                                                                           \
		struct vals a = { -1, -1, -1, -1, -1, -1, -1, "-" }, b = a, *v = &a;   \
		int ra = scan_with(__wrap_vfscanf, input, fmt, __VA_ARGS__);                          \
		v = &b;                                                                \
		int rb = scan_with(vfscanf, input, fmt, __VA_ARGS__);                         \
		scan_compare(input, fmt, ra, rb, &a, &b);                              \
	} while (0)

static void test_scanf(void)
{
	static const char *const inputs[] = {
		"1.5 ", "-0.1e-3x", "  3.14159 2.71828 ", "1e+x ", "100ergs ", "0x1.8p1z",
		"infinity nan ", "inf ", "-nan(abc) ", "nan( ", "12345.678 ", ".5 ", "x ", "",
		"  ", "nan(abc)z ", "nan( ", "infinx ", "infinityx ", "0x1p ", "0x1p-x ",
		"1.7976931348623159e308 ", "4.9e-324 ", "2.2250738585072011e-308 ",
		"9007199254740993.000000000000000000000000001 ", "0.1 0.2 ", "7 8.5 abc ",
		"1.000000000000000111022302462515654042363166809082031250000000000001 ",
		"12%34 ", "5,6 ", "0x ", "1e ", "-.e1 ", "+ ", "123456789012345678901234567890 ",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		const char *in = inputs[i];

		SCAN(in, "%lf", &v->d1);
		SCAN(in, "%f", &v->f1);
		SCAN(in, "%Le", &v->ld); /* glibc's exact long double, ours via double */
		SCAN(in, "%le%lg", &v->d1, &v->d2);
		SCAN(in, "%3lf%lf", &v->d1, &v->d2);
		SCAN(in, "%*lf %lf%n", &v->d1, &v->n1);
		SCAN(in, "%d%lf%n %31s", &v->i1, &v->d1, &v->n1, v->s);
		SCAN(in, "%lf%%%d", &v->d1, &v->i1);
		SCAN(in, "%lf,%lf", &v->d1, &v->d2);
		SCAN(in, "%n%la %n", &v->n1, &v->d1, &v->n2);
		SCAN(in, "%31[0-9.]%lf", v->s, &v->d1);
		SCAN(in, " %lf e%d", &v->d1, &v->i1);
		SCAN(in, "%5s%lf", v->s, &v->d1);
		SCAN(in, "%c%lf%c", v->s, &v->d1, v->s + 1);
	}
	for (int i = 0; i < 100000; i++) { /* %.17g of random doubles, read back */
		char buf[64];
		double d = any_double();

		snprintf(buf, sizeof(buf), "%.17g %d ", d, (int)(splitmix_next() % 1000));
		double back = 0;
		int k = 0;

		SCAN(buf, "%lf%d", &v->d1, &v->i1);
		CHECK(scan_with(__wrap_vfscanf, buf, "%lf%d", &back, &k) == 2 && back == d);
		if (i % 8 == 0)
			SCAN(buf, "%g %n", &v->f1, &v->n1);
	}
}

/* Literal text and %s, which the formatter scans and copies a word at a
 * time: every length to 40 at every alignment, in the format and in the
 * argument; precisions short of, at and past a string's end, and over an
 * array with no NUL (%.*s may not read past the precision); widths both
 * ways; output longer than the formatter's 256-byte buffer. */
static void test_printf_text(void)
{
	static const char text[] = "the quick brown fox jumps over the lazy dog %d 0123456789";
	char fmt[128] __attribute__((aligned(8))), arg[64] __attribute__((aligned(8)));
	char big[1200];

	for (int off = 0; off < 8; off++) {
		for (int len = 0; len <= 40; len++) {
			char *f = fmt + off, *a = arg + off, *nonul = malloc(len ? (size_t)len : 1);

			/* text, a conversion, text: the '%' anywhere in a word */
			memcpy(f, text, (size_t)len);
			strcpy(f + len, "%d|");
			memcpy(f + len + 3, text + 4, (size_t)len);
			f[2 * len + 3] = 0;
			check_printf(f, len, len);
			memcpy(a, text, (size_t)len);
			a[len] = 0;
			check_printf("[%s]", a);
			check_printf("%s", a);
			for (int p = 0; p <= len + 9; p += 3)
				check_printf("[%.*s|%.*s]", p, a, len - p, a);
			check_printf("[%*s][%-*s][%*.*s]", len + 3, a, len / 2 + 1, a, len + 2, len / 2, a);
			memcpy(nonul, text, (size_t)len);
			check_printf("<%.*s>", len, nonul);
			free(nonul);
		}
	}
	for (int i = 0; i < (int)sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof(big) - 1] = 0;
	check_printf("%s", big + 300);
	check_printf("x%.*sy%s|%d", 700, big, big + 1000, 42);
	check_printf("%*s|%-600s|", 900, "r", "l");
	check_printf(big + 400); /* a long format with no conversion */
	/* %.0s: nothing of the string (one byte, no NUL) */
	check_printf("[%.0s|%5.0s|%-3.0s]", big, big, big);
	big[0] = 'x';
	check_printf("[%.0s|%.1s]", &big[0], &big[0]);
}

int main(void)
{
	splitmix_state = 12345; /* the cases repeat */
	RUN(test_printf_mixed);
	RUN(test_printf_integers);
	RUN(test_printf_text);
	RUN(test_scanf);
	return ut_summary("stdio_float");
}
