/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sysinfo server and the kernel's proc_list / channel_list, from a
 * client started by init's manifest as its main program (its exit status
 * ends the run). Each part prints one line when it is done; failed checks
 * print FAIL lines and the last line counts them.
 *
 * The same program is also started as a helper, by its first argument:
 *   idle    sleeps until killed (rv_spawn: a child of this test)
 *   spin    runs without end at the lowest priority (rv_spawn)
 *   waiter  starts a nap child and waits for it (rv_spawn)
 *   nap     sleeps a second and exits
 *   echo    answers every message on its handle 1 with the same bytes,
 *           by channel_call, until the channel closes (loader)
 *   client  queries sysinfo many times alongside the others and reports on
 *           its handle 1 (loader)
 */
#include <stdio.h>
#include <string.h>
#include <rvos/memory_map.h>
#include <rvos/service.h>
#include <rvos/sysinfosvc.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "check.h"
#include "malformed.h"

#define MS(n) ((uint64_t)(n) * 1000000ull)
#define SELF_NAME "sysinfo_test"
#define SELF_PRIORITY 8    /* the manifest's */
#define SYSINFO_PRIORITY 3
#define MATH_PRIORITY 4
#define KERNEL_ADDR 0x80200000UL
#define UNMAPPED (RV_USER_BASE + 0x80000000UL)

/* Idle children for the paging checks: enough to fill many pages when the
 * table is large (the many_procs scenario). */
#define IDLE_CHILDREN (CONFIG_MAX_PROCS >= 128 ? 100 : 4)
#define IDLE_PRIORITY 12
#define CLIENTS 3
#define CLIENT_ROUNDS 30
#define ECHO_CALLS 10

static struct rv_proc_info plist[CONFIG_MAX_PROCS], plist2[CONFIG_MAX_PROCS];
static struct rv_channel_info clist[CONFIG_MAX_CHANNELS], clist2[CONFIG_MAX_CHANNELS];
static int self_pid, init_pid;

static uint64_t in_ms(uint64_t ms)
{
	return rv_clock_ns() + MS(ms);
}

static const struct rv_proc_info *find_pid(const struct rv_proc_info *l, int n, int pid)
{
	for (int i = 0; i < n; i++)
		if (l[i].pid == pid)
			return &l[i];
	return NULL;
}

static const struct rv_proc_info *find_name(const struct rv_proc_info *l, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(l[i].name, name))
			return &l[i];
	return NULL;
}

static const struct rv_channel_info *find_chan(const struct rv_channel_info *l, int n, uint32_t id)
{
	for (int i = 0; i < n; i++)
		if (l[i].id == id)
			return &l[i];
	return NULL;
}

/* Every live process straight from the kernel. */
static int procs_direct(struct rv_proc_info *out)
{
	return (int)rv_proc_list(out, CONFIG_MAX_PROCS, 0);
}

static int chans_direct(struct rv_channel_info *out)
{
	return (int)rv_channel_list(out, CONFIG_MAX_CHANNELS, 0);
}

/* This process's own record, from the kernel. */
static struct rv_proc_info self_direct(void)
{
	struct rv_proc_info me = {0};
	int n = procs_direct(plist2);
	const struct rv_proc_info *p = find_pid(plist2, n, self_pid);

	if (CHECK("self in proc_list", p))
		me = *p;
	return me;
}

/* The same through the server. */
static struct rv_proc_info self_served(rv_handle_t h)
{
	struct rv_proc_info me = {0};
	int n = sysinfo_procs(h, plist2, CONFIG_MAX_PROCS);
	const struct rv_proc_info *p = n > 0 ? find_pid(plist2, n, self_pid) : NULL;

	if (CHECK("self in sysinfo's list", p))
		me = *p;
	return me;
}

/* ---- helpers started as other processes ---- */

static int idle_main(void)
{
	for (;;)
		rv_sleep_ns(MS(1000));
	return 0; /* not reached: killed */
}

static int nap_main(void)
{
	rv_sleep_ns(MS(1000));
	return 0;
}

static int waiter_main(void)
{
	const char *const argv[] = {"nap", NULL};
	struct rv_exit_info info;
	long pid = rv_spawn(SELF_NAME, argv, IDLE_PRIORITY);

	if (pid <= 0)
		return 2;
	if (rv_wait((int)pid, &info) != pid || info.reason != RV_EXIT_NORMAL || info.code)
		return 3;
	return 0;
}

static int spin_main(void)
{
	volatile uint64_t x = 0;

	for (;;)
		x++;
	return 0; /* not reached: killed */
}

static int echo_main(void)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES];
	struct rv_msg in = {.bytes = buf, .num_bytes = sizeof(buf)};
	struct rv_msg out;
	long ret = rv_channel_read(1, &in, 0, RV_DEADLINE_NEVER);

	/* Reply and wait for the next request in one call (fast path). */
	while (ret == 0) {
		out = (struct rv_msg){.bytes = buf, .num_bytes = in.num_bytes};
		in = (struct rv_msg){.bytes = buf, .num_bytes = sizeof(buf)};
		ret = rv_channel_call(1, &out, &in, RV_DEADLINE_NEVER);
	}
	return ret == -RV_EPEERCLOSED ? 0 : 1;
}

/* A loader child: queries alongside the test and the other clients. Its
 * exit status says which check failed (0: none). */
static int client_main(void)
{
	rv_handle_t h;
	struct sysinfo_memory m;
	struct sysinfo_counters c;
	uint8_t buf[8];
	struct rv_msg msg = {.bytes = buf, .num_bytes = sizeof(buf)};
	uint32_t good = 0;
	int me = (int)rv_getpid();

	if (rv_connect(SYSINFO_SERVICE_NAME, &h) < 0)
		return 2;
	for (int round = 0; round < CLIENT_ROUNDS; round++) {
		int n = sysinfo_procs(h, plist, CONFIG_MAX_PROCS);
		const struct rv_proc_info *p = n > 0 ? find_pid(plist, n, me) : NULL;
		const struct rv_proc_info *init = n > 0 ? find_name(plist, n, "init") : NULL;
		int nc;

		if (!p || !init || strcmp(p->name, SELF_NAME) || p->state != RV_PROC_RECEIVING ||
		    p->parent_pid != init->pid || p->priority != SELF_PRIORITY)
			return 3;
		nc = sysinfo_channels(h, clist, CONFIG_MAX_CHANNELS);
		if (nc < 1)
			return 4;
		if (sysinfo_memory(h, &m) < 0 || m.frames_free > m.frames_total)
			return 5;
		if (sysinfo_counters(h, &c) < 0 || c.procs_used < (uint32_t)n - 1 ||
		    c.procs_max != CONFIG_MAX_PROCS)
			return 6;
		good++;
	}
	memcpy(buf, &good, sizeof(good));
	msg.num_bytes = sizeof(good);
	if (rv_channel_write(1, &msg, 0, in_ms(5000)) < 0)
		return 7;
	/* Stay until the test has seen us; it closes the channel. */
	msg = (struct rv_msg){.bytes = buf, .num_bytes = sizeof(buf)};
	return rv_channel_read(1, &msg, 0, RV_DEADLINE_NEVER) == -RV_EPEERCLOSED ? 0 : 8;
}

