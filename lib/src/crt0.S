/* SPDX-License-Identifier: Apache-2.0 */
/* Process entry. The kernel sets sp (16-byte aligned, at argv[], below the
 * argument and environment strings), a0 = argc, a1 = argv and a2 = envp
 * (right after argv's NULL); every other register is zero. */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	mv	s0, zero	/* end of the frame chain */
	call	__rvos_start	/* (argc, argv, envp): runs main, then exit */
1:	j	1b
