// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for the cpio "newc" reader (kernel/cpio.c).
 *
 * Hand-made archives come from a small builder that can also get any field
 * wrong on purpose; real ones are made at run time by the host's cpio tool
 * from files in a temporary directory (skipped, loudly, if cpio is missing).
 * Every archive handed to the reader is a heap block of exactly its size, so
 * AddressSanitizer catches any read past the end; every truncation and many
 * random corruptions go through the reader for the same reason.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rvos/errno.h>
#include <kernel/cpio.h>

#include "unittest.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- builder ---- */

struct cpb {
	uint8_t buf[65536];
	size_t len;
};

/* Deliberate defects for one entry; zero means "none". */
struct cpb_bad {
	const char *magic;	/* instead of "070701" */
	int bad_field;		/* 1-based field index to corrupt with bad_char */
	int bad_digit;		/* which digit of it (0..7) */
	char bad_char;
	bool set_namesize, set_filesize, set_check;
	uint32_t namesize, filesize, check;
	bool upper_hex;
};

static void cpb_bytes(struct cpb *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->buf))
		abort();
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void cpb_pad(struct cpb *b)
{
	while (b->len % 4)
		cpb_bytes(b, "", 1);
}

static void cpb_entry_bad(struct cpb *b, const char *name, uint32_t mode, const void *data,
			  size_t size, const struct cpb_bad *bad)
{
	uint32_t f[13] = { 0 };
	char hdr[111];
	size_t namesize = strlen(name) + 1, i;
	uint32_t sum = 0;
	int n = 0, k;

	for (i = 0; i < size; i++)
		sum += ((const uint8_t *)data)[i];
	f[0] = 0x1234 + (uint32_t)b->len;	/* ino */
	f[1] = mode;
	f[4] = 1;			/* nlink */
	f[5] = 0x65000000;		/* mtime */
	f[6] = bad->set_filesize ? bad->filesize : (uint32_t)size;
	f[11] = bad->set_namesize ? bad->namesize : (uint32_t)namesize;
	if (bad->set_check)
		f[12] = bad->check;
	else if (bad->magic && !strcmp(bad->magic, "070702"))
		f[12] = sum;	/* the crc variant's checksum: the sum of the data bytes */

	n += snprintf(hdr + n, sizeof(hdr) - n, "%s", bad->magic ? bad->magic : "070701");
	for (k = 0; k < 13; k++)
		n += snprintf(hdr + n, sizeof(hdr) - n, bad->upper_hex ? "%08X" : "%08x", f[k]);
	if (n != 110)
		abort();
	if (bad->bad_field)
		hdr[6 + (bad->bad_field - 1) * 8 + bad->bad_digit] = bad->bad_char;
	cpb_bytes(b, hdr, 110);
	cpb_bytes(b, name, namesize);
	cpb_pad(b);
	cpb_bytes(b, data, size);
	cpb_pad(b);
}

static void cpb_entry(struct cpb *b, const char *name, uint32_t mode, const void *data,
		      size_t size)
{
	struct cpb_bad none;

	memset(&none, 0, sizeof(none));
	cpb_entry_bad(b, name, mode, data, size, &none);
}

static void cpb_file(struct cpb *b, const char *name, const char *text)
{
	cpb_entry(b, name, 0100644, text, strlen(text));
}

static void cpb_trailer(struct cpb *b)
{
	cpb_entry(b, "TRAILER!!!", 0, "", 0);
}

