/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-blk driver (subsys/servers/virtio_blk, doc/blk.md) through
 * its protocol and librvos's calls: capacity and flags, the image's
 * pattern, writes read back, flush, bad ranges and offsets, 16 requests in
 * flight, the queue limit, clients that go away with requests in flight,
 * malformed requests, the driver killed mid-way and restarted; on a
 * read-only disk, writes refused. Sectors below PATTERN_SECTORS keep the
 * image's pattern (mkimage.py); the test writes only above them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <rvos/blk.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "check.h"
#include "malformed.h"

#define SECTORS BLK_TEST_SECTORS
#define PATTERN_SECTORS (SECTORS / 2)
#define SZ BLK_SECTOR_SIZE
/* The buffer: 256 KiB, or 4 KiB per request in flight if more. */
#define BUF_BYTES (CONFIG_VIRTIO_BLK_QUEUE_DEPTH > 64 ? CONFIG_VIRTIO_BLK_QUEUE_DEPTH * 4096u \
						  : 256u * 1024u)
#define CONNECT_NS 5000000000ull
#define REPLY_NS 5000000000ull

static rv_handle_t ch;
static struct blk_info info;
static uint8_t *buf;
static uint64_t buf_size;
static bool read_only;

#ifdef BLK_TEST_EXT2
/* An ext2 image: the first REF_SECTORS as first read stand for the pattern. */
#define REF_SECTORS 512
static uint8_t ref[REF_SECTORS * SZ];

static int pattern_ok(const uint8_t *p, uint64_t s)
{
	return s < REF_SECTORS && !memcmp(p, ref + s * SZ, SZ);
}
#else
static uint8_t pattern_byte(uint64_t s, uint32_t i)
{
	if (i < 8)
		return (uint8_t)(s >> (8 * i));
	return (uint8_t)(((s * 7 + i * 13) ^ (s >> 8)) & 0xff);
}

static int pattern_ok(const uint8_t *p, uint64_t s)
{
	for (uint32_t i = 0; i < SZ; i++)
		if (p[i] != pattern_byte(s, i))
			return 0;
	return 1;
}
#endif

/* Our own data: sector s, generation g. */
static uint8_t data_byte(uint64_t s, uint32_t g, uint32_t i)
{
	return (uint8_t)(s * 31 + g * 101 + i * 3 + (i >> 8));
}

static void fill(uint8_t *p, uint64_t s, uint32_t g)
{
	for (uint32_t i = 0; i < SZ; i++)
		p[i] = data_byte(s, g, i);
}

static int data_ok(const uint8_t *p, uint64_t s, uint32_t g)
{
	for (uint32_t i = 0; i < SZ; i++)
		if (p[i] != data_byte(s, g, i))
			return 0;
	return 1;
}

static int connect(rv_handle_t *out)
{
	return rv_connect_wait(CONFIG_VIRTIO_BLK_SERVICE, out, rv_clock_ns() + CONNECT_NS);
}

static void test_info(void)
{
	CHECK_EQ("connect", connect(&ch), 0);
	CHECK_EQ("info", blk_info(ch, &info), 0);
	CHECK_EQ("capacity is the image's", info.sectors, SECTORS);
	CHECK_EQ("sector size", info.sector_size, SZ);
	CHECK("max_sectors at least 8 (4 KiB)", info.max_sectors >= 8);
	CHECK_EQ("queue depth (CONFIG_VIRTIO_BLK_QUEUE_DEPTH)", info.queue_depth,
		 CONFIG_VIRTIO_BLK_QUEUE_DEPTH);
	read_only = info.flags & BLK_F_READ_ONLY;
	printf("blk: %llu sectors of %u bytes, flags %#x, at most %u sectors a request, "
	       "%u in flight\n", (unsigned long long)info.sectors, info.sector_size, info.flags,
	       info.max_sectors, info.queue_depth);
}

static void test_buffer(void)
{
	void *addr = NULL;

	CHECK_EQ("read before BUFFER", blk_read(ch, 0, 1, 0), -RV_EINVAL);
	CHECK_EQ("buffer of 0 bytes", blk_buffer(ch, 0, NULL, NULL, NULL), -RV_EINVAL);
	CHECK_EQ("buffer above CONFIG_DMA_MAX_BYTES",
		 blk_buffer(ch, CONFIG_DMA_MAX_BYTES + 1, NULL, NULL, NULL), -RV_EINVAL);
	CHECK_EQ("buffer of 4 GiB - 1", blk_buffer(ch, UINT32_MAX, NULL, NULL, NULL), -RV_EINVAL);
	CHECK_EQ("buffer", blk_buffer(ch, BUF_BYTES - 100, &addr, &buf_size, NULL), 0);
	CHECK_EQ("buffer rounded up to pages", buf_size, BUF_BYTES);
	CHECK_EQ("a second buffer", blk_buffer(ch, 4096, NULL, NULL, NULL), -RV_EEXIST);
	buf = addr;
	for (uint32_t i = 0; buf && i < buf_size; i += 997)
		if (!CHECK_EQ("a new buffer is zeroed", buf[i], 0))
			break;
}

