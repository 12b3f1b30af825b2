/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared memory: a region is one contiguous block of frames from the buddy
 * allocator (2^order pages, of which `pages` are used), held by handles and
 * mappings; the last of either frees it. Mappings are marked borrowed in the
 * page tables so tearing down an address space never frees the region.
 *
 * DMA regions (dma_create, doc/devices.md) are the same objects from a pool
 * of their own, tied to the device they were made for. Their frames are
 * already contiguous and never move. One rule more: when the last
 * reference goes while the device may still be running (a driver has it
 * mapped and it is not reset), the region is quarantined -- frames and pool
 * slot kept -- until the device is quiet (device_dma_busy false): the kernel
 * resets it when its last mapper ends, or the driver resets it itself.
 * Otherwise a device still writing into the frames would write into
 * whatever the allocator handed them to next.
 */
#include <rvos/errno.h>
#include <rvos/memory_map.h>
#include <kernel/device.h>
#include <kernel/frame.h>
#include <kernel/page.h>
#include <kernel/proc.h>
#include <kernel/shm.h>
#include <kernel/util.h>

BUILD_ASSERT(RV_SHM_BASE + (uint64_t)CONFIG_MAX_MMAP_REGIONS * SHM_SLOT_SPAN <= RV_DEVICE_BASE,
	     "shared-memory mappings must end below the device registers (and the stack)");

struct shm_region {
	struct kobject obj;
	bool in_use;
	uintptr_t base;     /* physical = kernel address */
	unsigned int order; /* the buddy block: 2^order pages */
	size_t pages;       /* pages mapped */
	struct kobject *dev; /* DMA region: the device it belongs to; NULL: plain */
	bool quarantined;   /* DMA: no references left, frames held until the device is quiet */
	struct list_node derived; /* shm_mapping.derived: mappings made through derived handles */
};

static struct shm_region regions[CONFIG_MAX_SHM_REGIONS];
static struct shm_region dma_regions[CONFIG_MAX_DMA_REGIONS];
static unsigned int regions_in_use;
static unsigned int dma_in_use;
static unsigned int mappings_in_use;

unsigned int shm_region_count(void)
{
	return regions_in_use;
}

unsigned int shm_dma_region_count(void)
{
	return dma_in_use;
}

unsigned int shm_mapping_count(void)
{
	return mappings_in_use;
}

/* A zeroed region of size bytes (checked against max) from pool[n]. */
static long region_alloc(struct shm_region *pool, unsigned int n, uint64_t size, uint64_t max,
			 struct shm_region **out)
{
	struct shm_region *r = NULL;
	size_t pages;
	unsigned int order = 0;

	if (size == 0 || size > max)
		return -RV_EINVAL;
	pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	while (((size_t)1 << order) < pages)
		order++;
	if (order > CONFIG_FRAME_MAX_ORDER)
		return -RV_EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		if (!pool[i].in_use) {
			r = &pool[i];
			break;
		}
	}
	if (!r)
		return -RV_ENFILE;
	r->base = frame_alloc(order, FRAME_USER); /* zeroed */
	if (!r->base)
		return -RV_ENOMEM;
	r->in_use = true;
	r->order = order;
	r->pages = pages;
	r->dev = NULL;
	r->quarantined = false;
	list_init(&r->derived);
	kobject_init(&r->obj, RV_OBJ_SHM);
	*out = r;
	return 0;
}

long shm_create(uint64_t size, struct kobject **out)
{
	struct shm_region *r;
	long err = region_alloc(regions, CONFIG_MAX_SHM_REGIONS, size, CONFIG_SHM_MAX_BYTES, &r);

	if (err)
		return err;
	regions_in_use++;
	*out = &r->obj;
	return 0;
}

static void region_free(struct shm_region *r)
{
	frame_free(r->base, r->order, FRAME_USER);
	r->in_use = false;
	r->quarantined = false;
	if (r->dev)
		dma_in_use--;
	else
		regions_in_use--;
}

void shm_dma_reclaim(struct kobject *dev)
{
	for (unsigned int i = 0; i < CONFIG_MAX_DMA_REGIONS; i++) {
		struct shm_region *r = &dma_regions[i];
		if (r->in_use && r->quarantined && r->dev == dev)
			region_free(r);
	}
}

