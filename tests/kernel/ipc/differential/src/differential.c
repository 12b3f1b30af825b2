/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Differential test of the IPC fast paths (doc/ipc.md; issue 12): a client
 * and a server (this program, spawned as "server") run the same random
 * sequence twice. In the first run every struct rv_msg is 8-byte aligned,
 * so channel_call's fast path and direct delivery to a blocked reader take
 * every call they can (and a read that waits without a deadline blocks by
 * channel_read_block, not in channel_read's frame: it too needs an aligned
 * record); in the second every struct rv_msg sits at an odd
 * multiple of 4, which no fast path takes (they need aligned records), so
 * the general path runs everything. The server reads its channel (replying
 * by channel_call or by a write), then does it all again waiting on a port
 * and replying with the wait (rv_port_reply_wait: that fast path too).
 * The operations: calls and write+read
 * pairs with sizes around every limit (0, 1, 7, 8, MSG_MAX_BYTES - 1,
 * MSG_MAX_BYTES, MSG_MAX_BYTES + 1), handles in requests and replies
 * (some past MSG_MAX_HANDLES), receive buffers too small for bytes or
 * handles (EMSGSIZE, the message kept and read again), bad handles, a
 * queue filled past its depth (EAGAIN), deadlines; requests whose handles
 * are refused one way or another (no TRANSFER right, one sent twice, the
 * channel's own end or a duplicate of it, a derived handle revoked, a
 * channel end whose queue carries ends: ELOOP) or do something
 * particular (derived ones, one bound to a port: the binding goes with
 * it), and a receiver whose table is nearly full (EMFILE, the message
 * kept and read again). Received handles are compared by value (the
 * server's; the client's by slot), type, rights and derivation. (A burst to the server
 * itself would not do: a message delivered straight to a blocked reader
 * takes no room in its queue, as if the reader had run at once -- a
 * scheduling difference, not a different result.) Both sides fold every result, size,
 * handle count and byte into a digest; the two runs must give the same
 * digests, and the aligned run must be the cheaper one (the fast paths
 * ran).
 */
#include <stdbool.h>
#include <stdlib.h>
#include "../../common/ipc_test.h"

#define MAXB CONFIG_MSG_MAX_BYTES
#define MAXH CONFIG_MSG_MAX_HANDLES
#define DEPTH CONFIG_CHANNEL_QUEUE_DEPTH
#define OPS 100000u
#define SEED 0x2026120511u

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t digest;

static void fold(uint64_t v)
{
	digest = (digest ^ v) * 0x100000001b3ull;
}

static void fold_bytes(const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fold(b[i]);
}

/* Sizes around every limit. */
static uint32_t pick_size(void)
{
	static const uint32_t edges[] = {0, 1, 7, 8, MAXB > 1 ? MAXB - 1 : 0, MAXB, MAXB + 1};

	return below(3) ? edges[below(7)] : below(MAXB + 1);
}

/* ---- system calls with the struct rv_msg aligned or not ---- */

static bool misaligned;
static uint8_t raw[3][sizeof(struct rv_msg) + 16] __attribute__((aligned(8)));

static struct rv_msg *place(int i, const struct rv_msg *m)
{
	uint8_t *at = raw[i] + (misaligned ? 4 : 0);

	memcpy(at, m, sizeof(*m));
	return (struct rv_msg *)(void *)at;
}

static void take(int i, struct rv_msg *m)
{
	memcpy(m, raw[i] + (misaligned ? 4 : 0), sizeof(*m));
}

static long do_write(rv_handle_t h, struct rv_msg *m, uint32_t flags, uint64_t deadline)
{
	return rv_channel_write(h, place(0, m), flags, deadline);
}

static long do_read(rv_handle_t h, struct rv_msg *m, uint32_t flags, uint64_t deadline)
{
	long r = rv_channel_read(h, place(1, m), flags, deadline);

	take(1, m);
	return r;
}

static long do_call(rv_handle_t h, struct rv_msg *req, struct rv_msg *rep, uint64_t deadline)
{
	struct rv_msg *q = place(0, req), *p = place(1, rep);
	long r = rv_channel_call(h, q, p, deadline);

	take(1, rep);
	return r;
}

/* port_wait, with a reply (rep non-NULL) or not, the event and the
 * records aligned or not. */
