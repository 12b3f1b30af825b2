/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fd table (rvos/fd.h): fds 0..2 and the namespace from the start-up
 * environment, and the calls that work on an fd whatever it names --
 * read, write, close, lseek, dup, dup2, pipe, isatty, fsync.
 *
 * Kinds: the console (the console service, or the kernel's console),
 * a file or directory (a node connection of the file server: the server
 * keeps the offset), a pipe (a channel end carrying raw bytes: each
 * message is data, the writer closing is the end of file, writing when the
 * reader is gone is EPIPE after SIGPIPE's default action).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <rvos/console.h>
#include <rvos/fs.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "fd_internal.h"

_Static_assert(CONFIG_USER_MAX_FDS >= 3, "fds 0, 1 and 2 need room");

static struct ofd ofds[CONFIG_USER_MAX_FDS];
static struct ofd *fds[CONFIG_USER_MAX_FDS];
static struct fd_ns ns = { RV_HANDLE_INVALID, RV_HANDLE_INVALID, "" };
static int set_up;

int rv_errno_posix(long e)
{
	switch (-e) {
	case RV_EPERM: return EPERM;
	case RV_ENOENT: return ENOENT;
	case RV_ESRCH: return ESRCH;
	case RV_EINTR: return EINTR;
	case RV_EIO: return EIO;
	case RV_E2BIG: return E2BIG;
	case RV_ENOEXEC: return ENOEXEC;
	case RV_EBADF: return EBADF;
	case RV_ECHILD: return ECHILD;
	case RV_EAGAIN: return EAGAIN;
	case RV_ENOMEM: return ENOMEM;
	case RV_EACCES: return EACCES;
	case RV_EFAULT: return EFAULT;
	case RV_EBUSY: return EBUSY;
	case RV_EEXIST: return EEXIST;
	case RV_ENODEV: return ENODEV;
	case RV_EINVAL: return EINVAL;
	case RV_ENFILE: return ENFILE;
	case RV_EMFILE: return EMFILE;
	case RV_ENOSPC: return ENOSPC;
	case RV_ERANGE: return ERANGE;
	case RV_ENOSYS: return ENOSYS;
	case RV_ETIMEDOUT: return ETIMEDOUT;
	case RV_EOVERFLOW: return EOVERFLOW;
	case RV_ELOOP: return ELOOP;
	case RV_EXDEV: return EXDEV;
	case RV_ENOTDIR: return ENOTDIR;
	case RV_EISDIR: return EISDIR;
	case RV_EFBIG: return EFBIG;
	case RV_ESPIPE: return ESPIPE;
	case RV_EROFS: return EROFS;
	case RV_EMLINK: return EMLINK;
	case RV_EPIPE: return EPIPE;
	case RV_ENAMETOOLONG: return ENAMETOOLONG;
	case RV_ENOTEMPTY: return ENOTEMPTY;
	case RV_ENOTSUP: return ENOTSUP;
	case RV_ECANCELED: return ECANCELED; /* a revoked handle */
	case RV_EWRONGTYPE: return EBADF;  /* an fd's handle is not what it says */
	case RV_EMSGSIZE: return EINVAL;   /* a request too large for a message */
	/* The file server went away (-EPEERCLOSED), answered outside the
	 * protocol (-EBADMSG) or found its file system corrupt (-EUCLEAN):
	 * to the program, the device failed. */
	case RV_EPEERCLOSED:
	case RV_EBADMSG:
	case RV_EUCLEAN:
	default: return EIO;
	}
}

int fd_fail(long rv_err)
{
	errno = rv_errno_posix(rv_err);
	return -1;
}

/* ---- the console ---- */

static void debug_write_all(const char *p, size_t len)
{
	/* In pieces the kernel accepts (CONFIG_DEBUG_WRITE_MAX may be small). */
	for (size_t off = 0; off < len; off += CONFIG_DEBUG_WRITE_MAX) {
		size_t n = len - off;
		rv_debug_write(p + off, n < CONFIG_DEBUG_WRITE_MAX ? n : CONFIG_DEBUG_WRITE_MAX);
	}
}

/* To the console service, or where it is gone to the kernel's console:
 * output is never lost. in_place: buf has the request header's room in
 * front of it (console_write_room; stdio's drain, fd_drain_room); inlined
 * into both callers, so each keeps its own straight path. */
static inline __attribute__((always_inline)) long console_out(void *buf, size_t len,
							      bool in_place)
{
	rv_handle_t con = console_handle();
	long ret = -RV_EBADF;

	if (!len)
		return 0;
	if (con != RV_HANDLE_INVALID) {
		ret = in_place ? console_write_room(con, buf, len) : console_write(con, buf, len);
		if (ret == -RV_EPEERCLOSED && (con = console_reconnect()) != RV_HANDLE_INVALID)
			ret = in_place ? console_write_room(con, buf, len)
				       : console_write(con, buf, len);
	}
	/* What the service did not take goes to the kernel's console. */
	if (ret < 0 || (size_t)ret < len)
		debug_write_all((const char *)buf + (ret > 0 ? ret : 0),
				len - (ret > 0 ? (size_t)ret : 0));
	return (long)len;
}

long fd_console_write(const void *buf, size_t len)
{
	/* (console_write only reads buf) */
	return console_out((void *)buf, len, false);
}

long fd_console_read(void *buf, size_t len)
{
	rv_handle_t con = console_handle();
	long n;

	if (!len)
		return 0;
	if (con == RV_HANDLE_INVALID) {
		/* The kernel's input buffer: poll it (this is the fallback). */
		while ((n = rv_debug_read(buf, len)) == 0)
			rv_sleep_ns(10 * 1000 * 1000);
		return n;
	}
	n = console_read(con, buf, len);
	if (n == -RV_EPEERCLOSED && (con = console_reconnect()) != RV_HANDLE_INVALID)
		n = console_read(con, buf, len);
	return n;
}

/* ---- the table ---- */

static struct ofd *ofd_alloc(uint32_t kind, rv_handle_t handle, int oflags)
{
	for (unsigned int i = 0; i < CONFIG_USER_MAX_FDS; i++) {
		struct ofd *o = &ofds[i];

		if (!o->refs) {
			memset(o, 0, sizeof(*o));
			o->refs = 1;
			o->kind = kind;
			o->handle = handle;
			o->oflags = oflags;
			return o;
		}
	}
	return NULL; /* cannot happen: there are as many as fds */
}

static void ofd_put(struct ofd *o)
{
	if (--o->refs)
		return;
	if (o->handle != RV_HANDLE_INVALID)
		fs_close(o->handle);
	free(o->pend);
	o->pend = NULL;
	o->handle = RV_HANDLE_INVALID;
}

/* init's start-up environment, or none (NULL). */
#ifdef CONFIG_USER_STARTUP_ENV
static const struct rv_startup *startup_env(void)
{
	const struct rv_startup *env;

	return rv_startup_get(&env) < 0 ? NULL : env;
}
#else
static const struct rv_startup *startup_env(void)
{
	return NULL; /* handle 0 is not a channel to init */
}
#endif /* CONFIG_USER_STARTUP_ENV */

/* The start-up environment, once: fds 0..2, root and working directory. */
static void setup(void)
{
	static const int std_oflags[3] = { O_RDONLY, O_WRONLY, O_WRONLY };
	const struct rv_startup *env;

	set_up = 1; /* first: nothing below may come back here */
	env = startup_env();
	for (int i = 0; i < 3; i++) {
		uint32_t kind = RV_FD_CONSOLE;
		rv_handle_t h = RV_HANDLE_INVALID;

		if (env && (env->mask & (RV_ENV_STDIN << i))) {
			kind = env->fd_kind[i];
			h = env->fd[i];
			if (kind != RV_FD_FILE && kind != RV_FD_PIPE) {
				/* A kind this runtime does not know: the console. */
				rv_handle_close(h);
				kind = RV_FD_CONSOLE;
				h = RV_HANDLE_INVALID;
			}
		}
		fds[i] = ofd_alloc(kind, h, kind == RV_FD_CONSOLE ? O_RDWR : std_oflags[i]);
	}
	if (env && (env->mask & RV_ENV_ROOT))
		ns.root = env->root;
	if (env && (env->mask & RV_ENV_CWD)) {
		ns.cwd = env->cwd;
		if (env->cwd_path[0] == '/' && strlen(env->cwd_path) < sizeof(ns.cwd_path))
			strcpy(ns.cwd_path, env->cwd_path);
	} else if (ns.root != RV_HANDLE_INVALID) {
		/* No working directory of its own: the root. */
		ns.cwd = ns.root;
		strcpy(ns.cwd_path, "/");
	}
}

static inline void ensure_setup(void)
{
	if (!set_up)
		setup();
}

struct ofd *fd_ofd(int fd)
{
	ensure_setup();
	if (fd < 0 || fd >= CONFIG_USER_MAX_FDS)
		return NULL;
	return fds[fd];
}

struct fd_ns *fd_namespace(void)
{
	ensure_setup();
	return &ns;
}

void fd_set_cwd(rv_handle_t handle, const char *path)
{
	ensure_setup();
	if (ns.cwd != RV_HANDLE_INVALID && ns.cwd != ns.root)
		rv_handle_close(ns.cwd);
	ns.cwd = handle;
	if (path && path[0] == '/' && strlen(path) < sizeof(ns.cwd_path))
		strcpy(ns.cwd_path, path);
	else
		ns.cwd_path[0] = '\0';
}

static int lowest_free(int from)
{
	for (int fd = from; fd < CONFIG_USER_MAX_FDS; fd++)
		if (!fds[fd])
			return fd;
	return -RV_EMFILE;
}

int fd_new(uint32_t kind, rv_handle_t handle, int oflags)
{
	int fd;

	ensure_setup();
	fd = lowest_free(0);
	if (fd < 0)
		return fd;
	fds[fd] = ofd_alloc(kind, handle, oflags);
	return fd;
}

int fd_close(int fd)
{
	struct ofd *o = fd_ofd(fd);

	if (!o)
		return -RV_EBADF;
	fds[fd] = NULL;
	ofd_put(o);
	return 0;
}

/* ---- rvos/fd.h ---- */

int rv_fd_get(int fd, uint32_t *kind, rv_handle_t *handle)
{
	struct ofd *o = fd_ofd(fd);

	if (!o)
		return -RV_EBADF;
	if (kind)
		*kind = o->kind;
	if (handle)
		*handle = o->handle;
	return 0;
}

int rv_fd_install(uint32_t kind, rv_handle_t handle, int oflags)
{
	if (kind > RV_FD_DIR)
		return -RV_EINVAL;
	return fd_new(kind, kind == RV_FD_CONSOLE ? RV_HANDLE_INVALID : handle, oflags);
}

int rv_fd_export(int fd, uint32_t *kind, rv_handle_t *handle)
{
	struct ofd *o = fd_ofd(fd);
	struct rv_handle_info info;
	long h;

	if (!o)
		return -RV_EBADF;
	*kind = o->kind;
	*handle = RV_HANDLE_INVALID;
	if (o->kind == RV_FD_CONSOLE)
		return 0;
	if (rv_handle_info(o->handle, &info) < 0)
		return -RV_EBADF;
	h = rv_handle_duplicate(o->handle, info.rights);
	if (h < 0)
		return (int)h;
	*handle = (rv_handle_t)h;
	return 0;
}

int rv_fd_share_dir(rv_handle_t dir, rv_handle_t *out)
{
	static const uint32_t tries[] = { FS_RIGHTS_ALL, FS_RIGHT_READ, 0 };
	int ret = -RV_EBADF;

	if (dir == RV_HANDLE_INVALID)
		return -RV_EBADF;
	/* CLONE may drop rights, never add them: the most it allows. */
	for (unsigned int i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		ret = fs_clone(dir, tries[i], out);
		if (ret != -RV_EACCES)
			break;
	}
	return ret;
}

rv_handle_t rv_fd_root(void)
{
	return fd_namespace()->root;
}

rv_handle_t rv_fd_cwd(void)
{
	return fd_namespace()->cwd;
}

const char *rv_fd_cwd_path(void)
{
	return fd_namespace()->cwd_path;
}

/* ---- reading and writing ---- */

static int readable(const struct ofd *o)
{
	return (o->oflags & O_ACCMODE) != O_WRONLY;
}

static int writable(const struct ofd *o)
{
	return (o->oflags & O_ACCMODE) != O_RDONLY;
}

/* One message of a pipe into o->pend: its length, 0 at the end, or an error. */
static long pipe_next(struct ofd *o, void *direct, size_t direct_len)
{
	rv_handle_t hs[CONFIG_MSG_MAX_HANDLES + 1];

	for (;;) {
		struct rv_msg m = { 0 };
		long ret;

		if (direct_len >= CONFIG_MSG_MAX_BYTES) {
			m.bytes = direct;
		} else {
			if (!o->pend && !(o->pend = malloc(CONFIG_MSG_MAX_BYTES)))
				return -RV_ENOMEM;
			m.bytes = o->pend;
		}
		m.num_bytes = CONFIG_MSG_MAX_BYTES;
		m.handles = hs;
		m.num_handles = CONFIG_MSG_MAX_HANDLES;
		ret = rv_channel_read(o->handle, &m, 0, RV_DEADLINE_NEVER);
		if (ret == -RV_EPEERCLOSED) {
			o->eof = 1;
			return 0;
		}
		if (ret < 0)
			return ret;
		/* A pipe carries bytes: handles someone put in are not ours. */
		for (uint32_t i = 0; i < m.num_handles; i++)
			rv_handle_close(hs[i]);
		/* An empty message is no data, not the end: the end is the
		 * writer closing. */
		if (!m.num_bytes)
			continue;
		if (m.bytes == o->pend) {
			o->pend_len = m.num_bytes;
			o->pend_pos = 0;
		}
		return m.num_bytes;
	}
}

static long pipe_read(struct ofd *o, void *buf, size_t len)
{
	long n;

	if (!len)
		return 0;
	if (o->pend_pos == o->pend_len) {
		if (o->eof)
			return 0;
		n = pipe_next(o, buf, len);
		if (n <= 0 || !o->pend || o->pend_pos == o->pend_len)
			return n; /* the end, an error, or read straight into buf */
	}
	n = o->pend_len - o->pend_pos;
	if ((size_t)n > len)
		n = (long)len;
	memcpy(buf, o->pend + o->pend_pos, (size_t)n);
	o->pend_pos += (uint32_t)n;
	return n;
}

static long pipe_write(struct ofd *o, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < CONFIG_MSG_MAX_BYTES ? len - done : CONFIG_MSG_MAX_BYTES;
		struct rv_msg m = { (void *)(p + done), (uint32_t)n, 0, NULL };
		long ret = rv_channel_write(o->handle, &m, 0, RV_DEADLINE_NEVER);

		if (ret == -RV_EPEERCLOSED) {
			if (done)
				break;
			/* SIGPIPE's default action ends the process, as on
			 * POSIX systems (`yes | head`); a program that ignores
			 * or catches it gets EPIPE. */
			raise(SIGPIPE);
			return -RV_EPIPE;
		}
		if (ret < 0)
			return done ? (long)done : ret;
		done += n;
	}
	return (long)done;
}

/* A file: FS_IO_MAX bytes per request, until len or a short read. */
static long file_read(struct ofd *o, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < FS_IO_MAX ? len - done : FS_IO_MAX;
		long ret = fs_read(o->handle, (uint8_t *)buf + done, n);

		if (ret < 0)
			return done ? (long)done : ret;
		done += (size_t)ret;
		if ((size_t)ret < n)
			break;
	}
	return (long)done;
}

