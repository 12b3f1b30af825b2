/* SPDX-License-Identifier: Apache-2.0 */
#include <rvos/errno.h>
#include <rvos/memory_map.h>
#include <arch/csr.h>
#include <arch/mmu.h>
#include <kernel/frame.h>
#include <kernel/mem.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/util.h>
#include <kernel/vm.h>

/* Kernel stacks live in the last gigabyte of the upper half, under root
 * entry 511, whose lower tables are shared by every address space. */
#define KSTACK_REGION_BASE 0xffffffffc0000000UL
#define KSTACK_SLOT_SIZE (CONFIG_KERNEL_STACK_SIZE + PAGE_SIZE) /* stack + guard */
#define KERNEL_ROOT_USER_FIRST (RV_USER_BASE >> 30)  /* root entries of user space */
#define KERNEL_ROOT_USER_LAST ((RV_USER_TOP >> 30) - 1)

BUILD_ASSERT(CONFIG_KERNEL_STACK_SIZE % PAGE_SIZE == 0, "KERNEL_STACK_SIZE: whole pages");
BUILD_ASSERT(CONFIG_USER_STACK_SIZE % PAGE_SIZE == 0, "USER_STACK_SIZE: whole pages");
BUILD_ASSERT(CONFIG_USER_STACK_MAX % PAGE_SIZE == 0, "USER_STACK_MAX: whole pages");
BUILD_ASSERT(CONFIG_USER_STACK_GUARD_SIZE % PAGE_SIZE == 0, "USER_STACK_GUARD_SIZE: whole pages");
BUILD_ASSERT(CONFIG_USER_STACK_MAX >= CONFIG_USER_STACK_SIZE,
	     "USER_STACK_MAX must hold USER_STACK_SIZE (the part mapped at spawn)");
BUILD_ASSERT((uint64_t)CONFIG_MAX_PROCS * KSTACK_SLOT_SIZE <= SV39_GIGAPAGE,
	     "kernel stacks must fit in the last gigabyte");

static pte_t *kernel_root;
static bool have_asids;

/* The last allocation for a user space failed for its page quota, not for
 * want of frames (as_stack_grow tells the two apart). */
static bool quota_hit;

/* One more page for as (NULL: the kernel's own, not counted)? */
static bool quota_allows(const struct addr_space *as)
{
	if (!as || as_may_take(as, 1))
		return true;
	quota_hit = true;
	return false;
}

/* A page table, counted against as's quota (as NULL: the kernel's). */
static pte_t *table_alloc(struct addr_space *as)
{
	pte_t *t = quota_allows(as) ? (pte_t *)frame_alloc(0, FRAME_PAGE_TABLE) : NULL;

	if (t && as)
		as->table_pages++;
	return t;
}

static void table_free(struct addr_space *as, pte_t *table)
{
	frame_free((uintptr_t)table, 0, FRAME_PAGE_TABLE);
	as->table_pages--;
}

/* A zeroed user page for as, counted against its quota. */
static uintptr_t user_frame_alloc(struct addr_space *as)
{
	uintptr_t pa = quota_allows(as) ? frame_alloc(0, FRAME_USER) : 0;

	if (pa)
		as->user_pages++;
	return pa;
}

/* The leaf entry for va, creating intermediate tables when alloc is set
 * (counted against as's quota; as NULL: the kernel's tables). */
static pte_t *walk(pte_t *root, uintptr_t va, bool alloc, struct addr_space *as)
{
	pte_t table_flags = as ? 0 : PTE_G; /* the kernel's tables are global */
	pte_t *table = root;

	for (int level = SV39_LEVELS - 1; level > 0; level--) {
		pte_t *pte = &table[sv39_index(va, level)];
		if (*pte & PTE_V) {
			if (pte_is_leaf(*pte))
				return NULL; /* inside a superpage: not ours to split */
			table = (pte_t *)pte_pa(*pte);
			continue;
		}
		if (!alloc)
			return NULL;
		table = table_alloc(as);
		if (!table)
			return NULL;
		*pte = pte_make((uintptr_t)table, PTE_V | table_flags);
	}
	return &table[sv39_index(va, 0)];
}

static void map_gigapage(pte_t *root, uintptr_t addr, pte_t flags)
{
	root[sv39_index(addr, 2)] = pte_make(addr, PTE_V | PTE_G | PTE_A | PTE_D | flags);
}

