// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for the buddy allocator (kernel/buddy.c) and the frame layer on
 * top of it (kernel/frame.c).
 *
 * Zones live in heap arenas aligned to the largest block, so block alignment
 * can be checked on real addresses. The allocator keeps its free-list links
 * inside free pages; the stress test fills every allocated block with a tag
 * and checks it at free time, so an allocator that writes into memory it has
 * handed out is caught. Written to hold for any CONFIG_FRAME_MAX_ORDER >= 2
 * (testcase.yaml runs it with a small and the default order).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rvos/errno.h>
#include <kernel/buddy.h>
#include <kernel/frame.h>
#include <kernel/page.h>

#include "unittest.h"

#define MAX_ORDER CONFIG_FRAME_MAX_ORDER
#define MAX_BLOCK ((uintptr_t)PAGE_SIZE << MAX_ORDER)

_Static_assert(CONFIG_FRAME_MAX_ORDER >= 2, "the zone shapes below assume order 2 or more");

/* ---- panic stub: frame.c panics on bad frees; tests catch it with longjmp ---- */

static jmp_buf panic_jmp;
static bool panic_armed;
static char panic_msg[256];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	if (panic_armed)
		longjmp(panic_jmp, 1);
	fprintf(stderr, "unexpected panic: %s\n", panic_msg);
	abort();
}

/* Run stmt, which must panic; a message fragment the panic must contain. */
#define EXPECT_PANIC(stmt, fragment)                                                   \
	do {                                                                           \
		panic_msg[0] = '\0';                                                   \
		panic_armed = true;                                                    \
		if (setjmp(panic_jmp) == 0) {                                          \
			stmt;                                                          \
			ut_check(0, "expected a panic from " #stmt, __FILE__, __LINE__); \
		} else {                                                               \
			CHECK(strstr(panic_msg, fragment) != NULL);                    \
		}                                                                      \
		panic_armed = false;                                                   \
	} while (0)

/* ---- arenas ---- */

/* A fresh heap block of at least size bytes aligned to the largest buddy block. */
static uintptr_t arena_new(size_t size)
{
	size_t rounded = (size + MAX_BLOCK - 1) / MAX_BLOCK * MAX_BLOCK;
	void *p = aligned_alloc(MAX_BLOCK, rounded);

	if (!p)
		abort();
	memset(p, 0x5a, rounded);
	return (uintptr_t)p;
}

static void arena_free(uintptr_t a)
{
	free((void *)a);
}

static size_t pages_of(unsigned int order)
{
	return (size_t)1 << order;
}

/*
 * A zone whose managed pages are exactly [managed, managed + pages * PAGE_SIZE):
 * the metadata goes just below. The arena gets MAX_BLOCK of headroom below
 * managed so any metadata size fits.
 */
static int zone_at(struct buddy_zone *z, uintptr_t managed, size_t pages)
{
	uintptr_t end = managed + pages * PAGE_SIZE;
	size_t m;

	for (m = PAGE_SIZE; m < MAX_BLOCK; m += PAGE_SIZE) {
		if (buddy_meta_size(managed - m, end) == m)
			return buddy_init(z, managed - m, end);
	}
	return -1;
}

/* ---- init ---- */

static void test_init(void)
{
	struct buddy_zone z;
	uintptr_t a = arena_new(2 * MAX_BLOCK + 16 * PAGE_SIZE);

	CHECK_EQ_INT(buddy_init(&z, a + PAGE_SIZE, a + PAGE_SIZE), -RV_EINVAL);
	CHECK_EQ_INT(buddy_init(&z, a + 2 * PAGE_SIZE, a), -RV_EINVAL);
	CHECK_EQ_INT(buddy_init(&z, a + 1, a + PAGE_SIZE + 5), -RV_ENOMEM); /* no whole page */
	CHECK_EQ_INT(buddy_init(&z, a, a + PAGE_SIZE), -RV_ENOMEM);         /* metadata only */
	CHECK_EQ_INT(buddy_init(&z, UINTPTR_MAX - 100, UINTPTR_MAX), -RV_ENOMEM);
	CHECK_EQ_UINT(buddy_meta_size(a, a + PAGE_SIZE), 0);
	CHECK_EQ_UINT(buddy_meta_size(a, a), 0);

	/* Two pages: one of metadata, one managed. */
	CHECK_EQ_INT(buddy_init(&z, a, a + 2 * PAGE_SIZE), 0);
	CHECK_EQ_UINT(buddy_total_pages(&z), 1);
	CHECK_EQ_UINT(buddy_free_pages(&z), 1);
	CHECK_EQ_UINT(z.base, a + PAGE_SIZE);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_UINT(buddy_alloc(&z, 0), a + PAGE_SIZE);
	CHECK_EQ_UINT(buddy_alloc(&z, 0), 0);
	CHECK_EQ_INT(buddy_free(&z, a + PAGE_SIZE, 0), 0);

	/* Unaligned bounds are rounded inward. */
	CHECK_EQ_INT(buddy_init(&z, a + 100, a + 10 * PAGE_SIZE + 5), 0);
	CHECK_EQ_UINT(z.base, a + 2 * PAGE_SIZE);
	CHECK_EQ_UINT(z.end, a + 10 * PAGE_SIZE);
	CHECK_EQ_UINT(buddy_total_pages(&z), 8);
	CHECK_EQ_UINT(buddy_meta_size(a + 100, a + 10 * PAGE_SIZE + 5), PAGE_SIZE);
	CHECK_EQ_INT(buddy_check(&z), 0);

	/* One metadata page describes up to 4096 pages; 4097 managed need two. */
	CHECK_EQ_UINT(buddy_meta_size(0x80000000UL, 0x80000000UL + 4097 * PAGE_SIZE), PAGE_SIZE);
	CHECK_EQ_UINT(buddy_meta_size(0x80000000UL, 0x80000000UL + 4098 * PAGE_SIZE),
		      2 * PAGE_SIZE);
	arena_free(a);
}

/* ---- split, coalesce, alignment ---- */

static void test_split_coalesce(void)
{
	struct buddy_zone z;
	uintptr_t a = arena_new(3 * MAX_BLOCK);
	uintptr_t base = a + MAX_BLOCK, p0, p1, p2, big;

	/* Exactly one block of the largest order. */
	if (!CHECK_EQ_INT(zone_at(&z, base, pages_of(MAX_ORDER)), 0))
		return;
	CHECK_EQ_UINT(buddy_total_pages(&z), pages_of(MAX_ORDER));
	CHECK_EQ_UINT(buddy_free_pages(&z), pages_of(MAX_ORDER));

	p0 = buddy_alloc(&z, 0);
	CHECK_EQ_UINT(p0, base);
	CHECK_EQ_UINT(buddy_free_pages(&z), pages_of(MAX_ORDER) - 1);
	CHECK_EQ_INT(buddy_check(&z), 0);
	p1 = buddy_alloc(&z, 0);
	CHECK_EQ_UINT(p1, base + PAGE_SIZE);	/* the buddy split off for p0 */
	p2 = buddy_alloc(&z, 1);
	CHECK_EQ_UINT(p2, base + 2 * PAGE_SIZE);
	CHECK_EQ_INT(buddy_check(&z), 0);

	/* The whole block is no longer available until everything is back. */
	CHECK_EQ_UINT(buddy_alloc(&z, MAX_ORDER), 0);
	CHECK_EQ_INT(buddy_free(&z, p0, 0), 0);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_UINT(buddy_alloc(&z, MAX_ORDER), 0);
	CHECK_EQ_INT(buddy_free(&z, p2, 1), 0);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_UINT(buddy_alloc(&z, MAX_ORDER), 0);
	CHECK_EQ_INT(buddy_free(&z, p1, 0), 0);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), pages_of(MAX_ORDER));

	big = buddy_alloc(&z, MAX_ORDER);
	CHECK_EQ_UINT(big, base);
	CHECK_EQ_UINT(buddy_free_pages(&z), 0);
	CHECK_EQ_UINT(buddy_alloc(&z, 0), 0);
	CHECK_EQ_INT(buddy_free(&z, big, MAX_ORDER), 0);
	CHECK_EQ_UINT(buddy_alloc(&z, MAX_ORDER + 1), 0);	/* beyond the largest order */
	CHECK_EQ_INT(buddy_check(&z), 0);
	arena_free(a);
}

