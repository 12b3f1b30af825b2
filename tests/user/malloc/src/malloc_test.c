/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rvOS's malloc (lib/src/malloc.c) in a real program, on the kernel's
 * mem_grow. With an argument it is one of its own test children instead
 * (see child_main): those end the way a bad free must end them.
 *
 *   ours         strdup, asprintf and fopen-less stdio allocate through
 *                it (rv_malloc_stats counts their blocks)
 *   sizes        16-byte alignment and exact usable sizes, malloc(0)
 *   calloc       a calloc from the untouched top does not zero what the
 *                kernel zeroed (instructions counted), one from a dirty
 *                block does; both read back zero
 *   aligned      aligned_alloc, memalign, posix_memalign (and its EINVAL),
 *                valloc, pvalloc
 *   regions      pages taken with mem_grow between two mallocs: the heap
 *                goes on in a new region
 *   fuzz         200,000 random malloc/calloc/realloc/aligned_alloc/free,
 *                every byte checked, rv_malloc_check every 1,000 steps;
 *                everything freed merges back into one block
 *   exhaustion   malloc until ENOMEM at CONFIG_USER_HEAP_MAX, then all
 *                freed (the heap keeps its pages: it took back those it
 *                gave during the fuzz) and allocated again without the
 *                kernel
 *   trim         (a child, a fresh heap) a 4 MiB block freed gives its
 *                pages back (proc_list's count goes down as the heap's
 *                arena); ping-pong below the threshold neither shrinks nor
 *                grows the heap; ping-pong of 1 MiB gives back once and
 *                then keeps its pages; malloc_trim gives back on request;
 *                mem_grow(-size, at)'s errors; pages taken behind malloc's
 *                back stop it
 *   bad frees    a double free, a stack pointer and an interior pointer
 *                each end a child with status 134 and a message
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/malloc.h>
#include <rvos/memory_map.h>
#include <rvos/user.h>
#include "check.h"

/* What the compiler must not see through: the bad frees are on purpose,
 * and no object can have SIZE_MAX bytes. */
static void (*volatile free_unseen)(void *) = free;
static void *(*volatile malloc_unseen)(size_t) = malloc; /* a pair it cannot drop */
static volatile size_t size_max = SIZE_MAX;

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int heap_consistent(void)
{
	char why[160];

	if (rv_malloc_check(why, sizeof(why)) == 0)
		return 1;
	printf("malloc_test: rv_malloc_check: %s\n", why);
	return 0;
}

static uint64_t used_blocks(void)
{
	struct rv_malloc_stats s;

	rv_malloc_stats(&s);
	return s.used_blocks;
}

/* ---- calloc on pages the kernel zeroed: first, while the top is fresh ---- */

static void test_calloc_fresh(void)
{
	struct rv_malloc_stats s;
	unsigned char *p, *q, *old;
	uint64_t t0, fresh, dirty;
	int zero = 1;

	p = malloc(16); /* the heap's first region (a pair the compiler must not drop) */
	free_unseen(p);
	rv_malloc_stats(&s);
	CHECK("the first region's top holds 32 KiB", s.top_bytes > 32768 + 64);
	t0 = rv_instret();
	p = calloc(1, 32768);
	fresh = rv_instret() - t0;
	for (int i = 0; p && i < 32768; i++)
		zero &= p[i] == 0;
	CHECK("calloc from the fresh top: zero", p && zero);
	memset(p, 0xee, 32768);
	q = malloc(16); /* keeps p's block off the top */
	free(p);
	old = p;
	t0 = rv_instret();
	p = calloc(1, 32768);
	dirty = rv_instret() - t0;
	zero = 1;
	for (int i = 0; p && i < 32768; i++)
		zero &= p[i] == 0;
	CHECK("calloc of a dirty block: zero", p && zero);
	CHECK("... the same block", p == old);
	CHECK("calloc from the fresh top zeroes nothing (under 1,000 instructions)", fresh < 1000);
	CHECK("calloc of a dirty block zeroes it (over 4,096 instructions)", dirty > 4096);
	printf("malloc_test: calloc(32 KiB): %lu instructions on fresh pages, %lu on a dirty block\n",
	       (unsigned long)fresh, (unsigned long)dirty);
	free(p);
	free(q);
}

/* ---- the C library allocates here ---- */

static void test_ours(void)
{
	uint64_t before = used_blocks();
	char *s, *t = NULL;

	s = strdup("rvOS");
	CHECK("strdup allocates through rvOS's malloc", used_blocks() == before + 1);
	CHECK("strdup: 16-byte aligned", ((uintptr_t)s & 15) == 0);
	CHECK("asprintf", asprintf(&t, "%s %d", s, 42) == 7 && t && !strcmp(t, "rvOS 42"));
	CHECK("asprintf allocates through it too", used_blocks() == before + 2);
	free(s);
	free(t);
	CHECK("freed", used_blocks() == before);
}

