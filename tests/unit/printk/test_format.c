// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for the kernel format engine (kernel/format.c).
 *
 * Two kinds of checks: hand-written expectations for the rvOS-specific parts
 * (%p, NULL strings, unknown conversions) and edge values, plus a sweep that
 * compares integer, string and character conversions with the host libc over
 * every combination of flags, width, precision and length modifier, since
 * glibc's output for those is the C99 behaviour we promise.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/format.h>

#include "unittest.h"

/* Format with the engine and compare output and return value with expected. */
#define EXPECT(expected, ...)                                                             \
	do {                                                                              \
		char _buf[256];                                                           \
		int _n = fmt_snprintf(_buf, sizeof(_buf), __VA_ARGS__);                   \
		CHECK_EQ_STR(_buf, expected);                                             \
		CHECK_EQ_INT(_n, (int)strlen(expected));                                  \
	} while (0)

static void test_basic(void)
{
	EXPECT("", "%s", "");
	EXPECT("hello", "hello");
	EXPECT("a1b", "a%db", 1);
	EXPECT("-42 42 2a 2A 52", "%d %u %x %X %o", -42, 42u, 42u, 42u, 42u);
	EXPECT("7", "%i", 7);
	EXPECT("x", "%c", 'x');
	EXPECT("100%", "%d%%", 100);
	EXPECT("str", "%s", "str");
	EXPECT("[  abc]", "[%5s]", "abc");
	EXPECT("[abc  ]", "[%-5s]", "abc");
	EXPECT("[ab]", "[%.2s]", "abc");
	EXPECT("[    x]", "[%5c]", 'x');
	EXPECT("[x    ]", "[%-5c]", 'x');
}

static void test_edges(void)
{
	EXPECT("-2147483648", "%d", INT_MIN);
	EXPECT("2147483647", "%d", INT_MAX);
	EXPECT("4294967295", "%u", UINT_MAX);
	EXPECT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT("-9223372036854775808", "%ld", (long)INT64_MIN);
	EXPECT("9223372036854775807", "%lli", (long long)INT64_MAX);
	EXPECT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	EXPECT("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
	EXPECT("1777777777777777777777", "%llo", (unsigned long long)UINT64_MAX);
	EXPECT("18446744073709551615", "%zu", SIZE_MAX);
	EXPECT("-1", "%zd", (ptrdiff_t)-1);
	EXPECT("-128", "%hhd", 128);
	EXPECT("5", "%hhu", 261);
	EXPECT("-1", "%hd", 65535);
	EXPECT("2345", "%hx", 0x12345);
	/* Zero with precision 0 has no digits; '#' keeps octal's 0 but not 0x. */
	EXPECT("", "%.0d", 0);
	EXPECT("[   ]", "[%3.0u]", 0u);
	EXPECT("0", "%#.0o", 0u);
	EXPECT("0", "%#x", 0u);
	EXPECT("", "%#.0x", 0u);
	EXPECT("0x1f", "%#x", 0x1fu);
	EXPECT("0X1F", "%#X", 0x1fu);
	EXPECT("017", "%#o", 15u);
	EXPECT("0x0001f", "%#07x", 0x1fu);
	EXPECT("+5 -5  5", "%+d %+d % d", 5, -5, 5);
	EXPECT("-0005", "%05d", -5);
	EXPECT("  -0005", "%7.4d", -5);
	EXPECT("   42", "%5.0d", 42);
}

static void test_star(void)
{
	EXPECT("[   42]", "[%*d]", 5, 42);
	EXPECT("[42   ]", "[%*d]", -5, 42);
	EXPECT("[00042]", "[%.*d]", 5, 42);
	EXPECT("[42]", "[%.*d]", -1, 42);
	EXPECT("[  00042]", "[%*.*d]", 7, 5, 42);
	EXPECT("[ab]", "[%.*s]", 2, "abcdef");
	EXPECT("[abcdef]", "[%.*s]", -3, "abcdef");
}

static void test_pointer(void)
{
	EXPECT("0x0000000000000000", "%p", (void *)0);
	EXPECT("0x0000000000001234", "%p", (void *)0x1234);
	EXPECT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	EXPECT("0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
	EXPECT("[  0x0000000000000010]", "[%20p]", (void *)0x10);
	EXPECT("[0x0000000000000010  ]", "[%-20p]", (void *)0x10);
}

/* Deliberately malformed formats: the compiler would rightly reject these. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_unknown(void)
{
	EXPECT("%q", "%q");
	EXPECT("a%qb", "a%qb");
	EXPECT("%-5q", "%-5q");
	EXPECT("%lq 7", "%lq %d", 7);
	EXPECT("%", "%");
	EXPECT("abc%", "abc%");
	EXPECT("%5", "%5");
	EXPECT("%-0+ #12.5ll", "%-0+ #12.5ll");
	EXPECT("%n", "%n", (int *)NULL);
	EXPECT("%", "%5%");
	EXPECT("", "");
	/* '*' consumes its argument even in an unknown directive. */
	EXPECT("%*q 9", "%*q %d", 3, 9);
	EXPECT("-5   |", "%-05d|", -5);
}

static void test_null_string(void)
{
	EXPECT("(null)", "%s", (char *)NULL);
	EXPECT("[  (null)]", "[%8s]", (char *)NULL);
	EXPECT("(nu", "%.3s", (char *)NULL);
}
#pragma GCC diagnostic pop

static void test_snprintf_bounds(void)
{
	char buf[16];
	int n;

	n = fmt_snprintf(NULL, 0, "hello %d", 12345);
	CHECK_EQ_INT(n, 11);

	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, 0, "hello");
	CHECK_EQ_INT(n, 5);
	CHECK(buf[0] == 'Z');

	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, 1, "hello");
	CHECK_EQ_INT(n, 5);
	CHECK(buf[0] == '\0' && buf[1] == 'Z');

	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, 5, "hello world");
	CHECK_EQ_INT(n, 11);
	CHECK_EQ_STR(buf, "hell");
	CHECK(buf[5] == 'Z');

	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, 6, "hello");
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_STR(buf, "hello");
	CHECK(buf[6] == 'Z');

	memset(buf, 'Z', sizeof(buf));
	n = fmt_snprintf(buf, 5, "hello");
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_STR(buf, "hell");
}