static long file_write(struct ofd *o, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < FS_IO_MAX ? len - done : FS_IO_MAX;
		long ret = fs_write(o->handle, (const uint8_t *)buf + done, n);

		if (ret < 0)
			return done ? (long)done : ret;
		done += (size_t)ret;
		if ((size_t)ret < n)
			break; /* e.g. the disk is full: the next write says so */
	}
	return (long)done;
}

long fd_read(int fd, void *buf, size_t len)
{
	struct ofd *o = fd_ofd(fd);

	if (!o || !readable(o))
		return -RV_EBADF;
	switch (o->kind) {
	case RV_FD_CONSOLE: return fd_console_read(buf, len);
	case RV_FD_FILE: return file_read(o, buf, len);
	case RV_FD_PIPE: return pipe_read(o, buf, len);
	default: return -RV_EISDIR;
	}
}

long fd_write(int fd, const void *buf, size_t len)
{
	struct ofd *o = fd_ofd(fd);

	if (!o || !writable(o))
		return -RV_EBADF;
	switch (o->kind) {
	case RV_FD_CONSOLE: return fd_console_write(buf, len);
	case RV_FD_FILE: return file_write(o, buf, len);
	case RV_FD_PIPE: return pipe_write(o, buf, len);
	default: return -RV_EBADF; /* a directory is never open for writing */
	}
}

