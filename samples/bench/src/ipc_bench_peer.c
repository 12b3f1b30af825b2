/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipc_bench_peer: the other side of the IPC benchmarks (ipc_bench.c).
 * Handle 0 is the channel to ipc_bench; argv[1] is the role:
 *   echo          rv_channel_read + rv_channel_write of the same message
 *                 (bytes and handles) until the peer closes
 *   call_echo     the same, replying with rv_channel_call (reply and wait
 *                 for the next request in one call)
 *   sink N SIZE   read N messages of SIZE bytes, then write one byte back;
 *                 again until the peer closes
 *   shm_consumer  1: the shm ring (see ipc_bench.c); per message {slot,
 *                 len}: copy the slot out, answer {slot}; {~0} ends: answer
 *                 with the first word of the last chunk copied out
 *   wait_echo K   echo, but first rv_wait_many on K channel ends: K - 1
 *                 quiet ones (channels of its own that nobody writes to),
 *                 then handle 0 last, the loop of a server with K clients
 *   port_echo K   echo through a port: K channel ends bound (K - 1 quiet
 *                 ones, then handle 0), rv_port_wait receiving the request
 *                 + rv_channel_write of the reply: the loop of a server
 *                 with K clients on a port (doc/ipc.md, Ports)
 *   port_echo K reply  the same, each reply going out with the wait for
 *                 the next request (rv_port_reply_wait)
 *   idle          read on 0 until the peer closes
 *   sleep         sleep (1000 s)
 */
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>
#include "bench.h"

#define MAXB CONFIG_MSG_MAX_BYTES
#define MAXH CONFIG_MSG_MAX_HANDLES

static uint8_t buf[MAXB] __attribute__((aligned(8)));
static rv_handle_t hbuf[MAXH + 1];

static void full(struct rv_msg *m)
{
	m->bytes = buf;
	m->num_bytes = MAXB;
	m->handles = hbuf;
	m->num_handles = MAXH;
}

static int echo(void)
{
	struct rv_msg m;

	for (;;) {
		full(&m);
		if (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 0;
		if (rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 0;
	}
}

/* The server loop of a real service: reply and wait for the next request
 * in one call, from and into the same buffer (the kernel sends the reply
 * before it receives into the buffer). */
static int call_echo(void)
{
	struct rv_msg req, rep;

	full(&req);
	if (rv_channel_read(0, &req, 0, RV_DEADLINE_NEVER) != 0)
		return 0;
	for (;;) {
		rep = req; /* the request's bytes and handles, as received */
		full(&req);
		if (rv_channel_call(0, &rep, &req, RV_DEADLINE_NEVER) != 0)
			return 0;
	}
}

#define WAIT_MAX 8

static int wait_echo(long k)
{
	struct rv_wait_item items[WAIT_MAX];
	struct rv_msg m;

	if (k < 1 || k > WAIT_MAX || k > CONFIG_MAX_WAIT_ITEMS)
		return 1;
	for (long i = 0; i < k - 1; i++) {
		rv_handle_t ch[2];

		if (rv_channel_create(ch) != 0)
			return 1;
		items[i] = (struct rv_wait_item){.handle = ch[0],
						 .signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED};
	}
	items[k - 1] = (struct rv_wait_item){.handle = 0,
					     .signals = RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED};
	for (;;) {
		if (rv_wait_many(items, (uint32_t)k, RV_DEADLINE_NEVER) < 1 ||
		    !(items[k - 1].observed & RV_SIGNAL_READABLE))
			return 0; /* the peer closed */
		full(&m);
		if (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 0;
		if (rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 0;
	}
}

static int port_echo(long k, int reply_wait)
{
	struct rv_port_event ev;
	struct rv_msg m, rep;
	long port = rv_port_create();

	if (port < 0 || k < 1)
		return 1;
	for (long i = 0; i < k - 1; i++) {
		rv_handle_t ch[2];

		if (rv_channel_create(ch) != 0 ||
		    rv_port_bind((rv_handle_t)port, ch[0], RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED,
				 (uint64_t)i + 1) != 0)
			return 1;
	}
	if (rv_port_bind((rv_handle_t)port, 0, RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, 0) != 0)
		return 1;
	full(&m);
	if (rv_port_wait((rv_handle_t)port, &ev, &m, RV_DEADLINE_NEVER) != 0)
		return 0;
	for (;;) {
		if (ev.key != 0 || ev.status != 0)
			return 0; /* the peer closed */
		/* The echo from the buffer the request came in: the kernel
		 * sends the reply before the next request can land there. */
		rep = m;
		full(&m);
		if (reply_wait) {
			if (rv_port_reply_wait((rv_handle_t)port, &ev, &m, RV_DEADLINE_NEVER, 0, &rep) != 0)
				return 0;
			continue;
		}
		if (rv_channel_write(0, &rep, 0, RV_DEADLINE_NEVER) != 0 ||
		    rv_port_wait((rv_handle_t)port, &ev, &m, RV_DEADLINE_NEVER) != 0)
			return 0;
	}
}

static int sink(long n, long size)
{
	struct rv_msg m;
	uint8_t ack = 1;

	for (;;) {
		for (long i = 0; i < n; i++) {
			full(&m);
			if (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) != 0)
				return 0;
			if ((long)m.num_bytes != size)
				return 1;
		}
		m = (struct rv_msg){.bytes = &ack, .num_bytes = 1};
		if (rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 0;
	}
}

static int shm_consumer(void)
{
	static uint8_t out[64 * 1024] __attribute__((aligned(64)));
	long va = rv_shm_map(1, 0);
	uint32_t req[2], last = 0;
	struct rv_msg m;

	if (va < 0)
		return 1;
	for (;;) {
		m = (struct rv_msg){.bytes = req, .num_bytes = sizeof(req)};
		if (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 0;
		if (req[0] == ~0u) {
			m = (struct rv_msg){.bytes = &last, .num_bytes = 4};
			rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER);
			continue;
		}
		if (req[1] > sizeof(out))
			return 2;
		copy64(out, (const uint8_t *)va + (uintptr_t)req[0] * req[1], req[1]);
		memcpy(&last, out, 4);
		m = (struct rv_msg){.bytes = req, .num_bytes = 4};
		if (rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 0;
	}
}

int main(int argc, char **argv)
{
	const char *role = argc > 1 ? argv[1] : "";

	if (!strcmp(role, "echo"))
		return echo();
	if (!strcmp(role, "call_echo"))
		return call_echo();
	if (!strcmp(role, "port_echo") && argc > 2)
		return port_echo(atol(argv[2]), argc > 3 && !strcmp(argv[3], "reply"));
	if (!strcmp(role, "wait_echo") && argc > 2)
		return wait_echo(atol(argv[2]));
	if (!strcmp(role, "sink") && argc > 3)
		return sink(atol(argv[2]), atol(argv[3]));
	if (!strcmp(role, "shm_consumer"))
		return shm_consumer();
	if (!strcmp(role, "idle")) {
		struct rv_msg m;

		do
			full(&m);
		while (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) == 0);
		return 0;
	}
	if (!strcmp(role, "sleep")) {
		rv_sleep_ns(1000ULL * 1000000000ULL);
		return 0;
	}
	return 127;
}