static void test_alignment(void)
{
	struct buddy_zone z;
	uintptr_t a = arena_new(6 * MAX_BLOCK);
	/* Odd start and length so the zone edges hold small, oddly placed blocks. */
	uintptr_t base = a + MAX_BLOCK + 3 * PAGE_SIZE;
	size_t total = 4 * pages_of(MAX_ORDER) - 5;
	unsigned int order;

	if (!CHECK_EQ_INT(zone_at(&z, base, total), 0))
		return;
	for (order = 0; order <= MAX_ORDER; order++) {
		uintptr_t got[4];
		unsigned int i, n = 0;

		for (i = 0; i < 4; i++) {
			uintptr_t p = buddy_alloc(&z, order);

			if (!p)
				continue;
			got[n++] = p;
			CHECK_EQ_UINT(p % ((uintptr_t)PAGE_SIZE << order), 0);
			CHECK(p >= z.base && p + ((uintptr_t)PAGE_SIZE << order) <= z.end);
		}
		CHECK(n >= 2);	/* three whole largest blocks fit, so some of each order */
		CHECK_EQ_INT(buddy_check(&z), 0);
		while (n--)
			CHECK_EQ_INT(buddy_free(&z, got[n], order), 0);
		CHECK_EQ_UINT(buddy_free_pages(&z), total);
	}
	CHECK_EQ_INT(buddy_check(&z), 0);
	arena_free(a);
}

/* ---- exhaustion ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Size-aligned blocks of the order lying wholly inside the zone. */
static size_t aligned_blocks_inside(const struct buddy_zone *z, unsigned int order)
{
	uintptr_t size = (uintptr_t)PAGE_SIZE << order;
	uintptr_t first = (z->base + size - 1) & ~(size - 1);
	uintptr_t last = z->end & ~(size - 1);

	return last > first ? (last - first) / size : 0;
}

static void test_exhaustion(void)
{
	struct buddy_zone z;
	uintptr_t a = arena_new(4 * MAX_BLOCK + 8 * PAGE_SIZE);
	size_t total = 2 * pages_of(MAX_ORDER) + 7;
	uintptr_t *pages = calloc(total + 1, sizeof(*pages));
	size_t n = 0, i;
	unsigned int order;

	if (!pages || !CHECK_EQ_INT(zone_at(&z, a + MAX_BLOCK + PAGE_SIZE, total), 0))
		return;
	while ((pages[n] = buddy_alloc(&z, 0)) != 0 && n <= total)
		n++;
	CHECK_EQ_UINT(n, total);
	CHECK_EQ_UINT(buddy_free_pages(&z), 0);
	for (order = 0; order <= MAX_ORDER; order++)
		CHECK_EQ_UINT(buddy_alloc(&z, order), 0);
	CHECK_EQ_INT(buddy_check(&z), 0);

	/* Give back in a shuffled order: merging must still recover everything. */
	rng_state = 12345;
	for (i = n; i > 1; i--) {
		size_t j = rng() % i;
		uintptr_t t = pages[i - 1];

		pages[i - 1] = pages[j];
		pages[j] = t;
	}
	for (i = 0; i < n; i++)
		CHECK_EQ_INT(buddy_free(&z, pages[i], 0), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total);
	CHECK_EQ_INT(buddy_check(&z), 0);

	/* Fully merged again: every largest block inside the zone comes back. */
	n = 0;
	while ((pages[n] = buddy_alloc(&z, MAX_ORDER)) != 0)
		n++;
	CHECK_EQ_UINT(n, aligned_blocks_inside(&z, MAX_ORDER));
	CHECK(n >= 1);
	while (n--)
		CHECK_EQ_INT(buddy_free(&z, pages[n], MAX_ORDER), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total);
	free(pages);
	arena_free(a);
}

