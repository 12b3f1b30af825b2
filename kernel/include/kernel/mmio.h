/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_MMIO_H
#define KERNEL_MMIO_H

#include <stdint.h>

/* Device register access. The fences order MMIO against memory accesses to
 * normal RAM (RISC-V unprivileged spec, "Memory Ordering": device I/O is
 * ordered by fence with the I/O bits). */
static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t v = *(volatile uint8_t *)addr;
	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	__asm__ volatile("fence w,o" ::: "memory");
	*(volatile uint8_t *)addr = v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v = *(volatile uint32_t *)addr;
	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("fence w,o" ::: "memory");
	*(volatile uint32_t *)addr = v;
}

#endif /* KERNEL_MMIO_H */
