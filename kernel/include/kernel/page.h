/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The base page: the unit of mapping and of physical-frame allocation.
 *
 * Sv39 translates 4 KiB pages: a virtual address splits into three 9-bit VPN
 * fields and a 12-bit page offset (RISC-V privileged spec, "Sv39: Page-Based
 * 39-bit Virtual-Memory System"). Larger leaves (2 MiB, 1 GiB) are multiples of
 * this size, so everything that hands out or maps memory counts in these pages.
 */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

#endif /* KERNEL_PAGE_H */
