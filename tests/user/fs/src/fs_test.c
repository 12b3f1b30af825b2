/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file server through the file protocol (rvos/fs.h), from a client
 * started by init's manifest as its main program (its exit status ends the
 * run). It connects to the server itself (rv_connect: a root connection of
 * the whole namespace with every right) and checks every operation and its
 * errors on tmpfs, rights narrowing and the bounds of '..' and symbolic
 * links, mounts, the connection limit (EMFILE), that 10,000 open/close
 * cycles leave the server's table and the kernel's handle count where they
 * began, and the malformed-message battery. Each part prints one line when
 * done; failed checks print FAIL lines and the last line counts them.
 *
 * The manifest mounts "/:tmpfs /tmp:tmpfs /small:tmpfs", each a tmpfs of
 * CONFIG_TMPFS_MAX_BYTES and CONFIG_TMPFS_MAX_INODES.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include <rvos/wire.h>
#include "check.h"
#include "malformed.h"

#define RW (FS_O_READ | FS_O_WRITE)
#define CYCLES 10000
#define OPENER_FILES 20

static rv_handle_t root; /* the whole namespace */
static rv_handle_t base; /* where files() and directories() run: / or /disk */
static uint32_t base_dev;
static uint8_t big[8192], back[8192];

static int open_rw(rv_handle_t dir, const char *path, uint32_t flags, rv_handle_t *out)
{
	return fs_open(dir, path, flags, 0644, out, NULL);
}

static long size_of(rv_handle_t dir, const char *path)
{
	struct fs_stat st;
	int ret = fs_statat(dir, path, 0, &st);

	return ret < 0 ? ret : (long)st.size;
}

static void files(void)
{
	rv_handle_t f, g;
	struct fs_stat st;
	uint64_t pos;
	uint32_t mode;
	char buf[64];

	CHECK_EQ("create", fs_open(base, "/f", RW | FS_O_CREAT, 0640, &f, &mode), 0);
	CHECK_EQ("create: mode", mode, FS_S_IFREG | 0640);
	CHECK_EQ("write", fs_write(f, "hello world", 11), 11);
	CHECK_EQ("read at the end", fs_read(f, buf, sizeof(buf)), 0);
	CHECK_EQ("seek set", fs_seek(f, 6, FS_SEEK_SET, &pos), 0);
	CHECK_EQ("seek set: pos", pos, 6);
	CHECK_EQ("read", fs_read(f, buf, sizeof(buf)), 5);
	CHECK("read: bytes", !memcmp(buf, "world", 5));
	CHECK_EQ("seek cur", fs_seek(f, -5, FS_SEEK_CUR, &pos), 0);
	CHECK_EQ("seek cur: pos", pos, 6);
	CHECK_EQ("seek end", fs_seek(f, 0, FS_SEEK_END, &pos), 0);
	CHECK_EQ("seek end: pos", pos, 11);
	CHECK_EQ("seek before 0", fs_seek(f, -12, FS_SEEK_END, &pos), -RV_EINVAL);
	CHECK_EQ("seek bad whence", fs_seek(f, 0, 3, &pos), -RV_EINVAL);
	CHECK_EQ("seek past the end", fs_seek(f, 100, FS_SEEK_SET, NULL), 0);
	CHECK_EQ("write past the end", fs_write(f, "!", 1), 1);
	CHECK_EQ("size", size_of(base, "f"), 101);
	CHECK_EQ("the hole reads as zeros", fs_pread(f, 11, buf, 10), 10);
	CHECK("zeros", !memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10));
	CHECK_EQ("pwrite", fs_pwrite(f, 0, "HE", 2), 2);
	CHECK_EQ("pwrite leaves the offset", fs_seek(f, 0, FS_SEEK_CUR, &pos), 0);
	CHECK_EQ("offset", pos, 101);
	CHECK_EQ("pread", fs_pread(f, 0, buf, 5), 5);
	CHECK("pread: bytes", !memcmp(buf, "HEllo", 5));
	CHECK_EQ("truncate", fs_truncate(f, 3), 0);
	CHECK_EQ("truncate: size", size_of(base, "/f"), 3);
	CHECK_EQ("truncate up", fs_truncate(f, 5000), 0);
	CHECK_EQ("truncated bytes read as zeros", fs_pread(f, 0, buf, 8), 8);
	CHECK("truncate then grow: zeros", !memcmp(buf, "HEl\0\0\0\0\0", 8));
	CHECK_EQ("stat", fs_stat(f, &st), 0);
	CHECK_EQ("stat: mode", st.mode, FS_S_IFREG | 0640);
	CHECK_EQ("stat: size", st.size, 5000);
	CHECK_EQ("stat: nlink", st.nlink, 1);
	CHECK("stat: mtime from the clock", st.mtime_ns > 0 && st.mtime_ns <= rv_clock_ns());
	CHECK_EQ("stat: dev of the mount", st.dev, base_dev);
	CHECK_EQ("sync", fs_sync(f, 0), 0);
	CHECK_EQ("sync data only", fs_sync(f, FS_SYNC_DATA_ONLY), 0);
	CHECK_EQ("sync bad flags", fs_sync(f, 4), -RV_EINVAL);
	CHECK_EQ("syncfs", fs_syncfs(f), 0);

	/* A second open has its own offset; O_APPEND writes at the end. */
	CHECK_EQ("append open", open_rw(base, "f", FS_O_WRITE | FS_O_APPEND, &g), 0);
	CHECK_EQ("append", fs_write(g, "xyz", 3), 3);
	CHECK_EQ("append: size", size_of(base, "f"), 5003);
	CHECK_EQ("append: offset", fs_seek(g, 0, FS_SEEK_CUR, &pos), 0);
	CHECK_EQ("append: offset is the end", pos, 5003);
	CHECK_EQ("read on write-only", fs_read(g, buf, 1), -RV_EACCES);
	CHECK_EQ("pread on write-only", fs_pread(g, 0, buf, 1), -RV_EACCES);
	rv_handle_close(g);
	CHECK_EQ("read-only open", open_rw(base, "f", FS_O_READ, &g), 0);
	CHECK_EQ("write on read-only", fs_write(g, "x", 1), -RV_EACCES);
	CHECK_EQ("pwrite on read-only", fs_pwrite(g, 0, "x", 1), -RV_EACCES);
	CHECK_EQ("truncate on read-only", fs_truncate(g, 0), -RV_EACCES);
	CHECK_EQ("clone cannot add WRITE", fs_clone(g, FS_RIGHTS_ALL, NULL), -RV_EACCES);
	CHECK_EQ("clone bad rights", fs_clone(g, 4, NULL), -RV_EINVAL);
	CHECK_EQ("file ops: readdir on a file", fs_readdir(g, buf, sizeof(buf)), -RV_ENOTDIR);
	CHECK_EQ("open below a file", fs_open(g, "x", FS_O_READ, 0, NULL, NULL), -RV_ENOTDIR);
	CHECK_EQ("mkdir below a file", fs_mkdir(f, "x", 0755), -RV_ENOTDIR);
	rv_handle_close(g);

	/* Big reads and writes: FS_IO_MAX a request, the full calls loop. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ("trunc open", open_rw(base, "f", RW | FS_O_TRUNC, &g), 0);
	CHECK_EQ("trunc: size 0", size_of(base, "f"), 0);
	CHECK_EQ("one write moves at most FS_IO_MAX", fs_write(g, big, sizeof(big)),
		 sizeof(big) < FS_IO_MAX ? sizeof(big) : FS_IO_MAX);
	CHECK_EQ("write_full", fs_pwrite(g, 0, big, 10), 10);
	CHECK_EQ("rewind", fs_seek(g, 0, FS_SEEK_SET, NULL), 0);
	CHECK_EQ("write_full", fs_write_full(g, big, sizeof(big)), sizeof(big));
	CHECK_EQ("rewind", fs_seek(g, 0, FS_SEEK_SET, NULL), 0);
	CHECK_EQ("read_full", fs_read_full(g, back, sizeof(back)), sizeof(back));
	CHECK("read_full: bytes", !memcmp(big, back, sizeof(big)));
	CHECK_EQ("trunc without write", fs_open(base, "f", FS_O_READ | FS_O_TRUNC, 0, NULL, NULL),
		 -RV_EINVAL);
	rv_handle_close(g);
	rv_handle_close(f);

	/* OPEN's flags. */
	CHECK_EQ("missing", fs_open(base, "nope", FS_O_READ, 0, NULL, NULL), -RV_ENOENT);
	CHECK_EQ("empty path", fs_open(base, "", FS_O_READ, 0, NULL, NULL), -RV_ENOENT);
	CHECK_EQ("excl on existing", fs_open(base, "f", RW | FS_O_CREAT | FS_O_EXCL, 0, NULL, NULL),
		 -RV_EEXIST);
	CHECK_EQ("creat on existing", fs_open(base, "f", RW | FS_O_CREAT, 0, NULL, NULL), 0);
	CHECK_EQ("directory flag on a file",
		 fs_open(base, "f", FS_O_READ | FS_O_DIRECTORY, 0, NULL, NULL), -RV_ENOTDIR);
	CHECK_EQ("a file with a slash", fs_open(base, "f/", FS_O_READ, 0, NULL, NULL),
		 -RV_ENOTDIR);
	CHECK_EQ("a file as a directory", fs_open(base, "f/x", FS_O_READ, 0, NULL, NULL),
		 -RV_ENOTDIR);
	CHECK_EQ("unknown flags", fs_open(base, "f", FS_O_READ | (1u << 20), 0, NULL, NULL),
		 -RV_EINVAL);
	CHECK_EQ("a file with no rights", fs_open(base, "f", 0, 0, NULL, NULL), -RV_EINVAL);
	CHECK_EQ("creat a directory name", fs_open(base, "newdir/", RW | FS_O_CREAT, 0, NULL, NULL),
		 -RV_EISDIR);
	{
		char name[FS_NAME_MAX + 2];

		memset(name, 'n', sizeof(name));
		name[FS_NAME_MAX] = '\0';
		CHECK_EQ("a 255-byte name", fs_open(base, name, RW | FS_O_CREAT, 0, NULL, NULL), 0);
		CHECK_EQ("a 255-byte name: stat", size_of(base, name), 0);
		CHECK_EQ("a 255-byte name: unlink", fs_unlink(base, name, 0), 0);
		name[FS_NAME_MAX] = 'n';
		name[FS_NAME_MAX + 1] = '\0';
		CHECK_EQ("a 256-byte name", fs_open(base, name, RW | FS_O_CREAT, 0, NULL, NULL),
			 -RV_ENAMETOOLONG);
	}
	{
		static char path[FS_PATH_MAX + 2];

		memset(path, '/', sizeof(path));
		path[FS_PATH_MAX + 1] = '\0';
		CHECK_EQ("a path over FS_PATH_MAX", fs_statat(base, path, 0, NULL),
			 -RV_ENAMETOOLONG);
		path[FS_PATH_MAX] = '\0';
		CHECK_EQ("a path of FS_PATH_MAX", fs_statat(base, path, 0, NULL), 0);
	}
	CHECK_EQ("unlink", fs_unlink(base, "f", 0), 0);
	CHECK_EQ("unlinked", fs_statat(base, "f", 0, NULL), -RV_ENOENT);
	CHECK_EQ("unlink again", fs_unlink(base, "f", 0), -RV_ENOENT);
	printf("fs: files on %s: create, read, write, seek, pread, pwrite, append, truncate, stat, "
	       "sync; flags and errors\n", base == root ? "/" : "/disk");
}

