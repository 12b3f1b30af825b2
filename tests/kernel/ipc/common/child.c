/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipc_child: the other side of the IPC tests. argv[1] names the role; the
 * handles the parent gave with rv_process_spawn are 0, 1, ... (handle values
 * of a fresh table: generation 0, so the value is the slot).
 *
 *   echo                  read on 0, write the same message back (handles
 *                         too) until the peer closes; exit 0
 *   verify                read messages on 0 (pattern tag = size); use each
 *                         handle received (channel: write a token into it
 *                         and close it; shm: map, check, mark, unmap, close);
 *                         reply {size, handles, bad} on 0
 *   close_after MS        sleep, close handle 0, sleep 300 ms more, exit 0
 *   exit_after MS         sleep, exit 0 (handle 0, if any, closes with it)
 *   drain MS N            sleep, then read on 0 until the peer closes: N
 *                         messages in order (4-byte sequence number, size =
 *                         seq % (MSG_MAX_BYTES - 3) + 4, pattern); exit 0 if so
 *   send_then_exit N      write N messages (1 byte: i) on 0, exit 0
 *   read_then_exit MS     read one message on 0, sleep, exit without replying
 *   write_after MS        sleep, write one byte on 0, read until peer closes
 *   drain_after MS        sleep, then read on 0 (nonblocking) until empty, then
 *                         read until the peer closes; exit 0
 *   shm_ro SIZE           0: channel, 1: read-only shm handle of SIZE bytes
 *                         with pattern tag 5; checks it cannot map it
 *                         writable, maps it read-only, checks the bytes,
 *                         replies, waits for a message, stores into it
 *                         (faults: store page fault)
 *   shm_rw SIZE           0: channel, 1: shm: map writable; on each request
 *                         {tag}: check the parent's bytes (tag), write tag+1,
 *                         reply; until the peer closes
 *   unmap_then_read       0: shm: map, unmap, read from it (load page fault)
 *   idle                  read on 0 until the peer closes
 *   sleep                 sleep for ever (1000 s)
 *   mkchannels            create channels (closing one end of each) until
 *                         an error; reply {count, error} on 0; read on 0
 *                         until the peer closes
 *   fuzzchild             wait a little on 0 if given, read what is there,
 *                         exit
 *   call_server           read one request on 0, then answer each with
 *                         rv_channel_call(0, reply, next request): the reply
 *                         is the request with every byte + 1
 *   count_reader          0: channel, 1: shm: read on 0 until the peer
 *                         closes; after each message, word 0 of the shm += 1
 *                         and word 1 = the message's first byte
 *   hoard MODE            0: control channel, 1: data channel to the parent.
 *                         Takes channels, shm (mapped twice), two children
 *                         of its own and messages with handles queued in
 *                         every direction; says "R" on 0, then per MODE:
 *                         exit: exits on the next message; fault: faults on
 *                         it; wait: blocks until killed
 *   wait_then_exit        wait_many on 0 for READABLE (no deadline); exit
 *                         with the signals observed
 *   read_then_spin MS     read one message on 0, then run for MS ms without
 *                         blocking, then read until the peer closes
 *   reader_edge           read on 0 with unusual buffers (phases, see
 *                         tests/kernel/ipc/fastpath), report each result
 *   caller N SIZE         N channel_calls on 0, request i of SIZE bytes
 *                         (pattern tag i); each reply must be the request
 *                         with every byte + 1; exit 0 if all were, else
 *                         the number of the first bad one (or 200 + call
 *                         error)
 */
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>
#include <stdio.h>

#define MAXB CONFIG_MSG_MAX_BYTES
#define MAXH CONFIG_MSG_MAX_HANDLES

/* At least a page: call_server receives into all of it, more than a
 * message may hold when MSG_MAX_BYTES is small (the fast path must still
 * refuse what the limit refuses). */
#define BUF_BYTES (MAXB > 4096 ? MAXB : 4096)
static uint8_t buf[BUF_BYTES];
static rv_handle_t hbuf[MAXH + 1];

static long read_full(rv_handle_t h, struct rv_msg *m, uint32_t flags, uint64_t deadline)
{
	m->bytes = buf;
	m->num_bytes = MAXB;
	m->handles = hbuf;
	m->num_handles = MAXH;
	return rv_channel_read(h, m, flags, deadline);
}

static uint8_t pat(uint32_t tag, uint32_t i)
{
	return (uint8_t)(i * 7u + tag * 13u + (tag >> 8) + 1u);
}

