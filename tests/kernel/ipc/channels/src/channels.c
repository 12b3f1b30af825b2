/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Channels: message integrity for every size 0..CONFIG_MSG_MAX_BYTES (above
 * EVERY_SIZE, the sizes next_size picks) with 0..CONFIG_MSG_MAX_HANDLES handles (in one process and across processes,
 * the moved handles used on the other side), full queues, blocked writers
 * woken, a flood of messages in order, -EMSGSIZE, write errors, and every
 * way a blocked call learns that the peer is gone.
 */
#include <stdlib.h>
#include "../../common/ipc_test.h"

#define MAXB CONFIG_MSG_MAX_BYTES
#define MAXH CONFIG_MSG_MAX_HANDLES
#define DEPTH CONFIG_CHANNEL_QUEUE_DEPTH
#define FLOOD 5000

#define GUARD 0xee

static uint8_t sbuf[MAXB + 16], rbuf[MAXB + 16];

/* Every size up to EVERY_SIZE is sent; above it (huge_messages: 64 KiB),
 * each size within 2 bytes of a page multiple or of the limit, and every
 * 509th (a prime: all offsets in a page over the range). Every size would
 * take a minute of the test run for little more: the copies are per page,
 * and their edges are what these sizes cover. */
#define EVERY_SIZE 8192

static uint32_t next_size(uint32_t size)
{
	while (++size > EVERY_SIZE && size + 2 < MAXB) {
		uint32_t in_page = size % 4096;

		if (in_page <= 2 || in_page >= 4094 || size % 509 == 0)
			break;
	}
	return size;
}
static rv_handle_t shs[MAXH + 1], rhs[MAXH + 1];
static char what[160];

/* Message `size` carries `nh` handles: which kind is handle j. */
static int is_shm(uint32_t size, uint32_t j)
{
	return (size + j) % 3 == 2;
}

/* Rights the j-th handle is sent with (sometimes fewer than all). */
static uint32_t sent_rights(uint32_t size, uint32_t j, int shm)
{
	uint32_t all = shm ? SHM_RIGHTS : CHANNEL_RIGHTS;

	if ((size + j) % 4 == 1)
		return shm ? (RV_RIGHT_READ | RV_RIGHT_MAP | RV_RIGHT_WRITE | RV_RIGHT_TRANSFER)
			   : (RV_RIGHT_READ | RV_RIGHT_WRITE | RV_RIGHT_TRANSFER);
	return all;
}

struct sent {
	rv_handle_t keep;  /* channel: the end kept here */
	uint8_t *map;      /* shm: our mapping */
	int shm;
	uint32_t rights;
};

/* Make handle j of message `size`: a channel end or an shm region, with the
 * rights of sent_rights(); returns the handle to send. */
static rv_handle_t make_sendable(uint32_t size, uint32_t j, struct sent *s)
{
	rv_handle_t ch[2];
	long h, r;

	s->shm = is_shm(size, j);
	s->rights = sent_rights(size, j, s->shm);
	s->map = NULL;
	s->keep = RV_HANDLE_INVALID;
	if (s->shm) {
		h = rv_shm_create(4096);
		CHECK("shm_create for a message", h >= 0);
		r = rv_shm_map((rv_handle_t)h, 1);
		CHECK("shm_map for a message", r > 0);
		if (r > 0) {
			s->map = (uint8_t *)r;
			fill_pattern(s->map, size + j, 64);
		}
	} else {
		CHECK_EQ("channel_create for a message", rv_channel_create(ch), 0);
		s->keep = ch[0];
		h = ch[1];
	}
	if (s->rights != (s->shm ? SHM_RIGHTS : CHANNEL_RIGHTS)) {
		long d = rv_handle_duplicate((rv_handle_t)h, s->rights);

		CHECK("duplicate with fewer rights", d >= 0);
		CHECK_EQ("close the original", rv_handle_close((rv_handle_t)h), 0);
		h = d;
	}
	return (rv_handle_t)h;
}

