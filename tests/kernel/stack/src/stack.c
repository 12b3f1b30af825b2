/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stacks that grow (kernel/vm.c, as_stack_grow; doc/memory-map.md). Run
 * with no argument it is the parent (the first program): it spawns itself
 * once per mode, waits, and checks how each child ended and what it cost.
 * Both run the same binary, so the parent knows the child's layout.
 *
 *   idle      sleeps: the parent counts its pages (proc_list) and the
 *             frames its spawn took (kstats): the program's pages, the
 *             CONFIG_USER_STACK_SIZE mapped at spawn and the page tables
 *             of the two, as before stacks could grow
 *   deep      recursion 100,000 levels deep with 64-byte frames (6.4 MB):
 *             the right result, the stack's pages counted exactly
 *   overflow  recursion without end: ended in the guard, "stack overflow"
 *   buffers   system calls reading and writing a 256 KiB buffer on the
 *             stack whose pages were never touched
 *   bench     instructions per stack page first touched (BENCH line)
 *   exit5     exits with status 5 (the buffers child waits for it)
 * Built as stackoom (-DSTACK_OOM) the parent runs overflow alone, for
 * the scenarios with other reserves: one larger than RAM (the child is
 * ended when no frame is left, and every frame comes back) and the
 * smallest.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <rvos/memory_map.h>
#include <rvos/user.h>
#include "bench.h"
#include "check.h"

#define PAGE 4096ul
#define STACK_PAGES (CONFIG_USER_STACK_SIZE / PAGE)
/* The lowest byte mapped at spawn. */
#define BOTTOM0 (RV_USER_STACK_TOP - CONFIG_USER_STACK_SIZE)
#define CAUSE_STORE_PAGE_FAULT 15

#ifndef STACK_OOM
#define STACK_OOM 0
#endif
/* stackoom: the parent checks the overflow alone. */
static const int overflow_only = STACK_OOM;

#define DEPTH 100000
#define BUFFER_BYTES (256 * 1024)
#define BENCH_PAGES 256
/* Instructions per page first touched: the trap, a frame zeroed, the
 * entry written and fenced, the return (a little above the figure). */
#define BUDGET_STACK_GROW_PAGE 1300

extern char _end[]; /* the end of the program's last segment, page-aligned (lib/user.ld) */

static const char *self;

static uintptr_t page_of(uintptr_t a)
{
	return a & ~(PAGE - 1);
}

static uintptr_t sp_now(void)
{
	uintptr_t sp;

	__asm__ volatile("mv %0, sp" : "=r"(sp));
	return sp;
}

/* The pages proc_list counts for process pid (-1: not found). */
static long pages_of(int pid)
{
	struct rv_proc_info rec;

	for (uint32_t slot = 0; rv_proc_list(&rec, 1, slot) == 1; slot = rec.slot + 1)
		if (rec.pid == pid)
			return rec.user_pages;
	return -1;
}

static long own_pages(void)
{
	return pages_of((int)rv_getpid());
}

/* ---- the children ---- */

static volatile uintptr_t lowest_sp;

/* 64 bytes a level: 48 of locals, the return address and the frame
 * pointer. The locals are read after the call returns, so no
 * optimisation can turn the recursion into a loop. */
static uint64_t __attribute__((noinline)) down(uint32_t n)
{
	volatile uint64_t frame[6];
	uint64_t r;

	frame[0] = n;
	frame[5] = 1;
	if (n == 0) {
		lowest_sp = sp_now();
		/* a load at sp: its page is mapped, as deep as the recursion went */
		(void)*(volatile uint8_t *)lowest_sp;
		return 0;
	}
	r = down(n - 1);
	return r + frame[0] + frame[5] - 1;
}

/* Each level 64 bytes deeper than its caller (measured, not assumed). */
static uintptr_t frame_bytes(void)
{
	uintptr_t a, b;

	down(0);
	a = lowest_sp;
	down(1);
	b = lowest_sp;
	return a - b;
}

