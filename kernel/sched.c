/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixed-priority preemptive scheduler: one FIFO ready queue per priority
 * and a bitmap of the non-empty ones, so picking the next process is one
 * count-trailing-zeros. Round robin within a priority by time slices of
 * CONFIG_TIMESLICE_MS, armed only when another process of the same priority
 * is ready. Tickless: the timer is armed for the nearest of the slice end and
 * the first sleeper's deadline; with nothing to run the hart waits in wfi.
 *
 * Without CONFIG_SCHED_PRIORITIES: one FIFO ready queue for every process,
 * round robin by the same time slices; a process's priority is kept (spawn
 * checks it, proc_list reports it) but orders nothing. The scheduler then
 * does what the one above does when every process has the same priority,
 * step for step (the held wake-up and the hand-offs included).
 */
#include <arch/csr.h>
#include <kernel/irq.h>
#include <kernel/panic.h>
#include <kernel/proc.h>
#include <kernel/timer.h>
#include <kernel/trace.h>
#include <kernel/util.h>
#include <kernel/watchdog.h>

#ifdef CONFIG_SCHED_PRIORITIES
BUILD_ASSERT(CONFIG_NUM_PRIORITIES <= 64, "the ready bitmap is one 64-bit word");
#endif /* CONFIG_SCHED_PRIORITIES */
BUILD_ASSERT(CONFIG_DEFAULT_PRIORITY < CONFIG_NUM_PRIORITIES,
	     "DEFAULT_PRIORITY must be below NUM_PRIORITIES");

/* sip.STIP / sip.SEIP: supervisor timer / external interrupt pending. */
#define SIP_STIP (1UL << 5)
#define SIP_SEIP (1UL << 9)

struct proc *current;
uint64_t sched_context_switches;
/* rdinstret counted across the idle loop's waits: under QEMU -icount the
 * counter advances with virtual time while the hart sleeps in wfi (waiting
 * for a disk, say), which is no instruction of anybody's (rv_kstats). */
uint64_t sched_idle_instret;
/* Set when the running process should give the hart up at its next return
 * to user mode: a higher-priority process became ready, or its slice ended
 * with another of its priority waiting. Checked on every trap exit, so it
 * must be cheaper than a look at the queues. */
bool sched_need_resched;

#ifdef CONFIG_SCHED_PRIORITIES
static struct list_node ready_queue[CONFIG_NUM_PRIORITIES];
uint64_t sched_ready_bitmap; /* bit p: ready_queue[p] (or held) is not empty */
#else
static struct list_node ready_queue; /* every ready process but the held one */
#endif /* CONFIG_SCHED_PRIORITIES */
/* The process made ready last, not yet linked into its ready queue: it
 * counts as that queue's last (its bit is set in sched_ready_bitmap, or
 * any_ready() says so; the queues' readers, pick_next, sched_remove and
 * sched_block_continuation, know), and is linked in when another process
 * is made ready. When the process that woke it blocks next with nothing
 * else of its priority ready (a server's reply, then its read), the hart
 * goes to it with no queue operation at all (sched_block_continuation).
 * NULL: none. */
static struct proc *held;
/* Sleeping processes, earliest deadline first. */
static struct list_node sleepers;
static uint64_t slice_end = UINT64_MAX;
/* What the timer is armed for (UINT64_MAX: nothing). arm_next_event only
 * ever moves it earlier: a later deadline (a slice restarted at a switch)
 * leaves the earlier one armed, and the tick that comes too early finds
 * nothing due and arms the right one (sched_timer_tick). So a switch
 * between processes of one priority writes no timer register. */
static uint64_t armed_deadline = UINT64_MAX;
/* CONFIG_TIMESLICE_MS in timer ticks, once the timer is known. */
static uint64_t slice_ticks;
static struct arch_context boot_context;


void sched_init(void)
{
#ifdef CONFIG_SCHED_PRIORITIES
	for (unsigned int i = 0; i < CONFIG_NUM_PRIORITIES; i++)
		list_init(&ready_queue[i]);
#else
	list_init(&ready_queue);
#endif /* CONFIG_SCHED_PRIORITIES */
	list_init(&sleepers);
}

#ifndef CONFIG_SCHED_PRIORITIES
/* Is a process ready (queued or held)? What the bitmap's bit of the one
 * priority would say. */