/* A heap copy of exactly n bytes (ASan guards its end). */
static uint8_t *exact(const void *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

/* Walk the archive; the final cpio_next result (0 at the trailer or negative). */
static int walk(const uint8_t *a, size_t n, unsigned int *entries)
{
	struct cpio_entry e;
	size_t off = 0;
	int r;

	*entries = 0;
	while ((r = cpio_next(a, n, &off, &e)) == 1) {
		/* Whatever comes back must lie inside the archive. */
		if (!CHECK((const uint8_t *)e.name >= a && (const uint8_t *)e.name < a + n) ||
		    !CHECK((const uint8_t *)e.data >= a && e.size <= n) ||
		    !CHECK((size_t)((const uint8_t *)e.data - a) <= n - e.size) ||
		    !CHECK(e.name[e.name_len] == '\0'))
			return -1000;
		if (++*entries > n)
			return -1001;	/* no progress: would loop forever */
	}
	return r;
}

/* A small archive shaped like `find . | cpio -o -H newc`, with every padding case. */
static size_t build_sample(struct cpb *b)
{
	b->len = 0;
	cpb_entry(b, ".", 040755, "", 0);
	cpb_file(b, "./hello", "Hello, rvOS!\n");
	cpb_entry(b, "./sub", 040755, "", 0);
	cpb_file(b, "./sub/a", "1");		/* name 7+1: header+name 118, pad 2 */
	cpb_file(b, "./sub/ab", "12");		/* 119, pad 1 */
	cpb_file(b, "./sub/abc", "123");	/* 120, pad 0 */
	cpb_file(b, "./sub/abcd", "1234");	/* 121, pad 3 */
	cpb_file(b, "./empty", "");
	cpb_entry(b, "./link", 0120777, "hello", 5);
	cpb_file(b, "plain", "no dot-slash");
	cpb_trailer(b);
	return b->len;
}

/* ---- valid archives ---- */

static void test_walk(void)
{
	static struct cpb b;
	size_t n = build_sample(&b), off = 0, prev;
	uint8_t *a = exact(b.buf, n);
	struct cpio_entry e;
	static const char *const names[] = { ".", "./hello", "./sub", "./sub/a", "./sub/ab",
					     "./sub/abc", "./sub/abcd", "./empty", "./link",
					     "plain" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!CHECK_EQ_INT(cpio_next(a, n, &off, &e), 1))
			break;
		CHECK_EQ_STR(e.name, names[i]);
		CHECK_EQ_UINT(e.name_len, strlen(names[i]));
		CHECK_EQ_UINT(off % 4, 0);
		CHECK_EQ_UINT(((const uint8_t *)e.data - a) % 4, 0);
	}
	/* The last entry read was "plain". */
	CHECK_EQ_UINT(e.size, 12);
	CHECK(memcmp(e.data, "no dot-slash", 12) == 0);
	CHECK_EQ_UINT(e.mode, 0100644);

	prev = off;
	CHECK_EQ_INT(cpio_next(a, n, &off, &e), 0);
	CHECK_EQ_STR(e.name, "TRAILER!!!");
	CHECK_EQ_UINT(off, prev);
	CHECK_EQ_INT(cpio_next(a, n, &off, &e), 0);	/* again: still the trailer */
	CHECK_EQ_UINT(off, prev);

	/* Argument mistakes. */
	off = 2;
	CHECK_EQ_INT(cpio_next(a, n, &off, &e), -RV_EINVAL);
	off = 0;
	CHECK_EQ_INT(cpio_next(NULL, n, &off, &e), -RV_EINVAL);
	CHECK_EQ_INT(cpio_next(a, n, NULL, &e), -RV_EINVAL);
	CHECK_EQ_INT(cpio_next(a, n, &off, NULL), -RV_EINVAL);
	off = n + 4;
	CHECK_EQ_INT(cpio_next(a, n, &off, &e), -RV_EBADMSG);
	free(a);
}

