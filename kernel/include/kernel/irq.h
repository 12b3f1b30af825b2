/* SPDX-License-Identifier: Apache-2.0 */
/*
 * External interrupts. The board's interrupt controller driver (the PLIC)
 * registers itself; device drivers connect a handler to their interrupt
 * number (from the device tree's "interrupts"). Handlers run in the kernel
 * with interrupts off, on the kernel stack of whichever process was
 * interrupted (or in the idle loop), and must not block.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdint.h>

typedef void (*irq_handler_t)(void *arg);

struct irq_controller {
	const char *name;
	void (*enable)(uint32_t irq);
	uint32_t (*claim)(void);           /* 0: nothing pending */
	void (*complete)(uint32_t irq);
};

void irq_controller_register(const struct irq_controller *ctl);
/* -EINVAL irq 0 or >= CONFIG_IRQ_MAX_SOURCES, -EBUSY taken, -ENODEV no controller. */
int irq_connect(uint32_t irq, irq_handler_t handler, void *arg);
/* Give the interrupt to a new handler (a device handed to user space),
 * which takes it over from any driver's; the interrupt stays masked at the
 * controller after the handler runs, until irq_complete(irq). */
int irq_take_over(uint32_t irq, irq_handler_t handler, void *arg);
void irq_complete(uint32_t irq);
#ifdef CONFIG_PLIC
/* Claim and handle every pending interrupt. */
void irq_dispatch(void);
/* Turn external interrupts on for this hart (sie.SEIE). */
void irq_enable_external(void);
uint64_t irq_count(void);
#else
/* No interrupt controller (CONFIG_PLIC=n; kernel/irq.c is left out): no
 * external interrupt is ever enabled, none is ever pending. Nothing may
 * connect one (CONFIG_CONSOLE_INPUT and CONFIG_DEVICE_CAPS need the PLIC). */
static inline void irq_dispatch(void)
{
}
static inline void irq_enable_external(void)
{
}
static inline uint64_t irq_count(void)
{
	return 0;
}
#endif /* CONFIG_PLIC */

#endif /* KERNEL_IRQ_H */