/* ---- sizes ---- */

static void test_sizes(void)
{
	unsigned long bad = 0;
	void *z;

	for (size_t n = 0; n <= 700; n++) {
		unsigned char *p = malloc(n);
		size_t want = ((n + 8 + 15) & ~(size_t)15) - 8;

		if (want < 24)
			want = 24;
		if (!p || ((uintptr_t)p & 15) || malloc_usable_size(p) != want)
			bad++;
		if (p)
			memset(p, 0x3c, want);
		free(p);
	}
	CHECK_EQ("malloc(0..700): aligned, usable size exact", bad, 0);
	z = malloc(0);
	CHECK("malloc(0): a block", z != NULL);
	free(z);
	errno = 0;
	CHECK("malloc(SIZE_MAX): NULL", malloc(size_max) == NULL);
	CHECK_EQ("... ENOMEM", errno, ENOMEM);
	errno = 0;
	CHECK("calloc overflowing: NULL", calloc(size_max / 3, 4) == NULL);
	CHECK_EQ("... ENOMEM", errno, ENOMEM);
}

/* ---- aligned ---- */

static void test_aligned(void)
{
	unsigned long bad = 0;
	void *p = NULL;

	for (size_t a = 1; a <= 8192; a *= 2) {
		unsigned char *x = aligned_alloc(a, 100), *y = memalign(a, 3000);

		if (!x || !y || (uintptr_t)x % a || (uintptr_t)y % a)
			bad++;
		if (x)
			memset(x, 1, 100);
		if (y)
			memset(y, 2, 3000);
		free(x);
		free(y);
	}
	CHECK_EQ("aligned_alloc, memalign: every power of two to 8 KiB", bad, 0);
	CHECK_EQ("posix_memalign(64)", posix_memalign(&p, 64, 500), 0);
	CHECK("... aligned", p && ((uintptr_t)p & 63) == 0);
	free(p);
	CHECK_EQ("posix_memalign(24): EINVAL", posix_memalign(&p, 24, 500), EINVAL);
	CHECK_EQ("posix_memalign(4): EINVAL (under sizeof(void *))", posix_memalign(&p, 4, 5), EINVAL);
	errno = 0;
	CHECK("aligned_alloc(48): NULL", aligned_alloc(48, 96) == NULL);
	CHECK_EQ("... EINVAL", errno, EINVAL);
	p = valloc(10);
	CHECK("valloc: page-aligned", p && ((uintptr_t)p & 4095) == 0);
	free(p);
	p = pvalloc(5000);
	CHECK("pvalloc: page-aligned, whole pages", p && ((uintptr_t)p & 4095) == 0 &&
						     malloc_usable_size(p) >= 8192);
	free(p);
}

/* ---- pages taken between two mallocs ---- */

static void test_regions(void)
{
	struct rv_malloc_stats s0, s;
	char *a, *b, *c;

	a = malloc(100000); /* the heap grows */
	memset(a, 0xa1, 100000);
	rv_malloc_stats(&s0);
	CHECK("mem_grow behind malloc's back", rv_mem_grow(3 * 4096) > 0);
	b = malloc(s0.top_bytes + 1000); /* more than the top: grows elsewhere */
	CHECK("malloc after a foreign mem_grow", b != NULL);
	if (b)
		memset(b, 0xb2, s0.top_bytes + 1000);
	rv_malloc_stats(&s);
	CHECK("a new region: a fence counted", s.overhead_bytes > s0.overhead_bytes);
	c = malloc(200); /* from the old region's rest, or the new top */
	CHECK("and after that", c != NULL);
	CHECK("the heap is consistent", heap_consistent());
	free(a);
	free(b);
	free(c);
	CHECK("consistent after freeing", heap_consistent());
}

/* ---- the fuzzer ---- */

#define SLOTS 600
#define OPS 200000

static unsigned char *slot_p[SLOTS];
static size_t slot_n[SLOTS];
static uint32_t slot_tag[SLOTS];

static void fill(unsigned char *p, size_t n, uint32_t tag)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(tag + i * 13);
}

static int intact(const unsigned char *p, size_t n, uint32_t tag)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(tag + i * 13))
			return 0;
	return 1;
}

static size_t fuzz_size(void)
{
	uint64_t r = rnd();

	if (r % 32 == 0)
		return (size_t)(r >> 16) % 60000;
	if (r % 4 == 0)
		return (size_t)(r >> 16) % 3000;
	return (size_t)(r >> 16) % 200;
}

