/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hostile arguments to every system call that takes a pointer, a length, a
 * pid or a priority. Each call must fail with the exact error code and leave
 * the process running; a few also check that nothing was written or printed.
 * Arguments wider than their type (a live handle | 1 << 32 for every call
 * that takes a handle, derived ones too, flags, rights, signals, an exit
 * code) are EINVAL and change nothing, through the IPC fast paths too
 * (test_wide_args).
 *
 * The pointers:
 *   NULL                         below user space
 *   KERNEL_ADDR                  the kernel image (mapped, no U bit)
 *   UNMAPPED                     inside user space, nothing there
 *   _end - 8 (+16 bytes)         the last data page into the unmapped one after it
 *   STACK_BOTTOM - 8             the guard under the stack reserve into the reserve
 *                                (nothing is mapped there: the first page fails)
 *   RV_USER_STACK_TOP - 8        the top of the stack into the unmapped last page
 *   WRAP (+64 bytes)             a range that wraps around the address space
 *   text / rodata                mapped and readable, not writable
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <rvos/memory_map.h>
#include <rvos/user.h>
#include "check.h"

#define KERNEL_ADDR 0x80200000UL
#define UNMAPPED (RV_USER_BASE + 0x80000000UL)
#define WRAP 0xfffffffffffffff0UL
/* The lowest byte the stack may reach (CONFIG_USER_STACK_MAX below its
 * top); a system call's buffer above it, in pages not touched yet, maps
 * them (tests/kernel/stack), below it is the guard. */
#define STACK_BOTTOM RV_USER_STACK_RESERVE_BASE
#define REG_PATTERN 0x5eed0000c0de0000UL
#define SECS_2020 1577836800ull /* 2020-01-01 00:00 UTC */

/* The board's real-time clock answers clock(RV_CLOCK_REALTIME). */
#ifdef CONFIG_RTC_GOLDFISH
#define HAS_RTC 1
#else
#define HAS_RTC 0
#endif

extern char _end[];	/* end of the data segment, page-aligned (lib/user.ld) */
long ecall_regs(long nr, long arg0, long arg1, uint64_t out[32]);

static const char rodata_msg[] = "rodata is read-only\n";
static char data_buf[64] __attribute__((aligned(8)));

/* The top of the stack holds our argv[0] string; tests borrow its last
 * bytes (strings ending on the last mapped byte) and put them back. */
static uint8_t top_saved[64];

/* RV_USER_STACK_TOP as a pointer the compiler cannot see through (it would
 * take a constant address for a zero-sized object). */
static uint8_t *stack_top(void)
{
	uintptr_t t = RV_USER_STACK_TOP;

	__asm__("" : "+r"(t));
	return (uint8_t *)t;
}

static char *top_put(const void *bytes, size_t len)
{
	uint8_t *top = stack_top();

	memcpy(top_saved, top - sizeof(top_saved), sizeof(top_saved));
	memcpy(top - len, bytes, len);
	return (char *)(top - len);
}

static void top_restore(void)
{
	memcpy(stack_top() - sizeof(top_saved), top_saved, sizeof(top_saved));
}

static uintptr_t end_addr(void)
{
	uintptr_t e = (uintptr_t)_end;

	/* keep the compiler from reasoning about _end as an object */
	__asm__("" : "+r"(e));
	return e;
}

/* The pointers that are wrong for every call, whatever the length. */
struct bad_ptr {
	const char *name;
	uintptr_t addr;
};

static const struct bad_ptr bad_ptrs[] = {
	{"NULL", 0},
	{"kernel address", KERNEL_ADDR},
	{"unmapped user address", UNMAPPED},
	{"guard page under the stack", STACK_BOTTOM - 4096},
	{"wrap-around", WRAP},
	{"user top", RV_USER_TOP - 8},
	{"high half", 0xffffffffc0000000UL},
};
#define N_BAD (sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))

static char what[160];

static const char *say(const char *call, const char *detail)
{
	snprintf(what, sizeof(what), "%s: %s", call, detail);
	return what;
}

/* ------------------------------------------------------------------ debug_write */

static void test_debug_write(void)
{
	static const char ok_msg[] = "syscalls: debug_write works\n";
	uintptr_t end = end_addr();

	CHECK_EQ("debug_write: valid buffer", rv_debug_write(ok_msg, sizeof(ok_msg) - 1),
		 sizeof(ok_msg) - 1);
	CHECK_EQ("debug_write: rodata is readable", rv_debug_write(rodata_msg, sizeof(rodata_msg) - 1),
		 sizeof(rodata_msg) - 1);
	CHECK_EQ("debug_write: valid buffer, length 0", rv_debug_write(ok_msg, 0), 0);
	for (unsigned int i = 0; i < N_BAD; i++) {
		CHECK_EQ(say("debug_write 16 bytes", bad_ptrs[i].name),
			 rv_debug_write((void *)bad_ptrs[i].addr, 16), -RV_EFAULT);
		CHECK_EQ(say("debug_write 64 bytes", bad_ptrs[i].name),
			 rv_debug_write((void *)bad_ptrs[i].addr, 64), -RV_EFAULT);
	}
	/* Zero bytes touch nothing: any pointer will do (kernel/vm.c). */
	for (unsigned int i = 0; i < N_BAD; i++)
		CHECK_EQ(say("debug_write 0 bytes", bad_ptrs[i].name),
			 rv_debug_write((void *)bad_ptrs[i].addr, 0), 0);
	/* Straddling ranges: the first bytes are fine, the rest is not mapped. */
	CHECK_EQ("debug_write: end of data into unmapped page",
		 rv_debug_write((void *)(end - 8), 16), -RV_EFAULT);
	CHECK_EQ("debug_write: last byte of data, 0 bytes", rv_debug_write((void *)(end - 1), 0), 0);
	CHECK_EQ("debug_write: last byte of the stack", rv_debug_write(top_put("\n", 1), 1), 1);
	top_restore();
	CHECK_EQ("debug_write: guard page into stack",
		 rv_debug_write((void *)(STACK_BOTTOM - 8), 16), -RV_EFAULT);
	CHECK_EQ("debug_write: stack top into unmapped page",
		 rv_debug_write((void *)(RV_USER_STACK_TOP - 8), 16), -RV_EFAULT);
	/* Lengths: over the limit is EINVAL, checked before the pointer. */
	CHECK_EQ("debug_write: CONFIG_DEBUG_WRITE_MAX + 1",
		 rv_debug_write(data_buf, CONFIG_DEBUG_WRITE_MAX + 1), -RV_EINVAL);
	CHECK_EQ("debug_write: huge length", rv_debug_write(data_buf, (size_t)1 << 40), -RV_EINVAL);
	CHECK_EQ("debug_write: length ~0", rv_debug_write(data_buf, ~(size_t)0), -RV_EINVAL);
	CHECK_EQ("debug_write: NULL with huge length", rv_debug_write(NULL, ~(size_t)0),
		 -RV_EINVAL);
	CHECK_EQ("debug_write: wrap-around with length ~0", rv_debug_write((void *)WRAP, ~(size_t)0),
		 -RV_EINVAL);
}

/* ------------------------------------------------------------------ spawn */

