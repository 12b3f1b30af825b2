// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for the wire codec (lib/src/wire.c, layout in doc/wire.md).
 *
 * Every message handed to the reader is first copied into a heap block of
 * exactly its size (and its handles into one of exactly their count), so
 * AddressSanitizer turns any read past the end into a failure. Hand-made
 * messages cover each malformation class one by one; then every prefix of a
 * valid message, and 200,000 random and mutated messages, go through the
 * reader: none may crash or read out of bounds, every pointer it returns
 * must lie inside the message, and whatever it accepts must encode back to
 * the very same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvos/errno.h>
#include <rvos/ipc.h>
#include <rvos/wire.h>

#include "unittest.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MSG_BYTES 256	/* CONFIG_MSG_MAX_BYTES's default */
#define MSG_HANDLES 4	/* CONFIG_MSG_MAX_HANDLES's default */
#define EBADMSG (-RV_EBADMSG)
#define EMSGSIZE (-RV_EMSGSIZE)
#define EINVAL (-RV_EINVAL)

/* ---- exact-size copies of a message ---- */

struct heap_msg {
	struct rv_msg msg;
	uint8_t *bytes;
	rv_handle_t *handles;
};

static struct heap_msg heap_copy(const void *bytes, uint32_t len, const rv_handle_t *handles,
				 uint32_t nh)
{
	struct heap_msg m;

	m.bytes = malloc(len ? len : 1);
	m.handles = malloc(nh ? nh * sizeof(rv_handle_t) : 1);
	if (!m.bytes || !m.handles)
		abort();
	if (len)
		memcpy(m.bytes, bytes, len);
	if (nh)
		memcpy(m.handles, handles, nh * sizeof(rv_handle_t));
	m.msg.bytes = m.bytes;
	m.msg.num_bytes = len;
	m.msg.handles = m.handles;
	m.msg.num_handles = nh;
	return m;
}

static void heap_free(struct heap_msg *m)
{
	free(m->bytes);
	free(m->handles);
}

/* ---- a byte builder for hand-made (and malformed) messages ---- */

struct raw {
	uint8_t b[1024];
	uint32_t n;
};

static void raw_le(struct raw *r, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		r->b[r->n++] = (uint8_t)(v >> (8 * i));
}

static void raw_u8(struct raw *r, uint8_t v)
{
	raw_le(r, v, 1);
}

static void raw_u32(struct raw *r, uint32_t v)
{
	raw_le(r, v, 4);
}

static void raw_header(struct raw *r, uint32_t op, int32_t status)
{
	r->n = 0;
	raw_u32(r, op);
	raw_u32(r, (uint32_t)status);
}

static void raw_str(struct raw *r, uint8_t tag, const void *p, uint32_t len)
{
	raw_u8(r, tag);
	raw_u32(r, len);
	memcpy(r->b + r->n, p, len);
	r->n += len;
}

static const rv_handle_t some_handles[MSG_HANDLES] = { 0x811, 0x1002, 0x7ff, 0x12345 };

/* A request from raw bytes with nh handles: what wire_read_request says. */
static int raw_request(const struct raw *r, uint32_t nh)
{
	struct heap_msg m = heap_copy(r->b, r->n, some_handles, nh);
	struct wire_reader rd;
	int ret = wire_read_request(&rd, &m.msg);

	heap_free(&m);
	return ret;
}

/* ---- round trips ---- */

static void test_round_trip_u32(void)
{
	static const uint32_t vals[] = { 0, 1, 0x7f, 0x80, 0xdeadbeef, UINT32_MAX };
	uint8_t buf[MSG_BYTES];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		struct wire_writer w;
		struct wire_reader r;
		struct rv_msg msg;
		struct heap_msg m;
		uint32_t v = 12345;

		wire_init_request(&w, buf, sizeof(buf), NULL, 0, 7);
		wire_put_u32(&w, vals[i]);
		CHECK_EQ_INT(wire_finish(&w, &msg), 0);
		CHECK_EQ_UINT(msg.num_bytes, WIRE_HEADER_SIZE + WIRE_U32_SIZE);
		CHECK_EQ_UINT(msg.num_handles, 0);
		m = heap_copy(msg.bytes, msg.num_bytes, NULL, 0);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_UINT(r.op, 7);
		CHECK_EQ_INT(wire_get_u32(&r, &v), 0);
		CHECK_EQ_UINT(v, vals[i]);
		CHECK_EQ_INT(wire_end(&r), 0);
		heap_free(&m);
	}
}

static void test_round_trip_64(void)
{
	static const uint64_t uvals[] = { 0, 1, 0xff, 0x0123456789abcdefull, UINT64_MAX };
	static const int64_t ivals[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX };
	uint8_t buf[MSG_BYTES];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg msg;
	struct heap_msg m;
	unsigned int i;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, 1);
	for (i = 0; i < ARRAY_SIZE(uvals); i++)
		wire_put_u64(&w, uvals[i]);
	for (i = 0; i < ARRAY_SIZE(ivals); i++)
		wire_put_i64(&w, ivals[i]);
	CHECK_EQ_INT(wire_finish(&w, &msg), 0);
	CHECK_EQ_UINT(msg.num_bytes, WIRE_HEADER_SIZE + ARRAY_SIZE(uvals) * WIRE_U64_SIZE +
					     ARRAY_SIZE(ivals) * WIRE_I64_SIZE);
	m = heap_copy(msg.bytes, msg.num_bytes, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	for (i = 0; i < ARRAY_SIZE(uvals); i++) {
		uint64_t v = 5;

		CHECK_EQ_INT(wire_get_u64(&r, &v), 0);
		CHECK_EQ_UINT(v, uvals[i]);
	}
	for (i = 0; i < ARRAY_SIZE(ivals); i++) {
		int64_t v = 5;

		CHECK_EQ_INT(wire_get_i64(&r, &v), 0);
		CHECK_EQ_INT(v, ivals[i]);
	}
	CHECK_EQ_INT(wire_end(&r), 0);
	heap_free(&m);
}