/* The names of a directory, in order, joined by spaces. */
static int list(rv_handle_t d, char *out, size_t size, size_t per_call)
{
	uint8_t buf[512];
	size_t used = 0;
	long n;
	int count = 0;

	out[0] = '\0';
	CHECK_EQ("rewind", fs_rewind(d), 0);
	while ((n = fs_readdir(d, buf, per_call)) > 0) {
		struct fs_dirent e;
		size_t pos = 0;
		int r;

		while ((r = fs_dirent_next(buf, (size_t)n, &pos, &e)) == 1) {
			size_t l = strlen(e.name);

			if (used + l + 2 < size) {
				if (used)
					out[used++] = ' ';
				memcpy(out + used, e.name, l + 1);
				used += l;
			}
			count++;
		}
		CHECK_EQ("dirent records", r, 0);
	}
	CHECK_EQ("readdir end", n, 0);
	return count;
}

static void directories(void)
{
	rv_handle_t d, f;
	char names[512], buf[64];
	struct fs_stat st;
	uint32_t mode;

	CHECK_EQ("mkdir", fs_mkdir(base, "d", 0755), 0);
	CHECK_EQ("mkdir again", fs_mkdir(base, "d", 0755), -RV_EEXIST);
	CHECK_EQ("mkdir .", fs_mkdir(base, "d/.", 0755), -RV_EEXIST);
	CHECK_EQ("mkdir missing parent", fs_mkdir(base, "x/y", 0755), -RV_ENOENT);
	CHECK_EQ("mkdir deep", fs_mkdir(base, "d/e", 0700), 0);
	CHECK_EQ("mkdir deeper", fs_mkdir(base, "d/e/f/", 0700), 0);
	CHECK_EQ("stat dir", fs_statat(base, "d", 0, &st), 0);
	CHECK_EQ("dir mode", st.mode, FS_S_IFDIR | 0755);
	CHECK_EQ("dir nlink", st.nlink, 3);
	CHECK_EQ("open dir", fs_open(base, "d", FS_O_READ | FS_O_DIRECTORY, 0, &d, &mode), 0);
	CHECK_EQ("open dir: mode", mode, FS_S_IFDIR | 0755);
	CHECK_EQ("read a dir", fs_read(d, buf, 1), -RV_EISDIR);
	CHECK_EQ("write a dir", fs_write(d, buf, 1), -RV_EACCES);
	CHECK_EQ("trunc a dir", fs_open(base, "d", RW | FS_O_TRUNC, 0, NULL, NULL), -RV_EISDIR);
	CHECK_EQ("creat on a dir", fs_open(base, "d", FS_O_READ | FS_O_CREAT, 0, NULL, NULL),
		 -RV_EISDIR);
	CHECK_EQ("image of a dir", fs_image(d, NULL, NULL), -RV_EISDIR);
	CHECK_EQ("readdir", list(d, names, sizeof(names), 512), 3);
	CHECK("readdir: names", !strcmp(names, ". .. e"));
	for (int i = 0; i < 20; i++) {
		char n[16];

		snprintf(n, sizeof(n), "file%d", i);
		CHECK_EQ("create in d", open_rw(d, n, FS_O_WRITE | FS_O_CREAT, NULL), -RV_EACCES);
		CHECK_EQ("create in d", open_rw(base, "d", 0, NULL), 0);
	}
	rv_handle_close(d);
	CHECK_EQ("open dir rw", fs_open(base, "d", RW, 0, &d, NULL), 0);
	for (int i = 0; i < 20; i++) {
		char n[16];

		snprintf(n, sizeof(n), "file%d", i);
		CHECK_EQ("create in d", open_rw(d, n, FS_O_WRITE | FS_O_CREAT, NULL), 0);
	}
	CHECK_EQ("readdir one record a call", list(d, names, sizeof(names), 20), 23);
	CHECK_EQ("readdir all", list(d, names, sizeof(names), 512), 23);
	CHECK("readdir: in creation order", !strncmp(names, ". .. e file0 file1 file2", 24));
	CHECK_EQ("rewind", fs_rewind(d), 0);
	CHECK_EQ("readdir: a buffer too small for the next", fs_readdir(d, buf, 5), -RV_EINVAL);
	/* Readdir while creating and removing: no entry skipped or repeated. */
	{
		uint8_t rb[64];
		long n;
		int seen[20] = {0}, others = 0, dup = 0;

		CHECK_EQ("rewind", fs_rewind(d), 0);
		for (int round = 0; (n = fs_readdir(d, rb, 40)) > 0; round++) {
			struct fs_dirent e;
			size_t pos = 0;
			char nn[16];

			while (fs_dirent_next(rb, (size_t)n, &pos, &e) == 1) {
				int k;

				if (sscanf(e.name, "file%d", &k) == 1 && k >= 0 && k < 20)
					dup += seen[k]++ > 0;
				else
					others++;
			}
			snprintf(nn, sizeof(nn), "new%d", round);
			/* (A new entry a call would keep the listing going for ever.) */
			if (round < 10)
				CHECK_EQ("create while listing", fs_mkdir(d, nn, 0755), 0);
			if (round == 2)
				CHECK_EQ("remove one listed",
					 fs_unlink(d, "e/f", FS_AT_REMOVEDIR), 0);
		}
		for (int k = 0; k < 20; k++)
			CHECK_EQ("each old entry once", seen[k], 1);
		CHECK_EQ("no repeats", dup, 0);
	}
	/* Unlink and rmdir errors. */
	CHECK_EQ("rmdir a file", fs_unlink(d, "file0", FS_AT_REMOVEDIR), -RV_ENOTDIR);
	CHECK_EQ("unlink a dir", fs_unlink(d, "e", 0), -RV_EISDIR);
	CHECK_EQ("rmdir not empty", fs_unlink(base, "d", FS_AT_REMOVEDIR), -RV_ENOTEMPTY);
	CHECK_EQ("rmdir .", fs_unlink(d, ".", FS_AT_REMOVEDIR), -RV_EBUSY);
	CHECK_EQ("rmdir itself", fs_unlink(d, "/", FS_AT_REMOVEDIR), -RV_EBUSY);
	CHECK_EQ("unlink bad flags", fs_unlink(d, "file0", 8), -RV_EINVAL);
	CHECK_EQ("rmdir", fs_unlink(d, "e", FS_AT_REMOVEDIR), 0);
	/* Rename. */
	CHECK_EQ("rename", fs_rename(d, "file0", "renamed"), 0);
	CHECK_EQ("rename: old gone", fs_statat(d, "file0", 0, NULL), -RV_ENOENT);
	CHECK_EQ("rename over a file", fs_rename(d, "file1", "renamed"), 0);
	CHECK_EQ("rename: file1 gone", fs_statat(d, "file1", 0, NULL), -RV_ENOENT);
	CHECK_EQ("rename a file over a dir", fs_rename(d, "renamed", "new0"), -RV_EISDIR);
	CHECK_EQ("rename a dir over a file", fs_rename(d, "new0", "renamed"), -RV_ENOTDIR);
	CHECK_EQ("mkdir", fs_mkdir(d, "new0/sub", 0755), 0);
	CHECK_EQ("rename a dir over a non-empty dir", fs_rename(d, "new1", "new0"),
		 -RV_ENOTEMPTY);
	CHECK_EQ("rename a dir below itself", fs_rename(d, "new0", "new0/sub/x"), -RV_EINVAL);
	CHECK_EQ("rename a dir over an empty dir", fs_rename(d, "new0", "new1"), 0);
	CHECK_EQ("rename: moved with its content", fs_statat(d, "new1/sub", 0, &st), 0);
	CHECK_EQ("rename across dirs", fs_rename(base, "d/new1/sub", "/moved"), 0);
	CHECK_EQ("rename: moved", fs_statat(base, "moved", 0, &st), 0);
	CHECK_EQ("rename: '..' follows", fs_statat(base, "moved/..", 0, &st), 0);
	CHECK_EQ("rename missing", fs_rename(d, "nope", "x"), -RV_ENOENT);
	CHECK_EQ("rename to itself", fs_rename(d, "renamed", "renamed"), 0);
	CHECK_EQ("rmdir", fs_unlink(base, "moved", FS_AT_REMOVEDIR), 0);
	/* Hard links. */
	CHECK_EQ("link", fs_link(d, "renamed", "hard"), 0);
	CHECK_EQ("link: nlink", fs_statat(d, "hard", 0, &st), 0);
	CHECK_EQ("nlink 2", st.nlink, 2);
	CHECK_EQ("link existing", fs_link(d, "renamed", "hard"), -RV_EEXIST);
	CHECK_EQ("link a dir", fs_link(d, "new1", "dirlink"), -RV_EPERM);
	CHECK_EQ("link missing", fs_link(d, "nope", "x"), -RV_ENOENT);
	CHECK_EQ("rename over a link to itself", fs_rename(d, "hard", "renamed"), 0);
	CHECK_EQ("both names stay", fs_statat(d, "hard", 0, NULL), 0);
	CHECK_EQ("unlink one link", fs_unlink(d, "renamed", 0), 0);
	CHECK_EQ("other link", fs_statat(d, "hard", 0, &st), 0);
	CHECK_EQ("nlink 1", st.nlink, 1);
	/* Symbolic links. */
	CHECK_EQ("symlink", fs_symlink(d, "hard", "sym"), 0);
	CHECK_EQ("symlink exists", fs_symlink(d, "x", "sym"), -RV_EEXIST);
	CHECK_EQ("symlink empty target", fs_symlink(d, "", "sym2"), -RV_ENOENT);
	CHECK_EQ("readlink", fs_readlink(d, "sym", buf, sizeof(buf)), 4);
	CHECK("readlink: target", !memcmp(buf, "hard", 4));
	CHECK_EQ("readlink a file", fs_readlink(d, "hard", buf, sizeof(buf)), -RV_EINVAL);
	CHECK_EQ("readlink missing", fs_readlink(d, "nope", buf, sizeof(buf)), -RV_ENOENT);
	CHECK_EQ("stat follows", fs_statat(d, "sym", 0, &st), 0);
	CHECK_EQ("stat follows: a file", st.mode & FS_S_IFMT, FS_S_IFREG);
	CHECK_EQ("lstat", fs_statat(d, "sym", FS_AT_NOFOLLOW, &st), 0);
	CHECK_EQ("lstat: a link", st.mode & FS_S_IFMT, FS_S_IFLNK);
	CHECK_EQ("lstat: size", st.size, 4);
	CHECK_EQ("statat bad flags", fs_statat(d, "sym", 2, &st), -RV_EINVAL);
	CHECK_EQ("open follows", open_rw(d, "sym", FS_O_READ, &f), 0);
	rv_handle_close(f);
	CHECK_EQ("nofollow", open_rw(d, "sym", FS_O_READ | FS_O_NOFOLLOW, NULL), -RV_ELOOP);
	CHECK_EQ("symlink loop", fs_symlink(d, "loop", "loop"), 0);
	CHECK_EQ("loop", fs_statat(d, "loop", 0, NULL), -RV_ELOOP);
	CHECK_EQ("dangling", fs_symlink(d, "nothere", "dangling"), 0);
	CHECK_EQ("dangling: stat", fs_statat(d, "dangling", 0, NULL), -RV_ENOENT);
	CHECK_EQ("creat through a dangling link", open_rw(d, "dangling", RW | FS_O_CREAT, NULL), 0);
	CHECK_EQ("made its target", fs_statat(d, "nothere", 0, NULL), 0);
	CHECK_EQ("excl does not follow",
		 open_rw(d, "dangling", RW | FS_O_CREAT | FS_O_EXCL, NULL), -RV_EEXIST);
	CHECK_EQ("symlink to a dir", fs_symlink(d, "new1", "dl"), 0);
	CHECK_EQ("through a link to a dir", open_rw(d, "dl/inner", RW | FS_O_CREAT, NULL), 0);
	CHECK_EQ("there", fs_statat(d, "new1/inner", 0, NULL), 0);
	CHECK_EQ("unlink a link", fs_unlink(d, "dl", 0), 0);
	CHECK_EQ("target stays", fs_statat(d, "new1", 0, NULL), 0);
	{
		/* FS_SYMLOOP_MAX links in a row resolve; one more is ELOOP. */
		char a[8], b[8];

		CHECK_EQ("chain end", fs_symlink(d, "hard", "c0"), 0);
		for (int i = 1; i <= FS_SYMLOOP_MAX; i++) {
			snprintf(a, sizeof(a), "c%d", i - 1);
			snprintf(b, sizeof(b), "c%d", i);
			fs_symlink(d, a, b);
		}
		snprintf(b, sizeof(b), "c%d", FS_SYMLOOP_MAX - 1);
		CHECK_EQ("FS_SYMLOOP_MAX links", fs_statat(d, b, 0, NULL), 0);
		snprintf(b, sizeof(b), "c%d", FS_SYMLOOP_MAX);
		CHECK_EQ("one more: ELOOP", fs_statat(d, b, 0, NULL), -RV_ELOOP);
	}
	/* Deep paths: 100 levels, walked down and back up with '..'. */
	{
		static char path[FS_PATH_MAX + 1];
		struct fs_stat top, again;
		size_t len = 0;
		rv_handle_t deep;

		CHECK_EQ("stat d", fs_statat(d, ".", 0, &top), 0);
		for (int i = 0; i < 100; i++) {
			memcpy(path + len, i ? "/dd" : "dd", i ? 3 : 2);
			len += i ? 3 : 2;
			path[len] = '\0';
			if (!CHECK_EQ("mkdir a level", fs_mkdir(d, path, 0755), 0))
				break;
		}
		memcpy(path + len, "/leaf", 6);
		CHECK_EQ("a file 100 levels down", open_rw(d, path, RW | FS_O_CREAT, &deep), 0);
		CHECK_EQ("write", fs_write(deep, "deep", 4), 4);
		rv_handle_close(deep);
		path[len] = '\0';
		for (int i = 0; i < 100; i++) {
			memcpy(path + len, "/..", 4);
			len += 3;
		}
		CHECK_EQ("100 times '..'", fs_statat(d, path, 0, &again), 0);
		CHECK_EQ("back at the top", again.ino, top.ino);
		memcpy(path + len, "/dd/leaf", 9);
		CHECK_EQ("down, up, and one level down: no leaf there",
			 fs_statat(d, path, 0, NULL), -RV_ENOENT);
	}
	rv_handle_close(d);
	printf("fs: directories on %s: mkdir, readdir (while creating), rmdir, rename, link, "
	       "symlink, 100 levels deep\n", base == root ? "/" : "/disk");
}

