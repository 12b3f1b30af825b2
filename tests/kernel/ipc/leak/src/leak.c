/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A process that ends holding channels (with messages queued in every
 * direction, some carrying handles), shm regions (mapped twice and
 * unmapped), children of its own and process handles releases all of it:
 * every kernel counter is back at its starting value, whether it exits,
 * is killed or faults, cycle after cycle.
 */
#include <stdlib.h>
#include "../../common/ipc_test.h"

#define CYCLES 20

static const char *const modes[] = {"exit", "wait", "fault"};

/* One hoarder: start it, check it took things, end it, check all came back. */
static int cycle(const char *mode, const struct rv_kstats *base, int verbose)
{
	struct rv_kstats ks;
	struct rv_exit_info info = {.reason = -1};
	rv_handle_t ctl[2], data[2], give[2];
	uint8_t r = 0;
	struct rv_msg m = msg_of(&r, 1, NULL, 0);
	long proc;
	unsigned int before = checks_failed;

	CHECK_EQ("channel_create", rv_channel_create(ctl), 0);
	CHECK_EQ("channel_create", rv_channel_create(data), 0);
	give[0] = ctl[1];
	give[1] = data[1];
	proc = spawn_child((const char *const[]){"hoard", mode, NULL}, give, 2);
	if (!CHECK("spawn hoard", proc >= 0))
		return 0;
	CHECK_EQ("ready", rv_channel_read(ctl[0], &m, 0, deadline_in_ms(5000)), 0);
	CHECK_EQ("ready says R", r, 'R');
	rv_kstats(&ks);
	if (verbose)
		print_kstats("leak", "hoarder running", &ks);
	CHECK("it holds channels", ks.channels_used >= base->channels_used + 6);
	CHECK("messages queued", ks.messages_queued >= base->messages_queued + 3);
	CHECK("shm regions", ks.shm_regions_used == base->shm_regions_used + 2);
	CHECK("two mappings", ks.shm_mappings_used == base->shm_mappings_used + 2);
	CHECK("children", ks.procs_used == base->procs_used + 3);
	CHECK("process objects", ks.process_objects_used == base->process_objects_used + 3);
	if (!strcmp(mode, "wait"))
		CHECK_EQ("kill it", rv_process_kill((rv_handle_t)proc), 0);
	else
		CHECK_EQ("end it", write_bytes(ctl[0], "e", 1, 0, 0), 0);
	CHECK_EQ("it ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	if (!strcmp(mode, "exit")) {
		CHECK_EQ("exit: normal", info.reason, RV_EXIT_NORMAL);
		CHECK_EQ("exit: it set everything up", info.code, 0);
	} else if (!strcmp(mode, "wait")) {
		CHECK_EQ("killed", info.reason, RV_EXIT_KILLED);
	} else {
		CHECK_EQ("fault", info.reason, RV_EXIT_FAULT);
	}
	/* its ends are closed; what it queued for us goes with our ends */
	CHECK_EQ("control: peer closed", rv_channel_read(ctl[0], &m, RV_IPC_NONBLOCK, 0),
		 -RV_EPEERCLOSED);
	rv_handle_close(ctl[0]);
	rv_handle_close(data[0]);
	kstats_settle(base, &ks, 500);
	KSTATS_SAME(mode, base, &ks);
	return checks_failed == before;
}

int main(void)
{
	struct rv_kstats base, ks;
	unsigned int ok[3] = {0, 0, 0};

	rv_kstats(&base);
	print_kstats("leak", "before", &base);
	for (int i = 0; i < 3; i++)
		ok[i] += cycle(modes[i], &base, 1);
	printf("leak: one of each: exit, killed, fault\n");
	for (int c = 1; c < CYCLES; c++) {
		for (int i = 0; i < 3; i++)
			ok[i] += cycle(modes[i], &base, 0);
	}
	rv_kstats(&ks);
	print_kstats("leak", "after", &ks);
	printf("leak: %d cycles: %u exits, %u kills, %u faults left nothing behind\n", CYCLES, ok[0],
	       ok[1], ok[2]);
	return check_report("leak");
}
