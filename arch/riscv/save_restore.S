/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The prologue and epilogue routines gcc calls under -msave-restore
 * (CONFIG_KERNEL_SAVE_RESTORE): a function saves ra and s0..s(N-1) with
 * `jal t0, __riscv_save_N` and returns with `j __riscv_restore_N`, a few
 * bytes instead of N+2 instructions at each end. The frame is the one the
 * compiler would build inline: (N + 1) doublewords rounded up to 16 bytes,
 * ra in the highest, s0 below it, s1 below that, and so on.
 *
 * Each N is a routine of its own in its own section, so the link keeps the
 * ones the kernel's functions call and drops the rest. The save routines
 * touch only sp, t0 and the stack; the restore routines leave a0 and a1
 * (the return value) alone.
 */
	.altmacro

/* op s<i> for i in [i, n), at frame - 16 - 8 * i from sp. */
.macro sregs op, i, n, frame
.if \i < \n
	\op	s\i, (\frame - 16 - 8 * \i)(sp)
	sregs	\op, %(\i + 1), \n, \frame
.endif
.endm

.macro save_restore n
	.section .text.__riscv_save_\n, "ax", @progbits
	.globl	__riscv_save_\n
	.type	__riscv_save_\n, @function
	.balign	2
__riscv_save_\n:
	addi	sp, sp, -(((\n + 2) / 2) * 16)
	sd	ra, (((\n + 2) / 2) * 16 - 8)(sp)
	sregs	sd, 0, \n, %(((\n + 2) / 2) * 16)
	jr	t0
	.size	__riscv_save_\n, . - __riscv_save_\n

	.section .text.__riscv_restore_\n, "ax", @progbits
	.globl	__riscv_restore_\n
	.type	__riscv_restore_\n, @function
	.balign	2
__riscv_restore_\n:
	ld	ra, (((\n + 2) / 2) * 16 - 8)(sp)
	sregs	ld, 0, \n, %(((\n + 2) / 2) * 16)
	addi	sp, sp, (((\n + 2) / 2) * 16)
	ret
	.size	__riscv_restore_\n, . - __riscv_restore_\n
.endm

	save_restore 0
	save_restore 1
	save_restore 2
	save_restore 3
	save_restore 4
	save_restore 5
	save_restore 6
	save_restore 7
	save_restore 8
	save_restore 9
	save_restore 10
	save_restore 11
	save_restore 12
