/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU sifive_u's fixed description (CONFIG_DEVICE_TREE=n, kernel/board.h):
 * what its device tree says with board.cmake's QEMU_ARGS (-m 256M -smp 2).
 * Another -m needs another ram_size here.
 */
#include <kernel/board.h>

static const struct board_device devices[] = {
	{"sifive,uart0", 0x10010000, 0x1000, 4},
	{"riscv,plic0", 0x0c000000, 0x4000000, 0},
};

const struct board_fixed board_fixed = {
	.model = "SiFive HiFive Unleashed A00",
	.ram_base = 0x80000000,
	.ram_size = 256ul << 20,
	.timebase_hz = 1000000,
	/* context 0: the monitor core's M mode; then <M, S> per U54 hart:
	 * hart h's S-mode one is 2h */
	.plic_ctx_mul = 2,
	.plic_ctx_add = 0,
	.devices = devices,
	.device_count = sizeof(devices) / sizeof(devices[0]),
};
