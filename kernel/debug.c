/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process debugger (CONFIG_DEBUGGER, doc/debugging.md "The process
 * debugger"): debug(op, h, ...), call 45.
 *
 * A debugger attaches to a process through its process handle with
 * RV_RIGHT_DEBUG, which only a process granted it (RV_DBG_GRANT: init, for
 * a manifest entry with `debug`) gets on what it spawns. One debugger per
 * process. An attached process's faults and breakpoints stop it instead
 * of ending it; the debugger sees RV_SIGNAL_STOPPED on its process handle
 * (wait_many) and asks why with RV_DBG_STOP_INFO.
 *
 * A stopped process is PROC_BLOCKED with BLOCK_DEBUG, off every queue;
 * resuming makes it ready, and it goes on where it stopped: in user_trap
 * (a fault, a breakpoint, a suspend at the end of a trap), or wherever its
 * kernel context was (a ready process suspended at once). Its user
 * registers are its trap frame, which SETREGS changes.
 *
 * Breakpoints are c.ebreak (0x9002) written by the kernel into the
 * debuggee's own frame (its text pages are copies made by the loader, one
 * per process), through the kernel's mapping of the frame: the debuggee's
 * mapping stays read-only and executable (W^X). The kernel keeps the bytes
 * they replaced, shows them to RV_DBG_READ, and puts them back when the
 * debugger detaches or ends.
 *
 * One hart, interrupts off in the kernel: no locks.
 */
#include <rvos/errno.h>
#include <rvos/syscall.h>
#include <kernel/debug.h>
#include <kernel/handle.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/util.h>

#define C_EBREAK 0x9002u /* c.ebreak (unprivileged spec, "C" extension, 16.8) */
#define EXC_BREAKPOINT 3

struct proc *proc_in_slot(unsigned int slot);

static void notify(struct proc *p)
{
	if (p->pobj)
		kobject_notify(process_object_kobj(p->pobj));
}

/* p stops: blocked, off every queue, until RESUME or DETACH. */
static void enter_stop(struct proc *p, uint32_t reason, uint32_t cause, uint64_t addr)
{
	p->dbg.suspend = false;
	p->dbg.stopped = true;
	p->dbg.stop.reason = reason;
	p->dbg.stop.cause = cause;
	p->dbg.stop.pc = p->regs->sepc;
	p->dbg.stop.addr = addr;
	p->state = PROC_BLOCKED;
	p->block = BLOCK_DEBUG;
	notify(p);
}

static void resume(struct proc *p)
{
	p->dbg.suspend = false;
	if (p->dbg.stopped) {
		p->dbg.stopped = false;
		sched_make_ready(p);
		notify(p);
	}
}

void debug_first_proc(struct proc *p)
{
	p->dbg.may_debug = true;
}

uint32_t debug_spawn_rights(void)
{
	return current->dbg.may_debug ? RV_RIGHT_DEBUG : 0;
}

uint32_t debug_signals(const struct proc *p)
{
	return p->dbg.stopped ? RV_SIGNAL_STOPPED : 0;
}

bool debug_stop_on_wake(struct proc *p)
{
	/* Stopped already: a wake meant for the wait it stopped in (a
	 * wait_many whose deadline stopped it, then one of its items) leaves
	 * it stopped; it goes on from that wait when resumed. */
	if (p->dbg.stopped)
		return true;
	if (!p->dbg.suspend)
		return false;
	enter_stop(p, RV_DBG_STOP_SUSPEND, 0, 0);
	return true;
}

void debug_stop_current(void)
{
	enter_stop(current, RV_DBG_STOP_SUSPEND, 0, 0);
	schedule();
}

bool debug_catch_fault(unsigned long cause, uint64_t addr)
{
	if (!current->dbg.debugger)
		return false;
	enter_stop(current, cause == EXC_BREAKPOINT ? RV_DBG_STOP_BREAKPOINT : RV_DBG_STOP_FAULT,
		   (uint32_t)cause, cause == EXC_BREAKPOINT ? 0 : addr);
	schedule();
	return true;
}

