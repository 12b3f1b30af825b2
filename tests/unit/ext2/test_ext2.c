/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ext2 and the block cache on the host: images made by mke2fs -d are read
 * back byte for byte; every writing operation runs, then e2fsck -fn must
 * find the image clean and debugfs must read the same bytes; corrupt
 * images end in clean errors, never in a crash (ASan/UBSan watch), a hang
 * or a write outside the file system (the file device checks every write).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unittest.h"
#include "vfs.h"
#include "ext2_format.h"
#include "journal.h"

#define TOOLS "PATH=\"$PATH:/usr/sbin:/sbin\" "

static char tmpdir[64];

/* ---- a block device on a file ---- */

struct fdev {
	struct blkdev dev;
	int fd;
	uint64_t fs_sectors; /* writes past this are outside the file system */
	unsigned long writes, outside, reads, write_sectors;
	bool fail_reads;
	bool dead; /* the server was killed: nothing reaches the device */
	unsigned long kill_after; /* > 0: the power goes before this many more writes */
};

static struct fdev fdev;

static int f_read(struct blkdev *d, uint64_t sector, uint32_t count, void *buf)
{
	struct fdev *f = (struct fdev *)d;

	if (f->fail_reads)
		return -RV_EIO;
	f->reads++;
	if (sector + count > d->sectors)
		return -RV_EINVAL;
	if (pread(f->fd, buf, (size_t)count * 512, (off_t)sector * 512) != (ssize_t)count * 512)
		return -RV_EIO;
	return 0;
}

static int f_write(struct blkdev *d, uint64_t sector, uint32_t count, const void *buf)
{
	struct fdev *f = (struct fdev *)d;

	if (f->kill_after && --f->kill_after == 0)
		f->dead = true;
	if (f->dead)
		return -RV_EIO;
	f->writes++;
	f->write_sectors += count;
	if (sector + count > d->sectors || sector + count > f->fs_sectors) {
		f->outside++;
		return -RV_EINVAL;
	}
	if (d->read_only)
		return -RV_EROFS;
	if (pwrite(f->fd, buf, (size_t)count * 512, (off_t)sector * 512) != (ssize_t)count * 512)
		return -RV_EIO;
	return 0;
}

static int f_flush(struct blkdev *d)
{
	return ((struct fdev *)d)->dead ? -RV_EIO : 0;
}

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- mounting ---- */

static struct vfs_fs *fs;
static struct bcache *bc;
static void *cmem;
static const char *why;

#define CACHE_BLOCKS 48 /* small: eviction and write-back run all the time */

static int mount_img_n(const char *img, bool ro, uint32_t nblocks)
{
	struct stat st;
	uint32_t bs;
	size_t sz;
	int ret;

	memset(&fdev, 0, sizeof(fdev));
	fdev.fd = open(img, ro ? O_RDONLY : O_RDWR);
	if (fdev.fd < 0 || fstat(fdev.fd, &st) < 0)
		return -RV_EIO;
	fdev.dev.read = f_read;
	fdev.dev.write = f_write;
	fdev.dev.flush = f_flush;
	fdev.dev.sectors = (uint64_t)st.st_size / 512;
	fdev.dev.read_only = ro;
	fdev.fs_sectors = fdev.dev.sectors;
	why = NULL;
	fs = NULL;
	ret = ext2_probe_block_size(&fdev.dev, &bs);
	if (ret < 0)
		why = "ext2_probe_block_size";
	if (ret == 0) {
		/* the file system's own size bounds every legal write */
		struct ext2_super sb;

		if (pread(fdev.fd, &sb, sizeof(sb), 1024) == sizeof(sb) &&
		    (uint64_t)sb.s_blocks_count * (bs / 512) < fdev.fs_sectors)
			fdev.fs_sectors = (uint64_t)sb.s_blocks_count * (bs / 512);
		sz = (bcache_mem_size(bs, nblocks) + 4095) & ~(size_t)4095;
		cmem = aligned_alloc(4096, sz);
		ret = bcache_init(&bc, &fdev.dev, bs, nblocks, cmem, sz);
		if (ret == 0)
			ret = ext2_mount(&fs, bc, ro, now, &why);
		if (ret < 0) {
			free(cmem);
			cmem = NULL;
		}
	}
	if (ret < 0) {
		close(fdev.fd);
		fs = NULL;
	}
	return ret;
}

static int mount_img(const char *img, bool ro)
{
	return mount_img_n(img, ro, CACHE_BLOCKS);
}

static int umount_img(void)
{
	int ret = fs->ops->unmount(fs);

	fs = NULL;
	free(cmem);
	cmem = NULL;
	close(fdev.fd);
	return ret;
}

/* ---- paths ---- */

static int resolve(const char *path, vfs_ino_t *out)
{
	vfs_ino_t cur = fs->ops->root(fs);

	while (*path) {
		const char *e;
		int ret;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		e = strchr(path, '/');
		if (!e)
			e = path + strlen(path);
		ret = fs->ops->lookup(fs, cur, path, (size_t)(e - path), &cur);
		if (ret < 0)
			return ret;
		path = e;
	}
	*out = cur;
	return 0;
}

/* The directory of path and its last name. */
static int parent_of(const char *path, vfs_ino_t *dir, const char **name, size_t *len)
{
	char buf[512];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	memcpy(buf, path, n);
	buf[n] = 0;
	*name = slash ? slash + 1 : path;
	*len = strlen(*name);
	return resolve(buf, dir);
}

static int x_create(const char *path, uint32_t mode, vfs_ino_t *out)
{
	vfs_ino_t dir, ino;
	const char *name;
	size_t len;
	int ret = parent_of(path, &dir, &name, &len);

	if (ret < 0)
		return ret;
	return fs->ops->create(fs, dir, name, len, mode, out ? out : &ino);
}

static int x_unlink(const char *path, bool rmdir)
{
	vfs_ino_t dir;
	const char *name;
	size_t len;
	int ret = parent_of(path, &dir, &name, &len);

	return ret < 0 ? ret : fs->ops->unlink(fs, dir, name, len, rmdir);
}

static int x_rename(const char *from, const char *to)
{
	vfs_ino_t fd, td;
	const char *fn, *tn;
	size_t fl, tl;
	int ret = parent_of(from, &fd, &fn, &fl);

	if (ret == 0)
		ret = parent_of(to, &td, &tn, &tl);
	return ret < 0 ? ret : fs->ops->rename(fs, fd, fn, fl, td, tn, tl);
}

static int x_link(const char *existing, const char *path)
{
	vfs_ino_t dir, ino;
	const char *name;
	size_t len;
	int ret = resolve(existing, &ino);

	if (ret == 0)
		ret = parent_of(path, &dir, &name, &len);
	return ret < 0 ? ret : fs->ops->link(fs, dir, name, len, ino);
}

static int x_symlink(const char *target, const char *path)
{
	vfs_ino_t dir, ino;
	const char *name;
	size_t len;
	int ret = parent_of(path, &dir, &name, &len);

	return ret < 0 ? ret : fs->ops->symlink(fs, dir, name, len, target, strlen(target), &ino);
}

static long x_write(const char *path, uint64_t off, const void *buf, size_t len)
{
	vfs_ino_t ino;
	int ret = resolve(path, &ino);

	return ret < 0 ? ret : fs->ops->write(fs, ino, off, buf, len);
}

static long x_read(const char *path, uint64_t off, void *buf, size_t len)
{
	vfs_ino_t ino;
	int ret = resolve(path, &ino);

	return ret < 0 ? ret : fs->ops->read(fs, ino, off, buf, len);
}

static int x_stat(const char *path, struct fs_stat *st)
{
	vfs_ino_t ino;
	int ret = resolve(path, &ino);

	return ret < 0 ? ret : fs->ops->getattr(fs, ino, st);
}

static int x_truncate(const char *path, uint64_t size)
{
	vfs_ino_t ino;
	int ret = resolve(path, &ino);

	return ret < 0 ? ret : fs->ops->truncate(fs, ino, size);
}

/* ---- data and host files ---- */

static void pattern(uint8_t *buf, size_t len, uint32_t seed, uint64_t off)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t x = (off + i) * 0x9E3779B97F4A7C15ull + seed * 0xBF58476D1CE4E5B9ull;

		x ^= x >> 29;
		buf[i] = (uint8_t)(x ^ (x >> 17));
	}
}

