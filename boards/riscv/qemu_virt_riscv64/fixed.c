/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU virt's fixed description (CONFIG_DEVICE_TREE=n, kernel/board.h):
 * what its device tree says with board.cmake's QEMU_ARGS (-m 128M -smp 1).
 * Another -m needs another ram_size here.
 */
#include <kernel/board.h>

static const struct board_device devices[] = {
	{"ns16550a", 0x10000000, 0x100, 10},
	{"riscv,plic0", 0x0c000000, 0x600000, 0},
	{"sifive,test0", 0x100000, 0x1000, 0},
#ifdef CONFIG_RTC_GOLDFISH
	{"google,goldfish-rtc", 0x101000, 0x1000, 11},
#endif
#ifdef CONFIG_VIRTIO_MMIO
	/* the eight virtio-mmio slots, from the top as the tree lists them */
	{"virtio,mmio", 0x10008000, 0x1000, 8},
	{"virtio,mmio", 0x10007000, 0x1000, 7},
	{"virtio,mmio", 0x10006000, 0x1000, 6},
	{"virtio,mmio", 0x10005000, 0x1000, 5},
	{"virtio,mmio", 0x10004000, 0x1000, 4},
	{"virtio,mmio", 0x10003000, 0x1000, 3},
	{"virtio,mmio", 0x10002000, 0x1000, 2},
	{"virtio,mmio", 0x10001000, 0x1000, 1},
#endif
	/* (a driver that is off matches nothing: its devices are left out) */
};

const struct board_fixed board_fixed = {
	.model = "riscv-virtio,qemu",
	.ram_base = 0x80000000,
	.ram_size = 128ul << 20,
	.timebase_hz = 10000000,
	/* contexts <M, S> per hart: hart h's S-mode one is 2h + 1 */
	.plic_ctx_mul = 2,
	.plic_ctx_add = 1,
	.devices = devices,
	.device_count = sizeof(devices) / sizeof(devices[0]),
};
