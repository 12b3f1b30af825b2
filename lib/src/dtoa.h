/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exact conversions between binary floating point and decimal text
 * (lib/src/dtoa.c): the digits printf's %e %f %g %a print and the values
 * strtod, strtof and scanf's %e %f %g %a read, both correctly rounded
 * (round half to even, as IEEE 754 and glibc) at any precision.
 *
 * Plain C, no rvOS or picolibc header: tests/unit/dtoa checks it on the
 * host against glibc. lib/src/stdio_float.c puts it under picolibc's
 * printf and scanf; lib/src/strtod.c under strtod and strtof.
 */
#ifndef RVOS_LIB_DTOA_H
#define RVOS_LIB_DTOA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- printing ---- */

/* A conversion specification of printf, as far as a double needs it. */
#define DTOA_FL_MINUS 0x01 /* '-': left-justify */
#define DTOA_FL_PLUS 0x02  /* '+': a sign always */
#define DTOA_FL_SPACE 0x04 /* ' ': a space where the sign is not '-' */
#define DTOA_FL_HASH 0x08  /* '#': the point always; %g keeps its zeros */
#define DTOA_FL_ZERO 0x10  /* '0': pad with zeros after the sign */

struct dtoa_spec {
	unsigned flags; /* DTOA_FL_* */
	int width;	/* at least this many characters; 0: no minimum */
	int prec;	/* digits after the point (%g: significant); < 0: none given */
	char conv;	/* 'e' 'E' 'f' 'F' 'g' 'G' 'a' 'A' */
};

/* Where the characters go: n bytes of s, or n copies of s[0]. */
struct dtoa_out {
	void (*put)(void *ctx, const char *s, size_t n);
	void *ctx;
};

/* Formats v as printf would with spec; returns the characters written
 * (or that would be), -1 when there are more than INT_MAX. */
long dtoa_format(const struct dtoa_spec *spec, double v, const struct dtoa_out *out);

/* ---- reading ---- */

/* The most significant digits kept of a decimal number; the rest only
 * counts as "nonzero or not". Enough to round every input correctly:
 * a number halfway between two doubles has at most 767 significant
 * digits, so no such boundary falls between an input and its first
 * DTOA_KEEP_DIGITS digits followed by a 1. */
#define DTOA_KEEP_DIGITS 800

/* A number being read one character at a time (strtod's subject
 * sequence: blanks are the caller's). dtoa_scan_init, then
 * dtoa_scan_char for each character while it returns true; the longest
 * valid prefix is s->valid characters long (0: none). */
struct dtoa_scan {
	int state;	/* where in the grammar (dtoa.c) */
	int used;	/* characters taken */
	int valid;	/* characters in the longest valid number among them */
	int valid_kind; /* what that number is (DTOA_NUM_*) */
	bool neg;	/* a '-' sign */
	bool frac;	/* the mantissa's point was read */
	bool bare_nan;	/* set by scanf: "nan" takes no "(...)" (as glibc's and picolibc's) */
	bool sticky;	/* nonzero digits past the kept ones */
	int nd;		/* digits kept in d[] */
	long dexp;	/* value = d[0..nd) * 10^dexp (or * 2^dexp: hex) * 10^exp */
	long exp;	/* the exponent part as read (clamped) */
	bool exp_neg;
	uint64_t hex; /* hex digits kept (at most 15) */
	char d[DTOA_KEEP_DIGITS + 1];
};

enum { DTOA_NUM_NONE, DTOA_NUM_DEC, DTOA_NUM_HEX, DTOA_NUM_INF, DTOA_NUM_NAN };

void dtoa_scan_init(struct dtoa_scan *s);
bool dtoa_scan_char(struct dtoa_scan *s, int c);

/* Whether scanf converts what the scanner took: all of it is a number,
 * or a number and an exponent's letter (and sign) without digits, which
 * glibc's and picolibc's scanf read as the number ("100ergs" is 100 and
 * "rgs"); "0x" or "infin" alone is a matching failure. */
bool dtoa_scan_scanf_ok(const struct dtoa_scan *s);

/* The value of the valid prefix, correctly rounded; *range set when it
 * overflowed to infinity or underflowed inexactly to a subnormal or zero
 * (strtod's ERANGE, as glibc). Call only when s->valid > 0. */
double dtoa_scan_double(const struct dtoa_scan *s, bool *range);
float dtoa_scan_float(const struct dtoa_scan *s, bool *range);

/* strtod and strtof on top of the scanner: blanks, the number, *end. */
double dtoa_strtod(const char *str, char **end, bool *range);
float dtoa_strtof(const char *str, char **end, bool *range);

#endif /* RVOS_LIB_DTOA_H */
