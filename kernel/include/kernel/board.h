/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A board's fixed description (CONFIG_DEVICE_TREE=n): what the kernel
 * would otherwise read from the device tree the firmware passes -- RAM,
 * timebase, the devices its drivers match by compatible string, the PLIC's
 * context numbering -- written down once per board
 * (boards/riscv/<board>/fixed.c). kernel/board_fixed.c turns it into the
 * boot_info the device-tree parser fills, and drivers_init() matches the
 * drivers against its devices instead of the tree's nodes.
 */
#ifndef KERNEL_BOARD_H
#define KERNEL_BOARD_H

#include <stdint.h>
#include <kernel/devicetree.h>

struct board_device {
	const char *compatible; /* as a driver's .compatible names it */
	uint64_t base;
	uint64_t size;
	uint32_t irq; /* 0: none */
};

struct board_fixed {
	const char *model;
	uint64_t ram_base;
	uint64_t ram_size; /* as board.cmake's QEMU_ARGS -m gives it */
	uint64_t timebase_hz;
	/* The PLIC's S-mode context of hart h: plic_ctx_mul * h + plic_ctx_add. */
	uint32_t plic_ctx_mul;
	uint32_t plic_ctx_add;
	const struct board_device *devices;
	unsigned int device_count;
};

extern const struct board_fixed board_fixed;

/* boot_info from the description, for the boot hart; the initrd where QEMU
 * puts it, when a cpio archive is there. */
void board_boot_info(struct boot_info *out, unsigned long hart);

#endif /* KERNEL_BOARD_H */
