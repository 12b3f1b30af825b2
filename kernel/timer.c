/* SPDX-License-Identifier: Apache-2.0 */
#include <arch/csr.h>
#include <kernel/panic.h>
#include <kernel/timer.h>

/* sie.STIE: supervisor timer interrupt enable (privileged spec 4.1.3). */
#define SIE_STIE (1UL << 5)

static const struct timer_ops *timer;

void timer_register(const struct timer_ops *ops)
{
	timer = ops;
}

uint64_t timer_hz(void)
{
	return timer ? timer->hz : 0;
}

uint64_t timer_ns_to_ticks(uint64_t ns)
{
	uint64_t hz = timer_hz();

	/* Split to avoid overflow: ns up to ~584 years stays exact enough. */
	return (ns / 1000000000ULL) * hz + (ns % 1000000000ULL) * hz / 1000000000ULL;
}

uint64_t timer_ticks_to_ns(uint64_t ticks)
{
	uint64_t hz = timer_hz();

	return (ticks / hz) * 1000000000ULL + (ticks % hz) * 1000000000ULL / hz;
}

void timer_arm(uint64_t deadline)
{
	if (!timer)
		panic("no timer driver: the board must select one (e.g. CONFIG_SBI_TIMER)");
	timer->arm(deadline);
}

void timer_enable_interrupt(void)
{
	csr_set(sie, SIE_STIE);
}
