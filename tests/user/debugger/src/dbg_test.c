/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process debugger's test (doc/debugging.md, "The process debugger").
 * dbg_test is the debugger; started by itself as `dbg_test target` (or
 * `quiet`) it is the debuggee, the same ELF at the same addresses, so the
 * debugger knows where target_func, secret and step_block's labels are.
 * `dbg_test subdbg` is a debugger the main one kills while it is attached.
 *
 * Debuggees are started at priority 10, below the debugger's 8: they
 * cannot run before the debugger blocks, so ATTACH right after the spawn
 * stops them at their first instruction.
 */
#include <stdio.h>
#include <string.h>
#include <rvos/dbg.h>
#include <rvos/user.h>
#include "check.h"

#define MS 1000000ull
#define TARGET_PRIO 10
#if CONFIG_NUM_PRIORITIES < TARGET_PRIO + 2
#error "dbg_test needs priorities 8, 10 and 11 (CONFIG_NUM_PRIORITIES >= 12)"
#endif

extern char _start[];
extern char sb_0[], sb_1[], sb_2[], sb_3[], sb_4[], sb_5[], sb_6[], sb_7[],
	sb_8[], sb_9[], sb_10[], sb_11[], sb_12[], sb_13[], sb_14[], sb_15[], sb_16[], sb_17[],
	sb_18[], sb_19[], sb_20[], sb_21[], sb_loop[];
void step_block(void);

volatile long secret = 7;
volatile long result;
volatile uintptr_t fault_addr = 8;

__attribute__((noinline)) long target_func(long x)
{
	return x * 2 + secret;
}

static void say(const char *s)
{
	rv_debug_write(s, strlen(s));
}

/* ---- the debuggees ---- */

static int target_main(void)
{
	result = target_func(5);
	step_block();
	volatile long *bad = (volatile long *)fault_addr;

	*bad = 1; /* a fault: the debugger steps over it */
	return (int)result;
}

static int sleeper_main(void)
{
	while (result >= 0) {
		rv_sleep_ns(20 * MS);
		result++;
	}
	return 0;
}

/* wait_many with a deadline on handle 0 (a channel end), round and round */
static int waiter_main(void)
{
	while (result >= 0) {
		struct rv_wait_item it = {.handle = 0, .signals = RV_SIGNAL_READABLE};

		rv_wait_many(&it, 1, rv_clock_ns() + 20 * MS);
		result++;
	}
	return 0;
}

static int quiet_main(void)
{
	char line[64];

	result = target_func(5);
	snprintf(line, sizeof(line), "dbg_test: quiet target ends with %ld\n", result);
	say(line);
	return (int)result;
}

/* ---- helpers ---- */

static long spawn(const char *mode)
{
	const char *argv[] = {mode, NULL};

	return rv_process_spawn("dbg_test", argv, TARGET_PRIO, NULL, 0);
}

static long dbg(unsigned int op, rv_handle_t h, uint64_t a2, uint64_t a3, uint64_t a4)
{
	return rv_debug(op, h, a2, a3, a4);
}

static uint64_t deadline(void)
{
	return rv_clock_ns() + 5000 * MS;
}

static long exit_code(rv_handle_t h)
{
	struct rv_wait_item it = {.handle = h, .signals = RV_SIGNAL_EXITED};
	struct rv_exit_info info;

	if (rv_wait_many(&it, 1, deadline()) < 0 || rv_process_exit_info(h, &info) < 0)
		return -1000;
	return info.reason == RV_EXIT_NORMAL ? info.code : -2000 - info.code;
}

/* ---- the scenarios ---- */

/* Attach at the first instruction, a breakpoint, registers and memory
 * read and changed, single step through step_block, a fault. */
