/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small bounded string helpers for kernel code.
 *
 * The kernel is built -ffreestanding -nostdlib, so libc's <string.h> is not
 * available. These are static inline so every user gets its own copy and no
 * link-time dependency appears. Names carry a k_ prefix so they never clash
 * with the libc functions host unit tests link against.
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include <stdbool.h>
#include <stddef.h>

/* Length of s, but never looking at more than max bytes (max if no NUL). */
static inline size_t k_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Length of a NUL-terminated string the caller vouches for. */
static inline size_t k_strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* How many strings buf[0, len) holds: its NULs (spawn's argument and
 * environment buffers, whose last byte is a NUL). */
static inline size_t k_strings_count(const char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	return n;
}

/* True if the first n bytes of a and b are equal. */
static inline bool k_memeq(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a;
	const unsigned char *pb = b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pa[i] != pb[i])
			return false;
	}
	return true;
}

/* True if two NUL-terminated strings are equal. */
static inline bool k_streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Copy at most size - 1 bytes of src and always terminate (size > 0). */
static inline void k_strlcpy(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	if (!size)
		return;
	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

#endif /* KERNEL_STRING_H */