static void test_find(void)
{
	static struct cpb b;
	size_t n = build_sample(&b), len;
	uint8_t *a = exact(b.buf, n);
	const void *data;

	CHECK_EQ_INT(cpio_find(a, n, "hello", &data, &len), 0);
	CHECK_EQ_UINT(len, 13);
	CHECK(memcmp(data, "Hello, rvOS!\n", 13) == 0);
	CHECK_EQ_INT(cpio_find(a, n, "./hello", &data, &len), 0);
	CHECK_EQ_UINT(len, 13);
	CHECK_EQ_INT(cpio_find(a, n, "/hello", &data, &len), 0);
	CHECK_EQ_INT(cpio_find(a, n, "sub/abcd", &data, &len), 0);
	CHECK_EQ_UINT(len, 4);
	CHECK(memcmp(data, "1234", 4) == 0);
	CHECK_EQ_INT(cpio_find(a, n, "./sub/a", &data, &len), 0);
	CHECK_EQ_UINT(len, 1);
	CHECK_EQ_INT(cpio_find(a, n, "empty", &data, &len), 0);
	CHECK_EQ_UINT(len, 0);
	CHECK_EQ_INT(cpio_find(a, n, "./plain", &data, &len), 0);	/* stored without "./" */
	CHECK_EQ_UINT(len, 12);

	CHECK_EQ_INT(cpio_find(a, n, "sub", &data, &len), -RV_ENOENT);	/* a directory */
	CHECK_EQ_INT(cpio_find(a, n, ".", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(cpio_find(a, n, "link", &data, &len), -RV_ENOENT);	/* a symlink */
	CHECK_EQ_INT(cpio_find(a, n, "hell", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(cpio_find(a, n, "hello2", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(cpio_find(a, n, "Hello", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(cpio_find(a, n, "abcd", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(cpio_find(a, n, "", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(cpio_find(a, n, "TRAILER!!!", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(cpio_find(a, n, NULL, &data, &len), -RV_EINVAL);
	CHECK_EQ_INT(cpio_find(a, n, "hello", NULL, &len), -RV_EINVAL);
	CHECK_EQ_INT(cpio_find(a, n, "hello", &data, NULL), -RV_EINVAL);
	free(a);

	/* Names that merely start like the trailer are ordinary entries. */
	b.len = 0;
	cpb_file(&b, "TRAILER", "t1");
	cpb_file(&b, "TRAILER!!!2", "t2");
	cpb_file(&b, "TRAILER!!", "t3");
	cpb_file(&b, "after", "t4");
	cpb_trailer(&b);
	a = exact(b.buf, b.len);
	CHECK_EQ_INT(cpio_find(a, b.len, "after", &data, &len), 0);
	CHECK_EQ_INT(cpio_find(a, b.len, "TRAILER!!!2", &data, &len), 0);
	free(a);

	/* Upper-case hex digits are hex too; the first of two equal names wins. */
	{
		struct cpb_bad upper;

		memset(&upper, 0, sizeof(upper));
		upper.upper_hex = true;
		b.len = 0;
		cpb_entry_bad(&b, "./big", 0100644, "0123456789abcdef", 16, &upper);
		cpb_file(&b, "big", "second");
		cpb_trailer(&b);
		a = exact(b.buf, b.len);
		CHECK_EQ_INT(cpio_find(a, b.len, "big", &data, &len), 0);
		CHECK_EQ_UINT(len, 16);
		free(a);
	}
}

static void test_crc_variant(void)
{
	static struct cpb b;
	struct cpb_bad crc, wrong;
	const void *data;
	size_t len;
	uint8_t *a;

	memset(&crc, 0, sizeof(crc));
	crc.magic = "070702";
	wrong = crc;
	wrong.set_check = true;
	wrong.check = 1;

	b.len = 0;
	cpb_entry_bad(&b, "prog", 0100755, "\x7f" "ELF data", 9, &crc);
	cpb_trailer(&b);
	a = exact(b.buf, b.len);
	CHECK_EQ_INT(cpio_find(a, b.len, "prog", &data, &len), 0);
	CHECK_EQ_UINT(len, 9);
	free(a);

	b.len = 0;
	cpb_entry_bad(&b, "prog", 0100755, "\x7f" "ELF data", 9, &wrong);
	cpb_trailer(&b);
	a = exact(b.buf, b.len);
	CHECK_EQ_INT(cpio_find(a, b.len, "prog", &data, &len), -RV_EBADMSG);
	free(a);
}

/* ---- malformed archives ---- */

/* An archive of one file entry with the defect, then a trailer. */
static int parse_bad(const struct cpb_bad *bad, const char *name, const char *text)
{
	static struct cpb b;
	struct cpio_entry e;
	size_t off = 0;
	uint8_t *a;
	int r;

	b.len = 0;
	cpb_entry_bad(&b, name, 0100644, text, strlen(text), bad);
	cpb_trailer(&b);
	a = exact(b.buf, b.len);
	r = cpio_next(a, b.len, &off, &e);
	free(a);
	return r;
}

static void test_malformed(void)
{
	/* odc ("070707"), near misses, a letter O for the zero. */
	static const char *const magics[] = { "070707", "070700", "070703", "171701", "07070 ",
					      "O70701" };
	static const char non_hex[] = "/:@G`g x-+\x80\xff";
	struct cpb_bad bad;
	unsigned int i;
	int field, digit;

	memset(&bad, 0, sizeof(bad));
	CHECK_EQ_INT(parse_bad(&bad, "ok", "fine"), 1);	/* the control */

	for (i = 0; i < ARRAY_SIZE(magics); i++) {
		bad.magic = magics[i];
		CHECK_EQ_INT(parse_bad(&bad, "ok", "fine"), -RV_EBADMSG);
	}
	bad.magic = NULL;

	/* A non-hex digit anywhere in any of the 13 fields (neighbours of the hex ranges). */
	for (field = 1; field <= 13; field++) {
		for (digit = 0; digit < 8; digit++) {
			for (i = 0; i < sizeof(non_hex) - 1; i++) {
				bad.bad_field = field;
				bad.bad_digit = digit;
				bad.bad_char = non_hex[i];
				if (!CHECK_EQ_INT(parse_bad(&bad, "ok", "fine"), -RV_EBADMSG))
					fprintf(stderr, "  field %d digit %d char %#x\n", field,
						digit, non_hex[i]);
			}
		}
	}
	bad.bad_field = 0;

	/* Name sizes: zero, one short (no NUL inside), one long (NUL inside), huge. */
	bad.set_namesize = true;
	bad.namesize = 0;
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), -RV_EBADMSG);
	bad.namesize = 4;
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), -RV_EBADMSG);
	bad.namesize = 6;
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), -RV_EBADMSG);
	bad.namesize = 0xffffffff;
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), -RV_EBADMSG);
	bad.namesize = 0x7ffffff0;
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), -RV_EBADMSG);
	bad.set_namesize = false;

	/* File sizes past the end, up to the largest a field can hold. */
	bad.set_filesize = true;
	bad.filesize = 0xffffffff;
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), -RV_EBADMSG);
	bad.filesize = 0xfffffffc;
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), -RV_EBADMSG);
	/* The data starts at 116; the trailer (110 + 11, padded to 124) ends at 244. */
	bad.filesize = 4 + 124 + 1;	/* one past the end */
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), -RV_EBADMSG);
	bad.filesize = 4 + 124;		/* exactly to the end: readable, then no trailer */
	CHECK_EQ_INT(parse_bad(&bad, "name", "data"), 1);
	bad.set_filesize = false;
}

