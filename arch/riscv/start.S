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
	/* Zero BSS 64 bytes a turn while that much is left, then by words
	 * (the linker script aligns both ends to 16 bytes). The static pools
	 * can be megabytes (the channel pool grows with CONFIG_MSG_MAX_BYTES):
	 * this loop is a large part of boot_to_prompt. */
	la	t0, _bss_start
	la	t1, _bss_end
	addi	t2, t1, -56
1:	bgeu	t0, t2, 2f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	sd	zero, 16(t0)
	sd	zero, 24(t0)
	sd	zero, 32(t0)
	sd	zero, 40(t0)
	sd	zero, 48(t0)
	sd	zero, 56(t0)
	addi	t0, t0, 64
	j	1b
2:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	2b
3:
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
