/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allocator's core (rvheap.c), apart from where its memory comes from
 * and how it reports a bad pointer: lib/src/malloc.c puts malloc & co. on
 * it with the kernel's mem_grow; tests/unit/malloc runs it on the host on
 * an arena of its own. Single-threaded (rvOS processes have one thread).
 */
#ifndef RVOS_RVHEAP_H
#define RVOS_RVHEAP_H

#include <stddef.h>
#include <stdint.h>
#include <rvos/malloc.h>

struct rvheap;

struct rvheap_config {
	/* bytes (a multiple of page) more memory, page-aligned, above every
	 * region it gave before; NULL when there is no more. Right after
	 * the previous region, the heap extends it; elsewhere it starts a new
	 * region (the old one's top becomes a free block). */
	void *(*grow)(size_t bytes);
	/* A pointer that free, realloc or malloc_usable_size (call) refused:
	 * what is wrong ("double free ...", ...) and the pointer. If it
	 * returns, the call does nothing (realloc returns NULL, EINVAL). */
	void (*report)(const char *call, const char *what, const void *ptr);
	size_t chunk; /* the least it asks grow() for (rounded up to page) */
	size_t page;  /* grow()'s unit: a power of two, >= 4096 */
};

/* The control structure lives at the start of the first region: NULL
 * (errno ENOMEM) when grow() gave nothing. */
struct rvheap *rvheap_create(const struct rvheap_config *cfg);

void *rvheap_malloc(struct rvheap *h, size_t n);
void rvheap_free(struct rvheap *h, void *p);
void *rvheap_calloc(struct rvheap *h, size_t count, size_t size);
void *rvheap_realloc(struct rvheap *h, void *p, size_t n);
/* align: a power of two (the caller checks); n bytes at a multiple of it. */
void *rvheap_memalign(struct rvheap *h, size_t align, size_t n);
/* Bytes usable at p (>= what was asked); 0 for NULL or a refused pointer. */
size_t rvheap_usable(struct rvheap *h, const void *p);
void rvheap_stats(struct rvheap *h, struct rv_malloc_stats *s);
/* The whole-heap walk of rv_malloc_check(). */
int rvheap_check(struct rvheap *h, char *why, size_t why_len);

/* The largest n malloc accepts; past it, NULL and ENOMEM at once. */
#define RVHEAP_MAX_REQUEST ((size_t)1 << 35)

#endif /* RVOS_RVHEAP_H */
