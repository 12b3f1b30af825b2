/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rvOS system calls: the ABI between user programs and the kernel.
 *
 * Calling convention: number in a7, arguments in a0..a5, `ecall`; the result
 * comes back in a0: >= 0 on success, or a negative code from <rvos/errno.h>.
 * An unknown number returns -RV_ENOSYS. Every other register is preserved.
 */
#ifndef RVOS_SYSCALL_H
#define RVOS_SYSCALL_H

#include <stdint.h>

enum rv_syscall {
	/* debug_write(const char *buf, size_t len) -> bytes written */
	RV_SYS_DEBUG_WRITE = 0,
	/* exit(int code): does not return */
	RV_SYS_EXIT = 1,
	/* spawn(const char *name, const char *args, size_t args_len, unsigned prio) -> pid.
	 * args: argv strings, each NUL-terminated, back to back (args_len bytes);
	 * argv[0] is the program name and is not in args. */
	RV_SYS_SPAWN = 2,
	/* wait(int pid or -1 for any child, struct rv_exit_info *info) -> pid */
	RV_SYS_WAIT = 3,
	/* kill(int pid) -> 0: ends a child process */
	RV_SYS_KILL = 4,
	/* getpid() -> pid */
	RV_SYS_GETPID = 5,
	/* yield() -> 0 */
	RV_SYS_YIELD = 6,
	/* sleep(uint64_t ns) -> 0 */
	RV_SYS_SLEEP = 7,
	/* clock(uint64_t *ns) -> 0: monotonic time since boot */
	RV_SYS_CLOCK = 8,
	/* kstats(struct rv_kstats *out) -> 0: kernel counters */
	RV_SYS_KSTATS = 9,
	RV_SYS_COUNT
};

/* How a process ended, as wait() reports it. */
enum rv_exit_reason {
	RV_EXIT_NORMAL = 0, /* called exit(code) or returned from main */
	RV_EXIT_FAULT = 1,  /* a fault ended it: code is the scause value */
	RV_EXIT_KILLED = 2, /* kill() ended it */
};

struct rv_exit_info {
	int32_t reason;      /* enum rv_exit_reason */
	int32_t code;        /* exit code, or the fault's scause */
	uint64_t fault_pc;   /* RV_EXIT_FAULT: sepc */
	uint64_t fault_addr; /* RV_EXIT_FAULT: stval */
};

/* Kernel counters, for tests and sysinfo: every one of them must come back
 * to its starting value once what was created is gone. */
struct rv_kstats {
	uint64_t frames_total;
	uint64_t frames_free;
	uint64_t frames_page_tables;
	uint64_t frames_user;
	uint64_t frames_kernel_stacks;
	uint64_t frames_kernel_pools;
	uint64_t procs_used;  /* process slots in use (zombies included) */
	uint64_t procs_max;
	uint64_t syscalls;    /* system calls made since boot */
	uint64_t context_switches;
};

#endif /* RVOS_SYSCALL_H */
