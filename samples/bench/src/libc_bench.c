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
 *   spawn_picolibc_env_1k  the same with 16 environment variables
 *                   (ENV_VARS x ENV_VAR_BYTES = 1,008 bytes, NULs included)
 *                   passed to each child (rv_spawn passes environ): their
 *                   copy in and onto the child's stack, picolibc's environ
 *   printf_1k       1 KiB through stdout with printf: 16 lines of 64 bytes,
 *                   each with a %2d and a %s, written to the console (one
 *                   call of the console service, or one debug_write to
 *                   the kernel's console, per line)
 *   time_realtime   one time(): gettimeofday, the clock system call reading
 *                   the board's real-time clock (two MMIO reads)
 *   clock_monotonic one clock_gettime(CLOCK_MONOTONIC): the timer, for
 *                   comparison
 * Budgets (regression guards): spawn_picolibc <= 270,000 (about twice the
 * figure of 132,310 when it was set); spawn_picolibc_env_1k <= 270,000 as
 * well; time_realtime <= TIME_BUDGET, clock_monotonic <= CLOCK_BUDGET (a
 * little above their figures); printf_1k <= PRINTF_1K_BUDGET through the
 * console service (39,439: the kernel's and the console server's share
 * included, sample.bench.libc_console; the goal is 40,000),
 * PRINTF_1K_BUDGET_KERNEL straight to the kernel's console (45,903,
 * sample.bench.libc: its debug_write goes a byte per LSR check).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rvos/console.h>
#include <rvos/user.h>
#include "bench.h"

#define SPAWNS 20
#define LINES 16
#define LINE_BYTES 64

#define BUDGET_SPAWN_PICOLIBC 270000
#define ENV_VARS 16
#define ENV_VAR_BYTES 63 /* "E00=" + 58 x's + the NUL */
#define CLOCK_CALLS 1000
#define TIME_BUDGET 400
#define CLOCK_BUDGET 400
#define PRINTF_1K_BUDGET 41000
#define PRINTF_1K_BUDGET_KERNEL 47500

static void bench_spawn_picolibc(const char *name)
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
			printf("\nBENCH_FAIL %s: round %d: spawn %ld\n", name, i, pid);
			bench_failed = 1;
			return;
		}
	}
	t1 = rv_instret();
	t0 = bench_busy_between(i0, t0, t1, bench_idle_instret());
	printf("\n");
	bench_report(name, t0 / SPAWNS, NULL, BUDGET_SPAWN_PICOLIBC);
}

/* ENV_VARS variables of ENV_VAR_BYTES each (NUL included) in environ. */
static void set_env_1k(void)
{
	char name[8], value[ENV_VAR_BYTES];

	memset(value, 'x', sizeof(value));
	value[ENV_VAR_BYTES - 5] = '\0'; /* "Enn=" + the value + its NUL */
	for (int i = 0; i < ENV_VARS; i++) {
		snprintf(name, sizeof(name), "E%02d", i);
		setenv(name, value, 1);
	}
}

/* Instructions per call of fn, over CLOCK_CALLS calls (no idle time: the
 * calls never wait). */
static void bench_clock(const char *name, void (*fn)(void), uint64_t budget)
{
	uint64_t t0, t1;

	fn();
	t0 = rv_instret();
	for (int i = 0; i < CLOCK_CALLS; i++)
		fn();
	t1 = rv_instret();
	bench_report(name, (t1 - t0) / CLOCK_CALLS, NULL, budget);
}

static void call_time(void)
{
	volatile time_t t = time(NULL);

	(void)t;
}

static void call_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	__asm__ volatile("" : : "r"(&ts) : "memory");
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
	bench_report("printf_1k", t1 - t0, NULL,
		     console_handle() != RV_HANDLE_INVALID ? PRINTF_1K_BUDGET :
							     PRINTF_1K_BUDGET_KERNEL);
}

int main(void)
{
	bench_start();
	bench_spawn_picolibc("spawn_picolibc");
	set_env_1k();
	bench_spawn_picolibc("spawn_picolibc_env_1k");
	bench_printf_1k();
	bench_clock("time_realtime", call_time, TIME_BUDGET);
	bench_clock("clock_monotonic", call_monotonic, CLOCK_BUDGET);
	return bench_failed;
}
