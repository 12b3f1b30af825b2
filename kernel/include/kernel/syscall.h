/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Arguments narrower than their register (doc/syscalls.md, "Arguments"):
 * an unsigned 32-bit one (flags, rights, signals, an index) must have its
 * upper 32 bits clear, an int (a pid, an exit code) must be a 32-bit value
 * sign-extended. Anything else is -EINVAL, never cut to its low bits.
 * Handles: handle_arg (kernel/handle.h).
 */
static inline bool arg_is_u32(uint64_t a)
{
	return !(a >> 32);
}

static inline bool arg_is_int(uint64_t a)
{
	return (int64_t)a == (int32_t)a;
}

/* Run system call nr with the six argument registers; the result for a0. */
long syscall_dispatch(uint64_t nr, const uint64_t args[6]);
extern uint64_t syscall_count;
/* rdinstret at _start (arch/riscv/start.S), for rv_kstats.boot_instret. */
extern uint64_t boot_instret;

const char *arch_exception_name(unsigned long cause);

#endif /* KERNEL_SYSCALL_H */
