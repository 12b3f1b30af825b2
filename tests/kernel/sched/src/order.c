/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a priority means (run as `order`, with CONFIG_SCHED_PRIORITIES on or
 * off; doc/processes.md, "Scheduling"). We run at CONFIG_DEFAULT_PRIORITY
 * and spawn a copy of ourselves at priority 0 (the highest) that exits at
 * once, then look at it with proc_list:
 *   on   it pre-empted us: it has ended (a zombie) when spawn returns;
 *   off  it waits its turn behind us, ready, its priority 0 kept and
 *        reported; it runs when we yield.
 * Both ways a priority of CONFIG_NUM_PRIORITIES or more is EINVAL. No
 * clock is read: the only timing is the slice (the scenario with it off
 * makes it 1 s, so that ours cannot end between spawn and proc_list).
 */
#include <string.h>
#include <rvos/user.h>
#include "check.h"

#define CHILD_CODE 7

static int child_state(long pid, uint32_t *prio)
{
	static struct rv_proc_info info[CONFIG_MAX_PROCS];
	long n = rv_proc_list(info, CONFIG_MAX_PROCS, 0);

	for (long i = 0; i < n; i++) {
		if (info[i].pid == pid) {
			*prio = info[i].priority;
			return (int)info[i].state;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *const child_args[] = {"child", NULL};
	struct rv_exit_info info;
	uint32_t prio = 99;
	long pid;

	if (argc > 1 && !strcmp(argv[1], "child"))
		return CHILD_CODE;

	CHECK_EQ("spawn at CONFIG_NUM_PRIORITIES is EINVAL",
		 rv_spawn("order", child_args, CONFIG_NUM_PRIORITIES), -RV_EINVAL);
	pid = rv_spawn("order", child_args, 0);
	CHECK("spawn at priority 0", pid > 0);
#ifdef CONFIG_SCHED_PRIORITIES
	CHECK_EQ("priority 0 pre-empted us: ended when spawn returned",
		 child_state(pid, &prio), RV_PROC_ZOMBIE);
	printf("order: the child of priority 0 ran first\n");
#else
	CHECK_EQ("one queue: the child of priority 0 waits behind us",
		 child_state(pid, &prio), RV_PROC_READY);
	CHECK_EQ("its priority is kept and reported", prio, 0);
	CHECK_EQ("yield", rv_yield(), 0);
	CHECK_EQ("it ran when we yielded", child_state(pid, &prio), RV_PROC_ZOMBIE);
	printf("order: the child of priority 0 waited its turn\n");
#endif /* CONFIG_SCHED_PRIORITIES */
	CHECK_EQ("its priority", prio, 0);
	CHECK_EQ("wait for it", rv_wait((int)pid, &info), pid);
	CHECK_EQ("its exit code", info.code, CHILD_CODE);
	return check_report("order");
}
