/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdint.h>
#include <rvos/ipc.h>

/* Timer ticks run at the device tree's timebase-frequency. */
static inline uint64_t timer_now(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}
uint64_t timer_hz(void);
uint64_t timer_ns_to_ticks(uint64_t ns);
uint64_t timer_ticks_to_ns(uint64_t ticks);
/* A system call's deadline (absolute ns of the monotonic clock, or
 * RV_DEADLINE_NEVER) in ticks; UINT64_MAX: never. Inline: every blocking
 * IPC call converts one. */
static inline uint64_t timer_deadline_ticks(uint64_t ns)
{
	return ns == RV_DEADLINE_NEVER ? UINT64_MAX : timer_ns_to_ticks(ns);
}
/* Interrupt at `deadline` (ticks); UINT64_MAX: none. */
void timer_arm(uint64_t deadline);
void timer_enable_interrupt(void);

/* Registered by the timer driver. */
struct timer_ops {
	void (*arm)(uint64_t deadline);
	uint64_t hz;
	const char *name;
};
void timer_register(const struct timer_ops *ops);

#endif /* KERNEL_TIMER_H */
