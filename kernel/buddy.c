// SPDX-License-Identifier: Apache-2.0
/*
 * Binary buddy allocator (see kernel/buddy.h for the model).
 *
 * Every managed page has one metadata byte. The first page of a block holds
 * FREE or USED plus the block's order; the other pages of the block hold TAIL.
 * A reserved page holds RESERVED on its own: it belongs to no block and is
 * never merged. Because a free or allocated block is recognised only by the
 * exact byte at its first page, buddy_free can refuse every address that was
 * not returned by buddy_alloc with that order without touching anything.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rvos/errno.h>
#include <kernel/buddy.h>
#include <kernel/list.h>
#include <kernel/mem.h>
#include <kernel/page.h>
#include <kernel/util.h>

#define META_TAIL 0x00
#define META_FREE 0x80
#define META_USED 0x40
#define META_RESERVED 0x20
#define META_ORDER 0x1f

#define MAX_ORDER ((unsigned int)CONFIG_FRAME_MAX_ORDER)

BUILD_ASSERT(CONFIG_FRAME_MAX_ORDER >= 1 && CONFIG_FRAME_MAX_ORDER <= META_ORDER,
	     "FRAME_MAX_ORDER: 1 up to the order bits of a metadata byte");
BUILD_ASSERT(PAGE_SHIFT + CONFIG_FRAME_MAX_ORDER < sizeof(uintptr_t) * 8 - 1,
	     "the largest block must fit an address");

static inline uintptr_t block_bytes(unsigned int order)
{
	return (uintptr_t)PAGE_SIZE << order;
}

static inline uint8_t *meta_of(const struct buddy_zone *z, uintptr_t addr)
{
	return &z->meta[(addr - z->base) >> PAGE_SHIFT];
}

static inline struct list_node *node_of(uintptr_t addr)
{
	return (struct list_node *)addr;
}

/*
 * Append: allocation takes from the front, so a zone filled low to high hands
 * out low addresses first, which keeps boot-time placement predictable.
 */
static void push_free(struct buddy_zone *z, uintptr_t addr, unsigned int order)
{
	*meta_of(z, addr) = (uint8_t)(META_FREE | order);
	list_append(&z->free_list[order], node_of(addr));
}

/* Free the block at addr (its metadata says nothing yet), merging with free buddies. */
static void free_block(struct buddy_zone *z, uintptr_t addr, unsigned int order)
{
	z->free_pages += (size_t)1 << order;
	while (order < MAX_ORDER) {
		uintptr_t buddy = addr ^ block_bytes(order);

		if (buddy < z->base || buddy >= z->end || *meta_of(z, buddy) != (META_FREE | order))
			break;
		list_remove(node_of(buddy));
		/* The merged block starts at the lower half; the upper head becomes a tail. */
		if (buddy < addr) {
			*meta_of(z, addr) = META_TAIL;
			addr = buddy;
		} else {
			*meta_of(z, buddy) = META_TAIL;
		}
		order++;
	}
	push_free(z, addr, order);
}

/* Round [base, end) inward to pages; 0, -RV_EINVAL (inverted) or -RV_ENOMEM (no page). */
static int page_range(uintptr_t base, uintptr_t end, uintptr_t *start, uintptr_t *stop)
{
	if (end <= base)
		return -RV_EINVAL;
	if (base > UINTPTR_MAX - (PAGE_SIZE - 1))
		return -RV_ENOMEM;
	*start = (base + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);
	*stop = end & ~(uintptr_t)(PAGE_SIZE - 1);
	return *stop > *start ? 0 : -RV_ENOMEM;
}

/*
 * Pages of metadata for a range of n pages: m pages describe n - m pages at one
 * byte each, so the smallest m with m * PAGE_SIZE >= n - m, i.e. ceil(n / 4097).
 */
static size_t meta_pages(size_t n)
{
	return n / (PAGE_SIZE + 1) + (n % (PAGE_SIZE + 1) != 0);
}

size_t buddy_meta_size(uintptr_t base, uintptr_t end)
{
	uintptr_t start, stop;
	size_t n, m;

	if (page_range(base, end, &start, &stop) != 0)
		return 0;
	n = (stop - start) >> PAGE_SHIFT;
	m = meta_pages(n);
	return n > m ? m << PAGE_SHIFT : 0;
}

