/* SPDX-License-Identifier: Apache-2.0 */
/* The faulting instructions of the crash program, each at the first byte of
 * its function, so the parent knows the pc wait() must report. */
	.section .text.crash, "ax"
	.option norvc

	.globl crash_illegal
crash_illegal:			/* csrrw zero, cycle, zero: the canonical unimp */
	.4byte 0xc0001073
	ret

	.globl crash_csr
crash_csr:			/* S-mode CSR from U-mode */
	csrr	a0, sstatus
	ret

	.globl crash_sret
crash_sret:
	sret
	ret

	.globl crash_ebreak
crash_ebreak:
	ebreak
	ret

	.globl crash_load		/* crash_load(addr) */
crash_load:
	ld	a0, 0(a0)
	ret

	.globl crash_store		/* crash_store(addr) */
crash_store:
	sd	zero, 0(a0)
	ret

	.globl crash_amoadd		/* crash_amoadd(addr) */
crash_amoadd:
	li	a1, 1
	amoadd.w a0, a1, (a0)
	ret

	.globl crash_jump		/* crash_jump(addr) */
crash_jump:
	jr	a0

	/* System calls and a fault with sp = 0: the kernel must not use the
	 * user's stack. getpid, then exit(21) if it returned a pid > 0. */
	.globl crash_bad_sp_syscall
crash_bad_sp_syscall:
	li	sp, 0
	li	a7, 5		/* RV_SYS_GETPID */
	ecall
	blez	a0, 1f
	li	a0, 21
	li	a7, 1		/* RV_SYS_EXIT */
	ecall
1:	li	a0, 22
	li	a7, 1
	ecall

	.globl crash_bad_sp_fault
crash_bad_sp_fault:
	li	sp, 0x10
	.4byte 0xc0001073
