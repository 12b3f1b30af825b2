/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Round robin within a priority (run as `slices`: the first case; as
 * `slices_late`: the other two). Three cases, each with two processes of one
 * priority that spin ~100 ms of clock time and count the gaps (> 2 ms) in the
 * clock they see while other processes run (spin.h), i.e. the times they
 * were preempted; each must see one.
 *   together  A and B (priority 9) ready at once; we wait.
 *   late      B sleeps 20 ms first, so it becomes ready while A runs alone:
 *             its wake-up must start time slices. A counts only after 30 ms
 *             (before, B's start-up may have preempted it).
 *   spawned   we (priority 8) spawn C at priority 8 and spin ourselves: the
 *             new process must get slices of its own.
 */
#include <string.h>
#include <rvos/user.h>
#include "check.h"
#include "spin.h"

static long spawn_spinner(const char *name, const char *ms, const char *sleep_ms,
			  const char *skip_ms, unsigned prio)
{
	const char *const args[] = {name, ms, sleep_ms, skip_ms, NULL};

	return rv_spawn("spinner", args, prio);
}

static void expect_gaps(const char *what, long pid)
{
	struct rv_exit_info info;
	char msg[96];

	CHECK_EQ("wait for a spinner", rv_wait((int)pid, &info), pid);
	CHECK_EQ("spinner exits normally", info.reason, RV_EXIT_NORMAL);
	snprintf(msg, sizeof(msg), "%s: preempted at least once (%d times)", what, info.code);
	CHECK(msg, info.code >= 1);
}

int main(int argc, char **argv)
{
	struct spin_result r;
	long a, b, c;

	if (argc < 1 || strcmp(argv[0], "slices_late")) {
		printf("slices: together\n");
		a = spawn_spinner("A", "100", NULL, NULL, 9);
		b = spawn_spinner("B", "100", NULL, NULL, 9);
		expect_gaps("together: spinner A", a);
		expect_gaps("together: spinner B", b);
	} else {
		printf("slices: late\n");
		a = spawn_spinner("A", "200", "0", "30", 9);
		b = spawn_spinner("B", "100", "20", NULL, 9);
		expect_gaps("late: spinner A", a);
		expect_gaps("late: spinner B", b);

		printf("slices: spawned\n");
		c = spawn_spinner("C", "100", NULL, NULL, 8);
		r = spin_for(100 * 1000000ULL, 0);
		printf("slices: parent gaps=%d switches=%d (longest %lu us)\n", r.gaps, r.switches,
		       (unsigned long)(r.longest_gap_ns / 1000));
		CHECK("spawned: the parent was preempted at least once", spin_preempted(&r) >= 1);
		expect_gaps("spawned: spinner C", c);
	}
	return check_report("slices");
}
