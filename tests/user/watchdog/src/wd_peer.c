/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wd_ping and wd_pong (one source; the role from the program's name): two
 * services that call each other. Each registers, connects to the other and
 * takes the other's connection; then both call at once, and neither reads
 * while it waits for its reply: a deadlock. init armed wd_ping's watchdog
 * (watchdog=1000): the kernel names the cycle and ends wd_ping, init
 * restarts it. wd_pong's call fails (EPEERCLOSED); from then on it answers
 * before it calls, and the restarted wd_ping and wd_pong answer each
 * other. wd_pong then registers "wd_done", which wd_main waits for.
 * wd_lazy is wd_ping (it registers as wd_ping) that takes wd_pong's
 * connection only after its own call has been answered.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <rvos/service.h>
#include <rvos/user.h>

#define SECOND 1000000000ull

static const char *me, *other;

/* The first client's end on our registration channel. */
static rv_handle_t accept_one(rv_handle_t requests)
{
	uint8_t buf[256];
	rv_handle_t hs[4];
	struct rv_msg m = {.bytes = buf, .num_bytes = sizeof(buf), .num_handles = 4, .handles = hs};

	if (rv_channel_read(requests, &m, 0, RV_DEADLINE_NEVER) < 0 || m.num_handles < 1)
		return RV_HANDLE_INVALID;
	return hs[0];
}

/* Answer one call on s with our name's last word. */
static long answer_one(rv_handle_t s)
{
	char buf[16];
	struct rv_msg m = {.bytes = buf, .num_bytes = sizeof(buf)};
	const char *word = me + 3;
	struct rv_msg reply = {.bytes = (void *)word, .num_bytes = (uint32_t)strlen(word) + 1};
	long r = rv_channel_read(s, &m, 0, RV_DEADLINE_NEVER);

	return r < 0 ? r : rv_channel_write(s, &reply, 0, RV_DEADLINE_NEVER);
}

/* Call the other with our name; its answer into buf. */
static long call_other(rv_handle_t c, char *buf, uint32_t size)
{
	struct rv_msg req = {.bytes = (void *)me, .num_bytes = (uint32_t)strlen(me) + 1};
	struct rv_msg rep = {.bytes = buf, .num_bytes = size};
	long r = rv_channel_call(c, &req, &rep, RV_DEADLINE_NEVER);

	buf[size - 1] = '\0';
	return r;
}

static int fail(const char *what, long r)
{
	printf("%s: %s: %s\n", me, what, rv_strerror((int)r));
	return 1;
}

int main(int argc, char **argv)
{
	/* wd_lazy: wd_ping that takes wd_pong's connection only after its own
	 * call: meanwhile that connection's end waits in a message queued
	 * on our registration channel */
	bool lazy = argc > 0 && !strcmp(argv[0], "wd_lazy");
	bool ping = lazy || (argc > 0 && !strcmp(argv[0], "wd_ping"));
	rv_handle_t requests, c, s, done;
	char answer[16];
	long r;

	me = ping ? "wd_ping" : "wd_pong";
	other = ping ? "wd_pong" : "wd_ping";
	if ((r = rv_service_register(me, &requests)) < 0)
		return fail("register", r);
	if (ping) {
		/* (a first start and a restart alike: wd_pong takes our
		 * connection, connects to us, and calls us or answers) */
		if ((r = rv_connect_wait(other, &c, rv_clock_ns() + 10 * SECOND)) < 0)
			return fail("connect", r);
		if (!lazy && (s = accept_one(requests)) == RV_HANDLE_INVALID)
			return fail("accept", -RV_EBADMSG);
		printf("%s: %s connected; calling it\n", me, other);
		rv_watchdog_pet();
		if ((r = call_other(c, answer, sizeof(answer))) < 0)
			return fail("call", r);
		printf("%s: %s answered: %s\n", me, other, answer);
		rv_watchdog_pet();
		if (lazy && (s = accept_one(requests)) == RV_HANDLE_INVALID)
			return fail("accept", -RV_EBADMSG);
		if ((r = answer_one(s)) < 0)
			return fail("answer", r);
		/* done: nothing more to watch */
		rv_watchdog(RV_HANDLE_SELF, 0);
		for (;;)
			rv_sleep_ns(1000 * SECOND);
	}
	/* wd_pong: first it calls (the deadlock), then it answers first */
	for (int round = 0;; round++) {
		if ((s = accept_one(requests)) == RV_HANDLE_INVALID)
			return fail("accept", -RV_EBADMSG);
		if ((r = rv_connect_wait(other, &c, rv_clock_ns() + 10 * SECOND)) < 0)
			return fail("connect", r);
		if (round == 0) {
			printf("%s: %s connected; calling it\n", me, other);
			r = call_other(c, answer, sizeof(answer));
			printf("%s: the call to %s: %s; again, answering first\n", me, other,
			       r < 0 ? rv_strerror((int)r) : "answered");
			rv_handle_close(c);
			rv_handle_close(s);
			continue;
		}
		if ((r = answer_one(s)) < 0)
			return fail("answer", r);
		if ((r = call_other(c, answer, sizeof(answer))) < 0)
			return fail("call", r);
		printf("%s: %s answered: %s\n", me, other, answer);
		break;
	}
	if ((r = rv_service_register("wd_done", &done)) < 0)
		return fail("register wd_done", r);
	for (;;)
		rv_sleep_ns(1000 * SECOND);
}