uintptr_t vm_kernel_stack_top(unsigned int slot)
{
	return KSTACK_REGION_BASE + (uintptr_t)(slot + 1) * KSTACK_SLOT_SIZE;
}

bool vm_is_kernel_stack(uintptr_t addr)
{
	return addr >= KSTACK_REGION_BASE &&
	       addr < KSTACK_REGION_BASE + (uintptr_t)CONFIG_MAX_PROCS * KSTACK_SLOT_SIZE;
}

static int map_kernel_stacks(void)
{
	/* Every stack is mapped at boot: spawning then costs no allocation. */
	for (unsigned int slot = 0; slot < CONFIG_MAX_PROCS; slot++) {
		uintptr_t top = vm_kernel_stack_top(slot);
		for (uintptr_t va = top - CONFIG_KERNEL_STACK_SIZE; va < top; va += PAGE_SIZE) {
			uintptr_t pa = frame_alloc(0, FRAME_KERNEL_STACK);
			pte_t *pte = pa ? walk(kernel_root, va, true, NULL) : NULL;
			if (!pte)
				return -RV_ENOMEM;
			*pte = pte_make(pa, PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D);
		}
	}
	return 0;
}

static void probe_asids(uintptr_t root)
{
	/* Write all-ones to satp.ASID and read back which bits stick
	 * (privileged spec 4.1.11: ASIDLEN is discovered this way). */
	csr_write(satp, satp_make(root, SATP_ASID_MASK));
	uint64_t asid = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	have_asids = asid >= (uint64_t)CONFIG_MAX_PROCS;
	csr_write(satp, satp_make(root, 0));
	sfence_vma_all();
}

int vm_init(const struct boot_info *boot)
{
	int err;

	kernel_root = table_alloc(NULL);
	if (!kernel_root)
		return -RV_ENOMEM;
	/* MMIO below 2 GiB on both boards: device memory, never executable. */
	for (uintptr_t a = 0; a < 2 * SV39_GIGAPAGE; a += SV39_GIGAPAGE)
		map_gigapage(kernel_root, a, PTE_R | PTE_W);
	for (unsigned int i = 0; i < boot->mem_count; i++) {
		uintptr_t base = boot->mem[i].base & ~(SV39_GIGAPAGE - 1);
		uintptr_t end = boot->mem[i].base + boot->mem[i].size;
		if (end > RV_USER_BASE) {
			printk(KMSG("boot error: RAM at 0x%lx..0x%lx reaches user space (0x%lx): "
				    "the 1:1 kernel map needs RAM below it\n",
				    "boot error: RAM 0x%lx..0x%lx over 0x%lx\n"),
			       (unsigned long)boot->mem[i].base, (unsigned long)end, RV_USER_BASE);
			return -RV_ERANGE;
		}
		for (uintptr_t a = base; a < end; a += SV39_GIGAPAGE)
			map_gigapage(kernel_root, a, PTE_R | PTE_W | PTE_X);
	}
	err = map_kernel_stacks();
	if (err)
		return err;
	probe_asids((uintptr_t)kernel_root);
	return 0;
}

int as_create(struct addr_space *as, uint16_t asid, size_t max_pages)
{
	as->user_pages = as->table_pages = as->shm_pages = 0;
	as->max_pages = max_pages;
	as->root = table_alloc(as);
	if (!as->root)
		return -RV_ENOMEM;
	/* The kernel's entries (all but user space) are shared, not copied
	 * deeper: the tables under them belong to the kernel. */
	for (unsigned int i = 0; i < SV39_ENTRIES; i++) {
		if (i < KERNEL_ROOT_USER_FIRST || i > KERNEL_ROOT_USER_LAST)
			as->root[i] = kernel_root[i];
	}
	as->asid = have_asids ? asid : 0;
	as->satp = satp_make((uintptr_t)as->root, as->asid);
	as->stack_bottom = 0;
	/* The fixed layout; aslr_place() moves it at spawn. */
	as->stack_top = RV_USER_STACK_TOP;
	as->heap_base = RV_HEAP_BASE;
	as->shm_base = RV_SHM_BASE;
	as->device_base = RV_DEVICE_BASE;
	user_tlb_flush(as);
	return 0;
}

