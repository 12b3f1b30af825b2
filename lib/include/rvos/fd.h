/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file-descriptor table of a program (lib/src/fd.c), under POSIX's
 * open/read/write/close (lib/src/files.c) and stdio (lib/src/stdio.c).
 *
 * An fd names an open description: its kind (RV_FD_* of rvos/service.h,
 * or RV_FD_DIR), a handle, the access mode of open() and, for pipes, the
 * bytes of a message not read yet. dup() and dup2() make a second fd of
 * the same description, so they share the offset (kept by the file server
 * per connection) and a pipe's pending bytes. At most CONFIG_USER_MAX_FDS
 * fds are open at once (EMFILE past that).
 *
 * fds 0, 1 and 2 are what the start-up environment (rv_startup_get) names,
 * else the console. The root and working directory come from there too: a
 * program given none has no files (its paths fail with ENOENT).
 *
 * These calls are for the runtime and for programs that start others (the
 * shell): each returns 0 (or a value) or a negative RV_E* code.
 */
#ifndef RVOS_FD_H
#define RVOS_FD_H

#include <stddef.h>
#include <stdint.h>
#include <rvos/ipc.h>
#include <rvos/service.h>

/* A directory opened with open() or opendir(): a node connection that
 * reads entries, not bytes (never in a start-up environment). */
#define RV_FD_DIR 3

/* The kind of fd and its handle (RV_HANDLE_INVALID for the console);
 * -RV_EBADF if fd is not open. */
int rv_fd_get(int fd, uint32_t *kind, rv_handle_t *handle);

/*
 * A new fd (the lowest free one) for a handle that becomes the fd's:
 * kind RV_FD_*, oflags the access mode and O_APPEND of <fcntl.h>.
 * -RV_EMFILE when the table is full (the handle is then still the
 * caller's).
 */
int rv_fd_install(uint32_t kind, rv_handle_t handle, int oflags);

/*
 * A handle to give another process for fd, with the fd's kind: a
 * duplicate of the fd's own handle, so the child shares the offset of a
 * file and the end of a pipe (the fd stays open here). For the console:
 * RV_HANDLE_INVALID and RV_FD_CONSOLE. Pending pipe bytes already read
 * into this process stay here.
 */
int rv_fd_export(int fd, uint32_t *kind, rv_handle_t *handle);

/* The root and working directory connections (RV_HANDLE_INVALID: none)
 * and the working directory's path below the root ("" unknown). */
rv_handle_t rv_fd_root(void);
rv_handle_t rv_fd_cwd(void);
const char *rv_fd_cwd_path(void);

/* A new connection to the directory connection dir (the root, the
 * working directory) with as many of its rights as it has: read and
 * write, read, or none. For a child's environment. */
int rv_fd_share_dir(rv_handle_t dir, rv_handle_t *out);

/* POSIX errno for a negative RV_E* code (e.g. -RV_EPEERCLOSED on a file:
 * EIO; on a pipe being written: EPIPE is the caller's choice). */
int rv_errno_posix(long rv_err);

#endif /* RVOS_FD_H */
