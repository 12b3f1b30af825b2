/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the benchmark programs share: telling whether rdinstret counts
 * instructions exactly (QEMU -icount), the BENCH line format with its
 * budget check, and a word-at-a-time copy for bulk data.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <rvos/user.h>

static const char *bench_unit = "instructions";
static uint64_t bench_rng = 0x9e3779b97f4a7c15ull; /* bench_rand's state: seed it */
static int bench_exact;  /* rdinstret counts instructions exactly */
static int bench_failed; /* a budget was exceeded: the exit status */

/* xorshift64: the same sequence from the same seed (bench_rng). */
static inline uint64_t bench_rand(void)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return bench_rng;
}

/* Instructions retired over a loop of exactly 2n + 1 instructions. */
static inline uint64_t counted_loop(unsigned long n)
{
	uint64_t t0, t1;

	__asm__ volatile("rdinstret %0\n\t"
			 "mv t0, %2\n"
			 "1:\taddi t0, t0, -1\n\t"
			 "bnez t0, 1b\n\t"
			 "rdinstret %1"
			 : "=&r"(t0), "=&r"(t1)
			 : "r"(n)
			 : "t0");
	return t1 - t0;
}

/* rdinstret counts instructions exactly when 1000 more loop rounds cost
 * exactly 2000 more (a timer interrupt may spoil one try, not five). Says
 * which on the console; without it the figures are host ticks. */
static inline void bench_start(void)
{
	for (int i = 0; i < 5 && !bench_exact; i++) {
		uint64_t a = counted_loop(1000), b = counted_loop(2000);

		bench_exact = b - a == 2000;
	}
	if (bench_exact) {
		printf("bench: rdinstret counts instructions exactly (QEMU -icount)\n");
	} else {
		bench_unit = "host-ticks";
		printf("bench: rdinstret is not an instruction count here (QEMU without -icount): "
		       "figures in host ticks, budgets not checked; run `rv flash --icount`\n");
	}
}

/* What rdinstret counted while the hart waited idle in wfi (for the
 * host's disk, a timer...): under -icount that waiting advances instret
 * too (doc/syscalls.md, kstats' idle_instret). */
static inline uint64_t bench_idle_instret(void)
{
	struct rv_kstats k;

	return rv_kstats(&k) == 0 ? k.idle_instret : 0;
}

/* rdinstret less the idle part: the difference of two readings is the
 * instructions run in between, plus one kstats call. Where that call
 * matters, take bench_idle_instret() before the first rv_instret() and
 * after the last one, and subtract its difference (bench_busy_between). */
static inline uint64_t bench_busy_instret(void)
{
	uint64_t idle = bench_idle_instret();

	return rv_instret() - idle;
}

/* Instructions between rv_instret() readings t0 and t1, less the idle
 * ones; i0 taken just before t0, i1 just after t1. */
static inline uint64_t bench_busy_between(uint64_t i0, uint64_t t0, uint64_t t1, uint64_t i1)
{
	return t1 - t0 - (i1 - i0);
}

/* Instructions run since idle_instret i0 and rdinstret t0 (taken in that
 * order), less the hart's idle wait in between: a figure that normally
 * waits for nothing stays exact, and one that does wait once (a dirty block
 * evicted, the journal out of room) does not count the host's disk time,
 * which instret advances by under -icount (a loaded host once made
 * files_bench's file_create 262,770 instead of about 21,000). */
static inline uint64_t bench_busy_since(uint64_t i0, uint64_t t0)
{
	uint64_t t1 = rv_instret();

	return bench_busy_between(i0, t0, t1, bench_idle_instret());
}

/* BENCH <name> <value> <unit> (unit NULL: instructions or host ticks);
 * over a non-zero budget, when counting is exact: BENCH_FAIL. */
static inline void bench_report(const char *name, uint64_t value, const char *unit,
				uint64_t budget)
{
	printf("BENCH %s %lu %s\n", name, (unsigned long)value, unit ? unit : bench_unit);
	if (bench_exact && budget && value > budget) {
		printf("BENCH_FAIL %s: %lu, budget %lu\n", name, (unsigned long)value,
		       (unsigned long)budget);
		bench_failed = 1;
	}
}

/* Copy n bytes (a multiple of 64, 8-aligned) a word at a time: what a
 * program moving bulk data would do; picolibc's memcpy here goes byte by
 * byte and would swamp what the benchmark is about. */
static inline void copy64(void *dst, const void *src, uint32_t n)
{
	uint64_t *d = dst;
	const uint64_t *s = src;

	for (uint32_t i = 0; i < n / 8; i += 8) {
		uint64_t a = s[i], b = s[i + 1], c = s[i + 2], e = s[i + 3];
		uint64_t f = s[i + 4], g = s[i + 5], h = s[i + 6], k = s[i + 7];
		d[i] = a;
		d[i + 1] = b;
		d[i + 2] = c;
		d[i + 3] = e;
		d[i + 4] = f;
		d[i + 5] = g;
		d[i + 6] = h;
		d[i + 7] = k;
	}
}

#endif /* BENCH_H */