static void test_round_trip_str_bytes(void)
{
	static const uint8_t blob[] = { 0, 1, 2, 0, 0xff, 0x80, 0 };
	uint8_t buf[MSG_BYTES];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg msg;
	struct heap_msg m;
	const char *s;
	const void *p;
	uint32_t len;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, 2);
	wire_put_str(&w, "");
	wire_put_str(&w, "console");
	wire_put_strn(&w, "sysinfo-and-more", 7);
	wire_put_strn(&w, NULL, 0);
	wire_put_bytes(&w, blob, sizeof(blob));
	wire_put_bytes(&w, NULL, 0);
	CHECK_EQ_INT(wire_finish(&w, &msg), 0);
	CHECK_EQ_UINT(msg.num_bytes, WIRE_HEADER_SIZE + WIRE_STR_SIZE(0) + WIRE_STR_SIZE(7) +
					     WIRE_STR_SIZE(7) + WIRE_STR_SIZE(0) +
					     WIRE_BYTES_SIZE(sizeof(blob)) + WIRE_BYTES_SIZE(0));
	m = heap_copy(msg.bytes, msg.num_bytes, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);

	CHECK_EQ_INT(wire_get_str(&r, &s, &len, 0), 0);
	CHECK_EQ_UINT(len, 0);
	CHECK(s != NULL);
	CHECK_EQ_INT(wire_get_str(&r, &s, &len, 7), 0);
	CHECK_EQ_UINT(len, 7);
	CHECK(len == 7 && memcmp(s, "console", 7) == 0);
	/* In place: the pointer is into the message itself. */
	CHECK(s >= (const char *)m.bytes && s + len <= (const char *)m.bytes + m.msg.num_bytes);
	CHECK_EQ_INT(wire_get_str(&r, &s, &len, 100), 0);
	CHECK(len == 7 && memcmp(s, "sysinfo", 7) == 0);
	CHECK_EQ_INT(wire_get_str(&r, &s, &len, 100), 0);
	CHECK_EQ_UINT(len, 0);
	CHECK_EQ_INT(wire_get_bytes(&r, &p, &len), 0);
	CHECK_EQ_UINT(len, sizeof(blob));
	CHECK(len == sizeof(blob) && memcmp(p, blob, sizeof(blob)) == 0);
	CHECK((const uint8_t *)p >= m.bytes &&
	      (const uint8_t *)p + len <= m.bytes + m.msg.num_bytes);
	CHECK_EQ_INT(wire_get_bytes(&r, &p, &len), 0);
	CHECK_EQ_UINT(len, 0);
	CHECK_EQ_INT(wire_end(&r), 0);
	heap_free(&m);
}

static void test_round_trip_handles(void)
{
	uint8_t buf[MSG_BYTES];
	rv_handle_t hs[MSG_HANDLES];
	unsigned int n, i;

	for (n = 0; n <= MSG_HANDLES; n++) {
		struct wire_writer w;
		struct wire_reader r;
		struct rv_msg msg;
		struct heap_msg m;

		wire_init_request(&w, buf, sizeof(buf), hs, ARRAY_SIZE(hs), 3);
		for (i = 0; i < n; i++) {
			wire_put_u32(&w, i);
			wire_put_handle(&w, some_handles[i]);
		}
		CHECK_EQ_INT(wire_finish(&w, &msg), 0);
		CHECK_EQ_UINT(msg.num_handles, n);
		CHECK(n == 0 ? msg.handles == NULL : msg.handles == hs);
		m = heap_copy(msg.bytes, msg.num_bytes, msg.handles, msg.num_handles);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		for (i = 0; i < n; i++) {
			rv_handle_t h = 0;
			uint32_t v = 99;

			CHECK_EQ_INT(wire_get_u32(&r, &v), 0);
			CHECK_EQ_UINT(v, i);
			CHECK_EQ_INT(wire_get_handle(&r, &h), 0);
			CHECK_EQ_UINT(h, some_handles[i]);
		}
		CHECK_EQ_INT(wire_end(&r), 0);
		heap_free(&m);
	}
}

/* The bytes on the wire, exactly as doc/wire.md draws them. */
static void test_layout(void)
{
	static const uint8_t want[] = {
		0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,		/* op, status */
		0x01, 0xd4, 0xc3, 0xb2, 0xa1,				/* u32 */
		0x02, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,	/* u64 */
		0x03, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* i64 -2 */
		0x04, 0x02, 0x00, 0x00, 0x00, 'h', 'i',			/* str */
		0x05, 0x01, 0x00, 0x00, 0x00, 0x00,			/* bytes */
		0x06, 0x00,						/* handle 0 */
		0x06, 0x01,						/* handle 1 */
	};
	static const uint8_t want_reply[] = {
		0x04, 0x03, 0x02, 0x81, 0xfe, 0xff, 0xff, 0xff,	/* op | REPLY, -2 */
	};
	uint8_t buf[MSG_BYTES], zero = 0;
	rv_handle_t hs[2];
	struct wire_writer w;
	struct rv_msg msg;

	wire_init_request(&w, buf, sizeof(buf), hs, 2, 0x01020304);
	wire_put_u32(&w, 0xa1b2c3d4);
	wire_put_u64(&w, 0x0102030405060708ull);
	wire_put_i64(&w, -2);
	wire_put_str(&w, "hi");
	wire_put_bytes(&w, &zero, 1);
	wire_put_handle(&w, 40);
	wire_put_handle(&w, 41);
	CHECK_EQ_INT(wire_finish(&w, &msg), 0);
	CHECK_EQ_UINT(msg.num_bytes, sizeof(want));
	CHECK(msg.num_bytes == sizeof(want) && memcmp(buf, want, sizeof(want)) == 0);
	CHECK_EQ_UINT(msg.num_handles, 2);
	CHECK(hs[0] == 40 && hs[1] == 41);

	CHECK_EQ_INT(wire_status_reply(&msg, buf, sizeof(buf), 0x01020304, -2), 0);
	CHECK_EQ_UINT(msg.num_bytes, sizeof(want_reply));
	CHECK(memcmp(buf, want_reply, sizeof(want_reply)) == 0);
	CHECK_EQ_UINT(msg.num_handles, 0);
	CHECK(msg.handles == NULL);
}

/* ---- replies ---- */