static int role_echo(void)
{
	struct rv_msg m;
	long r;

	for (;;) {
		r = read_full(0, &m, 0, RV_DEADLINE_NEVER);
		if (r == -RV_EPEERCLOSED)
			return 0;
		if (r < 0) {
			printf("ipc_child echo: read: %s\n", rv_strerror((int)r));
			return 100;
		}
		r = rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER);
		if (r == -RV_EPEERCLOSED)
			return 0;
		if (r < 0) {
			printf("ipc_child echo: write: %s\n", rv_strerror((int)r));
			return 101;
		}
	}
}

static uint32_t use_handle(rv_handle_t h, uint32_t size, uint32_t i)
{
	struct rv_handle_info info;
	uint32_t bad = 0;

	if (rv_handle_info(h, &info) < 0)
		return 1;
	if (info.type == RV_OBJ_CHANNEL) {
		uint32_t token = size << 8 | i;

		/* all rights but MANAGE, or the fewer the parent sometimes sends */
		if ((info.rights & RV_RIGHT_MANAGE) ||
		    (info.rights & (RV_RIGHT_READ | RV_RIGHT_WRITE | RV_RIGHT_TRANSFER)) !=
			    (RV_RIGHT_READ | RV_RIGHT_WRITE | RV_RIGHT_TRANSFER))
			bad++;
		struct rv_msg t = {.bytes = &token, .num_bytes = 4};
		if (rv_channel_write(h, &t, RV_IPC_NONBLOCK, 0) != 0)
			bad++;
	} else if (info.type == RV_OBJ_SHM) {
		long va = rv_shm_map(h, 1);

		if (va < 0)
			return bad + 1;
		volatile uint8_t *p = (volatile uint8_t *)va;
		for (uint32_t k = 0; k < 64; k++)
			bad += p[k] != pat(size + i, k);
		p[64] = 0xa5;
		p[65] = (uint8_t)i;
		if (rv_shm_unmap((void *)va) != 0)
			bad++;
	} else {
		bad++;
	}
	if (rv_handle_close(h) != 0)
		bad++;
	return bad;
}

static int role_verify(void)
{
	struct rv_msg m;
	uint32_t reply[3];
	long r;

	for (;;) {
		r = read_full(0, &m, 0, RV_DEADLINE_NEVER);
		if (r == -RV_EPEERCLOSED)
			return 0;
		if (r < 0) {
			printf("ipc_child verify: read: %s\n", rv_strerror((int)r));
			return 100;
		}
		reply[0] = m.num_bytes;
		reply[1] = m.num_handles;
		reply[2] = 0;
		for (uint32_t i = 0; i < m.num_bytes; i++)
			reply[2] += buf[i] != pat(m.num_bytes, i);
		for (uint32_t i = 0; i < m.num_handles; i++)
			reply[2] += use_handle(hbuf[i], m.num_bytes, i);
		struct rv_msg out = {.bytes = reply, .num_bytes = sizeof(reply)};
		r = rv_channel_write(0, &out, 0, RV_DEADLINE_NEVER);
		if (r < 0) {
			printf("ipc_child verify: write: %s\n", rv_strerror((int)r));
			return 101;
		}
	}
}

static int role_drain(uint64_t ms, long expect)
{
	struct rv_msg m;
	long n = 0, bad = 0, r;

	rv_sleep_ns(ms * 1000000ULL);
	for (;;) {
		r = read_full(0, &m, 0, RV_DEADLINE_NEVER);
		if (r == -RV_EPEERCLOSED)
			break;
		if (r < 0) {
			printf("ipc_child drain: read %ld: %s\n", n, rv_strerror((int)r));
			return 100;
		}
		uint32_t seq;
		uint32_t want_size = (uint32_t)n % (MAXB - 3) + 4;

		memcpy(&seq, buf, 4);
		if (seq != (uint32_t)n || m.num_bytes != want_size || m.num_handles != 0) {
			if (bad++ < 5)
				printf("ipc_child drain: message %ld: seq %u size %u handles %u\n", n,
				       seq, m.num_bytes, m.num_handles);
		} else {
			for (uint32_t i = 4; i < m.num_bytes; i++) {
				if (buf[i] != pat(seq, i)) {
					if (bad++ < 5)
						printf("ipc_child drain: message %ld: byte %u\n", n, i);
					break;
				}
			}
		}
		n++;
	}
	if (n != expect || bad) {
		printf("ipc_child drain: %ld messages (want %ld), %ld bad\n", n, expect, bad);
		return 1;
	}
	return 0;
}

