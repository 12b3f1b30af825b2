/* SPDX-License-Identifier: Apache-2.0 */
/*
 * C-library benchmarks, in instructions retired (see bench.c: exact only
 * under `rv flash --icount`, else host ticks and no budget checked).
 *
 * One line per figure: BENCH <name> <value> <unit>
 *   spawn_picolibc  rv_spawn + the whole life of printf_tiny (picolibc's
 *                   start-up, one printf of one character, exit with its
 *                   flush: a debug_write) + rv_wait; per cycle of the three,
 *                   over SPAWNS cycles. Compare spawn_exit_wait (bench.c),
 *                   the same for a program that prints nothing.
 *   printf_1k       1 KiB through stdout with printf: 16 lines of 64 bytes,
 *                   each with a %2d and a %s, written to the console (one
 *                   system call per line)
 * Budget (a regression guard, about twice the figure of 132,310 when it
 * was set): spawn_picolibc <= 270,000. printf_1k has none: where stdout
 * goes (the kernel's console here, a console service elsewhere) decides
 * its cost.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <rvos/user.h>
#include "bench.h"

#define SPAWNS 20
#define LINES 16
#define LINE_BYTES 64

#define BUDGET_SPAWN_PICOLIBC 270000

static void bench_spawn_picolibc(void)
{
	struct rv_exit_info info;
	uint64_t i0, t0, t1;
	long pid;

	printf("libc_bench: %d printf_tiny children, one dot each: ", SPAWNS + 1);
	fflush(stdout); /* the dots come after it */
	/* One untimed round first: the same path, nothing cached differently. */
	pid = rv_spawn("printf_tiny", NULL, 8);
	rv_wait((int)pid, &info);
	i0 = bench_idle_instret();
	t0 = rv_instret();
	for (int i = 0; i < SPAWNS; i++) {
		pid = rv_spawn("printf_tiny", NULL, 8);
		if (pid < 0 || rv_wait((int)pid, &info) != pid || info.reason != RV_EXIT_NORMAL ||
		    info.code != 0) {
			printf("\nBENCH_FAIL spawn_picolibc: round %d: spawn %ld\n", i, pid);
			bench_failed = 1;
			return;
		}
	}
	t1 = rv_instret();
	t0 = bench_busy_between(i0, t0, t1, bench_idle_instret());
	printf("\n");
	bench_report("spawn_picolibc", t0 / SPAWNS, NULL, BUDGET_SPAWN_PICOLIBC);
}

static void bench_printf_1k(void)
{
	static const char filler[] = "the quick brown fox jumps over the lazy dog 0123456";
	uint64_t t0, t1;
	int bytes = 0;

	/* "libc_bench: printf_1k NN " (25) + 38 of the filler + "\n" = 64. */
	_Static_assert(sizeof(filler) - 1 >= LINE_BYTES - 26, "filler too short");
	t0 = rv_instret();
	for (int i = 0; i < LINES; i++)
		bytes += printf("libc_bench: printf_1k %2d %.*s\n", i, LINE_BYTES - 26, filler);
	t1 = rv_instret();
	if (bytes != LINES * LINE_BYTES) {
		printf("BENCH_FAIL printf_1k: printf wrote %d bytes, not %d\n", bytes,
		       LINES * LINE_BYTES);
		bench_failed = 1;
		return;
	}
	bench_report("printf_1k", t1 - t0, NULL, 0);
}

int main(void)
{
	bench_start();
	bench_spawn_picolibc();
	bench_printf_1k();
	return bench_failed;
}
