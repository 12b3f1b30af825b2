/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX calls on paths and directories, over the file protocol
 * (rvos/fs.h): open, stat, unlink, mkdir, rename, opendir & co., getcwd,
 * chdir, access, truncate, links.
 *
 * Paths. An absolute path goes to the root connection. A relative one is
 * joined with the working directory's path and goes to the root too when
 * that path is known (so ".." climbs out of the working directory, up to
 * the root and no further); when it is not known (the working directory
 * was handed over without its path), the relative path goes to the working
 * directory's own connection, where ".." stops at that directory. Paths
 * are made canonical lexically first: "." and empty components dropped,
 * ".." taking away the component before it (a "dir/.." is its parent even
 * when dir is a symbolic link, as a shell's `cd` sees it).
 *
 * A program given no namespace at all (no root, no working directory)
 * has no files: every path fails with ENOENT, as paths outside a chroot
 * do.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <rvos/fs.h>
#include <rvos/user.h>
#include "fd_internal.h"

/* Where a path goes: the connection and the path to send on it. */
struct where {
	rv_handle_t dir;
	char path[FS_PATH_MAX + 1];
};

/* One program, one thread: two of them serve every call (rename and link
 * take both), rather than a kilobyte of .bss per call. */
static struct where wa, wb;

/*
 * Canonical form of the absolute path in[0..len) into out (size
 * FS_PATH_MAX + 1): "/a/b" (or "/"); a trailing '/' is kept, as it says
 * "a directory". 0 or -RV_ENAMETOOLONG.
 */
static int canonical(const char *in, size_t len, char *out)
{
	size_t o = 0;
	size_t i = 0;
	int trailing = len > 1 && in[len - 1] == '/';

	while (i < len) {
		size_t start, n;

		while (i < len && in[i] == '/')
			i++;
		start = i;
		while (i < len && in[i] != '/')
			i++;
		n = i - start;
		if (n == 0 || (n == 1 && in[start] == '.'))
			continue;
		if (n == 2 && in[start] == '.' && in[start + 1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the '/' before it */
			continue;
		}
		if (o + 1 + n > FS_PATH_MAX)
			return -RV_ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, in + start, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	else if (trailing) {
		if (o + 1 > FS_PATH_MAX)
			return -RV_ENAMETOOLONG;
		out[o++] = '/';
	}
	out[o] = '\0';
	return 0;
}

/* 0 and *w, or -RV_E*: ENOENT (empty path; no namespace), ENAMETOOLONG,
 * EFAULT (NULL). */
static int resolve(const char *path, struct where *w)
{
	struct fd_ns *ns = fd_namespace();
	size_t len;

	if (!path)
		return -RV_EFAULT;
	len = strlen(path);
	if (len == 0)
		return -RV_ENOENT;
	if (len > FS_PATH_MAX)
		return -RV_ENAMETOOLONG;
	if (path[0] == '/') {
		if (ns->root == RV_HANDLE_INVALID)
			return -RV_ENOENT;
		w->dir = ns->root;
		return canonical(path, len, w->path);
	}
	if (ns->cwd_path[0] == '/' && ns->root != RV_HANDLE_INVALID) {
		/* cwd_path + "/" + path, then canonical: at most twice the
		 * limit before ".." shortens it. */
		static char joined[RV_ENV_PATH_MAX + 1 + FS_PATH_MAX + 1];
		size_t cl = strlen(ns->cwd_path);

		memcpy(joined, ns->cwd_path, cl);
		joined[cl] = '/';
		memcpy(joined + cl + 1, path, len + 1);
		w->dir = ns->root;
		return canonical(joined, cl + 1 + len, w->path);
	}
	if (ns->cwd == RV_HANDLE_INVALID)
		return -RV_ENOENT;
	w->dir = ns->cwd;
	memcpy(w->path, path, len + 1);
	return 0;
}

/* ---- open ---- */

static uint32_t fs_flags(int flags)
{
	uint32_t f = 0;

	switch (flags & O_ACCMODE) {
	case O_RDONLY: f = FS_O_READ; break;
	case O_WRONLY: f = FS_O_WRITE; break;
	default: f = FS_O_READ | FS_O_WRITE; break;
	}
	if (flags & O_CREAT)
		f |= FS_O_CREAT;
	if (flags & O_EXCL)
		f |= FS_O_EXCL;
	if (flags & O_TRUNC)
		f |= FS_O_TRUNC;
	if (flags & O_APPEND)
		f |= FS_O_APPEND;
	if (flags & O_DIRECTORY)
		f |= FS_O_DIRECTORY;
	if (flags & O_NOFOLLOW)
		f |= FS_O_NOFOLLOW;
	return f;
}

/* open() without errno: the fd or -RV_E*. */
static int open_rv(const char *path, int flags, mode_t mode)
{
	struct where *const w = &wa;
	uint32_t got_mode = 0;
	rv_handle_t h;
	int ret, fd;

	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -RV_EINVAL;
	ret = resolve(path, w);
	if (ret < 0)
		return ret;
	ret = fs_open(w->dir, w->path, fs_flags(flags), (uint32_t)mode & 07777, &h, &got_mode);
	if (ret < 0)
		return ret;
	if ((got_mode & FS_S_IFMT) == FS_S_IFDIR && (flags & O_ACCMODE) != O_RDONLY) {
		/* POSIX: a directory is never open for writing. */
		rv_handle_close(h);
		return -RV_EISDIR;
	}
	fd = fd_new((got_mode & FS_S_IFMT) == FS_S_IFDIR ? RV_FD_DIR : RV_FD_FILE, h,
		    flags & (O_ACCMODE | O_APPEND));
	if (fd < 0)
		rv_handle_close(h);
	return fd;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	fd = open_rv(path, flags, mode);
	return fd < 0 ? fd_fail(fd) : fd;
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int fcntl(int fd, int cmd, ...)
{
	struct ofd *o = fd_ofd(fd);
	va_list ap;
	int arg;

	if (!o)
		return fd_fail(-RV_EBADF);
	va_start(ap, cmd);
	arg = va_arg(ap, int);
	va_end(ap);
	switch (cmd) {
	case F_DUPFD:
		for (int nfd = arg < 0 ? 0 : arg; nfd < CONFIG_USER_MAX_FDS; nfd++)
			if (!fd_ofd(nfd))
				return dup2(fd, nfd);
		return fd_fail(arg < 0 || arg >= CONFIG_USER_MAX_FDS ? -RV_EINVAL : -RV_EMFILE);
	case F_GETFD:
	case F_SETFD:
		return 0; /* close-on-exec: there is no exec */
	case F_GETFL:
		return o->oflags;
	case F_SETFL:
		return 0; /* O_APPEND is the server's, set at open */
	default:
		return fd_fail(-RV_EINVAL);
	}
}

/* ---- stat ---- */

static void to_stat(const struct fs_stat *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = (dev_t)f->dev;
	st->st_ino = (ino_t)f->ino;
	st->st_mode = (mode_t)f->mode;
	st->st_nlink = (nlink_t)f->nlink;
	st->st_uid = (uid_t)f->uid;
	st->st_gid = (gid_t)f->gid;
	st->st_size = (off_t)f->size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)f->blocks;
	st->st_atim.tv_sec = (time_t)(f->atime_ns / 1000000000u);
	st->st_atim.tv_nsec = (long)(f->atime_ns % 1000000000u);
	st->st_mtim.tv_sec = (time_t)(f->mtime_ns / 1000000000u);
	st->st_mtim.tv_nsec = (long)(f->mtime_ns % 1000000000u);
	st->st_ctim.tv_sec = (time_t)(f->ctime_ns / 1000000000u);
	st->st_ctim.tv_nsec = (long)(f->ctime_ns % 1000000000u);
}

static int stat_at(const char *path, struct stat *st, uint32_t flags)
{
	struct where *const w = &wa;
	struct fs_stat f;
	int ret = resolve(path, w);

	if (ret == 0)
		ret = fs_statat(w->dir, w->path, flags, &f);
	if (ret < 0)
		return fd_fail(ret);
	to_stat(&f, st);
	return 0;
}

int stat(const char *path, struct stat *st)
{
	return stat_at(path, st, 0);
}

int lstat(const char *path, struct stat *st)
{
	return stat_at(path, st, FS_AT_NOFOLLOW);
}

int fstat(int fd, struct stat *st)
{
	struct ofd *o = fd_ofd(fd);
	struct fs_stat f;
	int ret;

	if (!o)
		return fd_fail(-RV_EBADF);
	if (o->kind == RV_FD_CONSOLE || o->kind == RV_FD_PIPE) {
		memset(st, 0, sizeof(*st));
		st->st_mode = o->kind == RV_FD_PIPE ? S_IFIFO | 0600 : S_IFCHR | 0620;
		st->st_nlink = 1;
		st->st_blksize = o->kind == RV_FD_PIPE ? CONFIG_MSG_MAX_BYTES : 1024;
		return 0;
	}
	ret = fs_stat(o->handle, &f);
	if (ret < 0)
		return fd_fail(ret);
	to_stat(&f, st);
	return 0;
}

/* ---- names ---- */

int unlink(const char *path)
{
	struct where *const w = &wa;
	int ret = resolve(path, w);

	if (ret == 0)
		ret = fs_unlink(w->dir, w->path, 0);
	return ret < 0 ? fd_fail(ret) : 0;
}

int rmdir(const char *path)
{
	struct where *const w = &wa;
	int ret = resolve(path, w);

	if (ret == 0)
		ret = fs_unlink(w->dir, w->path, FS_AT_REMOVEDIR);
	return ret < 0 ? fd_fail(ret) : 0;
}

int mkdir(const char *path, mode_t mode)
{
	struct where *const w = &wa;
	int ret = resolve(path, w);

	if (ret == 0)
		ret = fs_mkdir(w->dir, w->path, (uint32_t)mode & 07777);
	return ret < 0 ? fd_fail(ret) : 0;
}

/* Two paths that must be below one connection (rename, link). */
static int resolve_two(const char *a, const char *b, struct where *in_a, struct where *in_b)
{
	int ret = resolve(a, in_a);

	if (ret == 0)
		ret = resolve(b, in_b);
	if (ret == 0 && in_a->dir != in_b->dir)
		ret = -RV_EXDEV; /* one relative to an unnamed working directory */
	return ret;
}

int rename(const char *from, const char *to)
{
	int ret = resolve_two(from, to, &wa, &wb);

	if (ret == 0)
		ret = fs_rename(wa.dir, wa.path, wb.path);
	return ret < 0 ? fd_fail(ret) : 0;
}

int link(const char *existing, const char *new_path)
{
	int ret = resolve_two(existing, new_path, &wa, &wb);

	if (ret == 0)
		ret = fs_link(wa.dir, wa.path, wb.path);
	return ret < 0 ? fd_fail(ret) : 0;
}

int symlink(const char *target, const char *path)
{
	struct where *const w = &wa;
	int ret;

	if (!target)
		return fd_fail(-RV_EFAULT);
	if (!*target)
		return fd_fail(-RV_ENOENT);
	ret = resolve(path, w);
	if (ret == 0)
		ret = fs_symlink(w->dir, target, w->path);
	return ret < 0 ? fd_fail(ret) : 0;
}

ssize_t readlink(const char *path, char *buf, size_t size)
{
	struct where *const w = &wa;
	long ret = resolve(path, w);

	if (ret == 0)
		ret = fs_readlink(w->dir, w->path, buf, size);
	if (ret < 0)
		return fd_fail(ret);
	/* The bytes placed in buf: a longer target is cut short. */
	return (size_t)ret > size ? (ssize_t)size : (ssize_t)ret;
}

int truncate(const char *path, off_t len)
{
	int fd, ret;

	if (len < 0)
		return fd_fail(-RV_EINVAL);
	fd = open_rv(path, O_WRONLY, 0);
	if (fd < 0)
		return fd_fail(fd);
	ret = ftruncate(fd, len);
	fd_close(fd);
	return ret;
}

/*
 * access: the file exists (F_OK) and a connection to it with the rights
 * asked can be opened (R_OK, W_OK: what the handle and a read-only file
 * system allow; there are no users); X_OK: an x bit or a directory.
 */
int access(const char *path, int amode)
{
	struct where *const w = &wa;
	struct fs_stat f;
	uint32_t flags = 0;
	rv_handle_t h;
	int ret;

	if (amode & ~(R_OK | W_OK | X_OK))
		return fd_fail(-RV_EINVAL);
	ret = resolve(path, w);
	if (ret == 0)
		ret = fs_statat(w->dir, w->path, 0, &f);
	if (ret < 0)
		return fd_fail(ret);
	if ((amode & X_OK) && (f.mode & FS_S_IFMT) != FS_S_IFDIR && !(f.mode & 0111))
		return fd_fail(-RV_EACCES);
	if (amode & R_OK)
		flags |= FS_O_READ;
	if (amode & W_OK)
		flags |= FS_O_WRITE;
	if (!flags)
		return 0;
	if ((f.mode & FS_S_IFMT) == FS_S_IFDIR)
		flags |= FS_O_DIRECTORY;
	ret = fs_open(w->dir, w->path, flags, 0, &h, NULL);
	if (ret < 0)
		return fd_fail(ret);
	rv_handle_close(h);
	return 0;
}

/* ---- sync ---- */

void sync(void)
{
	struct fd_ns *ns = fd_namespace();

	if (ns->root != RV_HANDLE_INVALID)
		fs_syncfs(ns->root);
	else if (ns->cwd != RV_HANDLE_INVALID)
		fs_syncfs(ns->cwd);
}

/* ---- working directory ---- */

char *getcwd(char *buf, size_t size)
{
	const char *p = fd_namespace()->cwd_path;
	size_t len = strlen(p);

	if (!len) {
		/* A working directory without a known path. */
		errno = ENOENT;
		return NULL;
	}
	if (!buf) {
		/* The common extension: a buffer of our own (size 0: as
		 * large as needed). */
		if (size && size < len + 1) {
			errno = ERANGE;
			return NULL;
		}
		buf = malloc(size ? size : len + 1);
		if (!buf) {
			errno = ENOMEM;
			return NULL;
		}
	} else if (size == 0) {
		errno = EINVAL;
		return NULL;
	} else if (size < len + 1) {
		errno = ERANGE;
		return NULL;
	}
	memcpy(buf, p, len + 1);
	return buf;
}

/* A connection to the directory at w: with as many rights as it gives
 * (read and write, read, or none: an anchor for paths). */
static int open_dir_anchor(const struct where *w, rv_handle_t *h)
{
	static const uint32_t tries[] = { FS_O_READ | FS_O_WRITE, FS_O_READ, 0 };
	int ret = -RV_EACCES;

	for (unsigned int i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		ret = fs_open(w->dir, w->path, tries[i] | FS_O_DIRECTORY, 0, h, NULL);
		if (ret != -RV_EACCES && ret != -RV_EROFS)
			break;
	}
	return ret;
}

int chdir(const char *path)
{
	struct where *const w = &wa;
	rv_handle_t h;
	int known, ret = resolve(path, w);

	if (ret < 0)
		return fd_fail(ret);
	known = w->dir == fd_namespace()->root;
	ret = open_dir_anchor(w, &h);
	if (ret < 0)
		return fd_fail(ret);
	if (known) {
		/* The canonical path, without a trailing '/'. */
		size_t len = strlen(w->path);

		if (len > 1 && w->path[len - 1] == '/')
			w->path[len - 1] = '\0';
	}
	fd_set_cwd(h, known ? w->path : NULL);
	return 0;
}

int fchdir(int fd)
{
	struct ofd *o = fd_ofd(fd);
	rv_handle_t h;
	int ret;

	if (!o)
		return fd_fail(-RV_EBADF);
	if (o->kind != RV_FD_DIR)
		return fd_fail(-RV_ENOTDIR);
	ret = rv_fd_share_dir(o->handle, &h); /* the rights the fd has */
	if (ret < 0)
		return fd_fail(ret);
	fd_set_cwd(h, NULL); /* an fd does not know its path */
	return 0;
}

/* ---- directories ---- */

struct rv_dir {
	int fd;
	uint32_t len, pos; /* the records in buf */
	struct dirent ent;
	uint8_t buf[FS_IO_MAX];
};

DIR *fdopendir(int fd)
{
	struct ofd *o = fd_ofd(fd);
	DIR *d;

	if (!o) {
		errno = EBADF;
		return NULL;
	}
	if (o->kind != RV_FD_DIR) {
		errno = ENOTDIR;
		return NULL;
	}
	d = malloc(sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->fd = fd;
	d->len = d->pos = 0;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open_rv(path, O_RDONLY | O_DIRECTORY, 0);
	DIR *d;

	if (fd < 0) {
		fd_fail(fd);
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		fd_close(fd);
		errno = e;
	}
	return d;
}

struct dirent *readdir(DIR *d)
{
	struct ofd *o = fd_ofd(d->fd);

	if (!o || o->kind != RV_FD_DIR) {
		errno = EBADF;
		return NULL;
	}
	for (;;) {
		struct fs_dirent e;
		size_t pos = d->pos;
		long n;

		if (d->pos < d->len) {
			int ret = fs_dirent_next(d->buf, d->len, &pos, &e);

			if (ret < 0) {
				d->len = d->pos = 0;
				errno = EIO;
				return NULL;
			}
			if (ret > 0) {
				d->pos = (uint32_t)pos;
				d->ent.d_ino = (ino_t)e.ino;
				d->ent.d_type = (unsigned char)e.type;
				strcpy(d->ent.d_name, e.name);
				return &d->ent;
			}
		}
		n = fs_readdir(o->handle, d->buf, sizeof(d->buf));
		if (n < 0) {
			fd_fail(n);
			return NULL;
		}
		if (n == 0)
			return NULL; /* the end: errno unchanged */
		d->len = (uint32_t)n;
		d->pos = 0;
	}
}

void rewinddir(DIR *d)
{
	struct ofd *o = fd_ofd(d->fd);

	d->len = d->pos = 0;
	if (o && o->kind == RV_FD_DIR)
		fs_rewind(o->handle);
}

int closedir(DIR *d)
{
	int fd = d->fd;

	free(d);
	return close(fd);
}

int dirfd(DIR *d)
{
	return d->fd;
}

int alphasort(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int scandir(const char *path, struct dirent ***out, int (*keep)(const struct dirent *),
	    int (*cmp)(const struct dirent **, const struct dirent **))
{
	DIR *d = opendir(path);
	struct dirent **list = NULL, *e;
	size_t n = 0, cap = 0;
	int err = ENOMEM;

	if (!d)
		return -1;
	errno = 0;
	while ((e = readdir(d))) {
		struct dirent *copy;

		if (keep && !keep(e))
			continue;
		if (n == cap) {
			struct dirent **bigger = realloc(list, (cap ? cap * 2 : 16) * sizeof(*list));

			if (!bigger)
				goto fail;
			list = bigger;
			cap = cap ? cap * 2 : 16;
		}
		copy = malloc(sizeof(*copy));
		if (!copy)
			goto fail;
		*copy = *e;
		list[n++] = copy;
	}
	if (errno) {
		err = errno; /* readdir failed */
		goto fail;
	}
	closedir(d);
	if (cmp && n > 1)
		qsort(list, n, sizeof(*list), (int (*)(const void *, const void *))cmp);
	*out = list;
	return (int)n;

fail:
	while (n)
		free(list[--n]);
	free(list);
	closedir(d);
	errno = err;
	return -1;
}