static int role_shm_ro(uint32_t size)
{
	struct rv_handle_info info;
	struct rv_msg m;
	uint32_t bad = 0;
	long va;

	if (rv_handle_info(1, &info) != 0 || info.type != RV_OBJ_SHM ||
	    (info.rights & RV_RIGHT_WRITE))
		bad |= 1;
	if (rv_shm_map(1, 1) != -RV_EACCES)
		bad |= 2;
	va = rv_shm_map(1, 0);
	if (va < 0)
		return 100;
	const volatile uint8_t *p = (const volatile uint8_t *)va;
	for (uint32_t i = 0; i < size; i++) {
		if (p[i] != pat(5, i)) {
			bad |= 4;
			break;
		}
	}
	struct rv_msg out = {.bytes = &bad, .num_bytes = 4};
	if (rv_channel_write(0, &out, 0, RV_DEADLINE_NEVER) != 0)
		return 101;
	/* the parent says when */
	if (read_full(0, &m, 0, RV_DEADLINE_NEVER) != 0)
		return 102;
	*(volatile uint8_t *)(va + 123) = 1; /* read-only: the fault ends us here */
	return 103;
}

static int role_shm_rw(uint32_t size)
{
	struct rv_msg m;
	long va = rv_shm_map(1, 1), r;

	if (va < 0)
		return 100;
	uint8_t *p = (uint8_t *)va;
	for (;;) {
		uint32_t tag, bad = 0;

		r = read_full(0, &m, 0, RV_DEADLINE_NEVER);
		if (r == -RV_EPEERCLOSED)
			return 0;
		if (r < 0 || m.num_bytes != 4)
			return 101;
		memcpy(&tag, buf, 4);
		for (uint32_t i = 0; i < size; i++)
			bad += p[i] != pat(tag, i);
		for (uint32_t i = 0; i < size; i++)
			p[i] = pat(tag + 1, i);
		struct rv_msg out = {.bytes = &bad, .num_bytes = 4};
		if (rv_channel_write(0, &out, 0, RV_DEADLINE_NEVER) != 0)
			return 102;
	}
}

static int role_mkchannels(void)
{
	rv_handle_t ch[2];
	long reply[2] = {0, 0}, r;
	struct rv_msg m;

	for (;;) {
		r = rv_channel_create(ch);
		if (r < 0)
			break;
		rv_handle_close(ch[1]);
		reply[0]++;
	}
	reply[1] = r;
	struct rv_msg out = {.bytes = reply, .num_bytes = sizeof(reply)};
	if (rv_channel_write(0, &out, 0, RV_DEADLINE_NEVER) != 0)
		return 100;
	while (read_full(0, &m, 0, RV_DEADLINE_NEVER) == 0)
		;
	return 0;
}

static int role_hoard(const char *mode)
{
	rv_handle_t a[2], b[2], c[2], d[2], give;
	struct rv_msg m;
	long s1, s2, va1, va2, k1, k2;
	uint8_t r = 'R';
	int bad = 0;

	bad |= rv_channel_create(a) != 0;
	bad |= rv_channel_create(b) != 0;
	bad |= rv_channel_create(c) != 0;
	bad |= rv_channel_create(d) != 0;
	s1 = rv_shm_create(3 * 4096);
	s2 = rv_shm_create(5 * 4096);
	va1 = rv_shm_map((rv_handle_t)s1, 1);
	va2 = rv_shm_map((rv_handle_t)s1, 0);
	bad |= s1 < 0 || s2 < 0 || va1 < 0 || va2 < 0;
	if (va1 > 0)
		memset((void *)va1, 0x77, 3 * 4096);
	/* two children of our own, each blocked reading an end we hold the peer of */
	give = c[1];
	k1 = rv_process_spawn("ipc_child", (const char *const[]){"idle", NULL}, 8, &give, 1);
	give = d[1];
	k2 = rv_process_spawn("ipc_child", (const char *const[]){"idle", NULL}, 8, &give, 1);
	bad |= k1 < 0 || k2 < 0;
	/* messages: to the parent (with a channel end and the shm), into our
	 * own channels (one carrying an end of another), and plain ones */
	if (MAXH >= 2) {
		rv_handle_t hs[2] = {b[0], (rv_handle_t)s2};
		m = (struct rv_msg){.bytes = &r, .num_bytes = 1, .handles = hs, .num_handles = 2};
		bad |= rv_channel_write(1, &m, 0, RV_DEADLINE_NEVER) != 0;
	}
	if (MAXH >= 1) {
		m = (struct rv_msg){.bytes = &r, .num_bytes = 1, .handles = &b[1], .num_handles = 1};
		bad |= rv_channel_write(a[0], &m, 0, RV_DEADLINE_NEVER) != 0;
	}
	m = (struct rv_msg){.bytes = &r, .num_bytes = 1};
	bad |= rv_channel_write(a[1], &m, 0, RV_DEADLINE_NEVER) != 0;
	bad |= rv_channel_write(c[0], &m, 0, RV_DEADLINE_NEVER) != 0;
	bad |= rv_channel_write(1, &m, 0, RV_DEADLINE_NEVER) != 0;
	if (bad)
		printf("ipc_child hoard: setting up failed\n");
	/* ready */
	m = (struct rv_msg){.bytes = &r, .num_bytes = 1};
	if (rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER) != 0)
		return 100;
	if (!strcmp(mode, "wait")) {
		for (;;)
			rv_sleep_ns(1000000000ULL);
	}
	read_full(0, &m, 0, RV_DEADLINE_NEVER);
	if (!strcmp(mode, "fault")) {
		volatile uintptr_t nowhere = 8;
		return *(volatile int *)nowhere;
	}
	return bad;
}

