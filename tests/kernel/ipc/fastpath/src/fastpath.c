/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IPC fast paths (direct delivery to a blocked reader, the channel_call
 * hand-off) must behave exactly like the general path:
 *  1. a reader blocked with unusual buffers (too small, straddling a page,
 *     misaligned struct, unmapped or read-only, a deadline, exact size,
 *     empty, no room for a handle) gets the same results as the slow path,
 *     whether the message comes from channel_write or channel_call;
 *  2. 20,000 calls to a server that replies with channel_call get the right
 *     reply every time, with every size, with and without deadlines, and a
 *     reply too big for the caller's buffer is -EMSGSIZE and stays queued;
 *  3. a process the call handed a message to is really runnable: it runs at
 *     once when it has a higher priority, within a time slice when it has
 *     the same one, when the call returned without blocking (reply already
 *     queued, or deadline 0);
 *  4. killing such a process before it ran leaves the kernel sound.
 */
#include <stdlib.h>
#include "../../common/ipc_test.h"

#define MAXB CONFIG_MSG_MAX_BYTES
#define MAXH CONFIG_MSG_MAX_HANDLES
#define CALLS 20000

static uint8_t sbuf[MAXB], rbuf[MAXB];
static char what[160];

struct report {
	int32_t phase, result, num_bytes, num_handles, ok;
};

static void expect_report(const struct report *r, int phase, long result, int nb, int nh, int how)
{
	const char *via = how ? "call" : "write";

	snprintf(what, sizeof(what), "reader_edge (%s) phase %d: phase", via, phase);
	CHECK_EQ(what, r->phase, phase);
	snprintf(what, sizeof(what), "reader_edge (%s) phase %d: result", via, phase);
	CHECK_EQ(what, r->result, result);
	if (result == 0 || result == -RV_EMSGSIZE) {
		snprintf(what, sizeof(what), "reader_edge (%s) phase %d: num_bytes", via, phase);
		CHECK_EQ(what, r->num_bytes, nb);
		snprintf(what, sizeof(what), "reader_edge (%s) phase %d: num_handles", via, phase);
		CHECK_EQ(what, r->num_handles, nh);
	}
	snprintf(what, sizeof(what), "reader_edge (%s) phase %d: bytes intact", via, phase);
	CHECK_EQ(what, r->ok, 1);
}

/* Send phase `phase` (size bytes, pattern tag = phase) once the child is
 * blocked; `how` 1: with channel_call, whose reply is the first report. */
static void edge_send(rv_handle_t a, int phase, uint32_t size, rv_handle_t *h, uint32_t nh,
		      int how, struct report *first)
{
	struct rv_msg m = msg_of(sbuf, size, h, nh);
	struct rv_msg rep = msg_of(first, sizeof(*first), NULL, 0);
	long r;

	rv_sleep_ns(MS(5)); /* the child is blocked in its read by now */
	fill_pattern(sbuf, (uint32_t)phase, size);
	if (how) {
		r = rv_channel_call(a, &m, &rep, deadline_in_ms(5000));
		snprintf(what, sizeof(what), "phase %d: call", phase);
		CHECK_EQ(what, r, 0);
	} else {
		r = rv_channel_write(a, &m, 0, RV_DEADLINE_NEVER);
		snprintf(what, sizeof(what), "phase %d: write", phase);
		CHECK_EQ(what, r, 0);
		r = rv_channel_read(a, &rep, 0, deadline_in_ms(5000));
		snprintf(what, sizeof(what), "phase %d: read the report", phase);
		CHECK_EQ(what, r, 0);
	}
}

static void next_report(rv_handle_t a, struct report *r)
{
	struct rv_msg rep = msg_of(r, sizeof(*r), NULL, 0);

	memset(r, 0xff, sizeof(*r));
	CHECK_EQ("read the second report", rv_channel_read(a, &rep, 0, deadline_in_ms(5000)), 0);
}

