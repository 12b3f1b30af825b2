/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authority in user space (doc/services.md, "Authority"): init's control
 * ops need a right of the connection they come in on (handle 0). Run
 * from the shell (testcase.yaml) and from the manifest; argv[1] says how
 * it was started and what it expects:
 *
 *   (none)       a manifest program without control=: holds nothing, every
 *                control op is EPERM, nothing was killed
 *   none         run by the shell without -c: the same
 *   all          run -c all: holds all; passes a subset on to a child
 *                ("child"), which cannot pass on more than it got; bad
 *                rights fields; PROCESS and KILL of math work
 *   child R      a loader child that must hold exactly R (decimal)
 *   spawnonly    run -c spawn: may spawn, passes on nothing it lacks
 *   shutdown N   run -c shutdown: powers off with N
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/mathsvc.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "check.h"
#include "malformed.h"

#define SELF "authtest"
#define SECONDS(n) ((uint64_t)(n) * 1000000000ull)

static int pid_of(const char *name)
{
	struct rv_proc_info p[16];
	uint32_t start = 0;
	long n;

	while ((n = rv_proc_list(p, 16, start)) > 0) {
		for (long i = 0; i < n; i++)
			if (!strcmp(p[i].name, name))
				return p[i].pid;
		start = p[n - 1].slot + 1;
	}
	return 0;
}

/* Start SELF with argv, passing rights on: 0 or the error; waits for it
 * and gives its exit status in *status. */
static int run_self(const char *const *argv, uint32_t rights, int *status)
{
	const struct rv_spawn_env env = {
		.program = SELF, .argv = argv, .priority = 8, .rights = rights};
	struct rv_wait_item it = {.signals = RV_SIGNAL_EXITED};
	struct rv_exit_info info;
	int ret = rv_loader_spawn_env(&env, &it.handle);

	if (ret < 0)
		return ret;
	*status = -1;
	if (rv_wait_many(&it, 1, rv_clock_ns() + SECONDS(10)) == 1 &&
	    rv_process_exit_info(it.handle, &info) == 0 && info.reason == RV_EXIT_NORMAL)
		*status = (int)info.code;
	rv_handle_close(it.handle);
	return 0;
}

/* A request to init: the reply's status, 1 for a success with fields (its
 * handles closed), or the call's error. */
static long init_call(struct rv_msg *req)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1];
	struct rv_msg reply = {.bytes = rbuf, .num_bytes = sizeof(rbuf), .handles = rhs,
			       .num_handles = CONFIG_MSG_MAX_HANDLES};
	int32_t status;
	long ret = rv_channel_call(RV_SVC_INIT_HANDLE, req, &reply, rv_clock_ns() + SECONDS(5));

	if (ret < 0)
		return ret;
	for (uint32_t i = 0; i < reply.num_handles; i++)
		rv_handle_close(rhs[i]);
	if (reply.num_bytes != WIRE_HEADER_SIZE)
		return 1;
	memcpy(&status, rbuf + 4, 4);
	return status;
}

/* SVC_OP_SPAWN of SELF "child R" built by hand, with a channel end as
 * handle 1 and the u32 fields in tail[0..ntail) after it; *closed: the
 * end came back closed (the peer sees it). */
static long raw_spawn(uint32_t expect, const uint32_t *tail, int ntail, int u64_rights,
		      bool *closed)
{
	uint8_t buf[128];
	char args[32];
	int len = snprintf(args, sizeof(args), "child%c%u", 0, (unsigned int)expect) + 1;
	rv_handle_t ch[2], hs[1];
	struct wire_writer w;
	struct rv_msg msg;
	struct rv_wait_item it;
	long ret;

	if (rv_channel_create(ch) < 0)
		return -9999;
	wire_init_request(&w, buf, sizeof(buf), hs, 1, SVC_OP_SPAWN);
	wire_put_str(&w, SELF);
	wire_put_u32(&w, 8);
	wire_put_bytes(&w, args, (uint32_t)len);
	wire_put_handle(&w, ch[1]);
	for (int i = 0; i < ntail; i++)
		wire_put_u32(&w, tail[i]);
	if (u64_rights)
		wire_put_u64(&w, SVC_RIGHT_SPAWN);
	if (wire_finish(&w, &msg) < 0)
		return -9999;
	ret = init_call(&msg);
	it = (struct rv_wait_item){.handle = ch[0], .signals = RV_SIGNAL_PEER_CLOSED};
	/* A child that was started holds the end until it ends. */
	*closed = rv_wait_many(&it, 1, rv_clock_ns() + SECONDS(5)) == 1;
	rv_handle_close(ch[0]);
	return ret;
}

