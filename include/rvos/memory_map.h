/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Virtual memory layout (Sv39), shared by the kernel, the user linker script
 * and the tools. See doc/memory-map.md.
 *
 *   0x00_0000_0000 .. 0x0f_ffff_ffff  kernel: identity map of MMIO and RAM
 *                                     (global, no U bit), in every address space
 *   0x10_0000_0000 .. 0x3f_ffff_ffff  user space (192 GiB), per process:
 *     0x10_0000_0000 ..                 the program (ELF segments)
 *     0x18_0000_0000 ..                 the heap (mem_grow), growing up
 *     0x20_0000_0000 ..                 shared-memory mappings
 *     0x30_0000_0000 ..                 device registers (device_map)
 *     .. 0x3f_ffff_f000                 the stack reserve (CONFIG_USER_STACK_MAX),
 *                                       growing down, a guard below it
 *   With CONFIG_ASLR each of the last four starts a random number of pages
 *   into its region (heap and shared memory and devices up, the stack
 *   down), never past the region's end (kernel/aslr.c); the addresses
 *   below are then the lowest (the stack's: the highest) they can be.
 *   0xffff_ffff_c000_0000 ..          kernel stacks, one per process slot,
 *                                     each below an unmapped guard page
 */
#ifndef RVOS_MEMORY_MAP_H
#define RVOS_MEMORY_MAP_H

/* Physical memory must end below USER_BASE: the kernel maps it 1:1 there. */
#define RV_USER_BASE 0x1000000000UL
/* Sv39 lower half ends at 2^38 (privileged spec 4.4: bits 63..39 copy bit 38). */
#define RV_USER_TOP 0x4000000000UL
/* Programs are linked here (the first 64 KiB stay unmapped). */
#define RV_USER_TEXT_BASE (RV_USER_BASE + 0x10000UL)
/* The heap: mem_grow maps zeroed pages from here upward. Programs must lie
 * below. */
#define RV_HEAP_BASE 0x1800000000UL
/* Shared-memory mappings (DMA regions too): slot i of a process's mapping
 * table at RV_SHM_BASE + i * max(CONFIG_SHM_MAX_BYTES, CONFIG_DMA_MAX_BYTES)
 * (rounded to pages). */
#define RV_SHM_BASE 0x2000000000UL
/* Device registers: exported device i at RV_DEVICE_BASE + i *
 * RV_DEVICE_SLOT_SIZE (a device's registers span at most one slot). */
#define RV_DEVICE_BASE 0x3000000000UL
#define RV_DEVICE_SLOT_SIZE 0x1000000UL
/* The device slots' region ends here; above it the stack's, whose guard
 * never reaches below it (kernel/aslr.c, kernel/device.c). */
#define RV_DEVICE_END 0x3800000000UL
/* The user stack ends here (the last page of user space is never mapped);
 * with CONFIG_ASLR a random number of pages lower (as_stack_top()). The
 * reserve and guard below are those of a stack at RV_USER_STACK_TOP. */
#define RV_USER_STACK_TOP (RV_USER_TOP - 0x1000UL)
#ifdef CONFIG_USER_STACK_MAX
/* The stack reserve: [RV_USER_STACK_RESERVE_BASE, RV_USER_STACK_TOP), its
 * top CONFIG_USER_STACK_SIZE bytes mapped at spawn, the rest on first
 * touch; below it the guard, never mapped. */
#define RV_USER_STACK_RESERVE_BASE (RV_USER_STACK_TOP - (unsigned long)CONFIG_USER_STACK_MAX)
#define RV_USER_STACK_GUARD_BASE                                                                  \
	(RV_USER_STACK_RESERVE_BASE - (unsigned long)CONFIG_USER_STACK_GUARD_SIZE)
#endif

#endif /* RVOS_MEMORY_MAP_H */
