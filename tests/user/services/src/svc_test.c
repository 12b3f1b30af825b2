/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Services end to end: init (directory, loader, supervisor) and the math
 * server, seen from a client started by init's manifest as its main
 * program. Its exit status ends the run (init exits with it).
 *
 * With the argument "child" it is the loader's test child instead: it
 * connects to math itself and sends 6 * 7 back on its handle 1.
 */
#include <stdio.h>
#include <string.h>
#include <rvos/mathsvc.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "check.h"
#include "malformed.h"

#define MS(n) ((uint64_t)(n) * 1000000ull)

static uint64_t in_ms(uint64_t ms)
{
	return rv_clock_ns() + MS(ms);
}

/* One math call: the server's status, and *res on success. */
static long calc(rv_handle_t h, uint32_t op, int64_t a, int64_t b, int64_t *res)
{
	uint8_t buf[64], rbuf[CONFIG_MSG_MAX_BYTES];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg req, reply = {.bytes = rbuf, .num_bytes = sizeof(rbuf)};
	long ret;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, op);
	wire_put_i64(&w, a);
	wire_put_i64(&w, b);
	ret = wire_finish(&w, &req);
	if (ret < 0)
		return ret;
	ret = rv_channel_call(h, &req, &reply, in_ms(2000));
	if (ret < 0)
		return ret;
	ret = wire_read_reply(&r, &reply, op);
	if (ret < 0)
		return ret;
	wire_get_i64(&r, res);
	return wire_end(&r);
}

/* Send raw bytes (and handles); the reply's status, which must come in a
 * header-only reply. */
static int child_main(void)
{
	rv_handle_t m;
	int64_t res = 0;
	uint8_t buf[16];
	struct rv_msg msg = {.bytes = buf, .num_bytes = sizeof(res)};

	if (rv_connect("math", &m) < 0)
		return 2;
	/* Many calls, while the other children and the parent call too. */
	for (int64_t i = 0; i < 300; i++)
		if (calc(m, MATH_OP_MUL, i, -3, &res) < 0 || res != -3 * i)
			return 4;
	if (calc(m, MATH_OP_MUL, 6, 7, &res) < 0)
		return 2;
	memcpy(buf, &res, sizeof(res));
	if (rv_channel_write(1, &msg, 0, in_ms(5000)) < 0)
		return 3;
	return 0;
}

static void check_math(rv_handle_t m)
{
	int64_t res = 0;

	CHECK_EQ("2 + 3", calc(m, MATH_OP_ADD, 2, 3, &res), 0);
	CHECK_EQ("2 + 3 =", res, 5);
	CHECK_EQ("2 - 5", calc(m, MATH_OP_SUB, 2, 5, &res), 0);
	CHECK_EQ("2 - 5 =", res, -3);
	CHECK_EQ("-4 * 6", calc(m, MATH_OP_MUL, -4, 6, &res), 0);
	CHECK_EQ("-4 * 6 =", res, -24);
	CHECK_EQ("7 / -2", calc(m, MATH_OP_DIV, 7, -2, &res), 0);
	CHECK_EQ("7 / -2 =", res, -3);
	CHECK_EQ("1 / 0", calc(m, MATH_OP_DIV, 1, 0, &res), -RV_EINVAL);
	CHECK_EQ("MAX + 1", calc(m, MATH_OP_ADD, INT64_MAX, 1, &res), -RV_ERANGE);
	CHECK_EQ("MIN - 1", calc(m, MATH_OP_SUB, INT64_MIN, 1, &res), -RV_ERANGE);
	CHECK_EQ("MIN * -1", calc(m, MATH_OP_MUL, INT64_MIN, -1, &res), -RV_ERANGE);
	CHECK_EQ("MAX * 2", calc(m, MATH_OP_MUL, INT64_MAX, 2, &res), -RV_ERANGE);
	CHECK_EQ("MIN / -1", calc(m, MATH_OP_DIV, INT64_MIN, -1, &res), -RV_ERANGE);
	CHECK_EQ("MIN / 1", calc(m, MATH_OP_DIV, INT64_MIN, 1, &res), 0);
	CHECK_EQ("MIN / 1 =", res, INT64_MIN);
}

/* The other connection still answers right. */
static void check_alive(rv_handle_t m, int64_t k)
{
	int64_t res = 0;

	CHECK_EQ("second connection", calc(m, MATH_OP_ADD, k, 1000, &res), 0);
	CHECK_EQ("second connection =", res, k + 1000);
}

/* A valid add request in buf; its length. */
static uint32_t add_request(uint8_t *buf, uint32_t cap, uint32_t op)
{
	struct wire_writer w;
	struct rv_msg msg;

	wire_init_request(&w, buf, cap, NULL, 0, op);
	wire_put_i64(&w, 40);
	wire_put_i64(&w, 2);
	return wire_finish(&w, &msg) < 0 ? 0 : msg.num_bytes;
}