long shm_dma_create(struct kobject *dev, uint64_t size, struct kobject **out)
{
	struct shm_region *r;
	long err;

	/* Regions the device no longer reaches make room first. */
	if (!device_dma_busy(dev))
		shm_dma_reclaim(dev);
	err = region_alloc(dma_regions, CONFIG_MAX_DMA_REGIONS, size, CONFIG_DMA_MAX_BYTES, &r);
	if (err)
		return err;
	r->dev = dev;
	dma_in_use++;
	*out = &r->obj;
	return 0;
}

int shm_dma_addr(struct kobject *shm, struct kobject *dev, uint64_t *addr)
{
	struct shm_region *r = container_of(shm, struct shm_region, obj);

	if (r->dev != dev)
		return -RV_EINVAL; /* a plain region, or another device's */
	/* No IOMMU on the supported boards: the bus address is the physical
	 * one (= the kernel's 1:1 address). */
	*addr = r->base;
	return 0;
}

void shm_region_bytes(struct kobject *shm, const uint8_t **bytes, uint64_t *size)
{
	struct shm_region *r = container_of(shm, struct shm_region, obj);

	*bytes = (const uint8_t *)r->base;
	*size = (uint64_t)r->pages * PAGE_SIZE;
}

void shm_release(struct kobject *obj)
{
	struct shm_region *r = container_of(obj, struct shm_region, obj);

	if (IS_ENABLED(CONFIG_DEVICE_CAPS) && r->dev && device_dma_busy(r->dev)) {
		r->quarantined = true; /* shm_dma_reclaim frees it */
		return;
	}
	region_free(r);
}

long shm_map(struct proc *p, struct kobject *obj, bool writable, unsigned int via)
{
	struct shm_region *r = container_of(obj, struct shm_region, obj);
	unsigned int perms = VM_READ | (writable ? VM_WRITE : 0);

	for (unsigned int i = 0; i < CONFIG_MAX_MMAP_REGIONS; i++) {
		struct shm_mapping *m = &p->mappings[i];
		uintptr_t va = as_shm_base(&p->as) + i * SHM_SLOT_SPAN;
		int err;

		if (m->region)
			continue;
		/* the region's pages count against the quota of each process
		 * that maps it, in full, while it is mapped there */
		if (!as_may_take(&p->as, r->pages))
			return -RV_ENOMEM;
		p->as.shm_pages += r->pages;
		err = as_map_frames(&p->as, va, r->base, r->pages, perms);
		if (err) {
			as_unmap(&p->as, va, r->pages);
			p->as.shm_pages -= r->pages;
			return err;
		}
		m->region = r;
		m->va = va;
		m->via = via;
		if (via) {
			/* a revoke of via unmaps it (shm_revoke_mappings) */
			m->owner = p;
			list_append(&r->derived, &m->derived);
			via_get(via);
		}
		kobject_get(&r->obj);
		mappings_in_use++;
		return (long)va;
	}
	return -RV_ENOMEM;
}

static void unmap_slot(struct proc *p, struct shm_mapping *m)
{
	struct shm_region *r = m->region;
	unsigned int via = m->via;

	as_unmap(&p->as, m->va, r->pages);
	p->as.shm_pages -= r->pages;
	if (via)
		list_remove(&m->derived);
	m->region = NULL;
	m->via = 0;
	mappings_in_use--;
	via_put(via); /* first: see revoke.h */
	kobject_put(&r->obj);
}

void shm_revoke_mappings(struct kobject *obj)
{
	struct shm_region *r = container_of(obj, struct shm_region, obj);
	struct list_node *pos, *next;

	for (pos = r->derived.next; pos != &r->derived; pos = next) {
		struct shm_mapping *m = container_of(pos, struct shm_mapping, derived);

		next = pos->next;
		/* Its owner's next touch of it faults, as after shm_unmap.
		 * (Not running: one hart; if it is the caller, it returns to
		 * user mode through the fresh page tables.) */
		if (revoker_is_revoked(m->via))
			unmap_slot(m->owner, m);
	}
}

long shm_unmap(struct proc *p, uintptr_t va)
{
	for (unsigned int i = 0; i < CONFIG_MAX_MMAP_REGIONS; i++) {
		struct shm_mapping *m = &p->mappings[i];
		if (m->region && m->va == va) {
			unmap_slot(p, m);
			return 0;
		}
	}
	return -RV_EINVAL;
}

void shm_unmap_all(struct proc *p)
{
	for (unsigned int i = 0; i < CONFIG_MAX_MMAP_REGIONS; i++) {
		if (p->mappings[i].region)
			unmap_slot(p, &p->mappings[i]);
	}
}

size_t shm_mapped_pages(const struct proc *p)
{
	return p->as.shm_pages;
}