/* 1. One process: write on one end, read on the other. */
static void integrity_local(void)
{
	struct rv_kstats base, ks;
	struct sent sent[MAXH + 1];
	unsigned int bad_before = checks_failed;

	rv_kstats(&base);
	for (uint32_t size = 0; size <= MAXB + 2; size = next_size(size)) {
		/* every (size, handles) pair mod MAXH+1; then the extremes */
		uint32_t sz = size <= MAXB ? size : (size == MAXB + 1 ? 0 : MAXB);
		uint32_t nh = size <= MAXB ? (MAXH ? size % (MAXH + 1) : 0) : MAXH;
		rv_handle_t ch[2];
		struct rv_msg m;
		long r;

		if (checks_failed - bad_before > 20)
			break;
		CHECK_EQ("channel_create", rv_channel_create(ch), 0);
		for (uint32_t j = 0; j < nh; j++)
			shs[j] = make_sendable(sz, j, &sent[j]);
		fill_pattern(sbuf, sz, sz);
		m = msg_of(sz ? sbuf : NULL, sz, nh ? shs : NULL, nh);
		snprintf(what, sizeof(what), "write %u bytes %u handles", sz, nh);
		CHECK_EQ(what, rv_channel_write(ch[0], &m, 0, RV_DEADLINE_NEVER), 0);
		for (uint32_t j = 0; j < nh; j++) {
			snprintf(what, sizeof(what), "size %u: sent handle %u is gone", sz, j);
			CHECK_EQ(what, handle_type(shs[j]), -RV_EBADF);
		}
		rv_kstats(&ks);
		CHECK_EQ("one message queued", ks.messages_queued, base.messages_queued + 1);

		memset(rbuf, GUARD, sizeof(rbuf));
		for (uint32_t j = 0; j <= MAXH; j++)
			rhs[j] = RV_HANDLE_INVALID;
		/* exact capacity on even sizes, the most on odd ones */
		m = msg_of(rbuf, size & 1 ? MAXB : sz, rhs, size & 1 ? MAXH : nh);
		r = rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0);
		snprintf(what, sizeof(what), "read %u bytes %u handles", sz, nh);
		CHECK_EQ(what, r, 0);
		CHECK_EQ("read: num_bytes", m.num_bytes, sz);
		CHECK_EQ("read: num_handles", m.num_handles, nh);
		snprintf(what, sizeof(what), "size %u: bytes arrive intact", sz);
		CHECK_EQ(what, check_pattern(rbuf, sz, sz), -1);
		snprintf(what, sizeof(what), "size %u: nothing written past the message", sz);
		CHECK_EQ(what, rbuf[sz], GUARD);
		CHECK_EQ("handle slot past the message untouched", rhs[nh], RV_HANDLE_INVALID);
		for (uint32_t j = 0; j < nh && r == 0; j++) {
			struct sent *s = &sent[j];

			snprintf(what, sizeof(what), "size %u: received handle %u: type", sz, j);
			CHECK_EQ(what, handle_type(rhs[j]), s->shm ? RV_OBJ_SHM : RV_OBJ_CHANNEL);
			snprintf(what, sizeof(what), "size %u: received handle %u: same rights", sz, j);
			CHECK_EQ(what, handle_rights(rhs[j]), s->rights);
			if (s->shm) {
				long va = rv_shm_map(rhs[j], 1);

				CHECK("received shm maps", va > 0);
				if (va > 0) {
					CHECK_EQ("received shm: the sender's bytes",
						 check_pattern((uint8_t *)va, sz + j, 64), -1);
					((uint8_t *)va)[100] = 0x5a;
					CHECK_EQ("our own mapping sees the receiver's store",
						 s->map ? s->map[100] : 0, 0x5a);
					CHECK_EQ("unmap received", rv_shm_unmap((void *)va), 0);
				}
				if (s->map)
					CHECK_EQ("unmap", rv_shm_unmap(s->map), 0);
			} else {
				uint32_t token = sz << 8 | j, got = 0;
				struct rv_msg t = msg_of(&got, 4, NULL, 0);

				CHECK_EQ("write through the received end",
					 write_bytes(rhs[j], &token, 4, RV_IPC_NONBLOCK, 0), 0);
				CHECK_EQ("read at the kept end",
					 rv_channel_read(s->keep, &t, RV_IPC_NONBLOCK, 0), 0);
				CHECK_EQ("the token", got, token);
				CHECK_EQ("close kept", rv_handle_close(s->keep), 0);
			}
			CHECK_EQ("close received", rv_handle_close(rhs[j]), 0);
		}
		CHECK_EQ("close", rv_handle_close(ch[0]), 0);
		CHECK_EQ("close", rv_handle_close(ch[1]), 0);
	}
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("integrity_local", &base, &ks);
	printf("channels: local integrity: sizes 0..%d with 0..%d handles\n", MAXB, MAXH);
}