/* ---- reserve ---- */

/* Allocate every page one by one; count those that fall in [lo, hi). */
static size_t drain_count_in(struct buddy_zone *z, uintptr_t lo, uintptr_t hi, size_t *count)
{
	size_t inside = 0, n = 0;
	uintptr_t p;

	while ((p = buddy_alloc(z, 0)) != 0) {
		n++;
		if (p >= lo && p < hi)
			inside++;
	}
	*count = n;
	return inside;
}

static void test_reserve(void)
{
	struct buddy_zone z;
	uintptr_t a = arena_new(4 * MAX_BLOCK);
	uintptr_t base = a + MAX_BLOCK;
	size_t total = 2 * pages_of(MAX_ORDER) + 3, n;
	uintptr_t p, q;

	if (!CHECK_EQ_INT(zone_at(&z, base, total), 0))
		return;
	CHECK_EQ_INT(buddy_reserve(&z, base + 10, base + 5), -RV_EINVAL);
	CHECK_EQ_INT(buddy_reserve(&z, base + 5, base + 5), 0);	/* empty */
	CHECK_EQ_UINT(buddy_free_pages(&z), total);

	/* Odd bounds reserve every page they touch: pages 1, 2 and 3. */
	CHECK_EQ_INT(buddy_reserve(&z, base + PAGE_SIZE + 17, base + 3 * PAGE_SIZE + 1), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 3);
	CHECK_EQ_INT(buddy_check(&z), 0);
	/* Again, and overlapping: nothing changes. */
	CHECK_EQ_INT(buddy_reserve(&z, base + PAGE_SIZE, base + 4 * PAGE_SIZE), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 3);
	CHECK_EQ_INT(buddy_reserve(&z, base + 2 * PAGE_SIZE, base + 3 * PAGE_SIZE), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 3);
	CHECK_EQ_INT(buddy_check(&z), 0);

	/* Partly outside: below the zone (over the metadata) and past its end. */
	CHECK_EQ_INT(buddy_reserve(&z, a, base + 1), 0);	/* page 0 */
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 4);
	CHECK_EQ_INT(buddy_reserve(&z, z.end - PAGE_SIZE - 1, UINTPTR_MAX), 0); /* last two */
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 6);
	/* Wholly outside. */
	CHECK_EQ_INT(buddy_reserve(&z, 0, a), 0);
	CHECK_EQ_INT(buddy_reserve(&z, 0, base), 0);
	CHECK_EQ_INT(buddy_reserve(&z, z.end, UINTPTR_MAX), 0);
	CHECK_EQ_INT(buddy_reserve(&z, (uintptr_t)z.meta, base), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 6);
	CHECK_EQ_INT(buddy_check(&z), 0);

	/* Reserved pages are never handed out nor accepted back. */
	CHECK_EQ_INT(buddy_free(&z, base + PAGE_SIZE, 0), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&z, base, 0), -RV_EINVAL);
	CHECK_EQ_UINT(drain_count_in(&z, base, base + 5 * PAGE_SIZE, &n), 1);	/* page 4 */
	CHECK_EQ_UINT(n, total - 6);
	CHECK_EQ_INT(buddy_check(&z), 0);

	/* A fresh zone: reserve after allocating, across an allocated block. */
	CHECK_EQ_INT(zone_at(&z, base, total), 0);
	p = buddy_alloc(&z, 2);
	CHECK_EQ_UINT(p, base);	/* fresh lists hand out low memory first */
	CHECK_EQ_INT(buddy_reserve(&z, base + PAGE_SIZE, base + 8 * PAGE_SIZE - 1), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 8);	/* 4 allocated, pages 4-7 reserved */
	CHECK_EQ_INT(buddy_check(&z), 0);
	/* The allocated block is untouched by the reservation and can be freed. */
	CHECK_EQ_INT(buddy_free(&z, p, 2), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 4);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_UINT(drain_count_in(&z, base, base + 8 * PAGE_SIZE, &n), 4);	/* pages 0-3 */
	CHECK_EQ_UINT(n, total - 4);

	/* A reservation in the middle of a largest block splits only around it. */
	CHECK_EQ_INT(zone_at(&z, base, 2 * pages_of(MAX_ORDER)), 0);
	CHECK_EQ_INT(buddy_reserve(&z, base + MAX_BLOCK / 2 - 1, base + MAX_BLOCK / 2 + 1), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), 2 * pages_of(MAX_ORDER) - 2);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_UINT(buddy_alloc(&z, MAX_ORDER), base + MAX_BLOCK);
	CHECK_EQ_UINT(buddy_alloc(&z, MAX_ORDER), 0);
	CHECK_EQ_UINT(buddy_alloc(&z, MAX_ORDER - 1), 0);	/* a reserved page in each half */
	/* Of the first block only the outer quarters are whole. */
	p = buddy_alloc(&z, MAX_ORDER - 2);
	q = buddy_alloc(&z, MAX_ORDER - 2);
	CHECK_EQ_UINT(p, base);		/* split pieces are listed low to high */
	CHECK_EQ_UINT(q, base + 3 * MAX_BLOCK / 4);
	CHECK_EQ_INT(buddy_check(&z), 0);

	/* Reserving the whole zone leaves nothing, and nothing breaks. */
	CHECK_EQ_INT(zone_at(&z, base, total), 0);
	CHECK_EQ_INT(buddy_reserve(&z, 0, UINTPTR_MAX), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), 0);
	CHECK_EQ_UINT(buddy_total_pages(&z), total);
	CHECK_EQ_UINT(buddy_alloc(&z, 0), 0);
	CHECK_EQ_INT(buddy_check(&z), 0);
	arena_free(a);
}

