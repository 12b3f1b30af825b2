/* SPDX-License-Identifier: Apache-2.0 */
/* Sv39 page-table entries and satp (privileged spec v1.12, section 4.4). */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
/* RSW bit 8 (software): the frame is not owned by this mapping (shared
 * memory, device): unmapping must not free it. */
#define PTE_BORROWED (1UL << 8)
#define PTE_PPN_SHIFT 10
#define PTE_FLAGS_MASK 0x3ffUL

#define SV39_LEVELS 3
#define SV39_VPN_BITS 9
#define SV39_ENTRIES 512
#define SV39_PAGE_SHIFT 12
#define SV39_GIGAPAGE (1UL << 30)

#define SATP_MODE_SV39 (8UL << 60)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK 0xffffUL
#define SATP_PPN_MASK ((1UL << 44) - 1)

static inline unsigned int sv39_index(uint64_t va, int level)
{
	return (va >> (SV39_PAGE_SHIFT + SV39_VPN_BITS * level)) & (SV39_ENTRIES - 1);
}

static inline pte_t pte_make(uint64_t pa, uint64_t flags)
{
	return ((pa >> SV39_PAGE_SHIFT) << PTE_PPN_SHIFT) | flags;
}

static inline uint64_t pte_pa(pte_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << SV39_PAGE_SHIFT;
}

static inline int pte_is_leaf(pte_t pte)
{
	return (pte & (PTE_R | PTE_W | PTE_X)) != 0;
}

static inline uint64_t satp_make(uint64_t root_pa, uint64_t asid)
{
	return SATP_MODE_SV39 | ((asid & SATP_ASID_MASK) << SATP_ASID_SHIFT) |
	       (root_pa >> SV39_PAGE_SHIFT);
}

/* Order the page-table writes before the walks that use them (4.2.1). */
static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static inline void sfence_vma_asid(uint64_t asid)
{
	__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
}

static inline void sfence_vma_page(uint64_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

#endif /* ARCH_MMU_H */
