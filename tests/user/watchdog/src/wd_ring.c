/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wd_a, wd_b, wd_c (one source; the role from the program's name): a ring
 * of three services, each connected to the next and holding the previous
 * one's connection. wd_a calls wd_b, which does not read: it waits in
 * wait_many for a message from wd_c; wd_c waits in wait_many for a message
 * from either of the others (its connection to wd_a, wd_b's connection to
 * it). Nobody sends what another waits for -- a deadlock through two
 * wait_many, wd_a -> wd_b -> wd_c -> wd_a (and wd_c -> wd_b). init armed
 * wd_a's watchdog: when it is ended, wd_c's wait returns (its peer
 * closed) and wd_c registers "wd_done" for wd_main.
 */
#include <stdio.h>
#include <string.h>
#include <rvos/service.h>
#include <rvos/user.h>

#define SECOND 1000000000ull

static const char *const ring[] = {"wd_a", "wd_b", "wd_c"};

static rv_handle_t accept_one(rv_handle_t requests)
{
	uint8_t buf[256];
	rv_handle_t hs[4];
	struct rv_msg m = {.bytes = buf, .num_bytes = sizeof(buf), .num_handles = 4, .handles = hs};

	if (rv_channel_read(requests, &m, 0, RV_DEADLINE_NEVER) < 0 || m.num_handles < 1)
		return RV_HANDLE_INVALID;
	return hs[0];
}

int main(int argc, char **argv)
{
	unsigned int me = argc > 0 && strlen(argv[0]) == 4 ? (unsigned int)(argv[0][3] - 'a') : 0;
	const char *name = ring[me % 3], *next = ring[(me + 1) % 3], *prev = ring[(me + 2) % 3];
	rv_handle_t requests, c, s, done;
	long r;

	if ((r = rv_service_register(name, &requests)) < 0 ||
	    (r = rv_connect_wait(next, &c, rv_clock_ns() + 10 * SECOND)) < 0) {
		printf("%s: register or connect: %s\n", name, rv_strerror((int)r));
		return 1;
	}
	if ((s = accept_one(requests)) == RV_HANDLE_INVALID) {
		printf("%s: no connection from %s\n", name, prev);
		return 1;
	}
	if (me == 0) {
		char buf[16];
		struct rv_msg req = {.bytes = (void *)name, .num_bytes = 5};
		struct rv_msg rep = {.bytes = buf, .num_bytes = sizeof(buf)};

		printf("%s: calling %s\n", name, next);
		r = rv_channel_call(c, &req, &rep, RV_DEADLINE_NEVER);
		printf("%s: the call to %s: %s\n", name, next,
		       r < 0 ? rv_strerror((int)r) : "answered");
	} else {
		struct rv_wait_item items[2] = {
		    {.handle = c, .signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED},
		    {.handle = s, .signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED},
		};
		uint32_t n = me == 1 ? 1 : 2; /* wd_b: not its caller's channel */

		printf("%s: waiting for %s%s%s\n", name, next, n == 2 ? " or " : "",
		       n == 2 ? prev : "");
		r = rv_wait_many(items, n, RV_DEADLINE_NEVER);
		printf("%s: wait_many: %ld, %s %s\n", name, r, next,
		       items[0].observed & RV_SIGNAL_PEER_CLOSED ? "gone" : "there");
		if (me == 2 && (r = rv_service_register("wd_done", &done)) < 0)
			printf("%s: register wd_done: %s\n", name, rv_strerror((int)r));
	}
	for (;;)
		rv_sleep_ns(1000 * SECOND);
}