static void test_replies(void)
{
	uint8_t buf[MSG_BYTES];
	rv_handle_t hs[1];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg msg;
	struct heap_msg m;
	struct raw raw;
	uint32_t v;

	/* A success reply with fields. */
	wire_init_reply(&w, buf, sizeof(buf), hs, 1, 9, 0);
	wire_put_u32(&w, 77);
	wire_put_handle(&w, 5);
	CHECK_EQ_INT(wire_finish(&w, &msg), 0);
	m = heap_copy(msg.bytes, msg.num_bytes, msg.handles, msg.num_handles);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9), 0);
	CHECK_EQ_INT(wire_get_u32(&r, &v), 0);
	CHECK_EQ_UINT(v, 77);
	{
		rv_handle_t h;

		CHECK_EQ_INT(wire_get_handle(&r, &h), 0);
		CHECK_EQ_UINT(h, 5);
	}
	CHECK_EQ_INT(wire_end(&r), 0);
	/* ... is not a reply to another op, and not a request. */
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 8), EBADMSG);
	CHECK_EQ_INT(r.err, EBADMSG);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9 | WIRE_REPLY), EBADMSG);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), EBADMSG);
	heap_free(&m);

	/* An error reply: the status comes back, and the reader is fine. */
	CHECK_EQ_INT(wire_status_reply(&msg, buf, sizeof(buf), 9, -RV_ENOENT), 0);
	m = heap_copy(msg.bytes, msg.num_bytes, NULL, 0);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9), -RV_ENOENT);
	CHECK_EQ_INT(r.err, 0);
	CHECK_EQ_INT(r.status, -RV_ENOENT);
	CHECK_EQ_INT(wire_next_type(&r), 0);
	CHECK_EQ_INT(wire_end(&r), 0);
	/* A server's own EBADMSG is still a status, not a malformed reply. */
	heap_free(&m);
	CHECK_EQ_INT(wire_status_reply(&msg, buf, sizeof(buf), 9, -RV_EBADMSG), 0);
	m = heap_copy(msg.bytes, msg.num_bytes, NULL, 0);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9), EBADMSG);
	CHECK_EQ_INT(r.err, 0);
	heap_free(&m);

	/* A status-only success reply. */
	CHECK_EQ_INT(wire_status_reply(&msg, buf, sizeof(buf), 9, 0), 0);
	m = heap_copy(msg.bytes, msg.num_bytes, NULL, 0);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9), 0);
	CHECK_EQ_INT(wire_end(&r), 0);
	heap_free(&m);

	/* Malformed replies. */
	raw_header(&raw, 9 | WIRE_REPLY, 1);		/* positive status */
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9), EBADMSG);
	heap_free(&m);
	raw_header(&raw, 9 | WIRE_REPLY, -RV_EIO);	/* fields after an error */
	raw_u8(&raw, WIRE_T_U32);
	raw_u32(&raw, 1);
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9), EBADMSG);
	CHECK_EQ_INT(wire_end(&r), EBADMSG);
	heap_free(&m);
	raw_header(&raw, 9 | WIRE_REPLY, -RV_EIO);	/* handles with an error */
	m = heap_copy(raw.b, raw.n, some_handles, 1);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9), EBADMSG);
	heap_free(&m);
	raw_header(&raw, 9, 0);				/* a request */
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 9), EBADMSG);
	heap_free(&m);

	/* A request must carry status 0. */
	raw_header(&raw, 9, -1);
	CHECK_EQ_INT(raw_request(&raw, 0), EBADMSG);
	raw_header(&raw, 9, 3);
	CHECK_EQ_INT(raw_request(&raw, 0), EBADMSG);
	raw_header(&raw, WIRE_OP_MAX, 0);
	CHECK_EQ_INT(raw_request(&raw, 0), 0);
}

/* ---- the writer's errors ---- */

static void test_writer_errors(void)
{
	uint8_t buf[MSG_BYTES];
	rv_handle_t hs[2];
	struct wire_writer w;
	struct rv_msg msg = { (void *)1, 111, 222, (rv_handle_t *)2 };
	const struct rv_msg orig = msg;
	uint32_t len;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, WIRE_REPLY | 1);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	wire_init_reply(&w, buf, sizeof(buf), NULL, 0, WIRE_REPLY, 0);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	wire_init_reply(&w, buf, sizeof(buf), NULL, 0, 1, 1);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	wire_init_request(&w, NULL, 64, NULL, 0, 1);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	CHECK_EQ_INT(wire_status_reply(&msg, buf, sizeof(buf), 1, 5), EINVAL);
	CHECK_EQ_INT(wire_status_reply(&msg, buf, WIRE_HEADER_SIZE - 1, 1, -1), EMSGSIZE);
	/* A failed finish leaves msg alone. */
	CHECK(memcmp(&msg, &orig, sizeof(msg)) == 0);

	/* No field in an error reply. */
	wire_init_reply(&w, buf, sizeof(buf), hs, 2, 1, -RV_EPERM);
	wire_put_u32(&w, 1);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	wire_init_reply(&w, buf, sizeof(buf), hs, 2, 1, -RV_EPERM);
	wire_put_handle(&w, 1);
	CHECK_EQ_INT(w.num_handles, 0);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);

	/* Strings with a NUL, NULL pointers with lengths. */
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, 1);
	wire_put_strn(&w, "a\0b", 3);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, 1);
	wire_put_str(&w, NULL);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, 1);
	wire_put_strn(&w, NULL, 1);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, 1);
	wire_put_bytes(&w, NULL, 4);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
	wire_init_request(&w, buf, sizeof(buf), NULL, 3, 1);
	wire_put_handle(&w, 1);
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);

	/* Sticky: after the first error nothing more is written. */
	wire_init_request(&w, buf, 20, NULL, 0, 1);
	wire_put_u32(&w, 1);
	len = w.len;
	wire_put_u64(&w, 2);		/* 13 + 9 > 20 */
	CHECK_EQ_INT(w.err, EMSGSIZE);
	CHECK_EQ_UINT(w.len, len);
	wire_put_u32(&w, 3);		/* would fit, but the error stays */
	wire_put_str(&w, "");
	CHECK_EQ_UINT(w.len, len);
	CHECK_EQ_INT(wire_finish(&w, &msg), EMSGSIZE);
	CHECK(memcmp(&msg, &orig, sizeof(msg)) == 0);
	/* The first error wins. */
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, 1);
	wire_put_strn(&w, "\0", 1);
	wire_put_bytes(&w, buf, sizeof(buf));
	CHECK_EQ_INT(wire_finish(&w, &msg), EINVAL);
}

/* ---- boundary sizes ---- */