static int role_call_server(void)
{
	struct rv_msg req, rep;
	static uint8_t out[MAXB];
	long r;

	r = read_full(0, &req, 0, RV_DEADLINE_NEVER);
	for (;;) {
		if (r == -RV_EPEERCLOSED)
			return 0;
		if (r < 0) {
			printf("ipc_child call_server: %s\n", rv_strerror((int)r));
			return 100;
		}
		for (uint32_t i = 0; i < req.num_bytes; i++)
			out[i] = (uint8_t)(buf[i] + 1);
		rep.bytes = out;
		rep.num_bytes = req.num_bytes;
		rep.handles = NULL;
		rep.num_handles = 0;
		req.bytes = buf;
		req.num_bytes = BUF_BYTES;
		req.handles = hbuf;
		req.num_handles = MAXH;
		r = rv_channel_call(0, &rep, &req, RV_DEADLINE_NEVER);
	}
}

static int role_count_reader(void)
{
	struct rv_msg m;
	long va = rv_shm_map(1, 1);

	if (va < 0)
		return 100;
	volatile uint32_t *w = (volatile uint32_t *)va;
	while (read_full(0, &m, 0, RV_DEADLINE_NEVER) == 0) {
		w[1] = m.num_bytes ? buf[0] : 0;
		w[0] = w[0] + 1;
	}
	return 0;
}

/* reader_edge: one blocking read per phase, each with odd buffers; the
 * result of each goes back as {phase, result, num_bytes, num_handles, ok}. */
static uint8_t pages[3 * 4096] __attribute__((aligned(4096)));
static const struct rv_msg ro_msg = {.bytes = pages, .num_bytes = 64};

static int edge_report(uint32_t phase, long r, uint32_t nb, uint32_t nh, uint32_t ok)
{
	int32_t rep[5] = {(int32_t)phase, (int32_t)r, (int32_t)nb, (int32_t)nh, (int32_t)ok};
	struct rv_msg o = {.bytes = rep, .num_bytes = sizeof(rep)};

	return rv_channel_write(0, &o, 0, RV_DEADLINE_NEVER) == 0 ? 0 : -1;
}

static uint32_t edge_ok(const uint8_t *p, uint32_t n, uint32_t tag)
{
	for (uint32_t i = 0; i < n; i++) {
		if (p[i] != pat(tag, i))
			return 0;
	}
	return 1;
}

