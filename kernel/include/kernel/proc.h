/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Processes: one user thread each, an address space, a kernel stack (by
 * slot, mapped at boot) and an entry in the static process table of
 * CONFIG_MAX_PROCS slots.
 *
 * rvOS runs on one hart with interrupts off in the kernel, so kernel code is
 * never preempted: the tables below need no locks. A process blocks only by
 * calling schedule() with itself off the ready queues.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <rvos/syscall.h>
#include <arch/context.h>
#include <kernel/debug.h>
#include <kernel/handle.h>
#include <kernel/list.h>
#include <kernel/object.h>
#include <kernel/vm.h>

enum proc_state {
	PROC_FREE,    /* slot unused */
	PROC_READY,   /* on a ready queue */
	PROC_RUNNING, /* current */
	PROC_BLOCKED, /* sleeping or waiting; block_reason says which */
	PROC_ZOMBIE,  /* exited, its parent has not waited yet */
};

enum block_reason {
	BLOCK_NONE,
	BLOCK_SLEEP,
	BLOCK_WAIT_CHILD,
	BLOCK_OBJECT, /* waiting for signals: waiters[] */
#ifdef CONFIG_DEBUGGER
	BLOCK_DEBUG, /* stopped by its debugger (kernel/debug.c) */
#endif /* CONFIG_DEBUGGER */
};

struct process_object;

/* A shared-memory mapping of a process (kernel/shm.c). */
struct shm_mapping {
	struct shm_region *region; /* NULL: slot free */
	uintptr_t va;
	/* Made through a derived handle (via != 0): on the region's list of
	 * such mappings, so that a revoke finds it (kernel/revoke.c). */
	unsigned int via;
	struct proc *owner;
	struct list_node derived; /* on shm_region.derived */
};

struct proc {
	enum proc_state state;
	enum block_reason block;
	int pid;                     /* generation * CONFIG_MAX_PROCS + slot */
	unsigned int slot;
	unsigned int priority;       /* 0 = highest */
	char name[CONFIG_PROC_NAME_MAX];
	struct arch_context ctx;     /* kernel context while switched out */
	struct user_regs *regs;      /* at the top of the kernel stack */
	struct addr_space as;
	struct proc *parent;         /* NULL for the first process and orphans */
	int creator_pid;             /* who started it (spawn or process_spawn), 0: the kernel */
	unsigned int live_children;  /* children not yet waited for */
	struct list_node sched_link; /* ready queue or sleep list */
	uint64_t wake_at;            /* BLOCK_SLEEP: deadline in timer ticks */
	int wait_for;                /* BLOCK_WAIT_CHILD: pid or -1 */
	struct rv_exit_info exit;    /* PROC_ZOMBIE: how it ended */
	uint64_t cpu_ticks;          /* time run, in timer ticks */
	uint64_t ran_since;          /* tick it was last switched in */
	/* (Before the big tables: the IPC fast path reaches these with
	 * 12-bit offsets.) */
	union {
		struct {
			unsigned int waiter_count; /* waiters[] in use */
			/* Blocked in the general channel_read with its buffer
			 * recorded (as.rx_ubuf): its capacity, so that a writer
			 * can deliver a message larger than rx_room straight
			 * into it; 0: not recorded. In one word with
			 * waiter_count: the fast path clears it with the store
			 * that sets waiter_count. */
			uint32_t rx_cap;
		};
		uint64_t waiter_word; /* waiter_count | rx_cap << 32 */
	};
	/* Blocked in channel_read (or the read half of channel_call) on
	 * recv_end, its only waiter; its buffers as kernel pointers are in
	 * as.rx_* (kernel/channel.c, direct delivery). recv_end NULL: not
	 * receiving (waiters_remove_all clears it). */
	struct kobject *recv_end;
	/* A revoke ended its wait (kobject_block returns -ECANCELED): here
	 * for kobject_block's 12-bit offset. */
	bool wait_cancelled;
#ifdef CONFIG_TRACING
	/* (here, before the big tables, for the fast paths too) */
	uint8_t trace_block;           /* rv_trace_block: why it blocked last */
	uint64_t trace_call_at;        /* tick its channel_call began (0: not in one) */
	uint64_t trace_ready_at;       /* tick it was made ready (0: not while recording) */
#endif /* CONFIG_TRACING */
	struct handle_table handles;
	struct waiter waiters[CONFIG_MAX_WAIT_ITEMS];
	struct shm_mapping mappings[CONFIG_MAX_MMAP_REGIONS];
	unsigned int channels_created; /* against CONFIG_MAX_CHANNELS_PER_PROC */
	struct process_object *pobj;   /* set when started by process_spawn */
	uintptr_t heap_end;            /* mem_grow: the heap is [RV_HEAP_BASE, heap_end) */
	uint32_t devices_mapped;       /* bit i: exported device i is mapped (device_map) */
	/* The call fast path's record of the process's last channel_call
	 * (kernel/channel.c, fastpath()): its request's and reply's struct
	 * rv_msg (user addresses, kernel pointers) and the first page of the
	 * buffer the reply named then (user address and capacity; kernel
	 * pointer and room, as in as.rx_bytes and as.rx_room): a call naming
	 * the same finds them here instead of checking and translating them
	 * again. Translations like as.tlb[], dropped with them
	 * (user_tlb_flush): urep USER_TLB_NONE means none. (Here at the end,
	 * so that no other field moves for it.) */
	struct call_record {
		uintptr_t urep, ureq;
		struct rv_msg *rep;
		const struct rv_msg *req;
		uintptr_t rb;
		uint8_t *rbytes;
		uint32_t cap, room;
	} fp;
#ifdef CONFIG_FPU
	bool fpu_valid;                /* fpu holds its FP state (kernel/fpu.c) */
	bool fpu_used;                 /* it has used FP: the unit follows it */
	struct arch_fpu fpu;           /* while another process has the FP unit */
#endif
#ifdef CONFIG_WATCHDOG
	uint64_t wd_timeout;           /* its watchdog's timeout in ticks; 0: none armed */
	uint64_t wd_deadline;          /* the tick it fires at unless petted before */
#endif /* CONFIG_WATCHDOG */
#ifdef CONFIG_DEBUGGER
	struct proc_debug dbg;         /* its debugger, stop, breakpoints (kernel/debug.c) */
#endif /* CONFIG_DEBUGGER */
};

