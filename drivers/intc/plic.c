/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RISC-V PLIC (PLIC spec v1.0.0). The kernel uses the S-mode context of its
 * boot hart, found from the device tree: "interrupts-extended" lists, per
 * context, a hart's interrupt controller and the interrupt it raises there
 * (9 = supervisor external). Every source starts masked; irq_connect()
 * enables one and gives it priority 1 over a threshold of 0.
 */
#include <rvos/errno.h>
#include <kernel/board.h>
#include <kernel/driver.h>
#include <kernel/irq.h>
#include <kernel/mmio.h>
#include <kernel/printk.h>
#include <kernel/util.h>

#define PLIC_PRIORITY_BASE 0x0
#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT_BASE 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_CONTEXT_THRESHOLD 0x0
#define PLIC_CONTEXT_CLAIM 0x4
#define IRQ_S_EXTERNAL 9

extern unsigned long boot_hart_id;

static uintptr_t plic_base;
static uint32_t plic_context;

static void plic_enable(uint32_t irq)
{
	uintptr_t en = plic_base + PLIC_ENABLE_BASE + plic_context * PLIC_ENABLE_STRIDE +
		       (irq / 32) * 4;

	mmio_write32(plic_base + PLIC_PRIORITY_BASE + irq * 4, 1);
	mmio_write32(en, mmio_read32(en) | (1u << (irq % 32)));
}

static uint32_t plic_claim(void)
{
	return mmio_read32(plic_base + PLIC_CONTEXT_BASE + plic_context * PLIC_CONTEXT_STRIDE +
			   PLIC_CONTEXT_CLAIM);
}

static void plic_complete(uint32_t irq)
{
	mmio_write32(plic_base + PLIC_CONTEXT_BASE + plic_context * PLIC_CONTEXT_STRIDE +
		     PLIC_CONTEXT_CLAIM, irq);
}

static const struct irq_controller plic_ops = {
	.name = "plic", .enable = plic_enable, .claim = plic_claim, .complete = plic_complete,
};

/* The node whose "phandle" is ph, or negative. */
static int node_by_phandle(const struct fdt *fdt, uint32_t ph)
{
	int depth = 0;

	for (int node = fdt_next_node(fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		uint32_t len;
		const void *p = fdt_getprop(fdt, node, "phandle", &len);
		if (p && len == 4 && fdt_read_cells(p, 1) == ph)
			return node;
	}
	return -RV_ENOENT;
}

/* Index of the boot hart's S-mode context in interrupts-extended. */
static int find_context(const struct fdt *fdt, int plic_node)
{
	uint32_t len;
	const uint8_t *ie = fdt_getprop(fdt, plic_node, "interrupts-extended", &len);

	if (!ie)
		return -RV_ENOENT;
	/* Pairs of <phandle irq>: the cpu-intc nodes have #interrupt-cells = 1. */
	for (uint32_t i = 0; i + 8 <= len; i += 8) {
		int intc = node_by_phandle(fdt, (uint32_t)fdt_read_cells(ie + i, 1));
		int cpu = intc >= 0 ? fdt_parent(fdt, intc) : -1;
		uint64_t hart, size;
		if (cpu < 0 || fdt_read_cells(ie + i + 4, 1) != IRQ_S_EXTERNAL)
			continue;
		const void *reg = fdt_getprop(fdt, cpu, "reg", &len);
		(void)size;
		if (!reg || len < 4)
			continue;
		hart = fdt_read_cells(reg, 1);
		if (hart == boot_hart_id)
			return (int)(i / 8);
	}
	return -RV_ENOENT;
}

static int plic_probe(const struct fdt *fdt, const struct boot_info *boot,
		      const struct device *dev)
{
	int ctx;

	if (!dev->base)
		return -RV_EINVAL;
	if (IS_ENABLED(CONFIG_DEVICE_TREE))
		ctx = find_context(fdt, dev->node);
	else
		ctx = (int)(board_fixed.plic_ctx_mul * boot_hart_id + board_fixed.plic_ctx_add);
	if (ctx < 0) {
		printk(KMSG("boot error: CONFIG_PLIC: no S-mode context for hart %lu in the PLIC's "
			    "interrupts-extended\n",
			    "boot error: no PLIC context, hart %lu\n"), boot_hart_id);
		return ctx;
	}
	plic_base = dev->base;
	plic_context = (uint32_t)ctx;
	mmio_write32(plic_base + PLIC_CONTEXT_BASE + plic_context * PLIC_CONTEXT_STRIDE +
		     PLIC_CONTEXT_THRESHOLD, 0);
	irq_controller_register(&plic_ops);
	return 0;
}

DRIVER_DEFINE(DRIVER_LEVEL_IRQ, plic, .name = "plic", .kconfig = "CONFIG_PLIC",
	      .compatible = "riscv,plic0", .probe = plic_probe);
