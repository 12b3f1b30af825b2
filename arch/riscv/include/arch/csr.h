/* SPDX-License-Identifier: Apache-2.0 */
/* RISC-V supervisor CSRs and their bits (privileged spec v1.12, chapter 4). */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#include <stdint.h>

#define SSTATUS_SIE (1UL << 1)   /* S-mode interrupts enabled */
#define SSTATUS_SPIE (1UL << 5)  /* SIE before the trap */
#define SSTATUS_SPP (1UL << 8)   /* previous mode was S */
#define SSTATUS_SUM (1UL << 18)  /* S-mode may touch U pages */
#define SSTATUS_FS (3UL << 13)   /* FP unit state: 0 Off (FP instructions trap) */
#define SSTATUS_FS_CLEAN (2UL << 13)

#define SCAUSE_INTERRUPT (1UL << 63)

#define SCOUNTEREN_CY (1UL << 0) /* U-mode may read cycle */
#define SCOUNTEREN_TM (1UL << 1) /* ... time */
#define SCOUNTEREN_IR (1UL << 2) /* ... instret */

#define csr_read(csr)                                                                              \
	({                                                                                         \
		unsigned long __v;                                                                 \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v));                                    \
		__v;                                                                               \
	})

#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"(val))
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"rK"(bits))
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"rK"(bits))

static inline uintptr_t arch_frame_pointer(void)
{
	uintptr_t fp;
	__asm__ volatile("mv %0, s0" : "=r"(fp));
	return fp;
}

static inline void arch_wait_for_interrupt(void)
{
	__asm__ volatile("wfi");
}

#endif /* ARCH_CSR_H */
