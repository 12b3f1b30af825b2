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
 *                freed and allocated again without the kernel
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
#include <rvos/user.h>
#include "check.h"

/* What the compiler must not see through: the bad frees are on purpose,
 * and no object can have SIZE_MAX bytes. */
static void (*volatile free_unseen)(void *) = free;
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

/* ---- bad frees, in children ---- */

static int child_main(const char *what)
{
	char *p = malloc(100), *q = malloc(100);
	char local[32];

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

static void expect_abort(const char *what)
{
	const char *argv[] = { what, NULL };
	struct rv_exit_info info;
	long pid = rv_spawn("malloc_test", argv, CONFIG_DEFAULT_PRIORITY);

	CHECK("spawn a child", pid > 0);
	if (pid <= 0)
		return;
	CHECK("wait for it", rv_wait((int)pid, &info) == pid);
	CHECK("it aborted (status 134)", info.reason == RV_EXIT_NORMAL && info.code == 134);
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
	expect_abort("double_free");
	expect_abort("stack_pointer");
	expect_abort("interior");
	return check_report("malloc_test");
}
