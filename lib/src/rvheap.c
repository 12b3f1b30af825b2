/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The heap of an rvOS program: a TLSF (two-level segregated fit) allocator.
 *
 * Why TLSF: malloc and free take a bounded number of steps whatever the
 * number of blocks (no list walks: free lists indexed by size class, found
 * through two bitmaps), free blocks coalesce with their neighbours at once,
 * and a request is served from the smallest class whose every block fits
 * ("good fit"), which keeps fragmentation low for mixed sizes. A pure
 * size-class design is as fast but never merges, so memory freed in one
 * size is lost to the others.
 *
 * Blocks. Every block starts 16-byte aligned (the RISC-V psABI's
 * max_align_t), at its payload p; the 8 bytes before p are its header:
 *
 *   bits 63..48  a tag: used 0x5a1, free 0x5f4, fence 0x5fe (a bad pointer
 *                or a double free shows as a wrong tag)
 *   bits 47..4   F, the block's footprint: p + F is the next block's payload
 *   bit 2        fence (the end of a region), bit 1 the previous block is
 *                free, bit 0 this block is free
 *
 * A used block gives F - 8 bytes (its header is the only overhead): a
 * request of n bytes takes F = max(32, round_up(n + 8, 16)), so 8 to 23
 * bytes a block, 16 on average, beyond what was asked (64 bytes: F = 80).
 * A free block keeps its list links in its first 16 bytes and a pointer to
 * itself in its last 8 (the "footer", read by the next block's free to find
 * it); so blocks are at least 32 bytes.
 *
 * Classes. G = F / 16 granules. Below 2 x 2^S granules (S =
 * CONFIG_USER_MALLOC_SL_LOG2, 4: 512 bytes) each size has its own list;
 * above, each power of two [2^k, 2^k+1) is cut into 2^S lists of equal
 * width. A free block goes to the list of its class (rounded down); malloc
 * looks from the class of its size rounded up, so any block there fits,
 * and splits what it takes, the remainder (>= 32 bytes) going back.
 * Worst case, a request skips a block up to 1/2^S larger than itself that
 * sits in its own class, and a block wastes 15 bytes of rounding + 8 of
 * header (+ at most 31 when the remainder of a split is too small to be a
 * block). Over a whole program the fragmentation of TLSF is bounded by
 * the good-fit policy, not by an exact figure: a pattern that frees every
 * other block keeps half the heap in holes, as with any allocator that
 * does not move blocks.
 *
 * The top. The end of the heap, not cut into blocks, is the top block
 * [top, end): it is in no list, malloc carves from it when no list has a
 * fit, and a block freed next to it merges into it. The kernel's pages are
 * zero, and the top above `clean` was never written: calloc zeroes only
 * what lies below. The block right before the top is never free (it would have
 * merged), so the top needs no header.
 *
 * Regions. The heap asks cfg.grow for at least cfg.chunk bytes at a time.
 * Pages right after the region's end extend it; pages elsewhere (someone
 * else took the pages in between) start a new region: the old top becomes
 * a free block ended by a fence header, and the region's first word links
 * to the previous region (for rvheap_check's walk). The state (struct
 * rvheap: the top, the bitmaps, counters) is static, the list heads (7.4
 * KiB for S = 4) sit at the start of the first region: a program that
 * never allocates pays nothing for them, and the first malloc finds no
 * room at a top of NULL, so it needs no test of its own for the start.
 *
 * Giving back. A free that leaves the top with more than
 * cfg.trim_threshold bytes gives the pages above its first cfg.chunk
 * bytes back through cfg.trim (the kernel's mem_grow(-size)): the two
 * marks are the hysteresis, so blocks smaller than the threshold less a
 * chunk, allocated and freed at the top in turn, never make the heap
 * shrink and grow again. A larger block would (each free gives its pages
 * back, each malloc takes them again), and so would a program that frees
 * a whole structure and builds it again: the heap sees this when it
 * grows while smaller than it once was (below peak_bytes: it takes back
 * pages it gave away). Once it has taken back more than the threshold's
 * worth (retaken_bytes), free gives nothing back any more (the threshold
 * becomes SIZE_MAX): such a program pays for the pages of one wave twice,
 * never of every wave, and a program that gave back a large block and
 * then grows a little keeps giving back. rvheap_trim (malloc_trim)
 * gives back on request whatever the threshold. Only the latest region
 * can shrink, and only while nobody took the pages after it: cfg.trim
 * refuses otherwise, and free stops trying. The test costs free four
 * instructions, and only when a block merges into the top.
 *
 * Cost (rv64imac, no bit-manipulation instructions: the lowest set bit by
 * a de Bruijn multiply, the highest by two halvings and a byte table):
 * in samples/bench's malloc_free_64b, a malloc from the top takes 35
 * instructions and a free 90 on average (most merge with a neighbour or
 * two), whatever the number of blocks.
 *
 * Errors. free, realloc and malloc_usable_size check the pointer: inside
 * the heap, 16-byte aligned, its header tagged "used". A failed check goes
 * to cfg.report ("double free" for a free-tagged header: the block's own,
 * or the stale header of a block merged into a neighbour). A pointer into
 * a block that was freed and handed out again, or a header the program
 * overwrote with something that looks right, is not caught.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "rvheap.h"

#define SL_LOG2 CONFIG_USER_MALLOC_SL_LOG2
#define SL_COUNT (1ul << SL_LOG2)
#define FL_COUNT ((unsigned long)RVHEAP_FL_COUNT)
#define LISTS (FL_COUNT << SL_LOG2)

#define MIN_BLOCK 32ul
#define SIZE_MASK 0x0000fffffffffff0ull
#define F_FREE 1ull
#define F_PREV_FREE 2ull
#define F_FENCE 4ull
#define F_MARK 8ull /* rvheap_check's mark, cleared before it returns */
#define TAG_SHIFT 48
#define TAG_USED 0x5a1ull
#define TAG_FREE 0x5f4ull
#define TAG_FENCE 0x5feull
#define H_USED (TAG_USED << TAG_SHIFT)
#define H_FREE ((TAG_FREE << TAG_SHIFT) | F_FREE)
#define H_FENCE ((TAG_FENCE << TAG_SHIFT) | F_FENCE)

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

typedef struct rvheap_node node;

/* ---- bits ---- */

#define L2_2(n) n, n
#define L2_4(n) L2_2(n), L2_2(n)
#define L2_8(n) L2_4(n), L2_4(n)
#define L2_16(n) L2_8(n), L2_8(n)
#define L2_32(n) L2_16(n), L2_16(n)
#define L2_64(n) L2_32(n), L2_32(n)
#define L2_128(n) L2_64(n), L2_64(n)
/* floor(log2(i)) for i = 1..255 */
static const uint8_t log2_byte[256] = {
	0, 0, L2_2(1), L2_4(2), L2_8(3), L2_16(4), L2_32(5), L2_64(6), L2_128(7),
};

/* floor(log2(x)), 0 < x < 2^32. */
static ALWAYS_INLINE unsigned long fls32(unsigned long x)
{
	unsigned long r = 0;

	if (x >> 16) {
		x >>= 16;
		r = 16;
	}
	if (x >> 8) {
		x >>= 8;
		r += 8;
	}
	return r + log2_byte[x];
}

/* The lowest set bit's index, 0 < x < 2^32: its bit times a de Bruijn
 * sequence (0x077cb531: every 5-bit window distinct) puts a distinct
 * value in the top 5 bits of the low word; the table inverts it. */
static const uint8_t debruijn_bit[32] = {
	0,  1,  28, 2,  29, 14, 24, 3,  30, 22, 20, 15, 25, 17, 4,  8,
	31, 27, 13, 23, 21, 19, 16, 7,  26, 12, 18, 6,  11, 5,  10, 9,
};

static ALWAYS_INLINE unsigned long ctz32(uint32_t x)
{
	return debruijn_bit[(uint32_t)((x & -x) * 0x077cb531u) >> 27];
}

/* ---- blocks ---- */

static ALWAYS_INLINE uint64_t *hdr(const void *p)
{
	return (uint64_t *)p - 1;
}

static ALWAYS_INLINE uint64_t bsize(const void *p)
{
	return *hdr(p) & SIZE_MASK;
}

/* The footer of the free block that ends right before p. */
static ALWAYS_INLINE char **footer_before(const void *p)
{
	return (char **)p - 2;
}

/* The footprint of a request of n bytes (n <= RVHEAP_MAX_REQUEST). */
static ALWAYS_INLINE uint64_t footprint(size_t n)
{
	uint64_t f = ((uint64_t)n + 8 + 15) & ~(uint64_t)15;

	return f < MIN_BLOCK ? MIN_BLOCK : f;
}

static inline uint64_t round_up(uint64_t x, uint64_t unit)
{
	return (x + unit - 1) & ~(unit - 1);
}

/* ---- classes and lists ---- */

/* The class a free block of g granules belongs to (rounded down). */
static ALWAYS_INLINE unsigned long class_down(uint64_t g)
{
	unsigned long shift;

	if (g < 2 * SL_COUNT)
		return g;
	shift = fls32(g) - SL_LOG2;
	return (shift << SL_LOG2) + (g >> shift);
}

/* The first class whose every block holds g granules (rounded up). */
static ALWAYS_INLINE unsigned long class_up(uint64_t g)
{
	unsigned long shift;

	if (g < 2 * SL_COUNT)
		return g;
	shift = fls32(g) - SL_LOG2;
	return (shift << SL_LOG2) + (g >> shift) + ((g & ((1ull << shift) - 1)) != 0);
}

/* The fewest granules a block of class idx has. */
static inline uint64_t class_min(unsigned long idx)
{
	unsigned long shift;

	if (idx < 2 * SL_COUNT)
		return idx;
	shift = (idx >> SL_LOG2) - 1;
	return (uint64_t)((idx & (SL_COUNT - 1)) | SL_COUNT) << shift;
}

static ALWAYS_INLINE void bits_set(struct rvheap *h, unsigned long idx)
{
	h->sl_map[idx >> SL_LOG2] |= 1u << (idx & (SL_COUNT - 1));
	h->fl_map |= 1u << (idx >> SL_LOG2);
}

static ALWAYS_INLINE void bits_clear(struct rvheap *h, unsigned long idx)
{
	unsigned long fl = idx >> SL_LOG2;
	uint32_t m = h->sl_map[fl] & ~(1u << (idx & (SL_COUNT - 1)));

	h->sl_map[fl] = m;
	if (!m)
		h->fl_map &= ~(1u << fl);
}

/* A non-empty class >= idx, or -1. */
static ALWAYS_INLINE long class_find(const struct rvheap *h, unsigned long idx)
{
	unsigned long fl = idx >> SL_LOG2;
	uint32_t m;

	if (UNLIKELY(fl >= FL_COUNT))
		return -1;
	m = h->sl_map[fl] & (~0u << (idx & (SL_COUNT - 1)));
	if (!m) {
		uint32_t fm = h->fl_map & (~0u << (fl + 1)); /* fl + 1 <= 31 */

		if (!fm)
			return -1;
		fl = ctz32(fm);
		m = h->sl_map[fl];
	}
	return (long)((fl << SL_LOG2) + ctz32(m));
}

/* Lists are rings through a head in h->heads: a block alone in its list
 * has the head on both sides, which also names the class. */
static ALWAYS_INLINE void list_remove(struct rvheap *h, node *b)
{
	node *n = b->next, *p = b->prev;

	p->next = n;
	n->prev = p;
	if (n == p)
		bits_clear(h, (unsigned long)(n - h->heads));
	h->free_blocks--;
}

static ALWAYS_INLINE void list_insert(struct rvheap *h, node *b, uint64_t f)
{
	unsigned long idx = class_down(f >> 4);
	node *head = &h->heads[idx], *first = head->next;

	b->next = first;
	b->prev = head;
	first->prev = b;
	head->next = b;
	bits_set(h, idx);
	h->free_blocks++;
}

/* Make p a free block of f bytes whose previous block is used and whose
 * next block is not free, and list it. */
static ALWAYS_INLINE void make_free(struct rvheap *h, char *p, uint64_t f)
{
	char *next = p + f;

	*hdr(next) |= F_PREV_FREE;
	*footer_before(next) = p;
	*hdr(p) = f | H_FREE;
	list_insert(h, (node *)p, f);
}

/* ---- memory from cfg.grow ---- */

RVHEAP_COLD void rvheap_init(struct rvheap *h, const struct rvheap_config *cfg)
{
	memset(h, 0, sizeof(*h));
	h->cfg = *cfg;
}

/* The current region's top becomes a free block and a fence (or only a
 * fence, when it is under a block's size). */
static void close_region(struct rvheap *h)
{
	char *t = h->top;
	uint64_t room = (uint64_t)(h->end - t);

	if (room >= MIN_BLOCK) {
		*hdr(h->end) = H_FENCE;
		make_free(h, t, room);
		h->overhead_bytes += 8;
	} else {
		*hdr(t) = H_FENCE;
		h->overhead_bytes += room + 8;
	}
}

/* The first region: the list heads, then the first block. */
static int first_region(struct rvheap *h, uint64_t f)
{
	uint64_t heads = round_up(LISTS * sizeof(node), 16);
	uint64_t ask = heads + 16 + f;
	char *at;

	if (ask < h->cfg.chunk)
		ask = h->cfg.chunk;
	ask = round_up(ask, h->cfg.page);
	at = h->cfg.grow(ask);
	if (!at)
		return -1;
	h->heads = (node *)at;
	for (unsigned long i = 0; i < LISTS; i++)
		h->heads[i].next = h->heads[i].prev = &h->heads[i];
	*(char **)(at + heads) = NULL; /* no region before */
	h->region = h->top = h->clean = h->lo = at + heads + 16;
	h->end = at + ask;
	h->arena_bytes = h->peak_bytes = ask;
	h->chunks = 1;
	h->overhead_bytes = heads + 8;
	return 0;
}

/* The heap grows by ask bytes: those below its peak are pages it gave
 * away and takes back. Past a threshold's worth, free gives back no more
 * ("Giving back" above). */
static void retaken(struct rvheap *h, uint64_t ask)
{
	uint64_t given = h->peak_bytes - h->arena_bytes;

	if (!given)
		return;
	h->retaken_bytes += ask < given ? ask : given;
	if (h->retaken_bytes > h->cfg.trim_threshold)
		h->cfg.trim_threshold = SIZE_MAX;
}

/* Make room for a block of f bytes at the top; 0, or -1 with errno
 * ENOMEM. A region elsewhere loses its first 16 bytes (a link, the first
 * header), so it needs f + 16. */
static __attribute__((noinline)) int grow_top(struct rvheap *h, uint64_t f)
{
	if (!h->heads) {
		if (first_region(h, f) == 0)
			return 0;
		errno = ENOMEM;
		return -1;
	}
	for (int tries = 0; tries < 3; tries++) {
		uint64_t room = (uint64_t)(h->end - h->top);
		uint64_t ask;
		char *at;

		if (room >= f)
			return 0;
		ask = f - room;
		if (ask < h->cfg.chunk)
			ask = h->cfg.chunk;
		ask = round_up(ask, h->cfg.page);
		at = h->cfg.grow(ask);
		if (!at)
			break;
		h->chunks++;
		retaken(h, ask);
		h->arena_bytes += ask;
		if (h->arena_bytes > h->peak_bytes)
			h->peak_bytes = h->arena_bytes;
		if (at == h->end) {
			h->end += ask;
			continue;
		}
		if (at < h->end) {
			/* Not above the heap: unusable here (grow's contract). */
			h->overhead_bytes += ask;
			break;
		}
		close_region(h);
		*(char **)at = h->region;
		h->region = h->top = h->clean = at + 16;
		h->end = at + ask;
		h->overhead_bytes += 8; /* the link; the first header is the top's */
	}
	errno = ENOMEM;
	return -1;
}

/* ---- allocation ---- */

/* Carve a used block of f bytes at the top b (room checked). */
static ALWAYS_INLINE char *carve(struct rvheap *h, char *b, uint64_t f)
{
	char *top = b + f;

	h->top = top;
	*hdr(b) = f | H_USED;
	if (h->clean < top)
		h->clean = top;
	h->used_bytes += f;
	h->used_blocks++;
	return b;
}

/* The top after it grew: the slow path, out of line so that malloc's
 * fast path needs no stack frame. */
static __attribute__((noinline)) char *carve_grown(struct rvheap *h, uint64_t f)
{
	if (grow_top(h, f))
		return NULL;
	return carve(h, h->top, f);
}

/* Take the first block of the non-empty class i for f bytes. */
static ALWAYS_INLINE char *take_listed(struct rvheap *h, unsigned long i, uint64_t f)
{
	node *head = &h->heads[i], *n;
	uint64_t bf, rem;
	char *b;

	b = (char *)head->next;
	n = ((node *)b)->next;
	head->next = n;
	n->prev = head;
	if (n == head)
		bits_clear(h, i);
	h->free_blocks--;
	bf = bsize(b);
	rem = bf - f;
	if (rem >= MIN_BLOCK) {
		/* The rest stays free; the next block's flag and the footer's
		 * place stay as they are. */
		char *r = b + f;

		*hdr(r) = rem | H_FREE;
		*footer_before(r + rem) = r;
		list_insert(h, (node *)r, rem);
		bf = f;
	} else {
		*hdr(b + bf) &= ~F_PREV_FREE;
	}
	*hdr(b) = bf | H_USED;
	h->used_bytes += bf;
	h->used_blocks++;
	return b;
}

/* A used block of at least f bytes (its size in its header), or NULL with
 * errno ENOMEM. From a list when one holds a block that fits, else from
 * the top: then it is the block right before the new top. */
static ALWAYS_INLINE char *take(struct rvheap *h, uint64_t f)
{
	char *top;

	if (h->fl_map) {
		long i = class_find(h, class_up(f >> 4));

		if (i >= 0)
			return take_listed(h, (unsigned long)i, f);
	}
	top = h->top;
	if (UNLIKELY((uint64_t)(h->end - top) < f))
		return carve_grown(h, f);
	return carve(h, top, f);
}

RVHEAP_HOT void *rvheap_malloc(struct rvheap *h, size_t n)
{
	if (UNLIKELY(n > RVHEAP_MAX_REQUEST)) {
		errno = ENOMEM;
		return NULL;
	}
	return take(h, footprint(n));
}

RVHEAP_HOT void *rvheap_calloc(struct rvheap *h, size_t count, size_t size)
{
	char *b, *clean = h->clean;
	size_t n;

	if (__builtin_mul_overflow(count, size, &n) || n > RVHEAP_MAX_REQUEST) {
		errno = ENOMEM;
		return NULL;
	}
	b = take(h, footprint(n));
	if (!b)
		return NULL;
	/* From the top, only what lies below the old clean mark was ever
	 * written (after a new region: nothing, it lies above). */
	if (b + bsize(b) != h->top)
		clean = b + n;
	if (clean > b)
		memset(b, 0, (size_t)(clean - b) < n ? (size_t)(clean - b) : n);
	return b;
}

/* ---- release ---- */

RVHEAP_COLD int rvheap_trim(struct rvheap *h, size_t keep)
{
	char *cut = (char *)round_up((uintptr_t)h->top + keep, h->cfg.page);
	size_t bytes;

	if (!h->heads || !h->cfg.trim || cut >= h->end)
		return 0;
	bytes = (size_t)(h->end - cut);
	if (h->cfg.trim(cut, bytes)) {
		h->cfg.trim_threshold = SIZE_MAX; /* not the heap's end any more */
		return 0;
	}
	h->end = cut;
	if (h->clean > cut)
		h->clean = cut; /* pages taken again come zeroed */
	h->arena_bytes -= bytes;
	h->returned_bytes += bytes;
	h->trims++;
	return 1;
}

/* The top grew past the threshold (rvheap.c's header, "Giving back"). */
static __attribute__((noinline, cold)) void trim_top(struct rvheap *h)
{
	if (!h->cfg.trim)
		h->cfg.trim_threshold = SIZE_MAX;
	else
		rvheap_trim(h, h->cfg.chunk);
}

/* Free the used block b (header hd), merging it with free neighbours or
 * into the top. */
static ALWAYS_INLINE void release(struct rvheap *h, char *b, uint64_t hd, char *top)
{
	uint64_t f = hd & SIZE_MASK;
	char *next = b + f;
	uint64_t nh;

	h->used_bytes -= f;
	h->used_blocks--;
	if (hd & F_PREV_FREE) {
		char *prev = *footer_before(b);

		list_remove(h, (node *)prev);
		*hdr(b) = H_FREE; /* stale: a second free of b says so */
		f += bsize(prev);
		b = prev;
	}
	if (next == top) {
		h->top = b;
		if (UNLIKELY((uint64_t)(h->end - b) > h->cfg.trim_threshold))
			trim_top(h);
		return;
	}
	nh = *hdr(next);
	if (nh & F_FREE) {
		list_remove(h, (node *)next);
		f += nh & SIZE_MASK;
		next = b + f;
	}
	*hdr(next) |= F_PREV_FREE;
	*footer_before(next) = b;
	*hdr(b) = f | H_FREE;
	list_insert(h, (node *)b, f);
}

/* The complaint about p, a pointer into the heap that is not a block in
 * use (misaligned, outside, or with a header not tagged "used"). */
static __attribute__((noinline)) const char *complaint(const struct rvheap *h, const void *p)
{
	uint64_t tag;

	if (((uintptr_t)p & 15) || (uintptr_t)p - (uintptr_t)h->lo >=
					   (uintptr_t)h->top - (uintptr_t)h->lo)
		return "a pointer malloc did not return (outside the heap or misaligned), or freed twice";
	tag = *hdr(p) >> TAG_SHIFT;
	if (tag == TAG_FREE)
		return "double free (the block is free already)";
	return "a pointer malloc did not return, or its block's header was overwritten";
}

/* Report a refused pointer: out of line, so that the callers' fast paths
 * need no stack frame. */
static __attribute__((noinline, cold)) void refuse(const struct rvheap *h, const char *call,
						   const void *p)
{
	h->cfg.report(call, complaint(h, p), p);
}

/* Whether p is a block in use: inside the heap, aligned, tagged used. */
static ALWAYS_INLINE int in_use(const struct rvheap *h, const void *p, char *top, uint64_t *hd)
{
	char *lo = h->lo;

	if (UNLIKELY(((uintptr_t)p & 15) ||
		     (uintptr_t)p - (uintptr_t)lo >= (uintptr_t)top - (uintptr_t)lo))
		return 0;
	*hd = *hdr(p);
	return LIKELY((*hd >> TAG_SHIFT) == TAG_USED);
}

RVHEAP_HOT void rvheap_free(struct rvheap *h, void *p)
{
	char *top = h->top;
	uint64_t hd;

	if (UNLIKELY(!in_use(h, p, top, &hd))) {
		if (p)
			refuse(h, "free", p);
		return;
	}
	release(h, p, hd, top);
}

/* Cut the used block p to f bytes when the rest makes a block; the rest
 * is freed (and merges with what follows). */
static __attribute__((noinline)) void shrink(struct rvheap *h, char *p, uint64_t f)
{
	uint64_t hd = *hdr(p), old = hd & SIZE_MASK;
	char *r;

	if (old - f < MIN_BLOCK)
		return;
	*hdr(p) = f | (hd & ~SIZE_MASK);
	r = p + f;
	*hdr(r) = (old - f) | H_USED;
	h->used_blocks++;
	release(h, r, *hdr(r), h->top);
}

RVHEAP_HOT void *rvheap_realloc(struct rvheap *h, void *ptr, size_t n)
{
	char *p = ptr, *next, *q;
	uint64_t hd, f, want;

	if (!p)
		return rvheap_malloc(h, n);
	if (UNLIKELY(!in_use(h, p, h->top, &hd))) {
		refuse(h, "realloc", p);
		errno = EINVAL;
		return NULL;
	}
	if (n > RVHEAP_MAX_REQUEST) {
		errno = ENOMEM;
		return NULL;
	}
	f = hd & SIZE_MASK;
	want = footprint(n);
	if (want <= f) {
		shrink(h, p, want);
		return p;
	}
	next = p + f;
	if (next == h->top) {
		/* Into the top, grown in place if the new pages come right
		 * after it. */
		if ((uint64_t)(h->end - next) >= want - f ||
		    (grow_top(h, want - f) == 0 && h->top == next)) {
			h->top = p + want;
			if (h->clean < h->top)
				h->clean = h->top;
			*hdr(p) = want | (hd & ~SIZE_MASK);
			h->used_bytes += want - f;
			return p;
		}
	} else if ((*hdr(next) & F_FREE) && f + bsize(next) >= want) {
		uint64_t all = f + bsize(next);

		list_remove(h, (node *)next);
		*hdr(p + all) &= ~F_PREV_FREE;
		*hdr(p) = all | (hd & ~SIZE_MASK);
		h->used_bytes += all - f;
		shrink(h, p, want);
		return p;
	}
	q = rvheap_malloc(h, n);
	if (!q)
		return NULL;
	memcpy(q, p, f - 8);
	release(h, p, *hdr(p), h->top);
	return q;
}

RVHEAP_HOT void *rvheap_memalign(struct rvheap *h, size_t align, size_t n)
{
	char *b, *a;
	uint64_t f, bf;

	if (align <= 16)
		return rvheap_malloc(h, n);
	if (n > RVHEAP_MAX_REQUEST || align > RVHEAP_MAX_REQUEST / 2) {
		errno = ENOMEM;
		return NULL;
	}
	f = footprint(n);
	/* The first multiple of align at least MIN_BLOCK into the block (or
	 * the block itself): at most align + 16 bytes in. */
	b = take(h, f + align + 16);
	if (!b)
		return NULL;
	a = (char *)round_up((uintptr_t)b, align);
	if (a != b && (uint64_t)(a - b) < MIN_BLOCK)
		a += align;
	if (a != b) {
		/* The front becomes a free block (b's previous block is used:
		 * taken blocks never follow a free one). */
		bf = bsize(b);
		*hdr(a) = (bf - (uint64_t)(a - b)) | H_USED;
		h->used_bytes -= (uint64_t)(a - b);
		make_free(h, b, (uint64_t)(a - b));
	}
	shrink(h, a, f);
	return a;
}

RVHEAP_HOT size_t rvheap_usable(struct rvheap *h, const void *p)
{
	uint64_t hd;

	if (!p)
		return 0;
	if (!in_use(h, p, h->top, &hd)) {
		refuse(h, "malloc_usable_size", p);
		return 0;
	}
	return (size_t)((hd & SIZE_MASK) - 8);
}

/* ---- statistics and the consistency check ---- */

RVHEAP_COLD void rvheap_stats(const struct rvheap *h, struct rv_malloc_stats *s)
{
	uint64_t room = (uint64_t)(h->end - h->top), largest = room;

	s->arena_bytes = h->arena_bytes;
	s->in_use_bytes = h->used_bytes;
	s->overhead_bytes = h->overhead_bytes;
	s->free_bytes = h->arena_bytes - h->used_bytes - h->overhead_bytes;
	s->top_bytes = h->top ? room + 8 : 0;
	s->used_blocks = h->used_blocks;
	s->free_blocks = h->free_blocks;
	s->chunks = h->chunks;
	s->returned_bytes = h->returned_bytes;
	s->trims = h->trims;
	/* malloc serves from a class every request whose size rounds up to
	 * it: up to the class's smallest block, whatever larger ones it has. */
	if (h->fl_map) {
		unsigned long fl = fls32(h->fl_map);
		uint64_t f = class_min((fl << SL_LOG2) + fls32(h->sl_map[fl])) << 4;

		if (f > largest)
			largest = f;
	}
	s->largest_free = largest >= 8 ? largest - 8 : 0;
}

#define CHECK_FAIL(...)                                      \
	do {                                                 \
		if (why && why_len)                          \
			snprintf(why, why_len, __VA_ARGS__); \
		return -1;                                   \
	} while (0)

static void unmark_all(struct rvheap *h)
{
	for (unsigned long i = 0; i < LISTS; i++) {
		uint64_t n = 0;

		for (node *b = h->heads[i].next; b != &h->heads[i] && n <= h->free_blocks;
		     b = b->next, n++)
			*hdr(b) &= ~F_MARK;
	}
}

static int check_lists(struct rvheap *h, char *why, size_t why_len)
{
	uint64_t total = 0;

	for (unsigned long i = 0; i < LISTS; i++) {
		node *head = &h->heads[i];
		int bit = !!(h->sl_map[i >> SL_LOG2] & (1u << (i & (SL_COUNT - 1))));

		if (bit != (head->next != head))
			CHECK_FAIL("class %lu: bitmap says %s, list is %s", i, bit ? "used" : "empty",
				   head->next != head ? "not empty" : "empty");
		for (node *b = head->next, *prev = head; b != head; prev = b, b = b->next) {
			uint64_t hd;

			if (++total > h->free_blocks)
				CHECK_FAIL("more blocks in the lists than the %llu counted",
					   (unsigned long long)h->free_blocks);
			if ((uintptr_t)b & 15 || (char *)b < h->lo || (char *)b >= h->end)
				CHECK_FAIL("class %lu: node %p outside the heap", i, (void *)b);
			if (b->prev != prev)
				CHECK_FAIL("class %lu: node %p: back link %p, not %p", i, (void *)b,
					   (void *)b->prev, (void *)prev);
			hd = *hdr(b);
			if ((hd >> TAG_SHIFT) != TAG_FREE || !(hd & F_FREE) || (hd & F_MARK))
				CHECK_FAIL("class %lu: node %p: header %#llx (not free, or listed twice)",
					   i, (void *)b, (unsigned long long)hd);
			if (class_down((hd & SIZE_MASK) >> 4) != i)
				CHECK_FAIL("class %lu: node %p of %llu bytes belongs in class %lu", i,
					   (void *)b, (unsigned long long)(hd & SIZE_MASK),
					   class_down((hd & SIZE_MASK) >> 4));
			*hdr(b) = hd | F_MARK;
		}
	}
	for (unsigned long fl = 0; fl < FL_COUNT; fl++)
		if (!!(h->fl_map & (1u << fl)) != !!h->sl_map[fl])
			CHECK_FAIL("first-level bit %lu disagrees with its second level", fl);
	if (total != h->free_blocks)
		CHECK_FAIL("%llu blocks in the lists, %llu counted", (unsigned long long)total,
			   (unsigned long long)h->free_blocks);
	return 0;
}

/* Walk one region's blocks from first to its fence (or the top). */
static int check_region(struct rvheap *h, char *first, char *bound, uint64_t *used,
			uint64_t *ubytes, uint64_t *frees, uint64_t *fbytes, char *why,
			size_t why_len)
{
	int current = first == h->region;
	uint64_t prev_free = 0;
	char *p = first;

	for (;;) {
		uint64_t hd, f;

		if (current && p == h->top) {
			if (prev_free)
				CHECK_FAIL("a free block right before the top");
			return 0;
		}
		if (p > bound || p < first)
			CHECK_FAIL("region at %p: block %p runs past its end %p", (void *)first,
				   (void *)p, (void *)bound);
		hd = *hdr(p);
		if ((hd & F_PREV_FREE) != prev_free)
			CHECK_FAIL("block %p: previous-free flag %d, previous block is %s", (void *)p,
				   !!(hd & F_PREV_FREE), prev_free ? "free" : "used");
		if ((hd >> TAG_SHIFT) == TAG_FENCE) {
			if (current)
				CHECK_FAIL("a fence %p in the current region", (void *)p);
			return 0;
		}
		f = hd & SIZE_MASK;
		if (f < MIN_BLOCK || p + f > bound)
			CHECK_FAIL("block %p: size %llu", (void *)p, (unsigned long long)f);
		if ((hd >> TAG_SHIFT) == TAG_USED && !(hd & (F_FREE | F_FENCE | F_MARK))) {
			(*used)++;
			*ubytes += f;
			prev_free = 0;
		} else if ((hd >> TAG_SHIFT) == TAG_FREE && (hd & F_FREE)) {
			if (prev_free)
				CHECK_FAIL("block %p: two free blocks side by side", (void *)p);
			if (!(hd & F_MARK))
				CHECK_FAIL("free block %p of %llu bytes is in no list", (void *)p,
					   (unsigned long long)f);
			*hdr(p) = hd & ~F_MARK;
			if (*footer_before(p + f) != p)
				CHECK_FAIL("free block %p: footer %p", (void *)p,
					   (void *)*footer_before(p + f));
			(*frees)++;
			*fbytes += f;
			prev_free = F_PREV_FREE;
		} else {
			CHECK_FAIL("block %p: header %#llx", (void *)p, (unsigned long long)hd);
		}
		p += f;
	}
}

RVHEAP_COLD int rvheap_check(struct rvheap *h, char *why, size_t why_len)
{
	uint64_t used = 0, ubytes = 0, frees = 0, fbytes = 0, top;
	char *bound = h->top, *r;
	int err;

	if (!h->heads) {
		if (h->top || h->used_blocks || h->arena_bytes)
			CHECK_FAIL("no lists, yet memory");
		return 0;
	}
	if (h->top < h->region || h->top > h->end || ((uintptr_t)h->top & 15) ||
	    ((uintptr_t)h->end & 15))
		CHECK_FAIL("top %p outside its region [%p, %p)", (void *)h->top, (void *)h->region,
			   (void *)h->end);
	if (h->clean < h->top || h->clean > h->end)
		CHECK_FAIL("clean mark %p outside [top %p, end %p]", (void *)h->clean,
			   (void *)h->top, (void *)h->end);
	err = check_lists(h, why, why_len);
	if (err) {
		unmark_all(h);
		return err;
	}
	for (r = h->region; r; r = *(char **)(r - 16)) {
		err = check_region(h, r, bound, &used, &ubytes, &frees, &fbytes, why, why_len);
		if (err) {
			unmark_all(h);
			return err;
		}
		bound = r - 16;
	}
	if (frees != h->free_blocks)
		CHECK_FAIL("%llu free blocks in the heap, %llu in the lists",
			   (unsigned long long)frees, (unsigned long long)h->free_blocks);
	if (used != h->used_blocks || ubytes != h->used_bytes)
		CHECK_FAIL("%llu blocks (%llu bytes) in use, counted %llu (%llu bytes)",
			   (unsigned long long)used, (unsigned long long)ubytes,
			   (unsigned long long)h->used_blocks, (unsigned long long)h->used_bytes);
	top = (uint64_t)(h->end - h->top) + 8;
	if (h->arena_bytes != ubytes + fbytes + top + h->overhead_bytes)
		CHECK_FAIL("arena %llu != in use %llu + free %llu + top %llu + overhead %llu",
			   (unsigned long long)h->arena_bytes, (unsigned long long)ubytes,
			   (unsigned long long)fbytes, (unsigned long long)top,
			   (unsigned long long)h->overhead_bytes);
	for (const uint64_t *w = (const uint64_t *)h->clean; w < (const uint64_t *)h->end; w++)
		if (*w)
			CHECK_FAIL("untouched top not zero at %p", (const void *)w);
	return 0;
}