static void host_file(const char *dir, const char *name, uint32_t seed, size_t len)
{
	char path[256];
	uint8_t *buf = malloc(len + 1);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	pattern(buf, len, seed, 0);
	f = fopen(path, "wb");
	if (len)
		fwrite(buf, 1, len, f);
	fclose(f);
	free(buf);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* e2fsck -fn: 1 when clean (its output is printed when not). */
static int fsck_clean(const char *img)
{
	int r = sh(TOOLS "e2fsck -fn %s >%s/fsck.log 2>&1", img, tmpdir);

	if (r != 0) {
		char path[128];

		snprintf(path, sizeof(path), "%s/fsck.log", tmpdir);
		fprintf(stderr, "e2fsck -fn %s: exit %d\n", img, r);
		sh("cat %s >&2", path);
	}
	return r == 0;
}

/* debugfs -R "cat path": the bytes equal buf? */
static int debugfs_same(const char *img, const char *path, const uint8_t *buf, size_t len)
{
	char cmd[512];
	FILE *p;
	uint8_t *got = malloc(len + 1);
	size_t n = 0, r;
	int same;

	snprintf(cmd, sizeof(cmd), TOOLS "debugfs -R 'cat %s' %s 2>/dev/null", path, img);
	p = popen(cmd, "r");
	while ((r = fread(got + n, 1, len + 1 - n, p)) > 0 && n < len + 1)
		n += r;
	pclose(p);
	same = n == len && memcmp(got, buf, len) == 0;
	if (!same)
		fprintf(stderr, "debugfs cat %s: %zu bytes, want %zu\n", path, n, len);
	free(got);
	return same;
}

/* A number debugfs prints after `key` for request `req` (-1: none). */
static long debugfs_num(const char *img, const char *req, const char *key)
{
	char cmd[512], line[512];
	FILE *p;
	long v = -1;

	snprintf(cmd, sizeof(cmd), TOOLS "debugfs -R '%s' %s 2>/dev/null", req, img);
	p = popen(cmd, "r");
	while (fgets(line, sizeof(line), p)) {
		char *k = key[0] ? strstr(line, key) : line;

		if (k && v < 0)
			v = strtol(k + strlen(key), NULL, 0);
	}
	pclose(p);
	return v;
}

static void poke(const char *img, uint64_t off, const void *val, size_t len)
{
	int fd = open(img, O_RDWR);

	if (pwrite(fd, val, len, (off_t)off) != (ssize_t)len)
		perror("poke");
	close(fd);
}

static void peek(const char *img, uint64_t off, void *val, size_t len)
{
	int fd = open(img, O_RDONLY);

	if (pread(fd, val, len, (off_t)off) != (ssize_t)len)
		perror("peek");
	close(fd);
}

/* Is path's content on our mount equal to seed's pattern of len bytes? */
static int same_content(const char *path, uint32_t seed, size_t len)
{
	uint8_t *want = malloc(len + 1), *got = malloc(len + 1);
	long n = x_read(path, 0, got, len + 1);
	int ok;

	pattern(want, len, seed, 0);
	ok = n == (long)len && memcmp(want, got, len) == 0;
	if (!ok)
		fprintf(stderr, "%s: read %ld, want %zu\n", path, n, len);
	free(want);
	free(got);
	return ok;
}

/* ---- the test image ---- */

#define BIG_LEN (700u * 1024 + 123) /* past 12 + 256 blocks of 1 KiB: double indirect */

static char stage[128], base_img[128], img[128];

static void make_stage(void)
{
	char path[256];
	int fd;
	uint8_t blk[4096];

	snprintf(stage, sizeof(stage), "%s/stage", tmpdir);
	sh("mkdir -p %s/dir/sub/deeper %s/empty_dir", stage, stage);
	host_file(stage, "hello.txt", 1, 13);
	host_file(stage, "empty", 2, 0);
	host_file(stage, "small", 3, 1000);
	host_file(stage, "twelve", 4, 12 * 1024);
	host_file(stage, "ind", 5, 100 * 1024);
	host_file(stage, "big", 6, BIG_LEN);
	host_file(stage, "dir/sub/deeper/file", 7, 5000);
	for (int i = 0; i < 40; i++) {
		char name[64];

		snprintf(name, sizeof(name), "dir/entry-with-a-longer-name-%02d", i);
		host_file(stage, name, 100 + i, (size_t)i * 37);
	}
	/* a sparse file: 4 KiB of data at 3 MiB, 6 MiB long */
	snprintf(path, sizeof(path), "%s/sparse", stage);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	pattern(blk, sizeof(blk), 8, 0);
	if (pwrite(fd, blk, sizeof(blk), 3 << 20) != sizeof(blk) || ftruncate(fd, 6 << 20) < 0)
		perror("sparse");
	close(fd);
	sh("ln -s hello.txt %s/fast_link", stage);
	sh("ln -s dir/sub/deeper/../../sub/deeper/file/with/a/very/long/target/name/that/is/"
	   "longer/than/sixty/bytes %s/slow_link", stage);
}

static void make_img(const char *out, const char *opts, unsigned int kib)
{
	sh("rm -f %s", out);
	if (sh(TOOLS "mke2fs -q -F -t ext2 %s -d %s %s %u >/dev/null 2>&1", opts, stage, out, kib)) {
		fprintf(stderr, "mke2fs %s failed\n", opts);
		exit(1);
	}
}

/* A copy of the base image as img: its non-zero 4 KiB pieces into an
 * empty sparse file (no cp process: the fuzz makes hundreds). */
static uint8_t *base_data;
static size_t base_size;

static void fresh(void)
{
	int fd;

	if (!base_data) {
		struct stat st;

		fd = open(base_img, O_RDONLY);
		fstat(fd, &st);
		base_size = (size_t)st.st_size;
		base_data = malloc(base_size);
		if (pread(fd, base_data, base_size, 0) != (ssize_t)base_size)
			perror("base image");
		close(fd);
	}
	fd = open(img, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (ftruncate(fd, (off_t)base_size) < 0)
		perror("ftruncate");
	for (size_t o = 0; o < base_size; o += 4096) {
		static const uint8_t zeros[4096];

		if (memcmp(base_data + o, zeros, 4096) &&
		    pwrite(fd, base_data + o, 4096, (off_t)o) != 4096)
			perror("fresh");
	}
	close(fd);
}

/* ---- tests ---- */

struct names {
	char buf[64][64];
	int n;
};

static int collect(void *ctx, vfs_ino_t ino, unsigned int type, const char *name, size_t len)
{
	struct names *nm = ctx;

	(void)ino;
	(void)type;
	if (nm->n >= 64)
		return 1;
	snprintf(nm->buf[nm->n++], 64, "%.*s", (int)len, name);
	return 0;
}

static int has_name(const struct names *nm, const char *name)
{
	for (int i = 0; i < nm->n; i++)
		if (!strcmp(nm->buf[i], name))
			return 1;
	return 0;
}

static void check_read_all(void)
{
	struct fs_stat st;
	char target[256];
	vfs_ino_t ino;
	long n;
	uint8_t buf[4096], want[4096];

	CHECK(same_content("hello.txt", 1, 13));
	CHECK(same_content("empty", 2, 0));
	CHECK(same_content("small", 3, 1000));
	CHECK(same_content("twelve", 4, 12 * 1024));
	CHECK(same_content("ind", 5, 100 * 1024));
	CHECK(same_content("big", 6, BIG_LEN));
	CHECK(same_content("dir/sub/deeper/file", 7, 5000));
	for (int i = 0; i < 40; i += 7) {
		char name[64];

		snprintf(name, sizeof(name), "dir/entry-with-a-longer-name-%02d", i);
		CHECK(same_content(name, 100 + i, (size_t)i * 37));
	}
	/* the sparse file: zeros, the data, zeros; few blocks */
	CHECK_EQ_INT(x_stat("sparse", &st), 0);
	CHECK_EQ_UINT(st.size, 6u << 20);
	{
		struct fs_statfs sf;

		CHECK_EQ_INT(fs->ops->statfs(fs, &sf), 0);
		CHECK(st.blocks * 512 <= 6 * sf.block_size); /* data and the indirect blocks */
	}
	CHECK_EQ_INT(x_read("sparse", (3 << 20) - 4096, buf, 4096), 4096);
	memset(want, 0, sizeof(want));
	CHECK(!memcmp(buf, want, 4096));
	CHECK_EQ_INT(x_read("sparse", 3 << 20, buf, 4096), 4096);
	pattern(want, 4096, 8, 0);
	CHECK(!memcmp(buf, want, 4096));
	CHECK_EQ_INT(x_read("sparse", (6 << 20) - 10, buf, 4096), 10);
	CHECK_EQ_INT(x_read("sparse", 6 << 20, buf, 4096), 0);
	/* symbolic links, fast and slow */
	CHECK_EQ_INT(resolve("fast_link", &ino), 0);
	n = fs->ops->readlink(fs, ino, target, sizeof(target));
	CHECK(n == 9 && !memcmp(target, "hello.txt", 9));
	CHECK_EQ_INT(x_stat("fast_link", &st), 0);
	CHECK_EQ_UINT(st.mode & FS_S_IFMT, FS_S_IFLNK);
	CHECK_EQ_INT(resolve("slow_link", &ino), 0);
	n = fs->ops->readlink(fs, ino, target, sizeof(target));
	CHECK(n > 60 && !memcmp(target, "dir/sub/deeper/../../sub", 24));
	CHECK_EQ_INT(fs->ops->readlink(fs, ino, target, 4), n); /* length, 4 bytes copied */
	/* stat, lookups */
	CHECK_EQ_INT(x_stat("big", &st), 0);
	CHECK_EQ_UINT(st.mode, FS_S_IFREG | 0644);
	CHECK_EQ_UINT(st.size, BIG_LEN);
	CHECK(st.mtime_ns > 0);
	CHECK_EQ_INT(x_stat("dir", &st), 0);
	CHECK_EQ_UINT(st.mode & FS_S_IFMT, FS_S_IFDIR);
	CHECK_EQ_INT(st.nlink, 3);
	CHECK_EQ_INT(resolve("nope", &ino), -RV_ENOENT);
	CHECK_EQ_INT(resolve("hello.txt/x", &ino), -RV_ENOTDIR);
	CHECK_EQ_INT(resolve("..", &ino), 0);
	CHECK_EQ_UINT(ino, fs->ops->root(fs));
	CHECK_EQ_INT(resolve("dir/sub/..", &ino), 0);
	{
		vfs_ino_t d;

		CHECK_EQ_INT(resolve("dir", &d), 0);
		CHECK_EQ_UINT(ino, d);
	}
	CHECK_EQ_INT(x_read("dir", 0, buf, 10), -RV_EISDIR);
	{
		char n256[257];
		vfs_ino_t root = fs->ops->root(fs);

		memset(n256, 'n', sizeof(n256));
		CHECK_EQ_INT(fs->ops->lookup(fs, root, n256, 256, &ino), -RV_ENAMETOOLONG);
		CHECK_EQ_INT(fs->ops->lookup(fs, root, n256, 0, &ino), -RV_ENOENT);
		CHECK_EQ_INT(fs->ops->lookup(fs, root, n256, 255, &ino), -RV_ENOENT);
		if (!fs->read_only) {
			CHECK_EQ_INT(fs->ops->create(fs, root, n256, 256, FS_S_IFREG | 0644, &ino),
				     -RV_ENAMETOOLONG);
			CHECK_EQ_INT(fs->ops->create(fs, root, n256, 255, FS_S_IFREG | 0644, &ino),
				     0);
			CHECK_EQ_INT(fs->ops->lookup(fs, root, n256, 255, &ino), 0);
			CHECK_EQ_INT(fs->ops->unlink(fs, root, n256, 255, false), 0);
		}
	}
}

static void test_read(void)
{
	struct names nm = { .n = 0 };
	uint64_t cookie = 0;
	vfs_ino_t root;
	struct fs_statfs sf;

	CHECK_EQ_INT(mount_img(base_img, true), 0);
	if (!fs)
		return;
	check_read_all();
	root = fs->ops->root(fs);
	CHECK_EQ_INT(fs->ops->readdir(fs, root, &cookie, collect, &nm), 0);
	CHECK(nm.n >= 11);
	CHECK_EQ_STR(nm.buf[0], ".");
	CHECK_EQ_STR(nm.buf[1], "..");
	CHECK(has_name(&nm, "big") && has_name(&nm, "lost+found") && has_name(&nm, "slow_link"));
	/* readdir in small steps: the cookie resumes exactly */
	{
		vfs_ino_t d;
		struct names all = { .n = 0 };
		int rounds = 0;

		CHECK_EQ_INT(resolve("dir", &d), 0);
		cookie = 0;
		while (rounds++ < 100) {
			struct names one = { .n = 63 }; /* room for one entry */
			uint64_t before = cookie;

			CHECK_EQ_INT(fs->ops->readdir(fs, d, &cookie, collect, &one), 0);
			if (one.n == 63)
				break;
			snprintf(all.buf[all.n++], 64, "%s", one.buf[63]);
			CHECK(cookie > before);
		}
		CHECK_EQ_INT(all.n, 43); /* . .. sub and 40 files */
	}
	CHECK_EQ_INT(fs->ops->statfs(fs, &sf), 0);
	CHECK_EQ_UINT(sf.block_size, 1024);
	CHECK_EQ_UINT(sf.blocks, 8192);
	CHECK(sf.blocks_free > 0 && sf.blocks_free < sf.blocks);
	CHECK(sf.flags & FS_STATFS_READ_ONLY);
	CHECK_EQ_STR(sf.type, "ext2");
	/* read-only: no writes at all */
	CHECK_EQ_INT(x_write("hello.txt", 0, "x", 1), -RV_EROFS);
	CHECK_EQ_INT(x_create("new", FS_S_IFREG | 0644, NULL), -RV_EROFS);
	CHECK_EQ_INT(umount_img(), 0);
	CHECK_EQ_INT(fdev.writes, 0);
}

/* Write patterns at offsets across every level of a 1 KiB-block file. */
static void test_write(void)
{
	static uint8_t buf[300 * 1024], want[300 * 1024];
	struct fs_stat st;
	vfs_ino_t ino, dino;
	/* offsets in 1 KiB blocks: direct, single, double indirect */
	static const uint64_t offs[] = { 0, 5000, 11 * 1024 + 1000, 12 * 1024, 200 * 1024 + 7,
					 268 * 1024, 268 * 1024 - 3, 1000 * 1024 + 512 };

	fresh();
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (!fs)
		return;
	check_read_all(); /* also through a cache that writes back as it goes */
	CHECK_EQ_INT(x_create("w", FS_S_IFREG | 0600, &ino), 0);
	CHECK_EQ_INT(x_create("w", FS_S_IFREG | 0600, NULL), -RV_EEXIST);
	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		pattern(buf, 3000, 50 + i, 0);
		CHECK_EQ_INT(fs->ops->write(fs, ino, offs[i], buf, 3000), 3000);
	}
	CHECK_EQ_INT(fs->ops->getattr(fs, ino, &st), 0);
	CHECK_EQ_UINT(st.size, 1000 * 1024 + 512 + 3000);
	CHECK_EQ_UINT(st.mode, FS_S_IFREG | 0600);
	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		/* later writes may overlap earlier ones: check the last only fully */
		pattern(want, 3000, 50 + i, 0);
		CHECK_EQ_INT(fs->ops->read(fs, ino, offs[i], buf, 3000), 3000);
		if (i == 3 || i == 4 || i == 6 || i == 7)
			CHECK(!memcmp(buf, want, 3000));
	}
	/* a hole between: zeros */
	CHECK_EQ_INT(fs->ops->read(fs, ino, 500 * 1024, buf, 1024), 1024);
	memset(want, 0, 1024);
	CHECK(!memcmp(buf, want, 1024));

	/* a whole new file, big, to compare with debugfs later */
	pattern(buf, sizeof(buf), 77, 0);
	CHECK_EQ_INT(x_create("dir/new_big", FS_S_IFREG | 0644, &ino), 0);
	for (size_t o = 0; o < sizeof(buf); o += 4096)
		CHECK_EQ_INT(fs->ops->write(fs, ino, o, buf + o, 4096), 4096);
	/* overwrite in the middle of an existing file */
	pattern(want, 5000, 6, 0);
	CHECK_EQ_INT(x_write("big", 100000, want, 5000), 5000);

	/* directories */
	CHECK_EQ_INT(x_create("newdir", FS_S_IFDIR | 0755, &dino), 0);
	CHECK_EQ_INT(x_stat("newdir", &st), 0);
	CHECK_EQ_INT(st.nlink, 2);
	CHECK_EQ_UINT(st.size, 1024);
	CHECK_EQ_INT(x_create("newdir/a", FS_S_IFDIR | 0755, NULL), 0);
	CHECK_EQ_INT(x_create("newdir/a/b", FS_S_IFDIR | 0755, NULL), 0);
	CHECK_EQ_INT(x_stat("newdir", &st), 0);
	CHECK_EQ_INT(st.nlink, 3);
	CHECK_EQ_INT(x_write("newdir/a/b/..", 0, "x", 1), -RV_EISDIR);
	/* many entries: the directory grows past one block */
	for (int i = 0; i < 120; i++) {
		char name[64];

		snprintf(name, sizeof(name), "newdir/file-number-%03d", i);
		CHECK_EQ_INT(x_create(name, FS_S_IFREG | 0644, NULL), 0);
	}
	CHECK_EQ_INT(x_stat("newdir", &st), 0);
	CHECK(st.size > 1024);
	for (int i = 0; i < 120; i += 2) {
		char name[64];

		snprintf(name, sizeof(name), "newdir/file-number-%03d", i);
		CHECK_EQ_INT(x_unlink(name, false), 0);
	}
	CHECK_EQ_INT(resolve("newdir/file-number-000", &ino), -RV_ENOENT);
	CHECK_EQ_INT(resolve("newdir/file-number-001", &ino), 0);
	CHECK_EQ_INT(x_unlink("newdir", true), -RV_ENOTEMPTY);
	CHECK_EQ_INT(x_unlink("newdir/a", false), -RV_EISDIR);
	CHECK_EQ_INT(x_unlink("hello.txt", true), -RV_ENOTDIR);
	CHECK_EQ_INT(x_unlink("newdir/a/b", true), 0);
	CHECK_EQ_INT(x_stat("newdir/a", &st), 0);
	CHECK_EQ_INT(st.nlink, 2);
	CHECK_EQ_INT(x_unlink("empty_dir", true), 0);

	/* rename: plain, over a file, over an empty directory, a directory
	 * to another parent (.. and link counts), below itself */
	pattern(want, 1000, 3, 0);
	CHECK_EQ_INT(x_rename("small", "renamed"), 0);
	CHECK_EQ_INT(resolve("small", &ino), -RV_ENOENT);
	CHECK(same_content("renamed", 3, 1000));
	CHECK_EQ_INT(x_rename("renamed", "hello.txt"), 0); /* over an existing file */
	CHECK(same_content("hello.txt", 3, 1000));
	CHECK_EQ_INT(resolve("renamed", &ino), -RV_ENOENT);
	CHECK_EQ_INT(x_create("victim", FS_S_IFDIR | 0755, NULL), 0);
	CHECK_EQ_INT(x_rename("newdir/a", "victim"), 0); /* over an empty directory */
	CHECK_EQ_INT(resolve("victim/..", &ino), 0);
	CHECK_EQ_UINT(ino, fs->ops->root(fs));
	CHECK_EQ_INT(x_stat("newdir", &st), 0);
	CHECK_EQ_INT(st.nlink, 2);
	CHECK_EQ_INT(x_rename("victim", "dir/sub/victim2"), 0);
	CHECK_EQ_INT(x_stat("dir/sub", &st), 0);
	CHECK_EQ_INT(st.nlink, 4);
	CHECK_EQ_INT(resolve("dir/sub/victim2/..", &ino), 0);
	CHECK_EQ_INT(resolve("dir/sub", &dino), 0);
	CHECK_EQ_UINT(ino, dino);
	CHECK_EQ_INT(x_rename("dir", "dir/sub/victim2/x"), -RV_EINVAL);
	CHECK_EQ_INT(x_rename("dir/sub", "newdir"), -RV_ENOTEMPTY);
	CHECK_EQ_INT(x_rename("ind", "dir"), -RV_EISDIR);
	CHECK_EQ_INT(x_rename("dir", "ind"), -RV_ENOTDIR);
	CHECK_EQ_INT(x_rename("twelve", "twelve"), 0);

	/* hard links */
	CHECK_EQ_INT(x_link("twelve", "dir/twelve_link"), 0);
	CHECK_EQ_INT(x_stat("twelve", &st), 0);
	CHECK_EQ_INT(st.nlink, 2);
	CHECK_EQ_INT(x_link("dir", "dirlink"), -RV_EPERM);
	CHECK_EQ_INT(x_link("twelve", "ind"), -RV_EEXIST);
	CHECK_EQ_INT(x_rename("twelve", "dir/twelve_link"), 0); /* same inode: nothing */
	CHECK_EQ_INT(x_unlink("twelve", false), 0);
	CHECK(same_content("dir/twelve_link", 4, 12 * 1024));
	CHECK_EQ_INT(x_stat("dir/twelve_link", &st), 0);
	CHECK_EQ_INT(st.nlink, 1);

	/* symbolic links */
	CHECK_EQ_INT(x_symlink("a/short/target", "sl_fast"), 0);
	{
		char t[600], lng[300];
		long n;

		memset(lng, 'q', sizeof(lng) - 1);
		lng[sizeof(lng) - 1] = 0;
		CHECK_EQ_INT(x_symlink(lng, "dir/sl_slow"), 0);
		CHECK_EQ_INT(resolve("sl_fast", &ino), 0);
		n = fs->ops->readlink(fs, ino, t, sizeof(t));
		CHECK(n == 14 && !memcmp(t, "a/short/target", 14));
		CHECK_EQ_INT(resolve("dir/sl_slow", &ino), 0);
		n = fs->ops->readlink(fs, ino, t, sizeof(t));
		CHECK(n == 299 && !memcmp(t, lng, 299));
		CHECK_EQ_INT(x_stat("dir/sl_slow", &st), 0);
		CHECK_EQ_UINT(st.blocks, 2);
		CHECK_EQ_INT(x_unlink("slow_link", false), 0);
	}

	/* truncate: shrink across levels, grow, shrink inside a block */
	CHECK_EQ_INT(x_truncate("big", 300 * 1024 + 5), 0); /* into the double indirect */
	CHECK_EQ_INT(x_truncate("big", 100 * 1024 + 5), 0); /* into the single indirect */
	CHECK_EQ_INT(x_truncate("big", 10 * 1024 + 5), 0);  /* into the direct blocks */
	CHECK_EQ_INT(x_stat("big", &st), 0);
	CHECK_EQ_UINT(st.size, 10 * 1024 + 5);
	CHECK_EQ_UINT(st.blocks, 11 * 2);
	CHECK_EQ_INT(x_truncate("big", 2000 * 1024), 0); /* grow: a hole */
	CHECK_EQ_INT(x_read("big", 10 * 1024, buf, 4096), 4096);
	pattern(want, 5, 6, 10 * 1024);
	CHECK(!memcmp(buf, want, 5));
	memset(want, 0, 4096);
	CHECK(!memcmp(buf + 5, want, 4091));
	CHECK_EQ_INT(x_stat("big", &st), 0);
	CHECK_EQ_UINT(st.blocks, 11 * 2);
	CHECK_EQ_INT(x_write("big", 1500 * 1024, "tail", 4), 4);
	CHECK_EQ_INT(x_truncate("ind", 0), 0);
	CHECK_EQ_INT(x_stat("ind", &st), 0);
	CHECK_EQ_UINT(st.blocks, 0);
	CHECK_EQ_INT(x_truncate("dir", 0), -RV_EISDIR);

	/* unlink while referenced: the inode stays until the last unref */
	CHECK_EQ_INT(resolve("dir/new_big", &ino), 0);
	fs->ops->ref(fs, ino);
	CHECK_EQ_INT(x_unlink("dir/new_big", false), 0);
	CHECK_EQ_INT(fs->ops->read(fs, ino, 0, buf, 4096), 4096);
	CHECK_EQ_INT(fs->ops->getattr(fs, ino, &st), 0);
	CHECK_EQ_INT(st.nlink, 0);
	fs->ops->unref(fs, ino);
	CHECK_EQ_INT(fs->ops->getattr(fs, ino, &st), -RV_EUCLEAN); /* freed */
	/* and a new copy for debugfs */
	pattern(buf, sizeof(buf), 77, 0);
	CHECK_EQ_INT(x_create("dir/new_big", FS_S_IFREG | 0644, &ino), 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, sizeof(buf)), (long)sizeof(buf));
	/* a file held open at unmount goes then */
	CHECK_EQ_INT(x_create("open_orphan", FS_S_IFREG | 0644, &ino), 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, 20000), 20000);
	fs->ops->ref(fs, ino);
	CHECK_EQ_INT(x_unlink("open_orphan", false), 0);

	CHECK_EQ_INT(fs->ops->sync(fs, 0, false), 0);
	CHECK_EQ_INT(umount_img(), 0);
	CHECK_EQ_INT(fdev.outside, 0);
	CHECK(fsck_clean(img));
	CHECK(debugfs_same(img, "/dir/new_big", buf, sizeof(buf)));
	pattern(want, 1000, 3, 0);
	CHECK(debugfs_same(img, "/hello.txt", want, 1000));
	{
		static uint8_t w[1000 * 1024 + 512 + 3000];

		CHECK_EQ_INT(mount_img(img, true), 0);
		if (fs) {
			CHECK_EQ_INT(x_read("w", 0, w, sizeof(w)), (long)sizeof(w));
			CHECK_EQ_INT(umount_img(), 0);
			CHECK(debugfs_same(img, "/w", w, sizeof(w)));
		}
	}
	/* the superblock says clean again; the mount count went up */
	{
		struct ext2_super sb;

		peek(img, 1024, &sb, sizeof(sb));
		CHECK(sb.s_state & EXT2_VALID_FS);
		CHECK(sb.s_mnt_count >= 1);
	}
}

