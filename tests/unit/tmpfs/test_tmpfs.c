// SPDX-License-Identifier: Apache-2.0
/*
 * Host tests for tmpfs (subsys/servers/fs/tmpfs.c) through its vfs_ops:
 * sparse files against a model (random writes, truncates and reads), the
 * exact data and inode limits, EFBIG, links and nlink counts through
 * mkdir/rmdir/rename, rename's every case, readdir cookies while entries
 * come and go, unlink while referenced, and an unmount that frees
 * everything (AddressSanitizer's leak check).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unittest.h"
#include "vfs.h"

#define PAGE 4096u
#define MODEL_BYTES (256u * 1024)

static uint64_t clock_now;

static uint64_t fake_now(void)
{
	return clock_now += 1000;
}

static struct vfs_fs *mount(uint64_t bytes, uint32_t inodes)
{
	struct vfs_fs *fs = NULL;

	CHECK_EQ_INT(tmpfs_mount(&fs, bytes, inodes, fake_now), 0);
	return fs;
}

static vfs_ino_t mk(struct vfs_fs *fs, vfs_ino_t dir, const char *name, uint32_t mode)
{
	vfs_ino_t ino = 0;

	CHECK_EQ_INT(fs->ops->create(fs, dir, name, strlen(name), mode, &ino), 0);
	return ino;
}

static int look(struct vfs_fs *fs, vfs_ino_t dir, const char *name, vfs_ino_t *out)
{
	return fs->ops->lookup(fs, dir, name, strlen(name), out);
}

static uint32_t nlink(struct vfs_fs *fs, vfs_ino_t ino)
{
	struct fs_stat st;

	CHECK_EQ_INT(fs->ops->getattr(fs, ino, &st), 0);
	return st.nlink;
}

static void test_model(void)
{
	static uint8_t model[MODEL_BYTES], buf[MODEL_BYTES];
	struct vfs_fs *fs = mount(64u << 20, 16);
	vfs_ino_t f = mk(fs, 1, "f", FS_S_IFREG | 0644);
	uint64_t size = 0;
	struct fs_stat st;

	srand(7);
	for (int round = 0; round < 3000; round++) {
		int op = rand() % 10;
		uint64_t off = (uint64_t)rand() % MODEL_BYTES;
		size_t len = (size_t)rand() % (3 * PAGE);

		if (off + len > MODEL_BYTES)
			len = MODEL_BYTES - off;
		if (op < 5) {
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)rand();
			CHECK_EQ_INT(fs->ops->write(fs, f, off, buf, len), (long)len);
			memcpy(model + off, buf, len);
			if (len && off + len > size)
				size = off + len;
		} else if (op < 7) {
			CHECK_EQ_INT(fs->ops->truncate(fs, f, off), 0);
			if (off < size)
				memset(model + off, 0, size - off);
			size = off;
		} else {
			long want = off >= size ? 0 : (long)(size - off < len ? size - off : len);

			memset(buf, 0xee, len);
			CHECK_EQ_INT(fs->ops->read(fs, f, off, buf, len), want);
			if (want > 0 && memcmp(buf, model + off, (size_t)want)) {
				CHECK(!"read matches the model");
				break;
			}
		}
	}
	CHECK_EQ_INT(fs->ops->getattr(fs, f, &st), 0);
	CHECK_EQ_UINT(st.size, size);
	CHECK(st.blocks * 512 <= (size + PAGE - 1) / PAGE * PAGE);
	/* Sparse: one byte 100 GiB in costs one page. */
	CHECK_EQ_INT(fs->ops->truncate(fs, f, 0), 0);
	CHECK_EQ_INT(fs->ops->write(fs, f, 100ull << 30, "x", 1), 1);
	CHECK_EQ_INT(fs->ops->getattr(fs, f, &st), 0);
	CHECK_EQ_UINT(st.size, (100ull << 30) + 1);
	CHECK_EQ_UINT(st.blocks, PAGE / 512);
	CHECK_EQ_INT(fs->ops->read(fs, f, 50ull << 30, buf, 10), 10);
	CHECK(!memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10));
	/* The largest file: 1 TiB. */
	CHECK_EQ_INT(fs->ops->write(fs, f, 1ull << 40, "x", 1), -RV_EFBIG);
	CHECK_EQ_INT(fs->ops->write(fs, f, (1ull << 40) - 1, "xy", 2), 1);
	CHECK_EQ_INT(fs->ops->truncate(fs, f, (1ull << 40) + 1), -RV_EFBIG);
	CHECK_EQ_INT(fs->ops->unmount(fs), 0);
}

