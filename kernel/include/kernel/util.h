/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_UTIL_H
#define KERNEL_UTIL_H

/* IS_ENABLED(CONFIG_X): 1 when the bool symbol is y, else 0, usable in C
 * expressions so code under a disabled option is still compiled and checked. */
#define RV_IS_ENABLED_PROBE_1 0,
#define IS_ENABLED(cfg) RV_IS_ENABLED_(cfg)
#define RV_IS_ENABLED_(value) RV_IS_ENABLED__(RV_IS_ENABLED_PROBE_##value)
#define RV_IS_ENABLED__(probe) RV_IS_ENABLED___(probe 1, 0)
#define RV_IS_ENABLED___(ignore, value, ...) value

#define BUILD_ASSERT(cond, msg) _Static_assert(cond, msg)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Index of the lowest set bit of a non-zero word. The base ISA has no ctz
 * instruction (Zbb does) and the kernel links no libgcc, so: x & -x keeps
 * the lowest set bit alone; multiplying a de Bruijn sequence B(2, 6) by it
 * shifts the sequence, whose top six bits are then different for each of
 * the 64 shifts; the table maps them back (8 instructions, no branch: the
 * scheduler picks with it on every switch). */
static inline unsigned int lowest_set_bit(unsigned long long x)
{
	static const unsigned char index_of[64] = {
		0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
		62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
		63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
		46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6,
	};

	return index_of[((x & -x) * 0x03f79d71b4cb0a89ULL) >> 58];
}

#endif /* KERNEL_UTIL_H */
