/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Watchdogs of processes and the wait-for graph they print when one fires
 * (CONFIG_WATCHDOG, kernel/watchdog.c, doc/debugging.md). Off, every hook
 * is an empty inline function and the system call's entry is empty.
 */
#ifndef KERNEL_WATCHDOG_H
#define KERNEL_WATCHDOG_H

#include <stdint.h>
#include <kernel/timer.h>

struct kobject;
struct proc;

#ifdef CONFIG_WATCHDOG

/* The tick of the next check; UINT64_MAX while no watchdog is armed. */
extern uint64_t watchdog_next_check;

long sys_watchdog(const uint64_t a[6]);
/* Check every watchdog at now (a timer interrupt, or the idle loop): one
 * that fired prints the wait-for graph, then ends its process or powers
 * off. May end the current process (then it does not return). */
void watchdog_check(uint64_t now);

static inline uint64_t watchdog_next(void)
{
	return watchdog_next_check;
}

/* A timer interrupt (or the idle loop's wake-up): a check, if one is due. */
static inline void watchdog_tick(void)
{
	uint64_t now = timer_now();

	if (now >= watchdog_next_check)
		watchdog_check(now);
}

/* For the graph (kernel/proc.c, kernel/channel.c, kernel/port.c). */
struct proc *proc_in_slot(unsigned int slot);
unsigned int channel_end_id(const struct kobject *end);
const struct kobject *channel_end_peer(const struct kobject *end);
/* The open channel end at which a queued message carries obj; NULL:
 * none. */
const struct kobject *channel_end_carrier(const struct kobject *obj);
unsigned int port_bound_objects(const struct kobject *port, const struct kobject **out,
				unsigned int max);
/* Re-arm the timer for the nearest event (kernel/sched.c). */
void sched_timer_update(void);

#else /* !CONFIG_WATCHDOG */

static inline uint64_t watchdog_next(void)
{
	return UINT64_MAX;
}

static inline void watchdog_tick(void)
{
}

#endif /* CONFIG_WATCHDOG */

#endif /* KERNEL_WATCHDOG_H */