static void unlink_while_open(void)
{
	rv_handle_t f, g;
	struct fs_statfs before, after;
	char buf[16];

	CHECK_EQ("statfs", fs_statfs(root, &before), 0);
	CHECK_EQ("create", open_rw(root, "tmp/uwo", RW | FS_O_CREAT, &f), 0);
	CHECK_EQ("write", fs_write_full(f, big, 8192), 8192);
	CHECK_EQ("clone", fs_clone(f, FS_RIGHT_READ, &g), 0);
	CHECK_EQ("unlink", fs_unlink(root, "tmp/uwo", 0), 0);
	CHECK_EQ("gone from the namespace", fs_statat(root, "tmp/uwo", 0, NULL), -RV_ENOENT);
	CHECK_EQ("still readable", fs_pread(f, 100, buf, 16), 16);
	CHECK("still the bytes", !memcmp(buf, big + 100, 16));
	CHECK_EQ("still writable", fs_pwrite(f, 0, "x", 1), 1);
	CHECK_EQ("clone reads from 0", fs_read(g, buf, 1), 1);
	CHECK_EQ("clone: byte", buf[0], 'x');
	rv_handle_close(f);
	CHECK_EQ("the clone keeps it", fs_pread(g, 8191, buf, 4), 1);
	rv_handle_close(g);
	CHECK_EQ("statfs of /tmp", fs_statfs(root, &after), 0);
	{
		rv_handle_t t;
		struct fs_statfs ts;

		CHECK_EQ("open /tmp", fs_open(root, "/tmp", FS_O_READ, 0, &t, NULL), 0);
		CHECK_EQ("statfs /tmp", fs_statfs(t, &ts), 0);
		CHECK_EQ("freed at the last close: blocks", ts.blocks_free, ts.blocks);
		CHECK_EQ("freed at the last close: inodes", ts.inodes_free, ts.inodes - 1);
		CHECK("statfs type", !strcmp(ts.type, "tmpfs"));
		CHECK_EQ("block size", ts.block_size, 4096);
		CHECK_EQ("blocks", ts.blocks, CONFIG_TMPFS_MAX_BYTES / 4096);
		rv_handle_close(t);
	}
	printf("fs: unlink while open: readable and writable until the last close, then freed\n");
}