/* Put back what every breakpoint replaced. */
static void clear_breakpoints(struct proc *p)
{
	for (unsigned int i = 0; i < CONFIG_DEBUGGER_MAX_BREAKPOINTS; i++) {
		struct debug_breakpoint *b = &p->dbg.bp[i];

		if (b->va)
			vm_write_user_pages(&p->as, b->va, &b->orig, sizeof(b->orig));
		b->va = 0;
	}
	__asm__ volatile("fence.i" ::: "memory");
}

static void detach(struct proc *p)
{
	clear_breakpoints(p);
	p->dbg.debugger = NULL;
	resume(p);
}

void debug_proc_exit(struct proc *p)
{
	p->dbg.debugger = NULL;
	p->dbg.stopped = false;
	p->dbg.suspend = false;
	for (unsigned int i = 0; i < CONFIG_MAX_PROCS; i++) {
		struct proc *q = proc_in_slot(i);

		if (q && q->dbg.debugger == p)
			detach(q);
	}
}

static struct debug_breakpoint *breakpoint_at(struct proc *p, uint64_t va)
{
	for (unsigned int i = 0; i < CONFIG_DEBUGGER_MAX_BREAKPOINTS; i++) {
		if (p->dbg.bp[i].va == va)
			return &p->dbg.bp[i];
	}
	return NULL;
}

/* buf holds the debuggee's bytes [va, va + len) as memory has them: show
 * (reading) or keep (writing) its own bytes where breakpoints are. When
 * writing, the saved bytes take the new ones and buf keeps the c.ebreak. */
static void overlay_breakpoints(struct proc *p, uint64_t va, uint8_t *buf, size_t len,
				bool writing)
{
	for (unsigned int i = 0; i < CONFIG_DEBUGGER_MAX_BREAKPOINTS; i++) {
		struct debug_breakpoint *b = &p->dbg.bp[i];
		uint8_t *orig = (uint8_t *)&b->orig;
		uint16_t ebreak = C_EBREAK;

		if (!b->va)
			continue;
		for (unsigned int k = 0; k < sizeof(b->orig); k++) {
			uint64_t at = b->va + k;

			if (at < va || at >= va + len)
				continue;
			if (writing) {
				orig[k] = buf[at - va];
				buf[at - va] = ((uint8_t *)&ebreak)[k];
			} else {
				buf[at - va] = orig[k];
			}
		}
	}
}

static bool is_live(const struct proc *p)
{
	return p && (p->state == PROC_READY || p->state == PROC_RUNNING ||
		     p->state == PROC_BLOCKED);
}

/* debug(op, h, a2, a3, a4) */
/* Stop p: at once if it is ready (off the run queue), else when its
 * current wait ends (ATTACH, SUSPEND). */
static void suspend(struct proc *p)
{
	if (p->state == PROC_READY) {
		sched_remove(p);
		enter_stop(p, RV_DBG_STOP_SUSPEND, 0, 0);
	} else {
		p->dbg.suspend = true;
	}
}