static void free_table(struct addr_space *as, pte_t *table, int level)
{
	for (unsigned int i = 0; i < SV39_ENTRIES; i++) {
		pte_t pte = table[i];
		if (!(pte & PTE_V))
			continue;
		if (level > 0 && !pte_is_leaf(pte)) {
			free_table(as, (pte_t *)pte_pa(pte), level - 1);
		} else if (!(pte & PTE_BORROWED)) {
			frame_free(pte_pa(pte), 0, FRAME_USER);
			as->user_pages--;
		}
	}
	table_free(as, table);
}

void as_destroy(struct addr_space *as)
{
	if (!as->root)
		return;
	user_tlb_flush(as);
	/* A process ending itself still runs on these tables: move to the
	 * kernel's own before freeing them (a freed page gets free-list links
	 * written into it, and the root's first entries map the UART). */
	if ((csr_read(satp) & SATP_PPN_MASK) == (uintptr_t)as->root >> SV39_PAGE_SHIFT) {
		csr_write(satp, satp_make((uintptr_t)kernel_root, 0));
		sfence_vma_all();
	}
	for (unsigned int i = KERNEL_ROOT_USER_FIRST; i <= KERNEL_ROOT_USER_LAST; i++) {
		pte_t pte = as->root[i];
		if (pte & PTE_V)
			free_table(as, (pte_t *)pte_pa(pte), 1);
	}
	table_free(as, as->root);
	if (as->user_pages || as->table_pages)
		panic(KMSG("address space freed with %lu pages, %lu page tables unaccounted",
			   "as_destroy %lu %lu"),
		      (unsigned long)as->user_pages, (unsigned long)as->table_pages);
	if (as->asid)
		sfence_vma_asid(as->asid);
	else
		sfence_vma_all();
	as->root = NULL;
}

/* [va, va + size) lies in user space; written so that no sum can wrap. */
static bool user_range_ok(uintptr_t va, size_t size)
{
	return va >= RV_USER_BASE && va <= RV_USER_TOP && size <= RV_USER_TOP - va;
}

int as_map_anon(struct addr_space *as, uintptr_t va, size_t size, unsigned int perms)
{
	pte_t leaf = PTE_V | PTE_U | PTE_A | PTE_D | (perms & (PTE_R | PTE_W | PTE_X));

	if ((va | size) & (PAGE_SIZE - 1) || !user_range_ok(va, size))
		return -RV_EINVAL;
	if ((perms & VM_WRITE) && (perms & VM_EXEC))
		return -RV_EACCES;
	for (uintptr_t a = va; a < va + size; a += PAGE_SIZE) {
		pte_t *pte = walk(as->root, a, true, as);
		uintptr_t pa;
		if (!pte)
			return -RV_ENOMEM;
		if (*pte & PTE_V)
			return -RV_EEXIST;
		pa = user_frame_alloc(as);
		if (!pa)
			return -RV_ENOMEM;
		*pte = pte_make(pa, leaf);
	}
	return 0;
}

int as_map_frames(struct addr_space *as, uintptr_t va, uintptr_t pa, size_t pages,
		  unsigned int perms)
{
	pte_t leaf = PTE_V | PTE_U | PTE_A | PTE_D | PTE_BORROWED | (perms & (PTE_R | PTE_W | PTE_X));

	if ((va | pa) & (PAGE_SIZE - 1) || !user_range_ok(va, pages * PAGE_SIZE))
		return -RV_EINVAL;
	if ((perms & VM_WRITE) && (perms & VM_EXEC))
		return -RV_EACCES;
	for (size_t i = 0; i < pages; i++) {
		pte_t *pte = walk(as->root, va + i * PAGE_SIZE, true, as);
		if (!pte)
			return -RV_ENOMEM;
		if (*pte & PTE_V)
			return -RV_EEXIST;
		*pte = pte_make(pa + i * PAGE_SIZE, leaf);
	}
	return 0;
}

/* Forget the translation of user page va in the space's ASID: the TLB
 * may hold it, or (privileged spec 4.2.1, without Svvptc) hold that it was
 * invalid. Leaf entries only. */
static void fence_user_page(const struct addr_space *as, uintptr_t va)
{
	if (as->asid)
		__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"((uint64_t)as->asid) : "memory");
	else
		sfence_vma_page(va);
}

