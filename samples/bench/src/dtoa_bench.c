/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Printing and reading doubles, in instructions retired per call (see
 * bench.h: exact only under `rv flash --icount`, else host ticks and no
 * budget checked). rvOS's printf and strtod are exact (lib/src/dtoa.c on
 * big integers); picolibc's, which they replace, keep 17 digits at most
 * (ryu): its figures are the comparison.
 *
 * One line per figure: BENCH <name> <value> <unit>, each an average over
 * N doubles: "random" ones are random bit patterns (finite): exponents
 * spread evenly from 1e-308 to 1e308, the big integers' worst case;
 * "typical" ones are short decimals between 1e-5 and 1e15 (123.456).
 *   printf_17g_random, printf_17g_typical
 *                       snprintf(buf, size, "%.17g", x)
 *   printf_17g_random_picolibc, printf_17g_typical_picolibc
 *                       picolibc's own vfprintf (which rvOS's wraps) with
 *                       "%.17g" on a stream into memory; rvOS's the same
 *                       way: printf_17g_random_stream (the stream's own
 *                       cost is in both)
 *   strtod_17g_random, strtod_17g_typical
 *                       strtod of those texts (%.17g's)
 *   strtod_17g_random_picolibc, strtod_17g_typical_picolibc
 *                       picolibc's strtod (its object from libc.a, renamed
 *                       pico_strtod at build time: CMakeLists.txt)
 * Budgets: a little above the figures when they were set (see
 * sample.yaml); the picolibc figures have none.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>
#include "bench.h"

#define N 2000
#define TEXT_MAX 32

#define BUDGET_PRINTF_RANDOM 4700
#define BUDGET_PRINTF_TYPICAL 2400
#define BUDGET_STRTOD_RANDOM 4100
#define BUDGET_STRTOD_TYPICAL 1450

int __real_vfprintf(FILE *f, const char *fmt, va_list ap); /* picolibc's (cmake/user.cmake) */
double pico_strtod(const char *s, char **end);

static double values[N];
static char texts[N][TEXT_MAX];

/* A stream that writes into mem[] (a new text at each rewind_mem). */
static char mem[64];
static size_t mem_len;

static int mem_put(char c, FILE *f)
{
	(void)f;
	if (mem_len < sizeof(mem) - 1)
		mem[mem_len++] = c;
	return (unsigned char)c;
}

static FILE mem_stream = FDEV_SETUP_STREAM(mem_put, NULL, NULL, _FDEV_SETUP_WRITE);

static int pico_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = __real_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

static void fill(bool typical)
{
	for (int i = 0; i < N; i++) {
		double v;

		if (typical) {
			v = (double)(int64_t)(bench_rand() % 1000000000) / 1000 *
			    pow(10, (double)(int)(bench_rand() % 18) - 6);
		} else {
			uint64_t b = bench_rand();

			memcpy(&v, &b, sizeof(v));
			if (!isfinite(v))
				v = 1.5;
		}
		values[i] = v;
	}
}

/* Instructions per call of what `what` does with values[i] / texts[i]. */
static uint64_t per_call(int what)
{
	volatile double sink = 0;
	uint64_t i0 = bench_idle_instret(), t0 = rv_instret(), t1, i1;

	for (int i = 0; i < N; i++) {
		switch (what) {
		case 0:
			snprintf(texts[i], TEXT_MAX, "%.17g", values[i]);
			break;
		case 1:
			mem_len = 0;
			fprintf(&mem_stream, "%.17g", values[i]);
			break;
		case 2:
			mem_len = 0;
			pico_printf(&mem_stream, "%.17g", values[i]);
			break;
		case 3:
			sink = strtod(texts[i], NULL);
			break;
		default:
			sink = pico_strtod(texts[i], NULL);
			break;
		}
	}
	t1 = rv_instret();
	i1 = bench_idle_instret();
	(void)sink;
	return bench_busy_between(i0, t0, t1, i1) / N;
}

/* The texts must read back as the values, or the figures mean nothing. */
static void check_round_trip(const char *name)
{
	for (int i = 0; i < N; i++) {
		if (strtod(texts[i], NULL) != values[i]) {
			printf("BENCH_FAIL %s: %s does not read back as %a\n", name, texts[i],
			       values[i]);
			bench_failed = 1;
			return;
		}
	}
}

static void bench_set(const char *set, bool typical, uint64_t budget_printf,
		      uint64_t budget_strtod)
{
	char name[64];

	fill(typical);
	per_call(0); /* warm: the same path, nothing cached differently */
	snprintf(name, sizeof(name), "printf_17g_%s", set);
	bench_report(name, per_call(0), NULL, budget_printf);
	check_round_trip(name);
	if (!typical) {
		snprintf(name, sizeof(name), "printf_17g_%s_stream", set);
		bench_report(name, per_call(1), NULL, 0);
	}
	snprintf(name, sizeof(name), "printf_17g_%s_picolibc", set);
	bench_report(name, per_call(2), NULL, 0);
	snprintf(name, sizeof(name), "strtod_17g_%s", set);
	bench_report(name, per_call(3), NULL, budget_strtod);
	snprintf(name, sizeof(name), "strtod_17g_%s_picolibc", set);
	bench_report(name, per_call(4), NULL, 0);
}

int main(void)
{
	bench_rng = 0x243f6a8885a308d3ull;
	bench_start();
	printf("dtoa_bench: %d doubles a figure; %%.17g of 1.0/3: %.17g\n", N, 1.0 / 3);
	mem_len = 0;
	pico_printf(&mem_stream, "%.17g", 1.0 / 3);
	mem[mem_len] = 0;
	printf("dtoa_bench: picolibc's %%.17g of 1.0/3: %s\n", mem);
	bench_set("random", false, BUDGET_PRINTF_RANDOM, BUDGET_STRTOD_RANDOM);
	bench_set("typical", true, BUDGET_PRINTF_TYPICAL, BUDGET_STRTOD_TYPICAL);
	return bench_failed;
}