bool fd_drain_room(int fd, void *buf, size_t len, bool file_too)
{
	struct ofd *o;

	if (!len)
		return true; /* (and no fd set-up: a program that printed nothing) */
	o = fd_ofd(fd);
	if (o && o->kind == RV_FD_FILE && !file_too)
		return false;
	if (o && o->kind == RV_FD_CONSOLE && writable(o))
		console_out(buf, len, true);
	else
		fd_write(fd, buf, len);
	return true;
}

/* ---- POSIX ---- */

ssize_t read(int fd, void *buf, size_t len)
{
	long n = fd_read(fd, buf, len);

	return n < 0 ? fd_fail(n) : (ssize_t)n;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	long n = fd_write(fd, buf, len);

	return n < 0 ? fd_fail(n) : (ssize_t)n;
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	struct ofd *o = fd_ofd(fd);
	long n;

	if (!o || !readable(o))
		return fd_fail(-RV_EBADF);
	if (o->kind != RV_FD_FILE)
		return fd_fail(o->kind == RV_FD_DIR ? -RV_EISDIR : -RV_ESPIPE);
	if (off < 0)
		return fd_fail(-RV_EINVAL);
	n = fs_pread(o->handle, (uint64_t)off, buf, len < FS_IO_MAX ? len : FS_IO_MAX);
	return n < 0 ? fd_fail(n) : (ssize_t)n;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	struct ofd *o = fd_ofd(fd);
	long n;

	if (!o || !writable(o))
		return fd_fail(-RV_EBADF);
	if (o->kind != RV_FD_FILE)
		return fd_fail(-RV_ESPIPE);
	if (off < 0)
		return fd_fail(-RV_EINVAL);
	n = fs_pwrite(o->handle, (uint64_t)off, buf, len < FS_IO_MAX ? len : FS_IO_MAX);
	return n < 0 ? fd_fail(n) : (ssize_t)n;
}

