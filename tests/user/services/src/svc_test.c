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

/* The loader's environment child ("envchild"): what SVC_OP_STARTUP gave
 * it must be what the test sent (root, cwd, stdout: three channel ends;
 * stdout a pipe, the others console; cwd_path "/x/y"). It writes its
 * verdict, one byte per handle, through each: the test reads them on the
 * other ends. A second STARTUP gives nothing. And it is no manifest
 * child: the restricted service "sec" refuses it. */
static int envchild_main(void)
{
	const struct rv_startup *st, *st2;
	struct rv_handle_info info;
	uint8_t tag;
	struct rv_msg msg = {.bytes = &tag, .num_bytes = 1};
	rv_handle_t h;
	if (rv_startup_get(&st) != 0)
		return 10;
	if (st->mask != (RV_ENV_ROOT | RV_ENV_CWD | RV_ENV_STDOUT))
		return 11;
	if (st->fd_kind[0] != RV_FD_CONSOLE || st->fd_kind[1] != RV_FD_PIPE ||
	    st->fd_kind[2] != RV_FD_CONSOLE)
		return 12;
	if (strcmp(st->cwd_path, "/x/y"))
		return 13;
	if (rv_handle_info(st->root, &info) < 0 || info.type != RV_OBJ_CHANNEL)
		return 14;
	if (rv_startup_get(&st2) != 0 || st2 != st)
		return 15;
	if (rv_connect("sec", &h) != -RV_EPERM)
		return 16;
	if (rv_startup_reopen(&h, &h) != -RV_ENOENT)
		return 20;
	tag = 'r';
	if (rv_channel_write(st->root, &msg, 0, in_ms(2000)) < 0)
		return 17;
	tag = 'c';
	if (rv_channel_write(st->cwd, &msg, 0, in_ms(2000)) < 0)
		return 18;
	tag = 'o';
	if (rv_channel_write(st->fd[1], &msg, 0, in_ms(2000)) < 0)
		return 19;
	return 0;
}

/* A raw SVC_OP_STARTUP: the reply's mask (or an error). */
static long raw_startup(void)
{
	uint8_t buf[WIRE_HEADER_SIZE], rbuf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	const char *p;
	uint32_t mask = 99, kinds = 99, len;
	long ret;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, SVC_OP_STARTUP);
	ret = rv_service_call(RV_SVC_INIT_HANDLE, &w, &r, SVC_OP_STARTUP, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_u32(&r, &mask);
	wire_get_u32(&r, &kinds);
	wire_get_str(&r, &p, &len, RV_ENV_PATH_MAX);
	if (wire_end(&r) < 0 || kinds || len)
		return -RV_EBADMSG;
	return mask;
}

static void startup(void)
{
	const struct rv_startup *st;
	rv_handle_t root, cwd;

	CHECK_EQ("startup_get", rv_startup_get(&st), 0);
	CHECK_EQ("manifest child without root=: mask", st->mask, 0);
	CHECK_EQ("cwd_path empty", st->cwd_path[0], 0);
	CHECK_EQ("a second STARTUP: mask 0", raw_startup(), 0);
	CHECK_EQ("reopen without root=", rv_startup_reopen(&root, &cwd), -RV_ENOENT);
	printf("svc: startup: once, a manifest child without files gets mask 0\n");
}

/* A SPAWN_ENV request built by hand: program, mask, kinds and the handles. */
static long raw_spawn_env(const char *prog, uint32_t prio, uint32_t mask, uint32_t kinds,
			  const char *cwd, rv_handle_t *hs, uint32_t nh, rv_handle_t *proc)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES], rbuf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t whs[CONFIG_MSG_MAX_HANDLES + 1], rhs[CONFIG_MSG_MAX_HANDLES + 1];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	rv_handle_t h = RV_HANDLE_INVALID;
	long ret;

	wire_init_request(&w, buf, sizeof(buf), whs, CONFIG_MSG_MAX_HANDLES, SVC_OP_SPAWN_ENV);
	wire_put_str(&w, prog);
	wire_put_u32(&w, prio);
	wire_put_bytes(&w, "child\0", 6);
	wire_put_u32(&w, mask);
	wire_put_u32(&w, kinds);
	wire_put_str(&w, cwd);
	for (uint32_t k = 0; k < nh; k++)
		wire_put_handle(&w, hs[k]);
	ret = rv_service_call(RV_SVC_INIT_HANDLE, &w, &r, SVC_OP_SPAWN_ENV, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_handle(&r, &h);
	if (wire_end(&r) < 0)
		return -RV_EBADMSG;
	if (proc)
		*proc = h;
	else
		rv_handle_close(h);
	return 0;
}

