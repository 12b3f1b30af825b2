/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FP unit between processes (doc/processes.md, "Floating point").
 *
 * Without CONFIG_FPU: an FP instruction (an FP register move, a read of
 * fcsr) ends the process with an illegal-instruction fault, so no process
 * can read or change FP registers at all (the firmware leaves the unit on;
 * the kernel turns it off for every process).
 *
 * With CONFIG_FPU (programs built for rv64imafdc/lp64d):
 *  - a new process finds every FP register and fcsr zero, after another
 *    process filled them;
 *  - processes at one priority that switch by yield, and a caller and a
 *    server that switch through the IPC fast path (the hand-off that does
 *    not go through the scheduler), each find their own registers every
 *    time;
 *  - printf of doubles works (picolibc's lp64d multilib);
 *  - BENCH fp_switch: instructions per switch between two processes that
 *    both use FP (each switch hands the unit over: a trap, a save and a
 *    restore), next to a switch without FP in the same configuration
 *    (exact under -icount).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/user.h>
#include "check.h"

#define PRIO 8
#define SWITCHES 1000

/* Fill f0..f31 with base, base + 1, ... and fcsr with base's low 8 bits
 * (frm and fflags). Assembled with D whatever the program's ISA. */
static inline void fp_fill(uint64_t base)
{
	__asm__ volatile(".option push\n.option arch, +d\n"
			 "mv t0, %0\n"
			 ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
			 "fmv.d.x f\\n, t0\n"
			 "addi t0, t0, 1\n"
			 ".endr\n"
			 "andi t0, %0, 0x1f\n"
			 "fscsr t0\n"
			 ".option pop\n"
			 :
			 : "r"(base)
			 : "t0", "memory");
}

/* How many of f0..f31 and fcsr differ from what fp_fill(base) put there. */
static inline long fp_check(uint64_t base)
{
	long bad;

	__asm__ volatile(".option push\n.option arch, +d\n"
			 "li %0, 0\n"
			 "mv t0, %1\n"
			 ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
			 "fmv.x.d t1, f\\n\n"
			 "beq t1, t0, 1f\n"
			 "addi %0, %0, 1\n"
			 "1: addi t0, t0, 1\n"
			 ".endr\n"
			 "frcsr t1\n"
			 "andi t0, %1, 0x1f\n"
			 "beq t1, t0, 2f\n"
			 "addi %0, %0, 1\n"
			 "2:\n"
			 ".option pop\n"
			 : "=&r"(bad)
			 : "r"(base)
			 : "t0", "t1", "memory");
	return bad;
}

/* How many of f0..f31 and fcsr are not zero. */
static inline long fp_nonzero(void)
{
	long bad;

	__asm__ volatile(".option push\n.option arch, +d\n"
			 "li %0, 0\n"
			 ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
			 "fmv.x.d t1, f\\n\n"
			 "snez t1, t1\n"
			 "add %0, %0, t1\n"
			 ".endr\n"
			 "frcsr t1\n"
			 "snez t1, t1\n"
			 "add %0, %0, t1\n"
			 ".option pop\n"
			 : "=&r"(bad)
			 :
			 : "t1", "memory");
	return bad;
}

static long spawn(const char *const argv[])
{
	return rv_spawn("fpu", argv, PRIO);
}

static long wait_for(long pid, struct rv_exit_info *info)
{
	memset(info, 0, sizeof(*info));
	return rv_wait((int)pid, info);
}

/* ---- the children ---- */

static int child(int argc, char **argv)
{
	const char *role = argv[1];
	uint64_t base = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;

	if (!strcmp(role, "fmv")) {
		fp_fill(1); /* ends here without CONFIG_FPU */
		return 0;
	}
	if (!strcmp(role, "frcsr")) {
		uint64_t v;

		__asm__ volatile("csrr %0, fcsr" : "=r"(v));
		return (int)v + 50;
	}
	if (!strcmp(role, "zero"))
		return fp_nonzero() ? 1 : 0;
	if (!strcmp(role, "keep")) {
		/* Its own pattern through SWITCHES yields to its peers. */
		fp_fill(base);
		for (int i = 0; i < SWITCHES; i++) {
			rv_yield();
			if (fp_check(base))
				return 2;
		}
		return 0;
	}
	if (!strcmp(role, "server")) {
		/* Handle 0: requests by channel_call; each is answered after
		 * checking the pattern, right when the call handed over. */
		uint8_t b[8];
		struct rv_msg m;

		fp_fill(base);
		for (;;) {
			m = (struct rv_msg){.bytes = b, .num_bytes = sizeof(b)};
			if (rv_channel_read(0, &m, 0, RV_DEADLINE_NEVER) != 0)
				return 0;
			if (fp_check(base))
				return 3;
			if (rv_channel_write(0, &m, 0, RV_DEADLINE_NEVER) != 0)
				return 0;
		}
	}
	if (!strcmp(role, "measure") || !strcmp(role, "partner")) {
		/* fp_switch: argv[2] yields, each after touching the FP unit
		 * (argv[3] "fp") or not; the measuring one returns the
		 * instructions per yield (a switch to the partner and back
		 * counts two). */
		long n = atol(argv[2]);
		bool fp = argc > 3 && !strcmp(argv[3], "fp");
		uint64_t t0 = rv_instret();

		for (long i = 0; i < n; i++) {
			if (fp)
				fp_fill(0x100 + (uint64_t)i);
			rv_yield();
		}
		return role[0] == 'm' ? (int)((rv_instret() - t0) / (uint64_t)n / 2) : 0;
	}
	return 127;
}

#ifndef CONFIG_FPU
static void fpu_off(void)
{
	static const char *const roles[] = {"fmv", "frcsr"};

	for (unsigned int i = 0; i < 2; i++) {
		struct rv_exit_info info;
		long pid = spawn((const char *const[]){roles[i], NULL});
		char what[80];

		snprintf(what, sizeof(what), "%s: spawn", roles[i]);
		CHECK(what, pid > 0);
		snprintf(what, sizeof(what), "%s: ended by a fault", roles[i]);
		CHECK_EQ(what, wait_for(pid, &info), pid);
		CHECK_EQ(what, info.reason, RV_EXIT_FAULT);
		snprintf(what, sizeof(what), "%s: illegal instruction (scause 2)", roles[i]);
		CHECK_EQ(what, info.code, 2);
	}
	printf("fpu: off: an FP instruction or fcsr read is an illegal instruction\n");
}
#else
static void fresh_is_zero(void)
{
	struct rv_exit_info info;
	long pid;

	fp_fill(0x1234500);
	pid = spawn((const char *const[]){"zero", NULL});
	CHECK("spawn", pid > 0);
	CHECK_EQ("wait", wait_for(pid, &info), pid);
	CHECK_EQ("a new process finds FP registers and fcsr zero", info.code, 0);
	CHECK_EQ("... and ours are still ours", fp_check(0x1234500), 0);
	printf("fpu: a new process finds its FP registers zero, ours kept\n");
}

static void yields(void)
{
	struct rv_exit_info info;
	long a, b;

	fp_fill(0x7000000);
	a = spawn((const char *const[]){"keep", "0x1000000", NULL});
	b = spawn((const char *const[]){"keep", "0x2000000", NULL});
	CHECK("spawn", a > 0 && b > 0);
	for (int i = 0; i < SWITCHES; i++)
		rv_yield();
	CHECK_EQ("ours through the yields", fp_check(0x7000000), 0);
	CHECK_EQ("wait a", wait_for(a, &info), a);
	CHECK_EQ("a kept its own", info.code, 0);
	CHECK_EQ("wait b", wait_for(b, &info), b);
	CHECK_EQ("b kept its own", info.code, 0);
	printf("fpu: three processes at one priority, %d yields each: each kept its own\n",
	       SWITCHES);
}

static void calls(void)
{
	struct rv_exit_info info;
	rv_handle_t ch[2];
	uint8_t b[8] = {1};
	long pid, bad = 0;

	CHECK_EQ("channel", rv_channel_create(ch), 0);
	pid = rv_process_spawn("fpu", (const char *const[]){"server", "0x3000000", NULL}, PRIO,
			       &ch[1], 1);
	CHECK("spawn server", pid > 0);
	fp_fill(0x5000000);
	for (int i = 0; i < SWITCHES; i++) {
		struct rv_msg req = {.bytes = b, .num_bytes = 1};
		struct rv_msg rep = {.bytes = b, .num_bytes = sizeof(b)};

		if (rv_channel_call(ch[0], &req, &rep, RV_DEADLINE_NEVER) != 0)
			bad++;
		if (fp_check(0x5000000))
			bad++;
	}
	CHECK_EQ("calls, each finding our registers", bad, 0);
	rv_handle_close(ch[0]);
	{
		struct rv_wait_item it = {.handle = (rv_handle_t)pid, .signals = RV_SIGNAL_EXITED};

		CHECK_EQ("server ends", rv_wait_many(&it, 1, RV_DEADLINE_NEVER), 1);
		CHECK_EQ("exit info", rv_process_exit_info((rv_handle_t)pid, &info), 0);
		CHECK_EQ("the server kept its own", info.code, 0);
		rv_handle_close((rv_handle_t)pid);
	}
	printf("fpu: %d calls through the fast path: caller and server kept their own\n",
	       SWITCHES);
}

/* BENCH fp_switch: two processes at one priority below ours, switching by
 * yield, both using FP between yields (each switch hands the unit over);
 * and the same without FP in this configuration. Per switch. */
static void bench(void)
{
	struct rv_exit_info info;
	long plain = -1, fp = -1;
	long meter, partner;

	for (int round = 0; round < 2; round++) {
		const char *f = round ? "fp" : "plain";

		meter = rv_spawn("fpu", (const char *const[]){"measure", "2000", f, NULL}, PRIO + 1);
		partner = rv_spawn("fpu", (const char *const[]){"partner", "2200", f, NULL}, PRIO + 1);
		CHECK("spawn the yielders", meter > 0 && partner > 0);
		CHECK_EQ("the meter ends", wait_for(meter, &info), meter);
		CHECK_EQ("... normally", info.reason, RV_EXIT_NORMAL);
		if (round)
			fp = info.code;
		else
			plain = info.code;
		CHECK_EQ("the partner ends", wait_for(partner, &info), partner);
	}
	printf("fpu: a switch by yield without FP: %ld instructions\n", plain);
	printf("BENCH fp_switch %ld instructions\n", fp);
	/* A guard: the hand-over (a trap, 33 saves, 33 restores) stays far
	 * below another switch. */
	CHECK("fp_switch within yield_switch + 400", fp > 0 && fp <= plain + 400);
}

static void formatting(void)
{
	char buf[64];
	volatile double third = 1.0 / 3, x = 2.5;

	snprintf(buf, sizeof(buf), "%.6f %.2f %g", third, x, x * 4);
	CHECK("printf of doubles", !strcmp(buf, "0.333333 2.50 10"));
	printf("fpu: printf of doubles: %s\n", buf);
}
#endif

int main(int argc, char **argv)
{
	if (argc > 1)
		return child(argc, argv);
#ifdef CONFIG_FPU
	fresh_is_zero();
	yields();
	calls();
	formatting();
	bench();
#else
	fpu_off();
#endif
	return check_report("fpu");
}
