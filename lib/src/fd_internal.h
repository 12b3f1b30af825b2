/* SPDX-License-Identifier: Apache-2.0 */
/* Between the fd table (fd.c), the path calls (files.c) and stdio.c. */
#ifndef RVOS_FD_INTERNAL_H
#define RVOS_FD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rvos/console.h>
#include <rvos/fd.h>

/* An open description: shared by the fds dup() made of it. */
struct ofd {
	unsigned int refs;  /* fds naming it; 0: a free slot */
	uint32_t kind;      /* RV_FD_* */
	rv_handle_t handle; /* RV_HANDLE_INVALID for the console */
	int oflags;         /* O_ACCMODE and O_APPEND bits of open() */
	int eof;            /* pipe: the writer is gone and everything was read */
	uint8_t *pend;      /* pipe: the message being read (malloc'd) */
	uint32_t pend_len, pend_pos;
};

/* The description of fd, or NULL (not open). Sets up fds 0..2 first. */
struct ofd *fd_ofd(int fd);

/* A new fd for a new description of kind/handle/oflags: the fd or
 * -RV_EMFILE (the handle stays the caller's). */
int fd_new(uint32_t kind, rv_handle_t handle, int oflags);

/* read/write/close on an fd: counts or negative RV_E* codes. */
long fd_read(int fd, void *buf, size_t len);
long fd_write(int fd, const void *buf, size_t len);
int fd_close(int fd);

/* The console, as fds of RV_FD_CONSOLE use it: the console service when
 * there is one (reconnecting once if it restarted), else the kernel's. */
long fd_console_write(const void *buf, size_t len);
long fd_console_read(void *buf, size_t len);
/* fd_write for a buffer with FD_WRITE_ROOM bytes of
 * scratch before it (and its bytes scratch once written): a console
 * request is built in place (console_write_room), not copied. stdio's
 * drain: all of buf written (an error has nobody to tell) and true; but
 * false, and nothing written, when fd is a file and not file_too (a file's
 * buffer waits until it is full). */
#define FD_WRITE_ROOM CONSOLE_WRITE_ROOM
bool fd_drain_room(int fd, void *buf, size_t len, bool file_too);

/* The namespace: root and working directory (RV_HANDLE_INVALID: none),
 * the working directory's path ("" unknown; else absolute, normalized). */
struct fd_ns {
	rv_handle_t root, cwd;
	char cwd_path[RV_ENV_PATH_MAX];
};
struct fd_ns *fd_namespace(void);
/* Make handle (a directory connection, now the table's) the working
 * directory, with its path (NULL or "": unknown). Closes the old one. */
void fd_set_cwd(rv_handle_t handle, const char *path);

/* errno = the POSIX code of a negative RV_E*; returns -1 (for returns). */
int fd_fail(long rv_err);

#endif /* RVOS_FD_INTERNAL_H */
