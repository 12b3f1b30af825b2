/* SPDX-License-Identifier: Apache-2.0 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include <stdint.h>

/* What a context switch keeps: the callee-saved registers (psABI), sp, ra.
 * Everything else was saved by the caller of arch_switch(). */
struct arch_context {
	uint64_t ra, sp;
	uint64_t s[12];
};

/* The user registers, saved at the top of the process's kernel stack on
 * every trap from U-mode. x[0] is unused (zero register); x[2] is the user sp. */
struct user_regs {
	uint64_t x[32];
	uint64_t sepc;
	uint64_t sstatus;
};

#define USER_REGS_SEPC 256
#define USER_REGS_SSTATUS 264
#define USER_REGS_SIZE 272

/* A process's FP registers and fcsr (CONFIG_FPU; arch/riscv/fpu.S). */
struct arch_fpu {
	uint64_t f[32];
	uint64_t fcsr;
};
void arch_fpu_save(struct arch_fpu *s);
void arch_fpu_restore(const struct arch_fpu *s);
void arch_fpu_clear(void);

void arch_switch(struct arch_context *save, const struct arch_context *load);
/* Restore the user registers from regs and sret; regs also becomes the
 * kernel's stack top for the next trap. Never returns. */
void arch_user_return(struct user_regs *regs) __attribute__((noreturn));

#endif /* ARCH_CONTEXT_H */
