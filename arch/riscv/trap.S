/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trap vector.
 *
 * sscratch holds, while a process runs in U-mode, the address of its
 * struct user_regs (at the top of its kernel stack); while the kernel runs
 * it holds 0. Swapping sp with sscratch therefore tells where the trap came
 * from: non-zero = from U-mode, and sp is now the save area.
 *
 * The kernel runs with SIE clear, so a trap from S-mode is always a fault
 * (interrupts are taken only in U-mode or polled in the idle loop).
 */
#include <arch/trap_frame.h>

/* scause of an ecall from U-mode, and the numbers of channel_call and
 * port_wait (enum rv_syscall in include/rvos/syscall.h; kernel/channel.c
 * asserts them). */
#define TRAP_ECALL_FROM_U 8
#define TRAP_SYS_CHANNEL_CALL 16
#define TRAP_SYS_PORT_WAIT 38

#define UREG(n) ((n) * 8)
#define USER_REGS_SEPC 256
#define USER_REGS_SSTATUS 264

/* The rest of a full frame: gp, tp and the registers a C function keeps
 * (s0-s11); then (but for SAVE_CALLEE_SAVED_KEEP_S0) s0 = 0, which ends
 * backtraces. */
.macro SAVE_CALLEE_SAVED
	SAVE_CALLEE_SAVED_KEEP_S0
	mv	s0, zero
.endm
.macro SAVE_CALLEE_SAVED_KEEP_S0
	sd	x3, UREG(3)(sp)
	sd	x4, UREG(4)(sp)
	sd	x8, UREG(8)(sp)
	sd	x9, UREG(9)(sp)
	sd	x18, UREG(18)(sp)
	sd	x19, UREG(19)(sp)
	sd	x20, UREG(20)(sp)
	sd	x21, UREG(21)(sp)
	sd	x22, UREG(22)(sp)
	sd	x23, UREG(23)(sp)
	sd	x24, UREG(24)(sp)
	sd	x25, UREG(25)(sp)
	sd	x26, UREG(26)(sp)
	sd	x27, UREG(27)(sp)
.endm

	.section .text
	.balign 4
	.globl arch_trap_entry
