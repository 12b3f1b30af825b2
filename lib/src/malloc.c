/* SPDX-License-Identifier: Apache-2.0 */
/*
 * malloc & co. for every rvOS program, on rvheap.c (a TLSF allocator: its
 * header says how it works) with the kernel's mem_grow underneath. These
 * objects are linked before picolibc's libc.a, so its allocator is never
 * pulled in: strdup, asprintf, the streams fopen makes... all use this.
 *
 * - malloc, calloc, free: O(1); blocks 16-byte aligned; malloc(0) is a
 *   unique smallest block. calloc fails with ENOMEM when count * size
 *   overflows, and zeroes only what the heap ever wrote (pages from the
 *   kernel are zero).
 * - realloc grows into a free next block or the top of the heap in place,
 *   shrinks in place; realloc(p, 0) shrinks p to the smallest block and
 *   returns it (never NULL and never a freed p).
 * - aligned_alloc, memalign: a power-of-two alignment (EINVAL otherwise);
 *   posix_memalign also needs a multiple of sizeof(void *); valloc and
 *   pvalloc align to a page.
 * - Memory comes from the kernel CONFIG_USER_HEAP_CHUNK bytes at a time at
 *   least, up to CONFIG_USER_HEAP_MAX in all (then NULL and ENOMEM). A
 *   free that leaves more than CONFIG_USER_HEAP_TRIM_KIB free at the
 *   heap's top gives the pages above its first CONFIG_USER_HEAP_CHUNK
 *   bytes back (mem_grow(-size, at)), until the heap has taken back more
 *   than that of the pages it gave (rvheap.c, "Giving back");
 *   malloc_trim(pad) gives back all but pad bytes of the top whenever
 *   asked.
 * - A bad pointer given to free, realloc or malloc_usable_size (a double
 *   free, a pointer malloc did not return, a header overwritten) prints
 *   "malloc: free(0x...): what is wrong" on the kernel's console and
 *   aborts the program (exit status 134).
 * - rv_malloc_stats() and mallinfo() report the heap's figures,
 *   rv_malloc_check() checks all of it (<rvos/malloc.h>).
 * - No locking: a process has one thread.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/malloc.h>
#include <rvos/user.h>

/* The core, its hot paths inlined into malloc, free and the others. */
#define RVHEAP_HOT static inline __attribute__((always_inline))
#define RVHEAP_COLD static __attribute__((unused))
#include "rvheap.c"

#define PAGE_BYTES 4096u

_Static_assert(CONFIG_USER_HEAP_TRIM_KIB == 0 ||
		       (uint64_t)CONFIG_USER_HEAP_TRIM_KIB * 1024 >= 2ull * CONFIG_USER_HEAP_CHUNK,
	       "CONFIG_USER_HEAP_TRIM_KIB must be 0 or at least twice CONFIG_USER_HEAP_CHUNK "
	       "(the hysteresis between giving memory back and taking it again)");

static void *kernel_grow(size_t bytes)
{
	long at = rv_mem_grow(bytes);

	return at < 0 ? NULL : (void *)at;
}

/* -EINVAL when the heap's pages do not end at at + bytes (a program's own
 * mem_grow or sbrk took pages after them): they stay. */
static int kernel_trim(void *at, size_t bytes)
{
	return rv_mem_shrink(at, bytes) < 0 ? -1 : 0;
}

static size_t put(char *to, size_t at, size_t size, const char *s)
{
	while (*s && at < size)
		to[at++] = *s++;
	return at;
}

/* Heap corruption: nothing of the heap (nor stdio, which allocates) can
 * be trusted any more. The message goes straight to the kernel's console,
 * in one write (whole among other programs' lines). */