/* Encode one field of total size `field` into a buffer of cap bytes. */
static int fill(uint32_t cap, uint8_t tag, uint32_t body)
{
	uint8_t *buf = malloc(cap ? cap : 1);	/* exact: ASan sees a write past it */
	static uint8_t src[4096];
	rv_handle_t h[1];
	struct wire_writer w;
	struct rv_msg msg;
	int ret;

	if (!buf)
		abort();
	wire_init_request(&w, buf, cap, h, 1, 1);
	switch (tag) {
	case WIRE_T_U32: wire_put_u32(&w, 1); break;
	case WIRE_T_U64: wire_put_u64(&w, 1); break;
	case WIRE_T_I64: wire_put_i64(&w, -1); break;
	case WIRE_T_STR: memset(src, 'x', body); wire_put_strn(&w, (char *)src, body); break;
	case WIRE_T_BYTES: wire_put_bytes(&w, src, body); break;
	case WIRE_T_HANDLE: wire_put_handle(&w, 1); break;
	}
	ret = wire_finish(&w, &msg);
	if (ret == 0 && msg.num_bytes != cap)
		ret = 1;	/* "full" must mean exactly full */
	free(buf);
	return ret;
}

static void test_boundaries(void)
{
	static const struct {
		uint8_t tag;
		uint32_t size;
	} fixed[] = {
		{ WIRE_T_U32, WIRE_U32_SIZE },	 { WIRE_T_U64, WIRE_U64_SIZE },
		{ WIRE_T_I64, WIRE_I64_SIZE },	 { WIRE_T_HANDLE, WIRE_HANDLE_SIZE },
	};
	uint32_t i, n;

	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		CHECK_EQ_INT(fill(WIRE_HEADER_SIZE + fixed[i].size, fixed[i].tag, 0), 0);
		CHECK_EQ_INT(fill(WIRE_HEADER_SIZE + fixed[i].size - 1, fixed[i].tag, 0),
			     EMSGSIZE);
	}
	/* Strings and byte runs filling a CONFIG_MSG_MAX_BYTES message, and one over. */
	n = MSG_BYTES - WIRE_HEADER_SIZE - WIRE_STR_SIZE(0);
	CHECK_EQ_INT(fill(MSG_BYTES, WIRE_T_STR, n), 0);
	CHECK_EQ_INT(fill(MSG_BYTES, WIRE_T_STR, n + 1), EMSGSIZE);
	CHECK_EQ_INT(fill(MSG_BYTES, WIRE_T_BYTES, n), 0);
	CHECK_EQ_INT(fill(MSG_BYTES, WIRE_T_BYTES, n + 1), EMSGSIZE);
	CHECK_EQ_INT(fill(WIRE_HEADER_SIZE + 5, WIRE_T_STR, 0), 0);
	CHECK_EQ_INT(fill(WIRE_HEADER_SIZE + 4, WIRE_T_BYTES, 0), EMSGSIZE);
	/* The header alone, and less. */
	CHECK_EQ_INT(fill(WIRE_HEADER_SIZE, 0, 0), 0);
	for (i = 0; i < WIRE_HEADER_SIZE; i++)
		CHECK_EQ_INT(fill(i, 0, 0), EMSGSIZE);

	/* Handles: exactly the capacity, then one more. */
	for (n = 0; n <= MSG_HANDLES; n++) {
		uint8_t buf[MSG_BYTES];
		rv_handle_t *hs = malloc(n ? n * sizeof(*hs) : 1);
		struct wire_writer w;
		struct rv_msg msg;

		if (!hs)
			abort();
		wire_init_request(&w, buf, sizeof(buf), n ? hs : NULL, n, 1);
		for (i = 0; i < n; i++)
			wire_put_handle(&w, 100 + i);
		CHECK_EQ_INT(wire_finish(&w, &msg), 0);
		CHECK_EQ_UINT(msg.num_handles, n);
		wire_put_handle(&w, 200);
		CHECK_EQ_INT(wire_finish(&w, &msg), EMSGSIZE);
		CHECK_EQ_UINT(w.num_handles, n);
		free(hs);
	}
	/* A handle whose 2 bytes do not fit is not taken either. */
	{
		uint8_t buf[WIRE_HEADER_SIZE + 1];
		rv_handle_t hs[1] = { 0 };
		struct wire_writer w;

		wire_init_request(&w, buf, sizeof(buf), hs, 1, 1);
		wire_put_handle(&w, 7);
		CHECK_EQ_INT(w.err, EMSGSIZE);
		CHECK_EQ_UINT(w.num_handles, 0);
		CHECK_EQ_UINT(hs[0], 0);
	}
	/* At most 256 handles: an index is one byte. */
	{
		static uint8_t buf[WIRE_HEADER_SIZE + 257 * WIRE_HANDLE_SIZE];
		static rv_handle_t hs[300];
		struct wire_writer w;
		struct rv_msg msg;

		wire_init_request(&w, buf, sizeof(buf), hs, ARRAY_SIZE(hs), 1);
		for (i = 0; i < WIRE_MAX_HANDLES; i++)
			wire_put_handle(&w, i);
		CHECK_EQ_INT(wire_finish(&w, &msg), 0);
		CHECK_EQ_UINT(msg.num_handles, WIRE_MAX_HANDLES);
		wire_put_handle(&w, i);
		CHECK_EQ_INT(wire_finish(&w, &msg), EMSGSIZE);
	}
}

/* ---- the reader's errors, one class at a time ---- */

static void test_truncated_header(void)
{
	struct raw raw;
	struct wire_reader r;
	uint32_t n;

	raw_header(&raw, 1, 0);
	for (n = 0; n < WIRE_HEADER_SIZE; n++) {
		struct heap_msg m = heap_copy(raw.b, n, NULL, 0);
		uint32_t v = 1;

		CHECK_EQ_INT(wire_read_request(&r, &m.msg), EBADMSG);
		CHECK_EQ_INT(wire_read_reply(&r, &m.msg, 1), EBADMSG);
		/* A reader that failed to start reads nothing. */
		CHECK_EQ_INT(wire_get_u32(&r, &v), EBADMSG);
		CHECK_EQ_UINT(v, 0);
		CHECK_EQ_INT(wire_next_type(&r), EBADMSG);
		CHECK_EQ_INT(wire_end(&r), EBADMSG);
		heap_free(&m);
	}
	/* Inconsistent views: no buffer, or handles without an array. */
	{
		struct rv_msg msg = { NULL, 16, 0, NULL };

		CHECK_EQ_INT(wire_read_request(&r, &msg), EBADMSG);
		msg.bytes = raw.b;
		msg.num_bytes = raw.n;
		msg.num_handles = 1;
		CHECK_EQ_INT(wire_read_request(&r, &msg), EBADMSG);
		msg.num_handles = 0;
		CHECK_EQ_INT(wire_read_request(&r, &msg), 0);
		CHECK_EQ_INT(wire_end(&r), 0);
	}
}

