/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rvOS system calls: the ABI between user programs and the kernel.
 *
 * Calling convention: number in a7, arguments in a0..a5, `ecall`; the result
 * comes back in a0: >= 0 on success, or a negative code from <rvos/errno.h>.
 * An unknown number returns -RV_ENOSYS. Every other register is preserved.
 * An argument narrower than its register (a handle, flags, rights, signals,
 * an int) must hold a value of its type, zero-extended if unsigned,
 * sign-extended if int: anything else is -RV_EINVAL, never cut to its low
 * bits (doc/syscalls.md, "Arguments").
 */
#ifndef RVOS_SYSCALL_H
#define RVOS_SYSCALL_H

#include <stdint.h>
#include <rvos/ipc.h>

enum rv_syscall {
	/* debug_write(const char *buf, size_t len) -> bytes written */
	RV_SYS_DEBUG_WRITE = 0,
	/* exit(int code): does not return */
	RV_SYS_EXIT = 1,
	/* spawn(const char *name, const char *args, uint64_t args_len, unsigned prio) -> pid.
	 * args: argv strings, each NUL-terminated, back to back, then the
	 * environment's "NAME=value" strings the same way; args_len is
	 * RV_SPAWN_ARGS_LEN(argument bytes, environment bytes). argv[0] is the
	 * program name and is not in args. */
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
	/* clock(uint64_t *ns, which) -> 0: RV_CLOCK_MONOTONIC (0) the time since
	 * boot, RV_CLOCK_REALTIME the board's real-time clock (-ENODEV: none) */
	RV_SYS_CLOCK = 8,
	/* kstats(struct rv_kstats *out) -> 0: kernel counters */
	RV_SYS_KSTATS = 9,

