/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The heap of an rvOS program: statistics and a consistency check of the
 * allocator behind malloc, free, calloc, realloc and aligned_alloc
 * (lib/src/malloc.c, a TLSF allocator: doc/writing-an-app.md, "The heap").
 *
 *   struct rv_malloc_stats s;
 *   rv_malloc_stats(&s);
 *   printf("%zu bytes in %zu blocks\n", (size_t)s.in_use_bytes, (size_t)s.used_blocks);
 *
 * Bytes count whole blocks (header and rounding included), so that
 * arena_bytes == in_use_bytes + free_bytes + overhead_bytes always holds.
 * Neither call allocates, and neither is needed by a program: mallinfo()
 * (<malloc.h>) reports the same figures in its fields.
 */
#ifndef RVOS_MALLOC_H
#define RVOS_MALLOC_H

#include <stddef.h>
#include <stdint.h>

struct rv_malloc_stats {
	uint64_t arena_bytes;    /* taken from the kernel (mem_grow) and not given back */
	uint64_t in_use_bytes;   /* in blocks malloc handed out and nobody freed */
	uint64_t free_bytes;     /* in free blocks and in the top of the heap */
	uint64_t overhead_bytes; /* the allocator's own: its lists, one fence per gap */
	uint64_t largest_free;   /* every malloc() up to this many bytes needs no more memory
				  * from the kernel (a larger one may, see rv_malloc_stats) */
	uint64_t top_bytes;      /* the top: the end of the heap not cut into blocks */
	uint64_t used_blocks;    /* blocks handed out */
	uint64_t free_blocks;    /* free blocks in the lists (the top not counted) */
	uint64_t chunks;         /* mem_grow calls that succeeded */
	uint64_t returned_bytes; /* given back to the kernel, in all (free and malloc_trim) */
	uint64_t trims;          /* the times pages went back */
};

/* Fill *s (zeros before the first malloc). O(1). largest_free is the
 * larger of the top's room and the smallest size of the largest size
 * class holding a free block: malloc takes a block from a class whose
 * every block fits, so a free block larger than its class's smallest is
 * not counted whole. */
void rv_malloc_stats(struct rv_malloc_stats *s);

/* Walk the whole heap and every free list, checking each block's header,
 * its neighbours and the lists' order: 0 when consistent, else -1 with
 * what is wrong written into why (why_len bytes, NUL-terminated); it also
 * checks that the part of the top never written is still zero (calloc
 * counts on it). O(blocks + the top's size): for tests and debugging. */
int rv_malloc_check(char *why, size_t why_len);

#endif /* RVOS_MALLOC_H */
