/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File benchmarks on tmpfs (or on ext2 at /disk when an image is mounted
 * there: the block cache holds everything), in instructions retired (every instruction of
 * the hart: this client, the kernel, the file server), exact under
 * `rv flash --icount` (samples/bench's bench.h). One line per figure:
 *   BENCH file_read_kib       per KiB, reading a 256 KiB file with
 *                             4 KiB reads (FS_IO_MAX if less)
 *   BENCH file_write_kib      per KiB, writing 256 KiB with 4 KiB
 *                             writes, fsync at the end included
 *   BENCH file_create         create + write 100 bytes + close
 *   BENCH file_unlink         unlink of a 100-byte file
 *   BENCH file_stat           stat of a path (statat)
 *   BENCH open_close_depth3   open + close of a file three directories down
 *   BENCH readdir_entry       per entry of a 200-entry directory listed
 * Each figure is the best of three rounds (an interrupt only adds); the
 * hart's idle wait for the device is not counted.
 */
#include <stdio.h>
#include <string.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "bench.h"

#define FILE_KIB 256
#define OPS 100
#define DIR_ENTRIES 200

/* The goals (instructions). */
#define GOAL_READ_KIB 1500
#define GOAL_WRITE_KIB 5000
#define GOAL_CREATE 60000
#define GOAL_UNLINK 40000
#define GOAL_STAT 5000
#define GOAL_OPEN_CLOSE 15000
#define GOAL_READDIR 1000

static rv_handle_t root, base;
/* 4 KiB a request (the reads and writes), FS_IO_MAX if less. */
#define IO (FS_IO_MAX < 4096 ? FS_IO_MAX : 4096)
static uint8_t buf[IO] __attribute__((aligned(8)));
static uint8_t dbuf[FS_IO_MAX] __attribute__((aligned(8)));

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static int fail(const char *what, long ret)
{
	printf("fs_bench: %s: %s\n", what, rv_strerror((int)ret));
	return 1;
}

int main(void)
{
	uint64_t best[7], t0, t1, i0;
	rv_handle_t f;
	long ret;
	int i;

	for (i = 0; i < 7; i++)
		best[i] = UINT64_MAX;
	ret = rv_connect_wait(FS_SERVICE_NAME, &root, rv_clock_ns() + 5000000000ull);
	if (ret < 0)
		return fail("connect", ret);
	/* On /disk when an ext2 image is mounted there (user.fs.bench_ext2). */
	base = root;
	{
		rv_handle_t d;
		struct fs_statfs sf;

		if (fs_open(root, "/disk", FS_O_READ | FS_O_WRITE, 0, &d, NULL) == 0) {
			if (fs_statfs(d, &sf) == 0 && !strcmp(sf.type, "ext2"))
				base = d;
			else
				rv_handle_close(d);
		}
	}
	printf("fs_bench: on %s\n", base == root ? "/ (tmpfs)" : "/disk (ext2, cached)");
	bench_start();
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	if ((ret = fs_mkdir(base, "/a", 0755)) < 0 || (ret = fs_mkdir(base, "/a/b", 0755)) < 0 ||
	    (ret = fs_open(base, "/a/b/c", FS_O_WRITE | FS_O_CREAT, 0644, NULL, NULL)) < 0 ||
	    (ret = fs_mkdir(base, "/dir", 0755)) < 0 || (ret = fs_mkdir(base, "/ops", 0755)) < 0)
		return fail("setup", ret);
	for (i = 0; i < DIR_ENTRIES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "/dir/entry-%03d", i);
		if ((ret = fs_open(base, name, FS_O_WRITE | FS_O_CREAT, 0644, NULL, NULL)) < 0)
			return fail("setup dir", ret);
	}

	for (int round = 0; round < 3; round++) {
		rv_handle_t d;
		uint64_t bytes = 0, entries = 0;

		/* Write: a fresh file each round. */
		ret = fs_open(base, "/big", FS_O_READ | FS_O_WRITE | FS_O_CREAT | FS_O_TRUNC, 0644,
			      &f, NULL);
		if (ret < 0)
			return fail("open big", ret);
		/* (the hart's idle wait for the device in fsync not counted:
		 * under -icount it varies from run to run; bench.h) */
		i0 = bench_idle_instret();
		t0 = rv_instret();
		while (bytes < FILE_KIB * 1024) {
			ret = fs_write(f, buf, sizeof(buf));
			if (ret <= 0)
				return fail("write", ret);
			bytes += (uint64_t)ret;
		}
		fs_sync(f, 0);
		t1 = rv_instret();
		best[0] = min_u64(best[0],
				  bench_busy_between(i0, t0, t1, bench_idle_instret()) * 1024 / bytes);

		/* Read it back. */
		fs_seek(f, 0, FS_SEEK_SET, NULL);
		bytes = 0;
		i0 = bench_idle_instret();
		t0 = rv_instret();
		while ((ret = fs_read(f, buf, sizeof(buf))) > 0)
			bytes += (uint64_t)ret;
		best[1] = min_u64(best[1], bench_busy_since(i0, t0) * 1024 / bytes);
		fs_close(f);

		/* Create + 100 bytes + close, then unlink. */
		i0 = bench_idle_instret();
		t0 = rv_instret();
		for (i = 0; i < OPS; i++) {
			char name[32];

			snprintf(name, sizeof(name), "/ops/f%d", i);
			ret = fs_open(base, name, FS_O_WRITE | FS_O_CREAT | FS_O_EXCL, 0644, &f,
				      NULL);
			if (ret < 0)
				return fail("create", ret);
			fs_write(f, buf, 100);
			rv_handle_close(f);
		}
		best[2] = min_u64(best[2], bench_busy_since(i0, t0) / OPS);
		i0 = bench_idle_instret();
		t0 = rv_instret();
		for (i = 0; i < OPS; i++) {
			char name[32];

			snprintf(name, sizeof(name), "/ops/f%d", i);
			if ((ret = fs_unlink(base, name, 0)) < 0)
				return fail("unlink", ret);
		}
		best[3] = min_u64(best[3], bench_busy_since(i0, t0) / OPS);

		i0 = bench_idle_instret();
		t0 = rv_instret();
		for (i = 0; i < OPS; i++)
			fs_statat(base, "/a/b/c", 0, NULL);
		best[4] = min_u64(best[4], bench_busy_since(i0, t0) / OPS);

		i0 = bench_idle_instret();
		t0 = rv_instret();
		for (i = 0; i < OPS; i++) {
			if ((ret = fs_open(base, "/a/b/c", FS_O_READ, 0, &f, NULL)) < 0)
				return fail("open depth 3", ret);
			rv_handle_close(f);
		}
		best[5] = min_u64(best[5], bench_busy_since(i0, t0) / OPS);

		if ((ret = fs_open(base, "/dir", FS_O_READ, 0, &d, NULL)) < 0)
			return fail("open dir", ret);
		i0 = bench_idle_instret();
		t0 = rv_instret();
		while ((ret = fs_readdir(d, dbuf, sizeof(dbuf))) > 0) {
			struct fs_dirent e;
			size_t pos = 0;

			while (fs_dirent_next(dbuf, (size_t)ret, &pos, &e) == 1)
				entries++;
		}
		best[6] = min_u64(best[6], bench_busy_since(i0, t0) / entries);
		rv_handle_close(d);
		if (entries != DIR_ENTRIES + 2)
			return fail("readdir count", -RV_EIO);
	}
	bench_report("file_read_kib", best[1], NULL, GOAL_READ_KIB);
	bench_report("file_write_kib", best[0], NULL, GOAL_WRITE_KIB);
	bench_report("file_create", best[2], NULL, GOAL_CREATE);
	bench_report("file_unlink", best[3], NULL, GOAL_UNLINK);
	bench_report("file_stat", best[4], NULL, GOAL_STAT);
	bench_report("open_close_depth3", best[5], NULL, GOAL_OPEN_CLOSE);
	bench_report("readdir_entry", best[6], NULL, GOAL_READDIR);
	return 0;
}