static int math_alive(void *ctx)
{
	static int64_t k;
	int64_t res = 0;

	k++;
	return calc(*(rv_handle_t *)ctx, MATH_OP_ADD, k, 1000, &res) == 0 && res == k + 1000;
}

static void malformed_math(rv_handle_t m1, rv_handle_t m2)
{
	uint8_t valid[CONFIG_MSG_MAX_BYTES], buf[CONFIG_MSG_MAX_BYTES];
	uint32_t n = add_request(valid, sizeof(valid), MATH_OP_ADD);
	rv_handle_t hs[1], ch[2];

	malformed_battery("math", m1, valid, n, 99, math_alive, &m2);
	/* An extra handle field with its handle. */
	{
		struct wire_writer w;
		struct rv_msg msg;

		CHECK_EQ("channel_create", rv_channel_create(ch), 0);
		wire_init_request(&w, buf, sizeof(buf), hs, 1, MATH_OP_ADD);
		wire_put_i64(&w, 1);
		wire_put_i64(&w, 2);
		wire_put_handle(&w, ch[1]);
		CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
		CHECK_EQ("extra handle field", malformed_call(m1, buf, msg.num_bytes, hs, 1),
			 -RV_EBADMSG);
		rv_handle_close(ch[0]);
	}
	check_alive(m2, 3);
	/* And the first connection is still served. */
	check_alive(m1, 4);
	printf("svc: malformed requests: error replies, the server still serves\n");
}

static void malformed_init(rv_handle_t m2)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES];
	struct wire_writer w;
	struct rv_msg msg;
	rv_handle_t ch[2], hs[2], h;
	long ret, shm;
	uint32_t i, n;

	for (i = 0; i < 100; i++) {
		n = i % 70;
		for (uint32_t k = 0; k < n; k++)
			buf[k] = malformed_rnd();
		if (n >= WIRE_HEADER_SIZE && !(buf[4] | buf[5] | buf[6] | buf[7]))
			buf[4] = 1;
		ret = malformed_call(RV_SVC_INIT_HANDLE, buf, n, NULL, 0);
		CHECK("init: random bytes refused", ret == -RV_EBADMSG || ret == -RV_ENOSYS);
	}
	wire_init_request(&w, buf, sizeof(buf), hs, 2, 77);
	wire_put_str(&w, "math");
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("init: unknown op", malformed_call(0, buf, msg.num_bytes, NULL, 0), -RV_ENOSYS);
	/* CONNECT without its handle. */
	wire_init_request(&w, buf, sizeof(buf), hs, 2, SVC_OP_CONNECT);
	wire_put_str(&w, "math");
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("init: connect, no handle", malformed_call(0, buf, msg.num_bytes, NULL, 0),
		 -RV_EBADMSG);
	/* CONNECT with a shared-memory handle instead of a channel end. */
	shm = rv_shm_create(4096);
	CHECK("shm_create", shm >= 0);
	wire_init_request(&w, buf, sizeof(buf), hs, 2, SVC_OP_CONNECT);
	wire_put_str(&w, "math");
	wire_put_handle(&w, (rv_handle_t)shm);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("init: connect with an shm handle", malformed_call(0, buf, msg.num_bytes, hs, 1),
		 -RV_EWRONGTYPE);
	/* A read-only channel end. */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	h = (rv_handle_t)rv_handle_duplicate(ch[1], RV_RIGHT_READ | RV_RIGHT_TRANSFER);
	rv_handle_close(ch[1]);
	wire_init_request(&w, buf, sizeof(buf), hs, 2, SVC_OP_CONNECT);
	wire_put_str(&w, "math");
	wire_put_handle(&w, h);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("init: connect with a read-only end", malformed_call(0, buf, msg.num_bytes, hs, 1),
		 -RV_EPERM);
	rv_handle_close(ch[0]);
	/* Two handles where one is wanted. */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	wire_init_request(&w, buf, sizeof(buf), hs, 2, SVC_OP_CONNECT);
	wire_put_str(&w, "math");
	wire_put_handle(&w, ch[1]);
	wire_put_handle(&w, ch[0]);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("init: connect with two handles", malformed_call(0, buf, msg.num_bytes, hs, 2),
		 -RV_EBADMSG);
	/* A name too long, an empty name. */
	CHECK_EQ("connect: empty name", rv_connect("", &h), -RV_EINVAL);
	CHECK_EQ("register: name too long",
		 rv_service_register("0123456789012345678901234567890123456789", &h),
		 -RV_EINVAL);
	CHECK_EQ("register: taken", rv_service_register("math", &h), -RV_EEXIST);
	check_alive(m2, 5);
	printf("svc: malformed requests to init: error replies, init still serves\n");
}

