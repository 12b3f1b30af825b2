/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where a builtin's output goes and its input comes from (shell.h, struct
 * sh_io): the terminal, a file (a node connection of the file server), a
 * pipe (a channel end carrying raw bytes, RV_FD_PIPE: each message is
 * data, the peer closing is the end of file) or memory (between two
 * builtins of one pipeline, which run one after the other in the shell).
 * Messages about mistakes go to the terminal (printf) whatever the output.
 *
 * Also the shell's file context: its root directory and working directory
 * path, and the POSIX texts of the file errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rvos/fs.h>
#include <rvos/user.h>

#include "shell.h"

static struct sh_io io_console_out = {.kind = IO_CONSOLE};
static struct sh_io io_console_in = {.kind = IO_CONSOLE};
struct sh_io *sh_out = &io_console_out;
struct sh_io *sh_in = &io_console_in;

void sh_io_init(struct sh_io *io, enum sh_io_kind kind, rv_handle_t h)
{
	memset(io, 0, sizeof(*io));
	io->kind = kind;
	io->h = h;
}

void sh_io_console(struct sh_io *io)
{
	sh_io_init(io, IO_CONSOLE, RV_HANDLE_INVALID);
}

/* Send what is buffered: to the file or down the pipe. */
static void io_drain(struct sh_io *io)
{
	size_t off = 0;

	while (off < io->len && io->err == 0) {
		if (io->kind == IO_FILE) {
			long n = fs_write(io->h, io->buf + off, io->len - off);

			if (n < 0)
				io->err = (int)n;
			else if (n == 0)
				io->err = -RV_EIO;
			else
				off += (size_t)n;
		} else {
			struct rv_msg msg = {.bytes = io->buf + off,
					     .num_bytes = (uint32_t)(io->len - off)};
			long ret = rv_channel_write(io->h, &msg, 0, RV_DEADLINE_NEVER);

			if (ret < 0)
				io->err = (int)ret;
			else
				off = io->len;
		}
	}
	io->len = 0;
}

int sh_io_flush(struct sh_io *io)
{
	if (io->kind == IO_CONSOLE)
		fflush(stdout);
	else if (io->kind == IO_FILE || io->kind == IO_PIPE)
		io_drain(io);
	return io->err;
}

int sh_write(const void *data, size_t n)
{
	struct sh_io *io = sh_out;
	const char *p = data;

	if (io->err)
		return io->err;
	switch (io->kind) {
	case IO_CONSOLE:
		fwrite(p, 1, n, stdout);
		break;
	case IO_MEM:
		if (io->mem_len + n > CONFIG_SHELL_PIPE_BYTES) {
			io->err = -RV_EFBIG;
			break;
		}
		if (io->mem_len + n > io->mem_cap) {
			size_t cap = io->mem_cap ? io->mem_cap : 1024;
			char *m;

			while (cap < io->mem_len + n)
				cap *= 2;
			if (cap > CONFIG_SHELL_PIPE_BYTES)
				cap = CONFIG_SHELL_PIPE_BYTES;
			m = realloc(io->mem, cap);
			if (!m) {
				io->err = -RV_ENOMEM;
				break;
			}
			io->mem = m;
			io->mem_cap = cap;
		}
		memcpy(io->mem + io->mem_len, p, n);
		io->mem_len += n;
		break;
	default:
		while (n && !io->err) {
			size_t k = sizeof(io->buf) - io->len;

			if (k > n)
				k = n;
			memcpy(io->buf + io->len, p, k);
			io->len += k;
			p += k;
			n -= k;
			if (io->len == sizeof(io->buf))
				io_drain(io);
		}
	}
	return io->err;
}