static long spawn_raw(uintptr_t name, uintptr_t args, size_t len, unsigned long prio)
{
	return rv_syscall(RV_SYS_SPAWN, (long)name, (long)args, (long)len, (long)prio, 0, 0);
}

/* Spawn a program with argv[1..] = args (NUL-separated), wait, return its exit code. */
static long run_helper_named(const char *name, const char *args, size_t len, unsigned int prio,
			     int *reason)
{
	struct rv_exit_info info;
	long pid = rv_spawn_raw(name, args, len, prio);

	if (pid < 0)
		return pid;
	if (rv_wait((int)pid, &info) != pid)
		return -1000;
	*reason = info.reason;
	return info.code;
}

static long run_helper(const char *args, size_t len, unsigned int prio, int *reason)
{
	return run_helper_named("helper", args, len, prio, reason);
}

/* The environment: strings after the arguments, their bytes in args_len's
 * high half (RV_SPAWN_ARGS_LEN). */
static void test_spawn_env(void)
{
	static char buf[CONFIG_SPAWN_ARGS_MAX_BYTES + CONFIG_SPAWN_ENV_MAX_BYTES + 64];
	uintptr_t end = end_addr();
	int reason = -1;
	size_t n, e;
	char *p;

	memcpy(buf, "env\0X\0X=hello\0", 14);
	CHECK_EQ("spawn env: the child's getenv sees it",
		 run_helper(buf, RV_SPAWN_ARGS_LEN(6, 8), 8, &reason), 5);
	CHECK_EQ("spawn env: a name not passed is not set",
		 run_helper("env\0Y\0X=hello", RV_SPAWN_ARGS_LEN(6, 8), 8, &reason), 200);
	CHECK_EQ("spawn env: none (a plain length)", run_helper("envc", 5, 8, &reason), 0);
	CHECK_EQ("spawn env: empty strings count, envp follows argv's NULL",
		 run_helper("envc\0\0\0A=1", RV_SPAWN_ARGS_LEN(5, 6), 8, &reason), 3);
	/* CONFIG_SPAWN_ENV_MAX_VARS strings run; one more is refused. */
	n = (size_t)sprintf(buf, "envc") + 1;
	e = 0;
	for (int i = 0; i < CONFIG_SPAWN_ENV_MAX_VARS; i++)
		e += (size_t)sprintf(buf + n + e, "%c", 'a' + i % 26) + 1;
	CHECK_EQ("spawn env: CONFIG_SPAWN_ENV_MAX_VARS strings",
		 run_helper(buf, RV_SPAWN_ARGS_LEN(n, e), 8, &reason), CONFIG_SPAWN_ENV_MAX_VARS);
	buf[n + e] = 0;
	CHECK_EQ("spawn env: CONFIG_SPAWN_ENV_MAX_VARS + 1 strings",
		 rv_spawn_raw("helper", buf, RV_SPAWN_ARGS_LEN(n, e + 1), 8), -RV_E2BIG);
	/* Exactly CONFIG_SPAWN_ENV_MAX_BYTES bytes: one long variable. */
	n = (size_t)sprintf(buf, "env") + 1;
	n += (size_t)sprintf(buf + n, "L") + 1;
	memset(buf + n, 'v', CONFIG_SPAWN_ENV_MAX_BYTES);
	memcpy(buf + n, "L=", 2);
	buf[n + CONFIG_SPAWN_ENV_MAX_BYTES - 1] = 0;
	CHECK_EQ("spawn env: CONFIG_SPAWN_ENV_MAX_BYTES bytes arrive whole",
		 run_helper(buf, RV_SPAWN_ARGS_LEN(n, CONFIG_SPAWN_ENV_MAX_BYTES), 8, &reason),
		 CONFIG_SPAWN_ENV_MAX_BYTES - 3);
	buf[n + CONFIG_SPAWN_ENV_MAX_BYTES - 1] = 'v';
	buf[n + CONFIG_SPAWN_ENV_MAX_BYTES] = 0;
	CHECK_EQ("spawn env: CONFIG_SPAWN_ENV_MAX_BYTES + 1",
		 rv_spawn_raw("helper", buf, RV_SPAWN_ARGS_LEN(n, CONFIG_SPAWN_ENV_MAX_BYTES + 1), 8),
		 -RV_E2BIG);
	CHECK_EQ("spawn env: 4 GiB - 1 bytes",
		 rv_spawn_raw("helper", buf, RV_SPAWN_ARGS_LEN(n, UINT32_MAX), 8), -RV_E2BIG);
	/* Each part's last string ends in a NUL. */
	CHECK_EQ("spawn env: not NUL-terminated",
		 rv_spawn_raw("helper", "envc\0A=1", RV_SPAWN_ARGS_LEN(5, 3), 8), -RV_EINVAL);
	CHECK_EQ("spawn env: arguments not NUL-terminated before it",
		 rv_spawn_raw("helper", "envcA=1", RV_SPAWN_ARGS_LEN(4, 4), 8), -RV_EINVAL);
	/* The environment's bytes are read like the arguments'. */
	CHECK_EQ("spawn env: into the unmapped page after data",
		 spawn_raw((uintptr_t)"helper", end - 5, RV_SPAWN_ARGS_LEN(0, 16), 8), -RV_EFAULT);
	p = top_put("envc\0A=1\0", 9);
	CHECK_EQ("spawn env: ending on the last byte of the stack",
		 run_helper(p, RV_SPAWN_ARGS_LEN(5, 4), 8, &reason), 1);
	CHECK_EQ("spawn env: running off the stack top",
		 rv_spawn_raw("helper", p, RV_SPAWN_ARGS_LEN(5, 5), 8), -RV_EFAULT);
	top_restore();
}

