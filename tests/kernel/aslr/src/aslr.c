/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ASLR (kernel/aslr.c, doc/security.md): where this process's regions
 * are, and those of CHILDREN children, each printed on one line
 *
 *   aslr: pid N stack_top 0x... heap 0x... shm 0x... device 0x...
 *
 * for scripts/aslr_compare.py, which boots the build a second time and
 * compares the lines: with CONFIG_ASLR every region differs between the
 * boots and between the processes of one boot; without, every line is
 * the fixed layout, the same each boot. Here each address is checked
 * against its region: page-aligned, within 2^CONFIG_ASLR_ENTROPY_BITS
 * pages of its fixed address (with CONFIG_ASLR=n: at it). And
 * getrandom, getentropy and arc4random give bytes that differ call after
 * call. A child that overflows its stack faults in the guard under its
 * own (moved) reserve.
 *
 * This is the first program (it holds the device handles). A child runs
 * the same program with argv[1] "child", handle 0 a channel to report its
 * layout on, handle 1 the UART to map.
 */
#include "check.h"
#include <errno.h>
#include <rvos/memory_map.h>
#include <rvos/user.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SELF "aslr"
#define CHILDREN 6
#define PAGE 4096ul
#define SECOND 1000000000ull

#ifdef CONFIG_ASLR
#define SPREAD ((uintptr_t)PAGE << CONFIG_ASLR_ENTROPY_BITS)
#define IS_ASLR 1
#else
#define SPREAD PAGE /* the fixed address only */
#define IS_ASLR 0
#endif /* CONFIG_ASLR */

struct layout {
	uintptr_t stack_top, heap, shm, device;
};

/* The stack's top: the program name sits just below it (kernel/proc.c). */
static uintptr_t stack_top_of(char **argv)
{
	return ((uintptr_t)argv[0] + PAGE) & ~(PAGE - 1);
}

static void measure(char **argv, rv_handle_t uart, struct layout *l)
{
	long shm = rv_shm_create(PAGE), at;
	void *p = malloc(16);

	l->stack_top = stack_top_of(argv);
	l->heap = (uintptr_t)p & ~(PAGE - 1);
	CHECK("shm_create", shm >= 0);
	at = rv_shm_map((rv_handle_t)shm, 1);
	CHECK("shm_map", at > 0);
	l->shm = (uintptr_t)at;
	at = rv_device_map(uart);
	CHECK("device_map of the UART", at > 0);
	l->device = (uintptr_t)at & ~(PAGE - 1);
	free(p);
}

static void print_layout(const struct layout *l)
{
	printf("aslr: pid %ld stack_top 0x%lx heap 0x%lx shm 0x%lx device 0x%lx\n", rv_getpid(),
	       (unsigned long)l->stack_top, (unsigned long)l->heap, (unsigned long)l->shm,
	       (unsigned long)l->device);
}

/* Within its region, at a random page offset (or, without ASLR, at its
 * fixed address). */
