/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allocator behind every rvOS program's malloc (lib/src/rvheap.c), on
 * the host, on an arena of its own: its grow() hands out the arena's pages
 * in order (with gaps when a test wants regions that do not touch, and a
 * cap), its report() records a refused pointer instead of aborting.
 *
 *   sizes      every n in 0..600 and around powers of two: 16-byte
 *              aligned, usable size exactly max(24, round_up(n + 8, 16) - 8)
 *   limits     ENOMEM past RVHEAP_MAX_REQUEST, past the cap, calloc's
 *              count * size overflow; the heap works on afterwards
 *   coalescing blocks freed in every order merge back into one (the top);
 *              a freed block is reused by the next request of its size
 *   realloc    grows into the top and into a free next block in place,
 *              shrinks in place, moves with the contents when it must
 *   aligned    every power of two up to 64 KiB, sizes 0..5000
 *   calloc     zero on dirty blocks; the untouched top stays zero
 *              (rvheap_check reads it)
 *   bad frees  double free, a stale header after a merge, misaligned,
 *              outside, an interior pointer, an overwritten header
 *   regions    pages that do not follow the heap start a new region
 *   fuzz       random malloc/calloc/realloc/memalign/free, every block
 *              filled with its own pattern and every byte checked before
 *              it is freed or moved, the whole heap checked after each
 *              step (rvheap_check: headers, neighbours, lists, bitmaps,
 *              counters); at the end everything frees back to one block
 *   giving back  a large block freed gives the top above a chunk back
 *              (trim() called with whole pages at the arena's end; they
 *              come back zeroed); below the threshold less a chunk, blocks
 *              at the top neither shrink nor grow the heap; a 1 MiB block
 *              in turn: one trim, then the heap keeps its pages;
 *              rvheap_trim on request; a refused trim changes nothing; the
 *              fuzzer with rvheap_trim at random moments
 *   stats      arena = in use + free + overhead; largest_free fits
 *              without growing
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "../../../lib/src/rvheap.h"
#include "unittest.h"

#define PAGE 4096u
#define ARENA_BYTES (96u << 20)

static char *arena;      /* ARENA_BYTES of zeroed pages */
static size_t arena_used; /* pages handed out (and gaps skipped) */
static size_t arena_cap;  /* grow() fails past this */
static size_t gap_next;   /* the next grow() skips this many bytes first */
static unsigned long grows;

static const char *rep_call, *rep_what;
static const void *rep_ptr;
static unsigned long reports;

static void *test_grow(size_t bytes)
{
	char *p;

	if (bytes % PAGE || arena_used + gap_next + bytes > arena_cap)
		return NULL;
	arena_used += gap_next;
	gap_next = 0;
	p = arena + arena_used;
	arena_used += bytes;
	grows++;
	return p;
}

/* Giving back (cfg.trim): only pages at the arena's end, where the last
 * grow() ended; they come back zeroed, as the kernel's would. */
static size_t trim_threshold;     /* the next fresh() heap's; 0: no trim() */
static int trim_refuse;           /* answer -1 (pages taken after the heap's) */
static unsigned long trims, trim_bad;

static int test_trim(void *at, size_t bytes)
{
	char *p = at;

	if (trim_refuse)
		return -1;
	if (bytes == 0 || bytes % PAGE || (size_t)(p - arena) % PAGE || p + bytes != arena + arena_used) {
		trim_bad++;
		return -1;
	}
	memset(p, 0, bytes);
	arena_used -= bytes;
	trims++;
	return 0;
}

static void test_report(const char *call, const char *what, const void *p)
{
	rep_call = call;
	rep_what = what;
	rep_ptr = p;
	reports++;
}

/* A fresh heap on a fresh (zeroed) arena. */
static struct rvheap *fresh(size_t chunk, size_t cap)
{
	struct rvheap_config cfg = {
		.grow = test_grow, .report = test_report, .chunk = chunk, .page = PAGE,
		.trim = trim_threshold ? test_trim : NULL, .trim_threshold = trim_threshold,
	};

