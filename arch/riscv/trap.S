/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trap vector. For now every trap comes from S-mode (there are no user
 * processes yet) and is a kernel fault: save the registers in a frame on the
 * current stack and hand it to arch_trap_handler(), which panics.
 */
#include <arch/trap_frame.h>

	.section .text
	.balign 4
	.globl arch_trap_entry
arch_trap_entry:
	addi	sp, sp, -TRAP_FRAME_SIZE
	sd	ra, TF_RA(sp)
	sd	gp, TF_GP(sp)
	sd	tp, TF_TP(sp)
	sd	t0, TF_T0(sp)
	sd	t1, TF_T1(sp)
	sd	t2, TF_T2(sp)
	sd	s0, TF_S0(sp)
	sd	s1, TF_S1(sp)
	sd	a0, TF_A0(sp)
	sd	a1, TF_A1(sp)
	sd	a2, TF_A2(sp)
	sd	a3, TF_A3(sp)
	sd	a4, TF_A4(sp)
	sd	a5, TF_A5(sp)
	sd	a6, TF_A6(sp)
	sd	a7, TF_A7(sp)
	addi	t0, sp, TRAP_FRAME_SIZE
	sd	t0, TF_SP(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	mv	a0, sp
	call	arch_trap_handler
	/* arch_trap_handler does not return for faults. */
1:	wfi
	j	1b
