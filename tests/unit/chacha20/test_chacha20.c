// SPDX-License-Identifier: Apache-2.0
/*
 * Known answers for the ChaCha20 block function (kernel/chacha20.c), the
 * core of the kernel's CSPRNG (kernel/random.c): RFC 8439 section 2.3.2
 * (the block function's test vector) and appendix A.1 test vector #1
 * (all-zero key and nonce, counter 0). Bytes are as printed in the RFC.
 */
#include <stdint.h>
#include <string.h>

#include <kernel/chacha20.h>

#include "unittest.h"

static void words_le(const uint8_t *bytes, uint32_t *w, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
		       (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
}

static void test_rfc8439_2_3_2(void)
{
	static const uint8_t expect[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3,
		0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22,
		0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa,
		0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1,
		0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	static const uint8_t nonce_bytes[12] = {0x00, 0x00, 0x00, 0x09, 0x00, 0x00,
						0x00, 0x4a, 0x00, 0x00, 0x00, 0x00};
	uint8_t key_bytes[32], out[64];
	uint32_t key[8], nonce[3];

	/* Key 00:01:02:...:1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00,
	 * block count 1. */
	for (int i = 0; i < 32; i++)
		key_bytes[i] = (uint8_t)i;
	words_le(key_bytes, key, 8);
	words_le(nonce_bytes, nonce, 3);
	chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, expect, sizeof(out)) == 0);
	/* The RFC's first state word after the block function: 0xe4e7f110. */
	CHECK_EQ_UINT((uint32_t)out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16 |
			   (uint32_t)out[3] << 24,
		   0xe4e7f110u);
}

static void test_rfc8439_a_1_vector_1(void)
{
	static const uint8_t expect[64] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53,
		0x86, 0xbd, 0x28, 0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36,
		0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7, 0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48,
		0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37, 0x6a, 0x43, 0xb8, 0xf4,
		0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
	};
	uint32_t key[8] = {0}, nonce[3] = {0};
	uint8_t out[64];

	chacha20_block(key, 0, nonce, out);
	CHECK(memcmp(out, expect, sizeof(out)) == 0);
}

/* Counter and nonce change the block: the CSPRNG relies on it. */
static void test_counter_changes_block(void)
{
	uint32_t key[8] = {1, 2, 3, 4, 5, 6, 7, 8}, nonce[3] = {9, 10, 11};
	uint8_t a[64], b[64], c[64];

	chacha20_block(key, 0, nonce, a);
	chacha20_block(key, 1, nonce, b);
	nonce[2]++;
	chacha20_block(key, 0, nonce, c);
	CHECK(memcmp(a, b, 64) != 0);
	CHECK(memcmp(a, c, 64) != 0);
}

int main(void)
{
	RUN(test_rfc8439_2_3_2);
	RUN(test_rfc8439_a_1_vector_1);
	RUN(test_counter_changes_block);
	return ut_summary("chacha20");
}