static void test_target(void)
{
	struct rv_dbg_regs regs;
	struct rv_dbg_stop stop;
	uint16_t half = 0;
	long v = 0, h = spawn("target");
	const uint64_t expect[] = {
		(uint64_t)sb_1,  (uint64_t)sb_2,  (uint64_t)sb_3,  (uint64_t)sb_4,    (uint64_t)sb_5,
		(uint64_t)sb_6,  (uint64_t)sb_7,  (uint64_t)sb_8,  (uint64_t)sb_9,    (uint64_t)sb_10,
		(uint64_t)sb_11, (uint64_t)sb_12, (uint64_t)sb_13, (uint64_t)sb_14,   (uint64_t)sb_15,
		(uint64_t)sb_16, (uint64_t)sb_17, (uint64_t)sb_18, (uint64_t)sb_19,   (uint64_t)sb_loop,
		(uint64_t)sb_20, (uint64_t)sb_loop, (uint64_t)sb_20, (uint64_t)sb_loop, (uint64_t)sb_20,
		(uint64_t)sb_21};
	unsigned int n = sizeof(expect) / sizeof(expect[0]), loops = 0, wrong = 0;
	uint64_t ra;

	CHECK("spawn", h >= 0);
	CHECK_EQ("attach", dbg(RV_DBG_ATTACH, h, 0, 0, 0), 0);
	CHECK_EQ("attach twice", dbg(RV_DBG_ATTACH, h, 0, 0, 0), -RV_EBUSY);
	CHECK_EQ("stopped at once", rv_dbg_wait(h, deadline(), &stop), 0);
	CHECK_EQ("reason suspend", stop.reason, RV_DBG_STOP_SUSPEND);
	CHECK_EQ("getregs", dbg(RV_DBG_GETREGS, h, (uint64_t)&regs, 0, 0), 0);
	CHECK_EQ("at its first instruction", regs.x[0], (uint64_t)_start);
	CHECK_EQ("stop pc", stop.pc, (uint64_t)_start);

	/* breakpoints */
	CHECK_EQ("odd address", dbg(RV_DBG_BREAK_SET, h, (uint64_t)target_func + 1, 0, 0), -RV_EINVAL);
	CHECK_EQ("unmapped", dbg(RV_DBG_BREAK_SET, h, 0x1000, 0, 0), -RV_EFAULT);
	CHECK_EQ("break", dbg(RV_DBG_BREAK_SET, h, (uint64_t)target_func, 0, 0), 0);
	CHECK_EQ("break twice", dbg(RV_DBG_BREAK_SET, h, (uint64_t)target_func, 0, 0), -RV_EEXIST);
	CHECK_EQ("read hides it", dbg(RV_DBG_READ, h, (uint64_t)target_func, (uint64_t)&half, 2), 0);
	CHECK_EQ("its own bytes", half, *(volatile uint16_t *)target_func);
	CHECK_EQ("resume", dbg(RV_DBG_RESUME, h, 0, 0, 0), 0);
	CHECK_EQ("getregs while it runs", dbg(RV_DBG_GETREGS, h, (uint64_t)&regs, 0, 0), -RV_EAGAIN);
	CHECK_EQ("stops", rv_dbg_wait(h, deadline(), &stop), 0);
	CHECK_EQ("at the breakpoint", stop.reason, RV_DBG_STOP_BREAKPOINT);
	CHECK_EQ("its pc", stop.pc, (uint64_t)target_func);
	CHECK_EQ("getregs", dbg(RV_DBG_GETREGS, h, (uint64_t)&regs, 0, 0), 0);
	CHECK_EQ("a0 is the argument", regs.x[10], 5);

	/* memory and registers changed */
	CHECK_EQ("read secret", dbg(RV_DBG_READ, h, (uint64_t)&secret, (uint64_t)&v, 8), 0);
	CHECK_EQ("secret", v, 7);
	v = 42;
	CHECK_EQ("write secret", dbg(RV_DBG_WRITE, h, (uint64_t)&secret, (uint64_t)&v, 8), 0);
	v = 0;
	CHECK_EQ("read it back", dbg(RV_DBG_READ, h, (uint64_t)&secret, (uint64_t)&v, 8), 0);
	CHECK_EQ("secret now", v, 42);
	CHECK_EQ("read 0 bytes", dbg(RV_DBG_READ, h, (uint64_t)&secret, (uint64_t)&v, 0), -RV_EINVAL);
	CHECK_EQ("read too much", dbg(RV_DBG_READ, h, (uint64_t)&secret, (uint64_t)&v, 1 << 20),
		 -RV_EINVAL);
	CHECK_EQ("read unmapped", dbg(RV_DBG_READ, h, 0x1000, (uint64_t)&v, 8), -RV_EFAULT);
	regs.x[10] = 6;
	CHECK_EQ("setregs", dbg(RV_DBG_SETREGS, h, (uint64_t)&regs, 0, 0), 0);
	CHECK_EQ("clear", dbg(RV_DBG_BREAK_CLEAR, h, (uint64_t)target_func, 0, 0), 0);
	CHECK_EQ("clear twice", dbg(RV_DBG_BREAK_CLEAR, h, (uint64_t)target_func, 0, 0), -RV_ENOENT);

	/* single step through step_block, from a breakpoint at its start */
	CHECK_EQ("break at step_block", dbg(RV_DBG_BREAK_SET, h, (uint64_t)(uintptr_t)step_block, 0, 0), 0);
	CHECK_EQ("resume", dbg(RV_DBG_RESUME, h, 0, 0, 0), 0);
	CHECK_EQ("stops", rv_dbg_wait(h, deadline(), &stop), 0);
	CHECK_EQ("at step_block", stop.pc, (uint64_t)sb_0);
	CHECK_EQ("getregs", dbg(RV_DBG_GETREGS, h, (uint64_t)&regs, 0, 0), 0);
	ra = regs.x[1];
	for (unsigned int i = 0; i < n; i++) {
		if (rv_dbg_step(h, deadline(), &stop) < 0 || stop.pc != expect[i]) {
			printf("dbg_test: step %u: pc 0x%llx, want 0x%llx (reason %u)\n", i,
			       (unsigned long long)stop.pc, (unsigned long long)expect[i],
			       stop.reason);
			wrong++;
			break;
		}
		loops += stop.pc == (uint64_t)sb_loop;
	}
	CHECK_EQ("every step at its pc", wrong, 0);
	CHECK_EQ("the loop went round", loops, 3);
	CHECK_EQ("step out", rv_dbg_step(h, deadline(), &stop), 0);
	CHECK_EQ("back in the caller", stop.pc, ra);
	CHECK_EQ("the breakpoint was put back", dbg(RV_DBG_BREAK_SET, h, (uint64_t)(uintptr_t)step_block, 0, 0),
		 -RV_EEXIST);
	printf("dbg_test: %u of %u steps at the expected pcs, the loop counted %u times\n", n - wrong, n, loops);

	/* the fault stops it; the debugger steps over the store */
	CHECK_EQ("resume", dbg(RV_DBG_RESUME, h, 0, 0, 0), 0);
	CHECK_EQ("stops", rv_dbg_wait(h, deadline(), &stop), 0);
	CHECK_EQ("a fault", stop.reason, RV_DBG_STOP_FAULT);
	CHECK_EQ("store page fault", stop.cause, 15);
	CHECK_EQ("at address 8", stop.addr, 8);
	CHECK_EQ("getregs", dbg(RV_DBG_GETREGS, h, (uint64_t)&regs, 0, 0), 0);
	CHECK_EQ("read the store", dbg(RV_DBG_READ, h, regs.x[0], (uint64_t)&half, 2), 0);
	regs.x[0] += (half & 3) == 3 ? 4 : 2;
	CHECK_EQ("setregs past it", dbg(RV_DBG_SETREGS, h, (uint64_t)&regs, 0, 0), 0);
	CHECK_EQ("resume", dbg(RV_DBG_RESUME, h, 0, 0, 0), 0);
	/* target_func(6) with secret 42 */
	CHECK_EQ("it ends with the changed result", exit_code(h), 54);
	CHECK_EQ("ended", dbg(RV_DBG_GETREGS, h, (uint64_t)&regs, 0, 0), -RV_ESRCH);
	rv_handle_close(h);
}

