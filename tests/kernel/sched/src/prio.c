/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixed priorities: the highest-priority ready process always runs.
 * We run at priority 8 and spawn, in this order:
 *   low    at 10: ready from then on, but we and everything else come first;
 *   sleepy at 3:  runs at once (3 beats 8), sleeps 10 ms;
 *   busy   at 2:  runs at once, spins 50 ms of clock time.
 * Waking up at 10 ms, sleepy must still wait for busy (2 beats 3), and our
 * spawn(busy) call returns only when busy is done. Then sleepy runs, then
 * we do, and low only when we block in wait(). Each child exits with the
 * clock (in microseconds) at the moment that tells the order.
 */
#include <rvos/user.h>
#include "check.h"

static long run_wait(long pid, int *code)
{
	struct rv_exit_info info;
	long r = rv_wait((int)pid, &info);

	*code = info.code;
	CHECK_EQ("child exits normally", info.reason, RV_EXIT_NORMAL);
	return r;
}

int main(void)
{
	int low_start, sleepy_woke, busy_end;
	uint64_t before, after;
	long low, sleepy, busy;

	low = rv_spawn("low", NULL, 10);
	CHECK("spawn low", low > 0);
	sleepy = rv_spawn("sleepy", NULL, 3);
	CHECK("spawn sleepy", sleepy > 0);
	printf("prio: low (10) is ready, sleepy (3) is asleep; spawning busy (2)\n");
	before = rv_clock_ns();
	busy = rv_spawn("busy", NULL, 2);
	after = rv_clock_ns();
	CHECK("spawn busy", busy > 0);
	printf("prio: spawn(busy) returned after %lu ms\n", (unsigned long)((after - before) / 1000000));
	CHECK("busy ran to its end inside our spawn call (>= 50 ms)", after - before >= 50000000);

	CHECK_EQ("wait busy", run_wait(busy, &busy_end), busy);
	CHECK_EQ("wait sleepy", run_wait(sleepy, &sleepy_woke), sleepy);
	CHECK_EQ("wait low", run_wait(low, &low_start), low);
	printf("prio: busy ended at %d us, sleepy ran at %d us, low started at %d us\n", busy_end,
	       sleepy_woke, low_start);
	CHECK("sleepy (3) woke up only after busy (2) was done", sleepy_woke >= busy_end);
	CHECK("low (10) started only after busy (2) was done", low_start >= busy_end);
	CHECK("low (10) started only after sleepy (3)", low_start >= sleepy_woke);
	return check_report("prio");
}
