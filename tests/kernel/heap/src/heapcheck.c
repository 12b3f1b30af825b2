/* SPDX-License-Identifier: Apache-2.0 */
/* Runs heapuser twice and checks that every frame it took came back. */
#include <stdio.h>
#include <rvos/user.h>
#include "check.h"

static long run_child(void)
{
	struct rv_exit_info ei;
	long pid = rv_spawn("heapuser", NULL, CONFIG_DEFAULT_PRIORITY);

	if (pid < 0)
		return pid;
	if (rv_wait((int)pid, &ei) != pid)
		return -1;
	return ei.reason == RV_EXIT_NORMAL ? ei.code : 100 + ei.reason;
}

int main(void)
{
	struct rv_kstats before, after;

	rv_kstats(&before);
	CHECK_EQ("heapuser passes", run_child(), 0);
	CHECK_EQ("heapuser passes again", run_child(), 0);
	rv_kstats(&after);
	CHECK_EQ("free frames back where they were", after.frames_free, before.frames_free);
	CHECK_EQ("user frames back", after.frames_user, before.frames_user);
	CHECK_EQ("page-table frames back", after.frames_page_tables, before.frames_page_tables);
	printf("heapcheck: frames free %lu before, %lu after\n", (unsigned long)before.frames_free,
	       (unsigned long)after.frames_free);
	return check_report("heapcheck");
}