static void reader_edges(int how)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info;
	struct report r;
	rv_handle_t ch[2], x[2];
	long proc;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	proc = spawn_child((const char *const[]){"reader_edge", NULL}, &ch[1], 1);
	CHECK("spawn reader_edge", proc >= 0);
	if (proc < 0)
		return;
	edge_send(ch[0], 0, 16, NULL, 0, how, &r);
	expect_report(&r, 0, -RV_EMSGSIZE, 16, 0, how);
	next_report(ch[0], &r);
	expect_report(&r, 0, 0, 16, 0, how);
	edge_send(ch[0], 1, 40, NULL, 0, how, &r);
	expect_report(&r, 1, 0, 40, 0, how);
	edge_send(ch[0], 2, 24, NULL, 0, how, &r);
	expect_report(&r, 2, 0, 24, 0, how);
	edge_send(ch[0], 3, 20, NULL, 0, how, &r);
	expect_report(&r, 3, -RV_EFAULT, 0, 0, how);
	next_report(ch[0], &r);
	expect_report(&r, 3, 0, 20, 0, how);
	edge_send(ch[0], 4, 20, NULL, 0, how, &r);
	expect_report(&r, 4, -RV_EFAULT, 0, 0, how);
	next_report(ch[0], &r);
	expect_report(&r, 4, 0, 20, 0, how);
	edge_send(ch[0], 5, 30, NULL, 0, how, &r);
	expect_report(&r, 5, 0, 30, 0, how);
	edge_send(ch[0], 6, 16, NULL, 0, how, &r);
	expect_report(&r, 6, 0, 16, 0, how);
	edge_send(ch[0], 7, 0, NULL, 0, how, &r);
	expect_report(&r, 7, 0, 0, 0, how);
	if (MAXH) {
		CHECK_EQ("channel_create", rv_channel_create(x), 0);
		edge_send(ch[0], 8, 8, &x[1], 1, how, &r);
		expect_report(&r, 8, -RV_EMSGSIZE, 8, 1, how);
		next_report(ch[0], &r);
		expect_report(&r, 8, 0, 8, 1, how);
		rv_handle_close(x[0]);
	} else {
		edge_send(ch[0], 8, 8, NULL, 0, how, &r);
		next_report(ch[0], &r);
	}
	rv_handle_close(ch[0]);
	CHECK_EQ("reader_edge ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("reader_edge: status", info.code, 0);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME(how ? "reader_edges (call)" : "reader_edges (write)", &base, &ks);
	printf("fastpath: blocked reader with odd buffers, messages by %s: as the slow path\n",
	       how ? "channel_call" : "channel_write");
}

