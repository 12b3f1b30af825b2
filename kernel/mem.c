/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memcpy and memset at memory speed: 8-byte words, eight (memcpy) or
 * sixteen (memset) per loop turn.
 * A copy whose source and destination are not aligned alike still moves
 * words: each destination word is built from the two source words it
 * straddles (shifts, little-endian), so only the head that aligns the
 * destination and the tail under a word go byte by byte. Aligned word
 * loads never cross a page, so reading a whole word around the last
 * source byte touches nothing the caller did not hand over.
 */
#include <stdint.h>
#include <kernel/mem.h>
#include <kernel/util.h>

/* With CONFIG_KERNEL_SIZE_OPTIMIZATIONS the word loops fold away: bytes
 * one at a time, in a few dozen bytes of code. */
#define WORDS_TOO (!IS_ENABLED(CONFIG_KERNEL_SIZE_OPTIMIZATIONS))

typedef uint64_t __attribute__((may_alias)) word_t;

/* Below this, the set-up costs more than byte moves. */
#define WORD_COPY_MIN 16

/* (used: with CONFIG_KERNEL_LTO the compiler emits calls to these four
 * after it has decided what the program uses) */
__attribute__((used)) void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (WORDS_TOO && n >= WORD_COPY_MIN) {
		size_t head = -(uintptr_t)d & 7;
		unsigned int off;

		n -= head;
		while (head--)
			*d++ = *s++;
		off = (uintptr_t)s & 7;
		if (!off) {
			for (; n >= 64; n -= 64, d += 64, s += 64) {
				const word_t *sw = (const word_t *)s;
				word_t *dw = (word_t *)d;
				word_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
				word_t f = sw[4], g = sw[5], h = sw[6], i = sw[7];

				dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e;
				dw[4] = f, dw[5] = g, dw[6] = h, dw[7] = i;
			}
			for (; n >= 8; n -= 8, d += 8, s += 8)
				*(word_t *)d = *(const word_t *)s;
		} else {
			/* d is aligned, s is not: word i of d is the high bytes of
			 * source word i and the low bytes of word i + 1. */
			const word_t *sw = (const word_t *)(s - off);
			unsigned int rs = off * 8, ls = 64 - rs;
			word_t lo = *sw++;

			for (; n >= 16; n -= 16, d += 16, s += 16, sw += 2) {
				word_t mid = sw[0], hi = sw[1];

				((word_t *)d)[0] = (lo >> rs) | (mid << ls);
				((word_t *)d)[1] = (mid >> rs) | (hi << ls);
				lo = hi;
			}
			if (n >= 8) {
				*(word_t *)d = (lo >> rs) | (*sw << ls);
				n -= 8, d += 8, s += 8;
			}
		}
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

__attribute__((used)) void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

__attribute__((used)) void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (WORDS_TOO && n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	if (WORDS_TOO && n >= 8) {
		word_t w = 0x0101010101010101ULL * (unsigned char)c;

		/* 16 stores a turn: a page (frame_alloc zeroes every one:
		 * 30-odd a spawn) in 32 turns of 18 instructions. */
		for (; n >= 128; n -= 128, d += 128) {
			word_t *dw = (word_t *)d;

			dw[0] = w, dw[1] = w, dw[2] = w, dw[3] = w;
			dw[4] = w, dw[5] = w, dw[6] = w, dw[7] = w;
			dw[8] = w, dw[9] = w, dw[10] = w, dw[11] = w;
			dw[12] = w, dw[13] = w, dw[14] = w, dw[15] = w;
		}
		for (; n >= 8; n -= 8, d += 8)
			*(word_t *)d = w;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

__attribute__((used)) int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}
