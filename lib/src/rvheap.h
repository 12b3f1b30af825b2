/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allocator's core (rvheap.c), apart from where its memory comes from
 * and how it reports a bad pointer: lib/src/malloc.c puts malloc & co. on
 * it with the kernel's mem_grow (including rvheap.c, so that the hot
 * paths inline into malloc and free); tests/unit/malloc runs it on the
 * host on an arena of its own. Single-threaded (rvOS processes have one
 * thread).
 */
#ifndef RVOS_RVHEAP_H
#define RVOS_RVHEAP_H

#include <stddef.h>
#include <stdint.h>
#include <rvos/malloc.h>

#ifndef CONFIG_USER_MALLOC_SL_LOG2
#define CONFIG_USER_MALLOC_SL_LOG2 4
#endif
#if CONFIG_USER_MALLOC_SL_LOG2 < 2 || CONFIG_USER_MALLOC_SL_LOG2 > 5
#error "CONFIG_USER_MALLOC_SL_LOG2 must be 2..5"
#endif
/* Granule counts stay below 2^32 (RVHEAP_MAX_REQUEST): first-level
 * indexes below 33 - S. */
#define RVHEAP_FL_COUNT (33 - CONFIG_USER_MALLOC_SL_LOG2)

/* The largest n malloc accepts; past it, NULL and ENOMEM at once. */
#define RVHEAP_MAX_REQUEST ((size_t)1 << 35)

/* The functions' linkage: extern on the host, static and inlined where
 * malloc.c includes rvheap.c. */
#ifndef RVHEAP_HOT
#define RVHEAP_HOT
#endif
#ifndef RVHEAP_COLD
#define RVHEAP_COLD
#endif

struct rvheap_config {
	/* bytes (a multiple of page) more zeroed memory, page-aligned, above
	 * every region it gave before; NULL when there is no more. Right
	 * after the previous region, the heap extends it; elsewhere it
	 * starts a new region (the old one's top becomes a free block). */
	void *(*grow)(size_t bytes);
	/* A pointer that free, realloc or malloc_usable_size (call) refused:
	 * what is wrong ("double free ...", ...) and the pointer. If it
	 * returns, the call does nothing (realloc returns NULL, EINVAL). */
	void (*report)(const char *call, const char *what, const void *ptr);
	size_t chunk; /* the least it asks grow() for (rounded up to page) */
	size_t page;  /* grow()'s unit: a power of two, >= 4096 */
	/* Give [at, at + bytes) back: whole pages at the end of the region
	 * grow() gave last, where its memory ended. 0, or -1 when they
	 * cannot go (the heap then stops trying). NULL: never. */
	int (*trim)(void *at, size_t bytes);
	/* free gives back the top above chunk bytes (rounded to a page) when
	 * it exceeds this many; at least 2 x chunk, so that blocks smaller
	 * than chunk never make the heap shrink and grow in turn. 0 with no
	 * trim(). The heap sets it to SIZE_MAX when free stops giving back
	 * (rvheap.c, "Giving back"). */
	size_t trim_threshold;
};

struct rvheap_node {
	struct rvheap_node *next, *prev;
};

/* The heap's state: static in a program (rvheap_init), the list heads in
 * its first region. rvheap.c's header says what each part means. */
struct rvheap {
	char *top;   /* payload address of the top block (NULL: no memory yet) */
	char *end;   /* end of the current region */
	char *clean; /* [clean, end) was never written (clean >= top) */
	char *lo;    /* the lowest payload address */
	uint32_t fl_map;
	uint32_t sl_map[RVHEAP_FL_COUNT];
	struct rvheap_node *heads; /* the lists' heads, at the first region's start */
	char *region;              /* first payload of the current region */
	uint64_t used_bytes, used_blocks, free_blocks;
	uint64_t arena_bytes, overhead_bytes, chunks;
	uint64_t peak_bytes;     /* the most arena_bytes ever was */
	uint64_t retaken_bytes;  /* grown back below peak_bytes, in all */
	uint64_t returned_bytes, trims; /* given back with cfg.trim, and how often */
	struct rvheap_config cfg;
};

/* An empty heap: memory comes at the first allocation. */
RVHEAP_COLD void rvheap_init(struct rvheap *h, const struct rvheap_config *cfg);

RVHEAP_HOT void *rvheap_malloc(struct rvheap *h, size_t n);
RVHEAP_HOT void rvheap_free(struct rvheap *h, void *p);
RVHEAP_HOT void *rvheap_calloc(struct rvheap *h, size_t count, size_t size);
RVHEAP_HOT void *rvheap_realloc(struct rvheap *h, void *p, size_t n);
/* align: a power of two (the caller checks); n bytes at a multiple of it. */
RVHEAP_HOT void *rvheap_memalign(struct rvheap *h, size_t align, size_t n);
/* Bytes usable at p (>= what was asked); 0 for NULL or a refused pointer. */
RVHEAP_HOT size_t rvheap_usable(struct rvheap *h, const void *p);
RVHEAP_COLD void rvheap_stats(const struct rvheap *h, struct rv_malloc_stats *s);
/* The whole-heap walk of rv_malloc_check(). */
RVHEAP_COLD int rvheap_check(struct rvheap *h, char *why, size_t why_len);
/* Give back the top above keep bytes (rounded up to a page) now, whatever
 * the threshold (malloc_trim): 1 when pages went back, else 0. */
RVHEAP_COLD int rvheap_trim(struct rvheap *h, size_t keep);

#endif /* RVOS_RVHEAP_H */