/* A breakpoint in one instance never stops another; DETACH removes it. */
static void test_instances(void)
{
	struct rv_dbg_stop stop;
	struct rv_dbg_regs regs;
	long a = spawn("quiet"), b = spawn("quiet");

	CHECK("spawn", a >= 0 && b >= 0);
	CHECK_EQ("not attached", dbg(RV_DBG_GETREGS, a, (uint64_t)&regs, 0, 0), -RV_EPERM);
	CHECK_EQ("attach a", dbg(RV_DBG_ATTACH, a, 0, 0, 0), 0);
	CHECK_EQ("break in a", dbg(RV_DBG_BREAK_SET, a, (uint64_t)target_func, 0, 0), 0);
	CHECK_EQ("resume a", dbg(RV_DBG_RESUME, a, 0, 0, 0), 0);
	CHECK_EQ("a stops", rv_dbg_wait(a, deadline(), &stop), 0);
	CHECK_EQ("at target_func", stop.pc, (uint64_t)target_func);
	CHECK_EQ("b runs through", exit_code(b), 17);
	CHECK_EQ("detach a", dbg(RV_DBG_DETACH, a, 0, 0, 0), 0);
	CHECK_EQ("detached", dbg(RV_DBG_RESUME, a, 0, 0, 0), -RV_EPERM);
	CHECK_EQ("a runs on without it", exit_code(a), 17);
	rv_handle_close(a);
	rv_handle_close(b);
}