/* The same for every translation of the space, non-leaf entries too. */
static void fence_user_space(const struct addr_space *as)
{
	if (as->asid)
		sfence_vma_asid(as->asid);
	else
		sfence_vma_all();
}

static bool table_empty(const pte_t *table)
{
	for (unsigned int i = 0; i < SV39_ENTRIES; i++) {
		if (table[i] & PTE_V)
			return false;
	}
	return true;
}

/* The page tables below the root on the way to user address va that hold
 * no entry any more go back to the frame pool (the root stays: it is the
 * space's own). True when one went: the caller fences. */
static bool prune_tables(struct addr_space *as, uintptr_t va)
{
	pte_t *l2 = &as->root[sv39_index(va, 2)], *l1, *t1, *t0;
	bool freed = false;

	if (!(*l2 & PTE_V) || pte_is_leaf(*l2))
		return false;
	t1 = (pte_t *)pte_pa(*l2);
	l1 = &t1[sv39_index(va, 1)];
	if ((*l1 & PTE_V) && !pte_is_leaf(*l1)) {
		t0 = (pte_t *)pte_pa(*l1);
		if (table_empty(t0)) {
			*l1 = 0;
			table_free(as, t0);
			freed = true;
		}
	}
	if (table_empty(t1)) {
		*l2 = 0;
		table_free(as, t1);
		freed = true;
	}
	return freed;
}

void as_unmap(struct addr_space *as, uintptr_t va, size_t pages)
{
	bool pruned = false;

	user_tlb_flush(as);
	for (size_t i = 0; i < pages; i++) {
		uintptr_t a = va + i * PAGE_SIZE;
		pte_t *pte = walk(as->root, a, false, NULL);
		if (pte && (*pte & PTE_V)) {
			if (!(*pte & PTE_BORROWED)) {
				frame_free(pte_pa(*pte), 0, FRAME_USER);
				as->user_pages--;
			}
			*pte = 0;
			/* The mapping may be cached under this space's ASID (4.2.1). */
			fence_user_page(as, a);
		}
		/* Last page of a 2 MiB table, or of the range: give back the
		 * tables that emptied. */
		if (i + 1 == pages || sv39_index(a + PAGE_SIZE, 1) != sv39_index(a, 1))
			pruned |= prune_tables(as, a);
	}
	/* A freed table may be cached as a non-leaf entry: a fence of a page
	 * covers leaf entries only (privileged spec 4.2.1), so the space's
	 * whole ASID. */
	if (pruned)
		fence_user_space(as);
}

int as_map_stack(struct addr_space *as, size_t size)
{
	uintptr_t top = as_stack_top(as);
	int err = as_map_anon(as, top - size, size, VM_READ | VM_WRITE);

	if (!err)
		as->stack_bottom = top - size;
	return err;
}

/*
 * From the bottom down, so that a failure leaves the stack one range and
 * the next touch goes on from where this one stopped. The new pages were
 * invalid entries, which a TLB may have cached (privileged spec 4.2.1:
 * nothing obliges a hart without Svvptc to see a PTE turn valid): each is
 * fenced, and the whole ASID when a page table was added (a fence by
 * address covers leaf entries only). The kernel's own cache (tlb[],
 * tlb_victim[]) keeps mapped pages only, so nothing there goes stale.
 */
int as_stack_grow(struct addr_space *as, uintptr_t va)
{
	uintptr_t page = va & ~(uintptr_t)(PAGE_SIZE - 1);
	bool new_table = false;
	int err = 0;

	quota_hit = false;
	while (as->stack_bottom > page) {
		uintptr_t a = as->stack_bottom - PAGE_SIZE, pa;
		pte_t *pte = walk(as->root, a, false, NULL);

		if (!pte) {
			pte = walk(as->root, a, true, as);
			new_table = true;
		}
		pa = pte ? user_frame_alloc(as) : 0;
		if (!pa) {
			err = quota_hit ? AS_OVER_QUOTA : -RV_ENOMEM;
			break;
		}
		*pte = pte_make(pa, PTE_V | PTE_U | PTE_A | PTE_D | PTE_R | PTE_W);
		as->stack_bottom = a;
		if (!new_table)
			fence_user_page(as, a);
	}
	if (new_table)
		fence_user_space(as);
	return err;
}

