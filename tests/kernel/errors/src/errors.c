/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The error tables are the contract (doc/syscalls.md, doc/ipc.md): every
 * system call is driven down each of its error paths -- bad, stale, wide
 * and wrong-type handles, missing rights, bad pointers, sizes past each
 * limit, each pool and table filled (prj.conf makes them small), closed
 * peers, deadlines past, full queues, no free frame at all, derived
 * handles revoked -- and each
 * result must be the exact error the path gives (CHECK_EQ) and one its
 * table lists. doc_errors.h, made at build time from the tables by
 * scripts/doc_errors.py, holds the documented (call, error) pairs; at the
 * end every documented pair must have been produced here, unless
 * doc/security.md lists it as unreachable (and then it must not be).
 *
 * This is the first program (it holds the device handles). Children run
 * the same program with a role (argv[1]):
 *   exit      exit 0 at once
 *   sleep     sleep for ever (1000 s)
 *   hog       0: channel to the parent. Create channels until refused,
 *             report, then read 0 until the parent closes it
 *   exhaust   0: channel, 1: the DMA device (MAP, DMA). Take every free
 *             frame with mem_grow, then meet ENOMEM in each call that
 *             allocates frames; report, exit (which frees them)
 * A child reports its results on handle 0 ({failed checks, (call, error)
 * pairs produced}); the parent merges them.
 */
#include <stdlib.h>
#include <string.h>
#include <rvos/memory_map.h>
#include <rvos/user.h>
#include "check.h"
#include "doc_errors.h"

#define BAD_PTR 0x80200000UL /* the kernel image: mapped, without U */
#define MAX_ERR 128
#define SELF "errors"
#define PRIO CONFIG_DEFAULT_PRIORITY
#define WIDE(h) ((long)((1ull << 32) | (uint64_t)(h)))
#define CH_RIGHTS (RV_RIGHTS_ALL & ~(RV_RIGHT_MANAGE | RV_RIGHT_DMA))
#define SECOND 1000000000ull

static uint8_t produced[RV_SYS_COUNT][MAX_ERR];
static uint8_t called[RV_SYS_COUNT];
static rv_handle_t blk, uart; /* devices: the disk (DMA) and the UART */
static char what[200];

/* ------------------------------------------------------------ bookkeeping */

static const char *documented_at(unsigned int nr, unsigned int err)
{
	for (size_t i = 0; i < sizeof(doc_errors) / sizeof(doc_errors[0]); i++) {
		if (doc_errors[i].nr == nr && doc_errors[i].err == err)
			return doc_errors[i].where;
	}
	return NULL;
}

static const char *unreachable_why(unsigned int nr, unsigned int err)
{
	for (size_t i = 0; i < sizeof(doc_unreachable) / sizeof(doc_unreachable[0]); i++) {
		if (doc_unreachable[i].nr == nr && doc_unreachable[i].err == err)
			return doc_unreachable[i].where;
	}
	return NULL;
}

/* Call nr returned r: an error must be one its table lists. */
static void seen_at(int line, unsigned int nr, long r)
{
	called[nr] = 1;
	if (r >= 0)
		return;
	if (!check_true_at(line, "an error code in range", r > -MAX_ERR))
		return;
	produced[nr][-r] = 1;
	snprintf(what, sizeof(what), "%s returned %s, which its table does not list",
		 doc_call_names[nr], rv_strerror((int)r));
	check_true_at(line, what, documented_at(nr, (unsigned int)-r) != NULL);
}

/* TRY(nr, want, "which path", the call): the exact result, and a documented one. */
#define TRY(nr, want, path, expr) try_at(__LINE__, (nr), (want), (path), (long)(expr))

static long try_at(int line, unsigned int nr, long want, const char *path, long got)
{
	char desc[160];

	seen_at(line, nr, got);
	snprintf(desc, sizeof(desc), "%s: %s", doc_call_names[nr], path);
	check_eq_at(line, desc, got, want);
	return got;
}

static long sc(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return rv_syscall(nr, a0, a1, a2, a3, a4, a5);
}

/* ------------------------------------------------------------ helpers */

static void chan(rv_handle_t ch[2])
{
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
}

static void close2(rv_handle_t ch[2])
{
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
}

static rv_handle_t dup_rights(rv_handle_t h, uint32_t rights)
{
	long d = rv_handle_duplicate(h, rights);

	CHECK("a duplicate for the test", d >= 0);
	return (rv_handle_t)d;
}

static long write_bytes(rv_handle_t h, const void *p, uint32_t n, rv_handle_t *hs, uint32_t nh)
{
	struct rv_msg m = {.bytes = (void *)p, .num_bytes = n, .handles = hs, .num_handles = nh};

	return rv_channel_write(h, &m, RV_IPC_NONBLOCK, 0);
}

static long wait_exit(rv_handle_t proc, uint64_t ns)
{
	struct rv_wait_item it = {.handle = proc, .signals = RV_SIGNAL_EXITED};

	return rv_wait_many(&it, 1, rv_clock_ns() + ns);
}

static long spawn_role(const char *role, rv_handle_t *give, uint32_t n)
{
	const char *const argv[] = {role, NULL};

	return rv_process_spawn(SELF, argv, PRIO, give, n);
}

/* The handle table filled with duplicates of h (handle_duplicate's
 * EMFILE), and emptied again. */
static rv_handle_t fillers[CONFIG_MAX_HANDLES];
static unsigned int nfillers;

static void table_fill(rv_handle_t h)
{
	long d;

	nfillers = 0;
	while ((d = rv_handle_duplicate(h, RV_RIGHT_READ)) >= 0 && nfillers < CONFIG_MAX_HANDLES)
		fillers[nfillers++] = (rv_handle_t)d;
	TRY(RV_SYS_HANDLE_DUPLICATE, -RV_EMFILE, "the table is full", d);
}

static void table_unfill(void)
{
	while (nfillers)
		rv_handle_close(fillers[--nfillers]);
}

/* ------------------------------------------------------------ children */

/* A child's results, on its handle 0: failed checks, then the pairs. */
struct report {
	uint32_t failed;
	uint16_t pairs[2 * 60];
};

static void child_report(void)
{
	struct report r = {.failed = checks_failed};
	uint32_t n = 0;

	for (unsigned int nr = 0; nr < RV_SYS_COUNT; nr++) {
		for (unsigned int e = 0; e < MAX_ERR && n < 60; e++) {
			if (produced[nr][e]) {
				r.pairs[2 * n] = (uint16_t)nr;
				r.pairs[2 * n + 1] = (uint16_t)e;
				n++;
			}
		}
	}
	write_bytes(0, &r, (uint32_t)(sizeof(r.failed) + n * 4), NULL, 0);
}

static void child_collect(rv_handle_t h, const char *role)
{
	struct report r;
	struct rv_msg m = {.bytes = &r, .num_bytes = sizeof(r)};
	long got = rv_channel_read(h, &m, 0, rv_clock_ns() + 20 * SECOND);

	snprintf(what, sizeof(what), "the %s child reports", role);
	if (!CHECK_EQ(what, got, 0))
		return;
	snprintf(what, sizeof(what), "the %s child's checks (its FAIL lines above)", role);
	CHECK_EQ(what, r.failed, 0);
	for (uint32_t i = 0; i + 1 < (m.num_bytes - sizeof(r.failed)) / 2; i += 2) {
		if (r.pairs[i] < RV_SYS_COUNT && r.pairs[i + 1] < MAX_ERR) {
			produced[r.pairs[i]][r.pairs[i + 1]] = 1;
			called[r.pairs[i]] = 1;
		}
	}
}

static int role_hog(void)
{
	rv_handle_t ch[2];
	struct rv_msg m = {0};
	long r;
	int n = 0;

	while ((r = rv_channel_create(ch)) == 0)
		n++;
	TRY(RV_SYS_CHANNEL_CREATE, -RV_ENOSPC, "CONFIG_MAX_CHANNELS_PER_PROC reached", r);
	CHECK_EQ("the hog made its quota", n, CONFIG_MAX_CHANNELS_PER_PROC);
	child_report();
	while (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) != -RV_EPEERCLOSED)
		;
	return 0;
}

static int role_exhaust(void)
{
	struct rv_kstats k;
	long r;

	/* Every frame: heap in halving steps, down to single pages (the
	 * last calls fail for want of a page-table frame or a page). */
	for (uint64_t size = 64ull << 20; size >= 4096; size /= 2) {
		while ((r = rv_mem_grow(size)) > 0)
			;
		TRY(RV_SYS_MEM_GROW, -RV_ENOMEM, "no frames left", r);
	}
	rv_kstats(&k);
	CHECK_EQ("exhaust: no frame is free", k.frames_free, 0);
	TRY(RV_SYS_SHM_CREATE, -RV_ENOMEM, "no frames", rv_shm_create(4096));
	TRY(RV_SYS_DMA_CREATE, -RV_ENOMEM, "no frames", rv_dma_create(1, 4096));
	TRY(RV_SYS_DEVICE_MAP, -RV_ENOMEM, "no frame for a page table", rv_device_map(1));
	TRY(RV_SYS_SPAWN, -RV_ENOMEM, "no memory for the address space",
	    rv_spawn_raw(SELF, "exit", 5, PRIO));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_ENOMEM, "no memory for the address space",
	    rv_process_spawn_raw(SELF, "exit", 5, PRIO, NULL, 0));
	child_report();
	return 0;
}

/* ------------------------------------------------------------ calls 0..9 */

