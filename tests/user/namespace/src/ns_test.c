/* SPDX-License-Identifier: Apache-2.0 */
/*
 * init's file namespace and start-up environments, against a stand-in
 * file server (fakefs.c, registered as "fs"):
 *
 *  - a manifest child with root=/data,ro gets, once, a root and a cwd
 *    node connection opened by init for /data read-only ("/" its
 *    cwd_path); a second STARTUP gets nothing; "fs" is restricted;
 *  - SVC_OP_SPAWN_ENV of a path: the file server's errors come back
 *    (ENOENT, a directory EACCES, a malformed reply EIO, no answer
 *    ETIMEDOUT while init goes on serving others);
 *  - the file server killed: init connects again when it registers
 *    again, and a child that asks meanwhile waits for it.
 *
 * Built a second time as nsprobe (NS_PROBE): a service with root=/data
 * that prints what it got and registers "probe", so the test can kill it.
 * Run with "pinger": calls init for 1.5 s and reports how many calls went
 * through and the slowest, on its handle 1.
 */
#include <stdio.h>
#include <string.h>
#include <rvos/fssvc.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "check.h"

#define FAKEFS_OP_WHO 100
#define MS(n) ((uint64_t)(n) * 1000000ull)

static inline uint64_t in_ms(uint64_t ms)
{
	return rv_clock_ns() + MS(ms);
}

/* What node h was opened as: its path into path, its flags. */
static inline int who(rv_handle_t h, char *path, size_t size, uint32_t *flags)
{
	uint8_t buf[WIRE_HEADER_SIZE], rbuf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	const char *p;
	uint32_t len;
	int ret;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, FAKEFS_OP_WHO);
	ret = rv_service_call(h, &w, &r, FAKEFS_OP_WHO, rbuf, rhs, &reply);
	if (ret < 0)
		return ret;
	wire_get_str(&r, &p, &len, (uint32_t)size - 1);
	wire_get_u32(&r, flags);
	if (wire_end(&r) < 0)
		return -RV_EBADMSG;
	memcpy(path, p, len);
	path[len] = '\0';
	return 0;
}

#ifdef NS_PROBE
int main(void)
{
	const struct rv_startup *st;
	char root[64] = "?", cwd[64] = "?";
	uint32_t rf = 0, cf = 0;
	rv_handle_t reg;

	rv_startup_get(&st);
	if (st->mask & RV_ENV_ROOT)
		who(st->root, root, sizeof(root), &rf);
	if (st->mask & RV_ENV_CWD)
		who(st->cwd, cwd, sizeof(cwd), &cf);
	printf("nsprobe: mask %u, root %s flags 0x%x, cwd %s flags 0x%x, cwd_path '%s'\n",
	       (unsigned int)st->mask, root, (unsigned int)rf, cwd, (unsigned int)cf,
	       st->cwd_path);
	if (rv_service_register("probe", &reg) < 0)
		return 1;
	for (;;)
		rv_sleep_ns(MS(1000));
}
#elif defined(NS_REQUEUE)
/* The requeue scenario's main program (no files of its own): nsprobe
 * (root=/slow) has its requests in flight when the file server is killed
 * here; init sends them again to the restarted server, and nsprobe gets
 * its directories from that one. */
int main(void)
{
	rv_handle_t proc, h;
	struct rv_wait_item it;
	uint64_t end = in_ms(5000);

	while (rv_connect("fs", &h) != -RV_EPERM && rv_clock_ns() < end)
		rv_sleep_ns(MS(10));
	CHECK("fs registered", rv_clock_ns() < end);
	rv_sleep_ns(MS(300)); /* init's requests are sent; the first is being served */
	CHECK_EQ("process of fs", rv_service_process("fs", &proc), 0);
	CHECK_EQ("kill fs", rv_process_kill(proc), 0);
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("fs ends", rv_wait_many(&it, 1, in_ms(2000)), 1);
	rv_handle_close(proc);
	CHECK_EQ("the probe", rv_connect_wait("probe", &h, in_ms(8000)), 0);
	printf("ns: requeue: the server killed with requests in flight\n");
	return check_report("ns");
}
#else

