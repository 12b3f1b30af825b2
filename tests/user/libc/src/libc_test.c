/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The C runtime as a plain C program sees it: picolibc on rvOS's glue
 * (lib/). Started by init's manifest as the main program; its exit status
 * ends the run. With an argument it is one of its own test children
 * instead (see child_main).
 *
 *   printf, snprintf   widths, precision, flags, lengths, truncation
 *   strtol & co.       bases, endptr, errors, ERANGE
 *   qsort              ints, strings, structs, 0 and 1 elements
 *   malloc & co.       calloc zeroes, realloc keeps, failures say ENOMEM
 *   heap               100,000 random malloc/free twice over: the second
 *                      round grows neither the heap nor the kernel's use
 *   time               clocks move forward, sleeps last at least as asked
 *   processes          argv through the loader, exit statuses, abort,
 *                      assert, raise, atexit, kill
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/malloc.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "check.h"

#define MS(n) ((uint64_t)(n) * 1000000ull)
#define SECS_2020 1577836800 /* 2020-01-01 00:00 UTC */

/* The board's real-time clock gives CLOCK_REALTIME the date. */
#ifdef CONFIG_RTC_GOLDFISH
#define HAS_RTC 1
#else
#define HAS_RTC 0
#endif

/* The test truncates on purpose, and asks for sizes no object can have:
 * sizes the compiler cannot see, and no truncation warnings. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
static volatile size_t size_max = SIZE_MAX, heap_cap_plus_1 = CONFIG_USER_HEAP_MAX + 1;

/* ---- helpers ---- */

static int check_str_at(int line, const char *what, const char *got, const char *want)
{
	int ok = strcmp(got, want) == 0;

	if (!check_true_at(line, what, ok) && checks_failed <= CHECK_MAX_PRINTED)
		printf("  got  \"%s\"\n  want \"%s\"\n", got, want);
	return ok;
}
#define CHECK_STR(what, got, want) check_str_at(__LINE__, (what), (got), (want))

static uint32_t rnd_state;

/* xorshift32: the same sequence from the same seed. */
static uint32_t rnd(void)
{
	uint32_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rnd_state = x;
}

static uint64_t elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (uint64_t)(b->tv_sec - a->tv_sec) * 1000000000ull + (uint64_t)b->tv_nsec -
	       (uint64_t)a->tv_nsec;
}

/* ---- printf, snprintf ---- */

