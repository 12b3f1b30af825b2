/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fork server: the table's forks as a service ("forks", protocol in
 * forks.h). Started by init's manifest as a service, so init restarts it
 * if it dies.
 *
 * It does not use rv_server_run(): a TAKE that must wait is answered later,
 * when the forks are free, and the server has to know which client closed
 * its channel to take its forks back. So it runs its own loop, the same
 * shape as rv_server_run's: one wait_many on the registration channel and
 * every client, requests read without blocking, replies written without
 * blocking.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "forks.h"

/* Clients at once (philosophers, dinner): CONFIG_SERVICE_MAX_CLIENTS, like
 * any server, within the one wait_many. */
#if CONFIG_SERVICE_MAX_CLIENTS + 1 <= CONFIG_MAX_WAIT_ITEMS
#define MAX_CLIENTS CONFIG_SERVICE_MAX_CLIENTS
#else
#define MAX_CLIENTS (CONFIG_MAX_WAIT_ITEMS - 1)
#endif

struct client {
	bool used;
	rv_handle_t h;
	int seat; /* -1: not seated */
};

struct seat {
	int client; /* index into clients, -1: empty */
	uint32_t state;     /* enum forks_seat_state */
	uint32_t meals;     /* eaten at this seat, by whoever sat there */
	uint32_t lost;      /* philosophers who left it before CONFIG_PHILOSOPHERS_MEALS */
	uint64_t hungry_since; /* ticket of the pending TAKE */
};

static struct client clients[MAX_CLIENTS];
static struct seat seats[FORKS_SEATS];
static int fork_holder[FORKS_SEATS]; /* the seat holding fork f, or -1 */
static uint64_t tickets;             /* TAKEs so far: their order */

static uint8_t in[CONFIG_MSG_MAX_BYTES], out[CONFIG_MSG_MAX_BYTES];
static rv_handle_t in_handles[CONFIG_MSG_MAX_HANDLES + 1];

static int left_fork(int s)
{
	return s;
}

static int right_fork(int s)
{
	return (s + 1) % FORKS_SEATS;
}

static void close_all(const rv_handle_t *hs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		rv_handle_close(hs[i]);
}

