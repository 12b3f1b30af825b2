/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drivers are compiled in when the board selects their Kconfig symbol and
 * find their device in the device tree at boot. A compiled driver whose
 * device is missing stops the boot with an error that names the driver, the
 * symbol and the compatible string: the kernel was built for another board.
 */
#ifndef KERNEL_DRIVER_H
#define KERNEL_DRIVER_H

#include <stdint.h>
#include <kernel/fdt.h>
#include <kernel/devicetree.h>

struct device {
	int node;          /* device-tree node offset, -1 for drivers without one */
	uint64_t base;     /* first "reg" range */
	uint64_t size;
	uint32_t irq;      /* first "interrupts" cell, 0 if none */
};

struct driver {
	const char *name;       /* short name, e.g. "ns16550" */
	const char *kconfig;    /* symbol that compiled it in, for messages */
	const char *compatible; /* device-tree compatible; NULL: no device node */
	/* Probe every matching node rather than the first only. */
	int multi;
	/* 0 or a negative error (the boot stops on an error). */
	int (*probe)(const struct fdt *fdt, const struct boot_info *boot, const struct device *dev);
};

/* Init levels: console and power first so later errors can be reported. */
#define DRIVER_LEVEL_EARLY 0
#define DRIVER_LEVEL_IRQ 1
#define DRIVER_LEVEL_DEVICE 2

/* The indirection expands `level` to its number before it is pasted into
 * the section name, so the linker's SORT() orders drivers by level. */
#define DRIVER_DEFINE(level, id, ...) DRIVER_DEFINE_(level, id, __VA_ARGS__)
#define DRIVER_DEFINE_(level, id, ...)                                                             \
	static const struct driver __driver_##id __attribute__((used, aligned(8),                  \
								section(".drivers." #level "." #id))) = { \
		__VA_ARGS__}

/* Probe every compiled-in driver, in level order. 0, or a negative error
 * after printing which driver failed and why. */
int drivers_init(const struct fdt *fdt, const struct boot_info *boot);

#endif /* KERNEL_DRIVER_H */