static void process_calls(void)
{
	static char name[CONFIG_PROC_NAME_MAX + 8];
	static char args[CONFIG_SPAWN_ARGS_MAX_BYTES + 8];
	struct rv_exit_info info;
	long kids[CONFIG_MAX_PROCS];
	int nkids = 0;
	long r, proc;
	size_t n;

	TRY(RV_SYS_DEBUG_WRITE, -RV_EINVAL, "len over CONFIG_DEBUG_WRITE_MAX",
	    rv_debug_write(args, CONFIG_DEBUG_WRITE_MAX + 1));
	TRY(RV_SYS_DEBUG_WRITE, -RV_EFAULT, "buf in the kernel",
	    rv_debug_write((void *)BAD_PTR, 8));
	TRY(RV_SYS_EXIT, -RV_EINVAL, "code 2^32 (not an int)",
	    sc(RV_SYS_EXIT, (long)(1ull << 32), 0, 0, 0, 0, 0));

	/* spawn */
	TRY(RV_SYS_SPAWN, -RV_EFAULT, "name in the kernel",
	    sc(RV_SYS_SPAWN, BAD_PTR, 0, 0, PRIO, 0, 0));
	TRY(RV_SYS_SPAWN, -RV_EFAULT, "args in the kernel",
	    sc(RV_SYS_SPAWN, (long)SELF, BAD_PTR, 8, PRIO, 0, 0));
	TRY(RV_SYS_SPAWN, -RV_EINVAL, "empty name", rv_spawn_raw("", NULL, 0, PRIO));
	TRY(RV_SYS_SPAWN, -RV_EINVAL, "args not NUL-terminated",
	    rv_spawn_raw(SELF, "exit", 4, PRIO));
	TRY(RV_SYS_SPAWN, -RV_EINVAL, "priority CONFIG_NUM_PRIORITIES",
	    rv_spawn_raw(SELF, NULL, 0, CONFIG_NUM_PRIORITIES));
	memset(name, 'n', CONFIG_PROC_NAME_MAX);
	name[CONFIG_PROC_NAME_MAX] = 0;
	TRY(RV_SYS_SPAWN, -RV_E2BIG, "name of CONFIG_PROC_NAME_MAX bytes",
	    rv_spawn_raw(name, NULL, 0, PRIO));
	TRY(RV_SYS_SPAWN, -RV_E2BIG, "args over CONFIG_SPAWN_ARGS_MAX_BYTES",
	    rv_spawn_raw(SELF, args, CONFIG_SPAWN_ARGS_MAX_BYTES + 1, PRIO));
	memset(args, 0, sizeof(args));
	n = CONFIG_SPAWN_MAX_ARGS; /* NULs: empty strings, argv[0] besides */
	TRY(RV_SYS_SPAWN, -RV_E2BIG, "more than CONFIG_SPAWN_MAX_ARGS arguments",
	    rv_spawn_raw(SELF, args, n, PRIO));
	TRY(RV_SYS_SPAWN, -RV_ENOENT, "no such program", rv_spawn_raw("no_such", NULL, 0, PRIO));
	TRY(RV_SYS_SPAWN, -RV_ENOEXEC, "a text file", rv_spawn_raw("notelf", NULL, 0, PRIO));
	/* every process slot taken */
	while (nkids < CONFIG_MAX_PROCS && (r = rv_spawn_raw(SELF, "sleep", 6, PRIO)) > 0)
		kids[nkids++] = r;
	TRY(RV_SYS_SPAWN, -RV_ENOMEM, "no process slot (CONFIG_MAX_PROCS)", r);

	/* kill and wait */
	TRY(RV_SYS_KILL, -RV_EINVAL, "own pid", rv_kill((int)rv_getpid()));
	TRY(RV_SYS_KILL, -RV_EINVAL, "2^32 + a child's pid",
	    sc(RV_SYS_KILL, (long)((1ull << 32) + (uint64_t)kids[0]), 0, 0, 0, 0, 0));
	TRY(RV_SYS_KILL, -RV_ESRCH, "no such pid", rv_kill(0x7ffffff0));
	for (int i = 0; i < nkids; i++)
		CHECK_EQ("kill a sleeping child", rv_kill((int)kids[i]), 0);
	TRY(RV_SYS_WAIT, -RV_EINVAL, "pid 0", rv_wait(0, &info));
	TRY(RV_SYS_WAIT, -RV_EFAULT, "info in the kernel", rv_wait(-1, (void *)BAD_PTR));
	for (int i = 0; i < nkids; i++)
		CHECK_EQ("reap a killed child", rv_wait((int)kids[i], &info), kids[i]);
	TRY(RV_SYS_WAIT, -RV_ECHILD, "no children", rv_wait(-1, &info));
	/* a process_spawn child is nobody's child for kill */
	proc = spawn_role("sleep", NULL, 0);
	if (CHECK("process_spawn a sleeper", proc >= 0)) {
		struct rv_handle_info hi;

		rv_handle_info((rv_handle_t)proc, &hi);
		TRY(RV_SYS_KILL, -RV_EPERM, "not the caller's child", rv_kill(hi.pid));
		rv_process_kill((rv_handle_t)proc);
		rv_handle_close((rv_handle_t)proc);
	}

	/* no errors: getpid, yield, sleep, whatever else is in the registers */
	TRY(RV_SYS_GETPID, rv_getpid(), "junk arguments",
	    sc(RV_SYS_GETPID, -1, -1, -1, -1, -1, -1));
	TRY(RV_SYS_YIELD, 0, "junk arguments", sc(RV_SYS_YIELD, -1, -1, -1, -1, -1, -1));
	TRY(RV_SYS_SLEEP, 0, "1 ns", sc(RV_SYS_SLEEP, 1, -1, -1, -1, -1, -1));
	TRY(RV_SYS_CLOCK, -RV_EFAULT, "into the kernel", sc(RV_SYS_CLOCK, BAD_PTR, 0, 0, 0, 0, 0));
	{
		uint64_t ns;

		TRY(RV_SYS_CLOCK, -RV_EINVAL, "which 2 (neither clock)",
		    sc(RV_SYS_CLOCK, (long)&ns, 2, 0, 0, 0, 0));
	}
	TRY(RV_SYS_KSTATS, -RV_EFAULT, "into the kernel", rv_kstats((void *)BAD_PTR));
}

/* ------------------------------------------------------------ handles */

static void handle_calls(void)
{
	struct rv_handle_info info;
	rv_handle_t ch[2], nodup;

	chan(ch);
	TRY(RV_SYS_HANDLE_CLOSE, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_HANDLE_CLOSE, WIDE(ch[0]), 0, 0, 0, 0, 0));
	TRY(RV_SYS_HANDLE_CLOSE, -RV_EBADF, "no such handle", rv_handle_close(0x7ff));
	TRY(RV_SYS_HANDLE_DUPLICATE, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_HANDLE_DUPLICATE, WIDE(ch[0]), RV_RIGHT_READ, 0, 0, 0, 0));
	TRY(RV_SYS_HANDLE_DUPLICATE, -RV_EINVAL, "rights | 1 << 32",
	    sc(RV_SYS_HANDLE_DUPLICATE, ch[0], WIDE(RV_RIGHT_READ), 0, 0, 0, 0));
	TRY(RV_SYS_HANDLE_DUPLICATE, -RV_EBADF, "no such handle", rv_handle_duplicate(0x7ff, 0));
	TRY(RV_SYS_HANDLE_DUPLICATE, -RV_EPERM, "more rights",
	    rv_handle_duplicate(ch[0], RV_RIGHT_MANAGE));
	nodup = dup_rights(ch[0], RV_RIGHT_READ);
	TRY(RV_SYS_HANDLE_DUPLICATE, -RV_EPERM, "no DUPLICATE right",
	    rv_handle_duplicate(nodup, 0));
	rv_handle_close(nodup);
	TRY(RV_SYS_HANDLE_INFO, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_HANDLE_INFO, WIDE(ch[0]), (long)&info, 0, 0, 0, 0));
	TRY(RV_SYS_HANDLE_INFO, -RV_EBADF, "no such handle", rv_handle_info(0x7ff, &info));
	TRY(RV_SYS_HANDLE_INFO, -RV_EFAULT, "into the kernel",
	    rv_handle_info(ch[0], (void *)BAD_PTR));
	close2(ch);
}

/* ------------------------------------------------------------ channels */

/* The channel pool and the per-process quota: a hog child takes its quota,
 * this process fills the pool (ENFILE); the hog goes, and this process
 * meets its own quota (ENOSPC). */
static void channel_limits(void)
{
	rv_handle_t c[2], mine[2 * CONFIG_MAX_CHANNELS];
	unsigned int n = 0;
	long hog, r;

	TRY(RV_SYS_CHANNEL_CREATE, -RV_EFAULT, "out in the kernel",
	    rv_channel_create((void *)BAD_PTR));
	chan(c);
	hog = spawn_role("hog", &c[1], 1);
	if (!CHECK("spawn the hog", hog >= 0))
		return;
	child_collect(c[0], "hog");
	while (n + 2 <= 2 * CONFIG_MAX_CHANNELS && (r = rv_channel_create(&mine[n])) == 0)
		n += 2;
	TRY(RV_SYS_CHANNEL_CREATE, -RV_ENFILE, "CONFIG_MAX_CHANNELS in use", r);
	while (n)
		rv_handle_close(mine[--n]);
	rv_handle_close(c[0]); /* the hog ends, its channels go */
	CHECK_EQ("the hog ends", wait_exit((rv_handle_t)hog, 5 * SECOND), 1);
	rv_handle_close((rv_handle_t)hog);
	while (n + 2 <= 2 * CONFIG_MAX_CHANNELS && (r = rv_channel_create(&mine[n])) == 0)
		n += 2;
	TRY(RV_SYS_CHANNEL_CREATE, -RV_ENOSPC, "CONFIG_MAX_CHANNELS_PER_PROC reached", r);
	CHECK_EQ("... after the quota", n / 2, CONFIG_MAX_CHANNELS_PER_PROC);
	while (n)
		rv_handle_close(mine[--n]);
}

static void channel_write_errors(void)
{
	static uint8_t big[CONFIG_MSG_MAX_BYTES + 1];
	rv_handle_t a[2], b[2], ro, hs[CONFIG_MSG_MAX_HANDLES + 1];
	struct rv_msg m = {.bytes = big, .num_bytes = 1};
	long shm = rv_shm_create(4096);
	uint32_t i;

	chan(a);
	chan(b);
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_CHANNEL_WRITE, WIDE(a[0]), (long)&m, 0, 0, 0, 0));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EINVAL, "flags | 1 << 32",
	    sc(RV_SYS_CHANNEL_WRITE, a[0], (long)&m, WIDE(0), 0, 0, 0));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EBADF, "no such handle", rv_channel_write(0x7ff, &m, 0, 0));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EWRONGTYPE, "an shm region",
	    rv_channel_write((rv_handle_t)shm, &m, 0, 0));
	ro = dup_rights(a[0], RV_RIGHT_READ);
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EPERM, "no WRITE right", rv_channel_write(ro, &m, 0, 0));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EFAULT, "msg in the kernel",
	    rv_channel_write(a[0], (void *)BAD_PTR, 0, 0));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EFAULT, "bytes in the kernel",
	    write_bytes(a[0], (void *)BAD_PTR, 8, NULL, 0));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EFAULT, "handles in the kernel",
	    write_bytes(a[0], big, 1, (void *)BAD_PTR, 1));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EMSGSIZE, "CONFIG_MSG_MAX_BYTES + 1 bytes",
	    write_bytes(a[0], big, CONFIG_MSG_MAX_BYTES + 1, NULL, 0));
	for (i = 0; i <= CONFIG_MSG_MAX_HANDLES; i++)
		hs[i] = b[0];
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EMSGSIZE, "CONFIG_MSG_MAX_HANDLES + 1 handles",
	    write_bytes(a[0], big, 1, hs, CONFIG_MSG_MAX_HANDLES + 1));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EBADF, "a handle sent that is none",
	    write_bytes(a[0], big, 1, (rv_handle_t[]){0x7fe}, 1));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EPERM, "a handle sent without TRANSFER",
	    write_bytes(a[0], big, 1, &ro, 1));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EINVAL, "a handle sent twice",
	    write_bytes(a[0], big, 1, (rv_handle_t[]){b[0], b[0]}, 2));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EINVAL, "h through itself",
	    write_bytes(a[0], big, 1, &a[0], 1));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EINVAL, "h's peer", write_bytes(a[0], big, 1, &a[1], 1));
	/* a cycle: b[1] travels into a[1]'s queue; then a[1] may not travel */
	CHECK_EQ("b[1] into a[1]'s queue", write_bytes(a[0], big, 1, &b[1], 1), 0);
	TRY(RV_SYS_CHANNEL_WRITE, -RV_ELOOP, "an end whose queue carries an end",
	    write_bytes(b[0], big, 1, &a[1], 1));
	/* the queue full: would block, or the deadline passes */
	for (i = 1; i < CONFIG_CHANNEL_QUEUE_DEPTH; i++)
		CHECK_EQ("fill the queue", write_bytes(a[0], big, 1, NULL, 0), 0);
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EAGAIN, "queue full, NONBLOCK",
	    write_bytes(a[0], big, 1, NULL, 0));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_ETIMEDOUT, "queue full, deadline past",
	    rv_channel_write(a[0], &m, 0, 0));
	rv_handle_close(a[1]); /* its queue goes, b[1] with it */
	TRY(RV_SYS_CHANNEL_WRITE, -RV_EPEERCLOSED, "the peer closed",
	    write_bytes(a[0], big, 1, NULL, 0));
	rv_handle_close(a[0]);
	rv_handle_close(b[0]);
	rv_handle_close(ro);
	rv_handle_close((rv_handle_t)shm);
}

