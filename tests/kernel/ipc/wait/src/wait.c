/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wait_many: one item and CONFIG_MAX_WAIT_ITEMS items, each signal
 * (READABLE, WRITABLE, PEER_CLOSED, EXITED) waking it from another process,
 * deadlines (-ETIMEDOUT with `observed` filled in), signals not asked for
 * not waking it, argument errors, waiters killed, several waiters of one
 * object, and no lost wake-up over thousands of messages.
 */
#include <stdlib.h>
#include "../../common/ipc_test.h"

#define NITEMS CONFIG_MAX_WAIT_ITEMS
#define DEPTH CONFIG_CHANNEL_QUEUE_DEPTH
#define STRESS 3000

#define R RV_SIGNAL_READABLE
#define W RV_SIGNAL_WRITABLE
#define PC RV_SIGNAL_PEER_CLOSED
#define EX RV_SIGNAL_EXITED

static char what[160];
static const struct rv_wait_item ro_items[1];

static void one_item(void)
{
	struct rv_wait_item it;
	rv_handle_t ch[2];
	uint8_t b = 5;
	uint64_t t0, took;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	it = (struct rv_wait_item){.handle = ch[0], .signals = R, .observed = 0xdead};
	CHECK_EQ("nothing yet, deadline 0", rv_wait_many(&it, 1, 0), -RV_ETIMEDOUT);
	CHECK_EQ("observed filled in on ETIMEDOUT", it.observed, W);
	CHECK_EQ("a past deadline", rv_wait_many(&it, 1, 1), -RV_ETIMEDOUT);
	t0 = rv_clock_ns();
	CHECK_EQ("nothing, deadline in 20 ms", rv_wait_many(&it, 1, t0 + MS(20)), -RV_ETIMEDOUT);
	took = rv_clock_ns() - t0;
	CHECK("waited until the deadline", took >= MS(20));
	CHECK("and not much longer", took < MS(200));
	CHECK_EQ("write", write_bytes(ch[1], &b, 1, 0, 0), 0);
	it.observed = 0;
	CHECK_EQ("readable: 1 ready", rv_wait_many(&it, 1, RV_DEADLINE_NEVER), 1);
	CHECK_EQ("observed", it.observed, R | W);
	it.signals = W;
	CHECK_EQ("writable: 1 ready", rv_wait_many(&it, 1, 0), 1);
	it.signals = R | W | PC | EX;
	CHECK_EQ("all signals asked", rv_wait_many(&it, 1, 0), 1);
	rv_handle_close(ch[1]);
	it.observed = 0;
	CHECK_EQ("peer closed, message still queued", rv_wait_many(&it, 1, 0), 1);
	CHECK_EQ("observed", it.observed, R | PC);
	rv_handle_close(ch[0]);
	printf("wait: one item: ready, deadline 0, 20 ms deadline\n");
}

/* Items across a page boundary (the kernel's path for an array not within
 * one page) report the same as items within one: the first item itself
 * straddles it. */
static void straddling(void)
{
	static uint8_t pages[2 * 4096] __attribute__((aligned(4096)));
	struct rv_wait_item *it = (struct rv_wait_item *)(pages + 4096 - 8);
	uint32_t n = NITEMS >= 2 ? 2 : 1;
	rv_handle_t ch[2];
	uint8_t b = 7;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	it[0] = (struct rv_wait_item){.handle = ch[1], .signals = R, .observed = 0xdead};
	it[1] = (struct rv_wait_item){.handle = ch[1], .signals = W, .observed = 0xdead};
	CHECK_EQ("straddling: nothing yet", rv_wait_many(it, 1, 0), -RV_ETIMEDOUT);
	CHECK_EQ("straddling: observed on ETIMEDOUT", it[0].observed, W);
	CHECK_EQ("write", write_bytes(ch[0], &b, 1, 0, 0), 0);
	CHECK_EQ("straddling: ready", rv_wait_many(it, n, RV_DEADLINE_NEVER), (long)n);
	CHECK_EQ("straddling: observed 0", it[0].observed, R | W);
	if (n == 2) {
		CHECK_EQ("straddling: observed 1", it[1].observed, R | W);
	}
	CHECK_EQ("straddling: handle and signals kept", it[0].handle == ch[1] && it[0].signals == R,
		 1);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	printf("wait: items across a page boundary\n");
}

