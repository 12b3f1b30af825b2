/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>

/* Run system call nr with the six argument registers; the result for a0. */
long syscall_dispatch(uint64_t nr, const uint64_t args[6]);
extern uint64_t syscall_count;
/* rdinstret at _start (arch/riscv/start.S), for rv_kstats.boot_instret. */
extern uint64_t boot_instret;

const char *arch_exception_name(unsigned long cause);

#endif /* KERNEL_SYSCALL_H */