static int child_deep(void)
{
	uint64_t sum, want = (uint64_t)DEPTH * (DEPTH + 1) / 2;
	uintptr_t frame = frame_bytes();
	long before = own_pages(), after, grown;

	sum = down(DEPTH);
	after = own_pages();
	grown = (long)((BOTTOM0 - page_of(lowest_sp)) / PAGE);
	printf("stack: %u levels of %lu-byte frames: sum %llu, %lu KiB of stack, %ld pages grown\n",
	       DEPTH, (unsigned long)frame, (unsigned long long)sum,
	       (unsigned long)((RV_USER_STACK_TOP - lowest_sp) >> 10), after - before);
	CHECK("frames of 64 bytes at least", frame >= 64);
	CHECK_EQ("the sum of 1..100000", sum, want);
	CHECK("the stack went 6.4 MB deep", RV_USER_STACK_TOP - lowest_sp >= (uintptr_t)DEPTH * 64);
	/* The reserve is mapped from the deepest page touched up to the part
	 * mapped at spawn, each page counted once. */
	CHECK_EQ("pages grown: from the deepest page up to the spawn's stack", after - before, grown);
	return check_report("deep");
}

/* Deeper than any reserve: until the guard (or no frame is left). */
static volatile uint64_t no_end = UINT64_MAX;

static uint64_t __attribute__((noinline)) forever(uint64_t n)
{
	volatile uint64_t frame[6];

	frame[0] = n;
	if (n == no_end)
		return 0;
	return forever(n + 1) + frame[0];
}

/* What buffer_calls saw: it calls no function (its callees' frames would
 * lie below its buffer and touch it), so it leaves everything here, in its
 * caller's frame, for the checks. */
struct buffer_results {
	uint32_t slot;                     /* in: the process's slot (proc_list) */
	uintptr_t lo;                      /* the buffer's lowest byte */
	uintptr_t at[6];                   /* where each call reached, highest first */
	long pages[7];                     /* proc_list's count before and after each call */
	long load, read, list, write, readback, wait, kstats; /* what each returned */
	uint32_t read_bytes, read_bad, readback_zeros, procs_max;
	int32_t exit_code;
	struct rv_proc_info rec;           /* proc_list's record of the process */
};

/* The process's pages now (an inline system call: no frame of its own). */
#define PAGES_NOW(r) (rv_proc_list(&(r)->rec, 1, (r)->slot) == 1 ? (long)(r)->rec.user_pages : -1L)

static rv_handle_t ends[2];
static uint8_t payload[CONFIG_MSG_MAX_BYTES], back[CONFIG_MSG_MAX_BYTES];
static const char exit5_args[] = "exit5";

/* A 256 KiB buffer on the stack, its lower pages never touched: each
 * system call below writes or reads a place lower than the one before,
 * so each first touch of its pages is the kernel's. Only inline system
 * calls and plain loops: no function call. */