static void channel_read_call_errors(void)
{
	uint8_t buf[16];
	rv_handle_t a[2], b[2], ro, wo;
	struct rv_msg m = {.bytes = buf, .num_bytes = sizeof(buf)};
	struct rv_msg small = {.bytes = buf, .num_bytes = 2};
	long shm = rv_shm_create(4096);

	chan(a);
	chan(b);
	/* read */
	TRY(RV_SYS_CHANNEL_READ, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_CHANNEL_READ, WIDE(a[0]), (long)&m, RV_IPC_NONBLOCK, 0, 0, 0));
	TRY(RV_SYS_CHANNEL_READ, -RV_EINVAL, "flags | 1 << 32",
	    sc(RV_SYS_CHANNEL_READ, a[0], (long)&m, WIDE(RV_IPC_NONBLOCK), 0, 0, 0));
	TRY(RV_SYS_CHANNEL_READ, -RV_EBADF, "no such handle", rv_channel_read(0x7ff, &m, 0, 0));
	TRY(RV_SYS_CHANNEL_READ, -RV_EWRONGTYPE, "an shm region",
	    rv_channel_read((rv_handle_t)shm, &m, 0, 0));
	wo = dup_rights(a[0], RV_RIGHT_WRITE);
	TRY(RV_SYS_CHANNEL_READ, -RV_EPERM, "no READ right", rv_channel_read(wo, &m, 0, 0));
	TRY(RV_SYS_CHANNEL_READ, -RV_EFAULT, "msg in the kernel",
	    rv_channel_read(a[0], (void *)BAD_PTR, 0, 0));
	TRY(RV_SYS_CHANNEL_READ, -RV_EAGAIN, "empty, NONBLOCK",
	    rv_channel_read(a[0], &m, RV_IPC_NONBLOCK, 0));
	TRY(RV_SYS_CHANNEL_READ, -RV_ETIMEDOUT, "empty, deadline past",
	    rv_channel_read(a[0], &m, 0, 0));
	CHECK_EQ("a message of 8 bytes", write_bytes(a[1], buf, 8, NULL, 0), 0);
	TRY(RV_SYS_CHANNEL_READ, -RV_EMSGSIZE, "a buffer of 2 bytes",
	    rv_channel_read(a[0], &small, 0, 0));
	m.bytes = (void *)BAD_PTR;
	TRY(RV_SYS_CHANNEL_READ, -RV_EFAULT, "the bytes into the kernel",
	    rv_channel_read(a[0], &m, 0, 0));
	m.bytes = buf;

	CHECK_EQ("the message, read", rv_channel_read(a[0], &m, 0, 0), 0);
	rv_handle_close(a[1]);
	TRY(RV_SYS_CHANNEL_READ, -RV_EPEERCLOSED, "empty, the peer closed",
	    rv_channel_read(a[0], &m, 0, 0));
	rv_handle_close(a[0]);
	chan(a);

	/* call */
	TRY(RV_SYS_CHANNEL_CALL, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_CHANNEL_CALL, WIDE(b[0]), (long)&m, (long)&m, 0, 0, 0));
	TRY(RV_SYS_CHANNEL_CALL, -RV_EBADF, "no such handle", rv_channel_call(0x7ff, &m, &m, 0));
	TRY(RV_SYS_CHANNEL_CALL, -RV_EWRONGTYPE, "an shm region",
	    rv_channel_call((rv_handle_t)shm, &m, &m, 0));
	TRY(RV_SYS_CHANNEL_CALL, -RV_EPERM, "no READ right", rv_channel_call(wo, &m, &m, 0));
	TRY(RV_SYS_CHANNEL_CALL, -RV_EFAULT, "reply in the kernel",
	    rv_channel_call(b[0], &m, (void *)BAD_PTR, 0));
	TRY(RV_SYS_CHANNEL_CALL, -RV_EFAULT, "request in the kernel",
	    rv_channel_call(b[0], (void *)BAD_PTR, &m, 0));
	m.num_bytes = CONFIG_MSG_MAX_BYTES + 1;
	TRY(RV_SYS_CHANNEL_CALL, -RV_EMSGSIZE, "request of CONFIG_MSG_MAX_BYTES + 1",
	    rv_channel_call(b[0], &m, &small, 0));
	m.num_bytes = 1;
	TRY(RV_SYS_CHANNEL_CALL, -RV_EINVAL, "h sent through itself",
	    rv_channel_call(
		b[0],
		&(struct rv_msg){.bytes = buf, .num_bytes = 1, .handles = &b[0], .num_handles = 1},
		&m, 0));
	TRY(RV_SYS_CHANNEL_CALL, -RV_ETIMEDOUT, "no reply by the deadline (past)",
	    rv_channel_call(b[0], &m, &m, 0));
	CHECK_EQ("a reply of 8 bytes queued", write_bytes(b[1], buf, 8, NULL, 0), 0);
	small.num_bytes = 2;
	TRY(RV_SYS_CHANNEL_CALL, -RV_EMSGSIZE, "a reply larger than the buffer",
	    rv_channel_call(b[0], &m, &small, 0));
	/* a cycle: a[1] travels into b[1]'s queue; then b[1] may not travel */
	CHECK_EQ("a[1] into b[1]'s queue", write_bytes(b[0], buf, 1, &a[1], 1), 0);
	ro = dup_rights(b[1], RV_RIGHT_READ | RV_RIGHT_WRITE | RV_RIGHT_TRANSFER);
	{
		rv_handle_t c[2];

		chan(c);
		TRY(RV_SYS_CHANNEL_CALL, -RV_ELOOP, "an end whose queue carries an end",
		    rv_channel_call(
			c[0],
			&(struct rv_msg){
			    .bytes = buf, .num_bytes = 1, .handles = &ro, .num_handles = 1},
			&m, 0));
		rv_handle_close(c[1]);
		TRY(RV_SYS_CHANNEL_CALL, -RV_EPEERCLOSED, "the peer closed",
		    rv_channel_call(c[0], &m, &m, 0));
		rv_handle_close(c[0]);
	}
	rv_handle_close(ro);
	close2(a);
	close2(b);
	rv_handle_close(wo);
	rv_handle_close((rv_handle_t)shm);
}

/* EMFILE wherever a call installs a handle: the table full. */
static void table_full_errors(void)
{
	uint8_t buf[8] = {0};
	rv_handle_t x[2], y[2], give;
	struct rv_msg m = {.bytes = buf, .num_bytes = sizeof(buf)};
	struct rv_spawn_image req = {.name = "image", .priority = PRIO, .image_size = 4096};
	long shm = rv_shm_create(4096);

	chan(x);
	chan(y);
	req.image = (uint64_t)shm;
	/* a message with a handle, waiting at x[0] (read and call meet it) */
	give = dup_rights(y[0], CH_RIGHTS);
	CHECK_EQ("a message with a handle", write_bytes(x[1], buf, 1, &give, 1), 0);
	give = dup_rights(y[0], CH_RIGHTS);
	table_fill(y[0]);
	m.handles = (rv_handle_t[CONFIG_MSG_MAX_HANDLES]){0};
	m.num_handles = CONFIG_MSG_MAX_HANDLES;
	TRY(RV_SYS_CHANNEL_READ, -RV_EMFILE, "no room for the message's handle",
	    rv_channel_read(x[0], &m, 0, 0));
	TRY(RV_SYS_CHANNEL_CALL, -RV_EMFILE, "no room for the reply's handle",
	    rv_channel_call(x[0], &(struct rv_msg){.bytes = buf, .num_bytes = 1}, &m, 0));
	TRY(RV_SYS_CHANNEL_CREATE, -RV_EMFILE, "the table full", rv_channel_create(m.handles));
	TRY(RV_SYS_SHM_CREATE, -RV_EMFILE, "the table full", rv_shm_create(4096));
	TRY(RV_SYS_PORT_CREATE, -RV_EMFILE, "the table full", rv_port_create());
	if (blk)
		TRY(RV_SYS_DMA_CREATE, -RV_EMFILE, "the table full", rv_dma_create(blk, 4096));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_EMFILE, "no slot for the process handle",
	    rv_process_spawn_raw(SELF, "exit", 5, PRIO, &give, 1));
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EMFILE, "no slot for the process handle",
	    rv_process_spawn_image(&req));
	table_unfill();
	rv_handle_close(give);
	close2(x);
	close2(y);
	rv_handle_close((rv_handle_t)shm);
}

static void wait_many_errors(void)
{
	rv_handle_t ch[2], wo;
	struct rv_wait_item it = {.signals = RV_SIGNAL_READABLE};

	chan(ch);
	it.handle = ch[0];
	TRY(RV_SYS_WAIT_MANY, -RV_EINVAL, "no items", rv_wait_many(&it, 0, 0));
	TRY(RV_SYS_WAIT_MANY, -RV_EINVAL, "CONFIG_MAX_WAIT_ITEMS + 1",
	    rv_wait_many(&it, CONFIG_MAX_WAIT_ITEMS + 1, 0));
	TRY(RV_SYS_WAIT_MANY, -RV_EFAULT, "items in the kernel",
	    rv_wait_many((void *)BAD_PTR, 1, 0));
	it.signals = 0;
	TRY(RV_SYS_WAIT_MANY, -RV_EINVAL, "no signals", rv_wait_many(&it, 1, 0));
	it.signals = RV_SIGNAL_READABLE;
	it.handle = 0x7ff;
	TRY(RV_SYS_WAIT_MANY, -RV_EBADF, "no such handle", rv_wait_many(&it, 1, 0));
	wo = dup_rights(ch[0], RV_RIGHT_WRITE);
	it.handle = wo;
	TRY(RV_SYS_WAIT_MANY, -RV_EPERM, "no READ right", rv_wait_many(&it, 1, 0));
	it.handle = ch[0];
	TRY(RV_SYS_WAIT_MANY, -RV_ETIMEDOUT, "nothing by the deadline (past)",
	    rv_wait_many(&it, 1, 0));
	rv_handle_close(wo);
	close2(ch);
}

/* ------------------------------------------------------------ shared memory */

static void shm_errors(void)
{
	long hs[CONFIG_MAX_SHM_REGIONS + 1], va[CONFIG_MAX_MMAP_REGIONS + 1], r = 0, ro, nomap;
	rv_handle_t ch[2];
	int n = 0, k = 0;

	TRY(RV_SYS_SHM_CREATE, -RV_EINVAL, "size 0", rv_shm_create(0));
	TRY(RV_SYS_SHM_CREATE, -RV_EINVAL, "CONFIG_SHM_MAX_BYTES + 1",
	    rv_shm_create(CONFIG_SHM_MAX_BYTES + 1ull));
	while (n <= CONFIG_MAX_SHM_REGIONS && (r = rv_shm_create(4096)) >= 0)
		hs[n++] = r;
	TRY(RV_SYS_SHM_CREATE, -RV_ENFILE, "CONFIG_MAX_SHM_REGIONS in use", r);
	chan(ch);
	TRY(RV_SYS_SHM_MAP, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_SHM_MAP, WIDE(hs[0]), 0, 0, 0, 0, 0));
	TRY(RV_SYS_SHM_MAP, -RV_EINVAL, "writable 2", sc(RV_SYS_SHM_MAP, hs[0], 2, 0, 0, 0, 0));
	TRY(RV_SYS_SHM_MAP, -RV_EBADF, "no such handle", rv_shm_map(0x7ff, 0));
	TRY(RV_SYS_SHM_MAP, -RV_EWRONGTYPE, "a channel", rv_shm_map(ch[0], 0));
	nomap = dup_rights((rv_handle_t)hs[0], RV_RIGHT_READ);
	TRY(RV_SYS_SHM_MAP, -RV_EPERM, "no MAP right", rv_shm_map((rv_handle_t)nomap, 0));
	ro = dup_rights((rv_handle_t)hs[0], RV_RIGHT_READ | RV_RIGHT_MAP);
	TRY(RV_SYS_SHM_MAP, -RV_EACCES, "writable without WRITE", rv_shm_map((rv_handle_t)ro, 1));
	while (k <= CONFIG_MAX_MMAP_REGIONS && (r = rv_shm_map((rv_handle_t)hs[0], 0)) > 0)
		va[k++] = r;
	TRY(RV_SYS_SHM_MAP, -RV_ENOMEM, "CONFIG_MAX_MMAP_REGIONS mapped", r);
	TRY(RV_SYS_SHM_UNMAP, -RV_EINVAL, "no mapping starts there",
	    rv_shm_unmap((void *)(va[0] + 4096)));
	while (k)
		rv_shm_unmap((void *)va[--k]);
	while (n)
		rv_handle_close((rv_handle_t)hs[--n]);
	rv_handle_close((rv_handle_t)ro);
	rv_handle_close((rv_handle_t)nomap);
	close2(ch);
}

