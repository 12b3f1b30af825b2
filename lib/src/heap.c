/* SPDX-License-Identifier: Apache-2.0 */
/* sbrk for picolibc's malloc: for now a fixed arena in .bss, sized by
 * CONFIG_USER_HEAP_SIZE. (Heap pages from the kernel come with the memory
 * syscalls of the user-space work.) */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

static char heap[CONFIG_USER_HEAP_SIZE] __attribute__((aligned(16)));
static size_t heap_used;

void *sbrk(ptrdiff_t incr)
{
	void *old = heap + heap_used;

	if (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > sizeof(heap) - heap_used) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_used += incr;
	return old;
}