	/* Capability IPC (include/rvos/ipc.h, doc/ipc.md). */
	/* handle_close(h) -> 0 */
	RV_SYS_HANDLE_CLOSE = 10,
	/* handle_duplicate(h, rights) -> new handle with rights (a subset) */
	RV_SYS_HANDLE_DUPLICATE = 11,
	/* handle_info(h, struct rv_handle_info *out) -> 0 */
	RV_SYS_HANDLE_INFO = 12,
	/* channel_create(rv_handle_t out[2]) -> 0: two connected endpoints */
	RV_SYS_CHANNEL_CREATE = 13,
	/* channel_write(h, const struct rv_msg *msg, flags, deadline_ns) -> 0 */
	RV_SYS_CHANNEL_WRITE = 14,
	/* channel_read(h, struct rv_msg *msg, flags, deadline_ns) -> 0 */
	RV_SYS_CHANNEL_READ = 15,
	/* channel_call(h, const struct rv_msg *request, struct rv_msg *reply, deadline_ns) -> 0 */
	RV_SYS_CHANNEL_CALL = 16,
	/* wait_many(struct rv_wait_item *items, count, deadline_ns) -> items ready (>= 1) */
	RV_SYS_WAIT_MANY = 17,
	/* shm_create(size) -> handle */
	RV_SYS_SHM_CREATE = 18,
	/* shm_map(h, writable: 0 or 1) -> user address */
	RV_SYS_SHM_MAP = 19,
	/* shm_unmap(address) -> 0 */
	RV_SYS_SHM_UNMAP = 20,
	/* process_spawn(name, args, args_len, priority, const rv_handle_t *give, count)
	 * -> process handle; the given handles move to the child as its handles
	 * 0..count-1 */
	RV_SYS_PROCESS_SPAWN = 21,
	/* process_kill(h) -> 0 (needs RV_RIGHT_MANAGE) */
	RV_SYS_PROCESS_KILL = 22,
	/* process_exit_info(h, struct rv_exit_info *out) -> 0, -EAGAIN while it runs */
	RV_SYS_PROCESS_EXIT_INFO = 23,
	/* debug_read(char *buf, size_t len) -> bytes read (0: none waiting):
	 * console input, until the console server owns the UART */
	RV_SYS_DEBUG_READ = 24,
	/* mem_grow(size) -> address of size more bytes of zeroed heap (RW),
	 * right after the previous ones; size a multiple of 4096.
	 * mem_grow(-size, at) -> at: the heap's last size bytes, which must
	 * start at at, go back to the kernel */
	RV_SYS_MEM_GROW = 25,
	/* System information (doc/syscalls.md): no capability needed; they
	 * reveal no addresses and no handles. */
	/* proc_list(struct rv_proc_info *out, uint32_t max, uint32_t start)
	 * -> records written: the live processes in slots start.. (1 <= max
	 * <= CONFIG_MAX_PROCS, start <= CONFIG_MAX_PROCS) */
	RV_SYS_PROC_LIST = 26,
	/* channel_list(struct rv_channel_info *out, uint32_t max, uint32_t start)
	 * -> records written: the channels in pool slots start.. (1 <= max <=
	 * CONFIG_MAX_CHANNELS, start <= CONFIG_MAX_CHANNELS) */
	RV_SYS_CHANNEL_LIST = 27,
	/* Device capabilities (doc/devices.md). */
	/* device_info(h, struct rv_device_info *out) -> 0 */
	RV_SYS_DEVICE_INFO = 28,
	/* device_map(h) -> user address of the registers (needs RV_RIGHT_MAP);
	 * hands the device's interrupt to user space; -EEXIST: mapped already */
	RV_SYS_DEVICE_MAP = 29,
	/* device_irq_ack(h) -> 0 (needs RV_RIGHT_WRITE): the pending interrupt
	 * is handled, unmask it; -EAGAIN: none pending */
	RV_SYS_DEVICE_IRQ_ACK = 30,
	/* program_list(uint32_t first, char *buf, size_t len) -> bytes written:
	 * the names of the initrd's programs first, first + 1, ... (archive
	 * order), each NUL-terminated, as many whole ones as fit in len; 0 past
	 * the last; -ENOSPC when not even program `first` fits */
	RV_SYS_PROGRAM_LIST = 31,
	/* DMA for user-space drivers (doc/devices.md). */
	/* dma_create(dev, size) -> handle to a shared-memory region (RV_OBJ_SHM)
	 * of physically contiguous, zeroed frames that never move, belonging to
	 * the device (needs RV_RIGHT_DMA on dev) */
	RV_SYS_DMA_CREATE = 32,
	/* dma_addr(dev, shm, uint64_t *addr) -> 0, *addr = the bus address of
	 * the region's first byte (needs RV_RIGHT_DMA on dev; only for a region
	 * dma_create made from that device) */
	RV_SYS_DMA_ADDR = 33,
	/* process_spawn_image(const struct rv_spawn_image *req) -> process
	 * handle: process_spawn with the program's ELF image in a shared-memory
	 * region (needs RV_RIGHT_READ on it) */
	RV_SYS_PROCESS_SPAWN_IMAGE = 34,
	/* port_create() -> handle (RV_OBJ_PORT) */
	RV_SYS_PORT_CREATE = 35,
	/* port_bind(port, h, signals, key) */
	RV_SYS_PORT_BIND = 36,
	/* port_unbind(port, h) */
	RV_SYS_PORT_UNBIND = 37,
	/* port_wait(port, struct rv_port_event *ev, struct rv_msg *msg or 0, deadline_ns,
	 *           reply channel, const struct rv_msg *reply or 0): with a reply, first
	 * sends it as a non-blocking channel_write (its error returns unwaited) */
	RV_SYS_PORT_WAIT = 38,
	/* Revocation (doc/ipc.md, Revocation). */
	/* handle_derive(h, rights, rv_handle_t out[2]) -> 0: out[0] a derived
	 * handle to h's object with rights (a subset; needs RV_RIGHT_DUPLICATE),
	 * out[1] its revoker (RV_OBJ_REVOKER) */
	RV_SYS_HANDLE_DERIVE = 39,
	/* handle_revoke(revoker) -> 0 (needs RV_RIGHT_MANAGE): every handle
	 * derived through it, wherever it went, answers -ECANCELED from now on */
	RV_SYS_HANDLE_REVOKE = 40,
	/* trace(op, ...): kernel tracing (include/rvos/trace.h, doc/tracing.md);
	 * -ENOSYS when the kernel is built without CONFIG_TRACING */
	RV_SYS_TRACE = 41,
	/* process_limit(h, which, value) -> 0 (needs RV_RIGHT_MANAGE): lowers
	 * the process's limit `which` (RV_LIMIT_PAGES) to value, never above
	 * what it is */
	RV_SYS_PROCESS_LIMIT = 42,
	/* getrandom(buf, len) -> len: len bytes (at most RV_GETRANDOM_MAX)
	 * from the kernel's CSPRNG (doc/security.md, "ASLR and random
	 * numbers"); picolibc's getentropy and arc4random use it */
	RV_SYS_GETRANDOM = 43,
	/* watchdog(h, ms) -> 0: arms the watchdog of the process h (needs
	 * RV_RIGHT_MANAGE; RV_HANDLE_SELF: the caller's own) for ms from now;
	 * each call pets it; ms 0 disarms, RV_WATCHDOG_KEEP keeps the armed
	 * timeout (doc/debugging.md); -ENOSYS without CONFIG_WATCHDOG */
	RV_SYS_WATCHDOG = 44,
	/* debug(op, h, ...): the process debugger (RV_DBG_*, doc/debugging.md);
	 * needs RV_RIGHT_DEBUG on h; -ENOSYS without CONFIG_DEBUGGER */
	RV_SYS_DEBUG = 45,
	RV_SYS_COUNT
};

