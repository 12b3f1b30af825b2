/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sleeping: on time (generous bounds: QEMU without -icount runs in real time
 * on a busy host), in deadline order, forever until killed, and a sleeper
 * wakes up even while a lower-priority process spins.
 */
#include <rvos/user.h>
#include "check.h"

#define MS 1000000ULL

static uint64_t timed_sleep(uint64_t ns)
{
	uint64_t t0 = rv_clock_ns();

	CHECK_EQ("sleep returns 0", rv_sleep_ns(ns), 0);
	return rv_clock_ns() - t0;
}

int main(void)
{
	static const char *const order[] = {"30", "10", "20"};
	struct rv_exit_info info;
	uint64_t e;
	long pid, forever, spinner;

	e = timed_sleep(20 * MS);
	printf("sleep: 20 ms took %lu us\n", (unsigned long)(e / 1000));
	CHECK("sleep 20 ms: at least 20 ms", e >= 20 * MS);
	CHECK("sleep 20 ms: less than 200 ms", e < 200 * MS);
	e = timed_sleep(0);
	CHECK("sleep 0: returns at once (< 20 ms)", e < 20 * MS);
	e = timed_sleep(1);
	CHECK("sleep 1 ns: returns at once (< 20 ms)", e < 20 * MS);

	/* Deadline order: children (priority 7, they run at once) sleep
	 * 30, 10 and 20 ms and exit with that number. */
	for (int i = 0; i < 3; i++) {
		const char *const args[] = {order[i], NULL};
		CHECK("spawn sleeper", rv_spawn("sleeper", args, 7) > 0);
	}
	for (int want = 10; want <= 30; want += 10) {
		pid = rv_wait(-1, &info);
		CHECK("wait(-1) for a sleeper", pid > 0);
		CHECK_EQ("sleepers end in deadline order", info.code, want);
	}

	/* One that sleeps forever (UINT64_MAX ns) does not keep us asleep. */
	forever = rv_spawn("sleeper", (const char *const[]){"forever", NULL}, 7);
	CHECK("spawn forever sleeper", forever > 0);
	e = timed_sleep(10 * MS);
	CHECK("sleep 10 ms next to a forever sleeper: < 200 ms", e >= 10 * MS && e < 200 * MS);
	CHECK_EQ("kill forever sleeper", rv_kill((int)forever), 0);
	CHECK_EQ("wait forever sleeper", rv_wait((int)forever, &info), forever);
	CHECK_EQ("forever sleeper was killed", info.reason, RV_EXIT_KILLED);

	/* A spinner at priority 12 has the hart while we sleep; our wake-up
	 * (priority 8) must preempt it. */
	spinner = rv_spawn("spinner", (const char *const[]){"low", "100000", NULL}, 12);
	CHECK("spawn low spinner", spinner > 0);
	e = timed_sleep(20 * MS);
	printf("sleep: 20 ms next to a spinning lower process took %lu us\n",
	       (unsigned long)(e / 1000));
	CHECK("sleep 20 ms while a lower process spins: 20..200 ms", e >= 20 * MS && e < 200 * MS);
	CHECK_EQ("kill spinner", rv_kill((int)spinner), 0);
	CHECK_EQ("wait spinner", rv_wait((int)spinner, &info), spinner);
	CHECK_EQ("spinner was killed", info.reason, RV_EXIT_KILLED);
	return check_report("sleep");
}
