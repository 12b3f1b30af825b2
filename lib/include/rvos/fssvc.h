/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file protocol: between programs (librvos's rvos/fs.h, the POSIX and
 * stdio layer on top of it) and the file server (subsys/servers/fs).
 * doc/files.md is the full description.
 *
 * Files as capabilities. Every open file or directory is a channel to the
 * file server: a *node connection*. The server keeps, per connection, the
 * node, the rights (FS_RIGHT_*), and for files the offset and the open
 * flags; for directories the readdir position. There is no global file
 * authority: a process reaches the nodes of the connections it holds and
 * what lies below them, nothing else.
 *
 * Paths are always resolved relative to the directory connection the
 * request is sent on: a leading '/' names that directory itself, and '..'
 * at that directory stays there (as at the root of a chroot), so a
 * connection never reaches above the directory it names. Symbolic links
 * are followed inside the same bounds (an absolute target starts at the
 * connection's directory; at most FS_SYMLOOP_MAX links, else ELOOP).
 * Mount points are crossed transparently. A path is at most FS_PATH_MAX
 * bytes and a name at most FS_NAME_MAX.
 *
 * Rights: a connection has FS_RIGHT_READ and/or FS_RIGHT_WRITE. On a
 * directory, WRITE allows creating, removing and renaming entries below
 * it. OPEN and CLONE can keep or drop rights, never add them (EACCES).
 *
 * Requests on a node connection (wire codec, each answered with the same op):
 *
 *   FS_OP_OPEN      str path, u32 flags (FS_O_*), u32 mode (permission bits
 *                   for FS_O_CREAT)       -> handle node, u32 mode (FS_S_IF*
 *                                            | permission bits)
 *   FS_OP_CLONE     u32 rights            -> handle node (same node; files:
 *                                            its own offset, from 0)
 *   FS_OP_STAT      -                     -> stat record (below)
 *   FS_OP_STATAT    str path, u32 flags (FS_AT_NOFOLLOW)
 *                                         -> stat record
 *   FS_OP_READ      u32 max               -> [bytes pad,] bytes data (at
 *                                            the offset; it advances;
 *                                            empty: end of file)
 *   FS_OP_PREAD     u64 offset, u32 max   -> [bytes pad,] bytes data
 *                                            (offset unchanged)
 *   FS_OP_WRITE     [bytes pad,] bytes data -> u32 written (at the offset,
 *                                            or at the end with
 *                                            FS_O_APPEND)
 *   FS_OP_PWRITE    u64 offset, [bytes pad,] bytes data -> u32 written
 *   FS_OP_SEEK      i64 offset, u32 whence (FS_SEEK_*) -> u64 new offset
 *   FS_OP_TRUNCATE  u64 size              -> -
 *   FS_OP_SYNC      u32 flags (FS_SYNC_DATA_ONLY) -> -   (fsync/fdatasync:
 *                                            returns when the node's data
 *                                            and metadata are on the device)
 *   FS_OP_READDIR   u32 max (bytes)       -> bytes entries (packed records,
 *                                            below; empty: no more)
 *   FS_OP_REWIND    -                     -> -  (readdir from the start)
 *   FS_OP_MKDIR     str path, u32 mode    -> -
 *   FS_OP_UNLINK    str path, u32 flags (FS_AT_REMOVEDIR) -> -
 *   FS_OP_RENAME    str from, str to      -> -  (both below this directory;
 *                                            replaces `to` atomically)
 *   FS_OP_LINK      str existing, str new -> -
 *   FS_OP_SYMLINK   str target, str path  -> -
 *   FS_OP_READLINK  str path              -> str target
 *   FS_OP_STATFS    -                     -> statfs record (below)
 *   FS_OP_IMAGE     -                     -> handle shm (READ|MAP, and
 *                                            TRANSFER so it can be passed
 *                                            on; never WRITE), u64 size:
 *                                            the whole file in a
 *                                            shared-memory region (the
 *                                            loader's way to read a program)
 *   FS_OP_SYNCFS    -                     -> -  (sync: every file system of
 *                                            the server)
 *   FS_OP_WINDOW    u32 size              -> handle shm (READ|MAP|TRANSFER), u32
 *                                            size: a read window, a
 *                                            shared-memory region of the
 *                                            connection (size rounded up
 *                                            to pages, at most
 *                                            CONFIG_FS_WINDOW_MAX_BYTES) that WREAD
 *                                            fills; it replaces any
 *                                            earlier one. Size 0: the
 *                                            window goes (-> -, no
 *                                            handle). Files only (EISDIR),
 *                                            with READ (EACCES); ENOSPC
 *                                            when the server has
 *                                            CONFIG_FS_MAX_WINDOWS
 *                                            already
 *   FS_OP_WREAD     u32 max               -> u32 n: READ, the data put at
 *                                            the start of the window
 *                                            (max up to its size; ENOENT:
 *                                            the connection has none)
 *   FS_OP_WPREAD    u64 offset, u32 max   -> u32 n: PREAD into the window
 *   FS_OP_DROP_CACHES -                   -> -  (on a connection to a
 *                                            mount's root directory with
 *                                            FS_RIGHT_WRITE, else EPERM:
 *                                            that mount's dirty blocks
 *                                            written back as by SYNC, then
 *                                            its block cache, inode cache
 *                                            and name lookups forgotten;
 *                                            a write-back error is
 *                                            returned and nothing is
 *                                            forgotten; tmpfs keeps its
 *                                            files, there is nothing to
 *                                            drop. For measuring reads
 *                                            from the device.)
 *
 * pad: an optional bytes field before the data, of 0..7 bytes that mean
 * nothing, chosen so the data starts at a multiple of 8 bytes into the
 * message: then both sides copy it a word at a time (unaligned, every
 * word is shifted into place). The server sends it on every READ reply
 * (6 bytes: the data at byte 24) and takes WRITE with or without it; the
 * client (lib/src/fs_client.c) sends it and takes a reply with or without.
 *
 * A stat record is, in order: u32 mode, u32 nlink, u64 ino, u64 size,
 * u64 blocks (512-byte units), u64 atime_ns, u64 mtime_ns, u64 ctime_ns,
 * u32 uid, u32 gid, u32 dev (the mount's number).
 *
 * A readdir record is: u64 ino, u8 type (FS_DT_*), u8 name length n, n
 * bytes of name (no NUL). "." and ".." come first.
 *
 * A statfs record is: u32 block_size, u64 blocks, u64 blocks_free,
 * u64 inodes, u64 inodes_free, u32 flags (FS_STATFS_READ_ONLY), str type
 * ("ext2", "tmpfs"), then (optional: a client reads them when present)
 * u32 connections, u32 connections_max: the server's connection table
 * (open node connections of every client, and its limit).
 *
 * Errors (besides EBADMSG malformed and ENOSYS another op): ENOENT,
 * EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ENAMETOOLONG, ELOOP, EACCES (a right
 * the connection lacks), EROFS (a read-only file system), ENOSPC, EFBIG,
 * EMLINK, EINVAL, EIO (the device failed), EUCLEAN (the file system is
 * corrupt), EMFILE (the server's connection table is full), EXDEV (rename
 * or link across file systems), EBUSY (removing or renaming a mount point,
 * or the directory the path names itself: ".", "/"), EPERM (LINK of a
 * directory; DROP_CACHES not on a mount's root with WRITE), EMSGSIZE (a
 * READLINK target the message cannot hold).
 * doc/files.md lists them per operation.
 */
#ifndef RVOS_FSSVC_H
#define RVOS_FSSVC_H

#include <stdint.h>

#define FS_SERVICE_NAME "fs"
#define FS_NAME_MAX 255   /* bytes in one path component */
#define FS_PATH_MAX 1024  /* bytes in a path */
#define FS_SYMLOOP_MAX 8  /* symbolic links followed in one lookup */

/* Bytes of file data one READ/WRITE moves: what fits in a message. With
 * messages too small for any file request (CONFIG_MSG_MAX_BYTES <= 32)
 * it is 1, so every program still builds; such a system has no file
 * server, and a request would fail with EMSGSIZE. */
#define FS_IO_OVERHEAD 32
#define FS_IO_MAX \
	(CONFIG_MSG_MAX_BYTES > FS_IO_OVERHEAD ? CONFIG_MSG_MAX_BYTES - FS_IO_OVERHEAD : 1)

enum fs_op {
	FS_OP_OPEN = 1,
	FS_OP_CLONE = 2,
	FS_OP_STAT = 3,
	FS_OP_STATAT = 4,
	FS_OP_READ = 5,
	FS_OP_PREAD = 6,
	FS_OP_WRITE = 7,
	FS_OP_PWRITE = 8,
	FS_OP_SEEK = 9,
	FS_OP_TRUNCATE = 10,
	FS_OP_SYNC = 11,
	FS_OP_READDIR = 12,
	FS_OP_REWIND = 13,
	FS_OP_MKDIR = 14,
	FS_OP_UNLINK = 15,
	FS_OP_RENAME = 16,
	FS_OP_LINK = 17,
	FS_OP_SYMLINK = 18,
	FS_OP_READLINK = 19,
	FS_OP_STATFS = 20,
	FS_OP_IMAGE = 21,
	FS_OP_SYNCFS = 22,
	FS_OP_DROP_CACHES = 23,
	FS_OP_WINDOW = 24,
	FS_OP_WREAD = 25,
	FS_OP_WPREAD = 26,
};


/* Rights of a node connection. */
#define FS_RIGHT_READ (1u << 0)
#define FS_RIGHT_WRITE (1u << 1)
#define FS_RIGHTS_ALL (FS_RIGHT_READ | FS_RIGHT_WRITE)

/* FS_OP_OPEN flags. The connection's rights are READ and/or WRITE as
 * asked; a directory may be opened with neither (a path anchor). */
#define FS_O_READ (1u << 0)
#define FS_O_WRITE (1u << 1)
#define FS_O_CREAT (1u << 2)
#define FS_O_EXCL (1u << 3)
#define FS_O_TRUNC (1u << 4)
#define FS_O_APPEND (1u << 5)
#define FS_O_DIRECTORY (1u << 6) /* must be a directory: else ENOTDIR */
#define FS_O_NOFOLLOW (1u << 7)  /* the last component may not be a symlink: ELOOP */

#define FS_AT_NOFOLLOW (1u << 0)  /* STATAT: stat the link itself */
#define FS_AT_REMOVEDIR (1u << 1) /* UNLINK: rmdir */
#define FS_SYNC_DATA_ONLY (1u << 0)

#define FS_SEEK_SET 0
#define FS_SEEK_CUR 1
#define FS_SEEK_END 2

/* File types in a mode (POSIX's values). */
#define FS_S_IFMT 0170000u
#define FS_S_IFDIR 0040000u
#define FS_S_IFREG 0100000u
#define FS_S_IFLNK 0120000u

/* Readdir record types (the values of Linux's DT_*). */
#define FS_DT_UNKNOWN 0
#define FS_DT_DIR 4
#define FS_DT_REG 8
#define FS_DT_LNK 10

#define FS_STATFS_READ_ONLY (1u << 0)

struct fs_stat {
	uint32_t mode;
	uint32_t nlink;
	uint64_t ino;
	uint64_t size;
	uint64_t blocks;
	uint64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t uid, gid;
	uint32_t dev;
};

struct fs_statfs {
	uint32_t block_size;
	uint64_t blocks, blocks_free;
	uint64_t inodes, inodes_free;
	uint32_t flags;
	char type[16];
	uint32_t connections, connections_max; /* the server's table; 0 if not told */
};

#endif /* RVOS_FSSVC_H */
