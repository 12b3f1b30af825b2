/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The prologue and epilogue routines gcc calls under -msave-restore
 * (CONFIG_KERNEL_SIZE_OPTIMIZATIONS): a function saves ra and s0..s(N-1)
 * with `jal t0, __riscv_save_N` and returns with `j __riscv_restore_N`, a
 * few bytes instead of N+2 instructions at each end. The frame is the one
 * the compiler would build inline: (N + 1) doublewords rounded up to 16
 * bytes, ra in the highest, s0 below it, s1 below that, and so on.
 *
 * One chain of stores and one of loads serve every N: they work on the
 * largest frame (112 bytes: ra and s0..s11), where each register has one
 * place, and an entry moves sp so that its own frame's top is that
 * frame's top. Where rounding leaves a free doubleword (an even N), it
 * holds s(N) too: saved and restored unchanged, which no caller can tell.
 * The save routines touch sp, t1 and the stack (the call to them already
 * uses t1 for the address) and return through t0; the restore routines
 * leave a0 and a1 (the return value) alone.
 */
/* ra and s0..s11, rounded up to the 16-byte stack alignment of the
 * psABI: a fact of the calling convention, not a tunable. */
#define FRAME_MAX ((13 * 8 + 15) / 16 * 16)


	.section .text.__riscv_save, "ax", @progbits
	.balign	2
	.globl	__riscv_save_12
	.type	__riscv_save_12, @function
__riscv_save_12:
	addi	sp, sp, -FRAME_MAX
	li	t1, 0
	j	.Lsave_s11
	.globl	__riscv_save_11
	.globl	__riscv_save_10
	.type	__riscv_save_11, @function
	.type	__riscv_save_10, @function
__riscv_save_11:
__riscv_save_10:
	addi	sp, sp, -FRAME_MAX
	li	t1, 16
	j	.Lsave_s10
	.globl	__riscv_save_9
	.globl	__riscv_save_8
	.type	__riscv_save_9, @function
	.type	__riscv_save_8, @function
__riscv_save_9:
__riscv_save_8:
	addi	sp, sp, -FRAME_MAX
	li	t1, 32
	j	.Lsave_s8
	.globl	__riscv_save_7
	.globl	__riscv_save_6
	.type	__riscv_save_7, @function
	.type	__riscv_save_6, @function
__riscv_save_7:
__riscv_save_6:
	addi	sp, sp, -FRAME_MAX
	li	t1, 48
	j	.Lsave_s6
	.globl	__riscv_save_5
	.globl	__riscv_save_4
	.type	__riscv_save_5, @function
	.type	__riscv_save_4, @function
__riscv_save_5:
__riscv_save_4:
	addi	sp, sp, -FRAME_MAX
	li	t1, 64
	j	.Lsave_s4
	.globl	__riscv_save_3
	.globl	__riscv_save_2
	.type	__riscv_save_3, @function
	.type	__riscv_save_2, @function
__riscv_save_3:
__riscv_save_2:
	addi	sp, sp, -FRAME_MAX
	li	t1, 80
	j	.Lsave_s2
	.globl	__riscv_save_1
	.globl	__riscv_save_0
	.type	__riscv_save_1, @function
	.type	__riscv_save_0, @function
__riscv_save_1:
__riscv_save_0:
	addi	sp, sp, -FRAME_MAX
	li	t1, 96
	j	.Lsave_s0
.Lsave_s11:
	sd	s11, 8(sp)
.Lsave_s10:
	sd	s10, 16(sp)
	sd	s9, 24(sp)
.Lsave_s8:
	sd	s8, 32(sp)
	sd	s7, 40(sp)
.Lsave_s6:
	sd	s6, 48(sp)
	sd	s5, 56(sp)
.Lsave_s4:
	sd	s4, 64(sp)
	sd	s3, 72(sp)
.Lsave_s2:
	sd	s2, 80(sp)
	sd	s1, 88(sp)
.Lsave_s0:
	sd	s0, 96(sp)
	sd	ra, 104(sp)
	add	sp, sp, t1
	jr	t0
	.size	__riscv_save_12, . - __riscv_save_12

/* The loads: an entry moves sp down to where the largest frame would
 * start, so every register is at its one place, and the chain ends by
 * popping the largest frame. */
	.section .text.__riscv_restore, "ax", @progbits
	.balign	2
	.globl	__riscv_restore_12
	.type	__riscv_restore_12, @function
__riscv_restore_12:
	j	.Lrestore_s11
	.globl	__riscv_restore_11
	.globl	__riscv_restore_10
	.type	__riscv_restore_11, @function
	.type	__riscv_restore_10, @function
__riscv_restore_11:
__riscv_restore_10:
	addi	sp, sp, -16
	j	.Lrestore_s10
	.globl	__riscv_restore_9
	.globl	__riscv_restore_8
	.type	__riscv_restore_9, @function
	.type	__riscv_restore_8, @function
__riscv_restore_9:
__riscv_restore_8:
	addi	sp, sp, -32
	j	.Lrestore_s8
	.globl	__riscv_restore_7
	.globl	__riscv_restore_6
	.type	__riscv_restore_7, @function
	.type	__riscv_restore_6, @function
__riscv_restore_7:
__riscv_restore_6:
	addi	sp, sp, -48
	j	.Lrestore_s6
	.globl	__riscv_restore_5
	.globl	__riscv_restore_4
	.type	__riscv_restore_5, @function
	.type	__riscv_restore_4, @function
__riscv_restore_5:
__riscv_restore_4:
	addi	sp, sp, -64
	j	.Lrestore_s4
	.globl	__riscv_restore_3
	.globl	__riscv_restore_2
	.type	__riscv_restore_3, @function
	.type	__riscv_restore_2, @function
__riscv_restore_3:
__riscv_restore_2:
	addi	sp, sp, -80
	j	.Lrestore_s2
	.globl	__riscv_restore_1
	.globl	__riscv_restore_0
	.type	__riscv_restore_1, @function
	.type	__riscv_restore_0, @function
__riscv_restore_1:
__riscv_restore_0:
	addi	sp, sp, -96
	j	.Lrestore_s0
.Lrestore_s11:
	ld	s11, 8(sp)
.Lrestore_s10:
	ld	s10, 16(sp)
	ld	s9, 24(sp)
.Lrestore_s8:
	ld	s8, 32(sp)
	ld	s7, 40(sp)
.Lrestore_s6:
	ld	s6, 48(sp)
	ld	s5, 56(sp)
.Lrestore_s4:
	ld	s4, 64(sp)
	ld	s3, 72(sp)
.Lrestore_s2:
	ld	s2, 80(sp)
	ld	s1, 88(sp)
.Lrestore_s0:
	ld	s0, 96(sp)
	ld	ra, 104(sp)
	addi	sp, sp, FRAME_MAX
	ret
	.size	__riscv_restore_12, . - __riscv_restore_12