/* Fill the disk, then the inode table; every failure is clean. */
static void test_full(void)
{
	static uint8_t buf[8192];
	char full_img[160], name[64];
	vfs_ino_t ino;
	long n, total = 0;
	int files = 0, ret = 0;
	struct fs_statfs sf;

	snprintf(full_img, sizeof(full_img), "%s/full.img", tmpdir);
	sh(TOOLS "mke2fs -q -F -t ext2 -r 1 -b 1024 -N 64 %s 1024 >/dev/null 2>&1", full_img);
	CHECK_EQ_INT(mount_img(full_img, false), 0);
	if (!fs)
		return;
	pattern(buf, sizeof(buf), 9, 0);
	CHECK_EQ_INT(x_create("fill", FS_S_IFREG | 0644, &ino), 0);
	while ((n = fs->ops->write(fs, ino, (uint64_t)total, buf, sizeof(buf) - 100)) > 0)
		total += n;
	CHECK_EQ_INT(n, -RV_ENOSPC);
	CHECK_EQ_INT(fs->ops->statfs(fs, &sf), 0);
	CHECK_EQ_UINT(sf.blocks_free, 0);
	CHECK(total > 800 * 1024);
	CHECK_EQ_INT(x_create("d2", FS_S_IFDIR | 0755, NULL), -RV_ENOSPC);
	CHECK_EQ_INT(x_symlink("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			       "slowlink"), -RV_ENOSPC);
	/* empty files and fast symlinks need no blocks: until the inodes run out
	 * (or the root directory's block does) */
	while (files < 200) {
		snprintf(name, sizeof(name), "f%d", files);
		ret = x_create(name, FS_S_IFREG | 0644, NULL);
		if (ret < 0)
			break;
		files++;
	}
	CHECK_EQ_INT(ret, -RV_ENOSPC);
	CHECK(files > 10);
	/* free some space: then inodes are what runs out */
	CHECK_EQ_INT(x_truncate("fill", 100 * 1024), 0);
	while (files < 200) {
		snprintf(name, sizeof(name), "f%d", files);
		ret = x_create(name, FS_S_IFREG | 0644, NULL);
		if (ret < 0)
			break;
		files++;
	}
	CHECK_EQ_INT(ret, -RV_ENOSPC);
	CHECK_EQ_INT(fs->ops->statfs(fs, &sf), 0);
	CHECK_EQ_UINT(sf.inodes_free, 0);
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(full_img));
	{
		static uint8_t got[100 * 1024];

		for (long o = 0; o < 100 * 1024; o += (long)sizeof(buf) - 100)
			pattern(got + o, (size_t)(o + (long)sizeof(buf) - 100 > 100 * 1024
						   ? 100 * 1024 - o : (long)sizeof(buf) - 100),
				9, 0);
		CHECK(debugfs_same(full_img, "/fill", got, sizeof(got)));
	}
}

/* A file past 4 GiB on 1 KiB blocks: triple indirect blocks. */
static void test_huge(void)
{
	char himg[160];
	uint8_t buf[3000], got[3000];
	vfs_ino_t ino;
	struct fs_stat st;
	const uint64_t off = 5ull << 30; /* block 5M: past 12 + 256 + 64K */

	snprintf(himg, sizeof(himg), "%s/huge.img", tmpdir);
	sh(TOOLS "mke2fs -q -F -t ext2 -r 1 -b 1024 -O ^large_file %s 4096 >/dev/null 2>&1",
	   himg);
	CHECK_EQ_INT(mount_img(himg, false), 0);
	if (!fs)
		return;
	pattern(buf, sizeof(buf), 11, 0);
	CHECK_EQ_INT(x_create("huge", FS_S_IFREG | 0644, &ino), 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, off - 1000, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK_EQ_INT(fs->ops->write(fs, ino, 3ull << 30, buf, 100), 100); /* double indirect */
	CHECK_EQ_INT(fs->ops->getattr(fs, ino, &st), 0);
	CHECK_EQ_UINT(st.size, off + 2000);
	CHECK_EQ_INT(fs->ops->read(fs, ino, off - 1000, got, sizeof(got)), (long)sizeof(got));
	CHECK(!memcmp(got, buf, sizeof(buf)));
	CHECK_EQ_INT(fs->ops->read(fs, ino, 4ull << 30, got, 100), 100);
	CHECK(got[0] == 0 && got[99] == 0);
	/* the largest size e2fsck allows for 1 KiB blocks */
	CHECK_EQ_INT(fs->ops->write(fs, ino, (12ull + 256 + 65536 + 16777216) * 1024, buf, 1),
		     -RV_EFBIG);
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(himg));
	{
		struct ext2_super sb;

		peek(himg, 1024, &sb, sizeof(sb));
		CHECK(sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE);
	}
	/* shrink below the triple and double indirect blocks: all freed */
	CHECK_EQ_INT(mount_img(himg, false), 0);
	if (!fs)
		return;
	CHECK_EQ_INT(x_truncate("huge", 1000), 0);
	CHECK_EQ_INT(x_stat("huge", &st), 0);
	CHECK_EQ_UINT(st.blocks, 0);
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(himg));
}