/* 2. Across processes: ipc_child verify checks each message and uses its
 * handles; replies come back with rv_channel_call (odd sizes) or a read. */
static void integrity_remote(void)
{
	struct rv_kstats base, ks;
	struct sent sent[MAXH + 1];
	struct rv_exit_info info;
	unsigned int bad_before = checks_failed;
	rv_handle_t ch[2];
	long proc;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	proc = spawn_child((const char *const[]){"verify", NULL}, &ch[1], 1);
	CHECK("spawn verify", proc >= 0);
	if (proc < 0)
		return;
	CHECK_EQ("the given handle left us", handle_type(ch[1]), -RV_EBADF);
	for (uint32_t size = 0; size <= MAXB + 1; size = next_size(size)) {
		uint32_t sz = size <= MAXB ? size : MAXB;
		uint32_t nh = size <= MAXB ? (MAXH ? (size * 7 + 3) % (MAXH + 1) : 0) : MAXH;
		uint32_t reply[3] = {~0u, ~0u, ~0u};
		struct rv_msg m, rep;
		long r;

		if (checks_failed - bad_before > 20)
			break;
		for (uint32_t j = 0; j < nh; j++)
			shs[j] = make_sendable(sz, j, &sent[j]);
		fill_pattern(sbuf, sz, sz);
		m = msg_of(sbuf, sz, shs, nh);
		rep = msg_of(reply, sizeof(reply), NULL, 0);
		if (size & 1) {
			r = rv_channel_call(ch[0], &m, &rep, RV_DEADLINE_NEVER);
			snprintf(what, sizeof(what), "call: %u bytes %u handles", sz, nh);
		} else {
			r = rv_channel_write(ch[0], &m, 0, RV_DEADLINE_NEVER);
			snprintf(what, sizeof(what), "write: %u bytes %u handles", sz, nh);
			CHECK_EQ(what, r, 0);
			r = rv_channel_read(ch[0], &rep, 0, RV_DEADLINE_NEVER);
			snprintf(what, sizeof(what), "read reply: %u bytes %u handles", sz, nh);
		}
		CHECK_EQ(what, r, 0);
		CHECK_EQ("reply size", rep.num_bytes, sizeof(reply));
		snprintf(what, sizeof(what), "size %u: the child saw the size", sz);
		CHECK_EQ(what, reply[0], sz);
		snprintf(what, sizeof(what), "size %u: the child saw the handles", sz);
		CHECK_EQ(what, reply[1], nh);
		snprintf(what, sizeof(what), "size %u: the child found nothing wrong", sz);
		CHECK_EQ(what, reply[2], 0);
		for (uint32_t j = 0; j < nh; j++) {
			struct sent *s = &sent[j];

			CHECK_EQ("sent handle is gone here", handle_type(shs[j]), -RV_EBADF);
			if (s->shm) {
				if (s->map) {
					CHECK_EQ("the child's store in shm", s->map[64], 0xa5);
					CHECK_EQ("the child's store in shm", s->map[65], j);
					CHECK_EQ("unmap", rv_shm_unmap(s->map), 0);
				}
			} else {
				uint32_t got = 0;
				struct rv_msg t = msg_of(&got, 4, NULL, 0);

				CHECK_EQ("the child wrote through the end it got",
					 rv_channel_read(s->keep, &t, RV_IPC_NONBLOCK, 0), 0);
				CHECK_EQ("its token", got, sz << 8 | j);
				CHECK_EQ("then closed it", rv_channel_read(s->keep, &t, RV_IPC_NONBLOCK, 0),
					 -RV_EPEERCLOSED);
				rv_handle_close(s->keep);
			}
		}
	}
	CHECK_EQ("close", rv_handle_close(ch[0]), 0);
	CHECK_EQ("verify ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("verify: normal exit", info.reason, RV_EXIT_NORMAL);
	CHECK_EQ("verify: status", info.code, 0);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("integrity_remote", &base, &ks);
	printf("channels: remote integrity: sizes 0..%d with 0..%d handles, write+read and call\n",
	       MAXB, MAXH);
}

/* 3. A full queue: -EAGAIN, -ETIMEDOUT; handles of a refused message stay. */
static void queue_full(void)
{
	struct rv_kstats base, ks;
	rv_handle_t ch[2], x[2];
	uint64_t t0;
	uint32_t v;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	for (uint32_t i = 0; i < DEPTH; i++)
		CHECK_EQ("write while there is room", write_bytes(ch[0], &i, 4, RV_IPC_NONBLOCK, 0), 0);
	rv_kstats(&ks);
	CHECK_EQ("DEPTH messages queued", ks.messages_queued, base.messages_queued + DEPTH);
	v = 99;
	CHECK_EQ("full, NONBLOCK", write_bytes(ch[0], &v, 4, RV_IPC_NONBLOCK, 0), -RV_EAGAIN);
	CHECK_EQ("full, NONBLOCK and a deadline", write_bytes(ch[0], &v, 4, RV_IPC_NONBLOCK,
							      deadline_in_ms(1000)),
		 -RV_EAGAIN);
	CHECK_EQ("full, deadline 0", write_bytes(ch[0], &v, 4, 0, 0), -RV_ETIMEDOUT);
	t0 = rv_clock_ns();
	CHECK_EQ("full, deadline in 20 ms", write_bytes(ch[0], &v, 4, 0, deadline_in_ms(20)),
		 -RV_ETIMEDOUT);
	CHECK("the write waited for its deadline", rv_clock_ns() - t0 >= MS(20));
	if (MAXH) {
		CHECK_EQ("channel_create", rv_channel_create(x), 0);
		struct rv_msg m = msg_of(&v, 4, &x[1], 1);
		CHECK_EQ("full, with a handle", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0),
			 -RV_EAGAIN);
		CHECK_EQ("the handle was not moved", handle_type(x[1]), RV_OBJ_CHANNEL);
		rv_handle_close(x[0]);
		rv_handle_close(x[1]);
	}
	/* the other direction is independent */
	CHECK_EQ("the other direction has room", write_bytes(ch[1], &v, 4, RV_IPC_NONBLOCK, 0), 0);
	for (uint32_t i = 0; i < DEPTH; i++) {
		struct rv_msg m = msg_of(&v, 4, NULL, 0);

		v = ~0u;
		CHECK_EQ("read", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
		CHECK_EQ("in order", v, i);
	}
	{
		struct rv_msg m = msg_of(&v, 4, NULL, 0);

		CHECK_EQ("empty, NONBLOCK", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), -RV_EAGAIN);
		CHECK_EQ("empty, deadline 0", rv_channel_read(ch[1], &m, 0, 0), -RV_ETIMEDOUT);
		t0 = rv_clock_ns();
		CHECK_EQ("empty, deadline in 10 ms",
			 rv_channel_read(ch[1], &m, 0, deadline_in_ms(10)), -RV_ETIMEDOUT);
		CHECK("the read waited for its deadline", rv_clock_ns() - t0 >= MS(10));
		CHECK_EQ("a past deadline", rv_channel_read(ch[1], &m, 0, 1), -RV_ETIMEDOUT);
	}
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("queue_full", &base, &ks);
	printf("channels: full queue: EAGAIN, ETIMEDOUT after %d messages\n", DEPTH);
}

