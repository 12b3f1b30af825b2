/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rv_copy: memcpy a word at a time, also when source and destination are
 * not aligned alike (the destination is aligned first, a misaligned source
 * is read in aligned words and shifted into place). picolibc's memcpy for
 * rvOS copies byte by byte, and misaligned loads trap on RISC-V; bulk data
 * (file reads and writes through message bytes) uses this instead. The
 * aligned words read around the source never leave the words holding its
 * first and last byte, so never another page. Pure C: builds on the host.
 */
#ifndef RVOS_COPY_H
#define RVOS_COPY_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t __attribute__((may_alias)) rv_copy_word;

static inline void rv_copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	unsigned int off;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = *s++;
		n--;
	}
	off = (uintptr_t)s & 7;
	if (off == 0) {
		rv_copy_word *wd = (rv_copy_word *)d;
		const rv_copy_word *ws = (const rv_copy_word *)s;

		for (; n >= 32; n -= 32, wd += 4, ws += 4) {
			uint64_t a = ws[0], b = ws[1], c = ws[2], e = ws[3];

			wd[0] = a;
			wd[1] = b;
			wd[2] = c;
			wd[3] = e;
		}
		for (; n >= 8; n -= 8)
			*wd++ = *ws++;
		d = (uint8_t *)wd;
		s = (const uint8_t *)ws;
	} else if (n >= 8) {
		const unsigned int sh = off * 8;
		const rv_copy_word *ws = (const rv_copy_word *)(s - off);
		rv_copy_word *wd = (rv_copy_word *)d;
		uint64_t lo = *ws++;

		/* Each round needs the word after the source's next 8 bytes
		 * start: it holds their last byte. */
		for (; n >= 32; n -= 32, wd += 4, ws += 4) {
			uint64_t a = ws[0], b = ws[1], c = ws[2], hi = ws[3];

			wd[0] = (lo >> sh) | (a << (64 - sh));
			wd[1] = (a >> sh) | (b << (64 - sh));
			wd[2] = (b >> sh) | (c << (64 - sh));
			wd[3] = (c >> sh) | (hi << (64 - sh));
			lo = hi;
		}
		for (; n >= 8; n -= 8) {
			uint64_t hi = *ws++;

			*wd++ = (lo >> sh) | (hi << (64 - sh));
			lo = hi;
		}
		d = (uint8_t *)wd;
		s = (const uint8_t *)ws - 8 + off;
	}
	while (n--)
		*d++ = *s++;
}

/* memset(dst, 0, n) a word at a time. */
static inline void rv_zero(void *dst, size_t n)
{
	uint8_t *d = dst;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = 0;
		n--;
	}
	for (; n >= 32; n -= 32, d += 32) {
		rv_copy_word *w = (rv_copy_word *)d;

		w[0] = 0;
		w[1] = 0;
		w[2] = 0;
		w[3] = 0;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(rv_copy_word *)d = 0;
	while (n--)
		*d++ = 0;
}

/* memmove of n bytes when dst, src and n are all multiples of 8 (arrays
 * of structures holding a 64-bit field). */
static inline void rv_move_words(void *dst, const void *src, size_t n)
{
	rv_copy_word *d = dst;
	const rv_copy_word *s = src;
	size_t w = n / 8;

	if (d < s) {
		for (size_t i = 0; i < w; i++)
			d[i] = s[i];
	} else if (d > s) {
		while (w--)
			d[w] = s[w];
	}
}

#endif /* RVOS_COPY_H */