/* %.Ns must not read beyond N bytes: ASan watches this exact-size buffer. */
static void test_unterminated_string(void)
{
	char *s = malloc(3);
	char buf[8];

	memcpy(s, "abc", 3);
	CHECK_EQ_INT(fmt_snprintf(buf, sizeof(buf), "%.3s|", s), 4);
	CHECK_EQ_STR(buf, "abc|");
	CHECK_EQ_INT(fmt_snprintf(buf, sizeof(buf), "%.*s|", 2, s), 3);
	CHECK_EQ_STR(buf, "ab|");
	free(s);
}

struct counter {
	int calls;
	char last;
};

static void count_out(void *ctx, char c)
{
	struct counter *cnt = ctx;

	cnt->calls++;
	cnt->last = c;
}

static int vformat_count(struct counter *cnt, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(count_out, cnt, fmt, ap);
	va_end(ap);
	return n;
}

static void test_vformat_sink(void)
{
	struct counter cnt = { 0, 0 };
	int n = vformat_count(&cnt, "%s=%08x!", "reg", 0xbeefu);

	CHECK_EQ_INT(n, 13);
	CHECK_EQ_INT(cnt.calls, 13);
	CHECK(cnt.last == '!');

	/* Large widths are emitted in full and counted exactly. */
	cnt.calls = 0;
	n = vformat_count(&cnt, "%*d", 100000, 1);
	CHECK_EQ_INT(n, 100000);
	CHECK_EQ_INT(cnt.calls, 100000);
}

/* ---- Sweep against the host libc ---- */

static unsigned long libc_mismatches;

static void compare(const char *fmt, int want_n, const char *want, int got_n, const char *got)
{
	if (!CHECK(want_n == got_n && strcmp(want, got) == 0)) {
		if (libc_mismatches++ < 20)
			fprintf(stderr, "  fmt \"%s\": libc \"%s\" (%d), fmt \"%s\" (%d)\n", fmt,
				want, want_n, got, got_n);
	}
}

enum lenmod { L_HH, L_H, L_NONE, L_L, L_LL, L_Z, L_COUNT };
static const char *const len_str[L_COUNT] = { "hh", "h", "", "l", "ll", "z" };

static void compare_int(const char *fmt, enum lenmod len, char conv, int64_t v)
{
	char want[160], got[160];
	int wn, gn;
	bool is_signed = conv == 'd' || conv == 'i';

/* Pass the same value with the type the length modifier calls for. */
#define BOTH(arg)                                                \
	do {                                                     \
		wn = snprintf(want, sizeof(want), fmt, arg);      \
		gn = fmt_snprintf(got, sizeof(got), fmt, arg);   \
	} while (0)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	switch (len) {
	case L_HH:
	case L_H:
	case L_NONE:
		if (is_signed)
			BOTH((int)v);
		else
			BOTH((unsigned int)v);
		break;
	case L_L:
		if (is_signed)
			BOTH((long)v);
		else
			BOTH((unsigned long)v);
		break;
	case L_LL:
		if (is_signed)
			BOTH((long long)v);
		else
			BOTH((unsigned long long)v);
		break;
	default:
		if (is_signed)
			BOTH((ptrdiff_t)v);
		else
			BOTH((size_t)v);
		break;
	}
#pragma GCC diagnostic pop
#undef BOTH
	compare(fmt, wn, want, gn, got);
}

