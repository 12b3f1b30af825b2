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

/* Index of the lowest set bit of a non-zero word. Written out because the
 * base ISA has no ctz instruction (Zbb does) and the kernel links no libgcc. */
static inline unsigned int lowest_set_bit(unsigned long long x)
{
	unsigned int n = 0;

	if (!(x & 0xffffffffULL)) {
		n += 32;
		x >>= 32;
	}
	if (!(x & 0xffffULL)) {
		n += 16;
		x >>= 16;
	}
	if (!(x & 0xffULL)) {
		n += 8;
		x >>= 8;
	}
	if (!(x & 0xfULL)) {
		n += 4;
		x >>= 4;
	}
	if (!(x & 0x3ULL)) {
		n += 2;
		x >>= 2;
	}
	return n + !(x & 1ULL);
}

#endif /* KERNEL_UTIL_H */
