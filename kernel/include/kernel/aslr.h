/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Address space layout randomisation (CONFIG_ASLR): each process's stack
 * top, heap base, shared-memory slots and device slots start a random
 * number of pages into their regions (doc/memory-map.md, doc/security.md).
 */
#ifndef KERNEL_ASLR_H
#define KERNEL_ASLR_H

#include <kernel/vm.h>

/* Say on the console how many random bits each region's offset has (or
 * that the layout is fixed). After random_init(). */
void aslr_init(void);
/* Give the new space as its random layout (a space fresh from
 * as_create(), nothing mapped in it yet); nothing without CONFIG_ASLR. */
void aslr_place(struct addr_space *as);

#endif /* KERNEL_ASLR_H */