long sys_debug(const uint64_t a[6])
{
	uint8_t buf[CONFIG_DEBUGGER_XFER_MAX];
	struct rv_dbg_regs regs;
	struct handle_entry *e;
	struct debug_breakpoint *b;
	uint64_t op = a[0], va = a[2], len = a[4];
	struct proc *p;
	uint16_t ebreak = C_EBREAK;
	int err;

	/* verify: the op, the process (DEBUG right, alive), attached by the
	 * caller (ATTACH: by nobody), then the op's own arguments */
	if (op >= RV_DBG_OP_COUNT)
		return -RV_EINVAL;
	err = handle_arg(&current->handles, a[1], RV_OBJ_PROCESS, RV_RIGHT_DEBUG, &e);
	if (err)
		return err;
	p = process_object_proc(e->obj);
	if (!is_live(p))
		return -RV_ESRCH;
	if (op == RV_DBG_GRANT) {
		p->dbg.may_debug = true;
		return 0;
	}
	if (op == RV_DBG_ATTACH) {
		if (p == current)
			return -RV_EINVAL;
		if (p->dbg.debugger)
			return -RV_EBUSY;
		p->dbg.debugger = current;
		suspend(p);
		return 0;
	}
	if (p->dbg.debugger != current)
		return -RV_EPERM;

	switch (op) {
	case RV_DBG_DETACH:
		detach(p);
		return 0;
	case RV_DBG_SUSPEND:
		if (!p->dbg.stopped)
			suspend(p);
		return 0;
	case RV_DBG_RESUME:
		resume(p);
		return 0;
	case RV_DBG_GETREGS:
		if (!p->dbg.stopped)
			return -RV_EAGAIN;
		regs.x[0] = p->regs->sepc;
		for (unsigned int i = 1; i < 32; i++)
			regs.x[i] = p->regs->x[i];
		return copy_to_user(&current->as, a[2], &regs, sizeof(regs)) ? -RV_EFAULT : 0;
	case RV_DBG_SETREGS:
		if (!p->dbg.stopped)
			return -RV_EAGAIN;
		if (copy_from_user(&current->as, &regs, a[2], sizeof(regs)))
			return -RV_EFAULT;
		p->regs->sepc = regs.x[0];
		for (unsigned int i = 1; i < 32; i++)
			p->regs->x[i] = regs.x[i];
		return 0;
	case RV_DBG_STOP_INFO:
		if (!p->dbg.stopped)
			return -RV_EAGAIN;
		return copy_to_user(&current->as, a[2], &p->dbg.stop, sizeof(p->dbg.stop)) ?
			       -RV_EFAULT : 0;
	case RV_DBG_READ:
		if (len == 0 || len > sizeof(buf))
			return -RV_EINVAL;
		if (!user_access_ok(&current->as, a[3], len, true) ||
		    copy_from_user(&p->as, buf, va, len))
			return -RV_EFAULT;
		overlay_breakpoints(p, va, buf, len, false);
		return copy_to_user(&current->as, a[3], buf, len) ? -RV_EFAULT : 0;
	case RV_DBG_WRITE:
		if (len == 0 || len > sizeof(buf))
			return -RV_EINVAL;
		if (copy_from_user(&current->as, buf, a[3], len) ||
		    !user_access_ok(&p->as, va, len, false))
			return -RV_EFAULT;
		overlay_breakpoints(p, va, buf, len, true);
		err = vm_write_user_pages(&p->as, va, buf, len);
		__asm__ volatile("fence.i" ::: "memory");
		return err ? -RV_EFAULT : 0;
	case RV_DBG_BREAK_SET:
		if (va == 0 || (va & 1))
			return -RV_EINVAL;
		if (breakpoint_at(p, va))
			return -RV_EEXIST;
		b = breakpoint_at(p, 0);
		if (!b)
			return -RV_ENOSPC;
		if (copy_from_user(&p->as, &b->orig, va, sizeof(b->orig)))
			return -RV_EFAULT;
		if (vm_write_user_pages(&p->as, va, &ebreak, sizeof(ebreak)))
			return -RV_EFAULT;
		b->va = va;
		/* the debuggee runs on this hart: its fetches see the write
		 * after fence.i (unprivileged spec, "Zifencei") */
		__asm__ volatile("fence.i" ::: "memory");
		return 0;
	case RV_DBG_BREAK_CLEAR:
		b = va ? breakpoint_at(p, va) : NULL;
		if (!b)
			return -RV_ENOENT;
		vm_write_user_pages(&p->as, va, &b->orig, sizeof(b->orig));
		b->va = 0;
		__asm__ volatile("fence.i" ::: "memory");
		return 0;
	}
	return -RV_EINVAL;
}

BUILD_ASSERT(sizeof(struct proc_debug) == 40 + 16 * CONFIG_DEBUGGER_MAX_BREAKPOINTS,
	     "struct proc_debug: what Kconfig's help and doc/debugging.md say it costs");
BUILD_ASSERT(sizeof(struct rv_dbg_regs) == 256 && sizeof(struct rv_dbg_stop) == 24,
	     "the debug call's ABI structs");