static inline bool any_ready(void)
{
	return held || !list_is_empty(&ready_queue);
}
#endif /* !CONFIG_SCHED_PRIORITIES */

static void arm_next_event(void);

static inline void unhold(void)
{
	struct proc *h = held;

	if (h) {
		held = NULL;
#ifdef CONFIG_SCHED_PRIORITIES
		list_append(&ready_queue[h->priority], &h->sched_link);
#else
		list_append(&ready_queue, &h->sched_link);
#endif /* CONFIG_SCHED_PRIORITIES */
	}
}

static inline uint64_t slice_length(void)
{
	if (!slice_ticks)
		slice_ticks = timer_hz() * CONFIG_TIMESLICE_MS / 1000;
	return slice_ticks;
}

/* The running process was alone at its priority: now it shares. (Out of
 * line: sched_make_ready, which only jumps to it, needs no frame.) */
static void __attribute__((noinline)) share_slice(void)
{
	slice_end = timer_now() + slice_length();
	arm_next_event();
}

__attribute__((optimize("omit-frame-pointer"))) void sched_make_ready(struct proc *p)
{
	if (debug_stop_on_wake(p))
		return;
	trace_ready(p);
	unhold();
	p->state = PROC_READY;
	p->block = BLOCK_NONE;
	held = p; /* (the queue's last) */
#ifdef CONFIG_SCHED_PRIORITIES
	sched_ready_bitmap |= 1ULL << p->priority;
	if (!current || current->state != PROC_RUNNING)
		return;
	if (p->priority < current->priority) {
		sched_need_resched = true;
	} else if (p->priority == current->priority && slice_end == UINT64_MAX) {
		share_slice();
	}
#else
	if (!current || current->state != PROC_RUNNING)
		return;
	if (slice_end == UINT64_MAX)
		share_slice();
#endif /* CONFIG_SCHED_PRIORITIES */
}

#ifdef CONFIG_SCHED_PRIORITIES
/* Is no process of priority prio ready (queued or held)? */
static inline bool none_ready_at(unsigned int prio)
{
	return list_is_empty(&ready_queue[prio]) && (!held || held->priority != prio);
}

/* Off whatever queue it is on (ready queue or sleep list), or no longer
 * held. */
void sched_remove(struct proc *p)
{
	if (p == held)
		held = NULL;
	else if (list_node_is_linked(&p->sched_link))
		list_remove(&p->sched_link);
	else
		return;
	if (p->state == PROC_READY && none_ready_at(p->priority))
		sched_ready_bitmap &= ~(1ULL << p->priority);
}
#else
/* Off whatever queue it is on (ready queue or sleep list), or no longer
 * held. */
void sched_remove(struct proc *p)
{
	if (p == held)
		held = NULL;
	else if (list_node_is_linked(&p->sched_link))
		list_remove(&p->sched_link);
}
#endif /* CONFIG_SCHED_PRIORITIES */

#ifdef CONFIG_SCHED_PRIORITIES
static struct proc *pick_next(void)
{
	unsigned int prio;
	struct list_node *q;
	struct proc *p = held;

	if (!sched_ready_bitmap)
		return NULL;
	prio = lowest_set_bit(sched_ready_bitmap);
	q = &ready_queue[prio];
	if (list_is_empty(q)) {
		/* the bit with an empty queue: the held one, of prio */
		held = NULL;
		sched_ready_bitmap &= ~(1ULL << prio);
		return p;
	}
	q = list_pop_front(q);
	if (list_is_empty(&ready_queue[prio]) && (!p || p->priority != prio))
		sched_ready_bitmap &= ~(1ULL << prio);
	return container_of(q, struct proc, sched_link);
}
#else
/* The queue's first, or the held one (its last) when it is alone. */
static struct proc *pick_next(void)
{
	struct proc *p = held;

	if (list_is_empty(&ready_queue)) {
		held = NULL;
		return p;
	}
	return container_of(list_pop_front(&ready_queue), struct proc, sched_link);
}
#endif /* CONFIG_SCHED_PRIORITIES */

static void wake_sleepers(uint64_t now)
{
	while (!list_is_empty(&sleepers)) {
		struct proc *p = container_of(sleepers.next, struct proc, sched_link);
		if (p->wake_at > now)
			break;
		list_remove(&p->sched_link);
		sched_make_ready(p);
	}
}