/* Other block sizes and revision 0. */
static void test_variants(void)
{
	static const char *const opts[] = { "-r 1 -b 4096", "-r 1 -b 2048 -I 128", "-r 0 -b 1024",
					    "-r 1 -b 65536" };
	static const unsigned int kib[] = { 16384, 8192, 8192, 65536 };
	char vimg[160];

	snprintf(vimg, sizeof(vimg), "%s/variant.img", tmpdir);
	for (unsigned int i = 0; i < 4; i++) {
		static uint8_t buf[200 * 1024];
		vfs_ino_t ino;

		make_img(vimg, opts[i], kib[i]);
		CHECK_EQ_INT(mount_img(vimg, false), 0);
		if (!fs) {
			fprintf(stderr, "variant %s: %s\n", opts[i], why ? why : "?");
			continue;
		}
		check_read_all();
		pattern(buf, sizeof(buf), 21 + i, 0);
		CHECK_EQ_INT(x_create("dir/sub/n", FS_S_IFREG | 0644, &ino), 0);
		CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, sizeof(buf)), (long)sizeof(buf));
		CHECK_EQ_INT(x_create("d", FS_S_IFDIR | 0755, NULL), 0);
		CHECK_EQ_INT(x_rename("dir/sub/n", "d/n"), 0);
		CHECK_EQ_INT(x_truncate("big", 5000), 0);
		CHECK_EQ_INT(x_unlink("ind", false), 0);
		CHECK_EQ_INT(umount_img(), 0);
		if (!fsck_clean(vimg))
			CHECK(!opts[i]);
		CHECK(debugfs_same(vimg, "/d/n", buf, sizeof(buf)));
	}
}

/* ---- corruption ---- */

struct geo {
	uint32_t bs;
	uint32_t inode_size;
	uint32_t ipg;
};

static struct geo geo(const char *path)
{
	struct ext2_super sb;
	struct geo g;

	peek(path, 1024, &sb, sizeof(sb));
	g.bs = 1024u << sb.s_log_block_size;
	g.inode_size = sb.s_rev_level ? sb.s_inode_size : 128;
	g.ipg = sb.s_inodes_per_group;
	return g;
}

/* Byte offset of inode ino's record (debugfs imap). */
static uint64_t inode_off(const char *path, const char *file)
{
	char req[128];
	long blk, off;
	struct geo g = geo(path);

	snprintf(req, sizeof(req), "imap %s", file);
	blk = debugfs_num(path, req, "located at block ");
	off = debugfs_num(path, req, ", offset ");
	return (uint64_t)blk * g.bs + (uint64_t)off;
}

static uint64_t block_of(const char *path, const char *file, int lblk)
{
	char req[128];

	snprintf(req, sizeof(req), "bmap %s %d", file, lblk);
	return (uint64_t)debugfs_num(path, req, "");
}

static void poke32(const char *path, uint64_t off, uint32_t v)
{
	poke(path, off, &v, 4);
}

static void poke16(const char *path, uint64_t off, uint16_t v)
{
	poke(path, off, &v, 2);
}

/* The first entry of directory dir (byte offset) whose name is name. */
static uint64_t dirent_off(const char *path, const char *dir, const char *name)
{
	struct geo g = geo(path);
	uint64_t blk = block_of(path, dir, 0) * g.bs;
	uint8_t b[4096];
	uint32_t off = 0;

	peek(path, blk, b, g.bs);
	while (off < g.bs) {
		struct ext2_dirent *de = (struct ext2_dirent *)(b + off);

		if (de->name_len == strlen(name) && !memcmp(de->name, name, de->name_len))
			return blk + off;
		if (de->rec_len < 8)
			break;
		off += de->rec_len;
	}
	return 0;
}

/* Mount must fail with want (and write nothing). */
static void expect_mount(int want, const char *what)
{
	int ret = mount_img(img, false);

	if (!CHECK_EQ_INT(ret, want))
		fprintf(stderr, "  corruption: %s (why: %s)\n", what, why ? why : "-");
	if (ret == 0)
		umount_img();
	CHECK_EQ_INT(fdev.writes, 0);
	CHECK(ret == 0 || why != NULL);
}

static int kinds;

static void test_corrupt(void)
{
	struct ext2_super sb;
	struct ext2_group_desc gd;
	struct geo g = geo(base_img);
	uint64_t off;
	vfs_ino_t ino;
	uint8_t buf[4096];
	int ret;

	/* 1: bad magic */
	fresh();
	poke16(img, 1024 + 56, 0x1234);
	expect_mount(-RV_EUCLEAN, "magic");
	kinds++;
	/* 2: block size out of range */
	fresh();
	poke32(img, 1024 + 24, 12);
	expect_mount(-RV_EUCLEAN, "log block size");
	kinds++;
	/* 3: more blocks than the device has */
	fresh();
	peek(img, 1024, &sb, sizeof(sb));
	poke32(img, 1024 + 4, sb.s_blocks_count * 4);
	expect_mount(-RV_EUCLEAN, "blocks count");
	kinds++;
	/* 4: inode count that does not match the groups */
	fresh();
	poke32(img, 1024 + 0, sb.s_inodes_count + 8);
	expect_mount(-RV_EUCLEAN, "inodes count");
	kinds++;
	/* 5: group descriptor's inode table past the disk */
	fresh();
	poke32(img, 2048 + 8, 0x7fffff00);
	expect_mount(-RV_EUCLEAN, "inode table");
	kinds++;
	/* 6: a group descriptor's block bitmap inside the descriptors */
	fresh();
	poke32(img, 2048 + 0, 2);
	expect_mount(-RV_EUCLEAN, "block bitmap");
	kinds++;
	/* 7: features: extents refused, needs_recovery refused, unknown
	 * ro_compat mounts read-only */
	fresh();
	poke32(img, 1024 + 96, sb.s_feature_incompat | EXT2_FEATURE_INCOMPAT_EXTENTS);
	expect_mount(-RV_ENOTSUP, "extents");
	CHECK(why && strstr(why, "extent"));
	poke32(img, 1024 + 96, sb.s_feature_incompat | EXT2_FEATURE_INCOMPAT_RECOVER);
	expect_mount(-RV_ENOTSUP, "needs_recovery");
	CHECK(why && strstr(why, "recovery"));
	poke32(img, 1024 + 96, sb.s_feature_incompat);
	poke32(img, 1024 + 100, sb.s_feature_ro_compat | 0x400 /* metadata_csum */);
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		CHECK(fs->read_only);
		CHECK_EQ_INT(x_create("x", FS_S_IFREG | 0644, NULL), -RV_EROFS);
		umount_img();
		CHECK_EQ_INT(fdev.writes, 0);
	}
	kinds++;
	/* 8: the root is not a directory */
	fresh();
	off = inode_off(img, "/");
	poke16(img, off, EXT2_S_IFREG | 0644);
	expect_mount(-RV_EUCLEAN, "root mode");
	kinds++;
	/* 9: a data block past the disk */
	fresh();
	off = inode_off(img, "/small");
	poke32(img, off + 40, 0x00ffff00);
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		CHECK_EQ_INT(x_read("small", 0, buf, 100), -RV_EUCLEAN);
		CHECK_EQ_INT(x_write("small", 0, buf, 100), -RV_EUCLEAN);
		CHECK_EQ_INT(x_truncate("small", 0), -RV_EUCLEAN);
		CHECK_EQ_INT(x_unlink("small", false), -RV_EUCLEAN);
		umount_img();
		CHECK_EQ_INT(fdev.outside, 0);
	}
	kinds++;
	/* 10: a data block in the inode table (metadata) */
	fresh();
	{
		long it = debugfs_num(img, "imap <12>", "located at block ");

		poke32(img, off + 40, (uint32_t)it);
	}
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		CHECK_EQ_INT(x_read("small", 0, buf, 100), -RV_EUCLEAN);
		CHECK_EQ_INT(x_write("small", 0, "overwrite the inode table", 25), -RV_EUCLEAN);
		umount_img();
	}
	kinds++;
	/* 11..14: directory entries: rec_len 0, not 4-aligned, past the
	 * block, name longer than the entry */
	{
		static const uint16_t recs[] = { 0, 13, 4000 };

		for (int i = 0; i < 4; i++) {
			fresh();
			off = dirent_off(img, "/dir", "sub");
			CHECK(off != 0);
			if (i < 3)
				poke16(img, off + 4, recs[i]);
			else
				poke(img, off + 6, "\xf0", 1);
			CHECK_EQ_INT(mount_img(img, false), 0);
			if (fs) {
				uint64_t cookie = 0;
				struct names nm = { .n = 0 };
				vfs_ino_t d;

				CHECK_EQ_INT(resolve("dir/zzz", &ino), -RV_EUCLEAN);
				CHECK_EQ_INT(resolve("dir", &d), 0);
				CHECK_EQ_INT(fs->ops->readdir(fs, d, &cookie, collect, &nm),
					     -RV_EUCLEAN);
				CHECK_EQ_INT(x_create("dir/new", FS_S_IFREG | 0644, NULL),
					     -RV_EUCLEAN);
				CHECK_EQ_INT(x_unlink("dir/sub", true), -RV_EUCLEAN);
				umount_img();
				CHECK_EQ_INT(fdev.outside, 0);
			}
			kinds++;
		}
	}
	/* 15: a directory entry naming an inode past the inode count */
	fresh();
	off = dirent_off(img, "/", "hello.txt");
	poke32(img, off, 0x7fffffff);
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		CHECK_EQ_INT(resolve("hello.txt", &ino), -RV_EUCLEAN);
		umount_img();
	}
	kinds++;
	/* 16: a directory loop: dir/sub's ".." names dir/sub/deeper, whose
	 * ".." names dir/sub; moving a directory into it must not hang */
	fresh();
	{
		long sub = debugfs_num(img, "stat /dir/sub", "Inode: ");
		long deeper = debugfs_num(img, "stat /dir/sub/deeper", "Inode: ");

		poke32(img, dirent_off(img, "/dir/sub", ".."), (uint32_t)deeper);
		poke32(img, dirent_off(img, "/dir/sub/deeper", ".."), (uint32_t)sub);
	}
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		CHECK_EQ_INT(x_rename("empty_dir", "dir/sub/deeper/e"), -RV_EUCLEAN);
		umount_img();
	}
	kinds++;
	/* 17: an indirect block naming itself */
	fresh();
	{
		uint64_t ind;

		off = inode_off(img, "/ind");
		peek(img, off + 40 + 12 * 4, &ind, 4);
		ind &= 0xffffffffu;
		poke32(img, ind * g.bs + 4, (uint32_t)ind);
	}
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		CHECK_EQ_INT(x_read("ind", 13 * 1024, buf, 100), -RV_EUCLEAN);
		CHECK_EQ_INT(x_truncate("ind", 0), -RV_EUCLEAN);
		umount_img();
		CHECK_EQ_INT(fdev.outside, 0);
	}
	kinds++;
	/* 18: the block bitmap says the superblock and descriptors are free */
	fresh();
	{
		uint8_t zero = 0;

		peek(img, 2048, &gd, sizeof(gd));
		poke(img, (uint64_t)gd.bg_block_bitmap * g.bs, &zero, 1);
	}
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		vfs_ino_t f;
		long n;

		CHECK_EQ_INT(x_create("newfile", FS_S_IFREG | 0644, &f), 0);
		n = fs->ops->write(fs, f, 0, buf, 100);
		CHECK_EQ_INT(n, -RV_EUCLEAN);
		umount_img();
		CHECK_EQ_INT(fdev.outside, 0);
	}
	kinds++;
	/* 19: a symbolic link longer than a block */
	fresh();
	off = inode_off(img, "/slow_link");
	poke32(img, off + 4, 100000);
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		char t[64];

		CHECK_EQ_INT(resolve("slow_link", &ino), 0);
		CHECK_EQ_INT(fs->ops->readlink(fs, ino, t, sizeof(t)), -RV_EUCLEAN);
		umount_img();
	}
	kinds++;
	/* 20: a directory whose size is not a whole number of blocks */
	fresh();
	off = inode_off(img, "/dir");
	poke32(img, off + 4, 1000);
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		CHECK_EQ_INT(resolve("dir/sub", &ino), -RV_EUCLEAN);
		umount_img();
	}
	kinds++;
	/* 21: a group's free count larger than the group */
	fresh();
	poke16(img, 2048 + 12, 0xffff);
	expect_mount(-RV_EUCLEAN, "free blocks count");
	kinds++;
	/* 22: a device too small for a superblock, and one that fails */
	{
		char tiny[160];

		snprintf(tiny, sizeof(tiny), "%s/tiny.img", tmpdir);
		sh("head -c 1536 %s > %s", base_img, tiny);
		memset(&fdev, 0, sizeof(fdev));
		ret = mount_img(tiny, false);
		CHECK_EQ_INT(ret, -RV_EUCLEAN);
	}
	kinds++;
	/* 23: an entry naming a free inode */
	fresh();
	off = dirent_off(img, "/", "hello.txt");
	peek(img, 1024, &sb, sizeof(sb));
	poke32(img, off, sb.s_inodes_count - 1); /* never allocated */
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (fs) {
		struct fs_stat st;

		CHECK_EQ_INT(x_stat("hello.txt", &st), -RV_EUCLEAN);
		CHECK_EQ_INT(x_unlink("hello.txt", false), -RV_EUCLEAN);
		umount_img();
	}
	kinds++;
	/* 24: random garbage over the inode table and directories, then
	 * every operation: errors only, no crash, nothing outside */
	for (uint32_t seed = 1; seed <= 6; seed++) {
		uint8_t junk[512];
		long itb = debugfs_num(base_img, "imap <2>", "located at block ");

		fresh();
		for (int k = 0; k < 8; k++) {
			pattern(junk, sizeof(junk), seed * 100 + k, 0);
			poke(img, (uint64_t)itb * g.bs + (uint64_t)k * 700 + seed * 64, junk,
			     sizeof(junk));
		}
		pattern(junk, sizeof(junk), seed, 0);
		poke(img, block_of(base_img, "/dir", 0) * g.bs + seed * 40, junk, 64);
		if (mount_img(img, false) == 0) {
			struct names nm = { .n = 0 };
			uint64_t cookie = 0;
			vfs_ino_t d;

			fs->ops->readdir(fs, fs->ops->root(fs), &cookie, collect, &nm);
			x_read("big", 0, buf, sizeof(buf));
			x_read("dir/sub/deeper/file", 0, buf, sizeof(buf));
			x_write("ind", 5000, buf, sizeof(buf));
			x_truncate("big", 10);
			x_create("dir/newf", FS_S_IFREG | 0644, NULL);
			x_create("newd", FS_S_IFDIR | 0755, NULL);
			x_rename("small", "dir/small");
			x_unlink("twelve", false);
			x_unlink("empty_dir", true);
			if (resolve("dir", &d) == 0) {
				cookie = 0;
				fs->ops->readdir(fs, d, &cookie, collect, &nm);
			}
			umount_img();
			CHECK_EQ_INT(fdev.outside, 0);
		}
	}
	kinds++;
	CHECK(kinds >= 10);
}

