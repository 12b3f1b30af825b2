/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rv_dbg_next_pc (lib/src/dbg_decode.c) on the host. The encodings come
 * from the assembler, not from the decoder's reading of the manual:
 * riscv64-unknown-elf-as -march=rv64imac, .org 0x1000, `.option norelax`,
 * the instructions below at the addresses shown (objdump -d).
 */
#include <string.h>
#include <rvos/dbg.h>

#include "unittest.h"

static struct rv_dbg_regs regs;

static uint64_t next(uint64_t pc, uint32_t insn)
{
	regs.x[0] = pc;
	return rv_dbg_next_pc(insn, &regs);
}

static void test_32bit(void)
{
	memset(&regs, 0, sizeof(regs));
	regs.x[10] = 5; /* a0 */
	regs.x[11] = 7; /* a1 */
	regs.x[12] = 0x2004; /* a2 */
	CHECK_EQ_UINT(next(0x1000, 0xff9ff06f), 0xff8);  /* jal x0, .-8 */
	CHECK_EQ_UINT(next(0x1004, 0x7fc000ef), 0x1800); /* jal ra, .+2044 */
	CHECK_EQ_UINT(next(0x1008, 0xfeb508e3), 0x100c); /* beq a0, a1, .-16: 5 != 7 */
	CHECK_EQ_UINT(next(0x100c, 0x04b55063), 0x1010); /* bge a0, a1, .+64: 5 < 7 */
	CHECK_EQ_UINT(next(0x1010, 0x80b57063), 0x1014); /* bgeu a0, a1, .-4096: not */
	CHECK_EQ_UINT(next(0x1014, 0x7eb56fe3), 0x2012); /* bltu a0, a1, .+4094: taken */
	CHECK_EQ_UINT(next(0x1018, 0xffd600e7), 0x2000); /* jalr ra, -3(a2): 0x2001, bit 0 cleared */
	CHECK_EQ_UINT(next(0x101c, 0x00150513), 0x1020); /* addi a0, a0, 1 */
	regs.x[11] = 5;
	CHECK_EQ_UINT(next(0x1008, 0xfeb508e3), 0xff8);  /* beq: now equal, back 16 */
	CHECK_EQ_UINT(next(0x100c, 0x04b55063), 0x104c); /* bge: 5 >= 5 */
	CHECK_EQ_UINT(next(0x1010, 0x80b57063), 0x10);   /* bgeu: 5 >= 5, back 4096 */
	regs.x[10] = (uint64_t)-1;
	CHECK_EQ_UINT(next(0x1014, 0x7eb56fe3), 0x1018); /* bltu: 2^64 - 1 is not below 5 */
}

static void test_compressed(void)
{
	memset(&regs, 0, sizeof(regs));
	regs.x[13] = 0x4003; /* a3 */
	regs.x[5] = 0x5000;  /* t0 */
	regs.x[15] = 1;      /* a5 */
	CHECK_EQ_UINT(next(0x1020, 0xb001), 0x820);  /* c.j .-2048 */
	CHECK_EQ_UINT(next(0x1022, 0xaffd), 0x1820); /* c.j .+2046 */
	CHECK_EQ_UINT(next(0x1024, 0xd001), 0xf24);  /* c.beqz s0, .-256: s0 = 0 */
	CHECK_EQ_UINT(next(0x1026, 0xeffd), 0x1124); /* c.bnez a5, .+254: a5 = 1 */
	CHECK_EQ_UINT(next(0x1028, 0x8682), 0x4002); /* c.jr a3: bit 0 cleared */
	CHECK_EQ_UINT(next(0x102a, 0x9282), 0x5000); /* c.jalr t0 */
	CHECK_EQ_UINT(next(0x102c, 0x2505), 0x102e); /* c.addiw a0, 1 (RV64: not c.jal) */
	CHECK_EQ_UINT(next(0x102e, 0x9002), 0x1030); /* c.ebreak */
	CHECK_EQ_UINT(next(0x1030, 0x852e), 0x1032); /* c.mv a0, a1 */
	CHECK_EQ_UINT(next(0x1032, 0xc881), 0x1042); /* c.beqz s1, .+16: s1 = 0 */
	regs.x[9] = 3;
	regs.x[8] = 1;
	regs.x[15] = 0;
	CHECK_EQ_UINT(next(0x1032, 0xc881), 0x1034); /* c.beqz s1: not */
	CHECK_EQ_UINT(next(0x1024, 0xd001), 0x1026); /* c.beqz s0: not */
	CHECK_EQ_UINT(next(0x1026, 0xeffd), 0x1028); /* c.bnez a5: not */
}

int main(void)
{
	RUN(test_32bit);
	RUN(test_compressed);
	return ut_summary("unit.dbg");
}