static void check_layout(const struct layout *l)
{
	/* The UART's slot index is the kernel's business: its offset from
	 * device slot 0 is a whole number of slots. */
	uintptr_t dev = l->device - RV_DEVICE_BASE;

	CHECK("stack top page-aligned", (l->stack_top & (PAGE - 1)) == 0);
	CHECK("stack top at most RV_USER_STACK_TOP", l->stack_top <= RV_USER_STACK_TOP);
	CHECK("stack top within the spread", RV_USER_STACK_TOP - l->stack_top < SPREAD);
	CHECK("stack guard above the device slots",
	      l->stack_top - CONFIG_USER_STACK_MAX - CONFIG_USER_STACK_GUARD_SIZE >= RV_DEVICE_END);
	CHECK("heap above RV_HEAP_BASE", l->heap >= RV_HEAP_BASE);
	/* malloc's first pages: within a megabyte of the base */
	CHECK("heap within the spread", l->heap - RV_HEAP_BASE < SPREAD + (1ul << 20));
	CHECK("heap's end below the shm slots",
	      l->heap + CONFIG_USER_HEAP_MAX <= RV_SHM_BASE + SPREAD);
	CHECK("shm slot 0 page-aligned", (l->shm & (PAGE - 1)) == 0);
	CHECK("shm slot 0 within the spread",
	      l->shm >= RV_SHM_BASE && l->shm - RV_SHM_BASE < SPREAD);
	CHECK("device mapping page-aligned", (l->device & (PAGE - 1)) == 0);
	CHECK("device mapping within the spread",
	      l->device >= RV_DEVICE_BASE &&
		  dev < SPREAD + CONFIG_MAX_EXPORTED_DEVICES * RV_DEVICE_SLOT_SIZE);
	CHECK("device mapping below RV_DEVICE_END", l->device < RV_DEVICE_END);
	if (!IS_ASLR) {
		CHECK_EQ("fixed stack top", l->stack_top, RV_USER_STACK_TOP);
		CHECK_EQ("fixed shm slot 0", l->shm, RV_SHM_BASE);
		CHECK_EQ("fixed device slots", dev % RV_DEVICE_SLOT_SIZE, 0);
	}
}

static int child(char **argv)
{
	struct layout l;
	struct rv_msg m = {.bytes = &l, .num_bytes = sizeof(l)};

	measure(argv, 1, &l);
	print_layout(&l);
	return rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER) == 0 ? 0 : 1;
}

/* Deeper than any reserve: until the guard. */
static volatile uint64_t no_end = UINT64_MAX;

static uint64_t __attribute__((noinline)) forever(uint64_t n)
{
	volatile uint64_t frame[6];

	frame[0] = n;
	if (n == no_end)
		return 0;
	return forever(n + 1) + frame[0];
}

/* Report the stack's top on handle 0, then overflow the stack. */
static int overflow(char **argv)
{
	uintptr_t top = stack_top_of(argv);
	struct rv_msg m = {.bytes = &top, .num_bytes = sizeof(top)};

	rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER);
	return (int)forever(0);
}

/* The reserve and the guard move with the stack's top: a child that
 * recurses without end faults in the guard under its own reserve. */
static void guard_moves(void)
{
	const char *const args[] = {"overflow", NULL};
	struct rv_exit_info info = {0};
	struct rv_wait_item it = {.signals = RV_SIGNAL_EXITED};
	uintptr_t top = 0, reserve;
	struct rv_msg m = {.bytes = &top, .num_bytes = sizeof(top)};
	rv_handle_t ch[2];
	long proc;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	proc = rv_process_spawn(SELF, args, CONFIG_DEFAULT_PRIORITY, &ch[1], 1);
	CHECK("spawn the overflowing child", proc >= 0);
	if (proc < 0)
		return;
	CHECK_EQ("its stack top", rv_channel_read(ch[0], &m, 0, rv_clock_ns() + 5 * SECOND), 0);
	it.handle = (rv_handle_t)proc;
	CHECK_EQ("it ends", rv_wait_many(&it, 1, rv_clock_ns() + 30 * SECOND), 1);
	CHECK_EQ("exit info", rv_process_exit_info((rv_handle_t)proc, &info), 0);
	reserve = top - CONFIG_USER_STACK_MAX;
	CHECK_EQ("it faulted", info.reason, RV_EXIT_FAULT);
	CHECK("in the guard under its own reserve",
	      info.fault_addr < reserve &&
		  info.fault_addr >= reserve - CONFIG_USER_STACK_GUARD_SIZE);
	printf("aslr: the guard moved with the stack: top 0x%lx, fault at 0x%lx%s\n",
	       (unsigned long)top, (unsigned long)info.fault_addr,
	       info.fault_addr < reserve &&
		       info.fault_addr >= reserve - CONFIG_USER_STACK_GUARD_SIZE
		   ? ", in the guard"
		   : ", NOT in the guard");
	rv_handle_close(ch[0]);
	rv_handle_close((rv_handle_t)proc);
}