/* 4. A writer blocked on a full queue wakes when the reader drains it. */
static void blocked_writer_wakes(void)
{
	struct rv_exit_info info;
	rv_handle_t ch[2];
	uint64_t t0;
	uint32_t v = 7;
	long proc;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	for (uint32_t i = 0; i < DEPTH; i++)
		write_bytes(ch[0], &i, 4, RV_IPC_NONBLOCK, 0);
	proc = spawn_child((const char *const[]){"drain_after", "50", NULL}, &ch[1], 1);
	CHECK("spawn drain_after", proc >= 0);
	t0 = rv_clock_ns();
	CHECK_EQ("blocked write completes", write_bytes(ch[0], &v, 4, 0, RV_DEADLINE_NEVER), 0);
	CHECK("it blocked until the reader drained", rv_clock_ns() - t0 >= MS(40));
	rv_handle_close(ch[0]);
	CHECK_EQ("drain_after ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("drain_after: status", info.code, 0);
	printf("channels: a blocked writer wakes when the queue drains\n");
}

/* 5. Thousands of messages from a sender faster than its reader. */
static void flood(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info = {.reason = -1, .code = -1};
	rv_handle_t ch[2];
	char n[16];
	long proc;
	unsigned int bad = 0;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	snprintf(n, sizeof(n), "%d", FLOOD);
	/* the reader runs below us: we fill its queue every time */
	proc = rv_process_spawn("ipc_child", (const char *const[]){"drain", "0", n, NULL},
				CONFIG_DEFAULT_PRIORITY + 1, &ch[1], 1);
	CHECK("spawn drain", proc >= 0);
	for (uint32_t seq = 0; seq < FLOOD; seq++) {
		uint32_t size = seq % (MAXB - 3) + 4;

		memcpy(sbuf, &seq, 4);
		for (uint32_t i = 4; i < size; i++)
			sbuf[i] = pattern(seq, i);
		if (write_bytes(ch[0], sbuf, size, 0, RV_DEADLINE_NEVER) != 0 && bad++ < 3)
			printf("FAIL flood: write %u\n", seq);
	}
	CHECK_EQ("flood: every write succeeded", bad, 0);
	rv_handle_close(ch[0]);
	CHECK_EQ("drain ends", reap_child((rv_handle_t)proc, &info, 20000), 0);
	CHECK_EQ("drain: normal exit", info.reason, RV_EXIT_NORMAL);
	CHECK_EQ("drain: saw every message, in order", info.code, 0);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME("flood", &base, &ks);
	printf("channels: flood: %d messages in order, counters flat\n", FLOOD);
}

/* 6. A buffer too small: -EMSGSIZE with the sizes needed; the message stays. */
static void too_small(void)
{
	struct rv_kstats base, ks;
	uint32_t s = MAXB < 100 ? MAXB : 100, nh = MAXH ? 1 : 0;
	rv_handle_t ch[2], x[2];
	struct rv_msg m;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("channel_create", rv_channel_create(x), 0);
	fill_pattern(sbuf, 3, s);
	m = msg_of(sbuf, s, &x[1], nh);
	CHECK_EQ("write", rv_channel_write(ch[0], &m, 0, RV_DEADLINE_NEVER), 0);

	memset(rbuf, GUARD, sizeof(rbuf));
	m = msg_of(rbuf, s - 1, rhs, nh);
	CHECK_EQ("one byte short", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), -RV_EMSGSIZE);
	CHECK_EQ("EMSGSIZE says the bytes needed", m.num_bytes, s);
	CHECK_EQ("EMSGSIZE says the handles needed", m.num_handles, nh);
	CHECK_EQ("nothing copied", rbuf[0], GUARD);
	m = msg_of(NULL, 0, NULL, 0);
	CHECK_EQ("no buffer at all", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), -RV_EMSGSIZE);
	CHECK_EQ("EMSGSIZE says the bytes needed", m.num_bytes, s);
	if (nh) {
		m = msg_of(rbuf, MAXB, rhs, 0);
		CHECK_EQ("no room for the handle", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0),
			 -RV_EMSGSIZE);
		CHECK_EQ("EMSGSIZE says the bytes needed", m.num_bytes, s);
		CHECK_EQ("EMSGSIZE says the handles needed", m.num_handles, nh);
	}
	rv_kstats(&ks);
	CHECK_EQ("the message is still queued", ks.messages_queued, base.messages_queued + 1);
	m = msg_of(rbuf, s, rhs, nh);
	CHECK_EQ("read with room", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("its bytes", check_pattern(rbuf, 3, s), -1);
	if (nh) {
		CHECK_EQ("its handle", handle_type(rhs[0]), RV_OBJ_CHANNEL);
		rv_handle_close(rhs[0]);
	} else {
		rv_handle_close(x[1]);
	}

	/* too big to send */
	m = msg_of(sbuf, MAXB + 1, NULL, 0);
	CHECK_EQ("MSG_MAX_BYTES + 1", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EMSGSIZE);
	m = msg_of(sbuf, 0xffffffffu, NULL, 0);
	CHECK_EQ("4 GiB - 1 bytes", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EMSGSIZE);
	{
		rv_handle_t many[MAXH + 1];
		uint32_t made = 0;

		for (uint32_t j = 0; j <= MAXH; j++) {
			rv_handle_t c[2];
			if (rv_channel_create(c) == 0) {
				many[made++] = c[0];
				rv_handle_close(c[1]);
			}
		}
		if (made == MAXH + 1) {
			m = msg_of(sbuf, 1, many, MAXH + 1);
			CHECK_EQ("MSG_MAX_HANDLES + 1", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0),
				 -RV_EMSGSIZE);
		}
		for (uint32_t j = 0; j < made; j++)
			CHECK_EQ("too many handles: none moved", rv_handle_close(many[j]), 0);
	}
	m = msg_of(NULL, 0, NULL, 0);
	CHECK_EQ("an empty message", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), 0);
	m = msg_of(NULL, 0, NULL, 0);
	CHECK_EQ("read an empty message into nothing", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0),
		 0);
	rv_handle_close(x[0]);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("too_small", &base, &ks);
	printf("channels: EMSGSIZE: sizes reported, message kept\n");
}

