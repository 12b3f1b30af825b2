/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Revocation (doc/ipc.md, Revocation): handle_derive and handle_revoke.
 *
 * `revoke` (the first process) derives handles to every kind of object it
 * can reach (channel end, shared memory, process, device), passes them
 * around -- duplicated, to children at spawn, through channels, left in
 * flight in a queue -- and revokes: every copy answers -ECANCELED at its
 * next use while the original keeps working. Children blocked through a
 * derived handle (a read, a write, a wait_many item, a port binding) wake
 * at once with the error; a child's mapping made through a derived handle
 * is unmapped (its next touch faults). Nested derivations, the depth limit
 * (EMLINK), the pool (ENFILE), a revoker passed to another process, a
 * closed revoker (revokes), and killing the process that derived: what it
 * derived stops working and every kernel counter comes back.
 *
 * `revoke ROLE` plays the children: handle 0 is the control channel to the
 * parent, handle 1 (if given) the derived handle to use.
 */
#include <stdlib.h>
#include <string.h>
#include <rvos/memory_map.h>
#include "../../common/ipc_test.h"

#define SELF "revoke"
#define REVOKER_RIGHTS (RV_RIGHT_MANAGE | RV_RIGHT_DUPLICATE | RV_RIGHT_TRANSFER)
#define SCAUSE_LOAD_PAGE_FAULT 13
#define SHM_BYTES 4096
#define WAIT_MS 3000

/* ---- the children ---- */

/* One int64 result on the control channel. */
static void reply(long r)
{
	int64_t v = r;

	write_bytes(0, &v, sizeof(v), 0, RV_DEADLINE_NEVER);
}

static void replies(const int64_t *v, uint32_t n)
{
	write_bytes(0, v, n * sizeof(v[0]), 0, RV_DEADLINE_NEVER);
}

/* The next command byte on the control channel ('x' when the parent went). */
static char command(void)
{
	char c = 'x';
	struct rv_msg m = msg_of(&c, 1, NULL, 0);

	return rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) == 0 ? c : 'x';
}

/* holder [recv]: use the derived handle (1, or the one the first message
 * on 0 carries) on each 'u': write a byte through it; reply the result. */
static int role_holder(int recv)
{
	rv_handle_t h = 1;

	if (recv) {
		struct rv_msg m = msg_of(NULL, 0, &h, 1);

		if (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) != 0 || m.num_handles != 1)
			return 10;
	}
	reply(0); /* ready */
	for (;;) {
		char c = command();

		if (c == 'x')
			return 0;
		reply(write_bytes(h, "t", 1, RV_IPC_NONBLOCK, 0));
	}
}

/* blocked_read / blocked_write / blocked_wait: say ready, block through
 * handle 1 for ever, reply how it ended. */
static int role_blocked(const char *how)
{
	uint8_t buf[16];
	struct rv_msg m = msg_of(buf, sizeof(buf), NULL, 0);
	long r;

	reply(0);
	if (!strcmp(how, "read")) {
		r = rv_channel_read(1, &m, 0, RV_DEADLINE_NEVER);
	} else if (!strcmp(how, "write")) {
		r = write_bytes(1, "w", 1, 0, RV_DEADLINE_NEVER);
	} else {
		struct rv_wait_item it = {.handle = 1, .signals = RV_SIGNAL_READABLE};
		r = rv_wait_many(&it, 1, RV_DEADLINE_NEVER);
	}
	reply(r);
	command(); /* until the parent says so */
	return 0;
}

/* blocked_port: bind handle 1 to a port (key 42), wait on the port. */
static int role_blocked_port(void)
{
	struct rv_port_event ev = {0}, ev2 = {0};
	long port = rv_port_create();
	int64_t v[7];

	if (port < 0 || rv_port_bind((rv_handle_t)port, 1, RV_SIGNAL_READABLE, 42) != 0)
		return 10;
	reply(0);
	v[0] = rv_port_wait((rv_handle_t)port, &ev, NULL, RV_DEADLINE_NEVER);
	v[1] = ev.status;
	v[2] = (int64_t)ev.key;
	v[3] = ev.observed;
	v[4] = rv_port_unbind((rv_handle_t)port, 1);
	/* reported once: nothing more */
	v[5] = rv_port_wait((rv_handle_t)port, &ev2, NULL, 0);
	/* the handle is still there, revoked, until closed */
	v[6] = rv_handle_close(1);
	replies(v, 7);
	command();
	return 0;
}

/* shm_mapper: map handle 1 writable, check the parent's bytes, mark; on 't'
 * read the mapping again (after a revoke: a fault ends this process). */
static int role_shm_mapper(void)
{
	long va = rv_shm_map(1, 1);
	volatile uint8_t *p = (volatile uint8_t *)va;
	int64_t v[2] = {va < 0 ? va : 0, 0};

	if (va >= 0) {
		v[1] = check_pattern((const uint8_t *)va, 5, 64);
		p[100] = 0x5a;
	}
	replies(v, 2);
	while (command() == 't')
		reply(p[0]);
	return 0;
}

/* revoker: revoke through handle 1, reply the result. */
static int role_revoker(void)
{
	reply(rv_handle_revoke(1));
	command();
	return 0;
}

/* deriver: make a channel, derive a handle from each end and send both to
 * the parent; then hold the originals and the revokers until killed. */
