/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single step by decoding (lib/include/rvos/dbg.h). The encodings are
 * those of the RISC-V unprivileged ISA manual: RV32I/RV64I's control
 * transfer instructions (chapter 2.5) and the "C" extension's (chapter
 * 16.4, RV64C: quadrant 1's funct3 001 is c.addiw, not c.jal).
 */
#include <stdbool.h>
#include <rvos/dbg.h>
#include <rvos/errno.h>
#include <rvos/user.h>

/* bits hi..lo of x, moved to bit `to` */
static uint64_t bits(uint32_t x, unsigned int hi, unsigned int lo, unsigned int to)
{
	return (uint64_t)((x >> lo) & ((1u << (hi - lo + 1)) - 1)) << to;
}

static int64_t sign_extend(uint64_t v, unsigned int sign_bit)
{
	return (int64_t)(v << (63 - sign_bit)) >> (63 - sign_bit);
}

static bool branch_taken(uint32_t funct3, uint64_t a, uint64_t b)
{
	switch (funct3) {
	case 0: return a == b;                    /* beq */
	case 1: return a != b;                    /* bne */
	case 4: return (int64_t)a < (int64_t)b;   /* blt */
	case 5: return (int64_t)a >= (int64_t)b;  /* bge */
	case 6: return a < b;                     /* bltu */
	case 7: return a >= b;                    /* bgeu */
	default: return false;                    /* reserved: it faults, no jump */
	}
}

uint64_t rv_dbg_next_pc(uint32_t insn, const struct rv_dbg_regs *regs)
{
	uint64_t pc = regs->x[0];
	/* x0 reads as 0; regs->x[0] holds the pc */
#define REG(n) ((n) ? regs->x[(n)] : 0)

	if ((insn & 3) == 3) {
		uint32_t rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31;
		int64_t off;

		switch (insn & 0x7f) {
		case 0x6f: /* jal: imm[20|10:1|11|19:12] in insn[31|30:21|20|19:12] */
			off = sign_extend(bits(insn, 31, 31, 20) | bits(insn, 30, 21, 1) |
						  bits(insn, 20, 20, 11) | bits(insn, 19, 12, 12),
					  20);
			return pc + (uint64_t)off;
		case 0x67: /* jalr: (rs1 + imm) with bit 0 cleared */
			off = sign_extend(bits(insn, 31, 20, 0), 11);
			return (REG(rs1) + (uint64_t)off) & ~(uint64_t)1;
		case 0x63: /* branches: imm[12|10:5] in insn[31|30:25], imm[4:1|11] in insn[11:8|7] */
			off = sign_extend(bits(insn, 31, 31, 12) | bits(insn, 30, 25, 5) |
						  bits(insn, 11, 8, 1) | bits(insn, 7, 7, 11),
					  12);
			return branch_taken((insn >> 12) & 7, REG(rs1), REG(rs2)) ? pc + (uint64_t)off
										 : pc + 4;
		default:
			return pc + 4;
		}
	}
	uint32_t funct3 = (insn >> 13) & 7, quadrant = insn & 3;
	int64_t off;

	if (quadrant == 1 && funct3 == 5) {
		/* c.j: offset[11|4|9:8|10|6|7|3:1|5] in insn[12|11|10:9|8|7|6|5:3|2] */
		off = sign_extend(bits(insn, 12, 12, 11) | bits(insn, 11, 11, 4) |
					  bits(insn, 10, 9, 8) | bits(insn, 8, 8, 10) |
					  bits(insn, 7, 7, 6) | bits(insn, 6, 6, 7) |
					  bits(insn, 5, 3, 1) | bits(insn, 2, 2, 5),
				  11);
		return pc + (uint64_t)off;
	}
	if (quadrant == 1 && (funct3 == 6 || funct3 == 7)) {
		/* c.beqz, c.bnez: rs1' in insn[9:7] (x8..x15);
		 * offset[8|4:3] in insn[12|11:10], offset[7:6|2:1|5] in insn[6:5|4:3|2] */
		uint64_t v = regs->x[8 + ((insn >> 7) & 7)];

		off = sign_extend(bits(insn, 12, 12, 8) | bits(insn, 11, 10, 3) |
					  bits(insn, 6, 5, 6) | bits(insn, 4, 3, 1) |
					  bits(insn, 2, 2, 5),
				  8);
		if ((funct3 == 6) == (v == 0))
			return pc + (uint64_t)off;
		return pc + 2;
	}
	if (quadrant == 2 && funct3 == 4 && ((insn >> 2) & 31) == 0 && ((insn >> 7) & 31) != 0) {
		/* c.jr (bit 12 clear), c.jalr (set): to rs1 */
		return REG((insn >> 7) & 31) & ~(uint64_t)1;
	}
	return pc + 2;
#undef REG
}

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