static int role_reader_edge(void)
{
	struct rv_msg m;
	long r;

	/* 0: buffer 8 bytes, the message has 16: EMSGSIZE, then it is read */
	m = (struct rv_msg){.bytes = buf, .num_bytes = 8};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	if (edge_report(0, r, m.num_bytes, m.num_handles, 1))
		return 100;
	m = (struct rv_msg){.bytes = buf, .num_bytes = 64};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	if (edge_report(0, r, m.num_bytes, m.num_handles, edge_ok(buf, m.num_bytes, 0)))
		return 100;
	/* 1: the buffer straddles a page boundary */
	uint8_t *straddle = pages + 4096 - 8;
	m = (struct rv_msg){.bytes = straddle, .num_bytes = 64};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	if (edge_report(1, r, m.num_bytes, m.num_handles, edge_ok(straddle, m.num_bytes, 1)))
		return 100;
	/* 2: a misaligned struct rv_msg */
	{
		static uint8_t raw[sizeof(struct rv_msg) + 8] __attribute__((aligned(8)));
		struct rv_msg t = {.bytes = buf, .num_bytes = 64};

		memcpy(raw + 4, &t, sizeof(t));
		r = rv_channel_read(0, (struct rv_msg *)(void *)(raw + 4), 0, RV_DEADLINE_NEVER);
		memcpy(&t, raw + 4, sizeof(t));
		if (edge_report(2, r, t.num_bytes, t.num_handles, edge_ok(buf, t.num_bytes, 2)))
			return 100;
	}
	/* 3: a buffer that is not mapped: EFAULT, the message stays */
	m = (struct rv_msg){.bytes = (void *)0x3000000000ul, .num_bytes = 64};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	if (edge_report(3, r, 0, 0, 1))
		return 100;
	m = (struct rv_msg){.bytes = buf, .num_bytes = 64};
	r = rv_channel_read(0, &m, RV_IPC_NONBLOCK, 0);
	if (edge_report(3, r, m.num_bytes, m.num_handles, edge_ok(buf, m.num_bytes, 3)))
		return 100;
	/* 4: the struct rv_msg is read-only: EFAULT, the message stays */
	r = rv_channel_read(0, (struct rv_msg *)&ro_msg, 0, RV_DEADLINE_NEVER);
	if (edge_report(4, r, 0, 0, 1))
		return 100;
	m = (struct rv_msg){.bytes = buf, .num_bytes = 64};
	r = rv_channel_read(0, &m, RV_IPC_NONBLOCK, 0);
	if (edge_report(4, r, m.num_bytes, m.num_handles, edge_ok(buf, m.num_bytes, 4)))
		return 100;
	/* 5: a read with a deadline, answered in time */
	m = (struct rv_msg){.bytes = buf, .num_bytes = 64};
	r = rv_channel_read(0, &m, 0, rv_clock_ns() + 2000000000ull);
	if (edge_report(5, r, m.num_bytes, m.num_handles, edge_ok(buf, m.num_bytes, 5)))
		return 100;
	/* 6: a buffer of exactly the message's size, at the end of a page */
	uint8_t *tail = pages + 2 * 4096 - 16;
	m = (struct rv_msg){.bytes = tail, .num_bytes = 16};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	if (edge_report(6, r, m.num_bytes, m.num_handles, edge_ok(tail, m.num_bytes, 6)))
		return 100;
	/* 7: an empty message into no buffer */
	m = (struct rv_msg){.bytes = NULL, .num_bytes = 0};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	if (edge_report(7, r, m.num_bytes, m.num_handles, 1))
		return 100;
	/* 8: a message with a handle while we wait with room for none */
	m = (struct rv_msg){.bytes = buf, .num_bytes = 64};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	if (edge_report(8, r, m.num_bytes, m.num_handles, 1))
		return 100;
	m = (struct rv_msg){.bytes = buf, .num_bytes = 64, .handles = hbuf, .num_handles = 1};
	r = rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER);
	if (edge_report(8, r, m.num_bytes, m.num_handles, r == 0 && rv_handle_close(hbuf[0]) == 0))
		return 100;
	while (read_full(0, &m, 0, RV_DEADLINE_NEVER) == 0)
		;
	return 0;
}

