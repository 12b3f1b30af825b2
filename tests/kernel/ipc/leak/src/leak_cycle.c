/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Two channels whose ends sit in each other's queues: A's end a1 holds a
 * message carrying B's end b0, and b0 holds a message carrying a1. Once
 * the handles of the other ends are closed, no process can reach either
 * channel. The documented promise (doc/ipc.md) is that a process's
 * counters come back when it ends and that closing every handle frees what
 * they held: so the kernel refuses the send that would close the cycle
 * (-ELOOP) and nothing is left behind. Checked in this process (close everything) and in a child (exit).
 */
#include <stdlib.h>
#include "../../common/ipc_test.h"

/* Build the cycle; returns the result of the second write. */
static long make_cycle(void)
{
	rv_handle_t a[2], b[2];
	uint8_t x = 1;
	struct rv_msg m;
	long r;

	if (rv_channel_create(a) != 0 || rv_channel_create(b) != 0)
		return -1000;
	/* b0 travels through a0: it waits in a1's queue */
	m = msg_of(&x, 1, &b[0], 1);
	r = rv_channel_write(a[0], &m, 0, 0);
	if (r != 0)
		return r;
	/* a1 travels through b1: it waits in b0's queue (b0 is in flight) */
	m = msg_of(&x, 1, &a[1], 1);
	r = rv_channel_write(b[1], &m, 0, 0);
	rv_handle_close(a[0]);
	rv_handle_close(b[1]);
	if (r != 0) {
		rv_handle_close(a[1]);
		return r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info;
	long r, proc;

	if (argc > 1 && !strcmp(argv[1], "child"))
		return make_cycle() == 0 ? 0 : 1;
	rv_kstats(&base);
	r = make_cycle();
	printf("leak_cycle: building the cycle: %ld %s\n", r, err_name(r));
	/* doc/ipc.md: an end whose queue carries channel ends cannot travel */
	CHECK_EQ("the send closing the cycle is refused", r, -RV_ELOOP);
	rv_kstats(&ks);
	print_kstats("leak_cycle", "after closing every handle", &ks);
	KSTATS_SAME_LIVE("cycle in this process", &base, &ks);
	/* the same in a child that exits */
	rv_kstats(&base);
	proc = rv_process_spawn("leak_cycle", (const char *const[]){"child", NULL},
				CONFIG_DEFAULT_PRIORITY, NULL, 0);
	CHECK("spawn", proc >= 0);
	CHECK_EQ("the child ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	kstats_settle(&base, &ks, 200);
	print_kstats("leak_cycle", "after the child exited", &ks);
	if (KSTATS_SAME("cycle in a child", &base, &ks) && !checks_failed)
		printf("leak_cycle: a cycle of channel ends left nothing behind\n");
	return check_report("leak_cycle");
}