static void __attribute__((noinline)) buffer_calls(struct buffer_results *r)
{
	uint8_t big[BUFFER_BYTES] __attribute__((aligned(16)));
	uintptr_t lo = (uintptr_t)big;
	struct rv_msg *m, *z;
	uint8_t *bytes;

	r->lo = lo;
	for (unsigned int i = 0; i < 6; i++)
		r->at[i] = lo + 4096 + (5 - i) * 32768;
	r->pages[0] = PAGES_NOW(r);

	/* 1. a load of the program's own: zero, its page mapped */
	r->load = *(volatile uint8_t *)r->at[0];
	r->pages[1] = PAGES_NOW(r);

	/* 2. channel_read of CONFIG_MSG_MAX_BYTES into untouched pages (the
	 * struct above them, written first) */
	bytes = (uint8_t *)(r->at[1] - 100);
	m = (struct rv_msg *)(r->at[1] + sizeof(payload) + 4096);
	m->bytes = bytes;
	m->num_bytes = sizeof(payload);
	m->num_handles = 0;
	m->handles = 0;
	r->pages[2] = PAGES_NOW(r);
	r->read = rv_channel_read(ends[1], m, 0, 0);
	r->read_bytes = m->num_bytes;
	r->read_bad = 0;
	for (size_t i = 0; i < sizeof(payload); i++)
		r->read_bad += bytes[i] != payload[i];
	r->pages[3] = PAGES_NOW(r);

	/* 3. proc_list: every slot's record */
	r->list = rv_proc_list((struct rv_proc_info *)r->at[2], CONFIG_MAX_PROCS, 0);
	r->pages[4] = PAGES_NOW(r);

	/* 4. channel_write from untouched pages: the kernel reads zeros (the
	 * struct in the page of step 3) */
	z = (struct rv_msg *)(r->at[2] + CONFIG_MAX_PROCS * sizeof(struct rv_proc_info));
	z->bytes = (void *)r->at[3];
	z->num_bytes = sizeof(payload);
	z->num_handles = 0;
	z->handles = 0;
	r->write = rv_channel_write(ends[0], z, 0, 0);
	z->bytes = back;
	r->readback = rv_channel_read(ends[1], z, 0, 0);
	r->readback_zeros = 0;
	for (size_t i = 0; i < sizeof(back); i++)
		r->readback_zeros += back[i] == 0;
	r->pages[5] = PAGES_NOW(r);

	/* 5. wait's exit information, 6. kstats */
	r->wait = rv_spawn_raw(self, exit5_args, sizeof(exit5_args), CONFIG_DEFAULT_PRIORITY);
	if (r->wait > 0)
		r->wait = rv_wait((int)r->wait, (struct rv_exit_info *)r->at[4]);
	r->exit_code = ((struct rv_exit_info *)r->at[4])->code;
	r->kstats = rv_kstats((struct rv_kstats *)r->at[5]);
	r->procs_max = ((struct rv_kstats *)r->at[5])->procs_max;
	r->pages[6] = PAGES_NOW(r);
}

/* The pages from a's page up to the spawn's stack. */
static long grown_to(uintptr_t a)
{
	return (long)((BOTTOM0 - page_of(a)) / PAGE);
}

static int child_buffers(void)
{
	struct buffer_results r = { 0 };
	struct rv_proc_info rec;
	struct rv_msg out = { .bytes = payload, .num_bytes = sizeof(payload) };
	long p0;

	for (uint32_t slot = 0; rv_proc_list(&rec, 1, slot) == 1; slot = rec.slot + 1)
		if (rec.pid == rv_getpid())
			r.slot = rec.slot;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	memset(back, 0xee, sizeof(back));
	CHECK_EQ("channel_create", rv_channel_create(ends), 0);
	CHECK_EQ("channel_write", rv_channel_write(ends[0], &out, 0, 0), 0);
	p0 = PAGES_NOW(&r);
	buffer_calls(&r);

	CHECK("the calls reach from 28 KiB below the spawn's stack into the buffer",
	      r.at[0] + 4096 <= BOTTOM0 - 4 * PAGE && r.at[5] >= r.lo);
	CHECK_EQ("entering the function touched none of it", r.pages[0], p0);
	CHECK_EQ("a load from an untouched page", r.load, 0);
	CHECK_EQ("pages after the load", r.pages[1] - p0, grown_to(r.at[0]));
	CHECK_EQ("pages after writing the struct", r.pages[2] - p0,
		 grown_to(r.at[1] + sizeof(payload) + 4096));
	CHECK_EQ("channel_read into untouched stack pages", r.read, 0);
	CHECK_EQ("all of the message", r.read_bytes, sizeof(payload));
	CHECK_EQ("the message's bytes, wrong", r.read_bad, 0);
	CHECK_EQ("pages after channel_read", r.pages[3] - p0, grown_to(r.at[1] - 100));
	CHECK("proc_list into untouched stack pages", r.list >= 2);
	CHECK_EQ("pages after proc_list", r.pages[4] - p0, grown_to(r.at[2]));
	CHECK_EQ("channel_write from untouched stack pages", r.write, 0);
	CHECK_EQ("its message read back", r.readback, 0);
	CHECK_EQ("the kernel read zeros", r.readback_zeros, sizeof(back));
	CHECK_EQ("pages after channel_write", r.pages[5] - p0, grown_to(r.at[3]));
	CHECK("wait into untouched stack pages", r.wait > 0);
	CHECK_EQ("the child's status", r.exit_code, 5);
	CHECK_EQ("kstats into untouched stack pages", r.kstats, 0);
	CHECK_EQ("kstats' procs_max", r.procs_max, CONFIG_MAX_PROCS);
	CHECK_EQ("pages after wait and kstats", r.pages[6] - p0, grown_to(r.at[5]));

	/* In the guard: -EFAULT, nothing mapped. */
	CHECK_EQ("kstats into the guard", rv_kstats((void *)(RV_USER_STACK_GUARD_BASE + 64)),
		 -RV_EFAULT);
	CHECK_EQ("debug_write from the guard into the reserve",
		 rv_debug_write((void *)(RV_USER_STACK_RESERVE_BASE - 8), 16), -RV_EFAULT);
	CHECK_EQ("pages after the guard's -EFAULTs", PAGES_NOW(&r), r.pages[6]);
	printf("stack: system calls into a 256 KiB stack buffer: %ld pages mapped as they "
	       "reached them\n", r.pages[6] - p0);
	return check_report("buffers");
}