static void test_wrong_tag(void)
{
	static const uint8_t bad_tags[] = { 0x00, 0x07, 0x40, 0x81, 0xff };
	struct heap_msg m;
	struct wire_reader r;
	struct raw raw;
	const char *s = "x";
	const void *p = "x";
	uint32_t v = 1, len = 1;
	uint64_t u = 1;
	int64_t i64 = 1;
	rv_handle_t h = 1;
	unsigned int i;

	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_U32);
	raw_u32(&raw, 42);
	m = heap_copy(raw.b, raw.n, some_handles, 1);

	/* A u32 read as every other type; the outputs are zeroed. */
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_u64(&r, &u), EBADMSG);
	CHECK_EQ_UINT(u, 0);
	CHECK_EQ_UINT(r.pos, WIRE_HEADER_SIZE);
	/* Sticky: the right getter fails too, and so does the end. */
	CHECK_EQ_INT(wire_get_u32(&r, &v), EBADMSG);
	CHECK_EQ_UINT(v, 0);
	CHECK_EQ_INT(wire_end(&r), EBADMSG);

	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_i64(&r, &i64), EBADMSG);
	CHECK_EQ_INT(i64, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_str(&r, &s, &len, 100), EBADMSG);
	CHECK(s == NULL && len == 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_bytes(&r, &p, &len), EBADMSG);
	CHECK(p == NULL && len == 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), EBADMSG);
	CHECK_EQ_UINT(h, RV_HANDLE_INVALID);
	heap_free(&m);

	/* u64 and i64 are distinct types. */
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_I64);
	raw_le(&raw, 5, 8);
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_u64(&r, &u), EBADMSG);
	heap_free(&m);
	/* str and bytes too. */
	raw_header(&raw, 1, 0);
	raw_str(&raw, WIRE_T_BYTES, "ab", 2);
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_str(&r, &s, &len, 100), EBADMSG);
	heap_free(&m);

	/* Unknown tags: every getter refuses, wire_next_type says so. */
	for (i = 0; i < ARRAY_SIZE(bad_tags); i++) {
		raw_header(&raw, 1, 0);
		raw_u8(&raw, bad_tags[i]);
		raw_u32(&raw, 0);
		raw_u32(&raw, 0);
		m = heap_copy(raw.b, raw.n, NULL, 0);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_INT(wire_next_type(&r), EBADMSG);
		CHECK_EQ_INT(r.err, 0);	/* looking is not an error */
		CHECK_EQ_INT(wire_get_u32(&r, &v), EBADMSG);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_INT(wire_get_u64(&r, &u), EBADMSG);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_INT(wire_get_bytes(&r, &p, &len), EBADMSG);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_INT(wire_end(&r), EBADMSG);
		heap_free(&m);
	}
}

static void test_truncated_field(void)
{
	struct heap_msg m;
	struct wire_reader r;
	struct raw raw;
	uint32_t v, len;
	uint64_t u;
	const char *s;
	const void *p;
	rv_handle_t h;

	/* Tag with nothing after it, for every type. */
	for (v = WIRE_T_U32; v <= WIRE_T_HANDLE; v++) {
		raw_header(&raw, 1, 0);
		raw_u8(&raw, (uint8_t)v);
		m = heap_copy(raw.b, raw.n, some_handles, 1);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_INT(wire_next_type(&r), (int)v);
		switch (v) {
		case WIRE_T_U32: CHECK_EQ_INT(wire_get_u32(&r, &len), EBADMSG); break;
		case WIRE_T_U64: CHECK_EQ_INT(wire_get_u64(&r, &u), EBADMSG); break;
		case WIRE_T_I64: CHECK_EQ_INT(wire_get_i64(&r, (int64_t *)&u), EBADMSG); break;
		case WIRE_T_STR: CHECK_EQ_INT(wire_get_str(&r, &s, &len, 9), EBADMSG); break;
		case WIRE_T_BYTES: CHECK_EQ_INT(wire_get_bytes(&r, &p, &len), EBADMSG); break;
		case WIRE_T_HANDLE: CHECK_EQ_INT(wire_get_handle(&r, &h), EBADMSG); break;
		}
		heap_free(&m);
	}
	/* One byte short. */
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_U32);
	raw_le(&raw, 7, 3);
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_u32(&r, &v), EBADMSG);
	heap_free(&m);
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_U64);
	raw_le(&raw, 7, 7);
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_u64(&r, &u), EBADMSG);
	heap_free(&m);
	/* A length cut in half. */
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_STR);
	raw_le(&raw, 0, 2);
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_str(&r, &s, &len, 9), EBADMSG);
	heap_free(&m);
}

/* Lengths that claim more than is left, including ones that would wrap a u32 sum. */
static void test_length_overflow(void)
{
	static const uint32_t lens[] = {
		4, 5, 1000, 0x7fffffff, 0x80000000u, 0xfffffff0u, 0xfffffff8u,
		0xfffffffbu, 0xfffffffcu, 0xfffffffdu, 0xffffffffu,
	};
	struct wire_reader r;
	struct raw raw;
	unsigned int i, tag;

	for (tag = WIRE_T_STR; tag <= WIRE_T_BYTES; tag++) {
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			struct heap_msg m;
			const char *s = "x";
			const void *p = "x";
			uint32_t len = 1;

			raw_header(&raw, 1, 0);
			raw_u8(&raw, (uint8_t)tag);
			raw_u32(&raw, lens[i]);
			raw_u32(&raw, 0x61616161);
			raw.n--;	/* 3 bytes follow: less than any claim here */
			m = heap_copy(raw.b, raw.n, NULL, 0);
			CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
			if (tag == WIRE_T_STR) {
				CHECK_EQ_INT(wire_get_str(&r, &s, &len, UINT32_MAX), EBADMSG);
				CHECK(s == NULL);
			} else {
				CHECK_EQ_INT(wire_get_bytes(&r, &p, &len), EBADMSG);
				CHECK(p == NULL);
			}
			CHECK_EQ_UINT(len, 0);
			CHECK(r.pos <= r.len);
			CHECK_EQ_INT(wire_end(&r), EBADMSG);
			heap_free(&m);
		}
	}
	/* The claim exactly matching what is left is fine. */
	raw_header(&raw, 1, 0);
	raw_str(&raw, WIRE_T_BYTES, "abc", 3);
	{
		struct heap_msg m = heap_copy(raw.b, raw.n, NULL, 0);
		const void *p;
		uint32_t len;

		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_INT(wire_get_bytes(&r, &p, &len), 0);
		CHECK_EQ_UINT(len, 3);
		CHECK_EQ_INT(wire_end(&r), 0);
		heap_free(&m);
	}
}