	if (arena)
		munmap(arena, ARENA_BYTES);
	arena = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	arena_used = 0;
	arena_cap = cap;
	gap_next = 0;
	grows = 0;
	trims = trim_bad = 0;
	trim_refuse = 0;
	reports = 0;
	rep_call = rep_what = NULL;
	static struct rvheap heap;

	rvheap_init(&heap, &cfg);
	return &heap;
}

static int consistent(struct rvheap *h)
{
	char why[200];
	int ok = rvheap_check(h, why, sizeof(why)) == 0;

	if (!ok)
		fprintf(stderr, "rvheap_check: %s\n", why);
	return ok;
}

static size_t want_usable(size_t n)
{
	size_t f = (n + 8 + 15) & ~(size_t)15;

	return (f < 32 ? 32 : f) - 8;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- sizes, alignment, limits ---- */

static void test_sizes(void)
{
	struct rvheap *h = fresh(65536, ARENA_BYTES);
	unsigned long bad_align = 0, bad_usable = 0;
	struct rv_malloc_stats s;

	/* Nothing before the first allocation: no memory, nothing to free. */
	rvheap_stats(h, &s);
	CHECK_EQ_UINT(s.arena_bytes, 0);
	CHECK_EQ_UINT(s.free_bytes, 0);
	CHECK_EQ_UINT(s.largest_free, 0);
	CHECK_EQ_UINT(grows, 0);
	CHECK(consistent(h));
	rvheap_free(h, &s);
	CHECK_EQ_UINT(reports, 1);
	reports = 0;
	for (size_t n = 0; n <= 600; n++) {
		char *p = rvheap_malloc(h, n);

		if (!p || (uintptr_t)p % 16)
			bad_align++;
		if (p && rvheap_usable(h, p) != want_usable(n))
			bad_usable++;
		if (p)
			memset(p, 0xab, rvheap_usable(h, p));
		rvheap_free(h, p);
	}
	for (unsigned int k = 5; k < 21; k++) {
		for (long d = -9; d <= 9; d++) {
			size_t n = ((size_t)1 << k) + (size_t)d;
			char *p = rvheap_malloc(h, n);

			if (!p || (uintptr_t)p % 16)
				bad_align++;
			if (p && rvheap_usable(h, p) != want_usable(n))
				bad_usable++;
			if (p)
				memset(p, 0x5c, n);
			rvheap_free(h, p);
		}
	}
	CHECK_EQ_UINT(bad_align, 0);
	CHECK_EQ_UINT(bad_usable, 0);
	CHECK(consistent(h));
	rvheap_stats(h, &s);
	CHECK_EQ_UINT(s.used_blocks, 0);
	CHECK_EQ_UINT(s.free_blocks, 0);
	CHECK_EQ_UINT(s.in_use_bytes, 0);
	CHECK_EQ_UINT(reports, 0);
	CHECK_EQ_UINT(rvheap_usable(h, NULL), 0);
	rvheap_free(h, NULL); /* nothing */
	CHECK_EQ_UINT(reports, 0);
}

static void test_limits(void)
{
	struct rvheap *h = fresh(65536, 4u << 20);
	struct rv_malloc_stats s;
	void *p, *q;

	errno = 0;
	CHECK(rvheap_malloc(h, RVHEAP_MAX_REQUEST + 1) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	errno = 0;
	CHECK(rvheap_malloc(h, SIZE_MAX) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	errno = 0;
	CHECK(rvheap_malloc(h, SIZE_MAX - 7) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	errno = 0;
	CHECK(rvheap_calloc(h, SIZE_MAX / 2 + 2, 2) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	errno = 0;
	CHECK(rvheap_calloc(h, (size_t)1 << 33, (size_t)1 << 33) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	errno = 0;
	CHECK(rvheap_memalign(h, 64, SIZE_MAX - 100) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	/* The cap: 4 MiB of arena. */
	errno = 0;
	CHECK(rvheap_malloc(h, 4u << 20) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	p = rvheap_malloc(h, 3u << 20);
	CHECK(p != NULL);
	errno = 0;
	CHECK(rvheap_malloc(h, 1u << 20) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	q = rvheap_malloc(h, 1000);
	CHECK(q != NULL);
	errno = 0;
	CHECK(rvheap_realloc(h, q, 2u << 20) == NULL);
	CHECK_EQ_INT(errno, ENOMEM);
	CHECK(consistent(h));
	rvheap_free(h, p);
	rvheap_free(h, q);
	/* Everything back: one large block fits again. */
	p = rvheap_malloc(h, (4u << 20) - 65536);
	CHECK(p != NULL);
	rvheap_free(h, p);
	CHECK(consistent(h));
	rvheap_stats(h, &s);
	CHECK(s.arena_bytes <= 4u << 20);
	CHECK_EQ_UINT(s.in_use_bytes, 0);
	CHECK_EQ_UINT(s.free_bytes + s.overhead_bytes, s.arena_bytes);
	CHECK_EQ_UINT(reports, 0);
}

/* ---- coalescing and reuse ---- */

static void shuffle(void **v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd() % i;
		void *t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void test_coalescing(void)
{
	enum { N = 3000 };
	static void *v[N];
	struct rvheap *h = fresh(65536, ARENA_BYTES);
	struct rv_malloc_stats s0, s;
	char *a, *b, *c, *d;

	rvheap_free(h, rvheap_malloc(h, 1)); /* the first region */
	rvheap_stats(h, &s0);
	/* Every order of freeing three neighbours merges them. */
	for (int order = 0; order < 6; order++) {
		static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
						  { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
		char *blk[3];

		blk[0] = rvheap_malloc(h, 100);
		blk[1] = rvheap_malloc(h, 200);
		blk[2] = rvheap_malloc(h, 300);
		d = rvheap_malloc(h, 10); /* so that the three do not merge into the top */
		for (int i = 0; i < 3; i++) {
			rvheap_free(h, blk[orders[order][i]]);
			CHECK(consistent(h));
		}
		rvheap_stats(h, &s);
		CHECK_EQ_UINT(s.free_blocks, 1);
		/* The merged block is reused whole: 112 + 208 + 320 - 8. */
		a = rvheap_malloc(h, 632);
		CHECK(a == blk[0]);
		rvheap_free(h, a);
		rvheap_free(h, d);
		rvheap_stats(h, &s);
		CHECK_EQ_UINT(s.free_blocks, 0);
		CHECK_EQ_UINT(s.top_bytes, s0.top_bytes);
	}
	/* Reuse: a freed block goes to the next request of its size. */
	a = rvheap_malloc(h, 64);
	b = rvheap_malloc(h, 64);
	c = rvheap_malloc(h, 64);
	rvheap_free(h, b);
	d = rvheap_malloc(h, 60);
	CHECK(d == b);
	rvheap_free(h, a);
	rvheap_free(h, c);
	rvheap_free(h, d);
	/* Thousands of blocks of mixed sizes, freed in a random order. */
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < N; i++)
			v[i] = rvheap_malloc(h, (size_t)(rnd() % (round == 2 ? 5000 : 200)));
		shuffle(v, N);
		for (size_t i = 0; i < N; i++) {
			rvheap_free(h, v[i]);
			if (i % 97 == 0 && !consistent(h))
				break;
		}
		CHECK(consistent(h));
		rvheap_stats(h, &s);
		CHECK_EQ_UINT(s.used_blocks, 0);
		CHECK_EQ_UINT(s.free_blocks, 0);
		CHECK_EQ_UINT(s.free_bytes, s.top_bytes);
		CHECK_EQ_UINT(s.largest_free, s.top_bytes - 16);
	}
	CHECK_EQ_UINT(reports, 0);
}

/* ---- realloc ---- */

static void fill(unsigned char *p, size_t n, unsigned int tag)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(tag * 131u + i * 7u + (i >> 8));
}

static int intact(const unsigned char *p, size_t n, unsigned int tag)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(tag * 131u + i * 7u + (i >> 8)))
			return 0;
	return 1;
}

static void test_realloc(void)
{
	struct rvheap *h = fresh(65536, ARENA_BYTES);
	struct rv_malloc_stats s0, s;
	unsigned char *p, *q, *r, *x;

	/* Into the top, past the first chunk (the heap grows in place). */
	p = rvheap_malloc(h, 100);
	fill(p, 100, 1);
	q = rvheap_realloc(h, p, 5000);
	CHECK(q == p);
	CHECK(intact(q, 100, 1));
	fill(q, 5000, 2);
	q = rvheap_realloc(h, p, 200000);
	CHECK(q == p);
	CHECK(intact(q, 5000, 2));
	CHECK(consistent(h));
	/* Shrinking stays in place; the rest goes back to the top. */
	rvheap_stats(h, &s0);
	q = rvheap_realloc(h, p, 50);
	CHECK(q == p);
	CHECK(intact(q, 50, 2));
	rvheap_stats(h, &s);
	CHECK(s.top_bytes > s0.top_bytes + 190000);
	CHECK(consistent(h));
	/* Into a free next block. */
	r = rvheap_malloc(h, 1000);
	x = rvheap_malloc(h, 16); /* a used block after r */
	fill(p, 50, 3);
	rvheap_free(h, r);
	q = rvheap_realloc(h, p, 600); /* part of r's space */
	CHECK(q == p);
	CHECK(intact(q, 50, 3));
	CHECK(consistent(h));
	fill(q, 600, 4);
	q = rvheap_realloc(h, p, 1050); /* all of it */
	CHECK(q == p);
	CHECK(intact(q, 600, 4));
	CHECK(consistent(h));
	/* No room after it: it moves, contents kept. */
	q = rvheap_realloc(h, p, 3000);
	CHECK(q != p);
	CHECK(intact(q, 600, 4));
	CHECK(consistent(h));
	/* realloc(NULL, n) is malloc; realloc(p, 0) keeps a smallest block. */
	r = rvheap_realloc(h, NULL, 77);
	CHECK(r != NULL && rvheap_usable(h, r) == want_usable(77));
	r = rvheap_realloc(h, r, 0);
	CHECK(r != NULL && rvheap_usable(h, r) == 24);
	rvheap_free(h, r);
	rvheap_free(h, q);
	rvheap_free(h, x);
	CHECK(consistent(h));
	rvheap_stats(h, &s);
	CHECK_EQ_UINT(s.used_blocks, 0);
	CHECK_EQ_UINT(s.free_blocks, 0);
	CHECK_EQ_UINT(reports, 0);
}

/* ---- aligned ---- */

static void test_aligned(void)
{
	struct rvheap *h = fresh(65536, ARENA_BYTES);
	unsigned long bad = 0;
	struct rv_malloc_stats s;
	void *keep[64];
	int kept = 0;

	for (size_t a = 1; a <= 65536; a *= 2) {
		for (size_t n = 0; n <= 5000; n += 1 + n / 3) {
			unsigned char *p = rvheap_memalign(h, a, n);

			if (!p || (uintptr_t)p % (a < 16 ? 16 : a) || rvheap_usable(h, p) < n)
				bad++;
			if (p)
				fill(p, n, (unsigned int)n);
			if (p && (n % 7 == 0) && kept < 64)
				keep[kept++] = p; /* holes between the next ones */
			else
				rvheap_free(h, p);
		}
		if (!consistent(h))
			bad++;
	}
	for (int i = 0; i < kept; i++)
		rvheap_free(h, keep[i]);
	CHECK_EQ_UINT(bad, 0);
	CHECK(consistent(h));
	rvheap_stats(h, &s);
	CHECK_EQ_UINT(s.used_blocks, 0);
	CHECK_EQ_UINT(s.free_blocks, 0);
	CHECK_EQ_UINT(reports, 0);
}

/* ---- calloc ---- */

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void test_calloc(void)
{
	struct rvheap *h = fresh(65536, ARENA_BYTES);
	unsigned char *p, *q, *r;

	p = rvheap_malloc(h, 4000);
	memset(p, 0xa5, 4000);
	rvheap_free(h, p); /* back into the top, dirty */
	q = rvheap_calloc(h, 1000, 4);
	CHECK(q == p);
	CHECK(all_zero(q, 4000));
	memset(q, 0x11, 4000);
	r = rvheap_malloc(h, 100); /* q is not next to the top any more */
	rvheap_free(h, q);         /* a listed, dirty block */
	q = rvheap_calloc(h, 1, 3000);
	CHECK(q == p);
	CHECK(all_zero(q, 3000));
	rvheap_free(h, q);
	/* Half dirty, half never touched. */
	p = rvheap_calloc(h, 1, 100000);
	CHECK(p != NULL && all_zero(p, 100000));
	memset(p, 0x77, 100000);
	rvheap_free(h, p);
	rvheap_free(h, r);
	p = rvheap_calloc(h, 3, 70000);
	CHECK(p != NULL && all_zero(p, 210000));
	rvheap_free(h, p);
	CHECK(consistent(h)); /* reads the untouched top: still zero */
	p = rvheap_calloc(h, 0, 5);
	CHECK(p != NULL);
	rvheap_free(h, p);
	CHECK_EQ_UINT(reports, 0);
}

/* ---- bad pointers ---- */

static int refused(const char *call, const char *what_has)
{
	int ok = reports == 1 && rep_call && !strcmp(rep_call, call) && rep_what &&
		 strstr(rep_what, what_has);

	if (!ok)
		fprintf(stderr, "report %lu: %s: %s\n", reports, rep_call ? rep_call : "-",
			rep_what ? rep_what : "-");
	reports = 0;
	rep_call = rep_what = NULL;
	return ok;
}

static void test_bad_pointers(void)
{
	struct rvheap *h = fresh(65536, ARENA_BYTES);
	char *a, *b, *c, *d, local[32];
	uint64_t saved;

	a = rvheap_malloc(h, 100);
	b = rvheap_malloc(h, 100);
	c = rvheap_malloc(h, 100);
	d = rvheap_malloc(h, 100);
	rvheap_free(h, b);
	rvheap_free(h, b);
	CHECK(refused("free", "double free"));
	rvheap_free(h, c); /* merges with b: c's header is stale */
	rvheap_free(h, c);
	CHECK(refused("free", "double free"));
	rvheap_free(h, d); /* into the top */
	rvheap_free(h, d);
	CHECK(refused("free", "freed twice"));
	rvheap_free(h, a + 8);
	CHECK(refused("free", "misaligned"));
	rvheap_free(h, local);
	CHECK(refused("free", "outside the heap"));
	memset(a, 0, 100);
	rvheap_free(h, a + 32); /* inside a: zeros where a header would be */
	CHECK(refused("free", "did not return"));
	CHECK(rvheap_realloc(h, a + 16, 10) == NULL);
	CHECK(refused("realloc", "did not return"));
	CHECK(rvheap_usable(h, a + 48) == 0);
	CHECK(refused("malloc_usable_size", "did not return"));
	saved = ((uint64_t *)a)[-1];
	((uint64_t *)a)[-1] = 0x4141414141414141ull; /* an overrun from below */
	rvheap_free(h, a);
	CHECK(refused("free", "header was overwritten"));
	((uint64_t *)a)[-1] = saved;
	CHECK(consistent(h));
	rvheap_free(h, a);
	CHECK_EQ_UINT(reports, 0);
	CHECK(consistent(h));
}

/* ---- regions that do not touch ---- */

static void test_regions(void)
{
	struct rvheap *h = fresh(16384, ARENA_BYTES);
	struct rv_malloc_stats s;
	void *v[40];

	for (int i = 0; i < 40; i++) {
		if (i % 5 == 0)
			gap_next = PAGE * (size_t)(1 + i % 3); /* someone took pages */
		v[i] = rvheap_malloc(h, 3000 + (size_t)i * 100);
		CHECK(v[i] != NULL);
		if (v[i])
			fill(v[i], 3000 + (size_t)i * 100, (unsigned int)i);
	}
	CHECK(consistent(h));
	rvheap_stats(h, &s);
	CHECK(s.chunks > 8);
	for (int i = 0; i < 40; i += 2) {
		CHECK(intact(v[i], 3000 + (size_t)i * 100, (unsigned int)i));
		rvheap_free(h, v[i]);
	}
	CHECK(consistent(h));
	/* A gap left over by a region with too little room for a block: the
	 * top is only a fence then. */
	gap_next = PAGE;
	v[0] = rvheap_malloc(h, 20000);
	CHECK(v[0] != NULL);
	CHECK(consistent(h));
	for (int i = 1; i < 40; i += 2) {
		CHECK(intact(v[i], 3000 + (size_t)i * 100, (unsigned int)i));
		rvheap_free(h, v[i]);
	}
	rvheap_free(h, v[0]);
	CHECK(consistent(h));
	rvheap_stats(h, &s);
	CHECK_EQ_UINT(s.used_blocks, 0);
	CHECK_EQ_UINT(s.in_use_bytes, 0);
	CHECK_EQ_UINT(s.arena_bytes, s.free_bytes + s.overhead_bytes);
	CHECK_EQ_UINT(reports, 0);
}

/* ---- the fuzzer ---- */

#define SLOTS 700

struct slot {
	unsigned char *p;
	size_t n;
	unsigned int tag;
	size_t align;
};

static size_t random_size(void)
{
	uint64_t r = rnd();

	switch (r % 16) {
	case 0:
		return (size_t)(r >> 8) % 100000; /* large */
	case 1:
	case 2:
	case 3:
		return (size_t)(r >> 8) % 4096;
	default:
		return (size_t)(r >> 8) % 256; /* the common case: small */
	}
}

/* trim_every: also rvheap_trim (malloc_trim) of a random amount every so
 * many steps (0: never). */
static void fuzz_trimming(size_t chunk, unsigned int ops, unsigned int check_every,
			  uint64_t seed, unsigned int trim_every);

static void fuzz(size_t chunk, unsigned int ops, unsigned int check_every, uint64_t seed)
{
	fuzz_trimming(chunk, ops, check_every, seed, 0);
}

static void fuzz_trimming(size_t chunk, unsigned int ops, unsigned int check_every,
			  uint64_t seed, unsigned int trim_every)
{
	static struct slot sl[SLOTS];
	struct rvheap *h = fresh(chunk, ARENA_BYTES);
	unsigned long corrupt = 0, failed = 0, misaligned = 0, in_place = 0;
	unsigned int tag = 1;
	struct rv_malloc_stats s;

	rng = seed;
	memset(sl, 0, sizeof(sl));
	for (unsigned int op = 0; op < ops; op++) {
		struct slot *x = &sl[rnd() % SLOTS];
		unsigned int what = (unsigned int)(rnd() % 10);

		if (x->p && what < 4) {
			corrupt += !intact(x->p, x->n, x->tag);
			rvheap_free(h, x->p);
			x->p = NULL;
		} else if (x->p && what < 8) {
			size_t n = random_size();
			unsigned char *q;

			corrupt += !intact(x->p, x->n, x->tag);
			q = rvheap_realloc(h, x->p, n);
			if (!q) {
				failed++;
			} else {
				in_place += q == x->p;
				corrupt += !intact(q, n < x->n ? n : x->n, x->tag);
				x->p = q;
				x->n = n;
				x->tag = tag++;
				fill(q, n, x->tag);
			}
			if ((uintptr_t)x->p % 16)
				misaligned++;
			x->align = 0;
		} else if (!x->p) {
			size_t n = random_size();

			x->align = 0;
			if (what < 3) {
				x->p = rvheap_calloc(h, 1 + n % 7, n / 7);
				n = (1 + n % 7) * (n / 7);
				if (x->p && !all_zero(x->p, n))
					corrupt++;
			} else if (what < 5) {
				x->align = (size_t)1 << (rnd() % 14);
				x->p = rvheap_memalign(h, x->align, n);
				if (x->p && (uintptr_t)x->p % x->align)
					misaligned++;
			} else {
				x->p = rvheap_malloc(h, n);
			}
			if (!x->p) {
				failed++;
				continue;
			}
			if ((uintptr_t)x->p % 16 || rvheap_usable(h, x->p) < n)
				misaligned++;
			x->n = n;
			x->tag = tag++;
			fill(x->p, n, x->tag);
		}
		if (trim_every && op % trim_every == 0)
			rvheap_trim(h, (size_t)(rnd() % 200000));
		if (op % check_every == 0 && !consistent(h)) {
			fprintf(stderr, "fuzz: inconsistent after op %u\n", op);
			corrupt++;
			break;
		}
	}
	for (unsigned int i = 0; i < SLOTS; i++) {
		if (sl[i].p) {
			corrupt += !intact(sl[i].p, sl[i].n, sl[i].tag);
			rvheap_free(h, sl[i].p);
			sl[i].p = NULL;
		}
	}
	CHECK_EQ_UINT(corrupt, 0);
	CHECK_EQ_UINT(failed, 0);
	CHECK_EQ_UINT(misaligned, 0);
	CHECK_EQ_UINT(reports, 0);
	CHECK(in_place > 0);
	CHECK(consistent(h));
	rvheap_stats(h, &s);
	CHECK_EQ_UINT(s.used_blocks, 0);
	CHECK_EQ_UINT(s.free_blocks, 0); /* everything merged back into the top */
	CHECK_EQ_UINT(s.free_bytes, s.top_bytes);
	CHECK_EQ_UINT(trim_bad, 0);
	CHECK_EQ_UINT(s.trims, trims);
	printf("fuzz: chunk %zu, %u ops: arena %llu bytes in %llu chunks, %lu reallocs in place, "
	       "%lu trims\n", chunk, ops, (unsigned long long)s.arena_bytes,
	       (unsigned long long)s.chunks, in_place, trims);
}

static void test_fuzz(void)
{
	fuzz(65536, 20000, 1, 1);       /* the whole heap checked after every step */
	fuzz(4096, 20000, 1, 2);        /* small chunks: the heap grows often */
	fuzz(65536, 400000, 61, 3);     /* longer, checked less often */
}

/* ---- giving memory back ---- */

#define TRIM (256u << 10)
#define CHUNK (64u << 10)

static void test_giving_back(void)
{
	struct rvheap *h;
	struct rv_malloc_stats s, t;
	unsigned long g;
	size_t used;
	void *p, *q;

	trim_threshold = TRIM;
	h = fresh(CHUNK, ARENA_BYTES);
	q = rvheap_malloc(h, 16);
	used = arena_used;
	/* A large block freed: the top above a chunk goes back. */
	p = rvheap_malloc(h, 4u << 20);
	memset(p, 0x77, 4u << 20);
	rvheap_free(h, p);
	rvheap_stats(h, &s);
	CHECK_EQ_UINT(trims, 1);
	CHECK_EQ_UINT(s.trims, 1);
	CHECK(arena_used < used + CHUNK);
	CHECK_EQ_UINT(s.arena_bytes, arena_used);
	CHECK_EQ_UINT(s.returned_bytes, h->peak_bytes - arena_used);
	CHECK(s.top_bytes >= CHUNK && s.top_bytes < CHUNK + PAGE + 8);
	CHECK(consistent(h)); /* the pages given back, taken again later, are zero */
	/* Below the threshold less a chunk, at the top in turn: neither
	 * shrinks nor grows after the first. */
	for (int i = 0; i < 100; i++) {
		p = rvheap_malloc(h, TRIM - 2 * CHUNK);
		memset(p, 1, TRIM - 2 * CHUNK);
		rvheap_free(h, p);
		if (i == 0)
			g = grows;
	}
	CHECK_EQ_UINT(trims, 1);
	CHECK_EQ_UINT(grows, g);
	CHECK(consistent(h));
	/* Above it: one trim and one growth, then the heap keeps its pages. */
	for (int i = 0; i < 20; i++) {
		p = rvheap_malloc(h, 1u << 20);
		memset(p, 2, 1u << 20);
		rvheap_free(h, p);
	}
	CHECK(trims <= 2);
	CHECK(grows <= g + 1);
	CHECK_EQ_UINT(h->cfg.trim_threshold, SIZE_MAX);
	CHECK(consistent(h));
	/* rvheap_trim all the same, down to the page the top starts in. */
	CHECK_EQ_INT(rvheap_trim(h, 0), 1);
	rvheap_stats(h, &t);
	CHECK(t.top_bytes <= PAGE + 8);
	CHECK_EQ_UINT(t.arena_bytes, arena_used);
	CHECK_EQ_INT(rvheap_trim(h, 0), 0);
	CHECK(consistent(h));
	/* A refusal (pages taken after the heap's): nothing changes. */
	p = rvheap_malloc(h, 300000);
	rvheap_free(h, p);
	rvheap_stats(h, &s);
	trim_refuse = 1;
	CHECK_EQ_INT(rvheap_trim(h, 0), 0);
	rvheap_stats(h, &t);
	CHECK_EQ_UINT(t.arena_bytes, s.arena_bytes);
	CHECK_EQ_UINT(t.trims, s.trims);
	CHECK(consistent(h));
	rvheap_free(h, q);
	CHECK_EQ_UINT(trim_bad, 0);
	CHECK_EQ_UINT(reports, 0);
	/* Random work with trims at random moments, every step checked. */
	fuzz_trimming(CHUNK, 20000, 1, 5, 7);
	fuzz_trimming(4096, 20000, 1, 6, 3);
	trim_threshold = 0;
}

/* ---- statistics ---- */

static void test_stats(void)
{
	struct rvheap *h = fresh(65536, ARENA_BYTES);
	struct rv_malloc_stats s, t;
	void *v[200], *p;

	for (int i = 0; i < 200; i++)
		v[i] = rvheap_malloc(h, (size_t)(rnd() % 3000));
	for (int i = 0; i < 200; i += 3)
		rvheap_free(h, v[i]);
	rvheap_stats(h, &s);
	CHECK_EQ_UINT(s.arena_bytes, s.in_use_bytes + s.free_bytes + s.overhead_bytes);
	CHECK(s.free_blocks > 10);
	CHECK(s.top_bytes <= s.free_bytes);
	CHECK_EQ_UINT(s.used_blocks, 200 - 67);
	/* The largest free block is taken without the heap growing. */
	p = rvheap_malloc(h, s.largest_free);
	CHECK(p != NULL);
	rvheap_stats(h, &t);
	CHECK_EQ_UINT(t.chunks, s.chunks);
	CHECK_EQ_UINT(t.arena_bytes, s.arena_bytes);
	rvheap_free(h, p);
	for (int i = 0; i < 200; i++)
		if (i % 3)
			rvheap_free(h, v[i]);
	CHECK(consistent(h));
}

int main(void)
{
	RUN(test_sizes);
	RUN(test_limits);
	RUN(test_coalescing);
	RUN(test_realloc);
	RUN(test_aligned);
	RUN(test_calloc);
	RUN(test_bad_pointers);
	RUN(test_regions);
	RUN(test_fuzz);
	RUN(test_giving_back);
	RUN(test_stats);
	return ut_summary("malloc");
}