static long do_port_wait(rv_handle_t port, struct rv_port_event *ev, struct rv_msg *m,
			 const struct rv_msg *rep)
{
	uint8_t *evat = raw[2] + (misaligned ? 4 : 0);
	struct rv_msg *q = rep ? place(0, rep) : NULL, *p = place(1, m);
	long r = rep ? rv_port_reply_wait(port, (struct rv_port_event *)(void *)evat, p,
					  RV_DEADLINE_NEVER, 0, q)
		     : rv_port_wait(port, (struct rv_port_event *)(void *)evat, p, RV_DEADLINE_NEVER);

	take(1, m);
	memcpy(ev, evat, sizeof(*ev));
	return r;
}

static uint8_t out[MAXB + 8] __attribute__((aligned(8)));
/* Receive buffers may be larger than a message can be: the kernel must
 * still refuse what is over the limit, on every path. */
#define IN_BYTES (MAXB + 64)
static uint8_t in[IN_BYTES] __attribute__((aligned(8)));
static rv_handle_t hout[MAXH + 2], hin[MAXH + 2];

static void close_all(const rv_handle_t *h, uint32_t n)
{
	for (uint32_t i = 0; i < n && i <= MAXH; i++)
		rv_handle_close(h[i]);
}

/* Received handles are folded whole in the server (a new process each run,
 * so its handle values must come out the same), by slot in the client
 * (its table carries the generations of the runs before). */
static bool fold_whole_values;

/* A received message: its result, sizes, bytes, its handles (values, type,
 * rights, derived or not); its handles closed. */
static void fold_received(long r, const struct rv_msg *m)
{
	fold((uint64_t)r);
	fold(m->num_bytes);
	fold(m->num_handles);
	if (r == 0) {
		fold_bytes(in, m->num_bytes);
		for (uint32_t i = 0; i < m->num_handles && i <= MAXH; i++) {
			struct rv_handle_info info = {0};

			fold(fold_whole_values ? hin[i] : hin[i] & ((1u << RV_HANDLE_SLOT_BITS) - 1));
			fold((uint64_t)rv_handle_info(hin[i], &info));
			fold(info.type | (uint64_t)info.rights << 8 | (uint64_t)info.pad << 32);
		}
		close_all(hin, m->num_handles);
	}
}

/* A table full but for `leave` slots (the receiver's EMFILE): filled with
 * duplicates of `from`, emptied again by unfill(). */
static rv_handle_t fillers[CONFIG_MAX_HANDLES];
static uint32_t nfill;

static void fill_table(rv_handle_t from, uint32_t leave)
{
	long d;

	while (nfill < CONFIG_MAX_HANDLES && (d = rv_handle_duplicate(from, RV_RIGHT_READ)) >= 0)
		fillers[nfill++] = (rv_handle_t)d;
	for (; leave && nfill; leave--)
		rv_handle_close(fillers[--nfill]);
}

static void unfill(void)
{
	while (nfill)
		rv_handle_close(fillers[--nfill]);
}

/* Read the next message with room for anything. */
static long read_all(rv_handle_t h)
{
	struct rv_msg m = msg_of(in, IN_BYTES, hin, MAXH);
	long r = do_read(h, &m, 0, RV_DEADLINE_NEVER);

	fold_received(r, &m);
	return r;
}

/* Up to n handles to send (duplicates of spare), some past the limit;
 * sometimes one bad value. */
static uint32_t make_handles(rv_handle_t spare, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < MAXH + 1; i++) {
		long d = rv_handle_duplicate(spare, RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA));

		hout[i] = d >= 0 ? (rv_handle_t)d : RV_HANDLE_INVALID;
	}
	if (n && !below(8)) {
		uint32_t i = below(n);

		rv_handle_close(hout[i]);
		hout[i] = 0x7ff; /* a bad handle */
	}
	return n;
}

/* What a request's handles were made to be (spoil()), so that the send is
 * refused or does something particular, on every path alike. */
enum spoil_kind {
	SPOIL_NONE,
	SPOIL_NO_TRANSFER, /* hout[i] without TRANSFER: EPERM */
	SPOIL_TWICE,       /* hout[j] = hout[i]: EINVAL */
	SPOIL_SELF,        /* hout[i]: the channel's own end: EINVAL */
	SPOIL_PEER,        /* a duplicate of it (same channel): EINVAL */
	SPOIL_DERIVED,     /* derived; revoked first, half the time: ECANCELED */
	SPOIL_BOUND,       /* bound to a port: the binding goes with it */
	SPOIL_LOOP,        /* spare[1]'s queue carries a channel end: ELOOP */
	SPOIL_KINDS
};