#define CHILDREN 3

static void loader(rv_handle_t m2)
{
	rv_handle_t ch[CHILDREN][2], proc[CHILDREN];
	const char *const argv[] = {"child", NULL};
	struct rv_exit_info info;
	struct rv_wait_item it;
	uint8_t buf[16];
	int64_t res = 0;

	/* Three clients in their own processes, started through init. */
	for (int i = 0; i < CHILDREN; i++) {
		CHECK_EQ("channel_create", rv_channel_create(ch[i]), 0);
		CHECK_EQ("loader spawn",
			 rv_loader_spawn("svc_test", argv, 8, &ch[i][1], 1, &proc[i]), 0);
	}
	for (int k = 0; k < 100; k++)
		check_alive(m2, k);
	for (int i = 0; i < CHILDREN; i++) {
		struct rv_msg msg = {.bytes = buf, .num_bytes = sizeof(buf)};

		CHECK_EQ("the child's answer", rv_channel_read(ch[i][0], &msg, 0, in_ms(5000)), 0);
		memcpy(&res, buf, sizeof(res));
		CHECK_EQ("the child's 6 * 7", res, 42);
		it = (struct rv_wait_item){.handle = proc[i], .signals = RV_SIGNAL_EXITED};
		CHECK_EQ("the child ends", rv_wait_many(&it, 1, in_ms(5000)), 1);
		CHECK_EQ("exit info", rv_process_exit_info(proc[i], &info), 0);
		CHECK_EQ("the child's status", info.code, 0);
		rv_handle_close(proc[i]);
		rv_handle_close(ch[i][0]);
	}
	CHECK_EQ("loader: no such program", rv_loader_spawn("nosuch", NULL, 8, NULL, 0, NULL),
		 -RV_ENOENT);
	CHECK_EQ("loader: bad priority", rv_loader_spawn("svc_test", NULL, 9999, NULL, 0, NULL),
		 -RV_EINVAL);
	printf("svc: loader: %d clients in their own processes, served at once\n", CHILDREN);
}

static void restart(rv_handle_t m1, rv_handle_t m2)
{
	rv_handle_t proc, m3;
	struct rv_wait_item it;
	int64_t res = 0;

	CHECK_EQ("process of nosuch", rv_service_process("nosuch", &proc), -RV_ENOENT);
	CHECK_EQ("process of math", rv_service_process("math", &proc), 0);
	CHECK_EQ("kill math", rv_process_kill(proc), 0);
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("math ends", rv_wait_many(&it, 1, in_ms(2000)), 1);
	rv_handle_close(proc);
	CHECK_EQ("first connection after the kill", calc(m1, MATH_OP_ADD, 1, 1, &res),
		 -RV_EPEERCLOSED);
	CHECK_EQ("second connection after the kill", calc(m2, MATH_OP_ADD, 1, 1, &res),
		 -RV_EPEERCLOSED);
	rv_handle_close(m1);
	rv_handle_close(m2);
	CHECK_EQ("reconnect", rv_connect_wait("math", &m3, in_ms(5000)), 0);
	CHECK_EQ("add after the restart", calc(m3, MATH_OP_ADD, 20, 22, &res), 0);
	CHECK_EQ("add after the restart =", res, 42);
	check_math(m3);
	rv_handle_close(m3);
	printf("svc: math killed: EPEERCLOSED, restarted, reconnected\n");
}

/* With CONFIG_INIT_RESTART_MAX=1: a second death in the window is final. */
static void throttle(void)
{
	rv_handle_t proc, m;
	struct rv_wait_item it;

	CHECK_EQ("process of math", rv_service_process("math", &proc), 0);
	CHECK_EQ("kill math again", rv_process_kill(proc), 0);
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("math ends", rv_wait_many(&it, 1, in_ms(2000)), 1);
	rv_handle_close(proc);
	CHECK_EQ("math stays down", rv_connect_wait("math", &m, in_ms(500)), -RV_ENOENT);
	printf("svc: math killed again: not restarted\n");
}

int main(int argc, char **argv)
{
	rv_handle_t m1, m2, h;

	if (argc > 1 && !strcmp(argv[1], "child"))
		return child_main();
	CHECK_EQ("connect math", rv_connect_wait("math", &m1, in_ms(5000)), 0);
	CHECK_EQ("second connection", rv_connect("math", &m2), 0);
	check_math(m1);
	printf("svc: math: add, sub, mul, div, EINVAL, ERANGE\n");
	CHECK_EQ("unknown service", rv_connect("nosuch", &h), -RV_ENOENT);
	printf("svc: unknown service: ENOENT\n");
	malformed_math(m1, m2);
	malformed_init(m2);
	loader(m2);
	restart(m1, m2);
	if (CONFIG_INIT_RESTART_MAX == 1)
		throttle();
	return check_report("svc");
}
