/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KERNEL_SHM_H
#define KERNEL_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/object.h>

struct proc;

/* A zeroed region of size bytes (rounded up to pages), one reference. */
long shm_create(uint64_t size, struct kobject **out);
/* Map it into p; returns the address or -ENOMEM (no mapping slot/frames). */
long shm_map(struct proc *p, struct kobject *obj, bool writable);
long shm_unmap(struct proc *p, uintptr_t va);
void shm_unmap_all(struct proc *p);
/* Pages of shared memory p has mapped (proc_list). */
size_t shm_mapped_pages(const struct proc *p);

#endif /* KERNEL_SHM_H */