enum stack_fault as_stack_fault(struct addr_space *as, uintptr_t va)
{
	if (as_stack_can_grow(as, va)) {
		int err = as_stack_grow(as, va);
		return !err		    ? STACK_FAULT_GREW
		       : err == AS_OVER_QUOTA ? STACK_FAULT_QUOTA
					      : STACK_FAULT_NO_MEMORY;
	}
	return as_in_stack_guard(as, va) ? STACK_FAULT_OVERFLOW : STACK_FAULT_NONE;
}

/* Kernel address of user byte va when it is mapped with all of need (the
 * miss path of user_page() in vm.h). */
uint8_t *user_page_slow(const struct addr_space *as, uintptr_t va, pte_t need)
{
	struct user_tlb_entry *t = (struct user_tlb_entry *)user_tlb_slot(as, va);
	struct user_tlb_entry *v = (struct user_tlb_entry *)&as->tlb_victim[t - as->tlb];
	uintptr_t vpn = va >> PAGE_SHIFT;
	uintptr_t have = need == PTE_R		 ? v->vpn_r
			 : need == (PTE_R | PTE_W) ? v->vpn_w
			 : need == 0		   ? v->vpn
						   : USER_TLB_NONE;
	pte_t *pte;

	if (have == vpn) {
		/* the slot's other page: swap, the slot holds the last used */
		struct user_tlb_entry e = *t;

		*t = *v;
		*v = e;
		return (uint8_t *)(va + t->delta);
	}
	if (va < RV_USER_BASE || va >= RV_USER_TOP)
		return NULL;
	/* An untouched page of the stack reserve: the kernel's touch maps it
	 * as the process's would (through a const pointer, as the cache
	 * below is filled: the space only gains the pages it reserved). */
	if (as_stack_can_grow(as, va) && as_stack_grow((struct addr_space *)as, va))
		return NULL;
	pte = walk(as->root, va, false, NULL);
	if (!pte || (*pte & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need))
		return NULL;
	if (t->vpn != vpn)
		*v = *t; /* the page it held becomes the victim */
	/* need may be 0 (vm_write_user_pages): cache only what the entry
	 * allows. W without R is reserved (privileged spec 4.3.1). */
	t->vpn_r = (*pte & PTE_R) ? vpn : USER_TLB_NONE;
	t->vpn_w = (*pte & PTE_R) && (*pte & PTE_W) ? vpn : USER_TLB_NONE;
	t->vpn = vpn;
	t->delta = (intptr_t)(pte_pa(*pte) - (vpn << PAGE_SHIFT));
	return (uint8_t *)(va + t->delta);
}

void user_tlb_flush(struct addr_space *as)
{
	for (unsigned int i = 0; i < CONFIG_KERNEL_USER_TLB_ENTRIES; i++) {
		as->tlb[i].vpn_r = as->tlb[i].vpn_w = as->tlb[i].vpn = USER_TLB_NONE;
		as->tlb_victim[i].vpn_r = as->tlb_victim[i].vpn_w = as->tlb_victim[i].vpn =
			USER_TLB_NONE;
	}
	as->rx_msg = NULL;
	/* (every address space is a process's) */
	container_of(as, struct proc, as)->fp.urep = USER_TLB_NONE;
}

