/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's memcpy, memmove and memset (kernel/mem.c), built on the
 * host under other names (testcase.yaml renames them, so libc's stay in
 * place): every length 0..300 at every source and destination offset
 * 0..15, against a byte-by-byte reference, with guard bytes around the
 * destination; memmove both ways with overlap; memset at every offset.
 * Copies stay inside one arena, so that the whole-word reads around a
 * misaligned source stay inside it too (AddressSanitizer is on).
 */
#include <stdint.h>
#include <kernel/mem.h>
#include "unittest.h"

#define ARENA 1024

static uint8_t src[ARENA] __attribute__((aligned(16)));
static uint8_t dst[ARENA] __attribute__((aligned(16)));
static uint8_t want[ARENA] __attribute__((aligned(16)));

static void fill(uint8_t *p, unsigned int seed)
{
	for (unsigned int i = 0; i < ARENA; i++)
		p[i] = (uint8_t)(i * 131u + seed * 7u + (i >> 8));
}

static int same(const uint8_t *a, const uint8_t *b)
{
	for (unsigned int i = 0; i < ARENA; i++) {
		if (a[i] != b[i])
			return 0;
	}
	return 1;
}

static void test_memcpy(void)
{
	unsigned long bad = 0;

	fill(src, 1);
	for (unsigned int so = 0; so < 16; so++) {
		for (unsigned int d_o = 0; d_o < 16; d_o++) {
			for (unsigned int n = 0; n <= 300; n++) {
				void *r;

				fill(dst, 2);
				fill(want, 2);
				for (unsigned int i = 0; i < n; i++)
					want[64 + d_o + i] = src[64 + so + i];
				r = kmem_memcpy(dst + 64 + d_o, src + 64 + so, n);
				if (!same(dst, want) || r != dst + 64 + d_o)
					bad++;
			}
		}
	}
	CHECK_EQ_UINT(bad, 0);
}

static void test_memmove(void)
{
	unsigned long bad = 0;

	for (unsigned int a = 0; a < 16; a++) {
		for (unsigned int b = 0; b < 24; b++) {
			for (unsigned int n = 0; n <= 200; n += 7) {
				unsigned int from = 64 + a, to = 64 + b;

				fill(dst, 3);
				fill(want, 3);
				for (unsigned int i = 0; i < n; i++)
					want[to + i] = dst[from + i];
				kmem_memmove(dst + to, dst + from, n);
				if (!same(dst, want))
					bad++;
			}
		}
	}
	CHECK_EQ_UINT(bad, 0);
}

static void test_memset(void)
{
	unsigned long bad = 0;

	for (unsigned int o = 0; o < 16; o++) {
		for (unsigned int n = 0; n <= 300; n++) {
			fill(dst, 4);
			fill(want, 4);
			for (unsigned int i = 0; i < n; i++)
				want[64 + o + i] = 0xa5;
			kmem_memset(dst + 64 + o, 0x1a5, n);
			if (!same(dst, want))
				bad++;
		}
	}
	CHECK_EQ_UINT(bad, 0);
}

int main(void)
{
	RUN(test_memcpy);
	RUN(test_memmove);
	RUN(test_memset);
	return ut_summary("kmem");
}