/* ---- starting reserved, then releasing ---- */

static bool bytes_are(uintptr_t from, uintptr_t to, uint8_t v)
{
	for (; from < to; from++) {
		if (*(const uint8_t *)from != v)
			return false;
	}
	return true;
}

static void test_release(void)
{
	struct buddy_zone z;
	uintptr_t a = arena_new(4 * MAX_BLOCK);
	uintptr_t base = a + MAX_BLOCK, p;
	size_t total = 2 * pages_of(MAX_ORDER) + 3, n;
	uintptr_t meta = base - PAGE_SIZE;	/* one metadata page for these sizes */

	CHECK_EQ_INT(buddy_init_reserved(&z, meta, base + total * PAGE_SIZE), 0);
	CHECK_EQ_UINT(z.base, base);
	CHECK_EQ_UINT(buddy_total_pages(&z), total);
	CHECK_EQ_UINT(buddy_free_pages(&z), 0);
	CHECK_EQ_UINT(buddy_alloc(&z, 0), 0);
	CHECK_EQ_INT(buddy_check(&z), 0);
	/* Nothing but the metadata was written. */
	CHECK(bytes_are(base, base + total * PAGE_SIZE, 0x5a));

	CHECK_EQ_INT(buddy_release(&z, base + 10, base + 5), -RV_EINVAL);
	/* Page 6 alone: the block does not grow past the range into reserved page 7. */
	CHECK_EQ_INT(buddy_release(&z, base + 6 * PAGE_SIZE, base + 7 * PAGE_SIZE), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), 1);
	CHECK_EQ_UINT(buddy_alloc(&z, 0), base + 6 * PAGE_SIZE);
	CHECK(bytes_are(base + 7 * PAGE_SIZE, base + total * PAGE_SIZE, 0x5a));
	/* Rounded inward: [1 + 1 byte, 5 - 1 byte) releases pages 2 and 3 only. */
	CHECK_EQ_INT(buddy_release(&z, base + PAGE_SIZE + 1, base + 5 * PAGE_SIZE - 1), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), 2);
	CHECK_EQ_INT(buddy_check(&z), 0);
	/* Only the released pages were written. */
	CHECK(bytes_are(base, base + 2 * PAGE_SIZE, 0x5a));
	CHECK(bytes_are(base + 4 * PAGE_SIZE, base + 6 * PAGE_SIZE, 0x5a));
	CHECK(bytes_are(base + 7 * PAGE_SIZE, base + total * PAGE_SIZE, 0x5a));
	CHECK_EQ_UINT(buddy_alloc(&z, 1), base + 2 * PAGE_SIZE);	/* merged into one block */
	CHECK_EQ_UINT(buddy_free_pages(&z), 0);

	/* Releasing again, over allocated pages and past the zone, frees only the reserved. */
	CHECK_EQ_INT(buddy_release(&z, a, UINTPTR_MAX), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 3);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_INT(buddy_free(&z, base + 6 * PAGE_SIZE, 0), 0);
	CHECK_EQ_INT(buddy_free(&z, base + 2 * PAGE_SIZE, 1), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total);
	CHECK_EQ_INT(buddy_check(&z), 0);
	/* Everything merged: both largest blocks come back (in either order). */
	p = buddy_alloc(&z, MAX_ORDER);
	p += buddy_alloc(&z, MAX_ORDER);
	CHECK_EQ_UINT(p, base + base + MAX_BLOCK);

	/* Released reservations: reserve after init, then hand the range back. */
	CHECK_EQ_INT(zone_at(&z, base, total), 0);
	CHECK_EQ_INT(buddy_reserve(&z, base + 3 * PAGE_SIZE, base + 9 * PAGE_SIZE), 0);
	p = buddy_alloc(&z, 0);
	CHECK(p != 0 && (p < base + 3 * PAGE_SIZE || p >= base + 9 * PAGE_SIZE));
	CHECK_EQ_INT(buddy_release(&z, base, base + 9 * PAGE_SIZE), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 1);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_INT(buddy_free(&z, p, 0), 0);
	CHECK_EQ_UINT(drain_count_in(&z, base, base + MAX_BLOCK, &n), pages_of(MAX_ORDER));
	CHECK_EQ_UINT(n, total);

	/* The init errors are buddy_init's. */
	CHECK_EQ_INT(buddy_init_reserved(&z, base, base), -RV_EINVAL);
	CHECK_EQ_INT(buddy_init_reserved(&z, base, base + PAGE_SIZE), -RV_ENOMEM);
	arena_free(a);
}

/* ---- bad frees ---- */