static void test_handle_index(void)
{
	struct wire_reader r;
	struct raw raw;
	rv_handle_t h;
	struct heap_msg m;

	/* Index past the array. */
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_HANDLE);
	raw_u8(&raw, 0);
	CHECK_EQ_INT(raw_request(&raw, 1), 0);
	m = heap_copy(raw.b, raw.n, NULL, 0);		/* no handles at all */
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), EBADMSG);
	CHECK_EQ_UINT(h, RV_HANDLE_INVALID);
	heap_free(&m);
	raw.b[raw.n - 1] = 1;				/* index 1 of 1 */
	m = heap_copy(raw.b, raw.n, some_handles, 1);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), EBADMSG);
	heap_free(&m);
	raw.b[raw.n - 1] = 0xff;
	m = heap_copy(raw.b, raw.n, some_handles, MSG_HANDLES);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), EBADMSG);
	heap_free(&m);

	/* Out of order, or the same handle twice. */
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_HANDLE);
	raw_u8(&raw, 1);
	raw_u8(&raw, WIRE_T_HANDLE);
	raw_u8(&raw, 0);
	m = heap_copy(raw.b, raw.n, some_handles, 2);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), EBADMSG);
	heap_free(&m);
	raw.b[WIRE_HEADER_SIZE + 1] = 0;
	m = heap_copy(raw.b, raw.n, some_handles, 2);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), 0);
	CHECK_EQ_UINT(h, some_handles[0]);
	CHECK_EQ_INT(wire_get_handle(&r, &h), EBADMSG);
	heap_free(&m);
	raw.b[WIRE_HEADER_SIZE + 3] = 1;
	m = heap_copy(raw.b, raw.n, some_handles, 2);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), 0);
	CHECK_EQ_UINT(h, some_handles[1]);
	CHECK_EQ_INT(wire_end(&r), 0);
	heap_free(&m);
}

static void test_trailing(void)
{
	struct wire_reader r;
	struct raw raw;
	struct heap_msg m;
	uint32_t v;
	rv_handle_t h;

	/* One stray byte after the last field. */
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_U32);
	raw_u32(&raw, 5);
	raw_u8(&raw, 0);
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_u32(&r, &v), 0);
	CHECK_EQ_INT(wire_next_type(&r), EBADMSG);
	CHECK_EQ_INT(wire_end(&r), EBADMSG);
	CHECK_EQ_INT(r.err, EBADMSG);	/* and it sticks */
	CHECK_EQ_INT(wire_get_u32(&r, &v), EBADMSG);
	heap_free(&m);

	/* A whole field the handler did not read. */
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_U32);
	raw_u32(&raw, 5);
	raw_u8(&raw, WIRE_T_U32);
	raw_u32(&raw, 6);
	m = heap_copy(raw.b, raw.n, NULL, 0);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_u32(&r, &v), 0);
	CHECK_EQ_INT(wire_next_type(&r), WIRE_T_U32);
	CHECK_EQ_INT(wire_end(&r), EBADMSG);
	heap_free(&m);

	/* A handle that no field names. */
	raw_header(&raw, 1, 0);
	raw_u8(&raw, WIRE_T_HANDLE);
	raw_u8(&raw, 0);
	m = heap_copy(raw.b, raw.n, some_handles, 2);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_get_handle(&r, &h), 0);
	CHECK_EQ_INT(wire_next_type(&r), 0);
	CHECK_EQ_INT(wire_end(&r), EBADMSG);
	heap_free(&m);
	raw_header(&raw, 1, 0);
	m = heap_copy(raw.b, raw.n, some_handles, 1);
	CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
	CHECK_EQ_INT(wire_end(&r), EBADMSG);
	heap_free(&m);
}

static void test_strings(void)
{
	static const struct {
		const char *s;
		uint32_t len;
	} nul[] = { { "\0abc", 4 }, { "ab\0c", 4 }, { "abc\0", 4 }, { "\0", 1 } };
	struct wire_reader r;
	struct raw raw;
	const char *s;
	uint32_t len, i;

	for (i = 0; i < ARRAY_SIZE(nul); i++) {
		struct heap_msg m;

		raw_header(&raw, 1, 0);
		raw_str(&raw, WIRE_T_STR, nul[i].s, nul[i].len);
		m = heap_copy(raw.b, raw.n, NULL, 0);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_INT(wire_get_str(&r, &s, &len, 100), EBADMSG);
		CHECK(s == NULL && len == 0);
		/* The same bytes are fine as a byte run. */
		m.bytes[WIRE_HEADER_SIZE] = WIRE_T_BYTES;
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		{
			const void *p;

			CHECK_EQ_INT(wire_get_bytes(&r, &p, &len), 0);
			CHECK_EQ_UINT(len, nul[i].len);
		}
		CHECK_EQ_INT(wire_end(&r), 0);
		heap_free(&m);
	}

	/* max_len: equal is fine, one over is not. */
	for (i = 0; i <= 40; i++) {
		char text[40];
		struct heap_msg m;

		memset(text, 'n', sizeof(text));
		raw_header(&raw, 1, 0);
		raw_str(&raw, WIRE_T_STR, text, i);
		m = heap_copy(raw.b, raw.n, NULL, 0);
		CHECK_EQ_INT(wire_read_request(&r, &m.msg), 0);
		CHECK_EQ_INT(wire_get_str(&r, &s, &len, 32), i <= 32 ? 0 : EBADMSG);
		CHECK_EQ_INT(wire_end(&r), i <= 32 ? 0 : EBADMSG);
		heap_free(&m);
	}
}