/* The deferred reply to seat s's TAKE: the forks are its now. */
static void hand_over(int s)
{
	struct seat *st = &seats[s];
	struct wire_writer w;
	struct rv_msg reply;

	fork_holder[left_fork(s)] = fork_holder[right_fork(s)] = s;
	st->state = SEAT_EATING;
	st->meals++;
	wire_init_reply(&w, out, sizeof(out), NULL, 0, FORKS_OP_TAKE, 0);
	wire_put_u32(&w, st->meals);
	/* A client that died meanwhile: its close takes the forks back. */
	if (wire_finish(&w, &reply) == 0)
		rv_channel_write(clients[st->client].h, &reply, RV_IPC_NONBLOCK, 0);
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

/* A client is gone (closed its channel, or died): its seat and forks too. */
static void drop_client(int c)
{
	int s = clients[c].seat;

	if (s >= 0) {
		struct seat *st = &seats[s];

		if (st->state == SEAT_EATING) {
			put_forks(s);
			printf("forks: the philosopher at seat %d left holding forks %d and %d: "
			       "taken back\n", s, left_fork(s), right_fork(s));
		}
		if (st->meals < CONFIG_PHILOSOPHERS_MEALS)
			st->lost++;
		st->state = SEAT_EMPTY;
		st->client = -1;
	}
	rv_handle_close(clients[c].h);
	clients[c].used = false;
}

/* One request of client c. 0 and a reply in w; 1: answered later (TAKE
 * that waits); or a negative error for an error reply. */
static int handle(int c, struct wire_reader *r, struct wire_writer *w)
{
	struct client *cl = &clients[c];
	int ret = wire_end(r); /* no op takes fields */

	if (ret < 0)
		return ret;
	switch (r->op) {
	case FORKS_OP_SIT:
		if (cl->seat >= 0)
			return -RV_EBUSY;
		for (int s = 0; s < FORKS_SEATS; s++) {
			if (seats[s].state == SEAT_EMPTY) {
				seats[s].state = SEAT_THINKING;
				seats[s].client = c;
				cl->seat = s;
				wire_put_u32(w, (uint32_t)s);
				wire_put_u32(w, seats[s].meals);
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
		return 1; /* serve_hungry() replies */
	case FORKS_OP_PUT:
		if (cl->seat < 0 || seats[cl->seat].state != SEAT_EATING)
			return -RV_EPERM;
		put_forks(cl->seat);
		return 0;
	case FORKS_OP_STATS:
		wire_put_u32(w, FORKS_SEATS);
		for (int s = 0; s < FORKS_SEATS; s++) {
			wire_put_u32(w, seats[s].state);
			wire_put_u32(w, seats[s].meals);
			wire_put_u32(w, seats[s].lost);
		}
		return 0;
	default:
		return -RV_ENOSYS;
	}
}

/* Read and answer one request of client c; < 0: drop the client. */
static int serve_one(int c)
{
	struct rv_msg msg = {.bytes = in, .num_bytes = sizeof(in), .handles = in_handles,
			     .num_handles = CONFIG_MSG_MAX_HANDLES};
	struct rv_msg reply;
	struct wire_writer w;
	struct wire_reader r;
	long ret;

	ret = rv_channel_read(clients[c].h, &msg, RV_IPC_NONBLOCK, 0);
	if (ret == -RV_EAGAIN)
		return 0;
	if (ret < 0)
		return (int)ret;
	if (wire_read_request(&r, &msg) < 0) {
		ret = -RV_EBADMSG;
	} else {
		wire_init_reply(&w, out, sizeof(out), NULL, 0, r.op, 0);
		ret = handle(c, &r, &w);
		if (ret == 1)
			return 0;
		if (ret == 0)
			ret = wire_finish(&w, &reply);
	}
	if (ret < 0) {
		close_all(msg.handles, msg.num_handles);
		wire_status_reply(&reply, out, sizeof(out), r.op, (int)ret);
	}
	ret = rv_channel_write(clients[c].h, &reply, RV_IPC_NONBLOCK, 0);
	return ret == -RV_EPEERCLOSED ? (int)ret : 0;
}

/* One SVC_OP_NEW_CLIENT from init; < 0 only when the message cannot be
 * taken off the queue (it would wake the loop for ever). */
static int accept_client(rv_handle_t requests)
{
	struct rv_msg msg = {.bytes = in, .num_bytes = sizeof(in), .handles = in_handles,
			     .num_handles = CONFIG_MSG_MAX_HANDLES};
	struct wire_reader r;
	rv_handle_t end;
	long ret;

	ret = rv_channel_read(requests, &msg, RV_IPC_NONBLOCK, 0);
	if (ret < 0)
		return ret == -RV_EAGAIN ? 0 : (int)ret;
	if (wire_read_request(&r, &msg) < 0 || r.op != SVC_OP_NEW_CLIENT) {
		close_all(msg.handles, msg.num_handles);
		return 0;
	}
	wire_get_handle(&r, &end);
	if (wire_end(&r) == 0 && rv_service_check_channel(end) == 0) {
		for (int c = 0; c < MAX_CLIENTS; c++) {
			if (!clients[c].used) {
				clients[c] = (struct client){.used = true, .h = end, .seat = -1};
				return 0;
			}
		}
	}
	/* Malformed, or no room: the client sees -EPEERCLOSED. */
	close_all(msg.handles, msg.num_handles);
	return 0;
}

int main(void)
{
	struct rv_wait_item items[MAX_CLIENTS + 1];
	int owner[MAX_CLIENTS + 1];
	rv_handle_t requests;
	long ret;

	for (int s = 0; s < FORKS_SEATS; s++) {
		seats[s] = (struct seat){.client = -1, .state = SEAT_EMPTY};
		fork_holder[s] = -1;
	}
	ret = rv_service_register(FORKS_SERVICE, &requests);
	if (ret < 0) {
		printf("forks: cannot register: %s\n", rv_strerror((int)ret));
		return 1;
	}
	printf("forks: serving %d seats, %d clients at most\n", FORKS_SEATS, MAX_CLIENTS);
	for (;;) {
		uint32_t n = 1;

		items[0] = (struct rv_wait_item){
			.handle = requests, .signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED};
		for (int c = 0; c < MAX_CLIENTS; c++) {
			if (clients[c].used) {
				items[n] = (struct rv_wait_item){
					.handle = clients[c].h,
					.signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED};
				owner[n++] = c;
			}
		}
		ret = rv_wait_many(items, n, RV_DEADLINE_NEVER);
		if (ret < 0) {
			printf("forks: wait_many: %s\n", rv_strerror((int)ret));
			return 1;
		}
		for (uint32_t k = 1; k < n; k++) {
			/* A message first: a philosopher's last PUT comes before his close. */
			if (items[k].observed & RV_SIGNAL_READABLE) {
				if (serve_one(owner[k]) < 0)
					drop_client(owner[k]);
			} else if (items[k].observed & RV_SIGNAL_PEER_CLOSED) {
				drop_client(owner[k]);
			}
		}
		if (items[0].observed & RV_SIGNAL_READABLE) {
			ret = accept_client(requests);
			if (ret < 0) {
				printf("forks: cannot take a new client: %s\n", rv_strerror((int)ret));
				return 1;
			}
		} else if (items[0].observed & RV_SIGNAL_PEER_CLOSED) {
			return 1;
		}
		serve_hungry();
	}
}