static void test_fuzz(void)
{
	unsigned long corrupt = 0, failed = 0, misaligned = 0, in_place = 0, incons = 0;
	struct rv_malloc_stats s0, s;
	uint32_t tag = 1;

	rv_malloc_stats(&s0);
	for (int op = 0; op < OPS; op++) {
		int i = (int)(rnd() % SLOTS);
		unsigned int what = (unsigned int)(rnd() % 10);

		if (slot_p[i] && what < 4) {
			corrupt += !intact(slot_p[i], slot_n[i], slot_tag[i]);
			free(slot_p[i]);
			slot_p[i] = NULL;
		} else if (slot_p[i] && what < 7) {
			size_t n = fuzz_size();
			unsigned char *q;

			corrupt += !intact(slot_p[i], slot_n[i], slot_tag[i]);
			q = realloc(slot_p[i], n);
			if (!q) {
				failed++;
				continue;
			}
			in_place += q == slot_p[i];
			corrupt += !intact(q, n < slot_n[i] ? n : slot_n[i], slot_tag[i]);
			slot_p[i] = q;
			slot_n[i] = n;
			slot_tag[i] = tag++;
			fill(q, n, slot_tag[i]);
		} else if (!slot_p[i]) {
			size_t n = fuzz_size(), a = 16;

			if (what == 0) {
				slot_p[i] = calloc(1 + n % 5, n / 5);
				n = (1 + n % 5) * (n / 5);
				for (size_t k = 0; slot_p[i] && k < n; k++)
					corrupt += slot_p[i][k] != 0;
			} else if (what == 1) {
				a = (size_t)1 << (rnd() % 13);
				slot_p[i] = aligned_alloc(a, n);
			} else {
				slot_p[i] = malloc(n);
			}
			if (!slot_p[i]) {
				failed++;
				continue;
			}
			misaligned += ((uintptr_t)slot_p[i] % (a < 16 ? 16 : a)) != 0;
			slot_n[i] = n;
			slot_tag[i] = tag++;
			fill(slot_p[i], n, slot_tag[i]);
		}
		if (op % 1000 == 0)
			incons += !heap_consistent();
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slot_p[i]) {
			corrupt += !intact(slot_p[i], slot_n[i], slot_tag[i]);
			free(slot_p[i]);
			slot_p[i] = NULL;
		}
	}
	rv_malloc_stats(&s);
	CHECK_EQ("fuzz: no byte corrupted", corrupt, 0);
	CHECK_EQ("fuzz: no allocation failed", failed, 0);
	CHECK_EQ("fuzz: every block aligned", misaligned, 0);
	CHECK_EQ("fuzz: the heap consistent at every check", incons, 0);
	CHECK("fuzz: some reallocs in place", in_place > 1000);
	CHECK("fuzz: consistent at the end", heap_consistent());
	CHECK_EQ("fuzz: as many blocks in use as before", s.used_blocks, s0.used_blocks);
	CHECK_EQ("fuzz: arena = in use + free + overhead", s.arena_bytes,
		 s.in_use_bytes + s.free_bytes + s.overhead_bytes);
	printf("malloc_test: fuzz: %d operations, %lu reallocs in place, arena %lu KiB in %lu "
	       "chunks\n", OPS, in_place, (unsigned long)(s.arena_bytes >> 10),
	       (unsigned long)s.chunks);
}

/* ---- up to the cap ---- */

