/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared memory: a region is one contiguous block of frames from the buddy
 * allocator (2^order pages, of which `pages` are used), held by handles and
 * mappings; the last of either frees it. Mappings are marked borrowed in the
 * page tables so tearing down an address space never frees the region.
 */
#include <rvos/errno.h>
#include <rvos/memory_map.h>
#include <kernel/frame.h>
#include <kernel/page.h>
#include <kernel/proc.h>
#include <kernel/shm.h>
#include <kernel/util.h>

#define SHM_SLOT_SPAN (((uintptr_t)CONFIG_SHM_MAX_BYTES + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1))

BUILD_ASSERT(RV_SHM_BASE + (uint64_t)CONFIG_MAX_MMAP_REGIONS * SHM_SLOT_SPAN <=
		     RV_USER_STACK_TOP - CONFIG_USER_STACK_SIZE - 4096,
	     "shared-memory mappings must end below the user stack");

struct shm_region {
	struct kobject obj;
	bool in_use;
	uintptr_t base;     /* physical = kernel address */
	unsigned int order; /* the buddy block: 2^order pages */
	size_t pages;       /* pages mapped */
};

static struct shm_region regions[CONFIG_MAX_SHM_REGIONS];
static unsigned int regions_in_use;
static unsigned int mappings_in_use;

unsigned int shm_region_count(void)
{
	return regions_in_use;
}

unsigned int shm_mapping_count(void)
{
	return mappings_in_use;
}

long shm_create(uint64_t size, struct kobject **out)
{
	struct shm_region *r = NULL;
	size_t pages;
	unsigned int order = 0;

	if (size == 0 || size > CONFIG_SHM_MAX_BYTES)
		return -RV_EINVAL;
	pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	while (((size_t)1 << order) < pages)
		order++;
	if (order > CONFIG_FRAME_MAX_ORDER)
		return -RV_EINVAL;
	for (unsigned int i = 0; i < CONFIG_MAX_SHM_REGIONS; i++) {
		if (!regions[i].in_use) {
			r = &regions[i];
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
	kobject_init(&r->obj, RV_OBJ_SHM);
	regions_in_use++;
	*out = &r->obj;
	return 0;
}

void shm_release(struct kobject *obj)
{
	struct shm_region *r = container_of(obj, struct shm_region, obj);

	frame_free(r->base, r->order, FRAME_USER);
	r->in_use = false;
	regions_in_use--;
}

long shm_map(struct proc *p, struct kobject *obj, bool writable)
{
	struct shm_region *r = container_of(obj, struct shm_region, obj);
	unsigned int perms = VM_READ | (writable ? VM_WRITE : 0);

	for (unsigned int i = 0; i < CONFIG_MAX_MMAP_REGIONS; i++) {
		struct shm_mapping *m = &p->mappings[i];
		uintptr_t va = RV_SHM_BASE + i * SHM_SLOT_SPAN;
		int err;

		if (m->region)
			continue;
		err = as_map_frames(&p->as, va, r->base, r->pages, perms);
		if (err) {
			as_unmap(&p->as, va, r->pages);
			return err;
		}
		m->region = r;
		m->va = va;
		kobject_get(&r->obj);
		mappings_in_use++;
		return (long)va;
	}
	return -RV_ENOMEM;
}

static void unmap_slot(struct proc *p, struct shm_mapping *m)
{
	as_unmap(&p->as, m->va, m->region->pages);
	kobject_put(&m->region->obj);
	m->region = NULL;
	mappings_in_use--;
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
	size_t pages = 0;

	for (unsigned int i = 0; i < CONFIG_MAX_MMAP_REGIONS; i++) {
		if (p->mappings[i].region)
			pages += p->mappings[i].region->pages;
	}
	return pages;
}
