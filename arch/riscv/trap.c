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
#include <kernel/trace.h>
#include <kernel/util.h>

#ifdef CONFIG_KERNEL_VERBOSE_MESSAGES
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
#else
/* Brief messages: the cause's number goes with it (scause). */
const char *arch_exception_name(unsigned long cause)
{
	return cause & SCAUSE_INTERRUPT ? "interrupt" : "exception";
}
#endif /* CONFIG_KERNEL_VERBOSE_MESSAGES */

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
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15 /* stores and AMOs */

/* The stack reserve's size for a message: "8 MiB", "96 KiB". */
#define STACK_MAX_IN_MIB (CONFIG_USER_STACK_MAX % (1 << 20) == 0)
#define STACK_MAX_SHOWN                                                                           \
	((unsigned long)CONFIG_USER_STACK_MAX >> (STACK_MAX_IN_MIB ? 20 : 10))
#define STACK_MAX_UNIT (STACK_MAX_IN_MIB ? "MiB" : "KiB")

/* The one console line of a fault that ends the process. */
static void report_fault(const struct proc *p, const struct user_regs *regs, unsigned long cause,
			 uintptr_t addr, enum stack_fault sf)
{
	const char *what = arch_exception_name(cause);
	unsigned long pc = regs->sepc, sp = regs->x[2];

	if (!IS_ENABLED(CONFIG_KERNEL_VERBOSE_MESSAGES)) {
		/* scause, and the stack's verdict (enum stack_fault) */
		printk("rvOS: fault: pid %d (%s): scause %lu stack %d, pc 0x%lx, address 0x%lx\n",
		       p->pid, p->name, cause, (int)sf, pc, (unsigned long)addr);
		return;
	}
	if (sf == STACK_FAULT_OVERFLOW)
		printk("rvOS: fault: pid %d (%s): stack overflow (%lu %s reserve, sp 0x%lx): "
		       "%s, pc 0x%lx, address 0x%lx\n",
		       p->pid, p->name, STACK_MAX_SHOWN, STACK_MAX_UNIT, sp, what, pc,
		       (unsigned long)addr);
	else if (sf == STACK_FAULT_NO_MEMORY)
		printk("rvOS: fault: pid %d (%s): out of memory: no free frame to grow the stack "
		       "past %lu KiB (%lu %s reserve, sp 0x%lx): %s, pc 0x%lx, address 0x%lx\n",
		       p->pid, p->name,
		       (unsigned long)(as_stack_top(&p->as) - p->as.stack_bottom) >> 10,
		       STACK_MAX_SHOWN, STACK_MAX_UNIT, sp, what, pc, (unsigned long)addr);
	else if (sf == STACK_FAULT_QUOTA)
		printk("rvOS: fault: pid %d (%s): over its page quota (%lu pages): cannot grow the "
		       "stack past %lu KiB (%lu %s reserve, sp 0x%lx): %s, pc 0x%lx, address 0x%lx\n",
		       p->pid, p->name, (unsigned long)p->as.max_pages,
		       (unsigned long)(as_stack_top(&p->as) - p->as.stack_bottom) >> 10,
		       STACK_MAX_SHOWN, STACK_MAX_UNIT, sp, what, pc, (unsigned long)addr);
	else
		printk("rvOS: fault: pid %d (%s): %s, pc 0x%lx, address 0x%lx\n", p->pid, p->name,
		       what, pc, (unsigned long)addr);
}

/* A fault ends the process, unless it was a load or store (never an
 * instruction fetch: code does not run from the stack) touching the
 * stack reserve below the stack's mapped part: the stack grows and the
 * access runs again. Out of line: user_trap's frame, which every system
 * call pays for, stays as small as it was. */
static __attribute__((noinline, cold)) void user_fault(struct user_regs *regs, unsigned long cause)
{
	struct rv_exit_info how = {
		.reason = RV_EXIT_FAULT,
		.code = (int32_t)cause,
		.fault_pc = regs->sepc,
		.fault_addr = csr_read(stval),
	};
	enum stack_fault sf = STACK_FAULT_NONE;

	if (cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT)
		sf = as_stack_fault(&current->as, how.fault_addr);
	if (sf == STACK_FAULT_GREW)
		return;
	if (debug_catch_fault(cause, how.fault_addr))
		return; /* stopped for its debugger, and resumed */
	report_fault(current, regs, cause, how.fault_addr, sf);
	trace_fault(current, cause, how.fault_pc, how.fault_addr);
	proc_exit(current, &how);
}

/* A system call that is not light (arch/riscv/trap.S): the vector has
 * stepped sepc past the ecall. */
void user_syscall(struct user_regs *regs)
{
	regs->x[10] = (uint64_t)syscall_dispatch(regs->x[17], &regs->x[10]);
	if (sched_need_resched)
		sched_yield();
	arch_user_return(current->regs);
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
	debug_user_return(current, DEBUG_SUSPEND_PENDING(current));
	if (sched_need_resched)
		sched_yield();
	arch_user_return(current->regs);
}
