/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process debugger (CONFIG_DEBUGGER, kernel/debug.c, doc/debugging.md).
 * Without it every hook below is an empty inline function and struct proc
 * has no debugger fields: the kernel is the one built without the feature.
 */
#ifndef KERNEL_DEBUG_H
#define KERNEL_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rvos/ipc.h>
#include <rvos/syscall.h>

struct proc;
struct user_regs;

#ifdef CONFIG_DEBUGGER

/* A software breakpoint: the two bytes a c.ebreak replaced. */
struct debug_breakpoint {
	uint64_t va;   /* 0: free */
	uint16_t orig; /* the debuggee's own bytes at va */
};

/* struct proc's debugger fields (one hart, interrupts off in the kernel:
 * no lock). */
struct proc_debug {
	struct proc *debugger;  /* attached to it; NULL: none */
	bool may_debug;         /* its process_spawn handles carry RV_RIGHT_DEBUG */
	bool suspend;           /* stop when its wait ends or it next leaves the kernel */
	bool stopped;           /* PROC_BLOCKED, BLOCK_DEBUG */
	struct rv_dbg_stop stop; /* why, while stopped */
	struct debug_breakpoint bp[CONFIG_DEBUGGER_MAX_BREAKPOINTS];
};

long sys_debug(const uint64_t a[6]);
/* The first process may debug (it grants it on, RV_DBG_GRANT). */
void debug_first_proc(struct proc *p);
/* RV_RIGHT_DEBUG if the current process may have it on what it spawns. */
uint32_t debug_spawn_rights(void);
/* sched_make_ready(p): true when p stops instead (a suspend was asked). */
bool debug_stop_on_wake(struct proc *p);
/* A fault of the current process: true when it stopped for its debugger
 * (and has been resumed since); false: it ends as before. */
bool debug_catch_fault(unsigned long cause, uint64_t addr);
/* The end of a trap back to user mode: a pending suspend stops it here. */
void debug_stop_current(void);
static inline void debug_user_return(struct proc *p, bool suspend)
{
	(void)p;
	if (__builtin_expect(suspend, 0))
		debug_stop_current();
}
/* p ends: its debugger lets go; if p is a debugger, its debuggees run on,
 * without breakpoints. */
void debug_proc_exit(struct proc *p);
/* RV_SIGNAL_STOPPED while p is stopped. */
uint32_t debug_signals(const struct proc *p);

#define DEBUG_SUSPEND_PENDING(p) ((p)->dbg.suspend)
/* debug_stopped_by(p): in kernel/proc.h, after struct proc. */

#else /* !CONFIG_DEBUGGER */

static inline uint32_t debug_spawn_rights(void)
{
	return 0;
}
static inline bool debug_stop_on_wake(struct proc *p)
{
	(void)p;
	return false;
}
static inline bool debug_catch_fault(unsigned long cause, uint64_t addr)
{
	(void)cause;
	(void)addr;
	return false;
}
static inline void debug_user_return(struct proc *p, bool suspend)
{
	(void)p;
	(void)suspend;
}
static inline void debug_proc_exit(struct proc *p)
{
	(void)p;
}
static inline void debug_first_proc(struct proc *p)
{
	(void)p;
}
static inline uint32_t debug_signals(const struct proc *p)
{
	(void)p;
	return 0;
}

#define DEBUG_SUSPEND_PENDING(p) false

static inline struct proc *debug_stopped_by(const struct proc *p)
{
	(void)p;
	return NULL;
}

#endif /* CONFIG_DEBUGGER */

#endif /* KERNEL_DEBUG_H */
