/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Debugger helpers on top of the debug call (doc/debugging.md, "The
 * process debugger"): waiting for a stop, and single step.
 *
 * RISC-V gives S-mode no single step for U-mode, so a step is emulated:
 * the instruction at pc is decoded (branches evaluated with the
 * debuggee's registers, jal, jalr and their compressed forms), a
 * temporary breakpoint goes at the one pc it leads to, the debuggee runs
 * to it, and the breakpoint is taken away again.
 */
#ifndef RVOS_DBG_H
#define RVOS_DBG_H

#include <stdint.h>
#include <rvos/ipc.h>
#include <rvos/syscall.h>

/* The pc after the instruction insn (its first 16 or 32 bits: a
 * compressed one has bits 1:0 other than 11) at regs->x[0], with the
 * registers regs. */
uint64_t rv_dbg_next_pc(uint32_t insn, const struct rv_dbg_regs *regs);
/* Wait until the debuggee stops (0, *stop why) or ends (-RV_ESRCH), or
 * until the deadline (monotonic ns, 0: none; -RV_ETIMEDOUT). */
long rv_dbg_wait(rv_handle_t h, uint64_t deadline, struct rv_dbg_stop *stop);
/* Run the stopped debuggee for one instruction: 0 and *stop (a
 * breakpoint stop at the next pc, or a fault, or a breakpoint of its own
 * hit on the way: a jalr to it) or an error of the debug call. A
 * breakpoint at pc is lifted for the step and put back. */
long rv_dbg_step(rv_handle_t h, uint64_t deadline, struct rv_dbg_stop *stop);

#endif /* RVOS_DBG_H */