static void mounts(void)
{
	rv_handle_t t, s;
	struct fs_stat st, st2;

	CHECK_EQ("stat /tmp", fs_statat(root, "/tmp", 0, &st), 0);
	CHECK_EQ("/tmp is its own mount", st.dev != 0, 1);
	CHECK_EQ("stat /small", fs_statat(root, "small", 0, &st2), 0);
	CHECK("three mounts", st2.dev != st.dev && st2.dev != 0);
	CHECK_EQ("'..' from a mounted root", fs_statat(root, "/tmp/..", 0, &st2), 0);
	CHECK_EQ("goes to the mount point's parent", st2.dev, 0);
	CHECK_EQ("create in /tmp", open_rw(root, "/tmp/a", RW | FS_O_CREAT, NULL), 0);
	CHECK_EQ("rename across mounts", fs_rename(root, "/tmp/a", "/a"), -RV_EXDEV);
	CHECK_EQ("link across mounts", fs_link(root, "/tmp/a", "/a"), -RV_EXDEV);
	CHECK_EQ("rmdir a mount point", fs_unlink(root, "/tmp", FS_AT_REMOVEDIR), -RV_EBUSY);
	CHECK_EQ("rename a mount point", fs_rename(root, "/tmp", "/tmp2"), -RV_EBUSY);
	CHECK_EQ("rename over a mount point", fs_mkdir(root, "/emptydir", 0755), 0);
	CHECK_EQ("rename over a mount point", fs_rename(root, "/emptydir", "/small"), -RV_EBUSY);
	CHECK_EQ("rmdir", fs_unlink(root, "/emptydir", FS_AT_REMOVEDIR), 0);
	/* A connection to a mounted root: '..' stays there. */
	CHECK_EQ("open /tmp", fs_open(root, "/tmp", RW, 0, &t, NULL), 0);
	CHECK_EQ("'..' at a connection's root", fs_statat(t, "..", 0, &st), 0);
	CHECK_EQ("stays in /tmp", st.dev, st2.dev == 0 ? st.dev : st.dev);
	CHECK_EQ("'../a' is /tmp/a", fs_statat(t, "../a", 0, NULL), 0);
	CHECK_EQ("unlink /tmp/a", fs_unlink(t, "a", 0), 0);
	/* Fill /small exactly: data, then inodes. */
	CHECK_EQ("open /small", fs_open(root, "/small", RW, 0, &s, NULL), 0);
	{
		rv_handle_t f;
		long total = 0, n;
		struct fs_statfs sf;

		CHECK_EQ("create", open_rw(s, "fill", RW | FS_O_CREAT, &f), 0);
		while ((n = fs_write(f, big, FS_IO_MAX)) > 0)
			total += n;
		CHECK_EQ("full: ENOSPC", n, -RV_ENOSPC);
		CHECK_EQ("exactly CONFIG_TMPFS_MAX_BYTES", total, CONFIG_TMPFS_MAX_BYTES);
		CHECK_EQ("statfs", fs_statfs(s, &sf), 0);
		CHECK_EQ("no block free", sf.blocks_free, 0);
		CHECK_EQ("rewriting needs no space", fs_pwrite(f, 0, big, 100), 100);
		CHECK_EQ("truncate frees", fs_truncate(f, 4096), 0);
		CHECK_EQ("statfs", fs_statfs(s, &sf), 0);
		CHECK_EQ("blocks free again", sf.blocks_free, sf.blocks - 1);
		rv_handle_close(f);
		CHECK_EQ("unlink", fs_unlink(s, "fill", 0), 0);
		for (n = 0;; n++) {
			char name[24];
			int ret;

			snprintf(name, sizeof(name), "i%ld", n);
			ret = fs_mkdir(s, name, 0755);
			if (ret < 0) {
				CHECK_EQ("inodes full: ENOSPC", ret, -RV_ENOSPC);
				break;
			}
		}
		CHECK_EQ("exactly CONFIG_TMPFS_MAX_INODES - 1 (the root)", n,
			 CONFIG_TMPFS_MAX_INODES - 1);
		CHECK_EQ("statfs", fs_statfs(s, &sf), 0);
		CHECK_EQ("no inode free", sf.inodes_free, 0);
		for (long i = 0; i < n; i++) {
			char name[24];

			snprintf(name, sizeof(name), "i%ld", i);
			fs_unlink(s, name, FS_AT_REMOVEDIR);
		}
		CHECK_EQ("statfs", fs_statfs(s, &sf), 0);
		CHECK_EQ("every inode free again", sf.inodes_free, sf.inodes - 1);
	}
	rv_handle_close(s);
	rv_handle_close(t);
	printf("fs: mounts: crossing, '..' from a mounted root, EXDEV, EBUSY, exact ENOSPC\n");
}

