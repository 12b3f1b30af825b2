/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process table is full at CONFIG_MAX_PROCS slots, the first process
 * included: spawn must then fail with -RV_ENOMEM, zombies keep their slots
 * until waited for, and the slots come back for new processes. Three rounds,
 * so a slot is reused by a process that sleeps where a killed one slept.
 */
#include <rvos/user.h>
#include "check.h"

#define MAX_CHILDREN 64

static long procs_used(void)
{
	struct rv_kstats ks;

	if (rv_kstats(&ks))
		return -1;
	return (long)ks.procs_used;
}

int main(void)
{
	static long pids[MAX_CHILDREN];
	static long old_pids[MAX_CHILDREN];
	struct rv_exit_info info;
	struct rv_kstats ks;
	int old_n = 0;

	CHECK_EQ("kstats", rv_kstats(&ks), 0);
	CHECK_EQ("procs_max", ks.procs_max, CONFIG_MAX_PROCS);
	CHECK_EQ("procs_used at start (just us)", ks.procs_used, 1);

	for (int round = 0; round < 3; round++) {
		long r = 0;
		int n = 0;

		/* Half of them run at once (priority 7 > ours) and go to sleep;
		 * the others (priority 12) are still ready when they are killed. */
		while (n < MAX_CHILDREN) {
			r = rv_spawn("sleeper", NULL, n % 2 ? 12 : 7);
			if (r < 0)
				break;
			pids[n++] = r;
		}
		CHECK_EQ("children spawned before the table is full", n, CONFIG_MAX_PROCS - 1);
		CHECK_EQ("spawn into a full table", r, -RV_ENOMEM);
		CHECK_EQ("procs_used when full", procs_used(), CONFIG_MAX_PROCS);
		CHECK_EQ("spawn of another program into a full table", rv_spawn("tiny", NULL, 8),
			 -RV_ENOMEM);
		CHECK_EQ("spawn of a missing program into a full table", rv_spawn("nothing", NULL, 8),
			 -RV_ENOENT);
		for (int i = 0; i < n; i++) {
			for (int j = 0; j < old_n; j++)
				CHECK("a new pid differs from the reaped ones", pids[i] != old_pids[j]);
		}
		printf("limit: round %d: %d children, then spawn: %s with %ld of %d slots used\n",
		       round, n, rv_strerror((int)r), procs_used(), CONFIG_MAX_PROCS);

		for (int i = 0; i < n; i++)
			CHECK_EQ("kill child", rv_kill((int)pids[i]), 0);
		/* Killed but not waited for: zombies hold their slots. */
		CHECK_EQ("procs_used with zombies", procs_used(), CONFIG_MAX_PROCS);
		CHECK_EQ("spawn while zombies hold every slot", rv_spawn("tiny", NULL, 8), -RV_ENOMEM);
		for (int i = n - 1; i >= 0; i--) {
			CHECK_EQ("wait for killed child", rv_wait((int)pids[i], &info), pids[i]);
			CHECK_EQ("killed child: reason", info.reason, RV_EXIT_KILLED);
		}
		CHECK_EQ("procs_used after reaping", procs_used(), 1);
		CHECK_EQ("wait with no children left", rv_wait(-1, &info), -RV_ECHILD);

		/* A slot is free again. */
		r = rv_spawn("tiny", (const char *const[]){"a", "b", NULL}, 8);
		CHECK("spawn after the slots came back", r > 0);
		CHECK_EQ("wait for it", rv_wait((int)r, &info), r);
		CHECK_EQ("its reason", info.reason, RV_EXIT_NORMAL);
		CHECK_EQ("its code", info.code, 2);
		for (int i = 0; i < n; i++)
			old_pids[i] = pids[i];
		old_n = n;
	}
	CHECK_EQ("procs_used at the end", procs_used(), 1);
	return check_report("limit");
}