static struct {
	enum spoil_kind kind;
	uint32_t i, j; /* (SPOIL_LOOP: j, whether the end was queued) */
	rv_handle_t revoker;
	uint64_t bindings; /* kstats' port bindings before the bind */
} sp;

static uint64_t port_bindings(void)
{
	struct rv_kstats k;

	return rv_kstats(&k) == 0 ? k.port_bindings_used : ~0ull;
}

/* hout[0..n) (1 <= n <= MAXH, duplicates of spare[1]) spoiled one way,
 * the channel being `self`, the client's port `port`. */
static void spoil(uint32_t n, rv_handle_t self, const rv_handle_t spare[2], rv_handle_t port)
{
	rv_handle_t two[2];

	sp.kind = (enum spoil_kind)(1 + below(SPOIL_KINDS - 1));
	sp.i = below(n);
	if (hout[sp.i] == 0x7ff)
		sp.i = (sp.i + 1) % n; /* (the bad value is never two) */
	switch (sp.kind) {
	case SPOIL_NO_TRANSFER:
		rv_handle_close(hout[sp.i]);
		hout[sp.i] = (rv_handle_t)rv_handle_duplicate(spare[1], CHANNEL_RIGHTS &
									 ~RV_RIGHT_TRANSFER);
		break;
	case SPOIL_TWICE:
		if (n < 2) {
			sp.kind = SPOIL_NONE;
			break;
		}
		sp.j = (sp.i + 1 + below(n - 1)) % n;
		if (hout[sp.j] != 0x7ff)
			rv_handle_close(hout[sp.j]);
		hout[sp.j] = hout[sp.i];
		break;
	case SPOIL_SELF:
		rv_handle_close(hout[sp.i]);
		hout[sp.i] = self;
		break;
	case SPOIL_PEER:
		rv_handle_close(hout[sp.i]);
		hout[sp.i] = (rv_handle_t)rv_handle_duplicate(self, CHANNEL_RIGHTS);
		break;
	case SPOIL_DERIVED:
		rv_handle_close(hout[sp.i]);
		if (rv_handle_derive(spare[1], CHANNEL_RIGHTS, two) != 0) {
			hout[sp.i] = 0x7ff;
			sp.kind = SPOIL_NONE;
			break;
		}
		hout[sp.i] = two[0];
		sp.revoker = two[1];
		if (below(2))
			fold((uint64_t)rv_handle_revoke(sp.revoker));
		break;
	case SPOIL_BOUND:
		sp.bindings = port_bindings();
		fold((uint64_t)rv_port_bind(port, hout[sp.i], RV_SIGNAL_READABLE, 7));
		break;
	case SPOIL_LOOP: {
		/* a channel end queued at spare[1] (written to spare[0]) */
		struct rv_msg m = msg_of(out, 0, two, 1);

		if (rv_channel_create(two) != 0) {
			sp.kind = SPOIL_NONE;
			break;
		}
		rv_handle_close(two[1]);
		sp.j = rv_channel_write(spare[0], &m, RV_IPC_NONBLOCK, 0) == 0;
		fold(sp.j);
		if (!sp.j)
			rv_handle_close(two[0]);
		break;
	}
	default:
		break;
	}
}

/* Right after the send, the bound handle's binding: gone (0) when it went,
 * still there (1) when it did not. */
static void fold_bound(void)
{
	if (sp.kind == SPOIL_BOUND)
		fold(port_bindings() - sp.bindings);
}

/* What did not go is still ours. */
static void unsent(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (hout[i] == 0x7ff || (sp.kind == SPOIL_TWICE && i == sp.j) ||
		    (sp.kind == SPOIL_SELF && i == sp.i))
			continue;
		rv_handle_close(hout[i]);
	}
}

/* After the request: what spoil() left. */
static void spoil_done(const rv_handle_t spare[2])
{
	if (sp.kind == SPOIL_DERIVED)
		rv_handle_close(sp.revoker);
	if (sp.kind == SPOIL_LOOP && sp.j)
		read_all(spare[1]); /* (the message carrying the end) */
	sp.kind = SPOIL_NONE;
}

static uint64_t pick_deadline(void)
{
	return below(4) ? RV_DEADLINE_NEVER : rv_clock_ns() + 10000000000ull;
}

/* ---- the server ---- */