static void __attribute__((noreturn)) bad_pointer(const char *call, const char *what,
						   const void *p)
{
	char line[200], num[19] = "0x";
	size_t n = 0;
	uintptr_t v = (uintptr_t)p;

	for (int i = 17; i >= 2; i--, v >>= 4)
		num[i] = "0123456789abcdef"[v & 15];
	num[18] = '\0';
	n = put(line, n, sizeof(line) - 1, "malloc: ");
	n = put(line, n, sizeof(line) - 1, call);
	n = put(line, n, sizeof(line) - 1, "(");
	n = put(line, n, sizeof(line) - 1, num);
	n = put(line, n, sizeof(line) - 1, "): ");
	n = put(line, n, sizeof(line) - 1, what);
	line[n++] = '\n';
	rv_debug_write(line, n);
	abort();
}

/* Empty until the first allocation (the top is NULL: no room). */
static struct rvheap heap = {
	.cfg = {
		.grow = kernel_grow,
		.report = bad_pointer,
		.chunk = CONFIG_USER_HEAP_CHUNK,
		.page = PAGE_BYTES,
		.trim = kernel_trim,
		.trim_threshold = CONFIG_USER_HEAP_TRIM_KIB ? (size_t)CONFIG_USER_HEAP_TRIM_KIB << 10
							    : SIZE_MAX,
	},
};

void *malloc(size_t n)
{
	return rvheap_malloc(&heap, n);
}

void free(void *p)
{
	rvheap_free(&heap, p);
}

void cfree(void *p)
{
	rvheap_free(&heap, p);
}

void *calloc(size_t count, size_t size)
{
	return rvheap_calloc(&heap, count, size);
}

void *realloc(void *p, size_t n)
{
	return rvheap_realloc(&heap, p, n);
}

static int power_of_two(size_t a)
{
	return a && !(a & (a - 1));
}

void *memalign(size_t align, size_t n)
{
	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	return rvheap_memalign(&heap, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	int saved = errno;
	void *p;

	if (!power_of_two(align) || align % sizeof(void *))
		return EINVAL;
	p = memalign(align, n);
	errno = saved;
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	return memalign(PAGE_BYTES, n);
}

void *pvalloc(size_t n)
{
	if (n > SIZE_MAX - PAGE_BYTES) {
		errno = ENOMEM;
		return NULL;
	}
	return memalign(PAGE_BYTES, (n + PAGE_BYTES - 1) & ~(size_t)(PAGE_BYTES - 1));
}

size_t malloc_usable_size(void *p)
{
	return rvheap_usable(&heap, p);
}

void rv_malloc_stats(struct rv_malloc_stats *s)
{
	rvheap_stats(&heap, s);
}

int rv_malloc_check(char *why, size_t why_len)
{
	if (why && why_len)
		why[0] = '\0';
	return rvheap_check(&heap, why, why_len);
}

struct mallinfo mallinfo(void)
{
	struct rv_malloc_stats s;
	struct mallinfo m = { 0 };

	rv_malloc_stats(&s);
	m.arena = s.arena_bytes;
	m.ordblks = s.free_blocks;
	m.uordblks = s.in_use_bytes;
	m.fordblks = s.free_bytes;
	m.keepcost = s.top_bytes;
	return m;
}

void malloc_stats(void)
{
	struct rv_malloc_stats s;

	rv_malloc_stats(&s);
	fprintf(stderr,
		"malloc: arena %lu bytes in %lu chunks: %lu in use in %lu blocks, %lu free "
		"in %lu blocks + the top's %lu, %lu the allocator's; largest free %lu; %lu "
		"given back in %lu trims\n",
		(unsigned long)s.arena_bytes, (unsigned long)s.chunks,
		(unsigned long)s.in_use_bytes, (unsigned long)s.used_blocks,
		(unsigned long)(s.free_bytes - s.top_bytes), (unsigned long)s.free_blocks,
		(unsigned long)s.top_bytes, (unsigned long)s.overhead_bytes,
		(unsigned long)s.largest_free, (unsigned long)s.returned_bytes,
		(unsigned long)s.trims);
}

int mallopt(int param, int value)
{
	(void)param;
	(void)value;
	return 0; /* nothing to tune at run time: see CONFIG_USER_MALLOC_* */
}

int malloc_trim(size_t pad)
{
	return rvheap_trim(&heap, pad);
}