/* A process blocked in a system call stops when its wait ends: ATTACH
 * and SUSPEND of a sleeper; it does not run while stopped. */
static void test_blocked(void)
{
	struct rv_dbg_stop stop;
	struct rv_dbg_regs regs;
	long h = spawn("sleeper"), before = 0, after = -1;

	CHECK("spawn", h >= 0);
	rv_sleep_ns(50 * MS); /* it runs, and sleeps */
	CHECK_EQ("attach", dbg(RV_DBG_ATTACH, h, 0, 0, 0), 0);
	CHECK_EQ("not stopped yet", dbg(RV_DBG_GETREGS, h, (uint64_t)&regs, 0, 0), -RV_EAGAIN);
	CHECK_EQ("stops when its sleep ends", rv_dbg_wait(h, deadline(), &stop), 0);
	CHECK_EQ("a suspend", stop.reason, RV_DBG_STOP_SUSPEND);
	CHECK_EQ("getregs", dbg(RV_DBG_GETREGS, h, (uint64_t)&regs, 0, 0), 0);
	CHECK_EQ("past its ecall", regs.x[0], stop.pc);
	CHECK_EQ("read", dbg(RV_DBG_READ, h, (uint64_t)&result, (uint64_t)&before, 8), 0);
	rv_sleep_ns(100 * MS);
	CHECK_EQ("read", dbg(RV_DBG_READ, h, (uint64_t)&result, (uint64_t)&after, 8), 0);
	CHECK_EQ("it did not run while stopped", after, before);
	CHECK_EQ("resume", dbg(RV_DBG_RESUME, h, 0, 0, 0), 0);
	rv_sleep_ns(100 * MS);
	CHECK_EQ("suspend", dbg(RV_DBG_SUSPEND, h, 0, 0, 0), 0);
	CHECK_EQ("stops again", rv_dbg_wait(h, deadline(), &stop), 0);
	CHECK_EQ("read", dbg(RV_DBG_READ, h, (uint64_t)&result, (uint64_t)&after, 8), 0);
	CHECK("it ran in between", after > before);
	CHECK_EQ("kill it stopped", rv_process_kill((rv_handle_t)h), 0);
	CHECK_EQ("it ends", exit_code(h), -2000);
	rv_handle_close(h);
}

/* A process stopped when its wait_many's deadline passed (its waiter
 * still on the channel) stays stopped when the channel then gets a
 * message. */
static void test_stopped_wait(void)
{
	const char *argv[] = {"waiter", NULL};
	struct rv_dbg_stop stop;
	rv_handle_t ch[2];
	long h, before = 0, after = -1;
	struct rv_msg msg = {.bytes = "x", .num_bytes = 1};

	CHECK_EQ("channel", rv_channel_create(ch), 0);
	h = rv_process_spawn("dbg_test", argv, TARGET_PRIO, &ch[1], 1);
	CHECK("spawn", h >= 0);
	rv_sleep_ns(50 * MS);
	CHECK_EQ("attach", dbg(RV_DBG_ATTACH, h, 0, 0, 0), 0);
	CHECK_EQ("stops at a deadline", rv_dbg_wait(h, deadline(), &stop), 0);
	CHECK_EQ("read", dbg(RV_DBG_READ, h, (uint64_t)&result, (uint64_t)&before, 8), 0);
	CHECK_EQ("a message for its wait", rv_channel_write(ch[0], &msg, 0, 0), 0);
	rv_sleep_ns(100 * MS);
	CHECK_EQ("still stopped", dbg(RV_DBG_STOP_INFO, h, (uint64_t)&stop, 0, 0), 0);
	CHECK_EQ("read", dbg(RV_DBG_READ, h, (uint64_t)&result, (uint64_t)&after, 8), 0);
	CHECK_EQ("it did not run", after, before);
	CHECK_EQ("detach", dbg(RV_DBG_DETACH, h, 0, 0, 0), 0);
	rv_sleep_ns(50 * MS);
	CHECK_EQ("read", dbg(RV_DBG_READ, h, (uint64_t)&result, (uint64_t)&after, 8), -RV_EPERM);
	CHECK_EQ("kill", rv_process_kill((rv_handle_t)h), 0);
	CHECK_EQ("it ends", exit_code(h), -2000);
	rv_handle_close(h);
	rv_handle_close(ch[0]);
}