static void test_missing_trailer(void)
{
	static struct cpb b;
	struct cpio_entry e;
	const void *data;
	size_t off = 0, len;
	uint8_t *a;

	b.len = 0;
	cpb_file(&b, "./one", "1");
	cpb_file(&b, "./two", "22");
	a = exact(b.buf, b.len);
	CHECK_EQ_INT(cpio_next(a, b.len, &off, &e), 1);
	CHECK_EQ_INT(cpio_next(a, b.len, &off, &e), 1);
	CHECK_EQ_UINT(off, b.len);
	CHECK_EQ_INT(cpio_next(a, b.len, &off, &e), -RV_EBADMSG);
	/* A lookup that reaches the end reports the damage, not a missing file. */
	CHECK_EQ_INT(cpio_find(a, b.len, "three", &data, &len), -RV_EBADMSG);
	CHECK_EQ_INT(cpio_find(a, b.len, "two", &data, &len), 0);
	free(a);

	/* The last entry's data padding cut off. */
	b.len = 0;
	cpb_file(&b, "./one", "1");
	a = exact(b.buf, b.len - 3);
	off = 0;
	CHECK_EQ_INT(cpio_next(a, b.len - 3, &off, &e), 1);
	CHECK_EQ_INT(cpio_next(a, b.len - 3, &off, &e), -RV_EBADMSG);
	free(a);

	/* Empty. */
	a = exact("", 0);
	off = 0;
	CHECK_EQ_INT(cpio_next(a, 0, &off, &e), -RV_EBADMSG);
	CHECK_EQ_INT(cpio_find(a, 0, "x", &data, &len), -RV_EBADMSG);
	free(a);
}