static int server(bool on_port)
{
	rv_handle_t spare[2];
	struct rv_msg rep;
	uint32_t nh = 0;
	bool replying = false;
	long port = 0;

	rng_state = SEED ^ 0x5e5e;
	digest = 0;
	fold_whole_values = true;
	if (rv_channel_create(spare) != 0)
		return 100;
	if (on_port) {
		port = rv_port_create();
		if (port < 0 || rv_port_bind((rv_handle_t)port, 0,
					     RV_SIGNAL_READABLE | RV_SIGNAL_PEER_CLOSED, 0) != 0)
			return 100;
	}
	for (;;) {
		/* The next request, into a buffer that may be too small (then
		 * read again with room: it stayed queued); the last reply goes
		 * first, by channel_call (reply and wait in one) or by a write. */
		struct rv_msg m = msg_of(in, below(4) ? (below(2) ? MAXB : IN_BYTES) : below(64), hin,
					 below(4) ? MAXH : 0);
		long r;
		uint32_t n;

		/* Sometimes a table with little room for the request's handles */
		if (!below(32))
			fill_table(spare[1], below(MAXH + 1));
		if (port) {
			struct rv_port_event ev;

			/* On a port: the reply with the wait (reply and wait),
			 * the request received into m. */
			r = do_port_wait((rv_handle_t)port, &ev, &m, replying ? &rep : NULL);
			if (r < 0) {
				fold((uint64_t)r);
				if (r == -RV_EPEERCLOSED)
					break;
				return 104;
			}
			fold(ev.observed);
			r = ev.status;
			if (ev.status == RV_PORT_NOT_READ) {
				if (ev.observed & RV_SIGNAL_PEER_CLOSED)
					break;
				return 105;
			}
		} else if (replying && below(2)) {
			r = do_call(0, &rep, &m, RV_DEADLINE_NEVER);
		} else {
			if (replying) {
				r = do_write(0, &rep, 0, RV_DEADLINE_NEVER);
				fold((uint64_t)r);
				if (r == -RV_EPEERCLOSED)
					break;
				if (r != 0)
					return 103;
			}
			r = do_read(0, &m, 0, RV_DEADLINE_NEVER);
		}
		replying = false;
		if (r == -RV_EPEERCLOSED)
			break;
		fold((uint64_t)r);
		if (r == -RV_EMSGSIZE || r == -RV_EMFILE) {
			/* (the request stayed queued: read again with room) */
			fold(m.num_bytes);
			fold(m.num_handles);
			unfill();
			if (read_all(0) != 0)
				return 101;
		} else {
			fold_received(r, &m);
			if (r != 0)
				return 102;
		}
		unfill();
		/* The reply: a size from the request's, handles sometimes. */
		n = below(5) ? (m.num_bytes * 3 + 1) % (MAXB + 1) : pick_size();
		if (n > MAXB)
			n = MAXB;
		for (uint32_t i = 0; i < n; i++)
			out[i] = (uint8_t)(in[i % (m.num_bytes ? m.num_bytes : 1)] + i);
		nh = below(6) || !MAXH ? 0 : make_handles(spare[1], 1 + below(MAXH));
		for (uint32_t i = 0; i < nh; i++)
			if (hout[i] == 0x7ff)
				hout[i] = (rv_handle_t)rv_handle_duplicate(spare[1], RV_RIGHT_READ |
									     RV_RIGHT_TRANSFER);
		rep = msg_of(out, n, hout, nh);
		replying = true;
	}
	if (replying)
		unsent(nh);
	rv_handle_close(spare[0]);
	rv_handle_close(spare[1]);
	return (int)(digest & 0x3fffffff);
}

/* ---- the client ---- */

struct run {
	uint64_t digest;
	int server_digest;
	uint64_t instructions;
};