static void test_exhaustion(void)
{
	static void *blocks[4096];
	struct rv_malloc_stats s0, s1, s2;
	struct mallinfo mi;
	int n = 0, again = 0;

	rv_malloc_stats(&s0);
	errno = 0;
	while (n < 4096 && (blocks[n] = malloc(40000)) != NULL)
		n++;
	CHECK("malloc ends with ENOMEM at the cap", n < 4096 && errno == ENOMEM);
	rv_malloc_stats(&s1);
	CHECK("the arena stays under CONFIG_USER_HEAP_MAX", s1.arena_bytes <= CONFIG_USER_HEAP_MAX);
	CHECK("... and close to it", s1.arena_bytes + 200000 > CONFIG_USER_HEAP_MAX);
	mi = mallinfo();
	CHECK_EQ("mallinfo: arena", mi.arena, s1.arena_bytes);
	CHECK_EQ("mallinfo: in use", mi.uordblks, s1.in_use_bytes);
	CHECK_EQ("mallinfo: free", mi.fordblks, s1.free_bytes);
	for (int i = 0; i < n; i += 2)
		free(blocks[i]);
	for (int i = 1; i < n; i += 2)
		free(blocks[i]);
	CHECK("consistent after freeing everything", heap_consistent());
	/* The fuzz gave pages back and took more than CONFIG_USER_HEAP_TRIM_KIB
	 * of them again: free keeps them now (lib/src/rvheap.c, "Giving
	 * back"), so the blocks fit again without the kernel. */
	rv_malloc_stats(&s2);
	CHECK("the fuzz gave pages back", s0.trims > 0);
	CHECK_EQ("freeing everything here gives nothing back", s2.trims, s0.trims);
	while (again < n && (blocks[again] = malloc(40000)) != NULL)
		again++;
	rv_malloc_stats(&s2);
	CHECK_EQ("as many blocks again", again, n);
	CHECK_EQ("... without the kernel", s2.chunks, s1.chunks);
	for (int i = 0; i < again; i++)
		free(blocks[i]);
	printf("malloc_test: exhaustion: %d blocks of 40000 bytes in %lu KiB (cap %d KiB)\n", n,
	       (unsigned long)(s1.arena_bytes >> 10), CONFIG_USER_HEAP_MAX >> 10);
}

/* ---- memory given back, in a child: a heap of its own ---- */

/* The pages proc_list counts for this process. */
static long own_pages(void)
{
	struct rv_proc_info rec;
	long pid = rv_getpid();

	for (uint32_t slot = 0; rv_proc_list(&rec, 1, slot) == 1; slot = rec.slot + 1)
		if (rec.pid == pid)
			return rec.user_pages;
	return -1;
}

#define TRIM_BYTES ((size_t)CONFIG_USER_HEAP_TRIM_KIB << 10)
#define BIG (4u << 20)

/* Pages of the heap (the program's and the stack's do not change here). */
static long heap_pages(const struct rv_malloc_stats *s)
{
	return (long)(s->arena_bytes / 4096);
}