static void test_truncation(void)
{
	static struct cpb b;
	size_t n = build_sample(&b), cut;
	unsigned int entries;
	const void *data;
	size_t len;

	for (cut = 0; cut < n; cut++) {
		uint8_t *a = exact(b.buf, cut);

		if (!CHECK_EQ_INT(walk(a, cut, &entries), -RV_EBADMSG) ||
		    !CHECK_EQ_INT(cpio_find(a, cut, "missing", &data, &len), -RV_EBADMSG))
			fprintf(stderr, "  truncated at %zu of %zu\n", cut, n);
		free(a);
	}
	{
		uint8_t *a = exact(b.buf, n);

		CHECK_EQ_INT(walk(a, n, &entries), 0);
		CHECK_EQ_UINT(entries, 10);
		free(a);
	}
}

static uint64_t rng_state = 0xc0ffee15c0ffeeULL;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Random byte damage: never a crash, never an entry outside the archive. */
static void test_fuzz(void)
{
	static struct cpb b;
	size_t n = build_sample(&b);
	unsigned int round, entries, ok = 0;
	static const char digits[] = "0123456789abcdefg\0 /!";

	for (round = 0; round < 20000; round++) {
		uint8_t *a = exact(b.buf, n);
		unsigned int k, flips = 1 + rng() % 3;
		int r;

		for (k = 0; k < flips; k++) {
			size_t at = rng() % n;

			a[at] = (rng() & 1) ? (uint8_t)digits[rng() % (sizeof(digits) - 1)]
					    : (uint8_t)rng();
		}
		r = walk(a, n, &entries);
		free(a);
		if (r == 0)
			ok++;
		else if (!CHECK_EQ_INT(r, -RV_EBADMSG))
			break;
	}
	CHECK(ok > 100);	/* damage to data bytes is not detectable: those pass */
}

/* ---- real archives from the host's cpio ---- */

