/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files through the C library: a conformance suite in the style of xv6's
 * usertests and of POSIX suites, run by init as the main program with
 * root=/ on whatever file system the scenario mounts at / (tmpfs, ext2).
 * Every check compares exact results and errno values.
 *
 *   basic       create, write, read back, O_EXCL, sizes, EOF
 *   append      O_APPEND writes at the end whatever the offset
 *   holes       seek past the end: the gap reads as zeros; lseek errors
 *   truncate    ftruncate shorter and longer, truncate(path)
 *   rename      to a new name, over an existing file, a directory, errors
 *   unlinked    unlink while open: still readable and writable through the fd
 *   readdir     while creating: every old entry exactly once, none twice
 *   deep        30 levels of directories, relative and absolute, too long
 *   names       255-byte names work, 256 is ENAMETOOLONG
 *   errors      ENOTDIR, EISDIR, EEXIST, ENOTEMPTY, ENOENT
 *   rights      a read-only fd cannot write, a write-only one cannot read
 *   dup         dup and dup2 share the offset; dup2 closes its target
 *   cwd         getcwd and chdir with "..", up to the root and no further
 *   links       symlink, readlink, lstat, link and its count
 *   stdio       fopen/fprintf/fgets/fseek/ftell/fread/fwrite/remove/rename/tmpfile
 *   pipes       pipe: bytes, end of file, EPIPE, a large write in pieces
 *   emfile      open until EMFILE; closing makes room; 1000 cycles leak nothing
 *   programs    wordfreq (a portable program) run with the namespace, its
 *               stdout a file, then a pipe; printf redirected, flushed at exit
 *   redirect    a child's stdin, stdout and stderr: files, a pipe, 2>&1
 *   readonly    a child given a read-only root: every write refused, EACCES
 *   full        write until ENOSPC; unlinking gives the space back
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <rvos/fd.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "check.h"

#define BASE "/ft"

static const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case ENOTTY: return "ENOTTY";
	default: return "E?";
	}
}

/* The call returned -1 and set errno to want. */
static int check_errno_at(int line, const char *what, long got, int err, int want)
{
	checks_run++;
	if (got == -1 && err == want)
		return 1;
	if (++checks_failed <= CHECK_MAX_PRINTED)
		printf("FAIL line %d: %s: got %ld errno %s (%d), want -1 errno %s\n", line, what, got,
		       ename(err), err, ename(want));
	return 0;
}
#define CHECK_ERRNO(what, expr, want)                                                      \
	do {                                                                               \
		long r_;                                                                   \
		errno = 0;                                                                 \
		r_ = (long)(expr);                                                         \
		check_errno_at(__LINE__, (what), r_, errno, (want));                       \
	} while (0)

/* A call that must succeed: its value, and errno shown when it does not. */
static long ok_at(int line, const char *what, long got)
{
	checks_run++;
	if (got >= 0)
		return got;
	if (++checks_failed <= CHECK_MAX_PRINTED)
		printf("FAIL line %d: %s: -1 errno %s (%d)\n", line, what, ename(errno), errno);
	return got;
}
#define OK(what, expr) ok_at(__LINE__, (what), (long)(expr))

static int check_str_at(int line, const char *what, const char *got, const char *want)
{
	checks_run++;
	if (got && strcmp(got, want) == 0)
		return 1;
	if (++checks_failed <= CHECK_MAX_PRINTED)
		printf("FAIL line %d: %s:\n  got  \"%s\"\n  want \"%s\"\n", line, what,
		       got ? got : "(null)", want);
	return 0;
}
#define CHECK_STR(what, got, want) check_str_at(__LINE__, (what), (got), (want))

static uint8_t big[20000], got_buf[20000];