/* Store into pages pages from first down, one byte each. */
static void __attribute__((noinline)) touch_down(uintptr_t first, unsigned int pages)
{
	for (unsigned int i = 0; i < pages; i++)
		*(volatile uint8_t *)(first - i * PAGE) = 1;
}

static int child_bench(void)
{
	uintptr_t first = BOTTOM0 - PAGE;
	uint64_t t0, t1, t2, per;
	long p0 = own_pages();

	bench_start();
	t0 = rv_instret();
	touch_down(first, BENCH_PAGES); /* each store: a fault, a page */
	t1 = rv_instret();
	touch_down(first, BENCH_PAGES); /* the loop alone */
	t2 = rv_instret();
	per = ((t1 - t0) - (t2 - t1)) / BENCH_PAGES;
	CHECK_EQ("one page per store", own_pages() - p0, BENCH_PAGES);
	printf("stack: %u pages first touched one by one below the stack\n", BENCH_PAGES);
	bench_report("stack_grow_page", per, NULL, BUDGET_STACK_GROW_PAGE);
	return check_report("bench") | bench_failed;
}

static int child(const char *mode)
{
	if (!strcmp(mode, "idle"))
		rv_sleep_ns(600ull * 1000000000ull);
	else if (!strcmp(mode, "deep"))
		return child_deep();
	else if (!strcmp(mode, "overflow"))
		return (int)forever(0);
	else if (!strcmp(mode, "buffers"))
		return child_buffers();
	else if (!strcmp(mode, "bench"))
		return child_bench();
	else if (!strcmp(mode, "exit5"))
		return 5;
	printf("stack: unknown mode %s\n", mode);
	return 99;
}

/* ---- the parent ---- */

static long spawn(const char *mode)
{
	const char *const args[] = { mode, NULL };

	return rv_spawn(self, args, CONFIG_DEFAULT_PRIORITY);
}

/* Is the reserve larger than all of RAM (frames run out before the guard)? */
static int reserve_beyond_ram(void)
{
	struct rv_kstats k;

	rv_kstats(&k);
	return (uint64_t)k.frames_total * PAGE < CONFIG_USER_STACK_MAX;
}

