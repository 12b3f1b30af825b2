/* SPDX-License-Identifier: Apache-2.0 */
/* Registers saved by the trap vector; offsets shared with trap.S. */
#ifndef ARCH_TRAP_FRAME_H
#define ARCH_TRAP_FRAME_H

#define TF_RA 0
#define TF_SP 8
#define TF_GP 16
#define TF_TP 24
#define TF_T0 32
#define TF_T1 40
#define TF_T2 48
#define TF_S0 56
#define TF_S1 64
#define TF_A0 72
#define TF_A1 80
#define TF_A2 88
#define TF_A3 96
#define TF_A4 104
#define TF_A5 112
#define TF_A6 120
#define TF_A7 128
#define TF_SEPC 136
#define TF_SCAUSE 144
#define TF_STVAL 152
#define TF_SSTATUS 160
#define TRAP_FRAME_SIZE 176 /* 16-byte aligned, as the psABI wants sp */

/* Entries of the system call tables (kernel/syscall.c): room for every
 * number below it, so the trap vector needs one bound check; calls are
 * added at the end of the list, and this raised with them (a build
 * assertion says so). Not much more than RV_SYS_COUNT: each unused slot
 * is 16 bytes of rodata in every kernel. A kernel without any of the
 * features whose calls are numbered 26 and up (kernel/syscall.c,
 * SYSCALL_LIST_FEATURES) has tables that end at mem_grow (25). */
#if defined(CONFIG_INFO_CALLS) || defined(CONFIG_DEVICE_CAPS) || defined(CONFIG_PROCESS_HANDLES) ||  \
	defined(CONFIG_IPC_PORTS) || defined(CONFIG_HANDLE_REVOCATION) || defined(CONFIG_TRACING) ||   \
	defined(CONFIG_RANDOM) || defined(CONFIG_WATCHDOG) || defined(CONFIG_DEBUGGER)
#define SYSCALL_TABLE_SLOTS SYSCALL_ALL_SLOTS
#else
#define SYSCALL_TABLE_SLOTS SYSCALL_CORE_SLOTS
#endif
#define SYSCALL_ALL_SLOTS 48
#define SYSCALL_CORE_SLOTS 26 /* every kernel's calls: up to mem_grow (25) */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
	uint64_t ra, sp, gp, tp, t0, t1, t2, s0, s1;
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
	uint64_t sepc, scause, stval, sstatus;
	uint64_t pad;
};

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, sepc) == TF_SEPC, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, sstatus) == TF_SSTATUS, "trap frame layout");
#endif

#endif /* ARCH_TRAP_FRAME_H */