/* Is h's peer closed (the handle init took was closed)? */
static int peer_gone(rv_handle_t h)
{
	struct rv_wait_item it = {.handle = h, .signals = RV_SIGNAL_PEER_CLOSED};

	return rv_wait_many(&it, 1, in_ms(1000)) == 1;
}

static void spawn_env(void)
{
	const char *const argv[] = {"envchild", NULL};
	rv_handle_t root[2], cwd[2], out[2], proc, hs[2], ch[2];
	struct rv_spawn_env env = {.program = "svc_test", .argv = argv, .priority = 8};
	struct rv_exit_info info;
	struct rv_wait_item it;
	uint8_t tag;
	struct rv_msg msg = {.bytes = &tag, .num_bytes = 1};
	long shm;

	CHECK_EQ("channel_create", rv_channel_create(root), 0);
	CHECK_EQ("channel_create", rv_channel_create(cwd), 0);
	CHECK_EQ("channel_create", rv_channel_create(out), 0);
	env.mask = RV_ENV_ROOT | RV_ENV_CWD | RV_ENV_STDOUT;
	env.root = root[1];
	env.cwd = cwd[1];
	env.fd[1] = out[1];
	env.fd_kind[1] = RV_FD_PIPE;
	env.cwd_path = "/x/y";
	CHECK_EQ("spawn_env", rv_loader_spawn_env(&env, &proc), 0);
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("envchild ends", rv_wait_many(&it, 1, in_ms(5000)), 1);
	CHECK_EQ("exit info", rv_process_exit_info(proc, &info), 0);
	CHECK_EQ("envchild's verdict (0: all it got was right)", info.code, 0);
	rv_handle_close(proc);
	tag = 0;
	CHECK_EQ("root's byte", rv_channel_read(root[0], &msg, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("root's byte =", tag, 'r');
	msg.num_bytes = 1;
	CHECK_EQ("cwd's byte", rv_channel_read(cwd[0], &msg, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("cwd's byte =", tag, 'c');
	msg.num_bytes = 1;
	CHECK_EQ("stdout's byte", rv_channel_read(out[0], &msg, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("stdout's byte =", tag, 'o');
	rv_handle_close(root[0]);
	rv_handle_close(cwd[0]);
	rv_handle_close(out[0]);
	printf("svc: spawn_env: root, cwd, stdout and cwd_path reach the child\n");

	/* Malformed and refused requests: each handle sent is closed. */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	env = (struct rv_spawn_env){.program = "svc_test", .priority = 8, .mask = RV_ENV_ROOT,
				    .root = ch[1]};
	env.mask |= 1u << 7;
	CHECK_EQ("spawn_env: unknown mask bit", rv_loader_spawn_env(&env, NULL), -RV_EINVAL);
	CHECK("its handle closed", peer_gone(ch[0]));
	rv_handle_close(ch[0]);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("raw: mask bit 7 with a handle",
		 raw_spawn_env("svc_test", 8, RV_ENV_ROOT | (1u << 7), 0, "", &ch[1], 1, NULL),
		 -RV_EINVAL);
	CHECK("its handle closed", peer_gone(ch[0]));
	rv_handle_close(ch[0]);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("raw: fd kind 3", raw_spawn_env("svc_test", 8, RV_ENV_STDIN, 3, "", &ch[1], 1,
						  NULL), -RV_EINVAL);
	CHECK("its handle closed", peer_gone(ch[0]));
	rv_handle_close(ch[0]);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("raw: two handles for one bit",
		 raw_spawn_env("svc_test", 8, RV_ENV_ROOT, 0, "", ch, 2, NULL), -RV_EBADMSG);
	CHECK_EQ("raw: no handle for a bit",
		 raw_spawn_env("svc_test", 8, RV_ENV_ROOT | RV_ENV_CWD, 0, "", NULL, 0, NULL),
		 -RV_EBADMSG);
	CHECK_EQ("raw: empty program", raw_spawn_env("", 8, 0, 0, "", NULL, 0, NULL),
		 -RV_EBADMSG);
	CHECK_EQ("raw: bad priority", raw_spawn_env("svc_test", 999, 0, 0, "", NULL, 0, NULL),
		 -RV_EINVAL);
	CHECK_EQ("raw: name over 31 bytes",
		 raw_spawn_env("svc_test_0123456789012345678901234", 8, 0, 0, "", NULL, 0, NULL),
		 -RV_ENAMETOOLONG);
	CHECK_EQ("no such program", raw_spawn_env("nosuch", 8, 0, 0, "", NULL, 0, NULL),
		 -RV_ENOENT);
	shm = rv_shm_create(4096);
	CHECK("shm_create", shm >= 0);
	hs[0] = (rv_handle_t)shm;
	CHECK_EQ("raw: an shm handle as root",
		 raw_spawn_env("svc_test", 8, RV_ENV_ROOT, 0, "", hs, 1, NULL), -RV_EWRONGTYPE);
	CHECK_EQ("a path without a root", raw_spawn_env("/bin/x", 8, 0, 0, "", NULL, 0, NULL),
		 -RV_ENOENT);
	env = (struct rv_spawn_env){.program = "", .priority = 8};
	CHECK_EQ("spawn_env: empty program", rv_loader_spawn_env(&env, NULL), -RV_EINVAL);
	env.program = "svc_test";
	env.fd_kind[0] = 256;
	CHECK_EQ("spawn_env: fd kind 256", rv_loader_spawn_env(&env, NULL), -RV_EINVAL);
	/* STARTUP with a field it does not have. */
	{
		uint8_t buf[32];
		struct wire_writer w;

		wire_init_request(&w, buf, sizeof(buf), NULL, 0, SVC_OP_STARTUP);
		wire_put_u32(&w, 1);
		CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
		CHECK_EQ("STARTUP with a field", malformed_call(0, buf, msg.num_bytes, NULL, 0),
			 -RV_EBADMSG);
	}
	printf("svc: spawn_env: malformed and refused requests, handles closed\n");
}

/* Restricted services: "sec" (our entry says uses=sec) and "sec2" (it
 * does not). */
static void restricted(void)
{
	rv_handle_t reg1, reg2, reg3, h;

	CHECK_EQ("register sec", rv_service_register_flags("sec", SVC_REG_RESTRICTED, &reg1), 0);
	CHECK_EQ("register sec2", rv_service_register_flags("sec2", SVC_REG_RESTRICTED, &reg2),
		 0);
	CHECK_EQ("register: unknown flag", rv_service_register_flags("sec3", 1u << 5, &reg3),
		 -RV_EINVAL);
	CHECK_EQ("uses=sec: connect", rv_connect("sec", &h), 0);
	rv_handle_close(h);
	CHECK_EQ("not in uses=: connect", rv_connect("sec2", &h), -RV_EPERM);
	CHECK_EQ("not in uses=: connect_wait returns at once",
		 rv_connect_wait("sec2", &h, in_ms(60000)), -RV_EPERM);
	printf("svc: restricted: uses= may connect, others EPERM\n");
	/* reg1 stays: the envchild checks that a loader child is refused. */
	rv_handle_close(reg2);
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

static int init_alive(void *ctx)
{
	char names[64];

	(void)ctx;
	return rv_init_programs(0, names, sizeof(names)) > 0;
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
	/* The shared battery, on a valid SVC_OP_PROGRAMS request. */
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, SVC_OP_PROGRAMS);
	wire_put_u32(&w, 0);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	{
		uint8_t valid[32];

		memcpy(valid, buf, msg.num_bytes);
		malformed_battery("init", RV_SVC_INIT_HANDLE, valid, msg.num_bytes, 77, init_alive,
				  NULL);
	}
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
	if (argc > 1 && !strcmp(argv[1], "envchild"))
		return envchild_main();
	CHECK_EQ("connect math", rv_connect_wait("math", &m1, in_ms(5000)), 0);
	CHECK_EQ("second connection", rv_connect("math", &m2), 0);
	check_math(m1);
	printf("svc: math: add, sub, mul, div, EINVAL, ERANGE\n");
	CHECK_EQ("unknown service", rv_connect("nosuch", &h), -RV_ENOENT);
	printf("svc: unknown service: ENOENT\n");
	malformed_math(m1, m2);
	malformed_init(m2);
	loader(m2);
	startup();
	restricted();
	spawn_env();
	restart(m1, m2);
	if (CONFIG_INIT_RESTART_MAX == 1)
		throttle();
	return check_report("svc");
}
