/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel entry. OpenSBI's fw_dynamic jumps here in S-mode, MMU off, with
 * a0 = hart id and a1 = physical address of the device tree (SBI spec,
 * "Boot protocol"). Only this hart runs the kernel; others stay in OpenSBI.
 */
	.section .text.boot, "ax"
	.globl _start
_start:
	/* Instructions retired so far (firmware): boot benchmarks count from
	 * here (struct rv_kstats.boot_instret). In .data, not BSS: kept. */
	rdinstret t0
	la	t1, boot_instret
	sd	t0, 0(t1)

	/* No interrupts until the kernel sets its own trap vector. */
	csrw	sie, zero
	csrw	sip, zero

	/* gp stays unused: the kernel is linked without gp relaxation. */
	mv	gp, zero
	la	sp, _boot_stack_top
	/* s0 = 0 ends the frame-pointer chain for backtraces. */
	mv	s0, zero

	/* Zero BSS (not loaded from the image). */
	la	t0, _bss_start
	la	t1, _bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	la	t0, arch_trap_entry
	csrw	stvec, t0
	/* kernel_main(hart id, device tree); it never returns. */
	call	kernel_main
3:	wfi
	j	3b

	.section .data
	.balign 8
	.globl boot_instret
boot_instret:
	.dword 0