/* 7. Write errors: nothing moves unless everything can. */
static void write_errors(void)
{
	struct rv_kstats base, ks;
	rv_handle_t ch[2], x[2], y[2];
	uint8_t b = 1;
	struct rv_msg m;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("channel_create", rv_channel_create(x), 0);
	CHECK_EQ("channel_create", rv_channel_create(y), 0);
	CHECK_EQ("NULL message", rv_channel_write(ch[0], NULL, RV_IPC_NONBLOCK, 0), -RV_EFAULT);
	CHECK_EQ("kernel message", rv_channel_write(ch[0], (void *)0x80200000ul, RV_IPC_NONBLOCK, 0),
		 -RV_EFAULT);
	m = msg_of(NULL, 4, NULL, 0);
	CHECK_EQ("NULL bytes", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EFAULT);
	m = msg_of((void *)0x80200000ul, 4, NULL, 0);
	CHECK_EQ("kernel bytes", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EFAULT);
	m = msg_of(&b, 1, NULL, 0);
	CHECK_EQ("NULL receive message", rv_channel_read(ch[1], NULL, RV_IPC_NONBLOCK, 0),
		 -RV_EFAULT);
	if (MAXH >= 1) {
		m = msg_of(&b, 1, NULL, 1);
		CHECK_EQ("NULL handles", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EFAULT);
		m = msg_of(&b, 1, &ch[0], 1);
		CHECK_EQ("an end through itself", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0),
			 -RV_EINVAL);
		m = msg_of(&b, 1, &ch[1], 1);
		CHECK("an end through its own channel is refused",
		      rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0) < 0);
		CHECK_EQ("and stays", handle_type(ch[1]), RV_OBJ_CHANNEL);
		long nt = rv_handle_duplicate(x[1], CHANNEL_RIGHTS & ~RV_RIGHT_TRANSFER);
		m = msg_of(&b, 1, (rv_handle_t *)&nt, 1);
		CHECK_EQ("no TRANSFER right", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0),
			 -RV_EPERM);
		CHECK_EQ("and stays", handle_type((rv_handle_t)nt), RV_OBJ_CHANNEL);
		rv_handle_close((rv_handle_t)nt);
	}
	if (MAXH >= 2) {
		rv_handle_t two[2] = {x[1], x[1]};
		m = msg_of(&b, 1, two, 2);
		CHECK_EQ("a handle twice", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EINVAL);
		CHECK_EQ("and stays", handle_type(x[1]), RV_OBJ_CHANNEL);
		rv_handle_t z[2];
		rv_channel_create(z);
		rv_handle_close(z[1]);
		rv_handle_t stale[2] = {x[1], z[1]};
		m = msg_of(&b, 1, stale, 2);
		CHECK_EQ("a stale handle among good ones", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0),
			 -RV_EBADF);
		CHECK_EQ("the good one stays", handle_type(x[1]), RV_OBJ_CHANNEL);
		rv_handle_t mixed[2] = {y[1], RV_HANDLE_INVALID};
		m = msg_of(&b, 1, mixed, 2);
		CHECK_EQ("an invalid handle among good ones",
			 rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EBADF);
		CHECK_EQ("the good one stays", handle_type(y[1]), RV_OBJ_CHANNEL);
		rv_handle_close(z[0]);
	}
	rv_kstats(&ks);
	CHECK_EQ("nothing was queued", ks.messages_queued, base.messages_queued);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	rv_handle_close(x[0]);
	rv_handle_close(x[1]);
	rv_handle_close(y[0]);
	rv_handle_close(y[1]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("write_errors", &base, &ks);
	printf("channels: write errors move nothing\n");
}