#ifdef BLK_TEST_EXT2
/* The ext2 image: its superblock's magic (0xef53 at byte 1024 + 56), and
 * the same bytes read twice, in different pieces. */
static void test_pattern(void)
{
	int ok = 1;

	for (uint64_t s = 0; s < REF_SECTORS; s += 128) {
		ok &= blk_read(ch, s, 128, 0) == 0;
		memcpy(ref + s * SZ, buf, 128 * SZ);
	}
	CHECK("read the first 256 KiB", ok);
	CHECK("ext2 magic", ref[1080] == 0x53 && ref[1081] == 0xef);
	for (uint64_t s = 0; s < REF_SECTORS; s += 8) {
		ok &= blk_read(ch, s, 8, 4096) == 0;
		for (uint32_t k = 0; k < 8; k++)
			ok &= pattern_ok(buf + 4096 + k * SZ, s + k);
	}
	CHECK("the same bytes again, 4 KiB at a time", ok);
	printf("blk: the ext2 image's superblock read\n");
}
#else
static void test_pattern(void)
{
	int ok = 1;

	/* The whole pattern area, 64 KiB at a time. */
	for (uint64_t s = 0; s < PATTERN_SECTORS; s += 128) {
		CHECK_EQ("read 64 KiB", blk_read(ch, s, 128, 0), 0);
		for (uint32_t k = 0; k < 128; k++)
			ok &= pattern_ok(buf + k * SZ, s + k);
	}
	CHECK("the image's bytes, sector by sector", ok);
	/* One sector at an odd place in the buffer. */
	CHECK_EQ("read at offset 1000", blk_read(ch, 77, 1, 1000), 0);
	CHECK("the sector landed at offset 1000", pattern_ok(buf + 1000, 77));
	printf("blk: the image's %u sectors read back as written on the host\n",
	       (unsigned int)PATTERN_SECTORS);
}
#endif

static void test_write(void)
{
	const uint64_t first = PATTERN_SECTORS, last = SECTORS - 1;
	int ok = 1;

	for (uint32_t k = 0; k < 64; k++)
		fill(buf + k * SZ, first + k, 1);
	CHECK_EQ("write 32 KiB", blk_write(ch, first, 64, 0), 0);
	memset(buf, 0, 64 * SZ);
	CHECK_EQ("read it back", blk_read(ch, first, 64, 0), 0);
	for (uint32_t k = 0; k < 64; k++)
		ok &= data_ok(buf + k * SZ, first + k, 1);
	CHECK("written bytes read back", ok);
	/* The last sector, from the end of the buffer. */
	fill(buf + buf_size - SZ, last, 2);
	CHECK_EQ("write the last sector", blk_write(ch, last, 1, buf_size - SZ), 0);
	memset(buf, 0, SZ);
	CHECK_EQ("read the last sector", blk_read(ch, last, 1, 0), 0);
	CHECK("the last sector read back", data_ok(buf, last, 2));
	/* One sector rewritten in the middle of the written run. */
	fill(buf, first + 10, 3);
	CHECK_EQ("rewrite one", blk_write(ch, first + 10, 1, 0), 0);
	CHECK_EQ("read 3 around it", blk_read(ch, first + 9, 3, SZ), 0);
	CHECK("neighbours kept, the rewritten one new",
	      data_ok(buf + SZ, first + 9, 1) && data_ok(buf + 2 * SZ, first + 10, 3) &&
		      data_ok(buf + 3 * SZ, first + 11, 1));
	CHECK_EQ("flush", blk_flush(ch), 0);
	printf("blk: writes read back; flush answered\n");
}

static void test_read_only(void)
{
	fill(buf, PATTERN_SECTORS, 1);
	CHECK_EQ("write to a read-only disk", blk_write(ch, PATTERN_SECTORS, 1, 0), -RV_EROFS);
	CHECK_EQ("read still works", blk_read(ch, 5, 1, 0), 0);
	CHECK("its bytes", pattern_ok(buf, 5));
	CHECK_EQ("flush on a read-only disk", blk_flush(ch), 0);
	printf("blk: read-only disk: writes refused with EROFS\n");
}

