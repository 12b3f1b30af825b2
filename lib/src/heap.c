/* SPDX-License-Identifier: Apache-2.0 */
/* sbrk, for a program that calls it itself (malloc does not: malloc.c
 * takes its pages with mem_grow and copes with pages taken in between), on
 * pages from the kernel: the break moves inside memory already granted,
 * and grows by at least CONFIG_USER_HEAP_CHUNK bytes per mem_grow call. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <rvos/user.h>

#define PAGE_BYTES 4096u

static uintptr_t heap_start, heap_break, heap_granted;

void *sbrk(ptrdiff_t incr)
{
	uintptr_t old = heap_break;

	if (!heap_start) {
		long at = rv_mem_grow(CONFIG_USER_HEAP_CHUNK);
		if (at < 0)
			goto out_nomem;
		heap_start = heap_break = (uintptr_t)at;
		heap_granted = heap_start + CONFIG_USER_HEAP_CHUNK;
		old = heap_break;
	}
	if (incr < 0) {
		if ((uintptr_t)-incr > heap_break - heap_start)
			goto out_nomem;
	} else if ((uintptr_t)incr > heap_granted - heap_break) {
		uintptr_t need = (uintptr_t)incr - (heap_granted - heap_break);
		uintptr_t grow = need < CONFIG_USER_HEAP_CHUNK ? CONFIG_USER_HEAP_CHUNK : need;
		long at;

		grow = (grow + PAGE_BYTES - 1) & ~(uintptr_t)(PAGE_BYTES - 1);
		at = rv_mem_grow(grow);
		if (at < 0 || (uintptr_t)at != heap_granted)
			goto out_nomem;
		heap_granted += grow;
	}
	heap_break += incr;
	return (void *)old;

out_nomem:
	errno = ENOMEM;
	return (void *)-1;
}
