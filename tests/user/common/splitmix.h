/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random bit patterns for tests, the same on the host and in QEMU
 * (tests/unit/dtoa, tests/user/dtoa): splitmix64 from a seed, and a
 * double's bits both ways.
 */
#ifndef TEST_SPLITMIX_H
#define TEST_SPLITMIX_H

#include <stdint.h>
#include <string.h>

static uint64_t splitmix_state;

static inline uint64_t splitmix_next(void)
{
	uint64_t z = (splitmix_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline double from_bits(uint64_t b)
{
	double d;

	memcpy(&d, &b, sizeof(d));
	return d;
}

static inline uint64_t to_bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

#endif /* TEST_SPLITMIX_H */