static void test_bad_ranges(void)
{
	const uint64_t n = info.sectors;

	CHECK_EQ("sector = capacity", blk_read(ch, n, 1, 0), -RV_EINVAL);
	CHECK_EQ("across the end", blk_read(ch, n - 1, 2, 0), -RV_EINVAL);
	CHECK_EQ("write across the end", blk_write(ch, n - 1, 2, 0),
		 -RV_EINVAL);
	CHECK_EQ("sector 2^64-1", blk_read(ch, UINT64_MAX, 1, 0), -RV_EINVAL);
	CHECK_EQ("sector + count wraps", blk_read(ch, UINT64_MAX - 1, 4, 0), -RV_EINVAL);
	CHECK_EQ("count 0", blk_read(ch, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("count above max_sectors", blk_read(ch, 0, info.max_sectors + 1, 0),
		 -RV_EINVAL);
	CHECK_EQ("count 2^32-1", blk_read(ch, 0, UINT32_MAX, 0), -RV_EINVAL);
	CHECK_EQ("offset = buffer size", blk_read(ch, 0, 1, buf_size), -RV_EINVAL);
	CHECK_EQ("last byte past the buffer", blk_read(ch, 0, 1, buf_size - SZ + 1), -RV_EINVAL);
	CHECK_EQ("offset 2^64-1", blk_read(ch, 0, 1, UINT64_MAX), -RV_EINVAL);
	CHECK_EQ("offset wraps with the length", blk_read(ch, 0, 8, UINT64_MAX - 100),
		 -RV_EINVAL);
	CHECK_EQ("max_sectors exactly fits", blk_read(ch, 0, info.max_sectors, 0),
		 info.max_sectors * SZ <= buf_size ? 0 : -RV_EINVAL);
	CHECK_EQ("still serving", blk_read(ch, 3, 1, 0), 0);
	CHECK("its bytes", pattern_ok(buf, 3));
	printf("blk: past the end, count 0 and outside the buffer: EINVAL\n");
}

/* A READ the driver does not range-check (CONFIG_VIRTIO_BLK_TEST_OPS):
 * the device refuses a sector past its end with its IOERR status, which
 * the driver answers as EIO, in order among good requests. */
static int send_unchecked(rv_handle_t h, uint64_t tag, uint64_t sector, int wait)
{
	uint8_t req[64], rbuf[CONFIG_MSG_MAX_BYTES];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg msg, reply = {.bytes = rbuf, .num_bytes = sizeof(rbuf)};
	long ret;

	wire_init_request(&w, req, sizeof(req), NULL, 0, BLK_OP_TEST_READ_UNCHECKED);
	wire_put_u64(&w, tag);
	wire_put_u64(&w, sector);
	wire_put_u32(&w, 1);
	wire_put_u64(&w, 0);
	wire_finish(&w, &msg);
	if (!wait)
		return (int)rv_channel_write(h, &msg, RV_IPC_NONBLOCK, 0);
	ret = rv_channel_call(h, &msg, &reply, rv_clock_ns() + REPLY_NS);
	if (ret < 0)
		return (int)ret;
	return wire_read_reply(&r, &reply, BLK_OP_TEST_READ_UNCHECKED);
}

static void test_device_error(void)
{
	uint32_t op;
	uint64_t tag;
	int ok = 1;

	CHECK_EQ("unchecked read inside the disk", send_unchecked(ch, 0, 6, 1), 0);
	CHECK("its bytes", pattern_ok(buf, 6));
	CHECK_EQ("unchecked read past the end: the device's error",
		 send_unchecked(ch, 0, SECTORS, 1), -RV_EIO);
	CHECK_EQ("far past the end", send_unchecked(ch, 0, 1ull << 40, 1), -RV_EIO);
	ok &= blk_submit(ch, BLK_OP_READ, 1, 7, 1, 0) == 0;
	ok &= send_unchecked(ch, 2, SECTORS + 5, 0) == 0;
	ok &= blk_submit(ch, BLK_OP_READ, 3, 8, 1, SZ) == 0;
	CHECK("submitted", ok);
	CHECK_EQ("first", blk_complete(ch, rv_clock_ns() + REPLY_NS, &op, &tag), 0);
	CHECK_EQ("its tag", tag, 1);
	CHECK_EQ("second: EIO", blk_complete(ch, rv_clock_ns() + REPLY_NS, &op, &tag), -RV_EIO);
	CHECK_EQ("its op", op, BLK_OP_TEST_READ_UNCHECKED);
	CHECK_EQ("third", blk_complete(ch, rv_clock_ns() + REPLY_NS, &op, &tag), 0);
	CHECK_EQ("its tag", tag, 3);
	CHECK("their bytes", pattern_ok(buf, 7) && pattern_ok(buf + SZ, 8));
	printf("blk: the device's errors: EIO, in order\n");
}

/* depth requests in flight: reads of the pattern and (on a writable disk)
 * writes, an invalid one among them; replies in the order sent, with their
 * tags; the bad one's error in its place. */
static bool is_write(uint32_t i, uint32_t bad)
{
	return !read_only && i % 2 && i != bad;
}

static void test_in_flight(void)
{
	const uint32_t depth = info.queue_depth;
	const uint32_t bad = depth / 2;
	int order_ok = 1, data = 1, again = 0, done = 0;
	uint32_t op;
	uint64_t tag;
	int ret;

	for (uint32_t i = 0; i < depth; i++)
		if (is_write(i, bad))
			fill(buf + (uint64_t)i * 4096, PATTERN_SECTORS + 100 + i, 4);
	for (uint32_t i = 0; i < depth; i++) {
		if (i == bad)
			ret = blk_submit(ch, BLK_OP_READ, 1000 + i, SECTORS, 1, 0);
		else if (is_write(i, bad))
			ret = blk_submit(ch, BLK_OP_WRITE, 1000 + i, PATTERN_SECTORS + 100 + i, 1,
					 (uint64_t)i * 4096);
		else
			ret = blk_submit(ch, BLK_OP_READ, 1000 + i, 200 + i * 8, 8,
					 (uint64_t)i * 4096);
		CHECK_EQ("submit", ret, 0);
	}
	/* One more than the depth: EAGAIN, answered at once (out of order),
	 * unless the first were answered before the driver read it (it counts
	 * requests not yet answered). */
	CHECK_EQ("submit past the depth", blk_submit(ch, BLK_OP_FLUSH, 99, 0, 0, 0), 0);
	for (uint32_t n = 0; n < depth + 1; n++) {
		ret = blk_complete(ch, rv_clock_ns() + REPLY_NS, &op, &tag);
		if (ret == -RV_EAGAIN) {
			again++;
			continue;
		}
		if (done == (int)bad) {
			order_ok &= ret == -RV_EINVAL && op == BLK_OP_READ;
		} else if (done == (int)depth) {
			order_ok &= ret == 0 && op == BLK_OP_FLUSH && tag == 99;
		} else {
			order_ok &= ret == 0 && tag == 1000u + done;
			if (ret != 0 || tag != 1000u + done)
				printf("  reply %u: %d tag %llu\n", n, ret,
				       (unsigned long long)tag);
		}
		done++;
	}
	CHECK("at most one EAGAIN past the depth", again <= 1);
	if (again)
		printf("blk: a request past the depth: EAGAIN\n");
	CHECK("replies in the order sent, the bad one EINVAL in its place", order_ok);
	for (uint32_t i = 0; i < depth; i++) {
		const uint8_t *p = buf + (uint64_t)i * 4096;

		if (i != bad && !is_write(i, bad))
			for (uint32_t k = 0; k < 8; k++)
				data &= pattern_ok(p + k * SZ, 200 + i * 8 + k);
	}
	CHECK("the reads' bytes", data);
	if (!read_only) {
		data = 1;
		CHECK_EQ("read the writes back", blk_read(ch, PATTERN_SECTORS + 100, depth, 0), 0);
		for (uint32_t i = 0; i < depth; i++)
			if (is_write(i, bad))
				data &= data_ok(buf + i * SZ, PATTERN_SECTORS + 100 + i, 4);
		CHECK("the writes' bytes", data);
	}
	printf("blk: %u requests in flight, answered in order\n", depth);
}

/* Two clients with requests in flight at once: each gets its own replies,
 * in its own order, with its own data. */
static void test_two_clients(void)
{
	rv_handle_t c2;
	uint8_t *b2 = NULL;
	uint64_t tag;
	int ok = 1;

	if (!CHECK_EQ("a second client", connect(&c2), 0))
		return;
	CHECK_EQ("its buffer", blk_buffer(c2, 64 * 1024, (void **)&b2, NULL, NULL), 0);
	for (uint32_t i = 0; b2 && i < 8; i++) {
		ok &= blk_submit(ch, BLK_OP_READ, 100 + i, 330 + i, 1, i * SZ) == 0;
		ok &= blk_submit(c2, BLK_OP_READ, 200 + i, 340 + i * 2, 2, i * 2 * SZ) == 0;
	}
	for (uint32_t i = 0; b2 && i < 8; i++) {
		ok &= blk_complete(c2, rv_clock_ns() + REPLY_NS, NULL, &tag) == 0 && tag == 200 + i;
		ok &= blk_complete(ch, rv_clock_ns() + REPLY_NS, NULL, &tag) == 0 && tag == 100 + i;
	}
	for (uint32_t i = 0; b2 && i < 8; i++)
		ok &= pattern_ok(buf + i * SZ, 330 + i) && pattern_ok(b2 + i * 2 * SZ, 340 + i * 2) &&
		      pattern_ok(b2 + (i * 2 + 1) * SZ, 340 + i * 2 + 1);
	CHECK("two clients' requests interleaved: each its own replies, order and data", ok);
	rv_handle_close(c2);
	printf("blk: two clients at once, each answered in its own order\n");
}

/* Writes, a flush, writes to the same sectors: the flush is answered after
 * the writes before it, and the last write wins. */
static void test_flush_order(void)
{
	const uint64_t s = PATTERN_SECTORS + 300;
	uint32_t op, ops[7];
	uint64_t tag;
	int ok = 1;

	for (uint32_t g = 0; g < 3; g++)
		for (uint32_t k = 0; k < 4; k++)
			fill(buf + (g * 4 + k) * SZ, s + k, 10 + g);
	ok &= blk_submit(ch, BLK_OP_WRITE, 1, s, 4, 0) == 0;
	ok &= blk_submit(ch, BLK_OP_WRITE, 2, s, 4, 4 * SZ) == 0;
	ok &= blk_submit(ch, BLK_OP_FLUSH, 3, 0, 0, 0) == 0;
	ok &= blk_submit(ch, BLK_OP_WRITE, 4, s, 4, 8 * SZ) == 0;
	ok &= blk_submit(ch, BLK_OP_FLUSH, 5, 0, 0, 0) == 0;
	ok &= blk_submit(ch, BLK_OP_READ, 6, s, 4, 12 * SZ) == 0;
	CHECK("submitted", ok);
	for (uint32_t i = 0; i < 6; i++) {
		ok &= blk_complete(ch, rv_clock_ns() + REPLY_NS, &op, &tag) == 0 && tag == i + 1;
		ops[i] = op;
	}
	CHECK("answered in order", ok);
	CHECK("their ops", ops[0] == BLK_OP_WRITE && ops[2] == BLK_OP_FLUSH &&
				   ops[5] == BLK_OP_READ);
	for (uint32_t k = 0; k < 4; k++)
		ok &= data_ok(buf + (12 + k) * SZ, s + k, 12);
	CHECK("the write after the flush won", ok);
	printf("blk: writes, flush, writes: in order\n");
}

/*
 * Random batches against a model of the disk: each batch is up to
 * queue_depth reads and writes of 1..16 sectors at random places, with
 * disjoint sector ranges and disjoint pieces of the buffer (requests in
 * flight together may run in any order), and now and then a flush. Every
 * read must return what the model says.
 */
#define STRESS_SECTORS 512 /* the area: from STRESS_FIRST on */
#define STRESS_FIRST (PATTERN_SECTORS + 3200)
#define STRESS_BATCHES 150

static uint32_t gen_of[STRESS_SECTORS]; /* the generation each sector holds */
static uint32_t rnd_state = 4242;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void test_stress(void)
{
	const uint32_t depth = info.queue_depth;
	const uint32_t slot_bytes = 16 * SZ;
	uint8_t used[STRESS_SECTORS];
	struct {
		uint32_t op, first, n;
	} req[256];
	int ok = 1, data = 1;
	uint32_t g = 100, reads = 0, writes = 0, flushes = 0;

	/* Start from a known state: generation 100 everywhere. */
	for (uint32_t s = 0; s < STRESS_SECTORS; s += 64) {
		for (uint32_t k = 0; k < 64; k++) {
			fill(buf + k * SZ, STRESS_FIRST + s + k, g);
			gen_of[s + k] = g;
		}
		ok &= blk_write(ch, STRESS_FIRST + s, 64, 0) == 0;
	}
	for (uint32_t b = 0; b < STRESS_BATCHES && ok && data; b++) {
		uint32_t n = 1 + rnd(depth), m = 0;

		memset(used, 0, sizeof(used));
		if (depth * slot_bytes > buf_size)
			n = 1 + rnd((uint32_t)(buf_size / slot_bytes));
		g++;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t len = 1 + rnd(16), first = rnd(STRESS_SECTORS - len + 1);
			bool clash = false;

			for (uint32_t k = 0; k < len; k++)
				clash |= used[first + k];
			if (clash)
				continue;
			memset(used + first, 1, len);
			req[m].op = rnd(2) ? BLK_OP_WRITE : BLK_OP_READ;
			req[m].first = first;
			req[m].n = len;
			if (req[m].op == BLK_OP_WRITE) {
				for (uint32_t k = 0; k < len; k++) {
					fill(buf + m * slot_bytes + k * SZ, STRESS_FIRST + first + k, g);
					gen_of[first + k] = g;
				}
				writes++;
			} else {
				reads++;
			}
			ok &= blk_submit(ch, req[m].op, m, STRESS_FIRST + first, len,
					 (uint64_t)m * slot_bytes) == 0;
			m++;
		}
		if (rnd(4) == 0 && m < depth) {
			ok &= blk_submit(ch, BLK_OP_FLUSH, m, 0, 0, 0) == 0;
			req[m++].op = BLK_OP_FLUSH;
			flushes++;
		}
		for (uint32_t i = 0; i < m; i++) {
			uint32_t op;
			uint64_t tag;

			ok &= blk_complete(ch, rv_clock_ns() + REPLY_NS, &op, &tag) == 0 && tag == i &&
			      op == req[i].op;
		}
		for (uint32_t i = 0; i < m; i++)
			if (req[i].op == BLK_OP_READ)
				for (uint32_t k = 0; k < req[i].n; k++)
					data &= data_ok(buf + i * slot_bytes + k * SZ,
							STRESS_FIRST + req[i].first + k,
							gen_of[req[i].first + k]);
	}
	CHECK("random batches: every reply in order", ok);
	CHECK("random batches: every read as the model says", data);
	printf("blk: %u random batches (%u reads, %u writes, %u flushes) match the model\n",
	       STRESS_BATCHES, reads, writes, flushes);
}

/* Clients that go away with requests in flight (their channel closed, as
 * when they die): the driver goes on, and frees what they held. 40 rounds
 * outlast every table and DMA region a leak would fill. */
static void test_gone_clients(void)
{
	int ok = 1;

	for (uint32_t round = 0; round < 40; round++) {
		rv_handle_t c2;
		void *b2 = NULL;
		uint64_t sz2 = 0;
		rv_handle_t shm2;

		if (!CHECK_EQ("connect again", connect(&c2), 0))
			break;
		if (!CHECK_EQ("its buffer", blk_buffer(c2, 64 * 1024, &b2, &sz2, &shm2), 0)) {
			rv_handle_close(c2);
			break;
		}
		for (uint32_t i = 0; i < info.queue_depth; i++) {
			uint32_t op = read_only || i % 3 ? BLK_OP_READ : BLK_OP_WRITE;

			ok &= blk_submit(c2, op, i, PATTERN_SECTORS + 1000 + i * 16, 16,
					 (i % 4) * 16 * SZ) == 0;
		}
		if (round % 2)
			blk_complete(c2, rv_clock_ns() + REPLY_NS, NULL, NULL);
		rv_handle_close(c2);
		/* Our mapping stays; the driver's copy goes once the device is
		 * done. */
		rv_shm_unmap(b2);
		rv_handle_close(shm2);
		ok &= blk_read(ch, round, 1, 0) == 0 && pattern_ok(buf, round);
	}
	CHECK("submitted, and the first client served between rounds", ok);
	printf("blk: 40 clients gone with requests in flight; nothing leaked\n");
}

/* Children started through the loader (no uses=blk0 in their entry):
 * connecting is EPERM; one given a connection dies (a fault) with requests
 * in flight, ten times over. */
static int child_stranger(void)
{
	rv_handle_t h;

	return rv_connect(CONFIG_VIRTIO_BLK_SERVICE, &h) == -RV_EPERM ? 0 : 1;
}

static int child_doomed(void)
{
	const rv_handle_t c = 1;
	struct blk_info in;
	void *b = NULL;

	if (blk_info(c, &in) < 0 || blk_buffer(c, 128 * 1024, &b, NULL, NULL) < 0)
		return 1;
	for (uint32_t i = 0; i < in.queue_depth; i++)
		blk_submit(c, BLK_OP_READ, i, i * 16, 16, (i % 16) * 16 * SZ);
	*(volatile int *)0 = 0; /* a fault ends it here */
	return 2;
}

static int wait_exit(rv_handle_t proc, struct rv_exit_info *ei)
{
	struct rv_wait_item it = {.handle = proc, .signals = RV_SIGNAL_EXITED};

	if (rv_wait_many(&it, 1, rv_clock_ns() + REPLY_NS) != 1)
		return -RV_ETIMEDOUT;
	return (int)rv_process_exit_info(proc, ei);
}

static void test_children(void)
{
	static const char *const stranger[] = {"stranger", NULL};
	static const char *const doomed[] = {"doomed", NULL};
	struct rv_exit_info ei;
	rv_handle_t proc, c2;
	int ok = 1;

	if (CHECK_EQ("spawn a stranger", rv_loader_spawn("blk_test", stranger, 8, NULL, 0, &proc),
		     0)) {
		CHECK_EQ("it ended", wait_exit(proc, &ei), 0);
		CHECK("connecting without uses=blk0: EPERM",
		      ei.reason == RV_EXIT_NORMAL && ei.code == 0);
		rv_handle_close(proc);
	}
	for (uint32_t round = 0; round < 10; round++) {
		if (!CHECK_EQ("connect for a child", connect(&c2), 0))
			break;
		if (!CHECK_EQ("spawn a child",
			      rv_loader_spawn("blk_test", doomed, 8, &c2, 1, &proc), 0))
			break;
		ok &= wait_exit(proc, &ei) == 0 && ei.reason != RV_EXIT_NORMAL;
		rv_handle_close(proc);
		ok &= blk_read(ch, round, 1, 0) == 0 && pattern_ok(buf, round);
	}
	CHECK("children faulted with requests in flight; the driver serves on", ok);
	printf("blk: without uses=blk0: EPERM; 10 clients died with requests in flight\n");
}

/* A client that never reads its replies: once its queue is full the
 * driver drops what does not fit, and serves everyone else meanwhile. */
static void test_deaf_client(void)
{
	rv_handle_t c2;
	uint32_t sent = 0;
	int ok = 1;

	if (!CHECK_EQ("a deaf client", connect(&c2), 0))
		return;
	CHECK_EQ("its buffer", blk_buffer(c2, 4096, NULL, NULL, NULL), 0);
	for (uint32_t i = 0; i < 200; i++) {
		if (blk_submit(c2, BLK_OP_READ, i, i, 8, 0) == 0)
			sent++;
		if (i % 20 == 0)
			ok &= blk_read(ch, i, 1, 0) == 0 && pattern_ok(buf, i);
	}
	CHECK("the others are served", ok);
	CHECK("it could send more than its queue holds", sent > CONFIG_CHANNEL_QUEUE_DEPTH);
	rv_handle_close(c2);
	CHECK("and after it is gone", blk_read(ch, 11, 1, 0) == 0 && pattern_ok(buf, 11));
	printf("blk: a client that never reads its replies does not stop the driver\n");
}

static int alive(void *ctx)
{
	return blk_read(ch, 9, 1, 0) == 0 && pattern_ok(buf, 9);
}

static void test_malformed(void)
{
	uint8_t req[64];
	struct wire_writer w;
	struct rv_msg msg;
	rv_handle_t m;

	if (!CHECK_EQ("connect for malformed", connect(&m), 0))
		return;
	wire_init_request(&w, req, sizeof(req), NULL, 0, BLK_OP_INFO);
	wire_finish(&w, &msg);
	malformed_battery("info", m, req, msg.num_bytes, 77, alive, NULL);
	CHECK_EQ("a buffer for the malformed connection",
		 blk_buffer(m, 4096, NULL, NULL, NULL), 0);
	wire_init_request(&w, req, sizeof(req), NULL, 0, BLK_OP_READ);
	wire_put_u64(&w, 0);
	wire_put_u64(&w, 1);
	wire_put_u32(&w, 1);
	wire_put_u64(&w, 0);
	wire_finish(&w, &msg);
	malformed_battery("read", m, req, msg.num_bytes, BLK_OP_FLUSH + 1, alive, NULL);
	/* Fields of the wrong type. */
	wire_init_request(&w, req, sizeof(req), NULL, 0, BLK_OP_READ);
	wire_put_u32(&w, 0);
	wire_put_u64(&w, 1);
	wire_put_u32(&w, 1);
	wire_put_u64(&w, 0);
	wire_finish(&w, &msg);
	CHECK_EQ("a u32 tag", malformed_call(m, req, msg.num_bytes, NULL, 0), -RV_EBADMSG);
	wire_init_request(&w, req, sizeof(req), NULL, 0, BLK_OP_BUFFER);
	wire_put_u64(&w, 4096);
	wire_finish(&w, &msg);
	CHECK_EQ("a u64 buffer size", malformed_call(m, req, msg.num_bytes, NULL, 0),
		 -RV_EBADMSG);
	rv_handle_close(m);
	printf("blk: malformed requests: error replies, the driver still serves\n");
}

/* The driver killed with requests in flight: replies stop with
 * EPEERCLOSED; init restarts it, it resets the device, and a new
 * connection (and buffer) works. */
static void test_kill(void)
{
	rv_handle_t proc;
	uint32_t answered = 0;
	int ret = 0;
	void *addr = NULL;
	int ok = 1;

	if (!CHECK_EQ("the driver's process", rv_service_process(CONFIG_VIRTIO_BLK_SERVICE, &proc),
		      0))
		return;
	for (uint32_t i = 0; i < info.queue_depth; i++) {
		if (!read_only)
			fill(buf + i * 8 * SZ, PATTERN_SECTORS + 2000 + i * 8, 5);
		CHECK_EQ("submit",
			 blk_submit(ch, read_only ? BLK_OP_READ : BLK_OP_WRITE, i,
				    PATTERN_SECTORS + 2000 + i * 8, 8, i * 8 * SZ), 0);
	}
	CHECK_EQ("kill the driver", rv_process_kill(proc), 0);
	rv_handle_close(proc);
	while ((ret = blk_complete(ch, rv_clock_ns() + REPLY_NS, NULL, NULL)) == 0)
		answered++;
	CHECK_EQ("then the peer is closed", ret, -RV_EPEERCLOSED);
	printf("blk: driver killed with %u requests in flight (%u answered)\n", info.queue_depth,
	       answered);
	rv_handle_close(ch);
	CHECK_EQ("connect to the restarted driver", connect(&ch), 0);
	CHECK_EQ("info again", blk_info(ch, &info), 0);
	CHECK_EQ("same capacity", info.sectors, SECTORS);
	CHECK_EQ("a new buffer", blk_buffer(ch, BUF_BYTES, &addr, &buf_size, NULL), 0);
	if (!addr)
		return;
	buf = addr;
	for (uint64_t s = 0; s < 256; s += 64) {
		ok &= blk_read(ch, s, 64, 0) == 0;
		for (uint32_t k = 0; k < 64; k++)
			ok &= pattern_ok(buf + k * SZ, s + k);
	}
	if (!read_only) {
		for (uint32_t k = 0; k < 32; k++)
			fill(buf + k * SZ, PATTERN_SECTORS + 3000 + k, 6);
		ok &= blk_write(ch, PATTERN_SECTORS + 3000, 32, 0) == 0;
		ok &= blk_flush(ch) == 0;
		memset(buf, 0, 32 * SZ);
		ok &= blk_read(ch, PATTERN_SECTORS + 3000, 32, 0) == 0;
		for (uint32_t k = 0; k < 32; k++)
			ok &= data_ok(buf + k * SZ, PATTERN_SECTORS + 3000 + k, 6);
	}
	CHECK("the restarted driver reads and writes", ok);
	printf("blk: the restarted driver serves\n");
}

/*
 * Benchmarks, one hart under rv flash --icount. rdinstret there is QEMU's
 * virtual clock (1 ns = 1 instruction): time the hart spends idle, waiting
 * for the host to read the image file, counts too, and that varies from run
 * to run (one read in a few hundred waits a millisecond on a busy host). So
 * each figure is the median over its repetitions, with the mean beside it.
 */
#define BENCH_N 512 /* 4 KiB reads: 2 MiB */

static uint64_t deltas[BENCH_N];

static uint64_t median(uint64_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static void bench_report(const char *name, uint32_t n, uint32_t kib_each, uint64_t total)
{
	printf("BENCH %s %llu instructions/KiB\n", name,
	       (unsigned long long)(median(deltas, n) / kib_each));
	printf("bench: %s mean %llu instructions/KiB\n", name,
	       (unsigned long long)(total / ((uint64_t)n * kib_each)));
}

static void bench(void)
{
	uint64_t t0, t, start;
	int ok = 1;

	/* Sequential 4 KiB reads, one at a time. */
	ok &= blk_read(ch, 0, 8, 0) == 0; /* warm */
	start = t0 = rv_instret();
	for (uint32_t i = 0; i < BENCH_N; i++) {
		ok &= blk_read(ch, (uint64_t)i * 8 % SECTORS, 8, 0) == 0;
		t = rv_instret();
		deltas[i] = t - t0;
		t0 = t;
	}
	bench_report("disk_read_kib_raw", BENCH_N, 4, t0 - start);
	/* The same with 8 reads of 4 KiB in flight at a time. */
	start = t0 = rv_instret();
	for (uint32_t i = 0; i < BENCH_N / 8; i++) {
		for (uint32_t k = 0; k < 8; k++)
			ok &= blk_submit(ch, BLK_OP_READ, k, (uint64_t)(i * 8 + k) * 8 % SECTORS, 8,
					 k * 4096) == 0;
		for (uint32_t k = 0; k < 8; k++)
			ok &= blk_complete(ch, RV_DEADLINE_NEVER, NULL, NULL) == 0;
		t = rv_instret();
		deltas[i] = t - t0;
		t0 = t;
	}
	bench_report("disk_read_kib_raw_8_in_flight", BENCH_N / 8, 32, t0 - start);
	/* 64 KiB reads. */
	start = t0 = rv_instret();
	for (uint32_t i = 0; i < BENCH_N / 16; i++) {
		ok &= blk_read(ch, (uint64_t)i * 128 % SECTORS, 128, 0) == 0;
		t = rv_instret();
		deltas[i] = t - t0;
		t0 = t;
	}
	bench_report("disk_read_kib_raw_64k", BENCH_N / 16, 64, t0 - start);
	/* The part that is not the device: a request the driver answers
	 * itself (INFO), and one it refuses after decoding (count 0). */
	t0 = rv_instret();
	for (uint32_t i = 0; i < 100; i++)
		ok &= blk_info(ch, NULL) == 0;
	t = rv_instret();
	printf("BENCH blk_info_rt %llu instructions\n", (unsigned long long)((t - t0) / 100));
	t0 = rv_instret();
	for (uint32_t i = 0; i < 100; i++)
		ok &= blk_read(ch, 0, 0, 0) == -RV_EINVAL;
	t = rv_instret();
	printf("BENCH blk_einval_rt %llu instructions\n", (unsigned long long)((t - t0) / 100));
	CHECK("bench calls", ok);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "stranger"))
		return child_stranger();
	if (argc > 1 && !strcmp(argv[1], "doomed"))
		return child_doomed();
	test_info();
	test_buffer();
	if (!buf)
		return check_report("blk");
	test_pattern();
	if (read_only)
		test_read_only();
	else
		test_write();
	test_bad_ranges();
	test_device_error();
	test_in_flight();
	test_two_clients();
	if (!read_only) {
		test_flush_order();
		test_stress();
	}
	test_gone_clients();
	test_children();
	test_deaf_client();
	test_malformed();
	bench();
	test_kill();
	return check_report("blk");
}