/* Killed between two syncs (nothing more reaches the device): the image
 * is what the last sync left plus file data, and e2fsck finds it clean. */
static void test_kill(void)
{
	static uint8_t buf[400 * 1024];
	vfs_ino_t ino;

	fresh();
	CHECK_EQ_INT(mount_img_n(img, false, 256), 0);
	if (!fs)
		return;
	pattern(buf, sizeof(buf), 31, 0);
	CHECK_EQ_INT(x_create("k1", FS_S_IFREG | 0644, &ino), 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, 100000), 100000);
	CHECK_EQ_INT(fs->ops->sync(fs, ino, false), 0);
	/* after the sync: data evicted on the way, metadata held back */
	CHECK_EQ_INT(x_create("k2", FS_S_IFREG | 0644, &ino), 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK_EQ_INT(x_create("kd", FS_S_IFDIR | 0755, NULL), 0);
	CHECK_EQ_INT(x_rename("small", "kd/small"), 0);
	CHECK_EQ_INT(x_unlink("big", false), 0);
	CHECK_EQ_INT(x_truncate("ind", 5000), 0);
	CHECK_EQ_INT(x_unlink("empty_dir", true), 0);
	CHECK(fdev.write_sectors > 200); /* file data went out */
	fdev.dead = true;
	umount_img();
	CHECK(fsck_clean(img));
	/* the state of the sync is there; go on from it and unmount cleanly */
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (!fs)
		return;
	CHECK(same_content("k1", 31, 100000));
	CHECK(same_content("small", 3, 1000));
	CHECK(same_content("ind", 5, 100 * 1024));
	CHECK_EQ_INT(resolve("k2", &ino), -RV_ENOENT);
	CHECK_EQ_INT(x_unlink("k1", false), 0);
	CHECK_EQ_INT(x_create("k3", FS_S_IFREG | 0644, &ino), 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(img));
	CHECK(debugfs_same(img, "/k3", buf, sizeof(buf)));

	/* killed after metadata blocks were freed and their numbers given to
	 * file data that went out early: the synced state must not lose its
	 * indirect blocks to that data (the new file starts 5 blocks in, so
	 * its data blocks land where the old file's indirect blocks were) */
	{
		char kimg[160];
		vfs_ino_t x;

		snprintf(kimg, sizeof(kimg), "%s/kill2.img", tmpdir);
		sh(TOOLS "mke2fs -q -F -t ext2 -r 1 -b 1024 %s 4096 >/dev/null 2>&1", kimg);
		CHECK_EQ_INT(mount_img_n(kimg, false, 256), 0);
		if (!fs)
			return;
		CHECK_EQ_INT(x_create("x", FS_S_IFREG | 0644, &x), 0);
		CHECK_EQ_INT(fs->ops->write(fs, x, 0, buf, 300 * 1024), 300 * 1024);
		CHECK_EQ_INT(fs->ops->sync(fs, 0, false), 0);
		CHECK_EQ_INT(fs->ops->truncate(fs, x, 0), 0);
		CHECK_EQ_INT(x_create("y", FS_S_IFREG | 0644, &ino), 0);
		memset(buf, 0xff, sizeof(buf));
		CHECK_EQ_INT(fs->ops->write(fs, ino, 5 * 1024, buf, sizeof(buf)), (long)sizeof(buf));
		fdev.dead = true;
		umount_img();
		CHECK(fsck_clean(kimg));
		pattern(buf, sizeof(buf), 31, 0);
	}

	/* killed with files unlinked but open: the orphan list has them, the
	 * next mount frees them */
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (!fs)
		return;
	{
		struct fs_statfs before, after;
		vfs_ino_t o1, o2;

		CHECK_EQ_INT(fs->ops->statfs(fs, &before), 0);
		CHECK_EQ_INT(x_create("o1", FS_S_IFREG | 0644, &o1), 0);
		CHECK_EQ_INT(fs->ops->write(fs, o1, 0, buf, 300000), 300000);
		CHECK_EQ_INT(x_create("o2", FS_S_IFREG | 0644, &o2), 0);
		CHECK_EQ_INT(fs->ops->write(fs, o2, 0, buf, 3000), 3000);
		fs->ops->ref(fs, o1);
		fs->ops->ref(fs, o2);
		CHECK_EQ_INT(x_unlink("o1", false), 0);
		CHECK_EQ_INT(x_unlink("o2", false), 0);
		CHECK_EQ_INT(fs->ops->read(fs, o1, 0, buf, 10), 10);
		CHECK_EQ_INT(fs->ops->sync(fs, 0, false), 0);
		fdev.dead = true;
		umount_img();
		CHECK_EQ_INT(mount_img(img, false), 0);
		if (!fs)
			return;
		CHECK_EQ_INT(fs->ops->statfs(fs, &after), 0);
		CHECK_EQ_UINT(after.blocks_free, before.blocks_free);
		CHECK_EQ_UINT(after.inodes_free, before.inodes_free);
		CHECK_EQ_INT(umount_img(), 0);
		CHECK(fsck_clean(img));
		/* the same, unref'd in the other order without a kill */
		CHECK_EQ_INT(mount_img(img, false), 0);
		CHECK_EQ_INT(x_create("o1", FS_S_IFREG | 0644, &o1), 0);
		CHECK_EQ_INT(x_create("o2", FS_S_IFREG | 0644, &o2), 0);
		CHECK_EQ_INT(fs->ops->write(fs, o2, 0, buf, 3000), 3000);
		fs->ops->ref(fs, o1);
		fs->ops->ref(fs, o2);
		CHECK_EQ_INT(x_unlink("o1", false), 0);
		CHECK_EQ_INT(x_unlink("o2", false), 0);
		fs->ops->unref(fs, o1); /* the list's tail */
		CHECK_EQ_INT(fs->ops->sync(fs, 0, false), 0);
		fs->ops->unref(fs, o2);
		CHECK_EQ_INT(fs->ops->statfs(fs, &after), 0);
		CHECK_EQ_UINT(after.inodes_free, before.inodes_free);
		CHECK_EQ_INT(umount_img(), 0);
		CHECK(fsck_clean(img));
		{
			struct ext2_super sb;

			peek(img, 1024, &sb, sizeof(sb));
			CHECK_EQ_UINT(sb.s_last_orphan, 0);
		}
	}
}

/* Few and large device requests: reading a file in order reads ahead,
 * writing one in order writes runs. */
static void test_requests(void)
{
	static uint8_t buf[BIG_LEN];
	unsigned long reads, writes, sectors;

	_Static_assert(BIG_LEN >= 600 * 1024, "buf holds the 600 KiB stream");
	vfs_ino_t ino;

	fresh();
	CHECK_EQ_INT(mount_img_n(img, false, 256), 0);
	if (!fs)
		return;
	/* A run: CONFIG_FS_IO_RUN_KIB, a quarter of the cache, max_sectors. */
	CHECK_EQ_INT(bcache_run_max(bc), CONFIG_FS_IO_RUN_KIB < 64 ? CONFIG_FS_IO_RUN_KIB : 64);
	fdev.dev.max_sectors = 16;
	CHECK_EQ_INT(bcache_run_max(bc), CONFIG_FS_IO_RUN_KIB < 8 ? CONFIG_FS_IO_RUN_KIB : 8);
	fdev.dev.max_sectors = 0;
	reads = fdev.reads;
	for (size_t o = 0; o < BIG_LEN; o += 4096)
		CHECK_EQ_INT(x_read("big", o, buf + o, BIG_LEN - o < 4096 ? BIG_LEN - o : 4096),
			     BIG_LEN - o < 4096 ? (long)(BIG_LEN - o) : 4096);
	reads = fdev.reads - reads;
	CHECK(same_content("big", 6, BIG_LEN));
	printf("read %u KiB in order: %lu device reads\n", BIG_LEN / 1024, reads);
	CHECK(reads < BIG_LEN / 1024 / 16);
	CHECK_EQ_INT(fs->ops->sync(fs, 0, false), 0);
	writes = fdev.writes;
	sectors = fdev.write_sectors;
	CHECK_EQ_INT(x_create("seq", FS_S_IFREG | 0644, &ino), 0);
	pattern(buf, 200 * 1024, 41, 0);
	for (size_t o = 0; o < 200 * 1024; o += 4096)
		CHECK_EQ_INT(fs->ops->write(fs, ino, o, buf + o, 4096), 4096);
	CHECK_EQ_INT(fs->ops->sync(fs, 0, false), 0);
	writes = fdev.writes - writes;
	sectors = fdev.write_sectors - sectors;
	printf("wrote 200 KiB in order: %lu device writes, %lu sectors\n", writes, sectors);
	CHECK(sectors >= 400);
	CHECK(writes < 200 / 8);
	/* larger than the cache: written back in runs as it goes */
	writes = fdev.writes;
	pattern(buf, 600 * 1024, 42, 0);
	CHECK_EQ_INT(x_create("seq2", FS_S_IFREG | 0644, &ino), 0);
	for (size_t o = 0; o < 600 * 1024; o += 4096)
		CHECK_EQ_INT(fs->ops->write(fs, ino, o, buf + o, 4096), 4096);
	CHECK_EQ_INT(fs->ops->sync(fs, 0, false), 0);
	writes = fdev.writes - writes;
	printf("wrote 600 KiB in order through a 256 KiB cache: %lu device writes\n", writes);
	CHECK(writes < 600 / 16);
	CHECK_EQ_INT(bcache_drop(bc), 0);
	CHECK(same_content("seq2", 42, 600 * 1024));
	CHECK_EQ_INT(bcache_drop(bc), 0);
	CHECK(same_content("seq", 41, 200 * 1024));
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(img));
}

/* Random operations against a model of the files, with remounts and
 * e2fsck on the way: what the model says is what reads back. */
#define MODEL_FILES 10
#define MODEL_MAX (1200u * 1024)

struct mfile {
	char path[64];
	uint8_t *data;
	size_t size;
	bool live;
};

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)(rng_state % n) : 0;
}

static int model_check(struct mfile *m)
{
	static uint8_t got[MODEL_MAX + 1];
	long n = x_read(m->path, 0, got, sizeof(got));

	if (n != (long)m->size || memcmp(got, m->data, m->size)) {
		fprintf(stderr, "%s: read %ld bytes, model %zu\n", m->path, n, m->size);
		return 0;
	}
	return 1;
}