int sh_printf(const char *fmt, ...)
{
	char small[256], *s = small;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -RV_EINVAL;
	if ((size_t)n >= sizeof(small)) {
		s = malloc((size_t)n + 1);
		if (!s)
			return -RV_ENOMEM;
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	ret = sh_write(s, (size_t)n);
	if (s != small)
		free(s);
	return ret;
}

long sh_read(void *buf, size_t size)
{
	struct sh_io *io = sh_in;
	long n;

	if (io->eof)
		return 0;
	switch (io->kind) {
	case IO_FILE:
		if (size > FS_IO_MAX)
			size = FS_IO_MAX;
		n = fs_read(io->h, buf, size);
		if (n == 0)
			io->eof = true;
		return n;
	case IO_MEM:
		n = (long)(io->mem_len - io->mem_pos < size ? io->mem_len - io->mem_pos : size);
		memcpy(buf, io->mem + io->mem_pos, (size_t)n);
		io->mem_pos += (size_t)n;
		io->eof = n == 0;
		return n;
	case IO_PIPE:
		/* A message may be bigger than buf: the rest waits in io->buf. */
		if (io->pos == io->len) {
			rv_handle_t hs[CONFIG_MSG_MAX_HANDLES + 1];
			struct rv_msg msg = {.bytes = io->buf, .num_bytes = sizeof(io->buf),
					     .handles = hs, .num_handles = CONFIG_MSG_MAX_HANDLES};
			long ret = rv_channel_read(io->h, &msg, 0, RV_DEADLINE_NEVER);

			if (ret == -RV_EPEERCLOSED) {
				io->eof = true;
				return 0;
			}
			if (ret < 0)
				return ret;
			for (uint32_t i = 0; i < msg.num_handles; i++)
				rv_handle_close(hs[i]);
			io->pos = 0;
			io->len = msg.num_bytes;
		}
		n = (long)(io->len - io->pos < size ? io->len - io->pos : size);
		memcpy(buf, io->buf + io->pos, (size_t)n);
		io->pos += (size_t)n;
		return n;
	default:
		return -RV_EBADF; /* the terminal is the shell's own: builtins do not read it */
	}
}

void sh_io_close(struct sh_io *io)
{
	if (io->kind == IO_FILE || io->kind == IO_PIPE) {
		sh_io_flush(io);
		if (io->h != RV_HANDLE_INVALID)
			rv_handle_close(io->h);
	}
	free(io->mem);
	sh_io_console(io);
}

/* ---- the file context ---- */

rv_handle_t sh_root = RV_HANDLE_INVALID;
char sh_cwd[FS_PATH_MAX + 1] = "/";

void sh_files_init(void)
{
	const struct rv_startup *env;

	if (rv_startup_get(&env) < 0 || !(env->mask & RV_ENV_ROOT))
		return;
	sh_root = env->root;
	if (env->cwd_path[0] == '/' && strlen(env->cwd_path) < sizeof(sh_cwd))
		strcpy(sh_cwd, env->cwd_path);
	/* The shell resolves every path itself, from its root: the cwd
	 * connection init gave is not needed. */
	if (env->mask & RV_ENV_CWD)
		rv_handle_close(env->cwd);
}

int sh_resolve(const char *cmd, const char *path, char *abs)
{
	if (sh_root == RV_HANDLE_INVALID) {
		printf("%s: no files here (this shell was given no root directory)\n", cmd);
		return -RV_ENOENT;
	}
	if (sh_path_join(sh_cwd, path, abs, FS_PATH_MAX + 1) < 0) {
		printf("%s: %s: %s\n", cmd, path, sh_strerror(-RV_ENAMETOOLONG));
		return -RV_ENAMETOOLONG;
	}
	return 0;
}

const char *sh_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case RV_EPERM: return "Operation not permitted";
	case RV_ENOENT: return "No such file or directory";
	case RV_EIO: return "Input/output error";
	case RV_E2BIG: return "Argument list too long";
	case RV_ENOEXEC: return "Exec format error";
	case RV_EBADF: return "Bad file descriptor";
	case RV_EAGAIN: return "Resource temporarily unavailable";
	case RV_ENOMEM: return "Cannot allocate memory";
	case RV_EACCES: return "Permission denied";
	case RV_EBUSY: return "Device or resource busy";
	case RV_EEXIST: return "File exists";
	case RV_EXDEV: return "Invalid cross-device link";
	case RV_ENODEV: return "No such device";
	case RV_ENOTDIR: return "Not a directory";
	case RV_EISDIR: return "Is a directory";
	case RV_EINVAL: return "Invalid argument";
	case RV_ENFILE: return "Too many open files in system";
	case RV_EMFILE: return "Too many open files";
	case RV_EFBIG: return "File too large";
	case RV_ENOSPC: return "No space left on device";
	case RV_ESPIPE: return "Illegal seek";
	case RV_EROFS: return "Read-only file system";
	case RV_EMLINK: return "Too many links";
	case RV_ENAMETOOLONG: return "File name too long";
	case RV_ENOSYS: return "Function not implemented";
	case RV_ENOTEMPTY: return "Directory not empty";
	case RV_ELOOP: return "Too many levels of symbolic links";
	case RV_EBADMSG: return "Bad message";
	case RV_EOVERFLOW: return "Value too large for defined data type";
	case RV_ENOTSUP: return "Operation not supported";
	case RV_ETIMEDOUT: return "Connection timed out";
	case RV_EPEERCLOSED: return "Broken pipe"; /* the peer went away: EPIPE's text */
	case RV_EUCLEAN: return "Structure needs cleaning";
	default: return rv_strerror(err);
	}
}
