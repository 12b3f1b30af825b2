/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The instructions tests/user/debugger single-steps through: every kind
 * of control transfer, in both sizes, each label a pc the step must reach
 * (dbg_test.c lists them in order). Not relaxed: the encodings stay as
 * written. It returns through t3 (c.jalr overwrites ra).
 */
	.text
	.globl step_block
	.option push
	.option norelax
	.option norvc
	.balign 4
step_block:
	.globl sb_0, sb_1, sb_2, sb_3, sb_4, sb_5, sb_6, sb_7, sb_8, sb_9, sb_10
	.globl sb_11, sb_12, sb_13, sb_14, sb_15, sb_16, sb_17, sb_18, sb_19, sb_20, sb_21
	.globl sb_loop
sb_0:	addi	t3, ra, 0
sb_1:	addi	t0, zero, 1
sb_2:	beq	t0, zero, sb_bad	/* not taken */
sb_3:	bne	t0, zero, sb_4		/* taken */
	ebreak
sb_4:	jal	t1, sb_5		/* t1 = sb_4 + 4 */
	ebreak
sb_5:	jalr	zero, 12(t1)		/* to sb_4 + 16 */
	ebreak
sb_6:	addi	t2, zero, -1
sb_7:	bltu	t2, t0, sb_bad		/* unsigned: not taken */
sb_8:	blt	t2, t0, sb_9		/* signed: taken */
	ebreak
	.option rvc
sb_9:	c.li	a5, 0
sb_10:	c.beqz	a5, sb_11		/* taken */
sb_bad2:
	c.ebreak
sb_11:	c.bnez	a5, sb_bad2		/* not taken */
sb_12:	c.j	sb_13
	c.ebreak
	.option norvc
sb_13:	auipc	a4, 0
	.option rvc
sb_14:	c.addi	a4, 10			/* sb_13 + 10: sb_16 */
sb_15:	c.jr	a4
	c.ebreak
	.option norvc
sb_16:	auipc	a4, 0
	.option rvc
sb_17:	c.addi	a4, 10			/* sb_16 + 10: sb_19 */
sb_18:	c.jalr	a4
	c.ebreak
sb_19:	c.li	a5, 3
sb_loop:
	c.addi	a5, -1
sb_20:	c.bnez	a5, sb_loop		/* three times round */
	.option norvc
sb_21:	jalr	zero, 0(t3)
sb_bad:	ebreak
	.option pop
