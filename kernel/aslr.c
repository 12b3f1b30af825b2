/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Address space layout randomisation (CONFIG_ASLR, doc/security.md).
 *
 * Four regions of each address space move, each by its own random whole
 * number of pages drawn at spawn from the kernel's CSPRNG: the heap's
 * base, shared-memory slot 0 and device slot 0 upward from their fixed
 * addresses, the stack's top downward from RV_USER_STACK_TOP. An offset is
 * below 2^CONFIG_ASLR_ENTROPY_BITS pages, and below what the region leaves
 * free around its configured size, so regions never reach each other:
 *
 *   heap     [RV_HEAP_BASE, RV_SHM_BASE)       CONFIG_USER_HEAP_MAX
 *   shm      [RV_SHM_BASE, RV_DEVICE_BASE)     CONFIG_MAX_MMAP_REGIONS slots
 *   devices  [RV_DEVICE_BASE, RV_DEVICE_END)   CONFIG_MAX_EXPORTED_DEVICES slots
 *   stack    [RV_DEVICE_END, RV_USER_STACK_TOP) guard + CONFIG_USER_STACK_MAX
 *
 * The program is not moved: programs are ET_EXEC, linked at
 * RV_USER_TEXT_BASE (lib/user.ld). Within a region the slots keep their
 * order and spacing: one address of a region gives the others away.
 */
#include <kernel/aslr.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/shm.h>
#include <kernel/util.h>

#ifdef CONFIG_ASLR
#define ENTROPY_BITS CONFIG_ASLR_ENTROPY_BITS
#else
#define ENTROPY_BITS 0
#endif /* CONFIG_ASLR */

enum { REGION_STACK, REGION_HEAP, REGION_SHM, REGION_DEVICES, REGION_COUNT };

struct region {
	uintptr_t lo, hi; /* the part of the address space it may use */
	uintptr_t size;	  /* what it needs of that, from its start */
};

static const struct region regions[REGION_COUNT] = {
    [REGION_STACK] = {RV_DEVICE_END, RV_USER_STACK_TOP,
		      (uintptr_t)CONFIG_USER_STACK_MAX + CONFIG_USER_STACK_GUARD_SIZE},
    [REGION_HEAP] = {RV_HEAP_BASE, RV_SHM_BASE, CONFIG_USER_HEAP_MAX},
    [REGION_SHM] = {RV_SHM_BASE, RV_DEVICE_BASE, (uintptr_t)CONFIG_MAX_MMAP_REGIONS *SHM_SLOT_SPAN},
    [REGION_DEVICES] = {RV_DEVICE_BASE, RV_DEVICE_END,
			(uintptr_t)CONFIG_MAX_EXPORTED_DEVICES *RV_DEVICE_SLOT_SIZE},
};

BUILD_ASSERT(RV_HEAP_BASE + (uint64_t)CONFIG_USER_HEAP_MAX <= RV_SHM_BASE,
	     "the largest heap must end below the shared-memory slots");
BUILD_ASSERT(RV_DEVICE_END + (uint64_t)CONFIG_USER_STACK_MAX + CONFIG_USER_STACK_GUARD_SIZE <=
		 RV_USER_STACK_TOP,
	     "the stack reserve and its guard must fit above the device slots");

/* How many offsets (in pages) region r may take: 2^ENTROPY_BITS, or
 * fewer when its size leaves less room. */
static uint64_t region_choices(const struct region *r)
{
	uint64_t room = (r->hi - r->lo - r->size) / PAGE_SIZE + 1;
	uint64_t want = (uint64_t)1 << ENTROPY_BITS;

	return room < want ? room : want;
}

static unsigned int log2_floor(uint64_t n)
{
	unsigned int b = 0;

	while (n >>= 1)
		b++;
	return b;
}

void aslr_init(void)
{
	if (!IS_ENABLED(CONFIG_ASLR)) {
		printk(KMSG("aslr: off (CONFIG_ASLR=n): every process gets the fixed layout\n",
			    "aslr: off\n"));
		return;
	}
	printk("aslr: random page offsets of stack %u bits, heap %u bits, shm %u bits, devices %u "
	       "bits (CONFIG_ASLR_ENTROPY_BITS=%u)%s\n",
	       log2_floor(region_choices(&regions[REGION_STACK])),
	       log2_floor(region_choices(&regions[REGION_HEAP])),
	       log2_floor(region_choices(&regions[REGION_SHM])),
	       log2_floor(region_choices(&regions[REGION_DEVICES])), (unsigned int)ENTROPY_BITS,
	       random_is_seeded() ? "" : ", from a weak seed");
}

/* A page offset within region r from the random value v. */
static uintptr_t region_offset(const struct region *r, uint64_t v)
{
	return (uintptr_t)(v % region_choices(r)) * PAGE_SIZE;
}

void aslr_place(struct addr_space *as)
{
	uint64_t v[REGION_COUNT];

	if (!IS_ENABLED(CONFIG_ASLR))
		return;
	/* One request for the four: two ChaCha20 blocks (the bytes and the
	 * next key) instead of eight. */
	random_bytes(v, sizeof(v));
	as->stack_top = RV_USER_STACK_TOP - region_offset(&regions[REGION_STACK], v[REGION_STACK]);
	as->heap_base = RV_HEAP_BASE + region_offset(&regions[REGION_HEAP], v[REGION_HEAP]);
	as->shm_base = RV_SHM_BASE + region_offset(&regions[REGION_SHM], v[REGION_SHM]);
	as->device_base =
	    RV_DEVICE_BASE + region_offset(&regions[REGION_DEVICES], v[REGION_DEVICES]);
}
