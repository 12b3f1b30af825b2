/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Waiting for a stop, and single step (lib/include/rvos/dbg.h); the
 * decoder is dbg_decode.c.
 */
#include <stdbool.h>
#include <rvos/dbg.h>
#include <rvos/errno.h>
#include <rvos/user.h>

long rv_dbg_wait(rv_handle_t h, uint64_t deadline, struct rv_dbg_stop *stop)
{
	struct rv_wait_item item = {.handle = h, .signals = RV_SIGNAL_STOPPED | RV_SIGNAL_EXITED};
	long r = rv_wait_many(&item, 1, deadline ? deadline : RV_DEADLINE_NEVER);

	if (r < 0)
		return r;
	if (item.observed & RV_SIGNAL_EXITED)
		return -RV_ESRCH;
	return rv_debug(RV_DBG_STOP_INFO, h, (uint64_t)(uintptr_t)stop, 0, 0);
}

long rv_dbg_step(rv_handle_t h, uint64_t deadline, struct rv_dbg_stop *stop)
{
	struct rv_dbg_regs regs;
	uint32_t insn = 0;
	uint64_t next;
	bool lifted, placed;
	long r;

	r = rv_debug(RV_DBG_GETREGS, h, (uint64_t)(uintptr_t)&regs, 0, 0);
	if (r < 0)
		return r;
	/* the instruction's first 16 bits, then the rest if it has more (a
	 * compressed one may end its page) */
	r = rv_debug(RV_DBG_READ, h, regs.x[0], (uint64_t)(uintptr_t)&insn, 2);
	if (r < 0)
		return r;
	if ((insn & 3) == 3) {
		r = rv_debug(RV_DBG_READ, h, regs.x[0], (uint64_t)(uintptr_t)&insn, 4);
		if (r < 0)
			return r;
	}
	next = rv_dbg_next_pc(insn, &regs);
	lifted = rv_debug(RV_DBG_BREAK_CLEAR, h, regs.x[0], 0, 0) == 0;
	/* EEXIST: a breakpoint of the debugger's is there already, it stops
	 * the debuggee as well; a jump to itself (next == pc) stops at once,
	 * before running it again */
	r = rv_debug(RV_DBG_BREAK_SET, h, next, 0, 0);
	placed = r == 0;
	if (r < 0 && r != -RV_EEXIST)
		goto out;
	r = rv_debug(RV_DBG_RESUME, h, 0, 0, 0);
	if (r == 0)
		r = rv_dbg_wait(h, deadline, stop);
	if (r == -RV_ESRCH)
		return r;
	if (placed)
		rv_debug(RV_DBG_BREAK_CLEAR, h, next, 0, 0);
out:
	if (lifted)
		rv_debug(RV_DBG_BREAK_SET, h, regs.x[0], 0, 0);
	return r;
}
