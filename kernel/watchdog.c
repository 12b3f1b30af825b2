/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Watchdogs (CONFIG_WATCHDOG, doc/debugging.md). A process's watchdog is
 * armed by the process itself or by the holder of its process handle with
 * MANAGE (init, for a manifest entry's `watchdog[=MS]`); every call pets
 * it. While any is armed the kernel looks at them every
 * CONFIG_WATCHDOG_PERIOD_MS, from the timer interrupt or the idle loop.
 *
 * One that fired prints what every process waits for -- the wait-for
 * graph: an edge from a blocked process to each process that could end
 * its wait (the holders of the peer end of a channel it reads or writes,
 * directly, through wait_many or a port; the process it waits to end) --
 * and the deadlock in it: the processes blocked without a deadline whose
 * every edge leads to another such process (wait_many waits for any one
 * of its items, so a process is stuck only if all of them are), and a
 * cycle among them. Then the process whose watchdog fired ends, as if
 * killed (its supervisor restarts it), or the machine powers off.
 *
 * The graph is built only when a watchdog fires, from the process table,
 * the handle tables and the waiter lists: nothing on any IPC path pays
 * for it. One hart, interrupts off in the kernel: nothing changes while it
 * is built.
 */
#include <rvos/errno.h>
#include <rvos/syscall.h>
#include <stdarg.h>
#include <kernel/channel.h>
#include <kernel/format.h>
#include <kernel/handle.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/timer.h>
#include <kernel/util.h>
#include <kernel/watchdog.h>

BUILD_ASSERT(CONFIG_MAX_PROCS <= INT16_MAX, "edges and the walk name process slots in 16 bits");
BUILD_ASSERT(CONFIG_WATCHDOG_MAX_EDGES <= UINT8_MAX, "edge counts are 8 bits");

/* (the option exists only with WATCHDOG_POWEROFF) */
#ifdef CONFIG_WATCHDOG_POWEROFF
#define WATCHDOG_POWEROFF_STATUS CONFIG_WATCHDOG_POWEROFF_STATUS
#else
#define WATCHDOG_POWEROFF_STATUS POWEROFF_STATUS_FAIL
#endif /* CONFIG_WATCHDOG_POWEROFF */

uint64_t watchdog_next_check = UINT64_MAX;

static uint64_t ms_to_ticks(uint64_t ms)
{
	return timer_hz() * ms / 1000;
}

static bool is_live(const struct proc *p)
{
	return p &&
	       (p->state == PROC_READY || p->state == PROC_RUNNING || p->state == PROC_BLOCKED);
}

/* watchdog(h, ms) */
long sys_watchdog(const uint64_t a[6])
{
	struct handle_entry *e;
	struct proc *p = current;
	uint64_t ms = a[1], timeout, now;
	int err;

	/* verify: the process (the caller's own, or a process handle with
	 * MANAGE, still running), then ms */
	if (a[0] != RV_HANDLE_SELF) {
		err = handle_arg(&current->handles, a[0], RV_OBJ_PROCESS, RV_RIGHT_MANAGE, &e);
		if (err)
			return err;
		p = process_object_proc(e->obj);
		if (!is_live(p))
			return -RV_ESRCH;
	}
	if (!arg_is_u32(ms))
		return -RV_EINVAL;

	/* impl */
	if (ms == 0) {
		p->wd_timeout = 0; /* the next check sees whether any is left */
		return 0;
	}
	if (ms != RV_WATCHDOG_KEEP)
		timeout = ms_to_ticks(ms);
	else if (p->wd_timeout)
		timeout = p->wd_timeout;
	else
		timeout = ms_to_ticks(CONFIG_WATCHDOG_TIMEOUT_MS);
	now = timer_now();
	p->wd_timeout = timeout ? timeout : 1;
	p->wd_deadline = now + p->wd_timeout;
	if (watchdog_next_check == UINT64_MAX) {
		watchdog_next_check = now + ms_to_ticks(CONFIG_WATCHDOG_PERIOD_MS);
		sched_timer_update();
	}
	return 0;
}

/* ---- the wait-for graph ---- */

#define MAX_EDGES CONFIG_WATCHDOG_MAX_EDGES

struct node {
	uint16_t edge[MAX_EDGES]; /* slots of the processes that could end its wait */
	uint8_t edges;
	bool blocked; /* blocked without a deadline */
	bool unknown; /* waits for something outside the graph (too many edges,
		       * an interrupt, an end nobody holds) */
	bool stuck;   /* in the deadlock */
	int16_t walk; /* the cycle search: its step, -1 not visited */
};

static struct node nodes[CONFIG_MAX_PROCS];

/* The line being built. */
static char line[CONFIG_PRINTK_LINE_MAX];
static size_t line_len;

static void put(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (line_len >= sizeof(line) - 1)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(line + line_len, sizeof(line) - line_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		line_len += (size_t)n;
	if (line_len > sizeof(line) - 1)
		line_len = sizeof(line) - 1;
}

static void flush(void)
{
	printk("%s\n", line);
	line_len = 0;
	line[0] = '\0';
}

static void add_edge(struct proc *from, const struct proc *to)
{
	struct node *n = &nodes[from->slot];

	for (unsigned int i = 0; i < n->edges; i++)
		if (n->edge[i] == to->slot)
			return;
	if (n->edges == MAX_EDGES) {
		n->unknown = true;
		return;
	}
	n->edge[n->edges++] = (uint16_t)to->slot;
}

/* Edges from p to every live process that holds a handle to obj; obj in
 * a queued message (carried: the first time), to those that hold the end
 * it waits at: they would read it. */
static void holders(struct proc *p, const struct kobject *obj, bool carried)
{
	const struct kobject *at;
	unsigned int found = 0;

	for (unsigned int s = 0; s < CONFIG_MAX_PROCS; s++) {
		struct proc *q = proc_in_slot(s);

		if (!is_live(q))
			continue;
		for (unsigned int i = 0; i < CONFIG_MAX_HANDLES; i++) {
			if (q->handles.slots[i].obj != obj)
				continue;
			put("%s %s (pid %d)", found++ ? "," : "", q->name, q->pid);
			add_edge(p, q);
			break;
		}
	}
	if (found)
		return;
	at = carried ? NULL : channel_end_carrier(obj);
	if (at) {
		holders(p, at, true);
		put(" (the end is in a message queued at channel %u)", channel_end_id(at) >> 1);
	} else {
		/* in a message in a message, or the kernel's */
		put(" nobody");
		nodes[p->slot].unknown = true;
	}
}

/* What p waits for on obj: who could end it. */
static void wait_item(struct proc *p, const struct kobject *obj, uint32_t signals)
{
	const struct kobject *peer, *bound[4];
	struct proc *q;
	unsigned int n;

	switch (obj->type) {
	case RV_OBJ_CHANNEL:
		peer = channel_end_peer(obj);
		put(" channel %u: %s from", channel_end_id(obj) >> 1,
		    signals & RV_SIGNAL_READABLE ? "a message" : "room (a read)");
		if (peer) {
			holders(p, peer, false);
		} else {
			put(" nobody (peer closed)");
			nodes[p->slot].unknown = true;
		}
		break;
	case RV_OBJ_PROCESS:
		q = process_object_proc((struct kobject *)obj);
		if (is_live(q)) {
			put(" the end of %s (pid %d)", q->name, q->pid);
			add_edge(p, q);
		} else {
			put(" the end of a process that ended");
			nodes[p->slot].unknown = true;
		}
		break;
	case RV_OBJ_PORT:
		n = port_bound_objects(obj, bound, ARRAY_SIZE(bound));
		put(" a port (%u bound):", n);
		if (n > ARRAY_SIZE(bound)) {
			n = ARRAY_SIZE(bound);
			put(" (the first %u)", n);
			nodes[p->slot].unknown = true;
		}
		for (unsigned int i = 0; i < n; i++)
			wait_item(p, bound[i], RV_SIGNAL_READABLE);
		if (!n)
			nodes[p->slot].unknown = true;
		break;
	default:
		put(" an object of type %u (an interrupt, ...)", obj->type);
		nodes[p->slot].unknown = true;
		break;
	}
}

static const char *call_name(uint64_t nr)
{
	switch (nr) {
	case RV_SYS_CHANNEL_READ:
		return "channel_read";
	case RV_SYS_CHANNEL_WRITE:
		return "channel_write";
	case RV_SYS_CHANNEL_CALL:
		return "channel_call";
	case RV_SYS_WAIT_MANY:
		return "wait_many";
	case RV_SYS_PORT_WAIT:
		return "port_wait";
	case RV_SYS_WAIT:
		return "wait";
	case RV_SYS_SLEEP:
		return "sleep";
	default:
		return "a system call";
	}
}

/* p's line, and its edges. */
static void describe(struct proc *p, uint64_t now)
{
	struct node *n = &nodes[p->slot];
	bool deadline = list_node_is_linked(&p->sched_link);

	put("watchdog:   %s (pid %d)", p->name, p->pid);
	if (p->wd_timeout)
		put(now >= p->wd_deadline ? " [watchdog fired]" : " [watchdog]");
	put(":");
	if (p->state != PROC_BLOCKED) {
		put(p->state == PROC_RUNNING ? " running" : " ready to run");
		return;
	}
	if (debug_stopped_by(p)) {
		/* only its debugger resumes it */
		put(" stopped by its debugger %s (pid %d)", debug_stopped_by(p)->name,
		    debug_stopped_by(p)->pid);
		add_edge(p, debug_stopped_by(p));
		n->blocked = true;
		return;
	}
	put(" in %s,", call_name(p->regs->x[17]));
	switch (p->block) {
	case BLOCK_SLEEP:
		put(" asleep for %lu ms more",
		    (unsigned long)(timer_ticks_to_ns(p->wake_at > now ? p->wake_at - now : 0) /
				    1000000));
		return;
	case BLOCK_WAIT_CHILD:
		put(" waits for the end of");
		for (unsigned int s = 0; s < CONFIG_MAX_PROCS; s++) {
			struct proc *c = proc_in_slot(s);

			if (is_live(c) && c->parent == p &&
			    (p->wait_for == -1 || c->pid == p->wait_for)) {
				put(" %s (pid %d)", c->name, c->pid);
				add_edge(p, c);
			}
		}
		if (!n->edges)
			n->unknown = true;
		break;
	case BLOCK_OBJECT:
		/* one item: on the line; several (wait_many): one line each */
		put(p->waiter_count > 1 ? " waits for one of:" : " waits for");
		for (unsigned int i = 0; i < p->waiter_count; i++) {
			if (p->waiter_count > 1) {
				flush();
				put("watchdog:     ");
			}
			wait_item(p, p->waiters[i].obj, p->waiters[i].signals);
		}
		if (!p->waiter_count)
			n->unknown = true;
		break;
	default:
		n->unknown = true;
		break;
	}
	if (deadline)
		put(" (or a deadline)");
	else
		n->blocked = true;
}

/* The deadlock: start from every process blocked without a deadline on
 * processes only, drop each with an edge out of the set until none is
 * left to drop. */
static void find_stuck(void)
{
	bool changed;

	for (unsigned int s = 0; s < CONFIG_MAX_PROCS; s++)
		nodes[s].stuck = nodes[s].blocked && !nodes[s].unknown && nodes[s].edges;
	do {
		changed = false;
		for (unsigned int s = 0; s < CONFIG_MAX_PROCS; s++) {
			struct node *n = &nodes[s];

			if (!n->stuck)
				continue;
			for (unsigned int i = 0; i < n->edges; i++) {
				if (!nodes[n->edge[i]].stuck) {
					n->stuck = false;
					changed = true;
					break;
				}
			}
		}
	} while (changed);
}

/* From a stuck process, follow edges (all to stuck ones) until one
 * comes again: the cycle from there. */
static void print_cycle(unsigned int start)
{
	static uint16_t path[CONFIG_MAX_PROCS];
	unsigned int steps = 0, s = start, first;

	for (unsigned int i = 0; i < CONFIG_MAX_PROCS; i++)
		nodes[i].walk = -1;
	while (nodes[s].walk < 0) {
		nodes[s].walk = (int16_t)steps;
		path[steps++] = (uint16_t)s;
		s = nodes[s].edge[0];
	}
	first = (unsigned int)nodes[s].walk;
	put("deadlock:");
	for (unsigned int i = first; i < steps; i++) {
		struct proc *p = proc_in_slot(path[i]);

		put(" %s (pid %d) ->", p->name, p->pid);
	}
	put(" %s (pid %d)", proc_in_slot(s)->name, proc_in_slot(s)->pid);
	flush();
	for (unsigned int i = first; i < steps; i++)
		nodes[path[i]].stuck = false; /* named */
}

static void report(uint64_t now)
{
	struct proc *p;

	for (unsigned int s = 0; s < CONFIG_MAX_PROCS; s++) {
		nodes[s].edges = 0;
		nodes[s].blocked = nodes[s].unknown = nodes[s].stuck = false;
	}
	printk("watchdog: what each process waits for:\n");
	for (unsigned int s = 0; s < CONFIG_MAX_PROCS; s++) {
		p = proc_in_slot(s);
		if (!is_live(p))
			continue;
		describe(p, now);
		flush();
	}
	find_stuck();
	/* A cycle for each fired watchdog's process that is stuck (it may
	 * wait on a cycle it is not part of), then any cycle left. */
	bool named = false;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int s = 0; s < CONFIG_MAX_PROCS; s++) {
			p = proc_in_slot(s);
			if (!is_live(p) || !nodes[s].stuck)
				continue;
			if (pass == 0 && !(p->wd_timeout && now >= p->wd_deadline))
				continue;
			print_cycle(s);
			named = true;
		}
	}
	if (!named)
		printk("watchdog: no deadlock: every blocked process may still be woken "
		       "(a deadline, a process that runs, an interrupt)\n");
}