int close(int fd)
{
	int ret = fd_close(fd);

	return ret < 0 ? fd_fail(ret) : 0;
}

off_t lseek(int fd, off_t off, int whence)
{
	struct ofd *o = fd_ofd(fd);
	uint64_t pos;
	int ret;

	if (!o)
		return fd_fail(-RV_EBADF);
	if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
		return fd_fail(-RV_EINVAL);
	if (o->kind == RV_FD_DIR) {
		/* Only back to the start (rewinddir). */
		if (off != 0 || whence != SEEK_SET)
			return fd_fail(-RV_EINVAL);
		ret = fs_rewind(o->handle);
		return ret < 0 ? fd_fail(ret) : 0;
	}
	if (o->kind != RV_FD_FILE)
		return fd_fail(-RV_ESPIPE);
	ret = fs_seek(o->handle, (int64_t)off,
		      whence == SEEK_SET   ? FS_SEEK_SET
		      : whence == SEEK_CUR ? FS_SEEK_CUR
					   : FS_SEEK_END,
		      &pos);
	if (ret < 0)
		return fd_fail(ret);
	if (pos > (uint64_t)INT64_MAX)
		return fd_fail(-RV_EOVERFLOW);
	return (off_t)pos;
}

int dup(int fd)
{
	struct ofd *o = fd_ofd(fd);
	int nfd;

	if (!o)
		return fd_fail(-RV_EBADF);
	nfd = lowest_free(0);
	if (nfd < 0)
		return fd_fail(nfd);
	o->refs++;
	fds[nfd] = o;
	return nfd;
}