static void test_spawn(void)
{
	static char args[CONFIG_SPAWN_ARGS_MAX_BYTES + 64];
	uintptr_t end = end_addr();
	char *p;
	int reason = -1;
	size_t n;

	/* The name */
	for (unsigned int i = 0; i < N_BAD; i++)
		CHECK_EQ(say("spawn name", bad_ptrs[i].name),
			 spawn_raw(bad_ptrs[i].addr, (uintptr_t)"x", 2, 8), -RV_EFAULT);
	CHECK_EQ("spawn: empty name", rv_spawn_raw("", NULL, 0, 8), -RV_EINVAL);
	memset(args, 'n', CONFIG_PROC_NAME_MAX);
	args[CONFIG_PROC_NAME_MAX] = 0;
	CHECK_EQ("spawn: name of CONFIG_PROC_NAME_MAX chars", rv_spawn_raw(args, NULL, 0, 8),
		 -RV_E2BIG);
	args[CONFIG_PROC_NAME_MAX - 1] = 0;
	CHECK_EQ("spawn: name of CONFIG_PROC_NAME_MAX - 1 chars (not in the initrd)",
		 rv_spawn_raw(args, "", 0, 8), -RV_ENOENT);
	CHECK_EQ("spawn: no such program", rv_spawn_raw("no_such_program", "", 0, 8), -RV_ENOENT);
	CHECK_EQ("spawn: name differs in case", rv_spawn_raw("HELPER", "", 0, 8), -RV_ENOENT);
	CHECK_EQ("spawn: a prefix of a program's name", rv_spawn_raw("help", "", 0, 8), -RV_ENOENT);
	/* A name without its NUL that runs into the unmapped page over the stack. */
	p = top_put("helper", 6);
	CHECK_EQ("spawn: unterminated name running off the stack top",
		 spawn_raw((uintptr_t)p, (uintptr_t)"", 0, 8), -RV_EFAULT);
	top_restore();
	/* A name whose NUL is the last mapped byte is fine. */
	p = top_put("helper\0", 7);
	CHECK_EQ("spawn: name ending on the last byte of the stack",
		 run_helper_named(p, "exit\0" "6", 7, 8, &reason), 6);
	top_restore();

	/* The arguments */
	for (unsigned int i = 0; i < N_BAD; i++)
		CHECK_EQ(say("spawn args", bad_ptrs[i].name),
			 spawn_raw((uintptr_t)"helper", bad_ptrs[i].addr, 4, 8), -RV_EFAULT);
	CHECK_EQ("spawn args: end of data into unmapped page",
		 spawn_raw((uintptr_t)"helper", end - 8, 16, 8), -RV_EFAULT);
	CHECK_EQ("spawn args: guard page into stack",
		 spawn_raw((uintptr_t)"helper", STACK_BOTTOM - 8, 16, 8), -RV_EFAULT);
	CHECK_EQ("spawn args: CONFIG_SPAWN_ARGS_MAX_BYTES + 1",
		 spawn_raw((uintptr_t)"helper", (uintptr_t)args, CONFIG_SPAWN_ARGS_MAX_BYTES + 1, 8),
		 -RV_E2BIG);
	CHECK_EQ("spawn args: huge length", spawn_raw((uintptr_t)"helper", (uintptr_t)args, ~0UL, 8),
		 -RV_E2BIG);
	CHECK_EQ("spawn args: wrap-around, huge length", spawn_raw((uintptr_t)"helper", WRAP, ~0UL, 8),
		 -RV_E2BIG);
	CHECK_EQ("spawn args: not NUL-terminated", rv_spawn_raw("helper", "exit", 4, 8), -RV_EINVAL);
	/* No arguments: zero bytes at any address, NULL included. */
	CHECK_EQ("spawn: NULL args, length 0", run_helper(NULL, 0, 8, &reason), 100);
	CHECK_EQ("spawn: kernel address args, length 0",
		 run_helper_named("helper", (const char *)KERNEL_ADDR, 0, 8, &reason), 100);
	/* CONFIG_SPAWN_MAX_ARGS counts argv[0]: mode + (MAX - 2) more is the limit. */
	n = 0;
	n += (size_t)sprintf(args, "argc") + 1;
	for (int i = 0; i < CONFIG_SPAWN_MAX_ARGS - 2; i++)
		n += (size_t)sprintf(args + n, "a%d", i) + 1;
	CHECK_EQ("spawn: CONFIG_SPAWN_MAX_ARGS arguments (argv[0] included) run",
		 run_helper(args, n, 8, &reason), CONFIG_SPAWN_MAX_ARGS);
	n += (size_t)sprintf(args + n, "one-too-many") + 1;
	CHECK_EQ("spawn: CONFIG_SPAWN_MAX_ARGS + 1 arguments", rv_spawn_raw("helper", args, n, 8),
		 -RV_E2BIG);
	/* Empty strings are arguments too. */
	CHECK_EQ("spawn: empty arguments count", run_helper("argc\0\0", 7, 8, &reason), 4);
	/* Exactly CONFIG_SPAWN_ARGS_MAX_BYTES bytes: "len", one long string. */
	memset(args, 0, sizeof(args));
	strcpy(args, "len");
	memset(args + 4, 'L', CONFIG_SPAWN_ARGS_MAX_BYTES - 5);
	CHECK_EQ("spawn: CONFIG_SPAWN_ARGS_MAX_BYTES bytes of arguments arrive whole",
		 run_helper(args, CONFIG_SPAWN_ARGS_MAX_BYTES, 8, &reason),
		 CONFIG_SPAWN_ARGS_MAX_BYTES - 5);
	CHECK_EQ("spawn: ... with a normal exit", reason, RV_EXIT_NORMAL);
	/* Arguments ending on the last mapped byte; then one byte more. */
	p = top_put("exit\0" "5", 7);
	CHECK_EQ("spawn: args ending on the last byte of the stack", run_helper(p, 7, 8, &reason), 5);
	CHECK_EQ("spawn: args running off the stack top", rv_spawn_raw("helper", p, 8, 8), -RV_EFAULT);
	top_restore();

	test_spawn_env();

	/* The priority: NUM_PRIORITIES - 1 is the lowest valid one. */
	CHECK_EQ("spawn: priority NUM_PRIORITIES", rv_spawn_raw("helper", "", 0, CONFIG_NUM_PRIORITIES),
		 -RV_EINVAL);
	CHECK_EQ("spawn: priority ~0u", rv_spawn_raw("helper", "", 0, ~0u), -RV_EINVAL);
	CHECK_EQ("spawn: priority with high bits set",
		 spawn_raw((uintptr_t)"helper", (uintptr_t)"", 0, (1UL << 32) + 9), -RV_EINVAL);
	CHECK_EQ("spawn: priority -1 (64-bit)", spawn_raw((uintptr_t)"helper", (uintptr_t)"", 0, ~0UL),
		 -RV_EINVAL);
	CHECK_EQ("spawn: priority NUM_PRIORITIES - 1 runs",
		 run_helper("exit\0" "3", 7, CONFIG_NUM_PRIORITIES - 1, &reason), 3);
	CHECK_EQ("spawn: priority 0 runs", run_helper("exit\0" "4", 7, 0, &reason), 4);
}

/* ------------------------------------------------------------------ wait */