/* End p as if killed (its supervisor sees RV_KILLED_BY_WATCHDOG). */
static void end_fired(struct proc *p)
{
	const struct rv_exit_info how = {.reason = RV_EXIT_KILLED, .code = RV_KILLED_BY_WATCHDOG};

	printk("watchdog: %s (pid %d) ended\n", p->name, p->pid);
	p->wd_timeout = 0;
	proc_exit(p, &how);
}

/* (Not re-entered while in use: ending the current process, last, is the
 * only way back into it -- from the idle loop of the switch that follows
 * -- and that end never returns here. Static: off the kernel stack.) */
static int fired[CONFIG_MAX_PROCS];

void watchdog_check(uint64_t now)
{
	unsigned int n = 0;
	bool armed = false, self = false;

	for (unsigned int s = 0; s < CONFIG_MAX_PROCS; s++) {
		struct proc *p = proc_in_slot(s);

		if (!is_live(p) || !p->wd_timeout)
			continue;
		armed = true;
		if (now >= p->wd_deadline)
			fired[n++] = p->pid;
	}
	watchdog_next_check = armed ? now + ms_to_ticks(CONFIG_WATCHDOG_PERIOD_MS) : UINT64_MAX;
	if (!n)
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct proc *p = proc_by_pid(fired[i]);

		printk("watchdog: %s (pid %d) was not petted for %lu ms\n", p->name, p->pid,
		       (unsigned long)(timer_ticks_to_ns(p->wd_timeout + now - p->wd_deadline) /
				       1000000));
	}
	report(now);
	if (IS_ENABLED(CONFIG_WATCHDOG_POWEROFF)) {
		printk("watchdog: powering off (CONFIG_WATCHDOG_POWEROFF)\n");
		poweroff(WATCHDOG_POWEROFF_STATUS);
	}
	/* The current process last: its end does not return. */
	for (unsigned int i = 0; i < n; i++) {
		struct proc *p = proc_by_pid(fired[i]);

		if (p == current)
			self = true;
		else if (is_live(p))
			end_fired(p);
	}
	if (self)
		end_fired(current);
}
