/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shtest: what the shell stands on, checked from a program the shell runs
 * ("run shtest" in testcase.yaml): the kernel's program_list (every
 * argument check), handle_info's pid, kstats' boot_instret, and init's ops
 * for the shell: PROGRAMS, KILL (math killed by pid and restarted) and
 * SHUTDOWN (only refusals here: the session's last command shuts down).
 */
#include <stdio.h>
#include <string.h>
#include <rvos/mathsvc.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "check.h"
#include "malformed.h"

#define SECONDS(n) ((uint64_t)(n) * 1000000000ull)

/* The initrd of tests/user/shell (CMakeLists.txt), in any order. */
static const char *const expected[] = {
	"init", "console", "fs", "sysinfo", "math", "shell", "count", "greet", "count-lines", "crash",
	"shtest", "printenv",
#ifdef CONFIG_VIRTIO_MMIO
	"virtio_blk", /* with the disk (CMakeLists.txt) */
#endif
};
#define NUM_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static const char ro_data[64] = "read-only";

/* How many of names[0..len) (NUL-terminated, back to back) there are, and
 * whether each is an expected program (bit i of *seen). */
static unsigned int count_names(const char *names, size_t len, unsigned int *seen)
{
	unsigned int n = 0;

	for (size_t off = 0; off < len; off += strlen(names + off) + 1) {
		n++;
		for (unsigned int i = 0; i < NUM_EXPECTED; i++)
			if (!strcmp(names + off, expected[i]))
				*seen |= 1u << i;
	}
	return n;
}

static void program_list(void)
{
	char buf[512], small[8];
	unsigned int seen = 0, n;
	long ret, total;

	total = rv_program_list(0, buf, sizeof(buf));
	CHECK("program_list: the whole list", total > 0);
	if (total <= 0)
		return;
	CHECK("program_list: ends with a NUL", buf[total - 1] == '\0');
	n = count_names(buf, (size_t)total, &seen);
	CHECK_EQ("program_list: every program", n, NUM_EXPECTED);
	CHECK_EQ("program_list: the expected ones", seen, (1u << NUM_EXPECTED) - 1);

	/* Paged, one name at a time into a buffer that holds exactly the name. */
	for (unsigned int i = 0, off = 0; i < n; i++) {
		size_t l = strlen(buf + off) + 1;

		ret = rv_program_list(i, small, l > sizeof(small) ? sizeof(small) : l);
		if (l <= sizeof(small)) {
			CHECK_EQ("program_list: one name", ret, (long)l);
			CHECK("program_list: the same name", !memcmp(small, buf + off, l));
			/* One byte less: not even that name fits. */
			CHECK_EQ("program_list: one byte short", rv_program_list(i, small, l - 1),
				 -RV_ENOSPC);
		}
		off += (unsigned int)l;
	}
	CHECK_EQ("program_list: past the last", rv_program_list(n, buf, sizeof(buf)), 0);
	CHECK_EQ("program_list: far past the last", rv_program_list(0xffffffffu, buf, sizeof(buf)),
		 0);
	CHECK_EQ("program_list: length 0", rv_program_list(0, buf, 0), -RV_ENOSPC);
	CHECK_EQ("program_list: NULL, length 0", rv_program_list(0, NULL, 0), -RV_ENOSPC);
	CHECK_EQ("program_list: NULL", rv_program_list(0, NULL, 16), -RV_EFAULT);
	CHECK_EQ("program_list: into the kernel", rv_program_list(0, (char *)0x80200000ul, 16),
		 -RV_EFAULT);
	CHECK_EQ("program_list: into read-only data",
		 rv_program_list(0, (char *)(uintptr_t)ro_data, sizeof(ro_data)), -RV_EFAULT);
	CHECK_EQ("program_list: into the code",
		 rv_program_list(0, (char *)(uintptr_t)&program_list, 16), -RV_EFAULT);
	CHECK_EQ("program_list: a huge length", rv_program_list(0, buf, ~(size_t)0), -RV_EFAULT);
	CHECK_EQ("program_list: nothing written by a refusal",
		 rv_program_list(0, (char *)(uintptr_t)ro_data, 16), -RV_EFAULT);
	CHECK("program_list: read-only data unchanged", !strcmp(ro_data, "read-only"));

	/* The same through init, a page at a time. */
	{
		char all[512];
		size_t len = 0;
		uint32_t first = 0;
		unsigned int seen2 = 0;

		while ((ret = rv_init_programs(first, all + len, sizeof(all) - len)) > 0) {
			first += count_names(all + len, (size_t)ret, &seen2);
			len += (size_t)ret;
		}
		CHECK_EQ("init programs: the end", ret, 0);
		CHECK_EQ("init programs: the kernel's list", len, total);
		CHECK("init programs: same bytes", !memcmp(all, buf, len));
		CHECK_EQ("init programs: a small buffer", rv_init_programs(0, small, 2), -RV_ENOSPC);
		CHECK_EQ("init programs: past the last", rv_init_programs(999, all, sizeof(all)), 0);
	}
}

static int math_alive(void *ctx)
{
	rv_handle_t *m = ctx;
	uint8_t req[WIRE_HEADER_SIZE + 2 * WIRE_I64_SIZE], rbuf[CONFIG_MSG_MAX_BYTES];
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	int64_t v = 0;

	wire_init_request(&w, req, sizeof(req), NULL, 0, MATH_OP_ADD);
	wire_put_i64(&w, 40);
	wire_put_i64(&w, 2);
	if (rv_service_call(*m, &w, &r, MATH_OP_ADD, rbuf, rhs, &reply) != 0)
		return 0;
	wire_get_i64(&r, &v);
	return wire_end(&r) == 0 && v == 42;
}

/* A request to init with the given fields: the reply's status. */
static long init_raw(uint32_t op, int with_u32, uint32_t v, const char *str, int extra_u32)
{
	uint8_t buf[64];
	struct wire_writer w;
	struct rv_msg msg;

	wire_init_request(&w, buf, sizeof(buf), NULL, 0, op);
	if (with_u32)
		wire_put_u32(&w, v);
	if (str)
		wire_put_str(&w, str);
	if (extra_u32)
		wire_put_u32(&w, 1);
	if (wire_finish(&w, &msg) < 0)
		return -9999;
	return malformed_call(RV_SVC_INIT_HANDLE, buf, msg.num_bytes, NULL, 0);
}

static void init_ops(void)
{
	uint8_t valid[WIRE_HEADER_SIZE + WIRE_U32_SIZE];
	struct rv_handle_info info;
	struct wire_writer w;
	struct rv_msg msg;
	rv_handle_t math, math_proc, ch[2], child;
	char name[SVC_NAME_MAX + 1];
	int math_pid;
	uint64_t deadline;

	if (!CHECK_EQ("connect math", rv_connect_wait(MATH_SERVICE_NAME, &math,
						     rv_clock_ns() + SECONDS(2)), 0))
		return;

	/* Malformed requests to init (the battery, with PROGRAMS as the valid
	 * request), and for each new op: a field missing, of another type,
	 * one too many. */
	wire_init_request(&w, valid, sizeof(valid), NULL, 0, SVC_OP_PROGRAMS);
	wire_put_u32(&w, 0);
	CHECK_EQ("wire_finish", wire_finish(&w, &msg), 0);
	malformed_battery("init", RV_SVC_INIT_HANDLE, valid, msg.num_bytes, 99, math_alive, &math);
	for (uint32_t op = SVC_OP_PROGRAMS; op <= SVC_OP_SHUTDOWN; op++) {
		CHECK_EQ("no field", init_raw(op, 0, 0, NULL, 0), -RV_EBADMSG);
		CHECK_EQ("a string for the u32", init_raw(op, 0, 0, "0", 0), -RV_EBADMSG);
		CHECK_EQ("one field too many", init_raw(op, 1, 0, NULL, 1), -RV_EBADMSG);
	}
	CHECK_EQ("programs, first huge: no names", init_raw(SVC_OP_PROGRAMS, 1, ~0u, NULL, 0), 1);

	/* KILL: refusals. */
	CHECK_EQ("kill pid 0", init_raw(SVC_OP_KILL, 1, 0, NULL, 0), -RV_EINVAL);
	CHECK_EQ("kill pid 2^31", init_raw(SVC_OP_KILL, 1, 0x80000000u, NULL, 0), -RV_EINVAL);
	CHECK_EQ("kill a pid nobody has", init_raw(SVC_OP_KILL, 1, 0x7ffffff0u, NULL, 0),
		 -RV_ESRCH);
	CHECK_EQ("kill: not init's (this program was loaded)", rv_init_kill((int)rv_getpid(), NULL, 0),
		 -RV_ESRCH);
	CHECK_EQ("kill: the client refuses pid -1", rv_init_kill(-1, NULL, 0), -RV_EINVAL);

	/* SHUTDOWN: refusals only. */
	CHECK_EQ("shutdown 256", init_raw(SVC_OP_SHUTDOWN, 1, 256, NULL, 0), -RV_EINVAL);
	CHECK_EQ("shutdown ~0", init_raw(SVC_OP_SHUTDOWN, 1, ~0u, NULL, 0), -RV_EINVAL);
	CHECK_EQ("shutdown: the client refuses -1", rv_init_shutdown(-1), -RV_EINVAL);
	CHECK_EQ("shutdown: the client refuses 256", rv_init_shutdown(256), -RV_EINVAL);
	CHECK("math still served", math_alive(&math));

	/* handle_info: a process handle's pid; 0 for other objects. */
	CHECK_EQ("channel_create", rv_channel_create(ch), 0);
	CHECK_EQ("handle_info channel", rv_handle_info(ch[0], &info), 0);
	CHECK_EQ("a channel has no pid", info.pid, 0);
	CHECK_EQ("pad is 0", info.pad, 0);
	rv_handle_close(ch[0]);
	rv_handle_close(ch[1]);
	if (CHECK_EQ("loader: count 0", rv_loader_spawn("count", (const char *const[]){"0", NULL}, 8,
							  NULL, 0, &child), 0)) {
		struct rv_wait_item it = {.handle = child, .signals = RV_SIGNAL_EXITED};
		int pid;

		CHECK_EQ("handle_info process", rv_handle_info(child, &info), 0);
		CHECK_EQ("a process", info.type, RV_OBJ_PROCESS);
		pid = info.pid;
		CHECK("its pid", pid > 0 && pid != rv_getpid());
		CHECK_EQ("it ends", rv_wait_many(&it, 1, rv_clock_ns() + SECONDS(2)), 1);
		CHECK_EQ("handle_info after the end", rv_handle_info(child, &info), 0);
		CHECK_EQ("the pid is kept", info.pid, pid);
		rv_handle_close(child);
	}

	/* KILL math by pid: init names it, math's clients see EPEERCLOSED,
	 * init restarts it. */
	if (!CHECK_EQ("math's process", rv_service_process(MATH_SERVICE_NAME, &math_proc), 0))
		return;
	CHECK_EQ("handle_info math", rv_handle_info(math_proc, &info), 0);
	math_pid = info.pid;
	CHECK("math's pid", math_pid > 0);
	memset(name, 'x', sizeof(name));
	CHECK_EQ("kill math by pid", rv_init_kill(math_pid, name, sizeof(name)), 0);
	CHECK("init names it", !strcmp(name, "math"));
	{
		struct rv_wait_item it = {.handle = math_proc, .signals = RV_SIGNAL_EXITED};

		CHECK_EQ("math ended", rv_wait_many(&it, 1, rv_clock_ns() + SECONDS(2)), 1);
	}
	CHECK("the old connection is closed", !math_alive(&math));
	CHECK_EQ("the old pid is gone", rv_init_kill(math_pid, name, sizeof(name)), -RV_ESRCH);
	rv_handle_close(math);
	rv_handle_close(math_proc);
	deadline = rv_clock_ns() + SECONDS(5);
	CHECK_EQ("math again", rv_connect_wait(MATH_SERVICE_NAME, &math, deadline), 0);
	CHECK("the restarted math serves", math_alive(&math));
	rv_handle_close(math);
}

static void boot_instret(void)
{
	struct rv_kstats k;

	CHECK_EQ("kstats", rv_kstats(&k), 0);
	CHECK("boot_instret: the firmware ran some", k.boot_instret > 0);
	CHECK("boot_instret: before now", k.boot_instret < rv_instret());
}

int main(int argc, char **argv)
{
	program_list();
	printf("shtest: program_list and init's program list\n");
	init_ops();
	printf("shtest: init's ops: refusals, math killed by pid and restarted\n");
	boot_instret();
	return check_report("shtest");
}