static void test_random(void)
{
	static const char *const dirs[] = { "", "d1/", "d1/d2/" };
	static uint8_t buf[40000];
	struct mfile m[MODEL_FILES];
	char rimg[160];
	int ops = 0, fails = 0, fscks = 0;

	rng_state = 0x1234567887654321ull;
	memset(m, 0, sizeof(m));
	snprintf(rimg, sizeof(rimg), "%s/random.img", tmpdir);
	sh(TOOLS "mke2fs -q -F -t ext2 -r 1 -b 1024 -N 512 %s 32768 >/dev/null 2>&1", rimg);
	CHECK_EQ_INT(mount_img(rimg, false), 0);
	if (!fs)
		return;
	CHECK_EQ_INT(x_create("d1", FS_S_IFDIR | 0755, NULL), 0);
	CHECK_EQ_INT(x_create("d1/d2", FS_S_IFDIR | 0755, NULL), 0);
	for (ops = 0; ops < 2500 && fails < 5; ops++) {
		struct mfile *f = &m[rnd(MODEL_FILES)];
		uint32_t op = rnd(100);
		vfs_ino_t ino;

		if (!f->live) {
			snprintf(f->path, sizeof(f->path), "%sf%d-%d", dirs[rnd(3)],
				 (int)(f - m), ops);
			if (x_create(f->path, FS_S_IFREG | 0644, &ino) != 0) {
				fails++;
				continue;
			}
			f->live = true;
			f->size = 0;
			f->data = calloc(1, MODEL_MAX);
			continue;
		}
		if (op < 45) { /* write somewhere, often past the end */
			uint32_t len = 1 + rnd(rnd(2) ? 4096 : sizeof(buf));
			uint32_t off = rnd(MODEL_MAX - len);

			pattern(buf, len, ops, 0);
			if (x_write(f->path, off, buf, len) != (long)len) {
				fails++;
				continue;
			}
			memcpy(f->data + off, buf, len);
			if (off + len > f->size)
				f->size = off + len;
		} else if (op < 60) { /* truncate */
			uint32_t size = rnd(4) ? rnd(MODEL_MAX) : rnd(20000);

			if (x_truncate(f->path, size) != 0) {
				fails++;
				continue;
			}
			if (size < f->size)
				memset(f->data + size, 0, f->size - size);
			f->size = size;
		} else if (op < 75) { /* read a piece */
			uint32_t off = rnd((uint32_t)f->size + 100), len = 1 + rnd(sizeof(buf));
			long want = off >= f->size ? 0 : (long)(f->size - off < len ? f->size - off : len);

			if (x_read(f->path, off, buf, len) != want ||
			    (want > 0 && memcmp(buf, f->data + off, (size_t)want)))
				fails++;
		} else if (op < 85) { /* rename, maybe over another file */
			struct mfile *t = &m[rnd(MODEL_FILES)];
			char to[64];

			if (t->live && t != f) {
				snprintf(to, sizeof(to), "%s", t->path);
				if (x_rename(f->path, to) != 0) {
					fails++;
					continue;
				}
				free(t->data);
				t->live = false;
			} else {
				snprintf(to, sizeof(to), "%sr%d", dirs[rnd(3)], ops);
				if (x_rename(f->path, to) != 0) {
					fails++;
					continue;
				}
			}
			snprintf(f->path, sizeof(f->path), "%s", to);
		} else if (op < 92) { /* unlink */
			if (x_unlink(f->path, false) != 0)
				fails++;
			free(f->data);
			f->live = false;
		} else if (op < 97) {
			if (!model_check(f))
				fails++;
		} else if (op < 99) {
			CHECK_EQ_INT(fs->ops->sync(fs, 0, false), 0);
		} else { /* remount (and check the image now and then) */
			CHECK_EQ_INT(umount_img(), 0);
			if (fscks++ < 4)
				CHECK(fsck_clean(rimg));
			CHECK_EQ_INT(mount_img(rimg, false), 0);
			if (!fs)
				return;
		}
	}
	CHECK_EQ_INT(fails, 0);
	for (int i = 0; i < MODEL_FILES; i++)
		if (m[i].live)
			CHECK(model_check(&m[i]));
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(rimg));
	for (int i = 0, n = 0; i < MODEL_FILES && n < 3; i++) {
		if (!m[i].live)
			continue;
		char p[80];

		snprintf(p, sizeof(p), "/%s", m[i].path);
		CHECK(debugfs_same(rimg, p, m[i].data, m[i].size));
		n++;
	}
	for (int i = 0; i < MODEL_FILES; i++)
		if (m[i].live)
			free(m[i].data);
	printf("random: %d operations, %d remounts, %d e2fsck runs\n", ops, fscks,
	       (fscks < 4 ? fscks : 4) + 1);
}

/* Random damage to the metadata (superblock, descriptors, bitmaps, inode
 * table, directories, indirect blocks), then every kind of operation:
 * errors at most, no crash (the sanitizers watch), no hang, nothing
 * written outside the file system. */
static void test_fuzz(void)
{
	static const char *const paths[] = { "hello.txt", "big", "ind", "dir/sub/deeper/file",
					      "sparse", "fast_link", "slow_link", "dir",
					      "dir/entry-with-a-longer-name-07", "empty_dir" };
	static uint8_t buf[70000];
	uint64_t dirblk = block_of(base_img, "/dir", 0), rootblk = block_of(base_img, "/", 0);
	uint64_t indblk = block_of(base_img, "/big", 12) - 1;
	long itb = debugfs_num(base_img, "imap <2>", "located at block ");
	int mounted = 0, errors = 0, runs = 150;

	for (int run = 0; run < runs; run++) {
		int k = 1 + (int)rnd(6);

		rng_state = 0x9E3779B97F4A7C15ull * (uint64_t)(run + 1);
		fresh();
		for (int j = 0; j < k; j++) {
			uint32_t what = rnd(100), v = (uint32_t)rng_state;
			uint64_t off;

			if (what < 10)
				off = 1024 + rnd(256);
			else if (what < 20)
				off = 2048 + rnd(64);
			else if (what < 55)
				off = (uint64_t)itb * 1024 + rnd(24 * 256);
			else if (what < 70)
				off = dirblk * 1024 + rnd(1024);
			else if (what < 85)
				off = rootblk * 1024 + rnd(1024);
			else
				off = indblk * 1024 + rnd(1024);
			if (rnd(2))
				poke(img, off, &v, 1 + rnd(4));
			else
				poke32(img, off & ~3ull, rnd(2) ? v : rnd(20000));
		}
		if (mount_img(img, false) != 0)
			continue;
		mounted++;
		for (unsigned int i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			vfs_ino_t ino;
			struct fs_stat st;
			struct names nm = { .n = 0 };
			uint64_t cookie = 0;
			char t[128];

			if (resolve(paths[i], &ino) < 0) {
				errors++;
				continue;
			}
			if (fs->ops->getattr(fs, ino, &st) < 0)
				errors++;
			if (fs->ops->read(fs, ino, rnd(800000), buf, sizeof(buf)) < 0)
				errors++;
			fs->ops->readlink(fs, ino, t, sizeof(t));
			fs->ops->readdir(fs, ino, &cookie, collect, &nm);
		}
		x_write("ind", rnd(300000), buf, 5000);
		x_write("big", 700 * 1024, buf, 20000);
		x_truncate("big", rnd(800000));
		x_create("dir/fz", FS_S_IFREG | 0644, NULL);
		x_write("dir/fz", 0, buf, 3000);
		x_create("dir/sub/fzd", FS_S_IFDIR | 0755, NULL);
		x_symlink("target", "dir/sub/fzd/l");
		x_link("small", "dir/sub/small2");
		x_rename("dir/sub", "empty_dir/moved");
		x_rename("twelve", "ind");
		x_unlink("hello.txt", false);
		x_unlink("dir/sub/deeper", true);
		x_unlink("empty_dir", true);
		fs->ops->sync(fs, 0, false);
		umount_img();
		CHECK_EQ_INT(fdev.outside, 0);
	}
	printf("fuzz: %d damaged images, %d mounted, %d lookups or reads refused\n", runs,
	       mounted, errors);
	CHECK(mounted > runs / 3);
	CHECK(errors > 0);
}

/* Random operations (files open while unlinked too), random syncs, then
 * a kill at a random point, round after round on one image: after each
 * kill e2fsck finds it clean, and the next mount goes on from it. */
static void test_random_kill(void)
{
	static const char *const names[] = { "a", "b", "c", "sub/a", "sub/b", "sub/deep/x",
					     "sub/deep/y", "z-with-a-longer-name" };
	static uint8_t buf[64 * 1024];
	char kimg[160];
	int bad = 0, rounds = 12, recovered = 0;

	rng_state = 0xDEADBEEFCAFEF00Dull;
	snprintf(kimg, sizeof(kimg), "%s/rkill.img", tmpdir);
	sh(TOOLS "mke2fs -q -F -t ext2 -r 1 -b 1024 -N 128 %s 8192 >/dev/null 2>&1", kimg);
	for (int round = 0; round < rounds; round++) {
		vfs_ino_t held[4];
		int nheld = 0, nops = 20 + (int)rnd(150);

		CHECK_EQ_INT(mount_img_n(kimg, false, rnd(2) ? 128 : 256), 0);
		if (!fs)
			return;
		x_create("sub", FS_S_IFDIR | 0755, NULL);
		x_create("sub/deep", FS_S_IFDIR | 0755, NULL);
		for (int i = 0; i < nops; i++) {
			const char *n = names[rnd(8)], *n2 = names[rnd(8)];
			uint32_t op = rnd(100);
			long r = 0;
			vfs_ino_t ino;

			if (op < 15) {
				r = x_create(n, FS_S_IFREG | 0644, NULL);
			} else if (op < 40) {
				uint32_t len = 1 + rnd(sizeof(buf)), off = rnd(400 * 1024);

				pattern(buf, len, (uint32_t)i, 0);
				r = x_write(n, off, buf, len);
			} else if (op < 50) {
				r = x_truncate(n, rnd(300 * 1024));
			} else if (op < 60) {
				r = x_rename(n, n2);
			} else if (op < 68) {
				r = x_unlink(n, false);
			} else if (op < 72) {
				r = x_link(n, n2);
			} else if (op < 76) {
				r = x_symlink(rnd(2) ? "short" : "a-target-name-longer-than-sixty-bytes-"
								"so-it-takes-a-block-of-its-own", n);
			} else if (op < 80) {
				r = x_create(rnd(2) ? "sub/deep" : "sub/d2", FS_S_IFDIR | 0755, NULL);
			} else if (op < 84) {
				r = x_unlink(rnd(2) ? "sub/deep" : "sub/d2", true);
			} else if (op < 88) {
				r = x_rename(rnd(2) ? "sub/deep" : "sub/d2", rnd(2) ? "sub/d2" : "d3");
			} else if (op < 93) {
				if (nheld < 4 && resolve(n, &ino) == 0) {
					fs->ops->ref(fs, ino); /* open it, then maybe unlink it */
					held[nheld++] = ino;
				}
			} else if (op < 96) {
				if (nheld)
					fs->ops->unref(fs, held[--nheld]);
			} else {
				r = fs->ops->sync(fs, 0, false);
			}
			if (r == -RV_EUCLEAN || r == -RV_EIO || r == -RV_ENOMEM) {
				fprintf(stderr, "round %d op %d (%u): %ld\n", round, i, op, r);
				bad++;
			}
		}
		fdev.dead = true; /* killed: what is not synced is lost */
		umount_img();
		{
			/* e2fsck -n does not free the orphan list's files: the
			 * next mount does (as the restarted server's would) */
			struct ext2_super sb;

			peek(kimg, 1024, &sb, sizeof(sb));
			if (sb.s_last_orphan) {
				recovered++;
				CHECK_EQ_INT(mount_img(kimg, false), 0);
				if (!fs)
					return;
				CHECK_EQ_INT(umount_img(), 0);
			}
		}
		if (!fsck_clean(kimg)) {
			fprintf(stderr, "after round %d\n", round);
			bad++;
			break;
		}
	}
	CHECK_EQ_INT(bad, 0);
	printf("random kills: %d rounds, %d with open unlinked files recovered\n", rounds,
	       recovered);
	CHECK(recovered > 0);
	/* and a clean unmount at the end */
	CHECK_EQ_INT(mount_img(kimg, false), 0);
	if (fs) {
		CHECK_EQ_INT(umount_img(), 0);
		CHECK(fsck_clean(kimg));
	}
}

/* Data at every alignment of the caller's buffer and of the file offset
 * (the server's message buffers put it at odd addresses): word copies
 * with shifts must give the same bytes. */
static void test_align(void)
{
	static const size_t lens[] = { 1, 7, 8, 9, 31, 33, 100, 1000, 4096, 5000 };
	static uint8_t src[6000 + 16], dst[6000 + 16], want[6000];
	vfs_ino_t ino;
	int bad = 0;

	fresh();
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (!fs)
		return;
	CHECK_EQ_INT(x_create("align", FS_S_IFREG | 0644, &ino), 0);
	for (unsigned int li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		for (unsigned int k = 0; k < 8; k++) {
			size_t len = lens[li];
			uint64_t off = 1000 * li + 3 * k;
			unsigned int j = (k * 5 + li) & 7;

			pattern(want, len, li * 8 + k, 0);
			memcpy(src + k, want, len);
			memset(dst, 0xee, sizeof(dst));
			if (fs->ops->write(fs, ino, off, src + k, len) != (long)len ||
			    fs->ops->read(fs, ino, off, dst + j, len) != (long)len ||
			    memcmp(dst + j, want, len) || dst[j + len] != 0xee ||
			    (j && dst[j - 1] != 0xee))
				bad++;
		}
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(img));
}