static void test_bad_free(void)
{
	struct buddy_zone z;
	uintptr_t a = arena_new(4 * MAX_BLOCK);
	uintptr_t base = a + MAX_BLOCK;
	size_t total = 2 * pages_of(MAX_ORDER), before;
	uintptr_t p1, p2, keep;

	if (!CHECK_EQ_INT(zone_at(&z, base, total), 0))
		return;
	p1 = buddy_alloc(&z, 1);
	p2 = buddy_alloc(&z, 0);
	keep = buddy_alloc(&z, 0);
	CHECK(p1 && p2 && keep);
	before = buddy_free_pages(&z);

	CHECK_EQ_INT(buddy_free(&z, p1, 0), -RV_EINVAL);	/* smaller order */
	CHECK_EQ_INT(buddy_free(&z, p1, 2), -RV_EINVAL);	/* larger order */
	CHECK_EQ_INT(buddy_free(&z, p1 + PAGE_SIZE, 0), -RV_EINVAL);	/* inside the block */
	CHECK_EQ_INT(buddy_free(&z, p2 + 8, 0), -RV_EINVAL);	/* misaligned */
	CHECK_EQ_INT(buddy_free(&z, p2, MAX_ORDER + 1), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&z, 0, 0), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&z, (uintptr_t)z.meta, 0), -RV_EINVAL);	/* metadata page */
	CHECK_EQ_INT(buddy_free(&z, z.end, 0), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&z, z.end - PAGE_SIZE, 0), -RV_EINVAL);	/* free page */
	CHECK_EQ_INT(buddy_free(&z, z.end - MAX_BLOCK, MAX_ORDER), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&z, UINTPTR_MAX & ~(uintptr_t)(PAGE_SIZE - 1), 0), -RV_EINVAL);
	CHECK_EQ_UINT(buddy_free_pages(&z), before);
	CHECK_EQ_INT(buddy_check(&z), 0);

	CHECK_EQ_INT(buddy_free(&z, p1, 1), 0);
	CHECK_EQ_INT(buddy_free(&z, p1, 1), -RV_EINVAL);	/* double free */
	CHECK_EQ_INT(buddy_free(&z, p2, 0), 0);
	/* p1 and p2 merged into a larger free block: still refused at either order. */
	CHECK_EQ_INT(buddy_free(&z, p2, 0), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&z, p1, 0), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&z, p1, 2), -RV_EINVAL);
	CHECK_EQ_UINT(buddy_free_pages(&z), total - 1);
	CHECK_EQ_INT(buddy_check(&z), 0);
	CHECK_EQ_INT(buddy_free(&z, keep, 0), 0);
	CHECK_EQ_UINT(buddy_free_pages(&z), total);
	CHECK_EQ_INT(buddy_check(&z), 0);
	arena_free(a);
}

/* ---- randomized stress against a shadow model ---- */

#define STRESS_OPS 100000
#define SHADOW_FREE (-1)
#define SHADOW_RESERVED (-2)

struct live_block {
	uintptr_t addr;
	unsigned int order;
	uint8_t tag;
};

struct shadow {
	struct buddy_zone z;
	size_t total;
	int *owner;	/* per page: index into live, SHADOW_FREE or SHADOW_RESERVED */
	struct live_block *live;
	size_t nlive;
	size_t free_pages;
};

static size_t page_index(const struct shadow *s, uintptr_t addr)
{
	return (addr - s->z.base) / PAGE_SIZE;
}

/*
 * Whether some size-aligned block of the order lies wholly in the zone with all
 * its pages free. A buddy allocator that keeps buddies merged must then find one.
 */
static bool shadow_has_free_block(const struct shadow *s, unsigned int order)
{
	uintptr_t size = (uintptr_t)PAGE_SIZE << order;
	uintptr_t b = (s->z.base + size - 1) & ~(size - 1);

	for (; b + size <= s->z.end; b += size) {
		size_t i = page_index(s, b), k;

		for (k = 0; k < pages_of(order) && s->owner[i + k] == SHADOW_FREE; k++)
			;
		if (k == pages_of(order))
			return true;
	}
	return false;
}

/* The tag survives in the first and last bytes of every page (where links would go). */
static bool block_tag_intact(const struct live_block *b)
{
	size_t k;

	for (k = 0; k < pages_of(b->order); k++) {
		const uint8_t *pg = (const uint8_t *)(b->addr + k * PAGE_SIZE);
		unsigned int j;

		for (j = 0; j < 32; j++) {
			if (pg[j] != b->tag || pg[PAGE_SIZE - 1 - j] != b->tag)
				return false;
		}
	}
	return true;
}

static void stress_alloc(struct shadow *s, unsigned int order, unsigned long op)
{
	uintptr_t p = buddy_alloc(&s->z, order);
	size_t i, k;
	bool ok = true;

	if (!p) {
		if (!CHECK(!shadow_has_free_block(s, order)))
			fprintf(stderr, "  op %lu: order %u refused, a block is free\n", op, order);
		return;
	}
	if (!CHECK_EQ_UINT(p & (((uintptr_t)PAGE_SIZE << order) - 1), 0) ||
	    !CHECK(p >= s->z.base && p + ((uintptr_t)PAGE_SIZE << order) <= s->z.end))
		return;
	i = page_index(s, p);
	for (k = 0; k < pages_of(order); k++)
		ok = ok && s->owner[i + k] == SHADOW_FREE;
	if (!CHECK(ok)) {
		fprintf(stderr, "  op %lu: order %u at %#lx overlaps used pages\n", op, order,
			(unsigned long)p);
		return;
	}
	for (k = 0; k < pages_of(order); k++)
		s->owner[i + k] = (int)s->nlive;
	s->live[s->nlive].addr = p;
	s->live[s->nlive].order = order;
	s->live[s->nlive].tag = (uint8_t)(op * 7 + 1);
	memset((void *)p, s->live[s->nlive].tag, pages_of(order) * PAGE_SIZE);
	s->nlive++;
	s->free_pages -= pages_of(order);
}

static void stress_free(struct shadow *s, size_t victim)
{
	struct live_block b = s->live[victim];
	size_t i = page_index(s, b.addr), k;

	CHECK(block_tag_intact(&b));
	/* Wrong orders are refused first, and leave the block allocated. */
	if (b.order > 0)
		CHECK_EQ_INT(buddy_free(&s->z, b.addr, b.order - 1), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&s->z, b.addr, b.order + 1), -RV_EINVAL);
	CHECK_EQ_INT(buddy_free(&s->z, b.addr, b.order), 0);
	CHECK_EQ_INT(buddy_free(&s->z, b.addr, b.order), -RV_EINVAL);	/* double free */
	for (k = 0; k < pages_of(b.order); k++)
		s->owner[i + k] = SHADOW_FREE;
	s->free_pages += pages_of(b.order);

	/* Keep live[] dense: move the last block into the hole. */
	s->nlive--;
	if (victim != s->nlive) {
		s->live[victim] = s->live[s->nlive];
		i = page_index(s, s->live[victim].addr);
		for (k = 0; k < pages_of(s->live[victim].order); k++)
			s->owner[i + k] = (int)victim;
	}
}