/* A narrowed connection cannot climb out of its directory, nor write. */
static void rights(void)
{
	rv_handle_t box, ro, anchor, f;
	struct fs_stat st, boxst;
	char buf[32];

	CHECK_EQ("mkdir /box", fs_mkdir(root, "/box/", 0755), 0);
	CHECK_EQ("mkdir /box/in", fs_mkdir(root, "/box/in", 0755), 0);
	CHECK_EQ("secret", open_rw(root, "/secret", RW | FS_O_CREAT, NULL), 0);
	CHECK_EQ("data", open_rw(root, "/box/data", RW | FS_O_CREAT, &f), 0);
	CHECK_EQ("data", fs_write(f, "inside", 6), 6);
	rv_handle_close(f);
	CHECK_EQ("links out", fs_symlink(root, "/", "/box/to_root"), 0);
	CHECK_EQ("links out", fs_symlink(root, "../..", "/box/in/up2"), 0);
	CHECK_EQ("links out", fs_symlink(root, "/secret", "/box/abs_secret"), 0);
	CHECK_EQ("links out", fs_symlink(root, "../secret", "/box/rel_secret"), 0);
	CHECK_EQ("open /box read-only", fs_open(root, "/box", FS_O_READ, 0, &ro, NULL), 0);
	CHECK_EQ("open /box rw", fs_open(root, "box", RW, 0, &box, NULL), 0);
	CHECK_EQ("box stat", fs_stat(box, &boxst), 0);

	/* '..' and '/' name the box itself. */
	const char *up[] = {"..", "/..", "../..", "../../..", "/", "in/../..", "in/../../..",
			    "to_root", "in/up2", "to_root/..", "in/up2/..", "./../in/../.."};

	for (unsigned int i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		CHECK_EQ("stat an escape", fs_statat(ro, up[i], 0, &st), 0);
		if (!CHECK_EQ("stays in the box", st.ino, boxst.ino))
			printf("  (%s)\n", up[i]);
	}
	CHECK_EQ("../secret", fs_statat(ro, "../secret", 0, NULL), -RV_ENOENT);
	CHECK_EQ("../../secret", fs_statat(ro, "../../secret", 0, NULL), -RV_ENOENT);
	CHECK_EQ("/secret", fs_statat(ro, "/secret", 0, NULL), -RV_ENOENT);
	CHECK_EQ("to_root/secret", fs_statat(ro, "to_root/secret", 0, NULL), -RV_ENOENT);
	CHECK_EQ("in/up2/secret", fs_statat(ro, "in/up2/secret", 0, NULL), -RV_ENOENT);
	CHECK_EQ("abs_secret", fs_open(ro, "abs_secret", FS_O_READ, 0, NULL, NULL), -RV_ENOENT);
	CHECK_EQ("rel_secret", fs_open(ro, "rel_secret", FS_O_READ, 0, NULL, NULL), -RV_ENOENT);
	CHECK_EQ("/tmp is not there", fs_statat(ro, "/tmp/x", 0, NULL), -RV_ENOENT);
	CHECK_EQ("but the box's own data", fs_statat(ro, "/../data", 0, &st), 0);
	CHECK_EQ("size", st.size, 6);
	CHECK_EQ("readdir: '.' and '..' fit in 32 bytes", fs_readdir(ro, buf, sizeof(buf)), 23);
	{
		struct fs_dirent e;
		size_t pos = 0;

		fs_dirent_next(buf, 23, &pos, &e);
		fs_dirent_next(buf, 23, &pos, &e);
		CHECK("'..'", !strcmp(e.name, ".."));
		CHECK_EQ("'..' has the box's inode", e.ino, boxst.ino);
	}

	/* Read-only: no writes of any kind. */
	CHECK_EQ("ro: open for write", fs_open(ro, "data", FS_O_WRITE, 0, NULL, NULL), -RV_EACCES);
	CHECK_EQ("ro: create", fs_open(ro, "new", FS_O_READ | FS_O_CREAT, 0644, NULL, NULL),
		 -RV_EACCES);
	CHECK_EQ("ro: open existing with CREAT", fs_open(ro, "data", FS_O_READ | FS_O_CREAT, 0,
							 &f, NULL), 0);
	rv_handle_close(f);
	CHECK_EQ("ro: mkdir", fs_mkdir(ro, "new", 0755), -RV_EACCES);
	CHECK_EQ("ro: unlink", fs_unlink(ro, "data", 0), -RV_EACCES);
	CHECK_EQ("ro: rmdir", fs_unlink(ro, "in", FS_AT_REMOVEDIR), -RV_EACCES);
	CHECK_EQ("ro: rename", fs_rename(ro, "data", "d2"), -RV_EACCES);
	CHECK_EQ("ro: link", fs_link(ro, "data", "d2"), -RV_EACCES);
	CHECK_EQ("ro: symlink", fs_symlink(ro, "data", "d2"), -RV_EACCES);
	CHECK_EQ("ro: clone with write", fs_clone(ro, FS_RIGHTS_ALL, NULL), -RV_EACCES);
	CHECK_EQ("ro: a subdir for write", fs_open(ro, "in", FS_O_READ | FS_O_WRITE, 0, NULL,
						   NULL), -RV_EACCES);
	CHECK_EQ("ro: read works", fs_open(ro, "data", FS_O_READ, 0, &f, NULL), 0);
	CHECK_EQ("ro: read", fs_read(f, buf, sizeof(buf)), 6);
	rv_handle_close(f);
	CHECK_EQ("ro: still there", fs_statat(root, "/box/data", 0, NULL), 0);

	/* An anchor (no rights) resolves paths, opens nothing with rights. */
	CHECK_EQ("anchor", fs_clone(ro, 0, &anchor), 0);
	CHECK_EQ("anchor: stat", fs_statat(anchor, "data", 0, NULL), 0);
	CHECK_EQ("anchor: no read", fs_open(anchor, "data", FS_O_READ, 0, NULL, NULL), -RV_EACCES);
	CHECK_EQ("anchor: no readdir", fs_readdir(anchor, buf, sizeof(buf)), -RV_EACCES);
	CHECK_EQ("anchor: sub-anchor", fs_open(anchor, "in", FS_O_DIRECTORY, 0, &f, NULL), 0);
	rv_handle_close(f);
	rv_handle_close(anchor);

	/* A writable box still cannot reach out. */
	CHECK_EQ("rw: create ../x lands inside", open_rw(box, "../x", RW | FS_O_CREAT, NULL), 0);
	CHECK_EQ("inside", fs_statat(root, "/box/x", 0, NULL), 0);
	CHECK_EQ("not outside", fs_statat(root, "/x", 0, NULL), -RV_ENOENT);
	CHECK_EQ("rw: unlink ../secret", fs_unlink(box, "../secret", 0), -RV_ENOENT);
	CHECK_EQ("rw: rename out", fs_rename(box, "x", "../../x2"), 0);
	CHECK_EQ("stays inside", fs_statat(root, "/box/x2", 0, NULL), 0);
	CHECK_EQ("rw: through to_root", open_rw(box, "to_root/y", RW | FS_O_CREAT, NULL), 0);
	CHECK_EQ("inside", fs_statat(root, "/box/y", 0, NULL), 0);
	CHECK_EQ("rw: rmdir itself", fs_unlink(box, ".", FS_AT_REMOVEDIR), -RV_EBUSY);

	/* Dropping the caches: only on a mount's root with WRITE (tmpfs has
	 * nothing to drop); the files stay. */
	CHECK_EQ("drop: / with WRITE", fs_drop_caches(root), 0);
	CHECK_EQ("drop: a read-only box", fs_drop_caches(ro), -RV_EPERM);
	CHECK_EQ("drop: a writable box (not a mount's root)", fs_drop_caches(box), -RV_EPERM);
	CHECK_EQ("drop: a file", fs_open(root, "/box/data", RW, 0, &f, NULL), 0);
	CHECK_EQ("drop: a file", fs_drop_caches(f), -RV_EPERM);
	rv_handle_close(f);
	CHECK_EQ("drop: /tmp read-only", fs_open(root, "/tmp", FS_O_READ, 0, &f, NULL), 0);
	CHECK_EQ("drop: /tmp read-only", fs_drop_caches(f), -RV_EPERM);
	rv_handle_close(f);
	CHECK_EQ("drop: /tmp with WRITE", fs_open(root, "/tmp", RW, 0, &f, NULL), 0);
	CHECK_EQ("drop: /tmp with WRITE", fs_drop_caches(f), 0);
	rv_handle_close(f);
	CHECK_EQ("drop: the data stays", fs_open(root, "/box/data", FS_O_READ, 0, &f, NULL), 0);
	CHECK_EQ("drop: the data stays", fs_read(f, buf, sizeof(buf)), 6);
	CHECK("drop: the same bytes", !memcmp(buf, "inside", 6));
	rv_handle_close(f);

	/* Guessed or closed handles are not connections. */
	CHECK_EQ("a guessed handle", fs_stat(0x12345, &st), -RV_EBADF);
	CHECK_EQ("a closed handle", rv_handle_close(box), 0);
	CHECK_EQ("a closed handle", fs_stat(box, &st), -RV_EBADF);
	rv_handle_close(ro);
	printf("fs: rights: a read-only box cannot write; '..', '/' and symlinks never leave it; "
	       "guessed handles are EBADF\n");
}

static void image(void)
{
	rv_handle_t f, shm;
	uint64_t size;
	struct rv_handle_info info;
	long addr;

	CHECK_EQ("create", open_rw(root, "/prog", RW | FS_O_CREAT, &f), 0);
	CHECK_EQ("write", fs_write_full(f, big, 5000), 5000);
	CHECK_EQ("image", fs_image(f, &shm, &size), 0);
	CHECK_EQ("image: size", size, 5000);
	CHECK_EQ("info", rv_handle_info(shm, &info), 0);
	CHECK_EQ("read and map only", info.rights & (RV_RIGHT_WRITE | RV_RIGHT_DUPLICATE |
						     RV_RIGHT_MANAGE), 0);
	CHECK("can read and map", (info.rights & (RV_RIGHT_READ | RV_RIGHT_MAP)) ==
					 (RV_RIGHT_READ | RV_RIGHT_MAP));
	CHECK("not writable", rv_shm_map(shm, 1) < 0);
	addr = rv_shm_map(shm, 0);
	CHECK("map", addr > 0);
	if (addr > 0) {
		CHECK("the file's bytes", !memcmp((void *)addr, big, 5000));
		rv_shm_unmap((void *)addr);
	}
	rv_handle_close(shm);
	rv_handle_close(f);
	CHECK_EQ("write-only", open_rw(root, "/prog", FS_O_WRITE, &f), 0);
	CHECK_EQ("image needs read", fs_image(f, &shm, &size), -RV_EACCES);
	rv_handle_close(f);
	printf("fs: image: the file in read-only shared memory\n");
}

static struct fs_statfs sfs;

static uint32_t conns_now(void)
{
	CHECK_EQ("statfs", fs_statfs(root, &sfs), 0);
	return sfs.connections;
}

static uint64_t handles_now(void)
{
	struct rv_kstats k;

	rv_kstats(&k);
	return k.handles_used;
}

