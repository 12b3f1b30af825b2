/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The single step's decoder (lib/include/rvos/dbg.h): where the
 * instruction at pc goes. The encodings are those of the RISC-V
 * unprivileged ISA manual: RV32I/RV64I's control transfer instructions
 * (chapter 2.5) and the "C" extension's (chapter 16.4; RV64C: quadrant
 * 1's funct3 001 is c.addiw, not c.jal). Pure code: tests/unit/dbg runs it
 * on the host.
 */
#include <stdbool.h>
#include <rvos/dbg.h>

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