int buddy_init_reserved(struct buddy_zone *z, uintptr_t base, uintptr_t end)
{
	uintptr_t start, stop;
	size_t n, m;
	unsigned int i;
	int err;

	err = page_range(base, end, &start, &stop);
	if (err)
		return err;
	n = (stop - start) >> PAGE_SHIFT;
	m = meta_pages(n);
	if (n <= m)
		return -RV_ENOMEM;

	z->meta = (uint8_t *)start;
	z->base = start + (m << PAGE_SHIFT);
	z->end = stop;
	z->total_pages = n - m;
	z->free_pages = 0;
	for (i = 0; i <= MAX_ORDER; i++)
		list_init(&z->free_list[i]);
	memset(z->meta, META_RESERVED, z->total_pages);
	return 0;
}

int buddy_init(struct buddy_zone *z, uintptr_t base, uintptr_t end)
{
	int err = buddy_init_reserved(z, base, end);

	if (err)
		return err;
	return buddy_release(z, z->base, z->end);
}

/* True if the pages of [addr, addr + bytes) are all reserved. */
static bool all_reserved(const struct buddy_zone *z, uintptr_t addr, uintptr_t bytes)
{
	const uint8_t *m = meta_of(z, addr);
	size_t i;

	for (i = 0; i < bytes >> PAGE_SHIFT; i++) {
		if (m[i] != META_RESERVED)
			return false;
	}
	return true;
}

int buddy_release(struct buddy_zone *z, uintptr_t base, uintptr_t end)
{
	uintptr_t start, stop, addr;

	if (end < base)
		return -RV_EINVAL;
	if (end <= z->base || base >= z->end)
		return 0;
	/* Clip to the zone first: its bounds are page-aligned, so rounding cannot overflow. */
	start = base <= z->base ? z->base : (base + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);
	stop = end >= z->end ? z->end : end & ~(uintptr_t)(PAGE_SIZE - 1);

	addr = start;
	while (addr < stop) {
		unsigned int o = 0;

		if (*meta_of(z, addr) != META_RESERVED) {
			addr += PAGE_SIZE;	/* free or allocated: leave it */
			continue;
		}
		/*
		 * The largest aligned block of reserved pages starting here: each
		 * step checks only the new upper half, so the scan stays linear.
		 */
		while (o < MAX_ORDER && (addr & (block_bytes(o + 1) - 1)) == 0 &&
		       stop - addr >= block_bytes(o + 1) &&
		       all_reserved(z, addr + block_bytes(o), block_bytes(o)))
			o++;
		memset(meta_of(z, addr), META_TAIL, (size_t)1 << o);
		free_block(z, addr, o);
		addr += block_bytes(o);
	}
	return 0;
}

/* The free block containing the page at addr, if that page is free. */
static bool find_free_block(const struct buddy_zone *z, uintptr_t addr, uintptr_t *head,
			    unsigned int *order)
{
	unsigned int o;

	/* Free blocks are aligned and disjoint, so at most one order matches. */
	for (o = 0; o <= MAX_ORDER; o++) {
		uintptr_t h = addr & ~(block_bytes(o) - 1);

		if (h < z->base)
			return false;
		if (*meta_of(z, h) == (META_FREE | o)) {
			*head = h;
			*order = o;
			return true;
		}
	}
	return false;
}

int buddy_reserve(struct buddy_zone *z, uintptr_t base, uintptr_t end)
{
	uintptr_t start, stop, addr;

	if (end < base)
		return -RV_EINVAL;
	if (end == base || end <= z->base || base >= z->end)
		return 0;
	/* Clip to the zone first: its bounds are page-aligned, so rounding cannot overflow. */
	start = base < z->base ? z->base : base & ~(uintptr_t)(PAGE_SIZE - 1);
	stop = end >= z->end ? z->end : (end + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);

	addr = start;
	while (addr < stop) {
		uintptr_t head;
		unsigned int order;

		if (!find_free_block(z, addr, &head, &order)) {
			addr += PAGE_SIZE;	/* allocated or already reserved: leave it */
			continue;
		}
		list_remove(node_of(head));
		if (head >= start && head + block_bytes(order) <= stop) {
			memset(meta_of(z, head), META_RESERVED, (size_t)1 << order);
			z->free_pages -= (size_t)1 << order;
			addr = head + block_bytes(order);
		} else {
			/* Straddles an edge of the range (so order > 0): halve, look again. */
			order--;
			push_free(z, head, order);
			push_free(z, head + block_bytes(order), order);
		}
	}
	return 0;
}