static int role_deriver(void)
{
	rv_handle_t ch[2], da[2], db[2], send[2];
	struct rv_msg m = msg_of(NULL, 0, send, 2);

	if (rv_channel_create(ch) || rv_handle_derive(ch[0], CHANNEL_RIGHTS, da) ||
	    rv_handle_derive(ch[1], CHANNEL_RIGHTS, db))
		return 10;
	send[0] = da[0];
	send[1] = db[0];
	if (rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER))
		return 11;
	for (;;)
		command(); /* (a closed control channel answers at once: sleep) */
}

static int child_main(int argc, char **argv)
{
	const char *role = argv[1];

	if (!strcmp(role, "holder"))
		return role_holder(argc > 2);
	if (!strcmp(role, "blocked"))
		return role_blocked(argv[2]);
	if (!strcmp(role, "blocked_port"))
		return role_blocked_port();
	if (!strcmp(role, "shm_mapper"))
		return role_shm_mapper();
	if (!strcmp(role, "revoker"))
		return role_revoker();
	if (!strcmp(role, "deriver")) {
		role_deriver();
		rv_sleep_ns(MS(1000000));
		return 12;
	}
	return 99;
}

/* ---- the parent's helpers ---- */

static char what[160];

/* A child playing `role` (argv), given handle 0 = its end of a new control
 * channel (*ctl: ours) and the `n` handles in give[1..n]. */
static long spawn_role(const char *const argv[], rv_handle_t *ctl, rv_handle_t *give, uint32_t n)
{
	rv_handle_t ch[2];

	if (rv_channel_create(ch))
		return -1;
	*ctl = ch[0];
	give[0] = ch[1];
	return rv_process_spawn(SELF, argv, CONFIG_DEFAULT_PRIORITY, give, n + 1);
}

/* n int64 results from a child, or -ETIMEDOUT after `ms`. */
static long results(rv_handle_t ctl, int64_t *v, uint32_t n, uint64_t ms)
{
	struct rv_msg m = msg_of(v, n * sizeof(v[0]), NULL, 0);
	long r = rv_channel_read(ctl, &m, 0, deadline_in_ms(ms));

	return r ? r : m.num_bytes == n * sizeof(v[0]) ? 0 : -RV_EBADMSG;
}

static long result(rv_handle_t ctl, uint64_t ms)
{
	int64_t v = -9999;
	long r = results(ctl, &v, 1, ms);

	return r ? r : (long)v;
}

static long ask(rv_handle_t ctl, char c)
{
	long r = write_bytes(ctl, &c, 1, 0, deadline_in_ms(WAIT_MS));

	return r ? r : result(ctl, WAIT_MS);
}

/* Wait until the process `proc` is blocked in state (RECEIVING: a read;
 * WAITING: wait_many, a full channel's write), at most WAIT_MS. */
static int wait_blocked(rv_handle_t proc, uint32_t state)
{
	struct rv_handle_info info;
	struct rv_proc_info procs[8];

	if (rv_handle_info(proc, &info))
		return 0;
	for (unsigned int ms = 0; ms < WAIT_MS; ms++) {
		uint32_t start = 0;
		long n;

		while ((n = rv_proc_list(procs, 8, start)) > 0) {
			for (long i = 0; i < n; i++) {
				if (procs[i].pid == info.pid && procs[i].state == state)
					return 1;
			}
			start = procs[n - 1].slot + 1;
		}
		rv_sleep_ns(MS(1));
	}
	return 0;
}

/* Say goodbye to a child and reap it: its exit info. */
static void finish(rv_handle_t ctl, rv_handle_t proc, struct rv_exit_info *info)
{
	write_bytes(ctl, "x", 1, RV_IPC_NONBLOCK, 0);
	rv_handle_close(ctl);
	CHECK_EQ("the child ends", reap_child(proc, info, WAIT_MS), 0);
}

static void finish_ok(const char *name, rv_handle_t ctl, rv_handle_t proc)
{
	struct rv_exit_info info = {.reason = -1};

	finish(ctl, proc, &info);
	snprintf(what, sizeof(what), "%s exits normally, status 0", name);
	CHECK(what, info.reason == RV_EXIT_NORMAL && info.code == 0);
}

static long handle_pad(rv_handle_t h)
{
	struct rv_handle_info info;
	long r = rv_handle_info(h, &info);

	return r < 0 ? r : (long)info.pad;
}

/* One byte through `w`, read back at `r`: 0, or the first error. */
static long through(rv_handle_t w, rv_handle_t r)
{
	uint8_t b = 0;
	struct rv_msg m = msg_of(&b, 1, NULL, 0);
	long e = write_bytes(w, "q", 1, RV_IPC_NONBLOCK, 0);

	if (e)
		return e;
	e = rv_channel_read(r, &m, RV_IPC_NONBLOCK, 0);
	return e ? e : b == 'q' ? 0 : -RV_EBADMSG;
}

/* Read and drop what is queued at h (nonblocking); how many messages. */
static unsigned int drain(rv_handle_t h)
{
	uint8_t b[16];
	unsigned int n = 0;

	for (;;) {
		struct rv_msg m = msg_of(b, sizeof(b), NULL, 0);
		if (rv_channel_read(h, &m, RV_IPC_NONBLOCK, 0))
			return n;
		n++;
	}
}

/* Close every handle named (checked elsewhere: some may be revoked). */
static void close_all(const rv_handle_t *h, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		rv_handle_close(h[i]);
}
#define CLOSE_ALL(...)                                                                             \
	close_all((const rv_handle_t[]){__VA_ARGS__},                                              \
		  sizeof((const rv_handle_t[]){__VA_ARGS__}) / sizeof(rv_handle_t))

