/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

/* A broken kernel invariant: print "PANIC: <message>" and a backtrace with
 * function names, then power off with POWEROFF_STATUS_PANIC. Never for user
 * mistakes: those return an error or end the process. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The same, for a fault: the backtrace starts at pc and walks from fp;
 * ra is the faulting context's return address (for a fault in a leaf). */
void panic_at(uintptr_t fp, uintptr_t pc, uintptr_t ra, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

/* Print the backtrace of the frame chain that starts at fp. */
void backtrace_print(uintptr_t fp);

/* Function containing addr and the offset into it; NULL when unknown. */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset);

#endif /* KERNEL_PANIC_H */
