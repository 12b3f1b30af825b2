/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Nothing leaks: every kernel counter of frames and process slots is back
 * where it was after many processes came and went, in every way a process
 * can end (exit, fault, kill while ready or asleep, orphaned) and after
 * spawns that failed.
 */
#include <string.h>
#include <rvos/user.h>
#include "check.h"

#define CYCLES 1000

static void print_stats(const char *when, const struct rv_kstats *k)
{
	printf("leak: %s: frames_free=%lu frames_page_tables=%lu frames_user=%lu "
	       "frames_kernel_stacks=%lu frames_kernel_pools=%lu procs_used=%lu\n", when,
	       (unsigned long)k->frames_free, (unsigned long)k->frames_page_tables,
	       (unsigned long)k->frames_user, (unsigned long)k->frames_kernel_stacks,
	       (unsigned long)k->frames_kernel_pools, (unsigned long)k->procs_used);
}

static void compare(const char *phase, const struct rv_kstats *a, const struct rv_kstats *b)
{
	char what[96];

#define SAME(field)                                                                        \
	do {                                                                               \
		snprintf(what, sizeof(what), "%s: " #field " came back", phase);           \
		CHECK_EQ(what, b->field, a->field);                                        \
	} while (0)
	SAME(frames_free);
	SAME(frames_page_tables);
	SAME(frames_user);
	SAME(frames_kernel_stacks);
	SAME(frames_kernel_pools);
	SAME(procs_used);
	SAME(frames_total);
}

/* Spawn, wait, check how it ended; 1 when all went as expected. */
static int cycle(const char *name, const char *const argv[], unsigned int prio, int reason,
		 int code, int kill)
{
	static unsigned int reported;
	struct rv_exit_info info = {.reason = -1, .code = -1};
	long pid = rv_spawn(name, argv, prio), r = 0, w = 0;

	if (pid > 0 && kill)
		r = rv_kill((int)pid);
	if (pid > 0)
		w = rv_wait((int)pid, &info);
	if (pid > 0 && r == 0 && w == pid && info.reason == reason && info.code == code)
		return 1;
	if (reported++ < 5)
		printf("leak: %s %s at priority %u%s: spawn %ld, kill %ld, wait %ld, reason %d code %d\n",
		       name, argv && argv[0] ? argv[0] : "", prio, kill ? " (killed)" : "", pid, r, w,
		       info.reason, info.code);
	return 0;
}

int main(void)
{
	struct rv_kstats start, ks;
	unsigned int bad = 0;
	long pids[CONFIG_MAX_PROCS];
	int n;

	CHECK_EQ("kstats", rv_kstats(&start), 0);
	print_stats("before", &start);

	/* 1. The plain cycle, many times. */
	for (int i = 0; i < CYCLES; i++)
		bad += !cycle("tiny", NULL, i % 2 ? 7 : 9, RV_EXIT_NORMAL, 0, 0);
	CHECK_EQ("spawn/exit/wait cycles that went wrong", bad, 0);
	rv_kstats(&ks);
	printf("leak: %d spawn/exit/wait cycles done\n", CYCLES);
	print_stats("after", &ks);
	compare("exit", &start, &ks);

	/* 2. Every other way to end, and spawns that fail. */
	bad = 0;
	for (int i = 0; i < 100; i++) {
		static const char *const args3[] = {"x", "yy", "zzz", NULL};
		static const char *const sleep_long[] = {NULL};
		static const char *const fault[] = {"load_user_base", NULL};

		bad += !cycle("tiny", args3, 8, RV_EXIT_NORMAL, 3, 0);
		bad += !cycle("sleeper", sleep_long, 7, RV_EXIT_KILLED, 0, 1);	/* asleep */
		bad += !cycle("sleeper", sleep_long, 12, RV_EXIT_KILLED, 0, 1);	/* ready */
		bad += !cycle("tiny", (const char *const[]){"orphan", NULL}, 7, RV_EXIT_NORMAL, 0, 0);
		bad += !cycle("tiny", (const char *const[]){"orphan_sleep", NULL}, 7, RV_EXIT_NORMAL,
			      0, 0);
		bad += rv_spawn("no_such_program", NULL, 8) != -RV_ENOENT;
		bad += rv_spawn("tiny", NULL, CONFIG_NUM_PRIORITIES) != -RV_EINVAL;
		if (i % 10 == 0)	/* each prints a fault line */
			bad += !cycle("crash", fault, 8, RV_EXIT_FAULT, 13, 0);
	}
	/* A full table and a spawn that fails for lack of a slot. */
	for (n = 0; n < CONFIG_MAX_PROCS; n++) {
		pids[n] = rv_spawn("sleeper", NULL, 7);
		if (pids[n] < 0)
			break;
	}
	CHECK_EQ("table full", pids[n], -RV_ENOMEM);
	for (int i = 0; i < n; i++) {
		rv_kill((int)pids[i]);
		rv_wait((int)pids[i], NULL);
	}
	CHECK_EQ("mixed cycles that went wrong", bad, 0);
	/* Let the sleeping orphans wake up and end. */
	rv_sleep_ns(20 * 1000000ULL);
	rv_kstats(&ks);
	print_stats("after kill, fault, orphans, failed spawns", &ks);
	compare("mixed", &start, &ks);
	return check_report("leak");
}