/* Arm the timer for the nearest event that needs the kernel. */
static void arm_next_event(void)
{
	uint64_t deadline = slice_end;

	if (!list_is_empty(&sleepers)) {
		struct proc *p = container_of(sleepers.next, struct proc, sched_link);
		if (p->wake_at < deadline)
			deadline = p->wake_at;
	}
	if (watchdog_next() < deadline)
		deadline = watchdog_next();
	if (deadline < armed_deadline) {
		armed_deadline = deadline;
		timer_arm(deadline);
	}
}

/* Slices matter only when another process of the same priority waits. */
static void start_slice(struct proc *p, uint64_t now)
{
#ifdef CONFIG_SCHED_PRIORITIES
	if (sched_ready_bitmap & (1ULL << p->priority))
#else
	(void)p;
	if (any_ready())
#endif /* CONFIG_SCHED_PRIORITIES */
		slice_end = now + slice_length();
	else
		slice_end = UINT64_MAX;
}

/* Nothing to run: wait for the timer (the only wake-up source until
 * devices interrupt), with interrupts still off in the kernel: wfi wakes on
 * a pending interrupt whatever SIE says (privileged spec 3.3.3). */
static __attribute__((noinline)) struct proc *idle_until_ready(void)
{
	struct proc *next;

	while (!(next = pick_next())) {
		unsigned long pending;
		uint64_t t0;

		slice_end = UINT64_MAX;
		arm_next_event();
		t0 = csr_read(instret);
		while (!((pending = csr_read(sip)) & (SIP_STIP | SIP_SEIP)))
			arch_wait_for_interrupt();
		sched_idle_instret += csr_read(instret) - t0;
		if (pending & SIP_SEIP)
			irq_dispatch();
		if (pending & SIP_STIP) {
			trace_timer_irq(armed_deadline);
			armed_deadline = UINT64_MAX;
			timer_arm(UINT64_MAX); /* clears STIP */
			wake_sleepers(timer_now());
			/* (may end a process: the current one, blocked, never
			 * comes back here) */
			watchdog_tick();
		}
	}
	return next;
}

static void switch_to(struct proc *prev, struct proc *next, struct arch_context *save)
{
	uint64_t now = timer_now();

	sched_need_resched = false;
	if (prev)
		prev->cpu_ticks += now - prev->ran_since;
	trace_running(next, now);
	next->state = PROC_RUNNING;
	next->ran_since = now;
	start_slice(next, now);
	arm_next_event();
	current = next;
	if (prev == next)
		return;
	sched_context_switches++;
	as_activate(&next->as);
	fpu_switch_to(next);
	arch_switch(save, &next->ctx);
}

void sched_continuation_return(long ret)
{
	trace_syscall_exit(current->regs->x[17], ret);
	current->regs->x[10] = (uint64_t)ret;
	if (sched_need_resched)
		sched_yield();
	arch_user_return(current->regs);
}

static void __attribute__((noreturn)) resume_in_user(void)
{
	trace_syscall_exit(current->regs->x[17], (long)current->regs->x[10]);
	arch_user_return(current->regs);
}

/* (a leaf, never in a backtrace: no frame record) */
__attribute__((optimize("omit-frame-pointer"))) void sched_resume_in_user(struct proc *p)
{
	sched_set_continuation(p, resume_in_user);
}

void sched_handoff(struct proc *next)
{
	struct proc *prev = current;

	/* Both processes of an IPC round trip share the slice like one. The
	 * timer is re-armed only when prev went to sleep with a deadline
	 * (it is on the sleep list), which may be nearer than the armed one. */
	if (list_node_is_linked(&prev->sched_link))
		arm_next_event();
	sched_handoff_inline(prev, next);
}

/* schedule(), saving prev's kernel context in *save. */
static void pick_and_switch(struct proc *prev, struct arch_context *save)
{
	struct proc *next;

	next = pick_next();

	if (!next) {
		/* Time spent idle is nobody's CPU time: charge prev up to now,
		 * and count again from when something is ready. */
		prev->cpu_ticks += timer_now() - prev->ran_since;
		trace_switch(prev, NULL);
		next = idle_until_ready();
		prev->ran_since = timer_now();
		trace_switch(NULL, next);
	} else if (next != prev) {
		trace_switch(prev, next);
	}
	switch_to(prev, next, save);
}

void schedule(void)
{
	pick_and_switch(current, &current->ctx);
}