static void errors(void)
{
	struct rv_wait_item it[NITEMS + 1];
	rv_handle_t ch[2], stale[2];
	long h;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("channel_create", rv_channel_create(stale), 0);
	rv_handle_close(stale[0]);
	for (int i = 0; i <= NITEMS; i++)
		it[i] = (struct rv_wait_item){.handle = ch[0], .signals = W};
	CHECK_EQ("0 items", rv_wait_many(it, 0, 0), -RV_EINVAL);
	CHECK_EQ("MAX_WAIT_ITEMS + 1 items", rv_wait_many(it, NITEMS + 1, 0), -RV_EINVAL);
	CHECK_EQ("2^32 + 1 items", rv_syscall(RV_SYS_WAIT_MANY, (long)it, (1L << 32) + 1, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("NULL items", rv_wait_many(NULL, 1, 0), -RV_EFAULT);
	CHECK_EQ("kernel items", rv_wait_many((void *)0x80200000ul, 1, 0), -RV_EFAULT);
	CHECK_EQ("read-only items (observed is written)",
		 rv_wait_many((struct rv_wait_item *)(uintptr_t)ro_items, 1, 0), -RV_EFAULT);
	it[0].signals = 0;
	CHECK_EQ("no signals asked", rv_wait_many(it, 1, 0), -RV_EINVAL);
	it[0].signals = W;
	it[NITEMS - 1].handle = stale[0];
	CHECK_EQ("a stale handle among good ones", rv_wait_many(it, NITEMS, RV_DEADLINE_NEVER),
		 -RV_EBADF);
	it[NITEMS - 1].handle = RV_HANDLE_INVALID;
	CHECK_EQ("an invalid handle", rv_wait_many(it, NITEMS, RV_DEADLINE_NEVER), -RV_EBADF);
	h = rv_handle_duplicate(ch[0], CHANNEL_RIGHTS & ~RV_RIGHT_READ);
	it[NITEMS - 1].handle = (rv_handle_t)h;
	CHECK_EQ("a handle without READ", rv_wait_many(it, NITEMS, RV_DEADLINE_NEVER), -RV_EPERM);
	rv_handle_close((rv_handle_t)h);
	/* the same handle twice: both report */
	if (NITEMS >= 2) {
		it[0] = (struct rv_wait_item){.handle = ch[0], .signals = W};
		it[1] = (struct rv_wait_item){.handle = ch[0], .signals = R | W};
		CHECK_EQ("the same handle twice", rv_wait_many(it, 2, 0), 2);
		CHECK_EQ("both observed", it[0].observed & it[1].observed, W);
	}
	rv_handle_close(stale[1]);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	printf("wait: argument errors\n");
}

/* MAX_WAIT_ITEMS channels; a child writes to one of them after 30 ms. */
static void many_items(int which)
{
	static rv_handle_t ends[NITEMS][2];
	struct rv_wait_item it[NITEMS];
	struct rv_exit_info info;
	rv_handle_t give;
	uint64_t t0;
	long proc, r;
	int made = 0;

	for (; made < NITEMS; made++) {
		if (rv_channel_create(ends[made]) != 0)
			break;
		it[made] = (struct rv_wait_item){.handle = ends[made][0], .signals = R | PC};
	}
	if (!CHECK_EQ("MAX_WAIT_ITEMS channels", made, NITEMS))
		goto out;
	give = ends[which][1];
	proc = spawn_child((const char *const[]){"write_after", "30", NULL}, &give, 1);
	CHECK("spawn write_after", proc >= 0);
	t0 = rv_clock_ns();
	r = rv_wait_many(it, NITEMS, t0 + MS(5000));
	snprintf(what, sizeof(what), "%d items, item %d written by a child: 1 ready", NITEMS, which);
	CHECK_EQ(what, r, 1);
	CHECK("it did wait for the child", rv_clock_ns() - t0 >= MS(25));
	for (int i = 0; i < NITEMS; i++) {
		snprintf(what, sizeof(what), "item %d observed", i);
		CHECK_EQ(what, it[i].observed, i == which ? (R | W) : W);
	}
	/* everything ready at once */
	for (int i = 0; i < NITEMS; i++) {
		if (i != which)
			write_bytes(ends[i][1], "z", 1, 0, 0);
	}
	CHECK_EQ("every item ready", rv_wait_many(it, NITEMS, 0), NITEMS);
	for (int i = 0; i < NITEMS; i++)
		rv_handle_close(ends[i][0]);
	ends[which][1] = RV_HANDLE_INVALID;
	CHECK_EQ("write_after ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	CHECK_EQ("write_after status", info.code, 0);
out:
	for (int i = 0; i < made; i++) {
		if (ends[i][1] != RV_HANDLE_INVALID)
			rv_handle_close(ends[i][1]);
	}
	printf("wait: %d items, woken by item %d\n", NITEMS, which);
}

/* A child changes a signal after 30 ms: wait_many wakes with it. */
static void woken_by(const char *role, const char *sig, uint32_t ask, uint32_t want, int fill)
{
	struct rv_wait_item it;
	struct rv_exit_info info;
	rv_handle_t ch[2];
	uint64_t t0;
	long proc;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	if (fill)
		for (int i = 0; i < DEPTH; i++)
			write_bytes(ch[0], "f", 1, 0, 0);
	proc = spawn_child((const char *const[]){role, "30", NULL}, &ch[1], 1);
	it = (struct rv_wait_item){.handle = ch[0], .signals = ask};
	t0 = rv_clock_ns();
	snprintf(what, sizeof(what), "%s (%s): woken", sig, role);
	CHECK_EQ(what, rv_wait_many(&it, 1, t0 + MS(5000)), 1);
	snprintf(what, sizeof(what), "%s (%s): it waited", sig, role);
	CHECK(what, rv_clock_ns() - t0 >= MS(25));
	snprintf(what, sizeof(what), "%s (%s): observed", sig, role);
	CHECK_EQ(what, it.observed & want, want);
	rv_handle_close(ch[0]);
	CHECK_EQ("child ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
}

static void signals(void)
{
	struct rv_wait_item it[2];
	struct rv_exit_info info;
	rv_handle_t ch[2];
	uint64_t t0;
	long proc, idle;

	woken_by("write_after", "READABLE", R, R, 0);
	woken_by("drain_after", "WRITABLE", W, W, 1);
	woken_by("close_after", "PEER_CLOSED", R | PC, PC, 0);
	woken_by("exit_after", "PEER_CLOSED", PC, PC, 0);
	woken_by("exit_after", "PEER_CLOSED (queue full)", W | PC, PC, 1);

	/* a signal not asked for does not end the wait */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	proc = spawn_child((const char *const[]){"exit_after", "10", NULL}, &ch[1], 1);
	it[0] = (struct rv_wait_item){.handle = ch[0], .signals = R};
	t0 = rv_clock_ns();
	CHECK_EQ("READABLE asked, the peer closes: still waits", rv_wait_many(it, 1, t0 + MS(60)),
		 -RV_ETIMEDOUT);
	CHECK("until the deadline", rv_clock_ns() - t0 >= MS(60));
	CHECK_EQ("observed says PEER_CLOSED", it[0].observed, PC);
	rv_handle_close(ch[0]);
	CHECK_EQ("child ends", reap_child((rv_handle_t)proc, &info, 5000), 0);

	/* EXITED, alone and beside a channel nobody writes to */
	proc = spawn_child((const char *const[]){"exit_after", "20", NULL}, NULL, 0);
	it[0] = (struct rv_wait_item){.handle = (rv_handle_t)proc, .signals = EX};
	CHECK_EQ("running: deadline 0", rv_wait_many(it, 1, 0), -RV_ETIMEDOUT);
	CHECK_EQ("running: observed", it[0].observed, 0);
	t0 = rv_clock_ns();
	CHECK_EQ("EXITED: woken", rv_wait_many(it, 1, t0 + MS(5000)), 1);
	CHECK("EXITED: it waited", rv_clock_ns() - t0 >= MS(15));
	CHECK_EQ("EXITED: observed", it[0].observed, EX);
	CHECK_EQ("EXITED stays", rv_wait_many(it, 1, 0), 1);
	rv_handle_close((rv_handle_t)proc);

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	idle = spawn_child((const char *const[]){"idle", NULL}, &ch[1], 1);
	proc = spawn_child((const char *const[]){"exit_after", "20", NULL}, NULL, 0);
	if (NITEMS >= 2) {
		it[0] = (struct rv_wait_item){.handle = ch[0], .signals = R | PC};
		it[1] = (struct rv_wait_item){.handle = (rv_handle_t)proc, .signals = EX};
		CHECK_EQ("channel + process: 1 ready", rv_wait_many(it, 2, deadline_in_ms(5000)), 1);
		CHECK_EQ("the channel: nothing", it[0].observed & (R | PC), 0);
		CHECK_EQ("the process: EXITED", it[1].observed, EX);
	}
	CHECK_EQ("reap", reap_child((rv_handle_t)proc, &info, 5000), 0);
	rv_handle_close(ch[0]);
	CHECK_EQ("idle ends", reap_child((rv_handle_t)idle, &info, 5000), 0);

	/* killed: EXITED too */
	proc = spawn_child((const char *const[]){"sleep", NULL}, NULL, 0);
	it[0] = (struct rv_wait_item){.handle = (rv_handle_t)proc, .signals = EX};
	CHECK_EQ("kill", rv_process_kill((rv_handle_t)proc), 0);
	CHECK_EQ("killed: EXITED", rv_wait_many(it, 1, 0), 1);
	rv_handle_close((rv_handle_t)proc);
	printf("wait: READABLE, WRITABLE, PEER_CLOSED, EXITED wake it; others do not\n");
}

/* Several processes wait on one object; a waiter is killed while waiting. */
static void waiters(void)
{
	struct rv_kstats base, ks;
	struct rv_exit_info info;
	rv_handle_t ch[2], give;
	long kids[3], victim;

	rv_kstats(&base);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	for (int i = 0; i < 3; i++) {
		give = (rv_handle_t)rv_handle_duplicate(ch[1], CHANNEL_RIGHTS);
		kids[i] = spawn_child((const char *const[]){"wait_then_exit", NULL}, &give, 1);
	}
	give = (rv_handle_t)rv_handle_duplicate(ch[1], CHANNEL_RIGHTS);
	victim = spawn_child((const char *const[]){"wait_then_exit", NULL}, &give, 1);
	rv_sleep_ns(MS(10)); /* all four wait */
	CHECK_EQ("kill a waiter", rv_process_kill((rv_handle_t)victim), 0);
	CHECK_EQ("write one message", write_bytes(ch[0], "m", 1, 0, 0), 0);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ("every waiter woke", reap_child((rv_handle_t)kids[i], &info, 2000), 0);
		CHECK_EQ("with READABLE", info.code, R | W);
	}
	CHECK_EQ("the victim", reap_child((rv_handle_t)victim, &info, 2000), 0);
	CHECK_EQ("killed", info.reason, RV_EXIT_KILLED);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("waiters", &base, &ks);
	printf("wait: one write wakes every waiter of the end; a killed waiter is gone\n");
}

/* wait_many + nonblocking reads against a writer: no wake-up is lost. */
static void stress(void)
{
	struct rv_exit_info info;
	struct rv_wait_item it;
	rv_handle_t ch[2];
	char n[16];
	long proc, got = 0, waits = 0, bad = 0, r;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	snprintf(n, sizeof(n), "%d", STRESS);
	proc = spawn_child((const char *const[]){"send_then_exit", n, NULL}, &ch[1], 1);
	for (;;) {
		uint8_t b;
		struct rv_msg m = msg_of(&b, 1, NULL, 0);

		it = (struct rv_wait_item){.handle = ch[0], .signals = R | PC};
		r = rv_wait_many(&it, 1, deadline_in_ms(2000));
		waits++;
		if (r != 1) {
			printf("FAIL stress: wait_many %ld %s after %ld messages\n", r, err_name(r), got);
			bad++;
			break;
		}
		while ((r = rv_channel_read(ch[0], &m, RV_IPC_NONBLOCK, 0)) == 0) {
			bad += b != (uint8_t)got;
			got++;
		}
		if (r == -RV_EPEERCLOSED)
			break;
	}
	CHECK_EQ("stress: every message, in order", got, STRESS);
	CHECK_EQ("stress: nothing went wrong", bad, 0);
	rv_handle_close(ch[0]);
	CHECK_EQ("child ends", reap_child((rv_handle_t)proc, &info, 5000), 0);
	printf("wait: %d messages through wait_many + nonblocking reads (%ld waits)\n", STRESS,
	       waits);
}

int main(void)
{
	struct rv_kstats base, ks;

	printf("wait: MAX_WAIT_ITEMS=%d\n", NITEMS);
	rv_kstats(&base);
	one_item();
	straddling();
	errors();
	many_items(NITEMS - 1);
	many_items(0);
	signals();
	waiters();
	stress();
	kstats_settle(&base, &ks, 200);
	KSTATS_SAME_LIVE("wait", &base, &ks);
	return check_report("wait");
}
