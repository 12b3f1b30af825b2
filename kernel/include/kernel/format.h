/* SPDX-License-Identifier: Apache-2.0 */
/*
 * printf-style formatting without libc.
 *
 * One engine (fmt_vformat) feeds characters to a caller-supplied sink, so the
 * console, log buffer and snprintf all share the same conversion code.
 *
 * Supported: %d %i %u %x %X %o %p %s %c %%, length modifiers hh h l ll z,
 * flags - 0 + space #, field width and precision (both may be '*').
 * Differences from C99 worth knowing:
 *  - %p prints "0x" and the value zero-padded to 2 * sizeof(void *) lower-case
 *    hex digits (16 on rv64), NULL included; only width and '-' apply to it.
 *  - %s with NULL prints "(null)" (cut by the precision like any string).
 *  - An unknown conversion is copied to the output verbatim, e.g. "%q" or
 *    "%-5q"; a '%' at the very end of the format is printed as is. Arguments
 *    already taken by '*' in such a directive stay consumed.
 *  - Floating point, %n and positional arguments are not supported (%n is
 *    "unknown" and printed literally, it never writes through a pointer).
 *  - The returned count saturates at INT_MAX rather than overflowing.
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each produced character in order; ctx is passed through untouched. */
typedef void (*fmt_out_fn)(void *ctx, char c);

/* Format into a sink. Returns the number of characters passed to out. */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);

/*
 * C99-style snprintf: writes at most size - 1 characters plus a NUL when
 * size > 0 (buf may be NULL when size is 0), and returns the length the full
 * output would have had, so a return >= size means it was truncated.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* KERNEL_FORMAT_H */
