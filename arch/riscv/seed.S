/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One read of the Zkr seed CSR (0x015; RISC-V scalar cryptography spec,
 * "Entropy Source"). S-mode may read it only when the machine-mode
 * firmware set mseccfg.SSEED; otherwise the read is an illegal
 * instruction. So for that one instruction stvec points at a handler of
 * its own, which skips it and reports the trap. Boot only: one hart, and
 * sstatus.SIE off (no interrupt can arrive through this stvec).
 */
	.section .text
	.balign 4

/* long arch_seed_csr_read(void): the CSR's value (bits 31:30 OPST, 15:0
 * entropy), or -1 when reading it trapped. The spec asks for a read-write
 * instruction (csrrw with x0 as source: the write is ignored). */
	.globl arch_seed_csr_read
arch_seed_csr_read:
	csrr	t0, stvec
	la	t1, seed_trap
	csrw	stvec, t1		/* direct mode: seed_trap is 4-aligned */
	li	a0, -1
	csrrw	a0, 0x015, zero		/* traps without writing a0, or reads */
seed_done:
	csrw	stvec, t0
	ret

	.balign 4
seed_trap:
	/* The only instruction that can trap here is the csrrw: resume after
	 * it with a0 = -1. sret puts SIE back to SPIE (off, as at the read)
	 * and the mode back to S (SPP). */
	la	t1, seed_done
	csrw	sepc, t1
	sret