extern struct proc *current;

#ifdef CONFIG_DEBUGGER
/* The debugger p is stopped by; NULL when it is not stopped (the
 * watchdog's wait-for graph: a stopped process waits for its debugger). */
static inline struct proc *debug_stopped_by(const struct proc *p)
{
	return p->dbg.stopped ? p->dbg.debugger : NULL;
}
#endif /* CONFIG_DEBUGGER */

void proc_init(const void *initrd, uint64_t initrd_size);
/* Start a program from the initrd. args: argv[1..] as NUL-terminated
 * strings back to back (args_len bytes), then the environment's strings
 * (env_len bytes). Returns the new pid or a negative error; name, args
 * and priority are already checked by the caller. */
int proc_spawn(const char *name, const char *args, size_t args_len, size_t env_len,
	       unsigned int priority, struct proc *parent);
/* The same with the program's ELF image in kernel memory (an initrd file or
 * a shared-memory region): image[0, image_size) is read, never kept. */
int proc_spawn_image(const char *name, const void *image, size_t image_size, const char *args,
		     size_t args_len, size_t env_len, unsigned int priority, struct proc *parent);
/* End a process (current or any other). Never returns when p is current. */
void proc_exit(struct proc *p, const struct rv_exit_info *how);
struct proc *proc_by_pid(int pid);
/* Process objects (handles to processes). */
struct process_object *process_object_alloc(void);
void process_object_attach(struct process_object *po, struct proc *p);
struct kobject *process_object_kobj(struct process_object *po);
struct proc *process_object_proc(struct kobject *obj);
int process_object_exit_info(struct kobject *obj, struct rv_exit_info *out);
int process_object_pid(struct kobject *obj);
/* The initrd's programs (regular files with a name spawn accepts), in
 * archive order: start with *offset = 0; 1 with *name (NUL-terminated,
 * in the archive) and *name_len, 0 after the last, -RV_EBADMSG for a bad
 * archive. */
int proc_program_next(size_t *offset, const char **name, size_t *name_len);
int proc_wait(int pid, struct rv_exit_info *info);
unsigned int proc_count(void);
/* proc_list: the record of the process in slot `slot` (< CONFIG_MAX_PROCS);
 * false when the slot is free. */
bool proc_info(unsigned int slot, struct rv_proc_info *out);