static void stress_reserve(struct shadow *s)
{
	uintptr_t span = s->z.end - s->z.base;
	uintptr_t lo = s->z.base - PAGE_SIZE + rng() % (span / 4);
	uintptr_t hi = lo + 1 + rng() % (span / 8);
	uintptr_t p;

	CHECK_EQ_INT(buddy_reserve(&s->z, lo, hi), 0);
	for (p = lo & ~(uintptr_t)(PAGE_SIZE - 1); p < hi; p += PAGE_SIZE) {
		if (p < s->z.base || p >= s->z.end)
			continue;
		if (s->owner[page_index(s, p)] == SHADOW_FREE) {
			s->owner[page_index(s, p)] = SHADOW_RESERVED;
			s->free_pages--;
		}
	}
}

/* Give back the first reservation's pages that lie wholly in [lo, hi). */
static void stress_release(struct shadow *s, uintptr_t lo, uintptr_t hi)
{
	size_t released = 0;
	uintptr_t p;

	CHECK_EQ_INT(buddy_release(&s->z, lo, hi), 0);
	for (p = (lo + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1); p + PAGE_SIZE <= hi;
	     p += PAGE_SIZE) {
		if (p < s->z.base || p >= s->z.end)
			continue;
		if (s->owner[page_index(s, p)] == SHADOW_RESERVED) {
			s->owner[page_index(s, p)] = SHADOW_FREE;
			s->free_pages++;
			released++;
		}
	}
	CHECK(released > 0);
}

static void test_stress(void)
{
	struct shadow s;
	uintptr_t a = arena_new(8 * MAX_BLOCK + 32 * PAGE_SIZE);
	unsigned long op, failures = 0, allocs = 0;
	size_t k, reserved = 0;

	memset(&s, 0, sizeof(s));
	/* Odd start and size: edge blocks of every order. */
	s.total = 5 * pages_of(MAX_ORDER) + 13;
	s.owner = malloc(s.total * sizeof(*s.owner));
	s.live = malloc(s.total * sizeof(*s.live));
	if (!s.owner || !s.live || !CHECK_EQ_INT(zone_at(&s.z, a + MAX_BLOCK + 5 * PAGE_SIZE,
							   s.total), 0))
		return;
	for (k = 0; k < s.total; k++)
		s.owner[k] = SHADOW_FREE;
	s.free_pages = s.total;

	rng_state = 0x5eed5eed5eedULL;
	for (op = 0; op < STRESS_OPS; op++) {
		uint64_t r = rng();

		if (op == STRESS_OPS / 4 || op == STRESS_OPS / 3 || op == STRESS_OPS / 2) {
			stress_reserve(&s);
		} else if (op == STRESS_OPS * 3 / 5) {
			/* Some of what is reserved by then, with ragged edges. */
			stress_release(&s, s.z.base + 77, s.z.base + (s.z.end - s.z.base) / 4 + 5);
		} else if (s.nlive == 0 || r % 100 < 52) {
			/* Small orders far more often than large, as in the kernel. */
			unsigned int order = 0;

			while (order < MAX_ORDER + 1 && ((r >> (8 + order)) & 1))
				order++;
			if (order > MAX_ORDER) {
				CHECK_EQ_UINT(buddy_alloc(&s.z, order), 0);
				continue;
			}
			allocs++;
			if (s.free_pages < pages_of(order))
				failures++;
			stress_alloc(&s, order, op);
		} else {
			stress_free(&s, (size_t)(rng() % s.nlive));
		}
		if (op % 997 == 0) {
			CHECK_EQ_INT(buddy_check(&s.z), 0);
			CHECK_EQ_UINT(buddy_free_pages(&s.z), s.free_pages);
		}
		if (ut_failed > 20)
			break;	/* one broken invariant floods the log; stop early */
	}
	CHECK(allocs > STRESS_OPS / 3);
	CHECK(failures > 0);	/* the zone did fill up at some point */
	while (s.nlive)
		stress_free(&s, s.nlive - 1);
	for (k = 0; k < s.total; k++)
		reserved += s.owner[k] == SHADOW_RESERVED;
	/* What is still reserved stays so, the rest is free again. */
	CHECK_EQ_UINT(buddy_free_pages(&s.z), s.total - reserved);
	CHECK_EQ_UINT(s.free_pages, s.total - reserved);
	CHECK_EQ_INT(buddy_check(&s.z), 0);
	free(s.owner);
	free(s.live);
	arena_free(a);
}

/* ---- frame layer ---- */

/* Zone sizes: whole largest blocks, but room for a few order-2 blocks at small orders. */
#define FRAME_UNIT (MAX_BLOCK >= 64 * PAGE_SIZE ? MAX_BLOCK : 64 * PAGE_SIZE)
#define FRAME_UNIT_PAGES (FRAME_UNIT / PAGE_SIZE)

