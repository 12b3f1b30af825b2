/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handles, rights and limits: each error is its own code and comes in the
 * documented order (-EBADF, then -EWRONGTYPE, then -EPERM):
 *   - info reports type and rights; garbage, closed and stale values are
 *     -EBADF for every call, also after the slot holds a new object;
 *   - every call on the wrong kind of object is -EWRONGTYPE;
 *   - every missing right is -EPERM (-EACCES for a writable map), after
 *     handle_duplicate with fewer rights; more rights are refused;
 *   - a full handle table is -EMFILE for every call that makes a handle,
 *     and a message whose handles do not fit stays queued;
 *   - the channel quota (-ENOSPC) and pool (-ENFILE), the shm pool
 *     (-ENFILE), sizes (-EINVAL) and mappings (-ENOMEM);
 *   - process handles: spawn's handle errors, kill, exit info.
 */
#include <stdlib.h>
#include "../../common/ipc_test.h"

#define MAXH CONFIG_MSG_MAX_HANDLES
#define NHANDLES CONFIG_MAX_HANDLES
#define SLOT_MASK ((1u << RV_HANDLE_SLOT_BITS) - 1)

static char what[160];
static const struct rv_handle_info ro_data = {1, 2, 0, 0};

static void info_and_garbage(void)
{
	rv_handle_t ch[2];
	struct rv_handle_info info;
	struct rv_exit_info ei;
	long shm, proc;
	uint8_t b = 0;
	struct rv_msg m = msg_of(&b, 1, NULL, 0);
	struct rv_wait_item it = {.signals = RV_SIGNAL_READABLE};
	const rv_handle_t garbage[] = {RV_HANDLE_INVALID, NHANDLES, SLOT_MASK, 0x12345678u,
				       (1u << RV_HANDLE_SLOT_BITS), 0xfffff800u, 0x7fffffffu};

	/* the first process has no parent: handle 0 is empty (its handles
	 * 1.. are the devices the kernel exports) */
	CHECK_EQ("value 0 before anything exists", rv_handle_info(0, &info), -RV_EBADF);
	for (unsigned int i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		rv_handle_t g = garbage[i];

		if (g == NHANDLES && NHANDLES == SLOT_MASK + 1)
			continue;
		snprintf(what, sizeof(what), "garbage handle 0x%x", g);
		CHECK_EQ(what, rv_handle_info(g, &info), -RV_EBADF);
		CHECK_EQ(what, rv_handle_close(g), -RV_EBADF);
		CHECK_EQ(what, rv_handle_duplicate(g, 0), -RV_EBADF);
		CHECK_EQ(what, rv_channel_write(g, &m, RV_IPC_NONBLOCK, 0), -RV_EBADF);
		CHECK_EQ(what, rv_channel_read(g, &m, RV_IPC_NONBLOCK, 0), -RV_EBADF);
		CHECK_EQ(what, rv_channel_call(g, &m, &m, 0), -RV_EBADF);
		CHECK_EQ(what, rv_shm_map(g, 0), -RV_EBADF);
		CHECK_EQ(what, rv_process_kill(g), -RV_EBADF);
		CHECK_EQ(what, rv_process_exit_info(g, &ei), -RV_EBADF);
		it.handle = g;
		CHECK_EQ(what, rv_wait_many(&it, 1, 0), -RV_EBADF);
	}

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK("two different handles", ch[0] != ch[1]);
	CHECK_EQ("info", rv_handle_info(ch[0], &info), 0);
	CHECK_EQ("channel: type", info.type, RV_OBJ_CHANNEL);
	CHECK_EQ("channel: all rights but MANAGE and DMA", info.rights, CHANNEL_RIGHTS);
	CHECK_EQ("info into NULL", rv_handle_info(ch[0], NULL), -RV_EFAULT);
	CHECK_EQ("info into the kernel", rv_handle_info(ch[0], (void *)0x80200000ul), -RV_EFAULT);
	CHECK_EQ("info into read-only data", rv_handle_info(ch[0], (void *)(uintptr_t)&ro_data),
		 -RV_EFAULT);
	CHECK_EQ("info into the program's code",
		 rv_handle_info(ch[0], (void *)(uintptr_t)&info_and_garbage), -RV_EFAULT);
	shm = rv_shm_create(4096);
	CHECK("shm_create", shm >= 0);
	CHECK_EQ("shm: type", handle_type((rv_handle_t)shm), RV_OBJ_SHM);
	CHECK_EQ("shm: all rights but MANAGE and DMA", handle_rights((rv_handle_t)shm), SHM_RIGHTS);
	proc = spawn_child((const char *const[]){"sleep", NULL}, NULL, 0);
	CHECK("spawn", proc >= 0);
	rv_sleep_ns(MS(2)); /* it runs and sleeps */
	CHECK_EQ("process: type", handle_type((rv_handle_t)proc), RV_OBJ_PROCESS);
	CHECK_EQ("process: READ MANAGE DUPLICATE TRANSFER", handle_rights((rv_handle_t)proc),
		 PROCESS_RIGHTS);
	CHECK_EQ("kill", rv_process_kill((rv_handle_t)proc), 0);
	rv_handle_close((rv_handle_t)proc);
	rv_handle_close((rv_handle_t)shm);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	printf("handles: info, garbage values\n");
}

