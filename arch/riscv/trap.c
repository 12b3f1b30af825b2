/* SPDX-License-Identifier: Apache-2.0 */
#include <arch/csr.h>
#include <arch/trap_frame.h>
#include <arch/context.h>
#include <kernel/fpu.h>
#include <kernel/irq.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>

/* Names of the exception causes (privileged spec v1.12, table 4.2). */
static const char *const exception_names[] = {
	"instruction address misaligned", "instruction access fault", "illegal instruction",
	"breakpoint", "load address misaligned", "load access fault",
	"store address misaligned", "store access fault", "environment call from U-mode",
	"environment call from S-mode", "reserved", "reserved", "instruction page fault",
	"load page fault", "reserved", "store page fault",
};

const char *arch_exception_name(unsigned long cause)
{
	if (cause & SCAUSE_INTERRUPT)
		return "interrupt";
	if (cause < sizeof(exception_names) / sizeof(exception_names[0]))
		return exception_names[cause];
	return "unknown exception";
}

void arch_kernel_trap(struct trap_frame *tf)
{
	panic_at(tf->s0, tf->sepc, tf->ra, "kernel fault: %s (scause %lx) at pc %lx, address %lx",
		 arch_exception_name(tf->scause), tf->scause, tf->sepc, tf->stval);
}

/* Interrupt causes (scause with the interrupt bit, privileged spec 4.1.9). */
#define IRQ_S_TIMER 5
#define IRQ_S_EXTERNAL 9
#define EXC_ECALL_U 8
#define EXC_ILLEGAL_INSTRUCTION 2

static void user_fault(struct user_regs *regs, unsigned long cause)
{
	struct rv_exit_info how = {
		.reason = RV_EXIT_FAULT,
		.code = (int32_t)cause,
		.fault_pc = regs->sepc,
		.fault_addr = csr_read(stval),
	};

	printk("rvOS: fault: pid %d (%s): %s, pc 0x%lx, address 0x%lx\n", current->pid,
	       current->name, arch_exception_name(cause), (unsigned long)how.fault_pc,
	       (unsigned long)how.fault_addr);
	proc_exit(current, &how);
}

void user_trap(struct user_regs *regs)
{
	unsigned long cause = csr_read(scause);

	if (cause & SCAUSE_INTERRUPT) {
		cause &= ~SCAUSE_INTERRUPT;
		if (cause == IRQ_S_TIMER)
			sched_timer_tick();
		else if (cause == IRQ_S_EXTERNAL)
			irq_dispatch();
		else
			panic("unexpected interrupt %lu from U-mode", cause);
	} else if (cause == EXC_ECALL_U) {
		regs->sepc += 4; /* past the ecall */
		regs->x[10] = (uint64_t)syscall_dispatch(regs->x[17], &regs->x[10]);
	} else if (!(cause == EXC_ILLEGAL_INSTRUCTION && fpu_claim(current))) {
		/* (an FP instruction with the unit off, CONFIG_FPU: it runs
		 * again with the process's own FP registers) */
		user_fault(regs, cause);
	}
	if (sched_need_resched)
		sched_yield();
	arch_user_return(current->regs);
}
