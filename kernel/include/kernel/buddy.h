/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Binary buddy allocator of 4 KiB pages over one contiguous physical region.
 *
 * A block of order k is 2^k pages and starts at a physical address aligned to
 * its own size, so the buddy of a block is found by flipping one bit of its
 * page number and alloc/free are O(CONFIG_FRAME_MAX_ORDER).
 *
 * Bookkeeping lives inside the region it describes, so a zone needs no memory
 * from anywhere else:
 *  - one byte per managed page (block head or tail, free or allocated, order,
 *    reserved) in the first pages of the region, which are then not managed;
 *  - the free lists are intrusive: each free block holds its list links in its
 *    first bytes. The region must therefore be directly addressable (the
 *    kernel identity-maps RAM; host tests use a heap arena).
 *
 * Not thread-safe: callers serialize. A zone must not be copied or moved once
 * initialized (the list heads are linked into the free pages).
 */
#ifndef KERNEL_BUDDY_H
#define KERNEL_BUDDY_H

#include <stddef.h>
#include <stdint.h>

#include <kernel/list.h>

struct buddy_zone {
	uintptr_t base;		/* first managed page (just after the metadata) */
	uintptr_t end;		/* end of the managed pages */
	uint8_t *meta;		/* one state byte per managed page */
	size_t total_pages;	/* managed pages, reserved ones included */
	size_t free_pages;
	struct list_node free_list[CONFIG_FRAME_MAX_ORDER + 1];
};

/*
 * Manage [base, end), rounded inward to whole pages, all free. The metadata
 * takes the first pages of that range. Returns 0, -RV_EINVAL when the range is
 * empty or inverted, -RV_ENOMEM when no page would be left after the metadata.
 * Writes to every page (list links go into the free blocks).
 */
int buddy_init(struct buddy_zone *z, uintptr_t base, uintptr_t end);

/*
 * The same, but every page starts reserved and nothing beyond the metadata is
 * written: for RAM that may hold data still in use (device tree, initrd). Then
 * buddy_release the parts that are really free.
 */
int buddy_init_reserved(struct buddy_zone *z, uintptr_t base, uintptr_t end);

/*
 * Make the reserved pages wholly inside [base, end) free (rounded inward, so a
 * page partly outside stays reserved); free and allocated pages are left as
 * they are. Only the released pages are written. Returns 0, or -RV_EINVAL when
 * end < base.
 */
int buddy_release(struct buddy_zone *z, uintptr_t base, uintptr_t end);

/*
 * Bytes (whole pages) of metadata buddy_init would place at the page-aligned
 * start of [base, end); 0 when buddy_init would refuse the range. Lets a caller
 * move the zone start so the metadata does not land on memory in use.
 */
size_t buddy_meta_size(uintptr_t base, uintptr_t end);

/*
 * Take [base, end) out of use for good: every page the range touches (rounded
 * outward) that is currently free becomes reserved. Any alignment is fine, the
 * part outside the zone is ignored, and pages already allocated or reserved
 * are left as they are, so overlapping reservations are harmless. Returns 0,
 * or -RV_EINVAL when end < base.
 */
int buddy_reserve(struct buddy_zone *z, uintptr_t base, uintptr_t end);

/* Physical address of 2^order free pages aligned to 2^order pages, or 0. */
uintptr_t buddy_alloc(struct buddy_zone *z, unsigned int order);

/*
 * Give back a block from buddy_alloc with the same order, merging it with its
 * free buddies. -RV_EINVAL, with nothing changed, when addr is not the start
 * of a block allocated with exactly that order (double free, wrong order, an
 * address inside a block, a reserved page, misaligned, outside the zone).
 */
int buddy_free(struct buddy_zone *z, uintptr_t addr, unsigned int order);

/* True if addr lies in the pages the zone manages. */
static inline int buddy_contains(const struct buddy_zone *z, uintptr_t addr)
{
	return addr >= z->base && addr < z->end;
}

static inline size_t buddy_free_pages(const struct buddy_zone *z)
{
	return z->free_pages;
}

static inline size_t buddy_total_pages(const struct buddy_zone *z)
{
	return z->total_pages;
}

/*
 * Walk the whole zone and its free lists and check every invariant (block
 * alignment, metadata agreeing with the lists, no two free buddies left
 * unmerged, free count). O(pages): for tests and debugging. 0 when consistent,
 * -RV_EBADMSG otherwise.
 */
int buddy_check(const struct buddy_zone *z);

#endif /* KERNEL_BUDDY_H */