static int pinger(void)
{
	uint64_t end = in_ms(1500), slowest = 0;
	uint32_t calls = 0;
	char names[64];
	uint64_t res[2];
	struct rv_msg msg = {.bytes = res, .num_bytes = sizeof(res)};

	while (rv_clock_ns() < end) {
		uint64_t t = rv_clock_ns();

		if (rv_init_programs(0, names, sizeof(names)) <= 0)
			return 2;
		t = rv_clock_ns() - t;
		slowest = t > slowest ? t : slowest;
		calls++;
		rv_sleep_ns(MS(10));
	}
	res[0] = calls;
	res[1] = slowest;
	return rv_channel_write(1, &msg, 0, in_ms(5000)) < 0 ? 3 : 0;
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

/* A directory node for "/" from our root (the server allows it). */
static rv_handle_t open_root(rv_handle_t root)
{
	uint8_t buf[64], rbuf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1], h = RV_HANDLE_INVALID;
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	uint32_t mode;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, FS_OP_OPEN);
	wire_put_str(&w, "/");
	wire_put_u32(&w, FS_O_DIRECTORY | FS_O_READ);
	wire_put_u32(&w, 0);
	if (rv_service_call(root, &w, &r, FS_OP_OPEN, rbuf, rhs, &reply) < 0)
		return RV_HANDLE_INVALID;
	wire_get_handle(&r, &h);
	wire_get_u32(&r, &mode);
	return wire_end(&r) < 0 ? RV_HANDLE_INVALID : h;
}

/* SPAWN_ENV of path with a fresh root from ours: its result. */
static int spawn_path(rv_handle_t root, const char *path)
{
	struct rv_spawn_env env = {.program = path, .priority = 8};

	env.root = open_root(root);
	CHECK("a root to give", env.root != RV_HANDLE_INVALID);
	env.mask = RV_ENV_ROOT;
	return rv_loader_spawn_env(&env, NULL);
}

static void spawn_paths(rv_handle_t root)
{
	const char *const argv[] = {"pinger", NULL};
	struct rv_spawn_env env = {.program = "/bin/x", .priority = 8};
	rv_handle_t ch[2], proc;
	uint64_t res[2] = {0, 0}, t;
	struct rv_msg msg = {.bytes = res, .num_bytes = sizeof(res)};

	CHECK_EQ("no such program", spawn_path(root, "/bin/nosuch"), -RV_ENOENT);
	CHECK_EQ("a directory", spawn_path(root, "/bin"), -RV_EACCES);
	CHECK_EQ("a malformed reply", spawn_path(root, "/bin/bad"), -RV_EIO);
	CHECK_EQ("a path ending in /", spawn_path(root, "/bin/"), -RV_EINVAL);
	CHECK_EQ("a path without a root", rv_loader_spawn_env(&env, NULL), -RV_ENOENT);
	/* A region of zeros: the kernel's ELF loader refuses it. */
	CHECK_EQ("a region that is no program", spawn_path(root, "/bin/hello"), -RV_ENOEXEC);
	/* No answer: ETIMEDOUT after CONFIG_INIT_STARTUP_WAIT_MS, and init
	 * serves a pinger all along. */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("spawn the pinger", rv_loader_spawn("ns_test", argv, 8, &ch[1], 1, &proc), 0);
	t = rv_clock_ns();
	CHECK_EQ("no answer", spawn_path(root, "/bin/hang"), -RV_ETIMEDOUT);
	t = rv_clock_ns() - t;
	CHECK("after the wait", t >= MS(CONFIG_INIT_STARTUP_WAIT_MS));
	CHECK_EQ("the pinger's figures", rv_channel_read(ch[0], &msg, 0, in_ms(5000)), 0);
	CHECK("the pinger got answers", res[0] >= 20);
	CHECK("none slower than 100 ms", res[1] < MS(100));
	rv_handle_close(ch[0]);
	rv_handle_close(proc);
	printf("ns: spawn_env paths: ENOENT, EACCES, EIO, EINVAL, ENOEXEC, ETIMEDOUT; "
	       "init kept serving\n");
}

