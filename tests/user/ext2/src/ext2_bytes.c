/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host <-> rvOS bytes on ext2, through the real block driver and file
 * server (tests/user/ext2/testcase.yaml, user.ext2.bytes):
 *
 *  1. every file, symbolic link and folder mke2fs -d put on the disk
 *     (mktree.py's tree: text, a binary pattern, files needing indirect and
 *     double indirect blocks, sparse files, links fast and slow, dangling
 *     and looping, nested and large folders, a 255-byte name) reads back
 *     with the size and FNV-1a 64 checksum mktree.py computed at build time
 *     (ext2_expected.h), the targets and names it recorded;
 *  2. it writes files of many sizes (one over 4 MiB: double indirect
 *     blocks; a sparse one past 64 MiB: triple indirect), renames one over
 *     another, makes a hard link, symbolic links, a folder tree, appends,
 *     truncates, removes, syncs, and reads them back itself; after the run
 *     debugfs reads them on the host (testcase.yaml's disk_checks hold the
 *     sha256 values mktree.py sums prints) and e2fsck -fn finds the image
 *     clean;
 *  3. FS_OP_DROP_CACHES: refused (EPERM) on a read-only connection to
 *     /disk, on a folder below it and on a file; on /disk with WRITE it
 *     writes what was not synced (a file and a folder made after the last
 *     sync: debugfs finds them, e2fsck is clean) and forgets the caches,
 *     and everything written reads back from the device with the same
 *     bytes.
 *
 * The disk is mounted at /disk ("/:tmpfs /tmp:tmpfs /disk:ext2:blk0").
 */
#include "check.h"
#include "ext2_common.h"
#include "ext2_expected.h"

#define DISK "/disk"
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Keep in step with mktree.py's written(). */
static const uint32_t write_sizes[] = {0, 1, 1023, 1024, 1025, 4096, 12 * KIB, 12 * KIB + 1,
				       70000, 300000};
#define BIG_SIZE (4u * 1024 * KIB + 123457)
#define SPARSE3_OFF (65ull * 1024 * KIB)
#define SPARSE3_TEXT "triple indirect\n"
#define SMALL_TEXT "written by rvOS\n"

static char path[FS_PATH_MAX];

static const char *at(const char *p)
{
	snprintf(path, sizeof(path), DISK "%s", p);
	return path;
}

static const struct host_file *host_file(const char *p)
{
	for (size_t i = 0; i < N(host_files); i++)
		if (!strcmp(host_files[i].path, p))
			return &host_files[i];
	return NULL;
}

static void host_files_back(void)
{
	unsigned int many = 0;

	for (size_t i = 0; i < N(host_files); i++) {
		const struct host_file *h = &host_files[i];
		uint64_t size = 0, fnv = 0;
		struct fs_stat st;
		int ret = read_sum(root, at(h->path), &size, &fnv);

		CHECK_EQ(h->path, ret, 0);
		CHECK_EQ("size read", size, h->size);
		CHECK("checksum", fnv == h->fnv);
		CHECK_EQ("stat", fs_statat(root, at(h->path), 0, &st), 0);
		CHECK_EQ("stat: size", st.size, h->size);
		CHECK_EQ("stat: a regular file", st.mode & FS_S_IFMT, FS_S_IFREG);
		if (!strncmp(h->path, "/many/", 6)) {
			many += ret == 0 && size == h->size && fnv == h->fnv;
			continue;
		}
		printf("ext2: host %.40s%s: %lu bytes, fnv1a64 %016llx, built %016llx: %s\n",
		       h->path, strlen(h->path) > 40 ? "..." : "", (unsigned long)size,
		       (unsigned long long)fnv, h->fnv,
		       ret == 0 && size == h->size && fnv == h->fnv ? "same" : "DIFFERENT");
	}
	printf("ext2: host /many: %u of 100 small files the same\n", many);

	/* Holes stay holes: the sparse files hold far fewer blocks than bytes. */
	{
		struct fs_stat st;

		CHECK_EQ("stat sparse", fs_statat(root, at("/data/sparse.bin"), 0, &st), 0);
		CHECK("sparse.bin: 4 KiB of data in 1 MiB, a few blocks",
		      st.blocks * 512 < 64 * KIB && st.blocks > 0);
		CHECK_EQ("stat holefirst", fs_statat(root, at("/data/holefirst.bin"), 0, &st), 0);
		CHECK("holefirst.bin: one data block and its indirect blocks",
		      st.blocks * 512 <= 8 * KIB && st.blocks > 0);
		CHECK_EQ("stat big", fs_statat(root, at("/data/big.bin"), 0, &st), 0);
		CHECK("big.bin: every block", st.blocks * 512 >= st.size);
	}
	printf("ext2: %u host files read back with their build-time checksums\n",
	       (unsigned int)N(host_files));
}

