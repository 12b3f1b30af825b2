/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Address spaces (Sv39). The kernel's part -- MMIO and RAM mapped 1:1, and
 * the kernel stacks -- is the same in every address space (global, no U
 * bit); the user part is per process, in [RV_USER_BASE, RV_USER_TOP).
 * Layout: doc/memory-map.md.
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/csr.h>
#include <arch/mmu.h>
#include <rvos/memory_map.h>
#include <kernel/devicetree.h>
#include <kernel/util.h>

/* Permissions of a user mapping. W and X together are refused (W^X). */
#define VM_READ PTE_R
#define VM_WRITE PTE_W
#define VM_EXEC PTE_X

struct rv_msg;

struct addr_space {
	pte_t *root;       /* root page table (physical = kernel address) */
	uint64_t satp;     /* satp value that makes this space current */
	uint16_t asid;     /* 0 when the hart has no ASIDs */
	size_t user_pages; /* frames mapped and owned by this space */
	/* The user pages the kernel translated last, direct-mapped by page
	 * number: system calls touch the same few pages (stack, message
	 * buffers) again and again, and a table walk costs ten times a hit.
	 * Cleared whenever a mapping of the space goes away (user_tlb_flush):
	 * any change that removes or restricts a user mapping must call it.
	 * Each slot has a victim entry behind it (tlb_victim, looked at only
	 * on a miss): two hot pages that share a slot (a server's stack page
	 * and its message buffer, say, which the slot's hash can pair
	 * whatever the layout) swap places instead of walking the tables on
	 * every system call. */
	struct user_tlb_entry {
		uintptr_t vpn_r;  /* page number if mapped readable, else USER_TLB_NONE */
		uintptr_t vpn_w;  /* page number if readable and writable, else USER_TLB_NONE */
		intptr_t delta;   /* kernel address - user address, in this page */
		uintptr_t vpn;    /* page number if mapped at all, else USER_TLB_NONE */
	} tlb[CONFIG_KERNEL_USER_TLB_ENTRIES];
	struct user_tlb_entry tlb_victim[CONFIG_KERNEL_USER_TLB_ENTRIES]; /* right after tlb[] */
	/* While the process is blocked reading a channel (kernel/channel.c):
	 * its struct rv_msg and the first bytes of its buffer as kernel
	 * pointers, so that a writer delivers into them without translating
	 * anything. Translations like tlb[], dropped with them: rx_msg NULL
	 * means none. */
	struct rv_msg *rx_msg; /* writable, 8-aligned, within one page */
	uint8_t *rx_bytes;     /* the buffer, writable for rx_room bytes */
	size_t rx_room;        /* min(capacity, bytes to the end of its page) */
	uintptr_t rx_ubuf;     /* the buffer's user address (valid while proc.rx_cap) */
	/* Blocked in port_wait: its struct rv_port_event (writable, 8-aligned,
	 * within one page; valid while rx_msg is). */
	struct rv_port_event *rx_event;
	/* The lowest mapped byte of the stack: the stack reserve below it
	 * (down to as_stack_reserve_base()) is mapped on first touch
	 * (as_stack_grow); 0: the space has no stack yet. */
	uintptr_t stack_bottom;
	/* Where its regions start (kernel/aslr.c): the stack's top, the
	 * heap's base, shared-memory slot 0 and device slot 0. The fixed
	 * RV_* addresses without CONFIG_ASLR (the accessors below then
	 * ignore these). */
	uintptr_t stack_top;
	uintptr_t heap_base;
	uintptr_t shm_base;
	uintptr_t device_base;
	/* The page quota (doc/security.md, "Quotas"): table_pages page-table
	 * frames (the root included) and shm_pages shared-memory pages mapped
	 * (kernel/shm.c keeps it) count with user_pages against max_pages. */
	size_t table_pages;
	size_t shm_pages;
	size_t max_pages;
};

/* The space's layout (kernel/aslr.c): constants without CONFIG_ASLR, so
 * a fixed-layout kernel computes what it did before. */
static inline uintptr_t as_stack_top(const struct addr_space *as)
{
	return IS_ENABLED(CONFIG_ASLR) ? as->stack_top : RV_USER_STACK_TOP;
}
static inline uintptr_t as_heap_base(const struct addr_space *as)
{
	return IS_ENABLED(CONFIG_ASLR) ? as->heap_base : RV_HEAP_BASE;
}
static inline uintptr_t as_shm_base(const struct addr_space *as)
{
	return IS_ENABLED(CONFIG_ASLR) ? as->shm_base : RV_SHM_BASE;
}
static inline uintptr_t as_device_base(const struct addr_space *as)
{
	return IS_ENABLED(CONFIG_ASLR) ? as->device_base : RV_DEVICE_BASE;
}
/* The stack reserve [reserve base, top) and the guard below it. */
static inline uintptr_t as_stack_reserve_base(const struct addr_space *as)
{
	return as_stack_top(as) - (uintptr_t)CONFIG_USER_STACK_MAX;
}
static inline uintptr_t as_stack_guard_base(const struct addr_space *as)
{
	return as_stack_reserve_base(as) - (uintptr_t)CONFIG_USER_STACK_GUARD_SIZE;
}