/* Scheduler (kernel/sched.c). */
void sched_init(void);
void sched_make_ready(struct proc *p);
void sched_remove(struct proc *p);
/* Give the hart to the best ready process; returns when current runs again. */
void schedule(void);
/* Start running processes; never returns. */
void sched_start(void) __attribute__((noreturn));
void sched_yield(void);
/* May the current process hand the hart straight to next (no process of
 * higher priority than next is ready)? Without CONFIG_SCHED_PRIORITIES no
 * process is of higher priority than another: always. */
static inline bool sched_handoff_allowed(const struct proc *next)
{
#ifdef CONFIG_SCHED_PRIORITIES
	extern uint64_t sched_ready_bitmap;

	return !sched_ready_bitmap || !(sched_ready_bitmap & ((1ULL << next->priority) - 1));
#else
	(void)next;
	return true;
#endif /* CONFIG_SCHED_PRIORITIES */
}
/* next is about to run: with CONFIG_FPU a process that has used FP gets
 * the FP unit back before it needs it (kernel/fpu.c). */
#ifdef CONFIG_FPU
extern struct proc *fpu_owner;
void fpu_give(struct proc *p);
static inline void fpu_switch_to(struct proc *next)
{
	if (next->fpu_used && fpu_owner != next)
		fpu_give(next);
}
#else
static inline void fpu_switch_to(struct proc *next)
{
	(void)next;
}
#endif
/* The current process has blocked itself with a continuation: next, blocked
 * until now, resumes in user mode at once, without the ready queues (the
 * IPC fast path). The running slice goes on. */
void sched_handoff(struct proc *next) __attribute__((noreturn));
/* The current process has blocked itself with a continuation: the hart
 * goes straight to the process schedule() would pick when that one is of
 * its priority and resumes in user mode (the general path's hand-off,
 * kernel/channel.c; the two share the slice as the fast path's do), else
 * as schedule() gives it (its kernel frames are not kept); the
 * continuation runs when it is picked again. */
void sched_block_continuation(void) __attribute__((noreturn));
/* The same when the current process is on no scheduler list (blocked
 * without a deadline), inline for the IPC fast path. Both run inside the
 * system call of prev, so sstatus is already right for U-mode. */
void arch_user_return_in_syscall(struct user_regs *regs) __attribute__((noreturn));
static inline __attribute__((always_inline, noreturn)) void sched_handoff_inline(struct proc *prev,
										struct proc *next)
{
	extern uint64_t sched_context_switches;
	uint64_t now;

	__asm__ volatile("rdtime %0" : "=r"(now));
	prev->cpu_ticks += now - prev->ran_since;
	next->ran_since = now;
	next->state = PROC_RUNNING;
	next->block = BLOCK_NONE;
	current = next;
	sched_context_switches++;
	as_activate(&next->as);
	fpu_switch_to(next);
	/* A jump, not a call: the caller needs no frame for a return address.
	 * With CONFIG_FPU sstatus is per process (its FS field: whether it
	 * has the FP unit), so it is loaded from next's registers. */
	register struct user_regs *regs __asm__("a0") = next->regs;
#ifdef CONFIG_FPU
	__asm__ volatile("tail arch_user_return" : : "r"(regs) : "memory");
#else
	__asm__ volatile("tail arch_user_return_in_syscall" : : "r"(regs) : "memory");
#endif
	__builtin_unreachable();
}
/* When p next runs, start it afresh in cont (on an empty kernel stack),
 * abandoning the kernel frames it blocked in. cont must not return. */
static inline void sched_set_continuation(struct proc *p, void (*cont)(void))
{
	p->ctx.ra = (uintptr_t)cont;
	p->ctx.sp = (uintptr_t)p->regs;
	p->ctx.s[0] = 0; /* s0: ends backtraces */
}
/* The end of a continuation (sched_set_continuation) that finished its
 * process's system call: ret in a0, a switch if one is due, back to user
 * mode. */
void sched_continuation_return(long ret) __attribute__((noreturn));
/* Resume p by returning straight to user mode, abandoning the kernel
 * frames it blocked in (its system call was completed for it). */
void sched_resume_in_user(struct proc *p);
void sched_sleep_until(uint64_t deadline);
void sched_add_sleeper(struct proc *p, uint64_t deadline);
void sched_timer_tick(void);
bool sched_should_preempt(void);
extern bool sched_need_resched;
extern uint64_t sched_context_switches;
extern uint64_t sched_idle_instret; /* rdinstret counted while idle in wfi */

#endif /* KERNEL_PROC_H */