static void test_frame_zones(void)
{
	struct frame_stats st;
	/* Kept for the rest of the run: the frame layer has no way to drop a zone. */
	uintptr_t a = arena_new(4 * FRAME_UNIT), b = arena_new(2 * FRAME_UNIT);
	uintptr_t c = arena_new(16 * PAGE_SIZE), d = arena_new(48 * PAGE_SIZE);
	uintptr_t firmware_end = a + 3 * PAGE_SIZE + 100;
	size_t k;
	bool intact = true;

	frame_get_stats(&st);
	CHECK_EQ_UINT(st.total_pages, 0);
	CHECK_EQ_UINT(frame_alloc(0, FRAME_USER), 0);	/* no zone yet */

	/* Firmware at the bottom of "RAM" and an initrd in it, reserved before the zone exists. */
	frame_reserve(a, firmware_end);
	frame_reserve(a + 2 * FRAME_UNIT, a + 2 * FRAME_UNIT + 2 * PAGE_SIZE - 10);
	frame_reserve(a + 3 * FRAME_UNIT + 5, a + 3 * FRAME_UNIT + 6);	/* a one-byte table */
	CHECK_EQ_INT(frame_init_zone(a + 2 * PAGE_SIZE, a), -RV_EINVAL);
	CHECK_EQ_INT(frame_init_zone(a, a + 4 * FRAME_UNIT), 0);
	/* The metadata went above the firmware; firmware and initrd are untouched. */
	for (k = 0; k < 3 * PAGE_SIZE + 100; k++)
		intact = intact && ((uint8_t *)a)[k] == 0x5a;
	for (k = 0; k < 2 * PAGE_SIZE - 10; k++)
		intact = intact && ((uint8_t *)a + 2 * FRAME_UNIT)[k] == 0x5a;
	CHECK(intact);
	CHECK(bytes_are(a + 3 * FRAME_UNIT, a + 3 * FRAME_UNIT + PAGE_SIZE, 0x5a));
	CHECK_EQ_INT(frame_init_zone(a + FRAME_UNIT, a + 2 * FRAME_UNIT), -RV_EINVAL); /* overlap */
	CHECK_EQ_INT(frame_init_zone(a + 4 * FRAME_UNIT - 1, a + 5 * FRAME_UNIT), -RV_EINVAL);

	/* A second zone whose metadata would land on a reservation made earlier. */
	frame_reserve(b + FRAME_UNIT - PAGE_SIZE, b + FRAME_UNIT + 10);
	frame_reserve(b + FRAME_UNIT + 10, b + FRAME_UNIT + PAGE_SIZE + 1);	/* touching */
	CHECK_EQ_INT(frame_init_zone(b + FRAME_UNIT - PAGE_SIZE, b + 2 * FRAME_UNIT), 0);
	frame_get_stats(&st);
	/*
	 * Zone a: metadata moved to a + 4 pages (past the firmware), managed from
	 * a + 5 pages. Zone b: the two touching reservations end at b + FRAME_UNIT
	 * + 1 page + 1, so metadata at b + FRAME_UNIT + 2 pages, managed above it.
	 */
	CHECK_EQ_UINT(st.total_pages, (4 * FRAME_UNIT_PAGES - 5) + (FRAME_UNIT_PAGES - 3));
	CHECK_EQ_UINT(st.free_pages, st.total_pages - 3);	/* initrd and table pages */
	CHECK_EQ_UINT(frame_alloc(0, FRAME_USER) % PAGE_SIZE, 0);
	frame_get_stats(&st);
	CHECK_EQ_UINT(st.used_by[FRAME_USER], 1);
	frame_free(a + 5 * PAGE_SIZE, 0, FRAME_USER);	/* the first page of zone a */
	frame_get_stats(&st);
	CHECK_EQ_UINT(st.used_by[FRAME_USER], 0);

	/* Tiny ranges and the zone table limit. */
	CHECK_EQ_INT(frame_init_zone(0x1000, 0x2000), -RV_ENOMEM);
	CHECK_EQ_INT(frame_init_zone(c, c + 16 * PAGE_SIZE), 0);
	frame_reserve(c, c + 16 * PAGE_SIZE);
	frame_reserve(d, d + 16 * PAGE_SIZE);	/* before its zone: this one starts empty */
	CHECK_EQ_INT(frame_init_zone(d, d + 16 * PAGE_SIZE), -RV_ENOMEM);
	CHECK_EQ_INT(frame_init_zone(d + 16 * PAGE_SIZE, d + 32 * PAGE_SIZE), 0);
	CHECK_EQ_INT(frame_init_zone(d + 32 * PAGE_SIZE, d + 48 * PAGE_SIZE), -RV_ENOSPC);
	frame_reserve(d + 16 * PAGE_SIZE, d + 32 * PAGE_SIZE);
	frame_get_stats(&st);
	/* The small zones are all reserved, so they never hand out memory. */
	CHECK_EQ_UINT(st.total_pages, 5 * FRAME_UNIT_PAGES - 8 + 15 + 15);
	CHECK_EQ_UINT(st.free_pages, 5 * FRAME_UNIT_PAGES - 8 - 3);
}

