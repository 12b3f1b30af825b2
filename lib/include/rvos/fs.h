/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client calls of the file protocol (rvos/fssvc.h, doc/files.md), in
 * librvos (lib/src/fs_client.c). Each takes a node connection (a handle)
 * and returns 0 (or a count) or a negative RV_E* code: the server's, the
 * channel's (-RV_EPEERCLOSED: the file server went away), or -RV_EBADMSG
 * for a reply that breaks the protocol. Paths are NUL-terminated, resolved
 * by the server relative to the directory connection given.
 *
 * The POSIX and stdio layer (lib/src/fd.c, lib/src/files.c) sits on top;
 * programs normally use open/read/fopen and friends instead.
 */
#ifndef RVOS_FS_H
#define RVOS_FS_H

#include <stddef.h>
#include <stdint.h>
#include <rvos/ipc.h>
#include <rvos/fssvc.h>

int fs_open(rv_handle_t dir, const char *path, uint32_t flags, uint32_t mode, rv_handle_t *out,
	    uint32_t *out_mode);
int fs_clone(rv_handle_t node, uint32_t rights, rv_handle_t *out);
/* Close a node connection, and forget the read window the library keeps
 * for it (rv_handle_close alone leaves it mapped until the slot is
 * needed). */
int fs_close(rv_handle_t node);
int fs_stat(rv_handle_t node, struct fs_stat *st);
int fs_statat(rv_handle_t dir, const char *path, uint32_t flags, struct fs_stat *st);
/* One request each: at most FS_IO_MAX bytes move (reads through a read
 * window: at most its size, CONFIG_FS_WINDOW_BYTES); the count (0: end of
 * file). fs_read_full/fs_write_full loop until len or the end. */
long fs_read(rv_handle_t file, void *buf, size_t len);
long fs_pread(rv_handle_t file, uint64_t off, void *buf, size_t len);
long fs_write(rv_handle_t file, const void *buf, size_t len);
long fs_pwrite(rv_handle_t file, uint64_t off, const void *buf, size_t len);
long fs_read_full(rv_handle_t file, void *buf, size_t len);
long fs_write_full(rv_handle_t file, const void *buf, size_t len);
int fs_seek(rv_handle_t file, int64_t off, uint32_t whence, uint64_t *pos);
int fs_truncate(rv_handle_t file, uint64_t size);
int fs_sync(rv_handle_t node, uint32_t flags);
int fs_syncfs(rv_handle_t node);
/* Write back and forget the caches of the file system whose root dir
 * names (a connection with FS_RIGHT_WRITE; else -RV_EPERM): the next
 * reads come from the device. A write-back error (-RV_EIO) is returned
 * and nothing is forgotten. */
int fs_drop_caches(rv_handle_t dir);
/* Packed readdir records (rvos/fssvc.h) into buf: the bytes (0: no more). */
long fs_readdir(rv_handle_t dir, void *buf, size_t len);
int fs_rewind(rv_handle_t dir);

struct fs_dirent {
	uint64_t ino;
	unsigned int type;            /* FS_DT_* */
	char name[FS_NAME_MAX + 1];   /* NUL-terminated */
};
/* The record at *pos of a readdir buffer of len bytes: 1 and *pos moved
 * past it, 0 at the end, -RV_EBADMSG a malformed record. */
int fs_dirent_next(const void *buf, size_t len, size_t *pos, struct fs_dirent *out);

int fs_mkdir(rv_handle_t dir, const char *path, uint32_t mode);
int fs_unlink(rv_handle_t dir, const char *path, uint32_t flags);
int fs_rename(rv_handle_t dir, const char *from, const char *to);
int fs_link(rv_handle_t dir, const char *existing, const char *new_path);
int fs_symlink(rv_handle_t dir, const char *target, const char *path);
long fs_readlink(rv_handle_t dir, const char *path, char *buf, size_t size);
/* Also the server's connection table (connections, connections_max),
 * when the server tells it; else those are 0. */
int fs_statfs(rv_handle_t node, struct fs_statfs *out);
/* The whole file in a read-only shared-memory region: its handle and size. */
int fs_image(rv_handle_t file, rv_handle_t *shm, uint64_t *size);

#endif /* RVOS_FS_H */
