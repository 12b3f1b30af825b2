/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A damaged or hostile ext2 image (tests/user/ext2/testcase.yaml,
 * user.ext2.corrupt.*): the runner damaged the image before the boot
 * (disk_corrupt); this program, init's main program, says what the file
 * server made of it, one console line per finding, and the scenario's
 * regexes demand the clean error each kind of damage must give:
 *
 *  - whether /disk is mounted (ext2, read-only or not) or was refused (the
 *    server said why on the console before);
 *  - if mounted: a walk of the whole tree (readdir, lstat, read every file,
 *    readlink every link; at most 8 folders deep, which a folder containing
 *    its ancestor would exceed) printing each error, then one line per
 *    operation on the objects the scenarios damage (read, readdir, open,
 *    readlink; on a writable mount create, write, truncate, unlink,
 *    rename), then writes elsewhere and a sync that must work;
 *  - that the rest of the namespace (/tmp, a tmpfs) is still served.
 *
 * Every line is "probe: <operation> <path>: <ok or the error's name>".
 * A hang is the runner's timeout; a crash of the server shows as
 * EPEERCLOSED here and init's restart line.
 */
#include "check.h"
#include "ext2_common.h"

#define DISK "/disk"
#define MAX_DEPTH 8
#define MAX_ENTRIES 2000

static unsigned int walked, walk_errors;

static long report(const char *op, const char *p, long ret)
{
	printf("probe: %s %s: %s\n", op, p, ret < 0 ? rv_strerror((int)ret) : "ok");
	return ret;
}

static void walk(const char *dir, int depth)
{
	static uint8_t dbuf[MAX_DEPTH + 1][2048] __attribute__((aligned(8)));
	rv_handle_t h;
	long n;
	int ret = fs_open(root, dir, FS_O_READ | FS_O_DIRECTORY, 0, &h, NULL);

	if (ret < 0) {
		walk_errors++;
		report("walk: open", dir, ret);
		return;
	}
	while ((n = fs_readdir(h, dbuf[depth], sizeof(dbuf[depth]))) > 0) {
		struct fs_dirent e;
		size_t pos = 0;

		while (fs_dirent_next(dbuf[depth], (size_t)n, &pos, &e) == 1) {
			char p[FS_PATH_MAX], t[FS_PATH_MAX];
			struct fs_stat st;
			uint64_t size, fnv;
			long len;

			if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
				continue;
			if (++walked > MAX_ENTRIES)
				break;
			snprintf(p, sizeof(p), "%s/%s", dir, e.name);
			ret = fs_statat(root, p, FS_AT_NOFOLLOW, &st);
			if (ret < 0) {
				walk_errors++;
				report("walk: lstat", p, ret);
				continue;
			}
			switch (st.mode & FS_S_IFMT) {
			case FS_S_IFDIR:
				if (depth < MAX_DEPTH)
					walk(p, depth + 1);
				else
					printf("probe: walk: %s: deeper than %d folders, "
					       "not followed\n", p, MAX_DEPTH);
				break;
			case FS_S_IFREG:
				ret = read_sum(root, p, &size, &fnv);
				if (ret < 0) {
					walk_errors++;
					report("walk: read", p, ret);
				}
				break;
			case FS_S_IFLNK:
				len = fs_readlink(root, p, t, sizeof(t));
				if (len < 0) {
					walk_errors++;
					report("walk: readlink", p, len);
				}
				break;
			}
		}
	}
	if (n < 0) {
		walk_errors++;
		report("walk: readdir", dir, n);
	}
	rv_handle_close(h);
}

static long read_all(const char *p)
{
	uint64_t size, fnv;

	return read_sum(root, p, &size, &fnv);
}

static long list(const char *p)
{
	static uint8_t dbuf[2048] __attribute__((aligned(8)));
	rv_handle_t h;
	long n;
	int ret = fs_open(root, p, FS_O_READ | FS_O_DIRECTORY, 0, &h, NULL);

	if (ret < 0)
		return ret;
	while ((n = fs_readdir(h, dbuf, sizeof(dbuf))) > 0)
		;
	rv_handle_close(h);
	return n;
}

static long open_close(const char *p, uint32_t flags)
{
	rv_handle_t f;
	int ret = fs_open(root, p, flags, 0644, &f, NULL);

	if (ret == 0)
		rv_handle_close(f);
	return ret;
}

static long put(const char *p, uint64_t off, uint64_t len)
{
	rv_handle_t f;
	int ret = fs_open(root, p, FS_O_WRITE, 0, &f, NULL);
	long w;

	if (ret < 0)
		return ret;
	memset(iobuf, 'x', sizeof(iobuf));
	w = fs_pwrite(f, off, iobuf, (size_t)len);
	rv_handle_close(f);
	return w < 0 ? w : 0;
}

static long cut(const char *p, uint64_t size)
{
	rv_handle_t f;
	int ret = fs_open(root, p, FS_O_WRITE, 0, &f, NULL);

	if (ret < 0)
		return ret;
	ret = fs_truncate(f, size);
	rv_handle_close(f);
	return ret;
}

