/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Malformed requests to a server, for the user-space tests of every
 * service: random bytes, a wrong op, every truncation of a valid request, a
 * stray byte, a reply sent as a request, handles no field names. Each must
 * get an error reply (a header-only reply with a negative status), and the
 * server must go on answering `alive`, a callback that makes a valid call on
 * another connection. Uses check.h (tests/kernel/common).
 */
#ifndef TEST_MALFORMED_H
#define TEST_MALFORMED_H

#include <string.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "check.h"

#define MALFORMED_DEADLINE_NS 2000000000ull

/* Send raw bytes and handles as a request: the reply's status; 1 when the
 * reply is not a header-only reply; a negative error of the call. */
static inline long malformed_call(rv_handle_t h, const void *bytes, uint32_t n, rv_handle_t *hs,
				  uint32_t nh)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	struct rv_msg req = {.bytes = (void *)bytes, .num_bytes = n, .handles = hs,
			     .num_handles = nh};
	struct rv_msg reply = {.bytes = rbuf, .num_bytes = sizeof(rbuf)};
	long ret;
	int32_t status;

	ret = rv_channel_call(h, &req, &reply, rv_clock_ns() + MALFORMED_DEADLINE_NS);
	if (ret < 0)
		return ret;
	if (reply.num_bytes != WIRE_HEADER_SIZE || reply.num_handles != 0 || !(rbuf[3] & 0x80))
		return 1;
	memcpy(&status, rbuf + 4, 4);
	return status;
}

static uint32_t malformed_seed = 12345;

static inline uint8_t malformed_rnd(void)
{
	malformed_seed = malformed_seed * 1103515245u + 12345u;
	return (uint8_t)(malformed_seed >> 16);
}

/*
 * The whole battery against connection h. valid[0..valid_len) is a valid
 * request whose reply comes at once (no handles); wrong_op an op the server
 * does not have. alive(ctx) checks that the server still serves (through
 * another connection) and returns nonzero when it does.
 */
static inline void malformed_battery(const char *who, rv_handle_t h, const uint8_t *valid,
				     uint32_t valid_len, uint32_t wrong_op,
				     int (*alive)(void *ctx), void *ctx)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t ch[2], hs[1];
	long ret;

	/* Random bytes, every length up to 64, several times over. */
	for (uint32_t i = 0; i < 200; i++) {
		uint32_t n = i % 65;

		for (uint32_t k = 0; k < n; k++)
			buf[k] = malformed_rnd();
		if (n >= WIRE_HEADER_SIZE && !(buf[4] | buf[5] | buf[6] | buf[7]))
			buf[4] = 1; /* status 0 might make it a valid request */
		ret = malformed_call(h, buf, n, NULL, 0);
		if (!CHECK("random bytes: EBADMSG or ENOSYS",
			   ret == -RV_EBADMSG || ret == -RV_ENOSYS))
			printf("  (%s, message %u: %ld)\n", who, (unsigned int)i, ret);
		if (i % 20 == 0)
			CHECK("still serving others", alive(ctx));
	}
	memcpy(buf, valid, valid_len);
	memcpy(buf, &wrong_op, 4);
	CHECK_EQ("wrong op", malformed_call(h, buf, valid_len, NULL, 0), -RV_ENOSYS);
	memcpy(buf, valid, valid_len);
	for (uint32_t i = 0; i < valid_len; i++)
		CHECK_EQ("truncated", malformed_call(h, buf, i, NULL, 0), -RV_EBADMSG);
	CHECK("still serving others", alive(ctx));
	buf[valid_len] = WIRE_T_U32; /* a field cut short */
	CHECK_EQ("a stray byte", malformed_call(h, buf, valid_len + 1, NULL, 0), -RV_EBADMSG);
	buf[3] |= 0x80;
	CHECK_EQ("a reply as request", malformed_call(h, buf, valid_len, NULL, 0), -RV_EBADMSG);
	buf[3] &= 0x7f;
	/* A handle no field names: refused, and closed by the server. */
	if (CHECK_EQ("channel_create", rv_channel_create(ch), 0)) {
		struct rv_wait_item it = {.handle = ch[0], .signals = RV_SIGNAL_PEER_CLOSED};

		hs[0] = ch[1];
		CHECK_EQ("extra handle", malformed_call(h, buf, valid_len, hs, 1), -RV_EBADMSG);
		CHECK_EQ("the extra handle was closed",
			 rv_wait_many(&it, 1, rv_clock_ns() + MALFORMED_DEADLINE_NS), 1);
		rv_handle_close(ch[0]);
	}
	CHECK("still serving others", alive(ctx));
	/* And this connection is still served too (status 0, with or
	 * without fields). */
	ret = malformed_call(h, valid, valid_len, NULL, 0);
	CHECK("this connection is still served", ret == 0 || ret == 1);
}

#endif /* TEST_MALFORMED_H */
