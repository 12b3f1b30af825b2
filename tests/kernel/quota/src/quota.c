/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-process page quotas (doc/security.md, "Quotas"). quota spawns
 * itself with a role as argv[1]:
 *   heap     mem_grow until ENOMEM: it stops at its quota (user pages and
 *            page tables together), writes one byte on handle 0, waits
 *            until the parent closes it;
 *   grow     takes 4 MiB of heap (another process still allocates while
 *            the heap child holds its whole quota);
 *   first    one mem_grow(4096) before anything else: exit 0 if it worked,
 *            12 on ENOMEM (the parent sets the quota to what it holds + 2
 *            or + 3: the heap's first page needs two page tables);
 *   shm      maps the 4-page region given as handle 1: exit 0 if mapped,
 *            12 on ENOMEM (quota + 5 or + 6: 4 pages and 2 tables), and
 *            after a refused map it holds what it held before;
 *   stack    recursion without end: the stack grows until the quota and
 *            the process ends with "over its page quota";
 *   manifest (tests/kernel/quota, kernel.quota.manifest: started by init
 *            with pages=300) its quota is 300 and mem_grow stops there.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <rvos/user.h>
#include "check.h"

#define PRIO 9 /* below the parent (CONFIG_DEFAULT_PRIORITY 8): it runs first */
#define PAGE 4096

static uint32_t used(const struct rv_proc_info *p)
{
	return p->user_pages + p->table_pages + p->shm_pages;
}

/* proc_list's record of this process, or (child) of its child that has
 * not run yet (its priority is below this one's); zeros if none. */
static struct rv_proc_info find(bool child)
{
	static struct rv_proc_info list[CONFIG_MAX_PROCS];
	struct rv_proc_info none = {0};
	int me = (int)rv_getpid();
	long n = rv_proc_list(list, CONFIG_MAX_PROCS, 0);

	for (long i = 0; i < n; i++) {
		if (child ? list[i].parent_pid == me && list[i].state == RV_PROC_READY
			  : list[i].pid == me)
			return list[i];
	}
	return none;
}

static struct rv_proc_info self_info(void)
{
	return find(false);
}

/* Take heap until ENOMEM, in halving steps down to one page. */
static uint64_t take_all(void)
{
	uint64_t got = 0;
	long r = 0;

	for (uint64_t size = 16ull << 20; size >= PAGE; size /= 2) {
		while ((r = rv_mem_grow(size)) > 0)
			got += size;
		CHECK_EQ("mem_grow past the quota", r, -RV_ENOMEM);
	}
	return got;
}

static int role_heap(void)
{
	struct rv_proc_info me;
	struct rv_kstats k;
	uint64_t got = take_all();
	uint8_t b = 1;
	struct rv_msg m = {.bytes = &b, .num_bytes = 1};

	me = self_info();
	rv_kstats(&k);
	printf("quota: heap child: ENOMEM after %llu KiB of heap, holding %u of its %u pages "
	       "(%u user, %u page tables); %llu frames still free\n",
	       (unsigned long long)(got >> 10), used(&me), me.max_pages, me.user_pages,
	       me.table_pages, (unsigned long long)k.frames_free);
	/* the last page may have needed a page table too: 1 page short at most */
	CHECK("it holds its whole quota, not more", used(&me) <= me.max_pages &&
						    used(&me) + 1 >= me.max_pages);
	CHECK("frames are left for the others", k.frames_free > 256);
	CHECK_EQ("report", rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER), 0);
	m.num_bytes = 1;
	while (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) != -RV_EPEERCLOSED)
		m.num_bytes = 1;
	return checks_failed ? 1 : 0;
}

static int role_grow(void)
{
	long at = rv_mem_grow(4 << 20);

	if (at < 0)
		return 2;
	memset((void *)at, 0x5a, 4 << 20);
	return 0;
}