/* Pages the space counts against its quota. */
static inline size_t as_pages(const struct addr_space *as)
{
	return as->user_pages + as->table_pages + as->shm_pages;
}
/* May the space take n more pages? (Its quota may have been lowered below
 * what it holds: then nothing more.) */
static inline bool as_may_take(const struct addr_space *as, size_t n)
{
	return as_pages(as) <= as->max_pages && n <= as->max_pages - as_pages(as);
}

/* Build the kernel's page tables from the boot facts and turn paging on. */
int vm_init(const struct boot_info *boot);

/* The kernel stack of process slot `slot`: top address (stack grows down
 * from it); the page below the stack is left unmapped as a guard. */
uintptr_t vm_kernel_stack_top(unsigned int slot);
bool vm_is_kernel_stack(uintptr_t addr);

int as_create(struct addr_space *as, uint16_t asid, size_t max_pages);
/* Free every user page it owns and every page-table frame. */
void as_destroy(struct addr_space *as);
/* Map zeroed pages over [va, va + size) with perms (VM_*); -ENOMEM (no
 * frame, or over the space's page quota), -EINVAL
 * (not page-aligned, outside user space, W+X), -EEXIST (already mapped). */
int as_map_anon(struct addr_space *as, uintptr_t va, size_t size, unsigned int perms);
/* Map frames it does not own (shared memory): [pa, pa + pages * 4 KiB) at
 * va. Unmapping or destroying the space never frees them. */
int as_map_frames(struct addr_space *as, uintptr_t va, uintptr_t pa, size_t pages,
		  unsigned int perms);
/* Remove the mappings of [va, va + pages * 4 KiB); owned frames are freed. */
void as_unmap(struct addr_space *as, uintptr_t va, size_t pages);
/* Map the stack's first size bytes below as_stack_top() (spawn): the
 * rest of the reserve is mapped as it is touched. */
int as_map_stack(struct addr_space *as, size_t size);
/* Is va in the stack reserve below the stack's mapped part (a touch there
 * grows the stack)? */
static inline bool as_stack_can_grow(const struct addr_space *as, uintptr_t va)
{
	/* A reserve no larger than the stack mapped at spawn never grows:
	 * said here so the growing code folds away (samples/hello). */
	if (CONFIG_USER_STACK_MAX <= CONFIG_USER_STACK_SIZE)
		return false;
	return va >= as_stack_reserve_base(as) && va < as->stack_bottom;
}
/* Is va in the never-mapped guard below the stack reserve? */
static inline bool as_in_stack_guard(const struct addr_space *as, uintptr_t va)
{
	return va >= as_stack_guard_base(as) && va < as_stack_reserve_base(as);
}
/* Map zeroed pages of the stack reserve from va's page up to the stack's
 * bottom (as_stack_can_grow(as, va) holds). 0, or -ENOMEM when frames ran
 * out, AS_OVER_QUOTA when the page quota did: the pages mapped until then
 * stay (the stack stays one range). */
#define AS_OVER_QUOTA 1
int as_stack_grow(struct addr_space *as, uintptr_t va);
/* What a user load or store page fault at va means for the stack. */
enum stack_fault {
	STACK_FAULT_NONE,      /* not the stack's: an ordinary fault */
	STACK_FAULT_GREW,      /* in the reserve: mapped now, run the access again */
	STACK_FAULT_NO_MEMORY, /* in the reserve, but no frame was free */
	STACK_FAULT_QUOTA,     /* in the reserve, but the page quota is used up */
	STACK_FAULT_OVERFLOW,  /* in the guard below the reserve */
};
enum stack_fault as_stack_fault(struct addr_space *as, uintptr_t va);
/* Make as the current address space of this hart. */
static inline void as_activate(const struct addr_space *as)
{
	csr_write(satp, as->satp);
	/* Without ASIDs the old space's entries must go; with them, the
	 * ASID tags keep spaces apart (privileged spec 4.2.1). */
	if (!as->asid)
		sfence_vma_all();
}

/* Copy between kernel memory and user memory of an address space. The user
 * range must be mapped with U and R (and W for copy_to_user); these never
 * fault: each page is found by walking the tables. -EFAULT otherwise. A
 * page of the stack reserve not mapped yet is mapped first, as the
 * process's own touch would (as_stack_grow): a system call may write into
 * a large buffer on the stack; when no frame is free, -EFAULT. */
/* Kernel pointer to [va, va + len) when it lies within one user page that
 * is mapped for the access; NULL otherwise (callers then take a slow path). */
uint8_t *user_page_slow(const struct addr_space *as, uintptr_t va, pte_t need);