static void run(const char *mode, int reason, int code)
{
	struct rv_exit_info info;
	long pid = spawn(mode);
	char what[80];

	snprintf(what, sizeof(what), "%s: spawn", mode);
	if (!CHECK(what, pid > 0))
		return;
	snprintf(what, sizeof(what), "%s: wait", mode);
	CHECK_EQ(what, rv_wait((int)pid, &info), pid);
	snprintf(what, sizeof(what), "%s: how it ended (reason)", mode);
	CHECK_EQ(what, info.reason, reason);
	snprintf(what, sizeof(what), "%s: exit status or cause", mode);
	CHECK_EQ(what, info.code, code);
	if (reason != RV_EXIT_FAULT)
		return;
	if (reserve_beyond_ram()) {
		/* no frame left: somewhere in the reserve, below the spawn's stack */
		snprintf(what, sizeof(what), "%s: fault address 0x%lx in the reserve", mode,
			 (unsigned long)info.fault_addr);
		CHECK(what, info.fault_addr >= RV_USER_STACK_RESERVE_BASE &&
			    info.fault_addr < BOTTOM0);
	} else {
		snprintf(what, sizeof(what), "%s: fault address 0x%lx in the guard's top page",
			 mode, (unsigned long)info.fault_addr);
		CHECK(what, info.fault_addr >= RV_USER_STACK_RESERVE_BASE - PAGE &&
			    info.fault_addr < RV_USER_STACK_RESERVE_BASE);
	}
}

/* Page tables of a new process: the root, and a table per gigabyte and
 * per 2 MiB the program and the spawn's stack span. */
static unsigned long tables_of(uintptr_t lo, uintptr_t hi)
{
	return ((hi - 1) >> 30) - (lo >> 30) + 1 + ((hi - 1) >> 21) - (lo >> 21) + 1;
}

static void check_idle_pages(void)
{
	unsigned long program = ((uintptr_t)_end - RV_USER_TEXT_BASE) / PAGE;
	unsigned long tables = 1 + tables_of(RV_USER_TEXT_BASE, (uintptr_t)_end) +
			       tables_of(BOTTOM0, RV_USER_STACK_TOP);
	struct rv_kstats k0, k1;
	struct rv_exit_info info;
	long pid, pages;

	rv_kstats(&k0);
	pid = spawn("idle");
	rv_sleep_ns(10000000); /* it runs, and sleeps */
	rv_kstats(&k1);
	pages = pages_of((int)pid);
	CHECK_EQ("idle: pages of a process that never grew its stack", pages,
		 program + STACK_PAGES);
	CHECK_EQ("idle: user frames its spawn took", k1.frames_user - k0.frames_user, pages);
	CHECK_EQ("idle: page-table frames its spawn took",
		 k1.frames_page_tables - k0.frames_page_tables, tables);
	printf("stack: a process that never grows its stack: %ld pages (%lu of the program + %lu "
	       "of stack, CONFIG_USER_STACK_SIZE) and %lu page tables, as before\n",
	       pages, program, (unsigned long)STACK_PAGES, tables);
	CHECK_EQ("idle: kill", rv_kill((int)pid), 0);
	CHECK_EQ("idle: wait", rv_wait((int)pid, &info), pid);
}

/* A child that ends in the guard (or out of frames): one line on the
 * console, the fault for wait, every frame back. */
static void check_overflow(void)
{
	struct rv_kstats k0, k1;

	rv_kstats(&k0);
	run("overflow", RV_EXIT_FAULT, CAUSE_STORE_PAGE_FAULT);
	rv_kstats(&k1);
	CHECK_EQ("overflow: every frame back", k1.frames_free, k0.frames_free);
	printf("stack: the overflowing child was ended, %lu frames back; the system goes on\n",
	       (unsigned long)k1.frames_free);
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc > 1)
		return child(argv[1]);
	printf("stack: reserve %u KiB, %u KiB mapped at spawn, guard %u KiB\n",
	       CONFIG_USER_STACK_MAX >> 10, CONFIG_USER_STACK_SIZE >> 10,
	       CONFIG_USER_STACK_GUARD_SIZE >> 10);
	if (!overflow_only) {
		check_idle_pages();
		run("deep", RV_EXIT_NORMAL, 0);
	}
	check_overflow();
	if (!overflow_only) {
		run("buffers", RV_EXIT_NORMAL, 0);
		run("bench", RV_EXIT_NORMAL, 0);
	}
	return check_report("stack");
}