#define FMT(want, ...)                                                                   \
	do {                                                                             \
		char b_[128];                                                            \
		int n_ = snprintf(b_, sizeof(b_), __VA_ARGS__);                          \
		CHECK_STR(#__VA_ARGS__, b_, want);                                       \
		CHECK_EQ(#__VA_ARGS__ " returns the length", n_, (int)strlen(want));     \
	} while (0)

static void test_printf(void)
{
	char buf[16];
	int n;

	FMT("[   42]", "[%5d]", 42);
	FMT("[42   ]", "[%-5d]", 42);
	FMT("[00042]", "[%05d]", 42);
	FMT("[+42] [ 42]", "[%+d] [% d]", 42, 42);
	FMT("[-2147483648]", "[%d]", INT_MIN);
	FMT("[4294967295]", "[%u]", UINT_MAX);
	FMT("[ff] [FF] [0xff] [0377]", "[%x] [%X] [%#x] [%#o]", 255u, 255u, 255u, 255u);
	FMT("[deadbeef]", "[%08x]", 0xdeadbeefu);
	FMT("[0000002a]", "[%08x]", 42u);
	FMT("[-9223372036854775808]", "[%ld]", LONG_MIN);
	FMT("[9223372036854775807]", "[%ld]", LONG_MAX);
	FMT("[18446744073709551615]", "[%llu]", ULLONG_MAX);
	FMT("[ffffffffffffffff]", "[%lx]", ULONG_MAX);
	FMT("[-1] [255] [65535]", "[%hhd] [%hhu] [%hu]", (signed char)-1, (unsigned char)255,
	    (unsigned short)65535);
	FMT("[123456789] [-5]", "[%zu] [%td]", (size_t)123456789, (ptrdiff_t)-5);
	FMT("[0x1234] [0xdeadbeef0]", "[%p] [%p]", (void *)0x1234, (void *)0xdeadbeef0ull);
	FMT("[abc] [  abc] [abc  ] [ab]", "[%s] [%5s] [%-5s] [%.2s]", "abc", "abc", "abc",
	    "abc");
	FMT("[x] [  y] [%]", "[%c] [%3c] [%%]", 'x', 'y');
	FMT("[  007] [7  ] []", "[%5.3d] [%-3d] [%.0d]", 7, 7, 0);
	FMT("[   42] [42   ] [0042]", "[%*d] [%-*d] [%.*d]", 5, 42, 5, 42, 4, 42);
	FMT("[3.14] [-0.500] [1.0e+03] [2.5]", "[%.2f] [%.3f] [%.1e] [%g]", 3.14159, -0.5, 1000.0,
	    2.5);

	/* Truncation: the return value is the length it would have had. */
	memset(buf, 'x', sizeof(buf));
	n = snprintf(buf, 8, "%s", "hello world");
	CHECK_EQ("snprintf truncated: returns the full length", n, 11);
	CHECK_STR("snprintf truncated: size - 1 characters and a NUL", buf, "hello w");
	CHECK_EQ("snprintf writes nothing past size", buf[8], 'x');
	CHECK_EQ("snprintf(NULL, 0) measures", snprintf(NULL, 0, "%d-%s", 12345, "ab"), 8);
	buf[0] = 'q';
	CHECK_EQ("snprintf(buf, 1): returns the length", snprintf(buf, 1, "abc"), 3);
	CHECK_EQ("snprintf(buf, 1): only the NUL", buf[0], 0);
	buf[0] = 'q';
	CHECK_EQ("snprintf(buf, 0): returns the length", snprintf(buf, 0, "abc"), 3);
	CHECK_EQ("snprintf(buf, 0): writes nothing", buf[0], 'q');
	n = snprintf(buf, sizeof(buf), "%d%d", 12345678, 12345678);
	CHECK_EQ("snprintf exactly one too long: returns 16", n, 16);
	CHECK_STR("snprintf exactly one too long: 15 characters", buf, "123456781234567");

	/* printf itself: the console lines are checked by the scenario. */
	n = printf("libc: printf [%5d] [%-5d] [%05d] [%+d] [%x] [%X] [%#o] [%u]\n", 42, 42, 42, 42,
		   0xbeefu, 0xbeefu, 8u, 3000000000u);
	CHECK_EQ("printf returns what it wrote", n, 76);
	n = printf("libc: printf [%.3s] [%c] [%%] [%ld] [%llu] [%p] [%8.3f]\n", "abcdef", 'Z',
		   -1234567890123L, 18446744073709551615ull, (void *)0xabcdef, 2.71828);
	CHECK_EQ("printf returns what it wrote", n, 89);
	n = printf("%s", "");
	CHECK_EQ("printf of nothing", n, 0);

	/* A line longer than stdout's buffer and than a console message (the
	 * formatter writes into the buffer, drained in pieces), then stdout
	 * and stderr by turns (one buffer while both are the console): every
	 * byte in its order, checked by the scenario. */
	{
		static const char abc[] = "abcdefghijklmnopqrstuvwxyz";
		char line[23 * 26 + 1];

		for (int i = 0; i < 23; i++)
			memcpy(line + 26 * i, abc, 26);
		line[sizeof(line) - 1] = 0;
		n = printf("libc: long line %.*s%s end\n", 20 * 26, line, line + 20 * 26);
		CHECK_EQ("printf of a long line", n, 16 + 23 * 26 + 5);
		printf("libc: out 1, ");
		fprintf(stderr, "err %d, ", 2);
		printf("out %s\n", "3");
	}
}

/* ---- strtol & co. ---- */

struct strtol_case {
	const char *s;
	int base;
	long value;
	int end; /* offset of *endptr */
	int err; /* errno afterwards (0: untouched) */
};

static const struct strtol_case strtol_cases[] = {
	{"0", 10, 0, 1, 0},
	{"  42", 10, 42, 4, 0},
	{"\t\n -42xyz", 10, -42, 6, 0},
	{"+7", 10, 7, 2, 0},
	{"0x1F", 16, 31, 4, 0},
	{"0X1f", 0, 31, 4, 0},
	{"1f", 16, 31, 2, 0},
	{"017", 0, 15, 3, 0},
	{"017", 10, 17, 3, 0},
	{"019", 0, 1, 2, 0},
	{"1010", 2, 10, 4, 0},
	{"12", 2, 1, 1, 0},
	{"zZ", 36, 1295, 2, 0},
	{"0x", 16, 0, 1, 0},
	{"0xg", 0, 0, 1, 0},
	{"", 10, 0, 0, 0},
	{"   ", 10, 0, 0, 0},
	{"-", 10, 0, 0, 0},
	{"abc", 10, 0, 0, 0},
	{"9223372036854775807", 10, LONG_MAX, 19, 0},
	{"9223372036854775808", 10, LONG_MAX, 19, ERANGE},
	{"-9223372036854775808", 10, LONG_MIN, 20, 0},
	{"-9223372036854775809", 10, LONG_MIN, 20, ERANGE},
	{"123456789012345678901234567890x", 10, LONG_MAX, 30, ERANGE},
	{"7fffffffffffffff", 16, LONG_MAX, 16, 0},
	{"-8000000000000000", 16, LONG_MIN, 17, 0},
	{"8000000000000000", 16, LONG_MAX, 16, ERANGE},
};

static void test_strtol(void)
{
	char *end;
	long v;
	unsigned long u;
	char what[80];

	for (size_t i = 0; i < sizeof(strtol_cases) / sizeof(strtol_cases[0]); i++) {
		const struct strtol_case *c = &strtol_cases[i];

		snprintf(what, sizeof(what), "strtol(\"%s\", %d)", c->s, c->base);
		errno = 0;
		v = strtol(c->s, &end, c->base);
		CHECK_EQ(what, v, c->value);
		CHECK_EQ("  endptr offset", end - c->s, c->end);
		CHECK_EQ("  errno", errno, c->err);
	}
	errno = 0;
	v = strtol("12", &end, 1);
	CHECK("strtol base 1: EINVAL", v == 0 && errno == EINVAL);
	errno = 0;
	v = strtol("12", &end, 37);
	CHECK("strtol base 37: EINVAL", v == 0 && errno == EINVAL);
	CHECK_EQ("strtol(NULL endptr)", strtol("99", NULL, 10), 99);

	errno = 0;
	u = strtoul("18446744073709551615", &end, 10);
	CHECK("strtoul ULONG_MAX", u == ULONG_MAX && errno == 0 && *end == 0);
	errno = 0;
	u = strtoul("18446744073709551616", &end, 10);
	CHECK("strtoul past ULONG_MAX: ERANGE", u == ULONG_MAX && errno == ERANGE);
	errno = 0;
	u = strtoul("-1", &end, 10);
	CHECK("strtoul(\"-1\") wraps to ULONG_MAX", u == ULONG_MAX && errno == 0);
	errno = 0;
	CHECK("strtoll = strtol here",
	      strtoll("-9223372036854775809", NULL, 0) == LLONG_MIN && errno == ERANGE);
	errno = 0;
	CHECK("strtoull hex", strtoull("0xFFFFFFFFFFFFFFFF", NULL, 0) == ULLONG_MAX && errno == 0);
	CHECK_EQ("atoi", atoi("  123abc"), 123);
	CHECK_EQ("atol", atol("-77"), -77);
}

/* ---- qsort ---- */

#define QN 1000

static unsigned long compares;

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	compares++;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct rec {
	uint32_t key;
	uint32_t id;
	char pad[16];
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static void test_qsort(void)
{
	static int v[QN], ref[QN];
	static struct rec recs[300];
	const char *words[] = {"pear", "apple", "fig", "banana", "apple", "cherry", "date"};
	const char *sorted_words[] = {"apple", "apple", "banana", "cherry", "date", "fig", "pear"};
	int sorted = 1, same = 1, ok = 1;

	rnd_state = 2024;
	for (int i = 0; i < QN; i++)
		v[i] = (int)(rnd() % 2001) - 1000; /* with duplicates and negatives */
	/* The reference: insertion sort. */
	memcpy(ref, v, sizeof(v));
	for (int i = 1; i < QN; i++) {
		int x = ref[i], j = i;

		for (; j > 0 && ref[j - 1] > x; j--)
			ref[j] = ref[j - 1];
		ref[j] = x;
	}
	qsort(v, QN, sizeof(v[0]), cmp_int);
	for (int i = 0; i < QN; i++) {
		sorted &= i == 0 || v[i - 1] <= v[i];
		same &= v[i] == ref[i];
	}
	CHECK("qsort of 1000 ints: sorted", sorted);
	CHECK("qsort of 1000 ints: the same values", same);
	qsort(v, QN, sizeof(v[0]), cmp_int); /* already sorted */
	CHECK("qsort of sorted input: unchanged", memcmp(v, ref, sizeof(v)) == 0);
	for (int i = 0; i < QN; i++)
		v[i] = QN - i; /* reversed */
	qsort(v, QN, sizeof(v[0]), cmp_int);
	for (int i = 0; i < QN; i++)
		ok &= v[i] == i + 1;
	CHECK("qsort of reversed input", ok);

	qsort(words, 7, sizeof(words[0]), cmp_str);
	ok = 1;
	for (int i = 0; i < 7; i++)
		ok &= strcmp(words[i], sorted_words[i]) == 0;
	CHECK("qsort of strings", ok);

	/* 24-byte elements: every record kept whole. */
	rnd_state = 99;
	for (uint32_t i = 0; i < 300; i++) {
		recs[i].key = rnd() % 50;
		recs[i].id = i;
		snprintf(recs[i].pad, sizeof(recs[i].pad), "r%u.%u", recs[i].key, i);
	}
	qsort(recs, 300, sizeof(recs[0]), cmp_rec);
	ok = 1;
	for (uint32_t i = 0; i < 300; i++) {
		char want[16];

		snprintf(want, sizeof(want), "r%u.%u", recs[i].key, recs[i].id);
		ok &= strcmp(recs[i].pad, want) == 0 && (i == 0 || recs[i - 1].key <= recs[i].key);
	}
	CHECK("qsort of 24-byte records: sorted, each whole", ok);

	compares = 0;
	qsort(v, 0, sizeof(v[0]), cmp_int);
	qsort(v, 1, sizeof(v[0]), cmp_int);
	CHECK_EQ("qsort of 0 and 1 elements compares nothing", compares, 0);
}

/* ---- malloc & co. ---- */

static void test_malloc(void)
{
	unsigned char *p, *q, *q2;
	uintptr_t dirtied;
	int ok;

	p = malloc(100);
	CHECK("malloc(100)", p != NULL);
	/* rvOS's malloc (lib/src/malloc.c) aligns to max_align_t's 16 bytes
	 * (long double), as the RISC-V psABI wants. */
	CHECK_EQ("malloc is 16-byte aligned", (uintptr_t)p % 16, 0);
	CHECK("malloc_usable_size >= the size asked", p && malloc_usable_size(p) >= 100);
	free(p);
	free(NULL); /* nothing */
	p = aligned_alloc(64, 256);
	CHECK("aligned_alloc(64, 256)", p != NULL && (uintptr_t)p % 64 == 0);
	free(p);

	/* calloc zeroes, also a block that malloc used (and dirtied) before. */
	p = malloc(4000);
	if (p)
		memset(p, 0xa5, 4000);
	dirtied = (uintptr_t)p;
	free(p);
	q = calloc(1000, 4);
	ok = q != NULL;
	for (int i = 0; ok && i < 4000; i++)
		ok = q[i] == 0;
	CHECK("calloc(1000, 4): all zero", ok);
	CHECK("calloc reused the dirtied block (so the zero check meant something)",
	      (uintptr_t)q == dirtied);
	free(q);
	errno = 0;
	CHECK("calloc overflowing size_t: NULL", calloc(size_max / 2 + 2, 2) == NULL);
	CHECK_EQ("calloc overflowing size_t: ENOMEM", errno, ENOMEM);

	/* realloc keeps the contents, growing (moved) and shrinking. */
	p = malloc(1000);
	for (int i = 0; p && i < 1000; i++)
		p[i] = (unsigned char)(i * 7);
	q = malloc(16); /* so that p cannot grow in place */
	p = realloc(p, 100000);
	ok = p != NULL;
	for (int i = 0; ok && i < 1000; i++)
		ok = p[i] == (unsigned char)(i * 7);
	CHECK("realloc to 100000 keeps the first 1000 bytes", ok);
	p = realloc(p, 10);
	ok = p != NULL;
	for (int i = 0; ok && i < 10; i++)
		ok = p[i] == (unsigned char)(i * 7);
	CHECK("realloc to 10 keeps the first 10 bytes", ok);
	errno = 0;
	q2 = realloc(p, heap_cap_plus_1);
	CHECK("realloc past the heap cap: NULL", q2 == NULL);
	CHECK_EQ("realloc past the heap cap: ENOMEM", errno, ENOMEM);
	if (q2) {
		p = q2;
	} else {
		ok = 1;
		for (int i = 0; i < 10; i++)
			ok &= p[i] == (unsigned char)(i * 7);
		CHECK("a failed realloc leaves the block alone", ok);
	}
	free(p);
	free(q);
	p = realloc(NULL, 50);
	CHECK("realloc(NULL, n) allocates", p != NULL);
	free(p);

	errno = 0;
	CHECK("malloc(SIZE_MAX): NULL", malloc(size_max) == NULL);
	CHECK_EQ("malloc(SIZE_MAX): ENOMEM", errno, ENOMEM);
	errno = 0;
	CHECK("malloc past the heap cap: NULL", malloc(heap_cap_plus_1) == NULL);
	CHECK_EQ("malloc past the heap cap: ENOMEM", errno, ENOMEM);
	p = malloc(64);
	CHECK("malloc works after the failures", p != NULL);
	free(p);
}

/* ---- 100,000 random malloc/free ---- */

#define HEAP_SLOTS 512
#define HEAP_OPS 100000
#define HEAP_MAX_BLOCK 8192

static unsigned char *blocks[HEAP_SLOTS];
static size_t block_size[HEAP_SLOTS];
static uint64_t block_tag[HEAP_SLOTS];

/* Fill and check a block a word at a time (then the tail bytes). */
static void fill(unsigned char *p, size_t n, uint64_t tag)
{
	uint64_t *w = (uint64_t *)p;
	size_t i;

	for (i = 0; i < n / 8; i++)
		w[i] = tag + i;
	for (i *= 8; i < n; i++)
		p[i] = (unsigned char)(tag ^ i);
}

static int intact(const unsigned char *p, size_t n, uint64_t tag)
{
	const uint64_t *w = (const uint64_t *)p;
	size_t i;

	for (i = 0; i < n / 8; i++)
		if (w[i] != tag + i)
			return 0;
	for (i *= 8; i < n; i++)
		if (p[i] != (unsigned char)(tag ^ i))
			return 0;
	return 1;
}

/* One round from the same seed: the same sequence of sizes and frees.
 * Returns the number of corrupted blocks, or -1 when malloc failed. */
static long heap_round(size_t *peak)
{
	long corrupt = 0;
	size_t live = 0;

	rnd_state = 0x5eed1234;
	*peak = 0;
	for (uint32_t op = 0; op < HEAP_OPS; op++) {
		uint32_t s = rnd() % HEAP_SLOTS;

		if (blocks[s]) {
			corrupt += !intact(blocks[s], block_size[s], block_tag[s]);
			free(blocks[s]);
			blocks[s] = NULL;
			live -= block_size[s];
		} else {
			block_size[s] = 1 + rnd() % HEAP_MAX_BLOCK;
			block_tag[s] = ((uint64_t)rnd() << 32) | op;
			blocks[s] = malloc(block_size[s]);
			if (!blocks[s]) {
				printf("libc: malloc(%zu) failed at op %u\n", block_size[s], op);
				return -1;
			}
			fill(blocks[s], block_size[s], block_tag[s]);
			live += block_size[s];
			if (live > *peak)
				*peak = live;
		}
	}
	for (uint32_t s = 0; s < HEAP_SLOTS; s++) {
		if (blocks[s]) {
			corrupt += !intact(blocks[s], block_size[s], block_tag[s]);
			free(blocks[s]);
			blocks[s] = NULL;
		}
	}
	return corrupt;
}

static void test_heap(void)
{
	struct rv_kstats k0, k1, k2, k3;
	struct mallinfo m0, m1, m2;
	struct rv_malloc_stats st0, st1, st2;
	uint64_t per_kstats;
	size_t peak1, peak2, peak3;

	/* What one kstats call adds to the system-call count (itself). */
	rv_kstats(&k0);
	rv_kstats(&k1);
	per_kstats = k1.syscalls - k0.syscalls;

	m0 = mallinfo();
	rv_malloc_stats(&st0);
	rv_kstats(&k0);
	CHECK_EQ("warm-up round: no corrupted block", heap_round(&peak1), 0);
	rv_kstats(&k1);
	rv_malloc_stats(&st1);
	/* The warm-up grew the heap (so the checks below are not vacuous),
	 * and its last frees gave the top back (CONFIG_USER_HEAP_TRIM_KIB). */
	CHECK("warm-up: the heap asked the kernel for the peak",
	      (st1.arena_bytes + st1.returned_bytes) - (st0.arena_bytes + st0.returned_bytes) >=
	      peak1);
	CHECK("warm-up: the heap asked the kernel for pages", k1.syscalls - k0.syscalls > per_kstats);
	CHECK("warm-up: free gave pages back", st1.trims > st0.trims);
	CHECK("warm-up: user frames back near where they were",
	      k1.frames_user <= k0.frames_user + CONFIG_USER_HEAP_CHUNK / 4096 + 1);

	/* Again: the heap takes those pages back, more than the threshold,
	 * so free stops giving back (the hysteresis: a program that builds
	 * and frees a structure in turn pays for its pages twice at most). */
	CHECK_EQ("regrow round: no corrupted block", heap_round(&peak2), 0);
	rv_malloc_stats(&st2);
	CHECK_EQ("regrow round: same peak", peak2, peak1);
	CHECK_EQ("regrow round: free gave nothing back this time", st2.trims, st1.trims);
	m1 = mallinfo();
	CHECK_EQ("regrow round: every block free again (in use as before)", m1.uordblks,
		 m0.uordblks);

	/* The same round a third time: all of it fits in the memory kept. */
	rv_kstats(&k2);
	CHECK_EQ("steady round: no corrupted block", heap_round(&peak3), 0);
	rv_kstats(&k3);
	m2 = mallinfo();
	CHECK_EQ("steady round: same peak", peak3, peak1);
	CHECK_EQ("steady round: the heap did not grow", m2.arena, m1.arena);
	CHECK_EQ("steady round: in-use bytes back where they began", m2.uordblks, m1.uordblks);
	CHECK_EQ("steady round: free bytes back where they began", m2.fordblks, m1.fordblks);
	CHECK_EQ("steady round: no system call at all", k3.syscalls - k2.syscalls, per_kstats);
	CHECK_EQ("steady round: free frames flat", k3.frames_free, k2.frames_free);
	CHECK_EQ("steady round: user frames flat", k3.frames_user, k2.frames_user);
	CHECK_EQ("steady round: page-table frames flat", k3.frames_page_tables,
		 k2.frames_page_tables);
	printf("libc: heap: 3 x %d malloc/free, peak %zu bytes live, arena %zu bytes, "
	       "frames free %lu -> %lu\n",
	       HEAP_OPS, peak1, m2.arena, (unsigned long)k2.frames_free,
	       (unsigned long)k3.frames_free);
}

/* ---- time ---- */

static void test_time(void)
{
	struct timespec a, b, r, mono, real, cpu;
	struct timeval tv;
	struct timezone tz = {.tz_minuteswest = 99, .tz_dsttime = 1};
	uint64_t k0, k1, prev;
	time_t t, t2;
	clock_t c0, c1;
	int ok = 1;

	CHECK_EQ("clock_gettime(MONOTONIC)", clock_gettime(CLOCK_MONOTONIC, &a), 0);
	CHECK("tv_nsec in range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
	CHECK("the monotonic clock has been running since boot", a.tv_sec > 0 || a.tv_nsec > 0);
	/* Never backwards, over many reads. */
	prev = 0;
	for (int i = 0; i < 2000; i++) {
		uint64_t ns;

		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (uint64_t)b.tv_sec * 1000000000ull + (uint64_t)b.tv_nsec;
		ok &= ns >= prev;
		prev = ns;
	}
	CHECK("2000 monotonic reads never go back", ok);
	CHECK("time moved forward over 2000 reads", elapsed_ns(&a, &b) > 0 && b.tv_sec >= a.tv_sec);

	/* REALTIME is the RTC's date (tests/user/posix compares it with the
	 * host's), or without one the time since boot: next to MONOTONIC. */
	CHECK_EQ("clock_gettime(REALTIME)", clock_gettime(CLOCK_REALTIME, &real), 0);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (HAS_RTC)
		CHECK("REALTIME is a date after 2020", real.tv_sec > SECS_2020);
	else
		CHECK("REALTIME counts from boot, like MONOTONIC", elapsed_ns(&real, &mono) < MS(50));
	CHECK_EQ("clock_gettime(PROCESS_CPUTIME)", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu), 0);
	CHECK("the process clock started after boot", elapsed_ns(&cpu, &mono) > 0);
	errno = 0;
	CHECK_EQ("clock_gettime(unknown clock)", clock_gettime((clockid_t)77, &a), -1);
	CHECK_EQ("clock_gettime(unknown clock): EINVAL", errno, EINVAL);
	errno = 0;
	CHECK_EQ("clock_gettime(NULL)", clock_gettime(CLOCK_MONOTONIC, NULL), -1);
	CHECK_EQ("clock_gettime(NULL): EFAULT", errno, EFAULT);
	CHECK_EQ("clock_getres(MONOTONIC)", clock_getres(CLOCK_MONOTONIC, &r), 0);
	CHECK("resolution: more than 0, at most 1 ms", r.tv_sec == 0 && r.tv_nsec > 0 &&
							    r.tv_nsec <= 1000000);
	errno = 0;
	CHECK("clock_getres(unknown clock): EINVAL",
	      clock_getres((clockid_t)77, &r) == -1 && errno == EINVAL);

	/* gettimeofday and time() agree with the clock. */
	CHECK_EQ("gettimeofday", gettimeofday(&tv, &tz), 0);
	clock_gettime(CLOCK_REALTIME, &real);
	CHECK("tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK("gettimeofday: UTC", tz.tz_minuteswest == 0 && tz.tz_dsttime == 0);
	CHECK("gettimeofday next to CLOCK_REALTIME",
	      (uint64_t)(real.tv_sec - tv.tv_sec) * 1000000ull + (uint64_t)(real.tv_nsec / 1000) -
			      (uint64_t)tv.tv_usec < 50000);
	t = time(&t2);
	CHECK("time() returns and stores the same", t == t2);
	CHECK("time() is CLOCK_REALTIME's seconds", t == real.tv_sec || t == real.tv_sec + 1);
	{
		struct tm *tm = gmtime(&t);

		if (HAS_RTC)
			CHECK("gmtime of the RTC's time: after 2020", tm && tm->tm_year >= 120);
		else
			CHECK("gmtime of the time since boot: 1970-01-01",
			      tm && tm->tm_year == 70 && tm->tm_mon == 0 && tm->tm_mday == 1);
	}

	/* Sleeps last at least as long as asked (by both clocks), and not
	 * absurdly longer (a unit mix-up would be 1000 times longer). */
	static const long sleeps_ns[] = {1, 1000, 1500, 150000, 2000001, 20000000};

	for (unsigned int i = 0; i < sizeof(sleeps_ns) / sizeof(sleeps_ns[0]); i++) {
		struct timespec req = {.tv_sec = 0, .tv_nsec = sleeps_ns[i]};
		char what[64];

		snprintf(what, sizeof(what), "nanosleep %ld ns: at least that long", sleeps_ns[i]);
		k0 = rv_clock_ns();
		clock_gettime(CLOCK_MONOTONIC, &a);
		CHECK_EQ("nanosleep", nanosleep(&req, NULL), 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		k1 = rv_clock_ns();
		CHECK(what, elapsed_ns(&a, &b) >= (uint64_t)sleeps_ns[i] &&
				    k1 - k0 >= (uint64_t)sleeps_ns[i]);
		CHECK("  and not absurdly longer", elapsed_ns(&a, &b) < (uint64_t)sleeps_ns[i] + MS(500));
	}
	/* Many short sleeps in a row: each still at least as asked. */
	ok = 1;
	for (int i = 0; i < 200; i++) {
		struct timespec req = {.tv_sec = 0, .tv_nsec = 1000 + i * 37};

		clock_gettime(CLOCK_MONOTONIC, &a);
		nanosleep(&req, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ok &= elapsed_ns(&a, &b) >= (uint64_t)req.tv_nsec;
	}
	CHECK("200 short nanosleeps, each at least as asked", ok);
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ("usleep(15000)", usleep(15000), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("usleep(15000): at least 15 ms", elapsed_ns(&a, &b) >= MS(15));
	CHECK("usleep(15000): under 1 s", elapsed_ns(&a, &b) < MS(1000));
	c0 = clock();
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ("sleep(1)", sleep(1), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	c1 = clock();
	CHECK("sleep(1): at least 1 s", elapsed_ns(&a, &b) >= MS(1000));
	CHECK("sleep(1): under 3 s", elapsed_ns(&a, &b) < MS(3000));
	CHECK("clock() moved on by about the second slept",
	      c1 - c0 >= CLOCKS_PER_SEC && c1 - c0 < 3 * CLOCKS_PER_SEC);
	/* Absolute deadlines. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = a;
	r.tv_nsec += 30000000;
	if (r.tv_nsec >= 1000000000) {
		r.tv_sec++;
		r.tv_nsec -= 1000000000;
	}
	CHECK_EQ("clock_nanosleep(TIMER_ABSTIME)",
		 clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &r, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("clock_nanosleep(TIMER_ABSTIME): woke at or after the deadline",
	      b.tv_sec > r.tv_sec || (b.tv_sec == r.tv_sec && b.tv_nsec >= r.tv_nsec));
	CHECK_EQ("clock_nanosleep to a past deadline", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
								      &a, NULL), 0);
	a = (struct timespec){.tv_sec = 0, .tv_nsec = 5000000};
	clock_gettime(CLOCK_MONOTONIC, &r);
	CHECK_EQ("clock_nanosleep(REALTIME, relative)",
		 clock_nanosleep(CLOCK_REALTIME, 0, &a, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("clock_nanosleep relative: at least 5 ms", elapsed_ns(&r, &b) >= MS(5));

	/* Bad requests. */
	{
		struct timespec bad[] = {{0, 1000000000}, {0, -1}, {-1, 0}};

		for (int i = 0; i < 3; i++) {
			errno = 0;
			CHECK("nanosleep of a bad timespec: -1 EINVAL",
			      nanosleep(&bad[i], NULL) == -1 && errno == EINVAL);
			CHECK_EQ("clock_nanosleep of a bad timespec: EINVAL",
				 clock_nanosleep(CLOCK_MONOTONIC, 0, &bad[i], NULL), EINVAL);
		}
		errno = 0;
		CHECK("nanosleep(NULL): -1 EINVAL", nanosleep(NULL, NULL) == -1 && errno == EINVAL);
		CHECK_EQ("clock_nanosleep on a CPU-time clock: ENOTSUP",
			 clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &a, NULL), ENOTSUP);
		CHECK_EQ("clock_nanosleep on an unknown clock: EINVAL",
			 clock_nanosleep((clockid_t)77, 0, &a, NULL), EINVAL);
		CHECK_EQ("clock_nanosleep with unknown flags: EINVAL",
			 clock_nanosleep(CLOCK_MONOTONIC, 0x100, &a, NULL), EINVAL);
	}
	{
		struct tms tms;
		clock_t now = times(&tms);
		uint64_t us = rv_clock_ns() / 1000;

		CHECK("times() returns the time since boot in CLOCKS_PER_SEC units",
		      (uint64_t)now <= us && us - (uint64_t)now < 50000);
		CHECK("times(): user time is the time since the process started",
		      tms.tms_utime > 0 && (uint64_t)tms.tms_utime <= us && tms.tms_stime == 0);
	}
	printf("libc: time: clocks, gettimeofday, time, clock, sleeps\n");
}

/* ---- processes: argv, exit status, abort, assert, atexit, kill ---- */

static void atexit_first(void)
{
	/* No newline: exit must flush it after the handlers. */
	printf("libc: atexit: registered first, runs last, flushed by exit");
}

static void atexit_second(void)
{
	printf("libc: atexit: registered second, runs first\n");
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* A test child: what it does is argv[1]. */
static int child_main(int argc, char **argv)
{
	const char *what = argv[1];

	if (!strcmp(what, "args")) {
		/* libc_test args "two words" "" 3: each checked, a status per failure. */
		if (argc != 5)
			return 10 + argc;
		if (strcmp(argv[0], "libc_test"))
			return 20;
		if (strcmp(argv[2], "two words") || strcmp(argv[3], "") || strcmp(argv[4], "3"))
			return 21;
		if (argv[5] != NULL)
			return 22;
		return 0;
	}
	if (!strcmp(what, "exit"))
		exit(atoi(argv[2]));
	if (!strcmp(what, "return"))
		return 3;
	if (!strcmp(what, "abort"))
		abort();
	if (!strcmp(what, "assert")) {
		assert(argc == 99);
		return 0;
	}
	if (!strcmp(what, "raise"))
		raise(SIGTERM);
	if (!strcmp(what, "handler")) {
		signal(SIGUSR1, on_signal);
		raise(SIGUSR1);
		return got_signal == SIGUSR1 ? 42 : 1;
	}
	if (!strcmp(what, "ignored")) {
		/* Ignored by default: raise returns. */
		return raise(SIGCHLD) == 0 && kill(getpid(), 0) == 0 ? 44 : 1;
	}
	if (!strcmp(what, "atexit")) {
		atexit(atexit_first);
		atexit(atexit_second);
		exit(6);
	}
	if (!strcmp(what, "sleep")) {
		sleep(30); /* until killed */
		return 0;
	}
	return 99;
}

/* Start this program with argv through the kernel and wait: its exit
 * status, or 1000 + the reason it did not exit normally. */
static int run_child(const char *const argv[])
{
	struct rv_exit_info info;
	long pid = rv_spawn("libc_test", argv, CONFIG_DEFAULT_PRIORITY);

	if (pid < 0)
		return (int)pid;
	if (rv_wait((int)pid, &info) != pid)
		return -1000;
	return info.reason == RV_EXIT_NORMAL ? info.code : 1000 + info.reason;
}

static void test_processes(int argc, char **argv)
{
	const char *const args[] = {"args", "two words", "", "3", NULL};
	struct rv_exit_info info;
	struct rv_wait_item it;
	rv_handle_t proc;
	long pid;

	CHECK_EQ("argc of the manifest's program", argc, 1);
	CHECK_STR("argv[0] is the program's name", argv[0], "libc_test");
	CHECK("argv[argc] is NULL", argv[argc] == NULL);
	CHECK_EQ("getpid", getpid(), rv_getpid());

	/* argv through init's loader, and through the kernel's spawn. */
	CHECK_EQ("loader spawn with arguments", rv_loader_spawn("libc_test", args, 8, NULL, 0, &proc),
		 0);
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	CHECK_EQ("the loader's child ends", rv_wait_many(&it, 1, rv_clock_ns() + MS(5000)), 1);
	CHECK_EQ("exit info", rv_process_exit_info(proc, &info), 0);
	CHECK("the loader's child saw its arguments",
	      info.reason == RV_EXIT_NORMAL && info.code == 0);
	rv_handle_close(proc);
	CHECK_EQ("spawn with arguments: the child saw them", run_child(args), 0);
	CHECK_EQ("spawn with 2 arguments: argc checked", run_child((const char *const[]){"args", "x",
								       NULL}), 13);

	/* Exit statuses. */
	CHECK_EQ("exit(0)", run_child((const char *const[]){"exit", "0", NULL}), 0);
	CHECK_EQ("exit(7)", run_child((const char *const[]){"exit", "7", NULL}), 7);
	CHECK_EQ("exit(255)", run_child((const char *const[]){"exit", "255", NULL}), 255);
	CHECK_EQ("return 3 from main", run_child((const char *const[]){"return", NULL}), 3);
	CHECK_EQ("abort(): 128 + SIGABRT", run_child((const char *const[]){"abort", NULL}),
		 128 + SIGABRT);
	CHECK_EQ("a failed assert: 128 + SIGABRT", run_child((const char *const[]){"assert", NULL}),
		 128 + SIGABRT);
	CHECK_EQ("raise(SIGTERM): 128 + SIGTERM", run_child((const char *const[]){"raise", NULL}),
		 128 + SIGTERM);
	CHECK_EQ("raise with a handler: the handler runs",
		 run_child((const char *const[]){"handler", NULL}), 42);
	CHECK_EQ("raise of a signal ignored by default returns",
		 run_child((const char *const[]){"ignored", NULL}), 44);
	CHECK_EQ("atexit handlers run, then exit's status",
		 run_child((const char *const[]){"atexit", NULL}), 6);
	printf("\n"); /* ends the child's last line */

	/* kill: a child can be ended; signal 0 cannot be answered. */
	pid = rv_spawn("libc_test", (const char *const[]){"sleep", NULL}, CONFIG_DEFAULT_PRIORITY);
	CHECK("spawn a sleeper", pid > 0);
	errno = 0;
	CHECK("kill(child, 0): -1 ENOSYS", kill((pid_t)pid, 0) == -1 && errno == ENOSYS);
	CHECK_EQ("kill(child, SIGKILL)", kill((pid_t)pid, SIGKILL), 0);
	CHECK_EQ("wait for the killed child", rv_wait((int)pid, &info), pid);
	CHECK_EQ("the child was killed", info.reason, RV_EXIT_KILLED);
	errno = 0;
	CHECK("kill(no such process): -1 ESRCH", kill(9999, SIGTERM) == -1 && errno == ESRCH);
	errno = 0;
	CHECK("kill(-1, SIGTERM): -1 EPERM", kill(-1, SIGTERM) == -1 && errno == EPERM);
	errno = 0;
	CHECK("kill(self, 999): -1 EINVAL", kill(getpid(), 999) == -1 && errno == EINVAL);
	CHECK_EQ("kill(self, 0)", kill(getpid(), 0), 0);
	CHECK("no environment: getenv is NULL", getenv("PATH") == NULL);
	printf("libc: processes: argv, exit statuses, abort, assert, raise, atexit, kill\n");
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return child_main(argc, argv);
	test_printf();
	test_strtol();
	printf("libc: strtol: bases, endptr, errors\n");
	test_qsort();
	printf("libc: qsort: ints, strings, records\n");
	test_malloc();
	printf("libc: malloc, calloc, realloc, failures\n");
	test_heap();
	test_time();
	test_processes(argc, argv);
	return check_report("libc");
}