static void limits(void)
{
	static rv_handle_t hs[CONFIG_FS_MAX_CONNECTIONS + 8];
	uint32_t c0, n = 0;
	uint64_t h0;
	int ret;

	c0 = conns_now();
	CHECK("the server counts connections", c0 >= 1 && sfs.connections_max >= c0);
	h0 = handles_now();
	for (int i = 0; i < CYCLES; i++) {
		rv_handle_t f;

		ret = fs_open(root, i % 2 ? "/box/data" : "/box/in", FS_O_READ, 0, &f, NULL);
		if (ret < 0) {
			CHECK_EQ("open", ret, 0);
			break;
		}
		if (i % 3 == 0) {
			rv_handle_t g;

			if (CHECK_EQ("clone", fs_clone(f, FS_RIGHT_READ, &g), 0))
				rv_handle_close(g);
		}
		rv_handle_close(f);
	}
	CHECK_EQ("10,000 open/close: the server's table as before", conns_now(), c0);
	CHECK_EQ("10,000 open/close: the kernel's handles as before", handles_now(), h0);
	printf("fs: %d open/close cycles: %u connections and %lu handles before and after\n",
	       CYCLES, (unsigned int)c0, (unsigned long)h0);

	/* EMFILE at the table's limit, and room again after a close. */
	for (;;) {
		if (n == sizeof(hs) / sizeof(hs[0]))
			break;
		ret = fs_open(root, "/box/data", FS_O_READ, 0, &hs[n], NULL);
		if (ret < 0)
			break;
		n++;
	}
	CHECK_EQ("EMFILE at the limit", ret, -RV_EMFILE);
	CHECK_EQ("exactly the limit", n + c0, sfs.connections_max);
	CHECK_EQ("clone: EMFILE too", fs_clone(root, FS_RIGHT_READ, NULL), -RV_EMFILE);
	CHECK_EQ("still serving", fs_statat(root, "box", 0, NULL), 0);
	rv_handle_close(hs[--n]);
	CHECK_EQ("room again", fs_open(root, "/box/data", FS_O_READ, 0, &hs[n], NULL), 0);
	n++;
	while (n)
		rv_handle_close(hs[--n]);
	CHECK_EQ("all freed", conns_now(), c0);
	CHECK_EQ("handles too", handles_now(), h0);
	printf("fs: EMFILE at %u connections; freed at once on close\n",
	       (unsigned int)sfs.connections_max);

	/* A client that dies holding connections: freed too. */
	{
		const char *args[] = {"opener", NULL};
		rv_handle_t give[1], proc;
		struct rv_exit_info ei;
		long pid;

		CHECK_EQ("clone for the child", fs_clone(root, FS_RIGHT_READ, &give[0]), 0);
		pid = rv_process_spawn("fs_test", args, 9, give, 1);
		CHECK("spawn an opener", pid >= 0);
		if (pid >= 0) {
			struct rv_wait_item it = {.handle = (rv_handle_t)pid,
						  .signals = RV_SIGNAL_EXITED};

			proc = (rv_handle_t)pid;
			CHECK_EQ("it ends", rv_wait_many(&it, 1, rv_clock_ns() + 5000000000ull), 1);
			CHECK_EQ("exit info", rv_process_exit_info(proc, &ei), 0);
			CHECK_EQ("it opened them all", ei.code, OPENER_FILES);
			rv_handle_close(proc);
		}
		CHECK_EQ("the dead client's connections freed", conns_now(), c0);
		CHECK_EQ("and its handles", handles_now(), h0);
		printf("fs: a client that died holding %d connections: all freed\n",
		       OPENER_FILES + 1);
	}
}

/* Requests back to back, more than both channel queues hold: the server
 * keeps a reply the full queue cannot take and reads that connection again
 * only when it went, so every reply arrives, in order. */
static void pipelined(void)
{
	uint8_t req[WIRE_HEADER_SIZE + 8], rbuf[CONFIG_MSG_MAX_BYTES];
	struct wire_writer w;
	struct rv_msg m, r;
	int sent = 0, got = 0, ok = 0;
	long ret;

	wire_init_request(&w, req, sizeof(req), NULL, 0, FS_OP_STAT);
	wire_finish(&w, &m);
	for (;;) {
		ret = rv_channel_write(root, &m, RV_IPC_NONBLOCK, 0);
		if (ret < 0)
			break;
		sent++;
	}
	CHECK_EQ("until the queues are full", ret, -RV_EAGAIN);
	CHECK("more than both queues", sent > 2 * CONFIG_CHANNEL_QUEUE_DEPTH);
	for (; got < sent; got++) {
		r = (struct rv_msg){.bytes = rbuf, .num_bytes = sizeof(rbuf)};
		ret = rv_channel_read(root, &r, 0, rv_clock_ns() + 2000000000ull);
		if (ret < 0)
			break;
		ok += r.num_bytes > WIRE_HEADER_SIZE && rbuf[4] == 0 && rbuf[3] == 0x80 &&
		      rbuf[0] == FS_OP_STAT;
	}
	CHECK_EQ("every reply", got, sent);
	CHECK_EQ("every one a STAT reply", ok, sent);
	CHECK_EQ("nothing more", rv_channel_read(root, &r, RV_IPC_NONBLOCK, 0), -RV_EAGAIN);
	CHECK_EQ("served as before", fs_stat(root, NULL), 0);
	printf("fs: %d requests back to back: every reply, in order\n", sent);
}

/* A raw window request: FS_OP_WINDOW (size; *shm), FS_OP_WREAD (size =
 * max; *n) or FS_OP_WPREAD (off, size; *n). */
static long window_req(rv_handle_t node, uint32_t op, uint64_t off, uint32_t size, rv_handle_t *shm,
		       uint32_t *n)
{
	static uint8_t rep[CONFIG_MSG_MAX_BYTES] __attribute__((aligned(8)));
	uint8_t req[WIRE_HEADER_SIZE + 32] __attribute__((aligned(8)));
	rv_handle_t rhs[CONFIG_MSG_MAX_HANDLES + 1];
	struct wire_writer w;
	struct wire_reader r;
	struct rv_msg reply;
	long ret;

	wire_init_request(&w, req, sizeof(req), NULL, 0, op);
	if (op == FS_OP_WPREAD)
		wire_put_u64(&w, off);
	wire_put_u32(&w, size);
	ret = rv_service_call(node, &w, &r, op, rep, rhs, &reply);
	if (ret < 0)
		return ret;
	if (op == FS_OP_WINDOW && size)
		wire_get_handle(&r, shm);
	if (op != FS_OP_WINDOW || size)
		wire_get_u32(&r, n);
	return wire_end(&r);
}

static uint32_t rights_of(rv_handle_t h)
{
	struct rv_handle_info info;

	return rv_handle_info(h, &info) < 0 ? 0 : info.rights;
}

#define WIN_FILE_BYTES 20000
static uint8_t win_buf[WIN_FILE_BYTES + 8192];

static bool pattern_at(const uint8_t *p, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)((off + i) * 7 + 3))
			return false;
	}
	return true;
}

/* Read windows (FS_OP_WINDOW): reads of CONFIG_FS_WINDOW_MIN_BYTES and more
 * go through one; the bytes are those a read by messages gives, at every
 * offset, mixed with reads by messages; the protocol's errors; a window
 * the server dropped; the server's limit (CONFIG_FS_MAX_WINDOWS), past
 * which reads go by messages. */