/* 2. Many calls to a server that replies with channel_call. */
static void call_server(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info;
	rv_handle_t ch[2];
	unsigned int bad = 0;
	long proc;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	proc = spawn_child((const char *const[]){"call_server", NULL}, &ch[1], 1);
	CHECK("spawn call_server", proc >= 0);
	for (uint32_t i = 0; i < CALLS; i++) {
		uint32_t size = (i * 37) % (MAXB + 1);
		struct rv_msg req = msg_of(sbuf, size, NULL, 0);
		struct rv_msg rep = msg_of(rbuf, MAXB, NULL, 0);
		uint64_t deadline = i % 3 == 1 ? deadline_in_ms(5000) : RV_DEADLINE_NEVER;
		long r;

		fill_pattern(sbuf, i, size);
		r = rv_channel_call(ch[0], &req, &rep, deadline);
		if (r != 0 || rep.num_bytes != size) {
			if (bad++ < 5)
				printf("FAIL call %u (%u bytes): %ld %s, reply %u bytes\n", i, size, r,
				       err_name(r), rep.num_bytes);
			continue;
		}
		for (uint32_t k = 0; k < size; k++) {
			if (rbuf[k] != (uint8_t)(pattern(i, k) + 1)) {
				if (bad++ < 5)
					printf("FAIL call %u (%u bytes): reply byte %u\n", i, size, k);
				break;
			}
		}
	}
	CHECK_EQ("calls with a wrong reply", bad, 0);
	/* A reply bigger than the buffer: EMSGSIZE, and it stays queued. */
	{
		uint32_t size = MAXB < 32 ? MAXB : 32;
		struct rv_msg req = msg_of(sbuf, size, NULL, 0);
		struct rv_msg rep = msg_of(rbuf, 4, NULL, 0);

		fill_pattern(sbuf, 9, size);
		CHECK_EQ("reply too big for the buffer",
			 rv_channel_call(ch[0], &req, &rep, RV_DEADLINE_NEVER), -RV_EMSGSIZE);
		CHECK_EQ("EMSGSIZE says the bytes needed", rep.num_bytes, size);
		rep = msg_of(rbuf, MAXB, NULL, 0);
		CHECK_EQ("the reply stayed queued", rv_channel_read(ch[0], &rep, RV_IPC_NONBLOCK, 0), 0);
		CHECK_EQ("its size", rep.num_bytes, size);
		CHECK_EQ("its first byte", rbuf[0], (uint8_t)(pattern(9, 0) + 1));
	}
	/* A request over CONFIG_MSG_MAX_BYTES to the server blocked in its
	 * call with a larger buffer (a page): EMSGSIZE, as the general path
	 * says, and nothing reaches the server (the fast path once delivered
	 * it). */
	{
		static uint8_t big[MAXB + 64];
		struct rv_msg req = msg_of(big, MAXB + 1, NULL, 0);
		struct rv_msg rep = msg_of(rbuf, MAXB, NULL, 0);

		CHECK_EQ("a call of MSG_MAX_BYTES + 1 to a blocked reader with room: EMSGSIZE",
			 rv_channel_call(ch[0], &req, &rep, RV_DEADLINE_NEVER), -RV_EMSGSIZE);
		sbuf[0] = 41;
		req = msg_of(sbuf, 1, NULL, 0);
		CHECK_EQ("... the server still waits for a request",
			 rv_channel_call(ch[0], &req, &rep, RV_DEADLINE_NEVER), 0);
		CHECK("... and answers this one", rep.num_bytes == 1 && rbuf[0] == 42);
	}
	/* Write, then read, to the same server: it sees no difference. */
	for (uint32_t i = 0; i < 100; i++) {
		struct rv_msg rep = msg_of(rbuf, MAXB, NULL, 0);

		sbuf[0] = (uint8_t)i;
		CHECK_EQ("write to the server", write_bytes(ch[0], sbuf, 1, 0, RV_DEADLINE_NEVER), 0);
		CHECK_EQ("read its reply", rv_channel_read(ch[0], &rep, 0, RV_DEADLINE_NEVER), 0);
		CHECK_EQ("the reply", rbuf[0], (uint8_t)(i + 1));
	}
	rv_handle_close(ch[0]);
	CHECK_EQ("call_server ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("call_server: status", info.code, 0);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME("call_server", &base, &ks);
	printf("fastpath: %d calls to a server replying with channel_call: every reply right\n",
	       CALLS);
}

/* A call whose peer takes the request and then runs without answering:
 * the caller's deadline must still end it on time. */
static void call_deadline(void)
{
	struct rv_exit_info info;
	rv_handle_t ch[2];
	uint8_t req = 1, got;
	struct rv_msg rq = msg_of(&req, 1, NULL, 0), rp = msg_of(&got, 1, NULL, 0);
	uint64_t t0, took;
	long proc, r;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	/* below us: it runs only while we wait */
	proc = rv_process_spawn("ipc_child", (const char *const[]){"read_then_spin", "300", NULL},
				CONFIG_DEFAULT_PRIORITY + 1, &ch[1], 1);
	CHECK("spawn read_then_spin", proc >= 0);
	rv_sleep_ns(MS(5)); /* it blocks in its read */
	t0 = rv_clock_ns();
	r = rv_channel_call(ch[0], &rq, &rp, t0 + MS(20));
	took = rv_clock_ns() - t0;
	CHECK_EQ("call to a peer that never answers: ETIMEDOUT", r, -RV_ETIMEDOUT);
	CHECK("not before the deadline", took >= MS(20));
	if (!CHECK("at the deadline (within 50 ms), not when the peer next blocks", took < MS(70)))
		printf("FAIL: the call timed out after %lu ms, deadline 20 ms\n",
		       (unsigned long)(took / 1000000));
	rv_handle_close(ch[0]);
	CHECK_EQ("read_then_spin ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	printf("fastpath: a call's deadline holds while the peer runs (%lu ms for 20 ms)\n",
	       (unsigned long)(took / 1000000));
}

/* A count_reader child (blocked reading b) at `prio`; our a, a duplicate
 * of its end to queue replies for ourselves, and its counters in shm. */
struct counted {
	rv_handle_t a, b_dup, shm, proc;
	volatile uint32_t *w;
};

static int counted_start(struct counted *c, unsigned int prio)
{
	rv_handle_t ch[2], give[2];
	long shm, dup, va, proc;

	if (rv_channel_create(ch) != 0)
		return -1;
	shm = rv_shm_create(4096);
	dup = rv_handle_duplicate(ch[1], CHANNEL_RIGHTS);
	va = shm >= 0 ? rv_shm_map((rv_handle_t)shm, 1) : -1;
	if (shm < 0 || dup < 0 || va < 0)
		return -1;
	give[0] = ch[1];
	give[1] = (rv_handle_t)rv_handle_duplicate((rv_handle_t)shm, SHM_RIGHTS);
	proc = rv_process_spawn("ipc_child", (const char *const[]){"count_reader", NULL}, prio, give,
				2);
	if (proc < 0)
		return -1;
	c->a = ch[0];
	c->b_dup = (rv_handle_t)dup;
	c->shm = (rv_handle_t)shm;
	c->proc = (rv_handle_t)proc;
	c->w = (volatile uint32_t *)va;
	rv_sleep_ns(MS(5)); /* it maps and blocks in its read */
	return 0;
}

static void counted_stop(struct counted *c)
{
	struct rv_exit_info info;

	rv_handle_close(c->a);
	rv_handle_close(c->b_dup);
	CHECK_EQ("count_reader ends", reap_child(c->proc, &info, 5000), 0);
	rv_shm_unmap((void *)c->w);
	rv_handle_close(c->shm);
}

/* Spin in user mode (system calls that do not block only) until the
 * counter reaches `want` or `ms` pass; the ms it took, or -1. */
static long spin_until(volatile uint32_t *w, uint32_t want, unsigned int ms)
{
	uint64_t t0 = rv_clock_ns(), now = t0;

	while (w[0] < want) {
		now = rv_clock_ns();
		if (now - t0 > MS(ms))
			return -1;
	}
	return (long)((now - t0) / 1000000);
}

/* 3. After a call that returned without blocking, the process it handed
 * the request to must be runnable like any other. */
static void handoff_runnable(void)
{
	struct rv_kstats base, ks;
	struct counted c;
	uint8_t req = 7, got = 0, pre = 42;
	struct rv_msg rq = msg_of(&req, 1, NULL, 0), rp = msg_of(&got, 1, NULL, 0);
	long r, ms;

	rv_kstats(&base);
	/* (a) higher priority, reply already queued at our end */
	if (!CHECK_EQ("start count_reader", counted_start(&c, CONFIG_DEFAULT_PRIORITY - 1), 0))
		return;
	CHECK_EQ("queue a reply for ourselves", write_bytes(c.b_dup, &pre, 1, 0, RV_DEADLINE_NEVER),
		 0);
	r = rv_channel_call(c.a, &rq, &rp, RV_DEADLINE_NEVER);
	CHECK_EQ("call returns the queued reply", r, 0);
	CHECK_EQ("the queued reply", got, pre);
	CHECK_EQ("the higher-priority reader has run by the time the call returns", c.w[0], 1);
	ms = spin_until(c.w, 1, 100);
	if (ms < 0)
		printf("FAIL: a higher-priority reader handed a request by channel_call did not run "
		       "for 100 ms while its caller kept running\n");
	rv_sleep_ns(MS(1));
	CHECK_EQ("it got the request", c.w[1], req);
	counted_stop(&c);

	/* (b) higher priority, call with deadline 0 */
	if (!CHECK_EQ("start count_reader", counted_start(&c, CONFIG_DEFAULT_PRIORITY - 1), 0))
		return;
	r = rv_channel_call(c.a, &rq, &rp, 0);
	CHECK_EQ("call with deadline 0: no reply yet", r, -RV_ETIMEDOUT);
	CHECK_EQ("the higher-priority reader has run by the time the call returns", c.w[0], 1);
	ms = spin_until(c.w, 1, 100);
	if (ms < 0)
		printf("FAIL: (deadline 0) a higher-priority reader did not run for 100 ms\n");
	rv_sleep_ns(MS(1));
	CHECK_EQ("it got the request", c.w[0], 1);
	counted_stop(&c);

	/* (c) the same priority: it must run within a time slice or two */
	if (!CHECK_EQ("start count_reader", counted_start(&c, CONFIG_DEFAULT_PRIORITY), 0))
		return;
	r = rv_channel_call(c.a, &rq, &rp, 0);
	CHECK_EQ("call with deadline 0: no reply yet", r, -RV_ETIMEDOUT);
	ms = spin_until(c.w, 1, 200);
	snprintf(what, sizeof(what),
		 "a reader of our priority handed a request runs while we spin (%d ms slices)",
		 CONFIG_TIMESLICE_MS);
	CHECK(what, ms >= 0);
	if (ms < 0)
		printf("FAIL: it did not run in 200 ms: it is neither running nor in a ready queue\n");
	rv_sleep_ns(MS(1));
	counted_stop(&c);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("handoff_runnable", &base, &ks);
	printf("fastpath: a reader handed a request by a call that did not block is runnable\n");
}

/* 4. Kill the process a call handed its request to, before it ran. */
static void handoff_killed(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info = {.reason = -1};
	struct counted c;
	uint8_t req = 7, got = 0;
	struct rv_msg rq = msg_of(&req, 1, NULL, 0), rp = msg_of(&got, 1, NULL, 0);
	struct rv_wait_item it;

	rv_kstats(&base);
	/* lower priority: it may not run before we block */
	if (!CHECK_EQ("start count_reader", counted_start(&c, CONFIG_DEFAULT_PRIORITY + 1), 0))
		return;
	CHECK_EQ("call with deadline 0: no reply yet", rv_channel_call(c.a, &rq, &rp, 0),
		 -RV_ETIMEDOUT);
	printf("fastpath: killing the reader the call handed its request to\n");
	CHECK_EQ("kill it", rv_process_kill(c.proc), 0);
	it = (struct rv_wait_item){.handle = c.proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("it has exited", rv_wait_many(&it, 1, 0), 1);
	CHECK_EQ("exit info", rv_process_exit_info(c.proc, &info), 0);
	CHECK_EQ("killed", info.reason, RV_EXIT_KILLED);
	rv_sleep_ns(MS(10)); /* the scheduler runs: it must not pick the dead process */
	printf("fastpath: still here after the scheduler ran\n");
	rv_handle_close(c.proc);
	rv_handle_close(c.a);
	rv_handle_close(c.b_dup);
	rv_shm_unmap((void *)c.w);
	rv_handle_close(c.shm);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("handoff_killed", &base, &ks);
	printf("fastpath: killing a process with a pending hand-off is safe\n");
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "";

	printf("fastpath: MSG_MAX_BYTES=%d MSG_MAX_HANDLES=%d\n", MAXB, MAXH);
	if (!*only) {
		reader_edges(0);
		reader_edges(1);
		call_server();
		call_deadline();
		handoff_runnable();
	}
	handoff_killed();
	return check_report("fastpath");
}