/* ------------------------------------------------------------ processes */

static void process_handle_errors(void)
{
	static const char *const exit0[] = {"exit", NULL};
	struct rv_spawn_image req = {.name = "image", .priority = PRIO, .image_size = 4096};
	struct rv_exit_info info;
	rv_handle_t ch[2], notr, give[CONFIG_MSG_MAX_HANDLES + 1] = {0};
	long procs[CONFIG_MAX_PROCS + 1], shm = rv_shm_create(4096), proc, r = 0, noread, nokill;
	int n = 0;

	chan(ch);
	/* process_spawn: the handles given, then spawn's own checks */
	TRY(RV_SYS_PROCESS_SPAWN, -RV_EINVAL, "count over CONFIG_MSG_MAX_HANDLES",
	    rv_process_spawn_raw(SELF, NULL, 0, PRIO, give, CONFIG_MSG_MAX_HANDLES + 1));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_EFAULT, "give in the kernel",
	    rv_process_spawn_raw(SELF, NULL, 0, PRIO, (void *)BAD_PTR, 1));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_EBADF, "a handle given that is none",
	    rv_process_spawn_raw(SELF, NULL, 0, PRIO, (rv_handle_t[]){0x7ff}, 1));
	notr = dup_rights(ch[0], RV_RIGHT_READ);
	TRY(RV_SYS_PROCESS_SPAWN, -RV_EPERM, "a handle without TRANSFER",
	    rv_process_spawn_raw(SELF, NULL, 0, PRIO, &notr, 1));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_EINVAL, "a handle given twice",
	    rv_process_spawn_raw(SELF, NULL, 0, PRIO, (rv_handle_t[]){ch[0], ch[0]}, 2));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_EFAULT, "name in the kernel",
	    sc(RV_SYS_PROCESS_SPAWN, BAD_PTR, 0, 0, PRIO, 0, 0));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_EINVAL, "priority CONFIG_NUM_PRIORITIES",
	    rv_process_spawn_raw(SELF, NULL, 0, CONFIG_NUM_PRIORITIES, NULL, 0));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_E2BIG, "args over CONFIG_SPAWN_ARGS_MAX_BYTES",
	    rv_process_spawn_raw(SELF, "x", CONFIG_SPAWN_ARGS_MAX_BYTES + 1, PRIO, NULL, 0));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_ENOENT, "no such program",
	    rv_process_spawn_raw("no_such", NULL, 0, PRIO, NULL, 0));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_ENOEXEC, "a text file",
	    rv_process_spawn_raw("notelf", NULL, 0, PRIO, NULL, 0));

	/* process_kill, process_exit_info */
	proc = spawn_role("sleep", NULL, 0);
	CHECK("process_spawn a sleeper", proc >= 0);
	TRY(RV_SYS_PROCESS_KILL, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_PROCESS_KILL, WIDE(proc), 0, 0, 0, 0, 0));
	TRY(RV_SYS_PROCESS_KILL, -RV_EBADF, "no such handle", rv_process_kill(0x7ff));
	TRY(RV_SYS_PROCESS_KILL, -RV_EWRONGTYPE, "a channel", rv_process_kill(ch[0]));
	nokill = dup_rights((rv_handle_t)proc, RV_RIGHT_READ);
	TRY(RV_SYS_PROCESS_KILL, -RV_EPERM, "no MANAGE right",
	    rv_process_kill((rv_handle_t)nokill));
	TRY(RV_SYS_PROCESS_LIMIT, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_PROCESS_LIMIT, WIDE(proc), RV_LIMIT_PAGES, 100, 0, 0, 0));
	TRY(RV_SYS_PROCESS_LIMIT, -RV_EBADF, "no such handle",
	    rv_process_limit(0x7ff, RV_LIMIT_PAGES, 100));
	TRY(RV_SYS_PROCESS_LIMIT, -RV_EWRONGTYPE, "a channel",
	    rv_process_limit(ch[0], RV_LIMIT_PAGES, 100));
	TRY(RV_SYS_PROCESS_LIMIT, -RV_EPERM, "no MANAGE right",
	    rv_process_limit((rv_handle_t)nokill, RV_LIMIT_PAGES, 100));
	TRY(RV_SYS_PROCESS_LIMIT, -RV_EINVAL, "which 1", rv_process_limit((rv_handle_t)proc, 1, 100));
	TRY(RV_SYS_PROCESS_LIMIT, -RV_EINVAL, "which RV_LIMIT_PAGES | 1 << 32",
	    sc(RV_SYS_PROCESS_LIMIT, proc, WIDE(RV_LIMIT_PAGES), 100, 0, 0, 0));
	TRY(RV_SYS_PROCESS_LIMIT, -RV_EPERM, "above its quota (a raise)",
	    rv_process_limit((rv_handle_t)proc, RV_LIMIT_PAGES, CONFIG_PROC_MAX_PAGES + 1ull));
	CHECK_EQ("process_limit lowers", rv_process_limit((rv_handle_t)proc, RV_LIMIT_PAGES, 1000), 0);
	TRY(RV_SYS_PROCESS_LIMIT, -RV_EPERM, "above its lowered quota",
	    rv_process_limit((rv_handle_t)proc, RV_LIMIT_PAGES, 1001));
	TRY(RV_SYS_WATCHDOG, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_WATCHDOG, WIDE(proc), 1000, 0, 0, 0, 0));
	TRY(RV_SYS_WATCHDOG, -RV_EBADF, "no such handle", rv_watchdog(0x7ff, 1000));
	TRY(RV_SYS_WATCHDOG, -RV_EWRONGTYPE, "a channel", rv_watchdog(ch[0], 1000));
	TRY(RV_SYS_WATCHDOG, -RV_EPERM, "no MANAGE right", rv_watchdog((rv_handle_t)nokill, 1000));
	TRY(RV_SYS_WATCHDOG, -RV_EINVAL, "ms 1 << 32", sc(RV_SYS_WATCHDOG, proc, WIDE(0), 0, 0, 0, 0));
	TRY(RV_SYS_WATCHDOG, -RV_EINVAL, "self, ms 1 << 32",
	    sc(RV_SYS_WATCHDOG, RV_HANDLE_SELF, WIDE(1000), 0, 0, 0, 0));
	TRY(RV_SYS_WATCHDOG, 0, "a child's for 60 s", rv_watchdog((rv_handle_t)proc, 60000));
	TRY(RV_SYS_WATCHDOG, 0, "a child's disarmed", rv_watchdog((rv_handle_t)proc, 0));
	TRY(RV_SYS_WATCHDOG, 0, "its own, the default timeout", rv_watchdog_pet());
	TRY(RV_SYS_WATCHDOG, 0, "its own disarmed", rv_watchdog(RV_HANDLE_SELF, 0));
	TRY(RV_SYS_PROCESS_EXIT_INFO, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_PROCESS_EXIT_INFO, WIDE(proc), (long)&info, 0, 0, 0, 0));
	TRY(RV_SYS_PROCESS_EXIT_INFO, -RV_EBADF, "no such handle",
	    rv_process_exit_info(0x7ff, &info));
	TRY(RV_SYS_PROCESS_EXIT_INFO, -RV_EWRONGTYPE, "a channel",
	    rv_process_exit_info(ch[0], &info));
	noread = dup_rights((rv_handle_t)proc, RV_RIGHT_MANAGE);
	TRY(RV_SYS_PROCESS_EXIT_INFO, -RV_EPERM, "no READ right",
	    rv_process_exit_info((rv_handle_t)noread, &info));
	TRY(RV_SYS_PROCESS_EXIT_INFO, -RV_EFAULT, "into the kernel",
	    rv_process_exit_info((rv_handle_t)proc, (void *)BAD_PTR));
	TRY(RV_SYS_PROCESS_EXIT_INFO, -RV_EAGAIN, "still running",
	    rv_process_exit_info((rv_handle_t)proc, &info));
	CHECK_EQ("process_kill", rv_process_kill((rv_handle_t)proc), 0);
	TRY(RV_SYS_PROCESS_KILL, -RV_ESRCH, "already ended", rv_process_kill((rv_handle_t)proc));
	TRY(RV_SYS_PROCESS_LIMIT, -RV_ESRCH, "already ended",
	    rv_process_limit((rv_handle_t)proc, RV_LIMIT_PAGES, 10));
	TRY(RV_SYS_WATCHDOG, -RV_ESRCH, "already ended", rv_watchdog((rv_handle_t)proc, 1000));
	rv_handle_close((rv_handle_t)nokill);
	rv_handle_close((rv_handle_t)noread);
	rv_handle_close((rv_handle_t)proc);

	/* process_spawn_image: the request, its handles, the image, spawn's checks */
	req.image = (uint64_t)shm;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EFAULT, "req in the kernel",
	    rv_process_spawn_image((void *)BAD_PTR));
	req.count = CONFIG_MSG_MAX_HANDLES + 1;
	req.give = give;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EINVAL, "count over CONFIG_MSG_MAX_HANDLES",
	    rv_process_spawn_image(&req));
	req.count = 1;
	req.give = (void *)BAD_PTR;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EFAULT, "give in the kernel",
	    rv_process_spawn_image(&req));
	req.give = (rv_handle_t[]){0x7ff};
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EBADF, "a handle given that is none",
	    rv_process_spawn_image(&req));
	req.give = &notr;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EPERM, "a handle without TRANSFER",
	    rv_process_spawn_image(&req));
	req.give = (rv_handle_t[]){ch[0], ch[0]};
	req.count = 2;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EINVAL, "a handle given twice",
	    rv_process_spawn_image(&req));
	req.count = 0;
	req.image = (uint64_t)WIDE(shm);
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EINVAL, "image | 1 << 32",
	    rv_process_spawn_image(&req));
	req.image = 0x7ff;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EBADF, "image: no such handle",
	    rv_process_spawn_image(&req));
	req.image = ch[0];
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EWRONGTYPE, "image: a channel",
	    rv_process_spawn_image(&req));
	r = rv_handle_duplicate((rv_handle_t)shm, RV_RIGHT_MAP);
	req.image = (uint64_t)r;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EPERM, "image without READ",
	    rv_process_spawn_image(&req));
	rv_handle_close((rv_handle_t)r);
	req.image = (uint64_t)shm;
	req.image_size = 0;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EINVAL, "image_size 0", rv_process_spawn_image(&req));
	req.image_size = 4096;
	req.name = (void *)BAD_PTR;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EFAULT, "name in the kernel",
	    rv_process_spawn_image(&req));
	req.name = "";
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_EINVAL, "empty name", rv_process_spawn_image(&req));
	{
		static char name[CONFIG_PROC_NAME_MAX + 1];

		memset(name, 'n', CONFIG_PROC_NAME_MAX);
		req.name = name;
		TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_E2BIG, "name of CONFIG_PROC_NAME_MAX bytes",
		    rv_process_spawn_image(&req));
	}
	req.name = "image";
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_ENOEXEC, "zeros, not an ELF",
	    rv_process_spawn_image(&req));

	/* every process object held by a handle to an ended process */
	while (n <= CONFIG_MAX_PROCS && (r = rv_process_spawn(SELF, exit0, PRIO, NULL, 0)) >= 0) {
		procs[n++] = r;
		CHECK_EQ("the child ends", wait_exit((rv_handle_t)r, 5 * SECOND), 1);
	}
	TRY(RV_SYS_PROCESS_SPAWN, -RV_ENOMEM, "no process object left (CONFIG_MAX_PROCS held)", r);
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_ENOMEM, "no process object left",
	    rv_process_spawn_image(&req));
	while (n)
		rv_handle_close((rv_handle_t)procs[--n]);
	rv_handle_close(notr);
	close2(ch);
	rv_handle_close((rv_handle_t)shm);
}

