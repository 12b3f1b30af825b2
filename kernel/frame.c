// SPDX-License-Identifier: Apache-2.0
/*
 * Physical frame allocator: buddy zones, boot reservations and per-purpose
 * accounting (see kernel/frame.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rvos/errno.h>
#include <kernel/buddy.h>
#include <kernel/frame.h>
#include <kernel/mem.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/util.h>

struct frame_range {
	uintptr_t base, end;
};

static struct buddy_zone zones[CONFIG_DT_MAX_MEMORY_RANGES];
/* What each zone was given, metadata and skipped pages included, to refuse overlaps. */
static struct frame_range zone_region[CONFIG_DT_MAX_MEMORY_RANGES];
static unsigned int zone_count;

static struct frame_range reserved[CONFIG_FRAME_MAX_RESERVED];
static unsigned int reserved_count;

static size_t used_by[FRAME_PURPOSE_COUNT];

static bool overlaps(uintptr_t a_base, uintptr_t a_end, uintptr_t b_base, uintptr_t b_end)
{
	return a_base < b_end && b_base < a_end;
}

static uintptr_t page_down(uintptr_t a)
{
	return a & ~(uintptr_t)(PAGE_SIZE - 1);
}

/* Rounded up to a page; the last page start when that would wrap. */
static uintptr_t page_up_clamped(uintptr_t a)
{
	if (a > UINTPTR_MAX - (PAGE_SIZE - 1))
		return page_down(UINTPTR_MAX);
	return page_down(a + PAGE_SIZE - 1);
}

/*
 * Free the pages of the new zone that no reservation touches. The zone starts
 * all reserved and only released pages get written (free-list links), so a
 * device tree or initrd inside the zone is never scribbled on. Few ranges: a
 * quadratic walk over the gaps is fine.
 */
static void release_unreserved(struct buddy_zone *z)
{
	uintptr_t cursor = z->base;
	unsigned int i;

	while (cursor < z->end) {
		uintptr_t covered = 0, next = z->end;

		for (i = 0; i < reserved_count; i++) {
			uintptr_t rb = page_down(reserved[i].base);
			uintptr_t re = page_up_clamped(reserved[i].end);

			if (rb <= cursor && cursor < re && re > covered)
				covered = re;
			else if (rb > cursor && rb < next)
				next = rb;
		}
		if (covered) {
			cursor = covered;
			continue;
		}
		buddy_release(z, cursor, next);
		cursor = next;
	}
}

/* A reserved range overlapping [base, end), or NULL. */
static const struct frame_range *reserved_overlap(uintptr_t base, uintptr_t end)
{
	unsigned int i;

	for (i = 0; i < reserved_count; i++) {
		if (overlaps(base, end, reserved[i].base, reserved[i].end))
			return &reserved[i];
	}
	return NULL;
}

int frame_init_zone(uintptr_t base, uintptr_t end)
{
	struct buddy_zone *z;
	const struct frame_range *r;
	uintptr_t start = base;
	unsigned int i;
	int err;

	if (end <= base)
		return -RV_EINVAL;
	if (zone_count == ARRAY_SIZE(zones))
		return -RV_ENOSPC;
	for (i = 0; i < zone_count; i++) {
		if (overlaps(base, end, zone_region[i].base, zone_region[i].end))
			return -RV_EINVAL;
	}

	/*
	 * The metadata goes at the start of the zone's range: move the start
	 * past every reservation the metadata would land on (firmware or the
	 * kernel image usually sit at the bottom of RAM). Each step moves start
	 * up, so this ends.
	 */
	for (;;) {
		size_t meta = buddy_meta_size(start, end);
		uintptr_t meta_base = (start + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);

		if (meta == 0)
			return -RV_ENOMEM;
		r = reserved_overlap(meta_base, meta_base + meta);
		if (!r)
			break;
		start = r->end;
	}

	z = &zones[zone_count];
	err = buddy_init_reserved(z, start, end);
	if (err)
		return err;
	release_unreserved(z);
	zone_region[zone_count].base = base;
	zone_region[zone_count].end = end;
	zone_count++;
	return 0;
}

