/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the ext2 end-to-end tests share: the byte pattern (the same as
 * mktree.py's pattern(), so the host computes what rvOS writes), FNV-1a 64
 * checksums, and reading or writing a whole file through the file server.
 */
#ifndef EXT2_COMMON_H
#define EXT2_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>

#define KIB 1024u
#define RW (FS_O_READ | FS_O_WRITE)

static rv_handle_t root;
static uint8_t iobuf[FS_IO_MAX] __attribute__((aligned(8)));

/* Byte i of pattern seed: the top byte of (i + 1 + seed * 2^32) times
 * 2^64 / the golden ratio; no two 1 KiB blocks of a file are alike. */
static inline uint8_t pattern_byte(uint32_t seed, uint64_t i)
{
	return (uint8_t)(((i + 1 + ((uint64_t)seed << 32)) * 0x9E3779B97F4A7C15ull) >> 56);
}

static inline void pattern_fill(uint32_t seed, uint64_t start, uint8_t *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		p[k] = pattern_byte(seed, start + k);
}

#define FNV_INIT 0xcbf29ce484222325ull

static inline uint64_t fnv_add(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		h = (h ^ p[k]) * 0x100000001b3ull;
	return h;
}

static inline uint64_t in_ms(uint64_t ms)
{
	return rv_clock_ns() + ms * 1000000ull;
}

/* The whole file at path: its size and checksum. 0 or an error. */
static inline int read_sum(rv_handle_t dir, const char *path, uint64_t *size, uint64_t *fnv)
{
	rv_handle_t f;
	long n;
	int ret = fs_open(dir, path, FS_O_READ, 0, &f, NULL);

	if (ret < 0)
		return ret;
	*size = 0;
	*fnv = FNV_INIT;
	while ((n = fs_read(f, iobuf, sizeof(iobuf))) > 0) {
		*fnv = fnv_add(*fnv, iobuf, (size_t)n);
		*size += (uint64_t)n;
	}
	rv_handle_close(f);
	return n < 0 ? (int)n : 0;
}

/* Compare the file at path with size bytes of pattern seed: 0, 1 (the
 * bytes differ) or an error. */
static inline int read_pattern(rv_handle_t dir, const char *path, uint32_t seed, uint64_t size)
{
	static uint8_t want[FS_IO_MAX];
	rv_handle_t f;
	uint64_t off = 0;
	long n;
	int ret = fs_open(dir, path, FS_O_READ, 0, &f, NULL);

	if (ret < 0)
		return ret;
	while ((n = fs_read(f, iobuf, sizeof(iobuf))) > 0) {
		pattern_fill(seed, off, want, (size_t)n);
		if (off + (uint64_t)n > size || memcmp(iobuf, want, (size_t)n)) {
			rv_handle_close(f);
			return 1;
		}
		off += (uint64_t)n;
	}
	rv_handle_close(f);
	if (n < 0)
		return (int)n;
	return off == size ? 0 : 1;
}

/* Write size bytes of pattern seed to f from offset start on. */
static inline long write_pattern(rv_handle_t f, uint32_t seed, uint64_t start, uint64_t size)
{
	uint64_t done = 0;

	while (done < size) {
		size_t n = size - done < sizeof(iobuf) ? (size_t)(size - done) : sizeof(iobuf);
		long w;

		pattern_fill(seed, start + done, iobuf, n);
		w = fs_write_full(f, iobuf, n);
		if (w < 0)
			return w;
		if ((size_t)w != n)
			return -RV_EIO;
		done += n;
	}
	return 0;
}

#endif /* EXT2_COMMON_H */
