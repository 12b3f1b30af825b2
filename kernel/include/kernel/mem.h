/* SPDX-License-Identifier: Apache-2.0 */
/* The memory functions the compiler may call on its own (struct copies,
 * zeroing), plus the few string helpers the kernel uses. */
#ifndef KERNEL_MEM_H
#define KERNEL_MEM_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* KERNEL_MEM_H */