static void test_frame_alloc_free(void)
{
	struct frame_stats st0, st;
	uintptr_t p, q, s;
	unsigned int i;

	frame_get_stats(&st0);
	for (i = 0; i < FRAME_PURPOSE_COUNT; i++)
		CHECK_EQ_UINT(st0.used_by[i], 0);

	p = frame_alloc(0, FRAME_PAGE_TABLE);
	q = frame_alloc(2, FRAME_USER);
	s = frame_alloc(1, FRAME_KERNEL_STACK);
	CHECK(p && q && s);
	CHECK_EQ_UINT(q % (4 * PAGE_SIZE), 0);
	frame_get_stats(&st);
	CHECK_EQ_UINT(st.used_by[FRAME_PAGE_TABLE], 1);
	CHECK_EQ_UINT(st.used_by[FRAME_USER], 4);
	CHECK_EQ_UINT(st.used_by[FRAME_KERNEL_STACK], 2);
	CHECK_EQ_UINT(st.used_by[FRAME_KERNEL_POOL], 0);
	CHECK_EQ_UINT(st.free_pages, st0.free_pages - 7);
	CHECK_EQ_UINT(st.total_pages, st0.total_pages);

	/* Pages come back zeroed even after someone scribbled on them. */
	memset((void *)q, 0xcd, 4 * PAGE_SIZE);
	frame_free(q, 2, FRAME_USER);
	q = frame_alloc(2, FRAME_KERNEL_POOL);
	CHECK(q != 0);
	for (i = 0; i < 4 * PAGE_SIZE && ((uint8_t *)q)[i] == 0; i++)
		;
	CHECK_EQ_UINT(i, 4 * PAGE_SIZE);
	frame_get_stats(&st);
	CHECK_EQ_UINT(st.used_by[FRAME_USER], 0);
	CHECK_EQ_UINT(st.used_by[FRAME_KERNEL_POOL], 4);

	/* Bad frees are kernel bugs: they panic and change nothing. */
	EXPECT_PANIC(frame_free(q + PAGE_SIZE, 0, FRAME_KERNEL_POOL), "not allocated");
	EXPECT_PANIC(frame_free(q, 1, FRAME_KERNEL_POOL), "not allocated");
	EXPECT_PANIC(frame_free(0x123000, 0, FRAME_USER), "not in any zone");
	EXPECT_PANIC(frame_free(p, 0, FRAME_USER), "fewer user pages");	/* wrong purpose */
	EXPECT_PANIC(frame_free(p, 0, FRAME_PURPOSE_COUNT), "bad purpose");
	EXPECT_PANIC(frame_free(p, 40, FRAME_PAGE_TABLE), "page-table");
	EXPECT_PANIC(frame_alloc(0, (enum frame_purpose)-1), "bad purpose");
	frame_get_stats(&st);
	CHECK_EQ_UINT(st.free_pages, st0.free_pages - 7);

	frame_free(p, 0, FRAME_PAGE_TABLE);
	EXPECT_PANIC(frame_free(p, 0, FRAME_PAGE_TABLE), "fewer");	/* double free */
	p = frame_alloc(0, FRAME_PAGE_TABLE);
	q = frame_alloc(0, FRAME_PAGE_TABLE);	/* a second page table keeps the count up */
	frame_free(p, 0, FRAME_PAGE_TABLE);
	EXPECT_PANIC(frame_free(p, 0, FRAME_PAGE_TABLE), "not allocated");	/* double free */
	frame_free(q, 0, FRAME_PAGE_TABLE);
	frame_free(s, 1, FRAME_KERNEL_STACK);
	frame_get_stats(&st);
	CHECK_EQ_UINT(st.free_pages, st0.free_pages - 4);
	CHECK_EQ_UINT(frame_alloc(MAX_ORDER + 1, FRAME_USER), 0);

	CHECK_EQ_STR(frame_purpose_name(FRAME_PAGE_TABLE), "page-table");
	CHECK_EQ_STR(frame_purpose_name(FRAME_USER), "user");
	CHECK_EQ_STR(frame_purpose_name(FRAME_KERNEL_STACK), "kernel-stack");
	CHECK_EQ_STR(frame_purpose_name(FRAME_KERNEL_POOL), "kernel-pool");
	CHECK_EQ_STR(frame_purpose_name(FRAME_PURPOSE_COUNT), "?");
}

/* Reservations after init, then exhaustion and full recovery across zones. */
static void test_frame_exhaust(void)
{
	struct frame_stats st0, st;
	size_t n = 0, cap, i;
	uintptr_t *pages, hole;

	frame_get_stats(&st0);
	cap = st0.free_pages + 1;
	pages = malloc(cap * sizeof(*pages));
	if (!pages)
		abort();

	/* Take one page, reserve it and its neighbourhood: only the rest comes back. */
	hole = frame_alloc(0, FRAME_USER);
	frame_reserve(hole - PAGE_SIZE - 1, hole + 2 * PAGE_SIZE);
	frame_get_stats(&st);
	CHECK(st.free_pages < st0.free_pages - 1);
	CHECK(st.free_pages >= st0.free_pages - 4);
	frame_free(hole, 0, FRAME_USER);	/* allocated before the reservation: freeable */

	frame_get_stats(&st0);
	while (n < cap && (pages[n] = frame_alloc(0, FRAME_KERNEL_POOL)) != 0) {
		CHECK(pages[n] < hole - 2 * PAGE_SIZE || pages[n] >= hole + 2 * PAGE_SIZE ||
		      pages[n] == hole);
		n++;
	}
	CHECK_EQ_UINT(n, st0.free_pages);
	frame_get_stats(&st);
	CHECK_EQ_UINT(st.free_pages, 0);
	CHECK_EQ_UINT(st.used_by[FRAME_KERNEL_POOL], st0.used_by[FRAME_KERNEL_POOL] + n);
	for (i = 0; i < n; i++)
		frame_free(pages[i], 0, FRAME_KERNEL_POOL);
	frame_get_stats(&st);
	CHECK_EQ_UINT(st.free_pages, st0.free_pages);
	CHECK_EQ_UINT(st.used_by[FRAME_KERNEL_POOL], st0.used_by[FRAME_KERNEL_POOL]);
	free(pages);
}

/*
 * Last: fill the reservation table. The earlier tests used 7 slots: firmware,
 * initrd, table, zone b (two touching ranges, one slot), zone c, zone d (two
 * touching ranges, one slot), the hole.
 */
static void test_frame_reserve_table(void)
{
	volatile unsigned int i;
	uintptr_t r = 0x100000000000UL;

	frame_reserve(r, r + 0x1000);
	frame_reserve(r + 0x800, r + 0x1800);	/* overlapping: widens the same slot */
	frame_reserve(r - 0x100, r);		/* touching below: likewise */
	for (i = 1; i < CONFIG_FRAME_MAX_RESERVED; i++) {
		panic_msg[0] = '\0';
		panic_armed = true;
		if (setjmp(panic_jmp) != 0)
			break;
		frame_reserve(r + i * 0x10000, r + i * 0x10000 + 0x1000);
		panic_armed = false;
	}
	panic_armed = false;
	CHECK_EQ_UINT(i, CONFIG_FRAME_MAX_RESERVED - 7);
	CHECK(strstr(panic_msg, "CONFIG_FRAME_MAX_RESERVED") != NULL);
}

int main(void)
{
	RUN(test_init);
	RUN(test_split_coalesce);
	RUN(test_alignment);
	RUN(test_exhaustion);
	RUN(test_reserve);
	RUN(test_release);
	RUN(test_bad_free);
	RUN(test_stress);
	RUN(test_frame_zones);
	RUN(test_frame_alloc_free);
	RUN(test_frame_exhaust);
	RUN(test_frame_reserve_table);
	return ut_summary("buddy");
}
