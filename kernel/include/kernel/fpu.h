/* SPDX-License-Identifier: Apache-2.0 */
/* User floating point (CONFIG_FPU; kernel/fpu.c). */
#ifndef KERNEL_FPU_H
#define KERNEL_FPU_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

#ifdef CONFIG_FPU
#include <kernel/proc.h>

extern struct proc *fpu_owner;
/* Give p the unit now: the owner's registers saved, p's restored (or
 * cleared: its first use). */
void fpu_give(struct proc *p);
/* next is about to run: a process that has used FP gets the unit back
 * before it needs it. */
static inline void fpu_switch_to(struct proc *next)
{
	if (next->fpu_used && fpu_owner != next)
		fpu_give(next);
}
/* An illegal-instruction trap from p: if its FP unit was off, give it the
 * unit (its own registers back) and return true: the instruction runs
 * again. False: the instruction is illegal for good. */
bool fpu_claim(struct proc *p);
/* p ends: it no longer owns the unit. */
void fpu_proc_exit(struct proc *p);
#else
static inline void fpu_switch_to(struct proc *next)
{
	(void)next;
}
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