/* The walk over every page of a range (user_access_ok's slow part). */
static __attribute__((noinline)) bool access_ok_pages(const struct addr_space *as, uintptr_t va,
						      size_t len, pte_t need)
{
	if (!user_range_ok(va, len))
		return false;
	for (uintptr_t page = va & ~(uintptr_t)(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE) {
		if (!user_page(as, page, need))
			return false;
	}
	return true;
}

/* Does [va, va + len) lie within the page of va? (No overflow: the
 * subtraction cannot wrap.) */
static inline bool within_page(uintptr_t va, size_t len)
{
	return len <= PAGE_SIZE - (va & (PAGE_SIZE - 1));
}

/*
 * The helpers below start with the common case -- a range within one page
 * whose translation is cached (vm.h: a hit means the page is mapped, user,
 * and allowed the access) -- and only then call the general code: about
 * a quarter of a small message's write + read went into their prologues,
 * calls and byte-wise copies of the 24-byte struct rv_msg.
 */
bool user_access_ok(const struct addr_space *as, uintptr_t va, size_t len, bool write)
{
	/* Nothing to touch: any pointer will do (a NULL buffer of length 0). */
	if (!len)
		return true;
	if (within_page(va, len) && user_page_cached(as, va, write))
		return true;
	return access_ok_pages(as, va, len, write ? PTE_R | PTE_W : PTE_R);
}

/* A small copy: words when both ends and the length allow (a struct
 * rv_msg, a short message), else memcpy. */
static inline void copy_small_or_memcpy(void *dst, const void *src, size_t len)
{
	typedef uint64_t __attribute__((may_alias)) word_t;

	if (len <= 64 && !(((uintptr_t)dst | (uintptr_t)src | len) & 7)) {
		const word_t *s = src, *end = (const word_t *)((const char *)src + len);
		word_t *d = dst;

		while (s != end)
			*d++ = *s++;
		return;
	}
	memcpy(dst, src, len);
}

static int copy_user(const struct addr_space *as, uintptr_t uva, void *kbuf, size_t len,
		     pte_t need, bool to_user)
{
	uint8_t *k = kbuf;

	if (len && !user_range_ok(uva, len))
		return -RV_EFAULT;
	while (len) {
		size_t chunk = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
		uint8_t *p = user_page(as, uva, need);
		if (!p)
			return -RV_EFAULT;
		if (chunk > len)
			chunk = len;
		if (to_user)
			memcpy(p, k, chunk);
		else
			memcpy(k, p, chunk);
		uva += chunk;
		k += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_user(const struct addr_space *as, void *dst, uintptr_t src, size_t len)
{
	const uint8_t *p;

	/* Within one page (most copies): one translation, then the copy. */
	if (len && within_page(src, len)) {
		p = user_page(as, src, PTE_R);
		if (!p)
			return -RV_EFAULT;
		copy_small_or_memcpy(dst, p, len);
		return 0;
	}
	return copy_user(as, src, dst, len, PTE_R, false);
}

int copy_to_user(const struct addr_space *as, uintptr_t dst, const void *src, size_t len)
{
	uint8_t *p;

	if (len && within_page(dst, len)) {
		p = user_page(as, dst, PTE_R | PTE_W);
		if (!p)
			return -RV_EFAULT;
		copy_small_or_memcpy(p, src, len);
		return 0;
	}
	/* All or nothing: a refused copy must not leave half its bytes behind. */
	if (!user_access_ok(as, dst, len, true))
		return -RV_EFAULT;
	return copy_user(as, dst, (void *)src, len, PTE_R | PTE_W, true);
}

int copy_user_to_user(const struct addr_space *dst_as, uintptr_t dst,
		      const struct addr_space *src_as, uintptr_t src, size_t len)
{
	while (len) {
		size_t n = PAGE_SIZE - (dst & (PAGE_SIZE - 1));
		size_t sn = PAGE_SIZE - (src & (PAGE_SIZE - 1));
		uint8_t *d = user_page(dst_as, dst, PTE_R | PTE_W);
		const uint8_t *s = user_page(src_as, src, PTE_R);

		if (!d || !s)
			return -RV_EFAULT;
		if (sn < n)
			n = sn;
		if (n > len)
			n = len;
		memcpy(d, s, n);
		dst += n;
		src += n;
		len -= n;
	}
	return 0;
}

int vm_write_user_pages(const struct addr_space *as, uintptr_t dst, const void *src, size_t len)
{
	return copy_user(as, dst, (void *)src, len, 0, true);
}

int copy_string_from_user(const struct addr_space *as, char *dst, uintptr_t src, size_t max)
{
	size_t i = 0;

	/* One translation per page; the bytes of a page are scanned as they
	 * are copied. */
	while (i < max) {
		uintptr_t va = src + i;
		const uint8_t *p;
		size_t n;

		if (va < src)
			return -RV_EFAULT; /* wrapped around */
		p = user_page(as, va, PTE_R);
		if (!p)
			return -RV_EFAULT;
		n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (n > max - i)
			n = max - i;
		for (size_t k = 0; k < n; k++, i++) {
			dst[i] = (char)p[k];
			if (!dst[i])
				return (int)i;
		}
	}
	return -RV_E2BIG;
}