/* ------------------------------------------------------------ calls 24..31 */

static void info_calls(void)
{
	char buf[64];
	struct rv_proc_info pi;
	struct rv_channel_info ci;

	TRY(RV_SYS_DEBUG_READ, -RV_EFAULT, "into the kernel", rv_debug_read((void *)BAD_PTR, 8));
	TRY(RV_SYS_MEM_GROW, -RV_EINVAL, "size 0", rv_mem_grow(0));
	TRY(RV_SYS_MEM_GROW, -RV_EINVAL, "not whole pages", rv_mem_grow(4095));
	TRY(RV_SYS_MEM_GROW, -RV_ENOMEM, "past CONFIG_USER_HEAP_MAX",
	    rv_mem_grow(CONFIG_USER_HEAP_MAX + 4096ull));
	TRY(RV_SYS_PROC_LIST, -RV_EINVAL, "max 0", rv_proc_list(&pi, 0, 0));
	TRY(RV_SYS_PROC_LIST, -RV_EFAULT, "into the kernel", rv_proc_list((void *)BAD_PTR, 1, 0));
	TRY(RV_SYS_CHANNEL_LIST, -RV_EINVAL, "start past CONFIG_MAX_CHANNELS",
	    rv_channel_list(&ci, 1, CONFIG_MAX_CHANNELS + 1));
	TRY(RV_SYS_CHANNEL_LIST, -RV_EFAULT, "into the kernel",
	    rv_channel_list((void *)BAD_PTR, 1, 0));
	TRY(RV_SYS_PROGRAM_LIST, -RV_EINVAL, "first 2^32",
	    sc(RV_SYS_PROGRAM_LIST, (long)(1ull << 32), (long)buf, sizeof(buf), 0, 0, 0));
	TRY(RV_SYS_PROGRAM_LIST, -RV_EFAULT, "into the kernel",
	    rv_program_list(0, (void *)BAD_PTR, 8));
	TRY(RV_SYS_PROGRAM_LIST, -RV_ENOSPC, "a buffer of 1 byte", rv_program_list(0, buf, 1));
}

/* ------------------------------------------------------------ devices, DMA */

static void find_devices(void)
{
	struct rv_device_info info;

	for (rv_handle_t h = 1; h <= CONFIG_MAX_EXPORTED_DEVICES; h++) {
		if (rv_device_info(h, &info) < 0)
			break;
		if (!strcmp(info.name, "virtio-blk0"))
			blk = h;
		else if (!strcmp(info.name, "uart0"))
			uart = h;
	}
	CHECK("virtio-blk0 (the test's disk) is a device handle", blk);
	CHECK("uart0 is a device handle", uart);
}

static void device_errors(void)
{
	struct rv_device_info info;
	rv_handle_t ch[2], nomap, nowrite;
	long dma[CONFIG_MAX_DMA_REGIONS + 1], plain, r = 0;
	uint64_t addr;
	int n = 0;

	if (!blk || !uart)
		return;
	chan(ch);
	TRY(RV_SYS_DEVICE_INFO, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_DEVICE_INFO, WIDE(blk), (long)&info, 0, 0, 0, 0));
	TRY(RV_SYS_DEVICE_INFO, -RV_EBADF, "no such handle", rv_device_info(0x7ff, &info));
	TRY(RV_SYS_DEVICE_INFO, -RV_EWRONGTYPE, "a channel", rv_device_info(ch[0], &info));
	TRY(RV_SYS_DEVICE_INFO, -RV_EFAULT, "into the kernel",
	    rv_device_info(blk, (void *)BAD_PTR));

	TRY(RV_SYS_DEVICE_MAP, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_DEVICE_MAP, WIDE(blk), 0, 0, 0, 0, 0));
	TRY(RV_SYS_DEVICE_MAP, -RV_EBADF, "no such handle", rv_device_map(0x7ff));
	TRY(RV_SYS_DEVICE_MAP, -RV_EWRONGTYPE, "a channel", rv_device_map(ch[0]));
	nomap = dup_rights(blk, RV_RIGHT_READ | RV_RIGHT_WRITE);
	TRY(RV_SYS_DEVICE_MAP, -RV_EPERM, "no MAP right", rv_device_map(nomap));
	CHECK("device_map the disk", rv_device_map(blk) > 0);
	TRY(RV_SYS_DEVICE_MAP, -RV_EEXIST, "mapped already", rv_device_map(blk));

	TRY(RV_SYS_DEVICE_IRQ_ACK, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_DEVICE_IRQ_ACK, WIDE(blk), 0, 0, 0, 0, 0));
	TRY(RV_SYS_DEVICE_IRQ_ACK, -RV_EBADF, "no such handle", rv_device_irq_ack(0x7ff));
	TRY(RV_SYS_DEVICE_IRQ_ACK, -RV_EWRONGTYPE, "a channel", rv_device_irq_ack(ch[0]));
	nowrite = dup_rights(blk, RV_RIGHT_READ | RV_RIGHT_MAP);
	TRY(RV_SYS_DEVICE_IRQ_ACK, -RV_EPERM, "no WRITE right", rv_device_irq_ack(nowrite));
	TRY(RV_SYS_DEVICE_IRQ_ACK, -RV_EAGAIN, "none pending", rv_device_irq_ack(blk));

	TRY(RV_SYS_DMA_CREATE, -RV_EINVAL, "dev | 1 << 32",
	    sc(RV_SYS_DMA_CREATE, WIDE(blk), 4096, 0, 0, 0, 0));
	TRY(RV_SYS_DMA_CREATE, -RV_EBADF, "no such handle", rv_dma_create(0x7ff, 4096));
	TRY(RV_SYS_DMA_CREATE, -RV_EWRONGTYPE, "a channel", rv_dma_create(ch[0], 4096));
	TRY(RV_SYS_DMA_CREATE, -RV_EPERM, "a device without DMA (the UART)",
	    rv_dma_create(uart, 4096));
	TRY(RV_SYS_DMA_CREATE, -RV_EINVAL, "size 0", rv_dma_create(blk, 0));
	TRY(RV_SYS_DMA_CREATE, -RV_EINVAL, "CONFIG_DMA_MAX_BYTES + 1",
	    rv_dma_create(blk, CONFIG_DMA_MAX_BYTES + 1ull));
	while (n <= CONFIG_MAX_DMA_REGIONS && (r = rv_dma_create(blk, 4096)) >= 0)
		dma[n++] = r;
	TRY(RV_SYS_DMA_CREATE, -RV_ENFILE, "CONFIG_MAX_DMA_REGIONS in use", r);

	plain = rv_shm_create(4096);
	TRY(RV_SYS_DMA_ADDR, -RV_EINVAL, "dev | 1 << 32",
	    sc(RV_SYS_DMA_ADDR, WIDE(blk), dma[0], (long)&addr, 0, 0, 0));
	TRY(RV_SYS_DMA_ADDR, -RV_EINVAL, "shm | 1 << 32",
	    sc(RV_SYS_DMA_ADDR, blk, WIDE(dma[0]), (long)&addr, 0, 0, 0));
	TRY(RV_SYS_DMA_ADDR, -RV_EBADF, "dev: no such handle",
	    rv_dma_addr(0x7ff, (rv_handle_t)dma[0], &addr));
	TRY(RV_SYS_DMA_ADDR, -RV_EWRONGTYPE, "dev: a channel",
	    rv_dma_addr(ch[0], (rv_handle_t)dma[0], &addr));
	TRY(RV_SYS_DMA_ADDR, -RV_EPERM, "dev without DMA (the UART)",
	    rv_dma_addr(uart, (rv_handle_t)dma[0], &addr));
	TRY(RV_SYS_DMA_ADDR, -RV_EBADF, "shm: no such handle", rv_dma_addr(blk, 0x7ff, &addr));
	TRY(RV_SYS_DMA_ADDR, -RV_EWRONGTYPE, "shm: a channel", rv_dma_addr(blk, ch[0], &addr));
	TRY(RV_SYS_DMA_ADDR, -RV_EINVAL, "a plain region",
	    rv_dma_addr(blk, (rv_handle_t)plain, &addr));
	TRY(RV_SYS_DMA_ADDR, -RV_EFAULT, "into the kernel",
	    rv_dma_addr(blk, (rv_handle_t)dma[0], (void *)BAD_PTR));
	while (n)
		rv_handle_close((rv_handle_t)dma[--n]);
	rv_handle_close((rv_handle_t)plain);
	rv_handle_close(nomap);
	rv_handle_close(nowrite);
	close2(ch);
}

/* No free frame: a child takes them all, then meets ENOMEM. */
static void no_memory(void)
{
	rv_handle_t ch[2], give[2];
	long proc;

	if (!blk)
		return;
	chan(ch);
	give[0] = ch[1];
	give[1] = dup_rights(blk, RV_RIGHT_MAP | RV_RIGHT_DMA | RV_RIGHT_TRANSFER);
	proc = spawn_role("exhaust", give, 2);
	if (!CHECK("spawn the exhaust child", proc >= 0))
		return;
	child_collect(ch[0], "exhaust");
	CHECK_EQ("the exhaust child ends", wait_exit((rv_handle_t)proc, 10 * SECOND), 1);
	rv_handle_close((rv_handle_t)proc);
	rv_handle_close(ch[0]);
}

/* ------------------------------------------------------------ ports */

