/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exact binary <-> decimal conversions (dtoa.h), on big integers.
 *
 * A finite double is m * 2^e exactly (m < 2^53), so every decimal digit
 * of it, and every digit of any decimal rounded to it, can be had with
 * integer arithmetic on m, powers of 2 and powers of 5:
 *
 * - printing: floor(v * 10^s) is m * 5^s >> -(e + s) when s >= 0 (a
 *   shift), or m * 2^e / (5^t * 2^t) when s = -t < 0 (one division);
 *   what the shift or the division leaves says whether the rest is
 *   below, at or above half a unit, and the digits are rounded half to
 *   even on that. s is the precision for %f, P - 1 - (the decimal
 *   exponent) for %e and %g; past the point where v * 10^s is an
 *   integer (s = -e) the digits are zeros, which are counted, not made.
 * - reading: D * 10^E with D the (at most DTOA_KEEP_DIGITS + 1) digits
 *   read is a quotient of big integers, D * 5^E or D / 5^-E; 62 bits of
 *   it and whether the rest is zero round it to 53 (or 24) bits.
 * - numbers as people write them (printing with |s| <= 27, reading 19
 *   digits or fewer with |E| <= 27) fit 128 bits: no big integer, and
 *   for reading one 128-bit division (libgcc's) instead of a long one.
 *
 * The numbers stay small enough for fixed arrays: at most m * 5^1074
 * (2,547 bits) when printing, and 801 digits over 5^1127 (about 2,690
 * bits) when reading: BIG_LIMBS 32-bit limbs hold 3,072. A value past
 * them would be a bug here, not bad input: it traps.
 */
#include <limits.h>
#include <string.h>
#include "dtoa.h"

#define BIG_LIMBS 96
#define DIGITS_MAX 800 /* the most digits printing keeps (768: m * 5^1074 rounded up) */

struct big {
	int n; /* limbs in use: w[n - 1] != 0, or n == 0 for zero */
	uint32_t w[BIG_LIMBS];
};

enum rest { REST_ZERO, REST_BELOW, REST_HALF, REST_ABOVE };

typedef unsigned __int128 u128;

#define POW5_64_MAX 27 /* 5^27 < 2^63 */

static const uint64_t pow5_64[POW5_64_MAX + 1] = {
	0x1ull,		     0x5ull,		  0x19ull,	       0x7dull,
	0x271ull,	     0xc35ull,		  0x3d09ull,	       0x1312dull,
	0x5f5e1ull,	     0x1dcd65ull,	  0x9502f9ull,	       0x2e90eddull,
	0xe8d4a51ull,	     0x48c27395ull,	  0x16bcc41e9ull,      0x71afd498dull,
	0x2386f26fc1ull,     0xb1a2bc2ec5ull,	  0x3782dace9d9ull,    0x1158e460913dull,
	0x56bc75e2d631ull,   0x1b1ae4d6e2ef5ull,  0x878678326eac9ull,  0x2a5a058fc295edull,
	0xd3c21bcecceda1ull, 0x422ca8b0a00a425ull, 0x14adf4b7320334b9ull, 0x6765c793fa10079dull,
};

static void big_room(int n)
{
	if (n > BIG_LIMBS)
		__builtin_trap(); /* past the bound in the header comment: a bug */
}

static void big_trim(struct big *b)
{
	while (b->n > 0 && b->w[b->n - 1] == 0)
		b->n--;
}

static void big_set_u64(struct big *b, uint64_t v)
{
	b->n = 0;
	for (; v; v >>= 32)
		b->w[b->n++] = (uint32_t)v;
}

static int bitlen64(uint64_t v)
{
	return v ? 64 - __builtin_clzll(v) : 0;
}

/* q * d, out of line: inline, gcc would see x - x / d * d and call
 * libgcc's modulo as well as its division. */
static __attribute__((noinline)) u128 mul128(u128 q, u128 d)
{
	return q * d;
}

static int bitlen128(u128 v)
{
	return v >> 64 ? 64 + bitlen64((uint64_t)(v >> 64)) : bitlen64((uint64_t)v);
}

static int big_bitlen(const struct big *b)
{
	return b->n ? 32 * (b->n - 1) + bitlen64(b->w[b->n - 1]) : 0;
}

/* b = b * f + add */
static void big_mul_add(struct big *b, uint32_t f, uint32_t add)
{
	uint64_t carry = add;

	for (int i = 0; i < b->n; i++) {
		uint64_t p = (uint64_t)b->w[i] * f + carry;

		b->w[i] = (uint32_t)p;
		carry = p >> 32;
	}
	if (carry) {
		big_room(b->n + 1);
		b->w[b->n++] = (uint32_t)carry;
	}
}

static void big_mul_pow5(struct big *b, int k)
{
	for (; k >= 13; k -= 13) /* 5^13: the largest power of 5 in a limb */
		big_mul_add(b, (uint32_t)pow5_64[13], 0);
	if (k)
		big_mul_add(b, (uint32_t)pow5_64[k], 0);
}

static void big_shl(struct big *b, int bits)
{
	int limbs = bits / 32, sh = bits % 32;

	if (b->n == 0 || bits == 0)
		return;
	big_room(b->n + limbs + 1);
	b->w[b->n + limbs] = 0;
	for (int i = b->n - 1; i >= 0; i--) {
		uint32_t v = b->w[i];

		if (sh)
			b->w[i + limbs + 1] |= v >> (32 - sh);
		b->w[i + limbs] = v << sh;
	}
	memset(b->w, 0, sizeof(b->w[0]) * limbs);
	b->n += limbs + 1;
	big_trim(b);
}

static void big_shr(struct big *b, int bits)
{
	int limbs = bits / 32, sh = bits % 32;

	if (limbs >= b->n) {
		b->n = 0;
		return;
	}
	for (int i = 0; i < b->n - limbs; i++) {
		uint32_t v = b->w[i + limbs] >> sh;

		if (sh && i + limbs + 1 < b->n)
			v |= b->w[i + limbs + 1] << (32 - sh);
		b->w[i] = v;
	}
	b->n -= limbs;
	big_trim(b);
}

/* Whether any of the low `bits` bits is set. */
static bool big_low_bits(const struct big *b, int bits)
{
	int i;

	for (i = 0; i < bits / 32 && i < b->n; i++)
		if (b->w[i])
			return true;
	return i < b->n && bits % 32 && (b->w[i] & ((1u << (bits % 32)) - 1));
}

static bool big_bit(const struct big *b, int i)
{
	return i / 32 < b->n && (b->w[i / 32] >> (i % 32)) & 1;
}

/* How the low `bits` bits (bits > 0) compare with half of 2^bits. */
static enum rest big_rest_of_shift(const struct big *b, int bits)
{
	bool below = big_low_bits(b, bits - 1);

	if (big_bit(b, bits - 1))
		return below ? REST_ABOVE : REST_HALF;
	return below ? REST_BELOW : REST_ZERO;
}

static int big_cmp(const struct big *a, const struct big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (int i = a->n - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* b /= d, returns the remainder. */
static uint32_t big_div_small(struct big *b, uint32_t d)
{
	uint64_t r = 0;

	for (int i = b->n - 1; i >= 0; i--) {
		uint64_t cur = r << 32 | b->w[i];

		b->w[i] = (uint32_t)(cur / d);
		r = cur % d;
	}
	big_trim(b);
	return (uint32_t)r;
}

/* One step of long division (Knuth's algorithm D): the quotient digit
 * of un[j .. j+n] / vn[0 .. n), vn normalized (top bit set), n >= 2;
 * un[j .. j+n] becomes the remainder. */
static uint32_t div_step(uint32_t *un, const uint32_t *vn, int n, int j)
{
	uint64_t num = (uint64_t)un[j + n] << 32 | un[j + n - 1];
	uint64_t qhat = num / vn[n - 1], rhat = num % vn[n - 1];
	int64_t borrow = 0, t;

	/* The estimate from the top two limbs is at most 2 too big; the
	 * third limb catches almost every such case. */
	while (qhat >> 32 || qhat * vn[n - 2] > (rhat << 32 | un[j + n - 2])) {
		qhat--;
		rhat += vn[n - 1];
		if (rhat >> 32)
			break;
	}
	for (int i = 0; i < n; i++) {
		uint64_t p = qhat * vn[i];

		t = (int64_t)un[i + j] - borrow - (int64_t)(p & 0xffffffffu);
		un[i + j] = (uint32_t)t;
		borrow = (int64_t)(p >> 32) - (t >> 32);
	}
	t = (int64_t)un[j + n] - borrow;
	un[j + n] = (uint32_t)t;
	if (t < 0) { /* one too big after all: add the divisor back */
		uint64_t carry = 0;

		qhat--;
		for (int i = 0; i < n; i++) {
			uint64_t s = (uint64_t)un[i + j] + vn[i] + carry;

			un[i + j] = (uint32_t)s;
			carry = s >> 32;
		}
		un[j + n] += (uint32_t)carry;
	}
	return (uint32_t)qhat;
}

/* q = u / v and u = u % v (v != 0). */
static void big_divmod(struct big *u, const struct big *v, struct big *q)
{
	uint32_t un[BIG_LIMBS + 1], vn[BIG_LIMBS];
	int n = v->n, m = u->n - v->n, sh;

	q->n = 0;
	if (big_cmp(u, v) < 0)
		return;
	if (n == 1) {
		*q = *u;
		big_set_u64(u, big_div_small(q, v->w[0]));
		return;
	}
	/* Normalize: the divisor's top bit set, the dividend shifted alike. */
	sh = __builtin_clz(v->w[n - 1]);
	for (int i = n - 1; i >= 0; i--)
		vn[i] = v->w[i] << sh | (sh && i ? v->w[i - 1] >> (32 - sh) : 0);
	un[m + n] = sh ? u->w[m + n - 1] >> (32 - sh) : 0;
	for (int i = m + n - 1; i >= 0; i--)
		un[i] = u->w[i] << sh | (sh && i ? u->w[i - 1] >> (32 - sh) : 0);
	for (int j = m; j >= 0; j--)
		q->w[j] = div_step(un, vn, n, j);
	q->n = m + 1;
	big_trim(q);
	/* The remainder, shifted back. */
	for (int i = 0; i < n; i++)
		u->w[i] = un[i] >> sh | (sh ? un[i + 1] << (32 - sh) : 0);
	u->n = n;
	big_trim(u);
}

/* How u (the remainder of a division by v) compares with v / 2. */
static enum rest rest_of_division(struct big *u, const struct big *v)
{
	int c;

	if (u->n == 0)
		return REST_ZERO;
	big_shl(u, 1);
	c = big_cmp(u, v);
	return c < 0 ? REST_BELOW : c == 0 ? REST_HALF : REST_ABOVE;
}

/* ---- printing ---- */

/* The decimal digits of v in buf, most significant first; none for 0.
 * Returns how many. */
static int u64_to_dec(uint64_t v, char *buf, int min)
{
	char tmp[20];
	int k = 0, n = 0;

	for (; v || k < min; v /= 10)
		tmp[k++] = (char)('0' + v % 10);
	while (k)
		buf[n++] = tmp[--k];
	return n;
}

static int u128_to_dec(u128 v, char *buf)
{
	const uint64_t ten19 = 10000000000000000000ull;
	int n;

	u128 q;

	if (!(v >> 64))
		return u64_to_dec((uint64_t)v, buf, 0);
	q = v / ten19;
	n = u128_to_dec(q, buf);
	return n + u64_to_dec((uint64_t)(v - mul128(q, ten19)), buf + n, 19);
}

/* The same for b (destroyed). */
static int big_to_dec(struct big *b, char *buf)
{
	uint32_t chunk[DIGITS_MAX / 9 + 2];
	int nc = 0, n = 0;

	if (b->n <= 2) /* fits 64 bits: the usual case */
		return u64_to_dec(b->n ? b->w[0] | (b->n > 1 ? (uint64_t)b->w[1] << 32 : 0) : 0,
				  buf, 0);
	while (b->n)
		chunk[nc++] = big_div_small(b, 1000000000u);
	n = u64_to_dec(chunk[nc - 1], buf, 0);
	for (int i = nc - 2; i >= 0; i--)
		n += u64_to_dec(chunk[i], buf + n, 9);
	return n;
}

static enum rest rest_of(u128 r, u128 half)
{
	if (r == 0)
		return REST_ZERO;
	return r < half ? REST_BELOW : r == half ? REST_HALF : REST_ABOVE;
}

/* dec_floor in 128 bits when the numbers fit (|s| <= 27, a moderate e:
 * most values people print); -1 when they do not. */
static int dec_floor_128(uint64_t m, int e, int s, char *buf, enum rest *rest)
{
	u128 num = m, den, q;

	if (s >= 0 && s <= POW5_64_MAX) {
		int sh = -(e + s);

		num *= pow5_64[s]; /* < 2^116 */
		if (sh <= 0) {
			if (bitlen128(num) - sh > 127)
				return -1;
			*rest = REST_ZERO;
			return u128_to_dec(num << -sh, buf);
		}
		if (sh >= 128) {
			*rest = REST_BELOW; /* num < 2^116: under half of 2^sh */
			return 0;
		}
		*rest = rest_of(num & (((u128)1 << sh) - 1), (u128)1 << (sh - 1));
		return u128_to_dec(num >> sh, buf);
	}
	if (s < 0 && -s <= POW5_64_MAX) {
		den = pow5_64[-s];
		if (e >= -s && e + s <= 127 - 53)
			num <<= e + s;
		else if (e < -s && -s - e <= 127 - 63)
			den <<= -s - e;
		else
			return -1;
		q = num / den; /* a call into libgcc: one, the remainder by multiplying */
		*rest = rest_of((num - mul128(q, den)) * 2, den);
		return u128_to_dec(q, buf);
	}
	return -1;
}

/* floor(m * 2^e * 10^s) in buf (digit count returned) and how the part
 * cut off compares with half a unit. For s >= 0, s <= max(0, -e). */
static int dec_floor(uint64_t m, int e, int s, char *buf, enum rest *rest)
{
	struct big num, den, q;
	int n = dec_floor_128(m, e, s, buf, rest);

	if (n >= 0)
		return n;
	big_set_u64(&num, m);
	if (s >= 0) {
		int sh = -(e + s);

		big_mul_pow5(&num, s);
		if (sh <= 0) {
			big_shl(&num, -sh);
			*rest = REST_ZERO;
		} else {
			*rest = big_rest_of_shift(&num, sh);
			big_shr(&num, sh);
		}
		return big_to_dec(&num, buf);
	}
	big_set_u64(&den, 1);
	big_mul_pow5(&den, -s);
	if (e >= -s)
		big_shl(&num, e + s);
	else
		big_shl(&den, -s - e);
	big_divmod(&num, &den, &q);
	*rest = rest_of_division(&num, &den);
	return big_to_dec(&q, buf);
}

/* Rounds the n digits in buf half to even by rest; a carry out of
 * 9...9 makes them 10...0, one more digit. Returns the digit count. */
static int dec_round(char *buf, int n, enum rest rest)
{
	int i = n - 1;

	if (!(rest == REST_ABOVE || (rest == REST_HALF && n > 0 && (buf[n - 1] - '0') % 2)))
		return n;
	while (i >= 0 && buf[i] == '9')
		buf[i--] = '0';
	if (i >= 0) {
		buf[i]++;
		return n;
	}
	memmove(buf + 1, buf, (size_t)n);
	buf[0] = '1';
	return n + 1;
}

/* The rest after one more digit d is cut off in front of rest r. */
static enum rest rest_after_cut(char d, enum rest r)
{
	if (d > '5')
		return REST_ABOVE;
	if (d == '5')
		return r == REST_ZERO ? REST_HALF : REST_ABOVE;
	if (d > '0')
		return REST_BELOW;
	return r == REST_ZERO ? REST_ZERO : REST_BELOW;
}

/* floor(b * log10(2)) for |b| <= 1650 (78913 / 2^18 is log10(2) to 6
 * digits; tests/unit/dtoa checks the range). */
static int floor_log10_pow2(int b)
{
	return b >= 0 ? (b * 78913) >> 18 : -((-b * 78913 + (1 << 18) - 1) >> 18);
}

/* |v| = m * 2^e with m odd (v's bits; finite, nonzero). */
static void decompose(uint64_t bits, uint64_t *m, int *e)
{
	int be, tz;

	be = (int)(bits >> 52 & 0x7ff);
	*m = bits & ((1ull << 52) - 1);
	if (be) {
		*m |= 1ull << 52;
		*e = be - 1075;
	} else {
		*e = -1074;
	}
	tz = __builtin_ctzll(*m);
	*m >>= tz;
	*e += tz;
}

/* The digits of a rounded value: d[0 .. n) then `zeros` zeros (past the
 * value's exact expansion), for %f with the point `prec` digits from
 * the end, for %e and %g with the first digit at 10^exp10. */
struct digits {
	char d[DIGITS_MAX];
	int n;
	int zeros;
	int exp10;
};

/* round(m * 2^e * 10^prec). */
static void digits_fixed(uint64_t m, int e, int prec, struct digits *g)
{
	int cap = e < 0 ? -e : 0, s = prec < cap ? prec : cap;
	enum rest r;
	int n = dec_floor(m, e, s, g->d, &r);

	g->n = dec_round(g->d, n, r);
	g->zeros = g->n ? prec - s : 0;
}

/* m * 2^e (nonzero) to p significant digits. */
static void digits_sci(uint64_t m, int e, int p, struct digits *g)
{
	int est = floor_log10_pow2(bitlen64(m) - 1 + e); /* the exponent or one less */
	int cap = e < 0 ? -e : 0, s = p - 1 - est;
	enum rest r;

	g->zeros = 0;
	if (s > cap) {
		g->zeros = s - cap;
		s = cap;
	}
	g->n = dec_floor(m, e, s, g->d, &r);
	g->exp10 = est;
	if (g->n + g->zeros > p) { /* est was one short: cut a digit */
		g->exp10++;
		if (g->zeros) {
			g->zeros--;
		} else {
			g->n--;
			r = rest_after_cut(g->d[g->n], r);
		}
	}
	g->n = dec_round(g->d, g->n, r);
	if (g->n + g->zeros > p) { /* 9...9 carried to 10...0 */
		g->n--;
		g->exp10++;
	}
}

/* Pieces of the text, padded once its length is known. */
struct text {
	struct {
		const char *s;
		long n;
		bool fill; /* n copies of s[0] */
	} p[12];
	int np;
	long len;
};

static void add(struct text *t, const char *s, long n, bool fill)
{
	if (n <= 0)
		return;
	t->p[t->np].s = s;
	t->p[t->np].n = n;
	t->p[t->np].fill = fill;
	t->np++;
	t->len += n;
}

/* Digits [from, from + n) of g's sequence (d, then the zeros, then
 * zeros again: %f's fraction may run past both). */
static void add_digits(struct text *t, const struct digits *g, long from, long n)
{
	if (from < g->n) {
		long k = n < g->n - from ? n : g->n - from;

		add(t, g->d + from, k, false);
		from += k;
		n -= k;
	}
	add(t, "0", n, true);
}

/* The exponent: 'e' or 'p', a sign, at least `min` digits. */
static void add_exp(struct text *t, char *buf, char letter, int x, int min)
{
	char tmp[8];
	int k = 0, n = 0;

	buf[n++] = letter;
	buf[n++] = x < 0 ? '-' : '+';
	x = x < 0 ? -x : x;
	do {
		tmp[k++] = (char)('0' + x % 10);
		x /= 10;
	} while (x || k < min);
	while (k)
		buf[n++] = tmp[--k];
	add(t, buf, n, false);
}

/* Trailing zeros of g's first `total` digits (%g drops them). */
static long trailing_zeros(const struct digits *g, long total)
{
	long z = total > g->n ? total - g->n : 0;

	for (long i = (total < g->n ? total : g->n) - 1; i >= 0 && g->d[i] == '0'; i--)
		z++;
	return z;
}

/* int_digits digits, the point, frac digits of g (%f, and %g's f style). */
static void add_fixed(struct text *t, const struct digits *g, long int_digits, long frac, bool hash)
{
	if (int_digits > 0) {
		add_digits(t, g, 0, int_digits);
	} else {
		add(t, "0", 1, false);
	}
	if (frac > 0 || hash)
		add(t, ".", 1, false);
	if (int_digits < 0) {
		add(t, "0", -int_digits < frac ? -int_digits : frac, true);
		frac += int_digits;
		int_digits = 0;
	}
	add_digits(t, g, int_digits, frac);
}

static void add_sci(struct text *t, const struct digits *g, long frac, bool hash, char *ebuf,
		    char e)
{
	add_digits(t, g, 0, 1);
	if (frac > 0 || hash)
		add(t, ".", 1, false);
	add_digits(t, g, 1, frac);
	add_exp(t, ebuf, e, g->exp10, 2);
}

static void format_fixed(struct text *t, const struct digits *g, int prec, bool hash)
{
	long total = g->n + g->zeros;

	add_fixed(t, g, total - prec, prec, hash);
}

static void format_g(struct text *t, struct digits *g, int p, bool hash, char *ebuf, char e)
{
	int x = g->exp10;
	long frac = x < p && x >= -4 ? p - 1 - x : p - 1;
	long z = hash ? 0 : trailing_zeros(g, p);

	if (frac > z) {
		frac -= z;
	} else {
		frac = 0;
	}
	if (x < p && x >= -4)
		add_fixed(t, g, x + 1, frac, hash);
	else
		add_sci(t, g, frac, hash, ebuf, e);
}

/* %a: 0x, the leading hex digit, the point, prec digits, p and the
 * binary exponent; rounded half to even, and 1.f...p+e may round to
 * 2.0p+e (glibc's form: the leading digit is not renormalized). */
static void format_hex(struct text *t, uint64_t bits, int prec, bool hash, bool upper, char *buf)
{
	static const char lower_digits[] = "0123456789abcdef", upper_digits[] = "0123456789ABCDEF";
	const char *hex = upper ? upper_digits : lower_digits;
	uint64_t frac;
	int be, x, n = 0;

	be = (int)(bits >> 52 & 0x7ff);
	frac = (bits & ((1ull << 52) - 1)) | (be ? 1ull << 52 : 0);
	x = frac ? (be ? be - 1023 : -1022) : 0;
	if (prec < 0) { /* exact: as many digits as the fraction needs */
		prec = 13;
		while (prec && !((frac >> (4 * (13 - prec))) & 0xf))
			prec--;
	} else if (prec < 13) {
		int drop = 4 * (13 - prec);
		uint64_t rest = frac & ((1ull << drop) - 1), half = 1ull << (drop - 1);

		frac >>= drop;
		if (rest > half || (rest == half && frac & 1))
			frac++;
		frac <<= drop;
	}
	buf[n++] = '0';
	buf[n++] = upper ? 'X' : 'x';
	buf[n++] = hex[frac >> 52];
	if (prec || hash)
		buf[n++] = '.';
	for (int i = 0; i < prec && i < 13; i++)
		buf[n++] = hex[frac >> (48 - 4 * i) & 0xf];
	add(t, buf, n, false);
	add(t, "0", prec - 13, true);
	add_exp(t, buf + n, upper ? 'P' : 'p', x, 1);
}

static void emit(const struct dtoa_out *out, const char *s, long n, bool fill)
{
	static const char zeros[] = "0000000000000000", blanks[] = "                ";

	if (!fill) {
		out->put(out->ctx, s, (size_t)n);
		return;
	}
	for (const char *run = s[0] == '0' ? zeros : blanks; n > 0; n -= 16)
		out->put(out->ctx, run, (size_t)(n < 16 ? n : 16));
}

long dtoa_format(const struct dtoa_spec *spec, double v, const struct dtoa_out *out)
{
	bool upper = spec->conv >= 'A' && spec->conv <= 'Z', hash = spec->flags & DTOA_FL_HASH;
	char conv = (char)(spec->conv | 0x20), sign = 0, ebuf[8], hbuf[40];
	int prec = spec->prec, e = 0, at = 0;
	bool finite, zero_pad;
	uint64_t bits, m = 0;
	struct digits g;
	struct text t;
	long body, pad;

	/* The bits, not float arithmetic: without an FPU every comparison
	 * would be a call. */
	memcpy(&bits, &v, sizeof(bits));
	finite = (bits >> 52 & 0x7ff) != 0x7ff;
	t.np = 0;
	t.len = 0;
	if (bits >> 63)
		sign = '-';
	else if (spec->flags & (DTOA_FL_PLUS | DTOA_FL_SPACE))
		sign = spec->flags & DTOA_FL_PLUS ? '+' : ' ';
	if (!finite) {
		add(&t, bits << 12 ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"), 3, false);
	} else if (conv == 'a') {
		format_hex(&t, bits, prec, hash, upper, hbuf);
		at = 2; /* the zeros go after 0x */
	} else {
		bool zero = !(bits << 1);

		g.n = g.zeros = g.exp10 = 0;
		if (prec < 0)
			prec = 6;
		if (!zero)
			decompose(bits, &m, &e);
		if (conv == 'f') {
			if (!zero)
				digits_fixed(m, e, prec, &g);
			format_fixed(&t, &g, prec, hash);
		} else {
			int p = conv == 'e' ? prec + 1 : prec ? prec : 1;

			if (!zero)
				digits_sci(m, e, p, &g);
			else
				g.zeros = p;
			if (conv == 'e')
				add_sci(&t, &g, prec, hash, ebuf, upper ? 'E' : 'e');
			else
				format_g(&t, &g, p, hash, ebuf, upper ? 'E' : 'e');
		}
	}
	body = t.len + (sign != 0);
	pad = spec->width > body ? spec->width - body : 0;
	if (body > INT_MAX - pad)
		return -1;
	/* '0' pads between the sign (and 0x) and the digits, never inf/nan */
	zero_pad = pad && finite && (spec->flags & DTOA_FL_ZERO) && !(spec->flags & DTOA_FL_MINUS);
	if (pad && !(spec->flags & DTOA_FL_MINUS) && !zero_pad)
		emit(out, " ", pad, true);
	if (sign)
		emit(out, &sign, 1, false);
	if (zero_pad) {
		emit(out, t.p[0].s, at, false);
		emit(out, "0", pad, true);
	} else {
		at = 0;
	}
	for (int i = 0; i < t.np; i++)
		emit(out, t.p[i].s + (i ? 0 : at), t.p[i].n - (i ? 0 : at), t.p[i].fill);
	if (pad && (spec->flags & DTOA_FL_MINUS))
		emit(out, " ", pad, true);
	return body + pad;
}

/* ---- reading ---- */

enum {
	S_BEGIN,  /* nothing yet */
	S_SIGN,	  /* a sign */
	S_ZERO,	  /* a leading 0: 0x may follow */
	S_MANT,	  /* decimal digits and a point */
	S_E,	  /* e after the digits */
	S_ESIGN,  /* e and a sign */
	S_EXP,	  /* exponent digits */
	S_HEX,	  /* 0x */
	S_HMANT,  /* hex digits and a point */
	S_P,	  /* p after the hex digits */
	S_PSIGN,  /* p and a sign */
	S_PEXP,	  /* binary exponent digits */
	S_INF,	  /* letters of "infinity" */
	S_NAN,	  /* letters of "nan" */
	S_NANPAR, /* inside nan( ) */
	S_DONE,	  /* nothing more can follow */
};

#define EXP_MAX 1000000000L  /* exponents clamp here: the value is 0 or infinity long before */
#define HEX_KEEP 15	     /* hex digits kept: 60 bits, room to round 53 */

void dtoa_scan_init(struct dtoa_scan *s)
{
	/* field by field, not memset (picolibc's goes a byte at a time),
	 * and not d[] */
	s->state = S_BEGIN;
	s->used = s->valid = s->nd = 0;
	s->valid_kind = DTOA_NUM_NONE;
	s->neg = s->frac = s->bare_nan = s->sticky = s->exp_neg = false;
	s->dexp = s->exp = 0;
	s->hex = 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int hex_value(int c)
{
	c = lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A mantissa digit: the first DTOA_KEEP_DIGITS significant ones kept
 * (HEX_KEEP hex ones), later ones only as sticky, their places counted
 * in dexp. */
static void take_digit(struct dtoa_scan *s, int v, bool hex)
{
	int step = hex ? 4 : 1;
	bool frac = s->frac;

	s->state = hex ? S_HMANT : S_MANT;
	if (s->nd == 0 && v == 0) {
		s->dexp -= frac ? step : 0;
	} else if (s->nd < (hex ? HEX_KEEP : DTOA_KEEP_DIGITS)) {
		if (hex)
			s->hex = s->hex << 4 | (unsigned)v;
		else
			s->d[s->nd] = (char)('0' + v);
		s->nd++;
		s->dexp -= frac ? step : 0;
	} else {
		s->sticky |= v != 0;
		s->dexp += frac ? 0 : step;
	}
	if (s->dexp < -EXP_MAX || s->dexp > EXP_MAX) /* absurdly long: keep it bounded */
		s->dexp = s->dexp < 0 ? -EXP_MAX : EXP_MAX;
}

/* A mantissa's digit, its point, or the letter of its exponent. */
static bool scan_mantissa(struct dtoa_scan *s, int c, bool hex)
{
	int v = hex ? hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
	int kind = hex ? DTOA_NUM_HEX : DTOA_NUM_DEC;

	if (v >= 0) {
		take_digit(s, v, hex);
		s->valid_kind = kind;
		return true;
	}
	if (c == '.' && !s->frac) {
		s->frac = true;
		s->state = hex ? S_HMANT : S_MANT;
		return true;
	}
	if (lower(c) == (hex ? 'p' : 'e') && s->valid_kind == kind) {
		s->state = hex ? S_P : S_E;
		return true;
	}
	return false;
}

static bool scan_exponent(struct dtoa_scan *s, int c)
{
	bool hex = s->state >= S_P;

	if ((c == '+' || c == '-') && (s->state == S_E || s->state == S_P)) {
		s->exp_neg = c == '-';
		s->state = hex ? S_PSIGN : S_ESIGN;
		return true;
	}
	if (c < '0' || c > '9')
		return false;
	s->exp = s->exp * 10 + (c - '0');
	if (s->exp > EXP_MAX)
		s->exp = EXP_MAX;
	s->state = hex ? S_PEXP : S_EXP;
	return true;
}

/* Letters of "infinity" or "nan": s->nd counts them. */
static bool scan_word(struct dtoa_scan *s, int c)
{
	const char *word = s->state == S_INF ? "infinity" : "nan";

	if (s->state == S_NAN && s->nd == 3 && c == '(' && !s->bare_nan) {
		s->state = S_NANPAR;
		return true;
	}
	if (!word[s->nd] || lower(c) != word[s->nd])
		return false;
	s->nd++;
	if (s->state == S_INF && (s->nd == 3 || s->nd == 8))
		s->valid_kind = DTOA_NUM_INF;
	if (s->state == S_NAN && s->nd == 3)
		s->valid_kind = DTOA_NUM_NAN;
	if (s->nd == 8)
		s->state = S_DONE;
	return true;
}

static bool scan_start(struct dtoa_scan *s, int c)
{
	if ((c == '+' || c == '-') && s->state == S_BEGIN) {
		s->neg = c == '-';
		s->state = S_SIGN;
		return true;
	}
	if (lower(c) == 'i' || lower(c) == 'n') {
		s->state = lower(c) == 'i' ? S_INF : S_NAN;
		s->nd = 1;
		return true;
	}
	if (c == '0') {
		s->valid_kind = DTOA_NUM_DEC;
		s->state = S_ZERO;
		return true;
	}
	return scan_mantissa(s, c, false);
}

bool dtoa_scan_char(struct dtoa_scan *s, int c)
{
	bool took;
	int kind = s->valid_kind;

	/* The usual character: a significant decimal digit, kept. */
	if (s->state == S_MANT && c >= '0' && c <= '9' && (s->nd || c != '0') &&
	    s->nd < DTOA_KEEP_DIGITS) {
		s->d[s->nd++] = (char)c;
		s->dexp -= s->frac;
		s->valid_kind = DTOA_NUM_DEC;
		s->valid = ++s->used;
		return true;
	}

	switch (s->state) {
	case S_BEGIN:
	case S_SIGN:
		took = scan_start(s, c);
		break;
	case S_ZERO:
		if (lower(c) == 'x') {
			s->state = S_HEX;
			took = true;
		} else {
			took = scan_mantissa(s, c, false);
		}
		break;
	case S_MANT:
		took = scan_mantissa(s, c, false);
		break;
	case S_HEX:
	case S_HMANT:
		took = scan_mantissa(s, c, true);
		break;
	case S_E:
	case S_ESIGN:
	case S_EXP:
	case S_P:
	case S_PSIGN:
	case S_PEXP:
		took = scan_exponent(s, c);
		break;
	case S_INF:
	case S_NAN:
		took = scan_word(s, c);
		break;
	case S_NANPAR:
		took = c == ')' || c == '_' || (lower(c) >= 'a' && lower(c) <= 'z') ||
		       (c >= '0' && c <= '9');
		if (c == ')' && took) {
			s->state = S_DONE;
			s->valid_kind = DTOA_NUM_NAN;
		}
		break;
	default:
		took = false;
		break;
	}
	if (!took)
		return false;
	s->used++;
	/* A number ends validly after a mantissa with a digit (and its
	 * point), an exponent's digit, "inf", "infinity", "nan" or
	 * "nan(...)". */
	if (s->valid_kind != kind || s->state == S_ZERO || s->state == S_EXP ||
	    s->state == S_PEXP || s->state == S_DONE ||
	    (s->state == S_MANT && s->valid_kind == DTOA_NUM_DEC) ||
	    (s->state == S_HMANT && s->valid_kind == DTOA_NUM_HEX))
		s->valid = s->used;
	return true;
}

bool dtoa_scan_scanf_ok(const struct dtoa_scan *s)
{
	return s->valid && (s->valid == s->used || s->state == S_E || s->state == S_ESIGN ||
			    s->state == S_P || s->state == S_PSIGN);
}

struct binfmt {
	int mant; /* bits with the leading one */
	int emin; /* the smallest normal exponent */
	int emax;
	int bits; /* of the whole number */
};

static const struct binfmt fmt_double = { 53, -1022, 1023, 64 };
static const struct binfmt fmt_float = { 24, -126, 127, 32 };

static uint64_t infinity_bits(const struct binfmt *f)
{
	return (uint64_t)(2 * f->emax + 1) << (f->mant - 1);
}

/* q >> drop (drop > 0) rounded half to even; sticky: nonzero bits were
 * below q. *inexact: something was cut off. */
static uint64_t round_shift(uint64_t q, long drop, bool sticky, bool *inexact)
{
	uint64_t kept, rest, half;

	if (drop > 64) {
		*inexact = q || sticky;
		return 0;
	}
	kept = drop == 64 ? 0 : q >> drop;
	half = 1ull << (drop - 1);
	rest = q & (half | (half - 1));
	*inexact = rest || sticky;
	if (rest > half || (rest == half && (sticky || kept & 1)))
		kept++;
	return kept;
}

/* (q + sticky) * 2^bexp (q has 55 to 63 bits) rounded to the format, as
 * bits. *range: it overflowed, or it is tiny (below the smallest normal
 * even when rounded to full precision: IEEE's tininess after rounding,
 * as glibc) and inexact. */
static uint64_t round_binary(uint64_t q, long bexp, bool sticky, const struct binfmt *f,
			     bool *range)
{
	int qb = bitlen64(q);
	long be = qb - 1 + bexp; /* the leading bit's exponent */
	uint64_t mnt;
	bool inexact, tiny, unused;

	*range = false;
	if (be > f->emax)
		goto overflow;
	if (be < f->emin) {
		/* Subnormal: units of the smallest one; a carry into the
		 * leading place makes it the smallest normal. */
		mnt = round_shift(q, f->emin - f->mant + 1 - bexp, sticky, &inexact);
		tiny = be < f->emin - 1 || !(round_shift(q, qb - f->mant, sticky, &unused) >> f->mant);
		*range = tiny && inexact;
		return mnt;
	}
	mnt = round_shift(q, qb - f->mant, sticky, &inexact);
	if (mnt >> f->mant) {
		mnt >>= 1;
		if (++be > f->emax)
			goto overflow;
	}
	return (uint64_t)(be + f->emax) << (f->mant - 1) | (mnt & ((1ull << (f->mant - 1)) - 1));
overflow:
	*range = true;
	return infinity_bits(f);
}

/* decimal_to_binary for at most 19 digits and |exp| <= 27, in 128 bits:
 * numbers as people write them take no big integer. */
static uint64_t decimal_to_binary_128(const char *d, int nd, long exp, const struct binfmt *f,
				      bool *range)
{
	uint64_t D = 0;
	u128 q;
	long bexp;
	bool sticky;
	int k;

	for (int i = 0; i < nd; i++)
		D = D * 10 + (uint64_t)(d[i] - '0');
	if (exp >= 0) {
		q = (u128)D * pow5_64[exp]; /* < 2^127 */
		k = bitlen128(q) - 62;
		sticky = k > 0 && (q & (((u128)1 << k) - 1)) != 0;
		q = k > 0 ? q >> k : q << -k;
		bexp = exp + k;
	} else {
		u128 den = pow5_64[-exp], num;

		k = 62 + bitlen64(pow5_64[-exp]) - bitlen64(D); /* >= 1; D << k < 2^126 */
		num = (u128)D << k;
		q = num / den;
		sticky = num != mul128(q, den);
		bexp = exp - k;
	}
	return round_binary((uint64_t)q, bexp, sticky, f, range);
}

/* D * 10^E, D the kept digits, correctly rounded to f. */
static uint64_t decimal_to_binary(const struct dtoa_scan *s, const struct binfmt *f, bool *range)
{
	int nd = s->nd;
	long exp = s->dexp + (s->exp_neg ? -s->exp : s->exp), mag, bexp;
	struct big num, den, q;
	uint64_t top;
	bool sticky;

	while (nd > 0 && s->d[nd - 1] == '0' && !s->sticky) {
		nd--;
		exp++;
	}
	if (nd == 0)
		return 0;
	mag = nd + exp; /* 10^(mag - 1) <= value < 10^mag */
	if (mag > (f->emax + 1) * 30103L / 100000 + 1) /* past 10^(largest exponent + 1) */
		goto overflow;
	if (mag < -((f->mant - f->emin) * 30103L / 100000 + 1)) { /* under half the smallest */
		*range = true;
		return 0;
	}
	if (nd <= 19 && !s->sticky && exp >= -POW5_64_MAX && exp <= POW5_64_MAX)
		return decimal_to_binary_128(s->d, nd, exp, f, range);
	num.n = 0;
	for (int i = 0; i < nd;) {
		uint32_t chunk = 0, scale = 1;

		for (int k = 0; k < 9 && i < nd; k++, i++) {
			chunk = chunk * 10 + (uint32_t)(s->d[i] - '0');
			scale *= 10;
		}
		big_mul_add(&num, scale, chunk);
	}
	if (s->sticky) { /* a 1 after the kept digits: see DTOA_KEEP_DIGITS */
		big_mul_add(&num, 10, 1);
		exp--;
	}
	if (exp >= 0) {
		int sh;

		big_mul_pow5(&num, (int)exp);
		sh = big_bitlen(&num) - 62;
		bexp = exp + sh;
		sticky = sh > 0 && big_low_bits(&num, sh);
		if (sh > 0)
			big_shr(&num, sh);
		else
			big_shl(&num, -sh);
		q = num;
	} else {
		int k;

		big_set_u64(&den, 1);
		big_mul_pow5(&den, (int)-exp);
		k = 62 + big_bitlen(&den) - big_bitlen(&num); /* the quotient: 62 or 63 bits */
		if (k > 0)
			big_shl(&num, k);
		else
			big_shl(&den, -k);
		bexp = exp - k;
		big_divmod(&num, &den, &q);
		sticky = num.n != 0;
	}
	top = q.w[0] | (q.n > 1 ? (uint64_t)q.w[1] << 32 : 0);
	return round_binary(top, bexp, sticky, f, range);
overflow:
	*range = true;
	return infinity_bits(f);
}

static uint64_t scan_to_binary(const struct dtoa_scan *s, const struct binfmt *f, bool *range)
{
	uint64_t sign = (uint64_t)s->neg << (f->bits - 1), bits;

	*range = false;
	switch (s->valid_kind) {
	case DTOA_NUM_INF:
		return sign | infinity_bits(f);
	case DTOA_NUM_NAN: /* quiet */
		return sign | infinity_bits(f) | 1ull << (f->mant - 2);
	case DTOA_NUM_HEX:
		if (s->hex) {
			int sh = 62 - bitlen64(s->hex);
			long exp = s->dexp + (s->exp_neg ? -s->exp : s->exp) - sh;

			bits = round_binary(s->hex << sh, exp, s->sticky, f, range);
		} else {
			bits = 0;
		}
		return sign | bits;
	default:
		return sign | decimal_to_binary(s, f, range);
	}
}

double dtoa_scan_double(const struct dtoa_scan *s, bool *range)
{
	uint64_t bits = scan_to_binary(s, &fmt_double, range);
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

float dtoa_scan_float(const struct dtoa_scan *s, bool *range)
{
	uint32_t bits = (uint32_t)scan_to_binary(s, &fmt_float, range);
	float v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

/* Blanks, then the longest valid number; *end after it (or str). */
static const char *scan_string(const char *str, struct dtoa_scan *s, char **end)
{
	const char *p = str;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	dtoa_scan_init(s);
	while (p[s->used] && dtoa_scan_char(s, (unsigned char)p[s->used]))
		;
	if (end)
		*end = (char *)(s->valid ? p + s->valid : str);
	return p;
}

double dtoa_strtod(const char *str, char **end, bool *range)
{
	struct dtoa_scan s;

	scan_string(str, &s, end);
	*range = false;
	return s.valid ? dtoa_scan_double(&s, range) : 0.0;
}

float dtoa_strtof(const char *str, char **end, bool *range)
{
	struct dtoa_scan s;

	scan_string(str, &s, end);
	*range = false;
	return s.valid ? dtoa_scan_float(&s, range) : 0.0f;
}
