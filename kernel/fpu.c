/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User floating point (CONFIG_FPU), lazily: a process runs with its FP unit
 * off (sstatus.FS = Off in its saved sstatus) until its first FP
 * instruction, which traps as illegal; fpu_claim then gives it the unit --
 * the owner's registers saved into the owner (whose unit goes off), the
 * claimer's own restored, or cleared on its first use -- and the
 * instruction runs again. A process that has used FP gets the unit back
 * when it is switched to (fpu_switch_to), without that trap: the trap
 * costs more than the save and restore. So a process never sees another's
 * FP registers or fcsr, processes that never use FP cost one test per
 * switch, and one that uses it alone keeps the registers across switches
 * with no save at all.
 * Without CONFIG_FPU every process runs with the unit off and an FP
 * instruction ends it (illegal instruction).
 */
#include <arch/csr.h>
#include <kernel/fpu.h>
#include <kernel/proc.h>

struct proc *fpu_owner; /* whose state the FP registers hold, or NULL */

void fpu_give(struct proc *p)
{
	/* The kernel touches FP registers only here, with FS on. */
	csr_set(sstatus, SSTATUS_FS);
	if (fpu_owner) {
		arch_fpu_save(&fpu_owner->fpu);
		fpu_owner->fpu_valid = true;
		fpu_owner->regs->sstatus &= ~SSTATUS_FS;
	}
	if (p->fpu_valid)
		arch_fpu_restore(&p->fpu);
	else
		arch_fpu_clear();
	fpu_owner = p;
	p->fpu_used = true;
	p->regs->sstatus = (p->regs->sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
}

bool fpu_claim(struct proc *p)
{
	if (p->regs->sstatus & SSTATUS_FS)
		return false; /* its unit was on: a truly illegal instruction */
	if (fpu_owner != p)
		fpu_give(p);
	else
		p->regs->sstatus |= SSTATUS_FS_CLEAN;
	return true;
}

void fpu_proc_exit(struct proc *p)
{
	/* Its registers stay in the unit; the next owner restores or clears
	 * its own over them. */
	if (fpu_owner == p)
		fpu_owner = NULL;
	p->fpu_valid = false;
	p->fpu_used = false;
}
