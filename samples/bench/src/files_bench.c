/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File benchmarks on ext2 (scenario sample.bench.files), in instructions
 * retired by the whole hart (this client, the kernel, init, the file server
 * and the virtio-blk driver), exact under `rv flash --icount`. The file
 * server mounts an ext2 image (4 KiB blocks) at / from the virtio-blk
 * driver, with a block cache of CONFIG_FS_BLOCK_CACHE_KIB. One line each:
 *
 *   BENCH file_read_kib           per KiB, a 256 KiB file in the cache read
 *                                 with 4 KiB reads
 *   BENCH file_write_kib          per KiB, 256 KiB written with 4 KiB
 *                                 writes into a fresh file, fsync at the
 *                                 end included (blocks allocated, written
 *                                 back to the device and flushed); the
 *                                 hart's idle wait for the device not
 *                                 counted
 *   BENCH file_create             create + write 100 bytes + close
 *   BENCH file_unlink             unlink of such a file
 *   BENCH file_stat               stat of a path three folders down
 *   BENCH open_close_depth3       open + close of that file
 *   BENCH readdir_entry           per entry listed, a 200-entry folder
 *   BENCH disk_read_kib_uncached  per KiB, a 1 MiB file read with 4 KiB
 *                                 reads right after fs_drop_caches (the
 *                                 block and inode caches forgotten): every
 *                                 block comes from the device; the hart's
 *                                 idle wait for it not counted
 *   BENCH spawn_from_disk         SVC_OP_SPAWN_ENV of /bin/tiny (init
 *                                 reads it from ext2 through the file
 *                                 server), its run, and the wait for its
 *                                 end
 *   BENCH ext2_create_fsync       create + write 100 bytes + fsync + close
 *                                 (on an ext3 image, sample.bench.files_journal:
 *                                 journal_create)
 *   BENCH ext2_write_kib_fsync    per KiB, 2 MiB written with 4 KiB writes
 *                                 into a fresh file, an fsync per MiB
 *                                 (ext3: journal_write_kib)
 * The last two wait for the device at each fsync: the idle wait is not
 * counted. On an ext3 image every fsync is a journal commit (doc/ext2.md,
 * "The journal"); the bound is 2x the plain figure for creates
 * and 1.2x for bulk writes.
 *
 * Cached figures are the best of three rounds after a first one that
 * fills the cache; the fsync figures the best of three after them,
 * uncached reads the best of three after those. Every figure subtracts
 * what rdinstret counted while the hart sat idle in wfi (kstats'
 * idle_instret: under -icount virtual time, and so instret, runs on while
 * QEMU does the I/O in host time): what is left is the instructions run,
 * within 1% from one run to the next for those that wait for the device.
 * The cached ones normally wait for nothing and are exact
 * (bench_busy_since, bench.h). Each has a
 * budget (figs[] below): over it the line BENCH_FAIL follows and the exit
 * status is 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "bench.h"

#define FILE_KIB 256
#define OPS 100
#define DIR_ENTRIES 200
#define ROUNDS 4
#define IO 4096u
#define UNCACHED_KIB 1024
#define SYNC_OPS 50
#define SYNC_WRITE_KIB 2048

/*
 * Per figure: the goal, xv6-riscv's figure measured the same way
 * (issue 10; none for uncached reads), and the budget over which the
 * scenario fails: the goal itself, now that every figure meets it (under
 * -icount they are exact, the two that wait for the device within 1%: a
 * goal missed again is a regression). Before, while read and stat missed
 * theirs, budgets were 3x the goal; the two figures that wait for the
 * device counted the idle wait too, which varied from run to run with the
 * host's disk (7,000..19,500 and 3,700..5,200 per KiB seen); without it
 * they vary by less than 1%. A line says which goals are missed.
 */