/* Every strict prefix of a valid message is refused; the whole is accepted. */
static void test_every_prefix(void)
{
	uint8_t buf[MSG_BYTES], blob[3] = { 9, 8, 7 };
	rv_handle_t hs[2];
	struct wire_writer w;
	struct rv_msg msg;
	uint32_t n;

	wire_init_request(&w, buf, sizeof(buf), hs, 2, 11);
	wire_put_u32(&w, 1);
	wire_put_handle(&w, 0x21);
	wire_put_str(&w, "name");
	wire_put_u64(&w, 2);
	wire_put_bytes(&w, blob, sizeof(blob));
	wire_put_i64(&w, -3);
	wire_put_handle(&w, 0x22);
	CHECK_EQ_INT(wire_finish(&w, &msg), 0);

	for (n = 0; n <= msg.num_bytes; n++) {
		struct heap_msg m = heap_copy(buf, n, hs, 2);
		struct wire_reader r;
		const char *s;
		const void *p;
		uint32_t v, len;
		uint64_t u;
		int64_t i;
		rv_handle_t h;

		wire_read_request(&r, &m.msg);
		wire_get_u32(&r, &v);
		wire_get_handle(&r, &h);
		wire_get_str(&r, &s, &len, 16);
		wire_get_u64(&r, &u);
		wire_get_bytes(&r, &p, &len);
		wire_get_i64(&r, &i);
		wire_get_handle(&r, &h);
		CHECK_EQ_INT(wire_end(&r), n == msg.num_bytes ? 0 : EBADMSG);
		if (n == msg.num_bytes) {
			CHECK_EQ_INT(i, -3);
			CHECK_EQ_UINT(h, 0x22);
		}
		heap_free(&m);
	}
}

/* ---- randomized ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)(rng() % n);
}

/* One decoded field, to encode again. */
struct field {
	uint8_t tag;
	uint64_t v;
	const uint8_t *p;
	uint32_t len;
};

#define MAX_FIELDS 300

/*
 * Decode a whole message driven by wire_next_type, trying a wrong getter
 * first now and then (when wrong_getters), which must fail. Checks that what
 * comes out lies inside the message. Returns wire_end's verdict, or 1 for a
 * well-formed error reply; on 0, *op and fields[0..*nf) are what was read.
 */
static int decode_all(const struct heap_msg *m, int reply, uint32_t *op, struct field *fields,
		      unsigned int *nf, uint32_t max_len, int wrong_getters)
{
	struct wire_reader r;
	int ret, tag;
	unsigned int n = 0;

	*nf = 0;
	ret = reply ? wire_read_reply(&r, &m->msg, *op) : wire_read_request(&r, &m->msg);
	*op = r.op;
	if (ret < 0 && r.err == 0) {
		CHECK_EQ_INT(wire_end(&r), 0);	/* an error status: nothing follows */
		return 1;
	}
	while ((tag = wire_next_type(&r)) > 0 && n < MAX_FIELDS) {
		struct field *f = &fields[n++];
		int want = tag;

		if (wrong_getters && rnd(32) == 0)	/* any other of the six */
			want = 1 + (tag - 1 + 1 + (int)rnd(5)) % 6;

		f->tag = (uint8_t)want;
		f->p = NULL;
		f->len = 0;
		switch (want) {
		case WIRE_T_U32: {
			uint32_t v;

			ret = wire_get_u32(&r, &v);
			f->v = v;
			break;
		}
		case WIRE_T_U64:
			ret = wire_get_u64(&r, &f->v);
			break;
		case WIRE_T_I64: {
			int64_t v;

			ret = wire_get_i64(&r, &v);
			f->v = (uint64_t)v;
			break;
		}
		case WIRE_T_STR: {
			const char *s;

			ret = wire_get_str(&r, &s, &f->len, max_len);
			f->p = (const uint8_t *)s;
			if (ret == 0)
				CHECK(memchr(s, 0, f->len) == NULL && f->len <= max_len);
			break;
		}
		case WIRE_T_BYTES: {
			const void *p;

			ret = wire_get_bytes(&r, &p, &f->len);
			f->p = p;
			break;
		}
		case WIRE_T_HANDLE: {
			rv_handle_t h;

			ret = wire_get_handle(&r, &h);
			f->v = h;
			if (ret == 0)
				CHECK(h == m->handles[r.handles_used - 1]);
			break;
		}
		}
		CHECK(r.pos <= r.len);
		if (want != tag)
			CHECK_EQ_INT(ret, EBADMSG);
		if (ret != 0) {
			CHECK_EQ_INT(ret, EBADMSG);
			CHECK(f->p == NULL && f->len == 0);
			break;
		}
		if (f->p)
			CHECK(f->p >= m->bytes && f->p + f->len <= m->bytes + m->msg.num_bytes);
	}
	*nf = n;
	ret = wire_end(&r);
	CHECK(ret == 0 || ret == EBADMSG);
	return ret;
}

/* Encode fields again: what the reader accepted is canonical. */
static int encode_all(uint8_t *buf, uint32_t cap, rv_handle_t *hs, uint32_t hcap, int reply,
		      uint32_t op, const struct field *fields, unsigned int nf, struct rv_msg *msg)
{
	struct wire_writer w;
	unsigned int i;

	if (reply)
		wire_init_reply(&w, buf, cap, hs, hcap, op, 0);
	else
		wire_init_request(&w, buf, cap, hs, hcap, op);
	for (i = 0; i < nf; i++) {
		const struct field *f = &fields[i];

		switch (f->tag) {
		case WIRE_T_U32: wire_put_u32(&w, (uint32_t)f->v); break;
		case WIRE_T_U64: wire_put_u64(&w, f->v); break;
		case WIRE_T_I64: wire_put_i64(&w, (int64_t)f->v); break;
		case WIRE_T_STR: wire_put_strn(&w, (const char *)f->p, f->len); break;
		case WIRE_T_BYTES: wire_put_bytes(&w, f->p, f->len); break;
		case WIRE_T_HANDLE: wire_put_handle(&w, (rv_handle_t)f->v); break;
		}
	}
	return wire_finish(&w, msg);
}