static bool math_alive(void *ctx)
{
	(void)ctx;
	return pid_of("math") > 0;
}

/* Everything a connection without rights is refused; nothing happens. */
static void refused(const char *who)
{
	const char *const argv[] = {"child", "0", NULL};
	const uint32_t tail[] = {0, 0};
	rv_handle_t proc = RV_HANDLE_INVALID;
	uint32_t rights = ~0u;
	int math = pid_of("math"), status;
	bool closed = false;

	CHECK("math runs", math > 0);
	CHECK_EQ("rights", rv_init_rights(&rights), 0);
	CHECK_EQ("holds none", rights, 0);
	CHECK_EQ("spawn", rv_loader_spawn(SELF, argv, 8, NULL, 0, &proc), -RV_EPERM);
	CHECK_EQ("spawn_env", run_self(argv, 0, &status), -RV_EPERM);
	CHECK_EQ("spawn with a handle", raw_spawn(0, tail, 2, 0, &closed), -RV_EPERM);
	CHECK("its handle closed", closed);
	CHECK_EQ("process of math", rv_service_process(MATH_SERVICE_NAME, &proc), -RV_EPERM);
	CHECK_EQ("kill math", rv_init_kill(math, NULL, 0), -RV_EPERM);
	CHECK_EQ("kill init", rv_init_kill(1, NULL, 0), -RV_EPERM);
	CHECK_EQ("shutdown", rv_init_shutdown(0), -RV_EPERM);
	/* Malformed or not: the right is checked first. */
	CHECK_EQ("shutdown without its field", malformed_call(RV_SVC_INIT_HANDLE, (uint8_t[]){
			 SVC_OP_SHUTDOWN, 0, 0, 0, 0, 0, 0, 0}, 8, NULL, 0), -RV_EPERM);
	CHECK_EQ("math was not killed", pid_of("math"), math);
	CHECK("math serves", math_alive(NULL));
	printf("%s: spawn, spawn_env, process, kill, shutdown: EPERM; math still %d\n", who,
	       math);
}

/* A loader child: it holds exactly `expect`, may pass on only that. */
static void child(uint32_t expect)
{
	const char *const argv[] = {"child", "0", NULL};
	uint32_t rights = ~0u;
	int status = -1;

	CHECK_EQ("rights", rv_init_rights(&rights), 0);
	CHECK_EQ("the rights passed on", rights, expect);
	if (expect & SVC_RIGHT_SPAWN) {
		/* One more right than it holds, of each: refused. */
		for (uint32_t b = 1; b <= SVC_RIGHTS_ALL; b <<= 1)
			if (!(expect & b))
				CHECK_EQ("pass on a right not held", run_self(argv, expect | b,
									 &status), -RV_EPERM);
		CHECK_EQ("pass on none", run_self(argv, 0, &status), 0);
		CHECK_EQ("the grandchild's checks", status, 0);
	} else {
		CHECK_EQ("spawn", run_self(argv, 0, &status), -RV_EPERM);
	}
	if (!(expect & SVC_RIGHT_SHUTDOWN))
		CHECK_EQ("shutdown", rv_init_shutdown(0), -RV_EPERM);
	if (!(expect & SVC_RIGHT_KILL))
		CHECK_EQ("kill math", rv_init_kill(pid_of("math"), NULL, 0), -RV_EPERM);
}

