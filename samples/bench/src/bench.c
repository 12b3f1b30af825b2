/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel micro-benchmarks, counted in instructions retired (rdinstret: every
 * instruction of the hart, kernel and firmware included). Exact only with
 * `rv flash --icount` (QEMU -icount shift=0); without it QEMU's instret is a
 * host tick counter, so the program first checks that it counts exactly:
 * if not, it prints the figures in host ticks and checks no budget.
 *
 * One line per figure: BENCH <name> <value> <unit>
 *   syscall_null     rv_getpid() round trip, empty-loop overhead subtracted
 *   yield_switch     one rv_yield() that switches to another process of the
 *                    same priority (half a round trip between two yielders)
 *   spawn_exit_wait  rv_spawn + the child's whole life + rv_wait, for `tiny`
 */
#include <stdint.h>
#include <rvos/user.h>
#include <stdio.h>
#include "bench.h"

#define SYSCALL_CALLS 10000
#define YIELDS 2000
#define SPAWNS 100

/* Budgets (instructions), checked only when counting is exact. */
#define BUDGET_SYSCALL_NULL 90 /* 86: the light trap path (doc/ipc.md, "Cost") */
#define BUDGET_YIELD_SWITCH 300 /* 281 */
#define BUDGET_SPAWN_EXIT_WAIT 300000

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

static uint64_t getpid_loop(unsigned int n)
{
	uint64_t t0 = rv_instret();

	for (unsigned int i = 0; i < n; i++)
		rv_getpid();
	return rv_instret() - t0;
}

static uint64_t empty_loop(unsigned int n)
{
	uint64_t t0 = rv_instret();

	for (unsigned int i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
	return rv_instret() - t0;
}

/* The bare trap: `li a7, 5; ecall` per round, minus the same loop without
 * them: what the kernel (and nothing else) spends on a null system call. */
static uint64_t bare_getpid_loop(unsigned long n, int with_ecall)
{
	uint64_t t0, t1;

	if (with_ecall)
		__asm__ volatile("rdinstret %0\n\t"
				 "mv t1, %2\n"
				 "1:\tli a7, 5\n\t"
				 "ecall\n\t"
				 "addi t1, t1, -1\n\t"
				 "bnez t1, 1b\n\t"
				 "rdinstret %1"
				 : "=&r"(t0), "=&r"(t1)
				 : "r"(n)
				 : "t1", "a0", "a7", "memory");
	else
		return counted_loop(n); /* the same loop without the trap */
	return t1 - t0;
}

static void bench_syscall_null(void)
{
	uint64_t best = UINT64_MAX, bare = UINT64_MAX;

	/* The best of three: an interrupt can only add instructions. */
	for (int round = 0; round < 3; round++) {
		uint64_t calls = getpid_loop(SYSCALL_CALLS);
		uint64_t loop = empty_loop(SYSCALL_CALLS);
		uint64_t per = calls > loop ? (calls - loop) / SYSCALL_CALLS : 0;

		best = min3(best, per, best);
		calls = bare_getpid_loop(SYSCALL_CALLS, 1);
		loop = bare_getpid_loop(SYSCALL_CALLS, 0);
		per = calls > loop ? (calls - loop) / SYSCALL_CALLS : 0;
		bare = min3(bare, per, bare);
	}
	/* A breakdown for whoever has to make it faster. */
	printf("bench: syscall_null: %lu %s from ecall to the next instruction, the rest is "
	       "rv_getpid() setting up its registers\n",
	       (unsigned long)(bare >= 2 ? bare - 2 : 0), bench_unit);
	bench_report("syscall_null", best, NULL, BUDGET_SYSCALL_NULL);
}

static void bench_yield_switch(void)
{
	char rounds[16], more[16];
	struct rv_exit_info info;
	long meter, partner;

	/* Both at priority 9 (below us): they start when we wait. The partner
	 * yields longer, so the meter always has someone to switch to. */
	snprintf(rounds, sizeof(rounds), "%d", YIELDS);
	snprintf(more, sizeof(more), "%d", YIELDS + 200);
	meter = rv_spawn("yielder", (const char *const[]){"measure", rounds, NULL}, 9);
	partner = rv_spawn("yielder", (const char *const[]){"partner", more, NULL}, 9);
	if (meter < 0 || partner < 0 || rv_wait((int)meter, &info) != meter ||
	    info.reason != RV_EXIT_NORMAL || info.code < 0) {
		printf("BENCH_FAIL yield_switch: the yielders did not run (%ld, %ld)\n", meter,
		       partner);
		bench_failed = 1;
		return;
	}
	rv_wait((int)partner, NULL);
	bench_report("yield_switch", (uint64_t)info.code, NULL, BUDGET_YIELD_SWITCH);
}

static void bench_spawn_exit_wait(void)
{
	struct rv_exit_info info;
	uint64_t i0, t0, t1, i1;
	long pid;

	/* One untimed round first: the same path, nothing cached differently. */
	pid = rv_spawn("tiny", NULL, 8);
	rv_wait((int)pid, &info);
	i0 = bench_idle_instret();
	t0 = rv_instret();
	for (int i = 0; i < SPAWNS; i++) {
		pid = rv_spawn("tiny", NULL, 8);
		if (pid < 0 || rv_wait((int)pid, &info) != pid || info.reason != RV_EXIT_NORMAL) {
			printf("BENCH_FAIL spawn_exit_wait: round %d: spawn %ld\n", i, pid);
			bench_failed = 1;
			return;
		}
	}
	t1 = rv_instret();
	i1 = bench_idle_instret();
	bench_report("spawn_exit_wait", bench_busy_between(i0, t0, t1, i1) / SPAWNS, NULL,
		     BUDGET_SPAWN_EXIT_WAIT);
}

int main(void)
{
	bench_start();
	bench_syscall_null();
	bench_yield_switch();
	bench_spawn_exit_wait();
	return bench_failed;
}
