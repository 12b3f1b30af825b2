/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ports (doc/ipc.md, Ports): the object and its rights, every error of
 * port_create / port_bind / port_unbind / port_wait, events for each signal,
 * level-triggered readiness (no event lost, none reported twice once
 * handled), receiving on wake-up (small messages through the call fast
 * path, large ones straight into the buffer, a too small buffer), bindings
 * dropped with their handle (closed or sent away) and with the port, the
 * reply-and-wait form (every error of the reply returned unwaited and
 * nothing sent, the wait's own errors first, a reply with handles, a
 * queued reply, a deadline), and a server on a port echoing for several
 * callers at once, replying by a write or by the reply-and-wait form (its
 * fast path and general path). Kernel counters come back at the end.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "../../common/ipc_test.h"

#define R RV_SIGNAL_READABLE
#define W RV_SIGNAL_WRITABLE
#define PC RV_SIGNAL_PEER_CLOSED
#define EX RV_SIGNAL_EXITED
#define NCALLERS 4
#define CALLS 500

static uint8_t big[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
static uint8_t in[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
static char what[160];

static long new_port(void)
{
	return rv_port_create();
}

static void object_and_errors(void)
{
	struct rv_port_event ev;
	rv_handle_t ch[2], p2;
	long port = new_port(), r;

	CHECK("port_create", port >= 0);
	CHECK_EQ("type", handle_type((rv_handle_t)port), RV_OBJ_PORT);
	CHECK_EQ("rights: READ | WRITE only", handle_rights((rv_handle_t)port),
		 RV_RIGHT_READ | RV_RIGHT_WRITE);
	CHECK_EQ("duplicate: EPERM", rv_handle_duplicate((rv_handle_t)port, RV_RIGHT_READ),
		 -RV_EPERM);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	{
		rv_handle_t h = (rv_handle_t)port;
		struct rv_msg m = msg_of(NULL, 0, &h, 1);

		CHECK_EQ("send it: EPERM (no TRANSFER)", rv_channel_write(ch[1], &m, 0, 0), -RV_EPERM);
	}
	CHECK_EQ("wait, nothing bound, deadline 0", rv_port_wait((rv_handle_t)port, &ev, NULL, 0),
		 -RV_ETIMEDOUT);
	CHECK_EQ("wait: bad event pointer", rv_port_wait((rv_handle_t)port, (void *)16, NULL, 0),
		 -RV_EFAULT);
	CHECK_EQ("wait: bad message pointer",
		 rv_port_wait((rv_handle_t)port, &ev, (void *)16, 0), -RV_EFAULT);
	CHECK_EQ("wait on a channel: EWRONGTYPE", rv_port_wait(ch[0], &ev, NULL, 0),
		 -RV_EWRONGTYPE);
	CHECK_EQ("wait on a bad handle: EBADF", rv_port_wait(0x7ff, &ev, NULL, 0), -RV_EBADF);
	CHECK_EQ("bind on a channel: EWRONGTYPE", rv_port_bind(ch[0], ch[1], R, 1),
		 -RV_EWRONGTYPE);
	CHECK_EQ("bind a bad handle: EBADF", rv_port_bind((rv_handle_t)port, 0x7ff, R, 1),
		 -RV_EBADF);
	CHECK_EQ("bind: no signals: EINVAL", rv_port_bind((rv_handle_t)port, ch[0], 0, 1),
		 -RV_EINVAL);
	CHECK_EQ("bind: unknown signal: EINVAL",
		 rv_port_bind((rv_handle_t)port, ch[0], 1u << 20, 1), -RV_EINVAL);
	CHECK_EQ("bind a port to itself: EINVAL",
		 rv_port_bind((rv_handle_t)port, (rv_handle_t)port, R, 1), -RV_EINVAL);
	{
		long ro = rv_handle_duplicate(ch[0], RV_RIGHT_WRITE);

		CHECK("a write-only duplicate", ro >= 0);
		CHECK_EQ("bind without READ: EPERM", rv_port_bind((rv_handle_t)port, (rv_handle_t)ro, R, 1),
			 -RV_EPERM);
		rv_handle_close((rv_handle_t)ro);
	}
	CHECK_EQ("unbind, not bound: ENOENT", rv_port_unbind((rv_handle_t)port, ch[0]), -RV_ENOENT);
	CHECK_EQ("bind", rv_port_bind((rv_handle_t)port, ch[0], R, 7), 0);
	r = new_port();
	CHECK("a second port", r >= 0);
	p2 = (rv_handle_t)r;
	CHECK_EQ("bound to another port: EBUSY", rv_port_bind(p2, ch[0], R, 1), -RV_EBUSY);
	CHECK_EQ("unbind from the other port: ENOENT", rv_port_unbind(p2, ch[0]), -RV_ENOENT);
	CHECK_EQ("port_bind in the other port", rv_port_bind(p2, ch[1], R, 1), 0);
	CHECK_EQ("close the second port (drops its binding)", rv_handle_close(p2), 0);
	CHECK_EQ("ch[1] can be bound again", rv_port_bind((rv_handle_t)port, ch[1], R, 8), 0);
	CHECK_EQ("unbind", rv_port_unbind((rv_handle_t)port, ch[1]), 0);
	CHECK_EQ("unbind again: ENOENT", rv_port_unbind((rv_handle_t)port, ch[1]), -RV_ENOENT);
	CHECK_EQ("unbind a bad handle: EBADF", rv_port_unbind((rv_handle_t)port, 0x7ff), -RV_EBADF);
	CHECK_EQ("unbind with a channel as the port: EWRONGTYPE",
		 rv_port_unbind(ch[0], ch[1]), -RV_EWRONGTYPE);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	rv_handle_close((rv_handle_t)port);
	printf("port: object, rights and argument errors\n");
}

/* Events for each signal; level-triggered; receiving; a too small buffer. */
static void events(void)
{
	struct rv_port_event ev;
	struct rv_msg m;
	rv_handle_t ch[2], port;
	uint8_t b;
	long r = new_port(), proc;

	port = (rv_handle_t)r;
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("bind READABLE | PEER_CLOSED", rv_port_bind(port, ch[0], R | PC, 0x1234567890ull), 0);
	CHECK_EQ("nothing yet", rv_port_wait(port, &ev, NULL, 0), -RV_ETIMEDOUT);
	for (b = 0; b < 3 && b < CONFIG_CHANNEL_QUEUE_DEPTH; b++)
		CHECK_EQ("write", write_bytes(ch[1], &b, 1, 0, 0), 0);
	/* Without a buffer: reported, not read, and again while readable. */
	ev = (struct rv_port_event){0};
	CHECK_EQ("event", rv_port_wait(port, &ev, NULL, 0), 0);
	CHECK_EQ("its key", ev.key, 0x1234567890ull);
	CHECK_EQ("observed: the bound signals set", ev.observed, R);
	CHECK_EQ("status: not read", ev.status, RV_PORT_NOT_READ);
	CHECK_EQ("still readable: reported again", rv_port_wait(port, &ev, NULL, 0), 0);
	/* With a buffer: one message per wait, in order, then nothing. */
	for (uint8_t k = 0; k < b; k++) {
		uint8_t got = 0xff;

		m = msg_of(&got, 1, NULL, 0);
		ev = (struct rv_port_event){0};
		CHECK_EQ("wait + receive", rv_port_wait(port, &ev, &m, 0), 0);
		CHECK_EQ("status 0", ev.status, 0);
		CHECK_EQ("the message, in order", got, k);
		CHECK_EQ("its length", m.num_bytes, 1);
	}
	CHECK_EQ("drained: nothing", rv_port_wait(port, &ev, NULL, 0), -RV_ETIMEDOUT);
	/* A buffer too small: EMSGSIZE in status, the message kept. */
	fill_pattern(big, 9, 100);
	CHECK_EQ("write 100", write_bytes(ch[1], big, 100, 0, 0), 0);
	{
		uint8_t small[10];

		m = msg_of(small, sizeof(small), NULL, 0);
		CHECK_EQ("wait, small buffer", rv_port_wait(port, &ev, &m, 0), 0);
		CHECK_EQ("status EMSGSIZE", ev.status, -RV_EMSGSIZE);
		CHECK_EQ("the size needed", m.num_bytes, 100);
		m = msg_of(in, sizeof(in), NULL, 0);
		CHECK_EQ("again, room", rv_port_wait(port, &ev, &m, 0), 0);
		CHECK_EQ("status 0", ev.status, 0);
		CHECK_EQ("the message kept", check_pattern(in, 9, 100), -1);
	}
	/* Re-binding: new key and signals, in place. */
	CHECK_EQ("bind again: + WRITABLE, key 5", rv_port_bind(port, ch[0], R | W | PC, 5), 0);
	CHECK_EQ("writable now", rv_port_wait(port, &ev, NULL, 0), 0);
	CHECK_EQ("key 5", ev.key, 5);
	CHECK_EQ("observed WRITABLE", ev.observed, W);
	CHECK_EQ("bind: READABLE | PEER_CLOSED", rv_port_bind(port, ch[0], R | PC, 6), 0);
	CHECK_EQ("writable not asked: nothing", rv_port_wait(port, &ev, NULL, 0), -RV_ETIMEDOUT);
	/* PEER_CLOSED from a child that closes its end after 20 ms. */
	proc = spawn_child((const char *const[]){"close_after", "20", NULL}, &ch[1], 1);
	CHECK("spawn close_after", proc >= 0);
	m = msg_of(in, sizeof(in), NULL, 0);
	CHECK_EQ("wait for the close", rv_port_wait(port, &ev, &m, deadline_in_ms(2000)), 0);
	CHECK_EQ("key 6", ev.key, 6);
	CHECK_EQ("observed PEER_CLOSED", ev.observed, PC);
	CHECK_EQ("not read (not readable)", ev.status, RV_PORT_NOT_READ);
	/* EXITED of a bound process handle. */
	CHECK_EQ("bind the child", rv_port_bind(port, (rv_handle_t)proc, EX, 77), 0);
	CHECK_EQ("close ch[0] (drops its binding)", rv_handle_close(ch[0]), 0);
	CHECK_EQ("the child's end", rv_port_wait(port, &ev, NULL, deadline_in_ms(2000)), 0);
	CHECK_EQ("key 77", ev.key, 77);
	CHECK_EQ("observed EXITED", ev.observed, EX);
	CHECK_EQ("close the process handle", rv_handle_close((rv_handle_t)proc), 0);
	CHECK_EQ("nothing bound is left", rv_port_wait(port, &ev, NULL, 0), -RV_ETIMEDOUT);
	rv_handle_close(port);
	printf("port: READABLE, WRITABLE, PEER_CLOSED, EXITED; level-triggered; receiving\n");
}

/* A handle sent away, or closed, takes its binding with it; the port in a
 * wait_many; a port closed with bindings. */
static void lifetimes(void)
{
	struct rv_kstats k0, k1;
	struct rv_port_event ev;
	struct rv_wait_item it;
	rv_handle_t a[2], c[2], port;
	uint8_t b = 1;

	rv_kstats(&k0);
	port = (rv_handle_t)new_port();
	CHECK_EQ("channel a", rv_channel_create(a), 0);
	CHECK_EQ("channel c", rv_channel_create(c), 0);
	CHECK_EQ("bind c[0]", rv_port_bind(port, c[0], R, 1), 0);
	CHECK_EQ("bind a[0]", rv_port_bind(port, a[0], R, 2), 0);
	rv_kstats(&k1);
	CHECK_EQ("kstats: one port more", k1.ports_used, k0.ports_used + 1);
	CHECK_EQ("kstats: two bindings more", k1.port_bindings_used, k0.port_bindings_used + 2);
	{
		rv_handle_t h = c[0];
		struct rv_msg m = msg_of(NULL, 0, &h, 1);

		CHECK_EQ("send c[0] away through a", rv_channel_write(a[1], &m, 0, 0), 0);
	}
	rv_kstats(&k1);
	CHECK_EQ("its binding went with it", k1.port_bindings_used, k0.port_bindings_used + 1);
	/* a[0] is readable now (the message carrying c[0]). */
	it = (struct rv_wait_item){.handle = port, .signals = R};
	CHECK_EQ("the port in wait_many: readable", rv_wait_many(&it, 1, 0), 1);
	CHECK_EQ("observed", it.observed, R);
	{
		rv_handle_t got[2];
		struct rv_msg m = msg_of(NULL, 0, got, 2);

		CHECK_EQ("receive the end back", rv_port_wait(port, &ev, &m, 0), 0);
		CHECK_EQ("key 2", ev.key, 2);
		CHECK_EQ("status 0", ev.status, 0);
		CHECK_EQ("one handle", m.num_handles, 1);
		c[0] = got[0];
	}
	CHECK_EQ("the port is not readable any more", rv_wait_many(&it, 1, 0), -RV_ETIMEDOUT);
	CHECK_EQ("write to the received end's peer", write_bytes(c[1], &b, 1, 0, 0), 0);
	CHECK_EQ("no event: the received end is not bound", rv_port_wait(port, &ev, NULL, 0),
		 -RV_ETIMEDOUT);
	CHECK_EQ("bind it again", rv_port_bind(port, c[0], R, 3), 0);
	CHECK_EQ("its message is reported at once", rv_port_wait(port, &ev, NULL, 0), 0);
	CHECK_EQ("key 3", ev.key, 3);
	CHECK_EQ("close the port with two bindings", rv_handle_close(port), 0);
	rv_kstats(&k1);
	CHECK_EQ("kstats: ports back", k1.ports_used, k0.ports_used);
	CHECK_EQ("kstats: bindings back", k1.port_bindings_used, k0.port_bindings_used);
	port = (rv_handle_t)new_port();
	CHECK_EQ("the ends can be bound to a new port", rv_port_bind(port, c[0], R, 4), 0);
	CHECK_EQ("close the bound end", rv_handle_close(c[0]), 0);
	rv_kstats(&k1);
	CHECK_EQ("kstats: its binding went", k1.port_bindings_used, k0.port_bindings_used);
	rv_handle_close(port);
	rv_handle_close(c[1]);
	rv_handle_close(a[0]);
	rv_handle_close(a[1]);
	printf("port: bindings go with their handle (closed, sent) and with the port\n");
}

/* The pools: CONFIG_MAX_PORTS ports, CONFIG_MAX_PORT_BINDINGS bindings. */
static void limits(void)
{
	static rv_handle_t ports[CONFIG_MAX_PORTS];
	static rv_handle_t ends[CONFIG_MAX_PORT_BINDINGS + 1][2];
	unsigned int n = 0, made = 0;
	long r;

	while (n < CONFIG_MAX_PORTS && (r = new_port()) >= 0)
		ports[n++] = (rv_handle_t)r;
	CHECK_EQ("every port of the pool (others may hold some)", new_port(), -RV_ENFILE);
	CHECK("got at least one", n >= 1);
	/* Bindings: as many as the handle table allows us to try. */
	for (unsigned int i = 0; i <= CONFIG_MAX_PORT_BINDINGS; i++) {
		if (rv_channel_create(ends[i]) != 0)
			break;
		made++;
		r = rv_port_bind(ports[0], ends[i][0], R, i);
		if (r < 0) {
			CHECK_EQ("the binding pool full: ENOSPC", r, -RV_ENOSPC);
			break;
		}
	}
	for (unsigned int i = 0; i < made; i++) {
		rv_handle_close(ends[i][0]);
		rv_handle_close(ends[i][1]);
	}
	for (unsigned int i = 0; i < n; i++)
		rv_handle_close(ports[i]);
	CHECK("a port can be made again", (r = new_port()) >= 0);
	rv_handle_close((rv_handle_t)r);
	printf("port: pools of %d ports and %d bindings (%u channels tried)\n", CONFIG_MAX_PORTS,
	       CONFIG_MAX_PORT_BINDINGS, made);
}

/* Nothing queued on end h (a read that does not wait finds nothing). */
static bool nothing_queued(rv_handle_t h)
{
	uint8_t b[8];
	struct rv_msg m = msg_of(b, sizeof(b), NULL, 0);

	return rv_channel_read(h, &m, RV_IPC_NONBLOCK, 0) == -RV_EAGAIN;
}

/* port_wait with a reply (rv_port_reply_wait). */
static void reply_wait(void)
{
	struct rv_port_event ev;
	rv_handle_t ch[2], q[2], port;
	uint8_t b[16] __attribute__((aligned(8))) = "reply";
	struct rv_msg rep = msg_of(b, 5, NULL, 0), m;
	long r, ro;

	r = new_port();
	CHECK("port_create", r >= 0);
	port = (rv_handle_t)r;
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("channel_create", rv_channel_create(q), 0);
	CHECK_EQ("bind", rv_port_bind(port, q[0], R, 3), 0);

	/* The wait's own arguments are checked first: nothing is sent. */
	CHECK_EQ("reply_wait: bad event pointer: EFAULT",
		 rv_port_reply_wait(port, (void *)16, NULL, 0, ch[0], &rep), -RV_EFAULT);
	CHECK_EQ("reply_wait: bad message pointer: EFAULT",
		 rv_port_reply_wait(port, &ev, (void *)16, 0, ch[0], &rep), -RV_EFAULT);
	CHECK_EQ("reply_wait on a channel: EWRONGTYPE",
		 rv_port_reply_wait(ch[1], &ev, NULL, 0, ch[0], &rep), -RV_EWRONGTYPE);
	CHECK("... and no reply went", nothing_queued(ch[1]));
	/* Every error of the reply is returned at once, without waiting
	 * (deadline never: a wait would not return), and the port is left as
	 * it was. */
	CHECK_EQ("reply on a bad handle: EBADF",
		 rv_port_reply_wait(port, &ev, NULL, RV_DEADLINE_NEVER, 0x7ff, &rep), -RV_EBADF);
	CHECK_EQ("reply handle with upper bits set: EINVAL",
		 rv_syscall(RV_SYS_PORT_WAIT, port, (long)&ev, 0, (long)RV_DEADLINE_NEVER,
			    (long)((1ull << 32) | ch[0]), (long)&rep),
		 -RV_EINVAL);
	CHECK_EQ("reply on the port itself: EWRONGTYPE",
		 rv_port_reply_wait(port, &ev, NULL, RV_DEADLINE_NEVER, port, &rep), -RV_EWRONGTYPE);
	ro = rv_handle_duplicate(ch[0], RV_RIGHT_READ);
	CHECK("a read-only duplicate", ro >= 0);
	CHECK_EQ("reply without WRITE: EPERM",
		 rv_port_reply_wait(port, &ev, NULL, RV_DEADLINE_NEVER, (rv_handle_t)ro, &rep),
		 -RV_EPERM);
	rv_handle_close((rv_handle_t)ro);
	CHECK_EQ("reply: bad message pointer: EFAULT",
		 rv_port_reply_wait(port, &ev, NULL, RV_DEADLINE_NEVER, ch[0], (void *)16), -RV_EFAULT);
	m = msg_of((void *)16, 5, NULL, 0);
	CHECK_EQ("reply: bad bytes: EFAULT",
		 rv_port_reply_wait(port, &ev, NULL, RV_DEADLINE_NEVER, ch[0], &m), -RV_EFAULT);
	m = msg_of(big, CONFIG_MSG_MAX_BYTES + 1, NULL, 0);
	CHECK_EQ("reply over MSG_MAX_BYTES: EMSGSIZE",
		 rv_port_reply_wait(port, &ev, NULL, RV_DEADLINE_NEVER, ch[0], &m), -RV_EMSGSIZE);
	CHECK("... and none of them went", nothing_queued(ch[1]));
	for (unsigned int i = 0; i < CONFIG_CHANNEL_QUEUE_DEPTH; i++)
		CHECK_EQ("fill the peer's queue", rv_channel_write(ch[0], &rep, 0, 0), 0);
	CHECK_EQ("reply into a full queue: EAGAIN (a server never waits for a client)",
		 rv_port_reply_wait(port, &ev, NULL, RV_DEADLINE_NEVER, ch[0], &rep), -RV_EAGAIN);
	for (unsigned int i = 0; i < CONFIG_CHANNEL_QUEUE_DEPTH; i++) {
		m = msg_of(in, sizeof(in), NULL, 0);
		CHECK_EQ("drain", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
	}

	/* A reply that goes (queued: nobody waits in a call), then the wait:
	 * with a deadline that passed, -ETIMEDOUT after the reply went. */
	CHECK_EQ("reply, then a wait that times out",
		 rv_port_reply_wait(port, &ev, NULL, 0, ch[0], &rep), -RV_ETIMEDOUT);
	m = msg_of(in, sizeof(in), NULL, 0);
	CHECK_EQ("the reply is there", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
	CHECK("... with its bytes", m.num_bytes == 5 && !memcmp(in, "reply", 5));
	/* A reply, then an event ready at once: the wait returns it. */
	CHECK_EQ("a request on the bound end", rv_channel_write(q[1], &rep, 0, 0), 0);
	m = msg_of(in, sizeof(in), NULL, 0);
	CHECK_EQ("reply, and the request received",
		 rv_port_reply_wait(port, &ev, &m, RV_DEADLINE_NEVER, ch[0], &rep), 0);
	CHECK("... its event", ev.key == 3 && ev.status == 0 && (ev.observed & R) && m.num_bytes == 5);
	m = msg_of(in, sizeof(in), NULL, 0);
	CHECK_EQ("... and the reply went first", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
	/* A reply carrying a handle (the general path): it moves. */
	{
		rv_handle_t x[2], got = 0;

		CHECK_EQ("channel_create", rv_channel_create(x), 0);
		m = msg_of(b, 5, &x[1], 1);
		CHECK_EQ("reply with a handle",
			 rv_port_reply_wait(port, &ev, NULL, 0, ch[0], &m), -RV_ETIMEDOUT);
		CHECK_EQ("... it left this process", rv_handle_close(x[1]), -RV_EBADF);
		m = msg_of(in, sizeof(in), &got, 1);
		CHECK_EQ("... and arrived", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
		CHECK("... one handle", m.num_handles == 1 && handle_type(got) == RV_OBJ_CHANNEL);
		rv_handle_close(got);
		rv_handle_close(x[0]);
	}
	/* A reply whose client has gone: -EPEERCLOSED, unwaited. */
	rv_handle_close(ch[1]);
	CHECK_EQ("reply to a closed peer: EPEERCLOSED",
		 rv_port_reply_wait(port, &ev, NULL, RV_DEADLINE_NEVER, ch[0], &rep), -RV_EPEERCLOSED);
	rv_handle_close(ch[0]);
	rv_handle_close(q[0]);
	rv_handle_close(q[1]);
	rv_handle_close(port);
	printf("port: reply and wait: errors, order, handles, deadline\n");
}

/* A server on a port: NCALLERS children call CALLS times each, small
 * requests (the call fast path into port_wait) and large ones (straight
 * into the buffer); the reply is every byte + 1, written, or sent by the
 * next wait (reply_wait: its fast path when the caller waits in its call,
 * the general path otherwise). */
static void server(uint32_t size, uint64_t deadline_ms, bool reply_wait)
{
	rv_handle_t reply_to = RV_HANDLE_INVALID;
	struct rv_msg rep;
	rv_handle_t ends[NCALLERS][2], port;
	long procs[NCALLERS];
	struct rv_exit_info info;
	struct rv_port_event ev;
	unsigned int open = NCALLERS, served = 0, bad = 0;
	char sz[16], calls[16];

	port = (rv_handle_t)new_port();
	snprintf(sz, sizeof(sz), "%u", (unsigned int)size);
	snprintf(calls, sizeof(calls), "%u", CALLS);
	for (unsigned int i = 0; i < NCALLERS; i++) {
		CHECK_EQ("channel_create", rv_channel_create(ends[i]), 0);
		CHECK_EQ("bind", rv_port_bind(port, ends[i][0], R | PC, i), 0);
		procs[i] = spawn_child((const char *const[]){"caller", calls, sz, NULL}, &ends[i][1], 1);
		CHECK("spawn caller", procs[i] >= 0);
	}
	while (open) {
		struct rv_msg m = msg_of(in, sizeof(in), NULL, 0);
		uint64_t dl = deadline_ms ? deadline_in_ms(deadline_ms) : RV_DEADLINE_NEVER;
		long r = reply_to != RV_HANDLE_INVALID
				 ? rv_port_reply_wait(port, &ev, &m, dl, reply_to, &rep)
				 : rv_port_wait(port, &ev, &m, dl);

		reply_to = RV_HANDLE_INVALID;
		if (r < 0) {
			CHECK_EQ("port_wait", r, 0);
			break;
		}
		if (ev.key >= NCALLERS) {
			bad++;
			break;
		}
		if (ev.status == 0) {
			for (uint32_t k = 0; k < m.num_bytes; k++)
				big[k] = (uint8_t)(in[k] + 1);
			rep = msg_of(big, m.num_bytes, NULL, 0);
			if (reply_wait)
				reply_to = ends[ev.key][0];
			else if (rv_channel_write(ends[ev.key][0], &rep, 0, 0) != 0)
				bad++;
			served++;
		} else if (ev.observed & PC) {
			rv_handle_close(ends[ev.key][0]);
			open--;
		} else {
			bad++;
		}
	}
	snprintf(what, sizeof(what), "%u-byte calls: every call served", (unsigned int)size);
	CHECK_EQ(what, served, NCALLERS * CALLS);
	CHECK_EQ("nothing unexpected", bad, 0);
	for (unsigned int i = 0; i < NCALLERS; i++) {
		CHECK_EQ("caller ends", reap_child((rv_handle_t)procs[i], &info, 5000), 0);
		snprintf(what, sizeof(what), "caller %u: every reply right", i);
		CHECK_EQ(what, info.code, 0);
	}
	rv_handle_close(port);
	printf("port: a server for %d callers, %u-byte calls%s%s\n", NCALLERS, (unsigned int)size,
	       deadline_ms ? ", waiting with a deadline" : "",
	       reply_wait ? ", replying by the next wait" : "");
}

int main(void)
{
	struct rv_kstats base, ks;

	printf("port: MAX_PORTS=%d MAX_PORT_BINDINGS=%d\n", CONFIG_MAX_PORTS,
	       CONFIG_MAX_PORT_BINDINGS);
	rv_kstats(&base);
	object_and_errors();
	events();
	lifetimes();
	limits();
	reply_wait();
	server(16, 0, false);
	server(16, 5000, false);
	server(CONFIG_MSG_MAX_BYTES, 0, false);
	server(16, 0, true);
	server(16, 5000, true);
	server(CONFIG_MSG_MAX_BYTES, 0, true);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("port", &base, &ks);
	CHECK_EQ("kstats: ports back", ks.ports_used, base.ports_used);
	CHECK_EQ("kstats: bindings back", ks.port_bindings_used, base.port_bindings_used);
	return check_report("port");
}
