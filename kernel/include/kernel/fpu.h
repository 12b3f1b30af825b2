/* SPDX-License-Identifier: Apache-2.0 */
/* User floating point (CONFIG_FPU; kernel/fpu.c). */
#ifndef KERNEL_FPU_H
#define KERNEL_FPU_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

/* fpu_switch_to (kernel/include/kernel/proc.h): the unit follows a
 * process that has used FP to every switch. */
#ifdef CONFIG_FPU
/* An illegal-instruction trap from p: if its FP unit was off, give it the
 * unit (its own registers back) and return true: the instruction runs
 * again. False: the instruction is illegal for good. */
bool fpu_claim(struct proc *p);
/* p ends: it no longer owns the unit. */
void fpu_proc_exit(struct proc *p);
#else
static inline bool fpu_claim(struct proc *p)
{
	(void)p;
	return false;
}
static inline void fpu_proc_exit(struct proc *p)
{
	(void)p;
}
#endif

#endif /* KERNEL_FPU_H */