static void test_limits(void)
{
	struct vfs_fs *fs = mount(8 * PAGE, 4);
	static uint8_t buf[10 * PAGE];
	struct fs_statfs sf;
	vfs_ino_t f = mk(fs, 1, "f", FS_S_IFREG | 0644), g, x;

	CHECK_EQ_INT(fs->ops->write(fs, f, 100, buf, sizeof(buf)), 8 * PAGE - 100);
	CHECK_EQ_INT(fs->ops->write(fs, f, 8 * PAGE, buf, 1), -RV_ENOSPC);
	CHECK_EQ_INT(fs->ops->write(fs, f, 0, buf, 100), 100); /* in place: no space needed */
	CHECK_EQ_INT(fs->ops->statfs(fs, &sf), 0);
	CHECK_EQ_UINT(sf.blocks_free, 0);
	CHECK_EQ_INT(fs->ops->truncate(fs, f, PAGE + 1), 0);
	CHECK_EQ_INT(fs->ops->statfs(fs, &sf), 0);
	CHECK_EQ_UINT(sf.blocks_free, 6);
	g = mk(fs, 1, "g", FS_S_IFREG | 0644);
	x = mk(fs, 1, "x", FS_S_IFDIR | 0755);
	CHECK_EQ_INT(fs->ops->create(fs, 1, "y", 1, FS_S_IFREG, &x), -RV_ENOSPC);
	CHECK_EQ_INT(fs->ops->symlink(fs, 1, "y", 1, "f", 1, &x), -RV_ENOSPC);
	CHECK_EQ_INT(fs->ops->statfs(fs, &sf), 0);
	CHECK_EQ_UINT(sf.inodes_free, 0);
	CHECK_EQ_INT(fs->ops->unlink(fs, 1, "g", 1, false), 0);
	CHECK_EQ_INT(fs->ops->statfs(fs, &sf), 0);
	CHECK_EQ_UINT(sf.inodes_free, 1);
	(void)g;
	CHECK_EQ_INT(fs->ops->unmount(fs), 0);
}

static void test_links(void)
{
	struct vfs_fs *fs = mount(1 << 20, 64);
	vfs_ino_t a, b, c, f, out;
	char target[8];

	a = mk(fs, 1, "a", FS_S_IFDIR | 0755);
	b = mk(fs, a, "b", FS_S_IFDIR | 0755);
	c = mk(fs, 1, "c", FS_S_IFDIR | 0755);
	f = mk(fs, b, "f", FS_S_IFREG | 0644);
	CHECK_EQ_UINT(nlink(fs, 1), 4);
	CHECK_EQ_UINT(nlink(fs, a), 3);
	CHECK_EQ_INT(fs->ops->create(fs, a, "b", 1, FS_S_IFREG, &out), -RV_EEXIST);
	CHECK_EQ_INT(fs->ops->create(fs, f, "x", 1, FS_S_IFREG, &out), -RV_ENOTDIR);
	CHECK_EQ_INT(fs->ops->link(fs, c, "h", 1, f), 0);
	CHECK_EQ_UINT(nlink(fs, f), 2);
	CHECK_EQ_INT(fs->ops->link(fs, c, "d", 1, a), -RV_EPERM);
	/* rename: a directory across directories moves its '..'. */
	CHECK_EQ_INT(fs->ops->rename(fs, a, "b", 1, c, "b2", 2), 0);
	CHECK_EQ_UINT(nlink(fs, a), 2);
	CHECK_EQ_UINT(nlink(fs, c), 3);
	CHECK_EQ_INT(look(fs, b, "..", &out), 0);
	CHECK_EQ_UINT(out, c);
	CHECK_EQ_INT(fs->ops->rename(fs, 1, "c", 1, b, "x", 1), -RV_EINVAL);
	CHECK_EQ_INT(fs->ops->rename(fs, 1, "c", 1, c, "x", 1), -RV_EINVAL);
	/* over an empty directory, across directories */
	CHECK_EQ_INT(fs->ops->rename(fs, c, "b2", 2, 1, "a", 1), 0);
	CHECK_EQ_UINT(nlink(fs, 1), 4); /* a went, b2 came: root has b2(a), c */
	CHECK_EQ_UINT(nlink(fs, c), 2);
	CHECK_EQ_INT(look(fs, 1, "a", &out), 0);
	CHECK_EQ_UINT(out, b);
	/* over a file; the other link stays */
	mk(fs, 1, "g", FS_S_IFREG | 0644);
	CHECK_EQ_INT(fs->ops->rename(fs, 1, "g", 1, c, "h", 1), 0);
	CHECK_EQ_UINT(nlink(fs, f), 1);
	CHECK_EQ_INT(fs->ops->rename(fs, b, "f", 1, 1, "c", 1), -RV_EISDIR);
	CHECK_EQ_INT(fs->ops->rename(fs, 1, "c", 1, b, "f", 1), -RV_ENOTDIR);
	CHECK_EQ_INT(fs->ops->rename(fs, 1, "nope", 4, 1, "x", 1), -RV_ENOENT);
	/* symlinks */
	CHECK_EQ_INT(fs->ops->symlink(fs, 1, "s", 1, "a/f", 3, &out), 0);
	CHECK_EQ_INT(fs->ops->readlink(fs, out, target, 2), 3);
	CHECK(!memcmp(target, "a/", 2));
	CHECK_EQ_INT(fs->ops->readlink(fs, f, target, 2), -RV_EINVAL);
	/* unlink and rmdir */
	CHECK_EQ_INT(fs->ops->unlink(fs, 1, "a", 1, true), -RV_ENOTEMPTY);
	CHECK_EQ_INT(fs->ops->unlink(fs, 1, "a", 1, false), -RV_EISDIR);
	CHECK_EQ_INT(fs->ops->unlink(fs, b, "f", 1, true), -RV_ENOTDIR);
	CHECK_EQ_INT(fs->ops->unlink(fs, 1, ".", 1, true), -RV_EINVAL);
	CHECK_EQ_INT(fs->ops->unlink(fs, 1, "..", 2, true), -RV_ENOTEMPTY);
	/* unlink while referenced: readable until the last unref */
	CHECK_EQ_INT(fs->ops->write(fs, f, 0, "data", 4), 4);
	fs->ops->ref(fs, f);
	CHECK_EQ_INT(fs->ops->unlink(fs, b, "f", 1, false), 0);
	CHECK_EQ_INT(look(fs, b, "f", &out), -RV_ENOENT);
	CHECK_EQ_INT(fs->ops->read(fs, f, 0, target, 4), 4);
	CHECK_EQ_INT(fs->ops->link(fs, 1, "back", 4, f), -RV_ENOENT);
	fs->ops->unref(fs, f);
	CHECK_EQ_INT(fs->ops->read(fs, f, 0, target, 4), -RV_ENOENT);
	/* a referenced directory removed: no new entries in it */
	CHECK_EQ_INT(fs->ops->unlink(fs, c, "h", 1, false), 0);
	fs->ops->ref(fs, c);
	CHECK_EQ_INT(fs->ops->unlink(fs, 1, "c", 1, true), 0);
	CHECK_EQ_INT(fs->ops->create(fs, c, "x", 1, FS_S_IFREG, &out), -RV_ENOENT);
	fs->ops->unref(fs, c);
	CHECK_EQ_INT(fs->ops->unmount(fs), 0);
}