/* Files with an extended-attribute block (put there by debugfs): the
 * block goes with the last file that shares it; symlinks too. */
static void test_xattr(void)
{
	struct fs_statfs before, after;
	struct fs_stat st;
	char val[160];

	fresh();
	snprintf(val, sizeof(val), "%s/xattr.val", tmpdir);
	sh("head -c 800 /dev/zero | tr '\\0' x > %s", val);
	sh(TOOLS "debugfs -w -R 'ea_set -f %s /small user.big' %s >/dev/null 2>&1", val, img);
	sh(TOOLS "debugfs -w -R 'ea_set -f %s /fast_link user.big' %s >/dev/null 2>&1", val, img);
	sh(TOOLS "debugfs -w -R 'ea_set -f %s /slow_link user.big' %s >/dev/null 2>&1", val, img);
	CHECK(fsck_clean(img));
	CHECK_EQ_INT(mount_img(img, false), 0);
	if (!fs)
		return;
	CHECK_EQ_INT(x_stat("small", &st), 0);
	CHECK_EQ_UINT(st.blocks, 4); /* one data block and the xattr block */
	CHECK(same_content("small", 3, 1000));
	{
		vfs_ino_t ino;
		char t[16];

		CHECK_EQ_INT(resolve("fast_link", &ino), 0);
		CHECK_EQ_INT(fs->ops->readlink(fs, ino, t, sizeof(t)), 9);
		CHECK(!memcmp(t, "hello.txt", 9));
	}
	CHECK_EQ_INT(fs->ops->statfs(fs, &before), 0);
	CHECK_EQ_INT(x_unlink("small", false), 0);
	CHECK_EQ_INT(x_unlink("fast_link", false), 0);
	CHECK_EQ_INT(x_unlink("slow_link", false), 0);
	CHECK_EQ_INT(fs->ops->statfs(fs, &after), 0);
	CHECK(after.blocks_free >= before.blocks_free + 2);
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(img));
}

/* ---- the block cache alone ---- */

static void test_bcache(void)
{
	char cimg[160];
	struct bcache_block *b[8];
	uint32_t n = 4;
	size_t sz;
	void *mem;
	int fd;

	snprintf(cimg, sizeof(cimg), "%s/cache.img", tmpdir);
	fd = open(cimg, O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(ftruncate(fd, 64 * 1024) == 0);
	close(fd);
	memset(&fdev, 0, sizeof(fdev));
	fdev.fd = open(cimg, O_RDWR);
	fdev.dev.read = f_read;
	fdev.dev.write = f_write;
	fdev.dev.flush = f_flush;
	fdev.dev.sectors = 128;
	fdev.fs_sectors = 128;
	sz = bcache_mem_size(1024, n);
	mem = aligned_alloc(4096, (sz + 4095) & ~(size_t)4095);
	CHECK_EQ_INT(bcache_init(&bc, &fdev.dev, 1024, n, mem, sz - 1), -RV_EINVAL);
	CHECK_EQ_INT(bcache_init(&bc, &fdev.dev, 1024, n, mem, sz), 0);
	CHECK(bcache_dev(bc) == &fdev.dev);
	CHECK_EQ_INT(bcache_block_size(bc), 1024);
	CHECK_EQ_INT(bcache_run_max(bc), 1); /* a quarter of 4 buffers */
	CHECK_EQ_INT(bcache_get(bc, 64, &b[0]), -RV_EINVAL); /* past the end */
	for (uint32_t i = 0; i < n; i++) {
		CHECK_EQ_INT(bcache_get_new(bc, i, &b[i]), 0);
		memset(b[i]->data, 'a' + (int)i, 1024);
		bcache_dirty(bc, b[i]);
	}
	CHECK_EQ_INT(bcache_get(bc, 10, &b[4]), -RV_ENOMEM); /* every buffer held */
	CHECK_EQ_INT(fdev.writes, 0);
	for (uint32_t i = 0; i < n; i++)
		bcache_put(bc, b[i]);
	/* reuse writes the least recent dirty block back first */
	CHECK_EQ_INT(bcache_get(bc, 10, &b[4]), 0);
	CHECK_EQ_INT(fdev.writes, 1);
	bcache_put(bc, b[4]);
	CHECK_EQ_INT(bcache_get(bc, 3, &b[3]), 0); /* a hit: still there */
	CHECK_EQ_INT(((uint8_t *)b[3]->data)[7], 'd');
	bcache_put(bc, b[3]);
	CHECK_EQ_INT(bcache_sync(bc), 0);
	CHECK_EQ_INT(fdev.writes, 4);
	CHECK_EQ_INT(bcache_sync(bc), 0);
	CHECK_EQ_INT(fdev.writes, 4); /* nothing dirty */
	CHECK_EQ_INT(bcache_drop(bc), 0);
	CHECK_EQ_INT(bcache_get(bc, 0, &b[0]), 0); /* read back from the device */
	CHECK_EQ_INT(((uint8_t *)b[0]->data)[1023], 'a');
	bcache_put(bc, b[0]);
	fdev.fail_reads = true;
	CHECK_EQ_INT(bcache_drop(bc), 0);
	CHECK_EQ_INT(bcache_get(bc, 1, &b[1]), -RV_EIO);
	fdev.fail_reads = false;
	CHECK_EQ_INT(bcache_get(bc, 1, &b[1]), 0);
	CHECK_EQ_INT(((uint8_t *)b[1]->data)[0], 'b');
	bcache_put(bc, b[1]);
	free(mem);
	close(fdev.fd);
}


/* ---- the journal (ext3) ---- */

/* The file-system block of each journal block, from debugfs (one run). */
static uint32_t jmap[4200];
static uint32_t njmap;

static void journal_map(const char *path, uint32_t n)
{
	char cmds[160], line[512];
	FILE *f;

	snprintf(cmds, sizeof(cmds), "%s/jmap.cmd", tmpdir);
	f = fopen(cmds, "w");
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "bmap <8> %u\n", i);
	fclose(f);
	snprintf(line, sizeof(line), TOOLS "debugfs -f %s %s 2>/dev/null", cmds, path);
	f = popen(line, "r");
	njmap = 0;
	while (f && njmap < n && fgets(line, sizeof(line), f))
		if (line[0] >= '0' && line[0] <= '9')
			jmap[njmap++] = (uint32_t)strtoul(line, NULL, 10);
	if (f)
		pclose(f);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The log's blocks in order from journal block 1: type and sequence. */
struct jblock {
	uint32_t pos, type, seq;
};

static int journal_blocks_of(const char *path, uint32_t bs, struct jblock *out, int max)
{
	uint8_t hdr[12];
	int n = 0;

	for (uint32_t pos = 1; pos < njmap && n < max; pos++) {
		peek(path, (uint64_t)jmap[pos] * bs, hdr, sizeof(hdr));
		if (be32(hdr) != JBD2_MAGIC)
			continue;
		out[n].pos = pos;
		out[n].type = be32(hdr + 4);
		out[n].seq = be32(hdr + 8);
		n++;
	}
	return n;
}

static bool has_file(const char *path)
{
	vfs_ino_t ino;

	return resolve(path, &ino) == 0;
}

/* Does debugfs (which never replays) find path in the image as it is? */
static bool debugfs_finds(const char *image, const char *path)
{
	return sh(TOOLS "debugfs -R 'stat %s' %s 2>&1 | grep -q 'File not found'", path, image) != 0;
}

/* rvOS logs, the power goes, and then both replays give the same files:
 * the host's e2fsck on a copy, the file server's mount on the image. */
static void journal_rvos_logs(const char *opts, unsigned int kib, uint32_t bs)
{
	static uint8_t buf[70000];
	char jimg[160], himg[160];
	vfs_ino_t ino;

	snprintf(jimg, sizeof(jimg), "%s/j.img", tmpdir);
	snprintf(himg, sizeof(himg), "%s/jhost.img", tmpdir);
	make_img(jimg, opts, kib);
	CHECK(fsck_clean(jimg));
	CHECK_EQ_INT(mount_img_n(jimg, false, 256), 0);
	if (!fs)
		return;
	pattern(buf, sizeof(buf), 41, 0);
	CHECK_EQ_INT(x_create("j1", FS_S_IFREG | 0644, &ino), 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, 5000), 5000);
	CHECK_EQ_INT(x_create("jd", FS_S_IFDIR | 0755, NULL), 0);
	CHECK_EQ_INT(x_create("jd/j2", FS_S_IFREG | 0644, &ino), 0);
	pattern(buf, sizeof(buf), 42, 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK_EQ_INT(x_rename("small", "jd/small2"), 0);
	CHECK_EQ_INT(x_unlink("twelve", false), 0);
	CHECK_EQ_INT(x_truncate("ind", 3000), 0);
	CHECK_EQ_INT(fs->ops->sync(fs, ino, false), 0); /* fsync: a commit */
	CHECK_EQ_INT(x_create("j3", FS_S_IFREG | 0644, &ino), 0);
	pattern(buf, sizeof(buf), 43, 0);
	CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, 100), 100);
	CHECK_EQ_INT(fs->ops->sync(fs, ino, true), 0);
	CHECK_EQ_INT(x_create("j4", FS_S_IFREG | 0644, NULL), 0); /* never committed */
	fdev.dead = true; /* the power goes */
	umount_img();
	/* in place the file system is still the old one: only the log has it */
	CHECK(!debugfs_finds(jimg, "/j1"));
	CHECK(debugfs_finds(jimg, "/twelve"));
	CHECK(sh(TOOLS "dumpe2fs -h %s 2>/dev/null | grep -q needs_recovery", jimg) == 0);
	/* the host's replay */
	sh("cp %s %s", jimg, himg);
	CHECK(sh(TOOLS "e2fsck -fy %s >/dev/null 2>&1", himg) <= 1 * 256);
	CHECK(fsck_clean(himg));
	pattern(buf, sizeof(buf), 41, 0);
	CHECK(debugfs_same(himg, "/j1", buf, 5000));
	pattern(buf, sizeof(buf), 42, 0);
	CHECK(debugfs_same(himg, "/jd/j2", buf, sizeof(buf)));
	pattern(buf, sizeof(buf), 43, 0);
	CHECK(debugfs_same(himg, "/j3", buf, 100));
	CHECK(debugfs_finds(himg, "/jd/small2"));
	CHECK(!debugfs_finds(himg, "/small"));
	CHECK(!debugfs_finds(himg, "/twelve"));
	CHECK(!debugfs_finds(himg, "/j4"));
	/* the file server's replay, on the image itself */
	CHECK_EQ_INT(mount_img(jimg, false), 0);
	if (!fs)
		return;
	CHECK(same_content("j1", 41, 5000));
	CHECK(same_content("jd/j2", 42, 70000));
	CHECK(same_content("j3", 43, 100));
	CHECK(same_content("jd/small2", 3, 1000));
	CHECK(same_content("ind", 5, 3000));
	CHECK(!has_file("twelve") && !has_file("small") && !has_file("j4"));
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(jimg));
	CHECK(sh(TOOLS "dumpe2fs -h %s 2>/dev/null | grep -q needs_recovery", jimg) != 0);
	(void)bs;
}

static void test_journal_replay(void)
{
	journal_rvos_logs("-r 1 -b 1024 -N 256 -O has_journal -J size=1", 12288, 1024);
	journal_rvos_logs("-r 1 -b 4096 -N 256 -O has_journal -J size=4", 16384, 4096);
}

/* Logs made by e2fsprogs (debugfs's journal writer), replayed by the
 * file server: a plain log with a revoke record, the crc32 of whole
 * transactions, and version 3 checksums (on a metadata_csum image). */
static void journal_host_log(const char *mkfs, const char *jo, bool revoke)
{
	char jimg[160], data[160];
	uint8_t b[1024], want[1024];

	snprintf(jimg, sizeof(jimg), "%s/hj.img", tmpdir);
	snprintf(data, sizeof(data), "%s/hj.data", tmpdir);
	sh("rm -f %s", jimg);
	CHECK_EQ_INT(sh(TOOLS "mke2fs -q -F %s -J size=1 -b 1024 %s 8192 >/dev/null 2>&1", mkfs,
			jimg), 0);
	sh("head -c 2048 /dev/zero | tr '\\0' 'B' > %s", data);
	CHECK_EQ_INT(sh(TOOLS "printf 'jo %s\\njw -b 3000,3001 %s\\n%sjc\\n' | debugfs -w -f - %s "
			">/dev/null 2>&1", jo, data, revoke ? "jw -r 3001\\n" : "", jimg), 0);
	CHECK(sh(TOOLS "dumpe2fs -h %s 2>/dev/null | grep -q needs_recovery", jimg) == 0);
	peek(jimg, 3000 * 1024, b, sizeof(b));
	memset(want, 'B', sizeof(want));
	CHECK(memcmp(b, want, sizeof(b)) != 0); /* not there before the replay */
	CHECK_EQ_INT(mount_img(jimg, false), 0);
	if (!fs)
		return;
	CHECK_EQ_INT(umount_img(), 0);
	peek(jimg, 3000 * 1024, b, sizeof(b));
	CHECK(memcmp(b, want, sizeof(b)) == 0);
	peek(jimg, 3001 * 1024, b, sizeof(b));
	if (revoke)
		CHECK(memcmp(b, want, sizeof(b)) != 0); /* revoked by the second transaction */
	else
		CHECK(memcmp(b, want, sizeof(b)) == 0);
	CHECK(sh(TOOLS "dumpe2fs -h %s 2>/dev/null | grep -q needs_recovery", jimg) != 0);
	CHECK(fsck_clean(jimg));
}