static rv_handle_t find_uart(void)
{
	struct rv_device_info info;

	for (rv_handle_t h = 1; h <= CONFIG_MAX_EXPORTED_DEVICES; h++) {
		if (rv_device_info(h, &info) < 0)
			break;
		if (!strcmp(info.name, "uart0"))
			return h;
	}
	return 0;
}

static void random_calls(void)
{
	uint8_t a[32], b[32], big[RV_GETRANDOM_MAX + 1];
	uint32_t x[4];

	CHECK_EQ("getrandom 32", rv_getrandom(a, sizeof(a)), 32);
	CHECK_EQ("getrandom 32 again", rv_getrandom(b, sizeof(b)), 32);
	CHECK("two getrandom calls differ", memcmp(a, b, sizeof(a)) != 0);
	CHECK_EQ("getentropy 32", getentropy(a, sizeof(a)), 0);
	CHECK("getentropy differs from getrandom before", memcmp(a, b, sizeof(a)) != 0);
	errno = 0;
	CHECK_EQ("getentropy 257", getentropy(big, sizeof(big)), -1);
	CHECK_EQ("getentropy 257: EIO", errno, EIO);
	for (int i = 0; i < 4; i++)
		x[i] = arc4random();
	CHECK("arc4random: four values, not all the same",
	      x[0] != x[1] || x[1] != x[2] || x[2] != x[3]);
	CHECK("arc4random_uniform(10) < 10", arc4random_uniform(10) < 10);
	printf("aslr: getrandom, getentropy and arc4random work\n");
}

int main(int argc, char **argv)
{
	struct layout me, kids[CHILDREN];
	rv_handle_t uart;
	unsigned int same = 0;

	if (argc > 1 && !strcmp(argv[1], "child"))
		return child(argv);
	if (argc > 1 && !strcmp(argv[1], "overflow"))
		return overflow(argv);
	uart = find_uart();
	CHECK("uart0 is a device handle", uart);
	measure(argv, uart, &me);
	print_layout(&me);
	check_layout(&me);
	for (int i = 0; i < CHILDREN; i++) {
		const char *const args[] = {"child", NULL};
		rv_handle_t ch[2], give[2];
		struct rv_msg m = {.bytes = &kids[i], .num_bytes = sizeof(kids[i])};
		long pid, dup = rv_handle_duplicate(uart, RV_RIGHT_MAP | RV_RIGHT_TRANSFER);

		CHECK_EQ("channel_create", rv_channel_create(ch), 0);
		CHECK("a UART handle for the child", dup >= 0);
		give[0] = ch[1];
		give[1] = (rv_handle_t)dup;
		pid = rv_process_spawn(SELF, args, CONFIG_DEFAULT_PRIORITY, give, 2);
		CHECK("spawn a child", pid >= 0);
		CHECK_EQ("the child's layout",
			 rv_channel_read(ch[0], &m, 0, rv_clock_ns() + 5 * SECOND), 0);
		CHECK_EQ("... all of it", m.num_bytes, sizeof(kids[i]));
		check_layout(&kids[i]);
		rv_handle_close(ch[0]);
		if (pid >= 0)
			rv_handle_close((rv_handle_t)pid);
	}
	/* Between processes: with ASLR, two processes sharing a region's
	 * address has a chance of 1 in 2^bits per pair. */
	for (int i = 0; i < CHILDREN; i++) {
		same += kids[i].stack_top == me.stack_top;
		same += kids[i].shm == me.shm;
		same += kids[i].device == me.device;
		same += kids[i].heap == me.heap;
	}
	printf("aslr: %d processes, %u region addresses the same as the first process's\n",
	       CHILDREN + 1, same);
	if (IS_ASLR)
		CHECK("each process its own layout", same <= 1);
	else
		CHECK_EQ("every process the same layout", same, 4 * CHILDREN);
	guard_moves();
	random_calls();
	return check_report("aslr");
}
