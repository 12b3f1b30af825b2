/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exact printing and reading of doubles on rvOS (lib/src/dtoa.c under
 * picolibc's printf and scanf, lib/src/strtod.c):
 *
 *   round trip  100,000 random bit patterns (finite) through %.17g and
 *               strtod come back bit for bit (every tenth through sscanf's
 *               %lf too)
 *   printf      the cases gen_cases.py computed on the host (Python's
 *               correctly rounded formatting): %.17g %.20f %.40e %g %.0f
 *               %.3e %.25g %e %f %.1f %a %.1100f %.500e of random doubles,
 *               the same text to the byte
 *   strtod      the host's cases: random decimal strings, 100 to 800
 *               digits, halfway points and a hair either side: the
 *               host's bits (and sscanf's %lf the same)
 *   known       1.0/3 at %.17g, 0.1 at %.20f, %.0f of 0.5 and 2.5, ERANGE;
 *               strfromd, gcvt, fprintf and fscanf on a stream
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "dtoa_cases.h"
#include "splitmix.h"

#define ROUND_TRIPS 100000

char *gcvt(double v, int digits, char *buf); /* picolibc's: declared only for old standards */

static void round_trips(void)
{
	unsigned long bad = 0, tested = 0;
	char buf[40];

	while (tested < ROUND_TRIPS) {
		double v = from_bits(splitmix_next()), back, scanned = 0;

		if (!isfinite(v))
			continue;
		tested++;
		snprintf(buf, sizeof(buf), "%.17g", v);
		back = strtod(buf, NULL);
		if (to_bits(back) != to_bits(v) && bad++ < 5)
			printf("FAIL: %a printed %s, read back %a\n", v, buf, back);
		if (tested % 10 == 0 && (sscanf(buf, "%lf", &scanned) != 1 ||
					 to_bits(scanned) != to_bits(v)) && bad++ < 5)
			printf("FAIL: sscanf of %s gave %a, not %a\n", buf, scanned, v);
	}
	CHECK_EQ("random doubles that did not round-trip", bad, 0);
	printf("dtoa: %lu random doubles through %%.17g and strtod: %lu not bit-exact\n", tested,
	       bad);
}

static void printf_host_cases(void)
{
	static char buf[1400];
	unsigned long bad = 0, n = sizeof(printf_cases) / sizeof(printf_cases[0]);

	for (unsigned long i = 0; i < n; i++) {
		const struct printf_case *c = &printf_cases[i];
		int len = snprintf(buf, sizeof(buf), c->fmt, from_bits(c->bits));

		if ((len != (int)strlen(c->text) || strcmp(buf, c->text) != 0) && bad++ < 5)
			printf("FAIL: %s of %a: got %.80s, want %.80s\n", c->fmt, from_bits(c->bits),
			       buf, c->text);
	}
	CHECK_EQ("printf cases unlike the host's", bad, 0);
	printf("dtoa: %lu printf cases computed on the host: %lu differ\n", n, bad);
}

static void strtod_host_cases(void)
{
	unsigned long bad = 0, n = sizeof(strtod_cases) / sizeof(strtod_cases[0]);

	for (unsigned long i = 0; i < n; i++) {
		const struct strtod_case *c = &strtod_cases[i];
		char *end;
		double v = strtod(c->text, &end), s = 0;

		if ((to_bits(v) != c->bits || *end) && bad++ < 5)
			printf("FAIL: strtod(%.60s...) = %a, want %a\n", c->text, v, from_bits(c->bits));
		if ((sscanf(c->text, "%lf", &s) != 1 || to_bits(s) != c->bits) && bad++ < 5)
			printf("FAIL: sscanf(%.60s...) = %a, want %a\n", c->text, s, from_bits(c->bits));
	}
	CHECK_EQ("strtod cases unlike the host's", bad, 0);
	printf("dtoa: %lu strtod cases computed on the host: %lu differ\n", n, bad);
}

static void known(void)
{
	char buf[80];

	/* the two, printed for the console's regexes */
	printf("dtoa: %%.17g of 1.0/3 is %.17g\n", 1.0 / 3);
	printf("dtoa: %%.20f of 0.1 is %.20f\n", 0.1);
	snprintf(buf, sizeof(buf), "%.17g|%.20f|%.0f|%.0f|%.0f", 1.0 / 3, 0.1, 0.5, 1.5, 2.5);
	CHECK("known digits", strcmp(buf, "0.33333333333333331|0.10000000000000000555|0|2|2") == 0);
	errno = 0;
	CHECK("1e309 is infinity, ERANGE", isinf(strtod("1e309", NULL)) && errno == ERANGE);
	errno = 0;
	CHECK("1e-400 is 0, ERANGE", strtod("1e-400", NULL) == 0 && errno == ERANGE);
	errno = 0;
	CHECK("4.9e-324 is the smallest subnormal, ERANGE",
	      to_bits(strtod("4.9e-324", NULL)) == 1 && errno == ERANGE);
	errno = 0;
	CHECK("0.1: no ERANGE", strtod("0.1", NULL) == 0.1 && errno == 0);
	CHECK("strtof rounds once", strtof("1.00000005960464477539062500001", NULL) ==
					    1.00000011920928955078125f);
	CHECK("atof", atof("2.5e-3") == 0.0025);
	/* picolibc's other ways into its printf: wrapped too */
	strfromd(buf, sizeof(buf), "%.17g", 1.0 / 3);
	CHECK("strfromd", strcmp(buf, "0.33333333333333331") == 0);
	gcvt(0.1, 20, buf);
	CHECK("gcvt", strcmp(buf, "0.10000000000000000555") == 0);
	/* a stream, and scanf from one (closing the memory stream writes a
	 * NUL where the reading stopped: its text is checked before that) */
	{
		FILE *f = fmemopen(buf, sizeof(buf), "w+");
		double d = 0;

		CHECK("fmemopen", f != NULL);
		if (f) {
			fprintf(f, "%d %.20f %s\n", 7, 0.1, "x");
			fflush(f);
			CHECK("fprintf's text", strcmp(buf, "7 0.10000000000000000555 x\n") == 0);
			rewind(f);
			CHECK("fscanf", fscanf(f, "%*d %lf", &d) == 1 && d == 0.1);
			fclose(f);
		}
	}
}

int main(void)
{
	splitmix_state = 1;
	known();
	round_trips();
	printf_host_cases();
	strtod_host_cases();
	return check_report("dtoa");
}