static int role_first(void)
{
	long r = rv_mem_grow(PAGE);

	return r == -RV_ENOMEM ? 12 : r > 0 ? 0 : 1;
}

static int role_shm(void)
{
	struct rv_proc_info before = self_info(), after;
	long r = rv_shm_map(1, 1);

	after = self_info();
	if (r == -RV_ENOMEM)
		return used(&after) == used(&before) && after.shm_pages == 0 ? 12 : 3;
	if (r < 0)
		return 1;
	/* mapped: 4 shared pages and 2 page tables more, all counted */
	return after.shm_pages == 4 && used(&after) == used(&before) + 6 ? 0 : 4;
}

static volatile uint64_t sink;

/* Recursion that ends only when sink is 0 at depth 2^63: never. */
static uint64_t deep(uint64_t n)
{
	volatile uint8_t frame[1024];

	frame[0] = (uint8_t)n;
	sink += frame[0];
	if (n == (1ull << 63) && sink == 0)
		return 0;
	return deep(n + 1) + frame[0];
}

static int role_manifest(void)
{
	struct rv_proc_info me = self_info();
	uint64_t got;

	/* init lowers the quota right after the spawn returns: a child of
	 * init's priority can run first when init's time slice ends in
	 * between (seen under load, QEMU's clock being the host's). Give
	 * init the hart until it has; it must within a few slices. */
	for (int i = 0; i < 100 && me.max_pages != 300; i++) {
		rv_yield();
		me = self_info();
	}
	CHECK_EQ("pages=300 from the manifest", me.max_pages, 300);
	got = take_all();
	me = self_info();
	printf("quota: manifest child: quota %u pages, ENOMEM after %llu KiB of heap, "
	       "holding %u\n", me.max_pages, (unsigned long long)(got >> 10), used(&me));
	CHECK("it stops at 300", used(&me) <= 300 && used(&me) + 1 >= 300);
	return check_report("manifest");
}

/* Spawn quota ROLE with handles give[0..n-1]; the process handle. */
static long spawn(const char *role, rv_handle_t *give, uint32_t n)
{
	const char *const argv[] = {role, NULL};

	return rv_process_spawn("quota", argv, PRIO, give, n);
}

static long wait_end(rv_handle_t proc, struct rv_exit_info *info)
{
	while (rv_process_exit_info(proc, info) == -RV_EAGAIN)
		rv_sleep_ns(1000000);
	return info->reason == RV_EXIT_NORMAL ? info->code : -1000 - (long)info->reason;
}

/* A child whose quota is set to what it holds + extra before it runs;
 * its exit status. */
static long run_with_margin(const char *role, uint32_t extra, rv_handle_t *give, uint32_t n,
			    struct rv_exit_info *info)
{
	long proc = spawn(role, give, n);
	struct rv_proc_info child;
	long r;

	if (proc < 0)
		return proc;
	child = find(true);
	r = rv_process_limit((rv_handle_t)proc, RV_LIMIT_PAGES, used(&child) + extra);
	CHECK_EQ("process_limit", r, 0);
	r = wait_end((rv_handle_t)proc, info);
	rv_handle_close((rv_handle_t)proc);
	return r;
}