struct names {
	char seen[300][16];
	int n, stop_after;
};

static int collect(void *ctx, vfs_ino_t ino, unsigned int type, const char *name, size_t len)
{
	struct names *s = ctx;

	(void)ino;
	(void)type;
	if (s->stop_after-- == 0)
		return 1;
	if (s->n < 300 && len < 16) {
		memcpy(s->seen[s->n], name, len);
		s->seen[s->n][len] = '\0';
		s->n++;
	}
	return 0;
}

static void test_readdir(void)
{
	struct vfs_fs *fs = mount(1 << 20, 512);
	static struct names s;
	int count[200] = {0};
	uint64_t cookie = 0;
	vfs_ino_t out;
	char name[16];

	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		mk(fs, 1, name, FS_S_IFREG | 0644);
	}
	/* Three entries a call; between calls, remove one ahead and add one. */
	for (int call = 0; call < 200; call++) {
		int before = s.n;

		s.stop_after = 3;
		CHECK_EQ_INT(fs->ops->readdir(fs, 1, &cookie, collect, &s), 0);
		if (s.n == before)
			break;
		snprintf(name, sizeof(name), "new%d", call);
		if (call < 20)
			CHECK_EQ_INT(fs->ops->create(fs, 1, name, strlen(name), FS_S_IFREG, &out), 0);
		if (call == 5)
			CHECK_EQ_INT(fs->ops->unlink(fs, 1, "e199", 4, false), 0);
	}
	CHECK_EQ_STR(s.seen[0], ".");
	CHECK_EQ_STR(s.seen[1], "..");
	for (int i = 2; i < s.n; i++) {
		int k;

		if (sscanf(s.seen[i], "e%d", &k) == 1 && k >= 0 && k < 200)
			count[k]++;
	}
	for (int k = 0; k < 199; k++)
		CHECK_EQ_INT(count[k], 1);
	CHECK_EQ_INT(count[199], 0);
	CHECK_EQ_INT(s.n, 2 + 199 + 20);
	CHECK_EQ_INT(fs->ops->unmount(fs), 0);
}

int main(void)
{
	RUN(test_model);
	RUN(test_limits);
	RUN(test_links);
	RUN(test_readdir);
	return ut_summary("tmpfs");
}