/* The damaged objects (testcase.yaml's disk_corrupt steps name them). */
static void targets(bool rw)
{
	char p[64];
	char t[256];

	report("read", DISK "/text/hello.txt", read_all(DISK "/text/hello.txt"));
	for (int k = 1; k <= 4; k++) {
		snprintf(p, sizeof(p), DISK "/bad%d", k);
		report("readdir", p, list(p));
		snprintf(p, sizeof(p), DISK "/bad%d/victim", k);
		report("open", p, open_close(p, FS_O_READ));
	}
	report("read", DISK "/data/pattern.bin", read_all(DISK "/data/pattern.bin"));
	report("read", DISK "/data/big.bin", read_all(DISK "/data/big.bin"));
	report("readlink", DISK "/links/slow", fs_readlink(root, DISK "/links/slow", t, sizeof(t)));
	report("open", DISK "/loopa", open_close(DISK "/loopa", FS_O_READ));
	report("open", DISK "/loops/a/b/file", open_close(DISK "/loops/a/b/file", FS_O_READ));
	if (!rw) {
		report("create", DISK "/text/new.txt",
		       open_close(DISK "/text/new.txt", FS_O_WRITE | FS_O_CREAT));
		report("mkdir", DISK "/newdir", fs_mkdir(root, DISK "/newdir", 0755));
		return;
	}
	for (int k = 1; k <= 4; k++) {
		snprintf(p, sizeof(p), DISK "/bad%d/new", k);
		report("create", p, open_close(p, FS_O_WRITE | FS_O_CREAT));
		snprintf(p, sizeof(p), DISK "/bad%d/victim", k);
		report("unlink", p, fs_unlink(root, p, 0));
	}
	report("write", DISK "/data/pattern.bin", put(DISK "/data/pattern.bin", 0, 100));
	report("write", DISK "/data/big.bin", put(DISK "/data/big.bin", 12 * KIB, 100));
	report("truncate", DISK "/data/big.bin", cut(DISK "/data/big.bin", 0));
	report("unlink", DISK "/data/pattern.bin", fs_unlink(root, DISK "/data/pattern.bin", 0));
	report("rename", DISK "/empty_dir",
	       fs_rename(root, DISK "/empty_dir", DISK "/loops/a/b/moved"));
	/* Through up (a link to /loops below /loops/a/b), loops/a would move
	 * into itself. */
	report("rename", DISK "/loops/a",
	       fs_rename(root, DISK "/loops/a", DISK "/loops/a/b/up/a/moved"));
	/* Elsewhere the file system works on. */
	report("create", DISK "/text/new.txt",
	       open_close(DISK "/text/new.txt", FS_O_WRITE | FS_O_CREAT));
	report("write", DISK "/text/new.txt", put(DISK "/text/new.txt", 0, 3000));
	report("read", DISK "/text/new.txt", read_all(DISK "/text/new.txt"));
	report("mkdir", DISK "/newdir", fs_mkdir(root, DISK "/newdir", 0755));
	report("syncfs", DISK, fs_syncfs(root));
}

/* /tmp (tmpfs) is served whatever became of /disk. */
static int tmpfs_served(void)
{
	static uint8_t back[3000];
	rv_handle_t f;
	int ok;

	pattern_fill(5, 0, iobuf, sizeof(back));
	ok = CHECK_EQ("tmpfs create", fs_open(root, "/tmp/probe", RW | FS_O_CREAT, 0644, &f, NULL),
		      0);
	if (!ok)
		return 0;
	ok &= CHECK_EQ("tmpfs write", fs_write(f, iobuf, sizeof(back)), (long)sizeof(back));
	ok &= CHECK_EQ("tmpfs read", fs_pread(f, 0, back, sizeof(back)), (long)sizeof(back));
	ok &= CHECK("tmpfs bytes", !memcmp(back, iobuf, sizeof(back)));
	rv_handle_close(f);
	return ok;
}

int main(void)
{
	struct fs_statfs sfs;
	rv_handle_t d;
	int ret;

	if (rv_connect_wait(FS_SERVICE_NAME, &root, in_ms(5000)) < 0) {
		printf("probe: no file server\n");
		return 1;
	}
	ret = fs_open(root, DISK, FS_O_READ | FS_O_DIRECTORY, 0, &d, NULL);
	if (ret == 0) {
		ret = fs_statfs(d, &sfs);
		rv_handle_close(d);
	}
	if (ret < 0 || strcmp(sfs.type, "ext2")) {
		printf("probe: /disk: not mounted (%s)\n", ret < 0 ? rv_strerror(ret) : sfs.type);
	} else {
		bool rw = !(sfs.flags & FS_STATFS_READ_ONLY);

		printf("probe: /disk: ext2, %s\n", rw ? "read-write" : "read-only");
		walk(DISK, 0);
		printf("probe: walked %u entries, %u errors\n", walked, walk_errors);
		targets(rw);
	}
	if (!tmpfs_served())
		return check_report("probe");
	printf("probe: /tmp: written and read back\n");
	return check_report("probe");
}