uintptr_t buddy_alloc(struct buddy_zone *z, unsigned int order)
{
	unsigned int o;
	uintptr_t addr;

	if (order > MAX_ORDER)
		return 0;
	for (o = order; o <= MAX_ORDER; o++) {
		if (!list_is_empty(&z->free_list[o]))
			break;
	}
	if (o > MAX_ORDER)
		return 0;

	addr = (uintptr_t)list_pop_front(&z->free_list[o]);
	/* Split down, handing the upper halves back to the free lists. */
	while (o > order) {
		o--;
		push_free(z, addr + block_bytes(o), o);
	}
	*meta_of(z, addr) = (uint8_t)(META_USED | order);
	z->free_pages -= (size_t)1 << order;
	return addr;
}

int buddy_free(struct buddy_zone *z, uintptr_t addr, unsigned int order)
{
	if (order > MAX_ORDER || addr < z->base || addr >= z->end ||
	    (addr & (block_bytes(order) - 1)) != 0)
		return -RV_EINVAL;
	if (*meta_of(z, addr) != (META_USED | order))
		return -RV_EINVAL;
	free_block(z, addr, order);
	return 0;
}

int buddy_check(const struct buddy_zone *z)
{
	size_t blocks[CONFIG_FRAME_MAX_ORDER + 1] = { 0 };
	size_t free_pages = 0, listed;
	uintptr_t addr = z->base;
	unsigned int o;

	if (z->base > z->end || (z->end - z->base) >> PAGE_SHIFT != z->total_pages)
		return -RV_EBADMSG;

	while (addr < z->end) {
		uint8_t m = *meta_of(z, addr);
		uintptr_t size, p;

		if (m == META_RESERVED) {
			addr += PAGE_SIZE;
			continue;
		}
		o = m & META_ORDER;
		if ((m & ~META_ORDER) != META_FREE && (m & ~META_ORDER) != META_USED)
			return -RV_EBADMSG;	/* a tail or garbage where a block should start */
		size = block_bytes(o);
		if (o > MAX_ORDER || (addr & (size - 1)) != 0 || z->end - addr < size)
			return -RV_EBADMSG;
		for (p = addr + PAGE_SIZE; p < addr + size; p += PAGE_SIZE) {
			if (*meta_of(z, p) != META_TAIL)
				return -RV_EBADMSG;
		}
		if (m & META_FREE) {
			uintptr_t buddy = addr ^ size;

			/* Two free buddies of the same order must have been merged. */
			if (o < MAX_ORDER && buddy >= z->base && buddy < z->end &&
			    *meta_of(z, buddy) == (META_FREE | o))
				return -RV_EBADMSG;
			blocks[o]++;
			free_pages += (size_t)1 << o;
		}
		addr += size;
	}
	if (free_pages != z->free_pages)
		return -RV_EBADMSG;

	for (o = 0; o <= MAX_ORDER; o++) {
		const struct list_node *head = &z->free_list[o];
		const struct list_node *prev = head, *n;

		listed = 0;
		for (n = head->next; n != head; prev = n, n = n->next) {
			uintptr_t a = (uintptr_t)n;

			/*
			 * Validate a node before following its link, and count, so a
			 * corrupt list fails the check instead of crashing or hanging it.
			 */
			if (++listed > blocks[o] || !buddy_contains(z, a) ||
			    (a & (block_bytes(o) - 1)) != 0 || *meta_of(z, a) != (META_FREE | o) ||
			    n->prev != prev)
				return -RV_EBADMSG;
		}
		if (listed != blocks[o] || head->prev != prev)
			return -RV_EBADMSG;
	}
	return 0;
}
