/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <rvos/errno.h>
#include <arch/csr.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/trace.h>

/* sie.SEIE: supervisor external interrupt enable (privileged spec 4.1.3). */
#define SIE_SEIE (1UL << 9)

struct irq_slot {
	irq_handler_t handler;
	void *arg;
	bool complete_later; /* irq_complete() ends it, not irq_dispatch */
};

static const struct irq_controller *controller;
static struct irq_slot irq_table[CONFIG_IRQ_MAX_SOURCES];
static uint64_t irqs_handled;

void irq_controller_register(const struct irq_controller *ctl)
{
	controller = ctl;
}

int irq_connect(uint32_t irq, irq_handler_t handler, void *arg)
{
	if (!controller)
		return -RV_ENODEV;
	if (irq == 0 || irq >= CONFIG_IRQ_MAX_SOURCES)
		return -RV_EINVAL;
	if (irq_table[irq].handler)
		return -RV_EBUSY;
	irq_table[irq].handler = handler;
	irq_table[irq].arg = arg;
	controller->enable(irq);
	return 0;
}

int irq_take_over(uint32_t irq, irq_handler_t handler, void *arg)
{
	if (!controller)
		return -RV_ENODEV;
	if (irq == 0 || irq >= CONFIG_IRQ_MAX_SOURCES)
		return -RV_EINVAL;
	irq_table[irq].handler = handler;
	irq_table[irq].arg = arg;
	irq_table[irq].complete_later = true;
	controller->enable(irq);
	return 0;
}

void irq_complete(uint32_t irq)
{
	controller->complete(irq);
}

void irq_dispatch(void)
{
	uint32_t irq;

	if (!controller)
		return;
	while ((irq = controller->claim()) != 0) {
		trace_external_irq(irq);
		if (irq < CONFIG_IRQ_MAX_SOURCES && irq_table[irq].handler)
			irq_table[irq].handler(irq_table[irq].arg);
		else
			printk("irq: interrupt %u has no handler\n", irq);
		irqs_handled++;
		if (irq >= CONFIG_IRQ_MAX_SOURCES || !irq_table[irq].complete_later)
			controller->complete(irq);
	}
}

void irq_enable_external(void)
{
	if (controller)
		csr_set(sie, SIE_SEIE);
}

uint64_t irq_count(void)
{
	return irqs_handled;
}