/* With CONFIG_WATCHDOG: a stopped debuggee's watchdog fires; the
 * wait-for graph says it is stopped by its debugger (an edge to it). */
static void test_watchdog(void)
{
	long h = spawn("quiet");

	CHECK("spawn", h >= 0);
	CHECK_EQ("attach", dbg(RV_DBG_ATTACH, h, 0, 0, 0), 0);
	CHECK_EQ("arm its watchdog", rv_watchdog((rv_handle_t)h, 200), 0);
	CHECK_EQ("ended by it", exit_code(h), -2000 - RV_KILLED_BY_WATCHDOG);
	rv_handle_close(h);
}

/* A debugger killed while attached: its debuggee runs on, without its
 * breakpoints (the console shows the quiet target's end). */
static void test_killed_debugger(void)
{
	long d = spawn("subdbg");

	CHECK("spawn", d >= 0);
	CHECK_EQ("grant", dbg(RV_DBG_GRANT, d, 0, 0, 0), 0);
	rv_sleep_ns(300 * MS);
	CHECK_EQ("kill it", rv_process_kill(d), 0);
	rv_sleep_ns(300 * MS);
	rv_handle_close(d);
}

static int subdbg_main(void)
{
	struct rv_dbg_stop stop;
	const char *argv[] = {"quiet", NULL};
	/* One level below this debugger (10): the target cannot run before
	 * this blocks, not even when a time slice ends between the spawn and
	 * the breakpoint (at one priority it could, and then ran past
	 * target_func: "subdbg could not stop its target" on a loaded host). */
	long t = rv_process_spawn("dbg_test", argv, TARGET_PRIO + 1, NULL, 0);

	if (t < 0 || dbg(RV_DBG_ATTACH, t, 0, 0, 0) ||
	    dbg(RV_DBG_BREAK_SET, t, (uint64_t)target_func, 0, 0) ||
	    dbg(RV_DBG_RESUME, t, 0, 0, 0) || rv_dbg_wait(t, deadline(), &stop) ||
	    stop.pc != (uint64_t)target_func) {
		say("dbg_test: subdbg could not stop its target\n");
		return 1;
	}
	say("dbg_test: subdbg: its target stopped at its breakpoint\n");
	for (;;)
		rv_sleep_ns(1000 * MS);
}

/* Without the manifest's debug option: no DEBUG right. */
static int no_right(void)
{
	long h = spawn("quiet");

	CHECK("spawn", h >= 0);
	CHECK_EQ("attach", dbg(RV_DBG_ATTACH, h, 0, 0, 0), -RV_EPERM);
	CHECK_EQ("grant", dbg(RV_DBG_GRANT, h, 0, 0, 0), -RV_EPERM);
	CHECK_EQ("it runs", exit_code(h), 17);
	rv_handle_close(h);
	return check_report("dbg_test");
}

int main(int argc, char **argv)
{
	struct rv_handle_info info;
	long h;

	if (argc > 1 && !strcmp(argv[1], "target"))
		return target_main();
	if (argc > 1 && !strcmp(argv[1], "quiet"))
		return quiet_main();
	if (argc > 1 && !strcmp(argv[1], "waiter"))
		return waiter_main();
	if (argc > 1 && !strcmp(argv[1], "sleeper"))
		return sleeper_main();
	if (argc > 1 && !strcmp(argv[1], "subdbg"))
		return subdbg_main();
	if (rv_debug(RV_DBG_ATTACH, RV_HANDLE_INVALID, 0, 0, 0) == -RV_ENOSYS) {
		printf("dbg_test: the kernel has no debugger: ENOSYS\n");
		return 0;
	}
	h = spawn("quiet");
	CHECK("spawn", h >= 0);
	CHECK_EQ("handle info", rv_handle_info((rv_handle_t)h, &info), 0);
	rv_process_kill((rv_handle_t)h);
	exit_code(h);
	rv_handle_close(h);
	if (!(info.rights & RV_RIGHT_DEBUG)) {
		printf("dbg_test: no DEBUG right on what it spawns\n");
		return no_right();
	}
	printf("dbg_test: DEBUG right on what it spawns\n");
	test_target();
	test_instances();
	test_blocked();
	test_stopped_wait();
	test_killed_debugger();
	if (rv_watchdog(RV_HANDLE_SELF, 0) == 0) {
		printf("dbg_test: the kernel has a watchdog\n");
		test_watchdog();
	}
	return check_report("dbg_test");
}