static void port_errors(void)
{
	uint8_t buf[CONFIG_MSG_MAX_BYTES + 1] = {0};
	struct rv_port_event ev;
	struct rv_msg rep = {.bytes = buf, .num_bytes = 1};
	rv_handle_t ch[2], c2[2], b[2], bind[CONFIG_MAX_PORT_BINDINGS + 1], wo, loop;
	long port, port2, r = 0;
	unsigned int n = 0;

	port = rv_port_create();
	port2 = rv_port_create();
	CHECK("two ports", port >= 0 && port2 >= 0);
	TRY(RV_SYS_PORT_CREATE, -RV_ENFILE, "CONFIG_MAX_PORTS in use", rv_port_create());
	chan(ch);
	/* bind */
	TRY(RV_SYS_PORT_BIND, -RV_EINVAL, "port | 1 << 32",
	    sc(RV_SYS_PORT_BIND, WIDE(port), ch[0], RV_SIGNAL_READABLE, 0, 0, 0));
	TRY(RV_SYS_PORT_BIND, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_PORT_BIND, port, WIDE(ch[0]), RV_SIGNAL_READABLE, 0, 0, 0));
	TRY(RV_SYS_PORT_BIND, -RV_EINVAL, "signals | 1 << 32",
	    sc(RV_SYS_PORT_BIND, port, ch[0], WIDE(RV_SIGNAL_READABLE), 0, 0, 0));
	TRY(RV_SYS_PORT_BIND, -RV_EBADF, "port: no such handle",
	    rv_port_bind(0x7ff, ch[0], RV_SIGNAL_READABLE, 0));
	TRY(RV_SYS_PORT_BIND, -RV_EWRONGTYPE, "port: a channel",
	    rv_port_bind(ch[1], ch[0], RV_SIGNAL_READABLE, 0));
	TRY(RV_SYS_PORT_BIND, -RV_EBADF, "h: no such handle",
	    rv_port_bind((rv_handle_t)port, 0x7ff, RV_SIGNAL_READABLE, 0));
	wo = dup_rights(ch[0], RV_RIGHT_WRITE);
	TRY(RV_SYS_PORT_BIND, -RV_EPERM, "h without READ",
	    rv_port_bind((rv_handle_t)port, wo, RV_SIGNAL_READABLE, 0));
	TRY(RV_SYS_PORT_BIND, -RV_EINVAL, "signals 0",
	    rv_port_bind((rv_handle_t)port, ch[0], 0, 0));
	TRY(RV_SYS_PORT_BIND, -RV_EINVAL, "unknown signals",
	    rv_port_bind((rv_handle_t)port, ch[0], 1u << 31, 0));
	TRY(RV_SYS_PORT_BIND, -RV_EINVAL, "h is a port",
	    rv_port_bind((rv_handle_t)port, (rv_handle_t)port2, RV_SIGNAL_READABLE, 0));
	CHECK_EQ("bind ch[0] to port 2",
		 rv_port_bind((rv_handle_t)port2, ch[0], RV_SIGNAL_READABLE, 0), 0);
	TRY(RV_SYS_PORT_BIND, -RV_EBUSY, "bound to another port",
	    rv_port_bind((rv_handle_t)port, ch[0], RV_SIGNAL_READABLE, 0));
	while (n <= CONFIG_MAX_PORT_BINDINGS &&
	       (r = rv_port_bind((rv_handle_t)port, bind[n] = dup_rights(ch[1], RV_RIGHT_READ),
				 RV_SIGNAL_READABLE, 0)) == 0)
		n++;
	TRY(RV_SYS_PORT_BIND, -RV_ENOSPC, "CONFIG_MAX_PORT_BINDINGS in use", r);
	rv_handle_close(bind[n]);
	while (n)
		rv_handle_close(bind[--n]);
	/* unbind */
	TRY(RV_SYS_PORT_UNBIND, -RV_EINVAL, "port | 1 << 32",
	    sc(RV_SYS_PORT_UNBIND, WIDE(port2), ch[0], 0, 0, 0, 0));
	TRY(RV_SYS_PORT_UNBIND, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_PORT_UNBIND, port2, WIDE(ch[0]), 0, 0, 0, 0));
	TRY(RV_SYS_PORT_UNBIND, -RV_EBADF, "port: no such handle", rv_port_unbind(0x7ff, ch[0]));
	TRY(RV_SYS_PORT_UNBIND, -RV_EWRONGTYPE, "port: a channel", rv_port_unbind(ch[1], ch[0]));
	TRY(RV_SYS_PORT_UNBIND, -RV_EBADF, "h: no such handle",
	    rv_port_unbind((rv_handle_t)port2, 0x7ff));
	TRY(RV_SYS_PORT_UNBIND, -RV_ENOENT, "h bound elsewhere",
	    rv_port_unbind((rv_handle_t)port, ch[0]));
	CHECK_EQ("unbind", rv_port_unbind((rv_handle_t)port2, ch[0]), 0);

	/* wait, and the reply of reply-and-wait */
	TRY(RV_SYS_PORT_WAIT, -RV_EINVAL, "port | 1 << 32",
	    sc(RV_SYS_PORT_WAIT, WIDE(port), (long)&ev, 0, 0, 0, 0));
	TRY(RV_SYS_PORT_WAIT, -RV_EBADF, "no such handle", rv_port_wait(0x7ff, &ev, NULL, 0));
	TRY(RV_SYS_PORT_WAIT, -RV_EWRONGTYPE, "a channel", rv_port_wait(ch[0], &ev, NULL, 0));
	TRY(RV_SYS_PORT_WAIT, -RV_EFAULT, "ev in the kernel",
	    rv_port_wait((rv_handle_t)port, (void *)BAD_PTR, NULL, 0));
	TRY(RV_SYS_PORT_WAIT, -RV_ETIMEDOUT, "nothing by the deadline (past)",
	    rv_port_wait((rv_handle_t)port, &ev, NULL, 0));
	TRY(RV_SYS_PORT_WAIT, -RV_EINVAL, "to | 1 << 32",
	    sc(RV_SYS_PORT_WAIT, port, (long)&ev, 0, 0, WIDE(ch[0]), (long)&rep));
	TRY(RV_SYS_PORT_WAIT, -RV_EBADF, "to: no such handle",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, 0x7ff, &rep));
	TRY(RV_SYS_PORT_WAIT, -RV_EWRONGTYPE, "to: the port",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, (rv_handle_t)port, &rep));
	TRY(RV_SYS_PORT_WAIT, -RV_EPERM, "to without WRITE",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0,
			       bind[0] = dup_rights(ch[0], RV_RIGHT_READ), &rep));
	rv_handle_close(bind[0]);
	rep.num_bytes = CONFIG_MSG_MAX_BYTES + 1;
	TRY(RV_SYS_PORT_WAIT, -RV_EMSGSIZE, "a reply of CONFIG_MSG_MAX_BYTES + 1",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, ch[0], &rep));
	rep.num_bytes = 1;
	rep.bytes = (void *)BAD_PTR;
	TRY(RV_SYS_PORT_WAIT, -RV_EFAULT, "the reply's bytes in the kernel",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, ch[0], &rep));
	rep.bytes = buf;
	rep.handles = &ch[0];
	rep.num_handles = 1;
	TRY(RV_SYS_PORT_WAIT, -RV_EINVAL, "the reply carries to itself",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, ch[0], &rep));
	/* a cycle: b[1] into c2[1]'s queue, then c2[1] in the reply */
	chan(c2);
	chan(b);
	CHECK_EQ("b[1] into c2[1]'s queue", write_bytes(c2[0], buf, 1, &b[1], 1), 0);
	loop = c2[1];
	rep.handles = &loop;
	TRY(RV_SYS_PORT_WAIT, -RV_ELOOP, "the reply carries an end whose queue carries an end",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, b[0], &rep));
	rep.num_handles = 0;
	for (unsigned int i = 0; i < CONFIG_CHANNEL_QUEUE_DEPTH; i++)
		CHECK_EQ("fill the peer's queue", write_bytes(ch[0], buf, 1, NULL, 0), 0);
	TRY(RV_SYS_PORT_WAIT, -RV_EAGAIN, "the peer's queue full",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, ch[0], &rep));
	TRY(RV_SYS_PORT_WAIT, -RV_ETIMEDOUT, "the reply went, then nothing by the deadline",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, b[0], &rep));
	rv_handle_close(ch[1]);
	TRY(RV_SYS_PORT_WAIT, -RV_EPEERCLOSED, "to's peer closed",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, ch[0], &rep));
	rv_handle_close(ch[0]);
	rv_handle_close(wo);
	close2(c2);
	close2(b);
	rv_handle_close((rv_handle_t)port);
	rv_handle_close((rv_handle_t)port2);
}

/* ------------------------------------------------------------ revocation */

/* A handle derived from h with `rights`, revoked: every use of it is
 * ECANCELED. Its revoker is closed (the derivation stays revoked). */
static rv_handle_t revoked(rv_handle_t h, uint32_t rights)
{
	rv_handle_t d[2] = {0, 0};

	CHECK_EQ("handle_derive for the test", rv_handle_derive(h, rights, d), 0);
	CHECK_EQ("handle_revoke for the test", rv_handle_revoke(d[1]), 0);
	rv_handle_close(d[1]);
	return d[0];
}

/* handle_derive's and handle_revoke's own errors: arguments, rights, the
 * table, the depth limit and the record pool (prj.conf makes them small). */
static void derive_revoke_errors(void)
{
	rv_handle_t ch[2], d[2], nest[CONFIG_REVOKE_MAX_DEPTH + 1][2],
	    pool[CONFIG_MAX_REVOCABLE + 1][2];
	rv_handle_t nodup, noman, rv;
	unsigned int n = 0;
	long r = 0;

	chan(ch);
	TRY(RV_SYS_HANDLE_DERIVE, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_HANDLE_DERIVE, WIDE(ch[0]), RV_RIGHT_READ, (long)d, 0, 0, 0));
	TRY(RV_SYS_HANDLE_DERIVE, -RV_EINVAL, "rights | 1 << 32",
	    sc(RV_SYS_HANDLE_DERIVE, ch[0], WIDE(RV_RIGHT_READ), (long)d, 0, 0, 0));
	TRY(RV_SYS_HANDLE_DERIVE, -RV_EBADF, "no such handle",
	    rv_handle_derive(0x7ff, RV_RIGHT_READ, d));
	TRY(RV_SYS_HANDLE_DERIVE, -RV_EPERM, "more rights",
	    rv_handle_derive(ch[0], RV_RIGHT_MANAGE, d));
	nodup = dup_rights(ch[0], RV_RIGHT_READ);
	TRY(RV_SYS_HANDLE_DERIVE, -RV_EPERM, "no DUPLICATE right",
	    rv_handle_derive(nodup, RV_RIGHT_READ, d));
	rv_handle_close(nodup);
	TRY(RV_SYS_HANDLE_DERIVE, -RV_EFAULT, "out in the kernel",
	    rv_handle_derive(ch[0], RV_RIGHT_READ, (rv_handle_t *)BAD_PTR));
	rv = revoked(ch[0], CH_RIGHTS);
	TRY(RV_SYS_HANDLE_DERIVE, -RV_ECANCELED, "h derived and revoked",
	    rv_handle_derive(rv, RV_RIGHT_READ, d));
	table_fill(ch[0]);
	rv_handle_close(fillers[--nfillers]);
	TRY(RV_SYS_HANDLE_DERIVE, -RV_EMFILE, "one free slot", rv_handle_derive(ch[0], 0, d));
	table_unfill();
	/* nesting: each level derived from the one above, with DUPLICATE */
	nest[0][0] = ch[0];
	for (n = 1; n <= CONFIG_REVOKE_MAX_DEPTH; n++)
		CHECK_EQ("derive one level deeper",
			 rv_handle_derive(nest[n - 1][0], CH_RIGHTS, nest[n]), 0);
	TRY(RV_SYS_HANDLE_DERIVE, -RV_EMLINK, "below CONFIG_REVOKE_MAX_DEPTH",
	    rv_handle_derive(nest[CONFIG_REVOKE_MAX_DEPTH][0], CH_RIGHTS, d));
	while (--n)
		close2(nest[n]);

	TRY(RV_SYS_HANDLE_REVOKE, -RV_EINVAL, "h | 1 << 32",
	    sc(RV_SYS_HANDLE_REVOKE, WIDE(ch[0]), 0, 0, 0, 0, 0));
	TRY(RV_SYS_HANDLE_REVOKE, -RV_EBADF, "no such handle", rv_handle_revoke(0x7ff));
	TRY(RV_SYS_HANDLE_REVOKE, -RV_EWRONGTYPE, "a channel", rv_handle_revoke(ch[0]));
	CHECK_EQ("handle_derive", rv_handle_derive(ch[0], CH_RIGHTS, d), 0);
	noman = dup_rights(d[1], RV_RIGHT_DUPLICATE);
	TRY(RV_SYS_HANDLE_REVOKE, -RV_EPERM, "no MANAGE right", rv_handle_revoke(noman));
	rv_handle_close(noman);
	CHECK_EQ("handle_revoke", rv_handle_revoke(d[1]), 0);
	TRY(RV_SYS_HANDLE_REVOKE, -RV_ECANCELED, "revoked already", rv_handle_revoke(d[1]));
	close2(d);

	/* the pool: the one revoked derivation above still holds its record */
	n = 0;
	while (n <= CONFIG_MAX_REVOCABLE &&
	       (r = rv_handle_derive(ch[0], RV_RIGHT_READ, pool[n])) == 0)
		n++;
	TRY(RV_SYS_HANDLE_DERIVE, -RV_ENFILE, "CONFIG_MAX_REVOCABLE records in use", r);
	CHECK_EQ("every record but the revoked one's", n, CONFIG_MAX_REVOCABLE - 1);
	while (n)
		close2(pool[--n]);
	rv_handle_close(rv);
	close2(ch);
}

