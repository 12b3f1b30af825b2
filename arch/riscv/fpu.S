/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The user FP register file (CONFIG_FPU): save, restore, clear. The kernel
 * is built without F and D; these alone use them, with sstatus.FS on
 * (kernel/fpu.c turns it on around them).
 */
	.option push
	.option arch, +d

	.section .text
	.balign 4

/* arch_fpu_save(struct arch_fpu *s): f0..f31, then fcsr. */
	.globl arch_fpu_save
arch_fpu_save:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (\n * 8)(a0)
	.endr
	frcsr	t0
	sd	t0, 256(a0)
	ret

/* arch_fpu_restore(const struct arch_fpu *s) */
	.globl arch_fpu_restore
arch_fpu_restore:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (\n * 8)(a0)
	.endr
	ld	t0, 256(a0)
	fscsr	t0
	ret

/* arch_fpu_clear(): every FP register 0 (+0.0), fcsr 0: a process's first
 * FP state, nothing of anyone else's. */
	.globl arch_fpu_clear
arch_fpu_clear:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fmv.d.x	f\n, zero
	.endr
	fscsr	zero
	ret

	.option pop
