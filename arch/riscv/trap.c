/* SPDX-License-Identifier: Apache-2.0 */
#include <arch/csr.h>
#include <arch/trap_frame.h>
#include <kernel/panic.h>

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

void arch_trap_handler(struct trap_frame *tf)
{
	panic_at(tf->s0, tf->sepc, "kernel fault: %s (scause %lx) at pc %lx, address %lx",
		 arch_exception_name(tf->scause), tf->scause, tf->sepc, tf->stval);
}