static int child_trim(void)
{
	struct rv_malloc_stats s0, s1, s2, s3, s4;
	long p0, p1, p2, p3, p4, base;
	char *big, *q;
	int refused;

	q = malloc_unseen(16); /* the heap's first region, its lists */
	rv_malloc_stats(&s0);
	p0 = own_pages();
	base = p0 - heap_pages(&s0);

	/* 1. A block of 4 MiB freed: its pages go back at once. */
	big = malloc_unseen(BIG);
	memset(big, 0x5a, BIG);
	p1 = own_pages();
	free_unseen(big);
	p2 = own_pages();
	rv_malloc_stats(&s1);
	CHECK("a 4 MiB block takes its pages (less the first chunk's room)",
	      p1 - p0 >= (BIG - CONFIG_USER_HEAP_CHUNK) / 4096);
	CHECK_EQ("freeing it gives them back: one trim", s1.trims, 1);
	CHECK_EQ("the page count goes back down", p1 - p2, s1.returned_bytes / 4096);
	CHECK("down to the heap's first chunk and a little", p2 - p0 <= 2 + CONFIG_USER_HEAP_CHUNK / 4096);
	CHECK_EQ("the process's pages are the heap's", p2 - base, heap_pages(&s1));
	CHECK("the heap is consistent", heap_consistent());

	/* 2. A block below the threshold less a chunk, allocated and freed
	 * 200 times at the top: the hysteresis, no trim and no growth after
	 * the first. */
	for (int i = 0; i < 200; i++) {
		char *m = malloc_unseen(TRIM_BYTES - 2 * CONFIG_USER_HEAP_CHUNK);

		if (!m)
			break;
		m[0] = m[TRIM_BYTES - 2 * CONFIG_USER_HEAP_CHUNK - 1] = 1;
		free_unseen(m);
		if (i == 0)
			rv_malloc_stats(&s2);
	}
	rv_malloc_stats(&s3);
	CHECK_EQ("ping-pong below the threshold: no trim", s3.trims, s1.trims);
	CHECK_EQ("... and no growth after the first", s3.chunks, s2.chunks);

	/* 3. 1 MiB, allocated and freed 20 times: the first free gives its
	 * pages back, the next malloc takes them again, and free then gives
	 * back no more (rvheap.c, "Giving back"). */
	for (int i = 0; i < 20; i++) {
		char *m = malloc_unseen(1u << 20);

		if (!m)
			break;
		memset(m, 0x33, 1u << 20);
		free_unseen(m);
	}
	rv_malloc_stats(&s4);
	p3 = own_pages();
	CHECK("ping-pong of 1 MiB: one trim at most", s4.trims <= s3.trims + 1);
	CHECK("... and one growth at most", s4.chunks <= s3.chunks + 1);
	CHECK_EQ("... its pages kept", p3 - base, heap_pages(&s4));
	CHECK("... 1 MiB of them", s4.top_bytes >= (1u << 20));

	/* 4. malloc_trim gives back on request all the same. */
	CHECK_EQ("malloc_trim(0)", malloc_trim(0), 1);
	p4 = own_pages();
	rv_malloc_stats(&s4);
	CHECK("malloc_trim: the pages go back", p3 - p4 >= 256);
	CHECK_EQ("... the process's pages are the heap's", p4 - base, heap_pages(&s4));
	CHECK("... a page at most left on the top", s4.top_bytes <= 4096 + 8);
	CHECK_EQ("malloc_trim with nothing to give", malloc_trim(0), 0);
	CHECK("the heap is consistent", heap_consistent());

	/* 5. The kernel's half: mem_grow(-size, at) names the heap's end. */
	long at = rv_mem_grow(8192);
	CHECK("mem_grow of 2 pages", at > 0);
	CHECK_EQ("mem_shrink of a part that is not the end",
		 rv_mem_shrink((void *)at, 4096), -RV_EINVAL);
	CHECK_EQ("mem_shrink of no whole page", rv_mem_shrink((void *)(at + 4096), 100), -RV_EINVAL);
	CHECK_EQ("mem_shrink of more than the heap",
		 rv_mem_shrink((void *)(RV_HEAP_BASE - 4096), at + 8192 - (RV_HEAP_BASE - 4096)),
		 -RV_EINVAL);
	p3 = own_pages();
	CHECK_EQ("mem_shrink of the last page", rv_mem_shrink((void *)(at + 4096), 4096), at + 4096);
	CHECK_EQ("... one page fewer", own_pages(), p3 - 1);
	CHECK_EQ("mem_grow goes on from there", rv_mem_grow(4096), at + 4096);

	/* 6. Pages taken behind malloc's back after its own: it cannot give
	 * its top back (the kernel refuses). */
	big = malloc_unseen(BIG / 8);
	CHECK("malloc after the foreign pages", big != NULL);
	CHECK("more foreign pages after it", rv_mem_grow(4096) > 0);
	free_unseen(big);
	p3 = own_pages();
	refused = malloc_trim(0) == 0;
	CHECK("malloc_trim with foreign pages after the heap: refused", refused);
	CHECK_EQ("... nothing given back", own_pages(), p3);
	free_unseen(q);
	CHECK("the heap is consistent", heap_consistent());
	printf("malloc_test: trim: 4 MiB freed gave back %ld pages; ping-pong below %d KiB: no trim;"
	       " of 1 MiB: %lu trims in all\n", p1 - p2, CONFIG_USER_HEAP_TRIM_KIB,
	       (unsigned long)s4.trims);
	return check_report("trim");
}

/* ---- bad frees, in children ---- */

static int child_main(const char *what)
{
	char *p, *q;
	char local[32];

	if (!strcmp(what, "trim"))
		return child_trim();
	p = malloc(100);
	q = malloc(100);

	if (!strcmp(what, "double_free")) {
		free_unseen(p);
		free_unseen(p);
	} else if (!strcmp(what, "stack_pointer")) {
		free_unseen(local);
	} else if (!strcmp(what, "interior")) {
		memset(p, 0, 100);
		free_unseen(p + 32);
	}
	free(q);
	return 0; /* not reached: the bad free aborts */
}

/* Run this program as child `what`; it must exit with status want. */
static void expect_child(const char *what, int want)
{
	const char *argv[] = { what, NULL };
	struct rv_exit_info info;
	long pid = rv_spawn("malloc_test", argv, CONFIG_DEFAULT_PRIORITY);
	char check[80];

	snprintf(check, sizeof(check), "%s: spawn", what);
	CHECK(check, pid > 0);
	if (pid <= 0)
		return;
	snprintf(check, sizeof(check), "%s: wait", what);
	CHECK(check, rv_wait((int)pid, &info) == pid);
	snprintf(check, sizeof(check), "%s: exit status %d", what, want);
	CHECK(check, info.reason == RV_EXIT_NORMAL && info.code == want);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return child_main(argv[1]);
	test_calloc_fresh();
	test_ours();
	test_sizes();
	test_aligned();
	test_regions();
	printf("malloc_test: sizes, alignment, calloc, stdio's blocks, regions\n");
	test_fuzz();
	test_exhaustion();
	expect_child("trim", 0);
	expect_child("double_free", 134); /* a bad free aborts */
	expect_child("stack_pointer", 134);
	expect_child("interior", 134);
	return check_report("malloc_test");
}