/* ---- the phases ---- */

static void basics(void)
{
	struct rv_kstats base, ks;
	struct rv_wait_item it;
	rv_handle_t ch[2], d[2], few[2], x[2], send;
	struct rv_msg m = msg_of(NULL, 0, &send, 1);
	long r, nodup, port, dup;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("derive", rv_handle_derive(ch[0], CHANNEL_RIGHTS, d), 0);
	CHECK_EQ("the derived handle: a channel end", handle_type(d[0]), RV_OBJ_CHANNEL);
	CHECK_EQ("with the rights asked for", handle_rights(d[0]), CHANNEL_RIGHTS);
	CHECK_EQ("marked derived", handle_pad(d[0]), RV_HANDLE_DERIVED);
	CHECK_EQ("the original is not", handle_pad(ch[0]), 0);
	CHECK_EQ("the revoker: its own type", handle_type(d[1]), RV_OBJ_REVOKER);
	CHECK_EQ("revoker rights: MANAGE, DUPLICATE, TRANSFER", handle_rights(d[1]),
		 REVOKER_RIGHTS);
	CHECK_EQ("the revoker is not derived", handle_pad(d[1]), 0);
	rv_kstats(&ks);
	CHECK_EQ("kstats: one derivation more", ks.derivations_used, base.derivations_used + 1);
	CHECK_EQ("derive with fewer rights", rv_handle_derive(ch[0], RV_RIGHT_READ, few), 0);
	CHECK_EQ("fewer rights: READ", handle_rights(few[0]), RV_RIGHT_READ);

	/* the argument errors */
	CHECK_EQ("derive: garbage handle", rv_handle_derive(0x7ffff, RV_RIGHT_READ, x), -RV_EBADF);
	CHECK_EQ("derive: more rights (MANAGE)",
		 rv_handle_derive(ch[0], CHANNEL_RIGHTS | RV_RIGHT_MANAGE, x), -RV_EPERM);
	CHECK_EQ(
	    "derive: rights wider than 32 bits: EINVAL",
	    rv_syscall(RV_SYS_HANDLE_DERIVE, ch[0], (1l << 32) | RV_RIGHT_READ, (long)x, 0, 0, 0),
	    -RV_EINVAL);
	CHECK_EQ(
	    "derive: h wider than 32 bits: EINVAL",
	    rv_syscall(RV_SYS_HANDLE_DERIVE, (1l << 32) | ch[0], RV_RIGHT_READ, (long)x, 0, 0, 0),
	    -RV_EINVAL);
	nodup = rv_handle_duplicate(ch[0], RV_RIGHT_READ | RV_RIGHT_WRITE);
	CHECK_EQ("derive: no DUPLICATE right",
		 rv_handle_derive((rv_handle_t)nodup, RV_RIGHT_READ, x), -RV_EPERM);
	CHECK_EQ("derive from a derived handle without DUPLICATE",
		 rv_handle_derive(few[0], RV_RIGHT_READ, x), -RV_EPERM);
	port = rv_port_create();
	CHECK_EQ("derive: a port (no DUPLICATE: it stays with its maker)",
		 rv_handle_derive((rv_handle_t)port, RV_RIGHT_READ, x), -RV_EPERM);
	CHECK_EQ("derive: out unmapped",
		 rv_syscall(RV_SYS_HANDLE_DERIVE, ch[0], RV_RIGHT_READ, 16, 0, 0, 0), -RV_EFAULT);
	CHECK_EQ("derive: out read-only",
		 rv_syscall(RV_SYS_HANDLE_DERIVE, ch[0], RV_RIGHT_READ, (long)"read-only", 0, 0, 0),
		 -RV_EFAULT);
	rv_kstats(&ks);
	CHECK_EQ("kstats: failed derives took nothing", ks.derivations_used,
		 base.derivations_used + 2);

	/* before the revoke it works as the original does */
	CHECK_EQ("write through the derived handle", through(d[0], ch[1]), 0);
	CHECK_EQ("read through it", through(ch[1], d[0]), 0);
	dup = rv_handle_duplicate(d[0], CHANNEL_RIGHTS);
	CHECK("a duplicate of it", dup >= 0);
	CHECK_EQ("the duplicate is derived too", handle_pad((rv_handle_t)dup), RV_HANDLE_DERIVED);
	CHECK_EQ("write through the duplicate", through((rv_handle_t)dup, ch[1]), 0);

	/* revoke: every use is ECANCELED, the original works */
	CHECK_EQ("revoke", rv_handle_revoke(d[1]), 0);
	CHECK_EQ("write: ECANCELED", write_bytes(d[0], "z", 1, RV_IPC_NONBLOCK, 0), -RV_ECANCELED);
	CHECK_EQ("the duplicate: ECANCELED",
		 write_bytes((rv_handle_t)dup, "z", 1, RV_IPC_NONBLOCK, 0), -RV_ECANCELED);
	{
		uint8_t b[4];
		struct rv_msg rm = msg_of(b, 4, NULL, 0);

		write_bytes(ch[1], "y", 1, 0, 0);
		CHECK_EQ("read (a message is there): ECANCELED",
			 rv_channel_read(d[0], &rm, RV_IPC_NONBLOCK, 0), -RV_ECANCELED);
		CHECK_EQ("call: ECANCELED", rv_channel_call(d[0], &rm, &rm, 0), -RV_ECANCELED);
		CHECK_EQ("the message is still there for the original", drain(ch[0]), 1);
	}
	CHECK_EQ("info: ECANCELED", handle_type(d[0]), -RV_ECANCELED);
	CHECK_EQ("duplicate: ECANCELED", rv_handle_duplicate(d[0], RV_RIGHT_READ), -RV_ECANCELED);
	CHECK_EQ("derive from it: ECANCELED", rv_handle_derive(d[0], RV_RIGHT_READ, x),
		 -RV_ECANCELED);
	it.handle = d[0];
	it.signals = RV_SIGNAL_READABLE;
	CHECK_EQ("wait_many: ECANCELED", rv_wait_many(&it, 1, 0), -RV_ECANCELED);
	CHECK_EQ("port_bind: ECANCELED",
		 rv_port_bind((rv_handle_t)port, d[0], RV_SIGNAL_READABLE, 1), -RV_ECANCELED);
	CHECK_EQ("channel_create for a send", rv_channel_create(x), 0);
	send = d[0];
	CHECK_EQ("send it: ECANCELED", rv_channel_write(x[0], &m, 0, 0), -RV_ECANCELED);
	CHECK_EQ("nothing was sent", drain(x[1]), 0);
	CHECK_EQ("the original still writes", through(ch[0], ch[1]), 0);
	CHECK_EQ("and reads", through(ch[1], ch[0]), 0);
	CHECK_EQ("the other derivation is not revoked", through(ch[1], few[0]), 0);

	/* revoke errors */
	CHECK_EQ("revoke twice: ECANCELED", rv_handle_revoke(d[1]), -RV_ECANCELED);
	CHECK_EQ("revoke a channel end: EWRONGTYPE", rv_handle_revoke(ch[0]), -RV_EWRONGTYPE);
	CHECK_EQ("revoke a derived handle: EWRONGTYPE", rv_handle_revoke(few[0]), -RV_EWRONGTYPE);
	CHECK_EQ("revoke garbage: EBADF", rv_handle_revoke(0x7ffff), -RV_EBADF);
	r = rv_handle_duplicate(few[1], RV_RIGHT_DUPLICATE | RV_RIGHT_TRANSFER);
	CHECK("a revoker without MANAGE", r >= 0);
	CHECK_EQ("revoke without MANAGE: EPERM", rv_handle_revoke((rv_handle_t)r), -RV_EPERM);
	CHECK_EQ("revoke with upper bits set: EINVAL",
		 rv_syscall(RV_SYS_HANDLE_REVOKE, (1l << 32) | few[1], 0, 0, 0, 0, 0), -RV_EINVAL);
	rv_handle_close((rv_handle_t)r);

	/* closing: revoked handles close as any other */
	CHECK_EQ("close the revoked handle", rv_handle_close(d[0]), 0);
	CHECK_EQ("closed: EBADF", rv_handle_close(d[0]), -RV_EBADF);
	CHECK_EQ("close its revoked duplicate", rv_handle_close((rv_handle_t)dup), 0);
	rv_kstats(&ks);
	CHECK_EQ("kstats: the record stays while its revoker does", ks.derivations_used,
		 base.derivations_used + 2);
	CHECK_EQ("close the revoker", rv_handle_close(d[1]), 0);
	rv_kstats(&ks);
	CHECK_EQ("kstats: then it goes", ks.derivations_used, base.derivations_used + 1);

	/* a closed revoker revokes: the derivation lived as long as it could
	 * be ended */
	CHECK_EQ("close the other revoker", rv_handle_close(few[1]), 0);
	CHECK_EQ("its derived handle: ECANCELED", handle_type(few[0]), -RV_ECANCELED);
	CLOSE_ALL(few[0], (rv_handle_t)nodup, (rv_handle_t)port, x[0], x[1], ch[0], ch[1]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("basics", &base, &ks);
	CHECK_EQ("kstats: derivations back", ks.derivations_used, base.derivations_used);
	printf("revoke: derive, rights, errors; revoke: ECANCELED for every use, close works, "
	       "the original works\n");
}

/* A process handle and a device handle, derived and revoked. */
static void other_objects(void)
{
	struct rv_exit_info info;
	struct rv_device_info dev;
	rv_handle_t dp[2], dd[2], ctl, give[2];
	long proc = spawn_role((const char *const[]){"holder", NULL}, &ctl, give, 0);

	CHECK("spawn a child", proc >= 0);
	CHECK_EQ("it is ready", result(ctl, WAIT_MS), 0);
	CHECK_EQ("derive its process handle",
		 rv_handle_derive((rv_handle_t)proc, PROCESS_RIGHTS, dp), 0);
	CHECK_EQ("exit_info through it: still running", rv_process_exit_info(dp[0], &info),
		 -RV_EAGAIN);
	CHECK_EQ("revoke", rv_handle_revoke(dp[1]), 0);
	CHECK_EQ("kill through it: ECANCELED", rv_process_kill(dp[0]), -RV_ECANCELED);
	CHECK_EQ("the child lives", ask(ctl, 'u'), -RV_EBADF); /* (it holds no handle 1) */
	rv_handle_close(dp[0]);
	rv_handle_close(dp[1]);
	finish_ok("the child", ctl, (rv_handle_t)proc);

	/* device handle 1 (the first process gets the devices, doc/devices.md) */
	if (handle_type(1) == RV_OBJ_DEVICE) {
		CHECK_EQ("derive a device handle", rv_handle_derive(1, RV_RIGHT_READ, dd), 0);
		CHECK_EQ("device_info through it", rv_device_info(dd[0], &dev), 0);
		CHECK_EQ("revoke", rv_handle_revoke(dd[1]), 0);
		CHECK_EQ("device_info: ECANCELED", rv_device_info(dd[0], &dev), -RV_ECANCELED);
		CHECK_EQ("the original: still", rv_device_info(1, &dev), 0);
		rv_handle_close(dd[0]);
		rv_handle_close(dd[1]);
	} else {
		CHECK("handle 1 is a device", 0);
	}
	printf("revoke: a process handle and a device handle\n");
}

static void copies_everywhere(void)
{
	struct rv_kstats base, ks;
	rv_handle_t ch[2], d[2], fly[2], ctl1, ctl2, give[2], got;
	struct rv_msg m;
	long c1, c2, dup, h;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("derive from end 0", rv_handle_derive(ch[0], CHANNEL_RIGHTS, d), 0);
	dup = rv_handle_duplicate(d[0], CHANNEL_RIGHTS);
	CHECK("a duplicate", dup >= 0);

	/* child 1 gets a copy at spawn */
	h = rv_handle_duplicate(d[0], CHANNEL_RIGHTS);
	give[1] = (rv_handle_t)h;
	c1 = spawn_role((const char *const[]){"holder", NULL}, &ctl1, give, 1);
	CHECK("spawn child 1 with a copy", c1 >= 0);
	CHECK_EQ("child 1 ready", result(ctl1, WAIT_MS), 0);
	/* child 2 gets one through a channel */
	c2 = spawn_role((const char *const[]){"holder", "recv", NULL}, &ctl2, give, 0);
	CHECK("spawn child 2", c2 >= 0);
	h = rv_handle_duplicate(d[0], CHANNEL_RIGHTS);
	got = (rv_handle_t)h;
	m = msg_of(NULL, 0, &got, 1);
	CHECK_EQ("send child 2 a copy", rv_channel_write(ctl2, &m, 0, 0), 0);
	CHECK_EQ("child 2 ready", result(ctl2, WAIT_MS), 0);
	/* one more copy in flight: queued in a channel nobody reads yet */
	CHECK_EQ("channel_create", rv_channel_create(fly), 0);
	h = rv_handle_duplicate(d[0], CHANNEL_RIGHTS);
	got = (rv_handle_t)h;
	m = msg_of(NULL, 0, &got, 1);
	CHECK_EQ("a copy in flight", rv_channel_write(fly[0], &m, 0, 0), 0);

	CHECK_EQ("child 1 uses its copy", ask(ctl1, 'u'), 0);
	CHECK_EQ("child 2 uses its copy", ask(ctl2, 'u'), 0);
	CHECK_EQ("their bytes came", drain(ch[1]), 2);
	CHECK_EQ("the duplicate works", through((rv_handle_t)dup, ch[1]), 0);

	CHECK_EQ("revoke", rv_handle_revoke(d[1]), 0);
	CHECK_EQ("the derived handle: ECANCELED", through(d[0], ch[1]), -RV_ECANCELED);
	CHECK_EQ("the duplicate: ECANCELED", through((rv_handle_t)dup, ch[1]), -RV_ECANCELED);
	CHECK_EQ("child 1's copy (given at spawn): ECANCELED", ask(ctl1, 'u'), -RV_ECANCELED);
	CHECK_EQ("child 2's copy (sent through a channel): ECANCELED", ask(ctl2, 'u'),
		 -RV_ECANCELED);
	m = msg_of(NULL, 0, &got, 1);
	got = RV_HANDLE_INVALID;
	CHECK_EQ("the copy in flight arrives", rv_channel_read(fly[1], &m, 0, 0), 0);
	CHECK_EQ("as a handle", m.num_handles, 1);
	CHECK_EQ("its info: ECANCELED", handle_pad(got), -RV_ECANCELED);
	CHECK_EQ("it: ECANCELED", through(got, ch[1]), -RV_ECANCELED);
	CHECK_EQ("nothing came through any copy", drain(ch[1]), 0);
	CHECK_EQ("the original works", through(ch[0], ch[1]), 0);
	rv_handle_close(got);
	finish_ok("child 1", ctl1, (rv_handle_t)c1);
	finish_ok("child 2", ctl2, (rv_handle_t)c2);
	CLOSE_ALL(d[0], d[1], (rv_handle_t)dup, fly[0], fly[1], ch[0], ch[1]);
	kstats_settle(&base, &ks, WAIT_MS);
	KSTATS_SAME_LIVE("copies everywhere", &base, &ks);
	printf("revoke: every copy fails at once: a duplicate, a child's (given at spawn), "
	       "a child's (sent), one in flight; the original works\n");
}

/* A child blocked through a derived handle (`argv`, in `state`): the
 * revoke wakes it with ECANCELED. full: fill the peer's queue first. */
static void blocked_one(const char *const argv[], uint32_t state, int derive_end, int full)
{
	rv_handle_t ch[2], d[2], ctl, give[2];
	uint64_t t0;
	long proc;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	while (full && write_bytes(ch[derive_end], "f", 1, RV_IPC_NONBLOCK, 0) == 0)
		;
	CHECK_EQ("derive", rv_handle_derive(ch[derive_end], CHANNEL_RIGHTS, d), 0);
	give[1] = d[0];
	proc = spawn_role(argv, &ctl, give, 1);
	snprintf(what, sizeof(what), "spawn %s", argv[0]);
	CHECK(what, proc >= 0);
	CHECK_EQ("ready", result(ctl, WAIT_MS), 0);
	snprintf(what, sizeof(what), "%s %s: blocked", argv[0], argv[1] ? argv[1] : "");
	CHECK(what, wait_blocked((rv_handle_t)proc, state));
	t0 = rv_clock_ns();
	CHECK_EQ("revoke", rv_handle_revoke(d[1]), 0);
	snprintf(what, sizeof(what), "%s %s: woken with ECANCELED", argv[0],
		 argv[1] ? argv[1] : "");
	CHECK_EQ(what, result(ctl, WAIT_MS), -RV_ECANCELED);
	snprintf(what, sizeof(what), "%s: woken within 1 s of the revoke", argv[0]);
	CHECK(what, rv_clock_ns() - t0 < MS(1000));
	CHECK_EQ("the original is still a channel end", handle_type(ch[derive_end]),
		 RV_OBJ_CHANNEL);
	finish_ok(argv[0], ctl, (rv_handle_t)proc);
	CLOSE_ALL(d[1], ch[0], ch[1]);
}

static void blocked(void)
{
	struct rv_kstats base, ks;
	rv_handle_t ch[2], d[2], ctl, give[2];
	int64_t v[7];
	long proc;

	rv_kstats(&base);
	blocked_one((const char *const[]){"blocked", "read", NULL}, RV_PROC_RECEIVING, 1, 0);
	blocked_one((const char *const[]){"blocked", "write", NULL}, RV_PROC_WAITING, 0, 1);
	blocked_one((const char *const[]){"blocked", "wait", NULL}, RV_PROC_WAITING, 1, 0);

	/* a port binding: its port_wait reports it once (-ECANCELED in the
	 * event), then the binding is gone */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("derive", rv_handle_derive(ch[1], CHANNEL_RIGHTS, d), 0);
	give[1] = d[0];
	proc = spawn_role((const char *const[]){"blocked_port", NULL}, &ctl, give, 1);
	CHECK("spawn blocked_port", proc >= 0);
	CHECK_EQ("bound and ready", result(ctl, WAIT_MS), 0);
	CHECK("blocked in port_wait", wait_blocked((rv_handle_t)proc, RV_PROC_WAITING));
	CHECK_EQ("revoke", rv_handle_revoke(d[1]), 0);
	CHECK_EQ("its report", results(ctl, v, 7, WAIT_MS), 0);
	CHECK_EQ("port_wait returned", v[0], 0);
	CHECK_EQ("event status ECANCELED", v[1], -RV_ECANCELED);
	CHECK_EQ("event key: the binding's", v[2], 42);
	CHECK_EQ("event observed: none", v[3], 0);
	CHECK_EQ("unbind the revoked handle: ECANCELED", v[4], -RV_ECANCELED);
	CHECK_EQ("reported once: the next wait times out", v[5], -RV_ETIMEDOUT);
	CHECK_EQ("the revoked handle closes", v[6], 0);
	rv_kstats(&ks);
	CHECK_EQ("kstats: its binding went", ks.port_bindings_used, base.port_bindings_used);
	finish_ok("blocked_port", ctl, (rv_handle_t)proc);
	CLOSE_ALL(d[1], ch[0], ch[1]);
	kstats_settle(&base, &ks, WAIT_MS);
	KSTATS_SAME_LIVE("blocked", &base, &ks);
	printf("revoke: blocked through a derived handle -- a read, a write, a wait_many item, "
	       "a port binding -- ends at once with ECANCELED\n");
}

static void shared_memory(void)
{
	struct rv_kstats base, ks, before;
	struct rv_exit_info info = {.reason = -1};
	rv_handle_t d[2], d2[2], ctl, give[2];
	int64_t v[2];
	long shm, va, va2, proc;
	volatile uint8_t *p;

	rv_kstats(&base);
	shm = rv_shm_create(SHM_BYTES);
	va = rv_shm_map((rv_handle_t)shm, 1);
	if (!CHECK("shm_create + map", shm >= 0 && va > 0))
		return;
	p = (volatile uint8_t *)va;
	fill_pattern((uint8_t *)va, 5, SHM_BYTES);
	CHECK_EQ("derive", rv_handle_derive((rv_handle_t)shm, SHM_RIGHTS, d), 0);
	give[1] = d[0];
	proc = spawn_role((const char *const[]){"shm_mapper", NULL}, &ctl, give, 1);
	CHECK("spawn shm_mapper", proc >= 0);
	CHECK_EQ("its report", results(ctl, v, 2, WAIT_MS), 0);
	CHECK_EQ("it mapped the region through the derived handle", v[0], 0);
	CHECK_EQ("and sees our bytes", v[1], -1);
	CHECK_EQ("we see its mark", p[100], 0x5a);
	CHECK_EQ("it reads on", ask(ctl, 't'), p[0]);
	rv_kstats(&before);
	CHECK_EQ("revoke", rv_handle_revoke(d[1]), 0);
	rv_kstats(&ks);
	CHECK_EQ("kstats: its mapping went at the revoke", ks.shm_mappings_used,
		 before.shm_mappings_used - 1);
	CHECK_EQ("ask it to read again", write_bytes(ctl, "t", 1, 0, 0), 0);
	CHECK_EQ("it ends", reap_child((rv_handle_t)proc, &info, WAIT_MS), 0);
	CHECK_EQ("by a fault", info.reason, RV_EXIT_FAULT);
	CHECK_EQ("a load page fault", info.code, SCAUSE_LOAD_PAGE_FAULT);
	rv_handle_close(ctl);
	CHECK_EQ("our own mapping (through the original) is intact", p[100], 0x5a);
	CHECK_EQ("and our bytes", check_pattern((const uint8_t *)va, 5, 100), -1);

	/* our own mapping through a derived handle goes too */
	CHECK_EQ("derive again", rv_handle_derive((rv_handle_t)shm, SHM_RIGHTS, d2), 0);
	va2 = rv_shm_map(d2[0], 0);
	CHECK("map it read-only here", va2 > 0 && va2 != va);
	CHECK_EQ("the bytes through it", ((volatile uint8_t *)va2)[100], 0x5a);
	CHECK_EQ("revoke", rv_handle_revoke(d2[1]), 0);
	CHECK_EQ("our mapping through it is gone (unmap: EINVAL)", rv_shm_unmap((void *)va2),
		 -RV_EINVAL);
	CHECK_EQ("map through it: ECANCELED", rv_shm_map(d2[0], 0), -RV_ECANCELED);
	CHECK_EQ("the other mapping is intact", p[100], 0x5a);
	rv_handle_close(d[1]); /* (d[0] went to the child) */
	rv_handle_close(d2[0]);
	rv_handle_close(d2[1]);
	CHECK_EQ("unmap ours", rv_shm_unmap((void *)va), 0);
	rv_handle_close((rv_handle_t)shm);
	kstats_settle(&base, &ks, WAIT_MS);
	KSTATS_SAME_LIVE("shared memory", &base, &ks);
	printf("revoke: shared-memory mappings made through a revoked handle are unmapped "
	       "(a child's next touch faults); the original's stay\n");
}

static void nested(void)
{
	struct rv_kstats base, ks;
	rv_handle_t ch[2], d1[2], d2[2], d3[2], chain[CONFIG_REVOKE_MAX_DEPTH + 1][2], x[2], ctl,
	    give[2];
	rv_handle_t h;
	long proc, depth = 0;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("derive", rv_handle_derive(ch[0], CHANNEL_RIGHTS, d1), 0);
	CHECK_EQ("derive from the derived", rv_handle_derive(d1[0], CHANNEL_RIGHTS, d2), 0);
	if (CONFIG_REVOKE_MAX_DEPTH >= 3)
		CHECK_EQ("and again", rv_handle_derive(d2[0], CHANNEL_RIGHTS, d3), 0);
	else
		CHECK_EQ("and again: EMLINK", rv_handle_derive(d2[0], CHANNEL_RIGHTS, d3),
			 -RV_EMLINK);
	CHECK_EQ("revoke the middle one", rv_handle_revoke(d2[1]), 0);
	CHECK_EQ("it: ECANCELED", through(d2[0], ch[1]), -RV_ECANCELED);
	if (CONFIG_REVOKE_MAX_DEPTH >= 3) {
		CHECK_EQ("the one below: ECANCELED", through(d3[0], ch[1]), -RV_ECANCELED);
		CHECK_EQ("revoke the one below: ECANCELED (already)", rv_handle_revoke(d3[1]),
			 -RV_ECANCELED);
		rv_handle_close(d3[0]);
		rv_handle_close(d3[1]);
	}
	CHECK_EQ("the one above works", through(d1[0], ch[1]), 0);
	CHECK_EQ("revoke the top", rv_handle_revoke(d1[1]), 0);
	CHECK_EQ("it: ECANCELED", through(d1[0], ch[1]), -RV_ECANCELED);
	CHECK_EQ("the original works", through(ch[0], ch[1]), 0);
	CLOSE_ALL(d1[0], d1[1], d2[0], d2[1]);

	/* the depth limit */
	h = ch[0];
	for (depth = 0; depth <= CONFIG_REVOKE_MAX_DEPTH; depth++) {
		long r = rv_handle_derive(h, CHANNEL_RIGHTS, chain[depth]);
		if (r) {
			CHECK_EQ("below the deepest: EMLINK", r, -RV_EMLINK);
			break;
		}
		h = chain[depth][0];
	}
	CHECK_EQ("derivations down to CONFIG_REVOKE_MAX_DEPTH", depth, CONFIG_REVOKE_MAX_DEPTH);
	CHECK_EQ("the deepest works", through(h, ch[1]), 0);
	CHECK_EQ("revoke the top of the chain", rv_handle_revoke(chain[0][1]), 0);
	CHECK_EQ("the deepest: ECANCELED", through(h, ch[1]), -RV_ECANCELED);
	while (depth-- > 0) {
		rv_handle_close(chain[depth][0]);
		rv_handle_close(chain[depth][1]);
	}

	/* the revoker can go to another process, which revokes */
	CHECK_EQ("derive", rv_handle_derive(ch[0], CHANNEL_RIGHTS, x), 0);
	give[1] = x[1];
	proc = spawn_role((const char *const[]){"revoker", NULL}, &ctl, give, 1);
	CHECK("spawn a child with the revoker", proc >= 0);
	CHECK_EQ("it revoked", result(ctl, WAIT_MS), 0);
	CHECK_EQ("ours: ECANCELED", through(x[0], ch[1]), -RV_ECANCELED);
	finish_ok("revoker", ctl, (rv_handle_t)proc);
	CLOSE_ALL(x[0], ch[0], ch[1]);
	kstats_settle(&base, &ks, WAIT_MS);
	KSTATS_SAME_LIVE("nested", &base, &ks);
	CHECK_EQ("kstats: derivations back", ks.derivations_used, base.derivations_used);
	printf("revoke: nested derivations (revoking one ends those below it), depth %d, "
	       "a revoker passed to another process\n",
	       CONFIG_REVOKE_MAX_DEPTH);
}

static void pool(void)
{
	static rv_handle_t got[CONFIG_MAX_REVOCABLE + 1][2];
	struct rv_kstats base, ks;
	rv_handle_t ch[2], x[2];
	unsigned int n = 0;
	long r = 0, dup;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	while (n <= CONFIG_MAX_REVOCABLE &&
	       (r = rv_handle_derive(ch[0], RV_RIGHT_READ | RV_RIGHT_DUPLICATE, got[n])) == 0)
		n++;
	CHECK_EQ("the pool runs out: ENFILE", r, -RV_ENFILE);
	CHECK_EQ("after all the free records", n, CONFIG_MAX_REVOCABLE - base.derivations_used);
	rv_kstats(&ks);
	CHECK_EQ("kstats: all in use", ks.derivations_used, CONFIG_MAX_REVOCABLE);
	dup = rv_handle_duplicate(got[0][0], RV_RIGHT_READ);
	CHECK("a duplicate of a derived handle takes none", dup >= 0);
	CHECK_EQ("revoke one", rv_handle_revoke(got[0][1]), 0);
	CHECK_EQ("revoked, still held: still ENFILE", rv_handle_derive(ch[0], RV_RIGHT_READ, x),
		 -RV_ENFILE);
	rv_handle_close(got[0][1]);
	rv_handle_close(got[0][0]);
	CHECK_EQ("its duplicate still holds it: ENFILE", rv_handle_derive(ch[0], RV_RIGHT_READ, x),
		 -RV_ENFILE);
	CHECK_EQ("close the duplicate", rv_handle_close((rv_handle_t)dup), 0);
	CHECK_EQ("then there is one", rv_handle_derive(ch[0], RV_RIGHT_READ, x), 0);
	rv_handle_close(x[0]);
	rv_handle_close(x[1]);
	while (n-- > 1) {
		rv_handle_close(got[n][0]);
		rv_handle_close(got[n][1]);
	}
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("pool", &base, &ks);
	CHECK_EQ("kstats: derivations back", ks.derivations_used, base.derivations_used);
	printf("revoke: a pool of %d records: ENFILE, back when their handles go\n",
	       CONFIG_MAX_REVOCABLE);
}

static void killed_deriver(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info = {.reason = -1};
	rv_handle_t hv[2] = {RV_HANDLE_INVALID, RV_HANDLE_INVALID}, ctl, bctl, give[2];
	struct rv_msg m = msg_of(NULL, 0, hv, 2);
	long deriver, reader;

	rv_kstats(&base);
	deriver = spawn_role((const char *const[]){"deriver", NULL}, &ctl, give, 0);
	CHECK("spawn deriver", deriver >= 0);
	CHECK_EQ("it sends two derived handles",
		 rv_channel_read(ctl, &m, 0, deadline_in_ms(WAIT_MS)), 0);
	CHECK_EQ("two", m.num_handles, 2);
	CHECK_EQ("they work (end 0 to end 1)", through(hv[0], hv[1]), 0);
	/* a reader blocked on the deriver's end 1 through its derived handle */
	give[1] = hv[1];
	reader = spawn_role((const char *const[]){"blocked", "read", NULL}, &bctl, give, 1);
	CHECK("spawn a reader with it", reader >= 0);
	CHECK_EQ("ready", result(bctl, WAIT_MS), 0);
	CHECK("the reader is blocked", wait_blocked((rv_handle_t)reader, RV_PROC_RECEIVING));

	CHECK_EQ("kill the deriver", rv_process_kill((rv_handle_t)deriver), 0);
	CHECK_EQ("the deriver ends", reap_child((rv_handle_t)deriver, &info, WAIT_MS), 0);
	CHECK_EQ("killed", info.reason, RV_EXIT_KILLED);
	rv_handle_close(ctl);
	CHECK_EQ("the blocked reader woke: ECANCELED", result(bctl, WAIT_MS), -RV_ECANCELED);
	CHECK_EQ("ours: ECANCELED", write_bytes(hv[0], "k", 1, RV_IPC_NONBLOCK, 0), -RV_ECANCELED);
	rv_kstats(&ks);
	CHECK("kstats: the records stay while their handles do",
	      ks.derivations_used == base.derivations_used + 2);
	rv_handle_close(hv[0]);
	finish_ok("reader", bctl, (rv_handle_t)reader);
	kstats_settle(&base, &ks, WAIT_MS);
	KSTATS_SAME_LIVE("after the deriver was killed", &base, &ks);
	CHECK_EQ("kstats: derivations back", ks.derivations_used, base.derivations_used);
	printf("revoke: killing the process that derived ends its derivations; nothing is left "
	       "behind\n");
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return child_main(argc, argv);
	basics();
	other_objects();
	copies_everywhere();
	blocked();
	shared_memory();
	nested();
	pool();
	killed_deriver();
	return check_report("revoke");
}