/* Every other call that takes a handle, given a derived and revoked one:
 * ECANCELED (doc/ipc.md, "Handles": checked after EBADF). */
static void revoked_handle_errors(void)
{
	uint8_t buf[8] = {0};
	struct rv_msg m = {.bytes = buf, .num_bytes = 1};
	struct rv_handle_info info;
	struct rv_exit_info xi;
	struct rv_port_event ev;
	struct rv_device_info di;
	struct rv_wait_item it;
	struct rv_spawn_image req = {.name = "image", .priority = PRIO, .image_size = 4096};
	rv_handle_t ch[2], c2[2], rc, rsent, rshm, rproc, rdev, rdma;
	long shm, proc, port, dma;
	uint64_t addr;

	chan(ch);
	rc = revoked(ch[0], CH_RIGHTS);
	TRY(RV_SYS_HANDLE_DUPLICATE, -RV_ECANCELED, "derived and revoked",
	    rv_handle_duplicate(rc, RV_RIGHT_READ));
	TRY(RV_SYS_HANDLE_INFO, -RV_ECANCELED, "derived and revoked", rv_handle_info(rc, &info));
	TRY(RV_SYS_CHANNEL_WRITE, -RV_ECANCELED, "h derived and revoked",
	    write_bytes(rc, buf, 1, NULL, 0));
	chan(c2);
	rsent = revoked(c2[0], CH_RIGHTS);
	TRY(RV_SYS_CHANNEL_WRITE, -RV_ECANCELED, "a handle sent, derived and revoked",
	    write_bytes(ch[0], buf, 1, &rsent, 1));
	TRY(RV_SYS_CHANNEL_READ, -RV_ECANCELED, "derived and revoked",
	    rv_channel_read(rc, &m, RV_IPC_NONBLOCK, 0));
	TRY(RV_SYS_CHANNEL_CALL, -RV_ECANCELED, "derived and revoked",
	    rv_channel_call(rc, &m, &m, 0));
	it.handle = rc;
	it.signals = RV_SIGNAL_READABLE;
	TRY(RV_SYS_WAIT_MANY, -RV_ECANCELED, "an item derived and revoked", rv_wait_many(&it, 1, 0));

	port = rv_port_create();
	CHECK("port_create", port >= 0);
	TRY(RV_SYS_PORT_BIND, -RV_ECANCELED, "h derived and revoked",
	    rv_port_bind((rv_handle_t)port, rc, RV_SIGNAL_READABLE, 0));
	TRY(RV_SYS_PORT_UNBIND, -RV_ECANCELED, "h derived and revoked",
	    rv_port_unbind((rv_handle_t)port, rc));
	TRY(RV_SYS_PORT_WAIT, -RV_ECANCELED, "to derived and revoked",
	    rv_port_reply_wait((rv_handle_t)port, &ev, NULL, 0, rc, &m));
	rv_handle_close((rv_handle_t)port);

	shm = rv_shm_create(4096);
	CHECK("shm_create", shm >= 0);
	rshm = revoked((rv_handle_t)shm, CH_RIGHTS);
	TRY(RV_SYS_SHM_MAP, -RV_ECANCELED, "derived and revoked", rv_shm_map(rshm, 0));
	TRY(RV_SYS_PROCESS_SPAWN, -RV_ECANCELED, "a handle given, derived and revoked",
	    spawn_role("exit", &rsent, 1));
	req.give = &rsent;
	req.count = 1;
	req.image = (uint64_t)shm;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_ECANCELED, "a handle given, derived and revoked",
	    rv_process_spawn_image(&req));
	req.count = 0;
	req.image = rshm;
	TRY(RV_SYS_PROCESS_SPAWN_IMAGE, -RV_ECANCELED, "image derived and revoked",
	    rv_process_spawn_image(&req));

	proc = spawn_role("sleep", NULL, 0);
	if (CHECK("spawn a sleeper", proc >= 0)) {
		rproc = revoked((rv_handle_t)proc, RV_RIGHT_READ | RV_RIGHT_MANAGE);
		TRY(RV_SYS_PROCESS_KILL, -RV_ECANCELED, "derived and revoked",
		    rv_process_kill(rproc));
		TRY(RV_SYS_PROCESS_EXIT_INFO, -RV_ECANCELED, "derived and revoked",
		    rv_process_exit_info(rproc, &xi));
		TRY(RV_SYS_PROCESS_LIMIT, -RV_ECANCELED, "derived and revoked",
		    rv_process_limit(rproc, RV_LIMIT_PAGES, 100));
		TRY(RV_SYS_WATCHDOG, -RV_ECANCELED, "derived and revoked",
		    rv_watchdog(rproc, 1000));
		CHECK_EQ("kill the sleeper", rv_process_kill((rv_handle_t)proc), 0);
		CHECK_EQ("it ends", wait_exit((rv_handle_t)proc, 5 * SECOND), 1);
		rv_handle_close(rproc);
		rv_handle_close((rv_handle_t)proc);
	}

	if (blk) {
		rdev = revoked(blk, RV_RIGHT_READ | RV_RIGHT_WRITE | RV_RIGHT_MAP | RV_RIGHT_DMA);
		TRY(RV_SYS_DEVICE_INFO, -RV_ECANCELED, "derived and revoked", rv_device_info(rdev, &di));
		TRY(RV_SYS_DEVICE_MAP, -RV_ECANCELED, "derived and revoked", rv_device_map(rdev));
		TRY(RV_SYS_DEVICE_IRQ_ACK, -RV_ECANCELED, "derived and revoked",
		    rv_device_irq_ack(rdev));
		TRY(RV_SYS_DMA_CREATE, -RV_ECANCELED, "dev derived and revoked",
		    rv_dma_create(rdev, 4096));
		dma = rv_dma_create(blk, 4096);
		if (CHECK("dma_create", dma >= 0)) {
			TRY(RV_SYS_DMA_ADDR, -RV_ECANCELED, "dev derived and revoked",
			    rv_dma_addr(rdev, (rv_handle_t)dma, &addr));
			rdma = revoked((rv_handle_t)dma, RV_RIGHT_READ);
			TRY(RV_SYS_DMA_ADDR, -RV_ECANCELED, "shm derived and revoked",
			    rv_dma_addr(blk, rdma, &addr));
			rv_handle_close(rdma);
			rv_handle_close((rv_handle_t)dma);
		}
		rv_handle_close(rdev);
	}
	rv_handle_close(rshm);
	rv_handle_close((rv_handle_t)shm);
	rv_handle_close(rsent);
	rv_handle_close(rc);
	close2(c2);
	close2(ch);
}

/* ------------------------------------------------------------ tracing */

/* prj.conf: CONFIG_TRACING with a ring of 64 records that overwrites, so
 * record 0 is long gone. */
static void trace_errors(void)
{
	struct rv_trace_info in;
	struct rv_trace_event ev[2];
	struct rv_trace_hist h;

	TRY(RV_SYS_TRACE, 0, "a mark", rv_trace_mark("errors", 1));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "op 8", sc(RV_SYS_TRACE, 8, 0, 0, 0, 0, 0));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "op MARK | 1 << 32",
	    sc(RV_SYS_TRACE, WIDE(RV_TRACE_OP_MARK), 0, 0, 0, 0, 0));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "start with flags 2", rv_trace_start(2));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "start with flags 1 << 32",
	    sc(RV_SYS_TRACE, RV_TRACE_OP_START, WIDE(0), 0, 0, 0, 0));
	TRY(RV_SYS_TRACE, -RV_EFAULT, "info into the kernel", rv_trace_info((void *)BAD_PTR));
	TRY(RV_SYS_TRACE, 0, "info", rv_trace_info(&in));
	CHECK("records were overwritten (a ring of 64)", in.first > 0 && in.overwrite);
	TRY(RV_SYS_TRACE, -RV_EINVAL, "read 0 records", rv_trace_read(in.first, ev, 0));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "read more than the ring",
	    rv_trace_read(in.first, ev, (uint64_t)in.capacity + 1));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "read from past the last record",
	    rv_trace_read(UINT64_MAX, ev, 1));
	TRY(RV_SYS_TRACE, -RV_EFAULT, "read into the kernel",
	    rv_trace_read(in.first, (void *)BAD_PTR, 1));
	TRY(RV_SYS_TRACE, -RV_ERANGE, "read record 0 (overwritten)", rv_trace_read(0, ev, 1));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "histogram 3", rv_trace_hist(3, 0, &h));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "IPC histogram of channel CONFIG_MAX_CHANNELS",
	    rv_trace_hist(RV_TRACE_HIST_IPC, CONFIG_MAX_CHANNELS, &h));
	TRY(RV_SYS_TRACE, -RV_EINVAL, "histogram 1 << 32",
	    sc(RV_SYS_TRACE, RV_TRACE_OP_HIST, WIDE(RV_TRACE_HIST_IRQ), 0, (long)&h, 0, 0));
	TRY(RV_SYS_TRACE, -RV_EFAULT, "histogram into the kernel",
	    rv_trace_hist(RV_TRACE_HIST_IRQ, 0, (void *)BAD_PTR));
	TRY(RV_SYS_TRACE, 0, "the timer histogram", rv_trace_hist(RV_TRACE_HIST_IRQ, 0, &h));
}

/* ------------------------------------------------------------ the tables */

/* Every call was made; every documented error was produced, or is one of
 * those doc/security.md lists as unreachable (and then was not). */
static void coverage(void)
{
	unsigned int total = 0, seen = 0, unreachable = 0, calls = 0;

	for (unsigned int nr = 0; nr < RV_SYS_COUNT; nr++) {
		if (!doc_call_names[nr])
			continue; /* a number no call has (yet) */
		calls++;
		snprintf(what, sizeof(what), "%s was called", doc_call_names[nr]);
		CHECK(what, called[nr]);
	}
	for (size_t i = 0; i < sizeof(doc_errors) / sizeof(doc_errors[0]); i++) {
		const struct doc_error *d = &doc_errors[i];
		const char *why = unreachable_why(d->nr, d->err);

		total++;
		if (produced[d->nr][d->err]) {
			seen++;
			snprintf(what, sizeof(what),
				 "%s %s (%s) is listed as unreachable, but it came",
				 doc_call_names[d->nr], rv_strerror(d->err), d->where);
			CHECK(what, !why);
		} else if (why) {
			unreachable++;
			printf("errors: not produced: %s %s: %s\n", doc_call_names[d->nr],
			       rv_strerror(d->err), why);
		} else {
			snprintf(what, sizeof(what),
				 "%s %s (%s) is documented, but no path produced it",
				 doc_call_names[d->nr], rv_strerror(d->err), d->where);
			CHECK(what, 0);
		}
	}
	printf("errors: %u calls, %u documented errors: %u produced, %u unreachable\n",
	       calls, total, seen, unreachable);
}