/* Time a blocking call that a child ends by going away after `ms`. */
static void peer_goes(const char *role, const char *name, int op)
{
	struct rv_exit_info info;
	rv_handle_t ch[2];
	uint8_t b = 0, r8;
	struct rv_msg m = msg_of(&r8, 1, NULL, 0), req = msg_of(&b, 1, NULL, 0);
	uint64_t t0;
	long proc, r = 0;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	if (op == 0) /* write: fill the queue first */
		for (uint32_t i = 0; i < DEPTH; i++)
			write_bytes(ch[0], &b, 1, RV_IPC_NONBLOCK, 0);
	proc = spawn_child((const char *const[]){role, "30", NULL}, &ch[1], 1);
	CHECK("spawn", proc >= 0);
	t0 = rv_clock_ns();
	if (op == 0)
		r = write_bytes(ch[0], &b, 1, 0, RV_DEADLINE_NEVER);
	else if (op == 1)
		r = rv_channel_read(ch[0], &m, 0, RV_DEADLINE_NEVER);
	else
		r = rv_channel_call(ch[0], &req, &m, RV_DEADLINE_NEVER);
	snprintf(what, sizeof(what), "%s blocked, %s: woken with EPEERCLOSED", name, role);
	CHECK_EQ(what, r, -RV_EPEERCLOSED);
	snprintf(what, sizeof(what), "%s blocked, %s: it did block", name, role);
	CHECK(what, rv_clock_ns() - t0 >= MS(25));
	CHECK_EQ("and again", write_bytes(ch[0], &b, 1, RV_IPC_NONBLOCK, 0), -RV_EPEERCLOSED);
	rv_handle_close(ch[0]);
	CHECK_EQ("child ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("child status", info.code, 0);
}

/* 8. The peer goes: at once for writers and callers, after the queue for readers. */
static void peer_closed(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info;
	rv_handle_t ch[2], x[2];
	uint8_t b = 0;
	struct rv_msg m = msg_of(&b, 1, NULL, 0);
	long proc;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	rv_handle_close(ch[1]);
	CHECK_EQ("write to a closed peer", write_bytes(ch[0], &b, 1, 0, RV_DEADLINE_NEVER),
		 -RV_EPEERCLOSED);
	CHECK_EQ("read, nothing queued, peer closed", rv_channel_read(ch[0], &m, 0, RV_DEADLINE_NEVER),
		 -RV_EPEERCLOSED);
	CHECK_EQ("call to a closed peer", rv_channel_call(ch[0], &m, &m, RV_DEADLINE_NEVER),
		 -RV_EPEERCLOSED);
	rv_handle_close(ch[0]);

	/* messages queued at an end that closes are destroyed, with their handles */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("channel_create", rv_channel_create(x), 0);
	m = msg_of(&b, 1, &x[1], MAXH ? 1 : 0);
	CHECK_EQ("write", rv_channel_write(ch[0], &m, 0, RV_DEADLINE_NEVER), 0);
	if (DEPTH >= 2)
		CHECK_EQ("write", write_bytes(ch[0], &b, 1, 0, RV_DEADLINE_NEVER), 0);
	rv_handle_close(ch[1]);
	rv_kstats(&ks);
	CHECK_EQ("the queued messages went with the end", ks.messages_queued, base.messages_queued);
	if (MAXH) {
		m = msg_of(&b, 1, NULL, 0);
		CHECK_EQ("the end in the message was closed",
			 rv_channel_read(x[0], &m, RV_IPC_NONBLOCK, 0), -RV_EPEERCLOSED);
	} else {
		rv_handle_close(x[1]);
	}
	rv_handle_close(x[0]);
	rv_handle_close(ch[0]);
	if (MAXH >= 1) { /* children get their end with rv_process_spawn */
		peer_goes("close_after", "write", 0);
		peer_goes("exit_after", "write", 0);
		peer_goes("close_after", "read", 1);
		peer_goes("exit_after", "read", 1);
		peer_goes("exit_after", "call", 2);
		peer_goes("read_then_exit", "call", 2);

		/* readers drain what was queued before the peer left */
		CHECK_EQ("channel_create", rv_channel_create(ch), 0);
		const char *n = DEPTH >= 3 ? "3" : DEPTH == 2 ? "2" : "1";
		proc = spawn_child((const char *const[]){"send_then_exit", n, NULL}, &ch[1], 1);
		CHECK_EQ("send_then_exit ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
		for (int i = 0; i < (DEPTH < 3 ? DEPTH : 3); i++) {
			b = 0xff;
			m = msg_of(&b, 1, NULL, 0);
			CHECK_EQ("queued before the peer left",
				 rv_channel_read(ch[0], &m, 0, RV_DEADLINE_NEVER), 0);
			CHECK_EQ("in order", b, i);
		}
		CHECK_EQ("then EPEERCLOSED", rv_channel_read(ch[0], &m, 0, RV_DEADLINE_NEVER),
			 -RV_EPEERCLOSED);
		rv_handle_close(ch[0]);
	}
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("peer_closed", &base, &ks);
	if (MAXH >= 1)
		printf("channels: peer closed: blocked write, read and call woken\n");
	else
		printf("channels: peer closed: write, read, call (no children: they need "
		       "MSG_MAX_HANDLES >= 1 to get a channel end)\n");
}

int main(void)
{
	printf("channels: MSG_MAX_BYTES=%d MSG_MAX_HANDLES=%d CHANNEL_QUEUE_DEPTH=%d\n", MAXB, MAXH,
	       DEPTH);
	integrity_local();
	if (MAXH >= 1) /* a child gets its channel end with rv_process_spawn */
		integrity_remote();
	queue_full();
	if (MAXH >= 1) {
		blocked_writer_wakes();
		flood();
	}
	too_small();
	write_errors();
	peer_closed();
	return check_report("channels");
}