void frame_reserve(uintptr_t base, uintptr_t end)
{
	unsigned int i;

	if (end <= base)
		return;
	for (i = 0; i < zone_count; i++)
		buddy_reserve(&zones[i], base, end);

	/* Remember it for zones still to come; widen a touching record to save slots. */
	for (i = 0; i < reserved_count; i++) {
		if (base <= reserved[i].end && reserved[i].base <= end) {
			if (base < reserved[i].base)
				reserved[i].base = base;
			if (end > reserved[i].end)
				reserved[i].end = end;
			return;
		}
	}
	if (reserved_count == ARRAY_SIZE(reserved))
		panic(KMSG("frame_reserve: more than %d reserved ranges (CONFIG_FRAME_MAX_RESERVED)",
			   "CONFIG_FRAME_MAX_RESERVED %d"),
		      CONFIG_FRAME_MAX_RESERVED);
	reserved[reserved_count].base = base;
	reserved[reserved_count].end = end;
	reserved_count++;
}

uintptr_t frame_alloc(unsigned int order, enum frame_purpose purpose)
{
	unsigned int i;

	if ((unsigned int)purpose >= FRAME_PURPOSE_COUNT)
		panic("frame_alloc: bad purpose %d", (int)purpose);
	for (i = 0; i < zone_count; i++) {
		uintptr_t pa = buddy_alloc(&zones[i], order);

		if (pa) {
			/* Fresh pages may hold another process's data or stale page tables. */
			memset((void *)pa, 0, (size_t)PAGE_SIZE << order);
			used_by[purpose] += (size_t)1 << order;
			return pa;
		}
	}
	return 0;
}

void frame_free(uintptr_t pa, unsigned int order, enum frame_purpose purpose)
{
	unsigned int i;

	if ((unsigned int)purpose >= FRAME_PURPOSE_COUNT)
		panic("frame_free: bad purpose %d", (int)purpose);
	for (i = 0; i < zone_count; i++) {
		if (buddy_contains(&zones[i], pa))
			break;
	}
	if (i == zone_count)
		panic(KMSG("frame_free: %#lx is not in any zone", "frame_free %#lx"), (unsigned long)pa);
	/* Checked first so a mismatched purpose changes nothing before the panic. */
	if (order >= sizeof(size_t) * 8 || used_by[purpose] < (size_t)1 << order)
		panic(KMSG("frame_free: %#lx order %u: fewer %s pages in use",
			   "frame_free %#lx %u %s"), (unsigned long)pa,
		      order, frame_purpose_name(purpose));
	if (buddy_free(&zones[i], pa, order) != 0)
		panic(KMSG("frame_free: %#lx was not allocated with order %u", "frame_free %#lx %u"), (unsigned long)pa,
		      order);
	used_by[purpose] -= (size_t)1 << order;
}

void frame_get_stats(struct frame_stats *st)
{
	unsigned int i;

	st->total_pages = 0;
	st->free_pages = 0;
	for (i = 0; i < zone_count; i++) {
		st->total_pages += buddy_total_pages(&zones[i]);
		st->free_pages += buddy_free_pages(&zones[i]);
	}
	for (i = 0; i < FRAME_PURPOSE_COUNT; i++)
		st->used_by[i] = used_by[i];
}

const char *frame_purpose_name(enum frame_purpose purpose)
{
	static const char *const names[FRAME_PURPOSE_COUNT] = {
		[FRAME_PAGE_TABLE] = "page-table",
		[FRAME_USER] = "user",
		[FRAME_KERNEL_STACK] = "kernel-stack",
		[FRAME_KERNEL_POOL] = "kernel-pool",
	};

	if ((unsigned int)purpose >= FRAME_PURPOSE_COUNT)
		return "?";
	return names[purpose];
}