static void pattern(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The whole file into buf (at most size - 1 bytes, NUL added): its length. */
static long slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static int spew(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (long)strlen(text) ? 0 : -1;
}

/* ---- basic ---- */

static void test_basic(void)
{
	struct stat st;
	int fd;

	fd = OK("create", open(BASE "/basic", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK("a new fd above the standard ones", fd >= 3);
	pattern(big, sizeof(big), 1);
	CHECK_EQ("write 20000 bytes (several requests)", write(fd, big, sizeof(big)), sizeof(big));
	CHECK_EQ("offset after the write", lseek(fd, 0, SEEK_CUR), sizeof(big));
	OK("fstat", fstat(fd, &st));
	CHECK("a regular file", S_ISREG(st.st_mode));
	CHECK_EQ("its size", st.st_size, sizeof(big));
	CHECK_EQ("its links", st.st_nlink, 1);
	CHECK_EQ("its permission bits", st.st_mode & 0777, 0644);
	CHECK_EQ("close", close(fd), 0);
	CHECK_ERRNO("close again", close(fd), EBADF);
	CHECK_ERRNO("O_EXCL on an existing file", open(BASE "/basic", O_CREAT | O_EXCL | O_RDWR, 0644),
		    EEXIST);
	CHECK_ERRNO("open a missing file", open(BASE "/missing", O_RDONLY), ENOENT);
	CHECK_ERRNO("open in a missing directory", open(BASE "/nodir/x", O_CREAT | O_WRONLY, 0644),
		    ENOENT);
	CHECK_ERRNO("open with an empty path", open("", O_RDONLY), ENOENT);

	fd = OK("open to read", open(BASE "/basic", O_RDONLY));
	memset(got_buf, 0, sizeof(got_buf));
	CHECK_EQ("read it all", read(fd, got_buf, sizeof(got_buf)), sizeof(big));
	CHECK("the same bytes", memcmp(got_buf, big, sizeof(big)) == 0);
	CHECK_EQ("read at the end: 0", read(fd, got_buf, 10), 0);
	CHECK_EQ("lseek to 4095", lseek(fd, 4095, SEEK_SET), 4095);
	CHECK_EQ("read across a block boundary", read(fd, got_buf, 3), 3);
	CHECK("the bytes at 4095", memcmp(got_buf, big + 4095, 3) == 0);
	CHECK_EQ("pread at 10000", pread(fd, got_buf, 100, 10000), 100);
	CHECK("pread's bytes", memcmp(got_buf, big + 10000, 100) == 0);
	CHECK_EQ("pread left the offset", lseek(fd, 0, SEEK_CUR), 4098);
	CHECK_EQ("close", close(fd), 0);

	fd = OK("O_TRUNC", open(BASE "/basic", O_WRONLY | O_TRUNC));
	CHECK_EQ("size after O_TRUNC", file_size(BASE "/basic"), 0);
	CHECK_EQ("write 5", write(fd, "hello", 5), 5);
	CHECK_EQ("write 0 bytes", write(fd, "", 0), 0);
	close(fd);
	CHECK_EQ("size 5", file_size(BASE "/basic"), 5);
	printf("files: basic: create, write, read, O_EXCL, O_TRUNC, pread\n");
}

/* ---- append, holes, truncate ---- */

static void test_append_holes_truncate(void)
{
	char buf[64];
	int fd, i, zeros;

	OK("spew", spew(BASE "/app", "0123456789"));
	fd = OK("O_APPEND", open(BASE "/app", O_WRONLY | O_APPEND));
	CHECK_EQ("lseek to 0", lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ("append abc", write(fd, "abc", 3), 3);
	CHECK_EQ("offset is the end", lseek(fd, 0, SEEK_CUR), 13);
	CHECK_EQ("append de", write(fd, "de", 2), 2);
	close(fd);
	CHECK_EQ("slurp", slurp(BASE "/app", buf, sizeof(buf)), 15);
	CHECK_STR("appended at the end", buf, "0123456789abcde");

	fd = OK("open rw", open(BASE "/hole", O_RDWR | O_CREAT | O_TRUNC, 0600));
	CHECK_EQ("write head", write(fd, "head", 4), 4);
	CHECK_EQ("seek past the end", lseek(fd, 100000, SEEK_SET), 100000);
	CHECK_EQ("size unchanged by the seek", file_size(BASE "/hole"), 4);
	CHECK_EQ("read past the end: 0", read(fd, buf, 10), 0);
	CHECK_EQ("write after the gap", write(fd, "Z", 1), 1);
	CHECK_EQ("size", file_size(BASE "/hole"), 100001);
	CHECK_EQ("lseek SEEK_END", lseek(fd, 0, SEEK_END), 100001);
	CHECK_EQ("lseek SEEK_CUR -2", lseek(fd, -2, SEEK_CUR), 99999);
	CHECK_EQ("read the last 2", read(fd, buf, 10), 2);
	CHECK("0 then Z", buf[0] == 0 && buf[1] == 'Z');
	CHECK_ERRNO("lseek before 0", lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERRNO("lseek bad whence", lseek(fd, 0, 42), EINVAL);
	CHECK_EQ("offset unchanged by the errors", lseek(fd, 0, SEEK_CUR), 100001);
	CHECK_EQ("lseek 4", lseek(fd, 4, SEEK_SET), 4);
	zeros = 1;
	for (i = 0; i < 10 && zeros; i++) {
		/* 99996 bytes of gap from 4 to the Z at 100000. */
		long want = i < 9 ? 10000 : 9996, n = read(fd, big, (size_t)want);

		CHECK_EQ("read the gap", n, want);
		for (long k = 0; k < n; k++)
			zeros &= big[k] == 0;
	}
	CHECK("the gap reads as zeros", zeros);

	CHECK_EQ("ftruncate to 2", ftruncate(fd, 2), 0);
	CHECK_EQ("size 2", file_size(BASE "/hole"), 2);
	CHECK_EQ("ftruncate to 10", ftruncate(fd, 10), 0);
	CHECK_EQ("pread it all", pread(fd, buf, sizeof(buf), 0), 10);
	CHECK("he then 8 zeros", !memcmp(buf, "he\0\0\0\0\0\0\0\0", 10));
	CHECK_ERRNO("ftruncate to -1", ftruncate(fd, -1), EINVAL);
	close(fd);
	CHECK_EQ("truncate(path) to 0", truncate(BASE "/hole", 0), 0);
	CHECK_EQ("size 0", file_size(BASE "/hole"), 0);
	CHECK_ERRNO("truncate a missing file", truncate(BASE "/nosuch", 0), ENOENT);
	CHECK_ERRNO("truncate a directory", truncate(BASE, 0), EISDIR);
	printf("files: append, holes, truncate\n");
}

/* ---- rename, unlink while open ---- */

static void test_rename_unlink(void)
{
	char buf[64];
	struct stat st;
	int fd;

	OK("spew a", spew(BASE "/ra", "aaa"));
	OK("spew b", spew(BASE "/rb", "bbbbbb"));
	CHECK_EQ("rename to a new name", rename(BASE "/ra", BASE "/rc"), 0);
	CHECK_ERRNO("the old name is gone", open(BASE "/ra", O_RDONLY), ENOENT);
	CHECK_EQ("slurp new", slurp(BASE "/rc", buf, sizeof(buf)), 3);
	CHECK_STR("the new name has the bytes", buf, "aaa");
	fd = OK("open rb", open(BASE "/rb", O_RDONLY));
	CHECK_EQ("rename over an existing file", rename(BASE "/rc", BASE "/rb"), 0);
	CHECK_EQ("slurp rb", slurp(BASE "/rb", buf, sizeof(buf)), 3);
	CHECK_STR("rb is the renamed file", buf, "aaa");
	CHECK_ERRNO("rc is gone", stat(BASE "/rc", &st), ENOENT);
	CHECK_EQ("the replaced file is still open", read(fd, buf, sizeof(buf)), 6);
	close(fd);
	CHECK_ERRNO("rename a missing file", rename(BASE "/nosuch", BASE "/x"), ENOENT);
	OK("mkdir rd", mkdir(BASE "/rd", 0755));
	OK("spew in rd", spew(BASE "/rd/in", "in"));
	CHECK_EQ("rename a directory", rename(BASE "/rd", BASE "/re"), 0);
	CHECK_EQ("its file moved with it", slurp(BASE "/re/in", buf, sizeof(buf)), 2);
	CHECK_ERRNO("rename a directory into itself", rename(BASE "/re", BASE "/re/sub"), EINVAL);
	CHECK_ERRNO("rename a file over a directory", rename(BASE "/rb", BASE "/re"), EISDIR);
	CHECK_ERRNO("rename a directory over a file", rename(BASE "/re", BASE "/rb"), ENOTDIR);
	CHECK_EQ("remove", unlink(BASE "/re/in"), 0);
	CHECK_EQ("rmdir", rmdir(BASE "/re"), 0);

	/* Unlink while open: the data lives until the last close. */
	fd = OK("open rb rw", open(BASE "/rb", O_RDWR));
	CHECK_EQ("unlink it", unlink(BASE "/rb"), 0);
	CHECK_ERRNO("the name is gone", stat(BASE "/rb", &st), ENOENT);
	CHECK_ERRNO("unlink again", unlink(BASE "/rb"), ENOENT);
	CHECK_EQ("fstat works", fstat(fd, &st), 0);
	CHECK_EQ("no links left", st.st_nlink, 0);
	CHECK_EQ("read through the fd", read(fd, buf, sizeof(buf)), 3);
	CHECK("the bytes", !memcmp(buf, "aaa", 3));
	CHECK_EQ("write through the fd", write(fd, "xyz", 3), 3);
	CHECK_EQ("pread it back", pread(fd, buf, sizeof(buf), 0), 6);
	CHECK("aaaxyz", !memcmp(buf, "aaaxyz", 6));
	CHECK_EQ("close", close(fd), 0);
	CHECK_EQ("the name can be made again", spew(BASE "/rb", "new"), 0);
	CHECK_EQ("with the new bytes only", slurp(BASE "/rb", buf, sizeof(buf)), 3);
	unlink(BASE "/rb");
	printf("files: rename (also over a file), unlink while open\n");
}

/* ---- readdir while creating ---- */

static void test_readdir(void)
{
	static unsigned char seen_old[30], seen_new[20];
	int dots = 0, dotdots = 0, strange = 0, n_entries = 0, twice = 0;
	struct dirent *e;
	char path[64];
	DIR *d;

	OK("mkdir", mkdir(BASE "/dir", 0755));
	for (int i = 0; i < 30; i++) {
		snprintf(path, sizeof(path), BASE "/dir/e%02d", i);
		OK("create", spew(path, "x"));
	}
	d = opendir(BASE "/dir");
	CHECK("opendir", d != NULL);
	if (!d)
		return;
	errno = 0;
	while ((e = readdir(d))) {
		int k;

		if (++n_entries == 6) {
			for (int i = 0; i < 20; i++) {
				snprintf(path, sizeof(path), BASE "/dir/n%02d", i);
				OK("create while reading", spew(path, "y"));
			}
		}
		if (!strcmp(e->d_name, ".")) {
			dots++;
			CHECK_EQ(". is a directory", e->d_type, DT_DIR);
		} else if (!strcmp(e->d_name, "..")) {
			dotdots++;
		} else if (e->d_name[0] == 'e' && sscanf(e->d_name + 1, "%d", &k) == 1 && k >= 0 &&
			   k < 30) {
			twice += seen_old[k]++ > 0;
			CHECK_EQ("a file's type", e->d_type, DT_REG);
		} else if (e->d_name[0] == 'n' && sscanf(e->d_name + 1, "%d", &k) == 1 && k >= 0 &&
			   k < 20) {
			twice += seen_new[k]++ > 0;
		} else {
			strange++;
		}
	}
	CHECK_EQ("readdir's end leaves errno 0", errno, 0);
	CHECK_EQ("one .", dots, 1);
	CHECK_EQ("one ..", dotdots, 1);
	CHECK_EQ("no other names", strange, 0);
	CHECK_EQ("no name twice", twice, 0);
	for (int i = 0; i < 30; i++)
		CHECK_EQ("every old entry once", seen_old[i], 1);
	rewinddir(d);
	n_entries = 0;
	while ((e = readdir(d)))
		n_entries++;
	CHECK_EQ("after rewinddir: all 52", n_entries, 52);
	CHECK_EQ("closedir", closedir(d), 0);
	CHECK("opendir a file: NULL", opendir(BASE "/dir/e00") == NULL);
	CHECK_EQ("... ENOTDIR", errno, ENOTDIR);
	CHECK("opendir a missing one: NULL", opendir(BASE "/nosuch") == NULL);
	CHECK_EQ("... ENOENT", errno, ENOENT);
	CHECK_ERRNO("rmdir a full directory", rmdir(BASE "/dir"), ENOTEMPTY);
	for (int i = 0; i < 30; i++) {
		snprintf(path, sizeof(path), BASE "/dir/e%02d", i);
		OK("unlink", unlink(path));
	}
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), BASE "/dir/n%02d", i);
		OK("unlink", unlink(path));
	}
	CHECK_EQ("rmdir it empty", rmdir(BASE "/dir"), 0);
	printf("files: readdir while creating: every entry once\n");
}

/* ---- deep paths, long names ---- */

#define DEPTH 30

static void test_deep_names(void)
{
	static char path[1200], name[300];
	struct dirent *e;
	struct stat st;
	size_t len;
	int fd, found;
	DIR *d;

	strcpy(path, BASE "/deep");
	OK("mkdir deep", mkdir(path, 0755));
	for (int i = 0; i < DEPTH; i++) {
		strcat(path, "/d123456789");
		if (OK("mkdir a level", mkdir(path, 0755)) < 0)
			break;
	}
	len = strlen(path);
	strcat(path, "/f");
	CHECK_EQ("a file at the bottom", spew(path, "deep"), 0);
	CHECK_EQ("its size by absolute path", file_size(path), 4);
	path[len] = '\0';
	CHECK_EQ("chdir half way", chdir(BASE "/deep/d123456789/d123456789/d123456789"), 0);
	CHECK_EQ("stat by relative path", stat("d123456789/d123456789/d123456789/d123456789/"
					       "d123456789/d123456789/d123456789/d123456789/"
					       "d123456789/d123456789/d123456789/d123456789/"
					       "d123456789/d123456789/d123456789/d123456789/"
					       "d123456789/d123456789/d123456789/d123456789/"
					       "d123456789/d123456789/d123456789/d123456789/"
					       "d123456789/d123456789/d123456789/f",
					       &st),
		 0);
	CHECK_EQ("... size", st.st_size, 4);
	OK("chdir back", chdir("/"));
	/* A path over FS_PATH_MAX (1024) bytes. */
	{
		static char longp[2100];

		strcpy(longp, BASE);
		while (strlen(longp) < 2050)
			strcat(longp, "/d123456789");
		CHECK_ERRNO("a 2 KiB path", open(longp, O_RDONLY), ENAMETOOLONG);
	}
	strcat(path, "/f");
	OK("unlink the bottom file", unlink(path));
	for (int i = 0; i <= DEPTH; i++) {
		*strrchr(path, '/') = '\0';
		if (OK("rmdir a level", rmdir(path)) < 0)
			break;
	}
	CHECK_ERRNO("deep is gone", stat(BASE "/deep", &st), ENOENT);

	/* 255 bytes: the most a name may have. */
	strcpy(path, BASE "/");
	memset(name, 'n', 255);
	name[255] = '\0';
	strcat(path, name);
	fd = OK("create a 255-byte name", open(path, O_CREAT | O_WRONLY, 0644));
	close(fd);
	CHECK_EQ("stat it", stat(path, &st), 0);
	d = opendir(BASE);
	found = 0;
	while (d && (e = readdir(d)))
		found += strcmp(e->d_name, name) == 0;
	if (d)
		closedir(d);
	CHECK_EQ("readdir gives it whole", found, 1);
	CHECK_EQ("unlink it", unlink(path), 0);
	strcat(path, "n");
	CHECK_ERRNO("create a 256-byte name", open(path, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	CHECK_ERRNO("stat a 256-byte name", stat(path, &st), ENAMETOOLONG);
	CHECK_ERRNO("mkdir a 256-byte name", mkdir(path, 0755), ENAMETOOLONG);
	printf("files: deep paths (30 levels), 255-byte names, ENAMETOOLONG\n");
}

/* ---- errors and rights ---- */

static void test_errors_rights(void)
{
	char buf[16];
	struct stat st;
	int fd, dfd;

	OK("spew", spew(BASE "/file", "data"));
	CHECK_ERRNO("open below a file", open(BASE "/file/x", O_RDONLY), ENOTDIR);
	CHECK_ERRNO("create below a file", open(BASE "/file/x", O_CREAT | O_WRONLY, 0644),
		    ENOTDIR);
	CHECK_ERRNO("mkdir below a file", mkdir(BASE "/file/x", 0755), ENOTDIR);
	CHECK_ERRNO("stat below a file", stat(BASE "/file/x", &st), ENOTDIR);
	CHECK_ERRNO("O_DIRECTORY on a file", open(BASE "/file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERRNO("rmdir a file", rmdir(BASE "/file"), ENOTDIR);
	CHECK_ERRNO("chdir to a file", chdir(BASE "/file"), ENOTDIR);
	CHECK_ERRNO("a file with a trailing /", open(BASE "/file/", O_RDONLY), ENOTDIR);

	CHECK_ERRNO("open a directory to write", open(BASE, O_WRONLY), EISDIR);
	CHECK_ERRNO("open a directory to read and write", open(BASE, O_RDWR), EISDIR);
	CHECK_ERRNO("create over a directory", open(BASE, O_CREAT | O_WRONLY, 0644), EISDIR);
	CHECK_ERRNO("unlink a directory", unlink(BASE), EISDIR);
	dfd = OK("open a directory to read", open(BASE, O_RDONLY));
	CHECK_ERRNO("read a directory fd", read(dfd, buf, sizeof(buf)), EISDIR);
	CHECK_ERRNO("write a directory fd", write(dfd, "x", 1), EBADF);
	CHECK_EQ("fstat a directory fd", fstat(dfd, &st), 0);
	CHECK("... S_ISDIR", S_ISDIR(st.st_mode));
	close(dfd);
	CHECK_ERRNO("mkdir an existing name", mkdir(BASE "/file", 0755), EEXIST);
	CHECK_ERRNO("rmdir a missing one", rmdir(BASE "/nosuch"), ENOENT);
	CHECK_ERRNO("unlink a missing one", unlink(BASE "/nosuch"), ENOENT);

	fd = OK("read-only", open(BASE "/file", O_RDONLY));
	CHECK_ERRNO("write on a read-only fd", write(fd, "x", 1), EBADF);
	CHECK_ERRNO("pwrite on a read-only fd", pwrite(fd, "x", 1, 0), EBADF);
	CHECK_ERRNO("ftruncate on a read-only fd", ftruncate(fd, 0), EINVAL);
	CHECK_EQ("read still works", read(fd, buf, sizeof(buf)), 4);
	close(fd);
	CHECK_EQ("the file is unchanged", file_size(BASE "/file"), 4);
	fd = OK("write-only", open(BASE "/file", O_WRONLY));
	CHECK_ERRNO("read on a write-only fd", read(fd, buf, 1), EBADF);
	close(fd);
	CHECK_ERRNO("open with O_ACCMODE", open(BASE "/file", O_ACCMODE), EINVAL);
	CHECK_ERRNO("read a closed fd", read(40, buf, 1), EBADF);
	CHECK_ERRNO("read fd -1", read(-1, buf, 1), EBADF);
	CHECK_ERRNO("write fd 100000", write(100000, buf, 1), EBADF);

	CHECK_EQ("access F_OK", access(BASE "/file", F_OK), 0);
	CHECK_EQ("access R_OK|W_OK", access(BASE "/file", R_OK | W_OK), 0);
	CHECK_ERRNO("access X_OK on a 0644 file", access(BASE "/file", X_OK), EACCES);
	CHECK_EQ("access X_OK on a directory", access(BASE, X_OK), 0);
	CHECK_ERRNO("access a missing file", access(BASE "/nosuch", F_OK), ENOENT);
	CHECK_ERRNO("access bad mode", access(BASE "/file", 0x40), EINVAL);
	CHECK_EQ("isatty(0): the console", isatty(0), 1);
	fd = open(BASE "/file", O_RDONLY);
	CHECK_EQ("isatty of a file", isatty(fd), 0);
	CHECK_EQ("... ENOTTY", errno, ENOTTY);
	CHECK_EQ("fsync", fsync(fd), 0);
	CHECK_EQ("fdatasync", fdatasync(fd), 0);
	close(fd);
	sync();
	printf("files: ENOTDIR, EISDIR, EEXIST, ENOENT; read-only and write-only fds\n");
}

/* ---- dup, dup2 ---- */

static void test_dup(void)
{
	char buf[16];
	int fd, fd2, fd3;

	OK("spew", spew(BASE "/dup", "abcdefghij"));
	fd = OK("open", open(BASE "/dup", O_RDWR));
	fd2 = OK("dup", dup(fd));
	CHECK("a new number", fd2 != fd && fd2 >= 0);
	CHECK_EQ("read 3 from the first", read(fd, buf, 3), 3);
	CHECK_EQ("read 3 from the dup", read(fd2, buf, 3), 3);
	CHECK("... continues where the first stopped", !memcmp(buf, "def", 3));
	CHECK_EQ("the offset is shared", lseek(fd, 0, SEEK_CUR), 6);
	CHECK_EQ("dup2 onto 20", dup2(fd, 20), 20);
	CHECK_EQ("lseek through 20", lseek(20, 1, SEEK_SET), 1);
	CHECK_EQ("read through the first", read(fd, buf, 2), 2);
	CHECK("... from 1", !memcmp(buf, "bc", 2));
	CHECK_EQ("close the first", close(fd), 0);
	CHECK_EQ("the dup still reads", read(fd2, buf, 2), 2);
	CHECK("... de", !memcmp(buf, "de", 2));
	fd3 = OK("open another", open(BASE "/dup", O_RDONLY));
	CHECK_EQ("dup2 onto an open fd", dup2(fd2, fd3), fd3);
	CHECK_EQ("it names the dup's file now (offset 5)", lseek(fd3, 0, SEEK_CUR), 5);
	CHECK_EQ("dup2 onto itself", dup2(fd3, fd3), fd3);
	CHECK_ERRNO("dup a closed fd", dup(22), EBADF);
	CHECK_ERRNO("dup2 a closed fd", dup2(22, 21), EBADF);
	CHECK_ERRNO("dup2 onto -1", dup2(fd2, -1), EBADF);
	CHECK_ERRNO("dup2 past the table", dup2(fd2, 100000), EBADF);
	CHECK_EQ("fcntl F_DUPFD from 15", fcntl(fd2, F_DUPFD, 15), 15);
	CHECK_ERRNO("fcntl F_DUPFD past the table", fcntl(fd2, F_DUPFD, 100000), EINVAL);
	CHECK_EQ("fcntl F_GETFL", fcntl(fd2, F_GETFL) & O_ACCMODE, O_RDWR);
	close(15);
	close(20);
	close(fd2);
	close(fd3);
	/* The lowest free number comes first. */
	fd = OK("open", open(BASE "/dup", O_RDONLY));
	fd2 = OK("open", open(BASE "/dup", O_RDONLY));
	close(fd);
	CHECK_EQ("the freed number is reused", open(BASE "/dup", O_RDONLY), fd);
	close(fd);
	close(fd2);
	printf("files: dup and dup2 share the offset\n");
}

/* ---- cwd ---- */

static void test_cwd(void)
{
	char buf[256], small[4];
	int fd;

	CHECK_STR("getcwd at start", getcwd(buf, sizeof(buf)), "/");
	OK("mkdir a", mkdir(BASE "/a", 0755));
	OK("mkdir a/b", mkdir(BASE "/a/b", 0755));
	CHECK_EQ("chdir absolute", chdir(BASE "/a/b"), 0);
	CHECK_STR("getcwd", getcwd(buf, sizeof(buf)), BASE "/a/b");
	CHECK_EQ("create relative", spew("rel", "r"), 0);
	CHECK_EQ("it is where cwd is", file_size(BASE "/a/b/rel"), 1);
	CHECK_EQ("chdir ..", chdir(".."), 0);
	CHECK_STR("getcwd after ..", getcwd(buf, sizeof(buf)), BASE "/a");
	CHECK_EQ("open b/rel relative", (fd = open("b/rel", O_RDONLY)) >= 0, 1);
	close(fd);
	CHECK_EQ("open ../a/./b/rel", file_size("../a/./b/rel"), 1);
	CHECK_EQ("chdir b/../../a/b/", chdir("b/../../a/b/"), 0);
	CHECK_STR("getcwd canonical", getcwd(buf, sizeof(buf)), BASE "/a/b");
	CHECK_EQ("chdir far above the root", chdir("../../../../../../.."), 0);
	CHECK_STR("stops at the root", getcwd(buf, sizeof(buf)), "/");
	CHECK_EQ("/.. is /", chdir("/.."), 0);
	CHECK_STR("getcwd /", getcwd(buf, sizeof(buf)), "/");
	CHECK_EQ("chdir relative from /", chdir("ft/a"), 0);
	CHECK_STR("getcwd", getcwd(buf, sizeof(buf)), BASE "/a");
	CHECK_ERRNO("chdir to a missing one", chdir("nosuch"), ENOENT);
	CHECK_STR("cwd unchanged by the failure", getcwd(buf, sizeof(buf)), BASE "/a");
	CHECK("getcwd into 4 bytes: NULL", getcwd(small, sizeof(small)) == NULL);
	CHECK_EQ("... ERANGE", errno, ERANGE);
	CHECK("getcwd size 0: NULL", getcwd(buf, 0) == NULL);
	CHECK_EQ("... EINVAL", errno, EINVAL);
	{
		char *p = getcwd(NULL, 0);

		CHECK_STR("getcwd(NULL, 0) allocates", p, BASE "/a");
		free(p);
	}
	fd = OK("open the cwd's parent", open("..", O_RDONLY | O_DIRECTORY));
	CHECK_EQ("fchdir", fchdir(fd), 0);
	close(fd);
	CHECK_EQ("relative through an fchdir'd cwd", file_size("a/b/rel"), 1);
	CHECK("getcwd after fchdir: the path is not known", getcwd(buf, sizeof(buf)) == NULL);
	CHECK_EQ("chdir back to the root", chdir("/"), 0);
	CHECK_STR("getcwd", getcwd(buf, sizeof(buf)), "/");
	OK("unlink", unlink(BASE "/a/b/rel"));
	OK("rmdir", rmdir(BASE "/a/b"));
	OK("rmdir", rmdir(BASE "/a"));
	printf("files: getcwd and chdir with ..\n");
}

/* ---- links ---- */

static void test_links(void)
{
	char buf[64];
	struct stat st;

	OK("spew", spew(BASE "/target", "linked"));
	CHECK_EQ("symlink", symlink("target", BASE "/sl"), 0);
	CHECK_EQ("readlink", readlink(BASE "/sl", buf, sizeof(buf)), 6);
	CHECK("... its target", !memcmp(buf, "target", 6));
	CHECK_EQ("readlink into 3 bytes: truncated", readlink(BASE "/sl", buf, 3), 3);
	CHECK_EQ("lstat", lstat(BASE "/sl", &st), 0);
	CHECK("... a link", S_ISLNK(st.st_mode));
	CHECK_EQ("stat follows it", stat(BASE "/sl", &st), 0);
	CHECK("... a file", S_ISREG(st.st_mode) && st.st_size == 6);
	CHECK_EQ("open follows it", slurp(BASE "/sl", buf, sizeof(buf)), 6);
	CHECK_ERRNO("O_NOFOLLOW", open(BASE "/sl", O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_ERRNO("readlink of a file", readlink(BASE "/target", buf, sizeof(buf)), EINVAL);
	CHECK_ERRNO("symlink over a name", symlink("x", BASE "/target"), EEXIST);
	CHECK_EQ("link", link(BASE "/target", BASE "/hard"), 0);
	CHECK_EQ("stat", stat(BASE "/target", &st), 0);
	CHECK_EQ("two links", st.st_nlink, 2);
	CHECK_EQ("unlink one", unlink(BASE "/target"), 0);
	CHECK_EQ("the other reads", slurp(BASE "/hard", buf, sizeof(buf)), 6);
	CHECK_ERRNO("the symlink dangles", stat(BASE "/sl", &st), ENOENT);
	CHECK_EQ("unlink the symlink", unlink(BASE "/sl"), 0);
	CHECK_EQ("unlink the last link", unlink(BASE "/hard"), 0);
	printf("files: symlink, readlink, lstat, link\n");
}

/* ---- stdio ---- */

static void test_stdio(void)
{
	char line[128];
	long pos;
	FILE *f;
	int n = 0, c;

	f = fopen(BASE "/s.txt", "w");
	CHECK("fopen w", f != NULL);
	if (!f)
		return;
	for (int i = 0; i < 100; i++)
		fprintf(f, "line %d of %s\n", i, "stdio");
	CHECK_EQ("fclose", fclose(f), 0);
	f = fopen(BASE "/s.txt", "r");
	CHECK("fopen r", f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		char want[64];

		snprintf(want, sizeof(want), "line %d of stdio\n", n);
		if (!CHECK_STR("fgets", line, want))
			break;
		n++;
	}
	CHECK_EQ("100 lines", n, 100);
	CHECK("feof", f && feof(f));
	CHECK_EQ("fseek 5", fseek(f, 5, SEEK_SET), 0);
	CHECK_EQ("fgetc", fgetc(f), '0');
	CHECK_EQ("ftell", ftell(f), 6);
	CHECK_EQ("fseek to the end", fseek(f, 0, SEEK_END), 0);
	pos = ftell(f);
	CHECK_EQ("ftell at the end = the size", pos, file_size(BASE "/s.txt"));
	fclose(f);

	f = fopen(BASE "/s.txt", "a");
	fputs("appended\n", f);
	fclose(f);
	f = fopen(BASE "/s.txt", "r");
	fseek(f, -9, SEEK_END);
	CHECK_STR("fopen a appends", fgets(line, sizeof(line), f), "appended\n");
	fclose(f);

	f = fopen(BASE "/bin.dat", "w+b");
	pattern(big, 10000, 3);
	CHECK_EQ("fwrite 10000", fwrite(big, 1, 10000, f), 10000);
	CHECK_EQ("fflush", fflush(f), 0);
	CHECK_EQ("the bytes reached the file", file_size(BASE "/bin.dat"), 10000);
	rewind(f);
	CHECK_EQ("fread 10000", fread(got_buf, 1, 10000, f), 10000);
	CHECK("fread: the same bytes", !memcmp(got_buf, big, 10000));
	CHECK_EQ("fread at the end", fread(got_buf, 1, 1, f), 0);
	fclose(f);

	f = fopen(BASE "/nosuch/x", "w");
	CHECK("fopen in a missing directory: NULL", f == NULL);
	CHECK_EQ("... ENOENT", errno, ENOENT);
	f = fopen(BASE "/nosuch", "r");
	CHECK("fopen r a missing file: NULL", f == NULL);
	CHECK_EQ("... ENOENT", errno, ENOENT);
	f = fdopen(open(BASE "/s.txt", O_RDONLY), "r");
	CHECK("fdopen", f != NULL);
	CHECK_EQ("fdopen'd stream reads", (c = fgetc(f)), 'l');
	CHECK("fileno", fileno(f) >= 3);
	fclose(f);
	CHECK_EQ("rename (stdio)", rename(BASE "/s.txt", BASE "/t.txt"), 0);
	CHECK_EQ("remove a file", remove(BASE "/t.txt"), 0);
	CHECK_ERRNO("remove it again", remove(BASE "/t.txt"), ENOENT);
	CHECK_EQ("remove bin.dat", remove(BASE "/bin.dat"), 0);

	/* A last line without a newline is still a line (C11 7.21.7.2). */
	OK("spew", spew(BASE "/nonl", "one\ntwo"));
	f = fopen(BASE "/nonl", "r");
	CHECK_STR("fgets: a line", fgets(line, sizeof(line), f), "one\n");
	CHECK_STR("fgets: the last one, without a newline", fgets(line, sizeof(line), f), "two");
	CHECK("fgets at the end: NULL", fgets(line, sizeof(line), f) == NULL);
	CHECK("... feof", feof(f));
	fclose(f);
	CHECK_STR("fgets cut at the size", fgets(line, 3, f = fopen(BASE "/nonl", "r")), "on");
	fclose(f);
	unlink(BASE "/nonl");

	f = tmpfile();
	CHECK("tmpfile", f != NULL);
	if (f) {
		struct stat st;

		CHECK("fputs", fputs("temporary", f) >= 0);
		CHECK_EQ("fflush", fflush(f), 0);
		CHECK_EQ("fstat", fstat(fileno(f), &st), 0);
		CHECK_EQ("tmpfile's size", st.st_size, 9);
		CHECK_EQ("no name left", st.st_nlink, 0);
		rewind(f);
		CHECK_EQ("ftell after rewind", ftell(f), 0);
		CHECK_STR("tmpfile reads back", fgets(line, sizeof(line), f), "temporary");
		fclose(f);
	}
	printf("files: stdio: fopen, fprintf, fgets, fseek, ftell, fread, fwrite, remove, "
	       "tmpfile\n");
}

/* ---- pipes ---- */

static void test_pipes(void)
{
	char buf[64];
	struct stat st;
	int p[2];

	CHECK_EQ("pipe", pipe(p), 0);
	CHECK_EQ("write", write(p[1], "hello", 5), 5);
	CHECK_EQ("write", write(p[1], " world", 6), 6);
	CHECK_EQ("read 3 (part of a message)", read(p[0], buf, 3), 3);
	CHECK("hel", !memcmp(buf, "hel", 3));
	CHECK_EQ("read the rest of it", read(p[0], buf, sizeof(buf)), 2);
	CHECK_EQ("read the next message", read(p[0], buf, sizeof(buf)), 6);
	CHECK_ERRNO("lseek a pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERRNO("write the read end", write(p[0], "x", 1), EBADF);
	CHECK_ERRNO("read the write end", read(p[1], buf, 1), EBADF);
	CHECK_EQ("fstat", fstat(p[0], &st), 0);
	CHECK("... a FIFO", S_ISFIFO(st.st_mode));
	CHECK_EQ("write 3", write(p[1], "end", 3), 3);
	CHECK_EQ("close the writer", close(p[1]), 0);
	CHECK_EQ("what was queued is read", read(p[0], buf, sizeof(buf)), 3);
	CHECK_EQ("then the end of file", read(p[0], buf, sizeof(buf)), 0);
	CHECK_EQ("and again", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);

	CHECK_EQ("pipe", pipe(p), 0);
	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	CHECK_ERRNO("write with the reader gone", write(p[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	/* Larger than a message: pieces, each in order (the queue holds
	 * CONFIG_CHANNEL_QUEUE_DEPTH messages, so stay under that). */
	CHECK_EQ("pipe", pipe(p), 0);
	pattern(big, 3 * CONFIG_MSG_MAX_BYTES + 5, 9);
	CHECK_EQ("a large write", write(p[1], big, 3 * CONFIG_MSG_MAX_BYTES + 5),
		 3 * CONFIG_MSG_MAX_BYTES + 5);
	close(p[1]);
	{
		size_t got = 0;
		long n;

		while ((n = read(p[0], got_buf + got, 1000)) > 0)
			got += (size_t)n;
		CHECK_EQ("read in small pieces: all of it", got, 3 * CONFIG_MSG_MAX_BYTES + 5);
		CHECK("... in order", !memcmp(got_buf, big, got));
	}
	close(p[0]);
	printf("files: pipes: bytes, end of file, EPIPE\n");
}

/* ---- EMFILE ---- */

static void test_emfile(void)
{
	int fds[CONFIG_USER_MAX_FDS + 8];
	int n = 0, fd, first, opened;

	OK("spew", spew(BASE "/many", "m"));
	errno = 0;
	while (n < (int)(sizeof(fds) / sizeof(fds[0])) && (fd = open(BASE "/many", O_RDONLY)) >= 0)
		fds[n++] = fd;
	opened = n;
	CHECK("open fails at last", n < (int)(sizeof(fds) / sizeof(fds[0])));
	CHECK_EQ("... with EMFILE", errno, EMFILE);
	CHECK("after many opens", n >= 10);
	CHECK_ERRNO("dup also fails", dup(0), EMFILE);
	CHECK_ERRNO("pipe also fails", pipe(fds + n), EMFILE);
	CHECK("opendir also fails", opendir(BASE) == NULL);
	CHECK_EQ("... EMFILE", errno, EMFILE);
	close(fds[--n]);
	fd = open(BASE "/many", O_RDONLY);
	CHECK("one closed: one open works", fd >= 0);
	if (fd >= 0)
		fds[n++] = fd;
	while (n)
		close(fds[--n]);
	first = open(BASE "/many", O_RDONLY);
	close(first);
	for (int i = 0; i < 1000; i++) {
		fd = open(BASE "/many", O_RDONLY);
		if (fd != first) {
			CHECK_EQ("1000 open/close: always the same fd", fd, first);
			break;
		}
		close(fd);
	}
	CHECK_EQ("unlink", unlink(BASE "/many"), 0);
	printf("files: EMFILE after %d opens; 1000 open/close cycles\n", opened);
}

/* ---- programs: wordfreq with the namespace, stdout a file or a pipe ---- */

static const char text[] = "The quick brown fox jumps over the lazy dog.\n"
			   "The dog sleeps; the fox runs.\n"
			   "\n"
			   "A fox, a dog, and the end.\n";
static const char text2[] = "one two two\nthree three three\n";

/* Start wordfreq with root, cwd BASE and stdout = out (kind), stderr the
 * console; its exit status. */
/* Start program with root (rights), cwd BASE and fds 0..2 as std[] says
 * (an fd of this process, exported; -1: the console); its exit status. */
static int run_env(const char *program, const char *const *argv, uint32_t rights,
		   const int std[3])
{
	struct rv_spawn_env env = { 0 };
	struct rv_exit_info info;
	struct rv_wait_item it;
	rv_handle_t root, cwd, proc;
	uint32_t m;

	if ((rights == FS_RIGHTS_ALL ? rv_fd_share_dir(rv_fd_root(), &root)
				     : fs_clone(rv_fd_root(), rights, &root)) < 0)
		return -1000;
	if (fs_open(rv_fd_root(), BASE, FS_O_DIRECTORY | rights, 0, &cwd, &m) < 0)
		return -1001;
	env.program = program;
	env.argv = argv;
	env.priority = 8;
	env.mask = RV_ENV_ROOT | RV_ENV_CWD;
	env.root = root;
	env.cwd = cwd;
	for (int i = 0; i < 3; i++) {
		if (std[i] < 0)
			continue;
		if (rv_fd_export(std[i], &env.fd_kind[i], &env.fd[i]) < 0)
			return -1004;
		env.mask |= RV_ENV_STDIN << i;
	}
	env.cwd_path = BASE;
	if (rv_loader_spawn_env(&env, &proc) < 0)
		return -1002;
	it = (struct rv_wait_item){ .handle = proc, .signals = RV_SIGNAL_EXITED };
	if (rv_wait_many(&it, 1, rv_clock_ns() + 20000000000ull) != 1)
		return -1003;
	rv_process_exit_info(proc, &info);
	rv_handle_close(proc);
	return info.code;
}

static int run_program_rights(const char *program, const char *const *argv, uint32_t kind,
			      rv_handle_t out, uint32_t rights)
{
	int std[3] = { -1, -1, -1 }, ret;

	if (out != RV_HANDLE_INVALID) {
		std[1] = rv_fd_install(kind, out, O_WRONLY);
		if (std[1] < 0)
			return -1005;
	}
	ret = run_env(program, argv, rights, std);
	if (std[1] >= 0)
		close(std[1]);
	return ret;
}

static int run_program(const char *program, const char *const *argv, uint32_t kind,
		       rv_handle_t out)
{
	return run_program_rights(program, argv, kind, out, FS_RIGHTS_ALL);
}

/* The child of test_redirect: stdin to stdout upper-cased, a count on
 * stderr, all through stdio. */
static int filter_child(void)
{
	char line[128];
	int n = 0;

	while (fgets(line, sizeof(line), stdin)) {
		for (char *p = line; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		fputs(line, stdout);
		n++;
	}
	fprintf(stderr, "filter: %d lines\n", n);
	return ferror(stdin) ? 3 : 0;
}

static void test_redirect(void)
{
	const char *args[] = { "filter", NULL };
	static char out[256];
	int std[3], p[2];

	OK("input", spew(BASE "/fin.txt", "one\ntwo two\nlast, no newline"));
	std[0] = OK("stdin", open(BASE "/fin.txt", O_RDONLY));
	std[1] = OK("stdout", open(BASE "/fout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	std[2] = OK("stderr", open(BASE "/ferr.txt", O_WRONLY | O_CREAT | O_APPEND, 0644));
	CHECK_EQ("stdin, stdout and stderr files", run_env("files_test", args, FS_RIGHTS_ALL, std),
		 0);
	CHECK_EQ("the child read stdin to its end: the shared offset moved",
		 lseek(std[0], 0, SEEK_CUR), 28);
	for (int i = 0; i < 3; i++)
		close(std[i]);
	slurp(BASE "/fout.txt", out, sizeof(out));
	CHECK_STR("its stdout", out, "ONE\nTWO TWO\nLAST, NO NEWLINE");
	slurp(BASE "/ferr.txt", out, sizeof(out));
	CHECK_STR("its stderr, apart", out, "filter: 3 lines\n");

	/* stdin a pipe: written here first, then the writer closed. */
	CHECK_EQ("pipe", pipe(p), 0);
	CHECK_EQ("feed it", write(p[1], "a\nb", 3), 3);
	CHECK_EQ("feed more", write(p[1], "c\n", 2), 2);
	close(p[1]);
	std[0] = p[0];
	std[1] = OK("stdout", open(BASE "/fout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	std[2] = std[1]; /* 2>&1 */
	CHECK_EQ("stdin a pipe, stdout and stderr one file",
		 run_env("files_test", args, FS_RIGHTS_ALL, std), 0);
	close(p[0]);
	close(std[1]);
	slurp(BASE "/fout.txt", out, sizeof(out));
	CHECK_STR("both streams in one file, in order", out, "A\nBC\nfilter: 2 lines\n");
	unlink(BASE "/fin.txt");
	unlink(BASE "/fout.txt");
	unlink(BASE "/ferr.txt");
	printf("files: a child's stdin, stdout and stderr redirected to files and pipes\n");
}

/* A child given no namespace: no files at all, every path ENOENT. */
static int noroot_child(void)
{
	char buf[16];
	struct stat st;

	CHECK_EQ("noroot: no root", rv_fd_root(), RV_HANDLE_INVALID);
	CHECK_ERRNO("noroot: open /", open("/", O_RDONLY), ENOENT);
	CHECK_ERRNO("noroot: open a relative path", open("x", O_RDONLY), ENOENT);
	CHECK_ERRNO("noroot: create", open("/x", O_CREAT | O_WRONLY, 0644), ENOENT);
	CHECK_ERRNO("noroot: stat", stat("/", &st), ENOENT);
	CHECK_ERRNO("noroot: mkdir", mkdir("/d", 0755), ENOENT);
	CHECK_ERRNO("noroot: chdir", chdir("/"), ENOENT);
	CHECK("noroot: getcwd: NULL", getcwd(buf, sizeof(buf)) == NULL);
	CHECK_EQ("noroot: ... ENOENT", errno, ENOENT);
	CHECK("noroot: fopen: NULL", fopen("/x", "w") == NULL);
	CHECK("noroot: tmpfile: NULL", tmpfile() == NULL);
	CHECK_EQ("noroot: ... ENOENT", errno, ENOENT);
	CHECK("noroot: opendir: NULL", opendir(".") == NULL);
	CHECK_EQ("noroot: stdout still works", printf("%s", ""), 0);
	return (int)checks_failed;
}

/* The child of test_readonly: everything that writes is refused, reading
 * works. Its exit status is its failed checks. */
static int readonly_child(void)
{
	char buf[16];
	struct stat st;
	int fd;

	CHECK_ERRNO("ro: create", open("newfile", O_CREAT | O_WRONLY, 0644), EACCES);
	CHECK_ERRNO("ro: open to write", open("ro.txt", O_WRONLY), EACCES);
	CHECK_ERRNO("ro: open to read and write", open("ro.txt", O_RDWR), EACCES);
	CHECK_ERRNO("ro: O_TRUNC", open("ro.txt", O_WRONLY | O_TRUNC), EACCES);
	CHECK_ERRNO("ro: unlink", unlink("ro.txt"), EACCES);
	CHECK_ERRNO("ro: mkdir", mkdir("newdir", 0755), EACCES);
	CHECK_ERRNO("ro: rmdir", rmdir("rodir"), EACCES);
	CHECK_ERRNO("ro: rename", rename("ro.txt", "other.txt"), EACCES);
	CHECK_ERRNO("ro: link", link("ro.txt", "other.txt"), EACCES);
	CHECK_ERRNO("ro: symlink", symlink("ro.txt", "other.txt"), EACCES);
	CHECK_ERRNO("ro: truncate", truncate("ro.txt", 0), EACCES);
	CHECK_ERRNO("ro: access W_OK", access("ro.txt", W_OK), EACCES);
	CHECK_EQ("ro: access R_OK", access("ro.txt", R_OK), 0);
	CHECK_ERRNO("ro: above the root is the root, still read-only",
		    open("../../../../ft/x", O_CREAT | O_WRONLY, 0644), EACCES);
	CHECK("ro: tmpfile: NULL", tmpfile() == NULL);
	CHECK("ro: fopen w: NULL", fopen("ro.txt", "w") == NULL);
	CHECK_EQ("ro: ... EACCES", errno, EACCES);
	CHECK("ro: fopen a: NULL", fopen("ro.txt", "a") == NULL);
	fd = open("ro.txt", O_RDONLY);
	CHECK("ro: open to read", fd >= 0);
	CHECK_EQ("ro: read", read(fd, buf, sizeof(buf)), 8);
	CHECK_EQ("ro: fstat", fstat(fd, &st), 0);
	close(fd);
	CHECK_EQ("ro: chdir", chdir("rodir"), 0);
	CHECK_ERRNO("ro: create in a subdirectory", open("x", O_CREAT | O_WRONLY, 0644), EACCES);
	CHECK_EQ("ro: the file is unchanged", stat("../ro.txt", &st) == 0 && st.st_size == 8, 1);
	return (int)checks_failed;
}

static void test_readonly(void)
{
	const char *args[] = { "readonly", NULL };

	OK("spew", spew(BASE "/ro.txt", "readonly"));
	OK("mkdir", mkdir(BASE "/rodir", 0755));
	CHECK_EQ("a child with a read-only root: every check passes",
		 run_program_rights("files_test", args, 0, RV_HANDLE_INVALID, FS_RIGHT_READ), 0);
	CHECK_EQ("ro.txt unchanged", file_size(BASE "/ro.txt"), 8);
	OK("rmdir", rmdir(BASE "/rodir"));
	OK("unlink", unlink(BASE "/ro.txt"));
	{
		const char *a2[] = { "noroot", NULL };
		struct rv_wait_item it;
		struct rv_exit_info info = { 0 };
		rv_handle_t proc;

		CHECK_EQ("a child with no files", rv_loader_spawn("files_test", a2, 8, NULL, 0, &proc),
			 0);
		it = (struct rv_wait_item){ .handle = proc, .signals = RV_SIGNAL_EXITED };
		CHECK_EQ("it ends", rv_wait_many(&it, 1, rv_clock_ns() + 20000000000ull), 1);
		rv_process_exit_info(proc, &info);
		rv_handle_close(proc);
		CHECK_EQ("... every path ENOENT", info.code, 0);
	}
	printf("files: a read-only root: no write, create, remove or rename gets through; "
	       "no root: ENOENT\n");
}

static void test_programs(void)
{
	static char out[1024];
	const char *args[] = { "-n", "5", "-o", "top.txt", "-c", "copy.txt", "in.txt", "b.txt",
			       NULL };
	const char *bad_args[] = { "nosuch.txt", NULL };
	rv_handle_t h;
	uint32_t kind;
	int fd, p[2];

	OK("input", spew(BASE "/in.txt", text));
	OK("input 2", spew(BASE "/b.txt", text2));
	fd = OK("stdout file", open(BASE "/wf.out", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK_EQ("export it", rv_fd_export(fd, &kind, &h), 0);
	CHECK_EQ("... a file", kind, RV_FD_FILE);
	close(fd);
	CHECK_EQ("wordfreq's exit status", run_program("wordfreq", args, kind, h), 0);
	slurp(BASE "/wf.out", out, sizeof(out));
	CHECK_STR("its stdout, redirected to a file and flushed at exit", out,
		  "      4      22     103 in.txt\n"
		  "      2       6      30 b.txt\n"
		  "      6      28     133 total\n"
		  "copied 103 bytes to copy.txt\n");
	slurp(BASE "/top.txt", out, sizeof(out));
	CHECK_STR("its -o file", out, "   5 the\n   3 dog\n   3 fox\n   3 three\n   2 a\n");
	/* Kept at the top for the host to read (ext2: debugfs, disk_checks). */
	CHECK_EQ("keep it", rename(BASE "/top.txt", "/files_test.top"), 0);
	slurp(BASE "/copy.txt", out, sizeof(out));
	CHECK_STR("its copy", out, text);

	/* stdout a pipe: read here while it runs. */
	CHECK_EQ("pipe", pipe(p), 0);
	CHECK_EQ("export the write end", rv_fd_export(p[1], &kind, &h), 0);
	CHECK_EQ("... a pipe", kind, RV_FD_PIPE);
	close(p[1]);
	{
		const char *a2[] = { "-n", "2", "b.txt", NULL };
		size_t got = 0;
		long n;

		CHECK_EQ("wordfreq into a pipe", run_program("wordfreq", a2, kind, h), 0);
		while ((n = read(p[0], out + got, sizeof(out) - 1 - got)) > 0)
			got += (size_t)n;
		out[got] = '\0';
		CHECK_STR("read from the pipe to its end", out,
			  "      2       6      30 b.txt\n   3 three\n   2 two\n");
	}
	close(p[0]);
	fd = OK("stdout file", open(BASE "/wf.out", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	rv_fd_export(fd, &kind, &h);
	close(fd);
	CHECK_EQ("a missing input: status 1", run_program("wordfreq", bad_args, kind, h), 1);
	CHECK_EQ("nothing on its stdout", file_size(BASE "/wf.out"), 0);
	/* A program that leaves a stream open and returns from main: exit
	 * flushes it, and its stdout redirected to a file too. */
	{
		const char *a3[] = { "noclose", "left.txt", NULL };
		char want[64];

		fd = OK("stdout file", open(BASE "/wf.out", O_WRONLY | O_CREAT | O_TRUNC, 0644));
		rv_fd_export(fd, &kind, &h);
		close(fd);
		CHECK_EQ("a child that does not fclose", run_program("files_test", a3, kind, h), 0);
		slurp(BASE "/left.txt", out, sizeof(out));
		CHECK_STR("exit flushed its fopen'd stream", out, "left open\nno newline");
		slurp(BASE "/wf.out", out, sizeof(out));
		snprintf(want, sizeof(want), "printf without a newline, cwd %s", BASE);
		CHECK_STR("exit flushed its stdout", out, want);
		unlink(BASE "/left.txt");
	}
	unlink(BASE "/in.txt");
	unlink(BASE "/b.txt");
	unlink(BASE "/top.txt");
	unlink(BASE "/copy.txt");
	unlink(BASE "/wf.out");
	printf("files: wordfreq (portable C) with files, its stdout a file, then a pipe\n");
}

/* ---- a full file system ---- */

static void test_full(void)
{
	static uint8_t block[4096];
	long total = 0, n = 0;
	int fd, err = 0;

	fd = OK("create", open(BASE "/fill", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	memset(block, 0xa5, sizeof(block));
	/* At most 64 MiB: the scenarios' file systems are smaller. */
	while (total < 64l * 1024 * 1024) {
		errno = 0;
		n = write(fd, block, sizeof(block));
		if (n <= 0) {
			err = errno;
			break;
		}
		total += n;
	}
	CHECK_EQ("write until it fails: -1", n, -1);
	CHECK_EQ("... ENOSPC", err, ENOSPC);
	CHECK("some was written", total > 0);
	CHECK_EQ("the size is what was written", file_size(BASE "/fill"), total);
	CHECK_ERRNO("a new file's first byte", spew(BASE "/more", "x") == 0 ? 0 : -1, ENOSPC);
	close(fd);
	unlink(BASE "/more");
	CHECK_EQ("unlink the big file", unlink(BASE "/fill"), 0);
	CHECK_EQ("the space is back", spew(BASE "/more", "x"), 0);
	unlink(BASE "/more");
	printf("files: full: ENOSPC after %ld KiB; unlink gives it back\n", total / 1024);
}

/* The child of test_programs: a stream left open, stdout not flushed. */
static int noclose_child(const char *path)
{
	FILE *f = fopen(path, "w");
	char cwd[64];

	if (!f)
		return 2;
	fprintf(f, "left open\n");
	fputs("no newline", f);
	printf("printf without a newline, cwd %s", getcwd(cwd, sizeof(cwd)));
	return 0;
}

int main(int argc, char **argv)
{
	struct stat st;

	if (argc == 3 && !strcmp(argv[1], "noclose"))
		return noclose_child(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "readonly"))
		return readonly_child();
	if (argc == 2 && !strcmp(argv[1], "filter"))
		return filter_child();
	if (argc == 2 && !strcmp(argv[1], "noroot"))
		return noroot_child();
	CHECK_EQ("a root was given", rv_fd_root() != RV_HANDLE_INVALID, 1);
	if (stat(BASE, &st) == 0)
		printf("files: %s is left from an earlier run\n", BASE);
	else
		OK("mkdir " BASE, mkdir(BASE, 0755));
	/* On ext2, a file mke2fs -d put in the image (tests/user/files/fs). */
	if (stat("/staged.txt", &st) == 0) {
		static char buf[128];

		CHECK_EQ("the staged file's size", st.st_size, 66);
		slurp("/staged.txt", buf, sizeof(buf));
		CHECK_STR("the staged file's bytes", buf,
			  "Put in by mke2fs -d on the host,\nread back by files_test on rvOS.\n");
	}
	test_basic();
	test_append_holes_truncate();
	test_rename_unlink();
	test_readdir();
	test_deep_names();
	test_errors_rights();
	test_dup();
	test_cwd();
	test_links();
	test_stdio();
	test_pipes();
	test_emfile();
	test_programs();
	test_redirect();
	test_readonly();
	test_full();
	unlink(BASE "/basic");
	unlink(BASE "/app");
	unlink(BASE "/hole");
	unlink(BASE "/file");
	unlink(BASE "/dup");
	CHECK_EQ("the test directory is empty at the end", rmdir(BASE), 0);
	/* What is kept must be on the disk before init powers off: a disk
	 * file system writes its metadata back on sync (or every
	 * CONFIG_FS_WRITEBACK_MS). */
	sync();
	return check_report("files");
}