static const struct figure {
	const char *name;
	uint64_t goal, xv6, budget;
} figs[] = {
	{"file_read_kib", 1500, 160000, 1500},
	{"file_write_kib", 5000, 1227240, 5000},
	{"file_create", 60000, 7400945, 60000},
	{"file_unlink", 40000, 2703147, 40000},
	{"file_stat", 5000, 179378, 5000},
	{"open_close_depth3", 15000, 924671, 15000},
	{"readdir_entry", 1000, 46838, 1000},
	{"disk_read_kib_uncached", 3000, 0, 3000},
	{"spawn_from_disk", 150000, 1334149, 150000},
	/* issue 11: with the journal at most 2x (creates) and 1.2x (bulk
	 * writes) the plain image's figures (about 76,000 and 2,600; 75,593
	 * and 2,570 measured): the journal's budgets are those bounds (its
	 * figures: 71,471 and 2,609), the plain ones a little above the plain
	 * figures */
#ifdef FILES_JOURNAL
	{"journal_create", 156000, 0, 156000},
	{"journal_write_kib", 3118, 0, 3118},
#else
	{"ext2_create_fsync", 85000, 0, 85000},
	{"ext2_write_kib_fsync", 2900, 0, 2900},
#endif
};

/* In figs[]'s order. */
enum { READ, WRITE, CREATE, UNLINK, STAT, OPEN_CLOSE, READDIR, UNCACHED, SPAWN, CREATE_FSYNC,
       WRITE_FSYNC, NFIG };

static rv_handle_t root;
static uint8_t buf[IO] __attribute__((aligned(8)));
static uint8_t dbuf[FS_IO_MAX] __attribute__((aligned(8)));
static uint64_t best[NFIG];

static void keep(int fig, uint64_t v)
{
	if (v < best[fig])
		best[fig] = v;
}

static int fail(const char *what, long ret)
{
	printf("files_bench: %s: %s\n", what, rv_strerror((int)ret));
	return 1;
}

/* sync: an fsync at the end; sync_every: also one after every this many
 * KiB (0: none). */
static long write_file_synced(const char *path, uint64_t kib, bool sync, uint64_t sync_every)
{
	rv_handle_t f;
	long ret = fs_open(root, path, FS_O_WRITE | FS_O_CREAT | FS_O_TRUNC, 0644, &f, NULL);

	if (ret < 0)
		return ret;
	for (uint64_t done = 0; done < kib * 1024 && ret >= 0;) {
		ret = fs_write(f, buf, IO);
		done += IO;
		if (ret >= 0 && sync_every && done % (sync_every * 1024) == 0 && done < kib * 1024)
			ret = fs_sync(f, 0);
	}
	if (ret >= 0 && sync)
		ret = fs_sync(f, 0);
	rv_handle_close(f);
	return ret < 0 ? ret : 0;
}

static long write_file(const char *path, uint64_t kib, bool sync)
{
	return write_file_synced(path, kib, sync, 0);
}

/* Instructions per KiB to read path from the start with IO-byte reads,
 * less the idle ones (bench_busy_between: none when all is cached). */
static long read_kib(const char *path, uint64_t *per_kib)
{
	rv_handle_t f;
	uint64_t bytes = 0, i0, t0, t1;
	long ret = fs_open(root, path, FS_O_READ, 0, &f, NULL);

	if (ret < 0)
		return ret;
	i0 = bench_idle_instret();
	t0 = rv_instret();
	while ((ret = fs_read(f, buf, IO)) > 0)
		bytes += (uint64_t)ret;
	t1 = rv_instret();
	*per_kib = bench_busy_between(i0, t0, t1, bench_idle_instret()) * 1024 /
		   (bytes ? bytes : 1);
	fs_close(f);
	return ret;
}

static int spawn_tiny(rv_handle_t *proc)
{
	struct rv_spawn_env env = {.program = "/bin/tiny", .priority = 8, .mask = RV_ENV_ROOT};
	int ret = fs_clone(root, FS_RIGHT_READ, &env.root);

	return ret < 0 ? ret : rv_loader_spawn_env(&env, proc);
}

/* Durable creates and writes: each fsync waits for the device (the idle
 * wait not counted). Rounds of their own after the cached ones: the 2 MiB
 * file goes through the whole cache. */