static void windows(void)
{
	rv_handle_t f, g, wo, shm, fs[CONFIG_FS_MAX_WINDOWS + 1];
	uint64_t off = 0;
	uint32_t n = 0;
	long ret, got;
	int made = 0;

	for (size_t i = 0; i < WIN_FILE_BYTES; i++)
		win_buf[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ("create", open_rw(base, "win.dat", RW | FS_O_CREAT | FS_O_TRUNC, &f), 0);
	CHECK_EQ("write it", fs_write_full(f, win_buf, WIN_FILE_BYTES), WIN_FILE_BYTES);
	CHECK_EQ("rewind", fs_seek(f, 0, FS_SEEK_SET, NULL), 0);
	/* 4 KiB reads (windows), 100-byte reads (messages), mixed: the
	 * offset runs on through both. */
	memset(win_buf, 0, sizeof(win_buf));
	for (int k = 0; (got = fs_read(f, win_buf, k % 3 == 1 ? 100 : 4096)) > 0; k++) {
		if (!pattern_at(win_buf, off, (size_t)got))
			break;
		off += (uint64_t)got;
	}
	CHECK_EQ("4 KiB and 100-byte reads: every byte, then the end", got, 0);
	CHECK_EQ("... all of it", off, WIN_FILE_BYTES);
	got = fs_pread(f, 1234, win_buf, 9000);
	CHECK("pread at 1234 of 9000: the window's size at most, right bytes",
	      got > 0 && got <= CONFIG_FS_WINDOW_BYTES && pattern_at(win_buf, 1234, (size_t)got));
	CHECK_EQ("pread past the end: 0", fs_pread(f, WIN_FILE_BYTES + 10, win_buf, 4096), 0);
	got = fs_pread(f, WIN_FILE_BYTES - 1000, win_buf, 4096);
	CHECK("pread over the end: what there is",
	      got == 1000 && pattern_at(win_buf, WIN_FILE_BYTES - 1000, 1000));
	/* The server drops the window (size 0): the next read goes by
	 * messages, as right. */
	CHECK_EQ("window dropped", window_req(f, FS_OP_WINDOW, 0, 0, NULL, NULL), 0);
	CHECK_EQ("WREAD without a window: ENOENT", window_req(f, FS_OP_WREAD, 0, 4096, NULL, &n),
		 -RV_ENOENT);
	got = fs_pread(f, 4096, win_buf, 4096);
	CHECK("a read after the server dropped it: right bytes",
	      got == 4096 && pattern_at(win_buf, 4096, 4096));

	/* The protocol by hand. */
	CHECK_EQ("WINDOW on a directory: EISDIR", window_req(root, FS_OP_WINDOW, 0, 4096, &shm, &n),
		 -RV_EISDIR);
	CHECK_EQ("write-only", open_rw(base, "win.dat", FS_O_WRITE, &wo), 0);
	CHECK_EQ("WINDOW without READ: EACCES", window_req(wo, FS_OP_WINDOW, 0, 4096, &shm, &n),
		 -RV_EACCES);
	fs_close(wo);
	CHECK_EQ("a second connection", open_rw(base, "win.dat", FS_O_READ, &g), 0);
	ret = window_req(g, FS_OP_WINDOW, 0, 5000, &shm, &n);
	if (CONFIG_FS_MAX_WINDOWS == 0) {
		CHECK_EQ("no windows (CONFIG_FS_MAX_WINDOWS=0): ENOSPC", ret, -RV_ENOSPC);
	} else {
		long map;

		CHECK_EQ("WINDOW of 5000 bytes", ret, 0);
		CHECK_EQ("... rounded up to pages", n, 8192);
		CHECK_EQ("... its handle: READ|MAP|TRANSFER, never WRITE", rights_of(shm),
			 RV_RIGHT_READ | RV_RIGHT_MAP | RV_RIGHT_TRANSFER);
		CHECK("... not to be mapped writable", rv_shm_map(shm, 1) < 0);
		map = rv_shm_map(shm, 0);
		CHECK("... mapped to read", map > 0);
		CHECK_EQ("WPREAD 3000 at 17000", window_req(g, FS_OP_WPREAD, 17000, 3000, NULL, &n), 0);
		CHECK("... 3000 bytes, right ones, in the window",
		      n == 3000 && map > 0 && pattern_at((const uint8_t *)map, 17000, 3000));
		CHECK_EQ("WREAD of 100000: the window's 8192 at most",
			 window_req(g, FS_OP_WREAD, 0, 100000, NULL, &n), 0);
		CHECK("... and the offset moved by what came", n == 8192 &&
		      fs_seek(g, 0, FS_SEEK_CUR, &off) == 0 && off == 8192);
		CHECK_EQ("WINDOW of 4 GiB - 1: CONFIG_FS_WINDOW_MAX_BYTES",
			 window_req(g, FS_OP_WINDOW, 0, 0xffffffffu, &shm, &n), 0);
		CHECK_EQ("... its size", n, (CONFIG_FS_WINDOW_MAX_BYTES + 4095) & ~4095u);
		rv_handle_close(shm);
		if (map > 0)
			rv_shm_unmap((void *)map);
	}
	fs_close(g);
	fs_close(f);

	/* The server's limit: CONFIG_FS_MAX_WINDOWS connections with one,
	 * then ENOSPC, and reads still right by messages. */
	for (int i = 0; i <= CONFIG_FS_MAX_WINDOWS; i++) {
		CHECK_EQ("open", open_rw(base, "win.dat", FS_O_READ, &fs[i]), 0);
		ret = window_req(fs[i], FS_OP_WINDOW, 0, 4096, &shm, &n);
		if (ret == 0) {
			made++;
			rv_handle_close(shm);
		}
	}
	CHECK_EQ("windows up to CONFIG_FS_MAX_WINDOWS", made, CONFIG_FS_MAX_WINDOWS);
	CHECK_EQ("then ENOSPC", ret, -RV_ENOSPC);
	got = fs_pread(fs[CONFIG_FS_MAX_WINDOWS], 0, win_buf, 4096);
	CHECK("a 4 KiB read refused a window: by messages, right bytes",
	      got == 4096 && pattern_at(win_buf, 0, 4096));
	if (CONFIG_FS_MAX_WINDOWS > 0) {
		fs_close(fs[0]);
		ret = window_req(fs[CONFIG_FS_MAX_WINDOWS], FS_OP_WINDOW, 0, 4096, &shm, &n);
		CHECK_EQ("one closed: its window freed for another", ret, 0);
		if (ret == 0)
			rv_handle_close(shm);
	}
	for (int i = CONFIG_FS_MAX_WINDOWS > 0; i <= CONFIG_FS_MAX_WINDOWS; i++)
		fs_close(fs[i]);
	CHECK_EQ("unlink", fs_unlink(base, "win.dat", 0), 0);
	printf("fs: read windows: same bytes as messages, errors, limit %d\n",
	       CONFIG_FS_MAX_WINDOWS);
}

static rv_handle_t other;

static int alive(void *ctx)
{
	struct fs_stat st;

	return fs_statat(other, "box", 0, &st) == 0;
}

static void malformed(void)
{
	uint8_t valid[WIRE_HEADER_SIZE];
	struct wire_writer w;
	struct rv_msg m;
	rv_handle_t f;

	CHECK_EQ("clone", fs_clone(root, FS_RIGHTS_ALL, &other), 0);
	CHECK_EQ("a file connection", fs_open(root, "/box/data", FS_O_READ, 0, &f, NULL), 0);
	wire_init_request(&w, valid, sizeof(valid), NULL, 0, FS_OP_STAT);
	CHECK_EQ("valid request", wire_finish(&w, &m), 0);
	malformed_battery("fs dir", root, valid, sizeof(valid), 999, alive, NULL);
	malformed_battery("fs file", f, valid, sizeof(valid), 0x7fffffff, alive, NULL);
	rv_handle_close(f);
	rv_handle_close(other);
	printf("fs: malformed requests: error replies, the server still serves\n");
}

/* The disk scenario mounts an ext2 image at /disk. */
static bool disk_mounted(void)
{
	rv_handle_t d;
	struct fs_statfs sf;
	bool ext2;

	if (fs_open(root, "/disk", FS_O_READ, 0, &d, NULL) < 0)
		return false;
	ext2 = fs_statfs(d, &sf) == 0 && !strcmp(sf.type, "ext2");
	rv_handle_close(d);
	return ext2;
}

static bool disk_read_only(void)
{
	struct fs_statfs sf;
	rv_handle_t d;
	bool ro;

	if (fs_open(root, "/disk", FS_O_READ, 0, &d, NULL) < 0)
		return false;
	ro = fs_statfs(d, &sf) == 0 && (sf.flags & FS_STATFS_READ_ONLY);
	rv_handle_close(d);
	return ro;
}

/* /disk mounted read-only (":ro"): everything reads, nothing writes, even
 * through a connection with every right (the image stays unchanged). */
static void disk_ro(void)
{
	rv_handle_t d, f;
	char buf[32];

	CHECK_EQ("open /disk rw", fs_open(root, "/disk", RW, 0, &d, NULL), 0);
	CHECK_EQ("read hello.txt", fs_open(d, "hello.txt", FS_O_READ, 0, &f, NULL), 0);
	CHECK_EQ("read", fs_read(f, buf, sizeof(buf)), 25);
	CHECK_EQ("sync is fine", fs_sync(f, 0), 0);
	rv_handle_close(f);
	CHECK_EQ("open for write", fs_open(d, "hello.txt", FS_O_WRITE, 0, NULL, NULL), -RV_EROFS);
	CHECK_EQ("create", fs_open(d, "new", RW | FS_O_CREAT, 0644, NULL, NULL), -RV_EROFS);
	CHECK_EQ("mkdir", fs_mkdir(d, "new", 0755), -RV_EROFS);
	CHECK_EQ("unlink", fs_unlink(d, "hello.txt", 0), -RV_EROFS);
	CHECK_EQ("rename", fs_rename(d, "hello.txt", "x"), -RV_EROFS);
	CHECK_EQ("link", fs_link(d, "hello.txt", "x"), -RV_EROFS);
	CHECK_EQ("symlink", fs_symlink(d, "hello.txt", "x"), -RV_EROFS);
	CHECK_EQ("syncfs is fine", fs_syncfs(d), 0);
	/* Dropping the caches writes nothing (disk_unchanged checks it). */
	CHECK_EQ("drop caches is fine", fs_drop_caches(d), 0);
	CHECK_EQ("read hello.txt again", fs_open(d, "hello.txt", FS_O_READ, 0, &f, NULL), 0);
	CHECK_EQ("read again", fs_read(f, buf, sizeof(buf)), 25);
	CHECK("the same bytes", !memcmp(buf, "hello from an ext2 image\n", 25));
	rv_handle_close(f);
	rv_handle_close(d);
	CHECK_EQ("open /disk read-only", fs_open(root, "/disk", FS_O_READ, 0, &d, NULL), 0);
	CHECK_EQ("drop caches: a read-only connection", fs_drop_caches(d), -RV_EPERM);
	rv_handle_close(d);
	printf("fs: /disk read-only: reads work, every change is EROFS\n");
}

/* Bytes rvOS writes for the host to check (testcase.yaml's debugfs sha256
 * of /written.bin): i * 7 + 3 for i in 0..DISK_FILE_BYTES-1. */
#define DISK_FILE_BYTES 20000

static void disk(void)
{
	static uint8_t data[DISK_FILE_BYTES], got[DISK_FILE_BYTES];
	rv_handle_t f;
	struct fs_stat st;
	struct fs_statfs sf;
	char buf[64];

	CHECK_EQ("statfs /disk", fs_statfs(base, &sf), 0);
	CHECK("ext2", !strcmp(sf.type, "ext2"));
	CHECK_EQ("ext2 block size", sf.block_size, 1024);
	CHECK_EQ("stat /disk", fs_stat(base, &st), 0);
	base_dev = st.dev;
	CHECK("its own mount", st.dev != 0);
	CHECK_EQ("ext2 root inode", st.ino, 2);
	/* A file mke2fs -d put there. */
	CHECK_EQ("open hello.txt", fs_open(base, "hello.txt", FS_O_READ, 0, &f, NULL), 0);
	CHECK_EQ("read hello.txt", fs_read(f, buf, sizeof(buf)), 25);
	CHECK("hello.txt bytes", !memcmp(buf, "hello from an ext2 image\n", 25));
	rv_handle_close(f);
	CHECK_EQ("a deep staged file", fs_statat(base, "/etc/deep/er/file", 0, &st), 0);
	CHECK_EQ("its size", st.size, 6);
	/* A file for the host: debugfs reads it back after the run. */
	for (int i = 0; i < DISK_FILE_BYTES; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ("create written.bin", fs_open(base, "written.bin", RW | FS_O_CREAT | FS_O_EXCL,
					       0644, &f, NULL), 0);
	CHECK_EQ("write it", fs_write_full(f, data, sizeof(data)), sizeof(data));
	CHECK_EQ("fsync", fs_sync(f, 0), 0);
	CHECK_EQ("read it back", fs_pread(f, 0, got, 100), 100);
	CHECK_EQ("seek", fs_seek(f, 0, FS_SEEK_SET, NULL), 0);
	CHECK_EQ("read_full", fs_read_full(f, got, sizeof(got)), sizeof(got));
	CHECK("the same bytes", !memcmp(data, got, sizeof(got)));
	rv_handle_close(f);
	CHECK_EQ("mkdir made", fs_mkdir(base, "made", 0755), 0);
	CHECK_EQ("a file in it", fs_open(base, "made/by-rvos", RW | FS_O_CREAT, 0600, &f, NULL), 0);
	CHECK_EQ("write", fs_write(f, "rvOS\n", 5), 5);
	rv_handle_close(f);
	CHECK_EQ("rename across /disk dirs", fs_rename(base, "made/by-rvos", "etc/moved"), 0);
	CHECK_EQ("rename to another mount", fs_rename(root, "/disk/etc/moved", "/tmp/m"),
		 -RV_EXDEV);
	CHECK_EQ("image of a disk file", fs_open(base, "written.bin", FS_O_READ, 0, &f, NULL), 0);
	{
		rv_handle_t shm;
		uint64_t size;
		long addr;

		CHECK_EQ("image", fs_image(f, &shm, &size), 0);
		CHECK_EQ("image size", size, DISK_FILE_BYTES);
		addr = rv_shm_map(shm, 0);
		CHECK("map", addr > 0);
		if (addr > 0) {
			CHECK("image bytes", !memcmp((void *)addr, data, DISK_FILE_BYTES));
			rv_shm_unmap((void *)addr);
		}
		rv_handle_close(shm);
	}
	rv_handle_close(f);
	CHECK_EQ("syncfs", fs_syncfs(base), 0);
	/* Full disk: ENOSPC, and every block back after the unlink. */
	{
		struct fs_statfs before, full, after;
		long n, total = 0;

		CHECK_EQ("statfs", fs_statfs(base, &before), 0);
		CHECK_EQ("create fill", fs_open(base, "fill", RW | FS_O_CREAT, 0644, &f, NULL), 0);
		while ((n = fs_write(f, big, FS_IO_MAX)) > 0)
			total += n;
		CHECK_EQ("a full disk: ENOSPC", n, -RV_ENOSPC);
		CHECK("most of the free space went in",
		      (uint64_t)total >= (before.blocks_free - before.blocks_free / 8) * 1024);
		CHECK_EQ("statfs full", fs_statfs(base, &full), 0);
		CHECK("no block free (reserved ones aside)",
		      full.blocks_free < before.blocks_free / 16);
		CHECK_EQ("mkdir on a full disk", fs_mkdir(base, "full-dir", 0755), -RV_ENOSPC);
		rv_handle_close(f);
		CHECK_EQ("unlink fill", fs_unlink(base, "fill", 0), 0);
		CHECK_EQ("sync", fs_syncfs(base), 0);
		CHECK_EQ("statfs after", fs_statfs(base, &after), 0);
		CHECK_EQ("every block back", after.blocks_free, before.blocks_free);
		CHECK_EQ("every inode back", after.inodes_free, before.inodes_free);
	}
	printf("fs: /disk (ext2): staged files read, written files read back, image, sync, "
	       "ENOSPC\n");
}

/*
 * Kill the server in the middle of writing: its clients see EPEERCLOSED,
 * init restarts it, a new connection works. On /disk what was synced is
 * still there (and e2fsck finds the image clean after the run); tmpfs
 * starts empty again.
 */
static void restart(bool disk)
{
	rv_handle_t proc, f, fresh;
	struct fs_stat st;
	int ret;

	CHECK_EQ("open a file", open_rw(root, disk ? "/disk/while-killed" : "/while-killed",
					RW | FS_O_CREAT, &f), 0);
	CHECK_EQ("write", fs_write_full(f, big, sizeof(big)), sizeof(big));
	CHECK_EQ("the server's process", rv_service_process(FS_SERVICE_NAME, &proc), 0);
	CHECK_EQ("kill it mid-write", rv_process_kill(proc), 0);
	rv_handle_close(proc);
	ret = (int)fs_write(f, big, 100);
	CHECK_EQ("a write on the dead server: EPEERCLOSED", ret, -RV_EPEERCLOSED);
	CHECK_EQ("the root too", fs_stat(root, &st), -RV_EPEERCLOSED);
	rv_handle_close(f);
	rv_handle_close(root);
	CHECK_EQ("connect again", rv_connect_wait(FS_SERVICE_NAME, &fresh,
						  rv_clock_ns() + 5000000000ull), 0);
	root = fresh;
	CHECK_EQ("served again", fs_stat(root, &st), 0);
	if (disk) {
		CHECK_EQ("synced data survived", size_of(root, "/disk/written.bin"), 20000);
		CHECK_EQ("and the staged files", size_of(root, "/disk/hello.txt"), 25);
	} else {
		CHECK_EQ("tmpfs starts empty", fs_statat(root, "/box", 0, NULL), -RV_ENOENT);
	}
	printf("fs: killed mid-write: clients see EPEERCLOSED; restarted, connected again\n");
}

/* After every sync: a file only the periodic write-back
 * (CONFIG_FS_WRITEBACK_MS) puts on the disk before the power goes. */
static void late_write(void)
{
	rv_handle_t f;

	CHECK_EQ("late.txt", open_rw(root, "/disk/late.txt", RW | FS_O_CREAT, &f), 0);
	CHECK_EQ("write", fs_write(f, "written back\n", 13), 13);
	rv_handle_close(f);
	rv_sleep_ns((CONFIG_FS_WRITEBACK_MS + 500) * 1000000ull);
	printf("fs: late.txt left to the periodic write-back\n");
}

/* The child of limits(): opens files on its handle 0 and ends without
 * closing them; its status is how many it opened. */
static int opener_main(void)
{
	rv_handle_t f[OPENER_FILES];
	int n;

	for (n = 0; n < OPENER_FILES; n++)
		if (fs_open(0, n % 2 ? "/box/data" : "/box/in", FS_O_READ, 0, &f[n], NULL) < 0)
			break;
	return n;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "opener"))
		return opener_main();

	int ret = rv_connect_wait(FS_SERVICE_NAME, &root, rv_clock_ns() + 5000000000ull);

	if (!CHECK_EQ("connect to fs", ret, 0))
		return check_report("fs");
	base = root;
	files();
	directories();
	if (disk_mounted() && disk_read_only()) {
		disk_ro();
	} else if (disk_mounted()) {
		CHECK_EQ("open /disk", fs_open(root, "/disk", RW, 0, &base, NULL), 0);
		disk();
		files();
		directories();
		CHECK_EQ("syncfs", fs_syncfs(base), 0);
		rv_handle_close(base);
		base = root;
	}
	unlink_while_open();
	mounts();
	rights();
	image();
	limits();
	pipelined();
	windows();
	malformed();
	if (!disk_read_only())
		restart(disk_mounted());
	if (disk_mounted() && !disk_read_only())
		late_write();
	return check_report("fs");
}