static void host_links_back(void)
{
	char t[FS_PATH_MAX];
	uint64_t size, fnv;
	struct fs_stat st;
	rv_handle_t f;

	for (size_t i = 0; i < N(host_links); i++) {
		long n = fs_readlink(root, at(host_links[i].path), t, sizeof(t));

		CHECK_EQ(host_links[i].path, n, (long)strlen(host_links[i].target));
		CHECK("target", n > 0 && !memcmp(t, host_links[i].target, (size_t)n));
		CHECK_EQ("lstat", fs_statat(root, at(host_links[i].path), FS_AT_NOFOLLOW, &st), 0);
		CHECK_EQ("lstat: a link", st.mode & FS_S_IFMT, FS_S_IFLNK);
		CHECK_EQ("lstat: size", st.size, strlen(host_links[i].target));
	}
	/* Followed: a fast link, a slow one (target in a block), a link to a
	 * folder; a dangling one and one to itself. */
	CHECK_EQ("through rel", read_sum(root, at("/links/rel"), &size, &fnv), 0);
	CHECK("rel: hello.txt's bytes", fnv == host_file("/text/hello.txt")->fnv);
	CHECK_EQ("through slow", read_sum(root, at("/links/slow"), &size, &fnv), 0);
	CHECK("slow: lines.txt's bytes", fnv == host_file("/text/lines.txt")->fnv);
	CHECK_EQ("through dir",
		 read_sum(root, at("/links/dir/c/d/e/f/leaf.txt"), &size, &fnv), 0);
	CHECK("dir: leaf.txt's bytes", fnv == host_file("/deep/a/b/c/d/e/f/leaf.txt")->fnv);
	CHECK_EQ("dangling", fs_open(root, at("/links/dangling"), FS_O_READ, 0, &f, NULL),
		 -RV_ENOENT);
	CHECK_EQ("self", fs_open(root, at("/links/self"), FS_O_READ, 0, &f, NULL), -RV_ELOOP);
	printf("ext2: %u host symbolic links: targets as built; followed to the same bytes; "
	       "dangling ENOENT, self ELOOP\n", (unsigned int)N(host_links));
}

static int listed(const struct host_dir *d, const char *name)
{
	for (unsigned int i = 0; i < d->count; i++)
		if (!strcmp(d->names[i], name))
			return 1;
	return 0;
}

static void host_dirs_back(void)
{
	static uint8_t dbuf[FS_IO_MAX] __attribute__((aligned(8)));
	unsigned int entries = 0;

	for (size_t i = 0; i < N(host_dirs); i++) {
		const struct host_dir *d = &host_dirs[i];
		unsigned int seen = 0, extra = 0, dots = 0;
		rv_handle_t h;
		long n;

		CHECK_EQ(d->path,
			 fs_open(root, at(d->path), FS_O_READ | FS_O_DIRECTORY, 0, &h, NULL), 0);
		while ((n = fs_readdir(h, dbuf, sizeof(dbuf))) > 0) {
			struct fs_dirent e;
			size_t pos = 0;

			while (fs_dirent_next(dbuf, (size_t)n, &pos, &e) == 1) {
				if (!strcmp(e.name, ".") || !strcmp(e.name, "..")) {
					dots++;
				} else if (listed(d, e.name)) {
					seen++;
				} else if (!(d->path[1] == 0 && !strcmp(e.name, "lost+found"))) {
					extra++;
					printf("ext2: %s: unexpected entry %s\n", d->path, e.name);
				}
			}
		}
		CHECK_EQ("readdir", n, 0);
		CHECK_EQ("names", seen, d->count);
		CHECK_EQ("no others", extra, 0);
		CHECK_EQ(". and ..", dots, 2);
		entries += seen;
		rv_handle_close(h);
	}
	printf("ext2: %u host folders list the %u names mke2fs was given\n",
	       (unsigned int)N(host_dirs), entries);
}

static void must(const char *what, long ret)
{
	CHECK_EQ(what, ret, 0);
}

static void create_pattern(const char *p, uint32_t seed, uint64_t size)
{
	rv_handle_t f;

	must(p, fs_open(root, at(p), RW | FS_O_CREAT | FS_O_TRUNC, 0644, &f, NULL));
	must("write", write_pattern(f, seed, 0, size));
	rv_handle_close(f);
}

static void put_text(const char *p, uint32_t flags, const char *text)
{
	rv_handle_t f;

	must(p, fs_open(root, at(p), FS_O_WRITE | FS_O_CREAT | flags, 0644, &f, NULL));
	CHECK_EQ("write text", fs_write_full(f, text, strlen(text)), (long)strlen(text));
	rv_handle_close(f);
}