static int fsync_round(void)
{
	uint64_t i0, t0, t1;
	rv_handle_t f;
	char name[32];
	long ret;

	i0 = bench_idle_instret();
	t0 = rv_instret();
	for (int i = 0; i < SYNC_OPS; i++) {
		snprintf(name, sizeof(name), "/ops/s%d", i);
		ret = fs_open(root, name, FS_O_WRITE | FS_O_CREAT | FS_O_EXCL, 0644, &f, NULL);
		if (ret < 0)
			return fail("create for fsync", ret);
		fs_write(f, buf, 100);
		ret = fs_sync(f, 0);
		rv_handle_close(f);
		if (ret < 0)
			return fail("fsync", ret);
	}
	t1 = rv_instret();
	keep(CREATE_FSYNC, bench_busy_between(i0, t0, t1, bench_idle_instret()) / SYNC_OPS);
	for (int i = 0; i < SYNC_OPS; i++) {
		snprintf(name, sizeof(name), "/ops/s%d", i);
		if ((ret = fs_unlink(root, name, 0)) < 0)
			return fail("unlink after fsync", ret);
	}
	i0 = bench_idle_instret();
	t0 = rv_instret();
	if ((ret = write_file_synced("/synced", SYNC_WRITE_KIB, true, 1024)) < 0)
		return fail("write with fsyncs", ret);
	t1 = rv_instret();
	keep(WRITE_FSYNC, bench_busy_between(i0, t0, t1, bench_idle_instret()) / SYNC_WRITE_KIB);
	if ((ret = fs_unlink(root, "/synced", 0)) < 0)
		return fail("unlink /synced", ret);
	return 0;
}

/* With the caches dropped: every block, the inode and the indirect block
 * come from the device. After the cached rounds (the drop would make the
 * next round's figures cold too); each round counts. */
static int uncached_round(void)
{
	uint64_t v;
	long ret;

	if ((ret = fs_drop_caches(root)) < 0)
		return fail("drop caches", ret);
	if ((ret = read_kib("/uncached", &v)) < 0)
		return fail("uncached read", ret);
	keep(UNCACHED, v);
	return 0;
}

static int bench_round(int r)
{
	uint64_t i0, t0, t1, v, entries = 0;
	rv_handle_t f, d, proc;
	struct rv_wait_item it;
	struct rv_exit_info info;
	char name[32];
	long ret;

	/* Write: a fresh file each round, fsync included, the idle wait for
	 * the device not. */
	i0 = bench_idle_instret();
	t0 = rv_instret();
	if ((ret = write_file("/big", FILE_KIB, true)) < 0)
		return fail("write", ret);
	t1 = rv_instret();
	keep(WRITE, bench_busy_between(i0, t0, t1, bench_idle_instret()) / FILE_KIB);
	/* Read it back: in the cache. */
	if ((ret = read_kib("/big", &v)) < 0)
		return fail("read", ret);
	keep(READ, v);

	i0 = bench_idle_instret();
	t0 = rv_instret();
	for (int i = 0; i < OPS; i++) {
		snprintf(name, sizeof(name), "/ops/f%d", i);
		ret = fs_open(root, name, FS_O_WRITE | FS_O_CREAT | FS_O_EXCL, 0644, &f, NULL);
		if (ret < 0)
			return fail("create", ret);
		fs_write(f, buf, 100);
		rv_handle_close(f);
	}
	keep(CREATE, bench_busy_since(i0, t0) / OPS);
	i0 = bench_idle_instret();
	t0 = rv_instret();
	for (int i = 0; i < OPS; i++) {
		snprintf(name, sizeof(name), "/ops/f%d", i);
		if ((ret = fs_unlink(root, name, 0)) < 0)
			return fail("unlink", ret);
	}
	keep(UNLINK, bench_busy_since(i0, t0) / OPS);

	i0 = bench_idle_instret();
	t0 = rv_instret();
	for (int i = 0; i < OPS; i++)
		if ((ret = fs_statat(root, "/a/b/c", 0, NULL)) < 0)
			return fail("stat", ret);
	keep(STAT, bench_busy_since(i0, t0) / OPS);
	i0 = bench_idle_instret();
	t0 = rv_instret();
	for (int i = 0; i < OPS; i++) {
		if ((ret = fs_open(root, "/a/b/c", FS_O_READ, 0, &f, NULL)) < 0)
			return fail("open depth 3", ret);
		rv_handle_close(f);
	}
	keep(OPEN_CLOSE, bench_busy_since(i0, t0) / OPS);

	if ((ret = fs_open(root, "/dir", FS_O_READ, 0, &d, NULL)) < 0)
		return fail("open dir", ret);
	i0 = bench_idle_instret();
	t0 = rv_instret();
	while ((ret = fs_readdir(d, dbuf, sizeof(dbuf))) > 0) {
		struct fs_dirent e;
		size_t pos = 0;

		while (fs_dirent_next(dbuf, (size_t)ret, &pos, &e) == 1)
			entries++;
	}
	keep(READDIR, bench_busy_since(i0, t0) / (entries ? entries : 1));
	rv_handle_close(d);
	if (entries != DIR_ENTRIES + 2)
		return fail("readdir count", -RV_EIO);


	i0 = bench_idle_instret();
	t0 = rv_instret();
	if ((ret = spawn_tiny(&proc)) < 0)
		return fail("spawn /bin/tiny", ret);
	it = (struct rv_wait_item){.handle = proc, .signals = RV_SIGNAL_EXITED};
	if (rv_wait_many(&it, 1, rv_clock_ns() + 10000000000ull) != 1)
		return fail("wait for tiny", -RV_ETIMEDOUT);
	v = bench_busy_since(i0, t0);
	if (rv_process_exit_info(proc, &info) < 0 || info.code != 0)
		return fail("tiny's status", -RV_EIO);
	rv_handle_close(proc);
	keep(SPAWN, v);

	/* The first round fills the cache and starts the server's tables:
	 * not counted. */
	if (r == 0)
		for (int i = 0; i < NFIG; i++)
			best[i] = UINT64_MAX;
	return 0;
}