_Static_assert(offsetof(struct addr_space, tlb_victim) ==
		       offsetof(struct addr_space, tlb) + sizeof(((struct addr_space *)0)->tlb),
	       "user_page_cached finds a slot's victim right after tlb[]");
_Static_assert((CONFIG_KERNEL_USER_TLB_ENTRIES & (CONFIG_KERNEL_USER_TLB_ENTRIES - 1)) == 0,
	       "CONFIG_KERNEL_USER_TLB_ENTRIES must be a power of two");

/* No page number: user addresses are below 2^39. */
#define USER_TLB_NONE (~(uintptr_t)0)

static inline __attribute__((always_inline)) const struct user_tlb_entry *
user_tlb_slot(const struct addr_space *as, uintptr_t va)
{
	/* Page number bits 0.. and 22..: the stack (top of user space), the
	 * program's data, the heap and shared memory then land in different
	 * slots even when their low page-number bits agree. The shifts keep
	 * the index scaled by the entry size (32 bytes). */
	_Static_assert(sizeof(struct user_tlb_entry) == 32, "user_tlb_entry: 32 bytes");
	uintptr_t off = ((va >> 7) ^ (va >> 29)) & ((CONFIG_KERNEL_USER_TLB_ENTRIES - 1) << 5);

	return (const struct user_tlb_entry *)((const char *)as->tlb + off);
}

/* Kernel pointer to user byte va from the cache, or NULL when the cache
 * does not know its page mapped for the access (a miss, not a fault).
 * Looks at the slot's victim too, without swapping (this reads only):
 * two hot pages that share a slot, a caller's stack page and its message
 * buffer say, both stay on the call fast path whatever the program's
 * layout (without it, one layout in eight cost ipc_call_rt 217
 * instructions more: doc/memory-map.md, "How the kernel reaches user
 * memory"). */
static inline __attribute__((always_inline)) uint8_t *user_page_cached(const struct addr_space *as,
								       uintptr_t va, bool write)
{
	uintptr_t vpn = va >> 12;
	const struct user_tlb_entry *t = user_tlb_slot(as, va);

	if (__builtin_expect((write ? t->vpn_w : t->vpn_r) != vpn, 0)) {
		t = (const struct user_tlb_entry *)((const char *)t + sizeof(as->tlb));
		if ((write ? t->vpn_w : t->vpn_r) != vpn)
			return 0;
	}
	return (uint8_t *)(va + t->delta);
}

static inline __attribute__((always_inline)) uint8_t *user_page(const struct addr_space *as, uintptr_t va, pte_t need)
{
	uintptr_t vpn = va >> 12;
	const struct user_tlb_entry *t = user_tlb_slot(as, va);

	if (need == PTE_R && t->vpn_r == vpn)
		return (uint8_t *)(va + t->delta);
	if (need == (PTE_R | PTE_W) && t->vpn_w == vpn)
		return (uint8_t *)(va + t->delta);
	if (need == 0 && t->vpn == vpn)
		return (uint8_t *)(va + t->delta);
	return user_page_slow(as, va, need);
}

/* Forget every cached translation of the space (a mapping went away). */
void user_tlb_flush(struct addr_space *as);

static inline __attribute__((always_inline)) void *user_span(const struct addr_space *as, uintptr_t va, size_t len, bool write)
{
	if ((va & 4095) + (len ? len : 1) > 4096)
		return 0;
	return user_page(as, va, write ? PTE_R | PTE_W : PTE_R);
}
/* The same from the cache only: NULL on a miss too. */
static inline __attribute__((always_inline)) void *user_span_cached(const struct addr_space *as, uintptr_t va, size_t len, bool write)
{
	if ((va & 4095) + (len ? len : 1) > 4096)
		return 0;
	return user_page_cached(as, va, write);
}
/* Is [va, va + len) mapped for user access (and writable, if write)? */
bool user_access_ok(const struct addr_space *as, uintptr_t va, size_t len, bool write);
int copy_from_user(const struct addr_space *as, void *dst, uintptr_t src, size_t len);
int copy_to_user(const struct addr_space *as, uintptr_t dst, const void *src, size_t len);
/* Copy a NUL-terminated string of at most max bytes (NUL included):
 * length without NUL, -EFAULT, or -E2BIG when no NUL within max. */
int copy_string_from_user(const struct addr_space *as, char *dst, uintptr_t src, size_t max);
/* Copy len bytes from user memory of src_as to user memory of dst_as, one
 * translation per page of each; both ranges must have been checked
 * (user_access_ok): -EFAULT otherwise, possibly after a part. */
int copy_user_to_user(const struct addr_space *dst_as, uintptr_t dst,
		      const struct addr_space *src_as, uintptr_t src, size_t len);
/* Write into user pages regardless of their W bit (loading a program). */
int vm_write_user_pages(const struct addr_space *as, uintptr_t dst, const void *src, size_t len);

#endif /* KERNEL_VM_H */