int main(int argc, char **argv)
{
	struct rv_proc_info me;
	struct rv_exit_info info;
	rv_handle_t ch[2];
	struct rv_kstats k0, k1;
	uint8_t b;
	struct rv_msg m = {.bytes = &b, .num_bytes = 1};
	long proc, r, shm;

	if (argc > 1 && !strcmp(argv[1], "first"))
		return role_first(); /* before anything else touches the heap */
	if (argc > 1 && !strcmp(argv[1], "heap"))
		return role_heap();
	if (argc > 1 && !strcmp(argv[1], "grow"))
		return role_grow();
	if (argc > 1 && !strcmp(argv[1], "shm"))
		return role_shm();
	if (argc > 1 && !strcmp(argv[1], "stack"))
		return (int)deep(0);
	if (CONFIG_INIT_PROGRAM[0] == 'i')
		return role_manifest();

	me = self_info();
	printf("quota: CONFIG_PROC_MAX_PAGES %d; this process: %u user pages, %u page tables, "
	       "%u shared, quota %u\n", CONFIG_PROC_MAX_PAGES, me.user_pages, me.table_pages,
	       me.shm_pages, me.max_pages);
	CHECK_EQ("the first process's quota", me.max_pages, CONFIG_PROC_MAX_PAGES);
	CHECK("page tables are counted", me.table_pages >= 4);
	rv_kstats(&k0);

	/* 1. A process that allocates without bound stops at its quota;
	 * another still allocates while it holds it. */
	CHECK_EQ("channel", rv_channel_create(ch), 0);
	proc = spawn("heap", &ch[1], 1);
	CHECK("spawn heap", proc >= 0);
	CHECK_EQ("the heap child stopped", rv_channel_read(ch[0], &m, 0, RV_DEADLINE_NEVER), 0);
	{
		long other = spawn("grow", NULL, 0);
		CHECK_EQ("another process allocates 4 MiB meanwhile",
			 wait_end((rv_handle_t)other, &info), 0);
		rv_handle_close((rv_handle_t)other);
	}
	CHECK("and so does this one", rv_mem_grow(1 << 20) > 0);
	rv_handle_close(ch[0]);
	CHECK_EQ("the heap child's checks", wait_end((rv_handle_t)proc, &info), 0);
	rv_handle_close((rv_handle_t)proc);
	printf("quota: another process allocated 4 MiB while it held its quota\n");

	/* 2. A quota lowered with process_limit: page tables count (the
	 * heap's first page needs 2 tables and the page). */
	CHECK_EQ("quota + 2: the first heap page is ENOMEM", run_with_margin("first", 2, NULL, 0, &info), 12);
	CHECK_EQ("quota + 3: it fits", run_with_margin("first", 3, NULL, 0, &info), 0);
	printf("quota: lowered by process_limit: the first heap page needs 3 pages (2 tables)\n");

	/* 3. Shared memory counts: 4 pages + 2 tables. */
	shm = rv_shm_create(4 * PAGE);
	CHECK("shm_create", shm >= 0);
	for (uint32_t extra = 5; extra <= 6; extra++) {
		rv_handle_t give[2];

		CHECK_EQ("channel", rv_channel_create(ch), 0);
		give[0] = ch[1];
		give[1] = (rv_handle_t)rv_handle_duplicate((rv_handle_t)shm,
							   RV_RIGHTS_ALL & ~RV_RIGHT_MANAGE & ~RV_RIGHT_DMA);
		/* + 5: shm_map is ENOMEM, nothing kept; + 6: mapped, 6 pages counted */
		CHECK_EQ("shm_map within the quota", run_with_margin("shm", extra, give, 2, &info),
			 extra == 5 ? 12 : 0);
		rv_handle_close(ch[0]);
	}
	rv_handle_close((rv_handle_t)shm);
	printf("quota: a shared region's pages and its page tables count\n");

	/* 4. The stack grows until the quota: the child ends, the system
	 * goes on. */
	r = run_with_margin("stack", 64, NULL, 0, &info);
	CHECK_EQ("the stack child faults", r, -1000 - RV_EXIT_FAULT);
	CHECK_EQ("with a store page fault", info.code, 15);
	rv_kstats(&k1);
	/* every child's frames came back: this process took 1 MiB + 1 page
	 * of heap and their page tables meanwhile, nothing else is left */
	CHECK("the children's frames are back", k0.frames_free - k1.frames_free <= 256 + 4);
	CHECK("and the system goes on", rv_mem_grow(PAGE) > 0);
	printf("quota: the stack child was ended at its quota; the system goes on\n");
	return check_report("quota");
}
