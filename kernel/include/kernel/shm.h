/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_SHM_H
#define KERNEL_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/object.h>
#include <kernel/page.h>

struct proc;

/* A mapping slot takes the largest region of either kind; a process's
 * slots follow each other from as_shm_base() (kernel/aslr.c places it). */
#define SHM_SLOT_BYTES                                                                            \
	(CONFIG_SHM_MAX_BYTES > CONFIG_DMA_MAX_BYTES ? CONFIG_SHM_MAX_BYTES : CONFIG_DMA_MAX_BYTES)
#define SHM_SLOT_SPAN (((uintptr_t)SHM_SLOT_BYTES + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1))

/* A zeroed region of size bytes (rounded up to pages), one reference. */
long shm_create(uint64_t size, struct kobject **out);
/* A DMA region for dev (a device object with DMA ops): like shm_create,
 * from the pool of CONFIG_MAX_DMA_REGIONS, at most CONFIG_DMA_MAX_BYTES.
 * -EINVAL, -ENFILE, -ENOMEM. */
long shm_dma_create(struct kobject *dev, uint64_t size, struct kobject **out);
/* The bus address of a region made for dev; -EINVAL for any other region. */
int shm_dma_addr(struct kobject *shm, struct kobject *dev, uint64_t *addr);
/* Free the quarantined regions of dev: it no longer reaches them (it was
 * reset). */
void shm_dma_reclaim(struct kobject *dev);
unsigned int shm_dma_region_count(void);
/* The region's bytes as kernel memory (contiguous) and its size in bytes
 * (whole pages). */
void shm_region_bytes(struct kobject *shm, const uint8_t **bytes, uint64_t *size);
/* Map it into p; returns the address or -ENOMEM (no mapping slot/frames).
 * via: the derivation of the handle it is mapped through (0: none). */
long shm_map(struct proc *p, struct kobject *obj, bool writable, unsigned int via);
/* Revocation: unmap every mapping of the region made through a revoked
 * derivation, in whichever process. */
void shm_revoke_mappings(struct kobject *obj);
long shm_unmap(struct proc *p, uintptr_t va);
void shm_unmap_all(struct proc *p);
/* Pages of shared memory p has mapped (proc_list). */
size_t shm_mapped_pages(const struct proc *p);

#endif /* KERNEL_SHM_H */