static void test_wait(void)
{
	struct rv_exit_info info;
	char raw[sizeof(info) + 8] __attribute__((aligned(8)));
	uintptr_t end = end_addr();
	long pid, r;

	/* No children at all */
	CHECK_EQ("wait(-1) without children", rv_wait(-1, &info), -RV_ECHILD);
	CHECK_EQ("wait(-1, NULL) without children", rv_wait(-1, NULL), -RV_ECHILD);
	CHECK_EQ("wait(own pid)", rv_wait((int)rv_getpid(), &info), -RV_ECHILD);
	CHECK_EQ("wait(no such pid)", rv_wait(0x7ffffff0, &info), -RV_ECHILD);
	CHECK_EQ("wait(0)", rv_wait(0, &info), -RV_EINVAL);
	CHECK_EQ("wait(-5)", rv_wait(-5, &info), -RV_EINVAL);
	CHECK_EQ("wait(INT32_MIN)", rv_wait(INT32_MIN, &info), -RV_EINVAL);
	/* The pointer is checked first */
	CHECK_EQ("wait(-1, kernel address) without children", rv_wait(-1, (void *)KERNEL_ADDR),
		 -RV_EFAULT);

	/* A zombie child that must survive every bad pointer. The helper runs
	 * at a higher priority than we do: it has exited when spawn returns. */
	pid = rv_spawn_raw("helper", "exit\0" "42", 8, 7);
	CHECK("spawn helper for wait", pid > 0);
	for (unsigned int i = 1; i < N_BAD; i++)	/* NULL is allowed: no info wanted */
		CHECK_EQ(say("wait info", bad_ptrs[i].name), rv_wait((int)pid, (void *)bad_ptrs[i].addr),
			 -RV_EFAULT);
	CHECK_EQ("wait info: end of data into unmapped page",
		 rv_wait((int)pid, (void *)(end - 8)), -RV_EFAULT);
	CHECK_EQ("wait info: guard page into stack", rv_wait((int)pid, (void *)(STACK_BOTTOM - 8)),
		 -RV_EFAULT);
	CHECK_EQ("wait info: stack top into unmapped page",
		 rv_wait((int)pid, (void *)(RV_USER_STACK_TOP - 8)), -RV_EFAULT);
	CHECK_EQ("wait info: read-only text", rv_wait((int)pid, (void *)(uintptr_t)test_wait),
		 -RV_EFAULT);
	CHECK_EQ("wait info: read-only rodata", rv_wait((int)pid, (void *)rodata_msg), -RV_EFAULT);
	CHECK_EQ("wait(-1) info: kernel address", rv_wait(-1, (void *)KERNEL_ADDR), -RV_EFAULT);
	/* Still there: reap it into a misaligned (but writable) buffer. */
	memset(raw, 0xee, sizeof(raw));
	r = rv_wait((int)pid, (void *)(raw + 1));
	CHECK_EQ("wait: the child survived the bad pointers", r, pid);
	memcpy(&info, raw + 1, sizeof(info));
	CHECK_EQ("wait: misaligned info, reason", info.reason, RV_EXIT_NORMAL);
	CHECK_EQ("wait: misaligned info, code", info.code, 42);
	CHECK_EQ("wait: byte before info untouched", (uint8_t)raw[0], 0xee);
	CHECK_EQ("wait: byte after info untouched", (uint8_t)raw[1 + sizeof(info)], 0xee);
	CHECK_EQ("wait: reaped child is gone", rv_wait((int)pid, &info), -RV_ECHILD);

	/* NULL info: reaps without telling. */
	pid = rv_spawn_raw("helper", "exit\0" "1", 7, 7);
	CHECK_EQ("wait(pid, NULL) reaps", rv_wait((int)pid, NULL), pid);
	CHECK_EQ("wait after wait(pid, NULL)", rv_wait(-1, &info), -RV_ECHILD);
}

/* ------------------------------------------------------------------ kill */