void sched_block_continuation(void)
{
	static struct arch_context discard; /* its kernel frames: not needed */
	struct proc *prev = current, *next;
#ifdef CONFIG_SCHED_PRIORITIES
	unsigned int prio = prev->priority;
	struct list_node *q = &ready_queue[prio];
#else
	struct list_node *q = &ready_queue;
#endif /* CONFIG_SCHED_PRIORITIES */

	/* The process schedule() would pick, when it is of prev's priority and
	 * resumes straight in user mode (its system call was completed for
	 * it: sched_resume_in_user), with no switch due otherwise, gets the
	 * hart directly: the two share the slice, as on the fast path. */
#ifdef CONFIG_SCHED_PRIORITIES
	if (!sched_need_resched && (sched_ready_bitmap & ((2ULL << prio) - 1)) == 1ULL << prio) {
#else
	if (!sched_need_resched && any_ready()) {
#endif /* CONFIG_SCHED_PRIORITIES */
		/* (the bit with an empty queue: the held one is of prio) */
		next = list_is_empty(q) ? held : container_of(q->next, struct proc, sched_link);
		if (next->ctx.ra == (uintptr_t)resume_in_user) {
			if (next == held) {
				held = NULL;
#ifdef CONFIG_SCHED_PRIORITIES
				sched_ready_bitmap &= ~(1ULL << prio);
#endif /* CONFIG_SCHED_PRIORITIES */
			} else {
				sched_remove(next);
			}
#ifdef CONFIG_TRACING
			trace_switch(prev, next);
			trace_running(next, timer_now());
#endif /* CONFIG_TRACING */
			/* (prev, blocked without a deadline, is on no list:
			 * no timer to re-arm, as sched_handoff would) */
			sched_handoff_inline(prev, next);
		}
	}
	pick_and_switch(prev, &discard);
	/* prev itself was picked (woken while the hart idled): its
	 * continuation */
	arch_switch(&discard, &prev->ctx);
	__builtin_unreachable();
}

void sched_start(void)
{
	struct proc *next = pick_next();

	if (!next)
		panic("no process to start");
	timer_enable_interrupt();
	irq_enable_external();
	trace_switch(NULL, next);
	switch_to(NULL, next, &boot_context);
	panic("the boot context was resumed");
}

void sched_yield(void)
{
	sched_make_ready(current);
	schedule();
}

#ifdef CONFIG_WATCHDOG
void sched_timer_update(void)
{
	arm_next_event();
}
#endif /* CONFIG_WATCHDOG */

void sched_add_sleeper(struct proc *p, uint64_t deadline)
{
	struct list_node *pos;

	p->wake_at = deadline;
	/* Keep the list sorted; equal deadlines wake in arrival order. */
	for (pos = sleepers.next; pos != &sleepers; pos = pos->next) {
		if (container_of(pos, struct proc, sched_link)->wake_at > deadline)
			break;
	}
	list_insert_before(pos, &p->sched_link);
}

void sched_sleep_until(uint64_t deadline)
{
	current->state = PROC_BLOCKED;
	current->block = BLOCK_SLEEP;
	sched_add_sleeper(current, deadline);
	schedule();
}

bool sched_should_preempt(void)
{
	if (!current)
		return false;
#ifdef CONFIG_SCHED_PRIORITIES
	/* A ready process of higher priority, or the slice is over and one
	 * of the same priority waits. */
	uint64_t higher = (1ULL << current->priority) - 1;

	if (sched_ready_bitmap & higher)
		return true;
	return (sched_ready_bitmap & (1ULL << current->priority)) && timer_now() >= slice_end;
#else
	/* The slice is over and another process waits. */
	return any_ready() && timer_now() >= slice_end;
#endif /* CONFIG_SCHED_PRIORITIES */
}

void sched_timer_tick(void)
{
	trace_timer_irq(armed_deadline);
	armed_deadline = UINT64_MAX;
	timer_arm(UINT64_MAX); /* acknowledge: clears STIP */
	wake_sleepers(timer_now());
	watchdog_tick();
	if (sched_should_preempt()) {
		sched_need_resched = true;
		return;
	}
	/* The slice ended with nobody left to share it (the peer was killed
	 * or blocked while ready): no slice, or the timer would be re-armed
	 * for a past deadline for ever. */
	if (current && timer_now() >= slice_end)
		slice_end = UINT64_MAX;
	arm_next_event();
}