static void test_journal_host(void)
{
	journal_host_log("-t ext2 -O has_journal", "", true);
	journal_host_log("-t ext2 -O has_journal", "-c", false);
	journal_host_log("-t ext4 -O ^extent,^flex_bg,^64bit,metadata_csum,^huge_file,"
			 "^dir_nlink,^extra_isize", "-c", false);
}

/* A full ext3 disk: an unlink's blocks come back at the next commit,
 * which the next write makes first, so it finds the room again. */
static void test_journal_full(void)
{
	static uint8_t buf[64 * 1024];
	char jimg[160];
	struct fs_statfs st0, st1;
	long total = 0, again = 0, r;
	vfs_ino_t ino;

	snprintf(jimg, sizeof(jimg), "%s/full.img", tmpdir);
	/* 4 KiB blocks: the frees stay below what ends an operation with a
	 * commit (EXT2_PENDING_FREES_MAX) */
	make_img(jimg, "-r 1 -b 4096 -N 256 -O has_journal -J size=4", 4096); /* blocks */
	CHECK_EQ_INT(mount_img_n(jimg, false, 256), 0);
	if (!fs)
		return;
	pattern(buf, sizeof(buf), 77, 0);
	CHECK_EQ_INT(fs->ops->statfs(fs, &st0), 0);
	CHECK_EQ_INT(x_create("fill", FS_S_IFREG | 0644, &ino), 0);
	while ((r = fs->ops->write(fs, ino, (uint64_t)total, buf, sizeof(buf))) > 0)
		total += r;
	CHECK_EQ_INT(r, -RV_ENOSPC);
	CHECK(total > 5 * 1024 * 1024);
	CHECK_EQ_INT(x_unlink("fill", false), 0);
	CHECK_EQ_INT(fs->ops->statfs(fs, &st1), 0);
	CHECK_EQ_INT(st1.blocks_free, st0.blocks_free); /* as statfs counts them */
	CHECK_EQ_INT(x_create("again", FS_S_IFREG | 0644, &ino), 0);
	while (again < total && (r = fs->ops->write(fs, ino, (uint64_t)again, buf, sizeof(buf))) > 0)
		again += r;
	CHECK_EQ_INT(again, total);
	CHECK_EQ_INT(umount_img(), 0);
	CHECK(fsck_clean(jimg));
}

/* A damaged log is replayed up to its last good commit, never past it. */
static void test_journal_damage(void)
{
	static uint8_t buf[3000];
	char jimg[160], pristine[160];
	struct jblock jb[64];
	uint8_t b[4];
	int n, desc2 = -1, commit3 = -1;

	snprintf(jimg, sizeof(jimg), "%s/dj.img", tmpdir);
	snprintf(pristine, sizeof(pristine), "%s/dj0.img", tmpdir);
	make_img(jimg, "-r 1 -b 1024 -N 256 -O has_journal -J size=1", 12288);
	CHECK_EQ_INT(mount_img_n(jimg, false, 256), 0);
	if (!fs)
		return;
	for (int i = 1; i <= 3; i++) {
		char name[16];
		vfs_ino_t ino;

		snprintf(name, sizeof(name), "c%d", i);
		pattern(buf, sizeof(buf), 50 + (uint32_t)i, 0);
		CHECK_EQ_INT(x_create(name, FS_S_IFREG | 0644, &ino), 0);
		CHECK_EQ_INT(fs->ops->write(fs, ino, 0, buf, sizeof(buf)), (long)sizeof(buf));
		CHECK_EQ_INT(fs->ops->sync(fs, ino, false), 0);
	}
	fdev.dead = true;
	umount_img();
	sh("cp %s %s", jimg, pristine);
	journal_map(jimg, 1024);
	CHECK_EQ_INT(njmap, 1024);
	n = journal_blocks_of(jimg, 1024, jb, 64);
	for (int i = 0; i < n; i++) {
		if (jb[i].type == JBD2_DESCRIPTOR_BLOCK && jb[i].seq == jb[0].seq + 1 && desc2 < 0)
			desc2 = i;
		if (jb[i].type == JBD2_COMMIT_BLOCK && jb[i].seq == jb[0].seq + 2)
			commit3 = i;
	}
	CHECK(desc2 > 0 && commit3 > desc2);
	if (desc2 < 0 || commit3 < 0)
		return;
	struct {
		const char *what;
		uint64_t off;
		uint32_t len;
		uint8_t byte;
		int files; /* c1..cN replayed */
		int mount;
	} cases[] = {
		{"the third commit's magic", (uint64_t)jmap[jb[commit3].pos] * 1024, 1, 0x00, 2, 0},
		{"a logged block of the second (its checksum)",
		 (uint64_t)jmap[jb[desc2].pos + 1] * 1024 + 100, 1, 0x5a, 1, 0},
		{"the third commit block (cut short)", (uint64_t)jmap[jb[commit3].pos] * 1024, 1024,
		 0x00, 2, 0},
		{"the second descriptor's sequence (a gap)",
		 (uint64_t)jmap[jb[desc2].pos] * 1024 + 11, 1, 0x77, 1, 0},
		{"the second descriptor's checksum", (uint64_t)jmap[jb[desc2].pos] * 1024 + 1020, 1,
		 0x33, 1, 0},
		{"the journal superblock's magic", (uint64_t)jmap[0] * 1024, 1, 0x00, 0,
		 -RV_EUCLEAN},
		{"the journal superblock (its checksum)", (uint64_t)jmap[0] * 1024 + 0x30, 1, 0x99,
		 0, -RV_EUCLEAN},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint8_t patch[1024];

		sh("cp %s %s", pristine, jimg);
		for (uint32_t i = 0; i < cases[k].len; i++) {
			peek(jimg, cases[k].off + i, b, 1);
			patch[i] = cases[k].len == 1 ? (uint8_t)(b[0] ^ (cases[k].byte ? cases[k].byte : 0xff))
						    : cases[k].byte;
		}
		poke(jimg, cases[k].off, patch, cases[k].len);
		if (mount_img(jimg, false) != cases[k].mount) {
			fprintf(stderr, "damaged %s: mount %s\n", cases[k].what, why ? why : "-");
			CHECK(0);
			if (fs)
				umount_img();
			continue;
		}
		if (!fs)
			continue;
		for (int i = 1; i <= 3; i++) {
			char name[16];

			snprintf(name, sizeof(name), "c%d", i);
			if (has_file(name) != (i <= cases[k].files)) {
				fprintf(stderr, "damaged %s: c%d %s\n", cases[k].what, i,
					has_file(name) ? "replayed" : "missing");
				CHECK(0);
			} else if (i <= cases[k].files) {
				CHECK(same_content(name, 50 + (uint32_t)i, sizeof(buf)));
			}
		}
		CHECK_EQ_INT(umount_img(), 0);
		CHECK(fsck_clean(jimg));
	}
}

/* Random operations with fsyncs on an ext3 image, the power cut after a
 * random number of device writes (the writes after it lost), then a
 * replay: the host's e2fsck finds the image clean after either replay,
 * and every file fsynced (and not touched since) has its bytes. Many
 * transactions per round: the log wraps and is checkpointed. */
static void test_journal_cuts(void)
{
	static uint8_t buf[20000];
	char kimg[160], himg[160];
	int rounds = 16, bad = 0;
	unsigned long total = 0;

	rng_state = 0x5EEDC0FFEE123457ull;
	snprintf(kimg, sizeof(kimg), "%s/jcut.img", tmpdir);
	snprintf(himg, sizeof(himg), "%s/jcut-host.img", tmpdir);
	sh(TOOLS "mke2fs -q -F -t ext2 -O has_journal -J size=1 -r 1 -b 1024 -N 256 %s 12288 "
	   ">/dev/null 2>&1", kimg);
	for (int round = 0; round < rounds; round++) {
		char synced[40][32];
		uint32_t synced_seed[40], synced_len[40];
		int nsynced = 0;

		CHECK_EQ_INT(mount_img_n(kimg, false, rnd(2) ? 64 : 256), 0);
		if (!fs)
			return;
		x_create("d", FS_S_IFDIR | 0755, NULL);
		fdev.kill_after = 20 + rnd(round < 4 ? 400 : 4000);
		for (int i = 0; i < 300 && !fdev.dead; i++) {
			char name[32];
			uint32_t op = rnd(100), len = 1 + rnd(sizeof(buf));
			vfs_ino_t ino;

			snprintf(name, sizeof(name), "%sf%u", rnd(2) ? "d/" : "", rnd(30));
			if (op < 40) {
				/* a new file, written and fsynced: never touched again */
				snprintf(name, sizeof(name), "s%d-%d", round, i);
				pattern(buf, len, (uint32_t)(round * 1000 + i), 0);
				if (x_create(name, FS_S_IFREG | 0644, &ino) == 0 &&
				    fs->ops->write(fs, ino, 0, buf, len) == (long)len &&
				    fs->ops->sync(fs, ino, false) == 0 && nsynced < 40) {
					snprintf(synced[nsynced], 32, "%s", name);
					synced_seed[nsynced] = (uint32_t)(round * 1000 + i);
					synced_len[nsynced++] = len;
				}
			} else if (op < 65) {
				pattern(buf, len, (uint32_t)i, 0);
				x_create(name, FS_S_IFREG | 0644, NULL);
				x_write(name, rnd(40000), buf, len);
			} else if (op < 80) {
				x_unlink(name, false);
			} else if (op < 88) {
				x_truncate(name, rnd(30000));
			} else if (op < 95) {
				char to[16];

				snprintf(to, sizeof(to), "%sf%u", rnd(2) ? "d/" : "", rnd(30));
				x_rename(name, to);
			} else {
				fs->ops->sync(fs, 0, false);
			}
		}
		total += fdev.writes;
		fdev.dead = true;
		umount_img();
		sh("cp %s %s", kimg, himg);
		/* the host replays a copy */
		sh(TOOLS "e2fsck -fy %s >/dev/null 2>&1", himg);
		if (!fsck_clean(himg)) {
			fprintf(stderr, "round %d: the host's replay left it unclean\n", round);
			bad++;
		}
		for (int k = 0; k < nsynced; k++) {
			char p[40];

			pattern(buf, synced_len[k], synced_seed[k], 0);
			snprintf(p, sizeof(p), "/%s", synced[k]);
			if (!debugfs_same(himg, p, buf, synced_len[k])) {
				fprintf(stderr, "round %d: %s lost after the host's replay\n", round,
					synced[k]);
				bad++;
			}
		}
		/* the file server replays the image */
		CHECK_EQ_INT(mount_img(kimg, false), 0);
		if (!fs)
			return;
		for (int k = 0; k < nsynced; k++)
			if (!same_content(synced[k], synced_seed[k], synced_len[k])) {
				fprintf(stderr, "round %d: %s lost after our replay\n", round, synced[k]);
				bad++;
			}
		CHECK_EQ_INT(umount_img(), 0);
		if (!fsck_clean(kimg)) {
			fprintf(stderr, "round %d: unclean after our replay\n", round);
			bad++;
			break;
		}
	}
	CHECK_EQ_INT(bad, 0);
	printf("journal: %d power cuts, %lu device writes, every fsynced file whole\n", rounds,
	       total);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ext2-unit.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(base_img, sizeof(base_img), "%s/base.img", tmpdir);
	snprintf(img, sizeof(img), "%s/test.img", tmpdir);
	alarm(100); /* a hang is a failure, not a stuck test run */
	make_stage();
	make_img(base_img, "-r 1 -b 1024 -N 256", 8192);
	if (!fsck_clean(base_img))
		return 1;
	RUN(test_bcache);
	RUN(test_read);
	RUN(test_write);
	RUN(test_full);
	RUN(test_huge);
	RUN(test_variants);
	RUN(test_kill);
	RUN(test_requests);
	RUN(test_align);
	RUN(test_xattr);
	RUN(test_random);
	RUN(test_random_kill);
	RUN(test_journal_replay);
	RUN(test_journal_host);
	RUN(test_journal_damage);
	RUN(test_journal_full);
	RUN(test_journal_cuts);
	RUN(test_corrupt);
	RUN(test_fuzz);
	printf("corruption kinds: %d\n", kinds);
	free(base_data);
	if (!ut_failed)
		sh("rm -rf %s", tmpdir);
	return ut_summary("ext2");
}