arch_trap_entry:
	csrrw	sp, sscratch, sp
	bnez	sp, from_user

	/* From S-mode: put sp back (sscratch = 0 again) and save on the stack. */
	csrrw	sp, sscratch, sp
	addi	sp, sp, -TRAP_FRAME_SIZE
	sd	ra, TF_RA(sp)
	sd	gp, TF_GP(sp)
	sd	tp, TF_TP(sp)
	sd	t0, TF_T0(sp)
	sd	t1, TF_T1(sp)
	sd	t2, TF_T2(sp)
	sd	s0, TF_S0(sp)
	sd	s1, TF_S1(sp)
	sd	a0, TF_A0(sp)
	sd	a1, TF_A1(sp)
	sd	a2, TF_A2(sp)
	sd	a3, TF_A3(sp)
	sd	a4, TF_A4(sp)
	sd	a5, TF_A5(sp)
	sd	a6, TF_A6(sp)
	sd	a7, TF_A7(sp)
	addi	t0, sp, TRAP_FRAME_SIZE
	sd	t0, TF_SP(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	mv	a0, sp
	call	arch_kernel_trap
	/* arch_kernel_trap does not return: a kernel fault panics. */
1:	wfi
	j	1b

from_user:
	/* sp = struct user_regs of the current process; sscratch = user sp.
	 * First the registers a C function may change (ra, t0-t6, a0-a7) and
	 * sp: with gp and tp (below), all that a light system call needs, since
	 * the C code it runs keeps s0-s11 as it found them. */
	sd	x1, UREG(1)(sp)
	sd	x5, UREG(5)(sp)
	sd	x6, UREG(6)(sp)
	sd	x7, UREG(7)(sp)
	sd	x10, UREG(10)(sp)
	sd	x11, UREG(11)(sp)
	sd	x12, UREG(12)(sp)
	sd	x13, UREG(13)(sp)
	sd	x14, UREG(14)(sp)
	sd	x15, UREG(15)(sp)
	sd	x16, UREG(16)(sp)
	sd	x17, UREG(17)(sp)
	sd	x28, UREG(28)(sp)
	sd	x29, UREG(29)(sp)
	sd	x30, UREG(30)(sp)
	sd	x31, UREG(31)(sp)
	csrrw	t0, sscratch, zero	/* user sp; sscratch = 0: now in the kernel */
	sd	t0, UREG(2)(sp)
	csrr	t1, scause
	li	t2, TRAP_ECALL_FROM_U
	bne	t1, t2, full_frame	/* an interrupt or a fault */
	/* channel_call (an ecall with a7 = RV_SYS_CHANNEL_CALL), and port_wait
	 * with a reply (a5 != 0), try their IPC fast paths first; they return
	 * only when the general path must run. */
#ifdef CONFIG_IPC_FASTPATH
	li	t1, TRAP_SYS_CHANNEL_CALL
	beq	a7, t1, call_fast
	li	t1, TRAP_SYS_PORT_WAIT
	beq	a7, t1, port_fast
#endif /* CONFIG_IPC_FASTPATH */
#ifndef CONFIG_TRACING
	/* A light system call (kernel/syscall.c, SYSCALL_LIST): an ecall whose
	 * number has an entry in syscall_light_table. It runs on this partial
	 * frame and returns by the sret below; it never blocks, wakes nobody,
	 * delivers no fault and is never resumed by a continuation (a yield
	 * comes back through its own kernel frames, arch_switch), so nothing
	 * ever reads the s registers from the frame (channel_write, which may
	 * wait in its kernel frames and wake others, through its stub,
	 * channel_write_light, below). With
	 * CONFIG_TRACING every call takes the full path (its trace records). */
	li	t1, SYSCALL_TABLE_SLOTS
	bgeu	a7, t1, full_syscall
	lla	t1, syscall_light_table
	slli	t2, a7, 3
	add	t1, t1, t2
	ld	t1, 0(t1)
	beqz	t1, full_syscall
	lla	t2, syscall_count
	ld	t0, 0(t2)
	addi	t0, t0, 1
	sd	t0, 0(t2)
	/* sepc in the frame, not the CSR, and gp and tp too: a yield runs
	 * other processes before it returns, whose traps change sepc and
	 * whose returns to U-mode load their own gp and tp (the kernel keeps
	 * everything else: s0-s11 in its C frames and arch_switch) */
	csrr	t0, sepc
	addi	t0, t0, 4		/* past the ecall */
	sd	t0, USER_REGS_SEPC(sp)
	sd	x3, UREG(3)(sp)
	sd	x4, UREG(4)(sp)
	addi	a0, sp, UREG(10)	/* the six argument registers */
	jalr	t1
	/* a0: the result. The kernel values in every other register a C
	 * function may change are overwritten with the process's own. */
	ld	t0, USER_REGS_SEPC(sp)
	csrw	sepc, t0
#ifdef CONFIG_FPU
	/* a light call may have switched (yield): sstatus is per process */
	ld	t0, USER_REGS_SSTATUS(sp)
	csrw	sstatus, t0
#endif /* CONFIG_FPU */
	csrw	sscratch, sp
	ld	x1, UREG(1)(sp)
	ld	x3, UREG(3)(sp)
	ld	x4, UREG(4)(sp)
	ld	x5, UREG(5)(sp)
	ld	x6, UREG(6)(sp)
	ld	x7, UREG(7)(sp)
	ld	x11, UREG(11)(sp)
	ld	x12, UREG(12)(sp)
	ld	x13, UREG(13)(sp)
	ld	x14, UREG(14)(sp)
	ld	x15, UREG(15)(sp)
	ld	x16, UREG(16)(sp)
	ld	x17, UREG(17)(sp)
	ld	x28, UREG(28)(sp)
	ld	x29, UREG(29)(sp)
	ld	x30, UREG(30)(sp)
	ld	x31, UREG(31)(sp)
	ld	x2, UREG(2)(sp)
	sret

#endif /* !CONFIG_TRACING */
	/* Any other system call: the whole frame (below), then user_syscall,
	 * which knows it is one (user_trap would read scause again). */
full_syscall:
	SAVE_CALLEE_SAVED
	csrr	t0, sepc
	addi	t0, t0, 4		/* past the ecall */
	sd	t0, USER_REGS_SEPC(sp)
	mv	a0, sp
	call	user_syscall
	j	2f

	/* Everything else gets the whole frame: it may switch to another
	 * process by a continuation, end the process, or show its registers.
	 * sstatus is not saved: U-mode cannot change it, so the value the
	 * process started with (proc.c) stays right for its returns. The
	 * kernel stack grows down from just below the save area. gp and tp are
	 * unused by the kernel; s0 = 0 ends backtraces here. */
full_frame:
	SAVE_CALLEE_SAVED
	csrr	t0, sepc
	sd	t0, USER_REGS_SEPC(sp)
	mv	a0, sp
	call	user_trap
	/* user_trap and user_syscall return to U-mode through arch_user_return. */
2:	wfi
	j	2b

#ifdef CONFIG_IPC_FASTPATH
port_fast:
	beqz	a5, full_syscall
	SAVE_CALLEE_SAVED
	/* sepc + 4 is saved for the fast path, which returns past the ecall
	 * when taken; when not, the general path (user_syscall) wants it too. */
	csrr	t0, sepc
	addi	t0, t0, 4
	sd	t0, USER_REGS_SEPC(sp)
	mv	a0, sp
	call	port_wait_fastpath
	j	5f
call_fast:
	/* s0 keeps the user's value into the fast path, which has no frame
	 * (a backtrace from fastpath_full stops at it: no kernel address) */
	SAVE_CALLEE_SAVED_KEEP_S0
	csrr	t0, sepc
	addi	t0, t0, 4
	sd	t0, USER_REGS_SEPC(sp)
	mv	a0, sp
	call	channel_call_fastpath
	mv	s0, zero
5:	mv	a0, sp
	call	user_syscall
	j	2b

#if !defined(CONFIG_TRACING) && !defined(CONFIG_DEBUGGER)
/* channel_write's entry in the light table (kernel/syscall.c, LIGHT_WRITE):
 * sys_channel_write on the light frame. When it made a switch due, the rest
 * of the frame -- the s registers still hold the process's values: the C
 * code keeps them -- and the call ends as a full one does
 * (sched_continuation_return: a0 to the frame, the switch, U-mode). */
	.globl channel_write_light
channel_write_light:
	addi	sp, sp, -16
	sd	ra, 8(sp)
	call	sys_channel_write
	ld	ra, 8(sp)
	addi	sp, sp, 16
	lla	t0, sched_need_resched
	lbu	t0, 0(t0)
	bnez	t0, 1f
	ret
1:	SAVE_CALLEE_SAVED
	tail	sched_continuation_return
#endif /* !CONFIG_TRACING && !CONFIG_DEBUGGER */
#endif /* CONFIG_IPC_FASTPATH */

/* arch_user_return(struct user_regs *regs): back to U-mode. */
	.globl arch_user_return
arch_user_return:
	ld	t0, USER_REGS_SSTATUS(a0)
	csrw	sstatus, t0
/* The same when sstatus is already right for a return to U-mode: inside a
 * system call, which the kernel entered from U-mode and in which it did not
 * change sstatus (the IPC hand-off, kernel/proc.h). */
	.globl arch_user_return_in_syscall
arch_user_return_in_syscall:
	mv	sp, a0
	ld	t0, USER_REGS_SEPC(sp)
	csrw	sepc, t0
	csrw	sscratch, sp
	ld	x1, UREG(1)(sp)
	ld	x3, UREG(3)(sp)
	ld	x4, UREG(4)(sp)
	ld	x5, UREG(5)(sp)
	ld	x6, UREG(6)(sp)
	ld	x7, UREG(7)(sp)
	ld	x8, UREG(8)(sp)
	ld	x9, UREG(9)(sp)
	ld	x10, UREG(10)(sp)
	ld	x11, UREG(11)(sp)
	ld	x12, UREG(12)(sp)
	ld	x13, UREG(13)(sp)
	ld	x14, UREG(14)(sp)
	ld	x15, UREG(15)(sp)
	ld	x16, UREG(16)(sp)
	ld	x17, UREG(17)(sp)
	ld	x18, UREG(18)(sp)
	ld	x19, UREG(19)(sp)
	ld	x20, UREG(20)(sp)
	ld	x21, UREG(21)(sp)
	ld	x22, UREG(22)(sp)
	ld	x23, UREG(23)(sp)
	ld	x24, UREG(24)(sp)
	ld	x25, UREG(25)(sp)
	ld	x26, UREG(26)(sp)
	ld	x27, UREG(27)(sp)
	ld	x28, UREG(28)(sp)
	ld	x29, UREG(29)(sp)
	ld	x30, UREG(30)(sp)
	ld	x31, UREG(31)(sp)
	ld	x2, UREG(2)(sp)
	sret