static const char *const flag_chars = "-0+ #";

static int build_spec(char *f, unsigned int flags, int width, int prec)
{
	int n = 0, i;

	f[n++] = '%';
	for (i = 0; i < 5; i++) {
		if (flags & (1u << i))
			f[n++] = flag_chars[i];
	}
	if (width >= 0)
		n += sprintf(f + n, "%d", width);
	if (prec >= 0)
		n += sprintf(f + n, ".%d", prec);
	return n;
}

static void test_libc_integers(void)
{
	static const int widths[] = { -1, 1, 6, 24 };
	static const int precs[] = { -1, 0, 1, 5, 22 };
	static const char convs[] = "diuxXo";
	static const int64_t values[] = {
		0, 1, -1, 7, -42, 127, 128, 255, 256, 32767, -32768, 65535, 0x7fffffff,
		-0x7fffffffLL - 1, 0xffffffffLL, 0x123456789abcdefLL, INT64_MAX, INT64_MIN,
	};
	unsigned int flags;
	size_t w, p, c, v;
	int len;

	for (flags = 0; flags < 32; flags++)
		for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
			for (p = 0; p < sizeof(precs) / sizeof(precs[0]); p++)
				for (c = 0; convs[c]; c++)
					for (len = 0; len < L_COUNT; len++) {
						char f[48];
						int n = build_spec(f, flags, widths[w], precs[p]);

						sprintf(f + n, "%s%c|", len_str[len], convs[c]);
						for (v = 0; v < sizeof(values) / sizeof(values[0]);
						     v++)
							compare_int(f, (enum lenmod)len, convs[c],
								    values[v]);
					}
}

static void test_libc_strings(void)
{
	static const char *const strs[] = { "", "a", "hello", "hello, world!" };
	static const int widths[] = { -1, 0, 1, 5, 20 };
	static const int precs[] = { -1, 0, 1, 5, 20 };
	unsigned int left;
	size_t s, w, p;

	for (left = 0; left < 2; left++)
		for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
			for (p = 0; p < sizeof(precs) / sizeof(precs[0]); p++) {
				char f[32], want[64], got[64];
				int n = build_spec(f, left, widths[w], precs[p]);
				int wn, gn;

				strcpy(f + n, "s|");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
				for (s = 0; s < sizeof(strs) / sizeof(strs[0]); s++) {
					wn = snprintf(want, sizeof(want), f, strs[s]);
					gn = fmt_snprintf(got, sizeof(got), f, strs[s]);
					compare(f, wn, want, gn, got);
				}
				if (precs[p] < 0) {
					strcpy(f + n, "c|");
					wn = snprintf(want, sizeof(want), f, 'Q');
					gn = fmt_snprintf(got, sizeof(got), f, 'Q');
					compare(f, wn, want, gn, got);
				}
#pragma GCC diagnostic pop
			}
}

/* Truncation at every buffer size gives libc's bytes and return value. */
static void test_libc_truncation(void)
{
	const char *fmt = "%s-%08x-%-6d|%c";
	size_t size;

	for (size = 0; size < 40; size++) {
		char want[40], got[40];
		int wn, gn;

		memset(want, 'Z', sizeof(want));
		memset(got, 'Z', sizeof(got));
		wn = snprintf(size ? want : NULL, size, fmt, "abc", 0xabcu, -12, 'k');
		gn = fmt_snprintf(size ? got : NULL, size, fmt, "abc", 0xabcu, -12, 'k');
		/* With size 0 nothing is written, so compare raw bytes, not strings. */
		CHECK_EQ_INT(gn, wn);
		CHECK(memcmp(want, got, sizeof(want)) == 0);
	}
}

int main(void)
{
	RUN(test_basic);
	RUN(test_edges);
	RUN(test_star);
	RUN(test_pointer);
	RUN(test_unknown);
	RUN(test_null_string);
	RUN(test_snprintf_bounds);
	RUN(test_unterminated_string);
	RUN(test_vformat_sink);
	RUN(test_libc_integers);
	RUN(test_libc_strings);
	RUN(test_libc_truncation);
	return ut_summary("printk");
}