static bool write_file(const char *dir, const char *name, const void *data, size_t n)
{
	char path[512];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return false;
	ok = fwrite(data, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

/* Output of a shell command, as a heap block of exactly its size. */
static uint8_t *command_output(const char *cmd, size_t *n)
{
	static uint8_t buf[1 << 20];
	FILE *p = popen(cmd, "r");
	size_t got;

	if (!p)
		return NULL;
	got = fread(buf, 1, sizeof(buf), p);
	if (pclose(p) != 0 || got == 0 || got == sizeof(buf))
		return NULL;
	*n = got;
	return exact(buf, got);
}

static void check_real_archive(const uint8_t *a, size_t n, const uint8_t *blob, size_t blob_len)
{
	const void *data;
	size_t len, end = 0, cut;
	struct cpio_entry e;
	unsigned int entries;

	CHECK_EQ_INT(cpio_find(a, n, "hello", &data, &len), 0);
	CHECK_EQ_UINT(len, 12);
	CHECK(len == 12 && memcmp(data, "hello world\n", 12) == 0);
	CHECK_EQ_INT(cpio_find(a, n, "./sub/deeper/blob.bin", &data, &len), 0);
	CHECK_EQ_UINT(len, blob_len);
	CHECK(len == blob_len && memcmp(data, blob, blob_len) == 0);
	CHECK_EQ_INT(cpio_find(a, n, "sub/x", &data, &len), 0);
	CHECK_EQ_UINT(len, 1);
	CHECK_EQ_INT(cpio_find(a, n, "empty", &data, &len), 0);
	CHECK_EQ_UINT(len, 0);
	CHECK_EQ_INT(cpio_find(a, n, "sub", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(cpio_find(a, n, "nothere", &data, &len), -RV_ENOENT);
	CHECK_EQ_INT(walk(a, n, &entries), 0);
	CHECK_EQ_UINT(entries, 7);	/* ., hello, empty, sub, sub/x, sub/deeper, blob */

	/* Where the trailer entry ends: truncating before it is always an error. */
	while (cpio_next(a, n, &end, &e) == 1)
		;
	end = (size_t)((const uint8_t *)e.data - a);	/* trailer data (none) starts here */
	CHECK(end < n);	/* cpio pads the archive to 512 bytes */
	for (cut = 0; cut < n; cut++) {
		uint8_t *t = exact(a, cut);

		CHECK_EQ_INT(walk(t, cut, &entries), cut < end ? -RV_EBADMSG : 0);
		free(t);
	}
}

static void test_real_cpio(void)
{
	char dir[] = "/tmp/rvos-cpio-XXXXXX";
	char cmd[640], sub[600], deeper[640];
	uint8_t blob[5000];
	uint8_t *a;
	size_t n, i;

	if (system("command -v cpio >/dev/null 2>&1") != 0) {
		printf("unit cpio: SKIPPED the real-archive test: no cpio on this host\n");
		return;
	}
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7 + (i >> 8));
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(deeper, sizeof(deeper), "%s/sub/deeper", dir);
	CHECK(mkdir(sub, 0755) == 0 && mkdir(deeper, 0755) == 0);
	CHECK(write_file(dir, "hello", "hello world\n", 12));
	CHECK(write_file(dir, "empty", "", 0));
	CHECK(write_file(dir, "sub/x", "x", 1));
	CHECK(write_file(dir, "sub/deeper/blob.bin", blob, sizeof(blob)));

	snprintf(cmd, sizeof(cmd), "cd %s && find . | LC_ALL=C sort | cpio -o -H newc --quiet",
		 dir);
	a = command_output(cmd, &n);
	if (CHECK(a != NULL)) {
		CHECK(memcmp(a, "070701", 6) == 0);
		check_real_archive(a, n, blob, sizeof(blob));
		free(a);
	}
	snprintf(cmd, sizeof(cmd), "cd %s && find . | LC_ALL=C sort | cpio -o -H crc --quiet", dir);
	a = command_output(cmd, &n);
	if (CHECK(a != NULL)) {
		const void *data;
		size_t len;

		CHECK(memcmp(a, "070702", 6) == 0);
		check_real_archive(a, n, blob, sizeof(blob));
		/* Damage one data byte of blob.bin: the checksum catches it. */
		CHECK_EQ_INT(cpio_find(a, n, "sub/deeper/blob.bin", &data, &len), 0);
		a[(const uint8_t *)data - a + 100] ^= 1;
		CHECK_EQ_INT(cpio_find(a, n, "sub/deeper/blob.bin", &data, &len), -RV_EBADMSG);
		free(a);
	}

	snprintf(cmd, sizeof(cmd), "%s/sub/deeper/blob.bin", dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/sub/x", dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/hello", dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/empty", dir);
	unlink(cmd);
	rmdir(deeper);
	rmdir(sub);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	RUN(test_walk);
	RUN(test_find);
	RUN(test_crc_variant);
	RUN(test_malformed);
	RUN(test_missing_trailer);
	RUN(test_truncation);
	RUN(test_fuzz);
	RUN(test_real_cpio);
	return ut_summary("cpio");
}