int main(int argc, char **argv);

/* getrandom: bytes from the kernel's CSPRNG, at most RV_GETRANDOM_MAX. */
static void getrandom_errors(void)
{
	uint8_t b[RV_GETRANDOM_MAX + 1];

	TRY(RV_SYS_GETRANDOM, RV_GETRANDOM_MAX, "256 bytes", rv_getrandom(b, RV_GETRANDOM_MAX));
	TRY(RV_SYS_GETRANDOM, 0, "0 bytes into the kernel (nothing written)",
	    rv_getrandom((void *)BAD_PTR, 0));
	TRY(RV_SYS_GETRANDOM, -RV_EINVAL, "257 bytes", rv_getrandom(b, RV_GETRANDOM_MAX + 1));
	TRY(RV_SYS_GETRANDOM, -RV_EINVAL, "len 1 << 32",
	    sc(RV_SYS_GETRANDOM, (long)b, WIDE(1), 0, 0, 0, 0));
	TRY(RV_SYS_GETRANDOM, -RV_EFAULT, "into the kernel", rv_getrandom((void *)BAD_PTR, 16));
	TRY(RV_SYS_GETRANDOM, -RV_EFAULT, "into NULL", rv_getrandom(NULL, 1));
	TRY(RV_SYS_GETRANDOM, -RV_EFAULT, "into the program's text (read-only)",
	    rv_getrandom((void *)(uintptr_t)main, 8));
}

/* debug (call 45): every error path. The debuggees are this program at a
 * priority below the test's, so they never run while it does: ATTACH
 * stops one at once (ready, never run), and one resumed is still ready. */
static void debug_errors(void)
{
	static const char *const sleep_args[] = {"sleep", NULL};
	struct rv_dbg_regs regs;
	struct rv_dbg_stop stop;
	rv_handle_t ch[2], nodebug, rproc;
	long p = rv_process_spawn(SELF, sleep_args, PRIO + 1, NULL, 0);
	long q = rv_process_spawn(SELF, sleep_args, PRIO + 1, NULL, 0);
	uint64_t text = (uint64_t)(uintptr_t)main, v = 0;

	if (!CHECK("spawn two debuggees", p >= 0 && q >= 0))
		return;
	chan(ch);
	TRY(RV_SYS_DEBUG, -RV_EINVAL, "op RV_DBG_OP_COUNT",
	    rv_debug(RV_DBG_OP_COUNT, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EINVAL, "op | 1 << 32", sc(RV_SYS_DEBUG, WIDE(RV_DBG_ATTACH), p, 0, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EINVAL, "h | 1 << 32", sc(RV_SYS_DEBUG, RV_DBG_ATTACH, WIDE(p), 0, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EBADF, "no such handle", rv_debug(RV_DBG_ATTACH, 0x7ff, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EWRONGTYPE, "a channel", rv_debug(RV_DBG_ATTACH, ch[0], 0, 0, 0));
	nodebug = dup_rights((rv_handle_t)p, RV_RIGHT_READ | RV_RIGHT_MANAGE);
	TRY(RV_SYS_DEBUG, -RV_EPERM, "no DEBUG right", rv_debug(RV_DBG_ATTACH, nodebug, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EPERM, "grant without DEBUG", rv_debug(RV_DBG_GRANT, nodebug, 0, 0, 0));
	rproc = revoked((rv_handle_t)p, RV_RIGHT_READ | RV_RIGHT_DEBUG);
	TRY(RV_SYS_DEBUG, -RV_ECANCELED, "derived and revoked", rv_debug(RV_DBG_ATTACH, rproc, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EPERM, "not attached", rv_debug(RV_DBG_RESUME, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "attach", rv_debug(RV_DBG_ATTACH, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EBUSY, "attach twice", rv_debug(RV_DBG_ATTACH, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "stop info", rv_debug(RV_DBG_STOP_INFO, (rv_handle_t)p, (uint64_t)&stop, 0, 0));
	CHECK_EQ("stopped by the attach", stop.reason, RV_DBG_STOP_SUSPEND);
	TRY(RV_SYS_DEBUG, -RV_EFAULT, "stop info into the kernel",
	    rv_debug(RV_DBG_STOP_INFO, (rv_handle_t)p, BAD_PTR, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "getregs", rv_debug(RV_DBG_GETREGS, (rv_handle_t)p, (uint64_t)&regs, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EFAULT, "getregs into the kernel",
	    rv_debug(RV_DBG_GETREGS, (rv_handle_t)p, BAD_PTR, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EFAULT, "setregs from the kernel",
	    rv_debug(RV_DBG_SETREGS, (rv_handle_t)p, BAD_PTR, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "setregs", rv_debug(RV_DBG_SETREGS, (rv_handle_t)p, (uint64_t)&regs, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EINVAL, "read 0 bytes", rv_debug(RV_DBG_READ, (rv_handle_t)p, text, (uint64_t)&v, 0));
	TRY(RV_SYS_DEBUG, -RV_EINVAL, "read past CONFIG_DEBUGGER_XFER_MAX",
	    rv_debug(RV_DBG_READ, (rv_handle_t)p, text, (uint64_t)&v, CONFIG_DEBUGGER_XFER_MAX + 1));
	TRY(RV_SYS_DEBUG, -RV_EFAULT, "read its unmapped page",
	    rv_debug(RV_DBG_READ, (rv_handle_t)p, 0x1000, (uint64_t)&v, 8));
	TRY(RV_SYS_DEBUG, -RV_EFAULT, "read into the kernel",
	    rv_debug(RV_DBG_READ, (rv_handle_t)p, text, BAD_PTR, 8));
	TRY(RV_SYS_DEBUG, 0, "read", rv_debug(RV_DBG_READ, (rv_handle_t)p, text, (uint64_t)&v, 8));
	TRY(RV_SYS_DEBUG, -RV_EINVAL, "write 0 bytes",
	    rv_debug(RV_DBG_WRITE, (rv_handle_t)p, text, (uint64_t)&v, 0));
	TRY(RV_SYS_DEBUG, -RV_EFAULT, "write its unmapped page",
	    rv_debug(RV_DBG_WRITE, (rv_handle_t)p, 0x1000, (uint64_t)&v, 8));
	TRY(RV_SYS_DEBUG, -RV_EFAULT, "write from the kernel",
	    rv_debug(RV_DBG_WRITE, (rv_handle_t)p, text, BAD_PTR, 8));
	TRY(RV_SYS_DEBUG, 0, "write its text (the same bytes)",
	    rv_debug(RV_DBG_WRITE, (rv_handle_t)p, text, (uint64_t)&v, 8));
	TRY(RV_SYS_DEBUG, -RV_EINVAL, "break at an odd address",
	    rv_debug(RV_DBG_BREAK_SET, (rv_handle_t)p, text + 1, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EINVAL, "break at 0", rv_debug(RV_DBG_BREAK_SET, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EFAULT, "break in its unmapped page",
	    rv_debug(RV_DBG_BREAK_SET, (rv_handle_t)p, 0x1000, 0, 0));
	for (unsigned int i = 0; i < CONFIG_DEBUGGER_MAX_BREAKPOINTS; i++)
		TRY(RV_SYS_DEBUG, 0, "break", rv_debug(RV_DBG_BREAK_SET, (rv_handle_t)p, text + 2 * i, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EEXIST, "break twice", rv_debug(RV_DBG_BREAK_SET, (rv_handle_t)p, text, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_ENOSPC, "CONFIG_DEBUGGER_MAX_BREAKPOINTS set",
	    rv_debug(RV_DBG_BREAK_SET, (rv_handle_t)p, text + 2 * CONFIG_DEBUGGER_MAX_BREAKPOINTS, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "clear", rv_debug(RV_DBG_BREAK_CLEAR, (rv_handle_t)p, text, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_ENOENT, "clear twice", rv_debug(RV_DBG_BREAK_CLEAR, (rv_handle_t)p, text, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "resume", rv_debug(RV_DBG_RESUME, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EAGAIN, "getregs while it runs",
	    rv_debug(RV_DBG_GETREGS, (rv_handle_t)p, (uint64_t)&regs, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EAGAIN, "setregs while it runs",
	    rv_debug(RV_DBG_SETREGS, (rv_handle_t)p, (uint64_t)&regs, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EAGAIN, "stop info while it runs",
	    rv_debug(RV_DBG_STOP_INFO, (rv_handle_t)p, (uint64_t)&stop, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "suspend", rv_debug(RV_DBG_SUSPEND, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "detach", rv_debug(RV_DBG_DETACH, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, -RV_EPERM, "detached", rv_debug(RV_DBG_DETACH, (rv_handle_t)p, 0, 0, 0));
	TRY(RV_SYS_DEBUG, 0, "grant", rv_debug(RV_DBG_GRANT, (rv_handle_t)q, 0, 0, 0));
	CHECK_EQ("kill", rv_process_kill((rv_handle_t)p), 0);
	CHECK_EQ("it ends", wait_exit((rv_handle_t)p, 5 * SECOND), 1);
	TRY(RV_SYS_DEBUG, -RV_ESRCH, "ended", rv_debug(RV_DBG_ATTACH, (rv_handle_t)p, 0, 0, 0));
	CHECK_EQ("kill", rv_process_kill((rv_handle_t)q), 0);
	CHECK_EQ("it ends", wait_exit((rv_handle_t)q, 5 * SECOND), 1);
	rv_handle_close(rproc);
	rv_handle_close(nodebug);
	rv_handle_close((rv_handle_t)p);
	rv_handle_close((rv_handle_t)q);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
}

int main(int argc, char **argv)
{
	struct rv_kstats k0, k1;

	if (argc > 1) {
		if (!strcmp(argv[1], "exit"))
			return 0;
		if (!strcmp(argv[1], "sleep"))
			return (int)rv_sleep_ns(1000 * SECOND);
		if (!strcmp(argv[1], "hog"))
			return role_hog();
		if (!strcmp(argv[1], "exhaust"))
			return role_exhaust();
		printf("errors: unknown role '%s'\n", argv[1]);
		return 127;
	}
	rv_kstats(&k0);
	find_devices();
	process_calls();
	handle_calls();
	channel_limits();
	channel_write_errors();
	channel_read_call_errors();
	table_full_errors();
	wait_many_errors();
	shm_errors();
	process_handle_errors();
	info_calls();
	device_errors();
	no_memory();
	port_errors();
	derive_revoke_errors();
	revoked_handle_errors();
	trace_errors();
	getrandom_errors();
	debug_errors();
	rv_kstats(&k1);
	CHECK_EQ("every channel went", k1.channels_used, k0.channels_used);
	CHECK_EQ("every handle went", k1.handles_used, k0.handles_used);
	CHECK_EQ("every shm region went", k1.shm_regions_used, k0.shm_regions_used);
	CHECK_EQ("every derivation went", k1.derivations_used, k0.derivations_used);
	coverage();
	return check_report("errors");
}