static void write_files(void)
{
	char name[64], t[200];
	struct fs_stat st;
	rv_handle_t f;
	uint64_t size, fnv;

	must("mkdir w", fs_mkdir(root, at("/w"), 0755));
	must("mkdir sizes", fs_mkdir(root, at("/w/sizes"), 0755));
	for (size_t i = 0; i < N(write_sizes); i++) {
		snprintf(name, sizeof(name), "/w/sizes/s%u", (unsigned int)write_sizes[i]);
		create_pattern(name, (uint32_t)i + 1, write_sizes[i]);
	}
	create_pattern("/w/big", 0x42, BIG_SIZE);

	/* A few bytes past 64 MiB: the rest is a hole, reached through a
	 * triple indirect block. */
	must("sparse3", fs_open(root, at("/w/sparse3"), RW | FS_O_CREAT, 0644, &f, NULL));
	CHECK_EQ("pwrite past 64 MiB", fs_pwrite(f, SPARSE3_OFF, SPARSE3_TEXT,
						 strlen(SPARSE3_TEXT)), (long)strlen(SPARSE3_TEXT));
	CHECK_EQ("sparse3: the hole reads as zeros", fs_pread(f, SPARSE3_OFF - 4096, iobuf, 4096),
		 4096);
	CHECK("zeros", iobuf[0] == 0 && iobuf[4095] == 0 && !memcmp(iobuf, iobuf + 1, 4095));
	CHECK_EQ("stat sparse3", fs_stat(f, &st), 0);
	CHECK_EQ("sparse3: size", st.size, SPARSE3_OFF + strlen(SPARSE3_TEXT));
	CHECK("sparse3: a few blocks", st.blocks * 512 <= 8 * KIB);
	rv_handle_close(f);

	/* Rename over an existing file: the old bytes are gone at once. */
	create_pattern("/w/renamed", 0x55, 3000);
	create_pattern("/w/renamed.new", 0x77, 5000);
	must("rename over", fs_rename(root, at("/w/renamed.new"), DISK "/w/renamed"));
	CHECK_EQ("renamed: the new bytes", read_pattern(root, at("/w/renamed"), 0x77, 5000), 0);
	CHECK_EQ("renamed.new: gone", fs_statat(root, at("/w/renamed.new"), 0, &st), -RV_ENOENT);

	/* Truncate frees the indirect blocks (e2fsck counts them). */
	create_pattern("/w/truncated", 0x13, 300000);
	must("open truncated", fs_open(root, at("/w/truncated"), RW, 0, &f, NULL));
	must("truncate", fs_truncate(f, 5000));
	rv_handle_close(f);

	/* A hard link and symbolic links, fast and slow. */
	put_text("/w/small.txt", FS_O_TRUNC, SMALL_TEXT);
	must("link", fs_link(root, at("/w/small.txt"), DISK "/w/hard"));
	CHECK_EQ("stat hard", fs_statat(root, at("/w/hard"), 0, &st), 0);
	CHECK_EQ("two links", st.nlink, 2);
	must("symlink", fs_symlink(root, "small.txt", at("/w/sym")));
	memset(t, 'x', 120);
	memcpy(t + 120, "/../small.txt", 14);
	must("slow symlink", fs_symlink(root, t, at("/w/longsym")));
	must("mkdir for longsym", fs_mkdir(root, at("/w/" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
						   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
						   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
						   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), 0755));
	CHECK_EQ("through longsym", read_sum(root, at("/w/longsym"), &size, &fnv), 0);
	CHECK_EQ("longsym: small.txt", size, strlen(SMALL_TEXT));

	/* A folder tree; a folder and a file made and removed again. */
	must("mkdir tree", fs_mkdir(root, at("/w/tree"), 0755));
	must("mkdir a", fs_mkdir(root, at("/w/tree/a"), 0755));
	must("mkdir b", fs_mkdir(root, at("/w/tree/a/b"), 0700));
	must("mkdir c", fs_mkdir(root, at("/w/tree/a/b/c"), 0755));
	put_text("/w/tree/top.txt", 0, "top\n");
	put_text("/w/tree/a/b/c/leaf.txt", 0, "leaf\n");
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "/w/tree/a/file-%02d-with-a-longer-name", i);
		put_text(name, 0, "entry\n");
	}
	must("mkdir gone", fs_mkdir(root, at("/w/tree/gone"), 0755));
	must("rmdir gone", fs_unlink(root, at("/w/tree/gone"), FS_AT_REMOVEDIR));
	create_pattern("/w/tree/unlinked", 9, 20000);
	must("unlink", fs_unlink(root, at("/w/tree/unlinked"), 0));

	/* Append twice through two opens. */
	put_text("/w/appended", FS_O_APPEND, "one\n");
	put_text("/w/appended", FS_O_APPEND, "two\n");

	must("syncfs", fs_syncfs(root));
	printf("ext2: written: %u sizes, 4 MiB+ (double indirect), sparse past 64 MiB "
	       "(triple indirect), renamed over, truncated, hard link, symbolic links, a tree; "
	       "synced\n", (unsigned int)N(write_sizes));
}

