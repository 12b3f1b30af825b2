/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fork server: the table's forks as a service ("forks", protocol in
 * forks.h). Started by init's manifest as a service, so init restarts it
 * if it dies.
 *
 * It serves with rv_server_serve() rather than rv_server_run(), for two
 * things a plain request/reply server does not need: a TAKE that must wait
 * is answered later (RV_SERVER_REPLY_LATER, then rv_server_reply() when the
 * forks are free), and on_close tells it which client went away, so that a
 * dead philosopher's forks come back.
 */
#include <stdbool.h>
#include <stdio.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "forks.h"

/* A client (philosopher, dinner) is known by its channel while the server
 * loop has it: at most CONFIG_SERVICE_MAX_CLIENTS at once. */
struct client {
	bool used;
	rv_handle_t h;
	int seat; /* -1: not seated */
};

struct seat {
	int client;            /* index into clients, -1: empty */
	uint32_t state;        /* enum forks_seat_state */
	uint32_t meals;        /* eaten at this seat, by whoever sat there */
	uint32_t lost;         /* philosophers who left it before CONFIG_PHILOSOPHERS_MEALS */
	uint64_t hungry_since; /* ticket of the pending TAKE */
};

static struct client clients[CONFIG_SERVICE_MAX_CLIENTS];
static struct seat seats[FORKS_SEATS];
static int fork_holder[FORKS_SEATS]; /* the seat holding fork f, or -1 */
static uint64_t tickets;             /* TAKEs so far: their order */
static uint8_t later[CONFIG_MSG_MAX_BYTES]; /* a deferred reply */

static int left_fork(int s)
{
	return s;
}

static int right_fork(int s)
{
	return (s + 1) % FORKS_SEATS;
}

/* The client record of channel h, made on its first request; -1: no room
 * (cannot happen: the loop serves no more clients than there are records). */
static int client_of(rv_handle_t h)
{
	int free_slot = -1;

	for (int c = 0; c < CONFIG_SERVICE_MAX_CLIENTS; c++) {
		if (clients[c].used && clients[c].h == h)
			return c;
		if (!clients[c].used && free_slot < 0)
			free_slot = c;
	}
	if (free_slot >= 0)
		clients[free_slot] = (struct client){.used = true, .h = h, .seat = -1};
	return free_slot;
}

/* The deferred reply to seat s's TAKE: the forks are its now. */
static void hand_over(int s)
{
	struct seat *st = &seats[s];
	struct wire_writer w;

	fork_holder[left_fork(s)] = fork_holder[right_fork(s)] = s;
	st->state = SEAT_EATING;
	st->meals++;
	wire_init_reply(&w, later, sizeof(later), NULL, 0, FORKS_OP_TAKE, 0);
	wire_put_u32(&w, st->meals);
	/* A client that died meanwhile: its on_close takes the forks back. */
	rv_server_reply(clients[st->client].h, &w);
}

/*
 * Hand forks to the hungry, oldest first. One who cannot have both forks
 * now reserves them: no younger neighbour may take them before him, so
 * each waits at most for his neighbours' current meals.
 */
static void serve_hungry(void)
{
	bool reserved[FORKS_SEATS] = {false}, seen[FORKS_SEATS] = {false};

	for (;;) {
		int s = -1;

		for (int i = 0; i < FORKS_SEATS; i++)
			if (!seen[i] && seats[i].state == SEAT_HUNGRY &&
			    (s < 0 || seats[i].hungry_since < seats[s].hungry_since))
				s = i;
		if (s < 0)
			return;
		seen[s] = true;
		int l = left_fork(s), r = right_fork(s);

		if (fork_holder[l] < 0 && fork_holder[r] < 0 && !reserved[l] && !reserved[r])
			hand_over(s);
		else
			reserved[l] = reserved[r] = true;
	}
}

static void put_forks(int s)
{
	fork_holder[left_fork(s)] = fork_holder[right_fork(s)] = -1;
	seats[s].state = SEAT_THINKING;
}

/* on_close: a client is gone (closed its channel, or died), its seat and
 * forks with it. */
static void client_closed(void *ctx, rv_handle_t h)
{
	for (int c = 0; c < CONFIG_SERVICE_MAX_CLIENTS; c++) {
		int s = clients[c].seat;

		if (!clients[c].used || clients[c].h != h)
			continue;
		if (s >= 0) {
			struct seat *st = &seats[s];

			if (st->state == SEAT_EATING) {
				put_forks(s);
				printf("forks: the philosopher at seat %d left holding forks %d and "
				       "%d: taken back\n", s, left_fork(s), right_fork(s));
			}
			if (st->meals < CONFIG_PHILOSOPHERS_MEALS)
				st->lost++;
			st->state = SEAT_EMPTY;
			st->client = -1;
		}
		clients[c].used = false;
		serve_hungry();
		return;
	}
}

static int handle(void *ctx, struct wire_reader *req, struct wire_writer *reply)
{
	int c = client_of(rv_server_client());
	struct client *cl;
	int ret = wire_end(req); /* no op takes fields */

	if (ret < 0)
		return ret;
	if (c < 0)
		return -RV_ENOSPC;
	cl = &clients[c];
	switch (req->op) {
	case FORKS_OP_SIT:
		if (cl->seat >= 0)
			return -RV_EBUSY;
		for (int s = 0; s < FORKS_SEATS; s++) {
			if (seats[s].state == SEAT_EMPTY) {
				seats[s].state = SEAT_THINKING;
				seats[s].client = c;
				cl->seat = s;
				wire_put_u32(reply, (uint32_t)s);
				wire_put_u32(reply, seats[s].meals);
				return 0;
			}
		}
		return -RV_ENOSPC;
	case FORKS_OP_TAKE:
		if (cl->seat < 0)
			return -RV_EPERM;
		if (seats[cl->seat].state != SEAT_THINKING)
			return -RV_EBUSY;
		seats[cl->seat].state = SEAT_HUNGRY;
		seats[cl->seat].hungry_since = ++tickets;
		serve_hungry(); /* may answer at once */
		return RV_SERVER_REPLY_LATER;
	case FORKS_OP_PUT:
		if (cl->seat < 0 || seats[cl->seat].state != SEAT_EATING)
			return -RV_EPERM;
		put_forks(cl->seat);
		serve_hungry();
		return 0;
	case FORKS_OP_STATS:
		wire_put_u32(reply, FORKS_SEATS);
		for (int s = 0; s < FORKS_SEATS; s++) {
			wire_put_u32(reply, seats[s].state);
			wire_put_u32(reply, seats[s].meals);
			wire_put_u32(reply, seats[s].lost);
		}
		return 0;
	default:
		return -RV_ENOSYS;
	}
}

int main(void)
{
	struct rv_server server = {.handler = handle, .on_close = client_closed};
	int ret;

	for (int s = 0; s < FORKS_SEATS; s++) {
		seats[s] = (struct seat){.client = -1, .state = SEAT_EMPTY};
		fork_holder[s] = -1;
	}
	ret = rv_service_register(FORKS_SERVICE, &server.requests);
	if (ret < 0) {
		printf("forks: cannot register: %s\n", rv_strerror(ret));
		return 1;
	}
	printf("forks: serving %d seats\n", FORKS_SEATS);
	ret = rv_server_serve(&server);
	printf("forks: server loop ended: %s\n", rv_strerror(ret));
	return 1;
}