static int role_caller(uint64_t n, uint32_t size)
{
	static uint8_t req[MAXB], rep[MAXB];

	if (size > MAXB)
		return 250;
	for (uint32_t i = 0; i < n; i++) {
		struct rv_msg q = {.bytes = req, .num_bytes = size};
		struct rv_msg a = {.bytes = rep, .num_bytes = MAXB};
		long r;

		for (uint32_t k = 0; k < size; k++)
			req[k] = pat(i, k);
		r = rv_channel_call(0, &q, &a, RV_DEADLINE_NEVER);
		if (r < 0)
			return 200 + (int)(-r % 50);
		if (a.num_bytes != size || a.num_handles)
			return (int)(i % 100) + 1;
		for (uint32_t k = 0; k < size; k++) {
			if (rep[k] != (uint8_t)(pat(i, k) + 1))
				return (int)(i % 100) + 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *role = argc > 1 ? argv[1] : "";
	uint64_t arg = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
	struct rv_msg m;

	if (!strcmp(role, "echo"))
		return role_echo();
	if (!strcmp(role, "verify"))
		return role_verify();
	if (!strcmp(role, "close_after")) {
		rv_sleep_ns(arg * 1000000ULL);
		if (rv_handle_close(0) != 0)
			return 100;
		rv_sleep_ns(300000000ULL);
		return 0;
	}
	if (!strcmp(role, "exit_after")) {
		rv_sleep_ns(arg * 1000000ULL);
		return 0;
	}
	if (!strcmp(role, "drain"))
		return role_drain(arg, argc > 3 ? atol(argv[3]) : 0);
	if (!strcmp(role, "send_then_exit")) {
		for (uint64_t i = 0; i < arg; i++) {
			uint8_t b = (uint8_t)i;
			struct rv_msg o = {.bytes = &b, .num_bytes = 1};
			if (rv_channel_write(0, &o, 0, RV_DEADLINE_NEVER) != 0)
				return 100;
		}
		return 0;
	}
	if (!strcmp(role, "read_then_exit")) {
		if (read_full(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 100;
		rv_sleep_ns(arg * 1000000ULL);
		return 0;
	}
	if (!strcmp(role, "hoard"))
		return role_hoard(argc > 2 ? argv[2] : "exit");
	if (!strcmp(role, "wait_then_exit")) {
		struct rv_wait_item it = {.handle = 0, .signals = RV_SIGNAL_READABLE};
		long r = rv_wait_many(&it, 1, RV_DEADLINE_NEVER);

		return r == 1 ? (int)it.observed : 100;
	}
	if (!strcmp(role, "read_then_spin")) {
		if (read_full(0, &m, 0, RV_DEADLINE_NEVER) != 0)
			return 100;
		uint64_t t0 = rv_clock_ns();
		while (rv_clock_ns() - t0 < arg * 1000000ULL)
			;
		while (read_full(0, &m, 0, RV_DEADLINE_NEVER) == 0)
			;
		return 0;
	}
	if (!strcmp(role, "write_after")) {
		uint8_t b = 42;
		struct rv_msg o = {.bytes = &b, .num_bytes = 1};

		rv_sleep_ns(arg * 1000000ULL);
		if (rv_channel_write(0, &o, 0, RV_DEADLINE_NEVER) != 0)
			return 100;
		while (read_full(0, &m, 0, RV_DEADLINE_NEVER) == 0)
			;
		return 0;
	}
	if (!strcmp(role, "drain_after")) {
		rv_sleep_ns(arg * 1000000ULL);
		while (read_full(0, &m, RV_IPC_NONBLOCK, 0) == 0)
			;
		while (read_full(0, &m, 0, RV_DEADLINE_NEVER) == 0)
			;
		return 0;
	}
	if (!strcmp(role, "shm_ro"))
		return role_shm_ro((uint32_t)arg);
	if (!strcmp(role, "shm_rw"))
		return role_shm_rw((uint32_t)arg);
	if (!strcmp(role, "unmap_then_read")) {
		long va = rv_shm_map(0, 0);

		if (va < 0 || rv_shm_unmap((void *)va) != 0)
			return 100;
		return *(volatile uint8_t *)va + 101; /* unmapped: load page fault */
	}
	if (!strcmp(role, "idle")) {
		while (read_full(0, &m, 0, RV_DEADLINE_NEVER) == 0)
			;
		return 0;
	}
	if (!strcmp(role, "sleep")) {
		rv_sleep_ns(1000ULL * 1000000000ULL);
		return 0;
	}
	if (!strcmp(role, "mkchannels"))
		return role_mkchannels();
	if (!strcmp(role, "caller"))
		return role_caller(arg, argc > 3 ? (uint32_t)atol(argv[3]) : 16);
	if (!strcmp(role, "call_server"))
		return role_call_server();
	if (!strcmp(role, "count_reader"))
		return role_count_reader();
	if (!strcmp(role, "reader_edge"))
		return role_reader_edge();
	if (!strcmp(role, "fuzzchild")) {
		struct rv_wait_item it = {.handle = 0, .signals = RV_SIGNAL_READABLE};

		rv_wait_many(&it, 1, rv_clock_ns() + 2000000ULL);
		while (read_full(0, &m, RV_IPC_NONBLOCK, 0) == 0)
			;
		return 0;
	}
	printf("ipc_child: unknown role '%s'\n", role);
	return 127;
}