/* ---- 1. the system calls' arguments ---- */

static void bad_list_args(void)
{
	static struct rv_proc_info p[2];
	static struct rv_channel_info c[2];
	struct rv_kstats k;
	uint8_t pattern[sizeof(p)];
	uintptr_t page, straddle, ro;
	long n, shm, ro_h;

	/* One page of shared memory, mapped writable and read-only; the page
	 * after each mapping is unmapped. */
	shm = rv_shm_create(4096);
	CHECK("shm_create", shm >= 0);
	page = (uintptr_t)rv_shm_map((rv_handle_t)shm, 1);
	CHECK("shm_map", (long)page > 0);
	ro_h = rv_handle_duplicate((rv_handle_t)shm, RV_RIGHT_READ | RV_RIGHT_MAP);
	ro = (uintptr_t)rv_shm_map((rv_handle_t)ro_h, 0);
	CHECK("shm_map read-only", (long)ro > 0);
	straddle = page + 4096 - sizeof(p[0]);

	memset(p, 0xa5, sizeof(p));
	memcpy(pattern, p, sizeof(p));
	CHECK_EQ("proc_list NULL", rv_proc_list(NULL, 1, 0), -RV_EFAULT);
	CHECK_EQ("proc_list kernel address", rv_proc_list((void *)KERNEL_ADDR, 1, 0), -RV_EFAULT);
	CHECK_EQ("proc_list unmapped", rv_proc_list((void *)UNMAPPED, 1, 0), -RV_EFAULT);
	CHECK_EQ("proc_list into the text", rv_proc_list((void *)(uintptr_t)&bad_list_args, 1, 0),
		 -RV_EFAULT);
	CHECK_EQ("proc_list past user space", rv_proc_list((void *)(RV_USER_TOP - 8), 1, 0),
		 -RV_EFAULT);
	CHECK_EQ("proc_list into a read-only mapping", rv_proc_list((void *)ro, 1, 0), -RV_EFAULT);
	/* The last record of the page fits; a second one would reach the
	 * unmapped page after it: refused, and the first one untouched. */
	memset((void *)straddle, 0x5a, sizeof(p[0]));
	CHECK_EQ("proc_list, room for 1 of 2", rv_proc_list((void *)straddle, 2, 0), -RV_EFAULT);
	CHECK("nothing written on EFAULT", ((uint8_t *)straddle)[0] == 0x5a &&
					      ((uint8_t *)straddle)[sizeof(p[0]) - 1] == 0x5a);
	CHECK_EQ("proc_list, room for 1", rv_proc_list((void *)straddle, 1, 0), 1);
	CHECK_EQ("proc_list max 0", rv_proc_list(p, 0, 0), -RV_EINVAL);
	CHECK_EQ("proc_list max 0 and NULL", rv_proc_list(NULL, 0, 0), -RV_EINVAL);
	CHECK_EQ("proc_list max past the table", rv_proc_list(p, CONFIG_MAX_PROCS + 1, 0),
		 -RV_EINVAL);
	CHECK_EQ("proc_list huge max", rv_proc_list(p, 0xffffffffu, 0), -RV_EINVAL);
	CHECK_EQ("proc_list max in the upper half",
		 rv_syscall(RV_SYS_PROC_LIST, (long)p, (1L << 32) | 1, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("proc_list start past the end", rv_proc_list(p, 1, CONFIG_MAX_PROCS + 1),
		 -RV_EINVAL);
	CHECK_EQ("proc_list start huge", rv_proc_list(p, 1, 0xffffffffu), -RV_EINVAL);
	CHECK_EQ("proc_list start in the upper half",
		 rv_syscall(RV_SYS_PROC_LIST, (long)p, 1, 1L << 32, 0, 0, 0), -RV_EINVAL);
	CHECK("nothing written on errors", !memcmp(p, pattern, sizeof(p)));
	CHECK_EQ("proc_list start at the end", rv_proc_list(p, 2, CONFIG_MAX_PROCS), 0);
	CHECK("nothing written for no record", !memcmp(p, pattern, sizeof(p)));
	CHECK_EQ("proc_list 1", rv_proc_list(p, 1, 0), 1);
	CHECK("proc_list wrote one record only", !memcmp(&p[1], pattern, sizeof(p[1])));
	CHECK_EQ("proc_list: the first slot is init's", p[0].pid, init_pid);
	/* The whole table at once: as many as kstats counts. */
	n = rv_proc_list(plist, CONFIG_MAX_PROCS, 0);
	CHECK_EQ("kstats", rv_kstats(&k), 0);
	CHECK_EQ("proc_list: every live process", n, (long)k.procs_used);
	/* Paging by hand, one at a time. */
	{
		uint32_t start = 0, seen = 0;

		while (rv_proc_list(p, 1, start) == 1 && seen <= CONFIG_MAX_PROCS) {
			CHECK("pages go forward", p[0].slot >= start);
			CHECK_EQ("page = the full list's", p[0].pid, plist[seen].pid);
			start = p[0].slot + 1;
			seen++;
		}
		CHECK_EQ("pages of 1 cover the list", seen, n);
	}

	memset(c, 0xa5, sizeof(c));
	memcpy(pattern, c, sizeof(c) < sizeof(pattern) ? sizeof(c) : sizeof(pattern));
	CHECK_EQ("channel_list NULL", rv_channel_list(NULL, 1, 0), -RV_EFAULT);
	CHECK_EQ("channel_list kernel address", rv_channel_list((void *)KERNEL_ADDR, 1, 0),
		 -RV_EFAULT);
	CHECK_EQ("channel_list unmapped", rv_channel_list((void *)UNMAPPED, 1, 0), -RV_EFAULT);
	CHECK_EQ("channel_list into the text",
		 rv_channel_list((void *)(uintptr_t)&bad_list_args, 1, 0), -RV_EFAULT);
	CHECK_EQ("channel_list into a read-only mapping", rv_channel_list((void *)ro, 1, 0),
		 -RV_EFAULT);
	straddle = page + 4096 - sizeof(c[0]);
	CHECK_EQ("channel_list, room for 1 of 2", rv_channel_list((void *)straddle, 2, 0),
		 -RV_EFAULT);
	CHECK_EQ("channel_list, room for 1", rv_channel_list((void *)straddle, 1, 0), 1);
	CHECK_EQ("channel_list max 0", rv_channel_list(c, 0, 0), -RV_EINVAL);
	CHECK_EQ("channel_list max past the pool", rv_channel_list(c, CONFIG_MAX_CHANNELS + 1, 0),
		 -RV_EINVAL);
	CHECK_EQ("channel_list huge max", rv_channel_list(c, 0xffffffffu, 0), -RV_EINVAL);
	CHECK_EQ("channel_list max in the upper half",
		 rv_syscall(RV_SYS_CHANNEL_LIST, (long)c, (1L << 32) | 1, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("channel_list start past the end", rv_channel_list(c, 1, CONFIG_MAX_CHANNELS + 1),
		 -RV_EINVAL);
	CHECK_EQ("channel_list start huge", rv_channel_list(c, 1, 0xffffffffu), -RV_EINVAL);
	CHECK("nothing written on errors",
	      !memcmp(c, pattern, sizeof(c) < sizeof(pattern) ? sizeof(c) : sizeof(pattern)));
	CHECK_EQ("channel_list start at the end", rv_channel_list(c, 2, CONFIG_MAX_CHANNELS), 0);
	n = rv_channel_list(clist, CONFIG_MAX_CHANNELS, 0);
	CHECK_EQ("kstats", rv_kstats(&k), 0);
	CHECK_EQ("channel_list: every channel", n, (long)k.channels_used);
	rv_shm_unmap((void *)ro);
	rv_shm_unmap((void *)page);
	rv_handle_close((rv_handle_t)ro_h);
	rv_handle_close((rv_handle_t)shm);
	/* Still alive after all that. */
	CHECK_EQ("getpid after the bad calls", rv_getpid(), self_pid);
	printf("si: proc_list and channel_list: bad arguments refused, nothing written\n");
}

/* ---- 2. the process list ---- */

static void check_record(const struct rv_proc_info *p)
{
	CHECK("pid > 0", p->pid > 0);
	CHECK_EQ("slot = pid % MAX_PROCS", p->slot, (uint32_t)p->pid % CONFIG_MAX_PROCS);
	CHECK("state known", p->state >= RV_PROC_READY && p->state <= RV_PROC_ZOMBIE);
	CHECK("priority in range", p->priority < CONFIG_NUM_PRIORITIES);
	CHECK("name not empty, terminated",
	      p->name[0] && memchr(p->name, 0, sizeof(p->name)) != NULL);
	if (p->state != RV_PROC_ZOMBIE) {
		CHECK("a live process has pages", p->user_pages > 0);
		CHECK("a live process has handles", p->handles > 0 || p->parent_pid == self_pid);
	} else {
		CHECK_EQ("a zombie has no pages", p->user_pages, 0);
		CHECK_EQ("a zombie has no handles", p->handles, 0);
	}
}

static void process_list(rv_handle_t h)
{
	const struct rv_proc_info *p;
	struct rv_kstats k0, k1;
	int n, nd;

	CHECK_EQ("kstats", rv_kstats(&k0), 0);
	n = sysinfo_procs(h, plist, CONFIG_MAX_PROCS);
	CHECK_EQ("kstats", rv_kstats(&k1), 0);
	CHECK("sysinfo_procs", n > 0);
	CHECK("as many as kstats", (uint64_t)n >= k0.procs_used && (uint64_t)n <= k1.procs_used);
	for (int i = 0; i < n; i++) {
		check_record(&plist[i]);
		if (i)
			CHECK("in slot order", plist[i].slot > plist[i - 1].slot);
	}
	p = find_name(plist, n, "init");
	if (CHECK("init is listed", p)) {
		CHECK_EQ("init's pid", p->pid, init_pid);
		CHECK_EQ("init: started by the kernel", p->parent_pid, 0);
		CHECK_EQ("init's priority", p->priority, CONFIG_DEFAULT_PRIORITY);
		CHECK_EQ("init waits (wait_many)", p->state, RV_PROC_WAITING);
		CHECK("init's handles: a channel and a process per child", p->handles >= 4);
	}
	p = find_name(plist, n, "sysinfo");
	if (CHECK("sysinfo is listed", p)) {
		CHECK_EQ("sysinfo: started by init", p->parent_pid, init_pid);
		CHECK_EQ("sysinfo's priority", p->priority, SYSINFO_PRIORITY);
		CHECK_EQ("sysinfo runs (it is answering)", p->state, RV_PROC_RUNNING);
	}
	p = find_name(plist, n, "math");
	if (CHECK("math is listed", p)) {
		CHECK_EQ("math: started by init", p->parent_pid, init_pid);
		CHECK_EQ("math's priority", p->priority, MATH_PRIORITY);
		CHECK_EQ("math receives (port_wait)", p->state, RV_PROC_RECEIVING);
	}
	p = find_pid(plist, n, self_pid);
	if (CHECK("this process is listed", p)) {
		CHECK("its name", !strcmp(p->name, SELF_NAME));
		CHECK_EQ("started by init", p->parent_pid, init_pid);
		CHECK_EQ("its priority", p->priority, SELF_PRIORITY);
		CHECK_EQ("it receives (channel_call)", p->state, RV_PROC_RECEIVING);
		CHECK("it has run", p->cpu_ns > 0);
	}
	/* The kernel's own list: the same processes, seen from here. */
	nd = procs_direct(plist2);
	CHECK_EQ("the same count as proc_list", nd, n);
	for (int i = 0; i < n && i < nd; i++) {
		CHECK_EQ("the same pids, in order", plist2[i].pid, plist[i].pid);
		CHECK("the same names", !strcmp(plist2[i].name, plist[i].name));
		CHECK_EQ("the same priorities", plist2[i].priority, plist[i].priority);
		CHECK_EQ("the same parents", plist2[i].parent_pid, plist[i].parent_pid);
	}
	p = find_pid(plist2, nd, self_pid);
	CHECK("proc_list: the caller runs", p && p->state == RV_PROC_RUNNING);
	p = find_name(plist2, nd, "sysinfo");
	CHECK("proc_list: sysinfo receives (port_wait)", p && p->state == RV_PROC_RECEIVING);
	printf("si: processes: init, sysinfo, math and this one, with states, priorities, names\n");
}

/* ---- 3. CPU time, pages, states of children ---- */

static void cpu_and_pages(rv_handle_t h)
{
	struct rv_proc_info a, b, c;
	uint64_t t0, t1, sum = 0;
	const struct rv_proc_info *p;
	struct rv_exit_info info;
	long spin;
	int n;

	a = self_direct();
	t0 = rv_clock_ns();
	while (rv_clock_ns() - t0 < MS(30))
		;
	b = self_direct();
	t1 = rv_clock_ns();
	CHECK("30 ms of spinning is CPU time", b.cpu_ns - a.cpu_ns >= MS(20));
	CHECK("no more CPU time than time passed", b.cpu_ns - a.cpu_ns <= t1 - t0 + MS(1));
	c = self_served(h);
	CHECK("the server sees it too", c.cpu_ns >= b.cpu_ns);
	/* Asleep, with nothing else to run: the idle time is nobody's. */
	a = self_direct();
	rv_sleep_ns(MS(50));
	b = self_direct();
	CHECK("sleeping is not CPU time", b.cpu_ns - a.cpu_ns < MS(10));
	/* Pages: the heap grows by what malloc's sbrk asks (mem_grow). */
	a = self_direct();
	CHECK("mem_grow", rv_mem_grow(8 * 4096) > 0);
	b = self_direct();
	CHECK_EQ("8 more pages", b.user_pages, a.user_pages + 8);
	c = self_served(h);
	CHECK_EQ("the server sees them", c.user_pages, b.user_pages);
	/* Shared memory is counted apart. */
	{
		long shm = rv_shm_create(3 * 4096), va;

		CHECK("shm_create", shm >= 0);
		va = rv_shm_map((rv_handle_t)shm, 1);
		CHECK("shm_map", va > 0);
		c = self_served(h);
		CHECK_EQ("3 shared pages", c.shm_pages, 3);
		CHECK_EQ("own pages unchanged", c.user_pages, b.user_pages);
		rv_shm_unmap((void *)va);
		rv_handle_close((rv_handle_t)shm);
		c = self_served(h);
		CHECK_EQ("no shared pages", c.shm_pages, 0);
	}
	/* A child that spins at the lowest priority: ready while we run. */
	{
		const char *const argv[] = {"spin", NULL};

		spin = rv_spawn(SELF_NAME, argv, CONFIG_NUM_PRIORITIES - 1);
		CHECK("spawn spin", spin > 0);
		n = procs_direct(plist);
		p = find_pid(plist, n, (int)spin);
		CHECK("the spinner is ready", p && p->state == RV_PROC_READY);
		CHECK("it has not run", p && p->cpu_ns == 0);
		CHECK("its parent is this process", p && p->parent_pid == self_pid);
		CHECK("its priority", p && p->priority == CONFIG_NUM_PRIORITIES - 1);
		rv_sleep_ns(MS(30)); /* it runs meanwhile */
		n = procs_direct(plist);
		p = find_pid(plist, n, (int)spin);
		CHECK("the spinner ran while we slept", p && p->cpu_ns >= MS(15));
		CHECK("and is ready again", p && p->state == RV_PROC_READY);
		/* Killed and not waited for: a zombie. */
		CHECK_EQ("kill the spinner", rv_kill((int)spin), 0);
		n = procs_direct(plist);
		p = find_pid(plist, n, (int)spin);
		if (CHECK("the zombie is listed", p)) {
			CHECK_EQ("state zombie", p->state, RV_PROC_ZOMBIE);
			check_record(p);
		}
		CHECK_EQ("wait for it", rv_wait((int)spin, &info), spin);
		n = procs_direct(plist);
		CHECK("gone once waited for", !find_pid(plist, n, (int)spin));
	}
	/* A child in wait() for its own child. */
	{
		const char *const argv[] = {"waiter", NULL};
		long waiter = rv_spawn(SELF_NAME, argv, IDLE_PRIORITY);
		const struct rv_proc_info *nap = NULL;

		CHECK("spawn waiter", waiter > 0);
		/* It starts the nap and waits; the nap sleeps a second. */
		for (uint64_t until = in_ms(800); rv_clock_ns() < until;) {
			rv_sleep_ns(MS(10));
			n = procs_direct(plist);
			p = find_pid(plist, n, (int)waiter);
			nap = NULL;
			for (int i = 0; i < n; i++)
				if (plist[i].parent_pid == (int)waiter)
					nap = &plist[i];
			if (p && p->state == RV_PROC_WAIT_CHILD && nap &&
			    nap->state == RV_PROC_SLEEPING)
				break;
		}
		CHECK("the waiter waits for a child", p && p->state == RV_PROC_WAIT_CHILD);
		CHECK("its child naps", nap && nap->state == RV_PROC_SLEEPING &&
					      !strcmp(nap->name, SELF_NAME));
		CHECK_EQ("the waiter ends", rv_wait((int)waiter, &info), waiter);
		CHECK_EQ("when its child has", info.code, 0);
	}
	/* Everyone's time adds up to no more than the time since boot. */
	n = sysinfo_procs(h, plist, CONFIG_MAX_PROCS);
	for (int i = 0; i < n; i++)
		sum += plist[i].cpu_ns;
	CHECK("CPU times add up to less than the uptime", sum <= rv_clock_ns());
	printf("si: CPU time grows while running, not while asleep; pages and shared pages counted; ready, wait-child and zombie states\n");
}

/* ---- 4. handles ---- */

static void handle_counts(rv_handle_t h)
{
	struct rv_proc_info a, b;
	rv_handle_t ch[2];
	long dup;

	a = self_served(h);
	CHECK_EQ("the same count straight from the kernel", self_direct().handles, a.handles);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	b = self_served(h);
	CHECK_EQ("two more handles", b.handles, a.handles + 2);
	dup = rv_handle_duplicate(ch[0], RV_RIGHT_READ);
	CHECK("duplicate", dup >= 0);
	b = self_served(h);
	CHECK_EQ("three more handles", b.handles, a.handles + 3);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	b = self_served(h);
	CHECK_EQ("one more handle", b.handles, a.handles + 1);
	rv_handle_close((rv_handle_t)dup);
	b = self_served(h);
	CHECK_EQ("back where it was", b.handles, a.handles);
	printf("si: handle counts follow the table\n");
}

/* ---- 5. channels ---- */

static int send_bytes(rv_handle_t h, uint32_t n)
{
	uint8_t buf[64];
	struct rv_msg m = {.bytes = buf, .num_bytes = n};

	memset(buf, 0x33, sizeof(buf));
	return (int)rv_channel_write(h, &m, RV_IPC_NONBLOCK, 0);
}

/* The channel this process created whose end 0 has sent `sent` messages
 * of `bytes` bytes in all; NULL if none or more than one. */
static const struct rv_channel_info *find_mine(const struct rv_channel_info *l, int n,
					       uint64_t sent, uint64_t bytes)
{
	const struct rv_channel_info *found = NULL;

	for (int i = 0; i < n; i++) {
		if (l[i].creator_pid != self_pid || l[i].end[0].sent != sent ||
		    l[i].end[0].sent_bytes != bytes)
			continue;
		if (found)
			return NULL;
		found = &l[i];
	}
	return found;
}

static void channels(rv_handle_t h)
{
	const struct rv_channel_info *c;
	rv_handle_t ch[2], echo[2], proc;
	uint8_t buf[64];
	struct rv_msg m = {.bytes = buf, .num_bytes = sizeof(buf)};
	struct rv_kstats k;
	uint32_t id = 0;
	int n, n2;
	uint64_t queued = 0;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("write 37 bytes", send_bytes(ch[0], 37), 0);
	CHECK_EQ("write 5 bytes", send_bytes(ch[0], 5), 0);
	n = sysinfo_channels(h, clist, CONFIG_MAX_CHANNELS);
	CHECK("sysinfo_channels", n > 0);
	c = find_mine(clist, n, 2, 42);
	if (CHECK("the new channel is listed", c)) {
		id = c->id;
		CHECK_EQ("end 1 holds 2 messages", c->end[1].queued, 2);
		CHECK_EQ("of 42 bytes", c->end[1].queued_bytes, 42);
		CHECK_EQ("end 0 holds none", c->end[0].queued, 0);
		CHECK_EQ("end 0's queue: 0 bytes", c->end[0].queued_bytes, 0);
		CHECK_EQ("end 1 sent nothing", c->end[1].sent, 0);
		CHECK("both ends open", (c->end[0].flags & RV_CHANNEL_END_OPEN) &&
						(c->end[1].flags & RV_CHANNEL_END_OPEN));
	}
	/* The kernel's own list says the same. */
	n2 = chans_direct(clist2);
	c = find_chan(clist2, n2, id);
	CHECK("channel_list has it", c && c->end[1].queued == 2 && c->end[1].queued_bytes == 42 &&
					     c->creator_pid == self_pid);
	/* Every queued message in the system is in some end's queue. */
	CHECK_EQ("kstats", rv_kstats(&k), 0);
	for (int i = 0; i < n2; i++)
		queued += clist2[i].end[0].queued + clist2[i].end[1].queued;
	CHECK_EQ("queues add up to kstats' messages_queued", queued, k.messages_queued);
	/* Read one, answer with 3 bytes. */
	CHECK_EQ("read", rv_channel_read(ch[1], &m, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("the 37 bytes", m.num_bytes, 37);
	CHECK_EQ("write back 3 bytes", send_bytes(ch[1], 3), 0);
	n = sysinfo_channels(h, clist, CONFIG_MAX_CHANNELS);
	c = find_chan(clist, n, id);
	if (CHECK("still listed", c)) {
		CHECK_EQ("end 1: one left", c->end[1].queued, 1);
		CHECK_EQ("of 5 bytes", c->end[1].queued_bytes, 5);
		CHECK_EQ("end 0: one queued", c->end[0].queued, 1);
		CHECK_EQ("of 3 bytes", c->end[0].queued_bytes, 3);
		CHECK_EQ("end 1 sent 1", c->end[1].sent, 1);
		CHECK_EQ("of 3 bytes", c->end[1].sent_bytes, 3);
		CHECK_EQ("end 0 sent 2 still", c->end[0].sent, 2);
	}
	/* One end closed: its queue goes, the channel stays. */
	rv_handle_close(ch[1]);
	n = sysinfo_channels(h, clist, CONFIG_MAX_CHANNELS);
	c = find_chan(clist, n, id);
	if (CHECK("listed with one end open", c)) {
		CHECK("end 1 closed", !(c->end[1].flags & RV_CHANNEL_END_OPEN));
		CHECK("end 0 open", c->end[0].flags & RV_CHANNEL_END_OPEN);
		CHECK_EQ("end 1's queue destroyed", c->end[1].queued, 0);
		CHECK_EQ("end 1's bytes too", c->end[1].queued_bytes, 0);
		CHECK_EQ("end 0 still holds its message", c->end[0].queued, 1);
	}
	rv_handle_close(ch[0]);
	n = sysinfo_channels(h, clist, CONFIG_MAX_CHANNELS);
	c = find_chan(clist, n, id);
	CHECK("gone when both ends are", !c || c->creator_pid != self_pid || c->end[0].sent != 2);

	/* The connection to sysinfo: each call is one message each way. */
	n = chans_direct(clist);
	CHECK("sysinfo_memory", sysinfo_memory(h, &(struct sysinfo_memory){0}) == 0);
	n2 = chans_direct(clist2);
	{
		int moved = 0;

		for (int i = 0; i < n2; i++) {
			const struct rv_channel_info *before = find_chan(clist, n, clist2[i].id);

			if (!before)
				continue;
			if (clist2[i].end[0].sent == before->end[0].sent + 1 &&
			    clist2[i].end[1].sent == before->end[1].sent + 1 &&
			    clist2[i].creator_pid == self_pid)
				moved++;
			else if (clist2[i].end[0].sent != before->end[0].sent ||
				 clist2[i].end[1].sent != before->end[1].sent)
				moved += 100;
		}
		CHECK_EQ("one request and one reply, on one channel", moved, 1);
	}

	/* Round trips with an echo process (channel_call both ways: the fast
	 * path) are counted too. */
	n = chans_direct(clist);
	CHECK_EQ("channel_create", rv_channel_create(echo), 0);
	n2 = chans_direct(clist2);
	for (int i = 0; i < n2; i++)
		if (!find_chan(clist, n, clist2[i].id))
			id = clist2[i].id; /* the new one */
	{
		const char *const argv[] = {"echo", NULL};
		struct rv_wait_item it;
		struct rv_exit_info info;

		CHECK_EQ("loader: echo",
			 rv_loader_spawn(SELF_NAME, argv, SELF_PRIORITY, &echo[1], 1, &proc), 0);
		for (int i = 0; i < ECHO_CALLS; i++) {
			struct rv_msg req = {.bytes = buf, .num_bytes = 16};
			struct rv_msg rep = {.bytes = buf, .num_bytes = sizeof(buf)};

			CHECK_EQ("echo call", rv_channel_call(echo[0], &req, &rep, in_ms(5000)), 0);
			CHECK_EQ("echo reply", rep.num_bytes, 16);
		}
		n = sysinfo_channels(h, clist, CONFIG_MAX_CHANNELS);
		c = find_chan(clist, n, id);
		if (CHECK("the echo channel is listed", c)) {
			CHECK_EQ("requests sent", c->end[0].sent, ECHO_CALLS);
			CHECK_EQ("their bytes", c->end[0].sent_bytes, 16 * ECHO_CALLS);
			CHECK_EQ("replies sent", c->end[1].sent, ECHO_CALLS);
			CHECK_EQ("their bytes", c->end[1].sent_bytes, 16 * ECHO_CALLS);
		}
		rv_handle_close(echo[0]);
		it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
		CHECK_EQ("echo ends", rv_wait_many(&it, 1, in_ms(5000)), 1);
		CHECK_EQ("exit info", rv_process_exit_info(proc, &info), 0);
		CHECK_EQ("echo's status", info.code, 0);
		rv_handle_close(proc);
	}
	printf("si: channels: queued messages and bytes, sent counters both ways, closed ends\n");
}

/* ---- 6. paging ---- */

/* How many pages the server needs for the list l[0..n) (its packing). */
static uint32_t expected_pages(const struct rv_proc_info *l, int n)
{
	uint32_t pages = 0, room = 0;

	for (int i = 0; i < n; i++) {
		uint32_t size = SYSINFO_PROC_RECORD_SIZE(strlen(l[i].name));

		if (!pages || size > room) {
			pages++;
			room = CONFIG_MSG_MAX_BYTES - SYSINFO_PAGE_HEAD_SIZE;
		}
		room -= size;
	}
	return pages ? pages : 1;
}

static void paging(rv_handle_t h)
{
	static int idle[IDLE_CHILDREN];
	const char *const argv[] = {"idle", NULL};
	struct rv_exit_info info;
	uint32_t start, next, pages;
	int n, nd, got;

	for (int i = 0; i < IDLE_CHILDREN; i++) {
		idle[i] = (int)rv_spawn(SELF_NAME, argv, IDLE_PRIORITY);
		CHECK("spawn idle", idle[i] > 0);
	}
	/* Let them all get to their sleep (a hundred take a while). */
	for (uint64_t until = in_ms(10000); rv_clock_ns() < until;) {
		int asleep = 0;

		nd = procs_direct(plist2);
		for (int i = 0; i < nd; i++)
			asleep += plist2[i].parent_pid == self_pid &&
				  plist2[i].state == RV_PROC_SLEEPING;
		if (asleep == IDLE_CHILDREN)
			break;
		rv_sleep_ns(MS(10));
	}
	nd = procs_direct(plist2);
	/* Pages as the server packs them. */
	start = 0;
	pages = 0;
	n = 0;
	do {
		got = sysinfo_procs_page(h, start, plist + n, CONFIG_MAX_PROCS - n, &next);
		if (!CHECK("a page", got >= 0))
			break;
		CHECK("a page has a record, or is the last", got > 0 || next == SYSINFO_END);
		n += got;
		pages++;
		start = next;
	} while (next != SYSINFO_END && pages <= CONFIG_MAX_PROCS);
	CHECK_EQ("every process", n, nd);
	CHECK_EQ("as many pages as the records need", pages, expected_pages(plist2, nd));
	for (int i = 0; i < n && i < nd; i++)
		CHECK_EQ("the same list", plist[i].pid, plist2[i].pid);
	for (int i = 0; i < IDLE_CHILDREN; i++) {
		const struct rv_proc_info *p = find_pid(plist, n, idle[i]);

		if (!CHECK("an idle child is listed", p))
			continue;
		CHECK_EQ("asleep", p->state, RV_PROC_SLEEPING);
		CHECK_EQ("our child", p->parent_pid, self_pid);
		CHECK_EQ("its priority", p->priority, IDLE_PRIORITY);
		CHECK_EQ("no handles", p->handles, 0);
		CHECK("its pages", p->user_pages > 0);
	}
	/* One record a page. */
	start = 0;
	pages = 0;
	do {
		got = sysinfo_procs_page(h, start, plist, 1, &next);
		if (!CHECK("a page of 1", got >= 0))
			break;
		if (got == 1 && pages < (uint32_t)nd)
			CHECK_EQ("page of 1 = the list", plist[0].pid, plist2[pages].pid);
		pages += got;
		start = next;
	} while (next != SYSINFO_END && pages <= CONFIG_MAX_PROCS);
	CHECK_EQ("pages of 1: every process", pages, nd);
	/* A short buffer gets the first ones. */
	CHECK_EQ("the first 2", sysinfo_procs(h, plist, 2), 2);
	CHECK_EQ("the first is init", plist[0].pid, init_pid);
	/* Ends and errors. */
	CHECK_EQ("start at the end", sysinfo_procs_page(h, CONFIG_MAX_PROCS, plist, 4, &next), 0);
	CHECK_EQ("start at the end: done", next, SYSINFO_END);
	CHECK_EQ("start past the end", sysinfo_procs_page(h, CONFIG_MAX_PROCS + 1, plist, 4, &next),
		 -RV_EINVAL);
	CHECK_EQ("max 0", sysinfo_procs_page(h, 0, plist, 0, &next), -RV_EINVAL);
	printf("si: paging: %d processes in %u pages of %d bytes\n", n,
	       expected_pages(plist2, nd), CONFIG_MSG_MAX_BYTES);

	/* Channels, paged the same way. */
	nd = chans_direct(clist2);
	n = sysinfo_channels(h, clist, CONFIG_MAX_CHANNELS);
	CHECK_EQ("every channel", n, nd);
	for (int i = 0; i < n && i < nd; i++)
		CHECK_EQ("the same channels", clist[i].id, clist2[i].id);
	start = 0;
	pages = 0;
	do {
		got = sysinfo_channels_page(h, start, clist, 1, &next);
		if (!CHECK("a channel page of 1", got >= 0))
			break;
		if (got == 1 && pages < (uint32_t)nd) {
			CHECK_EQ("page of 1 = the list", clist[0].id, clist2[pages].id);
			CHECK_EQ("the same creator", clist[0].creator_pid, clist2[pages].creator_pid);
		}
		pages += got;
		start = next;
	} while (next != SYSINFO_END && pages <= CONFIG_MAX_CHANNELS);
	CHECK_EQ("channel pages of 1: every channel", pages, nd);
	CHECK_EQ("channels: start at the end",
		 sysinfo_channels_page(h, CONFIG_MAX_CHANNELS, clist, 4, &next), 0);
	CHECK_EQ("channels: start past the end",
		 sysinfo_channels_page(h, CONFIG_MAX_CHANNELS + 1, clist, 4, &next), -RV_EINVAL);
	CHECK_EQ("channels: max 0", sysinfo_channels_page(h, 0, clist, 0, &next), -RV_EINVAL);
	printf("si: paging: %d channels, one a page too\n", n);

	for (int i = 0; i < IDLE_CHILDREN; i++) {
		if (idle[i] <= 0)
			continue;
		CHECK_EQ("kill idle", rv_kill(idle[i]), 0);
		CHECK_EQ("wait idle", rv_wait(idle[i], &info), idle[i]);
	}
	n = sysinfo_procs(h, plist, CONFIG_MAX_PROCS);
	for (int i = 0; i < IDLE_CHILDREN; i++)
		CHECK("the idle child is gone", !find_pid(plist, n, idle[i]));
}

/* ---- 7. memory and counters ---- */

#define BETWEEN(what, v, a, b) CHECK(what, (uint64_t)(v) >= (uint64_t)(a) && (uint64_t)(v) <= (uint64_t)(b))

static void memory_and_counters(rv_handle_t h)
{
	struct sysinfo_memory m;
	struct sysinfo_counters c;
	struct rv_kstats a, b;
	uint64_t t0, t1, pages = 0, handles = 0;
	int n;

	CHECK_EQ("kstats", rv_kstats(&a), 0);
	CHECK_EQ("sysinfo_memory", sysinfo_memory(h, &m), 0);
	CHECK_EQ("kstats", rv_kstats(&b), 0);
	CHECK_EQ("frames_total", m.frames_total, a.frames_total);
	BETWEEN("frames_free", m.frames_free, a.frames_free < b.frames_free ? a.frames_free : b.frames_free,
		a.frames_free > b.frames_free ? a.frames_free : b.frames_free);
	CHECK_EQ("page tables", m.page_tables, a.frames_page_tables);
	CHECK_EQ("user", m.user, a.frames_user);
	CHECK_EQ("kernel stacks", m.kernel_stacks, a.frames_kernel_stacks);
	CHECK_EQ("kernel pools", m.kernel_pools, a.frames_kernel_pools);
	CHECK("the purposes and the free add up to at most the total",
	      m.frames_free + m.page_tables + m.user + m.kernel_stacks + m.kernel_pools <=
		      m.frames_total);
	CHECK("kernel stacks: one per slot", m.kernel_stacks > 0 && m.kernel_stacks % CONFIG_MAX_PROCS == 0);

	t0 = rv_clock_ns();
	CHECK_EQ("kstats", rv_kstats(&a), 0);
	CHECK_EQ("sysinfo_counters", sysinfo_counters(h, &c), 0);
	CHECK_EQ("kstats", rv_kstats(&b), 0);
	t1 = rv_clock_ns();
	BETWEEN("uptime", c.uptime_ns, t0, t1);
	BETWEEN("syscalls", c.syscalls, a.syscalls, b.syscalls);
	BETWEEN("context switches", c.context_switches, a.context_switches, b.context_switches);
	BETWEEN("irqs", c.irqs, a.irqs, b.irqs);
	CHECK_EQ("procs_used", c.procs_used, a.procs_used);
	CHECK_EQ("procs_max", c.procs_max, CONFIG_MAX_PROCS);
	CHECK_EQ("process objects", c.process_objects_used, a.process_objects_used);
	CHECK_EQ("channels_used", c.channels_used, a.channels_used);
	CHECK_EQ("channels_max", c.channels_max, CONFIG_MAX_CHANNELS);
	CHECK_EQ("messages queued", c.messages_queued, a.messages_queued);
	CHECK_EQ("handles_used", c.handles_used, a.handles_used);
	CHECK_EQ("handles_max", c.handles_max, CONFIG_MAX_HANDLES);
	CHECK_EQ("shm regions", c.shm_regions_used, a.shm_regions_used);
	CHECK_EQ("shm regions max", c.shm_regions_max, CONFIG_MAX_SHM_REGIONS);
	CHECK_EQ("shm mappings", c.shm_mappings_used, a.shm_mappings_used);
	CHECK("syscalls counted", b.syscalls > a.syscalls);

	/* The per-process figures add up to the kernel's totals. */
	n = procs_direct(plist);
	CHECK_EQ("kstats", rv_kstats(&a), 0);
	for (int i = 0; i < n; i++) {
		pages += plist[i].user_pages;
		handles += plist[i].handles;
	}
	CHECK_EQ("handles add up to handles_used", handles, a.handles_used);
	if (!a.shm_regions_used)
		CHECK_EQ("own pages add up to the user frames", pages, a.frames_user);
	printf("si: memory and counters agree with kstats; per-process figures add up\n");
}

/* ---- 8. several clients at once ---- */

static void many_clients(rv_handle_t h)
{
	rv_handle_t ch[CLIENTS][2], proc[CLIENTS];
	const char *const argv[] = {"client", NULL};
	struct rv_exit_info info;
	struct rv_wait_item it;
	uint8_t buf[8];
	uint32_t good;
	int n;

	for (int i = 0; i < CLIENTS; i++) {
		CHECK_EQ("channel_create", rv_channel_create(ch[i]), 0);
		CHECK_EQ("loader: client",
			 rv_loader_spawn(SELF_NAME, argv, SELF_PRIORITY, &ch[i][1], 1, &proc[i]), 0);
	}
	/* Query alongside them. */
	for (int k = 0; k < CLIENT_ROUNDS; k++) {
		struct sysinfo_memory m;

		n = sysinfo_procs(h, plist, CONFIG_MAX_PROCS);
		CHECK("procs while the clients query", n > 0 && find_pid(plist, n, self_pid));
		CHECK_EQ("memory while the clients query", sysinfo_memory(h, &m), 0);
	}
	for (int i = 0; i < CLIENTS; i++) {
		struct rv_msg msg = {.bytes = buf, .num_bytes = sizeof(buf)};

		CHECK_EQ("the client's report", rv_channel_read(ch[i][0], &msg, 0, in_ms(10000)), 0);
		memcpy(&good, buf, sizeof(good));
		CHECK_EQ("its rounds all good", good, CLIENT_ROUNDS);
	}
	/* All three wait on their channel now: listed, started by init. */
	n = sysinfo_procs(h, plist, CONFIG_MAX_PROCS);
	{
		int clients = 0;

		for (int i = 0; i < n; i++) {
			if (plist[i].pid == self_pid || strcmp(plist[i].name, SELF_NAME))
				continue;
			clients++;
			CHECK_EQ("a client: started by init", plist[i].parent_pid, init_pid);
			CHECK_EQ("a client: receiving", plist[i].state, RV_PROC_RECEIVING);
			CHECK_EQ("a client: init's, ours, sysinfo's handles", plist[i].handles, 3);
		}
		CHECK_EQ("three clients listed", clients, CLIENTS);
	}
	for (int i = 0; i < CLIENTS; i++) {
		rv_handle_close(ch[i][0]);
		it = (struct rv_wait_item){.handle = proc[i], .signals = RV_SIGNAL_EXITED};
		CHECK_EQ("the client ends", rv_wait_many(&it, 1, in_ms(5000)), 1);
		CHECK_EQ("exit info", rv_process_exit_info(proc[i], &info), 0);
		if (!CHECK_EQ("the client's status", info.code, 0))
			printf("  (client %d: status %d, reason %d)\n", i, (int)info.code,
			       (int)info.reason);
		rv_handle_close(proc[i]);
	}
	printf("si: %d clients in their own processes, served at once\n", CLIENTS);
}

/* ---- 9. malformed requests ---- */

static int sysinfo_alive(void *ctx)
{
	struct sysinfo_memory m;

	return sysinfo_memory(*(rv_handle_t *)ctx, &m) == 0 && m.frames_total > 0;
}

static uint32_t page_req(uint8_t *buf, uint32_t cap, uint32_t op, uint32_t start, uint32_t max)
{
	struct wire_writer w;
	struct rv_msg msg;

	wire_init_request(&w, buf, cap, NULL, 0, op);
	wire_put_u32(&w, start);
	wire_put_u32(&w, max);
	return wire_finish(&w, &msg) < 0 ? 0 : msg.num_bytes;
}

static void malformed(rv_handle_t h1, rv_handle_t h2)
{
	uint8_t valid[CONFIG_MSG_MAX_BYTES], buf[CONFIG_MSG_MAX_BYTES];
	uint32_t n = page_req(valid, sizeof(valid), SYSINFO_OP_PROCS, 0, 1);
	struct wire_writer w;
	struct rv_msg msg;
	rv_handle_t hs[1], ch[2];
	long ret;

	CHECK("a valid request", n > 0);
	malformed_battery("sysinfo", h1, valid, n, 99, sysinfo_alive, &h2);
	/* The channel list's request, cut everywhere. */
	n = page_req(valid, sizeof(valid), SYSINFO_OP_CHANNELS, 0, 1);
	for (uint32_t i = WIRE_HEADER_SIZE; i < n; i++)
		CHECK_EQ("channels: truncated", malformed_call(h1, valid, i, NULL, 0), -RV_EBADMSG);
	/* Wrong types: start as a u64, max as a string. */
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, SYSINFO_OP_PROCS);
	wire_put_u64(&w, 0);
	wire_put_u32(&w, 1);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("start as u64", malformed_call(h1, buf, msg.num_bytes, NULL, 0), -RV_EBADMSG);
	wire_init_request(&w, buf, sizeof(buf), NULL, 0, SYSINFO_OP_CHANNELS);
	wire_put_u32(&w, 0);
	wire_put_str(&w, "1");
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	CHECK_EQ("max as a string", malformed_call(h1, buf, msg.num_bytes, NULL, 0), -RV_EBADMSG);
	/* A field too many, for each op. */
	for (uint32_t op = SYSINFO_OP_PROCS; op <= SYSINFO_OP_COUNTERS; op++) {
		wire_init_request(&w, buf, sizeof(buf), NULL, 0, op);
		wire_put_u32(&w, 0);
		wire_put_u32(&w, 1);
		wire_put_u32(&w, 2);
		CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
		CHECK_EQ("a field too many", malformed_call(h1, buf, msg.num_bytes, NULL, 0),
			 -RV_EBADMSG);
	}
	/* A handle field where max goes: refused, and the handle closed. */
	if (CHECK_EQ("channel_create", rv_channel_create(ch), 0)) {
		struct rv_wait_item it = {.handle = ch[0], .signals = RV_SIGNAL_PEER_CLOSED};

		wire_init_request(&w, buf, sizeof(buf), hs, 1, SYSINFO_OP_PROCS);
		wire_put_u32(&w, 0);
		wire_put_handle(&w, ch[1]);
		CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
		CHECK_EQ("a handle for max", malformed_call(h1, buf, msg.num_bytes, hs, 1),
			 -RV_EBADMSG);
		CHECK_EQ("the handle was closed", rv_wait_many(&it, 1, in_ms(2000)), 1);
		rv_handle_close(ch[0]);
	}
	/* Values the kernel refuses. */
	n = page_req(buf, sizeof(buf), SYSINFO_OP_PROCS, 0, 0);
	CHECK_EQ("max 0", malformed_call(h1, buf, n, NULL, 0), -RV_EINVAL);
	n = page_req(buf, sizeof(buf), SYSINFO_OP_PROCS, 0xffffffffu, 1);
	CHECK_EQ("start huge", malformed_call(h1, buf, n, NULL, 0), -RV_EINVAL);
	n = page_req(buf, sizeof(buf), SYSINFO_OP_CHANNELS, CONFIG_MAX_CHANNELS + 1, 1);
	CHECK_EQ("channels: start past the end", malformed_call(h1, buf, n, NULL, 0), -RV_EINVAL);
	/* A huge max is only a wish: the reply holds what fits. */
	n = page_req(buf, sizeof(buf), SYSINFO_OP_PROCS, 0, 0xffffffffu);
	ret = malformed_call(h1, buf, n, NULL, 0);
	CHECK("huge max: a full reply", ret == 1);
	CHECK("still serving others", sysinfo_alive(&h2));
	CHECK("and this connection", sysinfo_alive(&h1));
	printf("si: malformed requests: error replies, the server still serves\n");
}

int main(int argc, char **argv)
{
	rv_handle_t h1, h2, m;
	struct rv_proc_info p;

	if (argc > 1 && !strcmp(argv[1], "idle"))
		return idle_main();
	if (argc > 1 && !strcmp(argv[1], "spin"))
		return spin_main();
	if (argc > 1 && !strcmp(argv[1], "waiter"))
		return waiter_main();
	if (argc > 1 && !strcmp(argv[1], "nap"))
		return nap_main();
	if (argc > 1 && !strcmp(argv[1], "echo"))
		return echo_main();
	if (argc > 1 && !strcmp(argv[1], "client"))
		return client_main();

	self_pid = (int)rv_getpid();
	/* The first process (slot 0) is init. */
	CHECK_EQ("proc_list slot 0", rv_proc_list(&p, 1, 0), 1);
	init_pid = p.pid;
	CHECK("slot 0 is init", !strcmp(p.name, "init") && p.slot == 0);
	CHECK_EQ("connect sysinfo", rv_connect_wait(SYSINFO_SERVICE_NAME, &h1, in_ms(5000)), 0);
	CHECK_EQ("second connection", rv_connect(SYSINFO_SERVICE_NAME, &h2), 0);
	CHECK_EQ("connect math", rv_connect_wait("math", &m, in_ms(5000)), 0);
	bad_list_args();
	process_list(h1);
	cpu_and_pages(h1);
	handle_counts(h1);
	channels(h1);
	paging(h1);
	memory_and_counters(h1);
	many_clients(h1);
	malformed(h1, h2);
	rv_handle_close(m);
	rv_handle_close(h2);
	rv_handle_close(h1);
	return check_report("si");
}