static void test_kill(void)
{
	struct rv_exit_info info;
	char arg[32];
	int reason = -1;
	long sleeper, zombie, orphan, n;

	CHECK_EQ("kill(0)", rv_kill(0), -RV_ESRCH);
	CHECK_EQ("kill(-5)", rv_kill(-5), -RV_ESRCH);
	CHECK_EQ("kill(-1)", rv_kill(-1), -RV_ESRCH);
	CHECK_EQ("kill(INT32_MIN)", rv_kill(INT32_MIN), -RV_ESRCH);
	CHECK_EQ("kill(no such pid)", rv_kill(0x7ffffff0), -RV_ESRCH);
	CHECK_EQ("kill(own pid)", rv_kill((int)rv_getpid()), -RV_EINVAL);

	/* A child that sleeps: a sibling may not kill it, nor us. */
	sleeper = rv_spawn_raw("helper", "sleep", 6, 7);
	CHECK("spawn sleeping helper", sleeper > 0);
	n = (size_t)snprintf(arg, sizeof(arg), "kill%c%ld", 0, sleeper) + 1;
	CHECK_EQ("kill(sibling) from another child", run_helper(arg, (size_t)n, 8, &reason),
		 RV_EPERM);
	n = (size_t)snprintf(arg, sizeof(arg), "kill%c%ld", 0, rv_getpid()) + 1;
	CHECK_EQ("kill(parent) from a child", run_helper(arg, (size_t)n, 8, &reason), RV_EPERM);
	n = (size_t)snprintf(arg, sizeof(arg), "kill%c%d", 0, 0) + 1;
	CHECK_EQ("kill(0) from a child", run_helper(arg, (size_t)n, 8, &reason), RV_ESRCH);
	/* A pid wider than 32 bits is refused, not cut down to the child's. */
	CHECK_EQ("kill(2^32 + child)",
		 rv_syscall(RV_SYS_KILL, (long)((1ull << 32) + (uint64_t)sleeper), 0, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("wait(2^32 + child)",
		 rv_syscall(RV_SYS_WAIT, (long)((1ull << 32) + (uint64_t)sleeper), 0, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("kill(own child)", rv_kill((int)sleeper), 0);
	CHECK_EQ("kill(own child) twice", rv_kill((int)sleeper), -RV_ESRCH);
	CHECK_EQ("wait for the killed child", rv_wait((int)sleeper, &info), sleeper);
	CHECK_EQ("killed child: reason", info.reason, RV_EXIT_KILLED);
	CHECK_EQ("kill(reaped child)", rv_kill((int)sleeper), -RV_ESRCH);

	/* A zombie cannot be killed; wait still reports its own exit. */
	zombie = rv_spawn_raw("helper", "exit\0" "9", 7, 7);
	CHECK_EQ("kill(zombie child)", rv_kill((int)zombie), -RV_ESRCH);
	CHECK_EQ("wait for the zombie", rv_wait((int)zombie, &info), zombie);
	CHECK_EQ("zombie: reason stays normal", info.reason, RV_EXIT_NORMAL);
	CHECK_EQ("zombie: code", info.code, 9);

	/* A grandchild whose parent exited (an orphan): not ours to kill. */
	orphan = run_helper("orphan", 7, 8, &reason);
	CHECK("helper reports its child's pid", orphan > 0);
	CHECK_EQ("kill(orphaned grandchild)", rv_kill((int)orphan), -RV_EPERM);
	CHECK_EQ("wait(orphaned grandchild)", rv_wait((int)orphan, &info), -RV_ECHILD);
}

/* ------------------------------------------------------------------ clock, kstats */

static long clock_raw(uintptr_t out)
{
	return rv_syscall(RV_SYS_CLOCK, (long)out, 0, 0, 0, 0, 0);
}

static long kstats_raw(uintptr_t out)
{
	return rv_syscall(RV_SYS_KSTATS, (long)out, 0, 0, 0, 0, 0);
}

/* out + size reaches past the top of the stack: nothing may be written. */
static void check_no_partial_write(const char *call, long (*fn)(uintptr_t), size_t size)
{
	uint8_t *top = stack_top();
	uint8_t saved[64];
	size_t keep = size / 2;
	int untouched = 1;

	memcpy(saved, top - keep, keep);
	memset(top - keep, 0xa5, keep);
	CHECK_EQ(say(call, "stack top into unmapped page"), fn(RV_USER_STACK_TOP - keep), -RV_EFAULT);
	for (size_t i = 0; i < keep; i++)
		untouched &= top[-1 - (long)i] == 0xa5;
	CHECK(say(call, "a refused call writes nothing (verify before impl)"), untouched);
	memcpy(top - keep, saved, keep);
}

static void test_clock_kstats(void)
{
	uint8_t raw[sizeof(struct rv_kstats) + 8] __attribute__((aligned(8)));
	struct rv_kstats ks;
	uint64_t ns = 0, ns2;

	for (unsigned int i = 0; i < N_BAD; i++) {
		CHECK_EQ(say("clock", bad_ptrs[i].name), clock_raw(bad_ptrs[i].addr), -RV_EFAULT);
		CHECK_EQ(say("kstats", bad_ptrs[i].name), kstats_raw(bad_ptrs[i].addr), -RV_EFAULT);
	}
	/* (Ranges from the end of data into the unmapped page are tried at the
	 * stack top below, where a wrong partial write cannot hurt.) */
	CHECK_EQ("clock: guard page into stack", clock_raw(STACK_BOTTOM - 4), -RV_EFAULT);
	CHECK_EQ("kstats: guard page into stack", kstats_raw(STACK_BOTTOM - 8), -RV_EFAULT);
	CHECK_EQ("clock: read-only text", clock_raw((uintptr_t)test_clock_kstats), -RV_EFAULT);
	CHECK_EQ("kstats: read-only rodata", kstats_raw((uintptr_t)rodata_msg), -RV_EFAULT);
	CHECK_EQ("clock: wrap-around", clock_raw(0xfffffffffffffffcUL), -RV_EFAULT);
	check_no_partial_write("clock", clock_raw, sizeof(uint64_t));
	check_no_partial_write("kstats", kstats_raw, sizeof(struct rv_kstats));

	/* Valid calls, also into the last bytes of data and misaligned. */
	CHECK_EQ("clock: valid", clock_raw((uintptr_t)&ns), 0);
	CHECK("clock: time has passed since boot", ns > 0);
	CHECK_EQ("clock: last 8 bytes of the stack", clock_raw((uintptr_t)top_put("", 0) - 8), 0);
	top_restore();
	CHECK_EQ("clock: misaligned", clock_raw((uintptr_t)(raw + 3)), 0);
	memcpy(&ns2, raw + 3, sizeof(ns2));
	CHECK("clock: monotonic", ns2 >= ns);
	/* The wall clock: the board's RTC, or ENODEV; any other clock EINVAL. */
	CHECK_EQ("clock(2): no such clock",
		 rv_syscall(RV_SYS_CLOCK, (long)&ns, 2, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("clock(-1): no such clock",
		 rv_syscall(RV_SYS_CLOCK, (long)&ns, -1, 0, 0, 0, 0), -RV_EINVAL);
	if (HAS_RTC) {
		CHECK_EQ("clock(REALTIME): the RTC", rv_clock_realtime_ns(&ns), 0);
		CHECK("clock(REALTIME): after 2020", ns / 1000000000ull > SECS_2020);
		CHECK_EQ("clock(REALTIME): kernel address",
			 rv_syscall(RV_SYS_CLOCK, KERNEL_ADDR, RV_CLOCK_REALTIME, 0, 0, 0, 0),
			 -RV_EFAULT);
	} else {
		ns = 7;
		CHECK_EQ("clock(REALTIME): no RTC", rv_clock_realtime_ns(&ns), -RV_ENODEV);
		CHECK_EQ("clock(REALTIME): no RTC, nothing written", ns, 7);
	}
	CHECK_EQ("kstats: valid", rv_kstats(&ks), 0);
	CHECK_EQ("kstats: misaligned", kstats_raw((uintptr_t)(raw + 1)), 0);
	CHECK("kstats: frames_free <= frames_total", ks.frames_free <= ks.frames_total);
	CHECK("kstats: procs_used in 1..procs_max", ks.procs_used >= 1 && ks.procs_used <= ks.procs_max);
	CHECK_EQ("kstats: procs_max", ks.procs_max, CONFIG_MAX_PROCS);
	CHECK("kstats: counts system calls", ks.syscalls > 100);
}

/* ------------------------------------------------------------------ numbers, registers */

static void test_numbers(void)
{
	CHECK_EQ("syscall RV_SYS_COUNT", rv_syscall(RV_SYS_COUNT, 0, 0, 0, 0, 0, 0), -RV_ENOSYS);
	CHECK_EQ("syscall 1000", rv_syscall(1000, 0, 0, 0, 0, 0, 0), -RV_ENOSYS);
	CHECK_EQ("syscall 0x7fffffff", rv_syscall(0x7fffffff, 0, 0, 0, 0, 0, 0), -RV_ENOSYS);
	CHECK_EQ("syscall -1", rv_syscall(-1, 0, 0, 0, 0, 0, 0), -RV_ENOSYS);
	CHECK_EQ("syscall 1 << 63", rv_syscall((long)(1UL << 63), 0, 0, 0, 0, 0, 0), -RV_ENOSYS);
	/* High bits must not be dropped: this is not getpid. */
	CHECK_EQ("syscall (1 << 32) + RV_SYS_GETPID",
		 rv_syscall((long)((1UL << 32) + RV_SYS_GETPID), 0, 0, 0, 0, 0, 0), -RV_ENOSYS);
	CHECK_EQ("syscall (1 << 32) + RV_SYS_EXIT",
		 rv_syscall((long)((1UL << 32) + RV_SYS_EXIT), 0, 0, 0, 0, 0, 0), -RV_ENOSYS);
	CHECK("getpid > 0", rv_getpid() > 0);
	CHECK_EQ("yield alone", rv_yield(), 0);
	CHECK_EQ("sleep 0", rv_sleep_ns(0), 0);
}

static void check_regs(const char *call, long nr, long a0, long a1, long want)
{
	uint64_t out[32];
	uintptr_t gp, tp;
	long ret;

	__asm__ volatile("mv %0, gp" : "=r"(gp));
	__asm__ volatile("mv %0, tp" : "=r"(tp));
	ret = ecall_regs(nr, a0, a1, out);
	CHECK_EQ(say(call, "result"), ret, want);
	for (int r = 1; r < 32; r++) {
		uint64_t expect = REG_PATTERN + (uint64_t)r;
		char reg[80];

		switch (r) {
		case 2: expect = out[0]; break;		/* sp */
		case 3: expect = gp; break;
		case 4: expect = tp; break;
		case 10: continue;			/* a0: the result */
		case 11: expect = (uint64_t)a1; break;
		case 17: expect = (uint64_t)nr; break;	/* a7 */
		}
		snprintf(reg, sizeof(reg), "x%d preserved", r);
		if (!CHECK(say(call, reg), out[r] == expect))
			printf("    x%d = 0x%lx, want 0x%lx\n", r, (unsigned long)out[r],
			       (unsigned long)expect);
	}
}

static void test_registers(void)
{
	long other;

	check_regs("getpid regs", RV_SYS_GETPID, 0, 0, rv_getpid());
	check_regs("ENOSYS regs", 777, 1, 2, -RV_ENOSYS);
	check_regs("EFAULT regs", RV_SYS_DEBUG_WRITE, 0, 16, -RV_EFAULT);
	check_regs("clock EFAULT regs", RV_SYS_CLOCK, KERNEL_ADDR, 0, -RV_EFAULT);
	check_regs("sleep regs", RV_SYS_SLEEP, 1000000, 0, 0);
	/* A real switch to another process and back. */
	other = rv_spawn_raw("helper", "yield", 6, 8);
	CHECK("spawn yielding helper", other > 0);
	check_regs("yield regs (switch)", RV_SYS_YIELD, 0, 0, 0);
	CHECK_EQ("wait for yielding helper", rv_wait((int)other, NULL), other);
}

/* ------------------------------------------------------------------ wide arguments */

/*
 * Every argument narrower than its register (doc/syscalls.md, "Arguments"):
 * a live handle with an upper bit set, h | 1 << 32, is EINVAL for every call
 * that takes a handle -- never the handle of its low 32 bits -- and the call
 * changes nothing; so are flags, rights, signals, an exit code, shm_map's
 * `writable` and program_list's `first` with bits beyond their type. The
 * call fast path (channel_call to a blocked reader) and the reply-and-wait
 * fast path (port_wait with a reply to a blocked caller) give the same.
 */
#define WIDE(h) ((long)((1ull << 32) | (uint64_t)(h)))
#define WIDE_NOTE "handle | 1 << 32"
#define CH_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))

static long sys(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return rv_syscall(nr, a0, a1, a2, a3, a4, a5);
}

static struct rv_kstats kstats_now(void)
{
	struct rv_kstats k;

	rv_kstats(&k);
	return k;
}

/* Is the pattern still in every byte of p (nothing was written there)? */
static int untouched(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0xa5)
			return 0;
	}
	return 1;
}

static long handle_rights_of(rv_handle_t h)
{
	struct rv_handle_info info;
	long r = rv_handle_info(h, &info);

	return r < 0 ? r : (long)info.rights;
}

/* Wait for a process (handle) to end, its exit info; closes the handle. */
static long reap(long proc, struct rv_exit_info *info)
{
	struct rv_wait_item it = {.handle = (rv_handle_t)proc, .signals = RV_SIGNAL_EXITED};
	long r = rv_wait_many(&it, 1, rv_clock_ns() + 5000000000ull);

	if (r >= 0)
		r = rv_process_exit_info((rv_handle_t)proc, info);
	rv_handle_close((rv_handle_t)proc);
	return r;
}

static void wide_handles_info_close_dup(rv_handle_t h)
{
	struct rv_handle_info info;
	struct rv_kstats k0 = kstats_now();

	CHECK_EQ("handle_close(" WIDE_NOTE ")", sys(RV_SYS_HANDLE_CLOSE, WIDE(h), 0, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("... the handle is still open", rv_handle_info(h, &info), 0);
	CHECK_EQ("handle_duplicate(" WIDE_NOTE ")",
		 sys(RV_SYS_HANDLE_DUPLICATE, WIDE(h), RV_RIGHT_READ, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("handle_duplicate(h, rights | 1 << 32)",
		 sys(RV_SYS_HANDLE_DUPLICATE, h, (long)((1ull << 32) | RV_RIGHT_READ), 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("... no handle was made", kstats_now().handles_used, k0.handles_used);
	memset(&info, 0xa5, sizeof(info));
	CHECK_EQ("handle_info(" WIDE_NOTE ")", sys(RV_SYS_HANDLE_INFO, WIDE(h), (long)&info, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK("... nothing written", untouched(&info, sizeof(info)));
}

static void wide_channels(void)
{
	rv_handle_t ch[2], moved;
	uint8_t byte = 7, in[8];
	struct rv_msg m = {.bytes = &byte, .num_bytes = 1, .handles = &moved, .num_handles = 1};
	struct rv_msg r = {.bytes = in, .num_bytes = sizeof(in)};
	long d;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	wide_handles_info_close_dup(ch[0]);
	d = rv_handle_duplicate(ch[0], CH_RIGHTS);
	CHECK("a handle to move", d >= 0);
	moved = (rv_handle_t)d;
	CHECK_EQ("channel_write(" WIDE_NOTE ")",
		 sys(RV_SYS_CHANNEL_WRITE, WIDE(ch[0]), (long)&m, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("channel_write(flags | 1 << 32)",
		 sys(RV_SYS_CHANNEL_WRITE, ch[0], (long)&m, (long)(1ull << 32), 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("channel_call(" WIDE_NOTE "), nobody reading",
		 sys(RV_SYS_CHANNEL_CALL, WIDE(ch[0]), (long)&m, (long)&r, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("... nothing was sent", rv_channel_read(ch[1], &r, RV_IPC_NONBLOCK, 0), -RV_EAGAIN);
	CHECK_EQ("... the handle in it stayed", handle_rights_of(moved), CH_RIGHTS);
	m.num_handles = 0;
	CHECK_EQ("channel_write", rv_channel_write(ch[0], &m, 0, 0), 0);
	CHECK_EQ("channel_read(" WIDE_NOTE ")",
		 sys(RV_SYS_CHANNEL_READ, WIDE(ch[1]), (long)&r, RV_IPC_NONBLOCK, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("channel_read(flags | 1 << 32)",
		 sys(RV_SYS_CHANNEL_READ, ch[1], (long)&r, (long)((1ull << 32) | RV_IPC_NONBLOCK), 0, 0,
		     0),
		 -RV_EINVAL);
	CHECK_EQ("... the message is still there", rv_channel_read(ch[1], &r, RV_IPC_NONBLOCK, 0), 0);
	CHECK_EQ("... and it was the only one", rv_channel_read(ch[1], &r, RV_IPC_NONBLOCK, 0),
		 -RV_EAGAIN);
	rv_handle_close(moved);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
}

/* The call fast path: a reader (ipc_child echo) blocked on the peer end. A
 * wide handle must not reach it; the next real call gets its own echo. */
static void wide_call_fastpath(void)
{
	static const char *const echo[] = {"echo", NULL};
	char a[16] = "wide call", b[16] = "real call", got[16];
	struct rv_msg qa = {.bytes = a, .num_bytes = sizeof(a)};
	struct rv_msg qb = {.bytes = b, .num_bytes = sizeof(b)};
	struct rv_msg rep = {.bytes = got, .num_bytes = sizeof(got)};
	rv_handle_t ch[2];
	long proc;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	proc = rv_process_spawn("ipc_child", echo, CONFIG_DEFAULT_PRIORITY, &ch[1], 1);
	if (!CHECK("spawn an echo server", proc >= 0))
		return;
	rv_sleep_ns(20000000); /* it blocks in its read */
	CHECK_EQ("channel_call(" WIDE_NOTE ") to a blocked reader",
		 sys(RV_SYS_CHANNEL_CALL, WIDE(ch[0]), (long)&qa, (long)&rep, (long)RV_DEADLINE_NEVER,
		     0, 0),
		 -RV_EINVAL);
	CHECK_EQ("channel_call, the real one", rv_channel_call(ch[0], &qb, &rep, RV_DEADLINE_NEVER), 0);
	CHECK("... answers the real request (the wide one never went)",
	      rep.num_bytes == sizeof(b) && !memcmp(got, b, sizeof(b)));
	rv_handle_close(ch[0]); /* the echo server ends */
	rv_handle_close((rv_handle_t)proc);
}

/* The reply-and-wait fast path: a caller (ipc_child caller 2 16) blocked in
 * its call; a reply on a wide handle (or with a wide port) must not go. The
 * wide attempts carry a wrong answer, so the caller's exit status (0: both
 * replies it got were right) shows that none of them reached it. */
static void wide_reply_fastpath(void)
{
	static const char *const caller[] = {"caller", "2", "16", NULL};
	uint8_t req[64] __attribute__((aligned(8))), ans[16], wrong[16] = {0};
	struct rv_msg q __attribute__((aligned(8))) = {.bytes = req, .num_bytes = sizeof(req)};
	struct rv_msg a = {.bytes = ans, .num_bytes = sizeof(ans)};
	struct rv_msg w = {.bytes = wrong, .num_bytes = sizeof(wrong)};
	struct rv_port_event ev __attribute__((aligned(8)));
	struct rv_exit_info info;
	rv_handle_t ch[2];
	long port, proc;

	port = rv_port_create();
	CHECK("port_create", port >= 0);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("port_bind", rv_port_bind((rv_handle_t)port, ch[0], RV_SIGNAL_READABLE, 1), 0);
	proc = rv_process_spawn("ipc_child", caller, CONFIG_DEFAULT_PRIORITY, &ch[1], 1);
	if (!CHECK("spawn a caller", proc >= 0))
		return;
	for (int call = 0; call < 2; call++) {
		q.num_bytes = sizeof(req);
		CHECK_EQ("port_wait: the caller's request",
			 rv_port_wait((rv_handle_t)port, &ev, &q, rv_clock_ns() + 2000000000ull), 0);
		CHECK_EQ("... read", ev.status, 0);
		for (uint32_t k = 0; k < sizeof(ans); k++)
			ans[k] = (uint8_t)(req[k] + 1);
		q.num_bytes = sizeof(req);
		CHECK_EQ("port_wait(reply to " WIDE_NOTE ")",
			 sys(RV_SYS_PORT_WAIT, port, (long)&ev, (long)&q, (long)RV_DEADLINE_NEVER,
			     WIDE(ch[0]), (long)&w),
			 -RV_EINVAL);
		CHECK_EQ("port_wait(" WIDE_NOTE ", reply)",
			 sys(RV_SYS_PORT_WAIT, WIDE(port), (long)&ev, (long)&q, (long)RV_DEADLINE_NEVER,
			     ch[0], (long)&w),
			 -RV_EINVAL);
		CHECK_EQ("... the caller still waits for its reply",
			 rv_process_exit_info((rv_handle_t)proc, &info), -RV_EAGAIN);
		CHECK_EQ("the right reply, by a write", rv_channel_write(ch[0], &a, 0, 0), 0);
	}
	CHECK_EQ("the caller ends", reap(proc, &info), 0);
	CHECK_EQ("... and got the right replies only", info.code, 0);
	rv_handle_close((rv_handle_t)port);
	rv_handle_close(ch[0]);
}

static void wide_shm_process(void)
{
	static const char *const sleeper[] = {"sleep", NULL};
	struct rv_exit_info info;
	struct rv_kstats k0;
	long shm, proc;

	shm = rv_shm_create(4096);
	CHECK("shm_create", shm >= 0);
	k0 = kstats_now();
	CHECK_EQ("shm_map(" WIDE_NOTE ")", sys(RV_SYS_SHM_MAP, WIDE(shm), 0, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("shm_map(h, writable 2)", sys(RV_SYS_SHM_MAP, shm, 2, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("shm_map(h, writable -1)", sys(RV_SYS_SHM_MAP, shm, -1, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("shm_map(h, writable 1 << 32)", sys(RV_SYS_SHM_MAP, shm, (long)(1ull << 32), 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("... nothing was mapped", kstats_now().shm_mappings_used, k0.shm_mappings_used);
	rv_handle_close((rv_handle_t)shm);

	proc = rv_process_spawn("ipc_child", sleeper, CONFIG_DEFAULT_PRIORITY, NULL, 0);
	if (!CHECK("spawn a sleeper", proc >= 0))
		return;
	CHECK_EQ("process_kill(" WIDE_NOTE ")", sys(RV_SYS_PROCESS_KILL, WIDE(proc), 0, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("... it still runs", rv_process_exit_info((rv_handle_t)proc, &info), -RV_EAGAIN);
	memset(&info, 0xa5, sizeof(info));
	CHECK_EQ("process_exit_info(" WIDE_NOTE ")",
		 sys(RV_SYS_PROCESS_EXIT_INFO, WIDE(proc), (long)&info, 0, 0, 0, 0), -RV_EINVAL);
	CHECK("... nothing written", untouched(&info, sizeof(info)));
	CHECK_EQ("process_kill", rv_process_kill((rv_handle_t)proc), 0);
	CHECK_EQ("... it was killed", reap(proc, &info), 0);
	CHECK_EQ("... by the kill", info.reason, RV_EXIT_KILLED);
}

static void wide_ports(void)
{
	struct rv_port_event ev;
	struct rv_kstats k0;
	rv_handle_t ch[2];
	long port = rv_port_create();

	CHECK("port_create", port >= 0);
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	k0 = kstats_now();
	CHECK_EQ("port_bind(" WIDE_NOTE ", h)",
		 sys(RV_SYS_PORT_BIND, WIDE(port), ch[0], RV_SIGNAL_READABLE, 1, 0, 0), -RV_EINVAL);
	CHECK_EQ("port_bind(port, " WIDE_NOTE ")",
		 sys(RV_SYS_PORT_BIND, port, WIDE(ch[0]), RV_SIGNAL_READABLE, 1, 0, 0), -RV_EINVAL);
	CHECK_EQ("port_bind(port, h, signals | 1 << 32)",
		 sys(RV_SYS_PORT_BIND, port, ch[0], (long)((1ull << 32) | RV_SIGNAL_READABLE), 1, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("... nothing was bound", kstats_now().port_bindings_used, k0.port_bindings_used);
	CHECK_EQ("port_bind", rv_port_bind((rv_handle_t)port, ch[0], RV_SIGNAL_READABLE, 1), 0);
	CHECK_EQ("port_unbind(" WIDE_NOTE ", h)", sys(RV_SYS_PORT_UNBIND, WIDE(port), ch[0], 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("port_unbind(port, " WIDE_NOTE ")",
		 sys(RV_SYS_PORT_UNBIND, port, WIDE(ch[0]), 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("... still bound", kstats_now().port_bindings_used, k0.port_bindings_used + 1);
	memset(&ev, 0xa5, sizeof(ev));
	CHECK_EQ("port_wait(" WIDE_NOTE ")", sys(RV_SYS_PORT_WAIT, WIDE(port), (long)&ev, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK("... nothing written", untouched(&ev, sizeof(ev)));
	CHECK_EQ("port_unbind", rv_port_unbind((rv_handle_t)port, ch[0]), 0);
	rv_handle_close((rv_handle_t)port);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
}

/* Devices (this is the first program: it holds them as handles 1, 2, ...):
 * any device for info and ack, the DMA-capable disk (virtio-blk, when the
 * board has one) for map and DMA. */
static void wide_devices(void)
{
	struct rv_device_info info;
	struct rv_kstats k0;
	rv_handle_t dev = 0, blk = 0;
	uint64_t addr;
	long dma;

	for (rv_handle_t h = 1; h <= CONFIG_MAX_EXPORTED_DEVICES; h++) {
		if (rv_device_info(h, &info) < 0)
			break;
		dev = dev ? dev : h;
		if (!strcmp(info.name, "virtio-blk0"))
			blk = h;
	}
	if (!CHECK("a device handle", dev))
		return;
	memset(&info, 0xa5, sizeof(info));
	CHECK_EQ("device_info(" WIDE_NOTE ")", sys(RV_SYS_DEVICE_INFO, WIDE(dev), (long)&info, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK("... nothing written", untouched(&info, sizeof(info)));
	CHECK_EQ("device_irq_ack(" WIDE_NOTE ")", sys(RV_SYS_DEVICE_IRQ_ACK, WIDE(dev), 0, 0, 0, 0, 0),
		 -RV_EINVAL);
	if (!blk)
		return; /* (no DMA-capable device on this board) */
	k0 = kstats_now();
	CHECK_EQ("dma_create(" WIDE_NOTE ")", sys(RV_SYS_DMA_CREATE, WIDE(blk), 4096, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("... no region", kstats_now().dma_regions_used, k0.dma_regions_used);
	dma = rv_dma_create(blk, 4096);
	CHECK("dma_create", dma >= 0);
	addr = 0xa5a5a5a5a5a5a5a5ull;
	CHECK_EQ("dma_addr(" WIDE_NOTE ", shm)",
		 sys(RV_SYS_DMA_ADDR, WIDE(blk), dma, (long)&addr, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("dma_addr(dev, " WIDE_NOTE ")",
		 sys(RV_SYS_DMA_ADDR, blk, WIDE(dma), (long)&addr, 0, 0, 0), -RV_EINVAL);
	CHECK("... nothing written", untouched(&addr, sizeof(addr)));
	rv_handle_close((rv_handle_t)dma);
	CHECK_EQ("device_map(" WIDE_NOTE ")", sys(RV_SYS_DEVICE_MAP, WIDE(blk), 0, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK("... it mapped nothing: the real map works", rv_device_map(blk) > 0);
}

static void wide_spawn_image(void)
{
	struct rv_spawn_image req = {.name = "image", .priority = CONFIG_DEFAULT_PRIORITY};
	long shm = rv_shm_create(4096);
	struct rv_kstats k0 = kstats_now();

	CHECK("shm_create", shm >= 0);
	req.image = (uint64_t)WIDE(shm);
	req.image_size = 4096;
	CHECK_EQ("process_spawn_image(image " WIDE_NOTE ")", rv_process_spawn_image(&req), -RV_EINVAL);
	req.image = (uint64_t)shm;
	CHECK_EQ("... the low 32 bits: not a program", rv_process_spawn_image(&req), -RV_ENOEXEC);
	CHECK_EQ("... no process", kstats_now().procs_used, k0.procs_used);
	rv_handle_close((rv_handle_t)shm);
}

/* Revocation: handle_derive's handle and rights, handle_revoke's revoker,
 * and uses of a derived handle with bit 32 set; also a plain handle whose
 * value has bit 42 set, the bit of its generation part that marks a
 * derived entry in the kernel's table (kernel/handle.h): each EINVAL,
 * never the handle of the low bits, and nothing changed. */
static void wide_revocation(void)
{
	struct rv_handle_info info;
	rv_handle_t ch[2], d[2], out[2];
	struct rv_kstats k0;

	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	k0 = kstats_now();
	memset(out, 0xa5, sizeof(out));
	CHECK_EQ("handle_derive(" WIDE_NOTE ")",
		 sys(RV_SYS_HANDLE_DERIVE, WIDE(ch[0]), RV_RIGHT_READ, (long)out, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("handle_derive(h, rights | 1 << 32)",
		 sys(RV_SYS_HANDLE_DERIVE, ch[0], (long)((1ull << 32) | RV_RIGHT_READ), (long)out, 0, 0,
		     0),
		 -RV_EINVAL);
	CHECK("... nothing written", untouched(out, sizeof(out)));
	CHECK_EQ("... no derivation made", kstats_now().derivations_used, k0.derivations_used);
	CHECK_EQ("... no handle made", kstats_now().handles_used, k0.handles_used);
	CHECK_EQ("handle_derive", rv_handle_derive(ch[0], RV_RIGHT_READ | RV_RIGHT_DUPLICATE, d), 0);
	CHECK_EQ("handle_revoke(" WIDE_NOTE ")", sys(RV_SYS_HANDLE_REVOKE, WIDE(d[1]), 0, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("... not revoked: the derived handle works", rv_handle_info(d[0], &info), 0);
	CHECK_EQ("handle_info(derived " WIDE_NOTE ")",
		 sys(RV_SYS_HANDLE_INFO, WIDE(d[0]), (long)&info, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("handle_duplicate(derived " WIDE_NOTE ")",
		 sys(RV_SYS_HANDLE_DUPLICATE, WIDE(d[0]), RV_RIGHT_READ, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("handle_close(derived " WIDE_NOTE ")",
		 sys(RV_SYS_HANDLE_CLOSE, WIDE(d[0]), 0, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("... still open", rv_handle_info(d[0], &info), 0);
	memset(&info, 0xa5, sizeof(info));
	CHECK_EQ("handle_info(plain handle | 1 << 42)",
		 sys(RV_SYS_HANDLE_INFO, (long)((1ull << 42) | ch[0]), (long)&info, 0, 0, 0, 0),
		 -RV_EINVAL);
	CHECK("... nothing written", untouched(&info, sizeof(info)));
	CHECK_EQ("handle_close(plain handle | 1 << 42)",
		 sys(RV_SYS_HANDLE_CLOSE, (long)((1ull << 42) | ch[0]), 0, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("handle_revoke", rv_handle_revoke(d[1]), 0);
	CHECK_EQ("handle_info(revoked " WIDE_NOTE ")",
		 sys(RV_SYS_HANDLE_INFO, WIDE(d[0]), (long)&info, 0, 0, 0, 0), -RV_EINVAL);
	CHECK_EQ("handle_info(revoked)", rv_handle_info(d[0], &info), -RV_ECANCELED);
	rv_handle_close(d[0]);
	rv_handle_close(d[1]);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	CHECK_EQ("... every derivation went", kstats_now().derivations_used, k0.derivations_used);
}

static void test_wide_args(void)
{
	char names[64];
	int reason = -1;

	wide_channels();
	wide_call_fastpath();
	wide_reply_fastpath();
	wide_shm_process();
	wide_ports();
	wide_spawn_image();
	wide_devices();
	wide_revocation();
	/* Not handles: an exit code, program_list's index. */
	CHECK_EQ("exit(2^32 + 5) is refused, the child runs on (and exits 7)",
		 run_helper("exitwide", 9, 8, &reason), 7);
	CHECK_EQ("program_list(2^32)", sys(RV_SYS_PROGRAM_LIST, (long)(1ull << 32), (long)names,
					   sizeof(names), 0, 0, 0),
		 -RV_EINVAL);
	CHECK_EQ("program_list(0) lists", rv_program_list(0, names, sizeof(names)) > 0, 1);
	printf("syscalls: arguments wider than their type are EINVAL, and change nothing\n");
}

int main(void)
{
	test_numbers();
	test_debug_write();
	test_spawn();
	test_wait();
	test_kill();
	test_clock_kstats();
	test_registers();
	test_wide_args();
	/* Still alive, and the console still works. */
	return check_report("syscalls");
}