static void all(void)
{
	const char *const argv_spawn[] = {"child", "1", NULL}; /* SVC_RIGHT_SPAWN */
	const char *const argv_sk[] = {"child", "5", NULL};    /* SPAWN | KILL */
	uint32_t rights = 0, tail[3];
	rv_handle_t proc;
	struct rv_wait_item it;
	int status = -1, math;
	bool closed;
	char name[SVC_NAME_MAX + 1] = "";

	CHECK_EQ("rights", rv_init_rights(&rights), 0);
	CHECK_EQ("holds all", rights, SVC_RIGHTS_ALL);
	CHECK_EQ("a child with spawn", run_self(argv_spawn, SVC_RIGHT_SPAWN, &status), 0);
	CHECK_EQ("its checks", status, 0);
	CHECK_EQ("a child with spawn+kill", run_self(argv_sk, SVC_RIGHT_SPAWN | SVC_RIGHT_KILL,
						      &status), 0);
	CHECK_EQ("its checks", status, 0);
	CHECK_EQ("a right that does not exist", run_self(argv_spawn, 1u << 4, &status),
		 -RV_EINVAL);
	CHECK_EQ("rights ~0", run_self(argv_spawn, ~0u, &status), -RV_EINVAL);
	/* SVC_OP_SPAWN with the fields: env_len, then rights. */
	tail[0] = 0;
	tail[1] = SVC_RIGHT_KILL;
	CHECK_EQ("spawn: env_len 0, rights kill", raw_spawn(SVC_RIGHT_KILL, tail, 2, 0, &closed),
		 1);
	CHECK("the child ended", closed);
	tail[1] = 1u << 31;
	CHECK_EQ("spawn: an unknown right", raw_spawn(0, tail, 2, 0, &closed), -RV_EINVAL);
	CHECK("its handle closed", closed);
	tail[1] = 0;
	tail[2] = 0;
	CHECK_EQ("spawn: a u32 after rights", raw_spawn(0, tail, 3, 0, &closed), -RV_EBADMSG);
	CHECK("its handle closed", closed);
	CHECK_EQ("spawn: rights as a u64", raw_spawn(0, tail, 1, 1, &closed), -RV_EBADMSG);
	CHECK("its handle closed", closed);
	/* PROCESS and KILL: math, which init restarts. */
	CHECK_EQ("process of math", rv_service_process(MATH_SERVICE_NAME, &proc), 0);
	math = pid_of("math");
	CHECK_EQ("kill math", rv_init_kill(math, name, sizeof(name)), 0);
	CHECK("init names it", !strcmp(name, "math"));
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("math ended", rv_wait_many(&it, 1, rv_clock_ns() + SECONDS(2)), 1);
	rv_handle_close(proc);
	printf("authtest all: children got what was passed on, no more; math killed\n");
}

static void spawnonly(void)
{
	const char *const argv[] = {"child", "1", NULL};
	uint32_t rights = 0;
	rv_handle_t proc;
	int status = -1;

	CHECK_EQ("rights", rv_init_rights(&rights), 0);
	CHECK_EQ("holds spawn", rights, SVC_RIGHT_SPAWN);
	CHECK_EQ("pass on spawn", run_self(argv, SVC_RIGHT_SPAWN, &status), 0);
	CHECK_EQ("its checks", status, 0);
	CHECK_EQ("pass on kill", run_self(argv, SVC_RIGHT_KILL, &status), -RV_EPERM);
	CHECK_EQ("pass on all", run_self(argv, SVC_RIGHTS_ALL, &status), -RV_EPERM);
	CHECK_EQ("process of math", rv_service_process(MATH_SERVICE_NAME, &proc), -RV_EPERM);
	CHECK_EQ("shutdown", rv_init_shutdown(0), -RV_EPERM);
	printf("authtest spawnonly: passes on spawn, nothing more\n");
}

int main(int argc, char **argv)
{
	if (argc == 1) {
		refused("authtest manifest");
		return check_report("authtest manifest");
	}
	if (argc == 3 && !strcmp(argv[1], "child")) {
		child((uint32_t)strtoul(argv[2], NULL, 10));
		return check_report("authtest child") ? 20 : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "shutdown")) {
		CHECK_EQ("shutdown", rv_init_shutdown(atoi(argv[2])), 0);
		for (;;)
			rv_sleep_ns(SECONDS(1));
	}
	if (!strcmp(argv[1], "none"))
		refused("authtest none");
	else if (!strcmp(argv[1], "all"))
		all();
	else if (!strcmp(argv[1], "spawnonly"))
		spawnonly();
	else
		printf("authtest: unknown mode %s\n", argv[1]);
	return check_report("authtest");
}