int dup2(int fd, int nfd)
{
	struct ofd *o = fd_ofd(fd);

	if (!o || nfd < 0 || nfd >= CONFIG_USER_MAX_FDS)
		return fd_fail(-RV_EBADF);
	if (nfd == fd)
		return nfd;
	if (fds[nfd])
		fd_close(nfd);
	o->refs++;
	fds[nfd] = o;
	return nfd;
}

int pipe(int out[2])
{
	rv_handle_t ends[2];
	long ret = rv_channel_create(ends);
	int rfd, wfd;

	if (ret < 0)
		return fd_fail(ret == -RV_ENOSPC ? -RV_EMFILE : ret);
	rfd = fd_new(RV_FD_PIPE, ends[0], O_RDONLY);
	wfd = rfd < 0 ? rfd : fd_new(RV_FD_PIPE, ends[1], O_WRONLY);
	if (wfd < 0) {
		if (rfd >= 0)
			fd_close(rfd);
		else
			rv_handle_close(ends[0]);
		rv_handle_close(ends[1]);
		return fd_fail(-RV_EMFILE);
	}
	out[0] = rfd;
	out[1] = wfd;
	return 0;
}

/* 1 for the console; 0 and errno for the rest: POSIX's isatty never
 * returns -1. */
int isatty(int fd)
{
	struct ofd *o = fd_ofd(fd);

	if (!o) {
		errno = EBADF;
		return 0;
	}
	if (o->kind != RV_FD_CONSOLE) {
		errno = ENOTTY;
		return 0;
	}
	return 1;
}

static int sync_fd(int fd, uint32_t flags)
{
	struct ofd *o = fd_ofd(fd);
	int ret;

	if (!o)
		return fd_fail(-RV_EBADF);
	if (o->kind != RV_FD_FILE && o->kind != RV_FD_DIR)
		return fd_fail(-RV_EINVAL); /* POSIX: not a file that can sync */
	ret = fs_sync(o->handle, flags);
	return ret < 0 ? fd_fail(ret) : 0;
}

int fsync(int fd)
{
	return sync_fd(fd, 0);
}

int fdatasync(int fd)
{
	return sync_fd(fd, FS_SYNC_DATA_ONLY);
}

int ftruncate(int fd, off_t len)
{
	struct ofd *o = fd_ofd(fd);
	int ret;

	if (!o)
		return fd_fail(-RV_EBADF);
	if (len < 0 || o->kind != RV_FD_FILE || !writable(o))
		return fd_fail(-RV_EINVAL); /* POSIX: not a file open for writing */
	ret = fs_truncate(o->handle, (uint64_t)len);
	return ret < 0 ? fd_fail(ret) : 0;
}