/* watchdog's ms: pet with the timeout armed (none armed: the kernel's
 * CONFIG_WATCHDOG_TIMEOUT_MS) */
#define RV_WATCHDOG_KEEP 0xffffffffu
/* RV_EXIT_KILLED's code when a watchdog ended the process (kill(): 0) */
#define RV_KILLED_BY_WATCHDOG 1

/* getrandom's most bytes per call (getentropy's limit too) */
#define RV_GETRANDOM_MAX 256

/* debug's ops (doc/debugging.md, "The process debugger"). a[1] is always
 * the debuggee's process handle, with RV_RIGHT_DEBUG. */
#define RV_DBG_ATTACH 0    /* become its debugger and stop it */
#define RV_DBG_DETACH 1    /* breakpoints removed, running again */
#define RV_DBG_SUSPEND 2   /* stop it (at once if it is ready, else when its wait ends) */
#define RV_DBG_RESUME 3    /* run it again */
#define RV_DBG_GETREGS 4   /* (struct rv_dbg_regs *): stopped only */
#define RV_DBG_SETREGS 5   /* (const struct rv_dbg_regs *): stopped only */
#define RV_DBG_READ 6      /* (addr, void *buf, len): its memory, breakpoints hidden */
#define RV_DBG_WRITE 7     /* (addr, const void *buf, len): text pages too */
#define RV_DBG_BREAK_SET 8 /* (addr): a c.ebreak at addr, 2-byte aligned */
#define RV_DBG_BREAK_CLEAR 9 /* (addr) */
#define RV_DBG_STOP_INFO 10 /* (struct rv_dbg_stop *): why it stopped */
#define RV_DBG_GRANT 11    /* the process may get RV_RIGHT_DEBUG on what it spawns */
#define RV_DBG_OP_COUNT 12

/* Why a debuggee stopped (struct rv_dbg_stop's reason). */
#define RV_DBG_STOP_SUSPEND 1    /* ATTACH or SUSPEND */
#define RV_DBG_STOP_BREAKPOINT 2 /* an ebreak or c.ebreak at pc (a debugger's or its own) */
#define RV_DBG_STOP_FAULT 3      /* a fault that would have ended it: cause, addr */

/* GETREGS/SETREGS: the user trap frame. x[0] is the pc (x0 is always 0). */
struct rv_dbg_regs {
	uint64_t x[32]; /* x[0]: pc; x[1..31]: x1..x31 */
};

struct rv_dbg_stop {
	uint32_t reason; /* RV_DBG_STOP_* */
	uint32_t cause;  /* scause of a breakpoint or fault */
	uint64_t pc;
	uint64_t addr;   /* stval of a fault */
};

/* process_limit's `which` */
#define RV_LIMIT_PAGES 0 /* the page quota: user pages, page tables, shm mapped */

/* spawn's, process_spawn's and process_spawn_image's args_len: the bytes of
 * the argument strings in bits 0..31, those of the environment strings
 * that follow them in the same buffer in bits 32..63 (0: no environment,
 * as callers that pass a plain length get). */
#define RV_SPAWN_ARGS_LEN(args_bytes, env_bytes)                                                   \
	(((uint64_t)(uint32_t)(env_bytes) << 32) | (uint32_t)(args_bytes))

/* clock's clocks. */
enum rv_clock_id {
	RV_CLOCK_MONOTONIC = 0, /* ns since boot: the timer */
	RV_CLOCK_REALTIME = 1,  /* ns since 1970-01-01 00:00 UTC: the board's RTC */
};

