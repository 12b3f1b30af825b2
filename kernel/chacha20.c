/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ChaCha20 block function, written from the description in RFC 8439
 * (section 2.1: the quarter round; 2.3: the state and the block).
 */
#include <kernel/chacha20.h>

/* "expand 32-byte k" as four little-endian words (2.3). */
#define SIGMA0 0x61707865u
#define SIGMA1 0x3320646eu
#define SIGMA2 0x79622d32u
#define SIGMA3 0x6b206574u
/* 20 rounds: 10 times a column round and a diagonal round (2.3). */
#define DOUBLE_ROUNDS 10

static inline uint32_t rotl(uint32_t v, unsigned int n)
{
	return (v << n) | (v >> (32 - n));
}

/* 2.1: a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12; then 8, 7. */
static inline void quarter(uint32_t s[16], int a, int b, int c, int d)
{
	s[a] += s[b];
	s[d] = rotl(s[d] ^ s[a], 16);
	s[c] += s[d];
	s[b] = rotl(s[b] ^ s[c], 12);
	s[a] += s[b];
	s[d] = rotl(s[d] ^ s[a], 8);
	s[c] += s[d];
	s[b] = rotl(s[b] ^ s[c], 7);
}

void chacha20_block(const uint32_t key[CHACHA20_KEY_WORDS], uint32_t counter,
		    const uint32_t nonce[CHACHA20_NONCE_WORDS], uint8_t out[CHACHA20_BLOCK_BYTES])
{
	uint32_t init[16], s[16];

	/* 2.3: constants, key, counter, nonce, in that order. */
	init[0] = SIGMA0;
	init[1] = SIGMA1;
	init[2] = SIGMA2;
	init[3] = SIGMA3;
	for (int i = 0; i < CHACHA20_KEY_WORDS; i++)
		init[4 + i] = key[i];
	init[12] = counter;
	for (int i = 0; i < CHACHA20_NONCE_WORDS; i++)
		init[13 + i] = nonce[i];
	for (int i = 0; i < 16; i++)
		s[i] = init[i];
	for (int r = 0; r < DOUBLE_ROUNDS; r++) {
		/* columns */
		quarter(s, 0, 4, 8, 12);
		quarter(s, 1, 5, 9, 13);
		quarter(s, 2, 6, 10, 14);
		quarter(s, 3, 7, 11, 15);
		/* diagonals */
		quarter(s, 0, 5, 10, 15);
		quarter(s, 1, 6, 11, 12);
		quarter(s, 2, 7, 8, 13);
		quarter(s, 3, 4, 9, 14);
	}
	/* Add the input state back in, then serialize little-endian. */
	for (int i = 0; i < 16; i++) {
		uint32_t v = s[i] + init[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}