/* A random valid message; its expected size is checked against the writer's. */
static int random_message(uint8_t *buf, uint32_t cap, rv_handle_t *hs, uint32_t hcap,
			  int reply, uint32_t op, struct rv_msg *msg)
{
	struct field fields[12];
	static uint8_t pool[MSG_BYTES];
	unsigned int nf = rnd(ARRAY_SIZE(fields) + 1), i, nh = 0;
	uint64_t size = WIRE_HEADER_SIZE;
	int ret, fits = 1;

	if (pool[0] == 0) {
		for (i = 0; i < sizeof(pool); i++)
			pool[i] = (uint8_t)(rnd(255) + 1);	/* no NUL: strings too */
	}
	for (i = 0; i < nf; i++) {
		struct field *f = &fields[i];

		f->tag = (uint8_t)(rnd(6) + 1);
		f->v = rng() >> rnd(64);
		f->len = rnd(4) == 0 ? rnd(MSG_BYTES) : rnd(12);
		f->p = pool;
		switch (f->tag) {
		case WIRE_T_U32: size += WIRE_U32_SIZE; break;
		case WIRE_T_U64: size += WIRE_U64_SIZE; break;
		case WIRE_T_I64: size += WIRE_I64_SIZE; break;
		case WIRE_T_STR: size += WIRE_STR_SIZE(f->len); break;
		case WIRE_T_BYTES: size += WIRE_BYTES_SIZE(f->len); break;
		case WIRE_T_HANDLE:
			size += WIRE_HANDLE_SIZE;
			f->v = (uint32_t)f->v;
			if (++nh > hcap)
				fits = 0;
			break;
		}
	}
	if (size > cap)
		fits = 0;
	ret = encode_all(buf, cap, hs, hcap, reply, op, fields, nf, msg);
	CHECK_EQ_INT(ret, fits ? 0 : EMSGSIZE);
	if (ret == 0)
		CHECK_EQ_UINT(msg->num_bytes, size);
	return ret;
}

static void mutate(uint8_t *b, uint32_t *n, uint32_t cap)
{
	uint32_t at = *n ? rnd(*n) : 0;
	uint32_t v;

	switch (rnd(8)) {
	case 0: /* flip a bit */
		if (*n)
			b[at] ^= (uint8_t)(1u << rnd(8));
		break;
	case 1: /* a random byte */
		if (*n)
			b[at] = (uint8_t)rng();
		break;
	case 2: /* a tag-like byte */
		if (*n)
			b[at] = (uint8_t)rnd(8);
		break;
	case 3: /* an interesting u32, unaligned */
		if (*n >= 4) {
			static const uint32_t big[] = { 0, 1, 0x7fffffff, 0x80000000u,
							0xfffffff7u, 0xfffffffbu, 0xffffffffu };

			at = rnd(*n - 3);
			v = rnd(2) ? big[rnd(ARRAY_SIZE(big))] : rnd(300);
			memcpy(b + at, &v, 4);	/* host order: either order is a good test */
		}
		break;
	case 4: /* truncate */
		*n = at;
		break;
	case 5: /* delete one byte */
		if (*n) {
			memmove(b + at, b + at + 1, *n - at - 1);
			(*n)--;
		}
		break;
	case 6: /* insert one byte */
		if (*n < cap) {
			memmove(b + at + 1, b + at, *n - at);
			b[at] = (uint8_t)rng();
			(*n)++;
		}
		break;
	case 7: /* append garbage */
		if (*n < cap)
			b[(*n)++] = (uint8_t)rng();
		break;
	}
}

#define FUZZ_ROUNDS 200000

static void test_fuzz(void)
{
	static uint8_t buf[MSG_BYTES * 2], again[MSG_BYTES * 2];
	rv_handle_t hs[MSG_HANDLES], hs2[MSG_HANDLES];
	unsigned long accepted = 0, refused = 0, status_only = 0;
	unsigned int round;

	for (round = 0; round < FUZZ_ROUNDS; round++) {
		struct field fields[MAX_FIELDS];
		struct rv_msg msg, out;
		struct heap_msg m;
		unsigned int nf, k;
		uint32_t n, nh, op = (rnd(4) == 0 ? (uint32_t)rng() : rnd(4)) & WIRE_OP_MAX;
		uint32_t max_len = rnd(4) ? UINT32_MAX : rnd(40);
		int reply = rnd(2), mutated = 0, wrong = rnd(2), ret;

		if (rnd(8) == 0) {
			/* Pure noise, biased to look like fields. */
			n = rnd(64);
			for (k = 0; k < n; k++)
				buf[k] = rnd(2) ? (uint8_t)rnd(8) : (uint8_t)rng();
			nh = rnd(MSG_HANDLES + 1);
			for (k = 0; k < nh; k++)
				hs[k] = (rv_handle_t)rng();
			mutated = 1;
		} else {
			if (random_message(buf, MSG_BYTES, hs, MSG_HANDLES, reply, op, &msg) != 0)
				continue;
			n = msg.num_bytes;
			nh = msg.num_handles;
			for (k = rnd(4); k > 0; k--) {
				mutate(buf, &n, sizeof(buf));
				mutated = 1;
			}
			if (rnd(16) == 0) {
				nh = rnd(MSG_HANDLES + 1);	/* the array disagrees */
				for (k = msg.num_handles; k < nh; k++)
					hs[k] = (rv_handle_t)rng();
				mutated = 1;
			}
		}
		m = heap_copy(buf, n, hs, nh);
		ret = decode_all(&m, reply, &op, fields, &nf, max_len, wrong);
		if (ret == 0) {
			accepted++;
			/* Canonical: the same fields encode to the same bytes. */
			CHECK_EQ_INT(encode_all(again, sizeof(again), hs2, MSG_HANDLES, reply, op,
						fields, nf, &out), 0);
			CHECK(out.num_bytes == n && memcmp(again, m.bytes, n) == 0);
			CHECK(out.num_handles == nh &&
			      (nh == 0 || memcmp(hs2, m.handles, nh * sizeof(*hs2)) == 0));
		} else if (ret < 0) {
			refused++;
		} else {
			status_only++;
		}
		/* What the writer made, untouched, always decodes. */
		if (!mutated && max_len == UINT32_MAX && !wrong)
			CHECK_EQ_INT(ret, 0);
		heap_free(&m);
	}
	/* Both verdicts happened plenty: the fuzz reached past the header. */
	CHECK(accepted > FUZZ_ROUNDS / 10);
	CHECK(refused > FUZZ_ROUNDS / 10);
	printf("fuzz: %u rounds, %lu accepted, %lu refused, %lu error replies\n", FUZZ_ROUNDS,
	       accepted, refused, status_only);
}

int main(void)
{
	RUN(test_round_trip_u32);
	RUN(test_round_trip_64);
	RUN(test_round_trip_str_bytes);
	RUN(test_round_trip_handles);
	RUN(test_layout);
	RUN(test_replies);
	RUN(test_writer_errors);
	RUN(test_boundaries);
	RUN(test_truncated_header);
	RUN(test_wrong_tag);
	RUN(test_truncated_field);
	RUN(test_length_overflow);
	RUN(test_handle_index);
	RUN(test_trailing);
	RUN(test_strings);
	RUN(test_every_prefix);
	RUN(test_fuzz);
	return ut_summary("wire");
}