static void client_run(bool mis, int on_port, struct run *out_run)
{
	rv_handle_t ch[2], spare[2];
	struct rv_exit_info info;
	long proc, port;
	uint64_t t0;

	misaligned = mis;
	rng_state = SEED;
	digest = 0;
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("spare channel", rv_channel_create(spare), 0);
	port = rv_port_create();
	CHECK("a port to bind handles sent to", port >= 0);
	proc = rv_process_spawn("differential",
				(const char *const[]){"server", mis ? "misaligned" : "aligned",
						       on_port ? "port" : "channel", NULL},
				CONFIG_DEFAULT_PRIORITY, &ch[1], 1);
	CHECK("spawn the server", proc >= 0);
	t0 = rv_instret();
	for (uint32_t op = 0; op < OPS; op++) {
		uint32_t kind = below(10), n = pick_size();
		uint32_t nh = below(5) ? 0 : make_handles(spare[1], below(MAXH + 2));
		struct rv_msg req = msg_of(out, n, hout, nh);
		long r;

		/* A third of the requests with handles spoiled one way (the
		 * port's bindings only once the server runs) */
		if (kind < 9 && nh && nh <= MAXH && !below(3) && op > 16)
			spoil(nh, ch[0], spare, (rv_handle_t)port);

		for (uint32_t i = 0; i < n && i < MAXB; i++)
			out[i] = (uint8_t)(op + i * 3);

		if (n > MAXB)
			req.bytes = out; /* (out has room for MAXB + 8: the kernel refuses first) */
		if (kind < 6) {
			/* A call; the reply into a buffer that may be too small. */
			struct rv_msg rep = msg_of(in, below(4) ? (below(2) ? MAXB : IN_BYTES) : below(64),
						   hin, below(4) ? MAXH : below(2));

			/* Sometimes a table with little room for the reply's
			 * handles (the request's leave it first) */
			if (!below(32))
				fill_table(spare[1], below(2));
			r = do_call(ch[0], &req, &rep, pick_deadline());
			fold((uint64_t)r);
			fold_bound();
			if (r == 0) {
				fold_received(r, &rep);
			} else if ((r == -RV_EMSGSIZE && n <= MAXB && nh <= MAXH) || r == -RV_EMFILE) {
				/* The request went; the reply, too big for the
				 * buffers or the table, stayed queued: its sizes,
				 * then itself. */
				fold(rep.num_bytes);
				fold(rep.num_handles);
				unfill();
				read_all(ch[0]);
			} else {
				unsent(nh);
			}
			unfill();
		} else if (kind < 9) {
			/* Write, then read the reply. */
			r = do_write(ch[0], &req, 0, pick_deadline());
			fold((uint64_t)r);
			fold_bound();
			if (r != 0)
				unsent(nh);
			else
				read_all(ch[0]);
		} else {
			/* A queue filled past its depth without waiting (an end
			 * nobody reads: EAGAIN at the end), then drained. */
			uint32_t sent = 0;

			unsent(nh);
			for (uint32_t i = 0; i < DEPTH + 1; i++) {
				struct rv_msg small = msg_of(out, 1 + i, NULL, 0);

				r = do_write(spare[0], &small, RV_IPC_NONBLOCK, 0);
				fold((uint64_t)r);
				sent += r == 0;
			}
			for (uint32_t i = 0; i < sent; i++)
				read_all(spare[1]);
		}
		spoil_done(spare);
	}
	out_run->instructions = rv_instret() - t0;
	rv_handle_close((rv_handle_t)port);
	rv_handle_close(ch[0]);
	CHECK_EQ("the server ends", reap_child((rv_handle_t)proc, &info, 10000), 0);
	CHECK_EQ("... normally", info.reason, RV_EXIT_NORMAL);
	CHECK("... with a digest (not an error code)",
	      info.code >= 0 && (info.code < 100 || info.code > 105));
	out_run->server_digest = info.code;
	out_run->digest = digest;
	rv_handle_close(spare[0]);
	rv_handle_close(spare[1]);
}

static void compare(int on_port, const struct run *fast, const struct run *general)
{
	const char *how = on_port ? "a port server replying with the wait" : "a channel server";

	printf("differential: %u operations each way, %s; client digest %016lx / %016lx, "
	       "server %08x / %08x\n",
	       OPS, how, (unsigned long)fast->digest, (unsigned long)general->digest,
	       (unsigned int)fast->server_digest, (unsigned int)general->server_digest);
	CHECK_EQ("the client saw the same results and bytes both ways",
		 fast->digest == general->digest, 1);
	CHECK_EQ("the server saw the same both ways", fast->server_digest, general->server_digest);
	CHECK("the aligned run took the fast paths (fewer instructions)",
	      fast->instructions < general->instructions);
	printf("differential: instructions, aligned %lu, misaligned %lu\n",
	       (unsigned long)fast->instructions, (unsigned long)general->instructions);
}

int main(int argc, char **argv)
{
	struct run fast, general;

	if (argc > 3 && !strcmp(argv[1], "server")) {
		misaligned = !strcmp(argv[2], "misaligned");
		return server(!strcmp(argv[3], "port"));
	}
	for (int on_port = 0; on_port < 2; on_port++) {
		client_run(false, on_port, &fast);
		client_run(true, on_port, &general);
		compare(on_port, &fast, &general);
	}
	return check_report("differential");
}
