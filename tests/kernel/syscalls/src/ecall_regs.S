/* SPDX-License-Identifier: Apache-2.0 */
/*
 * long ecall_regs(long nr, long arg0, long arg1, uint64_t out[32])
 *
 * Makes one system call with a7 = nr, a0 = arg0, a1 = arg1 and every other
 * register but zero, sp, gp and tp holding REG_PATTERN + its number, then
 * stores all registers as the call left them into out[1..31] (out[0] = sp
 * before the ecall) and returns a0. The ABI says only a0 changes.
 */
#define REG_PATTERN 0x5eed0000c0de0000

	.section .text.ecall_regs, "ax"
	.globl ecall_regs
	.type ecall_regs, @function
ecall_regs:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	sd	s6, 56(sp)
	sd	s7, 64(sp)
	sd	s8, 72(sp)
	sd	s9, 80(sp)
	sd	s10, 88(sp)
	sd	s11, 96(sp)
	sd	a3, 104(sp)		/* out */
	sd	sp, 112(sp)		/* sp before the ecall */
	mv	a7, a0
	mv	a0, a1
	mv	a1, a2
	.irp r, 1,5,6,7,8,9,12,13,14,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	li	x\r, REG_PATTERN + \r
	.endr
	ecall
	sd	t6, 120(sp)
	ld	t6, 104(sp)
	.irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	sd	x\r, (\r * 8)(t6)
	.endr
	ld	t5, 120(sp)
	sd	t5, (31 * 8)(t6)
	ld	t5, 112(sp)
	sd	t5, 0(t6)
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	addi	sp, sp, 128
	ret
	.size ecall_regs, . - ecall_regs
