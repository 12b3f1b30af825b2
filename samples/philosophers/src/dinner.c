/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dinner's host, init's main program: it watches the table through the
 * fork server's STATS and ends the run.
 *
 *   - round 1: every seat has had a third of CONFIG_PHILOSOPHERS_MEALS;
 *     round 2: every seat two thirds (all five kept eating);
 *   - all done: every seat had all its meals and is empty again;
 *   - a seat left empty early (its philosopher died) gets a newcomer,
 *     started through init's loader;
 *   - at every look, no two neighbours eat at once;
 *   - first, the server refuses requests it must refuse.
 *
 * Exit status 0 when the dinner ended well within
 * CONFIG_PHILOSOPHERS_TIMEOUT_S; init then ends with it, and the machine
 * powers off.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "forks.h"

#define LOOK_EVERY_US 10000

struct table {
	uint32_t state[FORKS_SEATS], meals[FORKS_SEATS], lost[FORKS_SEATS];
};

static int look(rv_handle_t h, struct table *t)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	struct wire_reader r;
	uint32_t n = 0;
	int ret = forks_call(h, FORKS_OP_STATS, &r, rbuf);

	if (ret < 0)
		return ret;
	wire_get_u32(&r, &n);
	if (n != FORKS_SEATS)
		return -RV_EBADMSG;
	for (int s = 0; s < FORKS_SEATS; s++) {
		wire_get_u32(&r, &t->state[s]);
		wire_get_u32(&r, &t->meals[s]);
		wire_get_u32(&r, &t->lost[s]);
	}
	return wire_end(&r);
}

/* The server's answers to requests it must refuse: 0 when each is right. */
static int check_refusals(rv_handle_t h)
{
	uint8_t buf[32], rbuf[CONFIG_MSG_MAX_BYTES];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg req, reply = {.bytes = rbuf, .num_bytes = sizeof(rbuf)};
	int take = forks_call(h, FORKS_OP_TAKE, &r, rbuf);   /* not seated */
	int put = forks_call(h, FORKS_OP_PUT, &r, rbuf);     /* not seated */
	int unknown = forks_call(h, 99, &r, rbuf);
	int extra;

	/* A STATS with a field it does not take. */
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, FORKS_OP_STATS);
	wire_put_u32(&w, 7);
	extra = wire_finish(&w, &req);
	if (extra == 0)
		extra = (int)rv_channel_call(h, &req, &reply, RV_DEADLINE_NEVER);
	if (extra == 0)
		extra = wire_read_reply(&r, &reply, FORKS_OP_STATS);
	printf("dinner: the fork server refuses TAKE and PUT without a seat (%s, %s), an "
	       "unknown op (%s), a field too many (%s)\n", rv_strerror(take), rv_strerror(put),
	       rv_strerror(unknown), rv_strerror(extra));
	return take == -RV_EPERM && put == -RV_EPERM && unknown == -RV_ENOSYS &&
			       extra == -RV_EBADMSG ? 0 : -1;
}

static void print_round(const char *what, uint32_t at_least, const struct table *t)
{
	printf("dinner: %s: every philosopher ate at least %u meals (", what, at_least);
	for (int s = 0; s < FORKS_SEATS; s++)
		printf("%s%u", s ? " " : "", t->meals[s]);
	printf(")\n");
}

int main(void)
{
	const uint32_t round1 = (CONFIG_PHILOSOPHERS_MEALS + 2) / 3;
	const uint32_t round2 = (2 * CONFIG_PHILOSOPHERS_MEALS + 2) / 3;
	uint64_t deadline = rv_clock_ns() + CONFIG_PHILOSOPHERS_TIMEOUT_S * 1000000000ull;
	uint32_t replaced[FORKS_SEATS] = {0}, newcomers = 0, looks = 0, round = 0;
	struct table t;
	rv_handle_t h;
	int ret, clashes = 0;

	ret = rv_connect_wait(FORKS_SERVICE, &h, rv_clock_ns() + 10000000000ull);
	if (ret < 0) {
		printf("dinner: no fork server: %s\n", rv_strerror(ret));
		return 1;
	}
	if (check_refusals(h) < 0)
		return 1;
	for (;;) {
		uint32_t least = UINT32_MAX, seated = 0;

		ret = look(h, &t);
		if (ret < 0) {
			printf("dinner: STATS failed: %s\n", rv_strerror(ret));
			return 1;
		}
		looks++;
		for (int s = 0; s < FORKS_SEATS; s++) {
			int next = (s + 1) % FORKS_SEATS;

			if (t.state[s] == SEAT_EATING && t.state[next] == SEAT_EATING) {
				printf("dinner: seats %d and %d eat at once with fork %d between them\n",
				       s, next, next);
				clashes++;
			}
			if (t.state[s] == SEAT_EMPTY && t.lost[s] > replaced[s]) {
				printf("dinner: seat %d is empty after %u meals (its philosopher is "
				       "gone); a newcomer is invited\n", s, t.meals[s]);
				ret = rv_loader_spawn("philosopher", NULL, CONFIG_DEFAULT_PRIORITY,
						      NULL, 0, NULL);
				if (ret < 0) {
					printf("dinner: cannot start a philosopher: %s\n",
					       rv_strerror(ret));
					return 1;
				}
				replaced[s]++;
				newcomers++;
			}
			seated += t.state[s] != SEAT_EMPTY;
			if (t.meals[s] < least)
				least = t.meals[s];
		}
		if (round == 0 && least >= round1) {
			print_round("round 1", round1, &t);
			round = 1;
		}
		if (round == 1 && least >= round2) {
			print_round("round 2", round2, &t);
			round = 2;
		}
		if (round == 2 && least >= CONFIG_PHILOSOPHERS_MEALS && seated == 0)
			break;
		if (rv_clock_ns() > deadline) {
			print_round("timed out", least, &t);
			return 1;
		}
		usleep(LOOK_EVERY_US);
	}
	printf("dinner: all %d seats had %d meals, the table is empty; newcomers %u, "
	       "looks %u, clashes %d\n", FORKS_SEATS, CONFIG_PHILOSOPHERS_MEALS, newcomers, looks,
	       clashes);
	return clashes ? 1 : 0;
}
