/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical page frames: one buddy zone (kernel/buddy.h) per RAM range, plus
 * accounting of what the allocated pages are used for.
 *
 * Reserve what is in use (firmware, kernel image, device tree, initrd) BEFORE
 * the frame_init_zone of the RAM holding it: reservations are remembered, a
 * new zone writes nothing into reserved ranges (free-list links go only into
 * free pages) and never puts its metadata on one (it moves its start past such
 * a range instead; the pages skipped that way are not managed). A reservation
 * made after frame_init_zone still keeps the range from being handed out, but
 * the zone may already have written into it, and pages of it that are
 * allocated at that moment become free again when they are freed.
 *
 * Not thread-safe: callers serialize.
 */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum frame_purpose {
	FRAME_PAGE_TABLE,
	FRAME_USER,
	FRAME_KERNEL_STACK,
	FRAME_KERNEL_POOL,
	FRAME_PURPOSE_COUNT
};

struct frame_stats {
	size_t total_pages;	/* managed by all zones, reserved pages included */
	size_t free_pages;
	size_t used_by[FRAME_PURPOSE_COUNT];	/* allocated pages per purpose */
};

/*
 * Hand RAM [base, end) to the allocator as a new zone. 0, -RV_EINVAL for an
 * inverted range or one overlapping an existing zone, -RV_ENOSPC when all
 * CONFIG_DT_MAX_MEMORY_RANGES zones exist, -RV_ENOMEM when, above the
 * reservations at its start, the range has no room for its metadata (one byte
 * per page) plus one page.
 */
int frame_init_zone(uintptr_t base, uintptr_t end);

/*
 * Never hand out [base, end) (kernel image, device tree, initrd, firmware):
 * any alignment, any overlap with zones or other reservations. Panics when
 * more than CONFIG_FRAME_MAX_RESERVED disjoint ranges are reserved.
 */
void frame_reserve(uintptr_t base, uintptr_t end);

/* 2^order zeroed contiguous pages aligned to their size, or 0 when none are free. */
uintptr_t frame_alloc(unsigned int order, enum frame_purpose purpose);

/* Give back a frame_alloc block; panics on anything else (a kernel bug). */
void frame_free(uintptr_t pa, unsigned int order, enum frame_purpose purpose);

void frame_get_stats(struct frame_stats *st);

/* "page-table", "user", "kernel-stack", "kernel-pool"; "?" for anything else. */
const char *frame_purpose_name(enum frame_purpose purpose);

#endif /* KERNEL_FRAME_H */