/* Kill the file server; kill the probe while the server is down: its
 * STARTUP waits for the new server, which init connects to. */
static void fs_restart(void)
{
	rv_handle_t proc, h;
	struct rv_wait_item it;

	CHECK_EQ("process of fs", rv_service_process("fs", &proc), 0);
	CHECK_EQ("kill fs", rv_process_kill(proc), 0);
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("fs ends", rv_wait_many(&it, 1, in_ms(2000)), 1);
	rv_handle_close(proc);
	CHECK_EQ("process of probe", rv_service_process("probe", &proc), 0);
	CHECK_EQ("kill probe", rv_process_kill(proc), 0);
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("probe ends", rv_wait_many(&it, 1, in_ms(2000)), 1);
	rv_handle_close(proc);
	CHECK_EQ("the probe again", rv_connect_wait("probe", &h, in_ms(5000)), 0);
	rv_handle_close(h);
	printf("ns: file server restarted: init reconnected, a waiting child got its files\n");
}

int main(int argc, char **argv)
{
	const struct rv_startup *st;
	char path[64];
	uint32_t flags = 0;
	rv_handle_t h, proc;

	if (argc > 1 && !strcmp(argv[1], "pinger"))
		return pinger();
	CHECK_EQ("startup_get", rv_startup_get(&st), 0);
	if (rv_service_process("fs", &proc) == -RV_ENOENT) {
		/* The no_fs scenario: init gave up waiting. */
		CHECK_EQ("no file server: mask", st->mask, 0);
		printf("ns: no file server: started without files\n");
		return check_report("ns");
	}
	rv_handle_close(proc);
	CHECK_EQ("mask", st->mask, RV_ENV_ROOT | RV_ENV_CWD);
	CHECK("cwd_path", !strcmp(st->cwd_path, "/"));
	CHECK_EQ("kinds", st->fd_kind[0] | st->fd_kind[1] | st->fd_kind[2], RV_FD_CONSOLE);
	CHECK_EQ("who root", who(st->root, path, sizeof(path), &flags), 0);
	CHECK("root's path", !strcmp(path, "/data"));
	CHECK_EQ("root's flags (ro)", flags, FS_O_DIRECTORY | FS_O_READ);
	CHECK_EQ("who cwd", who(st->cwd, path, sizeof(path), &flags), 0);
	CHECK("cwd's path", !strcmp(path, "/data"));
	CHECK_EQ("cwd's flags (ro)", flags, FS_O_DIRECTORY | FS_O_READ);
	CHECK("two connections", st->root != st->cwd);
	CHECK_EQ("a second STARTUP", raw_startup(), 0);
	printf("ns: startup: root and cwd /data read-only, once\n");
	CHECK_EQ("fs is restricted", rv_connect("fs", &h), -RV_EPERM);
	spawn_paths(st->root);
	fs_restart();
	/* Our connections died with the server: reopen the namespace. */
	CHECK_EQ("the old root", who(st->root, path, sizeof(path), &flags), -RV_EPEERCLOSED);
	rv_handle_close(st->root);
	rv_handle_close(st->cwd);
	CHECK_EQ("reopen", rv_startup_reopen(&h, &proc), 0);
	CHECK_EQ("who the new root", who(h, path, sizeof(path), &flags), 0);
	CHECK("the new root's path", !strcmp(path, "/data"));
	CHECK_EQ("the new root's flags (ro)", flags, FS_O_DIRECTORY | FS_O_READ);
	CHECK_EQ("who the new cwd", who(proc, path, sizeof(path), &flags), 0);
	CHECK("the new cwd's path", !strcmp(path, "/data"));
	rv_handle_close(h);
	rv_handle_close(proc);
	printf("ns: reopen: a fresh root and cwd from the new server\n");
	return check_report("ns");
}
#endif