int main(void)
{
	long ret;
	int i;

	for (i = 0; i < NFIG; i++)
		best[i] = UINT64_MAX;
	ret = rv_connect_wait(FS_SERVICE_NAME, &root, rv_clock_ns() + 5000000000ull);
	if (ret < 0)
		return fail("connect", ret);
	bench_start();
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	if ((ret = fs_mkdir(root, "/a", 0755)) < 0 || (ret = fs_mkdir(root, "/a/b", 0755)) < 0 ||
	    (ret = write_file("/a/b/c", 0, false)) < 0 ||
	    (ret = fs_mkdir(root, "/dir", 0755)) < 0 || (ret = fs_mkdir(root, "/ops", 0755)) < 0)
		return fail("setup", ret);
	for (i = 0; i < DIR_ENTRIES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "/dir/entry-%03d", i);
		if ((ret = write_file(name, 0, false)) < 0)
			return fail("setup dir", ret);
	}
	if ((ret = write_file("/uncached", UNCACHED_KIB, true)) < 0)
		return fail("setup uncached", ret);
	printf("files_bench: ext2, %u KiB cache; uncached reads of a %u KiB file after "
	       "fs_drop_caches\n",
	       CONFIG_FS_BLOCK_CACHE_KIB, UNCACHED_KIB);
	for (int r = 0; r < ROUNDS; r++)
		if (bench_round(r))
			return 1;
	for (int r = 1; r < ROUNDS; r++)
		if (fsync_round())
			return 1;
	for (int r = 1; r < ROUNDS; r++)
		if (uncached_round())
			return 1;
	for (i = 0; i < NFIG; i++) {
		const struct figure *g = &figs[i];

		bench_report(g->name, best[i], NULL, g->budget);
		if (bench_exact && best[i] > g->goal)
			printf("files_bench: %s misses the goal %lu by %lu.%lux\n", g->name,
			       (unsigned long)g->goal, (unsigned long)(best[i] / g->goal),
			       (unsigned long)(best[i] * 10 / g->goal % 10));
		if (g->xv6)
			printf("files_bench: %s on xv6-riscv: %lu\n", g->name,
			       (unsigned long)g->xv6);
	}
	if ((ret = fs_syncfs(root)) < 0)
		return fail("syncfs", ret);
	return bench_failed;
}