/* process_spawn_image's request. */
struct rv_spawn_image {
	uint64_t image;          /* rv_handle_t of an shm region holding the ELF (READ right) */
	uint64_t image_size;     /* bytes of the ELF from the region's start (1 .. region size) */
	const char *name;        /* the process name and argv[0], NUL-terminated */
	const char *args;        /* argv[1..], then the environment: NUL-terminated strings */
	uint64_t args_len;       /* RV_SPAWN_ARGS_LEN(): argument, environment bytes */
	uint32_t priority;       /* 0 = highest */
	uint32_t count;          /* handles in give */
	const rv_handle_t *give; /* count handles: they move to the child as its 0..count-1 */
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
	uint64_t channels_used;  /* channel objects alive (each has two ends) */
	uint64_t channels_max;
	uint64_t messages_queued; /* messages waiting in any queue */
	uint64_t handles_used;    /* handles in every process's table */
	uint64_t shm_regions_used;
	uint64_t shm_mappings_used;
	uint64_t process_objects_used; /* process objects (handles may outlive the process) */
	uint64_t irqs;            /* external interrupts handled since boot */
	uint64_t boot_instret; /* rdinstret at the kernel's first instruction (boot benchmarks) */
	uint64_t dma_regions_used; /* DMA regions alive, quarantined ones included (doc/devices.md) */
	uint64_t idle_instret; /* rdinstret counted while the hart waited idle (doc/syscalls.md) */
	uint64_t ports_used;         /* port objects alive (doc/ipc.md, Ports) */
	uint64_t port_bindings_used; /* handles bound to ports */
	uint64_t console_input_lost; /* console input bytes the UART dropped (doc/console.md) */
	uint64_t derivations_used;   /* derivation records alive (doc/ipc.md, Revocation) */
};

/* ---- proc_list ---- */

#define RV_PROC_NAME_MAX 32 /* bytes of rv_proc_info.name, NUL included */

/* What a process is doing. */
enum rv_proc_state {
	RV_PROC_READY = 1,      /* waiting for the hart */
	RV_PROC_RUNNING = 2,    /* on the hart (the caller) */
	RV_PROC_SLEEPING = 3,   /* in sleep() */
	RV_PROC_WAIT_CHILD = 4, /* in wait() */
	RV_PROC_RECEIVING = 5,  /* in channel_read, the read half of channel_call, or port_wait with a buffer */
	RV_PROC_WAITING = 6,    /* for other signals: wait_many, a full channel's write */
	RV_PROC_ZOMBIE = 7,     /* ended; its parent has not waited for it yet */
};

struct rv_proc_info {
	uint32_t slot;       /* its process-table slot: the next start is slot + 1 */
	int32_t pid;
	int32_t parent_pid;  /* who started it (spawn or process_spawn); 0: nobody */
	uint32_t state;      /* enum rv_proc_state */
	uint32_t priority;   /* 0 = highest */
	uint32_t handles;    /* handles in its table */
	uint64_t cpu_ns;     /* time it has run */
	uint32_t user_pages; /* pages of its own mapped: program, stack, heap */
	uint32_t shm_pages;  /* shared-memory pages it has mapped */
	uint32_t table_pages; /* its page-table frames */
	uint32_t max_pages;  /* its page quota: user_pages + table_pages + shm_pages <= it */
	char name[RV_PROC_NAME_MAX]; /* program name, NUL-terminated (cut if longer) */
};

/* ---- channel_list ---- */

#define RV_CHANNEL_END_OPEN 0x1u /* rv_channel_end_info.flags: the end is open */

struct rv_channel_end_info {
	uint32_t flags;        /* RV_CHANNEL_END_OPEN */
	uint32_t queued;       /* messages waiting to be read at this end */
	uint32_t queued_bytes; /* their bytes */
	uint32_t reserved;     /* 0 */
	uint64_t sent;         /* messages written through this end since the channel was made */
	uint64_t sent_bytes;   /* their bytes */
};

struct rv_channel_info {
	uint32_t id;          /* its slot in the channel pool: the next start is id + 1 */
	int32_t creator_pid;  /* the process that created it (it may have ended) */
	struct rv_channel_end_info end[2]; /* channel_create's out[0] and out[1] */
};

#endif /* RVOS_SYSCALL_H */