/* A closed handle is -EBADF for ever, also once its slot holds a new object. */
static void stale(void)
{
	rv_handle_t ch[2], x[2];
	uint8_t b = 0;
	struct rv_msg m = msg_of(&b, 1, NULL, 0);
	struct rv_exit_info ei;
	unsigned int bad = 0, same_value = 0;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("close", rv_handle_close(ch[0]), 0);
	CHECK_EQ("closed: close", rv_handle_close(ch[0]), -RV_EBADF);
	CHECK_EQ("closed: info", handle_type(ch[0]), -RV_EBADF);
	CHECK_EQ("closed: duplicate", rv_handle_duplicate(ch[0], 0), -RV_EBADF);
	CHECK_EQ("closed: write", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EBADF);
	CHECK_EQ("closed: read", rv_channel_read(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EBADF);
	/* the slot is reused by the next handle: the old value stays dead */
	long s = rv_shm_create(4096);
	CHECK_EQ("the next handle takes the freed slot", (rv_handle_t)s & SLOT_MASK, ch[0] & SLOT_MASK);
	CHECK("with another value", (rv_handle_t)s != ch[0]);
	CHECK_EQ("stale value, slot reused: info", handle_type(ch[0]), -RV_EBADF);
	CHECK_EQ("stale value, slot reused: close", rv_handle_close(ch[0]), -RV_EBADF);
	CHECK_EQ("stale value, slot reused: map", rv_shm_map(ch[0], 0), -RV_EBADF);
	CHECK_EQ("stale value, slot reused: exit_info", rv_process_exit_info(ch[0], &ei), -RV_EBADF);
	CHECK_EQ("the new handle works", handle_type((rv_handle_t)s), RV_OBJ_SHM);
	rv_handle_close((rv_handle_t)s);
	rv_handle_close(ch[1]);

	/* many reuses of one slot: each value is new, every old one is dead */
	rv_handle_t prev[8] = {0};
	unsigned int nprev = 0;
	for (unsigned int i = 0; i < 3000; i++) {
		if (rv_channel_create(x) != 0) {
			bad++;
			break;
		}
		for (unsigned int k = 0; k < nprev; k++) {
			same_value += prev[k] == x[0] || prev[k] == x[1];
			bad += handle_type(prev[k]) != -RV_EBADF;
		}
		prev[(i * 2) % 8] = x[0];
		prev[(i * 2 + 1) % 8] = x[1];
		nprev = nprev < 8 ? nprev + 2 : 8;
		bad += x[0] == RV_HANDLE_INVALID || x[1] == RV_HANDLE_INVALID;
		rv_handle_close(x[0]);
		rv_handle_close(x[1]);
	}
	CHECK_EQ("3000 reuses: no value came back", same_value, 0);
	CHECK_EQ("3000 reuses: old values all EBADF", bad, 0);
	printf("handles: stale values are EBADF, also after the slot is reused\n");
}

static void wrong_type(void)
{
	rv_handle_t ch[2];
	long shm, proc, none;
	uint8_t b = 0;
	struct rv_msg m = msg_of(&b, 1, NULL, 0);
	struct rv_exit_info ei;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	shm = rv_shm_create(4096);
	proc = spawn_child((const char *const[]){"sleep", NULL}, NULL, 0);
	CHECK("objects", shm >= 0 && proc >= 0);
	rv_sleep_ns(MS(2)); /* it runs and sleeps */
	CHECK_EQ("write to shm", rv_channel_write((rv_handle_t)shm, &m, RV_IPC_NONBLOCK, 0),
		 -RV_EWRONGTYPE);
	CHECK_EQ("read from shm", rv_channel_read((rv_handle_t)shm, &m, RV_IPC_NONBLOCK, 0),
		 -RV_EWRONGTYPE);
	CHECK_EQ("call a process", rv_channel_call((rv_handle_t)proc, &m, &m, 0), -RV_EWRONGTYPE);
	CHECK_EQ("write to a process", rv_channel_write((rv_handle_t)proc, &m, RV_IPC_NONBLOCK, 0),
		 -RV_EWRONGTYPE);
	CHECK_EQ("map a channel", rv_shm_map(ch[0], 0), -RV_EWRONGTYPE);
	CHECK_EQ("map a process", rv_shm_map((rv_handle_t)proc, 0), -RV_EWRONGTYPE);
	CHECK_EQ("kill a channel", rv_process_kill(ch[0]), -RV_EWRONGTYPE);
	CHECK_EQ("kill shm", rv_process_kill((rv_handle_t)shm), -RV_EWRONGTYPE);
	CHECK_EQ("exit_info of a channel", rv_process_exit_info(ch[0], &ei), -RV_EWRONGTYPE);
	CHECK_EQ("exit_info of shm", rv_process_exit_info((rv_handle_t)shm, &ei), -RV_EWRONGTYPE);
	/* the type is checked before the rights */
	none = rv_handle_duplicate((rv_handle_t)shm, 0);
	CHECK("duplicate with no rights at all", none >= 0);
	CHECK_EQ("no rights: info still works", handle_rights((rv_handle_t)none), 0);
	CHECK_EQ("wrong type and no rights: EWRONGTYPE first",
		 rv_channel_write((rv_handle_t)none, &m, RV_IPC_NONBLOCK, 0), -RV_EWRONGTYPE);
	CHECK_EQ("right type, no rights: EPERM", rv_shm_map((rv_handle_t)none, 0), -RV_EPERM);
	CHECK_EQ("no rights: close still works", rv_handle_close((rv_handle_t)none), 0);
	CHECK_EQ("closed, wrong type: EBADF first",
		 rv_channel_write((rv_handle_t)none, &m, RV_IPC_NONBLOCK, 0), -RV_EBADF);
	rv_process_kill((rv_handle_t)proc);
	rv_handle_close((rv_handle_t)proc);
	rv_handle_close((rv_handle_t)shm);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	printf("handles: wrong types are EWRONGTYPE\n");
}

static long dup_without(rv_handle_t h, uint32_t all, uint32_t right)
{
	return rv_handle_duplicate(h, all & ~right);
}

static void rights(void)
{
	rv_handle_t ch[2], x[2];
	long shm, proc, h;
	uint8_t b = 0;
	struct rv_msg m = msg_of(&b, 1, NULL, 0);
	struct rv_wait_item it = {.signals = RV_SIGNAL_READABLE | RV_SIGNAL_WRITABLE};
	struct rv_exit_info ei;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("channel_create", rv_channel_create(x), 0);

	h = dup_without(ch[0], CHANNEL_RIGHTS, RV_RIGHT_WRITE);
	CHECK_EQ("no WRITE: rights", handle_rights((rv_handle_t)h), CHANNEL_RIGHTS & ~RV_RIGHT_WRITE);
	CHECK_EQ("no WRITE: write", rv_channel_write((rv_handle_t)h, &m, RV_IPC_NONBLOCK, 0),
		 -RV_EPERM);
	CHECK_EQ("no WRITE: call", rv_channel_call((rv_handle_t)h, &m, &m, 0), -RV_EPERM);
	CHECK_EQ("the original writes", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("no WRITE: write from the peer, read here", rv_channel_write(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("no WRITE: read", rv_channel_read((rv_handle_t)h, &m, RV_IPC_NONBLOCK, 0), 0);
	it.handle = (rv_handle_t)h;
	CHECK_EQ("no WRITE: wait_many", rv_wait_many(&it, 1, 0), 1);
	rv_handle_close((rv_handle_t)h);

	h = dup_without(ch[1], CHANNEL_RIGHTS, RV_RIGHT_READ);
	CHECK_EQ("no READ: read", rv_channel_read((rv_handle_t)h, &m, RV_IPC_NONBLOCK, 0), -RV_EPERM);
	CHECK_EQ("no READ: call", rv_channel_call((rv_handle_t)h, &m, &m, 0), -RV_EPERM);
	it.handle = (rv_handle_t)h;
	CHECK_EQ("no READ: wait_many", rv_wait_many(&it, 1, 0), -RV_EPERM);
	CHECK_EQ("no READ: write", rv_channel_write((rv_handle_t)h, &m, RV_IPC_NONBLOCK, 0), 0);
	rv_handle_close((rv_handle_t)h);
	CHECK_EQ("drain", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("drain", rv_channel_read(ch[0], &m, RV_IPC_NONBLOCK, 0), 0);

	h = dup_without(ch[0], CHANNEL_RIGHTS, RV_RIGHT_DUPLICATE);
	CHECK_EQ("no DUPLICATE: duplicate", rv_handle_duplicate((rv_handle_t)h, RV_RIGHT_READ),
		 -RV_EPERM);
	CHECK_EQ("no DUPLICATE: duplicate with no rights", rv_handle_duplicate((rv_handle_t)h, 0),
		 -RV_EPERM);
	rv_handle_close((rv_handle_t)h);

	h = rv_handle_duplicate(ch[0], RV_RIGHT_READ | RV_RIGHT_DUPLICATE);
	CHECK("duplicate with fewer rights", h >= 0);
	CHECK_EQ("more rights than it has: refused",
		 rv_handle_duplicate((rv_handle_t)h, RV_RIGHT_READ | RV_RIGHT_DUPLICATE | RV_RIGHT_WRITE),
		 -RV_EPERM);
	CHECK_EQ("MANAGE on a channel: refused", rv_handle_duplicate(ch[0], CHANNEL_RIGHTS | RV_RIGHT_MANAGE),
		 -RV_EPERM);
	CHECK_EQ("DMA on a channel: refused", rv_handle_duplicate(ch[0], CHANNEL_RIGHTS | RV_RIGHT_DMA),
		 -RV_EPERM);
	CHECK_EQ("unknown right bits: refused", rv_handle_duplicate(ch[0], CHANNEL_RIGHTS | (1u << 7)),
		 -RV_EPERM);
	CHECK_EQ("all bits: refused", rv_handle_duplicate(ch[0], 0xffffffffu), -RV_EPERM);
	long same = rv_handle_duplicate((rv_handle_t)h, RV_RIGHT_READ | RV_RIGHT_DUPLICATE);
	CHECK("the same rights: fine", same >= 0);
	CHECK_EQ("... and they are the same", handle_rights((rv_handle_t)same),
		 RV_RIGHT_READ | RV_RIGHT_DUPLICATE);
	rv_handle_close((rv_handle_t)same);
	rv_handle_close((rv_handle_t)h);

	if (MAXH) {
		h = dup_without(x[1], CHANNEL_RIGHTS, RV_RIGHT_TRANSFER);
		m = msg_of(&b, 1, (rv_handle_t *)&h, 1);
		CHECK_EQ("no TRANSFER: send", rv_channel_write(ch[0], &m, RV_IPC_NONBLOCK, 0), -RV_EPERM);
		rv_handle_t give = (rv_handle_t)h;
		CHECK_EQ("no TRANSFER: give to a child",
			 spawn_child((const char *const[]){"idle", NULL}, &give, 1), -RV_EPERM);
		CHECK_EQ("still ours", handle_type((rv_handle_t)h), RV_OBJ_CHANNEL);
		rv_handle_close((rv_handle_t)h);
		m = msg_of(&b, 1, NULL, 0);
	}

	shm = rv_shm_create(4096);
	h = dup_without((rv_handle_t)shm, SHM_RIGHTS, RV_RIGHT_MAP);
	CHECK_EQ("no MAP: map", rv_shm_map((rv_handle_t)h, 0), -RV_EPERM);
	rv_handle_close((rv_handle_t)h);
	h = dup_without((rv_handle_t)shm, SHM_RIGHTS, RV_RIGHT_READ);
	CHECK_EQ("no READ: map", rv_shm_map((rv_handle_t)h, 0), -RV_EPERM);
	rv_handle_close((rv_handle_t)h);
	h = dup_without((rv_handle_t)shm, SHM_RIGHTS, RV_RIGHT_WRITE);
	CHECK_EQ("no WRITE: map writable", rv_shm_map((rv_handle_t)h, 1), -RV_EACCES);
	long va = rv_shm_map((rv_handle_t)h, 0);
	CHECK("no WRITE: map read-only", va > 0);
	if (va > 0)
		CHECK_EQ("unmap", rv_shm_unmap((void *)va), 0);
	rv_handle_close((rv_handle_t)h);
	rv_handle_close((rv_handle_t)shm);

	proc = spawn_child((const char *const[]){"sleep", NULL}, NULL, 0);
	rv_sleep_ns(MS(2)); /* it runs and sleeps */
	h = dup_without((rv_handle_t)proc, PROCESS_RIGHTS, RV_RIGHT_MANAGE);
	CHECK_EQ("no MANAGE: kill", rv_process_kill((rv_handle_t)h), -RV_EPERM);
	CHECK_EQ("no MANAGE: exit_info", rv_process_exit_info((rv_handle_t)h, &ei), -RV_EAGAIN);
	rv_handle_close((rv_handle_t)h);
	h = dup_without((rv_handle_t)proc, PROCESS_RIGHTS, RV_RIGHT_READ);
	it = (struct rv_wait_item){.handle = (rv_handle_t)h, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("no READ: wait_many", rv_wait_many(&it, 1, 0), -RV_EPERM);
	CHECK_EQ("no READ: kill works (MANAGE)", rv_process_kill((rv_handle_t)h), 0);
	rv_handle_close((rv_handle_t)h);
	CHECK_EQ("reap", reap_child((rv_handle_t)proc, &ei, 1000), 0);
	CHECK_EQ("killed", ei.reason, RV_EXIT_KILLED);

	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	rv_handle_close(x[0]);
	rv_handle_close(x[1]);
	printf("handles: missing rights are EPERM, more rights refused\n");
}

/* Fill the table with duplicates of h; returns how many were made. */
static unsigned int fill_table(rv_handle_t h, rv_handle_t *dups, long *err)
{
	unsigned int n = 0;
	long d;

	while ((d = rv_handle_duplicate(h, CHANNEL_RIGHTS)) >= 0)
		dups[n++] = (rv_handle_t)d;
	*err = d;
	return n;
}

static void table_full(void)
{
	static rv_handle_t dups[NHANDLES];
	struct rv_kstats base, ks;
	rv_handle_t ch[2], x[2], tmp[2];
	uint8_t b = 0;
	struct rv_msg m;
	unsigned int n;
	long err;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("channel_create", rv_channel_create(x), 0);
	/* a message with one handle waits at ch[1] */
	m = msg_of(&b, 1, &x[1], MAXH ? 1 : 0);
	CHECK_EQ("write", rv_channel_write(ch[0], &m, 0, 0), 0);
	n = fill_table(ch[0], dups, &err);
	CHECK_EQ("duplicate into a full table", err, -RV_EMFILE);
	/* This is the only process: base.handles_used counts the handles it
	 * started with (the first program gets one per exported device), and
	 * slot 0, kept for a bootstrap channel, stays empty. */
	CHECK_EQ("the table holds CONFIG_MAX_HANDLES - 1 more",
		 n + 3 + (MAXH ? 0 : 1) + base.handles_used, NHANDLES - 1);
	rv_kstats(&ks);
	CHECK_EQ("kstats handles_used", ks.handles_used, NHANDLES - 1);
	CHECK_EQ("slot 0 stays empty", rv_handle_info(0, &(struct rv_handle_info){0}),
		 -RV_EBADF);
	CHECK_EQ("full: channel_create", rv_channel_create(tmp), -RV_EMFILE);
	CHECK_EQ("full: shm_create", rv_shm_create(4096), -RV_EMFILE);
	CHECK_EQ("full: spawn (no room for the process handle)",
		 spawn_child((const char *const[]){"sleep", NULL}, NULL, 0), -RV_EMFILE);
	if (MAXH) {
		rv_handle_t r1;
		m = msg_of(&b, 1, &r1, 1);
		CHECK_EQ("full: read a message with a handle",
			 rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), -RV_EMFILE);
		rv_kstats(&ks);
		CHECK_EQ("the message stays queued", ks.messages_queued, base.messages_queued + 1);
	}
	/* one free slot: still not enough for a channel */
	rv_handle_close(dups[--n]);
	CHECK_EQ("one slot free: channel_create", rv_channel_create(tmp), -RV_EMFILE);
	if (MAXH) {
		rv_handle_t r1 = RV_HANDLE_INVALID;
		m = msg_of(&b, 1, &r1, 1);
		CHECK_EQ("one slot free: the message comes",
			 rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
		CHECK_EQ("with its handle", handle_type(r1), RV_OBJ_CHANNEL);
		CHECK_EQ("full again: duplicate", rv_handle_duplicate(ch[0], RV_RIGHT_READ), -RV_EMFILE);
		rv_handle_close(r1);
	} else {
		m = msg_of(&b, 1, NULL, 0);
		CHECK_EQ("read", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
	}
	/* a full table in a child that is sent a handle */
	rv_handle_close(dups[--n]);
	long shm = rv_shm_create(4096);
	CHECK("one slot free: shm_create", shm >= 0);
	rv_handle_close((rv_handle_t)shm);
	while (n)
		rv_handle_close(dups[--n]);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	rv_handle_close(x[0]);
	if (!MAXH)
		rv_handle_close(x[1]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("table_full", &base, &ks);
	printf("handles: a full table is EMFILE (%d handles)\n", NHANDLES);
}

/* Channels: the per-process quota and the pool. */
static void channel_limits(void)
{
	static rv_handle_t mine[CONFIG_MAX_CHANNELS_PER_PROC];
	static long kids[8];
	struct rv_kstats base, ks;
	rv_handle_t boot[2], tmp[2];
	unsigned int n = 0, nkids = 0, enfile = 0;
	long r, dup;

	rv_kstats(&base);
	unsigned int pool_free = (unsigned int)(base.channels_max - base.channels_used);
	CHECK_EQ("kstats channels_max", base.channels_max, CONFIG_MAX_CHANNELS);
	/* one channel for the children to report on (each gets a duplicate) */
	CHECK_EQ("channel_create", rv_channel_create(boot), 0);
	/* ours: one end of each closed, the channel still counts */
	while ((r = rv_channel_create(tmp)) == 0) {
		rv_handle_close(tmp[1]);
		mine[n++] = tmp[0];
	}
	if (CONFIG_MAX_CHANNELS_PER_PROC <= pool_free) {
		CHECK_EQ("the quota: ENOSPC", r, -RV_ENOSPC);
		CHECK_EQ("after CONFIG_MAX_CHANNELS_PER_PROC channels", n + 1,
			 CONFIG_MAX_CHANNELS_PER_PROC);
	} else {
		CHECK_EQ("the pool: ENFILE", r, -RV_ENFILE);
		CHECK_EQ("after every free channel", n + 1, pool_free);
	}
	/* children fill the rest of the pool: the last one finds it full */
	while (nkids < 8) {
		long rep[2] = {0, 0};
		struct rv_msg m = msg_of(rep, sizeof(rep), NULL, 0);
		rv_handle_t give;

		dup = rv_handle_duplicate(boot[1], CHANNEL_RIGHTS);
		if (dup < 0)
			break;
		give = (rv_handle_t)dup;
		kids[nkids] = spawn_child((const char *const[]){"mkchannels", NULL}, &give, 1);
		if (kids[nkids] < 0) {
			rv_handle_close(give);
			break;
		}
		nkids++;
		CHECK_EQ("a child's report", rv_channel_read(boot[0], &m, 0, deadline_in_ms(5000)), 0);
		long count = rep[0], e = rep[1];
		if (e == -RV_ENFILE) {
			enfile = 1;
			break;
		}
		CHECK_EQ("a child stopped by its quota", e, -RV_ENOSPC);
		CHECK_EQ("... after its quota", count, CONFIG_MAX_CHANNELS_PER_PROC);
	}
	CHECK("a child found the pool full (ENFILE)", enfile);
	rv_kstats(&ks);
	CHECK_EQ("every channel in use", ks.channels_used, ks.channels_max);
	CHECK_EQ("full pool: channel_create here", rv_channel_create(tmp),
		 CONFIG_MAX_CHANNELS_PER_PROC <= pool_free ? -RV_ENOSPC : -RV_ENFILE);
	/* a channel with one end still open counts; both closed frees it */
	if (n) {
		rv_handle_close(mine[--n]);
		CHECK_EQ("a channel freed: create again", rv_channel_create(tmp), 0);
		rv_handle_close(tmp[0]);
		CHECK_EQ("one end closed: still counted",
			 rv_channel_create(mine + n) == 0 ? 0 : -1, -1);
		rv_handle_close(tmp[1]);
	}
	while (n)
		rv_handle_close(mine[--n]);
	rv_handle_close(boot[0]); /* the children see PEER_CLOSED and exit */
	rv_handle_close(boot[1]);
	for (unsigned int i = 0; i < nkids; i++) {
		struct rv_exit_info ei;
		CHECK_EQ("child ends", reap_child((rv_handle_t)kids[i], &ei, 5000), 0);
		CHECK_EQ("child status", ei.code, 0);
	}
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("channel_limits", &base, &ks);
	printf("handles: channel quota ENOSPC, pool ENFILE (%d children)\n", nkids);
}

static void shm_limits(void)
{
	static long regions[CONFIG_MAX_SHM_REGIONS + 1];
	static long maps[CONFIG_MAX_MMAP_REGIONS + 1];
	struct rv_kstats base, ks;
	unsigned int n = 0, k = 0;
	long r, big;

	rv_kstats(&base);
	CHECK_EQ("size 0", rv_shm_create(0), -RV_EINVAL);
	CHECK_EQ("SHM_MAX_BYTES + 1", rv_shm_create((uint64_t)CONFIG_SHM_MAX_BYTES + 1), -RV_EINVAL);
	CHECK_EQ("2^63", rv_shm_create(1ull << 63), -RV_EINVAL);
	CHECK_EQ("2^64 - 1", rv_shm_create(~0ull), -RV_EINVAL);
	big = rv_shm_create(CONFIG_SHM_MAX_BYTES);
	CHECK("SHM_MAX_BYTES", big >= 0);
	if (big >= 0) {
		long va = rv_shm_map((rv_handle_t)big, 1);
		CHECK("map the largest", va > 0);
		if (va > 0) {
			volatile uint8_t *p = (volatile uint8_t *)va;
			CHECK_EQ("zeroed (first byte)", p[0], 0);
			CHECK_EQ("zeroed (last byte)", p[CONFIG_SHM_MAX_BYTES - 1], 0);
			p[CONFIG_SHM_MAX_BYTES - 1] = 1;
			CHECK_EQ("unmap", rv_shm_unmap((void *)va), 0);
		}
		rv_handle_close((rv_handle_t)big);
	}
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("the largest region went", &base, &ks);
	/* the pool */
	while (n <= CONFIG_MAX_SHM_REGIONS && (r = rv_shm_create(1)) >= 0)
		regions[n++] = r;
	CHECK_EQ("regions pool: ENFILE", r, -RV_ENFILE);
	CHECK_EQ("after CONFIG_MAX_SHM_REGIONS", n, CONFIG_MAX_SHM_REGIONS - base.shm_regions_used);
	/* mappings: one region mapped again and again */
	while (k <= CONFIG_MAX_MMAP_REGIONS && (r = rv_shm_map((rv_handle_t)regions[0], 1)) > 0)
		maps[k++] = r;
	CHECK_EQ("mappings: ENOMEM", r, -RV_ENOMEM);
	CHECK_EQ("after CONFIG_MAX_MMAP_REGIONS", k, CONFIG_MAX_MMAP_REGIONS);
	if (k >= 2) {
		*(volatile uint32_t *)maps[0] = 0xfeedf00d;
		CHECK_EQ("two mappings of one region see the same bytes",
			 *(volatile uint32_t *)maps[1], 0xfeedf00d);
	}
	CHECK_EQ("unmap: not the start of a mapping", rv_shm_unmap((void *)(maps[0] + 4096)),
		 -RV_EINVAL);
	CHECK_EQ("unmap: NULL", rv_shm_unmap(NULL), -RV_EINVAL);
	CHECK_EQ("unmap: the program", rv_shm_unmap((void *)(uintptr_t)&shm_limits), -RV_EINVAL);
	CHECK_EQ("unmap", rv_shm_unmap((void *)maps[0]), 0);
	CHECK_EQ("unmap twice", rv_shm_unmap((void *)maps[0]), -RV_EINVAL);
	/* a handle closed while mapped: the region lives on in the mapping */
	rv_handle_close((rv_handle_t)regions[0]);
	rv_kstats(&ks);
	if (k >= 2) {
		CHECK_EQ("mapped region outlives its handle", ks.shm_regions_used,
			 base.shm_regions_used + n);
		CHECK_EQ("and still holds its bytes", *(volatile uint32_t *)maps[1], 0xfeedf00d);
	}
	for (unsigned int i = 1; i < k; i++)
		rv_shm_unmap((void *)maps[i]);
	for (unsigned int i = 1; i < n; i++)
		rv_handle_close((rv_handle_t)regions[i]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("shm_limits", &base, &ks);
	printf("handles: shm sizes EINVAL, pool ENFILE, mappings ENOMEM\n");
}

/* Out of memory: regions of SHM_MAX_BYTES until the frames run out. */
static void shm_nomem(void)
{
	static long regions[CONFIG_MAX_SHM_REGIONS + 1];
	struct rv_kstats base, ks;
	unsigned int n = 0;
	long r = 0;

	rv_kstats(&base);
	while (n < CONFIG_MAX_SHM_REGIONS && (r = rv_shm_create(CONFIG_SHM_MAX_BYTES)) >= 0)
		regions[n++] = r;
	CHECK_EQ("out of frames: ENOMEM", r, -RV_ENOMEM);
	rv_kstats(&ks);
	CHECK_EQ("a failed create takes no region", ks.shm_regions_used, base.shm_regions_used + n);
	while (n)
		rv_handle_close((rv_handle_t)regions[--n]);
	rv_kstats(&ks);
	KSTATS_SAME_LIVE("shm_nomem", &base, &ks);
	printf("handles: shm_create ENOMEM when the frames run out\n");
}

static void process_handles(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info ei;
	rv_handle_t ch[2];
	long proc, r;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	/* spawn's handle errors leave the handles with us */
	CHECK_EQ("no such program", rv_process_spawn("no-such-program", NULL, 8, &ch[1], 1),
		 -RV_ENOENT);
	CHECK_EQ("the handle is still ours", handle_type(ch[1]), RV_OBJ_CHANNEL);
	{
		rv_handle_t many[MAXH + 1];
		for (unsigned int i = 0; i <= MAXH; i++)
			many[i] = ch[1];
		CHECK_EQ("more than MSG_MAX_HANDLES",
			 spawn_child((const char *const[]){"idle", NULL}, many, MAXH + 1), -RV_EINVAL);
		if (MAXH >= 2)
			CHECK_EQ("a handle twice",
				 spawn_child((const char *const[]){"idle", NULL}, many, 2), -RV_EINVAL);
		rv_handle_t bad[2] = {ch[1], RV_HANDLE_INVALID};
		if (MAXH >= 2)
			CHECK_EQ("a bad handle among good ones",
				 spawn_child((const char *const[]){"idle", NULL}, bad, 2), -RV_EBADF);
		CHECK_EQ("give from a bad pointer",
			 spawn_child((const char *const[]){"idle", NULL}, (rv_handle_t *)0x80200000ul, 1),
			 -RV_EFAULT);
		CHECK_EQ("the handle is still ours", handle_type(ch[1]), RV_OBJ_CHANNEL);
	}
	proc = spawn_child((const char *const[]){"idle", NULL}, &ch[1], 1);
	CHECK("spawn idle", proc >= 0);
	rv_sleep_ns(MS(2)); /* it runs and blocks */
	CHECK_EQ("the given handle left us", handle_type(ch[1]), -RV_EBADF);
	CHECK_EQ("running: exit_info", rv_process_exit_info((rv_handle_t)proc, &ei), -RV_EAGAIN);
	CHECK_EQ("exit_info into NULL", rv_process_exit_info((rv_handle_t)proc, NULL), -RV_EFAULT);
	long dup = rv_handle_duplicate((rv_handle_t)proc, PROCESS_RIGHTS);
	CHECK("duplicate a process handle", dup >= 0);
	CHECK_EQ("kill", rv_process_kill((rv_handle_t)proc), 0);
	CHECK_EQ("kill again", rv_process_kill((rv_handle_t)proc), -RV_ESRCH);
	CHECK_EQ("exit_info", rv_process_exit_info((rv_handle_t)proc, &ei), 0);
	CHECK_EQ("killed", ei.reason, RV_EXIT_KILLED);
	CHECK_EQ("its channel end closed with it",
		 write_bytes(ch[0], "x", 1, RV_IPC_NONBLOCK, 0), -RV_EPEERCLOSED);
	rv_handle_close((rv_handle_t)proc);
	CHECK_EQ("the duplicate still tells", rv_process_exit_info((rv_handle_t)dup, &ei), 0);
	CHECK_EQ("killed", ei.reason, RV_EXIT_KILLED);
	rv_kstats(&ks);
	CHECK_EQ("the process object lives while a handle does", ks.process_objects_used,
		 base.process_objects_used + 1);
	rv_handle_close((rv_handle_t)dup);
	/* normal exit with a status */
	proc = spawn_child((const char *const[]){"no-such-role", NULL}, NULL, 0);
	r = reap_child((rv_handle_t)proc, &ei, 2000);
	CHECK_EQ("exit_info", r, 0);
	CHECK_EQ("normal exit", ei.reason, RV_EXIT_NORMAL);
	CHECK_EQ("its status", ei.code, 127);
	rv_handle_close(ch[0]);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("process_handles", &base, &ks);
	printf("handles: process handles: spawn errors keep the handles, kill, exit info\n");
}

/* Kill a child that is ready (same priority, has not run yet), then
 * compute for a few time slices: the scheduler must not keep the slice of
 * a process that is gone (found: the timer re-armed for a past slice end
 * for ever, and the system stopped making progress). */
static void kill_ready_child(void)
{
	uint64_t t0;
	unsigned long spins = 0;
	long proc = spawn_child((const char *const[]){"sleep", NULL}, NULL, 0);

	CHECK("spawn", proc >= 0);
	printf("handles: killing a ready child, then running alone for 50 ms\n");
	CHECK_EQ("kill it before it ran", rv_process_kill((rv_handle_t)proc), 0);
	rv_handle_close((rv_handle_t)proc);
	t0 = rv_clock_ns();
	while (rv_clock_ns() - t0 < MS(5 * CONFIG_TIMESLICE_MS))
		spins++;
	printf("handles: still running after %d ms alone (%lu clock reads)\n",
	       5 * CONFIG_TIMESLICE_MS, spins);
}

/* Free slots of our table: duplicates of h until EMFILE (then closed). */
static unsigned int free_slots(rv_handle_t h)
{
	static rv_handle_t held[NHANDLES];
	unsigned int n = 0;
	long d;

	while (n < NHANDLES && (d = rv_handle_duplicate(h, handle_rights(h))) >= 0)
		held[n++] = (rv_handle_t)d;
	for (unsigned int i = 0; i < n; i++)
		rv_handle_close(held[i]);
	return n;
}

/* One slot's generations run out (2^21 closes): the slot is retired, not
 * wrapped -- no earlier value ever comes back, and the table has one slot
 * less. */
static void generations(void)
{
	rv_handle_t ch[2];
	unsigned int slot, before, came_back = 0, back_in_slot = 0;
	long first, h, cycles = 0;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	before = free_slots(ch[0]);
	first = rv_handle_duplicate(ch[0], handle_rights(ch[0]));
	CHECK("duplicate", first > 0);
	slot = (unsigned int)first & SLOT_MASK;
	rv_handle_close((rv_handle_t)first);
	/* The lowest free slot is taken each time: the same one, until it
	 * is retired. */
	for (;;) {
		h = rv_handle_duplicate(ch[0], handle_rights(ch[0]));
		if (h < 0 || ((unsigned int)h & SLOT_MASK) != slot) {
			if (h >= 0)
				rv_handle_close((rv_handle_t)h);
			break;
		}
		came_back += h == first;
		rv_handle_close((rv_handle_t)h);
		if (++cycles > (1l << 21) + 8)
			break;
	}
	CHECK_EQ("2^21 values of one slot: the first never came back", came_back, 0);
	CHECK("the slot was retired within 2^21 closes", cycles > 0 && cycles < (1l << 21));
	CHECK_EQ("its first value: EBADF", handle_type((rv_handle_t)first), -RV_EBADF);
	for (int i = 0; i < 100; i++) {
		h = rv_handle_duplicate(ch[0], handle_rights(ch[0]));
		back_in_slot += h >= 0 && ((unsigned int)h & SLOT_MASK) == slot;
		if (h >= 0)
			rv_handle_close((rv_handle_t)h);
	}
	CHECK_EQ("the retired slot is never used again", back_in_slot, 0);
	CHECK_EQ("the table has one slot less", free_slots(ch[0]), before - 1);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	printf("handles: a slot whose generations ran out is retired (after %ld closes), "
	       "never wrapped\n", cycles);
}

int main(int argc, char **argv)
{
	printf("handles: MAX_HANDLES=%d MAX_CHANNELS=%d MAX_CHANNELS_PER_PROC=%d "
	       "MAX_SHM_REGIONS=%d MAX_MMAP_REGIONS=%d SHM_MAX_BYTES=%d\n",
	       NHANDLES, CONFIG_MAX_CHANNELS, CONFIG_MAX_CHANNELS_PER_PROC, CONFIG_MAX_SHM_REGIONS,
	       CONFIG_MAX_MMAP_REGIONS, CONFIG_SHM_MAX_BYTES);
	info_and_garbage();
	stale();
	wrong_type();
	rights();
	table_full();
	channel_limits();
	shm_limits();
	process_handles();
#if CONFIG_MAX_SHM_REGIONS * CONFIG_SHM_MAX_BYTES > (160 << 20)
	/* more shared memory allowed than there is RAM */
	shm_nomem();
#else
	(void)shm_nomem;
#endif
	kill_ready_child();
	/* Last: it leaves the table a slot short. */
	generations();
	return check_report("handles");
}