/* Made after the last sync: only the drop writes them. The same bytes
 * as /w/renamed (testcase.yaml checks both with one sha256). */
static void drop_caches(void)
{
	rv_handle_t d, f;
	struct fs_stat st;

	create_pattern("/w/dropped", 0x77, 5000);
	must("mkdir dropdir", fs_mkdir(root, at("/w/dropdir"), 0755));
	put_text("/w/dropdir/note", 0, "dropped\n");

	must("open /disk ro", fs_open(root, DISK, FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL));
	CHECK_EQ("drop: a read-only connection", fs_drop_caches(d), -RV_EPERM);
	rv_handle_close(d);
	must("open /disk/w", fs_open(root, at("/w"), RW | FS_O_DIRECTORY, 0, &d, NULL));
	CHECK_EQ("drop: a folder below the mount's root", fs_drop_caches(d), -RV_EPERM);
	rv_handle_close(d);
	must("open a file", fs_open(root, at("/w/dropped"), RW, 0, &f, NULL));
	CHECK_EQ("drop: a file", fs_drop_caches(f), -RV_EPERM);
	rv_handle_close(f);

	must("open /disk rw", fs_open(root, DISK, RW | FS_O_DIRECTORY, 0, &d, NULL));
	CHECK_EQ("drop: /disk with WRITE", fs_drop_caches(d), 0);
	CHECK_EQ("drop again: nothing to write", fs_drop_caches(d), 0);
	rv_handle_close(d);
	CHECK_EQ("dropped: the bytes, from the device",
		 read_pattern(root, at("/w/dropped"), 0x77, 5000), 0);
	CHECK_EQ("dropdir/note", fs_statat(root, at("/w/dropdir/note"), 0, &st), 0);
	CHECK_EQ("dropdir/note: size", st.size, 8);
	printf("ext2: drop caches: EPERM read-only, below the root, on a file; the unsynced "
	       "writes written, the caches dropped\n");
}

static void written_back(void)
{
	char name[64];
	struct fs_stat st;
	int same = 0;

	for (size_t i = 0; i < N(write_sizes); i++) {
		snprintf(name, sizeof(name), "/w/sizes/s%u", (unsigned int)write_sizes[i]);
		same += CHECK_EQ(name,
				 read_pattern(root, at(name), (uint32_t)i + 1, write_sizes[i]), 0);
	}
	same += CHECK_EQ("big", read_pattern(root, at("/w/big"), 0x42, BIG_SIZE), 0);
	same += CHECK_EQ("truncated", read_pattern(root, at("/w/truncated"), 0x13, 5000), 0);
	CHECK_EQ("stat truncated", fs_statat(root, at("/w/truncated"), 0, &st), 0);
	CHECK("truncated: 5 blocks of data", st.blocks * 512 <= 6 * KIB);
	CHECK_EQ("stat big", fs_statat(root, at("/w/big"), 0, &st), 0);
	CHECK("big: every block and the indirect ones", st.blocks * 512 > BIG_SIZE);
	same += CHECK_EQ("dropped", read_pattern(root, at("/w/dropped"), 0x77, 5000), 0);
	printf("ext2: %d written files read back as written\n", same);
}

int main(void)
{
	struct fs_statfs sfs;
	rv_handle_t d;

	if (rv_connect_wait(FS_SERVICE_NAME, &root, in_ms(5000)) < 0) {
		printf("ext2: no file server\n");
		return 1;
	}
	CHECK_EQ("open /disk", fs_open(root, DISK, FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL), 0);
	CHECK_EQ("statfs /disk", fs_statfs(d, &sfs), 0);
	CHECK("/disk is ext2", !strcmp(sfs.type, "ext2"));
	CHECK_EQ("1 KiB blocks", sfs.block_size, 1024);
	rv_handle_close(d);
	printf("ext2: /disk: %s, %u-byte blocks, %lu of %lu free\n", sfs.type, sfs.block_size,
	       (unsigned long)sfs.blocks_free, (unsigned long)sfs.blocks);
	host_files_back();
	host_links_back();
	host_dirs_back();
	write_files();
	drop_caches();
	written_back();
	return check_report("ext2");
}
